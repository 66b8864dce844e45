//! Allocation benchmarks on synthetic cities (`waku::allocate::synthetic`), 20 bureaus.
//!
//! * `allocate/N`: model, solve, rounding and explanation, from an in-memory scenario and review.
//! * `end_to_end/N`: load the scenario and its CSV inventory, run the default ruleset's review,
//!   allocate: what `waku run` does before printing.
//!
//! Run with `cargo bench --bench allocate`. Targets: end to end 3,000 programs ≤ 100 ms,
//! 100,000 programs ≤ 2 s.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use waku::allocate::synthetic::{Shape, city, write};
use waku::allocate::{Options, allocate};
use waku::pipeline;
use waku::scenario::LoadOptions;

fn allocation(c: &mut Criterion) {
    let mut group = c.benchmark_group("allocate");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [3_000usize, 100_000] {
        let (sc, review) = city(Shape::lp(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(allocate(&sc, &review, &Options::default()).expect("feasible")))
        });
    }
    group.finish();
}

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("end_to_end");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let dir = std::env::temp_dir().join("waku-bench-allocate");
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    for n in [3_000usize, 100_000] {
        let path = write(Shape::lp(n), &dir).expect("write the synthetic city");
        let load = LoadOptions { rules_dir: Some(rules.clone()), ..LoadOptions::default() };
        let options = pipeline::Options { load, ..pipeline::Options::default() };
        // As `waku run`: load, review and allocate through the pipeline.
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(pipeline::run_path(&path, &options).expect("runs").central().is_ok()))
        });
    }
    group.finish();
}

criterion_group!(benches, allocation, end_to_end);
criterion_main!(benches);
