//! `waku sweep`: many variants of one scenario, run in parallel, key outputs per variant.
//!
//! The variants come from a grid (every combination of the `--vary` values) or from seeded
//! uniform draws (`--samples N --seed S`: the same seed gives the same variants everywhere).
//! The review is computed once and shared when no varied name is a rule input (see
//! [`super::vary`]); each variant then only builds and solves its allocation model. An
//! infeasible variant is recorded with its diagnosis and the sweep goes on.

use std::collections::BTreeMap;

use rand::Rng;
use rand::SeedableRng;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use super::indicators::{self, Quantity};
use super::vary::Vary;
use crate::allocate::{self, Allocation, ConstraintKind};
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::money::Money;
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::Scenario;
use crate::{Error, Result};

/// The most variants one sweep runs.
pub const MAX_VARIANTS: usize = 1_000_000;

/// How the variants are chosen.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Every combination of the grid values.
    Grid,
    /// `n` uniform draws from the ranges, seeded.
    Samples { n: usize, seed: u64 },
}

/// The variant values, one row per variant, one column per `--vary` (in the order given).
pub fn variants(vary: &[Vary], mode: Mode) -> Result<Vec<Vec<Decimal>>> {
    if vary.is_empty() {
        return Err(Error::input(
            Diagnostic::error("nothing to vary")
                .hint("add `--vary NAME=LO..HI:N`, e.g. `--vary revenue=-5%..+5%:11`; see `waku sweep --help`"),
        ));
    }
    let mut seen = BTreeMap::new();
    for v in vary {
        if let Some(first) = seen.insert(v.name, v.text.clone()) {
            let src = Source::new("--vary", None, v.text.clone());
            return Err(Error::input(
                Diagnostic::error(format!("`{}` is varied twice", v.name))
                    .at(Location::new(&src, 0..v.name.len()))
                    .note(format!("first as `--vary {first}`"))
                    .hint("give each name one `--vary`"),
            ));
        }
    }
    match mode {
        Mode::Grid => {
            let axes: Vec<Vec<Decimal>> = vary.iter().map(Vary::grid).collect::<Result<_>>()?;
            let total = axes.iter().try_fold(1usize, |acc, a| acc.checked_mul(a.len())).unwrap_or(usize::MAX);
            if total > MAX_VARIANTS {
                return Err(Error::input(
                    Diagnostic::error(format!("the grid has {total} variants, more than {MAX_VARIANTS}"))
                        .hint("use fewer steps, or draw a sample with `--samples N`"),
                ));
            }
            let mut rows: Vec<Vec<Decimal>> = vec![Vec::new()];
            for axis in &axes {
                rows = rows.iter().flat_map(|r| axis.iter().map(move |x| [r.as_slice(), &[*x]].concat())).collect();
            }
            Ok(rows)
        }
        Mode::Samples { n, seed } => {
            if n == 0 || n > MAX_VARIANTS {
                return Err(Error::input(
                    Diagnostic::error(format!("`--samples {n}` is out of range"))
                        .hint(format!("draw between 1 and {MAX_VARIANTS} variants")),
                ));
            }
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            const SCALE: u32 = 1_000_000;
            Ok((0..n)
                .map(|_| {
                    vary.iter()
                        .map(|v| v.sample(Decimal::from(rng.random_range(0..=SCALE)) / Decimal::from(SCALE)))
                        .collect()
                })
                .collect())
        }
    }
}

/// The key outputs of one variant.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// 1-based, in the order the variants were generated.
    pub variant: usize,
    /// `--vary` name → value as written (a change like `-5%`, an amount in yen, a share).
    pub inputs: BTreeMap<String, String>,
    pub feasible: bool,
    /// Why not, when infeasible (the diagnosis in one line).
    pub reason: Option<String>,
    pub general_revenue: Option<Money>,
    pub available: Option<Money>,
    pub reserve: Option<Money>,
    pub reserve_share: Option<Decimal>,
    pub fund_drawdown: Option<Money>,
    pub investment: Option<Money>,
    pub bond_issuance: Option<Money>,
    pub bond_balance_end: Option<Money>,
    pub next_generation: Option<Money>,
    /// Bureau id → envelope.
    pub envelopes: BTreeMap<String, Money>,
    /// Names of the binding constraints.
    pub binding: Vec<String>,
    /// Indicator id → value.
    pub indicators: BTreeMap<String, Quantity>,
}

/// The outcome of a sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    pub scenario: String,
    /// The `--set` overrides every variant starts from (absent without any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<crate::scenario::Override>,
    /// The `--vary` arguments.
    pub vary: Vec<String>,
    /// Whether every variant shared one review.
    pub review_reused: bool,
    pub rows: Vec<Row>,
    /// Bureau ids in scenario order (CSV columns).
    #[serde(skip)]
    pub departments: Vec<String>,
}

impl Sweep {
    pub fn feasible(&self) -> usize {
        self.rows.iter().filter(|r| r.feasible).count()
    }
}

/// Runs every variant of `base` in parallel. `tick` is called once per finished variant (progress).
pub fn run(
    base: &Scenario,
    ruleset: &Ruleset,
    vary: &[Vary],
    variants: &[Vec<Decimal>],
    options: &allocate::Options,
    tick: &(dyn Fn() + Sync),
) -> Result<Sweep> {
    let review_reused = !vary.iter().any(Vary::affects_review);
    let review_options = crate::review::Options { fast: options.fast, ..Default::default() };
    let shared = if review_reused { Some(crate::review::review_with(base, ruleset, &review_options)?) } else { None };
    let rows: Vec<Result<Row>> = variants
        .par_iter()
        .enumerate()
        .map(|(i, values)| {
            let row = one(base, ruleset, shared.as_ref(), vary, values, options, i + 1);
            tick();
            row
        })
        .collect();
    Ok(Sweep {
        scenario: Source::display_path(&base.path),
        overrides: base.overrides.clone(),
        vary: vary.iter().map(|v| v.text.clone()).collect(),
        review_reused,
        rows: rows.into_iter().collect::<Result<_>>()?,
        departments: base.departments.iter().map(|d| d.id.clone()).collect(),
    })
}

fn one(
    base: &Scenario,
    ruleset: &Ruleset,
    shared: Option<&Review>,
    vary: &[Vary],
    values: &[Decimal],
    options: &allocate::Options,
    index: usize,
) -> Result<Row> {
    let mut scenario = base.clone();
    let inputs = vary.iter().zip(values).map(|(v, x)| (v.name.to_string(), v.show(*x))).collect();
    let mut row = Row {
        variant: index,
        inputs,
        feasible: false,
        reason: None,
        general_revenue: None,
        available: None,
        reserve: None,
        reserve_share: None,
        fund_drawdown: None,
        investment: None,
        bond_issuance: None,
        bond_balance_end: None,
        next_generation: None,
        envelopes: BTreeMap::new(),
        binding: Vec::new(),
        indicators: BTreeMap::new(),
    };
    for (v, x) in vary.iter().zip(values) {
        if let Err(reason) = v.apply(&mut scenario, *x) {
            row.reason = Some(reason);
            return Ok(row);
        }
    }
    row.general_revenue = Some(scenario.revenue.general_revenue);
    let own;
    let review = match shared {
        Some(r) => r,
        None => {
            own = crate::review::review_with(
                &scenario,
                ruleset,
                &crate::review::Options { fast: options.fast, ..Default::default() },
            )?;
            &own
        }
    };
    // As `waku run` allocates it: with `[fiscal]`, the ratio limits held.
    match crate::pipeline::allocate_year(&scenario, review, options) {
        Ok(o) => match o.allocations.first() {
            Some(a) => fill(&mut row, &scenario, a),
            None => return Err(Error::internal("a sweep variant was allocated no year")),
        },
        Err(Error::Infeasible(d)) => row.reason = Some(one_line(&d)),
        // A solver that stopped is recorded too: one bad variant does not end the sweep.
        Err(Error::Input(ds)) => row.reason = Some(ds.iter().map(one_line).collect::<Vec<_>>().join("; ")),
        Err(e) => return Err(e),
    }
    Ok(row)
}

fn one_line(d: &Diagnostic) -> String {
    let mut s = d.message.clone();
    for n in &d.notes {
        s.push_str("; ");
        s.push_str(n);
    }
    s
}

fn fill(row: &mut Row, scenario: &Scenario, a: &Allocation) {
    row.feasible = true;
    row.available = Some(a.available);
    row.reserve = Some(a.reserve);
    row.reserve_share = Some(a.reserve_share.round_dp(6));
    row.fund_drawdown = Some(a.fund_drawdown);
    row.investment = Some(a.investment);
    row.bond_issuance = Some(a.bond_issuance);
    row.bond_balance_end = Some(a.bond_balance_end);
    row.next_generation = Some(a.next_generation);
    row.envelopes = a.envelopes.iter().map(|e| (e.department.clone(), e.amount)).collect();
    row.binding = a
        .constraints
        .iter()
        .filter(|c| c.binding && c.kind != ConstraintKind::Balance)
        .map(|c| c.name.clone())
        .collect();
    row.indicators = indicators::indicators(scenario, a).into_iter().map(|i| (i.id.to_string(), i.value)).collect();
}

/// The CSV column of a varied input: `in.revenue`, named apart from the outputs (`reserve_share`
/// is both a `--vary` name and a result).
pub fn input_column(name: &str) -> String {
    format!("in.{name}")
}

/// CSV, one line per variant; money in whole yen. Every column name is unique: the varied inputs
/// are `in.<name>`, the bureaus' envelopes `envelope.<id>`, the indicators `indicator.<id>`.
pub fn to_csv(sweep: &Sweep, vary: &[Vary]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["variant".into()];
    header.extend(vary.iter().map(|v| input_column(v.name)));
    header.extend(
        [
            "feasible",
            "reason",
            "general_revenue",
            "available",
            "reserve",
            "reserve_share",
            "fund_drawdown",
            "investment",
            "bond_issuance",
            "bond_balance_end",
            "next_generation",
            "binding",
        ]
        .map(String::from),
    );
    header.extend(sweep.departments.iter().map(|d| format!("envelope.{d}")));
    header.extend(indicators::KNOWN.iter().map(|(k, _)| format!("indicator.{k}")));
    let fail = |e: csv::Error| Error::internal(format!("the sweep's CSV could not be written: {e}"));
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = header.iter().find(|h| !seen.insert(h.as_str())) {
        return Err(Error::internal(format!("two sweep columns are named `{twice}`")));
    }
    w.write_record(&header).map_err(fail)?;
    let m = |x: Option<Money>| x.map_or_else(String::new, |m| m.as_decimal().to_string());
    for r in &sweep.rows {
        let mut rec: Vec<String> = vec![r.variant.to_string()];
        rec.extend(vary.iter().map(|v| r.inputs.get(v.name).cloned().unwrap_or_default()));
        rec.push(r.feasible.to_string());
        rec.push(crate::files::spreadsheet_text(r.reason.as_deref().unwrap_or_default()).into_owned());
        for x in [r.general_revenue, r.available, r.reserve] {
            rec.push(m(x));
        }
        rec.push(r.reserve_share.map_or_else(String::new, |s| s.normalize().to_string()));
        for x in [r.fund_drawdown, r.investment, r.bond_issuance, r.bond_balance_end, r.next_generation] {
            rec.push(m(x));
        }
        rec.push(crate::files::spreadsheet_text(&r.binding.join(" ")).into_owned());
        rec.extend(sweep.departments.iter().map(|d| m(r.envelopes.get(d).copied())));
        rec.extend(
            indicators::KNOWN
                .iter()
                .map(|(k, _)| r.indicators.get(*k).map_or_else(String::new, |q| q.decimal().normalize().to_string())),
        );
        w.write_record(&rec).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::internal(format!("the sweep's CSV could not be written: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::internal(format!("the sweep's CSV is not UTF-8: {e}")))
}
