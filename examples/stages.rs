//! Wall time of each stage of `waku run` on one scenario: `cargo run --release --example stages -- city.toml`.
use std::time::Instant;

// The binary's allocator, so the stages cost what they cost in `waku run`.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let path = std::env::args().nth(1).expect("usage: stages <scenario.toml> [rules dir]");
    let rules = std::env::args().nth(2);
    let t = Instant::now();
    let lap = |what: &str| {
        eprintln!("{what:>12} {:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    };
    let options = waku::scenario::LoadOptions { rules_dir: rules.map(Into::into), ..Default::default() };
    let s = waku::scenario::load_with(std::path::Path::new(&path), &options).expect("load");
    lap("load");
    let ruleset = waku::rules::Ruleset::for_scenario(&s).expect("rules");
    lap("rules");
    let r = waku::review::review(&s, &ruleset).expect("review");
    lap("review");
    let m = waku::allocate::Model::build(&s, &r).expect("model");
    lap("model");
    let a = waku::allocate::solve_model(&m, &s, &r, &Default::default()).expect("solve");
    lap("solve");
    let j = serde_json::to_string_pretty(&a).expect("json");
    lap("json");
    eprintln!("{} programs, {} bytes of JSON", s.programs.len(), j.len());
}
