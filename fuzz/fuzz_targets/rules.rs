//! Rule evaluation on random programs: the bundled ruleset never panics, and every assessment
//! it returns is well formed (a known action, min ≤ max ≤ request, mandatory fixed).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use waku::Money;
use waku::rules::Ruleset;
use waku::scenario::{self, Kpi, KpiDirection, ProgramKind, Scenario, Strategy};

#[derive(Debug, Arbitrary)]
struct Input {
    kind: u8,
    prior_sen: u32,
    requested_sen: u32,
    subsidy_pct: u8,
    bond_pct: u8,
    strategy: u8,
    next_generation: bool,
    all_or_nothing: bool,
    demand_trend: Option<i16>,
    satisfaction: Option<u8>,
    service_level: Option<u16>,
    digital_share: Option<u8>,
    private_capacity: Option<u8>,
    outsourced: bool,
    overlap: bool,
    kpi: Option<(i32, i32, i32)>,
}

fn base() -> &'static (Scenario, Ruleset) {
    static BASE: OnceLock<(Scenario, Ruleset)> = OnceLock::new();
    BASE.get_or_init(|| {
        let s = scenario::load(Path::new("tests/fixtures/small-city.toml")).expect("fixture loads");
        let r = Ruleset::load(Path::new("rules"), &s.parameters).expect("bundled rules load");
        (s, r)
    })
}

fn pct(v: u8) -> Decimal {
    Decimal::from(v.min(100)) / Decimal::from(100)
}

fuzz_target!(|input: Input| {
    let (base, ruleset) = base();
    let mut s = base.clone();
    let p = &mut s.programs[1];
    p.kind = ProgramKind::ALL[input.kind as usize % 4];
    p.prior_cost = Money::yen(i64::from(input.prior_sen) * 1000);
    p.requested = Money::yen(i64::from(input.requested_sen) * 1000);
    p.subsidy_ratio = pct(input.subsidy_pct) / Decimal::TWO;
    p.bondable_share = pct(input.bond_pct) / Decimal::TWO;
    p.fees = Money::ZERO;
    p.strategy = [None, Some(Strategy::Earning), Some(Strategy::HighQuality), Some(Strategy::Safety)]
        [input.strategy as usize % 4];
    p.next_generation = input.next_generation;
    p.all_or_nothing = input.all_or_nothing;
    p.attributes.demand_trend = input.demand_trend.map(|t| Decimal::from(t) / Decimal::from(1000));
    p.attributes.satisfaction = input.satisfaction.map(pct);
    p.attributes.service_level = input.service_level.map(|l| Decimal::from(l) / Decimal::from(100));
    p.attributes.digital_share = input.digital_share.map(pct);
    p.attributes.private_capacity = input.private_capacity.map(pct);
    p.attributes.outsourced = input.outsourced;
    p.attributes.overlap_with = input.overlap.then(|| "P03".to_string());
    p.kpi = input.kpi.map(|(b, t, a)| Kpi {
        indicator: "指標".into(),
        baseline: Decimal::from(b),
        target: Decimal::from(t),
        actual: Decimal::from(a),
        direction: if t < b { KpiDirection::Lower } else { KpiDirection::Higher },
    });
    let kind = p.kind;
    let requested = p.requested;
    match waku::review::review(&s, ruleset) {
        Ok(review) => {
            let a = &review.programs[1].assessment;
            assert!(a.min <= a.max, "min {} above max {}", a.min, a.max);
            assert!(a.max <= requested.max(Money::ZERO) || a.max.is_zero(), "max {} above request {requested}", a.max);
            if kind == ProgramKind::Mandatory {
                assert_eq!((a.min, a.max), (requested, requested), "mandatory is fixed at the request");
            }
            assert_eq!(review.programs[1].findings.len(), 6);
        }
        Err(e) => {
            // A ruleset error on odd data must still be a located, rendered diagnostic.
            assert!(e.to_string().starts_with("error: "), "{e}");
        }
    }
});
