//! The budget cycle's stage files (予算編成の各段階): `[stage]`, `[[decisions]]` (査定 with a
//! disposition and a reason), `[[restorations]]` (復活要求) and the configurable `[[dispositions]]`.
//!
//! A stage is an overlay scenario that `extends` the stage before it (要求 → 財政課査定 → 市長査定 →
//! 内示 → 復活要求 → 確定). Unlike the rest of an overlay, a stage's decisions are not merged away:
//! every file of the `extends` chain keeps its own, in order, so a program's 査定 history (each
//! stage's amount, disposition, reason and author) can be read back ([`Cycle`]). The last decision
//! on a program is the one that holds. How a stage runs is [`crate::cycle`]'s.
//!
//! Room is left for issue 18: a stage will name the proposals (市長特定事業) it chooses in `[stage]`
//! (e.g. `proposals = ["P01", …]`); nothing here reads that key yet.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::Program;
use crate::diagnostic::Location;
use crate::money::{Money, Unit};

mod file;
mod validate;

pub(crate) use file::Layer;
pub use file::{DecisionFile, DispositionFile, RestorationFile, RestorationsFile, StageFile};
pub use validate::is_date;
pub(crate) use validate::{Context, validate};

/// The steps of the budget cycle, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// 要求: the bureaus' requests.
    Request,
    /// 財政課査定: the finance division's assessment.
    Finance,
    /// 市長査定: the mayor settles what is left and spends the coordination reserve.
    Mayor,
    /// 内示: the draft shown to the bureaus.
    Draft,
    /// 復活要求: the bureaus' restoration requests, answered.
    Restoration,
    /// 確定: the budget as fixed.
    Final,
}

impl StageKind {
    pub const ALL: [StageKind; 6] = [
        StageKind::Request,
        StageKind::Finance,
        StageKind::Mayor,
        StageKind::Draft,
        StageKind::Restoration,
        StageKind::Final,
    ];

    pub fn id(self) -> &'static str {
        match self {
            StageKind::Request => "request",
            StageKind::Finance => "finance",
            StageKind::Mayor => "mayor",
            StageKind::Draft => "draft",
            StageKind::Restoration => "restoration",
            StageKind::Final => "final",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StageKind::Request => "要求",
            StageKind::Finance => "財政課査定",
            StageKind::Mayor => "市長査定",
            StageKind::Draft => "内示",
            StageKind::Restoration => "復活要求",
            StageKind::Final => "確定",
        }
    }

    pub fn parse(s: &str) -> Option<StageKind> {
        let s = s.trim();
        StageKind::ALL.into_iter().find(|k| k.id() == s || k.label() == s)
    }

    /// From the 市長査定 on, a program without a decision of the stage keeps the amount of the stage
    /// before: 財政課査定 has settled the draft, and what the mayor's decisions or a restoration add
    /// is paid from the reserve (市長調整枠), not by cutting programs nobody decided on.
    pub fn settled(self) -> bool {
        self >= StageKind::Mayor
    }
}

/// What a disposition says of the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The amount is the request (①要求通り).
    Request,
    /// More than nothing and less than the request (②精査のうえ計上).
    Reduced,
    /// At most last year's budget (③経常経費の範囲内で対応).
    WithinPrior,
    /// Nothing (④未計上).
    None,
    /// Left to a later stage, which must decide the program again (⑤市長査定で対応を検討).
    Deferred,
    /// No condition on the amount.
    Any,
}

impl Rule {
    pub const ALL: [Rule; 6] = [Rule::Request, Rule::Reduced, Rule::WithinPrior, Rule::None, Rule::Deferred, Rule::Any];

    pub fn id(self) -> &'static str {
        match self {
            Rule::Request => "request",
            Rule::Reduced => "reduced",
            Rule::WithinPrior => "within_prior",
            Rule::None => "none",
            Rule::Deferred => "deferred",
            Rule::Any => "any",
        }
    }

    /// The condition in a budget office's words.
    pub fn words(self) -> &'static str {
        match self {
            Rule::Request => "要求額どおり",
            Rule::Reduced => "要求額未満（0円を除く）",
            Rule::WithinPrior => "前年度予算額以内",
            Rule::None => "0円",
            Rule::Deferred => "後の段階で改めて決定",
            Rule::Any => "額の条件なし",
        }
    }

    /// The amounts the rule allows for `p`, in steps of `unit` (`None`: any amount).
    pub fn range(self, p: &Program, unit: Money) -> Option<(Money, Money)> {
        match self {
            Rule::Request => Some((p.requested, p.requested)),
            Rule::Reduced => Some((unit.min(p.requested), (p.requested - unit).max(Money::ZERO))),
            Rule::WithinPrior => Some((Money::ZERO, p.prior_cost.min(p.requested))),
            Rule::None => Some((Money::ZERO, Money::ZERO)),
            Rule::Deferred | Rule::Any => None,
        }
    }

    /// Whether `amount` is what the rule says for `p`.
    pub fn holds(self, p: &Program, amount: Money) -> bool {
        match self {
            Rule::Request => amount == p.requested,
            Rule::Reduced => amount > Money::ZERO && amount < p.requested,
            Rule::WithinPrior => amount <= p.prior_cost,
            Rule::None => amount.is_zero(),
            Rule::Deferred | Rule::Any => true,
        }
    }
}

/// One disposition code (査定の区分).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disposition {
    pub code: String,
    pub label: String,
    pub rule: Rule,
}

impl Disposition {
    /// `①要求通り`.
    pub fn name(&self) -> String {
        format!("{}{}", self.code, self.label)
    }
}

/// Nagoya's five codes (財政局査定の区分), the default.
pub fn nagoya_dispositions() -> Vec<Disposition> {
    [
        ("①", "要求通り", Rule::Request),
        ("②", "精査のうえ計上", Rule::Reduced),
        ("③", "経常経費の範囲内で対応", Rule::WithinPrior),
        ("④", "未計上", Rule::None),
        ("⑤", "市長査定で対応を検討", Rule::Deferred),
    ]
    .into_iter()
    .map(|(c, l, r)| Disposition { code: c.into(), label: l.into(), rule: r })
    .collect()
}

/// One stage file of the chain.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub name: String,
    pub kind: StageKind,
    pub date: Option<String>,
    pub author: Option<String>,
    /// The file, as the user named it.
    pub file: String,
    #[serde(skip)]
    pub path: Option<PathBuf>,
    #[serde(skip)]
    pub location: Option<Location>,
}

/// One 査定 decision, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The program's id.
    pub program: String,
    /// The stage (index into [`Cycle::stages`]) whose file holds it.
    pub stage: usize,
    pub amount: Option<Money>,
    pub min: Option<Money>,
    pub max: Option<Money>,
    /// Index into [`Cycle::dispositions`].
    pub disposition: usize,
    pub reason: String,
    /// The decision's author, else the stage's.
    pub author: Option<String>,
    /// The decision's date, else the stage's.
    pub date: Option<String>,
    /// The override as written: its amount (or bounds), else its disposition, else the entry.
    #[serde(skip)]
    pub location: Option<Location>,
}

impl Decision {
    /// `file:line`.
    pub fn place(&self) -> String {
        self.location.as_ref().map_or_else(String::new, |l| {
            let (line, _) = l.source.line_col(l.span.start);
            format!("{}:{line}", l.source.name)
        })
    }

    /// Whether it states an amount or bounds (else its disposition alone bounds the program).
    pub fn states_amount(&self) -> bool {
        self.amount.is_some() || self.min.is_some() || self.max.is_some()
    }
}

/// One 復活要求, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Restoration {
    pub program: String,
    /// The stage whose file (or files) holds it.
    pub stage: usize,
    /// The amount asked for, in all.
    pub amount: Money,
    pub reason: String,
    pub author: Option<String>,
    pub date: Option<String>,
    #[serde(skip)]
    pub location: Option<Location>,
}

/// The stages of a scenario's `extends` chain, oldest first, with every decision and restoration
/// request they hold.
#[derive(Debug, Clone, Serialize)]
pub struct Cycle {
    pub stages: Vec<Stage>,
    pub dispositions: Vec<Disposition>,
    /// In chain order (stage, then file order); the last on a program holds.
    pub decisions: Vec<Decision>,
    pub restorations: Vec<Restoration>,
    /// The rounding unit as money (at least 1円): ② means at least one unit less than the request.
    #[serde(skip)]
    pub unit: Money,
    /// The unit the scenario shows money in.
    #[serde(skip)]
    pub display_unit: Unit,
}

impl Cycle {
    /// The stage the scenario is (the last stage file of its chain).
    pub fn stage(&self) -> &Stage {
        &self.stages[self.stages.len() - 1]
    }

    /// Index of the current stage.
    pub fn current(&self) -> usize {
        self.stages.len() - 1
    }

    /// The stage before the current one, if any.
    pub fn previous(&self) -> Option<&Stage> {
        self.stages.len().checked_sub(2).map(|i| &self.stages[i])
    }

    /// The decision that holds for each program (the last one), by program id: index into
    /// [`Cycle::decisions`].
    pub fn effective(&self) -> BTreeMap<&str, usize> {
        self.decisions.iter().enumerate().map(|(i, d)| (d.program.as_str(), i)).collect()
    }

    /// The disposition of a program without a decision, from its amount: the request, nothing, or
    /// something in between.
    pub fn derived(&self, p: &Program, amount: Money) -> usize {
        let find = |rule: Rule| self.dispositions.iter().position(|d| d.rule == rule).unwrap_or(0);
        if amount >= p.requested {
            find(Rule::Request)
        } else if amount.is_zero() {
            find(Rule::None)
        } else {
            find(Rule::Reduced)
        }
    }

    /// The disposition whose code, label or both (`②`, `精査のうえ計上`, `② 精査のうえ計上`) `written` is.
    pub fn disposition(&self, written: &str) -> Option<usize> {
        find_disposition(&self.dispositions, written)
    }

    /// The decisions' and requests' author: its own, else its stage's.
    pub fn author_of<'a>(&'a self, d: &'a Decision) -> Option<&'a str> {
        d.author.as_deref().or(self.stages[d.stage].author.as_deref())
    }

    /// A decision's date: its own, else its stage's.
    pub fn date_of<'a>(&'a self, d: &'a Decision) -> Option<&'a str> {
        d.date.as_deref().or(self.stages[d.stage].date.as_deref())
    }
}

fn find_disposition(list: &[Disposition], written: &str) -> Option<usize> {
    let w: String = written.chars().filter(|c| !c.is_whitespace()).collect();
    list.iter().position(|d| w == d.code || w == d.label || w == d.name())
}
