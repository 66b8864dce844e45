//! When a stage cannot be allocated: which decision breaks a limit.
//!
//! The decisions are applied one after another in the order they were written (stage by stage,
//! then file order). Without any of them the limits held (the review's bounds, or the amounts of
//! the stage before); with all of them they do not. Bisection finds the first decision that,
//! added to those before it, leaves no allocation, and the diagnosis names it at its place in its
//! file: an override that breaks a limit says where it is.

use super::{Allocator, Override, with};
use crate::Error;
use crate::diagnostic::Diagnostic;
use crate::review::Review;
use crate::scenario::Scenario;
use crate::scenario::stage::Cycle;

/// The diagnosis of a stage whose decisions leave no allocation: the first decision that breaks
/// a limit, at its place, with the conflict as the elastic re-solve names it. `plain` is the
/// diagnosis with every decision applied (kept when the limits fail without any decision, or a
/// trial does not answer).
pub(super) fn blame(
    cycle: &Cycle,
    sc: &Scenario,
    base: &Review,
    overrides: &[Override],
    allocate: &Allocator<'_>,
    plain: Box<Diagnostic>,
) -> Box<Diagnostic> {
    // `Some(diagnosis)` when the first `k` decisions leave no allocation.
    let fails = |k: usize| -> Option<Option<Box<Diagnostic>>> {
        match allocate(&with(base, &overrides[..k])) {
            Ok(_) => Some(None),
            Err(Error::Infeasible(d)) => Some(Some(d)),
            Err(_) => None,
        }
    };
    if overrides.is_empty() || !matches!(fails(0), Some(None)) {
        return plain;
    }
    // Invariant: the first `lo` decisions allocate, the first `hi` do not.
    let (mut lo, mut hi) = (0, overrides.len());
    let mut diagnosis = plain;
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        match fails(mid) {
            Some(Some(d)) => {
                hi = mid;
                diagnosis = d;
            }
            Some(None) => lo = mid,
            None => return diagnosis,
        }
    }
    let o = overrides[hi - 1];
    let d = &cycle.decisions[o.decision];
    let p = &sc.programs[o.program];
    let u = sc.display_unit;
    let what = match (d.amount, d.min, d.max) {
        (Some(a), ..) => a.format(u),
        (None, Some(lo), Some(hi)) => format!("{} to {}", lo.format(u), hi.format(u)),
        (None, Some(lo), None) => format!("at least {}", lo.format(u)),
        (None, None, Some(hi)) => format!("at most {}", hi.format(u)),
        (None, None, None) if o.bounds.0 == o.bounds.1 => {
            format!("{}, {}", cycle.dispositions[d.disposition].name(), o.bounds.0.format(u))
        }
        (None, None, None) => {
            let name = cycle.dispositions[d.disposition].name();
            format!("{name}, {} to {}", o.bounds.0.format(u), o.bounds.1.format(u))
        }
    };
    let stage = &cycle.stages[d.stage];
    let mut out = Diagnostic::error(format!(
        "the decision on `{}` {} ({what}, {}) breaks a limit: {}",
        p.id, p.name, stage.name, diagnosis.message
    ))
    .at_opt(d.location.clone());
    for n in &diagnosis.notes {
        out = out.note(n.clone());
    }
    let before = hi - 1;
    out = out.note(if before == 0 {
        "without this decision every limit holds".to_string()
    } else {
        format!("with the {before} decision(s) written before it every limit holds; with it, not")
    });
    Box::new(out.hint(
        "change the amount (or the bounds) by the shortfall, or relax the limit in the stage file (`[policy]`, `[[departments]]`)",
    ))
}
