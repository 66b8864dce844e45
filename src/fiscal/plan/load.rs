//! Plan loading: the `[plan]` section and every year's scenario, with each year's investment cap.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::*;
use crate::diagnostic::{Diagnostic, Location};
use crate::money::Money;
use crate::scenario::{self, LoadOptions};
use crate::{Error, Result};

pub(super) fn first_line(source: &std::sync::Arc<crate::diagnostic::Source>) -> Location {
    let end = source.text.find('\n').unwrap_or(source.text.len());
    Location::new(source, 0..end)
}

/// Loads a plan file: its `[plan]` and every year's scenario (with `options`, so `--set` applies to each year).
pub fn load_plan(path: &Path, options: &LoadOptions) -> Result<Plan> {
    load_plan_from(path, None, options)
}

/// Loads a plan given as text; `name` is the path it stands for (the years' scenario files are
/// relative to its folder). See [`crate::scenario::load_str`].
pub fn load_plan_str(name: &str, text: &str, options: &LoadOptions) -> Result<Plan> {
    let path = Path::new(name);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = crate::diagnostic::Source::new(name, Some(path.to_path_buf()), text);
    load_plan_from(path, Some(source), options)
}

pub(super) fn load_plan_from(
    path: &Path,
    given: Option<std::sync::Arc<crate::diagnostic::Source>>,
    options: &LoadOptions,
) -> Result<Plan> {
    let (file, source) = scenario::read_plan_file(path, given)?;
    let top = first_line(&source);
    let Some(pf) = file.plan else {
        return Err(Error::input(
            Diagnostic::error(format!("`{}` has no `[plan]`", source.name))
                .at(top)
                .hint("a plan file has `[plan]` and `[[plan.years]]` entries naming each year's scenario"),
        ));
    };
    let stray: Vec<&str> = [
        ("revenue", file.revenue.is_some()),
        ("fund", file.fund.is_some()),
        ("bonds", file.bonds.is_some()),
        ("policy", file.policy.is_some()),
        ("fiscal", file.fiscal.is_some()),
        ("departments", file.departments.is_some()),
        ("programs", file.programs.is_some()),
        ("inventory", file.inventory.is_some()),
        ("csv_encoding", file.csv_encoding.is_some()),
        ("extends", file.extends.is_some()),
        ("fiscal_year", file.fiscal_year.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, present)| present.then_some(k))
    .collect();
    if !stray.is_empty() {
        return Err(Error::input(
            Diagnostic::error(format!(
                "a plan file holds only `city`, `name`, `display_unit` and `[plan]`; found {}",
                stray.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ))
            .at(top)
            .hint("put each year's figures in the scenario file its `[[plan.years]]` entry names"),
        ));
    }
    let root_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(entries) = pf.years.as_ref().filter(|y| !y.is_empty()) else {
        return Err(Error::input(
            Diagnostic::error("`[plan]` has no years")
                .at(top)
                .hint("add `[[plan.years]]` entries: `year = 2024` and `scenario = \"…toml\"`"),
        ));
    };
    let mut years: Vec<PlanYear> = Vec::new();
    let mut locations: Vec<Option<Location>> = Vec::new();
    for entry in entries {
        let e = &entry.value;
        let (Some(year), Some(file)) = (&e.year, &e.scenario) else {
            return Err(Error::input(
                Diagnostic::error("a `[[plan.years]]` entry needs `year` and `scenario`")
                    .at_opt(entry.location.clone())
                    .hint("e.g. `year = 2024` and `scenario = \"kitakyushu-r6.toml\"`"),
            ));
        };
        let scenario_path = scenario::resolve_path(file, &root_dir, options, "plan.years.scenario")?;
        if !scenario_path.is_file() {
            return Err(Error::input(
                Diagnostic::error(format!("cannot read `{}`: no such file", file.value))
                    .at_opt(file.location.clone())
                    .hint("paths in a plan are relative to the plan file"),
            ));
        }
        let sc = scenario::load_with(&scenario_path, options)?;
        if i64::from(sc.fiscal_year) != year.value {
            return Err(Error::input(
                Diagnostic::error(format!(
                    "plan year {} names `{}`, a scenario of FY{}",
                    year.value, file.value, sc.fiscal_year
                ))
                .at_opt(year.location.clone())
                .hint("each `[[plan.years]]` entry names the scenario of that fiscal year"),
            ));
        }
        if let Some(prev) = years.last() {
            if i64::from(prev.year) + 1 != year.value {
                return Err(Error::input(
                    Diagnostic::error(format!("plan years must follow one another: {} then {}", prev.year, year.value))
                        .at_opt(year.location.clone())
                        .hint("list every year of the plan period once, in order"),
                ));
            }
        }
        let escalation = e.cost_escalation.as_ref().map_or(Decimal::ZERO, |n| n.value.0);
        if escalation <= Decimal::NEGATIVE_ONE / Decimal::TWO || escalation > Decimal::ONE {
            return Err(Error::input(
                Diagnostic::error(format!("`cost_escalation` {escalation} is out of range"))
                    .at_opt(e.cost_escalation.as_ref().and_then(|n| n.location.clone()))
                    .hint("write the yearly price change as a percentage, e.g. \"2.5%\""),
            ));
        }
        years.push(PlanYear { year: sc.fiscal_year, scenario: sc, cost_escalation: escalation, investment_cap: None });
        locations.push(file.location.clone());
    }
    // [fiscal] in every year or in none: the 3-year mean needs each year's ratio.
    let with_fiscal = years.iter().filter(|y| y.scenario.fiscal.is_some()).count();
    if with_fiscal != 0 && with_fiscal != years.len() {
        let missing = years.iter().position(|y| y.scenario.fiscal.is_none()).unwrap_or(0);
        return Err(Error::input(
            Diagnostic::error(format!(
                "FY{}'s scenario has no `[fiscal]`, but other years of the plan do",
                years[missing].year
            ))
            .at_opt(locations[missing].clone())
            .hint("give every year `[fiscal]` inputs (the 3-year mean 実質公債費比率 needs each year), or none"),
        ));
    }
    set_investment_caps(&mut years, &pf)?;
    let first = &years[0].scenario;
    let last_year = years[years.len() - 1].year;
    let city = file.city.map_or_else(|| first.city.clone(), |c| c.value);
    Ok(Plan {
        path: path.to_path_buf(),
        name: file.name.map_or_else(|| format!("{city} FY{}–{last_year}", years[0].year), |n| n.value),
        city,
        display_unit: file.display_unit.map_or(first.display_unit, |u| u.value),
        next_generation_target: pf.next_generation_target.map_or(Money::ZERO, |m| m.value),
        bond_balance_not_rising: pf.bond_balance_not_rising.is_none_or(|b| b.value),
        multi_year: true,
        years,
    })
}

/// The investment cap of each year: the level escalated from its price year by the yearly cost
/// escalation (index_t = Π (1 + escalation) up to t), then held under the nominal ceiling.
pub(super) fn set_investment_caps(years: &mut [PlanYear], pf: &scenario::PlanFile) -> Result<()> {
    let ceiling = pf.investment_ceiling.as_ref().map(|m| m.value);
    let Some(level) = &pf.investment_level else {
        for y in years.iter_mut() {
            y.investment_cap = ceiling;
        }
        return Ok(());
    };
    let price_year = match &pf.investment_price_year {
        Some(p) => p,
        None => {
            return Err(Error::input(
                Diagnostic::error("`plan.investment_level` needs `plan.investment_price_year`")
                    .at_opt(level.location.clone())
                    .hint("say which year's prices the level is stated in, e.g. `investment_price_year = 2025`"),
            ));
        }
    };
    let Some(base) = years.iter().position(|y| i64::from(y.year) == price_year.value) else {
        let known = years.iter().map(|y| y.year.to_string()).collect::<Vec<_>>().join(", ");
        return Err(Error::input(
            Diagnostic::error(format!("`investment_price_year` {} is not a year of the plan", price_year.value))
                .at_opt(price_year.location.clone())
                .hint(format!("use one of {known}")),
        ));
    };
    let mut index = Vec::with_capacity(years.len());
    let mut acc = Decimal::ONE;
    for (i, y) in years.iter().enumerate() {
        if i > 0 {
            acc *= Decimal::ONE + y.cost_escalation;
        }
        index.push(acc);
    }
    for (i, y) in years.iter_mut().enumerate() {
        let cap = level.value.mul_ratio(index[i] / index[base]);
        y.investment_cap = Some(ceiling.map_or(cap, |c| cap.min(c)));
    }
    Ok(())
}
