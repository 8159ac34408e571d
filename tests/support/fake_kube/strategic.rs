//! Strategic merge patch, as far as the objects the plugin touches need: maps merge like a
//! JSON merge patch; lists of objects under known fields merge by their merge key (containers,
//! env and volumes by `name`, volumeMounts by `mountPath`, ...); `$patch: delete|replace`,
//! `$deleteFromPrimitiveList/FIELD` are honoured; `$setElementOrder/FIELD` and `$retainKeys`
//! are accepted and ignored. Other lists are replaced, as the real server does.

use serde_json::{Map, Value};

use super::status::ApiError;

/// The merge key of a list field, for the fields the real schema merges by key.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "secrets" => Some("name"),
        "hostAliases" => Some("ip"),
        "volumeMounts" | "volumeDevices" => Some("mountPath"),
        "ports" => Some("containerPort"),
        "ownerReferences" => Some("uid"),
        "conditions" => Some("type"),
        _ => None,
    }
}

/// Merges `patch` into `target`.
pub fn merge(target: Value, patch: &Value) -> Result<Value, ApiError> {
    let Value::Object(patch_map) = patch else {
        return Err(ApiError::bad_request(
            "strategic merge patch must be a JSON object",
        ));
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replaced = patch_map.clone();
        replaced.remove("$patch");
        return Ok(Value::Object(replaced));
    }
    let mut target_map = match target {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in patch_map {
        if key == "$patch" || key == "$retainKeys" || key.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            let drop: Vec<&Value> = value
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            if let Some(Value::Array(items)) = target_map.get_mut(field) {
                items.retain(|item| !drop.contains(&item));
            }
            continue;
        }
        if value.is_null() || value.get("$patch").and_then(Value::as_str) == Some("delete") {
            target_map.remove(key);
            continue;
        }
        let old = target_map.remove(key).unwrap_or(Value::Null);
        let merged = match (old, value) {
            (Value::Array(old), Value::Array(new)) => merge_list(key, old, new)?,
            (_, Value::Array(new)) => merge_list(key, Vec::new(), new)?,
            (old, Value::Object(_)) => merge(old, value)?,
            (_, other) => other.clone(),
        };
        target_map.insert(key.clone(), merged);
    }
    Ok(Value::Object(target_map))
}

fn merge_list(field: &str, mut old: Vec<Value>, new: &[Value]) -> Result<Value, ApiError> {
    let Some(key) = merge_key(field) else {
        return Ok(Value::Array(strip_directives(new)));
    };
    for item in new {
        let Some(id) = item.get(key) else {
            return Err(ApiError::bad_request(format!(
                "map: {item} does not contain declared merge key: {key}"
            )));
        };
        let position = old.iter().position(|o| o.get(key) == Some(id));
        let directive = item.get("$patch").and_then(Value::as_str);
        match (position, directive) {
            (Some(i), Some("delete")) => {
                old.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => {
                let current = std::mem::take(&mut old[i]);
                old[i] = merge(current, item)?;
            }
            (None, _) => old.push(merge(Value::Null, item)?),
        }
    }
    Ok(Value::Array(old))
}

/// A replaced list keeps its items but not patch directives inside them.
fn strip_directives(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .filter(|item| item.get("$patch").and_then(Value::as_str) != Some("delete"))
        .map(|item| match item {
            Value::Object(map) => {
                let mut map = map.clone();
                map.remove("$patch");
                Value::Object(map)
            }
            other => other.clone(),
        })
        .collect()
}
