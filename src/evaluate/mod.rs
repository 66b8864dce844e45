//! `waku evaluate`: the evaluation after the year (事後評価) — each program's KPIs with their
//! achievement, the verdict the review gives and what it means for next year, and per business
//! cluster the 経営分析 summary: its outcomes against its goals, its cost, the cost per unit of
//! outcome and its change, and the KPI tree by the table's parent links.
//!
//! Built from one year's scenario (its KPI table), review and allocation, as the pipeline gives
//! them; the renderings are in [`render`].

pub mod render;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::allocate::Allocation;
use crate::assessment::Action;
use crate::money::{Money, Unit};
use crate::review::Review;
use crate::scenario::Scenario;
use crate::scenario::kpis::{Indicator, KpiKind, KpiStatus, KpiTable};
use crate::{Diagnostic, Error, Result};

/// One year's actual of an indicator.
#[derive(Debug, Clone, Serialize)]
pub struct YearActual {
    pub year: i32,
    pub actual: Decimal,
    /// 0 at the baseline, 1 at the target; `null` when they are equal.
    pub achievement: Option<Decimal>,
    /// What the straight line from the baseline to the target asks of the year.
    pub planned: Decimal,
    /// Below that line.
    pub missed: bool,
}

/// An indicator with its achievement.
#[derive(Debug, Clone, Serialize)]
pub struct KpiEvaluation {
    /// The program or cluster it belongs to.
    pub subject: String,
    pub id: String,
    pub name: String,
    /// `output` or `outcome`.
    pub kind: KpiKind,
    pub kind_ja: &'static str,
    pub unit: String,
    pub direction: &'static str,
    pub parent: Option<String>,
    pub baseline_year: i32,
    pub baseline: Decimal,
    pub target_year: i32,
    pub target: Decimal,
    pub actuals: Vec<YearActual>,
    pub latest_year: Option<i32>,
    pub actual: Option<Decimal>,
    pub achievement: Option<Decimal>,
    /// Average change of achievement per year; negative: moving the worse way.
    pub trend: Option<Decimal>,
    pub status: KpiStatus,
    pub status_ja: &'static str,
    /// The unbroken run of years, up to the latest, below the line to the target.
    pub missed_years: Vec<i32>,
    pub note: String,
}

impl KpiEvaluation {
    fn of(k: &Indicator) -> KpiEvaluation {
        let latest = k.latest();
        KpiEvaluation {
            subject: k.subject.id().to_string(),
            id: k.id.clone(),
            name: k.name.clone(),
            kind: k.kind,
            kind_ja: k.kind.label(),
            unit: k.unit.clone(),
            direction: k.direction.id(),
            parent: k.parent.clone(),
            baseline_year: k.baseline_year,
            baseline: k.baseline.normalize(),
            target_year: k.target_year,
            target: k.target.normalize(),
            actuals: k
                .actuals
                .iter()
                .map(|(y, v)| {
                    let achievement = k.achievement_of(*v).map(|a| a.round_dp(4).normalize());
                    let planned = k.planned(*y).round_dp(4).normalize();
                    YearActual {
                        year: *y,
                        actual: v.normalize(),
                        achievement,
                        planned,
                        missed: achievement.is_some_and(|a| a < k.planned(*y)),
                    }
                })
                .collect(),
            latest_year: latest.map(|l| l.0),
            actual: latest.map(|l| l.1.normalize()),
            achievement: latest.and_then(|l| l.2).map(|a| a.round_dp(4).normalize()),
            trend: k.trend().map(|t| t.round_dp(4).normalize()),
            status: k.status(),
            status_ja: k.status().label(),
            missed_years: k.missed_years(),
            note: k.note.clone(),
        }
    }
}

/// A program's evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramEvaluation {
    pub id: String,
    pub name: String,
    pub department: String,
    pub cluster: Option<String>,
    pub kpis: Vec<KpiEvaluation>,
    /// The review's verdict (今後の方向性) and its reason.
    pub action: Action,
    pub reason: String,
    /// The effectiveness viewpoint's (視点2) finding on the KPIs.
    pub effectiveness: Option<String>,
    /// What the evaluation means for next year's review.
    pub next_year: String,
    pub prior_cost: Money,
    pub allocated: Money,
    pub general_revenue: Money,
}

/// The cost of one unit of an outcome, last year against this year.
#[derive(Debug, Clone, Serialize)]
pub struct CostPerOutcome {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    /// The latest year with an actual, its cost (Σ last year's budget, 前年度予算) and the cost per
    /// unit of that actual.
    pub actual_year: Option<i32>,
    pub actual: Option<Decimal>,
    pub actual_cost: Money,
    pub per_unit_actual: Option<Money>,
    /// This year: the allocation against what the line to the target asks of the year.
    pub planned: Decimal,
    pub planned_cost: Money,
    pub per_unit_planned: Option<Money>,
    /// Year on year, in percent of last year's cost per unit.
    pub change_percent: Option<Decimal>,
}

/// One node of the KPI tree, depth first.
#[derive(Debug, Clone, Serialize)]
pub struct TreeNode {
    pub id: String,
    pub name: String,
    pub kind_ja: &'static str,
    /// The program or cluster the indicator belongs to.
    pub subject: String,
    pub depth: usize,
    pub parent: Option<String>,
    pub achievement: Option<Decimal>,
    pub status: KpiStatus,
    pub status_ja: &'static str,
}

/// A cluster's 経営分析 summary.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterEvaluation {
    pub id: String,
    pub name: String,
    pub group: String,
    pub reform_type: String,
    pub programs: Vec<String>,
    /// Σ last year's budget, this year's allocation and its general revenue over its programs.
    pub prior_cost: Money,
    pub allocated: Money,
    pub general_revenue: Money,
    /// The cluster's own indicators (its goals), then its programs' outcomes.
    pub outcomes: Vec<KpiEvaluation>,
    pub cost_per_outcome: Vec<CostPerOutcome>,
    /// How many of its indicators stand at each status: "悪化1・遅れ2・順調3".
    pub status: String,
    pub tree: Vec<TreeNode>,
}

/// The evaluation of one year.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub city: String,
    /// The multi-year plan whose last year this is (`waku evaluate` on a plan file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    pub scenario: String,
    pub fiscal_year: i32,
    pub kpi_file: String,
    #[serde(skip)]
    pub display_unit: Unit,
    pub clusters: Vec<ClusterEvaluation>,
    pub programs: Vec<ProgramEvaluation>,
}

/// What a verdict means for next year's review.
fn next_year(action: Action, kpis: &[KpiEvaluation]) -> String {
    let worse: Vec<&str> = kpis.iter().filter(|k| k.status == KpiStatus::Worse).map(|k| k.name.as_str()).collect();
    let base = match action {
        Action::Expand => "次年度は拡充の方向で要求を精査",
        Action::Continue => "次年度も継続し、成果指標を引き続き測定",
        Action::Improve => "次年度までに手法を改善し、成果指標で効果を確認",
        Action::Reduce => "次年度は規模を縮小して要求",
        Action::Merge => "次年度は関連事業との統合を検討",
        Action::Outsource => "次年度は民間委託を検討",
        Action::Abolish => "次年度の廃止を検討",
        Action::Complete => "目標を達成したため、次年度の事業の完了を検討",
    };
    if worse.is_empty() { base.to_string() } else { format!("{base}（悪化した指標: {}）", worse.join("・")) }
}

/// "悪化1・遅れ2・順調3" over `kpis`.
fn status_counts(kpis: &[KpiEvaluation]) -> String {
    let order = [KpiStatus::Worse, KpiStatus::Behind, KpiStatus::OnTrack, KpiStatus::Achieved, KpiStatus::Unmeasured];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|s| {
            let n = kpis.iter().filter(|k| k.status == *s).count();
            (n > 0).then(|| format!("{}{n}", s.label()))
        })
        .collect();
    if parts.is_empty() { "指標なし".into() } else { parts.join("・") }
}

/// Money ÷ a number of units, to the yen (half away from zero); `None` for no units.
fn per_unit(cost: Money, units: Decimal) -> Option<Money> {
    if units <= Decimal::ZERO {
        return None;
    }
    cost.as_decimal().checked_div(units).map(|d| Money::from_decimal(d.round_dp(0)))
}

/// The KPI tree under the cluster: its own indicators and, below each, the indicators whose
/// parent it is; then the programs' indicators that link to nothing of the cluster.
fn tree(table: &KpiTable, cluster: &str, programs: &[String]) -> Vec<TreeNode> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    fn walk(
        table: &KpiTable,
        k: &Indicator,
        depth: usize,
        out: &mut Vec<TreeNode>,
        seen: &mut std::collections::BTreeSet<String>,
    ) {
        // The loader refuses cycles; `seen` keeps a tree finite all the same.
        if !seen.insert(k.id.clone()) {
            return;
        }
        let latest = k.latest();
        out.push(TreeNode {
            id: k.id.clone(),
            name: k.name.clone(),
            kind_ja: k.kind.label(),
            subject: k.subject.id().to_string(),
            depth,
            parent: k.parent.clone(),
            achievement: latest.and_then(|l| l.2).map(|a| a.round_dp(4).normalize()),
            status: k.status(),
            status_ja: k.status().label(),
        });
        for child in table.children(&k.id) {
            walk(table, child, depth + 1, out, seen);
        }
    }
    for k in
        table.of(cluster).filter(|k| k.parent.is_none() || table.indicator(k.parent.as_deref().unwrap_or("")).is_none())
    {
        walk(table, k, 0, &mut out, &mut seen);
    }
    for p in programs {
        for k in table.of(p) {
            let rooted = k.parent.as_deref().and_then(|id| table.indicator(id)).is_some();
            if !rooted {
                walk(table, k, 0, &mut out, &mut seen);
            }
        }
    }
    out
}

/// The scenario's KPI table, or the error that there is none to evaluate.
pub fn kpi_table(scenario: &Scenario) -> Result<&KpiTable> {
    scenario.kpis.as_deref().ok_or_else(|| {
        Error::input(
            Diagnostic::error(format!("`{}` has no KPI table to evaluate", scenario.path.display()))
                .hint("name one with `kpis = \"…csv\"` in the scenario (README: \"KPI tables\")"),
        )
    })
}

/// Evaluates one year: `allocation` is the year's (the pipeline's central allocation).
pub fn evaluate(scenario: &Scenario, review: &Review, allocation: &Allocation) -> Result<Evaluation> {
    let table = kpi_table(scenario)?;
    let allocated: BTreeMap<&str, (Money, Money)> =
        allocation.programs.iter().map(|p| (p.id.as_str(), (p.allocated, p.general_revenue))).collect();
    let reviewed: BTreeMap<&str, &crate::review::ProgramReview> =
        review.programs.iter().map(|p| (p.id.as_str(), p)).collect();

    let mut programs = Vec::new();
    for p in &scenario.programs {
        let kpis: Vec<KpiEvaluation> = table.of(&p.id).map(KpiEvaluation::of).collect();
        if kpis.is_empty() {
            continue;
        }
        let r = reviewed.get(p.id.as_str());
        let action = r.map_or(Action::Continue, |r| r.assessment.action);
        let (cost, general) = allocated.get(p.id.as_str()).copied().unwrap_or((Money::ZERO, Money::ZERO));
        programs.push(ProgramEvaluation {
            id: p.id.clone(),
            name: p.name.clone(),
            department: scenario.department(&p.department).map_or_else(|| p.department.clone(), |d| d.name.clone()),
            cluster: p.cluster.clone(),
            next_year: next_year(action, &kpis),
            kpis,
            action,
            reason: r.map(|r| r.assessment.reason.clone()).unwrap_or_default(),
            effectiveness: r
                .and_then(|r| r.findings.iter().find(|f| &*f.viewpoint == "efficiency"))
                .map(|f| format!("{}（{}）", f.action.label(), f.reason)),
            prior_cost: p.prior_cost,
            allocated: cost,
            general_revenue: general,
        });
    }

    let mut clusters = Vec::new();
    for c in &scenario.clusters {
        let members: Vec<&crate::scenario::Program> =
            scenario.programs.iter().filter(|p| p.cluster.as_deref() == Some(c.id.as_str())).collect();
        let ids: Vec<String> = members.iter().map(|p| p.id.clone()).collect();
        let own: Vec<&Indicator> = table.of(&c.id).collect();
        let program_outcomes: Vec<&Indicator> =
            members.iter().flat_map(|p| table.of(&p.id).filter(|k| k.kind == KpiKind::Outcome)).collect();
        if own.is_empty() && program_outcomes.is_empty() {
            continue;
        }
        let sum = |f: &dyn Fn(&crate::scenario::Program) -> Money| members.iter().map(|p| f(p)).sum::<Money>();
        let prior_cost = sum(&|p| p.prior_cost);
        let cost = sum(&|p| allocated.get(p.id.as_str()).map_or(Money::ZERO, |a| a.0));
        let general_revenue = sum(&|p| allocated.get(p.id.as_str()).map_or(Money::ZERO, |a| a.1));
        let cost_per_outcome = own
            .iter()
            .filter(|k| k.kind == KpiKind::Outcome)
            .map(|k| {
                let latest = k.latest();
                let planned = k.planned_value(scenario.fiscal_year);
                let per_unit_actual = latest.and_then(|l| per_unit(prior_cost, l.1));
                let per_unit_planned = per_unit(cost, planned);
                CostPerOutcome {
                    indicator: k.id.clone(),
                    name: k.name.clone(),
                    unit: k.unit.clone(),
                    actual_year: latest.map(|l| l.0),
                    actual: latest.map(|l| l.1.normalize()),
                    actual_cost: prior_cost,
                    per_unit_actual,
                    planned: planned.round_dp(4).normalize(),
                    planned_cost: cost,
                    per_unit_planned,
                    change_percent: match (per_unit_planned, per_unit_actual) {
                        (Some(now), Some(before)) => crate::report::text::change_percent(now, before, 1),
                        _ => None,
                    },
                }
            })
            .collect();
        let outcomes: Vec<KpiEvaluation> =
            own.iter().copied().chain(program_outcomes.iter().copied()).map(KpiEvaluation::of).collect();
        clusters.push(ClusterEvaluation {
            id: c.id.clone(),
            name: c.name.clone(),
            group: c.group.clone(),
            reform_type: c.reform_type.clone(),
            status: status_counts(&outcomes),
            tree: tree(table, &c.id, &ids),
            programs: ids,
            prior_cost,
            allocated: cost,
            general_revenue,
            outcomes,
            cost_per_outcome,
        });
    }
    Ok(Evaluation {
        city: scenario.city.clone(),
        plan: None,
        scenario: scenario.name.clone(),
        fiscal_year: scenario.fiscal_year,
        kpi_file: table.file.clone(),
        display_unit: scenario.display_unit,
        clusters,
        programs,
    })
}

/// The unbroken run of years below the line `programs_missed_3_years` counts (the bundled
/// effectiveness viewpoint's default `efficiency_missed_years`).
const MISSED_RUN: usize = 3;

impl Evaluation {
    /// Every indicator once: each cluster's own, then each program's.
    pub fn indicators(&self) -> impl Iterator<Item = &KpiEvaluation> {
        self.clusters
            .iter()
            .flat_map(|c| c.outcomes.iter().filter(move |k| k.subject == c.id))
            .chain(self.programs.iter().flat_map(|p| p.kpis.iter()))
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&KpiEvaluation> {
        self.indicators().find(|k| k.id == id)
    }

    /// The cost per unit of a cluster's outcome indicator.
    pub fn cost_per_outcome(&self, id: &str) -> Option<&CostPerOutcome> {
        self.clusters.iter().flat_map(|c| &c.cost_per_outcome).find(|u| u.indicator == id)
    }

    /// The value of a named count ([`crate::whatif::expect::EVALUATION_FIGURES`]).
    pub fn figure(&self, name: &str) -> Option<usize> {
        let status = |s: KpiStatus| self.indicators().filter(|k| k.status == s).count();
        Some(match name {
            "programs" => self.programs.len(),
            "clusters" => self.clusters.len(),
            "programs_missed_3_years" => self
                .programs
                .iter()
                .filter(|p| p.kpis.iter().any(|k| k.kind == KpiKind::Outcome && k.missed_years.len() >= MISSED_RUN))
                .count(),
            "programs_worse" => {
                self.programs.iter().filter(|p| p.kpis.iter().any(|k| k.status == KpiStatus::Worse)).count()
            }
            "kpis_missed" => self.indicators().filter(|k| k.actuals.last().is_some_and(|a| a.missed)).count(),
            "kpis_worse" => status(KpiStatus::Worse),
            "kpis_behind" => status(KpiStatus::Behind),
            "kpis_on_track" => status(KpiStatus::OnTrack),
            "kpis_achieved" => status(KpiStatus::Achieved),
            "kpis_unmeasured" => status(KpiStatus::Unmeasured),
            _ => return None,
        })
    }
}

impl crate::whatif::expect::EvaluationView for Evaluation {
    fn kpi(&self, id: &str) -> Option<(Option<Decimal>, KpiStatus, Vec<i32>)> {
        self.indicator(id).map(|k| (k.achievement, k.status, k.actuals.iter().map(|a| a.year).collect()))
    }

    fn cost_per_outcome(&self, id: &str) -> Option<Option<Money>> {
        Evaluation::cost_per_outcome(self, id).map(|u| u.per_unit_planned)
    }

    fn figure(&self, name: &str) -> Option<usize> {
        Evaluation::figure(self, name)
    }
}
