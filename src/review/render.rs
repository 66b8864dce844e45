//! Review output: the aligned table, one program in detail, and the JSON shape.
//!
//! JSON: money as strings of whole yen; scores and priorities as decimal strings (`"3"`,
//! `"1.25"`), exact like money, so no float rounding creeps into snapshots.

use std::fmt::Write as _;

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use super::{ProgramReview, Review};
use crate::money::Money;
use crate::rules::Ruleset;
use crate::scenario::Scenario;

/// The JSON document, borrowed from the review and serialised directly (no intermediate
/// `serde_json::Value` tree: at 100,000 programs that tree alone took gigabytes).
#[derive(serde::Serialize)]
struct JsonReview<'a> {
    programs: Vec<JsonProgram<'a>>,
}

#[derive(serde::Serialize)]
struct JsonProgram<'a> {
    id: &'a str,
    department: &'a str,
    findings: Vec<JsonFinding<'a>>,
    assessment: JsonAssessment,
}

#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    viewpoint: &'a str,
    score: String,
    action: &'static str,
    reason: &'a str,
}

#[derive(serde::Serialize)]
struct JsonAssessment {
    action: &'static str,
    priority: String,
    min: Money,
    max: Money,
}

fn json_doc(review: &Review) -> JsonReview<'_> {
    JsonReview {
        programs: review
            .programs
            .iter()
            .map(|p| JsonProgram {
                id: &p.id,
                department: &p.department,
                findings: p
                    .findings
                    .iter()
                    .map(|f| JsonFinding {
                        viewpoint: &f.viewpoint,
                        score: f.score.normalize().to_string(),
                        action: f.action.label(),
                        reason: &f.reason,
                    })
                    .collect(),
                assessment: JsonAssessment {
                    action: p.assessment.action.label(),
                    priority: p.assessment.priority.normalize().to_string(),
                    min: p.assessment.min,
                    max: p.assessment.max,
                },
            })
            .collect(),
    }
}

/// `{"programs":[{"id","department","findings":[{"viewpoint","score","action","reason"}],"assessment":{"action","priority","min","max"}}]}`.
pub fn to_json(review: &Review) -> Value {
    serde_json::to_value(json_doc(review)).unwrap_or(Value::Null)
}

/// The same document as pretty-printed text, written straight from the review.
pub fn to_json_string(review: &Review) -> String {
    serde_json::to_string_pretty(&json_doc(review)).unwrap_or_default()
}

fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn pad_left(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

fn viewpoint_label(ruleset: &Ruleset, id: &str) -> String {
    match ruleset.viewpoint(id).and_then(|v| v.number) {
        Some(n) => format!("視点{n}"),
        None => id.to_string(),
    }
}

/// One row per program: the six actions, then the assessment; a count of actions at the end.
pub fn render_table(review: &Review, scenario: &Scenario, ruleset: &Ruleset) -> String {
    let unit = scenario.display_unit;
    let headers: Vec<String> = ruleset.viewpoints.iter().map(|v| viewpoint_label(ruleset, &v.id)).collect();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(review.programs.len());
    for p in &review.programs {
        let mut row = vec![p.id.clone(), p.department.clone()];
        row.extend(p.findings.iter().map(|f| f.action.label().to_string()));
        row.push(p.assessment.action.label().to_string());
        row.push(format!("{:.2}", p.assessment.priority));
        row.push(p.assessment.min.format_number(unit));
        row.push(p.assessment.max.format_number(unit));
        rows.push(row);
    }
    let mut head = vec!["id".to_string(), "department".to_string()];
    head.extend(headers);
    head.extend(["assessment".to_string(), "priority".to_string(), format!("min ({unit})"), format!("max ({unit})")]);
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| UnicodeWidthStr::width(c.as_str())))
                .chain([UnicodeWidthStr::width(head[i].as_str())])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric_from = head.len() - 3;
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| if i >= numeric_from { pad_left(c, widths[i]) } else { pad(c, widths[i]) })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = String::new();
    for l in crate::scenario::set_lines(&[(scenario.fiscal_year, &scenario.overrides)], unit) {
        let _ = writeln!(out, "{l}\n");
    }
    let _ = writeln!(out, "{}", line(&head));
    for r in &rows {
        let _ = writeln!(out, "{}", line(r));
    }
    let counts: Vec<String> = review.action_counts().iter().map(|(a, n)| format!("{a} {n}")).collect();
    let n = review.programs.len();
    let _ = writeln!(out, "\n{n} program{}: {}", if n == 1 { "" } else { "s" }, counts.join(" · "));
    out
}

/// One program in full: each viewpoint's action, score and reason, then the assessment and its reason.
pub fn render_program(p: &ProgramReview, scenario: &Scenario, ruleset: &Ruleset) -> String {
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
    let labels: Vec<String> =
        p.findings.iter().map(|f| format!("{} {}", viewpoint_label(ruleset, &f.viewpoint), f.viewpoint)).collect();
    let lw = labels.iter().map(|l| UnicodeWidthStr::width(l.as_str())).max().unwrap_or(0);
    let aw = p.findings.iter().map(|f| UnicodeWidthStr::width(f.action.label())).max().unwrap_or(0);
    for (f, label) in p.findings.iter().zip(&labels) {
        let bound = match (f.min_ratio, f.max_ratio) {
            (None, None) => String::new(),
            (Some(lo), None) => format!("  [min {}]", lo.normalize()),
            (None, Some(hi)) => format!("  [max {}]", hi.normalize()),
            (Some(lo), Some(hi)) => format!("  [min {}, max {}]", lo.normalize(), hi.normalize()),
        };
        let _ = writeln!(
            out,
            "  {}  {}  score {}  {}{bound}",
            pad(label, lw),
            pad(f.action.label(), aw),
            f.score.normalize(),
            f.reason
        );
    }
    let a = &p.assessment;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  assessment  {}  priority {}  min {}  max {}",
        a.action,
        a.priority.normalize(),
        a.min.format(unit),
        a.max.format(unit)
    );
    let _ = writeln!(out, "  {}", a.reason);
    out
}
