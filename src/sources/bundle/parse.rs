//! Splitting a file's text into documents: JSON (one or several concatenated values, when the
//! first non-space character is `{` or `[`) or multi-document YAML otherwise. JSON that does
//! not parse is retried as YAML (JSON with a trailing comma is valid YAML flow style); if that
//! fails too, the JSON error is reported.
//!
//! Every limit that protects against hostile input lives here: serde_json's recursion limit
//! (128 levels) and serde-saphyr's budget (depth, nodes, aliases, documents, scalar bytes),
//! scaled with the input so that a genuine 10,000-pod listing still loads.
//!
//! JSON documents keep their source span, so that policy documents can later be taken as the
//! exact text the file held (see `aws::shapes`).

use serde_json::Value;

/// JSON that does not parse is retried as YAML only up to this size.
const YAML_RETRY_MAX: usize = 1024 * 1024;

/// Whether the documents came from JSON or YAML text; only used in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

/// One document of a file.
#[derive(Debug)]
pub struct Doc {
    /// 1-based position of the document in its file.
    pub index: usize,
    pub value: Value,
    /// For JSON files, the document's byte range in the file's text.
    pub span: Option<(usize, usize)>,
}

pub fn documents(text: &str) -> Result<(Format, Vec<Doc>), String> {
    let first = text.trim_start().chars().next();
    if matches!(first, Some('{' | '[')) {
        match json_documents(text) {
            Ok(docs) => Ok((Format::Json, docs)),
            // Hand-edited JSON (a trailing comma) is small; a big broken file is not retried.
            Err(json_err) => match (text.len() <= YAML_RETRY_MAX).then(|| yaml_documents(text)) {
                Some(Ok(docs)) => Ok((Format::Yaml, docs)),
                _ => Err(format!("invalid JSON: {}", clip(&json_err.to_string()))),
            },
        }
    } else {
        yaml_documents(text)
            .map(|docs| (Format::Yaml, docs))
            .map_err(|err| format!("invalid YAML: {}", clip(&err.to_string())))
    }
}

fn json_documents(text: &str) -> Result<Vec<Doc>, serde_json::Error> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut docs = Vec::new();
    let mut start = 0;
    while let Some(next) = stream.next() {
        let value = next?;
        let end = stream.byte_offset();
        docs.push(Doc {
            index: docs.len() + 1,
            value,
            span: Some((start, end)),
        });
        start = end;
    }
    Ok(docs)
}

fn yaml_documents(text: &str) -> Result<Vec<Doc>, serde_saphyr::Error> {
    let values: Vec<Value> =
        serde_saphyr::from_multiple_with_options(text, yaml_options(text.len()))?;
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, value)| Doc {
            index: i + 1,
            value,
            span: None,
        })
        .collect())
}

/// serde-saphyr's defaults, with the counting limits raised in proportion to the input (a
/// node, an event or a document needs at least a byte or two of input, except through
/// aliases, whose replay stays capped by the defaults).
fn yaml_options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 128;
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_events = budget.max_events.max(len.saturating_mul(2));
    budget.max_documents = budget.max_documents.max(len / 4);
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    budget.max_reader_input_bytes = None;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// A serde_json error from parsing a document's span again, with its line and column made
/// relative to the whole file.
pub fn json_error_in_file(
    text: &str,
    span: Option<(usize, usize)>,
    err: &serde_json::Error,
) -> String {
    let message = err.to_string();
    let Some((start, _)) = span else {
        // Re-serialised YAML: its positions mean nothing to the user.
        let bare = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        return clip(bare);
    };
    if err.line() == 0 {
        return clip(&message);
    }
    let before = text.get(..start).unwrap_or("");
    let extra_lines = before.matches('\n').count();
    let line = err.line() + extra_lines;
    let column = if err.line() == 1 {
        err.column() + before.len() - before.rfind('\n').map_or(0, |i| i + 1)
    } else {
        err.column()
    };
    let bare = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    format!("{} at line {line} column {column}", clip(bare))
}

/// Messages quote parser errors, which may quote the input: keep them readable.
pub fn clip(text: &str) -> String {
    const MAX: usize = 300;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenated_json_keeps_spans() {
        let text = "{\"a\": 1}\n{\"b\": 2}\n";
        let (format, docs) = documents(text).unwrap();
        assert_eq!(format, Format::Json);
        assert_eq!(docs.len(), 2);
        let (start, end) = docs[1].span.unwrap();
        assert_eq!(text[start..end].trim(), "{\"b\": 2}");
    }

    #[test]
    fn json_with_trailing_comma_is_read_as_yaml() {
        let (format, docs) = documents("{\"a\": 1,}").unwrap();
        assert_eq!(format, Format::Yaml);
        assert_eq!(docs[0].value["a"], 1);
    }

    #[test]
    fn yaml_error_has_line_and_column() {
        let err = documents("a: b\n  c: d: e\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn error_lines_are_relative_to_the_file() {
        let text = "{}\n\n{\"a\": [1,}";
        let err = serde_json::from_str::<Value>(&text[2..]).unwrap_err();
        let message = json_error_in_file(text, Some((2, text.len())), &err);
        assert!(message.ends_with("line 3 column 10"), "{message}");
    }
}
