//! `--format xlsx`: the run's tables as an Excel workbook, one sheet per table.
//!
//! Money cells are numbers of whole yen shown with `#,##0` (Excel cannot scale by 10⁸ in a number
//! format, so 億円 would mean storing a rounded fraction; yen keeps every sum exact). The header
//! row is frozen and has a filter; column widths follow the widest cell. The document's dates are
//! fixed, so the same run gives the same bytes.

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::{Sheet, Value};
use crate::money::Unit;
use crate::report::text::width;
use crate::{Diagnostic, Error, Result};

/// The excel format of money cells: whole yen, grouped.
pub const MONEY_FORMAT: &str = "#,##0";

fn fail(e: XlsxError) -> Error {
    Error::input(Diagnostic::error(format!("cannot write the workbook: {e}")))
}

/// Writes `sheets` as a workbook titled `title`.
pub(crate) fn workbook(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    // A fixed creation date: the same run gives the same bytes (the zip entries are dated 1980 already).
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(fail)?;
    wb.set_properties(&DocProperties::new().set_title(title).set_author("waku").set_creation_datetime(&created));
    for sheet in sheets {
        write_sheet(&mut wb, sheet).map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}

fn write_sheet(wb: &mut Workbook, sheet: &Sheet) -> std::result::Result<(), XlsxError> {
    let header = Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_align(FormatAlign::Center);
    let money = Format::new().set_num_format(MONEY_FORMAT);
    let ws = wb.add_worksheet();
    ws.set_name(&sheet.name)?;
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c), h, &header)?;
    }
    let mut widths: Vec<usize> = sheet.headers.iter().map(|h| width(h)).collect();
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, value) in row.cells.iter().enumerate() {
            let mut shown = value.csv();
            let mut format = Format::new();
            if row.total {
                format = format.set_bold();
            }
            match value {
                Value::Text(s) => {
                    ws.write_string_with_format(r, col(c), s, &format)?;
                }
                Value::Yen(m) => {
                    let f = if row.total { money.clone().set_bold() } else { money.clone() };
                    ws.write_number_with_format(r, col(c), m.to_f64(), &f)?;
                    shown = m.format_number(Unit::Yen);
                }
                Value::Number(d, num_format) => {
                    let f = format.set_num_format(*num_format);
                    ws.write_number_with_format(r, col(c), d.to_f64().unwrap_or(0.0), &f)?;
                }
                Value::Empty => {}
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width(&shown));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        // A little room for the filter button; very long text (reasons) wraps at the edge of the screen.
        ws.set_column_width(col(c), (*w as f64 + 3.0).min(60.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last_row, col(sheet.headers.len().saturating_sub(1)))?;
    Ok(())
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}
