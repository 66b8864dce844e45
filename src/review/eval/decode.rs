//! Decoding what a script returns: its map checked key by key, located in the script when wrong,
//! and turned into findings and assessments in whole yen on the rounding grid.

use rhai::{Dynamic, FLOAT, ImmutableString, Map};
use rust_decimal::Decimal;

use super::*;
use crate::diagnostic::{Diagnostic, Location};
use crate::money::{Money, Unit};
use crate::review::{Action, Assessment, Finding};
use crate::rules::{Ruleset, Script};
use crate::scenario::{Program, ProgramKind};

/// Where the script returned `key` with `value` (see [`crate::rules::lint::returned_key`]), else
/// the text `key:` in the script.
pub(super) fn returned_at(script: &Script, key: &str, value: Option<&Dynamic>) -> Location {
    crate::rules::returned_key(script, key, value, false).unwrap_or_else(|| point_at(script, &format!("{key}:")))
}

/// Where to point when a returned value is wrong: the text `needle` in the script, else its last statement.
pub(super) fn point_at(script: &Script, needle: &str) -> Location {
    let text = &script.source.text;
    if !needle.is_empty() {
        if let Some(i) = find_in_code(text, needle) {
            return Location::new(&script.source, i..i + needle.len());
        }
    }
    last_statement(script)
}

/// The first occurrence of `needle` outside `//` comments.
pub(super) fn find_in_code(text: &str, needle: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code_end = line.find("//").unwrap_or(line.len());
        if let Some(i) = line[..code_end].find(needle) {
            return Some(offset + i);
        }
        offset += line.len();
    }
    None
}

/// The start of the last line holding code (what a script returns when it falls off the end).
pub(super) fn last_statement(script: &Script) -> Location {
    let text = &script.source.text;
    let mut offset = 0;
    let mut last = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !t.is_empty() && !t.starts_with("//") && t != "}" && t != "};" {
            last = Some(offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    let start = last.unwrap_or(0);
    let end = text[start..].find(['\n', '\r']).map_or(text.len(), |e| start + e);
    Location::new(&script.source, start..end.max(start))
}

pub(super) fn kind_of(v: &Dynamic) -> &'static str {
    if v.is_unit() {
        "nothing (`()`)"
    } else if v.is_string() {
        "a string"
    } else if v.is_int() || v.is_float() {
        "a number"
    } else if v.is_decimal() {
        "money"
    } else if v.is_bool() {
        "true/false"
    } else if v.is_array() {
        "an array"
    } else if v.is_map() {
        "a map"
    } else {
        "a value of another kind"
    }
}

/// A number from a script (integer, number or money) as a decimal, rounded to 6 places.
pub(super) fn number(v: &Dynamic) -> Option<Decimal> {
    // `is_*` first: a failed `as_*` builds its error from the type's name.
    if v.is_int() {
        v.as_int().ok().map(Decimal::from)
    } else if v.is_float() {
        v.as_float().ok().and_then(float_to_6dp)
    } else if v.is_decimal() {
        v.as_decimal().ok().map(|d| d.round_dp(6).normalize())
    } else {
        None
    }
}

/// The exact binary value of `f` rounded to 6 places (ties to even): 0.9 → 0.9 without going through text.
///
/// Every finding and assessment passes its ratios through here, so the usual case is done in
/// integers: `f` is m·2^e, and m·10^6 fits an `u128`, so m·10^6 / 2^−e rounds exactly by a shift.
pub(super) fn float_to_6dp(f: FLOAT) -> Option<Decimal> {
    const MANTISSA_BITS: u32 = 52;
    let bits = f.to_bits();
    let biased = ((bits >> MANTISSA_BITS) & 0x7ff) as i32;
    let shift = 1075 - biased; // f = m / 2^shift for a normal f
    if !f.is_finite() || biased == 0 || !(1..=100).contains(&shift) {
        // Zero, subnormal, whole numbers from 2^52 up, and tiny numbers: the general (slower) way.
        return float_to_6dp_by_decimal(f);
    }
    let m = u128::from(bits & ((1 << MANTISSA_BITS) - 1) | (1 << MANTISSA_BITS));
    let scaled = m * 1_000_000; // < 2^73
    let mut q = scaled >> shift;
    let rest = scaled & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    if rest > half || (rest == half && q & 1 == 1) {
        q += 1;
    }
    let q = i128::try_from(q).ok()?;
    Some(Decimal::from_i128_with_scale(if f < 0.0 { -q } else { q }, 6).normalize())
}

/// [`float_to_6dp`] through `rust_decimal`'s conversion of the exact binary value.
pub(super) fn float_to_6dp_by_decimal(f: FLOAT) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    Some(Decimal::from_f64_retain(f)?.round_dp(6).normalize())
}

pub(super) fn action_of(script: &Script, map: &Fields<'_>, what: &str, p: &Program) -> Result<Action, Diagnostic> {
    let Some(v) = map.get("action") else {
        return Err(missing(script, what, "action", "action: \"継続\"", p));
    };
    // The usual case: the label exactly as written (no clone of the string).
    if let Some(a) =
        v.as_immutable_string_ref().ok().and_then(|s| Action::ALL.into_iter().find(|a| a.label() == s.as_str()))
    {
        return Ok(a);
    }
    let Ok(s) = v.clone().into_immutable_string() else {
        return Err(Diagnostic::error(format!("`action` must be a string such as \"継続\", found {}", kind_of(v)))
            .at(returned_at(script, "action", Some(v)))
            .note(program_note(p)));
    };
    Action::parse(&s).ok_or_else(|| {
        let labels: Vec<&str> = Action::ALL.iter().map(|a| a.label()).collect();
        let d = Diagnostic::error(format!("unknown action `{}`", crate::diagnostic::quote(&s)))
            .at(returned_at(script, "action", Some(v)))
            .note(program_note(p));
        match crate::diagnostic::suggestion(&s, labels.iter().copied()) {
            Some(l) => d.hint(format!("did you mean `{l}`?")),
            None => d.hint(format!("expected one of {}", labels.join(", "))),
        }
    })
}

pub(super) fn missing(script: &Script, what: &str, key: &str, example: &str, p: &Program) -> Diagnostic {
    Diagnostic::error(format!("the {what} returned no `{key}`"))
        .at(crate::rules::returned_key(script, key, None, true).unwrap_or_else(|| last_statement(script)))
        .note(program_note(p))
        .hint(format!("add `{example}` to the returned map"))
}

pub(super) fn reason_of(
    script: &Script,
    map: &Fields<'_>,
    what: &str,
    p: &Program,
) -> Result<ImmutableString, Diagnostic> {
    match map.get("reason") {
        None => Err(missing(script, what, "reason", "reason: \"…\"", p)),
        Some(v) => v.clone().into_immutable_string().map_err(|_| {
            Diagnostic::error(format!("`reason` must be a string, found {}", kind_of(v)))
                .at(returned_at(script, "reason", Some(v)))
                .note(program_note(p))
        }),
    }
}

pub(super) fn ratio_of(
    script: &Script,
    map: &Fields<'_>,
    key: &str,
    p: &Program,
) -> Result<Option<Decimal>, Diagnostic> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => match number(v) {
            Some(d) if d >= Decimal::ZERO => Ok(Some(d)),
            Some(d) => Err(Diagnostic::error(format!("`{key}` must not be negative, found {d}"))
                .at(returned_at(script, key, Some(v)))
                .note(program_note(p))),
            None => Err(Diagnostic::error(format!("`{key}` must be a number such as 0.9, found {}", kind_of(v)))
                .at(returned_at(script, key, Some(v)))
                .note(program_note(p))),
        },
    }
}

/// The entries of a returned map, by key: read once, every key checked against `allowed`.
pub(super) struct Fields<'a> {
    allowed: &'static [&'static str],
    values: [Option<&'a Dynamic>; 8],
}

impl<'a> Fields<'a> {
    fn of(
        script: &Script,
        map: &'a Map,
        allowed: &'static [&'static str],
        what: &str,
        p: &Program,
    ) -> Result<Fields<'a>, Diagnostic> {
        let mut values = [None; 8];
        for (k, v) in map {
            match allowed.iter().position(|a| *a == k.as_str()) {
                Some(i) => values[i] = Some(v),
                None => return Err(unknown_key(script, k, allowed, what, p)),
            }
        }
        Ok(Fields { allowed, values })
    }

    fn get(&self, key: &str) -> Option<&'a Dynamic> {
        self.allowed.iter().position(|a| *a == key).and_then(|i| self.values[i])
    }
}

pub(super) fn unknown_key(script: &Script, k: &str, allowed: &[&str], what: &str, p: &Program) -> Diagnostic {
    let d = Diagnostic::error(format!("the {what} returned an unknown key `{k}`"))
        .at(returned_at(script, k, None))
        .note(program_note(p));
    match crate::diagnostic::suggestion(k, allowed.iter().copied()) {
        Some(s) => d.hint(format!("did you mean `{s}`?")),
        None => d.hint(format!("expected {}", allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", "))),
    }
}

pub(super) const FINDING_KEYS: [&str; 5] = ["score", "action", "reason", "min_ratio", "max_ratio"];
pub(super) const ASSESSMENT_KEYS: [&str; 7] = ["action", "priority", "reason", "min_ratio", "max_ratio", "min", "max"];

pub(super) fn to_finding(
    ruleset: &Ruleset,
    id: &str,
    script: &Script,
    out: Dynamic,
    p: &Program,
) -> Result<(Finding, ImmutableString), Diagnostic> {
    let what = "viewpoint";
    let found = kind_of(&out);
    let Some(map) = out.try_cast::<Map>() else {
        return Err(Diagnostic::error(format!(
            "viewpoint `{id}` must return a map such as `#{{ score: 3, action: \"継続\", reason: \"…\" }}`, found {found}"
        ))
        .at(last_statement(script))
        .note(program_note(p)));
    };
    let map = Fields::of(script, &map, &FINDING_KEYS, what, p)?;
    let score = match map.get("score") {
        None => return Err(missing(script, what, "score", "score: 3", p)),
        Some(v) => number(v).ok_or_else(|| {
            Diagnostic::error(format!("`score` must be a number, found {}", kind_of(v)))
                .at(returned_at(script, "score", Some(v)))
                .note(program_note(p))
        })?,
    };
    let (lo, hi) = ruleset.score_range;
    if score < lo || score > hi {
        return Err(Diagnostic::error(format!("score {score} is outside the ruleset's scale {lo}–{hi}"))
            .at(returned_at(script, "score", map.get("score")))
            .note(program_note(p))
            .hint("the scale is `score_min` and `score_max` under `[ruleset]` in `ruleset.toml`"));
    }
    let action = action_of(script, &map, what, p)?;
    let reason = reason_of(script, &map, what, p)?;
    let min_ratio = ratio_of(script, &map, "min_ratio", p)?;
    let max_ratio = ratio_of(script, &map, "max_ratio", p)?;
    if let (Some(lo), Some(hi)) = (min_ratio, max_ratio) {
        if lo > hi {
            return Err(Diagnostic::error(format!("`min_ratio` {lo} is above `max_ratio` {hi}"))
                .at(returned_at(script, "min_ratio", map.get("min_ratio")))
                .note(program_note(p)));
        }
    }
    let finding = Finding { viewpoint: id.into(), score, action, reason: reason.as_str().into(), min_ratio, max_ratio };
    Ok((finding, reason))
}

/// The amount ratios are taken of: last year's cost, or the request for new programs and programs without one.
pub fn ratio_base(p: &Program) -> Money {
    if p.kind == ProgramKind::New || p.prior_cost.is_zero() { p.requested } else { p.prior_cost }
}

pub(super) fn money_of(script: &Script, map: &Fields<'_>, key: &str, p: &Program) -> Result<Option<Money>, Diagnostic> {
    match map.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => {
            let d = if let Ok(d) = v.as_decimal() {
                Some(d)
            } else if let Ok(i) = v.as_int() {
                Some(Decimal::from(i))
            } else {
                None
            };
            match d {
                Some(d) if d >= Decimal::ZERO => Ok(Some(Money::from_decimal(d))),
                Some(d) => Err(Diagnostic::error(format!("`{key}` must not be negative, found {d}"))
                    .at(returned_at(script, key, Some(v)))
                    .note(program_note(p))),
                None => Err(Diagnostic::error(format!(
                    "`{key}` must be money such as `oku(1.5)` or `program.requested`, found {}",
                    kind_of(v)
                ))
                .at(returned_at(script, key, Some(v)))
                .note(program_note(p))
                .hint(format!("for a share of the base, write `{key}_ratio: 0.9`"))),
            }
        }
    }
}

/// Turns the policy's map into bounds in whole yen.
///
/// The rules, in order: ratios are of [`ratio_base`]; `min`/`max` default to 0 and the
/// request; the city never funds more than requested, so `max` is capped at the request and
/// `min` at `max`; a mandatory program is fixed at its request; an all-or-nothing new
/// initiative gets `0..=requested` (or `0..=0` when the policy gives it nothing); the other
/// bounds go on the rounding grid ([`on_grid`]).
pub(super) fn to_assessment(script: &Script, out: Dynamic, p: &Program, unit: Unit) -> Result<Assessment, Diagnostic> {
    let what = "policy";
    let found = kind_of(&out);
    let Some(map) = out.try_cast::<Map>() else {
        return Err(Diagnostic::error(format!(
            "the policy must return a map such as `#{{ action: \"継続\", priority: 1.0, reason: \"…\" }}`, found {found}"
        ))
        .at(last_statement(script))
        .note(program_note(p)));
    };
    let map = Fields::of(script, &map, &ASSESSMENT_KEYS, what, p)?;
    let action = action_of(script, &map, what, p)?;
    let reason = reason_of(script, &map, what, p)?;
    let priority = match map.get("priority") {
        None => return Err(missing(script, what, "priority", "priority: 1.0", p)),
        Some(v) => match number(v) {
            Some(d) if d >= Decimal::ZERO => d,
            Some(d) => {
                return Err(Diagnostic::error(format!("`priority` must not be negative, found {d}"))
                    .at(returned_at(script, "priority", Some(v)))
                    .note(program_note(p)));
            }
            None => {
                return Err(Diagnostic::error(format!("`priority` must be a number, found {}", kind_of(v)))
                    .at(returned_at(script, "priority", Some(v)))
                    .note(program_note(p)));
            }
        },
    };
    let base = ratio_base(p);
    let bound = |money_key: &str, ratio_key: &str| -> Result<Option<Money>, Diagnostic> {
        let m = money_of(script, &map, money_key, p)?;
        let r = ratio_of(script, &map, ratio_key, p)?;
        match (m, r) {
            (Some(_), Some(_)) => {
                Err(Diagnostic::error(format!("the policy returned both `{money_key}` and `{ratio_key}`"))
                    .at(point_at(script, &format!("{ratio_key}:")))
                    .note(program_note(p))
                    .hint("give one of them"))
            }
            (Some(m), None) => Ok(Some(m)),
            (None, Some(r)) => Ok(Some(base.mul_ratio(r))),
            (None, None) => Ok(None),
        }
    };
    let min = bound("min", "min_ratio")?;
    let max = bound("max", "max_ratio")?;
    let (min, max) = if p.kind == ProgramKind::Mandatory {
        (p.requested, p.requested)
    } else if p.all_or_nothing {
        let nothing = max.is_some_and(|m| m.is_zero()) || matches!(action, Action::Abolish | Action::Complete);
        (Money::ZERO, if nothing { Money::ZERO } else { p.requested })
    } else {
        let max = max.unwrap_or(p.requested).min(p.requested);
        on_grid(min.unwrap_or(Money::ZERO).min(max), max, p, unit)
    };
    Ok(Assessment { action, priority, min, max, reason: reason.as_str().to_owned() })
}

/// The review's bounds on the scenario's rounding grid, so that every amount the allocation
/// chooses is a multiple of the unit unless the user wrote it: a bound that is 0, the request or
/// the prior-year budget stays as written; a computed minimum rounds up and a computed maximum
/// down (the bounds only narrow). When no multiple of the unit lies between them (a computed
/// amount pinned by equal ratios, or a range narrower than the unit), both become the multiple
/// nearest their middle, never above the request.
pub(crate) fn on_grid(min: Money, max: Money, p: &Program, unit: Unit) -> (Money, Money) {
    let written = |m: Money| m.is_zero() || m == p.requested || m == p.prior_cost;
    let lo = if written(min) { min } else { min.ceil_to(unit) };
    let hi = if written(max) { max } else { max.floor_to(unit) };
    if lo <= hi {
        return (lo, hi);
    }
    let middle = Money::from_decimal((min.as_decimal() + max.as_decimal()) / Decimal::TWO).round_to(unit);
    let pin = middle.min(p.requested).max(Money::ZERO);
    (pin, pin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_go_on_the_rounding_grid_unless_the_user_wrote_them() {
        let sc = crate::scenario::load(std::path::Path::new("scenarios/kumamoto-r8.toml")).unwrap();
        let mut p = sc.programs[1].clone();
        p.prior_cost = Money::yen(334_351_000);
        p.requested = Money::yen(312_922_000);
        let sen = Unit::Sen;
        // 50%–89% of the prior year: the minimum rounds up, the maximum down.
        let (lo, hi) = (Money::yen(167_175_500), Money::yen(297_572_390));
        assert_eq!(on_grid(lo, hi, &p, sen), (Money::yen(167_176_000), Money::yen(297_572_000)));
        // The request and the prior-year budget stay as written, even off the grid.
        p.requested = Money::yen(312_922_345);
        assert_eq!(on_grid(lo, p.requested, &p, sen), (Money::yen(167_176_000), p.requested));
        assert_eq!(on_grid(Money::ZERO, p.requested, &p, sen), (Money::ZERO, p.requested));
        // A computed amount pinned by equal ratios: the multiple nearest it.
        assert_eq!(on_grid(lo, lo, &p, sen), (Money::yen(167_176_000), Money::yen(167_176_000)));
        // No multiple between the two: the one nearest their middle, never above the request.
        let (a, b) = (Money::yen(5_100), Money::yen(5_900));
        assert_eq!(on_grid(a, b, &p, sen), (Money::yen(6_000), Money::yen(6_000)));
        p.requested = Money::yen(5_900);
        assert_eq!(on_grid(a, b, &p, sen), (Money::yen(5_900), Money::yen(5_900)));
        // On the yen grid nothing moves.
        assert_eq!(on_grid(lo, hi, &p, Unit::Yen), (lo, hi));
    }

    #[test]
    fn ratios_round_to_6_places_exactly_as_decimal_does() {
        let mut values =
            vec![0.0, -0.0, 0.9, -0.9, 1.0, 0.1, 0.0000005, 0.0000015, 0.0000025, -0.0000025, 4503599627370495.5];
        values.extend([
            f64::MIN_POSITIVE,
            1e-30,
            1e-7,
            5e-7,
            1e20,
            1e28,
            1e29,
            -1e29,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
        ]);
        let mut seed = 11u64;
        for i in 0..1_000_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let n = (seed >> 20) as f64;
            values.push(match i % 6 {
                0 => (r - 0.5) * 4.0,
                1 => ((r - 0.5) * 400.0).round() / 100.0,
                // Near-ties at the sixth place: k + ½ millionths, and their neighbours.
                2 => ((n % 10_000_000.0) + 0.5) / 1e6,
                3 => f64::from_bits((((n % 10_000_000.0) + 0.5) / 1e6).to_bits() + (seed & 3) - 1),
                4 => (r - 0.5) * 1e12,
                _ => f64::from_bits(seed),
            });
        }
        for f in values {
            // The same representation (scale and sign too), not only the same value.
            let (fast, general) = (float_to_6dp(f), float_to_6dp_by_decimal(f));
            assert_eq!(fast.map(|d| d.serialize()), general.map(|d| d.serialize()), "{f:e}");
        }
    }
}
