//! Scenarios: the TOML format a budget officer writes, its CSV program inventory, overlays and `--set`.
//!
//! [`load`] reads a scenario file (following `extends`), its inventory and command-line
//! overrides, validates everything, and returns a [`Scenario`] whose every value is
//! known-good. Input errors come back as [`crate::Diagnostic`]s with file, line and column.

pub mod change;
mod encoding;
mod file;
mod fiscal;
mod inventory;
pub mod kpis;
mod load;
mod located;
pub mod names;
mod nature;
mod overrides;
pub mod stage;
mod style;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diagnostic::Location;
use crate::money::{Money, Unit};

pub use encoding::TextEncoding;
pub use file::ScenarioFile;
pub use file::{FiscalFile, PlanFile, PlanYearFile};
pub use fiscal::FiscalInputs;
pub use inventory::proposals::{Decision, PROPOSAL_COLUMNS, Proposal};
pub use inventory::{COLUMNS, RESULT_COLUMNS, RESULT_NOTES, YEN_CELLS_NAME};
pub use load::{LoadOptions, TableCache, is_plan, is_plan_text, load, load_str, load_with, schema};
pub(crate) use load::{read_plan_file, resolve_path};
pub use located::Located;
pub use nature::Nature;
pub use overrides::{Override, SetValue, set_lines};
pub use style::{CeilingRatios, Style};

/// A validated scenario: one fiscal year of one city.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario file as the user named it.
    pub path: PathBuf,
    pub city: String,
    pub name: String,
    pub fiscal_year: i32,
    pub display_unit: Unit,
    /// Allocations are rounded to multiples of this unit (e.g. 千円).
    pub rounding_unit: Unit,
    /// The rules folder (default: `rules/` beside the scenario's folder, else `./rules`).
    pub rules_dir: PathBuf,
    /// Parameter overrides for the ruleset, by name.
    pub parameters: BTreeMap<String, Located<toml::Value>>,
    pub revenue: Revenue,
    pub fund: Fund,
    pub bonds: Bonds,
    pub policy: Policy,
    pub departments: Vec<Department>,
    pub clusters: Vec<Cluster>,
    pub programs: Vec<Program>,
    /// `[[expect]]` entries as written, each with its place, for `waku test`.
    pub expectations: Vec<Located<toml::Table>>,
    /// `[fiscal]`: the inputs of the fiscal-health ratios, if the scenario states them.
    pub fiscal: Option<FiscalInputs>,
    /// Non-fatal findings of validation (e.g. the inventory does not reconcile to the budget).
    pub warnings: Vec<crate::Diagnostic>,
    /// The `--set` overrides applied, in order, with the values before and after; every report
    /// prints them in its header.
    pub overrides: Vec<Override>,
    /// The budget-cycle stages of the `extends` chain, with their decisions (`None` when no file of
    /// the chain is a stage).
    pub cycle: Option<stage::Cycle>,
    /// Proposals for the mayor's reserve (`proposals = "file.csv"`), their decisions applied;
    /// empty without a table ([`crate::allocate::proposals`]).
    pub proposals: Vec<Proposal>,
    /// `kpis`: the KPI table (成果指標表), each indicator's actuals before the fiscal year.
    pub kpis: Option<std::sync::Arc<kpis::KpiTable>>,
}

/// 歳入: what the year brings in.
#[derive(Debug, Clone, Serialize)]
pub struct Revenue {
    /// 一般会計予算総額, for reconciliation only.
    pub general_account: Option<Money>,
    /// 一般財源 available to allocate this year.
    pub general_revenue: Money,
}

/// 財源調整用基金: the fiscal adjustment fund.
#[derive(Debug, Clone, Serialize)]
pub struct Fund {
    /// Balance at the start of the year.
    pub balance: Money,
    /// The most that may be drawn down this year.
    pub max_drawdown: Money,
    /// The balance may not fall below this.
    pub floor: Money,
    /// When the fund is drawn (基金取崩しの方針).
    pub draw: FundDraw,
    /// The least drawn: a settled stage of the budget cycle keeps the drawdown of the stage before,
    /// so what its decisions add or free moves the reserve, not the fund ([`crate::cycle`]). Zero
    /// otherwise; not a key of the scenario file.
    #[serde(skip)]
    pub held_drawdown: Money,
}

/// When the 財源調整用基金 is drawn (`[fund] draw`), within `max_drawdown` and above `floor`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FundDraw {
    /// 事業を削る前に取り崩す (the default): before a program worth more per yen of general revenue
    /// than the mayor's reserve is funded below its review maximum for want of general revenue —
    /// the fund closes the gap, as Kitakyushu's own outlook draws it (K-PLAN in docs/sources.md: the fund falls to
    /// 138億円 by FY2027). It is never drawn just to fill the reserve.
    #[default]
    BeforeCuts,
    /// 最後の手段としてのみ取り崩す: only as far as the limits require (review minima, envelope
    /// floors, the reserve's minimum); programs are cut to their review minima first.
    LastResort,
    /// 取り崩さない: never; the limits must hold without it.
    Never,
}

impl FundDraw {
    pub const ALL: [FundDraw; 3] = [FundDraw::BeforeCuts, FundDraw::LastResort, FundDraw::Never];

    /// `before_cuts`, `last_resort` or `never`, as a scenario writes it.
    pub fn id(self) -> &'static str {
        match self {
            FundDraw::BeforeCuts => "before_cuts",
            FundDraw::LastResort => "last_resort",
            FundDraw::Never => "never",
        }
    }

    /// The policy in a budget office's words.
    pub fn label(self) -> &'static str {
        match self {
            FundDraw::BeforeCuts => "事業を削る前に取り崩す",
            FundDraw::LastResort => "最後の手段としてのみ取り崩す",
            FundDraw::Never => "取り崩さない",
        }
    }

    /// Reads an id or a Japanese label.
    pub fn parse(s: &str) -> Option<FundDraw> {
        let s = s.trim();
        FundDraw::ALL.into_iter().find(|d| d.id() == s || d.label() == s)
    }
}

/// 市債: municipal bonds (excluding 臨時財政対策債).
#[derive(Debug, Clone, Serialize)]
pub struct Bonds {
    /// Balance at the start of the year.
    pub balance: Money,
    /// Issuance may not exceed this.
    pub issuance_cap: Money,
    /// Principal redeemed this year.
    pub redemption: Money,
}

/// The city's allocation policy and limits.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// 投資的経費 upper level.
    pub investment_cap: Money,
    /// Mayor's coordination reserve bounds, as shares of available general revenue.
    pub reserve_min_share: Decimal,
    pub reserve_max_share: Decimal,
    /// Priority weight of one yen kept in the reserve (programs are weighted by the review).
    pub reserve_weight: Decimal,
    /// 次世代投資枠: the cost (事業費) allocated to programs flagged next-generation must reach this.
    /// The seed (002) sizes the frame in 新規・拡充事業 cost, funded from what the reform frees.
    pub next_generation_target: Money,
    /// Default envelope floor and ceiling, as ratios of a bureau's base.
    pub envelope_floor_ratio: Decimal,
    pub envelope_ceiling_ratio: Decimal,
    /// メリットシステム: share of a bureau's own savings it keeps.
    pub retention_share: Decimal,
    /// メリットシステム: the most a bureau keeps from one program's savings.
    pub retention_cap_per_program: Option<Money>,
    /// メリットシステム: the most a bureau keeps in all (a bureau's own `retention_cap` wins).
    pub retention_cap_per_department: Option<Money>,
    /// 配分方式: how the envelopes are decided (`style`, `[policy.ceiling]`, `balanced_band`).
    pub style: Style,
    pub ceiling: CeilingRatios,
    /// `balanced`: how far below the city-wide relative change a bureau may fall (default 0.02 = 2pt).
    pub balanced_band: Decimal,
    /// 削減上限: the most any bureau's envelope may fall below its base (the prior-year budget's
    /// general revenue), as a share; a bureau's own `max_cut_share` overrides it.
    pub max_cut_share: Option<Decimal>,
    /// 配分方針スクリプト (`[policy] script`): sets envelopes, ceiling ratios and cut limits from
    /// the city's figures before the style applies (see `crate::allocate::style::policy_script`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<PathBuf>,
    /// 削減上限 by kind of expense (`[policy.max_cut_share_by_kind]`): the most any program of the
    /// kind may fall below its prior-year budget, as a share; a program's own `max_cut_share` wins.
    #[serde(skip_serializing_if = "CeilingRatios::is_empty")]
    pub max_cut_share_by_kind: CeilingRatios,
}

/// A bureau (局・区・室) that receives an envelope.
#[derive(Debug, Clone, Serialize)]
pub struct Department {
    pub id: String,
    pub name: String,
    /// Envelope bounds in yen, from the bureau's own entry or the policy's default ratios × base.
    pub floor: Option<Money>,
    pub ceiling: Option<Money>,
    pub floor_ratio: Decimal,
    pub ceiling_ratio: Decimal,
    pub retention_share: Decimal,
    /// The most the bureau keeps of its savings in all (its own or the policy's cap).
    pub retention_cap: Option<Money>,
    /// The bureau's own budgeting policy script, if it has one.
    pub policy_script: Option<PathBuf>,
    /// 削減上限 of its envelope against its base (overrides the policy's `max_cut_share`).
    pub max_cut_share: Option<Decimal>,
    #[serde(skip)]
    pub location: Option<Location>,
}

/// 事業クラスター: a group of related programs analysed together.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub id: String,
    pub name: String,
    pub group: String,
    pub reform_type: String,
}

/// 事務事業: one budget program.
#[derive(Debug, Clone, Serialize)]
pub struct Program {
    pub id: String,
    pub name: String,
    pub department: String,
    pub cluster: Option<String>,
    pub kind: ProgramKind,
    /// 前年度予算額.
    pub prior_cost: Money,
    /// 要求額.
    pub requested: Money,
    /// 国庫・県支出金 as a share of cost.
    pub subsidy_ratio: Decimal,
    /// 使用料・手数料 at the requested level.
    pub fees: Money,
    /// 起債充当率: share of cost financed by bonds.
    pub bondable_share: Decimal,
    pub strategy: Option<Strategy>,
    /// Its cost (事業費) counts toward the 次世代投資枠.
    pub next_generation: bool,
    /// A new initiative funded in full or not at all.
    pub all_or_nothing: bool,
    pub attributes: Attributes,
    pub kpi: Option<Kpi>,
    /// 性質別 (人件費, 扶助費 …): a view for reports; `None` when the inventory does not say.
    pub nature: Option<Nature>,
    /// 削減上限 of the program against its prior-year budget (overrides the policy's by kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_cut_share: Option<Decimal>,
    #[serde(skip)]
    pub location: Option<Location>,
}

impl Program {
    /// Specific revenue (特定財源) as a share of cost: subsidies, fees and bonds.
    pub fn specific_share(&self) -> Decimal {
        self.subsidy_ratio + self.fee_ratio() + self.bondable_share
    }

    /// Fees as a share of the requested cost (fees scale with the program).
    pub fn fee_ratio(&self) -> Decimal {
        if self.requested.is_zero() { Decimal::ZERO } else { self.fees.as_decimal() / self.requested.as_decimal() }
    }

    /// The funding of a program at cost `amount`, each part in whole yen; general revenue is the remainder.
    pub fn funding(&self, amount: Money) -> Funding {
        let subsidy = amount.mul_ratio(self.subsidy_ratio);
        let fees = if amount == self.requested { self.fees } else { amount.mul_ratio(self.fee_ratio()) };
        let bonds = amount.mul_ratio(self.bondable_share);
        Funding { subsidy, fees, bonds, general_revenue: amount - subsidy - fees - bonds }
    }

    /// General revenue (一般財源) needed at cost `amount`.
    pub fn general_revenue(&self, amount: Money) -> Money {
        self.funding(amount).general_revenue
    }
}

/// How a program's cost is paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Funding {
    pub subsidy: Money,
    pub fees: Money,
    pub bonds: Money,
    pub general_revenue: Money,
}

/// 経費区分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramKind {
    /// 義務的経費: personnel, social assistance, debt service. Fixed at the request.
    Mandatory,
    /// 裁量的経費.
    Discretionary,
    /// 投資的経費.
    Investment,
    /// 新規事業.
    New,
}

impl ProgramKind {
    pub const ALL: [ProgramKind; 4] =
        [ProgramKind::Mandatory, ProgramKind::Discretionary, ProgramKind::Investment, ProgramKind::New];

    pub fn id(self) -> &'static str {
        match self {
            ProgramKind::Mandatory => "mandatory",
            ProgramKind::Discretionary => "discretionary",
            ProgramKind::Investment => "investment",
            ProgramKind::New => "new",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProgramKind::Mandatory => "義務的",
            ProgramKind::Discretionary => "裁量的",
            ProgramKind::Investment => "投資的",
            ProgramKind::New => "新規",
        }
    }

    /// Reads `mandatory` or `義務的` (and the other kinds likewise).
    pub fn parse(s: &str) -> Option<ProgramKind> {
        let s = s.trim();
        let label = s.strip_suffix("経費").unwrap_or(s);
        ProgramKind::ALL.into_iter().find(|k| k.id() == s || k.label() == label)
    }
}

impl fmt::Display for ProgramKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// 重点戦略 of the city's vision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// 稼げるまち.
    Earning,
    /// ハイクオリティ.
    HighQuality,
    /// 安全・安心.
    Safety,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::Earning, Strategy::HighQuality, Strategy::Safety];

    pub fn id(self) -> &'static str {
        match self {
            Strategy::Earning => "earning",
            Strategy::HighQuality => "high_quality",
            Strategy::Safety => "safety",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Strategy::Earning => "稼げるまち",
            Strategy::HighQuality => "ハイクオリティ",
            Strategy::Safety => "安全・安心",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        let s = s.trim();
        Strategy::ALL.into_iter().find(|k| k.id() == s || k.label() == s)
    }
}

/// What the viewpoint rules read about a program, beyond its money.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attributes {
    /// Relative change in demand over recent years (−0.3 = demand fell 30%). 視点1.
    pub demand_trend: Option<Decimal>,
    /// Citizen need / satisfaction, 0..1. 視点1.
    pub satisfaction: Option<Decimal>,
    /// Another program with the same purpose. 視点3.
    pub overlap_with: Option<String>,
    /// Service level against the national standard or other cities' average (1.0 = same). 視点4.
    pub service_level: Option<Decimal>,
    /// Share of procedures done online, 0..1. 視点5.
    pub digital_share: Option<Decimal>,
    /// How far private providers could deliver it, 0..1. 視点6.
    pub private_capacity: Option<Decimal>,
    /// Already outsourced or delegated. 視点6.
    pub outsourced: bool,
    /// Savings that are not the bureau's own doing (bid-price differences etc.).
    pub natural_savings: Money,
}

/// A key performance indicator with its baseline, target and latest actual.
#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub indicator: String,
    pub baseline: Decimal,
    pub target: Decimal,
    pub actual: Decimal,
    /// Which way the indicator is better (成果指標の方向); the target lies that way from the baseline.
    pub direction: KpiDirection,
}

/// Which way a KPI is better: 高いほどよい (a share of satisfied citizens) or 低いほどよい (自殺者数,
/// waiting time). The loader checks that the target lies on the better side of the baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiDirection {
    #[default]
    Higher,
    Lower,
}

impl KpiDirection {
    /// `higher` or `lower`, as scripts and inventories write it.
    pub fn id(self) -> &'static str {
        match self {
            KpiDirection::Higher => "higher",
            KpiDirection::Lower => "lower",
        }
    }

    /// 高いほどよい or 低いほどよい.
    pub fn label(self) -> &'static str {
        match self {
            KpiDirection::Higher => "高いほどよい",
            KpiDirection::Lower => "低いほどよい",
        }
    }

    /// Reads `higher` / `lower` (any case), `高いほどよい` / `低いほどよい`, `高い方が良い` / `低い方が良い`,
    /// `高い` / `低い` or `高` / `低`.
    pub fn parse(s: &str) -> Option<KpiDirection> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("higher")
            || matches!(s, "高いほどよい" | "高い方が良い" | "高いほど良い" | "高い" | "高")
        {
            Some(KpiDirection::Higher)
        } else if s.eq_ignore_ascii_case("lower")
            || matches!(s, "低いほどよい" | "低い方が良い" | "低いほど良い" | "低い" | "低")
        {
            Some(KpiDirection::Lower)
        } else {
            None
        }
    }

    /// +1 for higher-is-better, −1 for lower-is-better.
    pub fn sign(self) -> Decimal {
        match self {
            KpiDirection::Higher => Decimal::ONE,
            KpiDirection::Lower => Decimal::NEGATIVE_ONE,
        }
    }
}

impl Kpi {
    /// Progress from the baseline towards the target in the indicator's better direction: 0 at the
    /// baseline, 1 at the target, negative when the actual moved the worse way (a lower-is-better
    /// count that rose), above 1 past the target. `None` when the target equals the baseline.
    pub fn achievement(&self) -> Option<Decimal> {
        // (actual − baseline) / (target − baseline): the direction's sign cancels, and the loader
        // has checked that the target lies on the better side (see `target_agrees`).
        let span = self.target.checked_sub(self.baseline)?;
        if span.is_zero() { None } else { self.actual.checked_sub(self.baseline)?.checked_div(span) }
    }

    /// Whether the target lies on the better side of the baseline (or on it).
    pub fn target_agrees(&self) -> bool {
        self.target.checked_sub(self.baseline).is_none_or(|d| d * self.direction.sign() >= Decimal::ZERO)
    }
}

impl Scenario {
    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    pub fn program(&self, id: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.id == id)
    }

    /// A bureau's base: the general revenue its programs needed at last year's cost.
    pub fn department_base(&self, id: &str) -> Money {
        self.programs.iter().filter(|p| p.department == id).map(|p| p.general_revenue(p.prior_cost)).sum()
    }

    /// Total requested cost of all programs.
    pub fn total_requested(&self) -> Money {
        self.programs.iter().map(|p| p.requested).sum()
    }

    /// General revenue the requests need.
    pub fn requested_general_revenue(&self) -> Money {
        self.programs.iter().map(|p| p.general_revenue(p.requested)).sum()
    }
}
