//! Shadow prices read off an optimal vertex, when the vertex determines them.
//!
//! microlp (simplex) returns a vertex of the LP with the all-or-nothing choices fixed, but no duals.
//! Solving that LP again with clarabel only to get them used to cost ten to twenty times microlp's
//! own solve. At an optimal vertex the duals follow from complementary slackness alone:
//!
//! * a row with slack has price 0;
//! * a program strictly inside its bounds has reduced cost 0: Σₖ aₖⱼ·yₖ = cⱼ over the binding rows k.
//!
//! When those equations fix every binding row's price (their matrix has full column rank) and the
//! prices pass the optimality checks — caps priced ≥ 0, floors ≤ 0, every program at its maximum
//! with reduced cost ≥ 0 and at its minimum ≤ 0 — they are the LP's unique optimal duals, the
//! same values clarabel converges to. Otherwise (a degenerate vertex, where the prices form a range,
//! or a vertex that fails a check) [`at_vertex`] returns `None` and the caller asks clarabel.

use super::model::{Model, Sense, Var};

/// A value within this (relative, at least absolute) of a bound or a limit is at it.
const AT: f64 = 1e-9;
/// Reduced costs and prices of the wrong sign within this (relative to the objective) pass.
const SIGN: f64 = 1e-9;
/// Pivots below this (relative to the largest coefficient) count as zero.
const PIVOT: f64 = 1e-9;

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= AT * a.abs().max(b.abs()).max(1.0)
}

/// Whether `x` is at the variable's lower and at its upper bound.
fn at_bounds(var: &Var, x: f64) -> (bool, bool) {
    (var.lo.is_finite() && near(x, var.lo), var.hi.is_finite() && near(x, var.hi))
}

/// The duals (one per model row, d objective / d limit) at the vertex `values`, or `None` when
/// they are not determined by it. Integer variables count as fixed at their values.
pub(crate) fn at_vertex(model: &Model, values: &[f64]) -> Option<Vec<f64>> {
    let n = model.vars.len();
    if values.len() != n || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // Binding rows, in model order; their position among the unknowns.
    let mut unknown_of = vec![usize::MAX; model.rows.len()];
    let mut binding = Vec::new();
    for (k, row) in model.rows.iter().enumerate() {
        if row.terms.is_empty() {
            continue;
        }
        let activity: f64 = row.terms.iter().map(|&(v, a)| a * values[v]).sum();
        let at_limit = near(activity, row.rhs);
        let feasible = match row.sense {
            Sense::Le => activity <= row.rhs || at_limit,
            Sense::Ge => activity >= row.rhs || at_limit,
            Sense::Eq => at_limit,
        };
        if !feasible {
            return None;
        }
        if at_limit || row.sense == Sense::Eq {
            unknown_of[k] = binding.len();
            binding.push(k);
        }
    }
    // A continuous variable strictly inside its bounds gives one equation.
    let inside: Vec<bool> =
        model.vars.iter().zip(values).map(|(var, &x)| !var.integer && at_bounds(var, x) == (false, false)).collect();
    let mut equation_of = vec![usize::MAX; n];
    let mut equations: Vec<Vec<f64>> = Vec::new();
    let mut rhs = Vec::new();
    for (v, var) in model.vars.iter().enumerate() {
        if inside[v] {
            equation_of[v] = equations.len();
            equations.push(vec![0.0; binding.len()]);
            rhs.push(var.obj);
        }
    }
    if equations.len() < binding.len() {
        return None;
    }
    for &k in &binding {
        for &(v, a) in &model.rows[k].terms {
            if inside[v] {
                equations[equation_of[v]][unknown_of[k]] += a;
            }
        }
    }
    // The prices solve equations whose right-hand sides are the inside variables' objective values.
    let price_tol = SIGN * rhs.iter().fold(1.0f64, |m, c| m.max(c.abs()));
    let prices = solve_full_rank(equations, rhs)?;

    let mut duals = vec![0.0; model.rows.len()];
    for (&k, &y) in binding.iter().zip(&prices) {
        let wrong_sign = match model.rows[k].sense {
            Sense::Le => y < -price_tol,
            Sense::Ge => y > price_tol,
            Sense::Eq => false,
        };
        if wrong_sign || !y.is_finite() {
            return None;
        }
        duals[k] = y;
    }
    // Reduced costs: c − Σ a·y, over every row a variable counts in.
    let mut reduced: Vec<f64> = model.vars.iter().map(|v| v.obj).collect();
    for (k, row) in model.rows.iter().enumerate() {
        if duals[k] != 0.0 {
            for &(v, a) in &row.terms {
                reduced[v] -= a * duals[k];
            }
        }
    }
    for ((var, &x), &d) in model.vars.iter().zip(values).zip(&reduced) {
        if var.integer || var.lo == var.hi {
            continue;
        }
        let tol = SIGN * var.obj.abs().max(1.0);
        let (at_lo, at_hi) = at_bounds(var, x);
        let optimal = match (at_lo, at_hi) {
            (true, true) => true,
            (true, false) => d <= tol,
            (false, true) => d >= -tol,
            (false, false) => d.abs() <= tol,
        };
        if !optimal {
            return None;
        }
    }
    Some(duals)
}

/// The solution of `a·y = b` by Gaussian elimination with partial pivoting, or `None` when the
/// columns of `a` are dependent (no unique solution). With more equations than unknowns, `y`
/// solves the pivot rows; whether it solves the others too, the caller's reduced-cost check says.
fn solve_full_rank(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let cols = a.first().map_or(0, Vec::len);
    let largest = a.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
    let zero = PIVOT * largest.max(f64::MIN_POSITIVE);
    for c in 0..cols {
        // Partial pivoting: the row (from c on) with the largest entry in column c.
        let p = (c..a.len()).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() <= zero {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        let (done, below) = a.split_at_mut(c + 1);
        let (pivot, b_pivot) = (&done[c], b[c]);
        for (row, b_row) in below.iter_mut().zip(&mut b[c + 1..]) {
            let f = row[c] / pivot[c];
            if f != 0.0 {
                for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                    *x -= f * p;
                }
                *b_row -= f * b_pivot;
            }
        }
    }
    let mut y = vec![0.0; cols];
    for c in (0..cols).rev() {
        let s: f64 = (c + 1..cols).map(|j| a[c][j] * y[j]).sum();
        y[c] = (b[c] - s) / a[c][c];
    }
    Some(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::model::{Limit, Row, VarKind};
    use crate::allocate::solve;
    use crate::allocate::synthetic::{Shape, city};

    /// `max Σ obj·x` over variables in [0, 1] and `rows`, on the shell of a real model.
    type TinyRow<'a> = (&'a [(usize, f64)], Sense, f64);

    fn tiny(obj: &[f64], rows: &[TinyRow]) -> Model {
        let (sc, review) = city(Shape { programs: 20, departments: 2, all_or_nothing: false, seed: 1 });
        let mut m = Model::build(&sc, &review).expect("model");
        m.vars = obj
            .iter()
            .enumerate()
            .map(|(i, &obj)| Var {
                name: format!("x{i}"),
                kind: VarKind::Reserve,
                lo: 0.0,
                hi: 1.0,
                integer: false,
                obj,
            })
            .collect();
        m.rows = rows
            .iter()
            .map(|(terms, sense, rhs)| Row {
                name: "r".into(),
                limit: Limit::Balance,
                terms: terms.to_vec(),
                sense: *sense,
                rhs: *rhs,
            })
            .collect();
        m
    }

    #[test]
    fn a_program_inside_its_bounds_prices_the_row() {
        // max 2a + b, a + b ≤ 1.5: a at 1, b = 0.5 inside, so the row is worth b's 1 per unit.
        let m = tiny(&[2.0, 1.0], &[(&[(0, 1.0), (1, 1.0)], Sense::Le, 1.5)]);
        assert_eq!(at_vertex(&m, &[1.0, 0.5]), Some(vec![1.0]));
        // A floor is priced ≤ 0: max −a − b, a + b ≥ 0.5 with a cheaper … b = 0.5 inside.
        let m = tiny(&[-2.0, -1.0], &[(&[(0, 1.0), (1, 1.0)], Sense::Ge, 0.5)]);
        assert_eq!(at_vertex(&m, &[0.0, 0.5]), Some(vec![-1.0]));
    }

    #[test]
    fn a_point_that_is_not_optimal_gets_no_prices() {
        // a inside prices the row at 2; then b at its maximum would have reduced cost −1.
        let m = tiny(&[2.0, 1.0], &[(&[(0, 1.0), (1, 1.0)], Sense::Le, 1.5)]);
        assert_eq!(at_vertex(&m, &[0.5, 1.0]), None);
        // Infeasible values: no prices either.
        assert_eq!(at_vertex(&m, &[1.0, 1.0]), None);
    }

    #[test]
    fn a_degenerate_vertex_leaves_the_prices_to_clarabel() {
        // Both rows bind at (1, 1) and no variable is inside: any price pair in a range is optimal.
        let m = tiny(&[1.0, 1.0], &[(&[(0, 1.0), (1, 1.0)], Sense::Le, 2.0), (&[(0, 1.0)], Sense::Le, 1.0)]);
        assert_eq!(at_vertex(&m, &[1.0, 1.0]), None);
    }

    #[test]
    fn prices_at_microlps_vertex_equal_clarabels() {
        for (programs, all_or_nothing, seed) in
            [(400, true, 7), (1_500, true, 1), (3_000, true, 2), (600, false, 3), (2_000, false, 4)]
        {
            let (sc, review) = city(Shape { programs, departments: 20, all_or_nothing, seed });
            let model = Model::build(&sc, &review).expect("model");
            let values = solve::microlp(&model).expect("microlp");
            let vertex =
                at_vertex(&model, &values).unwrap_or_else(|| panic!("{programs}/{seed}: prices at the vertex"));
            let clarabel = solve::clarabel(&model, Some(&values)).expect("clarabel").duals.expect("duals");
            assert!(vertex.iter().any(|y| *y != 0.0), "{programs}/{seed}: some limit binds");
            for (k, (a, b)) in vertex.iter().zip(&clarabel).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-5 * a.abs().max(1.0),
                    "{programs}/{seed}: row {}: vertex {a} vs clarabel {b}",
                    model.rows[k].name
                );
            }
        }
    }

    #[test]
    fn square_system() {
        let y = solve_full_rank(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![5.0, 10.0]).unwrap();
        assert!((y[0] - 1.0).abs() < 1e-12 && (y[1] - 3.0).abs() < 1e-12, "{y:?}");
    }

    #[test]
    fn dependent_columns_are_not_unique() {
        assert!(solve_full_rank(vec![vec![1.0, 1.0], vec![2.0, 2.0]], vec![1.0, 2.0]).is_none());
    }

    #[test]
    fn two_programs_inside_one_row_must_agree_on_its_price() {
        // Both a and b inside, a + b ≤ 1: a prices the row at 2, b at 1 — not an optimum.
        let m = tiny(&[2.0, 1.0], &[(&[(0, 1.0), (1, 1.0)], Sense::Le, 1.0)]);
        assert_eq!(at_vertex(&m, &[0.5, 0.5]), None);
        // Equal values: a price of 1 explains both.
        let m = tiny(&[1.0, 1.0], &[(&[(0, 1.0), (1, 1.0)], Sense::Le, 1.0)]);
        assert_eq!(at_vertex(&m, &[0.5, 0.5]), Some(vec![1.0]));
    }
}
