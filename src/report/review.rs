//! The review for the terminal: one row per program with the six viewpoints' actions and the
//! assessment, and one program in detail (`waku review --program`).

use std::fmt::Write as _;

use super::terminal::{Lang, Palette};
use super::text::{Table, amount, lang_writeln, pad, width};
use crate::review::{ProgramReview, Review};
use crate::rules::Ruleset;
use crate::scenario::Scenario;

fn viewpoint_label(ruleset: &Ruleset, id: &str) -> String {
    match ruleset.viewpoint(id).and_then(|v| v.number) {
        Some(n) => format!("視点{n}"),
        None => id.to_string(),
    }
}

/// One row per program: the six actions, then the assessment; a count of actions at the end.
pub fn render_table(review: &Review, scenario: &Scenario, ruleset: &Ruleset) -> String {
    render_table_in(review, scenario, ruleset, Lang::En)
}

/// [`render_table`] in `lang`.
pub fn render_table_in(review: &Review, scenario: &Scenario, ruleset: &Ruleset, lang: Lang) -> String {
    let unit = scenario.display_unit;
    let headers: Vec<String> = ruleset.viewpoints.iter().map(|v| viewpoint_label(ruleset, &v.id)).collect();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(review.programs.len());
    for p in &review.programs {
        let bureau = match lang {
            Lang::En => p.department.clone(),
            Lang::Ja => scenario.department(&p.department).map_or_else(|| p.department.clone(), |d| d.name.clone()),
        };
        let mut row = vec![p.id.clone(), bureau];
        row.extend(p.findings.iter().map(|f| f.action.label().to_string()));
        row.push(p.assessment.action.label().to_string());
        row.push(format!("{:.2}", p.assessment.priority));
        row.push(amount(p.assessment.min, unit));
        row.push(amount(p.assessment.max, unit));
        rows.push(row);
    }
    let mut head = vec![lang.pick("id", "事業番号").to_string(), lang.pick("department", "所管局").to_string()];
    head.extend(headers);
    head.extend(match lang {
        Lang::En => {
            ["assessment".to_string(), "priority".to_string(), format!("min ({unit})"), format!("max ({unit})")]
        }
        Lang::Ja => ["判定".to_string(), "優先度".to_string(), format!("下限（{unit}）"), format!("上限（{unit}）")],
    });
    // Text columns left, the priority and the bounds right; no indent.
    let numeric_from = head.len() - 3;
    let mut table = Table::new(head).left(1..numeric_from);
    table.rows(rows, &[]);
    let mut out = String::new();
    for l in crate::scenario::set_lines(&[(scenario.fiscal_year, &scenario.overrides)], unit) {
        let _ = writeln!(out, "{l}\n");
    }
    out.push_str(&table.render(0, Palette::PLAIN));
    let counts: Vec<String> = review.action_counts().iter().map(|(a, n)| format!("{a} {n}")).collect();
    let n = review.programs.len();
    lang_writeln!(
        out,
        lang,
        ["\n{n}事業: {}", counts.join(" · ")],
        ["\n{n} program{}: {}", if n == 1 { "" } else { "s" }, counts.join(" · ")]
    );
    out
}

/// One program in full: each viewpoint's action, score and reason, then the assessment and its reason.
pub fn render_program(p: &ProgramReview, scenario: &Scenario, ruleset: &Ruleset) -> String {
    render_program_in(p, scenario, ruleset, Lang::En)
}

/// [`render_program`] in `lang`.
pub fn render_program_in(p: &ProgramReview, scenario: &Scenario, ruleset: &Ruleset, lang: Lang) -> String {
    let unit = scenario.display_unit;
    let mut out = String::new();
    if let Some(program) = scenario.program(&p.id) {
        let dept = scenario.department(&program.department).map_or(program.department.as_str(), |d| d.name.as_str());
        let _ = writeln!(out, "{} {} ({dept}, {})", program.id, program.name, program.kind.label());
        let _ = writeln!(out, "  前年度 {} → 要求 {}", program.prior_cost.format(unit), program.requested.format(unit));
    } else {
        let _ = writeln!(out, "{}", p.id);
    }
    let _ = writeln!(out);
    let labels: Vec<String> = p
        .findings
        .iter()
        .map(|f| match lang {
            Lang::En => format!("{} {}", viewpoint_label(ruleset, &f.viewpoint), f.viewpoint),
            Lang::Ja => viewpoint_label(ruleset, &f.viewpoint),
        })
        .collect();
    let lw = labels.iter().map(|l| width(l)).max().unwrap_or(0);
    let aw = p.findings.iter().map(|f| width(f.action.label())).max().unwrap_or(0);
    for (f, label) in p.findings.iter().zip(&labels) {
        let (min, max) = (lang.pick("min", "下限"), lang.pick("max", "上限"));
        let bound = match (f.min_ratio, f.max_ratio) {
            (None, None) => String::new(),
            (Some(lo), None) => format!("  [{min} {}]", lo.normalize()),
            (None, Some(hi)) => format!("  [{max} {}]", hi.normalize()),
            (Some(lo), Some(hi)) => format!("  [{min} {}, {max} {}]", lo.normalize(), hi.normalize()),
        };
        let _ = writeln!(
            out,
            "  {}  {}  {} {}  {}{bound}",
            pad(label, lw, false),
            pad(f.action.label(), aw, false),
            lang.pick("score", "評点"),
            f.score.normalize(),
            f.reason
        );
    }
    // The trace of a per-bureau or per-kind value: which parameter this program saw differently.
    if let Some(program) = scenario.program(&p.id) {
        for par in ruleset.parameters.list.values() {
            let (value, Some(o)) = par.value_for_program(Some(scenario.fiscal_year), &program.department, program.kind)
            else {
                continue;
            };
            let at = o.location.as_ref().map_or_else(String::new, |l| format!(", {}", l.source.place(l.span.start)));
            let note = o.note.as_ref().map_or_else(String::new, |n| format!("「{n}」"));
            let _ = writeln!(out, "  params.{} = {value}  (the value for {}{note}{at})", par.name, o.whom());
        }
    }
    let a = &p.assessment;
    let _ = writeln!(out);
    let (priority, min, max) = (a.priority.normalize(), a.min.format(unit), a.max.format(unit));
    lang_writeln!(
        out,
        lang,
        ["  判定  {}  優先度 {priority}  下限 {min}  上限 {max}", a.action],
        ["  assessment  {}  priority {priority}  min {min}  max {max}", a.action]
    );
    let _ = writeln!(out, "  {}", a.reason);
    out
}
