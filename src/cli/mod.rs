//! The `waku` command line: argument parsing and dispatch. Each subcommand lives in its own file.

mod check;
mod decide;
mod diff;
mod evaluate;
mod output;
mod plan;
mod review;
mod rules;
mod run;
pub mod serve;
mod sweep;
mod test;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::fast::FastPaths;
use crate::pipeline::{self, Stage};
use crate::scenario::{self, LoadOptions};
use crate::{Diagnostic, Error, Result};

/// waku (枠): budget review and envelope allocation for cities.
#[derive(Debug, Parser)]
#[command(name = "waku", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate a scenario and its rules; print a one-screen summary.
    Check(check::CheckArgs),
    /// Run the six viewpoint rules and the assessment policy on every program.
    Review(review::ReviewArgs),
    /// Review and allocate: envelopes by bureau and the mayor's reserve.
    Run(run::RunArgs),
    /// Explain why a program, bureau or constraint ended where it did.
    Explain(run::ExplainArgs),
    /// Compare a variant with its base: what moved, largest first, reconciled to the yen.
    Diff(diff::DiffArgs),
    /// Write a 査定 decision (amount, disposition, reason) into a stage file, keeping its comments.
    Decide(decide::DecideArgs),
    /// Run rule tests (`rules/tests/*.toml`) and scenarios' `[[expect]]`; exit 1 with a diff when one fails.
    Test(test::TestArgs),
    /// Run many variants of a scenario in parallel (`--vary NAME=LO..HI:N`); CSV or JSON per variant.
    Sweep(sweep::SweepArgs),
    /// Generate a synthetic city (scenario + inventory) for scale tests.
    Generate(GenerateArgs),
    /// The evaluation after the year: KPIs, achievement, verdicts, and each cluster's 経営分析 with its KPI tree.
    Evaluate(evaluate::EvaluateArgs),
    /// Print the JSON Schema of the scenario format (for editors).
    Schema,
    /// For policy designers: `rules doc` (the reference of a rules folder), `rules diff` (what a change of the rules does).
    Rules(rules::RulesArgs),
    /// A local web workbench and JSON API over a folder of scenarios (127.0.0.1; nothing from the network).
    Serve(serve::ServeArgs),
}

/// Arguments of `waku generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of programs.
    #[arg(long, default_value_t = 3000)]
    pub programs: usize,
    /// Number of departments (bureaus).
    #[arg(long, default_value_t = 20)]
    pub departments: usize,
    /// Random seed: the same seed gives the same city.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The scenario and how to load it; shared by every command that reads one.
#[derive(Debug, Clone, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override a scalar, e.g. `--set policy.investment_cap=620億円` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Use this rules folder instead of the scenario's.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Allow `extends` and inventory paths outside the scenario's folder tree.
    #[arg(long)]
    pub allow_outside_paths: bool,
}

impl ScenarioArgs {
    /// How to load the scenario (or a plan's year files): `--set`, `--rules`, `--allow-outside-paths`.
    pub(crate) fn load_options(&self) -> LoadOptions {
        LoadOptions {
            set: self.set.clone(),
            rules_dir: self.rules.clone(),
            allow_outside_paths: self.allow_outside_paths,
            tables: None,
        }
    }

    /// The pipeline's options for these arguments, running as far as `stage`, with the fast paths
    /// the environment leaves on.
    pub(crate) fn options(&self, stage: Stage) -> pipeline::Options {
        pipeline::Options { load: self.load_options(), stage, ..pipeline::Options::default() }.with_fast(fast_paths())
    }
}

/// The fast paths the environment leaves on (`WAKU_FAST_PATHS=off`, `WAKU_NO_…`; README "Performance").
pub(crate) fn fast_paths() -> FastPaths {
    FastPaths::from_env(|k| std::env::var(k).ok())
}

/// Writes what the rule scripts printed (`print`, `debug`) on standard error, a line each.
pub(crate) fn print_script_output(err: &mut dyn Write, printed: &[String]) {
    for line in printed {
        let _ = writeln!(err, "{line}");
    }
}

/// Prints warnings on standard error as `waku check` does (a closed stream is not worth failing for).
pub(crate) fn print_warnings<'a>(err: &mut dyn Write, warnings: impl IntoIterator<Item = &'a Diagnostic>) {
    for w in warnings {
        let _ = write!(err, "{}", w.render());
    }
}

/// The language of the terminal tables (`--lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LangArg {
    /// English headings beside the Japanese names.
    #[default]
    En,
    /// Japanese throughout, as a bureau chief reads it.
    Ja,
}

impl LangArg {
    /// The memo's language: Japanese unless `--lang en` was given (the terminal's default is `en`).
    pub(crate) fn memo(lang: Option<LangArg>) -> crate::allocate::Lang {
        match lang {
            Some(LangArg::En) => crate::allocate::Lang::En,
            _ => crate::allocate::Lang::Ja,
        }
    }
}

impl From<LangArg> for crate::report::terminal::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => crate::report::terminal::Lang::En,
            LangArg::Ja => crate::report::terminal::Lang::Ja,
        }
    }
}

/// Output format for commands that print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// A finished command: its exit code, and the large results it leaves behind (a city's scenario,
/// review, model and allocation), for the caller to free — or, in the binary, which exits right
/// away, to leave to the operating system (freeing a 100,000-program city one allocation at a
/// time took about 0.2 s).
pub struct Finished {
    pub code: i32,
    pub results: Vec<Box<dyn std::any::Any>>,
}

/// Starts the watchdog behind the scripts' time limit: a rule script still running after
/// [`crate::rules::engine::BACKSTOP`] (one long call that the operation counter and the time limit,
/// which act between operations, cannot interrupt) stops the process with a located error (exit 2).
/// The binary calls this; in-process callers (tests) do not, so nothing exits under them.
pub fn install_watchdog() {
    let spawned = std::thread::Builder::new().name("waku-watchdog".into()).spawn(|| {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            if let Some(r) = crate::rules::engine::overdue() {
                let d = crate::Diagnostic::error(format!(
                    "the script ran longer than {} s and was stopped",
                    crate::rules::engine::BACKSTOP.as_secs()
                ))
                .at(crate::diagnostic::Location::new(&r.script, 0..0))
                .note(r.note)
                .note("the run was stopped in the middle of one long operation, so its line is not known")
                .hint("look for an operation on a very large value, or a loop; a rule needs a few hundred operations per program");
                crate::files::abandon_writes();
                let _ = std::io::Write::write_all(&mut std::io::stderr(), d.render().as_bytes());
                std::process::exit(2);
            }
        }
    });
    drop(spawned);
}

/// Where a command puts the results it leaves behind (see [`Finished`]).
pub(crate) type Leave = Vec<Box<dyn std::any::Any>>;

/// Runs the CLI with `args`, writing results to `out` and errors to `err`; returns the exit code.
/// Every result is freed before it returns (see [`run_command`] to keep them).
pub fn main_with(args: impl IntoIterator<Item = OsString>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_command(args, out, err).code
}

/// Runs the CLI with `args`, writing results to `out` and errors to `err`: the exit code and the
/// command's large results, left for the caller.
pub fn run_command(args: impl IntoIterator<Item = OsString>, out: &mut dyn Write, err: &mut dyn Write) -> Finished {
    let mut results = Leave::new();
    let code = exit_code(args, out, err, &mut results);
    Finished { code, results }
}

fn exit_code(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    leave: &mut Leave,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { err.write_all(text.as_bytes()) } else { out.write_all(text.as_bytes()) };
            return code;
        }
    };
    // A panic is a bug: it ends the command as an internal error (exit 4) that says what was running.
    let what = command_words(&cli.command);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(cli.command, out, err, leave)))
        .unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(Error::internal(format!("waku stopped unexpectedly during `waku {what}`: {message}")))
        });
    match result {
        Ok(()) => 0,
        // A failed check or test has printed its own report; anything else prints here, once.
        Err(e @ Error::ChecksFailed(_)) => e.exit_code(),
        Err(e) => {
            let _ = writeln!(err, "{e}");
            e.exit_code()
        }
    }
}

/// The command and its main argument, for an internal error's context.
fn command_words(command: &Command) -> String {
    match command {
        Command::Check(a) => format!("check {}", a.scenario.scenario.display()),
        Command::Review(a) => format!("review {}", a.scenario.scenario.display()),
        Command::Run(a) => format!("run {}", a.scenario.scenario.display()),
        Command::Explain(a) => format!("explain {} {}", a.scenario.scenario.display(), a.subject),
        Command::Diff(a) => format!("diff {} {}", a.base.display(), a.variant.display()),
        Command::Decide(a) => format!("decide {} {}", a.stage.display(), a.program),
        Command::Test(a) => {
            format!("test {}", a.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" "))
        }
        Command::Sweep(a) => format!("sweep {}", a.scenario.scenario.display()),
        Command::Generate(_) => "generate".into(),
        Command::Evaluate(a) => format!("evaluate {}", a.scenario.scenario.display()),
        Command::Schema => "schema".into(),
        Command::Serve(a) => format!("serve {}", a.dir.display()),
        Command::Rules(a) => match &a.command {
            rules::RulesCommand::Doc(d) => format!("rules doc {}", d.rules.display()),
            rules::RulesCommand::Diff(d) => {
                format!("rules diff {} {} {}", d.old.display(), d.new.display(), d.scenario.display())
            }
        },
    }
}

fn dispatch(command: Command, out: &mut dyn Write, err: &mut dyn Write, leave: &mut Leave) -> Result<()> {
    match command {
        Command::Check(a) => check::run(&a, out, err),
        Command::Review(a) => review::run(&a, out, err),
        Command::Run(a) => run::run(&a, out, err, leave),
        Command::Explain(a) => run::explain(&a, out, err),
        Command::Diff(a) => diff::run(&a, out, err),
        Command::Decide(a) => decide::run(&a, out, err),
        Command::Test(a) => test::run(&a, out, err),
        Command::Sweep(a) => sweep::run(&a, out, err),
        Command::Rules(a) => rules::run(&a, out, err),
        Command::Evaluate(a) => evaluate::run(&a, out, err),
        Command::Serve(a) => serve::run(&a, out),
        Command::Generate(a) => {
            let spec = crate::generate::CitySpec { programs: a.programs, departments: a.departments, seed: a.seed };
            let path = crate::generate::write_city(&spec, &a.out)?;
            write_out(
                out,
                &format!(
                    "wrote {} ({} programs, {} departments, seed {})\n",
                    path.display(),
                    a.programs,
                    a.departments,
                    a.seed
                ),
            )
        }
        Command::Schema => {
            let schema = serde_json::to_string_pretty(&scenario::schema()).unwrap_or_default();
            write_out(out, &format!("{schema}\n"))
        }
    }
}

/// Writes to stdout; a closed pipe is not an error worth a message.
pub(crate) fn write_out(out: &mut dyn Write, text: &str) -> Result<()> {
    write_bytes(out, text.as_bytes())
}

/// Writes bytes (a report, perhaps binary) to stdout, as [`write_out`].
pub(crate) fn write_bytes(out: &mut dyn Write, bytes: &[u8]) -> Result<()> {
    match out.write_all(bytes) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("cannot write to standard output", &e)),
    }
}
