//! The one text layer of the reports: tables that align Japanese (East Asian wide) text, painted by
//! [`Tone`] on a terminal; the same tables as Markdown; and the formatters every report prints
//! figures with — amounts in a unit, signed changes (`▲1.46`), percentage changes, shares.
//!
//! No table crate: what the reports need is a column width that counts a wide character as two
//! (`unicode-width`), a row painted after it is padded (so colour never moves a column), and the
//! same bytes on every machine (no terminal-width detection, no wrapping). That is this file; a
//! table crate would need as much glue around it to paint rows and to print our layout.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use unicode_width::UnicodeWidthStr;

use super::terminal::{Palette, Tone};
use crate::fiscal::Ratio;
pub use crate::money::Sign;
use crate::money::{Money, Unit};
pub use crate::number::{percent, share, share_as_written};
use crate::scenario::Override;

/// Terminal columns `s` takes: an East Asian wide character (漢字, かな, full-width forms) counts two.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Pads `s` to `width` terminal columns, on the left when `right`-aligned.
pub fn pad(s: &str, columns: usize, right: bool) -> String {
    let fill = " ".repeat(columns.saturating_sub(width(s)));
    if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

/// How a column lines up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table of text: a header, rows, how each column aligns and the tone of each row. Render it for
/// the terminal ([`Table::render`]), with rules ([`Table::ruled`]) or as Markdown ([`Table::markdown`]).
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<(Vec<String>, Tone)>,
}

impl Table {
    /// A table in the house alignment: the first column (names) left, the others (figures) right.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        let header: Vec<String> = header.into_iter().map(Into::into).collect();
        let align = (0..header.len()).map(|i| if i == 0 { Align::Left } else { Align::Right }).collect();
        Table { header, align, rows: Vec::new() }
    }

    /// These columns aligned left (text among the figures).
    pub fn left(mut self, columns: impl IntoIterator<Item = usize>) -> Table {
        for c in columns {
            if let Some(a) = self.align.get_mut(c) {
                *a = Align::Left;
            }
        }
        self
    }

    /// The last column aligned left (a note after the figures).
    pub fn left_last(self) -> Table {
        let last = self.header.len().saturating_sub(1);
        self.left([last])
    }

    /// Adds a plain row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push((cells, Tone::Plain));
    }

    /// Adds a row in `tone` (red for a cut, bold for a total …; plain text without colour).
    pub fn toned(&mut self, tone: Tone, cells: Vec<String>) {
        self.rows.push((cells, tone));
    }

    /// Adds rows, each in its tone (plain where `tones` is short).
    pub fn rows(&mut self, rows: Vec<Vec<String>>, tones: &[Tone]) {
        for (i, cells) in rows.into_iter().enumerate() {
            self.toned(tones.get(i).copied().unwrap_or(Tone::Plain), cells);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for (cells, _) in &self.rows {
            for (w, c) in widths.iter_mut().zip(cells) {
                *w = (*w).max(width(c));
            }
        }
        widths
    }

    /// For the terminal: each line indented by `indent` spaces, columns two spaces apart, the
    /// header aligned as its column, no trailing spaces; each row painted in its tone after padding.
    pub fn render(&self, indent: usize, palette: Palette) -> String {
        let widths = self.widths();
        let line = |cells: &[String]| {
            let padded: Vec<String> =
                cells.iter().zip(&widths).zip(&self.align).map(|((c, w), a)| pad(c, *w, *a == Align::Right)).collect();
            padded.join("  ").trim_end().to_string()
        };
        let margin = " ".repeat(indent);
        let mut out = String::new();
        let _ = writeln!(out, "{margin}{}", line(&self.header));
        for (cells, tone) in &self.rows {
            let _ = writeln!(out, "{margin}{}", palette.paint(*tone, &line(cells)));
        }
        out
    }

    /// [`Table::render`] indented by two spaces, as the reports print their tables, appended to `out`.
    pub fn write(&self, out: &mut String, palette: Palette) {
        out.push_str(&self.render(2, palette));
    }

    /// Between rules: `─` above and below, `═` under the header (left-aligned, as a heading), each
    /// cell padded by a space on both sides, columns a space apart, no trailing spaces; no colour.
    /// The one-screen summary of `waku check`.
    pub fn ruled(&self) -> String {
        let widths = self.widths();
        let total = widths.iter().map(|w| w + 2).sum::<usize>() + widths.len().saturating_sub(1);
        let line = |cells: &[String], header: bool| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .zip(&self.align)
                .map(|((c, w), a)| format!(" {} ", pad(c, *w, !header && *a == Align::Right)))
                .collect();
            padded.join(" ").trim_end().to_string()
        };
        let mut out = String::new();
        let _ = writeln!(out, "{}", "─".repeat(total));
        let _ = writeln!(out, "{}", line(&self.header, true));
        let _ = writeln!(out, "{}", "═".repeat(total));
        for (cells, _) in &self.rows {
            let _ = writeln!(out, "{}", line(cells, false));
        }
        let _ = writeln!(out, "{}", "─".repeat(total));
        out
    }

    /// As a Markdown table: left and right columns as aligned here, `|` in a cell escaped.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "| {} |", self.header.join(" | "));
        let rule: String = self.align.iter().map(|a| if *a == Align::Left { "---|" } else { "---:|" }).collect();
        let _ = writeln!(out, "|{rule}");
        for (cells, _) in &self.rows {
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out
    }
}

/// A terminal report's first lines: its title, what `--set` changed (one line each, a plan's
/// values year by year), then a blank line.
pub fn heading(title: &str, years: &[(i32, &[Override])], unit: Unit) -> String {
    let mut out = format!("{title}\n");
    for line in crate::scenario::set_lines(years, unit) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    out
}

/// 令和8年度 for 2026 (令和元年度 for 2019), 平成 before.
pub fn era(year: i32) -> String {
    let (name, n) = if year >= 2019 { ("令和", year - 2018) } else { ("平成", year - 1988) };
    if n == 1 { format!("{name}元年度") } else { format!("{name}{n}年度") }
}

/// `令和8年度（FY2026）`, or `令和6〜8年度（FY2024–2026）` for a plan.
pub fn period(years: &[i32]) -> String {
    match years {
        [] => String::new(),
        [y] => format!("{}（FY{y}）", era(*y)),
        [first, .., last] => {
            let (a, b) = (era(*first), era(*last));
            let same_era = a.get(..6) == b.get(..6);
            let joined = if same_era {
                format!("{}〜{}", a.trim_end_matches("年度"), b.trim_start_matches(a.get(..6).unwrap_or("")))
            } else {
                format!("{}〜{b}", a)
            };
            format!("{joined}（FY{first}–{last}）")
        }
    }
}

/// An amount in `unit`, grouped, without the unit (the header says it): `6,476.84`.
pub fn amount(m: Money, unit: Unit) -> String {
    m.format_number(unit)
}

/// Amounts in `unit` as [`amount`] prints each: a table row's figures.
pub fn amounts<const N: usize>(figures: [Money; N], unit: Unit) -> [String; N] {
    figures.map(|m| amount(m, unit))
}

/// A bureau envelope's figures as every envelope table prints them: base, requested, floor,
/// ceiling, the envelope, and its change against the base (with `sign`).
pub fn envelope_figures(e: &crate::allocate::Envelope, unit: Unit, sign: Sign) -> Vec<String> {
    let mut row = amounts([e.base, e.requested, e.floor, e.ceiling, e.amount], unit).to_vec();
    row.push(change(e.amount, e.base, 1, sign));
    row
}

/// A change in money in `unit`, signed as `sign` says ([`Money::format_change`]).
pub fn signed(m: Money, unit: Unit, sign: Sign) -> String {
    m.format_change(unit, sign)
}

/// A soundness ratio as published (percent, truncated to 0.1: `12.4%`); `—` when not assessed.
pub fn ratio(r: Option<Ratio>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{}%", r.percent()))
}

/// `now` against `before` in percent, rounded to `decimals`; `None` without a base to compare with.
pub fn change_percent(now: Money, before: Money, decimals: u32) -> Option<Decimal> {
    if before.is_zero() {
        return None;
    }
    Some(((now - before).as_decimal() / before.as_decimal() * Decimal::ONE_HUNDRED).round_dp(decimals))
}

/// [`change_percent`] as text, always signed: `+1.2%`, `-0.8%` (or `▲0.8%` with [`Sign::Triangle`]);
/// empty without a base.
pub fn change(now: Money, before: Money, decimals: u32, sign: Sign) -> String {
    let Some(p) = change_percent(now, before, decimals) else { return String::new() };
    let text = format!("{:+.*}%", decimals as usize, p);
    if sign == Sign::Triangle { crate::money::triangle(text) } else { text }
}

/// A report's language, as the bilingual writers ([`lang_writeln!`], [`lang_write!`]) read it:
/// the memo's and `explain`'s ([`crate::allocate::Lang`]) or the terminal's ([`super::terminal::Lang`]).
pub trait Language: Copy {
    fn is_ja(self) -> bool;
}

impl Language for crate::allocate::Lang {
    fn is_ja(self) -> bool {
        self == crate::allocate::Lang::Ja
    }
}

impl Language for super::terminal::Lang {
    fn is_ja(self) -> bool {
        self == super::terminal::Lang::Ja
    }
}

/// Writes a line in the reader's language: `lang_writeln!(out, lang, ["…{x}…", args], ["…", args])`,
/// the Japanese first, then the English; each a format string and its arguments.
macro_rules! lang_writeln {
    ($out:expr, $lang:expr, [$($ja:tt)*], [$($en:tt)*] $(,)?) => {{
        let _ = if $crate::report::text::Language::is_ja($lang) { writeln!($out, $($ja)*) } else { writeln!($out, $($en)*) };
    }};
}

/// [`lang_writeln!`] without the line break.
macro_rules! lang_write {
    ($out:expr, $lang:expr, [$($ja:tt)*], [$($en:tt)*] $(,)?) => {{
        let _ = if $crate::report::text::Language::is_ja($lang) { write!($out, $($ja)*) } else { write!($out, $($en)*) };
    }};
}

pub(crate) use {lang_write, lang_writeln};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_under_wide_text_and_colour_moves_nothing() {
        let mut t = Table::new(["bureau", "base", "note"]).left_last();
        t.row(vec!["子ども家庭局".into(), "357.11".into(), "floor".into()]);
        t.toned(Tone::Bad, vec!["total".into(), "1,000.34".into(), String::new()]);
        let plain = t.render(2, Palette::PLAIN);
        assert_eq!(
            plain,
            "  bureau            base  note\n  子ども家庭局    357.11  floor\n  total         1,000.34\n"
        );
        let painted = t.render(2, Palette::ANSI);
        assert_eq!(super::super::terminal::strip_ansi(&painted), plain);
        assert!(painted.contains("\x1b[31mtotal         1,000.34\x1b[0m"));
    }

    #[test]
    fn markdown_and_ruled_tables() {
        let mut t = Table::new(["事業", "要求額", "理由"]).left([2]);
        t.row(vec!["a|b".into(), "1.00".into(), "x".into()]);
        assert_eq!(t.markdown(), "| 事業 | 要求額 | 理由 |\n|---|---:|---|\n| a\\|b | 1.00 | x |\n");
        let mut t = Table::new(["", "金額"]);
        t.row(vec!["一般財源".into(), "4,352.00".into()]);
        assert_eq!(
            t.ruled(),
            "─────────────────────\n            金額\n═════════════════════\n 一般財源   4,352.00\n─────────────────────\n"
        );
    }

    #[test]
    fn changes_carry_their_sign_as_each_page_prints_it() {
        let u = Unit::Oku;
        let down = Money::yen(-146_000_000);
        let up = Money::yen(120_000_000);
        assert_eq!(signed(down, u, Sign::Triangle), "▲1.46");
        assert_eq!(signed(up, u, Sign::Triangle), "1.20");
        assert_eq!(signed(Money::ZERO, u, Sign::Plus), "+0.00");
        assert_eq!(signed(Money::ZERO, u, Sign::PlusOrZero), "0.00");
        assert_eq!(signed(down, u, Sign::Minus), "−1.46");
        assert_eq!(signed(up, u, Sign::Minus), "+1.20");
        assert_eq!(change(Money::yen(110), Money::yen(100), 1, Sign::Plus), "+10.0%");
        assert_eq!(change(Money::yen(90), Money::yen(100), 1, Sign::Triangle), "▲10.0%");
        assert_eq!(change(Money::yen(90), Money::ZERO, 1, Sign::Plus), "");
        assert_eq!(change_percent(Money::yen(1_005), Money::yen(1_000), 2), Some(Decimal::new(50, 2)));
    }

    #[test]
    fn fiscal_years_read_in_the_japanese_era() {
        assert_eq!(era(2026), "令和8年度");
        assert_eq!(era(2019), "令和元年度");
        assert_eq!(era(2018), "平成30年度");
        assert_eq!(period(&[2026]), "令和8年度（FY2026）");
        assert_eq!(period(&[2024, 2025, 2026]), "令和6〜8年度（FY2024–2026）");
        assert_eq!(period(&[2018, 2019]), "平成30年度〜令和元年度（FY2018–2019）");
    }
}
