//! The TOML schema of a stage file: `[stage]`, `[[decisions]]`, `[[restorations]]` and
//! `[[dispositions]]` as written, each file's kept apart in a `Layer`.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Source;
use crate::money::Money;
use crate::scenario::located::Located;

/// `[stage]`: which step of the budget cycle a file is.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageFile {
    /// The stage's name as the office says it, e.g. "財政課査定（一次）".
    pub name: Option<Located<String>>,
    /// 要求 | 財政課査定 | 市長査定 | 内示 | 復活要求 | 確定 (or request | finance | mayor | draft |
    /// restoration | final). Stages of a chain never go backwards.
    pub kind: Option<Located<String>>,
    /// When the stage was settled, `2026-01-20` (a TOML date or a string).
    #[schemars(with = "Option<String>")]
    pub date: Option<Located<toml::Value>>,
    /// Who settled it (the default author of its decisions), e.g. "財政局財政課".
    pub author: Option<Located<String>>,
    /// Files of 復活要求 (one per bureau, each with `[[restorations]]`), relative to this file.
    pub restorations: Option<Vec<Located<String>>>,
}

/// `[[decisions]]`: one 査定 decision on one program.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionFile {
    /// The program, by its id or its name.
    pub program: Option<Located<String>>,
    /// The amount (事業費) decided, e.g. "1.2億円".
    pub amount: Option<Located<Money>>,
    /// Or bounds the allocation keeps within (either or both).
    pub min: Option<Located<Money>>,
    pub max: Option<Located<Money>>,
    /// The disposition, by its code or label: "①", "要求通り", "②精査のうえ計上" ….
    pub disposition: Option<Located<String>>,
    /// Why (required): the sentence that goes on the 査定調書.
    pub reason: Option<Located<String>>,
    /// Who decided (default: the stage's `author`).
    pub author: Option<Located<String>>,
    /// When, `2026-01-15` (default: the stage's `date`).
    #[schemars(with = "Option<String>")]
    pub date: Option<Located<toml::Value>>,
}

/// `[[restorations]]`: a bureau's 復活要求 against the 内示.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestorationFile {
    /// The program, by its id or its name.
    pub program: Option<Located<String>>,
    /// The amount (事業費) the bureau asks for, in all (not the increase), at most its request.
    pub amount: Option<Located<Money>>,
    /// The bureau's reason (required).
    pub reason: Option<Located<String>>,
    /// Who asks, e.g. "子ども家庭局総務企画課".
    pub author: Option<Located<String>>,
    #[schemars(with = "Option<String>")]
    pub date: Option<Located<toml::Value>>,
}

/// A bureau's file of 復活要求, named by `[stage] restorations`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestorationsFile {
    pub restorations: Option<Vec<Located<RestorationFile>>>,
}

/// `[[dispositions]]`: the codes a stage's decisions use (default: Nagoya's five).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionFile {
    /// e.g. "①".
    pub code: Option<Located<String>>,
    /// e.g. "要求通り".
    pub label: Option<Located<String>>,
    /// What the amount must be: request | reduced | within_prior | none | deferred | any.
    pub rule: Option<Located<String>>,
}

/// One file's stage, decisions and restoration requests, kept apart from the other files'.
#[derive(Debug, Default)]
pub(crate) struct Layer {
    pub stage: Option<Located<StageFile>>,
    pub decisions: Vec<Located<DecisionFile>>,
    pub restorations: Vec<Located<RestorationFile>>,
}

impl Layer {
    /// The file the layer was written in.
    pub(super) fn source(&self) -> Option<Arc<Source>> {
        let loc = self.stage.as_ref().and_then(|s| s.location.clone());
        let loc = loc.or_else(|| self.decisions.first().and_then(|d| d.location.clone()));
        let loc = loc.or_else(|| self.restorations.first().and_then(|r| r.location.clone()));
        loc.map(|l| Arc::clone(&l.source))
    }
}
