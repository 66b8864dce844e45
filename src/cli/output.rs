//! What `waku run` writes, shared by a year's report (`run.rs`) and a plan's (`plan.rs`): the
//! formats, writing to `--out` or standard output, JSON, spreadsheets and the verdict.

use std::io::Write;

use crate::fiscal::PlanOutcome;
use crate::review::Review;
use crate::{Diagnostic, Error, Result};

/// What `waku run` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RunFormat {
    Table,
    Json,
    Markdown,
    Html,
    Csv,
    Xlsx,
}

/// Writes a finished report to `--out FILE` (atomically) or to standard output; `--out -` is
/// standard output.
pub(crate) fn emit(out: &mut dyn Write, path: Option<&std::path::Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(p) if p != std::path::Path::new("-") => crate::report::write_atomic(p, bytes),
        _ => super::write_bytes(out, bytes),
    }
}

/// The name clap parses (`html`), so a message repeats what the user typed.
pub(crate) fn format_name(f: RunFormat) -> String {
    clap::ValueEnum::to_possible_value(&f).map_or_else(String::new, |v| v.get_name().to_owned())
}

/// A format `waku run` does not yet write for this kind of run.
pub(crate) fn unsupported(format: RunFormat, what: &str) -> Error {
    Error::input(
        Diagnostic::error(format!("`--format {}` is not available for {what}", format_name(format)))
            .hint("use `--format table`, `json` or `markdown`"),
    )
}

/// `--format csv|xlsx` of a year or a plan (`reviews` give the reasons, `scenarios` the inventory's
/// inputs); `None` for other formats.
pub(crate) fn sheets(
    format: RunFormat,
    outcome: &PlanOutcome,
    reviews: &[Review],
    scenarios: &[&crate::scenario::Scenario],
) -> Result<Option<Vec<u8>>> {
    let sheets = crate::report::sheet::RunSheets::new(outcome, reviews, scenarios);
    match format {
        RunFormat::Csv => sheets.csv().map(Some),
        RunFormat::Xlsx => sheets.xlsx().map(Some),
        _ => Ok(None),
    }
}

/// Pretty JSON and a final newline (appended, not copied: a city's JSON can run to 50 MB).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    let mut json = serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal(format!("the result could not be written as JSON: {e}")))?;
    json.push('\n');
    Ok(json)
}

/// Exit 1 when a path limit or a ratio check failed (the output already says which).
pub(crate) fn verdict(outcome: &PlanOutcome) -> Result<()> {
    if outcome.violations.is_empty() { Ok(()) } else { Err(Error::ChecksFailed(outcome.violations.join("; "))) }
}
