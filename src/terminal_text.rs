//! Untrusted text made safe to show on a terminal. Everything the tool shows from a cluster, an
//! AWS account or a bundle file (annotation and env values, names, policy documents, API error
//! texts) was written by someone else and may carry terminal controls: `ESC ] 0 ; … BEL` sets
//! the window title, `ESC [ 2 J` clears the screen, a lone `CR` lets the rest of a line
//! overwrite what came before. [`escape`] is the one place that decides how such characters are
//! shown; every front end (doctor's text output, `policy eval`, the TUI, its log file, error
//! messages) passes untrusted text through it, so the user sees exactly what is there and the
//! terminal never acts on it. JSON keeps JSON's escaping, made terminal-safe by [`json_pretty`];
//! YAML its own, by [`yaml`].
//!
//! Pure, no I/O.
//!
//! # What is escaped, and how
//!
//! One notation, readable by people who know C, the shell's `printf` or Rust:
//!
//! | character                                   | shown as                  |
//! |---------------------------------------------|---------------------------|
//! | NUL, BEL, BS, TAB, LF, VT, FF, CR, ESC      | `\0 \a \b \t \n \v \f \r \e` |
//! | any other C0 control (U+0001–U+001F)        | `\u{1}` … `\u{1f}`        |
//! | DEL (U+007F)                                | `\u{7f}`                  |
//! | C1 controls (U+0080–U+009F; U+009B is CSI)  | `\u{80}` … `\u{9f}`       |
//! | bidirectional controls                      | `\u{202e}` and so on      |
//! | invisible format characters                 | `\u{200b}` and so on      |
//!
//! The bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) reorder
//! the text around them, so `abc\u{202e}fed` reads as "abcdef" ("Trojan Source",
//! CVE-2021-42574); the invisible ones (U+200B–U+200D zero-width spaces and joiners,
//! U+2028/U+2029 line and paragraph separators, U+2060–U+2064, the byte order mark U+FEFF and
//! the tag characters U+E0000–U+E007F) make two different values look the same. Both are
//! escaped so a value never looks different from what it is.
//!
//! A backslash is shown as it is: doubling it would make every Windows path and regular
//! expression harder to read, at the price that a literal backslash followed by `e` reads like
//! an escaped ESC. `-o json` is exact when that matters.
//!
//! Two shapes: a one-line field ([`Shape::Line`]: names, values, messages) escapes every control
//! character, tab and newline included, so it stays on its line; a multi-line document
//! ([`Shape::Document`]: a policy shown as evidence, an error text of several lines) keeps tab,
//! newline and the CR of a CRLF line end, which only lay out text.

mod yaml;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

pub use yaml::yaml;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// How much layout the text may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A one-line field: every control character is escaped, tab and newline included.
    Line,
    /// A multi-line document: tab, newline and CRLF line ends are kept, everything else as
    /// for [`Shape::Line`].
    Document,
}

/// `text` with every character a terminal could act on, or that could make it look different
/// from what it is, shown escaped (see the module documentation for the list and notation).
/// Borrows when there is nothing to escape.
pub fn escape(text: &str, shape: Shape) -> Cow<'_, str> {
    let mut chars = text.char_indices().peekable();
    let mut out: Option<String> = None;
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let kept = !needs_escape(c) || (shape == Shape::Document && laid_out(c, next));
        match (&mut out, kept) {
            (None, true) => {}
            (None, false) => {
                let mut s = String::with_capacity(text.len() + 8);
                s.push_str(&text[..at]);
                push_escaped(&mut s, c);
                out = Some(s);
            }
            (Some(s), true) => s.push(c),
            (Some(s), false) => push_escaped(s, c),
        }
    }
    match out {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(text),
    }
}

/// [`escape`] for a one-line field.
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, Shape::Line)
}

/// [`escape`] for a multi-line document.
pub fn document(text: &str) -> Cow<'_, str> {
    escape(text, Shape::Document)
}

/// Whether `c` is shown escaped in a one-line field.
pub fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || is_bidi_control(c)
        || is_invisible(c)
}

/// The bidirectional formatting characters: marks, embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that draw nothing (or break a line) and so hide a difference between values.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200d}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{feff}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// In a document: the characters that only lay text out (tab, newline, the CR of a CRLF).
fn laid_out(c: char, next: Option<char>) -> bool {
    match c {
        '\t' | '\n' => true,
        '\r' => next == Some('\n'),
        _ => false,
    }
}

fn push_escaped(out: &mut String, c: char) {
    let named = match c {
        '\0' => "\\0",
        '\u{7}' => "\\a",
        '\u{8}' => "\\b",
        '\t' => "\\t",
        '\n' => "\\n",
        '\u{b}' => "\\v",
        '\u{c}' => "\\f",
        '\r' => "\\r",
        '\u{1b}' => "\\e",
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
            return;
        }
    };
    out.push_str(named);
}

/// `value` as pretty JSON (as `serde_json::to_string_pretty` writes it) with every character
/// [`needs_escape`] names written as a JSON `\u` escape. serde_json already escapes C0 controls
/// but writes DEL, C1 (U+009B is CSI to some terminals) and the bidirectional and invisible
/// characters raw; `\u` escapes are plain JSON, so a parser reads the same value.
pub fn json_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        TerminalSafe(PrettyFormatter::with_indent(b"  ")),
    );
    value.serialize(&mut ser)?;
    // serde_json writes only UTF-8, and the escapes added here are ASCII.
    String::from_utf8(out).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

/// A JSON formatter that lays out like the one it wraps and also `\u`-escapes the characters
/// [`needs_escape`] names inside strings.
struct TerminalSafe<F>(F);

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if !needs_escape(c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_show_every_control_escaped() {
        let cases: &[(&str, &str)] = &[
            ("plain arn:aws:iam::1:role/x", "plain arn:aws:iam::1:role/x"),
            ("", ""),
            ("héllo wörld ✔ 日本", "héllo wörld ✔ 日本"),
            (
                "orders-irsa\x1b]0;PWNED\x07\x1b[2J",
                "orders-irsa\\e]0;PWNED\\a\\e[2J",
            ),
            (
                "\0\x07\x08\t\n\x0b\x0c\r\x1b",
                "\\0\\a\\b\\t\\n\\v\\f\\r\\e",
            ),
            ("a\x01b\x1fc", "a\\u{1}b\\u{1f}c"),
            ("del\x7f", "del\\u{7f}"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("\u{80}\u{85}\u{9f}\u{a0}", "\\u{80}\\u{85}\\u{9f}\u{a0}"),
            ("ok\rBROKEN", "ok\\rBROKEN"),
            ("line\r\nnext", "line\\r\\nnext"),
            ("a\\eb", "a\\eb"),
        ];
        for (raw, shown) in cases {
            assert_eq!(line(raw), *shown, "{raw:?}");
        }
    }

    #[test]
    fn bidi_and_invisible_characters_are_escaped_too() {
        let cases: &[(&str, &str)] = &[
            ("abc\u{202e}fed", "abc\\u{202e}fed"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            (
                "\u{2066}x\u{2067}\u{2068}\u{2069}",
                "\\u{2066}x\\u{2067}\\u{2068}\\u{2069}",
            ),
            ("\u{200e}\u{200f}\u{61c}", "\\u{200e}\\u{200f}\\u{61c}"),
            ("ord\u{200b}ers", "ord\\u{200b}ers"),
            ("\u{feff}bom", "\\u{feff}bom"),
            ("a\u{2028}b\u{2029}", "a\\u{2028}b\\u{2029}"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            // Right-to-left text itself is not a control: shown as it is.
            ("שלום", "שלום"),
        ];
        for (raw, shown) in cases {
            assert_eq!(line(raw), *shown, "{raw:?}");
        }
    }

    #[test]
    fn documents_keep_their_layout_and_nothing_else() {
        let cases: &[(&str, &str)] = &[
            ("{\n\t\"Sid\": \"x\"\n}", "{\n\t\"Sid\": \"x\"\n}"),
            ("crlf\r\nline\r\n", "crlf\r\nline\r\n"),
            ("lone\rcr", "lone\\rcr"),
            ("end\r", "end\\r"),
            ("\"Sid\": \"Allow\x1b[2J\"\n", "\"Sid\": \"Allow\\e[2J\"\n"),
            (
                "a\x0bb\x0cc\x7f\u{9b}\u{202e}",
                "a\\vb\\fc\\u{7f}\\u{9b}\\u{202e}",
            ),
        ];
        for (raw, shown) in cases {
            assert_eq!(document(raw), *shown, "{raw:?}");
        }
    }

    #[test]
    fn nothing_to_escape_borrows() {
        assert!(matches!(line("arn:aws:iam::1:role/x"), Cow::Borrowed(_)));
        assert!(matches!(document("a\n\tb\r\n"), Cow::Borrowed(_)));
        assert!(matches!(line("a\nb"), Cow::Owned(_)));
    }

    #[test]
    fn escaped_text_carries_nothing_to_escape() {
        // Every char from U+0000 to U+00FF and the special ranges, alone and in a string.
        let all: String = (0u32..0x100)
            .chain(0x2000..0x2070)
            .chain([0xfeff, 0x61c, 0xe0000, 0xe0041, 0xe007f])
            .filter_map(char::from_u32)
            .collect();
        for shape in [Shape::Line, Shape::Document] {
            let shown = escape(&all, shape);
            let left: Vec<char> = shown
                .chars()
                .filter(|&c| {
                    needs_escape(c) && !(shape == Shape::Document && matches!(c, '\t' | '\n'))
                })
                .collect();
            assert!(left.is_empty(), "{shape:?} left {left:?}");
        }
        assert!(!line(&all).contains(['\n', '\t']));
    }

    #[derive(Serialize)]
    struct Value<'a> {
        value: &'a str,
    }

    #[test]
    fn serde_json_escapes_c0_but_not_del_c1_or_bidi() {
        let raw = "a\x1b]0;PWNED\x07\x7f\u{9b}\u{202e}";
        let plain = serde_json::to_string(&Value { value: raw }).unwrap();
        assert!(plain.contains("\\u001b]0;PWNED\\u0007"), "{plain}");
        assert!(!plain.contains('\x1b') && !plain.contains('\x07'));
        assert!(
            plain.contains('\u{7f}') && plain.contains('\u{9b}') && plain.contains('\u{202e}'),
            "serde_json writes these raw, which is why json_pretty exists: {plain:?}"
        );
    }

    #[test]
    fn json_pretty_escapes_what_serde_json_leaves_raw_and_reads_back_the_same() {
        let raw = "a\x1b]0;PWNED\x07\x7f\u{9b}\u{202e}\u{e0041}é\"\\";
        let text = json_pretty(&Value { value: raw }).unwrap();
        assert_eq!(
            text,
            "{\n  \"value\": \"a\\u001b]0;PWNED\\u0007\\u007f\\u009b\\u202e\\udb40\\udc41é\\\"\\\\\"\n}"
        );
        assert!(!text.chars().any(|c| needs_escape(c) && c != '\n'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["value"], raw);
    }

    #[test]
    fn json_pretty_lays_out_like_serde_json() {
        let v = serde_json::json!({"a": [1, {"b": null}], "c": "d", "e": [], "f": {}});
        assert_eq!(
            json_pretty(&v).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}
