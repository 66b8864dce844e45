//! Two views of an allocation every budget book prints, computed from its programs so they equal
//! them to the yen: the totals by kind of expense (性質別: 人件費, 扶助費, …), and each bureau's
//! budget this year against last year's (前年度当初 → 本年度). Neither moves money: they sum the
//! programs as allocated.

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
    let kinds = Nature::ALL.into_iter().map(Some).chain([None]);
    kinds
        .filter_map(|nature| {
            let of: Vec<&ProgramAllocation> = programs.iter().filter(|p| p.nature == nature).collect();
            (!of.is_empty()).then(|| KindTotal {
                nature,
                programs: of.len(),
                prior_cost: of.iter().map(|p| p.prior_cost).sum(),
                requested: of.iter().map(|p| p.requested).sum(),
                allocated: of.iter().map(|p| p.allocated).sum(),
                general_revenue: of.iter().map(|p| p.general_revenue).sum(),
            })
        })
        .collect()
}

/// Each bureau's budget against last year's, in the order of the envelopes.
pub fn by_bureau(envelopes: &[Envelope], programs: &[ProgramAllocation]) -> Vec<BureauYear> {
    envelopes
        .iter()
        .map(|e| {
            let of = || programs.iter().filter(|p| p.department == e.department);
            let prior_cost: Money = of().map(|p| p.prior_cost).sum();
            let allocated: Money = of().map(|p| p.allocated).sum();
            BureauYear {
                department: e.department.clone(),
                name: e.name.clone(),
                prior_cost,
                requested: of().map(|p| p.requested).sum(),
                allocated,
                change: allocated - prior_cost,
            }
        })
        .collect()
}
