//! All-or-nothing programs decided by branch and bound over clarabel's LP relaxations.
//!
//! This is how `--solver clarabel` handles a MILP, and the fallback when microlp stops on one for
//! numerical reasons (its branch and bound rejects an integral point by its own feasibility guard).
//!
//! # The rule
//!
//! 1. **Relax.** Every open 0/1 variable may lie anywhere in [0, 1]; those decided so far are fixed
//!    by equality rows. The LP's optimum bounds what any completion of the node can reach.
//! 2. **Prune** a node whose LP has no solution, or whose bound does not beat the incumbent by
//!    more than [`PRUNE`] (relative): nothing below it can be better by more than float noise.
//! 3. **Branch** on the most fractional open variable (the lowest variable index among equals),
//!    depth first, the side nearer the LP's value first, so the search dives to a full decision
//!    quickly and the order never depends on anything but the model.
//! 4. **Incumbent.** When every 0/1 variable is integral (within [`INTEGRAL`]), they are all fixed
//!    at their rounded values and the LP is solved again: that clean LP's answer (with its duals)
//!    is the candidate.
//!
//! When the tree is exhausted the incumbent is optimal (to [`PRUNE`]). The search stops after
//! [`NODE_LIMIT`] LPs; the incumbent is then the best allocation found, not a proven optimum, and
//! the solver name says so together with how far it can be from the best bound left open.

use super::backend::{self, Failure, RawSolution};
use super::model::Model;

/// LPs solved at most. Each is a full clarabel solve of the model, so this bounds the time at
/// about this many single-LP solve times.
pub(crate) const NODE_LIMIT: usize = 2_000;
/// A 0/1 variable within this of 0 or 1 counts as decided (clarabel's answers are interior-point
/// accurate to about 10⁻⁸).
const INTEGRAL: f64 = 1e-6;
/// Relative improvement a node's bound must promise over the incumbent to be explored.
const PRUNE: f64 = 1e-9;

/// An open node: the fixings of the 0/1 variables (one entry per model variable) and the bound
/// of its parent's LP.
struct Node {
    fix: Vec<Option<f64>>,
    bound: f64,
}

/// Decides the model's integer variables by branch and bound over clarabel relaxations.
pub(crate) fn solve(model: &Model) -> Result<RawSolution, Failure> {
    let integers: Vec<usize> = (0..model.vars.len()).filter(|&v| model.vars[v].integer).collect();
    let mut stack = vec![Node { fix: vec![None; model.vars.len()], bound: f64::INFINITY }];
    let mut incumbent: Option<(f64, RawSolution)> = None;
    let mut nodes = 0;
    // A node clarabel could not solve (neither an answer nor a proof of infeasibility) leaves the
    // optimum unproven; its parent's bound stands for it.
    let mut unsolved = f64::NEG_INFINITY;
    let beats = |z: f64, incumbent: &Option<(f64, RawSolution)>| match incumbent {
        Some((best, _)) => z > best + PRUNE * best.abs().max(1.0),
        None => true,
    };
    while nodes < NODE_LIMIT {
        let Some(node) = stack.pop() else { break };
        if !beats(node.bound, &incumbent) {
            continue;
        }
        nodes += 1;
        let lp = match backend::relaxation(model, &node.fix) {
            Ok(lp) => lp,
            Err(Failure::Infeasible) => continue,
            Err(Failure::Other(_)) => {
                unsolved = unsolved.max(node.bound);
                continue;
            }
        };
        let z = model.objective(&lp.values);
        if !beats(z, &incumbent) {
            continue;
        }
        let fractional = integers
            .iter()
            .filter(|&&v| node.fix[v].is_none())
            .map(|&v| (v, (lp.values[v] - lp.values[v].round()).abs()))
            .filter(|&(_, f)| f > INTEGRAL)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match fractional {
            Some((v, _)) => {
                let near = if lp.values[v] >= 0.5 { 1.0 } else { 0.0 };
                for side in [1.0 - near, near] {
                    let mut fix = node.fix.clone();
                    fix[v] = Some(side);
                    stack.push(Node { fix, bound: z });
                }
            }
            None => {
                let all: Vec<Option<f64>> =
                    (0..model.vars.len()).map(|v| node.fix[v].or(Some(lp.values[v].round()))).collect();
                nodes += 1;
                match backend::relaxation(model, &all) {
                    Ok(clean) => {
                        let zc = model.objective(&clean.values);
                        if beats(zc, &incumbent) {
                            incumbent = Some((zc, clean));
                        }
                    }
                    Err(Failure::Infeasible) => {}
                    Err(Failure::Other(_)) => unsolved = unsolved.max(z),
                }
            }
        }
    }
    let open = stack.iter().map(|n| n.bound).fold(unsolved, f64::max);
    match incumbent {
        Some((best, mut raw)) => {
            raw.solver = if beats(open, &Some((best, raw.clone()))) {
                let gap = (open - best) / best.abs().max(1e-12);
                format!(
                    "clarabel branch-and-bound, stopped after {nodes} LPs: best found, not proven optimal \
                     (at most {:.3}% below the optimum)",
                    100.0 * gap
                )
            } else {
                "clarabel branch-and-bound".into()
            };
            Ok(raw)
        }
        None if open == f64::NEG_INFINITY => Err(Failure::Infeasible),
        None => Err(Failure::Other(format!(
            "branch and bound over the all-or-nothing programs found no allocation in {nodes} LPs"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::model::{Limit, Row, Sense, Var, VarKind};

    fn binary(name: &str, obj: f64) -> Var {
        Var { name: name.into(), kind: VarKind::Reserve, lo: 0.0, hi: 1.0, integer: true, obj }
    }

    /// A knapsack whose LP relaxation takes a fraction of the most valuable item per unit weight,
    /// while the integer optimum leaves that item out.
    fn knapsack() -> Model {
        // A one-program city supplies the model's bookkeeping; variables and rows are replaced.
        let (sc, review) = crate::allocate::synthetic::city(crate::allocate::synthetic::Shape {
            programs: 1,
            departments: 1,
            all_or_nothing: false,
            seed: 1,
        });
        let mut model = Model::build(&sc, &review).expect("model");
        model.vars = vec![binary("a", 10.0), binary("b", 6.0), binary("c", 6.0)];
        model.rows = vec![Row {
            name: "weight".into(),
            limit: Limit::Balance,
            terms: vec![(0, 6.0), (1, 5.0), (2, 5.0)],
            sense: Sense::Le,
            rhs: 10.0,
        }];
        model
    }

    #[test]
    fn branch_and_bound_finds_the_integer_optimum_not_the_rounded_relaxation() {
        let model = knapsack();
        let raw = solve(&model).expect("solved");
        let x: Vec<f64> = raw.values.iter().map(|v| v.round()).collect();
        assert_eq!(x, vec![0.0, 1.0, 1.0], "b and c (12) beat a alone (10)");
        assert_eq!(raw.solver, "clarabel branch-and-bound");
    }

    #[test]
    fn an_infeasible_choice_is_reported_as_infeasible() {
        let mut model = knapsack();
        model.rows[0].sense = Sense::Ge;
        model.rows[0].rhs = 17.0;
        assert!(matches!(solve(&model), Err(Failure::Infeasible)));
    }
}
