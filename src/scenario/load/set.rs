//! `--set KEY=VALUE`: one override as a tiny overlay file, and the ids it may name.

use super::*;
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::scenario::file::ScenarioFile;
use crate::scenario::located::{Located, with_source};
use crate::scenario::names::{Kind, Lookup, Names};
use crate::scenario::overrides::{self};
use crate::{Error, Result};

/// Turns one `--set KEY=VALUE` into a tiny overlay file; a relative change (`-3%`, `×0.97`, `+1pt`)
/// becomes the value it gives from what `merged` holds.
pub(super) fn parse_set(arg: &str, index: usize, merged: &ScenarioFile) -> Result<ScenarioFile> {
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
        ["proposals", id, "decision"] => format!("[proposal_decisions]\n{} = {toml_value}\n", quoted(id)),
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
    if file.extends.is_some()
        || file.inventory.is_some()
        || file.proposals.is_some()
        || file.cluster_file.is_some()
        || file.rules.is_some()
    {
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
pub(super) fn check_set_ids(merged: &ScenarioFile, overlay: &mut ScenarioFile) -> Result<()> {
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
