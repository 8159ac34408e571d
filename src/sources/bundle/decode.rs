//! Turning a file's bytes into text: UTF-8 (with or without a byte-order mark) and UTF-16 with a
//! byte-order mark (what Windows PowerShell 5 writes for `kubectl ... > file`). Anything else is
//! refused with a message naming the offset, line and column of the first bad byte, or what the
//! file looks like (compressed, an archive, binary).
//!
//! To accept another encoding, detect it in [`text`] before the UTF-8 check.

/// The file's text, or why it is not text.
pub fn text(bytes: Vec<u8>) -> Result<String, String> {
    if let Some(kind) = container_kind(&bytes) {
        return Err(format!(
            "{kind}, not text; extract it and load the extracted files"
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(format!(
            "binary data, not text (a NUL byte at {})",
            position(&bytes, at)
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            Err(format!(
                "not UTF-8 text (an invalid byte at {})",
                position(err.as_bytes(), at)
            ))
        }
    }
}

fn container_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x1F, 0x8B]) {
        Some("gzip-compressed data")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("a zip archive")
    } else if bytes.len() > 262 && &bytes[257..262] == b"ustar" {
        Some("a tar archive")
    } else {
        None
    }
}

fn utf16(bytes: &[u8], decode: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("UTF-16 text with an odd number of bytes".to_string());
    }
    let units = bytes.chunks_exact(2).map(|pair| decode([pair[0], pair[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for (index, unit) in char::decode_utf16(units).enumerate() {
        match unit {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(format!(
                    "UTF-16 text with an invalid code unit at byte offset {}",
                    2 + index * 2
                ));
            }
        }
    }
    Ok(text)
}

/// "byte offset N, line L, column C" for a byte offset (columns count bytes, from 1).
fn position(bytes: &[u8], at: usize) -> String {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = at
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    format!("byte offset {at}, line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom() {
        let bytes = b"\xEF\xBB\xBFkind: Pod".to_vec();
        assert_eq!(text(bytes), Ok("kind: Pod".to_string()));
    }

    #[test]
    fn utf16_le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "a: é".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(text(bytes), Ok("a: é".to_string()));
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = text(b"a: 1\nb: \xFF\n".to_vec()).unwrap_err();
        assert!(err.contains("line 2, column 4"), "{err}");
    }

    #[test]
    fn binary_and_gzip() {
        assert!(text(vec![1, 2, 0, 3]).unwrap_err().contains("binary"));
        assert!(text(vec![0x1F, 0x8B, 8, 0]).unwrap_err().contains("gzip"));
    }
}
