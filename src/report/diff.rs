//! `waku diff` as text: the moves between a base and a variant as terminal tables or Markdown,
//! largest first, ending with the identities that reconcile them to the yen.

use std::fmt::Write as _;

use super::terminal::Palette;
use super::text::{self, Sign, Table, share};
use crate::money::{Money, Unit};
use crate::review::Action;
use crate::whatif::diff::{Diff, EnvelopeChange};

/// One titled table of the rendering: title, header, rows, and the columns aligned left.
type Section = (String, Vec<&'static str>, Vec<Vec<String>>, Vec<usize>);

/// How many programs the table and Markdown list (JSON lists all of them).
pub const SHOWN_PROGRAMS: usize = 20;

fn signed(m: Money, u: Unit) -> String {
    text::signed(m, u, Sign::PlusOrZero)
}

fn figure_label(f: &str) -> &str {
    match f {
        "general_revenue" => "general revenue 一般財源",
        "fund_drawdown" => "fund drawdown 基金取崩し",
        "fund_deposit" => "fund deposit 基金積立",
        "available" => "available 配分可能額",
        "total_envelopes" => "total envelopes 枠配分計",
        "reserve" => "mayor's reserve 市長調整枠",
        "investment" => "investment 投資的経費",
        "bond_issuance" => "bond issuance 市債発行",
        "bond_balance_end" => "bond balance, year end 市債残高",
        "fund_balance_end" => "fund balance, year end 基金残高",
        "next_generation" => "next-generation frame 次世代投資枠",
        "total_allocated" => "programs, total cost 事業費計",
        other => other,
    }
}

fn sections(d: &Diff, all: bool) -> Vec<Section> {
    let u = d.display_unit;
    let pu = d.program_unit;
    let mut out = Vec::new();
    let mut rows: Vec<Vec<String>> = d
        .figures
        .iter()
        .map(|f| {
            vec![
                figure_label(&f.figure).to_string(),
                f.base.format_number(u),
                f.variant.format_number(u),
                signed(f.change, u),
            ]
        })
        .collect();
    rows.push(vec![
        "reserve share 調整枠の割合".into(),
        share(d.reserve_share_base),
        share(d.reserve_share_variant),
        String::new(),
    ]);
    out.push((format!("totals ({})", u.suffix()), vec!["", "base", "variant", "change"], rows, vec![]));

    let moved: Vec<&EnvelopeChange> = d.envelopes.iter().filter(|e| !e.change.is_zero()).collect();
    let unchanged = d.envelopes.len() - moved.len();
    let mut rows: Vec<Vec<String>> = moved
        .iter()
        .map(|e| {
            let pct = text::change(e.variant, e.base, 2, Sign::Plus);
            vec![
                format!("{} {}", e.department, e.name),
                e.base.format_number(u),
                e.variant.format_number(u),
                signed(e.change, u),
                pct,
            ]
        })
        .collect();
    let sum: Money = d.envelopes.iter().map(|e| e.change).sum();
    rows.push(vec!["Σ envelope moves".into(), String::new(), String::new(), signed(sum, u), String::new()]);
    let title = if unchanged > 0 {
        format!("envelopes that moved, largest first ({}; {unchanged} unchanged)", u.suffix())
    } else {
        format!("envelopes, largest move first ({})", u.suffix())
    };
    out.push((title, vec!["bureau", "base", "variant", "change", "%"], rows, vec![]));

    // Between stages of the budget cycle the column also says each program's disposition.
    let stages = d.programs.iter().any(|p| p.disposition_base.is_some() || p.disposition_variant.is_some());
    let shown = if all { d.programs.len() } else { SHOWN_PROGRAMS.min(d.programs.len()) };
    let mut rows: Vec<Vec<String>> = d.programs[..shown]
        .iter()
        .map(|p| {
            vec![
                format!("{} {}", p.id, p.name),
                p.department.clone(),
                match (&p.disposition_base, &p.disposition_variant) {
                    (Some(x), Some(y)) if x != y => format!("{} {x} → {y}", p.action.map_or("", |a| a.label())),
                    (_, Some(y)) => format!("{} {y}", p.action.map_or("", |a| a.label())),
                    _ => p.action.map_or_else(String::new, |a| a.label().to_string()),
                },
                p.allocated_base.format_number(pu),
                p.allocated_variant.format_number(pu),
                signed(p.allocated_change, pu),
                signed(p.general_revenue_change, pu),
            ]
        })
        .collect();
    if shown < d.programs.len() {
        let rest = &d.programs[shown..];
        rows.push(vec![
            format!("… {} more (`--all` lists them)", rest.len()),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            signed(rest.iter().map(|p| p.allocated_change).sum(), pu),
            signed(rest.iter().map(|p| p.general_revenue_change).sum(), pu),
        ]);
    }
    rows.push(vec![
        format!("Σ {} programs", d.programs.len()),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        signed(d.programs.iter().map(|p| p.allocated_change).sum(), pu),
        signed(d.programs.iter().map(|p| p.general_revenue_change).sum(), pu),
    ]);
    out.push((
        format!("programs that moved, largest general-revenue move first ({})", pu.suffix()),
        vec![
            "program",
            "bureau",
            if stages { "action, disposition" } else { "action" },
            "cost base",
            "cost variant",
            "cost change",
            "general revenue change",
        ],
        rows,
        vec![1, 2],
    ));

    if !d.by_disposition.is_empty() {
        let mut rows: Vec<Vec<String>> = d
            .by_disposition
            .iter()
            .map(|g| {
                vec![
                    g.disposition.clone(),
                    g.programs.to_string(),
                    signed(g.cost_change, pu),
                    signed(g.general_revenue_change, pu),
                ]
            })
            .collect();
        rows.push(vec![
            "Σ moves".into(),
            d.by_disposition.iter().map(|g| g.programs).sum::<usize>().to_string(),
            signed(d.by_disposition.iter().map(|g| g.cost_change).sum(), pu),
            signed(d.by_disposition.iter().map(|g| g.general_revenue_change).sum(), pu),
        ]);
        out.push((
            format!("moves by disposition 査定区分別 ({}; the variant's disposition)", pu.suffix()),
            vec!["disposition", "programs moved", "cost change", "general revenue change"],
            rows,
            vec![],
        ));
        let rows: Vec<Vec<String>> = d
            .dispositions
            .iter()
            .map(|c| {
                let l = |d: &Option<String>| d.clone().unwrap_or_else(|| "—".to_string());
                vec![format!("{} {}", c.id, c.name), l(&c.base), l(&c.variant), c.reason.clone().unwrap_or_default()]
            })
            .collect();
        out.push((
            "dispositions that changed".to_string(),
            vec!["program", "base", "variant", "reason"],
            rows,
            vec![1, 2, 3],
        ));
    }

    let rows: Vec<Vec<String>> = d
        .actions
        .iter()
        .map(|c| {
            let l = |a: Option<Action>| a.map_or_else(|| "—".to_string(), |a| a.label().to_string());
            vec![format!("{} {}", c.id, c.name), l(c.base), l(c.variant)]
        })
        .collect();
    out.push(("review actions that changed".to_string(), vec!["program", "base", "variant"], rows, vec![1, 2]));

    let rows: Vec<Vec<String>> = d
        .constraints
        .iter()
        .map(|c| {
            let state = |b: bool, l: Option<Money>| match l {
                Some(l) => format!("{} at {}", if b { "binding" } else { "slack" }, l.format_number(u)),
                None => "—".to_string(),
            };
            vec![c.name.clone(), state(c.binding_base, c.limit_base), state(c.binding_variant, c.limit_variant)]
        })
        .collect();
    out.push(("binding constraints that changed".to_string(), vec!["constraint", "base", "variant"], rows, vec![1, 2]));

    let rows: Vec<Vec<String>> = d
        .indicators
        .iter()
        .map(|i| {
            let status = |ok: bool| if ok { "ok" } else { "BEYOND THRESHOLD" };
            vec![
                i.id.clone(),
                i.base.show(u),
                i.variant.show(u),
                i.threshold.map_or_else(|| "—".to_string(), |t| t.show(u)),
                format!("{} → {}", status(i.within_threshold_base), status(i.within_threshold_variant)),
            ]
        })
        .collect();
    out.push((
        "indicators that changed".to_string(),
        vec!["indicator", "base", "variant", "threshold", "status"],
        rows,
        vec![4],
    ));

    let rows: Vec<Vec<String>> = d
        .reconciliation
        .identities
        .iter()
        .map(|i| {
            vec![
                i.what.clone(),
                i.sum_of_moves.format(Unit::Yen),
                i.change_in_total.format(Unit::Yen),
                if i.holds { "exact".into() } else { "DOES NOT RECONCILE".into() },
            ]
        })
        .collect();
    out.push((
        "reconciliation, to the yen".to_string(),
        vec!["identity", "Σ of moves", "change in total", ""],
        rows,
        vec![3],
    ));
    out
}

/// A section's table: the first column left, the figures right, the columns in `left` left.
fn table(header: Vec<&str>, rows: Vec<Vec<String>>, left: Vec<usize>) -> Table {
    let mut t = Table::new(header).left(left);
    t.rows(rows, &[]);
    t
}

fn title(d: &Diff) -> String {
    format!(
        "{} FY{}: {} ({}) → {} ({})",
        d.variant.city, d.variant.fiscal_year, d.base.scenario, d.base.path, d.variant.scenario, d.variant.path
    )
}

/// The terminal table: every section, then the reconciliation.
pub fn render_table(d: &Diff, all: bool) -> String {
    let mut out = format!("{}\n", title(d));
    for (title, header, rows, left) in sections(d, all) {
        out.push('\n');
        if rows.is_empty() {
            let _ = writeln!(out, "{title}: none");
            continue;
        }
        let _ = writeln!(out, "{title}");
        table(header, rows, left).write(&mut out, Palette::PLAIN);
    }
    out
}

/// Markdown for a meeting note or a pull request.
pub fn render_markdown(d: &Diff, all: bool) -> String {
    let mut out = format!("## {}\n", title(d));
    for (title, header, rows, left) in sections(d, all) {
        out.push('\n');
        if rows.is_empty() {
            let _ = writeln!(out, "**{title}**: none");
            continue;
        }
        let _ = writeln!(out, "**{title}**\n");
        out.push_str(&table(header, rows, left).markdown());
    }
    out
}
