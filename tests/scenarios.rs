//! The bundled scenarios: they load, they reconcile to the real figures, they validate against
//! the published JSON Schema, and `waku check` on each is snapshotted.

use std::path::Path;
use std::process::Command;

use waku::money::{Money, Unit};
use waku::scenario::{self, ProgramKind};

fn scenario_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .expect("scenarios folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn oku(s: &str) -> Money {
    Money::parse(s).expect("amount")
}

#[test]
fn kitakyushu_r8_reconciles_to_the_real_figures() {
    let s = scenario::load(Path::new("scenarios/kitakyushu-r8.toml")).expect("loads");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.total_requested(), oku("6,476.84億円"));
    let investment: Money = s.programs.iter().filter(|p| p.kind == ProgramKind::Investment).map(|p| p.requested).sum();
    assert_eq!(investment, oku("644億円"));
    let bonds: Money = s.programs.iter().map(|p| p.funding(p.requested).bonds).sum();
    assert_eq!(bonds, oku("375億円"));
    assert_eq!(s.bonds.balance + bonds - s.bonds.redemption, oku("8,030億円"));
    assert_eq!(s.clusters.len(), 57);
    assert!(s.departments.len() >= 18, "about twenty bureaus");
    assert!(s.programs.len() >= 300, "several hundred programs");
    assert_eq!(s.display_unit, Unit::Oku);
}

#[test]
fn overlay_states_only_what_differs() {
    let base = scenario::load(Path::new("scenarios/kitakyushu-r8.toml")).expect("base");
    let down = scenario::load(Path::new("scenarios/kitakyushu-r8-revenue-down.toml")).expect("overlay");
    assert_eq!(
        down.revenue.general_revenue.as_decimal(),
        base.revenue.general_revenue.as_decimal() * rust_decimal::Decimal::new(98, 2)
    );
    assert_eq!(down.programs.len(), base.programs.len());
    assert_eq!(down.policy.investment_cap, base.policy.investment_cap);
    assert_ne!(down.name, base.name);
}

#[test]
fn every_example_validates_against_the_json_schema() {
    let schema = scenario::schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for path in scenario_files() {
        let text = std::fs::read_to_string(&path).expect("read");
        let value: serde_json::Value = toml::from_str(&text).expect("toml");
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    // And the schema rejects what the loader rejects.
    let bad: serde_json::Value = toml::from_str("[policy]\ninvestment_cao = \"620億円\"\n").expect("toml");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn check_summary_of_every_example() {
    for path in scenario_files() {
        let out = Command::new(env!("CARGO_BIN_EXE_waku")).arg("check").arg(&path).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", path.display());
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        insta::assert_snapshot!(format!("check-{name}"), String::from_utf8_lossy(&out.stdout));
    }
}
