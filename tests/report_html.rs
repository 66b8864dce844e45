//! `waku run --format html`: the money reconciles with `--format json`, names are text, the bytes
//! are the same on every run, and nothing in the file points outside it.

use std::path::PathBuf;
use std::str::FromStr;

use rust_decimal::Decimal;
use waku::{Money, Unit};

mod common;
use common::waku;

fn html(scenario: &str) -> String {
    let (code, out, err) = waku(&["run", scenario, "--format", "html"]);
    assert_eq!(code, 0, "{err}");
    out
}

fn money(v: &serde_json::Value) -> Money {
    Money::from_decimal(Decimal::from_str(v.as_str().expect("money is a string")).expect("whole yen"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn kitakyushu_report_reconciles_with_json() {
    let page = html("scenarios/kitakyushu-r8.toml");
    let (code, json, err) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&json).expect("json");

    let envelopes = j["envelopes"].as_array().expect("envelopes");
    assert_eq!(envelopes.len(), 20);
    let mut total = Money::ZERO;
    for e in envelopes {
        let (id, amount) = (e["department"].as_str().expect("id"), money(&e["amount"]));
        total += amount;
        let row = format!("<tr data-department=\"{id}\" data-envelope=\"{}\">", amount.as_decimal());
        let at = page.find(&row).unwrap_or_else(|| panic!("no envelope row {row}"));
        // The row shows the same amount in 億円, e.g. 183.54.
        let shown = format!("<td class=\"num strong\">{}</td>", amount.format_number(Unit::Oku));
        let end = at + page[at..].find("</tr>").expect("row end");
        assert!(page[at..end].contains(&shown), "{id}: expected {shown} in {}", &page[at..end]);
    }
    let reserve = money(&j["reserve"]);
    let available = money(&j["available"]);
    assert_eq!(total + reserve, available);
    assert!(page.contains(&format!("data-reserve=\"{}\">{}<", reserve.as_decimal(), reserve.format_number(Unit::Oku))));
    assert!(page.contains(&format!("data-figure=\"reserve\" data-yen=\"{}\"", reserve.as_decimal())));
    assert!(page.contains(&format!("data-figure=\"available\" data-yen=\"{}\"", available.as_decimal())));
    assert!(page.contains(&format!("data-figure=\"envelopes\" data-yen=\"{}\"", total.as_decimal())));
    assert!(page.contains("✓ 検算一致"), "the totals reconcile");
    assert!(!page.contains("✗"));
    // Every program is a row of the table.
    let programs = j["programs"].as_array().expect("programs");
    assert_eq!(page.matches("<tr data-keys=").count(), programs.len());
    assert!(page.contains("<td class=\"id\">K0001</td>"));
}

#[test]
fn names_from_the_scenario_are_text_in_the_page_and_in_the_charts() {
    let page = html("tests/fixtures/html/hostile-names.toml");
    assert!(!page.contains("<script>alert(1)"), "a name became markup");
    assert!(!page.contains("<img src=x"), "a name became markup");
    assert!(!page.contains("<b>案"), "a name became markup");
    assert!(!page.contains("\"'&"), "quotes and ampersand must be escaped");
    // In HTML text (askama) and in SVG chart labels (plotters).
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;局"), "escaped in the page");
    assert!(page.contains("&#34;&#39;&#38;局"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;局"), "escaped in the envelope chart");
    assert!(page.contains("&quot;&apos;&amp;局"));
    // The report's one script is its own.
    assert_eq!(page.matches("<script>").count(), 1);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    for (scenario, name) in [("scenarios/kitakyushu-r8.toml", "r8"), ("scenarios/kitakyushu-2024-2026.toml", "plan")] {
        let (a, b) = (temp(&format!("{name}-a.html")), temp(&format!("{name}-b.html")));
        for p in [&a, &b] {
            let (code, out, err) = waku(&["run", scenario, "--format", "html", "--out", p.to_str().expect("path")]);
            assert_eq!(code, 0, "{err}");
            assert!(out.is_empty(), "--out writes nothing to standard output");
        }
        let (a, b) = (std::fs::read(a).expect("a"), std::fs::read(b).expect("b"));
        assert!(a.len() > 100_000);
        assert!(a == b, "{scenario}: two runs differ");
    }
}

#[test]
fn nothing_in_the_page_points_outside_it() {
    let page = html("scenarios/kitakyushu-r8.toml");
    // The only URL is the SVG namespace, which is a name, not a request.
    assert!(!page.contains("https://") && !page.contains("//cdn"));
    let urls = page.matches("http://").count();
    assert_eq!(
        urls,
        page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "a URL other than the SVG namespace"
    );
    for needle in ["src=", "<link rel=\"stylesheet\"", "@import", "url(", "@font-face"] {
        assert!(!page.contains(needle), "found `{needle}`");
    }
    assert!(page.contains("default-src 'none'"), "the CSP forbids fetching anything");
    // Without JavaScript the search box stays hidden and the table is plain.
    assert!(page.contains("<div id=\"program-search\" class=\"search\" hidden>"));
    // Eight charts: envelopes, waterfall, reserve, next-generation frame, limits, and (the scenario
    // has `[fiscal]`) the three soundness ratios.
    assert_eq!(page.matches("<svg ").count(), 8);
}

#[test]
fn a_plan_charts_its_fiscal_indicators_across_its_years() {
    let page = html("scenarios/kitakyushu-2024-2026.toml");
    for id in
        ["chart-real-debt-service-ratio", "chart-future-burden-ratio", "chart-ordinary-balance-ratio", "chart-limits"]
    {
        assert!(page.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    for year in [2024, 2025, 2026] {
        assert!(page.contains(&format!("id=\"fy{year}\"")), "no section for FY{year}");
        assert!(page.contains(&format!("id=\"chart-waterfall-{year}\"")));
    }
    assert_eq!(page.matches("<tr data-department=\"kodomo_katei\"").count(), 3, "an envelope table per year");
    assert!(page.contains("令和6〜8年度（FY2024–2026）"));
    assert!(page.contains("早期健全化基準 25.0%"), "the 25% threshold is drawn");
    // Every program of every year, with its year.
    assert_eq!(page.matches("<tr data-keys=").count(), 1800);
    // The plan's cumulative next-generation frame against its 330億円 target, as the JSON says.
    let (_, json, _) = waku(&["run", "scenarios/kitakyushu-2024-2026.toml", "--format", "json"]);
    let j: serde_json::Value = serde_json::from_str(&json).expect("json");
    let total = money(&j["next_generation_total"]);
    assert!(page.contains(&format!("data-figure=\"next_generation\" data-yen=\"{}\"", total.as_decimal())));
    assert!(page.contains(&format!("{}（目標 330.00）", total.format_number(Unit::Oku))));
}

#[test]
fn autonomous_mode_writes_the_report_of_the_two_level_allocation() {
    let (code, page, err) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--format", "html"]);
    assert_eq!(code, 0, "{err}");
    let (code, json, err) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "autonomous", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    // The page's reserve is the two-level one (the passed-on savings in it), to the yen.
    let reserve = json["reserve"].as_str().expect("reserve");
    assert!(page.contains(&format!("data-reserve=\"{reserve}\"")), "the two-level reserve {reserve}");
    let (code, _, err) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--mode", "compare", "--format", "html"]);
    assert_eq!(code, 2);
    assert!(err.contains("`--mode compare` has two"), "{err}");
}

/// The memo and the HTML report name each binding limit with the same Japanese label.
#[test]
fn binding_limits_read_the_same_in_the_memo_and_the_report() {
    let page = html("scenarios/kitakyushu-r8.toml");
    let (code, memo, err) = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    let section = memo.split("## 拘束している制約").nth(1).expect("the memo's binding limits");
    let labels: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| l.split("**").next())
        .filter(|l| !l.starts_with("一般財源の収支"))
        .collect();
    assert!(labels.len() >= 3, "{section}");
    for label in labels {
        assert!(page.contains(&format!("<b>{label}</b>")), "the report names `{label}` as the memo does");
    }
}

/// For a meeting room: every ratio chart has a reference line, the binding limits read in
/// Japanese with the constraint's id only as a tooltip, and a year without a target shows "—".
#[test]
fn the_report_reads_in_a_meeting_room() {
    let page = html("scenarios/kitakyushu-2024-2026.toml");
    // A reference line on every ratio chart: statutory thresholds, or the stated benchmark where the
    // 経常収支比率 has none.
    for (id, line) in [
        ("chart-real-debt-service-ratio", "早期健全化基準 25.0%"),
        ("chart-future-burden-ratio", "早期健全化基準（未確認） 400.0%"),
        ("chart-ordinary-balance-ratio", "参考: 政令市平均 約97%（2019年度）"),
    ] {
        let at = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id}"));
        let figure = &page[at..at + page[at..].find("</figure>").expect("figure end")];
        assert!(figure.contains(line), "{id}: no reference line `{line}`");
    }
    // The binding limits: Japanese label and sentence; the id in the tooltip only.
    let at = page.find("<ul class=\"binding\">").expect("binding limits");
    let list = &page[at..at + page[at..].find("</ul>").expect("list end")];
    assert!(
        list.contains("<li title=\"envelope_floor.shimin_bunka_sports\"><b>市民文化スポーツ局の枠の下限</b>"),
        "{list}"
    );
    assert!(list.contains("優先度で重み付けした価値は"), "{list}");
    let text: String = list.split('<').map(|s| s.split_once('>').map_or(s, |(_, t)| t)).collect();
    assert!(!text.contains("envelope_floor") && !text.contains("priority-weighted"), "visible text: {text}");
    // FY2024 and FY2025 have no next-generation target of their own (the plan's is cumulative).
    let row = page.find("目標 <span class=\"en\">target</span></th>").expect("the target row");
    assert!(page[row..].starts_with("目標 <span class=\"en\">target</span></th><td class=\"num\">—</td><td class=\"num\">—</td><td class=\"num\">105.00</td>"));
}
