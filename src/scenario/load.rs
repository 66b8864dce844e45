//! Loading: read the `extends` chain (its paths confined to the scenario's folder), overlay it, add
//! the inventory and `--set` overrides (`load/set.rs`), validate (`load/validate.rs`,
//! `load/entries.rs`); TOML errors become diagnostics in `load/toml_error.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Scenario;
use super::encoding::{self, TextEncoding};
use super::file::{Overlay, ProposalsFile, ScenarioFile, merge_by_id};
use super::inventory;
use super::located::{Located, with_source};
use super::overrides::{self, Override};
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::files::{Kind as FileKind, ReadError, Refusal};
use crate::{Error, Result};

mod checker;
mod entries;
mod set;
mod toml_error;
mod validate;

use set::{check_set_ids, parse_set};
pub(crate) use toml_error::toml_diagnostic;
use validate::validate;

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
    /// Tables kept from an earlier load, for loads of the same files again (a warm session's
    /// what-ifs); `None` reads every table afresh.
    pub tables: Option<TableCache>,
}

/// Tables read once and kept for later loads (see [`LoadOptions::tables`]): the inventory's rows,
/// and the KPI table with what it was checked against (the programs, the clusters, the year).
/// Each is kept by its file's text: the file is read on every load, and a table whose text (or
/// whose programs and clusters) changed is read again, so a load gives what a fresh one gives.
#[derive(Debug, Clone, Default)]
pub struct TableCache(Arc<std::sync::Mutex<KeptTables>>);

#[derive(Debug, Default)]
struct KeptTables {
    inventory: Option<(Arc<Source>, Vec<Located<crate::scenario::file::ProgramFile>>)>,
    kpis: Option<(Arc<Source>, String, KpiKey, Arc<super::kpis::KpiTable>)>,
}

/// What a KPI table is checked against: the programs' and clusters' ids, the fiscal year.
type KpiKey = (Vec<String>, Vec<String>, i32);

/// The same table text: the same file and the same characters.
fn same_text(a: &Source, b: &Source) -> bool {
    a.name == b.name && a.path == b.path && a.sheet.is_none() && b.sheet.is_none() && a.text == b.text
}

impl TableCache {
    fn kept(&self) -> std::sync::MutexGuard<'_, KeptTables> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn programs(&self, source: &Arc<Source>) -> Result<Vec<Located<crate::scenario::file::ProgramFile>>> {
        if let Some((kept, rows)) = &self.kept().inventory
            && same_text(kept, source)
        {
            return Ok(rows.clone());
        }
        let rows = inventory::read_programs(source).map_err(Error::Input)?;
        self.kept().inventory = Some((Arc::clone(source), rows.clone()));
        Ok(rows)
    }

    fn kpis(
        &self,
        source: &Arc<Source>,
        file: &str,
        known: &super::kpis::Known<'_>,
    ) -> Result<Arc<super::kpis::KpiTable>> {
        let key: KpiKey = (
            known.programs.iter().map(|s| s.to_string()).collect(),
            known.clusters.iter().map(|s| s.to_string()).collect(),
            known.fiscal_year,
        );
        if let Some((kept, kept_file, kept_key, table)) = &self.kept().kpis
            && same_text(kept, source)
            && kept_file == file
            && *kept_key == key
        {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(super::kpis::read(source, file, known).map_err(Error::Input)?);
        self.kept().kpis = Some((Arc::clone(source), file.to_string(), key, Arc::clone(&table)));
        Ok(table)
    }
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
    // The fiscal year of the file that names the KPI table: its actuals end before that year; a
    // scenario extending it (an earlier year of a plan) sees only the actuals before its own year.
    let mut kpis_year = None;
    for (file, _) in chain {
        let names_kpis = file.kpis.is_some();
        merged.overlay(file);
        if names_kpis {
            kpis_year = merged.fiscal_year.as_ref().and_then(|y| i32::try_from(y.value).ok());
        }
    }

    // The inventory is the base of the program list; inline programs overlay it by id.
    let mut programs = None;
    let csv_encoding = merged.csv_encoding.as_ref().map_or(TextEncoding::Auto, |e| e.value);
    if let Some(inv) = &merged.inventory {
        let sheet = merged.inventory_sheet.as_ref();
        let source = read_table(inv, sheet, &root_dir, options, "inventory", csv_encoding)?;
        programs = Some(match &options.tables {
            Some(cache) => cache.programs(&source)?,
            None => inventory::read_programs(&source).map_err(Error::Input)?,
        });
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

    // `proposals = ""` in an overlay: no proposals (a year that extends one with a table).
    // Inline `[[proposals]]` or a table; the nearest file that states `proposals` wins.
    let proposals = match merged.proposals.take() {
        Some(Located { value: ProposalsFile::Inline(list), .. }) => {
            inventory::proposals::read_inline(list).map_err(Error::Input)?
        }
        Some(Located { value: ProposalsFile::File(name), location }) if !name.trim().is_empty() => {
            let file = Located::new(name, location);
            let source = read_table(&file, None, &root_dir, options, "proposals", csv_encoding)?;
            inventory::proposals::read_proposals(&source).map_err(Error::Input)?
        }
        _ => Vec::new(),
    };
    let decisions = merged.proposal_decisions.take().unwrap_or_default();
    // The KPI table is checked against the validated scenario (its programs, clusters and year).
    let kpis = match &merged.kpis {
        Some(k) => Some((read_table(k, None, &root_dir, options, "kpis", csv_encoding)?, k.value.clone())),
        None => None,
    };
    let mut scenario = validate(merged, path, &top_source, &root_dir, options)?;
    scenario.overrides = applied;
    scenario.proposals = inventory::proposals::settle(proposals, decisions, &scenario).map_err(Error::Input)?;
    if let Some((source, file)) = kpis {
        let known = super::kpis::Known {
            programs: scenario.programs.iter().map(|p| p.id.as_str()).collect(),
            clusters: scenario.clusters.iter().map(|c| c.id.as_str()).collect(),
            fiscal_year: kpis_year.unwrap_or(scenario.fiscal_year),
        };
        let table = match &options.tables {
            Some(cache) => cache.kpis(&source, &file, &known)?,
            None => Arc::new(super::kpis::read(&source, &file, &known).map_err(Error::Input)?),
        };
        let table =
            if known.fiscal_year > scenario.fiscal_year { Arc::new(table.before(scenario.fiscal_year)) } else { table };
        scenario.kpis = Some(table);
    }
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

/// Reads a table the scenario names (`key`: the inventory, the proposals, the KPI table): the
/// first sheet of an `.xlsx` workbook (or the `sheet` named), else a CSV in the scenario's encoding.
fn read_table(
    file: &Located<String>,
    sheet: Option<&Located<String>>,
    root_dir: &Path,
    options: &LoadOptions,
    key: &str,
    encoding: TextEncoding,
) -> Result<Arc<Source>> {
    let path = resolve(file, root_dir, options, key)?;
    if inventory::is_workbook(&path) {
        inventory::read_sheet(&path, &Source::display_path(&path), sheet, Some(file)).map_err(Error::Input)
    } else {
        read_source(&path, Some(file), FileKind::Inventory, Some(encoding))
    }
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
