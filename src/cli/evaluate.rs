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
    if input.plan().is_some() {
        return Err(Error::input(
            Diagnostic::error("`waku evaluate` evaluates one year")
                .hint("name a year's scenario of the plan (e.g. `scenarios/kitakyushu-r8.toml`)"),
        ));
    }
    if let Some(sc) = input.scenario() {
        evaluate::kpi_table(sc)?;
    }
    let outcome = pipeline::run(input, &options)?;
    super::print_script_output(err, &outcome.printed);
    let Some(year) = outcome.year() else {
        return Err(Error::internal("`waku evaluate` ran a scenario without a year's outcome"));
    };
    let allocation = year.allocation.map_err(|d| Error::Infeasible(Box::new(d.clone())))?;
    let evaluation = evaluate::evaluate(year.scenario, year.review, allocation)?;
    let bytes = match args.format {
        EvaluateFormat::Table => render::table(&evaluation).into_bytes(),
        EvaluateFormat::Json => to_json(&evaluation)?.into_bytes(),
        EvaluateFormat::Markdown => render::markdown(&evaluation).into_bytes(),
        EvaluateFormat::Html => render::html(&evaluation).into_bytes(),
        EvaluateFormat::Xlsx => render::xlsx(&evaluation)?,
    };
    emit(out, args.out.as_deref(), &bytes)
}
