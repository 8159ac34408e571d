//! `doctor --prove`: for each IRSA service account, request a short-lived token through the
//! TokenRequest API, exchange it with STS AssumeRoleWithWebIdentity (which needs no AWS
//! credentials), then call GetCallerIdentity with what STS returned. With `--action`, ask IAM's
//! SimulatePrincipalPolicy too. The token is passed to STS and dropped: never printed, logged
//! or stored.

use aws_sdk_iam::types::PolicyEvaluationDecisionType;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};

use super::aws_error::{AwsFailure, classify, error_chain};
use crate::model::proof::{ProofOutcome, ProofResult, Simulation};
use crate::model::report::RequestedAction;

/// One service account to prove.
#[derive(Debug, Clone)]
pub struct ProveTarget {
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    pub audience: String,
}

const SESSION_NAME: &str = "kubectl-irsa-prove";
const TOKEN_SECONDS: i64 = 600;

async fn token(client: &kube::Client, t: &ProveTarget) -> Result<String, String> {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), &t.namespace);
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![t.audience.clone()],
            expiration_seconds: Some(TOKEN_SECONDS),
            ..TokenRequestSpec::default()
        },
        ..TokenRequest::default()
    };
    match api
        .create_token_request(&t.service_account, &PostParams::default(), &request)
        .await
    {
        Ok(tr) => tr
            .status
            .map(|s| s.token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| "the TokenRequest API returned no token".to_string()),
        Err(kube::Error::Api(s)) if s.code == 403 => Err(format!(
            "not allowed to request a token ({}); grant `create` on `serviceaccounts/token` in namespace {}",
            s.message, t.namespace
        )),
        Err(e) => Err(format!("TokenRequest failed: {e}")),
    }
}

async fn simulate(
    iam: &aws_sdk_iam::Client,
    role_arn: &str,
    actions: &[RequestedAction],
) -> Result<Vec<Simulation>, String> {
    let mut out = Vec::new();
    for a in actions {
        let answer = iam
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
                    AwsFailure::NotFound(m)
                    | AwsFailure::Other(m)
                    | AwsFailure::Credentials(m)
                    | AwsFailure::Unreachable(m) => m,
                });
            }
        }
    }
    Ok(out)
}

pub async fn prove(
    client: &kube::Client,
    sdk: &aws_config::SdkConfig,
    iam: &aws_sdk_iam::Client,
    targets: &[ProveTarget],
    actions: &[RequestedAction],
) -> Vec<ProofOutcome> {
    let sts = aws_sdk_sts::Client::new(sdk);
    let mut out = Vec::new();
    for t in targets {
        let result = match token(client, t).await {
            Err(reason) => ProofResult::NotRun { reason },
            Ok(jwt) => {
                let assumed = sts
                    .assume_role_with_web_identity()
                    .role_arn(&t.role_arn)
                    .role_session_name(SESSION_NAME)
                    .web_identity_token(jwt)
                    .duration_seconds(900)
                    .send()
                    .await;
                match assumed {
                    Ok(resp) => match resp.credentials() {
                        Some(c) => caller(sdk, c).await,
                        None => ProofResult::NotRun {
                            reason: "STS returned no credentials".into(),
                        },
                    },
                    Err(e) => {
                        let code = aws_sdk_sts::error::ProvideErrorMetadata::code(&e)
                            .unwrap_or_default()
                            .to_string();
                        let message = aws_sdk_sts::error::ProvideErrorMetadata::message(&e)
                            .unwrap_or_default()
                            .to_string();
                        if code.is_empty() {
                            ProofResult::NotRun {
                                reason: format!(
                                    "STS AssumeRoleWithWebIdentity failed: {}",
                                    error_chain(&e)
                                ),
                            }
                        } else {
                            ProofResult::StsError { code, message }
                        }
                    }
                }
            }
        };
        let (simulations, simulation_note) = if actions.is_empty() {
            (Vec::new(), None)
        } else {
            match simulate(iam, &t.role_arn, actions).await {
                Ok(s) => (s, None),
                Err(note) => (Vec::new(), Some(note)),
            }
        };
        out.push(ProofOutcome {
            namespace: t.namespace.clone(),
            service_account: t.service_account.clone(),
            role_arn: t.role_arn.clone(),
            audience: t.audience.clone(),
            result,
            simulations,
            simulation_note,
        });
    }
    out
}

async fn caller(sdk: &aws_config::SdkConfig, c: &aws_sdk_sts::types::Credentials) -> ProofResult {
    let creds = aws_sdk_sts::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        SESSION_NAME,
    );
    let conf = aws_sdk_sts::config::Builder::from(sdk)
        .credentials_provider(creds)
        .build();
    match aws_sdk_sts::Client::from_conf(conf)
        .get_caller_identity()
        .send()
        .await
    {
        Ok(who) => ProofResult::Assumed {
            caller_arn: who.arn().unwrap_or_default().to_string(),
        },
        Err(e) => ProofResult::NotRun {
            reason: format!(
                "GetCallerIdentity with the new credentials failed: {}",
                error_chain(&e)
            ),
        },
    }
}
