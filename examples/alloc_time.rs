//! Allocation alone on a synthetic city: `cargo run --release --example alloc_time -- 100000 [lp|milp]`.
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let milp = std::env::args().nth(2).as_deref() == Some("milp");
    let shape = waku::allocate::synthetic::Shape { programs: n, departments: 20, all_or_nothing: milp, seed: 1 };
    let (sc, review) = waku::allocate::synthetic::city(shape);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let m = waku::allocate::Model::build(&sc, &review).expect("model");
        let t1 = t.elapsed();
        let a = waku::allocate::solve_model(&m, &sc, &review, &Default::default()).expect("solve");
        eprintln!("model {:?} total {:?} reserve {}", t1, t.elapsed(), a.reserve);
    }
}
