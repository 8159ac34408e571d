//! Stable finding codes. They appear in `doctor -o json` and scripts match on them, so a code
//! never changes meaning; add new ones rather than reuse. Each line says which link emits it
//! and, in brackets, the field-guide entry it implements.

// pod
pub const NO_PODS: &str = "NO_PODS"; // pod: no pod exists; pod-level checks use the template
pub const PODS_NOT_COLLECTED: &str = "PODS_NOT_COLLECTED"; // pod: unknown
pub const POD_USES_DEFAULT_SA: &str = "POD_USES_DEFAULT_SA"; // pod [A8]

// service-account
pub const SA_NOT_FOUND: &str = "SA_NOT_FOUND"; // service-account [A8]
pub const SA_NOT_COLLECTED: &str = "SA_NOT_COLLECTED"; // service-account: unknown

// annotation (IRSA)
pub const ANNOTATION_MISSING: &str = "ANNOTATION_MISSING"; // [A7]
pub const ANNOTATION_KEY_TYPO: &str = "ANNOTATION_KEY_TYPO"; // near-miss annotation key
pub const NO_AWS_IDENTITY: &str = "NO_AWS_IDENTITY"; // info: nothing configured, nothing meant
pub const TRUST_WILDCARD_REACHES: &str = "TRUST_WILDCARD_REACHES"; // warning [D25]: a wildcard subject matches
pub const ROLE_ARN_MALFORMED: &str = "ROLE_ARN_MALFORMED"; // [C17]
pub const ROLE_ARN_PATH: &str = "ROLE_ARN_PATH"; // info [G43]
pub const ROLE_ARN_PARTITION_MISMATCH: &str = "ROLE_ARN_PARTITION_MISMATCH"; // [C14]
pub const ROLE_CROSS_ACCOUNT: &str = "ROLE_CROSS_ACCOUNT"; // info [C13]
pub const AUDIENCE_ANNOTATION: &str = "AUDIENCE_ANNOTATION"; // info [C15]
pub const STS_GLOBAL_ENDPOINT: &str = "STS_GLOBAL_ENDPOINT"; // warning [C18, C14]
pub const TOKEN_EXPIRATION_INVALID: &str = "TOKEN_EXPIRATION_INVALID"; // warning
pub const BOTH_MECHANISMS: &str = "BOTH_MECHANISMS"; // warning [F39]

// association (Pod Identity)
pub const ASSOCIATION_MISSING: &str = "ASSOCIATION_MISSING"; // [F36, A8]
pub const ASSOCIATIONS_NOT_COLLECTED: &str = "ASSOCIATIONS_NOT_COLLECTED"; // unknown
pub const ASSOCIATION_DETAIL_MISSING: &str = "ASSOCIATION_DETAIL_MISSING"; // unknown
pub const ASSOCIATION_ADDON_OWNED: &str = "ASSOCIATION_ADDON_OWNED"; // info [G44]
pub const ASSOCIATION_TARGET_ROLE: &str = "ASSOCIATION_TARGET_ROLE"; // info [F36]
pub const ASSOCIATION_RECENT: &str = "ASSOCIATION_RECENT"; // warning/info [F37]: changed under running pods

// injection
pub const INJECTION_MISSING: &str = "INJECTION_MISSING"; // [A1, A2, A3]
pub const INJECTION_STALE: &str = "INJECTION_STALE"; // [A1]: env from an older annotation
pub const ENV_HARDCODED: &str = "ENV_HARDCODED"; // [A5]
pub const TOKEN_VOLUME_MISSING: &str = "TOKEN_VOLUME_MISSING"; // [A5]
pub const SKIP_LABEL: &str = "SKIP_LABEL"; // [A6]
pub const SKIP_CONTAINER: &str = "SKIP_CONTAINER"; // [A6]
pub const WEBHOOK_MISSING: &str = "WEBHOOK_MISSING"; // [A4]
pub const STATIC_KEYS: &str = "STATIC_KEYS"; // [B9]
pub const AWS_PROFILE_SET: &str = "AWS_PROFILE_SET"; // warning [B9]
pub const ENV_FROM_SECRET: &str = "ENV_FROM_SECRET"; // info [B9]
pub const TOKEN_UNREADABLE: &str = "TOKEN_UNREADABLE"; // [B12]
pub const HOST_NETWORK_POD_IDENTITY: &str = "HOST_NETWORK_POD_IDENTITY"; // warning [F33]
pub const WINDOWS_NODE_SELECTOR: &str = "WINDOWS_NODE_SELECTOR"; // warning [G41]
pub const STS_LEGACY_ENDPOINT_ENV: &str = "STS_LEGACY_ENDPOINT_ENV"; // warning [C14]
pub const STILL_ON_IRSA: &str = "STILL_ON_IRSA"; // warning [F39]
pub const INJECTION_NOT_JUDGED: &str = "INJECTION_NOT_JUDGED"; // unknown

// role
pub const ROLE_NOT_FOUND: &str = "ROLE_NOT_FOUND";
pub const ROLE_NOT_COLLECTED: &str = "ROLE_NOT_COLLECTED"; // unknown
pub const ROLE_PATH_MISMATCH: &str = "ROLE_PATH_MISMATCH"; // [G43]
pub const ROLE_NOT_IN_CLUSTER_ACCOUNT: &str = "ROLE_NOT_IN_CLUSTER_ACCOUNT"; // [F36]

// oidc-provider
pub const CLUSTER_NOT_COLLECTED: &str = "CLUSTER_NOT_COLLECTED"; // unknown
pub const CLUSTER_NO_ISSUER: &str = "CLUSTER_NO_ISSUER";
pub const OIDC_PROVIDER_MISSING: &str = "OIDC_PROVIDER_MISSING"; // [C13]
pub const OIDC_PROVIDERS_NOT_COLLECTED: &str = "OIDC_PROVIDERS_NOT_COLLECTED"; // unknown
pub const AUDIENCE_NOT_IN_CLIENT_IDS: &str = "AUDIENCE_NOT_IN_CLIENT_IDS"; // [C15]
pub const OIDC_PROVIDER_DETAIL_MISSING: &str = "OIDC_PROVIDER_DETAIL_MISSING"; // unknown

// agent
pub const AGENT_AUTO_MODE: &str = "AGENT_AUTO_MODE"; // info [F30]
pub const AGENT_MISSING: &str = "AGENT_MISSING"; // [F30]
pub const AGENT_NOT_ON_NODE: &str = "AGENT_NOT_ON_NODE"; // [F30]
pub const AGENT_NOT_READY: &str = "AGENT_NOT_READY"; // [F30, F35]
pub const AGENT_ADDON_DEGRADED: &str = "AGENT_ADDON_DEGRADED"; // [A3]
pub const UNSUPPORTED_FARGATE: &str = "UNSUPPORTED_FARGATE"; // [F38, G41]
pub const UNSUPPORTED_WINDOWS: &str = "UNSUPPORTED_WINDOWS"; // [F38]
pub const AGENT_NOT_COLLECTED: &str = "AGENT_NOT_COLLECTED"; // unknown

// trust
pub const TRUST_NOT_COLLECTED: &str = "TRUST_NOT_COLLECTED"; // unknown
pub const TRUST_POLICY_INVALID: &str = "TRUST_POLICY_INVALID"; // [D24]
pub const TRUST_DUPLICATE_KEY: &str = "TRUST_DUPLICATE_KEY"; // [D24]
pub const TRUST_NO_MATCHING_STATEMENT: &str = "TRUST_NO_MATCHING_STATEMENT"; // [D19-D23]
pub const TRUST_PROVIDER_MISMATCH: &str = "TRUST_PROVIDER_MISMATCH"; // [D22, D23]
pub const TRUST_PROVIDER_MALFORMED: &str = "TRUST_PROVIDER_MALFORMED"; // [D22]
pub const TRUST_CONDITION_KEY_PREFIX: &str = "TRUST_CONDITION_KEY_PREFIX"; // [D22]
pub const TRUST_SUB_MISMATCH: &str = "TRUST_SUB_MISMATCH"; // [D19]
pub const TRUST_WILDCARD_STRINGEQUALS: &str = "TRUST_WILDCARD_STRINGEQUALS"; // [D20]
pub const TRUST_AUD_FOR_SUB: &str = "TRUST_AUD_FOR_SUB"; // [D21]
pub const TRUST_AUD_MISMATCH: &str = "TRUST_AUD_MISMATCH"; // [C15]
pub const TRUST_ISSUERS_ANDED: &str = "TRUST_ISSUERS_ANDED"; // [D23]
pub const TRUST_WRONG_ACTION: &str = "TRUST_WRONG_ACTION"; // [D25]
pub const TRUST_EXPLICIT_DENY: &str = "TRUST_EXPLICIT_DENY";
pub const TRUST_CONDITION_FAILED: &str = "TRUST_CONDITION_FAILED";
pub const TRUST_NO_SUB_CONDITION: &str = "TRUST_NO_SUB_CONDITION"; // warning [D25]
pub const TRUST_WIDE_WILDCARD: &str = "TRUST_WIDE_WILDCARD"; // warning [D25]
pub const TRUST_NO_AUD_CONDITION: &str = "TRUST_NO_AUD_CONDITION"; // info [D25]
pub const TRUST_SIZE_NEAR_LIMIT: &str = "TRUST_SIZE_NEAR_LIMIT"; // warning [D26]
pub const TRUST_PRINCIPAL_WILDCARD: &str = "TRUST_PRINCIPAL_WILDCARD"; // warning
pub const TRUST_PRINCIPAL_PARTIAL_WILDCARD: &str = "TRUST_PRINCIPAL_PARTIAL_WILDCARD"; // `*` inside a principal ARN matches nothing [D22, D23]
pub const TRUST_MISSING_POD_IDENTITY_SERVICE: &str = "TRUST_MISSING_POD_IDENTITY_SERVICE"; // [F32]
pub const TRUST_MISSING_TAG_SESSION: &str = "TRUST_MISSING_TAG_SESSION"; // [F32, E28]
pub const TRUST_POD_IDENTITY_UNSCOPED: &str = "TRUST_POD_IDENTITY_UNSCOPED"; // info [3.1 d]
pub const TARGET_ROLE_TRUST: &str = "TARGET_ROLE_TRUST"; // [F36, E28]

// permissions
pub const NO_POLICIES: &str = "NO_POLICIES"; // [E27]
pub const PERMISSION_DENIED: &str = "PERMISSION_DENIED"; // [E27] implicit deny
pub const PERMISSION_EXPLICIT_DENY: &str = "PERMISSION_EXPLICIT_DENY"; // [E27]
pub const PERMISSION_BOUNDARY_DENY: &str = "PERMISSION_BOUNDARY_DENY"; // [E27]
pub const PERMISSION_SESSION_POLICY_DENY: &str = "PERMISSION_SESSION_POLICY_DENY"; // [E29]
pub const PERMISSION_ALLOWED: &str = "PERMISSION_ALLOWED"; // info
pub const POLICY_INVALID: &str = "POLICY_INVALID";
pub const POLICY_NOT_COLLECTED: &str = "POLICY_NOT_COLLECTED"; // unknown
pub const ADMIN_ACCESS: &str = "ADMIN_ACCESS"; // warning
pub const ABAC_TAGS_DISABLED: &str = "ABAC_TAGS_DISABLED"; // warning [E29]

// doctor --prove (live): what STS and IAM really answered
pub const PROVE_OK: &str = "PROVE_OK"; // info: STS issued credentials
pub const PROVE_FAILED: &str = "PROVE_FAILED"; // STS refused; on the link its error points at
pub const PROVE_NOT_RUN: &str = "PROVE_NOT_RUN"; // unknown: no TokenRequest permission, STS unreachable
pub const PROVE_DIFFERS: &str = "PROVE_DIFFERS"; // warning: STS and the local evaluation disagree
pub const SIMULATION_AGREES: &str = "SIMULATION_AGREES"; // info
pub const SIMULATION_DIFFERS: &str = "SIMULATION_DIFFERS"; // warning: SimulatePrincipalPolicy vs local
