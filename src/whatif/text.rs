//! Plain text tables that align Japanese (East Asian wide) text, and Markdown tables.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(UnicodeWidthStr::width(s)));
    if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

/// A terminal table: the first column left-aligned, the others right-aligned, except those in `left`.
pub fn table(out: &mut String, header: &[&str], rows: &[Vec<String>], left: &[usize]) {
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(widths.len()) {
            widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], i > 0 && !left.contains(&i)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let head: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    let _ = writeln!(out, "  {}", line(&head));
    for r in rows {
        let _ = writeln!(out, "  {}", line(r));
    }
}

/// A Markdown table (numbers right-aligned except the columns in `left`).
pub fn markdown(out: &mut String, header: &[&str], rows: &[Vec<String>], left: &[usize]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let align: Vec<&str> =
        (0..header.len()).map(|i| if i == 0 || left.contains(&i) { "---" } else { "---:" }).collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}
