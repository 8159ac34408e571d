//! The AWS documentation pages the explanations link to, named once so a moved page is fixed in
//! one place. Only docs.aws.amazon.com pages that exist under these addresses; add a page here
//! before citing it in an explanation.

// EKS user guide: IRSA.
pub const IRSA: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html";
pub const IRSA_HOW_IT_WORKS: &str = "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts-technical-overview.html";
pub const IRSA_OIDC_PROVIDER: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html";
pub const IRSA_ASSIGN_ROLE: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html";
pub const IRSA_POD_CONFIG: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html";
pub const IRSA_STS_ENDPOINT: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/configure-sts-endpoint.html";
pub const IRSA_CROSS_ACCOUNT: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html";
pub const IRSA_MINIMUM_SDK: &str = "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts-minimum-sdk.html";
pub const EKS_IAM_TROUBLESHOOT: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/security-iam-troubleshoot.html";
pub const SERVICE_ACCOUNTS: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/service-accounts.html";

// EKS user guide: Pod Identity.
pub const POD_IDENTITY: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html";
pub const POD_ID_HOW_IT_WORKS: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html";
pub const POD_ID_AGENT: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html";
pub const POD_ID_ASSOCIATION: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html";
pub const POD_ID_ROLE: &str = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html";
pub const POD_ID_ABAC: &str = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html";
pub const POD_ID_TARGET_ROLE: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-assign-target-role.html";
pub const POD_ID_MINIMUM_SDK: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html";
pub const AUTO_MODE: &str = "https://docs.aws.amazon.com/eks/latest/userguide/automode.html";
pub const FARGATE: &str = "https://docs.aws.amazon.com/eks/latest/userguide/fargate.html";
pub const WINDOWS: &str = "https://docs.aws.amazon.com/eks/latest/userguide/windows-support.html";
pub const ADD_ONS: &str = "https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html";

// EKS API.
pub const API_CREATE_ASSOCIATION: &str =
    "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html";
pub const API_DESCRIBE_CLUSTER: &str =
    "https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html";

// IAM and STS.
pub const IAM_OIDC_PROVIDER: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html";
pub const IAM_ROLE_FOR_OIDC: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html";
pub const IAM_EVALUATION: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";
pub const IAM_CONDITION_OPERATORS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
pub const IAM_CONDITION_KEYS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html";
pub const IAM_PRINCIPAL: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html";
pub const IAM_GRAMMAR: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
pub const IAM_QUOTAS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
pub const IAM_ARNS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html";
pub const IAM_BOUNDARIES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html";
pub const IAM_SESSION_TAGS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html";
pub const IAM_POLICY_VALIDATION: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-validation.html";
pub const IAM_POLICY_TESTING: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html";
pub const STS_REGIONS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html";
pub const API_ASSUME_ROLE_WITH_WEB_IDENTITY: &str =
    "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html";
pub const API_SIMULATE_PRINCIPAL_POLICY: &str =
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html";

// SDKs.
pub const SDK_CREDENTIAL_CHAIN: &str =
    "https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html";
