//! `--vary NAME=…`: the scenario values a sweep varies, and how each is written.
//!
//! | name | varies | written as |
//! |---|---|---|
//! | `revenue` | `revenue.general_revenue` | a change (`-5%..+5%`) or amounts (`4,200億円..4,500億円`) |
//! | `reserve_share` | the reserve's least share (the greatest is raised to it if lower) | shares: `0.02..0.08` or `2%..8%` |
//! | `reserve_min_share`, `reserve_max_share` | one bound of the reserve share | shares |
//! | `investment_cap` | `policy.investment_cap` | a change or amounts |
//! | `issuance_cap` | `bonds.issuance_cap` | a change or amounts |
//! | `next_generation_target` | `policy.next_generation_target` | a change or amounts |
//! | `fund_max_drawdown` | `fund.max_drawdown` | a change or amounts |
//! | `reserve_weight` | `policy.reserve_weight` (objective weight of a yen kept in reserve) | numbers |
//!
//! A change is written as `--set` writes one ([`crate::scenario::change`]): `-5%`, `+5%` or `×0.95`
//! for money, `+1pt` or `×1.2` for shares and numbers; an amount or a share is written as in a
//! scenario. A range is `LO..HI:N` (N evenly spaced values, both ends included) or a list `A,B,C`.
//! With `--samples`, values are drawn uniformly from `LO..HI` (the `:N` is not needed).
//! None of these names is read by the review rules, so a sweep reviews the programs once.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::diagnostic::{Diagnostic, Location, Source};
use crate::money::Money;
use crate::scenario::Scenario;
use crate::scenario::change::{Change, Target};
use crate::{Error, Result};

/// What kind of value a name takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Money: a relative change (`-5%`) or an amount (`650億円`).
    Money,
    /// A share between 0 and 1 (`0.05` or `5%`).
    Share,
    /// A non-negative number.
    Number,
}

/// Every `--vary` name: (name, kind, what it varies).
pub const NAMES: &[(&str, Kind, &str)] = &[
    ("revenue", Kind::Money, "general revenue (一般財源) forecast"),
    ("reserve_share", Kind::Share, "the mayor's reserve: at least this share of available general revenue"),
    ("reserve_min_share", Kind::Share, "the least share of the reserve"),
    ("reserve_max_share", Kind::Share, "the greatest share of the reserve"),
    ("investment_cap", Kind::Money, "the cap on investment expenditure (投資的経費)"),
    ("issuance_cap", Kind::Money, "the cap on bond issuance (市債)"),
    ("next_generation_target", Kind::Money, "the next-generation frame target (次世代投資枠)"),
    ("fund_max_drawdown", Kind::Money, "the most the fiscal adjustment fund may be drawn down"),
    ("reserve_weight", Kind::Number, "the objective weight of one yen kept in the reserve"),
];

/// The values one `--vary` takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// `LO..HI`, with `:N` steps for a grid.
    Range {
        lo: Decimal,
        hi: Decimal,
        steps: Option<usize>,
    },
    List(Vec<Decimal>),
}

/// How the values of a `--vary` are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Amounts in yen, shares or numbers: the value itself.
    Absolute,
    /// `-5%`: a change of an amount (the values are fractions, −0.05).
    Percent,
    /// `×0.95`: a multiple of the scenario's value (the values are factors).
    Times,
    /// `+1pt`: percentage points added to a share (the values are fractions, 0.01).
    Points,
}

impl Form {
    fn change(self, v: Decimal) -> Option<Change> {
        match self {
            Form::Absolute => None,
            Form::Percent => Some(Change::Percent { fraction: v, signed: true }),
            Form::Times => Some(Change::Times(v)),
            Form::Points => Some(Change::Points(v)),
        }
    }
}

/// One parsed `--vary NAME=…`.
#[derive(Debug, Clone)]
pub struct Vary {
    pub name: &'static str,
    pub kind: Kind,
    /// Whether the values are changes of the scenario's value, and which.
    pub form: Form,
    pub values: Values,
    /// The argument as given, for messages and output.
    pub text: String,
    source: Arc<Source>,
}

fn err(source: &Arc<Source>, span: std::ops::Range<usize>, message: String) -> Diagnostic {
    Diagnostic::error(message).at(Location::new(source, span))
}

impl Vary {
    /// Parses `NAME=LO..HI:N` or `NAME=A,B,C`. Errors point into the argument.
    pub fn parse(arg: &str) -> Result<Vary> {
        let source = Source::new("--vary", None, arg.to_string());
        let Some((name, rhs)) = arg.split_once('=') else {
            return Err(Error::input(
                err(&source, 0..arg.len(), format!("`--vary {arg}` has no `=`"))
                    .hint("write `--vary NAME=LO..HI:N`, e.g. `--vary revenue=-5%..+5%:11`"),
            ));
        };
        let name_t = name.trim();
        let Some(&(name, kind, _)) = NAMES.iter().find(|(n, _, _)| *n == name_t) else {
            let d = err(&source, 0..name.len(), format!("unknown `--vary` name `{name_t}`"))
                .suggest(name_t, NAMES.iter().map(|(n, _, _)| *n));
            let d = if d.hint.is_none() {
                d.hint(format!(
                    "the names are {}",
                    NAMES.iter().map(|(n, _, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ))
            } else {
                d
            };
            return Err(Error::input(d));
        };
        let off = name.len() + 1;
        let (range_part, steps) = match rhs.rsplit_once(':') {
            Some((r, n)) => {
                let at = off + r.len() + 1;
                let steps = n.trim().parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    Error::input(
                        err(&source, at..arg.len(), format!("`{}` is not a number of steps", n.trim()))
                            .hint("write the number of values after `:`, e.g. `-5%..+5%:11` (at least 1)"),
                    )
                })?;
                (r, Some(steps))
            }
            None => (rhs, None),
        };
        let mut form = None;
        let mut value = |text: &str, start: usize| -> Result<Decimal> {
            let span = start..start + text.len();
            let t = text.trim();
            let (v, f) =
                parse_value(t, kind).map_err(|m| Error::input(err(&source, span.clone(), m).hint(example(kind))))?;
            match form {
                Some(r) if r != f => {
                    return Err(Error::input(
                        err(&source, span, format!("`{t}` mixes a change with an amount")).hint(
                            "write both ends as changes of one kind (`-5%..+5%`, `×0.95..×1.05`) or both as amounts (`4,200億円..4,500億円`)",
                        ),
                    ));
                }
                _ => form = Some(f),
            }
            let rel = f != Form::Absolute;
            if f == Form::Percent && v <= -Decimal::ONE {
                return Err(Error::input(
                    err(&source, span, format!("a change of `{t}` leaves nothing")).hint("a change is above -100%"),
                ));
            }
            if kind == Kind::Share && !rel && (v < Decimal::ZERO || v > Decimal::ONE) {
                return Err(Error::input(
                    err(&source, span, format!("share `{t}` is not between 0 and 1")).hint(example(kind)),
                ));
            }
            if kind != Kind::Share && !rel && v < Decimal::ZERO {
                return Err(Error::input(err(&source, span, format!("`{t}` is negative")).hint(example(kind))));
            }
            Ok(v)
        };
        let values = if let Some((lo, hi)) = range_part.split_once("..") {
            let lo_v = value(lo, off)?;
            let hi_v = value(hi, off + lo.len() + 2)?;
            if lo_v > hi_v {
                return Err(Error::input(
                    err(&source, off..off + range_part.len(), format!("the range `{range_part}` runs backwards"))
                        .hint("write the low end first: `LO..HI`"),
                ));
            }
            if steps.is_some_and(|n| n == 1) && lo_v != hi_v {
                return Err(Error::input(
                    err(&source, off + range_part.len()..arg.len(), "one step cannot cover a range".to_string())
                        .hint("use at least 2 steps, or a single value"),
                ));
            }
            Values::Range { lo: lo_v, hi: hi_v, steps }
        } else {
            if steps.is_some() {
                return Err(Error::input(
                    err(&source, off + range_part.len()..arg.len(), "steps (`:N`) need a range `LO..HI`".to_string())
                        .hint("e.g. `revenue=-5%..+5%:11`; a list is written `A,B,C`"),
                ));
            }
            let mut list = Vec::new();
            let mut at = off;
            for part in range_part.split(',') {
                list.push(value(part, at)?);
                at += part.len() + 1;
            }
            Values::List(list)
        };
        Ok(Vary { name, kind, form: form.unwrap_or(Form::Absolute), values, text: arg.to_string(), source })
    }

    /// The grid values (ends included), or an error when a range has no `:N`.
    pub fn grid(&self) -> Result<Vec<Decimal>> {
        match &self.values {
            Values::List(l) => Ok(l.clone()),
            Values::Range { lo, hi, steps: Some(n) } => Ok(if *n == 1 {
                vec![*lo]
            } else {
                let step = (*hi - *lo) / Decimal::from(*n as u64 - 1);
                (0..*n)
                    .map(|i| {
                        if i + 1 == *n { *hi } else { (*lo + step * Decimal::from(i as u64)).round_dp(10).normalize() }
                    })
                    .collect()
            }),
            Values::Range { steps: None, lo, hi } => {
                if lo == hi {
                    return Ok(vec![*lo]);
                }
                Err(Error::input(
                    err(&self.source, 0..self.text.len(), format!("`--vary {}` has no number of steps", self.text))
                        .hint(format!(
                            "add `:N` for a grid (e.g. `{}:11`), or draw values with `--samples N`",
                            self.text
                        )),
                ))
            }
        }
    }

    /// A value drawn from the range (`u` in 0..=1), or a list item picked by `u`.
    pub fn sample(&self, u: Decimal) -> Decimal {
        match &self.values {
            Values::Range { lo, hi, .. } => (*lo + (*hi - *lo) * u).round_dp(6).normalize(),
            Values::List(l) => {
                let i = (u * Decimal::from(l.len() as u64)).floor();
                let i = usize::try_from(i.mantissa()).unwrap_or(0).min(l.len().saturating_sub(1));
                l.get(i).copied().unwrap_or_default()
            }
        }
    }

    /// Whether the review rules read what this name changes (then each variant is reviewed again).
    pub fn affects_review(&self) -> bool {
        // None of today's names is a rule input (programs, bureaus, clusters, parameters, fiscal year).
        false
    }

    /// Sets `value` in `scenario`. Returns a reason when the result is not a valid scenario.
    pub fn apply(&self, scenario: &mut Scenario, value: Decimal) -> std::result::Result<(), String> {
        let change = self.form.change(value);
        let money = |base: Money| -> std::result::Result<Money, String> {
            change.map_or(Ok(Money::from_decimal(value)), |c| c.money(base))
        };
        let number = |base: Decimal| change.map_or(value, |c| c.number(base));
        let p = &mut scenario.policy;
        match self.name {
            "revenue" => scenario.revenue.general_revenue = money(scenario.revenue.general_revenue)?,
            // "The reserve at 5%": at least that share. Not exactly: a reserve pinned to one share of
            // available general revenue could not also be a whole number of the rounding unit.
            "reserve_share" => {
                p.reserve_min_share = number(p.reserve_min_share);
                p.reserve_max_share = p.reserve_max_share.max(p.reserve_min_share);
            }
            "reserve_min_share" => p.reserve_min_share = number(p.reserve_min_share),
            "reserve_max_share" => p.reserve_max_share = number(p.reserve_max_share),
            "investment_cap" => p.investment_cap = money(p.investment_cap)?,
            "issuance_cap" => scenario.bonds.issuance_cap = money(scenario.bonds.issuance_cap)?,
            "next_generation_target" => p.next_generation_target = money(p.next_generation_target)?,
            "fund_max_drawdown" => scenario.fund.max_drawdown = money(scenario.fund.max_drawdown)?,
            "reserve_weight" => p.reserve_weight = number(p.reserve_weight),
            _ => return Err(format!("`{}` cannot be varied", self.name)),
        }
        let p = &scenario.policy;
        for (key, share) in [("reserve_min_share", p.reserve_min_share), ("reserve_max_share", p.reserve_max_share)] {
            if share < Decimal::ZERO || share > Decimal::ONE {
                return Err(format!("{key} {} is not between 0 and 1", share.normalize()));
            }
        }
        if p.reserve_weight < Decimal::ZERO {
            return Err(format!("reserve_weight {} is negative", p.reserve_weight.normalize()));
        }
        if p.reserve_min_share > p.reserve_max_share {
            return Err(format!(
                "reserve_min_share {} is above reserve_max_share {}",
                p.reserve_min_share.normalize(),
                p.reserve_max_share.normalize()
            ));
        }
        Ok(())
    }

    /// The value as the user wrote it: `-5%`, `×0.95` or `+1pt` for a change, yen for an amount,
    /// the number for a share.
    pub fn show(&self, value: Decimal) -> String {
        match self.form.change(value.round_dp(6)) {
            Some(c) => c.to_string(),
            None => value.normalize().to_string(),
        }
    }
}

fn example(kind: Kind) -> &'static str {
    match kind {
        Kind::Money => "write a change such as `-5%..+5%` or `×0.95..×1.05`, or amounts such as `600億円..650億円`",
        Kind::Share => "write shares such as `0.02..0.08` or `2%..8%`, or a change such as `-1pt..+2pt` or `×0.5..×2`",
        Kind::Number => "write numbers such as `0.5..1.5`, or a change such as `×0.5..×2`",
    }
}

/// One end of a range: its value and how it is written. A change is parsed as `--set` parses one
/// ([`Change::parse`]); an unsigned percentage of money is a rise (`-5%..5%`).
fn parse_value(t: &str, kind: Kind) -> std::result::Result<(Decimal, Form), String> {
    if t.is_empty() {
        return Err("a value is missing".to_string());
    }
    let target = if kind == Kind::Money { Target::Money } else { Target::Number };
    match Change::parse(t, target) {
        Some(Ok(Change::Percent { fraction, .. })) => return Ok((fraction, Form::Percent)),
        Some(Ok(Change::Times(k))) => return Ok((k, Form::Times)),
        Some(Ok(Change::Points(p))) => return Ok((p, Form::Points)),
        Some(Err(message)) => return Err(message),
        None => {}
    }
    match kind {
        Kind::Money => Money::parse(t)
            .map(|m| (m.as_decimal(), Form::Absolute))
            .map_err(|e| format!("`{t}` is not an amount: {}", e.message)),
        Kind::Share | Kind::Number => {
            crate::number::parse(t).map(|d| (d, Form::Absolute)).ok_or_else(|| format!("`{t}` is not a number"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_includes_both_ends() {
        let v = Vary::parse("revenue=-5%..+5%:11").expect("parses");
        assert_eq!(v.form, Form::Percent);
        let g = v.grid().expect("grid");
        assert_eq!(g.len(), 11);
        assert_eq!(g[0], Decimal::new(-5, 2));
        assert_eq!(g[10], Decimal::new(5, 2));
        assert_eq!(g[5], Decimal::ZERO);
    }

    #[test]
    fn shares_and_amounts() {
        let v = Vary::parse("reserve_share=2%..8%:7").expect("parses");
        assert_eq!(v.grid().expect("grid")[1], Decimal::new(3, 2));
        let v = Vary::parse("investment_cap=600億円,620億円").expect("parses");
        assert_eq!(v.form, Form::Absolute);
        assert_eq!(v.grid().expect("grid").len(), 2);
    }

    #[test]
    fn changes_written_as_set_writes_them() {
        let mut sc = crate::scenario::load(std::path::Path::new("scenarios/kitakyushu-r8.toml")).expect("scenario");
        let revenue = sc.revenue.general_revenue;
        let v = Vary::parse("revenue=×0.95..×1.05:3").expect("multiples");
        assert_eq!(v.form, Form::Times);
        let g = v.grid().expect("grid");
        assert_eq!(v.show(g[0]), "×0.95");
        v.apply(&mut sc, g[0]).expect("applies");
        assert_eq!(sc.revenue.general_revenue, revenue.mul_ratio(Decimal::new(95, 2)));
        let min = sc.policy.reserve_min_share;
        let v = Vary::parse("reserve_min_share=+0pt..+2pt:3").expect("points");
        assert_eq!(v.show(v.grid().expect("grid")[2]), "+2pt");
        v.apply(&mut sc, Decimal::new(2, 2)).expect("applies");
        assert_eq!(sc.policy.reserve_min_share, min + Decimal::new(2, 2));
        let e = Vary::parse("reserve_share=+1%..+2%:2").expect_err("ambiguous");
        assert!(e.to_string().contains("ambiguous"), "{e}");
        let v = Vary::parse("reserve_max_share=×30").expect("parses");
        assert!(v.apply(&mut sc, Decimal::from(30)).unwrap_err().contains("not between 0 and 1"));
    }

    #[test]
    fn errors_point_into_the_argument() {
        let e = Vary::parse("revenu=-5%..5%:3").expect_err("unknown");
        assert!(e.to_string().contains("did you mean `revenue`?"), "{e}");
        let e = Vary::parse("revenue=-5%..600億円:3").expect_err("mixed");
        assert!(e.to_string().contains("mixes a change with an amount"), "{e}");
        let e = Vary::parse("reserve_share=0.02..1.5:3").expect_err("share");
        assert!(e.to_string().contains("not between 0 and 1"), "{e}");
    }
}
