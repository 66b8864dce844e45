//! `waku diff`: what moved between a base scenario and a variant.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{Format, write_out};
use crate::allocate::{Options, Solver};
use crate::scenario::LoadOptions;
use crate::whatif::{Outcome, diff};
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
}

pub fn run(args: &DiffArgs, out: &mut dyn Write, _err: &mut dyn Write) -> Result<()> {
    let load =
        LoadOptions { set: Vec::new(), rules_dir: args.rules.clone(), allow_outside_paths: args.allow_outside_paths };
    let options = Options { solver: args.solver };
    let base = Outcome::compute(&args.base, &load, &options)?;
    let variant = Outcome::compute(&args.variant, &load, &options)?;
    let side = |o: &Outcome, which: &str| -> Result<crate::allocate::Allocation> {
        o.allocation.clone().map_err(|d| {
            Error::Infeasible(Box::new(
                d.note(format!("in the {which} `{}`: there is no allocation to compare", args_path(o))),
            ))
        })
    };
    let (a, b) = (side(&base, "base")?, side(&variant, "variant")?);
    let d = diff::diff(&base, &a, &variant, &b);
    let text = match args.format {
        Format::Json => super::run::to_json(&d)?,
        Format::Markdown => d.render_markdown(args.all),
        Format::Table => d.render_table(args.all),
    };
    write_out(out, &text)
}

fn args_path(o: &Outcome) -> String {
    crate::diagnostic::Source::display_path(&o.scenario.path)
}
