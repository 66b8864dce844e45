//! Reasons that mean what they say: every program of every bundled scenario, through the real
//! binary. The review's reason (`waku review --format json`) must name every viewpoint whose
//! recommendation it follows or sets aside, state the action it decided, and state the range its
//! bounds really have.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn waku(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku");
    assert!(out.status.success(), "waku {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The bundled single-year scenarios (a plan file names its years, which are here too).
fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !std::fs::read_to_string(p).unwrap_or_default().contains("\n[plan]"))
        .collect();
    v.sort();
    assert!(v.len() >= 5, "expected the bundled scenarios, found {v:?}");
    v
}

fn yen(v: &Value) -> i128 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("money as a string of yen: {v}"))
}

/// `配分の範囲は前年度予算の50%〜85%（要求額以内）` → (base word, low %, high % or None for 要求額).
fn stated_range(reason: &str) -> Option<(&str, f64, Option<f64>)> {
    let rest = &reason[reason.find("配分の範囲は")? + "配分の範囲は".len()..];
    let (base, rest) = rest.split_once('の')?;
    let (lo, rest) = rest.split_once("%〜")?;
    let hi = if rest.starts_with("要求額") { None } else { Some(rest.split_once('%')?.0.parse().ok()?) };
    Some((base, lo.parse().ok()?, hi))
}

/// The problems with one program's review reason (empty when it is true to its findings and bounds).
fn reason_problems(p: &Value, program: &Value, unit: i128) -> Vec<String> {
    let a = &p["assessment"];
    let reason = a["reason"].as_str().unwrap_or_default();
    let action = a["action"].as_str().unwrap_or_default();
    let mut problems = Vec::new();
    if reason.is_empty() {
        problems.push("no reason".to_string());
    }
    for (k, f) in p["findings"].as_array().into_iter().flatten().enumerate() {
        let f_action = f["action"].as_str().unwrap_or_default();
        let name = format!("視点{}", k + 1);
        if f_action != "継続" && !reason.contains(&name) {
            problems.push(format!("{name} recommends {f_action}, and the reason does not say what became of it"));
        }
    }
    if !reason.contains(action) {
        problems.push(format!("the reason does not state the decision {action}"));
    }
    if reason.contains("各視点とも") && p["findings"].as_array().into_iter().flatten().any(|f| f["action"] != "継続")
    {
        problems.push("claims every viewpoint agrees, but one does not".into());
    }
    let (min, max) = (yen(&a["min"]), yen(&a["max"]));
    let (prior, requested) = (yen(&program["prior_cost"]), yen(&program["requested"]));
    if let Some((base_word, lo, hi)) = stated_range(reason) {
        let base = if base_word == "要求額" { requested } else { prior };
        let at = |pct: f64| (base as f64 * pct / 100.0).round() as i128;
        let want_max = hi.map_or(requested, |h| at(h).min(requested));
        let want_min = at(lo).min(want_max);
        // The bounds are on the rounding grid (a minimum up, a maximum down) unless written by the user.
        if (min - want_min).abs() > unit || (max - want_max).abs() > unit {
            problems.push(format!(
                "states {base_word} {lo}%〜{hi:?}% (≈ {want_min}..{want_max} yen), but the bounds are {min}..{max}"
            ));
        }
    } else if !matches!(action, "廃止" | "完了") && program["kind"] != "mandatory" {
        problems.push("states no range".into());
    }
    if matches!(action, "廃止" | "完了") && max != 0 {
        problems.push(format!("{action} but a maximum of {max} yen"));
    }
    problems
}

/// `…価値1.056が、縛っている限度（…）の限界値1.001を下回るため` → (1.056, 1.001).
fn value_and_margin(reason: &str) -> Option<(f64, f64)> {
    let value = reason.split("の価値").nth(1)?.split('が').next()?.parse().ok()?;
    let margin = reason.split("の限界値").nth(1)?;
    let end = margin.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(margin.len());
    Some((value, margin[..end].parse().ok()?))
}

/// The problems with one program's allocation reason (`waku run --format json`): there is one
/// exactly when the program is funded below its request, and it says what its holding is.
fn allocation_problems(p: &Value) -> Vec<String> {
    let (requested, allocated) = (yen(&p["requested"]), yen(&p["allocated"]));
    let reason = p["allocation_reason"].as_str();
    let action = p["action"].as_str().unwrap_or_default();
    let held = p["held_by"].as_str().unwrap_or_default();
    let mut problems = Vec::new();
    let Some(reason) = reason else {
        if allocated < requested {
            problems.push(format!("funded {allocated} below its request {requested} with no reason"));
        }
        return problems;
    };
    if allocated >= requested {
        problems.push(format!("a reason for a cut, but funded {allocated} of {requested}"));
    }
    let says = |words: &str| reason.contains(words);
    let ok = match held {
        "review_max" | "envelope_floor" => says("見直しの上限") && says(&format!("見直しによる{action}")),
        "review_min" => {
            says("見直しの下限") && value_and_margin(reason).is_none_or(|(v, m)| v < m + 0.0005 && says("を下回るため"))
        }
        "marginal" => says("丸め") || says("の限界値と等しい"),
        "pinned" => says(action),
        "all_or_nothing" => allocated == 0 && (says(action) || says("不採択")),
        _ => true,
    };
    if !ok {
        problems.push(format!("held `{held}`, but the reason says otherwise"));
    }
    problems
}

#[test]
fn every_allocation_below_its_request_says_why_and_the_why_fits_the_result() {
    let mut failures = Vec::new();
    let mut explained = 0;
    for path in scenarios() {
        let path = path.to_str().expect("path");
        let run = waku(&["run", path, "--format", "json"]);
        for p in run["programs"].as_array().expect("programs") {
            explained += usize::from(!p["allocation_reason"].is_null());
            for problem in allocation_problems(p) {
                failures.push(format!("{path} {}: {problem}\n    {}", p["id"], p["allocation_reason"]));
            }
        }
    }
    assert!(explained >= 500, "{explained} allocation reasons");
    assert!(failures.is_empty(), "{} allocation reasons do not fit:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_program_cut_to_its_minimum_by_the_allocation_says_which_limit_and_why() {
    // K0005: the review allows 50%–89% of last year; general revenue runs out before it.
    let run = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    let p = run["programs"].as_array().expect("programs").iter().find(|p| p["id"] == "K0005").expect("K0005");
    assert_eq!(p["held_by"], "review_min");
    let reason = p["allocation_reason"].as_str().expect("a reason");
    assert!(
        reason.starts_with("財源が足りず、見直しの下限1.67億円で配分。一般財源1円当たりの価値0.944が、縛っている限度（一般財源の収支（歳入 = 歳出））の限界値"),
        "{reason}"
    );
    let mut q = p.clone();
    q["allocation_reason"] = Value::from(reason.replace("を下回るため", "と等しい").replace("0.944", "1.500"));
    assert!(!allocation_problems(&q).is_empty(), "a reason at odds with the result is caught");
    q["allocation_reason"] = Value::Null;
    assert!(!allocation_problems(&q).is_empty(), "a cut without a reason is caught");
}

#[test]
fn every_review_reason_names_its_findings_its_decision_and_its_bounds() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in scenarios() {
        let path = path.to_str().expect("path");
        let review = waku(&["review", path, "--format", "json"]);
        let run = waku(&["run", path, "--format", "json"]);
        let unit = match run["rounding_unit"].as_str() {
            Some("千円") => 1_000,
            Some("百万円") => 1_000_000,
            Some("万円") => 10_000,
            _ => 1,
        };
        let programs = run["programs"].as_array().expect("programs");
        for (p, program) in review["programs"].as_array().expect("programs").iter().zip(programs) {
            assert_eq!(p["id"], program["id"]);
            for problem in reason_problems(p, program, unit) {
                failures.push(format!("{path} {}: {problem}\n    {}", p["id"], p["assessment"]["reason"]));
            }
            checked += 1;
        }
    }
    assert!(checked >= 2_700, "walked {checked} programs");
    assert!(
        failures.is_empty(),
        "{} reasons contradict their findings or bounds:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn reason_of(scenario: &str, id: &str) -> String {
    let review = waku(&["review", scenario, "--program", id, "--format", "json"]);
    review["programs"][0]["assessment"]["reason"].as_str().expect("reason").to_string()
}

#[test]
fn a_lone_abolish_recommendation_is_named_and_set_aside_by_its_rule() {
    // K0018: only 視点2 recommends 廃止 (its KPI fell below the baseline); the rest say 継続.
    let reason = reason_of("scenarios/kitakyushu-r8.toml", "K0018");
    assert!(reason.starts_with("視点2が廃止を推奨（関係人口登録者数（人）が基準値を下回っており"), "{reason}");
    assert!(reason.contains("廃止には2視点以上の一致が"), "{reason}");
    assert!(reason.contains("この事業は2.83"), "{reason}");
    assert!(reason.contains("以上により継続。配分の範囲は前年度予算の90%〜要求額"), "{reason}");
    assert!(!reason.contains("各視点とも"), "{reason}");
}

#[test]
fn a_lower_is_better_indicator_that_rose_reads_as_worse() {
    // K0194 自殺対策事業: 自殺者数 1,153 → 1,242 against a target of 826.
    let review = waku(&["review", "scenarios/kitakyushu-r8.toml", "--program", "K0194", "--format", "json"]);
    let p = &review["programs"][0];
    let efficiency = p["findings"][1]["reason"].as_str().expect("reason");
    assert!(
        efficiency.starts_with("自殺者数（人）が基準値を上回っており（低いほどよい指標、達成度-27.2%）"),
        "{efficiency}"
    );
    let reason = p["assessment"]["reason"].as_str().expect("reason");
    assert!(reason.starts_with("視点1・視点2が廃止を推奨（視点1：需要が56%減少"), "{reason}");
    assert!(reason.contains("／視点2：自殺者数（人）が基準値を上回っており"), "{reason}");
    assert!(reason.contains("視点4の縮小の推奨は、廃止を優先するため採らない"), "{reason}");
}

#[test]
fn the_problem_finder_catches_a_false_reason() {
    // The test above must be able to fail: the old 「各視点とも現状維持が妥当」 on K0018 is caught.
    let review = waku(&["review", "scenarios/kitakyushu-r8.toml", "--program", "K0018", "--format", "json"]);
    let run = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    let program = run["programs"].as_array().expect("programs").iter().find(|p| p["id"] == "K0018").expect("K0018");
    let mut p = review["programs"][0].clone();
    assert!(reason_problems(&p, program, 1_000).is_empty());
    p["assessment"]["reason"] = Value::from("各視点とも現状維持が妥当");
    let problems = reason_problems(&p, program, 1_000);
    assert!(problems.iter().any(|m| m.contains("視点2 recommends 廃止")), "{problems:?}");
    assert!(problems.iter().any(|m| m.contains("states no range")), "{problems:?}");
    let true_reason = review["programs"][0]["assessment"]["reason"].as_str().expect("reason");
    p["assessment"]["reason"] = Value::from(true_reason.replace("90%〜要求額", "50%〜要求額"));
    assert!(reason_problems(&p, program, 1_000).iter().any(|m| m.contains("but the bounds are")));
}
