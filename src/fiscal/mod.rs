//! Fiscal health: the soundness ratios and balances of each year of an allocation, their status
//! against the statutory thresholds and the city's own limits, and multi-year plans optimised
//! along the whole path ([`plan`]).
//!
//! # The indicators and how they are simplified
//!
//! Every ratio divides by the same denominator as the Act on Assurance of Sound Financial Status of
//! Local Governments: 標準財政規模 − 元利償還金等に係る基準財政需要額算入額 (`[fiscal]` inputs, fixed per
//! year). What a city's own data cannot give from the allocation is an input of the year:
//!
//! | indicator | computed as | simplification |
//! |---|---|---|
//! | 実質公債費比率 (single year) | (redemption + interest + other debt service + 準元利償還金 − 特定財源 − 算入額) ÷ denominator | interest = `interest` on the debt outstanding before the plan + `new_issue_rate` × issuance: half a year in the year of issue, a full year in later plan years; 算入額 is an input, not re-derived from new issuance |
//! | 実質公債費比率 (the statutory figure) | mean of the single-year ratios of this year and the two before | earlier years from `real_debt_service_history`, or from the plan's own earlier years; with less history, the mean of what there is |
//! | 将来負担比率 | (bond balance at year end + other future burden − (fund at year end + other usable funds + 充当可能特定歳入 + 算入見込額)) ÷ denominator, at least 0 | only the `[bonds]` balance and the `[fund]` balance move with the allocation; the rest are inputs |
//! | 経常収支比率 | (general revenue of mandatory and discretionary programs + ordinary expenditure outside the inventory) ÷ ordinary general revenue | investment and new programs count as 臨時的経費; a program is wholly ordinary or wholly not |
//! | bond balance, fund balance | the allocation's year-end balances | `[bonds]` excludes 臨時財政対策債 |
//! | fiscal gap (収支ギャップ) | general revenue the requests need − general revenue forecast, at least 0 | before the review's cuts and any fund drawdown |
//!
//! # Constraints or checks
//!
//! With those simplifications the real debt-service ratio (3-year mean) and the future burden
//! ratio are linear in the decisions (issuance and the fund's drawdown), so their limits are rows
//! of the optimisation ([`plan`]): the early-soundness threshold (25%, held at
//! [`HARD_LIMIT_MARGIN`] below it), the future burden threshold (400%, *unverified*) and the city's
//! own limits. The 18% bond-permission level is a warning, never a limit: a city may choose to
//! borrow with permission. The ordinary balance ratio is checked after solving (its numerator is
//! linear too, but the single-year model carries no row for it yet); a city target it exceeds is a
//! violation (exit 1).

pub mod plan;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::allocate::Allocation;
use crate::money::Money;
use crate::scenario::{ProgramKind, Scenario};

pub use plan::{
    OwnYear, PathCheck, Plan, PlanOutcome, PlanYear, YearAllocator, load_plan, load_plan_str, review_plan, run_plan,
    run_plan_by, run_plan_reviewed, run_single, run_single_or, single_outcome,
};

/// 実質公債費比率 at which issuing bonds needs permission (起債許可団体).
pub const DEBT_SERVICE_PERMISSION: Decimal = Decimal::from_parts(18, 0, 0, false, 2);
/// 実質公債費比率: early-soundness threshold (早期健全化基準), designated city.
pub const DEBT_SERVICE_EARLY: Decimal = Decimal::from_parts(25, 0, 0, false, 2);
/// 実質公債費比率: rehabilitation threshold (財政再生基準).
pub const DEBT_SERVICE_REHABILITATION: Decimal = Decimal::from_parts(35, 0, 0, false, 2);
/// 将来負担比率: early-soundness threshold for a designated city. *Unverified* (general knowledge;
/// 350% for ordinary municipalities is sourced): labelled so wherever it is printed.
pub const FUTURE_BURDEN_EARLY: Decimal = Decimal::from_parts(4, 0, 0, false, 0);
/// 経常収支比率 has no statutory threshold; reports draw this benchmark instead when the city sets
/// no target: the designated-city (政令市) average, about 97% in FY2019 (総務省 地方財政状況調査;
/// the figure repository's fiscal facts). Kitakyushu ran 95.6–99.8% in FY2009–16.
pub const ORDINARY_BALANCE_BENCHMARK: Decimal = Decimal::from_parts(97, 0, 0, false, 2);
/// The year of [`ORDINARY_BALANCE_BENCHMARK`].
pub const ORDINARY_BALANCE_BENCHMARK_YEAR: i32 = 2019;
/// Statutory thresholds are "at or above" lines and ratios are published to 0.1%: the optimiser
/// holds a ratio at least this far (0.1 percentage point) below the line.
pub const HARD_LIMIT_MARGIN: Decimal = Decimal::from_parts(1, 0, 0, false, 3);

/// The health of one year: balances, ratios, and their status.
#[derive(Debug, Clone, Serialize)]
pub struct YearHealth {
    pub year: i32,
    /// 市債 balance at year end (excluding 臨時財政対策債).
    pub bond_balance: Money,
    /// 財源調整用基金 balance at year end.
    pub fund_balance: Money,
    /// 収支ギャップ before measures.
    pub fiscal_gap: Money,
    /// 実質公債費比率, 3-year mean, percent (decimal string, truncated to 0.1).
    pub real_debt_service_ratio: Option<Ratio>,
    /// This year's single-year ratio.
    pub real_debt_service_ratio_single_year: Option<Ratio>,
    pub future_burden_ratio: Option<Ratio>,
    pub ordinary_balance_ratio: Option<Ratio>,
    /// The worst of the checks (`sound` … `rehabilitation`; `not_assessed` without `[fiscal]`).
    pub status: FiscalStatus,
    pub checks: Vec<Check>,
}

/// A ratio as a share; serialised as a percent decimal string truncated to one decimal ("11.8").
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Ratio(pub Decimal);

impl Ratio {
    /// Percent, truncated to 0.1 (a printed value is never above the exact one).
    pub fn percent(self) -> String {
        let p = (self.0 * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, rust_decimal::RoundingStrategy::ToZero);
        format!("{p:.1}")
    }
}

impl Serialize for Ratio {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.percent())
    }
}

/// A year's fiscal soundness: the worst of its checks. Serialised as its [`FiscalStatus::id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FiscalStatus {
    /// Every ratio within its thresholds and the city's limits.
    Sound,
    /// 実質公債費比率 18% or more: issuing bonds needs permission (起債許可団体).
    BondPermissionRequired,
    /// Over one of the city's own limits.
    OverCityLimit,
    /// At or above an early-soundness threshold (早期健全化基準).
    EarlySoundness,
    /// At or above the rehabilitation threshold (財政再生基準).
    Rehabilitation,
    /// No `[fiscal]` inputs: the ratios are not assessed.
    NotAssessed,
}

impl FiscalStatus {
    /// The machine name (JSON): `sound`, `bond_permission_required`, …
    pub fn id(self) -> &'static str {
        match self {
            FiscalStatus::Sound => "sound",
            FiscalStatus::BondPermissionRequired => "bond_permission_required",
            FiscalStatus::OverCityLimit => "over_city_limit",
            FiscalStatus::EarlySoundness => "early_soundness",
            FiscalStatus::Rehabilitation => "rehabilitation",
            FiscalStatus::NotAssessed => "not_assessed",
        }
    }

    /// In English: "bond permission required".
    pub fn label(self) -> String {
        self.id().replace('_', " ")
    }

    /// In Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            FiscalStatus::Sound => "健全",
            FiscalStatus::BondPermissionRequired => "起債許可団体",
            FiscalStatus::OverCityLimit => "市の上限を超過",
            FiscalStatus::EarlySoundness => "早期健全化基準以上",
            FiscalStatus::Rehabilitation => "財政再生基準以上",
            FiscalStatus::NotAssessed => "未算定（[fiscal] の入力なし）",
        }
    }
}

/// The soundness ratios a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RatioIndicator {
    /// 実質公債費比率 (3-year mean).
    #[serde(rename = "real_debt_service_ratio")]
    RealDebtService,
    /// 将来負担比率.
    #[serde(rename = "future_burden_ratio")]
    FutureBurden,
    /// 経常収支比率.
    #[serde(rename = "ordinary_balance_ratio")]
    OrdinaryBalance,
}

impl RatioIndicator {
    pub const ALL: [RatioIndicator; 3] =
        [RatioIndicator::RealDebtService, RatioIndicator::FutureBurden, RatioIndicator::OrdinaryBalance];

    /// The machine name (JSON): `real_debt_service_ratio`, …
    pub fn id(self) -> &'static str {
        match self {
            RatioIndicator::RealDebtService => "real_debt_service_ratio",
            RatioIndicator::FutureBurden => "future_burden_ratio",
            RatioIndicator::OrdinaryBalance => "ordinary_balance_ratio",
        }
    }

    /// In English: "real debt service ratio".
    pub fn label(self) -> String {
        self.id().replace('_', " ")
    }

    /// In Japanese: 実質公債費比率, 将来負担比率, 経常収支比率.
    pub fn label_ja(self) -> &'static str {
        match self {
            RatioIndicator::RealDebtService => "実質公債費比率",
            RatioIndicator::FutureBurden => "将来負担比率",
            RatioIndicator::OrdinaryBalance => "経常収支比率",
        }
    }
}

/// The kind of threshold or limit a ratio is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdKind {
    /// 起債許可団体: 18% of 実質公債費比率 (a warning, never a limit).
    BondPermission,
    /// 早期健全化基準.
    EarlySoundness,
    /// 財政再生基準.
    Rehabilitation,
    /// The city's own limit.
    CityLimit,
}

impl ThresholdKind {
    /// The machine name (JSON): `bond_permission`, …
    pub fn id(self) -> &'static str {
        match self {
            ThresholdKind::BondPermission => "bond_permission",
            ThresholdKind::EarlySoundness => "early_soundness",
            ThresholdKind::Rehabilitation => "rehabilitation",
            ThresholdKind::CityLimit => "city_limit",
        }
    }

    /// In English: "early soundness".
    pub fn label(self) -> String {
        self.id().replace('_', " ")
    }

    /// In Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            ThresholdKind::BondPermission => "起債許可団体の基準",
            ThresholdKind::EarlySoundness => "早期健全化基準",
            ThresholdKind::Rehabilitation => "財政再生基準",
            ThresholdKind::CityLimit => "市の上限",
        }
    }
}

/// Where a value stands against one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    /// At or above a warning level (bond permission).
    Warning,
    /// At or above a threshold or over a limit.
    Violated,
}

impl CheckStatus {
    /// In Japanese: 基準内, 注意, 超過.
    pub fn label_ja(self) -> &'static str {
        match self {
            CheckStatus::Ok => "基準内",
            CheckStatus::Warning => "注意",
            CheckStatus::Violated => "超過",
        }
    }
}

/// One indicator against one threshold or limit.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub indicator: RatioIndicator,
    pub value: Ratio,
    pub threshold: Ratio,
    pub kind: ThresholdKind,
    /// Whether the optimiser holds it as a constraint (else it is checked after solving).
    pub constraint: bool,
    pub status: CheckStatus,
    /// In words, e.g. "起債許可団体: bonds need permission" or "threshold unverified".
    pub note: String,
}

impl Check {
    /// What the threshold means, in a budget office's Japanese (the English is [`Check::note`]).
    pub fn note_ja(&self) -> &'static str {
        match (self.kind, self.indicator) {
            (ThresholdKind::Rehabilitation, _) => "財政再生基準: 財政再生計画の策定が必要、地方債の発行が制限される",
            (ThresholdKind::EarlySoundness, RatioIndicator::FutureBurden) => "早期健全化基準（政令市 400%）: 未検証",
            (ThresholdKind::EarlySoundness, _) => "早期健全化基準: 財政健全化計画の策定と外部監査が必要",
            (ThresholdKind::BondPermission, _) => "起債許可団体: 18%以上で地方債の発行に許可が必要",
            (ThresholdKind::CityLimit, _) => "市が定める上限",
        }
    }

    /// The threshold is not sourced (将来負担比率 400% for a designated city): every output says so.
    pub fn unverified(&self) -> bool {
        self.kind == ThresholdKind::EarlySoundness && self.indicator == RatioIndicator::FutureBurden
    }
}

/// What the ratios of a year need beyond the allocation: the plan's earlier years.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Single-year real debt-service ratios of earlier years, oldest first.
    pub single_year_ratios: Vec<Decimal>,
    /// Issuance and its annual interest rate in the plan's earlier years (for their interest).
    pub issuance: Vec<(Money, Decimal)>,
}

/// Debt service this year before the new issuance's interest: the constant part of the numerator.
pub(crate) fn debt_service_constant(sc: &Scenario, history: &History) -> Option<Money> {
    let f = sc.fiscal.as_ref()?;
    let earlier_interest: Money = history.issuance.iter().map(|&(i, r)| i.mul_ratio(r)).sum();
    Some(
        sc.bonds.redemption + f.interest + earlier_interest + f.other_debt_service + f.quasi_debt_service
            - f.debt_service_specific_revenue
            - f.debt_service_counted,
    )
}

/// The single-year real debt-service ratio at this year's issuance.
pub fn real_debt_service_single(sc: &Scenario, history: &History, issuance: Money) -> Option<Decimal> {
    let f = sc.fiscal.as_ref()?;
    let half = f.new_issue_rate / Decimal::TWO;
    let num = debt_service_constant(sc, history)? + issuance.mul_ratio(half);
    Some(num.as_decimal() / f.ratio_denominator().as_decimal())
}

/// The window of the 3-year mean: up to two earlier single-year ratios.
pub(crate) fn window(sc: &Scenario, history: &History) -> Vec<Decimal> {
    let earlier: Vec<Decimal> = if history.single_year_ratios.is_empty() {
        sc.fiscal.as_ref().map(|f| f.real_debt_service_history.clone()).unwrap_or_default()
    } else {
        // The plan's own earlier years, after the first year's stated history.
        history.single_year_ratios.clone()
    };
    earlier.iter().rev().take(2).rev().copied().collect()
}

/// Future burden numerator without the balances the allocation moves (bond and fund balance).
pub(crate) fn future_burden_constant(sc: &Scenario) -> Option<Money> {
    let f = sc.fiscal.as_ref()?;
    Some(f.other_future_burden - f.other_usable_funds - f.expected_specific_revenue - f.expected_counted)
}

/// Computes the health of one year from its scenario and allocation. `history` holds the plan's
/// earlier years (empty for a single year or a plan's first year).
pub fn year_health(sc: &Scenario, a: &Allocation, history: &History, constraints: bool) -> YearHealth {
    let fiscal_gap = (sc.requested_general_revenue() - sc.revenue.general_revenue).max(Money::ZERO);
    let mut h = YearHealth {
        year: a.fiscal_year,
        bond_balance: a.bond_balance_end,
        fund_balance: a.fund_balance_end,
        fiscal_gap,
        real_debt_service_ratio: None,
        real_debt_service_ratio_single_year: None,
        future_burden_ratio: None,
        ordinary_balance_ratio: None,
        status: FiscalStatus::NotAssessed,
        checks: Vec::new(),
    };
    let Some(f) = sc.fiscal.as_ref() else { return h };
    let den = f.ratio_denominator().as_decimal();

    if let Some(single) = real_debt_service_single(sc, history, a.bond_issuance) {
        let mut w = window(sc, history);
        w.push(single);
        let mean = w.iter().copied().sum::<Decimal>() / Decimal::from(w.len());
        h.real_debt_service_ratio_single_year = Some(Ratio(single));
        h.real_debt_service_ratio = Some(Ratio(mean));
        let ind = RatioIndicator::RealDebtService;
        for (threshold, kind, note) in [
            (
                DEBT_SERVICE_REHABILITATION,
                ThresholdKind::Rehabilitation,
                "財政再生基準: a rehabilitation plan, bond issuance restricted",
            ),
            (
                DEBT_SERVICE_EARLY,
                ThresholdKind::EarlySoundness,
                "早期健全化基準: a fiscal soundness plan and external audit",
            ),
        ] {
            h.checks.push(Check {
                indicator: ind,
                value: Ratio(mean),
                threshold: Ratio(threshold),
                kind,
                constraint: constraints,
                status: if mean >= threshold { CheckStatus::Violated } else { CheckStatus::Ok },
                note: note.into(),
            });
        }
        h.checks.push(Check {
            indicator: ind,
            value: Ratio(mean),
            threshold: Ratio(DEBT_SERVICE_PERMISSION),
            kind: ThresholdKind::BondPermission,
            constraint: false,
            status: if mean >= DEBT_SERVICE_PERMISSION { CheckStatus::Warning } else { CheckStatus::Ok },
            note: "起債許可団体: at 18% or more, issuing bonds needs permission".into(),
        });
        if let Some(limit) = f.real_debt_service_limit {
            h.checks.push(city_check(ind, mean, limit, constraints));
        }
    }

    let fb_num = future_burden_constant(sc).unwrap_or_default() + a.bond_balance_end - a.fund_balance_end;
    let fb = (fb_num.as_decimal() / den).max(Decimal::ZERO);
    h.future_burden_ratio = Some(Ratio(fb));
    h.checks.push(Check {
        indicator: RatioIndicator::FutureBurden,
        value: Ratio(fb),
        threshold: Ratio(FUTURE_BURDEN_EARLY),
        kind: ThresholdKind::EarlySoundness,
        constraint: constraints,
        status: if fb >= FUTURE_BURDEN_EARLY { CheckStatus::Violated } else { CheckStatus::Ok },
        note: "早期健全化基準 400% for a designated city: unverified".into(),
    });
    if let Some(limit) = f.future_burden_limit {
        h.checks.push(city_check(RatioIndicator::FutureBurden, fb, limit, constraints));
    }

    let ordinary: Money = a
        .programs
        .iter()
        .filter(|p| matches!(p.kind, ProgramKind::Mandatory | ProgramKind::Discretionary))
        .map(|p| p.general_revenue)
        .sum::<Money>()
        + f.ordinary_expenditure_outside;
    let ordinary_revenue = f.ordinary_general_revenue.unwrap_or(sc.revenue.general_revenue);
    if ordinary_revenue > Money::ZERO {
        let ob = ordinary.as_decimal() / ordinary_revenue.as_decimal();
        h.ordinary_balance_ratio = Some(Ratio(ob));
        if let Some(limit) = f.ordinary_balance_limit {
            h.checks.push(city_check(RatioIndicator::OrdinaryBalance, ob, limit, false));
        }
    }

    h.status = status_of(&h.checks);
    h
}

fn city_check(indicator: RatioIndicator, value: Decimal, limit: Decimal, constraint: bool) -> Check {
    Check {
        indicator,
        value: Ratio(value),
        threshold: Ratio(limit),
        kind: ThresholdKind::CityLimit,
        constraint,
        status: if value > limit { CheckStatus::Violated } else { CheckStatus::Ok },
        note: "the city's own limit".into(),
    }
}

fn status_of(checks: &[Check]) -> FiscalStatus {
    let hit = |kind: ThresholdKind| checks.iter().any(|c| c.kind == kind && c.status != CheckStatus::Ok);
    if hit(ThresholdKind::Rehabilitation) {
        FiscalStatus::Rehabilitation
    } else if hit(ThresholdKind::EarlySoundness) {
        FiscalStatus::EarlySoundness
    } else if hit(ThresholdKind::CityLimit) {
        FiscalStatus::OverCityLimit
    } else if hit(ThresholdKind::BondPermission) {
        FiscalStatus::BondPermissionRequired
    } else {
        FiscalStatus::Sound
    }
}

/// `fiscal_health` of the JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct FiscalHealth {
    pub years: Vec<YearHealth>,
}

impl FiscalHealth {
    /// Checks that failed (statutory thresholds and the city's limits; the 18% warning is not one).
    pub fn violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        for y in &self.years {
            for c in y.checks.iter().filter(|c| c.status == CheckStatus::Violated) {
                out.push(format!(
                    "FY{}: {} {}% is at or above the {} {}%{}",
                    y.year,
                    c.indicator.label(),
                    c.value.percent(),
                    c.kind.label(),
                    c.threshold.percent(),
                    if c.unverified() { " (threshold unverified)" } else { "" }
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_print_truncated_to_one_decimal() {
        assert_eq!(Ratio(Decimal::new(24_99, 4)).percent(), "24.9");
        assert_eq!(Ratio(Decimal::new(118, 3)).percent(), "11.8");
        assert_eq!(Ratio(Decimal::ZERO).percent(), "0.0");
        assert_eq!(DEBT_SERVICE_EARLY, Decimal::new(25, 2));
        assert_eq!(FUTURE_BURDEN_EARLY, Decimal::from(4));
        assert_eq!(HARD_LIMIT_MARGIN, Decimal::new(1, 3));
    }
}
