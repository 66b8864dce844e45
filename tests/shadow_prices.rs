//! Shadow prices are true: every price reported on a binding limit is the one a re-solve with the
//! limit moved by one unit supports. For each binding limit the LP (all-or-nothing choices fixed
//! at the optimum) is solved again with the limit one unit ([`prices::delta`]) up and one down.
//! The value of the allocation is concave in a limit, so a true price lies between the two
//! one-sided differences; and on a degenerate limit, where the two differ, the price is the one of
//! the side that loosens it (a cap raised, a floor lowered, more general revenue). Rows with no
//! variable that can move are never reported binding.
//!
//! Cases: every bundled year scenario (every binding row), each year of the bundled plan
//! (kitakyushu-2024-2026, as the plan allocated it, also at revenue −3%), generated cities (`waku generate`,
//! a sample of rows), and degenerate zero limits: a fund drawdown limit of 0 that drawing cannot
//! help (`last_resort`) and one it can (`before_cuts`), and `draw = "never"`, whose 0 ≤ 0 cap
//! has nothing free.

use std::path::Path;

use waku::allocate::prices::{delta, fixed_choices, loosening};
use waku::allocate::{Allocation, Model, Options, Solver, solve_values};
use waku::pipeline::{self, Allocated};
use waku::scenario::FundDraw;

mod common;

struct Case {
    model: Model,
    allocation: Allocation,
    draw: FundDraw,
}

fn case(path: &Path, sets: &[&str]) -> Case {
    let mut options = pipeline::Options::default();
    options.load.set = sets.iter().map(|s| s.to_string()).collect();
    let outcome = pipeline::run_path(path, &options).unwrap_or_else(|e| panic!("{path:?}: {e:?}"));
    let sc = outcome.input.scenario().expect("a year");
    let review = &outcome.reviews[0];
    let allocation = match outcome.allocated.as_ref() {
        Some(Allocated::Central(o)) => o.allocations[0].clone(),
        _ => panic!("{path:?}: no central allocation"),
    };
    Case { model: Model::build(sc, review).expect("model"), allocation, draw: sc.fund.draw }
}

fn optimum(lp: &Model) -> Option<f64> {
    let options = Options { solver: Solver::Microlp, ..Options::default() };
    solve_values(lp, options).ok().map(|x| lp.objective(&x))
}

/// Checks the prices of `case`'s binding rows (every `stride`-th one); returns how many.
fn check(name: &str, case: &Case, stride: usize) -> usize {
    let (model, a) = (&case.model, &case.allocation);
    let lp = fixed_choices(model, &a.lp_values);
    let base = optimum(&lp).expect("the optimum again");
    let d = delta(model);
    let mut checked = 0;
    for (k, c) in a.constraints.iter().enumerate() {
        let row = &model.rows[k];
        assert_eq!(row.name, c.name);
        let free = row.terms.iter().any(|&(v, coef)| {
            let var = &model.vars[v];
            coef != 0.0 && !var.integer && var.lo < var.hi && !(v == model.drawdown && case.draw == FundDraw::Never)
        });
        if !free {
            assert!(!c.binding, "{name}: `{}` has nothing free but is reported binding", c.name);
            continue;
        }
        if !c.binding {
            assert_eq!(c.shadow_price, Some(0.0), "{name}: `{}` not binding, priced", c.name);
            continue;
        }
        checked += 1;
        if checked % stride != 0 {
            continue;
        }
        let p = c.shadow_price.expect("a price");
        // One-sided differences: d(objective)/d(limit) moving the limit up, and down.
        let side = |s: f64| {
            let mut m = lp.clone();
            m.rows[k].rhs += s * d;
            optimum(&m).map(|o| (o - base) / (s * d))
        };
        let (up, down) = (side(1.0), side(-1.0));
        let tol = 1e-5 * p.abs().max(1.0);
        // Concave in the limit: d⁺ ≤ price ≤ d⁻ (a side that cannot move bounds nothing).
        if let Some(up) = up {
            assert!(p >= up - tol, "{name}: `{}` price {p} below the difference upwards {up}", c.name);
        }
        if let Some(down) = down {
            assert!(p <= down + tol, "{name}: `{}` price {p} above the difference downwards {down}", c.name);
        }
        let loose = if loosening(row.sense) > 0.0 { up } else { down };
        let loose = loose.unwrap_or_else(|| panic!("{name}: `{}` cannot be loosened", c.name));
        assert!(
            (p - loose).abs() <= tol,
            "{name}: `{}` price {p}, but loosening it by one unit gives {loose} (up {up:?}, down {down:?})",
            c.name
        );
    }
    checked
}

fn root(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn every_binding_price_of_the_bundled_scenarios_is_what_a_re_solve_gives() {
    let mut rows = 0;
    for file in [
        "scenarios/kitakyushu-r6.toml",
        "scenarios/kitakyushu-r7.toml",
        "scenarios/kitakyushu-r8.toml",
        "scenarios/kitakyushu-r8-revenue-down.toml",
        "scenarios/kumamoto-r8.toml",
    ] {
        rows += check(file, &case(&root(file), &[]), 1);
    }
    // Revenue −3%: the fund is drawn to its limit, and more floors bind.
    rows += check("r8 at −3%", &case(&root("scenarios/kitakyushu-r8.toml"), &["revenue.general_revenue=4,221億円"]), 1);
    assert!(rows >= 25, "{rows} binding rows checked");
}

#[test]
fn a_zero_fund_limit_is_priced_by_what_raising_it_would_do() {
    let r8 = root("scenarios/kitakyushu-r8.toml");
    let down = "revenue.general_revenue=4,221億円";
    // Drawing only as a last resort: raising a zero limit cannot help, the price is 0.
    let last = case(&r8, &[down, "fund.max_drawdown=0", "fund.draw=last_resort"]);
    check("zero limit, last_resort", &last, 1);
    let c = last.allocation.constraint(|k| k.label() == "fund drawdown limit").expect("fund_drawdown");
    assert!(c.binding, "0 ≤ 0 with the drawdown free to move");
    assert_eq!(c.shadow_price, Some(0.0), "a limit that cannot help");
    // Before cuts: programs worth more than the reserve are short, raising it would draw for them.
    let before = case(&r8, &[down, "fund.max_drawdown=0"]);
    check("zero limit, before_cuts", &before, 1);
    let c = before.allocation.constraint(|k| k.label() == "fund drawdown limit").expect("fund_drawdown");
    assert!(c.shadow_price.is_some_and(|p| p > 0.1), "{c:?}");
    // Never drawn: the 0 ≤ 0 cap has nothing free and is not binding.
    let never = case(&r8, &[down, "fund.draw=never"]);
    check("never", &never, 1);
    let c = never.allocation.constraints.iter().find(|c| c.name == "fund_drawdown").expect("fund_drawdown");
    assert!(!c.binding && c.shadow_price == Some(0.0), "{c:?}");
}

#[test]
fn generated_cities_price_their_binding_limits_truly() {
    let dir = common::temp_dir("shadow-prices");
    let mut rows = 0;
    for (programs, departments, seed) in [(400, 8, 3), (600, 12, 5), (300, 6, 9)] {
        let out = dir.join(format!("city{seed}"));
        let spec = waku::generate::CitySpec { programs, departments, seed };
        let path = waku::generate::write_city(&spec, &out).expect("generate");
        rows += check(&format!("generated seed {seed}"), &case(&path, &[]), 1);
        // Tighter: revenue short by a tenth, so floors and the fund bind.
        let text = std::fs::read_to_string(&path).expect("scenario");
        let revenue: i64 = text
            .lines()
            .find_map(|l| l.strip_prefix("general_revenue = \"").and_then(|r| r.trim_end_matches('"').parse().ok()))
            .expect("general_revenue");
        let set = format!("revenue.general_revenue={}", revenue / 10 * 9);
        rows += check(&format!("generated seed {seed}, −10%"), &case(&path, &[&set]), 1);
    }
    assert!(rows >= 6, "{rows} binding rows checked");
}

#[test]
fn every_binding_price_of_each_year_of_the_bundled_plan_is_what_a_re_solve_gives() {
    // Each year of a plan is allocated with its share of the plan's coupled limits and the fund and
    // bond balances carried from the year before; the prices are those of that year's allocation,
    // so the re-solve starts from the very scenario the year was allocated with.
    for sets in [&[][..], &["revenue.general_revenue=4,221億円"][..]] {
        let load =
            waku::scenario::LoadOptions { set: sets.iter().map(|s| s.to_string()).collect(), ..Default::default() };
        let input = pipeline::load(&root("scenarios/kitakyushu-2024-2026.toml"), &load).expect("the plan");
        let plan = input.plan().expect("a plan");
        let reviews = waku::fiscal::review_plan(plan).expect("reviews");
        let options = Options::default();
        let mut years: Vec<(waku::scenario::Scenario, Allocation)> = Vec::new();
        let outcome = waku::fiscal::run_plan_by(plan, &reviews, &options, &mut |_, sc, review| {
            let a = waku::allocate::allocate(sc, review, &options)?;
            years.push((sc.clone(), a.clone()));
            Ok(a)
        })
        .expect("the plan runs");
        assert_eq!(years.len(), 3);
        let mut rows = 0;
        for (t, (sc, allocation)) in years.into_iter().enumerate() {
            assert_eq!(allocation.lp_values, outcome.allocations[t].lp_values, "the year as the plan ran it");
            let name = format!("kitakyushu-2024-2026 FY{} {sets:?}", sc.fiscal_year);
            let case = Case { model: Model::build(&sc, &reviews[t]).expect("model"), allocation, draw: sc.fund.draw };
            rows += check(&name, &case, 1);
        }
        assert!(rows >= 6, "{sets:?}: {rows} binding rows checked");
    }
}
