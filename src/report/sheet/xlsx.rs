//! `--format xlsx`: the run's tables as an Excel workbook, one sheet per table, as a budget office
//! prints and sorts it.
//!
//! Money cells hold whole yen (every sum exact) shown in 千円 by the number format `#,##0,` (百万円
//! by `#,##0,,` when the scenario's display unit is 百万円, yen by `#,##0` when it is 円; Excel's
//! formats divide by 1,000 steps only, so 億円 shows as 千円), and each money header names the unit
//! shown (`配分額（千円）`). The workbook carries the defined name
//! [`YEN_CELLS_NAME`](crate::scenario::YEN_CELLS_NAME), so waku reads its 事業 sheet back with
//! the cells as yen. Totals sit below the filter range, as `SUM` (a plan: `SUMIF` on 年度)
//! formulas with their values cached. Each sheet prints landscape on A4 (the wide 事業 sheet on
//! A3), fit to the page's width, with the header row repeated on every page. The header row is
//! frozen; column widths follow the widest cell; the document's dates are fixed, so the same run
//! gives the same bytes.

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use super::{Row, Sheet, Value};
use crate::money::{Money, Unit};
use crate::report::text::width;
use crate::{Diagnostic, Error, Result};

/// The Excel number format of money cells shown in `unit`, and the unit it shows.
pub fn money_format(unit: Unit) -> (&'static str, Unit) {
    match unit {
        Unit::Yen => ("#,##0", Unit::Yen),
        Unit::Hyakuman => ("#,##0,,", Unit::Hyakuman),
        // 千円, and the units no format can show (万円, 億円, 兆円): 千円, as budget books print.
        _ => ("#,##0,", Unit::Sen),
    }
}

/// Excel's paper sizes: A3 and A4.
const PAPER_A3: u8 = 8;
const PAPER_A4: u8 = 9;

fn fail(e: XlsxError) -> Error {
    Error::input(Diagnostic::error(format!("cannot write the workbook: {e}")))
}

/// Writes `sheets` as a workbook titled `title`, money shown in `unit` (see [`money_format`]).
pub(crate) fn workbook(title: &str, unit: Unit, sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    // A fixed creation date: the same run gives the same bytes (the zip entries are dated 1980 already).
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(fail)?;
    wb.set_properties(&DocProperties::new().set_title(title).set_author("waku").set_creation_datetime(&created));
    for sheet in sheets {
        write_sheet(&mut wb, sheet, unit, title).map_err(fail)?;
    }
    if let Some(first) = sheets.first() {
        let name = format!("={}!$A$1", quoted(&first.name));
        wb.define_name(crate::scenario::YEN_CELLS_NAME, &name).map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}

/// A sheet name as a formula writes it.
fn quoted(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// `H` for column 7.
fn letter(c: u16) -> String {
    rust_xlsxwriter::utility::column_number_to_name(c)
}

fn write_sheet(wb: &mut Workbook, sheet: &Sheet, unit: Unit, title: &str) -> std::result::Result<(), XlsxError> {
    let (num_format, shown) = money_format(unit);
    let header = Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_align(FormatAlign::Center);
    let ws = wb.add_worksheet();
    ws.set_name(&sheet.name)?;
    let headers: Vec<String> = sheet
        .headers
        .iter()
        .map(|h| h.strip_suffix("（円）").map_or_else(|| h.clone(), |base| format!("{base}（{}）", shown.suffix())))
        .collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c), h, &header)?;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    let data_rows = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
    let cells = Cells { num_format, shown, data_rows };
    for (r, row) in sheet.rows.iter().chain(&sheet.totals).enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        cells.write_row(ws, r, row, &mut widths)?;
    }
    for (c, w) in widths.iter().enumerate() {
        // A little room for the filter button; very long text (reasons) wraps at the edge of the screen.
        ws.set_column_width(col(c), (*w as f64 + 3.0).min(60.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    // The filter covers the header and the data rows only: sorting never moves a total.
    ws.autofilter(0, 0, data_rows, col(headers.len().saturating_sub(1)))?;
    // Print: landscape, fit to the page's width, the header row on every page, the title and
    // the sheet at the top, the page number at the foot.
    ws.set_landscape();
    ws.set_paper_size(if sheet.wide { PAPER_A3 } else { PAPER_A4 });
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_header(format!("&L{}&R&A", title.replace('&', "&&")));
    ws.set_footer("&C&P / &N");
    Ok(())
}

/// How one sheet's cells are written.
struct Cells {
    num_format: &'static str,
    shown: Unit,
    /// Rows 1..=data_rows hold the data (row 0 the header); totals follow.
    data_rows: u32,
}

impl Cells {
    fn write_row(
        &self,
        ws: &mut Worksheet,
        r: u32,
        row: &Row,
        widths: &mut [usize],
    ) -> std::result::Result<(), XlsxError> {
        let bold = |f: Format| if row.total { f.set_bold() } else { f };
        let money = bold(Format::new().set_num_format(self.num_format));
        for (c, value) in row.cells.iter().enumerate() {
            let c16 = col(c);
            let mut shown = value.csv();
            match value {
                Value::Text(s) => {
                    ws.write_string_with_format(r, c16, s, &bold(Format::new()))?;
                }
                Value::Yen(m) => {
                    ws.write_number_with_format(r, c16, m.to_f64(), &money)?;
                    shown = self.display(*m);
                }
                Value::Number(d, num_format) => {
                    let f = bold(Format::new().set_num_format(*num_format));
                    ws.write_number_with_format(r, c16, d.to_f64().unwrap_or(0.0), &f)?;
                }
                Value::Sum(m, year) => {
                    let column = letter(c16);
                    let (first, last) = (2, self.data_rows + 1);
                    let formula = match year {
                        None => format!("=SUM({column}{first}:{column}{last})"),
                        Some(y) => format!("=SUMIF($A${first}:$A${last},{y},{column}{first}:{column}{last})"),
                    };
                    ws.write_formula_with_format(r, c16, Formula::new(formula).set_result(yen(*m)), &money)?;
                    shown = self.display(*m);
                }
                Value::SumAbove(m, n) => {
                    let column = letter(c16);
                    let n = u32::try_from(*n).unwrap_or(1);
                    // Excel rows are numbered from 1: this row is r + 1.
                    let formula = format!("=SUM({column}{}:{column}{})", r + 1 - n, r);
                    ws.write_formula_with_format(r, c16, Formula::new(formula).set_result(yen(*m)), &money)?;
                    shown = self.display(*m);
                }
                Value::Empty => {}
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width(&shown));
            }
        }
        Ok(())
    }

    /// A money cell as the number format shows it (for the column's width).
    fn display(&self, m: Money) -> String {
        m.round_to(self.shown).format_number(self.shown)
    }
}

/// The cached value of a formula: whole yen.
fn yen(m: Money) -> String {
    m.as_decimal().normalize().to_string()
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}
