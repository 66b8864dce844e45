//! Every field a script reads from `program`: its kind of value, its unit, the range a scenario can
//! give it, and where it comes from (the inventory column, or how waku computes it).
//!
//! The static checks read this list (a misspelt field, a scale's thresholds in the wrong unit, a
//! scale that leaves part of the field's range without a value), and so does `waku rules doc`.
//! `engine::tests` keeps it equal to the getters the engine registers.

/// What kind of value a program field holds, as scripts see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Text (an id, a name, a label).
    Text,
    /// A plain number (a ratio, a share, a multiple).
    Number,
    /// Exact money in yen.
    Money,
    /// `true` or `false`.
    Flag,
    /// The program's KPI: `#{ indicator, baseline, target, actual, achievement }`.
    Kpi,
}

impl FieldType {
    /// The name `waku rules doc` writes.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Money => "money",
            FieldType::Flag => "flag",
            FieldType::Kpi => "kpi",
        }
    }

    /// "a number", for messages.
    pub fn described(self) -> &'static str {
        match self {
            FieldType::Text => "a text",
            FieldType::Number => "a number",
            FieldType::Money => "money",
            FieldType::Flag => "true/false",
            FieldType::Kpi => "a KPI",
        }
    }
}

/// One field of `program`.
#[derive(Debug, Clone, Copy)]
pub struct FieldDoc {
    pub name: &'static str,
    pub ty: FieldType,
    /// The unit as `ruleset.toml` names units (`ratio`, `円`, `text`, `flag`), or `kpi`.
    pub unit: &'static str,
    /// The least and the greatest value a scenario can give it (checked when it loads), if bounded.
    pub range: (Option<i64>, Option<i64>),
    /// Whether it may be `()` (no data).
    pub optional: bool,
    /// Where the value comes from: an inventory column (English and Japanese header), or how waku computes it.
    pub source: &'static str,
    pub description: &'static str,
}

const fn field(
    name: &'static str,
    ty: FieldType,
    unit: &'static str,
    range: (Option<i64>, Option<i64>),
    optional: bool,
    source: &'static str,
    description: &'static str,
) -> FieldDoc {
    FieldDoc { name, ty, unit, range, optional, source, description }
}

use FieldType::{Flag, Kpi, Money, Number, Text};

const ANY: (Option<i64>, Option<i64>) = (None, None);
const SHARE: (Option<i64>, Option<i64>) = (Some(0), Some(1));
const NON_NEGATIVE: (Option<i64>, Option<i64>) = (Some(0), None);

/// Every field a script can read from `program`, in the order of the engine's getters.
pub const PROGRAM_FIELDS: [FieldDoc; 34] = [
    field("id", Text, "text", ANY, false, "column `id` (事業番号)", "program id (事業番号)"),
    field("name", Text, "text", ANY, false, "column `name` (事業名)", "program name (事業名)"),
    field("department", Text, "text", ANY, false, "column `department` (所管局)", "owning bureau id"),
    field(
        "department_name",
        Text,
        "text",
        ANY,
        false,
        "the scenario's `[[departments]]` `name` for `department`",
        "owning bureau name (局・区名)",
    ),
    field("cluster", Text, "text", ANY, true, "column `cluster` (クラスター)", "business cluster id, or ()"),
    field("cluster_name", Text, "text", ANY, true, "the clusters file's `name`", "business cluster name, or ()"),
    field("cluster_group", Text, "text", ANY, true, "the clusters file's `group`", "business cluster group, or ()"),
    field(
        "reform_type",
        Text,
        "text",
        ANY,
        true,
        "the clusters file's `reform_type`",
        "the cluster's reform type, or ()",
    ),
    field(
        "kind",
        Text,
        "text",
        ANY,
        false,
        "column `kind` (経費区分)",
        "\"mandatory\", \"discretionary\", \"investment\" or \"new\"",
    ),
    field("kind_ja", Text, "text", ANY, false, "`kind` in Japanese", "義務的 / 裁量的 / 投資的 / 新規"),
    field("prior_cost", Money, "円", NON_NEGATIVE, false, "column `prior_cost` (前年度予算額)", "前年度予算額 (money)"),
    field("requested", Money, "円", NON_NEGATIVE, false, "column `requested` (要求額)", "要求額 (money)"),
    field(
        "growth",
        Number,
        "ratio",
        (Some(-1), None),
        true,
        "computed: requested ÷ prior_cost − 1",
        "requested ÷ prior_cost − 1, or () when there was no prior cost",
    ),
    field(
        "subsidy_ratio",
        Number,
        "ratio",
        SHARE,
        false,
        "column `subsidy_ratio` (補助率)",
        "国庫・県支出金 share of cost, 0..1",
    ),
    field(
        "fees",
        Money,
        "円",
        NON_NEGATIVE,
        false,
        "column `fees` (使用料等)",
        "使用料・手数料 at the requested level (money)",
    ),
    field("bondable_share", Number, "ratio", SHARE, false, "column `bondable_share` (起債充当率)", "起債充当率, 0..1"),
    field(
        "specific_share",
        Number,
        "ratio",
        NON_NEGATIVE,
        false,
        "computed: subsidy_ratio + fees ÷ requested + bondable_share",
        "特定財源 share: subsidies + fees + bonds, 0..1",
    ),
    field(
        "general_revenue",
        Money,
        "円",
        ANY,
        false,
        "computed: requested less subsidies, fees and bonds",
        "一般財源 needed at the requested level (money)",
    ),
    field(
        "strategy",
        Text,
        "text",
        ANY,
        true,
        "column `strategy` (重点戦略)",
        "\"earning\", \"high_quality\", \"safety\" or ()",
    ),
    field(
        "strategy_ja",
        Text,
        "text",
        ANY,
        true,
        "`strategy` in Japanese",
        "稼げるまち / ハイクオリティ / 安全・安心, or ()",
    ),
    field(
        "next_generation",
        Flag,
        "flag",
        ANY,
        false,
        "column `next_generation` (次世代投資枠)",
        "counts toward the 次世代投資枠 (true/false)",
    ),
    field(
        "all_or_nothing",
        Flag,
        "flag",
        ANY,
        false,
        "column `all_or_nothing` (全額採否)",
        "a new initiative funded in full or not at all",
    ),
    field(
        "demand_trend",
        Number,
        "ratio",
        (Some(-1), None),
        true,
        "column `demand_trend` (需要の変化)",
        "relative change in demand (−0.3 = fell 30%), or ()",
    ),
    field(
        "satisfaction",
        Number,
        "ratio",
        SHARE,
        true,
        "column `satisfaction` (市民ニーズ)",
        "citizen need / satisfaction 0..1, or ()",
    ),
    field(
        "overlap_with",
        Text,
        "text",
        ANY,
        true,
        "column `overlap_with` (重複事業)",
        "id of a program with the same purpose, or ()",
    ),
    field(
        "overlap_name",
        Text,
        "text",
        ANY,
        true,
        "the `name` of the program `overlap_with` names",
        "name of that program, or ()",
    ),
    field(
        "service_level",
        Number,
        "ratio",
        NON_NEGATIVE,
        true,
        "column `service_level` (実施水準)",
        "level against the national standard (1.0 = same), or ()",
    ),
    field(
        "digital_share",
        Number,
        "ratio",
        SHARE,
        true,
        "column `digital_share` (デジタル化率)",
        "share of procedures online 0..1, or ()",
    ),
    field(
        "private_capacity",
        Number,
        "ratio",
        SHARE,
        true,
        "column `private_capacity` (民間参入可能性)",
        "how far private providers could deliver it 0..1, or ()",
    ),
    field(
        "outsourced",
        Flag,
        "flag",
        ANY,
        false,
        "column `outsourced` (民間委託済)",
        "already outsourced (true/false)",
    ),
    field(
        "natural_savings",
        Money,
        "円",
        NON_NEGATIVE,
        false,
        "column `natural_savings` (自然減)",
        "savings not of the bureau's own doing (money)",
    ),
    field(
        "kpi",
        Kpi,
        "kpi",
        ANY,
        true,
        "columns `kpi_indicator`, `kpi_baseline`, `kpi_target`, `kpi_actual` (成果指標, 基準値, 目標値, 実績値)",
        "#{ indicator, baseline, target, actual, achievement, direction, direction_ja } or ()",
    ),
    field(
        "kpis",
        Kpi,
        "kpi",
        ANY,
        false,
        "the scenario's KPI table (`kpis = \"…csv\"`, 成果指標表): the rows whose `subject` is the program",
        "its indicators (an array of Indicator: id, name, kind, achievement by year, trend …); empty without a KPI table",
    ),
    field(
        "outcome_kpi",
        Kpi,
        "kpi",
        ANY,
        true,
        "the KPI table: the program's first アウトカム row with an actual",
        "its main outcome indicator (an Indicator), or ()",
    ),
];

/// The field named `name`.
pub fn program_field_doc(name: &str) -> Option<&'static FieldDoc> {
    PROGRAM_FIELDS.iter().find(|f| f.name == name)
}

/// Every field name, for "did you mean".
pub fn program_field_names() -> impl Iterator<Item = &'static str> {
    PROGRAM_FIELDS.iter().map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field said to come from an inventory column names a column the inventory reader knows.
    #[test]
    fn every_source_column_is_an_inventory_column() {
        for f in &PROGRAM_FIELDS {
            let columns: Vec<&str> = f.source.split('`').skip(1).step_by(2).collect();
            if !f.source.starts_with("column") {
                continue;
            }
            assert!(!columns.is_empty(), "{}", f.name);
            for c in columns {
                let known = crate::scenario::COLUMNS.iter().find(|(en, _, _)| *en == c);
                let Some((_, ja, _)) = known else { panic!("{}: no inventory column `{c}`", f.name) };
                assert!(f.source.contains(ja), "{}: `{c}` is {ja} in the inventory", f.name);
            }
        }
    }
}
