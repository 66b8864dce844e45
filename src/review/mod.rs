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
pub use render::{render_program, render_table, to_json, to_json_string};

/// One program's review.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramReview {
    pub id: String,
    pub department: String,
    pub findings: Vec<Finding>,
    pub assessment: Assessment,
}

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
    let params = ruleset.params_map(Some(scenario.fiscal_year));
    let programs = eval::review_programs(&programs, &cx, ruleset, params, !options.sequential, options.fast)
        .map_err(Error::input)?;
    Ok(Review { rounding_unit: scenario.rounding_unit, programs })
}

/// Reviews programs outside a scenario (rule tests, benchmarks). `fiscal_year` picks scheduled parameter values.
pub fn review_programs(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    fiscal_year: Option<i32>,
    parallel: bool,
) -> Result<Vec<ProgramReview>> {
    eval::review_programs(programs, cx, ruleset, ruleset.params_map(fiscal_year), parallel, FastPaths::ALL_ON)
        .map_err(Error::input)
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
    /// How many programs got each action, in [`Action::ALL`] order (actions nobody got are left out).
    pub fn action_counts(&self) -> Vec<(Action, usize)> {
        Action::ALL
            .into_iter()
            .map(|a| (a, self.programs.iter().filter(|p| p.assessment.action == a).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}
