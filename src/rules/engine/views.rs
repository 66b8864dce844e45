//! The domain values scripts read: `program`, its KPI and the review's `findings` (read-only, with
//! their getters and the policy's helpers on findings), and the rule tables.

use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString, Position};
use rust_decimal::Decimal;

use super::*;
use crate::rules::tables::{ScaleRef, TableRef};
use crate::rules::value::Value;
use crate::scenario::KpiDirection;

/// A program as scripts see it: read-only, with every attribute precomputed.
#[derive(Debug, Clone)]
pub struct ProgramView(pub(crate) Arc<ProgramData>);

#[derive(Debug)]
pub(crate) struct ProgramData {
    pub id: ImmutableString,
    pub name: ImmutableString,
    pub department: ImmutableString,
    pub department_name: ImmutableString,
    pub cluster: Dynamic,
    pub cluster_name: Dynamic,
    pub cluster_group: Dynamic,
    pub reform_type: Dynamic,
    pub kind: ImmutableString,
    pub kind_ja: ImmutableString,
    pub prior_cost: Decimal,
    pub requested: Decimal,
    pub growth: Dynamic,
    pub subsidy_ratio: FLOAT,
    pub fees: Decimal,
    pub bondable_share: FLOAT,
    pub specific_share: FLOAT,
    pub general_revenue: Decimal,
    pub strategy: Dynamic,
    pub strategy_ja: Dynamic,
    pub next_generation: bool,
    pub all_or_nothing: bool,
    pub demand_trend: Dynamic,
    pub satisfaction: Dynamic,
    pub overlap_with: Dynamic,
    pub overlap_name: Dynamic,
    pub service_level: Dynamic,
    pub digital_share: Dynamic,
    pub private_capacity: Dynamic,
    pub outsourced: bool,
    pub natural_savings: Decimal,
    pub kpi: Dynamic,
    /// The program's indicators in the KPI table: an array of [`IndicatorView`] (empty without any).
    pub kpis: Dynamic,
    /// Its first アウトカム indicator of the KPI table with an actual, or ().
    pub outcome_kpi: Dynamic,
}

/// Every field of [`ProgramData`], in [`PROGRAM_FIELDS`] order, as its getter returns it.
macro_rules! program_fields {
    ($($field:ident),*) => {
        const FIELD_VALUES: [fn(&ProgramData) -> Dynamic; PROGRAM_FIELDS.len()] = [$(|p| Dynamic::from(p.$field.clone())),*];
        pub(super) const FIELD_NAMES: [&str; PROGRAM_FIELDS.len()] = [$(stringify!($field)),*];
        /// The same values as the compiled evaluator holds them (no boxing of money).
        const FIELD_VALUES_COMPILED: [fn(&ProgramData) -> Value; PROGRAM_FIELDS.len()] =
            [$(|p| Value::of_field(&p.$field)),*];
    };
}
program_fields!(
    id,
    name,
    department,
    department_name,
    cluster,
    cluster_name,
    cluster_group,
    reform_type,
    kind,
    kind_ja,
    prior_cost,
    requested,
    growth,
    subsidy_ratio,
    fees,
    bondable_share,
    specific_share,
    general_revenue,
    strategy,
    strategy_ja,
    next_generation,
    all_or_nothing,
    demand_trend,
    satisfaction,
    overlap_with,
    overlap_name,
    service_level,
    digital_share,
    private_capacity,
    outsourced,
    natural_savings,
    kpi,
    kpis,
    outcome_kpi
);

impl ProgramData {
    /// The value of field `i` (an index into [`PROGRAM_FIELDS`]), exactly as `program.<field>` reads it.
    pub(crate) fn field(&self, i: u8) -> Dynamic {
        FIELD_VALUES[usize::from(i)](self)
    }

    /// The value of field `i` as the compiled evaluator holds it.
    pub(crate) fn value(&self, i: u8) -> Value {
        FIELD_VALUES_COMPILED[usize::from(i)](self)
    }
}

/// The index of a program field in [`PROGRAM_FIELDS`].
pub(crate) fn program_field(name: &str) -> Option<u8> {
    FIELD_NAMES.iter().position(|f| *f == name).and_then(|i| u8::try_from(i).ok())
}

impl ProgramView {
    /// Field `i` (an index into [`PROGRAM_FIELDS`]), noted as read like `program.<field>` (for a
    /// scale or a decision table reading the program on a script's behalf).
    pub(crate) fn read(&self, i: u8) -> Dynamic {
        note_read(i);
        self.0.field(i)
    }
}

pub(super) const ID: u8 = 0;
pub(super) const NAME: u8 = 1;
/// The index of `kpis`, which the KPI helpers read.
pub(super) const KPIS: u8 = (FIELD_NAMES.len() - 2) as u8;

pub(super) fn register_program(engine: &mut Engine) {
    engine.register_type_with_name::<ProgramView>("Program");
    // Each getter notes what it read, so a review can tell which programs a result carries over to.
    for (i, name) in (0u8..).zip(FIELD_NAMES) {
        engine.register_get(name, move |p: &mut ProgramView| {
            note_read(i);
            p.0.field(i)
        });
    }
    engine.register_fn("to_string", |p: &mut ProgramView| {
        note_read(ID);
        note_read(NAME);
        format!("{} {}", p.0.id, p.0.name)
    });
    engine.register_fn("to_debug", |p: &mut ProgramView| {
        note_read(ID);
        format!("Program({})", p.0.id)
    });
    // The KPI table's helpers: an indicator of the program by its id.
    fn indicator<R>(p: &ProgramView, id: &str, f: impl FnOnce(&IndicatorData) -> R) -> Option<R> {
        note_read(KPIS);
        let list = p.0.kpis.read_lock::<Array>()?;
        let found =
            list.iter().find_map(|d| d.read_lock::<IndicatorView>().filter(|k| k.0.id == id).map(|k| k.0.clone()));
        found.map(|k| f(&k))
    }
    engine.register_fn("kpi_achievement", |p: &mut ProgramView, id: &str| {
        indicator(p, id, |k| k.achievement.clone()).unwrap_or(Dynamic::UNIT)
    });
    engine.register_fn("kpi_trend", |p: &mut ProgramView, id: &str| {
        indicator(p, id, |k| k.trend.clone()).unwrap_or(Dynamic::UNIT)
    });
    engine.register_fn("kpi_missed_years", |p: &mut ProgramView, id: &str| {
        indicator(p, id, |k| Dynamic::from_array(k.missed_years.clone()))
            .unwrap_or_else(|| Dynamic::from_array(Array::new()))
    });
}

/// An indicator of the KPI table as scripts see it (`program.kpis[i]`, `program.outcome_kpi`): its
/// definition, the actuals by year, the achievement of each, the trend and the years it fell short.
#[derive(Debug, Clone)]
pub struct IndicatorView(pub(crate) Arc<IndicatorData>);

#[derive(Debug, Clone)]
pub(crate) struct IndicatorData {
    pub id: ImmutableString,
    pub name: ImmutableString,
    pub kind: ImmutableString,
    pub kind_ja: ImmutableString,
    pub unit: ImmutableString,
    pub direction: ImmutableString,
    pub direction_ja: ImmutableString,
    pub parent: Dynamic,
    pub baseline_year: INT,
    pub baseline: FLOAT,
    pub target_year: INT,
    pub target: FLOAT,
    /// The years with an actual, in order.
    pub years: Array,
    /// The latest year with an actual, or ().
    pub latest_year: Dynamic,
    pub actual: Dynamic,
    pub achievement: Dynamic,
    /// The achievement of each year, by the year as text (`"2024"`).
    pub achievements: rhai::Map,
    pub trend: Dynamic,
    pub status: ImmutableString,
    pub missed_years: Array,
    pub missed_count: INT,
    pub missed_text: ImmutableString,
}

impl IndicatorData {
    /// The achievement the straight line from the baseline to the target asks of the latest year
    /// (`planned`), or () without an actual.
    pub(crate) fn planned(&self) -> Dynamic {
        let Ok(year) = self.latest_year.as_int() else { return Dynamic::UNIT };
        let (b, t) = (self.baseline_year, self.target_year);
        let share = if year >= t || t <= b {
            1.0
        } else if year <= b {
            0.0
        } else {
            (year - b) as FLOAT / (t - b) as FLOAT
        };
        Dynamic::from_float(share)
    }
}

/// Every field of an indicator a script can read, in the order `waku rules doc` lists them.
pub const INDICATOR_FIELDS: [&str; 23] = [
    "id",
    "name",
    "kind",
    "kind_ja",
    "unit",
    "direction",
    "direction_ja",
    "parent",
    "baseline_year",
    "baseline",
    "target_year",
    "target",
    "years",
    "latest_year",
    "actual",
    "achievement",
    "achievements",
    "trend",
    "status",
    "missed_years",
    "missed_count",
    "missed_text",
    "planned",
];

pub(super) fn register_indicator(engine: &mut Engine) {
    engine.register_type_with_name::<IndicatorView>("Indicator");
    macro_rules! get {
        ($($field:ident),*) => {$(
            engine.register_get(stringify!($field), |k: &mut IndicatorView| k.0.$field.clone());
        )*};
    }
    get!(
        id,
        name,
        kind,
        kind_ja,
        unit,
        direction,
        direction_ja,
        parent,
        baseline_year,
        baseline,
        target_year,
        target,
        years,
        latest_year,
        actual,
        achievement,
        achievements,
        trend,
        status,
        missed_years,
        missed_count,
        missed_text
    );
    // The achievement the straight line from the baseline to the target asks of the latest year.
    engine.register_get("planned", |k: &mut IndicatorView| k.0.planned());
    engine.register_fn("to_string", |k: &mut IndicatorView| format!("{} {}", k.0.id, k.0.name));
    engine.register_fn("to_debug", |k: &mut IndicatorView| format!("Indicator({})", k.0.id));
}

/// A finding as the policy sees it (read-only).
#[derive(Debug, Clone)]
pub struct FindingView(pub(crate) Arc<FindingData>);

#[derive(Debug)]
pub(crate) struct FindingData {
    /// The recommended action (`action` is its label).
    pub kind: crate::assessment::Action,
    pub viewpoint: ImmutableString,
    pub number: Dynamic,
    pub score: FLOAT,
    pub action: ImmutableString,
    pub reason: ImmutableString,
    pub min_ratio: Dynamic,
    pub max_ratio: Dynamic,
}

/// Every field of a finding the policy can read.
pub const FINDING_FIELDS: [&str; 7] = ["viewpoint", "number", "score", "action", "reason", "min_ratio", "max_ratio"];

pub(super) fn register_findings(engine: &mut Engine) {
    engine.register_type_with_name::<FindingView>("Finding");
    macro_rules! get {
        ($($field:ident),*) => {$(
            engine.register_get(stringify!($field), |f: &mut FindingView| f.0.$field.clone());
        )*};
    }
    get!(viewpoint, number, score, action, reason, min_ratio, max_ratio);
    engine.register_fn("to_string", |f: &mut FindingView| format!("{}: {} ({})", f.0.viewpoint, f.0.action, f.0.score));
    engine.register_fn("to_debug", |f: &mut FindingView| format!("Finding({}: {})", f.0.viewpoint, f.0.action));

    // The helpers below take the findings in the array (the compiled evaluator has them at hand).
    fn with<R>(a: &Array, f: impl FnOnce(&[FindingView]) -> R) -> R {
        let views: Vec<FindingView> =
            a.iter().filter_map(|d| d.read_lock::<FindingView>().map(|v| v.clone())).collect();
        f(&views)
    }
    engine.register_fn("count_action", |a: &mut Array, action: &str| with(a, |f| count_action(f, action)));
    engine.register_fn("finding", |a: &mut Array, id: &str| with(a, |f| finding(f, id)));
    engine.register_fn("viewpoints_with", |a: &mut Array, action: &str| with(a, |f| viewpoints_with(f, action)));
    engine.register_fn("tightest_max_ratio", |a: &mut Array, action: &str| with(a, |f| tightest_max_ratio(f, action)));
    engine.register_fn("because", |a: &mut Array, action: &str| with(a, |f| because(f, action)));
    engine.register_fn("others", |a: &mut Array, except: &str| with(a, |f| others(f, except)));
    engine.register_fn("mean_score", |a: &mut Array| with(a, mean_score));
}

// The policy's helpers on `findings`, as Rhai and the compiled evaluator (`crate::rules::compiled`) call them.

/// How many findings recommend `action`.
pub(crate) fn count_action(findings: &[FindingView], action: &str) -> INT {
    findings.iter().filter(|f| f.0.action == action).count() as INT
}

/// The finding of viewpoint `id`, or ().
pub(crate) fn finding(findings: &[FindingView], id: &str) -> Dynamic {
    findings.iter().find(|f| f.0.viewpoint == id).map_or(Dynamic::UNIT, |f| Dynamic::from(FindingView::clone(f)))
}

/// The viewpoints recommending `action`, as an array of ids.
pub(crate) fn viewpoints_with(findings: &[FindingView], action: &str) -> Array {
    findings.iter().filter(|f| f.0.action == action).map(|f| Dynamic::from(f.0.viewpoint.clone())).collect()
}

/// The smallest max_ratio among findings recommending `action` (or any, with ""), or ().
pub(crate) fn tightest_max_ratio(findings: &[FindingView], action: &str) -> Dynamic {
    findings
        .iter()
        .filter(|f| action.is_empty() || f.0.action == action)
        .filter_map(|f| f.0.max_ratio.as_float().ok())
        .reduce(FLOAT::min)
        .map_or(Dynamic::UNIT, Dynamic::from_float)
}

/// Why, in words: "視点2が廃止を推奨（<its reason>）"; with several viewpoints, each one's reason:
/// "視点1・視点4が縮小を推奨（視点1：<reason>／視点4：<reason>）" (a reason they share is written once).
pub(crate) fn because(findings: &[FindingView], action: &str) -> String {
    // A handful of findings: grouped by scanning, written into one string (a policy calls this
    // several times for every program).
    let with: Vec<&FindingView> = findings.iter().filter(|f| f.0.action == action).collect();
    let Some(first) = with.first() else { return format!("{action}を推奨する視点はない") };
    let mut out = String::with_capacity(96 + with.iter().map(|f| f.0.reason.len()).sum::<usize>());
    write_names(&mut out, &with, |_| true);
    out.push('が');
    out.push_str(action);
    out.push_str("を推奨（");
    // Each distinct reason once, in the order first seen, with the viewpoints that gave it.
    let first_with = |i: usize| with[..i].iter().all(|g| g.0.reason != with[i].0.reason);
    if (1..with.len()).all(|i| !first_with(i)) {
        out.push_str(&first.0.reason);
    } else {
        for (n, f) in (0..with.len()).filter(|&i| first_with(i)).map(|i| with[i]).enumerate() {
            if n > 0 {
                out.push('／');
            }
            write_names(&mut out, &with, |g| g.0.reason == f.0.reason);
            out.push('：');
            out.push_str(&f.0.reason);
        }
    }
    out.push('）');
    out
}

/// The findings that recommend something other than 継続 and the actions in `except` (labels
/// separated by `・`), grouped by action in the order first seen: "視点1・視点4の縮小、視点5の改善";
/// empty when there are none. A policy names them in its reason with the rule that set them aside.
pub(crate) fn others(findings: &[FindingView], except: &str) -> String {
    let aside: Vec<&FindingView> = findings
        .iter()
        .filter(|f| {
            let action = f.0.action.as_str();
            action != "継続" && !except.split('・').any(|e| e.trim() == action)
        })
        .collect();
    let mut out = String::new();
    for (i, f) in aside.iter().enumerate() {
        if aside[..i].iter().any(|g| g.0.action == f.0.action) {
            continue;
        }
        if !out.is_empty() {
            out.push('、');
        }
        write_names(&mut out, &aside, |g| g.0.action == f.0.action);
        out.push('の');
        out.push_str(&f.0.action);
    }
    out
}

/// The names of the findings `which` picks, joined by `・`.
fn write_names(out: &mut String, findings: &[&FindingView], which: impl Fn(&FindingView) -> bool) {
    for (n, f) in findings.iter().filter(|f| which(f)).enumerate() {
        if n > 0 {
            out.push('・');
        }
        write_viewpoint_name(out, f);
    }
}

/// "視点N", or the viewpoint's id when it has no number.
fn write_viewpoint_name(out: &mut String, f: &FindingView) {
    match f.0.number.as_int() {
        Ok(n) => {
            use std::fmt::Write as _;
            let _ = write!(out, "視点{n}");
        }
        Err(_) => out.push_str(&f.0.viewpoint),
    }
}

/// The mean score of all findings.
pub(crate) fn mean_score(findings: &[FindingView]) -> FLOAT {
    let sum = findings.iter().fold(0.0, |s, f| s + f.0.score);
    if findings.is_empty() { 0.0 } else { sum / findings.len() as FLOAT }
}

/// A program's KPI as scripts see it: `indicator`, `baseline`, `target`, `actual`, `achievement` (or `()`),
/// `direction` (`"higher"` / `"lower"`) and `direction_ja` (高いほどよい / 低いほどよい).
#[derive(Debug, Clone)]
pub struct KpiView(pub(crate) Arc<KpiData>);

#[derive(Debug)]
pub(crate) struct KpiData {
    pub indicator: ImmutableString,
    pub baseline: FLOAT,
    pub target: FLOAT,
    pub actual: FLOAT,
    pub achievement: Dynamic,
    pub direction: ImmutableString,
    pub direction_ja: ImmutableString,
}

/// The values of a [`KpiView`]; `achievement` is `None` when the target equals the baseline.
pub(crate) struct KpiValues<'a> {
    pub indicator: &'a str,
    pub baseline: FLOAT,
    pub target: FLOAT,
    pub actual: FLOAT,
    pub achievement: Option<FLOAT>,
    pub direction: KpiDirection,
}

pub(crate) fn kpi_view(k: KpiValues<'_>) -> Dynamic {
    Dynamic::from(KpiView(Arc::new(KpiData {
        indicator: k.indicator.into(),
        baseline: k.baseline,
        target: k.target,
        actual: k.actual,
        achievement: k.achievement.map_or(Dynamic::UNIT, Dynamic::from_float),
        direction: k.direction.id().into(),
        direction_ja: k.direction.label().into(),
    })))
}

pub(super) fn register_kpi(engine: &mut Engine) {
    engine.register_type_with_name::<KpiView>("Kpi");
    macro_rules! get {
        ($($field:ident),*) => {$(
            engine.register_get(stringify!($field), |k: &mut KpiView| k.0.$field.clone());
        )*};
    }
    get!(indicator, baseline, target, actual, achievement, direction, direction_ja);
    engine.register_fn("to_string", |k: &mut KpiView| {
        format!("{} {} → {} ({})", k.0.indicator, k.0.baseline, k.0.target, k.0.actual)
    });
}

/// `scale.at(program)`, `scale.at(x)`, `table.decide(program)`.
pub(super) fn register_tables(engine: &mut Engine) {
    engine.register_type_with_name::<ScaleRef>("Scale");
    engine.register_type_with_name::<TableRef>("DecisionTable");
    fn run(r: Result<Dynamic, String>) -> Result<Dynamic, Box<EvalAltResult>> {
        r.map_err(|m| Box::new(EvalAltResult::ErrorRuntime(m.into(), Position::NONE)))
    }
    engine.register_fn("at", |s: &mut ScaleRef, p: ProgramView| run(s.0.at(&p.read(s.0.input))));
    engine.register_fn("at", |s: &mut ScaleRef, x: FLOAT| run(s.0.at(&Dynamic::from_float(x))));
    engine.register_fn("at", |s: &mut ScaleRef, x: INT| run(s.0.at(&Dynamic::from_int(x))));
    engine.register_fn("at", |s: &mut ScaleRef, x: Decimal| run(s.0.at(&Dynamic::from_decimal(x))));
    engine.register_fn("at", |_: &mut ScaleRef, _: ()| Dynamic::UNIT);
    engine.register_fn("decide", |t: &mut TableRef, p: ProgramView| t.0.decide(|i| p.read(i)));
    engine.register_fn("to_string", |s: &mut ScaleRef| s.0.to_string());
    engine.register_fn("to_debug", |s: &mut ScaleRef| s.0.to_string());
    engine.register_fn("to_string", |t: &mut TableRef| t.0.to_string());
    engine.register_fn("to_debug", |t: &mut TableRef| t.0.to_string());
}
