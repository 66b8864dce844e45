//! A budget-cycle stage in `waku run`: the programs by disposition with their totals, the stage's
//! decisions with their reasons and places, and its answers to 復活要求 (table and JSON).

use std::fmt::Write as _;

use serde::Serialize;

use super::text::{Table, amount};

use crate::allocate::Allocation;
use crate::cycle::{Answer, StageOutcome};
use crate::money::{Money, Unit};
use crate::scenario::Scenario;
use crate::scenario::stage::{Cycle, Stage};

/// The programs of one disposition and their totals.
#[derive(Debug, Clone, Serialize)]
pub struct DispositionTotal {
    pub code: String,
    pub label: String,
    pub programs: usize,
    pub requested: Money,
    pub allocated: Money,
    pub general_revenue: Money,
}

/// One decision as a report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub program: String,
    pub name: String,
    pub department: String,
    /// The stage that wrote it.
    pub stage: String,
    pub requested: Money,
    pub allocated: Money,
    pub disposition: String,
    pub reason: String,
    pub author: Option<String>,
    pub date: Option<String>,
    /// `file:line` of the decision.
    pub place: String,
}

/// One 復活要求 and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct RestorationRow {
    pub program: String,
    pub name: String,
    pub department: String,
    pub before: Money,
    pub asked: Money,
    pub granted: Money,
    pub general_revenue: Money,
    pub answer: Answer,
    pub answer_label: &'static str,
    /// `officer` (a decision of the stage) or `policy`.
    pub by: &'static str,
    pub request_reason: String,
    pub reason: String,
}

/// The stage part of `waku run --format json` (`stage`).
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    pub stage: Stage,
    /// Every file of the cycle, oldest first.
    pub stages: Vec<Stage>,
    pub dispositions: Vec<DispositionTotal>,
    /// Decisions that hold in this stage (this stage's and earlier ones'), in chain order.
    pub decisions: Vec<DecisionRow>,
    pub restorations: Vec<RestorationRow>,
}

/// The stage report of an allocated stage.
pub fn report(sc: &Scenario, cycle: &Cycle, stage: &StageOutcome, a: &Allocation) -> StageReport {
    let mut dispositions: Vec<DispositionTotal> = cycle
        .dispositions
        .iter()
        .map(|d| DispositionTotal {
            code: d.code.clone(),
            label: d.label.clone(),
            programs: 0,
            requested: Money::ZERO,
            allocated: Money::ZERO,
            general_revenue: Money::ZERO,
        })
        .collect();
    for (ps, pa) in stage.programs.iter().zip(&a.programs) {
        let t = &mut dispositions[ps.disposition];
        t.programs += 1;
        t.requested += pa.requested;
        t.allocated += pa.allocated;
        t.general_revenue += pa.general_revenue;
    }
    let allocated = |id: &str| a.programs.iter().find(|p| p.id == id);
    let settled = cycle.stage().kind.settled();
    let mut decisions: Vec<DecisionRow> = stage
        .programs
        .iter()
        .filter_map(|ps| ps.decision)
        .filter(|&d| !settled || cycle.decisions[d].stage == cycle.current())
        .map(|d| {
            let dec = &cycle.decisions[d];
            let p = allocated(&dec.program);
            DecisionRow {
                program: dec.program.clone(),
                name: p.map(|p| p.name.clone()).unwrap_or_default(),
                department: p.map(|p| p.department.clone()).unwrap_or_default(),
                stage: cycle.stages[dec.stage].name.clone(),
                requested: p.map_or(Money::ZERO, |p| p.requested),
                allocated: p.map_or(Money::ZERO, |p| p.allocated),
                disposition: cycle.dispositions[dec.disposition].name(),
                reason: dec.reason.clone(),
                author: cycle.author_of(dec).map(str::to_string),
                date: cycle.date_of(dec).map(str::to_string),
                place: dec.place(),
            }
        })
        .collect();
    decisions.sort_by_key(|d| cycle.decisions.iter().position(|x| x.program == d.program && x.place() == d.place));
    let restorations = stage
        .restorations
        .iter()
        .map(|r| {
            let p = sc.program(&r.program);
            RestorationRow {
                program: r.program.clone(),
                name: p.map(|p| p.name.clone()).unwrap_or_default(),
                department: p.map(|p| p.department.clone()).unwrap_or_default(),
                before: r.before,
                asked: r.asked,
                granted: r.granted,
                general_revenue: r.general_revenue,
                answer: r.answer,
                answer_label: r.answer.label(),
                by: if r.decision.is_some() { "officer" } else { "policy" },
                request_reason: cycle.restorations[r.request].reason.clone(),
                reason: r.reason.clone(),
            }
        })
        .collect();
    StageReport { stage: cycle.stage().clone(), stages: cycle.stages.clone(), dispositions, decisions, restorations }
}

/// The stage as the terminal table shows it, after the allocation.
pub fn render_table(r: &StageReport, unit: Unit) -> String {
    let u = unit;
    let s = &r.stage;
    let mut out = String::new();
    let signed = [s.date.as_deref(), s.author.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    out.push_str(&format!(
        "\nstage {} ({}; {}{})\n",
        s.name,
        s.kind.label(),
        s.file,
        if signed.is_empty() { String::new() } else { format!("; {signed}") }
    ));
    let mut t = Table::new(["disposition 査定区分", "programs", "requested", "allocated", "general revenue"]);
    for d in &r.dispositions {
        t.row(vec![
            format!("{}{}", d.code, d.label),
            d.programs.to_string(),
            amount(d.requested, u),
            amount(d.allocated, u),
            amount(d.general_revenue, u),
        ]);
    }
    let sum = |f: fn(&DispositionTotal) -> Money| r.dispositions.iter().map(f).sum::<Money>();
    t.row(vec![
        "total".to_string(),
        r.dispositions.iter().map(|d| d.programs).sum::<usize>().to_string(),
        amount(sum(|d| d.requested), u),
        amount(sum(|d| d.allocated), u),
        amount(sum(|d| d.general_revenue), u),
    ]);
    out.push_str(&t.ruled());
    if r.decisions.is_empty() {
        out.push_str("decisions: none\n");
    } else {
        let what = if r.stage.kind.settled() {
            "decisions of this stage (the earlier stages' hold in the amounts kept)"
        } else {
            "decisions that hold"
        };
        out.push_str(&format!("\n{what} ({}):\n", r.decisions.len()));
        for d in &r.decisions {
            let who = [d.author.as_deref(), d.date.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
            let who = if who.is_empty() { String::new() } else { format!(" ({who})") };
            let (requested, allocated) = (d.requested.format(u), d.allocated.format(u));
            let _ = writeln!(
                out,
                "  {} {}  {requested} → {allocated} {}  [{}; {}]\n    {}{who}",
                d.program, d.name, d.disposition, d.stage, d.place, d.reason
            );
        }
    }
    if !r.restorations.is_empty() {
        out.push_str(&format!("\nrestoration requests 復活要求 ({}):\n", r.restorations.len()));
        for x in &r.restorations {
            let [before, asked, granted, general] =
                [x.before, x.asked, x.granted, x.general_revenue].map(|m| m.format(u));
            let _ = writeln!(
                out,
                "  {} {}  内示 {before} → asked {asked} → {granted} {} (一般財源 {general}; by the {})\n    {}",
                x.program, x.name, x.answer_label, x.by, x.reason
            );
        }
    }
    out
}
