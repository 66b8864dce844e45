//! waku (枠): a rules engine for public budget allocation and autonomous department budgeting.
//!
//! The pipeline: [`scenario`] (load and validate) → [`review`] (six viewpoint rules and the
//! assessment policy, see [`rules`]) → [`allocate`] (envelopes and the mayor's reserve) →
//! [`autonomy`] (two levels: bureau envelopes, then each bureau's own policy inside its envelope) →
//! [`fiscal`] (soundness ratios, multi-year plans) → [`report`]; [`whatif`] compares, checks and
//! sweeps outcomes. The `waku` binary is a thin layer over this library ([`cli`]).
#![forbid(unsafe_code)]

pub mod allocate;
pub mod autonomy;
pub mod cli;
pub mod diagnostic;
pub mod files;
pub mod fiscal;
pub mod generate;
pub mod money;
pub mod report;
pub mod review;
pub mod rules;
pub mod scenario;
pub mod whatif;

pub use diagnostic::Diagnostic;
pub use money::{Money, Unit};

/// Every error the library returns. The exit code says which kind it is.
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
}

impl Error {
    /// One input diagnostic as an error.
    pub fn input(d: Diagnostic) -> Error {
        Error::Input(vec![d])
    }

    /// The process exit code: 2 for bad input, 1 for infeasible limits or failed checks.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Infeasible(_) | Error::ChecksFailed(_) => 1,
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
