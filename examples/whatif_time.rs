//! Warm what-ifs in one process (a 2% revenue cut), for timing and profiling: `cargo run --release --example whatif_time -- SCENARIO [N] [no]` (`no`: without the shadow prices' effects).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::PathBuf::from(&args[1]);
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let mut o = waku::pipeline::Options::default();
    o.allocate.effects = args.get(3).map(|s| s == "effects").unwrap_or(true);
    o.load.allow_outside_paths = true;
    let session = waku::pipeline::Session::open(&path, &o).expect("opens");
    let set = vec!["revenue.general_revenue=-2%".to_string()];
    let mut times = Vec::new();
    for _ in 0..n {
        let t = std::time::Instant::now();
        let w = session.what_if(&set).expect("runs");
        assert!(w.allocated.is_ok());
        times.push(t.elapsed());
    }
    times.sort();
    eprintln!("median {:?} min {:?}", times[n / 2], times[0]);
}
