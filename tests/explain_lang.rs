//! `waku explain` speaks a budget office's Japanese by default and English with `--lang en`: a
//! program's review findings, its assessment, why it got its amount, the limits that bind it and
//! what would change it — each figure of the last from a re-solve, which a run with the limit
//! actually moved confirms. Reviewed snapshots in both languages.

use serde_json::Value;

mod common;
use common::waku;

const R8: &str = "scenarios/kitakyushu-r8.toml";
const DOWN: &str = "scenarios/kitakyushu-r8-revenue-down.toml";
const DOWN_3: &str = "revenue.general_revenue=4,221億円";

fn explain(args: &[&str]) -> String {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = waku(&all);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

/// Lines of solver English the Japanese explanation must not print.
fn no_english(text: &str) {
    for line in text.lines().filter(|l| !l.starts_with("--set ")) {
        for word in ["program `", "review:", "held at", "priority ", "binding", "constraint `", "shadow price"] {
            assert!(!line.contains(word), "English `{word}` in: {line}");
        }
    }
}

#[test]
fn a_program_is_explained_in_budget_japanese_by_default() {
    let text = explain(&[R8, "K0407"]);
    no_english(&text);
    assert!(text.starts_with("事業 K0407 下水道事業会計負担金（雨水処理）（建設局、裁量的経費）\n"), "{text}");
    for viewpoint in 1..=6 {
        assert!(text.contains(&format!("    視点{viewpoint} ")), "finding of 視点{viewpoint}: {text}");
    }
    assert!(text.contains("  評価: 継続、優先度1.2、配分の範囲85.70億円〜96.92億円。\n"), "{text}");
    assert!(text.contains("    理由: 各視点とも継続が妥当なため継続。"), "{text}");
    assert!(text.contains("  配分が変わる条件:\n    見直しの上限96.92億円まで配分しているため"), "{text}");
    insta::assert_snapshot!("explain-K0407-ja", text);
    insta::assert_snapshot!("explain-K0407-en", explain(&[R8, "K0407", "--lang", "en"]));
}

#[test]
fn what_would_change_a_program_is_what_a_run_with_the_limit_moved_gives() {
    // 4,264.96億円 of general revenue, K0199 at its review minimum: one more 億円 goes partly to it.
    let text = explain(&[DOWN, "K0199"]);
    no_english(&text);
    let line =
        text.lines().find(|l| l.contains("一般財源が1.00億円増えれば、この事業に")).expect("what would change it");
    let said: String = line.split("この事業に").nth(1).and_then(|s| s.split("億円").next()).expect("an amount").into();
    let allocated = |sets: &[&str]| {
        let mut args = vec!["run", DOWN, "--format", "json"];
        for s in sets {
            args.extend(["--set", s]);
        }
        let (code, stdout, stderr) = waku(&args);
        assert_eq!(code, 0, "{stderr}");
        let a: Value = serde_json::from_str(&stdout).expect("JSON");
        let p = a["programs"].as_array().expect("programs").iter().find(|p| p["id"] == "K0199").expect("K0199").clone();
        p["allocated"].as_str().and_then(|s| s.parse::<i64>().ok()).expect("yen")
    };
    let more = allocated(&["revenue.general_revenue=4,265.96億円"]) - allocated(&[]);
    assert_eq!(format!("{:.2}", more as f64 / 1e8), said, "{line}");
    insta::assert_snapshot!("explain-K0199-revenue-down-ja", text);
}

#[test]
fn constraints_and_bureaus_are_explained_in_japanese_too() {
    let text = explain(&[R8, "fund_drawdown", "--set", DOWN_3]);
    no_english(&text);
    assert!(
        text.contains("限度 基金取崩しの上限（`fund_drawdown`）\n  値 60.00億円 ≤ 限度 60.00億円。拘束しています。"),
        "{text}"
    );
    assert!(text.contains("この限度を1.00億円上げると、"), "{text}");
    insta::assert_snapshot!("explain-fund-drawdown-down-3-ja", text);
    insta::assert_snapshot!(
        "explain-fund-drawdown-down-3-en",
        explain(&[R8, "fund_drawdown", "--set", DOWN_3, "--lang", "en"])
    );
    let bureau = explain(&[R8, "門司区役所"]);
    no_english(&bureau);
    insta::assert_snapshot!("explain-moji-ku-ja", bureau);
    insta::assert_snapshot!("explain-moji-ku-en", explain(&[R8, "moji_ku", "--lang", "en"]));
}

/// The memo (`waku run --format markdown`) is Japanese by default — the terminal's `--lang en`
/// default does not reach it — and English with `--lang en`; the figures are the same in both.
#[test]
fn the_memo_is_japanese_by_default_and_english_with_lang_en() {
    let run = |extra: &[&str]| {
        let mut args = vec!["run", R8, "--format", "markdown", "--set", DOWN_3];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = waku(&args);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let ja = run(&[]);
    assert_eq!(ja, run(&["--lang", "ja"]), "Japanese unless --lang en");
    assert!(ja.contains("## 要旨\n") && ja.contains("## 拘束している制約\n"), "{ja}");
    let en = run(&["--lang", "en"]);
    for heading in [
        "— envelope allocation (FY2026)",
        "## Summary\n",
        "## Bureau envelopes (局別の枠)\n",
        "## Binding limits\n",
        "## Fiscal indicators\n",
        "## Totals by review action\n",
    ] {
        assert!(en.contains(heading), "`{heading}` missing:\n{en}");
    }
    for ja_only in ["## 要旨", "## 拘束している制約", "配分できる一般財源は", "局別枠合計", "拘束している"]
    {
        assert!(!en.contains(ja_only), "Japanese `{ja_only}` in the English memo");
    }
    // The same money in both: the reserve, drawn from the fund, the envelopes' identity.
    assert!(ja.contains("基金取崩し 60.00億円"), "{ja}");
    assert!(en.contains("drawn from the fund 60.00億円"), "{en}");
    assert!(
        en.contains("+ the mayor's reserve 42.81億円 = general revenue available 4,281.00億円 (to the yen)"),
        "{en}"
    );
    assert!(en.contains("- **fund drawdown limit** (60.00億円): +1.00億円 of fund drawdown limit would add"), "{en}");
}
