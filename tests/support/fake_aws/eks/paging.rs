//! Query parameters and EKS paging: `maxResults` (1..=100, default 100) and `nextToken` (an
//! opaque `page-N` offset here). Every List* operation pages through [`page`] and answers its
//! token with [`with_next`].

use serde_json::Value;

use super::errors::{Answer, invalid};

const PAGE_LIMIT: usize = 100;

pub(super) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// One page of `items` per `maxResults` (1..=100, default 100) and `nextToken` (an offset).
pub(super) fn page<T: Clone>(
    items: &[T],
    params: &[(String, String)],
) -> Result<(Vec<T>, Option<String>), Answer> {
    let max = match param(params, "maxResults") {
        None => PAGE_LIMIT,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=PAGE_LIMIT).contains(&n) => n,
            _ => {
                return Err(invalid(&format!(
                    "maxResults must be between 1 and {PAGE_LIMIT}, got {v}"
                )));
            }
        },
    };
    let start = match param(params, "nextToken") {
        None => 0,
        Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(n) if n <= items.len() => n,
            _ => return Err(invalid("The nextToken provided is invalid.")),
        },
    };
    let end = (start + max).min(items.len());
    let next = (end < items.len()).then(|| format!("page-{end}"));
    Ok((items[start..end].to_vec(), next))
}

pub(super) fn with_next(mut body: Value, next: Option<String>) -> Value {
    if let (Some(next), Some(obj)) = (next, body.as_object_mut()) {
        obj.insert("nextToken".into(), Value::String(next));
    }
    body
}
