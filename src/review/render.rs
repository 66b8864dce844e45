//! The review's JSON shape (its tables for the terminal are in [`crate::report::review`]).
//!
//! JSON: money as strings of whole yen; scores and priorities as decimal strings (`"3"`,
//! `"1.25"`), exact like money, so no float rounding creeps into snapshots.

use serde_json::Value;

use super::Review;
use crate::money::Money;

/// The JSON document, borrowed from the review and serialised directly (no intermediate
/// `serde_json::Value` tree: at 100,000 programs that tree alone took gigabytes).
#[derive(serde::Serialize)]
struct JsonReview<'a> {
    /// Every bound is a multiple of it, or an amount the user wrote (the request, the prior-year budget).
    rounding_unit: crate::money::Unit,
    programs: Vec<JsonProgram<'a>>,
}

#[derive(serde::Serialize)]
struct JsonProgram<'a> {
    id: &'a str,
    department: &'a str,
    findings: Vec<JsonFinding<'a>>,
    assessment: JsonAssessment<'a>,
}

#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    viewpoint: &'a str,
    score: String,
    action: &'static str,
    reason: &'a str,
}

#[derive(serde::Serialize)]
struct JsonAssessment<'a> {
    action: &'static str,
    priority: String,
    min: Money,
    max: Money,
    reason: &'a str,
}

fn json_doc(review: &Review) -> JsonReview<'_> {
    JsonReview {
        rounding_unit: review.rounding_unit,
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
                    reason: &p.assessment.reason,
                },
            })
            .collect(),
    }
}

/// `{"rounding_unit","programs":[{"id","department","findings":[{"viewpoint","score","action","reason"}],"assessment":{"action","priority","min","max","reason"}}]}`.
pub fn to_json(review: &Review) -> Value {
    serde_json::to_value(json_doc(review)).unwrap_or(Value::Null)
}

/// The same document as pretty-printed text, written straight from the review.
pub fn to_json_string(review: &Review) -> String {
    serde_json::to_string_pretty(&json_doc(review)).unwrap_or_default()
}
