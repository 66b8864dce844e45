//! `waku run --format json` on every bundled scenario: identities exact to the yen, two runs give
//! identical bytes, and the output is snapshotted (a change that moves money is a readable diff).

use std::path::Path;

use serde_json::Value;

mod common;

fn run(path: &Path) -> (i32, String, String) {
    common::waku(&["run", "--format", "json", path.to_str().expect("a UTF-8 path")])
}

/// Money in the JSON contract: a string of whole yen.
fn yen(v: &Value, what: &str) -> i128 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{what}: expected a string of whole yen, found {v}"))
}

fn check_identities(json: &Value) {
    let available = yen(&json["available"], "available");
    let reserve = yen(&json["reserve"], "reserve");
    let envelopes = json["envelopes"].as_array().expect("envelopes");
    let programs = json["programs"].as_array().expect("programs");
    let total: i128 = envelopes.iter().map(|e| yen(&e["amount"], "envelope")).sum();
    assert_eq!(total + reserve, available, "Σ envelopes + reserve = available");
    for e in envelopes {
        let d = e["department"].as_str().expect("department");
        let sum: i128 = programs
            .iter()
            .filter(|p| p["department"] == d)
            .map(|p| yen(&p["general_revenue"], "general_revenue"))
            .sum();
        assert_eq!(sum, yen(&e["amount"], "amount"), "envelope of {d} = Σ general revenue of its programs");
    }
    for p in programs {
        for key in ["id", "department", "requested", "allocated", "general_revenue", "action"] {
            assert!(!p[key].is_null(), "program field `{key}`");
        }
    }
    // Every allocation is a multiple of the rounding unit, or an amount the user wrote (the
    // request or the prior-year budget, which a bound may keep as written).
    let unit: i128 = match json["rounding_unit"].as_str() {
        Some("円") => 1,
        Some("千円") => 1_000,
        Some("万円") => 10_000,
        Some("百万円") => 1_000_000,
        Some("億円") => 100_000_000,
        other => panic!("rounding_unit: {other:?}"),
    };
    for p in programs {
        let allocated = yen(&p["allocated"], "allocated");
        let written = [&p["requested"], &p["prior_cost"]].iter().any(|w| yen(w, "written") == allocated);
        assert!(
            allocated % unit == 0 || written,
            "{}: {allocated} yen is neither a multiple of {unit} yen nor an amount the user wrote",
            p["id"]
        );
    }
    for c in json["constraints"].as_array().expect("constraints") {
        for key in ["name", "limit", "value", "binding", "shadow_price"] {
            assert!(c.get(key).is_some(), "constraint field `{key}`");
        }
    }
    for key in
        ["bond_issuance", "bond_balance_end", "fund_drawdown", "fund_balance_end", "investment", "next_generation"]
    {
        yen(&json[key], key);
    }
}

#[test]
fn every_scenario_allocates_exactly_and_deterministically() {
    insta::glob!("../scenarios", "*.toml", |path| {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path);
        let (code, stdout, stderr) = run(rel);
        let (code2, stdout2, stderr2) = run(rel);
        assert_eq!((code, &stdout, &stderr), (code2, &stdout2, &stderr2), "two runs, identical bytes");
        if code == 0 {
            let json: Value = serde_json::from_str(&stdout).expect("JSON");
            // A multi-year plan holds one allocation per year.
            match json.get("allocations").and_then(Value::as_array) {
                Some(years) => years.iter().for_each(check_identities),
                None => check_identities(&json),
            }
            insta::assert_snapshot!(format!("run-{}", rel.file_stem().and_then(|s| s.to_str()).unwrap_or("?")), stdout);
        } else {
            // Contradictory limits are a diagnosis, not a crash: exit 1 and the conflict named.
            assert_eq!(code, 1, "{stderr}");
            assert!(stderr.contains("cannot") && stderr.contains("short by"), "{stderr}");
            insta::assert_snapshot!(format!("run-{}", rel.file_stem().and_then(|s| s.to_str()).unwrap_or("?")), stderr);
        }
    });
}
