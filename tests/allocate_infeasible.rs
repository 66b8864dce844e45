//! Contradictory limits: `waku run` exits 1 and names the conflicting limits and the shortfall.
//!
//! Each `tests/fixtures/infeasible/<kind>.toml` must fail with exactly the text in
//! `<kind>.stderr`. Set `WAKU_BLESS=1` to write the `.stderr` files from the current output
//! (then read the diff before committing).

mod common;

use std::path::Path;
use std::process::Command;

fn run(path: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku"))
        .arg("run")
        .arg(path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run waku");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_infeasible_fixture_exits_1_with_its_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/infeasible");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 7, "one fixture per kind of conflict");
    let bless = std::env::var_os("WAKU_BLESS").is_some();
    let mut failures = Vec::new();
    for f in &fixtures {
        let rel = f.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(f);
        let (code, stdout, stderr) = run(rel);
        let expected_path = f.with_extension("stderr");
        if bless {
            std::fs::write(&expected_path, &stderr).expect("write .stderr");
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if code != Some(1) || !stdout.is_empty() || stderr != expected {
            failures.push(format!(
                "{}: exit {code:?}\n--- expected stderr\n{expected}--- found stderr\n{stderr}--- stdout\n{stdout}",
                rel.display()
            ));
        }
        assert!(!stderr.contains("solver failed"), "{}: never a bare solver failure", rel.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A floor the user states is held as stated, or the run fails saying why; it is never lowered
/// silently (it used to become what the bureau's programs could take, 357.68億円, without a word).
#[test]
fn a_stated_envelope_floor_holds_or_the_run_says_why() {
    let waku = |set: &str| common::waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json", "--set", set]);
    let (code, stdout, stderr) = waku("departments.kodomo_katei.floor=360億円");
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with(
            "error: envelope floor of 子ども家庭局 360.00億円 cannot hold: its programs at the review's maxima need only 357.68億円 of general revenue: short by 2.32億円\n"
        ),
        "{stderr}"
    );
    // A floor they can take holds, exactly as written.
    let (code, stdout, stderr) = waku("departments.kodomo_katei.floor=357億円");
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let kodomo = json["envelopes"].as_array().expect("envelopes").iter().find(|e| e["department"] == "kodomo_katei");
    let kodomo = kodomo.expect("kodomo_katei");
    assert_eq!(kodomo["floor"], "35700000000");
    let amount: i64 = kodomo["amount"].as_str().and_then(|s| s.parse().ok()).expect("amount");
    assert!(amount >= 35_700_000_000, "envelope {amount} below its floor");
}
