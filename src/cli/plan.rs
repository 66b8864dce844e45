//! `waku run` and `waku check` on a multi-year plan file (a scenario file with `[plan]`): the
//! plan's report and its summary. The plan itself runs through [`crate::pipeline`].

use std::io::Write;
use std::path::Path;

use super::output::{RunFormat, emit, sheets, to_json, unsupported, verdict};
use crate::fiscal::{Plan, PlanOutcome};
use crate::review::Review;
use crate::{Diagnostic, Error, Result};

/// `--emit-lp` on a plan: the plan has no one model to write.
pub(crate) fn no_lp() -> Error {
    Error::input(
        Diagnostic::error("`--emit-lp` writes one year's model; run it on a year's scenario file")
            .hint("the plan names each year's scenario under `[[plan.years]]`"),
    )
}

/// The report of a plan's run in `format`, to `path` or standard output; then its verdict.
pub(crate) fn report(
    format: RunFormat,
    path: Option<&Path>,
    lang: Option<super::LangArg>,
    outcome: &PlanOutcome,
    reviews: &[Review],
    scenarios: &[&crate::scenario::Scenario],
    out: &mut dyn Write,
) -> Result<()> {
    if let Some(bytes) = sheets(format, outcome, reviews, scenarios)? {
        emit(out, path, &bytes)?;
        return verdict(outcome);
    }
    let text = match format {
        RunFormat::Json => to_json(outcome)?,
        RunFormat::Table => crate::report::fiscal::render_plan_table_in(
            outcome,
            crate::report::terminal::Style::for_stdout(path.is_none(), lang.unwrap_or_default().into()),
        ),
        RunFormat::Markdown => crate::report::markdown::plan_memo(outcome, reviews, false, super::LangArg::memo(lang)),
        RunFormat::Html => crate::report::html::render(outcome, reviews)?,
        f => return Err(unsupported(f, "a plan")),
    };
    emit(out, path, text.as_bytes())?;
    verdict(outcome)
}

/// `waku check <plan>`: a summary per year.
pub(crate) fn summary(plan: &Plan, lang: crate::report::terminal::Lang) -> String {
    let mut text = format!(
        "{} {} — plan of {} years (FY{}–{})\n",
        plan.city,
        plan.name,
        plan.years.len(),
        plan.years[0].year,
        plan.years[plan.years.len() - 1].year
    );
    for y in &plan.years {
        let cap = y
            .investment_cap
            .map_or_else(String::new, |c| format!(" (plan investment cap {})", c.format(plan.display_unit)));
        text.push_str(&format!("\n── FY{}{cap}\n", y.year));
        text.push_str(&crate::report::summary_in(&y.scenario, lang));
    }
    text
}
