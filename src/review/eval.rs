//! Evaluating the compiled rules on programs: build what a script sees (`eval/view.rs`), run it
//! sandboxed and reuse its results, check what it returns (`eval/decode.rs`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;
use rhai::{AST, Dynamic, ImmutableString, Map, Scope};

use super::memo::{Key, Memo};
use super::{Action, Finding, ProgramReview, ScriptOutput};
use crate::diagnostic::{Diagnostic, Location};
use crate::fast::FastPaths;
use crate::rules::compiled::{Compiled, Inputs, findings_array};
use crate::rules::engine::{FindingData, FindingView, Observed, observe, running, with_time_limit};
use crate::rules::{ProgramView, Ruleset, Script, Viewpoint};
use crate::scenario::Program;

mod decode;
mod view;

pub use decode::ratio_base;
use decode::{to_assessment, to_finding};
pub use view::{Context, program_view};
use view::{action_label, float, opt_float};

/// Reviews `programs` (all of them, in order). Runs in parallel when there are enough programs to pay for it.
///
/// When scripts fail on several programs, the error reported is the first program's in
/// order, so the message does not depend on thread timing.
pub fn review_programs(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    params: Map,
    parallel: bool,
    fast: FastPaths,
) -> Result<Vec<ProgramReview>, Diagnostic> {
    let remembered = Remembered::new(ruleset, fast.result_reuse);
    review_remembering(programs, cx, ruleset, params, parallel, &remembered, fast.compiled_scripts)
}

/// [`review_programs`] with the results so far in `remembered`; with `compile` false, every
/// script runs in Rhai.
fn review_remembering(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    params: Map,
    parallel: bool,
    remembered: &Remembered,
    compile: bool,
) -> Result<Vec<ProgramReview>, Diagnostic> {
    let new_scope = || {
        let mut scope = Scope::new();
        scope.push_constant_dynamic("params", Dynamic::from_map(params.clone()));
        scope
    };
    let folded = Folded::new(ruleset, &new_scope(), compile);
    let review = Review { ruleset, folded: &folded, remembered, cx };
    if !parallel || programs.len() < 64 {
        let mut scope = new_scope();
        return programs.iter().map(|p| review.one(&mut scope, p)).collect();
    }
    let first_failure = AtomicUsize::new(usize::MAX);
    let results: Vec<Option<Result<ProgramReview, Diagnostic>>> = programs
        .par_iter()
        .enumerate()
        .map_init(new_scope, |scope, (i, p)| {
            if i > first_failure.load(Ordering::Relaxed) {
                return None;
            }
            let r = review.one(scope, p);
            if r.is_err() {
                first_failure.fetch_min(i, Ordering::Relaxed);
            }
            Some(r)
        })
        .collect();
    results.into_iter().map_while(|r| r).collect()
}

/// The scripts as they run in one review: `params` folded in as constants, and compiled where
/// they can be (see [`crate::rules::compiled`]).
struct Folded {
    viewpoints: Vec<(AST, Option<Compiled>)>,
    policy: (AST, Option<Compiled>),
}

impl Folded {
    fn new(ruleset: &Ruleset, params: &Scope<'_>, compile: bool) -> Folded {
        let map = params.get_value::<rhai::Map>("params");
        let fold = |script: &Script, findings: bool| {
            // Folding evaluates what is constant: guarded, so that whatever went wrong there
            // happens (and is reported, located) when the script runs as written.
            let ast =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| script.with_params(&ruleset.engine, params)))
                    .unwrap_or_else(|_| script.ast.clone());
            let compiled = if compile { Compiled::new(&ast, findings, map.as_ref()) } else { None };
            (ast, compiled)
        };
        Folded {
            viewpoints: ruleset.viewpoints.iter().map(|v| fold(&v.script, false)).collect(),
            policy: fold(&ruleset.policy, true),
        }
    }
}

/// What the scripts returned so far in one review, shared by the threads (see [`memo`]).
struct Remembered {
    viewpoints: Vec<Mutex<ViewpointResults>>,
    /// The policy's results by the findings' numbers and what it read of the program.
    policy: Mutex<Memo<Dynamic>>,
    /// How many times a compiled script left a program to Rhai (a test checks the bundled rules
    /// never are: each time costs an interpreted run).
    left_to_rhai: AtomicUsize,
}

/// One viewpoint's results by what it read, and each distinct finding it returned (numbered in
/// the order first seen), as a review records it and as the policy sees it.
struct ViewpointResults {
    by_input: Memo<u32>,
    findings: Vec<(Arc<Finding>, FindingView)>,
    numbers: HashMap<FindingKey, u32, ahash::RandomState>,
}

/// A finding compared exactly: numbers by their digits and scale, so equal keys print alike.
#[derive(PartialEq, Eq, Hash)]
struct FindingKey {
    score: [u8; 16],
    action: Action,
    reason: ImmutableString,
    min_ratio: Option<[u8; 16]>,
    max_ratio: Option<[u8; 16]>,
}

impl Remembered {
    /// Nothing remembered yet; with `on` false, nothing ever is.
    fn new(ruleset: &Ruleset, on: bool) -> Remembered {
        let viewpoint =
            || ViewpointResults { by_input: Memo::new(on), findings: Vec::new(), numbers: HashMap::default() };
        Remembered {
            viewpoints: ruleset.viewpoints.iter().map(|_| Mutex::new(viewpoint())).collect(),
            policy: Mutex::new(Memo::new(on)),
            left_to_rhai: AtomicUsize::new(0),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ViewpointResults {
    /// The number of this finding of viewpoint `v` among the distinct ones (added if new).
    fn number(&mut self, v: &Viewpoint, finding: Finding, reason: ImmutableString) -> u32 {
        let key = FindingKey {
            score: finding.score.serialize(),
            action: finding.action,
            reason,
            min_ratio: finding.min_ratio.map(|d| d.serialize()),
            max_ratio: finding.max_ratio.map(|d| d.serialize()),
        };
        if let Some(n) = self.numbers.get(&key) {
            return *n;
        }
        let view = FindingView(Arc::new(FindingData {
            kind: finding.action,
            viewpoint: v.label.clone(),
            number: v.number.map_or(Dynamic::UNIT, Dynamic::from_int),
            score: float(finding.score),
            action: action_label(finding.action),
            reason: key.reason.clone(),
            min_ratio: opt_float(finding.min_ratio),
            max_ratio: opt_float(finding.max_ratio),
        }));
        let n = self.findings.len() as u32;
        self.numbers.insert(key, n);
        self.findings.push((Arc::new(finding), view));
        n
    }
}

/// One review under way: the ruleset, its scripts with this review's parameters, the results so far.
struct Review<'a> {
    ruleset: &'a Ruleset,
    folded: &'a Folded,
    remembered: &'a Remembered,
    cx: &'a Context<'a>,
}

impl Review<'_> {
    /// The six findings and the assessment of one program. `scope` holds `params` and is left as found.
    ///
    /// A script's result is reused from an earlier program when it read the same values (see [`memo`]).
    fn one(&self, scope: &mut Scope<'_>, p: &Program) -> Result<ProgramReview, Diagnostic> {
        let base = scope.len();
        let view = program_view(p, self.cx);
        scope.push_constant("program", view.clone());
        let r = self.with_program(scope, p, &view);
        scope.rewind(base);
        r
    }

    /// [`Review::one`] once `program` is in `scope`; `view` is what it holds.
    fn with_program(
        &self,
        scope: &mut Scope<'_>,
        p: &Program,
        view: &ProgramView,
    ) -> Result<ProgramReview, Diagnostic> {
        let Review { ruleset, folded, remembered, .. } = self;
        let base = scope.len();
        let data = &*view.0;
        let key = |read: u8| Key::of_value(&data.value(read));
        let mut findings = Vec::with_capacity(ruleset.viewpoints.len());
        let mut views = Vec::with_capacity(ruleset.viewpoints.len());
        let mut numbers = Vec::with_capacity(ruleset.viewpoints.len());
        let mut printed = Vec::new();
        for ((v, (ast, compiled)), results) in
            ruleset.viewpoints.iter().zip(&folded.viewpoints).zip(&remembered.viewpoints)
        {
            let known = {
                let mut r = lock(results);
                r.by_input.find(key).copied().map(|n| (n, r.findings[n as usize].clone()))
            };
            let (n, (finding, finding_view)) = match known {
                Some(known) => known,
                None => {
                    let inputs = Inputs { program: view, findings: None };
                    let script = (ast, compiled.as_ref());
                    let (out, seen) =
                        run(ruleset, scope, &v.script, script, &inputs, p, &remembered.left_to_rhai, |_| {});
                    scope.rewind(base);
                    let (finding, reason) = to_finding(ruleset, &v.id, &v.script, out?, p)?;
                    let mut r = lock(results);
                    let n = r.number(v, finding, reason);
                    if seen.printed.is_empty() {
                        r.by_input.insert(seen.reads.iter().map(|read| (*read, key(*read))), n);
                    } else {
                        printed.push(ScriptOutput { script: v.script.source.name.clone(), printed: seen.printed });
                    }
                    (n, r.findings[n as usize].clone())
                }
            };
            numbers.push(n);
            findings.push(finding);
            views.push(finding_view);
        }
        // The policy's inputs: the findings (input 0, by their numbers), then the program fields it
        // reads (field f is input 1 + f).
        let input = |read: u8| match read.checked_sub(1) {
            None => Some(Key::Findings(numbers.clone())),
            Some(field) => key(field),
        };
        // A compiled policy runs faster than its result is found again (measured): reuse only
        // the interpreted one.
        let (ast, compiled) = &folded.policy;
        let reuse = compiled.is_none();
        let known = if reuse { lock(&remembered.policy).find(input).cloned() } else { None };
        let out = match known {
            Some(out) => out,
            None => {
                let inputs = Inputs { program: view, findings: Some(&views) };
                let findings = |scope: &mut Scope<'_>| {
                    scope.push_constant("findings", findings_array(&views));
                };
                let script = (ast, compiled.as_ref());
                let left = &remembered.left_to_rhai;
                let (out, seen) = run(ruleset, scope, &ruleset.policy, script, &inputs, p, left, findings);
                scope.rewind(base);
                let out = out?;
                if reuse && seen.printed.is_empty() {
                    let reads = std::iter::once(0).chain(seen.reads.iter().map(|r| r + 1));
                    lock(&remembered.policy).insert(reads.map(|r| (r, input(r))), out.clone());
                }
                if !seen.printed.is_empty() {
                    printed.push(ScriptOutput { script: ruleset.policy.source.name.clone(), printed: seen.printed });
                }
                out
            }
        };
        let assessment = to_assessment(&ruleset.policy, out, p, self.cx.rounding_unit)?;
        Ok(ProgramReview { id: p.id.clone(), department: p.department.clone(), findings, assessment, printed })
    }
}

/// Runs one script on one program; also says what it read and whether it printed.
///
/// The compiled script runs when there is one; when it leaves the program to Rhai, `prepare`
/// completes `scope` and Rhai runs the script, and `left_to_rhai` counts it.
#[allow(clippy::too_many_arguments)]
fn run(
    ruleset: &Ruleset,
    scope: &mut Scope<'_>,
    script: &Script,
    (ast, compiled): (&AST, Option<&Compiled>),
    inputs: &Inputs<'_>,
    p: &Program,
    left_to_rhai: &AtomicUsize,
    prepare: impl FnOnce(&mut Scope<'_>),
) -> (Result<Dynamic, Diagnostic>, Observed) {
    let compiled = compiled.map(|c| {
        let mut reads = Vec::new();
        let v = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.eval(inputs, &mut reads)));
        (v, reads)
    });
    if let Some((Ok(None), _)) = compiled {
        left_to_rhai.fetch_add(1, Ordering::Relaxed);
    }
    let (r, seen) = match compiled {
        Some((Ok(Some(v)), reads)) => (Ok(Ok(v)), Observed { reads, printed: Default::default() }),
        Some((Err(panic), _)) => (Err(panic), Observed::default()),
        None | Some((Ok(None), _)) => observe(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                prepare(scope);
                running(
                    &script.source,
                    || program_note(p),
                    || with_time_limit(|| ruleset.engine.eval_ast_with_scope::<Dynamic>(scope, ast)),
                )
            }))
        }),
    };
    let out = match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(crate::rules::runtime_error(ruleset, &e, script).note(program_note(p))),
        Err(_) => Err(Diagnostic::bug("the script engine failed on this script")
            .at(Location::at_line_col(&script.source, 1, 1))
            .note(program_note(p))
            .hint("this is a bug in waku or Rhai; please report it with the script")),
    };
    (out, seen)
}

pub(crate) fn program_note(p: &Program) -> String {
    if p.name.is_empty() {
        format!("while reviewing program `{}`", p.id)
    } else {
        format!("while reviewing program `{}` ({})", p.id, p.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reports_what_it_read_of_the_program_and_whether_it_printed() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/kumamoto-r8.toml")).unwrap();
        let ruleset = Ruleset::for_scenario(&sc).unwrap();
        let mut scope = Scope::new();
        scope.push_constant("program", program_view(&sc.programs[0], &Context::of(&sc)));
        let mut eval = |text: &str| {
            let ast = ruleset.engine.compile_with_scope(&scope, text).unwrap();
            observe(|| ruleset.engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast).unwrap()).1
        };
        let field = |name: &str| crate::rules::PROGRAM_FIELDS.iter().position(|f| f.name == name).unwrap() as u8;
        let seen = eval("if program.kind == \"no such kind\" { program.name } else { program.fees }");
        assert_eq!(seen.reads, [field("kind"), field("fees")]);
        assert!(seen.printed.is_empty());
        let seen = eval("print(program)");
        assert_eq!(seen.reads, [field("id"), field("name")]);
        assert_eq!(seen.printed.lines, [format!("{} {}", sc.programs[0].id, sc.programs[0].name)]);
    }

    #[test]
    fn a_remembered_result_is_the_result_the_script_would_return() {
        let dir = std::env::temp_dir().join(format!("waku-remember-{}", std::process::id()));
        let spec = crate::generate::CitySpec { programs: 1500, departments: 8, seed: 11 };
        let path = crate::generate::write_city(&spec, &dir).unwrap();
        let sc = crate::scenario::load(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let ruleset = Ruleset::load(std::path::Path::new("rules"), &sc.parameters).unwrap();
        let programs: Vec<&Program> = sc.programs.iter().collect();
        let cx = Context::of(&sc);
        let review = |remembered: &Remembered, parallel, compile| {
            let params = ruleset.params_map(Some(sc.fiscal_year));
            let r = review_remembering(&programs, &cx, &ruleset, params, parallel, remembered, compile).unwrap();
            serde_json::to_string(&r).unwrap()
        };
        let fresh = review(&Remembered::new(&ruleset, false), false, false);
        for (parallel, compile) in [(false, false), (true, false), (false, true), (true, true)] {
            let remembered = Remembered::new(&ruleset, true);
            assert!(review(&remembered, parallel, compile) == fresh, "parallel: {parallel}, compiled: {compile}");
            // Each script's results were reused for some programs, or this test shows nothing
            // (the policy's only when interpreted).
            for v in &remembered.viewpoints {
                assert!(lock(v).by_input.hits() > 0);
            }
            assert_eq!(lock(&remembered.policy).hits() > 0, !compile);
        }
    }

    /// The compiled scripts give the very findings and assessments Rhai gives, program by program
    /// (nothing remembered, so every script runs on every program), on a generated city and on
    /// the bundled scenarios.
    #[test]
    fn compiled_scripts_review_as_rhai_does() {
        let dir = std::env::temp_dir().join(format!("waku-compiled-{}", std::process::id()));
        let spec = crate::generate::CitySpec { programs: 2000, departments: 8, seed: 29 };
        let path = crate::generate::write_city(&spec, &dir).unwrap();
        let mut scenarios = vec![crate::scenario::load(&path).unwrap()];
        let _ = std::fs::remove_dir_all(&dir);
        for name in ["kitakyushu-r8", "kitakyushu-r8-revenue-down", "kumamoto-r8"] {
            scenarios.push(crate::scenario::load(std::path::Path::new(&format!("scenarios/{name}.toml"))).unwrap());
        }
        for sc in &scenarios {
            let ruleset = Ruleset::for_scenario(sc).unwrap();
            let programs: Vec<&Program> = sc.programs.iter().collect();
            let cx = Context::of(sc);
            let review = |compile| {
                let params = ruleset.params_map(Some(sc.fiscal_year));
                let remembered = Remembered::new(&ruleset, false);
                let r = review_remembering(&programs, &cx, &ruleset, params, false, &remembered, compile).unwrap();
                // The bundled rules run compiled on every program: a construct the evaluator
                // leaves to Rhai (a float in a `${…}` did, in the policy's reasons) costs an
                // interpreted run per program, tripling the review's time.
                assert_eq!(remembered.left_to_rhai.load(Ordering::Relaxed), 0, "{}: left to Rhai", sc.name);
                serde_json::to_string_pretty(&r).unwrap()
            };
            let (rhai, compiled) = (review(false), review(true));
            if let Some((a, b)) = rhai.lines().zip(compiled.lines()).find(|(a, b)| a != b) {
                panic!("{}: Rhai gives {a}, the compiled script {b}", sc.name);
            }
            assert_eq!(rhai, compiled);
            // Every script of the ruleset is compiled, or this test shows nothing.
            let mut scope = Scope::new();
            scope.push_constant_dynamic("params", Dynamic::from_map(ruleset.params_map(Some(sc.fiscal_year))));
            let folded = Folded::new(&ruleset, &scope, true);
            assert!(folded.viewpoints.iter().chain([&folded.policy]).all(|(_, c)| c.is_some()));
        }
    }
}
