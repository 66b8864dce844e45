//! The vocabulary of limits: what kind each named constraint is, its Japanese and English
//! labels, and the sentence that puts its shadow price in money — each defined once here and used
//! by the memo, the HTML report, the spreadsheets, the terminal and `waku explain`.
//!
//! A constraint keeps its machine `name` (`envelope_floor.kodomo_katei`, `reserve_min`,
//! `fund_floor.2025`): it is what the LP file, `waku explain` and other tools read. Reports never
//! take the name apart; they read the [`ConstraintKind`].

use rust_decimal::Decimal;
use serde::Serialize;

use crate::money::{Money, Unit};
use crate::number::share as share_text;

/// Direction of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// `expression ≤ limit`: a cap.
    Le,
    /// `expression ≥ limit`: a floor.
    Ge,
    /// `expression = limit`: an identity.
    Eq,
}

impl Sense {
    /// `<=`, `>=` or `=` (as in JSON and the LP file).
    pub fn symbol(self) -> &'static str {
        match self {
            Sense::Le => "<=",
            Sense::Ge => ">=",
            Sense::Eq => "=",
        }
    }

    /// `≤`, `≥` or `=` (as a reader writes it).
    pub fn math(self) -> &'static str {
        match self {
            Sense::Le => "≤",
            Sense::Ge => "≥",
            Sense::Eq => "=",
        }
    }
}

impl std::fmt::Display for Sense {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

impl Serialize for Sense {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

/// What a named constraint limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    /// Sources = uses: Σ general revenue of programs + reserve = general revenue + drawdown − deposit.
    Balance,
    /// A bureau's envelope floor (`department` is its id, `bureau` its name).
    EnvelopeFloor { department: String, bureau: String },
    /// A bureau's envelope ceiling.
    EnvelopeCeiling { department: String, bureau: String },
    /// The mayor's reserve at least `share` of available general revenue.
    ReserveMin { share: Decimal },
    /// The mayor's reserve at most `share` of available general revenue.
    ReserveMax { share: Decimal },
    /// 投資的経費 at most the cap.
    InvestmentCap,
    /// 市債 issuance at most the cap.
    IssuanceCap,
    /// 財源調整用基金: drawdown at most the allowed drawdown.
    FundDrawdown,
    /// 財源調整用基金: drawdown at most what keeps the balance above its floor (the floor is the
    /// tighter of the two; the constraint keeps the name `fund_drawdown`).
    FundFloor,
    /// 次世代投資枠: cost of next-generation programs at least the target.
    NextGeneration,
    /// A plan: the fund at the end of `year` at least that year's floor.
    PlanFundFloor { year: i32 },
    /// A plan: the bond balance does not rise in `year`.
    BondNotRising { year: i32 },
    /// A plan: investment in `year` at most the plan's escalated cap.
    PlanInvestmentCap { year: i32 },
    /// A plan: next-generation cost over the whole plan at least its target.
    PlanNextGeneration,
    /// 実質公債費比率 (3-year mean) of `year` under the early-soundness threshold and the city's limit.
    RealDebtService { year: i32 },
    /// 将来負担比率 of `year` under the early-soundness threshold and the city's limit.
    FutureBurden { year: i32 },
}

impl ConstraintKind {
    /// In English (the `label` of the JSON output).
    pub fn label(&self) -> String {
        match self {
            ConstraintKind::Balance => "general revenue (sources = uses)".into(),
            ConstraintKind::EnvelopeFloor { bureau, .. } => format!("envelope floor of {bureau}"),
            ConstraintKind::EnvelopeCeiling { bureau, .. } => format!("envelope ceiling of {bureau}"),
            ConstraintKind::ReserveMin { share } => format!("reserve minimum ({} of available)", share_text(*share)),
            ConstraintKind::ReserveMax { share } => format!("reserve maximum ({} of available)", share_text(*share)),
            ConstraintKind::InvestmentCap => "investment cap".into(),
            ConstraintKind::IssuanceCap => "bond issuance cap".into(),
            ConstraintKind::FundDrawdown => "fund drawdown limit".into(),
            ConstraintKind::FundFloor => "fund floor".into(),
            ConstraintKind::NextGeneration => "next-generation frame".into(),
            ConstraintKind::PlanFundFloor { year } => format!("FY{year} fund at year end ≥ floor"),
            ConstraintKind::BondNotRising { year } => format!("FY{year} bond balance not rising"),
            ConstraintKind::PlanInvestmentCap { year } => format!("FY{year} investment ≤ escalated cap"),
            ConstraintKind::PlanNextGeneration => "next-generation frame over the plan".into(),
            ConstraintKind::RealDebtService { year } => {
                format!("FY{year} real debt-service ratio (3-year mean) under its limit")
            }
            ConstraintKind::FutureBurden { year } => format!("FY{year} future burden ratio under its limit"),
        }
    }

    /// In a budget office's Japanese.
    pub fn label_ja(&self) -> String {
        match self {
            ConstraintKind::Balance => "一般財源の収支（歳入 = 歳出）".into(),
            ConstraintKind::EnvelopeFloor { bureau, .. } => format!("{bureau}の枠の下限"),
            ConstraintKind::EnvelopeCeiling { bureau, .. } => format!("{bureau}の枠の上限"),
            ConstraintKind::ReserveMin { share } => format!("市長調整枠の下限（配分可能額の{}）", share_text(*share)),
            ConstraintKind::ReserveMax { share } => format!("市長調整枠の上限（配分可能額の{}）", share_text(*share)),
            ConstraintKind::InvestmentCap => "投資的経費の上限".into(),
            ConstraintKind::IssuanceCap => "市債発行額の上限".into(),
            ConstraintKind::FundDrawdown => "基金取崩しの上限".into(),
            ConstraintKind::FundFloor => "基金残高の下限".into(),
            ConstraintKind::NextGeneration => "次世代投資枠の目標".into(),
            ConstraintKind::PlanFundFloor { year } => format!("FY{year} 基金残高（年度末）の下限"),
            ConstraintKind::BondNotRising { year } => format!("FY{year} 市債残高を増やさない"),
            ConstraintKind::PlanInvestmentCap { year } => format!("FY{year} 投資的経費の上限（物価上昇を反映）"),
            ConstraintKind::PlanNextGeneration => "計画期間の次世代投資枠の目標".into(),
            ConstraintKind::RealDebtService { year } => format!("FY{year} 実質公債費比率（3か年平均）の上限"),
            ConstraintKind::FutureBurden { year } => format!("FY{year} 将来負担比率の上限"),
        }
    }

    /// The bureau an envelope limit belongs to (its id).
    pub fn department(&self) -> Option<&str> {
        match self {
            ConstraintKind::EnvelopeFloor { department, .. } | ConstraintKind::EnvelopeCeiling { department, .. } => {
                Some(department)
            }
            _ => None,
        }
    }
}

/// A named constraint at the optimum: the `constraints` of `waku run --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ConstraintReport {
    /// Machine name, as in the LP file and `waku explain`.
    pub name: String,
    /// In words ([`ConstraintKind::label`]).
    pub label: String,
    /// `<=`, `>=` or `=`.
    pub sense: Sense,
    pub limit: Money,
    pub value: Money,
    /// How far the value is from the limit (≥ 0).
    pub slack: Money,
    pub binding: bool,
    /// d(objective)/d(limit): priority-weighted value of one more yen of the limit. `null` when
    /// the solver gave no duals.
    pub shadow_price: Option<f64>,
    /// What it limits (not in the JSON: `name` says it there).
    #[serde(skip)]
    pub kind: ConstraintKind,
    /// What moving the limit one [`price_step`] the way that loosens it changes, by a re-solve
    /// (binding limits with a non-zero price; not in the JSON).
    #[serde(skip)]
    pub effect: Option<Effect>,
}

/// What loosening a binding limit by one [`price_step`] changes, computed by solving again with the
/// limit moved (never extrapolated from the price).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effect {
    /// How far the limit was moved: positive when raised, negative when lowered.
    pub step: Money,
    /// The programs whose cost (事業費) changes, largest change first.
    pub programs: Vec<ProgramChange>,
    /// Change of the mayor's coordination reserve.
    pub reserve: Money,
    /// Change of the fund drawdown.
    pub drawdown: Money,
    /// Change of the deposit into the fund.
    pub deposit: Money,
}

/// One program's change of cost in an [`Effect`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramChange {
    pub id: String,
    pub name: String,
    pub change: Money,
}

impl Effect {
    /// The change of program `id`'s cost (zero when it does not move).
    pub fn program(&self, id: &str) -> Money {
        self.programs.iter().find(|p| p.id == id).map_or(Money::ZERO, |p| p.change)
    }

    /// "programs +1.00億円 (K0407 下水道事業会計負担金（雨水処理） and 2 more), reserve −0.01億円,
    /// fund drawdown −1.01億円": what changes, in English (empty when nothing does).
    pub fn words_en(&self, unit: Unit) -> String {
        let mut parts = Vec::new();
        for up in [true, false] {
            let list: Vec<&ProgramChange> = self
                .programs
                .iter()
                .filter(|p| if up { p.change > Money::ZERO } else { p.change < Money::ZERO })
                .collect();
            if let Some(first) = list.first() {
                let total: Money = list.iter().map(|p| p.change).sum();
                let more = if list.len() > 1 { format!(" and {} more", list.len() - 1) } else { String::new() };
                parts.push(format!(
                    "program cost {} ({} {}{more})",
                    total.format_change(unit, crate::money::Sign::Minus) + unit.suffix(),
                    first.id,
                    first.name
                ));
            }
        }
        for (amount, what) in
            [(self.reserve, "reserve"), (self.drawdown, "fund drawdown"), (self.deposit, "fund deposit")]
        {
            if !amount.is_zero() {
                parts.push(format!(
                    "{what} {}{}",
                    amount.format_change(unit, crate::money::Sign::Minus),
                    unit.suffix()
                ));
            }
        }
        parts.join(", ")
    }

    /// 「K0407 下水道事業会計負担金（雨水処理）ほか2事業の事業費が計1.00億円増え、市長調整枠が1.00億円減ります」: what changes, in a budget
    /// office's words (empty when nothing does).
    pub fn words_ja(&self, unit: Unit) -> String {
        let mut parts: Vec<(String, &str, &str)> = Vec::new();
        let named = |list: &[&ProgramChange]| {
            let first = list.first().map_or_else(String::new, |p| format!("{} {}", p.id, p.name));
            if list.len() > 1 { format!("{first}ほか{}事業", list.len() - 1) } else { first }
        };
        let up: Vec<&ProgramChange> = self.programs.iter().filter(|p| p.change > Money::ZERO).collect();
        let down: Vec<&ProgramChange> = self.programs.iter().filter(|p| p.change < Money::ZERO).collect();
        for (list, stem, end) in [(&up, "増え", "増えます"), (&down, "減り", "減ります")] {
            if !list.is_empty() {
                let total: Money = list.iter().map(|p| p.change.abs()).sum();
                let sum = if list.len() > 1 { "計" } else { "" };
                parts.push((format!("{}の事業費が{sum}{}", named(list), total.format(unit)), stem, end));
            }
        }
        for (amount, what) in [(self.reserve, "市長調整枠が"), (self.deposit, "基金への積立てが")] {
            if !amount.is_zero() {
                let (stem, end) =
                    if amount > Money::ZERO { ("増え", "増えます") } else { ("減り", "減ります") };
                parts.push((format!("{what}{}", amount.abs().format(unit)), stem, end));
            }
        }
        if self.drawdown < Money::ZERO {
            parts.push((
                format!("基金の取崩しが{}", self.drawdown.abs().format(unit)),
                "少なくて済み",
                "少なくて済みます",
            ));
        } else if self.drawdown > Money::ZERO {
            parts.push((format!("基金の取崩しが{}", self.drawdown.format(unit)), "増え", "増えます"));
        }
        let n = parts.len();
        parts
            .into_iter()
            .enumerate()
            .map(|(i, (what, stem, end))| format!("{what}{}", if i + 1 == n { end } else { stem }))
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// The step a shadow price is quoted for: 1億円 in 億円/百万円 displays, else 1百万円.
pub fn price_step(unit: Unit) -> Money {
    match unit {
        Unit::Oku | Unit::Cho | Unit::Hyakuman => Money::from_decimal(Unit::Oku.factor()),
        _ => Money::from_decimal(Unit::Hyakuman.factor()),
    }
}

impl ConstraintReport {
    /// What one step ([`price_step`]) of the limit is worth, in money.
    fn step_worth(&self, unit: Unit) -> Option<(Money, f64)> {
        let p = self.shadow_price?;
        let worth =
            Money::from_decimal(Decimal::from_f64_retain(p.abs() * price_step(unit).to_f64()).unwrap_or_default());
        Some((worth, p))
    }

    /// The shadow price in English: "+1億円 of investment cap would add 0.85億円 of priority-weighted funding".
    pub fn price_words(&self, unit: Unit) -> String {
        let step = price_step(unit);
        let Some((worth, p)) = self.step_worth(unit) else {
            return "no shadow price (the solver gave no duals)".into();
        };
        if !self.binding {
            return format!("not binding: {} of room left", self.slack.format(unit));
        }
        if p == 0.0 {
            return "binding, but more room would not change the optimum".into();
        }
        let (verb, direction) = match self.sense {
            Sense::Le | Sense::Eq => (if p > 0.0 { "add" } else { "cost" }, "+"),
            Sense::Ge => (if p < 0.0 { "add" } else { "cost" }, "−"),
        };
        let changes = self.effect.as_ref().map(|e| e.words_en(unit)).filter(|w| !w.is_empty());
        format!(
            "{direction}{} of {} would {verb} {} of priority-weighted funding{}",
            step.format(unit),
            self.label,
            worth.format(unit),
            changes.map_or_else(String::new, |w| format!(" ({w})"))
        )
    }

    /// 「この限度を1.00億円下げる」「一般財源が1.00億円増える」: loosening the limit by one step.
    pub fn loosen_ja(&self, unit: Unit) -> String {
        format!("{}る", self.loosen_stem_ja(unit, false))
    }

    /// The stem of loosening the limit by one step, for 〜る, 〜れば, 〜ても: 「この限度を1.00億円下げ」,
    /// or with `named` 「市長調整枠の下限（配分可能額の1%）を1.00億円下げ」; 「一般財源が1.00億円増え」.
    pub fn loosen_stem_ja(&self, unit: Unit, named: bool) -> String {
        let step = price_step(unit).format(unit);
        let what = if named { self.kind.label_ja() } else { "この限度".to_string() };
        match (&self.kind, self.sense) {
            (ConstraintKind::Balance, _) => format!("一般財源が{step}増え"),
            (_, Sense::Ge) => format!("{what}を{step}下げ"),
            _ => format!("{what}を{step}上げ"),
        }
    }

    /// The shadow price in Japanese, for a binding limit, saying what actually changes (a
    /// program's funding, the reserve, the drawdown avoided):
    /// 「この限度を1.00億円下げると、K0407 …ほか2事業の事業費が計1.00億円増え、市長調整枠が1.00億円減ります（優先度で重み付けした価値は0.40億円増えます）。」
    pub fn price_words_ja(&self, unit: Unit) -> String {
        let Some((worth, p)) = self.step_worth(unit) else {
            return "シャドープライスはありません（ソルバーが双対値を返さないため）。".into();
        };
        let loosen = self.loosen_ja(unit);
        if p == 0.0 {
            return format!("拘束していますが、{}ても配分は変わりません。", loosen.trim_end_matches('る'));
        }
        let gains = match self.sense {
            Sense::Ge => p < 0.0,
            _ => p > 0.0,
        };
        // Below the display's last decimal, say so rather than "0.00億円増えます".
        let least = Money::from_decimal(unit.factor() / Decimal::from(10u64.pow(unit.display_decimals())));
        let value = if worth.format_number(unit).chars().all(|c| matches!(c, '0' | '.' | ',')) {
            format!("優先度で重み付けした価値の{}は{}未満", if gains { "増加" } else { "減少" }, least.format(unit))
        } else {
            format!("優先度で重み付けした価値は{}{}", worth.format(unit), if gains { "増えます" } else { "減ります" })
        };
        match self.effect.as_ref().map(|e| e.words_ja(unit)).filter(|w| !w.is_empty()) {
            Some(words) => format!("{loosen}と、{words}（{value}）。"),
            None => format!("{loosen}と、{value}。"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(kind: ConstraintKind, sense: Sense, price: f64) -> ConstraintReport {
        ConstraintReport {
            name: String::new(),
            label: kind.label(),
            sense,
            limit: Money::ZERO,
            value: Money::ZERO,
            slack: Money::ZERO,
            binding: true,
            shadow_price: Some(price),
            kind,
            effect: None,
        }
    }

    #[test]
    fn labels_name_the_bureau_and_the_share() {
        let k = ConstraintKind::EnvelopeFloor { department: "moji_ku".into(), bureau: "門司区役所".into() };
        assert_eq!(k.label(), "envelope floor of 門司区役所");
        assert_eq!(k.label_ja(), "門司区役所の枠の下限");
        assert_eq!(k.department(), Some("moji_ku"));
        let k = ConstraintKind::ReserveMin { share: Decimal::new(125, 4) };
        assert_eq!(k.label(), "reserve minimum (1.25% of available)");
        assert_eq!(k.label_ja(), "市長調整枠の下限（配分可能額の1.25%）");
    }

    #[test]
    fn a_floor_that_binds_is_worth_lowering() {
        let c = report(ConstraintKind::ReserveMin { share: Decimal::new(1, 2) }, Sense::Ge, -0.28);
        assert_eq!(
            c.price_words_ja(Unit::Oku),
            "この限度を1.00億円下げると、優先度で重み付けした価値は0.28億円増えます。"
        );
        assert_eq!(
            c.price_words(Unit::Oku),
            "−1.00億円 of reserve minimum (1% of available) would add 0.28億円 of priority-weighted funding"
        );
        let c = report(ConstraintKind::Balance, Sense::Eq, 1.11);
        assert_eq!(
            c.price_words_ja(Unit::Oku),
            "一般財源が1.00億円増えると、優先度で重み付けした価値は1.11億円増えます。"
        );
    }

    #[test]
    fn a_price_sentence_says_what_the_re_solve_changed() {
        let mut c = report(ConstraintKind::Balance, Sense::Eq, 1.4);
        c.effect = Some(Effect {
            step: Money::oku(Decimal::ONE),
            programs: vec![ProgramChange { id: "K1".into(), name: "道路".into(), change: Money::oku(Decimal::ONE) }],
            drawdown: Money::oku(Decimal::new(-5, 1)),
            ..Effect::default()
        });
        assert_eq!(
            c.price_words_ja(Unit::Oku),
            "一般財源が1.00億円増えると、K1 道路の事業費が1.00億円増え、基金の取崩しが0.50億円少なくて済みます（優先度で重み付けした価値は1.40億円増えます）。"
        );
        let c = report(ConstraintKind::FundDrawdown, Sense::Le, 0.0);
        assert_eq!(c.price_words_ja(Unit::Oku), "拘束していますが、この限度を1.00億円上げても配分は変わりません。");
    }
}
