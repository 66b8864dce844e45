//! Allocation policy scripts (`[policy] script`): compiled and run in the review scripts' engine.
//!
//! The script runs once per allocation with one read-only variable, `city` (the city's figures;
//! see `crate::allocate::style::policy_script`), under the same sandbox as the review scripts: the
//! engine of [`super::engine::engine`] (operation, depth, size and time limits, no clock, imports
//! from the rules folder only), the same static checks, and [`eval_guarded`] (the backstop and
//! the panic guard). What it returns is read by `crate::allocate::style::policy_script`.

use std::path::Path;

use rhai::{Dynamic, Engine, Scope};

use super::engine::{running, with_time_limit};
use super::files::RuleFiles;
use super::{Printed, Script, Sources, compile, errors, lint};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, Source};

/// The variable an allocation policy script sees.
const VARIABLES: [&str; 1] = ["city"];

/// A compiled allocation policy script and the engine it runs in.
pub(crate) struct AllocationScript {
    engine: Engine,
    sources: Sources,
    pub script: Script,
}

/// Compiles the allocation policy script at `path` in the sandboxed engine of the rules folder
/// `rules_dir` (imports come from there); `departments` are the scenario's bureau ids (the static
/// checks compare string literals with them).
pub(crate) fn compile_allocation(
    rules_dir: &Path,
    path: &Path,
    departments: Vec<String>,
) -> Result<AllocationScript, Vec<Diagnostic>> {
    let files = RuleFiles::dir(rules_dir);
    let sources = Sources::default();
    let engine = super::engine::engine(&files, &sources, &Printed::default());
    let parameters = super::Parameters::default();
    let known = lint::Known { parameters: &parameters, viewpoints: Vec::new(), departments: Some(departments) };
    let script = compile(&engine, &sources, &files, path, &VARIABLES, &[], lint::Role::Bureau, &known)?;
    Ok(AllocationScript { engine, sources, script })
}

impl AllocationScript {
    /// Runs the script once with `city`; `()` or what it returned.
    pub fn run(&self, city: rhai::Map) -> Result<Dynamic, Diagnostic> {
        let mut scope = Scope::new();
        scope.push_constant_dynamic("city", Dynamic::from_map(city));
        eval_guarded(&self.engine, &self.sources, &[], &self.script, &mut scope, || {
            "while deciding the envelopes".into()
        })
    }
}

/// Evaluates `script` in `engine` with `scope` under the sandbox's time limit, noted for the
/// backstop, behind the panic guard: a run-time error is located in the script (or the module it
/// happened in) with `note`, a panic of the engine is reported as a bug.
pub(crate) fn eval_guarded(
    engine: &Engine,
    sources: &Sources,
    params: &[&str],
    script: &Script,
    scope: &mut Scope<'_>,
    note: impl Fn() -> String,
) -> Result<Dynamic, Diagnostic> {
    let src = &script.source;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        running(src, &note, || with_time_limit(|| engine.eval_ast_with_scope::<Dynamic>(scope, &script.ast)))
    }));
    match result {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(errors::runtime_error(&e, src, sources, params).note(note())),
        Err(_) => Err(Diagnostic::bug("the script engine failed on this script")
            .at(Location::at_line_col(src, 1, 1))
            .note(note())
            .hint("this is a bug in waku or Rhai; please report it with the script")),
    }
}

/// The first occurrence of `needle` in the script outside `//` comments, else the script's first line.
pub(crate) fn point_at(source: &Arc<Source>, needle: &str) -> Location {
    find_from(source, needle, 0).unwrap_or_else(|| Location::at_line_col(source, 1, 1))
}

/// Like [`point_at`], from byte `from` on; `None` when it is not there.
pub(crate) fn find_from(source: &Arc<Source>, needle: &str, from: usize) -> Option<Location> {
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        let code = &line[..line.find("//").unwrap_or(line.len())];
        if offset + line.len() > from {
            let skip = from.saturating_sub(offset).min(code.len());
            if let Some(i) = code.get(skip..).and_then(|c| c.find(needle)) {
                let at = offset + skip + i;
                return Some(Location::new(source, at..at + needle.len()));
            }
        }
        offset += line.len();
    }
    None
}
