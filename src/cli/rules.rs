//! `waku rules doc` and `waku rules diff`: for policy designers, the reference of a rules folder
//! and what a change of the rules does to a scenario.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::write_out;
use crate::allocate::{Options as AllocateOptions, Solver};
use crate::pipeline::{self, Outcome, Stage};
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::{LoadOptions, Scenario};
use crate::{Error, Result};

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The reference of a rules folder: every program field, helper and parameter (Markdown or JSON).
    Doc(DocArgs),
    /// What changing the rules does to a scenario: findings by viewpoint, assessments, and with `--money` the allocation.
    Diff(RulesDiffArgs),
}

/// How `waku rules` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct DocArgs {
    /// The rules folder.
    #[arg(default_value = "rules")]
    pub rules: PathBuf,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: DocFormat,
}

#[derive(Debug, Args)]
pub struct RulesDiffArgs {
    /// The rules folder before the change.
    pub old: PathBuf,
    /// The rules folder after the change.
    pub new: PathBuf,
    /// The scenario both review (its own `rules` is not used).
    pub scenario: PathBuf,
    /// Allocate under both and add the allocation diff (what moved in money).
    #[arg(long)]
    pub money: bool,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: DocFormat,
    /// Allow `extends` and inventory paths outside the scenario's folder tree.
    #[arg(long)]
    pub allow_outside_paths: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub solver: Solver,
}

pub fn run(args: &RulesArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    match &args.command {
        RulesCommand::Doc(a) => doc(a, out, err),
        RulesCommand::Diff(a) => diff(a, out, err),
    }
}

fn doc(args: &DocArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let ruleset = Ruleset::load(&args.rules, &Default::default())?;
    super::print_warnings(err, &ruleset.warnings);
    let reference = crate::rules::doc::reference(&ruleset);
    let text = match args.format {
        DocFormat::Json => super::output::to_json(&reference)?,
        DocFormat::Markdown => crate::report::rules::render_doc(&reference),
    };
    write_out(out, &text)
}

/// The scenario, the ruleset and the review of a one-year outcome.
fn one_year(o: &Outcome) -> Result<(&Scenario, &Ruleset, &Review)> {
    match (o.input.scenario(), o.rulesets.first(), o.reviews.first()) {
        (Some(s), Some(r), Some(v)) => Ok((s, r, v)),
        _ => Err(Error::internal("`waku rules diff` reviewed no single year")),
    }
}

fn diff(args: &RulesDiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let stage = if args.money { Stage::Allocate } else { Stage::Review };
    let side = |rules: &PathBuf| -> Result<Outcome> {
        let load = LoadOptions {
            set: Vec::new(),
            rules_dir: Some(rules.clone()),
            allow_outside_paths: args.allow_outside_paths,
            tables: None,
        };
        let options = pipeline::Options {
            load,
            stage,
            allocate: AllocateOptions { solver: args.solver, fast: super::fast_paths(), effects: false },
            review: crate::review::Options { fast: super::fast_paths(), ..Default::default() },
            ..pipeline::Options::default()
        };
        pipeline::run(pipeline::load_year(&args.scenario, &options.load)?, &options)
    };
    let (old, new) = (side(&args.old)?, side(&args.new)?);
    super::print_script_output(err, &old.printed);
    super::print_script_output(err, &new.printed);
    let ((scenario, ra, va), (_, rb, vb)) = (one_year(&old)?, one_year(&new)?);
    let d = crate::whatif::rules::compare(scenario, (ra, va), (rb, vb));
    let money = match (args.money, old.year(), new.year()) {
        (false, _, _) => None,
        (true, Some(a), Some(b)) => {
            let (x, y) = match (a.allocation, b.allocation) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(e), _) | (_, Err(e)) => return Err(Error::Infeasible(Box::new(e.clone()))),
            };
            Some(crate::whatif::diff::diff(&a, x, &b, y))
        }
        _ => return Err(Error::internal("`waku rules diff --money` allocated no single year")),
    };
    let text = match args.format {
        DocFormat::Json => {
            #[derive(serde::Serialize)]
            struct Both<'a> {
                #[serde(flatten)]
                rules: &'a crate::whatif::rules::RulesDiff,
                #[serde(skip_serializing_if = "Option::is_none")]
                money: Option<&'a crate::whatif::diff::Diff>,
            }
            super::output::to_json(&Both { rules: &d, money: money.as_ref() })?
        }
        DocFormat::Markdown => {
            let money = money.as_ref().map(|m| crate::report::diff::render_markdown(m, false));
            crate::report::rules::render_diff(&d, scenario.display_unit, money.as_deref())
        }
    };
    write_out(out, &text)
}
