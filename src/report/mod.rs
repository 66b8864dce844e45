//! Reports people read: the `check` summary and shared table helpers; the HTML report ([`html`]).

pub mod allocation;
pub mod fiscal;
pub mod html;

pub mod markdown;
pub mod satei;
pub mod sheet;
pub mod stage;
pub mod terminal;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, TableComponent, presets};

use crate::money::{Money, Unit};
use crate::scenario::{ProgramKind, Scenario};

/// Writes a report file atomically (see [`crate::files::write_atomic`]): a failed or interrupted
/// run never leaves a cut file where a good one stood; a target that is not a regular file, or
/// that is one of the run's inputs, is refused.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    written(path, crate::files::write_atomic(path, bytes))
}

/// [`write_atomic`] over a file the run read, on purpose (`waku decide` rewrites its stage file).
pub fn rewrite_atomic(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    written(path, crate::files::rewrite_atomic(path, bytes))
}

fn written(path: &std::path::Path, result: Result<(), crate::files::WriteError>) -> crate::Result<()> {
    result.map_err(|e| {
        let shown = crate::diagnostic::Source::display_path(path);
        match e {
            crate::files::WriteError::Io(io) => crate::Error::io(format_args!("cannot write `{shown}`"), &io),
            e => {
                let (why, hint) = e.describe();
                crate::Error::input(crate::Diagnostic::error(format!("cannot write `{shown}`: {why}")).hint(hint))
            }
        }
    })
}

/// A table with the house style: horizontal rules only, no wrapping (deterministic width).
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(Cell::new));
    for c in [
        TableComponent::HorizontalLines,
        TableComponent::MiddleIntersections,
        TableComponent::LeftBorderIntersections,
        TableComponent::RightBorderIntersections,
    ] {
        t.remove_style(c);
    }
    t
}

/// Renders a table without the trailing spaces the table crate pads lines with.
pub fn render(t: &Table) -> String {
    let mut out = String::new();
    for line in t.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A right-aligned money cell in `unit` (number only; the unit is in the header).
pub fn money_cell(m: Money, unit: Unit) -> Cell {
    Cell::new(m.format_number(unit)).set_alignment(CellAlignment::Right)
}

/// A right-aligned cell.
pub fn right(s: impl ToString) -> Cell {
    Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
}

pub use crate::scenario::set_lines;

/// The one-screen summary printed by `waku check`.
pub fn summary(s: &Scenario) -> String {
    let u = s.display_unit;
    let mut out = String::new();
    out.push_str(&format!("{} {}（{}年度）\n", s.city, s.name, s.fiscal_year));
    out.push_str(&format!("scenario: {}\nrules: {}\n", s.path.display(), s.rules_dir.display()));
    for line in set_lines(&[(s.fiscal_year, &s.overrides)], u) {
        out.push_str(&line);
        out.push('\n');
    }
    let count = |k: ProgramKind| s.programs.iter().filter(|p| p.kind == k).count();
    out.push_str(&format!(
        "departments: {}  clusters: {}  programs: {} (mandatory {}, discretionary {}, investment {}, new {})\n\n",
        s.departments.len(),
        s.clusters.len(),
        s.programs.len(),
        count(ProgramKind::Mandatory),
        count(ProgramKind::Discretionary),
        count(ProgramKind::Investment),
        count(ProgramKind::New),
    ));

    let requested = s.total_requested();
    let investment: Money = s.programs.iter().filter(|p| p.kind == ProgramKind::Investment).map(|p| p.requested).sum();
    let funding: Vec<_> = s.programs.iter().map(|p| p.funding(p.requested)).collect();
    let bonds: Money = funding.iter().map(|f| f.bonds).sum();
    let needed: Money = funding.iter().map(|f| f.general_revenue).sum();
    let next_gen: Money = s.programs.iter().filter(|p| p.next_generation).map(|p| p.requested).sum();
    let mut t = table(&["", &format!("金額（{u}）"), "limit / note"]);
    if let Some(ga) = s.revenue.general_account {
        let note = if ga == requested {
            "inventory reconciles".to_string()
        } else {
            format!("inventory differs by {}", (requested - ga).format(u))
        };
        t.add_row(vec![Cell::new("一般会計予算総額 general account"), money_cell(ga, u), Cell::new(note)]);
    }
    t.add_row(vec![Cell::new("要求額合計 requested"), money_cell(requested, u), Cell::new("")]);
    t.add_row(vec![
        Cell::new("  うち投資的経費 investment"),
        money_cell(investment, u),
        Cell::new(format!("cap {}", s.policy.investment_cap.format(u))),
    ]);
    t.add_row(vec![
        Cell::new("市債発行額 bond issuance at request"),
        money_cell(bonds, u),
        Cell::new(format!("cap {}", s.bonds.issuance_cap.format(u))),
    ]);
    t.add_row(vec![
        Cell::new("市債残高 bond balance start → end"),
        money_cell(s.bonds.balance, u),
        Cell::new(format!(
            "→ {} at request (redemption {})",
            (s.bonds.balance + bonds - s.bonds.redemption).format(u),
            s.bonds.redemption.format(u)
        )),
    ]);
    t.add_row(vec![Cell::new("一般財源 available"), money_cell(s.revenue.general_revenue, u), Cell::new("")]);
    t.add_row(vec![
        Cell::new("一般財源 needed at request"),
        money_cell(needed, u),
        Cell::new(format!("収支ギャップ gap {}", (needed - s.revenue.general_revenue).format(u))),
    ]);
    t.add_row(vec![
        Cell::new("財源調整用基金 fund balance"),
        money_cell(s.fund.balance, u),
        Cell::new(format!("floor {}, drawdown ≤ {}", s.fund.floor.format(u), s.fund.max_drawdown.format(u))),
    ]);
    t.add_row(vec![
        Cell::new("次世代投資枠 next-generation at request"),
        money_cell(next_gen, u),
        Cell::new(format!("target {}", s.policy.next_generation_target.format(u))),
    ]);
    t.add_row(vec![
        Cell::new("市長調整枠 reserve share"),
        Cell::new(""),
        Cell::new(format!("{}% – {}% of available", pct(s.policy.reserve_min_share), pct(s.policy.reserve_max_share))),
    ]);
    out.push_str(&render(&t));
    out.push('\n');

    let mut d = table(&[
        "id",
        "局・区",
        "programs",
        &format!("base（{u}）"),
        &format!("requested（{u}）"),
        &format!("一般財源 at request（{u}）"),
    ]);
    for dep in &s.departments {
        let progs: Vec<_> = s.programs.iter().filter(|p| p.department == dep.id).collect();
        let req: Money = progs.iter().map(|p| p.requested).sum();
        let gr: Money = progs.iter().map(|p| p.general_revenue(p.requested)).sum();
        d.add_row(vec![
            Cell::new(&dep.id),
            Cell::new(&dep.name),
            right(progs.len()),
            money_cell(s.department_base(&dep.id), u),
            money_cell(req, u),
            money_cell(gr, u),
        ]);
    }
    out.push_str(&render(&d));
    out
}

fn pct(d: rust_decimal::Decimal) -> String {
    (d * rust_decimal::Decimal::from(100)).normalize().to_string()
}
