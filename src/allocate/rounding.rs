//! From the solver's floating-point answer back to exact money, keeping every identity and limit.
//!
//! # The rule
//!
//! 1. **Programs.** A constant stays what it is. An all-or-nothing program is funded in full when
//!    its 0/1 variable is ≥ ½, else not at all. A continuous program's cost snaps to its review
//!    minimum or maximum when the solver's value is within the snap tolerance
//!    (max(rounding unit, 10⁻⁶ of the bound or of the model unit)); otherwise it is rounded to a
//!    multiple of the scenario's rounding unit (ties to even, [`Money::round_to`]) and clamped to its
//!    review bounds (which the review put on the unit's grid, unless the user wrote them: the
//!    request, the prior-year budget), so every cost is on the grid or an amount the user wrote.
//! 2. **Funding.** Each program's cost is split exactly by [`crate::scenario::Program::funding`]:
//!    subsidy, fees and bonds rounded to whole yen, general revenue the remainder.
//! 3. **Fund.** Drawdown and deposit snap to 0 or to the drawdown limit likewise, else round to the unit.
//! 4. **Identities by construction.** Envelope = Σ general revenue of its programs;
//!    available = general revenue + drawdown − deposit; reserve = available − Σ envelopes. The
//!    reserve is the one named balancing item that absorbs the residual.
//! 5. **Repair.** Rounding can push a binding limit over by a few units. In a fixed order —
//!    caps (investment, bond issuance, envelope ceilings), floors (envelope floors, the
//!    next-generation frame), then the reserve's share bounds — a violated limit is repaired
//!    by moving programs in steps of the unit, following the objective: caps and a too-small
//!    reserve take first from the programs that lose the least value per yen of the limit freed
//!    (priority and tie-break ÷ the program's coefficient in the limit: its general-revenue share
//!    for an envelope or the reserve, its bondable share for issuance), floors give first to the
//!    programs that gain the most per yen of the limit, without breaking a cap; the reserve bounds are repaired
//!    first through the fund (less deposit or drawdown, more deposit), last through drawdown.
//!    The reserve's bounds are whole yen ([`reserve_window`]): ⌈min share·available⌉ to
//!    ⌊max share·available⌋, or the one whole yen nearest the share when no whole yen lies between
//!    (`reserve_min_share == reserve_max_share`). The fund moves in steps of the unit when a step
//!    lands in that window, else by the exact yen that does: a window narrower than one unit
//!    needs whole yen.
//! 6. **Verification.** Every limit is checked exactly in yen; an allocation that still
//!    violates one is not returned. The caller then solves again with caps and floors a few units
//!    tighter (`with_margin` in `mod.rs`), and only if that fails too reports which limit and
//!    suggests a finer unit.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::model::{Fixed, Limit, Model, ProgramState};
use crate::money::{Grid, Money};
use crate::scenario::{Funding, Policy, ProgramKind, Scenario};

/// An allocation in exact money.
#[derive(Debug, Clone)]
pub(crate) struct Exact {
    pub cost: Vec<Money>,
    pub funding: Vec<Funding>,
    pub drawdown: Money,
    pub deposit: Money,
    pub envelope: Vec<Money>,
    pub investment: Money,
    pub issuance: Money,
    pub next_generation: Money,
    pub general_revenue: Money,
}

impl Exact {
    /// General revenue plus drawdown minus deposit.
    pub fn available(&self) -> Money {
        self.general_revenue + self.drawdown - self.deposit
    }

    /// The reserve: what the envelopes leave of the available general revenue.
    pub fn reserve(&self) -> Money {
        self.available() - self.envelope.iter().copied().sum::<Money>()
    }
}

/// A limit the exact allocation does not meet.
#[derive(Debug, Clone)]
pub(crate) struct Violation {
    pub limit: Option<Limit>,
    pub text: String,
}

struct Ctx<'a> {
    model: &'a Model,
    sc: &'a Scenario,
    unit: Money,
}

fn unit_money(model: &Model) -> Money {
    Money::from_decimal(model.rounding_unit.factor())
}

/// Rounds `x` (yen) to the rounding unit and clamps it to `[lo, hi]`, snapping to a bound within tolerance.
fn snap(x: f64, lo: Money, hi: Money, unit: Money, scale: f64) -> Money {
    let tol = |b: Money| unit.to_f64().max(1e-6 * b.to_f64().abs().max(scale));
    if (x - lo.to_f64()).abs() <= tol(lo) {
        return lo;
    }
    if (hi.to_f64() - x).abs() <= tol(hi) {
        return hi;
    }
    let rounded = match Money::from_f64(x) {
        Some(m) => round_unit(m, unit),
        None => lo,
    };
    rounded.max(lo).min(hi)
}

fn round_unit(m: Money, unit: Money) -> Money {
    m.to_grid(unit, Grid::Nearest)
}

/// The largest multiple of `unit` (at least 1 yen) that is ≤ `d`.
fn grid_floor(d: Decimal, unit: Money) -> Money {
    Money::on_grid(d, unit, Grid::Down)
}

/// The smallest multiple of `unit` (at least 1 yen) that is ≥ `d`.
fn grid_ceil(d: Decimal, unit: Money) -> Money {
    Money::on_grid(d, unit, Grid::Up)
}

/// Turns the solver's answer into exact money and repairs what rounding broke.
pub(crate) fn round(model: &Model, sc: &Scenario, values: &[f64]) -> Result<Exact, Vec<Violation>> {
    let unit = unit_money(model);
    let ctx = Ctx { model, sc, unit };
    let s = model.scale;
    let mut cost = Vec::with_capacity(sc.programs.len());
    for (i, p) in sc.programs.iter().enumerate() {
        let (lo, hi) = model.bounds[i];
        cost.push(match model.programs[i] {
            ProgramState::Fixed { value, .. } => value,
            ProgramState::Choice { var } => {
                if values[var] >= 0.5 {
                    p.requested
                } else {
                    Money::ZERO
                }
            }
            ProgramState::Free { var } => snap(values[var] * s, lo, hi, unit, s),
        });
    }
    let limit = model.drawdown_limit.max(Money::ZERO);
    let drawdown = snap(values[model.drawdown] * s, model.drawdown_floor.min(limit), limit, unit, s);
    let deposit_raw = values[model.deposit] * s;
    let deposit = if deposit_raw.abs() <= unit.to_f64().max(1e-6 * s) {
        Money::ZERO
    } else {
        Money::from_f64(deposit_raw).map_or(Money::ZERO, |m| round_unit(m, unit)).max(Money::ZERO)
    };
    let mut e = ctx.totals(cost, drawdown, deposit);
    for _ in 0..8 {
        let mut changed = false;
        changed |= ctx.repair_caps(&mut e);
        changed |= ctx.repair_floors(&mut e);
        changed |= ctx.repair_reserve(&mut e);
        if !changed {
            break;
        }
    }
    let violations = verify(model, sc, &e);
    if violations.is_empty() { Ok(e) } else { Err(violations) }
}

impl Ctx<'_> {
    fn totals(&self, cost: Vec<Money>, drawdown: Money, deposit: Money) -> Exact {
        let sc = self.sc;
        let mut e = Exact {
            funding: Vec::with_capacity(cost.len()),
            cost: Vec::new(),
            drawdown,
            deposit,
            envelope: vec![Money::ZERO; sc.departments.len()],
            investment: Money::ZERO,
            issuance: Money::ZERO,
            next_generation: Money::ZERO,
            general_revenue: sc.revenue.general_revenue,
        };
        for (i, (p, &c)) in sc.programs.iter().zip(&cost).enumerate() {
            let f = p.funding(c);
            e.envelope[self.model.department_of[i]] += f.general_revenue;
            e.issuance += f.bonds;
            if p.kind == ProgramKind::Investment {
                e.investment += c;
            }
            if p.next_generation {
                e.next_generation += c;
            }
            e.funding.push(f);
        }
        e.cost = cost;
        e
    }

    /// Sets program `i`'s cost, keeping the aggregates exact.
    fn set(&self, e: &mut Exact, i: usize, c: Money) {
        let p = &self.sc.programs[i];
        let old = e.funding[i];
        let new = p.funding(c);
        let d = self.model.department_of[i];
        e.envelope[d] += new.general_revenue - old.general_revenue;
        e.issuance += new.bonds - old.bonds;
        if p.kind == ProgramKind::Investment {
            e.investment += c - e.cost[i];
        }
        if p.next_generation {
            e.next_generation += c - e.cost[i];
        }
        e.cost[i] = c;
        e.funding[i] = new;
    }

    /// Programs that can move continuously.
    fn movable(&self, i: usize) -> bool {
        matches!(self.model.programs[i], ProgramState::Free { .. })
    }

    /// What the objective gains per yen of program i's cost (its priority and tie-break).
    fn value(&self, i: usize) -> f64 {
        self.model.program_var(i).map_or(0.0, |v| self.model.vars[v].obj)
    }

    /// Order for taking money away from a limit in which a yen of program i's cost counts `coef(i)`:
    /// the least objective lost per yen of the limit freed first (value ÷ coefficient, as the
    /// objective ranks them), later programs first among equals. Programs that do not count in the
    /// limit are left out.
    fn take_order(&self, members: impl Iterator<Item = usize>, coef: impl Fn(usize) -> Decimal) -> Vec<usize> {
        let mut v: Vec<(usize, f64)> = members
            .filter(|&i| self.movable(i))
            .filter_map(|i| {
                let c = coef(i).to_f64().filter(|c| *c > 0.0)?;
                Some((i, self.value(i) / c))
            })
            .collect();
        v.sort_by(|(a, va), (b, vb)| va.total_cmp(vb).then(b.cmp(a)));
        v.into_iter().map(|(i, _)| i).collect()
    }

    /// Order for giving money to a limit: the most objective gained per yen of it first, earlier
    /// programs first among equals.
    fn give_order(&self, members: impl Iterator<Item = usize>, coef: impl Fn(usize) -> Decimal) -> Vec<usize> {
        let mut v = self.take_order(members, coef);
        v.reverse();
        v
    }

    /// Lowers programs in `order` until `excess()` is no longer positive. `coef(i)` is the share of
    /// one yen of program i's cost that counts in the violated limit. New costs are on the unit grid
    /// or at the review minimum.
    fn take(
        &self,
        e: &mut Exact,
        order: &[usize],
        coef: impl Fn(usize) -> Decimal,
        excess: impl Fn(&Exact) -> Decimal,
        floor_guard: bool,
    ) -> bool {
        self.walk(e, order, coef, excess, |e, i, need| {
            let cost = e.cost[i].as_decimal();
            let mut lower = self.model.bounds[i].0;
            if floor_guard {
                lower = lower.max(grid_ceil(cost - self.floor_room(e, i), self.unit));
            }
            let new = grid_floor(cost - need, self.unit).max(lower);
            (new < e.cost[i]).then_some(new)
        })
    }

    /// Walks `order` while `gap()` is positive, moving one program at a time: `to(e, i, need)` is
    /// program i's new cost, given the gap in its own cost (`gap() / coef(i)`), or `None` to leave
    /// it. Programs whose `coef` is not positive do not count in the gap and are passed over.
    fn walk(
        &self,
        e: &mut Exact,
        order: &[usize],
        coef: impl Fn(usize) -> Decimal,
        gap: impl Fn(&Exact) -> Decimal,
        to: impl Fn(&Exact, usize, Decimal) -> Option<Money>,
    ) -> bool {
        let mut changed = false;
        for &i in order {
            let need = gap(e);
            if need <= Decimal::ZERO {
                break;
            }
            let c = coef(i);
            if c <= Decimal::ZERO {
                continue;
            }
            if let Some(new) = to(e, i, need / c) {
                self.set(e, i, new);
                changed = true;
            }
        }
        changed
    }

    /// How far (in cost) program i can fall without breaking its envelope floor or the next-generation frame.
    fn floor_room(&self, e: &Exact, i: usize) -> Decimal {
        let p = &self.sc.programs[i];
        let g = Decimal::ONE - p.specific_share();
        let d = self.model.department_of[i];
        let slack = e.envelope[d] - self.model.envelope_bounds[d].0;
        // One yen of margin for the whole-yen rounding inside the funding split.
        let mut room = if g <= Decimal::ZERO {
            e.cost[i].as_decimal()
        } else {
            (slack.as_decimal() - Decimal::ONE).max(Decimal::ZERO) / g
        };
        if p.next_generation {
            // The frame counts cost, so its slack is already in cost.
            room =
                room.min((e.next_generation - self.sc.policy.next_generation_target).as_decimal().max(Decimal::ZERO));
        }
        room
    }

    /// How far (in cost) program i can rise without breaking a cap it counts in.
    fn cap_room(&self, e: &Exact, i: usize) -> Decimal {
        let p = &self.sc.programs[i];
        let margin = |slack: Money| (slack.as_decimal() - Decimal::ONE).max(Decimal::ZERO);
        let mut room = Decimal::MAX;
        let d = self.model.department_of[i];
        let g = Decimal::ONE - p.specific_share();
        if g > Decimal::ZERO {
            room = room.min(margin(self.model.envelope_bounds[d].1 - e.envelope[d]) / g);
        }
        if p.kind == ProgramKind::Investment {
            room = room.min(margin(self.sc.policy.investment_cap - e.investment));
        }
        if p.bondable_share > Decimal::ZERO {
            room = room.min(margin(self.sc.bonds.issuance_cap - e.issuance) / p.bondable_share);
        }
        room
    }

    fn repair_caps(&self, e: &mut Exact) -> bool {
        let sc = self.sc;
        let n = sc.programs.len();
        let mut changed = false;
        let general = |i: usize| Decimal::ONE - sc.programs[i].specific_share();
        let cap = sc.policy.investment_cap;
        if e.investment > cap {
            let order =
                self.take_order((0..n).filter(|&i| sc.programs[i].kind == ProgramKind::Investment), |_| Decimal::ONE);
            changed |= self.take(e, &order, |_| Decimal::ONE, |e| (e.investment - cap).as_decimal(), false);
        }
        let cap = sc.bonds.issuance_cap;
        if e.issuance > cap {
            let bonds = |i: usize| sc.programs[i].bondable_share;
            let order = self.take_order(0..n, bonds);
            changed |= self.take(e, &order, bonds, |e| (e.issuance - cap).as_decimal(), false);
        }
        for d in 0..sc.departments.len() {
            let ceiling = self.model.envelope_bounds[d].1;
            if e.envelope[d] > ceiling {
                let order = self.take_order((0..n).filter(|&i| self.model.department_of[i] == d), general);
                changed |= self.take(e, &order, general, |e| (e.envelope[d] - ceiling).as_decimal(), false);
            }
        }
        changed
    }

    /// Raises programs in `order` until `short()` is no longer positive, within each program's cap
    /// room. New costs are on the unit grid or at the review maximum.
    fn give(
        &self,
        e: &mut Exact,
        order: &[usize],
        coef: impl Fn(usize) -> Decimal,
        short: impl Fn(&Exact) -> Decimal,
    ) -> bool {
        self.walk(e, order, coef, short, |e, i, need| {
            let cost = e.cost[i].as_decimal();
            let hi = self.model.bounds[i].1;
            let room = self.cap_room(e, i);
            let upper =
                if room >= (hi - e.cost[i]).as_decimal() { hi } else { grid_floor(cost + room, self.unit).min(hi) };
            let new = grid_ceil(cost + need, self.unit).min(upper);
            (new > e.cost[i]).then_some(new)
        })
    }

    fn repair_floors(&self, e: &mut Exact) -> bool {
        let sc = self.sc;
        let n = sc.programs.len();
        let mut changed = false;
        let general = |i: usize| Decimal::ONE - sc.programs[i].specific_share();
        for d in 0..sc.departments.len() {
            let floor = self.model.envelope_bounds[d].0;
            if e.envelope[d] < floor {
                let order = self.give_order((0..n).filter(|&i| self.model.department_of[i] == d), general);
                changed |= self.give(e, &order, general, |e| (floor - e.envelope[d]).as_decimal());
            }
        }
        let target = sc.policy.next_generation_target;
        if e.next_generation < target {
            let order = self.give_order((0..n).filter(|&i| sc.programs[i].next_generation), |_| Decimal::ONE);
            changed |= self.give(e, &order, |_| Decimal::ONE, |e| (target - e.next_generation).as_decimal());
        }
        changed
    }

    /// The smallest whole-yen amount δ ≥ 0 by which raising both the available general revenue and
    /// the reserve (less deposit, more drawdown) brings the reserve up into its window; on the unit
    /// grid when that lands in the window too.
    fn raise_to_window(&self, e: &Exact) -> Money {
        let (a, r) = (e.available(), e.reserve());
        let share = self.sc.policy.reserve_min_share;
        let fits = |d: Money| reserve_window(&self.sc.policy, a + d).0 <= r + d;
        let exact = first_fit(estimate(share, a, r), fits);
        self.prefer_grid(exact, |d| {
            let (lo, hi) = reserve_window(&self.sc.policy, a + d);
            lo <= r + d && r + d <= hi
        })
    }

    /// The smallest whole-yen amount Δ ≥ 0 by which lowering both the available general revenue and
    /// the reserve (less drawdown, more deposit) brings the reserve down into its window; on the
    /// unit grid when that lands in the window too.
    fn lower_to_window(&self, e: &Exact) -> Money {
        let (a, r) = (e.available(), e.reserve());
        let share = self.sc.policy.reserve_max_share;
        // R − Δ ≤ max·(a − Δ)  ⇔  Δ ≥ (R − max·a)/(1 − max): the same estimate with the signs turned.
        let fits = |d: Money| r - d <= reserve_window(&self.sc.policy, a - d).1;
        let exact = first_fit(-estimate(share, a, r), fits);
        self.prefer_grid(exact, |d| {
            let (lo, hi) = reserve_window(&self.sc.policy, a - d);
            lo <= r - d && r - d <= hi
        })
    }

    /// `exact` rounded up to the unit grid when `lands(grid)` holds, else `exact` itself (a window
    /// narrower than one unit, e.g. `reserve_min_share == reserve_max_share`, needs whole yen).
    fn prefer_grid(&self, exact: Money, lands: impl Fn(Money) -> bool) -> Money {
        let grid = grid_ceil(exact.as_decimal(), self.unit);
        if lands(grid) { grid } else { exact }
    }

    fn repair_reserve(&self, e: &mut Exact) -> bool {
        let sc = self.sc;
        let limit = self.model.drawdown_limit.max(Money::ZERO);
        let (lo, hi) = reserve_window(&sc.policy, e.available());
        let short = |e: &Exact| {
            let (lo, _) = reserve_window(&sc.policy, e.available());
            (lo - e.reserve()).as_decimal()
        };
        let mut changed = false;
        if e.reserve() < lo {
            // Less deposit first.
            let cut = self.raise_to_window(e).min(e.deposit);
            if cut > Money::ZERO {
                e.deposit -= cut;
                changed = true;
            }
            // Then less spending, lowest priority first, without breaking a floor.
            if short(e) > Decimal::ZERO {
                let general = |i: usize| Decimal::ONE - sc.programs[i].specific_share();
                let order = self.take_order(0..sc.programs.len(), general);
                changed |= self.take(e, &order, general, short, true);
            }
            // Last, more drawdown.
            if short(e) > Decimal::ZERO {
                let add = self.raise_to_window(e).min(limit - e.drawdown);
                if add > Money::ZERO {
                    e.drawdown += add;
                    changed = true;
                }
            }
        } else if e.reserve() > hi {
            let cut = self.lower_to_window(e).min(e.drawdown - self.model.drawdown_floor);
            if cut > Money::ZERO {
                e.drawdown -= cut;
                changed = true;
            }
            if e.reserve() > reserve_window(&sc.policy, e.available()).1 {
                e.deposit += self.lower_to_window(e);
                changed = true;
            }
        }
        changed
    }
}

/// The reserve's share bounds in whole yen for available general revenue `available`:
/// ⌈min·available⌉ ..= ⌊max·available⌋. When no whole yen lies between the two share amounts
/// (`reserve_min_share == reserve_max_share`, or shares less than a yen apart), the window is the
/// one whole yen nearest the middle of them (ties to even): a share of an amount in yen is rarely
/// itself a whole yen, and money is.
pub(crate) fn reserve_window(policy: &Policy, available: Money) -> (Money, Money) {
    let a = available.as_decimal();
    let (lo, hi) = ((policy.reserve_min_share * a).ceil(), (policy.reserve_max_share * a).floor());
    if lo <= hi {
        (Money::from_decimal(lo), Money::from_decimal(hi))
    } else {
        let mid = Money::from_decimal((policy.reserve_min_share + policy.reserve_max_share) / Decimal::TWO * a);
        (mid, mid)
    }
}

/// First guess (yen) of the δ with R + δ = share·(a + δ): (share·a − R)/(1 − share).
fn estimate(share: Decimal, a: Money, r: Money) -> Decimal {
    let denom = (Decimal::ONE - share).max(Decimal::new(1, 6));
    (share * a.as_decimal() - r.as_decimal()) / denom
}

/// The smallest whole yen δ ≥ 0 with `fits(δ)`, searched upward from just below `guess`. The window
/// moves by less than a yen per yen of δ, so a few steps suffice; the bound only guards the loop.
fn first_fit(guess: Decimal, fits: impl Fn(Money) -> bool) -> Money {
    let start = Money::from_decimal((guess.ceil() - Decimal::TWO).max(Decimal::ZERO));
    let mut d = start;
    for _ in 0..1_000 {
        if fits(d) {
            return d;
        }
        d += Money::yen(1);
    }
    Money::from_decimal(guess.ceil().max(Decimal::ZERO))
}

/// Every limit, checked exactly in yen. Empty when the allocation keeps them all.
pub(crate) fn verify(model: &Model, sc: &Scenario, e: &Exact) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut bad = |limit: Option<Limit>, text: String| out.push(Violation { limit, text });
    // Identities hold by construction; a failure here is a bug, not an input problem.
    debug_assert_eq!(e.available(), e.general_revenue + e.drawdown - e.deposit);
    debug_assert_eq!(e.envelope.iter().copied().sum::<Money>() + e.reserve(), e.available());
    for (i, p) in sc.programs.iter().enumerate() {
        let f = e.funding[i];
        debug_assert_eq!(f.subsidy + f.fees + f.bonds + f.general_revenue, e.cost[i]);
        let (lo, hi) = model.bounds[i];
        let exempt = matches!(model.programs[i], ProgramState::Fixed { why: Fixed::Mandatory, .. });
        let all_or_nothing = matches!(
            model.programs[i],
            ProgramState::Choice { .. } | ProgramState::Fixed { why: Fixed::AllOrNothing, .. }
        );
        if !exempt && (e.cost[i] < lo || e.cost[i] > hi) {
            bad(None, format!("program `{}` at {} is outside its review bounds {}..{}", p.id, e.cost[i], lo, hi));
        }
        if all_or_nothing && !(e.cost[i].is_zero() || e.cost[i] == p.requested) {
            bad(None, format!("all-or-nothing program `{}` is funded in part", p.id));
        }
    }
    for (d, dept) in sc.departments.iter().enumerate() {
        let (floor, ceiling) = model.envelope_bounds[d];
        if e.envelope[d] < floor {
            bad(
                Some(Limit::EnvelopeFloor(d)),
                format!("envelope of `{}` {} is below its floor {}", dept.id, e.envelope[d], floor),
            );
        }
        if e.envelope[d] > ceiling {
            bad(
                Some(Limit::EnvelopeCeiling(d)),
                format!("envelope of `{}` {} is above its ceiling {}", dept.id, e.envelope[d], ceiling),
            );
        }
    }
    let (lo, hi) = reserve_window(&sc.policy, e.available());
    if e.reserve() < lo {
        bad(Some(Limit::ReserveMin), format!("reserve {} is below its minimum share {}", e.reserve(), lo));
    }
    if e.reserve() > hi {
        bad(Some(Limit::ReserveMax), format!("reserve {} is above its maximum share {}", e.reserve(), hi));
    }
    if e.investment > sc.policy.investment_cap {
        bad(
            Some(Limit::InvestmentCap),
            format!("investment {} is above the cap {}", e.investment, sc.policy.investment_cap),
        );
    }
    if e.issuance > sc.bonds.issuance_cap {
        bad(
            Some(Limit::IssuanceCap),
            format!("bond issuance {} is above the cap {}", e.issuance, sc.bonds.issuance_cap),
        );
    }
    if e.next_generation < sc.policy.next_generation_target {
        bad(
            Some(Limit::NextGeneration),
            format!(
                "next-generation frame {} is below its target {}",
                e.next_generation, sc.policy.next_generation_target
            ),
        );
    }
    if e.drawdown.is_negative() || e.drawdown > model.drawdown_limit {
        bad(Some(Limit::FundDrawdown), format!("fund drawdown {} is outside 0..{}", e.drawdown, model.drawdown_limit));
    }
    if e.deposit.is_negative() {
        bad(None, format!("fund deposit {} is negative", e.deposit));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snaps_to_bounds_and_rounds_to_the_unit_inside() {
        let (lo, hi, u) = (Money::yen(12_345_678), Money::yen(20_000_123), Money::yen(1_000));
        assert_eq!(snap(12_346_000.4, lo, hi, u, 1e6), lo);
        assert_eq!(snap(15_555_555.0, lo, hi, u, 1e6), Money::yen(15_556_000));
        assert_eq!(snap(19_999_500.0, lo, hi, u, 1e6), hi);
        assert_eq!(snap(f64::NAN, lo, hi, u, 1e6), lo);
    }

    #[test]
    fn ceil_unit_rounds_up_to_a_multiple() {
        assert_eq!(grid_ceil(Decimal::new(1001, 0), Money::yen(1000)), Money::yen(2000));
        assert_eq!(grid_ceil(Decimal::new(5, 1), Money::yen(1)), Money::yen(1));
    }
}
