//! `waku run` and `waku explain`: allocation of envelopes and the reserve, and why.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{ScenarioArgs, write_out};
use crate::allocate::{self, Allocation, Model, Options, Solver};
use crate::fiscal::PlanOutcome;
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::Scenario;
use crate::{Diagnostic, Error, Result};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// `table` (terminal), `json`, `markdown` (a memo), `html` (a self-contained report with charts),
    /// `csv` (UTF-8 with BOM, for Excel) or `xlsx` (one sheet per table; needs `--out`).
    #[arg(long, value_enum, default_value = "table")]
    pub format: RunFormat,
    /// Write the report to FILE (atomically: a failed run never truncates an earlier file)
    /// instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The LP/MILP solver (`auto`: clarabel, or microlp when there are all-or-nothing programs).
    #[arg(long, value_enum, default_value = "auto")]
    pub solver: Solver,
    /// Also write the model in CPLEX LP format to FILE (to check the optimum with another solver).
    #[arg(long, value_name = "FILE")]
    pub emit_lp: Option<PathBuf>,
    /// List every program in the table and Markdown output (JSON always has them all).
    #[arg(long)]
    pub programs: bool,
    /// `central`: one city model; `autonomous`: envelopes, then each bureau's own policy inside its
    /// envelope, with the savings incentive; `compare`: both, bureau by bureau.
    #[arg(long, value_enum, default_value = "central")]
    pub mode: Mode,
}

/// What `waku run` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RunFormat {
    Table,
    Json,
    Markdown,
    Html,
    Csv,
    Xlsx,
}

/// Writes a finished report to `--out FILE` (atomically) or to standard output.
/// `--out -` is standard output.
pub(crate) fn emit(out: &mut dyn Write, path: Option<&std::path::Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(p) if p != std::path::Path::new("-") => crate::report::write_atomic(p, bytes),
        _ => super::write_bytes(out, bytes),
    }
}

/// A format `waku run` does not yet write for this kind of run.
pub(crate) fn unsupported(format: RunFormat, what: &str) -> Error {
    // The name clap parses, so the message repeats what the user typed.
    let format_name =
        |f: RunFormat| clap::ValueEnum::to_possible_value(&f).map_or_else(String::new, |v| v.get_name().to_owned());
    Error::input(
        Diagnostic::error(format!("`--format {}` is not available for {what}", format_name(format)))
            .hint("use `--format table`, `json` or `markdown`"),
    )
}

/// How `waku run` allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Central,
    Autonomous,
    Compare,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A program id, a bureau id or a constraint name.
    pub subject: String,
    /// The LP/MILP solver.
    #[arg(long, value_enum, default_value = "auto")]
    pub solver: Solver,
}

/// Loads the scenario, reviews every program and builds the allocation model.
fn prepare(args: &ScenarioArgs) -> Result<(Scenario, Review, Model)> {
    let scenario = args.load()?;
    let ruleset = Ruleset::for_scenario(&scenario)?;
    let review = crate::review::review(&scenario, &ruleset)?;
    let model = Model::build(&scenario, &review)?;
    Ok((scenario, review, model))
}

fn write_lp(path: &std::path::Path, model: &Model, scenario: &Scenario, allocation: Option<&Allocation>) -> Result<()> {
    let title = format!("{} {} FY{}", scenario.city, scenario.name, scenario.fiscal_year);
    let text = model.to_lp(&title, allocation.map(|a| a.lp_objective));
    crate::report::write_atomic(path, text.as_bytes())
}

pub fn run(args: &RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    if args.format == RunFormat::Xlsx && args.out.is_none() {
        return Err(Error::input(
            Diagnostic::error("`--format xlsx` writes a binary workbook and needs `--out FILE`")
                .hint("e.g. `--format xlsx --out allocation.xlsx`, or `--format csv` for standard output"),
        ));
    }
    if crate::scenario::is_plan(&args.scenario.scenario) {
        return super::plan::run(args, out, err);
    }
    if args.mode != Mode::Central {
        return run_autonomous(args, out, err);
    }
    let (scenario, review, model) = prepare(&args.scenario)?;
    if let Some(printed) = review.printed_text() {
        let _ = write!(err, "{printed}");
    }
    let options = Options { solver: args.solver };
    let result = allocate::solve_model(&model, &scenario, &review, &options);
    if let Some(path) = &args.emit_lp {
        write_lp(path, &model, &scenario, result.as_ref().ok())?;
    }
    let allocation = result?;
    // With `[fiscal]`, the ratio limits are constraints: the year runs as a one-year plan.
    let (outcome, scenario) = if scenario.fiscal.is_some() {
        (crate::fiscal::run_single(scenario, &review, &options)?, None)
    } else {
        (crate::fiscal::single_outcome(&scenario, allocation), Some(scenario))
    };
    let result = report(args, &outcome, &review, out);
    super::done_with((outcome, review, model, scenario));
    result
}

/// Writes the report of a year's run in the format asked for; its verdict.
fn report(args: &RunArgs, outcome: &PlanOutcome, review: &Review, out: &mut dyn Write) -> Result<()> {
    if let Some(bytes) = sheets(args.format, outcome, std::slice::from_ref(review))? {
        emit(out, args.out.as_deref(), &bytes)?;
        return super::plan::verdict(outcome);
    }
    let allocation = &outcome.allocations[0];
    let text = match args.format {
        RunFormat::Json => to_json(&SingleYear { allocation, fiscal_health: &outcome.fiscal_health })?,
        RunFormat::Markdown => {
            crate::report::markdown::memo(allocation, outcome.fiscal_health.years.first(), Some(review), args.programs)
        }
        RunFormat::Table => {
            let palette = crate::report::terminal::Palette::for_stdout(args.out.is_none());
            let mut text = allocate::render_table_in(allocation, args.programs, palette);
            text.push_str(&crate::fiscal::render_health_table_in(outcome, palette));
            text
        }
        RunFormat::Html => crate::report::html::render(outcome, std::slice::from_ref(review))?,
        f @ (RunFormat::Csv | RunFormat::Xlsx) => return Err(unsupported(f, "this run")),
    };
    emit(out, args.out.as_deref(), text.as_bytes())?;
    super::plan::verdict(outcome)
}

/// `--format csv|xlsx` of a year or a plan (`reviews` give the reasons); `None` for other formats.
pub(crate) fn sheets(format: RunFormat, outcome: &PlanOutcome, reviews: &[Review]) -> Result<Option<Vec<u8>>> {
    let sheets = crate::report::sheet::RunSheets::new(outcome, reviews);
    match format {
        RunFormat::Csv => sheets.csv().map(Some),
        RunFormat::Xlsx => sheets.xlsx().map(Some),
        _ => Ok(None),
    }
}

/// `waku run --format json` of one year: the allocation's fields, then `fiscal_health`.
#[derive(serde::Serialize)]
struct SingleYear<'a> {
    #[serde(flatten)]
    allocation: &'a Allocation,
    fiscal_health: &'a crate::fiscal::FiscalHealth,
}

pub fn explain(args: &ExplainArgs, out: &mut dyn Write, _err: &mut dyn Write) -> Result<()> {
    let (scenario, review, model) = prepare(&args.scenario)?;
    let allocation = allocate::solve_model(&model, &scenario, &review, &Options { solver: args.solver })?;
    let text = allocate::explain(&allocation, &scenario, &args.subject)?;
    write_out(out, &text)
}

/// Pretty JSON and a final newline (appended, not copied: a city's JSON can run to 50 MB).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    let mut json = serde_json::to_string_pretty(value)
        .map_err(|e| Error::input(Diagnostic::error(format!("cannot write JSON: {e}"))))?;
    json.push('\n');
    Ok(json)
}

/// `waku run --mode autonomous|compare`: see [`crate::autonomy`].
fn run_autonomous(args: &RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let scenario = args.scenario.load()?;
    let ruleset = Ruleset::for_scenario(&scenario)?;
    let review = crate::review::review(&scenario, &ruleset)?;
    let options = crate::autonomy::Options { allocate: Options { solver: args.solver } };
    let (text, warnings) = if args.mode == Mode::Compare {
        let c = crate::autonomy::compare(&scenario, &review, &ruleset, &options)?;
        let text = match args.format {
            RunFormat::Json => to_json(&c)?,
            RunFormat::Table | RunFormat::Markdown => crate::autonomy::render_compare(&c),
            f => return Err(unsupported(f, "`--mode compare`")),
        };
        (text, c.autonomous.diagnostics)
    } else {
        let a = crate::autonomy::run(&scenario, &review, &ruleset, &options)?;
        let text = match args.format {
            RunFormat::Json => to_json(&a)?,
            RunFormat::Table | RunFormat::Markdown => crate::autonomy::render_table(&a),
            f => return Err(unsupported(f, "`--mode autonomous`")),
        };
        (text, a.diagnostics)
    };
    for w in &warnings {
        let _ = writeln!(err, "{}", w.render());
    }
    emit(out, args.out.as_deref(), text.as_bytes())
}
