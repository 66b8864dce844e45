//! Fiscal health and multi-year plans: the Kitakyushu FY2024–2026 plan reproduces the seed's
//! figures, its table is snapshotted, and the 18% / 25% fixtures behave as documented.

use std::path::Path;

use rust_decimal::Decimal;
use waku::Money;
use waku::allocate::Options;
use waku::fiscal;
use waku::scenario::LoadOptions;

mod common;
use common::waku;

fn oku(s: &str) -> Money {
    Money::parse(s).expect("amount")
}

/// Rounds to whole 億円, as the seed states its figures.
fn to_oku(m: Money) -> Decimal {
    (m.as_decimal() / Decimal::from(100_000_000)).round()
}

#[test]
fn kitakyushu_plan_reproduces_the_seed_path() {
    let plan = fiscal::load_plan(Path::new("scenarios/kitakyushu-2024-2026.toml"), &LoadOptions::default())
        .expect("plan loads");
    assert_eq!(plan.years.iter().map(|y| y.year).collect::<Vec<_>>(), vec![2024, 2025, 2026]);
    let o = fiscal::run_plan(&plan, &Options::default()).expect("plan runs");
    assert!(o.violations.is_empty(), "{:?}", o.violations);

    // 次世代投資枠: cumulative ≥ 330億円 (seed 002: 111 + 141 + 105 = 357 secured).
    assert!(o.next_generation_total >= oku("330億円"), "frame {}", o.next_generation_total);
    assert_eq!(o.next_generation_target, oku("330億円"));
    // Investment ≤ the 650億円 level every year (escalated, held under the ceiling).
    for a in &o.allocations {
        assert!(a.investment <= oku("650億円"), "FY{} investment {}", a.fiscal_year, a.investment);
        assert!(a.investment <= a.investment_cap);
    }
    // FY2026: issuance 375億円 and year-end balance 8,030億円, to the 億円 (seed 002).
    let fy2026 = &o.allocations[2];
    assert_eq!(fy2026.fiscal_year, 2026);
    assert_eq!(to_oku(fy2026.bond_issuance), Decimal::from(375));
    assert_eq!(fy2026.bond_balance_start, oku("8,045億円"));
    assert_eq!(to_oku(fy2026.bond_balance_end), Decimal::from(8_030));
    assert_eq!(o.fiscal_health.years[2].bond_balance, fy2026.bond_balance_end);
    // The path: balances carried over, bond balance never rising, fund above its floor.
    for w in o.allocations.windows(2) {
        assert_eq!(w[1].bond_balance_start, w[0].bond_balance_end);
        assert_eq!(w[1].fund_balance_start, w[0].fund_balance_end);
    }
    for a in &o.allocations {
        assert!(a.bond_balance_end <= a.bond_balance_start);
        assert!(a.fund_balance_end >= a.fund_floor);
    }
    assert!(o.path.iter().all(|c| c.holds));
    // Every year is assessed against the thresholds.
    for h in &o.fiscal_health.years {
        assert_eq!(h.status, fiscal::FiscalStatus::Sound, "FY{}", h.year);
        assert!(h.real_debt_service_ratio.is_some() && h.future_burden_ratio.is_some());
    }
}

#[test]
fn the_plans_fy2026_is_the_single_year_fy2026_but_for_what_a_plan_carries() {
    let json = |path: &str| {
        let (code, out, stderr) = waku(&["run", path, "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&out).expect("JSON")
    };
    let plan = json("scenarios/kitakyushu-2024-2026.toml");
    let single = json("scenarios/kitakyushu-r8.toml");
    let (mut in_plan, mut alone) = (plan["allocations"][2].clone(), single.clone());
    // What the plan carries: the fund the year before closed with (README, "The bundled scenarios").
    // The real FY2023 year-end 376億円, less what the fund closed of FY2024's and FY2025's gaps.
    let drawn: i64 = (0..2)
        .map(|t| plan["allocations"][t]["fund_drawdown"].as_str().and_then(|s| s.parse::<i64>().ok()).expect("yen"))
        .sum();
    assert!(drawn > 0, "the default fund policy draws the fund in FY2024–25");
    assert_eq!(in_plan["fund_balance_start"], (37_600_000_000 - drawn).to_string());
    assert_eq!(alone["fund_balance_start"], "34400000000");
    for v in [&mut in_plan, &mut alone] {
        let o = v.as_object_mut().expect("an allocation");
        for carried in ["fund_balance_start", "fund_balance_end", "fiscal_health"] {
            o.remove(carried);
        }
    }
    assert!(in_plan == alone, "the FY2026 allocation differs between the plan and the single year");
    assert_eq!(alone["bond_issuance"], "37461036800");
    let ratios = |h: &serde_json::Value| {
        ["real_debt_service_ratio", "real_debt_service_ratio_single_year", "future_burden_ratio"]
            .map(|k| h[k].as_str().unwrap_or("").to_string())
    };
    assert_eq!(ratios(&plan["fiscal_health"]["years"][2]), ["12.8", "12.7", "136.1"]);
    assert_eq!(ratios(&single["fiscal_health"]["years"][0]), ["12.1", "12.4", "135.9"]);
}

#[test]
fn kitakyushu_plan_table() {
    let (code, stdout, stderr) = waku(&["run", "scenarios/kitakyushu-2024-2026.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("next-generation frame"));
    insta::assert_snapshot!("plan-kitakyushu-2024-2026", stdout);
}

#[test]
fn plan_check_summarises_every_year() {
    let (code, stdout, stderr) = waku(&["check", "scenarios/kitakyushu-2024-2026.toml"]);
    assert_eq!(code, 0, "{stderr}");
    for fy in ["FY2024", "FY2025", "FY2026"] {
        assert!(stdout.contains(&format!("── {fy}")), "{stdout}");
    }
}

#[test]
fn debt_service_at_18_percent_warns_bond_permission() {
    let (code, stdout, stderr) = waku(&["run", "tests/fixtures/fiscal/debt-service-18-warning.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("起債許可団体"), "{stdout}");
    assert!(stdout.contains("bond permission required"), "{stdout}");
    let (code, json, _) = waku(&["run", "--format", "json", "tests/fixtures/fiscal/debt-service-18-warning.toml"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let year = &v["fiscal_health"]["years"][0];
    assert_eq!(year["status"], "bond_permission_required");
    assert_eq!(year["real_debt_service_ratio"], "18.8");
    assert!(year["bond_balance"].as_str().is_some_and(|s| s.parse::<i64>().is_ok()));
}

#[test]
fn debt_service_near_25_percent_is_held_below_it() {
    let (code, stdout, stderr) =
        waku(&["run", "--format", "json", "tests/fixtures/fiscal/debt-service-held-below-25.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let issuance: i64 = v["bond_issuance"].as_str().and_then(|s| s.parse().ok()).expect("issuance");
    assert!(issuance < 1_000_000_000, "issuance cut below the 10億円 request: {issuance}");
    let mean: Decimal =
        v["fiscal_health"]["years"][0]["real_debt_service_ratio"].as_str().and_then(|s| s.parse().ok()).expect("ratio");
    assert!(mean < Decimal::from(25), "{mean}");
    let checks = v["fiscal_health"]["years"][0]["checks"].as_array().expect("checks");
    assert!(checks.iter().any(|c| c["kind"] == "early_soundness" && c["constraint"] == true && c["status"] == "ok"));
}

#[test]
fn debt_service_over_25_percent_fails_with_the_reason() {
    let (code, stdout, stderr) = waku(&["run", "tests/fixtures/fiscal/debt-service-over-25-fails.toml"]);
    assert_eq!(code, 1, "{stdout}");
    let expected =
        std::fs::read_to_string("tests/fixtures/fiscal/debt-service-over-25-fails.stderr").expect("expected stderr");
    assert_eq!(stderr, expected);
}

#[test]
fn bad_plan_inputs_exit_2_with_a_place() {
    let (code, _, stderr) = waku(&["run", "tests/fixtures/fiscal/bad-plan-year-mismatch.toml"]);
    assert_eq!(code, 2, "{stderr}");
    let expected =
        std::fs::read_to_string("tests/fixtures/fiscal/bad-plan-year-mismatch.stderr").expect("expected stderr");
    assert_eq!(stderr, expected);
}

/// `waku diff`, `waku test` and `waku sweep` judge the allocation `waku run` prints on a `[fiscal]`
/// year whose ratio limit binds (they used to allocate it with the plain model: 10億円 of bonds).
#[test]
fn diff_test_and_sweep_agree_with_run_where_a_ratio_limit_binds() {
    let fixture = "tests/fixtures/fiscal/debt-service-held-below-25.toml";
    let (code, json, stderr) = waku(&["run", "--format", "json", fixture]);
    assert_eq!(code, 0, "{stderr}");
    let run: serde_json::Value = serde_json::from_str(&json).expect("json");
    let yen = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<i64>().ok()).expect("yen");
    assert!(yen(&run["bond_issuance"]) < 1_000_000_000, "the ratio limit binds: issuance is cut");
    let envelopes: Vec<(String, i64)> = run["envelopes"]
        .as_array()
        .expect("envelopes")
        .iter()
        .map(|e| (e["department"].as_str().expect("id").to_string(), yen(&e["amount"])))
        .collect();

    // diff: the variant's figures and envelopes are run's.
    let (code, json, stderr) = waku(&["diff", "tests/fixtures/fiscal/_town.toml", fixture, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let diff: serde_json::Value = serde_json::from_str(&json).expect("json");
    for f in diff["figures"].as_array().expect("figures") {
        let name = f["figure"].as_str().expect("figure");
        if let Some(value) = run.get(name) {
            assert_eq!(yen(&f["variant"]), yen(value), "diff's variant {name} = run's");
        }
    }
    for (id, amount) in &envelopes {
        let e = diff["envelopes"].as_array().expect("envelopes").iter().find(|e| e["department"] == *id.as_str());
        assert_eq!(e.map(|e| yen(&e["variant"])), Some(*amount), "diff's envelope of {id} = run's");
    }

    // sweep: the unvaried point is run's allocation.
    let (code, json, stderr) = waku(&["sweep", fixture, "--vary", "revenue=0%", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let sweep: serde_json::Value = serde_json::from_str(&json).expect("json");
    let row = &sweep["rows"][0];
    for name in ["available", "reserve", "investment", "bond_issuance", "bond_balance_end", "fund_drawdown"] {
        assert_eq!(yen(&row[name]), yen(&run[name]), "sweep's {name} = run's");
    }
    for (id, amount) in &envelopes {
        assert_eq!(yen(&row["envelopes"][id.as_str()]), *amount, "sweep's envelope of {id} = run's");
    }

    // test: expectations that hold only for the allocation with the ratio limit held.
    let (code, stdout, stderr) = waku(&["test", "tests/fixtures/fiscal/held-below-25-expectations.toml"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, "2 passed, 0 failed\n");
}
