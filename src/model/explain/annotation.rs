//! Explanations for the IRSA `annotation` link: the `eks.amazonaws.com/role-arn` annotation and
//! the annotations read with it (audience, regional STS, token expiration).

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::ANNOTATION_MISSING,
        link: "annotation",
        summary: "the service account has no role-arn annotation (and no Pod Identity association)",
        meaning: "For IRSA the pod identity webhook reads `eks.amazonaws.com/role-arn` on the pod's service account when the pod is created; without it the pod gets no AWS_ROLE_ARN, no token volume, and the SDK falls back to the node's role or finds no credentials. When an IAM role's trust policy names this very service account, the annotation was most likely removed (GitOps drift, an operator or an installer rewriting the service account, an eksctl re-run) or never applied.",
        detection: "The service account has no `eks.amazonaws.com/role-arn` annotation and no Pod Identity association, while something shows it should have an AWS identity: an IAM role's trust policy names `system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT` exactly, or the workload was targeted by name.",
        symptoms: &[
            "User: arn:aws:sts::111122223333:assumed-role/NODE_ROLE/i-0123456789abcdef0 is not authorized to perform: ACTION",
            "no EC2 IMDS role found, operation error ec2imds: GetMetadata, canceled, context deadline exceeded",
            "NoCredentialProviders: no valid providers in chain",
        ],
        fix: &[
            "Annotate the service account with the role, then recreate the pods (the webhook only mutates pods when they are created):",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/ROLE_NAME --overwrite",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
            "If a tool manages the service account (Helm, Argo CD, Flux, an operator), put the annotation in its source, or it will be stripped again.",
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::ANNOTATION_KEY_TYPO,
        link: "annotation",
        summary: "the service account has a misspelt role-arn annotation key",
        meaning: "The webhook reads exactly `eks.amazonaws.com/role-arn`. An annotation whose key is close to it (`eks.amazon.com/role-arn`, `eks.amazonaws.com/role_arn`, `eks.amazonaws.com/rolearn`, or any `...role...` key holding a role ARN) is ignored, so pods are created without credentials, exactly as if there were no annotation.",
        detection: "No `eks.amazonaws.com/role-arn` annotation, but another annotation key is within a few edits of it, or names a role and holds a role ARN.",
        symptoms: &[
            "Unable to locate credentials",
            "NoCredentialProviders: no valid providers in chain",
        ],
        fix: &[
            "Set the right key with the same value, remove the misspelt one, and recreate the pods:",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/ROLE_NAME --overwrite",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE MISSPELT_KEY-",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::NO_AWS_IDENTITY,
        link: "annotation",
        summary: "the workload has no AWS identity and nothing shows it should",
        meaning: "The service account has neither an IRSA annotation nor a Pod Identity association, and no IAM role trusts it: the workload simply does not use an AWS identity of its own. This is information, not a fault. If such a pod calls AWS anyway, the SDK uses the node's instance role where the instance metadata service is reachable.",
        detection: "No role-arn annotation, no association for the namespace/service account, and no IRSA trust policy naming the service account.",
        symptoms: &[],
        fix: &[
            "Nothing to fix unless the workload should call AWS. Then give it a role with IRSA (annotate the service account) or Pod Identity (create an association):",
            "$ aws eks create-pod-identity-association --cluster-name CLUSTER --namespace NAMESPACE --service-account SERVICE_ACCOUNT --role-arn arn:aws:iam::111122223333:role/ROLE_NAME",
        ],
        docs: &[docs::IRSA, docs::POD_IDENTITY],
    },
    Explanation {
        code: codes::TRUST_WILDCARD_REACHES,
        link: "annotation",
        summary: "a role trusts a wildcard subject that also matches this service account",
        meaning: "An IAM role's trust policy uses `StringLike` with a pattern on `:sub` (for example `system:serviceaccount:*:*` or `system:serviceaccount:team-*:*`) that matches this service account. Any pod running as a matching service account can annotate itself with that role and assume it, whether it was meant to or not. It is a security warning on the role, not a sign that this workload should use it.",
        detection: "Among the collected roles, a web identity trust statement whose `:sub` condition holds `*` or `?` matches `system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT`.",
        symptoms: &[],
        fix: &[
            "Name the service accounts the role is for in its trust policy, each in full, under `StringEquals` (a condition key can hold a list of values):",
            "$ aws iam get-role --role-name ROLE_NAME --query Role.AssumeRolePolicyDocument",
            "$ aws iam update-assume-role-policy --role-name ROLE_NAME --policy-document file://trust.json",
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::IAM_CONDITION_OPERATORS],
    },
    Explanation {
        code: codes::ROLE_ARN_MALFORMED,
        link: "annotation",
        summary: "the role-arn annotation is not a valid role ARN",
        meaning: "The annotation's value is not an ARN of the form `arn:PARTITION:iam::ACCOUNT:role/NAME` (with an optional path before NAME): a missing or extra colon, an account that is not 12 digits, `user/` instead of `role/`, surrounding spaces or quotes, or a placeholder from a setup guide (`YOUR_ACCOUNT_ID`, `${ACCOUNT}`, `<role>`) that was never replaced. The webhook injects it anyway; STS rejects it.",
        detection: "The annotation value is parsed as a role ARN: partition, empty region, 12-digit account, `role/` resource with an optional path.",
        symptoms: &[
            "An error occurred (ValidationError) when calling the AssumeRoleWithWebIdentity operation: Request ARN is invalid",
        ],
        fix: &[
            "Copy the ARN exactly as IAM prints it, set it, and recreate the pods:",
            "$ aws iam get-role --role-name ROLE_NAME --query Role.Arn --output text",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/ROLE_NAME --overwrite",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
        ],
        docs: &[docs::IAM_ARNS, docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::ROLE_ARN_PATH,
        link: "annotation",
        summary: "the role ARN has a path: valid for IRSA, rejected by some tools",
        meaning: "The role was created with a path (`arn:aws:iam::111122223333:role/teams/payments/ROLE_NAME`). STS accepts it and IRSA works, but tools that expect `role/NAME` fail on it: eksctl's `utils migrate-to-pod-identity` stops with `invalid format for role ARN`, and scripts that take the text after `role/` as the role name get `teams/payments/ROLE_NAME`, which `aws iam get-role` does not find (the role name is the last segment).",
        detection: "The annotation's role ARN has more than one segment after `role/`.",
        symptoms: &["invalid format for role ARN"],
        fix: &[
            "Nothing to fix for IRSA. For tools, pass the role name (the last segment) where a name is asked for:",
            "$ aws iam get-role --role-name ROLE_NAME",
        ],
        docs: &[docs::IAM_ARNS],
    },
    Explanation {
        code: codes::ROLE_ARN_PARTITION_MISMATCH,
        link: "annotation",
        summary: "the role ARN is in another partition than the cluster",
        meaning: "The role ARN starts with `arn:aws:` while the cluster runs in China (`aws-cn`) or GovCloud (`aws-us-gov`), or the other way round. A role in another partition cannot be assumed from this cluster: STS of the cluster's partition finds no such role. This happens when manifests are copied between commercial and China/GovCloud environments.",
        detection: "The partition of the annotation's ARN differs from the partition of the cluster's ARN (from DescribeCluster).",
        symptoms: &[
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.cn-north-1.amazonaws.com.cn/id/...",
            "An error occurred (ValidationError) when calling the AssumeRoleWithWebIdentity operation: Request ARN is invalid",
        ],
        fix: &[
            "Use the role's ARN in the cluster's partition (`arn:aws-cn:iam::...` in China, `arn:aws-us-gov:iam::...` in GovCloud) and recreate the pods:",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/role-arn=arn:aws-cn:iam::111122223333:role/ROLE_NAME --overwrite",
        ],
        docs: &[docs::IAM_ARNS, docs::IRSA_STS_ENDPOINT],
    },
    Explanation {
        code: codes::ROLE_CROSS_ACCOUNT,
        link: "annotation",
        summary: "the role is in another account than the cluster (cross-account IRSA)",
        meaning: "Cross-account IRSA works, with one condition people miss: STS looks the OIDC provider up in the account of the ROLE, not the cluster's. The cluster's issuer must be registered as an IAM OIDC provider in the role's account, and the role's trust policy must name that provider (`arn:aws:iam::ROLE_ACCOUNT:oidc-provider/...`).",
        detection: "The account in the annotation's role ARN differs from the cluster's account.",
        symptoms: &[
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.REGION.amazonaws.com/id/...",
        ],
        fix: &[
            "With credentials for the role's account, register the cluster's issuer there:",
            "$ aws eks describe-cluster --name CLUSTER --query cluster.identity.oidc.issuer --output text",
            "$ aws iam create-open-id-connect-provider --url https://oidc.eks.REGION.amazonaws.com/id/ID --client-id-list sts.amazonaws.com",
        ],
        docs: &[docs::IRSA_CROSS_ACCOUNT, docs::IRSA_OIDC_PROVIDER],
    },
    Explanation {
        code: codes::AUDIENCE_ANNOTATION,
        link: "annotation",
        summary: "the service account asks for a token audience other than sts.amazonaws.com",
        meaning: "`eks.amazonaws.com/audience` changes the `aud` claim of the projected token (default `sts.amazonaws.com`). That is allowed, but then two other places must agree: the IAM OIDC provider's client ID list must contain the audience, and a trust policy condition on `:aud` must require that same value. Otherwise STS refuses the token.",
        detection: "The service account has an `eks.amazonaws.com/audience` annotation with a value other than `sts.amazonaws.com`.",
        symptoms: &["InvalidIdentityToken: Incorrect token audience"],
        fix: &[
            "Keep the three in step, or remove the annotation to use the default:",
            "$ aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn PROVIDER_ARN --client-id AUDIENCE",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/audience-",
        ],
        docs: &[docs::IRSA_HOW_IT_WORKS, docs::IAM_OIDC_PROVIDER],
    },
    Explanation {
        code: codes::STS_GLOBAL_ENDPOINT,
        link: "annotation",
        summary: "the service account makes SDKs use the global STS endpoint",
        meaning: "With `eks.amazonaws.com/sts-regional-endpoints` set to anything but `true`, the webhook does not inject `AWS_STS_REGIONAL_ENDPOINTS=regional`, so SDKs whose default is the global endpoint (older ones) call `sts.amazonaws.com` in us-east-1. In opt-in regions and in China the global endpoint cannot validate the cluster's tokens, and it adds latency and a dependency on us-east-1 everywhere else. AWS recommends regional endpoints.",
        detection: "The `eks.amazonaws.com/sts-regional-endpoints` annotation is present and not `true`.",
        symptoms: &[
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.cn-north-1.amazonaws.com.cn/id/...",
            "InvalidToken: The provided token is malformed or otherwise invalid",
            "SignatureDoesNotMatch: Credential should be scoped to a valid region",
        ],
        fix: &[
            "Set the annotation to true (or remove it) and recreate the pods; make sure AWS_REGION or AWS_DEFAULT_REGION is set in the container:",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/sts-regional-endpoints=true --overwrite",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
        ],
        docs: &[docs::IRSA_STS_ENDPOINT, docs::STS_REGIONS],
    },
    Explanation {
        code: codes::TOKEN_EXPIRATION_INVALID,
        link: "annotation",
        summary: "the token-expiration annotation is not a number of seconds from 600 to 86400",
        meaning: "`eks.amazonaws.com/token-expiration` sets how long the projected service account token lives. The webhook accepts a number of seconds between 600 (10 minutes) and 86400 (24 hours); anything else (a unit like `1h`, a number out of range) is ignored and the default (86400) is used, which may not be what was intended.",
        detection: "The annotation is present and does not parse as an integer between 600 and 86400.",
        symptoms: &[],
        fix: &[
            "Give the lifetime in seconds, or remove the annotation:",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/token-expiration=3600 --overwrite",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::BOTH_MECHANISMS,
        link: "annotation",
        summary: "the service account has both an IRSA annotation and a Pod Identity association",
        meaning: "Both mechanisms are set up for one service account, usually halfway through a migration. Pods created while the association exists get the Pod Identity variables (the webhook prefers them); pods created earlier keep IRSA until they are recreated; and a container that carries both sets of variables (one set written in the manifest) uses web identity, because SDKs try it before container credentials. Which role a pod really uses therefore depends on when it was created.",
        detection: "The service account has `eks.amazonaws.com/role-arn` and an EKS pod identity association exists for the same namespace/service account.",
        symptoms: &[],
        fix: &[
            "Keep one. When every pod runs on Pod Identity, remove the annotation; or delete the association to stay on IRSA:",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/role-arn-",
            "$ aws eks delete-pod-identity-association --cluster-name CLUSTER --association-id ASSOCIATION_ID",
        ],
        docs: &[docs::POD_ID_HOW_IT_WORKS, docs::POD_IDENTITY],
    },
];
