//! Spreadsheets of a run for a budget officer: `--format csv` (the programs, one row per program
//! and year, for Excel) and `--format xlsx` (one sheet per table, [`xlsx`]).
//!
//! Both are built from the same [`Sheet`]s, so a column means the same in either. Money is whole
//! yen as a plain number (no grouping, no unit in the cell), so a spreadsheet computes with it and
//! its sums equal the JSON allocation to the yen: CSV headers say `（円）`; the workbook shows the
//! yen in 千円 with a number format and says so in the header ([`xlsx`]).
//!
//! The 事業 sheet is an inventory: its input columns carry the inventory's Japanese headers and
//! the scenario's values, so `inventory = "run.xlsx"` with `inventory_sheet = "事業"` reads it back
//! (the result columns, [`RESULT_COLUMNS`], are skipped by the reader).

mod columns;
mod xlsx;

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use super::text;
use crate::allocate::{Allocation, ProgramAllocation};
use crate::fiscal::{PlanOutcome, Ratio, RatioIndicator};
use crate::money::Money;
use crate::review::Review;
use crate::scenario::{Program, Scenario};
use crate::{Error, Result};
pub use columns::program_headers;
use columns::{INPUT_COLUMNS, input_cell, program_results};

/// One sheet per bureau of 査定調書 rows, named by the bureau (as Excel allows a tab's name).
fn satei_sheets(rows: &crate::report::satei::Rows) -> Vec<Sheet> {
    let mut headers: Vec<String> =
        ["事業コード", "事業名", "経費区分", "前年度予算額（円）", "要求額（円）", "点検の結論"]
            .map(String::from)
            .to_vec();
    for st in &rows.stages {
        headers.extend([
            format!("{st} 金額（円）"),
            format!("{st} 査定区分"),
            format!("{st} 理由"),
            format!("{st} 査定者"),
        ]);
    }
    headers.extend(["うち一般財源（円）", "額を決めたもの"].map(String::from));
    rows.bureaus
        .iter()
        .map(|(bureau, programs)| {
            let name: String = bureau.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
            let mut s = Sheet::with_headers(name, headers.clone());
            for p in programs {
                let mut cells = vec![
                    Value::text(&p.id),
                    Value::text(&p.name),
                    Value::text(&p.kind),
                    Value::Yen(p.prior_cost),
                    Value::Yen(p.requested),
                    Value::text(&p.action),
                ];
                for (amount, disposition, reason, author) in &p.stages {
                    cells.extend([
                        Value::Yen(*amount),
                        Value::text(disposition),
                        Value::text(reason),
                        Value::text(author),
                    ]);
                }
                cells.extend([Value::Yen(p.general_revenue), Value::text(&p.held_by)]);
                s.push(cells);
            }
            s
        })
        .collect()
}

/// One cell: what it holds decides how CSV and Excel write it.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(String),
    /// Whole yen: an integer in CSV, a number formatted `#,##0` in Excel.
    Yen(Money),
    /// A number with the Excel number format to show it with (`0.0`, `0.0000`, `0`).
    Number(Decimal, &'static str),
    /// A total row's sum of its column over the data rows (of `year` only, when given): a `SUM`
    /// (or `SUMIF` on the 年度 column) formula in Excel, with this value cached.
    Sum(Money, Option<i32>),
    /// The sum of the `n` total rows just above, as a formula, with this value cached.
    SumAbove(Money, usize),
    Empty,
}

impl Value {
    fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// The cell as CSV writes it (text that a spreadsheet would run as a formula made inert).
    fn csv(&self) -> String {
        match self {
            Value::Text(s) => crate::files::spreadsheet_text(s).into_owned(),
            Value::Yen(m) | Value::Sum(m, _) | Value::SumAbove(m, _) => m.as_decimal().normalize().to_string(),
            Value::Number(d, _) => d.normalize().to_string(),
            Value::Empty => String::new(),
        }
    }
}

/// A row; totals are written bold in Excel.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub cells: Vec<Value>,
    pub total: bool,
}

/// One table: a sheet of the workbook (its name is the sheet's tab).
#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    pub name: String,
    /// A money column's header ends in `（円）`; the workbook names the unit it shows instead.
    pub headers: Vec<String>,
    /// The data rows, under the filter: sorting them never mixes in a total.
    pub rows: Vec<Row>,
    /// Total rows, below the filter range (the workbook only; CSV writes the data rows).
    pub totals: Vec<Row>,
    /// Printed on A3 (wide tables) rather than A4, landscape either way.
    pub wide: bool,
}

impl Sheet {
    fn new(name: impl Into<String>, headers: &[&str]) -> Sheet {
        Sheet::with_headers(name, headers.iter().map(|h| h.to_string()).collect())
    }

    fn with_headers(name: impl Into<String>, headers: Vec<String>) -> Sheet {
        Sheet { name: name.into(), headers, rows: Vec::new(), totals: Vec::new(), wide: false }
    }

    fn push_sum(&mut self, cells: Vec<Value>) {
        self.totals.push(Row { cells, total: true });
    }

    fn push(&mut self, cells: Vec<Value>) {
        self.rows.push(Row { cells, total: false });
    }

    fn push_total(&mut self, cells: Vec<Value>) {
        self.rows.push(Row { cells, total: true });
    }
}

/// A workbook of plain tables (`waku evaluate --format xlsx`): each a sheet named `.0` with the
/// headers `.1` (a money column's ending in `（円）`) and the rows `.2`, money shown in `unit`.
pub(crate) fn tables_workbook(
    title: &str,
    unit: crate::money::Unit,
    tables: Vec<(String, Vec<String>, Vec<Vec<Value>>)>,
) -> Result<Vec<u8>> {
    let sheets: Vec<Sheet> = tables
        .into_iter()
        .map(|(name, headers, rows)| {
            let mut s = Sheet::with_headers(name, headers);
            s.wide = true;
            for r in rows {
                s.push(r);
            }
            s
        })
        .collect();
    xlsx::workbook(title, unit, &sheets)
}

/// The spreadsheets of one run (a single year, or every year of a plan).
pub struct RunSheets<'a> {
    outcome: &'a PlanOutcome,
    /// Per year (as `outcome.allocations`): program id → the review's reason.
    reasons: Vec<HashMap<&'a str, &'a str>>,
    /// Per year: program id → the program as the scenario states it (the inventory's inputs).
    inputs: Vec<HashMap<&'a str, &'a Program>>,
}

impl<'a> RunSheets<'a> {
    /// `reviews` are the years' reviews in the order of `outcome.allocations` (for the reasons);
    /// a year without one gets empty reasons.
    /// `scenarios` are the years' scenarios (for the inventory's inputs in the 事業 sheet).
    pub fn new(outcome: &'a PlanOutcome, reviews: &'a [Review], scenarios: &[&'a Scenario]) -> RunSheets<'a> {
        let reasons = (0..outcome.allocations.len())
            .map(|i| {
                reviews
                    .get(i)
                    .map(|r| r.programs.iter().map(|p| (p.id.as_str(), p.assessment.reason.as_str())).collect())
                    .unwrap_or_default()
            })
            .collect();
        let inputs = (0..outcome.allocations.len())
            .map(|i| {
                scenarios.get(i).map(|s| s.programs.iter().map(|p| (p.id.as_str(), p)).collect()).unwrap_or_default()
            })
            .collect();
        RunSheets { outcome, reasons, inputs }
    }

    /// `--format csv`: the programs table, UTF-8 with a byte-order mark (so Excel reads Japanese),
    /// CRLF line ends; with proposals, an empty line and then the 提案 table (its own headers).
    pub fn csv(&self) -> Result<Vec<u8>> {
        let mut out = write_csv(&self.programs())?;
        if self.outcome.allocations.iter().any(|a| !a.proposals.is_empty()) {
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&write_csv(&self.proposals())?[3..]);
        }
        Ok(out)
    }

    /// `--format xlsx`: 概要, 局別枠, 前年度比, 性質別, 事業, 制約, 財政指標; the same bytes for the
    /// same run.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        self.xlsx_with(None)
    }

    /// [`RunSheets::xlsx`] of a stage of the budget cycle: after the run's sheets, one sheet per
    /// bureau of 査定調書 rows (each stage's amount, disposition, reason and author, then the
    /// final amount and what holds it).
    pub fn xlsx_with(&self, stages: Option<&crate::report::satei::Rows>) -> Result<Vec<u8>> {
        let title = format!("{} {}", self.outcome.city, self.outcome.plan);
        let unit = self.outcome.allocations.first().map_or(crate::money::Unit::Sen, |a| a.display_unit);
        let mut sheets = vec![
            self.summary(),
            self.envelopes(),
            self.by_bureau(),
            self.by_kind(),
            self.programs(),
            self.constraints(),
            self.indicators(),
        ];
        if self.outcome.allocations.iter().any(|a| !a.proposals.is_empty()) {
            sheets.push(self.proposals());
        }
        if let Some(rows) = stages {
            sheets.extend(satei_sheets(rows));
        }
        xlsx::workbook(&title, unit, &sheets)
    }

    /// The year of a total row: `Some` in a plan (totals per year), `None` for a single year.
    fn sum_year(&self, a: &Allocation) -> Option<i32> {
        self.outcome.multi_year.then_some(a.fiscal_year)
    }

    fn years(&self) -> impl Iterator<Item = (Value, &'a Allocation)> + '_ {
        self.outcome.allocations.iter().map(|a| (year(a.fiscal_year), a))
    }

    /// 概要: the totals of each year, with their limits and targets.
    pub(crate) fn summary(&self) -> Sheet {
        let mut s = Sheet::new("概要", &["年度", "項目", "金額（円）", "上限・目標・要求（円）", "注記"]);
        for (y, a) in self.years() {
            let envelopes: Money = a.envelopes.iter().map(|e| e.amount).sum();
            let row = |label: &str, amount: Money, bound: Option<Money>, note: String| {
                vec![
                    y.clone(),
                    Value::text(label),
                    Value::Yen(amount),
                    bound.map_or(Value::Empty, Value::Yen),
                    Value::Text(note),
                ]
            };
            s.push(vec![
                y.clone(),
                Value::text("自治体・シナリオ"),
                Value::Empty,
                Value::Empty,
                Value::text(format!("{} {}", a.city, a.scenario)),
            ]);
            s.push(vec![y.clone(), Value::text("ソルバー"), Value::Empty, Value::Empty, Value::text(&a.solver)]);
            for line in crate::report::set_lines(&[(a.fiscal_year, &a.overrides)], crate::money::Unit::Yen) {
                s.push(vec![
                    y.clone(),
                    Value::text("前提の変更（--set）"),
                    Value::Empty,
                    Value::Empty,
                    Value::text(line),
                ]);
            }
            s.push(row("一般財源", a.general_revenue, None, String::new()));
            s.push(row("基金取崩し", a.fund_drawdown, None, "財源調整用基金から".into()));
            s.push(row("基金積立", a.fund_deposit, None, "配分しきれない一般財源".into()));
            s.rows.push(Row {
                cells: row("配分可能な一般財源", a.available, None, "= 局別枠合計 + 市長調整枠".into()),
                total: true,
            });
            s.push(row("局別枠合計", envelopes, None, String::new()));
            s.push(row("市長調整枠", a.reserve, None, format!("配分可能額の{}%", percent(a.reserve_share))));
            s.push(row("事業費合計", a.total_allocated, Some(a.total_requested), "要求額".into()));
            s.push(row("投資的経費", a.investment, Some(a.investment_cap), "上限".into()));
            s.push(row("市債発行額", a.bond_issuance, Some(a.bond_issuance_cap), "上限".into()));
            s.push(row("市債償還額", a.bond_redemption, None, String::new()));
            s.push(row("市債残高（年度当初）", a.bond_balance_start, None, String::new()));
            s.push(row("市債残高（年度末）", a.bond_balance_end, None, "当初 + 発行 − 償還".into()));
            s.push(row("基金残高（年度当初）", a.fund_balance_start, None, String::new()));
            s.push(row("基金残高（年度末）", a.fund_balance_end, Some(a.fund_floor), "下限".into()));
            s.push(row("次世代投資枠", a.next_generation, Some(a.next_generation_target), "目標（事業費）".into()));
        }
        if self.outcome.multi_year {
            let o = self.outcome;
            s.push(vec![
                Value::text("計画期間"),
                Value::text("次世代投資枠（累計）"),
                Value::Yen(o.next_generation_total),
                Value::Yen(o.next_generation_target),
                Value::text("目標（計画期間の累計）"),
            ]);
        }
        s
    }

    /// 局別枠: each bureau's envelope against its base and bounds; the totals reconcile to the
    /// available general revenue.
    pub(crate) fn envelopes(&self) -> Sheet {
        let mut s = Sheet::new(
            "局別枠",
            &[
                "年度",
                "局コード",
                "局名",
                "基準額（円）",
                "要求額（円）",
                "下限（円）",
                "上限（円）",
                "配分枠（円）",
                "対基準増減（円）",
                "対基準増減率（%）",
            ],
        );
        for (y, a) in self.years() {
            for e in &a.envelopes {
                let mut row = vec![y.clone(), Value::text(&e.department), Value::text(&e.name)];
                row.extend(yen([e.base, e.requested, e.floor, e.ceiling, e.amount, e.amount - e.base]));
                row.push(change_percent(e.amount, e.base));
                s.push(row);
            }
        }
        for (y, a) in self.years() {
            let base: Money = a.envelopes.iter().map(|e| e.base).sum();
            let requested: Money = a.envelopes.iter().map(|e| e.requested).sum();
            let total: Money = a.envelopes.iter().map(|e| e.amount).sum();
            let e = Value::Empty;
            let year = self.sum_year(a);
            let mut row = vec![y.clone(), e.clone(), Value::text("局別枠合計")];
            row.extend(sums([base, requested], year));
            row.extend([e.clone(), e.clone()]);
            row.extend(sums([total, total - base], year));
            row.push(change_percent(total, base));
            s.push_sum(row);
            let mut reserve = vec![Value::Empty; 10];
            reserve[0] = y.clone();
            reserve[2] = Value::text("市長調整枠");
            reserve[7] = Value::Yen(a.reserve);
            s.push_sum(reserve);
            let mut available = vec![Value::Empty; 10];
            available[0] = y.clone();
            available[2] = Value::text("配分可能な一般財源");
            available[7] = Value::SumAbove(a.available, 2);
            s.push_sum(available);
        }
        s
    }

    /// 事業: one row per program (and year): what was asked, what the review allowed, what was
    /// allocated, how it is financed and what holds it there, then the inventory's other inputs —
    /// so the sheet reads back as the inventory it came from. A total row per year below.
    pub(crate) fn programs(&self) -> Sheet {
        let mut s = Sheet::with_headers("事業", program_headers());
        s.wide = true;
        for (((y, a), reasons), inputs) in self.years().zip(&self.reasons).zip(&self.inputs) {
            let names: HashMap<&str, &str> =
                a.envelopes.iter().map(|e| (e.department.as_str(), e.name.as_str())).collect();
            for p in &a.programs {
                let mut row = vec![
                    y.clone(),
                    Value::text(&p.id),
                    Value::text(&p.name),
                    Value::text(&p.department),
                    Value::text(names.get(p.department.as_str()).copied().unwrap_or("")),
                    Value::text(p.kind.label()),
                    p.nature.map_or(Value::Empty, |n| Value::text(n.label())),
                ];
                row.extend(program_results(p, reasons.get(p.id.as_str()).copied().unwrap_or("")));
                let input = inputs.get(p.id.as_str()).copied();
                row.extend(INPUT_COLUMNS.iter().map(|c| input.map_or(Value::Empty, |i| input_cell(i, c))));
                s.push(row);
            }
        }
        for (y, a) in self.years() {
            let year = self.sum_year(a);
            let sum = |f: fn(&ProgramAllocation) -> Money| Value::Sum(a.programs.iter().map(f).sum(), year);
            let mut row = vec![y.clone(), Value::Empty, Value::text("合計")];
            row.resize(8, Value::Empty);
            row.extend([
                sum(|p| p.prior_cost),
                sum(|p| p.requested),
                sum(|p| p.min),
                sum(|p| p.max),
                sum(|p| p.allocated),
                sum(|p| p.allocated - p.requested),
                sum(|p| p.allocated - p.prior_cost),
                sum(|p| p.general_revenue),
                sum(|p| p.subsidy),
                sum(|p| p.fees),
                sum(|p| p.bonds),
            ]);
            s.push_sum(row);
        }
        s
    }

    /// 前年度比: each bureau's 事業費 against its 前年度当初 (増減 and %), a total row per year.
    pub(crate) fn by_bureau(&self) -> Sheet {
        let mut s = Sheet::new(
            "前年度比",
            &[
                "年度",
                "局コード",
                "局名",
                "前年度当初（円）",
                "要求額（円）",
                "本年度（円）",
                "増減（円）",
                "増減率（%）",
            ],
        );
        for (y, a) in self.years() {
            for b in &a.by_bureau {
                let mut row = vec![y.clone(), Value::text(&b.department), Value::text(&b.name)];
                row.extend(yen([b.prior_cost, b.requested, b.allocated, b.change]));
                row.push(change_percent(b.allocated, b.prior_cost));
                s.push(row);
            }
        }
        for (y, a) in self.years() {
            let year = self.sum_year(a);
            let prior: Money = a.by_bureau.iter().map(|b| b.prior_cost).sum();
            let requested: Money = a.by_bureau.iter().map(|b| b.requested).sum();
            let now: Money = a.by_bureau.iter().map(|b| b.allocated).sum();
            let mut row = vec![y.clone(), Value::Empty, Value::text("合計")];
            row.extend(sums([prior, requested, now, now - prior], year));
            row.push(change_percent(now, prior));
            s.push_sum(row);
        }
        s
    }

    /// 性質別: the programs' totals by kind of expense, a total row per year.
    pub(crate) fn by_kind(&self) -> Sheet {
        let mut s = Sheet::new(
            "性質別",
            &[
                "年度",
                "性質別",
                "事業数",
                "前年度当初（円）",
                "要求額（円）",
                "本年度（円）",
                "増減（円）",
                "増減率（%）",
                "うち一般財源（円）",
            ],
        );
        for (y, a) in self.years() {
            for k in &a.by_kind {
                s.push(vec![
                    y.clone(),
                    Value::text(k.label()),
                    Value::Number(Decimal::from(k.programs), "0"),
                    Value::Yen(k.prior_cost),
                    Value::Yen(k.requested),
                    Value::Yen(k.allocated),
                    Value::Yen(k.allocated - k.prior_cost),
                    change_percent(k.allocated, k.prior_cost),
                    Value::Yen(k.general_revenue),
                ]);
            }
        }
        for (y, a) in self.years() {
            let year = self.sum_year(a);
            let sum = |f: fn(&crate::allocate::KindTotal) -> Money| a.by_kind.iter().map(f).sum::<Money>();
            let (prior, now) = (sum(|k| k.prior_cost), sum(|k| k.allocated));
            s.push_sum(vec![
                y.clone(),
                Value::text("合計"),
                Value::Number(Decimal::from(a.programs.len()), "0"),
                Value::Sum(prior, year),
                Value::Sum(sum(|k| k.requested), year),
                Value::Sum(now, year),
                Value::Sum(now - prior, year),
                change_percent(now, prior),
                Value::Sum(sum(|k| k.general_revenue), year),
            ]);
        }
        s
    }

    /// 制約: every named limit of the model with its value, slack and shadow price; a plan's
    /// path limits after them.
    pub(crate) fn constraints(&self) -> Sheet {
        let mut s = Sheet::new(
            "制約",
            &[
                "年度",
                "制約",
                "内容",
                "向き",
                "限度（円）",
                "値（円）",
                "余裕（円）",
                "拘束",
                "シャドープライス",
                "意味",
            ],
        );
        for (y, a) in self.years() {
            for c in &a.constraints {
                s.push(vec![
                    y.clone(),
                    Value::text(&c.name),
                    Value::text(c.kind.label_ja()),
                    Value::text(c.sense.math()),
                    Value::Yen(c.limit),
                    Value::Yen(c.value),
                    Value::Yen(c.slack),
                    Value::text(if c.binding { "○" } else { "" }),
                    c.shadow_price
                        .and_then(|p| Decimal::from_f64(p).map(|d| d.round_dp(6)))
                        .map_or(Value::Empty, |d| Value::Number(d, "0.0000")),
                    Value::text(if c.binding {
                        c.price_words_ja(a.display_unit)
                    } else {
                        format!("拘束していません（余裕 {}）", c.slack.format(a.display_unit))
                    }),
                ]);
            }
        }
        if self.outcome.multi_year {
            for c in &self.outcome.path {
                s.push(vec![
                    Value::text("計画期間"),
                    Value::text(&c.name),
                    Value::text(c.kind.label_ja()),
                    Value::text(c.sense.math()),
                    Value::Yen(c.limit),
                    Value::Yen(c.value),
                    Value::Yen((c.limit - c.value).abs()),
                    Value::text(if c.binding { "○" } else { "" }),
                    Value::Empty,
                    Value::text(if c.holds { "守られている" } else { "違反" }),
                ]);
            }
        }
        s
    }

    /// 提案: the proposals for the mayor's reserve, funded or not and why (only with proposals).
    pub(crate) fn proposals(&self) -> Sheet {
        let mut s = Sheet::new(
            "提案",
            &[
                "年度",
                "提案番号",
                "事業名",
                "所管局",
                "所要一般財源（円）",
                "最低額（円）",
                "評価点",
                "次世代投資枠",
                "採否",
                "計上額（円）",
                "後年度負担（円）",
                "理由",
            ],
        );
        for (y, a) in self.years() {
            for p in &a.proposals {
                s.push(vec![
                    y.clone(),
                    Value::text(&p.id),
                    Value::text(&p.title),
                    Value::text(&p.department_name),
                    Value::Yen(p.cost),
                    Value::Yen(p.min),
                    Value::Number(p.score, "0.0"),
                    Value::text(if p.next_generation { "○" } else { "" }),
                    Value::text(if p.funded { "採択" } else { "不採択" }),
                    Value::Yen(p.amount),
                    Value::Yen(p.later_cost),
                    Value::text(&p.reason),
                ]);
            }
            if let Some(r) = &a.proposal_reserve {
                let label = format!(
                    "市長調整枠 {}（残り {}）",
                    a.reserve.format(a.display_unit),
                    r.remaining.format(a.display_unit)
                );
                s.push_sum(vec![
                    y.clone(),
                    Value::text("計"),
                    Value::text(label),
                    Value::Empty,
                    Value::Yen(r.requested),
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                    Value::text(format!("採択 {}件", r.funded)),
                    Value::Yen(r.used),
                    Value::Yen(r.later_cost),
                    Value::Empty,
                ]);
            }
        }
        s
    }

    /// 財政指標: each year's balances and ratios, one row per indicator and threshold.
    pub(crate) fn indicators(&self) -> Sheet {
        let mut s = Sheet::new("財政指標", &["年度", "指標", "値", "単位", "基準", "基準の種類", "判定", "注記"]);
        for h in &self.outcome.fiscal_health.years {
            let y = year(h.year);
            let money = |label: &str, m: Money| {
                vec![
                    y.clone(),
                    Value::text(label),
                    Value::Yen(m),
                    Value::text("円"),
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                ]
            };
            s.push(money("市債残高（年度末）", h.bond_balance));
            s.push(money("基金残高（年度末）", h.fund_balance));
            s.push(money("収支ギャップ（対策前）", h.fiscal_gap));
            let ratios = [
                ("実質公債費比率（3か年平均）", Some(RatioIndicator::RealDebtService), h.real_debt_service_ratio),
                ("実質公債費比率（単年度）", None, h.real_debt_service_ratio_single_year),
                ("将来負担比率", Some(RatioIndicator::FutureBurden), h.future_burden_ratio),
                ("経常収支比率", Some(RatioIndicator::OrdinaryBalance), h.ordinary_balance_ratio),
            ];
            for (label, id, value) in ratios {
                let v = value.map_or(Value::Empty, ratio_value);
                let checks: Vec<_> = h.checks.iter().filter(|c| Some(c.indicator) == id).collect();
                if checks.is_empty() {
                    let note = if value.is_none() { "[fiscal] の入力がないため未計算" } else { "" };
                    s.push(vec![
                        y.clone(),
                        Value::text(label),
                        v.clone(),
                        Value::text("%"),
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                        Value::text(note),
                    ]);
                }
                for c in checks {
                    s.push(vec![
                        y.clone(),
                        Value::text(label),
                        v.clone(),
                        Value::text("%"),
                        ratio_value(c.threshold),
                        Value::text(c.kind.label_ja()),
                        Value::text(c.status.label_ja()),
                        Value::text(if c.constraint {
                            format!("最適化の制約。{}", c.note_ja())
                        } else {
                            c.note_ja().to_string()
                        }),
                    ]);
                }
            }
            s.push_total(vec![
                y.clone(),
                Value::text("総合判定"),
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::text(h.status.label_ja()),
                Value::Empty,
            ]);
        }
        s
    }
}

/// Amounts as whole-yen cells.
fn yen<const N: usize>(amounts: [Money; N]) -> [Value; N] {
    amounts.map(Value::Yen)
}

/// Amounts as a year's total cells (a `SUM` formula in the workbook, this value cached).
fn sums<const N: usize>(amounts: [Money; N], year: Option<i32>) -> [Value; N] {
    amounts.map(|m| Value::Sum(m, year))
}

fn write_csv(sheet: &Sheet) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::internal(format!("the CSV could not be written: {e}"));
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(&sheet.headers).map_err(fail)?;
    for r in &sheet.rows {
        w.write_record(r.cells.iter().map(Value::csv)).map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::internal(format!("the CSV could not be written: {}", e.error())))
}

fn year(y: i32) -> Value {
    Value::Number(Decimal::from(y), "0")
}

fn percent(share: Decimal) -> String {
    text::percent(share).to_string()
}

/// A change in percent to 0.1, as a number; empty without a base.
fn change_percent(now: Money, before: Money) -> Value {
    text::change_percent(now, before, 1).map_or(Value::Empty, |p| Value::Number(p, "0.0"))
}

/// A ratio as the percent JSON prints (truncated to 0.1), as a number.
fn ratio_value(r: Ratio) -> Value {
    r.percent().parse::<Decimal>().map_or(Value::Empty, |d| Value::Number(d, "0.0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_money_is_plain_whole_yen_with_a_bom() {
        let mut s = Sheet::new("t", &["事業名", "要求額（円）"]);
        s.push(vec![Value::text("子育て, 支援"), Value::Yen(Money::yen(12_345_000))]);
        let bytes = write_csv(&s).unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "事業名,要求額（円）\r\n\"子育て, 支援\",12345000\r\n");
    }

    #[test]
    fn change_percent_is_empty_without_a_base() {
        assert!(matches!(change_percent(Money::yen(5), Money::ZERO), Value::Empty));
        assert!(
            matches!(change_percent(Money::yen(110), Money::yen(100)), Value::Number(d, _) if d == Decimal::new(100, 1))
        );
    }
}
