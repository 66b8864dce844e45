//! Review (事務事業の点検): the six viewpoint rules and the assessment policy applied to every program.
//!
//! The types here are the contract between review and allocation: a [`Review`] holds, for each
//! program in scenario order, the six [`Finding`]s and the policy's [`Assessment`].
//! [`review`] produces it from a scenario and a compiled [`crate::rules::Ruleset`].

mod eval;
mod memo;
mod render;

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::rules::Ruleset;
use crate::scenario::{Program, Scenario};
use crate::{Error, Result};

pub use eval::{Context, program_view, ratio_base};
pub use render::{render_program, render_table, to_json, to_json_string};

/// 今後の方向性: what the review recommends for a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Action {
    #[serde(rename = "拡充")]
    Expand,
    #[serde(rename = "継続")]
    Continue,
    #[serde(rename = "改善")]
    Improve,
    #[serde(rename = "縮小")]
    Reduce,
    #[serde(rename = "統合")]
    Merge,
    #[serde(rename = "民間委託")]
    Outsource,
    #[serde(rename = "廃止")]
    Abolish,
    #[serde(rename = "完了")]
    Complete,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Expand,
        Action::Continue,
        Action::Improve,
        Action::Reduce,
        Action::Merge,
        Action::Outsource,
        Action::Abolish,
        Action::Complete,
    ];

    /// The Japanese label, as scripts and reports write it.
    pub fn label(self) -> &'static str {
        match self {
            Action::Expand => "拡充",
            Action::Continue => "継続",
            Action::Improve => "改善",
            Action::Reduce => "縮小",
            Action::Merge => "統合",
            Action::Outsource => "民間委託",
            Action::Abolish => "廃止",
            Action::Complete => "完了",
        }
    }

    /// The English id (`expand`, `continue`, …).
    pub fn id(self) -> &'static str {
        match self {
            Action::Expand => "expand",
            Action::Continue => "continue",
            Action::Improve => "improve",
            Action::Reduce => "reduce",
            Action::Merge => "merge",
            Action::Outsource => "outsource",
            Action::Abolish => "abolish",
            Action::Complete => "complete",
        }
    }

    /// Reads a Japanese label or an English id.
    pub fn parse(s: &str) -> Option<Action> {
        let s = s.trim();
        Action::ALL.into_iter().find(|a| a.label() == s || a.id() == s || (s == "休止・廃止" && *a == Action::Abolish))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What one viewpoint rule decided about one program.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The viewpoint's id from the ruleset manifest (e.g. `needs`). Shared, like `reason`, by
    /// every program given the same finding (a city of 100,000 programs has a few thousand).
    pub viewpoint: Arc<str>,
    /// Higher is better; the ruleset documents the scale.
    pub score: Decimal,
    pub action: Action,
    pub reason: Arc<str>,
    /// Optional bounds on the program's cost, as ratios of its prior cost (or request for new programs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ratio: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ratio: Option<Decimal>,
}

/// The policy's verdict on a program: what to do, within which bounds, at what priority.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub action: Action,
    /// Priority weight of one yen of this program in the allocation objective.
    pub priority: Decimal,
    /// The allocation must lie within `min..=max` (whole yen).
    pub min: Money,
    pub max: Money,
    pub reason: String,
}

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
    pub findings: Vec<Finding>,
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
    pub printed: crate::rules::engine::Printed,
}

/// At most this many lines of script output are shown for a whole review.
pub const MAX_SHOWN_OUTPUT: usize = 200;

/// The review of every program, in the scenario's program order.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub programs: Vec<ProgramReview>,
}

/// How to run a review.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Review only this program (an unknown id is an input error with "did you mean").
    pub program: Option<String>,
    /// Evaluate programs one after another on the current thread (benchmarks, debugging).
    pub sequential: bool,
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
    let programs = eval::review_programs(&programs, &cx, ruleset, params, !options.sequential).map_err(Error::input)?;
    Ok(Review { programs })
}

/// Reviews programs outside a scenario (rule tests, benchmarks). `fiscal_year` picks scheduled parameter values.
pub fn review_programs(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    fiscal_year: Option<i32>,
    parallel: bool,
) -> Result<Vec<ProgramReview>> {
    eval::review_programs(programs, cx, ruleset, ruleset.params_map(fiscal_year), parallel).map_err(Error::input)
}

/// Reviews programs one after another with an explicit `params` map (rule tests with per-case overrides).
pub fn review_with_params(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    params: rhai::Map,
) -> Result<Vec<ProgramReview>, Diagnostic> {
    eval::review_programs(programs, cx, ruleset, params, false)
}

impl Review {
    /// What the scripts printed, program by program in scenario order (so the same on every
    /// run, whatever the threads did), at most [`MAX_SHOWN_OUTPUT`] lines; `None` when nothing.
    pub fn printed_text(&self) -> Option<String> {
        let mut text = String::new();
        let (mut shown, mut more) = (0usize, 0usize);
        for p in &self.programs {
            for o in &p.printed {
                more += o.printed.dropped;
                for line in &o.printed.lines {
                    if shown == MAX_SHOWN_OUTPUT {
                        more += 1;
                        continue;
                    }
                    shown += 1;
                    text.push_str(&format!("{} [{}]: {}\n", o.script, p.id, crate::diagnostic::escape_controls(line)));
                }
            }
        }
        if shown == 0 && more == 0 {
            return None;
        }
        if more > 0 {
            text.push_str(&format!("… {more} more lines of script output not shown\n"));
        }
        Some(text)
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
