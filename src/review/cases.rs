//! Declarative rule tests: TOML case files (program attributes in → expected findings and assessment out).
//!
//! A case file (usually `rules/tests/*.toml`) holds `[[case]]` entries. Each names a program
//! (only the attributes that matter; the rest default), optional parameter overrides, and
//! what it expects of any viewpoint (by id) and of the assessment. `waku test` runs them and
//! prints a diff for every expectation that does not hold. See rules/README.md for the format.
//!
//! [`CaseResult`] and [`Mismatch`] are the shared report shape for everything `waku test`
//! runs, so scenario `[[expect]]` entries can report the same way.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::{Action, Context, Finding, ProgramReview};
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::money::Money;
use crate::number::from_f64 as decimal_from_f64;
use crate::rules::Ruleset;
use crate::scenario::{Attributes, Kpi, KpiDirection, Located, Program, ProgramKind, Strategy};
use crate::{Error, Result};

/// One expectation that did not hold.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// What was checked, e.g. `needs.action` or `assessment.max`.
    pub what: String,
    pub expected: String,
    pub found: String,
    /// Where the expectation is written (`file:line`).
    pub place: String,
    /// Extra context, e.g. the reason the rule gave.
    pub context: Option<String>,
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub name: String,
    /// `file:line` of the case.
    pub place: String,
    pub mismatches: Vec<Mismatch>,
    /// A script failed on the case's program: the rendered diagnostic.
    pub error: Option<String>,
    /// What the scripts printed (`print`, `debug`) while the case ran.
    pub printed: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty() && self.error.is_none()
    }

    /// The readable diff of a failed case (empty when it passed).
    pub fn render_failure(&self) -> String {
        if self.passed() {
            return String::new();
        }
        let mut out = format!("FAIL {}  {}\n", self.place, self.name);
        let width = self.mismatches.iter().map(|m| m.what.len()).max().unwrap_or(0);
        for m in &self.mismatches {
            let _ = writeln!(out, "  {:width$}  expected {}", m.what, m.expected);
            let _ = writeln!(out, "  {:width$}     found {}", "", m.found);
            let _ = writeln!(out, "  {:width$}           at {}", "", m.place);
            if let Some(c) = &m.context {
                let _ = writeln!(out, "  {:width$}           {c}", "");
            }
        }
        if let Some(e) = &self.error {
            for line in e.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        out
    }
}

/// A number or an inclusive range `[lo, hi]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Range {
    One(f64),
    Two([f64; 2]),
}

impl Range {
    fn bounds(&self) -> (Decimal, Decimal) {
        let d = |f: f64| decimal_from_f64(f).unwrap_or_default();
        match self {
            Range::One(x) => (d(*x), d(*x)),
            Range::Two([a, b]) => (d(*a), d(*b)),
        }
    }

    fn holds(&self, v: Decimal) -> bool {
        let (lo, hi) = self.bounds();
        lo <= v && v <= hi
    }

    fn describe(&self) -> String {
        match self.bounds() {
            (lo, hi) if lo == hi => lo.normalize().to_string(),
            (lo, hi) => format!("{}..={}", lo.normalize(), hi.normalize()),
        }
    }
}

/// Money, or an inclusive range of money.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum MoneyRange {
    One(MoneyText),
    Two([MoneyText; 2]),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum MoneyText {
    Text(String),
    Yen(i64),
}

impl MoneyText {
    fn money(&self) -> std::result::Result<Money, String> {
        match self {
            MoneyText::Yen(y) => Ok(Money::yen(*y)),
            MoneyText::Text(t) => Money::parse(t).map_err(|e| e.message),
        }
    }
}

impl MoneyRange {
    fn bounds(&self) -> std::result::Result<(Money, Money), String> {
        match self {
            MoneyRange::One(m) => m.money().map(|m| (m, m)),
            MoneyRange::Two([a, b]) => Ok((a.money()?, b.money()?)),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// The rules folder, relative to this file (default: the nearest folder above with a `ruleset.toml`).
    rules: Option<String>,
    /// Picks scheduled parameter values.
    fiscal_year: Option<i32>,
    #[serde(default)]
    case: Vec<Spanned<CaseEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseEntry {
    name: String,
    /// A bureau whose own policy (`departments/<id>.rhai` in the rules folder) then runs on the
    /// program, after the city's review; `expect.bureau` checks what it returns.
    bureau: Option<Spanned<String>>,
    /// The bureau's envelope the script sees as `bureau.envelope` (default 0).
    envelope: Option<MoneyText>,
    #[serde(default)]
    program: ProgramEntry,
    #[serde(default)]
    params: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    expect: BTreeMap<String, Spanned<Expect>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramEntry {
    id: Option<String>,
    name: Option<String>,
    department: Option<String>,
    cluster: Option<String>,
    kind: Option<String>,
    prior_cost: Option<MoneyText>,
    requested: Option<MoneyText>,
    subsidy_ratio: Option<f64>,
    fees: Option<MoneyText>,
    bondable_share: Option<f64>,
    strategy: Option<String>,
    #[serde(default)]
    next_generation: bool,
    #[serde(default)]
    all_or_nothing: bool,
    demand_trend: Option<f64>,
    satisfaction: Option<f64>,
    overlap_with: Option<String>,
    service_level: Option<f64>,
    digital_share: Option<f64>,
    private_capacity: Option<f64>,
    #[serde(default)]
    outsourced: bool,
    natural_savings: Option<MoneyText>,
    kpi: Option<KpiEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KpiEntry {
    indicator: Option<String>,
    baseline: f64,
    target: f64,
    actual: f64,
    /// `higher` (default) or `lower`.
    direction: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    action: Option<String>,
    score: Option<Range>,
    priority: Option<Range>,
    min_ratio: Option<Range>,
    max_ratio: Option<Range>,
    min: Option<MoneyRange>,
    max: Option<MoneyRange>,
    /// Text the reason must contain.
    reason: Option<String>,
}

/// Runs every case in the file at `path`.
pub fn run_file(path: &Path) -> Result<Vec<CaseResult>> {
    let kind = crate::files::Kind::RuleTests;
    let text = crate::files::read(path, kind)
        .map_err(|e| e.describe(kind))
        .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string()))
        .map_err(|why| {
            Error::input(Diagnostic::error(format!("cannot read `{}`: {why}", Source::display_path(path))))
        })?;
    let source = Source::new(Source::display_path(path), Some(path.to_path_buf()), text);
    let file: CaseFile =
        toml::from_str(&source.text).map_err(|e| Error::input(crate::rules::manifest::toml_error(&source, &e)))?;
    if file.case.is_empty() {
        return Err(Error::input(
            Diagnostic::error("no `[[case]]` entries in this file")
                .at(Location::new(&source, 0..0))
                .hint("a rule test file holds `[[case]]` tables; see rules/README.md"),
        ));
    }
    let dir = match &file.rules {
        Some(r) => path.parent().unwrap_or(Path::new(".")).join(r),
        None => find_rules_dir(path).ok_or_else(|| {
            Error::input(
                Diagnostic::error("cannot find the rules folder for this test file")
                    .at(Location::new(&source, 0..0))
                    .hint("put the file under the rules folder (e.g. `rules/tests/`) or write `rules = \"..\"` at the top"),
            )
        })?,
    };
    let ruleset = Ruleset::load(&dir, &BTreeMap::new())?;
    let mut results = Vec::new();
    for case in &file.case {
        let mut result = run_case(&ruleset, &source, case, file.fiscal_year)?;
        result.printed = ruleset.printed.take();
        results.push(result);
    }
    Ok(results)
}

fn find_rules_dir(path: &Path) -> Option<PathBuf> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let d = if d.as_os_str().is_empty() { Path::new(".") } else { d };
        if d.join("ruleset.toml").is_file() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

fn place(source: &Arc<Source>, span: &std::ops::Range<usize>) -> String {
    let (line, _) = source.line_col(span.start);
    format!("{}:{line}", source.name)
}

fn run_case(
    ruleset: &Ruleset,
    source: &Arc<Source>,
    entry: &Spanned<CaseEntry>,
    fiscal_year: Option<i32>,
) -> Result<CaseResult> {
    let case = entry.get_ref();
    let case_place = place(source, &entry.span());
    let at = Location::new(source, entry.span().start..entry.span().start);
    let program = build_program(&case.program).map_err(|m| Error::input(Diagnostic::error(m).at(at.clone())))?;

    // Parameter overrides for this case only.
    let overrides: BTreeMap<String, Located<toml::Value>> = case
        .params
        .iter()
        .map(|(k, v)| (k.clone(), Located::new(v.get_ref().clone(), Some(Location::new(source, v.span())))))
        .collect();
    let mut parameters = ruleset.parameters.clone();
    parameters.apply_overrides(&overrides).map_err(Error::Input)?;
    let params = parameters.to_map_for(fiscal_year, &program.department, program.kind);

    // Viewpoint ids must exist.
    for (key, e) in &case.expect {
        if key == "bureau" && case.bureau.is_none() {
            return Err(Error::input(
                Diagnostic::error("`expect.bureau` needs `bureau = \"…\"`: the bureau whose policy runs")
                    .at(Location::new(source, e.span()))
                    .hint("add e.g. `bureau = \"kodomo_katei\"` to the case (its script is `departments/kodomo_katei.rhai`)"),
            ));
        }
        if key != "assessment" && key != "bureau" && ruleset.viewpoint(key).is_none() {
            let mut ids: Vec<&str> = ruleset.viewpoints.iter().map(|v| v.id.as_str()).collect();
            ids.push("assessment");
            return Err(Error::input(
                Diagnostic::error(format!("unknown viewpoint `{key}` in `expect`"))
                    .at(Location::new(source, e.span()))
                    .suggest(key, ids),
            ));
        }
    }

    let cx = Context::default();
    let reviewed = super::review_with_params(&[&program], &cx, ruleset, params);
    let mut result = CaseResult {
        name: case.name.clone(),
        place: case_place,
        mismatches: Vec::new(),
        error: None,
        printed: Vec::new(),
    };
    let review = match reviewed {
        Ok(mut r) if !r.is_empty() => r.remove(0),
        Ok(_) => return Ok(result),
        Err(d) => {
            result.error = Some(d.render());
            return Ok(result);
        }
    };
    let bureau = match &case.bureau {
        Some(b) => match bureau_decision(ruleset, source, b, case, &program, &review, &parameters, fiscal_year)? {
            Ok(d) => Some(d),
            Err(d) => {
                result.error = Some(d.render());
                return Ok(result);
            }
        },
        None => None,
    };
    for (key, e) in &case.expect {
        let p = place(source, &e.span());
        if key == "bureau" {
            if let Some(decision) = &bureau {
                check_assessment_as("bureau", decision, e.get_ref(), &p, &mut result.mismatches)?;
            }
        } else if key == "assessment" {
            check_assessment(&review, e.get_ref(), &p, &mut result.mismatches)?;
        } else if let Some(f) = review.findings.iter().find(|f| *f.viewpoint == **key) {
            check_finding(f, e.get_ref(), &p, &mut result.mismatches)?;
        }
    }
    Ok(result)
}

fn parse_action(s: &str, place: &str) -> Result<Action> {
    Action::parse(s).ok_or_else(|| {
        Error::input(
            Diagnostic::error(format!("unknown action `{s}` in the expectation at {place}")).hint(format!(
                "expected one of {}",
                Action::ALL.iter().map(|a| a.label()).collect::<Vec<_>>().join(", ")
            )),
        )
    })
}

fn opt_ratio(d: Option<Decimal>) -> String {
    d.map_or("none".to_string(), |d| d.normalize().to_string())
}

fn check_finding(f: &Finding, e: &Expect, place: &str, out: &mut Vec<Mismatch>) -> Result<()> {
    let id = &f.viewpoint;
    let reason = Some(format!("reason: {}", f.reason));
    let mut push = |what: &str, expected: String, found: String| {
        out.push(Mismatch {
            what: format!("{id}.{what}"),
            expected,
            found,
            place: place.to_string(),
            context: reason.clone(),
        });
    };
    if let Some(a) = &e.action {
        let want = parse_action(a, place)?;
        if want != f.action {
            push("action", want.label().to_string(), f.action.label().to_string());
        }
    }
    if let Some(r) = &e.score {
        if !r.holds(f.score) {
            push("score", r.describe(), f.score.normalize().to_string());
        }
    }
    for (what, want, got) in [("min_ratio", &e.min_ratio, f.min_ratio), ("max_ratio", &e.max_ratio, f.max_ratio)] {
        if let Some(r) = want {
            if !got.is_some_and(|g| r.holds(g)) {
                push(what, r.describe(), opt_ratio(got));
            }
        }
    }
    if let Some(text) = &e.reason {
        if !f.reason.contains(text.as_str()) {
            push("reason", format!("to contain \"{text}\""), format!("\"{}\"", f.reason));
        }
    }
    if e.priority.is_some() || e.min.is_some() || e.max.is_some() {
        return Err(Error::input(Diagnostic::error(format!(
            "`priority`, `min` and `max` belong to `expect.assessment`, not `expect.{id}` ({place})"
        ))));
    }
    Ok(())
}

fn check_assessment(r: &ProgramReview, e: &Expect, place: &str, out: &mut Vec<Mismatch>) -> Result<()> {
    check_assessment_as("assessment", &r.assessment, e, place, out)
}

fn check_assessment_as(
    label: &str,
    a: &crate::review::Assessment,
    e: &Expect,
    place: &str,
    out: &mut Vec<Mismatch>,
) -> Result<()> {
    let reason = Some(format!("reason: {}", a.reason));
    let mut push = |what: &str, expected: String, found: String| {
        out.push(Mismatch {
            what: format!("{label}.{what}"),
            expected,
            found,
            place: place.to_string(),
            context: reason.clone(),
        });
    };
    if let Some(want) = &e.action {
        let want = parse_action(want, place)?;
        if want != a.action {
            push("action", want.label().to_string(), a.action.label().to_string());
        }
    }
    if let Some(rg) = &e.priority {
        if !rg.holds(a.priority) {
            push("priority", rg.describe(), a.priority.normalize().to_string());
        }
    }
    for (what, want, got) in [("min", &e.min, a.min), ("max", &e.max, a.max)] {
        if let Some(rg) = want {
            let (lo, hi) =
                rg.bounds().map_err(|m| Error::input(Diagnostic::error(format!("{m} (in `{what}` at {place})"))))?;
            if got < lo || got > hi {
                let expected = if lo == hi { lo.to_string() } else { format!("{lo}..={hi}") };
                push(what, expected, got.to_string());
            }
        }
    }
    if let Some(text) = &e.reason {
        if !a.reason.contains(text.as_str()) {
            push("reason", format!("to contain \"{text}\""), format!("\"{}\"", a.reason));
        }
    }
    if e.score.is_some() || e.min_ratio.is_some() || e.max_ratio.is_some() {
        return Err(Error::input(Diagnostic::error(format!(
            "`score`, `min_ratio` and `max_ratio` belong to a viewpoint's expectation; for the assessment write `min`/`max` in money ({place})"
        ))));
    }
    Ok(())
}

/// Runs the bureau's own policy on the case's program, after the city's review: what it returns,
/// read as an assessment (priority, bounds in yen, reason; `()` keeps the city's). Bounds are as the
/// script returns them, before `--mode autonomous` clamps them into the review's.
#[allow(clippy::too_many_arguments)]
fn bureau_decision(
    ruleset: &Ruleset,
    source: &Arc<Source>,
    bureau: &Spanned<String>,
    case: &CaseEntry,
    program: &Program,
    review: &ProgramReview,
    parameters: &crate::rules::Parameters,
    fiscal_year: Option<i32>,
) -> Result<std::result::Result<crate::review::Assessment, Diagnostic>> {
    use rhai::{Dynamic, Map, Scope};
    let id = bureau.get_ref();
    let at = Location::new(source, bureau.span());
    let written = format!("departments/{id}.rhai");
    let path = crate::files::resolve(&written, &ruleset.dir, &[&ruleset.dir], false)
        .ok()
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            Error::input(
                Diagnostic::error(format!("bureau `{id}` has no policy script `{written}` in the rules folder"))
                    .at(at.clone())
                    .hint("a bureau's own policy is `departments/<id>.rhai` in the rules folder"),
            )
        })?;
    let script = ruleset.compile_bureau_policy(&path).map_err(Error::Input)?;
    let envelope = match &case.envelope {
        Some(m) => m.money().map_err(|m| Error::input(Diagnostic::error(format!("`envelope`: {m}")).at(at.clone())))?,
        None => Money::ZERO,
    };
    let a = &review.assessment;
    let mut b = Map::new();
    b.insert("id".into(), Dynamic::from(id.clone()));
    b.insert("name".into(), Dynamic::from(id.clone()));
    b.insert("envelope".into(), Dynamic::from_decimal(envelope.as_decimal()));
    b.insert("savings_kept".into(), Dynamic::from_decimal(Decimal::ZERO));
    // The case's program is the bureau's only one: what its envelope must cover first is the
    // program's general revenue at the review's minimum; the rest is the bureau's headroom.
    let (general_min, general_max) = (program.general_revenue(a.min), program.general_revenue(a.max));
    let mut one = Map::new();
    one.insert("id".into(), Dynamic::from(program.id.clone()));
    one.insert("name".into(), Dynamic::from(program.name.clone()));
    one.insert("kind".into(), Dynamic::from(program.kind.id().to_string()));
    one.insert("action".into(), Dynamic::from(a.action.label().to_string()));
    one.insert("min".into(), Dynamic::from_decimal(a.min.as_decimal()));
    one.insert("max".into(), Dynamic::from_decimal(a.max.as_decimal()));
    one.insert("general_min".into(), Dynamic::from_decimal(general_min.as_decimal()));
    one.insert("general_max".into(), Dynamic::from_decimal(general_max.as_decimal()));
    b.insert("required".into(), Dynamic::from_decimal(general_min.as_decimal()));
    b.insert("headroom".into(), Dynamic::from_decimal((envelope - general_min).as_decimal()));
    b.insert("programs".into(), Dynamic::from_array(vec![Dynamic::from_map(one)]));
    let am = a.to_script_map();
    let mut scope = Scope::new();
    scope.push_constant_dynamic(
        "params",
        Dynamic::from_map(parameters.to_map_for(fiscal_year, &program.department, program.kind)),
    );
    scope.push_constant_dynamic("bureau", Dynamic::from_map(b));
    scope.push_constant("program", crate::review::program_view(program, &Context::default()));
    scope.push_constant_dynamic("assessment", Dynamic::from_map(am));
    let value = crate::rules::engine::running(
        &script.source,
        || format!("in the case `{}`", case.name),
        || {
            crate::rules::engine::with_time_limit(|| {
                ruleset.engine.eval_ast_with_scope::<Dynamic>(&mut scope, &script.ast)
            })
        },
    );
    let value = match value {
        Ok(v) => v,
        Err(e) => return Ok(Err(crate::rules::runtime_error(ruleset, &e, &script))),
    };
    if value.is_unit() {
        return Ok(Ok(a.clone()));
    }
    let Some(map) = value.try_cast::<Map>() else {
        return Ok(Err(Diagnostic::error("a bureau policy must return `()` or a map such as `#{ priority: 2.0 }`")
            .at(Location::at_line_col(&script.source, 1, 1))));
    };
    let number = |v: &Dynamic| -> Option<Decimal> {
        v.as_float()
            .ok()
            .and_then(decimal_from_f64)
            .or_else(|| v.as_int().ok().map(Decimal::from))
            .or_else(|| v.as_decimal().ok())
    };
    let base = crate::review::ratio_base(program);
    let bound = |money: &str, ratio: &str, default: Money| {
        map.get(money)
            .and_then(|v| v.as_decimal().ok().or_else(|| v.as_int().ok().map(Decimal::from)))
            .map(Money::from_decimal)
            .or_else(|| map.get(ratio).and_then(number).map(|r| base.mul_ratio(r)))
            .unwrap_or(default)
    };
    Ok(Ok(crate::review::Assessment {
        action: a.action,
        priority: map.get("priority").and_then(number).unwrap_or(a.priority),
        min: bound("min", "min_ratio", a.min),
        max: bound("max", "max_ratio", a.max),
        reason: map.get("reason").and_then(|r| r.clone().into_string().ok()).unwrap_or_else(|| a.reason.clone()),
    }))
}

fn dec(f: Option<f64>) -> Option<Decimal> {
    f.and_then(decimal_from_f64)
}

fn build_program(e: &ProgramEntry) -> std::result::Result<Program, String> {
    let money = |m: &Option<MoneyText>, default: Money| -> std::result::Result<Money, String> {
        m.as_ref().map_or(Ok(default), MoneyText::money)
    };
    let kind = match &e.kind {
        Some(k) => ProgramKind::parse(k)
            .ok_or_else(|| format!("unknown kind `{k}`: expected mandatory, discretionary, investment or new"))?,
        None => ProgramKind::Discretionary,
    };
    let strategy = match &e.strategy {
        Some(s) => Some(
            Strategy::parse(s)
                .ok_or_else(|| format!("unknown strategy `{s}`: expected earning, high_quality or safety"))?,
        ),
        None => None,
    };
    let prior_cost = money(&e.prior_cost, Money::oku(Decimal::ONE))?;
    let requested = money(&e.requested, prior_cost)?;
    let direction = match e.kpi.as_ref().and_then(|k| k.direction.as_deref()) {
        Some(d) => {
            KpiDirection::parse(d).ok_or_else(|| format!("unknown KPI direction `{d}`: expected higher or lower"))?
        }
        None => KpiDirection::Higher,
    };
    Ok(Program {
        id: e.id.clone().unwrap_or_else(|| "T001".to_string()),
        name: e.name.clone().unwrap_or_else(|| "テスト事業".to_string()),
        department: e.department.clone().unwrap_or_else(|| "test".to_string()),
        cluster: e.cluster.clone(),
        kind,
        prior_cost,
        requested,
        subsidy_ratio: dec(e.subsidy_ratio).unwrap_or_default(),
        fees: money(&e.fees, Money::ZERO)?,
        bondable_share: dec(e.bondable_share).unwrap_or_default(),
        strategy,
        next_generation: e.next_generation,
        all_or_nothing: e.all_or_nothing,
        attributes: Attributes {
            demand_trend: dec(e.demand_trend),
            satisfaction: dec(e.satisfaction),
            overlap_with: e.overlap_with.clone(),
            service_level: dec(e.service_level),
            digital_share: dec(e.digital_share),
            private_capacity: dec(e.private_capacity),
            outsourced: e.outsourced,
            natural_savings: money(&e.natural_savings, Money::ZERO)?,
        },
        kpi: e.kpi.as_ref().map(|k| Kpi {
            indicator: k.indicator.clone().unwrap_or_else(|| "成果指標".to_string()),
            baseline: dec(Some(k.baseline)).unwrap_or_default(),
            target: dec(Some(k.target)).unwrap_or_default(),
            actual: dec(Some(k.actual)).unwrap_or_default(),
            direction,
        }),
        nature: None,
        max_cut_share: None,
        location: None,
    })
}
