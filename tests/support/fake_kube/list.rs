//! LIST: one namespace or all, filtered by label and field selectors, paginated with
//! `limit`/`continue` the way the real server does (an opaque continue token and
//! `remainingItemCount`), as a `<Kind>List` or, when kubectl asks, a Table. Pages after the
//! first can be made to fail ([`FakeKube::fail_later_pages`]): a list cut short.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::handler::lock;
use super::routes::{Query, Target};
use super::selectors::{FieldSelector, LabelSelector};
use super::state::{LaterPageFailure, State};
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
    if start_after.is_some()
        && let Some(failure) = state
            .later_pages
            .iter()
            .find(|f| f.resource == target.rbac_resource())
    {
        return Err(later_page_error(failure.code, target));
    }
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

impl super::FakeKube {
    /// Answers every page after the first of `resource` lists (`pods`, `nodes`, ...) with
    /// `code`: 403 (the page refused) or 410 (the continue token expired).
    pub fn fail_later_pages(&self, resource: &str, code: u16) {
        lock(&self.shared).later_pages.push(LaterPageFailure {
            resource: resource.to_string(),
            code,
        });
    }
}

/// The real server's answers: the authorizer's 403, or the 410 of an expired continue token.
fn later_page_error(code: u16, target: &Target) -> ApiError {
    if code == 403 {
        return ApiError::forbidden(
            "list",
            &target.rt.group,
            &target.rbac_resource(),
            target.namespace.as_deref(),
            None,
        );
    }
    ApiError {
        code,
        reason: "Expired",
        message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.".to_string(),
        details: None,
    }
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
