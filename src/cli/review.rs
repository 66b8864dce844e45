//! `waku review`: the six findings and the assessment of every program.

use std::io::Write;

use clap::Args;

use super::{Format, ScenarioArgs};
use crate::{Diagnostic, Error, Result};

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Show only this program.
    #[arg(long, value_name = "ID")]
    pub program: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub fn run(args: &ReviewArgs, _out: &mut dyn Write, _err: &mut dyn Write) -> Result<()> {
    let _ = args.scenario.load()?;
    Err(Error::input(Diagnostic::error("`waku review` is being built")))
}
