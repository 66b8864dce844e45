//! The savings incentive (メリットシステム): what a bureau's own review saved, and the share it keeps.
//!
//! # What counts as a bureau's own saving
//!
//! A program's own saving is the general revenue (一般財源) its review commits to give up:
//! `max(0, GR(prior cost) − GR(review maximum) − GR(natural savings))`, for programs whose review
//! action is the bureau's own doing — 縮小, 統合, 民間委託, 改善, 廃止. Not counted:
//! * mandatory programs (義務的経費, fixed by law, not by management);
//! * 継続 and 拡充 programs, even when the city's allocation cuts them (that is the city's doing);
//! * 完了: a program that reached its goal ends on schedule, not by review;
//! * natural savings such as bid-price differences (入札差金, `natural_savings` in the inventory),
//!   which are taken off the program's saving (Kumamoto FY2005 practice, fiscal-facts.md).
//!
//! The saving is measured against the review's maximum, not against what the allocation gives:
//! the maximum is what the review commits the bureau to, it is known before any allocation (so
//! level 1 can ring-fence it), and a bureau cannot inflate its saving by starving its own programs
//! at level 2 (that is reallocation inside its envelope, not saving).
//!
//! # The split
//!
//! Per program, `retention_share × saving` rounded down to whole yen, at most
//! `policy.retention_cap_per_program` (Shijonawate caps at 500万円 a project); per bureau, the sum at
//! most its `retention_cap` (or `policy.retention_cap_per_department`). The bureau keeps that, unless
//! its programs cannot spend it (see [`super`]); the rest is passed on to the mayor's reserve.

use rust_decimal::Decimal;

use crate::money::Money;
use crate::review::{Action, Review};
use crate::scenario::{Department, Program, ProgramKind, Scenario};

/// Whether a review action is the bureau's own saving effort.
pub fn own_review_action(action: Action) -> bool {
    matches!(action, Action::Reduce | Action::Merge | Action::Outsource | Action::Improve | Action::Abolish)
}

/// One program's own saving in general revenue, under its review (zero when it does not count).
pub fn program_saving(p: &Program, action: Action, review_max: Money) -> Money {
    if p.kind == ProgramKind::Mandatory || !own_review_action(action) {
        return Money::ZERO;
    }
    let saving = p.general_revenue(p.prior_cost)
        - p.general_revenue(review_max.min(p.prior_cost))
        - p.general_revenue(p.attributes.natural_savings);
    saving.max(Money::ZERO)
}

/// `amount × share`, rounded down to whole yen (a bureau never keeps a fraction of a yen it did not save).
pub fn share_down(amount: Money, share: Decimal) -> Money {
    Money::from_decimal((amount.as_decimal() * share).floor())
}

/// A bureau's savings and the share the merit rules let it keep (before what it can spend is checked).
#[derive(Debug, Clone, Default)]
pub struct BureauSavings {
    /// Σ own savings of its programs.
    pub generated: Money,
    /// Σ per-program retained shares (each capped), then capped per bureau.
    pub retained: Money,
    /// Whether a per-program or per-bureau cap cut the retained amount.
    pub capped: bool,
    /// Own saving per program (scenario index, saving), for programs that saved.
    pub programs: Vec<(usize, Money)>,
}

/// The savings of `dept` (index `d`) under `review`.
pub fn bureau_savings(sc: &Scenario, review: &Review, dept: &Department) -> BureauSavings {
    let mut out = BureauSavings::default();
    let mut retained = Money::ZERO;
    for (i, (p, r)) in sc.programs.iter().zip(&review.programs).enumerate() {
        if p.department != dept.id {
            continue;
        }
        let s = program_saving(p, r.assessment.action, r.assessment.max);
        if s.is_zero() {
            continue;
        }
        out.generated += s;
        out.programs.push((i, s));
        let mut k = share_down(s, dept.retention_share);
        if let Some(cap) = sc.policy.retention_cap_per_program {
            if k > cap {
                k = cap;
                out.capped = true;
            }
        }
        retained += k;
    }
    if let Some(cap) = dept.retention_cap {
        if retained > cap {
            retained = cap;
            out.capped = true;
        }
    }
    out.retained = retained;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_down_to_whole_yen() {
        assert_eq!(share_down(Money::yen(1_001), Decimal::new(5, 1)), Money::yen(500));
        assert_eq!(share_down(Money::yen(999), Decimal::new(8, 1)), Money::yen(799));
        assert_eq!(share_down(Money::ZERO, Decimal::ONE), Money::ZERO);
    }

    #[test]
    fn only_the_bureaus_own_review_actions_count() {
        for a in [Action::Reduce, Action::Merge, Action::Outsource, Action::Improve, Action::Abolish] {
            assert!(own_review_action(a), "{a}");
        }
        for a in [Action::Continue, Action::Expand, Action::Complete] {
            assert!(!own_review_action(a), "{a}");
        }
    }
}
