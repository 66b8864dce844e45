//! Large models: solve a small working set of programs exactly and prove the rest sit at their bounds.
//!
//! In a budget of 100,000 programs nearly every program ends at its review minimum or maximum;
//! only a handful are marginal. The working-set method (a form of sifting):
//!
//! 1. **Guess the prices.** Programs are grouped by the limits they count in, and within a group
//!    bucketed by priority per yen of general revenue; each bucket moves as one (all its programs
//!    at the same fraction of their range). This compressed LP (a restriction of the real one)
//!    gives approximate shadow prices.
//! 2. **Classify.** Each program's reduced cost at those prices says whether it wants its maximum
//!    or its minimum. The programs nearest to indifference form the working set; the others are
//!    fixed at the bound they want.
//! 3. **Solve and prove.** The LP over the working set (fixed programs as constants) is solved with
//!    the chosen backend. With its shadow prices, every fixed program's reduced cost must have the
//!    sign of its bound (KKT conditions of the full LP). Programs that fail join the working set and
//!    the LP is solved again; when none fail, the answer is optimal for the full model.
//!
//! Any setback (a compressed or restricted LP without a solution, too many rounds) falls back to
//! solving the full model, so the method changes the speed, never the answer.

use super::Options;
use super::model::{Model, Row, Var, VarKind};
use super::solve::{self, Failure, RawSolution, Solver};
use super::vertex;

/// Models with more continuous program variables than this use the working set.
pub(crate) const THRESHOLD: usize = 4_000;
/// Buckets per group in the compressed LP.
const BUCKETS: usize = 24;
/// Reduced cost (value per model unit) beyond which a program is firmly at a bound.
const EPS: f64 = 1e-7;
const MAX_ROUNDS: usize = 24;
/// At most this many programs join the working set per round.
const JOIN_PER_ROUND: usize = 1_000;
/// Programs at a bound kept in the set for the integer solve, nearest to indifference first.
const KEEP_NEAREST: usize = 500;

/// Solves `model`, using the working set when it is large.
pub(crate) fn solve(model: &Model, options: Options) -> Result<RawSolution, Failure> {
    let candidates: Vec<usize> = (0..model.vars.len()).filter(|&v| is_candidate(&model.vars[v])).collect();
    if !options.fast.working_set || candidates.len() <= THRESHOLD || options.solver == Solver::Highs {
        return solve::solve(model, options);
    }
    match working_set(model, options, &candidates) {
        Some(raw) => Ok(raw),
        None => solve::solve(model, options),
    }
}

fn is_candidate(v: &Var) -> bool {
    matches!(v.kind, VarKind::Program { .. }) && !v.integer && v.lo.is_finite() && v.hi.is_finite()
}

/// Column view of the model: for each variable, the rows it appears in.
fn columns(model: &Model) -> Vec<Vec<(usize, f64)>> {
    let mut cols = vec![Vec::new(); model.vars.len()];
    for (k, row) in model.rows.iter().enumerate() {
        for &(v, c) in &row.terms {
            cols[v].push((k, c));
        }
    }
    cols
}

fn reduced_cost(model: &Model, cols: &[Vec<(usize, f64)>], duals: &[f64], v: usize) -> f64 {
    model.vars[v].obj - cols[v].iter().map(|&(k, a)| a * duals[k]).sum::<f64>()
}

/// A model over `keep` variables; the others are constants at `value`. Returns the model and the
/// original index of each of its variables.
fn restrict(model: &Model, keep: &[bool], value: &[f64]) -> (Model, Vec<usize>) {
    let mut new_index = vec![usize::MAX; model.vars.len()];
    let mut old_of = Vec::new();
    let mut vars = Vec::new();
    for (v, var) in model.vars.iter().enumerate() {
        if keep[v] {
            new_index[v] = vars.len();
            old_of.push(v);
            vars.push(var.clone());
        }
    }
    let rows = model
        .rows
        .iter()
        .map(|row| {
            let mut rhs = row.rhs;
            let mut terms = Vec::new();
            for &(v, c) in &row.terms {
                if keep[v] {
                    terms.push((new_index[v], c));
                } else {
                    rhs -= c * value[v];
                }
            }
            Row { name: row.name.clone(), limit: row.limit, terms, sense: row.sense, rhs }
        })
        .collect();
    (Model { vars, rows, ..shell(model) }, old_of)
}

/// The model's bookkeeping without variables and rows (cheap to fill in).
fn shell(model: &Model) -> Model {
    Model {
        scale: model.scale,
        rounding_unit: model.rounding_unit,
        vars: Vec::new(),
        rows: Vec::new(),
        programs: Vec::new(),
        bounds: Vec::new(),
        priorities: Vec::new(),
        reserve: model.reserve,
        drawdown: model.drawdown,
        deposit: model.deposit,
        drawdown_limit: model.drawdown_limit,
        drawdown_floor: model.drawdown_floor,
        penalty: model.penalty,
        envelope_bounds: Vec::new(),
        absorbable: Vec::new(),
        bases: Vec::new(),
        requested: Vec::new(),
        department_of: Vec::new(),
        row_of: model.row_of.clone(),
        fixed_part: Vec::new(),
        limit_money: Vec::new(),
        style: None,
    }
}

/// Approximate shadow prices from the compressed LP.
fn guess_prices(model: &Model, cols: &[Vec<(usize, f64)>], candidates: &[usize]) -> Option<Vec<f64>> {
    let balance = model.row_of.get(&super::model::Limit::Balance).copied();
    // Group by the rows a program counts in (besides its coefficients).
    let mut groups: std::collections::BTreeMap<Vec<usize>, Vec<usize>> = std::collections::BTreeMap::new();
    for &v in candidates {
        groups.entry(cols[v].iter().map(|&(k, _)| k).collect()).or_default().push(v);
    }
    let mut keep = vec![true; model.vars.len()];
    for &v in candidates {
        keep[v] = false;
    }
    // Constants at the lower bound; buckets add θ × (hi − lo).
    let lo: Vec<f64> = model.vars.iter().map(|v| if v.lo.is_finite() { v.lo } else { 0.0 }).collect();
    let (mut m, _) = restrict(model, &keep, &lo);
    for v in &mut m.vars {
        v.integer = false;
    }
    for (_, mut members) in groups {
        let key = |v: usize| {
            let g = balance.and_then(|b| cols[v].iter().find(|c| c.0 == b)).map_or(0.0, |c| c.1);
            if g > 1e-12 { model.vars[v].obj / g } else { f64::INFINITY }
        };
        members.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        let per = members.len().div_ceil(BUCKETS).max(1);
        for chunk in members.chunks(per) {
            let idx = m.vars.len();
            let mut obj = 0.0;
            let mut coef: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
            for &v in chunk {
                let range = model.vars[v].hi - model.vars[v].lo;
                obj += model.vars[v].obj * range;
                for &(k, a) in &cols[v] {
                    *coef.entry(k).or_insert(0.0) += a * range;
                }
            }
            // The kind is irrelevant to the solvers; buckets exist only in this throwaway model.
            m.vars.push(Var {
                name: format!("bucket{idx}"),
                kind: VarKind::Reserve,
                lo: 0.0,
                hi: 1.0,
                integer: false,
                obj,
            });
            for (k, a) in coef {
                m.rows[k].terms.push((idx, a));
            }
        }
    }
    trace(|| format!("compressed LP: {} variables", m.vars.len()));
    // Prices at microlp's vertex when it determines them (a tenth of clarabel's time here), else
    // clarabel's: any optimal prices of this LP serve as the guess.
    let at_vertex = solve::microlp(&m).ok().and_then(|values| vertex::at_vertex(&m, &values));
    at_vertex.or_else(|| solve::clarabel(&m, None).ok().and_then(|s| s.duals))
}

/// Fixes working-set programs that the relaxed solution put at a bound, keeping the
/// [`KEEP_NEAREST`] nearest to indifference and every program strictly between its bounds.
#[allow(clippy::too_many_arguments)]
fn shrink(
    model: &Model,
    cols: &[Vec<(usize, f64)>],
    duals: &[f64],
    candidates: &[usize],
    old_of: &[usize],
    sub_values: &[f64],
    keep: &mut [bool],
    value: &mut [f64],
) {
    let mut at = vec![f64::NAN; model.vars.len()];
    for (i, &v) in old_of.iter().enumerate() {
        at[v] = sub_values[i];
    }
    let mut firm: Vec<(f64, usize, f64)> = Vec::new();
    for &v in candidates {
        if !keep[v] {
            continue;
        }
        let var = &model.vars[v];
        let tol = 1e-6 * (var.hi - var.lo).max(1e-9);
        let x = at[v];
        let bound = if x <= var.lo + tol {
            var.lo
        } else if x >= var.hi - tol {
            var.hi
        } else {
            continue;
        };
        firm.push((reduced_cost(model, cols, duals, v).abs(), v, bound));
    }
    firm.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for &(_, v, bound) in firm.iter().skip(KEEP_NEAREST) {
        keep[v] = false;
        value[v] = bound;
    }
    trace(|| {
        format!(
            "working set: {} programs fixed at a bound before the integer solve",
            firm.len().saturating_sub(KEEP_NEAREST)
        )
    });
}

/// With the `trace-workset` feature, `WAKU_TRACE_WORKSET=1` prints each step of the method with
/// its time on stderr (for tuning). Without it (every normal build) this does nothing: the library
/// never writes to stderr.
#[cfg(feature = "trace-workset")]
fn trace(what: impl FnOnce() -> String) {
    use std::sync::OnceLock;
    static START: OnceLock<Option<std::time::Instant>> = OnceLock::new();
    if let Some(start) = START.get_or_init(|| std::env::var_os("WAKU_TRACE_WORKSET").map(|_| std::time::Instant::now()))
    {
        eprintln!("{:>9.1} ms  {}", start.elapsed().as_secs_f64() * 1e3, what());
    }
}

#[cfg(not(feature = "trace-workset"))]
fn trace(_what: impl FnOnce() -> String) {}

fn working_set(model: &Model, options: Options, candidates: &[usize]) -> Option<RawSolution> {
    trace(|| format!("{} candidate programs", candidates.len()));
    let cols = columns(model);
    // The compressed LP relaxes the all-or-nothing choices and buckets them with the rest.
    let bucketed: Vec<usize> = (0..model.vars.len())
        .filter(|&v| {
            is_candidate(&model.vars[v])
                || (matches!(model.vars[v].kind, VarKind::Program { .. }) && model.vars[v].integer)
        })
        .collect();
    let prices = guess_prices(model, &cols, &bucketed)?;
    trace(|| "prices guessed".into());
    let n = model.vars.len();
    // Order candidates by how close they are to indifference.
    let mut rc: Vec<(f64, usize)> = candidates.iter().map(|&v| (reduced_cost(model, &cols, &prices, v), v)).collect();
    let mut keep = vec![true; n];
    let mut value = vec![0.0; n];
    for &(r, v) in &rc {
        keep[v] = false;
        value[v] = if r >= 0.0 { model.vars[v].hi } else { model.vars[v].lo };
    }
    rc.sort_by(|a, b| a.0.abs().total_cmp(&b.0.abs()).then(a.1.cmp(&b.1)));
    let mut size = (candidates.len() / 50).max(1_000).min(candidates.len());
    for &(_, v) in &rc[..size] {
        keep[v] = true;
    }
    // With all-or-nothing programs, when the first guess proves far off, the working set is
    // settled on the LP relaxation with clarabel (cheaper rounds); only then is the real model,
    // integers kept, solved on it again — so the costly integer solves run on a set that is right.
    let mut relaxed = false;
    for _ in 0..MAX_ROUNDS {
        let (mut sub, old_of) = restrict(model, &keep, &value);
        let res = if relaxed {
            for v in &mut sub.vars {
                v.integer = false;
            }
            solve::clarabel(&sub, None)
        } else {
            solve::solve(&sub, options)
        };
        trace(|| format!("working set: {} variables, relaxed {relaxed}, ok {}", sub.vars.len(), res.is_ok()));
        let mut raw = match res {
            Ok(raw) => raw,
            Err(Failure::Infeasible) if size < candidates.len() => {
                // Fixed programs made it infeasible: widen the set.
                size = (size * 4).min(candidates.len());
                for &(_, v) in &rc[..size] {
                    keep[v] = true;
                }
                continue;
            }
            Err(_) => return None,
        };
        // The reduced costs below need the prices, also where microlp's vertex leaves them open.
        raw.complete_duals(&sub);
        let duals = raw.duals.as_ref()?;
        // Programs fixed at the bound their reduced cost does not want; the worst join the set
        // (a bounded number per round: the prices move as they join, and most others then settle).
        let mut wrong: Vec<(f64, usize)> = candidates
            .iter()
            .filter(|&&v| !keep[v])
            .filter_map(|&v| {
                let r = reduced_cost(model, &cols, duals, v);
                let at_hi = value[v] == model.vars[v].hi;
                ((at_hi && r < -EPS) || (!at_hi && r > EPS)).then_some((r.abs(), v))
            })
            .collect();
        let violators = wrong.len();
        wrong.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, v) in wrong.iter().take(JOIN_PER_ROUND) {
            keep[v] = true;
        }
        trace(|| format!("working set: {violators} programs not at the bound their reduced cost wants"));
        if violators == 0 && relaxed {
            // The relaxation is settled. Before the integer solve, programs of the set that sit
            // firmly at a bound leave it (fixed there); the integer rounds bring back any that must move.
            shrink(model, &cols, duals, candidates, &old_of, &raw.values, &mut keep, &mut value);
            relaxed = false;
            continue;
        }
        if violators > JOIN_PER_ROUND && model.has_integers() {
            relaxed = true;
        }
        if violators == 0 {
            let mut values = value;
            for (i, &v) in old_of.iter().enumerate() {
                values[v] = raw.values[i];
            }
            return Some(RawSolution::new(values, raw.duals, raw.solver));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::synthetic::{Shape, city};

    #[test]
    fn the_working_set_reaches_the_full_optimum() {
        for seed in [1, 2] {
            let (sc, review) = city(Shape { programs: 12_000, departments: 20, all_or_nothing: false, seed });
            let model = Model::build(&sc, &review).expect("model");
            let full = solve::solve(&model, Options { solver: Solver::Clarabel, ..Options::default() }).expect("full");
            let ws = solve(&model, Options { solver: Solver::Clarabel, ..Options::default() }).expect("working set");
            let (a, b) = (model.objective(&full.values), model.objective(&ws.values));
            let rel = (a - b).abs() / a.abs().max(1.0);
            assert!(rel < 1e-7, "seed {seed}: full {a} vs working set {b} (rel {rel:e})");
        }
    }

    #[test]
    fn with_all_or_nothing_programs_the_working_set_reaches_the_full_optimum() {
        let (sc, review) = city(Shape { programs: 10_000, departments: 20, all_or_nothing: true, seed: 3 });
        let model = Model::build(&sc, &review).expect("model");
        assert!(model.has_integers());
        let full = solve::solve(&model, Options { solver: Solver::Microlp, ..Options::default() }).expect("full");
        let ws = solve(&model, Options { solver: Solver::Microlp, ..Options::default() }).expect("working set");
        let (a, b) = (model.objective(&full.values), model.objective(&ws.values));
        let rel = (a - b).abs() / a.abs().max(1.0);
        assert!(rel < 1e-7, "full {a} vs working set {b} (rel {rel:e})");
    }
}
