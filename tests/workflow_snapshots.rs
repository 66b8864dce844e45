//! The snapshot suite's review half: `waku review` of every bundled scenario, globbed, so a rule
//! change that changes any program's findings or action is a readable diff (the allocation half
//! is in allocate_scenarios.rs, `check` in scenarios.rs). README: "When a snapshot changes".

use std::process::Command;

#[test]
fn every_scenario_review() {
    insta::glob!("../scenarios", "*.toml", |path| {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path);
        // A plan's review is its years' reviews, each snapshotted from its own file.
        if waku::scenario::is_plan(path) {
            return;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_waku"))
            .arg("review")
            .arg(rel)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run waku");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let name = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        insta::assert_snapshot!(format!("review-{name}"), String::from_utf8_lossy(&out.stdout));
    });
}
