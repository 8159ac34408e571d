//! `FakeIamFront`: one IAM endpoint for the SDK's IAM client. It forwards every IAM
//! query-protocol request to moto unchanged (method, path, headers, body) and answers itself
//! only what moto lacks: `SimulatePrincipalPolicy`, with a scripted `EvalDecision` per action and
//! resource in the real XML shape, and the client id edits of an OIDC provider
//! (`iam_client_ids`). Every request is recorded per IAM Action with its
//! parameters, so tests can assert that each distinct object was fetched once and that nothing
//! was written. Denials, throttling and latency can be injected per Action.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode};

use super::http as raw_http;
use super::moto::MOTO_ACCOUNT_HEADER;
use super::server::{
    Faults, Injected, RecordedRequest, ServerHandle, parse_form, query_error_xml, request_id,
    xml_escape,
};

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const FORWARD_TIMEOUT: Duration = Duration::from_secs(60);

/// IAM's simulation answer for one action on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalDecision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl EvalDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            EvalDecision::Allowed => "allowed",
            EvalDecision::ExplicitDeny => "explicitDeny",
            EvalDecision::ImplicitDeny => "implicitDeny",
        }
    }
}

#[derive(Debug, Clone)]
struct SimRule {
    principal: Option<String>,
    action: String,
    /// `*` matches any resource.
    resource: String,
    decision: EvalDecision,
}

#[derive(Debug, Default)]
struct FrontState {
    /// Sent to moto as `x-moto-account-id` when the request has none.
    account: Option<String>,
    rules: Vec<SimRule>,
    faults: Faults,
    log: Vec<RecordedRequest>,
}

struct Shared {
    moto_url: String,
    state: Mutex<FrontState>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FrontState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An IAM endpoint in front of moto, on a loopback port; stops when dropped.
pub struct FakeIamFront {
    shared: Arc<Shared>,
    server: ServerHandle,
}

/// Whether an IAM Action only reads (`Get*`, `List*`, `Simulate*`).
pub fn iam_action_is_read_only(action: &str) -> bool {
    ["Get", "List", "Simulate"]
        .iter()
        .any(|p| action.starts_with(p))
}

impl FakeIamFront {
    /// Forwards to the moto server at `moto_url` (`http://127.0.0.1:PORT`).
    pub fn new(moto_url: &str) -> FakeIamFront {
        let shared = Arc::new(Shared {
            moto_url: moto_url.trim_end_matches('/').to_string(),
            state: Mutex::default(),
        });
        let router = Router::new().fallback(handle).with_state(shared.clone());
        let server = ServerHandle::spawn("iam", router);
        FakeIamFront { shared, server }
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL for aws-sdk-iam (`AWS_ENDPOINT_URL_IAM`).
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// Makes every forwarded request act in `account` in moto (unless it names an account
    /// itself), so a client with plain static credentials, such as the product under test,
    /// sees a seeded account. `None`: moto's default account, or the one its keys map to.
    pub fn set_account(&self, account: Option<&str>) {
        self.shared.lock().account = account.map(str::to_string);
    }

    /// SimulatePrincipalPolicy answers `decision` for `action` on `resource` (`*`: any
    /// resource), whoever the principal. Later scripts win over earlier ones; anything not
    /// scripted is `implicitDeny`.
    pub fn simulate(&self, action: &str, resource: &str, decision: EvalDecision) {
        self.push_rule(None, action, resource, decision);
    }

    /// As [`FakeIamFront::simulate`], only when `PolicySourceArn` is `principal_arn`.
    pub fn simulate_for(
        &self,
        principal_arn: &str,
        action: &str,
        resource: &str,
        decision: EvalDecision,
    ) {
        self.push_rule(Some(principal_arn), action, resource, decision);
    }

    fn push_rule(
        &self,
        principal: Option<&str>,
        action: &str,
        resource: &str,
        decision: EvalDecision,
    ) {
        self.shared.lock().rules.push(SimRule {
            principal: principal.map(str::to_string),
            action: action.to_string(),
            resource: resource.to_string(),
            decision,
        });
    }

    /// Answers `action` (e.g. `GetAccountAuthorizationDetails`) with AccessDenied.
    pub fn deny(&self, action: &str) {
        self.shared.lock().faults.deny(action, None);
    }

    pub fn deny_with(&self, action: &str, message: &str) {
        self.shared
            .lock()
            .faults
            .deny(action, Some(message.to_string()));
    }

    pub fn allow(&self, action: &str) {
        self.shared.lock().faults.allow(action);
    }

    /// Answers the next `count` requests (any Action) with `Throttling` (HTTP 400, as IAM).
    pub fn throttle(&self, count: usize) {
        self.shared.lock().faults.throttle(None, count);
    }

    pub fn throttle_action(&self, action: &str, count: usize) {
        self.shared.lock().faults.throttle(Some(action), count);
    }

    /// Delays every answer by `latency` (50 ms is typical for IAM from a laptop).
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().faults.set_latency(latency);
    }

    pub fn set_action_latency(&self, action: &str, latency: Duration) {
        self.shared
            .lock()
            .faults
            .set_operation_latency(action, latency);
    }

    /// Every request, in order; `operation` is the IAM Action, `params` the form parameters.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().log.clone()
    }

    /// Requests for one Action.
    pub fn calls(&self, action: &str) -> Vec<RecordedRequest> {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.operation == action)
            .cloned()
            .collect()
    }

    pub fn count(&self, action: &str) -> usize {
        self.calls(action).len()
    }

    /// Requests per Action.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for r in &self.shared.lock().log {
            *out.entry(r.operation.clone()).or_insert(0) += 1;
        }
        out
    }

    /// For `action`, how many times each value of `param` was asked for (e.g. `GetRole` by
    /// `RoleName`): every count should be 1 when each distinct object is fetched once.
    pub fn fetches_by(&self, action: &str, param: &str) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for r in self.calls(action) {
            let key = r.param(param).unwrap_or_default().to_string();
            *out.entry(key).or_insert(0) += 1;
        }
        out
    }

    /// Requests whose Action is not read-only, whatever the answer.
    pub fn writes(&self) -> Vec<RecordedRequest> {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| !iam_action_is_read_only(&r.operation))
            .cloned()
            .collect()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }
}

fn xml_response(status: u16, body: String) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        headers.insert("x-amzn-requestid", v);
    }
    response
}

/// The `<Code>` of an error document.
fn error_code_of(body: &str) -> Option<String> {
    let start = body.find("<Code>")? + "<Code>".len();
    let end = body[start..].find("</Code>")? + start;
    Some(body[start..end].to_string())
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    let mut params = parts.uri.query().map(parse_form).unwrap_or_default();
    let is_form = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        params.extend(parse_form(&String::from_utf8_lossy(&body)));
    }
    let action = params
        .iter()
        .find(|(n, _)| n == "Action")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "Unknown".to_string());

    let (latency, injected) = {
        let mut st = shared.lock();
        (st.faults.latency_for(&action), st.faults.take(&action))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let (status, error_code, response) = match injected {
        Some(Injected::Throttle) => (
            400,
            Some("Throttling".to_string()),
            xml_response(
                400,
                query_error_xml(IAM_NS, "Sender", "Throttling", "Rate exceeded"),
            ),
        ),
        Some(Injected::Deny(message)) => {
            let message = message.unwrap_or_else(|| denied_message(&action, &params));
            (
                403,
                Some("AccessDenied".to_string()),
                xml_response(
                    403,
                    query_error_xml(IAM_NS, "Sender", "AccessDenied", &message),
                ),
            )
        }
        None if action == "SimulatePrincipalPolicy" => {
            let body = simulate(&shared.lock().rules, &params);
            (200, None, xml_response(200, body))
        }
        None if super::iam_client_ids::ACTIONS.contains(&action.as_str()) => {
            let get = |n: &str| {
                params
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let account = shared.lock().account.clone();
            let caller = super::iam_client_ids::Caller {
                account: account.as_deref(),
                authorization: parts
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok()),
            };
            let (status, code, body) = super::iam_client_ids::serve(
                &shared.moto_url,
                &caller,
                &action,
                &get("OpenIDConnectProviderArn"),
                &get("ClientID"),
            )
            .await;
            (status, code, xml_response(status, body))
        }
        None => {
            let account = shared.lock().account.clone();
            forward(&shared.moto_url, &parts, &body, account.as_deref()).await
        }
    };

    shared.lock().log.push(RecordedRequest {
        operation: action,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        params,
        body: String::new(),
        status,
        error_code,
        received: Instant::now(),
    });
    response
}

fn denied_message(action: &str, params: &[(String, String)]) -> String {
    let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let resource = if let Some(role) = get("RoleName") {
        format!("role {role}")
    } else if let Some(arn) = get("PolicyArn") {
        format!("policy {arn}")
    } else if let Some(arn) = get("OpenIDConnectProviderArn") {
        format!("oidc-provider {arn}")
    } else {
        "*".to_string()
    };
    format!(
        "User: arn:aws:iam::123456789012:user/kubectl-irsa-test is not authorized to perform: \
         iam:{action} on resource: {resource} because no identity-based policy allows the \
         iam:{action} action"
    )
}

async fn forward(
    moto_url: &str,
    parts: &http::request::Parts,
    body: &[u8],
    account: Option<&str>,
) -> (u16, Option<String>, Response) {
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    if let Some(account) = account
        && !parts.headers.contains_key(MOTO_ACCOUNT_HEADER)
    {
        headers.push((MOTO_ACCOUNT_HEADER.to_string(), account.to_string()));
    }
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    match raw_http::request(
        moto_url,
        parts.method.as_str(),
        path,
        &headers,
        body,
        FORWARD_TIMEOUT,
    )
    .await
    {
        Ok(answer) => {
            let error_code = (answer.status >= 400)
                .then(|| error_code_of(&answer.text()))
                .flatten();
            let mut response = Response::new(Body::from(answer.body));
            *response.status_mut() =
                StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
            for (name, value) in &answer.headers {
                let lower = name.to_ascii_lowercase();
                if matches!(
                    lower.as_str(),
                    "connection" | "transfer-encoding" | "content-length" | "keep-alive"
                ) {
                    continue;
                }
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(lower.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    response.headers_mut().append(n, v);
                }
            }
            (answer.status, error_code, response)
        }
        Err(e) => (
            503,
            Some("ServiceUnavailable".into()),
            xml_response(
                503,
                query_error_xml(
                    IAM_NS,
                    "Receiver",
                    "ServiceUnavailable",
                    &format!("moto did not answer: {e}"),
                ),
            ),
        ),
    }
}

/// `Prefix.member.N` values in N order.
fn members(params: &[(String, String)], prefix: &str) -> Vec<String> {
    let mut found: Vec<(usize, String)> = params
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix(prefix)?.strip_prefix(".member.")?;
            Some((n.parse().ok()?, v.clone()))
        })
        .collect();
    found.sort_by_key(|(n, _)| *n);
    found.into_iter().map(|(_, v)| v).collect()
}

fn decide(rules: &[SimRule], principal: &str, action: &str, resource: &str) -> EvalDecision {
    rules
        .iter()
        .rev()
        .find(|r| {
            r.principal.as_deref().is_none_or(|p| p == principal)
                && r.action.eq_ignore_ascii_case(action)
                && (r.resource == "*" || r.resource == resource)
        })
        .map(|r| r.decision)
        .unwrap_or(EvalDecision::ImplicitDeny)
}

/// The SimulatePrincipalPolicy answer: one EvaluationResult per action and resource.
fn simulate(rules: &[SimRule], params: &[(String, String)]) -> String {
    let principal = params
        .iter()
        .find(|(k, _)| k == "PolicySourceArn")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let actions = members(params, "ActionNames");
    let mut resources = members(params, "ResourceArns");
    if resources.is_empty() {
        resources.push("*".to_string());
    }
    let mut results = String::new();
    for action in &actions {
        for resource in &resources {
            let decision = decide(rules, principal, action, resource);
            results.push_str(&format!(
                "      <member>\n        <EvalActionName>{}</EvalActionName>\n        \
                 <EvalResourceName>{}</EvalResourceName>\n        \
                 <EvalDecision>{}</EvalDecision>\n        <MatchedStatements/>\n        \
                 <MissingContextValues/>\n      </member>\n",
                xml_escape(action),
                xml_escape(resource),
                decision.as_str()
            ));
        }
    }
    format!(
        "<SimulatePrincipalPolicyResponse xmlns=\"{IAM_NS}\">\n  \
         <SimulatePrincipalPolicyResult>\n    <IsTruncated>false</IsTruncated>\n    \
         <EvaluationResults>\n{results}    </EvaluationResults>\n  \
         </SimulatePrincipalPolicyResult>\n  <ResponseMetadata>\n    \
         <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</SimulatePrincipalPolicyResponse>\n",
        request_id()
    )
}
