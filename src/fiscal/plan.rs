//! Multi-year plans: every year optimised together under limits along the whole path.
//!
//! ```text
//! plan file ─► each year's scenario (the single-year loader) ─► review per year
//!          ─► one allocate::Model per year ─► joint model: the years' rows side by side + path rows
//!          ─► solve once ─► each year's share of the coupled limits
//!          ─► each year allocated exactly by the single-year path, in order, balances carried over
//!          ─► fiscal health per year, path checked exactly in yen
//! ```
//!
//! # Path rows (constraints of the joint model)
//!
//! * `fund_floor.FY` — the fund at every year end ≥ that year's floor: Σ_{s≤t}(drawdown − deposit) ≤ balance₀ − floor_t.
//! * `bond_not_rising.FY` — the bond balance does not rise: issuance_t ≤ redemption_t (a per-year
//!   cap, so it is applied through each year's issuance cap).
//! * `investment_cap.FY` — investment ≤ the plan's escalated cap (through each year's cap).
//! * `next_generation` — Σ over the years of next-generation cost ≥ the cumulative target.
//! * `real_debt_service.FY` — the 3-year mean 実質公債費比率 ≤ 25% − 0.1pt and ≤ the city's limit.
//! * `future_burden.FY` — 将来負担比率 ≤ 400% (unverified) − 0.1pt and ≤ the city's limit.
//!
//! # From the joint optimum to exact money
//!
//! The objective is a sum over years and the years share only the path rows, so the joint
//! optimum restricted to one year is that year's own optimum once the year is given its share of
//! each coupled limit that binds: its part of the cumulative frame (as a per-year floor), its
//! drawdown (as a drawdown cap), its issuance (as an issuance cap when a ratio limit binds). Each
//! year is then allocated by [`crate::allocate::allocate`] with those shares and the balances
//! carried over from the year before, so every single-year identity and the rounding rule hold as
//! they do for one year; the path is then checked exactly in yen, and a limit rounding broke is
//! reported as a violation (exit 1), never hidden.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::{
    DEBT_SERVICE_EARLY, FUTURE_BURDEN_EARLY, FiscalHealth, HARD_LIMIT_MARGIN, History, debt_service_constant,
    future_burden_constant, year_health,
};
use crate::allocate::{self, Allocation, Limit, Model, Options, model::Row, model::Var};
use crate::constraint::{ConstraintKind, Sense};
use crate::diagnostic::{Diagnostic, Location};
use crate::money::{Grid, Money, Unit};
use crate::number::share_as_written;
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::{self, LoadOptions, Scenario};
use crate::{Error, Result};

/// A multi-year plan: one validated scenario per year and the limits along the path.
#[derive(Debug, Clone)]
pub struct Plan {
    pub path: PathBuf,
    pub city: String,
    pub name: String,
    pub display_unit: Unit,
    pub years: Vec<PlanYear>,
    /// 次世代投資枠 over the whole plan (zero: none).
    pub next_generation_target: Money,
    /// The bond balance may not rise from one year end to the next.
    pub bond_balance_not_rising: bool,
    /// A plan file (false: one scenario run as a one-year plan).
    pub multi_year: bool,
}

/// One year of a plan.
#[derive(Debug, Clone)]
pub struct PlanYear {
    pub year: i32,
    pub scenario: Scenario,
    /// Construction-cost change from the year before.
    pub cost_escalation: Decimal,
    /// The plan's escalated investment cap for the year, if the plan states a level.
    pub investment_cap: Option<Money>,
}

impl Plan {
    /// One scenario as a one-year plan: its own limits, nothing carried between years.
    pub fn single(scenario: Scenario) -> Plan {
        Plan {
            path: scenario.path.clone(),
            city: scenario.city.clone(),
            name: scenario.name.clone(),
            display_unit: scenario.display_unit,
            years: vec![PlanYear {
                year: scenario.fiscal_year,
                scenario,
                cost_escalation: Decimal::ZERO,
                investment_cap: None,
            }],
            next_generation_target: Money::ZERO,
            bond_balance_not_rising: false,
            multi_year: false,
        }
    }
}

/// A limit along the path, checked exactly in yen after allocation.
#[derive(Debug, Clone, Serialize)]
pub struct PathCheck {
    /// Machine name, e.g. `fund_floor.2025`.
    pub name: String,
    /// In words ([`ConstraintKind::label`]).
    pub label: String,
    pub sense: Sense,
    pub limit: Money,
    pub value: Money,
    pub holds: bool,
    /// The limit binds in the joint optimum (it shaped the allocation).
    pub binding: bool,
    /// What it limits (not in the JSON: `name` says it there).
    #[serde(skip)]
    pub kind: ConstraintKind,
}

/// The outcome of a plan: the JSON contract of `waku run <plan> --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanOutcome {
    pub city: String,
    pub plan: String,
    pub years: Vec<i32>,
    /// 次世代投資枠 over the plan: Σ of the years' next-generation cost, and its target.
    pub next_generation_total: Money,
    pub next_generation_target: Money,
    pub path: Vec<PathCheck>,
    pub fiscal_health: FiscalHealth,
    /// Every failed path limit and ratio check, in words (empty: all hold).
    pub violations: Vec<String>,
    /// Each year's allocation, as `waku run` on the year alone would print it.
    pub allocations: Vec<Allocation>,
    #[serde(skip)]
    pub display_unit: Unit,
    #[serde(skip)]
    pub multi_year: bool,
    /// The city's own limits (first year's `[fiscal]`): real debt-service, future burden, ordinary balance.
    #[serde(skip)]
    pub city_limits: [Option<Decimal>; 3],
}

fn first_line(source: &std::sync::Arc<crate::diagnostic::Source>) -> Location {
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

fn load_plan_from(
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
fn set_investment_caps(years: &mut [PlanYear], pf: &scenario::PlanFile) -> Result<()> {
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

/// Runs one scenario, already reviewed, as a one-year plan (its `[fiscal]` limits as constraints).
pub fn run_single(scenario: Scenario, review: &Review, options: &Options) -> Result<PlanOutcome> {
    run_plan_reviewed(&Plan::single(scenario), std::slice::from_ref(review), options)
}

/// Each year's review, in plan order (each year with its own rules and parameters).
pub fn review_plan(plan: &Plan) -> Result<Vec<Review>> {
    plan.years.iter().map(|y| crate::review::review(&y.scenario, &Ruleset::for_scenario(&y.scenario)?)).collect()
}

/// A linear expression in yen over the joint model's variables.
#[derive(Debug, Clone, Default)]
struct Lin {
    /// (joint variable, yen per model unit of the variable).
    terms: Vec<(usize, f64)>,
    constant: f64,
}

impl Lin {
    fn add(&mut self, other: &Lin, factor: f64) {
        self.terms.extend(other.terms.iter().map(|&(v, c)| (v, c * factor)));
        self.constant += other.constant * factor;
    }
}

/// One year inside the joint model.
struct YearPart {
    model: Model,
    offset: usize,
}

impl YearPart {
    /// The expression of a limit's row, in yen (its fixed part as the constant).
    fn limit(&self, limit: Limit) -> Lin {
        let m = &self.model;
        match m.row_of.get(&limit) {
            Some(&k) => Lin {
                terms: m.rows[k].terms.iter().map(|&(v, c)| (v + self.offset, c * m.scale)).collect(),
                constant: m.fixed_part[k].to_f64(),
            },
            None => Lin::default(),
        }
    }

    /// Drawdown − deposit, in yen.
    fn net_drawdown(&self) -> Lin {
        let m = &self.model;
        Lin { terms: vec![(m.drawdown + self.offset, m.scale), (m.deposit + self.offset, -m.scale)], constant: 0.0 }
    }
}

/// A path row of the joint model.
struct PathRow {
    row: usize,
    kind: ConstraintKind,
    year: usize,
    /// What the row's yen sum is divided by to give the ratio's excess: n × denominator for the
    /// n-year mean of the real debt-service ratio, the denominator for the future burden ratio.
    per_point: f64,
}

struct Joint {
    model: Model,
    parts: Vec<YearPart>,
    path: Vec<PathRow>,
}

fn to_f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Each year's scenario with the plan's per-year limits: the escalated investment cap and, when the
/// bond balance may not rise, issuance ≤ redemption.
fn limited(plan: &Plan, y: &PlanYear) -> Scenario {
    let mut sc = y.scenario.clone();
    if let Some(cap) = y.investment_cap {
        sc.policy.investment_cap = sc.policy.investment_cap.min(cap);
    }
    if plan.bond_balance_not_rising {
        sc.bonds.issuance_cap = sc.bonds.issuance_cap.min(sc.bonds.redemption);
    }
    sc
}

/// Reviews, optimises the plan's years together and allocates each year exactly.
pub fn run_plan(plan: &Plan, options: &Options) -> Result<PlanOutcome> {
    run_plan_reviewed(plan, &review_plan(plan)?, options)
}

/// [`run_plan`] with each year's review already made ([`review_plan`]), in plan order.
pub fn run_plan_reviewed(plan: &Plan, reviews: &[Review], options: &Options) -> Result<PlanOutcome> {
    run_plan_by(plan, reviews, options, &mut |_, sc, review| allocate::allocate(sc, review, options))
}

/// How a plan allocates each year once the year has its share of the coupled limits and the
/// balances carried over: `(year index, the year's scenario, its review)` → the year's allocation.
/// The allocation model in central mode; envelopes and then each bureau's own policy in autonomous
/// mode ([`crate::autonomy`]). It must keep the year's limits (the plan re-checks its path in yen).
pub type YearAllocator<'a> = dyn FnMut(usize, &Scenario, &Review) -> Result<Allocation> + 'a;

/// [`run_plan_reviewed`], each year allocated by `allocate_year`: the joint optimum gives each
/// year its share of the coupled limits, then every year is allocated in order, the fund and bond
/// balances carried from one year's allocation to the next, and the fiscal health and the path
/// are computed from those allocations.
pub fn run_plan_by(
    plan: &Plan,
    reviews: &[Review],
    options: &Options,
    allocate_year: &mut YearAllocator<'_>,
) -> Result<PlanOutcome> {
    let base: Vec<Scenario> = plan.years.iter().map(|y| limited(plan, y)).collect();
    let coupled = plan.years.len() > 1 || base.iter().any(|s| s.fiscal.is_some());
    let mut finals = base.clone();
    let mut binding = Vec::new();
    if coupled {
        let joint = build_joint(plan, &base, reviews)?;
        precheck(plan, &joint, &base)?;
        let values = match allocate::solve_values(&joint.model, *options) {
            Ok(v) => v,
            Err(None) => return Err(diagnose_joint(plan, &joint, &base, reviews, options)),
            Err(Some(reason)) => {
                return Err(Error::input(
                    Diagnostic::error(format!("the plan could not be optimised: the solver stopped ({reason})"))
                        .hint("try `--solver microlp` or `--solver clarabel`"),
                ));
            }
        };
        binding = apply_shares(plan, &joint, &values, &mut finals);
    }

    // Each year exactly, in order, balances carried over.
    let mut allocations: Vec<Allocation> = Vec::with_capacity(finals.len());
    let mut health = Vec::with_capacity(finals.len());
    let mut history = History::default();
    if let Some(f) = base[0].fiscal.as_ref() {
        history.single_year_ratios = f.real_debt_service_history.clone();
    }
    let constraints = base.iter().any(|s| s.fiscal.is_some());
    for (t, sc) in finals.iter_mut().enumerate() {
        if let Some(prev) = allocations.last() {
            sc.fund.balance = prev.fund_balance_end;
            sc.bonds.balance = prev.bond_balance_end;
        }
        let allocation = allocate_year(t, sc, &reviews[t]).map_err(|e| in_year(e, plan.years[t].year))?;
        let h = if t == 0 && plan.years.len() == 1 {
            year_health(sc, &allocation, &History::default(), constraints)
        } else {
            let mut hist = history.clone();
            if t == 0 {
                hist.single_year_ratios.clear();
            }
            year_health(sc, &allocation, &hist, constraints)
        };
        if let Some(r) = h.real_debt_service_ratio_single_year {
            history.single_year_ratios.push(r.0);
        }
        let rate = sc.fiscal.as_ref().map_or(Decimal::ZERO, |f| f.new_issue_rate);
        history.issuance.push((allocation.bond_issuance, rate));
        health.push(h);
        allocations.push(allocation);
    }

    let path = path_checks(plan, &finals, &allocations, &binding);
    let fiscal_health = FiscalHealth { years: health };
    let mut violations: Vec<String> =
        path.iter().filter(|c| !c.holds).map(|c| format!("{}: {} {} {}", c.label, c.value, c.sense, c.limit)).collect();
    violations.extend(fiscal_health.violations());
    Ok(PlanOutcome {
        city: plan.city.clone(),
        plan: plan.name.clone(),
        years: plan.years.iter().map(|y| y.year).collect(),
        next_generation_total: allocations.iter().map(|a| a.next_generation).sum(),
        next_generation_target: plan.next_generation_target,
        path,
        fiscal_health,
        violations,
        allocations,
        display_unit: plan.display_unit,
        multi_year: plan.multi_year,
        city_limits: city_limits(&base[0]),
    })
}

fn city_limits(sc: &Scenario) -> [Option<Decimal>; 3] {
    sc.fiscal
        .as_ref()
        .map_or([None; 3], |f| [f.real_debt_service_limit, f.future_burden_limit, f.ordinary_balance_limit])
}

/// The outcome of a single-year allocation made without the plan machinery (no `[fiscal]`): its
/// balances and fiscal gap; no ratios.
pub fn single_outcome(sc: &Scenario, allocation: Allocation) -> PlanOutcome {
    let h = year_health(sc, &allocation, &History::default(), false);
    let fiscal_health = FiscalHealth { years: vec![h] };
    PlanOutcome {
        city: sc.city.clone(),
        plan: sc.name.clone(),
        years: vec![sc.fiscal_year],
        next_generation_total: allocation.next_generation,
        next_generation_target: sc.policy.next_generation_target,
        path: Vec::new(),
        violations: fiscal_health.violations(),
        fiscal_health,
        allocations: vec![allocation],
        display_unit: sc.display_unit,
        multi_year: false,
        city_limits: city_limits(sc),
    }
}

fn in_year(e: Error, year: i32) -> Error {
    match e {
        Error::Infeasible(d) => Error::Infeasible(Box::new(d.note(format!("in FY{year} of the plan")))),
        other => other,
    }
}

/// The years' models side by side, with the path rows.
fn build_joint(plan: &Plan, base: &[Scenario], reviews: &[Review]) -> Result<Joint> {
    let mut parts = Vec::with_capacity(base.len());
    let mut offset = 0;
    for (sc, review) in base.iter().zip(reviews) {
        // The fund floor is a path row; inside a year only the drawdown limit remains.
        let mut s = sc.clone();
        s.fund.balance = s.fund.floor + s.fund.max_drawdown;
        let model = Model::build(&s, review).map_err(|e| in_year(e, sc.fiscal_year))?;
        let n = model.vars.len();
        parts.push(YearPart { model, offset });
        offset += n;
    }
    let scale = parts.iter().map(|p| p.model.scale).fold(1.0, f64::max);
    let mut vars: Vec<Var> = Vec::with_capacity(offset);
    let mut rows: Vec<Row> = Vec::new();
    for (t, p) in parts.iter().enumerate() {
        // A later year's value weighs a hair less, so equal priorities are funded earlier, uniquely.
        let weight = p.model.scale / scale * (1.0 - 1e-9 * t as f64);
        for v in &p.model.vars {
            let mut v = v.clone();
            v.name = format!("fy{}.{}", base[t].fiscal_year, v.name);
            v.obj *= weight;
            vars.push(v);
        }
        for r in &p.model.rows {
            rows.push(Row {
                name: format!("fy{}.{}", base[t].fiscal_year, r.name),
                limit: r.limit,
                terms: r.terms.iter().map(|&(v, c)| (v + p.offset, c)).collect(),
                sense: r.sense,
                rhs: r.rhs,
            });
        }
    }
    let mut model = parts[0].model.clone();
    model.scale = scale;
    model.vars = vars;
    model.rows = rows;
    // Only `vars`, `rows` and `scale` are read when the joint model is solved.
    model.row_of.clear();
    let mut joint = Joint { model, parts, path: Vec::new() };

    let f0 = base[0].fund.balance;
    let b0 = base[0].bonds.balance;
    let mut net = Lin::default();
    for (t, sc) in base.iter().enumerate() {
        net.add(&joint.parts[t].net_drawdown(), 1.0);
        let rhs = to_f((f0 - sc.fund.floor).as_decimal());
        push_path(
            &mut joint,
            format!("fund_floor.{}", sc.fiscal_year),
            ConstraintKind::PlanFundFloor { year: sc.fiscal_year },
            t,
            &net.clone(),
            Sense::Le,
            rhs,
            1.0,
        );
    }
    if !plan.next_generation_target.is_zero() {
        let mut ng = Lin::default();
        for p in &joint.parts {
            ng.add(&p.limit(Limit::NextGeneration), 1.0);
        }
        let rhs = plan.next_generation_target.to_f64();
        let last = base.len() - 1;
        let kind = ConstraintKind::PlanNextGeneration;
        push_path(&mut joint, "next_generation".into(), kind, last, &ng, Sense::Ge, rhs, 1.0);
    }
    if base.iter().all(|s| s.fiscal.is_some()) {
        add_ratio_rows(&mut joint, base, b0, f0);
    }
    Ok(joint)
}

#[allow(clippy::too_many_arguments)]
fn push_path(
    joint: &mut Joint,
    name: String,
    kind: ConstraintKind,
    year: usize,
    lin: &Lin,
    sense: Sense,
    rhs_yen: f64,
    per_point: f64,
) {
    let s = joint.model.scale;
    joint.model.rows.push(Row {
        name,
        // Unused in the joint model (it is never explained row by row); path rows carry their kind.
        limit: Limit::Balance,
        terms: lin.terms.iter().map(|&(v, c)| (v, c / s)).collect(),
        sense,
        rhs: (rhs_yen - lin.constant) / s,
    });
    joint.path.push(PathRow { row: joint.model.rows.len() - 1, kind, year, per_point });
}

/// The 3-year mean real debt-service ratio and the future burden ratio of every year, as rows.
fn add_ratio_rows(joint: &mut Joint, base: &[Scenario], b0: Money, f0: Money) {
    let issuance: Vec<Lin> = joint.parts.iter().map(|p| p.limit(Limit::IssuanceCap)).collect();
    let empty = History::default();
    // The single-year numerator of year u, in yen: constant + Σ_{s≤u} rate × issuance_s.
    let numerator = |u: usize| -> Lin {
        let mut lin =
            Lin { terms: Vec::new(), constant: debt_service_constant(&base[u], &empty).map_or(0.0, |m| m.to_f64()) };
        for s in 0..=u {
            let rate = base[s].fiscal.as_ref().map_or(Decimal::ZERO, |f| f.new_issue_rate);
            let a = if s == u { rate / Decimal::TWO } else { rate };
            lin.add(&issuance[s], to_f(a));
        }
        lin
    };
    let den = |u: usize| base[u].fiscal.as_ref().map_or(1.0, |f| f.ratio_denominator().to_f64());
    let stated = base[0].fiscal.as_ref().map(|f| f.real_debt_service_history.clone()).unwrap_or_default();
    let mut balance_path = Lin::default();
    let mut redeemed = Money::ZERO;
    for (t, sc) in base.iter().enumerate() {
        let Some(f) = sc.fiscal.as_ref() else { continue };
        // Window: up to two entries before t (stated history before the plan, then plan years).
        let plan_years: Vec<usize> = (t.saturating_sub(2)..=t).collect();
        let from_history = 3usize.saturating_sub(plan_years.len()).min(stated.len());
        let hist: Vec<Decimal> = stated.iter().rev().take(from_history).copied().collect();
        let n = (plan_years.len() + hist.len()) as f64;
        let mut limit = DEBT_SERVICE_EARLY - HARD_LIMIT_MARGIN;
        if let Some(city) = f.real_debt_service_limit {
            limit = limit.min(city);
        }
        let d_t = den(t);
        let mut lin = Lin::default();
        for &u in &plan_years {
            lin.add(&numerator(u), d_t / den(u));
        }
        let rhs = d_t * (n * to_f(limit) - hist.iter().map(|&h| to_f(h)).sum::<f64>());
        push_path(
            joint,
            format!("real_debt_service.{}", sc.fiscal_year),
            ConstraintKind::RealDebtService { year: sc.fiscal_year },
            t,
            &lin,
            Sense::Le,
            rhs,
            n * d_t,
        );

        // Future burden: bond balance − fund balance + constant ≤ limit × denominator.
        redeemed += sc.bonds.redemption;
        balance_path.add(&issuance[t], 1.0);
        balance_path.add(&joint.parts[t].net_drawdown(), 1.0);
        let mut fb = balance_path.clone();
        fb.constant += (b0 - redeemed - f0 + future_burden_constant(sc).unwrap_or_default()).to_f64();
        let mut limit = FUTURE_BURDEN_EARLY - HARD_LIMIT_MARGIN;
        if let Some(city) = f.future_burden_limit {
            limit = limit.min(city);
        }
        push_path(
            joint,
            format!("future_burden.{}", sc.fiscal_year),
            ConstraintKind::FutureBurden { year: sc.fiscal_year },
            t,
            &fb,
            Sense::Le,
            to_f(limit) * d_t,
            d_t,
        );
    }
}

/// A statutory ratio's row (the real debt-service ratio or the future burden ratio).
fn is_ratio(kind: &ConstraintKind) -> bool {
    matches!(kind, ConstraintKind::RealDebtService { .. } | ConstraintKind::FutureBurden { .. })
}

/// The least value a row's expression can take within the variables' bounds (scaled units).
fn least(model: &Model, row: &Row) -> f64 {
    row.terms
        .iter()
        .map(|&(v, c)| {
            let var = &model.vars[v];
            (c * var.lo).min(c * var.hi)
        })
        .sum()
}

/// A ratio limit that cannot hold even at the least issuance the review allows fails here, with
/// its reason: the ratio is set by past borrowing, not by this plan's decisions.
fn precheck(plan: &Plan, joint: &Joint, base: &[Scenario]) -> Result<()> {
    for p in &joint.path {
        if !is_ratio(&p.kind) {
            continue;
        }
        let row = &joint.model.rows[p.row];
        let low = least(&joint.model, row);
        if low <= row.rhs + 1e-9 * row.rhs.abs().max(1.0) {
            continue;
        }
        let sc = &base[p.year];
        let s = joint.model.scale;
        let debt_service = matches!(p.kind, ConstraintKind::RealDebtService { .. });
        let (what, limit_words, threshold) = match debt_service {
            true => (
                "the 3-year real debt-service ratio (実質公債費比率)",
                "early-soundness threshold (早期健全化基準)",
                DEBT_SERVICE_EARLY,
            ),
            _ => (
                "the future burden ratio (将来負担比率)",
                "early-soundness threshold (早期健全化基準, 400% unverified)",
                FUTURE_BURDEN_EARLY,
            ),
        };
        // Row: Σ ≤ rhs with rhs = limit·den − constant; at the least issuance the mean is (low − rhs)/den above the limit.
        let over = (low - row.rhs) * s / p.per_point;
        let city = sc.fiscal.as_ref().and_then(|x| match debt_service {
            true => x.real_debt_service_limit,
            _ => x.future_burden_limit,
        });
        let limit = match city {
            Some(c) => c.min(threshold - HARD_LIMIT_MARGIN),
            None => threshold - HARD_LIMIT_MARGIN,
        };
        let at_least = to_f(limit) + over;
        let mut d = Diagnostic::error(format!(
            "{what} of FY{} would be at least {:.1}% even at the least bond issuance the review allows",
            sc.fiscal_year,
            (at_least * 1000.0).floor() / 10.0
        ))
        .at_opt(sc.fiscal.as_ref().and_then(|x| x.location.clone()))
        .note(format!(
            "waku holds it at {} or less: the {limit_words} is {}{}",
            share_as_written(limit),
            share_as_written(threshold),
            match city {
                Some(c) => format!(", the city's own limit {}", share_as_written(c)),
                None => String::new(),
            }
        ));
        if debt_service {
            d = d.note(format!(
                "debt service set by past borrowing: redemption {}, interest {}, other {}, 準元利償還金 {}",
                sc.bonds.redemption.format(plan.display_unit),
                sc.fiscal.as_ref().map_or(Money::ZERO, |x| x.interest).format(plan.display_unit),
                sc.fiscal.as_ref().map_or(Money::ZERO, |x| x.other_debt_service).format(plan.display_unit),
                sc.fiscal.as_ref().map_or(Money::ZERO, |x| x.quasi_debt_service).format(plan.display_unit),
            ));
        }
        return Err(Error::Infeasible(Box::new(d.hint(
            "a plan's own issuance cannot bring it under the line: the city needs a fiscal soundness plan (財政健全化計画); check the redemption schedule and `[fiscal]` inputs",
        ))));
    }
    Ok(())
}

/// Which path rows bind at the joint optimum, and each year's share of the binding coupled limits.
fn apply_shares(plan: &Plan, joint: &Joint, x: &[f64], finals: &mut [Scenario]) -> Vec<ConstraintKind> {
    let m = &joint.model;
    let gr = finals.iter().map(|s| s.revenue.general_revenue.to_f64()).fold(1.0, f64::max);
    let tol = 1e-6 * gr / m.scale;
    let eval = |lin: &Lin| lin.constant + lin.terms.iter().map(|&(v, c)| c * x[v]).sum::<f64>();
    let mut kinds = Vec::new();
    for p in &joint.path {
        let row = &m.rows[p.row];
        let act = m.row_activity(row, x);
        if (act - row.rhs).abs() <= tol {
            kinds.push(p.kind.clone());
        }
    }
    let unit = |sc: &Scenario| Money::from_decimal(sc.rounding_unit.factor()).max(Money::yen(1));
    if kinds.contains(&ConstraintKind::PlanNextGeneration) {
        let mut shares: Vec<Money> = Vec::new();
        let mut room: Vec<Money> = Vec::new();
        for (t, sc) in finals.iter().enumerate() {
            let lin = joint.parts[t].limit(Limit::NextGeneration);
            let u = unit(sc);
            let v = Money::from_f64(eval(&lin)).unwrap_or_default();
            let g = v.to_grid(u, Grid::Nearest);
            let most =
                lin.constant + lin.terms.iter().map(|&(v, c)| (c * m.vars[v].hi).max(c * m.vars[v].lo)).sum::<f64>();
            room.push(Money::from_f64(most).unwrap_or_default() - g);
            shares.push(g);
        }
        let total: Money = shares.iter().copied().sum();
        let short = plan.next_generation_target - total;
        if short > Money::ZERO {
            if let Some((t, _)) = room.iter().enumerate().max_by_key(|&(_, r)| *r) {
                let u = unit(&finals[t]);
                shares[t] += short.to_grid(u, Grid::Up);
            }
        }
        for (sc, g) in finals.iter_mut().zip(shares) {
            sc.policy.next_generation_target = sc.policy.next_generation_target.max(g);
        }
    }
    if kinds.iter().any(|k| matches!(k, ConstraintKind::PlanFundFloor { .. } | ConstraintKind::FutureBurden { .. })) {
        for (t, sc) in finals.iter_mut().enumerate() {
            let p = &joint.parts[t];
            let d = x[p.model.drawdown + p.offset] * p.model.scale;
            let d = Money::from_f64(d.max(0.0)).unwrap_or_default();
            let up = d.to_grid(unit(sc), Grid::Up);
            sc.fund.max_drawdown = sc.fund.max_drawdown.min(up);
        }
    }
    if kinds.iter().any(is_ratio) {
        for (t, sc) in finals.iter_mut().enumerate() {
            let lin = joint.parts[t].limit(Limit::IssuanceCap);
            let i = Money::from_f64(eval(&lin).max(0.0)).unwrap_or_default();
            let down = i.to_grid(unit(sc), Grid::Down);
            let fixed = Money::from_f64(lin.constant).unwrap_or_default();
            sc.bonds.issuance_cap = sc.bonds.issuance_cap.min(down.max(fixed));
        }
    }
    kinds
}

/// The path limits, exactly in yen; `binding` are the kinds of the path rows that bind at the
/// joint optimum.
fn path_checks(
    plan: &Plan,
    finals: &[Scenario],
    allocations: &[Allocation],
    binding: &[ConstraintKind],
) -> Vec<PathCheck> {
    let mut out = Vec::new();
    let check = |kind: ConstraintKind, name: String, sense: Sense, limit: Money, value: Money, binding: bool| {
        let holds = match sense {
            Sense::Le => value <= limit,
            Sense::Ge => value >= limit,
            Sense::Eq => value == limit,
        };
        PathCheck { name, label: kind.label(), sense, limit, value, holds, binding, kind }
    };
    for (t, (sc, a)) in finals.iter().zip(allocations).enumerate() {
        let fy = plan.years[t].year;
        let kind = ConstraintKind::PlanFundFloor { year: fy };
        let binds = binding.contains(&kind);
        out.push(check(kind, format!("fund_floor.{fy}"), Sense::Ge, sc.fund.floor, a.fund_balance_end, binds));
        if plan.bond_balance_not_rising {
            out.push(check(
                ConstraintKind::BondNotRising { year: fy },
                format!("bond_not_rising.{fy}"),
                Sense::Le,
                a.bond_balance_start,
                a.bond_balance_end,
                a.bond_issuance == a.bond_redemption,
            ));
        }
        // The year's own cap, already lowered to the plan's escalated cap (`limited`).
        let cap = sc.policy.investment_cap;
        out.push(check(
            ConstraintKind::PlanInvestmentCap { year: fy },
            format!("investment_cap.{fy}"),
            Sense::Le,
            cap,
            a.investment,
            a.investment == cap,
        ));
    }
    if !plan.next_generation_target.is_zero() {
        let total: Money = allocations.iter().map(|a| a.next_generation).sum();
        let kind = ConstraintKind::PlanNextGeneration;
        let binds = binding.contains(&kind);
        out.push(check(kind, "next_generation".into(), Sense::Ge, plan.next_generation_target, total, binds));
    }
    out
}

/// Why the joint model has no solution: a year that fails on its own, else the path limits.
fn diagnose_joint(plan: &Plan, joint: &Joint, base: &[Scenario], reviews: &[Review], options: &Options) -> Error {
    for (t, sc) in base.iter().enumerate() {
        if let Err(e) = allocate::allocate(sc, &reviews[t], options) {
            return in_year(e, plan.years[t].year);
        }
    }
    let mut d = Diagnostic::error("the plan's limits cannot all hold together, though each year can on its own");
    let m = &joint.model;
    for p in &joint.path {
        let row = &m.rows[p.row];
        if p.kind == ConstraintKind::PlanNextGeneration {
            let most: f64 = row.terms.iter().map(|&(v, c)| (c * m.vars[v].hi).max(c * m.vars[v].lo)).sum();
            let short = (row.rhs - most) * m.scale;
            if short > 0.0 {
                d = d.note(format!(
                    "the next-generation frame can reach at most {} over the plan; the target is {} (short by {})",
                    (plan.next_generation_target - Money::from_f64(short).unwrap_or_default())
                        .format(plan.display_unit),
                    plan.next_generation_target.format(plan.display_unit),
                    Money::from_f64(short).unwrap_or_default().format(plan.display_unit)
                ));
            }
        }
    }
    d = d.note(
        "the years are linked by the fund floor at every year end, the cumulative next-generation frame and the ratio limits",
    );
    Error::Infeasible(Box::new(d.hint(
        "lower the cumulative `plan.next_generation_target`, raise a year's `fund.max_drawdown`, or allow more drawdown before the floor",
    )))
}
