//! Synthetic cities for scale: a scenario and a program inventory, deterministic for a seed.
//!
//! The mix follows a Japanese designated city: a few large mandatory lines carry most of the
//! money (personnel, social assistance, debt service), most programs are small discretionary
//! ones, about a fifth are investment, a few are new initiatives. Requests exceed general
//! revenue by a fiscal gap of about 2%, so the review and the allocation have work to do.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::{Error, Result};

/// What to generate.
#[derive(Debug, Clone)]
pub struct CitySpec {
    pub programs: usize,
    pub departments: usize,
    pub seed: u64,
}

/// A generated city: the scenario file text and the inventory CSV text.
#[derive(Debug, Clone)]
pub struct GeneratedCity {
    pub scenario_toml: String,
    pub inventory_csv: String,
}

/// The inventory file name the generated scenario refers to.
pub const INVENTORY_FILE: &str = "programs.csv";
/// The generated scenario's file name.
pub const SCENARIO_FILE: &str = "city.toml";

const NAMES: [&str; 24] = [
    "子育て支援",
    "高齢者福祉",
    "障害者福祉",
    "地域医療",
    "健康づくり",
    "生涯学習",
    "スポーツ振興",
    "文化振興",
    "観光振興",
    "中小企業支援",
    "雇用促進",
    "スタートアップ支援",
    "環境保全",
    "ごみ処理",
    "公園管理",
    "道路維持",
    "橋梁補修",
    "市営住宅",
    "消防体制",
    "防災対策",
    "学校運営",
    "学校給食",
    "窓口サービス",
    "広報",
];

/// Generates a city. Same spec, same bytes.
pub fn generate(spec: &CitySpec) -> Result<GeneratedCity> {
    if spec.programs == 0 || spec.departments == 0 {
        return Err(Error::input(
            Diagnostic::error("a city needs at least one program and one department")
                .hint("e.g. `waku generate --programs 3000 --departments 20`"),
        ));
    }
    if spec.departments > spec.programs {
        return Err(Error::input(
            Diagnostic::error(format!(
                "{} departments cannot each have a program among {} programs",
                spec.departments, spec.programs
            ))
            .hint("give at least as many programs as departments"),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut csv = String::with_capacity(spec.programs * 160);
    csv.push_str("id,name,department,kind,prior_cost,requested,subsidy_ratio,fees,bondable_share,strategy,next_generation,all_or_nothing,demand_trend,satisfaction,overlap_with,service_level,digital_share,private_capacity,outsourced,natural_savings,kpi_indicator,kpi_baseline,kpi_target,kpi_actual\n");
    let mut requested_total = Money::ZERO;
    let mut general_needed = Money::ZERO;
    let mut investment = Money::ZERO;
    let mut bonds = Money::ZERO;
    let mut next_gen = Money::ZERO;
    let mut base = vec![Money::ZERO; spec.departments];
    for i in 0..spec.programs {
        // Every department gets its first program in order; the rest are spread at random.
        let dept = if i < spec.departments { i } else { rng.random_range(0..spec.departments) };
        let roll: f64 = rng.random();
        let kind = match roll {
            r if r < 0.10 => "mandatory",
            r if r < 0.75 => "discretionary",
            r if r < 0.93 => "investment",
            _ => "new",
        };
        // Sizes in 千円, log-uniform within a band per kind.
        let (lo, hi) = match kind {
            "mandatory" => (300_000.0f64, 20_000_000.0f64),
            "investment" => (50_000.0, 3_000_000.0),
            "new" => (20_000.0, 400_000.0),
            _ => (5_000.0, 1_500_000.0),
        };
        let sen = (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp().round() as i64;
        let requested = Money::yen(sen * 1_000);
        let change = 0.85 + rng.random::<f64>() * 0.3;
        let prior = if kind == "new" { Money::ZERO } else { Money::yen((sen as f64 / change).round() as i64 * 1_000) };
        let subsidy: f64 = match kind {
            "mandatory" => [0.0, 0.5, 0.67, 0.75][rng.random_range(0..4)],
            "investment" => [0.0, 0.0, 0.33, 0.5][rng.random_range(0..4)],
            _ => [0.0, 0.0, 0.0, 0.25, 0.5][rng.random_range(0..5)],
        };
        let bondable: f64 = if kind == "investment" { ((1.0 - subsidy) * 0.75 * 100.0).floor() / 100.0 } else { 0.0 };
        let fees = if kind == "discretionary" && rng.random::<f64>() < 0.2 {
            Money::yen((sen as f64 * 0.1).round() as i64 * 1_000)
        } else {
            Money::ZERO
        };
        let next_generation =
            kind == "new" && rng.random::<f64>() < 0.8 || kind != "mandatory" && rng.random::<f64>() < 0.04;
        let strategy = ["", "", "earning", "high_quality", "safety"][rng.random_range(0..5)];
        let overlap = if i > 10 && kind == "discretionary" && rng.random::<f64>() < 0.03 {
            format!("G{:06}", rng.random_range(1..=i))
        } else {
            String::new()
        };
        let (kpi, b, t, a) = if kind == "mandatory" {
            (String::new(), String::new(), String::new(), String::new())
        } else {
            let b = rng.random_range(100..10_000);
            let t = b + rng.random_range(1..(b / 2 + 2));
            let a = b + ((t - b) as f64 * (rng.random::<f64>() * 1.4 - 0.2)).round() as i64;
            ("利用者数（人）".to_string(), b.to_string(), t.to_string(), a.to_string())
        };
        let natural = if kind == "investment" && rng.random::<f64>() < 0.3 {
            Money::yen((sen as f64 * 0.02).round() as i64 * 1_000)
        } else {
            Money::ZERO
        };
        let name = format!("{}事業{}", NAMES[rng.random_range(0..NAMES.len())], i + 1);
        let _ = writeln!(
            csv,
            "G{id:06},{name},d{dept:02},{kind},{prior},{req},{subsidy},{fees},{bondable},{strategy},{ng},{aon},{trend:.2},{sat:.2},{overlap},{level:.2},{digital},{private:.2},{outsourced},{natural},{kpi},{b},{t},{a}",
            id = i + 1,
            prior = prior.as_decimal(),
            req = requested.as_decimal(),
            fees = fees.as_decimal(),
            ng = next_generation,
            aon = kind == "new",
            trend = rng.random::<f64>() * 0.9 - 0.5,
            sat = rng.random::<f64>(),
            level = 0.6 + rng.random::<f64>(),
            digital = if kind == "mandatory" { String::new() } else { format!("{:.2}", rng.random::<f64>()) },
            private = rng.random::<f64>(),
            outsourced = rng.random::<f64>() < 0.1,
            natural = natural.as_decimal(),
        );
        let sub = requested.mul_ratio(decimal(subsidy));
        let bond = requested.mul_ratio(decimal(bondable));
        let gr = requested - sub - fees - bond;
        requested_total += requested;
        general_needed += gr;
        bonds += bond;
        if kind == "investment" {
            investment += requested;
        }
        if next_generation {
            next_gen += requested;
        }
        let prior_gr = prior
            - prior.mul_ratio(decimal(subsidy))
            - prior.mul_ratio(decimal(bondable))
            - if requested.is_zero() {
                Money::ZERO
            } else {
                prior.mul_ratio(fees.as_decimal() / requested.as_decimal())
            };
        base[dept] += prior_gr;
    }
    let general_revenue = (general_needed.mul_ratio(decimal(0.98))).floor_to(crate::Unit::Sen);
    let mut toml = String::new();
    let _ = writeln!(
        toml,
        "# A synthetic city generated by `waku generate --programs {} --departments {} --seed {}`.",
        spec.programs, spec.departments, spec.seed
    );
    let _ =
        writeln!(toml, "# Every figure is illustrative. Requests exceed general revenue by about 2% (the fiscal gap).");
    let _ = writeln!(
        toml,
        "city = \"みほん市{}\"\nname = \"合成シナリオ（{}事業）\"\nfiscal_year = 2026\ndisplay_unit = \"億円\"\nrounding_unit = \"千円\"\ninventory = \"{INVENTORY_FILE}\"\n",
        spec.seed, spec.programs
    );
    let _ = writeln!(
        toml,
        "[revenue]\ngeneral_account = \"{}\"\ngeneral_revenue = \"{}\"\n",
        requested_total.as_decimal(),
        general_revenue.as_decimal()
    );
    let fund = general_revenue.mul_ratio(decimal(0.05)).floor_to(crate::Unit::Sen);
    let _ = writeln!(
        toml,
        "[fund]\nbalance = \"{}\"\nmax_drawdown = \"{}\"\nfloor = \"{}\"\n",
        fund.as_decimal(),
        fund.mul_ratio(decimal(0.2)).floor_to(crate::Unit::Sen).as_decimal(),
        fund.mul_ratio(decimal(0.4)).floor_to(crate::Unit::Sen).as_decimal()
    );
    let bond_balance = requested_total.mul_ratio(decimal(1.2)).floor_to(crate::Unit::Sen);
    let _ = writeln!(
        toml,
        "[bonds]\nbalance = \"{}\"\nissuance_cap = \"{}\"\nredemption = \"{}\"\n",
        bond_balance.as_decimal(),
        bonds.as_decimal(),
        bonds.mul_ratio(decimal(1.02)).floor_to(crate::Unit::Sen).as_decimal()
    );
    // Envelope floors are held as written, so they must leave room for the review's cuts: half the
    // base, and none where a bureau has so few programs that the review may abolish most of them.
    let floor_ratio = if spec.programs >= 10 * spec.departments.max(1) { "0.5" } else { "0" };
    let _ = writeln!(
        toml,
        "[policy]\ninvestment_cap = \"{}\"\nreserve_min_share = 0.005\nreserve_max_share = 0.05\nnext_generation_target = \"{}\"\nenvelope_floor_ratio = {floor_ratio}\nenvelope_ceiling_ratio = 1.3\nretention_share = 0.5\n",
        investment.mul_ratio(decimal(1.01)).floor_to(crate::Unit::Sen).as_decimal(),
        next_gen.mul_ratio(decimal(0.5)).floor_to(crate::Unit::Sen).as_decimal()
    );
    for (d, b) in base.iter().enumerate() {
        let _ = writeln!(toml, "[[departments]]\nid = \"d{d:02}\"\nname = \"第{}局\"\n", d + 1);
        let _ = b;
    }
    Ok(GeneratedCity { scenario_toml: toml, inventory_csv: csv })
}

fn decimal(f: f64) -> rust_decimal::Decimal {
    rust_decimal::Decimal::from_f64_retain(f).map(|d| d.round_dp(4)).unwrap_or_default()
}

/// Writes a generated city into `dir` (created if needed); returns the scenario path.
pub fn write_city(spec: &CitySpec, dir: &Path) -> Result<PathBuf> {
    let city = generate(spec)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format_args!("cannot write `{}`", dir.display()), &e))?;
    let scenario = dir.join(SCENARIO_FILE);
    crate::report::write_atomic(&dir.join(INVENTORY_FILE), city.inventory_csv.as_bytes())?;
    crate::report::write_atomic(&scenario, city.scenario_toml.as_bytes())?;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_the_city_loads() {
        let spec = CitySpec { programs: 300, departments: 12, seed: 7 };
        let a = generate(&spec).unwrap();
        let b = generate(&spec).unwrap();
        assert_eq!(a.scenario_toml, b.scenario_toml);
        assert_eq!(a.inventory_csv, b.inventory_csv);
        let c = generate(&CitySpec { seed: 8, ..spec.clone() }).unwrap();
        assert_ne!(a.inventory_csv, c.inventory_csv);
        let dir = std::env::temp_dir().join(format!("waku-generate-test-{}", std::process::id()));
        let path = write_city(&spec, &dir).unwrap();
        let s = crate::scenario::load(&path).unwrap();
        assert_eq!(s.programs.len(), 300);
        assert_eq!(s.departments.len(), 12);
        assert!(s.requested_general_revenue() > s.revenue.general_revenue, "there is a fiscal gap");
        let _ = std::fs::remove_dir_all(dir);
    }
}
