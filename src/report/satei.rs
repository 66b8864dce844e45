//! The budget cycle's papers: the 査定調書 of a program (its request, the six findings, the
//! assessment, each stage's amount with disposition, reason and author, the final amount and what
//! holds it), a bureau's 内示 memo (its programs by disposition, totals against its envelope), and
//! 査定調書 rows for a workbook. Built from every stage's outcome ([`crate::pipeline::run_stages`]).
//!
//! Program amounts are in 千円, as 査定調書 are kept; a bureau's totals in the scenario's unit.

use std::fmt::Write as _;

use askama::Template;
use serde::Serialize;

use super::text::Table;
use crate::allocate::{Allocation, ProgramAllocation};
use crate::diagnostic::Diagnostic;
use crate::money::{Money, Unit};
use crate::pipeline::Outcome;
use crate::scenario::Scenario;
use crate::scenario::names::{Kind, Lookup, Names};
use crate::scenario::stage::{Cycle, StageKind};
use crate::{Error, Result};

/// The unit of a program's amounts on the papers.
const U: Unit = Unit::Sen;

/// One viewpoint's finding, in words.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub viewpoint: String,
    pub score: String,
    pub action: String,
    pub reason: String,
}

/// A program in one stage of the cycle.
#[derive(Debug, Clone, Serialize)]
pub struct StageRow {
    pub stage: String,
    pub kind: String,
    pub date: String,
    pub amount: Money,
    pub disposition: String,
    /// The decision's reason, or how the amount came about without one.
    pub reason: String,
    pub author: String,
    /// `file:line` of the decision made in this stage, if any.
    pub place: String,
}

/// A 復活要求 on the program and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct RestorationRow {
    pub stage: String,
    pub before: Money,
    pub asked: Money,
    pub granted: Money,
    pub answer: String,
    pub request_reason: String,
    pub requested_by: String,
    pub reason: String,
    pub by: String,
}

/// The 査定調書 of one program.
#[derive(Debug, Clone, Serialize)]
pub struct Chousho {
    pub city: String,
    pub budget: String,
    pub year: String,
    pub id: String,
    pub name: String,
    pub bureau: String,
    pub kind: String,
    pub prior_cost: Money,
    pub requested: Money,
    pub findings: Vec<FindingRow>,
    pub action: String,
    pub assessed_min: Money,
    pub assessed_max: Money,
    pub priority: String,
    pub assessment_reason: String,
    pub stages: Vec<StageRow>,
    pub restorations: Vec<RestorationRow>,
    pub final_stage: String,
    pub final_amount: Money,
    pub final_disposition: String,
    pub general_revenue: Money,
    /// What holds the amount where it is (Japanese).
    pub held_by: String,
    /// The binding limits it counts in (Japanese labels).
    pub binds: Vec<String>,
}

/// Each stage's scenario, stage outcome and allocation (stages that did not allocate are refused).
fn stages(outcomes: &[Outcome]) -> Result<Vec<(&Scenario, &Cycle, &crate::cycle::StageOutcome, &Allocation)>> {
    let mut out = Vec::new();
    for o in outcomes {
        let year = o.year().ok_or_else(|| Error::internal("a stage ran no single year"))?;
        let (Some(cycle), Some(stage)) = (year.scenario.cycle.as_ref(), year.stage) else { continue };
        let a = year.allocation.map_err(|d| {
            let path = crate::diagnostic::Source::display_path(&year.scenario.path);
            Error::Infeasible(Box::new(d.clone().note(format!("in the stage `{path}`"))))
        })?;
        out.push((year.scenario, cycle, stage, a));
    }
    if out.is_empty() {
        return Err(Error::input(
            Diagnostic::error("the 査定調書 and the 内示 memo are papers of the budget cycle, and this scenario is no stage")
                .hint("run it on a stage file (a scenario with `[stage]`), e.g. `scenarios/kitakyushu-r8-cycle/04-final.toml`"),
        ));
    }
    Ok(out)
}

fn era(year: i32) -> String {
    super::html::era(year)
}

fn dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("—").to_string()
}

/// The 査定調書 of the program `subject` (an id or a name) across the stages of `outcomes`.
pub fn chousho(outcomes: &[Outcome], subject: &str) -> Result<Chousho> {
    let st = stages(outcomes)?;
    let (sc, cycle, _, a) = st[st.len() - 1];
    let id = program_id(sc, subject)?;
    let i = sc.programs.iter().position(|p| p.id == id).ok_or_else(|| Error::internal("program vanished"))?;
    let p = &sc.programs[i];
    let last = outcomes.last().ok_or_else(|| Error::internal("no stage"))?;
    let viewpoints = last.rulesets.first().map(|r| r.viewpoints.clone()).unwrap_or_default();
    let review = last.reviews.first().and_then(|r| r.programs.get(i));
    let findings = review
        .map(|r| {
            r.findings
                .iter()
                .map(|f| {
                    let v = viewpoints.iter().find(|v| *v.id == *f.viewpoint);
                    let name = match v {
                        Some(v) => match v.number {
                            Some(n) => format!("視点{n} {}", v.name_ja),
                            None => v.name_ja.clone(),
                        },
                        None => f.viewpoint.to_string(),
                    };
                    FindingRow {
                        viewpoint: name,
                        score: f.score.normalize().to_string(),
                        action: f.action.label().to_string(),
                        reason: f.reason.to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let last_stage = &st[st.len() - 1].2.programs[i];
    let mut rows = Vec::new();
    let mut restorations = Vec::new();
    for (k, (s, c, so, al)) in st.iter().enumerate() {
        let Some(ps) = so.programs.iter().find(|x| x.id == id) else { continue };
        let Some(pa) = al.programs.iter().find(|x| x.id == id) else { continue };
        let stage = c.stage();
        let decided_here = ps.decision.filter(|&d| c.decisions[d].stage == c.current());
        let restored = so.restorations.iter().find(|r| r.program == id);
        let (reason, author, place) = match (decided_here, restored) {
            (Some(d), _) => {
                let dec = &c.decisions[d];
                (dec.reason.clone(), dash(c.author_of(dec)), dec.place())
            }
            (None, Some(r)) => (r.reason.clone(), "（復活要求への方針による回答）".to_string(), String::new()),
            (None, None) => {
                let why = match ps.decision {
                    Some(d) => format!("（{}の決定による）", c.stages[c.decisions[d].stage].name),
                    None if ps.held => kept(c),
                    None if k == 0 && stage.kind == crate::scenario::stage::StageKind::Request => {
                        "（要求額に対する waku の配分）".to_string()
                    }
                    None => "（決定なし: waku の配分）".to_string(),
                };
                (why, "—".to_string(), String::new())
            }
        };
        rows.push(StageRow {
            stage: stage.name.clone(),
            kind: stage.kind.label().to_string(),
            date: dash(stage.date.as_deref()),
            amount: pa.allocated,
            disposition: c.dispositions[ps.disposition].name(),
            reason,
            author,
            place,
        });
        if let Some(r) = restored {
            let req = &c.restorations[r.request];
            restorations.push(RestorationRow {
                stage: stage.name.clone(),
                before: r.before,
                asked: r.asked,
                granted: r.granted,
                answer: r.answer.label().to_string(),
                request_reason: req.reason.clone(),
                requested_by: dash(req.author.as_deref()),
                reason: r.reason.clone(),
                by: if r.decision.is_some() {
                    "査定".to_string()
                } else {
                    "方針（優先度順に調整枠で措置）".to_string()
                },
            });
        }
        let _ = s;
    }
    let pa: &ProgramAllocation = a.programs.get(i).ok_or_else(|| Error::internal("no allocation of the program"))?;
    let binds = pa
        .limits
        .iter()
        .filter_map(|n| a.constraints.iter().find(|c| &c.name == n))
        .map(|c| c.kind.label_ja())
        .collect();
    Ok(Chousho {
        city: sc.city.clone(),
        budget: sc.name.clone(),
        year: era(sc.fiscal_year),
        id: p.id.clone(),
        name: p.name.clone(),
        bureau: sc.department(&p.department).map_or_else(|| p.department.clone(), |d| d.name.clone()),
        kind: format!("{}経費", p.kind.label()),
        prior_cost: p.prior_cost,
        requested: p.requested,
        findings,
        action: review.map(|r| r.assessment.action.label().to_string()).unwrap_or_default(),
        assessed_min: last_stage.assessed_min,
        assessed_max: last_stage.assessed_max,
        priority: review.map(|r| r.assessment.priority.normalize().to_string()).unwrap_or_default(),
        assessment_reason: review.map(|r| r.assessment.reason.clone()).unwrap_or_default(),
        stages: rows,
        restorations,
        final_stage: cycle.stage().name.clone(),
        final_amount: pa.allocated,
        final_disposition: cycle.dispositions[last_stage.disposition].name(),
        general_revenue: pa.general_revenue,
        held_by: match st[st.len() - 1].2.restorations.iter().find(|r| r.program == id) {
            // A 復活要求 answered by the policy is held as a decision, but no officer took it.
            Some(r) if r.decision.is_none() => "復活要求への方針による回答".to_string(),
            _ if pa.held_by == crate::allocate::Holding::Held => kept_as(cycle),
            _ => pa.held_by.label_ja().to_string(),
        },
        binds,
    })
}

fn program_id(sc: &Scenario, subject: &str) -> Result<String> {
    let names = Names::of(sc);
    match names.find(subject, &[Kind::Program]) {
        Lookup::Found(_, id) => Ok(id.to_string()),
        Lookup::Ambiguous(kind, ids) => Err(Error::input(
            Diagnostic::error(Names::ambiguous(subject, kind, &ids))
                .hint(format!("name the program by its id, e.g. `{}`", ids[0])),
        )),
        Lookup::NotFound => Err(Error::input(
            Diagnostic::error(format!("no program `{subject}` in the stage"))
                .hint_opt(names.did_you_mean(subject, &[Kind::Program, Kind::Bureau])),
        )),
    }
}

fn k(m: Money) -> String {
    m.format_number(U)
}

fn signed(m: Money) -> String {
    let s = m.format_number(U);
    if m.is_negative() {
        format!("▲{}", s.trim_start_matches('-'))
    } else if m.is_zero() {
        s
    } else {
        format!("+{s}")
    }
}

/// Text for a Markdown table cell (a `|` would end the cell).
fn cell(s: &str) -> String {
    s.replace('|', "｜").replace('\n', " ")
}

impl Chousho {
    /// The 査定調書 as Markdown.
    pub fn markdown(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "# 査定調書　{} {}\n", self.id, self.name);
        let _ = writeln!(o, "{}／{}／{}／{}\n", self.city, self.budget, self.bureau, self.kind);
        let mut t = Table::new(["区分", "金額（千円）"]);
        t.row(vec!["前年度予算額".into(), k(self.prior_cost)]);
        t.row(vec!["要求額".into(), k(self.requested)]);
        t.row(vec![format!("査定額（{}）", self.final_stage), k(self.final_amount)]);
        t.row(vec!["対要求額".into(), signed(self.final_amount - self.requested)]);
        t.row(vec!["対前年度".into(), signed(self.final_amount - self.prior_cost)]);
        let _ = writeln!(o, "{}", t.markdown());
        let _ = writeln!(o, "## 事務事業の点検（六つの視点）\n");
        let mut t = Table::new(["視点", "評点", "方向性", "所見"]).left([2, 3]);
        for f in &self.findings {
            t.row(vec![cell(&f.viewpoint), f.score.clone(), f.action.clone(), cell(&f.reason)]);
        }
        o.push_str(&t.markdown());
        let _ = writeln!(
            o,
            "\n**点検の結論**: {}（配分の範囲 {}〜{}千円、優先度 {}）。{}\n",
            self.action,
            k(self.assessed_min),
            k(self.assessed_max),
            self.priority,
            self.assessment_reason
        );
        let _ = writeln!(o, "## 査定の経過\n");
        let mut t =
            Table::new(["段階", "日付", "金額（千円）", "査定区分", "理由", "査定者", "記録"]).left([1, 3, 4, 5, 6]);
        for s in &self.stages {
            t.row(vec![
                cell(&s.stage),
                s.date.clone(),
                k(s.amount),
                s.disposition.clone(),
                cell(&s.reason),
                cell(&s.author),
                if s.place.is_empty() { "—".to_string() } else { format!("`{}`", s.place) },
            ]);
        }
        o.push_str(&t.markdown());
        for r in &self.restorations {
            let _ = writeln!(
                o,
                "\n**復活要求**（{}）: 内示 {}千円 に対し {}千円 を要求（{}）— {}\n\n- 局の理由: {}\n- 回答（{}、{}千円）: {}",
                r.stage,
                k(r.before),
                k(r.asked),
                r.requested_by,
                r.answer,
                r.request_reason,
                r.by,
                k(r.granted),
                r.reason
            );
        }
        let _ = writeln!(o, "\n## 査定結果\n");
        let _ = writeln!(
            o,
            "{}千円（{}）、うち一般財源 {}千円。額を決めたもの: {}。",
            k(self.final_amount),
            self.final_disposition,
            k(self.general_revenue),
            self.held_by
        );
        if !self.binds.is_empty() {
            let _ = writeln!(o, "\n効いている制約: {}。", self.binds.join("、"));
        }
        o
    }

    /// The 査定調書 as one self-contained HTML page (nothing fetched; every value escaped).
    pub fn html(&self) -> Result<String> {
        let page = ChoushoPage { c: self };
        let mut html =
            page.render().map_err(|e| Error::internal(format!("the 査定調書 could not be rendered: {e}")))?;
        if !html.ends_with('\n') {
            html.push('\n');
        }
        Ok(html)
    }
}

#[derive(Template)]
#[template(path = "satei.html")]
struct ChoushoPage<'a> {
    c: &'a Chousho,
}

impl ChoushoPage<'_> {
    fn k(&self, m: &Money) -> String {
        k(*m)
    }
    fn diff_request(&self) -> String {
        signed(self.c.final_amount - self.c.requested)
    }
    fn diff_prior(&self) -> String {
        signed(self.c.final_amount - self.c.prior_cost)
    }
}

/// A bureau's programs of one disposition in the 内示 memo.
#[derive(Debug, Clone, Serialize)]
pub struct MemoGroup {
    pub disposition: String,
    pub programs: Vec<MemoProgram>,
    pub requested: Money,
    pub allocated: Money,
    pub general_revenue: Money,
}

/// One program in the 内示 memo.
#[derive(Debug, Clone, Serialize)]
pub struct MemoProgram {
    pub id: String,
    pub name: String,
    pub requested: Money,
    pub allocated: Money,
    pub general_revenue: Money,
    pub reason: String,
}

/// A bureau's 内示 memo: its programs by disposition, with totals against its envelope.
#[derive(Debug, Clone, Serialize)]
pub struct Memo {
    pub city: String,
    pub budget: String,
    pub year: String,
    pub stage: String,
    /// The stage's kind: after 確定 the memo is the 予算確定の通知.
    pub kind: StageKind,
    pub stage_file: String,
    pub date: String,
    pub bureau: String,
    pub envelope: Money,
    pub base: Money,
    pub floor: Money,
    pub ceiling: Money,
    pub groups: Vec<MemoGroup>,
    pub unit: Unit,
}

/// The 内示 memo of the bureau `subject` in the last stage of `outcomes`.
pub fn memo(outcomes: &[Outcome], subject: &str) -> Result<Memo> {
    let st = stages(outcomes)?;
    let (sc, cycle, so, a) = st[st.len() - 1];
    let names = Names::of(sc);
    let dept = match names.find(subject, &[Kind::Bureau]) {
        Lookup::Found(_, id) => id.to_string(),
        _ => {
            return Err(Error::input(
                Diagnostic::error(format!("no bureau `{subject}` in the stage"))
                    .hint_opt(names.did_you_mean(subject, &[Kind::Bureau])),
            ));
        }
    };
    let env = a.envelopes.iter().find(|e| e.department == dept).ok_or_else(|| Error::internal("no envelope"))?;
    let mut groups: Vec<MemoGroup> = cycle
        .dispositions
        .iter()
        .map(|d| MemoGroup {
            disposition: d.name(),
            programs: Vec::new(),
            requested: Money::ZERO,
            allocated: Money::ZERO,
            general_revenue: Money::ZERO,
        })
        .collect();
    for (ps, pa) in so.programs.iter().zip(&a.programs).filter(|(_, pa)| pa.department == dept) {
        let g = &mut groups[ps.disposition];
        let reason = match ps.decision {
            Some(d) => cycle.decisions[d].reason.clone(),
            None => match so.restorations.iter().find(|r| r.program == pa.id) {
                Some(r) => r.reason.clone(),
                None if ps.held && pa.allocated < pa.requested => kept(cycle),
                None if pa.allocated < pa.requested => format!("（{}）", pa.held_by.label_ja()),
                None => String::new(),
            },
        };
        g.requested += pa.requested;
        g.allocated += pa.allocated;
        g.general_revenue += pa.general_revenue;
        g.programs.push(MemoProgram {
            id: pa.id.clone(),
            name: pa.name.clone(),
            requested: pa.requested,
            allocated: pa.allocated,
            general_revenue: pa.general_revenue,
            reason,
        });
    }
    groups.retain(|g| !g.programs.is_empty());
    let stage = cycle.stage();
    Ok(Memo {
        city: sc.city.clone(),
        budget: sc.name.clone(),
        year: era(sc.fiscal_year),
        stage: stage.name.clone(),
        kind: stage.kind,
        stage_file: stage.file.clone(),
        date: dash(stage.date.as_deref()),
        bureau: env.name.clone(),
        envelope: env.amount,
        base: env.base,
        floor: env.floor,
        ceiling: env.ceiling,
        groups,
        unit: sc.display_unit,
    })
}

impl Memo {
    /// Σ general revenue of every disposition: the bureau's envelope, to the yen.
    pub fn total_general_revenue(&self) -> Money {
        self.groups.iter().map(|g| g.general_revenue).sum()
    }

    /// The memo as Markdown.
    pub fn markdown(&self) -> String {
        let u = self.unit;
        let mut o = String::new();
        // What the paper is, by the stage: before the 内示 an internal account of the assessment,
        // from the 市長査定 on the 内示 shown to the bureau, after 確定 the notice of the budget.
        let (title, amount) = match self.kind {
            StageKind::Request => ("要求の状況", "配分案"),
            StageKind::Finance => ("財政課査定の状況", "査定額"),
            StageKind::Mayor | StageKind::Draft => ("内示", "内示額"),
            StageKind::Restoration => ("復活要求への回答", "回答額"),
            StageKind::Final => ("予算確定の通知", "確定額"),
        };
        let _ = writeln!(o, "# {}（{}）\n", title, self.bureau);
        let _ = writeln!(o, "{}／{}／{}（`{}`、{}）\n", self.city, self.budget, self.stage, self.stage_file, self.date);
        let _ = writeln!(
            o,
            "**枠（一般財源）**: {}（基準 {}、下限 {}、上限 {}）\n",
            self.envelope.format(u),
            self.base.format(u),
            self.floor.format(u),
            self.ceiling.format(u)
        );
        let _ = writeln!(o, "## 査定区分別の内訳（{}）\n", u.suffix());
        let mut t = Table::new(["査定区分", "事業数", "要求額", amount, "うち一般財源"]);
        for g in &self.groups {
            t.row(vec![
                g.disposition.clone(),
                g.programs.len().to_string(),
                g.requested.format_number(u),
                g.allocated.format_number(u),
                g.general_revenue.format_number(u),
            ]);
        }
        let sum = |f: fn(&MemoGroup) -> Money| self.groups.iter().map(f).sum::<Money>();
        let n: usize = self.groups.iter().map(|g| g.programs.len()).sum();
        let bold = |s: String| format!("**{s}**");
        t.row(vec![
            bold("計".into()),
            bold(n.to_string()),
            bold(sum(|g| g.requested).format_number(u)),
            bold(sum(|g| g.allocated).format_number(u)),
            bold(sum(|g| g.general_revenue).format_number(u)),
        ]);
        let _ = writeln!(o, "{}", t.markdown());
        let diff = self.total_general_revenue() - self.envelope;
        let _ = writeln!(
            o,
            "一般財源の計 {} と枠 {} の差: {}{}\n",
            self.total_general_revenue().format(Unit::Yen),
            self.envelope.format(Unit::Yen),
            diff.format(Unit::Yen),
            if diff.is_zero() { "（一致）" } else { "（不一致）" }
        );
        for g in &self.groups {
            let _ = writeln!(o, "## {}（{}事業）\n", g.disposition, g.programs.len());
            let column = format!("{amount}（千円）");
            let mut t = Table::new(["事業", "要求額（千円）", column.as_str(), "対要求額", "理由"]).left_last();
            for p in &g.programs {
                t.row(vec![
                    format!("{} {}", p.id, cell(&p.name)),
                    k(p.requested),
                    k(p.allocated),
                    signed(p.allocated - p.requested),
                    cell(&p.reason),
                ]);
            }
            let _ = writeln!(o, "{}", t.markdown());
        }
        o
    }
}

/// 査定調書 rows for a workbook: per bureau (in the scenario's order), one row per program with
/// each stage's amount, disposition, reason and author, then the final amount.
pub struct Rows {
    /// Per stage: its name.
    pub stages: Vec<String>,
    /// Per bureau: its name and its programs' rows.
    pub bureaus: Vec<(String, Vec<ProgramRow>)>,
}

/// One program's row.
pub struct ProgramRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub prior_cost: Money,
    pub requested: Money,
    pub action: String,
    /// Per stage: amount, disposition, reason, author.
    pub stages: Vec<(Money, String, String, String)>,
    pub general_revenue: Money,
    pub held_by: String,
}

/// Every program's 査定調書 row, by bureau.
pub fn rows(outcomes: &[Outcome]) -> Result<Rows> {
    let st = stages(outcomes)?;
    let (sc, _, _, a) = st[st.len() - 1];
    let review = outcomes.last().and_then(|o| o.reviews.first());
    let mut bureaus = Vec::new();
    for d in &sc.departments {
        let mut list = Vec::new();
        for (i, p) in sc.programs.iter().enumerate().filter(|(_, p)| p.department == d.id) {
            let mut per = Vec::new();
            for (_, c, so, al) in &st {
                let (Some(ps), Some(pa)) = (so.programs.get(i), al.programs.get(i)) else { continue };
                let here = ps.decision.filter(|&x| c.decisions[x].stage == c.current()).map(|x| &c.decisions[x]);
                per.push((
                    pa.allocated,
                    c.dispositions[ps.disposition].name(),
                    here.map(|x| x.reason.clone())
                        .or_else(|| so.restorations.iter().find(|r| r.program == p.id).map(|r| r.reason.clone()))
                        .unwrap_or_default(),
                    here.and_then(|x| c.author_of(x)).unwrap_or_default().to_string(),
                ));
            }
            let pa = &a.programs[i];
            list.push(ProgramRow {
                id: p.id.clone(),
                name: p.name.clone(),
                kind: p.kind.label().to_string(),
                prior_cost: p.prior_cost,
                requested: p.requested,
                action: review
                    .and_then(|r| r.programs.get(i))
                    .map_or_else(String::new, |r| r.assessment.action.label().to_string()),
                stages: per,
                general_revenue: pa.general_revenue,
                held_by: pa.held_by.label_ja().to_string(),
            });
        }
        if !list.is_empty() {
            bureaus.push((d.name.clone(), list));
        }
    }
    Ok(Rows { stages: st.iter().map(|(_, c, _, _)| c.stage().name.clone()).collect(), bureaus })
}

/// Why a program nobody decided in a settled stage has its amount: 「（財政課査定の額のまま）」.
fn kept(c: &Cycle) -> String {
    format!("（{}）", kept_as(c))
}

/// 「財政課査定の額のまま」: the stage before a settled stage, by name.
fn kept_as(c: &Cycle) -> String {
    format!("{}の額のまま", c.previous().map_or("前段階", |s| s.name.as_str()))
}
