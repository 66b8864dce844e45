//! The fast paths change the speed, never the answer: every bundled scenario run with them
//! switched off (README "Performance") gives the JSON the default run gives.
//!
//! Compiled scripts, the reuse of script results and the working set: byte for byte. The vertex
//! prices: the shadow prices they read off microlp's vertex are the LP's exact duals, and with them
//! off clarabel's interior point gives the same prices to within 10⁻⁵ (e.g. 1.0 and 1.000001) and
//! the `solver` says `microlp+clarabel`; everything else is byte for byte the same.

use std::process::Command;

use serde_json::Value;
use waku::allocate::synthetic::{Shape, city};
use waku::allocate::{Options, allocate};
use waku::fast::FastPaths;

fn scenarios() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| format!("scenarios/{}", p.file_name().and_then(|n| n.to_str()).unwrap_or_default()))
        .collect();
    out.sort();
    out
}

fn waku(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_waku"));
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for v in FastPaths::VARIABLES.map(|(name, _)| name) {
        c.env_remove(v);
    }
    c.envs(env.iter().copied());
    let out = c.output().expect("run waku");
    assert!(out.status.success(), "{args:?} {env:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Equal but for the solver's name and shadow prices within 10⁻⁵; the path of the first difference.
fn same_but_prices(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.keys().ne(y.keys()) {
                return Err(format!("{path}: keys differ"));
            }
            for (k, v) in x {
                let here = format!("{path}.{k}");
                match k.as_str() {
                    "solver" => {
                        let (p, q) = (v.as_str().unwrap_or(""), y[k].as_str().unwrap_or(""));
                        if !(p == q || q == format!("{p}+clarabel")) {
                            return Err(format!("{here}: {p} vs {q}"));
                        }
                    }
                    "shadow_price" => match (v.as_f64(), y[k].as_f64()) {
                        (Some(p), Some(q)) if (p - q).abs() <= 1e-5 => {}
                        (None, None) => {}
                        (p, q) => return Err(format!("{here}: {p:?} vs {q:?}")),
                    },
                    _ => same_but_prices(v, &y[k], &here)?,
                }
            }
            Ok(())
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().try_for_each(|(i, (p, q))| same_but_prices(p, q, &format!("{path}[{i}]")))
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} vs {b}")),
    }
}

#[test]
fn every_bundled_scenario_gives_the_same_json_with_the_fast_paths_off() {
    let all = scenarios();
    assert!(all.len() >= 6, "{all:?}");
    let exact = [("WAKU_NO_COMPILED_SCRIPTS", "1"), ("WAKU_NO_RESULT_REUSE", "1"), ("WAKU_NO_WORKING_SET", "1")];
    for s in &all {
        for command in [&["run", s, "--format", "json"][..], &["review", s, "--format", "json"][..]] {
            let fast = waku(command, &[]);
            assert_eq!(
                fast,
                waku(command, &exact),
                "{command:?}: byte for byte without compiled scripts, reuse, working set"
            );
            let slow = waku(command, &[("WAKU_FAST_PATHS", "off")]);
            let (a, b): (Value, Value) =
                (serde_json::from_str(&fast).expect("json"), serde_json::from_str(&slow).expect("json"));
            if let Err(e) = same_but_prices(&a, &b, "") {
                panic!("{command:?} with every fast path off: {e}");
            }
        }
    }
}

/// The warm steps: every re-solve the shadow prices and their effects need (a limit loosened by
/// 1億円: which programs, the reserve and the fund move) steps from the optimum instead of
/// solving from scratch. The memo states those effects; it is the same, byte for byte.
#[test]
fn the_prices_effects_are_the_same_without_the_warm_steps() {
    let mut stated = 0;
    for s in &scenarios() {
        let command = ["run", s, "--format", "markdown"];
        let warm = waku(&command, &[]);
        assert_eq!(warm, waku(&command, &[("WAKU_NO_WARM_STEPS", "1")]), "{s}: the memo without warm steps");
        stated += warm.matches("would add").count() + warm.matches("増え").count();
    }
    assert!(stated > 0, "no memo states an effect");
}

/// The working set is for models of more than 4,000 free programs, which no bundled scenario has:
/// a synthetic city of 10,000 (with all-or-nothing initiatives, so microlp's exact vertex decides
/// it) is allocated with it and without it, to the same bytes.
#[test]
fn a_large_city_gives_the_same_allocation_without_the_working_set() {
    let (sc, review) = city(Shape { programs: 10_000, departments: 20, all_or_nothing: true, seed: 3 });
    let json = |fast: FastPaths| {
        let a = allocate(&sc, &review, &Options { fast, ..Options::default() }).expect("feasible");
        serde_json::to_string(&a).expect("json")
    };
    let without = FastPaths { working_set: false, ..FastPaths::ALL_ON };
    assert_eq!(json(FastPaths::ALL_ON), json(without));
}
