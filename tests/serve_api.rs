//! `waku serve`'s JSON API, sent requests in-process (`tower::ServiceExt::oneshot`): the CLI's
//! bytes, the Host check, the token, paths outside the folder, bad input with its place, stale
//! writes, oversized bodies, and the what-if's fast path against a full run.

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;
use waku::cli::serve::{Config, router};

const HOST: &str = "127.0.0.1:8787";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

fn send(app: &Router, request: Request<Body>) -> Answer {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let r = app.clone().oneshot(request).await.expect("an answer");
        let status = r.status();
        let headers = r.headers().clone();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX).await.expect("body").to_vec();
        Answer { status, headers, body }
    })
}

fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).header(header::HOST, HOST).body(Body::empty()).unwrap())
}

fn post(app: &Router, uri: &str, if_match: Option<&str>, body: String) -> Answer {
    let mut r = Request::post(uri).header(header::HOST, HOST).header(header::CONTENT_TYPE, "application/json");
    if let Some(m) = if_match {
        r = r.header(header::IF_MATCH, m);
    }
    send(app, r.body(Body::from(body)).unwrap())
}

fn local(root: impl Into<PathBuf>) -> Router {
    router(Config::local(root, 8787)).expect("router")
}

fn waku(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_waku")).args(args).output().expect("run waku")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-serve-api-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for e in std::fs::read_dir(from).expect("read folder") {
        let p = e.expect("entry").path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

/// A copy of `scenarios/` and `rules/` in a temporary folder (the rules found as in the repo);
/// the copy of `scenarios/`.
fn copy_scenarios(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    copy_tree(Path::new("rules"), &dir.join("rules"));
    copy_tree(Path::new("scenarios"), &dir.join("scenarios"));
    dir.join("scenarios")
}

#[test]
fn run_answers_the_bytes_of_waku_run_format_json() {
    let app = local("scenarios");
    let a = get(&app, "/api/run?scenario=kitakyushu-r8.toml");
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/json; charset=utf-8");
    let cli = waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json"]);
    assert_eq!(cli.status.code(), Some(0));
    assert!(a.body.len() > 100_000, "the whole allocation, every program");
    assert!(a.body == cli.stdout, "the API's JSON is byte for byte the CLI's");
    // With a `set`, as `--set`.
    let a = get(&app, "/api/run?scenario=kitakyushu-r8.toml&set=revenue.general_revenue%3D-3%25");
    let cli =
        waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json", "--set", "revenue.general_revenue=-3%"]);
    assert!(a.body == cli.stdout, "with --set too");
}

#[test]
fn a_foreign_host_is_refused_with_403() {
    let app = local("scenarios");
    let a =
        send(&app, Request::get("/api/scenarios").header(header::HOST, "evil.example").body(Body::empty()).unwrap());
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.json()["error"].as_str().unwrap().contains("evil.example"));
    // The page too, and the headers say what the page may load: nothing from elsewhere.
    let a = send(&app, Request::get("/").header(header::HOST, "evil.example:8787").body(Body::empty()).unwrap());
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = get(&app, "/");
    assert_eq!(a.status, StatusCode::OK);
    let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(String::from_utf8_lossy(&a.body).contains("予算編成ワークベンチ"));
    assert!(!String::from_utf8_lossy(&a.body).contains("http"), "no address outside the server in the page");
}

#[test]
fn listening_beyond_loopback_needs_the_token() {
    let token = "0123456789abcdef0123456789abcdef";
    let addr = "0.0.0.0:8787".parse().unwrap();
    let app = router(Config::listening("scenarios", addr, Some(token.into()))).unwrap();
    let a =
        send(&app, Request::get("/api/scenarios").header(header::HOST, "10.0.0.5:8787").body(Body::empty()).unwrap());
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.json()["error"].as_str().unwrap().contains("token"));
    let wrong = send(
        &app,
        Request::get("/api/scenarios")
            .header(header::HOST, "10.0.0.5:8787")
            .header(header::AUTHORIZATION, "Bearer 0123456789abcdef0123456789abcdee")
            .body(Body::empty())
            .unwrap(),
    );
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let a = send(
        &app,
        Request::get("/api/scenarios")
            .header(header::HOST, "10.0.0.5:8787")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    );
    assert_eq!(a.status, StatusCode::OK);
    // The address printed carries it once; the page's own requests then carry the cookie.
    let a = send(
        &app,
        Request::get(format!("/?token={token}")).header(header::HOST, "10.0.0.5:8787").body(Body::empty()).unwrap(),
    );
    assert_eq!(a.status, StatusCode::OK);
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with(&format!("waku_token={token};")) && cookie.contains("HttpOnly"), "{cookie}");
    let a = send(
        &app,
        Request::get("/api/scenarios")
            .header(header::HOST, "10.0.0.5:8787")
            .header(header::COOKIE, format!("waku_token={token}"))
            .body(Body::empty())
            .unwrap(),
    );
    assert_eq!(a.status, StatusCode::OK);
}

#[test]
fn a_path_outside_the_served_folder_is_refused_with_403() {
    let app = local("scenarios");
    for name in ["../Cargo.toml", "..%2FCargo.toml", "%2Fetc%2Fpasswd", "kitakyushu-r8-cycle/../../Cargo.toml"] {
        let a = get(&app, &format!("/api/run?scenario={name}"));
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{name}: {}", String::from_utf8_lossy(&a.body));
    }
    let a = get(&app, "/api/run?scenario=no-such.toml");
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // A link inside the folder that points out of it.
    #[cfg(unix)]
    {
        let dir = temp_dir("link");
        std::os::unix::fs::symlink(std::fs::canonicalize("Cargo.toml").unwrap(), dir.join("out.toml")).unwrap();
        let a = get(&local(&dir), "/api/run?scenario=out.toml");
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    }
}

#[test]
fn bad_input_is_400_with_the_file_line_and_column_of_the_cli() {
    let dir = temp_dir("bad");
    std::fs::write(
        dir.join("bad.toml"),
        "city = \"みほん市\"\nfiscal_year = 2026\n[revenue]\ngeneral_revenue = \"百億円\"\n",
    )
    .unwrap();
    let app = local(&dir);
    let a = get(&app, "/api/run?scenario=bad.toml");
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let j = a.json();
    let cli = waku(&["run", dir.join("bad.toml").to_str().unwrap(), "--format", "json"]);
    assert_eq!(cli.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&cli.stderr);
    let place = format!("{}:{}:{}", j["file"].as_str().unwrap(), j["line"], j["column"]);
    assert!(j["file"].as_str().unwrap().ends_with("bad.toml"), "{j}");
    assert_eq!(j["line"], 4, "{j}");
    assert!(stderr.contains(&place), "the CLI names the same place `{place}`:\n{stderr}");
    assert_eq!(j["rendered"].as_str().unwrap().trim_end(), stderr.trim_end(), "and says the same");
    // A bad `set` names it too; a bad format is refused before anything runs.
    let a = get(&local("scenarios"), "/api/run?scenario=kitakyushu-r8.toml&set=policy.reserve_min_sahre%3D0.02");
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["file"], "--set");
    let a = get(&local("scenarios"), "/api/run?scenario=kitakyushu-r8.toml&format=pdf");
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // A request body that is not JSON: line and column in it.
    let a = post(&local("scenarios"), "/api/decide", Some("\"x\""), "{\n  \"stage\": \"a.toml\",\n  oops\n}".into());
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let j = a.json();
    assert_eq!(
        (j["file"].as_str(), j["line"].as_u64(), j["column"].as_u64()),
        (Some("request body"), Some(3), Some(3))
    );
}

#[test]
fn decide_writes_the_stage_file_and_a_stale_version_gets_409() {
    let root = copy_scenarios("decide");
    let app = local(&root);
    let stage = "kitakyushu-r8-cycle/02-finance.toml";
    let file = root.join(stage);
    let stages = get(&app, "/api/stages").json();
    let entry =
        stages["stages"].as_array().unwrap().iter().find(|s| s["name"] == stage).expect("the stage listed").clone();
    assert_eq!(entry["stage"], "財政課査定");
    let etag = entry["etag"].as_str().unwrap().to_string();
    let before = std::fs::read(&file).unwrap();
    let body = serde_json::json!({
        "stage": stage, "program": "延長保育事業", "amount": "9.5億円", "disposition": "②",
        "reason": "延長保育の利用実績（前年度比1%増）で精査", "author": "財政課 予算係 山本", "date": "2026-01-17",
    })
    .to_string();
    // Without a version, and with a stale one: refused, nothing written.
    let a = post(&app, "/api/decide", None, body.clone());
    assert_eq!(a.status, StatusCode::PRECONDITION_REQUIRED);
    let a = post(&app, "/api/decide", Some("\"0000000000000000-1\""), body.clone());
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&a.body));
    assert!(a.json()["error"].as_str().unwrap().contains("nothing was written"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // With the version: written as `waku decide` writes it.
    let a = post(&app, "/api/decide", Some(&etag), body.clone());
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.body));
    let j = a.json();
    assert!(j["summary"].as_str().unwrap().starts_with("decided `K0240` 延長保育事業 in "), "{j}");
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.contains("program = \"K0240\"   # 延長保育事業\namount = \"9.5億円\"\ndisposition = \"②\"\nreason = \"延長保育の利用実績（前年度比1%増）で精査\"\n"), "{after}");
    assert_eq!(a.headers[header::ETAG], j["etag"].as_str().unwrap());
    assert_ne!(j["etag"].as_str().unwrap(), etag);
    // The same version again is now stale: the second writer is refused and the first one's decision kept.
    let a = post(&app, "/api/decide", Some(&etag), body.replace("9.5億円", "9億円"));
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    // The next run reflects it.
    let run = get(&app, &format!("/api/run?scenario={stage}")).json();
    let k = run["programs"].as_array().unwrap().iter().find(|p| p["id"] == "K0240").unwrap().clone();
    assert_eq!(k["allocated"], "950000000");
}

#[test]
fn an_oversized_body_gets_413() {
    let app = local("scenarios");
    let reason = "あ".repeat(40_000);
    let body =
        serde_json::json!({ "stage": "x.toml", "program": "K0001", "disposition": "②", "reason": reason }).to_string();
    let a = post(&app, "/api/decide", Some("\"x\""), body);
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.json()["error"].as_str().unwrap().contains("too large"));
}

#[test]
fn a_what_if_reuses_the_review_and_allocates_as_a_full_run() {
    let app = local("scenarios");
    let w = get(&app, "/api/whatif?scenario=kitakyushu-r8.toml&set=revenue.general_revenue%3D-3%25").json();
    assert_eq!(w["feasible"], true, "{w}");
    assert_eq!(w["review_reused"], true, "revenue is not read by the review");
    let cli =
        waku(&["run", "scenarios/kitakyushu-r8.toml", "--format", "json", "--set", "revenue.general_revenue=-3%"]);
    let full: Value = serde_json::from_slice(&cli.stdout).unwrap();
    for key in ["available", "reserve", "general_revenue", "total_allocated"] {
        assert_eq!(w["allocation"][key], full[key], "{key}");
    }
    assert_eq!(w["allocation"]["envelopes"], full["envelopes"]);
    assert_eq!(w["allocation"]["programs"], full["programs"]);
    // The diff against the scenario: revenue 3% down, reconciled to the yen.
    let d = &w["diff"];
    let revenue = d["figures"].as_array().unwrap().iter().find(|f| f["figure"] == "general_revenue").unwrap();
    assert_eq!(revenue["change"], "-13056000000", "3% of 4,352億円");
    assert!(d["reconciliation"]["identities"].as_array().unwrap().iter().all(|i| i["holds"] == true));
    assert!(!d["envelopes"].as_array().unwrap().is_empty());
    // A key the review reads: reviewed again.
    let w = get(&app, "/api/whatif?scenario=kitakyushu-r8.toml&set=programs.K0002.requested%3D-10%25").json();
    assert_eq!(w["review_reused"], false, "{w}");
    assert_eq!(w["feasible"], true);
}

#[test]
fn a_saved_what_if_is_an_overlay_the_cli_reads() {
    let root = copy_scenarios("overlay");
    let app = local(&root);
    let set = serde_json::json!({ "scenario": "kitakyushu-r8.toml", "name": "down3.toml", "set": ["revenue.general_revenue=-3%"] });
    let a = post(&app, "/api/overlay", None, set.to_string());
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.body));
    let text = std::fs::read_to_string(root.join("down3.toml")).unwrap();
    assert!(text.contains("extends = \"kitakyushu-r8.toml\""), "{text}");
    let overlay = waku(&["run", root.join("down3.toml").to_str().unwrap(), "--format", "json"]);
    let with_set = waku(&[
        "run",
        root.join("kitakyushu-r8.toml").to_str().unwrap(),
        "--format",
        "json",
        "--set",
        "revenue.general_revenue=-3%",
    ]);
    let (o, s): (Value, Value) =
        (serde_json::from_slice(&overlay.stdout).unwrap(), serde_json::from_slice(&with_set.stdout).unwrap());
    assert_eq!(o["reserve"], s["reserve"]);
    assert_eq!(o["envelopes"], s["envelopes"]);
    // Saving over it needs its version.
    let a = post(&app, "/api/overlay", None, set.to_string());
    assert_eq!(a.status, StatusCode::CONFLICT);
    let etag = a.json()["etag"].as_str().unwrap().to_string();
    let a = post(&app, "/api/overlay", Some(&etag), set.to_string());
    assert_eq!(a.status, StatusCode::OK);
}

#[test]
fn the_openapi_document_lists_every_endpoint() {
    let a = get(&local("scenarios"), "/api/openapi.json");
    assert_eq!(a.status, StatusCode::OK);
    let j = a.json();
    for p in [
        "/api/run",
        "/api/review",
        "/api/explain",
        "/api/diff",
        "/api/whatif",
        "/api/stages",
        "/api/decide",
        "/api/overlay",
    ] {
        assert!(j["paths"].get(p).is_some(), "{p}");
    }
    let a = get(&local("scenarios"), "/api/nothing");
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[test]
fn explain_and_diff_are_the_clis_words() {
    let app = local("scenarios");
    let a = get(&app, "/api/explain?scenario=kitakyushu-r8.toml&subject=K0407");
    assert_eq!(a.status, StatusCode::OK, "{}", String::from_utf8_lossy(&a.body));
    let cli = waku(&["explain", "scenarios/kitakyushu-r8.toml", "K0407", "--format", "table", "--lang", "ja"]);
    assert!(a.body == cli.stdout);
    let a = get(&app, "/api/diff?base=kitakyushu-r8.toml&variant=kitakyushu-r8-revenue-down.toml");
    assert_eq!(a.status, StatusCode::OK);
    let cli = waku(&[
        "diff",
        "scenarios/kitakyushu-r8.toml",
        "scenarios/kitakyushu-r8-revenue-down.toml",
        "--format",
        "json",
        "--lang",
        "ja",
    ]);
    assert!(a.body == cli.stdout);
}
