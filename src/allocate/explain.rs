//! `waku explain <program|department|constraint>`: why a program, a bureau or a constraint ended
//! where it did, in words and money, from the allocation's constraint reports and shadow prices
//! (assembled in `assemble.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::assemble::{apart, coefficient};
use super::{Allocation, ConstraintKind, ConstraintReport, Holding, ProgramAllocation};
use crate::diagnostic::{Diagnostic, suggestion};
use crate::money::{Money, Unit};
use crate::review::Review;
use crate::scenario::names::{Kind, Lookup, Names};
use crate::scenario::{ProgramKind, Scenario};
use crate::{Error, Result};

/// The language of `waku explain`: Japanese by default, English with `--lang en`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// 日本語 (a budget office's words).
    #[default]
    Ja,
    /// English.
    En,
}

/// What `waku explain` reads besides the allocation.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub scenario: &'a Scenario,
    /// The review behind the allocation (its findings), when there is one.
    pub review: Option<&'a Review>,
    /// How the ruleset names each viewpoint, by id: `("needs", "視点1 必要性")`.
    pub viewpoints: &'a [(String, String)],
    pub lang: Lang,
}

/// `waku explain`: why a program, a bureau or a constraint ended where it did.
pub fn explain(allocation: &Allocation, cx: &Context, subject: &str) -> Result<String> {
    let a = allocation;
    let scenario = cx.scenario;
    let program = |i: usize| match cx.lang {
        Lang::Ja => explain_program_ja(a, cx, i),
        Lang::En => explain_program(a, scenario, i),
    };
    let department = |d: usize| explain_department(a, d, cx.lang);
    if let Some(i) = a.programs.iter().position(|p| p.id == subject) {
        return Ok(program(i));
    }
    if let Some(d) = a.envelopes.iter().position(|e| e.department == subject) {
        return Ok(department(d));
    }
    if let (Some(note), "style" | "配分方式") = (&a.style_detail, subject) {
        let names: Vec<(String, String)> = a.envelopes.iter().map(|e| (e.department.clone(), e.name.clone())).collect();
        return Ok(note.summary_ja(&names, a.display_unit));
    }
    if let Some(c) = a.constraints.iter().find(|c| c.name == subject) {
        return Ok(match cx.lang {
            Lang::Ja => explain_constraint_ja(a, c),
            Lang::En => explain_constraint(a, scenario, c),
        });
    }
    if let Some(p) = a.proposals.iter().find(|p| p.id == subject) {
        return Ok(super::proposals::explain(a, p, cx.lang));
    }
    // A bureau or a program by its Japanese name (市民文化スポーツ局).
    let names = Names::of(scenario);
    let kinds = [Kind::Bureau, Kind::Program];
    match names.find(subject, &kinds) {
        Lookup::Found(Kind::Bureau, id) => {
            if let Some(d) = a.envelopes.iter().position(|e| e.department == id) {
                return Ok(department(d));
            }
        }
        Lookup::Found(Kind::Program, id) => {
            if let Some(i) = a.programs.iter().position(|p| p.id == id) {
                return Ok(program(i));
            }
        }
        Lookup::Ambiguous(kind, ids) => {
            return Err(Error::input(
                Diagnostic::error(Names::ambiguous(subject, kind, &ids))
                    .hint(format!("name one by its id, e.g. `waku explain … {}`", ids[0])),
            ));
        }
        Lookup::NotFound => {}
    }
    Err(Error::input(unknown_subject(a, &names, subject)))
}

/// An unknown subject: "did you mean" over names and ids, then what can be explained — bureaus and
/// programs first, then the constraints by kind.
fn unknown_subject(a: &Allocation, names: &Names, subject: &str) -> Diagnostic {
    let mut d = Diagnostic::error(format!("`{subject}` is not a bureau, program or constraint of this scenario"));
    d.notes.push(format!("bureaus, by name or id: {}", names.bureaus().join(", ")));
    let (some, all) = names.programs(3);
    if all > 0 {
        let more = if all > some.len() {
            format!(", … ({all} in all; `waku run --programs` lists them)")
        } else {
            String::new()
        };
        d.notes.push(format!("programs, by id or name: {}{more}", some.join(", ")));
    }
    // Constraints by kind: `envelope_floor.<bureau>` once, not once per bureau.
    let mut kinds: Vec<String> = Vec::new();
    for c in &a.constraints {
        let shown = match c.name.split_once('.') {
            Some((kind @ ("envelope_floor" | "envelope_ceiling"), _)) => format!("`{kind}.<bureau>`"),
            _ => format!("`{}`", c.name),
        };
        if !kinds.contains(&shown) {
            kinds.push(shown);
        }
    }
    d.notes.push(format!("constraints: {}", kinds.join(", ")));
    let constraint_names = a.constraints.iter().map(|c| c.name.as_str());
    let hint = names
        .did_you_mean(subject, &[Kind::Bureau, Kind::Program])
        .or_else(|| suggestion(subject, constraint_names).map(|s| format!("did you mean `{s}`?")));
    d.hint(hint.unwrap_or_else(|| "name a bureau or a program by its id or its name as the scenario writes it".into()))
}

fn explain_program(a: &Allocation, sc: &Scenario, i: usize) -> String {
    let u = a.display_unit;
    let p = &a.programs[i];
    let mut out = String::new();
    let kind = p.kind;
    let _ = writeln!(out, "program `{}` {} ({}, {})", p.id, p.name, p.department, kind);
    let _ = writeln!(out, "  review: {} at priority {}", p.action.label(), p.priority);
    // In a stage of the budget cycle the bounds are the review's narrowed by the 査定 decisions.
    let (bounds, narrowed) =
        if sc.cycle.is_some() { ("bounds", " (the review's, within the 査定)") } else { ("review bounds", "") };
    let _ = writeln!(
        out,
        "  requested {} (prior year {}); {bounds} {} to {}{narrowed}",
        p.requested.format(u),
        p.prior_cost.format(u),
        p.min.format(u),
        p.max.format(u)
    );
    let [allocated, general, subsidy, fees, bonds] =
        [p.allocated, p.general_revenue, p.subsidy, p.fees, p.bonds].map(|m| m.format(u));
    let _ = writeln!(
        out,
        "  allocated {allocated}: general revenue {general}, subsidy {subsidy}, fees {fees}, bonds {bonds}"
    );
    let Some(program) = sc.programs.iter().find(|x| x.id == p.id) else {
        return out;
    };
    let why = match p.held_by {
        Holding::Mandatory => {
            "mandatory expenditure (義務的経費): fixed at the request, outside the optimisation".to_string()
        }
        Holding::Pinned => "the review leaves it a single amount, outside the optimisation".to_string(),
        Holding::Decided => {
            "a 査定 decision of the budget cycle fixes the amount, outside the optimisation".to_string()
        }
        Holding::Held => {
            "kept at its amount in the stage before (from the 市長査定 on, only a decision changes a program)"
                .to_string()
        }
        Holding::BureauFixed | Holding::BureauMax | Holding::BureauMin => {
            "held by its bureau's own policy (autonomous budgeting)".to_string()
        }
        Holding::EnvelopeFloor => {
            "held at the review maximum by its bureau's envelope floor, which needs every program of the bureau in full"
                .to_string()
        }
        Holding::AllOrNothing => {
            if p.allocated.is_zero() {
                "all or nothing: not funded".to_string()
            } else {
                "all or nothing: funded in full".to_string()
            }
        }
        Holding::ReviewMax | Holding::ReviewMin | Holding::Marginal | Holding::DecisionMax | Holding::DecisionMin => {
            let mut charge = 0.0;
            let mut parts = Vec::new();
            for c in &a.constraints {
                let coef = coefficient(&c.kind, program);
                if coef == 0.0 || !c.binding || !constraint_has(c, program) {
                    continue;
                }
                if let Some(price) = c.shadow_price.filter(|p| *p != 0.0) {
                    charge += coef * price;
                    parts.push(format!("{} {:.4} × {:.4}", c.label, coef, price));
                }
            }
            let priority = p.priority.to_f64().unwrap_or(0.0);
            let what = match p.held_by {
                Holding::ReviewMax => {
                    "held at the review maximum: its priority per yen is above what the binding limits charge for a yen of its cost"
                }
                Holding::ReviewMin => {
                    "held at the review minimum: the binding limits charge more for a yen of its cost than its priority"
                }
                Holding::DecisionMax => {
                    "held at the 査定 decision's maximum: its priority per yen is above what the binding limits charge for a yen of its cost"
                }
                Holding::DecisionMin => {
                    "held at the 査定 decision's minimum: the binding limits charge more for a yen of its cost than its priority"
                }
                _ => "marginal: between its bounds, where its priority per yen equals what the binding limits charge",
            };
            let detail =
                if parts.is_empty() { "no binding limit charges for it".to_string() } else { parts.join(" + ") };
            format!("{what}\n    priority {priority:.4} per yen vs charge {charge:.4} per yen ({detail})")
        }
    };
    let _ = writeln!(out, "  {why}");
    if let Some(reason) = &p.allocation_reason {
        let _ = writeln!(out, "  配分の理由: {reason}");
    }
    if !p.limits.is_empty() {
        let _ = writeln!(out, "  binding limits it counts in:");
        for name in &p.limits {
            if let Some(c) = a.constraints.iter().find(|c| &c.name == name) {
                let _ = writeln!(out, "    {} — {}", c.name, c.price_words(u));
            }
        }
    }
    out
}

/// Whether a constraint's terms include this program (by membership rules of the model).
fn constraint_has(c: &ConstraintReport, p: &crate::scenario::Program) -> bool {
    match &c.kind {
        ConstraintKind::Balance => true,
        ConstraintKind::InvestmentCap => p.kind == ProgramKind::Investment,
        ConstraintKind::IssuanceCap => p.bondable_share > Decimal::ZERO,
        ConstraintKind::NextGeneration => p.next_generation,
        kind => kind.department() == Some(p.department.as_str()),
    }
}

/// A bureau: its envelope against floor and ceiling, its limits, its programs by what holds them
/// and its marginal programs, in either language.
fn explain_department(a: &Allocation, d: usize, lang: Lang) -> String {
    let u = a.display_unit;
    let e = &a.envelopes[d];
    let ja = lang == Lang::Ja;
    let mut out = String::new();
    let (amount, base, requested, floor, ceiling) =
        (e.amount.format(u), e.base.format(u), e.requested.format(u), e.floor.format(u), e.ceiling.format(u));
    if ja {
        let _ = writeln!(out, "局 {}（{}）", e.name, e.department);
        let _ =
            writeln!(out, "  配分枠 {amount}（基準額 {base}、要求額 {requested}）。枠の下限 {floor}、上限 {ceiling}。");
    } else {
        let _ = writeln!(out, "bureau `{}` {}", e.department, e.name);
        let _ =
            writeln!(out, "  envelope {amount} (base {base}, requested {requested}); floor {floor}, ceiling {ceiling}");
    }
    if let Some(note) = &a.style_detail {
        if let Some(b) = note.target(&e.department) {
            let _ = match ja {
                true => writeln!(out, "  {}", note.bureau_ja(&e.department, u).unwrap_or_default()),
                false => writeln!(
                    out,
                    "  allocation style `{}`: the formula gives {}, the envelope's limit is {}{}",
                    note.style,
                    b.target.format(u),
                    b.limit.format(u),
                    b.forced.map_or(String::new(), |f| format!(" (not the formula: {})", f.words()))
                ),
            };
        }
    }
    for c in a.constraints.iter().filter(|c| c.kind.department() == Some(e.department.as_str())) {
        let _ = match (ja, c.binding) {
            (true, true) => writeln!(out, "  {}: {}", c.kind.label_ja(), c.price_words_ja(u)),
            (true, false) => writeln!(out, "  {}: 拘束していません（余裕{}）。", c.kind.label_ja(), c.slack.format(u)),
            (false, _) => writeln!(out, "  {} — {}", c.label, c.price_words(u)),
        };
    }
    let mine: Vec<&ProgramAllocation> = a.programs.iter().filter(|p| p.department == e.department).collect();
    let mut counts: BTreeMap<&str, (usize, Money, Money)> = BTreeMap::new();
    for p in &mine {
        let words = if ja { p.held_by.label_ja() } else { p.held_by.words() };
        let entry = counts.entry(words).or_insert((0, Money::ZERO, Money::ZERO));
        entry.0 += 1;
        entry.1 += p.requested;
        entry.2 += p.allocated;
    }
    let _ = if ja { writeln!(out, "  {}事業:", mine.len()) } else { writeln!(out, "  {} programs:", mine.len()) };
    for (words, (n, req, alloc)) in counts {
        let (req, alloc) = (req.format(u), alloc.format(u));
        let _ = if ja {
            writeln!(out, "    {words}: {n}事業（要求 {req}、配分 {alloc}）")
        } else {
            writeln!(out, "    {n:>5} {words}: requested {req}, allocated {alloc}")
        };
    }
    let marginal: Vec<&ProgramAllocation> =
        mine.iter().copied().filter(|p| p.held_by == Holding::Marginal).take(10).collect();
    let title = if ja {
        "限界的な事業（限度が動くと最初に配分が変わる事業）".to_string()
    } else {
        "marginal programs (the ones a change in the limits moves first)".to_string()
    };
    program_list(&mut out, &title, &marginal, u, lang);
    out
}

/// The marginal programs that count in the binding limit `name`.
fn marginal_in<'a>(a: &'a Allocation, name: &str) -> Vec<&'a ProgramAllocation> {
    a.programs.iter().filter(|p| p.held_by == Holding::Marginal && p.limits.iter().any(|l| l == name)).collect()
}

/// "  title:" and one line per program (at most ten): its allocation against its request.
fn program_list(out: &mut String, title: &str, programs: &[&ProgramAllocation], u: Unit, lang: Lang) {
    if programs.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for p in programs.iter().take(10) {
        let (allocated, requested) = (p.allocated.format(u), p.requested.format(u));
        let _ = match lang {
            Lang::Ja => writeln!(out, "    {} {}: {allocated}（要求 {requested}）", p.id, p.name),
            Lang::En => writeln!(out, "    {} {}: {allocated} of {requested}", p.id, p.name),
        };
    }
}

fn explain_constraint(a: &Allocation, sc: &Scenario, c: &ConstraintReport) -> String {
    let u = a.display_unit;
    let mut out = String::new();
    let _ = writeln!(out, "constraint `{}`: {}", c.name, c.label);
    let _ = writeln!(
        out,
        "  value {} {} limit {}; slack {}; {}",
        c.value.format(u),
        c.sense,
        c.limit.format(u),
        c.slack.format(u),
        if c.binding { "binding" } else { "not binding" }
    );
    if let Some(p) = c.shadow_price {
        let _ = writeln!(out, "  shadow price {p} per yen: {}", c.price_words(u));
    }
    if c.name == "fund_drawdown" {
        let _ = writeln!(out, "  why, as the memo says it (in Japanese):\n  {}", a.fund_words());
    }
    let held = marginal_in(a, &c.name);
    program_list(&mut out, &format!("marginal programs in it ({})", held.len()), &held, u, Lang::En);
    let _ = sc;
    out
}

/// 裁量的経費 and the other kinds in a budget office's words.
fn kind_ja(kind: ProgramKind) -> &'static str {
    match kind {
        ProgramKind::Mandatory => "義務的経費",
        ProgramKind::Discretionary => "裁量的経費",
        ProgramKind::Investment => "投資的経費",
        ProgramKind::New => "新規事業",
    }
}

/// `waku explain <program>` in Japanese: the review's findings, the assessment, why the allocation
/// is what it is, the limits that bind it and what would change it (each figure from a re-solve).
fn explain_program_ja(a: &Allocation, cx: &Context, i: usize) -> String {
    let u = a.display_unit;
    let p = &a.programs[i];
    let bureau =
        a.envelopes.iter().find(|e| e.department == p.department).map_or(p.department.as_str(), |e| e.name.as_str());
    let mut out = String::new();
    let _ = writeln!(out, "事業 {} {}（{}、{}）", p.id, p.name, bureau, kind_ja(p.kind));
    let [allocated, requested, prior, general, subsidy, fees, bonds] =
        [p.allocated, p.requested, p.prior_cost, p.general_revenue, p.subsidy, p.fees, p.bonds].map(|m| m.format(u));
    let _ = writeln!(
        out,
        "  配分額 {allocated}（要求額 {requested}、前年度 {prior}）。財源は一般財源 {general}、国県支出金 {subsidy}、使用料・手数料等 {fees}、市債 {bonds}。"
    );
    // The review: every viewpoint's finding, then the assessment.
    let review = cx.review.and_then(|r| r.programs.iter().find(|x| x.id == p.id));
    if let Some(r) = review {
        let _ = writeln!(out, "  見直しの所見:");
        for f in &r.findings {
            let name = cx
                .viewpoints
                .iter()
                .find(|(id, _)| id.as_str() == &*f.viewpoint)
                .map_or_else(|| f.viewpoint.to_string(), |(_, label)| label.clone());
            let _ = writeln!(out, "    {name}：{}（評点{}）{}", f.action.label(), f.score.normalize(), f.reason);
        }
    }
    let range = if p.min == p.max {
        format!("配分額{}", p.max.format(u))
    } else {
        format!("配分の範囲{}〜{}", p.min.format(u), p.max.format(u))
    };
    let _ = writeln!(out, "  評価: {}、優先度{}、{}。", p.action.label(), p.priority.normalize(), range);
    if let Some(r) = review {
        let _ = writeln!(out, "    理由: {}", r.assessment.reason);
    }
    // Why the allocation put it where it is.
    let why = match &p.allocation_reason {
        Some(reason) => reason.clone(),
        None if p.held_by == Holding::Mandatory => "義務的経費のため、要求額どおり計上（最適化の対象外）".to_string(),
        None => format!("要求額{}のとおり配分", p.requested.format(u)),
    };
    let _ = writeln!(out, "  配分の理由: {why}。");
    if matches!(p.held_by, Holding::ReviewMax) && p.allocation_reason.is_none() {
        if let Some(words) = margin_words(a, cx.scenario, p) {
            let _ = writeln!(out, "    {words}");
        }
    }
    // The limits that bind it, and what loosening each would do for this program.
    let binding: Vec<&ConstraintReport> =
        p.limits.iter().filter_map(|name| a.constraints.iter().find(|c| &c.name == name)).collect();
    if !binding.is_empty() {
        let _ = writeln!(out, "  縛っている限度:");
        for c in &binding {
            let _ = writeln!(out, "    {}: {}", c.kind.label_ja(), c.price_words_ja(u));
        }
    }
    let _ = writeln!(out, "  配分が変わる条件:");
    for line in what_would_change(a, cx.scenario, p, &binding) {
        let _ = writeln!(out, "    {line}");
    }
    out
}

/// A program's value per yen of general revenue, what the binding limits charge for it (Σ
/// coefficient × shadow price, per yen of general revenue) and their names; `None` without a
/// priced binding limit or without general revenue.
fn value_and_charge(a: &Allocation, sc: &Scenario, p: &ProgramAllocation) -> Option<(f64, f64, Vec<String>)> {
    let program = sc.programs.iter().find(|x| x.id == p.id)?;
    let g = (Decimal::ONE - program.specific_share()).to_f64().unwrap_or(0.0);
    let mut charge = 0.0;
    let mut labels = Vec::new();
    for c in a.constraints.iter().filter(|c| c.binding && constraint_has(c, program)) {
        let coef = coefficient(&c.kind, program);
        if let Some(price) = c.shadow_price.filter(|x| *x != 0.0 && coef != 0.0) {
            charge += coef * price;
            labels.push(c.kind.label_ja());
        }
    }
    if labels.is_empty() || g <= 0.0 {
        return None;
    }
    Some((p.priority.to_f64().unwrap_or(0.0) / g, charge / g, labels))
}

/// 「一般財源1円当たりの価値1.200が、縛っている限度の限界値1.001を上回る」 for a program at its
/// review maximum, from the binding limits' prices.
fn margin_words(a: &Allocation, sc: &Scenario, p: &ProgramAllocation) -> Option<String> {
    let (value, charge, labels) = value_and_charge(a, sc, p)?;
    let (value, charge) = apart(value, charge);
    Some(format!(
        "一般財源1円当たりの価値{value}が、縛っている限度（{}）の限界値{charge}を上回るため、財源が足りなくなっても、より価値の低い事業から先に削られます。",
        labels.join("、"),
    ))
}

/// What would change a program's allocation: for each binding limit, what loosening it by one
/// step gives this program (from the re-solve, [`ConstraintReport::effect`]); otherwise what the
/// program's holding says.
fn what_would_change(
    a: &Allocation,
    sc: &Scenario,
    p: &ProgramAllocation,
    binding: &[&ConstraintReport],
) -> Vec<String> {
    let u = a.display_unit;
    let mut lines = Vec::new();
    match p.held_by {
        Holding::Mandatory => lines.push("義務的経費のため、要求額が変わらない限り変わりません。".to_string()),
        Holding::Pinned => lines.push(format!(
            "見直しで額が{}に決まっているため、見直しの評価が変わらない限り、限度を動かしても変わりません。",
            p.max.format(u)
        )),
        Holding::BureauFixed | Holding::BureauMax | Holding::BureauMin => {
            lines.push("所管局の予算方針（自律的予算編成）が変わると変わります。".to_string());
        }
        Holding::Decided => lines.push(
            "査定の決定で額が決まっているため、決定が変わらない限り、限度を動かしても変わりません。".to_string(),
        ),
        Holding::DecisionMax => lines.push(format!(
            "査定で決めた上限{}まで配分しているため、限度を緩めても増えません。増やすには査定の決定が変わる必要があります。",
            p.max.format(u)
        )),
        Holding::Held => lines.push(
            "前の段階の額のまま据え置かれているため、この段階で決定（`waku decide`）しない限り変わりません。".to_string(),
        ),
        Holding::EnvelopeFloor => lines.push(
            "所管局の枠の下限が、局のすべての事業を見直しの上限まで配分することを求めているため、その下限が下がらない限り変わりません。"
                .to_string(),
        ),
        Holding::ReviewMax => lines.push(format!(
            "見直しの上限{}まで配分しているため、限度を緩めても増えません。増やすには見直しの評価（上限）が変わる必要があります。",
            p.max.format(u)
        )),
        Holding::AllOrNothing | Holding::ReviewMin | Holding::DecisionMin | Holding::Marginal => {
            if p.held_by == Holding::AllOrNothing {
                lines.push(if p.allocated.is_zero() {
                    "全額採否の事業で、不採択です（配分するなら要求額の全額）。".to_string()
                } else {
                    "全額採否の事業で、要求額の全額を配分しています。".to_string()
                });
            }
            for c in binding {
                let Some(effect) = &c.effect else { continue };
                let change = effect.program(&p.id);
                let stem = c.loosen_stem_ja(u, true);
                lines.push(if change > Money::ZERO {
                    format!("{stem}れば、この事業に{}多く配分されます。", change.format(u))
                } else if change < Money::ZERO {
                    format!("{stem}ると、この事業の配分は{}減ります。", change.abs().format(u))
                } else {
                    format!("{stem}ても、この事業の配分は変わりません（緩めた分はほかに回ります）。")
                });
            }
            if p.allocated < p.max {
                let gap = (p.max - p.allocated).format(u);
                lines.push(match value_and_charge(a, sc, p) {
                    Some((value, charge, _)) if p.held_by != Holding::Marginal && value < charge => {
                        let (_, charge) = apart(value, charge);
                        format!(
                            "見直しの上限{}まであと{gap}。優先度が上がり、一般財源1円当たりの価値が限度の限界値{charge}を上回れば、上限に向けて配分が増えます。",
                            p.max.format(u)
                        )
                    }
                    _ => format!(
                        "見直しの上限{}まであと{gap}。限界的な事業のため、縛っている限度が動くと最初に配分が変わります。",
                        p.max.format(u)
                    ),
                });
            }
        }
    }
    if lines.is_empty() {
        lines.push("縛っている限度はありません。".to_string());
    }
    lines
}

fn explain_constraint_ja(a: &Allocation, c: &ConstraintReport) -> String {
    let u = a.display_unit;
    let mut out = String::new();
    let _ = writeln!(out, "限度 {}（`{}`）", c.kind.label_ja(), c.name);
    let state = if c.binding {
        "拘束しています".to_string()
    } else {
        format!("拘束していません（余裕{}）", c.slack.format(u))
    };
    let _ = writeln!(out, "  値 {} {} 限度 {}。{state}。", c.value.format(u), c.sense.math(), c.limit.format(u));
    if c.binding {
        if let Some(p) = c.shadow_price {
            let _ = writeln!(out, "  シャドープライス {p}（限度1円当たりの、優先度で重み付けした価値の変化）。");
        }
        let _ = writeln!(out, "  {}", c.price_words_ja(u));
    }
    if c.name == "fund_drawdown" {
        let _ = writeln!(out, "  {}", a.fund_words());
    }
    let held = marginal_in(a, &c.name);
    program_list(&mut out, &format!("この限度の境目にある事業（{}事業）", held.len()), &held, u, Lang::Ja);
    out
}
