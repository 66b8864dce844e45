//! Shared checks for the allocation tests (every identity exact, every limit held) and helpers
//! for the tests that run the binary.
#![allow(dead_code)]

/// The files of the Kitakyushu example a test copies to run it elsewhere: the scenario, its
/// inventory, clusters, proposals and KPI table.
pub const KITAKYUSHU_R8_FILES: [&str; 5] = [
    "kitakyushu-r8.toml",
    "kitakyushu-r8-programs.csv",
    "kitakyushu-clusters.csv",
    "kitakyushu-r8-proposals.csv",
    "kitakyushu-r8-kpis.csv",
];

/// A fresh, empty temporary folder for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A fresh temporary folder holding a copy of the Kitakyushu example ([`KITAKYUSHU_R8_FILES`]).
pub fn kitakyushu_r8_copy(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    for f in KITAKYUSHU_R8_FILES {
        std::fs::copy(std::path::Path::new("scenarios").join(f), dir.join(f)).expect("copy scenario");
    }
    dir
}

use rust_decimal::Decimal;
use waku::Money;
use waku::allocate::Allocation;
use waku::review::Review;
use waku::scenario::{ProgramKind, Scenario};

/// Asserts the JSON contract's identities and every limit, exactly in yen.
pub fn check_allocation(sc: &Scenario, review: &Review, a: &Allocation) {
    // Σ envelopes + reserve = available; available = general revenue + drawdown − deposit.
    let env: Money = a.envelopes.iter().map(|e| e.amount).sum();
    assert_eq!(env + a.reserve, a.available, "envelopes + reserve = available");
    assert_eq!(a.general_revenue + a.fund_drawdown - a.fund_deposit, a.available);
    for e in &a.envelopes {
        let sum: Money = a.programs.iter().filter(|p| p.department == e.department).map(|p| p.general_revenue).sum();
        assert_eq!(sum, e.amount, "envelope of {} = Σ its programs", e.department);
        assert!(e.amount >= e.floor, "{}: envelope {} below floor {}", e.department, e.amount, e.floor);
        assert!(e.amount <= e.ceiling, "{}: envelope {} above ceiling {}", e.department, e.amount, e.ceiling);
    }
    let unit = Money::from_decimal(sc.rounding_unit.factor());
    for ((p, sp), r) in a.programs.iter().zip(&sc.programs).zip(&review.programs) {
        assert_eq!(p.subsidy + p.fees + p.bonds + p.general_revenue, p.allocated, "{}: funding adds up", p.id);
        assert_eq!(sp.funding(p.allocated).general_revenue, p.general_revenue);
        let (lo, hi) = (r.assessment.min, r.assessment.max);
        if sp.kind == ProgramKind::Mandatory {
            assert_eq!(p.allocated, sp.requested, "{}: mandatory is fixed", p.id);
        } else {
            assert!(p.allocated >= lo && p.allocated <= hi, "{}: {} outside {}..{}", p.id, p.allocated, lo, hi);
            let on_grid = (p.allocated.as_decimal() % unit.as_decimal()).is_zero();
            assert!(
                on_grid || p.allocated == lo || p.allocated == hi,
                "{}: {} is neither on the {} grid nor at a bound",
                p.id,
                p.allocated,
                unit
            );
        }
        if sp.all_or_nothing {
            assert!(p.allocated.is_zero() || p.allocated == sp.requested, "{}: all or nothing", p.id);
        }
    }
    let investment: Money = a.programs.iter().filter(|p| p.kind == ProgramKind::Investment).map(|p| p.allocated).sum();
    assert_eq!(investment, a.investment);
    assert!(a.investment <= sc.policy.investment_cap, "investment {} above cap", a.investment);
    let bonds: Money = a.programs.iter().map(|p| p.bonds).sum();
    assert_eq!(bonds, a.bond_issuance);
    assert!(a.bond_issuance <= sc.bonds.issuance_cap);
    assert_eq!(a.bond_balance_end, sc.bonds.balance + a.bond_issuance - sc.bonds.redemption);
    let ng: Money = a.programs.iter().filter(|p| p.next_generation).map(|p| p.allocated).sum();
    assert_eq!(ng, a.next_generation);
    assert!(a.next_generation >= sc.policy.next_generation_target);
    let (lo, hi) = reserve_window(sc, a.available);
    assert!(a.reserve >= lo, "reserve {} below min {lo}", a.reserve);
    assert!(a.reserve <= hi, "reserve {} above max {hi}", a.reserve);
    assert!(a.fund_drawdown >= Money::ZERO && a.fund_drawdown <= sc.fund.max_drawdown);
    assert!(a.fund_balance_end >= sc.fund.floor);
    assert!(a.fund_deposit >= Money::ZERO);
    assert_eq!(a.fund_balance_end, sc.fund.balance - a.fund_drawdown + a.fund_deposit);
}

/// The reserve's share bounds in whole yen: ⌈min·available⌉ ..= ⌊max·available⌋; when no whole
/// yen lies between (min share = max share), the whole yen nearest the middle (ties to even).
pub fn reserve_window(sc: &Scenario, available: Money) -> (Money, Money) {
    let a = available.as_decimal();
    let (min, max) = (sc.policy.reserve_min_share, sc.policy.reserve_max_share);
    let (lo, hi) = ((min * a).ceil(), (max * a).floor());
    if lo <= hi {
        (Money::from_decimal(lo), Money::from_decimal(hi))
    } else {
        let mid = ((min + max) / Decimal::TWO * a)
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven);
        (Money::from_decimal(mid), Money::from_decimal(mid))
    }
}

/// `waku run --format json` without its `overrides` block, which quotes each `--set` as written:
/// what is left is the allocation, comparable between two ways of writing the same change.
pub fn without_overrides(json: &str) -> String {
    let Some(start) = json.find("  \"overrides\": [") else { return json.to_string() };
    let end = json[start..].find("\n  ],\n").map_or(json.len(), |e| e + start + "\n  ],\n".len());
    format!("{}{}", &json[..start], &json[end..])
}

/// Runs the built `waku` with `args` in the crate's folder: exit code, standard output, standard error.
pub fn waku(args: &[&str]) -> (i32, String, String) {
    waku_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs the built `waku` with `args` in the crate's folder; it must succeed, and its standard
/// output is JSON.
pub fn waku_json(args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = waku(args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

/// Runs the built `waku` with `args` in `dir`.
pub fn waku_in(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_waku")).args(args).current_dir(dir).output().expect("run waku");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The tables of a `--format csv` output (after its byte-order mark): the programs first, then
/// (with proposals) the 提案 table, separated by an empty line.
pub fn csv_tables(bytes: &[u8]) -> Vec<&[u8]> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).expect("a byte-order mark");
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.windows(4).position(|w| w == b"\r\n\r\n") {
        out.push(&rest[..i + 2]);
        rest = &rest[i + 4..];
    }
    out.push(rest);
    out
}
