//! The proposals table (重点事業・市長特定事業の提案一覧): named proposals the bureaus put forward
//! for the mayor's coordination reserve (scenario key `proposals = "file.csv"`, or an `.xlsx`
//! workbook's first sheet). Read like the program inventory: headers in English or Japanese, any
//! column order, money cells as officials write them, every error at its cell.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Row, Table, cell_error, count_error, header_name, money_cell, money_unit, yes_no};
use crate::diagnostic::{Diagnostic, Location, Source, quote};
use crate::money::{Money, Unit};
use crate::number::parse as parse_number;
use crate::scenario::Strategy;
use crate::scenario::file::ProposalFile;
use crate::scenario::located::Located;

/// The columns of a proposals table: English name, Japanese name, what it holds.
pub const PROPOSAL_COLUMNS: [(&str, &str, &str); 12] = [
    ("id", "提案番号", "unique proposal id"),
    ("title", "事業名", "what the proposal is"),
    ("department", "所管局", "the bureau that proposes it (id or name)"),
    ("cost", "所要一般財源", "general revenue it asks of the reserve this year (money)"),
    ("score", "評価点", "its worth: the selection maximises the total score (a number ≥ 0)"),
    ("scalable", "段階実施", "may be funded in part, down to `min` (true/false; default false: all or nothing)"),
    ("min", "最低額", "the least a scalable proposal can be funded with (money)"),
    ("later_cost", "後年度負担", "what it costs in later years (money, reported)"),
    ("strategy", "重点戦略", "earning / high_quality / safety (稼げるまち / ハイクオリティ / 安全・安心)"),
    ("next_generation", "次世代投資枠", "counts toward the next-generation frame (true/false)"),
    ("decision", "決定", "the mayor's decision that pins it: fund / reject (採択 / 不採択); empty: by score"),
    ("note", "備考", "a note, printed as written"),
];

const MONEY: [&str; 3] = ["cost", "min", "later_cost"];

/// A decision that pins a proposal (`決定` column, `[proposal_decisions]`, `--set proposals.ID.decision=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 採択: funded in full whatever its score.
    Fund,
    /// 不採択: not funded.
    Reject,
}

impl Decision {
    /// Reads `fund` / `reject` (any case) or 採択 / 不採択.
    pub fn parse(s: &str) -> Option<Decision> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("fund") || s == "採択" {
            Some(Decision::Fund)
        } else if s.eq_ignore_ascii_case("reject") || s == "不採択" {
            Some(Decision::Reject)
        } else {
            None
        }
    }
}

/// One proposal, validated (the bureau is checked against the scenario's after loading).
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub id: String,
    pub title: String,
    pub department: String,
    /// 所要一般財源: what it asks of the reserve (whole yen).
    pub cost: Money,
    pub score: Decimal,
    /// Funded in part (down to `min`) or all or nothing.
    pub scalable: bool,
    /// The least it is funded with when funded (its cost when all or nothing).
    pub min: Money,
    /// 後年度負担.
    pub later_cost: Money,
    pub strategy: Option<Strategy>,
    pub next_generation: bool,
    pub decision: Option<Decision>,
    pub note: Option<String>,
    /// The row, for errors about it.
    #[serde(skip)]
    pub location: Option<Location>,
    /// The bureau's cell, for an unknown bureau.
    #[serde(skip)]
    pub department_at: Option<Location>,
}

/// Reads a proposals table.
pub(crate) fn read_proposals(source: &Arc<Source>) -> Result<Vec<Proposal>, Vec<Diagnostic>> {
    let mut table = Table::new(source);
    let headers = table.headers().map_err(|d| vec![d])?;
    let mut columns = Vec::with_capacity(headers.len());
    for (h, range) in &headers {
        let name = header_name(h);
        let Some(c) = PROPOSAL_COLUMNS.iter().position(|(en, ja, _)| *en == name || *ja == name) else {
            let names = PROPOSAL_COLUMNS.iter().flat_map(|(en, ja, _)| [*en, *ja]);
            return Err(vec![
                Diagnostic::error(format!("unknown proposals column `{}`", quote(name)))
                    .at(Location::new(source, range.clone()))
                    .suggest(name, names)
                    .note("the columns of a proposals table are listed in README.md (英語または日本語の見出し)"),
            ]);
        };
        if columns.iter().any(|&(seen, _)| seen == c) {
            return Err(vec![
                Diagnostic::error(format!("column `{}` appears twice", PROPOSAL_COLUMNS[c].0))
                    .at(Location::new(source, range.clone()))
                    .hint("remove or rename one of the two columns"),
            ]);
        }
        let unit = if MONEY.contains(&PROPOSAL_COLUMNS[c].0) {
            money_unit(source, h, range.clone()).map_err(|d| vec![d])?
        } else {
            Unit::Yen
        };
        columns.push((c, unit));
    }
    for required in ["id", "title", "department", "cost", "score"] {
        let c = PROPOSAL_COLUMNS.iter().position(|(en, _, _)| *en == required).unwrap_or(0);
        if !columns.iter().any(|&(seen, _)| seen == c) {
            return Err(vec![
                Diagnostic::error(format!("the proposals table has no `{required}` column"))
                    .at(Location::new(source, 0..headers.last().map_or(0, |h| h.1.end)))
                    .hint(format!("add a column `{required}` (or `{}`)", PROPOSAL_COLUMNS[c].1)),
            ]);
        }
    }
    let mut out: Vec<Proposal> = Vec::new();
    let mut errors = Vec::new();
    while let Some(row) = table.next_row().map_err(|d| vec![d])? {
        if row.len() != headers.len() {
            errors.push(count_error(source, &row, headers.len()));
            continue;
        }
        if let Some(p) = proposal_of_row(source, &row, &columns, &mut errors) {
            errors.extend(twice(&out, &p));
            out.push(p);
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn proposal_of_row(
    source: &Arc<Source>,
    row: &Row,
    columns: &[(usize, Unit)],
    errors: &mut Vec<Diagnostic>,
) -> Option<Proposal> {
    let mut p = Proposal {
        id: String::new(),
        title: String::new(),
        department: String::new(),
        cost: Money::ZERO,
        score: Decimal::ZERO,
        scalable: false,
        min: Money::ZERO,
        later_cost: Money::ZERO,
        strategy: None,
        next_generation: false,
        decision: None,
        note: None,
        location: Some(Location::new(source, row.span())),
        department_at: None,
    };
    let (mut has_min, mut has_cost, before) = (None, None, errors.len());
    for ((value, range), &(c, unit)) in row.cells().zip(columns) {
        let v = value.trim();
        let column = PROPOSAL_COLUMNS[c].0;
        let loc = Location::new(source, range.clone());
        if v.is_empty() {
            if ["id", "title", "department", "cost", "score"].contains(&column) {
                errors.push(
                    cell_error(source, row, column, range.clone(), format!("proposal without `{column}`"))
                        .hint(format!("every proposal states its `{column}` ({})", PROPOSAL_COLUMNS[c].1)),
                );
            }
            continue;
        }
        let money = || -> Result<Money, Diagnostic> {
            let m = money_cell(source, row, column, unit, value, range.clone())?;
            if m.is_negative() {
                return Err(cell_error(source, row, column, range.clone(), format!("negative amount `{}`", quote(v)))
                    .hint("a proposal's amounts are at least 0"));
            }
            Ok(m)
        };
        let result: Result<(), Diagnostic> = (|| {
            match column {
                "id" => p.id = v.to_string(),
                "title" => p.title = v.to_string(),
                "department" => {
                    p.department = v.to_string();
                    p.department_at = Some(loc.clone());
                }
                "cost" => {
                    p.cost = money()?;
                    has_cost = Some(range.clone());
                }
                "score" => {
                    p.score = parse_number(v).filter(|d| !d.is_sign_negative()).ok_or_else(|| {
                        cell_error(source, row, column, range.clone(), format!("invalid score `{}`", quote(v)))
                            .hint("expected a number at least 0, e.g. `8` or `7.5`")
                    })?;
                }
                "scalable" => p.scalable = yes_no(source, row, column, v, range.clone())?,
                "min" => {
                    p.min = money()?;
                    has_min = Some(range.clone());
                }
                "later_cost" => p.later_cost = money()?,
                "strategy" => {
                    p.strategy = Some(Strategy::parse(v).ok_or_else(|| {
                        cell_error(source, row, column, range.clone(), format!("unknown strategy `{}`", quote(v)))
                            .hint("expected earning, high_quality or safety (稼げるまち, ハイクオリティ, 安全・安心)")
                    })?);
                }
                "next_generation" => p.next_generation = yes_no(source, row, column, v, range.clone())?,
                "decision" => {
                    p.decision = Some(Decision::parse(v).ok_or_else(|| {
                        cell_error(source, row, column, range.clone(), format!("unknown decision `{}`", quote(v)))
                            .hint("expected `fund` or `reject` (採択 / 不採択), or leave the cell empty")
                    })?);
                }
                _ => p.note = Some(v.to_string()),
            }
            Ok(())
        })();
        if let Err(d) = result {
            errors.push(d);
        }
    }
    if errors.len() > before {
        return None;
    }
    let at = |column: &str, msg: String| {
        let range = if column == "min" { has_min.clone() } else { has_cost.clone() };
        cell_error(source, row, column, range.unwrap_or_else(|| row.span()), msg)
    };
    if let Err(d) = check_amounts(&mut p, has_min.is_some(), at) {
        errors.push(d);
        return None;
    }
    Some(p)
}

/// The checks a proposal's amounts pass however it is written: a minimum only when scalable and at
/// most the cost (an all-or-nothing proposal's minimum is its cost), a cost above 0. `at` places an
/// error at a column's value.
fn check_amounts(p: &mut Proposal, has_min: bool, at: impl Fn(&str, String) -> Diagnostic) -> Result<(), Diagnostic> {
    match (p.scalable, has_min) {
        (false, true) => {
            return Err(at("min", format!("proposal `{}` is all or nothing but states a minimum", p.id))
                .hint("set `scalable` (段階実施) to true, or leave `min` empty"));
        }
        (true, true) if p.min > p.cost => {
            return Err(at(
                "min",
                format!("minimum {} is above the cost {}", p.min.format(Unit::Yen), p.cost.format(Unit::Yen)),
            )
            .hint("a scalable proposal is funded between its minimum and its cost"));
        }
        (false, false) => p.min = p.cost,
        _ => {}
    }
    if p.cost.is_zero() {
        return Err(at("cost", format!("proposal `{}` costs nothing", p.id))
            .hint("a proposal asks the reserve for an amount above 0"));
    }
    Ok(())
}

/// The duplicate-id error, if `p`'s id is already in `out`.
fn twice(out: &[Proposal], p: &Proposal) -> Option<Diagnostic> {
    let first = out.iter().find(|q| q.id == p.id)?;
    Some(
        Diagnostic::error(format!("proposal `{}` appears twice", quote(&p.id)))
            .at_opt(p.location.clone())
            .note(format!(
                "first at {}",
                first.location.as_ref().map_or(String::new(), |l| l.source.place(l.span.start))
            ))
            .hint("give each proposal its own id"),
    )
}

/// Reads inline `[[proposals]]`: the table's columns as TOML keys, money as the scenario writes it,
/// each error at its value.
pub(crate) fn read_inline(list: Vec<Located<ProposalFile>>) -> Result<Vec<Proposal>, Vec<Diagnostic>> {
    let mut out: Vec<Proposal> = Vec::with_capacity(list.len());
    let mut errors = Vec::new();
    for entry in list {
        let f = entry.value;
        let bad = |l: &Option<Location>, column: &str, msg: String| {
            Diagnostic::error(msg)
                .at_opt(l.clone().or_else(|| entry.location.clone()))
                .note(format!("proposal `{}`, key `{column}`", quote(&f.id.value)))
        };
        let before = errors.len();
        let mut money = |m: &Option<Located<Money>>, column: &str| -> Money {
            match m {
                Some(m) if m.value.is_negative() => {
                    errors.push(
                        bad(&m.location, column, format!("negative amount {}", m.value.format(Unit::Yen)))
                            .hint("a proposal's amounts are at least 0"),
                    );
                    Money::ZERO
                }
                Some(m) => m.value,
                None => Money::ZERO,
            }
        };
        let cost = money(&Some(f.cost.clone()), "cost");
        let min = money(&f.min, "min");
        let later_cost = money(&f.later_cost, "later_cost");
        if f.score.value.0.is_sign_negative() {
            errors.push(
                bad(&f.score.location, "score", format!("invalid score {}", f.score.value.0))
                    .hint("expected a number at least 0, e.g. `8` or `7.5`"),
            );
        }
        let strategy = f.strategy.as_ref().and_then(|s| match Strategy::parse(&s.value) {
            Some(v) => Some(v),
            None => {
                errors.push(
                    bad(&s.location, "strategy", format!("unknown strategy `{}`", quote(&s.value)))
                        .hint("expected earning, high_quality or safety (稼げるまち, ハイクオリティ, 安全・安心)"),
                );
                None
            }
        });
        let decision = f.decision.as_ref().and_then(|s| match Decision::parse(&s.value) {
            Some(v) => Some(v),
            None => {
                errors.push(
                    bad(&s.location, "decision", format!("unknown decision `{}`", quote(&s.value)))
                        .hint("expected `fund` or `reject` (採択 / 不採択), or leave `decision` out"),
                );
                None
            }
        });
        for (v, column) in [(&f.id, "id"), (&f.title, "title"), (&f.department, "department")] {
            if v.value.trim().is_empty() {
                errors.push(
                    bad(&v.location, column, format!("proposal without `{column}`"))
                        .hint(format!("every proposal states its `{column}`")),
                );
            }
        }
        if errors.len() > before {
            continue;
        }
        let mut p = Proposal {
            id: f.id.value.trim().to_string(),
            title: f.title.value.trim().to_string(),
            department: f.department.value.trim().to_string(),
            cost,
            score: f.score.value.0,
            scalable: f.scalable.as_ref().is_some_and(|b| b.value),
            min,
            later_cost,
            strategy,
            next_generation: f.next_generation.as_ref().is_some_and(|b| b.value),
            decision,
            note: f.note.clone().filter(|n| !n.trim().is_empty()),
            location: entry.location.clone(),
            department_at: f.department.location.clone(),
        };
        let at = |column: &str, msg: String| {
            let l =
                if column == "min" { f.min.as_ref().and_then(|m| m.location.clone()) } else { f.cost.location.clone() };
            bad(&l, column, msg)
        };
        if let Err(d) = check_amounts(&mut p, f.min.is_some(), at) {
            errors.push(d);
            continue;
        }
        errors.extend(twice(&out, &p));
        out.push(p);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Checks each proposal's bureau against the scenario's (an id or a name, written as its id) and
/// applies the decisions of `[proposal_decisions]` and `--set proposals.ID.decision=…`, which win
/// over the table's `決定` column.
pub(crate) fn settle(
    mut proposals: Vec<Proposal>,
    decisions: std::collections::BTreeMap<String, crate::scenario::Located<String>>,
    sc: &crate::scenario::Scenario,
) -> Result<Vec<Proposal>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    for p in &mut proposals {
        if sc.program(&p.id).is_some() {
            errors.push(
                Diagnostic::error(format!("proposal id `{}` is also a program's id", quote(&p.id)))
                    .at_opt(p.location.clone())
                    .hint("give proposals ids of their own, so `waku explain` can tell them from programs"),
            );
        }
        match sc.departments.iter().find(|d| d.id == p.department || d.name == p.department) {
            Some(d) => p.department = d.id.clone(),
            None => {
                let d =
                    Diagnostic::error(format!("proposal `{}` names unknown bureau `{}`", p.id, quote(&p.department)))
                        .at_opt(p.department_at.clone().or_else(|| p.location.clone()))
                        .suggest(&p.department, sc.departments.iter().map(|d| d.id.as_str()));
                errors.push(if d.hint.is_none() {
                    d.hint("name a bureau of the scenario by its id or its name")
                } else {
                    d
                });
            }
        }
    }
    for (id, written) in decisions {
        let Some(p) = proposals.iter_mut().find(|p| p.id == id) else {
            let d = Diagnostic::error(format!("a decision names unknown proposal `{}`", quote(&id)))
                .at_opt(written.location.clone())
                .suggest(&id, proposals.iter().map(|p| p.id.as_str()));
            let hint = if proposals.is_empty() {
                "the scenario has no proposals (`proposals = \"file.csv\"` or `[[proposals]]`)"
            } else {
                "name a proposal of the table by its id"
            };
            errors.push(if d.hint.is_none() { d.hint(hint) } else { d });
            continue;
        };
        match Decision::parse(&written.value) {
            Some(d) => p.decision = Some(d),
            None => errors.push(
                Diagnostic::error(format!("unknown decision `{}` for proposal `{id}`", quote(&written.value)))
                    .at_opt(written.location.clone())
                    .hint("expected `fund` or `reject` (採択 / 不採択)"),
            ),
        }
    }
    if errors.is_empty() { Ok(proposals) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_japanese_headers_units_and_locates_a_bad_score() {
        let src = Source::new(
            "p.csv",
            None,
            "提案番号,事業名,所管局,所要一般財源（千円）,評価点,段階実施,最低額（千円）\nP1,a,somu,\"1,000\",8,○,500\nP2,b,somu,2000,x,,\n",
        );
        let errs = read_proposals(&src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].place().unwrap(), "p.csv:3:16");
        let src = Source::new(
            "p.csv",
            None,
            "提案番号,事業名,所管局,所要一般財源（千円）,評価点,段階実施,最低額（千円）\nP1,a,somu,\"1,000\",8,○,500\n",
        );
        let p = read_proposals(&src).unwrap();
        assert_eq!((p[0].cost, p[0].min, p[0].scalable), (Money::yen(1_000_000), Money::yen(500_000), true));
    }
}
