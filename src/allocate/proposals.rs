//! The mayor's coordination reserve spent on proposals (重点事業・市長特定事業).
//!
//! The allocation leaves a reserve (市長調整枠); the bureaus' proposals compete for it. The
//! selection maximises the total score of what it funds within the reserve:
//!
//! ```text
//! max Σ score_i · amount_i / cost_i
//!     amount_i = min_i · y_i + (cost_i − min_i) · s_i,   y_i ∈ {0, 1},  0 ≤ s_i ≤ y_i
//!     Σ amount_i ≤ reserve
//! ```
//!
//! An all-or-nothing proposal has `min_i = cost_i` (no `s_i`). A decision pins a proposal: `fund`
//! at its full cost, `reject` at nothing; the rest compete for what the pinned ones leave. A
//! proposal scored 0 is not funded. The MILP (microlp through good_lp) decides the `y_i`; among
//! selections of equal score the one funding the earliest ids (in id order) wins, found by fixing
//! each `y_i` to 1 in turn while the optimum holds. With the `y_i` fixed, the scalable shares are
//! a fractional knapsack, filled exactly in money by score per yen (ties by id), each share
//! rounded down to the scenario's `rounding_unit`. The envelopes and programs do not move: the
//! proposals spend the reserve the allocation left.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, variable};
use rust_decimal::Decimal;
use serde::Serialize;

use super::Allocation;
use crate::diagnostic::Diagnostic;
use crate::money::{Grid, Money};
use crate::scenario::{Decision, Proposal, Scenario, Strategy};
use crate::{Error, Result};

/// One proposal as the selection left it (`proposals` in `waku run --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct ProposalResult {
    pub id: String,
    pub title: String,
    pub department: String,
    pub department_name: String,
    /// 所要一般財源 asked of the reserve.
    pub cost: Money,
    pub score: Decimal,
    pub scalable: bool,
    pub min: Money,
    /// 後年度負担.
    pub later_cost: Money,
    pub strategy: Option<Strategy>,
    pub next_generation: bool,
    /// The decision that pinned it, if any.
    pub decision: Option<Decision>,
    pub funded: bool,
    /// Funded from the reserve (0 when not funded).
    pub amount: Money,
    /// Not funded for want of money: how much more the reserve would need (its minimum less what
    /// is left). `null` otherwise.
    pub shortfall: Option<Money>,
    /// Why, in a budget office's words (「財源不足: あと0.80億円」).
    pub reason: String,
    /// The same in English (`--lang en`).
    #[serde(skip)]
    pub reason_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the proposals take of the reserve (`proposal_reserve` in `waku run --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct ReserveUse {
    /// The mayor's reserve the allocation left.
    pub reserve: Money,
    /// Σ amounts of the funded proposals.
    pub used: Money,
    /// reserve − used.
    pub remaining: Money,
    /// Σ costs of every proposal.
    pub requested: Money,
    pub funded: usize,
    pub unfunded: usize,
    /// Σ score of what is funded (a scalable one in proportion).
    pub score: Decimal,
    /// Funded next-generation proposals: they count toward the 次世代投資枠.
    pub next_generation: Money,
    /// 後年度負担 of the funded proposals.
    pub later_cost: Money,
}

/// One proposal as the selection sees it (in id order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub cost: Money,
    /// The least amount when funded (= cost for all or nothing).
    pub min: Money,
    pub score: Decimal,
    /// `Some(true)`: pinned funded (at its cost); `Some(false)`: pinned rejected.
    pub pinned: Option<bool>,
}

/// The amount of each item (in the items' order), exact: the selection of the module docs.
/// `Err(shortfall)` when the pinned ones alone cost more than the reserve.
pub fn choose(items: &[Item], reserve: Money, step: Money) -> std::result::Result<Vec<Money>, Money> {
    let pinned: Money = items.iter().filter(|i| i.pinned == Some(true)).map(|i| i.cost).sum();
    if pinned > reserve {
        return Err(pinned - reserve);
    }
    let left = reserve - pinned;
    // Free items that could be funded at all.
    let free: Vec<usize> = (0..items.len())
        .filter(|&k| {
            let i = items[k];
            i.pinned.is_none() && i.score > Decimal::ZERO && i.min <= left
        })
        .collect();
    let y = if free.is_empty() { Vec::new() } else { binaries(items, &free, left) };
    let mut amounts: Vec<Money> =
        items.iter().map(|i| if i.pinned == Some(true) { i.cost } else { Money::ZERO }).collect();
    let mut rest = left;
    for (&k, _) in free.iter().zip(&y).filter(|(_, on)| **on) {
        amounts[k] = items[k].min;
        rest -= items[k].min;
    }
    // The scalable shares, by score per yen (ties by id), each on the grid.
    let mut order: Vec<usize> =
        free.iter().zip(&y).filter(|(k, on)| **on && items[**k].cost > items[**k].min).map(|(k, _)| *k).collect();
    order.sort_by(|&a, &b| {
        let (ia, ib) = (items[a], items[b]);
        (ib.score * ia.cost.as_decimal()).cmp(&(ia.score * ib.cost.as_decimal())).then(a.cmp(&b))
    });
    for k in order {
        let room = items[k].cost - items[k].min;
        let extra = if rest >= room { room } else { rest.to_grid(step, Grid::Down) };
        amounts[k] += extra;
        rest -= extra;
    }
    Ok(amounts)
}

/// The `y` of each free item: the optimum, ties to the earliest ids.
fn binaries(items: &[Item], free: &[usize], left: Money) -> Vec<bool> {
    let scale = (left.to_f64() / 1e6).max(1.0);
    let cap = (left.to_f64() + 0.5) / scale;
    let mut fixed: Vec<Option<bool>> = vec![None; free.len()];
    let Some((best, mut incumbent)) = solve(items, free, cap, scale, &fixed, None) else {
        return vec![false; free.len()];
    };
    let floor = best - 1e-9 * best.abs().max(1.0);
    for j in 0..free.len() {
        if !incumbent[j] {
            if let Some((_, y)) = solve(
                items,
                free,
                cap,
                scale,
                &{
                    let mut f = fixed.clone();
                    f[j] = Some(true);
                    f
                },
                Some(floor),
            ) {
                incumbent = y;
            }
        }
        fixed[j] = Some(incumbent[j]);
    }
    // The exact check the float model approximates (amounts are whole yen, the cap half a yen above).
    let base: Money = free.iter().zip(&incumbent).filter(|(_, on)| **on).map(|(&k, _)| items[k].min).sum();
    if base > left { vec![false; free.len()] } else { incumbent }
}

/// The MILP over the free items with some `y` fixed (and the objective at least `floor`): its
/// value and `y`, or `None` when infeasible.
fn solve(
    items: &[Item],
    free: &[usize],
    cap: f64,
    scale: f64,
    fixed: &[Option<bool>],
    floor: Option<f64>,
) -> Option<(f64, Vec<bool>)> {
    let mut vars = ProblemVariables::new();
    let mut ys: Vec<Variable> = Vec::with_capacity(free.len());
    let mut ss: Vec<Option<Variable>> = Vec::with_capacity(free.len());
    let (mut objective, mut used) = (Expression::default(), Expression::default());
    let mut rows = Vec::new();
    for (j, &k) in free.iter().enumerate() {
        let i = items[k];
        let y = match fixed[j] {
            Some(on) => vars.add(variable().min(f64::from(u8::from(on))).max(f64::from(u8::from(on)))),
            None => vars.add(variable().integer().min(0).max(1)),
        };
        let per_yen = i.score.to_string().parse::<f64>().unwrap_or(0.0) / i.cost.to_f64();
        let (min, room) = (i.min.to_f64(), (i.cost - i.min).to_f64());
        objective.add_mul(per_yen * min, y);
        used.add_mul(min / scale, y);
        let s = (room > 0.0).then(|| {
            let s = vars.add(variable().min(0).max(1));
            objective.add_mul(per_yen * room, s);
            used.add_mul(room / scale, s);
            rows.push(constraint!(s - y <= 0));
            s
        });
        ys.push(y);
        ss.push(s);
    }
    let mut problem = vars.maximise(objective.clone()).using(good_lp::microlp);
    problem.add_constraint(constraint::leq(used, cap));
    for r in rows {
        problem.add_constraint(r);
    }
    if let Some(floor) = floor {
        problem.add_constraint(constraint::geq(objective.clone(), floor));
    }
    let solution = problem.solve().ok()?;
    let value = solution.eval(&objective);
    Some((value, ys.iter().map(|&y| solution.value(y) > 0.5).collect()))
}

/// Selects the scenario's proposals within the allocation's reserve and records them in it.
/// Without proposals nothing changes. Pinned proposals that cost more than the reserve cannot
/// all be funded: exit 1, naming them and the shortfall.
pub fn attach(a: &mut Allocation, sc: &Scenario) -> Result<()> {
    if sc.proposals.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<&Proposal> = sc.proposals.iter().collect();
    sorted.sort_by(|p, q| p.id.cmp(&q.id));
    let items: Vec<Item> = sorted
        .iter()
        .map(|p| Item { cost: p.cost, min: p.min, score: p.score, pinned: p.decision.map(|d| d == Decision::Fund) })
        .collect();
    let step = Money::from_decimal(sc.rounding_unit.factor()).max(Money::yen(1));
    let u = sc.display_unit;
    let amounts = choose(&items, a.reserve, step).map_err(|short| {
        let names: Vec<String> = sorted
            .iter()
            .filter(|p| p.decision == Some(Decision::Fund))
            .map(|p| format!("{} {}（{}）", p.id, p.title, p.cost.format(u)))
            .collect();
        Error::Infeasible(Box::new(
            Diagnostic::error(format!(
                "the proposals decided as funded need {} more than the mayor's reserve of {}",
                short.format(u),
                a.reserve.format(u)
            ))
            .note(format!("採択と決定した提案: {}", names.join("、")))
            .hint("reject one of them (`--set proposals.ID.decision=reject`), or raise the reserve (`policy.reserve_min_share`)"),
        ))
    })?;
    let used: Money = amounts.iter().copied().sum();
    let remaining = a.reserve - used;
    let mut out = Vec::with_capacity(sorted.len());
    for (p, &amount) in sorted.iter().zip(&amounts) {
        let funded = !amount.is_zero();
        let shortfall = (!funded && p.decision.is_none() && p.min > remaining).then(|| p.min - remaining);
        let (mut ja, mut en) = match (p.decision, funded, shortfall) {
            (Some(Decision::Fund), _, _) => {
                ("市長判断により採択".to_string(), "funded by the mayor's decision".to_string())
            }
            (Some(Decision::Reject), _, _) => {
                ("市長判断により不採択".to_string(), "not funded by the mayor's decision".to_string())
            }
            (None, true, _) if amount < p.cost => (
                format!("一部採択: 所要額{}のうち{}（調整枠の残りの範囲内）", p.cost.format(u), amount.format(u)),
                format!("funded in part: {} of {} (what the reserve has left)", amount.format(u), p.cost.format(u)),
            ),
            (None, true, _) => (
                format!("評価点{}、調整枠の範囲内で採択", p.score.normalize()),
                format!("funded within the reserve (score {})", p.score.normalize()),
            ),
            (None, false, Some(short)) => (
                format!("財源不足: あと{}", short.format(u)),
                format!("not enough left in the reserve: {} short", short.format(u)),
            ),
            (None, false, None) if p.score.is_zero() => {
                ("評価点が0のため不採択".to_string(), "not funded: its score is 0".to_string())
            }
            (None, false, None) => (
                "評価点の高い提案を優先し不採択".to_string(),
                "not funded: proposals scoring higher per yen took the reserve".to_string(),
            ),
        };
        if funded && p.next_generation {
            ja.push_str("。次世代投資枠の目標に算入");
            en.push_str("; counts toward the next-generation frame");
        }
        out.push(ProposalResult {
            id: p.id.clone(),
            title: p.title.clone(),
            department: p.department.clone(),
            department_name: a
                .envelopes
                .iter()
                .find(|e| e.department == p.department)
                .map_or_else(|| p.department.clone(), |e| e.name.clone()),
            cost: p.cost,
            score: p.score,
            scalable: p.scalable,
            min: p.min,
            later_cost: p.later_cost,
            strategy: p.strategy,
            next_generation: p.next_generation,
            decision: p.decision,
            funded,
            amount,
            shortfall,
            reason: ja,
            reason_en: en,
            note: p.note.clone(),
        });
    }
    let score = out
        .iter()
        .filter(|r| r.funded)
        .map(|r| r.score * r.amount.as_decimal() / r.cost.as_decimal())
        .sum::<Decimal>()
        .round_dp(6);
    a.proposal_reserve = Some(ReserveUse {
        reserve: a.reserve,
        used,
        remaining,
        requested: out.iter().map(|r| r.cost).sum(),
        funded: out.iter().filter(|r| r.funded).count(),
        unfunded: out.iter().filter(|r| !r.funded).count(),
        score,
        next_generation: out.iter().filter(|r| r.funded && r.next_generation).map(|r| r.amount).sum(),
        later_cost: out.iter().filter(|r| r.funded).map(|r| r.later_cost).sum(),
    });
    a.proposals = out;
    Ok(())
}

/// `waku explain P04`: a proposal, its verdict and why, and the reserve around it.
pub fn explain(a: &Allocation, p: &ProposalResult, lang: super::Lang) -> String {
    let u = a.display_unit;
    let (used, remaining) = a.proposal_reserve.as_ref().map_or((Money::ZERO, a.reserve), |r| (r.used, r.remaining));
    let range = if p.scalable { format!("{}〜{}", p.min.format(u), p.cost.format(u)) } else { p.cost.format(u) };
    let [reserve, used, remaining, later, amount] =
        [a.reserve, used, remaining, p.later_cost, p.amount].map(|m| m.format(u));
    let (id, title, bureau, score) = (&p.id, &p.title, &p.department_name, p.score.normalize());
    let en = lang == super::Lang::En;
    let how = match (p.scalable, en) {
        (true, false) => "（段階実施可）",
        (false, false) => "（全額採否）",
        (true, true) => " (may be funded in part)",
        (false, true) => " (all or nothing)",
    };
    let next = match (p.next_generation, en) {
        (false, _) => "",
        (true, false) => "、次世代投資枠の対象",
        (true, true) => ", counts toward the next-generation frame",
    };
    if en {
        let verdict = if p.funded { format!("funded {amount}") } else { "not funded".to_string() };
        let why = &p.reason_en;
        format!(
            "{id} {title} ({bureau}): asks {range} of general revenue{how}, score {score}, later years' cost {later}{next}.\n{verdict}: {why}.\nOf the mayor's reserve of {reserve}, the proposals take {used}; {remaining} remains.\nSelection: the proposals whose total score is highest within the reserve (ties to the earlier id); the mayor's decisions (fund, reject) come first.\n"
        )
    } else {
        let verdict = if p.funded { format!("採択 {amount}") } else { "不採択".to_string() };
        let why = &p.reason;
        format!(
            "{id} {title}（{bureau}）: 所要一般財源 {range}{how}、評価点 {score}、後年度負担 {later}{next}。\n{verdict}: {why}。\n市長調整枠 {reserve} のうち提案に {used} を計上し、残りは {remaining}。\n選定: 調整枠の範囲で評価点の合計が最大になる組合せ（同点は提案番号の若い順）。市長の決定（採択・不採択）はそれに優先します。\n"
        )
    }
}
