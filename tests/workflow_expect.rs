//! `waku test` on scenarios: every `[[expect]]` of the bundled scenarios holds; a failing
//! fixture exits 1 and says which expectation failed and by how much; bad expectations are
//! located input errors (exit 2). Expected output lives beside each fixture.

use std::path::Path;

mod common;
use common::waku;

fn expected(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("expected output file")
}

#[test]
fn every_bundled_expectation_holds() {
    let (code, stdout, stderr) = waku(&["test", "scenarios"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // 29 in the single scenarios and plans (7 of them on the evaluation), 15 in the stages of
    // kitakyushu-r8-cycle/.
    assert_eq!(stdout, "44 passed, 0 failed\n");
}

#[test]
fn scenarios_and_rule_tests_run_together() {
    let (code, stdout, stderr) = waku(&["test", "scenarios", "rules/tests"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with(" passed, 0 failed\n"), "{stdout}");
}

#[test]
fn a_failing_expectation_exits_1_and_says_by_how_much() {
    let (code, stdout, stderr) = waku(&["test", "tests/fixtures/expect/failing-expectations.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(stdout, expected("tests/fixtures/expect/failing-expectations.stdout"));
}

#[test]
fn a_failing_expectation_on_the_evaluation_exits_1_and_says_by_how_much() {
    // みほん市's KPI table: P02's 待機児童数 is 20% of the way (30% expected), C1-1 costs
    // 62,345,229円 a point (at most 60,000,000円 expected), one program missed three years (0 expected).
    let (code, stdout, stderr) = waku(&["test", "tests/fixtures/kpi-city-failing-expectations.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr, "");
    assert!(stdout.contains("found 0.2") && stdout.contains("short by 0.1"), "{stdout}");
    assert!(stdout.contains("over by 2,345,229円"), "{stdout}");
    assert_eq!(stdout, expected("tests/fixtures/kpi-city-failing-expectations.stdout"));
}

#[test]
fn bad_expectations_are_located_input_errors() {
    let fixtures = ["bad-unknown-program", "bad-unknown-key", "bad-amount", "bad-evaluation-without-kpis"]
        .map(|name| format!("tests/fixtures/expect/{name}"));
    for name in fixtures.iter().map(String::as_str).chain(["tests/fixtures/kpi-city-bad-expect-kpi"]) {
        let (code, stdout, stderr) = waku(&["test", &format!("{name}.toml")]);
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert_eq!(stderr, expected(&format!("{name}.stderr")), "{name}");
    }
}

#[test]
fn an_infeasible_scenario_fails_its_expectations_unless_it_expects_the_conflict() {
    let dir = tempdir();
    let base = std::fs::read_to_string("tests/fixtures/small-city.toml").expect("read");
    let path = dir.join("infeasible.toml");
    let text =
        format!("{base}\n[[expect]]\nfeasible = false\n\n[[expect]]\nfigure = \"reserve\"\nat_least = \"0円\"\n");
    std::fs::write(&path, text).expect("write");
    let (code, stdout, _) = waku(&["test", path.to_str().expect("utf-8")]);
    assert_eq!(code, 1);
    assert!(stdout.contains("found no allocation: the limits cannot all hold"), "{stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed\n"), "{stdout}");
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-expect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // The scenario finds the repository's rules through `--rules`-free lookup only near it; copy them beside.
    let rules = dir.join("rules");
    if !rules.exists() {
        copy_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").as_path(), &rules);
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}
