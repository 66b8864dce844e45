//! Reliability rules a user relies on without seeing them: the unit a header names applies to bare
//! numbers in CSV and xlsx alike; spreadsheet output neutralises formulas; rule scripts give the
//! same bytes on every run; paths, reads and writes stay where they belong.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{temp_dir, waku_in as waku};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use waku::Money;
use waku::scenario::LoadOptions;

/// The smallest scenario that reads an inventory (`INVENTORY` is replaced by its file name).
const SCENARIO: &str = include_str!("fixtures/one-bureau-template.toml");

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

/// A copy of the bundled rules whose first viewpoint prints `lines` lines for each program.
fn printing_rules(dir: &Path, lines: usize) -> PathBuf {
    let rules = dir.join("rules");
    let copy = |from: &Path, to: &Path| {
        for e in std::fs::read_dir(from).expect("rules") {
            let e = e.expect("entry");
            if e.path().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
            }
        }
    };
    for sub in ["", "viewpoints", "policies"] {
        std::fs::create_dir_all(rules.join(sub)).expect("dir");
        copy(&Path::new("rules").join(sub), &rules.join(sub));
    }
    let needs = rules.join("viewpoints/needs.rhai");
    let text = std::fs::read_to_string(&needs).expect("needs");
    let print = format!("let i = 0;\nwhile i < {lines} {{ print(`${{program.id}} ${{i}}`); i += 1; }}\n");
    std::fs::write(&needs, format!("{print}{text}")).expect("write");
    rules
}

/// Scripts print into the review, not onto the terminal: three runs give the same bytes on both
/// streams, and however much a script prints, at most 200 lines are shown.
#[test]
fn three_reviews_give_identical_bytes_and_script_output_is_capped() {
    let dir = temp_dir("print");
    let rules = printing_rules(&dir, 300);
    let rules = rules.to_str().expect("path");
    let args = ["review", "scenarios/kumamoto-r8.toml", "--rules", rules, "--format", "json"];
    let runs: Vec<_> = (0..3).map(|_| waku(Path::new("."), &args)).collect();
    for (code, _, stderr) in &runs {
        assert_eq!(*code, 0, "{stderr}");
    }
    assert!(runs.iter().all(|r| r.1 == runs[0].1), "the same review every run");
    assert!(runs.iter().all(|r| r.2 == runs[0].2), "the same script output every run");
    let lines: Vec<&str> = runs[0].2.lines().collect();
    assert_eq!(lines.len(), 201, "200 lines and a count of the rest");
    assert!(
        lines[0].starts_with("rules/viewpoints/needs.rhai [M0001]: M0001 0") || lines[0].contains("[M0001]: M0001 0"),
        "{}",
        lines[0]
    );
    assert!(
        lines[200].starts_with("… ") && lines[200].ends_with("more lines of script output not shown"),
        "{}",
        lines[200]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A FIFO or a device named as an input is refused at once (never opened for reading, never
/// waited on), even where the folder check is lifted.
#[cfg(unix)]
#[test]
fn special_files_are_refused_without_reading_them() {
    let dir = temp_dir("special");
    std::fs::write(dir.join("s.toml"), SCENARIO.replace("INVENTORY", "p.csv")).expect("scenario");
    let fifo = Command::new("mkfifo").arg(dir.join("p.csv")).status().expect("mkfifo");
    assert!(fifo.success());
    let started = std::time::Instant::now();
    let (code, _, stderr) = waku(&dir, &["check", "s.toml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot read `p.csv`: it is a FIFO (named pipe), not a regular file"), "{stderr}");
    std::fs::remove_file(dir.join("p.csv")).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", dir.join("p.csv")).expect("link");
    let (code, _, stderr) = waku(&dir, &["check", "s.toml", "--allow-outside-paths"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot read `p.csv`: it is a device, not a regular file"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--out` writes a regular file or a new one, atomically, keeping its permissions; it refuses a
/// link, a folder, a FIFO and the run's own input, leaving each untouched; nothing is left behind.
#[cfg(unix)]
#[test]
fn out_refuses_what_it_must_not_replace_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("out");
    for f in ["kumamoto-r8.toml", "kumamoto-r8-programs.csv", "kumamoto-r8-kpis.csv"] {
        std::fs::copy(Path::new("scenarios").join(f), dir.join(f)).expect("copy");
    }
    let rules = std::env::current_dir().expect("cwd").join("rules");
    let rules = rules.to_str().expect("path");
    let run =
        |out: &str| waku(&dir, &["run", "kumamoto-r8.toml", "--rules", rules, "--format", "markdown", "--out", out]);
    std::fs::write(dir.join("memo.md"), "old").expect("write");
    std::fs::set_permissions(dir.join("memo.md"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let (code, _, stderr) = run("memo.md");
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(dir.join("memo.md")).expect("memo").contains("熊本市"));
    assert_eq!(std::fs::metadata(dir.join("memo.md")).expect("meta").permissions().mode() & 0o777, 0o600);

    std::os::unix::fs::symlink(dir.join("memo.md"), dir.join("link.md")).expect("link");
    std::fs::create_dir(dir.join("folder.md")).expect("dir");
    assert!(Command::new("mkfifo").arg(dir.join("fifo.md")).status().expect("mkfifo").success());
    for (target, why) in [
        ("link.md", "it is a symbolic link"),
        ("folder.md", "it is a folder"),
        ("fifo.md", "it is a FIFO (named pipe)"),
        ("kumamoto-r8-programs.csv", "it is one of this run's inputs"),
        ("kumamoto-r8.toml", "it is one of this run's inputs"),
    ] {
        let before = std::fs::symlink_metadata(dir.join(target)).expect("exists").len();
        let (code, _, stderr) = run(target);
        assert_eq!(code, 2, "{target}: {stderr}");
        assert!(stderr.contains(&format!("cannot write `{target}`: {why}")), "{target}: {stderr}");
        assert_eq!(
            std::fs::symlink_metadata(dir.join(target)).expect("still there").len(),
            before,
            "{target} untouched"
        );
    }
    let (code, stdout, _) = run("-");
    assert_eq!(code, 0);
    assert!(stdout.contains("熊本市"), "`-` is standard output");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rules that try each function removed from the sandbox: three reviews give the same bytes — a
/// located error naming the function, never a review that depends on when it ran.
#[test]
fn three_reviews_of_rules_reaching_for_the_clock_give_identical_located_errors() {
    for case in ["uses-timestamp", "uses-sleep", "calls-clock-by-name"] {
        let dir = Path::new("tests/fixtures/bad-rules").join(case);
        let runs: Vec<_> = (0..3).map(|_| waku(&dir, &["review", "../_scenario.toml", "--rules", "rules"])).collect();
        for (code, stdout, stderr) in &runs {
            assert_eq!(*code, 2, "{case}: {stderr}");
            assert!(stdout.is_empty(), "{case}");
            assert!(stderr.contains("is not available in rule scripts"), "{case}: {stderr}");
            assert!(stderr.contains("--> rules/viewpoints/needs.rhai:"), "{case}: located\n{stderr}");
        }
        assert!(runs.iter().all(|r| r.2 == runs[0].2), "{case}: the same bytes every run");
    }
}
