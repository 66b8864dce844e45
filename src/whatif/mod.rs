//! What-if work of a budget officer: compare a variant with its base ([`diff`]), state what must
//! hold of an outcome ([`expect`]), read the outcome's indicators ([`indicators`]), and run many
//! variants at once ([`sweep`], with the variation names of [`vary`]).
//!
//! Everything here works on the outputs of the pipeline (scenario → review → allocation); it
//! never changes how a single scenario is reviewed or allocated.

pub mod diff;
pub mod expect;
pub mod indicators;
pub mod sweep;
mod text;
pub mod vary;

use crate::allocate::{self, Allocation};
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::{LoadOptions, Scenario};
use crate::{Error, Result};

/// One scenario taken through the pipeline: loaded, reviewed and (if the limits allow) allocated.
#[derive(Debug)]
pub struct Outcome {
    pub scenario: Scenario,
    pub review: Review,
    /// `Err` holds the diagnosis of an infeasible scenario (exit 1 for `run`; data for `test` and `sweep`).
    pub allocation: std::result::Result<Allocation, Box<crate::Diagnostic>>,
}

impl Outcome {
    /// Loads, reviews and allocates the scenario at `path`. Bad input is an error; infeasible limits are not.
    pub fn compute(
        path: &std::path::Path,
        options: &LoadOptions,
        allocate_options: &allocate::Options,
    ) -> Result<Outcome> {
        let scenario = crate::scenario::load_with(path, options)?;
        Outcome::of(scenario, allocate_options)
    }

    /// Reviews and allocates a loaded scenario.
    pub fn of(scenario: Scenario, allocate_options: &allocate::Options) -> Result<Outcome> {
        let ruleset = Ruleset::for_scenario(&scenario)?;
        let review = crate::review::review(&scenario, &ruleset)?;
        let allocation = match allocate::allocate(&scenario, &review, allocate_options) {
            Ok(a) => Ok(a),
            Err(Error::Infeasible(d)) => Err(d),
            Err(e) => return Err(e),
        };
        Ok(Outcome { scenario, review, allocation })
    }
}
