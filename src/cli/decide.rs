//! `waku decide`: one 査定 decision written into a stage file in place (comments and layout kept),
//! checked as the stage runs, and written atomically.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::write_out;
use crate::cycle::decide::{self, Decision};
use crate::diagnostic::{Diagnostic, Source};
use crate::pipeline::{self, Allocated, Stage};
use crate::scenario::names::{Kind, Lookup, Names};
use crate::{Error, Result};

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The stage file to write the decision into (a scenario with `[stage]`).
    pub stage: PathBuf,
    /// The program, by its id or its name.
    pub program: String,
    /// The amount decided (事業費), e.g. `1.2億円` or `120,000千円`.
    #[arg(long, conflicts_with_all = ["min", "max"])]
    pub amount: Option<String>,
    /// Or the least the allocation may give it.
    #[arg(long)]
    pub min: Option<String>,
    /// Or the most.
    #[arg(long)]
    pub max: Option<String>,
    /// The disposition, by its code or label: `①`, `要求通り`, `②精査のうえ計上` ….
    #[arg(long)]
    pub disposition: Option<String>,
    /// Why (required): the sentence that goes on the 査定調書.
    #[arg(long)]
    pub reason: Option<String>,
    /// Who decided (default: the stage's `author`).
    #[arg(long)]
    pub author: Option<String>,
    /// When, `2026-01-15` (default: today).
    #[arg(long)]
    pub date: Option<String>,
    /// Use this rules folder instead of the scenario's.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Allow `extends` and inventory paths outside the stage's folder tree.
    #[arg(long)]
    pub allow_outside_paths: bool,
}

pub fn run(args: &DecideArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let reason = args.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let Some(reason) = reason else {
        return Err(Error::input(
            Diagnostic::error(format!("a decision on `{}` needs a reason", args.program))
                .hint("every override goes on the 査定調書 with its reason: add `--reason \"…\"`"),
        ));
    };
    let Some(disposition) = args.disposition.as_deref().map(str::trim).filter(|d| !d.is_empty()) else {
        return Err(Error::input(
            Diagnostic::error(format!("a decision on `{}` needs a disposition", args.program)).hint(
                "add `--disposition ①` (要求通り), `②` (精査のうえ計上), `③`, `④` or `⑤`, or the stage's own codes",
            ),
        ));
    };
    if let Some(d) = args.date.as_deref().filter(|d| !crate::scenario::stage::is_date(d)) {
        return Err(Error::input(
            Diagnostic::error(format!("`--date {d}` is not a date"))
                .hint("write the date as year-month-day, e.g. `--date 2026-01-15`"),
        ));
    }
    let options = pipeline::Options {
        load: crate::scenario::LoadOptions {
            set: Vec::new(),
            rules_dir: args.rules.clone(),
            allow_outside_paths: args.allow_outside_paths,
            tables: None,
        },
        stage: Stage::Allocate,
        ..pipeline::Options::default()
    }
    .with_fast(super::fast_paths());
    let shown = Source::display_path(&args.stage);

    // The stage as it is: it must be one, and name the program.
    let before = pipeline::run(pipeline::load_year(&args.stage, &options.load)?, &options)?;
    let sc = before.input.scenario().ok_or_else(|| Error::internal("`waku decide` loaded no single year"))?;
    let is_stage = sc.cycle.as_ref().is_some_and(|c| c.stage().path.as_deref() == Some(args.stage.as_path()));
    if !is_stage {
        return Err(Error::input(
            Diagnostic::error(format!("`{shown}` is not a stage file: it has no `[stage]`"))
                .hint("decisions are written into a stage of the budget cycle (`[stage]` with `name` and `kind`)"),
        ));
    }
    let names = Names::of(sc);
    let id = match names.find(&args.program, &[Kind::Program]) {
        Lookup::Found(_, id) => id.to_string(),
        Lookup::Ambiguous(kind, ids) => {
            return Err(Error::input(
                Diagnostic::error(Names::ambiguous(&args.program, kind, &ids))
                    .hint(format!("name the program by its id, e.g. `waku decide {shown} {} …`", ids[0])),
            ));
        }
        Lookup::NotFound => {
            return Err(Error::input(
                Diagnostic::error(format!("no program `{}` in `{shown}`", args.program))
                    .hint_opt(names.did_you_mean(&args.program, &[Kind::Program])),
            ));
        }
    };
    let program = sc.program(&id).ok_or_else(|| Error::internal("a program found by name has no entry"))?;
    let decision = Decision {
        program: id.clone(),
        aliases: vec![program.name.clone()],
        amount: args.amount.clone(),
        min: args.min.clone(),
        max: args.max.clone(),
        disposition: disposition.to_string(),
        reason: reason.to_string(),
        author: args.author.clone(),
        date: Some(args.date.clone().unwrap_or_else(decide::today)),
    };
    let text =
        std::fs::read_to_string(&args.stage).map_err(|e| Error::io(format_args!("cannot read `{shown}`",), &e))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let edited = decide::edit(&shown, text, &decision)?;

    // The stage with the decision, validated and allocated before anything is written.
    let name = args.stage.to_string_lossy();
    let after = pipeline::run(pipeline::load_str(&name, &edited, &options.load)?, &options)?;
    if let Some(Allocated::Infeasible(d)) = &after.allocated {
        return Err(Error::Infeasible(Box::new(
            d.as_ref().clone().note(format!("nothing was written: `{shown}` is as it was")),
        )));
    }
    crate::report::rewrite_atomic(&args.stage, edited.as_bytes())?;
    super::print_script_output(err, &after.printed);
    write_out(out, &summary(&before, &after, &id, &shown))
}

/// What the decision did: the program's amount and disposition, and the reserve, before and after.
fn summary(before: &pipeline::Outcome, after: &pipeline::Outcome, id: &str, shown: &str) -> String {
    let (Some(y0), Some(y1)) = (before.year(), after.year()) else { return String::new() };
    let u = y1.scenario.display_unit;
    let amount = |y: &pipeline::YearOutcome<'_>| {
        y.allocation.ok().and_then(|a| a.programs.iter().find(|p| p.id == id)).map(|p| p.allocated)
    };
    let disposition = |y: &pipeline::YearOutcome<'_>| -> String {
        let (Some(c), Some(s)) = (y.scenario.cycle.as_ref(), y.stage) else { return String::new() };
        s.programs.iter().find(|p| p.id == id).map_or_else(String::new, |p| c.dispositions[p.disposition].name())
    };
    let reserve = |y: &pipeline::YearOutcome<'_>| y.allocation.ok().map(|a| a.reserve);
    let show = |m: Option<crate::Money>| m.map_or_else(|| "—".to_string(), |m| m.format(u));
    let name = y1.scenario.program(id).map_or("", |p| p.name.as_str());
    let place = y1
        .scenario
        .cycle
        .as_ref()
        .and_then(|c| c.decisions.iter().rev().find(|d| d.program == id && d.stage == c.current()))
        .map_or_else(|| shown.to_string(), |d| d.place());
    format!(
        "decided `{id}` {name} in {place}\n  amount  {} ({}) → {} ({})\n  reserve {} → {}\n",
        show(amount(&y0)),
        disposition(&y0),
        show(amount(&y1)),
        disposition(&y1),
        show(reserve(&y0)),
        show(reserve(&y1)),
    )
}
