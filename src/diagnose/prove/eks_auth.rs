//! Which link an EKS Auth `AssumeRoleForPodIdentity` refusal points at, purely from its error
//! code, its message and the accounts involved. EKS Auth's errors (API reference, "Errors"):
//!
//! - `ResourceNotFoundException` (404): no pod identity association for the token's namespace
//!   and service account -> the `association` link (field guide F36). The same code for a
//!   cluster EKS does not know names no link of the chain.
//! - `AccessDeniedException` (400) `Unauthorized Exception! EKS does not have permissions to
//!   assume the associated role.`: EKS's own AssumeRole/TagSession on the role was refused. When
//!   the role is in another account than the cluster, that is why (Pod Identity roles must be in
//!   the cluster's account, section 3.2) -> the `role` link; otherwise the trust policy does not
//!   let `pods.eks.amazonaws.com` perform `sts:AssumeRole` and `sts:TagSession` with the session
//!   tags EKS sends -> the `trust` link (F32).
//! - `AccessDeniedException` `... is not authorized to perform: eks-auth:AssumeRoleForPodIdentity`:
//!   the identity running the proof may not call EKS Auth (normally only node roles may, F31):
//!   it says nothing about the chain.
//! - `InvalidTokenException`: the service account token was refused (issuer, audience,
//!   signature) -> the `injection` link, which is about that token.
//! - `ExpiredTokenException`: the token was issued a moment ago, so the clocks of the API server
//!   and AWS disagree; no link.
//! - anything else (throttling, `InvalidParameterException`, server errors): no link, EKS
//!   Auth's words shown as they are.

use crate::model::LinkName;

/// Who an EKS Auth refusal blames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blame {
    /// This link of the chain.
    Link(LinkName),
    /// The identity running the proof lacks `eks-auth:AssumeRoleForPodIdentity`.
    Prover,
    /// No link: the answer is shown as it is.
    Unknown,
}

/// The accounts an AccessDeniedException is judged against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accounts<'a> {
    /// The account of the association's role, when known.
    pub role: Option<&'a str>,
    /// The EKS cluster's account.
    pub cluster: Option<&'a str>,
}

pub fn blame(code: &str, message: &str, accounts: Accounts<'_>) -> Blame {
    let m = message.to_ascii_lowercase();
    match code {
        "ResourceNotFoundException" if m.contains("cluster") && !m.contains("association") => {
            Blame::Unknown
        }
        "ResourceNotFoundException" => Blame::Link(LinkName::Association),
        "AccessDeniedException"
            if m.contains("not authorized to perform") && m.contains("eks-auth:") =>
        {
            Blame::Prover
        }
        "AccessDeniedException" => match (accounts.role, accounts.cluster) {
            (Some(role), Some(cluster)) if role != cluster => Blame::Link(LinkName::Role),
            _ => Blame::Link(LinkName::Trust),
        },
        "InvalidTokenException" => Blame::Link(LinkName::Injection),
        _ => Blame::Unknown,
    }
}

/// What a refusal that blames no link means, when it can be said.
pub fn hint(code: &str) -> Option<&'static str> {
    match code {
        "ExpiredTokenException" => Some(
            "the token was issued moments before, so the API server's clock and AWS's disagree",
        ),
        "ThrottlingException" | "ServiceUnavailableException" | "InternalServerException" => {
            Some("EKS Auth could not answer now; prove again later")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUST_DENIED: &str =
        "Unauthorized Exception! EKS does not have permissions to assume the associated role.";

    #[test]
    fn each_eks_auth_error_points_at_its_link() {
        let same = Accounts {
            role: Some("111122223333"),
            cluster: Some("111122223333"),
        };
        let other = Accounts {
            role: Some("444455556666"),
            cluster: Some("111122223333"),
        };
        let unknown = Accounts::default();
        let cases: &[(&str, &str, Accounts<'_>, Blame)] = &[
            (
                "ResourceNotFoundException",
                "No pod identity association was found for service account shop/billing",
                same,
                Blame::Link(LinkName::Association),
            ),
            (
                "ResourceNotFoundException",
                "The specified resource could not be found.",
                unknown,
                Blame::Link(LinkName::Association),
            ),
            (
                "ResourceNotFoundException",
                "No cluster found for name: prod.",
                same,
                Blame::Unknown,
            ),
            (
                "AccessDeniedException",
                TRUST_DENIED,
                same,
                Blame::Link(LinkName::Trust),
            ),
            (
                "AccessDeniedException",
                TRUST_DENIED,
                unknown,
                Blame::Link(LinkName::Trust),
            ),
            (
                "AccessDeniedException",
                TRUST_DENIED,
                other,
                Blame::Link(LinkName::Role),
            ),
            (
                "AccessDeniedException",
                "User: arn:aws:iam::111122223333:user/dev is not authorized to perform: \
                 eks-auth:AssumeRoleForPodIdentity on resource: \
                 arn:aws:eks:us-east-1:111122223333:cluster/prod",
                same,
                Blame::Prover,
            ),
            (
                "InvalidTokenException",
                "The specified Kubernetes service account token is invalid.",
                same,
                Blame::Link(LinkName::Injection),
            ),
            (
                "ExpiredTokenException",
                "The specified Kubernetes service account token is expired.",
                same,
                Blame::Unknown,
            ),
            ("ThrottlingException", "Rate exceeded", same, Blame::Unknown),
            (
                "InvalidParameterException",
                "The specified parameter is invalid.",
                same,
                Blame::Unknown,
            ),
        ];
        for (code, message, accounts, want) in cases {
            assert_eq!(blame(code, message, *accounts), *want, "{code}: {message}");
        }
    }

    #[test]
    fn only_errors_that_blame_no_link_have_a_hint() {
        assert!(hint("ExpiredTokenException").is_some_and(|h| h.contains("clock")));
        assert!(hint("ThrottlingException").is_some());
        assert_eq!(hint("AccessDeniedException"), None);
    }
}
