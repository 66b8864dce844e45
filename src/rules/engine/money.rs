//! Money in scripts: exact decimal yen, the money helpers (`oku`, `man`, `sen`, …), and how
//! amounts, ratios and percentages print.

use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, Position};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::money::{Money, Unit};
use crate::number::from_f64 as decimal_from_f64;

pub(crate) fn float_to_decimal(f: FLOAT) -> Result<Decimal, Box<EvalAltResult>> {
    decimal_from_f64(f).ok_or_else(|| format!("{f} is not a finite number").into())
}

/// A money amount in yen from a number of `unit`s, rounded to whole yen; `None` when it is too
/// large for exact money.
pub(crate) fn amount(x: Decimal, unit: Unit) -> Option<Decimal> {
    x.checked_mul(unit.factor()).map(|y| Money::from_decimal(y).as_decimal())
}

/// The error of money arithmetic whose result is too large to hold exactly.
pub(crate) fn overflow(what: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorArithmetic(format!("{what} overflowed: the amount is too large"), Position::NONE).into()
}

/// [`amount`] for scripts: an overflow is an arithmetic error at the call.
fn amount_checked(x: Decimal, unit: Unit) -> Result<Decimal, Box<EvalAltResult>> {
    amount(x, unit).ok_or_else(|| overflow("money"))
}

pub(super) fn register_money(engine: &mut Engine) {
    for (name, unit) in
        [("yen", Unit::Yen), ("sen", Unit::Sen), ("man", Unit::Man), ("oku", Unit::Oku), ("cho", Unit::Cho)]
    {
        engine.register_fn(name, move |x: INT| amount_checked(Decimal::from(x), unit));
        engine.register_fn(name, move |x: FLOAT| float_to_decimal(x).and_then(|d| amount_checked(d, unit)));
        engine.register_fn(name, move |x: Decimal| amount_checked(x, unit));
    }
    // Money in words, in the largest unit that reads naturally: 1.50億円, 3,500万円, 800円.
    engine.register_fn("format_money", |x: Decimal| format_money(x));
    engine.register_fn("format_money", |x: INT| format_money(Decimal::from(x)));
    // A ratio as a percentage: pct(0.3) == "30%", pct(-0.125) == "-12.5%".
    engine.register_fn("pct", |x: FLOAT| pct(x));
    engine.register_fn("pct", |x: INT| pct(x as FLOAT));
    engine.register_fn("pct", |x: Decimal| pct(x.to_f64().unwrap_or(0.0)));
    engine.register_fn("round_dp", round_dp);
    // Items joined into one string: ["視点1", "視点4"].join("・") == "視点1・視点4".
    engine.register_fn("join", |a: &mut Array, sep: &str| {
        a.iter().map(|d| d.clone().into_string().unwrap_or_else(|_| d.to_string())).collect::<Vec<_>>().join(sep)
    });
    engine.register_fn("share_of", share_of);

    // Money (Decimal) mixes with plain numbers (FLOAT): the number is taken exactly as written.
    // Arithmetic is checked: an overflow is an error at the operator (during constant folding it
    // leaves the expression to run, and fail, in its place).
    macro_rules! mixed {
        ($($op:literal => $f:expr),*) => {$(
            engine.register_fn($op, |a: Decimal, b: FLOAT| float_to_decimal(b).and_then(|b| $f(a, b)));
            engine.register_fn($op, |a: FLOAT, b: Decimal| float_to_decimal(a).and_then(|a| $f(a, b)));
        )*};
    }
    mixed!(
        "+" => |a: Decimal, b: Decimal| a.checked_add(b).ok_or_else(|| overflow("addition")),
        "-" => |a: Decimal, b: Decimal| a.checked_sub(b).ok_or_else(|| overflow("subtraction")),
        "*" => |a: Decimal, b: Decimal| a.checked_mul(b).ok_or_else(|| overflow("multiplication"))
    );
    macro_rules! compare {
        ($($op:literal => $f:expr),*) => {$(
            engine.register_fn($op, |a: Decimal, b: FLOAT| float_to_decimal(b).map(|b| $f(a, b)));
            engine.register_fn($op, |a: FLOAT, b: Decimal| float_to_decimal(a).map(|a| $f(a, b)));
        )*};
    }
    compare!(
        "<" => |a: Decimal, b: Decimal| a < b,
        "<=" => |a: Decimal, b: Decimal| a <= b,
        ">" => |a: Decimal, b: Decimal| a > b,
        ">=" => |a: Decimal, b: Decimal| a >= b,
        "==" => |a: Decimal, b: Decimal| a == b,
        "!=" => |a: Decimal, b: Decimal| a != b,
        "min" => |a: Decimal, b: Decimal| a.min(b),
        "max" => |a: Decimal, b: Decimal| a.max(b)
    );
    engine.register_fn("/", |a: Decimal, b: FLOAT| -> Result<Decimal, Box<EvalAltResult>> {
        let b = float_to_decimal(b)?;
        a.checked_div(b).ok_or_else(|| "division by zero".into())
    });
    engine.register_fn("/", |a: FLOAT, b: Decimal| -> Result<Decimal, Box<EvalAltResult>> {
        let a = float_to_decimal(a)?;
        a.checked_div(b).ok_or_else(|| "division by zero".into())
    });
}

/// `x` rounded to `dp` decimal places (Rhai has this for money; here for plain numbers too).
pub(crate) fn round_dp(x: FLOAT, dp: INT) -> FLOAT {
    let f = 10f64.powi(dp.clamp(0, 12) as i32);
    (x * f).round() / f
}

/// part ÷ whole as a plain number, () when the whole is zero.
pub(crate) fn share_of(part: Decimal, whole: Decimal) -> Dynamic {
    match part.checked_div(whole) {
        _ if whole.is_zero() => Dynamic::UNIT,
        Some(q) => Dynamic::from_float(q.to_f64().unwrap_or(0.0)),
        // Beyond a decimal's range: the float quotient (the same value, less exactly).
        None => Dynamic::from_float(part.to_f64().unwrap_or(0.0) / whole.to_f64().unwrap_or(1.0)),
    }
}

/// `1.50億円`, `3,500万円`, `800円`.
pub fn format_money(x: Decimal) -> String {
    let m = Money::from_decimal(x);
    let abs = m.abs().as_decimal();
    if abs >= Unit::Oku.factor() {
        m.format(Unit::Oku)
    } else if abs >= Unit::Man.factor() {
        m.format(Unit::Man)
    } else {
        m.format(Unit::Yen)
    }
}

/// `30%`, `12.5%`: rounded to a tenth of a percent, the `.0` left off.
pub fn pct(x: FLOAT) -> String {
    // Tenths of a percent as a whole number. Far below 2^47 the float `tenths / 10` prints as exactly
    // this many tenths, so the text can be built from the integer (float formatting is slow).
    let tenths = (x * 1000.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e12 {
        return pct_by_float(x);
    }
    let n = tenths as i64;
    let (whole, tenth) = (n.unsigned_abs() / 10, n.unsigned_abs() % 10);
    // Digits written by hand: this runs for most findings' reasons.
    let mut digits = [0u8; 20];
    let at = crate::money::digits_at(u128::from(whole), &mut digits);
    let mut text = String::with_capacity(digits.len() - at + 4);
    if n < 0 || tenths.is_sign_negative() {
        text.push('-');
    }
    text.extend(digits[at..].iter().map(|d| char::from(*d)));
    if tenth != 0 {
        text.push('.');
        text.push(char::from(b'0' + tenth as u8));
    }
    text.push('%');
    text
}

/// [`pct`] through float formatting (what `pct` computes, for numbers too large for its shortcut).
pub(super) fn pct_by_float(x: FLOAT) -> String {
    let v = (x * 1000.0).round() / 10.0;
    if v == v.trunc() { format!("{v:.0}%") } else { format!("{v:.1}%") }
}
