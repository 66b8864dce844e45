//! Rule scripts compiled for the review: the plain scripts most rulesets are made of, evaluated
//! without Rhai's interpreter, giving the same values.
//!
//! Rhai resolves every operator and function by hashing at run time; a viewpoint script costs
//! about 20,000 instructions per program that way. The rules in `rules/` use a small part of the
//! language — `let`, `if`, `return`, arithmetic and comparisons, `&&`, `||`, `??`, fields of
//! `program`, a KPI or a finding, the money and findings helpers, `${…}` strings and map
//! literals. A script made only of these (with `params` folded in as constants) is translated
//! once per review into a [`Compiled`] tree whose variables, fields, operators and functions are
//! resolved ahead of time.
//!
//! Same values, always: the evaluator copies Rhai's rules (its float comparisons within an
//! epsilon, checked integer and money arithmetic, `==` between different kinds) and computes
//! only what it knows it computes alike. Anything else it meets while running — a kind of value
//! an operator is not defined here for, an overflow, a division by zero, an `if` on something
//! that is not true/false, a string over the size limit — makes it give up on that program, and
//! Rhai evaluates the script instead, returning the value or the error with its position. A
//! script using anything outside the subset (loops, functions, imports, `print`, indexing,
//! `params` not folded, …) always runs in Rhai. `tests::same_values_as_rhai` evaluates every
//! script in `rules/` both ways on generated programs, and a set of edge cases, and compares.

use rhai::{AST, Array, Dynamic, ImmutableString, Map};

use super::engine::{FindingView, IndicatorView, KpiView, ProgramView};
use super::value::Value;
use crate::assessment::Action;
use crate::money::Unit;

mod evaluate;
mod translate;

use evaluate::Frame;
use translate::Names;

impl Value {
    fn into_dynamic(self, cx: &Inputs<'_>) -> Dynamic {
        match self {
            Value::Unit => Dynamic::UNIT,
            Value::Bool(b) => Dynamic::from_bool(b),
            Value::Int(i) => Dynamic::from_int(i),
            Value::Float(f) => Dynamic::from_float(f),
            Value::Money(m) => Dynamic::from_decimal(m),
            Value::Str(s) => Dynamic::from(s),
            Value::Program => Dynamic::from(cx.program.clone()),
            Value::Findings => Dynamic::from_array(findings_array(cx.findings.unwrap_or_default())),
            Value::Other(d) => d,
        }
    }

    /// Which kind of value, for Rhai's rule on comparing different kinds; `None` for a kind the
    /// evaluator does not compare (Rhai may have a function for it).
    fn kind(&self) -> Option<Kind> {
        Some(match self {
            Value::Unit => Kind::Unit,
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) | Value::Float(_) | Value::Money(_) => Kind::Number,
            Value::Str(_) => Kind::Str,
            Value::Program => Kind::Program,
            Value::Findings => Kind::Array,
            Value::Other(d) if d.is_map() => Kind::Map,
            Value::Other(d) if d.is_array() => Kind::Array,
            Value::Other(d) if d.is::<KpiView>() => Kind::Kpi,
            Value::Other(d) if d.is::<IndicatorView>() => Kind::Indicator,
            Value::Other(d) if d.is::<FindingView>() => Kind::Finding,
            Value::Other(_) => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unit,
    Bool,
    Number,
    Str,
    Program,
    Array,
    Map,
    Kpi,
    Indicator,
    Finding,
}

/// What a script reads: the program, and the findings for the policy.
pub(crate) struct Inputs<'a> {
    pub program: &'a ProgramView,
    pub findings: Option<&'a [FindingView]>,
}

/// The findings as Rhai sees them: an array.
pub(crate) fn findings_array(findings: &[FindingView]) -> Array {
    findings.iter().map(|f| Dynamic::from(f.clone())).collect()
}

/// A script translated for the evaluator.
#[derive(Debug)]
pub(crate) struct Compiled {
    body: Block,
    /// The most local variables alive at once.
    locals: usize,
}

#[derive(Debug)]
struct Block(Vec<Step>);

#[derive(Debug)]
enum Step {
    Let(Code),
    Assign(usize, Option<Bin>, Code),
    Eval(Code),
    If(Code, Block, Block),
    Return(Code),
    Block(Block),
}

#[derive(Debug)]
enum Code {
    Const(Value),
    Local(usize),
    Program,
    Findings,
    Field(u8),
    Property(Box<Code>, ImmutableString),
    Neg(Box<Code>),
    Not(Box<Code>),
    Binary(Bin, Box<(Code, Code)>),
    And(Vec<Code>),
    Or(Vec<Code>),
    Coalesce(Vec<Code>),
    Call(Func, Vec<Code>),
    /// `${…}` text: the parts, and room for the text they usually make.
    Text(Vec<Code>, usize),
    /// A map literal: Rhai's template (the keys in order, constant values filled in), and each
    /// computed value with the position of its key in the template.
    Map(Box<Map>, Vec<(usize, Code)>),
    Block(Block),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bin {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy)]
enum Func {
    Pct,
    FormatMoney,
    Amount(Unit),
    RoundDp,
    ShareOf,
    CountAction,
    /// `count_action` of an action named by its label in the script.
    CountActionOf(Action),
    Finding,
    ViewpointsWith,
    TightestMaxRatio,
    Because,
    Others,
    MeanScore,
    /// `scale.at(program)` or `scale.at(x)` (a scale parameter, see `super::tables`).
    At,
    /// `table.decide(program)` (a decision table parameter).
    Decide,
}

impl Func {
    fn named(name: &str, args: usize) -> Option<Func> {
        Some(match (name, args) {
            ("pct", 1) => Func::Pct,
            ("format_money", 1) => Func::FormatMoney,
            ("yen", 1) => Func::Amount(Unit::Yen),
            ("sen", 1) => Func::Amount(Unit::Sen),
            ("man", 1) => Func::Amount(Unit::Man),
            ("oku", 1) => Func::Amount(Unit::Oku),
            ("cho", 1) => Func::Amount(Unit::Cho),
            ("round_dp", 2) => Func::RoundDp,
            ("share_of", 2) => Func::ShareOf,
            ("count_action", 2) => Func::CountAction,
            ("finding", 2) => Func::Finding,
            ("viewpoints_with", 2) => Func::ViewpointsWith,
            ("tightest_max_ratio", 2) => Func::TightestMaxRatio,
            ("because", 2) => Func::Because,
            ("others", 2) => Func::Others,
            ("mean_score", 1) => Func::MeanScore,
            ("at", 2) => Func::At,
            ("decide", 2) => Func::Decide,
            _ => return None,
        })
    }
}

/// Why evaluation stopped early: the script returned, or the evaluator gives the program to Rhai.
enum Stop {
    Return(Value),
    ToRhai,
}

type Run<T> = Result<T, Stop>;

fn to_rhai<T>() -> Run<T> {
    Err(Stop::ToRhai)
}

impl Compiled {
    /// Translates `ast` (params folded in), or `None` when it uses anything outside the subset.
    /// `findings` says whether the script sees the `findings` constant (the policy).
    /// `params` is the map folded in: Rhai folds `params.x` but not `params.x.at(…)`, whose
    /// scale or decision table the translation then takes from it.
    pub(crate) fn new(ast: &AST, findings: bool, params: Option<&Map>) -> Option<Compiled> {
        if ast.has_functions() {
            return None;
        }
        let mut names = Names { locals: Vec::new(), most: 0, findings, params };
        let body = names.block(ast.statements())?;
        Some(Compiled { body, locals: names.most })
    }

    /// The script's value for `inputs`, or `None` when Rhai must evaluate it. `reads` gets the
    /// program fields it read, in order (as [`engine::observe`] reports them).
    pub(crate) fn eval(&self, inputs: &Inputs<'_>, reads: &mut Vec<u8>) -> Option<Dynamic> {
        let mut frame = Frame { inputs, locals: Vec::with_capacity(self.locals), reads };
        let value = match frame.block(&self.body) {
            Ok(v) | Err(Stop::Return(v)) => v,
            Err(Stop::ToRhai) => return None,
        };
        Some(value.into_dynamic(inputs))
    }
}

#[cfg(test)]
mod tests {
    use rhai::Scope;

    use super::*;
    use crate::review::{Context, program_view};
    use crate::rules::Ruleset;

    /// The same value: same kind, same content (floats by their bits, money with its scale).
    fn same(a: &Dynamic, b: &Dynamic) -> bool {
        if a.type_name() != b.type_name() {
            return false;
        }
        if let (Ok(x), Ok(y)) = (a.as_float(), b.as_float()) {
            return x.to_bits() == y.to_bits();
        }
        if let (Ok(x), Ok(y)) = (a.as_decimal(), b.as_decimal()) {
            return x.serialize() == y.serialize();
        }
        if let (Some(x), Some(y)) = (a.read_lock::<Map>(), b.read_lock::<Map>()) {
            return x.len() == y.len() && x.iter().zip(y.iter()).all(|((k, v), (l, w))| k == l && same(v, w));
        }
        if let (Some(x), Some(y)) = (a.read_lock::<Array>(), b.read_lock::<Array>()) {
            return x.len() == y.len() && x.iter().zip(y.iter()).all(|(v, w)| same(v, w));
        }
        format!("{a:?}") == format!("{b:?}")
    }

    /// Each snippet, on programs of every kind, gives Rhai's value when compiled — or is left to
    /// Rhai, which it must be when Rhai fails.
    #[test]
    fn same_values_as_rhai() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/kitakyushu-r8.toml")).unwrap();
        let ruleset = Ruleset::for_scenario(&sc).unwrap();
        let cx = Context::of(&sc);
        let snippets = [
            // Floats compare within an epsilon; integers and money exactly.
            "0.1 + 0.2 == 0.3",
            "let x = 0.1; x + 0.2 == 0.3",
            "let x = 0.1; [x + 0.2 < 0.3, x + 0.2 <= 0.3, x + 0.2 > 0.3, x + 0.2 >= 0.3, x + 0.2 != 0.3]",
            "let a = 1.0; let b = 1.0 + 1e-16; #{ lt: a < b, le: a <= b, gt: a > b, ge: a >= b, eq: a == b, ne: a != b }",
            "let z = 0.0; #{ a: z == -0.0, b: z < 0.0, c: z >= 0.0, d: 0 == z }",
            "let x = 3; #{ a: x == 3.0, b: x < 3.5, c: x / 2, d: x * 1.5, e: x - 4, f: -x }",
            "let x = 9223372036854775807; x + 1",
            "let x = 7; x / 0",
            "let x = 7.0; x / 0",
            "let y = program.requested; #{ a: y * 0.9, b: y > 0.5, c: y + 1, d: y / 3, e: y == y, f: -y, g: y - y }",
            "let y = program.requested; y / 0.0",
            "program.prior_cost / program.requested",
            "oku(1.5) + man(350) + yen(7) + sen(2) + oku(program.requested)",
            "format_money(program.requested) + \"/\" + format_money(12)",
            "share_of(program.general_revenue, program.requested)",
            // Different kinds: never equal, never ordered; arithmetic fails.
            "let u = (); #{ a: u == (), b: u != (), c: u < (), d: u == 0, e: u != \"\", f: \"x\" < u, g: true == 1 }",
            "() + \"x\"",
            "let u = (); u + 1",
            "program.kpi == ()",
            "program.kpi != () && program.kpi.achievement == ()",
            "if program.kpi != () { program.kpi.achievement ?? -1.0 } else { \"none\" }",
            "program.kpi.indicator",
            // An indicator of the KPI table (`program.outcome_kpi`), present on some programs.
            "let o = program.outcome_kpi; if o != () { #{ id: o.id, n: o.missed_count, a: o.achievement, p: o.planned, t: o.trend, s: o.status, m: o.missed_text, y: o.latest_year, b: o.baseline, g: o.target_year, d: o.direction_ja, k: o.kind } }",
            "let o = program.outcome_kpi; o != () && o.missed_count >= 2 && (o.achievement ?? 0.0) >= 0.5",
            "program == ()",
            "#{ a: \"abc\" < \"abd\", b: \"継続\" == \"継続\", c: \"b\" >= \"a\", d: \"a\" + \"b\" }",
            // Control flow and scope.
            "let a = 1; { let a = 2; a += 3; } a",
            "let a = 1; if a > 0 { let a = 5; a * 2 } else { 0 }",
            "let a = 2; a *= 1.5; a -= 1; a",
            "let s = \"x\"; s += \"y\"; s",
            "if program.demand_trend == () { return \"none\"; } let t = program.demand_trend; t * 100",
            "let r = if program.outsourced { 1 } else { 2 }; r",
            "let v = 3; if v > 5 { 1 }",
            "let v = 3;",
            "let c = 1; if c { 2 }",
            "if program.kind == \"mandatory\" && program.requested { 1 } else { 2 }",
            "!program.outsourced || !program.next_generation",
            "program.satisfaction ?? program.demand_trend ?? 0.5",
            // Text.
            "`${program.id}: ${program.name} ${pct(program.subsidy_ratio)} ${pct(3)} ${pct(program.requested)} ${7}`",
            "`${program.strategy_ja}`",
            "let n = 7; let m = -n; `${n}・${m}・${n * 1000000}`",
            "`${1.5}`",
            "`${true}`",
            // Floats and booleans in text print as Rhai prints them.
            "let x = program.subsidy_ratio ?? 0.25; `${x}・${x * 4.0}・${x * 1e20}・${x * 1e-20}・${x - x}・${-x}・${x > 0.5}`",
            "let m = 2.0 + (program.subsidy_ratio ?? 0.0); `平均点${m.round_dp(2)}・${m * 0.0}・${m * 3.0 / 3.0}`",
            "let f = 1e13 + (program.subsidy_ratio ?? 0.0); `${f}・${f * 10.0}・${1.0 / f}`",
            "let s = \"x\"; let i = 0; s",
            "round_dp(program.bondable_share * 100.0, 1)",
            "round_dp(program.requested, 1)",
            "pct(program.growth ?? 0.0)",
            "#{ score: 3, action: \"継続\", reason: `${program.name}は妥当`, max_ratio: program.subsidy_ratio }",
            "#{ a: program.requested, b: program.kpi, c: [1, 2] }",
            "return;",
            "throw \"no\";",
        ];
        for (i, text) in snippets.iter().enumerate() {
            let mut scope = Scope::new();
            let view = program_view(&sc.programs[0], &cx);
            scope.push_constant("program", view);
            // Parsed, then optimised, as `rules::compile` does.
            let ast = ruleset.engine.compile_with_scope(&scope, text).unwrap();
            let ast = ruleset.engine.optimize_ast(&scope, ast, rhai::OptimizationLevel::Simple);
            let compiled = Compiled::new(&ast, false, None);
            let (mut ran, mut rhai_ran) = (false, false);
            for p in sc.programs.iter().step_by(37) {
                let view = program_view(p, &cx);
                let mut scope = Scope::new();
                scope.push_constant("program", view.clone());
                let rhai = ruleset.engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast);
                rhai_ran |= rhai.is_ok();
                let Some(c) = &compiled else { continue };
                let mine = c.eval(&Inputs { program: &view, findings: None }, &mut Vec::new());
                match (&rhai, &mine) {
                    (Ok(a), Some(b)) => {
                        assert!(same(a, b), "snippet {i} `{text}` on {}: Rhai {a:?}, compiled {b:?}", p.id)
                    }
                    (Err(e), Some(b)) => panic!("snippet {i} `{text}` on {}: Rhai fails ({e}), compiled {b:?}", p.id),
                    (_, None) => {}
                }
                ran |= mine.is_some();
            }
            // What Rhai runs, the compiled script runs too (on some program at least), except for
            // arrays, which the evaluator leaves to Rhai.
            assert!(ran || !rhai_ran || text.contains('['), "snippet {i} `{text}` always left to Rhai");
        }
    }
}
