//! The memo's limits: the mayor's reserve, the next-generation frame and the fiscal caps against
//! their bounds, the limits that bind (with their shadow prices), and the fiscal indicators.

use std::fmt::Write as _;

use super::{table, w};
use crate::allocate::{Allocation, Lang};
use crate::constraint::{ConstraintKind, ConstraintReport, price_step};
use crate::fiscal::{Check, CheckStatus, RatioIndicator, YearHealth};
use crate::money::Money;
use crate::report::text::lang_writeln;
use crate::report::text::{self, amount as n, share};

pub(super) fn frames(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let state = |c: Option<&ConstraintReport>, room: Money| match c {
        Some(c) if c.binding => w(lang, "限度で拘束", "at its limit").to_string(),
        _ => format!("{} {}", w(lang, "余裕", "room"), room.format(u)),
    };
    let reserve_min = a.constraint(|k| matches!(k, ConstraintKind::ReserveMin { .. }));
    let reserve_max = a.constraint(|k| matches!(k, ConstraintKind::ReserveMax { .. }));
    let limit = |c: Option<&ConstraintReport>| c.map_or("—".into(), |c| n(c.limit, u));
    let reserve_state = match (reserve_min, reserve_max) {
        (Some(c), _) if c.binding => w(lang, "下限で拘束", "at its minimum").to_string(),
        (_, Some(c)) if c.binding => w(lang, "上限で拘束", "at its maximum").to_string(),
        _ => w(lang, "下限と上限の間", "between its minimum and maximum").to_string(),
    };
    // A figure held from below (a target or a floor) or from above (a cap), with its limit's state.
    let floored = |label: &str, value: Money, floor: Money, c: Option<&ConstraintReport>| {
        vec![label.to_string(), n(value, u), n(floor, u), "—".into(), state(c, value - floor)]
    };
    let capped = |label: &str, value: Money, cap: Money, c: Option<&ConstraintReport>| {
        vec![label.to_string(), n(value, u), "—".into(), n(cap, u), state(c, cap - value)]
    };
    let rows = vec![
        vec![
            match lang {
                Lang::Ja => format!("市長調整枠（配分可能額の{}）", share(a.reserve_share)),
                Lang::En => format!("Mayor's reserve ({} of the available)", share(a.reserve_share)),
            },
            n(a.reserve, u),
            limit(reserve_min),
            limit(reserve_max),
            reserve_state,
        ],
        floored(
            w(lang, "次世代投資枠（事業費）", "Next-generation frame (program cost)"),
            a.next_generation,
            a.next_generation_target,
            a.constraint(|k| *k == ConstraintKind::NextGeneration),
        ),
        capped(
            w(lang, "投資的経費", "Investment"),
            a.investment,
            a.investment_cap,
            a.constraint(|k| *k == ConstraintKind::InvestmentCap),
        ),
        capped(
            w(lang, "市債発行額", "Bond issuance"),
            a.bond_issuance,
            a.bond_issuance_cap,
            a.constraint(|k| *k == ConstraintKind::IssuanceCap),
        ),
        floored(
            w(lang, "基金残高（年度末）", "Fund balance (year end)"),
            a.fund_balance_end,
            a.fund_floor,
            a.constraint(|k| matches!(k, ConstraintKind::FundDrawdown | ConstraintKind::FundFloor)),
        ),
    ];
    let header = match lang {
        Lang::Ja => ["項目", "金額", "下限・目標", "上限", "状態"],
        Lang::En => ["Item", "Amount", "Minimum / target", "Maximum", "State"],
    };
    table(out, &header, rows, &[0, 4]);
    let (start, end) = (a.bond_balance_start.format(u), a.bond_balance_end.format(u));
    let (issued, redeemed) = (a.bond_issuance.format(u), a.bond_redemption.format(u));
    lang_writeln!(
        out,
        lang,
        ["\n市債残高は {start} → {end}（発行 {issued}、償還 {redeemed}）。"],
        ["\nBond balance {start} → {end} (issued {issued}, redeemed {redeemed})."]
    );
    match lang {
        Lang::Ja => {
            let _ = writeln!(out, "\n{}", a.fund_words());
        }
        Lang::En => {
            let _ = writeln!(out, "\nThe fund (財源調整用基金), as the Japanese memo says it:\n\n> {}", a.fund_words());
        }
    }
}

pub(super) fn binding(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let binding: Vec<&ConstraintReport> = a.constraints.iter().filter(|c| c.binding).collect();
    if binding.is_empty() {
        out.push_str(w(lang, "拘束している制約はありません。\n", "No limit binds.\n"));
        return;
    }
    for c in binding {
        let limit = match (c.kind == ConstraintKind::Balance, lang) {
            (true, _) => String::new(),
            (false, Lang::Ja) => format!("（{}）", c.limit.format(u)),
            (false, Lang::En) => format!(" ({})", c.limit.format(u)),
        };
        lang_writeln!(
            out,
            lang,
            ["- **{}**{limit}: {} `{}`", c.kind.label_ja(), c.price_words_ja(u), c.name],
            ["- **{}**{limit}: {} `{}`", c.kind.label(), c.price_words(u), c.name]
        );
    }
    let step = price_step(u).format(u);
    lang_writeln!(
        out,
        lang,
        [
            "\n各行の金額は、その限度を{step}緩めて配分を計算し直した結果です（括弧内はシャドープライスを金額に換算した値）。`waku explain` に制約名を渡すと詳しい説明が出ます。"
        ],
        [
            "\nEach line's amount is what re-computing the allocation with that limit loosened by {step} gives (the shadow price in money). `waku explain` with the limit's name explains it in full."
        ]
    );
}

pub(super) fn indicators(out: &mut String, a: &Allocation, health: Option<&YearHealth>, lang: Lang) {
    let u = a.display_unit;
    let Some(h) = health else {
        out.push_str(w(
            lang,
            "（この出力には財政指標を含めていません。）\n",
            "(This output does not include the fiscal indicators.)\n",
        ));
        return;
    };
    let mut rows = vec![
        vec![
            w(lang, "市債残高（年度末）", "Bond balance (year end)").into(),
            h.bond_balance.format(u),
            format!("{} {}", w(lang, "年度当初", "at the start"), a.bond_balance_start.format(u)),
            if h.bond_balance <= a.bond_balance_start {
                w(lang, "増えていない", "not rising").into()
            } else {
                w(lang, "増加", "rising").into()
            },
        ],
        vec![
            w(lang, "基金残高（年度末）", "Fund balance (year end)").into(),
            h.fund_balance.format(u),
            format!("{} {}", w(lang, "下限", "floor"), a.fund_floor.format(u)),
            if h.fund_balance >= a.fund_floor {
                w(lang, "基準内", "within").into()
            } else {
                w(lang, "下限割れ", "below the floor").into()
            },
        ],
        vec![
            w(lang, "収支ギャップ（対策前）", "Fiscal gap (before measures)").into(),
            h.fiscal_gap.format(u),
            "—".into(),
            "—".into(),
        ],
    ];
    let ratios = [
        (
            w(lang, "実質公債費比率（3か年平均）", "Real debt-service ratio (3-year mean)"),
            RatioIndicator::RealDebtService,
            h.real_debt_service_ratio,
        ),
        (w(lang, "将来負担比率", "Future burden ratio"), RatioIndicator::FutureBurden, h.future_burden_ratio),
        (w(lang, "経常収支比率", "Ordinary balance ratio"), RatioIndicator::OrdinaryBalance, h.ordinary_balance_ratio),
    ];
    for (label, id, value) in ratios {
        let checks: Vec<&Check> = h.checks.iter().filter(|c| c.indicator == id).collect();
        let thresholds: Vec<String> = checks
            .iter()
            .map(|c| {
                let unverified = if c.unverified() { w(lang, "（未検証）", " (unverified)") } else { "" };
                let kind = match lang {
                    Lang::Ja => c.kind.label_ja().to_string(),
                    Lang::En => c.kind.label(),
                };
                format!("{kind} {}%{unverified}", c.threshold.percent())
            })
            .collect();
        let verdict = if value.is_none() {
            w(lang, "未算定（[fiscal] の入力なし）", "not computed (no [fiscal] inputs)")
        } else if checks.iter().any(|c| c.status == CheckStatus::Violated) {
            w(lang, "基準超過", "over its threshold")
        } else if checks.iter().any(|c| c.status == CheckStatus::Warning) {
            w(lang, "注意（起債に許可が必要）", "caution (bonds need permission)")
        } else if checks.is_empty() {
            w(lang, "法定の基準なし", "no statutory threshold")
        } else {
            w(lang, "基準内", "within")
        }
        .to_string();
        rows.push(vec![
            label.to_string(),
            text::ratio(value),
            if thresholds.is_empty() { "—".into() } else { thresholds.join(" / ") },
            verdict,
        ]);
    }
    let header = match lang {
        Lang::Ja => ["指標", "値", "基準", "判定"],
        Lang::En => ["Indicator", "Value", "Thresholds", "Verdict"],
    };
    table(out, &header, rows, &[0, 2, 3]);
}
