//! Bad input, run through the real binary: each fixture in `tests/fixtures/bad/` must exit 2
//! with exactly the message in its `.stderr` file. Files starting with `_` are helpers.
//! Set `WAKU_BLESS=1` to (re)write the expected files, then read every diff before committing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn waku(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).current_dir(dir).output().expect("run waku");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('_')))
        .collect();
    files.sort();
    files
}

fn check_expected(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("WAKU_BLESS").is_some() {
        std::fs::write(path, actual).expect("write expected stderr");
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| format!("--- {}\n--- expected\n{expected}--- actual\n{actual}", path.display()))
}

#[test]
fn every_bad_scenario_exits_2_with_its_exact_message() {
    let dir = Path::new("tests/fixtures/bad");
    let cases = fixtures("tests/fixtures/bad");
    assert!(cases.len() >= 15, "expected the whole corpus, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let (code, stdout, stderr) = waku(dir, &["check", name]);
        assert_eq!(code, 2, "{name}: exit code\n{stderr}");
        assert!(stdout.is_empty(), "{name}: nothing on stdout");
        assert!(stderr.starts_with("error: "), "{name}: starts with `error: `\n{stderr}");
        assert!(stderr.contains("-->"), "{name}: has a location\n{stderr}");
        assert!(!stderr.contains("panicked"), "{name}: panicked\n{stderr}");
        if let Some(f) = check_expected(&case.with_extension("stderr"), &stderr) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn set_overrides_are_validated_like_the_file() {
    let dir = Path::new("tests/fixtures/bad");
    let cases = [
        ("bad-money", "policy.investment_cap=62O億円"),
        ("unknown-key", "policy.investment_cao=620億円"),
        ("share", "policy.reserve_min_share=150%"),
        ("no-equals", "policy.investment_cap"),
        ("unknown-department", "departments.kodmo.floor=10億円"),
        ("path", "inventory=x.csv"),
        ("huge-amount", "bonds.balance=79228162514264337593543950335"),
        ("huge-number", "policy.reserve_weight=1e300"),
        ("rules-path", "rules=/etc"),
        ("redemption-above-balance", "bonds.redemption=9999億円"),
        ("unknown-proposal", "proposals.P09.decision=fund"),
        ("control-characters", "policy.investment_cap=\u{1b}[2J\u{1b}[31m620億円"),
        (
            "long-value",
            "policy.investment_cap=12345678901234567890123456789012345678901234567890123456789012345678901234567890億円",
        ),
    ];
    let mut failures = Vec::new();
    for (name, set) in cases {
        let (code, _, stderr) = waku(dir, &["check", "_base.toml", "--set", set]);
        assert_eq!(code, 2, "--set {set}: exit code\n{stderr}");
        assert!(stderr.contains("--> --set"), "--set {set}: located in the argument\n{stderr}");
        let expected = Path::new("tests/fixtures/bad/set").join(format!("{name}.stderr"));
        if let Some(f) = check_expected(&expected, &stderr) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn set_overrides_change_the_scenario() {
    let dir = Path::new("tests/fixtures");
    let (code, stdout, stderr) = waku(dir, &["check", "small-city.toml", "--set", "policy.investment_cap=12.5億円"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("cap 12.50億円"), "{stdout}");
    let (code, stdout, _) = waku(dir, &["check", "small-city.toml", "--set", "revenue.general_revenue=65億円"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("収支ギャップ gap 15.40億円"), "{stdout}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = waku(Path::new("."), &["chekc"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: "), "{stderr}");
    let (code, _, stderr) = waku(Path::new("."), &["check", "no/such/scenario.toml"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: cannot read `no/such/scenario.toml`: no such file\n  = hint: paths in a scenario are relative to the scenario file\n"
    );
}

#[test]
fn the_bad_input_corpus_has_at_least_120_cases() {
    let count = |dir: &str, pred: &dyn Fn(&Path) -> bool| {
        std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).filter(|e| pred(&e.path())).count()).unwrap_or(0)
    };
    let scenarios = fixtures("tests/fixtures/bad").len();
    let set_values = count("tests/fixtures/bad/set", &|p| p.extension().is_some_and(|e| e == "stderr"));
    let rules = count("tests/fixtures/bad-rules", &|p| p.is_dir());
    let infeasible = count("tests/fixtures/infeasible", &|p| p.extension().is_some_and(|e| e == "toml"));
    let total = scenarios + set_values + rules + infeasible;
    assert!(
        total >= 120,
        "{scenarios} scenarios + {set_values} --set + {rules} rules + {infeasible} infeasible = {total}"
    );
}
