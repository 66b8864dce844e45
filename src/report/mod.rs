//! Reports people read: tables for the terminal, the Markdown memo, the HTML report ([`html`]),
//! spreadsheets ([`sheet`]); every one through the one text layer ([`text`]: tables, Markdown
//! tables, amounts, signed changes, shares).

pub mod allocation;
pub mod autonomy;
mod check;
pub mod diff;
pub mod fiscal;
pub mod html;

pub mod markdown;
pub mod proposals;
pub mod review;
pub mod rules;
pub mod satei;
pub mod sheet;
pub mod stage;
pub mod styles;
pub mod terminal;
pub mod text;

pub use check::{summary, summary_in};

/// Writes a report file atomically (see [`crate::files::write_atomic`]): a failed or interrupted
/// run never leaves a cut file where a good one stood; a target that is not a regular file, or
/// that is one of the run's inputs, is refused.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    written(path, crate::files::write_atomic(path, bytes))
}

/// [`write_atomic`] over a file the run read, on purpose (`waku decide` rewrites its stage file).
pub fn rewrite_atomic(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    written(path, crate::files::rewrite_atomic(path, bytes))
}

fn written(path: &std::path::Path, result: Result<(), crate::files::WriteError>) -> crate::Result<()> {
    result.map_err(|e| {
        let shown = crate::diagnostic::Source::display_path(path);
        match e {
            crate::files::WriteError::Io(io) => crate::Error::io(format_args!("cannot write `{shown}`"), &io),
            e => {
                let (why, hint) = e.describe();
                crate::Error::input(crate::Diagnostic::error(format!("cannot write `{shown}`: {why}")).hint(hint))
            }
        }
    })
}

pub use crate::scenario::set_lines;
