//! The fund (財源調整用基金) as stated policy, through the real binary: `[fund] draw` decides when it
//! is drawn, and `waku explain … fund_drawdown`, the memo and the JSON say the same about why —
//! the words README quotes.

use std::process::Command;

use serde_json::Value;

const SCENARIO: &str = "scenarios/kitakyushu-r8.toml";
const DOWN_3: &str = "revenue.general_revenue=4,221億円";

fn waku(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_json(sets: &[&str]) -> Value {
    let mut args = vec!["run", SCENARIO, "--format", "json"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let (code, stdout, stderr) = waku(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

fn yen(v: &Value) -> i64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("yen: {v}"))
}

fn readme() -> String {
    std::fs::read_to_string("README.md").expect("README.md")
}

#[test]
fn at_revenue_minus_3_percent_the_default_draws_the_fund_and_every_output_says_why() {
    let json = run_json(&[DOWN_3]);
    assert_eq!(json["fund_policy"], "before_cuts");
    assert_eq!(yen(&json["fund_drawdown"]), 6_000_000_000, "the whole 60億円 allowed");
    let reason = json["fund_reason"].as_str().expect("fund_reason");
    assert!(
        reason.starts_with("基金取崩しの方針は「事業を削る前に取り崩す」（`[fund] draw = \"before_cuts\"`、既定）。"),
        "{reason}"
    );
    assert!(reason.contains("取崩し可能額60.00億円（年度の取崩し上限）の全額を取り崩しました"), "{reason}");

    let words = format!("財源調整用基金は 344.00億円 → 284.00億円（取崩し 60.00億円、下限 138.00億円）。{reason}");
    let (code, explain, stderr) = waku(&["explain", SCENARIO, "fund_drawdown", "--set", DOWN_3]);
    assert_eq!(code, 0, "{stderr}");
    assert!(explain.contains(&format!("  {words}\n")), "{explain}");

    let (code, memo, stderr) = waku(&["run", SCENARIO, "--format", "markdown", "--set", DOWN_3]);
    assert_eq!(code, 0, "{stderr}");
    assert!(memo.contains(&format!("\n{words}\n")), "{memo}");

    // README quotes the explanation word for word.
    assert!(readme().contains(&format!("  {words}\n")), "README's fund example is stale: {words}");
}

#[test]
fn drawn_only_as_a_last_resort_the_fund_stays_and_the_cut_programs_are_named() {
    let json = run_json(&[DOWN_3, "fund.draw=last_resort"]);
    assert_eq!(json["fund_policy"], "last_resort");
    assert_eq!(yen(&json["fund_drawdown"]), 0);
    let reason = json["fund_reason"].as_str().expect("fund_reason");
    assert!(reason.contains("取り崩していません：限度はすべて取崩しなしで満たせるため。"), "{reason}");
    let tail = reason.split("取り崩していません：").nth(1).expect("the why");
    let tail = tail.split("（事業を削る前に").next().expect("before the hint");
    assert!(readme().replace('\n', "").contains(tail), "README's last_resort example is stale: {tail}");
    // The default funds more at the same revenue: the fund replaces cuts.
    let default = run_json(&[DOWN_3]);
    assert!(yen(&default["total_allocated"]) > yen(&json["total_allocated"]));
}

#[test]
fn at_the_examples_revenue_the_default_draws_what_the_valuable_programs_need() {
    let json = run_json(&[]);
    let drawn = yen(&json["fund_drawdown"]);
    assert!(drawn > 0 && drawn < 6_000_000_000, "part of the allowed 60億円: {drawn}");
    let oku = format!("{:.2}億円", drawn as f64 / 1e8);
    assert!(readme().contains(&format!("the default draws {oku}")), "README's figure {oku} is stale");
    let reason = json["fund_reason"].as_str().expect("fund_reason");
    assert!(reason.contains(&format!("必要な{oku}を取り崩しました")), "{reason}");
}

#[test]
fn the_fund_is_never_drawn_to_fill_the_reserve() {
    // With more general revenue than every program's review maximum needs, the reserve takes the
    // rest up to its maximum share, and nothing is drawn.
    let json = run_json(&["revenue.general_revenue=4,600億円"]);
    assert_eq!(yen(&json["fund_drawdown"]), 0);
    let reason = json["fund_reason"].as_str().expect("fund_reason");
    assert!(reason.contains("取り崩していません："), "{reason}");
}

#[test]
fn never_drawn_means_never_and_an_unknown_policy_is_a_located_error() {
    let json = run_json(&[DOWN_3, "fund.draw=never"]);
    assert_eq!(yen(&json["fund_drawdown"]), 0);
    assert!(json["fund_reason"].as_str().expect("reason").contains("「取り崩さない」"));
    let (code, _, stderr) = waku(&["check", SCENARIO, "--set", "fund.draw=before_cut"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("error: unknown fund policy `before_cut`"), "{stderr}");
    assert!(stderr.contains("did you mean `before_cuts`?"), "{stderr}");
}
