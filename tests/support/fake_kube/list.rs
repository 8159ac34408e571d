//! LIST: one namespace or all, filtered by label and field selectors, paginated with
//! `limit`/`continue` the way the real server does (an opaque continue token and
//! `remainingItemCount`), as a `<Kind>List` or, when kubectl asks, a Table.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::routes::{Query, Target};
use super::selectors::{FieldSelector, LabelSelector};
use super::state::State;
use super::status::{ApiError, json_response};
use super::table;

pub fn list(
    state: &State,
    target: &Target,
    query: &Query,
    accept: Option<&str>,
) -> Result<Response, ApiError> {
    let rt = &target.rt;
    let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or(""))?;
    let fields = FieldSelector::parse(query.get("fieldSelector").unwrap_or(""), rt)?;
    let limit = match query.get("limit").filter(|l| !l.is_empty()) {
        None => 0,
        Some(raw) => raw
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("invalid limit {raw:?}")))?,
    };
    let start_after = match query.get("continue").filter(|c| !c.is_empty()) {
        None => None,
        Some(token) => Some(decode_continue(token)?),
    };
    let matching: Vec<(&(String, String), &Value)> = state
        .all(rt)
        .filter(|((ns, _), _)| target.namespace.as_ref().is_none_or(|want| want == ns))
        .filter(|(key, _)| start_after.as_ref().is_none_or(|after| *key > after))
        .filter(|(_, object)| labels.matches(object) && fields.matches(object))
        .collect();
    let page_len = if limit == 0 {
        matching.len()
    } else {
        limit.min(matching.len())
    };
    let items: Vec<Value> = matching[..page_len]
        .iter()
        .map(|(_, object)| with_type(object, rt.kind.as_str(), &rt.api_version()))
        .collect();
    let revision = state.revision.to_string();
    let mut metadata = json!({"resourceVersion": revision});
    let remaining = matching.len() - page_len;
    if let Some((last, _)) = matching[..page_len].last().filter(|_| remaining > 0) {
        metadata["continue"] = json!(encode_continue(state.revision, last));
        metadata["remainingItemCount"] = json!(remaining);
    }
    if table::wanted(accept) {
        return Ok(json_response(
            StatusCode::OK,
            &table::render(rt, &items, metadata, query),
        ));
    }
    let body = json!({
        "kind": format!("{}List", rt.kind),
        "apiVersion": rt.api_version(),
        "metadata": metadata,
        "items": items,
    });
    Ok(json_response(StatusCode::OK, &body))
}

/// Items in a list carry kind and apiVersion (the real server's JSON does).
fn with_type(object: &Value, kind: &str, api_version: &str) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| json!(api_version));
        map.entry("kind").or_insert_with(|| json!(kind));
    }
    object
}

/// The real server's token shape: base64url JSON with the resourceVersion and the key to
/// start after (`namespace/name` plus a NUL).
fn encode_continue(revision: u64, (namespace, name): &(String, String)) -> String {
    let token = json!({
        "v": "meta.k8s.io/v1",
        "rv": revision,
        "start": format!("{namespace}/{name}\u{0}"),
    });
    URL_SAFE_NO_PAD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Result<(String, String), ApiError> {
    let invalid = || ApiError::bad_request(format!("continue key is not valid: {token:?}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let decoded: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let start = decoded
        .get("start")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let (namespace, name) = start
        .trim_end_matches('\u{0}')
        .split_once('/')
        .ok_or_else(invalid)?;
    Ok((namespace.to_string(), name.to_string()))
}
