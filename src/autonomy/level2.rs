//! Level 2: one bureau fills exactly its envelope with its own programs, in its own order.
//!
//! # The rule (deterministic, exact to the yen)
//!
//! 1. Every program starts at its lower bound: mandatory at the request, abolished at 0, others at
//!    the bureau's minimum (within the review's), all-or-nothing at 0 unless the bureau insists.
//! 2. If those minimums already need more general revenue than the envelope — or more investment
//!    or bond issuance than the bureau had at level 1 — the bureau asked for too much: an error.
//! 3. First the bureau's share of the next-generation frame: next-generation programs are raised,
//!    each only as far as needed, until the bureau's level-1 next-generation cost is reached again —
//!    the programs with the least general revenue per yen of cost first (so the frame takes as little
//!    of the envelope as it can; see [`required`]). Then all programs are raised in the bureau's
//!    order (priority, highest first; inventory order among equals). A program goes to its maximum while the envelope allows; an
//!    all-or-nothing initiative is funded in full if it fits, else skipped; the first program that
//!    does not fit in full takes exactly the rest, found by bisection in whole yen (general revenue
//!    moves by at most one yen per yen of cost, so every whole-yen amount is reachable). Every
//!    program is therefore at a bound except at most one marginal program per bureau.
//! 4. Sub-limits keep the city's limits: a bureau's investment and bond issuance may not exceed,
//!    and its next-generation cost may not fall below, what level 1 gave it. Summed over bureaus,
//!    the city's investment cap, issuance cap and 次世代投資枠 therefore still hold.
//! 5. If the order cannot fill the envelope exactly within those limits (all-or-nothing
//!    initiatives that do not fit, sub-limits), the bureau falls back to its level-1 allocation plus
//!    its kept savings, placed in its order on programs that are neither investment nor
//!    bond-financed — always possible, since what a bureau keeps is capped at that room — and a
//!    warning says so.

use rust_decimal::Decimal;

use crate::allocate::Holding;
use crate::money::Money;
use crate::scenario::{Program, ProgramKind, Scenario};

/// A bureau's limits at level 2.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Σ general revenue of its programs must equal this.
    pub envelope: Money,
    pub investment_cap: Money,
    pub bond_cap: Money,
    pub next_generation_floor: Money,
}

/// One program at level 2.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Scenario index.
    pub index: usize,
    pub lo: Money,
    pub hi: Money,
    pub priority: Decimal,
    /// `lo` is the bureau policy's, not the review's.
    pub bureau_lo: bool,
    /// `hi` is the bureau policy's, not the review's.
    pub bureau_hi: bool,
}

/// What a bureau's minimums can overrun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    GeneralRevenue,
    Investment,
    Bonds,
}

/// Why level 2 could not start: the bureau's minimums overrun a limit.
#[derive(Debug, Clone)]
pub struct Overrun {
    pub over: Over,
    pub what: &'static str,
    /// The limit in words (`its envelope`).
    pub limit_name: &'static str,
    pub needed: Money,
    pub limit: Money,
}

#[derive(Debug, Clone)]
struct Totals {
    general: Money,
    investment: Money,
    bonds: Money,
    next_generation: Money,
}

fn totals(sc: &Scenario, items: &[Item], x: &[Money]) -> Totals {
    let mut t =
        Totals { general: Money::ZERO, investment: Money::ZERO, bonds: Money::ZERO, next_generation: Money::ZERO };
    for (it, &c) in items.iter().zip(x) {
        let p = &sc.programs[it.index];
        let f = p.funding(c);
        t.general += f.general_revenue;
        t.bonds += f.bonds;
        if p.kind == ProgramKind::Investment {
            t.investment += c;
        }
        if p.next_generation {
            t.next_generation += c;
        }
    }
    t
}

/// The cost in `[from, to]` whose general revenue is exactly `target`, given
/// `GR(from) < target ≤ GR(to)`. General revenue changes by at most one yen per yen of cost.
pub fn cost_for_general(p: &Program, from: Money, to: Money, target: Money) -> Money {
    let gr = |c: Money| p.general_revenue(c);
    if gr(to) == target {
        return to;
    }
    let (mut lo, mut hi) = (from.as_decimal(), to.as_decimal());
    // Invariant: GR(lo) < target ≤ GR(hi).
    while hi - lo > Decimal::ONE {
        let mid = ((lo + hi) / Decimal::TWO).floor();
        if gr(Money::from_decimal(mid)) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Money::from_decimal(hi)
}

/// Raises program `k` towards `ceiling` within the remaining envelope and caps. Returns whether
/// the envelope is now exactly full.
fn raise(sc: &Scenario, items: &[Item], x: &mut [Money], k: usize, ceiling: Money, limits: &Limits) -> bool {
    let it = items[k];
    let p = &sc.programs[it.index];
    let t = totals(sc, items, x);
    let rem = limits.envelope - t.general;
    if rem <= Money::ZERO {
        return rem.is_zero();
    }
    let cur = x[k];
    // Cost room under the investment and bond caps (one yen of margin for the bond rounding).
    let mut top = ceiling;
    if p.kind == ProgramKind::Investment {
        top = top.min(cur + (limits.investment_cap - t.investment).max(Money::ZERO));
    }
    if p.bondable_share > Decimal::ZERO {
        let room = (limits.bond_cap - t.bonds - Money::yen(1)).max(Money::ZERO);
        top = top.min(cur + Money::from_decimal((room.as_decimal() / p.bondable_share).floor()));
    }
    if top <= cur {
        return false;
    }
    let gain = p.general_revenue(top) - p.general_revenue(cur);
    if p.all_or_nothing {
        if cur.is_zero() && top == p.requested && gain <= rem {
            x[k] = top;
        }
    } else if gain <= rem {
        x[k] = top;
    } else if gain > Money::ZERO {
        x[k] = cost_for_general(p, cur, top, p.general_revenue(cur) + rem);
    }
    let after = limits.envelope - totals(sc, items, x).general;
    after.is_zero()
}

/// Checks every sub-limit exactly.
fn holds(sc: &Scenario, items: &[Item], x: &[Money], limits: &Limits) -> bool {
    let t = totals(sc, items, x);
    t.general == limits.envelope
        && t.investment <= limits.investment_cap
        && t.bonds <= limits.bond_cap
        && t.next_generation >= limits.next_generation_floor
        && items.iter().zip(x).all(|(it, &c)| c >= it.lo && c <= it.hi)
}

/// The bureau's order: priority (highest first), then inventory order.
fn order(items: &[Item]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..items.len()).filter(|&k| items[k].lo < items[k].hi).collect();
    o.sort_by(|&a, &b| items[b].priority.cmp(&items[a].priority).then(items[a].index.cmp(&items[b].index)));
    o
}

/// Level 2 of one bureau in its own order. `Err` when the bureau's minimums overrun a limit;
/// `Ok(None)` when its order cannot fill the envelope exactly within the sub-limits.
pub fn allocate(sc: &Scenario, items: &[Item], limits: &Limits) -> Result<Option<Vec<Money>>, Overrun> {
    let mut x: Vec<Money> = items.iter().map(|it| it.lo).collect();
    let t = totals(sc, items, &x);
    for (over, what, limit_name, needed, limit) in [
        (Over::GeneralRevenue, "general revenue", "its envelope", t.general, limits.envelope),
        (Over::Investment, "investment", "its level-1 investment", t.investment, limits.investment_cap),
        (Over::Bonds, "bond issuance", "its level-1 bond issuance", t.bonds, limits.bond_cap),
    ] {
        if needed > limit {
            return Err(Overrun { over, what, limit_name, needed, limit });
        }
    }
    let mut full = t.general == limits.envelope;
    // The bureau's share of the next-generation frame first, at the least general revenue.
    full = full || raise_frame(sc, items, &mut x, limits);
    let order = order(items);
    for &k in &order {
        if full {
            break;
        }
        full = raise(sc, items, &mut x, k, items[k].hi, limits);
    }
    Ok(holds(sc, items, &x, limits).then_some(x))
}

/// The next-generation programs that can still rise, in the order that reaches a frame
/// at the least general revenue: the least general revenue per yen of cost first (subsidised
/// programs), then the bureau's order.
fn frame_order(sc: &Scenario, items: &[Item]) -> Vec<usize> {
    let per_yen = |it: &Item| {
        let p = &sc.programs[it.index];
        let gr = p.general_revenue(it.hi) - p.general_revenue(it.lo);
        gr.as_decimal() / (it.hi - it.lo).as_decimal()
    };
    let mut o: Vec<(usize, Decimal)> = order(items)
        .into_iter()
        .filter(|&k| sc.programs[items[k].index].next_generation)
        .map(|k| (k, per_yen(&items[k])))
        .collect();
    // Stable: equal rates keep the bureau's order.
    o.sort_by_key(|a| a.1);
    o.into_iter().map(|(k, _)| k).collect()
}

/// Raises next-generation programs (see [`frame_order`]) until the bureau's frame is reached, each
/// only as far as the frame needs. Returns whether the envelope is now exactly full.
fn raise_frame(sc: &Scenario, items: &[Item], x: &mut [Money], limits: &Limits) -> bool {
    let mut full = false;
    for k in frame_order(sc, items) {
        let short = limits.next_generation_floor - totals(sc, items, x).next_generation;
        if full || short <= Money::ZERO {
            break;
        }
        // An all-or-nothing initiative is funded in full or not at all.
        let p = &sc.programs[items[k].index];
        let ceiling = if p.all_or_nothing { items[k].hi } else { items[k].hi.min(x[k] + short) };
        full = raise(sc, items, x, k, ceiling, limits);
    }
    full
}

/// The general revenue a bureau's envelope must hold before its own decisions: every program at
/// `items`' lower bounds (the review's minimums), raised as level 2 raises them to keep the
/// bureau's share of the next-generation frame. A bureau whose own minimums add at most the rest
/// of its envelope (its headroom) can always be allocated.
pub fn required(sc: &Scenario, items: &[Item], limits: &Limits) -> Money {
    let mut x: Vec<Money> = items.iter().map(|it| it.lo).collect();
    let unbounded = Limits { envelope: Money::from_decimal(Decimal::MAX / Decimal::TWO), ..*limits };
    raise_frame(sc, items, &mut x, &unbounded);
    totals(sc, items, &x).general
}

/// A minimum a bureau's policy set above the review's, and what lowering it to the review's frees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trim {
    /// Scenario index of the program.
    pub index: usize,
    /// The bureau's minimum (cost).
    pub from: Money,
    /// The review's minimum (cost).
    pub to: Money,
    /// What lowering it frees of what ran over (general revenue, investment or bonds).
    pub frees: Money,
}

/// What the bureau could trim when its minimums overrun `over`: every program its policy holds
/// above the review's minimum (`review_min`, by scenario index) that counts in `over`, largest
/// saving first (inventory order among equals).
pub fn trims(sc: &Scenario, items: &[Item], review_min: &dyn Fn(usize) -> Money, over: Over) -> Vec<Trim> {
    let mut out: Vec<Trim> = items
        .iter()
        .filter(|it| it.bureau_lo && it.lo > review_min(it.index))
        .filter_map(|it| {
            let p = &sc.programs[it.index];
            let to = review_min(it.index);
            let frees = match over {
                Over::GeneralRevenue => p.general_revenue(it.lo) - p.general_revenue(to),
                Over::Investment if p.kind == ProgramKind::Investment => it.lo - to,
                Over::Investment => Money::ZERO,
                Over::Bonds => p.funding(it.lo).bonds - p.funding(to).bonds,
            };
            (frees > Money::ZERO).then_some(Trim { index: it.index, from: it.lo, to, frees })
        })
        .collect();
    out.sort_by(|a, b| b.frees.cmp(&a.frees).then(a.index.cmp(&b.index)));
    out
}

/// The fallback: level-1 costs plus `kept` placed in the bureau's order on programs that are
/// continuous, neither investment nor bond-financed. Exact when `kept` ≤ [`room`].
pub fn fallback(sc: &Scenario, items: &[Item], level1: &[Money], review_max: &[Money], limits: &Limits) -> Vec<Money> {
    let mut x = level1.to_vec();
    let spendable: Vec<Item> = items
        .iter()
        .zip(level1)
        .zip(review_max)
        .map(|((it, &c), &hi)| Item {
            index: it.index,
            lo: c,
            hi,
            priority: it.priority,
            bureau_lo: false,
            bureau_hi: false,
        })
        .collect();
    for k in order(&spendable) {
        let p = &sc.programs[spendable[k].index];
        if !spendable_program(p) {
            continue;
        }
        if raise(sc, &spendable, &mut x, k, spendable[k].hi, limits) {
            break;
        }
    }
    x
}

/// A program that kept savings can always be spent on: continuous, not investment, no bonds.
pub fn spendable_program(p: &Program) -> bool {
    p.kind != ProgramKind::Mandatory
        && p.kind != ProgramKind::Investment
        && !p.all_or_nothing
        && p.bondable_share.is_zero()
        && p.specific_share() < Decimal::ONE
}

/// What a bureau's spendable programs can still absorb above their level-1 costs (general revenue).
pub fn room(sc: &Scenario, indices: &[usize], level1: &[Money], review_min: &[Money], review_max: &[Money]) -> Money {
    let mut total = Money::ZERO;
    for (k, &i) in indices.iter().enumerate() {
        let p = &sc.programs[i];
        if spendable_program(p) && review_min[k] < review_max[k] {
            total += (p.general_revenue(review_max[k]) - p.general_revenue(level1[k])).max(Money::ZERO);
        }
    }
    total
}

/// What holds a program where level 2 put it.
pub fn holding(p: &Program, it: &Item, cost: Money) -> Holding {
    if p.kind == ProgramKind::Mandatory {
        Holding::Mandatory
    } else if it.lo == it.hi {
        if it.bureau_lo || it.bureau_hi { Holding::BureauFixed } else { Holding::Pinned }
    } else if p.all_or_nothing {
        Holding::AllOrNothing
    } else if cost == it.hi {
        if it.bureau_hi { Holding::BureauMax } else { Holding::ReviewMax }
    } else if cost == it.lo {
        if it.bureau_lo { Holding::BureauMin } else { Holding::ReviewMin }
    } else {
        Holding::Marginal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Attributes;

    fn program(subsidy: i64, bonds: i64) -> Program {
        Program {
            id: "P".into(),
            name: "p".into(),
            department: "d".into(),
            cluster: None,
            kind: ProgramKind::Discretionary,
            prior_cost: Money::yen(1_000_000),
            requested: Money::yen(1_000_000),
            subsidy_ratio: Decimal::new(subsidy, 2),
            fees: Money::ZERO,
            bondable_share: Decimal::new(bonds, 2),
            strategy: None,
            next_generation: false,
            all_or_nothing: false,
            attributes: Attributes::default(),
            kpi: None,
            nature: None,
            max_cut_share: None,
            location: None,
        }
    }

    #[test]
    fn bisection_hits_every_whole_yen_of_general_revenue() {
        for (s, b) in [(0, 0), (33, 0), (67, 0), (25, 40), (50, 49)] {
            let p = program(s, b);
            let (from, to) = (Money::yen(100_000), Money::yen(900_000));
            let (g0, g1) = (p.general_revenue(from), p.general_revenue(to));
            let mut t = g0 + Money::yen(1);
            while t <= g1 {
                let c = cost_for_general(&p, from, to, t);
                assert_eq!(p.general_revenue(c), t, "subsidy {s}% bonds {b}%");
                assert!(c >= from && c <= to);
                t += Money::yen(7_919);
            }
        }
    }
}
