//! Exact money: whole yen over `rust_decimal::Decimal`, parsed and printed the way officials write it.
//!
//! # The rounding rule
//!
//! A [`Money`] is always a whole number of yen. Any computation that produces a fraction of a
//! yen (a ratio times an amount, a solver's floating-point answer) is brought back with
//! [`Money::from_decimal`] or [`Money::round_to`], which round to the nearest unit with ties
//! to even (banker's rounding). Where the pieces must add up to a total, the residual is
//! given to one named balancing item (the mayor's reserve in an allocation), never spread
//! silently. Display rounding (e.g. 億円 with two decimals) uses the same rule and never
//! feeds back into a computation.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

mod parse;

pub use parse::ParseMoneyError;
pub(crate) use parse::money_error_text;
use parse::{EXPECTED, parse_money, too_large};

/// An amount of money in whole yen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

/// A unit officials write amounts in (円, 千円, 百万円, 億円, 兆円; 万円 is read but not displayed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    #[default]
    Yen,
    Man,
    Sen,
    Hyakuman,
    Oku,
    Cho,
}

impl Unit {
    /// Display units a scenario may choose.
    pub const DISPLAY: [Unit; 4] = [Unit::Yen, Unit::Sen, Unit::Hyakuman, Unit::Oku];

    /// Yen per unit.
    pub fn factor(self) -> Decimal {
        Decimal::from(match self {
            Unit::Yen => 1i64,
            Unit::Sen => 1_000,
            Unit::Man => 10_000,
            Unit::Hyakuman => 1_000_000,
            Unit::Oku => 100_000_000,
            Unit::Cho => 1_000_000_000_000,
        })
    }

    /// The suffix as written, e.g. `億円`.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Yen => "円",
            Unit::Sen => "千円",
            Unit::Man => "万円",
            Unit::Hyakuman => "百万円",
            Unit::Oku => "億円",
            Unit::Cho => "兆円",
        }
    }

    /// Decimal places shown when displaying in this unit.
    pub fn display_decimals(self) -> u32 {
        match self {
            Unit::Oku | Unit::Cho => 2,
            _ => 0,
        }
    }

    /// Parses a unit name such as `億円`.
    pub fn parse(s: &str) -> Option<Unit> {
        [Unit::Yen, Unit::Sen, Unit::Man, Unit::Hyakuman, Unit::Oku, Unit::Cho].into_iter().find(|u| u.suffix() == s)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.suffix())
    }
}

impl Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.suffix())
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Unit::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown unit `{s}`: expected one of `円`, `千円`, `百万円`, `億円`"))
        })
    }
}

impl schemars::JsonSchema for Unit {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Unit".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Display unit",
            "enum": ["円", "千円", "百万円", "億円"]
        })
    }
}

/// Which way [`Money::on_grid`] takes an amount that lies between two multiples of its step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grid {
    /// The nearest multiple; halfway, the even one.
    Nearest,
    /// The multiple below (towards minus infinity).
    Down,
    /// The multiple above (towards plus infinity).
    Up,
}

/// The largest amount waku reads, in yen: 1,000兆円 (10¹⁵), several times any public budget (the
/// national government's is about 115兆円). Below it every sum of a city's amounts stays exact in
/// the solver's floating point (exact whole yen up to 2⁵³ ≈ 9×10¹⁵) and far from the decimal range.
pub const MAX_YEN: i64 = 1_000_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);
    /// [`MAX_YEN`] as money.
    pub const MAX: Money = Money(Decimal::from_parts(MAX_YEN as u32, (MAX_YEN >> 32) as u32, 0, false, 0));

    /// Whether the amount lies within ±[`MAX_YEN`], the range waku computes with exactly.
    pub fn in_range(self) -> bool {
        self.0.abs() <= Money::MAX.0
    }

    /// Whole yen from an integer.
    pub fn yen(yen: i64) -> Money {
        Money(Decimal::from(yen))
    }

    /// An amount in 億円 (exact for up to eight decimal places).
    pub fn oku(oku: Decimal) -> Money {
        Money::from_decimal(oku * Unit::Oku.factor())
    }

    /// Rounds a decimal amount of yen to whole yen (ties to even).
    pub fn from_decimal(d: Decimal) -> Money {
        Money(d.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven))
    }

    /// Brings a solver's floating-point yen back to whole yen (ties to even).
    pub fn from_f64(v: f64) -> Option<Money> {
        Decimal::from_f64_retain(v.round()).map(Money::from_decimal)
    }

    /// The amount as a decimal number of yen.
    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// Floating-point yen, for the solver boundary only.
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(0.0)
    }

    /// The amount expressed in `unit` (exact, may have decimals).
    pub fn in_unit(self, unit: Unit) -> Decimal {
        (self.0 / unit.factor()).normalize()
    }

    /// An exact amount of yen (it may have a fraction: a share of a limit, a solver's answer) on
    /// the grid of multiples of `step`: the nearest multiple (ties to even), the one below or the
    /// one above. A step under one yen is one yen. The one grid rounding of waku: the allocation's
    /// rounding unit, a plan's shares of its coupled limits and [`Money::round_to`] all use it.
    pub fn on_grid(yen: Decimal, step: Money, way: Grid) -> Money {
        let step = step.0.max(Decimal::ONE);
        let steps = yen / step;
        let steps = match way {
            Grid::Nearest => steps.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven),
            Grid::Down => steps.floor(),
            Grid::Up => steps.ceil(),
        };
        Money::from_decimal(steps * step)
    }

    /// This amount on the grid of multiples of `step` ([`Money::on_grid`]).
    pub fn to_grid(self, step: Money, way: Grid) -> Money {
        Money::on_grid(self.0, step, way)
    }

    /// Rounds to a multiple of `unit` (ties to even), e.g. to whole 千円.
    pub fn round_to(self, unit: Unit) -> Money {
        self.to_grid(Money(unit.factor()), Grid::Nearest)
    }

    /// Rounds down to a multiple of `unit` (towards minus infinity).
    pub fn floor_to(self, unit: Unit) -> Money {
        self.to_grid(Money(unit.factor()), Grid::Down)
    }

    /// Rounds up to a multiple of `unit` (towards plus infinity).
    pub fn ceil_to(self, unit: Unit) -> Money {
        self.to_grid(Money(unit.factor()), Grid::Up)
    }

    /// `self × ratio`, rounded to whole yen (ties to even).
    pub fn mul_ratio(self, ratio: Decimal) -> Money {
        // Most programs have no subsidy or no bonds: 0 × a whole amount ≥ 0 is zero, without the
        // multiplication and rounding (the same value, scale and sign as the long way).
        if ratio.is_zero() && !self.0.is_sign_negative() {
            return Money::ZERO;
        }
        Money::from_decimal(self.0 * ratio)
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other { self } else { other }
    }

    /// Formats in `unit` with digit grouping and the unit's display decimals: `6,476.84億円`.
    pub fn format(self, unit: Unit) -> String {
        let mut text = self.format_number(unit);
        text.push_str(unit.suffix());
        text
    }

    /// Like [`Money::format`] without the unit suffix: `6,476.84`.
    pub fn format_number(self, unit: Unit) -> String {
        self.format_whole(unit).unwrap_or_else(|| self.format_decimal(unit))
    }

    /// [`Money::format_number`] in decimal arithmetic: the rule the fast path copies.
    fn format_decimal(self, unit: Unit) -> String {
        let dp = unit.display_decimals();
        let v = (self.0 / unit.factor()).round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
        group_digits(&format!("{:.*}", dp as usize, v))
    }

    /// [`Money::format_number`] of whole yen within ±9.2×10^18 in integers (reports and reasons
    /// format an amount for every program; the decimal way costs ten times as much).
    fn format_whole(self, unit: Unit) -> Option<String> {
        if self.0.scale() != 0 {
            return None;
        }
        let n = i64::try_from(self.0.mantissa()).ok()?;
        let dp = unit.display_decimals();
        let shown = 10i64.pow(dp);
        // The unit's factor over the decimals shown: 1 for 円, 10^6 for 億円 shown to 0.01.
        let step = unit.factor().to_i64()? / shown;
        let (mut q, r) = (n / step, (n % step).unsigned_abs() * 2);
        let step = step.unsigned_abs();
        if r > step || (r == step && q % 2 != 0) {
            q += n.signum();
        }
        let a = q.unsigned_abs();
        let (int, frac) = (a / shown as u64, a % shown as u64);
        let digits = int.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2 + dp as usize);
        if q < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if dp > 0 {
            use std::fmt::Write as _;
            let _ = write!(out, ".{frac:0width$}", width = dp as usize);
        }
        Some(out)
    }

    /// A change in `unit`, without the unit, signed as `sign` says: `▲1.46`, `+1.46`, `−1.46`.
    pub fn format_change(self, unit: Unit, sign: Sign) -> String {
        let n = self.format_number(unit);
        match sign {
            Sign::Triangle => triangle(n),
            Sign::Plus if self.is_negative() => n,
            Sign::Plus => format!("+{n}"),
            Sign::PlusOrZero if self.is_negative() || self.is_zero() || n.starts_with('-') => n,
            Sign::PlusOrZero => format!("+{n}"),
            Sign::Minus if self.is_negative() => format!("−{}", self.abs().format_number(unit)),
            Sign::Minus => format!("+{n}"),
        }
    }

    /// Parses what officials write. See the module docs and the tests for the accepted forms.
    pub fn parse(text: &str) -> Result<Money, ParseMoneyError> {
        parse_money(text)
    }
}

/// How a change shows its sign ([`Money::format_change`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// As Japanese budget tables print it: `▲1.46` for a decrease, `1.46` for an increase.
    Triangle,
    /// `+1.46` for an increase or no change, `-1.46` for a decrease (the terminal).
    Plus,
    /// `+1.46`, `-1.46`, and no sign for what shows as zero (`0.00`: the what-if tables).
    PlusOrZero,
    /// `+1.46` / `−1.46` with a true minus sign (U+2212), for typeset pages.
    Minus,
}

/// `-x` as `▲x`: how a Japanese budget table prints a decrease (the parser reads it back).
pub fn triangle(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) => format!("▲{rest}"),
        None => s,
    }
}

fn group_digits(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if out.chars().all(|c| c == '0' || c == ',') && frac.trim_start_matches('.').chars().all(|c| c == '0') {
        ""
    } else {
        sign
    };
    format!("{sign}{out}{frac}")
}

impl fmt::Display for Money {
    /// Whole yen with digit grouping: `64,400,000,000円`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Unit::Yen))
    }
}

impl FromStr for Money {
    type Err = ParseMoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_money(s)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}
impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + *b)
    }
}

/// JSON and snapshots carry money as a string of whole yen: `"64400000000"`.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Whole yen (nearly every amount) are written from a buffer on the stack: a large JSON
        // has hundreds of thousands of them. Anything else as `Decimal` writes it, normalised.
        if self.0.fract().is_zero()
            && !self.0.is_zero()
            && let Some(yen) = self.0.to_i128()
        {
            let mut buf = [0u8; 41];
            let mut at = digits_at(yen.unsigned_abs(), &mut buf);
            if yen < 0 {
                at -= 1;
                buf[at] = b'-';
            }
            // Only ASCII digits and `-` were written.
            return s.serialize_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
        }
        s.serialize_str(&self.0.normalize().to_string())
    }
}

/// Writes `n`'s decimal digits at the end of `buf` and returns where they start (`buf` must hold
/// them: 39 for any `u128`). No allocation: amounts and percentages are written by the hundred
/// thousand.
pub(crate) fn digits_at(mut n: u128, buf: &mut [u8]) -> usize {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return at;
        }
    }
}

/// Scenario files write money as a string (`"650億円"`) or an integer number of yen.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                parse_money(v).map_err(|e| E::custom(money_error_text(&e)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                let m = Money::yen(v);
                if m.in_range() { Ok(m) } else { Err(E::custom(money_error_text(&too_large(0, 0)))) }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                let m = Money(Decimal::from(v));
                if m.in_range() { Ok(m) } else { Err(E::custom(money_error_text(&too_large(0, 0)))) }
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                Err(E::custom(format!(
                    "invalid amount `{v}`: a bare number is read as yen and must be whole; \
                     write a unit as a string, e.g. \"{v}億円\""
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An amount of money: a string with a unit such as \"650億円\", \"6,476.84億円\", \"12,345千円\", or an integer number of yen",
            "anyOf": [
                {"type": "string", "pattern": "^[-▲△]?[0-9０-９,，.．]+(兆|億|万|千|百万)?円?([0-9０-９,，.．]+(億|万|千)?円?)*$"},
                {"type": "integer"}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::{Strategy, prop_assert_eq};

    proptest::proptest! {
        /// Amounts format the same in integers as in decimal arithmetic, in every unit: rounding
        /// half to even, grouping, the sign of what rounds to zero.
        #[test]
        fn whole_yen_format_as_decimals_do(n in proptest::prop_oneof![
            -10_000i64..10_000,
            -10_000_000_000i64..10_000_000_000,
            proptest::num::i64::ANY,
            (-2_000i64..2_000).prop_map(|k| k * 500_000),
            (-2_000i64..2_000).prop_map(|k| k * 5_000_000_000),
        ]) {
            let m = Money(Decimal::from(n));
            for unit in [Unit::Yen, Unit::Sen, Unit::Man, Unit::Hyakuman, Unit::Oku, Unit::Cho] {
                prop_assert_eq!(m.format_whole(unit), Some(m.format_decimal(unit)), "{} in {:?}", n, unit);
            }
        }
    }

    #[test]
    fn fractions_of_a_yen_format_in_decimals() {
        let m = Money(Decimal::new(12_345, 1));
        assert_eq!(m.format_whole(Unit::Yen), None);
        assert_eq!(m.format_number(Unit::Yen), "1,234");
        assert_eq!(Money(Decimal::new(-149_999_999, 0)).format(Unit::Oku), "-1.50億円");
        assert_eq!(Money(Decimal::new(-4_999, 0)).format(Unit::Oku), "0.00億円");
    }

    fn p(s: &str) -> Money {
        Money::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    /// The JSON text of an amount is the normalised Decimal's, whichever way it is written.
    #[test]
    fn money_is_written_as_the_normalised_decimal() {
        let values = [
            "0",
            "-0",
            "0.000",
            "1",
            "-1",
            "10",
            "100.00",
            "-2500.0",
            "64400000000",
            "-64400000000",
            "0.5",
            "-1.25",
            "12345678901234567890",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "9223372036854775808",
            "1000000000000000000000000000",
        ];
        for v in values {
            let d = Decimal::from_str(v).unwrap();
            let json = serde_json::to_string(&Money(d)).unwrap();
            assert_eq!(json, format!("\"{}\"", d.normalize()), "{v}");
        }
        for n in [i64::MIN + 1, -1_000_000_007, -9, 9, 1_000_000_007, i64::MAX] {
            let json = serde_json::to_string(&Money::yen(n)).unwrap();
            assert_eq!(json, format!("\"{n}\""));
        }
    }

    #[test]
    fn a_zero_ratio_gives_the_zero_the_long_way_gives() {
        for amount in [Money::ZERO, Money::yen(7_685_000), p("6,476.84億円")] {
            for zero in [Decimal::ZERO, Decimal::new(0, 4), Decimal::from_str("0.00").unwrap()] {
                let long = Money::from_decimal(amount.as_decimal() * zero);
                let quick = amount.mul_ratio(zero);
                assert_eq!(quick, long);
                assert_eq!(quick.as_decimal().serialize(), long.as_decimal().serialize(), "{amount:?} × {zero}");
            }
        }
    }

    #[test]
    fn plain_yen_read_quickly_equal_the_general_parsers() {
        // `…円` takes the general parser; the bare digits the quick path.
        for digits in ["0", "007", "7685000", "999999999999999", "1000000000000000", " 42 "] {
            let quick = p(digits);
            let general = p(&format!("{}円", digits.trim()));
            assert_eq!(quick, general, "{digits}");
            assert_eq!(quick.as_decimal().to_string(), general.as_decimal().to_string(), "{digits}");
        }
        // Beyond 18 digits and full-width digits go the general way; past 1,000兆円 both refuse.
        assert_eq!(p("１２３"), Money::yen(123));
        for too_large in ["1000000000000001", "999999999999999999", "1234567890123456789"] {
            assert_eq!(
                Money::parse(too_large).unwrap_err().message,
                Money::parse(&format!("{too_large}円")).unwrap_err().message
            );
        }
    }

    #[test]
    fn parses_what_officials_write() {
        assert_eq!(p("650億円"), Money::yen(65_000_000_000));
        assert_eq!(p("6,476.84億円"), Money::yen(647_684_000_000));
        assert_eq!(p("12,345千円"), Money::yen(12_345_000));
        assert_eq!(p("3,000百万円"), Money::yen(3_000_000_000));
        assert_eq!(p("1.2兆円"), Money::yen(1_200_000_000_000));
        assert_eq!(p("0円"), Money::ZERO);
        assert_eq!(p("123456"), Money::yen(123_456));
        assert_eq!(p("500万円"), Money::yen(5_000_000));
        assert_eq!(p("８，０３０億円"), Money::yen(803_000_000_000));
        assert_eq!(p("1億2,000万円"), Money::yen(120_000_000));
        assert_eq!(p("▲15億円"), Money::yen(-1_500_000_000));
        assert_eq!(p(" 375億円 "), Money::yen(37_500_000_000));
    }

    #[test]
    fn rejects_malformed_amounts_with_a_position() {
        let e = Money::parse("65O億円").unwrap_err();
        assert_eq!(e.message, "invalid character `O` in amount");
        assert_eq!(e.offset, 2);
        assert!(e.hint.unwrap().contains("not a zero"));
        assert_eq!(Money::parse("1,23億円").unwrap_err().message, "digit grouping in `1,23` is ambiguous");
        assert!(Money::parse("1.5").unwrap_err().message.contains("read as yen"));
        assert!(Money::parse("0.5円").unwrap_err().message.contains("not a whole number"));
        assert!(Money::parse("").is_err());
        assert!(Money::parse("億円").is_err());
        assert!(Money::parse("1万2億円").unwrap_err().message.contains("must descend"));
        assert!(Money::parse("1億円2").is_err());
        assert!(Money::parse("99999999999999999999999999999999兆円").unwrap_err().message.contains("too large"));
        // The range waku computes with: up to 1,000兆円, either sign, whatever the spelling.
        assert_eq!(p("1,000兆円"), Money::MAX);
        assert_eq!(p("▲1000兆円"), -Money::MAX);
        assert_eq!(p("1000000000000000"), Money::MAX);
        for text in ["1000000000000001", "1,000兆1円", "10000兆円", "79228162514264337593543950335", "1.1京円"] {
            let e = Money::parse(text).unwrap_err();
            assert!(e.message.contains("too large") || e.message.contains("invalid character"), "{text}: {e:?}");
        }
        let e = Money::parse(" 1000000000000001").unwrap_err();
        assert_eq!((e.offset, e.len), (1, 16));
        // A huge cell is refused without being copied: at its first stray character, or for its length.
        let long = "1".repeat(1 << 20);
        assert!(Money::parse(&long).unwrap_err().message.contains("too long to be an amount"));
        let e = Money::parse(&format!("12{}", "x".repeat(1 << 20))).unwrap_err();
        assert_eq!((e.message.as_str(), e.offset), ("invalid character `x` in amount", 2));
        assert!(Money::parse("1.2.3億円").is_err());
    }

    #[test]
    fn error_positions_fall_on_character_boundaries() {
        // Found by the `money` fuzz target: the position used the width of the normalised digit.
        for text in ["9.197617272640430122万５", "１２Ｘ億円", "１，２３億円", "1億円２", "１．２．３億円"]
        {
            let e = Money::parse(text).unwrap_err();
            assert!(text.is_char_boundary(e.offset), "{text}: offset {}", e.offset);
            assert!(text.is_char_boundary((e.offset + e.len).min(text.len())), "{text}: end {}", e.offset + e.len);
        }
        let e = Money::parse("１，２３億円").unwrap_err();
        assert_eq!((e.offset, e.len), (0, 12), "the whole full-width number (four 3-byte characters) is underlined");
    }

    #[test]
    fn formats_in_display_units_with_grouping() {
        let m = p("6,476.84億円");
        assert_eq!(m.format(Unit::Oku), "6,476.84億円");
        assert_eq!(m.format(Unit::Hyakuman), "647,684百万円");
        assert_eq!(m.format(Unit::Sen), "647,684,000千円");
        assert_eq!(m.to_string(), "647,684,000,000円");
        assert_eq!(Money::yen(-1_500_000_000).format(Unit::Oku), "-15.00億円");
        assert_eq!(Money::yen(999).format(Unit::Sen), "1千円");
        assert_eq!(Money::yen(-1).format(Unit::Sen), "0千円");
    }

    #[test]
    fn rounding_is_half_to_even() {
        assert_eq!(Money::from_decimal(Decimal::new(25, 1)), Money::yen(2));
        assert_eq!(Money::from_decimal(Decimal::new(35, 1)), Money::yen(4));
        assert_eq!(Money::yen(1_500).round_to(Unit::Sen), Money::yen(2_000));
        assert_eq!(Money::yen(2_500).round_to(Unit::Sen), Money::yen(2_000));
        assert_eq!(Money::yen(2_999).floor_to(Unit::Sen), Money::yen(2_000));
        // The one grid: fractions of a yen, steps that are not a unit, and steps under a yen.
        let half = Decimal::new(25, 1);
        assert_eq!(Money::on_grid(half, Money::ZERO, Grid::Nearest), Money::yen(2));
        assert_eq!(Money::on_grid(half, Money::yen(1), Grid::Up), Money::yen(3));
        assert_eq!(Money::on_grid(half, Money::yen(1), Grid::Down), Money::yen(2));
        assert_eq!(Money::yen(1_234).to_grid(Money::yen(500), Grid::Up), Money::yen(1_500));
        assert_eq!(Money::yen(-1_234).to_grid(Money::yen(500), Grid::Down), Money::yen(-1_500));
        assert_eq!(Money::yen(1_250).to_grid(Money::yen(500), Grid::Nearest), Money::yen(1_000));
        assert_eq!(Money::yen(1_000).mul_ratio(Decimal::new(3333, 4)), Money::yen(333));
        // Display rounds the same way and is exact for whole units.
        assert_eq!(Money::yen(1_250_000).format(Unit::Oku), "0.01億円");
        assert_eq!(Money::yen(1_500_000).format(Unit::Hyakuman), "2百万円");
    }

    #[test]
    fn json_money_is_a_string_of_whole_yen() {
        assert_eq!(serde_json::to_string(&p("650億円")).unwrap(), "\"65000000000\"");
    }
}
