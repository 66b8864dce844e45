//! What a review decides about a program: the [`Action`] (今後の方向性), each viewpoint's
//! [`Finding`] and the policy's [`Assessment`]. A leaf of the crate: the rules that produce them
//! ([`crate::rules`]), the review that runs the rules ([`crate::review`]) and everything above read
//! these types, which depend on nothing but money.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::money::Money;

/// 今後の方向性: what the review recommends for a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Action {
    #[serde(rename = "拡充")]
    Expand,
    #[serde(rename = "継続")]
    Continue,
    #[serde(rename = "改善")]
    Improve,
    #[serde(rename = "縮小")]
    Reduce,
    #[serde(rename = "統合")]
    Merge,
    #[serde(rename = "民間委託")]
    Outsource,
    #[serde(rename = "廃止")]
    Abolish,
    #[serde(rename = "完了")]
    Complete,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Expand,
        Action::Continue,
        Action::Improve,
        Action::Reduce,
        Action::Merge,
        Action::Outsource,
        Action::Abolish,
        Action::Complete,
    ];

    /// The Japanese label, as scripts and reports write it.
    pub fn label(self) -> &'static str {
        match self {
            Action::Expand => "拡充",
            Action::Continue => "継続",
            Action::Improve => "改善",
            Action::Reduce => "縮小",
            Action::Merge => "統合",
            Action::Outsource => "民間委託",
            Action::Abolish => "廃止",
            Action::Complete => "完了",
        }
    }

    /// The English id (`expand`, `continue`, …).
    pub fn id(self) -> &'static str {
        match self {
            Action::Expand => "expand",
            Action::Continue => "continue",
            Action::Improve => "improve",
            Action::Reduce => "reduce",
            Action::Merge => "merge",
            Action::Outsource => "outsource",
            Action::Abolish => "abolish",
            Action::Complete => "complete",
        }
    }

    /// Reads a Japanese label or an English id.
    pub fn parse(s: &str) -> Option<Action> {
        let s = s.trim();
        Action::ALL.into_iter().find(|a| a.label() == s || a.id() == s || (s == "休止・廃止" && *a == Action::Abolish))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What one viewpoint rule decided about one program.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The viewpoint's id from the ruleset manifest (e.g. `needs`). Shared, like `reason`, by
    /// every program given the same finding (a city of 100,000 programs has a few thousand).
    pub viewpoint: Arc<str>,
    /// Higher is better; the ruleset documents the scale.
    pub score: Decimal,
    pub action: Action,
    pub reason: Arc<str>,
    /// Optional bounds on the program's cost, as ratios of its prior cost (or request for new programs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ratio: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ratio: Option<Decimal>,
}

/// The policy's verdict on a program: what to do, within which bounds, at what priority.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub action: Action,
    /// Priority weight of one yen of this program in the allocation objective.
    pub priority: Decimal,
    /// The allocation must lie within `min..=max` (whole yen).
    pub min: Money,
    pub max: Money,
    pub reason: String,
}
