//! The memo's 要旨: the year in plain words — what there is to allocate, where it went, what the
//! assessment cut, which limits bind, and the fiscal soundness ratios in one sentence.

use std::fmt::Write as _;

use super::w;
use crate::allocate::{Allocation, Lang};
use crate::constraint::ConstraintKind;
use crate::fiscal::{Check, CheckStatus, FiscalStatus, YearHealth};
use crate::money::Money;
use crate::report::text::lang_write;
use crate::report::text::{self, share};
use crate::review::Action;

pub(super) fn summary(a: &Allocation, health: Option<&YearHealth>, lang: Lang) -> String {
    let u = a.display_unit;
    let envelopes: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let (available, general, drawn) = (a.available.format(u), a.general_revenue.format(u), a.fund_drawdown.format(u));
    let mut s = match lang {
        Lang::Ja => format!("配分できる一般財源は**{available}**です（一般財源 {general}、基金取崩し {drawn}"),
        Lang::En => format!(
            "The general revenue to allocate is **{available}** (general revenue {general}, drawn from the fund {drawn}"
        ),
    };
    if !a.fund_deposit.is_zero() {
        let _ = write!(
            s,
            "{}{}",
            w(lang, "、基金への積立 ", ", less a deposit into the fund of "),
            a.fund_deposit.format(u)
        );
    }
    let (envelope_total, reserve, reserve_share) = (envelopes.format(u), a.reserve.format(u), share(a.reserve_share));
    let (requested, allocated) = (a.total_requested.format(u), a.total_allocated.format(u));
    let cut = (a.total_requested - a.total_allocated).format(u);
    let bureaus = a.envelopes.len();
    lang_write!(
        s,
        lang,
        [
            "）。このうち**{envelope_total}**を{bureaus}局・区の枠に、**{reserve}**（配分可能額の{reserve_share}）を市長調整枠に配分しました。事業費は要求{requested}に対して{allocated}で、査定により{cut}を減額しました。"
        ],
        [
            "). Of this, **{envelope_total}** goes to the envelopes of {bureaus} bureaus and **{reserve}** ({reserve_share} of the available) to the mayor's coordination reserve (市長調整枠). Program cost is {allocated} against requests of {requested}: the assessment cut {cut}."
        ]
    );
    let reviewed: Vec<_> =
        a.programs.iter().filter(|p| !matches!(p.action, Action::Expand | Action::Continue)).collect();
    if !reviewed.is_empty() {
        let freed = reviewed.iter().map(|p| p.requested - p.allocated).sum::<Money>().format(u);
        let count = reviewed.len();
        lang_write!(
            s,
            lang,
            ["このうち、見直しで縮小・統合・廃止・民間委託・改善・完了とした{count}事業による減額が{freed}です。"],
            [
                " Of that, {freed} comes from the {count} programs the review reduced, merged, abolished, outsourced, improved or completed."
            ]
        );
    }
    let binding: Vec<String> = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.kind != ConstraintKind::Balance)
        .map(|c| match lang {
            Lang::Ja => c.kind.label_ja(),
            Lang::En => c.kind.label(),
        })
        .collect();
    let _ = match (binding.is_empty(), lang) {
        (true, Lang::Ja) => write!(s, "一般財源の総額のほかに配分を縛っている限度はありません。"),
        (true, Lang::En) => write!(s, " No limit other than the total of general revenue binds the allocation."),
        (false, Lang::Ja) => write!(s, "配分を縛っている限度は、{}です。", binding.join("、")),
        (false, Lang::En) => write!(s, " The limits that bind the allocation: {}.", binding.join("; ")),
    };
    let (next, target) = (a.next_generation.format(u), a.next_generation_target.format(u));
    let (investment, cap) = (a.investment.format(u), a.investment_cap.format(u));
    lang_write!(
        s,
        lang,
        ["次世代投資枠は{next}（目標{target}）、投資的経費は{investment}（上限{cap}）です。"],
        [
            " The next-generation frame (次世代投資枠) is {next} (target {target}); investment is {investment} (cap {cap}). "
        ]
    );
    s.push_str(&health_sentence(health, lang));
    s
}

pub(super) fn health_sentence(health: Option<&YearHealth>, lang: Lang) -> String {
    let Some(h) = health.filter(|h| h.status != FiscalStatus::NotAssessed) else {
        return w(
            lang,
            "財政健全化指標は、シナリオに `[fiscal]` の入力がないため算定していません。",
            "The fiscal soundness ratios are not computed: the scenario has no `[fiscal]` inputs.",
        )
        .into();
    };
    let (debt, burden) = (text::ratio(h.real_debt_service_ratio), text::ratio(h.future_burden_ratio));
    let ratios = match lang {
        Lang::Ja => format!("実質公債費比率 {debt}、将来負担比率 {burden}"),
        Lang::En => format!("real debt-service ratio {debt}, future burden ratio {burden}"),
    };
    let over: Vec<&Check> = h.checks.iter().filter(|c| c.status != CheckStatus::Ok).collect();
    if over.is_empty() {
        return match lang {
            Lang::Ja => format!("財政健全化指標はいずれも基準内です（{ratios}）。"),
            Lang::En => format!("Every fiscal soundness ratio is within its thresholds ({ratios})."),
        };
    }
    let what: Vec<String> = over
        .iter()
        .map(|c| match lang {
            Lang::Ja => format!(
                "{} {}%（{} {}%）",
                c.indicator.label_ja(),
                c.value.percent(),
                c.kind.label_ja(),
                c.threshold.percent()
            ),
            Lang::En => format!(
                "{} {}% ({} threshold {}%)",
                c.indicator.label(),
                c.value.percent(),
                c.kind.label(),
                c.threshold.percent()
            ),
        })
        .collect();
    match lang {
        Lang::Ja => format!("財政健全化指標のうち、{}が基準に達しています（{ratios}）。", what.join("、")),
        Lang::En => format!("Fiscal soundness ratios at a threshold: {} ({ratios}).", what.join("; ")),
    }
}
