//! `--set` overrides: the amount or number a key holds before the override, relative changes
//! (`-3%`, `×0.97`, `+1pt`: [`super::change`]) turned into the value they give, and the record of
//! what each `--set` did, which every report prints in its header.

use rust_decimal::Decimal;
use serde::Serialize;

use super::change::{Change, Target};
use super::file::ScenarioFile;
use super::names::{Kind, Lookup, Names};
use crate::money::{Money, Unit};

/// A value a key holds: an amount or a number (a share, a ratio).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SetValue {
    /// Whole yen (a string in JSON, as all money).
    Money(Money),
    Number(Decimal),
}

impl SetValue {
    fn show(self, unit: Unit) -> String {
        match self {
            SetValue::Money(m) => m.format(unit),
            SetValue::Number(n) => n.normalize().to_string(),
        }
    }
}

/// One `--set` as applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    /// `KEY=VALUE` as given.
    pub set: String,
    /// The value before and after, when the key holds an amount or a number.
    pub before: Option<SetValue>,
    pub after: Option<SetValue>,
}

impl Override {
    /// `--set revenue.general_revenue=-3%: 4,352.00億円 → 4,221.44億円`.
    pub fn describe(&self, unit: Unit) -> String {
        let arrow = match (self.before, self.after) {
            (Some(b), Some(a)) => format!(": {} → {}", b.show(unit), a.show(unit)),
            (None, Some(a)) => format!(": {} (not set before)", a.show(unit)),
            _ => String::new(),
        };
        format!("--set {}{arrow}", self.set)
    }
}

/// What kind of value `key` (dotted, split) holds, and its value in `file` if set: `None` when the
/// key does not hold an amount or a number (or is not a key).
pub(crate) fn current(file: &ScenarioFile, parts: &[&str]) -> Option<(Target, Option<SetValue>)> {
    macro_rules! pick {
        ($section:expr, $field:expr; money: $($m:ident)*; number: $($n:ident)*) => {
            match $field {
                $( stringify!($m) => Some((Target::Money, $section.and_then(|s| s.$m.as_ref()).map(|l| SetValue::Money(l.value)))), )*
                $( stringify!($n) => Some((Target::Number, $section.and_then(|s| s.$n.as_ref()).map(|l| SetValue::Number(l.value.0)))), )*
                _ => None,
            }
        };
    }
    match parts {
        ["revenue", f] => pick!(file.revenue.as_ref(), *f; money: general_account general_revenue; number:),
        ["fund", f] => pick!(file.fund.as_ref(), *f; money: balance max_drawdown floor; number:),
        ["bonds", f] => pick!(file.bonds.as_ref(), *f; money: balance issuance_cap redemption; number:),
        ["policy", f] => pick!(file.policy.as_ref(), *f;
            money: investment_cap next_generation_target retention_cap_per_program retention_cap_per_department;
            number: reserve_min_share reserve_max_share reserve_weight envelope_floor_ratio envelope_ceiling_ratio retention_share
                balanced_band max_cut_share),
        ["fiscal", f] => pick!(file.fiscal.as_ref(), *f;
            money: standard_fiscal_scale debt_service_counted interest other_debt_service quasi_debt_service
                debt_service_specific_revenue other_future_burden other_usable_funds expected_specific_revenue
                expected_counted ordinary_general_revenue ordinary_expenditure_outside;
            number: new_issue_rate real_debt_service_limit future_burden_limit ordinary_balance_limit),
        ["departments", id, f] => {
            let id = entry_id(file, Kind::Bureau, id);
            let d = file
                .departments
                .iter()
                .flatten()
                .find(|d| d.value.id.as_ref().is_some_and(|i| Some(&i.value) == id.as_ref()));
            let own = pick!(d.map(|d| &d.value), *f; money: floor ceiling retention_cap; number: floor_ratio ceiling_ratio retention_share);
            // A bureau without its own ratio or cap has the policy's.
            let policy = match *f {
                "floor_ratio" => Some("envelope_floor_ratio"),
                "ceiling_ratio" => Some("envelope_ceiling_ratio"),
                "retention_share" => Some("retention_share"),
                "retention_cap" => Some("retention_cap_per_department"),
                _ => None,
            };
            match (own, policy) {
                (Some((t, None)), Some(p)) => Some((t, current(file, &["policy", p]).and_then(|(_, v)| v))),
                (own, _) => own,
            }
        }
        ["programs", id, f] => {
            let id = entry_id(file, Kind::Program, id);
            let p = file
                .programs
                .iter()
                .flatten()
                .find(|p| p.value.id.as_ref().is_some_and(|i| Some(&i.value) == id.as_ref()));
            pick!(p.map(|p| &p.value), *f;
                money: prior_cost requested fees natural_savings;
                number: subsidy_ratio bondable_share demand_trend satisfaction service_level digital_share
                    private_capacity kpi_baseline kpi_target kpi_actual)
        }
        _ => None,
    }
}

/// The id of the bureau or program `written` names (its id or its name), if any.
fn entry_id(file: &ScenarioFile, kind: Kind, written: &str) -> Option<String> {
    fn pairs<T>(list: &Option<Vec<super::Located<T>>>, f: impl Fn(&T) -> Option<(&str, &str)>) -> Vec<(&str, &str)> {
        list.iter().flatten().filter_map(|e| f(&e.value)).collect()
    }
    let names = Names::new(
        pairs(&file.departments, |d| {
            d.id.as_ref().map(|i| (i.value.as_str(), d.name.as_ref().map_or(i.value.as_str(), |n| n.value.as_str())))
        }),
        pairs(&file.programs, |p| {
            p.id.as_ref().map(|i| (i.value.as_str(), p.name.as_ref().map_or(i.value.as_str(), |n| n.value.as_str())))
        }),
    );
    match names.find(written, &[kind]) {
        Lookup::Found(_, id) => Some(id.to_string()),
        _ => None,
    }
}

/// Why a relative `--set` cannot be applied.
pub(crate) struct NotApplied {
    pub message: String,
    pub hint: String,
}

/// The TOML value a relative change of `key` gives (`Ok(None)`: `value` is not written as a change).
pub(crate) fn resolve(file: &ScenarioFile, key: &str, value: &str) -> Result<Option<String>, NotApplied> {
    let parts: Vec<&str> = key.split('.').collect();
    let Some((target, before)) = current(file, &parts) else {
        return Ok(None);
    };
    let change = match Change::parse(value, target) {
        None => return Ok(None),
        Some(Ok(c)) => c,
        Some(Err(message)) => {
            let hint = match target {
                Target::Money => {
                    "write a change of an amount as `-3%`, `+5%` or `×0.97`, or the amount itself (`4,200億円`)"
                }
                Target::Number => {
                    "write a change of a share or ratio as `+1pt`, `-0.5pt` or `×1.1`, or the value itself (`0.05`, `\"5%\"`)"
                }
            };
            return Err(NotApplied { message, hint: hint.into() });
        }
    };
    if let Change::Percent { fraction, signed: false } = change {
        if !fraction.is_zero() {
            let p = (fraction * Decimal::ONE_HUNDRED).normalize();
            return Err(NotApplied {
                message: format!("`{value}` needs a sign to be a change"),
                hint: format!(
                    "write `+{p}%` for a rise of {p}%, or `×{}` for {p}% of the amount",
                    fraction.normalize()
                ),
            });
        }
    }
    let Some(before) = before else {
        return Err(NotApplied {
            message: format!("`{key}` is not set in the scenario, so `{value}` has nothing to change"),
            hint: "write the value itself".into(),
        });
    };
    let after = match before {
        SetValue::Money(m) => change.money(m).map(|m| m.as_decimal().to_string()),
        SetValue::Number(n) => Ok(format!("\"{}\"", change.number(n))),
    };
    after.map(Some).map_err(|message| NotApplied { message, hint: "a change is above -100%".into() })
}

/// The `--set` overrides of a run for a report's header, one line each, without a newline (none
/// without overrides): `--set revenue.general_revenue=-3%: 4,352.00億円 → 4,221.44億円`. A plan
/// applies each `--set` to every year: one line per `--set`, its values year by year.
pub fn set_lines(years: &[(i32, &[Override])], unit: Unit) -> Vec<String> {
    let Some((_, first)) = years.first() else { return Vec::new() };
    if years.len() == 1 {
        return first.iter().map(|o| o.describe(unit)).collect();
    }
    (0..first.len())
        .map(|i| {
            let per_year: Vec<String> = years
                .iter()
                .filter_map(|(y, os)| {
                    let d = os.get(i)?.describe(unit);
                    d.split_once(": ").map(|(_, values)| format!("FY{y} {values}"))
                })
                .collect();
            let set = format!("--set {}", first[i].set);
            if per_year.is_empty() { set } else { format!("{set}: {}", per_year.join("; ")) }
        })
        .collect()
}
