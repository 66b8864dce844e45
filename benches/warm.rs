//! Warm what-ifs (`waku::pipeline::Session`): a revenue change on a kept scenario, its review
//! kept and the allocation solved again (as `waku run --set revenue.general_revenue=-2%` would
//! make it, the shadow prices' effects too), on the Kitakyushu example (600 programs) and on a
//! generated city of 3,000 programs (`waku generate`, seed 1, 20 bureaus, the repository's rules).
//! Beside each, the cold run of the same change through `waku::pipeline::run_path`.
//!
//! `cargo bench --bench warm`; the README's Performance section quotes its medians.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use waku::generate::{CitySpec, write_city};
use waku::pipeline::{self, Options, Reads, Session};

fn city(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-bench-warm-city-{n}"));
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let path = write_city(&CitySpec { programs: n, departments: 20, seed: 1 }, &dir).expect("generate");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("rules = {:?}\n{text}", rules.display().to_string())).expect("write");
    path
}

fn options() -> Options {
    let mut o = Options::default();
    o.allocate.effects = true;
    // The generated city names the repository's rules folder.
    o.load.allow_outside_paths = true;
    o
}

fn warm(c: &mut Criterion) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kitakyushu-r8.toml");
    let set = vec!["revenue.general_revenue=-2%".to_string()];
    let mut group = c.benchmark_group("warm");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    for (name, path) in [("kitakyushu-600", example), ("city-3000", city(3_000))] {
        let session = Session::open(&path, &options()).expect("the scenario runs");
        let w = session.what_if(&set).expect("the what-if runs");
        assert_eq!(w.reviewed, Reads::Allocation);
        w.allocated.as_ref().expect("feasible");
        group.bench_function(BenchmarkId::new("what-if", name), |b| {
            b.iter(|| session.what_if(black_box(&set)).expect("runs").allocated.is_ok())
        });
        let mut cold = options();
        cold.load.set = set.clone();
        group.bench_function(BenchmarkId::new("cold", name), |b| {
            b.iter(|| pipeline::run_path(black_box(&path), &cold).expect("runs").central().is_ok())
        });
    }
    group.finish();
}

criterion_group!(benches, warm);
criterion_main!(benches);
