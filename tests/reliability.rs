//! Reliability rules a user relies on without seeing them: the unit a header names applies to bare
//! numbers in CSV and xlsx alike; spreadsheet output neutralises formulas; rule scripts give the
//! same bytes on every run; paths, reads and writes stay where they belong.

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use waku::Money;
use waku::scenario::LoadOptions;

fn waku(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).current_dir(dir).output().expect("run waku");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-rel-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const SCENARIO: &str = r#"city = "みほん市"
fiscal_year = 2026
inventory = "INVENTORY"
[revenue]
general_revenue = "10億円"
[bonds]
issuance_cap = "0円"
[policy]
investment_cap = "0円"
[[departments]]
id = "kodomo"
"#;

/// The requests of a one-column-per-case inventory, read through the scenario loader.
fn requests(dir: &Path, inventory: &str) -> Result<Vec<Money>, String> {
    let path = dir.join(format!("{inventory}.toml"));
    std::fs::write(&path, SCENARIO.replace("INVENTORY", inventory)).expect("scenario");
    waku::scenario::load_with(&path, &LoadOptions::default())
        .map(|s| s.programs.iter().map(|p| p.requested).collect())
        .map_err(|e| e.to_string())
}

/// Every unit a header may name, and a bare number under it: the same yen from a CSV cell, an xlsx
/// number cell and an xlsx number stored as text; a cell that writes its own unit keeps it.
#[test]
fn a_header_unit_applies_to_bare_numbers_in_csv_and_xlsx_alike() {
    let dir = temp_dir("units");
    let units = [
        ("", 1i64),
        ("（円）", 1),
        ("（千円）", 1_000),
        ("（万円）", 10_000),
        ("(百万円)", 1_000_000),
        ("（億円）", 100_000_000),
    ];
    for (unit, factor) in units {
        let header = format!("事業番号,事業名,所管局,経費区分,要求額{unit}");
        // The same three cells: a bare number, one with grouping, one with its own unit.
        let cells = ["1000", "\"1,234\"", "\"5千円\""];
        let csv: String = std::iter::once(header.clone())
            .chain(cells.iter().enumerate().map(|(i, c)| format!("P{i},事業{i},kodomo,新規,{c}")))
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.join("p.csv"), format!("{csv}\n")).expect("csv");
        let from_csv = requests(&dir, "p.csv").expect("csv loads");
        assert_eq!(
            from_csv,
            [Money::yen(1000 * factor), Money::yen(1234 * factor), Money::yen(5_000)],
            "CSV under `要求額{unit}`"
        );

        let mut wb = Workbook::new();
        wb.set_properties(
            &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1).expect("date")),
        );
        let ws = wb.add_worksheet();
        for (c, h) in header.split(',').enumerate() {
            ws.write(0, c as u16, h).expect("header");
        }
        for r in 0..3u32 {
            ws.write(r + 1, 0, format!("P{r}")).expect("id");
            ws.write(r + 1, 1, format!("事業{r}")).expect("name");
            ws.write(r + 1, 2, "kodomo").expect("dept");
            ws.write(r + 1, 3, "新規").expect("kind");
        }
        ws.write(1, 4, 1000.0).expect("number");
        ws.write(2, 4, "1,234").expect("number as text");
        ws.write(3, 4, "5千円").expect("own unit");
        std::fs::write(dir.join("p.xlsx"), wb.save_to_buffer().expect("xlsx")).expect("write xlsx");
        let from_xlsx = requests(&dir, "p.xlsx").expect("xlsx loads");
        assert_eq!(from_xlsx, from_csv, "xlsx under `要求額{unit}`");
    }
    // A bracket that names no unit of money is an error, not ignored.
    std::fs::write(dir.join("q.csv"), "事業番号,事業名,所管局,経費区分,要求額（百円）\nP1,x,kodomo,新規,10\n")
        .expect("csv");
    let e = requests(&dir, "q.csv").unwrap_err();
    assert!(e.contains("names `百円`, which is not a unit of money"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--format csv` is opened in Excel: a program named like a formula is written as inert text (a
/// leading apostrophe), while money — negative changes too — stays a plain number.
#[test]
fn csv_output_neutralises_formula_leading_names_and_keeps_numbers() {
    let names = ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1"];
    let mut args = vec!["run".to_string(), "kumamoto-r8.toml".into(), "--format".into(), "csv".into()];
    for (i, n) in names.iter().enumerate() {
        args.push("--set".into());
        args.push(format!("programs.M000{}.name={n}", i + 2));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = waku(Path::new("scenarios"), &args);
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::ReaderBuilder::new().from_reader(stdout.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    let col =
        |name: &str| header.iter().position(|h| h.starts_with(name)).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let (name, allocated, change) = (col("事業名"), col("配分額"), col("対要求増減"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    for n in names {
        let row = rows.iter().find(|r| r[name].ends_with(n)).unwrap_or_else(|| panic!("no row for {n}"));
        assert_eq!(&row[name], format!("'{n}"), "the name is inert text");
    }
    for r in &rows {
        assert!(r[allocated].parse::<i64>().is_ok(), "money is a plain integer: {:?}", &r[allocated]);
        assert!(r[change].is_empty() || r[change].parse::<i64>().is_ok(), "a change stays a number: {:?}", &r[change]);
    }
    assert!(rows.iter().any(|r| r[change].starts_with('-')), "some change is negative, and still a number");
}
