//! The validation checker: collects every error and warning so the user sees them at once.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::diagnostic::{Diagnostic, Location, Source};
use crate::money::Money;
use crate::scenario::file::Number;
use crate::scenario::inventory;
use crate::scenario::located::Located;

/// Collects validation errors so the user sees all of them at once.
pub(super) struct Checker {
    pub(super) errors: Vec<Diagnostic>,
    /// Values that are allowed but unlikely to mean what they say (e.g. a percentage written as 20).
    pub(super) warnings: Vec<Diagnostic>,
    pub(super) top: Arc<Source>,
}

impl Checker {
    pub(super) fn err(&mut self, d: Diagnostic) {
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
    pub(super) fn top_location(&self) -> Location {
        let end = self.top.text.find('\n').unwrap_or(self.top.text.len());
        Location::new(&self.top, 0..end)
    }

    pub(super) fn required<T: Clone>(&mut self, v: &Option<Located<T>>, key: &str, example: &str) -> Option<T> {
        match v {
            Some(v) => Some(v.value.clone()),
            None => {
                let loc = self.top_location();
                self.err(Diagnostic::error(format!("missing `{key}`")).at(loc).hint(format!("add {example}")));
                None
            }
        }
    }

    pub(super) fn non_negative(&mut self, v: &Option<Located<Money>>, key: &str) -> Option<Money> {
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

    pub(super) fn share(&mut self, v: &Option<Located<Number>>, key: &str) -> Option<Decimal> {
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
    pub(super) fn multiple(&mut self, v: &Option<Located<Number>>, key: &str) -> Option<Decimal> {
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

    pub(super) fn ratio(&mut self, v: &Option<Located<Number>>, key: &str) -> Option<Decimal> {
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

pub(super) fn duplicate(c: &mut Checker, what: &str, id: &str, here: &Option<Location>, first: &Option<Location>) {
    let mut d = Diagnostic::error(format!("duplicate {what} id `{id}`")).at_opt(here.clone());
    if let Some(f) = first.as_ref().map(|l| {
        let (line, col) = l.source.line_col(l.span.start);
        format!("first defined at {}:{line}:{col}", l.source.name)
    }) {
        d = d.note(f);
    }
    c.err(d.hint(format!("each {what} needs its own id")));
}
