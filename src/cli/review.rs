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

pub fn run(args: &ReviewArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    if crate::scenario::is_plan(&args.scenario.scenario) {
        return run_plan(args, out, err);
    }
    let scenario = args.scenario.load()?;
    let ruleset = Ruleset::for_scenario(&scenario)?;
    let options = Options { program: args.program.clone(), sequential: false };
    let result = review::review_with(&scenario, &ruleset, &options)?;
    if let Some(printed) = result.printed_text() {
        let _ = write!(err, "{printed}");
    }
    let text = match args.format {
        Format::Json => {
            let mut json = review::to_json_string(&result);
            json.push('\n');
            json
        }
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

/// A multi-year plan: each year's review in turn, under a heading naming the year and its file.
fn run_plan(args: &ReviewArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let plan = crate::fiscal::load_plan(&args.scenario.scenario, &args.scenario.load_options())?;
    let mut json = Vec::new();
    for y in &plan.years {
        let ruleset = Ruleset::for_scenario(&y.scenario)?;
        let options = Options { program: args.program.clone(), sequential: false };
        let result = review::review_with(&y.scenario, &ruleset, &options)?;
        match args.format {
            Format::Json => {
                json.push(format!("{{\"year\": {}, \"review\": {}}}", y.year, review::to_json_string(&result)))
            }
            _ => {
                let text = match (&args.program, result.programs.first()) {
                    (Some(_), Some(p)) => review::render_program(p, &y.scenario, &ruleset),
                    _ => review::render_table(&result, &y.scenario, &ruleset),
                };
                write_out(out, &format!("== FY{} ({})\n{text}\n", y.year, y.scenario.path.display()))?;
            }
        }
    }
    let _ = err;
    if args.format == Format::Json {
        // Joined as text: each year's document keeps its key order (id, department, findings, assessment).
        write_out(out, &format!("{{\"years\": [\n{}\n]}}\n", json.join(",\n")))?;
    }
    Ok(())
}
