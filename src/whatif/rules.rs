//! What a change of the rules does to one scenario's review (`waku rules diff OLD NEW SCENARIO`):
//! what changed in the rules (parameters, scripts), then per viewpoint the programs whose finding
//! changed (score, action, reason, bounds), then the programs whose assessment changed; with
//! `--money`, the allocation diff of [`super::diff`] as well.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assessment::{Assessment, Finding};
use crate::review::Review;
use crate::rules::Ruleset;
use crate::scenario::Scenario;

/// What differs between two rulesets on one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct RulesDiff {
    pub old_rules: String,
    pub new_rules: String,
    pub scenario: String,
    pub programs: usize,
    /// Parameters whose value (or schedule) differs, was added or was removed.
    pub parameters: Vec<ParameterChange>,
    /// Scripts whose text differs, by the viewpoint (or `policy`) they serve.
    pub scripts: Vec<String>,
    /// One entry per viewpoint of either ruleset, in the new ruleset's order (then the old one's).
    pub viewpoints: Vec<ViewpointChanges>,
    pub assessments: Vec<AssessmentChange>,
}

impl RulesDiff {
    /// How many programs had some finding or their assessment change.
    pub fn programs_moved(&self) -> usize {
        let mut ids: Vec<&str> = self.viewpoints.iter().flat_map(|v| v.changes.iter().map(|c| c.id.as_str())).collect();
        ids.extend(self.assessments.iter().map(|a| a.id.as_str()));
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ParameterChange {
    pub name: String,
    /// `None`: the parameter is new.
    pub old: Option<String>,
    /// `None`: the parameter was removed.
    pub new: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ViewpointChanges {
    pub id: String,
    pub number: Option<i64>,
    pub name_ja: String,
    pub changes: Vec<FindingChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingChange {
    pub id: String,
    pub name: String,
    pub department: String,
    pub old: Option<Finding>,
    pub new: Option<Finding>,
    /// Which of `score`, `action`, `reason`, `bounds` changed.
    pub changed: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssessmentChange {
    pub id: String,
    pub name: String,
    pub department: String,
    pub old: Assessment,
    pub new: Assessment,
    /// Which of `action`, `priority`, `min`, `max`, `reason` changed.
    pub changed: Vec<&'static str>,
}

/// The names whose flag is set: what changed.
fn changed<const N: usize>(parts: [(&'static str, bool); N]) -> Vec<&'static str> {
    parts.into_iter().filter(|(_, differs)| *differs).map(|(name, _)| name).collect()
}

/// What changed between two findings.
fn finding_changes(a: &Finding, b: &Finding) -> Vec<&'static str> {
    changed([
        ("score", a.score != b.score),
        ("action", a.action != b.action),
        ("reason", a.reason != b.reason),
        ("bounds", a.min_ratio != b.min_ratio || a.max_ratio != b.max_ratio),
    ])
}

/// What changed between two assessments.
fn assessment_changes(a: &Assessment, b: &Assessment) -> Vec<&'static str> {
    changed([
        ("action", a.action != b.action),
        ("priority", a.priority != b.priority),
        ("min", a.min != b.min),
        ("max", a.max != b.max),
        ("reason", a.reason != b.reason),
    ])
}

/// The parameters that differ: value, schedule, or presence.
fn parameter_changes(old: &Ruleset, new: &Ruleset) -> Vec<ParameterChange> {
    let shown = |p: &crate::rules::Parameter| {
        let mut s = p.value.to_string();
        for e in &p.effective {
            s.push_str(&format!("; from FY{}: {}", e.from_fiscal_year, e.value));
        }
        for o in &p.for_programs {
            s.push_str(&format!("; for {}: {}", o.whom(), o.value));
        }
        if let Some((v, _)) = &p.overridden {
            s = format!("{v} (the scenario's)");
        }
        s
    };
    let mut names: Vec<&String> = old.parameters.list.keys().chain(new.parameters.list.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (a, b) = (old.parameters.get(name).map(shown), new.parameters.get(name).map(shown));
            (a != b).then(|| ParameterChange { name: name.clone(), old: a, new: b })
        })
        .collect()
}

/// The scripts whose text differs, named by what they serve.
fn script_changes(old: &Ruleset, new: &Ruleset) -> Vec<String> {
    let mut out = Vec::new();
    for v in &new.viewpoints {
        match old.viewpoint(&v.id) {
            Some(w) if w.script.source.text == v.script.source.text => {}
            Some(_) => out.push(format!("viewpoint `{}` ({})", v.id, v.script.source.name)),
            None => out.push(format!("viewpoint `{}` is new ({})", v.id, v.script.source.name)),
        }
    }
    for w in &old.viewpoints {
        if new.viewpoint(&w.id).is_none() {
            out.push(format!("viewpoint `{}` was removed", w.id));
        }
    }
    if old.policy.source.text != new.policy.source.text {
        out.push(format!("the policy ({})", new.policy.source.name));
    }
    out
}

/// Compares the review of `scenario` under `old` rules with its review under `new` rules (the same
/// scenario loaded twice, each with its rules).
pub fn compare(
    scenario: &Scenario,
    (old_rules, old): (&Ruleset, &Review),
    (new_rules, new): (&Ruleset, &Review),
) -> RulesDiff {
    let programs: BTreeMap<&str, (&str, &str)> =
        scenario.programs.iter().map(|p| (p.id.as_str(), (p.name.as_str(), p.department.as_str()))).collect();
    let describe = |id: &str| programs.get(id).copied().unwrap_or(("", ""));
    let old_by_id: BTreeMap<&str, &crate::review::ProgramReview> =
        old.programs.iter().map(|p| (p.id.as_str(), p)).collect();

    let mut order: Vec<(String, Option<i64>, String)> =
        new_rules.viewpoints.iter().map(|v| (v.id.clone(), v.number, v.name_ja.clone())).collect();
    for w in &old_rules.viewpoints {
        if new_rules.viewpoint(&w.id).is_none() {
            order.push((w.id.clone(), w.number, w.name_ja.clone()));
        }
    }
    let mut viewpoints: Vec<ViewpointChanges> = order
        .into_iter()
        .map(|(id, number, name_ja)| ViewpointChanges { id, number, name_ja, changes: Vec::new() })
        .collect();
    let mut assessments = Vec::new();
    for p in &new.programs {
        let Some(q) = old_by_id.get(p.id.as_str()) else { continue };
        let (name, department) = describe(&p.id);
        for v in &mut viewpoints {
            let a = q.findings.iter().find(|f| *f.viewpoint == *v.id);
            let b = p.findings.iter().find(|f| *f.viewpoint == *v.id);
            let changed = match (a, b) {
                (Some(a), Some(b)) => finding_changes(a, b),
                (None, None) => continue,
                _ => vec!["viewpoint"],
            };
            if !changed.is_empty() {
                v.changes.push(FindingChange {
                    id: p.id.clone(),
                    name: name.to_string(),
                    department: department.to_string(),
                    old: a.map(|f| Finding::clone(f)),
                    new: b.map(|f| Finding::clone(f)),
                    changed,
                });
            }
        }
        let changed = assessment_changes(&q.assessment, &p.assessment);
        if !changed.is_empty() {
            assessments.push(AssessmentChange {
                id: p.id.clone(),
                name: name.to_string(),
                department: department.to_string(),
                old: q.assessment.clone(),
                new: p.assessment.clone(),
                changed,
            });
        }
    }
    RulesDiff {
        old_rules: crate::diagnostic::Source::display_path(&old_rules.dir),
        new_rules: crate::diagnostic::Source::display_path(&new_rules.dir),
        scenario: crate::diagnostic::Source::display_path(&scenario.path),
        programs: new.programs.len(),
        parameters: parameter_changes(old_rules, new_rules),
        scripts: script_changes(old_rules, new_rules),
        viewpoints,
        assessments,
    }
}
