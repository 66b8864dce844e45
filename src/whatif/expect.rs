//! Scenario expectations: `[[expect]]` entries that say what must hold of a scenario's outcome.
//!
//! ```toml
//! [[expect]]
//! figure = "reserve"            # one subject: figure, program, envelope, indicator or feasible
//! at_least = "40億円"           # checks: at_least, at_most, between = [lo, hi], equals
//! note = "the mayor keeps room for cross-cutting priorities"
//!
//! [[expect]]
//! program = "K0005"
//! action = "縮小"               # the review's action (今後の方向性)
//!
//! [[expect]]
//! envelope = "子ども家庭局"       # a bureau or program by its id or its name
//! between = ["340億円", "450億円"]
//!
//! [[expect]]
//! indicator = "bond_balance_change"
//! within_threshold = true       # or at_most / at_least / between
//!
//! [[expect]]
//! kpi = "K0559-1"               # an indicator of the KPI table: its latest achievement (`waku evaluate`)
//! at_least = "60%"
//! status = "遅れ"
//!
//! [[expect]]
//! kpi = "C8-1"
//! of = "cost_per_outcome"       # a cluster outcome's cost per unit this year, in yen
//! at_most = "2,000,000円"
//!
//! [[expect]]
//! evaluation = "programs_missed_3_years"  # a count of the evaluation (crate::evaluate::FIGURES)
//! equals = 1
//! ```
//!
//! [`parse`] validates the entries against the scenario (unknown keys, ids and names get a
//! located error with "did you mean"); [`check`] compares them with a [`YearOutcome`] and reports
//! each as a [`CaseResult`], the shape `waku test` prints for rule tests too.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::indicators::{self, Quantity, show_money};
use crate::allocate::Allocation;
use crate::diagnostic::{Diagnostic, Location};
use crate::money::{Money, Unit};
use crate::pipeline::YearOutcome;
use crate::review::Action;
use crate::review::cases::{CaseResult, Mismatch};
use crate::scenario::kpis::{KpiKind, KpiStatus};
use crate::scenario::names::{Kind, Lookup, Names};
use crate::scenario::{Located, Scenario};
use crate::{Error, Result};

/// Allocation figures an expectation may name with `figure = "…"`.
pub const FIGURES: &[(&str, &str)] = &[
    ("available", "general revenue to allocate (= envelopes + reserve)"),
    ("reserve", "the mayor's coordination reserve"),
    ("reserve_share", "the reserve as a share of available general revenue (a number)"),
    ("total_envelopes", "Σ of the bureaus' envelopes"),
    ("general_revenue", "一般財源 forecast"),
    ("fund_drawdown", "財源調整用基金 drawn down"),
    ("fund_deposit", "general revenue put into the fund"),
    ("fund_balance_end", "財源調整用基金 at year end"),
    ("investment", "投資的経費 allocated"),
    ("bond_issuance", "市債 issued"),
    ("bond_balance_end", "市債残高 at year end"),
    ("next_generation", "次世代投資枠: cost allocated to next-generation programs"),
    ("total_allocated", "Σ cost of all programs"),
];

/// The value of a named figure in an allocation.
pub fn figure(a: &Allocation, name: &str) -> Option<Quantity> {
    let m = Quantity::Money;
    Some(match name {
        "available" => m(a.available),
        "reserve" => m(a.reserve),
        "reserve_share" => Quantity::Number(a.reserve_share.round_dp(6)),
        "total_envelopes" => m(a.envelopes.iter().map(|e| e.amount).sum()),
        "general_revenue" => m(a.general_revenue),
        "fund_drawdown" => m(a.fund_drawdown),
        "fund_deposit" => m(a.fund_deposit),
        "fund_balance_end" => m(a.fund_balance_end),
        "investment" => m(a.investment),
        "bond_issuance" => m(a.bond_issuance),
        "bond_balance_end" => m(a.bond_balance_end),
        "next_generation" => m(a.next_generation),
        "total_allocated" => m(a.total_allocated),
        _ => return None,
    })
}

/// Figures and indicators that are plain numbers rather than money.
fn is_number(name: &str) -> bool {
    matches!(name, "reserve_share" | "funded_share")
}

/// The counts of an evaluation an `[[expect]]` may name with `evaluation = "…"`.
pub const EVALUATION_FIGURES: &[(&str, &str)] = &[
    ("programs", "programs with indicators in the KPI table"),
    ("clusters", "clusters evaluated (with indicators of their own or of their programs)"),
    (
        "programs_missed_3_years",
        "programs with an outcome indicator below the line in each of the last three years or more",
    ),
    ("programs_worse", "programs with an indicator at 悪化"),
    ("kpis_missed", "indicators below the line in their latest year"),
    ("kpis_worse", "indicators at 悪化"),
    ("kpis_behind", "indicators at 遅れ"),
    ("kpis_on_track", "indicators at 順調"),
    ("kpis_achieved", "indicators at 達成"),
    ("kpis_unmeasured", "indicators at 未測定"),
];

/// What `kpi` and `evaluation` expectations read of the year's evaluation (`waku evaluate`;
/// `crate::evaluate` implements it, so this module stays below it).
pub trait EvaluationView {
    /// An indicator's latest achievement, its status and the years of its actuals.
    fn kpi(&self, id: &str) -> Option<(Option<Decimal>, KpiStatus, Vec<i32>)>;
    /// A cluster outcome's cost per unit this year (`Some(None)`: the line asks no units).
    fn cost_per_outcome(&self, id: &str) -> Option<Option<Money>>;
    /// A count of [`EVALUATION_FIGURES`].
    fn figure(&self, name: &str) -> Option<usize>;
}

/// Evaluates a year for the expectations that read the evaluation; `None` when it cannot.
pub type Evaluator<'f> = &'f dyn Fn(&YearOutcome<'_>) -> Option<Box<dyn EvaluationView>>;

/// What a `kpi` expectation reads of its indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiFigure {
    /// The latest achievement (0 at the baseline, 1 at the target), and its status.
    Achievement,
    /// A cluster outcome's cost per unit this year (allocation ÷ the value the line asks).
    CostPerOutcome,
}

/// What an expectation is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// Whether the limits can all hold.
    Feasible(bool),
    Figure(String),
    /// A program's allocated cost (or its general revenue, with `of = "general_revenue"`), or its action.
    Program {
        id: String,
        general_revenue: bool,
    },
    /// A bureau's envelope.
    Envelope(String),
    Indicator(String),
    /// An indicator of the KPI table, as `waku evaluate` gives it.
    Kpi {
        id: String,
        of: KpiFigure,
    },
    /// A count of the evaluation ([`evaluate::FIGURES`]).
    Evaluation(String),
}

/// One comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    AtLeast(Quantity),
    AtMost(Quantity),
    Between(Quantity, Quantity),
    Equals(Quantity),
    Action(Action),
    WithinThreshold(bool),
    Status(KpiStatus),
}

/// One validated `[[expect]]` entry.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub subject: Subject,
    pub checks: Vec<(Check, Option<Location>)>,
    pub note: Option<String>,
    pub location: Option<Location>,
}

const SUBJECT_KEYS: [&str; 7] = ["figure", "program", "envelope", "indicator", "kpi", "evaluation", "feasible"];
const KEYS: [&str; 15] = [
    "figure",
    "program",
    "envelope",
    "indicator",
    "kpi",
    "evaluation",
    "feasible",
    "of",
    "at_least",
    "at_most",
    "between",
    "equals",
    "action",
    "within_threshold",
    "status",
];

/// Validates a scenario's `[[expect]]` entries; every problem is reported, each at its place.
pub fn parse(scenario: &Scenario) -> Result<Vec<Expectation>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for entry in &scenario.expectations {
        match parse_entry(scenario, entry) {
            Ok(e) => out.push(e),
            Err(mut ds) => errors.append(&mut ds),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(Error::Input(errors)) }
}

/// The place of `key = value` inside an entry: the key itself, or (with `value`) what follows `=`.
fn key_location(entry: &Option<Location>, key: &str, value: bool) -> Option<Location> {
    let loc = entry.as_ref()?;
    let text = &loc.source.text;
    let start = text[..loc.span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let mut offset = start;
    for (i, line) in text[start..].split('\n').enumerate() {
        let trimmed = line.trim_start();
        if i > 0 && trimmed.starts_with('[') {
            break;
        }
        let indent = line.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if let Some(v) = rest.trim_start().strip_prefix('=') {
                let key_start = offset + indent;
                if !value {
                    return Some(Location::new(&loc.source, key_start..key_start + key.len()));
                }
                let v_start = offset + line.len() - v.len() + (v.len() - v.trim_start().len());
                let v = v.trim();
                let v = v.split(" #").next().unwrap_or(v).trim_end().trim_end_matches('\r');
                return Some(Location::new(&loc.source, v_start..v_start + v.len()));
            }
        }
        offset += line.len() + 1;
    }
    None
}

fn parse_entry(scenario: &Scenario, entry: &Located<toml::Table>) -> std::result::Result<Expectation, Vec<Diagnostic>> {
    let t = &entry.value;
    let at = |key: &str, value: bool| key_location(&entry.location, key, value).or(entry.location.clone());
    let mut errors = Vec::new();
    for key in t.keys() {
        if !KEYS.contains(&key.as_str()) && key != "note" {
            errors.push(
                Diagnostic::error(format!("unknown key `{key}` in `[[expect]]`"))
                    .at_opt(at(key, false))
                    .suggest(key, KEYS.iter().copied().chain(["note"]))
                    .or_hint(format!(
                        "an expectation names one subject ({}) and checks such as `at_least`, `at_most`, `between`, `action`",
                        list(&SUBJECT_KEYS)
                    )),
            );
        }
    }
    let subjects: Vec<&str> = SUBJECT_KEYS.iter().copied().filter(|k| t.contains_key(*k)).collect();
    let subject_key = match subjects.as_slice() {
        [one] => *one,
        [] => {
            errors.push(
                Diagnostic::error("this `[[expect]]` has no subject")
                    .at_opt(entry.location.clone())
                    .hint(format!("name what it is about with one of {}", list(&SUBJECT_KEYS))),
            );
            return Err(errors);
        }
        [_, second, ..] => {
            errors.push(
                Diagnostic::error(format!("this `[[expect]]` names more than one subject ({})", list(&subjects)))
                    .at_opt(at(second, false))
                    .hint("write one `[[expect]]` per subject"),
            );
            return Err(errors);
        }
    };
    let text_of = |key: &str, errors: &mut Vec<Diagnostic>| -> Option<String> {
        match t.get(key) {
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                errors.push(
                    Diagnostic::error(format!("`{key}` must be a string, found {}", other.type_str()))
                        .at_opt(at(key, true))
                        .hint(format!("write `{key} = \"…\"`")),
                );
                None
            }
            None => None,
        }
    };
    let unknown = |what: &str, key: &str, found: &str, known: Vec<&str>| {
        let d = Diagnostic::error(format!("unknown {what} `{found}` in `[[expect]]`")).at_opt(at(key, true));
        let hint = if known.len() <= 16 {
            format!("known {what}s: {}", list(&known))
        } else {
            format!("check the id against the scenario's {} {what}s", known.len())
        };
        d.suggest(found, known.iter().copied()).or_hint(hint)
    };
    // A bureau or program by its id or its name (子ども家庭局), as the id.
    let names = Names::of(scenario);
    let named = |written: &str, key: &str, kind: Kind, errors: &mut Vec<Diagnostic>| -> Option<String> {
        let what = if kind == Kind::Bureau { "bureau" } else { "program" };
        match names.find(written, &[kind]) {
            Lookup::Found(_, id) => Some(id.to_string()),
            Lookup::Ambiguous(kind, ids) => {
                errors.push(
                    Diagnostic::error(Names::ambiguous(written, kind, &ids))
                        .at_opt(at(key, true))
                        .hint(format!("write the {what}'s id, e.g. `{key} = \"{}\"`", ids[0])),
                );
                None
            }
            Lookup::NotFound => {
                let d = Diagnostic::error(format!("unknown {what} `{written}` in `[[expect]]`")).at_opt(at(key, true));
                let hint = names.did_you_mean(written, &[kind]).unwrap_or_else(|| match kind {
                    Kind::Bureau => format!("known bureaus: {}", names.bureaus().join(", ")),
                    Kind::Program => {
                        format!("name a program by its id or its name (the scenario has {})", names.programs(0).1)
                    }
                });
                errors.push(d.hint(hint));
                None
            }
        }
    };
    let subject = match subject_key {
        "feasible" => match t.get("feasible") {
            Some(toml::Value::Boolean(b)) => Subject::Feasible(*b),
            _ => {
                errors.push(
                    Diagnostic::error("`feasible` must be `true` or `false`")
                        .at_opt(at("feasible", true))
                        .hint("`feasible = false` expects the limits to conflict"),
                );
                return Err(errors);
            }
        },
        "figure" => {
            let Some(name) = text_of("figure", &mut errors) else { return Err(errors) };
            if figure_known(&name) {
                Subject::Figure(name)
            } else {
                errors.push(unknown("figure", "figure", &name, FIGURES.iter().map(|(k, _)| *k).collect()));
                return Err(errors);
            }
        }
        "program" => {
            let Some(written) = text_of("program", &mut errors) else { return Err(errors) };
            let Some(id) = named(&written, "program", Kind::Program, &mut errors) else { return Err(errors) };
            let general_revenue = match text_of("of", &mut errors).as_deref() {
                None | Some("allocated") => false,
                Some("general_revenue") => true,
                Some(other) => {
                    errors.push(
                        Diagnostic::error(format!("`of` must be `allocated` or `general_revenue`, found `{other}`"))
                            .at_opt(at("of", true))
                            .suggest(other, ["allocated", "general_revenue"]),
                    );
                    return Err(errors);
                }
            };
            Subject::Program { id, general_revenue }
        }
        "envelope" => {
            let Some(written) = text_of("envelope", &mut errors) else { return Err(errors) };
            let Some(id) = named(&written, "envelope", Kind::Bureau, &mut errors) else { return Err(errors) };
            Subject::Envelope(id)
        }
        "kpi" => {
            let Some(id) = text_of("kpi", &mut errors) else { return Err(errors) };
            let Some(table) = scenario.kpis.as_deref() else {
                errors.push(
                    Diagnostic::error(format!("`kpi = \"{id}\"`, but this scenario has no KPI table"))
                        .at_opt(at("kpi", true))
                        .hint("name one with `kpis = \"…csv\"` in the scenario (README: \"KPI tables\")"),
                );
                return Err(errors);
            };
            let Some(k) = table.indicator(&id) else {
                errors.push(unknown("indicator", "kpi", &id, table.indicators.iter().map(|k| k.id.as_str()).collect()));
                return Err(errors);
            };
            let of = match text_of("of", &mut errors).as_deref() {
                None | Some("achievement") => KpiFigure::Achievement,
                Some("cost_per_outcome")
                    if matches!(k.subject, crate::scenario::kpis::Subject::Cluster(_))
                        && k.kind == KpiKind::Outcome =>
                {
                    KpiFigure::CostPerOutcome
                }
                Some("cost_per_outcome") => {
                    errors.push(
                        Diagnostic::error(format!(
                            "`{id}` is no outcome indicator of a cluster: it has no cost per outcome"
                        ))
                        .at_opt(at("of", true))
                        .hint(
                            "the cost per outcome is a cluster's (its own アウトカム indicators); see `waku evaluate`",
                        ),
                    );
                    return Err(errors);
                }
                Some(other) => {
                    errors.push(
                        Diagnostic::error(format!(
                            "`of` must be `achievement` or `cost_per_outcome` for a `kpi`, found `{other}`"
                        ))
                        .at_opt(at("of", true))
                        .suggest(other, ["achievement", "cost_per_outcome"]),
                    );
                    return Err(errors);
                }
            };
            Subject::Kpi { id, of }
        }
        "evaluation" => {
            let Some(name) = text_of("evaluation", &mut errors) else { return Err(errors) };
            if scenario.kpis.is_none() {
                errors.push(
                    Diagnostic::error(format!("`evaluation = \"{name}\"`, but this scenario has no KPI table"))
                        .at_opt(at("evaluation", true))
                        .hint("name one with `kpis = \"…csv\"` in the scenario (README: \"KPI tables\")"),
                );
                return Err(errors);
            }
            if !EVALUATION_FIGURES.iter().any(|(k, _)| *k == name) {
                errors.push(unknown(
                    "evaluation figure",
                    "evaluation",
                    &name,
                    EVALUATION_FIGURES.iter().map(|(k, _)| *k).collect(),
                ));
                return Err(errors);
            }
            Subject::Evaluation(name)
        }
        _ => {
            let Some(id) = text_of("indicator", &mut errors) else { return Err(errors) };
            if !indicators::KNOWN.iter().any(|(k, _)| *k == id) {
                errors.push(unknown(
                    "indicator",
                    "indicator",
                    &id,
                    indicators::KNOWN.iter().map(|(k, _)| *k).collect(),
                ));
                return Err(errors);
            }
            Subject::Indicator(id)
        }
    };
    if t.contains_key("of") && !matches!(subject, Subject::Program { .. } | Subject::Kpi { .. }) {
        errors.push(
            Diagnostic::error("`of` applies only to `program` and `kpi` expectations")
                .at_opt(at("of", false))
                .hint("remove it"),
        );
    }
    let number = match &subject {
        Subject::Figure(n) | Subject::Indicator(n) => is_number(n),
        Subject::Kpi { of, .. } => *of == KpiFigure::Achievement,
        Subject::Evaluation(_) => true,
        _ => false,
    };
    let mut checks = Vec::new();
    for key in ["at_least", "at_most", "between", "equals", "action", "within_threshold", "status"] {
        let Some(v) = t.get(key) else { continue };
        let loc = at(key, true);
        let allowed = match (&subject, key) {
            (Subject::Feasible(_), _) => false,
            (Subject::Program { .. }, _) => key != "within_threshold" && key != "status",
            (Subject::Indicator(_), _) => key != "action" && key != "status",
            (Subject::Kpi { of: KpiFigure::Achievement, .. }, _) => key != "action" && key != "within_threshold",
            (_, "action" | "within_threshold" | "status") => false,
            _ => true,
        };
        if !allowed {
            errors.push(
                Diagnostic::error(format!("`{key}` does not apply to a `{subject_key}` expectation"))
                    .at_opt(at(key, false))
                    .hint(match key {
                        "action" => "`action` checks a `program`'s review action".to_string(),
                        "within_threshold" => "`within_threshold` checks an `indicator`".to_string(),
                        "status" => {
                            "`status` checks a `kpi`'s achievement status (達成, 順調, 遅れ, 悪化, 未測定)".to_string()
                        }
                        _ => "`feasible` stands alone: `feasible = true` or `feasible = false`".to_string(),
                    }),
            );
            continue;
        }
        let quantity = |v: &toml::Value| {
            quantity(v, number).map_err(|m| {
                Diagnostic::error(m).at_opt(loc.clone()).hint(if number {
                    "write a number such as `0.05` or a percentage such as \"5%\""
                } else {
                    "write money as officials do, e.g. \"40億円\" or \"12,345千円\""
                })
            })
        };
        let check = match key {
            "action" => match v.as_str().and_then(Action::parse) {
                Some(a) => Ok(Check::Action(a)),
                None => {
                    let found = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    Err(Diagnostic::error(format!("unknown action `{found}`"))
                        .at_opt(loc.clone())
                        .suggest(&found, Action::ALL.iter().flat_map(|a| [a.label(), a.id()]))
                        .or_hint(format!(
                            "the actions are {}",
                            Action::ALL.iter().map(|a| a.label()).collect::<Vec<_>>().join(", ")
                        )))
                }
            },
            "status" => match v.as_str().and_then(KpiStatus::parse) {
                Some(s) => Ok(Check::Status(s)),
                None => {
                    let found = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    Err(Diagnostic::error(format!("unknown status `{found}`"))
                        .at_opt(loc.clone())
                        .suggest(&found, KpiStatus::ALL.iter().flat_map(|s| [s.label(), s.id()]))
                        .or_hint(format!(
                            "the statuses are {}",
                            KpiStatus::ALL.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ")
                        )))
                }
            },
            "within_threshold" => match v.as_bool() {
                Some(b) => Ok(Check::WithinThreshold(b)),
                None => Err(Diagnostic::error("`within_threshold` must be `true` or `false`").at_opt(loc.clone())),
            },
            "between" => match v.as_array().map(Vec::as_slice) {
                Some([lo, hi]) => match (quantity(lo), quantity(hi)) {
                    (Ok(lo), Ok(hi)) if lo.decimal() <= hi.decimal() => Ok(Check::Between(lo, hi)),
                    (Ok(_), Ok(_)) => {
                        Err(Diagnostic::error("`between` is written low first: `[low, high]`").at_opt(loc.clone()))
                    }
                    (Err(e), _) | (_, Err(e)) => Err(e),
                },
                _ => Err(Diagnostic::error("`between` takes two values: `[low, high]`").at_opt(loc.clone()).hint(
                    if number {
                        "e.g. `between = [0.02, 0.05]`"
                    } else {
                        "e.g. `between = [\"340億円\", \"450億円\"]`"
                    },
                )),
            },
            "at_least" => quantity(v).map(Check::AtLeast),
            "at_most" => quantity(v).map(Check::AtMost),
            _ => quantity(v).map(Check::Equals),
        };
        match check {
            Ok(c) => checks.push((c, loc)),
            Err(d) => errors.push(d),
        }
    }
    if checks.is_empty() && !matches!(subject, Subject::Feasible(_)) && errors.is_empty() {
        errors.push(
            Diagnostic::error(format!("this `{subject_key}` expectation checks nothing"))
                .at_opt(at(subject_key, false))
                .hint(match subject {
                    Subject::Program { .. } => "add `action = \"…\"` or `at_least`, `at_most`, `between`, `equals`",
                    Subject::Indicator(_) => "add `within_threshold = true` or `at_least`, `at_most`, `between`",
                    Subject::Kpi { of: KpiFigure::Achievement, .. } => {
                        "add `status = \"…\"` or `at_least`, `at_most`, `between` (an achievement such as \"70%\")"
                    }
                    Subject::Evaluation(_) => "add `equals`, `at_least`, `at_most` or `between` (a count)",
                    _ => "add `at_least`, `at_most`, `between` or `equals`",
                }),
        );
    }
    let note = match t.get("note") {
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(Diagnostic::error("`note` must be a string").at_opt(at("note", true)));
            None
        }
        None => None,
    };
    if errors.is_empty() {
        Ok(Expectation { subject, checks, note, location: entry.location.clone() })
    } else {
        Err(errors)
    }
}

fn figure_known(name: &str) -> bool {
    FIGURES.iter().any(|(k, _)| *k == name)
}

fn list(items: &[&str]) -> String {
    items.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// Reads a check's value: money (`"40億円"`, or whole yen as an integer) or a number (`0.05`, `"5%"`).
fn quantity(v: &toml::Value, number: bool) -> std::result::Result<Quantity, String> {
    if number {
        let parsed = match v {
            toml::Value::Integer(i) => Some(Decimal::from(*i)),
            toml::Value::Float(f) => crate::number::from_f64(*f),
            toml::Value::String(s) => crate::number::parse(s),
            _ => None,
        };
        return parsed
            .map(Quantity::Number)
            .ok_or_else(|| format!("expected a number such as `0.05` or \"5%\", found {v}"));
    }
    match v {
        toml::Value::Integer(i) => Ok(Quantity::Money(Money::yen(*i))),
        toml::Value::String(s) => {
            Money::parse(s).map(Quantity::Money).map_err(|e| format!("invalid amount `{s}`: {}", e.message))
        }
        other => Err(format!("expected an amount such as \"40億円\", found {}", other.type_str())),
    }
}

trait OrHint {
    fn or_hint(self, hint: String) -> Self;
}

impl OrHint for Diagnostic {
    fn or_hint(self, hint: String) -> Self {
        if self.hint.is_some() { self } else { self.hint(hint) }
    }
}

impl Check {
    fn describe(&self, unit: Unit) -> String {
        match self {
            Check::AtLeast(q) => format!("at least {}", q.show(unit)),
            Check::AtMost(q) => format!("at most {}", q.show(unit)),
            Check::Between(lo, hi) => format!("between {} and {}", lo.show(unit), hi.show(unit)),
            Check::Equals(q) => format!("exactly {}", q.show(unit)),
            Check::Action(a) => format!("action {}", a.label()),
            Check::WithinThreshold(true) => "within its threshold".to_string(),
            Check::WithinThreshold(false) => "beyond its threshold".to_string(),
            Check::Status(s) => format!("status {}", s.label()),
        }
    }

    /// `None` when the value passes; otherwise how far off it is, in words.
    fn miss(&self, v: Quantity, unit: Unit) -> Option<String> {
        let d = v.decimal();
        let by = |other: Quantity| v.minus(other);
        let abs = |q: Quantity| match q {
            Quantity::Money(m) => Quantity::Money(m.abs()),
            Quantity::Number(n) => Quantity::Number(n.abs()),
        };
        match self {
            Check::AtLeast(lo) if d < lo.decimal() => Some(format!("short by {}", abs(by(*lo)).show(unit))),
            Check::AtMost(hi) if d > hi.decimal() => Some(format!("over by {}", abs(by(*hi)).show(unit))),
            Check::Between(lo, _) if d < lo.decimal() => {
                Some(format!("below the range by {}", abs(by(*lo)).show(unit)))
            }
            Check::Between(_, hi) if d > hi.decimal() => {
                Some(format!("above the range by {}", abs(by(*hi)).show(unit)))
            }
            Check::Equals(x) if d != x.decimal() => Some(format!("off by {}", by(*x).show(unit))),
            _ => None,
        }
    }
}

impl Expectation {
    /// Whether checking it needs the evaluation of the year.
    fn reads_evaluation(&self) -> bool {
        matches!(self.subject, Subject::Kpi { .. } | Subject::Evaluation(_))
    }

    /// The unit its money is shown in: a cost per outcome in yen, the rest in the scenario's.
    fn unit(&self, scenario: Unit) -> Unit {
        if matches!(self.subject, Subject::Kpi { of: KpiFigure::CostPerOutcome, .. }) { Unit::Yen } else { scenario }
    }

    /// `file:line` of the entry.
    pub fn place(&self) -> String {
        match &self.location {
            Some(l) => format!("{}:{}", l.source.name, l.source.line_col(l.span.start).0),
            None => "?".to_string(),
        }
    }

    fn subject_words(&self) -> String {
        match &self.subject {
            Subject::Feasible(_) => "feasibility".to_string(),
            Subject::Figure(f) => f.clone(),
            Subject::Program { id, general_revenue: false } => format!("program {id}"),
            Subject::Program { id, general_revenue: true } => format!("program {id} general revenue"),
            Subject::Envelope(d) => format!("envelope {d}"),
            Subject::Indicator(i) => format!("indicator {i}"),
            Subject::Kpi { id, of: KpiFigure::Achievement } => format!("kpi {id} achievement"),
            Subject::Kpi { id, of: KpiFigure::CostPerOutcome } => format!("kpi {id} cost per outcome"),
            Subject::Evaluation(f) => format!("evaluation {f}"),
        }
    }

    /// A one-line name, e.g. `reserve at least 40.00億円`.
    pub fn describe(&self, unit: Unit) -> String {
        let mut s = self.subject_words();
        match &self.subject {
            Subject::Feasible(true) => s = "the limits can all hold".to_string(),
            Subject::Feasible(false) => s = "the limits conflict".to_string(),
            _ => {
                let checks: Vec<String> = self.checks.iter().map(|(c, _)| c.describe(unit)).collect();
                let _ = write!(s, " {}", checks.join(", "));
            }
        }
        if let Some(n) = &self.note {
            let _ = write!(s, " ({n})");
        }
        s
    }
}

/// Checks every expectation against a year's outcome; one result each, in order.
pub fn check(expectations: &[Expectation], outcome: &YearOutcome<'_>, evaluate: Evaluator<'_>) -> Vec<CaseResult> {
    let unit = outcome.scenario.display_unit;
    // The evaluation (`waku evaluate`), once, when an expectation reads it and the year allocates.
    let evaluation = match outcome.allocation {
        Ok(_) if expectations.iter().any(Expectation::reads_evaluation) => evaluate(outcome),
        _ => None,
    };
    expectations.iter().map(|e| check_one(e, outcome, evaluation.as_deref(), e.unit(unit))).collect()
}

fn place_of(loc: &Option<Location>, fallback: &str) -> String {
    match loc {
        Some(l) => {
            format!("{}:{}:{}", l.source.name, l.source.line_col(l.span.start).0, l.source.line_col(l.span.start).1)
        }
        None => fallback.to_string(),
    }
}

fn check_one(
    e: &Expectation,
    outcome: &YearOutcome<'_>,
    evaluation: Option<&dyn EvaluationView>,
    unit: Unit,
) -> CaseResult {
    let place = e.place();
    let mut mismatches = Vec::new();
    let result = |mismatches: Vec<Mismatch>| CaseResult {
        name: e.describe(unit),
        place: place.clone(),
        mismatches,
        error: None,
        printed: Vec::new(),
    };
    let what = e.subject_words();
    let reason = |d: &Diagnostic| d.message.clone();
    if let Subject::Feasible(want) = e.subject {
        let feasible = outcome.allocation.is_ok();
        if feasible != want {
            mismatches.push(Mismatch {
                what,
                expected: if want { "feasible".into() } else { "infeasible".into() },
                found: match outcome.allocation {
                    Ok(_) => "feasible: every limit holds".into(),
                    Err(d) => format!("infeasible: {}", reason(d)),
                },
                place: place_of(&e.location, &place),
                context: None,
            });
        }
        return result(mismatches);
    }
    for (c, loc) in &e.checks {
        let at = place_of(loc, &place);
        // The review's action needs no allocation.
        if let (Subject::Program { id, .. }, Check::Action(want)) = (&e.subject, c) {
            let found = outcome.review.programs.iter().find(|p| &p.id == id).map(|p| p.assessment.action);
            if found != Some(*want) {
                let reason = outcome.review.programs.iter().find(|p| &p.id == id).map(|p| p.assessment.reason.clone());
                mismatches.push(Mismatch {
                    what: format!("{what} action"),
                    expected: want.label().to_string(),
                    found: found.map_or_else(|| "no such program".to_string(), |a| a.label().to_string()),
                    place: at,
                    context: reason.map(|r| format!("the review: {r}")),
                });
            }
            continue;
        }
        let a = match outcome.allocation {
            Ok(a) => a,
            Err(d) => {
                mismatches.push(Mismatch {
                    what: what.clone(),
                    expected: c.describe(unit),
                    found: "no allocation: the limits cannot all hold".to_string(),
                    place: at,
                    context: Some(reason(d)),
                });
                continue;
            }
        };
        let value = match &e.subject {
            Subject::Figure(f) => figure(a, f),
            Subject::Program { id, general_revenue } => a
                .programs
                .iter()
                .find(|p| &p.id == id)
                .map(|p| Quantity::Money(if *general_revenue { p.general_revenue } else { p.allocated })),
            Subject::Envelope(d) => a.envelopes.iter().find(|x| &x.department == d).map(|x| Quantity::Money(x.amount)),
            Subject::Indicator(i) => {
                let all = indicators::indicators(outcome.scenario, a);
                let Some(ind) = all.into_iter().find(|x| x.id == i) else { continue };
                if let Check::WithinThreshold(want) = c {
                    if ind.within_threshold() != *want {
                        let t = ind.threshold.map_or_else(|| "none".to_string(), |t| t.show(unit));
                        mismatches.push(Mismatch {
                            what: what.clone(),
                            expected: c.describe(unit),
                            found: format!("{} (threshold {t}, {})", ind.value.show(unit), bound_words(ind.bound)),
                            place: at,
                            context: ind.threshold.map(|t| {
                                format!(
                                    "{} the threshold by {}",
                                    if *want { "beyond" } else { "inside" },
                                    abs_show(ind.value.minus(t), unit)
                                )
                            }),
                        });
                    }
                    continue;
                }
                Some(ind.value)
            }
            Subject::Kpi { id, of: KpiFigure::Achievement } => {
                let Some((achievement, status, actual_years)) = evaluation.and_then(|ev| ev.kpi(id)) else { continue };
                let years = || {
                    let a = actual_years.iter().map(i32::to_string).collect::<Vec<_>>().join("・");
                    format!(
                        "achievement {}, actuals of {}",
                        achievement.map_or("none".into(), |a| a.to_string()),
                        if a.is_empty() { "no year".into() } else { a }
                    )
                };
                if let Check::Status(want) = c {
                    if status != *want {
                        mismatches.push(Mismatch {
                            what: format!("kpi {id} status"),
                            expected: want.label().to_string(),
                            found: status.label().to_string(),
                            place: at,
                            context: Some(years()),
                        });
                    }
                    continue;
                }
                if achievement.is_none() {
                    mismatches.push(Mismatch {
                        what: what.clone(),
                        expected: c.describe(unit),
                        found: format!("no achievement ({})", status.label()),
                        place: at,
                        context: Some(years()),
                    });
                    continue;
                }
                achievement.map(Quantity::Number)
            }
            Subject::Kpi { id, of: KpiFigure::CostPerOutcome } => {
                let Some(per_unit) = evaluation.and_then(|ev| ev.cost_per_outcome(id)) else { continue };
                let Some(per_unit) = per_unit else {
                    mismatches.push(Mismatch {
                        what: what.clone(),
                        expected: c.describe(unit),
                        found: "no cost per outcome (the line asks no units this year)".to_string(),
                        place: at,
                        context: None,
                    });
                    continue;
                };
                Some(Quantity::Money(per_unit))
            }
            Subject::Evaluation(f) => {
                evaluation.and_then(|ev| ev.figure(f)).map(|n| Quantity::Number(Decimal::from(n)))
            }
            Subject::Feasible(_) => None,
        };
        let Some(v) = value else { continue };
        if let Some(by) = c.miss(v, unit) {
            mismatches.push(Mismatch {
                what: what.clone(),
                expected: c.describe(unit),
                found: v.show(unit),
                place: at,
                context: Some(by),
            });
        }
    }
    result(mismatches)
}

fn bound_words(b: indicators::Bound) -> &'static str {
    match b {
        indicators::Bound::AtMost => "must not exceed it",
        indicators::Bound::AtLeast => "must not fall below it",
    }
}

fn abs_show(q: Quantity, unit: Unit) -> String {
    match q {
        Quantity::Money(m) => show_money(m.abs(), unit),
        Quantity::Number(n) => n.abs().normalize().to_string(),
    }
}

/// Loads the scenario at `path`, takes it through the pipeline (as `waku run` does) and checks
/// its expectations.
pub fn run_scenario(path: &std::path::Path, evaluate: Evaluator<'_>) -> Result<Vec<CaseResult>> {
    let options = crate::pipeline::Options::default();
    let input = crate::pipeline::load_year(path, &options.load)?;
    let Some(scenario) = input.scenario() else { return Ok(Vec::new()) };
    let expectations = parse(scenario)?;
    if expectations.is_empty() {
        return Ok(Vec::new());
    }
    let outcome = crate::pipeline::run(input, &options)?;
    let year = outcome.year().ok_or_else(|| crate::Error::internal("`waku test` ran no single year"))?;
    let mut results = check(&expectations, &year, evaluate);
    if let Some(first) = results.first_mut() {
        first.printed.clone_from(&outcome.printed);
    }
    Ok(results)
}
