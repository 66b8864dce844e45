//! The rules reference `waku rules doc` writes: every program field, every helper a script can
//! call, every parameter of a ruleset with its unit, value and effective dates.
//!
//! The fields come from [`super::fields`], the helpers from [`HELPERS`] here; a test keeps both
//! equal to what the engine registers, so the reference cannot fall behind the engine.

use serde::Serialize;

use super::Ruleset;
use super::fields::PROGRAM_FIELDS;
use super::params::ParamValue;
use super::tables::{Hit, Scale, Table, Test};

/// One helper a script can call.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Helper {
    pub name: &'static str,
    /// How it is called, with the kinds of its arguments.
    pub signature: &'static str,
    pub example: &'static str,
    /// What it gives.
    pub gives: &'static str,
    /// Which scripts can call it usefully: `every script`, or `the policy` (on `findings`).
    pub in_scripts: &'static str,
}

const fn helper(
    name: &'static str,
    signature: &'static str,
    example: &'static str,
    gives: &'static str,
    in_scripts: &'static str,
) -> Helper {
    Helper { name, signature, example, gives, in_scripts }
}

const ANY: &str = "every script";
const POLICY: &str = "the policy (`findings`)";

/// Every function the engine registers for scripts, besides operators and field getters.
pub const HELPERS: [Helper; 24] = [
    helper("oku", "oku(x) → money", "oku(1.5)", "x 億円 as exact yen: 150,000,000", ANY),
    helper("man", "man(x) → money", "man(350)", "x 万円 as exact yen: 3,500,000", ANY),
    helper("sen", "sen(x) → money", "sen(12)", "x 千円 as exact yen: 12,000", ANY),
    helper("yen", "yen(x) → money", "yen(0)", "x 円 as exact money", ANY),
    helper("cho", "cho(x) → money", "cho(1)", "x 兆円 as exact yen", ANY),
    helper(
        "format_money",
        "format_money(money) → text",
        "format_money(oku(1.5))",
        "\"1.50億円\" (億円, 万円 or 円, whichever reads naturally)",
        ANY,
    ),
    helper(
        "kpi_achievement",
        "program.kpi_achievement(text) → number or ()",
        "program.kpi_achievement(\"K0002-1\")",
        "the latest achievement of the program's indicator with that id in the KPI table (0 at the baseline, 1 at the target), () without one",
        ANY,
    ),
    helper(
        "kpi_trend",
        "program.kpi_trend(text) → number or ()",
        "program.kpi_trend(\"K0002-1\")",
        "the indicator's average change of achievement per year over the years known (negative: moving the worse way), () with fewer than two points",
        ANY,
    ),
    helper(
        "kpi_missed_years",
        "program.kpi_missed_years(text) → array of years",
        "program.kpi_missed_years(\"K0002-1\")",
        "the years, in an unbroken run up to the latest known, whose actual fell short of the straight line from the baseline to the target",
        ANY,
    ),
    helper("pct", "pct(number) → text", "pct(0.125)", "\"12.5%\": a share as a percentage, for reasons", ANY),
    helper(
        "share_of",
        "share_of(money, money) → number or ()",
        "share_of(program.fees, program.requested)",
        "part ÷ whole, () when the whole is 0",
        ANY,
    ),
    helper(
        "round_dp",
        "x.round_dp(places) → number",
        "priority.round_dp(3)",
        "x rounded to that many decimal places",
        ANY,
    ),
    helper("join", "list.join(text) → text", "[\"視点1\", \"視点4\"].join(\"・\")", "\"視点1・視点4\"", ANY),
    helper(
        "min",
        "min(money, number) → money",
        "min(program.requested, oku(1))",
        "the smaller, as exact money (Rhai's own `min` for two numbers)",
        ANY,
    ),
    helper(
        "max",
        "max(money, number) → money",
        "max(program.prior_cost * 0.9, 0.0)",
        "the larger, as exact money (Rhai's own `max` for two numbers)",
        ANY,
    ),
    helper(
        "at",
        "params.SCALE.at(program or x) → value",
        "params.dx_score.at(program)",
        "the value of the scale's bracket that the program's input field (or x) falls in; () for no data",
        ANY,
    ),
    helper(
        "decide",
        "params.TABLE.decide(program) → map (or list)",
        "params.service_level_review.decide(program).action",
        "the outputs of the first row that matches (with `hit = \"collect\"`, a list of every matching row's)",
        ANY,
    ),
    helper(
        "count_action",
        "findings.count_action(action) → count",
        "findings.count_action(\"縮小\")",
        "how many viewpoints recommend the action",
        POLICY,
    ),
    helper(
        "finding",
        "findings.finding(viewpoint) → finding or ()",
        "findings.finding(\"needs\").score",
        "one viewpoint's finding",
        POLICY,
    ),
    helper(
        "viewpoints_with",
        "findings.viewpoints_with(action) → list",
        "findings.viewpoints_with(\"縮小\")",
        "the ids of the viewpoints recommending the action",
        POLICY,
    ),
    helper(
        "tightest_max_ratio",
        "findings.tightest_max_ratio(action) → number or ()",
        "findings.tightest_max_ratio(\"縮小\")",
        "the smallest `max_ratio` among the viewpoints recommending the action (\"\" for all)",
        POLICY,
    ),
    helper(
        "because",
        "findings.because(action) → text",
        "findings.because(\"縮小\")",
        "\"視点1・視点4が縮小を推奨（視点1：…／視点4：…）\": who recommends the action, each with its reason",
        POLICY,
    ),
    helper(
        "others",
        "findings.others(actions) → text",
        "findings.others(\"縮小・廃止\")",
        "\"視点5の改善、視点6の民間委託\": the viewpoints recommending something other than 継続 and the actions given (separated by `・`), or \"\"",
        POLICY,
    ),
    helper(
        "mean_score",
        "findings.mean_score() → number",
        "findings.mean_score()",
        "the average score of the findings",
        POLICY,
    ),
];

/// The fields of a finding (`findings.finding("needs").score`) and of a KPI (`program.kpi.target`).
pub const FINDING_FIELDS_DOC: [(&str, &str); 7] = [
    ("viewpoint", "the viewpoint's id (text)"),
    ("number", "its 視点 number 1–6, or ()"),
    ("score", "the score (number)"),
    ("action", "the recommended action (text)"),
    ("reason", "the reason (text)"),
    ("min_ratio", "its lower bound as a share of last year's cost, or ()"),
    ("max_ratio", "its upper bound as a share of last year's cost, or ()"),
];

pub const KPI_FIELDS_DOC: [(&str, &str); 7] = [
    ("indicator", "成果指標 (text)"),
    ("baseline", "基準値 (number)"),
    ("target", "目標値 (number)"),
    ("actual", "実績値 (number)"),
    ("achievement", "0 at the baseline, 1 at the target (number), or () when they are equal"),
    ("direction", "\"higher\" or \"lower\": which way the indicator is better"),
    ("direction_ja", "高いほどよい / 低いほどよい"),
];

/// The fields of an indicator of the KPI table (`program.outcome_kpi.trend`, `program.kpis`).
pub const INDICATOR_FIELDS_DOC: [(&str, &str); 23] = [
    ("id", "指標ID (text)"),
    ("name", "指標名 (text)"),
    ("kind", "\"output\" or \"outcome\""),
    ("kind_ja", "アウトプット / アウトカム"),
    ("unit", "単位 (text)"),
    ("direction", "\"higher\" or \"lower\": which way the indicator is better"),
    ("direction_ja", "高いほどよい / 低いほどよい"),
    ("parent", "the id of the indicator it serves (上位指標), or ()"),
    ("baseline_year", "基準年度 (whole number)"),
    ("baseline", "基準値 (number)"),
    ("target_year", "目標年度 (whole number)"),
    ("target", "目標値 (number)"),
    ("years", "the years with an actual, in order (array)"),
    ("latest_year", "the latest year with an actual, or ()"),
    ("actual", "the latest actual (number), or ()"),
    ("achievement", "the latest achievement: 0 at the baseline, 1 at the target (number), or ()"),
    ("achievements", "the achievement of each year, by the year as text (map: `a[\"2024\"]`)"),
    ("trend", "the average change of achievement per year over the years known, or ()"),
    ("status", "達成 / 順調 / 遅れ / 悪化 / 未測定"),
    ("missed_years", "the years, in an unbroken run up to the latest, below the straight line to the target (array)"),
    ("missed_count", "how many years that run has (whole number)"),
    ("missed_text", "those years as a reason writes them: \"2023・2024・2025年度\""),
    ("planned", "the achievement the straight line from the baseline to the target asks of the latest year"),
];

/// The reference of one ruleset.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub ruleset: String,
    pub rules_dir: String,
    pub fields: Vec<FieldEntry>,
    pub finding_fields: Vec<Named>,
    pub kpi_fields: Vec<Named>,
    pub indicator_fields: Vec<Named>,
    pub helpers: Vec<Helper>,
    pub parameters: Vec<ParameterEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub name: &'static str,
    pub holds: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldEntry {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub unit: &'static str,
    /// May be `()` (no data).
    pub optional: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub source: &'static str,
    pub holds: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParameterEntry {
    pub name: String,
    /// `value`, `scale` or `table`.
    pub kind: &'static str,
    /// The unit of the value (of a scale's values); none for a table (its outputs carry theirs).
    pub unit: Option<String>,
    /// The value before any scheduled change, as written.
    pub value: String,
    pub description: String,
    pub effective: Vec<EffectiveEntry>,
    /// Values for the programs of one bureau or one kind, the first that applies winning.
    pub overrides: Vec<OverrideEntry>,
    /// `rules/ruleset.toml:12`.
    pub declared_at: Option<String>,
    /// A scale's brackets or a table's rows, as lines of text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EffectiveEntry {
    pub from_fiscal_year: i32,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverrideEntry {
    /// Whom it is for, in words: `kodomo_katei`, `investment`, `investment in kodomo_katei`.
    pub whom: String,
    pub department: Option<String>,
    pub kind: Option<&'static str>,
    pub value: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScaleEntry {
    pub input: &'static str,
    pub brackets: Vec<BracketEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BracketEntry {
    /// `None` for a first bracket that covers everything below the next.
    pub from: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableEntry {
    pub hit: &'static str,
    /// Output names with their units.
    pub outputs: Vec<(String, String)>,
    pub rows: Vec<RowEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowEntry {
    /// Each condition as text: `service_level >= 1.3`.
    pub when: Vec<String>,
    pub then: Vec<(String, String)>,
}

fn scale_entry(s: &Scale) -> ScaleEntry {
    ScaleEntry {
        input: s.input_field().name,
        brackets: s
            .brackets
            .iter()
            .map(|b| BracketEntry { from: b.from.as_ref().map(ToString::to_string), value: b.value.to_string() })
            .collect(),
    }
}

fn table_entry(t: &Table) -> TableEntry {
    TableEntry {
        hit: match t.hit {
            Hit::First => "first",
            Hit::Collect => "collect",
        },
        outputs: t.outputs.iter().map(|(n, u)| (n.clone(), u.to_string())).collect(),
        rows: t
            .rows
            .iter()
            .map(|r| RowEntry {
                when: r.when.iter().map(ToString::to_string).collect(),
                then: r.then.iter().map(|(n, v)| (n.clone(), v.to_string())).collect(),
            })
            .collect(),
    }
}

/// The condition of a table cell as a column shows it: `>= 1.3`, `"safety"`.
pub fn cell(test: &Test) -> String {
    match test {
        Test::Compare(op, t) => format!("{} {t}", op.symbol()),
        Test::OneOf(texts) => texts.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" or "),
        Test::Flag(b) => b.to_string(),
    }
}

/// The reference of `ruleset`.
pub fn reference(ruleset: &Ruleset) -> Reference {
    let fields = PROGRAM_FIELDS
        .iter()
        .map(|f| FieldEntry {
            name: f.name,
            ty: f.ty.name(),
            unit: f.unit,
            optional: f.optional,
            min: f.range.0,
            max: f.range.1,
            source: f.source,
            holds: f.description,
        })
        .collect();
    let parameters = ruleset
        .parameters
        .list
        .values()
        .map(|p| {
            let (kind, unit, scale, table) = match &p.value {
                ParamValue::Scale(s) => ("scale", Some(p.unit.to_string()), Some(scale_entry(s)), None),
                ParamValue::Table(t) => ("table", None, None, Some(table_entry(t))),
                _ => ("value", Some(p.unit.to_string()), None, None),
            };
            ParameterEntry {
                name: p.name.clone(),
                kind,
                unit,
                value: p.value.to_string(),
                description: p.description.clone(),
                effective: p
                    .effective
                    .iter()
                    .map(|e| EffectiveEntry { from_fiscal_year: e.from_fiscal_year, value: e.value.to_string() })
                    .collect(),
                overrides: p
                    .for_programs
                    .iter()
                    .map(|o| OverrideEntry {
                        whom: o.whom(),
                        department: o.department.clone(),
                        kind: o.kind.map(|k| k.id()),
                        value: o.value.to_string(),
                        note: o.note.clone(),
                    })
                    .collect(),
                declared_at: p.location.as_ref().map(|l| l.source.place(l.span.start)),
                scale,
                table,
            }
        })
        .collect();
    Reference {
        ruleset: ruleset.name.clone(),
        rules_dir: crate::diagnostic::Source::display_path(&ruleset.dir),
        fields,
        finding_fields: FINDING_FIELDS_DOC.iter().map(|(name, holds)| Named { name, holds }).collect(),
        kpi_fields: KPI_FIELDS_DOC.iter().map(|(name, holds)| Named { name, holds }).collect(),
        indicator_fields: INDICATOR_FIELDS_DOC.iter().map(|(name, holds)| Named { name, holds }).collect(),
        helpers: HELPERS.to_vec(),
        parameters,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::rules::engine::{self, FINDING_FIELDS, Printed, REMOVED_FUNCTIONS, Sources};
    use crate::rules::files::RuleFiles;

    /// What the engine registers: `(type, getter)` pairs and helper names (Rhai's own packages aside).
    fn registered() -> (BTreeSet<(String, String)>, BTreeSet<String>) {
        let e =
            engine::engine(&RuleFiles::dir(std::path::Path::new("rules")), &Sources::default(), &Printed::default());
        let mut getters = BTreeSet::new();
        let mut helpers = BTreeSet::new();
        for sig in e.gen_fn_signatures(false) {
            let (name, rest) = sig.split_once('(').unwrap();
            if let Some(field) = name.strip_prefix("get$") {
                let ty = rest.trim_start_matches("_: &mut ").split(')').next().unwrap();
                getters.insert((ty.to_string(), field.to_string()));
            } else if name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && !matches!(name, "to_string" | "to_debug")
                && !REMOVED_FUNCTIONS.contains(&name)
            {
                helpers.insert(name.to_string());
            }
        }
        (getters, helpers)
    }

    #[test]
    fn the_reference_lists_every_registered_helper_and_field() {
        let (getters, helpers) = registered();
        let documented: BTreeSet<String> = HELPERS.iter().map(|h| h.name.to_string()).collect();
        assert_eq!(helpers, documented, "registered helpers (left) and documented ones (right) differ");
        let mut fields: BTreeSet<(String, String)> = BTreeSet::new();
        fields.extend(PROGRAM_FIELDS.iter().map(|f| ("Program".to_string(), f.name.to_string())));
        fields.extend(FINDING_FIELDS_DOC.iter().map(|(f, _)| ("Finding".to_string(), f.to_string())));
        fields.extend(KPI_FIELDS_DOC.iter().map(|(f, _)| ("Kpi".to_string(), f.to_string())));
        fields.extend(INDICATOR_FIELDS_DOC.iter().map(|(f, _)| ("Indicator".to_string(), f.to_string())));
        assert_eq!(getters, fields, "registered getters (left) and documented fields (right) differ");
        assert_eq!(FINDING_FIELDS.to_vec(), FINDING_FIELDS_DOC.iter().map(|(f, _)| *f).collect::<Vec<_>>());
        assert_eq!(
            crate::rules::engine::INDICATOR_FIELDS.to_vec(),
            INDICATOR_FIELDS_DOC.iter().map(|(f, _)| *f).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_bundled_rules_reference_shows_their_scale_and_table() {
        let ruleset = Ruleset::load(std::path::Path::new("rules"), &Default::default()).unwrap();
        let r = reference(&ruleset);
        let dx = r.parameters.iter().find(|p| p.name == "dx_score").unwrap();
        let brackets: Vec<(Option<&str>, &str)> =
            dx.scale.as_ref().unwrap().brackets.iter().map(|b| (b.from.as_deref(), b.value.as_str())).collect();
        assert_eq!(brackets, [(None, "2"), (Some("0.3"), "3"), (Some("0.7"), "4")]);
        let table = r.parameters.iter().find(|p| p.name == "service_level_review").unwrap().table.as_ref().unwrap();
        assert_eq!(table.rows[1].when, ["service_level <= 0.8", "strategy == \"safety\""]);
        assert_eq!(
            table.rows[2].then,
            [("action".to_string(), "\"継続\"".to_string()), ("score".to_string(), "3".to_string())]
        );
        let next = r.parameters.iter().find(|p| p.name == "priority_next_generation_bonus").unwrap();
        assert_eq!((next.effective[0].from_fiscal_year, next.effective[0].value.as_str()), (2027, "0.2"));
        assert!(next.declared_at.as_deref().is_some_and(|d| d.starts_with("rules/ruleset.toml:")));
    }
}
