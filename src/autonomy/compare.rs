//! Central and autonomous allocations of the same year, bureau by bureau, and why each differs
//! (`waku run --mode compare`; the tables are in [`crate::report::autonomy`]).

use serde::Serialize;

use super::Autonomous;
use crate::allocate::Allocation;
use crate::money::{Money, Sign};

/// Central and autonomous allocations of the same scenario, side by side.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub mode: &'static str,
    pub departments: Vec<CompareRow>,
    pub reserve_central: Money,
    pub reserve_autonomous: Money,
    #[serde(skip)]
    pub central: Allocation,
    #[serde(skip)]
    pub autonomous: Autonomous,
}

/// One bureau under both modes.
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    pub id: String,
    pub name: String,
    pub central: Money,
    pub autonomous: Money,
    pub difference: Money,
    /// Level 1 (savings ring-fenced) minus central: what the city's optimiser gives differently.
    pub city_change: Money,
    /// Savings the bureau keeps.
    pub savings_kept: Money,
    pub why: String,
}

/// The comparison of a year's central allocation with its two-level one, bureau by bureau.
pub(crate) fn compare_allocations(central: Allocation, autonomous: Autonomous) -> Comparison {
    let u = central.display_unit;
    let departments = central
        .envelopes
        .iter()
        .zip(&autonomous.departments)
        .map(|(c, d)| {
            let city_change = d.city_envelope - c.amount;
            let mut why = Vec::new();
            if !d.savings_generated.is_zero() {
                why.push(format!(
                    "saved {}, kept {}{}",
                    d.savings_generated.format(u),
                    d.savings_kept.format(u),
                    d.kept_limited_by.map(|l| format!(" (cut by {l})")).unwrap_or_default()
                ));
            }
            if !city_change.is_zero() {
                why.push(format!(
                    "city allocation {} with the savings pool ring-fenced",
                    city_change.format_change(u, Sign::Plus)
                ));
            }
            if d.policy != "default" && d.programs_moved > 0 {
                why.push(format!("own policy moved {} programs", d.programs_moved));
            }
            CompareRow {
                id: d.id.clone(),
                name: d.name.clone(),
                central: c.amount,
                autonomous: d.envelope,
                difference: d.envelope - c.amount,
                city_change,
                savings_kept: d.savings_kept,
                why: if why.is_empty() { "no change".into() } else { why.join("; ") },
            }
        })
        .collect();
    Comparison {
        mode: "compare",
        departments,
        reserve_central: central.reserve,
        reserve_autonomous: autonomous.allocation.reserve,
        central,
        autonomous,
    }
}
