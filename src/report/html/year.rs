//! One year of the report: envelopes by bureau, the request → allocation waterfall by review
//! action, the binding limits in words, and the year's rows of the program table.

use std::collections::HashMap;

use super::charts::{self, HRow, VBar};
use super::view::{
    Binding, Chart, CostRow, EnvelopeRow, ProgramRow, YearSection, change, f, label_width, n, nice_floor, period,
    share, signed, yen,
};
use crate::Result;
use crate::allocate::{Allocation, ConstraintKind};
use crate::money::Money;
use crate::review::Action;

/// One year: its envelope chart and table, the request → allocation waterfall, the binding limits.
pub(super) fn section(a: &Allocation) -> Result<YearSection> {
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
        .filter(|c| c.binding && c.kind != ConstraintKind::Balance)
        .map(|c| Binding {
            ja: c.kind.label_ja(),
            name: c.name.clone(),
            limit: n(c.limit, u),
            value: n(c.value, u),
            words: c.price_words_ja(u),
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
        marginal_value: a
            .constraint(|k| *k == ConstraintKind::Balance)
            .map_or_else(String::new, |c| c.price_words_ja(u)),
        binding,
        by_bureau: by_bureau(a),
        by_kind: by_kind(a),
        proposals: a
            .proposals
            .iter()
            .map(|p| super::view::ProposalRow {
                id: p.id.clone(),
                title: p.title.clone(),
                bureau: p.department_name.clone(),
                cost: n(p.cost, u),
                score: p.score.normalize().to_string(),
                funded: p.funded,
                amount: n(p.amount, u),
                yen: yen(p.amount),
                reason: p.reason.clone(),
            })
            .collect(),
        proposal_summary: crate::report::proposals::summary(a, false).unwrap_or_default(),
    })
}

/// A [`CostRow`]: `now` against `prior`, in the display unit.
fn cost_row(a: &Allocation, label: String, programs: Option<usize>, figures: [Money; 4], total: bool) -> CostRow {
    let u = a.display_unit;
    let [prior, requested, now, general] = figures;
    CostRow {
        label,
        programs: programs.map_or_else(String::new, |c| c.to_string()),
        prior: n(prior, u),
        requested: n(requested, u),
        now: n(now, u),
        change: crate::report::text::signed(now - prior, u, crate::report::text::Sign::Triangle),
        percent: crate::report::text::change(now, prior, 1, crate::report::text::Sign::Triangle),
        general: n(general, u),
        yen: yen(now),
        total,
    }
}

/// Each bureau's 事業費 against its 前年度当初, then the total.
fn by_bureau(a: &Allocation) -> Vec<CostRow> {
    let general = |d: &str| a.programs.iter().filter(|p| p.department == d).map(|p| p.general_revenue).sum();
    let mut rows: Vec<CostRow> = a
        .by_bureau
        .iter()
        .map(|b| {
            let figures = [b.prior_cost, b.requested, b.allocated, general(&b.department)];
            cost_row(a, b.name.clone(), None, figures, false)
        })
        .collect();
    let prior = a.by_bureau.iter().map(|b| b.prior_cost).sum();
    let general = a.programs.iter().map(|p| p.general_revenue).sum();
    let figures = [prior, a.total_requested, a.total_allocated, general];
    rows.push(cost_row(a, "合計".into(), None, figures, true));
    rows
}

/// The programs' totals by kind of expense, then the total.
fn by_kind(a: &Allocation) -> Vec<CostRow> {
    let mut rows: Vec<CostRow> = a
        .by_kind
        .iter()
        .map(|k| {
            let figures = [k.prior_cost, k.requested, k.allocated, k.general_revenue];
            cost_row(a, k.label().into(), Some(k.programs), figures, false)
        })
        .collect();
    let sum = |f: fn(&crate::allocate::KindTotal) -> Money| a.by_kind.iter().map(f).sum::<Money>();
    let figures = [sum(|k| k.prior_cost), a.total_requested, a.total_allocated, sum(|k| k.general_revenue)];
    rows.push(cost_row(a, "合計".into(), Some(a.programs.len()), figures, true));
    rows
}

/// The year's programs for the table, with the review's reason where there is one.
pub(super) fn program_rows(
    a: &Allocation,
    reviews: Option<&HashMap<&str, &crate::review::ProgramReview>>,
) -> Vec<ProgramRow> {
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
                    .map(|f| &*f.reason)
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
                held: match &p.allocation_reason {
                    Some(reason) => format!("{}：{reason}", p.held_by.label_ja()),
                    None => format!("{} {}", p.held_by.label_ja(), p.held_by.words()),
                },
            }
        })
        .collect()
}
