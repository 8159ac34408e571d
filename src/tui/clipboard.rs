//! Copying text to the user's clipboard through the terminal itself (OSC 52), which works over
//! ssh and inside tmux (`set -g set-clipboard on`) with no clipboard tool installed. Terminals
//! that ignore it still show the text in the commands box.

use std::io::Write;

use base64::Engine;

/// The escape sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Writes the OSC 52 sequence for `text` to `out`.
pub fn copy(out: &mut impl Write, text: &str) -> Result<(), String> {
    out.write_all(osc52(text).as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sequence_carries_the_text_in_base64() {
        assert_eq!(super::osc52("hi\n"), "\x1b]52;c;aGkK\x07");
    }
}
