//! The budget cycle at run time (予算編成): a stage's 査定 decisions become bounds on the
//! allocation, every other program is optimised as before (or, from the 市長査定 on, keeps the amount
//! of the stage before), 復活要求 are funded from the reserve or refused, and every program ends
//! with a disposition.
//!
//! ```text
//! review ─► bounds: the review's, or (from the 市長査定 on) the stage before's amount
//!        ─► the decisions that hold: an amount, bounds, or the disposition's range
//!        ─► allocate (infeasible? the decision that breaks a limit, by bisection: blame.rs)
//!        ─► 復活要求 without an answer: by priority, funded while the reserve pays for them
//!        ─► dispositions: the decision's, else by the amount (①, ② or ④)
//! ```
//!
//! [`run`] allocates through a function the caller gives ([`crate::pipeline`] passes the one way
//! a year is allocated), so a stage is allocated exactly as `waku run` allocates any year.
//! The stage file format is [`crate::scenario::stage`]; [`decide`] edits one in place.

mod blame;
pub mod decide;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::allocate::{Allocation, Holding};
use crate::diagnostic::Diagnostic;
use crate::fiscal::PlanOutcome;
use crate::money::Money;
use crate::review::Review;
use crate::scenario::stage::{Cycle, Rule};
use crate::scenario::{Program, Scenario};
use crate::{Error, Result};

/// How a stage allocates one review: the caller's allocation of the scenario under it.
pub type Allocator<'a> = dyn Fn(&Review) -> Result<PlanOutcome> + 'a;

/// What a stage decided, program by program, and its answers to 復活要求.
#[derive(Debug, Clone, Serialize)]
pub struct StageOutcome {
    /// Every program, in scenario order.
    pub programs: Vec<ProgramStage>,
    /// The stage's own 復活要求, in the order written.
    pub restorations: Vec<RestorationOutcome>,
}

/// One program in a stage.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramStage {
    pub id: String,
    /// Index into the cycle's dispositions.
    pub disposition: usize,
    /// The decision that holds (index into [`Cycle::decisions`]), this stage's or an earlier one's.
    pub decision: Option<usize>,
    /// The review's own bounds, before any decision.
    pub assessed_min: Money,
    pub assessed_max: Money,
    /// The amount in the stage before, when the stage needed it.
    pub previous: Option<Money>,
    /// Kept at the stage before's amount (from the 市長査定 on, without a decision of this stage).
    pub held: bool,
}

/// How a 復活要求 was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Funded in full (復活).
    Funded,
    /// Funded in part (一部復活).
    Partly,
    /// Refused (復活せず).
    Refused,
}

impl Answer {
    pub fn label(self) -> &'static str {
        match self {
            Answer::Funded => "復活（全額）",
            Answer::Partly => "一部復活",
            Answer::Refused => "復活せず",
        }
    }
}

/// One 復活要求 and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct RestorationOutcome {
    /// Index into [`Cycle::restorations`].
    pub request: usize,
    pub program: String,
    /// The amount of the stage before (the 内示).
    pub before: Money,
    /// The amount asked for, in all.
    pub asked: Money,
    /// The amount after the answer.
    pub granted: Money,
    /// General revenue the answer moves (from the reserve).
    pub general_revenue: Money,
    pub answer: Answer,
    /// The officer's decision (index into [`Cycle::decisions`]); `None`: decided by the policy.
    pub decision: Option<usize>,
    pub reason: String,
}

/// A stage run: the review with the decisions in it, the allocation (or why there is none) and
/// what the stage decided.
#[derive(Debug)]
pub struct StageRun {
    pub review: Review,
    pub result: std::result::Result<PlanOutcome, Box<Diagnostic>>,
    pub stage: StageOutcome,
}

/// Whether running `sc` needs the allocation of the stage before: from the 市長査定 on, and for a
/// stage that answers 復活要求.
pub fn needs_previous(sc: &Scenario) -> bool {
    sc.cycle.as_ref().is_some_and(|c| {
        c.previous().is_some() && (c.stage().kind.settled() || c.restorations.iter().any(|r| r.stage == c.current()))
    })
}

/// The scenario a settled stage (from the 市長査定 on) is allocated as: the fund is drawn exactly as
/// the stage before drew it (no further, and no less: under `draw = "before_cuts"` a lowered
/// reserve minimum would otherwise be taken as leave to draw less), so whatever a decision or a
/// 復活要求 adds is paid from the reserve, and a decision the reserve cannot pay for leaves no
/// allocation.
pub fn settled_scenario(sc: &Scenario, previous: &Allocation) -> Scenario {
    let mut held = sc.clone();
    held.fund.max_drawdown = held.fund.max_drawdown.min(previous.fund_drawdown);
    held.fund.held_drawdown = previous.fund_drawdown;
    held
}

/// Runs the stage `sc` is under its `review`: decisions fixed or bounded, everything else as
/// before. `previous` is the allocation of the stage before (see [`needs_previous`]).
pub fn run(
    sc: &Scenario,
    review: &Review,
    previous: Option<&Allocation>,
    allocate: &Allocator<'_>,
) -> Result<StageRun> {
    let Some(cycle) = &sc.cycle else {
        return Err(Error::internal("a stage run was asked of a scenario that is no stage"));
    };
    if needs_previous(sc) && previous.is_none() {
        return Err(Error::internal("a stage that keeps the amounts of the stage before was run without them"));
    }
    let current = cycle.current();
    let settled = cycle.stage().kind.settled();
    let before: BTreeMap<&str, Money> =
        previous.map(|a| a.programs.iter().map(|p| (p.id.as_str(), p.allocated)).collect()).unwrap_or_default();
    let effective = cycle.effective();

    // The bounds every program starts from, and the decisions that change them, in chain order.
    let mut base = review.clone();
    let mut programs = Vec::with_capacity(sc.programs.len());
    let mut overrides: Vec<Override> = Vec::new();
    let mut errors = Vec::new();
    for (i, (p, r)) in sc.programs.iter().zip(&review.programs).enumerate() {
        let prev = before.get(p.id.as_str()).copied();
        let decision = effective.get(p.id.as_str()).copied();
        let own = decision.filter(|&d| cycle.decisions[d].stage == current);
        let held = settled && prev.is_some() && own.is_none();
        if held {
            if let Some(x) = prev {
                base.programs[i].assessment.min = x;
                base.programs[i].assessment.max = x;
            }
        }
        // From the 市長査定 on only this stage's decisions move a program; before it, every decision
        // of the chain holds.
        let applies = if settled { own } else { decision };
        if let Some(d) = applies {
            match bounds(cycle, d, p, (r.assessment.min, r.assessment.max), if settled { prev } else { None }) {
                Ok(b) => overrides.push(Override { program: i, bounds: b, decision: d }),
                Err(e) => errors.push(e),
            }
        }
        programs.push(ProgramStage {
            id: p.id.clone(),
            disposition: 0,
            decision,
            assessed_min: r.assessment.min,
            assessed_max: r.assessment.max,
            previous: prev,
            held,
        });
    }
    if !errors.is_empty() {
        return Err(Error::Input(errors));
    }
    overrides.sort_by_key(|o| o.decision);

    // This stage's 復活要求: against the stage before.
    let mut requests = Vec::new();
    for (k, r) in cycle.restorations.iter().enumerate().filter(|(_, r)| r.stage == current) {
        let Some(i) = sc.programs.iter().position(|p| p.id == r.program) else { continue };
        let Some(prev) = programs[i].previous else {
            errors.push(
                Diagnostic::error(format!("`{}` has no amount in the stage before to restore", r.program))
                    .at_opt(r.location.clone())
                    .hint("a 復活要求 asks against the 内示: the program must be in the stage this one extends"),
            );
            continue;
        };
        if r.amount <= prev {
            errors.push(
                Diagnostic::error(format!(
                    "the restoration request for `{}` asks {}, not more than the {} it has already",
                    r.program,
                    r.amount.format(sc.display_unit),
                    prev.format(sc.display_unit)
                ))
                .at_opt(r.location.clone())
                .hint("a 復活要求 asks for more than the 内示 gave"),
            );
            continue;
        }
        requests.push((k, i, prev));
    }
    if !errors.is_empty() {
        return Err(Error::Input(errors));
    }

    let mut decided = with(&base, &overrides);
    let mut result = match allocate(&decided) {
        Ok(o) => Ok(o),
        Err(Error::Infeasible(d)) => Err(blame::blame(cycle, sc, &base, &overrides, allocate, d)),
        Err(e) => return Err(e),
    };

    // 復活要求: the officer's answers are decisions; the rest are the policy's.
    let mut restorations = Vec::new();
    if let Ok(outcome) = &result {
        let mut open: Vec<(usize, usize, Money)> = Vec::new();
        for &(k, i, prev) in &requests {
            match overrides.iter().find(|o| o.program == i) {
                Some(o) => {
                    let granted = allocated(outcome, i);
                    restorations.push(answered(cycle, sc, k, i, prev, granted, Some(o.decision), None));
                }
                None => open.push((k, i, prev)),
            }
        }
        // By the review's priority, then as written.
        open.sort_by(|a, b| {
            review.programs[b.1].assessment.priority.cmp(&review.programs[a.1].assessment.priority).then(a.0.cmp(&b.0))
        });
        let mut current_outcome = outcome.clone();
        for (k, i, prev) in open {
            let r = &cycle.restorations[k];
            let p = &sc.programs[i];
            let (reserve, drawdown, minimum) = reserve_room(&current_outcome, sc);
            let need = p.general_revenue(r.amount) - p.general_revenue(prev);
            let u = sc.display_unit;
            let refuse = |why: String| (why, None);
            let (reason, accepted) = if reserve - need < minimum {
                refuse(format!(
                    "市長調整枠の残り{}（下限{}まで{}）では一般財源{}を賄えないため見送り",
                    reserve.format(u),
                    minimum.format(u),
                    (reserve - minimum).max(Money::ZERO).format(u),
                    need.format(u)
                ))
            } else {
                let mut trial = decided.clone();
                trial.programs[i].assessment.min = r.amount;
                trial.programs[i].assessment.max = r.amount;
                match allocate(&trial) {
                    Ok(o) if reserve_room(&o, sc).1 <= drawdown => {
                        let after = reserve_room(&o, sc).0;
                        (
                            format!(
                                "市長調整枠から措置（一般財源{}、調整枠{}→{}）",
                                need.format(u),
                                reserve.format(u),
                                after.format(u)
                            ),
                            Some((trial, o)),
                        )
                    }
                    Ok(_) => refuse("市長調整枠では賄えず、基金の取崩しが増えるため見送り".to_string()),
                    Err(Error::Infeasible(d)) => refuse(format!("制約を満たせないため見送り（{}）", d.message)),
                    Err(e) => return Err(e),
                }
            };
            let granted = if accepted.is_some() { r.amount } else { prev };
            if let Some((trial, o)) = accepted {
                decided = trial;
                current_outcome = o;
            }
            restorations.push(answered(cycle, sc, k, i, prev, granted, None, Some(reason)));
        }
        result = Ok(current_outcome);
        restorations.sort_by_key(|r| r.request);
    }

    // Dispositions, and what holds each program in words of the cycle.
    let by_decision: BTreeMap<usize, usize> = overrides.iter().map(|o| (o.program, o.decision)).collect();
    let restored: BTreeMap<&str, &RestorationOutcome> =
        restorations.iter().filter(|r| r.decision.is_none()).map(|r| (r.program.as_str(), r)).collect();
    if let Ok(outcome) = &mut result {
        if let Some(a) = outcome.allocations.first_mut() {
            for (i, pa) in a.programs.iter_mut().enumerate() {
                let ps = &mut programs[i];
                let p = &sc.programs[i];
                ps.disposition = match (ps.decision, restored.get(p.id.as_str())) {
                    (_, Some(r)) if r.answer != Answer::Refused => cycle.derived(p, pa.allocated),
                    (Some(d), _) => cycle.decisions[d].disposition,
                    (None, _) => cycle.derived(p, pa.allocated),
                };
                if restored.get(p.id.as_str()).is_some_and(|r| r.answer != Answer::Refused) {
                    ps.held = false;
                }
                let decided = by_decision.contains_key(&i)
                    || restored.get(p.id.as_str()).is_some_and(|r| r.answer != Answer::Refused);
                pa.held_by = match (decided, pa.held_by) {
                    (true, Holding::Pinned | Holding::AllOrNothing) => Holding::Decided,
                    (true, Holding::ReviewMax) => Holding::DecisionMax,
                    (true, Holding::ReviewMin) => Holding::DecisionMin,
                    (false, Holding::Pinned) if ps.held => Holding::Held,
                    (_, h) => h,
                };
            }
        }
    }
    Ok(StageRun { review: decided, result, stage: StageOutcome { programs, restorations } })
}

/// One decision applied: the program (scenario index), its bounds, the decision.
#[derive(Debug, Clone, Copy)]
struct Override {
    program: usize,
    bounds: (Money, Money),
    decision: usize,
}

/// `review` with each override's bounds in place of the program's.
fn with(review: &Review, overrides: &[Override]) -> Review {
    let mut r = review.clone();
    for o in overrides {
        r.programs[o.program].assessment.min = o.bounds.0;
        r.programs[o.program].assessment.max = o.bounds.1;
    }
    r
}

/// The bounds decision `d` sets on `p`: its amount; its bounds within its disposition's range; or,
/// stating neither, the one amount its disposition names (①: the request, ④: nothing), else the
/// disposition's range within the review's bounds (from the 市長査定 on: the amount of the stage
/// before, `keep`, which the disposition must fit).
fn bounds(
    cycle: &Cycle,
    d: usize,
    p: &Program,
    review: (Money, Money),
    keep: Option<Money>,
) -> std::result::Result<(Money, Money), Diagnostic> {
    let dec = &cycle.decisions[d];
    let disp = &cycle.dispositions[dec.disposition];
    let range = disp.rule.range(p, cycle.unit);
    if let Some(a) = dec.amount {
        return Ok((a, a));
    }
    if dec.min.is_some() || dec.max.is_some() {
        let (lo, hi) = (dec.min.unwrap_or(Money::ZERO), dec.max.unwrap_or(p.requested));
        return Ok(match range {
            Some((a, b)) => (lo.max(a), hi.min(b)),
            None => (lo, hi),
        });
    }
    // A disposition that names one amount (the request, nothing) decides it.
    if let Some((a, b)) = range.filter(|(a, b)| a == b) {
        return Ok((a, b));
    }
    if let Some(x) = keep {
        if !disp.rule.holds(p, x) {
            return Err(Diagnostic::error(format!(
                "disposition {} does not fit `{}`'s amount {} in the stage before, which this decision keeps",
                disp.name(),
                p.id,
                x.format(cycle.display_unit)
            ))
            .at_opt(dec.location.clone())
            .note(format!("{} means {}", disp.name(), disp.rule.words()))
            .hint("state the amount (`amount = …`), or the disposition the kept amount has"));
        }
        return Ok((x, x));
    }
    Ok(match range {
        Some((a, b)) if disp.rule != Rule::Deferred => {
            let (lo, hi) = (review.0.max(a), review.1.min(b));
            if lo <= hi { (lo, hi) } else { (a, b) }
        }
        _ => review,
    })
}

fn allocated(o: &PlanOutcome, i: usize) -> Money {
    o.allocations.first().and_then(|a| a.programs.get(i)).map_or(Money::ZERO, |p| p.allocated)
}

/// The reserve, the fund drawdown and the reserve's least amount in an outcome.
fn reserve_room(o: &PlanOutcome, sc: &Scenario) -> (Money, Money, Money) {
    match o.allocations.first() {
        Some(a) => (a.reserve, a.fund_drawdown, a.available.mul_ratio(sc.policy.reserve_min_share)),
        None => (Money::ZERO, Money::ZERO, Money::ZERO),
    }
}

#[allow(clippy::too_many_arguments)]
fn answered(
    cycle: &Cycle,
    sc: &Scenario,
    k: usize,
    i: usize,
    before: Money,
    granted: Money,
    decision: Option<usize>,
    policy_reason: Option<String>,
) -> RestorationOutcome {
    let r = &cycle.restorations[k];
    let p = &sc.programs[i];
    let answer = if granted >= r.amount {
        Answer::Funded
    } else if granted > before {
        Answer::Partly
    } else {
        Answer::Refused
    };
    let reason = match (decision, policy_reason) {
        (Some(d), _) => cycle.decisions[d].reason.clone(),
        (None, Some(r)) => r,
        (None, None) => String::new(),
    };
    RestorationOutcome {
        request: k,
        program: r.program.clone(),
        before,
        asked: r.amount,
        granted,
        general_revenue: p.general_revenue(granted) - p.general_revenue(before),
        answer,
        decision,
        reason,
    }
}
