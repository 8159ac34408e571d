//! Explanations for what `doctor --prove` adds on a live cluster: what STS or EKS Auth really
//! answered to a fresh token, and IAM's policy simulation next to the local evaluation.

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::PROVE_OK,
        link: "prove",
        summary: "STS or EKS Auth issued credentials for a fresh token",
        meaning: "The proof requested a short-lived token for the service account (TokenRequest), exchanged it as the pod would (STS AssumeRoleWithWebIdentity for IRSA, EKS Auth AssumeRoleForPodIdentity for Pod Identity), and called GetCallerIdentity with the credentials. The chain from token to role works. The token and credentials are never printed.",
        detection: "`kubectl irsa doctor --prove` on a live cluster; the caller ARN GetCallerIdentity returned is shown.",
        symptoms: &[],
        fix: &["Nothing to fix."],
        docs: &[
            docs::API_ASSUME_ROLE_WITH_WEB_IDENTITY,
            docs::POD_ID_HOW_IT_WORKS,
        ],
    },
    Explanation {
        code: codes::PROVE_FAILED,
        link: "prove",
        summary: "STS or EKS Auth refused the fresh token",
        meaning: "The exchange a pod makes was made for real and AWS refused it. The finding is placed on the link AWS's error points at: `No OpenIDConnect provider found` and `Incorrect token audience` at the OIDC provider, `Not authorized to perform sts:AssumeRoleWithWebIdentity` at the trust policy, `Request ARN is invalid` at the annotation, and EKS Auth's errors at the association, role or trust. AWS's answer is the authority.",
        detection: "`doctor --prove`: the error code and message STS or EKS Auth returned.",
        symptoms: &[
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.REGION.amazonaws.com/id/...",
            "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
            "AccessDeniedException: Unauthorized Exception! EKS does not have permissions to assume the associated role.",
        ],
        fix: &[
            "Fix the link the error points at; its own finding says how. Then prove again:",
            "$ kubectl irsa doctor deploy/NAME -n NAMESPACE --prove",
        ],
        docs: &[
            docs::API_ASSUME_ROLE_WITH_WEB_IDENTITY,
            docs::EKS_IAM_TROUBLESHOOT,
        ],
    },
    Explanation {
        code: codes::PROVE_NOT_RUN,
        link: "prove",
        summary: "the proof could not run",
        meaning: "No answer from AWS to judge by: creating a token for the service account was not permitted (`create` on `serviceaccounts/token`), or STS or EKS Auth could not be reached. The local diagnosis stands alone.",
        detection: "`doctor --prove`: the token request or the call to AWS failed before AWS judged the token.",
        symptoms: &[
            "serviceaccounts \"SERVICE_ACCOUNT\" is forbidden: User \"...\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"NAMESPACE\"",
        ],
        fix: &[
            "Allow `create` on `serviceaccounts/token` in the namespace for the identity running the proof:",
            "$ kubectl auth can-i create serviceaccounts/token -n NAMESPACE",
        ],
        docs: &[docs::IRSA_HOW_IT_WORKS],
    },
    Explanation {
        code: codes::PROVE_DIFFERS,
        link: "prove",
        summary: "AWS and the local evaluation disagree",
        meaning: "AWS accepted a token although a link looks broken locally, or refused it although the local evaluation found nothing wrong. The facts read may be stale (changed since they were read) or incomplete, or AWS checks something that is not read here (service control policies, for example). AWS's answer is the authority.",
        detection: "`doctor --prove`: the proof's outcome is compared with the local status of the link it points at.",
        symptoms: &[],
        fix: &[
            "Read the facts again and compare; if the disagreement stays, the finding shows both sides.",
            "$ kubectl irsa doctor deploy/NAME -n NAMESPACE --prove",
        ],
        docs: &[docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::SIMULATION_AGREES,
        link: "prove",
        summary: "IAM's policy simulation agrees with the local evaluation",
        meaning: "With `--prove --action`, IAM's SimulatePrincipalPolicy was asked about the same action and resource and gave the same decision as the local evaluation.",
        detection: "`doctor --prove --action ACTION --resource ARN`.",
        symptoms: &[],
        fix: &["Nothing to fix."],
        docs: &[
            docs::API_SIMULATE_PRINCIPAL_POLICY,
            docs::IAM_POLICY_TESTING,
        ],
    },
    Explanation {
        code: codes::SIMULATION_DIFFERS,
        link: "prove",
        summary: "IAM's policy simulation disagrees with the local evaluation, or could not run",
        meaning: "SimulatePrincipalPolicy decided differently from the local evaluation of the same action and resource, or could not be called (iam:SimulatePrincipalPolicy denied). Service control policies, resource policies, or data missing from the facts can explain a difference; the simulator's decision is the one to trust.",
        detection: "`doctor --prove --action ACTION --resource ARN`: both decisions are shown.",
        symptoms: &[],
        fix: &[
            "Run the simulation by hand to see the statement IAM matched:",
            "$ aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::111122223333:role/ROLE_NAME --action-names ACTION --resource-arns RESOURCE",
        ],
        docs: &[
            docs::API_SIMULATE_PRINCIPAL_POLICY,
            docs::IAM_POLICY_TESTING,
        ],
    },
];
