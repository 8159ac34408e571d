//! Turning what a source holds into policy JSON text: a raw JSON object, the URL-encoded form
//! GetRole returns (`%7B%22Version%22...`), or a JSON string whose content is the document (as
//! the AWS CLI sometimes prints it).
//!
//! Only plain percent-decoding is done: `+` stays `+` (IAM encodes with `%20`), and text that is
//! already raw JSON is never decoded, since raw JSON may legitimately contain `%`. To support
//! another wrapping, add a branch to [`decode_document`] and a test.

use std::borrow::Cow;

use super::error::PolicyError;
use super::json::{JsonValue, parse_json};

/// How many wrappings (string in URL-encoding in string ...) are peeled at most.
const MAX_WRAPPINGS: usize = 3;

/// The policy JSON text held by `input`, decoded if it was URL-encoded or wrapped in a JSON
/// string. Text that is not recognisably either is returned unchanged (parsing then reports
/// the syntax error at its real position).
pub fn decode_document(input: &str) -> Result<Cow<'_, str>, PolicyError> {
    let mut current: Cow<'_, str> = Cow::Borrowed(input);
    for _ in 0..MAX_WRAPPINGS {
        match peel(&current)? {
            Some(inner) => current = Cow::Owned(inner),
            None => return Ok(current),
        }
    }
    Ok(current)
}

/// One layer off, or `None` when `text` is already raw JSON (or unrecognisable).
fn peel(text: &str) -> Result<Option<String>, PolicyError> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    match trimmed.chars().next() {
        Some('{') | None => Ok(None),
        Some('"') => {
            // A JSON string whose content is the document.
            let node = parse_json(text)?;
            match node.value {
                JsonValue::String(inner) => Ok(Some(inner)),
                _ => Ok(None),
            }
        }
        Some(_) if looks_url_encoded(trimmed) => {
            let decoded = percent_encoding::percent_decode_str(trimmed).decode_utf8_lossy();
            let starts_json = decoded.trim_start().starts_with(['{', '"']);
            Ok(starts_json.then(|| decoded.into_owned()))
        }
        Some(_) => Ok(None),
    }
}

/// URL-encoded policy text starts with an encoded `{` (possibly after encoded whitespace).
fn looks_url_encoded(text: &str) -> bool {
    let mut rest = text;
    loop {
        let Some(head) = rest.get(..3) else {
            return false;
        };
        match head.to_ascii_uppercase().as_str() {
            "%7B" | "%22" => return true,
            "%20" | "%0A" | "%0D" | "%09" => rest = rest.get(3..).unwrap_or_default(),
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> String {
        decode_document(s).unwrap().into_owned()
    }

    #[test]
    fn raw_json_is_untouched_even_with_percent() {
        let raw = r#"{"Version":"2012-10-17","Id":"100%25 sure"}"#;
        assert_eq!(dec(raw), raw);
        assert!(matches!(decode_document(raw).unwrap(), Cow::Borrowed(_)));
        let raw_ws = "\n  {\"a\": \"%7B\"}";
        assert_eq!(dec(raw_ws), raw_ws);
    }

    #[test]
    fn url_encoded_get_role_output_is_decoded() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(dec(enc), r#"{"Version":"2012-10-17","Statement":[]}"#);
        let lower = "%7b%22a%22%3a1%7d";
        assert_eq!(dec(lower), r#"{"a":1}"#);
        let ws = "%0A%20%20%7B%7D";
        assert_eq!(dec(ws), "\n  {}");
    }

    #[test]
    fn plus_is_not_a_space() {
        let enc = "%7B%22a%22%3A%22x+y%22%7D";
        assert_eq!(dec(enc), r#"{"a":"x+y"}"#);
    }

    #[test]
    fn json_string_holding_the_document() {
        let s = r#""{\"Version\":\"2012-10-17\"}""#;
        assert_eq!(dec(s), r#"{"Version":"2012-10-17"}"#);
        // A string holding URL-encoded text is peeled twice.
        assert_eq!(dec(r#""%7B%7D""#), "{}");
    }

    #[test]
    fn unrecognisable_text_is_returned_as_is() {
        assert_eq!(dec("hello"), "hello");
        assert_eq!(dec("%41%42"), "%41%42");
        assert_eq!(dec(""), "");
        assert_eq!(dec("%7"), "%7");
        // A broken JSON string is a syntax error with a position.
        assert!(decode_document("\"abc").is_err());
    }

    #[test]
    fn invalid_utf8_in_percent_escapes_does_not_panic() {
        let _ = dec("%7B%FF%FE%7D");
        let _ = dec("%7B%E2%82");
    }
}
