//! The mayor's reserve spent on proposals (重点事業・市長特定事業): a hand-computed city where one
//! proposal does not fit, a pinned decision, the MILP against brute force, the JSON contract and
//! the Kitakyushu example in every format.

mod common;

use std::process::Command;

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;
use waku::Money;
use waku::allocate::proposals::{Item, choose};
use waku::pipeline::{self, Options};
use waku::rules::RuleFiles;

const KITAKYUSHU: &str = "scenarios/kitakyushu-r8.toml";

fn waku(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn yen(v: &Value) -> i64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("yen: {v}"))
}

/// A city whose reserve is exactly 5億円 (its share fixed at 5% of 100億円), and three
/// all-or-nothing proposals: A1 2億円 (score 6), A2 2.2億円 + 1円 (score 5), A3 1.6億円 (score 4).
/// By hand: A1+A2 = 4.2億円 + 1円 scores 11, A1+A3 10, A2+A3 9, all three do not fit. So A1 and A2
/// are funded, 79,999,999円 is left, and A3 is short by 1.6億円 − 79,999,999円 = 80,000,001円.
const CITY: &str = r#"
city = "みほん市"
name = "令和8年度当初予算"
fiscal_year = 2026
display_unit = "億円"
rounding_unit = "千円"
proposals = "proposals.csv"
[revenue]
general_revenue = "100億円"
[bonds]
issuance_cap = "10億円"
[policy]
investment_cap = "20億円"
reserve_min_share = "5%"
reserve_max_share = "5%"
[[departments]]
id = "somu"
name = "総務局"
[[departments]]
id = "kodomo"
name = "子ども家庭局"
[[programs]]
id = "S01"
name = "庁舎管理"
department = "somu"
kind = "mandatory"
prior_cost = "30億円"
requested = "30億円"
[[programs]]
id = "S02"
name = "子育て支援"
department = "kodomo"
kind = "discretionary"
prior_cost = "100億円"
requested = "100億円"
"#;

const PROPOSALS: &str = "id,title,department,cost,score,next_generation,decision
A1,待機児童ゼロの保育所整備,子ども家庭局,2億円,6,true,
A2,窓口のデジタル化,somu,\"220,000,001円\",5,false,
A3,庁舎の省エネ改修,somu,1.6億円,4,false,
";

fn rules() -> RuleFiles {
    RuleFiles::in_memory(
        "rules",
        [
            (
                "ruleset.toml",
                r#"
                [[viewpoints]]
                id = "needs"
                number = 1
                name_ja = "市民のニーズ"
                script = "viewpoints/needs.rhai"
                [policy]
                script = "policies/default.rhai"
                "#,
            ),
            ("viewpoints/needs.rhai", r#"#{ score: 3, action: "継続", reason: "需要は横ばい" }"#),
            (
                "policies/default.rhai",
                r#"
                let max = program.requested;
                if program.kind == "discretionary" { max = program.requested * 0.8; }
                #{ action: "縮小", priority: 1.0, min: 0, max: max, reason: "要求の8割まで" }
                "#,
            ),
        ],
    )
}

/// Writes the city and its proposals to a folder and runs it (with `--set`s).
fn run_city(name: &str, proposals: &str, sets: &[&str]) -> waku::Result<waku::allocate::Allocation> {
    let dir = common::temp_dir(name);
    std::fs::write(dir.join("city.toml"), CITY).expect("write city");
    std::fs::write(dir.join("proposals.csv"), proposals).expect("write proposals");
    let mut options = Options { rules: Some(rules()), ..Options::default() };
    options.load.set = sets.iter().map(|s| s.to_string()).collect();
    let input = pipeline::load(&dir.join("city.toml"), &options.load)?;
    let outcome = pipeline::run(input, &options)?;
    let year = outcome.central()?;
    Ok(year.allocations[0].clone())
}

fn find<'a>(a: &'a waku::allocate::Allocation, id: &str) -> &'a waku::allocate::proposals::ProposalResult {
    a.proposals.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("proposal {id}"))
}

#[test]
fn a_proposal_that_does_not_fit_is_left_with_its_shortfall_to_the_yen() {
    let a = run_city("proposals-hand", PROPOSALS, &[]).expect("runs");
    assert_eq!(a.reserve, Money::yen(500_000_000), "5% of 100億円");
    let (a1, a2, a3) = (find(&a, "A1"), find(&a, "A2"), find(&a, "A3"));
    assert!(a1.funded && a2.funded && !a3.funded);
    assert_eq!((a1.amount, a2.amount, a3.amount), (Money::yen(200_000_000), Money::yen(220_000_001), Money::ZERO));
    let r = a.proposal_reserve.as_ref().expect("reserve use");
    assert_eq!((r.used, r.remaining), (Money::yen(420_000_001), Money::yen(79_999_999)));
    assert_eq!(a3.shortfall, Some(Money::yen(80_000_001)));
    assert_eq!(a3.reason, "財源不足: あと0.80億円");
    assert_eq!(a1.reason, "評価点6、調整枠の範囲内で採択。次世代投資枠の目標に算入");
    assert_eq!(r.next_generation, Money::yen(200_000_000));
    assert_eq!(a1.department, "kodomo", "a bureau named by its name is written as its id");
    // The proposals spend the reserve; nothing else moves.
    let env: Money = a.envelopes.iter().map(|e| e.amount).sum();
    assert_eq!(env + a.reserve, a.available);
}

/// The city with its proposals written inline (`[[proposals]]`) instead of `proposals.csv`.
fn run_inline(name: &str, inline: &str) -> waku::Result<waku::allocate::Allocation> {
    let dir = common::temp_dir(name);
    let city = CITY.replace("proposals = \"proposals.csv\"\n", "");
    std::fs::write(dir.join("city.toml"), format!("{city}{inline}")).expect("write city");
    let options = Options { rules: Some(rules()), ..Options::default() };
    let input = pipeline::load(&dir.join("city.toml"), &options.load)?;
    let outcome = pipeline::run(input, &options)?;
    Ok(outcome.central()?.allocations[0].clone())
}

const INLINE: &str = r#"
[[proposals]]
id = "A1"
title = "待機児童ゼロの保育所整備"
department = "子ども家庭局"
cost = "2億円"
score = 6
next_generation = true
[[proposals]]
id = "A2"
title = "窓口のデジタル化"
department = "somu"
cost = "220,000,001円"
score = 5
next_generation = false
[[proposals]]
id = "A3"
title = "庁舎の省エネ改修"
department = "somu"
cost = "1.6億円"
score = 4
"#;

#[test]
fn inline_proposals_give_the_same_json_as_the_same_proposals_in_a_csv() {
    let table = run_city("proposals-table", PROPOSALS, &[]).expect("table runs");
    let inline = run_inline("proposals-inline", INLINE).expect("inline runs");
    let json = |a: &waku::allocate::Allocation| serde_json::to_value(&a.proposals).expect("json");
    assert_eq!(json(&inline), json(&table));
    assert_eq!(find(&inline, "A2").amount, Money::yen(220_000_001));
    assert!(!find(&inline, "A3").funded);
}

#[test]
fn a_bad_inline_proposal_is_located() {
    let bad = INLINE.replace("score = 4", "score = 4\nstrategy = \"growth\"");
    let err = run_inline("proposals-inline-bad", &bad).expect_err("a bad strategy");
    let text = err.to_string();
    assert!(text.contains("unknown strategy `growth`"), "{text}");
    assert!(text.contains("city.toml:"), "located: {text}");
    assert!(text.contains("earning, high_quality or safety"), "hint: {text}");
    // A negative cost, too.
    let bad = INLINE.replace("cost = \"1.6億円\"", "cost = \"▲1.6億円\"");
    let text = run_inline("proposals-inline-neg", &bad).expect_err("negative").to_string();
    assert!(text.contains("negative amount"), "{text}");
}

#[test]
fn a_table_and_inline_proposals_in_one_file_is_an_error() {
    let dir = common::temp_dir("proposals-both");
    std::fs::write(dir.join("city.toml"), format!("{CITY}{INLINE}")).expect("write city");
    std::fs::write(dir.join("proposals.csv"), PROPOSALS).expect("write proposals");
    let (code, _, stderr) = waku(&["check", dir.join("city.toml").to_str().expect("path")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("both a proposals table"), "{stderr}");
    assert!(stderr.contains("city.toml:"), "located: {stderr}");
}

#[test]
fn a_pinned_decision_wins_over_the_score_and_says_so() {
    let a = run_city("proposals-pinned", PROPOSALS, &["proposals.A3.decision=fund"]).expect("runs");
    let (a1, a2, a3) = (find(&a, "A1"), find(&a, "A2"), find(&a, "A3"));
    assert!(a3.funded && a1.funded && !a2.funded, "A3 pinned; A1 beats A2 for the 3.4億円 left");
    assert_eq!(a3.reason, "市長判断により採択");
    assert_eq!(a2.shortfall, Some(Money::yen(80_000_001)), "2.2億円 + 1円 against 1.4億円 left");
    // The table's 決定 column pins too, and `--set` overrides it.
    let rejected = PROPOSALS.replace(
        "A1,待機児童ゼロの保育所整備,子ども家庭局,2億円,6,true,",
        "A1,待機児童ゼロの保育所整備,子ども家庭局,2億円,6,true,不採択",
    );
    let a = run_city("proposals-column", &rejected, &[]).expect("runs");
    assert!(!find(&a, "A1").funded && find(&a, "A2").funded && find(&a, "A3").funded);
    assert_eq!(find(&a, "A1").reason, "市長判断により不採択");
    let a = run_city("proposals-column-set", &rejected, &["proposals.A1.decision=fund"]).expect("runs");
    assert!(find(&a, "A1").funded);
}

#[test]
fn an_overlay_such_as_a_mayors_stage_pins_proposals_by_proposal_decisions() {
    let dir = common::temp_dir("proposals-overlay");
    std::fs::write(dir.join("city.toml"), CITY).expect("write city");
    std::fs::write(dir.join("proposals.csv"), PROPOSALS).expect("write proposals");
    std::fs::write(
        dir.join("mayor.toml"),
        "extends = \"city.toml\"\n[proposal_decisions]\nA3 = \"採択\"\nA1 = \"reject\"\n",
    )
    .expect("write overlay");
    let options = Options { rules: Some(rules()), ..Options::default() };
    let input = pipeline::load(&dir.join("mayor.toml"), &options.load).expect("loads");
    let outcome = pipeline::run(input, &options).expect("runs");
    let a = &outcome.central().expect("allocates").allocations[0];
    assert!(find(a, "A3").funded && find(a, "A2").funded && !find(a, "A1").funded);
    assert_eq!(find(a, "A1").reason, "市長判断により不採択");
}

#[test]
fn pinned_proposals_above_the_reserve_are_infeasible_naming_them() {
    let e = run_city(
        "proposals-over",
        PROPOSALS,
        &["proposals.A1.decision=fund", "proposals.A2.decision=fund", "proposals.A3.decision=fund"],
    );
    let Err(waku::Error::Infeasible(d)) = e else {
        panic!("5.8億円 + 1円 of pinned proposals cannot fit a 5億円 reserve")
    };
    let text = d.render();
    assert!(text.contains("need 0.80億円 more than the mayor's reserve of 5.00億円"), "{text}");
    assert!(text.contains("A3 庁舎の省エネ改修（1.60億円）"), "{text}");
}

/// Brute force: every choice of the free items' y, the scalable shares filled exactly by score per
/// yen; the highest score wins, ties to the earliest funded ids.
fn brute(items: &[Item], reserve: Money, step: Money) -> (Decimal, Vec<bool>) {
    let pinned: Money = items.iter().filter(|i| i.pinned == Some(true)).map(|i| i.cost).sum();
    let free: Vec<usize> =
        (0..items.len()).filter(|&k| items[k].pinned.is_none() && items[k].score > Decimal::ZERO).collect();
    let mut best: Option<(Decimal, Vec<bool>)> = None;
    for mask in 0u32..(1 << free.len()) {
        let on: Vec<bool> = (0..free.len()).map(|j| mask & (1 << (free.len() - 1 - j)) != 0).collect();
        let base: Money = free.iter().zip(&on).filter(|(_, o)| **o).map(|(&k, _)| items[k].min).sum();
        if pinned + base > reserve {
            continue;
        }
        let mut rest = reserve - pinned - base;
        let mut score: Decimal = free
            .iter()
            .zip(&on)
            .filter(|(_, o)| **o)
            .map(|(&k, _)| items[k].score * items[k].min.as_decimal() / items[k].cost.as_decimal())
            .sum();
        let mut order: Vec<usize> =
            free.iter().zip(&on).filter(|(k, o)| **o && items[**k].cost > items[**k].min).map(|(k, _)| *k).collect();
        order.sort_by(|&a, &b| {
            (items[b].score * items[a].cost.as_decimal())
                .cmp(&(items[a].score * items[b].cost.as_decimal()))
                .then(a.cmp(&b))
        });
        for k in order {
            let room = items[k].cost - items[k].min;
            let extra = if rest >= room { room } else { rest.to_grid(step, waku::money::Grid::Down) };
            score += items[k].score * extra.as_decimal() / items[k].cost.as_decimal();
            rest -= extra;
        }
        let better = match &best {
            None => true,
            Some((s, o)) => score > *s || (score == *s && on > *o),
        };
        if better {
            best = Some((score, on));
        }
    }
    best.unwrap_or((Decimal::ZERO, Vec::new()))
}

fn score_of(items: &[Item], amounts: &[Money]) -> Decimal {
    items
        .iter()
        .zip(amounts)
        .filter(|(i, _)| i.pinned.is_none())
        .map(|(i, a)| i.score * a.as_decimal() / i.cost.as_decimal())
        .sum()
}

fn item() -> impl Strategy<Value = Item> {
    (
        1i64..40,
        0u32..10,
        any::<bool>(),
        1i64..100,
        prop_oneof![6 => Just(None), 1 => Just(Some(true)), 1 => Just(Some(false))],
    )
        .prop_map(|(cost, score, scalable, min_pct, pinned)| {
            let cost = Money::yen(cost * 10_000_000);
            let min = if scalable {
                Money::yen(cost.as_decimal().try_into().map_or(0, |c: i64| c * min_pct / 100))
            } else {
                cost
            };
            Item { cost, min, score: Decimal::from(score), pinned }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn the_milp_selection_equals_brute_force(items in prop::collection::vec(item(), 1..9), reserve in 0i64..150) {
        let reserve = Money::yen(reserve * 10_000_000);
        let step = Money::yen(1_000);
        let pinned: Money = items.iter().filter(|i| i.pinned == Some(true)).map(|i| i.cost).sum();
        match choose(&items, reserve, step) {
            Err(short) => prop_assert_eq!(short, pinned - reserve),
            Ok(amounts) => {
                let used: Money = amounts.iter().copied().sum();
                prop_assert!(used <= reserve, "within the reserve");
                for (i, a) in items.iter().zip(&amounts) {
                    prop_assert!(a.is_zero() || (*a >= i.min && *a <= i.cost), "between min and cost");
                    match i.pinned {
                        Some(true) => prop_assert_eq!(*a, i.cost),
                        Some(false) => prop_assert!(a.is_zero()),
                        None => {}
                    }
                }
                let (best, on) = brute(&items, reserve, step);
                let got = score_of(&items, &amounts);
                let all_or_nothing = items.iter().all(|i| i.min == i.cost);
                if all_or_nothing {
                    let free: Vec<bool> = items.iter().zip(&amounts).filter(|(i, _)| i.pinned.is_none() && i.score > Decimal::ZERO).map(|(_, a)| !a.is_zero()).collect();
                    prop_assert_eq!(got, best);
                    prop_assert_eq!(free, on, "the same selection, ties to the earliest ids");
                } else {
                    // A scalable share is rounded down to the 千円 grid: the score may differ by
                    // what one grid step is worth.
                    let slack = Decimal::from(10) * Decimal::from(1_000) / Decimal::from(10_000_000);
                    prop_assert!((got - best).abs() <= slack, "score {} against brute force {}", got, best);
                }
            }
        }
    }
}

fn run_kitakyushu(format: &str, extra: &[&str]) -> String {
    let mut args = vec!["run", KITAKYUSHU, "--format", format];
    args.extend(extra);
    let (code, stdout, stderr) = waku(&args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn kitakyushu_json_lists_funded_and_unfunded_proposals_and_the_remainder() {
    let json: Value = serde_json::from_str(&run_kitakyushu("json", &[])).expect("JSON");
    let proposals = json["proposals"].as_array().expect("a top-level proposals array");
    assert!(proposals.len() >= 15, "{}", proposals.len());
    let funded: Vec<&Value> = proposals.iter().filter(|p| p["funded"] == true).collect();
    let unfunded: Vec<&Value> = proposals.iter().filter(|p| p["funded"] == false).collect();
    assert!(!funded.is_empty() && !unfunded.is_empty());
    for p in proposals {
        assert!(p["id"].is_string() && p["funded"].is_boolean() && p["amount"].is_string(), "{p}");
        assert!(p["reason"].as_str().is_some_and(|r| !r.is_empty()), "{p}");
    }
    let used: i64 = proposals.iter().map(|p| yen(&p["amount"])).sum();
    let r = &json["proposal_reserve"];
    assert_eq!(yen(&r["reserve"]), yen(&json["reserve"]));
    assert_eq!(yen(&r["used"]), used);
    assert_eq!(yen(&r["remaining"]), yen(&json["reserve"]) - used);
    let requested: i64 = proposals.iter().map(|p| yen(&p["cost"])).sum();
    assert!(requested > 2 * yen(&json["reserve"]) * 9 / 10, "asks about twice the reserve: {requested}");
    assert!(unfunded.iter().any(|p| p["reason"].as_str().is_some_and(|r| r.starts_with("財源不足: あと"))));
    assert!(funded.iter().any(|p| p["reason"].as_str().is_some_and(|r| r.contains("次世代投資枠の目標に算入"))));
}

#[test]
fn kitakyushu_csv_lists_funded_and_unfunded_proposals_with_amounts() {
    let json: Value = serde_json::from_str(&run_kitakyushu("json", &[])).expect("JSON");
    let (code, bytes, stderr) = waku(&["run", KITAKYUSHU, "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let bytes = bytes.into_bytes();
    let tables = common::csv_tables(&bytes);
    assert_eq!(tables.len(), 2, "programs, then proposals");
    let mut r = csv::Reader::from_reader(tables[1]);
    let headers = r.headers().expect("header").clone();
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("column {h}"));
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("record")).collect();
    let proposals = json["proposals"].as_array().expect("proposals");
    assert_eq!(rows.len(), proposals.len(), "one row per proposal");
    let funded = proposals.iter().find(|p| p["funded"] == true).expect("a funded proposal");
    let unfunded = proposals.iter().find(|p| p["funded"] == false).expect("an unfunded proposal");
    for (p, verdict) in [(funded, "採択"), (unfunded, "不採択")] {
        let row = rows.iter().find(|r| &r[col("提案番号")] == p["id"].as_str().expect("id")).expect("its row");
        assert_eq!(&row[col("採否")], verdict);
        assert_eq!(row[col("計上額（円）")].parse::<i64>().expect("yen"), yen(&p["amount"]));
        assert_eq!(row[col("所要一般財源（円）")].parse::<i64>().expect("yen"), yen(&p["cost"]));
    }
    assert!(yen(&funded["amount"]) > 0);
    assert_eq!(yen(&unfunded["amount"]), 0);
}

#[test]
fn kitakyushu_memo_html_table_xlsx_and_explain_show_the_proposals() {
    let memo = run_kitakyushu("markdown", &[]);
    assert!(memo.contains("## 市長調整枠の提案（重点事業・市長特定事業）"), "{memo}");
    assert!(memo.contains("財源不足: あと"), "{memo}");
    let memo_en = run_kitakyushu("markdown", &["--lang", "en"]);
    assert!(memo_en.contains("## Proposals for the mayor's reserve"), "{memo_en}");
    assert!(memo_en.contains("not enough left in the reserve"), "{memo_en}");
    let html = run_kitakyushu("html", &[]);
    assert!(html.contains("市長調整枠の提案"), "html section");
    assert!(html.contains("data-proposal=\"P01\""), "html rows");
    let table = run_kitakyushu("table", &[]);
    assert!(table.contains("proposals for the mayor's reserve"), "{table}");
    let dir = common::temp_dir("proposals-xlsx");
    let out = dir.join("run.xlsx");
    let (code, _, stderr) = waku(&["run", KITAKYUSHU, "--format", "xlsx", "--out", out.to_str().expect("path")]);
    assert_eq!(code, 0, "{stderr}");
    let bytes = std::fs::read(&out).expect("xlsx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let workbook = {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").expect("workbook.xml"), &mut s)
            .expect("read");
        s
    };
    assert!(workbook.contains("name=\"提案\""), "{workbook}");
    let (code, explain, stderr) = waku(&["explain", KITAKYUSHU, "P20"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(explain.starts_with("P20 小倉都心部の再開発支援（都市戦略局）"), "{explain}");
}
