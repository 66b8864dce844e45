//! Review of a synthetic 3,000-program city: six viewpoint scripts and the policy per program.
//!
//! `cargo bench --bench review`. The programs are built in code with a fixed-seed generator
//! whose attribute spreads follow the example Kitakyushu inventory, so the scripts take the same
//! branches in the same proportions as on real data. Target: ≤ 30 ms on one core.

use std::hint::black_box;

// The allocator the `waku` binary runs with (see `src/main.rs`), so the figure is the product's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use waku::Money;
use waku::review::{self, Context};
use waku::rules::Ruleset;
use waku::scenario::{Attributes, Kpi, KpiDirection, Program, ProgramKind, Strategy};

/// A small deterministic generator (no dependency, same city every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
    fn dec(&mut self, lo: f64, hi: f64) -> Decimal {
        Decimal::from_f64_retain((self.between(lo, hi) * 100.0).round() / 100.0).unwrap_or_default().round_dp(2)
    }
}

fn city(n: usize) -> Vec<Program> {
    let mut r = Lcg(2026);
    (0..n)
        .map(|i| {
            let kind = match r.next() {
                x if x < 0.10 => ProgramKind::Mandatory,
                x if x < 0.78 => ProgramKind::Discretionary,
                x if x < 0.95 => ProgramKind::Investment,
                _ => ProgramKind::New,
            };
            let prior = Money::yen((r.between(5.0, 500.0) as i64) * 1_000_000);
            let prior_cost = if kind == ProgramKind::New { Money::ZERO } else { prior };
            let requested = prior.mul_ratio(r.dec(0.9, 1.12));
            let strategy = match r.next() {
                x if x < 0.11 => Some(Strategy::Earning),
                x if x < 0.23 => Some(Strategy::HighQuality),
                x if x < 0.35 => Some(Strategy::Safety),
                _ => None,
            };
            let kpi = (kind == ProgramKind::Discretionary || kind == ProgramKind::New).then(|| Kpi {
                indicator: "成果指標".to_string(),
                baseline: Decimal::ZERO,
                target: Decimal::ONE_HUNDRED,
                actual: r.dec(-30.0, 125.0),
                direction: KpiDirection::Higher,
            });
            Program {
                id: format!("S{i:05}"),
                name: format!("合成事業{i}"),
                department: format!("d{:02}", i % 20),
                cluster: None,
                kind,
                prior_cost,
                requested,
                subsidy_ratio: r.dec(0.0, 0.5),
                fees: Money::ZERO,
                bondable_share: if kind == ProgramKind::Investment { r.dec(0.5, 0.9) } else { Decimal::ZERO },
                strategy,
                next_generation: r.next() < 0.07,
                all_or_nothing: kind == ProgramKind::New && r.next() < 0.5,
                attributes: Attributes {
                    demand_trend: Some(r.dec(-0.6, 0.5)),
                    satisfaction: Some(r.dec(0.1, 0.95)),
                    overlap_with: (r.next() < 0.025).then(|| format!("S{:05}", (i + 1) % n)),
                    service_level: Some(r.dec(0.65, 1.6)),
                    digital_share: (r.next() < 0.07).then(|| r.dec(0.0, 0.85)),
                    private_capacity: Some(r.dec(0.0, 0.95)),
                    outsourced: r.next() < 0.45,
                    natural_savings: Money::ZERO,
                },
                kpi,
                nature: None,
                max_cut_share: None,
                location: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let ruleset = match Ruleset::load(Path::new("rules"), &Default::default()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let programs = city(3_000);
    let refs: Vec<&Program> = programs.iter().collect();
    let cx = Context::default();
    let mut g = c.benchmark_group("review");
    g.sample_size(30);
    g.bench_function("3000 programs, one core", |b| {
        b.iter(|| review::review_programs(black_box(&refs), &cx, &ruleset, Some(2026), false).map(|r| r.len()))
    });
    g.bench_function("3000 programs, all cores", |b| {
        b.iter(|| review::review_programs(black_box(&refs), &cx, &ruleset, Some(2026), true).map(|r| r.len()))
    });
    g.finish();
    c.bench_function("load and compile rules/", |b| {
        b.iter(|| Ruleset::load(Path::new("rules"), &Default::default()).map(|r| r.viewpoints.len()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
