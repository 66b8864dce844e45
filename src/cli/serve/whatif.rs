//! The what-if panel's fast path, and saving a what-if as an overlay TOML.
//!
//! The server keeps, per single-year scenario, its loaded scenario, review and allocation (the
//! base), checked against the files' modification times on every use. A what-if loads the
//! variant (the scenario with the keys set) and, when the review reads none of the keys set,
//! allocates it on the base's review: the six findings and the assessment are not computed again.
//! Which keys are the allocation's alone is [`pipeline::reads`] (the library's warm sessions,
//! [`pipeline::Session`], decide by it too): revenue, fund, bonds, policy, the fiscal section, a
//! bureau's limits, a proposal's decision. A stage of the budget cycle, or a key the review reads,
//! runs the whole pipeline.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::Server;
use super::api::{ApiError, etag};
use crate::allocate::Allocation;
use crate::diagnostic::{Diagnostic, Source};
use crate::pipeline::{self, Stage, YearOutcome};
use crate::review::Review;
use crate::scenario::{LoadOptions, Scenario, SetValue};
use crate::whatif::diff;
use crate::{Error, Result};

/// A scenario as loaded, reviewed and allocated, and the files it was made from.
pub(crate) struct Base {
    stamp: Vec<(PathBuf, Option<SystemTime>, u64)>,
    rules_dir: PathBuf,
    scenario: Scenario,
    review: Review,
    allocation: Allocation,
}

impl Base {
    fn year(&self) -> YearOutcome<'_> {
        YearOutcome { scenario: &self.scenario, review: &self.review, allocation: Ok(&self.allocation), stage: None }
    }
}

/// The modification time and size of every file under the scenario's folder (where its `extends`,
/// inventory and cluster files are) and the rules folder.
fn stamp(folder: &Path, rules: &Path) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, Option<SystemTime>, u64)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() && depth < 6 && !super::api::skipped(&e.path()) {
                walk(&e.path(), depth + 1, out);
            } else if meta.is_file() {
                out.push((e.path(), meta.modified().ok(), meta.len()));
            }
        }
    }
    let mut out = Vec::new();
    walk(folder, 0, &mut out);
    walk(rules, 0, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The pipeline's options for a what-if: the keys set, the fast paths the environment leaves on.
fn options(set: Vec<String>) -> pipeline::Options {
    let load = LoadOptions { set, ..LoadOptions::default() };
    pipeline::Options { load, stage: Stage::Allocate, ..pipeline::Options::default() }
        .with_fast(super::super::fast_paths())
}

impl Server {
    /// The base of a single-year scenario that is no stage: cached while its files are unchanged.
    /// `None` for a stage or a plan.
    fn base(&self, path: &Path) -> Result<Option<Arc<Base>>> {
        let cached = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(path).cloned();
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if let Some(b) = cached.filter(|b| b.stamp == stamp(folder, &b.rules_dir)) {
            return Ok(Some(b));
        }
        let options = options(Vec::new());
        let input = pipeline::load(path, &options.load)?;
        let Some(sc) = input.scenario().filter(|s| s.cycle.is_none()) else { return Ok(None) };
        let rules_dir = sc.rules_dir.clone();
        let stamp = stamp(folder, &rules_dir);
        let outcome = pipeline::run(input, &options)?;
        let year = outcome.year().ok_or_else(|| Error::internal("a what-if's base ran no single year"))?;
        let allocation = year.allocation.map_err(|d| {
            Error::Infeasible(Box::new(
                d.clone().note(format!("in `{}`: the what-if has no base to compare with", Source::display_path(path))),
            ))
        })?;
        let base = Arc::new(Base {
            stamp,
            rules_dir,
            scenario: year.scenario.clone(),
            review: year.review.clone(),
            allocation: allocation.clone(),
        });
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_path_buf(), Arc::clone(&base));
        Ok(Some(base))
    }
}

/// A what-if: the variant's allocation and its diff against the scenario, as JSON; infeasible
/// limits as `feasible: false` with the diagnosis.
pub(crate) fn run(server: &Server, path: &Path, name: &str, set: Vec<String>) -> Result<Value> {
    let started = Instant::now();
    let base = server.base(path)?;
    let reuse = base.is_some() && set.iter().all(|s| pipeline::reads(s) == pipeline::Reads::Allocation);
    let opts = options(set.clone());
    let variant = pipeline::load_year(path, &opts.load)?;
    let (d, allocation) = match base {
        Some(base) if reuse => {
            let sc = variant.scenario().ok_or_else(|| Error::internal("a what-if loaded no single year"))?;
            let o = match pipeline::allocate_year(sc, &base.review, &opts.allocate) {
                Ok(o) => o,
                Err(Error::Infeasible(d)) => return Ok(infeasible(name, &set, reuse, started, &d)),
                Err(e) => return Err(e),
            };
            let a = o.allocations.first().ok_or_else(|| Error::internal("a what-if was allocated no year"))?;
            let y = YearOutcome { scenario: sc, review: &base.review, allocation: Ok(a), stage: None };
            (diff::diff(&base.year(), &base.allocation, &y, a), serde_json::to_value(a))
        }
        _ => {
            let plain = options(Vec::new());
            let b = pipeline::run(pipeline::load_year(path, &plain.load)?, &plain)?;
            let v = pipeline::run(variant, &opts)?;
            let (x, y) = (year(&b, "base")?, year(&v, "variant")?);
            let (Ok(a), Ok(c)) = (x.allocation, y.allocation) else {
                let d = y
                    .allocation
                    .err()
                    .or(x.allocation.err())
                    .cloned()
                    .unwrap_or_else(|| Diagnostic::error("infeasible"));
                return Ok(infeasible(name, &set, reuse, started, &d));
            };
            (diff::diff(&x, a, &y, c), serde_json::to_value(c))
        }
    };
    let allocation =
        allocation.map_err(|e| Error::internal(format!("the allocation could not be written as JSON: {e}")))?;
    Ok(json!({
        "scenario": name,
        "set": set,
        "review_reused": reuse,
        "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
        "feasible": true,
        "allocation": allocation,
        "diff": d,
    }))
}

fn year<'a>(o: &'a pipeline::Outcome, which: &str) -> Result<YearOutcome<'a>> {
    o.year().ok_or_else(|| Error::internal(format!("the what-if's {which} ran no single year")))
}

fn infeasible(name: &str, set: &[String], reuse: bool, started: Instant, d: &Diagnostic) -> Value {
    json!({
        "scenario": name,
        "set": set,
        "review_reused": reuse,
        "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
        "feasible": false,
        "reason": super::api::diagnostic_json(d),
    })
}

/// Writes the what-if `set` on `base` as the overlay `file_name` beside it: `extends` and each
/// key's value after the change (a relative change such as `-3%` written as the amount it gives),
/// checked by loading it before anything is written. An existing file is overwritten only with
/// its current version in `if_match` (409 otherwise). Returns the overlay's name and version.
pub(crate) fn save_overlay(
    server: &Server,
    base: &Path,
    file_name: &str,
    set: &[String],
    if_match: Option<&str>,
) -> std::result::Result<(String, String), ApiError> {
    let plain = !file_name.is_empty()
        && file_name.ends_with(".toml")
        && !file_name.starts_with('.')
        && file_name.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if !plain {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("`{file_name}` is not a file name for an overlay"),
            "name it like `revenue-down.toml`: letters, digits, `-`, `_`, ending in `.toml`".into(),
        ));
    }
    let dir = base.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let target = dir.join(file_name);
    if target.file_name() == base.file_name() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "a what-if is saved beside its scenario, not over it".into(),
            "give the overlay another name".into(),
        ));
    }
    if set.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the what-if sets nothing".into(),
            "change a value in the what-if panel first".into(),
        ));
    }
    let loaded = pipeline::load_year(base, &options(set.to_vec()).load)?;
    let sc = loaded.scenario().ok_or_else(|| Error::internal("an overlay's base is no single year"))?;
    let extends = base.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let mut doc = toml_edit::DocumentMut::new();
    doc.decor_mut().set_prefix(format!(
        "# A what-if saved by `waku serve`: `{}` with {}.\n",
        extends,
        set.iter().map(|s| format!("--set {s}")).collect::<Vec<_>>().join(" ")
    ));
    doc["extends"] = toml_edit::value(extends.clone());
    for o in &sc.overrides {
        let key = o.set.split_once('=').map_or(o.set.as_str(), |(k, _)| k).trim();
        let Some(after) = o.after else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("`{key}` holds no amount or number: it cannot be saved in an overlay"),
                "save amounts, shares and caps (revenue, reserve, caps, a bureau's floor or ceiling)".into(),
            ));
        };
        let value = match after {
            SetValue::Money(m) => toml_edit::value(m.to_string()),
            SetValue::Number(n) => toml_edit::value(n.normalize().to_string()),
        };
        match key.split('.').collect::<Vec<_>>().as_slice() {
            [section, field] => {
                if doc.get(section).is_none() {
                    doc[*section] = toml_edit::table();
                }
                doc[*section][*field] = value;
            }
            [list @ ("departments" | "programs"), id, field] => {
                let tables = doc[*list].or_insert(toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
                let Some(tables) = tables.as_array_of_tables_mut() else { continue };
                let at = tables.iter().position(|t| t.get("id").and_then(|v| v.as_str()) == Some(*id));
                let i = at.unwrap_or_else(|| {
                    let mut t = toml_edit::Table::new();
                    t["id"] = toml_edit::value(*id);
                    tables.push(t);
                    tables.len() - 1
                });
                if let Some(t) = tables.get_mut(i) {
                    t[*field] = value;
                }
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("`{key}` cannot be saved in an overlay"),
                    "save keys such as `revenue.general_revenue` or `departments.ID.floor`".into(),
                ));
            }
        }
    }
    let text = doc.to_string();
    // The overlay is read back as the CLI will read it before it is written.
    pipeline::load_str(&target.to_string_lossy(), &text, &LoadOptions::default())?;
    if target.exists() {
        let now = super::api::file_etag(&target)?;
        if if_match != Some(now.as_str()) {
            let mut e = ApiError::new(
                StatusCode::CONFLICT,
                format!("`{}` exists and changed since you loaded it: nothing was written", server.name_of(&target)),
                "send `If-Match` with its current `etag` to overwrite it, or choose another name".into(),
            );
            e.body["etag"] = json!(now);
            return Err(e);
        }
    }
    crate::report::write_atomic(&target, text.as_bytes())?;
    Ok((server.name_of(&target), etag(text.as_bytes())))
}
