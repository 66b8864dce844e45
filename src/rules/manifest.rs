//! `ruleset.toml`: which viewpoint scripts run in which order, the policy script, and the parameters.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::files::RuleFiles;
use super::params::{ForPrograms, ParamUnit, ParamValue, Parameter, Parameters, Scalar, Scheduled, fiscal_year_of};
use super::tables::{Place, ScaleFile, TableFile, read_scale, read_table};
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::files::Refusal;
use crate::number::from_f64 as decimal_from_f64;
use crate::scenario::ProgramKind;

/// The manifest as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    ruleset: Option<InfoFile>,
    #[serde(default)]
    viewpoints: Vec<Spanned<ViewpointFile>>,
    policy: Option<Spanned<PolicyFile>>,
    #[serde(default)]
    parameters: BTreeMap<String, Spanned<ParameterFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfoFile {
    name: Option<String>,
    description: Option<String>,
    score_min: Option<Spanned<f64>>,
    score_max: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewpointFile {
    id: Spanned<String>,
    /// 視点 number in the reform plan (1–6).
    number: Option<Spanned<i64>>,
    name_ja: String,
    name_en: Option<String>,
    script: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    script: Spanned<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParameterFile {
    value: Option<Spanned<toml::Value>>,
    /// A bracket scale instead of one value.
    scale: Option<Spanned<ScaleFile>>,
    /// A decision table instead of one value (its outputs carry their units).
    table: Option<Spanned<TableFile>>,
    unit: Option<Spanned<String>>,
    description: String,
    #[serde(default)]
    effective: Vec<Spanned<EffectiveFile>>,
    /// Values for the programs of one bureau or one kind.
    #[serde(default)]
    overrides: Vec<Spanned<OverrideFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideFile {
    department: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    value: Option<Spanned<toml::Value>>,
    scale: Option<Spanned<ScaleFile>>,
    table: Option<Spanned<TableFile>>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EffectiveFile {
    from: Spanned<toml::Value>,
    value: Option<Spanned<toml::Value>>,
    scale: Option<Spanned<ScaleFile>>,
    table: Option<Spanned<TableFile>>,
    #[serde(default)]
    note: Option<String>,
}

/// One value of a parameter as written: a scalar, a scale or a decision table.
enum Written {
    Value(Spanned<toml::Value>),
    Scale(Spanned<ScaleFile>),
    Table(Spanned<TableFile>),
}

/// What a parameter's `value`, `scale` and `table` fields are, as written.
type WrittenFields = (Option<Spanned<toml::Value>>, Option<Spanned<ScaleFile>>, Option<Spanned<TableFile>>);

/// A later value of a parameter (`what`: a scheduled change, a bureau's or a kind's value): one of
/// `value`, `scale` and `table`, of the same kind as its first value, checked; with where it is
/// written (`at`: the entry, for a scale or a table).
fn another_value(
    (value, scale, table): WrittenFields,
    at: Location,
    what: &str,
    first: &ParamValue,
    unit: Option<ParamUnit>,
    place: &Place<'_>,
) -> Result<(ParamValue, Location), Vec<Diagnostic>> {
    let name = place.name;
    let written = Written::one_of(value, scale, table, at.clone(), name).map_err(|d| vec![d])?;
    if !written.same_kind_as(first) {
        return Err(vec![
            Diagnostic::error(format!("{what} of `{name}` must be of the same kind as its first value"))
                .at(at)
                .hint("a value goes with a `value`, a scale with a `scale`, a decision table with a `table`"),
        ]);
    }
    let at = match &written {
        Written::Value(v) => Location::new(place.source, v.span()),
        _ => at,
    };
    written.read(name, unit, place).map(|v| (v, at))
}

impl Written {
    /// Exactly one of `value`, `scale` and `table`; `span` is where to point when none is given.
    fn one_of(
        value: Option<Spanned<toml::Value>>,
        scale: Option<Spanned<ScaleFile>>,
        table: Option<Spanned<TableFile>>,
        at: Location,
        name: &str,
    ) -> Result<Written, Diagnostic> {
        match (value, scale, table) {
            (Some(v), None, None) => Ok(Written::Value(v)),
            (None, Some(s), None) => Ok(Written::Scale(s)),
            (None, None, Some(t)) => Ok(Written::Table(t)),
            (None, None, None) => Err(Diagnostic::error(format!("parameter `{name}` has no `value`"))
                .at(at)
                .hint("give it a `value`, a `scale = { input, brackets }` or a `table = { outputs, rows }`")),
            _ => {
                Err(Diagnostic::error(format!("parameter `{name}` has more than one of `value`, `scale` and `table`"))
                    .at(at)
                    .hint("a parameter is one value, one scale or one decision table; declare two parameters for two"))
            }
        }
    }

    /// Whether it is a value, a scale or a table as `value` is.
    fn same_kind_as(&self, value: &ParamValue) -> bool {
        matches!(
            (self, value),
            (Written::Value(_), ParamValue::Scalar(_))
                | (Written::Scale(_), ParamValue::Scale(_))
                | (Written::Table(_), ParamValue::Table(_))
        )
    }

    /// The value, checked against `unit` (none for a table).
    fn read(self, name: &str, unit: Option<ParamUnit>, place: &Place<'_>) -> Result<ParamValue, Vec<Diagnostic>> {
        let loc = |span| Location::new(place.source, span);
        match (self, unit) {
            (Written::Value(v), Some(unit)) => ParamValue::from_toml(unit, v.get_ref())
                .map_err(|found| vec![type_error(name, unit, &found, loc(v.span()))]),
            (Written::Scale(s), Some(unit)) => read_scale(s, unit, place).map(|s| ParamValue::Scale(Arc::new(s))),
            (Written::Table(t), _) => read_table(t, place).map(|t| ParamValue::Table(Arc::new(t))),
            // The missing unit is reported once, by the caller.
            (_, None) => Err(Vec::new()),
        }
    }
}

/// The six viewpoints of the reform plan (K-PLAN in docs/sources.md, 視点1–6), to say which one is missing.
pub const PLAN_VIEWPOINTS: [(i64, &str); 6] = [
    (1, "市民のニーズや社会経済情勢の変化への対応"),
    (2, "効率性・生産性、費用対効果"),
    (3, "他の政策との重複の有無"),
    (4, "実施水準及び対象範囲の妥当性"),
    (5, "DXの推進"),
    (6, "官と民の役割分担、公民連携"),
];

/// A viewpoint entry of the manifest, before its script is compiled.
#[derive(Debug, Clone)]
pub struct ViewpointEntry {
    pub id: String,
    pub number: Option<i64>,
    pub name_ja: String,
    pub name_en: String,
    pub script: PathBuf,
    pub location: Location,
}

/// The manifest, validated: paths resolved inside the rules folder, parameters typed.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub source: Arc<Source>,
    pub name: String,
    pub description: String,
    pub score_range: (Decimal, Decimal),
    pub viewpoints: Vec<ViewpointEntry>,
    pub policy: PathBuf,
    pub policy_description: String,
    pub policy_location: Location,
    pub parameters: Parameters,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates `dir/ruleset.toml`.
pub fn read(dir: &Path) -> Result<Manifest, Vec<Diagnostic>> {
    read_files(&RuleFiles::dir(dir))
}

/// Reads and validates the `ruleset.toml` of `files`.
pub fn read_files(files: &RuleFiles) -> Result<Manifest, Vec<Diagnostic>> {
    let dir = files.root();
    let path = dir.join("ruleset.toml");
    let text = match files.read(&path) {
        Ok(t) => t,
        Err(e) => {
            let shown = Source::display_path(&path);
            let mut d = Diagnostic::error(format!("cannot read the ruleset manifest `{shown}`: {e}"));
            if !files.exists() {
                d = d.hint(format!(
                    "the rules folder `{}` does not exist; name another with `--rules DIR` or `rules = \"…\"` in the scenario",
                    Source::display_path(dir)
                ));
            } else {
                d = d.hint("a rules folder holds `ruleset.toml`, `viewpoints/*.rhai` and `policies/*.rhai`; see rules/README.md");
            }
            return Err(vec![d]);
        }
    };
    let source = Source::new(Source::display_path(&path), Some(path.clone()), text);
    let file: ManifestFile = toml::from_str(&source.text).map_err(|e| vec![toml_error(&source, &e)])?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let loc = |span: std::ops::Range<usize>| Location::new(&source, span);

    let info = file.ruleset;
    let mut score_range = (Decimal::ONE, Decimal::from(5));
    if let Some(i) = &info {
        for (v, slot) in [(&i.score_min, &mut score_range.0), (&i.score_max, &mut score_range.1)] {
            if let Some(v) = v {
                match decimal_from_f64(*v.get_ref()) {
                    Some(d) => *slot = d,
                    None => errors.push(Diagnostic::error("the score bound must be a finite number").at(loc(v.span()))),
                }
            }
        }
        if score_range.0 >= score_range.1 {
            let span = i.score_max.as_ref().map_or(0..0, Spanned::span);
            errors.push(
                Diagnostic::error(format!(
                    "`score_min` ({}) must be below `score_max` ({})",
                    score_range.0, score_range.1
                ))
                .at(loc(span)),
            );
        }
    }

    let mut viewpoints: Vec<ViewpointEntry> = Vec::new();
    for v in file.viewpoints {
        let span = v.span();
        let v = v.into_inner();
        let id = v.id.get_ref().trim().to_string();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            errors.push(
                Diagnostic::error(format!("viewpoint id `{id}` must be letters, digits, `_` or `-`"))
                    .at(loc(v.id.span()))
                    .hint("the id names the viewpoint in JSON output and rule tests, e.g. `needs`"),
            );
        }
        if let Some(first) = viewpoints.iter().find(|w| w.id == id) {
            let (line, _) = source.line_col(first.location.span.start);
            errors.push(
                Diagnostic::error(format!("viewpoint `{id}` is listed twice"))
                    .at(loc(v.id.span()))
                    .note(format!("first listed on line {line}")),
            );
        }
        let number = match &v.number {
            Some(n) if !(1..=6).contains(n.get_ref()) => {
                errors.push(
                    Diagnostic::error(format!("viewpoint number {} is not one of the plan's 視点1–6", n.get_ref()))
                        .at(loc(n.span())),
                );
                None
            }
            Some(n) => {
                if let Some(w) = viewpoints.iter().find(|w| w.number == Some(*n.get_ref())) {
                    errors.push(
                        Diagnostic::error(format!("視点{} is already covered by viewpoint `{}`", n.get_ref(), w.id))
                            .at(loc(n.span())),
                    );
                }
                Some(*n.get_ref())
            }
            None => None,
        };
        match script_path(files, &v.script, &source) {
            Ok(script) => viewpoints.push(ViewpointEntry {
                id,
                number,
                name_ja: v.name_ja,
                name_en: v.name_en.unwrap_or_default(),
                script,
                location: loc(span),
            }),
            Err(d) => errors.push(d),
        }
    }
    if viewpoints.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error("the ruleset has no viewpoints")
                .at(loc(0..0))
                .hint("add one `[[viewpoints]]` entry per viewpoint: `id`, `number`, `name_ja`, `script`"),
        );
    }
    for (n, name) in PLAN_VIEWPOINTS {
        if !viewpoints.is_empty() && !viewpoints.iter().any(|v| v.number == Some(n)) {
            warnings.push(Diagnostic::warning(format!("no viewpoint covers 視点{n} ({name})")).at(loc(0..0)).hint(
                format!("add a `[[viewpoints]]` entry with `number = {n}`, or give an existing one that number"),
            ));
        }
    }

    let (policy, policy_location) = match &file.policy {
        Some(p) => match script_path(files, &p.get_ref().script, &source) {
            Ok(path) => (path, loc(p.get_ref().script.span())),
            Err(d) => {
                errors.push(d);
                (PathBuf::new(), loc(0..0))
            }
        },
        None => {
            errors.push(
                Diagnostic::error("the ruleset has no policy script")
                    .at(loc(0..0))
                    .hint("add `[policy]` with `script = \"policies/default.rhai\"`"),
            );
            (PathBuf::new(), loc(0..0))
        }
    };

    let mut parameters = Parameters::default();
    for (name, p) in file.parameters {
        let span = p.span();
        let p = p.into_inner();
        let key_loc = key_location(&source, &name, span.clone());
        if !is_identifier(&name) {
            errors.push(
                Diagnostic::error(format!("parameter name `{name}` cannot be written `params.{name}` in a script"))
                    .at(key_loc.clone())
                    .hint("use lowercase letters, digits and `_`, starting with a letter"),
            );
        }
        let place = Place { source: &source, name: &name };
        let written = match Written::one_of(p.value, p.scale, p.table, key_loc.clone(), &name) {
            Ok(w) => w,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        // A table's outputs carry their units; a value and a scale have one.
        let unit = match (&written, &p.unit) {
            (Written::Table(_), Some(u)) => {
                errors.push(
                    Diagnostic::error(format!("decision table `{name}` has a `unit`; its outputs carry theirs"))
                        .at(loc(u.span()))
                        .hint("remove `unit` and give each output its unit in `outputs = { … }`"),
                );
                continue;
            }
            (Written::Table(_), None) => None,
            (_, None) => {
                errors.push(Diagnostic::error(format!("parameter `{name}` has no `unit`")).at(key_loc.clone()).hint(
                    format!(
                        "add `unit = …`, one of {}",
                        ParamUnit::ALL.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                    ),
                ));
                continue;
            }
            (_, Some(u)) => match ParamUnit::parse(u.get_ref()) {
                Some(unit) => Some(unit),
                None => {
                    let expected = ParamUnit::ALL.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ");
                    let d = Diagnostic::error(format!("unknown unit `{}`", u.get_ref())).at(loc(u.span()));
                    errors.push(
                        match crate::diagnostic::suggestion(u.get_ref(), ParamUnit::ALL.iter().map(|u| u.name())) {
                            Some(s) => d.hint(format!("did you mean `{s}`?")),
                            None => d.hint(format!("expected one of {expected}")),
                        },
                    );
                    continue;
                }
            },
        };
        let value = match written.read(&name, unit, &place) {
            Ok(v) => v,
            Err(mut es) => {
                errors.append(&mut es);
                continue;
            }
        };
        let mut effective = Vec::new();
        for e in p.effective {
            let espan = e.span();
            let e = e.into_inner();
            let fy = match fiscal_year_of(e.from.get_ref()) {
                Ok(fy) => fy,
                Err(bad) => {
                    errors.push(Diagnostic::error(bad.message).at(loc(e.from.span())).hint(bad.hint));
                    continue;
                }
            };
            if let Some(last) = effective.last().map(|s: &Scheduled| s.from_fiscal_year) {
                if fy <= last {
                    errors.push(
                        Diagnostic::error(format!(
                            "the changes of `{name}` must be in order: FY{fy} comes after FY{last}"
                        ))
                        .at(loc(e.from.span())),
                    );
                }
            }
            match another_value((e.value, e.scale, e.table), loc(espan.clone()), "a change", &value, unit, &place) {
                Ok((value, at)) => effective.push(Scheduled { from_fiscal_year: fy, value, location: Some(at) }),
                Err(mut es) => errors.append(&mut es),
            }
            let _ = e.note;
        }
        let mut for_programs = Vec::new();
        for o in p.overrides {
            let ospan = o.span();
            let o = o.into_inner();
            let at = loc(ospan);
            let kind = match &o.kind {
                None => None,
                Some(k) => match ProgramKind::parse(k.get_ref()) {
                    Some(kind) => Some(kind),
                    None => {
                        let ids: Vec<&str> = ProgramKind::ALL.iter().map(|k| k.id()).collect();
                        let d = Diagnostic::error(format!("unknown program kind `{}`", k.get_ref())).at(loc(k.span()));
                        errors.push(match crate::diagnostic::suggestion(k.get_ref(), ids.iter().copied()) {
                            Some(s) => d.hint(format!("did you mean `{s}`?")),
                            None => {
                                d.hint(format!("a kind is one of {} (or 義務的, 裁量的, 投資的, 新規)", ids.join(", ")))
                            }
                        });
                        continue;
                    }
                },
            };
            if o.department.is_none() && kind.is_none() {
                errors.push(
                    Diagnostic::error(format!("an override of `{name}` says neither `department` nor `kind`"))
                        .at(at)
                        .hint("name the bureau (`department = \"kodomo_katei\"`), the kind (`kind = \"investment\"`), or both; the value for every program is `value`"),
                );
                continue;
            }
            match another_value((o.value, o.scale, o.table), at, "an override", &value, unit, &place) {
                Ok((v, at)) => for_programs.push(ForPrograms {
                    department_location: o.department.as_ref().map(|d| loc(d.span())),
                    department: o.department.map(|d| d.into_inner().trim().to_string()),
                    kind,
                    value: v,
                    note: o.note,
                    location: Some(at),
                }),
                Err(mut es) => errors.append(&mut es),
            }
        }
        parameters.list.insert(
            name.clone(),
            Parameter {
                name,
                // A decision table's outputs carry their units; as a whole it is none of them.
                unit: unit.unwrap_or(ParamUnit::Text),
                description: p.description,
                value,
                effective,
                location: Some(key_loc),
                overridden: None,
                for_programs,
            },
        );
    }

    plausible(&parameters, score_range, &mut errors, &mut warnings);
    if !errors.is_empty() {
        return Err(errors);
    }
    let (name, description) = match info {
        Some(i) => (i.name.unwrap_or_default(), i.description.unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    Ok(Manifest {
        source,
        name,
        description,
        score_range,
        viewpoints,
        policy,
        policy_description: file.policy.and_then(|p| p.into_inner().description).unwrap_or_default(),
        policy_location,
        parameters,
        warnings,
    })
}

/// Values a designer can write but hardly means: a score off the ruleset's scale (an error), a
/// ratio of 10 or more in size, i.e. a percentage written as a number (`-20` for −20%; a warning).
pub(crate) fn plausible(
    parameters: &Parameters,
    (lo, hi): (Decimal, Decimal),
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    for p in parameters.list.values() {
        let values = std::iter::once((&p.value, p.location.clone()))
            .chain(p.effective.iter().map(|e| (&e.value, e.location.clone())))
            .chain(p.for_programs.iter().map(|o| (&o.value, o.location.clone())));
        for (value, at) in values {
            let ParamValue::Scalar(Scalar::Number(n)) = value else { continue };
            match p.unit {
                ParamUnit::Score if *n < lo || *n > hi => errors.push(
                    Diagnostic::error(format!(
                        "score parameter `{}` is {n}, outside the ruleset's scale {lo}–{hi}",
                        p.name
                    ))
                    .at_opt(at)
                    .hint("a score lies on the scale of `score_min` and `score_max` under `[ruleset]`"),
                ),
                ParamUnit::Ratio if n.abs() >= Decimal::TEN => warnings.push(
                    Diagnostic::warning(format!(
                        "ratio parameter `{}` is {n}, i.e. {}%",
                        p.name,
                        n * Decimal::ONE_HUNDRED
                    ))
                    .at_opt(at)
                    .hint(format!("for {n}% write {} or \"{n}%\"", n / Decimal::ONE_HUNDRED)),
                ),
                _ => {}
            }
        }
    }
}

fn type_error(name: &str, unit: ParamUnit, found: &str, at: Location) -> Diagnostic {
    let example = match unit {
        ParamUnit::Ratio => "a number such as `0.9` or a percentage such as \"90%\"",
        ParamUnit::Score => "a number such as `3`",
        ParamUnit::Count => "a whole number such as `2`",
        ParamUnit::Yen => "an amount such as \"1.5億円\"",
        ParamUnit::Flag => "`true` or `false`",
        ParamUnit::Text => "a string in quotes",
    };
    Diagnostic::error(format!("parameter `{name}` has unit `{unit}` but its value is {found}"))
        .at(at)
        .hint(format!("write {example}, or change `unit`"))
}

/// A script path from the manifest: relative, inside the rules folder, existing.
fn script_path(files: &RuleFiles, value: &Spanned<String>, source: &Arc<Source>) -> Result<PathBuf, Diagnostic> {
    let dir = files.root();
    let rel = Path::new(value.get_ref());
    let at = Location::new(source, value.span());
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Diagnostic::error(format!("script `{}` must be a path inside the rules folder", value.get_ref()))
            .at(at)
            .hint("write it relative to `ruleset.toml`, without `..`, e.g. `viewpoints/needs.rhai`"));
    }
    // A script may be a link only to a file inside the rules folder.
    if let (RuleFiles::Dir(_), Err(Refusal::Outside(_))) =
        (files, crate::files::resolve(value.get_ref(), dir, &[dir], false))
    {
        let target = std::fs::read_link(dir.join(rel))
            .map_or_else(|_| "a file outside the rules folder".to_string(), |t| format!("`{}`", t.display()));
        return Err(Diagnostic::error(format!(
            "script `{}` is a link to a file outside the rules folder",
            value.get_ref()
        ))
        .at(at)
        .note(format!("it leads to {target}"))
        .hint("copy the script into the rules folder"));
    }
    let path = dir.join(rel);
    if !files.is_file(&path) {
        let parent = path.parent().unwrap_or(dir);
        let siblings: Vec<String> = files.file_names(parent).into_iter().filter(|n| n.ends_with(".rhai")).collect();
        let file = rel.file_name().and_then(|f| f.to_str()).unwrap_or("");
        let d = Diagnostic::error(format!("script `{}` not found", value.get_ref())).at(at);
        let d = match crate::diagnostic::suggestion(file, siblings.iter().map(String::as_str)) {
            Some(s) => d.hint(format!("did you mean `{}`?", rel.with_file_name(s).display())),
            None => d.hint(format!("paths are relative to `{}`", source.name)),
        };
        return Err(d);
    }
    Ok(path)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where a parameter's name is written: `[parameters.NAME]` or `NAME = { … }`, else its table.
fn key_location(source: &Arc<Source>, name: &str, fallback: std::ops::Range<usize>) -> Location {
    let text = &source.text;
    for pattern in [format!("[parameters.{name}]"), format!("[parameters.\"{name}\"]")] {
        if let Some(i) = text.find(&pattern) {
            let start = i + "[parameters.".len();
            return Location::new(source, start..start + pattern.len() - "[parameters.]".len());
        }
    }
    let before = &text[..fallback.start.min(text.len())];
    match before.rfind(name) {
        Some(i) => Location::new(source, i..i + name.len()),
        None => Location::new(source, fallback),
    }
}

/// A TOML syntax or shape error in the manifest, located.
pub(crate) fn toml_error(source: &Arc<Source>, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().lines().next().unwrap_or("invalid TOML").to_string();
    let mut d = Diagnostic::error(message.clone()).at(Location::new(source, e.span().unwrap_or(0..0)));
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((found, expected)) = rest.split_once("`, expected ") {
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            d = d.suggest(found, candidates.iter().copied());
            if d.hint.is_none() {
                d = d.hint(format!("expected {expected}"));
            }
        }
    }
    d
}
