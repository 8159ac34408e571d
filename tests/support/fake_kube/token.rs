//! The TokenRequest subresource (`POST .../serviceaccounts/NAME/token`): answers with a token in
//! the real JWT format (base64url header, claims and signature) carrying the issuer, subject,
//! audiences and `kubernetes.io` claims a real API server puts there. The signature is a fixed
//! fake: nothing can verify it, but anything that parses tokens can.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::protobuf;
use super::status::ApiError;

/// The default lifetime when the request does not ask for one (the real server's default).
const DEFAULT_EXPIRATION: i64 = 3600;
/// The real server refuses shorter lifetimes.
const MIN_EXPIRATION: i64 = 600;
/// ... and longer ones.
const MAX_EXPIRATION: i64 = 1 << 32;

/// Builds the TokenRequest answer for service account `sa` in `namespace` from a JSON or
/// protobuf request body.
pub fn issue(
    issuer: &str,
    sa: &Value,
    namespace: &str,
    body: &[u8],
    content_type: Option<&str>,
) -> Result<Value, ApiError> {
    let request: Value = if protobuf::is_protobuf(content_type) {
        protobuf::token_request(body)?
    } else if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding TokenRequest: {e}")))?
    };
    let spec = request.get("spec").cloned().unwrap_or_else(|| json!({}));
    let audiences = match spec.get("audiences") {
        None | Some(Value::Null) => vec![issuer.to_string()],
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|a| a.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ApiError::bad_request("spec.audiences must be a list of strings"))?,
        Some(Value::Array(_)) => vec![issuer.to_string()],
        Some(_) => {
            return Err(ApiError::bad_request(
                "spec.audiences must be a list of strings",
            ));
        }
    };
    let expiration = match spec.get("expirationSeconds") {
        None | Some(Value::Null) => DEFAULT_EXPIRATION,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::bad_request("spec.expirationSeconds must be an integer"))?,
    };
    if expiration > MAX_EXPIRATION {
        return Err(ApiError::invalid(format!(
            "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: {expiration}: may not specify a duration larger than 2^32 seconds"
        )));
    }
    if expiration < MIN_EXPIRATION {
        return Err(ApiError::invalid(format!(
            "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: {expiration}: may not specify a duration less than 10 minutes"
        )));
    }
    let name = sa
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let uid = sa
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let now = jiff::Timestamp::now().as_second();
    let mut kubernetes = json!({
        "namespace": namespace,
        "serviceaccount": {"name": name, "uid": uid},
    });
    if let Some(bound) = spec.get("boundObjectRef").filter(|b| b.is_object()) {
        let kind = bound
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_lowercase();
        if !kind.is_empty() {
            kubernetes[kind] = json!({"name": bound.get("name"), "uid": bound.get("uid")});
        }
    }
    let claims = json!({
        "aud": audiences,
        "exp": now + expiration,
        "iat": now,
        "iss": issuer,
        "jti": format!("00000000-0000-4000-9000-{:012x}", now),
        "kubernetes.io": kubernetes,
        "nbf": now,
        "sub": format!("system:serviceaccount:{namespace}:{name}"),
    });
    let expires = jiff::Timestamp::from_second(now + expiration)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let created = jiff::Timestamp::from_second(now)
        .map(|t| t.to_string())
        .unwrap_or_default();
    Ok(json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created},
        "spec": {
            "audiences": audiences,
            "expirationSeconds": expiration,
            "boundObjectRef": spec.get("boundObjectRef").cloned().unwrap_or(Value::Null),
        },
        "status": {"token": jwt(&claims), "expirationTimestamp": expires},
    }))
}

/// `header.claims.signature`, each base64url without padding.
fn jwt(claims: &Value) -> String {
    let header = json!({"alg": "RS256", "kid": "fake"});
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
    let signature = URL_SAFE_NO_PAD.encode(b"fake-signature: not signed by any key");
    format!("{}.{}.{}", part(&header), part(claims), signature)
}
