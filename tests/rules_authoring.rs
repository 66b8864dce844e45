//! For policy designers: `waku rules doc` lists what the engine registers, and `waku rules diff`
//! lists exactly the programs whose findings a rule change moved, viewpoint by viewpoint.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{temp_dir, waku};
use serde_json::Value;

/// Copies the rules folder `from` to `to` (files and sub-folders).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

#[test]
fn rules_doc_lists_every_field_and_helper_the_engine_registers() {
    let (code, stdout, stderr) = waku(&["rules", "doc", "rules", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc = json(&stdout);
    let names = |key: &str| -> Vec<String> {
        doc[key].as_array().expect(key).iter().map(|f| f["name"].as_str().expect("name").to_string()).collect()
    };
    // The engine's lists (a unit test in rules::doc keeps these equal to its registered getters and functions).
    let fields: Vec<String> = waku::rules::PROGRAM_FIELDS.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(names("fields"), fields);
    let helpers: Vec<String> = waku::rules::doc::HELPERS.iter().map(|h| h.name.to_string()).collect();
    assert_eq!(names("helpers"), helpers);
    for h in ["because", "at", "decide", "count_action", "oku", "pct"] {
        assert!(helpers.iter().any(|n| n == h), "{h} is documented");
    }
    // Every parameter of the bundled ruleset, with its kind; the scale and the table in full.
    let params: BTreeMap<String, &Value> = doc["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| (p["name"].as_str().expect("name").to_string(), p))
        .collect();
    assert_eq!(params["needs_reduce_trend"]["kind"], "value");
    assert_eq!(params["needs_reduce_trend"]["value"], "-0.2");
    assert_eq!(params["dx_score"]["scale"]["input"], "digital_share");
    assert_eq!(params["service_level_review"]["table"]["rows"][0]["when"][0], "service_level >= 1.3");

    let (code, markdown, stderr) = waku(&["rules", "doc"]);
    assert_eq!(code, 0, "{stderr}");
    for f in &fields {
        assert!(markdown.contains(&format!("| `{f}` |")), "{f} in the Markdown reference");
    }
    assert!(markdown.contains("| `because` | `findings.because(action) → text` |"), "{markdown}");
    assert!(markdown.contains("| below 0.3 | 2 |"), "the scale's brackets");
}

/// The findings of `waku review --rules RULES`, by viewpoint: program id → (score, action, reason, bounds).
fn findings(rules: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let rules = rules.to_str().expect("path");
    let (code, stdout, stderr) =
        waku(&["review", "scenarios/kitakyushu-r8.toml", "--rules", rules, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let mut by_viewpoint: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for p in json(&stdout)["programs"].as_array().expect("programs") {
        for f in p["findings"].as_array().expect("findings") {
            let viewpoint = f["viewpoint"].as_str().expect("viewpoint").to_string();
            let id = p["id"].as_str().expect("id").to_string();
            by_viewpoint.entry(viewpoint).or_default().insert(id, f.to_string());
        }
    }
    by_viewpoint
}

#[test]
fn rules_diff_lists_exactly_the_programs_whose_findings_moved() {
    let dir = temp_dir("rules-diff");
    let new = dir.join("rules-v2");
    copy_dir(Path::new("rules"), &new);
    let manifest = new.join("ruleset.toml");
    let text = std::fs::read_to_string(&manifest).expect("ruleset");
    let changed = text.replacen(
        "[parameters.needs_reduce_trend]\nvalue = -0.2",
        "[parameters.needs_reduce_trend]\nvalue = -0.3",
        1,
    );
    assert_ne!(changed, text, "the threshold is where the test expects it");
    std::fs::write(&manifest, changed).expect("write");

    // What moved, found independently: every finding under each ruleset, compared.
    let (before, after) = (findings(Path::new("rules")), findings(&new));
    let expected: BTreeMap<String, BTreeSet<String>> = before
        .iter()
        .map(|(v, old)| {
            let moved = old.iter().filter(|(id, f)| after[v].get(*id) != Some(*f)).map(|(id, _)| id.clone());
            (v.clone(), moved.collect())
        })
        .collect();
    assert!(!expected["needs"].is_empty(), "the threshold moves some programs of 視点1");

    let new_arg = new.to_str().expect("path");
    let (code, stdout, stderr) =
        waku(&["rules", "diff", "rules", new_arg, "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let d = json(&stdout);
    let listed: BTreeMap<String, BTreeSet<String>> = d["viewpoints"]
        .as_array()
        .expect("viewpoints")
        .iter()
        .map(|v| {
            let ids =
                v["changes"].as_array().expect("changes").iter().map(|c| c["id"].as_str().expect("id").to_string());
            (v["id"].as_str().expect("id").to_string(), ids.collect())
        })
        .collect();
    assert_eq!(listed, expected, "per viewpoint, exactly the programs whose finding moved");
    assert!(listed.iter().filter(|(v, _)| *v != "needs").all(|(_, ids)| ids.is_empty()));
    assert_eq!(d["parameters"][0]["name"], "needs_reduce_trend");
    assert_eq!((d["parameters"][0]["old"].as_str(), d["parameters"][0]["new"].as_str()), (Some("-0.2"), Some("-0.3")));
    assert_eq!(d["parameters"].as_array().map(Vec::len), Some(1));
    // A program that left 縮小 under 視点1 shows the reason it had and the one it has now.
    let change = &d["viewpoints"][0]["changes"][0];
    assert_eq!(change["old"]["action"], "縮小");
    assert_ne!(change["new"]["action"], "縮小");

    // Markdown for the review meeting, with every moved program and the assessments after them.
    let (code, markdown, stderr) = waku(&["rules", "diff", "rules", new_arg, "scenarios/kitakyushu-r8.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let needs = expected["needs"].len();
    assert!(
        markdown.contains(&format!("### 視点1 市民のニーズや社会経済情勢の変化への対応 (`needs`): {needs} programs")),
        "{markdown}"
    );
    assert!(markdown.contains("### 視点2 効率性・生産性、費用対効果 (`efficiency`): no change"), "{markdown}");
    for id in &expected["needs"] {
        assert!(markdown.contains(&format!("| {id} |")), "{id} listed");
    }
    assert!(markdown.contains("| `needs_reduce_trend` | -0.2 | -0.3 |"), "{markdown}");

    // The same rules on both sides: nothing moves.
    let (code, same, _) =
        waku(&["rules", "diff", "rules", "rules", "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    assert_eq!(code, 0);
    let same = json(&same);
    assert!(
        same["viewpoints"]
            .as_array()
            .expect("viewpoints")
            .iter()
            .all(|v| v["changes"].as_array().is_some_and(Vec::is_empty))
    );
    assert_eq!(same["assessments"].as_array().map(Vec::len), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_value_for_one_bureau_moves_only_that_bureaus_programs_and_shows_in_their_trace() {
    let dir = temp_dir("rules-bureau-value");
    let (everyone, one_bureau) = (dir.join("rules-all"), dir.join("rules-hoken"));
    let declared = "[parameters.needs_reduce_trend]\nvalue = -0.2";
    for (to, with) in [
        (&everyone, "[parameters.needs_reduce_trend]\nvalue = -0.3".to_string()),
        (
            &one_bureau,
            format!(
                "{declared}\noverrides = [{{ department = \"hoken_fukushi\", value = -0.3, note = \"福祉は段階的に\" }}]"
            ),
        ),
    ] {
        copy_dir(Path::new("rules"), to);
        let manifest = to.join("ruleset.toml");
        let text = std::fs::read_to_string(&manifest).expect("ruleset");
        let changed = text.replacen(declared, &with, 1);
        assert_ne!(changed, text);
        std::fs::write(&manifest, changed).expect("write");
    }
    let moved = |rules: &Path| -> BTreeSet<String> {
        let (code, stdout, stderr) = waku(&[
            "rules",
            "diff",
            "rules",
            rules.to_str().expect("path"),
            "scenarios/kitakyushu-r8.toml",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let d = json(&stdout);
        d["viewpoints"][0]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_string())
            .collect()
    };
    // The bureau's value moves exactly the bureau's programs among those the city-wide value moves.
    let sc = waku::scenario::load(Path::new("scenarios/kitakyushu-r8.toml")).expect("scenario");
    let in_bureau = |id: &String| sc.program(id).is_some_and(|p| p.department == "hoken_fukushi");
    let all = moved(&everyone);
    let expected: BTreeSet<String> = all.iter().filter(|id| in_bureau(id)).cloned().collect();
    assert!(!expected.is_empty() && expected.len() < all.len(), "{all:?}");
    assert_eq!(moved(&one_bureau), expected);

    // `waku review --program` says which value the program saw, and why.
    let id = expected.iter().next().expect("a program");
    let rules = one_bureau.to_str().expect("path");
    let (code, stdout, stderr) = waku(&["review", "scenarios/kitakyushu-r8.toml", "--rules", rules, "--program", id]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("params.needs_reduce_trend = -0.3  (the value for hoken_fukushi「福祉は段階的に」"),
        "{stdout}"
    );
    let other = sc.programs.iter().find(|p| p.department != "hoken_fukushi").expect("another bureau");
    let (_, stdout, _) = waku(&["review", "scenarios/kitakyushu-r8.toml", "--rules", rules, "--program", &other.id]);
    assert!(!stdout.contains("params."), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
