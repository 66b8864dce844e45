//! Reading a scale or a decision table from `ruleset.toml` and checking it, each mistake located.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::{Bracket, Condition, Hit, Op, Row, Scale, Table, Test, Threshold};
use crate::diagnostic::{Diagnostic, Location, Source, suggestion};
use crate::money::Money;
use crate::rules::fields::{FieldDoc, FieldType, PROGRAM_FIELDS};
use crate::rules::units::{ParamUnit, Scalar};
use crate::scenario::{ProgramKind, Strategy};

// ── As written in ruleset.toml ────────────────────────────────────────────────────────────────

/// `scale = { input = "…", brackets = [ … ] }` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScaleFile {
    input: Spanned<String>,
    brackets: Vec<Spanned<BracketFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BracketFile {
    from: Option<Spanned<toml::Value>>,
    value: Spanned<toml::Value>,
}

/// `table = { hit = "first", outputs = { … }, rows = [ … ] }` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TableFile {
    hit: Option<Spanned<String>>,
    outputs: Spanned<BTreeMap<String, Spanned<String>>>,
    rows: Vec<Spanned<RowFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowFile {
    when: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    then: Spanned<BTreeMap<String, Spanned<toml::Value>>>,
}

// ── Reading and checking ──────────────────────────────────────────────────────────────────────

/// Where things are, while reading one parameter of `ruleset.toml`.
pub(crate) struct Place<'a> {
    pub source: &'a Arc<Source>,
    /// The parameter's name.
    pub name: &'a str,
}

impl Place<'_> {
    fn at(&self, span: Range<usize>) -> Location {
        Location::new(self.source, span)
    }

    /// Where `key = …` is written inside `span` (a table's or a row's), else the whole span.
    fn key(&self, span: Range<usize>, key: &str) -> Location {
        let text = &self.source.text;
        let within = text.get(span.clone()).unwrap_or("");
        let mut from = 0;
        while let Some(i) = within[from..].find(key) {
            let start = from + i;
            let before = within[..start].chars().next_back();
            let after = within[start + key.len()..].trim_start();
            let bounded = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '"'));
            if bounded && after.starts_with('=') {
                return self.at(span.start + start..span.start + start + key.len());
            }
            from = start + key.len();
        }
        self.at(span)
    }
}

fn field_of(name: &Spanned<String>, place: &Place<'_>, what: &str) -> Result<(u8, &'static FieldDoc), Diagnostic> {
    let found = name.get_ref().trim();
    match PROGRAM_FIELDS.iter().position(|f| f.name == found) {
        Some(i) => Ok((i as u8, &PROGRAM_FIELDS[i])),
        None => {
            let d = Diagnostic::error(format!("{what} `{found}` is not a program field")).at(place.at(name.span()));
            Err(match suggestion(found, PROGRAM_FIELDS.iter().map(|f| f.name)) {
                Some(s) => d.hint(format!("did you mean `{s}`?")),
                None => d.hint("`waku rules doc` lists the program fields"),
            })
        }
    }
}

/// A number written for a field of `field`'s unit: a ratio for a number field, an amount for money.
fn threshold(
    v: &Spanned<toml::Value>,
    text: Option<&str>,
    field: &FieldDoc,
    place: &Place<'_>,
) -> Result<Threshold, Diagnostic> {
    let at = place.at(v.span());
    let mismatch = |found: &str| {
        let (what, example) = match field.ty {
            FieldType::Money => ("money", "an amount such as \"1億円\" or \"500万円\""),
            _ => ("a number (unit `ratio`)", "a number such as `0.3` or a percentage such as \"30%\""),
        };
        Diagnostic::error(format!("`{}` is {what}, but {found} is compared with it", field.name))
            .at(at.clone())
            .hint(format!("write {example}"))
    };
    let text = text.or(v.get_ref().as_str());
    match (field.ty, text, v.get_ref()) {
        (FieldType::Money, Some(s), _) => {
            if !s.contains('円') {
                return Err(mismatch(&format!("`{}` (no 円)", s.trim())));
            }
            Money::parse(s).map(Threshold::Money).map_err(|e| mismatch(&format!("`{}` ({e})", s.trim())))
        }
        (FieldType::Money, None, toml::Value::Integer(i)) => Ok(Threshold::Money(Money::yen(*i))),
        (FieldType::Number, Some(s), _) => match crate::number::parse(s) {
            Some(d) => Ok(Threshold::Number(d)),
            None if Money::parse(s).is_ok() => Err(mismatch(&format!("the amount `{}`", s.trim()))),
            None => Err(mismatch(&format!("`{}`", s.trim()))),
        },
        (FieldType::Number, None, toml::Value::Integer(i)) => Ok(Threshold::Number(Decimal::from(*i))),
        (FieldType::Number, None, toml::Value::Float(f)) => {
            crate::number::from_f64(*f).map(Threshold::Number).ok_or_else(|| mismatch(&f.to_string()))
        }
        (_, _, other) => Err(mismatch(&describe(other))),
    }
}

fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the text \"{s}\""),
        toml::Value::Boolean(b) => format!("`{b}`"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
        other => format!("`{other}`"),
    }
}

/// Reads and checks `scale = { … }` of parameter `place.name`, whose values are of `unit`.
pub(crate) fn read_scale(
    file: Spanned<ScaleFile>,
    unit: ParamUnit,
    place: &Place<'_>,
) -> Result<Scale, Vec<Diagnostic>> {
    let span = file.span();
    let file = file.into_inner();
    let mut errors = Vec::new();
    let (input, field) = field_of(&file.input, place, "the scale's input").map_err(|d| vec![d])?;
    if !matches!(field.ty, FieldType::Number | FieldType::Money) {
        return Err(vec![
            Diagnostic::error(format!(
                "a scale needs a number or money as its input; `{}` is {}",
                field.name,
                field.ty.described()
            ))
            .at(place.at(file.input.span()))
            .hint("for conditions on text or true/false, declare a decision table (`table = { … }`)"),
        ]);
    }
    if file.brackets.is_empty() {
        return Err(vec![
            Diagnostic::error(format!("scale `{}` has no brackets", place.name))
                .at(place.at(span))
                .hint("write `brackets = [{ value = … }, { from = …, value = … }]`"),
        ]);
    }
    let mut brackets: Vec<Bracket> = Vec::new();
    let mut last: Option<Threshold> = None;
    for (i, b) in file.brackets.into_iter().enumerate() {
        let bspan = b.span();
        let b = b.into_inner();
        let from = match &b.from {
            None if i == 0 => None,
            None => {
                errors.push(
                    Diagnostic::error(format!(
                        "only the first bracket may leave out `from`; bracket {} has none",
                        i + 1
                    ))
                    .at(place.at(bspan.clone()))
                    .note("without `from` a bracket would cover the same values as the one before it")
                    .hint("write where this bracket starts: `{ from = …, value = … }`"),
                );
                continue;
            }
            Some(f) => match threshold(f, None, field, place) {
                Ok(t) => Some((t, f.span())),
                Err(d) => {
                    errors.push(d);
                    continue;
                }
            },
        };
        if let Some((t, fspan)) = &from {
            if i == 0 {
                // The first bracket must start at the least value the field can take.
                match field.range.0 {
                    Some(lo) if t.as_decimal() <= Decimal::from(lo) => {}
                    lo => {
                        let below = match lo {
                            Some(lo) => format!("from {lo} up to {t}"),
                            None => format!("below {t}"),
                        };
                        errors.push(
                            Diagnostic::error(format!("values of `{}` {below} have no bracket", field.name))
                                .at(place.at(fspan.clone()))
                                .note(format!("a program whose `{}` is {below} would get no value from `{}`", field.name, place.name))
                                .hint(match lo {
                                    Some(lo) => format!("leave out `from` in the first bracket, or start it at {lo}"),
                                    None => "leave out `from` in the first bracket: it then covers every value below the next".into(),
                                }),
                        );
                    }
                }
            }
            if let Some(prev) = &last {
                if t.as_decimal() <= prev.as_decimal() {
                    errors.push(
                        Diagnostic::error(format!(
                            "bracket {} starts at {t}, not above the bracket before it (from {prev})",
                            i + 1
                        ))
                        .at(place.at(fspan.clone()))
                        .note("brackets overlap unless each starts above the one before it")
                        .hint("list the brackets in rising order of `from`, each `from` once"),
                    );
                }
            }
            if let Some(hi) = field.range.1 {
                if t.as_decimal() > Decimal::from(hi) {
                    errors.push(
                        Diagnostic::error(format!(
                            "bracket {} starts at {t}, above any value of `{}` (at most {hi})",
                            i + 1,
                            field.name
                        ))
                        .at(place.at(fspan.clone()))
                        .hint("no program reaches this bracket; remove it or lower its `from`"),
                    );
                }
            }
            last = Some(t.clone());
        }
        match Scalar::from_toml(unit, b.value.get_ref()) {
            Ok(value) => brackets.push(Bracket { from: from.map(|(t, _)| t), value }),
            Err(found) => errors.push(value_error(place.name, unit, &found, place.at(b.value.span()))),
        }
    }
    if errors.is_empty() { Ok(Scale { name: place.name.to_string(), input, unit, brackets }) } else { Err(errors) }
}

fn value_error(name: &str, unit: ParamUnit, found: &str, at: Location) -> Diagnostic {
    Diagnostic::error(format!("`{name}` gives values of unit `{unit}`, but this value is {found}"))
        .at(at)
        .hint(format!("write {}", unit.example()))
}

/// The texts a text field can hold, when they are a known set.
fn known_texts(field: &str) -> Option<Vec<&'static str>> {
    match field {
        "kind" => Some(ProgramKind::ALL.iter().map(|k| k.id()).collect()),
        "kind_ja" => Some(ProgramKind::ALL.iter().map(|k| k.label()).collect()),
        "strategy" => Some(Strategy::ALL.iter().map(|k| k.id()).collect()),
        "strategy_ja" => Some(Strategy::ALL.iter().map(|k| k.label()).collect()),
        _ => None,
    }
}

fn condition(
    name: &str,
    v: &Spanned<toml::Value>,
    row_span: Range<usize>,
    place: &Place<'_>,
) -> Result<Condition, Diagnostic> {
    let key = Spanned::new(place.key(row_span, name).span, name.to_string());
    let (index, field) = field_of(&key, place, "the condition's field")?;
    let at = place.at(v.span());
    let test = match field.ty {
        FieldType::Number | FieldType::Money => {
            let (op, rest) = match v.get_ref() {
                toml::Value::String(s) => {
                    let s = s.trim();
                    let ops =
                        [(">=", Op::Ge), ("<=", Op::Le), ("==", Op::Eq), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)];
                    match ops.iter().find(|(p, _)| s.starts_with(p)) {
                        Some((p, op)) => (*op, Some(s[p.len()..].trim())),
                        None => (Op::Eq, Some(s)),
                    }
                }
                _ => (Op::Eq, None),
            };
            Test::Compare(op, threshold(v, rest, field, place)?)
        }
        FieldType::Text => {
            let texts: Vec<String> = match v.get_ref() {
                toml::Value::String(s) => vec![s.clone()],
                toml::Value::Array(a) if !a.is_empty() && a.iter().all(toml::Value::is_str) => {
                    a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
                }
                other => {
                    return Err(Diagnostic::error(format!(
                        "`{}` is text, but {} is compared with it",
                        field.name,
                        describe(other)
                    ))
                    .at(at)
                    .hint("write the text in quotes, or a list of texts: `[\"earning\", \"safety\"]`"));
                }
            };
            if let Some(known) = known_texts(field.name) {
                for t in &texts {
                    if !known.contains(&t.as_str()) {
                        let d = Diagnostic::error(format!("`{}` is never \"{t}\"", field.name)).at(at.clone()).note(
                            format!(
                                "it is one of {}",
                                known.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
                            ),
                        );
                        return Err(match suggestion(t, known.iter().copied()) {
                            Some(s) => d.hint(format!("did you mean \"{s}\"?")),
                            None => d,
                        });
                    }
                }
            }
            Test::OneOf(texts)
        }
        FieldType::Flag => match v.get_ref() {
            toml::Value::Boolean(b) => Test::Flag(*b),
            other => {
                return Err(Diagnostic::error(format!(
                    "`{}` is true/false, but {} is compared with it",
                    field.name,
                    describe(other)
                ))
                .at(at)
                .hint("write `true` or `false`"));
            }
        },
        FieldType::Kpi => {
            return Err(Diagnostic::error("a decision table cannot test `kpi`").at(place.at(key.span())).hint(
                "read the KPI in the script (`program.kpi.achievement`) and pass it to a scale: `params.NAME.at(x)`",
            ));
        }
    };
    Ok(Condition { field: index, test })
}

/// Reads and checks `table = { … }` of parameter `place.name`.
pub(crate) fn read_table(file: Spanned<TableFile>, place: &Place<'_>) -> Result<Table, Vec<Diagnostic>> {
    let span = file.span();
    let file = file.into_inner();
    let mut errors = Vec::new();
    let hit = match file.hit.as_ref().map(|h| h.get_ref().trim()) {
        None | Some("first") => Hit::First,
        Some("collect") => Hit::Collect,
        Some(other) => {
            let h = file.hit.as_ref().map_or(span.clone(), Spanned::span);
            let d = Diagnostic::error(format!("unknown hit policy `{other}`"))
                .at(place.at(h))
                .note("\"first\": the first row that matches; \"collect\": every row that matches, as a list");
            errors.push(match suggestion(other, ["first", "collect"]) {
                Some(s) => d.hint(format!("did you mean \"{s}\"?")),
                None => d.hint("write `hit = \"first\"` or `hit = \"collect\"`"),
            });
            Hit::First
        }
    };
    let outputs_span = file.outputs.span();
    let mut outputs = Vec::new();
    for (name, unit) in file.outputs.into_inner() {
        match ParamUnit::parse(unit.get_ref()) {
            Some(u) => outputs.push((name, u)),
            None => {
                let d = Diagnostic::error(format!("unknown unit `{}` for output `{name}`", unit.get_ref()))
                    .at(place.at(unit.span()));
                errors.push(match suggestion(unit.get_ref(), ParamUnit::ALL.iter().map(|u| u.name())) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint(format!(
                        "expected one of {}",
                        ParamUnit::ALL.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                    )),
                });
            }
        }
    }
    if outputs.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error(format!("decision table `{}` declares no outputs", place.name))
                .at(place.at(outputs_span))
                .hint("name each output with its unit: `outputs = { action = \"text\", score = \"score\" }`"),
        );
    }
    if file.rows.is_empty() {
        errors
            .push(Diagnostic::error(format!("decision table `{}` has no rows", place.name)).at(place.at(span.clone())));
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut row_spans: Vec<Range<usize>> = Vec::new();
    let count = file.rows.len();
    for (i, r) in file.rows.into_iter().enumerate() {
        let rspan = r.span();
        let r = r.into_inner();
        let mut when = Vec::new();
        if let Some(w) = &r.when {
            for (name, v) in w.get_ref() {
                match condition(name, v, w.span(), place) {
                    Ok(c) => when.push(c),
                    Err(d) => errors.push(d),
                }
            }
        }
        let tspan = r.then.span();
        let mut then = Vec::new();
        for (name, v) in r.then.into_inner() {
            let Some((_, unit)) = outputs.iter().find(|(n, _)| *n == name) else {
                let d = Diagnostic::error(format!(
                    "row {} sets `{name}`, which is not an output of `{}`",
                    i + 1,
                    place.name
                ))
                .at(place.key(tspan.clone(), &name));
                let names: Vec<&str> = outputs.iter().map(|(n, _)| n.as_str()).collect();
                errors.push(match suggestion(&name, names.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint(format!("declare it in `outputs`, with its unit: `{name} = \"ratio\"`")),
                });
                continue;
            };
            match Scalar::from_toml(*unit, v.get_ref()) {
                Ok(value) => then.push((name, value)),
                Err(found) => errors.push(
                    Diagnostic::error(format!("output `{name}` has unit `{unit}`, but this value is {found}"))
                        .at(place.at(v.span()))
                        .hint(format!("write {}", unit.example())),
                ),
            }
        }
        if hit == Hit::First {
            if when.is_empty() && i + 1 < count && r.when.as_ref().is_none_or(|w| w.get_ref().is_empty()) {
                errors.push(
                    Diagnostic::error(format!("row {} has no conditions, so the rows after it are never used", i + 1))
                        .at(place.at(rspan.clone()))
                        .note("with `hit = \"first\"`, the first row that matches decides, and a row without `when` matches every program")
                        .hint("move it to the end: the last row is the default"),
                );
            }
            if let Some(j) = rows.iter().position(|earlier| !when.is_empty() && earlier.when == when) {
                errors.push(
                    Diagnostic::error(format!(
                        "row {} has the same conditions as row {}, so it is never used",
                        i + 1,
                        j + 1
                    ))
                    .at(place.at(rspan.clone()))
                    .note(format!("row {} is at {}", j + 1, place.source.place(row_spans[j].start)))
                    .hint("change its conditions, or remove it"),
                );
            }
        }
        rows.push(Row { when, then });
        row_spans.push(rspan);
    }
    if hit == Hit::First {
        if let (Some(last), Some(lspan)) = (rows.last(), row_spans.last()) {
            // (A catch-all row elsewhere is reported above, as it is the mistake.)
            if !last.when.is_empty() && rows.iter().all(|r| !r.when.is_empty()) {
                errors.push(
                    Diagnostic::error(format!("decision table `{}` has no default row", place.name))
                        .at(place.at(lspan.clone()))
                        .note("a program that matches no row would get nothing from the table")
                        .hint(
                            "end the rows with one without `when`: `{ then = { … } }`, what every other program gets",
                        ),
                );
            }
        }
    }
    if errors.is_empty() { Ok(Table { name: place.name.to_string(), hit, outputs, rows }) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use rhai::{Array, Dynamic, Map};

    use super::*;

    fn place_in(text: &str) -> Arc<Source> {
        Source::new("ruleset.toml", None, text.to_string())
    }

    fn scale(text: &str) -> Result<Scale, Vec<Diagnostic>> {
        #[derive(Deserialize)]
        struct P {
            scale: Spanned<ScaleFile>,
        }
        let source = place_in(text);
        let p: P = toml::from_str(text).unwrap();
        read_scale(p.scale, ParamUnit::Score, &Place { source: &source, name: "s" })
    }

    fn table(text: &str) -> Result<Table, Vec<Diagnostic>> {
        #[derive(Deserialize)]
        struct P {
            table: Spanned<TableFile>,
        }
        let source = place_in(text);
        let p: P = toml::from_str(text).unwrap();
        read_table(p.table, &Place { source: &source, name: "t" })
    }

    fn field(name: &str) -> u8 {
        PROGRAM_FIELDS.iter().position(|f| f.name == name).unwrap() as u8
    }

    /// A bracket holds from its `from` on, compared as a script's `>=` compares (within Rhai's epsilon).
    #[test]
    fn a_scale_gives_the_bracket_a_value_falls_in() {
        let s = scale(r#"scale = { input = "digital_share", brackets = [{ value = 2 }, { from = 0.3, value = 3 }, { from = 0.7, value = 4 }] }"#).unwrap();
        let at = |x: f64| s.at(&Dynamic::from_float(x)).unwrap().as_float().unwrap();
        assert_eq!(
            [at(0.0), at(0.29), at(0.3), at(0.1 + 0.2), at(0.69), at(0.7), at(1.0)],
            [2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0]
        );
        assert!(s.at(&Dynamic::UNIT).unwrap().is_unit(), "no data, no value");
        let e = s.at(&Dynamic::from("x")).unwrap_err();
        assert!(e.contains("scale `s` is on `digital_share` (a number)"), "{e}");
    }

    #[test]
    fn a_scale_on_money_compares_exact_yen() {
        let s = scale(r#"scale = { input = "requested", brackets = [{ value = 1 }, { from = "1億円", value = 2 }] }"#)
            .unwrap();
        let at = |yen: i64| s.at(&Dynamic::from_decimal(Decimal::from(yen))).unwrap().as_float().unwrap();
        assert_eq!([at(99_999_999), at(100_000_000)], [1.0, 2.0]);
    }

    #[test]
    fn a_scale_on_text_or_an_unknown_field_is_refused_with_its_place() {
        let e = scale(r#"scale = { input = "kind", brackets = [{ value = 2 }] }"#).unwrap_err();
        assert!(e[0].message.contains("`kind` is a text"), "{}", e[0].message);
        let e = scale(r#"scale = { input = "digital_shar", brackets = [{ value = 2 }] }"#).unwrap_err();
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `digital_share`?"));
        let e = scale(r#"scale = { input = "growth", brackets = [{ from = 0, value = 2 }] }"#).unwrap_err();
        assert!(e[0].message.contains("values of `growth` from -1 up to 0 have no bracket"), "{}", e[0].message);
        let e = scale(r#"scale = { input = "digital_share", brackets = [{ value = 2 }, { from = 1.5, value = 3 }] }"#)
            .unwrap_err();
        assert!(e[0].message.contains("above any value of `digital_share`"), "{}", e[0].message);
    }

    #[test]
    fn first_hit_takes_the_first_matching_row_and_collect_every_one() {
        let text = |hit: &str| {
            format!(
                r#"table = {{ hit = "{hit}", outputs = {{ action = "text", max_ratio = "ratio" }}, rows = [
                    {{ when = {{ service_level = ">= 1.3" }}, then = {{ action = "縮小", max_ratio = 0.9 }} }},
                    {{ when = {{ service_level = "<= 0.8", strategy = ["safety", "earning"] }}, then = {{ action = "拡充" }} }},
                    {{ then = {{ action = "継続" }} }},
                ] }}"#
            )
        };
        let first = table(&text("first")).unwrap();
        let program = |level: Dynamic, strategy: &str| {
            let strategy: Dynamic = if strategy.is_empty() { Dynamic::UNIT } else { strategy.into() };
            move |i: u8| {
                if i == field("service_level") {
                    level.clone()
                } else if i == field("strategy") {
                    strategy.clone()
                } else {
                    Dynamic::UNIT
                }
            }
        };
        let action = |d: Dynamic| d.cast::<Map>()["action"].clone().into_string().unwrap();
        assert_eq!(action(first.decide(program(Dynamic::from_float(1.3), ""))), "縮小");
        assert_eq!(action(first.decide(program(Dynamic::from_float(0.8), "safety"))), "拡充");
        assert_eq!(action(first.decide(program(Dynamic::from_float(0.8), ""))), "継続", "() is no strategy");
        assert_eq!(action(first.decide(program(Dynamic::UNIT, "safety"))), "継続", "no data passes no test");
        // Every declared output is there; one a row does not set is ().
        let m = first.decide(program(Dynamic::from_float(1.0), "")).cast::<Map>();
        assert!(m["max_ratio"].is_unit());
        let collect = table(&text("collect")).unwrap();
        let all = collect.decide(program(Dynamic::from_float(0.5), "earning")).cast::<Array>();
        assert_eq!(all.into_iter().map(action).collect::<Vec<_>>(), ["拡充", "継続"]);
    }

    #[test]
    fn a_table_checks_its_outputs_and_conditions() {
        let e =
            table(r#"table = { outputs = { action = "text" }, rows = [{ then = { acton = "継続" } }] }"#).unwrap_err();
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `action`?"));
        let e =
            table(r#"table = { outputs = { score = "score" }, rows = [{ then = { score = "高い" } }] }"#).unwrap_err();
        assert!(e[0].message.starts_with("output `score` has unit `score`"), "{}", e[0].message);
        let e = table(r#"table = { outputs = { a = "text" }, rows = [{ when = { requested = ">= 0.5" }, then = { a = "x" } }, { then = { a = "y" } }] }"#).unwrap_err();
        assert!(e[0].message.contains("`requested` is money"), "{}", e[0].message);
        let e = table(r#"table = { hit = "frist", outputs = { a = "text" }, rows = [{ then = { a = "y" } }] }"#)
            .unwrap_err();
        assert_eq!(e[0].hint.as_deref(), Some("did you mean \"first\"?"));
        let e = table(r#"table = { outputs = { a = "text" }, rows = [{ when = { outsourced = true }, then = { a = "x" } }, { when = { outsourced = true }, then = { a = "z" } }, { then = { a = "y" } }] }"#).unwrap_err();
        assert!(e[0].message.contains("row 2 has the same conditions as row 1"), "{}", e[0].message);
    }
}
