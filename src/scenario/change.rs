//! Relative changes, one notation for `--set KEY=…` and `waku sweep --vary NAME=…`:
//!
//! | written | means | applies to |
//! |---|---|---|
//! | `-3%`, `+5%` | a change of the amount by that percentage | money |
//! | `×0.97` (also `x0.97`, `*0.97`) | the value times that number | money, shares, ratios |
//! | `+1pt`, `-0.5pt` (also `ポイント`) | percentage points added to a share or ratio | shares, ratios |
//!
//! A percentage on a share is ambiguous (`reserve_min_share=+1%`: one point more, or 1% more of
//! the share?), so a share's change is written in points or as a multiple; an unsigned percentage
//! on a share is the share itself (`5%`), as everywhere in a scenario. `--set` also wants the sign
//! of a percentage change (`97%` of an amount could mean ×0.97 or +97%); `--vary` ranges
//! (`-5%..5%`) read an unsigned end as a rise, as they always have. Money comes out in whole yen
//! (rounded half away from zero, as [`Money::mul_ratio`]).

use std::fmt;

use rust_decimal::Decimal;

use crate::money::Money;

/// A relative change as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `-3%`: the fraction (−0.03), with whether a sign was written.
    Percent { fraction: Decimal, signed: bool },
    /// `×0.97`: the factor.
    Times(Decimal),
    /// `+1pt`: the points as a fraction (0.01).
    Points(Decimal),
}

/// What a value is, for what a change may do to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Money,
    /// A share (0..1) or a ratio.
    Number,
}

fn decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    crate::number::parse(s).filter(|_| !s.ends_with('%') && !s.ends_with('％'))
}

impl Change {
    /// Reads `text` as a change for a value of kind `target`: `None` when it is not written as a
    /// change (an amount, a share), `Some(Err)` when it is one that does not apply or does not parse.
    pub fn parse(text: &str, target: Target) -> Option<Result<Change, String>> {
        let t = text.trim();
        // The multiple: `×0.97`, `x0.97`, `*0.97`.
        for mark in ['×', 'x', 'X', '*', '＊'] {
            if let Some(rest) = t.strip_prefix(mark) {
                return Some(match decimal(rest) {
                    Some(k) if k >= Decimal::ZERO => Ok(Change::Times(k)),
                    Some(_) => Err(format!("`{t}` is a negative multiple")),
                    None => Err(format!("`{t}` is not a multiple: write a number after `×`, e.g. `×0.97`")),
                });
            }
        }
        let signed = t.starts_with(['+', '-', '－', '−', '▲', '△']);
        // Points: `+1pt`, `-0.5pt`, `+1ポイント`.
        if let Some(number) = t.strip_suffix("pt").or_else(|| t.strip_suffix("ポイント")) {
            if target == Target::Money {
                return Some(Err(format!("`{t}` is a change in points, which applies to shares and ratios")));
            }
            if !signed {
                return Some(Err(format!("`{t}` needs a sign: `+{t}` or `-{t}`")));
            }
            return Some(
                decimal(number.strip_prefix('+').unwrap_or(number))
                    .map(|p| Change::Points(p / Decimal::ONE_HUNDRED))
                    .ok_or_else(|| format!("`{t}` is not a number of points")),
            );
        }
        let percent = t.strip_suffix('%').or_else(|| t.strip_suffix('％'))?;
        match target {
            Target::Money => Some(
                decimal(percent.strip_prefix('+').unwrap_or(percent))
                    .map(|p| Change::Percent { fraction: p / Decimal::ONE_HUNDRED, signed })
                    .ok_or_else(|| format!("`{t}` is not a percentage change")),
            ),
            // `5%` on a share is the share itself; `+1%` is ambiguous.
            Target::Number if signed => Some(Err(format!(
                "`{t}` is ambiguous for a share or ratio: write `{}pt` for percentage points or `×…` for a multiple",
                percent
            ))),
            Target::Number => None,
        }
    }

    /// The factor a percentage or a multiple multiplies by (`None` for points).
    pub fn factor(self) -> Option<Decimal> {
        match self {
            Change::Percent { fraction, .. } => Some(Decimal::ONE + fraction),
            Change::Times(k) => Some(k),
            Change::Points(_) => None,
        }
    }

    /// The changed amount, in whole yen.
    pub fn money(self, base: Money) -> Result<Money, String> {
        match self.factor() {
            Some(f) if f < Decimal::ZERO => Err(format!("a change of {self} leaves less than nothing")),
            Some(f) => Ok(base.mul_ratio(f)),
            None => Err(format!("`{self}` is a change in points, which applies to shares and ratios")),
        }
    }

    /// The changed share or ratio.
    pub fn number(self, base: Decimal) -> Decimal {
        match self {
            Change::Points(p) => (base + p).normalize(),
            other => (base * other.factor().unwrap_or(Decimal::ONE)).normalize(),
        }
    }
}

impl fmt::Display for Change {
    /// As a reader writes it: `-3%`, `+5%`, `×0.97`, `+1pt`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signed = |d: Decimal| {
            let d = d.normalize();
            if d.is_zero() {
                "0".to_string()
            } else if d.is_sign_negative() {
                d.to_string()
            } else {
                format!("+{d}")
            }
        };
        match *self {
            Change::Percent { fraction, .. } => write!(f, "{}%", signed(fraction * Decimal::ONE_HUNDRED)),
            Change::Times(k) => write!(f, "×{}", k.normalize()),
            Change::Points(p) => write!(f, "{}pt", signed(p * Decimal::ONE_HUNDRED)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn one_notation_for_amounts_shares_and_ratios() {
        let m = |s: &str| Change::parse(s, Target::Money);
        let n = |s: &str| Change::parse(s, Target::Number);
        assert_eq!(m("-3%"), Some(Ok(Change::Percent { fraction: d("-0.03"), signed: true })));
        assert_eq!(m("+5%"), Some(Ok(Change::Percent { fraction: d("0.05"), signed: true })));
        assert_eq!(m("5%"), Some(Ok(Change::Percent { fraction: d("0.05"), signed: false })));
        assert_eq!(m("×0.97"), Some(Ok(Change::Times(d("0.97")))));
        assert_eq!(m("x1.1"), Some(Ok(Change::Times(d("1.1")))));
        assert_eq!(m("4,352億円"), None, "an amount");
        assert!(matches!(m("+1pt"), Some(Err(_))), "points are for shares");
        assert_eq!(n("+1pt"), Some(Ok(Change::Points(d("0.01")))));
        assert_eq!(n("-0.5ポイント"), Some(Ok(Change::Points(d("-0.005")))));
        assert_eq!(n("×1.2"), Some(Ok(Change::Times(d("1.2")))));
        assert_eq!(n("5%"), None, "a share written as a percentage");
        assert_eq!(n("0.05"), None);
        assert!(n("+1%").is_some_and(|r| r.unwrap_err().contains("ambiguous")));
        assert!(n("1pt").is_some_and(|r| r.unwrap_err().contains("needs a sign")));
    }

    #[test]
    fn applied_in_whole_yen_and_shown_as_written() {
        let rev = Money::yen(435_200_000_000);
        let minus3 = Change::parse("-3%", Target::Money).unwrap().unwrap();
        assert_eq!(minus3.money(rev), Ok(Money::yen(422_144_000_000)));
        assert_eq!(Change::Times(d("0.97")).money(rev), Ok(Money::yen(422_144_000_000)));
        assert_eq!(Change::Times(d("0.333")).money(Money::yen(1_000)), Ok(Money::yen(333)));
        assert_eq!(Change::Points(d("0.01")).number(d("0.01")), d("0.02"));
        assert_eq!(Change::Times(d("1.5")).number(d("0.02")), d("0.03"));
        assert_eq!(minus3.to_string(), "-3%");
        assert_eq!(Change::parse("5%", Target::Money).unwrap().unwrap().to_string(), "+5%");
        assert_eq!(Change::Points(d("0.005")).to_string(), "+0.5pt");
        assert!(Change::Percent { fraction: d("-1.5"), signed: true }.money(rev).is_err());
    }
}
