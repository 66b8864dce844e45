//! A static look at rule scripts: which `params.NAME` and `program.NAME` they read, and where.
//!
//! This is a light scan of the source text (comments and string literals skipped), enough to
//! report an undefined or unused parameter or a misspelt program field before any program runs.

/// One `OBJECT.NAME` or `OBJECT["NAME"]` read in a script, with the byte range of `NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub object: &'static str,
    pub name: String,
    pub span: std::ops::Range<usize>,
}

/// Finds every read of a field of `objects` in `text`.
pub fn references(text: &str, objects: &[&'static str]) -> Vec<Reference> {
    let code = blank_comments_and_strings(text);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for &object in objects {
        let mut from = 0;
        while let Some(i) = code[from..].find(object).map(|i| i + from) {
            from = i + object.len();
            let before_ok = i == 0 || !is_ident_byte(bytes[i - 1]) && bytes[i - 1] != b'.';
            let after = i + object.len();
            if !before_ok || bytes.get(after).is_some_and(|b| is_ident_byte(*b)) {
                continue;
            }
            let mut j = skip_ws(bytes, after);
            if bytes.get(j) == Some(&b'?') {
                j += 1;
            }
            match bytes.get(j) {
                Some(b'.') => {
                    let start = skip_ws(bytes, j + 1);
                    let end = start + code[start..].bytes().take_while(|b| is_ident_byte(*b)).count();
                    if end > start {
                        out.push(Reference { object, name: code[start..end].to_string(), span: start..end });
                    }
                }
                Some(b'[') => {
                    // The literal was blanked; read it from the original text.
                    let start = skip_ws(bytes, j + 1);
                    if text.as_bytes().get(start) == Some(&b'"') {
                        if let Some(len) = text[start + 1..].find('"') {
                            let name = &text[start + 1..start + 1 + len];
                            if !name.contains('\\') {
                                out.push(Reference {
                                    object,
                                    name: name.to_string(),
                                    span: start + 1..start + 1 + len,
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out.sort_by_key(|r| r.span.start);
    out
}

/// Whether the script assigns to `OBJECT.NAME` or `OBJECT["NAME"]` (`=`, `+=`, …) anywhere.
///
/// Such a script fails at run time (`params` is read-only); it is run as written rather than with
/// the parameters folded in, so that it fails in the same way.
pub fn assigns_to_field(text: &str, object: &'static str) -> bool {
    let code = blank_comments_and_strings(text);
    let bytes = code.as_bytes();
    references(text, &[object]).iter().any(|r| {
        // After `NAME`, or after the closing quote and bracket of `["NAME"]`.
        let mut j = r.span.end;
        if bytes.get(j) == Some(&b'"') {
            j = skip_ws(bytes, j + 1);
            if bytes.get(j) != Some(&b']') {
                return false;
            }
            j += 1;
        }
        let rest = &code[skip_ws(bytes, j)..];
        let op_len = rest.bytes().take_while(|b| b"+-*/%<>&|^".contains(b)).count();
        rest[op_len..].starts_with('=') && !rest[op_len..].starts_with("==") && !matches!(&rest[..op_len], "<" | ">")
    })
}

/// Whether `word` appears in the code of `text` as a name (not in a comment or string, not part of a longer name).
pub fn mentions(text: &str, word: &str) -> bool {
    let code = blank_comments_and_strings(text);
    let bytes = code.as_bytes();
    code.match_indices(word).any(|(i, _)| {
        let end = i + word.len();
        (i == 0 || !is_ident_byte(bytes[i - 1])) && !bytes.get(end).is_some_and(|b| is_ident_byte(*b))
    })
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The text with comments and the insides of `"…"` and `'…'` literals replaced by spaces (byte offsets kept).
/// Back-quoted strings stay, since `${…}` inside them is code.
fn blank_comments_and_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let blank = |out: &mut String, c: char| {
        for _ in 0..c.len_utf8() {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
    };
    while let Some((_, c)) = chars.next() {
        match c {
            '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => {
                blank(&mut out, c);
                while let Some(&(_, n)) = chars.peek() {
                    if n == '\n' {
                        break;
                    }
                    blank(&mut out, n);
                    chars.next();
                }
            }
            '/' if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                blank(&mut out, c);
                let mut depth = 0usize;
                let mut prev = c;
                for (_, n) in chars.by_ref() {
                    blank(&mut out, n);
                    if prev == '/' && n == '*' {
                        depth += 1;
                        prev = ' ';
                        continue;
                    }
                    if prev == '*' && n == '/' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                        prev = ' ';
                        continue;
                    }
                    prev = n;
                }
            }
            '"' | '\'' => {
                let quote = c;
                out.push(c);
                let mut escaped = false;
                for (_, n) in chars.by_ref() {
                    if n == quote && !escaped {
                        out.push(n);
                        break;
                    }
                    escaped = n == '\\' && !escaped;
                    blank(&mut out, n);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_field_reads_outside_comments_and_strings() {
        let text = "// params.commented\nlet t = params.needs_trend; let s = \"params.in_string\";\nif program.kind == \"new\" { params[\"quoted\"] } `${params.interp}` myparams.no";
        let refs = references(text, &["params", "program"]);
        let names: Vec<(&str, &str)> = refs.iter().map(|r| (r.object, r.name.as_str())).collect();
        assert_eq!(names, [("params", "needs_trend"), ("program", "kind"), ("params", "quoted"), ("params", "interp")]);
        assert_eq!(&text[refs[0].span.clone()], "needs_trend");
        assert_eq!(&text[refs[2].span.clone()], "quoted");
    }

    #[test]
    fn finds_assignments_to_a_field() {
        for text in [
            "params.x = 1;",
            "params . x += 1",
            "params[\"x\"] = 2",
            "params [ \"x\" ]\n  **= 2",
            "if a { params.x <<= 1 }",
        ] {
            assert!(assigns_to_field(text, "params"), "{text}");
        }
        for text in [
            "params.x == 1",
            "params.x <= 1",
            "params.x >= 1",
            "params.x != 1",
            "let p = params; p.x = 1",
            "myparams.x = 1",
            "// params.x = 1",
            "\"params.x = 1\"",
        ] {
            assert!(!assigns_to_field(text, "params"), "{text}");
        }
    }

    #[test]
    fn keeps_byte_offsets_under_japanese_text() {
        let text = "let r = \"需要が減少\"; // 日本語\nparams.x";
        let refs = references(text, &["params"]);
        assert_eq!(&text[refs[0].span.clone()], "x");
    }
}
