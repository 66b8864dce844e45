//! TOML error mapping: a parse or type error in a scenario file as a located diagnostic with a hint.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, Source};

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
    // `proposals = "file.csv"` and `[[proposals]]` in one file: the two ways to give proposals.
    let key = e.span().and_then(|s| source.text.get(s)).unwrap_or("");
    if message == "duplicate key" && key.trim() == "proposals" {
        return Diagnostic::error("both a proposals table (`proposals = \"file.csv\"`) and inline `[[proposals]]`")
            .at_opt(d.location)
            .note("a scenario gives its proposals one way: a table file or inline `[[proposals]]`")
            .hint("remove `proposals = \"…\"` or move the inline proposals into the table");
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
