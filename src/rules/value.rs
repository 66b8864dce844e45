//! The values a compiled rule script computes with ([`super::compiled`]), and how a program's
//! fields become them ([`FieldValue`], read by the program view in [`super::engine`]).

use rhai::{Dynamic, FLOAT, INT, ImmutableString};
use rust_decimal::Decimal;

/// A value while a compiled script runs.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Unit,
    Bool(bool),
    Int(INT),
    Float(FLOAT),
    Money(Decimal),
    Str(ImmutableString),
    /// The `program` constant.
    Program,
    /// The `findings` constant (the policy's).
    Findings,
    /// Any other value (a KPI, a finding, a map, …) as Rhai holds it.
    Other(Dynamic),
}

/// A field of the program view's data as the evaluator holds it.
pub(crate) trait FieldValue {
    fn value(&self) -> Value;
}

impl FieldValue for ImmutableString {
    fn value(&self) -> Value {
        Value::Str(self.clone())
    }
}
impl FieldValue for Decimal {
    fn value(&self) -> Value {
        Value::Money(*self)
    }
}
impl FieldValue for FLOAT {
    fn value(&self) -> Value {
        Value::Float(*self)
    }
}
impl FieldValue for bool {
    fn value(&self) -> Value {
        Value::Bool(*self)
    }
}
impl FieldValue for Dynamic {
    fn value(&self) -> Value {
        Value::of(self)
    }
}

impl Value {
    pub(crate) fn of_field<T: FieldValue>(field: &T) -> Value {
        field.value()
    }

    pub(crate) fn of(d: &Dynamic) -> Value {
        // `is_*` first: a failed `as_*` builds its error from the type's name.
        if d.is_unit() {
            Value::Unit
        } else if d.is_float() {
            Value::Float(d.as_float().unwrap_or_default())
        } else if d.is_bool() {
            Value::Bool(d.as_bool().unwrap_or_default())
        } else if d.is_int() {
            Value::Int(d.as_int().unwrap_or_default())
        } else if d.is_decimal() {
            Value::Money(d.as_decimal().unwrap_or_default())
        } else if let Some(s) = d.is_string().then(|| d.as_immutable_string_ref().ok()).flatten() {
            Value::Str(s.clone())
        } else {
            Value::Other(d.flatten_clone())
        }
    }
}

/// Rhai's float comparisons (its checked build): within a relative epsilon, so `0.1 + 0.2 >= 0.3`.
/// The compiled evaluator and the scales and decision tables of `ruleset.toml` compare as a
/// script's `<`, `>=` … would.
pub(crate) mod float {
    use rhai::FLOAT;

    fn scale(x: FLOAT, y: FLOAT) -> FLOAT {
        if x * y == 0.0 { 1.0 } else { x.abs().max(y.abs()) }
    }

    pub(crate) fn eq(x: FLOAT, y: FLOAT) -> bool {
        let m = scale(x, y);
        m == 0.0 || (x - y).abs() / m <= FLOAT::EPSILON
    }
    pub(crate) fn ne(x: FLOAT, y: FLOAT) -> bool {
        let m = scale(x, y);
        m != 0.0 && (x - y).abs() / m > FLOAT::EPSILON
    }
    pub(crate) fn gt(x: FLOAT, y: FLOAT) -> bool {
        let m = scale(x, y);
        m != 0.0 && (x - y) / m > FLOAT::EPSILON
    }
    pub(crate) fn ge(x: FLOAT, y: FLOAT) -> bool {
        let m = scale(x, y);
        m == 0.0 || (x - y) / m > -FLOAT::EPSILON
    }
    pub(crate) fn lt(x: FLOAT, y: FLOAT) -> bool {
        gt(y, x)
    }
    pub(crate) fn le(x: FLOAT, y: FLOAT) -> bool {
        ge(y, x)
    }
}
