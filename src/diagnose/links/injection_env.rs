//! What the EKS pod identity webhook injects, read back from a pod spec: the IRSA and Pod
//! Identity variables, the projected token volumes and mounts, and what shadows them in the
//! SDK credential chain (static keys, profiles; field guide B9).

use k8s_openapi::api::core::v1::{Container, PodSpec};

use crate::diagnose::k8s::{self, EnvValue};
use crate::model::chain::Mechanism;

pub const ROLE_ARN_ENV: &str = "AWS_ROLE_ARN";
pub const TOKEN_FILE_ENV: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
pub const CREDS_URI_ENV: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const CREDS_TOKEN_ENV: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
pub const IRSA_TOKEN_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
pub const POD_IDENTITY_TOKEN_DIR: &str = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";

pub fn has_irsa_env(c: &Container) -> bool {
    k8s::env(c, ROLE_ARN_ENV).is_some() && k8s::env(c, TOKEN_FILE_ENV).is_some()
}

pub fn has_pod_identity_env(c: &Container) -> bool {
    k8s::env(c, CREDS_URI_ENV).is_some()
}

/// The mechanism a container's SDK will use: web identity comes before container credentials
/// in every SDK's default chain (field guide F39).
pub fn container_mechanism(c: &Container) -> Mechanism {
    if has_irsa_env(c) {
        Mechanism::Irsa
    } else if has_pod_identity_env(c) {
        Mechanism::PodIdentity
    } else {
        Mechanism::None
    }
}

/// The pod's effective mechanism: that of its first container with any.
pub fn pod_mechanism(spec: &PodSpec) -> Mechanism {
    k8s::containers(spec)
        .map(container_mechanism)
        .find(|m| *m != Mechanism::None)
        .unwrap_or(Mechanism::None)
}

/// Containers the webhook was told to leave alone (`eks.amazonaws.com/skip-containers`).
pub fn skipped_containers(annotation: Option<&str>) -> Vec<String> {
    annotation
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Is `file` inside one of the container's volume mounts of a projected service-account token
/// volume? Returns the token audience of that volume when it is.
pub fn token_mount_audience(spec: &PodSpec, c: &Container, file: &str) -> Option<Option<String>> {
    let mounts = c.volume_mounts.as_ref()?;
    let mount = mounts
        .iter()
        .filter(|m| file.starts_with(m.mount_path.trim_end_matches('/')))
        .max_by_key(|m| m.mount_path.len())?;
    let volume = spec
        .volumes
        .as_ref()?
        .iter()
        .find(|v| v.name == mount.name)?;
    let projected = volume.projected.as_ref()?;
    let audience = projected
        .sources
        .iter()
        .flatten()
        .find_map(|s| s.service_account_token.as_ref())
        .map(|t| t.audience.clone());
    Some(audience.flatten())
}

/// Variables that beat web identity / container credentials in the SDK chain.
pub struct Shadowing<'c> {
    pub static_keys: Vec<(&'static str, EnvValue<'c>)>,
    pub profile_vars: Vec<(&'static str, &'c str)>,
    pub env_from_secrets: Vec<&'c str>,
}

pub fn shadowing(c: &Container) -> Shadowing<'_> {
    let mut static_keys = Vec::new();
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        if let Some(v) = k8s::env(c, name) {
            static_keys.push((name, v));
        }
    }
    let mut profile_vars = Vec::new();
    for name in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
    ] {
        if let Some(v) = k8s::env(c, name) {
            let shown = match v {
                EnvValue::Literal(s) => s,
                _ => "(from a reference)",
            };
            profile_vars.push((name, shown));
        }
    }
    let env_from_secrets = c
        .env_from
        .iter()
        .flatten()
        .filter_map(|e| e.secret_ref.as_ref().map(|s| s.name.as_str()))
        .collect();
    Shadowing {
        static_keys,
        profile_vars,
        env_from_secrets,
    }
}

/// Effective runAsUser of a container (container securityContext over the pod's).
pub fn run_as_user(spec: &PodSpec, c: &Container) -> Option<i64> {
    c.security_context
        .as_ref()
        .and_then(|s| s.run_as_user)
        .or_else(|| spec.security_context.as_ref().and_then(|s| s.run_as_user))
}

pub fn run_as_non_root(spec: &PodSpec, c: &Container) -> bool {
    c.security_context
        .as_ref()
        .and_then(|s| s.run_as_non_root)
        .or_else(|| {
            spec.security_context
                .as_ref()
                .and_then(|s| s.run_as_non_root)
        })
        .unwrap_or(false)
}
