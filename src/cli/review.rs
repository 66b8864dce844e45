//! `waku review`: the six findings and the assessment of every program (every year of a plan).

use std::io::Write;

use clap::Args;

use super::{Format, ScenarioArgs, print_warnings, write_out};
use crate::pipeline::{self, Stage};
use crate::review;
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
    let mut options = args.scenario.options(Stage::Review);
    options.review.program = args.program.clone();
    let input = pipeline::load(&args.scenario.scenario, &options.load)?;
    print_warnings(err, input.warnings());
    if args.format == Format::Markdown && input.plan().is_none() {
        return Err(Error::input(
            Diagnostic::error("`waku review` writes `table` or `json`").hint("use `--format table` or `--format json`"),
        ));
    }
    let outcome = pipeline::run(input, &options)?;
    super::print_script_output(err, &outcome.printed);
    let years = outcome.input.years();
    let plan = outcome.input.plan();
    let mut json = Vec::new();
    let mut text = String::new();
    for ((sc, ruleset), result) in years.iter().zip(&outcome.rulesets).zip(&outcome.reviews) {
        if args.format == Format::Json {
            let doc = review::to_json_string(result);
            match plan {
                // Joined as text: each year's document keeps its key order (id, department, findings, assessment).
                Some(_) => json.push(format!("{{\"year\": {}, \"review\": {doc}}}", sc.fiscal_year)),
                None => json.push(format!("{doc}\n")),
            }
            continue;
        }
        let table = match (&args.program, result.programs.first()) {
            (Some(_), Some(p)) => crate::report::review::render_program(p, sc, ruleset),
            _ => crate::report::review::render_table(result, sc, ruleset),
        };
        match plan {
            Some(_) => text.push_str(&format!("== FY{} ({})\n{table}\n", sc.fiscal_year, sc.path.display())),
            None => text.push_str(&table),
        }
    }
    if args.format == Format::Json {
        text = match plan {
            Some(_) => format!("{{\"years\": [\n{}\n]}}\n", json.join(",\n")),
            None => json.concat(),
        };
    }
    write_out(out, &text)
}
