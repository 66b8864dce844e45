//! `waku run --format markdown`: the memo for the bureau chief or the mayor says the same money as
//! the JSON allocation (in the display unit), names the limits that bind, and lists every program
//! the review cut with its reason. The whole memo is a reviewed snapshot.

use std::process::Command;

use serde_json::Value;
use waku::{Money, Unit};

fn waku(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn oku(v: &Value) -> String {
    Money::parse(v.as_str().expect("money string")).expect("yen").format_number(Unit::Oku)
}

#[test]
fn the_memo_carries_the_allocations_money_and_reasons() {
    let scenario = "scenarios/kitakyushu-r8.toml";
    let memo = waku(&["run", scenario, "--format", "markdown"]);
    let a: Value = serde_json::from_str(&waku(&["run", scenario, "--format", "json"])).expect("JSON");

    let summary = memo.lines().find(|l| l.starts_with("配分できる一般財源は")).expect("a summary paragraph");
    assert!(summary.contains(&format!("**{}億円**", oku(&a["available"]))), "{summary}");
    assert!(summary.contains(&format!("**{}億円**", oku(&a["reserve"]))), "{summary}");
    assert!(summary.contains("門司区役所の枠の下限"), "binding limits in words: {summary}");

    for e in a["envelopes"].as_array().expect("envelopes") {
        let name = e["name"].as_str().expect("name");
        let row = memo.lines().find(|l| l.starts_with(&format!("| {name} |"))).expect("a row per bureau");
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[6], oku(&e["amount"]), "{name}: envelope");
        assert_eq!(cells[1 + 1], oku(&e["base"]), "{name}: base");
    }

    let cuts: Vec<&Value> = a["programs"]
        .as_array()
        .expect("programs")
        .iter()
        .filter(|p| matches!(p["action"].as_str(), Some("縮小" | "統合" | "廃止")))
        .collect();
    assert!(memo.contains(&format!("## 縮小・統合・廃止とした事業（{}事業）", cuts.len())));
    for p in cuts {
        let id = p["id"].as_str().expect("id");
        let row = memo.lines().find(|l| l.starts_with(&format!("| {id} "))).expect("a row per cut program");
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[5], oku(&p["allocated"]), "{id}: allocated");
        assert!(cells[7].contains("推奨") || cells[7].contains("見直"), "{id}: the review's reason: {row}");
    }
    insta::assert_snapshot!("memo-kitakyushu-r8", memo);
}

#[test]
fn the_memo_of_a_year_with_fiscal_inputs_states_its_ratios_against_thresholds() {
    let memo = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "markdown"]);
    assert!(memo.contains("財政健全化指標はいずれも基準内です（実質公債費比率 12.1%、将来負担比率 135.9%）"), "{memo}");
    let row = memo.lines().find(|l| l.starts_with("| 実質公債費比率")).expect("a ratio row");
    assert!(row.contains("早期健全化基準 25.0%") && row.ends_with("| 基準内 |"), "{row}");

    let warned = waku(&["run", "tests/fixtures/fiscal/debt-service-18-warning.toml", "--format", "markdown"]);
    assert!(warned.contains("注意（起債に許可が必要）"), "{warned}");
}
