//! Fiscal health and multi-year plans as text: a per-year table of allocation and indicators
//! against their thresholds, the path limits, warnings and violations.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::terminal::{Palette, Tone};
use crate::fiscal::PlanOutcome;
use crate::fiscal::{
    CheckStatus, DEBT_SERVICE_EARLY, DEBT_SERVICE_PERMISSION, DEBT_SERVICE_REHABILITATION, FiscalHealth, FiscalStatus,
    Ratio,
};
use crate::money::{Money, Unit};

fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(UnicodeWidthStr::width(s)));
    if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

/// First column left-aligned, the others right-aligned, except a last column `note`-style when `note`.
/// Row *i* is painted in `tones[i]` after padding.
fn table(out: &mut String, header: &[String], rows: &[Vec<String>], note_last: bool, tones: &[Tone], palette: Palette) {
    let last = header.len().saturating_sub(1);
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(h.as_str())).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
            }
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], i > 0 && !(note_last && i == last)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(out, "  {}", line(header));
    for (i, r) in rows.iter().enumerate() {
        let tone = tones.get(i).copied().unwrap_or(Tone::Plain);
        let _ = writeln!(out, "  {}", palette.paint(tone, &line(r)));
    }
}

/// The status row red when a year is past a threshold or the city's limit, yellow when bonds need permission.
fn health_tones(h: &FiscalHealth) -> Vec<Tone> {
    let worst = |s: FiscalStatus| match s {
        FiscalStatus::Sound | FiscalStatus::NotAssessed => Tone::Plain,
        FiscalStatus::BondPermissionRequired => Tone::Binding,
        _ => Tone::Bad,
    };
    let tones: Vec<Tone> = h.years.iter().map(|y| worst(y.status)).collect();
    let status = [Tone::Bad, Tone::Binding].into_iter().find(|t| tones.contains(t)).unwrap_or(Tone::Plain);
    let mut tones = vec![Tone::Plain; 7];
    tones.push(status);
    tones
}

fn n(m: Money, u: Unit) -> String {
    m.format_number(u)
}

fn pct(r: Option<Ratio>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{}%", r.percent()))
}

fn p(d: rust_decimal::Decimal) -> String {
    format!("{}%", (d * rust_decimal::Decimal::ONE_HUNDRED).normalize())
}

/// Indicator rows: one column per year, the thresholds in the last column.
fn health_rows(h: &FiscalHealth, u: Unit, limits: &[Option<String>; 3]) -> Vec<Vec<String>> {
    let row = |label: &str, f: &dyn Fn(&crate::fiscal::YearHealth) -> String, note: String| {
        let mut r = vec![label.to_string()];
        r.extend(h.years.iter().map(f));
        r.push(note);
        r
    };
    let with_city = |base: String, city: &Option<String>| match city {
        Some(c) => format!("{base}; city limit {c}"),
        None => base,
    };
    vec![
        row("bond balance (year end)", &|y| n(y.bond_balance, u), String::new()),
        row("fund balance (year end)", &|y| n(y.fund_balance, u), String::new()),
        row("fiscal gap (before measures)", &|y| n(y.fiscal_gap, u), String::new()),
        row(
            "実質公債費比率 (3-year mean)",
            &|y| pct(y.real_debt_service_ratio),
            with_city(
                format!(
                    "permission {} / early {} / rehabilitation {}",
                    p(DEBT_SERVICE_PERMISSION),
                    p(DEBT_SERVICE_EARLY),
                    p(DEBT_SERVICE_REHABILITATION)
                ),
                &limits[0],
            ),
        ),
        row("  single year", &|y| pct(y.real_debt_service_ratio_single_year), String::new()),
        row("将来負担比率", &|y| pct(y.future_burden_ratio), with_city("early 400% (unverified)".into(), &limits[1])),
        row(
            "経常収支比率",
            &|y| pct(y.ordinary_balance_ratio),
            limits[2]
                .as_ref()
                .map_or_else(|| "no statutory threshold".into(), |c| format!("city target {c} (checked)")),
        ),
        row("status", &|y| y.status.label(), String::new()),
    ]
}

fn warnings(h: &FiscalHealth) -> Vec<String> {
    let mut out = Vec::new();
    for y in &h.years {
        for c in y.checks.iter().filter(|c| c.status == CheckStatus::Warning) {
            out.push(format!(
                "FY{}: 実質公債費比率 {}% is at or above {}%: 起債許可団体 — issuing bonds needs permission",
                y.year,
                c.value.percent(),
                c.threshold.percent()
            ));
        }
    }
    out
}

fn city_limits(o: &PlanOutcome) -> [Option<String>; 3] {
    o.city_limits.map(|l| l.map(p))
}

/// The fiscal-health block of a single-year run (appended to the allocation table).
pub fn render_health_table(o: &PlanOutcome) -> String {
    render_health_table_in(o, Palette::PLAIN)
}

/// [`render_health_table`] painted with `palette`.
pub fn render_health_table_in(o: &PlanOutcome, palette: Palette) -> String {
    let u = o.display_unit;
    let mut out = String::new();
    out.push('\n');
    let mut header = vec![format!("fiscal health ({})", u.suffix())];
    header.extend(o.years.iter().map(|y| format!("FY{y}")));
    header.push("thresholds".into());
    let tones = health_tones(&o.fiscal_health);
    table(&mut out, &header, &health_rows(&o.fiscal_health, u, &city_limits(o)), true, &tones, palette);
    finish(&mut out, o, palette);
    out
}

fn finish(out: &mut String, o: &PlanOutcome, palette: Palette) {
    let w = warnings(&o.fiscal_health);
    if !w.is_empty() || !o.violations.is_empty() {
        out.push('\n');
    }
    for line in w {
        let _ = writeln!(out, "  {}", palette.paint(Tone::Binding, &format!("warning: {line}")));
    }
    for v in &o.violations {
        let _ = writeln!(out, "  {}", palette.paint(Tone::Bad, &format!("violated: {v}")));
    }
}

/// The terminal table of a multi-year plan.
pub fn render_plan_table(o: &PlanOutcome) -> String {
    render_plan_table_in(o, Palette::PLAIN)
}

/// [`render_plan_table`] painted with `palette`.
pub fn render_plan_table_in(o: &PlanOutcome, palette: Palette) -> String {
    let u = o.display_unit;
    let mut out = String::new();
    let solvers: Vec<&str> = o.allocations.iter().map(|a| a.solver.as_str()).collect();
    let _ = writeln!(
        out,
        "{} {} — multi-year plan ({}; solver {})",
        o.city,
        o.plan,
        u.suffix(),
        solvers.first().copied().unwrap_or("")
    );
    let years: Vec<(i32, &[crate::scenario::Override])> =
        o.allocations.iter().map(|a| (a.fiscal_year, a.overrides.as_slice())).collect();
    for line in crate::report::set_lines(&years, u) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    let mut header = vec![u.suffix().to_string()];
    header.extend(o.years.iter().map(|y| format!("FY{y}")));
    header.push("plan".into());
    let sum = |f: &dyn Fn(&crate::allocate::Allocation) -> Money| o.allocations.iter().map(f).sum::<Money>();
    let row = |label: &str, f: &dyn Fn(&crate::allocate::Allocation) -> Money, total: String| {
        let mut r = vec![label.to_string()];
        r.extend(o.allocations.iter().map(|a| n(f(a), u)));
        r.push(total);
        r
    };
    let rows = vec![
        row("general revenue", &|a| a.general_revenue, n(sum(&|a| a.general_revenue), u)),
        row("fund drawdown", &|a| a.fund_drawdown, n(sum(&|a| a.fund_drawdown), u)),
        row("fund deposit", &|a| a.fund_deposit, n(sum(&|a| a.fund_deposit), u)),
        row("envelopes", &|a| a.available - a.reserve, n(sum(&|a| a.available - a.reserve), u)),
        row("mayor's reserve", &|a| a.reserve, n(sum(&|a| a.reserve), u)),
        row("programs (cost)", &|a| a.total_allocated, n(sum(&|a| a.total_allocated), u)),
        row("  requested", &|a| a.total_requested, n(sum(&|a| a.total_requested), u)),
        row("investment", &|a| a.investment, n(sum(&|a| a.investment), u)),
        row("  cap (escalated)", &|a| a.investment_cap, String::new()),
        row("bond issuance", &|a| a.bond_issuance, n(sum(&|a| a.bond_issuance), u)),
        row("bond redemption", &|a| a.bond_redemption, n(sum(&|a| a.bond_redemption), u)),
        row(
            "next-generation frame",
            &|a| a.next_generation,
            format!("{} (target {})", n(o.next_generation_total, u), n(o.next_generation_target, u)),
        ),
    ];
    table(&mut out, &header, &rows, true, &[], palette);
    out.push('\n');
    let mut header = vec!["fiscal health".to_string()];
    header.extend(o.years.iter().map(|y| format!("FY{y}")));
    header.push("thresholds".into());
    let tones = health_tones(&o.fiscal_health);
    table(&mut out, &header, &health_rows(&o.fiscal_health, u, &city_limits(o)), true, &tones, palette);
    out.push('\n');
    let rows: Vec<Vec<String>> = o
        .path
        .iter()
        .map(|c| {
            vec![
                c.label.clone(),
                n(c.value, u),
                c.sense.to_string(),
                n(c.limit, u),
                if !c.holds {
                    "VIOLATED".into()
                } else if c.binding {
                    "holds, binding".into()
                } else {
                    "holds".into()
                },
            ]
        })
        .collect();
    let tones: Vec<Tone> = o
        .path
        .iter()
        .map(|c| {
            if !c.holds {
                Tone::Bad
            } else if c.binding {
                Tone::Binding
            } else {
                Tone::Plain
            }
        })
        .collect();
    let header = ["path limit".into(), "value".into(), String::new(), "limit".into(), String::new()];
    table(&mut out, &header, &rows, true, &tones, palette);
    finish(&mut out, o, palette);
    out
}
