//! Copying text to the user's clipboard through the terminal itself (OSC 52), which works over
//! ssh and inside tmux (`set -g set-clipboard on`) with no clipboard tool installed. Terminals
//! that ignore it still show the text in the commands box.
//!
//! The text travels in base64, so whatever it holds cannot end the sequence early or reach the
//! terminal as a control. What lands on the clipboard is pasted into a shell, though, where a
//! raw ESC could end bracketed paste (`ESC [ 201 ~`) and run the rest: text holding a character
//! [`terminal_text`](crate::terminal_text) would escape (other than the newlines and tabs of
//! several commands) is not copied; the box shows it escaped.

use std::io::Write;

use base64::Engine;

use crate::terminal_text;

/// The escape sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Writes the OSC 52 sequence for `text` to `out`, unless `text` holds a control character.
pub fn copy(out: &mut impl Write, text: &str) -> Result<(), String> {
    if terminal_text::document(text) != text {
        return Err(
            "the commands hold a control character (shown escaped in the box); nothing copied"
                .to_string(),
        );
    }
    out.write_all(osc52(text).as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_carries_the_text_in_base64() {
        assert_eq!(osc52("hi\n"), "\x1b]52;c;aGkK\x07");
    }

    #[test]
    fn the_payload_cannot_end_the_sequence_or_carry_a_control() {
        let hostile = "kubectl annotate sa x 'a\x1b]0;PWNED\x07\x1b[2J\u{9b}'";
        let seq = osc52(hostile);
        let inner = &seq["\x1b]52;c;".len()..seq.len() - 1];
        assert!(
            inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
            "{inner}"
        );
        assert_eq!(seq.matches('\x1b').count(), 1);
        assert_eq!(seq.matches('\x07').count(), 1);
    }

    #[test]
    fn commands_are_copied_as_they_are_and_control_characters_never() {
        let mut out = Vec::new();
        let commands = "# fix it\n\tkubectl annotate sa x 'a=$(id)' --overwrite\n";
        copy(&mut out, commands).unwrap();
        assert_eq!(out, osc52(commands).into_bytes());
        for hostile in ["a\x1b[201~; id\n", "a\rb", "a\u{9b}b", "a\u{202e}b"] {
            let mut out = Vec::new();
            let refused = copy(&mut out, hostile);
            assert!(refused.is_err() && out.is_empty(), "{hostile:?}");
        }
    }
}
