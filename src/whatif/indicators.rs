//! Indicators of an outcome, each with its threshold where the city has one.
//!
//! This is the hook the fiscal-health indicators plug into: [`KNOWN`] names every indicator an
//! `[[expect]]` entry or a sweep column may use, and [`indicators`] computes them from a
//! scenario and its allocation. Today they are the headroom figures the allocation itself
//! yields; the statutory ratios (real debt-service ratio, future burden ratio, …) join here as
//! further entries when the `fiscal` module provides them.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::allocate::Allocation;
use crate::money::{Money, Unit};
use crate::scenario::Scenario;

/// A value an expectation compares: an amount of money or a plain number (a share, a ratio).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Quantity {
    Money(Money),
    Number(Decimal),
}

impl Quantity {
    /// The value as a decimal (yen for money).
    pub fn decimal(self) -> Decimal {
        match self {
            Quantity::Money(m) => m.as_decimal(),
            Quantity::Number(n) => n,
        }
    }

    /// As people read it: money in `unit` (with the exact yen when rounding hides some), numbers as written.
    pub fn show(self, unit: Unit) -> String {
        match self {
            Quantity::Money(m) => show_money(m, unit),
            Quantity::Number(n) => n.normalize().to_string(),
        }
    }

    /// `self − other`, in the kind of `self`.
    pub fn minus(self, other: Quantity) -> Quantity {
        match self {
            Quantity::Money(m) => Quantity::Money(m - Money::from_decimal(other.decimal())),
            Quantity::Number(n) => Quantity::Number(n - other.decimal()),
        }
    }
}

/// Money in `unit`, followed by the exact yen when the unit's rounding would hide a difference.
pub fn show_money(m: Money, unit: Unit) -> String {
    let shown = m.format(unit);
    let back = Money::parse(&shown).ok();
    if back == Some(m) || unit == Unit::Yen { shown } else { format!("{shown} ({})", m.format(Unit::Yen)) }
}

/// Which side of its threshold an indicator must stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The value must not exceed the threshold.
    AtMost,
    /// The value must not fall below the threshold.
    AtLeast,
}

/// One indicator of an outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: &'static str,
    pub label: &'static str,
    pub value: Quantity,
    pub threshold: Option<Quantity>,
    pub bound: Bound,
}

impl Indicator {
    /// Whether the value is on the right side of its threshold (always, without one).
    pub fn within_threshold(&self) -> bool {
        match (self.threshold, self.bound) {
            (None, _) => true,
            (Some(t), Bound::AtMost) => self.value.decimal() <= t.decimal(),
            (Some(t), Bound::AtLeast) => self.value.decimal() >= t.decimal(),
        }
    }
}

/// Every indicator id, with what it measures (for `[[expect]]` validation, docs and "did you mean").
pub const KNOWN: &[(&str, &str)] = &[
    ("fiscal_gap", "収支ギャップ: general revenue the requests need beyond the forecast (no threshold)"),
    ("reserve_share", "mayor's reserve as a share of available general revenue (at least the policy minimum)"),
    ("investment_headroom", "investment cap − investment (at least 0)"),
    ("bond_balance_change", "市債残高 at year end − at the start (at most 0: the balance does not rise)"),
    ("fund_headroom", "財源調整用基金 at year end − its floor (at least 0)"),
    ("next_generation_margin", "次世代投資枠 funded − its target (at least 0)"),
    ("funded_share", "Σ allocated ÷ Σ requested (no threshold)"),
];

/// The indicators of `allocation`, in [`KNOWN`] order.
pub fn indicators(scenario: &Scenario, a: &Allocation) -> Vec<Indicator> {
    let money = Quantity::Money;
    let zero = Some(money(Money::ZERO));
    let label = |id: &str| KNOWN.iter().find(|(k, _)| *k == id).map_or("", |(_, l)| *l);
    let funded = if a.total_requested.is_zero() {
        Decimal::ONE
    } else {
        (a.total_allocated.as_decimal() / a.total_requested.as_decimal()).round_dp(6)
    };
    vec![
        Indicator {
            id: "fiscal_gap",
            label: label("fiscal_gap"),
            value: money(scenario.requested_general_revenue() - a.general_revenue),
            threshold: None,
            bound: Bound::AtMost,
        },
        Indicator {
            id: "reserve_share",
            label: label("reserve_share"),
            value: Quantity::Number(a.reserve_share.round_dp(6)),
            threshold: Some(Quantity::Number(scenario.policy.reserve_min_share)),
            bound: Bound::AtLeast,
        },
        Indicator {
            id: "investment_headroom",
            label: label("investment_headroom"),
            value: money(a.investment_cap - a.investment),
            threshold: zero,
            bound: Bound::AtLeast,
        },
        Indicator {
            id: "bond_balance_change",
            label: label("bond_balance_change"),
            value: money(a.bond_balance_end - a.bond_balance_start),
            threshold: zero,
            bound: Bound::AtMost,
        },
        Indicator {
            id: "fund_headroom",
            label: label("fund_headroom"),
            value: money(a.fund_balance_end - a.fund_floor),
            threshold: zero,
            bound: Bound::AtLeast,
        },
        Indicator {
            id: "next_generation_margin",
            label: label("next_generation_margin"),
            value: money(a.next_generation - a.next_generation_target),
            threshold: zero,
            bound: Bound::AtLeast,
        },
        Indicator {
            id: "funded_share",
            label: label("funded_share"),
            value: Quantity::Number(funded),
            threshold: None,
            bound: Bound::AtLeast,
        },
    ]
}
