//! `waku check`: load and validate a scenario or plan, try the rules on every program; print a
//! one-screen summary (per year for a plan).

use std::io::Write;

use clap::Args;

use super::{ScenarioArgs, print_warnings, write_out};
use crate::Result;
use crate::pipeline::{self, Input, Stage};
use crate::report::summary_in;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The language of the summary: `en` (English headings beside the Japanese names) or `ja`.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: super::LangArg,
}

pub fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let options = args.scenario.options(Stage::Check);
    let input = pipeline::load(&args.scenario.scenario, &options.load)?;
    print_warnings(err, input.warnings());
    // The ruleset: compiled, parameters checked, and tried on every program.
    let outcome = pipeline::run(input, &options)?;
    super::print_script_output(err, &outcome.printed);
    print_warnings(err, &outcome.run_warnings);
    let text = match &outcome.input {
        Input::Year(s) => summary_in(s, args.lang.into()),
        Input::Plan(plan) => super::plan::summary(plan, args.lang.into()),
    };
    write_out(out, &text)
}
