//! What the report's template shows: every figure formatted from exact money in the display unit,
//! every label in Japanese with English beside it, every chart drawn. The template only lays it out.

use std::collections::HashMap;

use askama::Template;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use unicode_width::UnicodeWidthStr;

use super::charts::{self, HRow, Threshold, VBar};
use crate::Result;
use crate::allocate::{Allocation, ConstraintReport, Holding, price_words};
use crate::fiscal::{PlanOutcome, Ratio, YearHealth};
use crate::money::{Money, Unit};
use crate::review::{Action, Review};

#[derive(Template)]
#[template(path = "report.html")]
pub(super) struct Page {
    pub title: String,
    pub city: String,
    pub name: String,
    pub period: String,
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
    pub version: &'static str,
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
pub(super) struct Binding {
    pub ja: String,
    pub name: String,
    pub label: String,
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

/// 令和8年度 for 2026 (令和元年度 for 2019), 平成 before.
pub(super) fn era(year: i32) -> String {
    let (name, n) = if year >= 2019 { ("令和", year - 2018) } else { ("平成", year - 1988) };
    if n == 1 { format!("{name}元年度") } else { format!("{name}{n}年度") }
}

/// `令和8年度（FY2026）`, or `令和6〜8年度（FY2024–2026）` for a plan.
pub(super) fn period(years: &[i32]) -> String {
    match years {
        [] => String::new(),
        [y] => format!("{}（FY{y}）", era(*y)),
        [first, .., last] => {
            let (a, b) = (era(*first), era(*last));
            let same_era = a.get(..6) == b.get(..6);
            let joined = if same_era {
                format!("{}〜{}", a.trim_end_matches("年度"), b.trim_start_matches(a.get(..6).unwrap_or("")))
            } else {
                format!("{}〜{b}", a)
            };
            format!("{joined}（FY{first}–{last}）")
        }
    }
}

fn n(m: Money, u: Unit) -> String {
    m.format_number(u)
}

fn yen(m: Money) -> String {
    m.as_decimal().normalize().to_string()
}

/// Money in the display unit as a float, for chart geometry only.
fn f(m: Money, u: Unit) -> f64 {
    m.in_unit(u).to_f64().unwrap_or(0.0)
}

fn share(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

fn ratio_f(r: Ratio) -> f64 {
    (r.0 * Decimal::ONE_HUNDRED).to_f64().unwrap_or(0.0)
}

fn change(now: Money, before: Money) -> String {
    if before.is_zero() {
        return String::new();
    }
    let pct = (now - before).as_decimal() / before.as_decimal() * Decimal::ONE_HUNDRED;
    format!("{:+.1}%", pct.round_dp(1))
}

/// A signed amount: `+1.20` / `−3.40` (a true minus sign).
fn signed(m: Money, u: Unit) -> String {
    if m.is_negative() { format!("−{}", n(m.abs(), u)) } else { format!("+{}", n(m, u)) }
}

fn fy(multi: bool, year: i32, words: &str) -> String {
    if multi { format!("FY{year} {words}") } else { words.to_string() }
}

/// The Japanese name of a constraint, by its machine name.
fn constraint_ja(name: &str) -> &'static str {
    match name.split('.').next().unwrap_or("") {
        "balance" => "財源の均衡（歳入＝歳出）",
        "envelope_floor" => "枠の下限",
        "envelope_ceiling" => "枠の上限",
        "reserve_min" => "市長調整枠の下限",
        "reserve_max" => "市長調整枠の上限",
        "investment_cap" => "投資的経費の上限",
        "bond_issuance_cap" => "市債発行額の上限",
        "next_generation" => "次世代投資枠の目標",
        "fund_drawdown" => "財源調整用基金の取崩し上限",
        "fund_floor" => "基金残高の下限",
        "bond_not_rising" => "市債残高を増やさない",
        _ => "制約",
    }
}

fn held_ja(h: Holding) -> &'static str {
    match h {
        Holding::Mandatory => "義務的経費（要求額で固定）",
        Holding::Pinned => "点検結果で確定",
        Holding::AllOrNothing => "全額採否",
        Holding::EnvelopeFloor => "枠の下限により最大額",
        Holding::ReviewMax => "点検の上限額",
        Holding::ReviewMin => "点検の下限額",
        Holding::Marginal => "限界的な事業（制約で調整）",
    }
}

fn status_ja(status: &str) -> &'static str {
    match status {
        "sound" => "健全",
        "bond_permission_required" => "起債許可団体",
        "over_city_limit" => "市の目標超過",
        "early_soundness" => "早期健全化基準以上",
        "rehabilitation" => "財政再生基準以上",
        _ => "未算定",
    }
}

fn find<'a>(a: &'a Allocation, name: &str) -> Option<&'a ConstraintReport> {
    a.constraints.iter().find(|c| c.name == name)
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
        years.push(year_section(a)?);
        programs.extend(program_rows(a, by_id.get(t).filter(|_| with_reasons)));
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
        city: o.city.clone(),
        name: o.plan.clone(),
        period: period(&o.years),
        unit: u.suffix(),
        multi_year: multi,
        cards,
        reconciles: reconcile.iter().all(|r| r.ok),
        reconcile,
        overview: overview(o),
        frames: frame_charts(o)?,
        ratios: ratio_charts(o)?,
        limits: limits_chart(o)?,
        health: health_table(o),
        fiscal_note: if assessed {
            String::new()
        } else {
            "健全化判断比率は、シナリオに [fiscal] の入力がないため算定していません。 The soundness ratios are not assessed: the scenario has no [fiscal] section.".into()
        },
        path: o
            .path
            .iter()
            .map(|c| PathRow {
                ja: constraint_ja(&c.name).to_string(),
                en: c.label.clone(),
                value: n(c.value, u),
                sense: match c.sense {
                    "<=" => "≤",
                    ">=" => "≥",
                    _ => "=",
                },
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
        warnings: warnings(o),
        violations: o.violations.clone(),
        years,
        programs,
        with_reasons,
        solver: solvers.join(", "),
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
    for r in rows.iter_mut().filter(|r| r.ja == "市長調整枠") {
        r.note = o.allocations.iter().map(|a| share(a.reserve_share)).collect::<Vec<_>>().join(" / ");
    }
    Table { head, rows }
}

fn pct(r: Option<Ratio>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{}%", r.percent()))
}

fn health_table(o: &PlanOutcome) -> Table {
    let u = o.display_unit;
    let ys = &o.fiscal_health.years;
    let head: Vec<String> = ys.iter().map(|y| format!("FY{}", y.year)).collect();
    let row = |ja: &str, en: &str, g: &dyn Fn(&YearHealth) -> String, note: String, sub: bool| TableRow {
        ja: ja.into(),
        en: en.into(),
        cells: ys.iter().map(g).collect(),
        note,
        sub,
    };
    let city = |i: usize| o.city_limits[i].map(share);
    let with_city = |base: String, i: usize| match city(i) {
        Some(c) => format!("{base}; 市の目標 city limit {c}"),
        None => base,
    };
    Table {
        head,
        rows: vec![
            row("市債残高（年度末）", "bond balance, year end", &|y| n(y.bond_balance, u), String::new(), false),
            row("基金残高（年度末）", "fund balance, year end", &|y| n(y.fund_balance, u), String::new(), false),
            row("収支ギャップ（対策前）", "fiscal gap before measures", &|y| n(y.fiscal_gap, u), String::new(), false),
            row(
                "実質公債費比率（3か年平均）",
                "real debt-service ratio, 3-year mean",
                &|y| pct(y.real_debt_service_ratio),
                with_city("起債許可 18% / 早期健全化 25% / 財政再生 35%".into(), 0),
                false,
            ),
            row("単年度", "single year", &|y| pct(y.real_debt_service_ratio_single_year), String::new(), true),
            row(
                "将来負担比率",
                "future burden ratio",
                &|y| pct(y.future_burden_ratio),
                with_city("早期健全化 400%（指定都市; 未確認 unverified）".into(), 1),
                false,
            ),
            row(
                "経常収支比率",
                "ordinary balance ratio",
                &|y| pct(y.ordinary_balance_ratio),
                city(2).map_or_else(
                    || "法定の基準なし no statutory threshold".into(),
                    |c| format!("市の目標 city target {c}"),
                ),
                false,
            ),
            row(
                "判定",
                "status",
                &|y| format!("{} {}", status_ja(y.status), y.status.replace('_', " ")),
                String::new(),
                false,
            ),
        ],
    }
}

fn warnings(o: &PlanOutcome) -> Vec<String> {
    let mut out = Vec::new();
    for y in &o.fiscal_health.years {
        for c in y.checks.iter().filter(|c| c.status == "warning") {
            out.push(format!(
                "FY{}: 実質公債費比率 {}% が {}% 以上: 起債許可団体（issuing bonds needs permission）",
                y.year,
                c.value.percent(),
                c.threshold.percent()
            ));
        }
    }
    out
}

/// `v` rounded down to a round number at the scale of `span` (the waterfall's axis starts there).
fn nice_floor(v: f64, span: f64) -> f64 {
    if !(v.is_finite() && span.is_finite() && span > 0.0) {
        return 0.0;
    }
    let step = 10f64.powf(span.log10().floor());
    ((v / step).floor() * step).max(0.0)
}

/// Width in pixels for labels of this many terminal columns (a wide character is two).
fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> u32 {
    let cols = labels.map(UnicodeWidthStr::width).max().unwrap_or(0) as u32;
    (cols * 7 + 20).clamp(80, 280)
}

/// The reserve and the next-generation frame against their bounds and target.
fn frame_charts(o: &PlanOutcome) -> Result<Vec<Chart>> {
    let u = o.display_unit;
    let multi = o.allocations.len() > 1;
    let mut rows = Vec::new();
    for a in &o.allocations {
        let lo = find(a, "reserve_min").map(|c| c.limit);
        let hi = find(a, "reserve_max").map(|c| c.limit);
        let band = match (lo, hi) {
            (Some(l), Some(h)) => Some((f(l, u), f(h, u))),
            (Some(l), None) => Some((f(l, u), f(l, u))),
            (None, Some(h)) => Some((0.0, f(h, u))),
            (None, None) => None,
        };
        let range = match (lo, hi) {
            (Some(l), Some(h)) => format!("範囲 {}–{}", n(l, u), n(h, u)),
            (Some(l), None) => format!("下限 {}", n(l, u)),
            (None, Some(h)) => format!("上限 {}", n(h, u)),
            (None, None) => String::new(),
        };
        rows.push(HRow {
            label: if multi { format!("FY{}", a.fiscal_year) } else { "市長調整枠".into() },
            value: f(a.reserve, u),
            color: charts::BLUE,
            band,
            marker: None,
            text: format!("{}（{}）{range}", n(a.reserve, u), share(a.reserve_share)),
        });
    }
    let x_max = rows.iter().map(|r| r.value.max(r.band.map_or(0.0, |b| b.1))).fold(0.0, f64::max) * 1.05;
    let reserve = Chart {
        id: "chart-reserve".into(),
        title: format!("市長調整枠と上下限 Mayor's reserve within its bounds（{}）", u.suffix()),
        note: "棒: 市長調整枠。薄い帯: シナリオが定める下限〜上限（配分可能な一般財源に対する割合）。 Bar: the reserve; band: its least and greatest share of available general revenue.".into(),
        svg: charts::hbars(&rows, x_max, None, u.suffix(), label_width(rows.iter().map(|r| r.label.as_str())))?,
    };

    let mut rows = Vec::new();
    for a in &o.allocations {
        let ok = a.next_generation >= a.next_generation_target;
        rows.push(HRow {
            label: if multi { format!("FY{}", a.fiscal_year) } else { "次世代投資枠".into() },
            value: f(a.next_generation, u),
            color: charts::status_color(ok),
            band: None,
            marker: (!a.next_generation_target.is_zero()).then(|| f(a.next_generation_target, u)),
            text: if a.next_generation_target.is_zero() {
                n(a.next_generation, u)
            } else {
                format!("{}（目標 {}）", n(a.next_generation, u), n(a.next_generation_target, u))
            },
        });
    }
    if multi && !o.next_generation_target.is_zero() {
        rows.push(HRow {
            label: "プラン累計 plan total".into(),
            value: f(o.next_generation_total, u),
            color: charts::status_color(o.next_generation_total >= o.next_generation_target),
            band: None,
            marker: Some(f(o.next_generation_target, u)),
            text: format!("{}（目標 {}）", n(o.next_generation_total, u), n(o.next_generation_target, u)),
        });
    }
    let x_max = rows.iter().map(|r| r.value.max(r.marker.unwrap_or(0.0))).fold(0.0, f64::max) * 1.05;
    let next = Chart {
        id: "chart-next-generation".into(),
        title: format!("次世代投資枠と目標 Next-generation frame against its target（{}）", u.suffix()),
        note: "棒: 次世代投資枠の事業費（緑は目標達成、赤は未達）。縦線: 目標。 Bar: cost of next-generation programs; line: the target.".into(),
        svg: charts::hbars(&rows, x_max, None, u.suffix(), label_width(rows.iter().map(|r| r.label.as_str())))?,
    };
    Ok(vec![reserve, next])
}

/// The soundness ratios (with `[fiscal]`) across the years against their thresholds.
fn ratio_charts(o: &PlanOutcome) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let ys = &o.fiscal_health.years;
    type Getter = fn(&YearHealth) -> Option<Ratio>;
    let ratios: [(&str, &str, &str, Getter); 3] = [
        ("real_debt_service_ratio", "実質公債費比率（3か年平均）", "real debt-service ratio", |y| {
            y.real_debt_service_ratio
        }),
        ("future_burden_ratio", "将来負担比率", "future burden ratio", |y| y.future_burden_ratio),
        ("ordinary_balance_ratio", "経常収支比率", "ordinary balance ratio", |y| y.ordinary_balance_ratio),
    ];
    let assessed = ys.iter().any(|y| y.real_debt_service_ratio.is_some());
    for (id, ja, en, get) in ratios {
        if !assessed || ys.iter().all(|y| get(y).is_none()) {
            continue;
        }
        let mut thresholds: Vec<Threshold> = Vec::new();
        for c in ys.iter().flat_map(|y| y.checks.iter()).filter(|c| c.indicator == id) {
            let v = ratio_f(c.threshold);
            if thresholds.iter().any(|t| (t.value - v).abs() < 1e-9) {
                continue;
            }
            let kind = match c.kind {
                "bond_permission" => "起債許可",
                "early_soundness" if id == "future_burden_ratio" => "早期健全化（未確認）",
                "early_soundness" => "早期健全化基準",
                "rehabilitation" => "財政再生基準",
                _ => "市の目標",
            };
            thresholds.push(Threshold {
                value: v,
                label: format!("{kind} {}%", c.threshold.percent()),
                color: charts::threshold_color(c.kind),
            });
        }
        let bars: Vec<VBar> = ys
            .iter()
            .map(|y| {
                let v = get(y);
                let ok = y.checks.iter().filter(|c| c.indicator == id).all(|c| c.status == "ok");
                VBar {
                    label: format!("FY{}", y.year),
                    from: 0.0,
                    to: v.map_or(0.0, ratio_f),
                    color: charts::status_color(ok),
                    text: pct(v),
                }
            })
            .collect();
        let top = bars.iter().map(|b| b.to).chain(thresholds.iter().map(|t| t.value)).fold(0.0, f64::max) * 1.12;
        out.push(Chart {
            id: format!("chart-{}", id.replace('_', "-")),
            title: format!("{ja} {en}（%）"),
            note: "棒: 各年度の比率（緑は基準内）。破線: 法定の基準と市の目標。 Bars: the ratio per year; dashed lines: statutory thresholds and the city's limits.".into(),
            svg: charts::vbars(&bars, 0.0, top, &thresholds, false, "%", (520, 300))?,
        });
    }
    Ok(out)
}

/// The allocation's own limits, each as a share of its limit (100% = at the limit).
fn limits_chart(o: &PlanOutcome) -> Result<Chart> {
    let u = o.display_unit;
    let multi = o.allocations.len() > 1;
    let mut rows = Vec::new();
    let mut add = |label: String, value: Money, limit: Money, at_most: bool| {
        if limit <= Money::ZERO {
            return;
        }
        let p = value.as_decimal() / limit.as_decimal() * Decimal::ONE_HUNDRED;
        let ok = if at_most { value <= limit } else { value >= limit };
        rows.push(HRow {
            label,
            value: p.to_f64().unwrap_or(0.0),
            color: charts::status_color(ok),
            band: None,
            marker: None,
            text: format!(
                "{} {} {} {}（{}%）",
                n(value, u),
                if at_most { "≤" } else { "≥" },
                if at_most { "上限" } else { "下限" },
                n(limit, u),
                p.round_dp(1)
            ),
        });
    };
    for a in &o.allocations {
        let y = a.fiscal_year;
        add(fy(multi, y, "投資的経費 ≤ 上限"), a.investment, a.investment_cap, true);
        add(fy(multi, y, "市債発行額 ≤ 上限"), a.bond_issuance, a.bond_issuance_cap, true);
        add(fy(multi, y, "基金残高 ≥ 下限"), a.fund_balance_end, a.fund_floor, false);
        if let Some(c) = o.path.iter().find(|c| c.name == format!("bond_not_rising.{y}")) {
            add(fy(multi, y, "市債残高 ≤ 前年度末"), c.value, c.limit, true);
        }
    }
    let x_max = rows.iter().map(|r| r.value).fold(110.0, f64::max) * 1.05;
    Ok(Chart {
        id: "chart-limits".into(),
        title: "財政規律: 上限・下限に対する割合 Fiscal limits, as a share of each limit（%）".into(),
        note: "100% の破線が上限・下限。「≤」の項目は 100% 以下、「≥」の項目は 100% 以上で充足（緑）。 The dashed line is the limit: an “≤” bar holds at or below it, an “≥” bar at or above it.".into(),
        svg: charts::hbars(&rows, x_max, Some((100.0, "100%")), "%", label_width(rows.iter().map(|r| r.label.as_str())))?,
    })
}

fn year_section(a: &Allocation) -> Result<YearSection> {
    let u = a.display_unit;
    let title = period(&[a.fiscal_year]);
    let anchor = format!("fy{}", a.fiscal_year);

    let rows: Vec<HRow> = a
        .envelopes
        .iter()
        .map(|e| HRow {
            label: e.name.clone(),
            value: f(e.amount, u),
            color: charts::BLUE,
            band: Some((f(e.floor, u), f(e.ceiling, u))),
            marker: Some(f(e.base, u)),
            text: format!("{}（{}）", n(e.amount, u), change(e.amount, e.base)),
        })
        .collect();
    let x_max = a.envelopes.iter().map(|e| f(e.ceiling.max(e.amount).max(e.base), u)).fold(0.0, f64::max) * 1.02;
    let envelope_chart = Chart {
        id: format!("chart-envelopes-{}", a.fiscal_year),
        title: format!("局・区別の枠 Envelopes by bureau（{}、{}）", u.suffix(), title),
        note: "棒: 配分した枠。薄い帯: 下限〜上限。縦線: 基準額（前年度の一般財源）。括弧内は基準額比。 Bar: the envelope; band: floor to ceiling; line: the base (last year's general revenue).".into(),
        svg: charts::hbars(&rows, x_max, None, u.suffix(), label_width(a.envelopes.iter().map(|e| e.name.as_str())))?,
    };

    // Request → allocation: the change each review action made, in cost (事業費).
    let mut bars = vec![VBar {
        label: "要求額".into(),
        from: 0.0,
        to: f(a.total_requested, u),
        color: charts::GREY,
        text: n(a.total_requested, u),
    }];
    let mut running = a.total_requested;
    for action in Action::ALL {
        let delta: Money =
            a.programs.iter().filter(|p| p.action == action).map(|p| p.allocated - p.requested).sum::<Money>();
        if delta.is_zero() {
            continue;
        }
        bars.push(VBar {
            label: action.label().into(),
            from: f(running, u),
            to: f(running + delta, u),
            color: if delta.is_negative() { charts::RED } else { charts::GREEN },
            text: signed(delta, u),
        });
        running += delta;
    }
    bars.push(VBar {
        label: "配分額".into(),
        from: 0.0,
        to: f(a.total_allocated, u),
        color: charts::BLUE,
        text: n(a.total_allocated, u),
    });
    let tops: Vec<f64> = bars.iter().flat_map(|b| [b.to, if b.from == 0.0 { b.to } else { b.from }]).collect();
    let (lo, hi) = (tops.iter().copied().fold(f64::INFINITY, f64::min), tops.iter().copied().fold(0.0, f64::max));
    let span = (hi - lo).max(hi * 0.002).max(1e-9);
    let y_lo = nice_floor((lo - span * 0.8).max(0.0), span);
    let waterfall = Chart {
        id: format!("chart-waterfall-{}", a.fiscal_year),
        title: format!("要求額から配分額へ Request → allocation by review action（事業費、{}、{}）", u.suffix(), title),
        note: format!(
            "今後の方向性ごとの増減（赤は減額、緑は増額）。縦軸は {} から。 Change made by each review action (red: cut, green: raised); the axis starts at {}.",
            charts::tick(y_lo),
            charts::tick(y_lo)
        ),
        svg: charts::vbars(&bars, y_lo, hi + span * 0.25, &[], true, u.suffix(), (960, 340))?,
    };

    let envelopes = a
        .envelopes
        .iter()
        .map(|e| EnvelopeRow {
            id: e.department.clone(),
            name: e.name.clone(),
            base: n(e.base, u),
            requested: n(e.requested, u),
            floor: n(e.floor, u),
            ceiling: n(e.ceiling, u),
            amount: n(e.amount, u),
            yen: yen(e.amount),
            change: change(e.amount, e.base),
        })
        .collect();
    let total: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let binding = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.name != "balance")
        .map(|c| Binding {
            ja: constraint_ja(&c.name).to_string(),
            name: c.name.clone(),
            label: c.label.clone(),
            limit: n(c.limit, u),
            value: n(c.value, u),
            words: price_words(c, u),
        })
        .collect();
    Ok(YearSection {
        anchor,
        title,
        charts: vec![envelope_chart, waterfall],
        envelopes,
        envelope_total: n(total, u),
        base_total: n(a.envelopes.iter().map(|e| e.base).sum(), u),
        requested_total: n(a.envelopes.iter().map(|e| e.requested).sum(), u),
        reserve: n(a.reserve, u),
        reserve_yen: yen(a.reserve),
        reserve_share: share(a.reserve_share),
        available: n(a.available, u),
        available_yen: yen(a.available),
        marginal_value: find(a, "balance").map_or_else(String::new, |c| price_words(c, u)),
        binding,
    })
}

fn program_rows(a: &Allocation, reviews: Option<&HashMap<&str, &crate::review::ProgramReview>>) -> Vec<ProgramRow> {
    let u = a.display_unit;
    let names: HashMap<&str, &str> = a.envelopes.iter().map(|e| (e.department.as_str(), e.name.as_str())).collect();
    a.programs
        .iter()
        .map(|p| {
            let reason = reviews.and_then(|r| r.get(p.id.as_str())).map_or_else(String::new, |r| {
                if !r.assessment.reason.is_empty() {
                    return r.assessment.reason.clone();
                }
                r.findings
                    .iter()
                    .filter(|f| f.action == r.assessment.action && f.action != Action::Continue)
                    .map(|f| f.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("／")
            });
            ProgramRow {
                year: a.fiscal_year,
                id: p.id.clone(),
                name: p.name.clone(),
                bureau: names.get(p.department.as_str()).copied().unwrap_or(p.department.as_str()).to_string(),
                keys: format!("{} {} {}", p.department, p.action.id(), p.kind),
                action: p.action.label(),
                requested: n(p.requested, u),
                allocated: n(p.allocated, u),
                class: if p.allocated < p.requested {
                    "cut"
                } else if p.allocated > p.requested {
                    "raised"
                } else {
                    ""
                },
                reason,
                held: format!("{} {}", held_ja(p.held_by), p.held_by.words()),
            }
        })
        .collect()
}
