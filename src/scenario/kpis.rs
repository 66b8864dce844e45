//! KPI tables (成果指標表): each program's and each business cluster's indicators over the years,
//! read from a CSV file (or an `.xlsx` workbook) named by the scenario's `kpis` key.
//!
//! One row per indicator, one column per year of actuals (`2023`, `2023年度`, `R5`, `令和5年度`):
//!
//! ```text
//! subject,indicator,name,type,unit,direction,parent,baseline_year,baseline,target_year,target,2023,2024,2025
//! K0002,K0002-1,志願倍率,アウトカム,倍,higher,C8-1,2022,2.71,2027,3.46,2.8,2.9,3.39
//! ```
//!
//! `subject` is a program id or a cluster id; `parent` links an indicator to the one it serves (the
//! KPI tree: a cluster's outcome ← its programs' outcomes ← their outputs). An actual is known only
//! for a year before the scenario's fiscal year (the budget is compiled before the year starts).
//! Errors are located like the inventory's: file, row and column of the cell.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::KpiDirection;
use super::inventory::Table;
use crate::diagnostic::{Diagnostic, Location, Source, quote};
use crate::number::parse_unbounded;

/// アウトプット (the service the city delivered) or アウトカム (the effect on citizens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiKind {
    Output,
    Outcome,
}

impl KpiKind {
    /// `output` or `outcome`, as scripts read it.
    pub fn id(self) -> &'static str {
        match self {
            KpiKind::Output => "output",
            KpiKind::Outcome => "outcome",
        }
    }

    /// アウトプット or アウトカム.
    pub fn label(self) -> &'static str {
        match self {
            KpiKind::Output => "アウトプット",
            KpiKind::Outcome => "アウトカム",
        }
    }

    fn parse(s: &str) -> Option<KpiKind> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("output") || matches!(s, "アウトプット" | "活動指標") {
            Some(KpiKind::Output)
        } else if s.eq_ignore_ascii_case("outcome") || matches!(s, "アウトカム" | "成果指標") {
            Some(KpiKind::Outcome)
        } else {
            None
        }
    }
}

/// Whose indicator it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Program(String),
    Cluster(String),
}

impl Subject {
    pub fn id(&self) -> &str {
        match self {
            Subject::Program(id) | Subject::Cluster(id) => id,
        }
    }
}

/// How an indicator stands after the years known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiStatus {
    /// The latest actual reached the target.
    Achieved,
    /// At or ahead of the straight line from the baseline to the target.
    OnTrack,
    /// Behind that line, but not moving the worse way.
    Behind,
    /// Moving the worse way (achievement fell over the years known), or worse than the baseline.
    Worse,
    /// No actual yet.
    Unmeasured,
}

impl KpiStatus {
    pub const ALL: [KpiStatus; 5] =
        [KpiStatus::Achieved, KpiStatus::OnTrack, KpiStatus::Behind, KpiStatus::Worse, KpiStatus::Unmeasured];

    /// The status by its label (`遅れ`) or its id (`behind`).
    pub fn parse(s: &str) -> Option<KpiStatus> {
        let s = s.trim();
        KpiStatus::ALL.into_iter().find(|k| k.label() == s || k.id() == s)
    }

    /// The id JSON writes: `on_track`.
    pub fn id(self) -> &'static str {
        match self {
            KpiStatus::Achieved => "achieved",
            KpiStatus::OnTrack => "on_track",
            KpiStatus::Behind => "behind",
            KpiStatus::Worse => "worse",
            KpiStatus::Unmeasured => "unmeasured",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KpiStatus::Achieved => "達成",
            KpiStatus::OnTrack => "順調",
            KpiStatus::Behind => "遅れ",
            KpiStatus::Worse => "悪化",
            KpiStatus::Unmeasured => "未測定",
        }
    }
}

/// One indicator of the table, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub subject: Subject,
    pub id: String,
    pub name: String,
    pub kind: KpiKind,
    pub unit: String,
    pub direction: KpiDirection,
    pub parent: Option<String>,
    pub baseline_year: i32,
    pub baseline: Decimal,
    pub target_year: i32,
    pub target: Decimal,
    /// Actual by fiscal year (西暦), every one before the scenario's year.
    pub actuals: BTreeMap<i32, Decimal>,
    /// `note` (備考), e.g. "illustrative".
    pub note: String,
}

impl Indicator {
    /// Progress of `value` from the baseline towards the target in the better direction: 0 at the
    /// baseline, 1 at the target, negative the worse way; `None` when target equals baseline.
    pub fn achievement_of(&self, value: Decimal) -> Option<Decimal> {
        let span = self.target.checked_sub(self.baseline)?;
        if span.is_zero() { None } else { value.checked_sub(self.baseline)?.checked_div(span) }
    }

    /// The achievement the straight line from the baseline to the target asks of `year` (中間目標):
    /// 0 in the baseline year, 1 from the target year on.
    pub fn planned(&self, year: i32) -> Decimal {
        if year >= self.target_year || self.target_year <= self.baseline_year {
            return Decimal::ONE;
        }
        if year <= self.baseline_year {
            return Decimal::ZERO;
        }
        Decimal::from(year - self.baseline_year) / Decimal::from(self.target_year - self.baseline_year)
    }

    /// The value the straight line asks of `year` (the target from the target year on).
    pub fn planned_value(&self, year: i32) -> Decimal {
        self.baseline + (self.target - self.baseline) * self.planned(year)
    }

    /// The achievement of each year known, in order.
    pub fn achievements(&self) -> Vec<(i32, Decimal)> {
        self.actuals.iter().filter_map(|(y, v)| Some((*y, self.achievement_of(*v)?))).collect()
    }

    /// The latest year known, its actual and its achievement (`None` when equal target and baseline).
    pub fn latest(&self) -> Option<(i32, Decimal, Option<Decimal>)> {
        self.actuals.iter().next_back().map(|(y, v)| (*y, *v, self.achievement_of(*v)))
    }

    /// The trend: how much the achievement changed a year on average over the years known (the
    /// baseline year counts as a year at 0); negative when the indicator moved the worse way.
    /// `None` with fewer than two points.
    pub fn trend(&self) -> Option<Decimal> {
        let mut points = self.achievements();
        if !self.actuals.contains_key(&self.baseline_year) && self.achievement_of(self.baseline).is_some() {
            points.insert(0, (self.baseline_year, Decimal::ZERO));
            points.sort_by_key(|p| p.0);
        }
        let (first, last) = (points.first()?, points.last()?);
        if last.0 <= first.0 {
            return None;
        }
        last.1.checked_sub(first.1)?.checked_div(Decimal::from(last.0 - first.0)).map(|t| t.round_dp(6))
    }

    /// The years, up to the latest known, in an unbroken run ending there, whose actual fell short
    /// of the year's planned achievement ([`Indicator::planned`]).
    pub fn missed_years(&self) -> Vec<i32> {
        let mut run = Vec::new();
        for (y, a) in self.achievements().into_iter().rev() {
            if a < self.planned(y) {
                run.push(y);
            } else {
                break;
            }
        }
        run.reverse();
        run
    }

    /// How the indicator stands ([`KpiStatus`]).
    pub fn status(&self) -> KpiStatus {
        let Some((year, _, achievement)) = self.latest() else { return KpiStatus::Unmeasured };
        let Some(a) = achievement else { return KpiStatus::OnTrack };
        if a >= Decimal::ONE {
            KpiStatus::Achieved
        } else if a < Decimal::ZERO || self.trend().is_some_and(|t| t < Decimal::ZERO) {
            KpiStatus::Worse
        } else if a >= self.planned(year) {
            KpiStatus::OnTrack
        } else {
            KpiStatus::Behind
        }
    }
}

/// A scenario's KPI table.
#[derive(Debug, Clone, Serialize)]
pub struct KpiTable {
    /// The file as the scenario names it.
    pub file: String,
    pub indicators: Vec<Indicator>,
}

impl KpiTable {
    /// The indicators of a program (or cluster) id, in table order.
    pub fn of<'a>(&'a self, subject: &'a str) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators.iter().filter(move |i| i.subject.id() == subject)
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The indicators whose parent is `id`, in table order.
    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators.iter().filter(move |i| i.parent.as_deref() == Some(id))
    }

    /// The table as it stood before `year`: only the actuals of earlier years (a plan's year sees
    /// the history up to the year before it).
    pub fn before(&self, year: i32) -> KpiTable {
        let mut t = self.clone();
        for i in &mut t.indicators {
            i.actuals.retain(|y, _| *y < year);
        }
        t
    }
}

/// The columns of a KPI table: English name, Japanese name.
pub const KPI_COLUMNS: [(&str, &str); 12] = [
    ("subject", "対象"),
    ("indicator", "指標ID"),
    ("name", "指標名"),
    ("type", "種別"),
    ("unit", "単位"),
    ("direction", "方向"),
    ("parent", "上位指標"),
    ("baseline_year", "基準年度"),
    ("baseline", "基準値"),
    ("target_year", "目標年度"),
    ("target", "目標値"),
    ("note", "備考"),
];

/// A year as a header or a cell writes it: `2023`, `2023年度`, `FY2023`, `R5`, `令和5年度`.
pub fn parse_year(s: &str) -> Option<i32> {
    let s = s.trim().trim_end_matches("年度").trim_end_matches('年');
    let s = s.strip_prefix("FY").unwrap_or(s);
    let s = s.strip_prefix("実績").unwrap_or(s);
    if let Some(n) = s.strip_prefix("令和").or_else(|| s.strip_prefix('R')) {
        let n: i32 = n.trim().parse().ok()?;
        return (1..=99).contains(&n).then_some(2018 + n);
    }
    let y: i32 = s.parse().ok()?;
    (s.len() == 4 && (1900..=2200).contains(&y)).then_some(y)
}

/// A cell as read, with its place.
#[derive(Debug, Clone, Default)]
struct Cell {
    text: String,
    at: Option<Location>,
}

#[derive(Debug, Default)]
struct RawRow {
    line: usize,
    cells: [Cell; 12],
    /// (year, value as written, its place).
    years: Vec<(i32, Cell)>,
    at: Option<Location>,
}

/// What a KPI table is checked against: the scenario's ids and year.
pub(crate) struct Known<'a> {
    pub programs: BTreeSet<&'a str>,
    pub clusters: BTreeSet<&'a str>,
    pub fiscal_year: i32,
}

/// Reads and validates a KPI table; every error found, each located at its cell.
pub(crate) fn read(source: &Arc<Source>, file: &str, known: &Known<'_>) -> Result<KpiTable, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut table = Table::new(source);
    let headers: Vec<(String, std::ops::Range<usize>)> = match table.next_row().map_err(|d| vec![d])? {
        Some(row) => row.cells().map(|(v, r)| (v.trim().to_string(), r)).collect(),
        None => {
            return Err(vec![
                Diagnostic::error("the KPI table is empty")
                    .at(Location::new(source, 0..0))
                    .hint("the first row names the columns, e.g. `subject,indicator,name,type,direction,baseline_year,baseline,target_year,target,2024,2025`"),
            ]);
        }
    };
    // Each header: a named column, or a year of actuals.
    enum Col {
        Named(usize),
        Year(i32),
    }
    let mut cols = Vec::with_capacity(headers.len());
    let mut seen = BTreeSet::new();
    for (h, range) in &headers {
        let name = h.split(['（', '(']).next().unwrap_or(h).trim();
        let col = if let Some(c) = KPI_COLUMNS.iter().position(|(en, ja)| *en == name || *ja == name) {
            Col::Named(c)
        } else if let Some(y) = parse_year(name) {
            if y >= known.fiscal_year {
                errors.push(
                    Diagnostic::error(format!(
                        "the KPI table has actuals for {y}, a year not before the scenario's fiscal year {}",
                        known.fiscal_year
                    ))
                    .at(Location::new(source, range.clone()))
                    .note(format!(
                        "expected the years of actuals before {}: the FY{} budget is compiled before the year's actuals are known",
                        known.fiscal_year, known.fiscal_year
                    ))
                    .hint(format!(
                        "remove the column `{}`, or use the table with a scenario of a later fiscal year",
                        quote(h)
                    )),
                );
            }
            Col::Year(y)
        } else {
            let names = KPI_COLUMNS.iter().flat_map(|(en, ja)| [*en, *ja]);
            errors.push(
                Diagnostic::error(format!("unknown KPI table column `{}`", quote(name)))
                    .at(Location::new(source, range.clone()))
                    .suggest(name, names)
                    .note("expected one of subject, indicator, name, type, unit, direction, parent, baseline_year, baseline, target_year, target, note, or a year of actuals such as `2024` or `R6`"),
            );
            return Err(errors);
        };
        let key = match col {
            Col::Named(c) => KPI_COLUMNS[c].0.to_string(),
            Col::Year(y) => y.to_string(),
        };
        if !seen.insert(key.clone()) {
            errors.push(
                Diagnostic::error(format!("column `{key}` appears twice in the KPI table"))
                    .at(Location::new(source, range.clone()))
                    .hint("remove or rename one of the two columns"),
            );
        }
        cols.push(col);
    }
    for required in ["subject", "indicator", "name", "type", "baseline_year", "baseline", "target_year", "target"] {
        if !seen.contains(required) {
            let ja = KPI_COLUMNS.iter().find(|(en, _)| *en == required).map_or("", |c| c.1);
            errors.push(
                Diagnostic::error(format!("the KPI table has no `{required}` column"))
                    .at(Location::new(source, 0..headers.last().map_or(0, |h| h.1.end)))
                    .hint(format!("add a column `{required}` (or `{ja}`)")),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut rows = Vec::new();
    while let Some(row) = table.next_row().map_err(|d| vec![d])? {
        let mut raw = RawRow { line: row.line, at: Some(Location::new(source, row.span())), ..RawRow::default() };
        for ((value, range), col) in row.cells().zip(&cols) {
            let cell = Cell { text: value.trim().to_string(), at: Some(Location::new(source, range.clone())) };
            match col {
                Col::Named(c) => raw.cells[*c] = cell,
                Col::Year(y) if !cell.text.is_empty() => raw.years.push((*y, cell)),
                Col::Year(_) => {}
            }
        }
        rows.push(raw);
    }

    let mut indicators = Vec::with_capacity(rows.len());
    // The place of each indicator's id and parent cells, for the checks across rows.
    let mut places: Vec<(Option<Location>, Option<Location>)> = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for raw in &rows {
        let before = errors.len();
        let err = |col: usize, msg: String| -> Diagnostic {
            let cell = &raw.cells[col];
            let d = Diagnostic::error(msg).note(format!("row {}, column `{}`", raw.line, KPI_COLUMNS[col].0));
            match &cell.at {
                Some(at) if !cell.text.is_empty() => d.at(at.clone()),
                _ => d.at_opt(raw.at.clone()),
            }
        };
        let required = |col: usize, errors: &mut Vec<Diagnostic>| -> Option<String> {
            let t = &raw.cells[col].text;
            if t.is_empty() {
                errors.push(
                    err(col, format!("row {} has no `{}`", raw.line, KPI_COLUMNS[col].0))
                        .hint(format!("every indicator states its `{}` ({})", KPI_COLUMNS[col].0, KPI_COLUMNS[col].1)),
                );
                None
            } else {
                Some(t.clone())
            }
        };
        let number = |col: usize, errors: &mut Vec<Diagnostic>| -> Option<Decimal> {
            let t = required(col, errors)?;
            match parse_unbounded(&t).and_then(crate::number::in_range) {
                Some(d) => Some(d),
                None => {
                    errors.push(
                        err(col, format!("invalid number `{}`", quote(&t)))
                            .hint("expected a number such as `85.5`, `1,153` or `74.63%`"),
                    );
                    None
                }
            }
        };
        let year = |col: usize, errors: &mut Vec<Diagnostic>| -> Option<i32> {
            let t = required(col, errors)?;
            match parse_year(&t) {
                Some(y) => Some(y),
                None => {
                    errors.push(
                        err(col, format!("invalid year `{}`", quote(&t)))
                            .hint("expected a fiscal year such as `2023`, `2023年度`, `R5` or `令和5年度`"),
                    );
                    None
                }
            }
        };

        let subject = required(0, &mut errors).and_then(|s| {
            if known.programs.contains(s.as_str()) {
                Some(Subject::Program(s))
            } else if known.clusters.contains(s.as_str()) {
                Some(Subject::Cluster(s))
            } else {
                let candidates = known.programs.iter().chain(&known.clusters).copied();
                errors.push(
                    err(0, format!("unknown KPI subject `{}`", quote(&s)))
                        .note("expected the id of a program of the inventory or of a business cluster")
                        .suggest(&s, candidates)
                        .hint(
                            "write the program's `id` (事業番号) or the cluster's `id` in the column `subject` (対象)",
                        ),
                );
                None
            }
        });
        let id = required(1, &mut errors);
        let name = required(2, &mut errors);
        let kind = required(3, &mut errors).and_then(|t| {
            KpiKind::parse(&t).or_else(|| {
                errors.push(
                    err(3, format!("invalid KPI type `{}`", quote(&t)))
                        .hint("expected `アウトプット` or `アウトカム` (`output` / `outcome`)"),
                );
                None
            })
        });
        let direction = match raw.cells[5].text.as_str() {
            "" => Some(KpiDirection::Higher),
            t => KpiDirection::parse(t).or_else(|| {
                errors.push(err(5, format!("invalid direction `{}`", quote(t))).hint(
                    "expected `higher` or `lower` (高いほどよい / 低いほどよい, 高い方が良い / 低い方が良い); empty means higher",
                ));
                None
            }),
        };
        let baseline_year = year(7, &mut errors);
        let baseline = number(8, &mut errors);
        let target_year = year(9, &mut errors);
        let target = number(10, &mut errors);
        if let (Some(by), Some(ty)) = (baseline_year, target_year) {
            if ty < by {
                errors.push(
                    err(9, format!("the target year {ty} is before the baseline year {by}"))
                        .hint("the target year (目標年度) comes on or after the baseline year (基準年度)"),
                );
            }
        }
        if let Some(by) = baseline_year {
            if by >= known.fiscal_year {
                errors.push(
                    err(
                        7,
                        format!(
                            "the baseline year {by} is not before the scenario's fiscal year {}",
                            known.fiscal_year
                        ),
                    )
                    .hint("a baseline (基準値) is a measured value of a year before the budget's year"),
                );
            }
        }
        if let (Some(d), Some(b), Some(t)) = (direction, baseline, target) {
            if (t - b) * d.sign() < Decimal::ZERO {
                let other = if d == KpiDirection::Higher { KpiDirection::Lower } else { KpiDirection::Higher };
                errors.push(
                    err(10, format!(
                        "the target {} lies on the worse side of the baseline {} for an indicator that is `{}` ({})",
                        t.normalize(),
                        b.normalize(),
                        d.id(),
                        d.label()
                    ))
                    .hint(format!("write `{}` ({}) in the column `direction` (方向), or check the target", other.id(), other.label())),
                );
            }
        }
        let mut actuals = BTreeMap::new();
        for (y, cell) in &raw.years {
            let located = |msg: String| {
                Diagnostic::error(msg).at_opt(cell.at.clone()).note(format!("row {}, column `{y}`", raw.line))
            };
            match parse_unbounded(&cell.text).and_then(crate::number::in_range) {
                Some(v) => {
                    if baseline_year.is_some_and(|by| *y < by) {
                        errors.push(
                            located(format!(
                                "an actual for {y}, before the indicator's baseline year {}",
                                baseline_year.unwrap_or_default()
                            ))
                            .hint("actuals start in the baseline year (基準年度); move the value to `baseline` or clear the cell"),
                        );
                    }
                    actuals.insert(*y, v);
                }
                None => errors.push(
                    located(format!("invalid number `{}`", quote(&cell.text)))
                        .hint("expected a number such as `85.5`, or an empty cell for a year not measured"),
                ),
            }
        }
        if let Some(id) = &id {
            if let Some(first) = ids.get(id) {
                errors.push(
                    err(1, format!("indicator `{}` appears twice in the KPI table", quote(id)))
                        .note(format!("first in row {}", rows[*first].line))
                        .hint("give each indicator its own id"),
                );
            }
        }
        if errors.len() > before {
            continue;
        }
        let (Some(subject), Some(id), Some(name), Some(kind), Some(direction)) = (subject, id, name, kind, direction)
        else {
            continue;
        };
        let (Some(baseline_year), Some(baseline), Some(target_year), Some(target)) =
            (baseline_year, baseline, target_year, target)
        else {
            continue;
        };
        ids.insert(id.clone(), indicators.len());
        places.push((raw.cells[1].at.clone(), raw.cells[6].at.clone()));
        let parent = Some(raw.cells[6].text.clone()).filter(|p| !p.is_empty());
        indicators.push(Indicator {
            subject,
            id,
            name,
            kind,
            unit: raw.cells[4].text.clone(),
            direction,
            parent,
            baseline_year,
            baseline,
            target_year,
            target,
            actuals,
            note: raw.cells[11].text.clone(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Parents: known ids, and no cycle.
    let index: BTreeMap<&str, usize> = indicators.iter().enumerate().map(|(i, k)| (k.id.as_str(), i)).collect();
    let mut in_cycle: BTreeSet<usize> = BTreeSet::new();
    for (i, k) in indicators.iter().enumerate() {
        let Some(parent) = &k.parent else { continue };
        let at = places[i].1.clone();
        if !index.contains_key(parent.as_str()) {
            errors.push(
                Diagnostic::error(format!("unknown parent indicator `{}` of `{}`", quote(parent), k.id))
                    .at_opt(at)
                    .note("expected the id of another indicator of the table (column `indicator`)")
                    .suggest(parent, index.keys().copied())
                    .hint("link to an indicator of the table, or leave `parent` (上位指標) empty at the top of a tree"),
            );
            continue;
        }
        if in_cycle.contains(&i) {
            continue;
        }
        let mut path = vec![i];
        let mut at_id = parent.as_str();
        while let Some(&j) = index.get(at_id) {
            if j == i {
                in_cycle.extend(path.iter().copied());
                let names: Vec<&str> = path.iter().map(|p| indicators[*p].id.as_str()).chain([k.id.as_str()]).collect();
                errors.push(
                    Diagnostic::error(format!(
                        "the parent links of indicator `{}` form a cycle: {}",
                        k.id,
                        names.join(" → ")
                    ))
                    .at_opt(places[i].1.clone())
                    .note("expected a tree: each indicator serves one above it, up to one with no parent")
                    .hint("remove one of the links, usually the top indicator's `parent`"),
                );
                break;
            }
            if path.contains(&j) || path.len() > indicators.len() {
                break;
            }
            path.push(j);
            match &indicators[j].parent {
                Some(p) => at_id = p.as_str(),
                None => break,
            }
        }
    }
    if errors.is_empty() { Ok(KpiTable { file: file.to_string(), indicators }) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicator(direction: KpiDirection, baseline: i64, target: i64, actuals: &[(i32, i64)]) -> Indicator {
        Indicator {
            subject: Subject::Program("P1".into()),
            id: "P1-1".into(),
            name: "待ち時間".into(),
            kind: KpiKind::Outcome,
            unit: "分".into(),
            direction,
            parent: None,
            baseline_year: 2022,
            baseline: Decimal::from(baseline),
            target_year: 2027,
            target: Decimal::from(target),
            actuals: actuals.iter().map(|(y, v)| (*y, Decimal::from(*v))).collect(),
            note: String::new(),
        }
    }

    #[test]
    fn a_lower_is_better_indicator_that_rose_is_worse() {
        let k = indicator(KpiDirection::Lower, 100, 50, &[(2023, 95), (2024, 104), (2025, 110)]);
        assert_eq!(k.achievement_of(Decimal::from(110)), Some(Decimal::new(-2, 1)));
        assert!(k.trend().unwrap() < Decimal::ZERO);
        assert_eq!(k.status(), KpiStatus::Worse);
        assert_eq!(k.missed_years(), vec![2023, 2024, 2025]);
        let better = indicator(KpiDirection::Lower, 100, 50, &[(2023, 90), (2024, 80), (2025, 70)]);
        assert_eq!(better.status(), KpiStatus::OnTrack, "0.6 against the planned 0.6");
        assert!(better.missed_years().is_empty());
    }

    #[test]
    fn years_are_read_as_officials_write_them() {
        assert_eq!(parse_year("R5"), Some(2023));
        assert_eq!(parse_year("令和9年度"), Some(2027));
        assert_eq!(parse_year("2024年度"), Some(2024));
        assert_eq!(parse_year("FY2025"), Some(2025));
        assert_eq!(parse_year("24"), None);
    }
}
