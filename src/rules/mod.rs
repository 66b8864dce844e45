//! Rule files: the ruleset manifest, its parameters, and the sandboxed Rhai engine that runs the scripts.
//!
//! A rules folder holds `ruleset.toml` (viewpoints in order, the policy, parameters),
//! `viewpoints/*.rhai` and `policies/*.rhai`. [`Ruleset::load`] reads the manifest, applies
//! parameter overrides, compiles every script once and checks what the scripts read against
//! what the manifest declares. [`crate::review`] then evaluates the compiled scripts per program.
//! `rules/README.md` documents the folder for policy designers.

pub(crate) mod allocation;
pub(crate) mod compiled;
pub mod doc;
pub mod engine;
mod errors;
mod fields;
mod files;
mod lint;
pub mod manifest;
pub mod params;
pub mod scan;
pub mod tables;
mod units;
pub(crate) mod value;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::{AST, Dynamic, Engine, OptimizationLevel, Scope};
use rust_decimal::Decimal;

pub use engine::{PROGRAM_FIELDS, Printed, ProgramView, Sources};
pub use fields::{FieldDoc, FieldType, program_field_doc};
pub use files::{MemoryFolder, RuleFiles};
pub(crate) use lint::returned_key;
pub use params::{ParamUnit, ParamValue, Parameter, Parameters, Scalar};

use crate::diagnostic::{Diagnostic, Location, Source};
use crate::scenario::{Located, Scenario};
use crate::{Error, Result};

/// A compiled rule script.
#[derive(Debug, Clone)]
pub struct Script {
    pub path: PathBuf,
    pub source: Arc<Source>,
    pub(crate) ast: AST,
    /// False when the script assigns to a parameter: then it runs as written (see [`Script::with_params`]).
    pub(crate) foldable: bool,
    /// What the script's map literals hold and what it reads of other values (for cross-script checks).
    pub(crate) shape: lint::Shape,
}

impl Script {
    /// This script with `params` folded in: every `params.NAME` becomes its value, and what then
    /// becomes constant is computed once (a `params` map is one fiscal year's, so fold per year).
    ///
    /// Positions, the source name and embedded imports are kept, so errors read as before.
    pub(crate) fn with_params(&self, engine: &Engine, params: &Scope<'_>) -> AST {
        if !self.foldable {
            // Rhai would fold the target of `params.x = …` too, and then fail on it; unfolded it
            // fails as it always has (`params` is read-only).
            return self.ast.clone();
        }
        // Carries the source name and the embedded module resolver, which re-optimising drops.
        let carrier = self.ast.clone_functions_only_filtered(|_, _, _, _, _| false);
        let mut ast = engine.optimize_ast(params, self.ast.clone(), OptimizationLevel::Full).merge(&carrier);
        ast.set_source(self.source.name.as_str());
        ast
    }
}

/// One review viewpoint (視点) and its script.
#[derive(Debug, Clone)]
pub struct Viewpoint {
    /// Short id used in output and tests, e.g. `needs`.
    pub id: String,
    /// 視点 number in the reform plan (1–6), if it maps to one.
    pub number: Option<i64>,
    pub name_ja: String,
    pub name_en: String,
    pub script: Script,
    /// `id` as scripts see it (shared, not re-allocated per program).
    pub(crate) label: rhai::ImmutableString,
}

/// A loaded, compiled and checked ruleset.
pub struct Ruleset {
    /// The rules folder (for rules held in memory, the name that stands for it).
    pub dir: PathBuf,
    /// Where its files are read from.
    pub files: RuleFiles,
    pub name: String,
    pub description: String,
    /// The scale findings' scores must lie on (inclusive).
    pub score_range: (Decimal, Decimal),
    /// In manifest order, which is the order of findings.
    pub viewpoints: Vec<Viewpoint>,
    pub policy: Script,
    /// Declared parameters with any overrides applied.
    pub parameters: Parameters,
    /// Non-fatal findings of the check (unused parameters, a viewpoint of the plan not covered).
    pub warnings: Vec<Diagnostic>,
    pub(crate) engine: Engine,
    pub(crate) sources: Sources,
    /// What the scripts printed (`print`, `debug`).
    pub printed: Printed,
    /// The bureau ids of the scenario the ruleset was loaded for, if any (for the static checks).
    departments: Option<Vec<String>>,
}

impl std::fmt::Debug for Ruleset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ruleset")
            .field("dir", &self.dir)
            .field("viewpoints", &self.viewpoints.iter().map(|v| &v.id).collect::<Vec<_>>())
            .field("policy", &self.policy.path)
            .finish_non_exhaustive()
    }
}

/// What a script sees: every script `program` and `params`, the policy also `findings`.
const VIEWPOINT_VARIABLES: [&str; 2] = ["program", "params"];
const POLICY_VARIABLES: [&str; 3] = ["program", "params", "findings"];
/// What a bureau's own policy script sees (see [`crate::autonomy`]).
const BUREAU_VARIABLES: [&str; 4] = ["program", "params", "assessment", "bureau"];

impl Ruleset {
    /// Loads the rules folder `dir`, applies `overrides` (a scenario's `[parameters]`), compiles and checks every script.
    pub fn load(dir: &Path, overrides: &BTreeMap<String, Located<toml::Value>>) -> Result<Ruleset> {
        Ruleset::load_files(&RuleFiles::dir(dir), overrides)
    }

    /// [`Ruleset::load`] from files on disk or held in memory ([`RuleFiles::in_memory`]).
    pub fn load_files(files: &RuleFiles, overrides: &BTreeMap<String, Located<toml::Value>>) -> Result<Ruleset> {
        Ruleset::load_checking(files, overrides, None)
    }

    /// [`Ruleset::load_files`], with the bureau ids scripts may compare `program.department` with.
    fn load_checking(
        files: &RuleFiles,
        overrides: &BTreeMap<String, Located<toml::Value>>,
        departments: Option<Vec<String>>,
    ) -> Result<Ruleset> {
        let manifest = manifest::read_files(files).map_err(Error::Input)?;
        let mut errors = Vec::new();
        let mut parameters = manifest.parameters.clone();
        if let Err(mut es) = parameters.apply_overrides(overrides) {
            errors.append(&mut es);
        }
        let sources = Sources::default();
        let printed = Printed::default();
        let engine = engine::engine(files, &sources, &printed);
        let param_names: Vec<&str> = manifest.parameters.list.keys().map(String::as_str).collect();
        let known = lint::Known {
            parameters: &parameters,
            viewpoints: manifest.viewpoints.iter().map(|v| v.id.clone()).collect(),
            departments: departments.clone(),
        };
        let compile = |path: &Path, variables: &[&str]| {
            compile(&engine, &sources, files, path, variables, &param_names, lint::Role::Rule, &known)
        };

        let mut viewpoints = Vec::new();
        for v in &manifest.viewpoints {
            match compile(&v.script, &VIEWPOINT_VARIABLES) {
                Ok(script) => viewpoints.push(Viewpoint {
                    id: v.id.clone(),
                    number: v.number,
                    name_ja: v.name_ja.clone(),
                    name_en: v.name_en.clone(),
                    script,
                    label: v.id.as_str().into(),
                }),
                Err(mut ds) => errors.append(&mut ds),
            }
        }
        let policy = match compile(&manifest.policy, &POLICY_VARIABLES) {
            Ok(s) => Some(s),
            Err(mut ds) => {
                errors.append(&mut ds);
                None
            }
        };
        if !errors.is_empty() {
            return Err(Error::Input(errors));
        }
        let Some(policy) = policy else {
            return Err(Error::input(
                Diagnostic::error("the policy script did not compile").at(manifest.policy_location),
            ));
        };

        let mut warnings = manifest.warnings.clone();
        // A bound a viewpoint recommends that the policy never reads is shown but changes nothing.
        for key in ["min_ratio", "max_ratio"] {
            let read = policy.shape.reads.contains(key)
                || (key == "max_ratio" && policy.shape.calls.contains("tightest_max_ratio"));
            if read {
                continue;
            }
            for v in &viewpoints {
                if let Some(at) = v.script.shape.returns.iter().find(|(k, _)| k == key).map(|(_, at)| at.clone()) {
                    warnings.push(
                        Diagnostic::warning(format!("viewpoint `{}` returns `{key}`, but the policy never reads it", v.id))
                            .at(at)
                            .note(format!("the bound is shown in the review, yet no allocation is held by it; the policy `{}` decides the bounds", policy.source.name))
                            .hint(format!("read it in the policy (e.g. `findings.finding(\"{}\").{key}`), or drop it here", v.id)),
                    );
                }
            }
        }
        check_references(&sources, &parameters, &mut errors, &mut warnings);
        if let Some(ids) = &departments {
            check_bureaus(&parameters, ids, &mut errors);
        }
        if !errors.is_empty() {
            return Err(Error::Input(errors));
        }
        Ok(Ruleset {
            dir: files.root().to_path_buf(),
            files: files.clone(),
            name: manifest.name,
            description: manifest.description,
            score_range: manifest.score_range,
            viewpoints,
            policy,
            parameters,
            warnings,
            engine,
            sources,
            printed,
            departments,
        })
    }

    /// The ruleset a scenario names, with its parameter overrides (its scripts checked against the
    /// scenario's bureau ids too).
    pub fn for_scenario(scenario: &Scenario) -> Result<Ruleset> {
        Ruleset::for_scenario_from(&RuleFiles::dir(&scenario.rules_dir), scenario)
    }

    /// The ruleset in `files` (e.g. held in memory), with `scenario`'s parameter overrides (its
    /// scripts checked against the scenario's bureau ids too).
    pub fn for_scenario_from(files: &RuleFiles, scenario: &Scenario) -> Result<Ruleset> {
        let departments = scenario.departments.iter().map(|d| d.id.clone()).collect();
        Ruleset::load_checking(files, &scenario.parameters, Some(departments))
    }

    /// The `params` map scripts see in `fiscal_year` (scheduled changes applied; overrides win).
    pub fn params_map(&self, fiscal_year: Option<i32>) -> rhai::Map {
        self.parameters.to_map(fiscal_year)
    }

    pub fn viewpoint(&self, id: &str) -> Option<&Viewpoint> {
        self.viewpoints.iter().find(|v| v.id == id)
    }

    /// Compiles a bureau's own policy script in this ruleset's sandboxed engine, once
    /// (`program`, `params`, `assessment` and `bureau` are its variables; see [`crate::autonomy`]).
    pub(crate) fn compile_bureau_policy(&self, path: &Path) -> Result<Script, Vec<Diagnostic>> {
        let known = lint::Known {
            parameters: &self.parameters,
            viewpoints: self.viewpoints.iter().map(|v| v.id.clone()).collect(),
            departments: self.departments.clone(),
        };
        compile(
            &self.engine,
            &self.sources,
            &self.files,
            path,
            &BUREAU_VARIABLES,
            &self.param_names(),
            lint::Role::Bureau,
            &known,
        )
    }

    /// The declared parameter names, for "did you mean".
    pub(crate) fn param_names(&self) -> Vec<&str> {
        self.parameters.list.keys().map(String::as_str).collect()
    }
}

/// A script's run-time error on a program, located in the script (or the module it happened in).
pub(crate) fn runtime_error(ruleset: &Ruleset, e: &rhai::EvalAltResult, script: &Script) -> Diagnostic {
    errors::runtime_error(e, &script.source, &ruleset.sources, &ruleset.param_names())
}

#[allow(clippy::too_many_arguments)] // the engine's parts, the script, and what its checks know
fn compile(
    engine: &Engine,
    sources: &Sources,
    files: &RuleFiles,
    path: &Path,
    variables: &[&str],
    params: &[&str],
    role: lint::Role,
    known: &lint::Known<'_>,
) -> Result<Script, Vec<Diagnostic>> {
    let text = files
        .read(path)
        .map_err(|e| vec![Diagnostic::error(format!("cannot read script `{}`: {e}", Source::display_path(path)))])?;
    let source = Source::new(Source::display_path(path), Some(path.to_path_buf()), text);
    sources.insert(Arc::clone(&source));
    // Declared (not constant) so strict-variables mode knows them, without letting the optimiser fold them.
    let mut scope = Scope::new();
    for v in variables {
        scope.push_dynamic(*v, Dynamic::UNIT);
    }
    // Parsed as written (the engine does not optimise), so the static checks see every statement,
    // then optimised as Rhai would by default.
    let ast = engine
        .compile_into_self_contained(&scope, &*source.text)
        .map_err(|e| vec![errors::compile_error(&e, &source, sources, params)])?;
    let problems = lint::check(&ast, &source, role, known);
    if !problems.is_empty() {
        return Err(problems);
    }
    let shape = lint::shape(&ast, &source);
    // Re-optimising drops the embedded module resolver; the carrier brings it back.
    let carrier = ast.clone_functions_only_filtered(|_, _, _, _, _| false);
    let mut ast = engine.optimize_ast(&scope, ast, OptimizationLevel::Simple).merge(&carrier);
    ast.set_source(source.name.as_str());
    let foldable = !scan::assigns_to_field(&source.text, "params");
    Ok(Script { path: path.to_path_buf(), source, ast, foldable, shape })
}

/// Every `params.X` must be declared; every declared parameter should be read; every `program.X` must exist.
fn check_references(
    sources: &Sources,
    parameters: &Parameters,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let declared: Vec<&str> = parameters.list.keys().map(String::as_str).collect();
    let fields: Vec<&str> = fields::program_field_names().collect();
    let mut used = BTreeSet::new();
    for source in sources.all() {
        for r in scan::references(&source.text, &["params", "program"]) {
            let at = Location::new(&source, r.span.clone());
            match r.object {
                "params" => {
                    used.insert(r.name.clone());
                    if !parameters.list.contains_key(&r.name) {
                        let d = Diagnostic::error(format!("parameter `{}` is not declared", r.name)).at(at);
                        errors.push(match crate::diagnostic::suggestion(&r.name, declared.iter().copied()) {
                            Some(s) => d.hint(format!("did you mean `{s}`?")),
                            None => d.hint(format!(
                                "declare it in `ruleset.toml`: `[parameters.{}]` with `value`, `unit`, `description`",
                                r.name
                            )),
                        });
                    }
                }
                _ => {
                    if !fields.contains(&r.name.as_str()) {
                        let d = Diagnostic::error(format!("program has no field `{}`", r.name)).at(at);
                        errors.push(match crate::diagnostic::suggestion(&r.name, fields.iter().copied()) {
                            Some(s) => d.hint(format!("did you mean `{s}`?")),
                            None => d.hint("the fields are listed in rules/README.md"),
                        });
                    }
                }
            }
        }
    }
    for p in parameters.list.values() {
        if !used.contains(&p.name) {
            warnings.push(
                Diagnostic::warning(format!("parameter `{}` is declared but no script reads it", p.name))
                    .at_opt(p.location.clone())
                    .hint(format!("read it as `params.{}`, or remove it", p.name)),
            );
        }
    }
}

/// Every bureau a per-bureau value names must be one of the scenario's.
fn check_bureaus(parameters: &Parameters, ids: &[String], errors: &mut Vec<Diagnostic>) {
    for p in parameters.list.values() {
        for o in &p.for_programs {
            let Some(d) = &o.department else { continue };
            if !ids.contains(d) {
                let e = Diagnostic::error(format!(
                    "`{}` has a value for bureau `{d}`, which the scenario does not have",
                    p.name
                ))
                .at_opt(o.department_location.clone())
                .note("the value would hold for no program");
                errors.push(match crate::diagnostic::suggestion(d, ids.iter().map(String::as_str)) {
                    Some(s) => e.hint(format!("did you mean `{s}`?")),
                    None => e.hint(format!(
                        "the scenario's bureaus are {}",
                        ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                    )),
                });
            }
        }
    }
}
