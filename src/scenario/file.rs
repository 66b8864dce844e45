//! The scenario file as written: every field optional so an overlay (`extends`) states only what differs.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::located::Located;
use crate::money::{Money, Unit};

/// A number written as `0.5`, `1`, or `"50%"` (a share, a ratio, a score).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub Decimal);

use crate::number::in_range as number_in_range;

const NUMBER_TOO_LARGE: &str = "is too large: a number in a scenario may be at most 1,000,000,000,000 in size";

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number such as `0.05` or a percentage such as \"5%\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Number, E> {
                number_in_range(Decimal::from(v))
                    .map(Number)
                    .ok_or_else(|| E::custom(format!("number `{v}` {NUMBER_TOO_LARGE}")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Number, E> {
                number_in_range(Decimal::from(v))
                    .map(Number)
                    .ok_or_else(|| E::custom(format!("number `{v}` {NUMBER_TOO_LARGE}")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Number, E> {
                crate::number::from_f64(v).and_then(number_in_range).map(Number).ok_or_else(|| {
                    let shown = if v.abs() >= 1e15 { format!("{v:e}") } else { v.to_string() };
                    E::custom(format!("number `{shown}` {NUMBER_TOO_LARGE}"))
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Number, E> {
                let quoted = crate::diagnostic::quote(v);
                match crate::number::parse_unbounded(v) {
                    Some(d) => number_in_range(d)
                        .map(Number)
                        .ok_or_else(|| E::custom(format!("number `{quoted}` {NUMBER_TOO_LARGE}"))),
                    None => Err(E::custom(format!(
                        "invalid number `{quoted}`: expected a number such as `0.05` or a percentage such as \"5%\""
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Number {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number such as 0.05, or a percentage string such as \"5%\"",
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": "^-?[0-9.]+%$"}]
        })
    }
}

/// Fields that an overlay replaces whole, and sections it merges field by field.
pub(crate) trait Overlay {
    fn overlay(&mut self, other: Self);
}

macro_rules! overlay_fields {
    ($ty:ty { $($leaf:ident),* $(,)? } sections { $($sec:ident),* $(,)? }) => {
        impl Overlay for $ty {
            fn overlay(&mut self, other: Self) {
                $( if other.$leaf.is_some() { self.$leaf = other.$leaf; } )*
                $(
                    match (&mut self.$sec, other.$sec) {
                        (Some(mine), Some(theirs)) => mine.overlay(theirs),
                        (mine @ None, theirs @ Some(_)) => *mine = theirs,
                        _ => {}
                    }
                )*
            }
        }
    };
}

/// A scenario file (TOML). Money is written as officials write it: `"650億円"`, `"6,476.84億円"`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "waku scenario")]
pub struct ScenarioFile {
    /// Another scenario this one overlays; paths are relative to this file.
    pub extends: Option<Located<String>>,
    /// 自治体名, e.g. "北九州市".
    pub city: Option<Located<String>>,
    /// The scenario's title, e.g. "令和8年度当初予算".
    pub name: Option<Located<String>>,
    /// Fiscal year (西暦), e.g. 2026 for 令和8年度.
    pub fiscal_year: Option<Located<i64>>,
    /// Unit for printed amounts: 円, 千円, 百万円 or 億円.
    pub display_unit: Option<Located<Unit>>,
    /// Allocations are rounded to multiples of this unit.
    pub rounding_unit: Option<Located<Unit>>,
    /// The rules folder, relative to this file (default: the nearest `rules/` above it).
    pub rules: Option<Located<String>>,
    /// Program inventory (CSV or an Excel `.xlsx` workbook), relative to this file.
    pub inventory: Option<Located<String>>,
    /// The sheet of an `.xlsx` inventory that holds the programs (default: the first sheet).
    pub inventory_sheet: Option<Located<String>>,
    /// Business clusters (CSV with columns id,name,group,reform_type), relative to this file.
    pub cluster_file: Option<Located<String>>,
    /// The KPI table (成果指標表: CSV or `.xlsx`), relative to this file: each program's and
    /// cluster's indicators, with their baseline, target and actuals by year.
    pub kpis: Option<Located<String>>,
    /// The encoding of the CSV files (`inventory`, `cluster_file`, `proposals`, `kpis`): `auto` (the default: a
    /// byte-order mark, else UTF-8, else Shift_JIS), `utf-8`, `utf-16` or `shift_jis` (= `cp932`).
    pub csv_encoding: Option<Located<super::encoding::TextEncoding>>,
    /// Proposals for the mayor's reserve (重点事業・市長特定事業の提案一覧): a CSV or `.xlsx` table relative to
    /// this file (`proposals = "file.csv"`), or inline `[[proposals]]`. The nearest file that states either wins.
    pub proposals: Option<Located<ProposalsFile>>,
    /// Decisions that pin proposals, by proposal id: `fund` or `reject` (採択 / 不採択). An overlay
    /// (a 市長査定 stage) adds to or changes the base's; `--set proposals.ID.decision=fund` writes here.
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub proposal_decisions: Option<BTreeMap<String, Located<String>>>,
    /// Parameter overrides for the ruleset, by name.
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub parameters: Option<BTreeMap<String, Located<toml::Value>>>,
    pub revenue: Option<RevenueFile>,
    pub fund: Option<FundFile>,
    pub bonds: Option<BondsFile>,
    pub policy: Option<PolicyFile>,
    /// Bureaus (局・区・室); an overlay entry with the same `id` changes only the fields it states.
    pub departments: Option<Vec<Located<DepartmentFile>>>,
    /// Business clusters, inline.
    pub clusters: Option<Vec<Located<ClusterFile>>>,
    /// Programs, inline; an entry with the id of an inventory program changes only the fields it states.
    pub programs: Option<Vec<Located<ProgramFile>>>,
    /// Expectations `waku test` checks against the outcome (e.g. the reserve at least some amount).
    /// An overlay that states any replaces the base's: a what-if answers its own questions.
    #[schemars(with = "Option<Vec<BTreeMap<String, serde_json::Value>>>")]
    pub expect: Option<Vec<Located<toml::Table>>>,
    /// Fiscal-health inputs of the year (標準財政規模, debt service, …) and the city's own ratio limits.
    pub fiscal: Option<FiscalFile>,
    /// A multi-year plan: its years' scenarios and the limits along the path.
    pub plan: Option<PlanFile>,
    /// The budget-cycle stage this file is (要求, 財政課査定, 市長査定, 内示, 復活要求, 確定).
    pub stage: Option<Located<super::stage::StageFile>>,
    /// 査定 decisions of this stage: per program an amount or bounds, a disposition, a reason.
    /// Unlike other entries they do not overlay: each stage keeps its own.
    pub decisions: Option<Vec<Located<super::stage::DecisionFile>>>,
    /// 復活要求 answered in this stage (also from the files `[stage] restorations` names).
    pub restorations: Option<Vec<Located<super::stage::RestorationFile>>>,
    /// The disposition codes of the cycle (default: ①要求通り ②精査のうえ計上 ③経常経費の範囲内で対応
    /// ④未計上 ⑤市長査定で対応を検討); a file that states any replaces them all.
    pub dispositions: Option<Vec<Located<super::stage::DispositionFile>>>,
    /// Each file's stage, decisions and restoration requests, in chain order (filled by overlaying).
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) layers: Vec<super::stage::Layer>,
}

impl Overlay for ScenarioFile {
    fn overlay(&mut self, other: Self) {
        macro_rules! leaf { ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* } }
        leaf!(
            city,
            name,
            fiscal_year,
            display_unit,
            rounding_unit,
            rules,
            inventory,
            inventory_sheet,
            cluster_file,
            kpis,
            csv_encoding,
            proposals,
            expect,
            dispositions
        );
        if other.stage.is_some() || other.decisions.is_some() || other.restorations.is_some() {
            self.layers.push(super::stage::Layer {
                stage: other.stage,
                decisions: other.decisions.unwrap_or_default(),
                restorations: other.restorations.unwrap_or_default(),
            });
        }
        self.layers.extend(other.layers);
        macro_rules! sec { ($($f:ident),*) => { $(
            match (&mut self.$f, other.$f) {
                (Some(mine), Some(theirs)) => mine.overlay(theirs),
                (mine @ None, theirs @ Some(_)) => *mine = theirs,
                _ => {}
            }
        )* } }
        sec!(revenue, fund, bonds, policy, fiscal, plan);
        if let Some(theirs) = other.parameters {
            self.parameters.get_or_insert_with(BTreeMap::new).extend(theirs);
        }
        if let Some(theirs) = other.proposal_decisions {
            self.proposal_decisions.get_or_insert_with(BTreeMap::new).extend(theirs);
        }
        merge_by_id(&mut self.departments, other.departments, |d| d.id.as_ref().map(|i| i.value.clone()));
        merge_by_id(&mut self.clusters, other.clusters, |c| c.id.as_ref().map(|i| i.value.to_string()));
        merge_by_id(&mut self.programs, other.programs, |p| p.id.as_ref().map(|i| i.value.clone()));
    }
}

/// Merges overlay entries into base entries with the same id; new ids are appended in order.
pub(crate) fn merge_by_id<T: Overlay>(
    base: &mut Option<Vec<Located<T>>>,
    overlay: Option<Vec<Located<T>>>,
    id: impl Fn(&T) -> Option<String>,
) {
    let Some(overlay) = overlay else { return };
    let base = base.get_or_insert_with(Vec::new);
    let mut index: BTreeMap<String, usize> =
        base.iter().enumerate().filter_map(|(i, e)| id(&e.value).map(|k| (k, i))).collect();
    for entry in overlay {
        match id(&entry.value).and_then(|k| index.get(&k).copied()) {
            Some(i) => base[i].value.overlay(entry.value),
            None => {
                if let Some(k) = id(&entry.value) {
                    index.insert(k, base.len());
                }
                base.push(entry);
            }
        }
    }
}

/// 歳入.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevenueFile {
    /// 一般会計予算総額; `waku check` reconciles the inventory against it.
    pub general_account: Option<Located<Money>>,
    /// 一般財源 available to allocate.
    pub general_revenue: Option<Located<Money>>,
}
overlay_fields!(RevenueFile { general_account, general_revenue } sections {});

/// 財源調整用基金.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundFile {
    /// Balance at the start of the year.
    pub balance: Option<Located<Money>>,
    /// The most that may be drawn down this year (default 0).
    pub max_drawdown: Option<Located<Money>>,
    /// The balance may not fall below this (default 0).
    pub floor: Option<Located<Money>>,
    /// When the fund is drawn: `before_cuts` (default), `last_resort` or `never`.
    pub draw: Option<Located<String>>,
}
overlay_fields!(FundFile { balance, max_drawdown, floor, draw } sections {});

/// 市債 (excluding 臨時財政対策債).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BondsFile {
    /// Balance at the start of the year.
    pub balance: Option<Located<Money>>,
    /// Issuance may not exceed this.
    pub issuance_cap: Option<Located<Money>>,
    /// Principal redeemed this year.
    pub redemption: Option<Located<Money>>,
}
overlay_fields!(BondsFile { balance, issuance_cap, redemption } sections {});

/// Allocation policy and limits.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// 投資的経費 upper level, e.g. "650億円".
    pub investment_cap: Option<Located<Money>>,
    /// Mayor's reserve, least share of available general revenue (0..1).
    pub reserve_min_share: Option<Located<Number>>,
    /// Mayor's reserve, greatest share of available general revenue (0..1).
    pub reserve_max_share: Option<Located<Number>>,
    /// Priority weight of one yen in the reserve (default 1).
    pub reserve_weight: Option<Located<Number>>,
    /// 次世代投資枠 target for the year.
    pub next_generation_target: Option<Located<Money>>,
    /// Default envelope floor as a ratio of a bureau's base (default 0).
    pub envelope_floor_ratio: Option<Located<Number>>,
    /// Default envelope ceiling as a ratio of a bureau's base (default: none).
    pub envelope_ceiling_ratio: Option<Located<Number>>,
    /// メリットシステム: share of its own savings a bureau keeps (0..1).
    pub retention_share: Option<Located<Number>>,
    /// メリットシステム: the most a bureau keeps from one program's savings (e.g. "500万円"; default: no cap).
    pub retention_cap_per_program: Option<Located<Money>>,
    /// メリットシステム: the most a bureau keeps in all (default: no cap; a bureau's `retention_cap` overrides it).
    pub retention_cap_per_department: Option<Located<Money>>,
    /// 配分方式: `priority` (default), `ceiling` (一律シーリング) or `balanced` (均衡配分).
    pub style: Option<Located<String>>,
    /// `balanced`: the most a bureau may fall below the city-wide relative change, in points (default 0.02).
    pub balanced_band: Option<Located<Number>>,
    /// `ceiling`: the ceiling ratio of each kind of expense (a kind left out: the largest uniform ratio that fits).
    pub ceiling: Option<CeilingFile>,
    /// 削減上限: the most a bureau's envelope may fall below its prior-year base, as a share (e.g. 0.1).
    pub max_cut_share: Option<Located<Number>>,
    /// 配分方針スクリプト: a Rhai script (beside the scenario or in the rules folder, e.g.
    /// `policies/ceiling-95.rhai`) that sets envelopes, ceiling ratios and cut limits from the city's figures.
    pub script: Option<Located<String>>,
    /// 削減上限 by kind of expense: the most any program of the kind may fall below its prior-year budget, as a share.
    pub max_cut_share_by_kind: Option<CeilingFile>,
}
overlay_fields!(PolicyFile {
    investment_cap, reserve_min_share, reserve_max_share, reserve_weight, next_generation_target,
    envelope_floor_ratio, envelope_ceiling_ratio, retention_share, retention_cap_per_program,
    retention_cap_per_department, style, balanced_band, max_cut_share, script
} sections { ceiling, max_cut_share_by_kind });

/// A number by kind of expense (経費区分): `[policy.ceiling]` (一律シーリング ratios: 義務的経費 and
/// 新規事業 on the request, the others on the prior-year budget) and `[policy.max_cut_share_by_kind]`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CeilingFile {
    /// 義務的経費 (a ceiling ratio defaults to 1.0).
    pub mandatory: Option<Located<Number>>,
    /// 裁量的経費, e.g. 0.95.
    pub discretionary: Option<Located<Number>>,
    /// 投資的経費.
    pub investment: Option<Located<Number>>,
    /// 新規事業.
    pub new: Option<Located<Number>>,
}
overlay_fields!(CeilingFile { mandatory, discretionary, investment, new } sections {});

/// A bureau.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentFile {
    /// ASCII id used by programs, e.g. "kodomo_katei".
    pub id: Option<Located<String>>,
    /// Name as the city writes it, e.g. "子ども家庭局".
    pub name: Option<Located<String>>,
    /// Envelope floor (money); overrides `floor_ratio`.
    pub floor: Option<Located<Money>>,
    /// Envelope ceiling (money); overrides `ceiling_ratio`.
    pub ceiling: Option<Located<Money>>,
    /// Envelope floor as a ratio of base.
    pub floor_ratio: Option<Located<Number>>,
    /// Envelope ceiling as a ratio of base.
    pub ceiling_ratio: Option<Located<Number>>,
    /// Share of own savings kept (overrides the policy's).
    pub retention_share: Option<Located<Number>>,
    /// The most the bureau keeps of its savings in all (overrides the policy's `retention_cap_per_department`).
    pub retention_cap: Option<Located<Money>>,
    /// The bureau's own budgeting policy script, relative to this file.
    pub policy: Option<Located<String>>,
    /// 削減上限 of its envelope against its prior-year base (overrides the policy's `max_cut_share`).
    pub max_cut_share: Option<Located<Number>>,
}
overlay_fields!(DepartmentFile { id, name, floor, ceiling, floor_ratio, ceiling_ratio, retention_share, retention_cap, policy, max_cut_share } sections {});

/// A business cluster.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterFile {
    pub id: Option<Located<ClusterId>>,
    pub name: Option<Located<String>>,
    pub group: Option<Located<String>>,
    pub reform_type: Option<Located<String>>,
}
overlay_fields!(ClusterFile { id, name, group, reform_type } sections {});

/// A cluster id: written as a number (`29`) or a string.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum ClusterId {
    Number(i64),
    Text(String),
}

impl std::fmt::Display for ClusterId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClusterId::Number(n) => write!(f, "{n}"),
            ClusterId::Text(s) => f.write_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for ClusterId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ClusterId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a cluster id (a number or a string)")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ClusterId, E> {
                Ok(ClusterId::Number(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ClusterId, E> {
                i64::try_from(v).map(ClusterId::Number).map_err(|_| E::custom("cluster id too large"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ClusterId, E> {
                Ok(ClusterId::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The scenario key `proposals`: a table's path or inline `[[proposals]]`.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum ProposalsFile {
    /// A CSV or `.xlsx` table, relative to the scenario file; `""`: no proposals.
    File(String),
    /// Proposals written in the scenario, with the columns of a proposals table.
    Inline(Vec<Located<ProposalFile>>),
}

impl<'de> Deserialize<'de> for ProposalsFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ProposalsFile;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a proposals table's path (`proposals = \"file.csv\"`) or inline `[[proposals]]`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ProposalsFile, E> {
                Ok(ProposalsFile::File(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ProposalsFile, A::Error> {
                let mut out = Vec::new();
                while let Some(p) = seq.next_element()? {
                    out.push(p);
                }
                Ok(ProposalsFile::Inline(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A proposal written inline (`[[proposals]]`): the columns of a proposals table
/// (`waku::scenario::PROPOSAL_COLUMNS`), money as the scenario writes money.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalFile {
    pub id: Located<String>,
    pub title: Located<String>,
    /// The bureau that proposes it (id or name).
    pub department: Located<String>,
    /// 所要一般財源: what it asks of the reserve this year.
    pub cost: Located<Money>,
    /// Its worth (a number at least 0).
    pub score: Located<Number>,
    /// May be funded in part, down to `min` (default false: all or nothing).
    pub scalable: Option<Located<bool>>,
    pub min: Option<Located<Money>>,
    /// 後年度負担.
    pub later_cost: Option<Located<Money>>,
    /// earning | high_quality | safety (or 稼げるまち | ハイクオリティ | 安全・安心).
    pub strategy: Option<Located<String>>,
    pub next_generation: Option<Located<bool>>,
    /// fund | reject (採択 | 不採択).
    pub decision: Option<Located<String>>,
    pub note: Option<String>,
}

/// A program, inline in a scenario or as a CSV row (same names; see `waku::scenario::COLUMNS`).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramFile {
    pub id: Option<Located<String>>,
    pub name: Option<Located<String>>,
    /// The owning bureau's id.
    pub department: Option<Located<String>>,
    pub cluster: Option<Located<ClusterId>>,
    /// mandatory | discretionary | investment | new (or 義務的 | 裁量的 | 投資的 | 新規).
    pub kind: Option<Located<String>>,
    pub prior_cost: Option<Located<Money>>,
    pub requested: Option<Located<Money>>,
    pub subsidy_ratio: Option<Located<Number>>,
    pub fees: Option<Located<Money>>,
    pub bondable_share: Option<Located<Number>>,
    /// earning | high_quality | safety (or 稼げるまち | ハイクオリティ | 安全・安心).
    pub strategy: Option<Located<String>>,
    pub next_generation: Option<Located<bool>>,
    pub all_or_nothing: Option<Located<bool>>,
    pub demand_trend: Option<Located<Number>>,
    pub satisfaction: Option<Located<Number>>,
    pub overlap_with: Option<Located<String>>,
    pub service_level: Option<Located<Number>>,
    pub digital_share: Option<Located<Number>>,
    pub private_capacity: Option<Located<Number>>,
    pub outsourced: Option<Located<bool>>,
    pub natural_savings: Option<Located<Money>>,
    pub kpi_indicator: Option<Located<String>>,
    pub kpi_baseline: Option<Located<Number>>,
    pub kpi_target: Option<Located<Number>>,
    pub kpi_actual: Option<Located<Number>>,
    /// higher | lower (or 高いほどよい | 低いほどよい): which way the KPI is better; default higher.
    pub kpi_direction: Option<Located<String>>,
    /// 性質別: 人件費, 扶助費, 公債費, 物件費, 維持補修費, 補助費等, 積立金, 投資・出資金・貸付金,
    /// 繰出金, 投資的経費 (or their English names).
    pub nature: Option<Located<String>>,
    /// 削減上限: the most the program may fall below its prior-year budget, as a share (overrides the policy's by kind).
    pub max_cut_share: Option<Located<Number>>,
}
overlay_fields!(ProgramFile {
    id, name, department, cluster, kind, prior_cost, requested, subsidy_ratio, fees, bondable_share,
    strategy, next_generation, all_or_nothing, demand_trend, satisfaction, overlap_with, service_level,
    digital_share, private_capacity, outsourced, natural_savings, kpi_indicator, kpi_baseline,
    kpi_target, kpi_actual, kpi_direction, nature, max_cut_share
} sections {});

/// `[fiscal]`: what the soundness ratios (健全化判断比率) and the ordinary balance ratio need for one
/// year, as a city finds them in its 決算カード / 財政状況資料集. All amounts default to 0.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiscalFile {
    /// 標準財政規模 (required for any ratio).
    pub standard_fiscal_scale: Option<Located<Money>>,
    /// 元利償還金等に係る基準財政需要額算入額: debt service counted in 基準財政需要額 this year.
    pub debt_service_counted: Option<Located<Money>>,
    /// Interest this year on the bonds of `[bonds]` outstanding before the year (or the plan) began.
    pub interest: Option<Located<Money>>,
    /// Annual interest rate of new issuance; the year of issue pays half a year, later plan years a full year.
    pub new_issue_rate: Option<Located<Number>>,
    /// Principal and interest of bonds outside `[bonds]` (e.g. 臨時財政対策債).
    pub other_debt_service: Option<Located<Money>>,
    /// 準元利償還金 (transfers to public enterprises for their debt service, etc.).
    pub quasi_debt_service: Option<Located<Money>>,
    /// 特定財源 applied to debt service.
    pub debt_service_specific_revenue: Option<Located<Money>>,
    /// Single-year 実質公債費比率 of the years before, oldest first (the 3-year average uses the last two).
    pub real_debt_service_history: Option<Vec<Located<Number>>>,
    /// 将来負担額 other than the `[bonds]` balance (退職手当負担見込額, 臨財債 balance, 公営企業債等繰入見込額 …).
    pub other_future_burden: Option<Located<Money>>,
    /// 充当可能基金 other than the fiscal adjustment fund of `[fund]`.
    pub other_usable_funds: Option<Located<Money>>,
    /// 充当可能特定歳入.
    pub expected_specific_revenue: Option<Located<Money>>,
    /// 基準財政需要額算入見込額.
    pub expected_counted: Option<Located<Money>>,
    /// 経常一般財源等 (+ 減収補てん債特例分 + 臨時財政対策債); default: `revenue.general_revenue`.
    pub ordinary_general_revenue: Option<Located<Money>>,
    /// 経常経費充当一般財源 outside the program inventory.
    pub ordinary_expenditure_outside: Option<Located<Money>>,
    /// The city's own ceiling on the 3-year 実質公債費比率 (a hard limit), e.g. "18%".
    pub real_debt_service_limit: Option<Located<Number>>,
    /// The city's own ceiling on the 将来負担比率 (a hard limit).
    pub future_burden_limit: Option<Located<Number>>,
    /// The city's own target for the 経常収支比率 (checked after solving).
    pub ordinary_balance_limit: Option<Located<Number>>,
}

overlay_fields!(FiscalFile {
    standard_fiscal_scale, debt_service_counted, interest, new_issue_rate, other_debt_service,
    quasi_debt_service, debt_service_specific_revenue, real_debt_service_history, other_future_burden,
    other_usable_funds, expected_specific_revenue, expected_counted, ordinary_general_revenue,
    ordinary_expenditure_outside, real_debt_service_limit, future_burden_limit, ordinary_balance_limit
} sections {});

/// `[plan]`: a multi-year plan. The file that holds it names one single-year scenario per year.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// The plan's years, in order, each with its scenario file.
    pub years: Option<Vec<Located<PlanYearFile>>>,
    /// 次世代投資枠 over the whole plan: Σ cost of next-generation programs, all years.
    pub next_generation_target: Option<Located<Money>>,
    /// The 市債 balance may not rise from one year end to the next (default true).
    pub bond_balance_not_rising: Option<Located<bool>>,
    /// 投資的経費 level in prices of `investment_price_year`; each year's cap is it escalated.
    pub investment_level: Option<Located<Money>>,
    /// The year whose prices `investment_level` is stated in (one of the plan's years).
    pub investment_price_year: Option<Located<i64>>,
    /// A nominal ceiling on every year's escalated investment cap.
    pub investment_ceiling: Option<Located<Money>>,
}

impl Overlay for PlanFile {
    fn overlay(&mut self, other: Self) {
        macro_rules! leaf { ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* } }
        leaf!(
            years,
            next_generation_target,
            bond_balance_not_rising,
            investment_level,
            investment_price_year,
            investment_ceiling
        );
    }
}

/// One year of a plan.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanYearFile {
    /// Fiscal year (西暦); must match the scenario's `fiscal_year`.
    pub year: Option<Located<i64>>,
    /// The year's single-year scenario, relative to the plan file.
    pub scenario: Option<Located<String>>,
    /// Construction-cost change from the year before (e.g. "2.5%"); escalates the investment level.
    pub cost_escalation: Option<Located<Number>>,
}
