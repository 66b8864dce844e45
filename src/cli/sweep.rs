//! `waku sweep`: run many variants of a scenario in parallel and write their key outputs.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::ScenarioArgs;
use crate::allocate::{Options, Solver};
use crate::pipeline::{self, Stage};
use crate::whatif::sweep::{self, Mode};
use crate::whatif::vary::Vary;
use crate::{Error, Result};

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A value to vary: `NAME=LO..HI:N` (grid of N values) or `NAME=A,B,C` (repeatable).
    /// Names: revenue, reserve_share, reserve_min_share, reserve_max_share, investment_cap,
    /// issuance_cap, next_generation_target, fund_max_drawdown, reserve_weight.
    #[arg(long = "vary", value_name = "NAME=RANGE")]
    pub vary: Vec<String>,
    /// Draw N variants uniformly from the ranges instead of running the grid.
    #[arg(long, value_name = "N")]
    pub samples: Option<usize>,
    /// Seed for `--samples`: the same seed draws the same variants.
    #[arg(long, default_value_t = 1, requires = "samples")]
    pub seed: u64,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: SweepFormat,
    /// Write to FILE (atomically) instead of standard output; `-` is standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Never draw a progress bar (it is drawn only when standard error is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub solver: Solver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SweepFormat {
    Csv,
    Json,
}

pub fn run(args: &SweepArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let vary: Vec<Vary> = args.vary.iter().map(|v| Vary::parse(v)).collect::<Result<_>>()?;
    let mode = match args.samples {
        Some(n) => Mode::Samples { n, seed: args.seed },
        None => Mode::Grid,
    };
    let variants = sweep::variants(&vary, mode)?;
    let options = args.scenario.options(Stage::Allocate);
    let input = pipeline::load_year(&args.scenario.scenario, &options.load)?;
    let Some(scenario) = input.scenario() else { return Err(Error::internal("`waku sweep` loaded no single year")) };
    let ruleset = pipeline::ruleset_for(scenario, &options)?;
    let started = Instant::now();
    let bar = (!args.no_progress && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(variants.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} sweep {bar:40} {pos}/{len} variants  {elapsed} (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let result = sweep::run(
        scenario,
        &ruleset,
        &vary,
        &variants,
        &Options { solver: args.solver, fast: super::fast_paths(), effects: false },
        &tick,
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    super::print_script_output(err, &ruleset.printed.take());
    let result = result?;
    let text = match args.format {
        SweepFormat::Csv => sweep::to_csv(&result, &vary)?,
        SweepFormat::Json => super::output::to_json(&result)?,
    };
    super::output::emit(out, args.out.as_deref(), text.as_bytes())?;
    let n = result.rows.len();
    let ok = result.feasible();
    let _ = writeln!(
        err,
        "swept {n} variants in {:.1} s: {ok} feasible, {} infeasible; the review ran {}",
        started.elapsed().as_secs_f64(),
        n - ok,
        if result.review_reused { "once" } else { "for every variant" }
    );
    Ok(())
}
