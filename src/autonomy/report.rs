//! Autonomous mode as text: the per-bureau table, and the comparison with central mode.

use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::Autonomous;
use crate::allocate::Allocation;
use crate::money::{Money, Unit};

fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(UnicodeWidthStr::width(s)));
    if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

/// A plain table: the first column left-aligned, the others right-aligned, the last left-aligned.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let last = header.len() - 1;
    let mut w: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, w[i], i > 0 && i < last))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(out, "  {}", line(&header.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    for r in rows {
        let _ = writeln!(out, "  {}", line(r));
    }
}

fn n(m: Money, u: Unit) -> String {
    m.format_number(u)
}

fn signed(m: Money, u: Unit) -> String {
    if m.is_negative() { n(m, u) } else { format!("+{}", n(m, u)) }
}

/// The per-bureau table of `waku run --mode autonomous`.
pub fn render_table(r: &Autonomous) -> String {
    let a = &r.allocation;
    let u = a.display_unit;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} FY{} — autonomous allocation ({}; {})",
        a.city,
        a.scenario,
        a.fiscal_year,
        u.suffix(),
        a.solver
    );
    for line in crate::report::set_lines(&[(a.fiscal_year, &a.overrides)], u) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "  own-review savings {} (ring-fenced at level 1): kept by bureaus {}, passed on to the reserve {}\n",
        n(r.savings_generated, u),
        n(r.savings_kept, u),
        n(r.savings_passed_on, u)
    );
    let mut rows: Vec<Vec<String>> = r
        .departments
        .iter()
        .map(|d| {
            vec![
                format!("{} {}", d.id, d.name),
                n(d.base, u),
                n(d.city_envelope, u),
                n(d.savings_generated, u),
                n(d.savings_kept, u),
                n(d.savings_passed_on, u),
                n(d.envelope, u),
                if d.initiatives_funded == 0 {
                    "-".into()
                } else {
                    format!("{} ({})", d.initiatives_funded, n(d.initiatives_cost, u))
                },
                format!(
                    "{}{}",
                    if d.policy == "default" {
                        "default".to_string()
                    } else {
                        format!("{} ({} moved)", d.policy, d.programs_moved)
                    },
                    d.kept_limited_by.map(|l| format!("; kept cut by {l}")).unwrap_or_default()
                ),
            ]
        })
        .collect();
    let sum = |f: fn(&super::DepartmentReport) -> Money| r.departments.iter().map(f).sum::<Money>();
    rows.push(vec![
        "total bureaus".into(),
        n(sum(|d| d.base), u),
        n(sum(|d| d.city_envelope), u),
        n(sum(|d| d.savings_generated), u),
        n(sum(|d| d.savings_kept), u),
        n(sum(|d| d.savings_passed_on), u),
        n(sum(|d| d.envelope), u),
        String::new(),
        String::new(),
    ]);
    rows.push(vec![
        "mayor's reserve".into(),
        String::new(),
        n(r.level1.reserve, u),
        String::new(),
        String::new(),
        format!("+{}", n(r.savings_passed_on, u)),
        n(a.reserve, u),
        String::new(),
        format!("{}% of available", (a.reserve_share * rust_decimal::Decimal::ONE_HUNDRED).round_dp(2).normalize()),
    ]);
    if !a.fund_deposit.is_zero() {
        rows.push(vec![
            "fund deposit".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            n(a.fund_deposit, u),
            String::new(),
            "passed-on savings above the reserve's maximum share".into(),
        ]);
    }
    rows.push(vec![
        "available".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        n(a.available, u),
        String::new(),
        "= envelopes + reserve".into(),
    ]);
    table(
        &mut out,
        &["bureau", "base", "city", "saved", "kept", "passed on", "envelope", "initiatives", "policy"],
        &rows,
    );
    let _ = writeln!(
        out,
        "\n  investment {} (cap {}), bond issuance {} (cap {}), next-generation frame {} (target {})",
        n(a.investment, u),
        n(a.investment_cap, u),
        n(a.bond_issuance, u),
        n(a.bond_issuance_cap, u),
        n(a.next_generation, u),
        n(a.next_generation_target, u)
    );
    // What each bureau's own policy moved.
    for d in r.departments.iter().filter(|d| d.policy != "default" && d.programs_moved > 0) {
        let _ = writeln!(out, "\n  {} {} — its policy moved (level 1 → level 2):", d.id, d.name);
        let moved: Vec<Vec<String>> = a
            .programs
            .iter()
            .zip(&r.level1.programs)
            .filter(|(p, l1)| p.department == d.id && p.allocated != l1.allocated)
            .map(|(p, l1)| {
                vec![
                    format!("{} {}", p.id, p.name),
                    n(l1.allocated, u),
                    n(p.allocated, u),
                    signed(p.allocated - l1.allocated, u),
                    p.held_by.words().to_string(),
                ]
            })
            .collect();
        table(&mut out, &["program", "level 1", "level 2", "change", "held by"], &moved);
    }
    out
}

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
                why.push(format!("city allocation {} with the savings pool ring-fenced", signed(city_change, u)));
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

/// The comparison table.
pub fn render_compare(c: &Comparison) -> String {
    let u = c.central.display_unit;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} FY{} — central vs autonomous ({})",
        c.central.city,
        c.central.scenario,
        c.central.fiscal_year,
        u.suffix()
    );
    for line in crate::report::set_lines(&[(c.central.fiscal_year, &c.central.overrides)], u) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    let mut rows: Vec<Vec<String>> = c
        .departments
        .iter()
        .map(|d| {
            vec![
                format!("{} {}", d.id, d.name),
                n(d.central, u),
                n(d.autonomous, u),
                signed(d.difference, u),
                signed(d.city_change, u),
                n(d.savings_kept, u),
                d.why.clone(),
            ]
        })
        .collect();
    rows.push(vec![
        "mayor's reserve".into(),
        n(c.reserve_central, u),
        n(c.reserve_autonomous, u),
        signed(c.reserve_autonomous - c.reserve_central, u),
        String::new(),
        String::new(),
        format!("+{} passed-on savings", n(c.autonomous.savings_passed_on, u)),
    ]);
    table(&mut out, &["bureau", "central", "autonomous", "difference", "city", "kept", "why"], &rows);
    out
}
