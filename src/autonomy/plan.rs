//! Autonomous budgeting of a multi-year plan, or of a year with `[fiscal]`: `waku run --mode
//! autonomous|compare` on either never falls back to the central allocation.
//!
//! Each year gets its share of the plan's coupled limits — the cumulative 次世代投資枠, the fund
//! path, the statutory ratio limits — from the joint optimum exactly as in central mode
//! ([`crate::fiscal::run_plan_by`]); the year is then budgeted in two levels ([`super::run`]):
//! the city's envelopes on the revenue without the bureaus' savings, then each bureau's own policy
//! inside its envelope. A year opens with the fund and bond balances the previous year's two-level
//! allocation closed with, and the fiscal health and the path limits are computed from the two-level
//! allocations, exactly in yen (a bureau never issues more bonds or invests more than level 1 gave
//! it, so every limit level 1 held still holds).
//!
//! A year without `[fiscal]` run on its own is a one-year plan with nothing coupled: its two-level
//! allocation is [`super::run`]'s, unchanged.

use serde::Serialize;

use super::{Autonomous, Comparison, DepartmentReport, Options};
use crate::Result;
use crate::fiscal::{self, FiscalHealth, Plan, PlanOutcome};
use crate::money::Money;
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::Scenario;

/// Every year of a plan (or one year) budgeted in two levels.
#[derive(Debug, Clone)]
pub struct AutonomousPlan {
    /// The plan's outcome; its `allocations` are the two-level ones.
    pub outcome: PlanOutcome,
    /// Each year's two-level report, in plan order.
    pub years: Vec<Autonomous>,
}

/// Runs every year of `plan` in two levels (`reviews` and `rulesets` in plan order).
pub fn run_plan(plan: &Plan, reviews: &[Review], rulesets: &[Ruleset], options: &Options) -> Result<AutonomousPlan> {
    let mut years: Vec<Autonomous> = Vec::with_capacity(plan.years.len());
    let outcome = fiscal::run_plan_by(plan, reviews, &options.allocate, &mut |t, sc, review| {
        let a = super::run(sc, review, &rulesets[t], options)?;
        let allocation = a.allocation.clone();
        years.push(a);
        Ok(allocation)
    })?;
    Ok(AutonomousPlan { outcome, years })
}

/// One year in two levels, as a one-year plan: with `[fiscal]`, its ratio limits hold as they do
/// in central mode.
pub fn run_year(sc: &Scenario, review: &Review, ruleset: &Ruleset, options: &Options) -> Result<AutonomousPlan> {
    run_plan(&Plan::single(sc.clone()), std::slice::from_ref(review), std::slice::from_ref(ruleset), options)
}

/// Central and two-level allocations of every year of a plan, bureau by bureau.
#[derive(Debug, Clone)]
pub struct ComparePlan {
    /// The central plan, as `waku run` prints it.
    pub central: PlanOutcome,
    pub autonomous: AutonomousPlan,
    /// One comparison per year, in plan order.
    pub years: Vec<Comparison>,
}

/// Allocates `plan` centrally and in two levels and compares each year.
pub fn compare_plan(plan: &Plan, reviews: &[Review], rulesets: &[Ruleset], options: &Options) -> Result<ComparePlan> {
    let central = fiscal::run_plan_reviewed(plan, reviews, &options.allocate)?;
    let autonomous = run_plan(plan, reviews, rulesets, options)?;
    let years = central
        .allocations
        .iter()
        .zip(&autonomous.years)
        .map(|(c, a)| super::compare::compare_allocations(c.clone(), a.clone()))
        .collect();
    Ok(ComparePlan { central, autonomous, years })
}

/// `waku run <year> --mode autonomous --format json`: the year's two-level report and its fiscal health.
#[derive(Debug, Serialize)]
pub struct YearJson<'a> {
    #[serde(flatten)]
    pub autonomous: &'a Autonomous,
    pub fiscal_health: &'a FiscalHealth,
}

/// `waku run <plan> --mode autonomous --format json`: the plan's outcome (its allocations the
/// two-level ones) and each year's bureaus.
#[derive(Debug, Serialize)]
pub struct PlanJson<'a> {
    pub mode: &'static str,
    #[serde(flatten)]
    pub outcome: &'a PlanOutcome,
    pub bureaus: Vec<YearBureaus<'a>>,
}

/// One year's bureaus in autonomous mode.
#[derive(Debug, Serialize)]
pub struct YearBureaus<'a> {
    pub year: i32,
    pub savings_generated: Money,
    pub savings_kept: Money,
    pub savings_passed_on: Money,
    pub departments: &'a [DepartmentReport],
    pub warnings: &'a [String],
}

impl AutonomousPlan {
    /// The JSON document of a plan.
    pub fn plan_json(&self) -> PlanJson<'_> {
        PlanJson {
            mode: "autonomous",
            outcome: &self.outcome,
            bureaus: self
                .years
                .iter()
                .map(|a| YearBureaus {
                    year: a.allocation.fiscal_year,
                    savings_generated: a.savings_generated,
                    savings_kept: a.savings_kept,
                    savings_passed_on: a.savings_passed_on,
                    departments: &a.departments,
                    warnings: &a.warnings,
                })
                .collect(),
        }
    }

    /// The JSON document of a single year.
    pub fn year_json(&self) -> Option<YearJson<'_>> {
        Some(YearJson { autonomous: self.years.first()?, fiscal_health: &self.outcome.fiscal_health })
    }
}

/// `waku run <plan> --mode compare --format json`: each year's comparison.
#[derive(Debug, Serialize)]
pub struct ComparePlanJson<'a> {
    pub mode: &'static str,
    pub city: &'a str,
    pub plan: &'a str,
    pub years: Vec<CompareYear<'a>>,
}

/// One year of [`ComparePlanJson`].
#[derive(Debug, Serialize)]
pub struct CompareYear<'a> {
    pub year: i32,
    #[serde(flatten)]
    pub comparison: &'a Comparison,
}

impl ComparePlan {
    pub fn json(&self) -> ComparePlanJson<'_> {
        ComparePlanJson {
            mode: "compare",
            city: &self.central.city,
            plan: &self.central.plan,
            years: self.years.iter().map(|c| CompareYear { year: c.central.fiscal_year, comparison: c }).collect(),
        }
    }
}

/// Allocates `sc` in both modes and compares them bureau by bureau. With `[fiscal]`, both hold the
/// year's ratio limits (the year runs as a one-year plan, as `waku run` runs it).
pub fn compare(sc: &Scenario, review: &Review, ruleset: &Ruleset, options: &Options) -> crate::Result<Comparison> {
    let plan = crate::fiscal::Plan::single(sc.clone());
    let mut both = compare_plan(&plan, std::slice::from_ref(review), std::slice::from_ref(ruleset), options)?;
    both.years.pop().ok_or_else(|| crate::Error::internal("a one-year comparison without its year"))
}
