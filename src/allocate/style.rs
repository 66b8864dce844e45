//! 配分方式 (`[policy] style`): how the envelopes are decided, as limits on the priority model.
//!
//! Every style is the same model ([`super::Model`]) with the bureaus' envelope limits (and, for
//! `ceiling`, the reserve's weight) set by a formula before it is built, so sources = uses, the
//! reserve bounds, the fiscal limits and the rounding to money hold exactly as under `priority`:
//!
//! * `priority`: the limits as the scenario states them.
//! * `ceiling` (一律シーリング): bureau d's envelope ceiling is
//!   E_d = Σ_k base_{d,k} × ratio_k over the kinds of expense k, where base_{d,k} is the general
//!   revenue of its programs of kind k at the prior-year budget (義務的経費 and 新規事業: at the
//!   request), each term rounded to the yen (ties to even). A ratio left out of `[policy.ceiling]`
//!   (義務的経費 defaults to 1.0) is the largest uniform ratio, in steps of 0.01%, at which the
//!   envelopes fit in the general revenue the bureaus can have. A yen of the reserve is worth
//!   0.001 under this style (the reserve is what the envelopes leave), so each envelope is filled
//!   by priority up to E_d or to what its programs can take.
//! * `balanced` (均衡配分): with T the general revenue the bureaus can have and B the bureaus'
//!   bases, the city-wide change is c = T ÷ B − 1; bureau d's envelope floor is
//!   base_d × (1 + c − band), or less where its programs at their review maxima (or its stated
//!   ceiling) cannot take that much. When the fixed costs of bureaus above the city-wide change
//!   leave too little for that, the level is lowered (water-filling) until the floors fit. Priority
//!   decides the rest.
//!
//! T = (general revenue + the drawdown the fund policy allows) × (1 − the reserve's minimum share),
//! at most what the bureaus' programs can take at their review maxima.

use rust_decimal::Decimal;
use serde::Serialize;

pub mod policy_script;

use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::review::Review;
use crate::scenario::{FundDraw, ProgramKind, Scenario, Style};
use crate::{Error, Result};
pub use policy_script::ScriptNote;

/// What a style set, for the report and `waku explain`.
#[derive(Debug, Clone, Serialize)]
pub struct StyleNote {
    pub style: Style,
    /// `ceiling`: the ratio of each kind of expense, as stated or as found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ratios: Vec<KindRatio>,
    /// `balanced`: the city-wide relative change the floors are set against (c).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city_change: Option<Decimal>,
    /// `balanced`: the floors as a ratio of each bureau's base (1 + c − band, or lower when it must be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Decimal>,
    /// `balanced`: how far below c a bureau may fall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Decimal>,
    /// General revenue the bureaus can have (T).
    pub to_bureaus: Money,
    /// Per bureau, in scenario order.
    pub bureaus: Vec<BureauTarget>,
    /// What the scenario's allocation policy script set (`[policy] script`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<ScriptNote>,
}

/// The ratio of one kind of expense under `ceiling`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KindRatio {
    pub kind: ProgramKind,
    pub ratio: Decimal,
    /// Stated in `[policy.ceiling]` (else the largest uniform ratio that fits).
    pub stated: bool,
}

/// One bureau under a style: what the formula gives, what the envelope limit became, and why not
/// the formula when it could not be.
#[derive(Debug, Clone, Serialize)]
pub struct BureauTarget {
    pub department: String,
    /// The formula's amount: E_d (`ceiling`) or base × (1 + c − band) (`balanced`).
    pub target: Money,
    /// The envelope limit set: the ceiling (`ceiling`) or the floor (`balanced`).
    pub limit: Money,
    /// What its programs can take at most (general revenue at their review maxima).
    pub absorbable: Money,
    /// What its programs need at least (mandatory at the request, the others at their review minima).
    pub needed: Money,
    /// Why the limit is not the formula's amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced: Option<Forced>,
}

/// Why a bureau's envelope limit is not its style's formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Forced {
    /// Its programs at their review maxima (mandatory at the request) cannot take the amount.
    ReviewMaxima,
    /// The bureau's own envelope ceiling is below it.
    StatedCeiling,
    /// Its mandatory costs and review minima need more than the amount.
    Needs,
    /// The bureaus' fixed costs leave too little for every bureau at the band: the level is lower.
    LevelLowered,
}

impl Forced {
    /// In English.
    pub fn words(self) -> &'static str {
        match self {
            Forced::ReviewMaxima => "its programs at their review maxima cannot take it",
            Forced::StatedCeiling => "the bureau's own envelope ceiling is lower",
            Forced::Needs => "its mandatory costs and review minima need more",
            Forced::LevelLowered => "the bureaus' fixed costs leave too little to hold every bureau within the band",
        }
    }

    /// In a budget office's Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            Forced::ReviewMaxima => "事業をすべて見直しの上限（義務的経費は要求額）まで配分しても届かない",
            Forced::StatedCeiling => "局の枠の上限が低い",
            Forced::Needs => "義務的経費と見直しの下限だけでこれを上回る",
            Forced::LevelLowered => "各局の義務的経費などの下限を満たすと、全局を同じ幅に収める財源が残らない",
        }
    }
}

/// Per bureau: base, the stated floor and ceiling, and what its programs need and can take.
pub(crate) struct Bureau {
    pub base: Money,
    pub floor: Money,
    pub ceiling: Money,
    pub needed: Money,
    pub absorbable: Money,
    /// General revenue by kind: mandatory and new at the request, the others at the prior year.
    pub by_kind: [Money; 4],
    /// General revenue by kind at the prior-year budget.
    pub prior_by_kind: [Money; 4],
}

fn kind_index(k: ProgramKind) -> usize {
    ProgramKind::ALL.iter().position(|&x| x == k).unwrap_or(0)
}

fn bureaus(sc: &Scenario, review: &Review) -> Vec<Bureau> {
    let mut out: Vec<Bureau> = sc
        .departments
        .iter()
        .map(|_| Bureau {
            base: Money::ZERO,
            floor: Money::ZERO,
            ceiling: Money::ZERO,
            needed: Money::ZERO,
            absorbable: Money::ZERO,
            by_kind: [Money::ZERO; 4],
            prior_by_kind: [Money::ZERO; 4],
        })
        .collect();
    for (p, r) in sc.programs.iter().zip(&review.programs) {
        let Some(d) = sc.departments.iter().position(|d| d.id == p.department) else { continue };
        let a = &r.assessment;
        let (lo, hi) = if p.kind == ProgramKind::Mandatory {
            (p.requested, p.requested)
        } else if p.all_or_nothing {
            let full_ok = a.min <= p.requested && p.requested <= a.max;
            (if a.min.is_zero() { Money::ZERO } else { p.requested }, if full_ok { p.requested } else { Money::ZERO })
        } else {
            (a.min, a.max)
        };
        let b = &mut out[d];
        b.base += p.general_revenue(p.prior_cost);
        b.needed += p.general_revenue(lo);
        b.absorbable += p.general_revenue(hi);
        let on = match p.kind {
            ProgramKind::Mandatory | ProgramKind::New => p.requested,
            ProgramKind::Discretionary | ProgramKind::Investment => p.prior_cost,
        };
        b.by_kind[kind_index(p.kind)] += p.general_revenue(on);
        b.prior_by_kind[kind_index(p.kind)] += p.general_revenue(p.prior_cost);
    }
    for (b, dept) in out.iter_mut().zip(&sc.departments) {
        b.floor = dept.floor.unwrap_or_else(|| b.base.mul_ratio(dept.floor_ratio));
        b.ceiling = dept.ceiling.unwrap_or_else(|| b.base.mul_ratio(dept.ceiling_ratio));
    }
    out
}

/// The general revenue the bureaus can have: (general revenue + the drawdown the fund policy
/// allows) × (1 − the reserve's minimum share), at most what their programs can take.
fn to_bureaus(sc: &Scenario, bureaus: &[Bureau]) -> Money {
    let headroom = (sc.fund.balance - sc.fund.floor).max(Money::ZERO);
    let drawdown = match sc.fund.draw {
        FundDraw::BeforeCuts => sc.fund.max_drawdown.min(headroom),
        FundDraw::LastResort | FundDraw::Never => sc.fund.held_drawdown.min(headroom),
    };
    let capacity = (sc.revenue.general_revenue + drawdown).mul_ratio(Decimal::ONE - sc.policy.reserve_min_share);
    let absorbable: Money = bureaus.iter().map(|b| b.absorbable.min(b.ceiling)).sum();
    capacity.min(absorbable)
}

/// The scenario with the envelope limits of its style, its cut limits and its policy script, and
/// what they set; `None` under `priority` without cut limits or a script (the scenario as it is).
/// A cut limit that cannot hold is [`Error::Infeasible`], naming it and the shortfall.
pub(crate) fn apply(sc: &Scenario, review: &Review) -> Result<Option<(Scenario, Option<StyleNote>)>> {
    let (scripted_sc, scripted) = match sc.policy.script.is_some() {
        true => {
            let bs = bureaus(sc, review);
            match policy_script::run(sc, &bs, to_bureaus(sc, &bs))? {
                Some((s, x)) => (Some(s), Some(x)),
                None => (None, None),
            }
        }
        false => (None, None),
    };
    let sc = scripted_sc.as_ref().unwrap_or(sc);
    let limited = cut_limits(sc, review)?;
    let base = limited.as_ref().unwrap_or(sc);
    let styled = match base.policy.style {
        Style::Priority => None,
        Style::Ceiling => Some(ceiling(base, review)),
        Style::Balanced => Some(balanced(base, review)),
    };
    let (out, note) = match styled {
        Some((s, n)) => (Some(s), Some(n)),
        None => (limited, None),
    };
    let Some(mut scripted) = scripted else { return Ok(out.map(|s| (s, note))) };
    let bs = bureaus(sc, review);
    let mut out = out.unwrap_or_else(|| sc.clone());
    policy_script::set_envelopes(&mut out, &mut scripted, &bs, most(sc))?;
    let mut note = note.unwrap_or_else(|| StyleNote {
        style: sc.policy.style,
        ratios: Vec::new(),
        city_change: None,
        level: None,
        band: None,
        to_bureaus: to_bureaus(sc, &bs),
        bureaus: Vec::new(),
        script: None,
    });
    note.script = Some(scripted.note);
    Ok(Some((out, Some(note))))
}

/// Limits that cannot hold, each a sentence with its shortfall: the first is the error, the others notes.
fn all_short(short: Vec<String>, hint: &str) -> Error {
    let total = short.len();
    let mut lines = short.into_iter();
    let mut d = Diagnostic::error(lines.next().unwrap_or_default());
    for more in lines.by_ref().take(SHOWN_SHORT - 1) {
        d = d.note(more);
    }
    if total > SHOWN_SHORT {
        d = d.note(format!("ほか {} 件も同じ理由で守れません（最初の {SHOWN_SHORT} 件を表示）", total - SHOWN_SHORT));
    }
    Error::Infeasible(Box::new(d.hint(hint)))
}

/// At most this many of the limits that cannot hold are named one by one (a limit by kind can
/// break on hundreds of programs; the rest are counted).
const SHOWN_SHORT: usize = 10;

/// Floors that together need more than the bureaus can have ([`most`]): `need` says whose and how
/// much (「…に計 X」), `keep` what the shortfall is for.
pub(crate) fn beyond_most(need: String, short: Money, sc: &Scenario, keep: &str, hint: &str) -> Error {
    let u = sc.display_unit;
    Error::Infeasible(Box::new(
        Diagnostic::error(format!(
            "{need}が必要ですが、配分できる一般財源は {}（一般財源 + 基金の取崩し上限、市長調整枠の下限を除く）です。{keep}あと {} 不足",
            most(sc).format(u),
            short.format(u)
        ))
        .hint(hint),
    ))
}

/// The most the bureaus' envelopes can hold together: (general revenue + the fund's drawdown
/// limit, unless the fund is never drawn) × (1 − the reserve's minimum share).
fn most(sc: &Scenario) -> Money {
    let headroom = (sc.fund.balance - sc.fund.floor).max(Money::ZERO);
    let drawdown = if sc.fund.draw == FundDraw::Never { Money::ZERO } else { sc.fund.max_drawdown.min(headroom) };
    (sc.revenue.general_revenue + drawdown).mul_ratio(Decimal::ONE - sc.policy.reserve_min_share)
}

/// 削減上限 (`max_cut_share`, the policy's or a bureau's own): each bureau's envelope floor is at
/// least base × (1 − share), the base being the prior-year budget's general revenue of its
/// programs. It cannot hold when the bureau's programs at their review maxima take less, or when
/// the bureaus' floors together need more than the year can give them.
fn cut_limits(sc: &Scenario, review: &Review) -> Result<Option<Scenario>> {
    if sc.departments.iter().all(|d| d.max_cut_share.is_none()) {
        return Ok(None);
    }
    let u = sc.display_unit;
    let bs = bureaus(sc, review);
    let mut styled = sc.clone();
    let mut short = Vec::new();
    let mut least_total = Money::ZERO;
    for ((b, dept), own) in bs.iter().zip(&sc.departments).zip(styled.departments.iter_mut()) {
        let Some(share) = dept.max_cut_share else {
            least_total += b.needed.max(b.floor);
            continue;
        };
        let least = b.base.mul_ratio(Decimal::ONE - share);
        let can = b.absorbable.min(b.ceiling);
        if least > can {
            short.push(format!(
                "削減上限（`max_cut_share` {}、前年度当初の一般財源に対して）: {}の枠は {} 以上が必要ですが、事業をすべて見直しの上限まで配分しても {} です。削減上限を守るには あと {} 不足",
                crate::number::share_as_written(share),
                dept.name,
                least.format(u),
                can.format(u),
                (least - can).format(u)
            ));
        }
        own.floor = Some(b.floor.max(least));
        least_total += least.max(b.needed).max(b.floor);
    }
    if !short.is_empty() {
        return Err(all_short(
            short,
            "raise `max_cut_share` (the policy's or the bureau's), or let the review allow the bureau's programs more",
        ));
    }
    let most = most(sc);
    if least_total > most {
        return Err(beyond_most(
            format!(
                "削減上限（`max_cut_share`、前年度当初の一般財源に対して）: 各局の枠に計 {} 以上",
                least_total.format(u)
            ),
            least_total - most,
            sc,
            "削減上限を守るには ",
            "raise `max_cut_share`, or find the general revenue (revenue, the fund, the reserve's minimum)",
        ));
    }
    Ok(Some(styled))
}

/// 削減上限 of programs (`[policy.max_cut_share_by_kind]`, a program's own `max_cut_share`): a
/// program of prior-year budget P with share s is allocated at least P × (1 − s) — relative to the
/// prior year's budget, not the request (mandatory programs stay at the request; a program with no
/// prior year has no such limit). The review with the raised minimums, or `None` without such
/// limits. It cannot hold when the review allows the program less, or when the minimums need
/// more general revenue than the bureaus can have ([`Error::Infeasible`], naming the limit and the shortfall).
pub(crate) fn program_cut_limits(sc: &Scenario, review: &Review) -> Result<Option<Review>> {
    let by_kind = &sc.policy.max_cut_share_by_kind;
    if by_kind.is_empty() && sc.programs.iter().all(|p| p.max_cut_share.is_none()) {
        return Ok(None);
    }
    let u = sc.display_unit;
    let mut limited = review.clone();
    let mut short = Vec::new();
    for (p, r) in sc.programs.iter().zip(limited.programs.iter_mut()) {
        let (share, which) = match (p.max_cut_share, by_kind.of(p.kind)) {
            (Some(s), _) => (s, format!("`programs.{}.max_cut_share`", p.id)),
            (None, Some(s)) => (s, format!("`max_cut_share_by_kind.{}`", p.kind.id())),
            (None, None) => continue,
        };
        if p.kind == ProgramKind::Mandatory || p.prior_cost.is_zero() {
            continue;
        }
        let a = &mut r.assessment;
        let least = p.prior_cost.mul_ratio(Decimal::ONE - share);
        // An all-or-nothing program above nothing is funded in full.
        let lo = if p.all_or_nothing && !least.is_zero() { p.requested } else { least };
        if lo > a.max {
            short.push(format!(
                "削減上限（{which} {}、前年度当初予算に対して）: {} {} は {} 以上が必要ですが、見直しの上限は {} です。あと {} 不足",
                crate::number::share_as_written(share),
                p.id,
                p.name,
                lo.format(u),
                a.max.format(u),
                (lo - a.max).format(u)
            ));
            continue;
        }
        a.min = a.min.max(lo);
    }
    if !short.is_empty() {
        return Err(all_short(
            short,
            "raise the program's `max_cut_share` (or the policy's by kind), or let the review allow it more",
        ));
    }
    let needed: Money = bureaus(sc, &limited).iter().map(|b| b.needed.max(b.floor)).sum();
    let most = most(sc);
    if needed > most {
        return Err(beyond_most(
            format!(
                "削減上限（事業の `max_cut_share`、前年度当初予算に対して）: 事業の下限と義務的経費に計 {} の一般財源",
                needed.format(u)
            ),
            needed - most,
            sc,
            "削減上限を守るには ",
            "raise `max_cut_share_by_kind` or the programs' `max_cut_share`, or find the general revenue",
        ));
    }
    Ok(Some(limited))
}

/// `ceiling`: E_d = Σ_k base_{d,k} × ratio_k; see the module docs.
fn ceiling(sc: &Scenario, review: &Review) -> (Scenario, StyleNote) {
    let bs = bureaus(sc, review);
    let total = to_bureaus(sc, &bs);
    let stated = |k: ProgramKind| match k {
        ProgramKind::Mandatory => Some(sc.policy.ceiling.mandatory.unwrap_or(Decimal::ONE)),
        k => sc.policy.ceiling.of(k),
    };
    let ratios_at = |uniform: Decimal| -> [Decimal; 4] { ProgramKind::ALL.map(|k| stated(k).unwrap_or(uniform)) };
    let formula = |b: &Bureau, r: &[Decimal; 4]| -> Money { (0..4).map(|k| b.by_kind[k].mul_ratio(r[k])).sum() };
    // What the envelopes come to at a uniform ratio of k/10,000: each is its formula, at least what
    // its programs need, at most its stated ceiling and what its programs can take.
    let spent = |k: i64| -> Money {
        let r = ratios_at(Decimal::new(k, 4));
        bs.iter().map(|b| formula(b, &r).max(b.needed).min(b.ceiling).min(b.absorbable)).sum()
    };
    let free = ProgramKind::ALL.iter().any(|&k| stated(k).is_none());
    let uniform = if free {
        const TOP: i64 = 100_000; // 1,000%
        let k = if spent(TOP) <= total {
            // Everything fits: the least ratio at which every envelope is as large as it can be.
            let full = spent(TOP);
            let (mut lo, mut hi) = (0, TOP);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if spent(mid) >= full { hi = mid } else { lo = mid + 1 }
            }
            lo
        } else {
            let (mut lo, mut hi) = (0, TOP);
            while lo < hi {
                let mid = (lo + hi + 1) / 2;
                if spent(mid) <= total { lo = mid } else { hi = mid - 1 }
            }
            lo
        };
        Decimal::new(k, 4)
    } else {
        Decimal::ONE
    };
    let r = ratios_at(uniform);
    let mut styled = sc.clone();
    let mut targets = Vec::with_capacity(bs.len());
    for ((b, dept), own) in bs.iter().zip(&sc.departments).zip(styled.departments.iter_mut()) {
        let target = formula(b, &r);
        let limit = target.max(b.needed).min(b.ceiling);
        let forced = if b.needed > target {
            Some(Forced::Needs)
        } else if b.ceiling < target {
            Some(Forced::StatedCeiling)
        } else if b.absorbable < target {
            Some(Forced::ReviewMaxima)
        } else {
            None
        };
        own.ceiling = Some(limit);
        targets.push(BureauTarget {
            department: dept.id.clone(),
            target,
            limit,
            absorbable: b.absorbable,
            needed: b.needed,
            forced,
        });
    }
    // The reserve is what the envelopes leave: a yen of it is worth next to nothing here (one step
    // of the priority scale, so it is still preferred to a deposit into the fund).
    styled.policy.reserve_weight = Decimal::new(1, 3);
    let ratios = ProgramKind::ALL
        .iter()
        .enumerate()
        .map(|(i, &kind)| KindRatio { kind, ratio: r[i], stated: stated(kind).is_some() })
        .collect();
    let note = StyleNote {
        style: Style::Ceiling,
        ratios,
        city_change: None,
        level: None,
        band: None,
        to_bureaus: total,
        bureaus: targets,
        script: None,
    };
    (styled, note)
}

/// `balanced`: floors at base × (1 + c − band); see the module docs.
fn balanced(sc: &Scenario, review: &Review) -> (Scenario, StyleNote) {
    let bs = bureaus(sc, review);
    let total = to_bureaus(sc, &bs);
    let base: Money = bs.iter().map(|b| b.base).sum();
    let band = sc.policy.balanced_band;
    let city_change =
        if base.is_zero() { Decimal::ZERO } else { total.as_decimal() / base.as_decimal() - Decimal::ONE };
    let wanted = (Decimal::ONE + city_change - band).max(Decimal::ZERO);
    let floor_at = |b: &Bureau, level: Decimal| b.base.mul_ratio(level).min(b.absorbable).min(b.ceiling).max(b.floor);
    let needs = |level: Decimal| -> Money { bs.iter().map(|b| floor_at(b, level).max(b.needed)).sum() };
    let level = if needs(wanted) <= total {
        wanted
    } else {
        // Water-filling: the highest level at which every floor and every bureau's needs fit.
        let (mut lo, mut hi) = (Decimal::ZERO, wanted);
        for _ in 0..48 {
            let mid = ((lo + hi) / Decimal::TWO).round_dp(12);
            if needs(mid) <= total { lo = mid } else { hi = mid }
        }
        lo.round_dp(6)
    };
    let mut styled = sc.clone();
    let mut targets = Vec::with_capacity(bs.len());
    for ((b, dept), own) in bs.iter().zip(&sc.departments).zip(styled.departments.iter_mut()) {
        let target = b.base.mul_ratio(wanted);
        let limit = floor_at(b, level);
        let forced = if limit >= target || b.needed >= target {
            None
        } else if b.absorbable < target && b.absorbable <= b.ceiling {
            Some(Forced::ReviewMaxima)
        } else if b.ceiling < target {
            Some(Forced::StatedCeiling)
        } else {
            Some(Forced::LevelLowered)
        };
        own.floor = Some(limit);
        targets.push(BureauTarget {
            department: dept.id.clone(),
            target,
            limit,
            absorbable: b.absorbable,
            needed: b.needed,
            forced,
        });
    }
    let note = StyleNote {
        style: Style::Balanced,
        ratios: Vec::new(),
        city_change: Some(city_change.round_dp(6)),
        level: Some(level.round_dp(6)),
        band: Some(band),
        to_bureaus: total,
        bureaus: targets,
        script: None,
    };
    (styled, note)
}

/// A relative change as a budget office writes it: `▲2.95%`, `+1.2%`.
fn signed_percent(d: Decimal) -> String {
    let p = crate::number::percent(d);
    if p < Decimal::ZERO { format!("▲{}%", -p) } else { format!("+{p}%") }
}

impl StyleNote {
    /// The formula in words, one line (Japanese).
    pub fn formula_ja(&self) -> String {
        let style = self.style_ja();
        match &self.script {
            Some(n) => format!("{style}。{}", policy_script::line_ja(n, crate::money::Unit::Oku)),
            None => style,
        }
    }

    fn style_ja(&self) -> String {
        match self.style {
            Style::Priority => "配分方式 優先度配分（優先度で重み付けた事業費の合計を最大化）".into(),
            Style::Ceiling => {
                let parts: Vec<String> = self
                    .ratios
                    .iter()
                    .map(|r| {
                        let how = if r.stated { "" } else { "（一律、収まる最大の率）" };
                        format!("{} {}{how}", r.kind.label(), crate::number::share(r.ratio))
                    })
                    .collect();
                format!(
                    "配分方式 一律シーリング: 局の枠 = Σ 経費区分別の基準額 × シーリング率（{}）。基準額は前年度の一般財源、義務的経費と新規事業は要求額の一般財源",
                    parts.join("、")
                )
            }
            Style::Balanced => format!(
                "配分方式 均衡配分: 全市の増減率 {}（各局が受けられる一般財源 {} ÷ 基準額の合計 − 1）、各局の枠の下限は基準額 × {}（全市の増減率 − {}pt）",
                signed_percent(self.city_change.unwrap_or_default()),
                self.to_bureaus.format(crate::money::Unit::Oku),
                crate::number::share(self.level.unwrap_or_default()),
                crate::number::percent(self.band.unwrap_or_default()),
            ),
        }
    }

    /// Bureau `department`'s formula amount and limit: the policy script's envelope, else the style's.
    pub fn target(&self, department: &str) -> Option<&BureauTarget> {
        let scripted = self.script.iter().flat_map(|s| &s.envelopes).find(|b| b.department == department);
        scripted.or_else(|| self.bureaus.iter().find(|b| b.department == department))
    }

    /// What the style did to bureau `department`, in Japanese, for `waku explain`.
    pub fn bureau_ja(&self, department: &str, unit: crate::money::Unit) -> Option<String> {
        let scripted = self.script.iter().flat_map(|s| &s.envelopes).find(|b| b.department == department);
        let b = self.target(department)?;
        let which = match (scripted.is_some(), self.style) {
            (true, _) => "額（配分方針スクリプト）",
            (false, Style::Ceiling) => "上限",
            (false, _) => "下限",
        };
        let mut s = format!(
            "{}。この局の式の額 {}、枠の{which} {}。",
            self.formula_ja(),
            b.target.format(unit),
            b.limit.format(unit)
        );
        if let Some(f) = b.forced {
            let _ = std::fmt::Write::write_fmt(
                &mut s,
                format_args!(
                    "式の額にできない理由: {}（事業の上限で {}、必要な下限 {}）。",
                    f.label_ja(),
                    b.absorbable.format(unit),
                    b.needed.format(unit)
                ),
            );
        }
        Some(s)
    }

    /// Every bureau the style could not hold to its formula, in Japanese (`waku explain style`).
    pub fn summary_ja(&self, names: &[(String, String)], unit: crate::money::Unit) -> String {
        let mut s = format!("{}。\n", self.formula_ja());
        let scripted = self.script.iter().flat_map(|s| &s.envelopes);
        let forced: Vec<&BureauTarget> = scripted.chain(&self.bureaus).filter(|b| b.forced.is_some()).collect();
        if forced.is_empty() {
            s.push_str("  すべての局が式どおりです。\n");
        }
        for b in forced {
            let name = names.iter().find(|(id, _)| *id == b.department).map_or(b.department.as_str(), |(_, n)| n);
            let _ = std::fmt::Write::write_fmt(
                &mut s,
                format_args!(
                    "  {name}（{}）: 式の額 {} に対し枠 {}。{}（事業の上限で {}、必要な下限 {}）。\n",
                    b.department,
                    b.target.format(unit),
                    b.limit.format(unit),
                    b.forced.map_or("", Forced::label_ja),
                    b.absorbable.format(unit),
                    b.needed.format(unit)
                ),
            );
        }
        s
    }
}
