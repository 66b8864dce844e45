//! Validation of a chain's stage layers: each stage, decision and restoration request checked
//! against the scenario's programs and bureaus and turned into a [`Cycle`].

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::money::{Money, Unit};
use crate::scenario::located::Located;
use crate::scenario::names::{Kind, Lookup, Names};
use crate::scenario::{Department, Program, ProgramKind};

/// What validation needs of the scenario.
pub(crate) struct Context<'a> {
    pub programs: &'a [Program],
    pub departments: &'a [Department],
    pub rounding_unit: Unit,
    pub display_unit: Unit,
}

/// Validates the chain's stage layers into a [`Cycle`] (`None` when no file of the chain is a
/// stage); every problem is reported, each at its place.
pub(crate) fn validate(
    layers: Vec<Layer>,
    dispositions: Option<Vec<Located<DispositionFile>>>,
    cx: &Context<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Cycle> {
    if layers.is_empty() {
        if let Some(d) = dispositions.as_ref().and_then(|d| d.first()) {
            errors.push(
                Diagnostic::error("`[[dispositions]]` belong to a budget cycle, but no file of this chain is a stage")
                    .at_opt(d.location.clone())
                    .hint("add `[stage]` (name and kind) to the stage files, or remove the dispositions"),
            );
        }
        return None;
    }
    let dispositions = match dispositions {
        Some(list) => own_dispositions(list, errors),
        None => nagoya_dispositions(),
    };
    let unit = Money::from_decimal(cx.rounding_unit.factor()).max(Money::yen(1));
    let errors_before = errors.len();
    let names = Names::new(
        cx.departments.iter().map(|d| (d.id.as_str(), d.name.as_str())),
        cx.programs.iter().map(|p| (p.id.as_str(), p.name.as_str())),
    );
    let program = |id: &str| cx.programs.iter().find(|p| p.id == id);
    let mut cycle = Cycle {
        stages: Vec::new(),
        dispositions,
        decisions: Vec::new(),
        restorations: Vec::new(),
        unit,
        display_unit: cx.display_unit,
    };
    for layer in layers {
        let source = layer.source();
        let Some(stage_file) = layer.stage else {
            let at = layer
                .decisions
                .first()
                .map(|d| d.location.clone())
                .or(layer.restorations.first().map(|r| r.location.clone()));
            let what = if layer.decisions.is_empty() { "restoration requests" } else { "decisions" };
            errors.push(
                Diagnostic::error(format!("{what} belong to a stage, but this file has no `[stage]`"))
                    .at_opt(at.flatten())
                    .hint(
                        "add `[stage]` with `name = \"財政課査定\"` and `kind = \"財政課査定\"` at the top of the file",
                    ),
            );
            continue;
        };
        let Some(stage) = stage(&stage_file, source.as_ref(), cycle.stages.last(), errors) else { continue };
        let index = cycle.stages.len();
        if stage.kind == StageKind::Request {
            if let Some(d) = layer.decisions.first() {
                errors.push(
                    Diagnostic::error("the 要求 stage holds the bureaus' requests, not decisions")
                        .at_opt(d.location.clone())
                        .hint("write decisions in the 財政課査定 stage (or a later one); change a request with `[[programs]]` `requested = …`"),
                );
            }
        }
        let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
        for entry in &layer.decisions {
            if let Some(d) = decision(entry, index, &cycle, &names, &program, errors) {
                if let Some(first) = seen.get(&d.program) {
                    errors.push(duplicate("decision", &d.program, entry.location.clone(), first.as_ref()));
                    continue;
                }
                seen.insert(d.program.clone(), entry.location.clone());
                cycle.decisions.push(d);
            }
        }
        let restorations = layer.restorations;
        if !restorations.is_empty() && !matches!(stage.kind, StageKind::Restoration | StageKind::Final) {
            errors.push(
                Diagnostic::error(format!(
                    "restoration requests (復活要求) are answered in a 復活要求 or 確定 stage, not in {}",
                    stage.kind.label()
                ))
                .at_opt(restorations[0].location.clone())
                .hint("move them to the stage after the 内示 (`kind = \"確定\"`)"),
            );
        }
        if !restorations.is_empty() && cycle.stages.is_empty() {
            errors.push(
                Diagnostic::error("restoration requests need a stage before them: the 内示 they ask against")
                    .at_opt(restorations[0].location.clone())
                    .hint("`extends` the stage whose result was shown to the bureaus"),
            );
        }
        let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
        for entry in &restorations {
            if let Some(r) = restoration(entry, index, &names, &program, cx.display_unit, errors) {
                if let Some(first) = seen.get(&r.program) {
                    errors.push(duplicate("restoration request", &r.program, entry.location.clone(), first.as_ref()));
                    continue;
                }
                seen.insert(r.program.clone(), entry.location.clone());
                cycle.restorations.push(r);
            }
        }
        cycle.stages.push(stage);
    }
    if cycle.stages.is_empty() {
        return None;
    }
    // A decision that did not parse is not in the cycle: saying its ⑤ is left open would blame the
    // stage for the decision it wrote; the check waits until the decisions read cleanly.
    if errors.len() == errors_before {
        deferred_decided(&cycle, errors);
    }
    Some(cycle)
}

fn duplicate(what: &str, program: &str, here: Option<Location>, first: Option<&Location>) -> Diagnostic {
    let mut d = Diagnostic::error(format!("a second {what} for program `{program}` in one stage")).at_opt(here);
    if let Some(l) = first {
        let (line, col) = l.source.line_col(l.span.start);
        d = d.note(format!("the first is at {}:{line}:{col}", l.source.name));
    }
    d.hint(format!("one {what} per program and stage: change the first one"))
}

fn own_dispositions(list: Vec<Located<DispositionFile>>, errors: &mut Vec<Diagnostic>) -> Vec<Disposition> {
    let mut out: Vec<Disposition> = Vec::new();
    for entry in &list {
        let d = &entry.value;
        let (Some(code), Some(label)) = (&d.code, &d.label) else {
            errors.push(
                Diagnostic::error("a disposition needs a `code` and a `label`")
                    .at_opt(entry.location.clone())
                    .hint("e.g. `code = \"①\"`, `label = \"要求通り\"`, `rule = \"request\"`"),
            );
            continue;
        };
        let rule = match &d.rule {
            None => Rule::Any,
            Some(r) => match Rule::ALL.into_iter().find(|x| x.id() == r.value.trim()) {
                Some(x) => x,
                None => {
                    errors.push(
                        Diagnostic::error(format!("unknown disposition rule `{}`", r.value))
                            .at_opt(r.location.clone())
                            .suggest(&r.value, Rule::ALL.iter().map(|x| x.id()))
                            .hint(format!(
                                "the rules are {}",
                                Rule::ALL.iter().map(|x| format!("`{}`", x.id())).collect::<Vec<_>>().join(", ")
                            )),
                    );
                    continue;
                }
            },
        };
        let new = Disposition { code: code.value.trim().to_string(), label: label.value.trim().to_string(), rule };
        if out.iter().any(|o| o.code == new.code || o.label == new.label) {
            errors.push(
                Diagnostic::error(format!("disposition `{}` is defined twice", new.name()))
                    .at_opt(code.location.clone())
                    .hint("each disposition needs its own code and label"),
            );
            continue;
        }
        out.push(new);
    }
    for rule in [Rule::Request, Rule::Reduced, Rule::None] {
        if !out.iter().any(|d| d.rule == rule) && !list.is_empty() {
            errors.push(
                Diagnostic::error(format!("no disposition has `rule = \"{}\"`", rule.id()))
                    .at_opt(list[0].location.clone())
                    .hint("waku gives programs without a decision a disposition by their amount: the request (`request`), less (`reduced`) or nothing (`none`); define one of each"),
            );
        }
    }
    out
}

/// `2026-01-15` from a TOML date or a string.
fn date(v: &Option<Located<toml::Value>>, errors: &mut Vec<Diagnostic>) -> Option<String> {
    let v = v.as_ref()?;
    let text = match &v.value {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    if is_date(&text) {
        Some(text)
    } else {
        errors.push(
            Diagnostic::error(format!("`date` must be a date such as 2026-01-15, found `{text}`"))
                .at_opt(v.location.clone())
                .hint("write the date as year-month-day: `date = 2026-01-15`"),
        );
        None
    }
}

/// Whether `s` is a calendar date `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn text(v: &Option<Located<String>>) -> Option<String> {
    v.as_ref().map(|s| s.value.trim().to_string()).filter(|s| !s.is_empty())
}

fn stage(
    file: &Located<StageFile>,
    source: Option<&Arc<Source>>,
    before: Option<&Stage>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Stage> {
    let s = &file.value;
    let kind = match &s.kind {
        None => {
            errors.push(
                Diagnostic::error("`[stage]` has no `kind`")
                    .at_opt(file.location.clone())
                    .hint("add `kind = \"…\"`: 要求, 財政課査定, 市長査定, 内示, 復活要求 or 確定"),
            );
            return None;
        }
        Some(k) => match StageKind::parse(&k.value) {
            Some(kind) => kind,
            None => {
                errors.push(
                    Diagnostic::error(format!("unknown stage kind `{}`", k.value))
                        .at_opt(k.location.clone())
                        .suggest(&k.value, StageKind::ALL.iter().flat_map(|k| [k.id(), k.label()]))
                        .hint("the kinds, in order: 要求, 財政課査定, 市長査定, 内示, 復活要求, 確定 (or request, finance, mayor, draft, restoration, final)"),
                );
                return None;
            }
        },
    };
    if let Some(b) = before {
        if kind < b.kind {
            errors.push(
                Diagnostic::error(format!(
                    "a {} stage cannot follow the {} stage `{}`",
                    kind.label(),
                    b.kind.label(),
                    b.file
                ))
                .at_opt(s.kind.as_ref().and_then(|k| k.location.clone()))
                .hint("a stage `extends` the stage before it: 要求 → 財政課査定 → 市長査定 → 内示 → 復活要求 → 確定"),
            );
        }
    }
    let file_name = source.map_or_else(String::new, |s| s.name.clone());
    Some(Stage {
        name: text(&s.name).unwrap_or_else(|| kind.label().to_string()),
        kind,
        date: date(&s.date, errors),
        author: text(&s.author),
        file: file_name,
        path: source.and_then(|s| s.path.clone()),
        location: file.location.clone(),
    })
}

/// The program `written` names (an id or a name), or an error at `at`.
/// The program an entry names (`what` is "a decision" or "a restoration request"), by its id or name;
/// an entry without `program` (located at `entry`) or naming no single program is an error.
fn resolve_program(
    written: Option<&Located<String>>,
    entry: Option<&Location>,
    what: &str,
    names: &Names<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    let Some(written) = written else {
        errors.push(
            Diagnostic::error(format!("{what} has no `program`"))
                .at_opt(entry.cloned())
                .hint("name the program: `program = \"K0123\"` (its id or its name)"),
        );
        return None;
    };
    match names.find(&written.value, &[Kind::Program]) {
        Lookup::Found(_, id) => Some(id.to_string()),
        Lookup::Ambiguous(kind, ids) => {
            errors.push(
                Diagnostic::error(Names::ambiguous(&written.value, kind, &ids))
                    .at_opt(written.location.clone())
                    .hint(format!("name the program by its id, e.g. `program = \"{}\"`", ids[0])),
            );
            None
        }
        Lookup::NotFound => {
            errors.push(
                Diagnostic::error(format!("{what} names unknown program `{}`", written.value))
                    .at_opt(written.location.clone())
                    .hint_opt(names.did_you_mean(&written.value, &[Kind::Program]))
                    .hint_or("name a program of the scenario by its id or its name"),
            );
            None
        }
    }
}

trait HintOr {
    fn hint_or(self, hint: &str) -> Self;
}

impl HintOr for Diagnostic {
    fn hint_or(self, hint: &str) -> Self {
        if self.hint.is_some() { self } else { self.hint(hint) }
    }
}

fn decision<'p>(
    entry: &Located<DecisionFile>,
    stage: usize,
    cycle: &Cycle,
    names: &Names<'_>,
    program: &impl Fn(&str) -> Option<&'p Program>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Decision> {
    let d = &entry.value;
    let id = resolve_program(d.program.as_ref(), entry.location.as_ref(), "a decision", names, errors)?;
    let written = d.program.as_ref()?;
    let p = program(&id)?;
    let n = errors.len();
    let Some(reason) = text(&d.reason) else {
        errors.push(
            Diagnostic::error(format!("the decision on `{id}` has no reason"))
                .at_opt(d.reason.as_ref().and_then(|r| r.location.clone()).or(written.location.clone()))
                .hint("every override needs the reason that goes on the 査定調書: `reason = \"…\"`"),
        );
        return None;
    };
    let disposition = match &d.disposition {
        None => {
            errors.push(
                Diagnostic::error(format!("the decision on `{id}` has no disposition"))
                    .at_opt(written.location.clone())
                    .hint(format!("add `disposition = \"…\"`: {}", disposition_list(&cycle.dispositions))),
            );
            return None;
        }
        Some(w) => match cycle.disposition(&w.value) {
            Some(i) => i,
            None => {
                errors.push(
                    Diagnostic::error(format!("unknown disposition `{}`", w.value))
                        .at_opt(w.location.clone())
                        .suggest(&w.value, cycle.dispositions.iter().flat_map(|d| [d.code.as_str(), d.label.as_str()]))
                        .hint_or(&format!("the dispositions are {}", disposition_list(&cycle.dispositions))),
                );
                return None;
            }
        },
    };
    let money = |v: &Option<Located<Money>>, key: &str, errors: &mut Vec<Diagnostic>| -> Option<Money> {
        let m = v.as_ref()?;
        if m.value.is_negative() {
            errors.push(
                Diagnostic::error(format!("`{key}` must not be negative"))
                    .at_opt(m.location.clone())
                    .hint("amounts are zero or more"),
            );
        } else if m.value > p.requested {
            errors.push(
                Diagnostic::error(format!(
                    "`{key}` {} is above the request of `{id}`, {}",
                    m.value.format(cycle.display_unit),
                    p.requested.format(cycle.display_unit)
                ))
                .at_opt(m.location.clone())
                .hint("査定 grants at most the request; to ask for more, change `requested` in the 要求 stage"),
            );
        }
        Some(m.value)
    };
    let (amount, min, max) =
        (money(&d.amount, "amount", errors), money(&d.min, "min", errors), money(&d.max, "max", errors));
    if amount.is_some() && (min.is_some() || max.is_some()) {
        errors.push(
            Diagnostic::error(format!("the decision on `{id}` states both an amount and bounds"))
                .at_opt(d.min.as_ref().or(d.max.as_ref()).and_then(|m| m.location.clone()))
                .hint("write `amount = …` to fix the program, or `min`/`max` to bound it"),
        );
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            errors.push(
                Diagnostic::error(format!("the decision on `{id}`: `min` is above `max`"))
                    .at_opt(d.min.as_ref().and_then(|m| m.location.clone()))
                    .hint("write the bounds low first"),
            );
        }
    }
    let location = d
        .amount
        .as_ref()
        .or(d.min.as_ref())
        .or(d.max.as_ref())
        .and_then(|m| m.location.clone())
        .or(d.disposition.as_ref().and_then(|x| x.location.clone()))
        .or(entry.location.clone());
    let disp = &cycle.dispositions[disposition];
    let disp_at = d.disposition.as_ref().and_then(|x| x.location.clone());
    let u = cycle.display_unit;
    // The disposition must agree with the amount (or leave room inside the bounds).
    let range = disp.rule.range(p, cycle.unit);
    let meaning = || {
        format!(
            "{} means {}: request {}, prior year {}",
            disp.name(),
            disp.rule.words(),
            p.requested.format(u),
            p.prior_cost.format(u)
        )
    };
    if let Some(a) = amount {
        if !disp.rule.holds(p, a) {
            errors.push(
                Diagnostic::error(format!(
                    "disposition {} does not fit the amount {} of `{id}`",
                    disp.name(),
                    a.format(u)
                ))
                .at_opt(disp_at.clone())
                .note(meaning())
                .hint("change the disposition or the amount so they agree"),
            );
        }
    } else if let Some((lo, hi)) = range {
        let (a, b) = (min.unwrap_or(Money::ZERO).max(lo), max.unwrap_or(p.requested).min(hi));
        if a > b {
            errors.push(
                Diagnostic::error(format!("disposition {} leaves no amount within the bounds of `{id}`", disp.name()))
                    .at_opt(disp_at.clone())
                    .note(meaning())
                    .hint("change the disposition or the bounds so they agree"),
            );
        }
    }
    if p.kind == ProgramKind::Mandatory {
        let (lo, hi) = match amount {
            Some(a) => (a, a),
            None => {
                let (lo, hi) = range.unwrap_or((Money::ZERO, p.requested));
                (min.unwrap_or(Money::ZERO).max(lo), max.unwrap_or(p.requested).min(hi))
            }
        };
        if !(lo <= p.requested && p.requested <= hi) {
            errors.push(
                Diagnostic::error(format!(
                    "`{id}` is mandatory (義務的経費): it is fixed at its request {}",
                    p.requested.format(u)
                ))
                .at_opt(location.clone())
                .hint("a decision on a mandatory program records its disposition (①); to change the amount, correct `requested` in the 要求 stage (`[[programs]]`)"),
            );
        }
    }
    if p.all_or_nothing {
        if let Some(a) = amount {
            if !a.is_zero() && a != p.requested {
                errors.push(
                    Diagnostic::error(format!(
                        "`{id}` is funded in full or not at all: {} is neither 0 nor its request {}",
                        a.format(u),
                        p.requested.format(u)
                    ))
                    .at_opt(location.clone())
                    .hint("decide 0 (④) or the request (①), or clear `all_or_nothing` for the program"),
                );
            }
        }
    }
    let date = date(&d.date, errors);
    if errors.len() > n {
        return None;
    }
    Some(Decision {
        program: id,
        stage,
        amount,
        min,
        max,
        disposition,
        reason,
        author: text(&d.author),
        date,
        location,
    })
}

fn disposition_list(list: &[Disposition]) -> String {
    list.iter().map(Disposition::name).collect::<Vec<_>>().join(", ")
}

fn restoration<'p>(
    entry: &Located<RestorationFile>,
    stage: usize,
    names: &Names<'_>,
    program: &impl Fn(&str) -> Option<&'p Program>,
    unit: Unit,
    errors: &mut Vec<Diagnostic>,
) -> Option<Restoration> {
    let r = &entry.value;
    let id = resolve_program(r.program.as_ref(), entry.location.as_ref(), "a restoration request", names, errors)?;
    let written = r.program.as_ref()?;
    let p = program(&id)?;
    let n = errors.len();
    let reason = text(&r.reason);
    if reason.is_none() {
        errors.push(
            Diagnostic::error(format!("the restoration request for `{id}` has no reason"))
                .at_opt(written.location.clone())
                .hint("a 復活要求 says why the bureau asks again: `reason = \"…\"`"),
        );
    }
    let amount = match &r.amount {
        None => {
            errors.push(
                Diagnostic::error(format!("the restoration request for `{id}` has no amount"))
                    .at_opt(written.location.clone())
                    .hint("`amount = \"…\"`: the amount asked for in all (at most the request)"),
            );
            None
        }
        Some(a) if a.value.is_negative() || a.value > p.requested => {
            errors.push(
                Diagnostic::error(format!(
                    "the restoration request for `{id}` asks {}, outside 0 to its request {}",
                    a.value.format(unit),
                    p.requested.format(unit)
                ))
                .at_opt(a.location.clone())
                .hint("a 復活要求 asks back at most what the bureau requested"),
            );
            None
        }
        Some(a) => Some(a.value),
    };
    let date = date(&r.date, errors);
    if errors.len() > n {
        return None;
    }
    Some(Restoration {
        program: id,
        stage,
        amount: amount?,
        reason: reason?,
        author: text(&r.author),
        date,
        location: r.amount.as_ref().and_then(|a| a.location.clone()).or(entry.location.clone()),
    })
}

/// A program left to a later stage (⑤) must be decided again by the stages after it.
fn deferred_decided(cycle: &Cycle, errors: &mut Vec<Diagnostic>) {
    let current = cycle.current();
    for (program, i) in cycle.effective() {
        let d = &cycle.decisions[i];
        let disp = &cycle.dispositions[d.disposition];
        if disp.rule == Rule::Deferred && d.stage < current {
            let stage = cycle.stage();
            errors.push(
                Diagnostic::error(format!(
                    "`{program}` was left to a later stage ({}, at {}), and {} does not decide it",
                    disp.name(),
                    d.place(),
                    stage.name
                ))
                .at_opt(stage.location.clone())
                .hint(format!(
                    "decide it in `{}`: `waku decide {} {program} --amount … --disposition … --reason \"…\"`",
                    stage.file, stage.file
                )),
            );
        }
    }
}
