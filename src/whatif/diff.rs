//! `waku diff`: what moved between a base scenario and a variant, reconciled to the yen.
//!
//! Programs are matched by id, bureaus by id, constraints by name. Every list of moves comes
//! with its total, and [`Reconciliation`] states the identities that tie the moves to the
//! change in totals (Σ program general-revenue moves = change in total envelopes; Σ envelope
//! moves + reserve move = change in available; …), each checked exactly.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::indicators::{self, Quantity};
use crate::allocate::{Allocation, ConstraintKind};
use crate::money::{Money, Unit};
use crate::pipeline::YearOutcome;
use crate::review::Action;

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub path: String,
    pub city: String,
    pub scenario: String,
    pub fiscal_year: i32,
}

/// A figure before and after.
#[derive(Debug, Clone, Serialize)]
pub struct FigureChange {
    pub figure: String,
    pub base: Money,
    pub variant: Money,
    pub change: Money,
}

/// A bureau's envelope before and after.
#[derive(Debug, Clone, Serialize)]
pub struct EnvelopeChange {
    pub department: String,
    pub name: String,
    pub base: Money,
    pub variant: Money,
    pub change: Money,
}

/// A program whose cost or general revenue moved (a program in one side only counts as zero in the other).
#[derive(Debug, Clone, Serialize)]
pub struct ProgramChange {
    pub id: String,
    pub name: String,
    pub department: String,
    pub action: Option<Action>,
    pub allocated_base: Money,
    pub allocated_variant: Money,
    pub allocated_change: Money,
    pub general_revenue_base: Money,
    pub general_revenue_variant: Money,
    pub general_revenue_change: Money,
    /// In a budget-cycle stage: the program's disposition on each side (`①要求通り`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition_base: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition_variant: Option<String>,
}

/// The moves of the programs the variant gives one disposition (stages of the budget cycle).
#[derive(Debug, Clone, Serialize)]
pub struct DispositionMoves {
    /// `①要求通り`.
    pub disposition: String,
    /// How many programs of this disposition moved.
    pub programs: usize,
    pub cost_change: Money,
    pub general_revenue_change: Money,
    /// Their ids, largest general-revenue move first.
    pub ids: Vec<String>,
}

/// A program whose disposition changed between two stages.
#[derive(Debug, Clone, Serialize)]
pub struct DispositionChange {
    pub id: String,
    pub name: String,
    pub base: Option<String>,
    pub variant: Option<String>,
    /// The reason of the decision that holds in the variant, if any.
    pub reason: Option<String>,
}

/// A program whose review action changed.
#[derive(Debug, Clone, Serialize)]
pub struct ActionChange {
    pub id: String,
    pub name: String,
    pub base: Option<Action>,
    pub variant: Option<Action>,
}

/// A constraint that started or stopped binding, or whose limit moved.
#[derive(Debug, Clone, Serialize)]
pub struct ConstraintChange {
    pub name: String,
    pub label: String,
    pub binding_base: bool,
    pub binding_variant: bool,
    pub limit_base: Option<Money>,
    pub limit_variant: Option<Money>,
    /// The constrained amount (an envelope, the reserve, the drawdown…) on each side.
    pub value_base: Option<Money>,
    pub value_variant: Option<Money>,
    pub shadow_price_base: Option<f64>,
    pub shadow_price_variant: Option<f64>,
}

/// An indicator whose value or status changed.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorChange {
    pub id: String,
    pub base: Quantity,
    pub variant: Quantity,
    pub threshold: Option<Quantity>,
    pub within_threshold_base: bool,
    pub within_threshold_variant: bool,
}

/// One identity between the moves and the change in totals.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub what: String,
    pub sum_of_moves: Money,
    pub change_in_total: Money,
    pub holds: bool,
}

/// The identities; all hold for two valid allocations.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub identities: Vec<Identity>,
}

impl Reconciliation {
    pub fn holds(&self) -> bool {
        self.identities.iter().all(|i| i.holds)
    }
}

/// What moved between two allocations.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub base: Side,
    pub variant: Side,
    pub figures: Vec<FigureChange>,
    pub reserve_share_base: Decimal,
    pub reserve_share_variant: Decimal,
    /// Every bureau, largest move first (ties in scenario order).
    pub envelopes: Vec<EnvelopeChange>,
    /// Programs that moved, largest general-revenue move first (then cost move, then id).
    pub programs: Vec<ProgramChange>,
    pub actions: Vec<ActionChange>,
    /// When the variant is a stage of the budget cycle: the moves grouped by its dispositions
    /// (every disposition, in its order; empty otherwise).
    pub by_disposition: Vec<DispositionMoves>,
    /// Programs whose disposition changed (stages only).
    pub dispositions: Vec<DispositionChange>,
    pub constraints: Vec<ConstraintChange>,
    pub indicators: Vec<IndicatorChange>,
    pub reconciliation: Reconciliation,
    #[serde(skip)]
    pub display_unit: Unit,
    #[serde(skip)]
    pub program_unit: Unit,
}

fn side(o: &YearOutcome<'_>) -> Side {
    Side {
        path: crate::diagnostic::Source::display_path(&o.scenario.path),
        city: o.scenario.city.clone(),
        scenario: o.scenario.name.clone(),
        fiscal_year: o.scenario.fiscal_year,
    }
}

const FIGURE_NAMES: [&str; 12] = [
    "general_revenue",
    "fund_drawdown",
    "fund_deposit",
    "available",
    "total_envelopes",
    "reserve",
    "investment",
    "bond_issuance",
    "bond_balance_end",
    "fund_balance_end",
    "next_generation",
    "total_allocated",
];

/// Compares two allocated years: `a` is the base's allocation, `b` the variant's.
pub fn diff(base: &YearOutcome<'_>, a: &Allocation, variant: &YearOutcome<'_>, b: &Allocation) -> Diff {
    let money = |al: &Allocation, f: &str| match super::expect::figure(al, f) {
        Some(Quantity::Money(m)) => m,
        _ => Money::ZERO,
    };
    let figures = FIGURE_NAMES
        .iter()
        .map(|f| {
            let (x, y) = (money(a, f), money(b, f));
            FigureChange { figure: (*f).to_string(), base: x, variant: y, change: y - x }
        })
        .collect();

    let mut envelopes: Vec<EnvelopeChange> = Vec::new();
    let mut order: Vec<&str> = a.envelopes.iter().map(|e| e.department.as_str()).collect();
    order.extend(
        b.envelopes.iter().map(|e| e.department.as_str()).filter(|d| !a.envelopes.iter().any(|e| e.department == *d)),
    );
    for d in order {
        let x = a.envelopes.iter().find(|e| e.department == d);
        let y = b.envelopes.iter().find(|e| e.department == d);
        let (xb, yb) = (x.map_or(Money::ZERO, |e| e.amount), y.map_or(Money::ZERO, |e| e.amount));
        envelopes.push(EnvelopeChange {
            department: d.to_string(),
            name: x.or(y).map(|e| e.name.clone()).unwrap_or_default(),
            base: xb,
            variant: yb,
            change: yb - xb,
        });
    }
    envelopes.sort_by_key(|e| std::cmp::Reverse(e.change.abs()));

    let bp: BTreeMap<&str, _> = b.programs.iter().map(|p| (p.id.as_str(), p)).collect();
    let ap: BTreeMap<&str, _> = a.programs.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut programs = Vec::new();
    let ids = a
        .programs
        .iter()
        .map(|p| p.id.as_str())
        .chain(b.programs.iter().map(|p| p.id.as_str()).filter(|i| !ap.contains_key(i)));
    for id in ids {
        let (x, y) = (ap.get(id), bp.get(id));
        let get = |p: Option<&&crate::allocate::ProgramAllocation>| {
            p.map_or((Money::ZERO, Money::ZERO), |p| (p.allocated, p.general_revenue))
        };
        let ((xa, xg), (ya, yg)) = (get(x), get(y));
        if xa == ya && xg == yg {
            continue;
        }
        let any = x.or(y);
        programs.push(ProgramChange {
            id: id.to_string(),
            name: any.map(|p| p.name.clone()).unwrap_or_default(),
            department: any.map(|p| p.department.clone()).unwrap_or_default(),
            action: y.or(x).map(|p| p.action),
            allocated_base: xa,
            allocated_variant: ya,
            allocated_change: ya - xa,
            general_revenue_base: xg,
            general_revenue_variant: yg,
            general_revenue_change: yg - xg,
            disposition_base: disposition_of(base, id),
            disposition_variant: disposition_of(variant, id),
        });
    }
    programs.sort_by(|p, q| {
        q.general_revenue_change
            .abs()
            .cmp(&p.general_revenue_change.abs())
            .then(q.allocated_change.abs().cmp(&p.allocated_change.abs()))
            .then(p.id.cmp(&q.id))
    });

    let mut actions = Vec::new();
    let va: BTreeMap<&str, Action> =
        variant.review.programs.iter().map(|p| (p.id.as_str(), p.assessment.action)).collect();
    let ba: BTreeMap<&str, Action> =
        base.review.programs.iter().map(|p| (p.id.as_str(), p.assessment.action)).collect();
    let names: BTreeMap<&str, &str> = base
        .scenario
        .programs
        .iter()
        .chain(&variant.scenario.programs)
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    for p in
        base.review.programs.iter().chain(variant.review.programs.iter().filter(|p| !ba.contains_key(p.id.as_str())))
    {
        let (x, y) = (ba.get(p.id.as_str()).copied(), va.get(p.id.as_str()).copied());
        if x != y {
            actions.push(ActionChange {
                id: p.id.clone(),
                name: names.get(p.id.as_str()).map(|s| s.to_string()).unwrap_or_default(),
                base: x,
                variant: y,
            });
        }
    }

    let mut constraints = Vec::new();
    let bc: BTreeMap<&str, _> = b.constraints.iter().map(|c| (c.name.as_str(), c)).collect();
    let ac: BTreeMap<&str, _> = a.constraints.iter().map(|c| (c.name.as_str(), c)).collect();
    let cnames = a
        .constraints
        .iter()
        .map(|c| c.name.as_str())
        .chain(b.constraints.iter().map(|c| c.name.as_str()).filter(|n| !ac.contains_key(n)));
    for n in cnames {
        let (x, y) = (ac.get(n), bc.get(n));
        if x.or(y).is_some_and(|c| c.kind == ConstraintKind::Balance) {
            continue;
        }
        let (xb, yb) = (x.is_some_and(|c| c.binding), y.is_some_and(|c| c.binding));
        let (xl, yl) = (x.map(|c| c.limit), y.map(|c| c.limit));
        if xb != yb || ((xb || yb) && xl != yl) {
            constraints.push(ConstraintChange {
                name: n.to_string(),
                label: y.or(x).map(|c| c.label.clone()).unwrap_or_default(),
                binding_base: xb,
                binding_variant: yb,
                limit_base: xl,
                limit_variant: yl,
                value_base: x.map(|c| c.value),
                value_variant: y.map(|c| c.value),
                shadow_price_base: x.and_then(|c| c.shadow_price),
                shadow_price_variant: y.and_then(|c| c.shadow_price),
            });
        }
    }

    let ia = indicators::indicators(base.scenario, a);
    let ib = indicators::indicators(variant.scenario, b);
    let indicators = ia
        .iter()
        .zip(&ib)
        .filter(|(x, y)| x.value != y.value || x.within_threshold() != y.within_threshold())
        .map(|(x, y)| IndicatorChange {
            id: x.id.to_string(),
            base: x.value,
            variant: y.value,
            threshold: y.threshold,
            within_threshold_base: x.within_threshold(),
            within_threshold_variant: y.within_threshold(),
        })
        .collect();

    let by_disposition = group_by_disposition(variant, &programs);
    let dispositions = changed_dispositions(base, variant);
    let mut reconciliation = reconcile(a, b, &envelopes, &programs);
    if !by_disposition.is_empty() {
        let cost: Money = by_disposition.iter().map(|d| d.cost_change).sum();
        let gr: Money = by_disposition.iter().map(|d| d.general_revenue_change).sum();
        for (what, sum, total) in [
            ("Σ cost moves by disposition = change in total allocated", cost, b.total_allocated - a.total_allocated),
            (
                "Σ general-revenue moves by disposition = change in total envelopes",
                gr,
                b.envelopes.iter().map(|e| e.amount).sum::<Money>()
                    - a.envelopes.iter().map(|e| e.amount).sum::<Money>(),
            ),
        ] {
            reconciliation.identities.push(Identity {
                what: what.to_string(),
                sum_of_moves: sum,
                change_in_total: total,
                holds: sum == total,
            });
        }
    }
    Diff {
        base: side(base),
        variant: side(variant),
        figures,
        reserve_share_base: a.reserve_share,
        reserve_share_variant: b.reserve_share,
        envelopes,
        programs,
        actions,
        by_disposition,
        dispositions,
        constraints,
        indicators,
        reconciliation,
        display_unit: variant.scenario.display_unit,
        // Programs move by the rounding unit: 千円 shows every move of a 千円-rounded scenario.
        program_unit: if variant.scenario.rounding_unit.factor() >= Unit::Sen.factor() { Unit::Sen } else { Unit::Yen },
    }
}

/// A program's disposition in a stage (`None` outside the budget cycle).
fn disposition_of(o: &YearOutcome<'_>, id: &str) -> Option<String> {
    let (cycle, stage) = (o.scenario.cycle.as_ref()?, o.stage?);
    let p = stage.programs.iter().find(|p| p.id == id)?;
    Some(cycle.dispositions.get(p.disposition)?.name())
}

/// The moved programs grouped by the variant's disposition, in the dispositions' order; each
/// group's ids largest move first (the order of `programs`).
fn group_by_disposition(variant: &YearOutcome<'_>, programs: &[ProgramChange]) -> Vec<DispositionMoves> {
    let Some(cycle) = variant.scenario.cycle.as_ref().filter(|_| variant.stage.is_some()) else {
        return Vec::new();
    };
    let mut groups: Vec<DispositionMoves> = cycle
        .dispositions
        .iter()
        .map(|d| DispositionMoves {
            disposition: d.name(),
            programs: 0,
            cost_change: Money::ZERO,
            general_revenue_change: Money::ZERO,
            ids: Vec::new(),
        })
        .collect();
    let mut none = DispositionMoves {
        disposition: "（段階にない事業）".to_string(),
        programs: 0,
        cost_change: Money::ZERO,
        general_revenue_change: Money::ZERO,
        ids: Vec::new(),
    };
    for p in programs {
        let g = match p.disposition_variant.as_deref().and_then(|n| groups.iter().position(|g| g.disposition == n)) {
            Some(i) => &mut groups[i],
            None => &mut none,
        };
        g.programs += 1;
        g.cost_change += p.allocated_change;
        g.general_revenue_change += p.general_revenue_change;
        g.ids.push(p.id.clone());
    }
    if none.programs > 0 {
        groups.push(none);
    }
    groups
}

/// Programs whose disposition differs between the two sides, in the variant's order.
fn changed_dispositions(base: &YearOutcome<'_>, variant: &YearOutcome<'_>) -> Vec<DispositionChange> {
    let (Some(cycle), Some(stage)) = (variant.scenario.cycle.as_ref(), variant.stage) else { return Vec::new() };
    let mut out = Vec::new();
    for (ps, p) in stage.programs.iter().zip(&variant.scenario.programs) {
        let (x, y) = (disposition_of(base, &ps.id), disposition_of(variant, &ps.id));
        if x != y {
            out.push(DispositionChange {
                id: ps.id.clone(),
                name: p.name.clone(),
                base: x,
                variant: y,
                reason: ps.decision.map(|d| cycle.decisions[d].reason.clone()),
            });
        }
    }
    out
}

fn reconcile(
    a: &Allocation,
    b: &Allocation,
    envelopes: &[EnvelopeChange],
    programs: &[ProgramChange],
) -> Reconciliation {
    let total_env = |x: &Allocation| x.envelopes.iter().map(|e| e.amount).sum::<Money>();
    let env_moves: Money = envelopes.iter().map(|e| e.change).sum();
    let gr_moves: Money = programs.iter().map(|p| p.general_revenue_change).sum();
    let cost_moves: Money = programs.iter().map(|p| p.allocated_change).sum();
    let reserve_move = b.reserve - a.reserve;
    let identity = |what: &str, sum: Money, total: Money| Identity {
        what: what.to_string(),
        sum_of_moves: sum,
        change_in_total: total,
        holds: sum == total,
    };
    Reconciliation {
        identities: vec![
            identity(
                "Σ program general-revenue moves = change in total envelopes",
                gr_moves,
                total_env(b) - total_env(a),
            ),
            identity(
                "Σ envelope moves + reserve move = change in available",
                env_moves + reserve_move,
                b.available - a.available,
            ),
            identity(
                "general revenue + drawdown − deposit moves = change in available",
                (b.general_revenue - a.general_revenue) + (b.fund_drawdown - a.fund_drawdown)
                    - (b.fund_deposit - a.fund_deposit),
                b.available - a.available,
            ),
            identity(
                "Σ program cost moves = change in total allocated",
                cost_moves,
                b.total_allocated - a.total_allocated,
            ),
        ],
    }
}

impl Diff {
    /// Whether anything at all moved.
    pub fn is_empty(&self) -> bool {
        self.figures.iter().all(|f| f.change.is_zero())
            && self.programs.is_empty()
            && self.actions.is_empty()
            && self.dispositions.is_empty()
            && self.constraints.is_empty()
    }
}
