//! Scales and decision tables: parameters that hold more than one number.
//!
//! A **scale** (段階表, OpenFisca's bracket scale) gives a value by where a program field lies:
//! `brackets = [{ value = 2 }, { from = 0.3, value = 3 }, { from = 0.7, value = 4 }]` on
//! `digital_share`. A script reads it as `params.dx_score.at(program)` (or `.at(x)` for a number
//! it computed). A **decision table** (判定表, GoRules ZEN's core) gives outputs by conditions on
//! program fields, row by row: the first row that matches (`hit = "first"`, with a last row
//! without conditions as the default), or every row that matches (`hit = "collect"`). A script
//! reads it as `params.NAME.decide(program)`.
//!
//! Both are declared in `ruleset.toml` beside the scalar parameters and checked as they load:
//! the input or the condition's field must exist, thresholds must be in the field's unit, a
//! scale's brackets must rise and leave no part of the field's range without a value, a
//! first-hit table must end with a default row and have no row that can never be reached, and
//! every value must be of its unit. Each mistake is an error at its place in the file.

use std::fmt;
use std::sync::Arc;

use rhai::{Array, Dynamic, FLOAT, Map};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::fields::{FieldDoc, FieldType, PROGRAM_FIELDS};
use super::units::{ParamUnit, Scalar};
use super::value::float;
use crate::money::Money;

mod read;

pub(crate) use read::{Place, ScaleFile, TableFile, read_scale, read_table};

// ── Checked ───────────────────────────────────────────────────────────────────────────────────

/// A threshold or a compared value, in the unit of the field it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Threshold {
    /// A ratio, share or multiple (compared as a script compares numbers).
    Number(Decimal),
    /// Exact yen.
    Money(Money),
}

impl Threshold {
    fn as_float(&self) -> FLOAT {
        match self {
            Threshold::Number(d) => d.to_f64().unwrap_or(0.0),
            Threshold::Money(m) => m.as_decimal().to_f64().unwrap_or(0.0),
        }
    }

    fn as_decimal(&self) -> Decimal {
        match self {
            Threshold::Number(d) => *d,
            Threshold::Money(m) => m.as_decimal(),
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Number(d) => write!(f, "{}", d.normalize()),
            Threshold::Money(m) => write!(f, "{m}"),
        }
    }
}

/// One bracket of a scale: its value from `from` (inclusive) up to the next bracket's `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bracket {
    /// `None` for a first bracket that covers everything below the next.
    pub from: Option<Threshold>,
    pub value: Scalar,
}

/// A bracket scale on a program field.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// The parameter's name, for errors.
    pub name: String,
    /// The program field it reads (an index into [`PROGRAM_FIELDS`]).
    pub input: u8,
    /// The unit of its values.
    pub unit: ParamUnit,
    /// In rising order of `from`.
    pub brackets: Vec<Bracket>,
}

impl Scale {
    pub fn input_field(&self) -> &'static FieldDoc {
        &PROGRAM_FIELDS[usize::from(self.input)]
    }

    /// The value for `x` (a number or money as the input field holds it); `()` for no data.
    pub(crate) fn at(&self, x: &Dynamic) -> Result<Dynamic, String> {
        if x.is_unit() {
            return Ok(Dynamic::UNIT);
        }
        let field = self.input_field();
        let reaches = |t: &Threshold| -> Result<bool, String> {
            match field.ty {
                FieldType::Money => match x.as_decimal() {
                    Ok(d) => Ok(d >= t.as_decimal()),
                    Err(found) => Err(found.to_string()),
                },
                _ => match (x.as_float(), x.as_int()) {
                    (Ok(f), _) => Ok(float::ge(f, t.as_float())),
                    (_, Ok(i)) => Ok(float::ge(i as FLOAT, t.as_float())),
                    _ => Err(x.type_name().to_string()),
                },
            }
        };
        let mut value = None;
        for b in &self.brackets {
            match &b.from {
                None => value = Some(&b.value),
                Some(t) if reaches(t).map_err(|found| self.wrong_input(&found))? => value = Some(&b.value),
                Some(_) => break,
            }
        }
        Ok(value.map_or(Dynamic::UNIT, Scalar::to_dynamic))
    }

    fn wrong_input(&self, found: &str) -> String {
        let field = self.input_field();
        format!("scale `{}` is on `{}` ({}), but it was given {found}", self.name, field.name, field.ty.described())
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scale on `{}`:", self.input_field().name)?;
        for (i, b) in self.brackets.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            match &b.from {
                None => write!(f, "{sep}{}", b.value)?,
                Some(t) => write!(f, "{sep}from {t}: {}", b.value)?,
            }
        }
        Ok(())
    }
}

/// How a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
        }
    }
}

/// What a condition asks of its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Compare(Op, Threshold),
    /// The text is one of these.
    OneOf(Vec<String>),
    Flag(bool),
}

/// One cell of a row: a test on a program field.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: u8,
    pub test: Test,
}

impl Condition {
    pub fn field_name(&self) -> &'static str {
        PROGRAM_FIELDS[usize::from(self.field)].name
    }

    /// Whether `v` (the field's value) passes; `()` (no data) passes no test.
    fn holds(&self, v: &Dynamic) -> bool {
        match &self.test {
            Test::Compare(op, t) => {
                if let Ok(d) = v.as_decimal() {
                    let o = d.cmp(&t.as_decimal());
                    return match op {
                        Op::Lt => o.is_lt(),
                        Op::Le => o.is_le(),
                        Op::Gt => o.is_gt(),
                        Op::Ge => o.is_ge(),
                        Op::Eq => o.is_eq(),
                    };
                }
                let x = match (v.as_float(), v.as_int()) {
                    (Ok(f), _) => f,
                    (_, Ok(i)) => i as FLOAT,
                    _ => return false,
                };
                let y = t.as_float();
                match op {
                    Op::Lt => float::lt(x, y),
                    Op::Le => float::le(x, y),
                    Op::Gt => float::gt(x, y),
                    Op::Ge => float::ge(x, y),
                    Op::Eq => float::eq(x, y),
                }
            }
            Test::OneOf(texts) => {
                v.clone().into_immutable_string().is_ok_and(|s| texts.iter().any(|t| t == s.as_str()))
            }
            Test::Flag(b) => v.as_bool().is_ok_and(|x| x == *b),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.field_name();
        match &self.test {
            Test::Compare(op, t) => write!(f, "{name} {} {t}", op.symbol()),
            Test::OneOf(texts) if texts.len() == 1 => write!(f, "{name} == \"{}\"", texts[0]),
            Test::OneOf(texts) => {
                let list: Vec<String> = texts.iter().map(|t| format!("\"{t}\"")).collect();
                write!(f, "{name} in [{}]", list.join(", "))
            }
            Test::Flag(b) => write!(f, "{name} == {b}"),
        }
    }
}

/// One row of a decision table: all its conditions hold → its outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub when: Vec<Condition>,
    pub then: Vec<(String, Scalar)>,
}

/// Which rows a decision table returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// The first row that matches (the last row, without conditions, is the default).
    First,
    /// Every row that matches, in order (a list, maybe empty).
    Collect,
}

/// A decision table on program fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub hit: Hit,
    /// The outputs every row may set, with their units, in name order.
    pub outputs: Vec<(String, ParamUnit)>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The outputs of `row` as a map: every declared output, `()` where the row sets none.
    fn outputs_of(&self, row: &Row) -> Map {
        self.outputs
            .iter()
            .map(|(name, _)| {
                let v = row.then.iter().find(|(n, _)| n == name).map_or(Dynamic::UNIT, |(_, v)| v.to_dynamic());
                (name.as_str().into(), v)
            })
            .collect()
    }

    /// What the table decides for the program whose field `i` is `field(i)`.
    pub(crate) fn decide(&self, mut field: impl FnMut(u8) -> Dynamic) -> Dynamic {
        let mut hits = Array::new();
        for row in &self.rows {
            if row.when.iter().all(|c| c.holds(&field(c.field))) {
                let m = Dynamic::from_map(self.outputs_of(row));
                if self.hit == Hit::First {
                    return m;
                }
                hits.push(m);
            }
        }
        match self.hit {
            Hit::First => Dynamic::UNIT,
            Hit::Collect => Dynamic::from_array(hits),
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hit = match self.hit {
            Hit::First => "first",
            Hit::Collect => "collect",
        };
        write!(f, "decision table ({hit} hit, {} rows)", self.rows.len())
    }
}

/// A scale as scripts hold it (`params.NAME`).
#[derive(Debug, Clone)]
pub struct ScaleRef(pub Arc<Scale>);

/// A decision table as scripts hold it (`params.NAME`).
#[derive(Debug, Clone)]
pub struct TableRef(pub Arc<Table>);
