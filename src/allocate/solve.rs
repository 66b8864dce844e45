//! Solver backends behind one value, [`Solver`]: the model goes in, primal values and duals come out.
//!
//! * `clarabel` (pure Rust, interior point): LPs, with duals. The default for models without
//!   all-or-nothing programs: 20 ms at 3,000 programs and 1.3 s at 100,000 (DESIGN.md). Asked for
//!   a MILP, it decides the all-or-nothing programs by branch and bound over its LP relaxations
//!   ([`super::branch`]).
//! * `microlp` (pure Rust, simplex with branch and bound): the default when all-or-nothing
//!   programs make the model a MILP. It gives no duals: the shadow prices are read off its optimal
//!   vertex ([`super::vertex`]). When the vertex leaves them open (degenerate), the solution says
//!   so, and a caller that needs them (the working set's reduced costs, the infeasibility
//!   diagnosis, the prices when their re-solves fail) has clarabel solve the LP with the integers
//!   fixed for them ([`RawSolution::complete_duals`]; the allocation's `solver` then says
//!   `microlp+clarabel`). The shadow prices themselves come from re-solves ([`super::prices`]),
//!   so most degenerate solves never need clarabel. When microlp stops
//!   for numerical reasons, clarabel's branch and bound decides the integers instead, and the
//!   allocation's `solver` says `… (microlp stopped)`.
//! * `highs` (C++, behind the `highs` cargo feature): LP and MILP with duals.
//!
//! Floating-point numbers exist only between [`solve`] and the rounding in [`super::rounding`].

use std::fmt;

pub(crate) use super::backend::{Failure, RawSolution, clarabel, microlp};
use super::backend::{duals_at, highs};
use super::branch;
use super::model::Model;

/// Which solver to use. `auto` picks by measurement: clarabel for LPs, microlp for MILPs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// clarabel for LPs, microlp when there are all-or-nothing programs.
    #[default]
    Auto,
    /// Interior point, pure Rust; all-or-nothing programs by branch and bound over its relaxations.
    Clarabel,
    /// Simplex and branch and bound, pure Rust.
    Microlp,
    /// HiGHS (needs the `highs` cargo feature).
    Highs,
}

impl Solver {
    /// The name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Auto => "auto",
            Solver::Clarabel => "clarabel",
            Solver::Microlp => "microlp",
            Solver::Highs => "highs",
        }
    }

    /// Whether this build can use the solver.
    pub fn available(self) -> bool {
        self != Solver::Highs || cfg!(feature = "highs")
    }

    /// The concrete solver `auto` stands for on `model`.
    pub(crate) fn resolve(self, model: &Model) -> Solver {
        match self {
            Solver::Auto if model.has_integers() => Solver::Microlp,
            Solver::Auto => Solver::Clarabel,
            other => other,
        }
    }
}

impl fmt::Display for Solver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Solves `model` with `options.solver` (and the vertex prices unless they are switched off).
pub(crate) fn solve(model: &Model, options: super::Options) -> Result<RawSolution, Failure> {
    let vertex = options.fast.vertex_prices;
    match options.solver.resolve(model) {
        Solver::Auto | Solver::Clarabel if model.has_integers() => branch::solve(model),
        Solver::Auto | Solver::Clarabel => clarabel(model, None),
        Solver::Microlp => match microlp(model) {
            // The duals the vertex leaves open wait until a caller needs them (most do not: the
            // prices re-solve instead, `prices::prices`).
            Ok(values) => Ok(match vertex.then(|| super::vertex::at_vertex(model, &values)).flatten() {
                Some(duals) => RawSolution::new(values, Some(duals), "microlp"),
                None if vertex => RawSolution { values, duals: None, solver: "microlp".into(), open_duals: true },
                None => {
                    let (duals, how) = duals_at(model, &values, vertex);
                    RawSolution::new(values, duals, format!("microlp{how}"))
                }
            }),
            // microlp's branch and bound can stop on a numerical guard (an integral point it
            // rejects as infeasible, "… after slack-basis retry"): that is no verdict on the
            // limits, so decide the integers with clarabel instead and say so in the name.
            Err(Failure::Other(_)) if model.has_integers() => branch::solve(model).map(|mut raw| {
                raw.solver = format!("{} (microlp stopped)", raw.solver);
                raw
            }),
            Err(e) => Err(e),
        },
        Solver::Highs => highs(model, vertex),
    }
}
