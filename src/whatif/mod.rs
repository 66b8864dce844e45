//! What-if work of a budget officer: compare a variant with its base ([`diff`]), state what must
//! hold of an outcome ([`expect`]), read the outcome's indicators ([`indicators`]), and run many
//! variants at once ([`sweep`], with the variation names of [`vary`]).
//!
//! Everything here works on the outcomes of [`crate::pipeline`] (scenario → review → allocation,
//! with `[fiscal]` limits held as `waku run` holds them); it never changes how a single scenario is
//! reviewed or allocated.

pub mod diff;
pub mod expect;
pub mod indicators;
pub mod rules;
pub mod sweep;
pub mod vary;
