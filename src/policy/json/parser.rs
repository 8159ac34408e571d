//! The JSON grammar (RFC 8259, nothing more: no comments, no trailing commas) building a
//! [`JsonNode`] tree, refusing duplicate keys and nesting deeper than [`MAX_DEPTH`].
//!
//! Recursion is bounded by [`MAX_DEPTH`], so hostile input cannot overflow the stack. Duplicate
//! detection uses a hash map per object, so huge objects stay linear.

use std::collections::HashMap;

use super::lexer::{Cursor, Mark, error_at};
use super::{JsonMember, JsonNode, JsonValue, Span};
use crate::policy::error::{ErrorCode, PolicyError};

/// Deepest nesting accepted. A policy needs five levels; anything near this is not a policy.
pub const MAX_DEPTH: usize = 64;

/// Parse one JSON document (surrounding whitespace allowed, nothing else after it).
pub fn parse_json(text: &str) -> Result<JsonNode, PolicyError> {
    let mut c = Cursor::new(text);
    c.skip_ws();
    if c.peek().is_none() {
        return Err(c.unexpected("a JSON document"));
    }
    let node = value(&mut c, 0)?;
    c.skip_ws();
    if c.peek().is_some() {
        return Err(c.unexpected("the end of the document after the top-level value"));
    }
    Ok(node)
}

fn span(start: Mark, c: &Cursor<'_>) -> Span {
    Span {
        line: start.line,
        column: start.col,
        start: start.pos,
        end: c.pos(),
    }
}

fn value(c: &mut Cursor<'_>, depth: usize) -> Result<JsonNode, PolicyError> {
    let start = c.mark();
    let v = match c.peek() {
        Some(b'{') => object(c, depth + 1)?,
        Some(b'[') => array(c, depth + 1)?,
        Some(b'"') => JsonValue::String(c.string()?),
        Some(b'-' | b'0'..=b'9') => JsonValue::Number(c.number()?),
        Some(b't') => {
            c.keyword("true")?;
            JsonValue::Bool(true)
        }
        Some(b'f') => {
            c.keyword("false")?;
            JsonValue::Bool(false)
        }
        Some(b'n') => {
            c.keyword("null")?;
            JsonValue::Null
        }
        Some(b'\'') => {
            return Err(c.error_here(
                "Expected a JSON value but found a single quote; JSON strings use double quotes.",
            ));
        }
        _ => return Err(c.unexpected("a JSON value")),
    };
    Ok(JsonNode {
        value: v,
        span: span(start, c),
    })
}

fn check_depth(c: &Cursor<'_>, depth: usize) -> Result<(), PolicyError> {
    if depth > MAX_DEPTH {
        return Err(error_at(
            c.mark(),
            ErrorCode::TooDeep,
            format!("The document nests deeper than {MAX_DEPTH} levels."),
        ));
    }
    Ok(())
}

fn object(c: &mut Cursor<'_>, depth: usize) -> Result<JsonValue, PolicyError> {
    check_depth(c, depth)?;
    c.consume(b'{', "'{'")?;
    c.skip_ws();
    let mut members: Vec<JsonMember> = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    if c.peek() == Some(b'}') {
        c.bump();
        return Ok(JsonValue::Object(members));
    }
    let mut after_comma = false;
    loop {
        if c.peek() != Some(b'"') {
            return Err(if after_comma && c.peek() == Some(b'}') {
                c.error_here("Expected another member after ',' but found '}': JSON does not allow a trailing comma.")
            } else {
                c.unexpected("a member name in double quotes")
            });
        }
        let key_start = c.mark();
        let key = c.string()?;
        let key_span = span(key_start, c);
        if let Some(first) = seen.get(&key) {
            return Err(error_at(
                key_start,
                ErrorCode::DuplicateKey,
                format!(
                    "Duplicate key \"{key}\" at line {} (first defined at line {first}); \
                     IAM refuses a key repeated in one object, where most JSON tools silently keep the last one.",
                    key_start.line
                ),
            ));
        }
        seen.insert(key.clone(), key_start.line);
        c.skip_ws();
        c.consume(b':', "':' after a member name")?;
        c.skip_ws();
        let v = value(c, depth)?;
        members.push(JsonMember {
            key,
            key_span,
            value: v,
        });
        c.skip_ws();
        match c.peek() {
            Some(b',') => {
                c.bump();
                c.skip_ws();
                after_comma = true;
            }
            Some(b'}') => {
                c.bump();
                return Ok(JsonValue::Object(members));
            }
            _ => return Err(c.unexpected("',' or '}' after an object member")),
        }
    }
}

fn array(c: &mut Cursor<'_>, depth: usize) -> Result<JsonValue, PolicyError> {
    check_depth(c, depth)?;
    c.consume(b'[', "'['")?;
    c.skip_ws();
    let mut items = Vec::new();
    if c.peek() == Some(b']') {
        c.bump();
        return Ok(JsonValue::Array(items));
    }
    loop {
        if c.peek() == Some(b']') && !items.is_empty() {
            return Err(c.error_here(
                "Expected another value after ',' but found ']': JSON does not allow a trailing comma.",
            ));
        }
        items.push(value(c, depth)?);
        c.skip_ws();
        match c.peek() {
            Some(b',') => {
                c.bump();
                c.skip_ws();
            }
            Some(b']') => {
                c.bump();
                return Ok(JsonValue::Array(items));
            }
            _ => return Err(c.unexpected("',' or ']' after an array element")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> PolicyError {
        match parse_json(text) {
            Ok(v) => panic!("expected an error for {text:?}, got {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let doc = parse_json("{\n  \"a\": [1, \"é\", true],\n  \"b\": {\"c\": null}\n}").unwrap();
        assert_eq!((doc.span.line, doc.span.column), (1, 1));
        let a = doc.get("a").unwrap();
        assert_eq!((a.span.line, a.span.column), (2, 8));
        let JsonValue::Array(items) = &a.value else {
            panic!()
        };
        assert_eq!(items[1].span.column, 12);
        // 'é' is two bytes but one column: `true` starts at column 17.
        assert_eq!(items[2].span.column, 17);
        let b = doc.get("b").unwrap();
        assert_eq!(b.line(), 3);
        let members = doc.as_object().unwrap();
        assert_eq!(members[1].key_span.line, 3);
        assert_eq!(members[1].key_span.column, 3);
        assert_eq!(
            &"{\n  \"a\""[members[0].key_span.start..members[0].key_span.end],
            "\"a\""
        );
    }

    #[test]
    fn numbers_keep_their_text() {
        let doc = parse_json("[10, 10.0, -0.5e+3]").unwrap();
        let JsonValue::Array(items) = doc.value else {
            panic!()
        };
        let texts: Vec<_> = items
            .iter()
            .map(|n| match &n.value {
                JsonValue::Number(t) => t.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(texts, ["10", "10.0", "-0.5e+3"]);
    }

    #[test]
    fn duplicate_keys_name_the_key_and_both_lines() {
        let e = err("{\n \"a\": 1,\n \"b\": 2,\n \"a\": 3\n}");
        assert_eq!(e.code, ErrorCode::DuplicateKey);
        assert!(e.reason.contains("\"a\""), "{e}");
        assert!(e.reason.contains("line 4"), "{e}");
        assert!(e.reason.contains("first defined at line 2"), "{e}");
        assert_eq!(e.line(), Some(4));
    }

    #[test]
    fn duplicate_keys_found_at_any_depth() {
        let e = err(r#"{"S": [{"C": {"StringEquals": {"k": "1", "k": "2"}}}]}"#);
        assert_eq!(e.code, ErrorCode::DuplicateKey);
        // Same key in sibling objects is fine.
        assert!(parse_json(r#"[{"k": 1}, {"k": 2}]"#).is_ok());
    }

    #[test]
    fn malformed_json_says_where_and_what_was_expected() {
        let e = err("{\n  \"a\": 1\n  \"b\": 2\n}");
        assert_eq!(e.code, ErrorCode::Syntax);
        assert!(e.reason.starts_with("Syntax errors in policy."), "{e}");
        assert!(e.reason.contains("',' or '}'"), "{e}");
        assert_eq!(e.location.map(|l| (l.line, l.column)), Some((3, 3)));

        let e = err("{\"a\": 1,}");
        assert!(e.reason.contains("trailing comma"), "{e}");
        let e = err("[1, 2,]");
        assert!(e.reason.contains("trailing comma"), "{e}");
        let e = err("{'a': 1}");
        assert!(
            e.reason.contains("'''") || e.reason.contains("double quotes"),
            "{e}"
        );
        let e = err("");
        assert!(e.reason.contains("end of the document"), "{e}");
        let e = err("{} x");
        assert!(e.reason.contains("'x'"), "{e}");
        let e = err("\"abc");
        assert!(e.reason.contains("closing"), "{e}");
        let e = err("tru");
        assert!(e.reason.contains("true"), "{e}");
        let e = err("\"a\u{1}b\"");
        assert!(e.reason.contains("control"), "{e}");
        let e = err("01");
        assert_eq!(e.code, ErrorCode::Syntax);
        let e = err("1.");
        assert_eq!(e.code, ErrorCode::Syntax);
        let e = err("[1 2]");
        assert!(e.reason.contains("',' or ']'"), "{e}");
    }

    #[test]
    fn escapes_and_surrogates() {
        let doc = parse_json(r#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(doc.as_str(), Some("a\"b\\c/d\né😀"));
        assert!(parse_json(r#""\ud83d""#).is_err());
        assert!(parse_json(r#""\ude00""#).is_err());
        assert!(parse_json(r#""\x41""#).is_err());
        assert!(parse_json(r#""\u12g4""#).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000);
        let e = err(&deep);
        assert_eq!(e.code, ErrorCode::TooDeep);
        let deep_obj = "{\"a\":".repeat(10_000);
        assert_eq!(err(&deep_obj).code, ErrorCode::TooDeep);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse_json(&ok).is_ok());
    }

    #[test]
    fn garbage_never_panics() {
        let samples: Vec<Vec<u8>> = vec![
            b"\xff\xfe".to_vec(),
            b"{\"\xc3\xa9\": \"\xe2\x82\xac\"}".to_vec(),
            (0u8..=255).collect(),
            b"{\"a\":\"\\u".to_vec(),
            b"{\"a\":\"\\ud800\\u".to_vec(),
            b"-".to_vec(),
            b"1e".to_vec(),
            b"\xef\xbb\xbf{}".to_vec(),
        ];
        for s in samples {
            let text = String::from_utf8_lossy(&s);
            let _ = parse_json(&text);
            for cut in 0..text.len() {
                if let Some(prefix) = text.get(..cut) {
                    let _ = parse_json(prefix);
                }
            }
        }
        // A BOM is skipped.
        assert!(parse_json("\u{feff}{}").is_ok());
    }

    #[test]
    fn huge_strings_and_objects_are_fine() {
        let big = format!("{{\"a\": \"{}\"}}", "x".repeat(2_000_000));
        assert!(parse_json(&big).is_ok());
        let many: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\": {i}")).collect();
        assert!(parse_json(&format!("{{{}}}", many.join(","))).is_ok());
    }
}
