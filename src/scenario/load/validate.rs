//! Validation: the merged scenario file checked and turned into a `Scenario`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;

use super::checker::Checker;
use super::entries::{Roots, clusters, departments, programs, script_path, totals_in_range};
use super::*;
use crate::diagnostic::{Diagnostic, Source};
use crate::money::{Money, Unit};
use crate::scenario::file::ScenarioFile;
use crate::scenario::{Bonds, CeilingRatios, Fund, FundDraw, Policy, Revenue, Scenario, Style};
use crate::{Error, Result};

pub(super) fn validate(
    f: ScenarioFile,
    path: &Path,
    top: &Arc<Source>,
    root_dir: &Path,
    options: &LoadOptions,
) -> Result<Scenario> {
    // A plan is read by the plan loader; saying so is the only useful message here.
    if let Some(plan) = &f.plan {
        let at = plan.years.as_ref().and_then(|y| y.first()).and_then(|y| y.location.clone());
        return Err(Error::input(
            Diagnostic::error(format!("`{}` is a multi-year plan, not a single-year scenario", Source::display_path(path)))
                .at_opt(at)
                .hint("`waku run`, `waku check`, `waku review` and `waku test` read plans; a plan's years are in the scenario files it names"),
        ));
    }
    let mut c = Checker { errors: Vec::new(), warnings: Vec::new(), top: Arc::clone(top) };
    let city = c.required(&f.city, "city", "`city = \"北九州市\"` at the top of the scenario");
    let fiscal_year = c.required(&f.fiscal_year, "fiscal_year", "`fiscal_year = 2026` at the top of the scenario");
    if let (Some(y), Some(loc)) = (fiscal_year, &f.fiscal_year) {
        if !(1989..=2200).contains(&y) {
            c.err(
                Diagnostic::error(format!("`fiscal_year` {y} is out of range"))
                    .at_opt(loc.location.clone())
                    .hint("write the fiscal year in the Western calendar, e.g. 2026 for 令和8年度"),
            );
        }
    }
    let name = f.name.as_ref().map(|n| n.value.clone());
    let display_unit = f.display_unit.as_ref().map_or(Unit::Oku, |u| u.value);
    let rounding_unit = f.rounding_unit.as_ref().map_or(Unit::Yen, |u| u.value);

    let revenue = f.revenue.unwrap_or_default();
    let general_revenue = c.required(
        &revenue.general_revenue,
        "revenue.general_revenue",
        "`general_revenue = \"…億円\"` under `[revenue]`",
    );
    c.non_negative(&revenue.general_revenue, "revenue.general_revenue");
    let general_account = c.non_negative(&revenue.general_account, "revenue.general_account");

    let fund = f.fund.unwrap_or_default();
    let draw = match &fund.draw {
        None => FundDraw::default(),
        Some(d) => FundDraw::parse(&d.value).unwrap_or_else(|| {
            c.err(
                Diagnostic::error(format!("unknown fund policy `{}`", d.value))
                    .at_opt(d.location.clone())
                    .note("expected `before_cuts` (事業を削る前に取り崩す), `last_resort` (最後の手段としてのみ取り崩す) or `never` (取り崩さない)")
                    .suggest(&d.value, FundDraw::ALL.iter().map(|d| d.id())),
            );
            FundDraw::default()
        }),
    };
    let fund = Fund {
        balance: c.non_negative(&fund.balance, "fund.balance").unwrap_or_default(),
        max_drawdown: c.non_negative(&fund.max_drawdown, "fund.max_drawdown").unwrap_or_default(),
        floor: c.non_negative(&fund.floor, "fund.floor").unwrap_or_default(),
        draw,
        held_drawdown: Money::ZERO,
    };
    let bonds_file = f.bonds.unwrap_or_default();
    let bonds = Bonds {
        balance: c.non_negative(&bonds_file.balance, "bonds.balance").unwrap_or_default(),
        issuance_cap: c.non_negative(&bonds_file.issuance_cap, "bonds.issuance_cap").unwrap_or_default(),
        redemption: c.non_negative(&bonds_file.redemption, "bonds.redemption").unwrap_or_default(),
    };
    c.required(&bonds_file.issuance_cap, "bonds.issuance_cap", "`issuance_cap = \"…億円\"` under `[bonds]`");
    if bonds.redemption > bonds.balance {
        c.err(
            Diagnostic::error(format!(
                "`bonds.redemption` {} is more than the bond balance {}: the balance would end the year negative",
                bonds.redemption.format(Unit::Oku),
                bonds.balance.format(Unit::Oku)
            ))
            .at_opt(bonds_file.redemption.as_ref().and_then(|r| r.location.clone()))
            .hint("a city redeems only bonds it has issued: check `bonds.balance` (the balance at the start of the year) and `bonds.redemption`"),
        );
    }

    let pf = f.policy.unwrap_or_default();
    let investment_cap =
        c.required(&pf.investment_cap, "policy.investment_cap", "`investment_cap = \"650億円\"` under `[policy]`");
    c.non_negative(&pf.investment_cap, "policy.investment_cap");
    let reserve_min_share = c.share(&pf.reserve_min_share, "policy.reserve_min_share").unwrap_or(Decimal::ZERO);
    let reserve_max_share = c.share(&pf.reserve_max_share, "policy.reserve_max_share").unwrap_or(Decimal::ONE);
    if reserve_min_share > reserve_max_share {
        c.err(
            Diagnostic::error(format!(
                "`policy.reserve_min_share` ({reserve_min_share}) is above `policy.reserve_max_share` ({reserve_max_share})"
            ))
            .at_opt(pf.reserve_min_share.as_ref().and_then(|l| l.location.clone()))
            .hint("the least share of the reserve cannot exceed the greatest"),
        );
    }
    let envelope_floor_ratio =
        c.multiple(&pf.envelope_floor_ratio, "policy.envelope_floor_ratio").unwrap_or(Decimal::ZERO);
    let envelope_ceiling_ratio = c.multiple(&pf.envelope_ceiling_ratio, "policy.envelope_ceiling_ratio");
    let style = match &pf.style {
        None => Style::default(),
        Some(s) => Style::parse(&s.value).unwrap_or_else(|| {
            c.err(
                Diagnostic::error(format!("unknown allocation style `{}`", s.value))
                    .at_opt(s.location.clone())
                    .note("expected `priority` (優先度配分), `ceiling` (一律シーリング) or `balanced` (均衡配分)")
                    .suggest(&s.value, Style::ALL.iter().map(|s| s.id())),
            );
            Style::default()
        }),
    };
    let cf = pf.ceiling.unwrap_or_default();
    let ceiling = CeilingRatios {
        mandatory: c.ratio(&cf.mandatory, "policy.ceiling.mandatory"),
        discretionary: c.ratio(&cf.discretionary, "policy.ceiling.discretionary"),
        investment: c.ratio(&cf.investment, "policy.ceiling.investment"),
        new: c.ratio(&cf.new, "policy.ceiling.new"),
    };
    let mut policy = Policy {
        investment_cap: investment_cap.unwrap_or_default(),
        reserve_min_share,
        reserve_max_share,
        reserve_weight: c.ratio(&pf.reserve_weight, "policy.reserve_weight").unwrap_or(Decimal::ONE),
        next_generation_target: c
            .non_negative(&pf.next_generation_target, "policy.next_generation_target")
            .unwrap_or_default(),
        envelope_floor_ratio,
        envelope_ceiling_ratio: envelope_ceiling_ratio.unwrap_or(Decimal::from(1_000)),
        retention_share: c.share(&pf.retention_share, "policy.retention_share").unwrap_or(Decimal::new(5, 1)),
        retention_cap_per_program: c.non_negative(&pf.retention_cap_per_program, "policy.retention_cap_per_program"),
        retention_cap_per_department: c
            .non_negative(&pf.retention_cap_per_department, "policy.retention_cap_per_department"),
        style,
        ceiling,
        balanced_band: c.share(&pf.balanced_band, "policy.balanced_band").unwrap_or(Decimal::new(2, 2)),
        max_cut_share: c.share(&pf.max_cut_share, "policy.max_cut_share"),
        script: None,
        max_cut_share_by_kind: {
            let k = pf.max_cut_share_by_kind.unwrap_or_default();
            CeilingRatios {
                mandatory: c.share(&k.mandatory, "policy.max_cut_share_by_kind.mandatory"),
                discretionary: c.share(&k.discretionary, "policy.max_cut_share_by_kind.discretionary"),
                investment: c.share(&k.investment, "policy.max_cut_share_by_kind.investment"),
                new: c.share(&k.new, "policy.max_cut_share_by_kind.new"),
            }
        },
    };

    // `--rules DIR` is the user's own choice; `rules = "…"` in a scenario stays in its folder.
    let mut rules_refused = false;
    let rules_dir = match (&options.rules_dir, &f.rules) {
        (Some(dir), _) => dir.clone(),
        (None, Some(r)) => match resolve(r, root_dir, options, "rules") {
            Ok(dir) => dir,
            Err(e) => {
                rules_refused = true;
                if let Error::Input(ds) = e {
                    ds.into_iter().for_each(|d| c.err(d));
                }
                PathBuf::from("rules")
            }
        },
        (None, None) => default_rules_dir(path),
    };
    // A rules folder named on purpose must be there (a default one that is missing is reported
    // by `waku check` as a warning: the scenario may be checked on its own).
    if (options.rules_dir.is_some() || f.rules.is_some()) && !rules_refused && !rules_dir.join("ruleset.toml").is_file()
    {
        let shown = Source::display_path(&rules_dir);
        let what = if rules_dir.is_dir() { "has no `ruleset.toml`" } else { "does not exist" };
        let d = Diagnostic::error(format!("the rules folder `{}` {what}", crate::diagnostic::quote(&shown)));
        c.err(match (&options.rules_dir, &f.rules) {
            (None, Some(r)) => d.at_opt(r.location.clone()).hint("`rules` is relative to the scenario file"),
            _ => d.hint("`--rules DIR` names a folder holding `ruleset.toml`, `viewpoints/` and `policies/`"),
        });
    }
    let script_roots = Roots { scenario: root_dir, rules: &rules_dir, options };
    policy.script = pf.script.as_ref().and_then(|p| script_path(&mut c, p, &script_roots, true));
    let departments = departments(&mut c, f.departments.unwrap_or_default(), &policy, &script_roots);
    let clusters = clusters(&mut c, f.clusters.unwrap_or_default());
    let programs = programs(&mut c, f.programs.unwrap_or_default(), &departments, &clusters);
    totals_in_range(&mut c, &programs);

    let parameters = f.parameters.unwrap_or_default();
    let fiscal = f.fiscal.and_then(|ff| crate::scenario::fiscal::validate(ff, &mut c.errors));
    let cx =
        crate::scenario::stage::Context { programs: &programs, departments: &departments, rounding_unit, display_unit };
    let cycle = crate::scenario::stage::validate(f.layers, f.dispositions, &cx, &mut c.errors);
    if !c.errors.is_empty() {
        return Err(Error::Input(c.errors));
    }
    let mut scenario = Scenario {
        path: path.to_path_buf(),
        city: city.unwrap_or_default(),
        name: name.unwrap_or_default(),
        fiscal_year: fiscal_year.and_then(|y| i32::try_from(y).ok()).unwrap_or_default(),
        display_unit,
        rounding_unit,
        rules_dir,
        parameters,
        revenue: Revenue { general_account, general_revenue: general_revenue.unwrap_or_default() },
        fund,
        bonds,
        policy,
        departments,
        clusters,
        programs,
        expectations: f.expect.unwrap_or_default(),
        fiscal,
        warnings: c.warnings,
        overrides: Vec::new(),
        cycle,
        proposals: Vec::new(),
        kpis: None,
    };
    if scenario.name.is_empty() {
        scenario.name = format!("{} {}年度", scenario.city, scenario.fiscal_year);
    }
    if let (Some(total), Some(loc)) = (general_account, revenue.general_account.as_ref()) {
        let requested = scenario.total_requested();
        if requested != total && !scenario.programs.is_empty() {
            scenario.warnings.push(
                Diagnostic::warning(format!(
                    "the inventory's requests total {} but `revenue.general_account` is {}",
                    requested.format(display_unit),
                    total.format(display_unit)
                ))
                .at_opt(loc.location.clone())
                .note(format!("difference: {}", (requested - total).format(Unit::Yen))),
            );
        }
    }
    Ok(scenario)
}

/// The nearest `rules/` folder (with a `ruleset.toml`) at or above the scenario's folder, else `rules`.
fn default_rules_dir(path: &Path) -> PathBuf {
    let start = normalise(&parent_dir(path));
    let mut dir = start.as_deref();
    while let Some(d) = dir {
        let candidate = d.join("rules");
        if candidate.join("ruleset.toml").is_file() {
            return tidy(&candidate);
        }
        dir = d.parent();
    }
    PathBuf::from("rules")
}
