//! What a parameter's value is measured in ([`ParamUnit`]) and one checked value of a unit
//! ([`Scalar`]): a parameter's value, a scale's bracket, a decision table's output.

use std::fmt;

use rhai::Dynamic;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::money::Money;

/// What kind of value a parameter holds, and how scripts see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamUnit {
    /// A share or multiplier such as `0.9` or `"90%"`; a number (FLOAT) in scripts.
    Ratio,
    /// A score on the ruleset's scale; a number (FLOAT) in scripts.
    Score,
    /// A whole number; an integer in scripts.
    Count,
    /// Money such as `"1.5億円"`; exact yen (Decimal) in scripts.
    Yen,
    /// `true` or `false`.
    Flag,
    /// Words, e.g. a label used in reasons.
    Text,
}

impl ParamUnit {
    pub const ALL: [ParamUnit; 6] =
        [ParamUnit::Ratio, ParamUnit::Score, ParamUnit::Count, ParamUnit::Yen, ParamUnit::Flag, ParamUnit::Text];

    /// The name written in `ruleset.toml`.
    pub fn name(self) -> &'static str {
        match self {
            ParamUnit::Ratio => "ratio",
            ParamUnit::Score => "score",
            ParamUnit::Count => "count",
            ParamUnit::Yen => "円",
            ParamUnit::Flag => "flag",
            ParamUnit::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<ParamUnit> {
        match s.trim() {
            "yen" => Some(ParamUnit::Yen),
            s => ParamUnit::ALL.into_iter().find(|u| u.name() == s),
        }
    }

    pub(crate) fn example(self) -> &'static str {
        match self {
            ParamUnit::Ratio => "a number such as `0.9` or a percentage such as \"90%\"",
            ParamUnit::Score => "a number such as `3` or `2.5`",
            ParamUnit::Count => "a whole number such as `2`",
            ParamUnit::Yen => "an amount such as \"1.5億円\" or \"500万円\"",
            ParamUnit::Flag => "`true` or `false`",
            ParamUnit::Text => "a string in quotes",
        }
    }
}

impl fmt::Display for ParamUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value of a unit, already checked against it: a parameter's value, a scale's bracket, a
/// decision table's output.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Number(Decimal),
    Count(i64),
    Money(Money),
    Flag(bool),
    Text(String),
}

impl Scalar {
    /// Reads a TOML value as a value of `unit`; the error says what was expected.
    pub fn from_toml(unit: ParamUnit, v: &toml::Value) -> Result<Scalar, String> {
        let found = || describe(v);
        match unit {
            ParamUnit::Ratio | ParamUnit::Score => match v {
                toml::Value::Integer(i) => Ok(Scalar::Number(Decimal::from(*i))),
                toml::Value::Float(f) => crate::number::from_f64(*f).map(Scalar::Number).ok_or_else(found),
                toml::Value::String(s) if unit == ParamUnit::Ratio => {
                    crate::number::parse(s).map(Scalar::Number).ok_or_else(found)
                }
                _ => Err(found()),
            },
            ParamUnit::Count => match v {
                toml::Value::Integer(i) => Ok(Scalar::Count(*i)),
                _ => Err(found()),
            },
            ParamUnit::Yen => match v {
                toml::Value::Integer(i) => Ok(Scalar::Money(Money::yen(*i))),
                toml::Value::String(s) => {
                    Money::parse(s).map(Scalar::Money).map_err(|e| format!("{found}: {e}", found = found()))
                }
                _ => Err(found()),
            },
            ParamUnit::Flag => match v {
                toml::Value::Boolean(b) => Ok(Scalar::Flag(*b)),
                _ => Err(found()),
            },
            ParamUnit::Text => match v {
                toml::Value::String(s) => Ok(Scalar::Text(s.clone())),
                _ => Err(found()),
            },
        }
    }

    /// The value as a script sees it.
    pub fn to_dynamic(&self) -> Dynamic {
        match self {
            Scalar::Number(d) => Dynamic::from_float(d.to_f64().unwrap_or(0.0)),
            Scalar::Count(i) => Dynamic::from_int(*i),
            Scalar::Money(m) => Dynamic::from_decimal(m.as_decimal()),
            Scalar::Flag(b) => Dynamic::from_bool(*b),
            Scalar::Text(s) => Dynamic::from(s.clone()),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Number(d) => write!(f, "{}", d.normalize()),
            Scalar::Count(i) => write!(f, "{i}"),
            Scalar::Money(m) => write!(f, "{m}"),
            Scalar::Flag(b) => write!(f, "{b}"),
            Scalar::Text(s) => write!(f, "\"{s}\""),
        }
    }
}

pub(crate) fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the string \"{s}\""),
        toml::Value::Integer(i) => format!("the integer {i}"),
        toml::Value::Float(x) => format!("the number {x}"),
        toml::Value::Boolean(b) => format!("`{b}`"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "an array".to_string(),
        toml::Value::Table(_) => "a table".to_string(),
    }
}
