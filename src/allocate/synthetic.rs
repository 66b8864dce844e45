//! Synthetic cities for scale tests and benchmarks: a feasible scenario of any size with a
//! review, built in code from a seed (no files, no randomness beyond a fixed-seed generator).

use std::collections::BTreeMap;
use std::path::PathBuf;

use rust_decimal::Decimal;

use crate::money::{Money, Unit};
use crate::review::{Action, Assessment, ProgramReview, Review};
use crate::scenario::{Attributes, Bonds, Department, Fund, FundDraw, Policy, Program, ProgramKind, Revenue, Scenario};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A ratio with `dp` decimal places in `lo..=hi` (given in units of 10^-dp).
    pub fn ratio(&mut self, lo: i64, hi: i64, dp: u32) -> Decimal {
        Decimal::new(lo + self.below((hi - lo + 1) as u64) as i64, dp)
    }
}

/// How big and how tight the synthetic city is.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub programs: usize,
    pub departments: usize,
    /// Make half of the new initiatives all-or-nothing (a MILP); `false` for a pure LP.
    pub all_or_nothing: bool,
    pub seed: u64,
}

impl Shape {
    /// A city of `programs` programs in 20 bureaus, LP only.
    pub fn lp(programs: usize) -> Shape {
        Shape { programs, departments: 20, all_or_nothing: false, seed: 2026 }
    }
}

fn money(yen: u64) -> Money {
    Money::yen(yen as i64)
}

/// A scenario and its review: general revenue ~3% short of the requests, limits a little tight.
pub fn city(shape: Shape) -> (Scenario, Review) {
    let mut rng = Rng::new(shape.seed);
    let mut programs = Vec::with_capacity(shape.programs);
    let mut reviews = Vec::with_capacity(shape.programs);
    for i in 0..shape.programs {
        let d = i % shape.departments.max(1);
        let kind = match rng.below(10) {
            0..=3 => ProgramKind::Mandatory,
            4..=6 => ProgramKind::Discretionary,
            7..=8 => ProgramKind::Investment,
            _ => ProgramKind::New,
        };
        // Costs in whole 千円, 1百万円 to 5億円 (log-ish spread).
        let magnitude = [1_000u64, 10_000, 100_000, 500_000][rng.below(4) as usize];
        let requested = money((magnitude + rng.below(magnitude * 4)) * 1_000);
        let prior = match kind {
            ProgramKind::New => Money::ZERO,
            _ => requested.mul_ratio(rng.ratio(90, 110, 2)),
        };
        let subsidy_ratio = match kind {
            ProgramKind::Mandatory => rng.ratio(0, 50, 2),
            _ => rng.ratio(0, 30, 2),
        };
        let bondable_share = if kind == ProgramKind::Investment { rng.ratio(20, 60, 2) } else { Decimal::ZERO };
        let fees = if rng.below(5) == 0 { requested.mul_ratio(rng.ratio(1, 10, 2)) } else { Money::ZERO };
        let next_generation = kind != ProgramKind::Mandatory && rng.below(6) == 0;
        let all_or_nothing = shape.all_or_nothing && kind == ProgramKind::New && rng.below(2) == 0;
        let id = format!("P{i:06}");
        let (action, min, max, priority) = match kind {
            ProgramKind::Mandatory => (Action::Continue, requested, requested, Decimal::ONE),
            ProgramKind::New => (Action::Expand, Money::ZERO, requested, rng.ratio(80, 150, 2)),
            _ => match rng.below(4) {
                0 => (
                    Action::Reduce,
                    prior.mul_ratio(Decimal::new(80, 2)),
                    prior.mul_ratio(Decimal::new(90, 2)),
                    rng.ratio(40, 80, 2),
                ),
                1 => (Action::Expand, prior, requested.max(prior), rng.ratio(110, 150, 2)),
                _ => (
                    Action::Continue,
                    prior.mul_ratio(Decimal::new(90, 2)).min(requested),
                    requested,
                    rng.ratio(80, 120, 2),
                ),
            },
        };
        programs.push(Program {
            id: id.clone(),
            name: format!("事業{i}"),
            department: format!("d{d:02}"),
            cluster: None,
            kind,
            prior_cost: prior,
            requested,
            subsidy_ratio,
            fees,
            bondable_share,
            strategy: None,
            next_generation,
            all_or_nothing,
            attributes: Attributes::default(),
            kpi: None,
            nature: None,
            max_cut_share: None,
            location: None,
        });
        reviews.push(ProgramReview {
            id,
            department: format!("d{d:02}"),
            findings: Vec::new(),
            assessment: Assessment { action, priority, min, max, reason: "synthetic".into() },
            printed: Vec::new(),
        });
    }
    let departments = (0..shape.departments)
        .map(|d| Department {
            id: format!("d{d:02}"),
            name: format!("第{d}局"),
            floor: None,
            ceiling: None,
            floor_ratio: Decimal::new(80, 2),
            ceiling_ratio: Decimal::new(130, 2),
            retention_share: Decimal::new(5, 1),
            retention_cap: None,
            policy_script: None,
            max_cut_share: None,
            location: None,
        })
        .collect();
    let mut sc = Scenario {
        path: PathBuf::from(format!("synthetic-{}.toml", shape.programs)),
        city: "合成市".into(),
        name: format!("synthetic city of {} programs", shape.programs),
        fiscal_year: 2026,
        display_unit: Unit::Oku,
        rounding_unit: Unit::Sen,
        rules_dir: PathBuf::from("rules"),
        parameters: BTreeMap::new(),
        revenue: Revenue { general_account: None, general_revenue: Money::ZERO },
        fund: Fund {
            balance: Money::ZERO,
            max_drawdown: Money::ZERO,
            floor: Money::ZERO,
            draw: FundDraw::default(),
            held_drawdown: Money::ZERO,
        },
        bonds: Bonds { balance: Money::ZERO, issuance_cap: Money::ZERO, redemption: Money::ZERO },
        policy: Policy {
            investment_cap: Money::ZERO,
            reserve_min_share: Decimal::new(1, 2),
            reserve_max_share: Decimal::new(5, 2),
            reserve_weight: Decimal::new(5, 1),
            next_generation_target: Money::ZERO,
            envelope_floor_ratio: Decimal::new(80, 2),
            envelope_ceiling_ratio: Decimal::new(130, 2),
            retention_share: Decimal::new(5, 1),
            retention_cap_per_program: None,
            retention_cap_per_department: None,
            style: crate::scenario::Style::default(),
            ceiling: crate::scenario::CeilingRatios::default(),
            balanced_band: Decimal::new(2, 2),
            max_cut_share: None,
            script: None,
            max_cut_share_by_kind: crate::scenario::CeilingRatios::default(),
        },
        departments,
        clusters: Vec::new(),
        programs,
        expectations: Vec::new(),
        fiscal: None,
        warnings: Vec::new(),
        overrides: Vec::new(),
        cycle: None,
        proposals: Vec::new(),
        kpis: None,
    };
    let requested_g = sc.requested_general_revenue();
    let investment: Money = sc.programs.iter().filter(|p| p.kind == ProgramKind::Investment).map(|p| p.requested).sum();
    let bonds: Money = sc.programs.iter().map(|p| p.funding(p.requested).bonds).sum();
    let ng: Money = sc.programs.iter().filter(|p| p.next_generation).map(|p| p.general_revenue(p.requested)).sum();
    sc.revenue.general_revenue = requested_g.mul_ratio(Decimal::new(97, 2)).round_to(Unit::Sen);
    sc.fund = Fund {
        balance: requested_g.mul_ratio(Decimal::new(8, 2)),
        max_drawdown: requested_g.mul_ratio(Decimal::new(2, 2)),
        floor: requested_g.mul_ratio(Decimal::new(3, 2)),
        draw: FundDraw::default(),
        held_drawdown: Money::ZERO,
    };
    sc.bonds = Bonds {
        balance: requested_g.mul_ratio(Decimal::TWO),
        issuance_cap: bonds.mul_ratio(Decimal::new(95, 2)),
        redemption: bonds,
    };
    sc.policy.investment_cap = investment.mul_ratio(Decimal::new(95, 2)).round_to(Unit::Hyakuman);
    sc.policy.next_generation_target = ng.mul_ratio(Decimal::new(60, 2)).round_to(Unit::Hyakuman);
    let rounding_unit = sc.rounding_unit;
    (sc, Review { rounding_unit, programs: reviews })
}

/// Writes the city of `shape` as a scenario file and CSV inventory in `dir` (for end-to-end
/// benchmarks: load + review + allocate). Returns the scenario's path.
pub fn write(shape: Shape, dir: &std::path::Path) -> std::io::Result<PathBuf> {
    use std::fmt::Write as _;
    let (sc, _) = city(shape);
    let stem = format!("synthetic-{}", shape.programs);
    let csv_name = format!("{stem}-programs.csv");
    let mut csv = String::from(
        "id,name,department,kind,prior_cost,requested,subsidy_ratio,fees,bondable_share,next_generation,all_or_nothing\n",
    );
    for p in &sc.programs {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{}",
            p.id,
            p.name,
            p.department,
            p.kind.id(),
            p.prior_cost.as_decimal(),
            p.requested.as_decimal(),
            p.subsidy_ratio,
            p.fees.as_decimal(),
            p.bondable_share,
            p.next_generation,
            p.all_or_nothing
        );
    }
    let y = |m: Money| m.as_decimal().to_string();
    let mut toml = format!(
        "# A synthetic city for benchmarks (waku::allocate::synthetic).\ncity = \"{}\"\nname = \"{}\"\nfiscal_year = 2026\ndisplay_unit = \"億円\"\nrounding_unit = \"千円\"\ninventory = \"{csv_name}\"\n\n\
         [revenue]\ngeneral_revenue = {}\n\n[fund]\nbalance = {}\nmax_drawdown = {}\nfloor = {}\n\n[bonds]\nbalance = {}\nissuance_cap = {}\nredemption = {}\n\n\
         [policy]\ninvestment_cap = {}\nreserve_min_share = {}\nreserve_max_share = {}\nreserve_weight = {}\nnext_generation_target = {}\nenvelope_floor_ratio = {}\nenvelope_ceiling_ratio = {}\n",
        sc.city,
        sc.name,
        y(sc.revenue.general_revenue),
        y(sc.fund.balance),
        y(sc.fund.max_drawdown),
        y(sc.fund.floor),
        y(sc.bonds.balance),
        y(sc.bonds.issuance_cap),
        y(sc.bonds.redemption),
        y(sc.policy.investment_cap),
        sc.policy.reserve_min_share,
        sc.policy.reserve_max_share,
        sc.policy.reserve_weight,
        y(sc.policy.next_generation_target),
        sc.policy.envelope_floor_ratio,
        sc.policy.envelope_ceiling_ratio,
    );
    for d in &sc.departments {
        let _ = write!(toml, "\n[[departments]]\nid = \"{}\"\nname = \"{}\"\n", d.id, d.name);
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(&csv_name), csv)?;
    let path = dir.join(format!("{stem}.toml"));
    std::fs::write(&path, toml)?;
    Ok(path)
}
