//! What `doctor --prove` observed when it really asked AWS: a short-lived service account
//! token exchanged with STS AssumeRoleWithWebIdentity (IRSA) or EKS Auth
//! AssumeRoleForPodIdentity (Pod Identity), then GetCallerIdentity; and, with `--action`, IAM's
//! SimulatePrincipalPolicy answers. Tokens and credentials are never stored here.

use serde::Serialize;

use super::chain::Mechanism;

/// One service account to prove, and how: what the diagnosis asks a live source to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProveTarget {
    pub namespace: String,
    pub service_account: String,
    pub via: ProveVia,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProveVia {
    /// STS AssumeRoleWithWebIdentity of `role_arn` with a token for `audience`.
    Irsa { role_arn: String, audience: String },
    /// EKS Auth AssumeRoleForPodIdentity on the cluster named `cluster` (`None`: its name is
    /// unknown, and the proof cannot run), as the agent does. `role_arn` is the association's
    /// role when one is known; `pod` binds the token to a running pod of the workload, as the
    /// agent's projected token is.
    PodIdentity {
        cluster: Option<String>,
        role_arn: Option<String>,
        pod: Option<BoundPod>,
    },
}

/// The pod a token is bound to (TokenRequest `boundObjectRef`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundPod {
    pub name: String,
    pub uid: String,
}

impl ProveTarget {
    pub fn mechanism(&self) -> Mechanism {
        match self.via {
            ProveVia::Irsa { .. } => Mechanism::Irsa,
            ProveVia::PodIdentity { .. } => Mechanism::PodIdentity,
        }
    }

    /// The role the proof expects, if known before asking.
    pub fn role_arn(&self) -> Option<&str> {
        match &self.via {
            ProveVia::Irsa { role_arn, .. } => Some(role_arn),
            ProveVia::PodIdentity { role_arn, .. } => role_arn.as_deref(),
        }
    }
}

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
    /// EKS Auth (Pod Identity) refused, with its own error code and message.
    EksAuthError { code: String, message: String },
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
    /// IRSA (STS was asked) or Pod Identity (EKS Auth was asked).
    pub mechanism: Mechanism,
    /// The role asked for (IRSA) or the association's role (Pod Identity); `None` when no
    /// association was known locally and EKS Auth alone was asked which role it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The token's audience: the service account's for IRSA, `pods.eks.amazonaws.com` for
    /// Pod Identity.
    pub audience: String,
    pub result: ProofResult,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub simulations: Vec<Simulation>,
    /// Why simulations are missing, when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation_note: Option<String>,
}
