//! What the EKS pod identity webhook does to a pod at creation, for the planner's in-memory
//! proof: a restarted workload's new pods are its template as the webhook mutates it under the
//! service account's configuration after the plan (field guide A1-A3, F31).
//!
//! - A pod identity association for the service account: the container credentials variables
//!   and the `eks-pod-identity-token` volume (audience `pods.eks.amazonaws.com`). It takes
//!   precedence over IRSA, as on EKS.
//! - Else a `eks.amazonaws.com/role-arn` annotation: `AWS_ROLE_ARN`,
//!   `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_STS_REGIONAL_ENDPOINTS=regional` and the
//!   `aws-iam-token` volume for the annotation's audience (default `sts.amazonaws.com`).
//!
//! Variables a container already sets are left alone (the webhook never overwrites them), and
//! so are containers named in `eks.amazonaws.com/skip-containers`.

use k8s_openapi::api::core::v1::{
    Container, EnvVar, PodSpec, ProjectedVolumeSource, ServiceAccount,
    ServiceAccountTokenProjection, Volume, VolumeMount, VolumeProjection,
};

use crate::diagnose::k8s;
use crate::diagnose::links::injection_env::{
    CREDS_TOKEN_ENV, CREDS_URI_ENV, IRSA_TOKEN_DIR, POD_IDENTITY_TOKEN_DIR, ROLE_ARN_ENV,
    TOKEN_FILE_ENV, skipped_containers,
};

const IRSA_VOLUME: &str = "aws-iam-token";
const POD_IDENTITY_VOLUME: &str = "eks-pod-identity-token";
const POD_IDENTITY_AUDIENCE: &str = "pods.eks.amazonaws.com";
const POD_IDENTITY_URI: &str = "http://169.254.170.23/v1/credentials";
const SKIP_CONTAINERS: &str = "eks.amazonaws.com/skip-containers";

/// What the webhook is told about the pod's service account.
pub enum Identity<'a> {
    PodIdentity,
    Irsa {
        role_arn: &'a str,
        audience: &'a str,
    },
    None,
}

impl<'a> Identity<'a> {
    /// The identity a pod running as `sa` gets: an association first, else the annotation.
    pub fn of(sa: Option<&'a ServiceAccount>, associated: bool) -> Identity<'a> {
        if associated {
            return Identity::PodIdentity;
        }
        let Some(meta) = sa.map(|s| &s.metadata) else {
            return Identity::None;
        };
        match k8s::annotation(meta, k8s::ROLE_ARN_ANNOTATION) {
            Some(role_arn) => Identity::Irsa {
                role_arn,
                audience: k8s::annotation(meta, k8s::AUDIENCE_ANNOTATION)
                    .unwrap_or(k8s::DEFAULT_AUDIENCE),
            },
            None => Identity::None,
        }
    }
}

/// `template` (with its annotations `skip`) as the webhook mutates it for `identity`.
pub fn mutate(template: &PodSpec, skip: Option<&str>, identity: &Identity) -> PodSpec {
    let mut spec = template.clone();
    let (volume, dir, audience, file, env): (&str, &str, &str, &str, Vec<(&str, String)>) =
        match identity {
            Identity::None => return spec,
            Identity::PodIdentity => (
                POD_IDENTITY_VOLUME,
                POD_IDENTITY_TOKEN_DIR,
                POD_IDENTITY_AUDIENCE,
                POD_IDENTITY_VOLUME,
                vec![
                    (CREDS_URI_ENV, POD_IDENTITY_URI.to_string()),
                    (
                        CREDS_TOKEN_ENV,
                        format!("{POD_IDENTITY_TOKEN_DIR}/{POD_IDENTITY_VOLUME}"),
                    ),
                ],
            ),
            Identity::Irsa { role_arn, audience } => (
                IRSA_VOLUME,
                IRSA_TOKEN_DIR,
                audience,
                "token",
                vec![
                    (ROLE_ARN_ENV, role_arn.to_string()),
                    (TOKEN_FILE_ENV, format!("{IRSA_TOKEN_DIR}/token")),
                    ("AWS_STS_REGIONAL_ENDPOINTS", "regional".to_string()),
                ],
            ),
        };
    let skipped = skipped_containers(skip);
    let mut mutated_any = false;
    for c in spec.containers.iter_mut() {
        if skipped.contains(&c.name) {
            continue;
        }
        mutated_any = true;
        inject(c, volume, dir, &env);
    }
    if mutated_any {
        let volumes = spec.volumes.get_or_insert_with(Vec::new);
        if !volumes.iter().any(|v| v.name == volume) {
            volumes.push(token_volume(volume, audience, file));
        }
    }
    spec
}

/// The skip annotation of a pod template's metadata.
pub fn skip_annotation(
    meta: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
) -> Option<&str> {
    meta.and_then(|m| k8s::annotation(m, SKIP_CONTAINERS))
}

fn inject(c: &mut Container, volume: &str, dir: &str, env: &[(&str, String)]) {
    let vars = c.env.get_or_insert_with(Vec::new);
    for (name, value) in env {
        if !vars.iter().any(|v| v.name == *name) {
            vars.push(EnvVar {
                name: (*name).to_string(),
                value: Some(value.clone()),
                value_from: None,
            });
        }
    }
    let mounts = c.volume_mounts.get_or_insert_with(Vec::new);
    if !mounts.iter().any(|m| m.name == volume) {
        mounts.push(VolumeMount {
            name: volume.to_string(),
            mount_path: dir.to_string(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
}

fn token_volume(name: &str, audience: &str, path: &str) -> Volume {
    Volume {
        name: name.to_string(),
        projected: Some(ProjectedVolumeSource {
            sources: Some(vec![VolumeProjection {
                service_account_token: Some(ServiceAccountTokenProjection {
                    audience: Some(audience.to_string()),
                    expiration_seconds: Some(86_400),
                    path: path.to_string(),
                }),
                ..VolumeProjection::default()
            }]),
            ..ProjectedVolumeSource::default()
        }),
        ..Volume::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::links::injection_env::{pod_mechanism, token_mount_audience};
    use crate::model::Mechanism;

    fn template(containers: &[&str], env: &[(&str, &str)]) -> PodSpec {
        PodSpec {
            containers: containers
                .iter()
                .map(|n| Container {
                    name: n.to_string(),
                    env: Some(
                        env.iter()
                            .map(|(k, v)| EnvVar {
                                name: k.to_string(),
                                value: Some(v.to_string()),
                                value_from: None,
                            })
                            .collect(),
                    ),
                    ..Container::default()
                })
                .collect(),
            ..PodSpec::default()
        }
    }

    #[test]
    fn irsa_injects_the_role_token_file_and_audience_and_keeps_what_is_set() {
        let t = template(&["app"], &[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")]);
        let role = "arn:aws:iam::111122223333:role/app";
        let spec = mutate(
            &t,
            None,
            &Identity::Irsa {
                role_arn: role,
                audience: "sts.amazonaws.com",
            },
        );
        assert_eq!(pod_mechanism(&spec), Mechanism::Irsa);
        let c = &spec.containers[0];
        assert_eq!(
            k8s::env(c, ROLE_ARN_ENV),
            Some(k8s::EnvValue::Literal(role))
        );
        assert_eq!(
            token_mount_audience(&spec, c, &format!("{IRSA_TOKEN_DIR}/token")),
            Some(Some("sts.amazonaws.com".into()))
        );
        assert_eq!(
            k8s::env(c, "AWS_STS_REGIONAL_ENDPOINTS"),
            Some(k8s::EnvValue::Literal("legacy")),
            "never overwritten"
        );
    }

    #[test]
    fn pod_identity_wins_and_skipped_containers_are_left_alone() {
        let t = template(&["app", "sidecar"], &[]);
        let spec = mutate(&t, Some("sidecar"), &Identity::PodIdentity);
        assert_eq!(pod_mechanism(&spec), Mechanism::PodIdentity);
        assert!(spec.containers[1].env.as_ref().is_none_or(Vec::is_empty));
        assert_eq!(spec.volumes.as_ref().map(Vec::len), Some(1));
        let none = mutate(&t, None, &Identity::None);
        assert_eq!(none, t);
    }
}
