//! `waku diff`: what moved between a base scenario and a variant.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{Format, write_out};
use crate::allocate::{Allocation, Options, Solver};
use crate::pipeline::{self, Outcome, Stage, YearOutcome};
use crate::scenario::LoadOptions;
use crate::whatif::diff;
use crate::{Error, Result};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The base scenario (TOML).
    pub base: PathBuf,
    /// The variant, usually an overlay that `extends` the base.
    pub variant: PathBuf,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// List every program that moved (the table and Markdown show the largest 20).
    #[arg(long)]
    pub all: bool,
    /// Use this rules folder for both scenarios instead of their own.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Allow `extends` and inventory paths outside the scenarios' folder trees.
    #[arg(long)]
    pub allow_outside_paths: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub solver: Solver,
    /// The language of the table and Markdown: `en` (English headings beside the Japanese names) or `ja`.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: super::LangArg,
}

pub fn run(args: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let load = LoadOptions {
        rules_dir: args.rules.clone(),
        allow_outside_paths: args.allow_outside_paths,
        ..Default::default()
    };
    let options = pipeline::Options {
        load,
        stage: Stage::Allocate,
        allocate: Options { solver: args.solver, fast: super::fast_paths(), effects: false },
        review: crate::review::Options { fast: super::fast_paths(), ..Default::default() },
        ..pipeline::Options::default()
    };
    let base = pipeline::run(pipeline::load_year(&args.base, &options.load)?, &options)?;
    let variant = pipeline::run(pipeline::load_year(&args.variant, &options.load)?, &options)?;
    super::print_script_output(err, &base.printed);
    super::print_script_output(err, &variant.printed);
    let ((x, a), (y, b)) = (side(&base, "base")?, side(&variant, "variant")?);
    let d = diff::diff(&x, a, &y, b);
    let text = match args.format {
        Format::Json => super::output::to_json(&d)?,
        Format::Markdown => crate::report::diff::render_markdown_in(&d, args.all, args.lang.into()),
        Format::Table => crate::report::diff::render_table_in(&d, args.all, args.lang.into()),
    };
    write_out(out, &text)
}

/// One side's year and its allocation; infeasible limits end the diff with their diagnosis.
fn side<'a>(o: &'a Outcome, which: &str) -> Result<(YearOutcome<'a>, &'a Allocation)> {
    let year = o.year().ok_or_else(|| Error::internal("`waku diff` ran no single year"))?;
    let allocation = year.allocation.map_err(|d| {
        let path = crate::diagnostic::Source::display_path(&year.scenario.path);
        Error::Infeasible(Box::new(
            d.clone().note(format!("in the {which} `{path}`: there is no allocation to compare")),
        ))
    })?;
    Ok((year, allocation))
}
