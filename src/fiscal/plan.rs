//! Multi-year plans: every year optimised together under limits along the whole path.
//!
//! ```text
//! plan file ─► each year's scenario (the single-year loader) ─► review per year
//!          ─► one allocate::Model per year ─► joint model: the years' rows side by side + path rows
//!          ─► solve once ─► each year's share of the coupled limits
//!          ─► each year allocated exactly by the single-year path, in order, balances carried over
//!          ─► fiscal health per year, path checked exactly in yen
//! ```
//!
//! # Path rows (constraints of the joint model)
//!
//! * `fund_floor.FY` — the fund at every year end ≥ that year's floor: Σ_{s≤t}(drawdown − deposit) ≤ balance₀ − floor_t.
//! * `bond_not_rising.FY` — the bond balance does not rise: issuance_t ≤ redemption_t (a per-year
//!   cap, so it is applied through each year's issuance cap).
//! * `investment_cap.FY` — investment ≤ the plan's escalated cap (through each year's cap).
//! * `next_generation` — Σ over the years of next-generation cost ≥ the cumulative target.
//! * `real_debt_service.FY` — the 3-year mean 実質公債費比率 ≤ 25% − 0.1pt and ≤ the city's limit.
//! * `future_burden.FY` — 将来負担比率 ≤ 400% (unverified) − 0.1pt and ≤ the city's limit.
//!
//! # From the joint optimum to exact money
//!
//! The objective is a sum over years and the years share only the path rows, so the joint
//! optimum restricted to one year is that year's own optimum once the year is given its share of
//! each coupled limit that binds: its part of the cumulative frame (as a per-year floor), its
//! drawdown (as a drawdown cap), its issuance (as an issuance cap when a ratio limit binds). Each
//! year is then allocated by [`crate::allocate::allocate`] with those shares and the balances
//! carried over from the year before, so every single-year identity and the rounding rule hold as
//! they do for one year; the path is then checked exactly in yen, and a limit rounding broke is
//! reported as a violation (exit 1), never hidden.

use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{FiscalHealth, History, year_health};
use crate::allocate::{self, Allocation, Model, Options};
use crate::constraint::{ConstraintKind, Sense};
use crate::diagnostic::Diagnostic;
use crate::money::{Money, Unit};
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::Scenario;
use crate::{Error, Result};

mod joint;
mod load;
mod path;

use joint::{apply_shares, build_joint, diagnose_joint, holds_with_room, precheck};
pub use load::{load_plan, load_plan_str};
use path::path_checks;

/// A multi-year plan: one validated scenario per year and the limits along the path.
#[derive(Debug, Clone)]
pub struct Plan {
    pub path: PathBuf,
    pub city: String,
    pub name: String,
    pub display_unit: Unit,
    pub years: Vec<PlanYear>,
    /// 次世代投資枠 over the whole plan (zero: none).
    pub next_generation_target: Money,
    /// The bond balance may not rise from one year end to the next.
    pub bond_balance_not_rising: bool,
    /// A plan file (false: one scenario run as a one-year plan).
    pub multi_year: bool,
}

/// One year of a plan.
#[derive(Debug, Clone)]
pub struct PlanYear {
    pub year: i32,
    pub scenario: Scenario,
    /// Construction-cost change from the year before.
    pub cost_escalation: Decimal,
    /// The plan's escalated investment cap for the year, if the plan states a level.
    pub investment_cap: Option<Money>,
}

impl Plan {
    /// One scenario as a one-year plan: its own limits, nothing carried between years.
    pub fn single(scenario: Scenario) -> Plan {
        Plan {
            path: scenario.path.clone(),
            city: scenario.city.clone(),
            name: scenario.name.clone(),
            display_unit: scenario.display_unit,
            years: vec![PlanYear {
                year: scenario.fiscal_year,
                scenario,
                cost_escalation: Decimal::ZERO,
                investment_cap: None,
            }],
            next_generation_target: Money::ZERO,
            bond_balance_not_rising: false,
            multi_year: false,
        }
    }
}

/// A limit along the path, checked exactly in yen after allocation.
#[derive(Debug, Clone, Serialize)]
pub struct PathCheck {
    /// Machine name, e.g. `fund_floor.2025`.
    pub name: String,
    /// In words ([`ConstraintKind::label`]).
    pub label: String,
    pub sense: Sense,
    pub limit: Money,
    pub value: Money,
    pub holds: bool,
    /// The limit binds in the joint optimum (it shaped the allocation).
    pub binding: bool,
    /// What it limits (not in the JSON: `name` says it there).
    #[serde(skip)]
    pub kind: ConstraintKind,
}

/// The outcome of a plan: the JSON contract of `waku run <plan> --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanOutcome {
    pub city: String,
    pub plan: String,
    pub years: Vec<i32>,
    /// 次世代投資枠 over the plan: Σ of the years' next-generation cost, and its target.
    pub next_generation_total: Money,
    pub next_generation_target: Money,
    pub path: Vec<PathCheck>,
    pub fiscal_health: FiscalHealth,
    /// Every failed path limit and ratio check, in words (empty: all hold).
    pub violations: Vec<String>,
    /// Each year's allocation, as `waku run` on the year alone would print it.
    pub allocations: Vec<Allocation>,
    #[serde(skip)]
    pub display_unit: Unit,
    #[serde(skip)]
    pub multi_year: bool,
    /// The city's own limits (first year's `[fiscal]`): real debt-service, future burden, ordinary balance.
    #[serde(skip)]
    pub city_limits: [Option<Decimal>; 3],
}

/// Runs one scenario, already reviewed, as a one-year plan (its `[fiscal]` limits as constraints).
pub fn run_single(scenario: Scenario, review: &Review, options: &Options) -> Result<PlanOutcome> {
    run_plan_reviewed(&Plan::single(scenario), std::slice::from_ref(review), options)
}

/// What is known of a one-year plan's year before its joint model is built: its own model
/// (without the path rows), built from the plan's scenario, or its allocation on that model.
pub enum OwnYear<'a> {
    Model(&'a Model),
    Allocated(Box<Allocation>),
}

/// [`run_single`], the year's own model or allocation given. The year's own optimum comes
/// first: when the year's own limits cannot hold, that is the reason given; when every path row
/// (the fund floor, the ratio limits) holds at it with room, it is the joint optimum too, and the
/// year is allocated from it without the joint model being solved.
pub fn run_single_or(scenario: Scenario, review: &Review, options: &Options, own: OwnYear<'_>) -> Result<PlanOutcome> {
    let allocate_year = &mut |_: usize, sc: &Scenario, review: &Review| allocate::allocate(sc, review, options);
    run_plan_with(&Plan::single(scenario), std::slice::from_ref(review), options, allocate_year, Some(own))
}

/// Each year's review, in plan order (each year with its own rules and parameters).
pub fn review_plan(plan: &Plan) -> Result<Vec<Review>> {
    plan.years.iter().map(|y| crate::review::review(&y.scenario, &Ruleset::for_scenario(&y.scenario)?)).collect()
}

/// Each year's scenario with the plan's per-year limits: the escalated investment cap and, when the
/// bond balance may not rise, issuance ≤ redemption.
fn limited(plan: &Plan, y: &PlanYear) -> Scenario {
    let mut sc = y.scenario.clone();
    if let Some(cap) = y.investment_cap {
        sc.policy.investment_cap = sc.policy.investment_cap.min(cap);
    }
    if plan.bond_balance_not_rising {
        sc.bonds.issuance_cap = sc.bonds.issuance_cap.min(sc.bonds.redemption);
    }
    sc
}

/// Reviews, optimises the plan's years together and allocates each year exactly.
pub fn run_plan(plan: &Plan, options: &Options) -> Result<PlanOutcome> {
    run_plan_reviewed(plan, &review_plan(plan)?, options)
}

/// [`run_plan`] with each year's review already made ([`review_plan`]), in plan order.
pub fn run_plan_reviewed(plan: &Plan, reviews: &[Review], options: &Options) -> Result<PlanOutcome> {
    run_plan_by(plan, reviews, options, &mut |_, sc, review| allocate::allocate(sc, review, options))
}

/// How a plan allocates each year once the year has its share of the coupled limits and the
/// balances carried over: `(year index, the year's scenario, its review)` → the year's allocation.
/// The allocation model in central mode; envelopes and then each bureau's own policy in autonomous
/// mode ([`crate::autonomy`]). It must keep the year's limits (the plan re-checks its path in yen).
pub type YearAllocator<'a> = dyn FnMut(usize, &Scenario, &Review) -> Result<Allocation> + 'a;

/// [`run_plan_reviewed`], each year allocated by `allocate_year`: the joint optimum gives each
/// year its share of the coupled limits, then every year is allocated in order, the fund and bond
/// balances carried from one year's allocation to the next, and the fiscal health and the path
/// are computed from those allocations.
pub fn run_plan_by(
    plan: &Plan,
    reviews: &[Review],
    options: &Options,
    allocate_year: &mut YearAllocator<'_>,
) -> Result<PlanOutcome> {
    run_plan_with(plan, reviews, options, allocate_year, None)
}

/// [`run_plan_by`]; with `own`, what is known of a one-year plan's year ([`run_single_or`]).
fn run_plan_with(
    plan: &Plan,
    reviews: &[Review],
    options: &Options,
    allocate_year: &mut YearAllocator<'_>,
    own: Option<OwnYear<'_>>,
) -> Result<PlanOutcome> {
    let base: Vec<Scenario> = plan.years.iter().map(|y| limited(plan, y)).collect();
    let coupled = plan.years.len() > 1 || base.iter().any(|s| s.fiscal.is_some());
    let mut finals = base.clone();
    let mut binding = Vec::new();
    // The one year's allocation, when its own optimum is the joint one.
    let mut first = None;
    if coupled {
        let checked = || build_joint(plan, &base, reviews).and_then(|j| precheck(plan, &j, &base).map(|()| j));
        // The joint model holds the year's own limits and the path rows besides, with the same
        // objective: an optimum of the year's own model at which every path row holds with room
        // is the joint optimum, and no path row binds. (The year's own model is solved while the
        // joint model is built; the plan's precheck speaks first.)
        let own = own.filter(|_| base.len() == 1);
        let (joint, solved) = match &own {
            Some(OwnYear::Model(model)) => {
                let (joint, solved) = rayon::join(checked, || allocate::solve_plain(model, &base[0], options));
                (joint?, Some(solved?))
            }
            _ => (checked()?, None),
        };
        match (own, solved) {
            (Some(OwnYear::Model(model)), Some(solved))
                if solved.values().is_some_and(|x| holds_with_room(&joint, &base, x)) =>
            {
                let a = allocate::finish(model, &base[0], &reviews[0], options, solved);
                first = Some(a.map_err(|e| in_year(e, plan.years[0].year))?);
            }
            (Some(OwnYear::Allocated(a)), _) if a.lp_as_stated && holds_with_room(&joint, &base, &a.lp_values) => {
                first = Some(*a);
            }
            _ => {}
        }
        if first.is_none() {
            let values = match allocate::solve_values(&joint.model, *options) {
                Ok(v) => v,
                Err(None) => return Err(diagnose_joint(plan, &joint, &base, reviews, options)),
                Err(Some(reason)) => {
                    return Err(Error::input(
                        Diagnostic::error(format!("the plan could not be optimised: the solver stopped ({reason})"))
                            .hint("try `--solver microlp` or `--solver clarabel`"),
                    ));
                }
            };
            binding = apply_shares(plan, &joint, &values, &mut finals);
        }
    }

    // Each year exactly, in order, balances carried over.
    let mut allocations: Vec<Allocation> = Vec::with_capacity(finals.len());
    let mut health = Vec::with_capacity(finals.len());
    let mut history = History::default();
    if let Some(f) = base[0].fiscal.as_ref() {
        history.single_year_ratios = f.real_debt_service_history.clone();
    }
    let constraints = base.iter().any(|s| s.fiscal.is_some());
    for (t, sc) in finals.iter_mut().enumerate() {
        if let Some(prev) = allocations.last() {
            sc.fund.balance = prev.fund_balance_end;
            sc.bonds.balance = prev.bond_balance_end;
        }
        let allocation = match first.take() {
            Some(a) => a,
            None => allocate_year(t, sc, &reviews[t]).map_err(|e| in_year(e, plan.years[t].year))?,
        };
        let h = if t == 0 && plan.years.len() == 1 {
            year_health(sc, &allocation, &History::default(), constraints)
        } else {
            let mut hist = history.clone();
            if t == 0 {
                hist.single_year_ratios.clear();
            }
            year_health(sc, &allocation, &hist, constraints)
        };
        if let Some(r) = h.real_debt_service_ratio_single_year {
            history.single_year_ratios.push(r.0);
        }
        let rate = sc.fiscal.as_ref().map_or(Decimal::ZERO, |f| f.new_issue_rate);
        history.issuance.push((allocation.bond_issuance, rate));
        health.push(h);
        allocations.push(allocation);
    }

    let path = path_checks(plan, &finals, &allocations, &binding);
    let fiscal_health = FiscalHealth { years: health };
    let mut violations: Vec<String> =
        path.iter().filter(|c| !c.holds).map(|c| format!("{}: {} {} {}", c.label, c.value, c.sense, c.limit)).collect();
    violations.extend(fiscal_health.violations());
    Ok(PlanOutcome {
        city: plan.city.clone(),
        plan: plan.name.clone(),
        years: plan.years.iter().map(|y| y.year).collect(),
        next_generation_total: allocations.iter().map(|a| a.next_generation).sum(),
        next_generation_target: plan.next_generation_target,
        path,
        fiscal_health,
        violations,
        allocations,
        display_unit: plan.display_unit,
        multi_year: plan.multi_year,
        city_limits: city_limits(&base[0]),
    })
}

fn city_limits(sc: &Scenario) -> [Option<Decimal>; 3] {
    sc.fiscal
        .as_ref()
        .map_or([None; 3], |f| [f.real_debt_service_limit, f.future_burden_limit, f.ordinary_balance_limit])
}

/// The outcome of a single-year allocation made without the plan machinery (no `[fiscal]`): its
/// balances and fiscal gap; no ratios.
pub fn single_outcome(sc: &Scenario, allocation: Allocation) -> PlanOutcome {
    let h = year_health(sc, &allocation, &History::default(), false);
    let fiscal_health = FiscalHealth { years: vec![h] };
    PlanOutcome {
        city: sc.city.clone(),
        plan: sc.name.clone(),
        years: vec![sc.fiscal_year],
        next_generation_total: allocation.next_generation,
        next_generation_target: sc.policy.next_generation_target,
        path: Vec::new(),
        violations: fiscal_health.violations(),
        fiscal_health,
        allocations: vec![allocation],
        display_unit: sc.display_unit,
        multi_year: false,
        city_limits: city_limits(sc),
    }
}

fn in_year(e: Error, year: i32) -> Error {
    match e {
        Error::Infeasible(d) => Error::Infeasible(Box::new(d.note(format!("in FY{year} of the plan")))),
        other => other,
    }
}
