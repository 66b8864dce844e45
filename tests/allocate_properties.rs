//! Property tests on generated cities: every identity exact, every limit held, output deterministic
//! across runs and across thread counts, and the two pure-Rust solvers agree on the optimum.
//!
//! Each property runs on 1,600 generated cities (`CASES`). About a third have limits that
//! contradict each other (the diagnosis is checked), so the identities and limits of a feasible
//! allocation are checked on more than 1,000 cities per run.

use std::sync::LazyLock;

use proptest::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};
use rust_decimal::Decimal;
use waku::allocate::synthetic::{Shape, city};
use waku::allocate::{Allocation, Options, Solver, allocate};
use waku::review::Review;
use waku::scenario::{FundDraw, Scenario};
use waku::{Error, Unit};

mod common;
use common::check_allocation;

const CASES: u32 = 1_600;

/// One generated question: a city and the knobs a budget officer turns.
#[derive(Debug, Clone)]
struct Case {
    shape: Shape,
    yen: bool,
    revenue_pct: i64,
    reserve_weight: i64,
    /// Reserve share bounds in permille, min ≤ max; about one case in four has min = max.
    reserve_permille: (i64, i64),
}

fn case() -> impl Strategy<Value = Case> {
    let reserve = (0i64..=60, prop_oneof![1 => Just(0i64), 3 => 0i64..=40]).prop_map(|(lo, extra)| (lo, lo + extra));
    (any::<u64>(), 3usize..150, 1usize..7, any::<bool>(), any::<bool>(), 85i64..=110, 0i64..=300, reserve).prop_map(
        |(seed, programs, departments, aon, yen, revenue_pct, reserve_weight, reserve_permille)| Case {
            shape: Shape { programs, departments, all_or_nothing: aon, seed },
            yen,
            revenue_pct,
            reserve_weight,
            reserve_permille,
        },
    )
}

fn scenario(c: &Case) -> (Scenario, Review) {
    let (mut sc, review) = city(c.shape);
    if c.yen {
        sc.rounding_unit = Unit::Yen;
    }
    sc.revenue.general_revenue = sc.revenue.general_revenue.mul_ratio(Decimal::new(c.revenue_pct, 2));
    sc.policy.reserve_weight = Decimal::new(c.reserve_weight, 2);
    sc.policy.reserve_min_share = Decimal::new(c.reserve_permille.0, 3);
    sc.policy.reserve_max_share = Decimal::new(c.reserve_permille.1, 3);
    (sc, review)
}

fn pool(threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool")
}
static ONE_THREAD: LazyLock<ThreadPool> = LazyLock::new(|| pool(1));
static TWO_THREADS: LazyLock<ThreadPool> = LazyLock::new(|| pool(2));

fn json(a: &Allocation) -> String {
    serde_json::to_string(a).expect("allocation serialises")
}

/// A rounding diagnosis is a right answer only when the limits leave no allocation on the unit's
/// grid (e.g. a bureau at its ceiling whose only movable program must also hold the
/// next-generation frame): in whole yen the same city must then allocate.
fn grid_is_the_only_obstacle(sc: &Scenario, review: &Review, why: &str) -> Result<(), TestCaseError> {
    prop_assert!(sc.rounding_unit != Unit::Yen, "rounding to whole yen failed: {why}");
    let mut yen = sc.clone();
    yen.rounding_unit = Unit::Yen;
    match allocate(&yen, review, &Options::default()) {
        Ok(a) => check_allocation(&yen, review, &a),
        Err(e) => prop_assert!(false, "{why}\nand in whole yen: {e}"),
    }
    Ok(())
}

proptest! {
    // A fixed seed: CI runs the same cases every time (change it locally to explore others).
    #![proptest_config(ProptestConfig { cases: CASES, rng_seed: proptest::test_runner::RngSeed::Fixed(2026), ..ProptestConfig::default() })]

    #[test]
    fn allocations_keep_every_identity_and_limit(c in case()) {
        let (sc, review) = scenario(&c);
        let once = ONE_THREAD.install(|| allocate(&sc, &review, &Options::default()));
        match once {
            Ok(a) => {
                check_allocation(&sc, &review, &a);
                let path = a.solver.split("; re-solved with caps and floors").next().unwrap_or_default();
                prop_assert!(
                    ["microlp", "microlp+clarabel", "clarabel", "clarabel branch-and-bound", "clarabel branch-and-bound (microlp stopped)"].contains(&path),
                    "unexpected solver path {}", a.solver
                );
                prop_assert!(!a.solver.contains("not proven"), "{}", a.solver);
                // Deterministic: a second run, on two threads, gives the same bytes.
                let again = TWO_THREADS.install(|| allocate(&sc, &review, &Options::default())).expect("second run");
                prop_assert_eq!(json(&a), json(&again));
            }
            // Tight generated limits may contradict each other: that must be a diagnosis naming them.
            Err(Error::Infeasible(d)) => {
                prop_assert!(d.message.contains("cannot"), "{}", d.render());
                prop_assert!(!d.message.contains("solver"), "{}", d.render());
                if d.message.starts_with("rounding") {
                    grid_is_the_only_obstacle(&sc, &review, &d.render())?;
                }
            }
            Err(e) => prop_assert!(false, "unexpected error: {e}"),
        }
    }

    #[test]
    fn both_pure_rust_solvers_give_valid_allocations_of_equal_value(c in case()) {
        let (sc, review) = scenario(&c);
        // With all-or-nothing programs, clarabel decides them by its own branch and bound and
        // microlp by its; both must reach the same optimum.
        let a = allocate(&sc, &review, &Options { solver: Solver::Clarabel, ..Options::default() });
        let b = allocate(&sc, &review, &Options { solver: Solver::Microlp, ..Options::default() });
        match (a, b) {
            (Ok(a), Ok(b)) => {
                check_allocation(&sc, &review, &a);
                check_allocation(&sc, &review, &b);
                // An allocation re-solved with a rounding margin is within the margin of the
                // optimum, not at it.
                let re_solved = |s: &str| s.contains("re-solved");
                prop_assume!(!re_solved(&a.solver) && !re_solved(&b.solver));
                let rel = (a.lp_objective - b.lp_objective).abs() / a.lp_objective.abs().max(1.0);
                prop_assert!(rel < 1e-6, "clarabel {} ({}) vs microlp {} ({})", a.lp_objective, a.solver, b.lp_objective, b.solver);
            }
            (Err(Error::Infeasible(_)), Err(Error::Infeasible(_))) => {}
            // The same rounding obstacle may or may not arise at two optimal vertices.
            (Err(Error::Infeasible(d)), _) | (_, Err(Error::Infeasible(d))) if d.message.starts_with("rounding") => {
                grid_is_the_only_obstacle(&sc, &review, &d.render())?;
            }
            (a, b) => prop_assert!(false, "solvers disagree on feasibility: {:?} vs {:?}", a.err(), b.err()),
        }
    }
}

/// Found by the first property at 1,000 cases: microlp's branch and bound stopped on this city
/// ("exactly integral solution failed feasibility validation after slack-basis retry"). The
/// allocation now comes from clarabel's branch and bound, says so, and is the optimum.
#[test]
fn microlp_stopping_on_a_milp_falls_back_to_clarabel_branch_and_bound() {
    let c = Case {
        shape: Shape { programs: 139, departments: 3, all_or_nothing: true, seed: 15131433585271189084 },
        yen: false,
        revenue_pct: 100,
        reserve_weight: 50,
        reserve_permille: (10, 50),
    };
    let (sc, review) = scenario(&c);
    let a = allocate(&sc, &review, &Options::default()).expect("a feasible allocation");
    check_allocation(&sc, &review, &a);
    assert!(
        ["microlp", "microlp+clarabel", "clarabel branch-and-bound (microlp stopped)"].contains(&a.solver.as_str()),
        "the solver path is named: {}",
        a.solver
    );
    let b = allocate(&sc, &review, &Options { solver: Solver::Clarabel, ..Options::default() })
        .expect("clarabel's branch and bound");
    assert_eq!(b.solver, "clarabel branch-and-bound");
    let money = |a: &Allocation| a.programs.iter().map(|p| p.allocated).collect::<Vec<_>>();
    assert_eq!(money(&a), money(&b), "the same optimum");
    assert_eq!(a.reserve, b.reserve);
}

/// Cases proptest shrank to in earlier runs: two from the regression file of the previous strategy
/// (whose seeds no longer map to them), and two with `reserve_min_share == reserve_max_share` that
/// fail when the reserve's bounds are read without the whole-yen window.
#[test]
fn earlier_failures_stay_fixed() {
    let case = |programs, seed, yen, revenue_pct, reserve_permille| Case {
        shape: Shape { programs, departments: 1, all_or_nothing: false, seed },
        yen,
        revenue_pct,
        reserve_weight: 0,
        reserve_permille,
    };
    let cases = [
        case(11, 438093560519354, false, 95, (10, 50)),
        case(55, 11689235927537, false, 88, (10, 50)),
        case(6, 11505727690934366821, false, 87, (1, 1)),
        case(57, 14079235659896230145, true, 100, (41, 41)),
    ];
    for c in cases {
        let (sc, review) = scenario(&c);
        let mut objectives = Vec::new();
        for solver in [Solver::Auto, Solver::Clarabel, Solver::Microlp] {
            match allocate(&sc, &review, &Options { solver, ..Options::default() }) {
                Ok(a) => {
                    check_allocation(&sc, &review, &a);
                    objectives.push(a.lp_objective);
                }
                Err(Error::Infeasible(d)) => {
                    assert!(d.message.contains("cannot") && !d.message.starts_with("rounding"), "{}", d.render())
                }
                Err(e) => panic!("{solver}: unexpected error: {e}"),
            }
        }
        for o in &objectives {
            assert!((o - objectives[0]).abs() <= 1e-6 * objectives[0].abs().max(1.0), "{objectives:?}");
        }
    }
}

/// `reserve_min_share == reserve_max_share` with 千円 rounding once failed with "rounding … cannot
/// keep every limit exact": the reserve must be one whole yen, which 千円 steps cannot reach.
#[test]
fn a_fixed_reserve_share_is_met_to_the_yen_under_sen_rounding() {
    for (seed, share) in [(0u64, 10i64), (1, 20), (7, 30), (11, 50)] {
        let c = Case {
            shape: Shape { programs: 40, departments: 3, all_or_nothing: seed % 2 == 1, seed },
            yen: false,
            revenue_pct: 100,
            reserve_weight: 50,
            reserve_permille: (share, share),
        };
        let (sc, review) = scenario(&c);
        assert_eq!(sc.rounding_unit, Unit::Sen);
        let a = allocate(&sc, &review, &Options::default()).expect("feasible");
        check_allocation(&sc, &review, &a);
        let exact = Decimal::new(share, 3) * a.available.as_decimal();
        assert!((a.reserve.as_decimal() - exact).abs() <= Decimal::new(5, 1), "reserve {} vs {exact}", a.reserve);
    }
}

/// Found by sampling 30,000 cities of this file's strategy four times:
/// the rounded optimum broke a limit the repairs could not mend: the next-generation frame 270円
/// short with its only movable program in a bureau at its ceiling; a ceiling 1–4円 over from the
/// whole-yen funding split; a ceiling and the frame both binding on one 千円 step; the bond
/// issuance cap 133円 over; the frame 1,184円 short in whole yen. Each now allocates from a model
/// with caps and floors a few units tighter, and says so.
#[test]
fn rounding_that_cannot_keep_a_limit_re_solves_with_a_margin() {
    let cases = [
        (21, 4, true, 9994958027351953210, Unit::Sen, 3_621_951_870, 38, 70, 50),
        (111, 5, true, 8304420922772110935, Unit::Yen, 41_233_891_740, 24, 24, 50),
        (77, 6, true, 11009210167430986058, Unit::Sen, 26_503_685_520, 58, 58, 50),
        (92, 6, true, 10428845081400961139, Unit::Sen, 21_925_721_840, 34, 37, 50),
        (49, 3, false, 14568633723947143185, Unit::Yen, 14_468_176_420, 12, 12, 256),
        (55, 3, true, 2138446756156524574, Unit::Sen, 21_543_590_220, 39, 39, 187),
        // Re-solved with a margin until the repairs followed the objective (value per yen of the
        // limit rather than raw priority); it now rounds within the stated limits at once.
        (136, 6, false, 13364680183836765777, Unit::Yen, 36_617_538_870, 57, 57, 147),
    ];
    let repaired_at_once = [13364680183836765777];
    for (programs, departments, aon, seed, unit, revenue, min, max, weight) in cases {
        let (mut sc, review) = city(Shape { programs, departments, all_or_nothing: aon, seed });
        sc.rounding_unit = unit;
        sc.revenue.general_revenue = waku::Money::yen(revenue);
        sc.policy.reserve_min_share = Decimal::new(min, 3);
        sc.policy.reserve_max_share = Decimal::new(max, 3);
        sc.policy.reserve_weight = Decimal::new(weight, 2);
        // Found when the fund was drawn only as a last resort.
        sc.fund.draw = FundDraw::LastResort;
        let mut re_solved = false;
        for solver in [Solver::Auto, Solver::Clarabel, Solver::Microlp] {
            let a = allocate(&sc, &review, &Options { solver, ..Options::default() })
                .unwrap_or_else(|e| panic!("seed {seed}, {solver}: {e}"));
            check_allocation(&sc, &review, &a);
            re_solved |= a.solver.contains("; re-solved with caps and floors");
        }
        assert_eq!(!re_solved, repaired_at_once.contains(&seed), "seed {seed}: the case still exercises the margin");
    }
}

/// Found by a random-seed run of the second property: clarabel allocated this city and microlp
/// (and HiGHS, on the emitted LP) said the reserve bounds and the bond issuance cap cannot all
/// hold. The bond cap sits half a yen below 29% of one program's review minimum: infeasible in the
/// continuous model, feasible in whole yen, where the funding split is rounded. Every solver now
/// allocates, and the allocation keeps every limit to the yen.
#[test]
fn limits_half_a_yen_apart_allocate_with_every_solver() {
    let c = Case {
        shape: Shape { programs: 5, departments: 1, all_or_nothing: false, seed: 15780110375766235968 },
        yen: false,
        revenue_pct: 85,
        reserve_weight: 0,
        reserve_permille: (0, 0),
    };
    let (sc, review) = scenario(&c);
    let money = |a: &Allocation| a.programs.iter().map(|p| p.allocated).collect::<Vec<_>>();
    let mut allocations = Vec::new();
    for solver in [Solver::Auto, Solver::Clarabel, Solver::Microlp] {
        let a = allocate(&sc, &review, &Options { solver, ..Options::default() })
            .unwrap_or_else(|e| panic!("{solver}: {e}"));
        check_allocation(&sc, &review, &a);
        allocations.push(a);
    }
    assert!(
        allocations[2].solver.ends_with("re-solved with limits less than 1円 apart moved to meet"),
        "{}",
        allocations[2].solver
    );
    assert_eq!(money(&allocations[0]), money(&allocations[2]), "the same allocation");
}
