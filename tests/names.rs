//! Bureaus and programs by their Japanese names wherever an id goes: `waku explain`, `--set
//! departments.…` / `programs.…`, `[[expect]]`; unknown ones get "did you mean" over names and ids.

mod common;

use common::waku;

const R8: &str = "scenarios/kitakyushu-r8.toml";

#[test]
fn explain_takes_a_bureau_or_program_by_its_name() {
    let (code, by_name, stderr) = waku(&["explain", R8, "市民文化スポーツ局"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(by_name.starts_with("局 市民文化スポーツ局（shimin_bunka_sports）\n  配分枠 "), "{by_name}");
    let (_, by_id, _) = waku(&["explain", R8, "shimin_bunka_sports"]);
    assert_eq!(by_name, by_id);
    let (code, by_name, stderr) = waku(&["explain", R8, "地域図書館管理運営事業（小倉北区）"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(by_name.starts_with("事業 K0124 地域図書館管理運営事業（小倉北区）（市民文化スポーツ局、"), "{by_name}");
    assert_eq!(by_name, waku(&["explain", R8, "K0124"]).1);
}

#[test]
fn an_unknown_subject_suggests_names_and_lists_bureaus_and_programs_first() {
    let (code, stdout, stderr) = waku(&["explain", R8, "市民文化局"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[0], "error: `市民文化局` is not a bureau, program or constraint of this scenario");
    assert!(
        lines[1].starts_with("  = note: bureaus, by name or id: 政策局 (`seisaku`), 総務局 (`somu`), "),
        "{stderr}"
    );
    assert!(lines[2].starts_with("  = note: programs, by id or name: `K0001` 職員給与費（政策局）, "), "{stderr}");
    assert!(lines[2].ends_with("(600 in all; `waku run --programs` lists them)"), "{stderr}");
    assert!(lines[3].starts_with("  = note: constraints: `balance`, `envelope_floor.<bureau>`, "), "{stderr}");
    assert_eq!(lines[4], "  = hint: did you mean `市民文化スポーツ局` (`shimin_bunka_sports`)?");
    let (_, _, stderr) = waku(&["explain", R8, "子ども家庭"]);
    assert!(stderr.ends_with("  = hint: did you mean `子ども家庭局` (`kodomo_katei`)?\n"), "{stderr}");
}

#[test]
fn set_names_a_bureau_or_program_by_its_name() {
    let json = |set: &str| {
        let (code, stdout, stderr) = waku(&["run", R8, "--format", "json", "--set", set]);
        assert_eq!(code, 0, "--set {set}: {stderr}");
        common::without_overrides(&stdout)
    };
    let by_name = json("departments.子ども家庭局.ceiling_ratio=1.01");
    assert_eq!(by_name, json("departments.kodomo_katei.ceiling_ratio=1.01"));
    assert_ne!(by_name, waku(&["run", R8, "--format", "json"]).1, "the override took effect");
    let by_name = json("programs.地域図書館管理運営事業（小倉北区）.requested=7億円");
    assert_eq!(by_name, json("programs.K0124.requested=7億円"));
    assert!(by_name.contains("\"requested\": \"700000000\""), "{by_name}");

    let (code, _, stderr) = waku(&["check", R8, "--set", "departments.子ども家庭.floor_ratio=0.5"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: `--set` names unknown department `子ども家庭`\n"), "{stderr}");
    assert!(stderr.ends_with("  = hint: did you mean `子ども家庭局` (`kodomo_katei`)?\n"), "{stderr}");
}

#[test]
fn expectations_name_bureaus_and_programs() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("waku-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for f in common::KITAKYUSHU_R8_FILES {
        std::fs::copy(std::path::Path::new("scenarios").join(f), dir.join(f)).expect("copy scenario");
    }
    let overlay = dir.join("named.toml");
    std::fs::write(
        &overlay,
        "extends = \"kitakyushu-r8.toml\"\n\n[[expect]]\nenvelope = \"子ども家庭局\"\nat_least = \"300億円\"\n\n\
             [[expect]]\nprogram = \"地域図書館管理運営事業（小倉北区）\"\nat_most = \"9億円\"\n\n\
             [[expect]]\nenvelope = \"子ども家庭\"\nat_least = \"1億円\"\n",
    )
    .expect("write overlay");
    let path = overlay.to_str().expect("utf-8");
    let (code, stdout, stderr) = waku(&["test", path]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.starts_with("error: unknown bureau `子ども家庭` in `[[expect]]`\n"), "{stderr}");
    assert!(stderr.ends_with("  = hint: did you mean `子ども家庭局` (`kodomo_katei`)?\n"), "{stderr}");
    let text = std::fs::read_to_string(&overlay).expect("read");
    std::fs::write(&overlay, &text[..text.rfind("\n[[expect]]").expect("third")]).expect("rewrite");
    let (code, stdout, stderr) = waku(&["test", path]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("2 passed, 0 failed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
