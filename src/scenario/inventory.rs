//! Program inventories (事務事業一覧) as CSV, the way officials export them from spreadsheets, or as
//! Excel workbooks ([`xlsx`]: a worksheet is read as CSV text and validated the same way).
//!
//! The text is already decoded ([`super::encoding`]: UTF-8, UTF-16, Shift_JIS); the header row names the columns in English or Japanese
//! (see [`COLUMNS`]); columns may come in any order; unknown columns are an error (a typo
//! would otherwise silently drop data). Money cells are written like `"12,345千円"`.

pub(crate) mod proposals;
mod xlsx;

use std::sync::Arc;

use super::file::{ClusterFile, ClusterId, Number, ProgramFile};
use super::located::Located;
use crate::diagnostic::{Diagnostic, Location, Source, quote};
use crate::money::{Money, Unit};
use crate::number::{MAX_NUMBER, parse_unbounded as parse_number_unbounded};

pub use xlsx::YEN_CELLS_NAME;
pub(crate) use xlsx::{is_workbook, read_sheet};

/// The inventory columns: English name, Japanese name, what it holds.
pub const COLUMNS: [(&str, &str, &str); 27] = [
    ("id", "事業番号", "unique program id"),
    ("name", "事業名", "program name"),
    ("department", "所管局", "owning bureau id"),
    ("cluster", "クラスター", "business cluster id"),
    ("kind", "経費区分", "mandatory / discretionary / investment / new (義務的 / 裁量的 / 投資的 / 新規)"),
    ("prior_cost", "前年度予算額", "last year's budget (money)"),
    ("requested", "要求額", "this year's request (money)"),
    ("subsidy_ratio", "補助率", "国庫・県支出金 share of cost, 0..1"),
    ("fees", "使用料等", "使用料・手数料 at the requested level (money)"),
    ("bondable_share", "起債充当率", "share of cost financed by bonds, 0..1"),
    ("strategy", "重点戦略", "earning / high_quality / safety (稼げるまち / ハイクオリティ / 安全・安心)"),
    ("next_generation", "次世代投資枠", "counts toward the next-generation frame (true/false)"),
    ("all_or_nothing", "全額採否", "a new initiative funded in full or not at all (true/false)"),
    ("demand_trend", "需要の変化", "relative change in demand, e.g. -0.3"),
    ("satisfaction", "市民ニーズ", "citizen need / satisfaction, 0..1"),
    ("overlap_with", "重複事業", "id of a program with the same purpose"),
    ("service_level", "実施水準", "service level against the national standard (1.0 = same)"),
    ("digital_share", "デジタル化率", "share of procedures online, 0..1"),
    ("private_capacity", "民間参入可能性", "how far private providers could deliver it, 0..1"),
    ("outsourced", "民間委託済", "already outsourced (true/false)"),
    ("natural_savings", "自然減", "savings not of the bureau's own doing, e.g. bid-price differences (money)"),
    ("kpi_indicator", "成果指標", "KPI name"),
    ("kpi_baseline", "基準値", "KPI baseline"),
    ("kpi_target", "目標値", "KPI target"),
    ("kpi_actual", "実績値", "KPI latest actual"),
    (
        "kpi_direction",
        "指標の方向",
        "higher / lower: which way the KPI is better (高いほどよい / 低いほどよい; default higher)",
    ),
    (
        "nature",
        "性質別",
        "kind of expense: 人件費, 扶助費, 公債費, 物件費, 維持補修費, 補助費等, 積立金, 投資・出資金・貸付金, 繰出金, 投資的経費",
    ),
];

/// The columns of the 事業 sheet that `waku run --format xlsx|csv` writes as results of a run, not
/// inputs: an inventory may carry them (a workbook waku wrote, or an officer's edited copy of it),
/// and the reader skips them. Matched like the inventory's own headers (the text before a bracket).
pub const RESULT_COLUMNS: [&str; 14] = [
    "年度",
    "局名",
    "今後の方向性",
    "見直し下限",
    "見直し上限",
    "配分額",
    "対要求増減",
    "対前年度増減",
    "一般財源",
    "国県支出金",
    "使用料・手数料",
    "市債",
    "優先度",
    "配分を決めたもの",
];

/// More result columns (after [`RESULT_COLUMNS`]): the binding limits, the review's reason and
/// the allocation's (配分の理由).
pub const RESULT_NOTES: [&str; 3] = ["拘束している制約", "見直しの理由", "配分の理由"];

/// A header's name without its bracket: `要求額（千円）` → `要求額`.
fn header_name(header: &str) -> &str {
    let name = header.trim();
    name.split(['（', '(']).next().unwrap_or(name).trim()
}

/// Whether a header names a money column (English or Japanese, with or without a unit).
pub(crate) fn is_money_header(header: &str) -> bool {
    let name = header_name(header);
    COLUMNS.iter().any(|(en, ja, _)| MONEY_COLUMNS.contains(en) && (*en == name || *ja == name))
}

/// The index [`column_index`] gives a result column: the reader skips its cells.
const SKIPPED: usize = usize::MAX;

/// `row N, column \`name\`` for a location inside a CSV inventory, read from the header line.
pub(crate) fn cell_note(loc: &Location) -> Option<String> {
    let is_csv = loc.source.path.as_ref().and_then(|p| p.extension()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv && loc.source.sheet.is_none() {
        return None;
    }
    let text = &*loc.source.text;
    let (line, _) = loc.source.line_col(loc.span.start);
    if line < 2 {
        return None;
    }
    let line = spreadsheet_row(&loc.source.text, loc.span.start).unwrap_or(line);
    let index = loc.source.cell_index(loc.span.start) as usize;
    // A worksheet's header row may stand below empty rows.
    let header = text.lines().find(|l| !l.trim().is_empty())?;
    let name = header.split(',').nth(index)?.trim();
    Some(format!("row {line}, column `{name}`"))
}

/// The row a spreadsheet shows for the byte `offset` of CSV text: its line, less the line breaks
/// inside quoted cells before it (a cell with a line break is one row in Excel, two lines of text).
fn spreadsheet_row(text: &str, offset: usize) -> Option<usize> {
    let before = text.get(..offset)?;
    let (mut row, mut quoted) = (1, false);
    for b in before.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => row += 1,
            _ => {}
        }
    }
    Some(row)
}

/// CSV text read record by record (one record buffer, reused), with every cell's byte range in
/// the source.
pub(super) struct Table<'s> {
    source: &'s Arc<Source>,
    reader: csv::Reader<&'s [u8]>,
    record: csv::ByteRecord,
    ranges: Vec<std::ops::Range<usize>>,
    /// Line breaks inside quoted cells so far: text lines that are not spreadsheet rows.
    inner_breaks: usize,
}

/// One record of a [`Table`]: its spreadsheet row and its cells.
pub(super) struct Row<'t> {
    /// The row as a spreadsheet numbers it (a line break inside a quoted cell does not start one).
    pub(super) line: usize,
    text: &'t str,
    record: &'t csv::ByteRecord,
    ranges: &'t [std::ops::Range<usize>],
}

impl<'t> Row<'t> {
    fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Each cell's text (quotes removed) and its byte range in the source.
    pub(super) fn cells(&self) -> impl Iterator<Item = (&'t str, std::ops::Range<usize>)> + '_ {
        let (text, record) = (self.text, self.record);
        record.iter().zip(self.ranges.iter().cloned()).map(move |(field, range)| {
            // The field as written, unless the reader unescaped it (`""` within quotes): then its own
            // bytes, which are UTF-8 as the source is.
            let cell = match text.get(range.clone()) {
                Some(raw) if raw.as_bytes() == field => raw,
                _ => std::str::from_utf8(field).unwrap_or_default(),
            };
            (cell, range)
        })
    }

    /// From the first cell's start to the last cell's end.
    pub(super) fn span(&self) -> std::ops::Range<usize> {
        self.ranges.first().map_or(0, |r| r.start)..self.ranges.last().map_or(0, |r| r.end)
    }
}

impl<'s> Table<'s> {
    pub(super) fn new(source: &'s Arc<Source>) -> Table<'s> {
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(source.text.as_bytes());
        Table { source, reader, record: csv::ByteRecord::new(), ranges: Vec::new(), inner_breaks: 0 }
    }

    /// The next record that is not blank, or `None` at the end of the text.
    pub(super) fn next_row(&mut self) -> Result<Option<Row<'_>>, Diagnostic> {
        let text = &*self.source.text;
        loop {
            // Bytes: the source is UTF-8 already (checked when it was read), so each cell is too.
            let more = self.reader.read_byte_record(&mut self.record).map_err(|e| {
                let offset = e.position().map_or(0, |p| p.byte() as usize);
                Diagnostic::error(format!("cannot read CSV: {e}"))
                    .at(Location::new(self.source, offset..offset + 1))
                    .hint("save the inventory from the spreadsheet as CSV (\"CSV UTF-8\" or \"CSV (コンマ区切り)\")")
            })?;
            if !more {
                return Ok(None);
            }
            // With CRLF line ends the reported start is the `\n` before the record,
            // and its line number one short: skip it and count it (never rescan the file: O(n²)).
            let position = self.record.position();
            let mut start = position.map_or(0, |p| p.byte() as usize);
            let mut line = position.map_or(0, |p| p.line() as usize);
            while let Some(b) = text.as_bytes().get(start).copied().filter(|b| *b == b'\n' || *b == b'\r') {
                if b == b'\n' {
                    line += 1;
                }
                start += 1;
            }
            let row = line - self.inner_breaks;
            self.inner_breaks += self.record.iter().map(|f| f.iter().filter(|b| **b == b'\n').count()).sum::<usize>();
            if self.record.iter().all(|v| std::str::from_utf8(v).is_ok_and(|v| v.trim().is_empty())) {
                continue;
            }
            if let Some(open) = raw_field_ranges(text, start, self.record.len(), &mut self.ranges) {
                return Err(Diagnostic::error("a quote opened in this cell is never closed")
                    .at(Location::new(self.source, open..open + 1))
                    .note(format!("row {row}: the rest of the file was read as this one cell"))
                    .hint("close the quote; a quote inside a quoted cell is written twice (\"\")"));
            }
            return Ok(Some(Row { line: row, text, record: &self.record, ranges: &self.ranges }));
        }
    }

    /// The header row's cells, or an error when the text has no rows.
    fn headers(&mut self) -> Result<Vec<(String, std::ops::Range<usize>)>, Diagnostic> {
        match self.next_row()? {
            Some(row) => Ok(row.cells().map(|(v, r)| (v.to_string(), r)).collect()),
            None => Err(Diagnostic::error("the inventory is empty")
                .at(Location::new(self.source, 0..0))
                .hint("the first row names the columns, e.g. `id,name,department,kind,prior_cost,requested`")),
        }
    }
}

/// The raw byte range of each field of the record starting at `start` (quotes excluded); the
/// offset of an opening quote that is never closed, if there is one.
fn raw_field_ranges(text: &str, start: usize, n: usize, out: &mut Vec<std::ops::Range<usize>>) -> Option<usize> {
    let bytes = text.as_bytes();
    out.clear();
    let mut i = start;
    while out.len() < n {
        if i < bytes.len() && bytes[i] == b'"' {
            let s = i + 1;
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            if i >= bytes.len() {
                return Some(s - 1);
            }
            out.push(s..i.min(bytes.len()));
            while i < bytes.len() && bytes[i] != b',' && bytes[i] != b'\n' {
                i += 1;
            }
        } else {
            let s = i;
            while i < bytes.len() && bytes[i] != b',' && bytes[i] != b'\n' && bytes[i] != b'\r' {
                i += 1;
            }
            out.push(s..i);
            while i < bytes.len() && bytes[i] != b',' && bytes[i] != b'\n' {
                i += 1;
            }
        }
        if i < bytes.len() && bytes[i] == b',' {
            i += 1;
        }
    }
    None
}

/// The money columns: a unit in their header's brackets applies to their bare numbers.
const MONEY_COLUMNS: [&str; 4] = ["prior_cost", "requested", "fees", "natural_savings"];

/// The unit a header names in brackets (`要求額（千円）`, `requested (千円)`), if any: `Ok(None)` for
/// none, `Err(text)` for a bracket that does not name a unit.
fn header_unit(header: &str) -> Result<Option<Unit>, &str> {
    let Some((_, rest)) = header.trim().split_once(['（', '(']) else { return Ok(None) };
    let inner = rest.trim_end().trim_end_matches(['）', ')']).trim();
    Unit::parse(inner).map(Some).ok_or(inner)
}

/// For each header cell: its column (an index into [`COLUMNS`]) and, for a money column, the unit
/// its bare numbers are in (円 when the header names none).
fn column_index(
    headers: &[(String, std::ops::Range<usize>)],
    source: &Arc<Source>,
) -> Result<Vec<(usize, Unit)>, Diagnostic> {
    let mut map = Vec::with_capacity(headers.len());
    let mut seen: Vec<Option<usize>> = vec![None; COLUMNS.len()];
    for (i, (h, range)) in headers.iter().enumerate() {
        let name = header_name(h);
        let found = COLUMNS.iter().position(|(en, ja, _)| *en == name || *ja == name);
        if found.is_none() && (RESULT_COLUMNS.contains(&name) || RESULT_NOTES.contains(&name)) {
            map.push((SKIPPED, Unit::Yen));
            continue;
        }
        match found {
            Some(c) => {
                if seen[c].is_some() {
                    return Err(Diagnostic::error(format!("column `{}` appears twice", COLUMNS[c].0))
                        .at(Location::new(source, range.clone()))
                        .hint("remove or rename one of the two columns"));
                }
                seen[c] = Some(i);
                let unit = if MONEY_COLUMNS.contains(&COLUMNS[c].0) {
                    money_unit(source, h, range.clone())?
                } else {
                    Unit::Yen
                };
                map.push((c, unit));
            }
            None => {
                let names = COLUMNS.iter().flat_map(|(en, ja, _)| [*en, *ja]);
                return Err(Diagnostic::error(format!("unknown inventory column `{name}`"))
                    .at(Location::new(source, range.clone()))
                    .suggest(name, names)
                    .note("the columns waku reads are listed in README.md (英語または日本語の見出し)"));
            }
        }
    }
    for required in ["id", "name", "department", "kind", "requested"] {
        let c = COLUMNS.iter().position(|(en, _, _)| *en == required).unwrap_or(0);
        if seen[c].is_none() {
            return Err(Diagnostic::error(format!("the inventory has no `{required}` column"))
                .at(Location::new(source, 0..headers.last().map_or(0, |h| h.1.end)))
                .hint(format!("add a column `{required}` (or `{}`)", COLUMNS[c].1)));
        }
    }
    Ok(map)
}

/// The unit of a money column's bare numbers, from its header's brackets (円 when it names none).
fn money_unit(source: &Arc<Source>, header: &str, range: std::ops::Range<usize>) -> Result<Unit, Diagnostic> {
    header_unit(header).map(|u| u.unwrap_or(Unit::Yen)).map_err(|found| {
        Diagnostic::error(format!(
            "the header `{}` names `{}`, which is not a unit of money",
            quote(header.trim()),
            quote(found)
        ))
        .at(Location::new(source, range))
        .hint("write the unit of the column's numbers in brackets: （円）, （千円）, （万円）, （百万円）, （億円）, or none")
    })
}

/// A row whose cells do not match the header's: a quote left open (its cell runs on past the
/// line's end: name the quote, not the count), or the count.
fn count_error(source: &Arc<Source>, row: &Row, headers: usize) -> Diagnostic {
    if let Some(open) = row.ranges.iter().find(|r| {
        r.start > 0
            && source.text.as_bytes()[r.start - 1] == b'"'
            && source.text.get(r.start..r.end).is_some_and(|t| t.contains('\n'))
    }) {
        let at = open.start - 1;
        return Diagnostic::error("a quote opened in this cell is not closed on its line")
            .at(Location::new(source, at..at + 1))
            .note(format!(
                "row {}: the cell runs on into the next lines, so the row has {} cells instead of {headers}",
                row.line,
                row.len()
            ))
            .hint("close the quote; a quote inside a quoted cell is written twice (\"\")");
    }
    Diagnostic::error(format!("row {} has {} cells but the header has {headers}", row.line, row.len()))
        .at(Location::new(source, row.span()))
        .hint("quote cells that contain commas, e.g. \"12,345千円\"")
}

fn cell_error(source: &Arc<Source>, row: &Row, column: &str, range: std::ops::Range<usize>, msg: String) -> Diagnostic {
    Diagnostic::error(msg).at(Location::new(source, range)).note(format!("row {}, column `{column}`", row.line))
}

/// Reads a program inventory into program entries whose values point at their cells.
pub(crate) fn read_programs(source: &Arc<Source>) -> Result<Vec<Located<ProgramFile>>, Vec<Diagnostic>> {
    let mut table = Table::new(source);
    let headers = table.headers().map_err(|d| vec![d])?;
    let columns = column_index(&headers, source).map_err(|d| vec![d])?;
    // Room for a program per 128 bytes (a typical inventory row is about 160).
    let mut programs = Vec::with_capacity(source.text.len() / 128);
    let mut errors = Vec::new();
    while let Some(row) = table.next_row().map_err(|d| vec![d])? {
        if row.len() != headers.len() {
            errors.push(count_error(source, &row, headers.len()));
            continue;
        }
        let p = program_of_row(source, &row, &columns, &mut errors);
        programs.push(Located::new(p, Some(Location::new(source, row.span()))));
    }
    if errors.is_empty() { Ok(programs) } else { Err(errors) }
}

/// One inventory row as a program entry; the errors in its cells go to `errors`.
/// Whether a cell is a number without a unit of its own (`1000000`, `1,234.5`, `▲500`).
fn is_bare_number(v: &str) -> bool {
    let digits = v.trim_start_matches(['-', '▲', '△', '－', '−']);
    digits.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && digits.chars().all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || ",，.．".contains(c))
}

/// A money cell: a bare number is in the unit its header names (円 if none), as in a workbook; an
/// error points inside the cell as written.
fn money_cell(
    source: &Arc<Source>,
    row: &Row,
    column: &str,
    unit: Unit,
    value: &str,
    range: std::ops::Range<usize>,
) -> Result<Money, Diagnostic> {
    let v = value.trim();
    let parsed = if unit != Unit::Yen && is_bare_number(v) {
        Money::parse(&format!("{v}{}", unit.suffix())).map_err(|mut e| {
            // Keep the place inside the cell as written.
            e.offset = e.offset.min(v.len().saturating_sub(1));
            e.len = e.len.min(v.len() - e.offset).max(1);
            e
        })
    } else {
        Money::parse(value)
    };
    parsed.map_err(|e| {
        let at = range.start
            + (value.len() - value.trim_start().len()) * usize::from(unit != Unit::Yen && is_bare_number(v))
            + e.offset;
        Diagnostic::error(format!("invalid amount `{}`: {}", quote(v), e.message))
            .at(Location::new(source, at..at + e.len.max(1)))
            .note(format!("row {}, column `{column}`", row.line))
            .hint_opt(e.hint.clone())
    })
}

/// A yes/no cell (`true`, `1`, `○`, `はい` … or `false`, `0`, `×`, `いいえ` …).
fn yes_no(
    source: &Arc<Source>,
    row: &Row,
    column: &str,
    v: &str,
    range: std::ops::Range<usize>,
) -> Result<bool, Diagnostic> {
    let is = |words: &[&str]| words.iter().any(|w| v.eq_ignore_ascii_case(w));
    if is(&["true", "1", "yes", "y", "○", "〇", "はい", "該当"]) {
        Ok(true)
    } else if is(&["false", "0", "no", "n", "×", "いいえ", "-", "－"]) {
        Ok(false)
    } else {
        Err(cell_error(source, row, column, range, format!("invalid yes/no value `{}`", quote(v)))
            .hint("expected `true` or `false` (or ○ / ×)"))
    }
}

fn program_of_row(
    source: &Arc<Source>,
    row: &Row,
    columns: &[(usize, Unit)],
    errors: &mut Vec<Diagnostic>,
) -> ProgramFile {
    let mut p = ProgramFile::default();
    for ((value, range), &(c, unit)) in row.cells().zip(columns) {
        let v = value.trim();
        if v.is_empty() || c == SKIPPED {
            continue;
        }
        let loc = Some(Location::new(source, range.clone()));
        let column = COLUMNS[c].0;
        let text = || Some(Located::new(v.to_string(), loc.clone()));
        let number = || -> Result<Option<Located<Number>>, Diagnostic> {
            match parse_number_unbounded(v) {
                Some(d) if d.abs() <= MAX_NUMBER.into() => Ok(Some(Located::new(Number(d), loc.clone()))),
                Some(_) => {
                    Err(cell_error(source, row, column, range.clone(), format!("number `{}` is too large", quote(v)))
                        .hint(
                            "a number in an inventory may be at most 1,000,000,000,000 in size; check for extra digits",
                        ))
                }
                None => Err(cell_error(source, row, column, range.clone(), format!("invalid number `{}`", quote(v)))
                    .hint("expected a number such as `0.5` or a percentage such as `50%`")),
            }
        };
        let money =
            || money_cell(source, row, column, unit, value, range.clone()).map(|m| Some(Located::new(m, loc.clone())));
        let boolean = || yes_no(source, row, column, v, range.clone()).map(|b| Some(Located::new(b, loc.clone())));
        // By index into COLUMNS (a jump, not 26 string compares per cell).
        let result: Result<(), Diagnostic> = (|| {
            match c {
                0 => p.id = text(),
                1 => p.name = text(),
                2 => p.department = text(),
                3 => {
                    let id = v.parse::<i64>().map(ClusterId::Number).unwrap_or_else(|_| ClusterId::Text(v.to_string()));
                    p.cluster = Some(Located::new(id, loc.clone()));
                }
                4 => p.kind = text(),
                5 => p.prior_cost = money()?,
                6 => p.requested = money()?,
                7 => p.subsidy_ratio = number()?,
                8 => p.fees = money()?,
                9 => p.bondable_share = number()?,
                10 => p.strategy = text(),
                11 => p.next_generation = boolean()?,
                12 => p.all_or_nothing = boolean()?,
                13 => p.demand_trend = number()?,
                14 => p.satisfaction = number()?,
                15 => p.overlap_with = text(),
                16 => p.service_level = number()?,
                17 => p.digital_share = number()?,
                18 => p.private_capacity = number()?,
                19 => p.outsourced = boolean()?,
                20 => p.natural_savings = money()?,
                21 => p.kpi_indicator = text(),
                22 => p.kpi_baseline = number()?,
                23 => p.kpi_target = number()?,
                24 => p.kpi_actual = number()?,
                25 => p.kpi_direction = text(),
                26 => p.nature = text(),
                _ => {}
            }
            Ok(())
        })();
        if let Err(d) = result {
            errors.push(d);
        }
    }
    p
}

/// Reads a cluster list (columns `id,name,group,reform_type`).
pub(crate) fn read_clusters(source: &Arc<Source>) -> Result<Vec<Located<ClusterFile>>, Vec<Diagnostic>> {
    let mut table = Table::new(source);
    let headers = table.headers().map_err(|d| vec![d])?;
    let names = ["id", "name", "group", "reform_type"];
    let mut cols = Vec::new();
    for (h, range) in &headers {
        match names.iter().position(|n| *n == h.trim()) {
            Some(i) => cols.push(i),
            None => {
                return Err(vec![
                    Diagnostic::error(format!("unknown cluster column `{}`", h.trim()))
                        .at(Location::new(source, range.clone()))
                        .suggest(h.trim(), names)
                        .note("cluster files have the columns id,name,group,reform_type"),
                ]);
            }
        }
    }
    let mut out = Vec::new();
    while let Some(row) = table.next_row().map_err(|d| vec![d])? {
        let mut c = ClusterFile::default();
        for ((v, range), &i) in row.cells().zip(&cols) {
            let loc = Some(Location::new(source, range.clone()));
            let v = v.trim();
            match i {
                0 => {
                    let id = v.parse::<i64>().map(ClusterId::Number).unwrap_or_else(|_| ClusterId::Text(v.to_string()));
                    c.id = Some(Located::new(id, loc));
                }
                1 => c.name = Some(Located::new(v.to_string(), loc)),
                2 => c.group = Some(Located::new(v.to_string(), loc)),
                _ => c.reform_type = Some(Located::new(v.to_string(), loc)),
            }
        }
        out.push(Located::new(c, Some(Location::new(source, row.span()))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ranges_skip_quotes() {
        let t = "a,\"1,234千円\",c\n";
        let mut r = Vec::new();
        raw_field_ranges(t, 0, 3, &mut r);
        assert_eq!(&t[r[0].clone()], "a");
        assert_eq!(&t[r[1].clone()], "1,234千円");
        assert_eq!(&t[r[2].clone()], "c");
    }

    #[test]
    fn quoted_cells_crlf_and_blank_rows() {
        let src = Source::new(
            "p.csv",
            None,
            "id,name,department,kind,requested\r\nP1,\"子育て\"\"支援\"\"\",kodomo,new,\"1,000千円\"\r\n,,,,\r\n\r\nP2,x,kodomo,new,5O0\r\n",
        );
        let errs = read_programs(&src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].place().unwrap(), "p.csv:5:18", "the blank rows counted, the bad cell located");
        let src = Source::new(
            "p.csv",
            None,
            "id,name,department,kind,requested\r\nP1,\"子育て\"\"支援\"\"\",kodomo,new,\"1,000千円\"\r\n",
        );
        let programs = read_programs(&src).expect("programs");
        let name = programs[0].value.name.as_ref().unwrap();
        assert_eq!(name.value, "子育て\"支援\"", "escaped quotes unescaped");
        assert_eq!(programs[0].value.requested.as_ref().unwrap().value, Money::yen(1_000_000));
    }

    #[test]
    fn reads_japanese_headers_and_locates_bad_cells() {
        let src = Source::new(
            "p.csv",
            None,
            "事業番号,事業名,所管局,経費区分,要求額\nP1,子育て支援,kodomo,裁量的,\"12,345千円\"\nP2,x,kodomo,新規,\"65O億円\"\n",
        );
        let errs = read_programs(&src).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].place().unwrap(), "p.csv:3:19");
        assert_eq!(errs[0].notes, vec!["row 3, column `requested`".to_string()]);
    }
}
