//! Evaluating the compiled rules on programs: build what a script sees, run it sandboxed, check what it returns.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;
use rhai::{AST, Dynamic, FLOAT, ImmutableString, Map, Scope};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::memo::{Key, Memo};
use super::{Action, Assessment, Finding, ProgramReview, ScriptOutput};
use crate::diagnostic::{Diagnostic, Location};
use crate::fast::FastPaths;
use crate::money::{Money, Unit};
use crate::rules::compiled::{Compiled, Inputs, findings_array};
use crate::rules::engine::{
    FindingData, FindingView, KpiValues, Observed, ProgramData, kpi_view, observe, running, with_time_limit,
};
use crate::rules::{ProgramView, Ruleset, Script, Viewpoint};
use crate::scenario::{Program, ProgramKind, Scenario, Strategy};

/// Names a program may refer to: bureaus, clusters and other programs (for `overlap_name`),
/// converted once to what scripts see.
#[derive(Debug, Default)]
pub struct Context<'a> {
    /// The scenario's rounding unit: the review's bounds go on its grid ([`Unit::Yen`] by default).
    pub rounding_unit: Unit,
    pub departments: HashMap<&'a str, ImmutableString>,
    /// Cluster id → (name, group, reform type).
    pub clusters: HashMap<&'a str, (Dynamic, Dynamic, Dynamic)>,
    pub programs: HashMap<&'a str, Dynamic>,
}

impl<'a> Context<'a> {
    pub fn of(scenario: &'a Scenario) -> Context<'a> {
        let text = |s: &str| Dynamic::from(ImmutableString::from(s));
        Context {
            rounding_unit: scenario.rounding_unit,
            departments: scenario.departments.iter().map(|d| (d.id.as_str(), d.name.as_str().into())).collect(),
            clusters: scenario
                .clusters
                .iter()
                .map(|c| (c.id.as_str(), (text(&c.name), text(&c.group), text(&c.reform_type))))
                .collect(),
            programs: scenario.programs.iter().map(|p| (p.id.as_str(), text(&p.name))).collect(),
        }
    }
}

/// Labels every program shares, allocated once.
struct Labels {
    actions: Vec<(Action, ImmutableString)>,
    kinds: Vec<(ProgramKind, ImmutableString, ImmutableString)>,
    strategies: Vec<(Strategy, Dynamic, Dynamic)>,
}

fn labels() -> &'static Labels {
    static LABELS: std::sync::OnceLock<Labels> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| Labels {
        actions: Action::ALL.iter().map(|a| (*a, a.label().into())).collect(),
        kinds: ProgramKind::ALL.iter().map(|k| (*k, k.id().into(), k.label().into())).collect(),
        strategies: Strategy::ALL
            .iter()
            .map(|s| {
                (*s, Dynamic::from(ImmutableString::from(s.id())), Dynamic::from(ImmutableString::from(s.label())))
            })
            .collect(),
    })
}

fn action_label(a: Action) -> ImmutableString {
    labels().actions.iter().find(|(x, _)| *x == a).map_or_else(|| a.label().into(), |(_, l)| l.clone())
}

fn opt_float(d: Option<Decimal>) -> Dynamic {
    d.map_or(Dynamic::UNIT, |d| Dynamic::from_float(float(d)))
}

fn opt_str(s: Option<&str>) -> Dynamic {
    s.map_or(Dynamic::UNIT, |s| Dynamic::from(ImmutableString::from(s)))
}

/// `d.to_f64()`: the same steps as `rust_decimal`, in 64-bit integers where the digits fit (a
/// program view converts a dozen numbers; 128-bit division is slow).
fn float(d: Decimal) -> FLOAT {
    let scale = d.scale();
    let m = d.mantissa();
    let Ok(abs) = u64::try_from(m.unsigned_abs()) else { return d.to_f64().unwrap_or(0.0) };
    if scale > 19 || abs >= 1 << 63 {
        return d.to_f64().unwrap_or(0.0);
    }
    if scale == 0 {
        return m as i64 as FLOAT;
    }
    let precision = 10u64.pow(scale);
    let (integral, frac) = ((abs / precision) as FLOAT, (abs % precision) as FLOAT / precision as FLOAT);
    let neg = d.is_sign_negative();
    if frac == 0.0 {
        return if neg { -integral } else { integral };
    }
    let round_to = 10f64.powi(scale as i32);
    let rounded = ((integral + frac) * round_to).round() / round_to;
    if neg { -rounded } else { rounded }
}

/// What a script sees as `program`.
pub fn program_view(p: &Program, cx: &Context<'_>) -> ProgramView {
    let cluster = p.cluster.as_deref().and_then(|c| cx.clusters.get(c));
    let growth = if p.prior_cost.is_zero() {
        Dynamic::UNIT
    } else {
        Dynamic::from_float(float(p.requested.as_decimal() / p.prior_cost.as_decimal() - Decimal::ONE))
    };
    let a = &p.attributes;
    let kpi = match &p.kpi {
        Some(k) => kpi_view(KpiValues {
            indicator: &k.indicator,
            baseline: float(k.baseline),
            target: float(k.target),
            actual: float(k.actual),
            achievement: k.achievement().map(float),
            direction: k.direction,
        }),
        None => Dynamic::UNIT,
    };
    let l = labels();
    let (kind, kind_ja) = match l.kinds.iter().find(|(k, _, _)| *k == p.kind) {
        Some((_, id, label)) => (id.clone(), label.clone()),
        None => (p.kind.id().into(), p.kind.label().into()),
    };
    let (strategy, strategy_ja) = match p.strategy.and_then(|s| l.strategies.iter().find(|(k, _, _)| *k == s)) {
        Some((_, id, label)) => (id.clone(), label.clone()),
        None => (Dynamic::UNIT, Dynamic::UNIT),
    };
    ProgramView(Arc::new(ProgramData {
        id: p.id.as_str().into(),
        name: p.name.as_str().into(),
        department: p.department.as_str().into(),
        department_name: cx
            .departments
            .get(p.department.as_str())
            .cloned()
            .unwrap_or_else(|| p.department.as_str().into()),
        cluster: opt_str(p.cluster.as_deref()),
        cluster_name: cluster.map_or(Dynamic::UNIT, |c| c.0.clone()),
        cluster_group: cluster.map_or(Dynamic::UNIT, |c| c.1.clone()),
        reform_type: cluster.map_or(Dynamic::UNIT, |c| c.2.clone()),
        kind,
        kind_ja,
        prior_cost: p.prior_cost.as_decimal(),
        requested: p.requested.as_decimal(),
        growth,
        subsidy_ratio: float(p.subsidy_ratio),
        fees: p.fees.as_decimal(),
        bondable_share: float(p.bondable_share),
        specific_share: float(p.specific_share()),
        general_revenue: p.general_revenue(p.requested).as_decimal(),
        strategy,
        strategy_ja,
        next_generation: p.next_generation,
        all_or_nothing: p.all_or_nothing,
        demand_trend: opt_float(a.demand_trend),
        satisfaction: opt_float(a.satisfaction),
        overlap_with: opt_str(a.overlap_with.as_deref()),
        overlap_name: a.overlap_with.as_deref().and_then(|o| cx.programs.get(o)).cloned().unwrap_or(Dynamic::UNIT),
        service_level: opt_float(a.service_level),
        digital_share: opt_float(a.digital_share),
        private_capacity: opt_float(a.private_capacity),
        outsourced: a.outsourced,
        natural_savings: a.natural_savings.as_decimal(),
        kpi,
    }))
}

/// Reviews `programs` (all of them, in order). Runs in parallel when there are enough programs to pay for it.
///
/// When scripts fail on several programs, the error reported is the first program's in
/// order, so the message does not depend on thread timing.
pub fn review_programs(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    params: Map,
    parallel: bool,
    fast: FastPaths,
) -> Result<Vec<ProgramReview>, Diagnostic> {
    let remembered = Remembered::new(ruleset, fast.result_reuse);
    review_remembering(programs, cx, ruleset, params, parallel, &remembered, fast.compiled_scripts)
}

/// [`review_programs`] with the results so far in `remembered`; with `compile` false, every
/// script runs in Rhai.
fn review_remembering(
    programs: &[&Program],
    cx: &Context<'_>,
    ruleset: &Ruleset,
    params: Map,
    parallel: bool,
    remembered: &Remembered,
    compile: bool,
) -> Result<Vec<ProgramReview>, Diagnostic> {
    let new_scope = || {
        let mut scope = Scope::new();
        scope.push_constant_dynamic("params", Dynamic::from_map(params.clone()));
        scope
    };
    let folded = Folded::new(ruleset, &new_scope(), compile);
    let review = Review { ruleset, folded: &folded, remembered, cx };
    if !parallel || programs.len() < 64 {
        let mut scope = new_scope();
        return programs.iter().map(|p| review.one(&mut scope, p)).collect();
    }
    let first_failure = AtomicUsize::new(usize::MAX);
    let results: Vec<Option<Result<ProgramReview, Diagnostic>>> = programs
        .par_iter()
        .enumerate()
        .map_init(new_scope, |scope, (i, p)| {
            if i > first_failure.load(Ordering::Relaxed) {
                return None;
            }
            let r = review.one(scope, p);
            if r.is_err() {
                first_failure.fetch_min(i, Ordering::Relaxed);
            }
            Some(r)
        })
        .collect();
    results.into_iter().map_while(|r| r).collect()
}

/// The scripts as they run in one review: `params` folded in as constants, and compiled where
/// they can be (see [`crate::rules::compiled`]).
struct Folded {
    viewpoints: Vec<(AST, Option<Compiled>)>,
    policy: (AST, Option<Compiled>),
}

impl Folded {
    fn new(ruleset: &Ruleset, params: &Scope<'_>, compile: bool) -> Folded {
        let map = params.get_value::<rhai::Map>("params");
        let fold = |script: &Script, findings: bool| {
            // Folding evaluates what is constant: guarded, so that whatever went wrong there
            // happens (and is reported, located) when the script runs as written.
            let ast =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| script.with_params(&ruleset.engine, params)))
                    .unwrap_or_else(|_| script.ast.clone());
            let compiled = if compile { Compiled::new(&ast, findings, map.as_ref()) } else { None };
            (ast, compiled)
        };
        Folded {
            viewpoints: ruleset.viewpoints.iter().map(|v| fold(&v.script, false)).collect(),
            policy: fold(&ruleset.policy, true),
        }
    }
}

/// What the scripts returned so far in one review, shared by the threads (see [`memo`]).
struct Remembered {
    viewpoints: Vec<Mutex<ViewpointResults>>,
    /// The policy's results by the findings' numbers and what it read of the program.
    policy: Mutex<Memo<Dynamic>>,
}

/// One viewpoint's results by what it read, and each distinct finding it returned (numbered in
/// the order first seen), as a review records it and as the policy sees it.
struct ViewpointResults {
    by_input: Memo<u32>,
    findings: Vec<(Finding, FindingView)>,
    numbers: HashMap<FindingKey, u32, ahash::RandomState>,
}

/// A finding compared exactly: numbers by their digits and scale, so equal keys print alike.
#[derive(PartialEq, Eq, Hash)]
struct FindingKey {
    score: [u8; 16],
    action: Action,
    reason: ImmutableString,
    min_ratio: Option<[u8; 16]>,
    max_ratio: Option<[u8; 16]>,
}

impl Remembered {
    /// Nothing remembered yet; with `on` false, nothing ever is.
    fn new(ruleset: &Ruleset, on: bool) -> Remembered {
        let viewpoint =
            || ViewpointResults { by_input: Memo::new(on), findings: Vec::new(), numbers: HashMap::default() };
        Remembered {
            viewpoints: ruleset.viewpoints.iter().map(|_| Mutex::new(viewpoint())).collect(),
            policy: Mutex::new(Memo::new(on)),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ViewpointResults {
    /// The number of this finding of viewpoint `v` among the distinct ones (added if new).
    fn number(&mut self, v: &Viewpoint, finding: Finding, reason: ImmutableString) -> u32 {
        let key = FindingKey {
            score: finding.score.serialize(),
            action: finding.action,
            reason,
            min_ratio: finding.min_ratio.map(|d| d.serialize()),
            max_ratio: finding.max_ratio.map(|d| d.serialize()),
        };
        if let Some(n) = self.numbers.get(&key) {
            return *n;
        }
        let view = FindingView(Arc::new(FindingData {
            kind: finding.action,
            viewpoint: v.label.clone(),
            number: v.number.map_or(Dynamic::UNIT, Dynamic::from_int),
            score: float(finding.score),
            action: action_label(finding.action),
            reason: key.reason.clone(),
            min_ratio: opt_float(finding.min_ratio),
            max_ratio: opt_float(finding.max_ratio),
        }));
        let n = self.findings.len() as u32;
        self.numbers.insert(key, n);
        self.findings.push((finding, view));
        n
    }
}

/// One review under way: the ruleset, its scripts with this review's parameters, the results so far.
struct Review<'a> {
    ruleset: &'a Ruleset,
    folded: &'a Folded,
    remembered: &'a Remembered,
    cx: &'a Context<'a>,
}

impl Review<'_> {
    /// The six findings and the assessment of one program. `scope` holds `params` and is left as found.
    ///
    /// A script's result is reused from an earlier program when it read the same values (see [`memo`]).
    fn one(&self, scope: &mut Scope<'_>, p: &Program) -> Result<ProgramReview, Diagnostic> {
        let base = scope.len();
        let view = program_view(p, self.cx);
        scope.push_constant("program", view.clone());
        let r = self.with_program(scope, p, &view);
        scope.rewind(base);
        r
    }

    /// [`Review::one`] once `program` is in `scope`; `view` is what it holds.
    fn with_program(
        &self,
        scope: &mut Scope<'_>,
        p: &Program,
        view: &ProgramView,
    ) -> Result<ProgramReview, Diagnostic> {
        let Review { ruleset, folded, remembered, .. } = self;
        let base = scope.len();
        let data = &*view.0;
        let key = |read: u8| Key::of_value(&data.value(read));
        let mut findings = Vec::with_capacity(ruleset.viewpoints.len());
        let mut views = Vec::with_capacity(ruleset.viewpoints.len());
        let mut numbers = Vec::with_capacity(ruleset.viewpoints.len());
        let mut printed = Vec::new();
        for ((v, (ast, compiled)), results) in
            ruleset.viewpoints.iter().zip(&folded.viewpoints).zip(&remembered.viewpoints)
        {
            let known = {
                let mut r = lock(results);
                r.by_input.find(key).copied().map(|n| (n, r.findings[n as usize].clone()))
            };
            let (n, (finding, finding_view)) = match known {
                Some(known) => known,
                None => {
                    let inputs = Inputs { program: view, findings: None };
                    let (out, seen) = run(ruleset, scope, &v.script, (ast, compiled.as_ref()), &inputs, p, |_| {});
                    scope.rewind(base);
                    let (finding, reason) = to_finding(ruleset, &v.id, &v.script, out?, p)?;
                    let mut r = lock(results);
                    let n = r.number(v, finding, reason);
                    if seen.printed.is_empty() {
                        r.by_input.insert(seen.reads.iter().map(|read| (*read, key(*read))), n);
                    } else {
                        printed.push(ScriptOutput { script: v.script.source.name.clone(), printed: seen.printed });
                    }
                    (n, r.findings[n as usize].clone())
                }
            };
            numbers.push(n);
            findings.push(finding);
            views.push(finding_view);
        }
        // The policy's inputs: the findings (input 0, by their numbers), then the program fields it
        // reads (field f is input 1 + f).
        let input = |read: u8| match read.checked_sub(1) {
            None => Some(Key::Findings(numbers.clone())),
            Some(field) => key(field),
        };
        // A compiled policy runs faster than its result is found again (measured): reuse only
        // the interpreted one.
        let (ast, compiled) = &folded.policy;
        let reuse = compiled.is_none();
        let known = if reuse { lock(&remembered.policy).find(input).cloned() } else { None };
        let out = match known {
            Some(out) => out,
            None => {
                let inputs = Inputs { program: view, findings: Some(&views) };
                let findings = |scope: &mut Scope<'_>| {
                    scope.push_constant("findings", findings_array(&views));
                };
                let (out, seen) = run(ruleset, scope, &ruleset.policy, (ast, compiled.as_ref()), &inputs, p, findings);
                scope.rewind(base);
                let out = out?;
                if reuse && seen.printed.is_empty() {
                    let reads = std::iter::once(0).chain(seen.reads.iter().map(|r| r + 1));
                    lock(&remembered.policy).insert(reads.map(|r| (r, input(r))), out.clone());
                }
                if !seen.printed.is_empty() {
                    printed.push(ScriptOutput { script: ruleset.policy.source.name.clone(), printed: seen.printed });
                }
                out
            }
        };
        let assessment = to_assessment(&ruleset.policy, out, p, self.cx.rounding_unit)?;
        Ok(ProgramReview { id: p.id.clone(), department: p.department.clone(), findings, assessment, printed })
    }
}

/// Runs one script on one program; also says what it read and whether it printed.
///
/// The compiled script runs when there is one; when it leaves the program to Rhai, `prepare`
/// completes `scope` and Rhai runs the script.
fn run(
    ruleset: &Ruleset,
    scope: &mut Scope<'_>,
    script: &Script,
    (ast, compiled): (&AST, Option<&Compiled>),
    inputs: &Inputs<'_>,
    p: &Program,
    prepare: impl FnOnce(&mut Scope<'_>),
) -> (Result<Dynamic, Diagnostic>, Observed) {
    let compiled = compiled.map(|c| {
        let mut reads = Vec::new();
        let v = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.eval(inputs, &mut reads)));
        (v, reads)
    });
    let (r, seen) = match compiled {
        Some((Ok(Some(v)), reads)) => (Ok(Ok(v)), Observed { reads, printed: Default::default() }),
        Some((Err(panic), _)) => (Err(panic), Observed::default()),
        None | Some((Ok(None), _)) => observe(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                prepare(scope);
                running(
                    &script.source,
                    || program_note(p),
                    || with_time_limit(|| ruleset.engine.eval_ast_with_scope::<Dynamic>(scope, ast)),
                )
            }))
        }),
    };
    let out = match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(crate::rules::runtime_error(ruleset, &e, script).note(program_note(p))),
        Err(_) => Err(Diagnostic::bug("the script engine failed on this script")
            .at(Location::at_line_col(&script.source, 1, 1))
            .note(program_note(p))
            .hint("this is a bug in waku or Rhai; please report it with the script")),
    };
    (out, seen)
}

pub(crate) fn program_note(p: &Program) -> String {
    if p.name.is_empty() {
        format!("while reviewing program `{}`", p.id)
    } else {
        format!("while reviewing program `{}` ({})", p.id, p.name)
    }
}

/// Where the script returned `key` with `value` (see [`crate::rules::lint::returned_key`]), else
/// the text `key:` in the script.
fn returned_at(script: &Script, key: &str, value: Option<&Dynamic>) -> Location {
    crate::rules::returned_key(script, key, value, false).unwrap_or_else(|| point_at(script, &format!("{key}:")))
}

/// Where to point when a returned value is wrong: the text `needle` in the script, else its last statement.
fn point_at(script: &Script, needle: &str) -> Location {
    let text = &script.source.text;
    if !needle.is_empty() {
        if let Some(i) = find_in_code(text, needle) {
            return Location::new(&script.source, i..i + needle.len());
        }
    }
    last_statement(script)
}

/// The first occurrence of `needle` outside `//` comments.
fn find_in_code(text: &str, needle: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code_end = line.find("//").unwrap_or(line.len());
        if let Some(i) = line[..code_end].find(needle) {
            return Some(offset + i);
        }
        offset += line.len();
    }
    None
}

/// The start of the last line holding code (what a script returns when it falls off the end).
fn last_statement(script: &Script) -> Location {
    let text = &script.source.text;
    let mut offset = 0;
    let mut last = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !t.is_empty() && !t.starts_with("//") && t != "}" && t != "};" {
            last = Some(offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    let start = last.unwrap_or(0);
    let end = text[start..].find(['\n', '\r']).map_or(text.len(), |e| start + e);
    Location::new(&script.source, start..end.max(start))
}

fn kind_of(v: &Dynamic) -> &'static str {
    if v.is_unit() {
        "nothing (`()`)"
    } else if v.is_string() {
        "a string"
    } else if v.is_int() || v.is_float() {
        "a number"
    } else if v.is_decimal() {
        "money"
    } else if v.is_bool() {
        "true/false"
    } else if v.is_array() {
        "an array"
    } else if v.is_map() {
        "a map"
    } else {
        "a value of another kind"
    }
}

/// A number from a script (integer, number or money) as a decimal, rounded to 6 places.
fn number(v: &Dynamic) -> Option<Decimal> {
    // `is_*` first: a failed `as_*` builds its error from the type's name.
    if v.is_int() {
        v.as_int().ok().map(Decimal::from)
    } else if v.is_float() {
        v.as_float().ok().and_then(float_to_6dp)
    } else if v.is_decimal() {
        v.as_decimal().ok().map(|d| d.round_dp(6).normalize())
    } else {
        None
    }
}

/// The exact binary value of `f` rounded to 6 places (ties to even): 0.9 → 0.9 without going through text.
///
/// Every finding and assessment passes its ratios through here, so the usual case is done in
/// integers: `f` is m·2^e, and m·10^6 fits an `u128`, so m·10^6 / 2^−e rounds exactly by a shift.
fn float_to_6dp(f: FLOAT) -> Option<Decimal> {
    const MANTISSA_BITS: u32 = 52;
    let bits = f.to_bits();
    let biased = ((bits >> MANTISSA_BITS) & 0x7ff) as i32;
    let shift = 1075 - biased; // f = m / 2^shift for a normal f
    if !f.is_finite() || biased == 0 || !(1..=100).contains(&shift) {
        // Zero, subnormal, whole numbers from 2^52 up, and tiny numbers: the general (slower) way.
        return float_to_6dp_by_decimal(f);
    }
    let m = u128::from(bits & ((1 << MANTISSA_BITS) - 1) | (1 << MANTISSA_BITS));
    let scaled = m * 1_000_000; // < 2^73
    let mut q = scaled >> shift;
    let rest = scaled & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    if rest > half || (rest == half && q & 1 == 1) {
        q += 1;
    }
    let q = i128::try_from(q).ok()?;
    Some(Decimal::from_i128_with_scale(if f < 0.0 { -q } else { q }, 6).normalize())
}

/// [`float_to_6dp`] through `rust_decimal`'s conversion of the exact binary value.
fn float_to_6dp_by_decimal(f: FLOAT) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    Some(Decimal::from_f64_retain(f)?.round_dp(6).normalize())
}

fn action_of(script: &Script, map: &Fields<'_>, what: &str, p: &Program) -> Result<Action, Diagnostic> {
    let Some(v) = map.get("action") else {
        return Err(missing(script, what, "action", "action: \"継続\"", p));
    };
    // The usual case: the label exactly as written (no clone of the string).
    if let Some(a) =
        v.as_immutable_string_ref().ok().and_then(|s| Action::ALL.into_iter().find(|a| a.label() == s.as_str()))
    {
        return Ok(a);
    }
    let Ok(s) = v.clone().into_immutable_string() else {
        return Err(Diagnostic::error(format!("`action` must be a string such as \"継続\", found {}", kind_of(v)))
            .at(returned_at(script, "action", Some(v)))
            .note(program_note(p)));
    };
    Action::parse(&s).ok_or_else(|| {
        let labels: Vec<&str> = Action::ALL.iter().map(|a| a.label()).collect();
        let d = Diagnostic::error(format!("unknown action `{}`", crate::diagnostic::quote(&s)))
            .at(returned_at(script, "action", Some(v)))
            .note(program_note(p));
        match crate::diagnostic::suggestion(&s, labels.iter().copied()) {
            Some(l) => d.hint(format!("did you mean `{l}`?")),
            None => d.hint(format!("expected one of {}", labels.join(", "))),
        }
    })
}

fn missing(script: &Script, what: &str, key: &str, example: &str, p: &Program) -> Diagnostic {
    Diagnostic::error(format!("the {what} returned no `{key}`"))
        .at(crate::rules::returned_key(script, key, None, true).unwrap_or_else(|| last_statement(script)))
        .note(program_note(p))
        .hint(format!("add `{example}` to the returned map"))
}

fn reason_of(script: &Script, map: &Fields<'_>, what: &str, p: &Program) -> Result<ImmutableString, Diagnostic> {
    match map.get("reason") {
        None => Err(missing(script, what, "reason", "reason: \"…\"", p)),
        Some(v) => v.clone().into_immutable_string().map_err(|_| {
            Diagnostic::error(format!("`reason` must be a string, found {}", kind_of(v)))
                .at(returned_at(script, "reason", Some(v)))
                .note(program_note(p))
        }),
    }
}

fn ratio_of(script: &Script, map: &Fields<'_>, key: &str, p: &Program) -> Result<Option<Decimal>, Diagnostic> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => match number(v) {
            Some(d) if d >= Decimal::ZERO => Ok(Some(d)),
            Some(d) => Err(Diagnostic::error(format!("`{key}` must not be negative, found {d}"))
                .at(returned_at(script, key, Some(v)))
                .note(program_note(p))),
            None => Err(Diagnostic::error(format!("`{key}` must be a number such as 0.9, found {}", kind_of(v)))
                .at(returned_at(script, key, Some(v)))
                .note(program_note(p))),
        },
    }
}

/// The entries of a returned map, by key: read once, every key checked against `allowed`.
struct Fields<'a> {
    allowed: &'static [&'static str],
    values: [Option<&'a Dynamic>; 8],
}

impl<'a> Fields<'a> {
    fn of(
        script: &Script,
        map: &'a Map,
        allowed: &'static [&'static str],
        what: &str,
        p: &Program,
    ) -> Result<Fields<'a>, Diagnostic> {
        let mut values = [None; 8];
        for (k, v) in map {
            match allowed.iter().position(|a| *a == k.as_str()) {
                Some(i) => values[i] = Some(v),
                None => return Err(unknown_key(script, k, allowed, what, p)),
            }
        }
        Ok(Fields { allowed, values })
    }

    fn get(&self, key: &str) -> Option<&'a Dynamic> {
        self.allowed.iter().position(|a| *a == key).and_then(|i| self.values[i])
    }
}

fn unknown_key(script: &Script, k: &str, allowed: &[&str], what: &str, p: &Program) -> Diagnostic {
    let d = Diagnostic::error(format!("the {what} returned an unknown key `{k}`"))
        .at(returned_at(script, k, None))
        .note(program_note(p));
    match crate::diagnostic::suggestion(k, allowed.iter().copied()) {
        Some(s) => d.hint(format!("did you mean `{s}`?")),
        None => d.hint(format!("expected {}", allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", "))),
    }
}

const FINDING_KEYS: [&str; 5] = ["score", "action", "reason", "min_ratio", "max_ratio"];
const ASSESSMENT_KEYS: [&str; 7] = ["action", "priority", "reason", "min_ratio", "max_ratio", "min", "max"];

fn to_finding(
    ruleset: &Ruleset,
    id: &str,
    script: &Script,
    out: Dynamic,
    p: &Program,
) -> Result<(Finding, ImmutableString), Diagnostic> {
    let what = "viewpoint";
    let found = kind_of(&out);
    let Some(map) = out.try_cast::<Map>() else {
        return Err(Diagnostic::error(format!(
            "viewpoint `{id}` must return a map such as `#{{ score: 3, action: \"継続\", reason: \"…\" }}`, found {found}"
        ))
        .at(last_statement(script))
        .note(program_note(p)));
    };
    let map = Fields::of(script, &map, &FINDING_KEYS, what, p)?;
    let score = match map.get("score") {
        None => return Err(missing(script, what, "score", "score: 3", p)),
        Some(v) => number(v).ok_or_else(|| {
            Diagnostic::error(format!("`score` must be a number, found {}", kind_of(v)))
                .at(returned_at(script, "score", Some(v)))
                .note(program_note(p))
        })?,
    };
    let (lo, hi) = ruleset.score_range;
    if score < lo || score > hi {
        return Err(Diagnostic::error(format!("score {score} is outside the ruleset's scale {lo}–{hi}"))
            .at(returned_at(script, "score", map.get("score")))
            .note(program_note(p))
            .hint("the scale is `score_min` and `score_max` under `[ruleset]` in `ruleset.toml`"));
    }
    let action = action_of(script, &map, what, p)?;
    let reason = reason_of(script, &map, what, p)?;
    let min_ratio = ratio_of(script, &map, "min_ratio", p)?;
    let max_ratio = ratio_of(script, &map, "max_ratio", p)?;
    if let (Some(lo), Some(hi)) = (min_ratio, max_ratio) {
        if lo > hi {
            return Err(Diagnostic::error(format!("`min_ratio` {lo} is above `max_ratio` {hi}"))
                .at(returned_at(script, "min_ratio", map.get("min_ratio")))
                .note(program_note(p)));
        }
    }
    let finding = Finding { viewpoint: id.into(), score, action, reason: reason.as_str().into(), min_ratio, max_ratio };
    Ok((finding, reason))
}

/// The amount ratios are taken of: last year's cost, or the request for new programs and programs without one.
pub fn ratio_base(p: &Program) -> Money {
    if p.kind == ProgramKind::New || p.prior_cost.is_zero() { p.requested } else { p.prior_cost }
}

fn money_of(script: &Script, map: &Fields<'_>, key: &str, p: &Program) -> Result<Option<Money>, Diagnostic> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => {
            let d = if let Ok(d) = v.as_decimal() {
                Some(d)
            } else if let Ok(i) = v.as_int() {
                Some(Decimal::from(i))
            } else {
                None
            };
            match d {
                Some(d) if d >= Decimal::ZERO => Ok(Some(Money::from_decimal(d))),
                Some(d) => Err(Diagnostic::error(format!("`{key}` must not be negative, found {d}"))
                    .at(returned_at(script, key, Some(v)))
                    .note(program_note(p))),
                None => Err(Diagnostic::error(format!(
                    "`{key}` must be money such as `oku(1.5)` or `program.requested`, found {}",
                    kind_of(v)
                ))
                .at(returned_at(script, key, Some(v)))
                .note(program_note(p))
                .hint(format!("for a share of the base, write `{key}_ratio: 0.9`"))),
            }
        }
    }
}

/// Turns the policy's map into bounds in whole yen.
///
/// The rules, in order: ratios are of [`ratio_base`]; `min`/`max` default to 0 and the
/// request; the city never funds more than requested, so `max` is capped at the request and
/// `min` at `max`; a mandatory program is fixed at its request; an all-or-nothing new
/// initiative gets `0..=requested` (or `0..=0` when the policy gives it nothing); the other
/// bounds go on the rounding grid ([`on_grid`]).
fn to_assessment(script: &Script, out: Dynamic, p: &Program, unit: Unit) -> Result<Assessment, Diagnostic> {
    let what = "policy";
    let found = kind_of(&out);
    let Some(map) = out.try_cast::<Map>() else {
        return Err(Diagnostic::error(format!(
            "the policy must return a map such as `#{{ action: \"継続\", priority: 1.0, reason: \"…\" }}`, found {found}"
        ))
        .at(last_statement(script))
        .note(program_note(p)));
    };
    let map = Fields::of(script, &map, &ASSESSMENT_KEYS, what, p)?;
    let action = action_of(script, &map, what, p)?;
    let reason = reason_of(script, &map, what, p)?;
    let priority = match map.get("priority") {
        None => return Err(missing(script, what, "priority", "priority: 1.0", p)),
        Some(v) => match number(v) {
            Some(d) if d >= Decimal::ZERO => d,
            Some(d) => {
                return Err(Diagnostic::error(format!("`priority` must not be negative, found {d}"))
                    .at(returned_at(script, "priority", Some(v)))
                    .note(program_note(p)));
            }
            None => {
                return Err(Diagnostic::error(format!("`priority` must be a number, found {}", kind_of(v)))
                    .at(returned_at(script, "priority", Some(v)))
                    .note(program_note(p)));
            }
        },
    };
    let base = ratio_base(p);
    let bound = |money_key: &str, ratio_key: &str| -> Result<Option<Money>, Diagnostic> {
        let m = money_of(script, &map, money_key, p)?;
        let r = ratio_of(script, &map, ratio_key, p)?;
        match (m, r) {
            (Some(_), Some(_)) => {
                Err(Diagnostic::error(format!("the policy returned both `{money_key}` and `{ratio_key}`"))
                    .at(point_at(script, &format!("{ratio_key}:")))
                    .note(program_note(p))
                    .hint("give one of them"))
            }
            (Some(m), None) => Ok(Some(m)),
            (None, Some(r)) => Ok(Some(base.mul_ratio(r))),
            (None, None) => Ok(None),
        }
    };
    let min = bound("min", "min_ratio")?;
    let max = bound("max", "max_ratio")?;
    let (min, max) = if p.kind == ProgramKind::Mandatory {
        (p.requested, p.requested)
    } else if p.all_or_nothing {
        let nothing = max.is_some_and(|m| m.is_zero()) || matches!(action, Action::Abolish | Action::Complete);
        (Money::ZERO, if nothing { Money::ZERO } else { p.requested })
    } else {
        let max = max.unwrap_or(p.requested).min(p.requested);
        on_grid(min.unwrap_or(Money::ZERO).min(max), max, p, unit)
    };
    Ok(Assessment { action, priority, min, max, reason: reason.as_str().to_owned() })
}

/// The review's bounds on the scenario's rounding grid, so that every amount the allocation
/// chooses is a multiple of the unit unless the user wrote it: a bound that is 0, the request or
/// the prior-year budget stays as written; a computed minimum rounds up and a computed maximum
/// down (the bounds only narrow). When no multiple of the unit lies between them (a computed
/// amount pinned by equal ratios, or a range narrower than the unit), both become the multiple
/// nearest their middle, never above the request.
pub(crate) fn on_grid(min: Money, max: Money, p: &Program, unit: Unit) -> (Money, Money) {
    let written = |m: Money| m.is_zero() || m == p.requested || m == p.prior_cost;
    let lo = if written(min) { min } else { min.ceil_to(unit) };
    let hi = if written(max) { max } else { max.floor_to(unit) };
    if lo <= hi {
        return (lo, hi);
    }
    let middle = Money::from_decimal((min.as_decimal() + max.as_decimal()) / Decimal::TWO).round_to(unit);
    let pin = middle.min(p.requested).max(Money::ZERO);
    (pin, pin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reports_what_it_read_of_the_program_and_whether_it_printed() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/kumamoto-r8.toml")).unwrap();
        let ruleset = Ruleset::for_scenario(&sc).unwrap();
        let mut scope = Scope::new();
        scope.push_constant("program", program_view(&sc.programs[0], &Context::of(&sc)));
        let mut eval = |text: &str| {
            let ast = ruleset.engine.compile_with_scope(&scope, text).unwrap();
            observe(|| ruleset.engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast).unwrap()).1
        };
        let field = |name: &str| crate::rules::PROGRAM_FIELDS.iter().position(|f| f.name == name).unwrap() as u8;
        let seen = eval("if program.kind == \"no such kind\" { program.name } else { program.fees }");
        assert_eq!(seen.reads, [field("kind"), field("fees")]);
        assert!(seen.printed.is_empty());
        let seen = eval("print(program)");
        assert_eq!(seen.reads, [field("id"), field("name")]);
        assert_eq!(seen.printed.lines, [format!("{} {}", sc.programs[0].id, sc.programs[0].name)]);
    }

    #[test]
    fn a_remembered_result_is_the_result_the_script_would_return() {
        let dir = std::env::temp_dir().join(format!("waku-remember-{}", std::process::id()));
        let spec = crate::generate::CitySpec { programs: 1500, departments: 8, seed: 11 };
        let path = crate::generate::write_city(&spec, &dir).unwrap();
        let sc = crate::scenario::load(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let ruleset = Ruleset::load(std::path::Path::new("rules"), &sc.parameters).unwrap();
        let programs: Vec<&Program> = sc.programs.iter().collect();
        let cx = Context::of(&sc);
        let review = |remembered: &Remembered, parallel, compile| {
            let params = ruleset.params_map(Some(sc.fiscal_year));
            let r = review_remembering(&programs, &cx, &ruleset, params, parallel, remembered, compile).unwrap();
            serde_json::to_string(&r).unwrap()
        };
        let fresh = review(&Remembered::new(&ruleset, false), false, false);
        for (parallel, compile) in [(false, false), (true, false), (false, true), (true, true)] {
            let remembered = Remembered::new(&ruleset, true);
            assert!(review(&remembered, parallel, compile) == fresh, "parallel: {parallel}, compiled: {compile}");
            // Each script's results were reused for some programs, or this test shows nothing
            // (the policy's only when interpreted).
            for v in &remembered.viewpoints {
                assert!(lock(v).by_input.hits() > 0);
            }
            assert_eq!(lock(&remembered.policy).hits() > 0, !compile);
        }
    }

    /// The compiled scripts give the very findings and assessments Rhai gives, program by program
    /// (nothing remembered, so every script runs on every program), on a generated city and on
    /// the bundled scenarios.
    #[test]
    fn compiled_scripts_review_as_rhai_does() {
        let dir = std::env::temp_dir().join(format!("waku-compiled-{}", std::process::id()));
        let spec = crate::generate::CitySpec { programs: 2000, departments: 8, seed: 29 };
        let path = crate::generate::write_city(&spec, &dir).unwrap();
        let mut scenarios = vec![crate::scenario::load(&path).unwrap()];
        let _ = std::fs::remove_dir_all(&dir);
        for name in ["kitakyushu-r8", "kitakyushu-r8-revenue-down", "kumamoto-r8"] {
            scenarios.push(crate::scenario::load(std::path::Path::new(&format!("scenarios/{name}.toml"))).unwrap());
        }
        for sc in &scenarios {
            let ruleset = Ruleset::for_scenario(sc).unwrap();
            let programs: Vec<&Program> = sc.programs.iter().collect();
            let cx = Context::of(sc);
            let review = |compile| {
                let params = ruleset.params_map(Some(sc.fiscal_year));
                let remembered = Remembered::new(&ruleset, false);
                let r = review_remembering(&programs, &cx, &ruleset, params, false, &remembered, compile).unwrap();
                serde_json::to_string_pretty(&r).unwrap()
            };
            let (rhai, compiled) = (review(false), review(true));
            if let Some((a, b)) = rhai.lines().zip(compiled.lines()).find(|(a, b)| a != b) {
                panic!("{}: Rhai gives {a}, the compiled script {b}", sc.name);
            }
            assert_eq!(rhai, compiled);
            // Every script of the ruleset is compiled, or this test shows nothing.
            let mut scope = Scope::new();
            scope.push_constant_dynamic("params", Dynamic::from_map(ruleset.params_map(Some(sc.fiscal_year))));
            let folded = Folded::new(&ruleset, &scope, true);
            assert!(folded.viewpoints.iter().chain([&folded.policy]).all(|(_, c)| c.is_some()));
        }
    }

    #[test]
    fn bounds_go_on_the_rounding_grid_unless_the_user_wrote_them() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/kumamoto-r8.toml")).unwrap();
        let mut p = sc.programs[1].clone();
        p.prior_cost = Money::yen(334_351_000);
        p.requested = Money::yen(312_922_000);
        let sen = Unit::Sen;
        // 50%–89% of the prior year: the minimum rounds up, the maximum down.
        let (lo, hi) = (Money::yen(167_175_500), Money::yen(297_572_390));
        assert_eq!(on_grid(lo, hi, &p, sen), (Money::yen(167_176_000), Money::yen(297_572_000)));
        // The request and the prior-year budget stay as written, even off the grid.
        p.requested = Money::yen(312_922_345);
        assert_eq!(on_grid(lo, p.requested, &p, sen), (Money::yen(167_176_000), p.requested));
        assert_eq!(on_grid(Money::ZERO, p.requested, &p, sen), (Money::ZERO, p.requested));
        // A computed amount pinned by equal ratios: the multiple nearest it.
        assert_eq!(on_grid(lo, lo, &p, sen), (Money::yen(167_176_000), Money::yen(167_176_000)));
        // No multiple between the two: the one nearest their middle, never above the request.
        let (a, b) = (Money::yen(5_100), Money::yen(5_900));
        assert_eq!(on_grid(a, b, &p, sen), (Money::yen(6_000), Money::yen(6_000)));
        p.requested = Money::yen(5_900);
        assert_eq!(on_grid(a, b, &p, sen), (Money::yen(5_900), Money::yen(5_900)));
        // On the yen grid nothing moves.
        assert_eq!(on_grid(lo, hi, &p, Unit::Yen), (lo, hi));
    }

    #[test]
    fn decimals_convert_to_floats_exactly_as_rust_decimal_does() {
        let mut values = vec![Decimal::ZERO, Decimal::NEGATIVE_ONE, Decimal::MAX, Decimal::MIN, Decimal::new(-0, 3)];
        let mut seed = 5u64;
        for i in 0..400_000u32 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let m = match i % 4 {
                0 => (seed >> 40) as i64,
                1 => (seed >> 1) as i64,
                2 => -((seed >> 20) as i64),
                _ => seed as i64,
            };
            values.push(Decimal::new(m, (seed % 29) as u32));
            values.push(Decimal::from_i128_with_scale(i128::from(m) << 30, (seed % 23) as u32));
        }
        for d in values {
            assert_eq!(float(d).to_bits(), d.to_f64().unwrap().to_bits(), "{d}");
        }
    }

    #[test]
    fn ratios_round_to_6_places_exactly_as_decimal_does() {
        let mut values =
            vec![0.0, -0.0, 0.9, -0.9, 1.0, 0.1, 0.0000005, 0.0000015, 0.0000025, -0.0000025, 4503599627370495.5];
        values.extend([
            f64::MIN_POSITIVE,
            1e-30,
            1e-7,
            5e-7,
            1e20,
            1e28,
            1e29,
            -1e29,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
        ]);
        let mut seed = 11u64;
        for i in 0..1_000_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let n = (seed >> 20) as f64;
            values.push(match i % 6 {
                0 => (r - 0.5) * 4.0,
                1 => ((r - 0.5) * 400.0).round() / 100.0,
                // Near-ties at the sixth place: k + ½ millionths, and their neighbours.
                2 => ((n % 10_000_000.0) + 0.5) / 1e6,
                3 => f64::from_bits((((n % 10_000_000.0) + 0.5) / 1e6).to_bits() + (seed & 3) - 1),
                4 => (r - 0.5) * 1e12,
                _ => f64::from_bits(seed),
            });
        }
        for f in values {
            // The same representation (scale and sign too), not only the same value.
            let (fast, general) = (float_to_6dp(f), float_to_6dp_by_decimal(f));
            assert_eq!(fast.map(|d| d.serialize()), general.map(|d| d.serialize()), "{f:e}");
        }
    }
}
