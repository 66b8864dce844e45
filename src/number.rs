//! Numbers that are not money — shares, ratios, scores, percentages — read by one parser and
//! printed by one set of formatters, for every layer (a scenario file, an inventory cell, `--set`,
//! `--vary`, `[[expect]]`, rule parameters; constraint labels and every report).
//!
//! Written as officials write them: `0.05`, `-0.3`, `5%`, full-width `５％`, a leading `▲` or `△`
//! for a negative. Money has its own parser and formatter ([`crate::money`]).

use std::str::FromStr;

use rust_decimal::Decimal;

/// The largest number (in size) waku reads: a ratio, a share, a KPI figure. Far above any real one,
/// and small enough that a number times an amount stays exact (see [`crate::money::MAX_YEN`]).
pub const MAX_NUMBER: i64 = 1_000_000_000_000;

/// `d` if it lies within ±[`MAX_NUMBER`].
pub fn in_range(d: Decimal) -> Option<Decimal> {
    (d.abs() <= Decimal::from(MAX_NUMBER)).then_some(d)
}

/// Parses `0.05`, `-0.3`, `5%`, `５％`, `▲0.3`; `None` for anything else and for a number larger
/// than [`MAX_NUMBER`].
pub fn parse(s: &str) -> Option<Decimal> {
    parse_unbounded(s).and_then(in_range)
}

/// [`parse`] without the bound on its size (so a caller can say "too large" rather than "invalid").
pub fn parse_unbounded(s: &str) -> Option<Decimal> {
    // Plain ASCII numbers (`0.45`, `-0.19`) need no normalising copy.
    let plain = s.trim();
    if plain.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
        return Decimal::from_str(plain).ok();
    }
    let t: String = plain
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '％' => '%',
            '－' | '−' | '▲' | '△' => '-',
            c => c,
        })
        .collect();
    if let Some(p) = t.strip_suffix('%') {
        return Decimal::from_str(p.trim()).ok().map(|d| d / Decimal::ONE_HUNDRED);
    }
    Decimal::from_str(&t).ok()
}

/// A float from a TOML or script value as the decimal its shortest text says, so `0.01` stays
/// exactly `0.01`; `None` for NaN, infinities and what a decimal cannot hold.
pub fn from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    Decimal::from_str(&f.to_string()).ok().or_else(|| Decimal::from_scientific(&format!("{f:e}")).ok())
}

/// A share as a percentage rounded to two decimals, without the sign: `0.0125` → `1.25`,
/// `0.01` → `1` (the number a spreadsheet cell holds).
pub fn percent(share: Decimal) -> Decimal {
    (share * Decimal::ONE_HUNDRED).round_dp(2).normalize()
}

/// A share computed by waku as a percentage, to 0.01 point: `1.25%`.
pub fn share(share: Decimal) -> String {
    format!("{}%", percent(share))
}

/// A share the user wrote, as a percentage with every digit it has: `0.0125` → `1.25%`,
/// `0.00125` → `0.125%`.
pub fn share_as_written(share: Decimal) -> String {
    format!("{}%", (share * Decimal::ONE_HUNDRED).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_as_officials_write_them() {
        assert_eq!(parse("0.05"), Some(d("0.05")));
        assert_eq!(parse(" -0.3 "), Some(d("-0.3")));
        assert_eq!(parse("5%"), Some(d("0.05")));
        assert_eq!(parse("５％"), Some(d("0.05")));
        assert_eq!(parse("▲0.3"), Some(d("-0.3")));
        assert_eq!(parse("１．５"), Some(d("1.5")));
        assert_eq!(parse("five"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("1000000000001"), None, "beyond MAX_NUMBER");
        assert_eq!(parse_unbounded("1000000000001"), Some(d("1000000000001")));
    }

    #[test]
    fn floats_keep_their_shortest_decimal() {
        assert_eq!(from_f64(0.01), Some(d("0.01")));
        assert_eq!(from_f64(1e-20), Some(d("0.00000000000000000001")));
        assert_eq!(from_f64(f64::NAN), None);
        assert_eq!(from_f64(f64::INFINITY), None);
    }

    #[test]
    fn shares_print_as_percentages() {
        assert_eq!(share(d("0.0125")), "1.25%");
        assert_eq!(share(d("0.01")), "1%");
        assert_eq!(share(d("0.012345")), "1.23%");
        assert_eq!(share_as_written(d("0.00125")), "0.125%");
        assert_eq!(percent(d("0.05")), d("5"));
    }
}
