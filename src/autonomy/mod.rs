//! Autonomous department budgeting (自律的な予算編成): two-level allocation, bureau policies, メリットシステム.
//!
//! Seed 000 第Ⅳ-2 ④c / 3 ⑤ asks for a budget process in which each bureau funds its own priorities
//! by its own management (各局の経営によって財源を充当できる仕組み) while the mayor keeps a
//! source for overall coordination (市長が総合調整するために活用できる財源). `waku run --mode autonomous`:
//!
//! ```text
//! savings.rs  each bureau's own-review savings S_d; the share it may keep (retention, caps)
//! level 1     the city model (crate::allocate) on the general revenue minus Σ S_d: envelopes
//!             E_d and the reserve R under every fiscal limit — the savings are ring-fenced, not
//!             redistributed by the city's optimiser
//! merit       bureau d keeps K_d ≤ its retained share; the rest, S_d − K_d, is passed on to the reserve
//!             envelope_d = E_d + K_d,  reserve = R + Σ (S_d − K_d)
//! policy.rs   each bureau's own script re-prioritises its programs within the review's bounds
//! level2.rs   each bureau fills exactly its envelope, in its own order, under its sub-limits
//! compare.rs  the comparison with `--mode central`, bureau by bureau (tables: crate::report::autonomy)
//! ```
//!
//! # Decisions
//!
//! * **Ring-fencing.** Level 1 allocates the general revenue *without* the bureaus' own savings,
//!   so the LP does not depend on the retention share. Raising the share therefore moves exactly
//!   Σ ΔK_d from the reserve to the bureaus, to the yen, and nothing else changes.
//! * **What a bureau keeps** is `min(retained share, room, ceiling − E_d)`: room is what its
//!   continuous, non-investment, non-bond programs can still absorb above level 1 (so it can always
//!   be spent within the city's investment and bond limits), and the envelope ceiling still holds.
//!   What cannot be kept is passed on, and the report says which limit cut it.
//! * **Reserve bounds.** The reserve's share bounds hold on the final reserve. Passed-on savings
//!   that would lift it above its maximum share go into the fiscal adjustment fund (as a deposit,
//!   like any general revenue nobody can absorb); a reserve below its minimum (a retention share
//!   near 100%) is an infeasibility, named.
//! * **Bureau policies** can never break hard limits: out-of-bounds requests are clamped with a
//!   warning; minimums beyond the envelope are an error ([`policy`]).
//! * **Identities**: Σ envelopes + reserve = available; each envelope = Σ general revenue of its
//!   programs, exact to the yen (checked before anything is returned).
//! * The `constraints` in the output are level 1's (the city model on the ring-fenced revenue).

mod compare;
pub mod level2;
pub mod plan;
pub mod policy;
pub mod savings;

use rust_decimal::Decimal;
use serde::Serialize;

pub use compare::{CompareRow, Comparison};
pub use plan::{AutonomousPlan, ComparePlan, compare, compare_plan, run_plan, run_year};

use crate::allocate::{self, Allocation, Holding, reserve_window};
use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::review::{Context, Review};
use crate::rules::Ruleset;
use crate::scenario::{ProgramKind, Scenario};
use crate::{Error, Result};

/// The result of `waku run --mode autonomous`: the allocation contract plus the per-bureau report.
#[derive(Debug, Clone, Serialize)]
pub struct Autonomous {
    pub mode: &'static str,
    #[serde(flatten)]
    pub allocation: Allocation,
    /// Σ own-review savings of all bureaus, ring-fenced at level 1.
    pub savings_generated: Money,
    pub savings_kept: Money,
    /// Passed on to the mayor's reserve (or, beyond its maximum share, to the fund).
    pub savings_passed_on: Money,
    pub departments: Vec<DepartmentReport>,
    /// Warnings (clamped bureau requests, fallbacks), rendered.
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
    /// The level-1 allocation (the city model on the ring-fenced revenue).
    #[serde(skip)]
    pub level1: Allocation,
}

/// One bureau in autonomous mode.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentReport {
    pub id: String,
    pub name: String,
    /// `default` or the bureau's script.
    pub policy: String,
    /// Prior-year general revenue of its programs.
    pub base: Money,
    /// What level 1 (the city) gave it.
    pub city_envelope: Money,
    /// city_envelope + savings_kept = Σ general revenue of its programs.
    pub envelope: Money,
    pub savings_generated: Money,
    pub savings_kept: Money,
    pub savings_passed_on: Money,
    /// Which limit cut what it keeps below its retention share, if any.
    pub kept_limited_by: Option<&'static str>,
    /// New initiatives (新規事業) funded, and their cost.
    pub initiatives_funded: usize,
    pub initiatives_cost: Money,
    /// Programs whose cost differs from level 1 (the bureau's own reallocation).
    pub programs_moved: usize,
    /// Level 2 fell back to level 1 plus kept savings.
    pub fallback: bool,
}

/// Options of the autonomous run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub allocate: allocate::Options,
}

/// Runs the two-level allocation of `sc` under `review`, with the bureaus' scripts from `ruleset`.
pub fn run(sc: &Scenario, review: &Review, ruleset: &Ruleset, options: &Options) -> Result<Autonomous> {
    let scripts = policy::compile_all(sc, ruleset)?;
    let savings: Vec<savings::BureauSavings> =
        sc.departments.iter().map(|d| savings::bureau_savings(sc, review, d)).collect();
    let pool: Money = savings.iter().map(|s| s.generated).sum();

    // Level 1: the city model on the general revenue without the ring-fenced savings.
    let mut ring_fenced = sc.clone();
    ring_fenced.revenue.general_revenue = sc.revenue.general_revenue - pool;
    let a1 = allocate::allocate(&ring_fenced, review, &options.allocate)?;

    let n_dept = sc.departments.len();
    let members: Vec<Vec<usize>> = sc
        .departments
        .iter()
        .map(|d| (0..sc.programs.len()).filter(|&i| sc.programs[i].department == d.id).collect())
        .collect();
    let level1_cost: Vec<Money> = a1.programs.iter().map(|p| p.allocated).collect();

    // The merit split.
    let mut kept = vec![Money::ZERO; n_dept];
    let mut limited = vec![None; n_dept];
    for d in 0..n_dept {
        let idx = &members[d];
        let l1: Vec<Money> = idx.iter().map(|&i| level1_cost[i]).collect();
        let lo: Vec<Money> = idx.iter().map(|&i| review.programs[i].assessment.min).collect();
        let hi: Vec<Money> = idx.iter().map(|&i| review.programs[i].assessment.max).collect();
        let room = level2::room(sc, idx, &l1, &lo, &hi);
        let ceiling_room = (a1.envelopes[d].ceiling - a1.envelopes[d].amount).max(Money::ZERO);
        let s = &savings[d];
        let mut k = s.retained;
        if s.capped {
            limited[d] = Some("retention cap");
        }
        if room < k {
            k = room;
            limited[d] = Some("what its programs can absorb");
        }
        if ceiling_room < k {
            k = ceiling_room;
            limited[d] = Some("envelope ceiling");
        }
        kept[d] = k;
    }
    let kept_total: Money = kept.iter().copied().sum();
    let passed_on = pool - kept_total;

    // Final envelopes and reserve.
    let mut a = a1.clone();
    a.general_revenue = sc.revenue.general_revenue;
    a.available = a1.available + pool;
    a.reserve = a1.reserve + passed_on;
    let max_share = sc.policy.reserve_max_share;
    if a.reserve > reserve_window(&sc.policy, a.available).1 && max_share < Decimal::ONE {
        // Deposit X so that reserve − X is within the share bounds of available − X (whole yen).
        let excess = (a.reserve.as_decimal() - max_share * a.available.as_decimal()) / (Decimal::ONE - max_share);
        let mut x = Money::from_decimal((excess.ceil() - Decimal::TWO).max(Decimal::ZERO));
        while a.reserve - x > reserve_window(&sc.policy, a.available - x).1 {
            x += Money::yen(1);
        }
        a.fund_deposit += x;
        a.available -= x;
        a.reserve -= x;
    }
    if a.reserve < reserve_window(&sc.policy, a.available).0 {
        return Err(Error::Infeasible(Box::new(
            Diagnostic::error(format!(
                "the bureaus keep {} of their savings, which leaves the mayor's reserve {} below its minimum share ({})",
                kept_total.format(sc.display_unit),
                a.reserve.format(sc.display_unit),
                sc.policy.reserve_min_share
            ))
            .hint("lower `policy.retention_share` (or a bureau's `retention_share`), or `policy.reserve_min_share`"),
        )));
    }
    a.reserve_share = if a.available.is_zero() {
        Decimal::ZERO
    } else {
        (a.reserve.as_decimal() / a.available.as_decimal()).round_dp(6)
    };
    a.fund_balance_end = sc.fund.balance - a.fund_drawdown + a.fund_deposit;
    a.solver = format!("level 1: {}; level 2: bureau order", a1.solver);
    // The proposals spend the final reserve, not level 1's.
    allocate::proposals::attach(&mut a, sc)?;

    // Level 2, bureau by bureau.
    let cx = Context::of(sc);
    let mut diagnostics = Vec::new();
    let mut reports = Vec::with_capacity(n_dept);
    for d in 0..n_dept {
        let dept = &sc.departments[d];
        let idx = &members[d];
        let envelope = a1.envelopes[d].amount + kept[d];
        let mut limits = level2::Limits {
            envelope,
            investment_cap: Money::ZERO,
            bond_cap: Money::ZERO,
            next_generation_floor: Money::ZERO,
        };
        for &i in idx {
            let p = &sc.programs[i];
            if p.kind == ProgramKind::Investment {
                limits.investment_cap += level1_cost[i];
            }
            limits.bond_cap += a1.programs[i].bonds;
            if p.next_generation {
                limits.next_generation_floor += level1_cost[i];
            }
        }
        // What the envelope must hold before the bureau decides: every program at the review's
        // minimum, and the bureau's share of the next-generation frame at the least general revenue.
        let city_items: Vec<level2::Item> = idx
            .iter()
            .map(|&i| {
                let a = &review.programs[i].assessment;
                level2::Item {
                    index: i,
                    lo: a.min,
                    hi: a.max,
                    priority: a.priority,
                    bureau_lo: false,
                    bureau_hi: false,
                }
            })
            .collect();
        let view = policy::BureauView { envelope, kept: kept[d], required: level2::required(sc, &city_items, &limits) };
        let decided = policy::decide(sc, review, ruleset, &cx, d, scripts[d].as_ref(), &view).map_err(Error::input)?;
        diagnostics.extend(decided.warnings);
        let items: Vec<level2::Item> = idx
            .iter()
            .filter_map(|&i| {
                decided.assessments[i].as_ref().map(|b| {
                    let city = &review.programs[i].assessment;
                    level2::Item {
                        index: i,
                        lo: b.min,
                        hi: b.max,
                        priority: b.priority,
                        bureau_lo: b.min != city.min,
                        bureau_hi: b.max != city.max,
                    }
                })
            })
            .collect();
        let l1: Vec<Money> = idx.iter().map(|&i| level1_cost[i]).collect();
        let hi: Vec<Money> = idx.iter().map(|&i| review.programs[i].assessment.max).collect();
        // Without a script the city's policy stands: level 1's allocation, plus the kept savings
        // placed in the city's priority order.
        let outcome = if scripts[d].is_none() {
            Ok(Some(level2::fallback(sc, &items, &l1, &hi, &limits)))
        } else {
            level2::allocate(sc, &items, &limits)
        };
        let (costs, fallback) = match outcome {
            Ok(Some(x)) => (x, false),
            Ok(None) => {
                let x = level2::fallback(sc, &items, &l1, &hi, &limits);
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "bureau `{}` ({}): its order cannot fill its envelope exactly within its limits; level 1's allocation plus its kept savings is used",
                        dept.id, dept.name
                    ))
                    .hint("all-or-nothing initiatives that do not fit, or the bureau's investment and bond sub-limits, are the usual cause"),
                );
                (x, true)
            }
            Err(o) => {
                let at = scripts[d].as_ref().map(|s| crate::rules::allocation::point_at(&s.source, "min"));
                return Err(Error::input(overrun(sc, review, &items, &o, dept).at_opt(at)));
            }
        };
        let mut moved = 0;
        let mut initiatives = (0, Money::ZERO);
        for (it, &c) in items.iter().zip(&costs) {
            let i = it.index;
            let p = &sc.programs[i];
            let f = p.funding(c);
            let out = &mut a.programs[i];
            if out.allocated != c {
                moved += 1;
            }
            out.allocated = c;
            out.subsidy = f.subsidy;
            out.fees = f.fees;
            out.bonds = f.bonds;
            out.general_revenue = f.general_revenue;
            out.priority = it.priority;
            out.held_by = if fallback { Holding::Marginal } else { level2::holding(p, it, c) };
            out.limits = Vec::new();
            if out.allocated != level1_cost[i] {
                out.allocation_reason =
                    (c < p.requested).then(|| "所管局の予算方針（自律的予算編成）により、局の枠の中で配分".to_string());
            }
            if p.kind == ProgramKind::New && c > Money::ZERO {
                initiatives.0 += 1;
                initiatives.1 += c;
            }
        }
        if fallback {
            for (it, &c) in items.iter().zip(&costs) {
                a.programs[it.index].held_by = level2::holding(&sc.programs[it.index], it, c);
            }
        }
        let amount: Money = idx.iter().map(|&i| a.programs[i].general_revenue).sum();
        if amount != envelope {
            return Err(Error::internal(format!(
                "level 2 of bureau `{}` allocated {} of general revenue against an envelope of {}",
                dept.id, amount, envelope
            )));
        }
        a.envelopes[d].amount = amount;
        reports.push(DepartmentReport {
            id: dept.id.clone(),
            name: dept.name.clone(),
            policy: scripts[d].as_ref().map_or_else(|| "default".to_string(), |s| s.source.name.clone()),
            base: a1.envelopes[d].base,
            city_envelope: a1.envelopes[d].amount,
            envelope: amount,
            savings_generated: savings[d].generated,
            savings_kept: kept[d],
            savings_passed_on: savings[d].generated - kept[d],
            kept_limited_by: limited[d],
            initiatives_funded: initiatives.0,
            initiatives_cost: initiatives.1,
            programs_moved: moved,
            fallback,
        });
    }

    // City totals after level 2.
    a.investment = a.programs.iter().filter(|p| p.kind == ProgramKind::Investment).map(|p| p.allocated).sum();
    a.bond_issuance = a.programs.iter().map(|p| p.bonds).sum();
    a.bond_balance_end = a.bond_balance_start + a.bond_issuance - a.bond_redemption;
    a.next_generation = a.programs.iter().filter(|p| p.next_generation).map(|p| p.allocated).sum();
    a.total_allocated = a.programs.iter().map(|p| p.allocated).sum();
    a.refresh_totals();
    verify(sc, &a)?;

    let warnings = diagnostics.iter().map(|d| d.render()).collect();
    Ok(Autonomous {
        mode: "autonomous",
        allocation: a,
        savings_generated: pool,
        savings_kept: kept_total,
        savings_passed_on: passed_on,
        departments: reports,
        warnings,
        diagnostics,
        level1: a1,
    })
}

/// A bureau whose policy's minimums overrun its envelope (or its level-1 investment or bonds): by
/// how much, and what it could trim — each minimum its policy holds above the review's, largest
/// first, and how many of them cover the shortfall.
fn overrun(
    sc: &Scenario,
    review: &Review,
    items: &[level2::Item],
    o: &level2::Overrun,
    dept: &crate::scenario::Department,
) -> Diagnostic {
    let u = sc.display_unit;
    let short = o.needed - o.limit;
    let mut d = Diagnostic::error(format!(
        "the policy of bureau `{}` ({}) needs at least {} of {} but {} is {}",
        dept.id,
        dept.name,
        o.needed.format(u),
        o.what,
        o.limit_name,
        o.limit.format(u)
    ))
    .note(format!("short by {} ({})", short.format(u), short.format(crate::Unit::Yen)));
    let review_min = |i: usize| review.programs[i].assessment.min;
    let trims = level2::trims(sc, items, &review_min, o.over);
    let total: Money = trims.iter().map(|t| t.frees).sum();
    const LISTED: usize = 8;
    let mut covered = Money::ZERO;
    let mut enough = None;
    for (k, t) in trims.iter().enumerate() {
        covered += t.frees;
        if enough.is_none() && covered >= short {
            enough = Some(k + 1);
        }
        if k < LISTED {
            let p = &sc.programs[t.index];
            d = d.note(format!(
                "could trim `{}` {}: its minimum {} → the review's {} frees {} of {}",
                p.id,
                p.name,
                t.from.format(u),
                t.to.format(u),
                t.frees.format(u),
                o.what
            ));
        }
    }
    if trims.len() > LISTED {
        d = d.note(format!("… and {} more programs", trims.len() - LISTED));
    }
    let hint = match enough {
        Some(n) => format!(
            "trimming {} frees {} of the {} short; or have the policy read `bureau.headroom` and set \
             minimums only as far as it reaches (rules/departments/kodomo_katei.rhai does)",
            if n == 1 {
                "the first of these alone".to_string()
            } else {
                format!("the first {n} of these {}", trims.len())
            },
            trims[..n].iter().map(|t| t.frees).sum::<Money>().format(u),
            short.format(u)
        ),
        None if trims.is_empty() => {
            "a bureau spends inside its envelope: lower the minimums it sets (`min`, `min_ratio`)".into()
        }
        None => format!(
            "all {} of these free only {} of the {} short: lower the minimums the policy sets (`min`, `min_ratio`)",
            trims.len(),
            total.format(u),
            short.format(u)
        ),
    };
    d.hint(hint)
}

/// The identities and the city's limits on the final allocation, exact to the yen.
fn verify(sc: &Scenario, a: &Allocation) -> Result<()> {
    let env: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let mut bad = Vec::new();
    if env + a.reserve != a.available {
        bad.push(format!("Σ envelopes {env} + reserve {} ≠ available {}", a.reserve, a.available));
    }
    if a.general_revenue + a.fund_drawdown - a.fund_deposit != a.available {
        bad.push("available ≠ general revenue + drawdown − deposit".to_string());
    }
    if a.investment > sc.policy.investment_cap {
        bad.push(format!("investment {} above the cap", a.investment));
    }
    if a.bond_issuance > sc.bonds.issuance_cap {
        bad.push(format!("bond issuance {} above the cap", a.bond_issuance));
    }
    if a.next_generation < sc.policy.next_generation_target {
        bad.push(format!("next-generation frame {} below its target", a.next_generation));
    }
    for e in &a.envelopes {
        if e.amount < e.floor || e.amount > e.ceiling {
            bad.push(format!("envelope of `{}` {} outside {}..{}", e.department, e.amount, e.floor, e.ceiling));
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Error::internal(format!("autonomous allocation broke a limit: {}", bad.join("; "))))
    }
}
