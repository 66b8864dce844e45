//! The program view: what a script sees as `program`, converted once per program.

use std::collections::HashMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, FLOAT, INT, ImmutableString};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::money::Unit;
use crate::review::Action;
use crate::rules::ProgramView;
use crate::rules::engine::{IndicatorData, IndicatorView, KpiValues, ProgramData, kpi_view};
use crate::scenario::kpis::{Indicator, KpiKind, KpiTable, Subject};
use crate::scenario::{Program, ProgramKind, Scenario, Strategy};

/// Names a program may refer to: bureaus, clusters and other programs (for `overlap_name`),
/// converted once to what scripts see.
#[derive(Debug, Default)]
pub struct Context<'a> {
    /// The scenario's rounding unit: the review's bounds go on its grid ([`Unit::Yen`] by default).
    pub rounding_unit: Unit,
    pub departments: HashMap<&'a str, ImmutableString>,
    /// Cluster id → (name, group, reform type).
    pub clusters: HashMap<&'a str, (Dynamic, Dynamic, Dynamic)>,
    /// Program id → its name, for the programs another program names as overlapping.
    pub programs: HashMap<&'a str, Dynamic>,
    /// Program id → its indicators of the KPI table (an array) and its outcome indicator (or ()).
    pub indicators: HashMap<&'a str, (Dynamic, Dynamic)>,
}

impl<'a> Context<'a> {
    pub fn of(scenario: &'a Scenario) -> Context<'a> {
        let text = |s: &str| Dynamic::from(ImmutableString::from(s));
        Context {
            rounding_unit: scenario.rounding_unit,
            departments: scenario.departments.iter().map(|d| (d.id.as_str(), d.name.as_str().into())).collect(),
            clusters: scenario
                .clusters
                .iter()
                .map(|c| (c.id.as_str(), (text(&c.name), text(&c.group), text(&c.reform_type))))
                .collect(),
            programs: {
                // Only the names some program refers to: a city of 100,000 programs names a few.
                let named: std::collections::HashSet<&str> =
                    scenario.programs.iter().filter_map(|p| p.attributes.overlap_with.as_deref()).collect();
                let programs = scenario.programs.iter().filter(|p| named.contains(p.id.as_str()));
                programs.map(|p| (p.id.as_str(), text(&p.name))).collect()
            },
            indicators: scenario.kpis.as_deref().map(indicator_views).unwrap_or_default(),
        }
    }
}

/// Each program's indicators of the KPI table as scripts see them.
fn indicator_views(table: &KpiTable) -> HashMap<&str, (Dynamic, Dynamic)> {
    let mut out: HashMap<&str, (Array, Dynamic)> = HashMap::new();
    for k in &table.indicators {
        let Subject::Program(id) = &k.subject else { continue };
        let view = indicator_view(k);
        let entry = out.entry(id.as_str()).or_insert_with(|| (Array::new(), Dynamic::UNIT));
        if entry.1.is_unit() && k.kind == KpiKind::Outcome && !k.actuals.is_empty() {
            entry.1 = view.clone();
        }
        entry.0.push(view);
    }
    out.into_iter().map(|(id, (list, outcome))| (id, (Dynamic::from_array(list), outcome))).collect()
}

/// One indicator as scripts see it.
pub(crate) fn indicator_view(k: &Indicator) -> Dynamic {
    let text = |s: &str| ImmutableString::from(s);
    let latest = k.latest();
    let missed = k.missed_years();
    let missed_text = match (missed.first(), missed.last()) {
        (Some(_), Some(_)) => {
            format!("{}年度", missed.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("・"))
        }
        _ => String::new(),
    };
    Dynamic::from(IndicatorView(Arc::new(IndicatorData {
        id: text(&k.id),
        name: text(&k.name),
        kind: text(k.kind.id()),
        kind_ja: text(k.kind.label()),
        unit: text(&k.unit),
        direction: text(k.direction.id()),
        direction_ja: text(k.direction.label()),
        parent: opt_str(k.parent.as_deref()),
        baseline_year: INT::from(k.baseline_year),
        baseline: float(k.baseline),
        target_year: INT::from(k.target_year),
        target: float(k.target),
        years: k.actuals.keys().map(|y| Dynamic::from_int(INT::from(*y))).collect(),
        latest_year: latest.map_or(Dynamic::UNIT, |l| Dynamic::from_int(INT::from(l.0))),
        actual: latest.map_or(Dynamic::UNIT, |l| Dynamic::from_float(float(l.1))),
        achievement: opt_float(latest.and_then(|l| l.2)),
        achievements: k
            .achievements()
            .into_iter()
            .map(|(y, a)| (y.to_string().into(), Dynamic::from_float(float(a))))
            .collect(),
        trend: opt_float(k.trend()),
        status: text(k.status().label()),
        missed_count: missed.len() as INT,
        missed_years: missed.into_iter().map(|y| Dynamic::from_int(INT::from(y))).collect(),
        missed_text: missed_text.into(),
    })))
}

/// Labels every program shares, allocated once.
pub(super) struct Labels {
    actions: Vec<(Action, ImmutableString)>,
    kinds: Vec<(ProgramKind, ImmutableString, ImmutableString)>,
    strategies: Vec<(Strategy, Dynamic, Dynamic)>,
}

pub(super) fn labels() -> &'static Labels {
    static LABELS: std::sync::OnceLock<Labels> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| Labels {
        actions: Action::ALL.iter().map(|a| (*a, a.label().into())).collect(),
        kinds: ProgramKind::ALL.iter().map(|k| (*k, k.id().into(), k.label().into())).collect(),
        strategies: Strategy::ALL
            .iter()
            .map(|s| {
                (*s, Dynamic::from(ImmutableString::from(s.id())), Dynamic::from(ImmutableString::from(s.label())))
            })
            .collect(),
    })
}

pub(super) fn action_label(a: Action) -> ImmutableString {
    labels().actions.iter().find(|(x, _)| *x == a).map_or_else(|| a.label().into(), |(_, l)| l.clone())
}

pub(super) fn opt_float(d: Option<Decimal>) -> Dynamic {
    d.map_or(Dynamic::UNIT, |d| Dynamic::from_float(float(d)))
}

pub(super) fn opt_str(s: Option<&str>) -> Dynamic {
    s.map_or(Dynamic::UNIT, |s| Dynamic::from(ImmutableString::from(s)))
}

/// `d.to_f64()`: the same steps as `rust_decimal`, in 64-bit integers where the digits fit (a
/// program view converts a dozen numbers; 128-bit division is slow).
pub(super) fn float(d: Decimal) -> FLOAT {
    let scale = d.scale();
    let m = d.mantissa();
    let Ok(abs) = u64::try_from(m.unsigned_abs()) else { return d.to_f64().unwrap_or(0.0) };
    if scale > 19 || abs >= 1 << 63 {
        return d.to_f64().unwrap_or(0.0);
    }
    if scale == 0 {
        return m as i64 as FLOAT;
    }
    let precision = 10u64.pow(scale);
    let (integral, frac) = ((abs / precision) as FLOAT, (abs % precision) as FLOAT / precision as FLOAT);
    let neg = d.is_sign_negative();
    if frac == 0.0 {
        return if neg { -integral } else { integral };
    }
    let round_to = 10f64.powi(scale as i32);
    let rounded = ((integral + frac) * round_to).round() / round_to;
    if neg { -rounded } else { rounded }
}

/// What a script sees as `program`.
pub fn program_view(p: &Program, cx: &Context<'_>) -> ProgramView {
    let cluster = p.cluster.as_deref().and_then(|c| cx.clusters.get(c));
    let growth = if p.prior_cost.is_zero() {
        Dynamic::UNIT
    } else {
        Dynamic::from_float(float(p.requested.as_decimal() / p.prior_cost.as_decimal() - Decimal::ONE))
    };
    let a = &p.attributes;
    let kpi = match &p.kpi {
        Some(k) => kpi_view(KpiValues {
            indicator: &k.indicator,
            baseline: float(k.baseline),
            target: float(k.target),
            actual: float(k.actual),
            achievement: k.achievement().map(float),
            direction: k.direction,
        }),
        None => Dynamic::UNIT,
    };
    let l = labels();
    let (kind, kind_ja) = match l.kinds.iter().find(|(k, _, _)| *k == p.kind) {
        Some((_, id, label)) => (id.clone(), label.clone()),
        None => (p.kind.id().into(), p.kind.label().into()),
    };
    let (strategy, strategy_ja) = match p.strategy.and_then(|s| l.strategies.iter().find(|(k, _, _)| *k == s)) {
        Some((_, id, label)) => (id.clone(), label.clone()),
        None => (Dynamic::UNIT, Dynamic::UNIT),
    };
    ProgramView(Arc::new(ProgramData {
        id: p.id.as_str().into(),
        name: p.name.as_str().into(),
        department: p.department.as_str().into(),
        department_name: cx
            .departments
            .get(p.department.as_str())
            .cloned()
            .unwrap_or_else(|| p.department.as_str().into()),
        cluster: opt_str(p.cluster.as_deref()),
        cluster_name: cluster.map_or(Dynamic::UNIT, |c| c.0.clone()),
        cluster_group: cluster.map_or(Dynamic::UNIT, |c| c.1.clone()),
        reform_type: cluster.map_or(Dynamic::UNIT, |c| c.2.clone()),
        kind,
        kind_ja,
        prior_cost: p.prior_cost.as_decimal(),
        requested: p.requested.as_decimal(),
        growth,
        subsidy_ratio: float(p.subsidy_ratio),
        fees: p.fees.as_decimal(),
        bondable_share: float(p.bondable_share),
        specific_share: float(p.specific_share()),
        general_revenue: p.general_revenue(p.requested).as_decimal(),
        strategy,
        strategy_ja,
        next_generation: p.next_generation,
        all_or_nothing: p.all_or_nothing,
        demand_trend: opt_float(a.demand_trend),
        satisfaction: opt_float(a.satisfaction),
        overlap_with: opt_str(a.overlap_with.as_deref()),
        overlap_name: a.overlap_with.as_deref().and_then(|o| cx.programs.get(o)).cloned().unwrap_or(Dynamic::UNIT),
        service_level: opt_float(a.service_level),
        digital_share: opt_float(a.digital_share),
        private_capacity: opt_float(a.private_capacity),
        outsourced: a.outsourced,
        natural_savings: a.natural_savings.as_decimal(),
        kpi,
        kpis: cx.indicators.get(p.id.as_str()).map_or_else(|| Dynamic::from_array(Array::new()), |k| k.0.clone()),
        outcome_kpi: cx.indicators.get(p.id.as_str()).map_or(Dynamic::UNIT, |k| k.1.clone()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_convert_to_floats_exactly_as_rust_decimal_does() {
        let mut values = vec![Decimal::ZERO, Decimal::NEGATIVE_ONE, Decimal::MAX, Decimal::MIN, Decimal::new(-0, 3)];
        let mut seed = 5u64;
        for i in 0..400_000u32 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let m = match i % 4 {
                0 => (seed >> 40) as i64,
                1 => (seed >> 1) as i64,
                2 => -((seed >> 20) as i64),
                _ => seed as i64,
            };
            values.push(Decimal::new(m, (seed % 29) as u32));
            values.push(Decimal::from_i128_with_scale(i128::from(m) << 30, (seed % 23) as u32));
        }
        for d in values {
            assert_eq!(float(d).to_bits(), d.to_f64().unwrap().to_bits(), "{d}");
        }
    }
}
