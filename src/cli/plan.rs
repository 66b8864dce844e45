//! `waku run` and `waku check` on a multi-year plan file (a scenario file with `[plan]`).

use std::io::Write;

use super::run::{RunArgs, RunFormat, emit, unsupported};
use super::{ScenarioArgs, write_out};
use crate::allocate::Options;
use crate::fiscal::{self, PlanOutcome};
use crate::{Diagnostic, Error, Result};

/// `waku run <plan>`: every year optimised together; a per-year table or JSON.
pub fn run(args: &RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    if args.emit_lp.is_some() {
        return Err(Error::input(
            Diagnostic::error("`--emit-lp` writes one year's model; run it on a year's scenario file")
                .hint("the plan names each year's scenario under `[[plan.years]]`"),
        ));
    }
    let plan = fiscal::load_plan(&args.scenario.scenario, &args.scenario.load_options())?;
    for y in &plan.years {
        for w in &y.scenario.warnings {
            let _ = write!(err, "{}", w.render());
        }
    }
    let reviews = fiscal::review_plan(&plan)?;
    let outcome = fiscal::run_plan_reviewed(&plan, &reviews, &Options { solver: args.solver })?;
    if matches!(args.format, RunFormat::Csv | RunFormat::Xlsx) {
        if let Some(bytes) = super::run::sheets(args.format, &outcome, &reviews)? {
            emit(out, args.out.as_deref(), &bytes)?;
            return verdict(&outcome);
        }
    }
    let text = match args.format {
        RunFormat::Json => super::run::to_json(&outcome)?,
        RunFormat::Table => {
            fiscal::render_plan_table_in(&outcome, crate::report::terminal::Palette::for_stdout(args.out.is_none()))
        }
        RunFormat::Markdown => fiscal::render_plan_table(&outcome),
        RunFormat::Html => crate::report::html::render(&outcome, &reviews)?,
        f => return Err(unsupported(f, "a plan")),
    };
    emit(out, args.out.as_deref(), text.as_bytes())?;
    verdict(&outcome)
}

/// Exit 1 when a path limit or a ratio check failed (the output already says which).
pub fn verdict(outcome: &PlanOutcome) -> Result<()> {
    if outcome.violations.is_empty() { Ok(()) } else { Err(Error::ChecksFailed(outcome.violations.join("; "))) }
}

/// `waku check <plan>`: every year's scenario loaded and validated; a summary per year.
pub fn check(args: &ScenarioArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let plan = fiscal::load_plan(&args.scenario, &args.load_options())?;
    let mut text = format!(
        "{} {} — plan of {} years (FY{}–{})\n",
        plan.city,
        plan.name,
        plan.years.len(),
        plan.years[0].year,
        plan.years[plan.years.len() - 1].year
    );
    for y in &plan.years {
        for w in &y.scenario.warnings {
            let _ = write!(err, "{}", w.render());
        }
        for w in crate::rules::check(&y.scenario)? {
            let _ = write!(err, "{}", w.render());
        }
        super::check::check_bureau_policies(&y.scenario)?;
        let cap = y
            .investment_cap
            .map_or_else(String::new, |c| format!(" (plan investment cap {})", c.format(plan.display_unit)));
        text.push_str(&format!("\n── FY{}{cap}\n", y.year));
        text.push_str(&crate::report::summary(&y.scenario));
    }
    write_out(out, &text)
}
