//! `waku run` as text: a table for the terminal and Markdown for a meeting, in the display unit.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::explain::price_words;
use super::{Allocation, Holding};
use crate::money::{Money, Unit};

/// Pads `s` to `width` terminal columns (East Asian wide characters count two).
fn pad(s: &str, width: usize, right: bool) -> String {
    let w = UnicodeWidthStr::width(s);
    let fill = " ".repeat(width.saturating_sub(w));
    if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

/// A plain table: first and last columns left-aligned, the rest right-aligned.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let last = header.len().saturating_sub(1);
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], i > 0 && (i < last || last == 0)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(out, "  {}", line(header.iter().map(|s| s.to_string()).collect()));
    for r in rows {
        let _ = writeln!(out, "  {}", line(r.clone()));
    }
}

fn n(m: Money, u: Unit) -> String {
    m.format_number(u)
}

fn change(now: Money, before: Money) -> String {
    if before.is_zero() {
        return String::new();
    }
    let pct = (now - before).as_decimal() / before.as_decimal() * rust_decimal::Decimal::ONE_HUNDRED;
    format!("{:+.1}%", pct.round_dp(1))
}

fn envelope_rows(a: &Allocation, u: Unit) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = a
        .envelopes
        .iter()
        .map(|e| {
            vec![
                format!("{} {}", e.department, e.name),
                n(e.base, u),
                n(e.requested, u),
                n(e.floor, u),
                n(e.ceiling, u),
                n(e.amount, u),
                change(e.amount, e.base),
            ]
        })
        .collect();
    let total: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let base: Money = a.envelopes.iter().map(|e| e.base).sum();
    let req: Money = a.envelopes.iter().map(|e| e.requested).sum();
    rows.push(vec![
        "total envelopes".into(),
        n(base, u),
        n(req, u),
        String::new(),
        String::new(),
        n(total, u),
        change(total, base),
    ]);
    rows.push(vec![
        "mayor's reserve".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        n(a.reserve, u),
        format!("{}%", (a.reserve_share * rust_decimal::Decimal::ONE_HUNDRED).round_dp(2).normalize()),
    ]);
    rows.push(vec![
        "available".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        n(a.available, u),
        String::new(),
    ]);
    rows
}

fn summary_rows(a: &Allocation) -> Vec<Vec<String>> {
    let u = a.display_unit;
    vec![
        vec!["general revenue".into(), n(a.general_revenue, u), String::new()],
        vec![
            "fund drawdown".into(),
            n(a.fund_drawdown, u),
            format!(
                "balance {} → {} (floor {})",
                n(a.fund_balance_start, u),
                n(a.fund_balance_end, u),
                n(a.fund_floor, u)
            ),
        ],
        vec!["fund deposit".into(), n(a.fund_deposit, u), String::new()],
        vec!["available".into(), n(a.available, u), "= envelopes + reserve".into()],
        vec!["investment".into(), n(a.investment, u), format!("cap {}", n(a.investment_cap, u))],
        vec![
            "bond issuance".into(),
            n(a.bond_issuance, u),
            format!(
                "cap {}; balance {} → {} (redemption {})",
                n(a.bond_issuance_cap, u),
                n(a.bond_balance_start, u),
                n(a.bond_balance_end, u),
                n(a.bond_redemption, u)
            ),
        ],
        vec![
            "next-generation frame".into(),
            n(a.next_generation, u),
            format!("target {}", n(a.next_generation_target, u)),
        ],
        vec!["programs".into(), n(a.total_allocated, u), format!("requested {}", n(a.total_requested, u))],
    ]
}

fn action_rows(a: &Allocation) -> Vec<Vec<String>> {
    let u = a.display_unit;
    let mut by: BTreeMap<(crate::review::Action, &str), (usize, Money, Money)> = BTreeMap::new();
    for p in &a.programs {
        let e = by.entry((p.action, p.held_by.words())).or_insert((0, Money::ZERO, Money::ZERO));
        e.0 += 1;
        e.1 += p.requested;
        e.2 += p.allocated;
    }
    by.into_iter()
        .map(|((action, held), (count, req, alloc))| {
            vec![format!("{} {held}", action.label()), count.to_string(), n(req, u), n(alloc, u)]
        })
        .collect()
}

fn program_rows(a: &Allocation, all: bool) -> Vec<Vec<String>> {
    let u = a.display_unit;
    a.programs
        .iter()
        .filter(|p| all || p.held_by == Holding::Marginal)
        .map(|p| {
            vec![
                format!("{} {}", p.id, p.name),
                p.department.clone(),
                p.action.label().to_string(),
                n(p.requested, u),
                n(p.allocated, u),
                n(p.general_revenue, u),
                p.held_by.words().to_string(),
            ]
        })
        .collect()
}

/// The terminal table. With `all_programs`, every program is listed; otherwise only the marginal ones.
pub fn render_table(a: &Allocation, all_programs: bool) -> String {
    let u = a.display_unit;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} FY{} — allocation ({}; solver {})",
        a.city,
        a.scenario,
        a.fiscal_year,
        u.suffix(),
        a.solver
    );
    out.push('\n');
    table(&mut out, &["", u.suffix(), ""], &summary_rows(a));
    out.push('\n');
    table(&mut out, &["bureau", "base", "requested", "floor", "ceiling", "envelope", "vs base"], &envelope_rows(a, u));
    out.push('\n');
    let binding: Vec<Vec<String>> = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.name != "balance")
        .map(|c| vec![c.name.clone(), n(c.limit, u), price_words(c, u)])
        .collect();
    let balance = a.constraints.iter().find(|c| c.name == "balance");
    if let Some(b) = balance {
        let _ = writeln!(out, "  marginal value of general revenue: {}", price_words(b, u));
    }
    if binding.is_empty() {
        out.push_str("  no limit binds\n");
    } else {
        table(&mut out, &["binding limit", "limit", "shadow price"], &binding);
    }
    out.push('\n');
    table(&mut out, &["review action", "programs", "requested", "allocated"], &action_rows(a));
    let rows = program_rows(a, all_programs);
    if !rows.is_empty() {
        out.push('\n');
        table(
            &mut out,
            &[
                if all_programs { "program" } else { "marginal program" },
                "bureau",
                "action",
                "requested",
                "allocated",
                "general rev.",
                "held by",
            ],
            &rows,
        );
    }
    out
}

fn md_table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        header.iter().enumerate().map(|(i, _)| if i == 0 { "---|" } else { "---:|" }).collect::<String>()
    );
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

/// Markdown for a meeting report.
pub fn render_markdown(a: &Allocation, all_programs: bool) -> String {
    let u = a.display_unit;
    let mut out = String::new();
    let _ = writeln!(out, "# {} {} FY{}: allocation\n", a.city, a.scenario, a.fiscal_year);
    let _ = writeln!(out, "Amounts in {}. Solver: {}.\n", u.suffix(), a.solver);
    md_table(&mut out, &["", u.suffix(), "note"], &summary_rows(a));
    out.push_str("\n## Envelopes\n\n");
    md_table(
        &mut out,
        &["bureau", "base", "requested", "floor", "ceiling", "envelope", "vs base"],
        &envelope_rows(a, u),
    );
    out.push_str("\n## Binding limits\n\n");
    let binding: Vec<Vec<String>> = a
        .constraints
        .iter()
        .filter(|c| c.binding)
        .map(|c| vec![format!("`{}` {}", c.name, c.label), n(c.limit, u), n(c.value, u), price_words(c, u)])
        .collect();
    md_table(&mut out, &["limit", "limit", "value", "shadow price"], &binding);
    out.push_str("\n## Review actions\n\n");
    md_table(&mut out, &["action", "programs", "requested", "allocated"], &action_rows(a));
    let rows = program_rows(a, all_programs);
    if !rows.is_empty() {
        let _ = writeln!(out, "\n## {}\n", if all_programs { "Programs" } else { "Marginal programs" });
        md_table(
            &mut out,
            &["program", "bureau", "action", "requested", "allocated", "general revenue", "held by"],
            &rows,
        );
    }
    out
}
