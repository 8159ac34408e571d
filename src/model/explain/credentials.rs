//! Explanations for the `injection` link's in-container half: what the SDK credential chain
//! does with the injected variables (static keys and profiles first, a token file it may not
//! be able to read).

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::STATIC_KEYS,
        link: "injection",
        summary: "static access keys in the container win over the role",
        meaning: "AWS SDKs look for credentials in a fixed order, and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment come before web identity and container credentials. A container that has them (often from a Helm chart's Secret) uses those keys, and the IRSA or Pod Identity role is never used. Every permission you grant the role then seems to have no effect.",
        detection: "A container that uses AWS sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN, literally or from a Secret.",
        symptoms: &[
            "User: arn:aws:iam::111122223333:user/SOME_USER is not authorized to perform: ACTION",
            "aws sts get-caller-identity in the pod prints an IAM user, not the role",
        ],
        fix: &[
            "Remove the keys from the container (and the chart values or Secret that sets them), then recreate the pods:",
            "$ kubectl set env deployment/NAME -n NAMESPACE AWS_ACCESS_KEY_ID- AWS_SECRET_ACCESS_KEY-",
            "$ kubectl exec -n NAMESPACE POD -- aws sts get-caller-identity",
        ],
        docs: &[docs::SDK_CREDENTIAL_CHAIN, docs::IRSA_MINIMUM_SDK],
    },
    Explanation {
        code: codes::AWS_PROFILE_SET,
        link: "injection",
        summary: "AWS_PROFILE or a credentials file is set in the container",
        meaning: "AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_SHARED_CREDENTIALS_FILE or AWS_CONFIG_FILE point the SDK at a profile. A profile with keys (or a `credential_process`) is used before web identity or container credentials, so the role may never be used. A profile that itself uses `web_identity_token_file` is fine.",
        detection: "A container that uses AWS sets AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_SHARED_CREDENTIALS_FILE or AWS_CONFIG_FILE.",
        symptoms: &["aws sts get-caller-identity in the pod prints another identity than the role"],
        fix: &[
            "Check which identity the container really has; remove the variable if the profile is not meant to be used:",
            "$ kubectl exec -n NAMESPACE POD -- aws sts get-caller-identity",
        ],
        docs: &[docs::SDK_CREDENTIAL_CHAIN],
    },
    Explanation {
        code: codes::ENV_FROM_SECRET,
        link: "injection",
        summary: "a container loads every key of a Secret as variables",
        meaning: "`envFrom` with a secretRef turns every key of the Secret into a variable. If the Secret holds AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, those static keys win over the role (see STATIC_KEYS). The Secret's keys are not read, so this is only a hint to check.",
        detection: "A container that uses AWS has `envFrom` with a Secret.",
        symptoms: &[],
        fix: &[
            "List the Secret's keys (not its values):",
            "$ kubectl get secret SECRET -n NAMESPACE -o jsonpath='{.data}' | jq 'keys'",
        ],
        docs: &[docs::SDK_CREDENTIAL_CHAIN],
    },
    Explanation {
        code: codes::TOKEN_UNREADABLE,
        link: "injection",
        summary: "a non-root container may not be able to read the token file",
        meaning: "The projected token file is mode 0600. It is readable by root, by the pod's fsGroup, and (Kubernetes 1.19 and later) by the runAsUser when all containers share one. A container running as another user without an fsGroup gets `permission denied` reading it, and the SDK falls back to other credentials or fails.",
        detection: "A container runs as a non-root user (runAsUser other than 0, or runAsNonRoot) and the pod sets no fsGroup, and the containers do not share one runAsUser (error), or do (warning: readable, but only thanks to that).",
        symptoms: &[
            "open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: permission denied",
        ],
        fix: &[
            "Set an fsGroup on the pod so the token is group-readable, then recreate the pods:",
            "$ kubectl patch deployment NAME -n NAMESPACE -p '{\"spec\":{\"template\":{\"spec\":{\"securityContext\":{\"fsGroup\":65534}}}}}'",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
];
