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
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::located::Located;
use super::names::{Kind, Lookup, Names};
use super::{Department, Program, ProgramKind};
use crate::diagnostic::{Diagnostic, Location, Source};
use crate::money::{Money, Unit};

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
    fn source(&self) -> Option<Arc<Source>> {
        let loc = self.stage.as_ref().and_then(|s| s.location.clone());
        let loc = loc.or_else(|| self.decisions.first().and_then(|d| d.location.clone()));
        let loc = loc.or_else(|| self.restorations.first().and_then(|r| r.location.clone()));
        loc.map(|l| Arc::clone(&l.source))
    }
}

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

/// What validation needs of the scenario.
pub(crate) struct Context<'a> {
    pub programs: &'a [Program],
    pub departments: &'a [Department],
    pub rounding_unit: Unit,
    pub display_unit: Unit,
}

/// Validates the chain's stage layers into a [`Cycle`] (`None` when no file of the chain is a
/// stage); every problem is reported, each at its place.
pub(crate) fn validate(
    layers: Vec<Layer>,
    dispositions: Option<Vec<Located<DispositionFile>>>,
    cx: &Context<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Cycle> {
    if layers.is_empty() {
        if let Some(d) = dispositions.as_ref().and_then(|d| d.first()) {
            errors.push(
                Diagnostic::error("`[[dispositions]]` belong to a budget cycle, but no file of this chain is a stage")
                    .at_opt(d.location.clone())
                    .hint("add `[stage]` (name and kind) to the stage files, or remove the dispositions"),
            );
        }
        return None;
    }
    let dispositions = match dispositions {
        Some(list) => own_dispositions(list, errors),
        None => nagoya_dispositions(),
    };
    let unit = Money::from_decimal(cx.rounding_unit.factor()).max(Money::yen(1));
    let errors_before = errors.len();
    let names = Names::new(
        cx.departments.iter().map(|d| (d.id.as_str(), d.name.as_str())),
        cx.programs.iter().map(|p| (p.id.as_str(), p.name.as_str())),
    );
    let program = |id: &str| cx.programs.iter().find(|p| p.id == id);
    let mut cycle = Cycle {
        stages: Vec::new(),
        dispositions,
        decisions: Vec::new(),
        restorations: Vec::new(),
        unit,
        display_unit: cx.display_unit,
    };
    for layer in layers {
        let source = layer.source();
        let Some(stage_file) = layer.stage else {
            let at = layer
                .decisions
                .first()
                .map(|d| d.location.clone())
                .or(layer.restorations.first().map(|r| r.location.clone()));
            let what = if layer.decisions.is_empty() { "restoration requests" } else { "decisions" };
            errors.push(
                Diagnostic::error(format!("{what} belong to a stage, but this file has no `[stage]`"))
                    .at_opt(at.flatten())
                    .hint(
                        "add `[stage]` with `name = \"財政課査定\"` and `kind = \"財政課査定\"` at the top of the file",
                    ),
            );
            continue;
        };
        let Some(stage) = stage(&stage_file, source.as_ref(), cycle.stages.last(), errors) else { continue };
        let index = cycle.stages.len();
        if stage.kind == StageKind::Request {
            if let Some(d) = layer.decisions.first() {
                errors.push(
                    Diagnostic::error("the 要求 stage holds the bureaus' requests, not decisions")
                        .at_opt(d.location.clone())
                        .hint("write decisions in the 財政課査定 stage (or a later one); change a request with `[[programs]]` `requested = …`"),
                );
            }
        }
        let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
        for entry in &layer.decisions {
            if let Some(d) = decision(entry, index, &cycle, &names, &program, errors) {
                if let Some(first) = seen.get(&d.program) {
                    errors.push(duplicate("decision", &d.program, entry.location.clone(), first.as_ref()));
                    continue;
                }
                seen.insert(d.program.clone(), entry.location.clone());
                cycle.decisions.push(d);
            }
        }
        let restorations = layer.restorations;
        if !restorations.is_empty() && !matches!(stage.kind, StageKind::Restoration | StageKind::Final) {
            errors.push(
                Diagnostic::error(format!(
                    "restoration requests (復活要求) are answered in a 復活要求 or 確定 stage, not in {}",
                    stage.kind.label()
                ))
                .at_opt(restorations[0].location.clone())
                .hint("move them to the stage after the 内示 (`kind = \"確定\"`)"),
            );
        }
        if !restorations.is_empty() && cycle.stages.is_empty() {
            errors.push(
                Diagnostic::error("restoration requests need a stage before them: the 内示 they ask against")
                    .at_opt(restorations[0].location.clone())
                    .hint("`extends` the stage whose result was shown to the bureaus"),
            );
        }
        let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
        for entry in &restorations {
            if let Some(r) = restoration(entry, index, &names, &program, cx.display_unit, errors) {
                if let Some(first) = seen.get(&r.program) {
                    errors.push(duplicate("restoration request", &r.program, entry.location.clone(), first.as_ref()));
                    continue;
                }
                seen.insert(r.program.clone(), entry.location.clone());
                cycle.restorations.push(r);
            }
        }
        cycle.stages.push(stage);
    }
    if cycle.stages.is_empty() {
        return None;
    }
    // A decision that did not parse is not in the cycle: saying its ⑤ is left open would blame the
    // stage for the decision it wrote; the check waits until the decisions read cleanly.
    if errors.len() == errors_before {
        deferred_decided(&cycle, errors);
    }
    Some(cycle)
}

fn duplicate(what: &str, program: &str, here: Option<Location>, first: Option<&Location>) -> Diagnostic {
    let mut d = Diagnostic::error(format!("a second {what} for program `{program}` in one stage")).at_opt(here);
    if let Some(l) = first {
        let (line, col) = l.source.line_col(l.span.start);
        d = d.note(format!("the first is at {}:{line}:{col}", l.source.name));
    }
    d.hint(format!("one {what} per program and stage: change the first one"))
}

fn own_dispositions(list: Vec<Located<DispositionFile>>, errors: &mut Vec<Diagnostic>) -> Vec<Disposition> {
    let mut out: Vec<Disposition> = Vec::new();
    for entry in &list {
        let d = &entry.value;
        let (Some(code), Some(label)) = (&d.code, &d.label) else {
            errors.push(
                Diagnostic::error("a disposition needs a `code` and a `label`")
                    .at_opt(entry.location.clone())
                    .hint("e.g. `code = \"①\"`, `label = \"要求通り\"`, `rule = \"request\"`"),
            );
            continue;
        };
        let rule = match &d.rule {
            None => Rule::Any,
            Some(r) => match Rule::ALL.into_iter().find(|x| x.id() == r.value.trim()) {
                Some(x) => x,
                None => {
                    errors.push(
                        Diagnostic::error(format!("unknown disposition rule `{}`", r.value))
                            .at_opt(r.location.clone())
                            .suggest(&r.value, Rule::ALL.iter().map(|x| x.id()))
                            .hint(format!(
                                "the rules are {}",
                                Rule::ALL.iter().map(|x| format!("`{}`", x.id())).collect::<Vec<_>>().join(", ")
                            )),
                    );
                    continue;
                }
            },
        };
        let new = Disposition { code: code.value.trim().to_string(), label: label.value.trim().to_string(), rule };
        if out.iter().any(|o| o.code == new.code || o.label == new.label) {
            errors.push(
                Diagnostic::error(format!("disposition `{}` is defined twice", new.name()))
                    .at_opt(code.location.clone())
                    .hint("each disposition needs its own code and label"),
            );
            continue;
        }
        out.push(new);
    }
    for rule in [Rule::Request, Rule::Reduced, Rule::None] {
        if !out.iter().any(|d| d.rule == rule) && !list.is_empty() {
            errors.push(
                Diagnostic::error(format!("no disposition has `rule = \"{}\"`", rule.id()))
                    .at_opt(list[0].location.clone())
                    .hint("waku gives programs without a decision a disposition by their amount: the request (`request`), less (`reduced`) or nothing (`none`); define one of each"),
            );
        }
    }
    out
}

/// `2026-01-15` from a TOML date or a string.
fn date(v: &Option<Located<toml::Value>>, errors: &mut Vec<Diagnostic>) -> Option<String> {
    let v = v.as_ref()?;
    let text = match &v.value {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    if is_date(&text) {
        Some(text)
    } else {
        errors.push(
            Diagnostic::error(format!("`date` must be a date such as 2026-01-15, found `{text}`"))
                .at_opt(v.location.clone())
                .hint("write the date as year-month-day: `date = 2026-01-15`"),
        );
        None
    }
}

/// Whether `s` is a calendar date `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn text(v: &Option<Located<String>>) -> Option<String> {
    v.as_ref().map(|s| s.value.trim().to_string()).filter(|s| !s.is_empty())
}

fn stage(
    file: &Located<StageFile>,
    source: Option<&Arc<Source>>,
    before: Option<&Stage>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Stage> {
    let s = &file.value;
    let kind = match &s.kind {
        None => {
            errors.push(
                Diagnostic::error("`[stage]` has no `kind`")
                    .at_opt(file.location.clone())
                    .hint("add `kind = \"…\"`: 要求, 財政課査定, 市長査定, 内示, 復活要求 or 確定"),
            );
            return None;
        }
        Some(k) => match StageKind::parse(&k.value) {
            Some(kind) => kind,
            None => {
                errors.push(
                    Diagnostic::error(format!("unknown stage kind `{}`", k.value))
                        .at_opt(k.location.clone())
                        .suggest(&k.value, StageKind::ALL.iter().flat_map(|k| [k.id(), k.label()]))
                        .hint("the kinds, in order: 要求, 財政課査定, 市長査定, 内示, 復活要求, 確定 (or request, finance, mayor, draft, restoration, final)"),
                );
                return None;
            }
        },
    };
    if let Some(b) = before {
        if kind < b.kind {
            errors.push(
                Diagnostic::error(format!(
                    "a {} stage cannot follow the {} stage `{}`",
                    kind.label(),
                    b.kind.label(),
                    b.file
                ))
                .at_opt(s.kind.as_ref().and_then(|k| k.location.clone()))
                .hint("a stage `extends` the stage before it: 要求 → 財政課査定 → 市長査定 → 内示 → 復活要求 → 確定"),
            );
        }
    }
    let file_name = source.map_or_else(String::new, |s| s.name.clone());
    Some(Stage {
        name: text(&s.name).unwrap_or_else(|| kind.label().to_string()),
        kind,
        date: date(&s.date, errors),
        author: text(&s.author),
        file: file_name,
        path: source.and_then(|s| s.path.clone()),
        location: file.location.clone(),
    })
}

/// The program `written` names (an id or a name), or an error at `at`.
fn resolve_program(
    written: &Located<String>,
    what: &str,
    names: &Names<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    match names.find(&written.value, &[Kind::Program]) {
        Lookup::Found(_, id) => Some(id.to_string()),
        Lookup::Ambiguous(kind, ids) => {
            errors.push(
                Diagnostic::error(Names::ambiguous(&written.value, kind, &ids))
                    .at_opt(written.location.clone())
                    .hint(format!("name the program by its id, e.g. `program = \"{}\"`", ids[0])),
            );
            None
        }
        Lookup::NotFound => {
            errors.push(
                Diagnostic::error(format!("{what} names unknown program `{}`", written.value))
                    .at_opt(written.location.clone())
                    .hint_opt(names.did_you_mean(&written.value, &[Kind::Program]))
                    .hint_or("name a program of the scenario by its id or its name"),
            );
            None
        }
    }
}

trait HintOr {
    fn hint_or(self, hint: &str) -> Self;
}

impl HintOr for Diagnostic {
    fn hint_or(self, hint: &str) -> Self {
        if self.hint.is_some() { self } else { self.hint(hint) }
    }
}

fn decision<'p>(
    entry: &Located<DecisionFile>,
    stage: usize,
    cycle: &Cycle,
    names: &Names<'_>,
    program: &impl Fn(&str) -> Option<&'p Program>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Decision> {
    let d = &entry.value;
    let Some(written) = &d.program else {
        errors.push(
            Diagnostic::error("a decision has no `program`")
                .at_opt(entry.location.clone())
                .hint("name the program: `program = \"K0123\"` (its id or its name)"),
        );
        return None;
    };
    let id = resolve_program(written, "a decision", names, errors)?;
    let p = program(&id)?;
    let n = errors.len();
    let Some(reason) = text(&d.reason) else {
        errors.push(
            Diagnostic::error(format!("the decision on `{id}` has no reason"))
                .at_opt(d.reason.as_ref().and_then(|r| r.location.clone()).or(written.location.clone()))
                .hint("every override needs the reason that goes on the 査定調書: `reason = \"…\"`"),
        );
        return None;
    };
    let disposition = match &d.disposition {
        None => {
            errors.push(
                Diagnostic::error(format!("the decision on `{id}` has no disposition"))
                    .at_opt(written.location.clone())
                    .hint(format!("add `disposition = \"…\"`: {}", disposition_list(&cycle.dispositions))),
            );
            return None;
        }
        Some(w) => match cycle.disposition(&w.value) {
            Some(i) => i,
            None => {
                errors.push(
                    Diagnostic::error(format!("unknown disposition `{}`", w.value))
                        .at_opt(w.location.clone())
                        .suggest(&w.value, cycle.dispositions.iter().flat_map(|d| [d.code.as_str(), d.label.as_str()]))
                        .hint_or(&format!("the dispositions are {}", disposition_list(&cycle.dispositions))),
                );
                return None;
            }
        },
    };
    let money = |v: &Option<Located<Money>>, key: &str, errors: &mut Vec<Diagnostic>| -> Option<Money> {
        let m = v.as_ref()?;
        if m.value.is_negative() {
            errors.push(
                Diagnostic::error(format!("`{key}` must not be negative"))
                    .at_opt(m.location.clone())
                    .hint("amounts are zero or more"),
            );
        } else if m.value > p.requested {
            errors.push(
                Diagnostic::error(format!(
                    "`{key}` {} is above the request of `{id}`, {}",
                    m.value.format(cycle.display_unit),
                    p.requested.format(cycle.display_unit)
                ))
                .at_opt(m.location.clone())
                .hint("査定 grants at most the request; to ask for more, change `requested` in the 要求 stage"),
            );
        }
        Some(m.value)
    };
    let (amount, min, max) =
        (money(&d.amount, "amount", errors), money(&d.min, "min", errors), money(&d.max, "max", errors));
    if amount.is_some() && (min.is_some() || max.is_some()) {
        errors.push(
            Diagnostic::error(format!("the decision on `{id}` states both an amount and bounds"))
                .at_opt(d.min.as_ref().or(d.max.as_ref()).and_then(|m| m.location.clone()))
                .hint("write `amount = …` to fix the program, or `min`/`max` to bound it"),
        );
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            errors.push(
                Diagnostic::error(format!("the decision on `{id}`: `min` is above `max`"))
                    .at_opt(d.min.as_ref().and_then(|m| m.location.clone()))
                    .hint("write the bounds low first"),
            );
        }
    }
    let location = d
        .amount
        .as_ref()
        .or(d.min.as_ref())
        .or(d.max.as_ref())
        .and_then(|m| m.location.clone())
        .or(d.disposition.as_ref().and_then(|x| x.location.clone()))
        .or(entry.location.clone());
    let disp = &cycle.dispositions[disposition];
    let disp_at = d.disposition.as_ref().and_then(|x| x.location.clone());
    let u = cycle.display_unit;
    // The disposition must agree with the amount (or leave room inside the bounds).
    let range = disp.rule.range(p, cycle.unit);
    if let Some(a) = amount {
        if !disp.rule.holds(p, a) {
            errors.push(
                Diagnostic::error(format!(
                    "disposition {} does not fit the amount {} of `{id}`",
                    disp.name(),
                    a.format(u)
                ))
                .at_opt(disp_at.clone())
                .note(format!(
                    "{} means {}: request {}, prior year {}",
                    disp.name(),
                    disp.rule.words(),
                    p.requested.format(u),
                    p.prior_cost.format(u)
                ))
                .hint("change the disposition or the amount so they agree"),
            );
        }
    } else if let Some((lo, hi)) = range {
        let (a, b) = (min.unwrap_or(Money::ZERO).max(lo), max.unwrap_or(p.requested).min(hi));
        if a > b {
            errors.push(
                Diagnostic::error(format!("disposition {} leaves no amount within the bounds of `{id}`", disp.name()))
                    .at_opt(disp_at.clone())
                    .note(format!(
                        "{} means {}: request {}, prior year {}",
                        disp.name(),
                        disp.rule.words(),
                        p.requested.format(u),
                        p.prior_cost.format(u)
                    ))
                    .hint("change the disposition or the bounds so they agree"),
            );
        }
    }
    if p.kind == ProgramKind::Mandatory {
        let (lo, hi) = match amount {
            Some(a) => (a, a),
            None => {
                let (lo, hi) = range.unwrap_or((Money::ZERO, p.requested));
                (min.unwrap_or(Money::ZERO).max(lo), max.unwrap_or(p.requested).min(hi))
            }
        };
        if !(lo <= p.requested && p.requested <= hi) {
            errors.push(
                Diagnostic::error(format!(
                    "`{id}` is mandatory (義務的経費): it is fixed at its request {}",
                    p.requested.format(u)
                ))
                .at_opt(location.clone())
                .hint("a decision on a mandatory program records its disposition (①); to change the amount, correct `requested` in the 要求 stage (`[[programs]]`)"),
            );
        }
    }
    if p.all_or_nothing {
        if let Some(a) = amount {
            if !a.is_zero() && a != p.requested {
                errors.push(
                    Diagnostic::error(format!(
                        "`{id}` is funded in full or not at all: {} is neither 0 nor its request {}",
                        a.format(u),
                        p.requested.format(u)
                    ))
                    .at_opt(location.clone())
                    .hint("decide 0 (④) or the request (①), or clear `all_or_nothing` for the program"),
                );
            }
        }
    }
    let date = date(&d.date, errors);
    if errors.len() > n {
        return None;
    }
    Some(Decision {
        program: id,
        stage,
        amount,
        min,
        max,
        disposition,
        reason,
        author: text(&d.author),
        date,
        location,
    })
}

fn disposition_list(list: &[Disposition]) -> String {
    list.iter().map(Disposition::name).collect::<Vec<_>>().join(", ")
}

fn restoration<'p>(
    entry: &Located<RestorationFile>,
    stage: usize,
    names: &Names<'_>,
    program: &impl Fn(&str) -> Option<&'p Program>,
    unit: Unit,
    errors: &mut Vec<Diagnostic>,
) -> Option<Restoration> {
    let r = &entry.value;
    let Some(written) = &r.program else {
        errors.push(
            Diagnostic::error("a restoration request has no `program`")
                .at_opt(entry.location.clone())
                .hint("name the program: `program = \"K0123\"` (its id or its name)"),
        );
        return None;
    };
    let id = resolve_program(written, "a restoration request", names, errors)?;
    let p = program(&id)?;
    let n = errors.len();
    let reason = text(&r.reason);
    if reason.is_none() {
        errors.push(
            Diagnostic::error(format!("the restoration request for `{id}` has no reason"))
                .at_opt(written.location.clone())
                .hint("a 復活要求 says why the bureau asks again: `reason = \"…\"`"),
        );
    }
    let amount = match &r.amount {
        None => {
            errors.push(
                Diagnostic::error(format!("the restoration request for `{id}` has no amount"))
                    .at_opt(written.location.clone())
                    .hint("`amount = \"…\"`: the amount asked for in all (at most the request)"),
            );
            None
        }
        Some(a) if a.value.is_negative() || a.value > p.requested => {
            errors.push(
                Diagnostic::error(format!(
                    "the restoration request for `{id}` asks {}, outside 0 to its request {}",
                    a.value.format(unit),
                    p.requested.format(unit)
                ))
                .at_opt(a.location.clone())
                .hint("a 復活要求 asks back at most what the bureau requested"),
            );
            None
        }
        Some(a) => Some(a.value),
    };
    let date = date(&r.date, errors);
    if errors.len() > n {
        return None;
    }
    Some(Restoration {
        program: id,
        stage,
        amount: amount?,
        reason: reason?,
        author: text(&r.author),
        date,
        location: r.amount.as_ref().and_then(|a| a.location.clone()).or(entry.location.clone()),
    })
}

/// A program left to a later stage (⑤) must be decided again by the stages after it.
fn deferred_decided(cycle: &Cycle, errors: &mut Vec<Diagnostic>) {
    let current = cycle.current();
    for (program, i) in cycle.effective() {
        let d = &cycle.decisions[i];
        let disp = &cycle.dispositions[d.disposition];
        if disp.rule == Rule::Deferred && d.stage < current {
            let stage = cycle.stage();
            errors.push(
                Diagnostic::error(format!(
                    "`{program}` was left to a later stage ({}, at {}), and {} does not decide it",
                    disp.name(),
                    d.place(),
                    stage.name
                ))
                .at_opt(stage.location.clone())
                .hint(format!(
                    "decide it in `{}`: `waku decide {} {program} --amount … --disposition … --reason \"…\"`",
                    stage.file, stage.file
                )),
            );
        }
    }
}
