//! Broken rule scripts, run through the real binary: each folder in `tests/fixtures/bad-rules/`
//! holds a small rules folder with one mistake and an `expected.stderr`. `waku review` must exit 2
//! with exactly that message (script:line:col, the source line, a caret, the program id), without
//! panicking, in under a second. Set `WAKU_BLESS=1` to rewrite the expected files; read the diffs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/bad-rules")
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn review(dir: &Path) -> (i32, String, String, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_waku"))
        .args(["review", "../_scenario.toml", "--rules", "rules"])
        .current_dir(dir)
        .output()
        .expect("run waku");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed(),
    )
}

#[test]
fn every_broken_ruleset_exits_2_with_its_exact_message_in_under_a_second() {
    let cases = cases();
    assert!(cases.len() >= 6, "expected the sandbox fixtures, found {}", cases.len());
    let mut failures = Vec::new();
    for dir in &cases {
        let (code, stdout, stderr, took) = review(dir);
        let name = dir.display();
        if code != 2 {
            failures.push(format!("{name}: exit {code}, expected 2\n{stderr}"));
        }
        if !stdout.is_empty() {
            failures.push(format!("{name}: wrote to stdout:\n{stdout}"));
        }
        if stderr.contains("panicked") {
            failures.push(format!("{name}: panicked\n{stderr}"));
        }
        if took > Duration::from_secs(1) {
            failures.push(format!("{name}: took {took:?}, expected under a second"));
        }
        let expected_path = dir.join("expected.stderr");
        if std::env::var_os("WAKU_BLESS").is_some() {
            std::fs::write(&expected_path, &stderr).expect("write expected.stderr");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != stderr {
            failures.push(format!("--- {}\n--- expected\n{expected}--- actual\n{stderr}", expected_path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_sandbox_case_names_the_script_position_and_program() {
    for (case, place) in [
        ("infinite-loop", "rules/viewpoints/needs.rhai:4:"),
        ("deep-recursion", "rules/viewpoints/needs.rhai:"),
        ("huge-string", "rules/viewpoints/needs.rhai:4:"),
        ("runtime-error", "rules/viewpoints/needs.rhai:2:"),
    ] {
        let (code, _, stderr, _) = review(&Path::new("tests/fixtures/bad-rules").join(case));
        assert_eq!(code, 2, "{case}: {stderr}");
        assert!(stderr.contains(&format!("--> {place}")), "{case}: no `{place}` in\n{stderr}");
        assert!(stderr.contains("while reviewing program `P0"), "{case}: no program id in\n{stderr}");
    }
    // A syntax error, or a returned value the static checks see is wrong, is found before any
    // program runs: it names the place only.
    for (case, start, place) in [
        ("syntax-error", "error: syntax error", "rules/viewpoints/needs.rhai:2:"),
        ("wrong-return-type", "error: the script can end without returning a map", "rules/viewpoints/needs.rhai:3:"),
        ("unknown-action", "error: `縮減` is not a known action", "rules/viewpoints/needs.rhai:3:"),
    ] {
        let (code, _, stderr, _) = review(&Path::new("tests/fixtures/bad-rules").join(case));
        assert_eq!(code, 2, "{case}: {stderr}");
        assert!(stderr.starts_with(start), "{case}: {stderr}");
        assert!(stderr.contains(&format!("--> {place}")), "{case}: {stderr}");
        assert!(!stderr.contains("while reviewing program"), "{case}: {stderr}");
    }
}
