//! Bureau policy scripts: a bureau's own priorities and bounds for its programs, inside the city's limits.
//!
//! A bureau's script is `policy = "…"` on its `[[departments]]` entry (relative to the scenario),
//! else `departments/<id>.rhai` in the rules folder; a bureau with neither keeps the city's
//! assessment (the default policy). The script runs once per program of the bureau, in the
//! ruleset's sandboxed engine (same limits, same helpers, imports only from `rules/`), and sees
//! read-only:
//!
//! * `program` — the program, as the viewpoint scripts see it;
//! * `params` — the ruleset's parameters;
//! * `assessment` — the city's review: `#{ action, priority, min, max, reason }` (money in yen);
//! * `bureau` — `#{ id, name, envelope, savings_kept, required, headroom, programs }`: the envelope
//!   level 2 must fill exactly; `required`, the general revenue its programs need at the review's
//!   minimums and to keep its share of the next-generation frame (at the least general revenue);
//!   `headroom` = envelope − required, what the bureau's own minimums may add in all;
//!   `programs`, each of its programs as `#{ id, name, kind, action, min, max, general_min,
//!   general_max }` (the review's bounds and the general revenue at each), in inventory order —
//!   so a policy can protect programs only as far as its envelope allows.
//!
//! It returns `()` (keep the city's assessment) or a map with any of `priority` (≥ 0), `min`,
//! `max` (money) or `min_ratio`, `max_ratio` (of last year's cost, of the request for new
//! programs), and `reason`.
//!
//! # Hard limits: clamped with a warning, or an error
//!
//! A bureau decides inside the city's decision, never against it. Bounds outside the review's
//! bounds are **clamped** to them, with a warning that points at the script and names the program:
//! a mandatory program stays fixed at its request, a program the review abolished (max 0) stays at
//! 0, a minimum below the review's minimum is raised to it, a maximum above the review's maximum
//! is lowered to it. Clamping keeps the run going (a budget office needs the city's answer even if
//! one bureau's script over-reaches) and the warning makes the over-reach visible.
//!
//! Minimums that together need **more general revenue than the bureau's envelope** (or more
//! investment, bonds than the bureau had at level 1) cannot be clamped without choosing which
//! program loses: that is an error (exit 2) at the script, saying by how much.

use std::sync::Arc;

use rhai::{Dynamic, Map, Scope};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use crate::diagnostic::{Diagnostic, Location, Source};
use crate::money::Money;
use crate::review::{Assessment, Context, Review, program_view, ratio_base};
use crate::rules::allocation::{find_from, point_at};
use crate::rules::{Ruleset, Script};
use crate::scenario::{Department, Program, ProgramKind, Scenario};

/// What a bureau's script may return.
const KEYS: [&str; 6] = ["priority", "min", "max", "min_ratio", "max_ratio", "reason"];

/// A bureau's decision on one program, within the review's bounds.
#[derive(Debug, Clone)]
pub struct BureauAssessment {
    /// Priority in the bureau's order (higher is funded first).
    pub priority: Decimal,
    pub min: Money,
    pub max: Money,
    pub reason: String,
    /// The bureau's script changed the city's priority or bounds.
    pub changed: bool,
}

impl BureauAssessment {
    fn city(a: &Assessment) -> BureauAssessment {
        BureauAssessment { priority: a.priority, min: a.min, max: a.max, reason: a.reason.clone(), changed: false }
    }
}

/// The script file of a bureau's policy, if it has one.
pub fn script_path(dept: &Department, ruleset: &Ruleset) -> Option<std::path::PathBuf> {
    if let Some(p) = &dept.policy_script {
        return Some(p.clone());
    }
    // On disk, a link there may lead only to a file inside the rules folder (otherwise it is ignored).
    let conventional = ruleset.dir.join("departments").join(format!("{}.rhai", dept.id));
    if matches!(ruleset.files, crate::rules::RuleFiles::Dir(_)) {
        let written = format!("departments/{}.rhai", dept.id);
        crate::files::resolve(&written, &ruleset.dir, &[&ruleset.dir], false).ok()?;
    }
    ruleset.files.is_file(&conventional).then_some(conventional)
}

/// Compiles every bureau's script once (errors located in the script).
pub fn compile_all(sc: &Scenario, ruleset: &Ruleset) -> crate::Result<Vec<Option<Script>>> {
    let mut out = Vec::with_capacity(sc.departments.len());
    let mut errors = Vec::new();
    for d in &sc.departments {
        match script_path(d, ruleset).map(|p| ruleset.compile_bureau_policy(&p)) {
            None => out.push(None),
            Some(Ok(s)) => out.push(Some(s)),
            Some(Err(es)) => {
                errors
                    .extend(es.into_iter().map(|e| e.note(format!("in the policy of bureau `{}` ({})", d.id, d.name))));
                out.push(None);
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(crate::Error::Input(errors)) }
}

/// Like [`point_at`], but first after the place the script names the program (`"K0243"`), if it does.
fn point_at_for(source: &Arc<Source>, needle: &str, p: &Program) -> Location {
    let named = source.text.find(&format!("\"{}\"", p.id));
    named.and_then(|o| find_from(source, needle, o)).unwrap_or_else(|| point_at(source, needle))
}

fn program_note(p: &Program) -> String {
    format!("for program `{}` ({})", p.id, p.name)
}

fn money(v: &Dynamic) -> Option<Decimal> {
    if let Ok(d) = v.as_decimal() {
        Some(d)
    } else if let Ok(i) = v.as_int() {
        Some(Decimal::from(i))
    } else {
        None
    }
}

fn number(v: &Dynamic) -> Option<Decimal> {
    if let Ok(f) = v.as_float() { Decimal::from_f64(f).map(|d| d.round_dp(6)) } else { money(v) }
}

/// What a bureau's script is told of its envelope (the `bureau` variable).
#[derive(Debug, Clone, Copy)]
pub struct BureauView {
    /// The general revenue level 2 must fill exactly.
    pub envelope: Money,
    /// The savings it keeps (メリットシステム), inside the envelope.
    pub kept: Money,
    /// What the envelope must hold before the bureau decides: its programs at the review's
    /// minimums, and its share of the next-generation frame ([`super::level2::required`]).
    pub required: Money,
}

/// Everything one bureau's script decided, with the clamping warnings.
pub struct Decided {
    /// Per program of the scenario (programs of other bureaus: `None`).
    pub assessments: Vec<Option<BureauAssessment>>,
    pub warnings: Vec<Diagnostic>,
}

/// Runs bureau `d`'s script (or the city's assessments when it has none) on each of its programs.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    sc: &Scenario,
    review: &Review,
    ruleset: &Ruleset,
    cx: &Context<'_>,
    d: usize,
    script: Option<&Script>,
    view: &BureauView,
) -> Result<Decided, Diagnostic> {
    let (envelope, kept, required) = (view.envelope, view.kept, view.required);
    let dept = &sc.departments[d];
    let mut out = Decided { assessments: vec![None; sc.programs.len()], warnings: Vec::new() };
    let Some(script) = script else {
        for (i, (p, r)) in sc.programs.iter().zip(&review.programs).enumerate() {
            if p.department == dept.id {
                out.assessments[i] = Some(BureauAssessment::city(&r.assessment));
            }
        }
        return Ok(out);
    };
    let mut bureau = Map::new();
    bureau.insert("id".into(), Dynamic::from(dept.id.clone()));
    bureau.insert("name".into(), Dynamic::from(dept.name.clone()));
    bureau.insert("envelope".into(), Dynamic::from_decimal(envelope.as_decimal()));
    bureau.insert("savings_kept".into(), Dynamic::from_decimal(kept.as_decimal()));
    // What the envelope has to cover before the bureau decides anything: the general revenue of
    // its programs at the review's minimums; the rest is the bureau's headroom. Each program's
    // bounds and their general revenue let a policy protect only what the headroom can hold.
    let mut programs = rhai::Array::new();
    for (p, r) in sc.programs.iter().zip(&review.programs).filter(|(p, _)| p.department == dept.id) {
        let a = &r.assessment;
        let (general_min, general_max) = (p.general_revenue(a.min), p.general_revenue(a.max));
        let mut m = Map::new();
        m.insert("id".into(), Dynamic::from(p.id.clone()));
        m.insert("name".into(), Dynamic::from(p.name.clone()));
        m.insert("kind".into(), Dynamic::from(p.kind.id().to_string()));
        m.insert("action".into(), Dynamic::from(a.action.label().to_string()));
        m.insert("min".into(), Dynamic::from_decimal(a.min.as_decimal()));
        m.insert("max".into(), Dynamic::from_decimal(a.max.as_decimal()));
        m.insert("general_min".into(), Dynamic::from_decimal(general_min.as_decimal()));
        m.insert("general_max".into(), Dynamic::from_decimal(general_max.as_decimal()));
        programs.push(Dynamic::from_map(m));
    }
    bureau.insert("required".into(), Dynamic::from_decimal(required.as_decimal()));
    bureau.insert("headroom".into(), Dynamic::from_decimal((envelope - required).as_decimal()));
    bureau.insert("programs".into(), Dynamic::from_array(programs));
    let mut scope = Scope::new();
    scope.push_constant_dynamic("bureau", Dynamic::from_map(bureau));
    let base = scope.len();
    let src = &script.source;
    for (i, (p, r)) in sc.programs.iter().zip(&review.programs).enumerate() {
        if p.department != dept.id {
            continue;
        }
        let a = &r.assessment;
        // The program's own `params`: a value for its bureau or its kind holds here as in the review.
        let params = ruleset.parameters.to_map_for(Some(sc.fiscal_year), &p.department, p.kind);
        scope.push_constant_dynamic("params", Dynamic::from_map(params));
        scope.push_constant("program", program_view(p, cx));
        scope.push_constant_dynamic("assessment", Dynamic::from_map(a.to_script_map()));
        let params = ruleset.param_names();
        let result = crate::rules::allocation::eval_guarded(
            &ruleset.engine,
            &ruleset.sources,
            &params,
            script,
            &mut scope,
            || program_note(p),
        );
        scope.rewind(base);
        let value = result?;
        let decided = if value.is_unit() {
            BureauAssessment::city(a)
        } else {
            let Some(map) = value.clone().try_cast::<Map>() else {
                return Err(Diagnostic::error(format!(
                    "a bureau policy must return `()` or a map such as `#{{ priority: 2.0 }}`, found {}",
                    value.type_name()
                ))
                .at(Location::at_line_col(src, 1, 1))
                .note(program_note(p)));
            };
            read(src, p, a, &map, &mut out.warnings)?
        };
        out.assessments[i] = Some(decided);
    }
    Ok(out)
}

/// Reads one returned map and clamps it into the review's bounds.
fn read(
    src: &Arc<Source>,
    p: &Program,
    a: &Assessment,
    map: &Map,
    warnings: &mut Vec<Diagnostic>,
) -> Result<BureauAssessment, Diagnostic> {
    for k in map.keys() {
        if !KEYS.contains(&k.as_str()) {
            return Err(Diagnostic::error(format!("the bureau policy returned an unknown key `{k}`"))
                .at(point_at(src, &format!("{k}:")))
                .note(program_note(p))
                .suggest(k, KEYS));
        }
    }
    let bad = |key: &str, what: &str, v: &Dynamic| {
        Diagnostic::error(format!("`{key}` must be {what}, found {}", v.type_name()))
            .at(point_at(src, &format!("{key}:")))
            .note(program_note(p))
    };
    let priority = match map.get("priority") {
        None => a.priority,
        Some(v) => match number(v) {
            Some(x) if x >= Decimal::ZERO => x,
            Some(x) => {
                return Err(Diagnostic::error(format!("`priority` must not be negative, found {x}"))
                    .at(point_at(src, "priority:"))
                    .note(program_note(p)));
            }
            None => return Err(bad("priority", "a number", v)),
        },
    };
    let reason = match map.get("reason") {
        None => a.reason.clone(),
        Some(v) => v.clone().into_string().map_err(|_| bad("reason", "a string", v))?,
    };
    let bound = |money_key: &str, ratio_key: &str| -> Result<Option<Money>, Diagnostic> {
        let m = match map.get(money_key) {
            Some(v) if !v.is_unit() => Some(money(v).ok_or_else(|| bad(money_key, "money such as `oku(1.5)`", v))?),
            _ => None,
        };
        let r = match map.get(ratio_key) {
            Some(v) if !v.is_unit() => Some(number(v).ok_or_else(|| bad(ratio_key, "a number such as 0.9", v))?),
            _ => None,
        };
        match (m, r) {
            (Some(_), Some(_)) => {
                Err(Diagnostic::error(format!("the bureau policy returned both `{money_key}` and `{ratio_key}`"))
                    .at(point_at(src, &format!("{ratio_key}:")))
                    .note(program_note(p))
                    .hint("give one of them"))
            }
            (Some(m), None) => Ok(Some(Money::from_decimal(m))),
            (None, Some(r)) => Ok(Some(ratio_base(p).mul_ratio(r))),
            (None, None) => Ok(None),
        }
    };
    let min = bound("min", "min_ratio")?;
    let max = bound("max", "max_ratio")?;
    let mut warn = |key: &str, text: String| {
        warnings.push(
            Diagnostic::warning(text)
                .at(point_at_for(src, &format!("{key}:"), p))
                .note(program_note(p))
                .hint("a bureau decides inside the review's bounds; the city's limit was kept"),
        );
    };
    let (mut lo, mut hi) = (a.min, a.max);
    if p.kind == ProgramKind::Mandatory {
        if min.is_some_and(|m| m != p.requested) || max.is_some_and(|m| m != p.requested) {
            warn(
                if min.is_some() { "min" } else { "max" },
                format!("mandatory program `{}` stays fixed at its request {}", p.id, p.requested),
            );
        }
    } else {
        if let Some(m) = max {
            if a.max.is_zero() && m > Money::ZERO {
                warn("max", format!("program `{}` was abolished by the review ({}); it stays at 0", p.id, a.action));
            } else if m > a.max {
                warn("max", format!("`max` {} for `{}` is above the review's maximum {}; clamped", m, p.id, a.max));
            }
            hi = m.min(a.max).max(a.min);
        }
        if let Some(m) = min {
            if a.max.is_zero() && m > Money::ZERO {
                if max.is_none_or(|x| x.is_zero()) {
                    warn(
                        "min",
                        format!("program `{}` was abolished by the review ({}); it stays at 0", p.id, a.action),
                    );
                }
            } else if m > hi {
                warn("min", format!("`min` {} for `{}` is above its maximum {}; clamped", m, p.id, hi));
            } else if m < a.min {
                warn("min", format!("`min` {} for `{}` is below the review's minimum {}; clamped", m, p.id, a.min));
            }
            lo = m.max(a.min).min(hi);
        }
        if p.all_or_nothing {
            // Nothing or the full request: a bureau can drop it (max below the request) or insist on it (min > 0).
            hi = if hi < p.requested { Money::ZERO } else { hi };
            lo = if lo > Money::ZERO && hi == p.requested { p.requested } else { Money::ZERO };
        }
    }
    let changed = priority != a.priority || lo != a.min || hi != a.max;
    Ok(BureauAssessment { priority, min: lo, max: hi, reason, changed })
}
