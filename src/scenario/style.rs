//! 配分方式: how the envelopes are decided (`[policy] style`), and the settings each style reads.
//!
//! The model that applies them is `crate::allocate::style`; this module only names the choices.

use rust_decimal::Decimal;
use serde::Serialize;

use super::ProgramKind;

/// How the envelopes are decided: `[policy] style`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// 優先度配分 (the default): maximise the priority-weighted cost of what is funded.
    #[default]
    Priority,
    /// 一律シーリング: each bureau's envelope is its base by kind of expense × the kind's ratio.
    Ceiling,
    /// 均衡配分: no bureau falls more than a band below the city-wide change unless its programs' bounds force it.
    Balanced,
}

impl Style {
    pub const ALL: [Style; 3] = [Style::Priority, Style::Ceiling, Style::Balanced];

    /// `priority`, `ceiling` or `balanced`, as a scenario writes it.
    pub fn id(self) -> &'static str {
        match self {
            Style::Priority => "priority",
            Style::Ceiling => "ceiling",
            Style::Balanced => "balanced",
        }
    }

    /// The style in a budget office's words.
    pub fn label(self) -> &'static str {
        match self {
            Style::Priority => "優先度配分",
            Style::Ceiling => "一律シーリング",
            Style::Balanced => "均衡配分",
        }
    }

    /// Reads an id or a Japanese label.
    pub fn parse(s: &str) -> Option<Style> {
        let s = s.trim();
        Style::ALL.into_iter().find(|k| k.id() == s || k.label() == s)
    }
}

impl std::fmt::Display for Style {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// `[policy.ceiling]`: the ceiling ratio of each kind of expense; `None` = the largest uniform
/// ratio that fits (all the kinds left out share it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CeilingRatios {
    pub mandatory: Option<Decimal>,
    pub discretionary: Option<Decimal>,
    pub investment: Option<Decimal>,
    pub new: Option<Decimal>,
}

impl CeilingRatios {
    /// The ratio stated for `kind`.
    pub fn of(&self, kind: ProgramKind) -> Option<Decimal> {
        match kind {
            ProgramKind::Mandatory => self.mandatory,
            ProgramKind::Discretionary => self.discretionary,
            ProgramKind::Investment => self.investment,
            ProgramKind::New => self.new,
        }
    }

    /// No kind has a number.
    pub fn is_empty(&self) -> bool {
        ProgramKind::ALL.iter().all(|&k| self.of(k).is_none())
    }

    /// The ratio of `kind`, to set.
    pub fn of_mut(&mut self, kind: ProgramKind) -> &mut Option<Decimal> {
        match kind {
            ProgramKind::Mandatory => &mut self.mandatory,
            ProgramKind::Discretionary => &mut self.discretionary,
            ProgramKind::Investment => &mut self.investment,
            ProgramKind::New => &mut self.new,
        }
    }
}
