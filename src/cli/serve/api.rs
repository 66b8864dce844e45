//! The JSON API under `/api` (documented in `openapi.json`, served at `/api/openapi.json`).
//!
//! `run`, `review`, `explain`, `diff` and `decide` run the CLI's own commands in-process, so an
//! answer is byte for byte what the command prints; an error is the command's, as JSON with its
//! file, line and column. `whatif` is the fast path of the what-if panel ([`super::whatif`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Server, Shared, whatif};
use crate::diagnostic::{Diagnostic, Source};
use crate::{Error, Result};

/// The OpenAPI document of this API.
pub(super) const OPENAPI: &str = include_str!("openapi.json");

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/openapi.json", get(|| async { json_bytes(StatusCode::OK, OPENAPI.as_bytes().to_vec()) }))
        .route("/api/scenarios", get(scenarios))
        .route("/api/run", get(run))
        .route("/api/review", get(review))
        .route("/api/explain", get(explain))
        .route("/api/diff", get(diff))
        .route("/api/whatif", get(what_if))
        .route("/api/stages", get(stages))
        .route("/api/decide", post(decide))
        .route("/api/overlay", post(overlay))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "no such page".into(), "the API is listed at /api/openapi.json".into())
        })
}

/// An answer other than 200: its status and a JSON body with the message, and for an input error
/// the file, line and column of each diagnostic, as the CLI prints them.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: String, hint: String) -> ApiError {
        ApiError { status, body: json!({ "status": status.as_u16(), "error": message, "hint": hint }) }
    }

    fn bad_request(message: String, hint: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message, hint.to_string())
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let (status, kind, ds): (StatusCode, &str, Vec<&Diagnostic>) = match &e {
            Error::Input(ds) => (StatusCode::BAD_REQUEST, "input", ds.iter().collect()),
            Error::Infeasible(d) => (StatusCode::UNPROCESSABLE_ENTITY, "infeasible", vec![&**d]),
            Error::ChecksFailed(_) => (StatusCode::UNPROCESSABLE_ENTITY, "checks_failed", Vec::new()),
            Error::Io(d) => (StatusCode::INTERNAL_SERVER_ERROR, "io", vec![&**d]),
            Error::Internal(d) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", vec![&**d]),
        };
        let diagnostics: Vec<Value> = ds.iter().map(|d| diagnostic_json(d)).collect();
        let first = diagnostics.first().cloned().unwrap_or(Value::Null);
        let mut body = json!({
            "status": status.as_u16(),
            "kind": kind,
            "error": first.get("message").cloned().unwrap_or_else(|| Value::String(e.to_string())),
            "diagnostics": diagnostics,
            "rendered": e.to_string(),
        });
        for key in ["file", "line", "column", "text", "hint"] {
            if let Some(v) = first.get(key) {
                body[key] = v.clone();
            }
        }
        ApiError { status, body }
    }
}

/// A diagnostic as JSON: message, file, line and column (1-based, as the CLI prints them), the
/// offending text, notes and hint.
pub(crate) fn diagnostic_json(d: &Diagnostic) -> Value {
    let mut v =
        json!({ "severity": format!("{:?}", d.severity).to_lowercase(), "message": d.message, "notes": d.notes });
    if let Some(h) = &d.hint {
        v["hint"] = json!(h);
    }
    if let Some(loc) = &d.location {
        let (line, column) = loc.source.line_col(loc.span.start);
        let text = &loc.source.text;
        let span = loc.span.start.min(text.len())..loc.span.end.min(text.len());
        v["file"] = json!(loc.source.name);
        v["line"] = json!(line);
        v["column"] = json!(column);
        v["text"] = json!(text.get(span).unwrap_or(""));
        v["source_line"] = json!(text.lines().nth(line - 1).unwrap_or(""));
        if let Some(place) = d.place() {
            v["place"] = json!(place);
        }
    }
    v
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut bytes = serde_json::to_vec_pretty(&self.body).unwrap_or_default();
        bytes.push(b'\n');
        json_bytes(self.status, bytes)
    }
}

fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"))], bytes)
        .into_response()
}

type Answer = std::result::Result<Response, ApiError>;

/// A query string's pairs; a key may repeat (`set=…&set=…`).
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: Option<String>) -> std::result::Result<Query, ApiError> {
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map(Query).map_err(|e| {
            ApiError::bad_request(format!("the query string cannot be read: {e}"), "write it as key=value&…")
        })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn required(&self, key: &str) -> std::result::Result<&str, ApiError> {
        self.get(key).ok_or_else(|| {
            ApiError::bad_request(
                format!("`{key}` is missing from the query"),
                "see /api/openapi.json for the parameters",
            )
        })
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    /// One of `allowed`, or the first when absent.
    fn choice(&self, key: &str, allowed: &[&'static str]) -> std::result::Result<&'static str, ApiError> {
        match self.get(key) {
            None => Ok(allowed[0]),
            Some(v) => allowed.iter().find(|a| **a == v).copied().ok_or_else(|| {
                ApiError::bad_request(
                    format!("`{key}={v}` is not one of {}", allowed.join(", ")),
                    "see /api/openapi.json for the values",
                )
            }),
        }
    }
}

/// Runs `f` off the async workers, within the server's time limit (503 beyond it).
pub(super) async fn blocking<T: Send + 'static>(
    server: &Shared,
    f: impl FnOnce() -> std::result::Result<T, ApiError> + Send + 'static,
) -> std::result::Result<T, ApiError> {
    let limit = server.config.timeout;
    match tokio::time::timeout(limit, tokio::task::spawn_blocking(f)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(Error::internal(format!("a request stopped unexpectedly: {e}")).into()),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request took longer than {} s", limit.as_secs()),
            "try a smaller change, or run the command in a terminal".into(),
        )),
    }
}

/// What a command wrote on standard output, and whether it ended with exit 1 for failed checks
/// (a plan's path limits: the output is written all the same).
pub(super) struct CliOutput {
    pub stdout: Vec<u8>,
    pub checks_failed: bool,
}

/// Runs `waku ARGS…` in-process, as the binary does: the command's own output, or its error.
pub(super) fn cli(args: Vec<OsString>) -> Result<CliOutput> {
    let parsed = <super::super::Cli as clap::Parser>::try_parse_from(args)
        .map_err(|e| Error::input(Diagnostic::error(e.render().to_string().trim().to_string())))?;
    let (mut stdout, mut stderr, mut leave) = (Vec::new(), Vec::new(), Vec::new());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        super::super::dispatch(parsed.command, &mut stdout, &mut stderr, &mut leave)
    }))
    .unwrap_or_else(|_| Err(Error::internal("waku stopped unexpectedly while answering a request")));
    match result {
        Ok(()) => Ok(CliOutput { stdout, checks_failed: false }),
        Err(Error::ChecksFailed(_)) => Ok(CliOutput { stdout, checks_failed: true }),
        Err(e) => Err(e),
    }
}

fn arg(s: impl Into<OsString>) -> OsString {
    s.into()
}

/// The `--set` arguments of a query.
fn sets(q: &Query) -> Vec<OsString> {
    q.all("set").into_iter().flat_map(|s| [arg("--set"), arg(s)]).collect()
}

/// The bytes of a report with its content type; a download (`download=1`, and always the HTML
/// report and the spreadsheets) as an attachment named after the scenario.
fn report(out: CliOutput, format: &str, path: &Path, download: bool) -> Response {
    let (ctype, ext) = match format {
        "json" => ("application/json; charset=utf-8", "json"),
        "html" => ("text/html; charset=utf-8", "html"),
        "markdown" => ("text/markdown; charset=utf-8", "md"),
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "xlsx" => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        _ => ("text/plain; charset=utf-8", "txt"),
    };
    let mut r = (StatusCode::OK, out.stdout).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if download || matches!(format, "html" | "csv" | "xlsx") {
        let stem: String = path
            .file_stem()
            .map(|s| s.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect())
            .unwrap_or_default();
        let stem = if stem.is_empty() { "waku".to_string() } else { stem };
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{stem}.{ext}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    if out.checks_failed {
        h.insert("x-waku-exit", HeaderValue::from_static("1"));
    }
    r
}

/// `GET /api/run?scenario=NAME[&set=KEY=VALUE…][&format=json|html|markdown|csv|xlsx|table]`.
async fn run(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Answer {
    let q = Query::parse(raw)?;
    let path = s.resolve(q.required("scenario")?)?;
    let format = q.choice("format", &["json", "html", "markdown", "csv", "xlsx", "table"])?;
    let download = q.get("download").is_some_and(|d| d == "1");
    let mut args = vec![arg("waku"), arg("run"), arg(&path), arg("--format"), arg(format)];
    args.extend(sets(&q));
    let shown = path.clone();
    let out = blocking(&s, move || {
        if format != "xlsx" {
            return cli(args).map_err(ApiError::from);
        }
        // The workbook is binary: written to a file of a temporary folder, then read.
        let dir = tempfile::tempdir().map_err(|e| Error::io("cannot make a temporary folder", &e))?;
        let file = dir.path().join("report.xlsx");
        args.extend([arg("--out"), arg(&file)]);
        let mut out = cli(args)?;
        out.stdout = std::fs::read(&file).map_err(|e| Error::io("cannot read the workbook written", &e))?;
        Ok(out)
    })
    .await?;
    Ok(report(out, format, &shown, download))
}

/// `GET /api/review?scenario=NAME[&set=…]`: `waku review NAME --format json`.
async fn review(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Answer {
    let q = Query::parse(raw)?;
    let path = s.resolve(q.required("scenario")?)?;
    let mut args = vec![arg("waku"), arg("review"), arg(&path), arg("--format"), arg("json")];
    args.extend(sets(&q));
    let out = blocking(&s, move || cli(args).map_err(ApiError::from)).await?;
    Ok(report(out, "json", &path, false))
}

/// `GET /api/explain?scenario=NAME&subject=ID_OR_NAME[&format=table|markdown|html][&lang=ja|en]`:
/// `waku explain`, and on a stage `format=html` gives the program's 査定調書.
async fn explain(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Answer {
    let q = Query::parse(raw)?;
    let path = s.resolve(q.required("scenario")?)?;
    let subject = q.required("subject")?.to_string();
    let format = q.choice("format", &["table", "markdown", "html"])?;
    let lang = q.choice("lang", &["ja", "en"])?;
    let download = q.get("download").is_some_and(|d| d == "1");
    let mut args = vec![arg("waku"), arg("explain"), arg(&path), arg(subject), arg("--format"), arg(format)];
    args.extend([arg("--lang"), arg(lang)]);
    args.extend(sets(&q));
    let out = blocking(&s, move || cli(args).map_err(ApiError::from)).await?;
    Ok(report(out, format, &path, download))
}

/// `GET /api/diff?base=NAME&variant=NAME[&format=json|markdown|table]`: `waku diff --lang ja`.
async fn diff(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Answer {
    let q = Query::parse(raw)?;
    let base = s.resolve(q.required("base")?)?;
    let variant = s.resolve(q.required("variant")?)?;
    let format = q.choice("format", &["json", "markdown", "table"])?;
    let args = vec![arg("waku"), arg("diff"), arg(&base), arg(&variant), arg("--format"), arg(format), arg("--lang")];
    let args = [args, vec![arg("ja")]].concat();
    let out = blocking(&s, move || cli(args).map_err(ApiError::from)).await?;
    Ok(report(out, format, &variant, false))
}

/// `GET /api/whatif?scenario=NAME&set=KEY=VALUE…`: the variant's allocation and its diff against
/// the scenario, re-solving only the allocation when the review does not read a key set.
async fn what_if(State(s): State<Shared>, RawQuery(raw): RawQuery) -> Answer {
    let q = Query::parse(raw)?;
    let name = q.required("scenario")?.to_string();
    let path = s.resolve(&name)?;
    let set = q.all("set");
    let server = Arc::clone(&s);
    let v = blocking(&s, move || whatif::run(&server, &path, &name, set).map_err(ApiError::from)).await?;
    Ok(json_value(&v))
}

fn json_value(v: &Value) -> Response {
    let mut bytes = serde_json::to_vec(v).unwrap_or_default();
    bytes.push(b'\n');
    json_bytes(StatusCode::OK, bytes)
}

/// The `.toml` files under the served folder (four folders deep at most), sorted, with what each
/// is: a scenario, a plan or a stage of a budget cycle (rule folders and other TOML left out).
fn toml_files(server: &Server) -> Vec<(PathBuf, &'static str, toml::Table)> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() && depth < 4 && !skipped(&p) {
                walk(&p, depth + 1, out);
            } else if t.is_file() && p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&server.config.root, 0, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            if meta.len() > 4 * 1024 * 1024 {
                return None;
            }
            let table: toml::Table = std::fs::read_to_string(&p).ok()?.parse().ok()?;
            let kind = if table.contains_key("stage") {
                "stage"
            } else if table.contains_key("plan") {
                "plan"
            } else if ["city", "extends", "fiscal_year", "inventory"].iter().any(|k| table.contains_key(*k)) {
                "scenario"
            } else {
                return None;
            };
            Some((p, kind, table))
        })
        .collect()
}

/// Folders not searched for scenarios: hidden ones (`.git`), cargo's `target`, `node_modules`.
pub(super) fn skipped(dir: &Path) -> bool {
    dir.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.') || n == "target" || n == "node_modules")
}

/// `GET /api/scenarios`: every scenario, plan and stage served.
async fn scenarios(State(s): State<Shared>) -> Answer {
    let server = Arc::clone(&s);
    let list = blocking(&s, move || {
        Ok(toml_files(&server)
            .into_iter()
            .map(|(p, kind, t)| {
                let title = t.get("name").and_then(|n| n.as_str()).unwrap_or("").to_string();
                json!({ "name": server.name_of(&p), "kind": kind, "title": title })
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(json_value(&json!({ "scenarios": list })))
}

/// A file's version for `ETag` / `If-Match`: a hash of its bytes.
pub(super) fn etag(bytes: &[u8]) -> String {
    // FNV-1a, 64 bits: stable across builds and runs (the standard hasher's keys are not promised).
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    format!("\"{h:016x}-{}\"", bytes.len())
}

pub(super) fn file_etag(path: &Path) -> Result<String> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format_args!("cannot read `{}`", Source::display_path(path)), &e))?;
    Ok(etag(&bytes))
}

/// `GET /api/stages`: the stage files of the budget cycles served, with their version (`etag`),
/// name, kind and the dispositions a decision may give.
async fn stages(State(s): State<Shared>) -> Answer {
    let server = Arc::clone(&s);
    let list = blocking(&s, move || {
        let mut out = Vec::new();
        for (p, kind, t) in toml_files(&server) {
            if kind != "stage" {
                continue;
            }
            let stage = t.get("stage").and_then(|v| v.as_table());
            let field = |k: &str| stage.and_then(|s| s.get(k)).and_then(|v| v.as_str()).unwrap_or("").to_string();
            out.push(json!({
                "name": server.name_of(&p),
                "stage": field("name"),
                "kind": field("kind"),
                "etag": file_etag(&p)?,
            }));
        }
        Ok(out)
    })
    .await?;
    Ok(json_value(&json!({ "stages": list })))
}

/// A request body as JSON: 413 beyond the size limit, 400 with line and column when it is not
/// the JSON expected.
fn body_json<T: serde::de::DeserializeOwned>(
    body: std::result::Result<Bytes, BytesRejection>,
) -> std::result::Result<T, ApiError> {
    let bytes = body.map_err(|r| {
        let status = r.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the request body is too large".to_string()
        } else {
            format!("the request body cannot be read: {}", r.body_text())
        };
        ApiError::new(status, message, "send a JSON object of a few kilobytes".into())
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let mut err =
            ApiError::bad_request(format!("the request body is not the JSON expected: {e}"), "see /api/openapi.json");
        err.body["file"] = json!("request body");
        err.body["line"] = json!(e.line());
        err.body["column"] = json!(e.column());
        err
    })
}

/// A written file's answer: `v` as JSON, its new version in `ETag`.
fn with_etag(v: Value, etag: &str) -> Response {
    let mut r = json_value(&v);
    if let Ok(h) = HeaderValue::from_str(etag) {
        r.headers_mut().insert(header::ETAG, h);
    }
    r
}

/// The version the client saw (`If-Match`), required for a write.
fn if_match(headers: &HeaderMap) -> Option<String> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_string())
}

fn stale(name: &str, given: &str, now: &str) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::CONFLICT,
        format!("`{name}` changed since you loaded it: nothing was written"),
        "reload the stage to see the change, then decide again".into(),
    );
    e.body["if_match"] = json!(given);
    e.body["etag"] = json!(now);
    e
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBody {
    stage: String,
    program: String,
    amount: Option<String>,
    min: Option<String>,
    max: Option<String>,
    disposition: String,
    reason: String,
    author: Option<String>,
    date: Option<String>,
}

/// `POST /api/decide` with `If-Match`: `waku decide` on a stage file, refused with 409 when the
/// file changed since the version the client holds.
async fn decide(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Answer {
    let b: DecideBody = body_json(body)?;
    let path = s.resolve(&b.stage)?;
    let Some(given) = if_match(&headers) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            format!("a decision on `{}` needs the version of the stage file it was made on", b.stage),
            "send `If-Match` with the `etag` of /api/stages".into(),
        ));
    };
    let mut args = vec![arg("waku"), arg("decide"), arg(&path), arg(&b.program)];
    for (flag, v) in
        [("--amount", &b.amount), ("--min", &b.min), ("--max", &b.max), ("--author", &b.author), ("--date", &b.date)]
    {
        if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
            args.extend([arg(flag), arg(v.trim())]);
        }
    }
    args.extend([arg("--disposition"), arg(&b.disposition), arg("--reason"), arg(&b.reason)]);
    let server = Arc::clone(&s);
    let (summary, now) = blocking(&s, move || {
        let _one_write = server.writes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = file_etag(&path)?;
        if before != given {
            return Err(stale(&b.stage, &given, &before));
        }
        let out = cli(args)?;
        Ok((String::from_utf8_lossy(&out.stdout).into_owned(), file_etag(&path)?))
    })
    .await?;
    Ok(with_etag(json!({ "summary": summary, "etag": now }), &now))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverlayBody {
    /// The scenario the what-if changes.
    scenario: String,
    /// The overlay's file name, beside the scenario (`*.toml`).
    name: String,
    set: Vec<String>,
}

/// `POST /api/overlay`: saves a what-if as an overlay TOML beside its scenario (`extends` and the
/// values set), which `waku run` reads. Overwriting an overlay needs its `If-Match` (409 if stale).
async fn overlay(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Answer {
    let b: OverlayBody = body_json(body)?;
    let base = s.resolve(&b.scenario)?;
    let given = if_match(&headers);
    let server = Arc::clone(&s);
    let (name, now) = blocking(&s, move || {
        let _one_write = server.writes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        whatif::save_overlay(&server, &base, &b.name, &b.set, given.as_deref())
    })
    .await?;
    Ok(with_etag(json!({ "saved": name, "etag": now }), &now))
}
