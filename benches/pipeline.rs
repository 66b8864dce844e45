//! The whole pipeline, stage by stage and end to end, on synthetic cities of 3,000, 30,000 and
//! 100,000 programs (`waku generate`, seed 1, 20 bureaus): load, review, allocate, fiscal, report.
//!
//! The fiscal stage is what `waku run` does for a scenario with `[fiscal]` after the allocation
//! model: the year solved as a one-year plan with the fiscal-health ratios computed (the generated
//! city given `[fiscal]` inputs in proportion to its general revenue, no ratio limits). The end to
//! end runs through `waku::pipeline`, as every command does.
//!
//! `cargo bench --bench pipeline`; the README's Performance section quotes its medians.
//! Set `WAKU_BENCH_SIZES=3000,30000` to run fewer sizes.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use waku::allocate::{self, Options};
use waku::fiscal;
use waku::generate::{CitySpec, write_city};
use waku::pipeline;
use waku::review;
use waku::rules::Ruleset;
use waku::scenario;

fn sizes() -> Vec<usize> {
    std::env::var("WAKU_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![3_000, 30_000, 100_000])
}

fn city(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waku-bench-city-{n}"));
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let path = write_city(&CitySpec { programs: n, departments: 20, seed: 1 }, &dir).expect("generate");
    // Point the generated scenario at the repository's rules.
    let text = std::fs::read_to_string(&path).expect("read");
    let text = format!("rules = {:?}\n{text}", rules.display().to_string());
    std::fs::write(&path, text).expect("write");
    path
}

/// A copy of the city at `path` with `[fiscal]` inputs in proportion to its general revenue
/// (shares like Kitakyushu's: 標準財政規模 about 0.75 of it, and so on).
fn with_fiscal(path: &Path, s: &scenario::Scenario) -> PathBuf {
    let g = s.revenue.general_revenue;
    let yen = |permille: i64| g.mul_ratio(Decimal::new(permille, 3)).as_decimal().round().to_string();
    let fiscal = format!(
        "\n[fiscal]\nstandard_fiscal_scale = \"{}\"\ndebt_service_counted = \"{}\"\ninterest = \"{}\"\n\
         new_issue_rate = \"1.0%\"\nother_debt_service = \"{}\"\nquasi_debt_service = \"{}\"\n\
         debt_service_specific_revenue = \"{}\"\nreal_debt_service_history = [\"11.8%\", \"11.9%\"]\n\
         other_future_burden = \"{}\"\nother_usable_funds = \"{}\"\nexpected_specific_revenue = \"{}\"\n\
         expected_counted = \"{}\"\nordinary_general_revenue = \"{}\"\n",
        yen(756),
        yen(47),
        yen(10),
        yen(21),
        yen(21),
        yen(7),
        yen(581),
        yen(93),
        yen(140),
        yen(1163),
        yen(1000)
    );
    let text = std::fs::read_to_string(path).expect("read") + fiscal.as_str();
    let out = path.with_file_name("city-fiscal.toml");
    std::fs::write(&out, text).expect("write");
    out
}

fn pipeline(c: &mut Criterion) {
    for n in sizes() {
        let path = city(n);
        let mut group = c.benchmark_group(format!("pipeline-{n}"));
        let big = n >= 30_000;
        group.sample_size(10).measurement_time(Duration::from_secs(if big { 30 } else { 8 }));
        let s = scenario::load(&path).expect("load");
        let ruleset = Ruleset::for_scenario(&s).expect("rules");
        let r = review::review(&s, &ruleset).expect("review");
        let a = allocate::allocate(&s, &r, &Options::default()).expect("allocate");
        let with_fiscal = scenario::load(&with_fiscal(&path, &s)).expect("load the city with [fiscal]");
        group.bench_function(BenchmarkId::new("load", n), |b| {
            b.iter(|| scenario::load(black_box(&path)).expect("load"))
        });
        group.bench_function(BenchmarkId::new("review", n), |b| {
            b.iter(|| {
                let ruleset = Ruleset::for_scenario(&s).expect("rules");
                review::review(black_box(&s), &ruleset).expect("review")
            })
        });
        group.bench_function(BenchmarkId::new("allocate", n), |b| {
            b.iter(|| allocate::allocate(black_box(&s), &r, &Options::default()).expect("allocate"))
        });
        group.bench_function(BenchmarkId::new("fiscal", n), |b| {
            b.iter(|| fiscal::run_single(black_box(with_fiscal.clone()), &r, &Options::default()).expect("fiscal"))
        });
        group.bench_function(BenchmarkId::new("report-json", n), |b| {
            b.iter(|| serde_json::to_string_pretty(black_box(&a)).expect("json"))
        });
        group.bench_function(BenchmarkId::new("report-table", n), |b| {
            b.iter(|| waku::report::allocation::render_table(black_box(&a), false))
        });
        group.bench_function(BenchmarkId::new("end-to-end", n), |b| {
            b.iter(|| {
                let o = pipeline::run_path(black_box(&path), &pipeline::Options::default()).expect("runs");
                serde_json::to_string(&o.central().expect("feasible").allocations[0]).expect("json")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
