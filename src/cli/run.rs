//! `waku run` and `waku explain`: allocation of envelopes and the reserve, and why.

use std::io::Write;

use clap::Args;

use super::{Format, ScenarioArgs};
use crate::{Diagnostic, Error, Result};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A program id, a bureau id or a constraint name.
    pub subject: String,
}

pub fn run(args: &RunArgs, _out: &mut dyn Write, _err: &mut dyn Write) -> Result<()> {
    let _ = args.scenario.load()?;
    Err(Error::input(Diagnostic::error("`waku run` is being built")))
}

pub fn explain(args: &ExplainArgs, _out: &mut dyn Write, _err: &mut dyn Write) -> Result<()> {
    let _ = args.scenario.load()?;
    Err(Error::input(Diagnostic::error("`waku explain` is being built")))
}
