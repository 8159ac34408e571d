//! `FakeSts`: the STS query protocol (form-encoded POST, XML answers) for `--prove`.
//!
//! moto's AssumeRoleWithWebIdentity accepts any token for any role, so it cannot reproduce the
//! failures the proof must explain. This fake answers AssumeRoleWithWebIdentity per role ARN
//! with a scripted [`StsOutcome`]: credentials and the `AssumedRoleUser`, or the error document
//! real STS sends for that failure class (field guide section C). GetCallerIdentity with
//! credentials it issued answers the assumed role.
//!
//! The web identity token is a credential: it is never stored, printed or put in a message.
//! A request record keeps only whether a token was present and its length.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderValue, StatusCode};

use super::server::{
    Faults, Injected, ServerHandle, UPPER_ALNUM, access_key_of, iso_time_from_now, parse_form,
    pseudo_id, query_error_xml, request_id, xml_escape,
};

const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// What AssumeRoleWithWebIdentity answers for a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsOutcome {
    /// Temporary credentials for `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`.
    Success,
    /// `InvalidIdentityToken`: `No OpenIDConnect provider found in your account for ISSUER`.
    /// `None` takes the issuer from the token's `iss` claim.
    NoOidcProvider { issuer: Option<String> },
    /// `InvalidIdentityToken`: `Incorrect token audience`.
    IncorrectAudience,
    /// `InvalidIdentityToken`: `The web identity token provided could not be validated`.
    TokenNotValidated,
    /// `AccessDenied` (HTTP 403): `Not authorized to perform sts:AssumeRoleWithWebIdentity`.
    AccessDenied,
    /// `ValidationError`: `Request ARN is invalid`. Also answered, unscripted, for any role ARN
    /// that is not `arn:PARTITION:iam::ACCOUNT:role/...` with a 12-digit account.
    InvalidRoleArn,
    /// `ExpiredTokenException`: `Token expired: current date/time N must be before the
    /// expiration date/time M` (M from the token's `exp` claim when it has one).
    ExpiredToken,
    /// `IDPCommunicationError`: `Couldn't retrieve verification key from your identity
    /// provider, please reference AssumeRoleWithWebIdentity documentation for requirements`.
    IdpCommunicationError,
    /// Any other error document.
    Error {
        status: u16,
        code: String,
        message: String,
    },
}

impl StsOutcome {
    /// Every failure class, for tests that go through all of them.
    pub fn failure_classes() -> Vec<StsOutcome> {
        vec![
            StsOutcome::NoOidcProvider { issuer: None },
            StsOutcome::IncorrectAudience,
            StsOutcome::TokenNotValidated,
            StsOutcome::AccessDenied,
            StsOutcome::InvalidRoleArn,
            StsOutcome::ExpiredToken,
            StsOutcome::IdpCommunicationError,
        ]
    }
}

/// One request FakeSts received. The web identity token itself is never kept.
#[derive(Debug, Clone)]
pub struct StsRequest {
    /// `AssumeRoleWithWebIdentity`, `GetCallerIdentity`, ...
    pub action: String,
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<u32>,
    /// Whether a non-empty `WebIdentityToken` was sent, and its length in bytes.
    pub token_present: bool,
    pub token_len: usize,
    /// For signed requests: whether the access key is one this fake issued.
    pub issued_key: Option<bool>,
    pub status: u16,
    pub error_code: Option<String>,
    pub received: Instant,
}

#[derive(Debug, Clone)]
struct Identity {
    arn: String,
    user_id: String,
    account: String,
}

#[derive(Debug)]
struct StsState {
    outcomes: BTreeMap<String, StsOutcome>,
    default_outcome: StsOutcome,
    issued: BTreeMap<String, Identity>,
    default_caller: Identity,
    caller_error: Option<(u16, String, String)>,
    faults: Faults,
    log: Vec<StsRequest>,
}

type Shared = Arc<Mutex<StsState>>;

/// A fake STS endpoint on a loopback port; stops when dropped.
pub struct FakeSts {
    state: Shared,
    server: ServerHandle,
}

impl FakeSts {
    /// Every role succeeds until scripted otherwise; unknown callers are
    /// `arn:aws:iam::123456789012:user/kubectl-irsa-test`.
    pub fn new() -> FakeSts {
        let state: Shared = Arc::new(Mutex::new(StsState {
            outcomes: BTreeMap::new(),
            default_outcome: StsOutcome::Success,
            issued: BTreeMap::new(),
            default_caller: caller_identity("arn:aws:iam::123456789012:user/kubectl-irsa-test"),
            caller_error: None,
            faults: Faults::default(),
            log: Vec::new(),
        }));
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = ServerHandle::spawn("sts", router);
        FakeSts { state, server }
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL for aws-sdk-sts (`AWS_ENDPOINT_URL_STS`).
    pub fn url(&self) -> &str {
        self.server.url()
    }

    fn lock(&self) -> MutexGuard<'_, StsState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What AssumeRoleWithWebIdentity answers for `role_arn` (exact text).
    pub fn script(&self, role_arn: &str, outcome: StsOutcome) {
        self.lock().outcomes.insert(role_arn.to_string(), outcome);
    }

    /// What it answers for roles not scripted (initially [`StsOutcome::Success`]).
    pub fn set_default_outcome(&self, outcome: StsOutcome) {
        self.lock().default_outcome = outcome;
    }

    /// Who GetCallerIdentity says an unknown caller is (an IAM user or role ARN).
    pub fn set_default_caller(&self, arn: &str) {
        self.lock().default_caller = caller_identity(arn);
    }

    /// GetCallerIdentity fails with this error for callers whose credentials this fake did not
    /// issue (e.g. `403, "ExpiredToken", "The security token included in the request is
    /// expired"`).
    pub fn fail_unknown_callers(&self, status: u16, code: &str, message: &str) {
        self.lock().caller_error = Some((status, code.to_string(), message.to_string()));
    }

    /// Answers `action` with AccessDenied.
    pub fn deny(&self, action: &str) {
        self.lock().faults.deny(action, None);
    }

    /// Answers the next `count` requests with `Throttling`.
    pub fn throttle(&self, count: usize) {
        self.lock().faults.throttle(None, count);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.lock().faults.set_latency(latency);
    }

    pub fn requests(&self) -> Vec<StsRequest> {
        self.lock().log.clone()
    }

    pub fn count(&self, action: &str) -> usize {
        self.lock()
            .log
            .iter()
            .filter(|r| r.action == action)
            .count()
    }

    pub fn clear_requests(&self) {
        self.lock().log.clear();
    }

    /// For another fake that issues role credentials (EKS Auth).
    pub fn issuer(&self) -> StsIssuer {
        StsIssuer(self.state.clone())
    }
}

impl Default for FakeSts {
    fn default() -> Self {
        FakeSts::new()
    }
}

fn caller_identity(arn: &str) -> Identity {
    let account = arn.split(':').nth(4).unwrap_or("123456789012").to_string();
    Identity {
        arn: arn.to_string(),
        user_id: format!("AIDA{}", stable_id(arn, 17)),
        account,
    }
}

/// A stable IAM-style unique id derived from `seed` (FNV-1a), so the same role always gets
/// the same `AROA...` id.
fn stable_id(seed: &str, len: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0..len)
        .map(|i| {
            let v = h.rotate_left((i as u32 * 5) % 64) ^ (i as u64).wrapping_mul(0x9e37_79b9);
            UPPER_ALNUM[(v % UPPER_ALNUM.len() as u64) as usize] as char
        })
        .collect()
}

/// The claims of a JWT that the answers use; the token itself is dropped.
#[derive(Debug, Default)]
struct Claims {
    sub: Option<String>,
    aud: Option<String>,
    iss: Option<String>,
    exp: Option<i64>,
}

fn claims(token: &str) -> Claims {
    let Some(payload) = token.split('.').nth(1) else {
        return Claims::default();
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return Claims::default();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Claims::default();
    };
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let aud = match value.get("aud") {
        Some(serde_json::Value::Array(list)) => {
            list.first().and_then(|v| v.as_str()).map(str::to_string)
        }
        _ => text("aud"),
    };
    Claims {
        sub: text("sub"),
        aud,
        iss: text("iss"),
        exp: value.get("exp").and_then(|v| v.as_i64()),
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` with a 12-digit account.
fn role_arn_is_valid(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5]
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
}

struct Answer {
    status: u16,
    body: String,
    error: Option<String>,
}

impl Answer {
    fn ok(body: String) -> Answer {
        Answer {
            status: 200,
            body,
            error: None,
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Answer {
        Answer {
            status,
            body: query_error_xml(STS_NS, "Sender", code, message),
            error: Some(code.to_string()),
        }
    }
}

async fn handle(State(state): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let mut params = parts.uri.query().map(parse_form).unwrap_or_default();
    params.extend(parse_form(&String::from_utf8_lossy(&body)));
    drop(body);
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let action = get("Action").unwrap_or("Unknown").to_string();
    let token = get("WebIdentityToken").unwrap_or_default();
    let token_len = token.len();
    let token_claims = claims(token);
    let role_arn = get("RoleArn").map(str::to_string);
    let session = get("RoleSessionName").map(str::to_string);
    let duration = get("DurationSeconds").and_then(|d| d.parse::<u32>().ok());
    let access_key = access_key_of(
        parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
    );
    drop(params);

    let (latency, injected) = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        (st.faults.latency_for(&action), st.faults.take(&action))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let issued_key = access_key.as_ref().map(|k| st.issued.contains_key(k));
    let answer = match injected {
        Some(Injected::Throttle) => Answer::error(400, "Throttling", "Rate exceeded"),
        Some(Injected::Deny(message)) => Answer::error(
            403,
            "AccessDenied",
            &message.unwrap_or_else(|| {
                format!(
                    "User: {} is not authorized to perform: sts:{action}",
                    st.default_caller.arn
                )
            }),
        ),
        None => match action.as_str() {
            "AssumeRoleWithWebIdentity" => assume_role_with_web_identity(
                &mut st,
                role_arn.as_deref(),
                session.as_deref(),
                duration,
                token_len,
                &token_claims,
            ),
            "GetCallerIdentity" => get_caller_identity(&st, access_key.as_deref()),
            _ => Answer::error(
                400,
                "InvalidAction",
                &format!("Could not find operation {action} for version 2011-06-15"),
            ),
        },
    };
    st.log.push(StsRequest {
        action,
        role_arn,
        role_session_name: session,
        duration_seconds: duration,
        token_present: token_len > 0,
        token_len,
        issued_key,
        status: answer.status,
        error_code: answer.error.clone(),
        received: Instant::now(),
    });
    drop(st);

    let mut response = (
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        answer.body,
    )
        .into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    response
}

fn assume_role_with_web_identity(
    st: &mut StsState,
    role_arn: Option<&str>,
    session: Option<&str>,
    duration: Option<u32>,
    token_len: usize,
    claims: &Claims,
) -> Answer {
    let Some(role_arn) = role_arn else {
        return Answer::error(
            400,
            "ValidationError",
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: \
             Member must not be null",
        );
    };
    if token_len == 0 {
        return Answer::error(
            400,
            "ValidationError",
            "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy \
             constraint: Member must not be null",
        );
    }
    let session = session.unwrap_or("session");
    let outcome = match st.outcomes.get(role_arn) {
        Some(o) => o.clone(),
        None if !role_arn_is_valid(role_arn) => StsOutcome::InvalidRoleArn,
        None => st.default_outcome.clone(),
    };
    match outcome {
        StsOutcome::Success => {}
        StsOutcome::NoOidcProvider { issuer } => {
            let issuer = issuer
                .or_else(|| claims.iss.clone())
                .unwrap_or_else(|| "https://oidc.eks.us-east-1.amazonaws.com/id/UNKNOWN".into());
            return Answer::error(
                400,
                "InvalidIdentityToken",
                &format!("No OpenIDConnect provider found in your account for {issuer}"),
            );
        }
        StsOutcome::IncorrectAudience => {
            return Answer::error(400, "InvalidIdentityToken", "Incorrect token audience");
        }
        StsOutcome::TokenNotValidated => {
            return Answer::error(
                400,
                "InvalidIdentityToken",
                "The web identity token provided could not be validated",
            );
        }
        StsOutcome::AccessDenied => {
            return Answer::error(
                403,
                "AccessDenied",
                "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            );
        }
        StsOutcome::InvalidRoleArn => {
            return Answer::error(400, "ValidationError", "Request ARN is invalid");
        }
        StsOutcome::ExpiredToken => {
            let now = jiff::Timestamp::now().as_second();
            let expired = claims.exp.unwrap_or(now - 3600);
            return Answer::error(
                400,
                "ExpiredTokenException",
                &format!(
                    "Token expired: current date/time {now} must be before the expiration \
                     date/time {expired}"
                ),
            );
        }
        StsOutcome::IdpCommunicationError => {
            return Answer::error(
                400,
                "IDPCommunicationError",
                "Couldn't retrieve verification key from your identity provider, please \
                 reference AssumeRoleWithWebIdentity documentation for requirements",
            );
        }
        StsOutcome::Error {
            status,
            code,
            message,
        } => return Answer::error(status, &code, &message),
    }

    let issued = issue(st, role_arn, session, i64::from(duration.unwrap_or(3600)));
    let (assumed_arn, assumed_id, access_key, secret, session_token, expiration) = (
        issued.assumed_arn,
        issued.assumed_role_id,
        issued.access_key_id,
        issued.secret_access_key,
        issued.session_token,
        iso_time_from_now(issued.lifetime_seconds),
    );
    let optional = |tag: &str, value: &Option<String>| match value {
        Some(v) => format!("    <{tag}>{}</{tag}>\n", xml_escape(v)),
        None => String::new(),
    };
    let provider = claims
        .iss
        .as_ref()
        .map(|i| i.trim_start_matches("https://").to_string());
    Answer::ok(format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"{STS_NS}\">\n  \
         <AssumeRoleWithWebIdentityResult>\n{}{}    <AssumedRoleUser>\n      \
         <Arn>{}</Arn>\n      <AssumedRoleId>{}</AssumedRoleId>\n    </AssumedRoleUser>\n    \
         <Credentials>\n      <AccessKeyId>{access_key}</AccessKeyId>\n      \
         <SecretAccessKey>{secret}</SecretAccessKey>\n      \
         <SessionToken>{session_token}</SessionToken>\n      \
         <Expiration>{expiration}</Expiration>\n    </Credentials>\n{}  \
         </AssumeRoleWithWebIdentityResult>\n  <ResponseMetadata>\n    \
         <RequestId>{}</RequestId>\n  </ResponseMetadata>\n\
         </AssumeRoleWithWebIdentityResponse>\n",
        optional("SubjectFromWebIdentityToken", &claims.sub),
        optional("Audience", &claims.aud),
        xml_escape(&assumed_arn),
        xml_escape(&assumed_id),
        optional("Provider", &provider),
        request_id()
    ))
}

/// Temporary credentials for a role session, which GetCallerIdentity then recognises.
#[derive(Clone)]
pub struct Issued {
    pub assumed_arn: String,
    pub assumed_role_id: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub lifetime_seconds: i64,
}

/// Issues credentials for `session` of `role_arn` and remembers whose they are.
fn issue(st: &mut StsState, role_arn: &str, session: &str, lifetime_seconds: i64) -> Issued {
    let mut parts = role_arn.splitn(6, ':');
    let partition = parts.nth(1).unwrap_or("aws");
    let account = parts.nth(2).unwrap_or("123456789012");
    let role_name = role_arn.rsplit('/').next().unwrap_or(role_arn);
    let assumed_arn = format!("arn:{partition}:sts::{account}:assumed-role/{role_name}/{session}");
    let assumed_role_id = format!("AROA{}:{session}", stable_id(role_arn, 17));
    let issued = Issued {
        assumed_arn: assumed_arn.clone(),
        assumed_role_id: assumed_role_id.clone(),
        access_key_id: pseudo_id("ASIA", 16, UPPER_ALNUM),
        secret_access_key: pseudo_id("", 40, UPPER_ALNUM),
        session_token: pseudo_id("FQoGZXIvYXdzEFAKE", 120, UPPER_ALNUM),
        lifetime_seconds,
    };
    st.issued.insert(
        issued.access_key_id.clone(),
        Identity {
            arn: assumed_arn,
            user_id: assumed_role_id,
            account: account.to_string(),
        },
    );
    issued
}

/// Lets another fake (EKS Auth) hand out role credentials this STS recognises in
/// GetCallerIdentity, as real role sessions are recognised by real STS.
#[derive(Clone)]
pub struct StsIssuer(Shared);

impl StsIssuer {
    pub fn issue(&self, role_arn: &str, session: &str, lifetime_seconds: i64) -> Issued {
        let mut st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        issue(&mut st, role_arn, session, lifetime_seconds)
    }
}

fn get_caller_identity(st: &StsState, access_key: Option<&str>) -> Answer {
    let identity = match access_key.and_then(|k| st.issued.get(k)) {
        Some(identity) => identity,
        None => {
            if let Some((status, code, message)) = &st.caller_error {
                return Answer::error(*status, code, message);
            }
            &st.default_caller
        }
    };
    Answer::ok(format!(
        "<GetCallerIdentityResponse xmlns=\"{STS_NS}\">\n  <GetCallerIdentityResult>\n    \
         <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n  \
         </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  \
         </ResponseMetadata>\n</GetCallerIdentityResponse>\n",
        xml_escape(&identity.arn),
        xml_escape(&identity.user_id),
        identity.account,
        request_id()
    ))
}
