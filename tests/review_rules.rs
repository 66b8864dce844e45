//! The review as users meet it: every program gets six findings and an assessment, the JSON
//! shape is stable, a number in `ruleset.toml` (or a scenario's `[parameters]`) changes the
//! outcome without touching a script, and `waku test` passes or fails with a readable diff.

use std::path::{Path, PathBuf};

use waku::review::{self, Action};
use waku::rules::Ruleset;
use waku::scenario::{self, LoadOptions};

mod common;
use common::waku;

/// A private copy of `rules/` to edit.
fn copy_rules(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new("rules"), &dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy file");
        }
    }
}

fn count(review: &review::Review, action: Action) -> usize {
    review.programs.iter().filter(|p| p.assessment.action == action).count()
}

#[test]
fn every_program_gets_six_findings_and_an_assessment() {
    let sc = scenario::load(Path::new("scenarios/kitakyushu-r8.toml")).expect("scenario");
    let rules = Ruleset::for_scenario(&sc).expect("rules");
    let r = review::review(&sc, &rules).expect("review");
    assert_eq!(r.programs.len(), sc.programs.len());
    for (p, sp) in r.programs.iter().zip(&sc.programs) {
        assert_eq!(p.id, sp.id, "scenario order");
        assert_eq!(p.findings.len(), 6, "{}", p.id);
        assert!(!p.assessment.reason.is_empty());
        assert!(p.assessment.min <= p.assessment.max && p.assessment.max <= sp.requested, "{}", p.id);
        if sp.kind == waku::scenario::ProgramKind::Mandatory {
            assert_eq!((p.assessment.min, p.assessment.max), (sp.requested, sp.requested), "{}: mandatory fixed", p.id);
        }
    }
    // A realistic spread: most continue, some expand, under a tenth reduced, a few of the rest.
    let n = r.programs.len();
    assert!(count(&r, Action::Continue) * 100 / n >= 60, "{:?}", r.action_counts());
    assert!((4..=12).contains(&(count(&r, Action::Reduce) * 100 / n)), "{:?}", r.action_counts());
    for a in [Action::Expand, Action::Improve, Action::Merge, Action::Outsource, Action::Abolish, Action::Complete] {
        assert!(count(&r, a) > 0, "no {a}: {:?}", r.action_counts());
    }
    // The same answer on one thread and on many.
    let seq =
        review::review_with(&sc, &rules, &review::Options { sequential: true, ..Default::default() }).expect("review");
    assert_eq!(review::to_json(&seq), review::to_json(&r));
}

#[test]
fn changing_a_number_in_ruleset_toml_changes_outcomes_without_touching_a_script() {
    let sc = scenario::load(Path::new("scenarios/kitakyushu-r8.toml")).expect("scenario");
    let dir = copy_rules("threshold");
    let before = review::review(&sc, &Ruleset::load(&dir, &sc.parameters).expect("rules")).expect("review");
    let scripts_before: Vec<String> = ["viewpoints/needs.rhai", "policies/default.rhai"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).expect("script"))
        .collect();

    // 需要が10%減れば縮小を推奨 (instead of 20%), and one viewpoint suffices for 縮小 (instead of
    // two): only the manifest changes.
    let manifest = dir.join("ruleset.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let edited = text
        .replacen("[parameters.needs_reduce_trend]\nvalue = -0.2", "[parameters.needs_reduce_trend]\nvalue = -0.1", 1)
        .replacen("[parameters.policy_reduce_quorum]\nvalue = 2", "[parameters.policy_reduce_quorum]\nvalue = 1", 1);
    assert_eq!(edited.matches("value = -0.1").count(), text.matches("value = -0.1").count() + 1, "threshold found");
    assert!(edited.contains("[parameters.policy_reduce_quorum]\nvalue = 1"), "quorum found");
    std::fs::write(&manifest, edited).expect("write manifest");

    let after = review::review(&sc, &Ruleset::load(&dir, &sc.parameters).expect("rules")).expect("review");
    let reduced = |r: &review::Review| r.programs.iter().filter(|p| p.findings[0].action == Action::Reduce).count();
    assert!(reduced(&after) > reduced(&before), "needs: {} → {}", reduced(&before), reduced(&after));
    assert!(count(&after, Action::Reduce) > count(&before, Action::Reduce));
    let scripts_after: Vec<String> = ["viewpoints/needs.rhai", "policies/default.rhai"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).expect("script"))
        .collect();
    assert_eq!(scripts_before, scripts_after);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scenario_overrides_a_parameter_and_a_wrong_type_is_located() {
    let dir = std::env::temp_dir().join(format!("waku-override-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let base = std::fs::read_to_string("tests/fixtures/small-city.toml").expect("fixture");
    let rules = std::env::current_dir().expect("cwd").join("rules");
    let write = |name: &str, params: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("rules = {:?}\n{base}\n[parameters]\n{params}\n", rules.display().to_string()))
            .expect("write");
        path
    };
    // The rules folder is outside the scenario's (temporary) folder: allowed, as the user would.
    let outside = LoadOptions { allow_outside_paths: true, ..LoadOptions::default() };
    let load = |path: &Path| scenario::load_with(path, &outside).expect("scenario");

    let strict = load(&write("strict.toml", "policy_continue_min_ratio = 1.0"));
    let r = review::review(&strict, &Ruleset::for_scenario(&strict).expect("rules")).expect("review");
    let continued: Vec<_> = r.programs.iter().filter(|p| p.assessment.action == Action::Continue).collect();
    assert!(!continued.is_empty());
    for p in &continued {
        let sp = strict.program(&p.id).expect("program");
        assert_eq!(p.assessment.min, sp.prior_cost.min(sp.requested), "{}: floor at 100% of prior cost", p.id);
    }

    let bad = write("bad.toml", "policy_continue_min_ratio = \"九割\"");
    let (code, _, stderr) = waku(&["review", bad.to_str().expect("path"), "--allow-outside-paths"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: parameter `policy_continue_min_ratio` is a ratio, found the string \"九割\""),
        "{stderr}"
    );
    assert!(stderr.contains("bad.toml:"), "{stderr}");

    let typo = write("typo.toml", "policy_continue_min_ratoi = 0.9");
    let (code, _, stderr) = waku(&["review", typo.to_str().expect("path"), "--allow-outside-paths"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown parameter `policy_continue_min_ratoi`"), "{stderr}");
    assert!(stderr.contains("did you mean `policy_continue_min_ratio`?"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_follows_the_documented_shape() {
    let (code, stdout, stderr) = waku(&["review", "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let programs = v["programs"].as_array().expect("programs");
    assert_eq!(programs.len(), 600);
    let p = &programs[1];
    let keys = |o: &serde_json::Value| o.as_object().expect("object").keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(p), ["assessment", "department", "findings", "id"]);
    assert_eq!(keys(&p["findings"][0]), ["action", "reason", "score", "viewpoint"]);
    assert_eq!(keys(&p["assessment"]), ["action", "max", "min", "priority", "reason"]);
    assert_eq!(p["id"], "K0002");
    let ids: Vec<&str> =
        p["findings"].as_array().expect("findings").iter().map(|f| f["viewpoint"].as_str().expect("id")).collect();
    assert_eq!(ids, ["needs", "efficiency", "overlap", "service_level", "dx", "public_private"]);
    // Money as strings of whole yen; scores and priorities as decimal strings.
    let max = p["assessment"]["max"].as_str().expect("money string");
    assert!(max.chars().all(|c| c.is_ascii_digit()), "{max}");
    assert!(p["assessment"]["priority"].as_str().expect("priority string").parse::<f64>().is_ok());
    assert!(p["findings"][0]["score"].as_str().expect("score string").parse::<f64>().is_ok());
}

#[test]
fn one_program_in_detail_and_a_did_you_mean_for_unknown_ids() {
    let (code, stdout, stderr) = waku(&["review", "scenarios/kitakyushu-r8.toml", "--program", "K0122"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("視点1 needs"), "{stdout}");
    assert!(stdout.contains("assessment  廃止"), "{stdout}");
    assert!(stdout.contains("視点1・視点2が廃止を推奨"), "{stdout}");

    let (code, _, stderr) = waku(&["review", "scenarios/kitakyushu-r8.toml", "--program", "K012"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no program `K012` in the scenario"), "{stderr}");
}

#[test]
fn rule_tests_pass_and_a_wrong_expectation_fails_with_a_diff() {
    let (code, stdout, stderr) = waku(&["test", "rules/tests"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");

    let dir = copy_rules("wrong-expectation");
    let case = dir.join("tests/wrong.toml");
    std::fs::write(
        &case,
        "[[case]]\nname = \"需要が30%減れば縮小（誤った期待: 継続）\"\nprogram = { demand_trend = -0.3 }\nexpect.needs = { action = \"継続\", score = [3, 5] }\n",
    )
    .expect("write case");
    let (code, stdout, _) = waku(&["test", case.to_str().expect("path")]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("FAIL ") && stdout.contains("wrong.toml:1  需要が30%減れば縮小（誤った期待: 継続）"),
        "{stdout}"
    );
    assert!(stdout.contains("needs.action  expected 継続"), "{stdout}");
    assert!(stdout.contains("found 縮小"), "{stdout}");
    assert!(stdout.contains("needs.score   expected 3..=5"), "{stdout}");
    assert!(stdout.contains("wrong.toml:4"), "{stdout}");
    assert!(stdout.contains("reason: 需要が30%減少しており、規模の縮小を検討"), "{stdout}");
    assert!(stdout.trim_end().ends_with("0 passed, 1 failed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_an_unused_parameter_as_a_warning() {
    let dir = copy_rules("unused");
    let manifest = dir.join("ruleset.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("manifest");
    text.push_str(
        "\n[parameters.forgotten_threshold]\nvalue = 0.5\nunit = \"ratio\"\ndescription = \"誰も読まない\"\n",
    );
    std::fs::write(&manifest, text).expect("write");
    let rules = Ruleset::load(&dir, &Default::default()).expect("rules");
    let rendered: Vec<String> = rules.warnings.iter().map(|w| w.render()).collect();
    assert_eq!(rendered.len(), 1, "{rendered:?}");
    assert!(
        rendered[0].starts_with("warning: parameter `forgotten_threshold` is declared but no script reads it"),
        "{}",
        rendered[0]
    );
    assert!(rendered[0].contains("ruleset.toml:"), "{}", rendered[0]);
    let _ = std::fs::remove_dir_all(&dir);
}
