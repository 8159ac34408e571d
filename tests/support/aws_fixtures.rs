//! What the `tests/aws_*.rs` tests of the AWS harness share: the fixture scenarios (loaded as
//! Snapshots), policy documents decoded for comparison, and the `basic` scenario's account and
//! issuer. Each of those files mounts this next to fake_aws, the same way:
//!
//! ```ignore
//! #[path = "support/aws_fixtures.rs"]
//! mod aws_fixtures;
//! #[path = "support/fake_aws/mod.rs"]
//! mod fake_aws;
//! ```
//!
//! Add here only what more than one of them uses; a helper of one topic stays in its file.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kubectl_irsa::model::Snapshot;
use kubectl_irsa::model::aws::PolicyText;
use kubectl_irsa::sources::bundle::load_dirs;
use serde_json::Value;

/// `tests/scenarios`: one directory per scenario, its fixture bundle in `bundle/`.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

/// The scenario's bundle as a Snapshot (panics, naming the scenario, when it does not load).
pub fn load_scenario(name: &str) -> Snapshot {
    let dir = scenarios_dir().join(name).join("bundle");
    load_dirs(&[dir]).unwrap_or_else(|e| panic!("scenario {name}: {e}"))
}

/// A policy document as JSON, whatever form the source returned it in.
pub fn json_of(text: &str) -> Value {
    let decoded = kubectl_irsa::policy::decode_document(text).expect("decodable document");
    serde_json::from_str(&decoded).unwrap_or_else(|e| panic!("not JSON ({e}): {decoded}"))
}

/// A policy text decoded (URL-decoded when it was), exactly as text.
pub fn decoded(text: &PolicyText) -> String {
    kubectl_irsa::policy::decode_document(&text.0)
        .expect("decodable")
        .into_owned()
}

/// The `basic` scenario's AWS account and its cluster's OIDC issuer.
pub const BASIC_ACCOUNT: &str = "210987654321";
pub const BASIC_ISSUER: &str =
    "https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9";
