//! `waku review`: the six findings and the assessment of every program.

use std::io::Write;

use clap::Args;

use super::{Format, ScenarioArgs, write_out};
use crate::review::{self, Options};
use crate::rules::Ruleset;
use crate::{Diagnostic, Error, Result};

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Show only this program, with every viewpoint's reason.
    #[arg(long, value_name = "ID")]
    pub program: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub fn run(args: &ReviewArgs, out: &mut dyn Write, _err: &mut dyn Write) -> Result<()> {
    let scenario = args.scenario.load()?;
    let ruleset = Ruleset::for_scenario(&scenario)?;
    let options = Options { program: args.program.clone(), sequential: false };
    let result = review::review_with(&scenario, &ruleset, &options)?;
    let text = match args.format {
        Format::Json => format!("{}\n", review::to_json_string(&result)),
        Format::Table => match (&args.program, result.programs.first()) {
            (Some(_), Some(p)) => review::render_program(p, &scenario, &ruleset),
            _ => review::render_table(&result, &scenario, &ruleset),
        },
        Format::Markdown => {
            return Err(Error::input(
                Diagnostic::error("`waku review` writes `table` or `json`")
                    .hint("use `--format table` or `--format json`"),
            ));
        }
    };
    write_out(out, &text)
}
