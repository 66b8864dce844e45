//! Allocation: envelopes by bureau and the mayor's coordination reserve, optimised under the fiscal limits.
//!
//! ```text
//! Scenario + Review ─► Model::build (presolve, named variables and constraints)  model.rs
//!                   ─► solve (clarabel / microlp / HiGHS, one `Solver` value)       solve.rs
//!                      all-or-nothing by branch and bound when microlp stops         branch.rs
//!                   ─► round to exact money, repair, verify                          rounding.rs
//!                      (a limit rounding cannot keep: re-solve with a margin)          mod.rs
//!                   ─► true shadow prices, what loosening a limit changes (re-solves) prices.rs
//!                   ─► constraints, shadow prices, why each program is where it is   assemble.rs
//! waku explain      ─► a program, a bureau or a constraint in words and money          explain.rs
//! infeasible?       ─► elastic re-solve naming the conflicting limits                infeasible.rs
//! --emit-lp         ─► CPLEX LP text                                                 lp.rs
//! ```
//!
//! Where each limit is enforced: [`model::Limit`] lists them; `Model::add_rows` in `model.rs`
//! builds them (sources = uses, envelope floors and ceilings, reserve share bounds, investment
//! cap, bond issuance cap, next-generation frame, fund drawdown and floor).

mod assemble;
mod backend;
mod branch;
mod explain;
mod infeasible;
mod lp;
pub mod model;
pub mod prices;
pub mod proposals;
mod rounding;
mod solve;
pub mod style;
pub mod synthetic;
mod totals;
mod vertex;
mod workset;

use rust_decimal::Decimal;
use serde::Serialize;

pub use crate::constraint::{ConstraintKind, ConstraintReport};
pub use explain::{Context, Lang, explain};
pub use model::{Limit, Model, Sense};
pub(crate) use rounding::reserve_window;
pub use solve::Solver;
pub use totals::{BureauYear, KindTotal};

use crate::fast::FastPaths;
use crate::money::{Money, Unit};
use crate::review::{Action, Review};
use crate::scenario::{FundDraw, ProgramKind, Scenario};
use crate::{Diagnostic, Error, Result};

/// How to allocate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub solver: Solver,
    /// The working set and the vertex prices can be turned off (see [`FastPaths`]).
    pub fast: FastPaths,
    /// Solve again with each priced binding limit loosened by one step, for the sentences that
    /// say what it would change ([`ConstraintReport::effect`]): `waku run` and `waku explain` do;
    /// batch work (sweeps, diffs, the property tests) leaves it off.
    pub effects: bool,
}

/// The allocation of one scenario: the JSON contract of `waku run --format json`.
///
/// Identities, exact to the yen: Σ `envelopes[].amount` + `reserve` = `available`;
/// each envelope's `amount` = Σ `general_revenue` of its programs;
/// `available` = `general_revenue` + `fund_drawdown` − `fund_deposit`.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    pub city: String,
    pub scenario: String,
    pub fiscal_year: i32,
    /// The `--set` overrides of the run, with the values before and after (absent without any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<crate::scenario::Override>,
    /// The solver(s) that produced the optimum.
    pub solver: String,
    /// 配分方式: `priority`, `ceiling` or `balanced` (`[policy] style`).
    pub style: crate::scenario::Style,
    /// What the style set: ratios by kind, the city-wide change, each bureau's formula amount and why
    /// a bureau's limit is not it (absent under `priority`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_detail: Option<style::StyleNote>,
    /// Program costs are multiples of this unit, or an amount the user wrote (the request, the
    /// prior-year budget): the review's bounds are on its grid.
    pub rounding_unit: Unit,
    /// 一般財源 forecast.
    pub general_revenue: Money,
    /// 財源調整用基金 drawn down this year.
    pub fund_drawdown: Money,
    /// Put into the fund: general revenue that neither the programs nor the reserve can absorb.
    pub fund_deposit: Money,
    /// General revenue to allocate: general revenue + drawdown − deposit.
    pub available: Money,
    /// The mayor's coordination reserve.
    pub reserve: Money,
    /// Reserve as a share of available general revenue.
    pub reserve_share: Decimal,
    pub envelopes: Vec<Envelope>,
    pub programs: Vec<ProgramAllocation>,
    pub constraints: Vec<ConstraintReport>,
    /// 投資的経費: cost of investment programs.
    pub investment: Money,
    pub investment_cap: Money,
    /// 市債 issued: the bond-financed share of every program's cost.
    pub bond_issuance: Money,
    pub bond_issuance_cap: Money,
    pub bond_redemption: Money,
    pub bond_balance_start: Money,
    /// balance + issuance − redemption.
    pub bond_balance_end: Money,
    pub fund_balance_start: Money,
    /// balance − drawdown + deposit.
    pub fund_balance_end: Money,
    pub fund_floor: Money,
    /// When the fund is drawn (`[fund] draw`): `before_cuts`, `last_resort` or `never`.
    pub fund_policy: FundDraw,
    /// Why the fund was or was not drawn, in a budget office's words (`waku explain fund_drawdown`, the memo).
    pub fund_reason: String,
    /// 次世代投資枠: cost (事業費) allocated to next-generation programs.
    pub next_generation: Money,
    pub next_generation_target: Money,
    /// Σ cost of all programs.
    pub total_allocated: Money,
    pub total_requested: Money,
    /// Totals by kind of expense (性質別), from the programs ([`Allocation::refresh_totals`]).
    pub by_kind: Vec<KindTotal>,
    /// Each bureau's budget against last year's (前年度当初 → 本年度), from the programs.
    pub by_bureau: Vec<BureauYear>,
    /// The proposals for the mayor's reserve, funded or not and why (absent without a proposals
    /// table): [`proposals`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proposals: Vec<proposals::ProposalResult>,
    /// What the proposals take of the reserve, and what is left (absent without proposals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal_reserve: Option<proposals::ReserveUse>,
    /// The LP objective at the optimum (scaled units, without fixed programs), for cross-checks.
    #[serde(skip)]
    pub lp_objective: f64,
    /// The solver's optimum, variable by variable in model units (before rounding to money), for
    /// `--emit-lp` and the cross-check with another solver (`tools/check-lp.py`).
    #[serde(skip)]
    pub lp_values: Vec<f64>,
    /// Whether `lp_values` is the optimum of the limits as stated; false where they were moved
    /// to find the allocation (less than a yen apart, or tightened so that rounding keeps them).
    #[serde(skip)]
    pub lp_as_stated: bool,
    /// The unit the scenario displays money in.
    #[serde(skip)]
    pub display_unit: Unit,
}

impl Allocation {
    /// Computes [`Allocation::by_kind`] and [`Allocation::by_bureau`] from the programs again
    /// (after anything that changes their allocation, as level 2 of the autonomous mode does).
    pub fn refresh_totals(&mut self) {
        self.by_kind = totals::by_kind(&self.programs);
        self.by_bureau = totals::by_bureau(&self.envelopes, &self.programs);
    }

    /// The first constraint whose kind `is` accepts, e.g. `a.constraint(|k| *k == ConstraintKind::InvestmentCap)`.
    pub fn constraint(&self, is: impl Fn(&ConstraintKind) -> bool) -> Option<&ConstraintReport> {
        self.constraints.iter().find(|c| is(&c.kind))
    }
}

impl Allocation {
    /// 「財源調整用基金は 344.00億円 → 316.13億円（取崩し 27.87億円）。」 and why, as `waku explain
    /// fund_drawdown` and the memo write it.
    pub fn fund_words(&self) -> String {
        let u = self.display_unit;
        format!(
            "財源調整用基金は {} → {}（取崩し {}、下限 {}）。{}",
            self.fund_balance_start.format(u),
            self.fund_balance_end.format(u),
            self.fund_drawdown.format(u),
            self.fund_floor.format(u),
            self.fund_reason
        )
    }
}

/// One bureau's envelope.
#[derive(Debug, Clone, Serialize)]
pub struct Envelope {
    pub department: String,
    pub name: String,
    /// Prior-year general revenue of its programs.
    pub base: Money,
    pub floor: Money,
    pub ceiling: Money,
    /// Σ general revenue of its programs.
    pub amount: Money,
    /// Requested general revenue of its programs.
    pub requested: Money,
}

/// What holds a program where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holding {
    /// 義務的経費, fixed at the request.
    Mandatory,
    /// The review allows one value.
    Pinned,
    /// All-or-nothing: funded in full or not at all.
    AllOrNothing,
    /// At the review maximum because the bureau's envelope floor needs all its programs in full.
    EnvelopeFloor,
    /// At the review's maximum: worth more than the limits charge for it.
    ReviewMax,
    /// At the review's minimum: the limits charge more than it is worth.
    ReviewMin,
    /// Between its bounds: the marginal program of the limits it counts in.
    Marginal,
    /// Autonomous budgeting: the bureau's policy set the program's range to one amount.
    BureauFixed,
    /// Autonomous budgeting: at a maximum the bureau's policy set in place of the review's.
    BureauMax,
    /// Autonomous budgeting: at a minimum the bureau's policy set in place of the review's.
    BureauMin,
    /// A 査定 decision of the budget cycle fixes the amount ([`crate::cycle`]).
    Decided,
    /// At the maximum a 査定 decision set in place of the review's.
    DecisionMax,
    /// At the minimum a 査定 decision set in place of the review's.
    DecisionMin,
    /// From the 市長査定 on: kept at the amount of the stage before, no decision having changed it.
    Held,
}

impl Holding {
    /// A few words for tables.
    pub fn words(self) -> &'static str {
        match self {
            Holding::Mandatory => "mandatory, fixed at the request",
            Holding::Pinned => "pinned by the review",
            Holding::AllOrNothing => "all or nothing",
            Holding::EnvelopeFloor => "held by the envelope floor",
            Holding::ReviewMax => "at the review maximum",
            Holding::ReviewMin => "at the review minimum",
            Holding::Marginal => "marginal",
            Holding::BureauFixed => "fixed by the bureau's policy",
            Holding::BureauMax => "at the bureau's maximum",
            Holding::BureauMin => "at the bureau's minimum",
            Holding::Decided => "fixed by a 査定 decision",
            Holding::DecisionMax => "at the decision's maximum",
            Holding::DecisionMin => "at the decision's minimum",
            Holding::Held => "kept at the stage before",
        }
    }

    /// In a budget office's Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            Holding::Mandatory => "義務的経費（要求額で固定）",
            Holding::Pinned => "見直しで額が決まっている",
            Holding::AllOrNothing => "全額採否",
            Holding::EnvelopeFloor => "局の枠の下限",
            Holding::ReviewMax => "見直しの上限まで配分",
            Holding::ReviewMin => "見直しの下限（制約の負担が優先度を上回る）",
            Holding::Marginal => "限界的な事業（制約の境目）",
            Holding::BureauFixed => "局の方針で額が決まっている",
            Holding::BureauMax => "局の方針の上限まで配分",
            Holding::BureauMin => "局の方針の下限",
            Holding::Decided => "査定で額を決定",
            Holding::DecisionMax => "査定の上限まで配分",
            Holding::DecisionMin => "査定の下限",
            Holding::Held => "前段階の額のまま",
        }
    }
}

/// One program's allocation.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramAllocation {
    pub id: String,
    pub name: String,
    pub department: String,
    pub kind: ProgramKind,
    pub action: Action,
    pub priority: Decimal,
    pub prior_cost: Money,
    pub requested: Money,
    /// The review's bounds.
    pub min: Money,
    pub max: Money,
    /// Cost allocated.
    pub allocated: Money,
    pub general_revenue: Money,
    pub subsidy: Money,
    pub fees: Money,
    pub bonds: Money,
    pub next_generation: bool,
    pub held_by: Holding,
    /// Binding constraints the program counts in.
    pub limits: Vec<String>,
    /// Why the allocation funds it below its request, in a budget office's words (配分の理由):
    /// the review's bound, or the limit that binds and its value per yen of general revenue
    /// against the marginal one. `null` when it is funded at its request.
    pub allocation_reason: Option<String>,
    /// 性質別, as the inventory states it (absent when it does not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nature: Option<crate::scenario::Nature>,
}

/// Allocates `scenario` under `review` (one assessment per program, in scenario order).
pub fn allocate(scenario: &Scenario, review: &Review, options: &Options) -> Result<Allocation> {
    let model = Model::build(scenario, review)?;
    solve_model(&model, scenario, review, options)
}

/// Solves a built model (see [`allocate`]); the model can be written with [`Model::to_lp`] too.
pub fn solve_model(model: &Model, scenario: &Scenario, review: &Review, options: &Options) -> Result<Allocation> {
    finish(model, scenario, review, options, solve_plain(model, scenario, options)?)
}

/// A model's optimum as the solver gave it, before it is rounded to the unit, priced and
/// assembled ([`solve_plain`], [`finish`]): a caller can look at it first (a one-year plan checks
/// its path rows, `crate::fiscal`).
pub struct Solved(Found, Option<backend::Stepper>);

enum Found {
    Raw(solve::RawSolution),
    /// Found with limits less than a yen apart moved to meet, and already exact.
    Exact(solve::RawSolution, rounding::Exact),
}

impl Solved {
    /// The solver's values (model units, one per model variable); `None` when the limits had to
    /// be moved to meet.
    pub fn values(&self) -> Option<&[f64]> {
        match &self.0 {
            Found::Raw(raw) => Some(&raw.values),
            Found::Exact(..) => None,
        }
    }
}

/// The first half of [`solve_model`]: the optimum, or why there is none (the limits cannot all
/// hold, named; the solver stopped).
///
/// When the effects of loosening the limits are asked for, the LP relaxation their re-solves step
/// from is solved at the same time, on another thread.
pub fn solve_plain(model: &Model, scenario: &Scenario, options: &Options) -> Result<Solved> {
    let (found, relaxed) =
        rayon::join(|| solve_raw(model, scenario, options), || prices::relaxed_stepper(model, scenario, *options));
    Ok(Solved(found?, relaxed))
}

/// The second half of [`solve_model`]: the optimum `solved` rounded to the unit, priced and
/// assembled into the allocation.
pub fn finish(
    model: &Model,
    scenario: &Scenario,
    review: &Review,
    options: &Options,
    solved: Solved,
) -> Result<Allocation> {
    let Solved(found, relaxed) = solved;
    let ((mut raw, exact), as_stated) = match found {
        Found::Exact(raw, exact) => ((raw, exact), false),
        Found::Raw(raw) => match rounding::round(model, scenario, &raw.values) {
            Ok(exact) => ((raw, exact), true),
            Err(violations) => (
                with_margin(model, scenario, *options).ok_or_else(|| rounding_failed(model, scenario, &violations))?,
                false,
            ),
        },
    };
    let (duals, loosening) = prices::prices(model, scenario, *options, &mut raw, relaxed);
    // The effects of loosening the binding limits (LP re-solves) are computed while the
    // allocation is assembled, and put into its constraint reports (one per model row) after.
    let (effects, assembled) = rayon::join(
        || loosening.map(|l| l.effects()),
        || {
            let mut a = assemble::assemble(model, scenario, review, &raw, &exact, duals.as_deref());
            a.lp_as_stated = as_stated;
            proposals::attach(&mut a, scenario).map(|()| a)
        },
    );
    let mut a = assembled?;
    for (c, e) in a.constraints.iter_mut().zip(effects.unwrap_or_default()) {
        if c.binding {
            c.effect = e;
        }
    }
    Ok(a)
}

fn solve_raw(model: &Model, scenario: &Scenario, options: &Options) -> Result<Found> {
    if !options.solver.available() {
        return Err(Error::input(
            Diagnostic::error(format!("solver `{}` is not built into this waku", options.solver))
                .hint("rebuild with `cargo build --release --features highs` (needs cmake and libclang), or use `--solver auto`"),
        ));
    }
    if let Some(d) = infeasible::precheck(model, scenario) {
        return Err(Error::Infeasible(Box::new(d)));
    }
    match workset::solve(model, *options) {
        Ok(raw) => Ok(Found::Raw(raw)),
        Err(solve::Failure::Infeasible) => infeasible(model, scenario, *options),
        Err(solve::Failure::Other(reason)) => {
            // A numerical stop is not a verdict on the limits: try the other pure-Rust solver once.
            let fallback = if model.has_integers() { None } else { Some(Solver::Microlp) };
            match fallback.filter(|&f| f != options.solver.resolve(model) && model.free_programs() <= 20_000) {
                Some(f) => match solve::solve(model, Options { solver: f, ..*options }) {
                    Ok(raw) => Ok(Found::Raw(raw)),
                    Err(solve::Failure::Infeasible) => infeasible(model, scenario, Options { solver: f, ..*options }),
                    Err(solve::Failure::Other(_)) => Err(stopped(options.solver, &reason)),
                },
                None => Err(stopped(options.solver, &reason)),
            }
        }
    }
}

/// The solver found no allocation. Either the limits contradict each other, and the elastic
/// re-solve names them and the shortfall, or they miss each other by less than a yen in the model's
/// continuous terms (solvers differ on such a city: one allocates, another says infeasible); then
/// the model is solved again with those limits moved by that much, and the answer stands if
/// rounding it keeps every limit exactly as stated. The allocation's `solver` says so.
fn infeasible(model: &Model, sc: &Scenario, options: Options) -> Result<Found> {
    let elastic = infeasible::elastic_solve(model, options);
    let relaxed = infeasible::within_a_yen(model, &elastic);
    if let Some(mut raw) = relaxed.and_then(|relaxed| workset::solve(&relaxed, options).ok()) {
        if let Ok(exact) = rounding::round(model, sc, &raw.values) {
            raw.solver = format!("{}; re-solved with limits less than 1円 apart moved to meet", raw.solver);
            return Ok(Found::Exact(raw, exact));
        }
    }
    Err(Error::Infeasible(Box::new(infeasible::diagnose(model, sc, &elastic))))
}

/// When the rounding repairs cannot keep a limit that binds at the optimum (a floor whose only
/// movable programs sit in a binding cap, the whole-yen funding split tipping a cap by a yen, a
/// program snapped to its review bound within the snap tolerance), the model is solved again with
/// every cap lowered and every floor raised by a margin, so the rounded answer has room. The margin
/// starts at 8 rounding units and grows eightfold until one works, the tightened limits cannot
/// hold, or it passes 1,000 times the larger of the unit and the snap tolerance (10⁻⁶ of general
/// revenue). The answer is then not the optimum of the stated limits but within the margin of
/// it, and the allocation's `solver` says so.
fn with_margin(model: &Model, sc: &Scenario, options: Options) -> Option<(solve::RawSolution, rounding::Exact)> {
    let unit = Money::from_decimal(sc.rounding_unit.factor()).max(Money::yen(1)).as_decimal();
    let snap = sc.revenue.general_revenue.abs().as_decimal() * Decimal::new(1, 6);
    let last = unit.max(snap) * Decimal::from(1_000);
    let mut margin = unit * Decimal::from(8);
    while margin <= last {
        let m = Money::from_decimal(margin).to_f64() / model.scale;
        let mut tight = model.clone();
        for row in tight.rows.iter_mut().filter(|r| !r.terms.is_empty()) {
            match (row.limit, row.sense) {
                (Limit::EnvelopeCeiling(_) | Limit::InvestmentCap | Limit::IssuanceCap, Sense::Le) => row.rhs -= m,
                (Limit::EnvelopeFloor(_) | Limit::NextGeneration, Sense::Ge) => row.rhs += m,
                _ => {}
            }
        }
        let mut raw = workset::solve(&tight, options).ok()?;
        if let Ok(exact) = rounding::round(model, sc, &raw.values) {
            raw.solver = format!(
                "{}; re-solved with caps and floors {} tighter so that rounding keeps them",
                raw.solver,
                Money::from_decimal(margin).format(sc.rounding_unit)
            );
            return Some((raw, exact));
        }
        margin *= Decimal::from(8);
    }
    None
}

/// Solves a model assembled outside this module (the joint model of a multi-year plan,
/// `crate::fiscal::plan`): primal values in model units; `Err(None)` when the limits cannot all
/// hold, `Err(Some(reason))` when the solver stopped without an answer.
pub fn solve_values(model: &Model, options: Options) -> std::result::Result<Vec<f64>, Option<String>> {
    match workset::solve(model, options) {
        Ok(raw) => Ok(raw.values),
        Err(solve::Failure::Infeasible) => Err(None),
        Err(solve::Failure::Other(reason)) => Err(Some(reason)),
    }
}

fn stopped(solver: Solver, reason: &str) -> Error {
    Error::input(
        Diagnostic::error(format!("the allocation could not be computed: {} stopped ({reason})", solver.resolve_name()))
            .hint("try another solver with `--solver microlp` or `--solver clarabel`, and check for extreme amounts or ratios in the scenario"),
    )
}

fn rounding_failed(model: &Model, scenario: &Scenario, violations: &[rounding::Violation]) -> Error {
    let mut d = Diagnostic::error(format!(
        "rounding the allocation to {} cannot keep every limit exact",
        scenario.rounding_unit.suffix()
    ));
    for v in violations {
        d = d.note(match v.limit {
            Some(limit) => format!("{}: {}", assemble::kind(limit, scenario, model).label(), v.text),
            None => v.text.clone(),
        });
    }
    Error::Infeasible(Box::new(d.hint("use a finer `rounding_unit` (e.g. 円), or leave the limits a little room")))
}

impl Solver {
    fn resolve_name(self) -> &'static str {
        match self {
            Solver::Auto => "the solver",
            other => other.name(),
        }
    }
}
