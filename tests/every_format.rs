//! `waku run --format markdown|html|csv|xlsx` for a year and a plan in every mode: each writes
//! its own format (a memo, an HTML page, a CSV table, a workbook) — never the terminal table in
//! its place — or, for `--mode compare` where one allocation is written, exits 2 saying why.

mod common;

use std::process::Command;

use serde_json::Value;

fn waku(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku");
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

const YEAR: &str = "scenarios/kitakyushu-r8.toml";
const PLAN: &str = "scenarios/kitakyushu-2024-2026.toml";

/// What the terminal table prints and no other format does.
fn is_terminal_table(text: &str) -> bool {
    text.contains("── FY") || text.lines().any(|l| l.starts_with("  局・区") || l.starts_with("  bureau"))
}

#[test]
fn markdown_is_a_memo_in_every_mode() {
    for scenario in [YEAR, PLAN] {
        for mode in ["central", "autonomous", "compare"] {
            let (code, out, stderr) = waku(&["run", scenario, "--mode", mode, "--format", "markdown"]);
            assert_eq!(code, 0, "{scenario} {mode}: {stderr}");
            let memo = String::from_utf8(out).expect("UTF-8");
            assert!(memo.starts_with("# "), "{scenario} {mode}: a memo starts with its title");
            assert!(memo.contains("|---|"), "{scenario} {mode}: Markdown tables");
            assert!(!is_terminal_table(&memo), "{scenario} {mode}: the terminal table instead of a memo");
            assert!(memo.contains("性質別"), "{scenario} {mode}: 性質別");
            assert!(memo.contains("前年度"), "{scenario} {mode}: 前年度比");
            if mode == "autonomous" {
                assert!(memo.contains("各局の自律的な予算編成"), "{scenario}: the bureaus' two levels");
            }
            if scenario == PLAN {
                for fy in ["FY2024", "FY2025", "FY2026"] {
                    assert!(memo.contains(fy), "{mode}: every year of the plan ({fy})");
                }
            }
        }
    }
}

#[test]
fn html_csv_and_xlsx_of_the_two_level_allocation() {
    let dir = std::env::temp_dir().join(format!("waku-every-format-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for scenario in [YEAR, PLAN] {
        let (code, json, stderr) = waku(&["run", scenario, "--mode", "autonomous", "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        let json: Value = serde_json::from_slice(&json).expect("JSON");
        // The two-level allocations: one year's, or each year's of a plan.
        let years: Vec<&Value> = match json.get("allocations").and_then(Value::as_array) {
            Some(years) => years.iter().collect(),
            None => vec![&json],
        };
        let total: i64 = years
            .iter()
            .map(|y| y["total_allocated"].as_str().and_then(|s| s.parse::<i64>().ok()).expect("total_allocated"))
            .sum();

        let (code, html, stderr) = waku(&["run", scenario, "--mode", "autonomous", "--format", "html"]);
        assert_eq!(code, 0, "{stderr}");
        let html = String::from_utf8(html).expect("UTF-8");
        assert!(html.starts_with("<!DOCTYPE html>"), "{scenario}: an HTML page");
        assert!(html.contains("性質別の事業費"), "{scenario}");

        // CSV: Σ 配分額 over every program (and year) is the two-level total, to the yen.
        let (code, csv, stderr) = waku(&["run", scenario, "--mode", "autonomous", "--format", "csv"]);
        assert_eq!(code, 0, "{stderr}");
        let mut reader = csv::Reader::from_reader(common::csv_tables(&csv)[0]);
        let allocated = reader.headers().expect("header").iter().position(|h| h == "配分額（円）").expect("配分額");
        let sum: i64 = reader.records().map(|r| r.expect("record")[allocated].parse::<i64>().expect("yen")).sum();
        assert_eq!(sum, total, "{scenario}: the CSV is the two-level allocation");

        let path = dir.join("autonomous.xlsx");
        let (code, _, stderr) = waku(&[
            "run",
            scenario,
            "--mode",
            "autonomous",
            "--format",
            "xlsx",
            "--out",
            path.to_str().expect("utf-8"),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("a workbook");
        assert!(calamine::Reader::sheet_names(&wb).contains(&"事業".to_string()));
        let programs = calamine::Reader::worksheet_range(&mut wb, "事業").expect("事業");
        assert_eq!(
            programs.height(),
            years.iter().map(|y| y["programs"].as_array().map_or(0, Vec::len)).sum::<usize>() + 1 + years.len()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
