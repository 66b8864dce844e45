//! `waku sweep`: grids and seeded samples, infeasible variants recorded, no progress bar when
//! standard error is not a terminal, located errors for bad `--vary` input.

mod common;
use common::waku;

const K: &str = "scenarios/kitakyushu-r8.toml";

#[test]
fn grid_writes_one_csv_row_per_variant_and_records_infeasible_ones() {
    let (code, stdout, stderr) =
        waku(&["sweep", K, "--vary", "revenue=-5%..+5%:5", "--vary", "reserve_share=0.01..0.03:3"]);
    assert_eq!(code, 0, "{stderr}");
    let mut rows = csv::Reader::from_reader(stdout.as_bytes());
    let header = rows.headers().expect("header").clone();
    for col in [
        "variant",
        "in.revenue",
        "in.reserve_share",
        "feasible",
        "reason",
        "reserve",
        "reserve_share",
        "binding",
        "envelope.kodomo_katei",
    ] {
        assert!(header.iter().any(|h| h == col), "column `{col}` in {header:?}");
    }
    let unique: std::collections::BTreeSet<&str> = header.iter().collect();
    assert_eq!(unique.len(), header.len(), "every column name once: {header:?}");
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 15);
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (feasible, reason, reserve) = (col("feasible"), col("reason"), col("reserve"));
    // Revenue 5% down cannot meet the bureaus' envelope floors: recorded, and the sweep went on.
    let down = &records[0];
    assert_eq!((&down[1], &down[feasible]), ("-5%", "false"));
    assert!(down[reason].contains("cannot") && down[reason].contains("short by"), "{}", &down[reason]);
    // An infeasible row keeps its inputs: the varied values and the revenue they give.
    assert_eq!(&down[col("in.reserve_share")], "0.01");
    assert_eq!(&down[col("general_revenue")], "413440000000", "4,352億円 − 5%");
    assert_eq!(&down[col("reserve_share")], "", "no result where there is no allocation");
    let base = records.iter().find(|r| &r[1] == "0%" && &r[2] == "0.01").expect("the base point");
    assert_eq!(&base[feasible], "true");
    let single = waku::pipeline::run_path(std::path::Path::new(K), &Default::default()).expect("base");
    let single = single.central().expect("feasible").allocations[0].reserve.as_decimal().to_string();
    assert_eq!(&base[reserve], single.as_str(), "the base point's reserve = `waku run`'s, in yen");
    // Piped: one summary line on stderr, no progress bar.
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.starts_with("swept 15 variants in "), "{stderr:?}");
    assert!(stderr.contains("the review ran once"), "{stderr:?}");
    assert!(!stderr.contains('\r') && !stderr.contains('\u{1b}'), "no terminal drawing when piped: {stderr:?}");
}

#[test]
fn samples_are_deterministic_for_a_seed() {
    let run = |seed: &str| {
        let (code, stdout, stderr) = waku(&[
            "sweep",
            K,
            "--vary",
            "revenue=-3%..+3%",
            "--vary",
            "investment_cap=600億円..650億円",
            "--samples",
            "6",
            "--seed",
            seed,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let (a, b, c) = (run("7"), run("7"), run("8"));
    assert_eq!(a, b, "same seed, same variants, same bytes");
    assert_ne!(a, c);
    let json: serde_json::Value = serde_json::from_str(&a).expect("JSON");
    let rows = json["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 6);
    assert_eq!(json["review_reused"], true);
    for r in rows {
        assert!(r["feasible"].is_boolean() && r["envelopes"].is_object() && r["indicators"].is_object(), "{r}");
    }
}

#[test]
fn bad_vary_input_is_a_located_error() {
    let (code, stdout, stderr) = waku(&["sweep", K, "--vary", "revenue=-5%..+5%:zero"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "error: `zero` is not a number of steps\n --> --vary:1:18\n  |\n1 | revenue=-5%..+5%:zero\n  |                  ^^^^\n  = hint: write the number of values after `:`, e.g. `-5%..+5%:11` (at least 1)\n"
    );
    let (code, _, stderr) = waku(&["sweep", K, "--vary", "reserve_shares=0.02..0.08:7"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `reserve_share`?"), "{stderr}");
    let (code, _, stderr) = waku(&["sweep", K, "--vary", "revenue=-5%..4,000億円:3"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("mixes a change with an amount") && stderr.contains("--> --vary:1:14"), "{stderr}");
    let (code, _, stderr) = waku(&["sweep", K]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nothing to vary"), "{stderr}");
}

#[test]
fn the_review_is_shared_and_variants_match_single_runs() {
    use std::path::Path;
    use waku::allocate::Options;
    use waku::whatif::{sweep, vary::Vary};
    let scenario = waku::scenario::load(Path::new(K)).expect("loads");
    let ruleset = waku::rules::Ruleset::for_scenario(&scenario).expect("rules");
    let vary = vec![Vary::parse("revenue=-2%..0%:2").expect("vary")];
    let variants = sweep::variants(&vary, sweep::Mode::Grid).expect("grid");
    let result = sweep::run(&scenario, &ruleset, &vary, &variants, &Options::default(), &|| {}).expect("sweep");
    assert!(result.review_reused);
    // The −2% variant is the revenue-down overlay: same reserve, same envelopes, to the yen.
    let overlay = waku::pipeline::run_path(Path::new("scenarios/kitakyushu-r8-revenue-down.toml"), &Default::default())
        .expect("overlay");
    let a = &overlay.central().expect("feasible").allocations[0];
    let row = &result.rows[0];
    assert_eq!(row.reserve, Some(a.reserve));
    for e in &a.envelopes {
        assert_eq!(row.envelopes.get(&e.department), Some(&e.amount), "{}", e.department);
    }
}
