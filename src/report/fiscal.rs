//! Fiscal health and multi-year plans as text: a per-year table of allocation and indicators
//! against their thresholds, each bureau's budget and the kinds of expense year by year, the path
//! limits, warnings and violations. English headings beside the Japanese names, or Japanese
//! throughout ([`Lang::Ja`]).

use std::fmt::Write as _;

use super::terminal::{Lang, Style, Tone};
use super::text::{self, Sign, Table, amount as n, heading, ratio as pct, share_as_written};
use crate::allocate::Allocation;
use crate::fiscal::PlanOutcome;
use crate::fiscal::{
    CheckStatus, DEBT_SERVICE_EARLY, DEBT_SERVICE_PERMISSION, DEBT_SERVICE_REHABILITATION, FiscalHealth, FiscalStatus,
};
use crate::money::{Money, Unit};

/// First column left-aligned, the figures right-aligned, the last column (thresholds, notes) left.
/// Row *i* is painted in `tones[i]` after padding.
fn table(out: &mut String, header: &[String], rows: Vec<Vec<String>>, tones: &[Tone], style: Style) {
    let mut t = Table::new(header.iter().cloned()).left_last();
    t.rows(rows, tones);
    t.write(out, style.palette);
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
fn health_rows(h: &FiscalHealth, u: Unit, limits: &[Option<String>; 3], lang: Lang) -> Vec<Vec<String>> {
    let l = |en, ja| lang.pick(en, ja);
    let row = |label: &str, f: &dyn Fn(&crate::fiscal::YearHealth) -> String, note: String| {
        let mut r = vec![label.to_string()];
        r.extend(h.years.iter().map(f));
        r.push(note);
        r
    };
    let with_city = |base: String, city: &Option<String>| match city {
        Some(c) => format!("{base}{} {c}", l("; city limit", "、市の上限")),
        None => base,
    };
    let thresholds = match lang {
        Lang::En => format!(
            "permission {} / early {} / rehabilitation {}",
            share_as_written(DEBT_SERVICE_PERMISSION),
            share_as_written(DEBT_SERVICE_EARLY),
            share_as_written(DEBT_SERVICE_REHABILITATION)
        ),
        Lang::Ja => format!(
            "起債許可 {} / 早期健全化 {} / 財政再生 {}",
            share_as_written(DEBT_SERVICE_PERMISSION),
            share_as_written(DEBT_SERVICE_EARLY),
            share_as_written(DEBT_SERVICE_REHABILITATION)
        ),
    };
    let ordinary = match (&limits[2], lang) {
        (None, _) => l("no statutory threshold", "法定の基準なし").to_string(),
        (Some(c), Lang::En) => format!("city target {c} (checked)"),
        (Some(c), Lang::Ja) => format!("市の目標 {c}（事後に検査）"),
    };
    vec![
        row(l("bond balance (year end)", "市債残高（年度末）"), &|y| n(y.bond_balance, u), String::new()),
        row(l("fund balance (year end)", "基金残高（年度末）"), &|y| n(y.fund_balance, u), String::new()),
        row(l("fiscal gap (before measures)", "収支ギャップ（対策前）"), &|y| n(y.fiscal_gap, u), String::new()),
        row(
            l("実質公債費比率 (3-year mean)", "実質公債費比率（3か年平均）"),
            &|y| pct(y.real_debt_service_ratio),
            with_city(thresholds, &limits[0]),
        ),
        row(l("  single year", "  単年度"), &|y| pct(y.real_debt_service_ratio_single_year), String::new()),
        row(
            "将来負担比率",
            &|y| pct(y.future_burden_ratio),
            with_city(l("early 400% (unverified)", "早期健全化 400%（未検証）").into(), &limits[1]),
        ),
        row("経常収支比率", &|y| pct(y.ordinary_balance_ratio), ordinary),
        row(
            l("status", "判定"),
            &|y| match lang {
                Lang::En => y.status.label(),
                Lang::Ja => y.status.label_ja().to_string(),
            },
            String::new(),
        ),
    ]
}

fn warnings(h: &FiscalHealth, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for y in &h.years {
        for c in y.checks.iter().filter(|c| c.status == CheckStatus::Warning) {
            out.push(match lang {
                Lang::En => format!(
                    "FY{}: 実質公債費比率 {}% is at or above {}%: 起債許可団体 — issuing bonds needs permission",
                    y.year,
                    c.value.percent(),
                    c.threshold.percent()
                ),
                Lang::Ja => format!(
                    "{}: 実質公債費比率 {}% が {}% 以上のため起債許可団体（市債の発行に許可が必要）",
                    text::era(y.year),
                    c.value.percent(),
                    c.threshold.percent()
                ),
            });
        }
    }
    out
}

fn city_limits(o: &PlanOutcome) -> [Option<String>; 3] {
    o.city_limits.map(|l| l.map(share_as_written))
}

/// The fiscal-health block of a single-year run (appended to the allocation table).
pub fn render_health_table(o: &PlanOutcome) -> String {
    render_health_table_in(o, Style::PLAIN)
}

/// [`render_health_table`] in `style`.
pub fn render_health_table_in(o: &PlanOutcome, style: Style) -> String {
    let (u, lang) = (o.display_unit, style.lang);
    let mut out = String::new();
    out.push('\n');
    let mut header = vec![match lang {
        Lang::En => format!("fiscal health ({})", u.suffix()),
        Lang::Ja => format!("財政指標（{}）", u.suffix()),
    }];
    header.extend(o.years.iter().map(|y| format!("FY{y}")));
    header.push(lang.pick("thresholds", "基準").into());
    let tones = health_tones(&o.fiscal_health);
    table(&mut out, &header, health_rows(&o.fiscal_health, u, &city_limits(o), lang), &tones, style);
    finish(&mut out, o, style);
    out
}

fn finish(out: &mut String, o: &PlanOutcome, style: Style) {
    let (palette, lang) = (style.palette, style.lang);
    let w = warnings(&o.fiscal_health, lang);
    if !w.is_empty() || !o.violations.is_empty() {
        out.push('\n');
    }
    for line in w {
        let _ =
            writeln!(out, "  {}", palette.paint(Tone::Binding, &format!("{} {line}", lang.pick("warning:", "注意:"))));
    }
    for v in &o.violations {
        let _ = writeln!(out, "  {}", palette.paint(Tone::Bad, &format!("{} {v}", lang.pick("violated:", "違反:"))));
    }
}

/// The terminal table of a multi-year plan.
pub fn render_plan_table(o: &PlanOutcome) -> String {
    render_plan_table_in(o, Style::PLAIN)
}

/// [`render_plan_table`] in `style`.
pub fn render_plan_table_in(o: &PlanOutcome, style: Style) -> String {
    let (u, lang) = (o.display_unit, style.lang);
    let l = |en, ja| lang.pick(en, ja);
    let solver = o.allocations.first().map_or("", |a| a.solver.as_str());
    let title = match lang {
        Lang::En => format!("{} {} — multi-year plan ({}; solver {solver})", o.city, o.plan, u.suffix()),
        Lang::Ja => format!(
            "{} {}（{}）— 複数年度の計画（単位 {}、ソルバー {solver}）",
            o.city,
            o.plan,
            fy_span(&o.years),
            u.suffix()
        ),
    };
    let years: Vec<(i32, &[crate::scenario::Override])> =
        o.allocations.iter().map(|a| (a.fiscal_year, a.overrides.as_slice())).collect();
    let mut out = heading(&title, &years, u);
    let mut header = vec![u.suffix().to_string()];
    header.extend(o.years.iter().map(|y| format!("FY{y}")));
    header.push(l("plan", "計画期間").into());
    let sum = |f: &dyn Fn(&Allocation) -> Money| o.allocations.iter().map(f).sum::<Money>();
    let row = |label: &str, f: &dyn Fn(&Allocation) -> Money, total: String| {
        let mut r = vec![label.to_string()];
        r.extend(o.allocations.iter().map(|a| n(f(a), u)));
        r.push(total);
        r
    };
    let target = match lang {
        Lang::En => format!("{} (target {})", n(o.next_generation_total, u), n(o.next_generation_target, u)),
        Lang::Ja => format!("{}（目標 {}）", n(o.next_generation_total, u), n(o.next_generation_target, u)),
    };
    let rows = vec![
        row(l("general revenue", "一般財源"), &|a| a.general_revenue, n(sum(&|a| a.general_revenue), u)),
        row(l("fund drawdown", "基金取崩し"), &|a| a.fund_drawdown, n(sum(&|a| a.fund_drawdown), u)),
        row(l("fund deposit", "基金積立"), &|a| a.fund_deposit, n(sum(&|a| a.fund_deposit), u)),
        row(l("envelopes", "局別枠合計"), &|a| a.available - a.reserve, n(sum(&|a| a.available - a.reserve), u)),
        row(l("mayor's reserve", "市長調整枠"), &|a| a.reserve, n(sum(&|a| a.reserve), u)),
        row(l("programs (cost)", "事業費"), &|a| a.total_allocated, n(sum(&|a| a.total_allocated), u)),
        row(l("  requested", "  要求額"), &|a| a.total_requested, n(sum(&|a| a.total_requested), u)),
        row(l("investment", "投資的経費"), &|a| a.investment, n(sum(&|a| a.investment), u)),
        row(l("  cap (escalated)", "  上限（物価上昇を反映）"), &|a| a.investment_cap, String::new()),
        row(l("bond issuance", "市債発行額"), &|a| a.bond_issuance, n(sum(&|a| a.bond_issuance), u)),
        row(l("bond redemption", "市債償還額"), &|a| a.bond_redemption, n(sum(&|a| a.bond_redemption), u)),
        row(l("next-generation frame", "次世代投資枠"), &|a| a.next_generation, target),
    ];
    table(&mut out, &header, rows, &[], style);
    out.push('\n');
    years_by_bureau(&mut out, &o.allocations, style);
    out.push('\n');
    years_by_kind(&mut out, &o.allocations, style);
    out.push('\n');
    let mut header = vec![l("fiscal health", "財政指標").to_string()];
    header.extend(o.years.iter().map(|y| format!("FY{y}")));
    header.push(l("thresholds", "基準").into());
    let tones = health_tones(&o.fiscal_health);
    table(&mut out, &header, health_rows(&o.fiscal_health, u, &city_limits(o), lang), &tones, style);
    out.push('\n');
    let rows: Vec<Vec<String>> = o
        .path
        .iter()
        .map(|c| {
            vec![
                match lang {
                    Lang::En => c.label.clone(),
                    Lang::Ja => c.kind.label_ja(),
                },
                n(c.value, u),
                c.sense.to_string(),
                n(c.limit, u),
                if !c.holds {
                    l("VIOLATED", "違反").into()
                } else if c.binding {
                    l("holds, binding", "充足（拘束している）").into()
                } else {
                    l("holds", "充足").into()
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
    let header = [
        l("path limit", "計画期間の制約").into(),
        l("value", "値").into(),
        String::new(),
        l("limit", "限度").into(),
        String::new(),
    ];
    table(&mut out, &header, rows, &tones, style);
    finish(&mut out, o, style);
    out
}

/// `FY2024–2026`.
fn fy_span(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("FY{a}–{b}"),
        (Some(a), _) => format!("FY{a}"),
        _ => String::new(),
    }
}

/// A row per line of a year-by-year table: its name and, for each year, last year's budget and
/// this year's allocation.
type YearLine = (String, Vec<(Money, Money)>);

/// Lines year by year: the first year's 前年度当初, then each year's allocation and its change
/// against that year's own 前年度当初; a total line.
fn year_matrix(out: &mut String, first: &str, lines: Vec<YearLine>, years: &[i32], u: Unit, style: Style) {
    let lang = style.lang;
    let mut header =
        vec![first.to_string(), format!("FY{} {}", years.first().map_or(0, |y| y - 1), lang.pick("budget", "当初"))];
    for y in years {
        header.push(format!("FY{y}"));
        header.push(lang.pick("vs prior", "前年度比").into());
    }
    let mut t = Table::new(header);
    let row = |label: String, cells: &[(Money, Money)]| {
        let mut r = vec![label, cells.first().map_or_else(String::new, |c| n(c.0, u))];
        for &(prior, now) in cells {
            r.push(n(now, u));
            r.push(text::change(now, prior, 1, Sign::Plus));
        }
        r
    };
    let mut total = vec![(Money::ZERO, Money::ZERO); years.len()];
    for (label, cells) in &lines {
        for (t, c) in total.iter_mut().zip(cells) {
            t.0 += c.0;
            t.1 += c.1;
        }
        t.row(row(label.clone(), cells));
    }
    t.toned(Tone::Total, row(lang.pick("total", "合計").into(), &total));
    t.write(out, style.palette);
}

/// Each bureau's budget (事業費) year by year against each year's 前年度当初.
fn years_by_bureau(out: &mut String, allocations: &[Allocation], style: Style) {
    let Some(first) = allocations.first() else { return };
    let lines = first
        .by_bureau
        .iter()
        .map(|b| {
            let cells = allocations
                .iter()
                .map(|a| {
                    a.by_bureau
                        .iter()
                        .find(|x| x.department == b.department)
                        .map_or((Money::ZERO, Money::ZERO), |x| (x.prior_cost, x.allocated))
                })
                .collect();
            (super::allocation::bureau(&b.department, &b.name, style.lang), cells)
        })
        .collect();
    let years: Vec<i32> = allocations.iter().map(|a| a.fiscal_year).collect();
    year_matrix(
        out,
        style.lang.pick("budget by bureau (cost)", "局・区別の事業費"),
        lines,
        &years,
        first.display_unit,
        style,
    );
}

/// The totals by kind of expense (性質別) year by year.
fn years_by_kind(out: &mut String, allocations: &[Allocation], style: Style) {
    let Some(first) = allocations.first() else { return };
    let mut kinds: Vec<Option<crate::scenario::Nature>> = Vec::new();
    for a in allocations {
        for k in &a.by_kind {
            if !kinds.contains(&k.nature) {
                kinds.push(k.nature);
            }
        }
    }
    kinds.sort_by_key(|k| {
        k.map_or(usize::MAX, |n| crate::scenario::Nature::ALL.iter().position(|x| *x == n).unwrap_or(0))
    });
    let lines = kinds
        .iter()
        .map(|kind| {
            let cells = allocations
                .iter()
                .map(|a| {
                    a.by_kind
                        .iter()
                        .find(|k| k.nature == *kind)
                        .map_or((Money::ZERO, Money::ZERO), |k| (k.prior_cost, k.allocated))
                })
                .collect();
            (kind.map_or("未分類", |n| n.label()).to_string(), cells)
        })
        .collect();
    let years: Vec<i32> = allocations.iter().map(|a| a.fiscal_year).collect();
    year_matrix(out, style.lang.pick("kind of expense (性質別)", "性質別"), lines, &years, first.display_unit, style);
}
