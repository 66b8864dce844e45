//! Errors by kind, each with its exit code (README "Exit codes"): 1 infeasible limits or failed
//! checks, 2 bad input, 3 an I/O failure that is not the input's, 4 a bug waku found in itself.

use std::path::Path;
use std::process::{Command, Stdio};

use waku::pipeline::{self, Options};

fn waku_to(args: &[&str], stdout: Stdio) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(stdout)
        .output()
        .expect("run waku");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A full disk: standard output is /dev/full, so every write fails with "no space left".
#[test]
fn a_full_disk_is_exit_3() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full (Linux)");
    let (code, stderr) = waku_to(&["run", "scenarios/kumamoto-r8.toml", "--format", "json"], Stdio::from(full));
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.starts_with("error: cannot write to standard output: No space left on device"), "{stderr}");
    assert!(stderr.contains("= hint: check the disk"), "{stderr}");
}

/// A folder that does not exist is the user's to fix: exit 2, not 3.
#[test]
fn an_output_folder_that_does_not_exist_is_exit_2() {
    let (code, stderr) =
        waku_to(&["run", "scenarios/kumamoto-r8.toml", "--out", "no-such-folder/report.txt"], Stdio::null());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot write `no-such-folder/report.txt`"), "{stderr}");
    assert!(stderr.contains("check that the folder exists"), "{stderr}");
}

/// Infeasible limits: exit 1.
#[test]
fn limits_that_cannot_all_hold_are_exit_1() {
    let (code, stderr) = waku_to(&["run", "tests/fixtures/small-city.toml"], Stdio::null());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot all hold"), "{stderr}");
}

/// A review that does not belong to its scenario can only come from a bug in the caller: the
/// pipeline refuses it as an internal error (exit 4) that asks for a report and says what broke.
#[test]
fn a_broken_invariant_is_an_internal_error_exit_4() {
    let run = |path: &str| pipeline::run_path(Path::new(path), &Options::default()).expect("runs");
    let kumamoto = run("scenarios/kumamoto-r8.toml");
    let kitakyushu = run("scenarios/kitakyushu-r8.toml");
    let scenario = kumamoto.input.scenario().expect("a year");
    let wrong_review = &kitakyushu.reviews[0];
    let e = pipeline::allocate_year(scenario, wrong_review, &Default::default()).expect_err("refused");
    assert!(matches!(e, waku::Error::Internal(_)), "{e:?}");
    assert_eq!(e.exit_code(), 4);
    let text = e.to_string();
    assert!(text.starts_with("internal error: the review of `scenarios/kumamoto-r8.toml` does not match"), "{text}");
    assert!(text.contains("600 assessments for 300 programs"), "{text}");
    assert!(text.contains("please report it"), "{text}");
}

/// `waku run` and `waku review` print the scenario's warnings on standard error, as `check` does;
/// standard output holds only the result.
#[test]
fn run_and_review_print_the_scenarios_warnings() {
    for command in ["check", "review", "run"] {
        let out = Command::new(env!("CARGO_BIN_EXE_waku"))
            .args([command, "scenarios/kumamoto-r8.toml", "--set", "revenue.general_account=1億円"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run waku");
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{command}: {stderr}");
        assert!(
            stderr.starts_with(
                "warning: the inventory's requests total 4,378.00億円 but `revenue.general_account` is 1.00億円"
            ),
            "{command}: {stderr}"
        );
        assert!(!stdout.contains("warning"), "{command}: the warning is not among the results");
    }
}
