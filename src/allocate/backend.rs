//! The solver backends themselves: the model handed to good_lp and solved once by clarabel (an
//! LP, with duals), microlp (with its integers; primal values) or HiGHS. Which one runs, and when
//! branch and bound decides the integers, is [`super::solve`]'s choice; [`super::branch`] solves
//! its relaxations here.

use good_lp::solvers::{DualValues, SolutionWithDual};
use good_lp::{Constraint, Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, variable};

use super::model::{Model, Sense};
use super::vertex;

/// What a solver returned.
#[derive(Debug, Clone)]
pub(crate) struct RawSolution {
    /// Per model variable, in scaled units.
    pub values: Vec<f64>,
    /// Per model row: d objective / d limit (value per yen); `None` when no dual was available.
    pub duals: Option<Vec<f64>>,
    /// The backend(s) that produced it, e.g. `microlp` or `microlp+clarabel`.
    pub solver: String,
    /// microlp's vertex left the duals open (degenerate): [`RawSolution::complete_duals`] has
    /// clarabel solve for them, only where a caller needs them.
    pub open_duals: bool,
}

impl RawSolution {
    /// A solution whose duals are known (or that has none).
    pub(crate) fn new(values: Vec<f64>, duals: Option<Vec<f64>>, solver: impl Into<String>) -> RawSolution {
        RawSolution { values, duals, solver: solver.into(), open_duals: false }
    }

    /// Solves for the duals microlp's vertex left open: clarabel solves the LP of `model` with the
    /// integers fixed at these values, and the solver's name says so (`microlp+clarabel`).
    pub(crate) fn complete_duals(&mut self, model: &Model) {
        if std::mem::take(&mut self.open_duals) {
            self.duals = clarabel(model, Some(&self.values)).ok().and_then(|s| s.duals);
            // After the backend's name, before what was done after it ("…; re-solved with …").
            let end = self.solver.find([';', ' ']).unwrap_or(self.solver.len());
            self.solver.insert_str(end, "+clarabel");
        }
    }
}

/// Why a solve produced no solution.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// The limits cannot all hold.
    Infeasible,
    /// The solver cannot handle this model or stopped without an answer.
    Other(String),
}

impl From<ResolutionError> for Failure {
    fn from(e: ResolutionError) -> Failure {
        match e {
            ResolutionError::Infeasible => Failure::Infeasible,
            ResolutionError::Unbounded => Failure::Other("the model is unbounded".into()),
            other => Failure::Other(other.to_string()),
        }
    }
}

/// The model handed to good_lp: variables, objective, constraints in row order.
struct Built {
    vars: ProblemVariables,
    handles: Vec<Variable>,
    objective: Expression,
    constraints: Vec<Constraint>,
    /// The model row of each of the first constraints (the rest fix integers).
    row_of_constraint: Vec<usize>,
}

/// Duals per model row from duals per constraint (rows left out get 0).
fn per_row(model: &Model, rows: &[usize], dual: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut out = vec![0.0; model.rows.len()];
    for (c, &k) in rows.iter().enumerate() {
        out[k] = dual(c);
    }
    out
}

/// Translates the model. Without `fix`, integer variables stay integers. With `fix` (one entry
/// per model variable), an integer variable with `Some(value)` is fixed at it by an equality row
/// placed after the model's rows, and one with `None` is relaxed to a continuous variable within
/// its bounds (clarabel takes no integers).
fn build(model: &Model, fix: Option<&[Option<f64>]>) -> Built {
    let mut vars = ProblemVariables::new();
    let mut handles = Vec::with_capacity(model.vars.len());
    let mut fix_rows = Vec::new();
    for (i, v) in model.vars.iter().enumerate() {
        let mut def = variable();
        match fix.map(|f| f[i]) {
            Some(Some(value)) if v.integer => fix_rows.push((i, value)),
            fixing => {
                if v.lo.is_finite() {
                    def = def.min(v.lo);
                }
                if v.hi.is_finite() {
                    def = def.max(v.hi);
                }
                if v.integer && fixing.is_none() {
                    def = def.integer();
                }
            }
        }
        handles.push(vars.add(def));
    }
    let mut objective = Expression::with_capacity(model.vars.len());
    for (v, h) in model.vars.iter().zip(&handles) {
        if v.obj != 0.0 {
            objective.add_mul(v.obj, *h);
        }
    }
    let mut constraints = Vec::with_capacity(model.rows.len() + fix_rows.len());
    let mut row_of_constraint = Vec::with_capacity(model.rows.len());
    for (k, row) in model.rows.iter().enumerate() {
        // A row without variables is a constant check, done exactly before solving
        // (`infeasible::precheck`); handing it over would only make its dual ambiguous.
        if row.terms.is_empty() {
            continue;
        }
        row_of_constraint.push(k);
        let mut e = Expression::with_capacity(row.terms.len());
        for &(v, c) in &row.terms {
            e.add_mul(c, handles[v]);
        }
        constraints.push(match row.sense {
            Sense::Le => good_lp::constraint::leq(e, row.rhs),
            Sense::Ge => good_lp::constraint::geq(e, row.rhs),
            Sense::Eq => good_lp::constraint::eq(e, row.rhs),
        });
    }
    for (i, value) in fix_rows {
        constraints.push(good_lp::constraint::eq(Expression::from(handles[i]), value));
    }
    Built { vars, handles, objective, constraints, row_of_constraint }
}

/// Solves the LP with clarabel: integers fixed at `fixed` (rounded) if given, else relaxed.
pub(crate) fn clarabel(model: &Model, fixed: Option<&[f64]>) -> Result<RawSolution, Failure> {
    let fix: Vec<Option<f64>> = model
        .vars
        .iter()
        .enumerate()
        .map(|(i, v)| fixed.filter(|_| v.integer).map(|values| values[i].round()))
        .collect();
    relaxation(model, &fix)
}

/// Solves with clarabel the LP in which each integer variable `i` is fixed at `fix[i]` when that is
/// `Some`, and relaxed to its bounds when it is `None`.
pub(crate) fn relaxation(model: &Model, fix: &[Option<f64>]) -> Result<RawSolution, Failure> {
    let Built { vars, handles, objective, constraints, row_of_constraint } = build(model, Some(fix));
    let mut problem = vars.maximise(objective).using(good_lp::clarabel);
    let refs: Vec<_> = constraints.into_iter().map(|c| problem.add_constraint(c)).collect();
    let mut solution = problem.solve()?;
    let values: Vec<f64> = handles.iter().map(|&h| solution.value(h)).collect();
    let dual = solution.compute_dual();
    let duals = per_row(model, &row_of_constraint, |c| dual.dual(refs[c].clone()));
    Ok(RawSolution::new(values, Some(duals), "clarabel"))
}

/// The duals of the LP with the integers fixed at `values` (a vertex): read off the vertex when
/// it determines them ([`vertex::at_vertex`]), else from clarabel solving that LP again; with
/// the suffix the solver's name gets (`""` or `"+clarabel"`).
pub(crate) fn duals_at(model: &Model, values: &[f64], vertex: bool) -> (Option<Vec<f64>>, &'static str) {
    match vertex.then(|| vertex::at_vertex(model, values)).flatten() {
        Some(duals) => (Some(duals), ""),
        None => (clarabel(model, Some(values)).ok().and_then(|s| s.duals), "+clarabel"),
    }
}

/// Solves the model (with its integers) with microlp; primal values only.
pub(crate) fn microlp(model: &Model) -> Result<Vec<f64>, Failure> {
    let Built { vars, handles, objective, constraints, .. } = build(model, None);
    let mut problem = vars.maximise(objective).using(good_lp::microlp);
    for c in constraints {
        problem.add_constraint(c);
    }
    let solution = problem.solve()?;
    Ok(handles.iter().map(|&h| solution.value(h)).collect())
}

#[cfg(feature = "highs")]
pub(crate) fn highs(model: &Model, vertex: bool) -> Result<RawSolution, Failure> {
    let Built { vars, handles, objective, constraints, row_of_constraint } = build(model, None);
    let mut problem = vars.maximise(objective).using(good_lp::highs);
    problem.set_verbose(false);
    let refs: Vec<_> = constraints.into_iter().map(|c| problem.add_constraint(c)).collect();
    let mut solution = problem.solve()?;
    let values: Vec<f64> = handles.iter().map(|&h| solution.value(h)).collect();
    let duals = if model.has_integers() {
        duals_at(model, &values, vertex).0
    } else {
        let dual = solution.compute_dual();
        Some(per_row(model, &row_of_constraint, |c| dual.dual(refs[c].clone())))
    };
    Ok(RawSolution::new(values, duals, "highs"))
}

#[cfg(not(feature = "highs"))]
pub(crate) fn highs(_: &Model, _vertex: bool) -> Result<RawSolution, Failure> {
    Err(Failure::Other(
        "this waku was built without HiGHS; rebuild with `cargo build --release --features highs` (needs cmake and libclang)"
            .into(),
    ))
}

/// An LP (no integers) solved once by microlp, from whose optimum a limit is then moved by a dual
/// simplex step (warm, from the optimal basis) instead of a solve from scratch: the shadow prices'
/// and their effects' re-solves ([`super::prices`]).
///
/// Each limit that may move gets a variable `t` in its row, in the direction that loosens it (a cap
/// `Σ a·x − t ≤ b`, a floor `Σ a·x + t ≥ b`, general revenue `Σ a·x − t = b`). `t` is kept at 0 in
/// the first solve by a cost far above any price; a step fixes it at the amount. A step is the
/// optimum of the LP with that limit moved, as a solve from scratch would find it; where the cost
/// proved too small (some `t` away from 0) the stepper refuses, and the caller solves from scratch.
pub(crate) struct Stepper {
    solution: microlp::Solution,
    xs: Vec<microlp::Variable>,
    /// Per model row, the variable that moves it (rows that may move only).
    moves: Vec<Option<microlp::Variable>>,
    /// The optimum's values, per model variable.
    pub base: Vec<f64>,
}

impl Stepper {
    /// Solves `lp` (its integers already fixed) with a mover in each of `rows`; `loosening(k)` is
    /// +1 where loosening row `k` means raising its right-hand side, −1 where lowering it.
    pub(crate) fn new(lp: &Model, rows: &[usize], loosening: impl Fn(usize) -> f64) -> Option<Stepper> {
        if lp.has_integers() {
            return None;
        }
        Stepper::relaxed(lp, rows, loosening)
    }

    /// [`Stepper::new`] on a model whose all-or-nothing choices are not yet decided: its LP
    /// relaxation, to be solved beside the model itself and then fixed at its choices
    /// ([`Stepper::fixed`]).
    pub(crate) fn relaxed(lp: &Model, rows: &[usize], loosening: impl Fn(usize) -> f64) -> Option<Stepper> {
        use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
        let mut p = Problem::new(OptimizationDirection::Maximize);
        let xs: Vec<microlp::Variable> = lp.vars.iter().map(|v| p.add_var(v.obj, (v.lo, v.hi))).collect();
        let largest = lp.vars.iter().fold(1.0f64, |m, v| m.max(v.obj.abs()));
        let mut moves = vec![None; lp.rows.len()];
        for &k in rows {
            moves[k] = Some(p.add_var(-1e6 * largest, (0.0, f64::INFINITY)));
        }
        for (k, row) in lp.rows.iter().enumerate().filter(|(_, r)| !r.terms.is_empty()) {
            let mut e = LinearExpr::empty();
            for &(v, a) in &row.terms {
                e.add(xs[v], a);
            }
            if let Some(t) = moves[k] {
                e.add(t, -loosening(k));
            }
            let op = match row.sense {
                Sense::Le => ComparisonOp::Le,
                Sense::Ge => ComparisonOp::Ge,
                Sense::Eq => ComparisonOp::Eq,
            };
            p.add_constraint(e, op, row.rhs);
        }
        let solution = p.solve().ok()?.into_solution().ok()?;
        let stepper = Stepper { base: Vec::new(), solution, xs, moves };
        let base = stepper.values(&stepper.solution, None)?;
        Some(Stepper { base, ..stepper })
    }

    /// The stepper of the LP with the all-or-nothing choices of `model` fixed at `values` (rounded),
    /// each fixed by a dual simplex step from the relaxation's optimum; `None` where a step fails.
    pub(crate) fn fixed(self, model: &Model, values: &[f64]) -> Option<Stepper> {
        let mut solution = self.solution;
        for (v, var) in model.vars.iter().enumerate().filter(|(_, var)| var.integer) {
            let at = values.get(v)?.round().clamp(var.lo, var.hi);
            solution = solution.fix_var(self.xs[v], at).ok()?.into_solution().ok()?;
        }
        let stepper = Stepper { base: Vec::new(), solution, xs: self.xs, moves: self.moves };
        let base = stepper.values(&stepper.solution, None)?;
        Some(Stepper { base, ..stepper })
    }

    /// The optimum with row `k` loosened by `amount` (model units); `None` where the step fails or
    /// moved another limit too.
    pub(crate) fn step(&self, k: usize, amount: f64) -> Option<Vec<f64>> {
        let t = self.moves[k]?;
        let moved = self.solution.clone().fix_var(t, amount).ok()?.into_solution().ok()?;
        self.values(&moved, Some(t))
    }

    /// The model variables' values in `solution`, if every mover but `except` stayed at 0.
    fn values(&self, solution: &microlp::Solution, except: Option<microlp::Variable>) -> Option<Vec<f64>> {
        let optimal = matches!(solution.status(), microlp::SolutionStatus::Optimal);
        let still =
            self.moves.iter().flatten().filter(|&&t| Some(t) != except).all(|&t| solution.var_value(t).abs() <= 1e-9);
        (optimal && still).then(|| self.xs.iter().map(|&x| solution.var_value(x)).collect())
    }
}
