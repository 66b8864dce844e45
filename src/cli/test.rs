//! `waku test`: run declarative test files and print a diff for each expectation that does not hold.
//!
//! A path may be a file or a folder (every `*.toml` below it, in name order). A file is either
//! a rule-case file (`[[case]]`, see `waku::review::cases`) or a scenario, whose `[[expect]]`
//! entries are checked against its outcome (see `waku::whatif::expect`); [`run_path`] tells
//! them apart, and both report as [`CaseResult`]s.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::write_out;
use crate::diagnostic::Source;
use crate::review::cases::{self, CaseResult, Mismatch};
use crate::{Diagnostic, Error, Result};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rule-test files, scenarios, or folders of either (default: `rules/tests`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

pub fn run(args: &TestArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let paths = if args.paths.is_empty() { vec![PathBuf::from("rules/tests")] } else { args.paths.clone() };
    let mut files = Vec::new();
    for p in &paths {
        collect(p, &mut files)?;
    }
    if files.is_empty() {
        return Err(Error::input(Diagnostic::error(format!(
            "no test files (`*.toml`) under {}",
            paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        ))));
    }
    let mut results = Vec::new();
    for f in &files {
        results.extend(run_path(f)?);
    }
    for line in results.iter().flat_map(|r| &r.printed) {
        let _ = writeln!(err, "{line}");
    }
    let failed: Vec<&CaseResult> = results.iter().filter(|r| !r.passed()).collect();
    let mut text = String::new();
    for r in &failed {
        text.push_str(&r.render_failure());
        text.push('\n');
    }
    let summary = format!("{} passed, {} failed", results.len() - failed.len(), failed.len());
    text.push_str(&summary);
    text.push('\n');
    write_out(out, &text)?;
    if failed.is_empty() { Ok(()) } else { Err(Error::ChecksFailed(summary)) }
}

/// Runs one test file, whatever kind it is: rule cases, or a scenario's expectations.
pub fn run_path(path: &Path) -> Result<Vec<CaseResult>> {
    if crate::scenario::is_plan(path) {
        return run_plan(path);
    }
    if is_restoration_requests(path) {
        // A bureau's 復活要求 file is read, and tested, through the stage that names it.
        return Ok(Vec::new());
    }
    if is_rule_cases(path) { cases::run_file(path) } else { crate::whatif::expect::run_scenario(path, &evaluate_year) }
}

/// A file of `[[restorations]]` alone: a bureau's 復活要求, named by a stage's `[stage] restorations`.
fn is_restoration_requests(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    toml::from_str::<toml::Table>(text.trim_start_matches('\u{feff}'))
        .is_ok_and(|t| t.contains_key("restorations") && t.keys().all(|k| k == "restorations"))
}

/// A multi-year plan is one case: it solves and every path limit and ratio check holds.
fn run_plan(path: &Path) -> Result<Vec<CaseResult>> {
    let outcome = crate::pipeline::run_path(path, &crate::pipeline::Options::default())?;
    let place = format!("{}:1", Source::display_path(path));
    let (mismatches, error) = match outcome.central() {
        Ok(plan) => {
            let mismatches = plan
                .violations
                .iter()
                .map(|v| Mismatch {
                    what: "path limit".into(),
                    expected: "holds".into(),
                    found: v.clone(),
                    place: place.clone(),
                    context: None,
                })
                .collect();
            (mismatches, None)
        }
        Err(e @ Error::Infeasible(_)) => (Vec::new(), Some(e.to_string())),
        Err(e) => return Err(e),
    };
    Ok(vec![CaseResult {
        name: "the plan's path limits hold".into(),
        place,
        mismatches,
        error,
        printed: outcome.printed,
    }])
}

/// A rule-case file has `[[case]]` tables (or nothing a scenario would have); anything else is a scenario.
fn is_rule_cases(path: &Path) -> bool {
    let Some(text) =
        crate::files::read(path, crate::files::Kind::RuleTests).ok().and_then(|b| String::from_utf8(b).ok())
    else {
        return true;
    };
    match toml::from_str::<toml::Table>(&text) {
        Ok(t) => {
            t.contains_key("case")
                || !["city", "extends", "expect", "inventory", "revenue"].iter().any(|k| t.contains_key(*k))
        }
        // Let the rule-case reader report the syntax error with its place.
        Err(_) => !text.contains("[[expect]]") && !text.contains("extends"),
    }
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| Error::input(Diagnostic::error(format!("cannot read `{}`: {e}", Source::display_path(path)))))?;
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for c in children {
        if c.is_dir() {
            collect(&c, files)?;
        } else if c.extension().is_some_and(|x| x == "toml") {
            files.push(c);
        }
    }
    Ok(())
}

/// The year's evaluation, for the expectations that read it (`kpi`, `evaluation`).
fn evaluate_year(year: &crate::pipeline::YearOutcome<'_>) -> Option<Box<dyn crate::whatif::expect::EvaluationView>> {
    let allocation = year.allocation.ok()?;
    let evaluation = crate::evaluate::evaluate(year.scenario, year.review, allocation).ok()?;
    Some(Box::new(evaluation))
}
