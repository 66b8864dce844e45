//! Relative `--set` (`-3%`, `+5%`, `×0.97`, `+1pt`): the same allocation as the amount or share it
//! gives, validated like any value, and said in the header of every report.

mod common;

use common::waku;

const R8: &str = "scenarios/kitakyushu-r8.toml";

/// `waku run --format json` without its `overrides` block (which quotes the argument as written).
fn allocation(set: &str) -> String {
    let (code, json, stderr) = waku(&["run", R8, "--format", "json", "--set", set]);
    assert_eq!(code, 0, "--set {set}: {stderr}");
    assert!(json.contains("  \"overrides\": ["), "{json}");
    common::without_overrides(&json)
}

#[test]
fn a_relative_change_allocates_as_the_amount_it_gives() {
    // 4,352億円 − 3% = 4,221.44億円, to the yen.
    let minus3 = allocation("revenue.general_revenue=-3%");
    assert!(minus3.contains("\"general_revenue\": \"422144000000\""), "{minus3}");
    assert_eq!(minus3, allocation("revenue.general_revenue=4,221.44億円"));
    assert_eq!(minus3, allocation("revenue.general_revenue=×0.97"));
    // A share by points: 1% + 1pt = 2%.
    assert_eq!(allocation("policy.reserve_min_share=+1pt"), allocation("policy.reserve_min_share=0.02"));
    // A bureau named by its name, the policy's ratio (it has none of its own) multiplied.
    assert_eq!(
        allocation("departments.子ども家庭局.floor_ratio=×1.05"),
        allocation("departments.kodomo_katei.floor_ratio=0.945")
    );
}

#[test]
fn the_change_is_said_in_every_reports_header() {
    let set = "revenue.general_revenue=-3%";
    let line = "--set revenue.general_revenue=-3%: 4,352.00億円 → 4,221.44億円";
    let run = |format: &str| {
        let (code, out, stderr) = waku(&["run", R8, "--set", set, "--format", format]);
        assert_eq!(code, 0, "{format}: {stderr}");
        out
    };
    let table = run("table");
    assert_eq!(table.lines().nth(1), Some(line), "{table}");
    let memo = run("markdown");
    assert!(memo.lines().take(8).any(|l| l == format!("- `{line}`")), "{memo}");
    let html = run("html");
    let masthead = &html[..html.find("</header>").expect("masthead")];
    assert!(masthead.contains(&format!("<code>{line}</code>")), "the HTML masthead says it");
    let json = run("json");
    assert!(
        json.contains(
            "\"overrides\": [\n    {\n      \"set\": \"revenue.general_revenue=-3%\",\n      \"before\": \"435200000000\",\n      \"after\": \"422144000000\"\n    }\n  ],"
        ),
        "{json}"
    );
    let (code, check, _) = waku(&["check", R8, "--set", set]);
    assert_eq!(code, 0);
    assert!(check.lines().take(5).any(|l| l == line), "{check}");
    let (code, explain, _) = waku(&["explain", R8, "--set", set, "reserve_min"]);
    assert_eq!(code, 0);
    assert_eq!(explain.lines().next(), Some(line));
    let (code, auto, stderr) = waku(&["run", R8, "--set", "policy.investment_cap=×0.99", "--mode", "autonomous"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(auto.lines().nth(1), Some("--set policy.investment_cap=×0.99: 650.00億円 → 643.50億円"), "{auto}");
    // Without `--set`, no such line and no `overrides` in the JSON.
    let (_, plain, _) = waku(&["run", R8, "--format", "json"]);
    assert!(!plain.contains("\"overrides\""));
}

#[test]
fn a_change_that_cannot_apply_is_a_located_error() {
    let cases = [
        ("revenue.general_revenue=97%", "error: `97%` needs a sign to be a change"),
        (
            "policy.reserve_min_share=+1%",
            "error: `+1%` is ambiguous for a share or ratio: write `+1pt` for percentage points or `×…` for a multiple",
        ),
        ("revenue.general_revenue=+1pt", "error: `+1pt` is a change in points, which applies to shares and ratios"),
        (
            "policy.reserve_weight=×2",
            "error: `policy.reserve_weight` is not set in the scenario, so `×2` has nothing to change",
        ),
        ("policy.reserve_max_share=×30", "error: `policy.reserve_max_share` must be between 0 and 1, found 1.5"),
    ];
    for (set, first) in cases {
        let (code, stdout, stderr) = waku(&["check", R8, "--set", set]);
        assert_eq!(code, 2, "--set {set}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().next(), Some(first), "--set {set}:\n{stderr}");
        assert!(stderr.contains(" --> --set"), "located in the argument: {stderr}");
    }
    // The multiple that overran the share stands beside the value it gave.
    let (_, _, stderr) = waku(&["check", R8, "--set", "policy.reserve_max_share=×30"]);
    assert!(stderr.contains("policy.reserve_max_share = \"1.5\"  # ×30"), "{stderr}");
}
