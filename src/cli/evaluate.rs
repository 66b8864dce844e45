//! `waku evaluate`: the evaluation after the year (事後評価) — each program's KPIs with their
//! achievement and verdict, and each business cluster's 経営分析 summary with its KPI tree.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::ScenarioArgs;
use super::output::{emit, to_json};
use crate::evaluate::{self, render};
use crate::pipeline::{self, Stage};
use crate::{Diagnostic, Error, Result};

/// What `waku evaluate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvaluateFormat {
    Table,
    Json,
    Markdown,
    Html,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: EvaluateFormat,
    /// Write to this file (atomically) instead of standard output; `--format xlsx` needs it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &EvaluateArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    if args.format == EvaluateFormat::Xlsx && args.out.is_none() {
        return Err(Error::input(
            Diagnostic::error("`--format xlsx` writes a binary workbook and needs `--out FILE`")
                .hint("e.g. `--format xlsx --out evaluation.xlsx`"),
        ));
    }
    let options = args.scenario.options(Stage::Allocate);
    let input = pipeline::load(&args.scenario.scenario, &options.load)?;
    super::print_warnings(err, input.warnings());
    // A plan is evaluated after its last year: that year's scenario sees the KPI history of every
    // year before it, and its review and allocation are the plan's own.
    let plan = input.plan().map(|p| p.name.clone());
    if let Some(last) = input.years().last() {
        evaluate::kpi_table(last)?;
    }
    let outcome = pipeline::run(input, &options)?;
    super::print_script_output(err, &outcome.printed);
    let central = outcome.central()?;
    let (Some(scenario), Some(review), Some(allocation)) =
        (outcome.input.years().last().copied(), outcome.reviews.last(), central.allocations.last())
    else {
        return Err(Error::internal("`waku evaluate` ran a scenario without a year's outcome"));
    };
    let mut evaluation = evaluate::evaluate(scenario, review, allocation)?;
    evaluation.plan = plan;
    let bytes = match args.format {
        EvaluateFormat::Table => render::table(&evaluation).into_bytes(),
        EvaluateFormat::Json => to_json(&evaluation)?.into_bytes(),
        EvaluateFormat::Markdown => render::markdown(&evaluation).into_bytes(),
        EvaluateFormat::Html => render::html(&evaluation).into_bytes(),
        EvaluateFormat::Xlsx => render::xlsx(&evaluation)?,
    };
    emit(out, args.out.as_deref(), &bytes)
}
