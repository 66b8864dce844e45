//! Review (事務事業の点検): the six viewpoint rules and the assessment policy applied to every program.
//!
//! The types here are the contract between review and allocation: a [`Review`] holds, for each
//! program in scenario order, the six [`Finding`]s and the policy's [`Assessment`].
//! [`review`] produces it from a scenario and a compiled [`crate::rules::Ruleset`].

pub mod cases;
mod eval;
mod memo;
mod render;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::fast::FastPaths;
use crate::money::Unit;
use crate::rules::Ruleset;
use crate::scenario::{Program, Scenario};
use crate::{Error, Result};

pub use crate::assessment::{Action, Assessment, Finding};
pub use eval::{Context, program_view, ratio_base};
pub use render::{to_json, to_json_string};

impl Assessment {
    /// The assessment as a bureau's own policy script sees it: `#{ action, priority, min, max, reason }`
    /// (money in yen, the priority a number).
    pub fn to_script_map(&self) -> rhai::Map {
        use rust_decimal::prelude::ToPrimitive;
        let mut am = rhai::Map::new();
        am.insert("action".into(), rhai::Dynamic::from(self.action.label().to_string()));
        am.insert("priority".into(), rhai::Dynamic::from_float(self.priority.to_f64().unwrap_or(0.0) as rhai::FLOAT));
        am.insert("min".into(), rhai::Dynamic::from_decimal(self.min.as_decimal()));
        am.insert("max".into(), rhai::Dynamic::from_decimal(self.max.as_decimal()));
        am.insert("reason".into(), rhai::Dynamic::from(self.reason.clone()));
        am
    }
}

/// One program's review.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramReview {
    pub id: String,
    pub department: String,
    /// The six findings, in manifest order. Shared: programs given the same finding hold one copy
    /// (a city of 100,000 programs has a few thousand distinct findings).
    pub findings: Vec<std::sync::Arc<Finding>>,
    pub assessment: Assessment,
    /// What the scripts printed (`print`, `debug`) while reviewing this program, capped.
    #[serde(skip)]
    pub printed: Vec<ScriptOutput>,
}

/// The output of one script on one program (see [`crate::rules::engine::Printed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptOutput {
    /// The script, as errors name it.
    pub script: String,
    pub printed: crate::rules::engine::Captured,
}

pub use crate::rules::engine::MAX_SHOWN_OUTPUT;

/// The review of every program, in the scenario's program order.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The scenario's rounding unit: every bound not written by the user is a multiple of it.
    pub rounding_unit: Unit,
    pub programs: Vec<ProgramReview>,
}

/// How to run a review.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Review only this program (an unknown id is an input error with "did you mean").
    pub program: Option<String>,
    /// Evaluate programs one after another on the current thread (benchmarks, debugging).
    pub sequential: bool,
    /// Compiled scripts and the reuse of script results can be turned off (see [`FastPaths`]).
    pub fast: FastPaths,
}

/// Reviews every program of `scenario` with `ruleset`: six findings and an assessment each.
pub fn review(scenario: &Scenario, ruleset: &Ruleset) -> Result<Review> {
    review_with(scenario, ruleset, &Options::default())
}

/// [`review`] with options.
pub fn review_with(scenario: &Scenario, ruleset: &Ruleset, options: &Options) -> Result<Review> {
    let programs: Vec<&Program> = match &options.program {
        Some(id) => match scenario.program(id) {
            Some(p) => vec![p],
            None => {
                return Err(Error::input(
                    Diagnostic::error(format!("no program `{id}` in the scenario"))
                        .suggest(id, scenario.programs.iter().map(|p| p.id.as_str())),
                ));
            }
        },
        None => scenario.programs.iter().collect(),
    };
    let cx = Context::of(scenario);
    let programs =
        review_grouped(&programs, &cx, ruleset, Some(scenario.fiscal_year), !options.sequential, options.fast)
            .map_err(Error::input)?;
    let review = Review { rounding_unit: scenario.rounding_unit, programs };
    review.send_printed(&ruleset.printed);
    Ok(review)
}

/// Reviews programs outside a scenario (rule tests, benchmarks). `fiscal_year` picks scheduled parameter values.
pub fn review_programs(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    fiscal_year: Option<i32>,
    parallel: bool,
) -> Result<Vec<ProgramReview>> {
    review_grouped(programs, cx, ruleset, fiscal_year, parallel, FastPaths::ALL_ON).map_err(Error::input)
}

/// Reviews `programs` in `fiscal_year`. Where a parameter has a value for one bureau's or one
/// kind's programs (`overrides` in `ruleset.toml`), the programs that see the same `params` are
/// reviewed together, each group with its own (so results are reused only within a group), and
/// the reviews come back in the programs' order. The first group (by its first program) that
/// fails gives the error.
fn review_grouped(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    fiscal_year: Option<i32>,
    parallel: bool,
    fast: FastPaths,
) -> Result<Vec<ProgramReview>, Diagnostic> {
    let parameters = &ruleset.parameters;
    if !parameters.varies_by_program() {
        return eval::review_programs(programs, cx, ruleset, ruleset.params_map(fiscal_year), parallel, fast);
    }
    let mut groups: std::collections::BTreeMap<Vec<Option<usize>>, Vec<usize>> = Default::default();
    for (i, p) in programs.iter().enumerate() {
        groups.entry(parameters.program_key(&p.department, p.kind)).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    groups.sort_by_key(|g| g[0]);
    let mut reviews: Vec<Option<ProgramReview>> = programs.iter().map(|_| None).collect();
    for group in groups {
        let first = programs[group[0]];
        let params = parameters.to_map_for(fiscal_year, &first.department, first.kind);
        let these: Vec<&Program> = group.iter().map(|&i| programs[i]).collect();
        for (i, r) in group.into_iter().zip(eval::review_programs(&these, cx, ruleset, params, parallel, fast)?) {
            reviews[i] = Some(r);
        }
    }
    Ok(reviews.into_iter().flatten().collect())
}

/// Reviews programs one after another with an explicit `params` map (rule tests with per-case overrides).
pub fn review_with_params(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    params: rhai::Map,
) -> Result<Vec<ProgramReview>, Diagnostic> {
    eval::review_programs(programs, cx, ruleset, params, false, FastPaths::ALL_ON)
}

impl Review {
    /// Hands what the scripts printed to `sink`, program by program in scenario order (so the
    /// same on every run, whatever the threads did); the sink keeps at most [`MAX_SHOWN_OUTPUT`]
    /// lines and counts the rest.
    pub fn send_printed(&self, sink: &crate::rules::Printed) {
        for p in &self.programs {
            for o in &p.printed {
                for line in &o.printed.lines {
                    sink.push(format!("{} [{}]: {line}", o.script, p.id));
                }
                sink.dropped(o.printed.dropped);
            }
        }
    }

    /// How many programs got each action, in [`Action::ALL`] order (actions nobody got are left out).
    pub fn action_counts(&self) -> Vec<(Action, usize)> {
        Action::ALL
            .into_iter()
            .map(|a| (a, self.programs.iter().filter(|p| p.assessment.action == a).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}
