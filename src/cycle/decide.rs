//! `waku decide`: one 査定 decision written into a stage file, in place.
//!
//! The file is edited with `toml_edit`, so its comments, blank lines and the order of its tables
//! stay as the officer wrote them: a decision on a program the stage already decides replaces that
//! entry's amount, bounds, disposition, reason, author and date (its comments stay); a new one is
//! appended after the stage's last `[[decisions]]`. This module only turns text into text; the
//! command validates the result as a scenario, runs it, and writes it atomically.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::diagnostic::{Diagnostic, Location, Source};
use crate::{Error, Result};

/// One decision as the officer gives it on the command line.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// The program's id (written into the file).
    pub program: String,
    /// Other ways the file may name the same program (its name), to find an existing entry.
    pub aliases: Vec<String>,
    /// An amount, or bounds, as written (`1.2億円`, `120,000千円`); none of them: the disposition's range.
    pub amount: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub disposition: String,
    pub reason: String,
    pub author: Option<String>,
    /// `2026-01-15`.
    pub date: Option<String>,
}

/// The stage file `name` (its text `text`) with `decision` in it: the new text.
pub fn edit(name: &str, text: &str, decision: &Decision) -> Result<String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let source = Source::new(name, None, text.to_string());
        let span = e.span().unwrap_or(0..0);
        Error::input(
            Diagnostic::error(format!("`{name}` is not valid TOML: {}", e.message().trim()))
                .at(Location::new(&source, span))
                .hint("fix the file first; `waku check` shows every error"),
        )
    })?;
    if !doc.contains_key("stage") {
        return Err(Error::input(
            Diagnostic::error(format!("`{name}` is not a stage file: it has no `[stage]`"))
                .hint("decisions are written into a stage of the budget cycle (`[stage]` with `name` and `kind`)"),
        ));
    }
    let entries = match doc.get_mut("decisions") {
        None => {
            doc.insert("decisions", Item::ArrayOfTables(ArrayOfTables::new()));
            doc.get_mut("decisions")
        }
        some => some,
    };
    let Some(list) = entries.and_then(Item::as_array_of_tables_mut) else {
        return Err(Error::input(
            Diagnostic::error(format!("`decisions` in `{name}` is not a list of `[[decisions]]` tables"))
                .hint("write each decision as a `[[decisions]]` table"),
        ));
    };
    let names_it = |t: &Table| {
        t.get("program").and_then(Item::as_str).is_some_and(|p| {
            let p = p.trim();
            p == decision.program || decision.aliases.iter().any(|a| a.trim() == p)
        })
    };
    let existing = list.iter_mut().find(|t| names_it(t));
    match existing {
        Some(t) => fill(t, decision),
        None => {
            let mut t = Table::new();
            t.insert("program", value(decision.program.as_str()));
            fill(&mut t, decision);
            list.push(t);
        }
    }
    Ok(doc.to_string())
}

/// Sets the decision's keys on `t`, keeping each kept value's comments.
fn fill(t: &mut Table, d: &Decision) {
    // A date is written as a TOML date (`date = 2026-01-16`, as the stage's own), a text that is
    // none as written (validation then names it).
    let as_value = |key: &str, v: &str| match v.parse::<toml_edit::Datetime>() {
        Ok(d) if key == "date" => toml_edit::Value::from(d),
        _ => toml_edit::Value::from(v),
    };
    let set = |t: &mut Table, key: &str, v: Option<&str>| match v {
        Some(v) => match t.get_mut(key).and_then(Item::as_value_mut) {
            Some(old) => {
                let decor = old.decor().clone();
                *old = as_value(key, v);
                *old.decor_mut() = decor;
            }
            None => {
                t.insert(key, value(as_value(key, v)));
            }
        },
        None => {
            t.remove(key);
        }
    };
    set(t, "amount", d.amount.as_deref());
    set(t, "min", d.min.as_deref());
    set(t, "max", d.max.as_deref());
    set(t, "disposition", Some(d.disposition.as_str()));
    set(t, "reason", Some(d.reason.as_str()));
    set(t, "author", d.author.as_deref());
    set(t, "date", d.date.as_deref());
    // Keys in the order a decision reads (a key it adds goes where it belongs, not last); each
    // key keeps its comments.
    let rank = |k: &str| KEYS.iter().position(|x| *x == k).unwrap_or(KEYS.len());
    let mut entries: Vec<(toml_edit::Key, Item)> = Vec::new();
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    for k in &keys {
        if let Some(e) = t.remove_entry(k) {
            entries.push(e);
        }
    }
    entries.sort_by_key(|(k, _)| rank(k.get()));
    for (k, v) in entries {
        t.insert_formatted(&k, v);
    }
}

/// A decision's keys, in order.
const KEYS: [&str; 8] = ["program", "amount", "min", "max", "disposition", "reason", "author", "date"];

/// Today's date (UTC) as `YYYY-MM-DD`, for a decision written without `--date`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// The calendar date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGE: &str = r#"# 財政課査定
extends = "01-request.toml"

[stage]
name = "財政課査定"
kind = "財政課査定"

# 子ども家庭局
[[decisions]]
program = "K0001"   # 保育所運営
amount = "1億円"    # 精査
disposition = "②"
reason = "単価を見直し"
author = "山田"

[[expect]]
figure = "reserve"
at_least = "1億円"
"#;

    fn decision(program: &str) -> Decision {
        Decision {
            program: program.into(),
            amount: Some("2億円".into()),
            disposition: "①".into(),
            reason: "要求どおり".into(),
            date: Some("2026-01-20".into()),
            ..Decision::default()
        }
    }

    #[test]
    fn an_existing_decision_is_replaced_in_place_with_its_comments() {
        let out = edit("s.toml", STAGE, &decision("K0001")).unwrap();
        assert!(
            out.contains(
                "# 子ども家庭局\n[[decisions]]\nprogram = \"K0001\"   # 保育所運営\namount = \"2億円\"    # 精査\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "amount = \"2億円\"    # 精査\ndisposition = \"①\"\nreason = \"要求どおり\"\ndate = 2026-01-20\n"
            ),
            "{out}"
        );
        assert!(!out.contains("author"), "the old author does not sign the new decision: {out}");
        assert!(out.starts_with("# 財政課査定\n"));
        assert_eq!(out.matches("[[decisions]]").count(), 1);
    }

    #[test]
    fn a_new_decision_goes_after_the_last_one() {
        let out = edit("s.toml", STAGE, &decision("K0002")).unwrap();
        let second = out.find("program = \"K0002\"").unwrap();
        assert!(second > out.find("program = \"K0001\"").unwrap() && second < out.find("[[expect]]").unwrap(), "{out}");
    }

    #[test]
    fn a_file_without_a_stage_is_refused() {
        let e = edit("base.toml", "city = \"x\"\n", &decision("K0001")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("not a stage file"), "{e}");
    }

    #[test]
    fn dates_from_days() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(20_468), "2026-01-15");
        assert_eq!(civil(11_016), "2000-02-29");
    }
}
