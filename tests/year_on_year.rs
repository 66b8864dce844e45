//! 前年度比 by bureau and totals by 性質別 in every report of a run: the JSON's `by_kind` and
//! `by_bureau` equal the programs' sums to the yen, and the memo, the terminal table, the HTML
//! report, the workbook and the CSV show the same figures (exact yen where the format keeps yen,
//! the JSON's yen in the display unit where it prints 億円).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;
use waku::money::{Money, Unit};

const SCENARIO: &str = "scenarios/kitakyushu-r8.toml";

fn waku(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn text(args: &[&str]) -> String {
    String::from_utf8(waku(args)).expect("UTF-8")
}

fn yen(v: &Value) -> i64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("money string, found {v}"))
}

/// 億円 as the reports print it: `1,000.00`.
fn oku(yen: i64) -> String {
    Money::yen(yen).format_number(Unit::Oku)
}

/// Each bureau by id: its name, 本年度 and 前年度当初 in yen.
type Bureaus = BTreeMap<String, (String, i64, i64)>;

/// The JSON's totals by kind (label → 本年度 in yen) and by bureau.
fn totals(json: &Value) -> (BTreeMap<String, i64>, Bureaus) {
    let kinds = json["by_kind"].as_array().expect("by_kind");
    let kinds =
        kinds.iter().map(|k| (k["nature"].as_str().unwrap_or("未分類").to_string(), yen(&k["allocated"]))).collect();
    let bureaus = json["by_bureau"].as_array().expect("by_bureau");
    let bureaus = bureaus
        .iter()
        .map(|b| {
            let id = b["department"].as_str().expect("id").to_string();
            (id, (b["name"].as_str().expect("name").to_string(), yen(&b["allocated"]), yen(&b["prior_cost"])))
        })
        .collect();
    (kinds, bureaus)
}

#[test]
fn the_json_totals_equal_the_programs_sums_to_the_yen() {
    for args in
        [&["run", SCENARIO, "--format", "json"][..], &["run", SCENARIO, "--mode", "autonomous", "--format", "json"]]
    {
        let json: Value = serde_json::from_slice(&waku(args)).expect("JSON");
        let programs = json["programs"].as_array().expect("programs");
        let (kinds, bureaus) = totals(&json);
        let mut by_kind: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_bureau: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for p in programs {
            let kind = p["nature"].as_str().unwrap_or("未分類").to_string();
            *by_kind.entry(kind).or_default() += yen(&p["allocated"]);
            let b = by_bureau.entry(p["department"].as_str().expect("department").to_string()).or_default();
            b.0 += yen(&p["allocated"]);
            b.1 += yen(&p["prior_cost"]);
        }
        assert_eq!(kinds, by_kind, "{args:?}: by_kind = Σ programs by 性質別");
        assert!(!kinds.contains_key("未分類"), "every bundled program has its 性質別");
        for (id, (_, now, prior)) in &bureaus {
            assert_eq!(by_bureau.get(id), Some(&(*now, *prior)), "{args:?}: by_bureau {id}");
        }
        assert_eq!(kinds.values().sum::<i64>(), yen(&json["total_allocated"]));
    }
}

#[test]
fn every_report_shows_the_same_totals_by_kind_and_by_bureau() {
    let json: Value = serde_json::from_slice(&waku(&["run", SCENARIO, "--format", "json"])).expect("JSON");
    let (kinds, bureaus) = totals(&json);
    let total = yen(&json["total_allocated"]);

    // The memo and the terminal table: each kind's and each bureau's 本年度, in 億円.
    let memo = text(&["run", SCENARIO, "--format", "markdown"]);
    let table = text(&["run", SCENARIO, "--lang", "ja"]);
    for (report, name) in [(&memo, "memo"), (&table, "table")] {
        let row = |label: &str, section: &str| -> String {
            let from = report.find(section).unwrap_or_else(|| panic!("{name}: no `{section}`"));
            let line = report[from..]
                .lines()
                .find(|l| l.trim_start_matches(['|', ' ', '*']).starts_with(label))
                .unwrap_or_else(|| panic!("{name}: no row `{label}` after `{section}`"));
            line.to_string()
        };
        let (kind_section, bureau_section) = if name == "memo" {
            ("## 性質別の事業費", "## 局別の事業費")
        } else {
            ("性質別", "局・区別の事業費")
        };
        for (label, now) in &kinds {
            assert!(row(label, kind_section).contains(&oku(*now)), "{name}: {label} {}", oku(*now));
        }
        for (name_ja, now, prior) in bureaus.values() {
            let line = row(name_ja, bureau_section);
            assert!(line.contains(&oku(*now)) && line.contains(&oku(*prior)), "{name}: {line}");
        }
        assert!(row("合計", kind_section).contains(&oku(total)), "{name}: 性質別 total");
    }

    // The HTML report: each kind's and the total's exact yen.
    let html = text(&["run", SCENARIO, "--format", "html"]);
    for (label, now) in &kinds {
        assert!(html.contains(&format!(r#"data-kind="{label}" data-cost="{now}""#)), "html: {label}");
    }
    assert_eq!(html.matches(&format!(r#"data-cost-total="{total}""#)).count(), 2, "html: both totals");

    // The workbook: the 性質別 and 前年度比 sheets, exact yen.
    let dir = std::env::temp_dir().join(format!("waku-yoy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("r8.xlsx");
    waku(&["run", SCENARIO, "--format", "xlsx", "--out", path.to_str().expect("utf-8")]);
    let mut wb: Xlsx<_> = open_workbook(&path).expect("workbook");
    let number = |d: &Data| match d {
        Data::Float(f) => *f as i64,
        Data::Int(i) => *i,
        other => panic!("a number, found {other:?}"),
    };
    let sheet = wb.worksheet_range("性質別").expect("性質別");
    let found: BTreeMap<String, i64> =
        sheet.rows().skip(1).filter(|r| r[1] != "合計").map(|r| (r[1].to_string(), number(&r[5]))).collect();
    assert_eq!(found, kinds, "xlsx 性質別");
    let sheet = wb.worksheet_range("前年度比").expect("前年度比");
    for r in sheet.rows().skip(1).filter(|r| !r[1].to_string().is_empty()) {
        let (_, now, prior) = &bureaus[&r[1].to_string()];
        assert_eq!((number(&r[5]), number(&r[3])), (*now, *prior), "xlsx 前年度比 {}", r[1]);
    }
    let _ = std::fs::remove_dir_all(Path::new(&dir));

    // The CSV: Σ 配分額 by the 性質別 column.
    let csv = waku(&["run", SCENARIO, "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(common::csv_tables(&csv)[0]);
    let headers = reader.headers().expect("header").clone();
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("column {h}"));
    let (kind, allocated) = (col("性質別"), col("配分額（円）"));
    let mut by_kind: BTreeMap<String, i64> = BTreeMap::new();
    for r in reader.records() {
        let r = r.expect("record");
        *by_kind.entry(r[kind].to_string()).or_default() += r[allocated].parse::<i64>().expect("yen");
    }
    assert_eq!(by_kind, kinds, "csv: Σ 配分額 by 性質別");
}
