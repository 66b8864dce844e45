//! The joint model: the years' allocation models side by side with the path rows, its ratio
//! rows, the prechecks, each year's share of the binding coupled limits, and why it has no solution.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::*;
use crate::allocate::{self, Limit, Model, Options, model::Row, model::Var};
use crate::constraint::{ConstraintKind, Sense};
use crate::diagnostic::Diagnostic;
use crate::fiscal::{
    DEBT_SERVICE_EARLY, FUTURE_BURDEN_EARLY, HARD_LIMIT_MARGIN, History, debt_service_constant, future_burden_constant,
};
use crate::money::{Grid, Money};
use crate::number::share_as_written;
use crate::review::Review;
use crate::scenario::Scenario;
use crate::{Error, Result};

/// A linear expression in yen over the joint model's variables.
#[derive(Debug, Clone, Default)]
pub(super) struct Lin {
    /// (joint variable, yen per model unit of the variable).
    pub(super) terms: Vec<(usize, f64)>,
    pub(super) constant: f64,
}

impl Lin {
    pub(super) fn add(&mut self, other: &Lin, factor: f64) {
        self.terms.extend(other.terms.iter().map(|&(v, c)| (v, c * factor)));
        self.constant += other.constant * factor;
    }
}

/// One year inside the joint model.
pub(super) struct YearPart {
    pub(super) model: Model,
    pub(super) offset: usize,
}

impl YearPart {
    /// The expression of a limit's row, in yen (its fixed part as the constant).
    pub(super) fn limit(&self, limit: Limit) -> Lin {
        let m = &self.model;
        match m.row_of.get(&limit) {
            Some(&k) => Lin {
                terms: m.rows[k].terms.iter().map(|&(v, c)| (v + self.offset, c * m.scale)).collect(),
                constant: m.fixed_part[k].to_f64(),
            },
            None => Lin::default(),
        }
    }

    /// Drawdown − deposit, in yen.
    pub(super) fn net_drawdown(&self) -> Lin {
        let m = &self.model;
        Lin { terms: vec![(m.drawdown + self.offset, m.scale), (m.deposit + self.offset, -m.scale)], constant: 0.0 }
    }
}

/// A path row of the joint model.
pub(super) struct PathRow {
    pub(super) row: usize,
    pub(super) kind: ConstraintKind,
    pub(super) year: usize,
    /// What the row's yen sum is divided by to give the ratio's excess: n × denominator for the
    /// n-year mean of the real debt-service ratio, the denominator for the future burden ratio.
    pub(super) per_point: f64,
}

pub(super) struct Joint {
    pub(super) model: Model,
    pub(super) parts: Vec<YearPart>,
    pub(super) path: Vec<PathRow>,
}

pub(super) fn to_f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The years' models side by side, with the path rows.
pub(super) fn build_joint(plan: &Plan, base: &[Scenario], reviews: &[Review]) -> Result<Joint> {
    let mut parts = Vec::with_capacity(base.len());
    let mut offset = 0;
    for (sc, review) in base.iter().zip(reviews) {
        // The fund floor is a path row; inside a year only the drawdown limit remains.
        let mut s = sc.clone();
        s.fund.balance = s.fund.floor + s.fund.max_drawdown;
        let model = Model::build(&s, review).map_err(|e| in_year(e, sc.fiscal_year))?;
        let n = model.vars.len();
        parts.push(YearPart { model, offset });
        offset += n;
    }
    let scale = parts.iter().map(|p| p.model.scale).fold(1.0, f64::max);
    let mut vars: Vec<Var> = Vec::with_capacity(offset);
    let mut rows: Vec<Row> = Vec::new();
    for (t, p) in parts.iter().enumerate() {
        // A later year's value weighs a hair less, so equal priorities are funded earlier, uniquely.
        let weight = p.model.scale / scale * (1.0 - 1e-9 * t as f64);
        for v in &p.model.vars {
            let mut v = v.clone();
            v.name = format!("fy{}.{}", base[t].fiscal_year, v.name);
            v.obj *= weight;
            vars.push(v);
        }
        for r in &p.model.rows {
            rows.push(Row {
                name: format!("fy{}.{}", base[t].fiscal_year, r.name),
                limit: r.limit,
                terms: r.terms.iter().map(|&(v, c)| (v + p.offset, c)).collect(),
                sense: r.sense,
                rhs: r.rhs,
            });
        }
    }
    let mut model = parts[0].model.clone();
    model.scale = scale;
    model.vars = vars;
    model.rows = rows;
    // Only `vars`, `rows` and `scale` are read when the joint model is solved.
    model.row_of.clear();
    let mut joint = Joint { model, parts, path: Vec::new() };

    let f0 = base[0].fund.balance;
    let b0 = base[0].bonds.balance;
    let mut net = Lin::default();
    for (t, sc) in base.iter().enumerate() {
        net.add(&joint.parts[t].net_drawdown(), 1.0);
        let rhs = to_f((f0 - sc.fund.floor).as_decimal());
        push_path(
            &mut joint,
            format!("fund_floor.{}", sc.fiscal_year),
            ConstraintKind::PlanFundFloor { year: sc.fiscal_year },
            t,
            &net.clone(),
            Sense::Le,
            rhs,
            1.0,
        );
    }
    if !plan.next_generation_target.is_zero() {
        let mut ng = Lin::default();
        for p in &joint.parts {
            ng.add(&p.limit(Limit::NextGeneration), 1.0);
        }
        let rhs = plan.next_generation_target.to_f64();
        let last = base.len() - 1;
        let kind = ConstraintKind::PlanNextGeneration;
        push_path(&mut joint, "next_generation".into(), kind, last, &ng, Sense::Ge, rhs, 1.0);
    }
    if base.iter().all(|s| s.fiscal.is_some()) {
        add_ratio_rows(&mut joint, base, b0, f0);
    }
    Ok(joint)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn push_path(
    joint: &mut Joint,
    name: String,
    kind: ConstraintKind,
    year: usize,
    lin: &Lin,
    sense: Sense,
    rhs_yen: f64,
    per_point: f64,
) {
    let s = joint.model.scale;
    joint.model.rows.push(Row {
        name,
        // Unused in the joint model (it is never explained row by row); path rows carry their kind.
        limit: Limit::Balance,
        terms: lin.terms.iter().map(|&(v, c)| (v, c / s)).collect(),
        sense,
        rhs: (rhs_yen - lin.constant) / s,
    });
    joint.path.push(PathRow { row: joint.model.rows.len() - 1, kind, year, per_point });
}

/// The 3-year mean real debt-service ratio and the future burden ratio of every year, as rows.
pub(super) fn add_ratio_rows(joint: &mut Joint, base: &[Scenario], b0: Money, f0: Money) {
    let issuance: Vec<Lin> = joint.parts.iter().map(|p| p.limit(Limit::IssuanceCap)).collect();
    let empty = History::default();
    // The single-year numerator of year u, in yen: constant + Σ_{s≤u} rate × issuance_s.
    let numerator = |u: usize| -> Lin {
        let mut lin =
            Lin { terms: Vec::new(), constant: debt_service_constant(&base[u], &empty).map_or(0.0, |m| m.to_f64()) };
        for s in 0..=u {
            let rate = base[s].fiscal.as_ref().map_or(Decimal::ZERO, |f| f.new_issue_rate);
            let a = if s == u { rate / Decimal::TWO } else { rate };
            lin.add(&issuance[s], to_f(a));
        }
        lin
    };
    let den = |u: usize| base[u].fiscal.as_ref().map_or(1.0, |f| f.ratio_denominator().to_f64());
    let stated = base[0].fiscal.as_ref().map(|f| f.real_debt_service_history.clone()).unwrap_or_default();
    let mut balance_path = Lin::default();
    let mut redeemed = Money::ZERO;
    for (t, sc) in base.iter().enumerate() {
        let Some(f) = sc.fiscal.as_ref() else { continue };
        // Window: up to two entries before t (stated history before the plan, then plan years).
        let plan_years: Vec<usize> = (t.saturating_sub(2)..=t).collect();
        let from_history = 3usize.saturating_sub(plan_years.len()).min(stated.len());
        let hist: Vec<Decimal> = stated.iter().rev().take(from_history).copied().collect();
        let n = (plan_years.len() + hist.len()) as f64;
        let limit = hard_limit(DEBT_SERVICE_EARLY, f.real_debt_service_limit);
        let d_t = den(t);
        let mut lin = Lin::default();
        for &u in &plan_years {
            lin.add(&numerator(u), d_t / den(u));
        }
        let rhs = d_t * (n * to_f(limit) - hist.iter().map(|&h| to_f(h)).sum::<f64>());
        // Each ratio: Σ ≤ rhs in year t, named `<ratio>.<fiscal year>`.
        let year = sc.fiscal_year;
        let ratio_row = |joint: &mut Joint, ratio: &str, kind: ConstraintKind, lin: &Lin, rhs: f64, scale: f64| {
            push_path(joint, format!("{ratio}.{year}"), kind, t, lin, Sense::Le, rhs, scale);
        };
        ratio_row(joint, "real_debt_service", ConstraintKind::RealDebtService { year }, &lin, rhs, n * d_t);

        // Future burden: bond balance − fund balance + constant ≤ limit × denominator.
        redeemed += sc.bonds.redemption;
        balance_path.add(&issuance[t], 1.0);
        balance_path.add(&joint.parts[t].net_drawdown(), 1.0);
        let mut fb = balance_path.clone();
        fb.constant += (b0 - redeemed - f0 + future_burden_constant(sc).unwrap_or_default()).to_f64();
        let limit = hard_limit(FUTURE_BURDEN_EARLY, f.future_burden_limit);
        ratio_row(joint, "future_burden", ConstraintKind::FutureBurden { year }, &fb, to_f(limit) * d_t, d_t);
    }
}

/// The limit the plan holds a statutory ratio to: [`HARD_LIMIT_MARGIN`] under its early-soundness
/// `threshold`, or the city's own limit where that is lower.
fn hard_limit(threshold: Decimal, city: Option<Decimal>) -> Decimal {
    let limit = threshold - HARD_LIMIT_MARGIN;
    city.map_or(limit, |c| limit.min(c))
}

/// A statutory ratio's row (the real debt-service ratio or the future burden ratio).
pub(super) fn is_ratio(kind: &ConstraintKind) -> bool {
    matches!(kind, ConstraintKind::RealDebtService { .. } | ConstraintKind::FutureBurden { .. })
}

/// The least value a row's expression can take within the variables' bounds (scaled units).
pub(super) fn least(model: &Model, row: &Row) -> f64 {
    row.terms
        .iter()
        .map(|&(v, c)| {
            let var = &model.vars[v];
            (c * var.lo).min(c * var.hi)
        })
        .sum()
}

/// A ratio limit that cannot hold even at the least issuance the review allows fails here, with
/// its reason: the ratio is set by past borrowing, not by this plan's decisions.
pub(super) fn precheck(plan: &Plan, joint: &Joint, base: &[Scenario]) -> Result<()> {
    for p in &joint.path {
        if !is_ratio(&p.kind) {
            continue;
        }
        let row = &joint.model.rows[p.row];
        let low = least(&joint.model, row);
        if low <= row.rhs + 1e-9 * row.rhs.abs().max(1.0) {
            continue;
        }
        let sc = &base[p.year];
        let s = joint.model.scale;
        let debt_service = matches!(p.kind, ConstraintKind::RealDebtService { .. });
        let (what, limit_words, threshold) = match debt_service {
            true => (
                "the 3-year real debt-service ratio (実質公債費比率)",
                "early-soundness threshold (早期健全化基準)",
                DEBT_SERVICE_EARLY,
            ),
            _ => (
                "the future burden ratio (将来負担比率)",
                "early-soundness threshold (早期健全化基準, 400% unverified)",
                FUTURE_BURDEN_EARLY,
            ),
        };
        // Row: Σ ≤ rhs with rhs = limit·den − constant; at the least issuance the mean is (low − rhs)/den above the limit.
        let over = (low - row.rhs) * s / p.per_point;
        let city = sc.fiscal.as_ref().and_then(|x| match debt_service {
            true => x.real_debt_service_limit,
            _ => x.future_burden_limit,
        });
        let limit = hard_limit(threshold, city);
        let at_least = to_f(limit) + over;
        let mut d = Diagnostic::error(format!(
            "{what} of FY{} would be at least {:.1}% even at the least bond issuance the review allows",
            sc.fiscal_year,
            (at_least * 1000.0).floor() / 10.0
        ))
        .at_opt(sc.fiscal.as_ref().and_then(|x| x.location.clone()))
        .note(format!(
            "waku holds it at {} or less: the {limit_words} is {}{}",
            share_as_written(limit),
            share_as_written(threshold),
            match city {
                Some(c) => format!(", the city's own limit {}", share_as_written(c)),
                None => String::new(),
            }
        ));
        if debt_service {
            d = d.note(format!(
                "debt service set by past borrowing: redemption {}, interest {}, other {}, 準元利償還金 {}",
                sc.bonds.redemption.format(plan.display_unit),
                sc.fiscal.as_ref().map_or(Money::ZERO, |x| x.interest).format(plan.display_unit),
                sc.fiscal.as_ref().map_or(Money::ZERO, |x| x.other_debt_service).format(plan.display_unit),
                sc.fiscal.as_ref().map_or(Money::ZERO, |x| x.quasi_debt_service).format(plan.display_unit),
            ));
        }
        return Err(Error::Infeasible(Box::new(d.hint(
            "a plan's own issuance cannot bring it under the line: the city needs a fiscal soundness plan (財政健全化計画); check the redemption schedule and `[fiscal]` inputs",
        ))));
    }
    Ok(())
}

/// Which path rows bind at the joint optimum, and each year's share of the binding coupled limits.
pub(super) fn apply_shares(plan: &Plan, joint: &Joint, x: &[f64], finals: &mut [Scenario]) -> Vec<ConstraintKind> {
    let m = &joint.model;
    let tol = binding_tolerance(m, finals);
    let eval = |lin: &Lin| lin.constant + lin.terms.iter().map(|&(v, c)| c * x[v]).sum::<f64>();
    let mut kinds = Vec::new();
    for p in &joint.path {
        let row = &m.rows[p.row];
        let act = m.row_activity(row, x);
        if (act - row.rhs).abs() <= tol {
            kinds.push(p.kind.clone());
        }
    }
    let unit = |sc: &Scenario| Money::from_decimal(sc.rounding_unit.factor()).max(Money::yen(1));
    if kinds.contains(&ConstraintKind::PlanNextGeneration) {
        let mut shares: Vec<Money> = Vec::new();
        let mut room: Vec<Money> = Vec::new();
        for (t, sc) in finals.iter().enumerate() {
            let lin = joint.parts[t].limit(Limit::NextGeneration);
            let u = unit(sc);
            let v = Money::from_f64(eval(&lin)).unwrap_or_default();
            let g = v.to_grid(u, Grid::Nearest);
            let most =
                lin.constant + lin.terms.iter().map(|&(v, c)| (c * m.vars[v].hi).max(c * m.vars[v].lo)).sum::<f64>();
            room.push(Money::from_f64(most).unwrap_or_default() - g);
            shares.push(g);
        }
        let total: Money = shares.iter().copied().sum();
        let short = plan.next_generation_target - total;
        if short > Money::ZERO {
            if let Some((t, _)) = room.iter().enumerate().max_by_key(|&(_, r)| *r) {
                let u = unit(&finals[t]);
                shares[t] += short.to_grid(u, Grid::Up);
            }
        }
        for (sc, g) in finals.iter_mut().zip(shares) {
            sc.policy.next_generation_target = sc.policy.next_generation_target.max(g);
        }
    }
    if kinds.iter().any(|k| matches!(k, ConstraintKind::PlanFundFloor { .. } | ConstraintKind::FutureBurden { .. })) {
        for (t, sc) in finals.iter_mut().enumerate() {
            let p = &joint.parts[t];
            let d = x[p.model.drawdown + p.offset] * p.model.scale;
            let d = Money::from_f64(d.max(0.0)).unwrap_or_default();
            let up = d.to_grid(unit(sc), Grid::Up);
            sc.fund.max_drawdown = sc.fund.max_drawdown.min(up);
        }
    }
    if kinds.iter().any(is_ratio) {
        for (t, sc) in finals.iter_mut().enumerate() {
            let lin = joint.parts[t].limit(Limit::IssuanceCap);
            let i = Money::from_f64(eval(&lin).max(0.0)).unwrap_or_default();
            let down = i.to_grid(unit(sc), Grid::Down);
            let fixed = Money::from_f64(lin.constant).unwrap_or_default();
            sc.bonds.issuance_cap = sc.bonds.issuance_cap.min(down.max(fixed));
        }
    }
    kinds
}

/// Why the joint model has no solution: a year that fails on its own, else the path limits.
pub(super) fn diagnose_joint(
    plan: &Plan,
    joint: &Joint,
    base: &[Scenario],
    reviews: &[Review],
    options: &Options,
) -> Error {
    for (t, sc) in base.iter().enumerate() {
        if let Err(e) = allocate::allocate(sc, &reviews[t], options) {
            return in_year(e, plan.years[t].year);
        }
    }
    let mut d = Diagnostic::error("the plan's limits cannot all hold together, though each year can on its own");
    let m = &joint.model;
    for p in &joint.path {
        let row = &m.rows[p.row];
        if p.kind == ConstraintKind::PlanNextGeneration {
            let most: f64 = row.terms.iter().map(|&(v, c)| (c * m.vars[v].hi).max(c * m.vars[v].lo)).sum();
            let short = (row.rhs - most) * m.scale;
            if short > 0.0 {
                d = d.note(format!(
                    "the next-generation frame can reach at most {} over the plan; the target is {} (short by {})",
                    (plan.next_generation_target - Money::from_f64(short).unwrap_or_default())
                        .format(plan.display_unit),
                    plan.next_generation_target.format(plan.display_unit),
                    Money::from_f64(short).unwrap_or_default().format(plan.display_unit)
                ));
            }
        }
    }
    d = d.note(
        "the years are linked by the fund floor at every year end, the cumulative next-generation frame and the ratio limits",
    );
    Error::Infeasible(Box::new(d.hint(
        "lower the cumulative `plan.next_generation_target`, raise a year's `fund.max_drawdown`, or allow more drawdown before the floor",
    )))
}

/// How near its limit (model units) a path row counts as binding: 10⁻⁶ of the largest general revenue.
fn binding_tolerance(m: &Model, years: &[Scenario]) -> f64 {
    let gr = years.iter().map(|s| s.revenue.general_revenue.to_f64()).fold(1.0, f64::max);
    1e-6 * gr / m.scale
}

/// Whether the one year's own optimum `x` (its model's variables, in the joint model's order) is
/// the joint model's optimum, with no path row binding — so the joint model needs no solve.
///
/// The joint model is the year's model with the fund floor moved from the drawdown limit into a
/// path row on the net drawdown (drawdown − deposit), and the ratio and next-generation rows
/// besides, under the same objective. Drawing and depositing together only costs, so a joint
/// optimum can be taken with the drawdown within the year's own limit: the joint optimum is no
/// better than the year's. If `x` keeps every joint row and bound, it is a joint optimum. It must
/// keep every path row with more room than the tolerance at which [`apply_shares`] counts a row
/// as binding, so that the year's limits stay as they are.
pub(super) fn holds_with_room(joint: &Joint, base: &[Scenario], x: &[f64]) -> bool {
    let m = &joint.model;
    let [part] = &joint.parts[..] else { return false };
    if x.len() != m.vars.len() || part.model.vars.len() != m.vars.len() {
        return false;
    }
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let within = m.vars.iter().zip(x).all(|(v, &x)| (x >= v.lo || near(x, v.lo)) && (x <= v.hi || near(x, v.hi)));
    let tol = binding_tolerance(m, base);
    let mut is_path = vec![false; m.rows.len()];
    for p in &joint.path {
        is_path[p.row] = true;
    }
    within
        && m.rows.iter().zip(&is_path).all(|(row, &path)| {
            let act = m.row_activity(row, x);
            match (row.sense, path) {
                (Sense::Le, false) => act <= row.rhs || near(act, row.rhs),
                (Sense::Ge, false) => act >= row.rhs || near(act, row.rhs),
                (Sense::Eq, false) => near(act, row.rhs),
                (Sense::Le, true) => act < row.rhs - tol,
                (Sense::Ge, true) => act > row.rhs + tol,
                (Sense::Eq, true) => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The town's one-year plan: its joint model, and the year's own optimum in it.
    fn town() -> (Joint, Vec<Scenario>, Vec<f64>) {
        let sc = crate::scenario::load(std::path::Path::new("tests/fixtures/fiscal/debt-service-18-warning.toml"))
            .expect("the town loads");
        let review =
            crate::review::review(&sc, &crate::rules::Ruleset::for_scenario(&sc).expect("rules")).expect("review");
        let plan = Plan::single(sc.clone());
        let base = vec![sc.clone()];
        let joint = build_joint(&plan, &base, std::slice::from_ref(&review)).expect("joint model");
        let own = Model::build(&sc, &review).expect("own model");
        let x = allocate::solve_values(&own, Options::default()).expect("an optimum");
        (joint, base, x)
    }

    #[test]
    fn a_path_row_without_room_needs_the_joint_solve() {
        let (mut joint, base, x) = town();
        assert!(holds_with_room(&joint, &base, &x), "the town's own optimum keeps every path row with room");
        let tol = binding_tolerance(&joint.model, &base);
        let k = joint.path.iter().find(|p| is_ratio(&p.kind)).expect("a ratio row").row;
        let act = joint.model.row_activity(&joint.model.rows[k], &x);
        for (rhs, holds) in [(act + 2.0 * tol, true), (act + 0.5 * tol, false), (act, false), (act - 1.0, false)] {
            joint.model.rows[k].rhs = rhs;
            assert_eq!(
                holds_with_room(&joint, &base, &x),
                holds,
                "ratio row at {rhs} (activity {act}, tolerance {tol})"
            );
        }
    }
}
