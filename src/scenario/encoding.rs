//! Text encodings of the CSV files a scenario reads (the inventory, the cluster list).
//!
//! Japanese offices save CSV from Excel in one of three encodings: "CSV UTF-8" (UTF-8 with a
//! byte-order mark), "CSV (コンマ区切り)" (Shift_JIS, in Windows' variant CP932) and
//! "Unicode テキスト" (UTF-16 with a byte-order mark). Unless the scenario states the encoding
//! (`csv_encoding`), a file is read as:
//!
//! 1. what its byte-order mark says (UTF-8, UTF-16 little- or big-endian);
//! 2. else UTF-8, when every byte is valid UTF-8;
//! 3. else Shift_JIS (CP932), when every byte decodes as that;
//! 4. else an error that names the encodings tried and where each failed — by line, column and
//!    the bytes themselves, never by quoting the file in a wrong encoding (mojibake).
//!
//! Valid UTF-8 is tried before Shift_JIS because a Shift_JIS file with Japanese text in it is
//! practically never valid UTF-8, while a UTF-8 file often decodes as (wrong) Shift_JIS.
//! Shift_JIS is decoded by `encoding_rs` (the WHATWG `Shift_JIS`, which is CP932 with the NEC and
//! IBM extensions: ①, ㈱, 髙). Scenario files themselves are TOML, which is UTF-8 by definition.

use std::fmt;

use encoding_rs::{DecoderResult, Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE};
use serde::{Deserialize, Deserializer};

use crate::diagnostic::{Diagnostic, Location, Source};

/// How a scenario's CSV files are encoded (`csv_encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// Byte-order mark, else UTF-8, else Shift_JIS (CP932).
    #[default]
    Auto,
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 (little-endian unless a byte-order mark says otherwise).
    Utf16,
    /// Shift_JIS in Windows' variant, CP932 (Excel's "CSV (コンマ区切り)" on a Japanese system).
    ShiftJis,
}

/// The names `csv_encoding` accepts, first the one waku prints.
const NAMES: [(TextEncoding, &[&str]); 4] = [
    (TextEncoding::Auto, &["auto"]),
    (TextEncoding::Utf8, &["utf-8", "utf8"]),
    (TextEncoding::Utf16, &["utf-16", "utf16", "utf-16le", "unicode"]),
    (TextEncoding::ShiftJis, &["shift_jis", "shift-jis", "sjis", "cp932", "windows-31j", "ms932"]),
];

impl TextEncoding {
    /// Reads `utf-8`, `shift_jis`, `cp932` … (case and `_`/`-` do not matter).
    pub fn parse(s: &str) -> Option<TextEncoding> {
        let s = s.trim().to_ascii_lowercase();
        NAMES.iter().find(|(_, names)| names.iter().any(|n| *n == s)).map(|(e, _)| *e)
    }

    fn name(self) -> &'static str {
        NAMES.iter().find(|(e, _)| *e == self).map_or("auto", |(_, names)| names[0])
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TextEncoding {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TextEncoding::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown encoding `{s}`: expected `auto`, `utf-8`, `utf-16` or `shift_jis` (also written `cp932`)"
            ))
        })
    }
}

impl schemars::JsonSchema for TextEncoding {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TextEncoding".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = NAMES.iter().flat_map(|(_, n)| n.iter().copied()).collect();
        schemars::json_schema!({
            "description": "Encoding of the scenario's CSV files: auto (byte-order mark, else UTF-8, else Shift_JIS), utf-8, utf-16, shift_jis (= cp932)",
            "enum": names
        })
    }
}

/// The encoding a file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Utf8,
    Utf16Le,
    Utf16Be,
    ShiftJis,
}

impl Found {
    /// The encoding's name as a spreadsheet user knows it.
    pub fn label(self) -> &'static str {
        match self {
            Found::Utf8 => "UTF-8",
            Found::Utf16Le => "UTF-16 (little-endian)",
            Found::Utf16Be => "UTF-16 (big-endian)",
            Found::ShiftJis => "Shift_JIS (CP932)",
        }
    }

    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            Found::Utf8 => None,
            Found::Utf16Le => Some(UTF_16LE),
            Found::Utf16Be => Some(UTF_16BE),
            Found::ShiftJis => Some(SHIFT_JIS),
        }
    }
}

/// Where one encoding failed on a file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    tried: Found,
    /// Byte offset of the first byte that does not decode.
    offset: usize,
    /// The bytes that do not decode (at most four).
    bytes: Vec<u8>,
    /// 1-based line and column (in characters) of that place, counted in the text decoded before it.
    line: usize,
    column: usize,
    /// The failing line as decoded up to the failure (control characters blanked).
    before: String,
}

impl Failure {
    /// The place of the failure in the file, quoting only its line up to the first byte that does
    /// not decode: text that did decode, never bytes read in another encoding.
    fn place(&self, shown: &str) -> Location {
        let mut text = "\n".repeat(self.line - 1);
        text.push_str(&self.before);
        let at = text.len();
        text.push(' ');
        Location::new(&Source::new(shown, None, text), at..at + 1)
    }
}

/// The byte-order mark at the start of `bytes`, and its length.
fn bom(bytes: &[u8]) -> Option<(Found, usize)> {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => Some((Found::Utf8, 3)),
        [0xFF, 0xFE, ..] => Some((Found::Utf16Le, 2)),
        [0xFE, 0xFF, ..] => Some((Found::Utf16Be, 2)),
        _ => None,
    }
}

/// Decodes `bytes` (without a byte-order mark) as `found`; where it fails, when it does.
fn decode_as(bytes: Vec<u8>, found: Found) -> Result<String, (Vec<u8>, Failure)> {
    let Some(encoding) = found.encoding() else {
        // UTF-8 needs no copy when it is valid (an inventory of 100,000 programs is 16 MB).
        return String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let bad = e.utf8_error().error_len().unwrap_or(e.as_bytes().len() - offset);
            let bytes = e.into_bytes();
            let prefix = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            let failure = failure(found, &bytes, offset, bad, prefix);
            (bytes, failure)
        });
    };
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3);
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(&bytes, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Ok(text),
        // The buffer is sized for the worst case, so it cannot fill; treat it as undecodable anyway.
        DecoderResult::OutputFull => {
            let f = failure(found, &bytes, read, 1, &text);
            Err((bytes, f))
        }
        DecoderResult::Malformed(bad, after) => {
            let offset = read.saturating_sub(usize::from(bad) + usize::from(after));
            let f = failure(found, &bytes, offset, usize::from(bad).max(1), &text);
            Err((bytes, f))
        }
    }
}

fn failure(tried: Found, bytes: &[u8], offset: usize, bad: usize, decoded_before: &str) -> Failure {
    let end = (offset + bad.clamp(1, 4)).min(bytes.len());
    let line = decoded_before.matches('\n').count() + 1;
    let line_start = decoded_before.rfind('\n').map_or(0, |i| i + 1);
    let column = decoded_before[line_start..].chars().count() + 1;
    let before =
        decoded_before[line_start..].chars().map(|c| if c.is_control() && c != '\t' { ' ' } else { c }).collect();
    Failure { tried, offset, bytes: bytes[offset.min(end)..end].to_vec(), line, column, before }
}

/// The text of a CSV file in `declared` encoding (see the module docs for `Auto`), without its
/// byte-order mark, and the encoding it was in. `shown` names the file in errors; `from` is the
/// scenario key that named it, where the error points (the file itself is not quoted: in a wrong
/// encoding it would be mojibake).
pub(crate) fn decode_csv(
    bytes: Vec<u8>,
    declared: TextEncoding,
    shown: &str,
    from: Option<&Location>,
) -> Result<(String, Found), Diagnostic> {
    let mark = bom(&bytes);
    let order: Vec<Found> = match (declared, mark) {
        (TextEncoding::Auto, Some((found, _))) => vec![found],
        (TextEncoding::Auto, None) => vec![Found::Utf8, Found::ShiftJis],
        (TextEncoding::Utf8, None | Some((Found::Utf8, _))) => vec![Found::Utf8],
        (TextEncoding::Utf16, None) => vec![Found::Utf16Le],
        (TextEncoding::Utf16, Some((f @ (Found::Utf16Le | Found::Utf16Be), _))) => vec![f],
        (TextEncoding::ShiftJis, None) => vec![Found::ShiftJis],
        (declared, Some((found, _))) => {
            return Err(Diagnostic::error(format!(
                "`{shown}` starts with a {} byte-order mark, but `csv_encoding` says `{declared}`",
                found.label()
            ))
            .at_opt(from.cloned())
            .hint(format!(
                "remove `csv_encoding` (the mark is enough) or write `csv_encoding = \"{}\"`",
                name_of(found)
            )));
        }
    };
    let skip = mark.map_or(0, |(_, n)| n);
    let mut bytes = if skip > 0 { bytes[skip..].to_vec() } else { bytes };
    let mut failures = Vec::new();
    for found in order {
        match decode_as(bytes, found) {
            Ok(text) => return Ok((text, found)),
            Err((back, f)) => {
                bytes = back;
                failures.push(f);
            }
        }
    }
    Err(undecodable(shown, skip, &failures, declared, from))
}

/// The `csv_encoding` value that names `found`.
fn name_of(found: Found) -> &'static str {
    match found {
        Found::Utf8 => "utf-8",
        Found::Utf16Le | Found::Utf16Be => "utf-16",
        Found::ShiftJis => "shift_jis",
    }
}

fn undecodable(
    shown: &str,
    skip: usize,
    failures: &[Failure],
    declared: TextEncoding,
    from: Option<&Location>,
) -> Diagnostic {
    let tried: Vec<&str> = failures.iter().map(|f| f.tried.label()).collect();
    let message = match tried.as_slice() {
        [one] => format!("`{shown}` is not {one} text"),
        _ => format!("`{shown}` is not text in any encoding waku reads (tried {})", tried.join(", then ")),
    };
    let mut d = Diagnostic::error(message);
    if let Some(first) = failures.first() {
        d = d.at(first.place(shown));
    }
    for f in failures {
        let hex: Vec<String> = f.bytes.iter().map(|b| format!("{b:02X}")).collect();
        d = d.note(format!(
            "as {}: bytes `{}` at line {}, column {} (byte {}) do not decode",
            f.tried.label(),
            hex.join(" "),
            f.line,
            f.column,
            f.offset + skip
        ));
    }
    if let Some(l) = from {
        let (line, col) = l.source.line_col(l.span.start);
        d = d.note(format!("read because of {}:{line}:{col}", l.source.name));
    }
    let hint = if declared == TextEncoding::Auto {
        "waku reads UTF-8 (Excel: \"CSV UTF-8\"), UTF-16 with a byte-order mark (\"Unicode テキスト\") and Shift_JIS \
         (\"CSV (コンマ区切り)\"); save the file as one of them, or state its encoding with `csv_encoding = \"…\"`"
            .to_string()
    } else {
        format!(
            "`csv_encoding` says `{declared}`; remove it to let waku detect UTF-8, UTF-16 or Shift_JIS, or save the file in that encoding"
        )
    };
    d.hint(hint)
}

/// A UTF-8 file (a scenario or plan in TOML, which is UTF-8 by definition): its text without a
/// byte-order mark, or an error that says where it is not UTF-8 without quoting it.
pub(crate) fn decode_utf8(bytes: Vec<u8>, shown: &str, from: Option<&Location>) -> Result<String, Diagnostic> {
    let skip = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    let bytes = if skip > 0 { bytes[skip..].to_vec() } else { bytes };
    decode_as(bytes, Found::Utf8).map_err(|(_, f)| {
        undecodable(shown, skip, std::slice::from_ref(&f), TextEncoding::Utf8, from).hint(
            "a scenario is TOML, which is UTF-8: save it as UTF-8 (most editors: \"UTF-8\"; Notepad: \"UTF-8\", not \"ANSI\")",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id,name\nK1,子ども・子育て支援（①㈱髙）\n";

    fn sjis(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut out = if little { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
        for u in text.encode_utf16() {
            out.extend(if little { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    fn auto(bytes: Vec<u8>) -> Result<(String, Found), Diagnostic> {
        decode_csv(bytes, TextEncoding::Auto, "p.csv", None)
    }

    #[test]
    fn every_encoding_gives_the_same_text() {
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend(TEXT.as_bytes());
        for (bytes, found) in [
            (TEXT.as_bytes().to_vec(), Found::Utf8),
            (with_bom, Found::Utf8),
            (utf16(TEXT, true), Found::Utf16Le),
            (utf16(TEXT, false), Found::Utf16Be),
            (sjis(TEXT), Found::ShiftJis),
        ] {
            assert_eq!(auto(bytes).expect("decodes"), (TEXT.to_string(), found));
        }
        let declared = decode_csv(sjis(TEXT), TextEncoding::ShiftJis, "p.csv", None).expect("declared");
        assert_eq!(declared.0, TEXT);
    }

    #[test]
    fn undecodable_names_what_was_tried_and_where_without_quoting() {
        // Valid up to `K1,` on line 2, then 0xFF, which neither UTF-8 nor Shift_JIS has.
        let mut bytes = b"id,name\nK1,".to_vec();
        bytes.extend([0xFF, 0xFF]);
        bytes.extend(sjis("子ども\n"));
        let d = auto(bytes).expect_err("undecodable");
        assert_eq!(d.message, "`p.csv` is not text in any encoding waku reads (tried UTF-8, then Shift_JIS (CP932))");
        assert_eq!(
            d.notes,
            vec![
                "as UTF-8: bytes `FF` at line 2, column 4 (byte 11) do not decode".to_string(),
                "as Shift_JIS (CP932): bytes `FF` at line 2, column 4 (byte 11) do not decode".to_string(),
            ]
        );
        assert_eq!(d.place().as_deref(), Some("p.csv:2:4"));
        assert!(d.render().contains("2 | K1, \n"), "only what decoded is quoted:\n{}", d.render());
        assert!(d.hint.as_deref().unwrap_or("").contains("csv_encoding"));
    }

    #[test]
    fn a_declared_encoding_is_the_only_one_tried() {
        let d = decode_csv(sjis(TEXT), TextEncoding::Utf8, "p.csv", None).expect_err("not UTF-8");
        assert_eq!(d.message, "`p.csv` is not UTF-8 text");
        assert_eq!(d.notes.len(), 1);
        assert!(d.notes[0].starts_with("as UTF-8: bytes `8E` at line 2, column 4 (byte 11)"), "{:?}", d.notes);
        let d = decode_csv(utf16(TEXT, true), TextEncoding::ShiftJis, "p.csv", None).expect_err("mark");
        assert_eq!(
            d.message,
            "`p.csv` starts with a UTF-16 (little-endian) byte-order mark, but `csv_encoding` says `shift_jis`"
        );
    }

    #[test]
    fn names_are_read_loosely() {
        for (s, e) in [
            ("CP932", TextEncoding::ShiftJis),
            ("Shift-JIS", TextEncoding::ShiftJis),
            ("UTF8", TextEncoding::Utf8),
            ("utf-16", TextEncoding::Utf16),
            ("auto", TextEncoding::Auto),
        ] {
            assert_eq!(TextEncoding::parse(s), Some(e), "{s}");
        }
        assert_eq!(TextEncoding::parse("euc-jp"), None);
    }
}
