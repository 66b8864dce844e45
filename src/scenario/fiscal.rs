//! The fiscal-health inputs of a year (`[fiscal]`) and the multi-year plan section (`[plan]`):
//! the file format, its validation, and the typed values. The computations live in `crate::fiscal`.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Deserialize;

use super::file::{Number, Overlay};
use super::located::Located;
use crate::diagnostic::{Diagnostic, Location};
use crate::money::Money;

/// `[fiscal]`: what the soundness ratios (健全化判断比率) and the ordinary balance ratio need for one
/// year, as a city finds them in its 決算カード / 財政状況資料集. All amounts default to 0.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiscalFile {
    /// 標準財政規模 (required for any ratio).
    pub standard_fiscal_scale: Option<Located<Money>>,
    /// 元利償還金等に係る基準財政需要額算入額: debt service counted in 基準財政需要額 this year.
    pub debt_service_counted: Option<Located<Money>>,
    /// Interest this year on the bonds of `[bonds]` outstanding before the year (or the plan) began.
    pub interest: Option<Located<Money>>,
    /// Annual interest rate of new issuance; the year of issue pays half a year, later plan years a full year.
    pub new_issue_rate: Option<Located<Number>>,
    /// Principal and interest of bonds outside `[bonds]` (e.g. 臨時財政対策債).
    pub other_debt_service: Option<Located<Money>>,
    /// 準元利償還金 (transfers to public enterprises for their debt service, etc.).
    pub quasi_debt_service: Option<Located<Money>>,
    /// 特定財源 applied to debt service.
    pub debt_service_specific_revenue: Option<Located<Money>>,
    /// Single-year 実質公債費比率 of the years before, oldest first (the 3-year average uses the last two).
    pub real_debt_service_history: Option<Vec<Located<Number>>>,
    /// 将来負担額 other than the `[bonds]` balance (退職手当負担見込額, 臨財債 balance, 公営企業債等繰入見込額 …).
    pub other_future_burden: Option<Located<Money>>,
    /// 充当可能基金 other than the fiscal adjustment fund of `[fund]`.
    pub other_usable_funds: Option<Located<Money>>,
    /// 充当可能特定歳入.
    pub expected_specific_revenue: Option<Located<Money>>,
    /// 基準財政需要額算入見込額.
    pub expected_counted: Option<Located<Money>>,
    /// 経常一般財源等 (+ 減収補てん債特例分 + 臨時財政対策債); default: `revenue.general_revenue`.
    pub ordinary_general_revenue: Option<Located<Money>>,
    /// 経常経費充当一般財源 outside the program inventory.
    pub ordinary_expenditure_outside: Option<Located<Money>>,
    /// The city's own ceiling on the 3-year 実質公債費比率 (a hard limit), e.g. "18%".
    pub real_debt_service_limit: Option<Located<Number>>,
    /// The city's own ceiling on the 将来負担比率 (a hard limit).
    pub future_burden_limit: Option<Located<Number>>,
    /// The city's own target for the 経常収支比率 (checked after solving).
    pub ordinary_balance_limit: Option<Located<Number>>,
}

impl Overlay for FiscalFile {
    fn overlay(&mut self, other: Self) {
        macro_rules! leaf { ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* } }
        leaf!(
            standard_fiscal_scale,
            debt_service_counted,
            interest,
            new_issue_rate,
            other_debt_service,
            quasi_debt_service,
            debt_service_specific_revenue,
            real_debt_service_history,
            other_future_burden,
            other_usable_funds,
            expected_specific_revenue,
            expected_counted,
            ordinary_general_revenue,
            ordinary_expenditure_outside,
            real_debt_service_limit,
            future_burden_limit,
            ordinary_balance_limit
        );
    }
}

/// `[plan]`: a multi-year plan. The file that holds it names one single-year scenario per year.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// The plan's years, in order, each with its scenario file.
    pub years: Option<Vec<Located<PlanYearFile>>>,
    /// 次世代投資枠 over the whole plan: Σ cost of next-generation programs, all years.
    pub next_generation_target: Option<Located<Money>>,
    /// The 市債 balance may not rise from one year end to the next (default true).
    pub bond_balance_not_rising: Option<Located<bool>>,
    /// 投資的経費 level in prices of `investment_price_year`; each year's cap is it escalated.
    pub investment_level: Option<Located<Money>>,
    /// The year whose prices `investment_level` is stated in (one of the plan's years).
    pub investment_price_year: Option<Located<i64>>,
    /// A nominal ceiling on every year's escalated investment cap.
    pub investment_ceiling: Option<Located<Money>>,
}

impl Overlay for PlanFile {
    fn overlay(&mut self, other: Self) {
        macro_rules! leaf { ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* } }
        leaf!(
            years,
            next_generation_target,
            bond_balance_not_rising,
            investment_level,
            investment_price_year,
            investment_ceiling
        );
    }
}

/// One year of a plan.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanYearFile {
    /// Fiscal year (西暦); must match the scenario's `fiscal_year`.
    pub year: Option<Located<i64>>,
    /// The year's single-year scenario, relative to the plan file.
    pub scenario: Option<Located<String>>,
    /// Construction-cost change from the year before (e.g. "2.5%"); escalates the investment level.
    pub cost_escalation: Option<Located<Number>>,
}

/// The validated `[fiscal]` inputs of one year. Ratios are shares (0.118 = 11.8%).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FiscalInputs {
    pub standard_fiscal_scale: Money,
    pub debt_service_counted: Money,
    pub interest: Money,
    pub new_issue_rate: Decimal,
    pub other_debt_service: Money,
    pub quasi_debt_service: Money,
    pub debt_service_specific_revenue: Money,
    pub real_debt_service_history: Vec<Decimal>,
    pub other_future_burden: Money,
    pub other_usable_funds: Money,
    pub expected_specific_revenue: Money,
    pub expected_counted: Money,
    pub ordinary_general_revenue: Option<Money>,
    pub ordinary_expenditure_outside: Money,
    pub real_debt_service_limit: Option<Decimal>,
    pub future_burden_limit: Option<Decimal>,
    pub ordinary_balance_limit: Option<Decimal>,
    /// Where `standard_fiscal_scale` was written, for errors about the ratios.
    #[serde(skip)]
    pub location: Option<Location>,
}

impl FiscalInputs {
    /// The denominator of the real debt-service and future burden ratios:
    /// 標準財政規模 − 元利償還金等に係る基準財政需要額算入額 (positive, checked at load).
    pub fn ratio_denominator(&self) -> Money {
        self.standard_fiscal_scale - self.debt_service_counted
    }
}

/// Validates `[fiscal]`; errors are returned, not thrown, so the loader reports all of them at once.
pub(crate) fn validate(f: FiscalFile, errors: &mut Vec<Diagnostic>) -> Option<FiscalInputs> {
    let mut money = |v: &Option<Located<Money>>, key: &str| -> Money {
        let Some(m) = v else { return Money::ZERO };
        if m.value.is_negative() {
            errors.push(
                Diagnostic::error(format!("`fiscal.{key}` must not be negative, found {}", m.value))
                    .at_opt(m.location.clone())
                    .hint("amounts in a scenario are zero or more"),
            );
        }
        m.value
    };
    let scale = money(&f.standard_fiscal_scale, "standard_fiscal_scale");
    let counted = money(&f.debt_service_counted, "debt_service_counted");
    let interest = money(&f.interest, "interest");
    let other_debt_service = money(&f.other_debt_service, "other_debt_service");
    let quasi = money(&f.quasi_debt_service, "quasi_debt_service");
    let specific = money(&f.debt_service_specific_revenue, "debt_service_specific_revenue");
    let other_future_burden = money(&f.other_future_burden, "other_future_burden");
    let other_usable_funds = money(&f.other_usable_funds, "other_usable_funds");
    let expected_specific_revenue = money(&f.expected_specific_revenue, "expected_specific_revenue");
    let expected_counted = money(&f.expected_counted, "expected_counted");
    let ordinary_expenditure_outside = money(&f.ordinary_expenditure_outside, "ordinary_expenditure_outside");
    let ordinary_general_revenue = f.ordinary_general_revenue.as_ref().map(|m| m.value);
    if ordinary_general_revenue.is_some_and(|m| m <= Money::ZERO) {
        errors.push(
            Diagnostic::error("`fiscal.ordinary_general_revenue` must be more than zero")
                .at_opt(f.ordinary_general_revenue.as_ref().and_then(|m| m.location.clone()))
                .hint("it is the denominator of the 経常収支比率"),
        );
    }
    let mut ratio = |v: &Option<Located<Number>>, key: &str, max: Decimal| -> Option<Decimal> {
        let n = v.as_ref()?;
        if n.value.0 < Decimal::ZERO || n.value.0 > max {
            errors.push(
                Diagnostic::error(format!(
                    "`fiscal.{key}` must be between 0% and {}%, found {}%",
                    (max * Decimal::ONE_HUNDRED).normalize(),
                    (n.value.0 * Decimal::ONE_HUNDRED).normalize()
                ))
                .at_opt(n.location.clone())
                .hint("write a ratio as a percentage, e.g. \"18%\", or a share, e.g. 0.18"),
            );
        }
        Some(n.value.0)
    };
    let new_issue_rate = ratio(&f.new_issue_rate, "new_issue_rate", Decimal::ONE).unwrap_or_default();
    let real_debt_service_limit = ratio(&f.real_debt_service_limit, "real_debt_service_limit", Decimal::ONE);
    let future_burden_limit = ratio(&f.future_burden_limit, "future_burden_limit", Decimal::from(20));
    let ordinary_balance_limit = ratio(&f.ordinary_balance_limit, "ordinary_balance_limit", Decimal::from(2));
    let history: Vec<Decimal> = f
        .real_debt_service_history
        .iter()
        .flatten()
        .filter_map(|n| ratio(&Some(n.clone()), "real_debt_service_history", Decimal::ONE))
        .collect();
    let location = f.standard_fiscal_scale.as_ref().and_then(|m| m.location.clone());
    match &f.standard_fiscal_scale {
        None => {
            errors
                .push(Diagnostic::error("`[fiscal]` has no `standard_fiscal_scale`").hint(
                    "add `standard_fiscal_scale = \"…億円\"` (標準財政規模): every ratio is measured against it",
                ));
            return None;
        }
        Some(s) if scale <= counted => {
            errors.push(
                Diagnostic::error(format!(
                    "`fiscal.standard_fiscal_scale` ({}) must exceed `fiscal.debt_service_counted` ({})",
                    s.value, counted
                ))
                .at_opt(s.location.clone())
                .hint("the ratios divide by 標準財政規模 − 元利償還金等に係る基準財政需要額算入額, which must be positive"),
            );
            return None;
        }
        Some(_) => {}
    }
    Some(FiscalInputs {
        standard_fiscal_scale: scale,
        debt_service_counted: counted,
        interest,
        new_issue_rate,
        other_debt_service,
        quasi_debt_service: quasi,
        debt_service_specific_revenue: specific,
        real_debt_service_history: history,
        other_future_burden,
        other_usable_funds,
        expected_specific_revenue,
        expected_counted,
        ordinary_general_revenue,
        ordinary_expenditure_outside,
        real_debt_service_limit,
        future_burden_limit,
        ordinary_balance_limit,
        location,
    })
}
