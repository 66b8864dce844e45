//! waku (枠): a rules engine for public budget allocation and autonomous department budgeting.
//!
//! The pipeline: [`scenario`] (load and validate) → [`review`] (six viewpoint rules and the
//! assessment policy, see [`rules`]) → [`allocate`] (envelopes and the mayor's reserve) →
//! [`autonomy`] (two levels: bureau envelopes, then each bureau's own policy inside its envelope) →
//! [`fiscal`] (soundness ratios, multi-year plans) → [`report`]; [`whatif`] compares, checks and
//! sweeps outcomes. [`pipeline`] is the one entry point that runs any scenario (a year, a year
//! with `[fiscal]`, a plan, autonomous and compare modes); every command calls it. The `waku`
//! binary is a thin layer over this library ([`cli`]).
#![forbid(unsafe_code)]

pub mod allocate;
pub mod assessment;
pub mod autonomy;
pub mod cli;
pub mod constraint;
pub mod cycle;
pub mod diagnostic;
pub mod evaluate;
pub mod fast;
pub mod files;
pub mod fiscal;
pub mod generate;
pub mod money;
pub mod number;
pub mod pipeline;
pub mod report;
pub mod review;
pub mod rules;
pub mod scenario;
pub mod whatif;

pub use diagnostic::Diagnostic;
pub use money::{Money, Unit};

/// Every error the library returns. The kind decides the exit code ([`Error::exit_code`]):
///
/// | kind | exit |
/// |---|---|
/// | [`Error::Infeasible`], [`Error::ChecksFailed`] | 1 |
/// | [`Error::Input`] | 2 |
/// | [`Error::Io`] | 3 |
/// | [`Error::Internal`] | 4 |
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: scenario, inventory, rules, command-line values (exit 2).
    #[error("{}", render_all(.0))]
    Input(Vec<Diagnostic>),
    /// The limits cannot all hold (exit 1).
    #[error("{}", .0.render())]
    Infeasible(Box<Diagnostic>),
    /// Checks or tests ran and some failed (exit 1); the report has been printed already.
    #[error("{0}")]
    ChecksFailed(String),
    /// Reading or writing failed for a reason that is not the input's: a full disk, a folder
    /// without write permission, a closed output (exit 3).
    #[error("{}", .0.render())]
    Io(Box<Diagnostic>),
    /// waku found a bug in itself: a result that breaks its own invariants, a panic caught at
    /// the top (exit 4). The message asks the user to report it, with what waku was doing.
    #[error("{}", .0.render())]
    Internal(Box<Diagnostic>),
}

impl Error {
    /// One input diagnostic as an error (a [`diagnostic::Severity::Bug`] is an internal error).
    pub fn input(d: Diagnostic) -> Error {
        Error::inputs(vec![d])
    }

    /// Input diagnostics as an error; if one of them is a bug waku found in itself, that one, as
    /// an internal error.
    pub fn inputs(mut ds: Vec<Diagnostic>) -> Error {
        match ds.iter().position(|d| d.severity == diagnostic::Severity::Bug) {
            Some(i) => Error::Internal(Box::new(ds.swap_remove(i))),
            None => Error::Input(ds),
        }
    }

    /// An I/O failure while doing `what` (e.g. "cannot write `report.html`"): exit 3, except a
    /// file or folder that does not exist, which is the input's (exit 2).
    pub fn io(what: impl std::fmt::Display, e: &std::io::Error) -> Error {
        let d = Diagnostic::error(format!("{what}: {e}"));
        match e.kind() {
            std::io::ErrorKind::NotFound => Error::input(d.hint("check that the folder exists")),
            std::io::ErrorKind::PermissionDenied => Error::Io(Box::new(d.hint("check that you may write there"))),
            _ => Error::Io(Box::new(d.hint("check the disk (free space, permissions) and try again"))),
        }
    }

    /// A bug waku detected in itself; `what` says what broke, with enough context to find it.
    pub fn internal(what: impl Into<String>) -> Error {
        Error::Internal(Box::new(Diagnostic::bug(what)))
    }

    /// The process exit code: 1 for infeasible limits or failed checks, 2 for bad input, 3 for an
    /// I/O failure that is not the input's, 4 for an internal error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Infeasible(_) | Error::ChecksFailed(_) => 1,
            Error::Input(_) => 2,
            Error::Io(_) => 3,
            Error::Internal(_) => 4,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::input(d)
    }
}

/// At most this many errors are printed; the rest are counted.
const MAX_SHOWN: usize = 10;

fn render_all(ds: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in ds.iter().take(MAX_SHOWN).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.render());
    }
    if ds.len() > MAX_SHOWN {
        out.push_str(&format!("\nerror: {} more errors not shown; fix the ones above first\n", ds.len() - MAX_SHOWN));
    }
    out.trim_end().to_string()
}

/// A shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
