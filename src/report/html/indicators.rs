//! The reserve and the next-generation frame against their bounds and target, and the fiscal
//! indicators against their thresholds: the soundness ratios across the years, the allocation's own
//! limits as a share of each limit, the fiscal-health table.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::charts::{self, HRow, Threshold, VBar};
use super::view::{Chart, Table, TableRow, f, fy, label_width, n, ratio_f, share};
use crate::Result;
use crate::constraint::ConstraintKind;
use crate::fiscal::{CheckStatus, PlanOutcome, Ratio, RatioIndicator, YearHealth};
use crate::money::Money;

use crate::report::text::{ratio as pct, share_as_written};

pub(super) fn health_table(o: &PlanOutcome) -> Table {
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
                    || {
                        format!(
                            "法定の基準なし no statutory threshold（参考 benchmark: 政令市平均 約{}、{}年度）",
                            share_as_written(crate::fiscal::ORDINARY_BALANCE_BENCHMARK),
                            crate::fiscal::ORDINARY_BALANCE_BENCHMARK_YEAR
                        )
                    },
                    |c| format!("市の目標 city target {c}"),
                ),
                false,
            ),
            row("判定", "status", &|y| format!("{} {}", y.status.label_ja(), y.status.label()), String::new(), false),
        ],
    }
}

pub(super) fn warnings(o: &PlanOutcome) -> Vec<String> {
    let mut out = Vec::new();
    for y in &o.fiscal_health.years {
        for c in y.checks.iter().filter(|c| c.status == CheckStatus::Warning) {
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

/// The reserve and the next-generation frame against their bounds and target.
pub(super) fn frame_charts(o: &PlanOutcome) -> Result<Vec<Chart>> {
    let u = o.display_unit;
    let multi = o.allocations.len() > 1;
    let mut rows = Vec::new();
    for a in &o.allocations {
        let lo = a.constraint(|k| matches!(k, ConstraintKind::ReserveMin { .. })).map(|c| c.limit);
        let hi = a.constraint(|k| matches!(k, ConstraintKind::ReserveMax { .. })).map(|c| c.limit);
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
pub(super) fn ratio_charts(o: &PlanOutcome) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let ys = &o.fiscal_health.years;
    type Getter = fn(&YearHealth) -> Option<Ratio>;
    let ratios: [(RatioIndicator, &str, &str, Getter); 3] = [
        (RatioIndicator::RealDebtService, "実質公債費比率（3か年平均）", "real debt-service ratio", |y| {
            y.real_debt_service_ratio
        }),
        (RatioIndicator::FutureBurden, "将来負担比率", "future burden ratio", |y| y.future_burden_ratio),
        (RatioIndicator::OrdinaryBalance, "経常収支比率", "ordinary balance ratio", |y| y.ordinary_balance_ratio),
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
            let unverified = if c.unverified() { "（未確認）" } else { "" };
            thresholds.push(Threshold {
                value: v,
                label: format!("{}{unverified} {}%", c.kind.label_ja(), c.threshold.percent()),
                color: charts::threshold_color(c.kind),
            });
        }
        let mut note = "棒: 各年度の比率（緑は基準内）。破線: 法定の基準と市の目標。 Bars: the ratio per year; dashed lines: statutory thresholds and the city's limits.".to_string();
        if thresholds.is_empty() && id == RatioIndicator::OrdinaryBalance {
            // No statutory threshold and no city target: a stated benchmark, so the bar has a reference.
            let b = crate::fiscal::ORDINARY_BALANCE_BENCHMARK;
            let year = crate::fiscal::ORDINARY_BALANCE_BENCHMARK_YEAR;
            thresholds.push(Threshold {
                value: ratio_f(Ratio(b)),
                label: format!("参考: 政令市平均 約{}（{year}年度）", share_as_written(b)),
                color: charts::benchmark_color(),
            });
            note = format!(
                "棒: 各年度の比率。法定の基準はなく、市の目標も定められていないため、灰色の破線は参考値（政令市平均 約{0}、{year}年度）。低いほど財政に弾力性があります。 Bars: the ratio per year; no statutory threshold or city target, so the grey line is a benchmark (the designated-city average, about {0} in FY{year}).",
                share_as_written(b)
            );
        }
        let bars: Vec<VBar> = ys
            .iter()
            .map(|y| {
                let v = get(y);
                let ok = y.checks.iter().filter(|c| c.indicator == id).all(|c| c.status == CheckStatus::Ok);
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
            id: format!("chart-{}", id.id().replace('_', "-")),
            title: format!("{ja} {en}（%）"),
            note,
            svg: charts::vbars(&bars, 0.0, top, &thresholds, false, "%", (520, 300))?,
        });
    }
    Ok(out)
}

/// The allocation's own limits, each as a share of its limit (100% = at the limit).
pub(super) fn limits_chart(o: &PlanOutcome) -> Result<Chart> {
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
        if let Some(c) = o.path.iter().find(|c| c.kind == ConstraintKind::BondNotRising { year: y }) {
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
