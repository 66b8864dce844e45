//! `waku run` as text: a table for the terminal and Markdown for a meeting, in the display unit.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::terminal::{Palette, Tone};
use super::text::{self, Sign, Table, amount as n};
use crate::allocate::{Allocation, Holding};
use crate::constraint::ConstraintKind;
use crate::money::Money;

/// Rows in their tones, under `header`, indented as the run table prints them.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>], tones: &[Tone], palette: Palette) {
    let mut t = Table::new(header.iter().copied()).left_last();
    t.rows(rows.to_vec(), tones);
    t.write(out, palette);
}

/// Cuts and abolitions, painted red on a terminal.
fn is_cut(action: crate::review::Action) -> bool {
    use crate::review::Action;
    matches!(action, Action::Reduce | Action::Merge | Action::Abolish)
}

fn change(now: Money, before: Money) -> String {
    text::change(now, before, 1, Sign::Plus)
}

fn envelope_rows(a: &Allocation, u: crate::money::Unit) -> Vec<Vec<String>> {
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
        text::share(a.reserve_share),
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

/// Bureaus whose floor or ceiling binds are yellow; the last three rows are totals.
fn envelope_tones(a: &Allocation) -> Vec<Tone> {
    let mut tones: Vec<Tone> = a
        .envelopes
        .iter()
        .map(|e| {
            let binds = a.constraints.iter().any(|c| c.binding && c.kind.department() == Some(e.department.as_str()));
            if binds { Tone::Binding } else { Tone::Plain }
        })
        .collect();
    tones.extend([Tone::Total; 3]);
    tones
}

/// Tones of [`summary_rows`]: the available total bold, a figure at its cap yellow.
fn summary_tones(a: &Allocation) -> Vec<Tone> {
    let at = |v: Money, cap: Money| if v == cap { Tone::Binding } else { Tone::Plain };
    vec![
        Tone::Plain,
        Tone::Plain,
        Tone::Plain,
        Tone::Total,
        at(a.investment, a.investment_cap),
        at(a.bond_issuance, a.bond_issuance_cap),
        if a.next_generation < a.next_generation_target { Tone::Bad } else { Tone::Plain },
        Tone::Total,
    ]
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

/// Programs by review action and what holds them, with a total row; the tones paint cuts red.
fn action_rows(a: &Allocation) -> (Vec<Vec<String>>, Vec<Tone>) {
    let u = a.display_unit;
    let mut by: BTreeMap<(crate::review::Action, &str), (usize, Money, Money)> = BTreeMap::new();
    for p in &a.programs {
        let e = by.entry((p.action, p.held_by.words())).or_insert((0, Money::ZERO, Money::ZERO));
        e.0 += 1;
        e.1 += p.requested;
        e.2 += p.allocated;
    }
    let tones = by.keys().map(|(action, _)| if is_cut(*action) { Tone::Bad } else { Tone::Plain }).chain([Tone::Total]);
    let tones = tones.collect();
    let mut rows: Vec<Vec<String>> = by
        .into_iter()
        .map(|((action, held), (count, req, alloc))| {
            vec![format!("{} {held}", action.label()), count.to_string(), n(req, u), n(alloc, u)]
        })
        .collect();
    rows.push(vec!["total".into(), a.programs.len().to_string(), n(a.total_requested, u), n(a.total_allocated, u)]);
    (rows, tones)
}

fn program_tones(a: &Allocation, all: bool) -> Vec<Tone> {
    a.programs
        .iter()
        .filter(|p| all || p.held_by == Holding::Marginal)
        .map(|p| if is_cut(p.action) { Tone::Bad } else { Tone::Plain })
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
    render_table_in(a, all_programs, Palette::PLAIN)
}

/// [`render_table`] painted with `palette` (colour on a terminal; the same text without it).
pub fn render_table_in(a: &Allocation, all_programs: bool, palette: Palette) -> String {
    let u = a.display_unit;
    let title =
        format!("{} {} FY{} — allocation ({}; solver {})", a.city, a.scenario, a.fiscal_year, u.suffix(), a.solver);
    let mut out = text::heading(&title, &[(a.fiscal_year, &a.overrides)], u);
    table(&mut out, &["", u.suffix(), ""], &summary_rows(a), &summary_tones(a), palette);
    out.push('\n');
    table(
        &mut out,
        &["bureau", "base", "requested", "floor", "ceiling", "envelope", "vs base"],
        &envelope_rows(a, u),
        &envelope_tones(a),
        palette,
    );
    out.push('\n');
    let binding: Vec<Vec<String>> = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.kind != ConstraintKind::Balance)
        .map(|c| vec![c.name.clone(), n(c.limit, u), c.price_words(u)])
        .collect();
    let balance = a.constraints.iter().find(|c| c.kind == ConstraintKind::Balance);
    if let Some(b) = balance {
        let _ = writeln!(out, "  marginal value of general revenue: {}", b.price_words(u));
    }
    if binding.is_empty() {
        out.push_str("  no limit binds\n");
    } else {
        let tones = vec![Tone::Binding; binding.len()];
        table(&mut out, &["binding limit", "limit", "shadow price"], &binding, &tones, palette);
    }
    out.push('\n');
    let (actions, tones) = action_rows(a);
    table(&mut out, &["review action", "programs", "requested", "allocated"], &actions, &tones, palette);
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
            &program_tones(a, all_programs),
            palette,
        );
    }
    out
}

/// Markdown for a meeting: the memo of [`crate::report::markdown::memo`] without fiscal indicators or
/// the review's reasons (which `waku run --format markdown` adds).
pub fn render_markdown(a: &Allocation, all_programs: bool) -> String {
    crate::report::markdown::memo(a, None, None, all_programs)
}
