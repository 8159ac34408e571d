//! `doctor --prove`: for each service account, request a short-lived token through the
//! TokenRequest API and exchange it the way the workload's credentials would be obtained, then
//! call GetCallerIdentity with what came back. With `--action`, ask IAM's
//! SimulatePrincipalPolicy too.
//!
//! - IRSA: a token for the service account's audience, exchanged with STS
//!   AssumeRoleWithWebIdentity (which needs no AWS credentials).
//! - Pod Identity: what the EKS Pod Identity agent does. A token for `pods.eks.amazonaws.com`
//!   (bound to a pod of the workload when one runs, as the agent's projected token is),
//!   exchanged with EKS Auth AssumeRoleForPodIdentity on the cluster. That call is signed with
//!   the caller's AWS credentials and needs `eks-auth:AssumeRoleForPodIdentity`, which normally
//!   only node roles have. The client honours `AWS_ENDPOINT_URL_EKS_AUTH`.
//!
//! Tokens and credentials are passed on and dropped: never printed, logged or stored, and no
//! type here holding one derives `Debug`.

use aws_sdk_iam::types::PolicyEvaluationDecisionType;
use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};

use super::aws_clients::{AwsClients, Service};
use super::aws_error::{AwsFailure, classify, error_chain};
use super::kube_error;
use super::timeout::is_timeout;
use crate::model::proof::{BoundPod, ProofOutcome, ProofResult, ProveTarget, ProveVia, Simulation};
use crate::model::report::RequestedAction;

const SESSION_NAME: &str = "kubectl-irsa-prove";
/// The shortest lifetime the TokenRequest API accepts (ten minutes).
const TOKEN_SECONDS: i64 = 600;
const POD_IDENTITY_AUDIENCE: &str = "pods.eks.amazonaws.com";

/// A service account token. Not `Debug`, not `Display`: it only leaves through [`Jwt::take`].
struct Jwt(String);

impl Jwt {
    fn take(self) -> String {
        self.0
    }
}

/// Temporary credentials, for one GetCallerIdentity. Not `Debug`.
struct Issued {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
}

async fn token(
    live: &Prover<'_>,
    namespace: &str,
    service_account: &str,
    audience: &str,
    pod: Option<&BoundPod>,
) -> Result<Jwt, String> {
    let api: Api<ServiceAccount> = Api::namespaced(live.client.clone(), namespace);
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![audience.to_string()],
            expiration_seconds: Some(TOKEN_SECONDS),
            bound_object_ref: pod.map(|p| BoundObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: Some(p.name.clone()),
                uid: Some(p.uid.clone()),
            }),
        },
        ..TokenRequest::default()
    };
    match api
        .create_token_request(service_account, &PostParams::default(), &request)
        .await
    {
        Ok(tr) => tr
            .status
            .map(|s| s.token)
            .filter(|t| !t.is_empty())
            .map(Jwt)
            .ok_or_else(|| "the TokenRequest API returned no token".to_string()),
        Err(kube::Error::Api(s)) if s.code == 403 => Err(format!(
            "not allowed to request a token ({}); grant `create` on `serviceaccounts/token` in namespace {namespace}",
            s.message
        )),
        Err(e) if is_timeout(&e) => {
            Err(super::kube_no_answer(live.server, live.aws.timeout).to_string())
        }
        Err(e) => Err(format!("TokenRequest failed: {}", kube_error::sentence(&e))),
    }
}

/// Why an AWS call of a proof failed, in one sentence: the service and endpoint that did not
/// answer in time, or what the call met.
fn aws_reason<E, R>(
    aws: &AwsClients,
    service: Service,
    call: &str,
    err: &aws_sdk_sts::error::SdkError<E, R>,
) -> String
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match classify(err) {
        AwsFailure::NoAnswer(_) => aws.no_answer(service).to_string(),
        _ => format!("{call} failed: {}", error_chain(err)),
    }
}

async fn simulate(
    aws: &AwsClients,
    role_arn: &str,
    actions: &[RequestedAction],
) -> Result<Vec<Simulation>, String> {
    let mut out = Vec::new();
    for a in actions {
        let answer = aws
            .iam
            .simulate_principal_policy()
            .policy_source_arn(role_arn)
            .action_names(&a.action)
            .resource_arns(&a.resource)
            .send()
            .await;
        match answer {
            Ok(resp) => {
                for r in resp.evaluation_results() {
                    let decision = match r.eval_decision() {
                        PolicyEvaluationDecisionType::Allowed => "allowed",
                        PolicyEvaluationDecisionType::ExplicitDeny => "explicitDeny",
                        _ => "implicitDeny",
                    };
                    out.push(Simulation {
                        action: a.action.clone(),
                        resource: a.resource.clone(),
                        decision: decision.to_string(),
                    });
                }
            }
            Err(e) => {
                return Err(match classify(&e) {
                    AwsFailure::Denied(m) => {
                        format!("iam:SimulatePrincipalPolicy is not allowed ({m})")
                    }
                    AwsFailure::NoAnswer(_) => aws.no_answer(Service::Iam).to_string(),
                    // The proof itself needs none; the simulator is signed with the user's.
                    AwsFailure::Credentials(m) => format!(
                        "the policy simulator needs your AWS credentials, which are missing, invalid or expired ({m})"
                    ),
                    AwsFailure::NotFound(m) | AwsFailure::Other(m) | AwsFailure::Unreachable(m) => {
                        m
                    }
                });
            }
        }
    }
    Ok(out)
}

/// The live connections a proof uses.
pub struct Prover<'a> {
    pub client: &'a kube::Client,
    /// The API server's URL, for messages.
    pub server: &'a str,
    pub aws: &'a AwsClients,
}

impl<'a> Prover<'a> {
    /// The connections a gathering left.
    pub fn of(session: &'a super::Session) -> Prover<'a> {
        Prover {
            client: &session.client,
            server: &session.server,
            aws: &session.aws,
        }
    }
}

pub async fn prove(
    live: &Prover<'_>,
    targets: &[ProveTarget],
    actions: &[RequestedAction],
) -> Vec<ProofOutcome> {
    let mut out = Vec::new();
    for t in targets {
        let (audience, result) = match &t.via {
            ProveVia::Irsa { role_arn, audience } => {
                let result = match token(live, &t.namespace, &t.service_account, audience, None).await {
                    Err(reason) => ProofResult::NotRun { reason },
                    Ok(jwt) => irsa(live.aws, role_arn, jwt).await,
                };
                (audience.clone(), result)
            }
            ProveVia::PodIdentity { cluster: None, .. } => (
                POD_IDENTITY_AUDIENCE.to_string(),
                ProofResult::NotRun {
                    reason: "EKS Auth needs the cluster's name, and the EKS cluster was not described (see the note on eks:DescribeCluster)".into(),
                },
            ),
            ProveVia::PodIdentity {
                cluster: Some(cluster),
                pod,
                ..
            } => {
                let result = match token(
                    live,
                    &t.namespace,
                    &t.service_account,
                    POD_IDENTITY_AUDIENCE,
                    pod.as_ref(),
                )
                .await
                {
                    Err(reason) => ProofResult::NotRun { reason },
                    Ok(jwt) => pod_identity(live.aws, cluster, jwt).await,
                };
                (POD_IDENTITY_AUDIENCE.to_string(), result)
            }
        };
        let role_arn = t.role_arn().map(str::to_string);
        let (simulations, simulation_note) = match (&role_arn, actions.is_empty()) {
            (Some(role), false) => match simulate(live.aws, role, actions).await {
                Ok(s) => (s, None),
                Err(note) => (Vec::new(), Some(note)),
            },
            _ => (Vec::new(), None),
        };
        out.push(ProofOutcome {
            namespace: t.namespace.clone(),
            service_account: t.service_account.clone(),
            mechanism: t.mechanism(),
            role_arn,
            audience,
            result,
            simulations,
            simulation_note,
        });
    }
    out
}

/// STS AssumeRoleWithWebIdentity (unsigned), then GetCallerIdentity as the role.
async fn irsa(aws: &AwsClients, role_arn: &str, jwt: Jwt) -> ProofResult {
    let assumed = aws
        .sts
        .assume_role_with_web_identity()
        .role_arn(role_arn)
        .role_session_name(SESSION_NAME)
        .web_identity_token(jwt.take())
        .duration_seconds(900)
        .send()
        .await;
    match assumed {
        Ok(resp) => match resp.credentials() {
            Some(c) => {
                let issued = Issued {
                    access_key_id: c.access_key_id().to_string(),
                    secret_access_key: c.secret_access_key().to_string(),
                    session_token: c.session_token().to_string(),
                };
                caller(aws, issued).await
            }
            None => ProofResult::NotRun {
                reason: "STS returned no credentials".into(),
            },
        },
        Err(e) => {
            use aws_sdk_sts::error::ProvideErrorMetadata;
            match (e.code(), e.message()) {
                (Some(code), message) if !code.is_empty() => ProofResult::StsError {
                    code: code.to_string(),
                    message: message.unwrap_or_default().to_string(),
                },
                _ => ProofResult::NotRun {
                    reason: aws_reason(aws, Service::Sts, "STS AssumeRoleWithWebIdentity", &e),
                },
            }
        }
    }
}

/// EKS Auth AssumeRoleForPodIdentity (signed with the caller's credentials), then
/// GetCallerIdentity as the role it returned.
async fn pod_identity(aws: &AwsClients, cluster: &str, jwt: Jwt) -> ProofResult {
    let assumed = aws
        .eks_auth
        .assume_role_for_pod_identity()
        .cluster_name(cluster)
        .token(jwt.take())
        .send()
        .await;
    match assumed {
        Ok(resp) => match resp.credentials() {
            Some(c) => {
                let issued = Issued {
                    access_key_id: c.access_key_id().to_string(),
                    secret_access_key: c.secret_access_key().to_string(),
                    session_token: c.session_token().to_string(),
                };
                caller(aws, issued).await
            }
            None => ProofResult::NotRun {
                reason: "EKS Auth returned no credentials".into(),
            },
        },
        Err(e) => {
            use aws_sdk_eksauth::error::ProvideErrorMetadata;
            match (e.code(), e.message()) {
                (Some(code), message) if !code.is_empty() => ProofResult::EksAuthError {
                    code: code.to_string(),
                    message: message.unwrap_or_default().to_string(),
                },
                _ => ProofResult::NotRun {
                    reason: match classify(&e) {
                        AwsFailure::Credentials(m) => {
                            format!("EKS Auth AssumeRoleForPodIdentity needs AWS credentials: {m}")
                        }
                        _ => aws_reason(
                            aws,
                            Service::EksAuth,
                            "EKS Auth AssumeRoleForPodIdentity",
                            &e,
                        ),
                    },
                },
            }
        }
    }
}

async fn caller(aws: &AwsClients, c: Issued) -> ProofResult {
    let creds = aws_sdk_sts::config::Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        None,
        SESSION_NAME,
    );
    match aws.sts_as(creds).get_caller_identity().send().await {
        Ok(who) => ProofResult::Assumed {
            caller_arn: who.arn().unwrap_or_default().to_string(),
        },
        Err(e) => ProofResult::NotRun {
            reason: aws_reason(
                aws,
                Service::Sts,
                "GetCallerIdentity with the new credentials",
                &e,
            ),
        },
    }
}
