//! What the fake EKS answers, and its error answers in AWS's REST-JSON error shape: a status,
//! a JSON body with `message` (and any extra fields), the code in `x-amzn-ErrorType`. A new
//! error is a function here built on [`Answer::error`] with EKS's own code and message.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::super::server::request_id;
use super::routes::Route;
use super::state::EksState;

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: Value,
    pub(super) error: Option<String>,
}

impl Answer {
    pub(super) fn ok(body: Value) -> Answer {
        Answer {
            status: 200,
            body,
            error: None,
        }
    }

    pub(super) fn error(status: u16, code: &str, message: &str, extra: Value) -> Answer {
        let mut body = json!({ "message": message });
        if let (Some(obj), Value::Object(more)) = (body.as_object_mut(), extra) {
            obj.extend(more);
        }
        Answer {
            status,
            body,
            error: Some(code.to_string()),
        }
    }

    pub(super) fn into_response(self) -> Response {
        let mut response = (
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            self.body.to_string(),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        if let Ok(v) = HeaderValue::from_str(&request_id()) {
            headers.insert("x-amzn-requestid", v);
        }
        if let Some(code) = self.error
            && let Ok(v) = HeaderValue::from_str(&code)
        {
            headers.insert("x-amzn-errortype", v);
        }
        response
    }
}

pub(super) fn not_found(message: String, extra: Value) -> Answer {
    Answer::error(404, "ResourceNotFoundException", &message, extra)
}

pub(super) fn invalid(message: &str) -> Answer {
    Answer::error(400, "InvalidParameterException", message, json!({}))
}

pub(super) fn cluster_not_found(name: &str) -> Answer {
    not_found(
        format!("No cluster found for name: {name}."),
        json!({ "clusterName": name }),
    )
}

pub(super) fn association_not_found(id: &str) -> Answer {
    not_found(
        format!("No Pod Identity Association found with id: {id}."),
        json!({}),
    )
}

/// IAM's wording for a denied EKS call, naming the cluster's ARN (or `cluster/*`).
pub(super) fn denied_message(state: &EksState, route: &Route, operation: &str) -> String {
    let resource = match route
        .cluster()
        .and_then(|c| state.clusters.get(c).map(|e| (c, e)))
    {
        Some((name, entry)) => entry.arn(name),
        None => match route.cluster() {
            Some(name) => format!("arn:aws:eks:us-east-1:123456789012:cluster/{name}"),
            None => "arn:aws:eks:us-east-1:123456789012:cluster/*".to_string(),
        },
    };
    format!(
        "User: arn:aws:sts::123456789012:assumed-role/kubectl-irsa-test/test is not authorized \
         to perform: eks:{operation} on resource: {resource}"
    )
}
