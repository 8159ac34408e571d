//! The one axum handler behind every path: records the request, waits the injected latency,
//! routes it and answers. Errors are `Status` objects; even a bug in the fake answers a 500
//! Status rather than tearing down the client's connection.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::{Body, to_bytes};
use axum::extract::State as Extract;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::discovery;
use super::objects::{self, Call};
use super::record::Recorded;
use super::routes::{self, Query, Route};
use super::state::State;
use super::status::ApiError;

pub type Shared = Arc<Mutex<State>>;

/// Largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Locks the state; a poisoned lock is still usable (the state is plain data).
pub fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

pub async fn handle(Extract(shared): Extract<Shared>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let header_text = |headers: &HeaderMap, name| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let mut recorded = Recorded {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        content_type: header_text(&parts.headers, header::CONTENT_TYPE),
        accept: header_text(&parts.headers, header::ACCEPT),
        body: String::new(),
        status: 0,
    };
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let response = ApiError::too_large(format!(
                "request body unreadable or over {MAX_BODY} bytes: {e}"
            ))
            .into_response();
            recorded.status = response.status().as_u16();
            lock(&shared).requests.push(recorded);
            return response;
        }
    };
    recorded.body = String::from_utf8_lossy(&body).into_owned();
    let (index, latency) = {
        let mut state = lock(&shared);
        state.requests.push(recorded.clone());
        (state.requests.len() - 1, state.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut state = lock(&shared);
    let response = catch_unwind(AssertUnwindSafe(|| answer(&mut state, &recorded, &body)))
        .unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            internal_error(&message)
        });
    if let Some(entry) = state.requests.get_mut(index) {
        entry.status = response.status().as_u16();
    }
    response
}

fn internal_error(message: &str) -> Response {
    let body = serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("the fake API server failed: {message}"),
        "reason": "InternalError",
        "code": 500,
    });
    super::status::json_response(StatusCode::INTERNAL_SERVER_ERROR, &body)
}

fn answer(state: &mut State, request: &Recorded, body: &[u8]) -> Response {
    let method = request.method.as_str();
    let accept = request.accept.as_deref();
    let query = Query::parse(&request.query);
    let read_only = |response: Response| {
        if method == "GET" {
            response
        } else {
            ApiError::method_not_allowed(format!(
                "the server does not allow this method on the requested resource ({method})"
            ))
            .into_response()
        }
    };
    match routes::route(state, &request.path) {
        Route::Version => read_only(discovery::version()),
        Route::Health => read_only((StatusCode::OK, "ok").into_response()),
        Route::CoreVersions => read_only(discovery::core(state, accept)),
        Route::Groups => read_only(discovery::groups(state, accept)),
        Route::Group(group) => read_only(discovery::group(state, &group)),
        Route::Resources { group, version } => {
            read_only(discovery::resources(state, &group, &version))
        }
        Route::Watch => {
            ApiError::method_not_allowed("watch is not supported by the fake API server")
                .into_response()
        }
        Route::Resource(target) => {
            let call = Call {
                method,
                query: &query,
                content_type: request.content_type.as_deref(),
                accept,
                body,
            };
            objects::serve(state, &target, &call).unwrap_or_else(IntoResponse::into_response)
        }
        Route::Unknown => ApiError::no_such_path().into_response(),
    }
}
