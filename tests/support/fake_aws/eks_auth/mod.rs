//! `FakeEksAuth`: the EKS Auth API (`AssumeRoleForPodIdentity`, REST-JSON:
//! `POST /clusters/NAME/assume-role-for-pod-identity` with `{"token": JWT}`), deciding as the
//! real service does rather than from a script:
//!
//! 1. the cluster must be one the [`FakeEks`](super::FakeEks) holds
//!    (`ResourceNotFoundException`);
//! 2. the token must be a TokenRequest JWT from the cluster's API server (the fake one: its
//!    signature and issuer), for `pods.eks.amazonaws.com`, not expired (`token`:
//!    `InvalidTokenException`, `ExpiredTokenException`);
//! 3. an association must exist for the token's namespace and service account, read from the
//!    FakeEks as it is at the time of the request (`ResourceNotFoundException`);
//! 4. the association's role must be in the cluster's account, exist in moto, and trust
//!    `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession` under the session tags
//!    and source EKS sends, evaluated by the project's policy engine (`trust`); otherwise
//!    `AccessDeniedException`;
//! 5. then it answers the credentials of a role session named `eks-CLUSTER-POD-UUID` (the
//!    service account's name in place of the pod's for a token bound to no pod), issued through
//!    the [`FakeSts`](super::FakeSts) so that GetCallerIdentity with them answers the assumed
//!    role, with the subject, the audience, the association and the assumed role user.
//!
//! Errors are the real shapes: the HTTP status the API model gives each exception (400, 404
//! for ResourceNotFoundException, 429 for ThrottlingException), the code in
//! `x-amzn-ErrorType` and `{"message": ...}`. The AccessDeniedException message is the one the
//! agent relays from EKS Auth in public logs (`Unauthorized Exception! EKS does not have
//! permissions to assume the associated role.`); for the others no verbatim message was found
//! in public sources, so the fake answers the API reference's description of the exception
//! (e.g. `The specified Kubernetes service account token is invalid.`). A caller can be denied
//! EKS Auth itself with [`FakeEksAuth::deny_caller`] (IAM's `is not authorized to perform:
//! eks-auth:AssumeRoleForPodIdentity`), as every identity without the node role's permission is.
//!
//! Requests are recorded with the cluster, whether a token came and its length, the subject it
//! named and why it was refused; never the token itself.

mod token;
mod trust;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::eks::{EksView, FakeEks};
use super::server::{Faults, Injected, LOWER_ALNUM, ServerHandle, pseudo_id, request_id};
use super::sts::{FakeSts, StsIssuer};
use token::Refused;
use trust::NotAssumed;

pub use token::AUDIENCE;

const OPERATION: &str = "AssumeRoleForPodIdentity";
const DENIED: &str =
    "Unauthorized Exception! EKS does not have permissions to assume the associated role.";
const NOT_FOUND: &str = "The specified resource could not be found.";
const INVALID_TOKEN: &str = "The specified Kubernetes service account token is invalid.";
const EXPIRED_TOKEN: &str = "The specified Kubernetes service account token is expired.";
/// Same-account Pod Identity credentials last six hours (field guide section 3.2).
const CREDENTIAL_SECONDS: i64 = 6 * 3600;

/// One request FakeEksAuth received. The token itself is never kept.
#[derive(Debug, Clone)]
pub struct EksAuthRequest {
    pub cluster: String,
    pub token_present: bool,
    pub token_len: usize,
    /// `namespace/serviceAccount` of a token that passed the checks.
    pub subject: Option<String>,
    /// The pod the token was bound to.
    pub pod: Option<String>,
    pub status: u16,
    pub error_code: Option<String>,
    /// Why it was refused, in the fake's words (not sent to the client).
    pub reason: Option<String>,
    /// The role whose credentials were answered.
    pub role_arn: Option<String>,
    pub received: Instant,
}

#[derive(Default)]
struct AuthState {
    faults: Faults,
    /// When set, every caller is refused EKS Auth itself, as this identity.
    denied_caller: Option<String>,
    log: Vec<EksAuthRequest>,
}

struct Shared {
    eks: EksView,
    sts: StsIssuer,
    moto_url: String,
    issuer: String,
    state: Mutex<AuthState>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, AuthState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A fake EKS Auth endpoint on a loopback port; stops when dropped.
pub struct FakeEksAuth {
    shared: Arc<Shared>,
    server: ServerHandle,
}

impl FakeEksAuth {
    /// Decides with `eks`'s clusters and associations and moto's roles (at `moto_url`), accepts
    /// tokens whose issuer is `issuer` (the fake API server's, `FakeKube::issuer`), and issues
    /// credentials through `sts`.
    pub fn new(eks: &FakeEks, sts: &FakeSts, moto_url: &str, issuer: &str) -> FakeEksAuth {
        let shared = Arc::new(Shared {
            eks: eks.view(),
            sts: sts.issuer(),
            moto_url: moto_url.trim_end_matches('/').to_string(),
            issuer: issuer.to_string(),
            state: Mutex::default(),
        });
        let router = Router::new().fallback(handle).with_state(shared.clone());
        let server = ServerHandle::spawn("eks-auth", router);
        FakeEksAuth { shared, server }
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL for aws-sdk-eksauth
    /// (`AWS_ENDPOINT_URL_EKS_AUTH`).
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// Refuses every caller EKS Auth itself, as IAM refuses an identity without
    /// `eks-auth:AssumeRoleForPodIdentity` (`caller_arn` is named in the message).
    pub fn deny_caller(&self, caller_arn: &str) {
        self.shared.lock().denied_caller = Some(caller_arn.to_string());
    }

    /// Answers the next `count` requests with ThrottlingException.
    pub fn throttle(&self, count: usize) {
        self.shared.lock().faults.throttle(None, count);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().faults.set_latency(latency);
    }

    pub fn requests(&self) -> Vec<EksAuthRequest> {
        self.shared.lock().log.clone()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }
}

/// What the handler answers.
struct Answer {
    status: u16,
    body: Value,
    error: Option<String>,
    reason: Option<String>,
}

impl Answer {
    fn error(status: u16, code: &str, message: &str, reason: impl Into<String>) -> Answer {
        Answer {
            status,
            body: json!({ "message": message }),
            error: Some(code.to_string()),
            reason: Some(reason.into()),
        }
    }

    fn into_response(self) -> Response {
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
        if let Some(code) = &self.error
            && let Ok(v) = HeaderValue::from_str(code)
        {
            headers.insert("x-amzn-errortype", v);
        }
        response
    }
}

/// The cluster name of `/clusters/NAME/assume-role-for-pod-identity`.
fn cluster_of(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["clusters", name, "assume-role-for-pod-identity"] => Some(
            percent_encoding::percent_decode_str(name)
                .decode_utf8_lossy()
                .into_owned(),
        ),
        _ => None,
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let token = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["token"].as_str().map(str::to_string))
        .unwrap_or_default();
    drop(body);
    let cluster = cluster_of(parts.uri.path());
    let (latency, injected, denied_caller) = {
        let mut st = shared.lock();
        (
            st.faults.latency_for(OPERATION),
            st.faults.take(OPERATION),
            st.denied_caller.clone(),
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut record = EksAuthRequest {
        cluster: cluster.clone().unwrap_or_default(),
        token_present: !token.is_empty(),
        token_len: token.len(),
        subject: None,
        pod: None,
        status: 0,
        error_code: None,
        reason: None,
        role_arn: None,
        received: Instant::now(),
    };
    let answer = match (injected, denied_caller, &cluster) {
        (Some(Injected::Throttle), _, _) => {
            Answer::error(429, "ThrottlingException", "Rate exceeded", "throttled")
        }
        (Some(Injected::Deny(message)), _, _) => Answer::error(
            400,
            "AccessDeniedException",
            &message.unwrap_or_else(|| DENIED.to_string()),
            "denied by the test",
        ),
        (None, Some(caller), Some(name)) => {
            let arn =
                shared.eks.cluster(name).map(|c| c.arn).unwrap_or_else(|| {
                    format!("arn:aws:eks:us-east-1:123456789012:cluster/{name}")
                });
            Answer::error(
                400,
                "AccessDeniedException",
                &format!(
                    "User: {caller} is not authorized to perform: eks-auth:{OPERATION} on resource: {arn}"
                ),
                "the caller may not call EKS Auth",
            )
        }
        (None, _, None) => Answer::error(
            404,
            "UnknownOperationException",
            "The requested operation is not supported by this fake EKS Auth.",
            format!("path {}", parts.uri.path()),
        ),
        (None, None, Some(name)) => assume(&shared, name, &token, &mut record).await,
    };
    drop(token);
    record.status = answer.status;
    record.error_code = answer.error.clone();
    record.reason = answer.reason.clone();
    shared.lock().log.push(record);
    answer.into_response()
}

async fn assume(
    shared: &Shared,
    cluster_name: &str,
    token: &str,
    record: &mut EksAuthRequest,
) -> Answer {
    let Some(cluster) = shared.eks.cluster(cluster_name) else {
        return Answer::error(
            404,
            "ResourceNotFoundException",
            NOT_FOUND,
            "no such cluster",
        );
    };
    let now = jiff::Timestamp::now().as_second();
    let claims = match token::check(token, &shared.issuer, now) {
        Ok(c) => c,
        Err(Refused::Expired) => {
            return Answer::error(400, "ExpiredTokenException", EXPIRED_TOKEN, "expired");
        }
        Err(Refused::Invalid(why)) => {
            return Answer::error(400, "InvalidTokenException", INVALID_TOKEN, why);
        }
    };
    record.subject = Some(format!("{}/{}", claims.namespace, claims.service_account));
    record.pod = claims.pod.as_ref().map(|(name, _)| name.clone());
    let Some(association) =
        shared
            .eks
            .association(cluster_name, &claims.namespace, &claims.service_account)
    else {
        return Answer::error(
            404,
            "ResourceNotFoundException",
            NOT_FOUND,
            "no association for the service account",
        );
    };
    let role = match trust::assume(&shared.moto_url, &cluster, &association, &claims).await {
        Ok(role) => role,
        Err(why) => {
            let reason = match why {
                NotAssumed::OtherAccount => "the role is in another account".to_string(),
                NotAssumed::NoSuchRole => "no such role".to_string(),
                NotAssumed::Trust(t) => format!("the trust policy refuses: {t}"),
                NotAssumed::Unreadable(e) => {
                    return Answer::error(500, "InternalServerException", &e, "moto failed");
                }
            };
            return Answer::error(400, "AccessDeniedException", DENIED, reason);
        }
    };
    let uuid = pseudo_id("", 32, LOWER_ALNUM);
    let who = claims
        .pod
        .as_ref()
        .map_or(claims.service_account.as_str(), |(name, _)| name.as_str());
    let mut session = format!("eks-{}-{who}-{uuid}", cluster.name);
    session.truncate(64);
    let issued = shared.sts.issue(&role, &session, CREDENTIAL_SECONDS);
    record.role_arn = Some(role);
    Answer {
        status: 200,
        body: json!({
            "subject": {
                "namespace": claims.namespace,
                "serviceAccount": claims.service_account,
            },
            "audience": AUDIENCE,
            "podIdentityAssociation": {
                "associationArn": association.association_arn.unwrap_or_else(|| format!(
                    "arn:{}:eks:{}:{}:podidentityassociation/{}/{}",
                    cluster.partition,
                    cluster.region,
                    cluster.account,
                    cluster.name,
                    association.association_id
                )),
                "associationId": association.association_id,
            },
            "assumedRoleUser": {
                "arn": issued.assumed_arn,
                "assumeRoleId": issued.assumed_role_id,
            },
            "credentials": {
                "sessionToken": issued.session_token,
                "secretAccessKey": issued.secret_access_key,
                "accessKeyId": issued.access_key_id,
                "expiration": now + issued.lifetime_seconds,
            },
        }),
        error: None,
        reason: None,
    }
}
