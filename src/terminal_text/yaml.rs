//! `doctor -o yaml`: the report as YAML (serde-saphyr's block style), the same data as
//! `-o json`, and as safe to print. serde-saphyr escapes control characters (in double quotes)
//! but writes the bidirectional and invisible characters raw; so every string holding one of
//! the characters [`needs_escape`] names is written double-quoted, and those characters become
//! YAML's `\uXXXX`/`\UXXXXXXXX` escapes there. serde-saphyr chooses the style of a mapping
//! key itself, so such a key is written as a placeholder first and replaced by its quoted form
//! afterwards. A YAML parser reads back exactly the JSON value.

use std::fmt::Write as _;
use std::io;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use serde_saphyr::DoubleQuoted;

use super::needs_escape;

/// `value` as YAML, terminal-safe (see the module documentation).
pub fn yaml<T: Serialize + ?Sized>(value: &T) -> io::Result<String> {
    let value = serde_json::to_value(value).map_err(io::Error::other)?;
    // A placeholder prefix that no string of the value contains.
    let json = value.to_string();
    let tag = (0u32..)
        .map(|n| format!("kubectl-irsa-key-{n}-"))
        .find(|t| !json.contains(t.as_str()))
        .unwrap_or_default();
    let mut keys = Vec::new();
    let value = placeholders(value, &tag, &mut keys);
    let mut text = serde_saphyr::to_string(&Safe(&value)).map_err(io::Error::other)?;
    for (placeholder, key) in keys {
        let quoted =
            serde_saphyr::to_string(&DoubleQuoted(key.as_str())).map_err(io::Error::other)?;
        text = text.replace(&placeholder, quoted.trim_end());
    }
    Ok(escape_raw(&text))
}

/// `value` with each mapping key holding an [`unsafe_char`] replaced by `TAG<n>-end`, the
/// pairs collected in `keys`.
fn placeholders(value: Value, tag: &str, keys: &mut Vec<(String, String)>) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| placeholders(v, tag, keys))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = placeholders(v, tag, keys);
                    if k.chars().any(unsafe_char) {
                        let placeholder = format!("{tag}{}-end", keys.len());
                        keys.push((placeholder.clone(), k));
                        (placeholder, v)
                    } else {
                        (k, v)
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// Characters a string must not carry raw: those [`needs_escape`] names, except the tab and
/// newline that lay out a block scalar.
fn unsafe_char(c: char) -> bool {
    needs_escape(c) && c != '\n' && c != '\t'
}

/// A JSON value that serializes every string value holding an [`unsafe_char`] double-quoted
/// (keys were replaced by [`placeholders`]).
struct Safe<'a>(&'a Value);

impl Serialize for Safe<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let quoted = |t: &str| t.chars().any(unsafe_char);
        match self.0 {
            Value::String(t) if quoted(t) => DoubleQuoted(t.as_str()).serialize(s),
            Value::Array(items) => s.collect_seq(items.iter().map(Safe)),
            Value::Object(map) => {
                let mut m = s.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(k, &Safe(v))?;
                }
                m.end()
            }
            other => other.serialize(s),
        }
    }
}

/// `text` with each raw [`unsafe_char`] (only ever inside a double-quoted scalar, see [`Safe`]
/// and [`placeholders`]) written as a YAML escape.
fn escape_raw(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c as u32 {
            _ if !unsafe_char(c) => out.push(c),
            n @ 0..=0xffff => {
                let _ = write!(out, "\\u{n:04X}");
            }
            n => {
                let _ = write!(out, "\\U{n:08X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_escapes_what_a_terminal_would_act_on_and_reads_back_the_same() {
        let raw = "a\x1b]0;PWNED\x07\x7f\u{9b}\u{202e}\u{200b}\u{e0041}é\"\\";
        let value = serde_json::json!({
            "value": raw,
            "multi": "line one\n\tline two\u{202e}\n",
            "block": "line one\nline two\n",
            "plain": "arn:aws:iam::123456789012:role/x",
            "looksLikeABool": "yes",
            "number": 12,
            "none": null,
            "list": [raw, "ok"],
            "key\u{202e}": "k",
            "kubectl-irsa-key-0-0-end": {"nested\u{1b}": ["x\u{2066}"]},
        });
        let text = yaml(&value).unwrap();
        assert!(
            !text.chars().any(|c| needs_escape(c) && c != '\n'),
            "{text}"
        );
        assert!(
            text.contains("plain: arn:aws:iam::123456789012:role/x"),
            "{text}"
        );
        let back: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(back, value, "{text}");
    }

    #[test]
    fn yaml_holds_the_same_data_as_json() {
        let value =
            serde_json::json!({"a": [1, {"b": null}], "c": "d", "e": [], "f": {}, "g": true});
        let back: Value = serde_saphyr::from_str(&yaml(&value).unwrap()).unwrap();
        assert_eq!(back, value);
    }
}
