//! Warm re-runs (`waku::pipeline::Session`): a what-if on a kept scenario re-does only what the
//! change reaches, and its outcome is byte for byte `waku run --format json --set …` of the same
//! change, run cold.

mod common;

use std::path::Path;

use common::waku;
use waku::fast::FastPaths;
use waku::pipeline::{Options, Reads, Session};

const R8: &str = "scenarios/kitakyushu-r8.toml";

/// The options `waku run` runs with (the shadow prices' effects too).
fn options() -> Options {
    let mut o = Options::default().with_fast(FastPaths::from_env(|k| std::env::var(k).ok()));
    o.allocate.effects = true;
    o
}

fn cold(set: &[&str]) -> String {
    let mut args = vec!["run", R8, "--format", "json"];
    for s in set {
        args.extend(["--set", s]);
    }
    let (code, json, stderr) = waku(&args);
    assert_eq!(code, 0, "{set:?}: {stderr}");
    json
}

#[test]
fn a_warm_what_if_is_the_cold_run_byte_for_byte() {
    let session = Session::open(Path::new(R8), &options()).expect("the example runs");
    let base = session.json().expect("feasible");
    assert_eq!(base, cold(&[]), "the session's own run is `waku run`'s");
    let cases: &[(&[&str], Reads)] = &[
        (&["revenue.general_revenue=-2%"], Reads::Allocation),
        (&["policy.investment_cap=620億円"], Reads::Allocation),
        (&["departments.somu.floor_ratio=1.0"], Reads::Allocation),
        (&["policy.style=balanced"], Reads::Allocation),
        (&["fund.draw=last_resort", "policy.reserve_min_share=+1pt"], Reads::Allocation),
        (&["programs.K0002.requested=110億円"], Reads::Programs(vec!["K0002".into()])),
    ];
    let mut seen = vec![base.clone()];
    for (set, reach) in cases {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let w = session.what_if(&set).expect("the what-if runs");
        assert_eq!(&w.reviewed, reach, "{set:?}");
        let warm = w.json().expect("feasible");
        let cold = cold(&set.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(warm == cold, "{set:?}: the warm outcome differs from the cold run");
        assert!(!seen.contains(&warm), "{set:?} changed nothing: the comparison would prove nothing");
        seen.push(warm);
    }
}

#[test]
fn a_changed_program_is_reviewed_again_alone_and_applying_keeps_it() {
    let mut session = Session::open(Path::new(R8), &options()).expect("the example runs");
    let before = session.review().programs.clone();
    let reached = session.apply(&["programs.K0002.requested=90億円".to_string()]).expect("applies");
    assert_eq!(reached, Reads::Programs(vec!["K0002".into()]));
    let after = &session.review().programs;
    let changed: Vec<&str> = before
        .iter()
        .zip(after)
        .filter(|(a, b)| serde_json::to_string(a).ok() != serde_json::to_string(b).ok())
        .map(|(a, _)| a.id.as_str())
        .collect();
    assert_eq!(changed, ["K0002"], "only the changed program's review moves");
    // The applied change stays: a what-if on top of it is the cold run of both keys.
    let w = session.what_if(&["revenue.general_revenue=-2%".to_string()]).expect("runs");
    assert_eq!(w.reviewed, Reads::Allocation);
    assert!(
        w.json().expect("feasible") == cold(&["programs.K0002.requested=90億円", "revenue.general_revenue=-2%"]),
        "applied and warm is the cold run of both keys"
    );
}

/// The session's loads keep the parsed inventory and KPI table (`LoadOptions::tables`), but read
/// the files every time: a file edited between what-ifs is what the next what-if sees.
#[test]
fn a_what_if_reads_the_tables_as_they_are_now() {
    let dir = common::kitakyushu_r8_copy("warm-tables");
    let scenario = dir.join("kitakyushu-r8.toml");
    let session = Session::open(&scenario, &options()).expect("the copy runs");
    let set = vec!["revenue.general_revenue=-2%".to_string()];
    let requested = |w: &waku::pipeline::WhatIf<'_>| w.scenario.program("K0001").expect("K0001").requested;
    let indicator = |w: &waku::pipeline::WhatIf<'_>| {
        w.scenario.kpis.as_ref().expect("kpis").indicator("C1-1").expect("C1-1").name.clone()
    };
    let before = session.what_if(&set).expect("runs");
    assert_eq!(requested(&before), waku::Money::yen(1_759_173_000));
    assert_eq!(indicator(&before), "「戦略的広報」の成果に満足している市民の割合（％）");

    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file} holds {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    };
    edit("kitakyushu-r8-programs.csv", "\"1,759,173千円\"", "\"1,800,000千円\"");
    edit(
        "kitakyushu-r8-kpis.csv",
        "「戦略的広報」の成果に満足している市民の割合",
        "戦略的広報に満足している市民の割合",
    );
    let after = session.what_if(&set).expect("runs");
    assert_eq!(requested(&after), waku::Money::yen(1_800_000_000), "the edited inventory is read");
    assert_eq!(indicator(&after), "戦略的広報に満足している市民の割合（％）", "the edited KPI table is read");
    // And the kept tables are what a fresh load gives, once nothing changes.
    let again = session.what_if(&set).expect("runs");
    assert_eq!(requested(&again), requested(&after));
    let fresh = waku::scenario::load_with(&scenario, &Default::default()).expect("loads");
    assert_eq!(format!("{:?}", again.scenario.programs), format!("{:?}", fresh.programs));
    assert_eq!(format!("{:?}", again.scenario.kpis), format!("{:?}", fresh.kpis));
    let _ = std::fs::remove_dir_all(&dir);
}
