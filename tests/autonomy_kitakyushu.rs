//! Autonomous mode on the Kitakyushu example: snapshots in both modes, the identities, the 50% → 80%
//! retention overlay moving exactly the expected amount, and bureau policies that over-reach.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;
use waku::autonomy::{self, Autonomous};
use waku::review::{Action, Review};
use waku::rules::Ruleset;
use waku::scenario::{LoadOptions, ProgramKind, Scenario, load_with};
use waku::{Error, Money};

mod common;
use common::waku;

fn yen(v: &Value) -> i128 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("expected a string of whole yen, found {v}"))
}

/// Σ envelopes + reserve = available; each envelope = Σ general revenue of its programs; the
/// per-bureau report agrees with the envelopes.
fn check_identities(json: &Value) {
    let envelopes = json["envelopes"].as_array().expect("envelopes");
    let programs = json["programs"].as_array().expect("programs");
    let total: i128 = envelopes.iter().map(|e| yen(&e["amount"])).sum();
    assert_eq!(total + yen(&json["reserve"]), yen(&json["available"]), "Σ envelopes + reserve = available");
    for e in envelopes {
        let d = e["department"].as_str().expect("department");
        let sum: i128 = programs.iter().filter(|p| p["department"] == d).map(|p| yen(&p["general_revenue"])).sum();
        assert_eq!(sum, yen(&e["amount"]), "envelope of {d} = Σ general revenue of its programs");
    }
    for (d, e) in json["departments"].as_array().expect("departments").iter().zip(envelopes) {
        assert_eq!(d["id"], e["department"]);
        assert_eq!(yen(&d["envelope"]), yen(&e["amount"]));
        assert_eq!(yen(&d["savings_kept"]) + yen(&d["savings_passed_on"]), yen(&d["savings_generated"]));
        assert_eq!(yen(&d["city_envelope"]) + yen(&d["savings_kept"]), yen(&d["envelope"]));
    }
}

#[test]
fn kitakyushu_autonomous_snapshot_and_identities() {
    let (code, stdout, stderr) =
        waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "the bundled bureau policies stay inside the city's limits");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    check_identities(&json);
    let (_, again, _) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--format", "json"]);
    assert_eq!(stdout, again, "deterministic");
    // 妊婦健康診査 is a range in the city's review; 子ども家庭局's policy funds it at one amount.
    let program = |id: &str| json["programs"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    assert_eq!(program("K0227")["held_by"], "bureau_fixed", "the bureau's policy holds it, not the review");
    insta::assert_snapshot!("run-kitakyushu-r8-autonomous", stdout);
}

#[test]
fn kitakyushu_table_and_comparison_snapshots() {
    let (code, table, stderr) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous"]);
    assert_eq!(code, 0, "{stderr}");
    for words in
        ["saved", "kept", "passed on", "envelope", "initiatives", "kodomo_katei 子ども家庭局 — its policy moved"]
    {
        assert!(table.contains(words), "table shows `{words}`");
    }
    insta::assert_snapshot!("run-kitakyushu-r8-autonomous-table", table);
    let (code, compare, stderr) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "compare"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("run-kitakyushu-r8-compare", compare);
    let (code, central, _) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "central", "--format", "json"]);
    assert_eq!(code, 0);
    let (_, default, _) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    assert_eq!(central, default, "central is the default mode");
}

#[test]
fn the_bureau_policies_change_their_internal_allocation() {
    let json = common::waku_json(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--format", "json"]);
    let dept = |id: &str| json["departments"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap().clone();
    for id in ["kodomo_katei", "sangyo_keizai"] {
        let d = dept(id);
        assert!(d["policy"].as_str().unwrap().ends_with(&format!("departments/{id}.rhai")), "{d}");
        assert!(d["programs_moved"].as_u64().unwrap() >= 5, "{id} moved programs: {d}");
    }
    let program = |id: &str| json["programs"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    // 産業経済局: the startup programs are funded to the review's maximum first.
    for id in ["K0303", "K0304"] {
        let p = program(id);
        assert_eq!(yen(&p["allocated"]), yen(&p["max"]), "{id} at its maximum");
    }
    // 子ども家庭局: childcare is protected at the review's maximum.
    for id in ["K0227", "K0228", "K0239", "K0240"] {
        let p = program(id);
        assert_eq!(yen(&p["allocated"]), yen(&p["max"]), "{id} protected");
    }
    // A bureau without a script keeps the city's order.
    assert_eq!(dept("kyoiku")["policy"], "default");
}

fn load(path: &str) -> Scenario {
    let options = LoadOptions { allow_outside_paths: true, ..LoadOptions::default() };
    load_with(Path::new(path), &options).expect("scenario")
}

fn run(sc: &Scenario) -> (Review, Autonomous) {
    let ruleset = Ruleset::for_scenario(sc).expect("rules");
    let review = waku::review::review(sc, &ruleset).expect("review");
    let a = autonomy::run(sc, &review, &ruleset, &autonomy::Options::default()).expect("autonomous");
    (review, a)
}

/// What each bureau may keep under the merit rules, computed here from the definitions (not by waku):
/// own-review actions, general revenue of prior cost − review maximum − natural savings, share rounded down.
fn retained_by_hand(sc: &Scenario, review: &Review) -> BTreeMap<String, Money> {
    let own = [Action::Reduce, Action::Merge, Action::Outsource, Action::Improve, Action::Abolish];
    let mut out: BTreeMap<String, Money> = BTreeMap::new();
    for (p, r) in sc.programs.iter().zip(&review.programs) {
        let a = &r.assessment;
        if p.kind == ProgramKind::Mandatory || !own.contains(&a.action) {
            continue;
        }
        let saving = (p.general_revenue(p.prior_cost)
            - p.general_revenue(a.max.min(p.prior_cost))
            - p.general_revenue(p.attributes.natural_savings))
        .max(Money::ZERO);
        let share = sc.department(&p.department).expect("department").retention_share;
        let kept = Money::from_decimal((saving.as_decimal() * share).floor());
        *out.entry(p.department.clone()).or_insert(Money::ZERO) += kept;
    }
    out
}

#[test]
fn raising_the_retention_share_moves_exactly_the_expected_amount_from_the_reserve() {
    let base = load("scenarios/kitakyushu-r8.toml");
    let overlay = load("tests/fixtures/autonomy/kitakyushu-retention-80.toml");
    assert_eq!(overlay.policy.retention_share, Decimal::new(8, 1));
    let (review50, a50) = run(&base);
    let (review80, a80) = run(&overlay);
    let (hand50, hand80) = (retained_by_hand(&base, &review50), retained_by_hand(&overlay, &review80));

    // What a bureau can spend above level 1 (the same in both runs): its continuous programs that
    // are neither investment nor bond-financed, up to the review's maximum; and its envelope ceiling.
    let limit = |a: &Autonomous, d: usize| -> Money {
        let id = &base.departments[d].id;
        let mut room = Money::ZERO;
        for ((p, r), l1) in base.programs.iter().zip(&review50.programs).zip(&a.level1.programs) {
            let spendable = p.department == *id
                && !matches!(p.kind, ProgramKind::Mandatory | ProgramKind::Investment)
                && !p.all_or_nothing
                && p.bondable_share.is_zero()
                && p.specific_share() < Decimal::ONE
                && r.assessment.min < r.assessment.max;
            if spendable {
                room += (p.general_revenue(r.assessment.max) - p.general_revenue(l1.allocated)).max(Money::ZERO);
            }
        }
        let e = &a.level1.envelopes[d];
        room.min((e.ceiling - e.amount).max(Money::ZERO))
    };
    let mut expected = Money::ZERO;
    for (d, (d50, d80)) in a50.departments.iter().zip(&a80.departments).enumerate() {
        assert_eq!(d50.city_envelope, d80.city_envelope, "{}: level 1 does not depend on the share", d50.id);
        let h50 = hand50.get(&d50.id).copied().unwrap_or_default().min(limit(&a50, d));
        let h80 = hand80.get(&d80.id).copied().unwrap_or_default().min(limit(&a80, d));
        assert_eq!((d50.savings_kept, d80.savings_kept), (h50, h80), "{}", d50.id);
        assert_eq!(d80.envelope - d50.envelope, h80 - h50, "{}", d50.id);
        expected += h80 - h50;
    }
    assert!(expected > Money::yen(1_000_000_000), "a material amount moves: {expected}");
    let (r50, r80) = (&a50.allocation, &a80.allocation);
    assert_eq!(r50.reserve - r80.reserve, expected, "the reserve gives exactly the expected amount");
    let env = |a: &Autonomous| a.allocation.envelopes.iter().map(|e| e.amount).sum::<Money>();
    assert_eq!(env(&a80) - env(&a50), expected, "the bureaus receive exactly the expected amount");
    assert_eq!(r50.available, r80.available);
    assert_eq!(r50.fund_deposit, r80.fund_deposit);
}

#[test]
fn a_bureau_policy_cannot_fund_an_abolished_or_move_a_mandatory_program() {
    let (code, stdout, stderr) = waku(&[
        "run",
        "tests/fixtures/autonomy/funds-abolished-program.toml",
        "--mode",
        "autonomous",
        "--format",
        "json",
        "--allow-outside-paths",
    ]);
    assert_eq!(code, 0, "clamped, not refused: {stderr}");
    insta::assert_snapshot!("funds-abolished-program-stderr", stderr);
    assert!(stderr.contains("funds-abolished-program.rhai:3:39"), "{stderr}");
    assert!(stderr.contains("`K0243` was abolished by the review"), "{stderr}");
    assert!(stderr.contains("funds-abolished-program.rhai:6:15"), "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    check_identities(&json);
    let program = |id: &str| json["programs"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    assert_eq!(yen(&program("K0243")["allocated"]), 0);
    assert_eq!(yen(&program("K0216")["allocated"]), yen(&program("K0216")["requested"]));
}

#[test]
fn a_bureau_policy_that_exceeds_its_envelope_is_an_error_at_the_script() {
    let (code, stdout, stderr) = waku(&[
        "run",
        "tests/fixtures/autonomy/exceeds-envelope.toml",
        "--mode",
        "autonomous",
        "--allow-outside-paths",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("--> tests/fixtures/autonomy/exceeds-envelope.rhai:3:4"), "{stderr}");
    insta::assert_snapshot!("exceeds-envelope-stderr", stderr);
}

#[test]
fn a_retention_share_of_one_hundred_percent_still_keeps_every_limit() {
    let mut sc = load("scenarios/kitakyushu-r8.toml");
    sc.policy.retention_share = Decimal::ONE;
    for d in &mut sc.departments {
        d.retention_share = Decimal::ONE;
    }
    let ruleset = Ruleset::for_scenario(&sc).expect("rules");
    let review = waku::review::review(&sc, &ruleset).expect("review");
    match autonomy::run(&sc, &review, &ruleset, &autonomy::Options::default()) {
        Ok(a) => {
            let json: Value = serde_json::to_value(&a).expect("json");
            check_identities(&json);
            assert!(
                a.allocation.reserve.as_decimal() >= sc.policy.reserve_min_share * a.allocation.available.as_decimal()
            );
        }
        Err(Error::Infeasible(d)) => assert!(d.message.contains("below its minimum"), "{}", d.render()),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn retention_caps_per_program_and_per_bureau_hold() {
    let json = common::waku_json(&[
        "run",
        "scenarios/kitakyushu-r8.toml",
        "--mode",
        "autonomous",
        "--format",
        "json",
        "--set",
        "departments.kyoiku.retention_cap=1億円",
        "--set",
        "policy.retention_cap_per_program=500万円",
    ]);
    check_identities(&json);
    for d in json["departments"].as_array().unwrap() {
        assert!(yen(&d["savings_kept"]) <= 100_000_000 || d["id"] != "kyoiku", "{d}");
    }
    let kyoiku = json["departments"].as_array().unwrap().iter().find(|d| d["id"] == "kyoiku").unwrap();
    assert_eq!(kyoiku["kept_limited_by"], "retention cap");
    let (code, _, stderr) = waku(&[
        "run",
        "scenarios/kitakyushu-r8.toml",
        "--mode",
        "autonomous",
        "--set",
        "policy.retention_cap_per_program=-1円",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`policy.retention_cap_per_program` must not be negative"), "{stderr}");
}

#[test]
fn the_revenue_down_what_if_runs_autonomously_with_every_bureau_policy_applied() {
    // With the fund drawn only as a last resort, 2% less general revenue leaves 子ども家庭局 too
    // little headroom to hold every childcare program at its maximum (drawn before cuts, the
    // fund covers it).
    let (code, stdout, stderr) = waku(&[
        "run",
        "scenarios/kitakyushu-r8-revenue-down.toml",
        "--mode",
        "autonomous",
        "--format",
        "json",
        "--set",
        "fund.draw=last_resort",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "no bureau falls back to level 1, no clamped request");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    check_identities(&json);
    let kodomo = json["departments"].as_array().expect("departments").iter().find(|d| d["id"] == "kodomo_katei");
    let kodomo = kodomo.expect("子ども家庭局");
    assert_eq!(kodomo["fallback"], false);
    assert!(kodomo["programs_moved"].as_u64().unwrap_or(0) > 0, "its own policy moved programs: {kodomo}");
    // Protected as far as the headroom reaches: some childcare held at the review maximum by the
    // bureau (in the base scenario all 15 are), the rest first in its order without a floor.
    let fixed = json["programs"]
        .as_array()
        .expect("programs")
        .iter()
        .filter(|p| p["department"] == "kodomo_katei" && p["held_by"] == "bureau_fixed")
        .count();
    assert!((1..15).contains(&fixed), "{fixed} childcare programs held at their maximum by the bureau");
    let (code, _, stderr) = waku(&["run", "scenarios/kitakyushu-r8-revenue-down.toml", "--mode", "compare"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn the_bundled_bureau_policies_fit_whatever_envelope_the_city_gives() {
    // From 3% less general revenue (the least at which the city's own limits still hold) to 8% more.
    for change in ["-3%", "-2.5%", "-1%", "+1%", "+3%", "+8%"] {
        let set = format!("revenue.general_revenue={change}");
        let (code, _, stderr) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--set", &set]);
        assert_eq!(code, 0, "{change}: {stderr}");
        assert_eq!(stderr, "", "{change}: every bureau's own policy fits its envelope");
    }
}

#[test]
fn autonomous_mode_on_a_plan_budgets_every_year_in_two_levels() {
    let plan = "scenarios/kitakyushu-2024-2026.toml";
    let (code, central, stderr) = waku(&["run", plan, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, auto, stderr) = waku(&["run", plan, "--mode", "autonomous", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_ne!(central, auto, "never the central plan");
    let json: Value = serde_json::from_str(&auto).expect("JSON");
    assert_eq!(json["mode"], "autonomous");
    let years = json["allocations"].as_array().expect("allocations");
    let bureaus = json["bureaus"].as_array().expect("bureaus");
    assert_eq!((years.len(), bureaus.len()), (3, 3));
    for (a, b) in years.iter().zip(bureaus) {
        assert_eq!(a["fiscal_year"], b["year"]);
        assert!(a["solver"].as_str().unwrap_or("").contains("level 2"), "{}", a["solver"]);
        let mut year = a.clone();
        year["departments"] = b["departments"].clone();
        check_identities(&year);
    }
    // Each year opens with the balances the year before closed with, and the path holds.
    for w in years.windows(2) {
        assert_eq!(w[1]["fund_balance_start"], w[0]["fund_balance_end"]);
        assert_eq!(w[1]["bond_balance_start"], w[0]["bond_balance_end"]);
    }
    assert!(json["path"].as_array().expect("path").iter().all(|c| c["holds"] == true), "{}", json["path"]);
    assert_eq!(json["violations"].as_array().map(Vec::len), Some(0));
    let (code, table, stderr) = waku(&["run", plan, "--mode", "compare"]);
    assert_eq!(code, 0, "{stderr}");
    for fy in ["── FY2024", "── FY2025", "── FY2026"] {
        assert!(table.contains(fy), "{fy} in\n{table}");
    }
}

#[test]
fn modes_refuse_what_they_cannot_do_instead_of_falling_back() {
    let (code, stdout, stderr) =
        waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--emit-lp", "/dev/null"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.starts_with("error: `--emit-lp` writes the central allocation model"), "{stderr}");
    let (code, _, stderr) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "compare", "--programs"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: `--programs` lists every program of the central table"), "{stderr}");
    let (code, _, stderr) =
        waku(&["run", "scenarios/kitakyushu-2024-2026.toml", "--mode", "compare", "--format", "html"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: `--format html` writes one allocation; `--mode compare` has two"), "{stderr}");
}
