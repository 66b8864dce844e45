//! The 事業 sheet's columns: the inventory's input columns with their Japanese headers, the
//! result columns, and a program's cells in them.

use rust_decimal::Decimal;

use crate::allocate::ProgramAllocation;
use crate::scenario::{COLUMNS, Program, RESULT_COLUMNS, RESULT_NOTES};

use super::*;

/// The inventory columns the 事業 sheet leads with (in this order), then its results.
pub(super) const LEAD_COLUMNS: [&str; 5] = ["id", "name", "department", "kind", "nature"];

/// The inventory's other columns, after the results, in the inventory's order.
pub(super) const INPUT_COLUMNS: [&str; 20] = [
    "cluster",
    "subsidy_ratio",
    "fees",
    "bondable_share",
    "strategy",
    "next_generation",
    "all_or_nothing",
    "demand_trend",
    "satisfaction",
    "overlap_with",
    "service_level",
    "digital_share",
    "private_capacity",
    "outsourced",
    "natural_savings",
    "kpi_indicator",
    "kpi_baseline",
    "kpi_target",
    "kpi_actual",
    "kpi_direction",
];

/// An inventory column's Japanese header, `（円）` after a money column's.
pub(super) fn input_header(en: &str) -> String {
    let ja = COLUMNS.iter().find(|(e, _, _)| *e == en).map_or(en, |(_, ja, _)| *ja);
    if matches!(en, "prior_cost" | "requested" | "fees" | "natural_savings") {
        format!("{ja}（円）")
    } else {
        ja.into()
    }
}

/// The 事業 sheet's columns: 年度, the lead inventory columns with 局名 after 所管局, the request
/// and the results ([`RESULT_COLUMNS`], [`RESULT_NOTES`]), then the inventory's other columns.
/// The README lists them with their English meaning.
pub fn program_headers() -> Vec<String> {
    let r = |i: usize| RESULT_COLUMNS[i].to_string();
    let yen = |i: usize| format!("{}（円）", RESULT_COLUMNS[i]);
    let mut h = vec![r(0)];
    for (i, en) in LEAD_COLUMNS.iter().enumerate() {
        if i == 3 {
            h.push(r(1));
        }
        h.push(input_header(en));
    }
    h.push(r(2));
    h.extend([input_header("prior_cost"), input_header("requested")]);
    h.extend((3..=11).map(yen));
    h.extend([r(12), r(13)]);
    h.extend(RESULT_NOTES.iter().map(|n| n.to_string()));
    h.extend(INPUT_COLUMNS.iter().map(|c| input_header(c)));
    h
}

/// A program's request and results, in the order of [`program_headers`] (from 今後の方向性).
pub(super) fn program_results(p: &ProgramAllocation, reason: &str) -> Vec<Value> {
    let mut row = vec![Value::text(p.action.label())];
    row.extend(super::yen([
        p.prior_cost,
        p.requested,
        p.min,
        p.max,
        p.allocated,
        p.allocated - p.requested,
        p.allocated - p.prior_cost,
        p.general_revenue,
        p.subsidy,
        p.fees,
        p.bonds,
    ]));
    row.extend([
        Value::Number(p.priority, "0.000"),
        Value::text(p.held_by.label_ja()),
        Value::text(p.limits.join(" ")),
        Value::text(reason),
        Value::text(p.allocation_reason.as_deref().unwrap_or("")),
    ]);
    row
}

/// One of the inventory's [`INPUT_COLUMNS`] of a program, as the inventory reader reads it back.
pub(super) fn input_cell(p: &Program, column: &str) -> Value {
    let number = |d: Decimal| Value::Number(d, "General");
    let opt = |d: Option<Decimal>| d.map_or(Value::Empty, number);
    let yes = |b: bool| Value::text(if b { "○" } else { "" });
    let kpi = p.kpi.as_ref();
    let a = &p.attributes;
    match column {
        "cluster" => p.cluster.as_deref().map_or(Value::Empty, Value::text),
        "subsidy_ratio" => number(p.subsidy_ratio),
        "fees" => Value::Yen(p.fees),
        "bondable_share" => number(p.bondable_share),
        "strategy" => p.strategy.map_or(Value::Empty, |s| Value::text(s.label())),
        "next_generation" => yes(p.next_generation),
        "all_or_nothing" => yes(p.all_or_nothing),
        "demand_trend" => opt(a.demand_trend),
        "satisfaction" => opt(a.satisfaction),
        "overlap_with" => a.overlap_with.as_deref().map_or(Value::Empty, Value::text),
        "service_level" => opt(a.service_level),
        "digital_share" => opt(a.digital_share),
        "private_capacity" => opt(a.private_capacity),
        "outsourced" => yes(a.outsourced),
        "natural_savings" => Value::Yen(a.natural_savings),
        "kpi_indicator" => kpi.map_or(Value::Empty, |k| Value::text(&k.indicator)),
        "kpi_baseline" => opt(kpi.map(|k| k.baseline)),
        "kpi_target" => opt(kpi.map(|k| k.target)),
        "kpi_actual" => opt(kpi.map(|k| k.actual)),
        "kpi_direction" => kpi.map_or(Value::Empty, |k| Value::text(k.direction.label())),
        _ => Value::Empty,
    }
}
