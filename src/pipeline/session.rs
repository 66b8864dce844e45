//! Warm re-runs: a loaded scenario kept with its ruleset and its review, so that a what-if re-does
//! only what the change reaches.
//!
//! ```text
//! Session::open(path, options)  load → ruleset → review → allocate (a cold run, kept)
//! session.what_if(&["KEY=VALUE", …])
//!     every key the allocation's alone ─► the kept review, the allocation solved again
//!     `programs.ID.FIELD` (not `name`)  ─► those programs reviewed again, spliced in; allocated
//!     any other key                     ─► the ruleset and the whole review made again (cold)
//! ```
//!
//! What the review reads, from the code (`review::review_with`, `review::eval::view::Context`,
//! `Ruleset::for_scenario_from`): every program's fields, the bureaus' ids and names, the
//! clusters, the KPI table, the rounding unit, the fiscal year, the rule parameters and the rules
//! folder. A program's review reads its own fields and, of the other programs, only their names.
//! So the keys the review does not read ([`reads`] → [`Reads::Allocation`]) are
//! `revenue.*`, `fund.*` (the fund policy `fund.draw` too), `bonds.*`, `policy.*` (shares, caps,
//! `policy.style`, `policy.ceiling.*`, `balanced_band`, `max_cut_share` …), `fiscal.*`, a bureau's
//! `floor`, `ceiling`, `floor_ratio`, `ceiling_ratio`, `retention_share`, `retention_cap` and
//! `max_cut_share`, and a proposal's `decision` (the proposals are settled after the allocation).
//! `programs.ID.FIELD` for any field but `name` re-reviews program `ID` alone
//! ([`Reads::Programs`]); everything else is [`Reads::Everything`].
//!
//! The variant is always loaded as `waku run --set` loads it (its `overrides` and warnings are
//! the real ones), and its allocation made by [`super::allocate_year`], so a what-if's outcome is
//! byte for byte the cold run's (`tests/warm.rs` holds it to that). The session's loads share a
//! [`scenario::TableCache`]: the files are read every time, the inventory and the KPI table parsed
//! again only when their text changed. The review is kept by what the `--set` keys reach, not by
//! what changed on disk: after editing the scenario's files, open a new session. The solve is not warm-started:
//! clarabel is an interior-point method without a warm start, microlp offers none through
//! `good_lp`, and a start from the previous vertex could end on another of equally good optima,
//! which the cold run would not print.
//!
//! A single year that is no stage of the budget cycle, allocated centrally: a plan, a stage or
//! another mode is an input error that says to run it cold.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::{Options, Stage, allocate_year, infeasible_as_data, ruleset_for};
use crate::diagnostic::Diagnostic;
use crate::fiscal::PlanOutcome;
use crate::review::{self, Review};
use crate::rules::Ruleset;
use crate::scenario::{self, LoadOptions, Scenario};
use crate::{Error, Result};

/// What a `--set KEY=VALUE` reaches of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reads {
    /// The allocation alone: the review is kept.
    Allocation,
    /// These programs' reviews (by id): they are reviewed again, the others kept.
    Programs(Vec<String>),
    /// The review (its rules, parameters, the names it shows): reviewed again in full.
    Everything,
}

/// Bureau fields the review never reads (the envelope's limits and the merit system's shares).
const BUREAU_LIMITS: &[&str] =
    &["floor", "ceiling", "floor_ratio", "ceiling_ratio", "retention_share", "retention_cap", "max_cut_share"];

/// What `KEY=VALUE` (or a bare key) reaches; see the module's documentation for the list.
pub fn reads(set: &str) -> Reads {
    let key = set.split_once('=').map_or(set, |(k, _)| k).trim();
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["revenue" | "fund" | "bonds" | "policy" | "fiscal", _, ..] => Reads::Allocation,
        ["departments", _, field] if BUREAU_LIMITS.contains(field) => Reads::Allocation,
        ["proposals", _, "decision"] => Reads::Allocation,
        ["programs", id, field] if *field != "name" && *field != "id" => Reads::Programs(vec![id.to_string()]),
        _ => Reads::Everything,
    }
}

/// What a list of keys reaches together.
fn reads_all(set: &[String]) -> Reads {
    let mut programs: Vec<String> = Vec::new();
    for s in set {
        match reads(s) {
            Reads::Allocation => {}
            Reads::Programs(ids) => {
                for id in ids {
                    if !programs.contains(&id) {
                        programs.push(id);
                    }
                }
            }
            Reads::Everything => return Reads::Everything,
        }
    }
    if programs.is_empty() { Reads::Allocation } else { Reads::Programs(programs) }
}

/// A scenario loaded, reviewed and allocated, kept for what-ifs.
#[derive(Debug)]
pub struct Session {
    path: PathBuf,
    options: Options,
    scenario: Scenario,
    ruleset: Ruleset,
    review: Review,
    allocated: std::result::Result<PlanOutcome, Box<Diagnostic>>,
}

/// A what-if's outcome: the variant, its review (the session's when the change did not reach it)
/// and its allocation, or why its limits cannot all hold.
#[derive(Debug)]
pub struct WhatIf<'a> {
    pub scenario: Scenario,
    pub review: Cow<'a, Review>,
    /// What was made again: [`Reads::Allocation`] when the review was kept.
    pub reviewed: Reads,
    pub allocated: std::result::Result<PlanOutcome, Box<Diagnostic>>,
}

impl WhatIf<'_> {
    /// `waku run --format json` of the variant (infeasible limits as [`Error::Infeasible`]).
    pub fn json(&self) -> Result<String> {
        super::year_json(self.allocated.as_ref().map_err(|d| Error::Infeasible(d.clone()))?)
    }
}

impl Session {
    /// Loads, reviews and allocates the single-year scenario at `path` as [`super::run`] does.
    pub fn open(path: &Path, options: &Options) -> Result<Session> {
        if options.stage != Stage::Allocate || options.mode != super::Mode::Central || options.review.program.is_some()
        {
            return Err(Error::input(
                Diagnostic::error("a warm session reviews every program and allocates centrally")
                    .hint("open it with `Stage::Allocate`, `Mode::Central` and no `review.program`"),
            ));
        }
        // The session's loads share one table cache: a what-if reads the scenario's files again
        // but parses the inventory and the KPI table only when their text changed.
        let mut options = options.clone();
        options.load.tables.get_or_insert_with(Default::default);
        let options = &options;
        let scenario = scenario::load_with(path, &options.load)?;
        if scenario.cycle.is_some() {
            return Err(Error::input(
                Diagnostic::error(format!(
                    "`{}` is a stage of the budget cycle: a warm session keeps a plain year",
                    crate::diagnostic::Source::display_path(path)
                ))
                .hint("run the stage cold with `pipeline::run_stages`"),
            ));
        }
        let ruleset = ruleset_for(&scenario, options)?;
        let review = review::review_with(&scenario, &ruleset, &options.review)?;
        let allocated = infeasible_as_data(allocate_year(&scenario, &review, &options.allocate))?;
        Ok(Session { path: path.to_path_buf(), options: options.clone(), scenario, ruleset, review, allocated })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn review(&self) -> &Review {
        &self.review
    }

    pub fn ruleset(&self) -> &Ruleset {
        &self.ruleset
    }

    /// The kept allocation, or why its limits cannot all hold.
    pub fn allocated(&self) -> std::result::Result<&PlanOutcome, &Diagnostic> {
        self.allocated.as_ref().map_err(|d| &**d)
    }

    /// `waku run --format json` of the kept scenario.
    pub fn json(&self) -> Result<String> {
        super::year_json(self.allocated.as_ref().map_err(|d| Error::Infeasible(d.clone()))?)
    }

    /// The session's scenario with `set` applied after its own `--set` keys: the variant reviewed
    /// only as far as the keys reach ([`reads`]) and allocated.
    pub fn what_if(&self, set: &[String]) -> Result<WhatIf<'_>> {
        let mut load = self.options.load.clone();
        load.set.extend(set.iter().cloned());
        self.variant(&load, reads_all(set))
    }

    /// Makes the what-if `set` the session's scenario (its keys join the session's own).
    pub fn apply(&mut self, set: &[String]) -> Result<Reads> {
        let mut load = self.options.load.clone();
        load.set.extend(set.iter().cloned());
        let w = self.variant(&load, reads_all(set))?;
        let (scenario, review, reviewed, allocated) = (w.scenario, w.review.into_owned(), w.reviewed, w.allocated);
        if reviewed == Reads::Everything {
            self.ruleset = ruleset_for(&scenario, &Options { load: load.clone(), ..self.options.clone() })?;
        }
        self.options.load = load;
        self.scenario = scenario;
        self.review = review;
        self.allocated = allocated;
        Ok(reviewed)
    }

    fn variant(&self, load: &LoadOptions, reach: Reads) -> Result<WhatIf<'_>> {
        let sc = scenario::load_with(&self.path, load)?;
        let same_programs = sc.programs.len() == self.scenario.programs.len()
            && sc.programs.iter().zip(&self.scenario.programs).all(|(a, b)| a.id == b.id);
        // A program named otherwise than by its id, or a program list that changed: reviewed in full.
        let reach = match reach {
            Reads::Programs(ids) if !ids.iter().all(|id| sc.program(id).is_some()) => Reads::Everything,
            _ if !same_programs => Reads::Everything,
            r => r,
        };
        let review: Cow<'_, Review> = match &reach {
            Reads::Allocation => Cow::Borrowed(&self.review),
            Reads::Programs(ids) => {
                let mut r = self.review.clone();
                for id in ids {
                    let options = review::Options { program: Some(id.clone()), ..self.options.review.clone() };
                    let one = review::review_with(&sc, &self.ruleset, &options)?;
                    let at = sc.programs.iter().position(|p| &p.id == id);
                    match (at, one.programs.into_iter().next()) {
                        (Some(i), Some(p)) => r.programs[i] = p,
                        _ => return Err(Error::internal(format!("program `{id}` was reviewed but not found"))),
                    }
                }
                // What the scripts printed is not kept across what-ifs.
                let _ = self.ruleset.printed.take();
                Cow::Owned(r)
            }
            Reads::Everything => {
                let options = Options { load: load.clone(), ..self.options.clone() };
                let ruleset = ruleset_for(&sc, &options)?;
                Cow::Owned(review::review_with(&sc, &ruleset, &self.options.review)?)
            }
        };
        let allocated = infeasible_as_data(allocate_year(&sc, &review, &self.options.allocate))?;
        Ok(WhatIf { scenario: sc, review, reviewed: reach, allocated })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_the_review_does_not_read_keep_it() {
        for k in [
            "revenue.general_revenue=-2%",
            "policy.investment_cap=600億円",
            "policy.style=balanced",
            "policy.ceiling.mandatory=1.1",
            "fund.draw=last_resort",
            "departments.kodomo.floor=10億円",
            "fiscal.interest=1億円",
            "proposals.P01.decision=adopt",
        ] {
            assert_eq!(reads(k), Reads::Allocation, "{k}");
        }
        assert_eq!(reads("programs.K0001.requested=1億円"), Reads::Programs(vec!["K0001".into()]));
        for k in ["programs.K0001.name=x", "parameters.cut=0.1", "departments.kodomo.name=x", "fiscal_year=2027"] {
            assert_eq!(reads(k), Reads::Everything, "{k}");
        }
    }
}
