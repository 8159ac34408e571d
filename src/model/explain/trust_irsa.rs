//! Explanations for the `trust` link when the trust policy cannot be read or refuses the IRSA
//! request STS sees: Federated = the cluster's provider in the role's account, action
//! sts:AssumeRoleWithWebIdentity, `ISSUER:sub` = system:serviceaccount:NS:SA, `ISSUER:aud`.

use super::Explanation;
use super::docs;
use crate::model::codes;

/// The error every IRSA trust refusal surfaces as, whatever the reason.
const NOT_AUTHORIZED: &str = "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity";
const GET_TRUST: &str =
    "$ aws iam get-role --role-name ROLE_NAME --query Role.AssumeRolePolicyDocument";
const PUT_TRUST: &str =
    "$ aws iam update-assume-role-policy --role-name ROLE_NAME --policy-document file://trust.json";

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::TRUST_NOT_COLLECTED,
        link: "trust",
        summary: "the role's trust policy could not be read",
        meaning: "The trust policy (the role's AssumeRolePolicyDocument) was not read, or the copy read is damaged (IAM stores only valid JSON, so a document that does not decode is a transport or bundle problem, not the role's). Whom the role trusts is unknown.",
        detection: "The role's AssumeRolePolicyDocument is missing from the facts, or could not be URL-decoded or parsed as the JSON IAM would have stored.",
        symptoms: &[],
        fix: &["Read it again:", GET_TRUST],
        docs: &[docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::TRUST_POLICY_INVALID,
        link: "trust",
        summary: "the trust policy is not a document IAM accepts",
        meaning: "The trust policy does not follow the IAM policy grammar (a syntax error, a misspelt element, a wrong value type), so IAM would refuse to save it as it is. This usually shows up in a bundle or a template before it reaches IAM.",
        detection: "The document is parsed with the IAM policy grammar; the error and its line are shown.",
        symptoms: &["MalformedPolicyDocument: Syntax errors in policy."],
        fix: &[
            "Correct the document at the line shown, validate it, and save it:",
            "$ aws accessanalyzer validate-policy --policy-type RESOURCE_POLICY --validate-policy-resource-type AWS::IAM::AssumeRolePolicyDocument --policy-document file://trust.json",
            PUT_TRUST,
        ],
        docs: &[docs::IAM_GRAMMAR, docs::IAM_POLICY_VALIDATION],
    },
    Explanation {
        code: codes::TRUST_DUPLICATE_KEY,
        link: "trust",
        summary: "the trust policy repeats a JSON key, so a condition is silently dropped",
        meaning: "A key appears twice in one JSON object, typically `\"StringEquals\"` twice in a Condition, or the same `:sub` key twice to allow two service accounts. IAM saves the document but keeps only the last value, so the first condition (or the first service account) silently disappears.",
        detection: "The document is parsed with a parser that reports duplicate keys instead of keeping the last one.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Merge the duplicates into one key; a condition key can hold a list of values:",
            "\"StringEquals\": {\"ISSUER:sub\": [\"system:serviceaccount:NS:SA1\", \"system:serviceaccount:NS:SA2\"], \"ISSUER:aud\": \"sts.amazonaws.com\"}",
            PUT_TRUST,
        ],
        docs: &[docs::IAM_GRAMMAR, docs::IAM_CONDITION_OPERATORS],
    },
    Explanation {
        code: codes::TRUST_NO_MATCHING_STATEMENT,
        link: "trust",
        summary: "the trust policy has no statement for IRSA at all",
        meaning: "No statement of the trust policy is meant for web identity federation: none names a Federated principal or the action sts:AssumeRoleWithWebIdentity. The role trusts something else (an AWS account, a service, or only EKS Pod Identity's `pods.eks.amazonaws.com`), so STS refuses the pod's token.",
        detection: "The policy is evaluated for the request STS makes for this service account; no Allow statement has a Federated principal or the web identity action.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Add the IRSA statement (or, if the role is meant for Pod Identity, create an association instead of the annotation):",
            "{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"arn:aws:iam::111122223333:oidc-provider/ISSUER\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"StringEquals\": {\"ISSUER:sub\": \"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\", \"ISSUER:aud\": \"sts.amazonaws.com\"}}}",
            GET_TRUST,
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IAM_ROLE_FOR_OIDC],
    },
    Explanation {
        code: codes::TRUST_PROVIDER_MISMATCH,
        link: "trust",
        summary: "the trust policy names another OIDC provider than this cluster's",
        meaning: "The statement's `Principal.Federated` is not the provider STS presents for this cluster: the provider of another cluster or region (a role copied from another environment, or a cluster re-created with a new issuer ID), the right issuer in another account (STS looks the provider up in the role's account), or another partition.",
        detection: "The Federated ARN is compared with `arn:PARTITION:iam::ROLE_ACCOUNT:oidc-provider/` plus the cluster's issuer host and path; the message says which part differs.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Put this cluster's provider in the statement, and the same issuer in its condition keys:",
            "$ aws eks describe-cluster --name CLUSTER --query cluster.identity.oidc.issuer --output text",
            PUT_TRUST,
            "For a role used by several clusters, add one statement per cluster.",
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IAM_PRINCIPAL],
    },
    Explanation {
        code: codes::TRUST_PROVIDER_MALFORMED,
        link: "trust",
        summary: "the trust policy's provider ARN is not an EKS issuer",
        meaning: "The Federated provider's host is not of the form `oidc.eks.REGION.amazonaws.com/id/ID`: a common slip is `oidc.REGION.eks.amazonaws.com/...` (copied from an old example), a missing `/id/`, or a `https://` prefix inside the ARN. No provider has that name, so no token matches.",
        detection: "The host and path in the Federated ARN do not start with `oidc.eks.` or lack `/id/`.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Use the issuer exactly as DescribeCluster prints it, without `https://`:",
            "$ aws eks describe-cluster --name CLUSTER --query cluster.identity.oidc.issuer --output text",
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::TRUST_CONDITION_KEY_PREFIX,
        link: "trust",
        summary: "a condition key names another issuer than this cluster's",
        meaning: "IRSA condition keys are the issuer host and path followed by `:sub` or `:aud` (`oidc.eks.REGION.amazonaws.com/id/ID:sub`). A key built from another issuer (another cluster, another region, a typo in the ID) is never present in the request, so its condition fails, even when the principal is right.",
        detection: "A condition key's prefix (before `:sub`/`:aud`) is an issuer different from the cluster's.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Rewrite the condition keys with this cluster's issuer:",
            "$ aws eks describe-cluster --name CLUSTER --query cluster.identity.oidc.issuer --output text",
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IAM_CONDITION_KEYS],
    },
    Explanation {
        code: codes::TRUST_SUB_MISMATCH,
        link: "trust",
        summary: "the trust policy allows another service account than the pods run as",
        meaning: "The `:sub` condition must equal `system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT` of the pods, in full. A typo in the namespace or name, a service account renamed or moved to another namespace, or a Helm release prefix makes the strings differ, and STS refuses the token. The message says which part differs.",
        detection: "The policy is evaluated with this workload's subject; the closest statement's `:sub` values are compared with it, and the nearest one is shown.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Put the pods' subject in the condition (or run the pods as the service account the policy names):",
            "\"ISSUER:sub\": \"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\"",
            GET_TRUST,
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IAM_ROLE_FOR_OIDC],
    },
    Explanation {
        code: codes::TRUST_WILDCARD_STRINGEQUALS,
        link: "trust",
        summary: "a wildcard under StringEquals, which compares literally",
        meaning: "`StringEquals` compares strings exactly: `system:serviceaccount:team:app-*` under StringEquals matches only a service account literally named `app-*`. Wildcards (`*`, `?`) work only with `StringLike`.",
        detection: "A `:sub` condition under StringEquals (or StringEqualsIgnoreCase) holds `*` or `?`.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Use StringLike for patterns, or better, list the service accounts in full under StringEquals:",
            "\"StringLike\": {\"ISSUER:sub\": \"system:serviceaccount:NAMESPACE:app-*\"}",
            PUT_TRUST,
        ],
        docs: &[docs::IAM_CONDITION_OPERATORS],
    },
    Explanation {
        code: codes::TRUST_AUD_FOR_SUB,
        link: "trust",
        summary: "the subject and the audience are swapped between `:sub` and `:aud`",
        meaning: "The service account subject is under the `:aud` key, or the audience (`sts.amazonaws.com`) is under the `:sub` key. Both conditions then fail.",
        detection: "A `:sub` condition holds an audience-like value, or an `:aud` condition holds `system:serviceaccount:...`.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Put each value under its key:",
            "\"StringEquals\": {\"ISSUER:sub\": \"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\", \"ISSUER:aud\": \"sts.amazonaws.com\"}",
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::TRUST_AUD_MISMATCH,
        link: "trust",
        summary: "the trust policy requires another audience than the token's",
        meaning: "The `:aud` condition requires a value other than the token's audience, which is `sts.amazonaws.com` unless the service account's `eks.amazonaws.com/audience` annotation sets another.",
        detection: "The `:aud` condition's values do not include the audience the pods' tokens carry.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Require the token's audience (usually `sts.amazonaws.com`) in the `:aud` condition:",
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IRSA_HOW_IT_WORKS],
    },
    Explanation {
        code: codes::TRUST_ISSUERS_ANDED,
        link: "trust",
        summary: "one statement tests keys of several issuers, which can never all hold",
        meaning: "All conditions of a statement must hold together. A statement with `CLUSTER_A_ISSUER:sub` and `CLUSTER_B_ISSUER:sub` (an attempt to trust two clusters) needs a token from both issuers at once; a token has one issuer, so the statement never matches for either cluster.",
        detection: "A statement's condition keys name more than one issuer, this cluster's among them.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Write one statement per cluster, each with its own Federated provider and its own condition keys.",
            PUT_TRUST,
        ],
        docs: &[docs::IAM_EVALUATION, docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::TRUST_WRONG_ACTION,
        link: "trust",
        summary: "the IRSA statement allows another action than sts:AssumeRoleWithWebIdentity",
        meaning: "Web identity federation needs the action `sts:AssumeRoleWithWebIdentity`. A statement with a Federated principal that allows `sts:AssumeRole` (a frequent copy-paste) does not cover the call STS makes for the pod.",
        detection: "The statement closest to matching names the right principal but its Action does not cover sts:AssumeRoleWithWebIdentity.",
        symptoms: &[NOT_AUTHORIZED],
        fix: &[
            "Set the statement's Action to `sts:AssumeRoleWithWebIdentity`:",
            PUT_TRUST,
        ],
        docs: &[
            docs::IAM_ROLE_FOR_OIDC,
            docs::API_ASSUME_ROLE_WITH_WEB_IDENTITY,
        ],
    },
    Explanation {
        code: codes::TRUST_EXPLICIT_DENY,
        link: "trust",
        summary: "a Deny statement in the trust policy refuses the request",
        meaning: "An explicit Deny wins over every Allow. A Deny statement in the trust policy matches this request (the service account, the provider, or the service EKS Pod Identity uses), so the role cannot be assumed whatever the other statements say.",
        detection: "The policy evaluation ends in an explicit deny; the deciding Deny statement is shown.",
        symptoms: &[
            NOT_AUTHORIZED,
            "Unauthorized Exception! EKS does not have permissions to assume the associated role.",
        ],
        fix: &[
            "Remove the Deny statement or narrow it so it does not match this workload:",
            GET_TRUST,
            PUT_TRUST,
        ],
        docs: &[docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::TRUST_CONDITION_FAILED,
        link: "trust",
        summary: "a condition of the trust statement fails for this request",
        meaning: "The statement names the right principal and action, but one of its other conditions does not hold for the request: a key the request does not carry (a typo in the key, such as `:sud` for `:sub`), a value that differs, or an operator that cannot match it. For Pod Identity, conditions on `aws:RequestTag/...`, `aws:SourceAccount` or `aws:SourceArn` that do not match what EKS sends also land here.",
        detection: "The policy is evaluated with the request's context; the failing condition, its values and the reason are shown.",
        symptoms: &[
            NOT_AUTHORIZED,
            "Unauthorized Exception! EKS does not have permissions to assume the associated role.",
        ],
        fix: &[
            "Correct the condition shown so it matches what STS or EKS sends:",
            GET_TRUST,
            PUT_TRUST,
        ],
        docs: &[docs::IAM_CONDITION_OPERATORS, docs::IAM_CONDITION_KEYS],
    },
];
