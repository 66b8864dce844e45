//! Reading amounts the way officials write them (`650億円`, `6,476.84億円`, `12,345千円`, `▲15億円`,
//! full-width digits), with the position and a hint when an amount cannot be read.

use std::fmt;
use std::str::FromStr;

use super::{MAX_YEN, Money, Unit};
use rust_decimal::Decimal;

/// Why an amount could not be read. `offset` and `len` are byte positions inside the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseMoneyError {
    pub message: String,
    pub offset: usize,
    pub len: usize,
    pub hint: Option<String>,
}

impl fmt::Display for ParseMoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseMoneyError {}

pub(super) const EXPECTED: &str = "an amount such as `650億円`, `6,476.84億円`, `12,345千円` or a whole number of yen";

/// The error for an amount beyond [`MAX_YEN`].
pub(super) fn too_large(offset: usize, len: usize) -> ParseMoneyError {
    err(
        "amount is too large: waku reads amounts up to 1,000兆円",
        offset,
        len,
        Some("no budget is this large; check for extra digits or a wrong unit".into()),
    )
}

/// The error text used when money fails inside a TOML file. The position inside the string
/// travels after `\n@` and the hint after `\nhint: `; the scenario loader unpacks both.
pub(crate) fn money_error_text(e: &ParseMoneyError) -> String {
    let mut s = format!("{}\n@{}:{}", e.message, e.offset, e.len);
    if let Some(h) = &e.hint {
        s.push_str("\nhint: ");
        s.push_str(h);
    }
    s
}

/// Normalises full-width digits and punctuation, remembering each char's original byte offset.
pub(super) fn normalise(text: &str) -> Vec<(usize, char)> {
    text.char_indices()
        .map(|(i, c)| {
            let n = match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '，' => ',',
                '．' => '.',
                '－' | '−' => '-',
                other => other,
            };
            (i, n)
        })
        .collect()
}

/// The byte length of the original character at `offset` (full-width digits are three bytes, not one).
pub(super) fn orig_len(text: &str, offset: usize) -> usize {
    text.get(offset..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8)
}

pub(super) fn err(message: impl Into<String>, offset: usize, len: usize, hint: Option<String>) -> ParseMoneyError {
    ParseMoneyError { message: message.into(), offset, len, hint }
}

/// No amount is written in more bytes than this; longer text is refused before it is normalised
/// (a 50 MB cell must not become a 50-million-entry vector).
pub(super) const MAX_AMOUNT_BYTES: usize = 256;

pub(super) fn parse_money(text: &str) -> Result<Money, ParseMoneyError> {
    if text.len() > MAX_AMOUNT_BYTES {
        let can_be_in_an_amount = |c: char| {
            c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || c.is_whitespace()
                || ",，.．-−－▲△円千万億兆百".contains(c)
        };
        let shown = text.char_indices().take(MAX_AMOUNT_BYTES).find(|(_, c)| !can_be_in_an_amount(*c));
        return Err(match shown {
            Some((i, c)) => {
                err(format!("invalid character `{c}` in amount"), i, c.len_utf8(), Some(format!("expected {EXPECTED}")))
            }
            None => err(
                format!("`{}…` is too long to be an amount", text.chars().take(20).collect::<String>()),
                0,
                MAX_AMOUNT_BYTES.min(text.len()),
                Some(format!("expected {EXPECTED}")),
            ),
        });
    }
    // Most inventory cells are plain whole yen (`7685000`): read those without the general parser.
    let plain = text.trim_ascii();
    if !plain.is_empty() && plain.len() <= 18 && plain.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(yen) = plain.parse::<i64>() {
            if yen > MAX_YEN {
                let start = text.len() - text.trim_ascii_start().len();
                return Err(too_large(start, plain.len()));
            }
            return Ok(Money(Decimal::from(yen)));
        }
    }
    let chars = normalise(text);
    let end = text.len();
    let mut i = 0;
    while i < chars.len() && chars[i].1.is_whitespace() {
        i += 1;
    }
    let mut last = chars.len();
    while last > i && chars[last - 1].1.is_whitespace() {
        last -= 1;
    }
    let chars = &chars[..last];
    let trimmed_end = chars.last().map_or(0, |c| c.0 + orig_len(text, c.0));
    if i >= chars.len() {
        return Err(err("empty amount", 0, text.len().max(1), Some(format!("expected {EXPECTED}"))));
    }
    let negative = matches!(chars[i].1, '-' | '▲' | '△');
    if negative {
        i += 1;
    }
    // A sequence of <number><unit> terms with strictly descending units, e.g. 1兆2,000億円.
    let mut total = Decimal::ZERO;
    let mut prev_unit: Option<Unit> = None;
    let mut saw_yen = false;
    while i < chars.len() {
        if saw_yen {
            let (off, c) = chars[i];
            return Err(err(
                format!("unexpected `{c}` after `円`"),
                off,
                orig_len(text, off),
                Some(format!("expected {EXPECTED}")),
            ));
        }
        let start = i;
        let mut digits = String::new();
        let mut seen_dot = false;
        while i < chars.len() && (chars[i].1.is_ascii_digit() || chars[i].1 == ',' || chars[i].1 == '.') {
            if chars[i].1 == '.' {
                if seen_dot {
                    return Err(err(
                        "a second decimal point",
                        chars[i].0,
                        orig_len(text, chars[i].0),
                        Some(format!("expected {EXPECTED}")),
                    ));
                }
                seen_dot = true;
            }
            digits.push(chars[i].1);
            i += 1;
        }
        let num_off = chars.get(start).map_or(end, |c| c.0);
        // Byte length of the number as written (full-width digits are three bytes each).
        let num_len = chars.get(i).map_or(trimmed_end, |c| c.0).saturating_sub(num_off);
        if digits.is_empty() {
            let (off, c) = chars[start];
            return Err(err(
                format!("invalid character `{c}` in amount"),
                off,
                orig_len(text, off),
                Some(format!("expected {EXPECTED}")),
            ));
        }
        check_grouping(&digits, num_off, num_len)?;
        let plain: String = digits.chars().filter(|c| *c != ',').collect();
        let value = Decimal::from_str(&plain).map_err(|_| {
            err(
                format!("amount `{}` is too large", crate::diagnostic::quote(&digits)),
                num_off,
                num_len,
                Some("no budget is this large; check for extra digits".into()),
            )
        })?;
        // The unit that follows.
        let unit_start = i;
        let rest: String = chars[i..].iter().map(|c| c.1).collect();
        let unit = [
            ("兆円", Unit::Cho),
            ("兆", Unit::Cho),
            ("億円", Unit::Oku),
            ("億", Unit::Oku),
            ("百万円", Unit::Hyakuman),
            ("万円", Unit::Man),
            ("万", Unit::Man),
            ("千円", Unit::Sen),
            ("円", Unit::Yen),
        ]
        .into_iter()
        .find(|(s, _)| rest.starts_with(s));
        let unit = match unit {
            Some((s, u)) => {
                i += s.chars().count();
                if s.ends_with('円') {
                    saw_yen = true;
                }
                u
            }
            None if i == chars.len() && prev_unit.is_none() => {
                // A bare number: yen, and it must be whole.
                if seen_dot {
                    return Err(err(
                        format!("`{digits}` has no unit, so it is read as yen, which must be whole"),
                        num_off,
                        num_len,
                        Some(format!("write the unit, e.g. `{digits}億円`")),
                    ));
                }
                saw_yen = true;
                Unit::Yen
            }
            None if i == chars.len() => {
                let (off, _) = chars[i - 1];
                return Err(err(
                    "amount ends without `円`",
                    off + orig_len(text, off),
                    1,
                    Some("finish a compound amount with a unit, e.g. `1億2,000万円`".into()),
                ));
            }
            None => {
                let (off, c) = chars[unit_start];
                let hint = match c {
                    'O' | 'o' | 'Ｏ' | 'ｏ' => Some("the letter `O` is not a zero; write `0`".to_string()),
                    '憶' | '臆' => Some("did you mean `億`?".to_string()),
                    '仟' => Some("did you mean `千`?".to_string()),
                    'l' | 'I' => Some("a letter is not a digit; write `1`".to_string()),
                    _ => Some(format!("expected {EXPECTED}")),
                };
                return Err(err(format!("invalid character `{c}` in amount"), off, orig_len(text, off), hint));
            }
        };
        if let Some(p) = prev_unit {
            if unit >= p {
                let off = chars[unit_start].0;
                return Err(err(
                    format!("unit `{}` after `{}`: units in a compound amount must descend", unit.suffix(), p.suffix()),
                    off,
                    text.len() - off,
                    Some("write e.g. `1兆2,000億円` or `8,030億5,000万円`".into()),
                ));
            }
        }
        prev_unit = Some(unit);
        total = value.checked_mul(unit.factor()).and_then(|v| total.checked_add(v)).ok_or_else(|| {
            err("amount is too large", num_off, num_len, Some("no budget is this large; check for extra digits".into()))
        })?;
    }
    if !total.fract().is_zero() {
        return Err(err(
            format!("`{}` is not a whole number of yen", text.trim()),
            0,
            text.len(),
            Some("money is kept in whole yen; use fewer decimal places for the unit".into()),
        ));
    }
    if total > Money::MAX.0 {
        let start = chars.first().map_or(0, |c| c.0);
        return Err(too_large(start, trimmed_end.saturating_sub(start).max(1)));
    }
    Ok(Money(if negative { -total } else { total }.normalize()))
}

pub(super) fn check_grouping(digits: &str, offset: usize, len: usize) -> Result<(), ParseMoneyError> {
    if !digits.contains(',') {
        return Ok(());
    }
    let int = digits.split('.').next().unwrap_or("");
    if digits.split('.').nth(1).is_some_and(|f| f.contains(',')) {
        return Err(err(
            format!("comma after the decimal point in `{digits}`"),
            offset,
            len,
            Some("commas group the whole part in threes: `6,476.84`".into()),
        ));
    }
    let groups: Vec<&str> = int.split(',').collect();
    let ok = !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
    if ok {
        Ok(())
    } else {
        Err(err(
            format!("digit grouping in `{digits}` is ambiguous"),
            offset,
            len,
            Some("commas group digits in threes, e.g. `6,476.84億円` or `12,345千円`".into()),
        ))
    }
}
