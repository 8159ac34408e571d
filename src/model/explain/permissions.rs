//! Explanations for the `permissions` link: the role's permission policies, and whether each
//! `--action`/`--resource` asked for is allowed through them, the permissions boundary and the
//! association's session policy.

use super::Explanation;
use super::docs;
use crate::model::codes;

const ACCESS_DENIED: &str = "An error occurred (AccessDenied) when calling the OPERATION operation: User: arn:aws:sts::111122223333:assumed-role/ROLE_NAME/SESSION is not authorized to perform: ACTION on resource: RESOURCE";

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::NO_POLICIES,
        link: "permissions",
        summary: "the role has no permission policies",
        meaning: "The role can be assumed but has neither attached managed policies nor inline policies, so every AWS call made with it is denied, unless a resource policy (a bucket policy, a key policy) grants the role access directly.",
        detection: "ListAttachedRolePolicies and ListRolePolicies (or the account authorization details) return nothing for the role.",
        symptoms: &[ACCESS_DENIED],
        fix: &[
            "Attach a policy with the actions the workload needs:",
            "$ aws iam attach-role-policy --role-name ROLE_NAME --policy-arn POLICY_ARN",
            "$ aws iam put-role-policy --role-name ROLE_NAME --policy-name NAME --policy-document file://policy.json",
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::PERMISSION_DENIED,
        link: "permissions",
        summary: "the action asked for is not allowed by the role's policies",
        meaning: "The credentials work, but no statement of the role's policies allows the action on the resource (`--action`/`--resource`): the action is missing, the resource ARN in the policy does not cover the one asked for (a bucket vs its objects `bucket/*`, another region or account), or a condition fails. IAM denies by default. Service control policies and resource policies, which are not read, can deny too.",
        detection: "The role's identity policies are evaluated for the action and resource; the closest statement and why it does not match are shown.",
        symptoms: &[ACCESS_DENIED],
        fix: &[
            "Add the action and resource to a policy of the role, then check with IAM's simulator:",
            "$ aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::111122223333:role/ROLE_NAME --action-names ACTION --resource-arns RESOURCE",
        ],
        docs: &[docs::IAM_EVALUATION, docs::IAM_POLICY_TESTING],
    },
    Explanation {
        code: codes::PERMISSION_EXPLICIT_DENY,
        link: "permissions",
        summary: "a Deny statement refuses the action",
        meaning: "A statement with `\"Effect\": \"Deny\"` in one of the role's policies matches the action and resource. An explicit deny wins over every allow, so adding permissions elsewhere does not help.",
        detection: "The evaluation ends in an explicit deny; the deciding statement and its policy are shown.",
        symptoms: &[
            "An error occurred (AccessDenied) when calling the OPERATION operation: User: ... is not authorized to perform: ACTION on resource: RESOURCE with an explicit deny in an identity-based policy",
        ],
        fix: &[
            "Narrow or remove the Deny statement shown:",
            "$ aws iam get-role-policy --role-name ROLE_NAME --policy-name NAME",
        ],
        docs: &[docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::PERMISSION_BOUNDARY_DENY,
        link: "permissions",
        summary: "the permissions boundary does not allow the action",
        meaning: "The role has a permissions boundary: the effective permissions are what both the role's policies and the boundary allow. The role's policies allow the action, the boundary does not.",
        detection: "The identity policies allow the action and the boundary policy, evaluated on its own, does not.",
        symptoms: &[
            "... is not authorized to perform: ACTION on resource: RESOURCE because no permissions boundary allows the ACTION action",
        ],
        fix: &[
            "Add the action to the boundary policy (often owned by a platform team), or remove the boundary:",
            "$ aws iam get-role --role-name ROLE_NAME --query Role.PermissionsBoundary",
        ],
        docs: &[docs::IAM_BOUNDARIES, docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::PERMISSION_SESSION_POLICY_DENY,
        link: "permissions",
        summary: "the association's session policy does not allow the action",
        meaning: "A Pod Identity association can carry a session policy (`policy`) that further limits the role for these pods: the pods get the intersection of the role's policies and the session policy. The role allows the action; the session policy does not. A session policy requires the association to disable session tags.",
        detection: "The identity policies allow the action and the association's session policy does not.",
        symptoms: &[
            "... is not authorized to perform: ACTION on resource: RESOURCE because no session policy allows the ACTION action",
        ],
        fix: &[
            "Extend the association's session policy, or remove it:",
            "$ aws eks describe-pod-identity-association --cluster-name CLUSTER --association-id ASSOCIATION_ID --query association.policy",
            "$ aws eks update-pod-identity-association --cluster-name CLUSTER --association-id ASSOCIATION_ID --policy file://session-policy.json",
        ],
        docs: &[docs::POD_ID_ASSOCIATION, docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::PERMISSION_ALLOWED,
        link: "permissions",
        summary: "the action asked for is allowed",
        meaning: "The role's policies (and its boundary and session policy, if any) allow the action on the resource. Service control policies, resource control policies and the resource's own policy are not read and could still deny.",
        detection: "The evaluation of the role's policies for the action and resource ends in Allow.",
        symptoms: &[],
        fix: &["Nothing to fix. `doctor --prove` also asks IAM's SimulatePrincipalPolicy."],
        docs: &[docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::POLICY_INVALID,
        link: "permissions",
        summary: "a permission policy is not a document IAM accepts, or repeats a key",
        meaning: "One of the role's policies (or its boundary or the session policy) does not follow the IAM policy grammar, or repeats a JSON key, in which case IAM keeps only the last value and silently ignores the other. Its statements are not what they seem.",
        detection: "Each policy is parsed with the IAM policy grammar and a duplicate-aware JSON parser; the error and its line are shown.",
        symptoms: &["MalformedPolicyDocument: Syntax errors in policy."],
        fix: &[
            "Correct the document at the line shown and save it again:",
            "$ aws accessanalyzer validate-policy --policy-type IDENTITY_POLICY --policy-document file://policy.json",
        ],
        docs: &[docs::IAM_GRAMMAR, docs::IAM_POLICY_VALIDATION],
    },
    Explanation {
        code: codes::POLICY_NOT_COLLECTED,
        link: "permissions",
        summary: "some of the role's policies could not be read",
        meaning: "One or more policies of the role (an inline policy, a managed policy version, the boundary) were not read, so the permissions can only be judged in part. When an action was asked for, its verdict is unknown.",
        detection: "A policy the role lists is missing from the facts, or its document could not be decoded.",
        symptoms: &[],
        fix: &[
            "Read them:",
            "$ aws iam list-attached-role-policies --role-name ROLE_NAME",
            "$ aws iam get-policy-version --policy-arn POLICY_ARN --version-id VERSION",
        ],
        docs: &[docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::ADMIN_ACCESS,
        link: "permissions",
        summary: "the role may do every action on every resource",
        meaning: "A statement allows `\"Action\": \"*\"` on `\"Resource\": \"*\"` (AdministratorAccess or an equivalent inline policy). Every pod that can use this role is an administrator of the account. It works; it is rarely what a workload needs.",
        detection: "An Allow statement of the role's policies has Action `*` and Resource `*` without conditions.",
        symptoms: &[],
        fix: &[
            "Replace it with the actions and resources the workload uses; IAM Access Analyzer can generate a policy from CloudTrail activity.",
        ],
        docs: &[docs::IAM_EVALUATION],
    },
    Explanation {
        code: codes::ABAC_TAGS_DISABLED,
        link: "permissions",
        summary: "the policy tests Pod Identity session tags, but the association disables them",
        meaning: "Statements conditioned on `aws:PrincipalTag/kubernetes-namespace`, `aws:PrincipalTag/eks-cluster-name` and the other Pod Identity session tags only match when EKS attaches those tags. The association has `disableSessionTags` set (required when it carries a session policy), so the tags are absent and the conditions fail.",
        detection: "The action is denied, the association disables session tags, and the closest statement fails on an `aws:PrincipalTag/...` condition.",
        symptoms: &[ACCESS_DENIED],
        fix: &[
            "Enable session tags on the association, or rewrite the policy without the tag conditions:",
            "$ aws eks update-pod-identity-association --cluster-name CLUSTER --association-id ASSOCIATION_ID --no-disable-session-tags",
        ],
        docs: &[docs::POD_ID_ABAC, docs::IAM_SESSION_TAGS],
    },
];
