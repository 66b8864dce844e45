//! Path checks: the plan's limits along the years, checked exactly in yen after allocation.

use super::*;
use crate::allocate::Allocation;
use crate::constraint::{ConstraintKind, Sense};
use crate::money::Money;
use crate::scenario::Scenario;

/// The path limits, exactly in yen; `binding` are the kinds of the path rows that bind at the
/// joint optimum.
pub(super) fn path_checks(
    plan: &Plan,
    finals: &[Scenario],
    allocations: &[Allocation],
    binding: &[ConstraintKind],
) -> Vec<PathCheck> {
    let mut out = Vec::new();
    let check = |kind: ConstraintKind, name: String, sense: Sense, limit: Money, value: Money, binding: bool| {
        let holds = match sense {
            Sense::Le => value <= limit,
            Sense::Ge => value >= limit,
            Sense::Eq => value == limit,
        };
        PathCheck { name, label: kind.label(), sense, limit, value, holds, binding, kind }
    };
    for (t, (sc, a)) in finals.iter().zip(allocations).enumerate() {
        let fy = plan.years[t].year;
        let kind = ConstraintKind::PlanFundFloor { year: fy };
        let binds = binding.contains(&kind);
        out.push(check(kind, format!("fund_floor.{fy}"), Sense::Ge, sc.fund.floor, a.fund_balance_end, binds));
        if plan.bond_balance_not_rising {
            out.push(check(
                ConstraintKind::BondNotRising { year: fy },
                format!("bond_not_rising.{fy}"),
                Sense::Le,
                a.bond_balance_start,
                a.bond_balance_end,
                a.bond_issuance == a.bond_redemption,
            ));
        }
        // The year's own cap, already lowered to the plan's escalated cap (`limited`).
        let cap = sc.policy.investment_cap;
        out.push(check(
            ConstraintKind::PlanInvestmentCap { year: fy },
            format!("investment_cap.{fy}"),
            Sense::Le,
            cap,
            a.investment,
            a.investment == cap,
        ));
    }
    if !plan.next_generation_target.is_zero() {
        let total: Money = allocations.iter().map(|a| a.next_generation).sum();
        let kind = ConstraintKind::PlanNextGeneration;
        let binds = binding.contains(&kind);
        out.push(check(kind, "next_generation".into(), Sense::Ge, plan.next_generation_target, total, binds));
    }
    out
}
