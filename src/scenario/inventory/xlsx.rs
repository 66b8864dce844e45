//! Program inventories kept as Excel workbooks (`.xlsx`): a worksheet becomes CSV text, one sheet
//! row per line, so the CSV reader validates it exactly as it validates a `.csv` file, and its
//! errors name the cell (`programs.xlsx:事業!D14`).
//!
//! Cells keep what the spreadsheet holds: text as written (`"12,345千円"`), numbers as numbers.
//! A bare number in a money column — a number cell or a number stored as text — is in the unit its
//! header names in brackets (`要求額（千円）`: `12345` is 12,345千円), yen without one: the CSV reader
//! applies that one rule to both kinds of inventory.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use calamine::{Data, Range, Reader, Xlsx, XlsxError};

use crate::diagnostic::{Diagnostic, Location, SheetOrigin, Source};
use crate::scenario::located::Located;

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
    let range = workbook.worksheet_range(&name).map_err(|e| {
        at(Diagnostic::error(format!("cannot read sheet `{name}` of `{shown}`: {e}"))
            .hint("save the workbook again from Excel; charts and macro sheets cannot hold the inventory"))
    })?;
    let (text, first_column, bad) = to_text(&range);
    let source = Source::sheet(shown, Some(path.to_path_buf()), text, SheetOrigin { sheet: name, first_column });
    if bad.is_empty() {
        return Ok(source);
    }
    Err(bad
        .into_iter()
        .map(|(span, what, hint)| Diagnostic::error(what).at(Location::new(&source, span)).hint(hint))
        .collect())
}

/// A cell waku cannot read: its place in the text, the message and a hint.
type Bad = (std::ops::Range<usize>, String, &'static str);

/// The sheet as CSV text whose line *n* is row *n* and whose first cell is column `first_column`.
fn to_text(range: &Range<Data>) -> (String, u32, Vec<Bad>) {
    let Some((first_row, first_column)) = range.start() else {
        return (String::new(), 0, Vec::new());
    };
    // Rows above the used range become empty lines, so line numbers stay row numbers.
    let mut text = "\n".repeat(first_row as usize);
    let mut bad = Vec::new();
    for row in range.rows() {
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                text.push(',');
            }
            let (value, problem) = cell_text(cell);
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
        let (text, first, bad) = to_text(&range);
        assert_eq!(text, "\n\nrequested,name\n\"1,234千円\",#REF!\n");
        assert_eq!(first, 1);
        assert_eq!(&text[bad[0].0.clone()], "#REF!");
    }
}
