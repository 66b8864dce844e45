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

use super::model::{Fixed, Limit, Model, ProgramState, Sense, shares};
use super::prices::{Priced, has_free};
use super::rounding::Exact;
use super::solve::RawSolution;
use super::{Allocation, ConstraintKind, ConstraintReport, Envelope, Holding, ProgramAllocation};
use crate::diagnostic::{Diagnostic, suggestion};
use crate::money::{Money, Unit};
use crate::review::Review;
use crate::scenario::names::{Kind, Lookup, Names};
use crate::scenario::{FundDraw, ProgramKind, Scenario};
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
pub(crate) fn assemble(
    model: &Model,
    sc: &Scenario,
    review: &Review,
    raw: &RawSolution,
    e: &Exact,
    priced: &Priced,
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
        let dual = priced.duals.as_ref().map(|d| d[k]);
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
            effect: if binding { priced.effects[k].clone() } else { None },
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
    Allocation {
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
        fund_policy: sc.fund.draw,
        fund_reason: fund_reason(model, sc, e),
        next_generation: e.next_generation,
        next_generation_target: sc.policy.next_generation_target,
        total_allocated: e.cost.iter().copied().sum(),
        total_requested: sc.total_requested(),
        lp_objective: model.objective(&raw.values),
        lp_values: raw.values.clone(),
        display_unit: sc.display_unit,
    }
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

/// The language of `waku explain`: Japanese by default, English with `--lang en`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// 日本語 (a budget office's words).
    #[default]
    Ja,
    /// English.
    En,
}

/// What `waku explain` reads besides the allocation.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub scenario: &'a Scenario,
    /// The review behind the allocation (its findings), when there is one.
    pub review: Option<&'a Review>,
    /// How the ruleset names each viewpoint, by id: `("needs", "視点1 必要性")`.
    pub viewpoints: &'a [(String, String)],
    pub lang: Lang,
}

/// `waku explain`: why a program, a bureau or a constraint ended where it did.
pub fn explain(allocation: &Allocation, cx: &Context, subject: &str) -> Result<String> {
    let a = allocation;
    let scenario = cx.scenario;
    let program = |i: usize| match cx.lang {
        Lang::Ja => explain_program_ja(a, cx, i),
        Lang::En => explain_program(a, scenario, i),
    };
    let department = |d: usize| explain_department(a, d, cx.lang);
    if let Some(i) = a.programs.iter().position(|p| p.id == subject) {
        return Ok(program(i));
    }
    if let Some(d) = a.envelopes.iter().position(|e| e.department == subject) {
        return Ok(department(d));
    }
    if let Some(c) = a.constraints.iter().find(|c| c.name == subject) {
        return Ok(match cx.lang {
            Lang::Ja => explain_constraint_ja(a, c),
            Lang::En => explain_constraint(a, scenario, c),
        });
    }
    // A bureau or a program by its Japanese name (市民文化スポーツ局).
    let names = Names::of(scenario);
    let kinds = [Kind::Bureau, Kind::Program];
    match names.find(subject, &kinds) {
        Lookup::Found(Kind::Bureau, id) => {
            if let Some(d) = a.envelopes.iter().position(|e| e.department == id) {
                return Ok(department(d));
            }
        }
        Lookup::Found(Kind::Program, id) => {
            if let Some(i) = a.programs.iter().position(|p| p.id == id) {
                return Ok(program(i));
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
    // In a stage of the budget cycle the bounds are the review's narrowed by the 査定 decisions.
    let (bounds, narrowed) =
        if sc.cycle.is_some() { ("bounds", " (the review's, within the 査定)") } else { ("review bounds", "") };
    let _ = writeln!(
        out,
        "  requested {} (prior year {}); {bounds} {} to {}{narrowed}",
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
        Holding::Decided => {
            "a 査定 decision of the budget cycle fixes the amount, outside the optimisation".to_string()
        }
        Holding::Held => {
            "kept at its amount in the stage before (from the 市長査定 on, only a decision changes a program)"
                .to_string()
        }
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
        Holding::ReviewMax | Holding::ReviewMin | Holding::Marginal | Holding::DecisionMax | Holding::DecisionMin => {
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
                Holding::DecisionMax => {
                    "held at the 査定 decision's maximum: its priority per yen is above what the binding limits charge for a yen of its cost"
                }
                Holding::DecisionMin => {
                    "held at the 査定 decision's minimum: the binding limits charge more for a yen of its cost than its priority"
                }
                _ => "marginal: between its bounds, where its priority per yen equals what the binding limits charge",
            };
            let detail =
                if parts.is_empty() { "no binding limit charges for it".to_string() } else { parts.join(" + ") };
            format!("{what}\n    priority {priority:.4} per yen vs charge {charge:.4} per yen ({detail})")
        }
    };
    let _ = writeln!(out, "  {why}");
    if let Some(reason) = &p.allocation_reason {
        let _ = writeln!(out, "  配分の理由: {reason}");
    }
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

/// A bureau: its envelope against floor and ceiling, its limits, its programs by what holds them
/// and its marginal programs, in either language.
fn explain_department(a: &Allocation, d: usize, lang: Lang) -> String {
    let u = a.display_unit;
    let e = &a.envelopes[d];
    let ja = lang == Lang::Ja;
    let mut out = String::new();
    let (amount, base, requested, floor, ceiling) =
        (e.amount.format(u), e.base.format(u), e.requested.format(u), e.floor.format(u), e.ceiling.format(u));
    if ja {
        let _ = writeln!(out, "局 {}（{}）", e.name, e.department);
        let _ =
            writeln!(out, "  配分枠 {amount}（基準額 {base}、要求額 {requested}）。枠の下限 {floor}、上限 {ceiling}。");
    } else {
        let _ = writeln!(out, "bureau `{}` {}", e.department, e.name);
        let _ =
            writeln!(out, "  envelope {amount} (base {base}, requested {requested}); floor {floor}, ceiling {ceiling}");
    }
    for c in a.constraints.iter().filter(|c| c.kind.department() == Some(e.department.as_str())) {
        let _ = match (ja, c.binding) {
            (true, true) => writeln!(out, "  {}: {}", c.kind.label_ja(), c.price_words_ja(u)),
            (true, false) => writeln!(out, "  {}: 拘束していません（余裕{}）。", c.kind.label_ja(), c.slack.format(u)),
            (false, _) => writeln!(out, "  {} — {}", c.label, c.price_words(u)),
        };
    }
    let mine: Vec<&ProgramAllocation> = a.programs.iter().filter(|p| p.department == e.department).collect();
    let mut counts: BTreeMap<&str, (usize, Money, Money)> = BTreeMap::new();
    for p in &mine {
        let words = if ja { p.held_by.label_ja() } else { p.held_by.words() };
        let entry = counts.entry(words).or_insert((0, Money::ZERO, Money::ZERO));
        entry.0 += 1;
        entry.1 += p.requested;
        entry.2 += p.allocated;
    }
    let _ = if ja { writeln!(out, "  {}事業:", mine.len()) } else { writeln!(out, "  {} programs:", mine.len()) };
    for (words, (n, req, alloc)) in counts {
        let (req, alloc) = (req.format(u), alloc.format(u));
        let _ = if ja {
            writeln!(out, "    {words}: {n}事業（要求 {req}、配分 {alloc}）")
        } else {
            writeln!(out, "    {n:>5} {words}: requested {req}, allocated {alloc}")
        };
    }
    let marginal: Vec<&ProgramAllocation> =
        mine.iter().copied().filter(|p| p.held_by == Holding::Marginal).take(10).collect();
    let title = if ja {
        "限界的な事業（限度が動くと最初に配分が変わる事業）".to_string()
    } else {
        "marginal programs (the ones a change in the limits moves first)".to_string()
    };
    program_list(&mut out, &title, &marginal, u, lang);
    out
}

/// The marginal programs that count in the binding limit `name`.
fn marginal_in<'a>(a: &'a Allocation, name: &str) -> Vec<&'a ProgramAllocation> {
    a.programs.iter().filter(|p| p.held_by == Holding::Marginal && p.limits.iter().any(|l| l == name)).collect()
}

/// "  title:" and one line per program (at most ten): its allocation against its request.
fn program_list(out: &mut String, title: &str, programs: &[&ProgramAllocation], u: Unit, lang: Lang) {
    if programs.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for p in programs.iter().take(10) {
        let (allocated, requested) = (p.allocated.format(u), p.requested.format(u));
        let _ = match lang {
            Lang::Ja => writeln!(out, "    {} {}: {allocated}（要求 {requested}）", p.id, p.name),
            Lang::En => writeln!(out, "    {} {}: {allocated} of {requested}", p.id, p.name),
        };
    }
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
    if c.name == "fund_drawdown" {
        let _ = writeln!(out, "  why, as the memo says it (in Japanese):\n  {}", a.fund_words());
    }
    let held = marginal_in(a, &c.name);
    program_list(&mut out, &format!("marginal programs in it ({})", held.len()), &held, u, Lang::En);
    let _ = sc;
    out
}

/// 裁量的経費 and the other kinds in a budget office's words.
fn kind_ja(kind: ProgramKind) -> &'static str {
    match kind {
        ProgramKind::Mandatory => "義務的経費",
        ProgramKind::Discretionary => "裁量的経費",
        ProgramKind::Investment => "投資的経費",
        ProgramKind::New => "新規事業",
    }
}

/// `waku explain <program>` in Japanese: the review's findings, the assessment, why the allocation
/// is what it is, the limits that bind it and what would change it (each figure from a re-solve).
fn explain_program_ja(a: &Allocation, cx: &Context, i: usize) -> String {
    let u = a.display_unit;
    let p = &a.programs[i];
    let bureau =
        a.envelopes.iter().find(|e| e.department == p.department).map_or(p.department.as_str(), |e| e.name.as_str());
    let mut out = String::new();
    let _ = writeln!(out, "事業 {} {}（{}、{}）", p.id, p.name, bureau, kind_ja(p.kind));
    let _ = writeln!(
        out,
        "  配分額 {}（要求額 {}、前年度 {}）。財源は一般財源 {}、国県支出金 {}、使用料・手数料等 {}、市債 {}。",
        p.allocated.format(u),
        p.requested.format(u),
        p.prior_cost.format(u),
        p.general_revenue.format(u),
        p.subsidy.format(u),
        p.fees.format(u),
        p.bonds.format(u)
    );
    // The review: every viewpoint's finding, then the assessment.
    let review = cx.review.and_then(|r| r.programs.iter().find(|x| x.id == p.id));
    if let Some(r) = review {
        let _ = writeln!(out, "  見直しの所見:");
        for f in &r.findings {
            let name = cx
                .viewpoints
                .iter()
                .find(|(id, _)| id.as_str() == &*f.viewpoint)
                .map_or_else(|| f.viewpoint.to_string(), |(_, label)| label.clone());
            let _ = writeln!(out, "    {name}：{}（評点{}）{}", f.action.label(), f.score.normalize(), f.reason);
        }
    }
    let range = if p.min == p.max {
        format!("配分額{}", p.max.format(u))
    } else {
        format!("配分の範囲{}〜{}", p.min.format(u), p.max.format(u))
    };
    let _ = writeln!(out, "  評価: {}、優先度{}、{}。", p.action.label(), p.priority.normalize(), range);
    if let Some(r) = review {
        let _ = writeln!(out, "    理由: {}", r.assessment.reason);
    }
    // Why the allocation put it where it is.
    let why = match &p.allocation_reason {
        Some(reason) => reason.clone(),
        None if p.held_by == Holding::Mandatory => "義務的経費のため、要求額どおり計上（最適化の対象外）".to_string(),
        None => format!("要求額{}のとおり配分", p.requested.format(u)),
    };
    let _ = writeln!(out, "  配分の理由: {why}。");
    if matches!(p.held_by, Holding::ReviewMax) && p.allocation_reason.is_none() {
        if let Some(words) = margin_words(a, cx.scenario, p) {
            let _ = writeln!(out, "    {words}");
        }
    }
    // The limits that bind it, and what loosening each would do for this program.
    let binding: Vec<&ConstraintReport> =
        p.limits.iter().filter_map(|name| a.constraints.iter().find(|c| &c.name == name)).collect();
    if !binding.is_empty() {
        let _ = writeln!(out, "  縛っている限度:");
        for c in &binding {
            let _ = writeln!(out, "    {}: {}", c.kind.label_ja(), c.price_words_ja(u));
        }
    }
    let _ = writeln!(out, "  配分が変わる条件:");
    for line in what_would_change(a, cx.scenario, p, &binding) {
        let _ = writeln!(out, "    {line}");
    }
    out
}

/// Two values per yen with as many decimals (3 to 6) as it takes to tell them apart.
fn apart(a: f64, b: f64) -> (String, String) {
    let mut dp = 3;
    while dp < 6 && format!("{a:.dp$}") == format!("{b:.dp$}") {
        dp += 1;
    }
    (format!("{a:.dp$}"), format!("{b:.dp$}"))
}

/// A program's value per yen of general revenue, what the binding limits charge for it (Σ
/// coefficient × shadow price, per yen of general revenue) and their names; `None` without a
/// priced binding limit or without general revenue.
fn value_and_charge(a: &Allocation, sc: &Scenario, p: &ProgramAllocation) -> Option<(f64, f64, Vec<String>)> {
    let program = sc.programs.iter().find(|x| x.id == p.id)?;
    let g = (Decimal::ONE - program.specific_share()).to_f64().unwrap_or(0.0);
    let mut charge = 0.0;
    let mut labels = Vec::new();
    for c in a.constraints.iter().filter(|c| c.binding && constraint_has(c, program)) {
        let coef = coefficient(&c.kind, program);
        if let Some(price) = c.shadow_price.filter(|x| *x != 0.0 && coef != 0.0) {
            charge += coef * price;
            labels.push(c.kind.label_ja());
        }
    }
    if labels.is_empty() || g <= 0.0 {
        return None;
    }
    Some((p.priority.to_f64().unwrap_or(0.0) / g, charge / g, labels))
}

/// 「一般財源1円当たりの価値1.200が、縛っている限度の限界値1.001を上回る」 for a program at its
/// review maximum, from the binding limits' prices.
fn margin_words(a: &Allocation, sc: &Scenario, p: &ProgramAllocation) -> Option<String> {
    let (value, charge, labels) = value_and_charge(a, sc, p)?;
    let (value, charge) = apart(value, charge);
    Some(format!(
        "一般財源1円当たりの価値{value}が、縛っている限度（{}）の限界値{charge}を上回るため、財源が足りなくなっても、より価値の低い事業から先に削られます。",
        labels.join("、"),
    ))
}

/// What would change a program's allocation: for each binding limit, what loosening it by one
/// step gives this program (from the re-solve, [`ConstraintReport::effect`]); otherwise what the
/// program's holding says.
fn what_would_change(
    a: &Allocation,
    sc: &Scenario,
    p: &ProgramAllocation,
    binding: &[&ConstraintReport],
) -> Vec<String> {
    let u = a.display_unit;
    let mut lines = Vec::new();
    match p.held_by {
        Holding::Mandatory => lines.push("義務的経費のため、要求額が変わらない限り変わりません。".to_string()),
        Holding::Pinned => lines.push(format!(
            "見直しで額が{}に決まっているため、見直しの評価が変わらない限り、限度を動かしても変わりません。",
            p.max.format(u)
        )),
        Holding::BureauFixed | Holding::BureauMax | Holding::BureauMin => {
            lines.push("所管局の予算方針（自律的予算編成）が変わると変わります。".to_string());
        }
        Holding::Decided => lines.push(
            "査定の決定で額が決まっているため、決定が変わらない限り、限度を動かしても変わりません。".to_string(),
        ),
        Holding::DecisionMax => lines.push(format!(
            "査定で決めた上限{}まで配分しているため、限度を緩めても増えません。増やすには査定の決定が変わる必要があります。",
            p.max.format(u)
        )),
        Holding::Held => lines.push(
            "前の段階の額のまま据え置かれているため、この段階で決定（`waku decide`）しない限り変わりません。".to_string(),
        ),
        Holding::EnvelopeFloor => lines.push(
            "所管局の枠の下限が、局のすべての事業を見直しの上限まで配分することを求めているため、その下限が下がらない限り変わりません。"
                .to_string(),
        ),
        Holding::ReviewMax => lines.push(format!(
            "見直しの上限{}まで配分しているため、限度を緩めても増えません。増やすには見直しの評価（上限）が変わる必要があります。",
            p.max.format(u)
        )),
        Holding::AllOrNothing | Holding::ReviewMin | Holding::DecisionMin | Holding::Marginal => {
            if p.held_by == Holding::AllOrNothing {
                lines.push(if p.allocated.is_zero() {
                    "全額採否の事業で、不採択です（配分するなら要求額の全額）。".to_string()
                } else {
                    "全額採否の事業で、要求額の全額を配分しています。".to_string()
                });
            }
            for c in binding {
                let Some(effect) = &c.effect else { continue };
                let change = effect.program(&p.id);
                let stem = c.loosen_stem_ja(u, true);
                lines.push(if change > Money::ZERO {
                    format!("{stem}れば、この事業に{}多く配分されます。", change.format(u))
                } else if change < Money::ZERO {
                    format!("{stem}ると、この事業の配分は{}減ります。", change.abs().format(u))
                } else {
                    format!("{stem}ても、この事業の配分は変わりません（緩めた分はほかに回ります）。")
                });
            }
            if p.allocated < p.max {
                let gap = (p.max - p.allocated).format(u);
                lines.push(match value_and_charge(a, sc, p) {
                    Some((value, charge, _)) if p.held_by != Holding::Marginal && value < charge => {
                        let (_, charge) = apart(value, charge);
                        format!(
                            "見直しの上限{}まであと{gap}。優先度が上がり、一般財源1円当たりの価値が限度の限界値{charge}を上回れば、上限に向けて配分が増えます。",
                            p.max.format(u)
                        )
                    }
                    _ => format!(
                        "見直しの上限{}まであと{gap}。限界的な事業のため、縛っている限度が動くと最初に配分が変わります。",
                        p.max.format(u)
                    ),
                });
            }
        }
    }
    if lines.is_empty() {
        lines.push("縛っている限度はありません。".to_string());
    }
    lines
}

fn explain_constraint_ja(a: &Allocation, c: &ConstraintReport) -> String {
    let u = a.display_unit;
    let mut out = String::new();
    let _ = writeln!(out, "限度 {}（`{}`）", c.kind.label_ja(), c.name);
    let state = if c.binding {
        "拘束しています".to_string()
    } else {
        format!("拘束していません（余裕{}）", c.slack.format(u))
    };
    let _ = writeln!(out, "  値 {} {} 限度 {}。{state}。", c.value.format(u), c.sense.math(), c.limit.format(u));
    if c.binding {
        if let Some(p) = c.shadow_price {
            let _ = writeln!(out, "  シャドープライス {p}（限度1円当たりの、優先度で重み付けした価値の変化）。");
        }
        let _ = writeln!(out, "  {}", c.price_words_ja(u));
    }
    if c.name == "fund_drawdown" {
        let _ = writeln!(out, "  {}", a.fund_words());
    }
    let held = marginal_in(a, &c.name);
    program_list(&mut out, &format!("この限度の境目にある事業（{}事業）", held.len()), &held, u, Lang::Ja);
    out
}
