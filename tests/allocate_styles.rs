//! Allocation styles (`[policy] style`: priority, ceiling, balanced): hand-computed small cities,
//! the Kitakyushu example at revenue −3%, `--compare-style`, and a property that every style keeps
//! every identity and limit on generated cities.
//!
//! The small city is `tests/fixtures/styles/ceiling-city.toml`: no specific revenue (general
//! revenue = cost), amounts in yen, flat rules (every discretionary program between 0 and its
//! request at priority 1.0). The tests run with `--solver microlp`, a simplex: on a city counted
//! in single yen the interior-point default lands a few hundred yen inside the optimal face.

mod common;

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;
use waku::Error;
use waku::allocate::synthetic::{Shape, city};
use waku::allocate::{Options, allocate};
use waku::scenario::Style;

use common::{check_allocation, waku};

const CITY: &str = "tests/fixtures/styles/ceiling-city.toml";

fn run_json(args: &[&str]) -> Value {
    let mut all = vec!["run", CITY, "--format", "json", "--solver", "microlp"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = waku(&all);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

fn yen(v: &Value) -> i64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("money string, found {v}"))
}

fn envelope(j: &Value, id: &str) -> i64 {
    let e = j["envelopes"].as_array().expect("envelopes").iter().find(|e| e["department"] == id);
    yen(&e.unwrap_or_else(|| panic!("bureau {id}"))["amount"])
}

/// 一律シーリング with 裁量的 0.95 (義務的 1.0 and 新規 0.5 on the request, 投資的 0.9 on the
/// prior-year budget), by hand:
///   総務局 somu:   A1 42,000,000 × 1 (mandatory, request) + A2 30,000,000 × 0.95 = 28,500,000
///                  + A3 10,000,000 × 0.9 = 9,000,000                          → 79,500,000
///   産業局 sangyo: B1 50,000,000 × 0.95 = 47,500,000 + B2 8,000,000 × 0.5 = 4,000,000 → 51,500,000
///   環境局 kankyo: C1 20,000,000 × 1 + C2 12,345,678 × 0.95 = 11,728,394.1 → 11,728,394 (to the
///                  yen, ties to even)                                          → 31,728,394
/// Σ 162,728,394 of 180,000,000: the reserve keeps 17,271,606 (≥ its 5% minimum, 9,000,000).
/// Inside 総務局 the programs go by priority, then inventory order: A2 in full (30,000,000), A3
/// the remaining 7,500,000.
#[test]
fn a_ceiling_of_95_percent_on_discretionary_costs_gives_the_hand_computed_envelopes() {
    let j = run_json(&[]);
    assert_eq!(j["style"], "ceiling");
    assert_eq!(envelope(&j, "somu"), 79_500_000);
    assert_eq!(envelope(&j, "sangyo"), 51_500_000);
    assert_eq!(envelope(&j, "kankyo"), 31_728_394);
    assert_eq!(yen(&j["reserve"]), 17_271_606);
    let program =
        |id: &str| yen(&j["programs"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["allocated"]);
    assert_eq!((program("A2"), program("A3")), (30_000_000, 7_500_000));
    assert_eq!((program("B1"), program("B2")), (51_500_000, 0));
}

/// 裁量的経費 left out of `[policy.ceiling]`: the largest uniform ratio that fits. With the
/// reserve's minimum at 0 and general revenue 158,111,110, by hand at 90%:
///   somu   42,000,000 + 30,000,000 × 0.9 + 9,000,000 = 78,000,000
///   sangyo 50,000,000 × 0.9 + 4,000,000              = 49,000,000
///   kankyo 20,000,000 + 12,345,678 × 0.9 = 11,111,110.2 → 11,111,110 = 31,111,110
/// Σ = 158,111,110 exactly; at 90.01% the discretionary costs alone need 9,234 yen more.
#[test]
fn a_ratio_left_out_is_the_largest_uniform_ratio_that_fits_exactly() {
    let path = common::temp_dir("ceiling-uniform").join("uniform.toml");
    let base = std::fs::read_to_string(CITY).expect("fixture");
    let text = base.replace("discretionary = 0.95\n", "").replace("rules = \"rules\"", "");
    std::fs::write(&path, text).expect("write");
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/styles/rules");
    let (code, stdout, stderr) = waku(&[
        "run",
        path.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        "json",
        "--solver",
        "microlp",
        "--set",
        "revenue.general_revenue=158111110",
        "--set",
        "policy.reserve_min_share=0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let j: Value = serde_json::from_str(&stdout).expect("JSON");
    let ratios = j["style_detail"]["ratios"].as_array().expect("ratios");
    let disc = ratios.iter().find(|r| r["kind"] == "discretionary").expect("discretionary");
    assert_eq!((disc["ratio"].as_str(), disc["stated"].as_bool()), (Some("0.9000"), Some(false)));
    assert_eq!(envelope(&j, "somu"), 78_000_000);
    assert_eq!(envelope(&j, "sangyo"), 49_000_000);
    assert_eq!(envelope(&j, "kankyo"), 31_111_110);
    assert_eq!(yen(&j["reserve"]), 0);
}

/// Equal priorities and a shortfall: `priority` funds by inventory order (one bureau keeps
/// everything, another loses most), `balanced` with a band of 0 cuts every bureau by the same
/// share of its base: T = 150,000,000 × 0.95 = 142,500,000 for bases 162,345,678, c = −12.22%.
#[test]
fn balanced_spreads_a_shortfall_equally_where_priorities_are_equal() {
    let changes = |j: &Value| -> Vec<f64> {
        j["envelopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| yen(&e["amount"]) as f64 / yen(&e["base"]) as f64 - 1.0)
            .collect()
    };
    let spread = |c: &[f64]| c.iter().copied().fold(f64::MIN, f64::max) - c.iter().copied().fold(f64::MAX, f64::min);
    let short = ["--set", "revenue.general_revenue=150000000"];
    let priority = run_json(&[short[0], short[1], "--set", "policy.style=priority"]);
    assert!(spread(&changes(&priority)) > 0.05, "priority: {:?}", changes(&priority));
    let balanced = run_json(&[short[0], short[1], "--set", "policy.style=balanced", "--set", "policy.balanced_band=0"]);
    let c = changes(&balanced);
    assert!(spread(&c) < 1e-6, "balanced: {c:?}");
    assert!((c[0] + 0.1222).abs() < 1e-3, "{c:?}");
    let total: i64 = balanced["envelopes"].as_array().unwrap().iter().map(|e| yen(&e["amount"])).sum();
    assert_eq!(total + yen(&balanced["reserve"]), 150_000_000);
}

/// Done-when of issue 18: at revenue −3% no bureau's envelope falls more than 3 points below the
/// city-wide relative change unless its programs' bounds force it, and `explain` names it.
#[test]
fn balanced_at_revenue_minus_3_percent_keeps_bureaus_within_3_points_or_says_why() {
    let args = [
        "run",
        "scenarios/kitakyushu-r8.toml",
        "--set",
        "revenue.general_revenue=4,221億円",
        "--set",
        "policy.style=balanced",
        "--format",
        "json",
    ];
    let (code, stdout, stderr) = waku(&args);
    assert_eq!(code, 0, "{stderr}");
    let j: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(j["style"], "balanced");
    let envelopes = j["envelopes"].as_array().unwrap();
    let (amount, base): (i64, i64) =
        envelopes.iter().fold((0, 0), |(a, b), e| (a + yen(&e["amount"]), b + yen(&e["base"])));
    let city = amount as f64 / base as f64 - 1.0;
    let forced: Vec<&Value> =
        j["style_detail"]["bureaus"].as_array().unwrap().iter().filter(|b| !b["forced"].is_null()).collect();
    let mut below = Vec::new();
    for e in envelopes {
        let change = yen(&e["amount"]) as f64 / yen(&e["base"]) as f64 - 1.0;
        if change < city - 0.03 {
            let id = e["department"].as_str().unwrap();
            let f = forced.iter().find(|b| b["department"] == id);
            assert!(f.is_some_and(|b| b["forced"] == "review_maxima"), "{id} at {change} of {city}, not forced");
            // Forced by its programs: at their review maxima, they take no more.
            assert_eq!(e["amount"], f.unwrap()["absorbable"]);
            below.push(id.to_string());
        }
    }
    assert_eq!(below, ["moji_ku"], "city-wide {city}");
    let (code, text, stderr) = waku(&[
        "explain",
        "scenarios/kitakyushu-r8.toml",
        "moji_ku",
        "--set",
        "revenue.general_revenue=4,221億円",
        "--set",
        "policy.style=balanced",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.contains("式の額にできない理由: 事業をすべて見直しの上限（義務的経費は要求額）まで配分しても届かない"),
        "{text}"
    );
    let (_, summary, _) = waku(&[
        "explain",
        "scenarios/kitakyushu-r8.toml",
        "style",
        "--set",
        "revenue.general_revenue=4,221億円",
        "--set",
        "policy.style=balanced",
    ]);
    assert!(summary.contains("門司区役所（moji_ku）"), "{summary}");
}

#[test]
fn compare_style_shows_both_styles_by_bureau() {
    let (code, stdout, stderr) =
        waku(&["run", CITY, "--solver", "microlp", "--compare-style", "priority", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let j: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(j["styles"], serde_json::json!(["ceiling", "priority"]));
    let somu = &j["bureaus"][0];
    assert_eq!(somu["department"], "somu");
    assert_eq!(somu["amount"][0], "79500000");
    let (code, table, stderr) = waku(&["run", CITY, "--solver", "microlp", "--compare-style", "balanced"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(table.contains("配分方式の比較（一律シーリング ↔ 均衡配分）"), "{table}");
    assert!(table.contains("総務局") && table.contains("市長調整枠"), "{table}");
    let (code, _, stderr) = waku(&["run", CITY, "--compare-style", "balanse"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown allocation style `balanse`") && stderr.contains("balanced"), "{stderr}");
}

#[test]
fn an_unknown_style_in_a_scenario_is_an_input_error_with_a_suggestion() {
    let (code, _, stderr) = waku(&["run", CITY, "--set", "policy.style=celing"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown allocation style `celing`"), "{stderr}");
    assert!(stderr.contains("ceiling"), "{stderr}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, rng_seed: proptest::test_runner::RngSeed::Fixed(18), ..ProptestConfig::default() })]

    /// Every style keeps sources = uses, each envelope = Σ its programs, its floor and ceiling (as
    /// the style set them), the review bounds and the rounding unit, or names the limits it cannot hold.
    #[test]
    fn every_style_keeps_every_identity_and_limit(
        seed in any::<u64>(), programs in 3usize..80, departments in 1usize..6, revenue in 85i64..=110,
        style in prop_oneof![Just(Style::Priority), Just(Style::Ceiling), Just(Style::Balanced)],
        disc in prop_oneof![Just(None), (80i64..=100).prop_map(Some)],
    ) {
        let (mut sc, review) = city(Shape { programs, departments, all_or_nothing: false, seed });
        sc.revenue.general_revenue = sc.revenue.general_revenue.mul_ratio(Decimal::new(revenue, 2));
        sc.policy.style = style;
        sc.policy.ceiling.discretionary = disc.map(|d| Decimal::new(d, 2));
        match allocate(&sc, &review, &Options::default()) {
            Ok(a) => {
                prop_assert_eq!(a.style, style);
                check_allocation(&sc, &review, &a);
            }
            Err(Error::Infeasible(d)) => prop_assert!(!d.message.contains("solver"), "{}", d.render()),
            Err(e) => prop_assert!(false, "unexpected error: {e}"),
        }
    }
}

/// 削減上限 that binds: under `priority` with equal priorities the shortfall falls on the last
/// bureau in inventory order. At general revenue 150,000,000 (bureaus can have 142,500,000; 62,000,000
/// of it is mandatory) the free 80,500,000 goes A2 30,000,000, A3 12,000,000, B1 38,500,000: 環境局
/// keeps only its mandatory 20,000,000 (▲38.2% of its base 32,345,678). With `max_cut_share` 15%:
///   環境局 at least 32,345,678 × 0.85 = 27,493,826.3 → 27,493,826 (C2 7,493,826)
///   産業局 at least 50,000,000 × 0.85 = 42,500,000 (B1)
///   総務局 the rest: 42,000,000 + 80,500,000 − 7,493,826 − 42,500,000 = 72,506,174 (▲9.4% of 80,000,000)
#[test]
fn a_cut_limit_that_binds_moves_the_shortfall() {
    let short = ["--set", "revenue.general_revenue=150000000", "--set", "policy.style=priority"];
    let j = run_json(&short);
    assert_eq!(
        (envelope(&j, "somu"), envelope(&j, "sangyo"), envelope(&j, "kankyo")),
        (84_000_000, 38_500_000, 20_000_000)
    );
    let mut limited = short.to_vec();
    limited.extend(["--set", "policy.max_cut_share=0.15"]);
    let j = run_json(&limited);
    assert_eq!(
        (envelope(&j, "somu"), envelope(&j, "sangyo"), envelope(&j, "kankyo")),
        (72_506_174, 42_500_000, 27_493_826)
    );
}

/// A cut limit that cannot hold exits 1, naming the limit, the bureau and the shortfall: 門司区役所's
/// programs at their review maxima take 17.13億円, its base is 18.71億円 and 5% off it is 17.77億円.
#[test]
fn a_cut_limit_that_cannot_hold_exits_1_with_the_shortfall() {
    let (code, stdout, stderr) = waku(&[
        "run",
        "scenarios/kitakyushu-r8.toml",
        "--set",
        "revenue.general_revenue=4,221億円",
        "--set",
        "departments.moji_ku.max_cut_share=0.05",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("error: 削減上限（`max_cut_share` 5%、前年度当初の一般財源に対して）: 門司区役所の枠は 17.77億円 以上が必要ですが、事業をすべて見直しの上限まで配分しても 17.13億円 です。削減上限を守るには あと 0.65億円 不足"),
        "{stderr}"
    );
    // All bureaus together: no cut at all cannot be paid for at revenue −3%.
    let (code, _, stderr) = waku(&[
        "run",
        "scenarios/kitakyushu-r8.toml",
        "--set",
        "revenue.general_revenue=4,221億円",
        "--set",
        "policy.max_cut_share=0",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("削減上限を守るには あと") && stderr.contains("不足"), "{stderr}");
    // A limit by kind that breaks on 192 programs names the first ten and counts the rest.
    let (code, _, stderr) = waku(&[
        "run",
        "scenarios/kitakyushu-r8.toml",
        "--set",
        "revenue.general_revenue=4,221億円",
        "--set",
        "policy.max_cut_share_by_kind.discretionary=0.01",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.matches("削減上限（`max_cut_share_by_kind.discretionary` 1%").count(), 10, "{stderr}");
    assert!(stderr.contains("ほか 182 件も同じ理由で守れません（最初の 10 件を表示）"), "{stderr}");
}

/// 配分方針スクリプト: the formula envelopes of `tests/fixtures/styles/script-city.toml` (its
/// script `rules/policies/formula-envelopes.rhai`) reach the allocation to the yen. By hand (T =
/// 171,000,000; 義務的経費 62,000,000 at the request; 92.8% of the other 109,000,000 = 101,152,000
/// split by the other kinds' prior-year general revenue, Σ 102,345,678):
///   somu   42,000,000 + 101,152,000 × 40,000,000 ÷ 102,345,678 = 81,533,472.04 → 81,533,472
///   sangyo              101,152,000 × 50,000,000 ÷ 102,345,678 = 49,416,840.05 → 49,416,840
///   kankyo 20,000,000 + 101,152,000 × 12,345,678 ÷ 102,345,678 = 32,201,687.90 → 32,201,688
/// and the reserve keeps 180,000,000 − 163,152,000 = 16,848,000.
#[test]
fn a_policy_scripts_envelopes_reach_the_allocation_to_the_yen() {
    let (code, stdout, stderr) =
        waku(&["run", "tests/fixtures/styles/script-city.toml", "--format", "json", "--solver", "microlp"]);
    assert_eq!(code, 0, "{stderr}");
    let j: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(envelope(&j, "somu"), 81_533_472);
    assert_eq!(envelope(&j, "sangyo"), 49_416_840);
    assert_eq!(envelope(&j, "kankyo"), 32_201_688);
    assert_eq!(yen(&j["reserve"]), 16_848_000);
    let script = &j["style_detail"]["script"];
    assert_eq!(script["path"], "tests/fixtures/styles/rules/policies/formula-envelopes.rhai");
    assert_eq!(yen(&script["envelopes"][0]["target"]), 81_533_472);
    // `waku test` runs the scenario's own expectations: the same three envelopes and the reserve.
    let (code, stdout, stderr) = waku(&["test", "tests/fixtures/styles/script-city.toml"]);
    assert_eq!((code, stdout.trim()), (0, "4 passed, 0 failed"), "{stderr}");
}

/// The bundled 一律シーリング script (`rules/policies/ceiling-95.rhai`) sets the ratios the
/// scenario would otherwise state: 裁量的 0.95 and 新規 0.5 stated, 投資的 left to the uniform ratio.
#[test]
fn the_bundled_ceiling_script_sets_the_ratios_by_kind() {
    let (code, stdout, stderr) = waku(&[
        "run",
        "scenarios/kitakyushu-r8.toml",
        "--set",
        "policy.style=ceiling",
        "--set",
        "policy.script=policies/ceiling-95.rhai",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let j: Value = serde_json::from_str(&stdout).expect("JSON");
    let ratio = |k: &str| {
        let r = j["style_detail"]["ratios"].as_array().unwrap().iter().find(|r| r["kind"] == k).unwrap().clone();
        (r["ratio"].as_str().unwrap().to_string(), r["stated"].as_bool().unwrap())
    };
    assert_eq!(ratio("discretionary"), ("0.95".to_string(), true));
    assert_eq!(ratio("new"), ("0.5".to_string(), true));
    assert!(!ratio("investment").1);
    assert_eq!(j["style_detail"]["script"]["reason"], "裁量的経費は前年度の95%、新規事業は要求額の50%");
}

/// Runs the small city with `script` as its policy script (written beside a copy of it).
fn with_script(name: &str, script: &str) -> (i32, String, String) {
    let dir = common::temp_dir(name);
    let base = std::fs::read_to_string(CITY).expect("fixture");
    let text = base
        .replace("rules = \"rules\"", "")
        .replace("style = \"ceiling\"", "style = \"priority\"\nscript = \"city-rule.rhai\"");
    std::fs::write(dir.join("city.toml"), text).expect("write");
    std::fs::write(dir.join("city-rule.rhai"), script).expect("write");
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/styles/rules");
    let path = dir.join("city.toml");
    waku(&["run", path.to_str().unwrap(), "--rules", rules.to_str().unwrap(), "--solver", "microlp"])
}

/// A bad return value is an input error (exit 2) located in the script: which key, what was
/// expected, a suggestion.
#[test]
fn a_policy_scripts_bad_return_value_is_located_in_the_script() {
    let (code, _, stderr) = with_script("script-unknown-bureau", "#{\n    envelopes: #{ somuu: oku(0.8) },\n}\n");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("error: `envelopes` names bureau `somuu`, which the scenario does not have"),
        "{stderr}"
    );
    assert!(stderr.contains("city-rule.rhai:2:5"), "{stderr}");
    assert!(stderr.contains("did you mean `somu`?"), "{stderr}");
    let (code, _, stderr) = with_script("script-wrong-kind", "#{ max_cut_share: \"10%\" }");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "`max_cut_share` must be a share from 0 to 1 (e.g. 0.1), or a map of them by bureau, found string `10%`"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = with_script("script-unknown-key", "#{ envelope: #{} }");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown key `envelope`") && stderr.contains("did you mean `envelopes`?"), "{stderr}");
    let (code, _, stderr) = with_script("script-ceiling-under-priority", "#{ ceiling: #{ discretionary: 0.95 } }");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the scenario's style is `priority`"), "{stderr}");
    let (code, _, stderr) = with_script("script-loops", "loop { }");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("error:") && stderr.contains("city-rule.rhai"), "{stderr}");
}

/// Envelopes that need more than the year can give exit 1 with the shortfall: every bureau at
/// what its programs can take (84,000,000 + 60,000,000 + 33,000,000 = 177,000,000) against the
/// 171,000,000 the bureaus can have.
#[test]
fn a_policy_scripts_envelopes_that_cannot_be_paid_exit_1() {
    let (code, stdout, stderr) =
        with_script("script-too-much", "#{ envelopes: #{ somu: oku(1), sangyo: oku(1), kankyo: oku(1) } }");
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("計 177,000,000円 が必要ですが、配分できる一般財源は 171,000,000円"), "{stderr}");
    assert!(stderr.contains("あと 6,000,000円 不足"), "{stderr}");
}

/// 削減上限 by kind of expense and per program, relative to the prior year's budget. At general
/// revenue 150,000,000 under `priority` (free 80,500,000 after the mandatory 62,000,000, see above):
///   `max_cut_share_by_kind.discretionary = 0.2`: A2 ≥ 24,000,000, B1 ≥ 40,000,000,
///   C2 ≥ 12,345,678 × 0.8 = 9,876,542.4 → 9,876,542; the other 6,623,458 goes A2 +6,000,000,
///   A3 623,458: somu 72,623,458, sangyo 40,000,000, kankyo 29,876,542.
///   `programs.C2.max_cut_share = 0.1`: C2 ≥ 12,345,678 × 0.9 = 11,111,110.2 → 11,111,110;
///   A2 30,000,000 and A3 12,000,000 in full, B1 the rest 27,388,890.
#[test]
fn cut_limits_by_kind_and_by_program_bind_relative_to_the_prior_year() {
    let short = ["--set", "revenue.general_revenue=150000000", "--set", "policy.style=priority"];
    let program = |j: &Value, id: &str| {
        yen(&j["programs"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["allocated"])
    };
    let mut by_kind = short.to_vec();
    by_kind.extend(["--set", "policy.max_cut_share_by_kind.discretionary=0.2"]);
    let j = run_json(&by_kind);
    assert_eq!(
        (envelope(&j, "somu"), envelope(&j, "sangyo"), envelope(&j, "kankyo")),
        (72_623_458, 40_000_000, 29_876_542)
    );
    assert_eq!((program(&j, "A3"), program(&j, "C2")), (623_458, 9_876_542));
    let mut by_program = short.to_vec();
    by_program.extend(["--set", "programs.C2.max_cut_share=0.1"]);
    let j = run_json(&by_program);
    assert_eq!((program(&j, "C2"), program(&j, "B1")), (11_111_110, 27_388_890));
}

/// A cut limit by kind or per program that cannot hold exits 1, naming it and the shortfall: no
/// cut at all on discretionary costs needs 62,000,000 + 30,000,000 + 50,000,000 + 12,345,678 =
/// 154,345,678 of the 142,500,000 the bureaus can have; B1 requested at 45,000,000 cannot keep
/// 95% of its prior 50,000,000.
#[test]
fn a_cut_limit_by_kind_or_program_that_cannot_hold_exits_1_with_the_shortfall() {
    let run = |args: &[&str]| {
        let mut all = vec!["run", CITY, "--solver", "microlp"];
        all.extend_from_slice(args);
        waku(&all)
    };
    let (code, stdout, stderr) = run(&[
        "--set",
        "revenue.general_revenue=150000000",
        "--set",
        "policy.style=priority",
        "--set",
        "policy.max_cut_share_by_kind.discretionary=0",
    ]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert!(stderr.starts_with("error: 削減上限（事業の `max_cut_share`、前年度当初予算に対して）: 事業の下限と義務的経費に計 154,345,678円 の一般財源が必要ですが、配分できる一般財源は 142,500,000円"), "{stderr}");
    assert!(stderr.contains("あと 11,845,678円 不足"), "{stderr}");
    let (code, _, stderr) =
        run(&["--set", "programs.B1.requested=45000000", "--set", "programs.B1.max_cut_share=0.05"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.starts_with("error: 削減上限（`programs.B1.max_cut_share` 5%、前年度当初予算に対して）: B1 中小企業支援 は 47,500,000円 以上が必要ですが、見直しの上限は 45,000,000円 です。あと 2,500,000円 不足"), "{stderr}");
}

/// `waku run` names the 配分方式 (and the policy script) in the terminal table, the memo and the HTML.
#[test]
fn run_names_the_style_in_every_report() {
    let args = |format: &'static str| {
        ["run", "tests/fixtures/styles/script-city.toml", "--solver", "microlp", "--format", format]
    };
    let script = "配分方針スクリプト `tests/fixtures/styles/rules/policies/formula-envelopes.rhai`";
    let (code, table, stderr) = waku(&args("table"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        table.lines().nth(1), // no `--set`: right under the title
        Some(
            "allocation style: 優先度配分 (priority), policy script `tests/fixtures/styles/rules/policies/formula-envelopes.rhai`"
        )
    );
    let (_, memo, _) = waku(&args("markdown"));
    assert!(memo.contains(&format!("\n配分方式: 優先度配分、{script}。\n")), "{memo}");
    let (_, html, _) = waku(&args("html"));
    assert!(html.contains(&format!("<p class=\"style\">配分方式: 優先度配分、{script}</p>")), "{html}");
    let (_, ceiling, _) = waku(&["run", CITY, "--solver", "microlp", "--format", "markdown"]);
    assert!(ceiling.contains("\n配分方式: 一律シーリング。\n"), "{ceiling}");
}
