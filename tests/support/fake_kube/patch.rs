//! The four PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge
//! patch (see `strategic`), and server-side apply (applied here as a strategic merge, which is
//! what it amounts to for the single-manager objects tests use).

use serde_json::Value;

use super::status::ApiError;
use super::strategic;

/// Which patch a Content-Type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
    Apply,
}

impl PatchType {
    /// The patch type of a Content-Type header (parameters ignored); 415 for anything else.
    pub fn from_content_type(content_type: Option<&str>) -> Result<Self, ApiError> {
        let raw = content_type.unwrap_or("");
        let essence = raw.split(';').next().unwrap_or("").trim();
        match essence {
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Ok(PatchType::Apply),
            _ => Err(ApiError::unsupported_media_type(raw)),
        }
    }
}

/// Applies `body` to `current` (`Value::Null` when the object does not exist yet, which only
/// server-side apply accepts).
pub fn apply(kind: PatchType, current: &Value, body: &[u8]) -> Result<Value, ApiError> {
    match kind {
        PatchType::Json => {
            let ops: Value = parse_json(body)?;
            json_patch(current.clone(), &ops)
        }
        PatchType::Merge => Ok(merge_patch(current.clone(), &parse_json(body)?)),
        PatchType::Strategic => strategic::merge(current.clone(), &parse_json(body)?),
        PatchType::Apply => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("apply patch is not UTF-8"))?;
            let patch: Value = serde_json::from_str(text)
                .or_else(|_| serde_saphyr::from_str(text))
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
            if !patch.is_object() {
                return Err(ApiError::bad_request("apply patch must be an object"));
            }
            strategic::merge(current.clone(), &patch)
        }
    }
}

pub fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "error decoding patch: invalid character in JSON: {e}"
        ))
    })
}

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
pub fn merge_patch(target: Value, patch: &Value) -> Value {
    let Value::Object(patch_map) = patch else {
        return patch.clone();
    };
    let mut target_map = match target {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    for (key, value) in patch_map {
        if value.is_null() {
            target_map.remove(key);
        } else {
            let old = target_map.remove(key).unwrap_or(Value::Null);
            target_map.insert(key.clone(), merge_patch(old, value));
        }
    }
    Value::Object(target_map)
}

/// RFC 6902 over a list of operations.
fn json_patch(mut doc: Value, ops: &Value) -> Result<Value, ApiError> {
    let ops = ops
        .as_array()
        .ok_or_else(|| ApiError::bad_request("json patch must be an array of operations"))?;
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).ok_or_else(|| {
            ApiError::bad_request(format!("json patch operation has no path: {op}"))
        })?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| ApiError::bad_request(format!("json patch {name} has no value")))
        };
        let from = || {
            op.get("from")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::bad_request(format!("json patch {name} has no from")))
        };
        match name {
            "add" => add(&mut doc, path, value()?)?,
            "remove" => {
                remove(&mut doc, path)?;
            }
            "replace" => {
                remove(&mut doc, path)?;
                add(&mut doc, path, value()?)?;
            }
            "move" => {
                let moved = remove(&mut doc, from()?)?;
                add(&mut doc, path, moved)?;
            }
            "copy" => {
                let copied = doc
                    .pointer(from()?)
                    .cloned()
                    .ok_or_else(|| missing(from().unwrap_or_default()))?;
                add(&mut doc, path, copied)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(ApiError::invalid(format!(
                        "the server rejected our request due to an error in our request: testing value {path} failed"
                    )));
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unexpected kind: {other:?} in json patch"
                )));
            }
        }
    }
    Ok(doc)
}

fn missing(path: &str) -> ApiError {
    ApiError::invalid(format!(
        "the server rejected our request due to an error in our request: doc is missing path: {path:?}"
    ))
}

/// Splits a JSON pointer into (parent pointer, decoded last token).
fn split_pointer(path: &str) -> Result<(String, String), ApiError> {
    let Some((parent, last)) = path.rsplit_once('/') else {
        return Err(ApiError::bad_request(format!(
            "invalid JSON pointer {path:?}"
        )));
    };
    Ok((
        parent.to_string(),
        last.replace("~1", "/").replace("~0", "~"),
    ))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), ApiError> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, token) = split_pointer(path)?;
    match doc.pointer_mut(&parent) {
        Some(Value::Object(map)) => {
            map.insert(token, value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let index = if token == "-" {
                items.len()
            } else {
                token
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i <= items.len())
                    .ok_or_else(|| missing(path))?
            };
            items.insert(index, value);
            Ok(())
        }
        _ => Err(missing(path)),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, ApiError> {
    let (parent, token) = split_pointer(path)?;
    let removed = match doc.pointer_mut(&parent) {
        Some(Value::Object(map)) => map.remove(&token),
        Some(Value::Array(items)) => token
            .parse::<usize>()
            .ok()
            .filter(|i| *i < items.len())
            .map(|i| items.remove(i)),
        _ => None,
    };
    removed.ok_or_else(|| missing(path))
}
