//! Fiscal health and multi-year plans as text: a per-year table of allocation and indicators
//! against their thresholds, the path limits, warnings and violations.

use std::fmt::Write as _;

use super::terminal::{Palette, Tone};
use super::text::{Table, amount as n, heading, ratio as pct, share_as_written};
use crate::fiscal::PlanOutcome;
use crate::fiscal::{
    CheckStatus, DEBT_SERVICE_EARLY, DEBT_SERVICE_PERMISSION, DEBT_SERVICE_REHABILITATION, FiscalHealth, FiscalStatus,
};
use crate::money::{Money, Unit};

/// First column left-aligned, the figures right-aligned, the last column (thresholds, notes) left.
/// Row *i* is painted in `tones[i]` after padding.
fn table(out: &mut String, header: &[String], rows: &[Vec<String>], tones: &[Tone], palette: Palette) {
    let mut t = Table::new(header.iter().cloned()).left_last();
    t.rows(rows.to_vec(), tones);
    t.write(out, palette);
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
                    share_as_written(DEBT_SERVICE_PERMISSION),
                    share_as_written(DEBT_SERVICE_EARLY),
                    share_as_written(DEBT_SERVICE_REHABILITATION)
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
    o.city_limits.map(|l| l.map(share_as_written))
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
    table(&mut out, &header, &health_rows(&o.fiscal_health, u, &city_limits(o)), &tones, palette);
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
    let solver = o.allocations.first().map_or("", |a| a.solver.as_str());
    let title = format!("{} {} — multi-year plan ({}; solver {solver})", o.city, o.plan, u.suffix());
    let years: Vec<(i32, &[crate::scenario::Override])> =
        o.allocations.iter().map(|a| (a.fiscal_year, a.overrides.as_slice())).collect();
    let mut out = heading(&title, &years, u);
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
    table(&mut out, &header, &rows, &[], palette);
    out.push('\n');
    let mut header = vec!["fiscal health".to_string()];
    header.extend(o.years.iter().map(|y| format!("FY{y}")));
    header.push("thresholds".into());
    let tones = health_tones(&o.fiscal_health);
    table(&mut out, &header, &health_rows(&o.fiscal_health, u, &city_limits(o)), &tones, palette);
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
    table(&mut out, &header, &rows, &tones, palette);
    finish(&mut out, o, palette);
    out
}
