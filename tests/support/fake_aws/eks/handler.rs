//! The fake EKS's HTTP handler: decode the request, route it, inject faults (latency, denial,
//! throttling), dispatch to the resource's operation, record the request and answer. A new
//! operation gets its arm in [`dispatch`]; its logic lives in the resource's file.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::json;

use super::super::server::{Injected, RecordedRequest, parse_form};
use super::errors::{Answer, cluster_not_found, denied_message};
use super::routes::Route;
use super::state::{EksState, Shared};
use super::{addons, associations, clusters};

pub(super) async fn handle(State(state): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let segments: Vec<String> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let params = parts.uri.query().map(parse_form).unwrap_or_default();
    let route = Route::parse(&parts.method, &segments);
    let operation = route.operation();

    let (latency, injected) = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        (st.faults.latency_for(operation), st.faults.take(operation))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let answer = match injected {
        Some(Injected::Throttle) => {
            Answer::error(429, "ThrottlingException", "Rate exceeded", json!({}))
        }
        Some(Injected::Deny(message)) => {
            let message = message.unwrap_or_else(|| denied_message(&st, &route, operation));
            Answer::error(403, "AccessDeniedException", &message, json!({}))
        }
        None => dispatch(&mut st, &route, &params, &body),
    };
    st.log.push(RecordedRequest {
        operation: operation.to_string(),
        method: parts.method.to_string(),
        path: format!("/{}", segments.join("/")),
        params,
        body,
        status: answer.status,
        error_code: answer.error.clone(),
        received: Instant::now(),
    });
    let hook = st.on_addon.clone();
    let created = st.log.last().map(|r| r.body.clone()).unwrap_or_default();
    drop(st);
    // Outside the lock: the hook reaches the fake API server, whose webhook asks this fake.
    if let (Some(hook), 200) = (hook, answer.status) {
        match &route {
            Route::CreateAddon(cluster) => {
                let addon = serde_json::from_str::<serde_json::Value>(&created)
                    .ok()
                    .and_then(|v| v["addonName"].as_str().map(str::to_string))
                    .unwrap_or_default();
                hook(cluster, &addon, true);
            }
            Route::DeleteAddon(cluster, addon) => hook(cluster, addon, false),
            _ => {}
        }
    }
    answer.into_response()
}

fn dispatch(
    state: &mut EksState,
    route: &Route,
    params: &[(String, String)],
    body: &str,
) -> Answer {
    if let Route::ListClusters = route {
        return clusters::list(state, params);
    }
    let Some(name) = route.cluster() else {
        return Answer::error(
            404,
            "UnknownOperationException",
            "The requested operation is not supported by this fake EKS.",
            json!({}),
        );
    };
    let Some(entry) = state.clusters.get_mut(name) else {
        return cluster_not_found(name);
    };
    match route {
        Route::DescribeCluster(_) => clusters::describe(entry, name),
        Route::ListAssociations(_) => associations::list(entry, name, params),
        Route::DescribeAssociation(_, id) => associations::describe(entry, name, id),
        Route::CreateAssociation(_) => associations::create(entry, name, body),
        Route::UpdateAssociation(_, id) => associations::update(entry, name, id, body),
        Route::DeleteAssociation(_, id) => associations::delete(entry, name, id),
        Route::ListAddons(_) => addons::list(entry, params),
        Route::DescribeAddon(_, addon) => addons::describe(entry, name, addon),
        Route::CreateAddon(_) => addons::create(entry, name, body),
        Route::DeleteAddon(_, addon) => addons::delete(entry, name, addon),
        Route::ListClusters | Route::Unknown => {
            unreachable!("handled before the cluster lookup")
        }
    }
}
