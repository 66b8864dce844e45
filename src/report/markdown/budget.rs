//! The memo's money tables: the bureau envelopes against their bounds, each bureau's 事業費
//! against the prior year, the totals by kind of expense (性質別) and by review action.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{action_label, delta, table, w};
use crate::allocate::{Allocation, Lang};
use crate::constraint::ConstraintKind;
use crate::money::Money;
use crate::report::text::lang_writeln;
use crate::report::text::{self, Sign, amount as n};
use crate::review::Action;

pub(super) fn envelopes(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let change = |now: Money, before: Money| text::change(now, before, 1, Sign::Triangle);
    let mut rows: Vec<Vec<String>> = a
        .envelopes
        .iter()
        .map(|e| {
            let binds = |floor: bool| {
                a.constraints.iter().any(|c| {
                    c.binding
                        && match &c.kind {
                            ConstraintKind::EnvelopeFloor { department, .. } => floor && *department == e.department,
                            ConstraintKind::EnvelopeCeiling { department, .. } => !floor && *department == e.department,
                            _ => false,
                        }
                })
            };
            let at = if binds(true) {
                w(lang, "下限", "floor")
            } else if binds(false) {
                w(lang, "上限", "ceiling")
            } else {
                ""
            };
            let mut row = vec![e.name.clone()];
            row.extend(text::envelope_figures(e, u, Sign::Triangle));
            row.push(at.to_string());
            row
        })
        .collect();
    let base: Money = a.envelopes.iter().map(|e| e.base).sum();
    let requested: Money = a.envelopes.iter().map(|e| e.requested).sum();
    let total: Money = a.envelopes.iter().map(|e| e.amount).sum();
    let bold = |s: String| if s.is_empty() { s } else { format!("**{s}**") };
    rows.push(vec![
        bold(w(lang, "局別枠合計", "Envelopes in total").into()),
        bold(n(base, u)),
        bold(n(requested, u)),
        String::new(),
        String::new(),
        bold(n(total, u)),
        bold(change(total, base)),
        String::new(),
    ]);
    let only = |label: &str, m: Money| {
        let mut r = vec![String::new(); 8];
        r[0] = bold(label.into());
        r[5] = bold(n(m, u));
        r
    };
    rows.push(only(w(lang, "市長調整枠", "Mayor's reserve"), a.reserve));
    rows.push(only(w(lang, "配分可能な一般財源", "General revenue available"), a.available));
    let header = match lang {
        Lang::Ja => ["局・区", "基準額", "要求額", "下限", "上限", "配分枠", "対基準", "限度"],
        Lang::En => ["Bureau", "Base", "Requested", "Floor", "Ceiling", "Envelope", "vs base", "At"],
    };
    table(out, &header, rows, &[0, 7]);
    let (total, reserve, available) = (total.format(u), a.reserve.format(u), a.available.format(u));
    lang_writeln!(
        out,
        lang,
        [
            "\n基準額は前年度の事業費に要した一般財源。局別枠合計 {total} + 市長調整枠 {reserve} = 配分可能な一般財源 {available}（円単位で一致）。"
        ],
        [
            "\nThe base is the general revenue the bureau's programs used in the prior year. Envelopes {total} + the mayor's reserve {reserve} = general revenue available {available} (to the yen)."
        ]
    );
}

/// Each bureau's 事業費 against its 前年度当初 (増減 and %), with the total.
pub(super) fn by_bureau(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let row = |label: String, prior: Money, requested: Money, now: Money| {
        vec![
            label,
            n(prior, u),
            n(requested, u),
            n(now, u),
            delta(now - prior, u),
            text::change(now, prior, 1, Sign::Triangle),
        ]
    };
    let mut rows: Vec<Vec<String>> =
        a.by_bureau.iter().map(|b| row(b.name.clone(), b.prior_cost, b.requested, b.allocated)).collect();
    let prior: Money = a.by_bureau.iter().map(|b| b.prior_cost).sum();
    rows.push(row(w(lang, "**合計**", "**Total**").into(), prior, a.total_requested, a.total_allocated));
    let header = match lang {
        Lang::Ja => ["局・区", "前年度当初", "要求額", "本年度", "増減", "増減率"],
        Lang::En => ["Bureau", "Prior-year budget", "Requested", "This year", "Change", "Change %"],
    };
    table(out, &header, rows, &[0]);
}

/// The programs' totals by kind of expense (性質別), with the total.
pub(super) fn by_kind(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let row = |label: String, count: usize, prior: Money, now: Money, general: Money| {
        vec![
            label,
            count.to_string(),
            n(prior, u),
            n(now, u),
            delta(now - prior, u),
            text::change(now, prior, 1, Sign::Triangle),
            n(general, u),
        ]
    };
    let mut rows: Vec<Vec<String>> = a
        .by_kind
        .iter()
        .map(|k| {
            let label = match (lang, k.nature) {
                (Lang::En, Some(nature)) => format!("{} ({})", k.label(), nature.id()),
                (Lang::En, None) => format!("{} (unclassified)", k.label()),
                (Lang::Ja, _) => k.label().into(),
            };
            row(label, k.programs, k.prior_cost, k.allocated, k.general_revenue)
        })
        .collect();
    let sum = |f: fn(&crate::allocate::KindTotal) -> Money| a.by_kind.iter().map(f).sum::<Money>();
    rows.push(row(
        w(lang, "**合計**", "**Total**").into(),
        a.programs.len(),
        sum(|k| k.prior_cost),
        a.total_allocated,
        sum(|k| k.general_revenue),
    ));
    let header = match lang {
        Lang::Ja => ["性質別", "事業数", "前年度当初", "本年度", "増減", "増減率", "うち一般財源"],
        Lang::En => ["Kind", "Programs", "Prior-year budget", "This year", "Change", "Change %", "General revenue"],
    };
    table(out, &header, rows, &[0]);
    let obligatory: Money =
        a.by_kind.iter().filter(|k| k.nature.is_some_and(|n| n.is_obligatory())).map(|k| k.allocated).sum();
    if !obligatory.is_zero() && !a.total_allocated.is_zero() {
        let share = obligatory.as_decimal() / a.total_allocated.as_decimal() * rust_decimal::Decimal::ONE_HUNDRED;
        let (amount, share) = (obligatory.format(u), share.round_dp(1));
        lang_writeln!(
            out,
            lang,
            ["\n義務的経費（人件費・扶助費・公債費）は {amount}（事業費の{share}%）。"],
            [
                "\nObligatory expenses (義務的経費: personnel, assistance, debt service) are {amount} ({share}% of program cost)."
            ]
        );
    }
}

pub(super) fn actions(out: &mut String, a: &Allocation, lang: Lang) {
    let u = a.display_unit;
    let mut by: BTreeMap<Action, (usize, Money, Money)> = BTreeMap::new();
    for p in &a.programs {
        let e = by.entry(p.action).or_insert((0, Money::ZERO, Money::ZERO));
        e.0 += 1;
        e.1 += p.requested;
        e.2 += p.allocated;
    }
    let mut rows: Vec<Vec<String>> = by
        .into_iter()
        .map(|(action, (count, req, alloc))| {
            vec![action_label(action, lang), count.to_string(), n(req, u), n(alloc, u), delta(alloc - req, u)]
        })
        .collect();
    rows.push(vec![
        w(lang, "**合計**", "**Total**").into(),
        format!("**{}**", a.programs.len()),
        format!("**{}**", n(a.total_requested, u)),
        format!("**{}**", n(a.total_allocated, u)),
        format!("**{}**", delta(a.total_allocated - a.total_requested, u)),
    ]);
    let header = match lang {
        Lang::Ja => ["方向性", "事業数", "要求額", "配分額", "増減"],
        Lang::En => ["Action", "Programs", "Requested", "Allocated", "Change"],
    };
    table(out, &header, rows, &[0]);
}
