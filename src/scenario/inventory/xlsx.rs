//! Program inventories kept as Excel workbooks (`.xlsx`): a worksheet becomes CSV text, one sheet
//! row per line, so the CSV reader validates it exactly as it validates a `.csv` file, and its
//! errors name the cell (`programs.xlsx:事業!D14`).
//!
//! Cells keep what the spreadsheet holds: text as written (`"12,345千円"`), numbers as numbers.
//! A bare number in a money column — a number cell or a number stored as text — is in the unit its
//! header names in brackets (`要求額（千円）`: `12345` is 12,345千円), yen without one: the CSV reader
//! applies that one rule to both kinds of inventory.
//!
//! One exception, for the workbooks waku writes (`waku run --format xlsx`): their money cells hold
//! whole yen shown in 千円 by the number format `#,##0,`, and their headers name the unit shown
//! (`要求額（千円）`). Such a workbook carries the defined name [`YEN_CELLS_NAME`]; in it, a number
//! cell in a money column is read as yen, as Excel's formula bar shows it (text cells are read as
//! written, as everywhere).

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use calamine::{Data, Range, Reader, Xlsx, XlsxError};

use crate::diagnostic::{Diagnostic, Location, SheetOrigin, Source};
use crate::scenario::located::Located;

/// The defined name a workbook written by waku carries: its money cells are yen, whatever unit
/// the number format and the header show.
pub const YEN_CELLS_NAME: &str = "waku_money_cells_in_yen";

/// Whether `path` names an Excel workbook (by its extension).
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Reads the sheet `sheet` (default: the first) of the workbook at `path` as inventory text.
/// `shown` is the path as errors print it; `from` is the scenario value that named the file.
pub(crate) fn read_sheet(
    path: &Path,
    shown: &str,
    sheet: Option<&Located<String>>,
    from: Option<&Located<String>>,
) -> Result<Arc<Source>, Vec<Diagnostic>> {
    let at = |d: Diagnostic| vec![d.at_opt(from.and_then(|f| f.location.clone()))];
    let kind = crate::files::Kind::Workbook;
    let bytes = crate::files::read(path, kind).map_err(|e| {
        let d = Diagnostic::error(format!("cannot read `{shown}`: {}", e.describe(kind)));
        at(match e {
            crate::files::ReadError::TooLarge { .. } => {
                d.hint("save the programs as CSV UTF-8 instead, or split the workbook")
            }
            _ => d.hint("paths in a scenario are relative to the scenario file"),
        })
    })?;
    if let Err(why) = check_archive(&bytes) {
        return Err(at(Diagnostic::error(format!("cannot read `{shown}` as an Excel workbook: {why}")).hint(
            "save the inventory from Excel as \"Excel Workbook (*.xlsx)\", or as \"CSV UTF-8\" with a `.csv` name",
        )));
    }
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        let why = match e {
            XlsxError::Zip(_) => "it is not a zip archive, as every .xlsx file is".to_string(),
            e => e.to_string(),
        };
        at(Diagnostic::error(format!("cannot read `{shown}` as an Excel workbook: {why}")).hint(
            "save the inventory from Excel as \"Excel Workbook (*.xlsx)\", or as \"CSV UTF-8\" with a `.csv` name",
        ))
    })?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => match names.iter().find(|n| **n == wanted.value) {
            Some(n) => n.clone(),
            None => {
                let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                return Err(vec![
                    Diagnostic::error(format!("`{shown}` has no sheet `{}`", wanted.value))
                        .at_opt(wanted.location.clone())
                        .suggest(&wanted.value, names.iter().map(String::as_str))
                        .note(format!("its sheets are {listed}")),
                ]);
            }
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => return Err(at(Diagnostic::error(format!("`{shown}` has no worksheet")))),
        },
    };
    // Cells far apart would make calamine lay out a huge grid: measure the sheet first.
    if let Err(why) = check_extent(&mut workbook, &name) {
        return Err(at(Diagnostic::error(format!("sheet `{name}` of `{shown}` {why}"))
            .hint("delete the cells outside the table (Ctrl+End shows the last cell Excel thinks is used)")));
    }
    let range = workbook.worksheet_range(&name).map_err(|e| {
        at(Diagnostic::error(format!("cannot read sheet `{name}` of `{shown}`: {e}"))
            .hint("save the workbook again from Excel; charts and macro sheets cannot hold the inventory"))
    })?;
    let yen_cells = workbook.defined_names().iter().any(|(n, _)| n == YEN_CELLS_NAME);
    // In a workbook waku wrote, the total rows (a `SUM` formula) are not programs.
    let totals: Vec<u32> = match yen_cells.then(|| workbook.worksheet_formula(&name)) {
        Some(Ok(formulas)) => {
            let first = formulas.start().map_or(0, |(r, _)| r);
            let rows = formulas.rows().enumerate();
            rows.filter(|(_, row)| row.iter().any(|f| f.starts_with("SUM")))
                .map(|(i, _)| first + u32::try_from(i).unwrap_or(u32::MAX))
                .collect()
        }
        _ => Vec::new(),
    };
    let (text, first_column, bad) = to_text(&range, yen_cells, &totals);
    let source = Source::sheet(shown, Some(path.to_path_buf()), text, SheetOrigin { sheet: name, first_column });
    if bad.is_empty() {
        return Ok(source);
    }
    Err(bad
        .into_iter()
        .map(|(span, what, hint)| Diagnostic::error(what).at(Location::new(&source, span)).hint(hint))
        .collect())
}

/// At most this many bytes unpacked from one entry of a workbook (a 100,000-program sheet is about 100 MB).
const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
/// At most this many bytes unpacked from all of a workbook's entries.
const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;
/// At most this many entries in a workbook.
const MAX_ENTRIES: usize = 10_000;
/// At most this many cells in the sheet's used rectangle (100,000 programs × 25 columns is 2.5 million).
const MAX_CELLS: u64 = 20_000_000;

/// The zip archive is sound before calamine reads it: every entry unpacks to at most
/// [`MAX_ENTRY_BYTES`] (counted as it unpacks, whatever its header claims), all to at most
/// [`MAX_UNPACKED_BYTES`], and each entry's CRC matches (the zip reader checks it at the end of
/// an entry, which calamine may never reach).
fn check_archive(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| "it is not a zip archive, as every .xlsx file is".to_string())?;
    if zip.len() > MAX_ENTRIES {
        return Err(format!("it has {} parts; a workbook has a few dozen", zip.len()));
    }
    let mut total = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| format!("part {i} cannot be read ({e})"))?;
        let name = crate::diagnostic::quote(entry.name());
        if entry.size() > MAX_ENTRY_BYTES {
            return Err(format!("its part `{name}` unpacks to more than {} MB", MAX_ENTRY_BYTES >> 20));
        }
        let mut unpacked = 0u64;
        loop {
            let n = entry.read(&mut buffer).map_err(|e| {
                if e.to_string().to_lowercase().contains("checksum") {
                    format!("its part `{name}` is damaged (its CRC does not match)")
                } else {
                    format!("its part `{name}` cannot be unpacked ({e})")
                }
            })?;
            if n == 0 {
                break;
            }
            unpacked += n as u64;
            if unpacked > MAX_ENTRY_BYTES {
                return Err(format!("its part `{name}` unpacks to more than {} MB", MAX_ENTRY_BYTES >> 20));
            }
        }
        total += unpacked;
        if total > MAX_UNPACKED_BYTES {
            return Err(format!("it unpacks to more than {} MB", MAX_UNPACKED_BYTES >> 20));
        }
    }
    Ok(())
}

/// The sheet's used rectangle holds at most [`MAX_CELLS`] cells.
fn check_extent(workbook: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Result<(), String> {
    let Ok(mut cells) = workbook.worksheet_cells_reader(name) else { return Ok(()) };
    let (mut rows, mut cols) = ((u32::MAX, 0u32), (u32::MAX, 0u32));
    while let Ok(Some(cell)) = cells.next_cell() {
        let (r, c) = cell.get_position();
        rows = (rows.0.min(r), rows.1.max(r));
        cols = (cols.0.min(c), cols.1.max(c));
        let area = u64::from(rows.1 - rows.0 + 1) * u64::from(cols.1 - cols.0 + 1);
        if area > MAX_CELLS {
            let n = |x: u64| crate::money::Money::yen(x as i64).format_number(crate::money::Unit::Yen);
            return Err(format!(
                "spans {} rows and {} columns, more than the {} cells an inventory may take",
                n(u64::from(rows.1 - rows.0 + 1)),
                n(u64::from(cols.1 - cols.0 + 1)),
                n(MAX_CELLS)
            ));
        }
    }
    Ok(())
}

/// A cell waku cannot read: its place in the text, the message and a hint.
type Bad = (std::ops::Range<usize>, String, &'static str);

/// The sheet as CSV text whose line *n* is row *n* and whose first cell is column `first_column`.
/// With `yen_cells`, number cells under a money header (in the first row) are written with `円`;
/// the rows `skip` (absolute row numbers) become empty lines.
fn to_text(range: &Range<Data>, yen_cells: bool, skip: &[u32]) -> (String, u32, Vec<Bad>) {
    let Some((first_row, first_column)) = range.start() else {
        return (String::new(), 0, Vec::new());
    };
    let money: Vec<bool> = match range.rows().next() {
        Some(header) if yen_cells => {
            header.iter().map(|h| matches!(h, Data::String(s) if super::is_money_header(s))).collect()
        }
        _ => Vec::new(),
    };
    // Rows above the used range become empty lines, so line numbers stay row numbers.
    let mut text = "\n".repeat(first_row as usize);
    let mut bad = Vec::new();
    for (i, row) in range.rows().enumerate() {
        if skip.contains(&(first_row + u32::try_from(i).unwrap_or(u32::MAX))) {
            text.push('\n');
            continue;
        }
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                text.push(',');
            }
            let (mut value, problem) = cell_text(cell);
            if money.get(c).copied().unwrap_or(false) && matches!(cell, Data::Int(_) | Data::Float(_)) {
                value.push('円');
            }
            let start = text.len() + usize::from(needs_quotes(&value));
            push_field(&mut text, &value);
            if let Some((what, hint)) = problem {
                let end = start + value.len();
                bad.push((start..end.max(start + 1), what, hint));
            }
        }
        text.push('\n');
    }
    (text, first_column, bad)
}

/// A cell as the CSV reader should see it, and why it cannot be read, if it cannot.
fn cell_text(cell: &Data) -> (String, Option<(String, &'static str)>) {
    match cell {
        Data::Empty => (String::new(), None),
        // A line break inside a cell (Alt+Enter) would end the row: it reads as a space.
        Data::String(s) => (s.replace("\r\n", " ").replace(['\n', '\r'], " "), None),
        Data::Int(i) => (i.to_string(), None),
        Data::Float(f) => (f.to_string(), None),
        Data::Bool(b) => (b.to_string(), None),
        Data::Error(e) => (
            e.to_string(),
            Some((format!("the cell holds the Excel error `{e}`"), "fix the formula, or type the value in the cell")),
        ),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => (
            cell.to_string(),
            Some((
                format!("the cell holds a date or time (`{cell}`); the inventory has no date columns"),
                "format the cell as a number or as text (書式設定: 数値 / 文字列)",
            )),
        ),
    }
}

fn needs_quotes(v: &str) -> bool {
    v.contains([',', '"'])
}

fn push_field(text: &mut String, v: &str) {
    if needs_quotes(v) {
        text.push('"');
        text.push_str(&v.replace('"', "\"\""));
        text.push('"');
    } else {
        text.push_str(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_the_spreadsheet_holds_them() {
        assert_eq!(cell_text(&Data::Float(12345.0)).0, "12345");
        assert_eq!(cell_text(&Data::Float(0.5)).0, "0.5");
        assert_eq!(cell_text(&Data::String("a\nb".into())).0, "a b");
    }

    #[test]
    fn rows_keep_their_numbers_and_quoted_cells_their_place() {
        let mut range = Range::new((2, 1), (3, 2));
        range.set_value((2, 1), Data::String("requested".into()));
        range.set_value((2, 2), Data::String("name".into()));
        range.set_value((3, 1), Data::String("1,234千円".into()));
        range.set_value((3, 2), Data::Error(calamine::CellErrorType::Ref));
        let (text, first, bad) = to_text(&range, false, &[]);
        assert_eq!(text, "\n\nrequested,name\n\"1,234千円\",#REF!\n");
        assert_eq!(first, 1);
        assert_eq!(&text[bad[0].0.clone()], "#REF!");
    }
}
