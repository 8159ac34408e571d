//! Reading JSON text byte by byte while tracking line and column (columns count characters,
//! not bytes), plus the token scanners: strings with escapes, numbers, `true`/`false`/`null`.
//!
//! Every error is a [`PolicyError`] with IAM's "Syntax errors in policy." and what was expected.
//! The cursor never slices the text at a non-character boundary, so no input can panic it.

use crate::policy::error::{ErrorCode, PolicyError, SYNTAX};

pub(super) struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    col: u32,
}

/// A saved position: byte offset, line, column.
#[derive(Clone, Copy)]
pub(super) struct Mark {
    pub pos: usize,
    pub line: u32,
    pub col: u32,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut c = Cursor {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            col: 1,
        };
        // A UTF-8 byte order mark is not part of the document.
        if text.starts_with('\u{feff}') {
            c.pos = 3;
        }
        c
    }

    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            line: self.line,
            col: self.col,
        }
    }

    /// Advance one byte, keeping line and column right (continuation bytes add no column).
    pub fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        if b == b'\n' {
            self.line = self.line.saturating_add(1);
            self.col = 1;
        } else if b & 0xC0 != 0x80 {
            self.col = self.col.saturating_add(1);
        }
        Some(b)
    }

    pub fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    /// Consume `b` or fail saying it was expected.
    pub fn consume(&mut self, b: u8, what: &str) -> Result<(), PolicyError> {
        if self.peek() == Some(b) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    /// What is at the cursor, for messages: `'x'` or "the end of the document".
    pub fn found(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(ch) if ch.is_control() => format!("character U+{:04X}", ch as u32),
            Some(ch) => format!("'{ch}'"),
            None => "the end of the document".to_string(),
        }
    }

    /// "Syntax errors in policy. Expected X but found Y." at the cursor.
    pub fn unexpected(&self, expected: &str) -> PolicyError {
        self.error_here(format!("Expected {expected} but found {}.", self.found()))
    }

    pub fn error_here(&self, detail: impl AsRef<str>) -> PolicyError {
        error_at(self.mark(), ErrorCode::Syntax, detail)
    }

    /// Scan a string literal; the cursor is on the opening quote.
    pub fn string(&mut self) -> Result<String, PolicyError> {
        self.consume(b'"', "'\"'")?;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.bump();
            }
            // `run` and `pos` both sit on ASCII bytes or the end, so they are char boundaries.
            out.push_str(self.text.get(run..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    let at = self.mark();
                    self.bump();
                    self.escape(&mut out, at)?;
                }
                Some(_) => {
                    return Err(self.error_here(format!(
                        "A string may not contain the raw control {}; write it as an escape.",
                        self.found()
                    )));
                }
                None => return Err(self.unexpected("the closing '\"' of a string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String, at: Mark) -> Result<(), PolicyError> {
        let ch = match self.bump() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => self.unicode_escape(at)?,
            _ => {
                return Err(error_at(
                    at,
                    ErrorCode::Syntax,
                    "Invalid escape sequence in a string.",
                ));
            }
        };
        out.push(ch);
        Ok(())
    }

    fn unicode_escape(&mut self, at: Mark) -> Result<char, PolicyError> {
        let bad = || error_at(at, ErrorCode::Syntax, "Invalid \\u escape in a string.");
        let hi = self.hex4().ok_or_else(bad)?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if self.bump() != Some(b'\\') || self.bump() != Some(b'u') {
                return Err(bad());
            }
            let lo = self.hex4().ok_or_else(bad)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(bad());
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(bad)
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = (self.bump()? as char).to_digit(16)?;
            v = v * 16 + d;
        }
        Some(v)
    }

    /// Scan a number and return its exact text.
    pub fn number(&mut self) -> Result<String, PolicyError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit after '.'"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit in the exponent"));
            }
            self.digits();
        }
        Ok(self
            .text
            .get(start..self.pos)
            .unwrap_or_default()
            .to_string())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }

    /// Consume the keyword `word` (`true`, `false`, `null`).
    pub fn keyword(&mut self, word: &str) -> Result<(), PolicyError> {
        let at = self.mark();
        for &b in word.as_bytes() {
            if self.peek() != Some(b) {
                return Err(error_at(
                    at,
                    ErrorCode::Syntax,
                    format!("Expected a JSON value (did you mean {word}?)."),
                ));
            }
            self.bump();
        }
        Ok(())
    }
}

/// A syntax-class error at a saved position, prefixed with IAM's reason.
pub(super) fn error_at(at: Mark, code: ErrorCode, detail: impl AsRef<str>) -> PolicyError {
    PolicyError::at(
        code,
        format!("{SYNTAX} {}", detail.as_ref()),
        at.line,
        at.col,
    )
}
