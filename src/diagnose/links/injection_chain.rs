//! The in-container half of the `injection` link: what the SDK credential chain does with the
//! injected variables. Static keys or a profile set before them win (field guide B9), and a
//! non-root container may be unable to read the 0600 token file (B12). Called per pod by
//! `injection::check_spec`.

use k8s_openapi::api::core::v1::{Container, PodSpec};

use super::injection_env as envs;
use crate::diagnose::k8s::{self, EnvValue};
use crate::model::chain::{Evidence, Finding, Fix, Mechanism};
use crate::model::codes;

/// Static keys, profiles and `envFrom` Secrets in the containers that use AWS (B9).
pub fn check_shadowing(
    containers: &[&Container],
    object: &str,
    mechanism: Mechanism,
    out: &mut Vec<Finding>,
) {
    let chain = match mechanism {
        Mechanism::PodIdentity => "container credentials",
        _ => "web identity",
    };
    for c in containers {
        let s = envs::shadowing(c);
        if let Some((name, value)) = s.static_keys.first() {
            let shown = match value {
                EnvValue::Literal(_) => "a literal value".to_string(),
                EnvValue::Secret(secret) => format!("Secret `{secret}`"),
                EnvValue::Reference => "a reference".to_string(),
            };
            out.push(
                Finding::error(codes::STATIC_KEYS, format!("container `{}` sets {name} (from {shown}): static keys come before {chain} in the SDK credential chain, so the role is never used", c.name))
                    .evidence(Evidence::new(object).field(format!("spec.containers[{}].env[{name}]", c.name)).value(shown))
                    .fix(Fix::new("remove AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the container (often set by a chart's Secret)"))
                    .reference("B9"),
            );
        }
        if let Some((name, value)) = s.profile_vars.first() {
            out.push(
                Finding::warning(codes::AWS_PROFILE_SET, format!("container `{}` sets {name}={value}: a profile or credentials file can take precedence over {chain}", c.name))
                    .evidence(Evidence::new(object).field(format!("spec.containers[{}].env[{name}]", c.name)).value(*value))
                    .reference("B9"),
            );
        }
        for secret in &s.env_from_secrets {
            out.push(
                Finding::info(codes::ENV_FROM_SECRET, format!("container `{}` loads every key of Secret `{secret}` as variables; if it holds AWS_ACCESS_KEY_ID those keys win over the role", c.name))
                    .evidence(Evidence::new(object).field(format!("spec.containers[{}].envFrom", c.name)).value(*secret))
                    .reference("B9"),
            );
        }
    }
}

/// The projected token is 0600: readable by root, by an fsGroup, or (Kubernetes >= 1.19) by the
/// one runAsUser all containers share (field guide B12).
pub fn check_token_readable(
    spec: &PodSpec,
    containers: &[&Container],
    object: &str,
    out: &mut Vec<Finding>,
) {
    if spec
        .security_context
        .as_ref()
        .and_then(|s| s.fs_group)
        .is_some()
    {
        return;
    }
    let aws: Vec<_> = containers
        .iter()
        .filter(|c| envs::container_mechanism(c) != Mechanism::None)
        .collect();
    if aws.is_empty() {
        return;
    }
    let all: Vec<Option<i64>> = k8s::containers(spec)
        .map(|c| envs::run_as_user(spec, c))
        .collect();
    let non_root: Vec<i64> = aws
        .iter()
        .filter_map(|c| envs::run_as_user(spec, c))
        .filter(|u| *u != 0)
        .collect();
    let shared = all
        .first()
        .copied()
        .flatten()
        .filter(|first| all.iter().all(|u| *u == Some(*first)));
    let ev = Evidence::new(object)
        .field("spec.securityContext.fsGroup")
        .value("(unset)");
    let fix = Fix::new(
        "set `securityContext.fsGroup` on the pod (for example 65534) so the token file is group-readable",
    );
    if let Some(uid) = non_root.first() {
        if shared.is_none() {
            out.push(
                Finding::error(codes::TOKEN_UNREADABLE, format!("a container runs as user {uid} but the containers do not share one runAsUser and the pod sets no fsGroup: the token file stays 0600 root and reads fail with `permission denied`"))
                    .evidence(ev)
                    .fix(fix)
                    .reference("B12"),
            );
        } else {
            out.push(
                Finding::warning(codes::TOKEN_UNREADABLE, format!("containers run as user {uid} with no fsGroup: the token is readable only because Kubernetes >= 1.19 gives it to the shared runAsUser; add an fsGroup to be safe"))
                    .evidence(ev)
                    .fix(fix)
                    .reference("B12"),
            );
        }
    } else if aws
        .iter()
        .any(|c| envs::run_as_non_root(spec, c) && envs::run_as_user(spec, c).is_none())
    {
        out.push(
            Finding::warning(codes::TOKEN_UNREADABLE, "runAsNonRoot without runAsUser or fsGroup: the image's user may not be able to read the 0600 token file")
                .evidence(ev)
                .fix(fix)
                .reference("B12"),
        );
    }
}
