//! Two views of an allocation every budget book prints, computed from its programs so they equal
//! them to the yen: the totals by kind of expense (性質別: 人件費, 扶助費, …), and each bureau's
//! budget this year against last year's (前年度当初 → 本年度). Neither moves money: they sum the
//! programs as allocated.

use std::collections::HashMap;

use serde::Serialize;

use super::{Envelope, ProgramAllocation};
use crate::money::Money;
use crate::scenario::Nature;

/// The programs of one kind of expense (性質別).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindTotal {
    /// 人件費, 扶助費, …; `null` for the programs whose inventory row does not say (未分類).
    pub nature: Option<Nature>,
    pub programs: usize,
    /// 前年度当初: last year's budget of these programs.
    pub prior_cost: Money,
    pub requested: Money,
    /// 本年度: cost allocated.
    pub allocated: Money,
    /// The general revenue (一般財源) of what is allocated.
    pub general_revenue: Money,
}

impl KindTotal {
    /// The Japanese name of the kind, `未分類` when the inventory does not class the programs.
    pub fn label(&self) -> &'static str {
        self.nature.map_or("未分類", Nature::label)
    }
}

/// One bureau's budget (事業費, every program it owns) this year against last year's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BureauYear {
    pub department: String,
    pub name: String,
    /// 前年度当初: Σ last year's budget of its programs.
    pub prior_cost: Money,
    pub requested: Money,
    /// 本年度: Σ cost allocated to its programs.
    pub allocated: Money,
    /// 増減: allocated − prior_cost.
    pub change: Money,
}

/// The programs' totals by kind of expense, in the order of a budget book's 性質別 table (the
/// kinds without programs left out), the unclassed last.
pub fn by_kind(programs: &[ProgramAllocation]) -> Vec<KindTotal> {
    let kinds: Vec<Option<Nature>> = Nature::ALL.into_iter().map(Some).chain([None]).collect();
    let mut totals: Vec<KindTotal> = kinds
        .iter()
        .map(|&nature| KindTotal {
            nature,
            programs: 0,
            prior_cost: Money::ZERO,
            requested: Money::ZERO,
            allocated: Money::ZERO,
            general_revenue: Money::ZERO,
        })
        .collect();
    // One pass, each program added to its kind in order.
    for p in programs {
        let Some(t) = kinds.iter().position(|k| *k == p.nature).map(|i| &mut totals[i]) else { continue };
        t.programs += 1;
        t.prior_cost += p.prior_cost;
        t.requested += p.requested;
        t.allocated += p.allocated;
        t.general_revenue += p.general_revenue;
    }
    totals.retain(|t| t.programs > 0);
    totals
}

/// Each bureau's budget against last year's, in the order of the envelopes.
pub fn by_bureau(envelopes: &[Envelope], programs: &[ProgramAllocation]) -> Vec<BureauYear> {
    // One pass over the programs, each added to its bureau's sums in order.
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(envelopes.len());
    for e in envelopes {
        let next = index.len();
        index.entry(e.department.as_str()).or_insert(next);
    }
    let mut sums = vec![(Money::ZERO, Money::ZERO, Money::ZERO); index.len()];
    for p in programs {
        if let Some(&i) = index.get(p.department.as_str()) {
            let (prior_cost, requested, allocated) = &mut sums[i];
            *prior_cost += p.prior_cost;
            *requested += p.requested;
            *allocated += p.allocated;
        }
    }
    envelopes
        .iter()
        .map(|e| {
            let (prior_cost, requested, allocated) = sums[index[e.department.as_str()]];
            BureauYear {
                department: e.department.clone(),
                name: e.name.clone(),
                prior_cost,
                requested,
                allocated,
                change: allocated - prior_cost,
            }
        })
        .collect()
}
