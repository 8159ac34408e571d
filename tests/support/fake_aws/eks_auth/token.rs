//! The service account token EKS Auth receives, checked the way the service checks it: a JWT
//! (`header.claims.signature`, each base64url) signed by the cluster's service account issuer,
//! for the audience `pods.eks.amazonaws.com`, not expired, naming a service account. The fake
//! API server signs every token with one fixed fake signature (tests/support/fake_kube/token.rs),
//! so "signed by this cluster" is: that signature, and the cluster's issuer in `iss`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

pub const AUDIENCE: &str = "pods.eks.amazonaws.com";

/// The signature bytes of every token the fake API server issues.
const FAKE_KUBE_SIGNATURE: &[u8] = b"fake-signature: not signed by any key";

/// What EKS Auth takes from a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub namespace: String,
    pub service_account: String,
    /// The pod the token is bound to (`kubernetes.io.pod`), if any.
    pub pod: Option<(String, String)>,
}

/// Why a token was refused: `InvalidTokenException` or `ExpiredTokenException`. The reason is
/// for the fake's request log; the answer carries EKS Auth's own terse message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Invalid(String),
    Expired,
}

fn segment(text: &str) -> Result<Vec<u8>, Refused> {
    let valid = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=');
    if !valid {
        return Err(Refused::Invalid("not a JWT segment".into()));
    }
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| Refused::Invalid(format!("not base64url: {e}")))
}

fn json(bytes: &[u8], part: &str) -> Result<Value, Refused> {
    serde_json::from_slice(bytes).map_err(|e| Refused::Invalid(format!("{part} is not JSON: {e}")))
}

/// Checks `token` as EKS Auth does for a cluster whose service account issuer is `issuer`.
pub fn check(token: &str, issuer: &str, now: i64) -> Result<Claims, Refused> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return Err(Refused::Invalid(format!("{} segments, not 3", parts.len())));
    };
    let header = json(&segment(header)?, "the header")?;
    if header["alg"] != "RS256" {
        return Err(Refused::Invalid(format!("alg {}", header["alg"])));
    }
    if segment(signature)? != FAKE_KUBE_SIGNATURE {
        return Err(Refused::Invalid(
            "not signed by the cluster's service account key".into(),
        ));
    }
    let claims = json(&segment(claims)?, "the claims")?;
    if claims["iss"] != issuer {
        return Err(Refused::Invalid(format!(
            "issuer {} is not the cluster's {issuer}",
            claims["iss"]
        )));
    }
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(a) => vec![a.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&AUDIENCE) {
        return Err(Refused::Invalid(format!("audiences {audiences:?}")));
    }
    let (Some(exp), Some(nbf)) = (claims["exp"].as_i64(), claims["nbf"].as_i64()) else {
        return Err(Refused::Invalid("no exp or nbf".into()));
    };
    if exp <= now {
        return Err(Refused::Expired);
    }
    if nbf > now {
        return Err(Refused::Invalid("not valid yet".into()));
    }
    let k8s = &claims["kubernetes.io"];
    let namespace = k8s["namespace"].as_str().unwrap_or_default().to_string();
    let service_account = k8s["serviceaccount"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let sub = format!("system:serviceaccount:{namespace}:{service_account}");
    if namespace.is_empty() || service_account.is_empty() || claims["sub"] != sub.as_str() {
        return Err(Refused::Invalid(format!(
            "subject {} does not name a service account",
            claims["sub"]
        )));
    }
    let pod = match (k8s["pod"]["name"].as_str(), k8s["pod"]["uid"].as_str()) {
        (Some(name), Some(uid)) => Some((name.to_string(), uid.to_string())),
        _ => None,
    };
    Ok(Claims {
        namespace,
        service_account,
        pod,
    })
}
