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

use rhai::{AST, ASTFlags, Array, Dynamic, Expr, FLOAT, FnCallExpr, INT, ImmutableString, Map, Stmt, Token};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::engine::{self, FindingView, KpiView, MAX_MAP_SIZE, MAX_STRING_SIZE, ProgramView, program_field};
use super::tables::{ScaleRef, TableRef};
use super::value::Value;
use crate::assessment::Action;
use crate::money::{Money, Unit};

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

/// The variables in scope while translating, innermost last.
struct Names<'p> {
    locals: Vec<ImmutableString>,
    most: usize,
    findings: bool,
    params: Option<&'p Map>,
}

impl Names<'_> {
    fn block(&mut self, stmts: &[Stmt]) -> Option<Block> {
        let depth = self.locals.len();
        let steps = stmts.iter().map(|s| self.step(s)).collect::<Option<Vec<_>>>();
        self.locals.truncate(depth);
        Some(Block(steps?))
    }

    fn step(&mut self, stmt: &Stmt) -> Option<Step> {
        Some(match stmt {
            Stmt::Noop(_) => Step::Eval(Code::Const(Value::Unit)),
            Stmt::Var(x, flags, _) if !flags.intersects(ASTFlags::CONSTANT | ASTFlags::EXPORTED) => {
                let code = self.code(&x.1)?;
                self.locals.push(x.0.name.clone());
                self.most = self.most.max(self.locals.len());
                Step::Let(code)
            }
            Stmt::Assignment(x) => {
                let (op, target) = &**x;
                let Expr::Variable(v, _, _) = &target.lhs else { return None };
                if !v.2.is_empty() {
                    return None;
                }
                let slot = self.locals.iter().rposition(|n| *n == v.1)?;
                let bin = match op.get_op_assignment_info() {
                    None => None,
                    Some((_, _, _, _, token, _)) => Some(binary(token)?),
                };
                Step::Assign(slot, bin, self.code(&target.rhs)?)
            }
            Stmt::Expr(e) => Step::Eval(self.code(e)?),
            Stmt::FnCall(f, _) => Step::Eval(self.call(f)?),
            Stmt::If(x, _) => {
                Step::If(self.code(&x.expr)?, self.block(x.body.statements())?, self.block(x.branch.statements())?)
            }
            Stmt::Return(e, flags, _) if !flags.contains(ASTFlags::BREAK) => {
                Step::Return(e.as_deref().map_or(Some(Code::Const(Value::Unit)), |e| self.code(e))?)
            }
            Stmt::Block(b) => Step::Block(self.block(b.statements())?),
            _ => return None,
        })
    }

    fn code(&mut self, expr: &Expr) -> Option<Code> {
        Some(match expr {
            Expr::DynamicConstant(d, _) => Code::Const(Value::of(d)),
            Expr::BoolConstant(b, _) => Code::Const(Value::Bool(*b)),
            Expr::IntegerConstant(i, _) => Code::Const(Value::Int(*i)),
            Expr::FloatConstant(f, _) => Code::Const(Value::Float(**f)),
            Expr::StringConstant(s, _) => Code::Const(Value::Str(s.clone())),
            Expr::Unit(_) => Code::Const(Value::Unit),
            Expr::InterpolatedString(parts, _) => {
                let parts: Vec<Code> = parts.iter().map(|p| self.code(p)).collect::<Option<_>>()?;
                let capacity =
                    parts.iter().map(|p| if let Code::Const(Value::Str(s)) = p { s.len() } else { 16 }).sum();
                Code::Text(parts, capacity)
            }
            Expr::Map(x, _) => {
                let template = &x.1;
                let values = x
                    .0
                    .iter()
                    .map(|(k, e)| Some((template.keys().position(|t| t.as_str() == k.name.as_str())?, self.code(e)?)));
                Code::Map(Box::new(template.clone()), values.collect::<Option<_>>()?)
            }
            Expr::Variable(v, _, _) if v.2.is_empty() => match self.locals.iter().rposition(|n| *n == v.1) {
                Some(slot) => Code::Local(slot),
                None if v.1 == "program" => Code::Program,
                None if v.1 == "findings" && self.findings => Code::Findings,
                None => return None,
            },
            Expr::Stmt(b) => Code::Block(self.block(b.statements())?),
            Expr::FnCall(f, _) => self.call(f)?,
            Expr::Dot(x, flags, _) if !flags.contains(ASTFlags::NEGATED) => match (&x.lhs, &x.rhs, self.params) {
                // `params.NAME.…`: the parameter's value, as folding would have made it.
                (Expr::Variable(v, _, _), Expr::Dot(inner, _, _), Some(params))
                    if v.1 == "params" && v.2.is_empty() && !self.locals.contains(&v.1) =>
                {
                    let Expr::Property(p, _) = &inner.lhs else { return None };
                    let value = params.get(p.2.as_str())?;
                    self.chain(Code::Const(Value::of(value)), &inner.rhs)?
                }
                _ => {
                    let lhs = self.code(&x.lhs)?;
                    self.chain(lhs, &x.rhs)?
                }
            },
            Expr::And(x, _) => Code::And(x.iter().map(|e| self.code(e)).collect::<Option<_>>()?),
            Expr::Or(x, _) => Code::Or(x.iter().map(|e| self.code(e)).collect::<Option<_>>()?),
            Expr::Coalesce(x, _) => Code::Coalesce(x.iter().map(|e| self.code(e)).collect::<Option<_>>()?),
            _ => return None,
        })
    }

    /// `on.<rhs>`: a property, a method call, or a chain of them.
    fn chain(&mut self, on: Code, rhs: &Expr) -> Option<Code> {
        Some(match rhs {
            Expr::Property(p, _) => {
                let name = &p.2;
                match on {
                    Code::Program => Code::Field(program_field(name)?),
                    on => Code::Property(Box::new(on), name.clone()),
                }
            }
            Expr::MethodCall(f, _) if f.namespace.is_empty() && !f.capture_parent_scope && f.op_token.is_none() => {
                let func = Func::named(&f.name, f.args.len() + 1)?;
                let mut args = vec![on];
                for a in &f.args {
                    args.push(self.code(a)?);
                }
                call_code(func, args)
            }
            Expr::Dot(x, flags, _) if !flags.contains(ASTFlags::NEGATED) => {
                let inner = self.chain(on, &x.lhs)?;
                self.chain(inner, &x.rhs)?
            }
            _ => return None,
        })
    }

    fn call(&mut self, f: &FnCallExpr) -> Option<Code> {
        if !f.namespace.is_empty() || f.capture_parent_scope {
            return None;
        }
        let mut args = f.args.iter().map(|a| self.code(a)).collect::<Option<Vec<_>>>()?;
        Some(match (&f.op_token, args.len()) {
            (Some(Token::Minus | Token::UnaryMinus), 1) => Code::Neg(Box::new(args.pop()?)),
            (Some(Token::Bang), 1) => Code::Not(Box::new(args.pop()?)),
            (Some(token), 2) => {
                let b = args.pop()?;
                let a = args.pop()?;
                Code::Binary(binary(token)?, Box::new((a, b)))
            }
            (Some(_), _) => return None,
            (None, n) => call_code(Func::named(&f.name, n)?, args),
        })
    }
}

/// A call, with what can be resolved before running resolved.
fn call_code(func: Func, args: Vec<Code>) -> Code {
    if let (Func::CountAction, [_, Code::Const(Value::Str(label))]) = (func, &args[..]) {
        if let Some(action) = Action::ALL.into_iter().find(|a| a.label() == label.as_str()) {
            return Code::Call(Func::CountActionOf(action), args);
        }
    }
    Code::Call(func, args)
}

fn binary(token: &Token) -> Option<Bin> {
    Some(match token {
        Token::EqualsTo => Bin::Eq,
        Token::NotEqualsTo => Bin::Ne,
        Token::LessThan => Bin::Lt,
        Token::LessThanEqualsTo => Bin::Le,
        Token::GreaterThan => Bin::Gt,
        Token::GreaterThanEqualsTo => Bin::Ge,
        Token::Plus => Bin::Add,
        Token::Minus => Bin::Sub,
        Token::Multiply => Bin::Mul,
        Token::Divide => Bin::Div,
        _ => return None,
    })
}

/// One evaluation: the inputs, the local variables, the program fields read so far.
struct Frame<'a> {
    inputs: &'a Inputs<'a>,
    locals: Vec<Value>,
    reads: &'a mut Vec<u8>,
}

impl Frame<'_> {
    fn block(&mut self, block: &Block) -> Run<Value> {
        let depth = self.locals.len();
        let mut last = Value::Unit;
        for step in &block.0 {
            match self.step(step) {
                Ok(v) => last = v,
                Err(stop) => {
                    self.locals.truncate(depth);
                    return Err(stop);
                }
            }
        }
        self.locals.truncate(depth);
        Ok(last)
    }

    fn step(&mut self, step: &Step) -> Run<Value> {
        match step {
            Step::Let(code) => {
                let v = self.value(code)?;
                self.locals.push(v);
                Ok(Value::Unit)
            }
            Step::Assign(slot, op, code) => {
                let v = self.value(code)?;
                let Some(current) = self.locals.get(*slot) else { return to_rhai() };
                let v = match op {
                    None => v,
                    Some(op) => operate(*op, current, &v).ok_or(Stop::ToRhai)?,
                };
                self.locals[*slot] = v;
                Ok(Value::Unit)
            }
            Step::Eval(code) => self.value(code),
            Step::If(cond, then, otherwise) => {
                if self.truth(cond)? {
                    self.block(then)
                } else {
                    self.block(otherwise)
                }
            }
            Step::Return(code) => Err(Stop::Return(self.value(code)?)),
            Step::Block(b) => self.block(b),
        }
    }

    fn truth(&mut self, code: &Code) -> Run<bool> {
        match self.value(code)? {
            Value::Bool(b) => Ok(b),
            _ => to_rhai(),
        }
    }

    /// A constant or a local variable, borrowed (no clone for an operator to read it).
    fn peek<'c>(&'c self, code: &'c Code) -> Option<&'c Value> {
        match code {
            Code::Const(v) => Some(v),
            Code::Local(slot) => self.locals.get(*slot),
            _ => None,
        }
    }

    /// The value of `code`. The usual nodes are here; the others are in functions of their own,
    /// which keeps this one small (it runs for every node).
    fn value(&mut self, code: &Code) -> Run<Value> {
        Ok(match code {
            Code::Const(v) => v.clone(),
            Code::Local(slot) => match self.locals.get(*slot) {
                Some(v) => v.clone(),
                None => return to_rhai(),
            },
            Code::Field(i) => {
                self.reads.push(*i);
                self.inputs.program.0.value(*i)
            }
            Code::Binary(op, ab) => {
                if let (Some(a), Some(b)) = (self.peek(&ab.0), self.peek(&ab.1)) {
                    return operate(*op, a, b).ok_or(Stop::ToRhai);
                }
                let a = self.value(&ab.0)?;
                let v = match self.peek(&ab.1) {
                    Some(b) => operate(*op, &a, b),
                    None => {
                        let b = self.value(&ab.1)?;
                        operate(*op, &a, &b)
                    }
                };
                v.ok_or(Stop::ToRhai)?
            }
            Code::Program => Value::Program,
            Code::Findings => match self.inputs.findings {
                Some(_) => Value::Findings,
                None => return to_rhai(),
            },
            Code::Property(on, name) => return self.property(on, name),
            Code::Neg(x) => return self.neg(x),
            Code::Not(x) => Value::Bool(!self.truth(x)?),
            Code::And(xs) => return self.all(xs),
            Code::Or(xs) => return self.any(xs),
            Code::Coalesce(xs) => return self.coalesce(xs),
            Code::Call(f, args) => return self.call(*f, args),
            Code::Text(parts, capacity) => return self.text(parts, *capacity),
            Code::Map(template, values) => return self.map(template, values),
            Code::Block(b) => return self.block(b),
        })
    }

    #[inline(never)]
    fn property(&mut self, on: &Code, name: &str) -> Run<Value> {
        let on = self.value(on)?;
        if let Value::Program = on {
            let i = program_field(name).ok_or(Stop::ToRhai)?;
            self.reads.push(i);
            return Ok(self.inputs.program.0.value(i));
        }
        property(&on, name).ok_or(Stop::ToRhai)
    }

    #[inline(never)]
    fn neg(&mut self, x: &Code) -> Run<Value> {
        Ok(match self.value(x)? {
            Value::Int(i) => Value::Int(i.checked_neg().ok_or(Stop::ToRhai)?),
            Value::Float(f) => Value::Float(-f),
            Value::Money(m) => Value::Money(-m),
            _ => return to_rhai(),
        })
    }

    #[inline(never)]
    fn all(&mut self, xs: &[Code]) -> Run<Value> {
        for x in xs {
            if !self.truth(x)? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    }

    #[inline(never)]
    fn any(&mut self, xs: &[Code]) -> Run<Value> {
        for x in xs {
            if self.truth(x)? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    }

    #[inline(never)]
    fn coalesce(&mut self, xs: &[Code]) -> Run<Value> {
        let mut v = Value::Unit;
        for x in xs {
            v = self.value(x)?;
            if !matches!(v, Value::Unit) {
                break;
            }
        }
        Ok(v)
    }

    #[inline(never)]
    fn call(&mut self, f: Func, args: &[Code]) -> Run<Value> {
        if let (Func::At | Func::Decide, [on, x]) = (f, args) {
            return self.look_up(f, on, x);
        }
        let v = match args {
            [a] => {
                let a = self.value(a)?;
                call(f, &[a], self.inputs)
            }
            [a, b] => {
                let a = self.value(a)?;
                let b = self.value(b)?;
                call(f, &[a, b], self.inputs)
            }
            _ => None,
        };
        v.ok_or(Stop::ToRhai)
    }

    /// A scale's or a decision table's value, noting the program fields it reads as read.
    #[inline(never)]
    fn look_up(&mut self, f: Func, on: &Code, x: &Code) -> Run<Value> {
        let on = self.value(on)?;
        let x = self.value(x)?;
        let Value::Other(d) = on else { return to_rhai() };
        let program = &self.inputs.program.0;
        let found = match (f, &x) {
            (Func::At, _) => {
                let Some(scale) = d.read_lock::<ScaleRef>() else { return to_rhai() };
                let x = match x {
                    Value::Program => {
                        self.reads.push(scale.0.input);
                        program.field(scale.0.input)
                    }
                    Value::Unit | Value::Int(_) | Value::Float(_) | Value::Money(_) => x.into_dynamic(self.inputs),
                    _ => return to_rhai(),
                };
                scale.0.at(&x).map_err(|_| Stop::ToRhai)?
            }
            (_, Value::Program) => {
                let Some(table) = d.read_lock::<TableRef>() else { return to_rhai() };
                let reads = &mut *self.reads;
                table.0.decide(|i| {
                    reads.push(i);
                    program.field(i)
                })
            }
            _ => return to_rhai(),
        };
        Ok(Value::of(&found))
    }

    #[inline(never)]
    fn text(&mut self, parts: &[Code], capacity: usize) -> Run<Value> {
        let mut text = String::with_capacity(capacity);
        for p in parts {
            match self.value(p)? {
                Value::Str(s) => text.push_str(&s),
                Value::Int(i) => text.push_str(&i.to_string()),
                _ => return to_rhai(),
            }
            if text.len() > MAX_STRING_SIZE {
                return to_rhai();
            }
        }
        Ok(Value::Str(text.into()))
    }

    #[inline(never)]
    fn map(&mut self, template: &Map, values: &[(usize, Code)]) -> Run<Value> {
        let mut map = template.clone();
        let mut text = 0;
        for (position, code) in values {
            let v = self.value(code)?;
            match &v {
                Value::Str(s) => text += s.len(),
                Value::Other(d) if d.is_map() || d.is_array() => return to_rhai(),
                _ => {}
            }
            if text > MAX_STRING_SIZE || map.len() > MAX_MAP_SIZE {
                return to_rhai();
            }
            let Some(slot) = map.values_mut().nth(*position) else { return to_rhai() };
            *slot = v.into_dynamic(self.inputs);
        }
        Ok(Value::Other(Dynamic::from_map(map)))
    }
}

/// `on.name` for a KPI, a finding or a map.
fn property(on: &Value, name: &str) -> Option<Value> {
    let Value::Other(d) = on else { return None };
    if let Some(k) = d.read_lock::<KpiView>() {
        let k = &k.0;
        return Some(match name {
            "indicator" => Value::Str(k.indicator.clone()),
            "baseline" => Value::Float(k.baseline),
            "target" => Value::Float(k.target),
            "actual" => Value::Float(k.actual),
            "achievement" => Value::of(&k.achievement),
            "direction" => Value::Str(k.direction.clone()),
            "direction_ja" => Value::Str(k.direction_ja.clone()),
            _ => return None,
        });
    }
    if let Some(f) = d.read_lock::<FindingView>() {
        let f = &f.0;
        return Some(match name {
            "viewpoint" => Value::Str(f.viewpoint.clone()),
            "number" => Value::of(&f.number),
            "score" => Value::Float(f.score),
            "action" => Value::Str(f.action.clone()),
            "reason" => Value::Str(f.reason.clone()),
            "min_ratio" => Value::of(&f.min_ratio),
            "max_ratio" => Value::of(&f.max_ratio),
            _ => return None,
        });
    }
    d.read_lock::<Map>().and_then(|m| m.get(name).map(Value::of))
}

/// A helper function, as the engine registers it (see `super::engine`).
fn call(f: Func, args: &[Value], inputs: &Inputs<'_>) -> Option<Value> {
    let findings = || match args.first() {
        Some(Value::Findings) => inputs.findings,
        _ => None,
    };
    let text = || match args.get(1) {
        Some(Value::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    Some(match (f, args) {
        (Func::Pct, [Value::Float(x)]) => Value::Str(engine::pct(*x).into()),
        (Func::Pct, [Value::Int(x)]) => Value::Str(engine::pct(*x as FLOAT).into()),
        (Func::Pct, [Value::Money(x)]) => Value::Str(engine::pct(x.to_f64().unwrap_or(0.0)).into()),
        (Func::FormatMoney, [Value::Money(x)]) => Value::Str(engine::format_money(*x).into()),
        (Func::FormatMoney, [Value::Int(x)]) => Value::Str(engine::format_money(Decimal::from(*x)).into()),
        (Func::Amount(unit), [x]) => {
            let x = match x {
                Value::Int(i) => Decimal::from(*i),
                Value::Float(f) => engine::float_to_decimal(*f).ok()?,
                Value::Money(m) => *m,
                _ => return None,
            };
            Value::Money(Money::from_decimal(x.checked_mul(unit.factor())?).as_decimal())
        }
        (Func::RoundDp, [Value::Float(x), Value::Int(dp)]) => Value::Float(engine::round_dp(*x, *dp)),
        (Func::ShareOf, [Value::Money(part), Value::Money(whole)]) => {
            if !whole.is_zero() && part.checked_div(*whole).is_none() {
                return None;
            }
            Value::of(&engine::share_of(*part, *whole))
        }
        (Func::CountAction, _) => Value::Int(engine::count_action(findings()?, text()?)),
        // Labels name one action each: the same count as comparing them.
        (Func::CountActionOf(action), _) => {
            Value::Int(findings()?.iter().filter(|f| f.0.kind == action).count() as INT)
        }
        (Func::Finding, _) => Value::Other(engine::finding(findings()?, text()?)),
        (Func::ViewpointsWith, _) => Value::Other(Dynamic::from_array(engine::viewpoints_with(findings()?, text()?))),
        (Func::TightestMaxRatio, _) => Value::of(&engine::tightest_max_ratio(findings()?, text()?)),
        (Func::Because | Func::Others, _) => {
            let s = if matches!(f, Func::Because) {
                engine::because(findings()?, text()?)
            } else {
                engine::others(findings()?, text()?)
            };
            if s.len() > MAX_STRING_SIZE {
                return None;
            }
            Value::Str(s.into())
        }
        (Func::MeanScore, [Value::Findings]) => Value::Float(engine::mean_score(inputs.findings?)),
        _ => return None,
    })
}

/// `a op b` as Rhai computes it, or `None` where the evaluator leaves it to Rhai.
fn operate(op: Bin, a: &Value, b: &Value) -> Option<Value> {
    use Value::{Float, Int, Money, Str};
    Some(match (a, b) {
        (Int(x), Int(y)) => match op {
            Bin::Add => Int(x.checked_add(*y)?),
            Bin::Sub => Int(x.checked_sub(*y)?),
            Bin::Mul => Int(x.checked_mul(*y)?),
            Bin::Div if *y == 0 => return None,
            Bin::Div => Int(x.checked_div(*y)?),
            _ => Value::Bool(compare(op, x.cmp(y))),
        },
        (Float(x), Float(y)) => float(op, *x, *y),
        (Int(x), Float(y)) => float(op, *x as FLOAT, *y),
        (Float(x), Int(y)) => float(op, *x, *y as FLOAT),
        (Money(x), Money(y)) => decimal(op, *x, *y)?,
        (Money(x), Int(y)) => decimal(op, *x, Decimal::from(*y))?,
        (Int(x), Money(y)) => decimal(op, Decimal::from(*x), *y)?,
        // waku's own operators (super::engine::register_money): the number taken exactly as written,
        // then as money with money (checked, as the registered functions are).
        (Money(x), Float(y)) => decimal(op, *x, engine::float_to_decimal(*y).ok()?)?,
        (Float(x), Money(y)) => decimal(op, engine::float_to_decimal(*x).ok()?, *y)?,
        (Str(x), Str(y)) => match op {
            Bin::Add if x.len() + y.len() > MAX_STRING_SIZE => return None,
            Bin::Add => Str(x + y),
            Bin::Sub | Bin::Mul | Bin::Div => return None,
            _ => Value::Bool(compare(op, x.as_str().cmp(y.as_str()))),
        },
        (Value::Bool(x), Value::Bool(y)) => match op {
            Bin::Add | Bin::Sub | Bin::Mul | Bin::Div => return None,
            _ => Value::Bool(compare(op, x.cmp(y))),
        },
        (Value::Unit, Value::Unit) => match op {
            Bin::Eq => Value::Bool(true),
            Bin::Ne | Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge => Value::Bool(false),
            _ => return None,
        },
        (Value::Unit, Str(s)) | (Str(s), Value::Unit) if op == Bin::Add => Str(s.clone()),
        // Values of different kinds: never equal, never ordered (Rhai's built-in rule).
        _ => {
            let (ka, kb) = (a.kind()?, b.kind()?);
            if ka == kb || matches!(op, Bin::Add | Bin::Sub | Bin::Mul | Bin::Div) {
                return None;
            }
            Value::Bool(op == Bin::Ne)
        }
    })
}

fn compare(op: Bin, o: std::cmp::Ordering) -> bool {
    match op {
        Bin::Eq => o.is_eq(),
        Bin::Ne => o.is_ne(),
        Bin::Lt => o.is_lt(),
        Bin::Le => o.is_le(),
        Bin::Gt => o.is_gt(),
        _ => o.is_ge(),
    }
}

/// Rhai's float operators, comparisons within a relative epsilon (its checked build).
fn float(op: Bin, x: FLOAT, y: FLOAT) -> Value {
    use super::value::float as f;
    Value::Bool(match op {
        Bin::Add => return Value::Float(x + y),
        Bin::Sub => return Value::Float(x - y),
        Bin::Mul => return Value::Float(x * y),
        Bin::Div => return Value::Float(x / y),
        Bin::Eq => f::eq(x, y),
        Bin::Ne => f::ne(x, y),
        Bin::Gt => f::gt(x, y),
        Bin::Ge => f::ge(x, y),
        Bin::Lt => f::lt(x, y),
        Bin::Le => f::le(x, y),
    })
}

/// Rhai's built-in money operators (checked).
fn decimal(op: Bin, x: Decimal, y: Decimal) -> Option<Value> {
    Some(match op {
        Bin::Add => Value::Money(x.checked_add(y)?),
        Bin::Sub => Value::Money(x.checked_sub(y)?),
        Bin::Mul => Value::Money(x.checked_mul(y)?),
        Bin::Div if y.is_zero() => return None,
        Bin::Div => Value::Money(x.checked_div(y)?),
        _ => Value::Bool(compare(op, x.cmp(&y))),
    })
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
