//! Explanations for the `role` link (the IAM role exists, with the path and account the ARN
//! names) and the IRSA `oidc-provider` link (the cluster's issuer is an IAM OIDC provider in the
//! role's account, accepting the token's audience).

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::ROLE_NOT_FOUND,
        link: "role",
        summary: "the IAM role does not exist",
        meaning: "The role the annotation or association names does not exist in its account: a typo in the name, a role that was deleted (and maybe re-created later under the same name: a re-created role is a new principal), or the right name in the wrong account. For IRSA, STS cannot assume a role that is not there; for Pod Identity, creating the association already fails.",
        detection: "The role was looked up by name in the ARN's account (GetRole or the account's role list) and IAM answered NoSuchEntity. Similar role names in that account are suggested.",
        symptoms: &[
            "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name ROLE_NAME cannot be found.",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            "InvalidParameterException: Role provided in the request does not exist",
        ],
        fix: &[
            "Create the role, or point the annotation or association at the role that exists:",
            "$ aws iam list-roles --query 'Roles[].Arn' --output text",
            "$ aws iam get-role --role-name ROLE_NAME",
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE, docs::POD_ID_ROLE],
    },
    Explanation {
        code: codes::ROLE_NOT_COLLECTED,
        link: "role",
        summary: "the IAM role could not be read",
        meaning: "Whether the role exists, what it trusts and what it may do is unknown: `iam:GetRole` was denied or the role is not in the offline bundle (often because it is in another account than the credentials used). The trust and permissions links stay unknown.",
        detection: "The role is missing from the facts and IAM did not answer NoSuchEntity for it.",
        symptoms: &[
            "AccessDenied: User: ... is not authorized to perform: iam:GetRole on resource: role ROLE_NAME",
        ],
        fix: &[
            "Read it with credentials for the role's account:",
            "$ aws iam get-role --role-name ROLE_NAME",
        ],
        docs: &[docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::ROLE_PATH_MISMATCH,
        link: "role",
        summary: "the ARN's path differs from the role's path",
        meaning: "A role's ARN includes its path: `role/teams/ROLE_NAME` and `role/ROLE_NAME` are different ARNs. The role exists under this name, but with another path than the ARN says, so the ARN identifies no role and STS cannot assume it.",
        detection: "The role with the ARN's name exists in the account, and its real ARN (with its path) differs from the one configured.",
        symptoms: &["Not authorized to perform sts:AssumeRoleWithWebIdentity"],
        fix: &[
            "Use the role's real ARN:",
            "$ aws iam get-role --role-name ROLE_NAME --query Role.Arn --output text",
        ],
        docs: &[docs::IAM_ARNS],
    },
    Explanation {
        code: codes::ROLE_NOT_IN_CLUSTER_ACCOUNT,
        link: "role",
        summary: "a Pod Identity association names a role in another account",
        meaning: "An association's role must be in the cluster's account (EKS passes it with iam:PassRole). For cross-account access, the association uses a role in the cluster's account and names the other account's role as `--target-role-arn`; EKS then chains from the first to the second.",
        detection: "The association's role ARN has another account than the cluster's ARN.",
        symptoms: &["InvalidParameterException: Role provided in the request does not exist"],
        fix: &[
            "Create a role in the cluster's account (trusting pods.eks.amazonaws.com) and chain to the other account's role:",
            "$ aws eks create-pod-identity-association --cluster-name CLUSTER --namespace NAMESPACE --service-account SERVICE_ACCOUNT --role-arn arn:aws:iam::CLUSTER_ACCOUNT:role/ROLE_NAME --target-role-arn arn:aws:iam::OTHER_ACCOUNT:role/TARGET_ROLE",
        ],
        docs: &[docs::POD_ID_TARGET_ROLE, docs::POD_ID_ASSOCIATION],
    },
    Explanation {
        code: codes::CLUSTER_NOT_COLLECTED,
        link: "oidc-provider",
        summary: "the EKS cluster (its OIDC issuer) could not be read",
        meaning: "Without DescribeCluster the cluster's OIDC issuer, account, partition and region are unknown, so the OIDC provider and the trust policy cannot be checked. The links that need them stay unknown.",
        detection: "DescribeCluster is missing from the facts or was denied, or the cluster name could not be worked out from the kubeconfig.",
        symptoms: &[
            "AccessDeniedException: User: ... is not authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:REGION:111122223333:cluster/CLUSTER",
        ],
        fix: &[
            "Allow eks:DescribeCluster, or name the cluster; offline, add the output to the bundle:",
            "$ aws eks describe-cluster --name CLUSTER",
        ],
        docs: &[docs::API_DESCRIBE_CLUSTER],
    },
    Explanation {
        code: codes::CLUSTER_NO_ISSUER,
        link: "oidc-provider",
        summary: "DescribeCluster returned no OIDC issuer",
        meaning: "Every EKS cluster has an OIDC issuer URL (`identity.oidc.issuer`). An answer without one is not a cluster IRSA can work with as described, or the answer was cut; the OIDC provider check cannot run.",
        detection: "DescribeCluster's `cluster.identity.oidc.issuer` is absent.",
        symptoms: &[],
        fix: &[
            "Look at the cluster's identity as AWS reports it:",
            "$ aws eks describe-cluster --name CLUSTER --query cluster.identity",
        ],
        docs: &[docs::IRSA_OIDC_PROVIDER, docs::API_DESCRIBE_CLUSTER],
    },
    Explanation {
        code: codes::OIDC_PROVIDER_MISSING,
        link: "oidc-provider",
        summary: "the cluster's issuer is not an IAM OIDC provider in the role's account",
        meaning: "IRSA needs the cluster's OIDC issuer registered as an IAM OIDC identity provider in the account of the ROLE. Without it STS cannot validate the pod's token. Usual causes: the provider was never created (it is not created with the cluster), it was deleted, the cluster was re-created (a new issuer ID), or the role is in another account than the cluster and the provider exists only in the cluster's account.",
        detection: "The cluster's issuer (DescribeCluster) is turned into the provider ARN `arn:PARTITION:iam::ROLE_ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID`, and that ARN is not among the account's providers (ListOpenIDConnectProviders).",
        symptoms: &[
            "WebIdentityErr: failed to retrieve credentials caused by: InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E status code: 400",
            "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://oidc.eks.REGION.amazonaws.com/id/...",
        ],
        fix: &[
            "Register the issuer (in the role's account, with that account's credentials); either command does it:",
            "$ eksctl utils associate-iam-oidc-provider --cluster CLUSTER --region REGION --approve",
            "$ aws iam create-open-id-connect-provider --url https://oidc.eks.REGION.amazonaws.com/id/ID --client-id-list sts.amazonaws.com",
            "Check: the issuer's ID must appear among the providers:",
            "$ aws eks describe-cluster --name CLUSTER --query cluster.identity.oidc.issuer --output text",
            "$ aws iam list-open-id-connect-providers",
        ],
        docs: &[
            docs::IRSA_OIDC_PROVIDER,
            docs::IAM_OIDC_PROVIDER,
            docs::IRSA_CROSS_ACCOUNT,
        ],
    },
    Explanation {
        code: codes::OIDC_PROVIDERS_NOT_COLLECTED,
        link: "oidc-provider",
        summary: "the role account's OIDC providers could not be read",
        meaning: "Whether the cluster's issuer is registered in the role's account is unknown: `iam:ListOpenIDConnectProviders` was denied, or the bundle lacks the list (common for cross-account roles, whose account was not read).",
        detection: "The provider list of the role's account is missing from the facts.",
        symptoms: &[],
        fix: &[
            "List them with credentials for the role's account:",
            "$ aws iam list-open-id-connect-providers",
        ],
        docs: &[docs::IRSA_OIDC_PROVIDER],
    },
    Explanation {
        code: codes::AUDIENCE_NOT_IN_CLIENT_IDS,
        link: "oidc-provider",
        summary: "the OIDC provider does not accept the token's audience",
        meaning: "STS accepts a web identity token only when its `aud` claim is in the provider's client ID list. The token's audience is `sts.amazonaws.com` unless the service account's `eks.amazonaws.com/audience` annotation says otherwise; a provider created with another client ID (or whose list was edited) refuses the tokens.",
        detection: "The provider's ClientIDList (GetOpenIDConnectProvider) does not contain the token's audience.",
        symptoms: &["InvalidIdentityToken: Incorrect token audience"],
        fix: &[
            "Add the audience to the provider (or remove the service account's audience annotation):",
            "$ aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn PROVIDER_ARN --client-id sts.amazonaws.com",
        ],
        docs: &[docs::IAM_OIDC_PROVIDER, docs::IRSA_OIDC_PROVIDER],
    },
    Explanation {
        code: codes::OIDC_PROVIDER_DETAIL_MISSING,
        link: "oidc-provider",
        summary: "the OIDC provider exists but its client IDs were not read",
        meaning: "The provider is registered, but its client ID list was not read (`iam:GetOpenIDConnectProvider` denied or not in the bundle), so whether it accepts the token's audience is unknown.",
        detection: "The provider is listed but its details are missing from the facts.",
        symptoms: &[],
        fix: &[
            "Read the provider:",
            "$ aws iam get-open-id-connect-provider --open-id-connect-provider-arn PROVIDER_ARN",
        ],
        docs: &[docs::IAM_OIDC_PROVIDER],
    },
];
