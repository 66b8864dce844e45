//! The allocation assembled from the exact solution and the duals: constraint reports with shadow
//! prices, and what holds each program where it is.
//!
//! A shadow price is d(objective)/d(limit): the priority-weighted funding one more yen of the
//! limit would buy (a priority-1 program gaining one yen adds one). Caps have non-negative prices;
//! floors non-positive ones (lowering a floor frees money). A program's cost is held where it is by
//! comparing its priority per yen with what the binding limits charge per yen of its cost,
//! Σ coefficient × shadow price over the constraints it counts in (its reduced cost).

use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::model::{Fixed, Limit, Model, ProgramState, Sense, shares};
use super::prices::has_free;
use super::rounding::Exact;
use super::solve::RawSolution;
use super::{Allocation, ConstraintKind, ConstraintReport, Envelope, Holding, ProgramAllocation};
use crate::money::{Money, Unit};
use crate::review::Review;
use crate::scenario::{FundDraw, Scenario};

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
pub(crate) fn assemble(
    model: &Model,
    sc: &Scenario,
    review: &Review,
    raw: &RawSolution,
    e: &Exact,
    duals: Option<&[f64]>,
) -> Allocation {
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
        let dual = duals.map(|d| d[k]);
        // A row of constants limits nothing the allocation decides (`prices::has_free`).
        let binding = has_free(model, sc, row)
            && (row.sense == Sense::Eq || slack.to_f64() <= tol || dual.is_some_and(|d| d.abs() >= PRICE_EPS));
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
            // The effects of loosening are computed beside the assembly and put in after (`finish`).
            effect: None,
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
        let binding_rows = model.program_var(i).and_then(|v| rows_of_var.get(v)).map_or(&[][..], Vec::as_slice);
        let limits = binding_rows.iter().map(|&k| model.rows[k].name.clone()).collect();
        let allocation_reason = (cost < p.requested).then(|| {
            let why = Why {
                model,
                sc,
                constraints: &constraints,
                rows: binding_rows,
                i,
                held_by,
                cost,
                bounds: (a.min, a.max),
            };
            why.words(a.action)
        });
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
            allocation_reason,
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
        style: sc.policy.style,
        style_detail: model.style.clone(),
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
        fund_policy: sc.fund.draw,
        fund_reason: fund_reason(model, sc, e),
        next_generation: e.next_generation,
        next_generation_target: sc.policy.next_generation_target,
        total_allocated: e.cost.iter().copied().sum(),
        total_requested: sc.total_requested(),
        by_kind: Vec::new(),
        by_bureau: Vec::new(),
        proposals: Vec::new(),
        proposal_reserve: None,
        lp_objective: model.objective(&raw.values),
        lp_values: raw.values.clone(),
        lp_as_stated: true,
        display_unit: sc.display_unit,
    };
    allocation.refresh_totals();
    allocation
}

/// What the allocation's reason for one program is made of.
struct Why<'a> {
    model: &'a Model,
    sc: &'a Scenario,
    constraints: &'a [ConstraintReport],
    /// The binding rows with a price that the program counts in.
    rows: &'a [usize],
    i: usize,
    held_by: Holding,
    cost: Money,
    bounds: (Money, Money),
}

impl Why<'_> {
    /// 配分の理由 of a program funded below its request.
    fn words(&self, action: crate::review::Action) -> String {
        let u = self.sc.display_unit;
        let p = &self.sc.programs[self.i];
        let (min, max) = self.bounds;
        match self.held_by {
            Holding::Pinned | Holding::AllOrNothing if max.is_zero() => {
                format!("見直しで{action}とされたため配分なし")
            }
            Holding::Pinned => format!("見直しにより{}に固定（{action}）", self.cost.format(u)),
            Holding::ReviewMax | Holding::EnvelopeFloor | Holding::Mandatory => format!(
                "見直しの上限{}まで配分（要求額{}との差{}は見直しによる{action}）",
                max.format(u),
                p.requested.format(u),
                (p.requested - max).format(u)
            ),
            Holding::ReviewMin if self.reserve_takes_the_margin() => format!(
                "見直しの下限{}で配分。{}。下限を超える分の一般財源は市長調整枠に回る（市長調整枠は下限と上限の間にあり、その1円の価値が限界値）",
                min.format(u),
                self.against_the_margin("を下回るため")
            ),
            Holding::ReviewMin => format!(
                "財源が足りず、見直しの下限{}で配分。{}",
                min.format(u),
                self.against_the_margin("を下回るため")
            ),
            Holding::Marginal if self.off_the_margin() => format!(
                "見直しの上限{}より{}少ない{}を配分：金額を{}単位に丸めたうえで各限度を円単位で保つための調整",
                max.format(u),
                (max - self.cost).format(Unit::Yen),
                self.cost.format(u),
                self.sc.rounding_unit.suffix()
            ),
            Holding::Marginal => format!(
                "限界的な事業：縛っている限度の残りを配分（見直しの上限{}のうち{}）。{}",
                max.format(u),
                self.cost.format(u),
                self.against_the_margin("と等しい")
            ),
            Holding::AllOrNothing => self.not_chosen(),
            Holding::BureauFixed | Holding::BureauMax | Holding::BureauMin => {
                "所管局の予算方針（自律的予算編成）により、局の枠の中で配分".into()
            }
            Holding::Decided => format!("査定により{}に決定", self.cost.format(u)),
            Holding::DecisionMax => format!("査定の上限{}まで配分", max.format(u)),
            Holding::DecisionMin => format!("財源が足りず、査定の下限{}で配分", min.format(u)),
            Holding::Held => format!(
                "{}の額のまま（この段階の決定なし）",
                self.sc.cycle.as_ref().and_then(|c| c.previous()).map_or("前段階", |s| s.name.as_str())
            ),
        }
    }

    /// Whether money is not short but goes to the mayor's reserve instead: the reserve lies strictly
    /// between its minimum and maximum, so the marginal yen of general revenue is the reserve's.
    fn reserve_takes_the_margin(&self) -> bool {
        let at_limit = |c: &ConstraintReport| {
            c.binding && matches!(c.kind, ConstraintKind::ReserveMin { .. } | ConstraintKind::ReserveMax { .. })
        };
        let balance_binds = self.rows.iter().any(|&k| self.constraints[k].kind == ConstraintKind::Balance);
        balance_binds && !self.constraints.iter().any(at_limit)
    }

    /// Whether a program between its bounds is there not because the limits price it at the
    /// margin (its value equal to their charge) but because rounding to the unit moved it off its
    /// bound: the two differ by half the last decimal shown, or more.
    fn off_the_margin(&self) -> bool {
        self.value_and_charge().is_some_and(|(_, value, charge)| (value - charge).abs() >= 5e-4 * value.abs().max(1.0))
    }

    /// An all-or-nothing program left out: the caps its full request would break, else its value
    /// against the margin.
    fn not_chosen(&self) -> String {
        let (sc, model) = (self.sc, self.model);
        let u = sc.display_unit;
        let p = &sc.programs[self.i];
        let full = p.funding(p.requested);
        let d = model.department_of[self.i];
        let mut broken = Vec::new();
        for (k, row) in model.rows.iter().enumerate() {
            let need = match row.limit {
                Limit::EnvelopeCeiling(x) if x == d => full.general_revenue,
                Limit::InvestmentCap if p.kind == crate::scenario::ProgramKind::Investment => p.requested,
                Limit::IssuanceCap => full.bonds,
                _ => continue,
            };
            if need > self.constraints[k].slack {
                broken.push(format!(
                    "{}（余裕{}）",
                    self.constraints[k].kind.label_ja(),
                    self.constraints[k].slack.format(u)
                ));
            }
        }
        if !broken.is_empty() {
            return format!(
                "全額採否の事業で不採択：全額{}を配分すると{}を超えるため",
                p.requested.format(u),
                broken.join("、")
            );
        }
        format!("全額採否の事業で不採択。{}", self.against_the_margin("に届かないため"))
    }

    /// "一般財源1円当たりの価値1.056が、縛っている限度（一般財源の収支（歳入 = 歳出））の限界値1.001を下回るため":
    /// the program's priority per yen of general revenue against what the binding limits charge for
    /// it (Σ coefficient × shadow price over the limits it counts in, per yen of general revenue).
    fn against_the_margin(&self, verb: &str) -> String {
        let labels: Vec<String> = self.rows.iter().map(|&k| self.constraints[k].kind.label_ja()).collect();
        let Some((what, value, charge)) = self.value_and_charge() else {
            return if labels.is_empty() {
                String::new()
            } else {
                format!("縛っている限度：{}", labels.join("、"))
            };
        };
        if labels.is_empty() {
            return format!("{what}の価値{value:.3}");
        }
        if verb == "と等しい" {
            // At the margin the two are equal by the optimum's conditions: the value says both.
            return format!("{what}の価値{value:.3}が、縛っている限度（{}）の限界値と等しい", labels.join("、"));
        }
        let (value, charge) = apart(value, charge);
        format!("{what}の価値{value}が、縛っている限度（{}）の限界値{charge}{verb}", labels.join("、"))
    }

    /// The program's value and what the binding limits charge for it, per yen of general revenue
    /// (per yen of cost when it needs none); `None` without a variable or without shadow prices.
    fn value_and_charge(&self) -> Option<(&'static str, f64, f64)> {
        let model = self.model;
        let var = model.program_var(self.i)?;
        let per_unit = match model.vars[var].kind {
            super::model::VarKind::Program { per_unit, .. } => per_unit,
            _ => 1.0,
        };
        let mut charge = 0.0;
        for &k in self.rows {
            let price = self.constraints[k].shadow_price?;
            let coef = model.rows[k].terms.iter().find(|t| t.0 == var).map_or(0.0, |t| t.1) / per_unit;
            charge += coef * price;
        }
        let value = model.vars[var].obj / per_unit;
        let g = shares(&self.sc.programs[self.i]).general;
        Some(if g > 0.0 {
            ("一般財源1円当たり", value / g, charge / g)
        } else {
            ("事業費1円当たり", value, charge)
        })
    }
}

/// Why the fund was or was not drawn, under the scenario's fund policy, in a budget office's words.
fn fund_reason(model: &Model, sc: &Scenario, e: &Exact) -> String {
    let u = sc.display_unit;
    let policy = sc.fund.draw;
    let limit = model.drawdown_limit.max(Money::ZERO);
    let drawn = e.drawdown;
    let reserve_weight = sc.policy.reserve_weight.normalize();
    // Programs the allocation funds below the review's maximum, and the general revenue they lack;
    // `worth` keeps those worth more per yen of general revenue than drawing the fund costs.
    let (mut short, mut short_money, mut worth, mut worth_money) = (0usize, Money::ZERO, 0usize, Money::ZERO);
    for (i, p) in sc.programs.iter().enumerate() {
        let Some(var) = model.program_var(i) else { continue };
        let max = model.bounds[i].1;
        if e.cost[i] >= max {
            continue;
        }
        let lack = p.general_revenue(max) - e.funding[i].general_revenue;
        if lack <= Money::ZERO {
            continue;
        }
        short += 1;
        short_money += lack;
        let per_unit = match model.vars[var].kind {
            super::model::VarKind::Program { per_unit, .. } => per_unit,
            _ => 1.0,
        };
        let g = super::model::shares(p).general;
        if g > 0.0 && model.vars[var].obj / per_unit / g > model.penalty {
            worth += 1;
            worth_money += lack;
        }
    }
    // The programs the fund leaves short, when the policy does not draw it for them.
    let short_words = |tail: &str| {
        if short == 0 {
            return String::new();
        }
        let lack = short_money.format(u);
        format!(
            "見直しの上限に届かない事業が{short}事業（一般財源で計{lack}）ありますが、この方針では基金で補いません{tail}"
        )
    };
    let default = if policy == FundDraw::default() { "、既定" } else { "" };
    let mut s = format!("基金取崩しの方針は「{}」（`[fund] draw = \"{}\"`{default}）。", policy.label(), policy.id());
    let available = if limit == sc.fund.max_drawdown {
        format!("取崩し可能額{}（年度の取崩し上限）", limit.format(u))
    } else {
        format!(
            "取崩し可能額{}（残高{}のうち基金の下限{}を超える分）",
            limit.format(u),
            sc.fund.balance.format(u),
            sc.fund.floor.format(u)
        )
    };
    match policy {
        FundDraw::Never => {
            s.push_str("基金は取り崩していません。");
            s.push_str(&short_words("。"));
        }
        FundDraw::BeforeCuts if limit.is_zero() => {
            let _ = write!(s, "取崩し可能額がないため、取り崩していません（{available}）。");
        }
        FundDraw::BeforeCuts if drawn >= limit => {
            let _ = write!(
                s,
                "一般財源が不足し、市長調整枠（重み{reserve_weight}）より一般財源1円当たりの価値が高い事業を見直しの上限まで配分できないため、{available}の全額を取り崩しました。"
            );
            if worth > 0 {
                let _ = write!(
                    s,
                    "それでも、そうした事業のうち{worth}事業が見直しの上限に届かず、一般財源で計{}不足しています。",
                    worth_money.format(u)
                );
            }
        }
        FundDraw::BeforeCuts if drawn > Money::ZERO => {
            let _ = write!(
                s,
                "市長調整枠（重み{reserve_weight}）より一般財源1円当たりの価値が高い事業を見直しの上限まで配分するのに必要な{}を取り崩しました（{available}）。それ以上は取り崩しません：上限に届かない残りの事業は、局の枠の上限などほかの限度で止まっているか、市長調整枠より価値が低く、市長調整枠を積み増すためには取り崩さないため。",
                drawn.format(u)
            );
        }
        FundDraw::BeforeCuts => {
            let _ = write!(
                s,
                "取り崩していません：一般財源の不足で見直しの上限を下回っている事業に、市長調整枠（重み{reserve_weight}）より一般財源1円当たりの価値が高いものはないため（{available}）。"
            );
        }
        FundDraw::LastResort if drawn > Money::ZERO => {
            let _ = write!(
                s,
                "見直しの下限や局の枠の下限、市長調整枠の下限などの限度が取崩しなしでは満たせないため、{}を取り崩しました（{available}）。",
                drawn.format(u)
            );
        }
        FundDraw::LastResort => {
            s.push_str("取り崩していません：限度はすべて取崩しなしで満たせるため。");
            s.push_str(&short_words("（事業を削る前に取り崩すには `[fund] draw = \"before_cuts\"`）。"));
        }
    }
    s
}

/// Per yen of a program's cost, the share that counts in a constraint of this kind.
pub(super) fn coefficient(kind: &ConstraintKind, p: &crate::scenario::Program) -> f64 {
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

/// Two values per yen with as many decimals (3 to 6) as it takes to tell them apart.
pub(super) fn apart(a: f64, b: f64) -> (String, String) {
    let mut dp = 3;
    while dp < 6 && format!("{a:.dp$}") == format!("{b:.dp$}") {
        dp += 1;
    }
    (format!("{a:.dp$}"), format!("{b:.dp$}"))
}
