//! `waku run --format csv|xlsx`: the spreadsheets carry the same money as the JSON allocation, to
//! the yen, as numbers a spreadsheet computes with; the workbook is the same bytes on every run.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

fn waku(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku");
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn json(args: &[&str]) -> Value {
    let (code, stdout, stderr) = waku(&[args, &["--format", "json"]].concat());
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_slice(&stdout).expect("JSON")
}

fn yen(v: &Value) -> i64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("money string, found {v}"))
}

/// Reads `--format csv` output: the BOM, then records by header name.
fn csv_records(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "starts with a UTF-8 byte-order mark for Excel");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let headers = r.headers().expect("header").iter().map(str::to_string).collect();
    (headers, r.records().map(|r| r.expect("record")).collect())
}

#[test]
fn csv_programs_match_the_json_allocation_to_the_yen() {
    let scenario = "scenarios/kitakyushu-r8.toml";
    let a = json(&["run", scenario]);
    let (code, bytes, stderr) = waku(&["run", scenario, "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let (headers, rows) = csv_records(&bytes);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let programs = a["programs"].as_array().expect("programs");
    assert_eq!(rows.len(), programs.len(), "one row per program");
    let mut total = 0i64;
    for (row, p) in rows.iter().zip(programs) {
        assert_eq!(&row[col("年度")], "2026");
        assert_eq!(&row[col("事業番号")], p["id"].as_str().expect("id"));
        assert_eq!(&row[col("今後の方向性")], p["action"].as_str().expect("action"));
        for (column, field) in [
            ("要求額（円）", "requested"),
            ("配分額（円）", "allocated"),
            ("一般財源（円）", "general_revenue"),
            ("市債（円）", "bonds"),
        ] {
            // Plain integers, no digit grouping: Excel computes with them.
            let cell: i64 = row[col(column)].parse().unwrap_or_else(|_| panic!("{column} `{}`", &row[col(column)]));
            assert_eq!(cell, yen(&p[field]), "{} {column}", p["id"]);
        }
        let change: i64 = row[col("対要求増減（円）")].parse().expect("change");
        assert_eq!(change, yen(&p["allocated"]) - yen(&p["requested"]));
        total += row[col("一般財源（円）")].parse::<i64>().expect("general revenue");
    }
    assert_eq!(total + yen(&a["reserve"]), yen(&a["available"]), "Σ general revenue + reserve = available");
    assert!(rows.iter().any(|r| &r[col("今後の方向性")] == "廃止" && !r[col("見直しの理由")].is_empty()));
}

#[test]
fn csv_of_a_plan_has_one_row_per_program_and_year() {
    let plan = "scenarios/kitakyushu-2024-2026.toml";
    let o = json(&["run", plan]);
    let (code, bytes, stderr) = waku(&["run", plan, "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let (headers, rows) = csv_records(&bytes);
    let year = headers.iter().position(|h| h == "年度").expect("year column");
    let allocated = headers.iter().position(|h| h == "配分額（円）").expect("allocated");
    let mut expected = Vec::new();
    for a in o["allocations"].as_array().expect("allocations") {
        for p in a["programs"].as_array().expect("programs") {
            expected.push((a["fiscal_year"].to_string(), yen(&p["allocated"])));
        }
    }
    let found: Vec<(String, i64)> =
        rows.iter().map(|r| (r[year].to_string(), r[allocated].parse().expect("yen"))).collect();
    assert_eq!(found, expected);
}

fn xlsx(scenario: &str, dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    let (code, stdout, stderr) = waku(&["run", scenario, "--format", "xlsx", "--out", path.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "nothing on standard output");
    std::fs::read(&path).expect("workbook written")
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, found {other:?}"),
    }
}

#[test]
fn xlsx_money_cells_are_numbers_equal_to_the_json_and_bytes_are_stable() {
    let scenario = "scenarios/kitakyushu-r8.toml";
    let dir = std::env::temp_dir().join(format!("waku-xlsx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let first = xlsx(scenario, &dir, "a.xlsx");
    // Past a second boundary: a creation time taken from the clock would differ.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = xlsx(scenario, &dir, "b.xlsx");
    assert!(first == second, "the same run writes the same bytes");

    let a = json(&["run", scenario]);
    let mut wb: Xlsx<_> = open_workbook(dir.join("a.xlsx")).expect("calamine opens it");
    assert_eq!(wb.sheet_names(), ["概要", "局別枠", "事業", "制約", "財政指標"]);

    let programs = wb.worksheet_range("事業").expect("事業");
    let header: Vec<String> = programs.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let json_programs = a["programs"].as_array().expect("programs");
    assert_eq!(programs.height(), json_programs.len() + 1);
    for (row, p) in programs.rows().skip(1).zip(json_programs) {
        assert_eq!(row[col("事業番号")].to_string(), p["id"].as_str().expect("id"));
        for (column, field) in [("配分額（円）", "allocated"), ("一般財源（円）", "general_revenue")] {
            assert_eq!(number(&row[col(column)]), yen(&p[field]) as f64, "{} {column}", p["id"]);
        }
    }

    let envelopes = wb.worksheet_range("局別枠").expect("局別枠");
    let amount = 7;
    let find = |label: &str| envelopes.rows().find(|r| r[2] == *label).map(|r| number(&r[amount])).expect("row");
    let json_envelopes = a["envelopes"].as_array().expect("envelopes");
    for (row, e) in envelopes.rows().skip(1).zip(json_envelopes) {
        assert_eq!(row[1].to_string(), e["department"].as_str().expect("id"));
        assert_eq!(number(&row[amount]), yen(&e["amount"]) as f64);
    }
    assert_eq!(find("市長調整枠"), yen(&a["reserve"]) as f64);
    assert_eq!(find("配分可能な一般財源"), yen(&a["available"]) as f64);
    assert_eq!(find("局別枠合計") + find("市長調整枠"), find("配分可能な一般財源"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn xlsx_without_out_is_a_usage_error() {
    let (code, stdout, stderr) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "xlsx"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "no binary on the terminal");
    assert_eq!(
        stderr,
        "error: `--format xlsx` writes a binary workbook and needs `--out FILE`\n  = hint: e.g. `--format xlsx --out allocation.xlsx`, or `--format csv` for standard output\n"
    );
}

#[test]
fn spreadsheets_of_an_autonomous_run_are_refused_with_a_reason() {
    let (code, stdout, stderr) =
        waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--format", "csv"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.starts_with("error: `--format csv` is not available for `--mode autonomous`"), "{stderr}");
}
