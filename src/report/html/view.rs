//! What the report's template shows: every figure formatted from exact money in the display unit,
//! every label in Japanese with English beside it, every chart drawn. The template only lays it out.

use std::collections::HashMap;

use askama::Template;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{indicators, year};
use crate::Result;
use crate::allocate::Allocation;
use crate::fiscal::{PlanOutcome, Ratio};
use crate::money::{Money, Unit};
use crate::report::text::{self, Sign};
pub(super) use crate::report::text::{amount as n, period, share};
use crate::review::Review;

#[derive(Template)]
#[template(path = "report.html")]
pub(super) struct Page {
    pub title: String,
    pub city: String,
    pub name: String,
    pub period: String,
    /// The `--set` overrides of the run, one line each.
    pub sets: Vec<String>,
    pub unit: &'static str,
    pub multi_year: bool,
    pub cards: Vec<Card>,
    pub reconciles: bool,
    pub reconcile: Vec<Reconcile>,
    pub overview: Table,
    pub frames: Vec<Chart>,
    pub ratios: Vec<Chart>,
    pub limits: Chart,
    pub health: Table,
    pub fiscal_note: String,
    pub path: Vec<PathRow>,
    pub warnings: Vec<String>,
    pub violations: Vec<String>,
    pub years: Vec<YearSection>,
    pub programs: Vec<ProgramRow>,
    pub with_reasons: bool,
    pub solver: String,
    /// 配分方式 of each year (one line when every year has the same).
    pub styles: Vec<String>,
    pub version: &'static str,
    /// The running header of every printed page (city, scenario, period), as a CSS string's
    /// contents: escaped by [`css_string`], written into the style unescaped.
    pub print_title: String,
}

/// `text` as the inside of a double-quoted CSS string in a `<style>` element: quotes, backslashes
/// and line breaks escaped, and `<` too, so no `</style>` can end the element.
pub(super) fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("\\3C "),
            '>' => out.push_str("\\3E "),
            '&' => out.push_str("\\26 "),
            '\n' | '\r' => out.push_str("\\A "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A headline figure.
pub(super) struct Card {
    pub ja: &'static str,
    pub en: &'static str,
    pub value: String,
    pub note: String,
    /// `data-figure` and `data-yen`: the exact figure, for checks against `--format json`.
    pub key: &'static str,
    pub yen: String,
}

/// One identity of the allocation, checked to the yen.
pub(super) struct Reconcile {
    pub year: String,
    pub text: String,
    pub ok: bool,
}

/// A table of figures: a label column, then one column per heading.
pub(super) struct Table {
    pub head: Vec<String>,
    pub rows: Vec<TableRow>,
}

pub(super) struct TableRow {
    pub ja: String,
    pub en: String,
    pub cells: Vec<String>,
    pub note: String,
    /// Indented (a detail of the row above).
    pub sub: bool,
}

/// A chart with its title and a sentence on how to read it.
pub(super) struct Chart {
    pub id: String,
    pub title: String,
    pub note: String,
    pub svg: String,
}

/// One limit along a plan's path.
pub(super) struct PathRow {
    pub ja: String,
    pub en: String,
    pub value: String,
    pub sense: &'static str,
    pub limit: String,
    pub status: &'static str,
    pub class: &'static str,
}

/// One year: envelopes, the waterfall and the binding limits.
pub(super) struct YearSection {
    pub anchor: String,
    pub title: String,
    pub charts: Vec<Chart>,
    pub envelopes: Vec<EnvelopeRow>,
    pub envelope_total: String,
    pub base_total: String,
    pub requested_total: String,
    pub reserve: String,
    pub reserve_yen: String,
    pub reserve_share: String,
    pub available: String,
    pub available_yen: String,
    pub marginal_value: String,
    pub binding: Vec<Binding>,
    /// Each bureau's 事業費 against its 前年度当初, the total last.
    pub by_bureau: Vec<CostRow>,
    /// The programs' totals by kind of expense (性質別), the total last.
    pub by_kind: Vec<CostRow>,
    /// The proposals for the mayor's reserve (empty without), and the sentence on what is left.
    pub proposals: Vec<ProposalRow>,
    pub proposal_summary: String,
}

/// A proposal for the mayor's reserve: funded or not, and why.
pub(super) struct ProposalRow {
    pub id: String,
    pub title: String,
    pub bureau: String,
    pub cost: String,
    pub score: String,
    pub funded: bool,
    pub amount: String,
    /// The amount in yen, for the tests and for a reader's tools.
    pub yen: String,
    pub reason: String,
}

/// A row of 事業費 against 前年度当初: a bureau, a kind of expense or a total.
pub(super) struct CostRow {
    pub label: String,
    pub programs: String,
    pub prior: String,
    pub requested: String,
    pub now: String,
    pub change: String,
    pub percent: String,
    pub general: String,
    /// 本年度 in yen, for the tests and for a reader's tools.
    pub yen: String,
    pub total: bool,
}

pub(super) struct EnvelopeRow {
    pub id: String,
    pub name: String,
    pub base: String,
    pub requested: String,
    pub floor: String,
    pub ceiling: String,
    pub amount: String,
    pub yen: String,
    pub change: String,
}

/// A binding limit in words.
/// A binding limit in the report: its Japanese label, figures and shadow price in Japanese; the
/// constraint's machine name only as the item's tooltip.
pub(super) struct Binding {
    pub ja: String,
    pub name: String,
    pub limit: String,
    pub value: String,
    pub words: String,
}

pub(super) struct ProgramRow {
    pub year: i32,
    pub id: String,
    pub name: String,
    pub bureau: String,
    /// Words the search matches beside the visible text: the bureau id and the action in English.
    pub keys: String,
    pub action: &'static str,
    pub requested: String,
    pub allocated: String,
    /// `cut`, `raised` or empty.
    pub class: &'static str,
    pub reason: String,
    pub held: String,
}

pub(super) fn yen(m: Money) -> String {
    m.as_decimal().normalize().to_string()
}

/// Money in the display unit as a float, for chart geometry only.
pub(super) fn f(m: Money, u: Unit) -> f64 {
    m.in_unit(u).to_f64().unwrap_or(0.0)
}

pub(super) fn ratio_f(r: Ratio) -> f64 {
    (r.0 * Decimal::ONE_HUNDRED).to_f64().unwrap_or(0.0)
}

/// A change against `before` in percent, to 0.1: `+1.2%`.
pub(super) fn change(now: Money, before: Money) -> String {
    text::change(now, before, 1, Sign::Plus)
}

/// A signed amount: `+1.20` / `−3.40` (a true minus sign).
pub(super) fn signed(m: Money, u: Unit) -> String {
    text::signed(m, u, Sign::Minus)
}

pub(super) fn fy(multi: bool, year: i32, words: &str) -> String {
    if multi { format!("FY{year} {words}") } else { words.to_string() }
}

pub(super) fn page(o: &PlanOutcome, reviews: &[Review]) -> Result<Page> {
    let u = o.display_unit;
    let multi = o.allocations.len() > 1;
    let first = o.allocations.first();
    let sum = |g: &dyn Fn(&Allocation) -> Money| o.allocations.iter().map(g).sum::<Money>();
    let available = sum(&|a| a.available);
    let reserve = sum(&|a| a.reserve);
    let envelopes = sum(&|a| a.available - a.reserve);
    let years_note =
        if multi { format!("{}年間の合計 sum of {} years", o.years.len(), o.years.len()) } else { String::new() };
    let cards = vec![
        Card {
            ja: "配分可能な一般財源",
            en: "general revenue available",
            value: n(available, u),
            note: years_note.clone(),
            key: "available",
            yen: yen(available),
        },
        Card {
            ja: "枠の合計",
            en: "bureau envelopes",
            value: n(envelopes, u),
            note: format!("{}局・区 bureaus", first.map_or(0, |a| a.envelopes.len())),
            key: "envelopes",
            yen: yen(envelopes),
        },
        Card {
            ja: "市長調整枠",
            en: "mayor's reserve",
            value: n(reserve, u),
            note: if multi {
                years_note.clone()
            } else {
                first.map_or(String::new(), |a| format!("一般財源の {}", share(a.reserve_share)))
            },
            key: "reserve",
            yen: yen(reserve),
        },
        Card {
            ja: "次世代投資枠",
            en: "next-generation frame",
            value: n(o.next_generation_total, u),
            note: format!("目標 target {}", n(o.next_generation_target, u)),
            key: "next_generation",
            yen: yen(o.next_generation_total),
        },
    ];
    let reconcile = reconcile(o);
    let by_id: Vec<HashMap<&str, &crate::review::ProgramReview>> =
        reviews.iter().map(|r| r.programs.iter().map(|p| (p.id.as_str(), p)).collect()).collect();
    let with_reasons = by_id.len() == o.allocations.len();
    let mut years = Vec::with_capacity(o.allocations.len());
    let mut programs = Vec::new();
    for (t, a) in o.allocations.iter().enumerate() {
        years.push(year::section(a)?);
        programs.extend(year::program_rows(a, by_id.get(t).filter(|_| with_reasons)));
    }
    let mut solvers: Vec<&str> = o.allocations.iter().map(|a| a.solver.as_str()).collect();
    solvers.dedup();
    let assessed = o.fiscal_health.years.iter().any(|y| y.real_debt_service_ratio.is_some());
    Ok(Page {
        title: match (o.years.first(), o.years.last()) {
            (Some(a), Some(b)) if a != b => format!("{} {}（FY{a}–{b}）", o.city, o.plan),
            (Some(a), _) => format!("{} {}（FY{a}）", o.city, o.plan),
            _ => format!("{} {}", o.city, o.plan),
        },
        print_title: css_string(&format!("{} {} ・ {}", o.city, o.plan, period(&o.years))),
        city: o.city.clone(),
        name: o.plan.clone(),
        period: period(&o.years),
        sets: {
            let years: Vec<(i32, &[crate::scenario::Override])> =
                o.allocations.iter().map(|a| (a.fiscal_year, a.overrides.as_slice())).collect();
            crate::report::set_lines(&years, u)
        },
        unit: u.suffix(),
        multi_year: multi,
        cards,
        reconciles: reconcile.iter().all(|r| r.ok),
        reconcile,
        overview: overview(o),
        frames: indicators::frame_charts(o)?,
        ratios: indicators::ratio_charts(o)?,
        limits: indicators::limits_chart(o)?,
        health: indicators::health_table(o),
        fiscal_note: if assessed {
            String::new()
        } else {
            "健全化判断比率は、シナリオに [fiscal] の入力がないため算定していません。 The soundness ratios are not assessed: the scenario has no [fiscal] section.".into()
        },
        path: o
            .path
            .iter()
            .map(|c| PathRow {
                ja: c.kind.label_ja(),
                en: c.label.clone(),
                value: n(c.value, u),
                sense: c.sense.math(),
                limit: n(c.limit, u),
                status: if !c.holds {
                    "違反 violated"
                } else if c.binding {
                    "充足・制約が効いている holds, binding"
                } else {
                    "充足 holds"
                },
                class: if c.holds { "ok" } else { "bad" },
            })
            .collect(),
        warnings: indicators::warnings(o),
        violations: o.violations.clone(),
        years,
        programs,
        with_reasons,
        solver: solvers.join(", "),
        styles: {
            let mut lines: Vec<String> =
                o.allocations.iter().map(|a| crate::report::styles::style_line(a, true)).collect();
            lines.dedup();
            lines
        },
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// The allocation's identities, each checked to the yen (they hold by construction; the report
/// shows that they do, and says by how much if they ever did not).
fn reconcile(o: &PlanOutcome) -> Vec<Reconcile> {
    let u = o.display_unit;
    let multi = o.allocations.len() > 1;
    let mut out = Vec::new();
    let diff = |a: Money, b: Money| {
        if a == b { String::new() } else { format!(" — differs by {}", (a - b).format(Unit::Yen)) }
    };
    for a in &o.allocations {
        let year = if multi { format!("FY{}", a.fiscal_year) } else { String::new() };
        let env: Money = a.envelopes.iter().map(|e| e.amount).sum();
        out.push(Reconcile {
            year: year.clone(),
            text: format!(
                "枠の合計 {} + 市長調整枠 {} = 配分可能な一般財源 {}（envelopes + reserve = available）{}",
                n(env, u),
                n(a.reserve, u),
                n(a.available, u),
                diff(env + a.reserve, a.available)
            ),
            ok: env + a.reserve == a.available,
        });
        let sources = a.general_revenue + a.fund_drawdown - a.fund_deposit;
        out.push(Reconcile {
            year: year.clone(),
            text: format!(
                "一般財源 {} + 基金取崩し {} − 基金積立 {} = {}（general revenue + drawdown − deposit）{}",
                n(a.general_revenue, u),
                n(a.fund_drawdown, u),
                n(a.fund_deposit, u),
                n(a.available, u),
                diff(sources, a.available)
            ),
            ok: sources == a.available,
        });
        let off: Vec<&str> = a
            .envelopes
            .iter()
            .filter(|e| {
                a.programs.iter().filter(|p| p.department == e.department).map(|p| p.general_revenue).sum::<Money>()
                    != e.amount
            })
            .map(|e| e.name.as_str())
            .collect();
        out.push(Reconcile {
            year: year.clone(),
            text: if off.is_empty() {
                format!(
                    "各局・区の枠 = その事業の一般財源の合計（{}局・区すべて; each envelope = Σ its programs' general revenue）",
                    a.envelopes.len()
                )
            } else {
                format!("各局・区の枠 = その事業の一般財源の合計 — differs for {}", off.join(", "))
            },
            ok: off.is_empty(),
        });
        let cost: Money = a.programs.iter().map(|p| p.allocated).sum();
        out.push(Reconcile {
            year,
            text: format!(
                "事業費の合計 {} = {}事業の配分額の合計（Σ program allocations）{}",
                n(a.total_allocated, u),
                a.programs.len(),
                diff(cost, a.total_allocated)
            ),
            ok: cost == a.total_allocated,
        });
    }
    out
}

fn overview(o: &PlanOutcome) -> Table {
    let u = o.display_unit;
    let multi = o.allocations.len() > 1;
    let mut head: Vec<String> = o.years.iter().map(|y| format!("FY{y}")).collect();
    if multi {
        head.push("計 plan".into());
    }
    let row = |ja: &str, en: &str, g: &dyn Fn(&Allocation) -> Money, total: bool, sub: bool| {
        let mut cells: Vec<String> = o.allocations.iter().map(|a| n(g(a), u)).collect();
        if multi {
            cells.push(if total { n(o.allocations.iter().map(g).sum(), u) } else { String::new() });
        }
        TableRow { ja: ja.into(), en: en.into(), cells, note: String::new(), sub }
    };
    let mut rows = vec![
        row("一般財源", "general revenue", &|a| a.general_revenue, true, false),
        row("基金取崩し", "fund drawdown", &|a| a.fund_drawdown, true, true),
        row("基金積立", "fund deposit", &|a| a.fund_deposit, true, true),
        row("配分可能な一般財源", "available", &|a| a.available, true, false),
        row("枠の合計", "bureau envelopes", &|a| a.available - a.reserve, true, true),
        row("市長調整枠", "mayor's reserve", &|a| a.reserve, true, true),
        row("事業費（配分）", "programs, allocated cost", &|a| a.total_allocated, true, false),
        row("要求額", "requested", &|a| a.total_requested, true, true),
        row("投資的経費", "investment", &|a| a.investment, true, false),
        row("上限", "cap", &|a| a.investment_cap, false, true),
        row("市債発行額", "bond issuance", &|a| a.bond_issuance, true, false),
        row("上限", "cap", &|a| a.bond_issuance_cap, false, true),
        row("市債償還額", "bond redemption", &|a| a.bond_redemption, true, true),
        row("市債残高（年度末）", "bond balance, year end", &|a| a.bond_balance_end, false, false),
        row("基金残高（年度末）", "fund balance, year end", &|a| a.fund_balance_end, false, false),
        row("下限", "floor", &|a| a.fund_floor, false, true),
        row("次世代投資枠", "next-generation frame", &|a| a.next_generation, true, false),
        row("目標", "target", &|a| a.next_generation_target, false, true),
    ];
    if multi && !o.next_generation_target.is_zero() {
        if let Some(r) = rows.last_mut() {
            r.note = format!("プラン期間の目標 plan target {}", n(o.next_generation_target, u));
        }
    }
    // A year without a next-generation target of its own (a plan's target is cumulative) shows
    // "—", not 0.00.
    if let Some(r) = rows.last_mut() {
        for (cell, a) in r.cells.iter_mut().zip(&o.allocations) {
            if a.next_generation_target.is_zero() {
                *cell = "—".into();
            }
        }
    }
    for r in rows.iter_mut().filter(|r| r.ja == "市長調整枠") {
        r.note = o.allocations.iter().map(|a| share(a.reserve_share)).collect::<Vec<_>>().join(" / ");
    }
    Table { head, rows }
}

/// `v` rounded down to a round number at the scale of `span` (the waterfall's axis starts there).
pub(super) fn nice_floor(v: f64, span: f64) -> f64 {
    if !(v.is_finite() && span.is_finite() && span > 0.0) {
        return 0.0;
    }
    let step = 10f64.powf(span.log10().floor());
    ((v / step).floor() * step).max(0.0)
}

/// Width in pixels for labels of this many terminal columns (a wide character is two).
pub(super) fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> u32 {
    // Labels are drawn at `charts::LABEL_PX`: about half of it per column (a CJK character is two).
    let cols = labels.map(text::width).max().unwrap_or(0) as f64;
    ((cols * super::charts::LABEL_PX * 0.55) as u32 + 24).clamp(80, 320)
}

#[cfg(test)]
mod tests {
    use super::css_string;

    #[test]
    fn a_css_string_cannot_end_its_string_or_the_style_element() {
        assert_eq!(css_string("北九州市 令和8年度"), "北九州市 令和8年度");
        assert_eq!(css_string("a\"b\\c"), "a\\\"b\\\\c");
        let hostile = css_string("</style><script>alert(1)</script>\n");
        assert!(!hostile.contains('<') && !hostile.contains('>') && !hostile.contains('\n'), "{hostile}");
        assert_eq!(css_string("x</style>"), "x\\3C /style\\3E ");
    }
}
