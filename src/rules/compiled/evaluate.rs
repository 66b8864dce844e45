//! Evaluation of the [`Compiled`] tree: Rhai's rules for fields, helpers and operators, giving up
//! (to Rhai) on anything it does not compute alike.

use rhai::{Dynamic, FLOAT, INT, Map};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::*;
use crate::money::Money;
use crate::rules::engine::{self, FindingView, KpiView, MAX_MAP_SIZE, MAX_STRING_SIZE, program_field};
use crate::rules::tables::{ScaleRef, TableRef};
use crate::rules::value::Value;

/// One evaluation: the inputs, the local variables, the program fields read so far.
pub(super) struct Frame<'a> {
    pub(super) inputs: &'a Inputs<'a>,
    pub(super) locals: Vec<Value>,
    pub(super) reads: &'a mut Vec<u8>,
}

impl Frame<'_> {
    pub(super) fn block(&mut self, block: &Block) -> Run<Value> {
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
                // As Rhai prints them (`print_f64`, `print_bool`): `0.5`, `3.0`, `1e20`, `true`.
                Value::Float(f) => {
                    use std::fmt::Write as _;
                    let _ = write!(text, "{}", rhai::FloatWrapper::new(f));
                }
                Value::Bool(b) => text.push_str(if b { "true" } else { "false" }),
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
pub(super) fn property(on: &Value, name: &str) -> Option<Value> {
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
    if let Some(k) = d.read_lock::<IndicatorView>() {
        let k = &k.0;
        return Some(match name {
            "id" => Value::Str(k.id.clone()),
            "name" => Value::Str(k.name.clone()),
            "kind" => Value::Str(k.kind.clone()),
            "kind_ja" => Value::Str(k.kind_ja.clone()),
            "unit" => Value::Str(k.unit.clone()),
            "direction" => Value::Str(k.direction.clone()),
            "direction_ja" => Value::Str(k.direction_ja.clone()),
            "parent" => Value::of(&k.parent),
            "baseline_year" => Value::Int(k.baseline_year),
            "baseline" => Value::Float(k.baseline),
            "target_year" => Value::Int(k.target_year),
            "target" => Value::Float(k.target),
            "years" => Value::Other(Dynamic::from_array(k.years.clone())),
            "latest_year" => Value::of(&k.latest_year),
            "actual" => Value::of(&k.actual),
            "achievement" => Value::of(&k.achievement),
            "achievements" => Value::Other(Dynamic::from_map(k.achievements.clone())),
            "trend" => Value::of(&k.trend),
            "status" => Value::Str(k.status.clone()),
            "missed_years" => Value::Other(Dynamic::from_array(k.missed_years.clone())),
            "missed_count" => Value::Int(k.missed_count),
            "missed_text" => Value::Str(k.missed_text.clone()),
            "planned" => Value::of(&k.planned()),
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

/// A helper function, as the engine registers it (see `crate::rules::engine`).
pub(super) fn call(f: Func, args: &[Value], inputs: &Inputs<'_>) -> Option<Value> {
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
pub(super) fn operate(op: Bin, a: &Value, b: &Value) -> Option<Value> {
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
        // waku's own operators (crate::rules::engine::register_money): the number taken exactly as written,
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

pub(super) fn compare(op: Bin, o: std::cmp::Ordering) -> bool {
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
pub(super) fn float(op: Bin, x: FLOAT, y: FLOAT) -> Value {
    use crate::rules::value::float as f;
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
pub(super) fn decimal(op: Bin, x: Decimal, y: Decimal) -> Option<Value> {
    Some(match op {
        Bin::Add => Value::Money(x.checked_add(y)?),
        Bin::Sub => Value::Money(x.checked_sub(y)?),
        Bin::Mul => Value::Money(x.checked_mul(y)?),
        Bin::Div if y.is_zero() => return None,
        Bin::Div => Value::Money(x.checked_div(y)?),
        _ => Value::Bool(compare(op, x.cmp(&y))),
    })
}
