//! The one way a scenario runs: load → review → allocate (→ fiscal health), for a year, a year
//! with `[fiscal]`, a multi-year plan, and the autonomous and compare modes.
//!
//! Every command (`check`, `review`, `run`, `explain`, `diff`, `test`, `sweep`), the benchmarks and
//! any program embedding waku (a web server, a notebook) call this module, so they all judge the
//! same allocation. How a reviewed year is allocated is decided in one place, [`allocate_year`]:
//! the allocation model, and for a year with `[fiscal]` the year run as a one-year plan so its
//! statutory ratio limits are constraints ([`crate::fiscal::run_single`]).
//!
//! ```text
//! load / load_str ─► Input (a year or a plan; the scenario's warnings)
//! run(input, options) ─► Outcome: rulesets, reviews, Allocated (or Infeasible), warnings
//!                         Stage::Check    rules compiled and tried on every program
//!                         Stage::Review   six findings and the assessment of every program
//!                         Stage::Allocate Mode::Central (year, [fiscal] year, plan) | Autonomous | Compare
//! ```
//!
//! Infeasible limits are an outcome, not an error ([`Allocated::Infeasible`]): `diff`, `test` and
//! `sweep` report them as data, `run` turns them into exit 1 ([`Outcome::central`]). Bad input,
//! an I/O failure or a bug found in waku itself is an [`Error`]. The library prints nothing:
//! the warnings travel in [`Input::warnings`] and [`Outcome::warnings`].
//!
//! # Example: a scenario and its rules from text
//!
//! ```
//! use waku::pipeline::{self, Options};
//! use waku::rules::RuleFiles;
//!
//! # fn main() -> waku::Result<()> {
//! let scenario = r#"
//! city = "みほん市"
//! name = "令和8年度当初予算"
//! fiscal_year = 2026
//! [revenue]
//! general_revenue = "100億円"
//! [bonds]
//! issuance_cap = "10億円"
//! [policy]
//! investment_cap = "20億円"
//! reserve_min_share = "1%"
//! reserve_max_share = "5%"
//! [[departments]]
//! id = "somu"
//! name = "総務局"
//! [[programs]]
//! id = "S01"
//! name = "庁舎管理"
//! department = "somu"
//! kind = "mandatory"
//! prior_cost = "30億円"
//! requested = "30億円"
//! [[programs]]
//! id = "S02"
//! name = "窓口のデジタル化"
//! department = "somu"
//! kind = "discretionary"
//! prior_cost = "80億円"
//! requested = "80億円"
//! "#;
//! let rules = RuleFiles::in_memory("rules", [
//!     ("ruleset.toml", r#"
//!         [[viewpoints]]
//!         id = "needs"
//!         number = 1
//!         name_ja = "市民のニーズ"
//!         script = "viewpoints/needs.rhai"
//!         [policy]
//!         script = "policies/default.rhai"
//!     "#),
//!     ("viewpoints/needs.rhai", r#"#{ score: 3, action: "継続", reason: "需要は横ばい" }"#),
//!     ("policies/default.rhai", r#"
//!         let max = program.requested;
//!         if program.kind == "discretionary" { max = program.requested * 0.8; }
//!         #{ action: "縮小", priority: 1.0, min: 0, max: max, reason: "要求の8割まで" }
//!     "#),
//! ]);
//! let options = Options { rules: Some(rules), ..Options::default() };
//! let input = pipeline::load_str("what-if.toml", scenario, &options.load)?;
//! let outcome = pipeline::run(input, &options)?;
//! let year = outcome.central()?;
//! let a = &year.allocations[0];
//! // The discretionary program is held to 80% of its request; the rest is the mayor's reserve.
//! assert_eq!(a.programs[1].allocated, waku::Money::parse("64億円").unwrap());
//! assert_eq!(a.envelopes[0].amount + a.reserve, a.available);
//! assert_eq!(outcome.reviews[0].programs[1].assessment.reason, "要求の8割まで");
//! assert_eq!(outcome.warnings().count(), 0);
//! # Ok(())
//! # }
//! ```

use std::path::Path;

use crate::allocate::{self, Allocation, Model};
use crate::autonomy::{self, AutonomousPlan, ComparePlan};
use crate::cycle::{self, StageOutcome};
use crate::diagnostic::{Diagnostic, Source};
use crate::fast::FastPaths;
use crate::fiscal::{self, Plan, PlanOutcome};
use crate::review::{self, Review};
use crate::rules::{RuleFiles, Ruleset};
use crate::scenario::{self, LoadOptions, Scenario};
use crate::{Error, Result};

mod session;
pub use session::{Reads, Session, WhatIf, reads};

/// A loaded scenario file: one fiscal year, or a multi-year plan of several.
#[derive(Debug, Clone)]
pub enum Input {
    Year(Box<Scenario>),
    Plan(Box<Plan>),
}

impl Input {
    /// Every year's scenario, in order (one for a single year).
    pub fn years(&self) -> Vec<&Scenario> {
        match self {
            Input::Year(s) => vec![s],
            Input::Plan(p) => p.years.iter().map(|y| &y.scenario).collect(),
        }
    }

    /// The scenario of a single year; `None` for a plan.
    pub fn scenario(&self) -> Option<&Scenario> {
        match self {
            Input::Year(s) => Some(s),
            Input::Plan(_) => None,
        }
    }

    /// The plan; `None` for a single year.
    pub fn plan(&self) -> Option<&Plan> {
        match self {
            Input::Year(_) => None,
            Input::Plan(p) => Some(p),
        }
    }

    /// The file it was read from (for text, the name it was given).
    pub fn path(&self) -> &Path {
        match self {
            Input::Year(s) => &s.path,
            Input::Plan(p) => &p.path,
        }
    }

    /// The warnings of loading (e.g. an inventory that does not reconcile to the budget), every
    /// year's in order.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.years().into_iter().flat_map(|s| s.warnings.iter())
    }
}

/// Loads the scenario or plan at `path` (a plan is a file with `[plan]`).
pub fn load(path: &Path, options: &LoadOptions) -> Result<Input> {
    if scenario::is_plan(path) {
        Ok(Input::Plan(Box::new(fiscal::load_plan(path, options)?)))
    } else {
        load_year(path, options)
    }
}

/// Loads the single-year scenario at `path`, for commands that compare or explain one year
/// (a plan file is an input error that says so).
pub fn load_year(path: &Path, options: &LoadOptions) -> Result<Input> {
    Ok(Input::Year(Box::new(scenario::load_with(path, options)?)))
}

/// Loads a scenario or plan given as text; `name` is the path the text stands for (see
/// [`scenario::load_str`]).
pub fn load_str(name: &str, text: &str, options: &LoadOptions) -> Result<Input> {
    if scenario::is_plan_text(text) {
        Ok(Input::Plan(Box::new(fiscal::load_plan_str(name, text, options)?)))
    } else {
        Ok(Input::Year(Box::new(scenario::load_str(name, text, options)?)))
    }
}

/// How far a run goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// `waku check`: the rules compiled and tried on every program; the ruleset's own warnings
    /// (unused parameters, a viewpoint of the plan not covered) join the outcome's. A scenario
    /// without a rules folder gets a warning rather than an error.
    Check,
    /// `waku review`: every program's findings and assessment.
    Review,
    /// Review and allocate (the default).
    #[default]
    Allocate,
}

/// How the city's general revenue is allocated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// One city model (a year, a year with `[fiscal]`, a plan).
    #[default]
    Central,
    /// Two levels: envelopes, then each bureau's own policy inside its envelope ([`crate::autonomy`]).
    /// A plan (or a year with `[fiscal]`) runs every year so, under the limits central mode gives it;
    /// no mode ever falls back to another.
    Autonomous,
    /// Central and autonomous side by side, year by year.
    Compare,
}

/// What to run and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--set`, `--rules`, `--allow-outside-paths` (for [`load`] and [`load_str`]).
    pub load: LoadOptions,
    /// The rule files to use instead of each scenario's rules folder (e.g. held in memory).
    pub rules: Option<RuleFiles>,
    pub stage: Stage,
    pub mode: Mode,
    /// Which programs to review (one, by id) and whether in parallel.
    pub review: review::Options,
    /// The solver.
    pub allocate: allocate::Options,
}

impl Options {
    /// These options with `fast` deciding which fast paths the review and the allocation take.
    pub fn with_fast(mut self, fast: FastPaths) -> Options {
        self.review.fast = fast;
        self.allocate.fast = fast;
        self
    }
}

/// The allocation a run produced.
#[derive(Debug, Clone)]
pub enum Allocated {
    /// A year (with its fiscal health; with `[fiscal]`, the ratio limits as constraints) or every
    /// year of a plan.
    Central(Box<PlanOutcome>),
    /// `Mode::Autonomous`: every year in two levels (one for a single year).
    Autonomous(Box<AutonomousPlan>),
    /// `Mode::Compare`: every year centrally and in two levels.
    Compare(Box<ComparePlan>),
    /// The limits cannot all hold: why, in domain words.
    Infeasible(Box<Diagnostic>),
}

/// A scenario taken through the pipeline.
#[derive(Debug)]
pub struct Outcome {
    pub input: Input,
    /// One per year, in order (none when `Stage::Check` found no rules folder).
    pub rulesets: Vec<Ruleset>,
    /// One per year, in order (none when `Stage::Check` found no rules folder).
    pub reviews: Vec<Review>,
    /// `None` when the run stopped before allocating.
    pub allocated: Option<Allocated>,
    /// Warnings the run raised after loading (the ruleset's at `Stage::Check`, clamped bureau
    /// requests in autonomous mode). [`Outcome::warnings`] adds the input's.
    pub run_warnings: Vec<Diagnostic>,
    /// What the rule scripts printed (`print`, `debug`), for the caller to show (the CLI writes it
    /// to standard error).
    pub printed: Vec<String>,
    /// A budget-cycle stage ([`crate::cycle`]): each program's disposition and decision, the
    /// answers to 復活要求. `reviews` then hold the decisions' bounds; the review's own bounds are
    /// here. `None` for a scenario that is no stage, or before allocating.
    pub stage: Option<StageOutcome>,
    /// A single year's allocation model (central mode), for `--emit-lp`.
    model: Option<Model>,
    /// The model's optimum, when it has one: its objective and every variable's value.
    lp_optimum: Option<(f64, Vec<f64>)>,
}

/// One year's outcome, for the commands that compare or check a year (`diff`, `test`, `explain`).
#[derive(Debug, Clone, Copy)]
pub struct YearOutcome<'a> {
    pub scenario: &'a Scenario,
    pub review: &'a Review,
    /// The year's allocation as `waku run` prints it, or why there is none.
    pub allocation: std::result::Result<&'a Allocation, &'a Diagnostic>,
    /// What the stage decided, for a stage of the budget cycle.
    pub stage: Option<&'a StageOutcome>,
}

impl Outcome {
    /// Every warning: the input's, then the run's.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.input.warnings().chain(&self.run_warnings)
    }

    /// The central allocation (a year or a plan); infeasible limits as [`Error::Infeasible`].
    pub fn central(&self) -> Result<&PlanOutcome> {
        match &self.allocated {
            Some(Allocated::Central(o)) => Ok(o),
            Some(Allocated::Infeasible(d)) => Err(Error::Infeasible(d.clone())),
            _ => Err(Error::internal("the central allocation was asked of a run that did not make one")),
        }
    }

    /// A single year's scenario, review and allocation (central or autonomous mode); `None` for a
    /// plan, for compare mode or before allocating.
    pub fn year(&self) -> Option<YearOutcome<'_>> {
        let scenario = self.input.scenario()?;
        let review = self.reviews.first()?;
        let allocation = match self.allocated.as_ref()? {
            Allocated::Central(o) => Ok(o.allocations.first()?),
            Allocated::Autonomous(a) => Ok(&a.years.first()?.allocation),
            Allocated::Infeasible(d) => Err(&**d),
            Allocated::Compare(_) => return None,
        };
        Some(YearOutcome { scenario, review, allocation, stage: self.stage.as_ref() })
    }

    /// The year's allocation model in CPLEX LP format (`--emit-lp`); `None` for a plan.
    pub fn lp(&self) -> Option<String> {
        let model = self.model.as_ref()?;
        let sc = self.input.scenario()?;
        let title = format!("{} {} FY{}", sc.city, sc.name, sc.fiscal_year);
        Some(model.to_lp(&title, self.lp_optimum.as_ref().map(|(obj, values)| (*obj, values.as_slice()))))
    }
}

/// Loads the scenario or plan at `path` and runs it.
pub fn run_path(path: &Path, options: &Options) -> Result<Outcome> {
    run(load(path, &options.load)?, options)
}

/// Runs a loaded scenario or plan as far as `options.stage`. A stage of the budget cycle that
/// keeps the amounts of the stage before (from the 市長査定 on, or answering 復活要求) runs that stage
/// first ([`run_stages`] runs a whole chain once).
pub fn run(input: Input, options: &Options) -> Result<Outcome> {
    run_after(input, options, None)
}

/// Runs every stage of the budget cycle `path` belongs to, from the first stage file of its
/// `extends` chain to `path` itself, each once: one outcome per stage, in order (the last is
/// `path`'s). A scenario that is no stage gives its own outcome alone.
pub fn run_stages(path: &Path, options: &Options) -> Result<Vec<Outcome>> {
    let input = load_year(path, &options.load)?;
    let files: Vec<std::path::PathBuf> = match input.scenario().and_then(|s| s.cycle.as_ref()) {
        Some(c) => c.stages[..c.stages.len() - 1].iter().filter_map(|s| s.path.clone()).collect(),
        None => Vec::new(),
    };
    let mut outcomes: Vec<Outcome> = Vec::new();
    for f in files {
        let stage = load_year(&f, &options.load)?;
        let o = run_after(stage, options, outcomes.last())?;
        outcomes.push(o);
    }
    let o = run_after(input, options, outcomes.last())?;
    outcomes.push(o);
    Ok(outcomes)
}

/// [`run`], with the outcome of the stage before when the caller has it.
fn run_after(input: Input, options: &Options, previous: Option<&Outcome>) -> Result<Outcome> {
    let mut outcome = Outcome {
        input,
        rulesets: Vec::new(),
        reviews: Vec::new(),
        allocated: None,
        run_warnings: Vec::new(),
        printed: Vec::new(),
        stage: None,
        model: None,
        lp_optimum: None,
    };
    if let Some(year) = outcome.input.years().iter().find(|y| y.cycle.is_some()) {
        if outcome.input.plan().is_some() {
            return Err(Error::input(
                Diagnostic::error(format!(
                    "`{}` is a stage of the budget cycle; a plan's year is a plain scenario",
                    Source::display_path(&year.path)
                ))
                .hint("run the stage on its own: `waku run <stage file>`"),
            ));
        }
        if options.mode != Mode::Central && options.stage == Stage::Allocate {
            return Err(Error::input(
                Diagnostic::error("a stage of the budget cycle is allocated centrally: its decisions fix programs the bureaus' policies would move")
                    .hint("run the stage without `--mode`; `--mode autonomous` runs the base scenario"),
            ));
        }
    }
    for sc in outcome.input.years() {
        if options.stage == Stage::Check {
            let files = rule_files(sc, options);
            let manifest = files.root().join("ruleset.toml");
            if !files.is_file(&manifest) {
                outcome.run_warnings.push(
                    Diagnostic::warning(format!(
                        "no ruleset found at `{}`: the review rules were not checked",
                        Source::display_path(&manifest)
                    ))
                    .hint("name the rules folder with `rules = \"…\"` in the scenario or `--rules DIR`"),
                );
                continue;
            }
        }
        let ruleset = ruleset_for(sc, options)?;
        let review = review::review_with(sc, &ruleset, &options.review)?;
        outcome.printed.extend(ruleset.printed.take());
        if options.stage == Stage::Check {
            outcome.run_warnings.extend(ruleset.warnings.iter().cloned());
            // Every bureau's own policy compiles and passes the static checks, as
            // `--mode autonomous` would need it to.
            autonomy::policy::compile_all(sc, &ruleset)?;
        }
        outcome.rulesets.push(ruleset);
        outcome.reviews.push(review);
    }
    if options.stage < Stage::Allocate {
        return Ok(outcome);
    }
    if options.review.program.is_some() {
        return Err(Error::input(
            Diagnostic::error("a review of one program cannot be allocated")
                .hint("leave `review.program` unset to allocate, or stop at `Stage::Review`"),
        ));
    }
    let allocated = match (&outcome.input, options.mode) {
        (Input::Plan(plan), Mode::Central) => {
            infeasible_as_data(fiscal::run_plan_reviewed(plan, &outcome.reviews, &options.allocate).map(Box::new))?
                .map_or_else(Allocated::Infeasible, Allocated::Central)
        }
        (Input::Year(sc), Mode::Central) if sc.cycle.is_some() => {
            let own;
            let before = match previous {
                Some(p) => Some(p),
                None if cycle::needs_previous(sc) => {
                    own = previous_stage(sc, options)?;
                    own.as_ref()
                }
                None => None,
            };
            let before = match before {
                Some(o) if cycle::needs_previous(sc) => Some(stage_allocation(o)?),
                _ => None,
            };
            let held = match before {
                Some(prev) if sc.cycle.as_ref().is_some_and(|c| c.stage().kind.settled()) => {
                    Some(cycle::settled_scenario(sc, prev))
                }
                _ => None,
            };
            let allocated_as = held.as_ref().unwrap_or(sc);
            let alloc = |r: &Review| allocate_year(allocated_as, r, &options.allocate);
            let run = cycle::run(sc, &outcome.reviews[0], before, &alloc)?;
            outcome.model = Model::build(sc, &run.review).ok();
            outcome.reviews[0] = run.review;
            outcome.stage = Some(run.stage);
            match run.result {
                Ok(o) => Allocated::Central(Box::new(o)),
                Err(d) => Allocated::Infeasible(d),
            }
        }
        (Input::Year(sc), Mode::Central) => {
            let review = &outcome.reviews[0];
            let model = Model::build(sc, review)?;
            let (optimum, result) = year_with_model(&model, sc, review, &options.allocate);
            outcome.model = Some(model);
            outcome.lp_optimum = optimum;
            infeasible_as_data(result.map(Box::new))?.map_or_else(Allocated::Infeasible, Allocated::Central)
        }
        (input, mode @ (Mode::Autonomous | Mode::Compare)) => {
            // A single year is a one-year plan: with `[fiscal]` its ratio limits hold as in central mode.
            let single;
            let plan = match input {
                Input::Plan(p) => &**p,
                Input::Year(sc) => {
                    single = Plan::single((**sc).clone());
                    &single
                }
            };
            let aut = autonomy::Options { allocate: options.allocate };
            let (rulesets, reviews) = (&outcome.rulesets, &outcome.reviews);
            // The bureaus' warnings (clamped requests), each naming its year in a plan.
            let warnings = |years: &[autonomy::Autonomous]| -> Vec<Diagnostic> {
                years
                    .iter()
                    .flat_map(|y| {
                        y.diagnostics.iter().map(|w| match plan.multi_year {
                            true => w.clone().note(format!("in FY{}", y.allocation.fiscal_year)),
                            false => w.clone(),
                        })
                    })
                    .collect()
            };
            let result = if mode == Mode::Autonomous {
                autonomy::run_plan(plan, reviews, rulesets, &aut)
                    .map(|a| (warnings(&a.years), Allocated::Autonomous(Box::new(a))))
            } else {
                autonomy::compare_plan(plan, reviews, rulesets, &aut)
                    .map(|c| (warnings(&c.autonomous.years), Allocated::Compare(Box::new(c))))
            };
            match infeasible_as_data(result)? {
                Ok((w, allocated)) => {
                    outcome.run_warnings.extend(w);
                    allocated
                }
                Err(d) => Allocated::Infeasible(d),
            }
        }
    };
    outcome.allocated = Some(allocated);
    // Bureau policies print too (autonomous and compare modes).
    for r in &outcome.rulesets {
        outcome.printed.extend(r.printed.take());
    }
    Ok(outcome)
}

/// Allocates one reviewed year as `waku run` does: the allocation model; with `[fiscal]`, the
/// year as a one-year plan, so the statutory ratio limits are constraints (where one binds, bond
/// issuance is cut to hold it). `diff`, `test` and `sweep` allocate through here, so they judge
/// the allocation `run` prints. Infeasible limits are [`Error::Infeasible`].
///
/// With `[fiscal]` the answer is the one-year plan's, and the plain model (the year's own limits)
/// only says which error to give. The plan is solved first; only when its joint model has no
/// optimum is the plain model solved, and its reason given when the year's own limits already
/// cannot hold (else the joint model is diagnosed). A feasible year costs the plan's solves alone.
pub fn allocate_year(scenario: &Scenario, review: &Review, options: &allocate::Options) -> Result<PlanOutcome> {
    matches(scenario, review)?;
    let model = Model::build(scenario, review)?;
    if scenario.fiscal.is_some() {
        // The year's own optimum first: when its limits cannot hold, that is the reason; when
        // the ratio limits and the fund floor hold at it with room, the joint model needs no solve.
        return fiscal::run_single_or(scenario.clone(), review, options, fiscal::OwnYear::Model(&model));
    }
    year_with_model(&model, scenario, review, options).1
}

/// [`allocate_year`] on a built model; also the plain model's optimum (objective and values).
fn year_with_model(
    model: &Model,
    sc: &Scenario,
    review: &Review,
    options: &allocate::Options,
) -> (Option<(f64, Vec<f64>)>, Result<PlanOutcome>) {
    let plain = match allocate::solve_model(model, sc, review, options) {
        Ok(a) => a,
        Err(e) => return (None, Err(e)),
    };
    let objective = Some((plain.lp_objective, plain.lp_values.clone()));
    if sc.fiscal.is_some() {
        // The plain optimum says the year's own limits can hold; the ratio limits may cut deeper.
        (objective, fiscal::run_single_or(sc.clone(), review, options, fiscal::OwnYear::Allocated(Box::new(plain))))
    } else {
        (objective, Ok(fiscal::single_outcome(sc, plain)))
    }
}

/// `waku run --format json` of one year: the allocation's fields, then `fiscal_health`, then a
/// stage's report (`S`) for a stage of the budget cycle.
#[derive(Debug, serde::Serialize)]
pub struct YearJson<'a, S: serde::Serialize = ()> {
    #[serde(flatten)]
    pub allocation: &'a Allocation,
    pub fiscal_health: &'a fiscal::FiscalHealth,
    /// A stage of the budget cycle: dispositions, decisions, 復活要求 (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<&'a S>,
}

impl<S: serde::Serialize> YearJson<'_, S> {
    /// The text `waku run --format json` prints (pretty, with a final newline).
    pub fn text(&self) -> Result<String> {
        let mut json = serde_json::to_string_pretty(self)
            .map_err(|e| Error::internal(format!("the result could not be written as JSON: {e}")))?;
        json.push('\n');
        Ok(json)
    }
}

/// `waku run --format json` of a single year's outcome that is no stage.
pub fn year_json(outcome: &PlanOutcome) -> Result<String> {
    let allocation =
        outcome.allocations.first().ok_or_else(|| Error::internal("a year's outcome holds no allocation"))?;
    YearJson::<()> { allocation, fiscal_health: &outcome.fiscal_health, stage: None }.text()
}

/// A review belongs to its scenario: one assessment per program, in the scenario's order. A
/// mismatch is a bug in the caller (waku's own, or a program embedding it): an internal error.
fn matches(scenario: &Scenario, review: &Review) -> Result<()> {
    let same = review.programs.len() == scenario.programs.len()
        && review.programs.iter().zip(&scenario.programs).all(|(r, p)| r.id == p.id);
    if same {
        return Ok(());
    }
    let first = review.programs.iter().zip(&scenario.programs).position(|(r, p)| r.id != p.id);
    Err(Error::internal(format!(
        "the review of `{}` does not match its scenario: {} assessments for {} programs{}",
        Source::display_path(&scenario.path),
        review.programs.len(),
        scenario.programs.len(),
        first.map_or_else(String::new, |i| format!(
            "; program {} is `{}` in the scenario but `{}` in the review",
            i + 1,
            scenario.programs[i].id,
            review.programs[i].id
        ))
    )))
}

/// Runs the stage before `sc`'s (the stage file its chain names before its own).
fn previous_stage(sc: &Scenario, options: &Options) -> Result<Option<Outcome>> {
    let Some(path) = sc.cycle.as_ref().and_then(|c| c.previous()).and_then(|s| s.path.clone()) else {
        return Ok(None);
    };
    run(load_year(&path, &options.load)?, options).map(Some)
}

/// The allocation of the stage before; its infeasibility ends the stage after it.
fn stage_allocation(o: &Outcome) -> Result<&Allocation> {
    let year = o.year().ok_or_else(|| Error::internal("the stage before ran no single year"))?;
    year.allocation.map_err(|d| {
        let path = Source::display_path(&year.scenario.path);
        Error::Infeasible(Box::new(
            d.clone().note(format!("in the stage before, `{path}`: the stages after it keep its amounts")),
        ))
    })
}

/// The ruleset a scenario runs with: `options.rules` when given, else its own rules folder.
pub fn ruleset_for(scenario: &Scenario, options: &Options) -> Result<Ruleset> {
    Ruleset::for_scenario_from(&rule_files(scenario, options), scenario)
}

fn rule_files(scenario: &Scenario, options: &Options) -> RuleFiles {
    options.rules.clone().unwrap_or_else(|| RuleFiles::Dir(scenario.rules_dir.clone()))
}

/// `Ok(Err(diagnosis))` for infeasible limits; other errors stay errors.
fn infeasible_as_data<T>(r: Result<T>) -> Result<std::result::Result<T, Box<Diagnostic>>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Infeasible(d)) => Ok(Err(d)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
city = "みほん市"
fiscal_year = 2026
[revenue]
general_revenue = "100億円"
[bonds]
issuance_cap = "10億円"
[policy]
investment_cap = "20億円"
[[departments]]
id = "somu"
name = "総務局"
[[programs]]
id = "S01"
name = "庁舎管理"
department = "somu"
kind = "discretionary"
prior_cost = "30億円"
requested = "30億円"
"#;

    fn rules(policy: &str) -> RuleFiles {
        RuleFiles::in_memory(
            "rules",
            [
                (
                    "ruleset.toml",
                    "[[viewpoints]]\nid = \"needs\"\nname_ja = \"ニーズ\"\nscript = \"v.rhai\"\n[policy]\nscript = \"p.rhai\"\n",
                ),
                ("v.rhai", "#{ score: 3, action: \"継続\", reason: \"横ばい\" }"),
                ("p.rhai", policy),
            ],
        )
    }

    #[test]
    fn what_scripts_print_travels_in_the_outcome() {
        let policy = "print(`見直し ${program.id}`); #{ action: \"継続\", priority: 1.0, reason: \"継続\" }";
        let options = Options { rules: Some(rules(policy)), stage: Stage::Review, ..Options::default() };
        let outcome = run(load_str("t.toml", SCENARIO, &options.load).unwrap(), &options).unwrap();
        assert_eq!(outcome.printed, ["rules/p.rhai [S01]: 見直し S01"], "each line names its script and program");
        assert!(outcome.allocated.is_none(), "stopped after the review");
        assert_eq!(outcome.reviews[0].programs[0].assessment.reason, "継続");
    }

    #[test]
    fn infeasible_limits_are_an_outcome_not_an_error() {
        let policy = "#{ action: \"継続\", priority: 1.0, min: program.requested, reason: \"満額\" }";
        let options = Options { rules: Some(rules(policy)), ..Options::default() };
        let text = SCENARIO.replace("\"100億円\"", "\"20億円\"");
        let outcome = run(load_str("t.toml", &text, &options.load).unwrap(), &options).unwrap();
        let Some(Allocated::Infeasible(d)) = &outcome.allocated else { panic!("{:?}", outcome.allocated) };
        assert!(d.message.contains("cannot all hold"), "{}", d.message);
        assert_eq!(outcome.central().unwrap_err().exit_code(), 1);
        assert!(outcome.year().unwrap().allocation.is_err());
    }
}
