//! The fiscal-health inputs of a year (`[fiscal]`): their validation and the typed values. The
//! file format (`[fiscal]`, `[plan]`) is in `file.rs`; the computations live in `crate::fiscal`.

use rust_decimal::Decimal;

use super::file::{FiscalFile, Number};
use super::located::Located;
use crate::diagnostic::{Diagnostic, Location};
use crate::money::Money;

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
                    "`fiscal.{key}` must be between 0% and {}, found {}",
                    crate::number::share_as_written(max),
                    crate::number::share_as_written(n.value.0)
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
