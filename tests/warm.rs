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
