//! Explanations for the `trust` link's security and quota lints on a trust policy that works,
//! and for the Pod Identity trust (the `pods.eks.amazonaws.com` statement, session tags, the
//! target role of a chained association).

use super::Explanation;
use super::docs;
use crate::model::codes;

const PUT_TRUST: &str =
    "$ aws iam update-assume-role-policy --role-name ROLE_NAME --policy-document file://trust.json";
/// What EKS answers when the role's trust refuses Pod Identity.
const EKS_REFUSED: &str = "failed to refresh cached credentials ... Unauthorized Exception! EKS does not have permissions to assume the associated role., fault: client";

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::TRUST_NO_SUB_CONDITION,
        link: "trust",
        summary: "the IRSA statement has no `:sub` condition: every service account can assume the role",
        meaning: "Without a `:sub` condition, any pod of the cluster whose service account is annotated with this role can assume it: the only thing checked is that the token comes from the cluster (and maybe its audience). It works, which is why it goes unnoticed; it is a privilege escalation path inside the cluster. Some generators (and a few documentation examples) produce such statements.",
        detection: "The statement that lets the workload in has a Federated principal and no condition on `ISSUER:sub`.",
        symptoms: &[],
        fix: &[
            "Add the service accounts the role is for:",
            "\"StringEquals\": {\"ISSUER:sub\": \"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT\", \"ISSUER:aud\": \"sts.amazonaws.com\"}",
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IAM_ROLE_FOR_OIDC],
    },
    Explanation {
        code: codes::TRUST_WIDE_WILDCARD,
        link: "trust",
        summary: "a `:sub` pattern lets a whole namespace, or every namespace, assume the role",
        meaning: "A StringLike `:sub` such as `system:serviceaccount:*:*` or `system:serviceaccount:team:*` lets every matching service account assume the role, including ones created later by anyone who can create service accounts there. It works for this workload, but it is much wider than needed.",
        detection: "The deciding statement's `:sub` condition under StringLike holds a pattern with `*` or `?` in the namespace or the name.",
        symptoms: &[],
        fix: &[
            "List the service accounts that need the role in full under StringEquals (a key can hold a list):",
            PUT_TRUST,
        ],
        docs: &[docs::IAM_CONDITION_OPERATORS, docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::TRUST_NO_AUD_CONDITION,
        link: "trust",
        summary: "the IRSA statement does not check the token's audience",
        meaning: "AWS's IRSA trust policy requires `ISSUER:aud` to be `sts.amazonaws.com`, so that only tokens minted for STS are accepted. Without it, a token of the same service account issued for another audience would be accepted too. A hardening measure, not a failure.",
        detection: "The deciding statement has no condition on `ISSUER:aud`.",
        symptoms: &[],
        fix: &[
            "Add `\"ISSUER:aud\": \"sts.amazonaws.com\"` to the statement's StringEquals:",
            PUT_TRUST,
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::TRUST_SIZE_NEAR_LIMIT,
        link: "trust",
        summary: "the trust policy is close to IAM's size quota",
        meaning: "A role trust policy may hold 2,048 characters by default (whitespace not counted), which is about four IRSA statements; the quota can be raised to 4,096 at most. A role shared by many clusters or service accounts (or grown by repeated migration runs that append a statement each time) reaches the limit, and the next update fails.",
        detection: "The decoded AssumeRolePolicyDocument's length without whitespace is compared with 2,048 (or 4,096 when it is already above 2,048, which proves the quota was raised).",
        symptoms: &["LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048"],
        fix: &[
            "Merge statements (one statement per cluster, with a list of subjects), ask for a quota increase, or use one role per workload:",
            "$ aws service-quotas list-service-quotas --service-code iam",
        ],
        docs: &[docs::IAM_QUOTAS, docs::SERVICE_ACCOUNTS],
    },
    Explanation {
        code: codes::TRUST_PRINCIPAL_WILDCARD,
        link: "trust",
        summary: "a statement trusts any principal (`*`)",
        meaning: "`\"Principal\": \"*\"` (or `{\"AWS\": \"*\"}`) in an Allow statement of a trust policy lets anyone, in any account, try to assume the role; only the statement's conditions stand in the way. Another statement is what lets this workload in; this one is a security warning.",
        detection: "A statement's Principal is `*` or has `\"AWS\": \"*\"`.",
        symptoms: &[],
        fix: &[
            "Name the principals the role is for, or remove the statement:",
            PUT_TRUST,
        ],
        docs: &[docs::IAM_PRINCIPAL],
    },
    Explanation {
        code: codes::TRUST_PRINCIPAL_PARTIAL_WILDCARD,
        link: "trust",
        summary: "a `*` inside a principal ARN, which IAM treats as a literal character",
        meaning: "In a Principal, only `\"*\"` alone is a wildcard; you cannot use a wildcard to match part of a principal name or ARN. A Federated ARN ending in `oidc-provider/oidc.eks.REGION.amazonaws.com/id/*` (an attempt to trust every cluster) is saved by IAM but matches no provider, so the statement never applies.",
        detection: "A statement's Principal holds a value with a `*` that is not `*` alone. When that statement was this workload's only way in, it is an error; otherwise a warning.",
        symptoms: &[
            "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
        ],
        fix: &[
            "Name every trusted provider in full; to trust several clusters, add one statement per cluster with its own provider ARN and condition keys:",
            PUT_TRUST,
        ],
        docs: &[docs::IAM_PRINCIPAL],
    },
    Explanation {
        code: codes::TRUST_MISSING_POD_IDENTITY_SERVICE,
        link: "trust",
        summary: "the role does not trust pods.eks.amazonaws.com (Pod Identity)",
        meaning: "EKS Pod Identity assumes the role as the service principal `pods.eks.amazonaws.com`. A role whose trust policy only trusts an OIDC provider (an IRSA role reused for an association) or anything else refuses it.",
        detection: "The trust policy is evaluated for Service `pods.eks.amazonaws.com` with sts:AssumeRole and sts:TagSession and the session tags EKS sends; no statement allows it.",
        symptoms: &[EKS_REFUSED],
        fix: &[
            "Add the Pod Identity statement (keep the IRSA one while pods still use IRSA):",
            "{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"pods.eks.amazonaws.com\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]}",
            PUT_TRUST,
        ],
        docs: &[docs::POD_ID_ROLE],
    },
    Explanation {
        code: codes::TRUST_MISSING_TAG_SESSION,
        link: "trust",
        summary: "the Pod Identity statement allows sts:AssumeRole but not sts:TagSession",
        meaning: "EKS Pod Identity attaches session tags (cluster, namespace, service account, pod) when it assumes the role, which needs sts:TagSession as well as sts:AssumeRole. Without it the call is refused, unless the association disables session tags.",
        detection: "The `pods.eks.amazonaws.com` statement allows sts:AssumeRole and the evaluation of sts:TagSession denies.",
        symptoms: &[EKS_REFUSED],
        fix: &[
            "Allow both actions:",
            "\"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]",
            PUT_TRUST,
        ],
        docs: &[docs::POD_ID_ROLE, docs::POD_ID_ABAC],
    },
    Explanation {
        code: codes::TRUST_POD_IDENTITY_UNSCOPED,
        link: "trust",
        summary: "the Pod Identity statement has no condition: any association in the account can use the role",
        meaning: "`pods.eks.amazonaws.com` without a condition lets any pod identity association in the account, in any cluster, namespace or service account, use this role; the association alone decides. eksctl's migration writes such statements. AWS shows how to scope it with `aws:SourceAccount`, `aws:SourceArn` (the cluster) or the session tags `aws:RequestTag/kubernetes-namespace` and `aws:RequestTag/kubernetes-service-account`.",
        detection: "The statement that lets pods.eks.amazonaws.com in has no Condition.",
        symptoms: &[],
        fix: &[
            "Scope the statement to the cluster, namespace and service account:",
            "\"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"111122223333\", \"aws:RequestTag/kubernetes-namespace\": \"NAMESPACE\", \"aws:RequestTag/kubernetes-service-account\": \"SERVICE_ACCOUNT\"}, \"ArnEquals\": {\"aws:SourceArn\": \"arn:aws:eks:REGION:111122223333:cluster/CLUSTER\"}}",
            PUT_TRUST,
        ],
        docs: &[docs::POD_ID_ROLE, docs::POD_ID_ABAC],
    },
    Explanation {
        code: codes::TARGET_ROLE_TRUST,
        link: "trust",
        summary: "the association's target role does not trust the association's role",
        meaning: "With a target role, EKS assumes the association's role and then, as that role, the target role. The target's trust policy must let the association's role perform sts:AssumeRole and sts:TagSession: Pod Identity's session tags are transitive, so they travel into the second hop. Missing sts:TagSession makes the hop fail in a way that can look intermittent. With session tags disabled, EKS passes an external ID `REGION/ACCOUNT/CLUSTER/NAMESPACE/SERVICE_ACCOUNT` instead, which the trust may require.",
        detection: "The target role's trust policy is evaluated for the association's role (an AWS principal) with sts:AssumeRole, sts:TagSession and, without tags, sts:ExternalId. Unknown when the target role was not read.",
        symptoms: &[
            "User: arn:aws:sts::111122223333:assumed-role/ROLE_NAME/eks-... is not authorized to perform: sts:TagSession on resource: arn:aws:iam::444455556666:role/TARGET_ROLE",
        ],
        fix: &[
            "In the target role's account, trust the association's role for both actions:",
            "{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/ROLE_NAME\"}, \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]}",
            "$ aws iam update-assume-role-policy --role-name TARGET_ROLE --policy-document file://trust.json",
        ],
        docs: &[docs::POD_ID_TARGET_ROLE, docs::IAM_SESSION_TAGS],
    },
];
