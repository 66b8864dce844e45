//! `waku run` and `waku explain`: allocation of envelopes and the reserve, and why.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

pub use super::output::RunFormat;
use super::output::{emit, sheets, to_json, unsupported, verdict};
use super::{ScenarioArgs, print_warnings};
use crate::allocate::{self, Allocation, Solver};
use crate::fiscal::PlanOutcome;
use crate::pipeline::{self, Allocated, Stage};
use crate::review::Review;
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
    /// The language. The terminal table: `en` (English headings beside the Japanese names, the
    /// default) or `ja` (Japanese throughout). The memo (`--format markdown`): Japanese unless
    /// `--lang en` is given. The HTML report and the spreadsheets are Japanese either way.
    #[arg(long, value_enum)]
    pub lang: Option<super::LangArg>,
    /// Run the scenario again under another allocation style (`priority`, `ceiling` or `balanced`)
    /// and show the two side by side, bureau by bureau (`--format table` or `json`).
    #[arg(long, value_name = "STYLE")]
    pub compare_style: Option<String>,
}

/// How `waku run` allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Central,
    Autonomous,
    Compare,
}

impl From<Mode> for pipeline::Mode {
    fn from(m: Mode) -> pipeline::Mode {
        match m {
            Mode::Central => pipeline::Mode::Central,
            Mode::Autonomous => pipeline::Mode::Autonomous,
            Mode::Compare => pipeline::Mode::Compare,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A bureau or program (by its id or its name, e.g. 市民文化スポーツ局) or a constraint name.
    pub subject: String,
    /// The LP/MILP solver.
    #[arg(long, value_enum, default_value = "auto")]
    pub solver: Solver,
    /// The language of the explanation: `ja` (a budget office's Japanese, the default) or `en`.
    #[arg(long, value_enum, default_value = "ja")]
    pub lang: allocate::Lang,
    /// `table`: why, in words; on a stage of the budget cycle, `markdown` or `html` gives a program's
    /// 査定調書 and `markdown` a bureau's 内示 memo.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ExplainFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// What `waku explain` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Table,
    Markdown,
    Html,
}

/// `waku run`; the outcome is left in `leave` for the caller to free (see [`super::Finished`]).
pub fn run(args: &RunArgs, out: &mut dyn Write, err: &mut dyn Write, leave: &mut super::Leave) -> Result<()> {
    if args.format == RunFormat::Xlsx && args.out.is_none() {
        return Err(Error::input(
            Diagnostic::error("`--format xlsx` writes a binary workbook and needs `--out FILE`")
                .hint("e.g. `--format xlsx --out allocation.xlsx`, or `--format csv` for standard output"),
        ));
    }
    let path = &args.scenario.scenario;
    if args.emit_lp.is_some() && crate::scenario::is_plan(path) {
        return Err(super::plan::no_lp());
    }
    if args.programs && args.mode != Mode::Central {
        return Err(Error::input(
            Diagnostic::error("`--programs` lists every program of the central table; `--mode autonomous|compare` does not print it")
                .hint("`--mode autonomous --format json` has every program's two-level allocation; the table lists the programs each bureau moved"),
        ));
    }
    if args.emit_lp.is_some() && args.mode != Mode::Central {
        return Err(Error::input(
            Diagnostic::error(
                "`--emit-lp` writes the central allocation model; `--mode autonomous|compare` has two levels",
            )
            .hint(
                "run `--emit-lp` without `--mode` (level 1 is that model on the revenue without the bureaus' savings)",
            ),
        ));
    }
    let mut options = args.scenario.options(Stage::Allocate);
    options.mode = args.mode.into();
    options.allocate.solver = args.solver;
    options.allocate.effects = true;
    if let Some(other) = &args.compare_style {
        return compare_styles(args, other, &options, out, err);
    }
    let input = pipeline::load(path, &options.load)?;
    print_warnings(err, input.warnings());
    let outcome = pipeline::run(input, &options)?;
    super::print_script_output(err, &outcome.printed);
    // The LP text only when asked for (writing it costs as much as the model's solve).
    if let Some(path) = &args.emit_lp
        && let Some(lp) = outcome.lp()
    {
        crate::report::write_atomic(path, lp.as_bytes())?;
    }
    let result = match &outcome.allocated {
        Some(Allocated::Infeasible(d)) => Err(Error::Infeasible(d.clone())),
        Some(Allocated::Central(o)) if outcome.input.plan().is_some() => super::plan::report(
            args.format,
            args.out.as_deref(),
            args.lang,
            o,
            &outcome.reviews,
            &outcome.input.years(),
            out,
        ),
        Some(Allocated::Central(o)) => {
            let years = outcome.input.years();
            let stage = match (outcome.input.scenario(), &outcome.stage, o.allocations.first()) {
                (Some(sc), Some(st), Some(a)) => sc.cycle.as_ref().map(|c| crate::report::stage::report(sc, c, st, a)),
                _ => None,
            };
            if stage.is_some() && args.format == RunFormat::Xlsx {
                // A stage's workbook adds 査定調書 rows per bureau, from every stage of its cycle.
                let rows = crate::report::satei::rows(&pipeline::run_stages(path, &options)?)?;
                let bytes = crate::report::sheet::RunSheets::new(o, std::slice::from_ref(&outcome.reviews[0]), &years)
                    .xlsx_with(Some(&rows))?;
                emit(out, args.out.as_deref(), &bytes).and_then(|()| verdict(o))
            } else {
                report(args, o, &outcome.reviews[0], &years, stage.as_ref(), out)
            }
        }
        Some(Allocated::Autonomous(a)) => autonomous_report(args, a, &outcome.reviews, &outcome.input.years())
            .and_then(|bytes| autonomous_out(args, &outcome.run_warnings, &bytes, out, err))
            .and_then(|()| verdict(&a.outcome)),
        Some(Allocated::Compare(c)) => compare_text(args, c)
            .and_then(|text| autonomous_out(args, &outcome.run_warnings, text.as_bytes(), out, err))
            .and_then(|()| verdict(&c.autonomous.outcome)),
        None => Err(Error::internal("`waku run` stopped before allocating")),
    };
    leave.push(Box::new(outcome));
    result
}

/// `--compare-style OTHER`: the scenario as it is and under `policy.style=OTHER`, side by side.
fn compare_styles(
    args: &RunArgs,
    other: &str,
    options: &pipeline::Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    use crate::scenario::Style;
    let Some(style) = Style::parse(other) else {
        return Err(Error::input(
            Diagnostic::error(format!("unknown allocation style `{other}` in `--compare-style`"))
                .note("expected `priority` (優先度配分), `ceiling` (一律シーリング) or `balanced` (均衡配分)")
                .suggest(other, Style::ALL.iter().map(|s| s.id())),
        ));
    };
    if args.mode != Mode::Central || args.emit_lp.is_some() || args.programs {
        return Err(Error::input(
            Diagnostic::error("`--compare-style` compares two central allocations by bureau")
                .hint("leave out `--mode`, `--emit-lp` and `--programs`"),
        ));
    }
    if !matches!(args.format, RunFormat::Table | RunFormat::Json) {
        return Err(Error::input(
            Diagnostic::error(format!(
                "`--format {}` is not available with `--compare-style`",
                super::output::format_name(args.format)
            ))
            .hint("use `--format table` or `--format json`"),
        ));
    }
    let path = &args.scenario.scenario;
    let allocation = |options: &pipeline::Options, err: &mut dyn Write| -> Result<Allocation> {
        let input = pipeline::load(path, &options.load)?;
        if input.plan().is_some() || input.scenario().is_some_and(|s| s.cycle.is_some()) {
            return Err(Error::input(
                Diagnostic::error(
                    "`--compare-style` compares one year; a plan or a stage of the budget cycle has more",
                )
                .hint("run it on a single-year scenario"),
            ));
        }
        print_warnings(err, input.warnings());
        let outcome = pipeline::run(input, options)?;
        super::print_script_output(err, &outcome.printed);
        match outcome.allocated {
            Some(Allocated::Central(o)) => {
                o.allocations.into_iter().next().ok_or_else(|| Error::internal("no allocation"))
            }
            Some(Allocated::Infeasible(d)) => Err(Error::Infeasible(d)),
            _ => Err(Error::internal("`waku run --compare-style` stopped before allocating")),
        }
    };
    let first = allocation(options, err)?;
    let mut second_options = options.clone();
    second_options.load.set.push(format!("policy.style={}", style.id()));
    let second = allocation(&second_options, &mut std::io::sink())?;
    let comparison = crate::report::styles::StyleComparison::new(&first, &second);
    let text = match args.format {
        RunFormat::Json => to_json(&comparison)?,
        _ => comparison.render(&first, crate::report::terminal::Palette::for_stdout(args.out.is_none())),
    };
    emit(out, args.out.as_deref(), text.as_bytes())
}

/// `--mode autonomous` in any format: the text and JSON of the two levels, or the memo, HTML
/// report and spreadsheets of the two-level allocation (its `outcome`), with each bureau's levels
/// in the memo.
fn autonomous_report(
    args: &RunArgs,
    a: &crate::autonomy::AutonomousPlan,
    reviews: &[Review],
    scenarios: &[&crate::scenario::Scenario],
) -> Result<Vec<u8>> {
    if let Some(bytes) = sheets(args.format, &a.outcome, reviews, scenarios)? {
        return Ok(bytes);
    }
    match args.format {
        RunFormat::Html => crate::report::html::render(&a.outcome, reviews).map(String::into_bytes),
        RunFormat::Markdown => {
            let o = &a.outcome;
            let mut text = String::new();
            if o.multi_year {
                text = format!(
                    "# {} {} — 自律的な予算編成（複数年度）
",
                    o.city, o.plan
                );
            }
            for (t, y) in a.years.iter().enumerate() {
                let lang = super::LangArg::memo(args.lang);
                let memo = crate::report::markdown::memo(
                    &y.allocation,
                    o.fiscal_health.years.get(t),
                    reviews.get(t),
                    false,
                    lang,
                );
                let memo = memo.replacen("— 枠配分の結果", "— 自律的な予算編成（2段階）の結果", 1);
                let mut memo = memo.replacen("— envelope allocation", "— autonomous budgeting (two levels)", 1);
                memo.push_str(&crate::report::autonomy::bureaus_markdown(y));
                text.push_str(&if o.multi_year {
                    format!("\n{}", crate::report::markdown::demote(&memo))
                } else {
                    memo
                });
            }
            Ok(text.into_bytes())
        }
        _ => autonomous_text(args, a).map(String::into_bytes),
    }
}

/// `--mode autonomous` as text or JSON: a year's two-level table and its fiscal health, or a plan's
/// table followed by each year's bureaus.
fn autonomous_text(args: &RunArgs, a: &crate::autonomy::AutonomousPlan) -> Result<String> {
    let multi = a.outcome.multi_year;
    let style = crate::report::terminal::Style::for_stdout(args.out.is_none(), args.lang.unwrap_or_default().into());
    match args.format {
        RunFormat::Json if multi => to_json(&a.plan_json()),
        RunFormat::Json => to_json(&a.year_json()),
        RunFormat::Table => {
            let mut text = String::new();
            if multi {
                let table = crate::report::fiscal::render_plan_table_in(&a.outcome, style);
                let (title, rest) = table.split_once('\n').unwrap_or((&table, ""));
                text.push_str(&format!(
                    "{title}\ntwo levels (`--mode autonomous`): each year's envelopes under the plan's limits, then each bureau's own policy inside its envelope; the bureaus follow the plan's table\n{rest}"
                ));
            }
            for y in &a.years {
                if multi {
                    text.push_str(&format!("\n── FY{}\n", y.allocation.fiscal_year));
                }
                text.push_str(&crate::report::autonomy::render_table_in(y, style));
            }
            if !multi {
                text.push_str(&crate::report::fiscal::render_health_table_in(&a.outcome, style));
            }
            Ok(text)
        }
        f => Err(unsupported(f, "`--mode autonomous`")),
    }
}

/// `--mode compare` as text or JSON: each year's bureaus, central against two levels.
fn compare_text(args: &RunArgs, c: &crate::autonomy::ComparePlan) -> Result<String> {
    let multi = c.central.multi_year;
    let style = crate::report::terminal::Style::for_stdout(args.out.is_none(), args.lang.unwrap_or_default().into());
    match args.format {
        RunFormat::Json if multi => to_json(&c.json()),
        RunFormat::Json => to_json(&c.years.first()),
        RunFormat::Markdown if multi => {
            let mut text = format!("# {} {} — 中央の配分と自律的な予算編成の比較（複数年度）\n", c.central.city, c.central.plan);
            for y in &c.years {
                text.push('\n');
                text.push_str(&crate::report::markdown::demote(&crate::report::autonomy::compare_markdown(y)));
            }
            Ok(text)
        }
        RunFormat::Markdown => Ok(c.years.first().map(crate::report::autonomy::compare_markdown).unwrap_or_default()),
        RunFormat::Table => {
            let mut text = String::new();
            for (t, y) in c.years.iter().enumerate() {
                if multi {
                    text.push_str(&format!("{}── FY{}\n", if t > 0 { "\n" } else { "" }, y.central.fiscal_year));
                }
                text.push_str(&crate::report::autonomy::render_compare_in(y, style));
            }
            Ok(text)
        }
        f => Err(Error::input(
            Diagnostic::error(format!(
                "`--format {}` writes one allocation; `--mode compare` has two (central and autonomous)",
                super::output::format_name(f)
            ))
            .hint("write each with `--mode central` and `--mode autonomous`, or the comparison with `--format markdown`, `table` or `json`"),
        )),
    }
}

/// Autonomous and compare mode: the bureaus' warnings (clamped requests), then the report.
fn autonomous_out(
    args: &RunArgs,
    warnings: &[Diagnostic],
    bytes: &[u8],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    for w in warnings {
        let _ = writeln!(err, "{}", w.render());
    }
    emit(out, args.out.as_deref(), bytes)
}

/// Writes the report of a year's run in the format asked for; its verdict.
fn report(
    args: &RunArgs,
    outcome: &PlanOutcome,
    review: &Review,
    scenarios: &[&crate::scenario::Scenario],
    stage: Option<&crate::report::stage::StageReport>,
    out: &mut dyn Write,
) -> Result<()> {
    if let Some(bytes) = sheets(args.format, outcome, std::slice::from_ref(review), scenarios)? {
        emit(out, args.out.as_deref(), &bytes)?;
        return verdict(outcome);
    }
    let allocation = &outcome.allocations[0];
    let text = match args.format {
        RunFormat::Json => pipeline::YearJson { allocation, fiscal_health: &outcome.fiscal_health, stage }.text()?,
        RunFormat::Markdown => crate::report::markdown::memo(
            allocation,
            outcome.fiscal_health.years.first(),
            Some(review),
            args.programs,
            super::LangArg::memo(args.lang),
        ),
        RunFormat::Table => {
            let style =
                crate::report::terminal::Style::for_stdout(args.out.is_none(), args.lang.unwrap_or_default().into());
            let mut text = crate::report::allocation::render_table_in(allocation, args.programs, style);
            text.push_str(&crate::report::fiscal::render_health_table_in(outcome, style));
            if let Some(st) = stage {
                text.push_str(&crate::report::stage::render_table(st, allocation.display_unit));
            }
            text
        }
        RunFormat::Html => crate::report::html::render(outcome, std::slice::from_ref(review))?,
        f @ (RunFormat::Csv | RunFormat::Xlsx) => return Err(unsupported(f, "this run")),
    };
    emit(out, args.out.as_deref(), text.as_bytes())?;
    verdict(outcome)
}

/// `waku explain`: the year's allocation as `waku run` makes it (with `[fiscal]`, the ratio
/// limits held), and why a program, bureau or constraint ended where it did.
pub fn explain(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let mut options = args.scenario.options(Stage::Allocate);
    options.allocate.solver = args.solver;
    if args.format != ExplainFormat::Table {
        return paper(args, &options, out, err);
    }
    options.allocate.effects = true;
    let outcome = pipeline::run(pipeline::load_year(&args.scenario.scenario, &options.load)?, &options)?;
    super::print_script_output(err, &outcome.printed);
    let year = outcome.year().ok_or_else(|| Error::internal("`waku explain` ran no single year"))?;
    let allocation = year.allocation.map_err(|d| Error::Infeasible(Box::new(d.clone())))?;
    let mut text = String::new();
    for line in
        crate::report::set_lines(&[(year.scenario.fiscal_year, &year.scenario.overrides)], year.scenario.display_unit)
    {
        text.push_str(&line);
        text.push('\n');
    }
    let viewpoints: Vec<(String, String)> = outcome
        .rulesets
        .first()
        .map(|r| {
            r.viewpoints
                .iter()
                .map(|v| {
                    let number = v.number.map_or_else(String::new, |n| format!("視点{n} "));
                    (v.id.clone(), format!("{number}{}", v.name_ja))
                })
                .collect()
        })
        .unwrap_or_default();
    let cx = allocate::Context {
        scenario: year.scenario,
        review: Some(year.review),
        viewpoints: &viewpoints,
        lang: args.lang,
    };
    text.push_str(&allocate::explain(allocation, &cx, &args.subject)?);
    emit(out, args.out.as_deref(), text.as_bytes())
}

/// `waku explain <stage> <subject> --format markdown|html`: a program's 査定調書 or a bureau's
/// 内示 memo, from every stage of the cycle up to this one.
fn paper(args: &ExplainArgs, options: &pipeline::Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let outcomes = pipeline::run_stages(&args.scenario.scenario, options)?;
    for o in &outcomes {
        super::print_script_output(err, &o.printed);
    }
    let last = outcomes.last().and_then(|o| o.input.scenario());
    let bureau = last.is_some_and(|sc| {
        matches!(
            crate::scenario::names::Names::of(sc).find(&args.subject, &[crate::scenario::names::Kind::Bureau]),
            crate::scenario::names::Lookup::Found(..)
        )
    });
    let text = match (bureau, args.format) {
        (true, ExplainFormat::Markdown) => crate::report::satei::memo(&outcomes, &args.subject)?.markdown(),
        (true, _) => {
            return Err(Error::input(
                Diagnostic::error("a bureau's 内示 memo is written as Markdown")
                    .hint("use `--format markdown` for the memo, or name a program for its 査定調書 in HTML"),
            ));
        }
        (false, ExplainFormat::Html) => crate::report::satei::chousho(&outcomes, &args.subject)?.html()?,
        (false, _) => crate::report::satei::chousho(&outcomes, &args.subject)?.markdown(),
    };
    emit(out, args.out.as_deref(), text.as_bytes())
}
