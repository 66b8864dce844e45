//! Why the allocation is what it is: constraint reports with shadow prices, what holds each
//! program, and `waku explain <program|department|constraint>` in words and money.
//!
//! A shadow price is d(objective)/d(limit): the priority-weighted funding one more yen of the
//! limit would buy (a priority-1 program gaining one yen adds one). Caps have non-negative prices;
//! floors non-positive ones (lowering a floor frees money). A program's cost is held where it is by
//! comparing its priority per yen with what the binding limits charge per yen of its cost,
//! Σ coefficient × shadow price over the constraints it counts in (its reduced cost).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::model::{Fixed, Limit, Model, ProgramState, Sense};
use super::rounding::Exact;
use super::solve::RawSolution;
use super::{Allocation, ConstraintKind, ConstraintReport, Envelope, Holding, ProgramAllocation};
use crate::diagnostic::{Diagnostic, suggestion};
use crate::money::Money;
use crate::review::Review;
use crate::scenario::names::{Kind, Lookup, Names};
use crate::scenario::{ProgramKind, Scenario};
use crate::{Error, Result};

/// A dual below this (value per yen) is treated as zero.
const PRICE_EPS: f64 = 1e-4;

/// What a limit of the model is, with what its labels need (the bureau, the share).
pub(crate) fn kind(limit: Limit, sc: &Scenario, model: &Model) -> ConstraintKind {
    let bureau = |d: usize| {
        let dept = sc.departments.get(d);
        (dept.map_or_else(String::new, |x| x.id.clone()), dept.map_or("?", |x| x.name.as_str()).to_string())
    };
    match limit {
        Limit::Balance => ConstraintKind::Balance,
        Limit::EnvelopeFloor(d) => {
            let (department, bureau) = bureau(d);
            ConstraintKind::EnvelopeFloor { department, bureau }
        }
        Limit::EnvelopeCeiling(d) => {
            let (department, bureau) = bureau(d);
            ConstraintKind::EnvelopeCeiling { department, bureau }
        }
        Limit::ReserveMin => ConstraintKind::ReserveMin { share: sc.policy.reserve_min_share },
        Limit::ReserveMax => ConstraintKind::ReserveMax { share: sc.policy.reserve_max_share },
        Limit::InvestmentCap => ConstraintKind::InvestmentCap,
        Limit::IssuanceCap => ConstraintKind::IssuanceCap,
        Limit::NextGeneration => ConstraintKind::NextGeneration,
        Limit::FundDrawdown => {
            if model.drawdown_limit < sc.fund.max_drawdown {
                ConstraintKind::FundFloor
            } else {
                ConstraintKind::FundDrawdown
            }
        }
    }
}

/// Rounds a shadow price for output: 6 decimals, no negative zero.
fn clean(p: f64) -> f64 {
    if !p.is_finite() || p.abs() < 1e-9 {
        return 0.0;
    }
    let r = (p * 1e6).round() / 1e6;
    if r == 0.0 { 0.0 } else { r }
}

/// Builds the [`Allocation`] from the exact solution and the duals.
pub(crate) fn assemble(model: &Model, sc: &Scenario, review: &Review, raw: &RawSolution, e: &Exact) -> Allocation {
    let unit = Money::from_decimal(model.rounding_unit.factor());
    let reserve = e.reserve();
    let available = e.available();

    // Constraint reports, in model row order.
    let mut constraints = Vec::with_capacity(model.rows.len());
    for (k, row) in model.rows.iter().enumerate() {
        let (limit, value) = match row.limit {
            Limit::Balance => (
                sc.revenue.general_revenue,
                e.envelope.iter().copied().sum::<Money>() + reserve - e.drawdown + e.deposit,
            ),
            Limit::EnvelopeFloor(d) => (model.envelope_bounds[d].0, e.envelope[d]),
            Limit::EnvelopeCeiling(d) => (model.envelope_bounds[d].1, e.envelope[d]),
            Limit::ReserveMin => (available.mul_ratio(sc.policy.reserve_min_share), reserve),
            Limit::ReserveMax => (available.mul_ratio(sc.policy.reserve_max_share), reserve),
            Limit::InvestmentCap => (sc.policy.investment_cap, e.investment),
            Limit::IssuanceCap => (sc.bonds.issuance_cap, e.issuance),
            Limit::NextGeneration => (sc.policy.next_generation_target, e.next_generation),
            Limit::FundDrawdown => (model.drawdown_limit, e.drawdown),
        };
        let slack = match row.sense {
            Sense::Le => limit - value,
            Sense::Ge => value - limit,
            Sense::Eq => Money::ZERO,
        };
        let tol = (unit.to_f64() * 10.0).max(limit.to_f64().abs() * 1e-6).max(1.0);
        let dual = raw.duals.as_ref().map(|d| d[k]);
        let binding = row.sense == Sense::Eq || slack.to_f64() <= tol || dual.is_some_and(|d| d.abs() >= PRICE_EPS);
        let shadow_price = dual.map(|d| if binding { clean(d) } else { 0.0 });
        let kind = kind(row.limit, sc, model);
        constraints.push(ConstraintReport {
            name: row.name.clone(),
            label: kind.label(),
            kind,
            sense: row.sense,
            limit,
            value,
            slack,
            binding,
            shadow_price,
        });
    }

    // Which binding rows each variable counts in.
    let mut rows_of_var: Vec<Vec<usize>> = vec![Vec::new(); model.vars.len()];
    for (k, row) in model.rows.iter().enumerate() {
        let c = &constraints[k];
        if c.binding && c.shadow_price.is_none_or(|p| p != 0.0) {
            for &(v, _) in &row.terms {
                rows_of_var[v].push(k);
            }
        }
    }

    let mut programs = Vec::with_capacity(sc.programs.len());
    for (i, (p, r)) in sc.programs.iter().zip(&review.programs).enumerate() {
        let a = &r.assessment;
        let cost = e.cost[i];
        let f = e.funding[i];
        let held_by = match model.programs[i] {
            ProgramState::Fixed { why: Fixed::Mandatory, .. } => Holding::Mandatory,
            ProgramState::Fixed { why: Fixed::Pinned, .. } => Holding::Pinned,
            ProgramState::Fixed { why: Fixed::EnvelopeFloor, .. } => Holding::EnvelopeFloor,
            ProgramState::Fixed { why: Fixed::AllOrNothing, .. } | ProgramState::Choice { .. } => Holding::AllOrNothing,
            ProgramState::Free { .. } if cost == a.max => Holding::ReviewMax,
            ProgramState::Free { .. } if cost == a.min => Holding::ReviewMin,
            ProgramState::Free { .. } => Holding::Marginal,
        };
        let limits = model
            .program_var(i)
            .and_then(|v| rows_of_var.get(v))
            .map(|rows| rows.iter().map(|&k| model.rows[k].name.clone()).collect())
            .unwrap_or_default();
        programs.push(ProgramAllocation {
            id: p.id.clone(),
            name: p.name.clone(),
            department: p.department.clone(),
            kind: p.kind,
            action: a.action,
            priority: a.priority,
            prior_cost: p.prior_cost,
            requested: p.requested,
            min: a.min,
            max: a.max,
            allocated: cost,
            general_revenue: f.general_revenue,
            subsidy: f.subsidy,
            fees: f.fees,
            bonds: f.bonds,
            next_generation: p.next_generation,
            held_by,
            limits,
            nature: p.nature,
        });
    }

    let envelopes = sc
        .departments
        .iter()
        .enumerate()
        .map(|(d, dept)| Envelope {
            department: dept.id.clone(),
            name: dept.name.clone(),
            base: model.bases[d],
            floor: model.envelope_bounds[d].0,
            ceiling: model.envelope_bounds[d].1,
            amount: e.envelope[d],
            requested: model.requested[d],
        })
        .collect();

    let reserve_share = if available.is_zero() {
        Decimal::ZERO
    } else {
        (reserve.as_decimal() / available.as_decimal()).round_dp(6).normalize()
    };
    let mut allocation = Allocation {
        city: sc.city.clone(),
        scenario: sc.name.clone(),
        fiscal_year: sc.fiscal_year,
        overrides: sc.overrides.clone(),
        solver: raw.solver.clone(),
        rounding_unit: sc.rounding_unit,
        general_revenue: sc.revenue.general_revenue,
        fund_drawdown: e.drawdown,
        fund_deposit: e.deposit,
        available,
        reserve,
        reserve_share,
        envelopes,
        programs,
        constraints,
        investment: e.investment,
        investment_cap: sc.policy.investment_cap,
        bond_issuance: e.issuance,
        bond_issuance_cap: sc.bonds.issuance_cap,
        bond_redemption: sc.bonds.redemption,
        bond_balance_start: sc.bonds.balance,
        bond_balance_end: sc.bonds.balance + e.issuance - sc.bonds.redemption,
        fund_balance_start: sc.fund.balance,
        fund_balance_end: sc.fund.balance - e.drawdown + e.deposit,
        fund_floor: sc.fund.floor,
        next_generation: e.next_generation,
        next_generation_target: sc.policy.next_generation_target,
        total_allocated: e.cost.iter().copied().sum(),
        total_requested: sc.total_requested(),
        by_kind: Vec::new(),
        by_bureau: Vec::new(),
        lp_objective: model.objective(&raw.values),
        display_unit: sc.display_unit,
    };
    allocation.refresh_totals();
    allocation
}

/// Per yen of a program's cost, the share that counts in a constraint of this kind.
fn coefficient(kind: &ConstraintKind, p: &crate::scenario::Program) -> f64 {
    let general = (Decimal::ONE - p.specific_share()).to_f64().unwrap_or(0.0);
    match kind {
        ConstraintKind::Balance
        | ConstraintKind::EnvelopeFloor { .. }
        | ConstraintKind::EnvelopeCeiling { .. }
        | ConstraintKind::NextGeneration => general,
        ConstraintKind::InvestmentCap => 1.0,
        ConstraintKind::IssuanceCap => p.bondable_share.to_f64().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// `waku explain`: why a program, a bureau or a constraint ended where it did.
pub fn explain(allocation: &Allocation, scenario: &Scenario, subject: &str) -> Result<String> {
    let a = allocation;
    if let Some(i) = a.programs.iter().position(|p| p.id == subject) {
        return Ok(explain_program(a, scenario, i));
    }
    if let Some(d) = a.envelopes.iter().position(|e| e.department == subject) {
        return Ok(explain_department(a, d));
    }
    if let Some(c) = a.constraints.iter().find(|c| c.name == subject) {
        return Ok(explain_constraint(a, scenario, c));
    }
    // A bureau or a program by its Japanese name (市民文化スポーツ局).
    let names = Names::of(scenario);
    let kinds = [Kind::Bureau, Kind::Program];
    match names.find(subject, &kinds) {
        Lookup::Found(Kind::Bureau, id) => {
            if let Some(d) = a.envelopes.iter().position(|e| e.department == id) {
                return Ok(explain_department(a, d));
            }
        }
        Lookup::Found(Kind::Program, id) => {
            if let Some(i) = a.programs.iter().position(|p| p.id == id) {
                return Ok(explain_program(a, scenario, i));
            }
        }
        Lookup::Ambiguous(kind, ids) => {
            return Err(Error::input(
                Diagnostic::error(Names::ambiguous(subject, kind, &ids))
                    .hint(format!("name one by its id, e.g. `waku explain … {}`", ids[0])),
            ));
        }
        Lookup::NotFound => {}
    }
    Err(Error::input(unknown_subject(a, &names, subject)))
}

/// An unknown subject: "did you mean" over names and ids, then what can be explained — bureaus and
/// programs first, then the constraints by kind.
fn unknown_subject(a: &Allocation, names: &Names, subject: &str) -> Diagnostic {
    let mut d = Diagnostic::error(format!("`{subject}` is not a bureau, program or constraint of this scenario"));
    d.notes.push(format!("bureaus, by name or id: {}", names.bureaus().join(", ")));
    let (some, all) = names.programs(3);
    if all > 0 {
        let more = if all > some.len() {
            format!(", … ({all} in all; `waku run --programs` lists them)")
        } else {
            String::new()
        };
        d.notes.push(format!("programs, by id or name: {}{more}", some.join(", ")));
    }
    // Constraints by kind: `envelope_floor.<bureau>` once, not once per bureau.
    let mut kinds: Vec<String> = Vec::new();
    for c in &a.constraints {
        let shown = match c.name.split_once('.') {
            Some((kind @ ("envelope_floor" | "envelope_ceiling"), _)) => format!("`{kind}.<bureau>`"),
            _ => format!("`{}`", c.name),
        };
        if !kinds.contains(&shown) {
            kinds.push(shown);
        }
    }
    d.notes.push(format!("constraints: {}", kinds.join(", ")));
    let constraint_names = a.constraints.iter().map(|c| c.name.as_str());
    let hint = names
        .did_you_mean(subject, &[Kind::Bureau, Kind::Program])
        .or_else(|| suggestion(subject, constraint_names).map(|s| format!("did you mean `{s}`?")));
    d.hint(hint.unwrap_or_else(|| "name a bureau or a program by its id or its name as the scenario writes it".into()))
}

fn explain_program(a: &Allocation, sc: &Scenario, i: usize) -> String {
    let u = a.display_unit;
    let p = &a.programs[i];
    let mut out = String::new();
    let kind = p.kind;
    let _ = writeln!(out, "program `{}` {} ({}, {})", p.id, p.name, p.department, kind);
    let _ = writeln!(out, "  review: {} at priority {}", p.action.label(), p.priority);
    let _ = writeln!(
        out,
        "  requested {} (prior year {}); review bounds {} to {}",
        p.requested.format(u),
        p.prior_cost.format(u),
        p.min.format(u),
        p.max.format(u)
    );
    let _ = writeln!(
        out,
        "  allocated {}: general revenue {}, subsidy {}, fees {}, bonds {}",
        p.allocated.format(u),
        p.general_revenue.format(u),
        p.subsidy.format(u),
        p.fees.format(u),
        p.bonds.format(u)
    );
    let Some(program) = sc.programs.iter().find(|x| x.id == p.id) else {
        return out;
    };
    let why = match p.held_by {
        Holding::Mandatory => {
            "mandatory expenditure (義務的経費): fixed at the request, outside the optimisation".to_string()
        }
        Holding::Pinned => "the review leaves it a single amount, outside the optimisation".to_string(),
        Holding::BureauFixed | Holding::BureauMax | Holding::BureauMin => {
            "held by its bureau's own policy (autonomous budgeting)".to_string()
        }
        Holding::EnvelopeFloor => {
            "held at the review maximum by its bureau's envelope floor, which needs every program of the bureau in full"
                .to_string()
        }
        Holding::AllOrNothing => {
            if p.allocated.is_zero() {
                "all or nothing: not funded".to_string()
            } else {
                "all or nothing: funded in full".to_string()
            }
        }
        Holding::ReviewMax | Holding::ReviewMin | Holding::Marginal => {
            let mut charge = 0.0;
            let mut parts = Vec::new();
            for c in &a.constraints {
                let coef = coefficient(&c.kind, program);
                if coef == 0.0 || !c.binding || !constraint_has(c, program) {
                    continue;
                }
                if let Some(price) = c.shadow_price.filter(|p| *p != 0.0) {
                    charge += coef * price;
                    parts.push(format!("{} {:.4} × {:.4}", c.label, coef, price));
                }
            }
            let priority = p.priority.to_f64().unwrap_or(0.0);
            let what = match p.held_by {
                Holding::ReviewMax => {
                    "held at the review maximum: its priority per yen is above what the binding limits charge for a yen of its cost"
                }
                Holding::ReviewMin => {
                    "held at the review minimum: the binding limits charge more for a yen of its cost than its priority"
                }
                _ => "marginal: between its bounds, where its priority per yen equals what the binding limits charge",
            };
            let detail =
                if parts.is_empty() { "no binding limit charges for it".to_string() } else { parts.join(" + ") };
            format!("{what}\n    priority {priority:.4} per yen vs charge {charge:.4} per yen ({detail})")
        }
    };
    let _ = writeln!(out, "  {why}");
    if !p.limits.is_empty() {
        let _ = writeln!(out, "  binding limits it counts in:");
        for name in &p.limits {
            if let Some(c) = a.constraints.iter().find(|c| &c.name == name) {
                let _ = writeln!(out, "    {} — {}", c.name, c.price_words(u));
            }
        }
    }
    out
}

/// Whether a constraint's terms include this program (by membership rules of the model).
fn constraint_has(c: &ConstraintReport, p: &crate::scenario::Program) -> bool {
    match &c.kind {
        ConstraintKind::Balance => true,
        ConstraintKind::InvestmentCap => p.kind == ProgramKind::Investment,
        ConstraintKind::IssuanceCap => p.bondable_share > Decimal::ZERO,
        ConstraintKind::NextGeneration => p.next_generation,
        kind => kind.department() == Some(p.department.as_str()),
    }
}

fn explain_department(a: &Allocation, d: usize) -> String {
    let u = a.display_unit;
    let e = &a.envelopes[d];
    let mut out = String::new();
    let _ = writeln!(out, "bureau `{}` {}", e.department, e.name);
    let _ = writeln!(
        out,
        "  envelope {} (base {}, requested {}); floor {}, ceiling {}",
        e.amount.format(u),
        e.base.format(u),
        e.requested.format(u),
        e.floor.format(u),
        e.ceiling.format(u)
    );
    for c in a.constraints.iter().filter(|c| c.kind.department() == Some(e.department.as_str())) {
        let _ = writeln!(out, "  {} — {}", c.label, c.price_words(u));
    }
    let mine: Vec<&ProgramAllocation> = a.programs.iter().filter(|p| p.department == e.department).collect();
    let mut counts: BTreeMap<&str, (usize, Money, Money)> = BTreeMap::new();
    for p in &mine {
        let entry = counts.entry(p.held_by.words()).or_insert((0, Money::ZERO, Money::ZERO));
        entry.0 += 1;
        entry.1 += p.requested;
        entry.2 += p.allocated;
    }
    let _ = writeln!(out, "  {} programs:", mine.len());
    for (words, (n, req, alloc)) in counts {
        let _ = writeln!(out, "    {n:>5} {words}: requested {}, allocated {}", req.format(u), alloc.format(u));
    }
    let marginal: Vec<_> = mine.iter().filter(|p| p.held_by == Holding::Marginal).take(10).collect();
    if !marginal.is_empty() {
        let _ = writeln!(out, "  marginal programs (the ones a change in the limits moves first):");
        for p in marginal {
            let _ = writeln!(out, "    {} {}: {} of {}", p.id, p.name, p.allocated.format(u), p.requested.format(u));
        }
    }
    out
}

fn explain_constraint(a: &Allocation, sc: &Scenario, c: &ConstraintReport) -> String {
    let u = a.display_unit;
    let mut out = String::new();
    let _ = writeln!(out, "constraint `{}`: {}", c.name, c.label);
    let _ = writeln!(
        out,
        "  value {} {} limit {}; slack {}; {}",
        c.value.format(u),
        c.sense,
        c.limit.format(u),
        c.slack.format(u),
        if c.binding { "binding" } else { "not binding" }
    );
    if let Some(p) = c.shadow_price {
        let _ = writeln!(out, "  shadow price {p} per yen: {}", c.price_words(u));
    }
    let held: Vec<&ProgramAllocation> =
        a.programs.iter().filter(|p| p.limits.iter().any(|l| l == &c.name) && p.held_by == Holding::Marginal).collect();
    if !held.is_empty() {
        let _ = writeln!(out, "  marginal programs in it ({}):", held.len());
        for p in held.iter().take(10) {
            let _ = writeln!(out, "    {} {}: {} of {}", p.id, p.name, p.allocated.format(u), p.requested.format(u));
        }
    }
    let _ = sc;
    out
}
