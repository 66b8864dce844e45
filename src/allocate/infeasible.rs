//! When the limits cannot all hold: an elastic re-solve that names the conflicting limits and
//! the shortfall in money.
//!
//! Every limit except the sources = uses identity gets a slack variable (a cap may be exceeded,
//! a floor undershot) and the model minimises the total slack in yen (lightly weighted, see
//! `weight`), keeping the review's
//! bounds and the fixed programs hard. The limits that need slack are the ones that give; the
//! limits with a non-zero dual in the elastic optimum are the ones that make them give. Together
//! they are the conflict, named in domain words: "investment cap 650.00億円 and next-generation
//! frame 330.00億円 cannot both hold: short by 12.30億円".

use super::assemble::kind;
use super::model::{Limit, Model, ProgramState, Sense, Var, VarKind};
use super::solve::{self, Solver};
use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::scenario::Scenario;

/// Conflicts visible without solving: the fund is already below its floor.
pub(crate) fn precheck(model: &Model, sc: &Scenario) -> Option<Diagnostic> {
    let u = sc.display_unit;
    if model.drawdown_limit.is_negative() {
        return Some(
            Diagnostic::error(format!(
                "fund balance {} is already below the fund floor {}: short by {}",
                sc.fund.balance.format(u),
                sc.fund.floor.format(u),
                (sc.fund.floor - sc.fund.balance).format(u)
            ))
            .hint("lower `fund.floor` or correct `fund.balance`"),
        );
    }
    // A bureau's floor above what its programs can take at the review's maxima: a floor cannot make
    // the allocation fund a program beyond what the review allows (nor beyond its request).
    let mut floors = Vec::new();
    for (d, dept) in sc.departments.iter().enumerate() {
        let (floor, absorbable) = (model.envelope_bounds[d].0, model.absorbable[d]);
        if floor > absorbable {
            let stated = match dept.floor {
                Some(_) => floor.format(u).to_string(),
                None => format!(
                    "{} ({} × base {})",
                    floor.format(u),
                    dept.floor_ratio.normalize(),
                    model.bases[d].format(u)
                ),
            };
            floors.push(format!(
                "envelope floor of {} {stated} cannot hold: its programs at the review's maxima need only {} of general revenue: short by {}",
                dept.name,
                absorbable.format(u),
                (floor - absorbable).format(u)
            ));
        }
    }
    if let Some((first, rest)) = floors.split_first() {
        let mut d = Diagnostic::error(first.clone());
        for other in rest {
            d = d.note(other.replace(" cannot hold:", " cannot hold either:"));
        }
        return Some(
            d.note("a floor is held as stated, never lowered: it cannot make the allocation fund a program beyond the review's maximum or its request")
                .hint("lower the bureau's `floor` (or `floor_ratio`) to what its programs can take, or let the review allow more for them"),
        );
    }
    // Limits on which only fixed programs bear: compared exactly.
    let mut broken = Vec::new();
    for (k, row) in model.rows.iter().enumerate() {
        if !row.terms.is_empty() {
            continue;
        }
        let (fixed, limit) = (model.fixed_part[k], model.limit_money[k]);
        let short = match row.sense {
            Sense::Le => fixed - limit,
            Sense::Ge => limit - fixed,
            Sense::Eq => (fixed - limit).abs(),
        };
        if short > Money::ZERO {
            let need = match row.sense {
                Sense::Le => format!("mandatory and pinned programs alone need {}", fixed.format(u)),
                _ => format!("its programs, all fixed, reach only {}", fixed.format(u)),
            };
            broken.push((limit_words(model, sc, k), need, short));
        }
    }
    if let Some((first, need, short)) = broken.first() {
        let mut d = Diagnostic::error(format!("{first} cannot hold: {need}: short by {}", short.format(u)));
        for (other, need, short) in &broken[1..] {
            d = d.note(format!("{other} cannot hold either: {need}: short by {}", short.format(u)));
        }
        return Some(d.hint("relax the limit by the shortfall, or change the programs that fix it"));
    }
    if sc.policy.reserve_min_share > sc.policy.reserve_max_share {
        return Some(
            Diagnostic::error(format!(
                "reserve minimum share {} and reserve maximum share {} cannot both hold",
                sc.policy.reserve_min_share, sc.policy.reserve_max_share
            ))
            .hint("the minimum share must not exceed the maximum share"),
        );
    }
    None
}

/// The elastic model: the original with a slack variable on every limit but the balance, and an
/// objective that only minimises total slack.
fn elastic(model: &Model) -> Model {
    let mut m = model.clone();
    for v in &mut m.vars {
        v.obj = 0.0;
    }
    for (k, row) in m.rows.iter_mut().enumerate() {
        if row.limit == Limit::Balance || row.terms.is_empty() {
            continue;
        }
        let var = m.vars.len();
        m.vars.push(Var {
            name: format!("slack_{}", row.name),
            kind: VarKind::Slack { row: k },
            lo: 0.0,
            hi: f64::INFINITY,
            integer: false,
            obj: -weight(row.limit),
        });
        let coef = match row.sense {
            Sense::Le => -1.0,
            Sense::Ge | Sense::Eq => 1.0,
        };
        row.terms.push((var, coef));
    }
    m
}

/// How reluctantly a limit gives way in the elastic re-solve. Targets (envelope floors, the
/// next-generation frame, the reserve's bounds) give way before caps (envelope ceilings, investment,
/// bond issuance), and the fund rules last: a conflict is blamed on an aspiration before a fiscal
/// limit. The small differences also make the elastic optimum unique where two limits would trade
/// one yen for one yen.
fn weight(limit: Limit) -> f64 {
    match limit {
        Limit::EnvelopeFloor(_) | Limit::NextGeneration | Limit::ReserveMin | Limit::ReserveMax | Limit::Balance => 1.0,
        Limit::EnvelopeCeiling(_) | Limit::InvestmentCap | Limit::IssuanceCap => 1.01,
        Limit::FundDrawdown => 1.02,
    }
}

/// The elastic model of a model that has no allocation, and its solution (`None` when the
/// solver stopped); solved once, read by [`within_a_yen`] and [`diagnose`].
pub(crate) struct Elastic {
    model: Model,
    raw: Option<solve::RawSolution>,
}

/// Solves the elastic model of `model`: HiGHS when asked for and built in, else the default.
pub(crate) fn elastic_solve(model: &Model, options: super::Options) -> Elastic {
    let m = elastic(model);
    let solver =
        if options.solver == Solver::Highs && options.solver.available() { Solver::Highs } else { Solver::Auto };
    // The diagnosis reads the prices of the conflicting limits.
    let raw = solve::solve(&m, super::Options { solver, ..options }).ok().map(|mut raw| {
        raw.complete_duals(&m);
        raw
    });
    Elastic { model: m, raw }
}

/// When the limits miss each other by less than one yen in total in the model's continuous terms
/// (a bond issuance cap half a yen below the bondable share of a program's review minimum), they
/// are no conflict in whole yen, where each program's funding split is rounded: the model with
/// each such limit moved by what it misses by (and a hundredth of a yen), for the solver to try
/// again. The caller keeps the answer only if rounding it to the unit keeps every limit as stated.
/// `None` when the limits miss by a yen or more (a real conflict, for [`diagnose`]).
pub(crate) fn within_a_yen(model: &Model, elastic: &Elastic) -> Option<Model> {
    let raw = elastic.raw.as_ref()?;
    let s = model.scale;
    let slack: Vec<(usize, f64)> = elastic
        .model
        .vars
        .iter()
        .enumerate()
        .filter_map(|(v, var)| match var.kind {
            VarKind::Slack { row } if raw.values[v] > 0.0 => Some((row, raw.values[v])),
            _ => None,
        })
        .collect();
    if slack.iter().map(|(_, x)| x * s).sum::<f64>() >= 1.0 {
        return None;
    }
    let mut relaxed = model.clone();
    for (k, x) in slack {
        let row = &mut relaxed.rows[k];
        let by = x + 0.01 / s;
        match row.sense {
            Sense::Le => row.rhs += by,
            Sense::Ge => row.rhs -= by,
            // An equality moved would be another limit; leave it to the diagnosis.
            Sense::Eq => return None,
        }
    }
    Some(relaxed)
}

/// Names the conflicting limits and the shortfall, from the elastic re-solve of `model`.
pub(crate) fn diagnose(model: &Model, sc: &Scenario, elastic: &Elastic) -> Diagnostic {
    let u = sc.display_unit;
    let m = &elastic.model;
    let Some(raw) = &elastic.raw else {
        return Diagnostic::error("the limits cannot all hold, and the elastic re-solve that would name them stopped")
            .hint("check the scenario's caps, floors and review bounds; `--emit-lp FILE` writes the model for another solver");
    };
    let s = m.scale;
    let size = sc.revenue.general_revenue.to_f64().abs() / s;
    let tol = |rhs: f64| 1e-6 * (1.0 + rhs.abs()) + 1e-7 * size;
    let mut slack_of = vec![0.0; m.rows.len()];
    for (v, var) in m.vars.iter().enumerate() {
        if let VarKind::Slack { row } = var.kind {
            let x = raw.values[v];
            if x > tol(m.rows[row].rhs) {
                slack_of[row] = x;
            }
        }
    }
    let duals = raw.duals.clone().unwrap_or_default();
    let conflict: Vec<usize> = slack_of
        .iter()
        .enumerate()
        .filter(|&(k, &slack)| slack > 0.0 || duals.get(k).is_some_and(|d| d.abs() > 1e-6))
        .map(|(k, _)| k)
        .collect();
    let total: f64 = slack_of.iter().sum::<f64>() * s;
    let short = Money::from_f64(total).unwrap_or(Money::ZERO);

    let named: Vec<String> = conflict.iter().map(|&k| limit_words(model, sc, k)).collect();
    let message = match named.len() {
        0 => "the limits cannot all hold".to_string(),
        1 => format!("{} cannot hold", named[0]),
        2 => format!("{} and {} cannot both hold", named[0], named[1]),
        n => format!("{} and {} cannot all hold", named[..n - 1].join(", "), named[n - 1]),
    };
    let mut d =
        Diagnostic::error(if short.is_zero() { message } else { format!("{message}: short by {}", short.format(u)) });
    for &k in &conflict {
        if slack_of[k] > 0.0 {
            let need = Money::from_f64(slack_of[k] * s).unwrap_or(Money::ZERO);
            let row = &model.rows[k];
            let verb = match row.sense {
                Sense::Le => "would have to rise by",
                Sense::Ge | Sense::Eq => "would have to fall by",
            };
            d = d.note(format!("{} {verb} {}", kind(row.limit, sc, model).label(), need.format(u)));
        }
    }
    for &k in &conflict {
        let fixed = model.fixed_part[k];
        if !fixed.is_zero() && model.rows[k].limit != Limit::FundDrawdown {
            d = d.note(format!(
                "mandatory and pinned programs alone account for {} of the {}",
                fixed.format(u),
                kind(model.rows[k].limit, sc, model).label()
            ));
        }
    }
    // Review minima that push against the conflict (negative reduced cost at the lower bound).
    let mut at_min = 0usize;
    let mut min_total = Money::ZERO;
    let mut at_max = 0usize;
    let mut max_total = Money::ZERO;
    if !duals.is_empty() {
        for (i, state) in model.programs.iter().enumerate() {
            let ProgramState::Free { var } = *state else {
                continue;
            };
            let (lo, hi) = model.bounds[i];
            let pull: f64 = m
                .rows
                .iter()
                .enumerate()
                .filter_map(|(k, r)| r.terms.iter().find(|t| t.0 == var).map(|t| t.1 * duals[k]))
                .sum();
            let near = |b: Money| (raw.values[var] * s - b.to_f64()).abs() <= 1.0f64.max(1e-6 * b.to_f64());
            if !lo.is_zero() && pull > 1e-6 && near(lo) {
                at_min += 1;
                min_total += lo;
            }
            if pull < -1e-6 && near(hi) {
                at_max += 1;
                max_total += hi;
            }
        }
    }
    if at_min > 0 {
        let programs = if at_min == 1 { "program" } else { "programs" };
        d = d.note(format!(
            "the review's minima of {at_min} {programs} ({}) are part of the conflict",
            min_total.format(u)
        ));
    }
    if at_max > 0 {
        let programs = if at_max == 1 { "program" } else { "programs" };
        d = d.note(format!(
            "the review's maxima of {at_max} {programs} ({}) are part of the conflict",
            max_total.format(u)
        ));
    }
    d.hint("relax one of these limits by the shortfall, or let the review cut deeper (lower minima)")
}

/// "investment cap 650.00億円", "reserve minimum (5% of available)".
fn limit_words(model: &Model, sc: &Scenario, k: usize) -> String {
    let u = sc.display_unit;
    let row = &model.rows[k];
    let name = kind(row.limit, sc, model).label();
    match row.limit {
        Limit::ReserveMin | Limit::ReserveMax => name,
        Limit::Balance => format!("general revenue {}", model.limit_money[k].format(u)),
        _ => format!("{name} {}", model.limit_money[k].format(u)),
    }
}
