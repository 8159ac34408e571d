//! Helpers for tests that drive the fake Kubernetes API server: the basic scenario loaded into
//! a fake, the names a list call returns, and the claims of a token it issued (checking the JWT
//! shape on the way). Add a helper here when two test files need it.

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kube::api::{Api, ListParams};
use serde_json::{Value, json};

use super::FakeKube;

/// A fake loaded with tests/scenarios/basic/bundle.
pub fn basic() -> FakeKube {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/basic/bundle");
    FakeKube::from_bundles(&[dir])
}

/// The names a list call returns.
pub async fn list<K>(api: &Api<K>, params: ListParams) -> Vec<String>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    let items = api.list(&params).await.unwrap().items;
    items
        .iter()
        .map(|o| o.meta().name.clone().unwrap_or_default())
        .collect()
}

/// The claims of a JWT the fake issued, after checking it has the real three-part shape.
pub fn claims_of(token: &str) -> Value {
    let parts: Vec<&str> = token.trim().split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token}");
    let decode =
        |p: &str| serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
    assert_eq!(decode(parts[0]), json!({"alg": "RS256", "kid": "fake"}));
    assert!(!parts[2].is_empty());
    decode(parts[1])
}
