//! Loading: read the `extends` chain, overlay it, add the inventory and `--set` overrides, validate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;

use super::encoding::{self, TextEncoding};
use super::file::{ClusterFile, DepartmentFile, Number, Overlay, ProgramFile, ScenarioFile, merge_by_id};
use super::inventory;
use super::located::{Located, with_source};
use super::names::{Kind, Lookup, Names};
use super::overrides::{self, Override};
use super::{
    Attributes, Bonds, Cluster, Department, Fund, FundDraw, Kpi, KpiDirection, Policy, Program, ProgramKind, Revenue,
    Scenario, Strategy,
};
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::files::{Kind as FileKind, ReadError, Refusal};
use crate::money::{Money, Unit};
use crate::{Error, Result};

/// How deep `extends` may nest.
const MAX_EXTENDS_DEPTH: usize = 16;

/// Options for [`load_with`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `KEY=VALUE` overrides, applied last.
    pub set: Vec<String>,
    /// A rules folder that replaces the scenario's.
    pub rules_dir: Option<PathBuf>,
    /// Allow `extends`, inventory and cluster paths outside the scenario's folder tree.
    pub allow_outside_paths: bool,
}

/// Loads and validates a scenario with default options.
pub fn load(path: &Path) -> Result<Scenario> {
    load_with(path, &LoadOptions::default())
}

/// The JSON Schema of the scenario file format.
pub fn schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ScenarioFile);
    serde_json::to_value(schema).unwrap_or_default()
}

/// Loads a scenario, following `extends`, reading its inventory, applying `--set`, and validating.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Scenario> {
    load_from(path, None, options)
}

/// Loads and validates a scenario given as text (a web form, a notebook, a test), as
/// [`load_with`] loads a file. `name` is the path the text stands for: it names the scenario in
/// error locations, and the paths the text writes (`extends`, `inventory`, `cluster_file`,
/// `rules`) are relative to its folder and, unless `allow_outside_paths`, stay inside it.
///
/// ```
/// # fn main() -> waku::Result<()> {
/// let text = r#"
/// city = "みほん市"
/// fiscal_year = 2026
/// [revenue]
/// general_revenue = "100億円"
/// [bonds]
/// issuance_cap = "10億円"
/// [policy]
/// investment_cap = "20億円"
/// [[departments]]
/// id = "somu"
/// name = "総務局"
/// [[programs]]
/// id = "S01"
/// name = "庁舎管理"
/// department = "somu"
/// kind = "mandatory"
/// prior_cost = "30億円"
/// requested = "30億円"
/// "#;
/// let scenario = waku::scenario::load_str("what-if.toml", text, &Default::default())?;
/// assert_eq!(scenario.programs.len(), 1);
/// # Ok(())
/// # }
/// ```
pub fn load_str(name: &str, text: &str, options: &LoadOptions) -> Result<Scenario> {
    let path = Path::new(name);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = Source::new(name, Some(path.to_path_buf()), text);
    load_from(path, Some(source), options)
}

/// [`load_with`], the top file's text already read when `given`.
fn load_from(path: &Path, given: Option<Arc<Source>>, options: &LoadOptions) -> Result<Scenario> {
    let root_dir = parent_dir(path);
    let mut chain = Vec::new();
    read_chain(path, given, None, &root_dir, options, &mut chain)?;
    // Base first, the named scenario last.
    chain.reverse();
    let top_source = Arc::clone(&chain[chain.len() - 1].1);
    let mut merged = ScenarioFile::default();
    for (file, _) in chain {
        merged.overlay(file);
    }

    // The inventory is the base of the program list; inline programs overlay it by id.
    let mut programs = None;
    let csv_encoding = merged.csv_encoding.as_ref().map_or(TextEncoding::Auto, |e| e.value);
    if let Some(inv) = &merged.inventory {
        let path = resolve(inv, &root_dir, options, "inventory")?;
        let source = if inventory::is_workbook(&path) {
            let shown = Source::display_path(&path);
            inventory::read_sheet(&path, &shown, merged.inventory_sheet.as_ref(), Some(inv)).map_err(Error::Input)?
        } else {
            read_source(&path, Some(inv), FileKind::Inventory, Some(csv_encoding))?
        };
        programs = Some(inventory::read_programs(&source).map_err(Error::Input)?);
    }
    let inline = merged.programs.take();
    merge_by_id(&mut programs, inline, |p| p.id.as_ref().map(|i| i.value.clone()));
    merged.programs = programs;
    if let Some(cf) = &merged.cluster_file {
        let path = resolve(cf, &root_dir, options, "cluster_file")?;
        let source = read_source(&path, Some(cf), FileKind::Clusters, Some(csv_encoding))?;
        let mut clusters = Some(inventory::read_clusters(&source).map_err(Error::Input)?);
        merge_by_id(&mut clusters, merged.clusters.take(), |c| c.id.as_ref().map(|i| i.value.to_string()));
        merged.clusters = clusters;
    }

    // A stage's 復活要求 files, each through the path resolver like every path a scenario names.
    for layer in &mut merged.layers {
        let files = layer.stage.as_ref().and_then(|s| s.value.restorations.clone()).unwrap_or_default();
        for f in &files {
            let path = resolve(f, &root_dir, options, "restorations")?;
            let source = read_source(&path, Some(f), FileKind::Scenario, None)?;
            let file = with_source(&source, || toml::from_str::<super::stage::RestorationsFile>(&source.text))
                .map_err(|e| Error::input(toml_diagnostic(&source, &e)))?;
            layer.restorations.extend(file.restorations.unwrap_or_default());
        }
    }

    let mut applied = Vec::with_capacity(options.set.len());
    for (i, arg) in options.set.iter().enumerate() {
        let mut overlay = parse_set(arg, i, &merged)?;
        check_set_ids(&merged, &mut overlay)?;
        let parts: Vec<&str> = arg.split_once('=').map_or("", |(k, _)| k).trim().split('.').collect();
        let before = overrides::current(&merged, &parts).and_then(|(_, v)| v);
        merged.overlay(overlay);
        let after = overrides::current(&merged, &parts).and_then(|(_, v)| v);
        applied.push(Override { set: arg.trim().to_string(), before, after });
    }

    let mut scenario = validate(merged, path, &top_source, &root_dir, options)?;
    scenario.overrides = applied;
    Ok(scenario)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads a file as text (only a regular file, within `kind`'s size cap): a CSV file (`csv`: the
/// scenario's `csv_encoding`) in the encodings of [`encoding`], anything else (TOML) as UTF-8.
fn read_source(
    path: &Path,
    from: Option<&Located<String>>,
    kind: FileKind,
    csv: Option<TextEncoding>,
) -> Result<Arc<Source>> {
    let shown = Source::display_path(path);
    let bytes = crate::files::read(path, kind).map_err(|e| {
        let d = Diagnostic::error(format!("cannot read `{shown}`: {}", e.describe(kind)))
            .at_opt(from.and_then(|f| f.location.clone()));
        match e {
            ReadError::TooLarge { .. } => {
                Error::input(d.hint("split the file, or check that the path names the file you meant"))
            }
            ReadError::NotRegular(_) => {
                Error::input(d.hint("name a regular file (a device, a FIFO or a socket is never read)"))
            }
            ReadError::NotFound | ReadError::Folder => {
                Error::input(d.hint("paths in a scenario are relative to the scenario file"))
            }
            // The file is there but cannot be read (permissions, a disk error): not the input's fault.
            ReadError::Io(_) => Error::Io(Box::new(d.hint("check the file's permissions and the disk"))),
        }
    })?;
    let at = from.and_then(|f| f.location.as_ref());
    let text = match csv {
        Some(declared) => encoding::decode_csv(bytes, declared, &shown, at).map(|(text, _)| text),
        None => encoding::decode_utf8(bytes, &shown, at),
    }
    .map_err(Error::input)?;
    Ok(Source::new(shown, Some(path.to_path_buf()), text))
}

/// Whether the file at `path` has a `[plan]` section, i.e. is a multi-year plan. A file that cannot
/// be read or parsed is not a plan; the single-year loader then reports what is wrong with it.
pub fn is_plan(path: &Path) -> bool {
    crate::files::read(path, FileKind::Scenario)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|t| is_plan_text(&t))
}

/// Whether the scenario text has a `[plan]` section (see [`is_plan`]).
pub fn is_plan_text(text: &str) -> bool {
    toml::from_str::<toml::Table>(text.trim_start_matches('\u{feff}')).is_ok_and(|t| t.contains_key("plan"))
}

/// Reads a plan file as written (values keep their places) and its source; `given` holds its
/// text when it did not come from a file.
pub(crate) fn read_plan_file(path: &Path, given: Option<Arc<Source>>) -> Result<(ScenarioFile, Arc<Source>)> {
    let source = match given {
        Some(s) => s,
        None => read_source(path, None, FileKind::Scenario, None)?,
    };
    let file = parse_file(&source)?;
    Ok((file, source))
}

/// Resolves a path written in a scenario or plan, relative to the file that wrote it.
pub(crate) fn resolve_path(
    value: &Located<String>,
    root_dir: &Path,
    options: &LoadOptions,
    key: &str,
) -> Result<PathBuf> {
    resolve(value, root_dir, options, key)
}

/// Resolves a path written in a scenario, relative to the file that wrote it, confined to the
/// scenario's folder (see [`crate::files::resolve`]).
fn resolve(value: &Located<String>, root_dir: &Path, options: &LoadOptions, key: &str) -> Result<PathBuf> {
    resolve_within(value, &[root_dir], "the scenario's folder", options, key)
}

/// [`resolve`] with the folders the file may be in (`within` names them in the message).
fn resolve_within(
    value: &Located<String>,
    roots: &[&Path],
    within: &str,
    options: &LoadOptions,
    key: &str,
) -> Result<PathBuf> {
    let base = value
        .location
        .as_ref()
        .and_then(|l| l.source.path.as_deref())
        .map_or_else(|| roots.first().map_or_else(|| PathBuf::from("."), |r| r.to_path_buf()), parent_dir);
    crate::files::resolve(&value.value, &base, roots, options.allow_outside_paths).map_err(|Refusal::Outside(real)| {
        let written = crate::files::lexical(&base.join(&value.value));
        let mut d =
            Diagnostic::error(format!("`{key}` path `{}` is outside {within}", crate::diagnostic::quote(&value.value)))
                .at_opt(value.location.clone());
        if real != written {
            // The link as written (the same on every machine), else only that one leads out.
            d = d.note(match std::fs::read_link(base.join(&value.value)) {
                Ok(target) => format!("it is a link to `{}`", crate::diagnostic::quote(&target.display().to_string())),
                Err(_) => "it leads there through a link".to_string(),
            });
        }
        Error::input(d.hint("move the file beside the scenario, or pass `--allow-outside-paths` if you trust it"))
    })
}

/// `scenarios/../rules` → `rules`: a path as short as the user would write it.
fn tidy(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok().and_then(|c| normalise(&c));
    match (normalise(path), cwd) {
        (Some(p), Some(c)) => p.strip_prefix(&c).map(Path::to_path_buf).unwrap_or(p),
        (Some(p), None) => p,
        _ => path.to_path_buf(),
    }
}

/// Lexically normalises a path against the current directory (see [`crate::files::lexical`]).
fn normalise(path: &Path) -> Option<PathBuf> {
    Some(crate::files::lexical(path))
}

fn read_chain(
    path: &Path,
    given: Option<Arc<Source>>,
    from: Option<&Located<String>>,
    root_dir: &Path,
    options: &LoadOptions,
    chain: &mut Vec<(ScenarioFile, Arc<Source>)>,
) -> Result<()> {
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(Error::input(
            Diagnostic::error(format!("`extends` chain is deeper than {MAX_EXTENDS_DEPTH} files"))
                .at_opt(from.and_then(|f| f.location.clone()))
                .hint("overlay a scenario that is itself a base, not a long chain of overlays"),
        ));
    }
    let canonical = std::fs::canonicalize(path).ok();
    if let Some(c) = &canonical {
        let seen: Vec<_> =
            chain.iter().filter_map(|(_, s)| s.path.as_ref().and_then(|p| std::fs::canonicalize(p).ok())).collect();
        if seen.contains(c) {
            let mut names: Vec<String> = chain.iter().map(|(_, s)| s.name.clone()).collect();
            names.push(Source::display_path(path));
            return Err(Error::input(
                Diagnostic::error(format!("`extends` cycle: {}", names.join(" → ")))
                    .at_opt(from.and_then(|f| f.location.clone()))
                    .hint("a scenario may not extend itself, directly or through others"),
            ));
        }
    }
    let source = match given {
        Some(s) => s,
        None => read_source(path, from, FileKind::Scenario, None)?,
    };
    if source.text.trim().is_empty() {
        return Err(Error::input(
            Diagnostic::error(format!("the scenario `{}` is empty", source.name))
                .at(Location::new(&source, 0..0))
                .hint("start from a bundled scenario such as `scenarios/kitakyushu-r8.toml`; `waku schema` lists every key"),
        ));
    }
    let file = parse_file(&source)?;
    duplicates_within(&file)?;
    let extends = file.extends.clone();
    chain.push((file, source));
    if let Some(ext) = extends {
        let next = resolve(&ext, root_dir, options, "extends")?;
        read_chain(&next, None, Some(&ext), root_dir, options, chain)?;
    }
    Ok(())
}

/// Within one file, two entries with the same id are a mistake (across files they overlay).
fn duplicates_within(file: &ScenarioFile) -> Result<()> {
    type Keyed = Option<(String, Option<Location>)>;
    fn check<T>(what: &str, list: &Option<Vec<Located<T>>>, id: impl Fn(&T) -> Keyed) -> Vec<Diagnostic> {
        let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
        let mut out = Vec::new();
        for (key, loc) in list.iter().flatten().filter_map(|e| id(&e.value)) {
            match seen.get(&key) {
                Some(first) => {
                    let mut d = Diagnostic::error(format!("duplicate {what} id `{key}`")).at_opt(loc);
                    if let Some(l) = first {
                        let (line, col) = l.source.line_col(l.span.start);
                        d = d.note(format!("first defined at {}:{line}:{col}", l.source.name));
                    }
                    out.push(d.hint(format!("each {what} needs its own id; to change an entry, edit the first one")));
                }
                None => {
                    seen.insert(key, loc);
                }
            }
        }
        out
    }
    let mut errors =
        check("department", &file.departments, |d| d.id.as_ref().map(|i| (i.value.clone(), i.location.clone())));
    errors
        .extend(check("cluster", &file.clusters, |c| c.id.as_ref().map(|i| (i.value.to_string(), i.location.clone()))));
    errors.extend(check("program", &file.programs, |p| p.id.as_ref().map(|i| (i.value.clone(), i.location.clone()))));
    if errors.is_empty() { Ok(()) } else { Err(Error::Input(errors)) }
}

fn parse_file(source: &Arc<Source>) -> Result<ScenarioFile> {
    with_source(source, || toml::from_str::<ScenarioFile>(&source.text))
        .map_err(|e| Error::input(toml_diagnostic(source, &e)))
}

/// Turns a TOML parse or type error into a located diagnostic with a hint.
pub(crate) fn toml_diagnostic(source: &Arc<Source>, e: &toml::de::Error) -> Diagnostic {
    let raw = e.message().trim();
    let (message, hint) = match raw.split_once("\nhint: ") {
        Some((m, h)) => (m.to_string(), Some(h.to_string())),
        None => (raw.to_string(), None),
    };
    // A money error says where inside the string it went wrong (`\n@offset:len`).
    let (message, inner) = match message.split_once("\n@") {
        Some((m, pos)) => {
            let mut it = pos.split(':').map(|n| n.parse::<usize>().ok());
            (m.to_string(), it.next().flatten().zip(it.next().flatten()))
        }
        None => (message, None),
    };
    let mut d = Diagnostic::error(message.clone());
    if let Some(span) = e.span() {
        let quoted = source.text.get(span.clone()).is_some_and(|t| t.starts_with('"') && !t.contains('\\'));
        let span = match inner {
            Some((offset, len)) if quoted => {
                let start = span.start + 1 + offset;
                start..(start + len).min(span.end)
            }
            _ => span,
        };
        d = d.at(Location::new(source, span));
    } else {
        d = d.at(Location::new(source, 0..0));
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((found, expected)) = rest.split_once("`, expected ") {
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            d = d.suggest(found, candidates.iter().copied());
            if d.hint.is_none() {
                d = d.hint(format!("expected one of {}", expected.trim_start_matches("one of ")));
            }
            return d;
        }
    }
    d = d.hint_opt(hint);
    if d.hint.is_none() {
        d = d.hint_opt(if message.contains("invalid type") {
            Some("money is written as a string with a unit, e.g. \"650億円\"; shares as numbers, e.g. 0.05".into())
        } else if message.contains("expected") || message.contains("invalid") {
            Some("see `waku schema` for the scenario format".into())
        } else {
            None
        });
    }
    d
}

/// Turns one `--set KEY=VALUE` into a tiny overlay file; a relative change (`-3%`, `×0.97`, `+1pt`)
/// becomes the value it gives from what `merged` holds.
fn parse_set(arg: &str, index: usize, merged: &ScenarioFile) -> Result<ScenarioFile> {
    let label = format!("--set {arg}");
    let Some((key, value)) = arg.split_once('=') else {
        let src = Source::new("--set", None, arg.to_string());
        return Err(Error::input(
            Diagnostic::error(format!("`--set {arg}` has no `=`"))
                .at(Location::new(&src, 0..arg.len()))
                .hint("write `--set KEY=VALUE`, e.g. `--set policy.investment_cap=620億円`"),
        ));
    };
    let key = key.trim();
    let parts: Vec<&str> = key.split('.').collect();
    let bare_key = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let value_at = arg.len() - arg.split_once('=').map_or("", |(_, v)| v).trim_start().len();
    let value = value.trim();
    let relative = overrides::resolve(merged, key, value).map_err(|n| {
        let src = Source::new("--set", None, arg.to_string());
        Error::input(
            Diagnostic::error(n.message).at(Location::new(&src, value_at..value_at + value.len())).hint(n.hint),
        )
    })?;
    // A value that is valid TOML (number, boolean, quoted string) is taken as is; anything else as text.
    let is_scalar = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|t| t.get("v").cloned())
        .is_some_and(|v| !matches!(v, toml::Value::Table(_) | toml::Value::Array(_)));
    let toml_value = match relative {
        // The change as written stays beside the value it gives, for an error that quotes the line.
        Some(v) => format!("{v}  # {value}"),
        None if is_scalar => value.to_string(),
        None => toml::Value::String(value.to_string()).to_string(),
    };
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let text = match parts.as_slice() {
        [table @ ("departments" | "programs" | "clusters"), id, field] if bare_key(field) => {
            format!("[[{table}]]\nid = {}\n{field} = {toml_value}\n", quoted(id))
        }
        _ if parts.iter().all(|p| bare_key(p)) => format!("{key} = {toml_value}\n"),
        _ => {
            let src = Source::new("--set", None, arg.to_string());
            return Err(Error::input(
                Diagnostic::error(format!("invalid key `{key}` in `--set`"))
                    .at(Location::new(&src, 0..key.len()))
                    .hint("keys are dotted names such as `policy.investment_cap` or `departments.kodomo_katei.floor`"),
            ));
        }
    };
    let name = if index == 0 { "--set".to_string() } else { format!("--set #{}", index + 1) };
    let source = Source::new(name, None, text);
    let file = with_source(&source, || toml::from_str::<ScenarioFile>(&source.text))
        .map_err(|e| Error::input(toml_diagnostic(&source, &e).note(format!("from `{label}`"))))?;
    if file.extends.is_some() || file.inventory.is_some() || file.cluster_file.is_some() || file.rules.is_some() {
        return Err(Error::input(
            Diagnostic::error(format!("`{key}` cannot be set from the command line"))
                .at(Location::new(&source, 0..key.len()))
                .hint("`--set` overrides values; paths belong in a scenario file (use an overlay with `extends`)"),
        ));
    }
    if file.stage.is_some() || file.decisions.is_some() || file.restorations.is_some() || file.dispositions.is_some() {
        return Err(Error::input(
            Diagnostic::error(format!("`{key}` cannot be set from the command line"))
                .at(Location::new(&source, 0..key.len()))
                .hint("a stage and its decisions are a record in a stage file: edit it, or use `waku decide`"),
        ));
    }
    if file.csv_encoding.is_some() || file.inventory_sheet.is_some() {
        return Err(Error::input(
            Diagnostic::error(format!("`{key}` cannot be set from the command line"))
                .at(Location::new(&source, 0..key.len()))
                .hint("it says how the inventory is read, which happens before `--set`; write it in the scenario file (or an overlay with `extends`)"),
        ));
    }
    Ok(file)
}

/// `--set departments.ID.…` and `programs.ID.…` change existing entries; they never add one. A
/// bureau or program may be named by its name as well (`departments.子ども家庭局.ceiling_ratio`):
/// the entry is then rewritten to its id.
fn check_set_ids(merged: &ScenarioFile, overlay: &mut ScenarioFile) -> Result<()> {
    fn pairs<T>(list: &Option<Vec<Located<T>>>, f: impl Fn(&T) -> Option<(&str, &str)>) -> Vec<(&str, &str)> {
        list.iter().flatten().filter_map(|e| f(&e.value)).collect()
    }
    fn id_name<'a>(id: &'a Option<Located<String>>, name: &'a Option<Located<String>>) -> Option<(&'a str, &'a str)> {
        id.as_ref().map(|i| (i.value.as_str(), name.as_ref().map_or(i.value.as_str(), |n| n.value.as_str())))
    }
    let names = Names::new(
        pairs(&merged.departments, |d| id_name(&d.id, &d.name)),
        pairs(&merged.programs, |p| id_name(&p.id, &p.name)),
    );
    let wanted =
        overlay.departments.iter_mut().flatten().filter_map(|d| d.value.id.as_mut().map(|i| (Kind::Bureau, i))).chain(
            overlay.programs.iter_mut().flatten().filter_map(|p| p.value.id.as_mut().map(|i| (Kind::Program, i))),
        );
    for (kind, id) in wanted {
        let what = if kind == Kind::Bureau { "department" } else { "program" };
        match names.find(&id.value, &[kind]) {
            Lookup::Found(_, found) => id.value = found.to_string(),
            Lookup::Ambiguous(kind, ids) => {
                return Err(Error::input(
                    Diagnostic::error(Names::ambiguous(&id.value, kind, &ids))
                        .at_opt(id.location.clone())
                        .hint(format!("name the {what} by its id, e.g. `{what}s.{}.…`", ids[0])),
                ));
            }
            Lookup::NotFound => {
                let d = Diagnostic::error(format!("`--set` names unknown {what} `{}`", id.value))
                    .at_opt(id.location.clone())
                    .hint_opt(names.did_you_mean(&id.value, &[kind]));
                let d = if d.hint.is_none() {
                    d.hint(format!("`--set` changes an existing {what}, named by its id or its name; add new ones in a scenario file"))
                } else {
                    d
                };
                return Err(Error::input(d));
            }
        }
    }
    Ok(())
}

/// Collects validation errors so the user sees all of them at once.
struct Checker {
    errors: Vec<Diagnostic>,
    /// Values that are allowed but unlikely to mean what they say (e.g. a percentage written as 20).
    warnings: Vec<Diagnostic>,
    top: Arc<Source>,
}

impl Checker {
    fn err(&mut self, d: Diagnostic) {
        // Errors in an inventory cell also say the row and column, as a spreadsheet user reads them
        // (for the errors that are shown: finding the row reads the file up to the cell).
        let shown = self.errors.len() < 10;
        let note = d.location.as_ref().filter(|_| shown).and_then(inventory::cell_note);
        let d = match note {
            Some(n) if !d.notes.iter().any(|x| x.starts_with("row ")) => d.note(n),
            _ => d,
        };
        self.errors.push(d);
    }

    /// The top scenario's first line, for errors about something missing.
    fn top_location(&self) -> Location {
        let end = self.top.text.find('\n').unwrap_or(self.top.text.len());
        Location::new(&self.top, 0..end)
    }

    fn required<T: Clone>(&mut self, v: &Option<Located<T>>, key: &str, example: &str) -> Option<T> {
        match v {
            Some(v) => Some(v.value.clone()),
            None => {
                let loc = self.top_location();
                self.err(Diagnostic::error(format!("missing `{key}`")).at(loc).hint(format!("add {example}")));
                None
            }
        }
    }

    fn non_negative(&mut self, v: &Option<Located<Money>>, key: &str) -> Option<Money> {
        let m = v.as_ref()?;
        if m.value.is_negative() {
            let found = m.location.as_ref().and_then(|l| l.source.text.get(l.span.clone())).unwrap_or("");
            self.err(
                Diagnostic::error(format!("`{key}` must not be negative, found {}", found.trim_matches('"')))
                    .at_opt(m.location.clone())
                    .hint("amounts in a scenario are zero or more"),
            );
        }
        Some(m.value)
    }

    fn share(&mut self, v: &Option<Located<Number>>, key: &str) -> Option<Decimal> {
        let n = v.as_ref()?;
        if n.value.0 < Decimal::ZERO || n.value.0 > Decimal::ONE {
            self.err(
                Diagnostic::error(format!("`{key}` must be between 0 and 1, found {}", n.value.0))
                    .at_opt(n.location.clone())
                    .hint("write a share as a decimal (0.05) or a percentage (\"5%\")"),
            );
        }
        Some(n.value.0)
    }

    /// A ratio that is a multiple of a base (1.0 = the same): past 10 it was probably meant as a
    /// percentage (`120` for 120%).
    fn multiple(&mut self, v: &Option<Located<Number>>, key: &str) -> Option<Decimal> {
        let n = self.ratio(v, key)?;
        if n > Decimal::TEN {
            let loc = v.as_ref().and_then(|v| v.location.clone());
            self.warnings.push(
                Diagnostic::warning(format!("`{key}` is {n}, i.e. {n} times; a percentage is written as a decimal"))
                    .at_opt(loc)
                    .hint(format!("for {n}% write {} or \"{n}%\"", n / Decimal::ONE_HUNDRED)),
            );
        }
        Some(n)
    }

    fn ratio(&mut self, v: &Option<Located<Number>>, key: &str) -> Option<Decimal> {
        let n = v.as_ref()?;
        if n.value.0 < Decimal::ZERO {
            self.err(
                Diagnostic::error(format!("`{key}` must not be negative, found {}", n.value.0))
                    .at_opt(n.location.clone()),
            );
        }
        Some(n.value.0)
    }
}

fn validate(
    f: ScenarioFile,
    path: &Path,
    top: &Arc<Source>,
    root_dir: &Path,
    options: &LoadOptions,
) -> Result<Scenario> {
    // A plan is read by the plan loader; saying so is the only useful message here.
    if let Some(plan) = &f.plan {
        let at = plan.years.as_ref().and_then(|y| y.first()).and_then(|y| y.location.clone());
        return Err(Error::input(
            Diagnostic::error(format!("`{}` is a multi-year plan, not a single-year scenario", Source::display_path(path)))
                .at_opt(at)
                .hint("`waku run`, `waku check`, `waku review` and `waku test` read plans; a plan's years are in the scenario files it names"),
        ));
    }
    let mut c = Checker { errors: Vec::new(), warnings: Vec::new(), top: Arc::clone(top) };
    let city = c.required(&f.city, "city", "`city = \"北九州市\"` at the top of the scenario");
    let fiscal_year = c.required(&f.fiscal_year, "fiscal_year", "`fiscal_year = 2026` at the top of the scenario");
    if let (Some(y), Some(loc)) = (fiscal_year, &f.fiscal_year) {
        if !(1989..=2200).contains(&y) {
            c.err(
                Diagnostic::error(format!("`fiscal_year` {y} is out of range"))
                    .at_opt(loc.location.clone())
                    .hint("write the fiscal year in the Western calendar, e.g. 2026 for 令和8年度"),
            );
        }
    }
    let name = f.name.as_ref().map(|n| n.value.clone());
    let display_unit = f.display_unit.as_ref().map_or(Unit::Oku, |u| u.value);
    let rounding_unit = f.rounding_unit.as_ref().map_or(Unit::Yen, |u| u.value);

    let revenue = f.revenue.unwrap_or_default();
    let general_revenue = c.required(
        &revenue.general_revenue,
        "revenue.general_revenue",
        "`general_revenue = \"…億円\"` under `[revenue]`",
    );
    c.non_negative(&revenue.general_revenue, "revenue.general_revenue");
    let general_account = c.non_negative(&revenue.general_account, "revenue.general_account");

    let fund = f.fund.unwrap_or_default();
    let draw = match &fund.draw {
        None => FundDraw::default(),
        Some(d) => FundDraw::parse(&d.value).unwrap_or_else(|| {
            c.err(
                Diagnostic::error(format!("unknown fund policy `{}`", d.value))
                    .at_opt(d.location.clone())
                    .note("expected `before_cuts` (事業を削る前に取り崩す), `last_resort` (最後の手段としてのみ取り崩す) or `never` (取り崩さない)")
                    .suggest(&d.value, FundDraw::ALL.iter().map(|d| d.id())),
            );
            FundDraw::default()
        }),
    };
    let fund = Fund {
        balance: c.non_negative(&fund.balance, "fund.balance").unwrap_or_default(),
        max_drawdown: c.non_negative(&fund.max_drawdown, "fund.max_drawdown").unwrap_or_default(),
        floor: c.non_negative(&fund.floor, "fund.floor").unwrap_or_default(),
        draw,
        held_drawdown: Money::ZERO,
    };
    let bonds_file = f.bonds.unwrap_or_default();
    let bonds = Bonds {
        balance: c.non_negative(&bonds_file.balance, "bonds.balance").unwrap_or_default(),
        issuance_cap: c.non_negative(&bonds_file.issuance_cap, "bonds.issuance_cap").unwrap_or_default(),
        redemption: c.non_negative(&bonds_file.redemption, "bonds.redemption").unwrap_or_default(),
    };
    c.required(&bonds_file.issuance_cap, "bonds.issuance_cap", "`issuance_cap = \"…億円\"` under `[bonds]`");
    if bonds.redemption > bonds.balance {
        c.err(
            Diagnostic::error(format!(
                "`bonds.redemption` {} is more than the bond balance {}: the balance would end the year negative",
                bonds.redemption.format(Unit::Oku),
                bonds.balance.format(Unit::Oku)
            ))
            .at_opt(bonds_file.redemption.as_ref().and_then(|r| r.location.clone()))
            .hint("a city redeems only bonds it has issued: check `bonds.balance` (the balance at the start of the year) and `bonds.redemption`"),
        );
    }

    let pf = f.policy.unwrap_or_default();
    let investment_cap =
        c.required(&pf.investment_cap, "policy.investment_cap", "`investment_cap = \"650億円\"` under `[policy]`");
    c.non_negative(&pf.investment_cap, "policy.investment_cap");
    let reserve_min_share = c.share(&pf.reserve_min_share, "policy.reserve_min_share").unwrap_or(Decimal::ZERO);
    let reserve_max_share = c.share(&pf.reserve_max_share, "policy.reserve_max_share").unwrap_or(Decimal::ONE);
    if reserve_min_share > reserve_max_share {
        c.err(
            Diagnostic::error(format!(
                "`policy.reserve_min_share` ({reserve_min_share}) is above `policy.reserve_max_share` ({reserve_max_share})"
            ))
            .at_opt(pf.reserve_min_share.as_ref().and_then(|l| l.location.clone()))
            .hint("the least share of the reserve cannot exceed the greatest"),
        );
    }
    let envelope_floor_ratio =
        c.multiple(&pf.envelope_floor_ratio, "policy.envelope_floor_ratio").unwrap_or(Decimal::ZERO);
    let envelope_ceiling_ratio = c.multiple(&pf.envelope_ceiling_ratio, "policy.envelope_ceiling_ratio");
    let policy = Policy {
        investment_cap: investment_cap.unwrap_or_default(),
        reserve_min_share,
        reserve_max_share,
        reserve_weight: c.ratio(&pf.reserve_weight, "policy.reserve_weight").unwrap_or(Decimal::ONE),
        next_generation_target: c
            .non_negative(&pf.next_generation_target, "policy.next_generation_target")
            .unwrap_or_default(),
        envelope_floor_ratio,
        envelope_ceiling_ratio: envelope_ceiling_ratio.unwrap_or(Decimal::from(1_000)),
        retention_share: c.share(&pf.retention_share, "policy.retention_share").unwrap_or(Decimal::new(5, 1)),
        retention_cap_per_program: c.non_negative(&pf.retention_cap_per_program, "policy.retention_cap_per_program"),
        retention_cap_per_department: c
            .non_negative(&pf.retention_cap_per_department, "policy.retention_cap_per_department"),
    };

    // `--rules DIR` is the user's own choice; `rules = "…"` in a scenario stays in its folder.
    let mut rules_refused = false;
    let rules_dir = match (&options.rules_dir, &f.rules) {
        (Some(dir), _) => dir.clone(),
        (None, Some(r)) => match resolve(r, root_dir, options, "rules") {
            Ok(dir) => dir,
            Err(e) => {
                rules_refused = true;
                if let Error::Input(ds) = e {
                    ds.into_iter().for_each(|d| c.err(d));
                }
                PathBuf::from("rules")
            }
        },
        (None, None) => default_rules_dir(path),
    };
    // A rules folder named on purpose must be there (a default one that is missing is reported
    // by `waku check` as a warning: the scenario may be checked on its own).
    if (options.rules_dir.is_some() || f.rules.is_some()) && !rules_refused && !rules_dir.join("ruleset.toml").is_file()
    {
        let shown = Source::display_path(&rules_dir);
        let what = if rules_dir.is_dir() { "has no `ruleset.toml`" } else { "does not exist" };
        let d = Diagnostic::error(format!("the rules folder `{}` {what}", crate::diagnostic::quote(&shown)));
        c.err(match (&options.rules_dir, &f.rules) {
            (None, Some(r)) => d.at_opt(r.location.clone()).hint("`rules` is relative to the scenario file"),
            _ => d.hint("`--rules DIR` names a folder holding `ruleset.toml`, `viewpoints/` and `policies/`"),
        });
    }
    let script_roots = Roots { scenario: root_dir, rules: &rules_dir, options };
    let departments = departments(&mut c, f.departments.unwrap_or_default(), &policy, &script_roots);
    let clusters = clusters(&mut c, f.clusters.unwrap_or_default());
    let programs = programs(&mut c, f.programs.unwrap_or_default(), &departments, &clusters);
    totals_in_range(&mut c, &programs);

    let parameters = f.parameters.unwrap_or_default();
    let fiscal = f.fiscal.and_then(|ff| super::fiscal::validate(ff, &mut c.errors));
    let cx = super::stage::Context { programs: &programs, departments: &departments, rounding_unit, display_unit };
    let cycle = super::stage::validate(f.layers, f.dispositions, &cx, &mut c.errors);
    if !c.errors.is_empty() {
        return Err(Error::Input(c.errors));
    }
    let mut scenario = Scenario {
        path: path.to_path_buf(),
        city: city.unwrap_or_default(),
        name: name.unwrap_or_default(),
        fiscal_year: fiscal_year.and_then(|y| i32::try_from(y).ok()).unwrap_or_default(),
        display_unit,
        rounding_unit,
        rules_dir,
        parameters,
        revenue: Revenue { general_account, general_revenue: general_revenue.unwrap_or_default() },
        fund,
        bonds,
        policy,
        departments,
        clusters,
        programs,
        expectations: f.expect.unwrap_or_default(),
        fiscal,
        warnings: c.warnings,
        overrides: Vec::new(),
        cycle,
    };
    if scenario.name.is_empty() {
        scenario.name = format!("{} {}年度", scenario.city, scenario.fiscal_year);
    }
    if let (Some(total), Some(loc)) = (general_account, revenue.general_account.as_ref()) {
        let requested = scenario.total_requested();
        if requested != total && !scenario.programs.is_empty() {
            scenario.warnings.push(
                Diagnostic::warning(format!(
                    "the inventory's requests total {} but `revenue.general_account` is {}",
                    requested.format(display_unit),
                    total.format(display_unit)
                ))
                .at_opt(loc.location.clone())
                .note(format!("difference: {}", (requested - total).format(Unit::Yen))),
            );
        }
    }
    Ok(scenario)
}

/// The nearest `rules/` folder (with a `ruleset.toml`) at or above the scenario's folder, else `rules`.
fn default_rules_dir(path: &Path) -> PathBuf {
    let start = normalise(&parent_dir(path));
    let mut dir = start.as_deref();
    while let Some(d) = dir {
        let candidate = d.join("rules");
        if candidate.join("ruleset.toml").is_file() {
            return tidy(&candidate);
        }
        dir = d.parent();
    }
    PathBuf::from("rules")
}

fn duplicate(c: &mut Checker, what: &str, id: &str, here: &Option<Location>, first: &Option<Location>) {
    let mut d = Diagnostic::error(format!("duplicate {what} id `{id}`")).at_opt(here.clone());
    if let Some(f) = first.as_ref().map(|l| {
        let (line, col) = l.source.line_col(l.span.start);
        format!("first defined at {}:{line}:{col}", l.source.name)
    }) {
        d = d.note(f);
    }
    c.err(d.hint(format!("each {what} needs its own id")));
}

/// Where a bureau's own policy script may be: beside the scenario or in the rules folder.
struct Roots<'a> {
    scenario: &'a Path,
    rules: &'a Path,
    options: &'a LoadOptions,
}

fn departments(
    c: &mut Checker,
    list: Vec<Located<DepartmentFile>>,
    policy: &Policy,
    roots: &Roots<'_>,
) -> Vec<Department> {
    let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in list {
        let d = entry.value;
        let Some(id) = d.id.clone() else {
            c.err(
                Diagnostic::error("a department has no `id`")
                    .at_opt(entry.location.clone())
                    .hint("add `id = \"…\"` (ASCII, e.g. `kodomo_katei`)"),
            );
            continue;
        };
        if let Some(first) = seen.get(&id.value) {
            let first = first.clone();
            duplicate(c, "department", &id.value, &id.location, &first);
            continue;
        }
        seen.insert(id.value.clone(), id.location.clone());
        let floor = c.non_negative(&d.floor, "floor");
        let ceiling = c.non_negative(&d.ceiling, "ceiling");
        let floor_ratio = c.multiple(&d.floor_ratio, "floor_ratio").unwrap_or(policy.envelope_floor_ratio);
        let ceiling_ratio = c.multiple(&d.ceiling_ratio, "ceiling_ratio").unwrap_or(policy.envelope_ceiling_ratio);
        if let (Some(f), Some(cl)) = (floor, ceiling) {
            if f > cl {
                let written = |m: &Option<Located<Money>>| {
                    let loc = m.as_ref().and_then(|l| l.location.as_ref());
                    loc.and_then(|l| l.source.text.get(l.span.clone())).unwrap_or("").trim_matches('"').to_string()
                };
                c.err(
                    Diagnostic::error(format!(
                        "department `{}`: envelope floor {} is above its ceiling {}",
                        id.value,
                        written(&d.floor),
                        written(&d.ceiling)
                    ))
                    .at_opt(d.floor.as_ref().and_then(|l| l.location.clone()))
                    .hint("a bureau's envelope floor must be at most its ceiling"),
                );
            }
        } else if floor_ratio > ceiling_ratio {
            c.err(Diagnostic::error(format!("department `{}`: floor ratio {floor_ratio} is above ceiling ratio {ceiling_ratio}", id.value))
                .at_opt(d.floor_ratio.as_ref().or(d.ceiling_ratio.as_ref()).and_then(|l| l.location.clone()))
                .hint("check the department's ratios against the policy's `envelope_floor_ratio` and `envelope_ceiling_ratio`"));
        }
        let retention_share = c.share(&d.retention_share, "retention_share").unwrap_or(policy.retention_share);
        let retention_cap = c.non_negative(&d.retention_cap, "retention_cap").or(policy.retention_cap_per_department);
        let policy_script = d.policy.as_ref().and_then(|p| {
            let within = "the scenario's folder and the rules folder";
            let path = match resolve_within(p, &[roots.scenario, roots.rules], within, roots.options, "policy") {
                Ok(path) => path,
                Err(Error::Input(ds)) => {
                    ds.into_iter().for_each(|d| c.err(d));
                    return None;
                }
                Err(_) => return None,
            };
            if !path.is_file() {
                c.err(
                    Diagnostic::error(format!("policy script `{}` not found", crate::diagnostic::quote(&p.value)))
                        .at_opt(p.location.clone())
                        .hint("paths are relative to the scenario file"),
                );
            }
            Some(path)
        });
        out.push(Department {
            name: d.name.map_or_else(|| id.value.clone(), |n| n.value),
            id: id.value,
            floor,
            ceiling,
            floor_ratio,
            ceiling_ratio,
            retention_share,
            retention_cap,
            policy_script,
            location: entry.location,
        });
    }
    out
}

fn clusters(c: &mut Checker, list: Vec<Located<ClusterFile>>) -> Vec<Cluster> {
    let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in list {
        let k = entry.value;
        let Some(id) = k.id else {
            c.err(Diagnostic::error("a cluster has no `id`").at_opt(entry.location.clone()));
            continue;
        };
        let key = id.value.to_string();
        if let Some(first) = seen.get(&key) {
            let first = first.clone();
            duplicate(c, "cluster", &key, &id.location, &first);
            continue;
        }
        seen.insert(key.clone(), id.location.clone());
        out.push(Cluster {
            id: key,
            name: k.name.map(|n| n.value).unwrap_or_default(),
            group: k.group.map(|n| n.value).unwrap_or_default(),
            reform_type: k.reform_type.map(|n| n.value).unwrap_or_default(),
        });
    }
    out
}

fn programs(
    c: &mut Checker,
    list: Vec<Located<ProgramFile>>,
    departments: &[Department],
    clusters: &[Cluster],
) -> Vec<Program> {
    let dept_ids: BTreeSet<&str> = departments.iter().map(|d| d.id.as_str()).collect();
    let cluster_ids: BTreeSet<&str> = clusters.iter().map(|k| k.id.as_str()).collect();
    // Hashed, not ordered: 100,000 ids are looked up, not listed (a suggestion sorts them).
    let all_ids: ahash::AHashSet<String> =
        list.iter().filter_map(|p| p.value.id.as_ref().map(|i| i.value.clone())).collect();
    let mut seen: ahash::AHashMap<String, Option<Location>> = ahash::AHashMap::with_capacity(list.len());
    let mut out = Vec::with_capacity(list.len());
    for entry in list {
        let p = entry.value;
        let Some(id) = p.id.clone() else {
            c.err(
                Diagnostic::error("a program has no `id`")
                    .at_opt(entry.location.clone())
                    .hint("every program needs a unique id"),
            );
            continue;
        };
        if let Some(first) = seen.get(&id.value) {
            let first = first.clone();
            duplicate(c, "program", &id.value, &id.location, &first);
            continue;
        }
        seen.insert(id.value.clone(), id.location.clone());
        let missing = |c: &mut Checker, field: &str| {
            c.err(
                Diagnostic::error(format!("program `{}` has no `{field}`", id.value))
                    .at_opt(id.location.clone().or(entry.location.clone()))
                    .hint(format!("fill in the `{field}` column or field")),
            );
        };
        let Some(department) = p.department.clone() else {
            missing(c, "department");
            continue;
        };
        if !dept_ids.contains(department.value.as_str()) {
            c.err(
                Diagnostic::error(format!("program `{}` names unknown department `{}`", id.value, department.value))
                    .at_opt(department.location.clone())
                    .suggest(&department.value, dept_ids.iter().copied())
                    .hint_opt(if dept_ids.is_empty() {
                        Some("declare departments with `[[departments]]`".into())
                    } else {
                        None
                    })
                    .known("departments", dept_ids.iter().copied()),
            );
        }
        let cluster = p.cluster.as_ref().map(|k| k.value.to_string());
        if let (Some(k), Some(loc)) = (&cluster, &p.cluster) {
            if !cluster_ids.contains(k.as_str()) {
                let mut d = Diagnostic::error(format!("program `{}` names unknown cluster `{k}`", id.value))
                    .at_opt(loc.location.clone());
                d = if cluster_ids.is_empty() {
                    d.hint("declare clusters with `cluster_file = \"…csv\"` or `[[clusters]]`")
                } else {
                    d.suggest(k, cluster_ids.iter().copied()).known("clusters", cluster_ids.iter().copied())
                };
                c.err(d);
            }
        }
        let kind = match &p.kind {
            None => {
                missing(c, "kind");
                continue;
            }
            Some(k) => match ProgramKind::parse(&k.value) {
                Some(kind) => kind,
                None => {
                    let d = Diagnostic::error(format!("unknown program kind `{}`", k.value))
                        .at_opt(k.location.clone())
                        .note("expected `mandatory`, `discretionary`, `investment` or `new` (義務的, 裁量的, 投資的, 新規)")
                        .suggest(&k.value, ProgramKind::ALL.iter().flat_map(|k| [k.id(), k.label()]));
                    c.err(d.note_if_none());
                    continue;
                }
            },
        };
        let strategy = match &p.strategy {
            None => None,
            Some(s) => match Strategy::parse(&s.value) {
                Some(s) => Some(s),
                None => {
                    c.err(
                        Diagnostic::error(format!("unknown strategy `{}`", s.value)).at_opt(s.location.clone()).hint(
                            "expected `earning`, `high_quality` or `safety` (稼げるまち, ハイクオリティ, 安全・安心)",
                        ),
                    );
                    None
                }
            },
        };
        let Some(requested) = c.non_negative(&p.requested, "requested") else {
            missing(c, "requested");
            continue;
        };
        let prior_cost = match c.non_negative(&p.prior_cost, "prior_cost") {
            Some(m) => m,
            None if kind == ProgramKind::New => Money::ZERO,
            None => {
                missing(c, "prior_cost");
                continue;
            }
        };
        let fees = c.non_negative(&p.fees, "fees").unwrap_or_default();
        let natural_savings = c.non_negative(&p.natural_savings, "natural_savings").unwrap_or_default();
        let subsidy_ratio = c.share(&p.subsidy_ratio, "subsidy_ratio").unwrap_or_default();
        let bondable_share = c.share(&p.bondable_share, "bondable_share").unwrap_or_default();
        for (v, key) in [
            (&p.satisfaction, "satisfaction"),
            (&p.digital_share, "digital_share"),
            (&p.private_capacity, "private_capacity"),
        ] {
            c.share(v, key);
        }
        c.multiple(&p.service_level, "service_level");
        if let Some(t) = &p.demand_trend {
            if t.value.0 < Decimal::NEGATIVE_ONE {
                c.err(
                    Diagnostic::error(format!(
                        "`demand_trend` {} would mean demand fell by more than all of it",
                        t.value.0
                    ))
                    .at_opt(t.location.clone())
                    .hint(format!("a change is written as a decimal: −20% is -0.2 or \"-20%\", not {}", t.value.0)),
                );
            } else if t.value.0 > Decimal::TEN {
                c.warnings.push(
                    Diagnostic::warning(format!(
                        "`demand_trend` {} means demand grew {}-fold",
                        t.value.0,
                        t.value.0 + Decimal::ONE
                    ))
                    .at_opt(t.location.clone())
                    .hint(format!("a change is written as a decimal: +20% is 0.2 or \"20%\", not {}", t.value.0)),
                );
            }
        }
        if let Some(o) = &p.overlap_with {
            if !all_ids.contains(&o.value) {
                c.err(
                    Diagnostic::error(format!("program `{}` overlaps unknown program `{}`", id.value, o.value))
                        .at_opt(o.location.clone())
                        .suggest(&o.value, {
                            let mut ids: Vec<&str> = all_ids.iter().map(String::as_str).collect();
                            ids.sort_unstable();
                            ids
                        })
                        .note_if_none(),
                );
            } else if o.value == id.value {
                c.err(Diagnostic::error(format!("program `{}` overlaps itself", id.value)).at_opt(o.location.clone()));
            }
        }
        let program = Program {
            id: id.value.clone(),
            name: p.name.map_or_else(|| id.value.clone(), |n| n.value),
            department: department.value,
            cluster,
            kind,
            prior_cost,
            requested,
            subsidy_ratio,
            fees,
            bondable_share,
            strategy,
            next_generation: p.next_generation.is_some_and(|b| b.value),
            all_or_nothing: p.all_or_nothing.is_some_and(|b| b.value),
            attributes: Attributes {
                demand_trend: p.demand_trend.map(|n| n.value.0),
                satisfaction: p.satisfaction.map(|n| n.value.0),
                overlap_with: p.overlap_with.map(|n| n.value),
                service_level: p.service_level.map(|n| n.value.0),
                digital_share: p.digital_share.map(|n| n.value.0),
                private_capacity: p.private_capacity.map(|n| n.value.0),
                outsourced: p.outsourced.is_some_and(|b| b.value),
                natural_savings,
            },
            kpi: match (p.kpi_indicator, p.kpi_baseline, p.kpi_target, p.kpi_actual) {
                (Some(i), Some(b), Some(t), Some(a)) => {
                    let stated = kpi_direction(c, p.kpi_direction.as_ref(), &id.value);
                    let direction = stated.unwrap_or_default();
                    let kpi = Kpi {
                        indicator: i.value,
                        baseline: b.value.0,
                        target: t.value.0,
                        actual: a.value.0,
                        direction,
                    };
                    if stated.is_some() && !kpi.target_agrees() {
                        let (side, other) = match direction {
                            KpiDirection::Higher => ("below", KpiDirection::Lower),
                            KpiDirection::Lower => ("above", KpiDirection::Higher),
                        };
                        c.err(
                            Diagnostic::error(format!(
                                "program `{}`: the target {} of KPI `{}` is {side} its baseline {}, but its direction is `{}` ({}{})",
                                id.value,
                                kpi.target.normalize(),
                                kpi.indicator,
                                kpi.baseline.normalize(),
                                direction.id(),
                                direction.label(),
                                if p.kpi_direction.is_none() { ", the default" } else { "" }
                            ))
                            .at_opt(t.location.clone())
                            .hint(format!(
                                "write `{}` ({}) in the column `kpi_direction` (指標の方向) for an indicator where {} is better",
                                other.id(),
                                other.label(),
                                if other == KpiDirection::Lower { "less" } else { "more" }
                            )),
                        );
                    }
                    Some(kpi)
                }
                (None, None, None, None) => None,
                (i, ..) => {
                    c.err(
                        Diagnostic::error(format!("program `{}` has an incomplete KPI", id.value))
                            .at_opt(i.and_then(|i| i.location).or(id.location.clone()))
                            .hint(
                                "give all four of `kpi_indicator`, `kpi_baseline`, `kpi_target`, `kpi_actual`, or none",
                            ),
                    );
                    None
                }
            },
            location: entry.location.clone(),
        };
        if program.specific_share() > Decimal::ONE {
            c.err(
                Diagnostic::error(format!(
                    "program `{}`: subsidies, fees and bonds cover more than its cost ({}%)",
                    id.value,
                    (program.specific_share() * Decimal::from(100)).round_dp(1)
                ))
                .at_opt(p.subsidy_ratio.as_ref().and_then(|l| l.location.clone()).or(entry.location.clone()))
                .hint("subsidy_ratio + fees ÷ requested + bondable_share must be at most 1"),
            );
        }
        out.push(program);
    }
    out
}

/// A program's `kpi_direction`: higher (the default) or lower; `None` after an error.
fn kpi_direction(c: &mut Checker, cell: Option<&Located<String>>, id: &str) -> Option<KpiDirection> {
    let Some(cell) = cell.filter(|d| !d.value.trim().is_empty()) else { return Some(KpiDirection::Higher) };
    let direction = KpiDirection::parse(&cell.value);
    if direction.is_none() {
        c.err(
            Diagnostic::error(format!("program `{id}`: unknown KPI direction `{}`", cell.value))
                .at_opt(cell.location.clone())
                .hint("expected `higher` or `lower` (高いほどよい / 低いほどよい)"),
        );
    }
    direction
}

/// The programs' amounts added up must stay within the range waku computes with exactly.
fn totals_in_range(c: &mut Checker, programs: &[Program]) {
    type Field = fn(&Program) -> Money;
    let fields: [(&str, &str, Field); 4] = [
        ("requests", "requested", |p| p.requested),
        ("prior-year budgets", "prior_cost", |p| p.prior_cost),
        ("fees", "fees", |p| p.fees),
        ("natural savings", "natural_savings", |p| p.attributes.natural_savings),
    ];
    for (what, column, field) in fields {
        let total = programs.iter().try_fold(Decimal::ZERO, |t, p| t.checked_add(field(p).as_decimal()));
        if total.is_some_and(|t| t <= Money::MAX.as_decimal()) {
            continue;
        }
        let largest = programs.iter().max_by_key(|p| field(p));
        c.err(
            Diagnostic::error(format!("the programs' {what} add up to more than 1,000兆円"))
                .at_opt(largest.and_then(|p| p.location.clone()))
                .note(format!("the largest `{column}` is program `{}`'s", largest.map_or("", |p| p.id.as_str())))
                .hint("waku computes up to 1,000兆円 in all; check the inventory for amounts in the wrong unit"),
        );
    }
}

trait NoteIfNone {
    fn note_if_none(self) -> Self;
    fn known<'a>(self, what: &str, ids: impl Iterator<Item = &'a str>) -> Self;
}

impl NoteIfNone for Diagnostic {
    /// Without a close match, list the known ids (when there are few enough to read).
    fn known<'a>(self, what: &str, ids: impl Iterator<Item = &'a str>) -> Self {
        if self.hint.is_some() {
            return self;
        }
        let ids: Vec<&str> = ids.collect();
        if ids.len() <= 25 {
            let list = ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
            self.hint(format!("known {what}: {list}"))
        } else {
            self.hint(format!("check the id against the {} declared {what}", ids.len()))
        }
    }

    /// Unknown-id errors always end with some hint.
    fn note_if_none(self) -> Self {
        if self.hint.is_none() { self.hint("check the id against the declared ones") } else { self }
    }
}
