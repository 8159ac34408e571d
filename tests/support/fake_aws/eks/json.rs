//! Small pieces of EKS's JSON shapes shared by the resources: timestamps (epoch seconds, from
//! the fixtures' ISO 8601 text) and fields present only when known.

use serde_json::{Value, json};

/// When a fixture does not say when something was created (EKS always does): 2025-10-01.
const DEFAULT_EPOCH: i64 = 1_759_276_800;

/// EKS timestamps are epoch seconds in JSON; fixtures hold ISO 8601 text.
pub(super) fn epoch(text: Option<&str>) -> Value {
    let seconds = text
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second())
        .unwrap_or(DEFAULT_EPOCH);
    json!(seconds)
}

pub(super) fn insert_some(
    obj: &mut serde_json::Map<String, Value>,
    key: &str,
    value: Option<&str>,
) {
    if let Some(v) = value {
        obj.insert(key.to_string(), Value::String(v.to_string()));
    }
}
