//! User-facing errors with a place: `error:`, `--> file:line:col`, the source line, a caret, a hint.
//!
//! Every input error in waku (TOML, CSV, money, `--set`, rule scripts) becomes a
//! [`Diagnostic`] and is printed by the one renderer here.

use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use unicode_width::UnicodeWidthStr;

/// The text of an input file, kept so errors can quote it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown after `-->`: a path as the user gave it, or `--set`.
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// For a worksheet read as text (an `.xlsx` inventory): places are cells such as `事業!D14`.
    pub sheet: Option<SheetOrigin>,
}

/// Where the text of a worksheet came from: line *n* of the text is row *n* of the sheet, and its
/// comma-separated cells start at column `first_column` (0 = `A`).
#[derive(Debug, Clone)]
pub struct SheetOrigin {
    pub sheet: String,
    pub first_column: u32,
}

impl Source {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: impl Into<Arc<str>>) -> Arc<Source> {
        Arc::new(Source { name: name.into(), path, text: text.into(), sheet: None })
    }

    /// A worksheet rendered as CSV text, one sheet row per line (see [`SheetOrigin`]).
    pub fn sheet(name: impl Into<String>, path: Option<PathBuf>, text: String, origin: SheetOrigin) -> Arc<Source> {
        Arc::new(Source { name: name.into(), path, text: text.into(), sheet: Some(origin) })
    }

    /// `file:line:col`, or `file:sheet!D14` for a worksheet.
    pub fn place(&self, offset: usize) -> String {
        let (line, col) = self.line_col(offset);
        match &self.sheet {
            Some(origin) => {
                let column = origin.first_column.saturating_add(self.cell_index(offset));
                format!("{}:{}!{}{line}", self.name, sheet_ref(&origin.sheet), column_letters(column))
            }
            None => format!("{}:{line}:{col}", self.name),
        }
    }

    /// How many cell separators (unquoted commas) stand between the start of the line and `offset`.
    pub fn cell_index(&self, offset: usize) -> u32 {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let mut index = 0u32;
        let mut quoted = false;
        for b in self.text[line_start..offset].bytes() {
            match b {
                b'"' => quoted = !quoted,
                b',' if !quoted => index += 1,
                _ => {}
            }
        }
        index
    }

    /// Shows a path relative to the current directory where possible.
    pub fn display_path(path: &Path) -> String {
        let cwd = std::env::current_dir().ok();
        let shown = cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()).unwrap_or(path);
        let shown = shown.strip_prefix(".").unwrap_or(shown);
        shown.display().to_string()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    fn line_text(&self, line: usize) -> &str {
        self.text.split('\n').nth(line - 1).unwrap_or("").trim_end_matches('\r')
    }
}

/// A sheet name as a cell reference writes it: quoted when it has spaces or punctuation.
fn sheet_ref(name: &str) -> String {
    if name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// Spreadsheet column letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(mut column: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'A' + (column % 26) as u8));
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    out.iter().rev().collect()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A place in a source: a byte range.
#[derive(Debug, Clone)]
pub struct Location {
    pub source: Arc<Source>,
    pub span: Range<usize>,
}

impl Location {
    pub fn new(source: &Arc<Source>, span: Range<usize>) -> Location {
        Location { source: Arc::clone(source), span }
    }

    /// A location given by 1-based line and column (Rhai positions).
    pub fn at_line_col(source: &Arc<Source>, line: usize, col: usize) -> Location {
        let mut offset = 0;
        for (i, l) in source.text.split('\n').enumerate() {
            if i + 1 == line {
                let byte = l.char_indices().nth(col.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
                offset += byte;
                let len = l[byte..].chars().next().map_or(0, char::len_utf8);
                return Location::new(source, offset..offset + len);
            }
            offset += l.len() + 1;
        }
        Location::new(source, source.text.len()..source.text.len())
    }
}

/// An error (or warning) a person can act on.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// Extra context lines such as `row 12, column \`department\``.
    pub notes: Vec<String>,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    /// A bug waku found in itself (a broken invariant, a caught panic): printed as
    /// `internal error:`, and an [`crate::Error::Internal`] (exit 4) wherever it ends a run.
    Bug,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, message: message.into(), location: None, notes: vec![], hint: None }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    /// A bug waku found in itself: what broke, with a request to report it.
    pub fn bug(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Bug, ..Diagnostic::error(message) }.hint(format!(
            "this is a bug in waku {}, not in your input; please report it with the command and the scenario",
            env!("CARGO_PKG_VERSION")
        ))
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn at_opt(mut self, location: Option<Location>) -> Diagnostic {
        if location.is_some() {
            self.location = location;
        }
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn hint_opt(mut self, hint: Option<String>) -> Diagnostic {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// Adds "did you mean `x`?" when a candidate is close to `found`.
    pub fn suggest<'a>(self, found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Diagnostic {
        match suggestion(found, candidates) {
            Some(s) => self.hint(format!("did you mean `{s}`?")),
            None => self,
        }
    }

    /// `file:line:col`, when the diagnostic has a place.
    pub fn place(&self) -> Option<String> {
        self.location.as_ref().map(|l| l.source.place(l.span.start))
    }

    /// Renders the diagnostic as plain text (no colour), ending with a newline.
    ///
    /// Whatever came from the input is made safe for a terminal: control characters are escaped
    /// (`\u{1b}`), a long source line is shown as a window around the caret, and long messages
    /// are cut (see [`shorten`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Bug => "internal error",
        };
        let _ = writeln!(out, "{label}: {}", shorten(&escape_controls(&self.message), MAX_MESSAGE_CHARS));
        if let Some(loc) = &self.location {
            let (line, _) = loc.source.line_col(loc.span.start);
            let gutter = " ".repeat(line.to_string().len());
            let _ = writeln!(out, "{gutter}--> {}", escape_controls(&loc.source.place(loc.span.start)));
            let text = loc.source.line_text(line);
            let start = floor_char_boundary(&loc.source.text, loc.span.start.min(loc.source.text.len()));
            let line_start = loc.source.text[..start].rfind('\n').map_or(0, |i| i + 1);
            let end = floor_char_boundary(&loc.source.text, loc.span.end.min(loc.source.text.len())).max(start);
            let underlined = loc.source.text[start..end].split('\n').next().unwrap_or("");
            let underlined = underlined.trim_end_matches('\r');
            let (shown, pad, width) = window(text, start - line_start, underlined.len());
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{line} | {shown}");
            let _ = writeln!(out, "{gutter} | {}{}", " ".repeat(pad), "^".repeat(width.max(1)));
        }
        let gutter = match &self.location {
            Some(l) => " ".repeat(l.source.line_col(l.span.start).0.to_string().len()),
            None => " ".to_string(),
        };
        for n in &self.notes {
            let _ = writeln!(out, "{gutter} = note: {}", shorten(&escape_controls(n), MAX_MESSAGE_CHARS));
        }
        if let Some(h) = &self.hint {
            let _ = writeln!(out, "{gutter} = hint: {}", shorten(&escape_controls(h), MAX_MESSAGE_CHARS));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Diagnostic {}

/// A message, note or hint is cut after this many characters.
const MAX_MESSAGE_CHARS: usize = 500;
/// A quoted source line shows at most this many columns.
const MAX_LINE_COLUMNS: usize = 120;
/// Text quoted inside a message (a cell, a value) is cut after this many characters.
pub const MAX_QUOTED_CHARS: usize = 60;

/// `text` made safe to print on a terminal: control characters (escape sequences, carriage
/// returns, bells, …) and the bidirectional overrides are written as `\u{…}`; a tab as a space.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` cut to `max` characters, with `…` where it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((i, _)) => format!("{}… ({} characters in all)", &text[..i], text.chars().count()),
    }
}

/// Input text quoted in a message: control characters escaped, cut to [`MAX_QUOTED_CHARS`].
pub fn quote(text: &str) -> String {
    shorten(&escape_controls(text), MAX_QUOTED_CHARS)
}

/// The part of a source line to show: escaped, and when it is wide, a window around the
/// underlined part (`at` and `len` are its byte offset and length in `line`). Returns the text,
/// the caret's column in it and the caret's width.
fn window(line: &str, at: usize, len: usize) -> (String, usize, usize) {
    let at = floor_char_boundary(line, at.min(line.len()));
    let end = floor_char_boundary(line, (at + len).min(line.len())).max(at);
    let (before, under, after) =
        (escape_controls(&line[..at]), escape_controls(&line[at..end]), escape_controls(&line[end..]));
    let width = |s: &str| UnicodeWidthStr::width(s);
    if width(&before) + width(&under) + width(&after) <= MAX_LINE_COLUMNS {
        return (format!("{before}{under}{after}"), width(&before), width(&under));
    }
    // Keep some context before the caret, the underlined part (cut if it is itself wide), and
    // whatever fits after it.
    let context = 30;
    let under_shown: String = take_columns(&under, MAX_LINE_COLUMNS - context - 2);
    let under_cut = under_shown.len() < under.len();
    let mut lead = String::new();
    let mut pad = 0;
    if width(&before) > context {
        let tail = take_columns_from_end(&before, context - 1);
        lead.push('…');
        lead.push_str(&tail);
        pad = 1 + width(&tail);
    } else {
        lead.push_str(&before);
        pad += width(&before);
    }
    let mut shown = format!("{lead}{under_shown}");
    if under_cut {
        shown.push('…');
    } else {
        let room = MAX_LINE_COLUMNS.saturating_sub(width(&shown) + 1);
        let rest = take_columns(&after, room);
        shown.push_str(&rest);
        if rest.len() < after.len() {
            shown.push('…');
        }
    }
    (shown, pad, width(&under_shown))
}

fn take_columns(s: &str, columns: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= columns
        })
        .collect()
}

fn take_columns_from_end(s: &str, columns: usize) -> String {
    let mut used = 0;
    let mut kept: Vec<char> = s
        .chars()
        .rev()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= columns
        })
        .collect();
    kept.reverse();
    kept.into_iter().collect()
}

/// The closest candidate to `found`, if any is close enough to be a likely typo.
pub fn suggestion<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::normalized_damerau_levenshtein(&found.to_lowercase(), &c.to_lowercase());
        let close = score >= 0.6 || strsim::damerau_levenshtein(found, c) <= 2 && found.chars().count() > 2;
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_place_source_line_and_caret_under_wide_characters() {
        let src = Source::new("a.toml", None, "x = 1\nname = \"子ども家庭局\" # 局\n");
        let start = src.text.find("局\n").unwrap();
        let d = Diagnostic::error("bad").at(Location::new(&src, start..start + 3)).hint("fix it");
        assert_eq!(
            d.render(),
            "error: bad\n --> a.toml:2:19\n  |\n2 | name = \"子ども家庭局\" # 局\n  |                         ^^\n  = hint: fix it\n"
        );
    }

    #[test]
    fn worksheet_places_are_cells() {
        let origin = SheetOrigin { sheet: "事業".into(), first_column: 0 };
        let src = Source::sheet("p.xlsx", None, "\nid,name,\"1,234千円\",x\n".into(), origin);
        let at = src.text.find('x').unwrap();
        assert_eq!(src.place(at), "p.xlsx:事業!D2");
        let origin = SheetOrigin { sheet: "Sheet 1".into(), first_column: 26 };
        let src = Source::sheet("p.xlsx", None, "a,b".into(), origin);
        assert_eq!(src.place(2), "p.xlsx:'Sheet 1'!AB1");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn input_is_made_safe_to_print() {
        // Control characters escaped, the caret still under the culprit.
        let src = Source::new("p.csv", None, "a,\u{1b}[31mred,\tb\n");
        let start = src.text.find('\u{1b}').unwrap();
        let d = Diagnostic::error("bad \u{7}").at(Location::new(&src, start..start + 8));
        assert_eq!(
            d.render(),
            "error: bad \\u{7}\n --> p.csv:1:3\n  |\n1 | a,\\u{1b}[31mred, b\n  |   ^^^^^^^^^^^^^\n"
        );
        // A line of megabytes: a window around the caret, a few hundred bytes in all.
        let line = format!("{}BAD{}", "x".repeat(1 << 20), "y".repeat(1 << 20));
        let src = Source::new("p.csv", None, line);
        let at = 1 << 20;
        let text = Diagnostic::error("bad").at(Location::new(&src, at..at + 3)).render();
        assert!(text.len() < 600, "{} bytes", text.len());
        let lines: Vec<&str> = text.lines().collect();
        let caret = lines[4].find('^').unwrap();
        // Every character shown here is one column wide (the `…` too).
        assert_eq!(lines[3].chars().skip(caret).take(3).collect::<String>(), "BAD", "{text}");
    }

    #[test]
    fn suggests_close_ids_only() {
        assert_eq!(suggestion("kodomo-katei", ["kodomo_katei", "kenko"]), Some("kodomo_katei"));
        assert_eq!(suggestion("zzz", ["kodomo_katei", "kenko"]), None);
    }
}
