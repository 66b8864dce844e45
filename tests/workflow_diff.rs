//! `waku diff`: the Kitakyushu base against its revenue-down overlay. Every move is listed
//! largest first and the moves add up, to the yen, to the change in the totals.

use std::path::Path;
use std::process::Command;

use waku::Money;
use waku::pipeline::{self, Options, Outcome};
use waku::whatif::diff;

mod common;
use common::waku;

fn outcome(path: &str) -> Outcome {
    pipeline::run_path(Path::new(path), &Options::default()).expect("scenario runs")
}

#[test]
fn moves_reconcile_to_the_yen_and_come_largest_first() {
    let (base, variant) =
        (outcome("scenarios/kitakyushu-r8.toml"), outcome("scenarios/kitakyushu-r8-revenue-down.toml"));
    let (base, variant) = (base.year().expect("a year"), variant.year().expect("a year"));
    let (a, b) = (base.allocation.expect("feasible"), variant.allocation.expect("feasible"));
    let d = diff::diff(&base, a, &variant, b);

    // Σ of the moves = change in totals, computed here independently of the diff's own check.
    let total = |x: &waku::allocate::Allocation| x.envelopes.iter().map(|e| e.amount).sum::<Money>();
    let gr: Money = d.programs.iter().map(|p| p.general_revenue_change).sum();
    assert_eq!(gr, total(b) - total(a), "Σ program general-revenue moves = change in total envelopes");
    let env: Money = d.envelopes.iter().map(|e| e.change).sum();
    assert_eq!(env + (b.reserve - a.reserve), b.available - a.available, "envelopes + reserve = available");
    let cost: Money = d.programs.iter().map(|p| p.allocated_change).sum();
    assert_eq!(cost, b.total_allocated - a.total_allocated);
    assert!(d.reconciliation.holds(), "{:?}", d.reconciliation);
    // The variant's general revenue is 2% lower; the fund, drawn before cuts, makes up part of it.
    assert_eq!(b.general_revenue - a.general_revenue, Money::parse("-87.04億円").expect("amount"));
    assert_eq!(
        b.available - a.available,
        (b.general_revenue - a.general_revenue) + (b.fund_drawdown - a.fund_drawdown)
            - (b.fund_deposit - a.fund_deposit)
    );

    // Largest first.
    let moves: Vec<Money> = d.programs.iter().map(|p| p.general_revenue_change.abs()).collect();
    assert!(moves.windows(2).all(|w| w[0] >= w[1]), "programs sorted by the size of the move");
    let env_moves: Vec<Money> = d.envelopes.iter().map(|e| e.change.abs()).collect();
    assert!(env_moves.windows(2).all(|w| w[0] >= w[1]), "envelopes sorted by the size of the move");
    assert!(
        !d.programs.is_empty()
            && d.programs.iter().all(|p| !p.allocated_change.is_zero() || !p.general_revenue_change.is_zero())
    );
    // Revenue is not a rule input: no action changes.
    assert!(d.actions.is_empty());
}

#[test]
fn a_scenario_against_itself_moves_nothing() {
    let base = outcome("scenarios/kumamoto-r8.toml");
    let base = base.year().expect("a year");
    let a = base.allocation.expect("feasible");
    let d = diff::diff(&base, a, &base, a);
    assert!(d.is_empty());
    assert!(d.reconciliation.holds());
}

#[test]
fn every_format_of_the_revenue_down_diff() {
    let args = ["diff", "scenarios/kitakyushu-r8.toml", "scenarios/kitakyushu-r8-revenue-down.toml"];
    for format in ["table", "markdown"] {
        let (code, stdout, stderr) = waku(&[&args[..], &["--format", format]].concat());
        assert_eq!(code, 0, "{stderr}");
        assert!(!stdout.contains("DOES NOT RECONCILE"), "{stdout}");
        insta::assert_snapshot!(format!("diff-kitakyushu-r8-revenue-down-{format}"), stdout);
    }
    let (code, stdout, stderr) = waku(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    for i in json["reconciliation"]["identities"].as_array().expect("identities") {
        assert_eq!(i["holds"], true, "{i}");
        assert_eq!(i["sum_of_moves"], i["change_in_total"]);
        assert!(i["sum_of_moves"].is_string(), "money as a string of yen");
    }
    // Every program whose cost or general revenue differs between the two runs, counted independently.
    let run = |path: &str| -> serde_json::Value {
        let (code, stdout, stderr) = waku(&["run", path, "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).expect("JSON")
    };
    let (base, variant) = (run(args[1]), run(args[2]));
    let moved = base["programs"]
        .as_array()
        .expect("programs")
        .iter()
        .zip(variant["programs"].as_array().expect("programs"))
        .filter(|(b, v)| b["allocated"] != v["allocated"] || b["general_revenue"] != v["general_revenue"])
        .count();
    assert!(moved > 50, "the revenue cut moves programs ({moved})");
    assert_eq!(json["programs"].as_array().map(Vec::len), Some(moved), "JSON lists every program that moved");
}

#[test]
fn an_infeasible_side_is_a_diagnosis() {
    let (code, _, stderr) = waku(&["diff", "scenarios/kitakyushu-r8.toml", "tests/fixtures/small-city.toml"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot") && stderr.contains("in the variant `tests/fixtures/small-city.toml`"),
        "{stderr}"
    );
}

/// In Japanese a program's bureau is its name, as a bureau chief reads it; a slack limit shows
/// its value against the limit.
#[test]
fn the_japanese_diff_names_bureaus_and_shows_slack_against_the_limit() {
    let out = Command::new(env!("CARGO_BIN_EXE_waku"))
        .args(["diff", "scenarios/kitakyushu-r8.toml", "scenarios/kitakyushu-r8-revenue-down.toml", "--lang", "ja"])
        .output()
        .expect("waku runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let row = text.lines().find(|l| l.trim_start().starts_with("K0407 ")).expect("K0407 moved");
    assert!(row.contains(" 建設局 ") && !row.contains("kensetsu"), "{row}");
    let fund = text.lines().find(|l| l.trim_start().starts_with("fund_drawdown ")).expect("fund_drawdown changed");
    assert!(fund.contains("余裕あり 27.87（限度 60.00）") && fund.contains("拘束 60.00"), "{fund}");
}
