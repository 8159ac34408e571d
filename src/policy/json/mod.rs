//! A small, strict JSON reader written for IAM documents: every node keeps its 1-based line and
//! column and its byte span, and a key repeated inside one object is an error (serde_json keeps
//! the last one silently; IAM refuses the document).
//!
//! The value tree lives here; reading bytes is in [`lexer`], the grammar in [`parser`]. To accept
//! a JSON extension, change the parser, never the tree: callers depend on the tree's shape.

mod lexer;
mod parser;

use serde::Serialize;

pub use parser::{MAX_DEPTH, parse_json};

use super::error::Location;

/// Where a node is: its first character's line and column (1-based) and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn location(&self) -> Location {
        Location::new(self.line, self.column)
    }
}

/// One JSON value with its position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonNode {
    pub value: JsonValue,
    pub span: Span,
}

/// A JSON value. Numbers keep their source text, so `10` and `10.0` stay distinguishable and
/// IAM's "compare numbers by their text" is possible.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<JsonNode>),
    /// Members in document order; keys are unique (the parser refuses duplicates).
    Object(Vec<JsonMember>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonMember {
    pub key: String,
    pub key_span: Span,
    pub value: JsonNode,
}

impl JsonNode {
    pub fn location(&self) -> Location {
        self.span.location()
    }

    pub fn line(&self) -> u32 {
        self.span.line
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[JsonMember]> {
        match &self.value {
            JsonValue::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member named `key` (exact, case-sensitive), if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&JsonNode> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// "a string", "an object", ... for error messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "a boolean",
            JsonValue::Number(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "an array",
            JsonValue::Object(_) => "an object",
        }
    }
}
