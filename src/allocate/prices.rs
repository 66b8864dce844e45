//! True shadow prices, and what loosening a binding limit actually changes.
//!
//! A limit's shadow price is d(objective)/d(limit). Where the optimal duals are unique (the
//! prices read off microlp's vertex fix every binding row, [`vertex::at_vertex`]) the value of the
//! allocation is differentiable in the limit and the dual is that derivative, the same both ways.
//! At a degenerate optimum the duals form a range and a solver returns any point of it (clarabel's
//! interior point returns the middle), so a limit that cannot help can get a price. There the
//! price is the one a re-solve supports: the LP (all-or-nothing choices fixed) is solved again with
//! the limit moved by one unit ([`delta`]) the way that loosens it — a cap up, a floor down, general
//! revenue up — and the price is the objective's change per yen. A limit whose loosening changes
//! nothing gets 0.
//!
//! With [`Options::effects`], for every binding limit with a price the LP is also solved with the
//! limit loosened by one [`price_step`] (1億円 in 億円 displays): the programs whose funding moves,
//! and the reserve, the drawdown and the deposit, are what the price sentences and `waku explain`
//! state.
//!
//! Where the model is solved whole (not through the working set), those re-solves are warm steps:
//! the LP is solved once, and each moved limit is a dual simplex step from that optimum
//! ([`Stepper`], switched off by `WAKU_NO_WARM_STEPS`), a few pivots instead of a solve.

use std::sync::OnceLock;

use rayon::prelude::*;

use super::Options;
use super::backend::Stepper;
use super::model::{Model, Row, Sense, VarKind};
use super::solve::{RawSolution, Solver};
use super::{vertex, workset};
use crate::constraint::{Effect, ProgramChange, price_step};
use crate::money::Money;
use crate::scenario::{FundDraw, Scenario};

/// Whether some variable of `row` can move: a row of constants, of all-or-nothing choices (fixed
/// when pricing) or of the drawdown under `[fund] draw = "never"` limits nothing the allocation
/// decides, and is never reported binding.
pub(crate) fn has_free(model: &Model, sc: &Scenario, row: &Row) -> bool {
    row.terms.iter().any(|&(v, c)| {
        let var = &model.vars[v];
        c != 0.0 && !var.integer && var.lo < var.hi && !(v == model.drawdown && sc.fund.draw == FundDraw::Never)
    })
}

/// The amount (model units) a limit is moved by to price it: one rounding unit, at least a
/// thousandth of the model unit (below that the solvers' tolerances show in the difference).
pub fn delta(model: &Model) -> f64 {
    let unit = Money::from_decimal(model.rounding_unit.factor()).to_f64().max(1.0);
    (unit / model.scale).max(1e-3)
}

/// Which way loosens a row: +1 (raise a cap, more general revenue) or −1 (lower a floor).
pub fn loosening(sense: Sense) -> f64 {
    if sense == Sense::Ge { -1.0 } else { 1.0 }
}

/// The LP of `model` with its all-or-nothing choices fixed at `values`.
pub fn fixed_choices(model: &Model, values: &[f64]) -> Model {
    let mut m = model.clone();
    for (v, x) in m.vars.iter_mut().zip(values) {
        if v.integer {
            v.lo = x.round();
            v.hi = v.lo;
            v.integer = false;
        }
    }
    m
}

/// Solves `lp` (no integers) at a vertex: microlp, through the working set when it is large.
fn vertex_solve(lp: &Model, options: Options) -> Option<Vec<f64>> {
    workset::solve(lp, Options { solver: Solver::Microlp, ..options }).ok().map(|raw| raw.values)
}

/// Whether row `k` is at its limit at `x` (within the rounding unit), or an identity.
fn at_limit(model: &Model, row: &Row, x: &[f64]) -> bool {
    let slack = match row.sense {
        Sense::Eq => return true,
        Sense::Le => row.rhs - model.row_activity(row, x),
        Sense::Ge => model.row_activity(row, x) - row.rhs,
    };
    slack <= 10.0 * delta(model) + 1e-9 * row.rhs.abs()
}

/// The LP's re-solves with one limit moved: by a warm step from its optimum ([`Stepper`]) where
/// the model is small enough to be solved whole, else each from scratch (through the working set).
struct Resolver {
    lp: Model,
    options: Options,
    movable: Vec<usize>,
    stepper: OnceLock<Option<Stepper>>,
}

/// Whether the re-solves step from the optimum: warm steps on and the model solved whole.
fn warm(model: &Model, options: Options) -> bool {
    options.fast.warm_steps && (!options.fast.working_set || model.free_programs() <= workset::THRESHOLD)
}

/// The stepper's LP relaxation of `model`, to be solved beside the model itself when the
/// effects will need it ([`prices`] fixes its all-or-nothing choices at the solution's).
pub(crate) fn relaxed_stepper(model: &Model, sc: &Scenario, options: Options) -> Option<Stepper> {
    (options.effects && warm(model, options))
        .then(|| Stepper::relaxed(model, &movable(model, sc), |k| loosening(model.rows[k].sense)))
        .flatten()
}

/// The rows whose limit the allocation can move ([`has_free`]): the ones that may be priced.
fn movable(model: &Model, sc: &Scenario) -> Vec<usize> {
    (0..model.rows.len()).filter(|&k| has_free(model, sc, &model.rows[k])).collect()
}

impl Resolver {
    fn stepper(&self) -> Option<&Stepper> {
        let warm = warm(&self.lp, self.options);
        self.stepper
            .get_or_init(|| {
                warm.then(|| Stepper::new(&self.lp, &self.movable, |k| loosening(self.lp.rows[k].sense))).flatten()
            })
            .as_ref()
    }

    /// An optimum of the LP as it is: the stepper's, or a solve from scratch.
    fn base(&self) -> Option<Vec<f64>> {
        match self.stepper() {
            Some(s) => Some(s.base.clone()),
            None => vertex_solve(&self.lp, self.options),
        }
    }

    /// The optimum with row `k` loosened by `amount`, and the optimum it is to be compared with
    /// (`base` unless the step came from the stepper, whose own optimum it started from).
    fn moved<'b>(&'b self, k: usize, amount: f64, base: &'b [f64]) -> Option<(Vec<f64>, &'b [f64])> {
        if let Some(s) = self.stepper() {
            if let Some(x) = s.step(k, amount) {
                return Some((x, &s.base));
            }
        }
        let mut m = self.lp.clone();
        m.rows[k].rhs += loosening(m.rows[k].sense) * amount;
        vertex_solve(&m, self.options).map(|x| (x, base))
    }
}

/// The limits loosened for their effects, once the prices are known ([`prices`]): what
/// [`Loosening::effects`] computes can run beside the rest of the allocation's assembly.
pub(crate) struct Loosening<'a> {
    model: &'a Model,
    sc: &'a Scenario,
    resolver: Resolver,
    base: Vec<f64>,
    rows: Vec<usize>,
}

impl Loosening<'_> {
    /// Per model row, what loosening it by one [`price_step`] changes (binding rows with a price).
    pub(crate) fn effects(&self) -> Vec<Option<Effect>> {
        let (model, sc) = (self.model, self.sc);
        let mut effects = vec![None; model.rows.len()];
        let step = price_step(sc.display_unit);
        let step_units = step.to_f64() / model.scale;
        let loosened: Vec<(usize, Option<Effect>)> = self
            .rows
            .par_iter()
            .map(|&k| {
                let e = self
                    .resolver
                    .moved(k, step_units, &self.base)
                    .map(|(x, from)| effect(model, sc, from, &x, step, model.rows[k].sense));
                (k, e)
            })
            .collect();
        for (k, e) in loosened {
            effects[k] = e;
        }
        effects
    }
}

/// The true prices at the optimum `raw`, and, with [`Options::effects`], the limits to loosen for
/// their effects.
pub(crate) fn prices<'a>(
    model: &'a Model,
    sc: &'a Scenario,
    options: Options,
    raw: &mut RawSolution,
    relaxed: Option<Stepper>,
) -> (Option<Vec<f64>>, Option<Loosening<'a>>) {
    let n = model.rows.len();
    let lp = fixed_choices(model, &raw.values);
    let movable = movable(model, sc);
    let stepper = OnceLock::new();
    if let Some(s) = relaxed.and_then(|r| r.fixed(model, &raw.values)) {
        let _ = stepper.set(Some(s));
    }
    let resolver = Resolver { lp, options, movable, stepper };
    let lp = &resolver.lp;
    // microlp's answer is a vertex already: when its duals are unique, no solve is needed here.
    let at_raw = if options.fast.vertex_prices { vertex::at_vertex(lp, &raw.values) } else { None };
    let (base, at_base) = match at_raw {
        Some(d) => (raw.values.clone(), Some(d)),
        None => match resolver.base() {
            Some(base) => {
                let d = if options.fast.vertex_prices { vertex::at_vertex(lp, &base) } else { None };
                (base, d)
            }
            None => {
                raw.complete_duals(model);
                return (raw.duals.clone(), None);
            }
        },
    };
    let relevant: Vec<usize> =
        resolver.movable.iter().copied().filter(|&k| at_limit(model, &model.rows[k], &base)).collect();
    // Unique duals at the vertex are the derivative both ways; otherwise one re-solve per row.
    let duals = match at_base {
        Some(d) => d,
        None => {
            let d = delta(model);
            let mut duals = vec![0.0; n];
            // Each row's re-solve stands alone: they run in parallel, each result in its row.
            let solved: Vec<(usize, Option<f64>)> = relevant
                .par_iter()
                .map(|&k| (k, resolver.moved(k, d, &base).map(|(x, from)| lp.objective(&x) - lp.objective(from))))
                .collect();
            for (k, gain) in solved {
                if let Some(gain) = gain {
                    // d(objective)/d(limit) per model unit = per yen of value per yen of limit.
                    duals[k] = gain / (loosening(model.rows[k].sense) * d);
                }
            }
            duals
        }
    };
    let rows: Vec<usize> = relevant.into_iter().filter(|&k| options.effects && duals[k].abs() >= 1e-6).collect();
    let loosening = (!rows.is_empty()).then_some(Loosening { model, sc, resolver, base, rows });
    (Some(duals), loosening)
}

/// What changed between the optimum `base` and `x`, the optimum with the limit loosened by `step`.
fn effect(model: &Model, sc: &Scenario, base: &[f64], x: &[f64], step: Money, sense: Sense) -> Effect {
    let unit = Money::from_decimal(model.rounding_unit.factor()).max(Money::yen(1000));
    let money = |units: f64| {
        let m = Money::from_f64(units * model.scale).unwrap_or(Money::ZERO);
        if m.abs() < unit { Money::ZERO } else { m }
    };
    let mut programs = Vec::new();
    for (v, var) in model.vars.iter().enumerate() {
        if let VarKind::Program { program, per_unit } = var.kind {
            let change = money((x[v] - base[v]) * per_unit);
            if !change.is_zero() {
                let p = &sc.programs[program];
                programs.push(ProgramChange { id: p.id.clone(), name: p.name.clone(), change });
            }
        }
    }
    programs.sort_by(|a, b| b.change.abs().cmp(&a.change.abs()).then_with(|| a.id.cmp(&b.id)));
    Effect {
        step: if sense == Sense::Ge { Money::ZERO - step } else { step },
        programs,
        reserve: money(x[model.reserve] - base[model.reserve]),
        drawdown: money(x[model.drawdown] - base[model.drawdown]),
        deposit: money(x[model.deposit] - base[model.deposit]),
    }
}
