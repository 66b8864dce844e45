//! Colour on the terminal, and only there: cuts and violated limits red, binding limits yellow,
//! totals bold. Piped or redirected output, `--out` files and snapshots stay plain text.
//!
//! The choice follows <https://no-color.org> and the `CLICOLOR_FORCE` convention: `NO_COLOR` set to
//! anything but the empty string turns colour off; otherwise `CLICOLOR_FORCE` set and not `0`
//! turns it on; otherwise colour is on when standard output is a terminal.

use std::io::IsTerminal;

/// What a line of a table says, and so its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// A cut, an abolition, a violated limit: red.
    Bad,
    /// A limit that binds, a warning: yellow.
    Binding,
    /// A total: bold.
    Total,
}

/// Paints text in a [`Tone`], or leaves it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    colour: bool,
}

impl Palette {
    /// No colour: the text as it is.
    pub const PLAIN: Palette = Palette { colour: false };
    /// ANSI colour.
    pub const ANSI: Palette = Palette { colour: true };

    /// The palette for standard output, from the environment; always plain when the output goes to
    /// a file (`to_stdout` false).
    pub fn for_stdout(to_stdout: bool) -> Palette {
        let env = |k: &str| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
        Palette { colour: to_stdout && wants_colour(std::io::stdout().is_terminal(), env) }
    }

    pub fn is_colour(self) -> bool {
        self.colour
    }

    /// `text` in `tone`'s colour (the reset at its end), or `text` unchanged.
    pub fn paint(self, tone: Tone, text: &str) -> String {
        let code = match tone {
            _ if !self.colour || text.is_empty() => return text.to_string(),
            Tone::Plain => return text.to_string(),
            Tone::Bad => "31",
            Tone::Binding => "33",
            Tone::Total => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// The language of terminal reports: English headings beside the Japanese names (the default), or
/// Japanese throughout (`--lang ja`), as a bureau chief reads them. The memo, the HTML report and
/// the spreadsheets are Japanese whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// `en` or `ja`, as the language says.
    pub fn pick<'a>(self, en: &'a str, ja: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ja => ja,
        }
    }

    /// [`Lang::pick`] over a table's columns, each `(en, ja)`.
    pub fn pick_all<'a, const N: usize>(self, columns: [(&'a str, &'a str); N]) -> [&'a str; N] {
        columns.map(|(en, ja)| self.pick(en, ja))
    }
}

/// How a terminal report looks: its colour and its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub palette: Palette,
    pub lang: Lang,
}

impl Style {
    /// Plain text in English: files, pipes, tests.
    pub const PLAIN: Style = Style { palette: Palette::PLAIN, lang: Lang::En };

    /// Colour for standard output when it is a terminal ([`Palette::for_stdout`]), in `lang`.
    pub fn for_stdout(to_stdout: bool, lang: Lang) -> Style {
        Style { palette: Palette::for_stdout(to_stdout), lang }
    }
}

/// The decision of [`Palette::for_stdout`], with the terminal and the environment given.
pub fn wants_colour(is_terminal: bool, env: impl Fn(&str) -> Option<String>) -> bool {
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    is_terminal
}

/// Removes ANSI colour codes (for width checks and tests).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn colour_follows_the_terminal_no_color_and_clicolor_force() {
        assert!(wants_colour(true, env(&[])));
        assert!(!wants_colour(false, env(&[])));
        assert!(!wants_colour(true, env(&[("NO_COLOR", "1")])));
        // An empty NO_COLOR does not count (no-color.org).
        assert!(wants_colour(true, env(&[("NO_COLOR", "")])));
        assert!(wants_colour(false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!wants_colour(false, env(&[("CLICOLOR_FORCE", "0")])));
        assert!(!wants_colour(false, env(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")])));
    }

    #[test]
    fn plain_leaves_text_alone_and_ansi_round_trips() {
        assert_eq!(Palette::PLAIN.paint(Tone::Bad, "縮小"), "縮小");
        let red = Palette::ANSI.paint(Tone::Bad, "縮小");
        assert_eq!(red, "\x1b[31m縮小\x1b[0m");
        assert_eq!(strip_ansi(&red), "縮小");
        assert_eq!(Palette::ANSI.paint(Tone::Plain, "x"), "x");
    }
}
