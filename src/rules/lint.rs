//! Static checks of rule scripts, run when a ruleset is loaded (so by `waku check`, `waku test`
//! and every run): mistakes that would otherwise pass silently, each a located error.
//!
//! * a call of a function removed from the sandbox (`timestamp`, `sleep`);
//! * a comparison between kinds of value that can never be equal or ordered
//!   (`program.kind > 0.5`, `program.satisfaction < "0.4"`): Rhai says `false` and goes on;
//! * a text compared with a value outside its known set — actions, viewpoint ids, kinds,
//!   strategies, bureau ids — with "did you mean" (`strategy == "safty"`, `count_action("廃止 ")`,
//!   `finding("neds")`);
//! * a map written as a statement whose value is thrown away (a `return` left out: the script goes
//!   on and returns something else), and a script that can end without returning a map.

use std::sync::Arc;

use rhai::{AST, ASTNode, Expr, FnCallExpr, Position, Stmt, Token};

use super::engine::REMOVED_FUNCTIONS;
use super::errors::{location, removed_function};
use super::params::{ParamUnit, ParamValue, Parameters};
use crate::assessment::Action;
use crate::diagnostic::{Diagnostic, Source, suggestion};
use crate::scenario::{ProgramKind, Strategy};

/// What a script is, for the checks that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A viewpoint or the policy: must return a map on every path.
    Rule,
    /// A bureau's own policy: may return `()` (keep the city's assessment).
    Bureau,
}

/// What the checks know: the parameters' units, the viewpoint ids and (with a scenario) the bureaus.
pub(crate) struct Known<'a> {
    pub parameters: &'a Parameters,
    pub viewpoints: Vec<String>,
    /// Bureau ids, when a scenario is known (`None`: not checked).
    pub departments: Option<Vec<String>>,
}

/// Every finding of the checks on one compiled script.
pub(crate) fn check(ast: &AST, source: &Arc<Source>, role: Role, known: &Known<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(f, pos))) => call(f, *pos, source, known, &mut out),
            Some(ASTNode::Stmt(Stmt::FnCall(f, pos))) => call(f, *pos, source, known, &mut out),
            Some(ASTNode::Expr(Expr::MethodCall(f, pos))) => method(f, *pos, source, known, &mut out),
            Some(ASTNode::Expr(Expr::Map(m, _))) => {
                for (key, value) in &m.0 {
                    if key.name == "action" {
                        if let Expr::StringConstant(s, pos) = value {
                            let note = "a returned action must be one of the review's eight actions";
                            in_set_noting(s, *pos, Set::Actions, source, known, note, &mut out);
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    // The script's own statements (functions' bodies are not reachable through Rhai's API).
    tail(ast.statements(), true, source, role, &mut out);
    out.sort_by_key(|d| d.location.as_ref().map(|l| l.span.start));
    out.dedup_by(|a, b| a.message == b.message && a.place() == b.place());
    out
}

/// The sets of text values a script compares with.
#[derive(Debug, Clone, Copy)]
enum Set {
    Actions,
    Viewpoints,
    Kinds,
    KindLabels,
    Strategies,
    StrategyLabels,
    Departments,
}

fn members(set: Set, known: &Known<'_>) -> Option<Vec<String>> {
    let own = |v: Vec<&str>| Some(v.into_iter().map(str::to_string).collect());
    match set {
        Set::Actions => {
            let mut v: Vec<String> = Action::ALL.iter().map(|a| a.label().to_string()).collect();
            v.extend(Action::ALL.iter().map(|a| a.id().to_string()));
            v.push("休止・廃止".into());
            Some(v)
        }
        Set::Viewpoints => Some(known.viewpoints.clone()),
        Set::Kinds => own(ProgramKind::ALL.iter().map(|k| k.id()).collect()),
        Set::KindLabels => own(ProgramKind::ALL.iter().map(|k| k.label()).collect()),
        Set::Strategies => own(Strategy::ALL.iter().map(|k| k.id()).collect()),
        Set::StrategyLabels => own(Strategy::ALL.iter().map(|k| k.label()).collect()),
        Set::Departments => known.departments.clone(),
    }
}

fn set_name(set: Set) -> &'static str {
    match set {
        Set::Actions => "action",
        Set::Viewpoints => "viewpoint id",
        Set::Kinds | Set::KindLabels => "program kind",
        Set::Strategies | Set::StrategyLabels => "strategy",
        Set::Departments => "bureau id",
    }
}

/// What comparing with an unknown value does.
const COMPARED: &str = "compared with it, every program gives the same answer, as if the line were not there";

fn in_set(text: &str, pos: Position, set: Set, source: &Arc<Source>, known: &Known<'_>, out: &mut Vec<Diagnostic>) {
    in_set_noting(text, pos, set, source, known, COMPARED, out);
}

fn in_set_noting(
    text: &str,
    pos: Position,
    set: Set,
    source: &Arc<Source>,
    known: &Known<'_>,
    note: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(members) = members(set, known) else { return };
    // `""` means "any" where a helper takes it (`tightest_max_ratio("")`).
    if members.iter().any(|m| m == text) || (text.is_empty() && matches!(set, Set::Actions)) {
        return;
    }
    let d = Diagnostic::error(format!("`{}` is not a known {}", crate::diagnostic::quote(text), set_name(set)))
        .at(literal(source, pos))
        .note(note);
    let shown: Vec<&str> =
        members.iter().map(String::as_str).take(if matches!(set, Set::Actions) { 8 } else { 25 }).collect();
    out.push(match suggestion(text, members.iter().map(String::as_str)) {
        Some(s) => d.hint(format!("did you mean `{s}`?")),
        None => {
            d.hint(format!("expected one of {}", shown.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")))
        }
    });
}

/// The helpers that take an action or a viewpoint id as their text argument.
fn helper_set(name: &str) -> Option<Set> {
    match name {
        "count_action" | "viewpoints_with" | "tightest_max_ratio" | "because" => Some(Set::Actions),
        "finding" => Some(Set::Viewpoints),
        _ => None,
    }
}

fn method(f: &FnCallExpr, pos: Position, source: &Arc<Source>, known: &Known<'_>, out: &mut Vec<Diagnostic>) {
    if let (Some(set), [Expr::StringConstant(s, p)]) = (helper_set(&f.name), f.args.as_slice()) {
        in_set(s, *p, set, source, known, out);
    }
    let _ = pos;
}

fn call(f: &FnCallExpr, pos: Position, source: &Arc<Source>, known: &Known<'_>, out: &mut Vec<Diagnostic>) {
    if f.namespace.is_empty() && f.op_token.is_none() {
        if REMOVED_FUNCTIONS.contains(&f.name.as_str()) {
            out.push(removed_function(&f.name, location(source, pos)));
        }
        // `Fn("timestamp")`, `call("sleep", …)`.
        if matches!(f.name.as_str(), "Fn" | "call") {
            if let Some(Expr::StringConstant(s, p)) = f.args.first() {
                if REMOVED_FUNCTIONS.contains(&s.as_str()) {
                    out.push(removed_function(s, location(source, *p)));
                }
            }
        }
        if let (Some(set), [_, Expr::StringConstant(s, p)]) = (helper_set(&f.name), f.args.as_slice()) {
            in_set(s, *p, set, source, known, out);
        }
        return;
    }
    let Some(op) = &f.op_token else { return };
    if !matches!(
        op,
        Token::EqualsTo
            | Token::NotEqualsTo
            | Token::LessThan
            | Token::LessThanEqualsTo
            | Token::GreaterThan
            | Token::GreaterThanEqualsTo
    ) || f.args.len() != 2
    {
        return;
    }
    let (a, b) = (&f.args[0], &f.args[1]);
    // A text compared with a field whose values are a known set.
    for (field, other) in [(a, b), (b, a)] {
        if let (Some(set), Expr::StringConstant(s, p)) = (set_of(field), other) {
            in_set(s, *p, set, source, known, out);
        }
    }
    let (ka, kb) = (kind_of(a, known), kind_of(b, known));
    if let (Some(ka), Some(kb)) = (ka, kb) {
        if ka.base != kb.base {
            let word = if matches!(op, Token::EqualsTo | Token::NotEqualsTo) { "equal" } else { "ordered" };
            let what = if matches!(op, Token::NotEqualsTo) { "always true" } else { "always false" };
            out.push(
                Diagnostic::error(format!(
                    "{} is compared with {}: values of different kinds are never {word}",
                    ka.base.name(),
                    kb.base.name()
                ))
                .at(location(source, pos))
                .note(format!("this comparison is {what} for every program"))
                .hint(match (ka.base, kb.base) {
                    (Base::Text, Base::Number) | (Base::Number, Base::Text) => {
                        "write the number without quotes, or compare the text with a text in quotes"
                    }
                    _ => "compare a value with one of the same kind (see the field list in rules/README.md)",
                }),
            );
        }
    }
}

/// The set of values a field or property holds, if it is one of the known sets.
fn set_of(e: &Expr) -> Option<Set> {
    match property_of(e)? {
        (Some("program"), "kind") => Some(Set::Kinds),
        (Some("program"), "kind_ja") => Some(Set::KindLabels),
        (Some("program"), "strategy") => Some(Set::Strategies),
        (Some("program"), "strategy_ja") => Some(Set::StrategyLabels),
        (Some("program"), "department") => Some(Set::Departments),
        (Some("program"), _) => None,
        (_, "action") => Some(Set::Actions),
        (_, "viewpoint") => Some(Set::Viewpoints),
        _ => None,
    }
}

/// `object.name` (the object's variable name, if it is a plain variable).
fn property_of(e: &Expr) -> Option<(Option<&str>, &str)> {
    let Expr::Dot(x, _, _) = e else { return None };
    let Expr::Property(p, _) = &x.rhs else { return None };
    let object = match &x.lhs {
        Expr::Variable(v, _, _) if v.2.is_empty() => Some(v.1.as_str()),
        _ => None,
    };
    Some((object, p.2.as_str()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Text,
    Number,
    Bool,
}

impl Base {
    fn name(self) -> &'static str {
        match self {
            Base::Text => "a text",
            Base::Number => "a number",
            Base::Bool => "true/false",
        }
    }
}

/// The kind a value certainly has (when it has a value: `()` compares with anything).
#[derive(Debug, Clone, Copy)]
struct KindOf {
    base: Base,
}

fn kind_of(e: &Expr, known: &Known<'_>) -> Option<KindOf> {
    let base = match e {
        Expr::StringConstant(..) | Expr::InterpolatedString(..) => Base::Text,
        Expr::IntegerConstant(..) | Expr::FloatConstant(..) => Base::Number,
        Expr::BoolConstant(..) => Base::Bool,
        Expr::DynamicConstant(d, _) if d.is_decimal() => Base::Number,
        _ => match property_of(e)? {
            (Some("program"), field) => match field {
                "id" | "name" | "department" | "department_name" | "kind" | "kind_ja" | "cluster" | "cluster_name"
                | "cluster_group" | "reform_type" | "strategy" | "strategy_ja" | "overlap_with" | "overlap_name" => {
                    Base::Text
                }
                "next_generation" | "all_or_nothing" | "outsourced" => Base::Bool,
                "kpi" => return None,
                _ => Base::Number,
            },
            (Some("params"), name) => {
                let p = known.parameters.list.get(name)?;
                match (&p.value, p.unit) {
                    // A scale or a decision table is read through `.at(…)` or `.decide(…)`.
                    (ParamValue::Scale(_) | ParamValue::Table(_), _) => return None,
                    (_, ParamUnit::Text) => Base::Text,
                    (_, ParamUnit::Flag) => Base::Bool,
                    _ => Base::Number,
                }
            }
            (_, "action" | "reason" | "viewpoint" | "indicator") => Base::Text,
            (_, "score" | "baseline" | "target" | "actual") => Base::Number,
            _ => return None,
        },
    };
    Some(KindOf { base })
}

/// Walks a block: `is_tail` says whether its value is what the script (or function) returns.
/// A map in a statement whose value is thrown away is an error; so, for a rule script, is a tail
/// that can end without a map.
fn tail(stmts: &[Stmt], is_tail: bool, source: &Arc<Source>, role: Role, out: &mut Vec<Diagnostic>) {
    let last = stmts.iter().rposition(|s| !matches!(s, Stmt::Noop(_)));
    for (i, s) in stmts.iter().enumerate() {
        let here = is_tail && Some(i) == last;
        statement(s, here, source, role, out);
    }
    if is_tail && last.is_none() && role == Role::Rule {
        out.push(ends_without_map(source, Position::new(1, 1), "the script is empty"));
    }
}

fn statement(s: &Stmt, is_tail: bool, source: &Arc<Source>, role: Role, out: &mut Vec<Diagnostic>) {
    match s {
        Stmt::Expr(e) => match &**e {
            Expr::Map(_, pos) if !is_tail => out.push(discarded_map(source, *pos)),
            Expr::Stmt(b) => tail(b.statements(), is_tail, source, role, out),
            e if is_tail && role == Role::Rule && not_a_map(e) => {
                let mut d =
                    ends_without_map(source, e.start_position(), "the script ends with a value that is not a map");
                d.location = Some(literal(source, e.start_position()));
                out.push(d)
            }
            _ => {}
        },
        Stmt::If(x, pos) => {
            tail(x.body.statements(), is_tail, source, role, out);
            if is_tail && role == Role::Rule && x.branch.statements().iter().all(|s| matches!(s, Stmt::Noop(_))) {
                out.push(ends_without_map(
                    source,
                    *pos,
                    "this `if` has no `else`: when its condition is false, the script ends without a value",
                ));
            } else {
                tail(x.branch.statements(), is_tail, source, role, out);
            }
        }
        Stmt::Block(b) => tail(b.statements(), is_tail, source, role, out),
        Stmt::Return(Some(e), _, pos) if role == Role::Rule && not_a_map(e) => {
            out.push(ends_without_map(source, *pos, "this `return` gives a value that is not a map"))
        }
        Stmt::Return(None, flags, pos) if role == Role::Rule && !flags.contains(rhai::ASTFlags::BREAK) => {
            out.push(ends_without_map(source, *pos, "this `return` gives no value"))
        }
        Stmt::While(x, _) | Stmt::Do(x, _, _) => tail(x.body.statements(), false, source, role, out),
        Stmt::For(x, _) => tail(x.2.body.statements(), false, source, role, out),
        Stmt::Var(_, _, pos) | Stmt::Import(_, pos) if is_tail && role == Role::Rule => {
            out.push(ends_without_map(source, *pos, "the script ends with a `let`, which has no value"))
        }
        Stmt::Assignment(x) if is_tail && role == Role::Rule => out.push(ends_without_map(
            source,
            x.1.lhs.start_position(),
            "the script ends with an assignment, which has no value",
        )),
        _ => {}
    }
}

/// A literal that is certainly not a map.
fn not_a_map(e: &Expr) -> bool {
    matches!(
        e,
        Expr::StringConstant(..)
            | Expr::InterpolatedString(..)
            | Expr::IntegerConstant(..)
            | Expr::FloatConstant(..)
            | Expr::BoolConstant(..)
            | Expr::Unit(..)
            | Expr::Array(..)
            | Expr::CharConstant(..)
    )
}

/// The place of a literal starting at `pos`: a string literal underlined to its closing quote.
fn literal(source: &Arc<Source>, pos: Position) -> crate::diagnostic::Location {
    let mut at = location(source, pos);
    let text = &source.text;
    if text[at.span.start..].starts_with('"') {
        if let Some(end) = text[at.span.start + 1..].find(['"', '\n']) {
            at.span.end = at.span.start + end + 2;
        }
    }
    at
}

fn discarded_map(source: &Arc<Source>, pos: Position) -> Diagnostic {
    Diagnostic::error("this map is not returned: the script goes on past it")
        .at(location(source, pos))
        .note("a map written as a statement is thrown away; the script returns what comes later")
        .hint("write `return #{ … };` to return it here")
}

fn ends_without_map(source: &Arc<Source>, pos: Position, why: &str) -> Diagnostic {
    Diagnostic::error(format!("the script can end without returning a map: {why}"))
        .at(location(source, pos))
        .hint("every path of a viewpoint or policy script must end in a map such as `#{ score: 3, action: \"継続\", reason: \"…\" }`")
}

/// What a script's map literals hold and which properties and functions it uses.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// Keys of its map literals, each with the place of its first use.
    pub returns: Vec<(String, crate::diagnostic::Location)>,
    /// Properties it reads (`x.min_ratio`).
    pub reads: std::collections::BTreeSet<String>,
    /// Functions and methods it calls.
    pub calls: std::collections::BTreeSet<String>,
}

pub(crate) fn shape(ast: &AST, source: &Arc<Source>) -> Shape {
    let mut shape = Shape::default();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Map(m, _))) => {
                for (key, _) in &m.0 {
                    if !shape.returns.iter().any(|(k, _)| *k == key.name.as_str()) {
                        shape.returns.push((key.name.to_string(), location(source, key.pos)));
                    }
                }
            }
            Some(ASTNode::Expr(Expr::Property(p, _))) => {
                shape.reads.insert(p.2.to_string());
            }
            Some(ASTNode::Expr(Expr::FnCall(f, _) | Expr::MethodCall(f, _)))
            | Some(ASTNode::Stmt(Stmt::FnCall(f, _))) => {
                shape.calls.insert(f.name.to_string());
            }
            _ => {}
        }
        true
    });
    shape
}

/// Where a script's returned map wrote `key`, for an error about the value it returned: among the
/// map literals holding `key` (or, with `missing`, lacking it), the one whose constant value for it
/// is `value`, else the only one. `None` when the script's maps do not tell.
pub(crate) fn returned_key(
    script: &super::Script,
    key: &str,
    value: Option<&rhai::Dynamic>,
    missing: bool,
) -> Option<crate::diagnostic::Location> {
    let source = &script.source;
    // (the map's place, the key's place if written, the key's constant value if constant)
    let mut maps: Vec<(Position, Option<Position>, Option<rhai::Dynamic>)> = Vec::new();
    script.ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Map(m, pos))) => {
                let entry = m.0.iter().find(|(k, _)| k.name == key);
                maps.push((*pos, entry.map(|(k, _)| k.pos), entry.and_then(|(_, e)| constant(e))));
            }
            Some(ASTNode::Expr(Expr::DynamicConstant(d, pos))) => {
                if let Some(m) = d.read_lock::<rhai::Map>() {
                    let v = m.get(key).cloned();
                    let has = v.is_some();
                    maps.push((*pos, has.then_some(*pos), v));
                }
            }
            _ => {}
        }
        true
    });
    let candidates: Vec<_> = maps.into_iter().filter(|(_, k, _)| k.is_some() != missing).collect();
    let same = |c: &rhai::Dynamic| value.is_some_and(|v| v.type_id() == c.type_id() && v.to_string() == c.to_string());
    let chosen = match candidates.iter().filter(|(_, _, c)| c.as_ref().is_some_and(same)).collect::<Vec<_>>()[..] {
        [one] => one.clone(),
        _ => match &candidates[..] {
            [one] => one.clone(),
            // Several computed values: the one computed (not constant) if only one is.
            many => match many.iter().filter(|(_, _, c)| c.is_none()).collect::<Vec<_>>()[..] {
                [one] if !missing => one.clone(),
                _ => return None,
            },
        },
    };
    let (map_pos, key_pos, _) = chosen;
    let at = location(source, key_pos.unwrap_or(map_pos));
    // A folded constant map carries the map's place: find the key's own text inside it.
    if key_pos == Some(map_pos) && !missing {
        let from = at.span.start;
        if let Some(i) = source.text[from..].find(&format!("{key}:")) {
            return Some(crate::diagnostic::Location::new(source, from + i..from + i + key.len() + 1));
        }
    }
    let mut at = at;
    let colon = usize::from(source.text[at.span.start..].get(key.len()..).is_some_and(|t| t.starts_with(':')));
    at.span.end = at.span.start + if missing { 2 } else { key.len() + colon };
    at.span.end = at.span.end.min(source.text.len());
    Some(at)
}

fn constant(e: &Expr) -> Option<rhai::Dynamic> {
    Some(match e {
        Expr::IntegerConstant(i, _) => rhai::Dynamic::from_int(*i),
        Expr::FloatConstant(f, _) => rhai::Dynamic::from_float(**f),
        Expr::StringConstant(s, _) => rhai::Dynamic::from(s.clone()),
        Expr::BoolConstant(b, _) => rhai::Dynamic::from_bool(*b),
        Expr::DynamicConstant(d, _) => (**d).clone(),
        Expr::Unit(_) => rhai::Dynamic::UNIT,
        _ => return None,
    })
}
