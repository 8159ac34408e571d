//! What `doctor --prove` observed when it really asked STS: a short-lived service account
//! token exchanged with AssumeRoleWithWebIdentity, then GetCallerIdentity; and, with
//! `--action`, IAM's SimulatePrincipalPolicy answers. Tokens are never stored here.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "outcome",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum ProofResult {
    /// STS returned credentials and GetCallerIdentity answered with this ARN.
    Assumed { caller_arn: String },
    /// STS refused, with its own error code and message.
    StsError { code: String, message: String },
    /// The proof could not run (no permission for TokenRequest, STS unreachable, ...).
    NotRun { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Simulation {
    pub action: String,
    pub resource: String,
    /// `allowed`, `implicitDeny` or `explicitDeny`, as IAM says.
    pub decision: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofOutcome {
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    pub audience: String,
    pub result: ProofResult,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub simulations: Vec<Simulation>,
    /// Why simulations are missing, when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation_note: Option<String>,
}
