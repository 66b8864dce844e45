//! `waku run --format csv|xlsx`: the spreadsheets carry the same money as the JSON allocation, to
//! the yen, as numbers a spreadsheet computes with; the workbook is the same bytes on every run.

mod common;

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
    let mut r = csv::Reader::from_reader(common::csv_tables(bytes)[0]);
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
    assert_eq!(wb.sheet_names(), ["概要", "局別枠", "前年度比", "性質別", "事業", "制約", "財政指標", "提案"]);
    // 提案: each proposal's 計上額 (the 10th column) is its JSON amount, in yen.
    let proposals = wb.worksheet_range("提案").expect("提案");
    for (row, p) in proposals.rows().skip(1).zip(a["proposals"].as_array().expect("proposals")) {
        assert_eq!(row[1].to_string(), p["id"].as_str().expect("id"));
        assert_eq!(row[9].to_string(), p["amount"].as_str().expect("amount"), "{}", p["id"]);
    }

    let programs = wb.worksheet_range("事業").expect("事業");
    let header: Vec<String> = programs.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let json_programs = a["programs"].as_array().expect("programs");
    assert_eq!(programs.height(), json_programs.len() + 2, "the header, the programs, the total");
    for (row, p) in programs.rows().skip(1).zip(json_programs) {
        assert_eq!(row[col("事業番号")].to_string(), p["id"].as_str().expect("id"));
        for (column, field) in [("配分額（千円）", "allocated"), ("一般財源（千円）", "general_revenue")]
        {
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
fn spreadsheets_of_a_comparison_are_refused_with_a_reason() {
    for format in ["csv", "xlsx", "html"] {
        let (code, stdout, stderr) =
            waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "compare", "--format", format, "--out", "-"]);
        assert_eq!(code, 2, "{format}");
        assert!(stdout.is_empty());
        assert!(
            stderr.starts_with(&format!(
                "error: `--format {format}` writes one allocation; `--mode compare` has two (central and autonomous)"
            )),
            "{stderr}"
        );
        assert!(stderr.contains("hint: write each with `--mode central` and `--mode autonomous`"), "{stderr}");
    }
}

/// The text of one part of a workbook (`xl/styles.xml`, …).
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("workbook");
    let mut zip = zip::ZipArchive::new(file).expect("a zip archive");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut text).expect("UTF-8");
    text
}

#[test]
fn xlsx_shows_thousands_of_yen_with_totals_as_formulas_outside_the_filter_and_print_titles() {
    let scenario = "scenarios/kitakyushu-r8.toml";
    let dir = std::env::temp_dir().join(format!("waku-xlsx-print-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    xlsx(scenario, &dir, "r8.xlsx");
    let path = dir.join("r8.xlsx");
    let a = json(&["run", scenario]);
    let mut wb: Xlsx<_> = open_workbook(&path).expect("calamine opens it");

    // Money in 千円: the cells keep the yen, the number format divides by 1,000, the header says so.
    let styles = part(&path, "xl/styles.xml");
    assert!(styles.contains(r##"formatCode="#,##0,""##), "a 千円 number format");
    let sheets = wb.sheet_names();
    for name in &sheets {
        let range = wb.worksheet_range(name).expect("sheet");
        let header: Vec<String> = range.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
        for h in &header {
            // Japanese headers throughout; money in 千円, never bare yen.
            assert!(!h.chars().any(|c| c.is_ascii_alphabetic()), "{name}: header `{h}`");
            assert!(!h.ends_with("（円）"), "{name}: header `{h}` in yen");
        }
    }
    // The words of the 制約 (内容, 意味) and 財政指標 (基準の種類, 判定, 注記) sheets are Japanese.
    let english = |t: &str| t.split(|c: char| !c.is_ascii_alphabetic()).any(|w| w.len() >= 3);
    for (sheet, columns) in [("制約", &[2usize, 9][..]), ("財政指標", &[5, 6, 7])] {
        let range = wb.worksheet_range(sheet).expect("sheet");
        for row in range.rows().skip(1) {
            for &c in columns {
                let text = row[c].to_string();
                assert!(!english(&text), "{sheet} in English: {text}");
            }
        }
    }

    // 局別枠: 20 bureaus under the filter, then the totals as formulas with their values cached.
    let bureaus = a["envelopes"].as_array().expect("envelopes").len();
    let sheet_xml = |i: usize| part(&path, &format!("xl/worksheets/sheet{i}.xml"));
    assert!(
        sheet_xml(2).contains(&format!(r#"<autoFilter ref="A1:J{}"/>"#, bureaus + 1)),
        "filter ends at the last bureau"
    );
    let formulas = wb.worksheet_formula("局別枠").expect("formulas");
    let values = wb.worksheet_range("局別枠").expect("values");
    let total_row = bureaus + 1; // 0-based: the header, the bureaus, then 局別枠合計
    let cell = |r: usize, c: usize| formulas.get_value((r as u32, c as u32)).cloned().unwrap_or_default();
    assert_eq!(values.get((total_row, 2)).map(|d| d.to_string()).as_deref(), Some("局別枠合計"));
    assert_eq!(cell(total_row, 7), format!("SUM(H2:H{})", bureaus + 1));
    assert_eq!(cell(total_row + 2, 7), format!("SUM(H{}:H{})", total_row + 1, total_row + 2));
    let envelopes: i64 = a["envelopes"].as_array().expect("envelopes").iter().map(|e| yen(&e["amount"])).sum();
    assert_eq!(values.get((total_row, 7)).map(number), Some(envelopes as f64), "cached 局別枠合計");
    assert_eq!(values.get((total_row + 2, 7)).map(number), Some(yen(&a["available"]) as f64), "cached 配分可能額");

    // 事業: one total row below the filter, SUM with the JSON's total cached.
    let programs = a["programs"].as_array().expect("programs").len();
    let formulas = wb.worksheet_formula("事業").expect("formulas");
    let values = wb.worksheet_range("事業").expect("values");
    let header: Vec<String> = values.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
    let allocated = header.iter().position(|h| h == "配分額（千円）").expect("配分額（千円）");
    let f = formulas.get_value(((programs + 1) as u32, allocated as u32)).cloned().unwrap_or_default();
    let column = f.get(4..f.find('2').unwrap_or(4)).unwrap_or_default().to_string();
    assert_eq!(f, format!("SUM({column}2:{column}{})", programs + 1));
    assert_eq!(values.get((programs + 1, allocated)).map(number), Some(yen(&a["total_allocated"]) as f64));

    // Printing: landscape on A4 (事業 on A3), fit to width, the header row on every page.
    let workbook = part(&path, "xl/workbook.xml");
    for (i, name) in sheets.iter().enumerate() {
        let xml = sheet_xml(i + 1);
        let paper = if name == "事業" { "8" } else { "9" };
        assert!(
            xml.contains(&format!(r#"<pageSetup paperSize="{paper}" fitToHeight="0" orientation="landscape""#)),
            "{name}"
        );
        assert!(xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{name}: fit to the page");
        assert!(
            workbook.contains(&format!(r#"<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{name}!$1:$1"#)),
            "{name}: print titles"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_programs_sheet_reads_back_as_the_inventory_to_the_same_allocation() {
    let dir = common::kitakyushu_r8_copy("xlsx-back");
    let rules = std::fs::canonicalize("rules").expect("rules");
    let rules = rules.to_str().expect("utf-8");
    let scenario = dir.join("kitakyushu-r8.toml");
    let scenario = scenario.to_str().expect("utf-8");
    let out = dir.join("run.xlsx");
    let (code, _, stderr) =
        waku(&["run", scenario, "--rules", rules, "--format", "xlsx", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::write(
        dir.join("back.toml"),
        "extends = \"kitakyushu-r8.toml\"\ninventory = \"run.xlsx\"\ninventory_sheet = \"事業\"\n",
    )
    .expect("overlay");
    let first = json(&["run", scenario, "--rules", rules]);
    let back = json(&["run", dir.join("back.toml").to_str().expect("utf-8"), "--rules", rules]);
    // The same allocation to the yen: every envelope, program and total.
    assert_eq!(first["programs"], back["programs"]);
    assert_eq!(first["envelopes"], back["envelopes"]);
    assert_eq!(first["by_kind"], back["by_kind"]);
    for key in ["available", "reserve", "total_allocated", "total_requested", "investment", "bond_issuance"] {
        assert_eq!(first[key], back[key], "{key}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Copies the 事業 sheet of `from` into a new workbook at `to`, as an officer's edited copy:
/// `edit(header, row, value)` may change a cell (values as calamine reads them).
fn edited_copy(from: &Path, to: &Path, edit: impl Fn(&str, usize, &Data) -> Option<Data>) {
    let mut wb: Xlsx<_> = open_workbook(from).expect("workbook");
    let range = wb.worksheet_range("事業").expect("事業");
    let header: Vec<String> = range.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    ws.set_name("事業").expect("name");
    for (r, row) in range.rows().enumerate() {
        if r > 0 && row[1].to_string().is_empty() {
            continue; // the total row
        }
        for (c, cell) in row.iter().enumerate() {
            let cell = if r > 0 { edit(&header[c], r, cell).unwrap_or_else(|| cell.clone()) } else { cell.clone() };
            let (r, c) = (r as u32, c as u16);
            match cell {
                Data::String(s) => ws.write_string(r, c, s).map(|_| ()),
                Data::Float(f) => ws.write_number(r, c, f).map(|_| ()),
                Data::Int(i) => ws.write_number(r, c, i as f64).map(|_| ()),
                Data::Bool(b) => ws.write_boolean(r, c, b).map(|_| ()),
                _ => Ok(()),
            }
            .expect("cell");
        }
    }
    out.define_name(waku::scenario::YEN_CELLS_NAME, "='事業'!$A$1").expect("name");
    out.save(to).expect("save");
}

#[test]
fn an_officers_edited_copy_reads_its_edits_and_a_bad_cell_is_located() {
    let dir = common::kitakyushu_r8_copy("xlsx-edit");
    let rules = std::fs::canonicalize("rules").expect("rules");
    let rules = rules.to_str().expect("utf-8");
    let scenario = dir.join("kitakyushu-r8.toml");
    let out = dir.join("run.xlsx");
    let (code, _, stderr) = waku(&[
        "run",
        scenario.to_str().expect("utf-8"),
        "--rules",
        rules,
        "--format",
        "xlsx",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let overlay = "extends = \"kitakyushu-r8.toml\"\ninventory = \"edited.xlsx\"\ninventory_sheet = \"事業\"\n";
    std::fs::write(dir.join("edited.toml"), overlay).expect("overlay");
    let edited = dir.join("edited.toml");
    let edited = edited.to_str().expect("utf-8");

    // The officer types a new 要求額 for the first program, in yen as the formula bar shows,
    // and overwrites its 配分額 (a result, never read).
    edited_copy(&out, &dir.join("edited.xlsx"), |h, r, _| match (h, r) {
        ("要求額（千円）", 1) => Some(Data::Float(2_000_000_000.0)),
        ("配分額（千円）", 1) => Some(Data::Float(1.0)),
        _ => None,
    });
    let a = json(&["run", edited, "--rules", rules]);
    let first = &a["programs"][0];
    assert_eq!(first["requested"], "2000000000", "the edited 要求額, in yen");

    // Text in a money column is an error at its cell.
    edited_copy(&out, &dir.join("edited.xlsx"), |h, r, _| {
        (h == "要求額（千円）" && r == 14).then(|| Data::String("未定".into()))
    });
    let (code, _, stderr) = waku(&["run", edited, "--rules", rules]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("error: invalid amount `未定`"), "{stderr}");
    assert!(stderr.contains("edited.xlsx:事業!J15"), "the sheet and cell: {stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
