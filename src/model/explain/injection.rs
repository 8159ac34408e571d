//! Explanations for the `injection` link's webhook half: whether the pod identity webhook
//! mutated the pods (environment variables, token volume) for the mechanism configured.

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::INJECTION_MISSING,
        link: "injection",
        summary: "the pods carry no injected credentials variables",
        meaning: "The service account is set up (role-arn annotation, or an association), but the pods have no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE (IRSA) or AWS_CONTAINER_CREDENTIALS_FULL_URI (Pod Identity). The webhook mutates a pod only when it is created, so the usual cause is a pod created before the annotation or association existed. Others: the pod was created in the same instant as its service account (the webhook's cache had not seen it yet), the association was not served yet, or the webhook was unavailable (its failurePolicy is Ignore, so pods are created unmutated without any error).",
        detection: "Each pod's containers are read for the variables the mechanism injects. The pod's creation time is compared with the service account's, with the time the annotation was written (managedFields) and with the association's creation.",
        symptoms: &[
            "Unable to locate credentials",
            "NoCredentialProviders: no valid providers in chain",
            "User: arn:aws:sts::111122223333:assumed-role/NODE_ROLE/i-0123456789abcdef0 is not authorized to perform: ACTION",
            "no EC2 IMDS role found, operation error ec2imds: GetMetadata, canceled, context deadline exceeded",
        ],
        fix: &[
            "Recreate the pods; the webhook mutates the new ones:",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
            "$ kubectl get pod POD -n NAMESPACE -o jsonpath='{.spec.containers[*].env[*].name}'",
        ],
        docs: &[docs::IRSA_POD_CONFIG, docs::POD_ID_HOW_IT_WORKS],
    },
    Explanation {
        code: codes::INJECTION_STALE,
        link: "injection",
        summary: "the pods carry what the webhook injected for an older configuration",
        meaning: "The pods were mutated, but for the service account as it was when they were created: AWS_ROLE_ARN names a role the annotation no longer names, the projected token's audience differs from the audience annotation, or the pods carry Pod Identity variables although the association was deleted (the agent then refuses them). Changing the annotation or association never updates running pods.",
        detection: "AWS_ROLE_ARN (from the webhook) differs from the annotation, or the token volume's audience differs from the service account's audience, or Pod Identity variables are present while no association exists.",
        symptoms: &[
            "AccessDenied for actions the new role allows (the pod still assumes the old role)",
            "InvalidIdentityToken: Incorrect token audience",
        ],
        fix: &[
            "Recreate the pods:",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
        ],
        docs: &[docs::IRSA_POD_CONFIG, docs::IRSA_STS_ENDPOINT],
    },
    Explanation {
        code: codes::ENV_HARDCODED,
        link: "injection",
        summary: "the manifest sets the web identity variables itself",
        meaning: "The pod template writes AWS_ROLE_ARN (and AWS_WEB_IDENTITY_TOKEN_FILE) by hand. The webhook does not override a variable that exists, so the hand-written role wins over the annotation, and it may add the token volume without the mount the variable expects. With Pod Identity it is worse: SDKs try web identity before container credentials, so the association is never used.",
        detection: "A container's env has a literal AWS_ROLE_ARN that differs from the annotation, or carries the web identity variables next to the Pod Identity ones.",
        symptoms: &[
            "AccessDenied for the role the manifest names instead of the annotated one",
            "open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: no such file or directory",
        ],
        fix: &[
            "Remove AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE from the pod template and let the webhook inject them, then recreate the pods:",
            "$ kubectl set env deployment/NAME -n NAMESPACE AWS_ROLE_ARN- AWS_WEB_IDENTITY_TOKEN_FILE-",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::TOKEN_VOLUME_MISSING,
        link: "injection",
        summary: "AWS_WEB_IDENTITY_TOKEN_FILE points at a path where no token volume is mounted",
        meaning: "The container says the web identity token is at a path (usually `/var/run/secrets/eks.amazonaws.com/serviceaccount/token`) but no projected service account token volume is mounted there. This happens when the variables were written by hand: the webhook skips its injection and the mount is missing. The SDK fails to read the token file.",
        detection: "AWS_WEB_IDENTITY_TOKEN_FILE is set in a container and none of its volumeMounts covers that path.",
        symptoms: &[
            "WebIdentityErr: unable to read file at /var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            "open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: no such file or directory",
        ],
        fix: &[
            "Remove the hand-written AWS variables so the webhook injects variables, volume and mount together, then recreate the pods:",
            "$ kubectl set env deployment/NAME -n NAMESPACE AWS_ROLE_ARN- AWS_WEB_IDENTITY_TOKEN_FILE-",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::SKIP_LABEL,
        link: "injection",
        summary: "the pod opts out of the webhook with the skip label",
        meaning: "The label `eks.amazonaws.com/skip-pod-identity-webhook` on the pod keeps the API server from calling the webhook at all: the webhook's objectSelector only tests that the label exists, so any value, `false` included, opts out. The pod gets no credentials from IRSA or Pod Identity.",
        detection: "The pod (or template) has the label `eks.amazonaws.com/skip-pod-identity-webhook`.",
        symptoms: &["Unable to locate credentials"],
        fix: &[
            "Remove the label from the pod template (not only from the pods), then recreate the pods:",
            "$ kubectl get deployment NAME -n NAMESPACE -o jsonpath='{.spec.template.metadata.labels}'",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::SKIP_CONTAINER,
        link: "injection",
        summary: "the pod's skip-containers annotation leaves containers without credentials",
        meaning: "The annotation `eks.amazonaws.com/skip-containers` lists containers the webhook must leave alone (a comma-separated list of names). Those containers get no variables and no token mount. When every container that uses AWS is listed, the workload has no credentials.",
        detection: "The pod's `eks.amazonaws.com/skip-containers` annotation names one or more of its containers.",
        symptoms: &["Unable to locate credentials (in the skipped container only)"],
        fix: &[
            "Remove the containers that call AWS from the annotation in the pod template, then recreate the pods.",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::WEBHOOK_MISSING,
        link: "injection",
        summary: "the pod identity webhook configuration does not exist",
        meaning: "The MutatingWebhookConfiguration `pod-identity-webhook` (webhook `iam-for-pods.amazonaws.com`) injects the variables for both IRSA and Pod Identity. Without it nothing mutates new pods. On EKS the control plane owns it (it calls `https://127.0.0.1:23443/mutate`); it may have been deleted by hand or lost on a self-managed cluster.",
        detection: "The cluster's MutatingWebhookConfigurations were read and none is `pod-identity-webhook` or has the webhook `iam-for-pods.amazonaws.com`.",
        symptoms: &[
            "Error from server (NotFound): mutatingwebhookconfigurations.admissionregistration.k8s.io \"pod-identity-webhook\" not found",
        ],
        fix: &[
            "On EKS open a support case (the control plane restores it); on self-managed clusters redeploy amazon-eks-pod-identity-webhook. Then recreate the pods:",
            "$ kubectl get mutatingwebhookconfiguration pod-identity-webhook -o yaml",
        ],
        docs: &[docs::IRSA_HOW_IT_WORKS],
    },
    Explanation {
        code: codes::HOST_NETWORK_POD_IDENTITY,
        link: "injection",
        summary: "a hostNetwork pod uses Pod Identity",
        meaning: "Pods with `hostNetwork: true` have been reported to fail to get Pod Identity credentials while the same pod without hostNetwork works. Such pods also reach the instance metadata service directly, so an SDK that misses the container credentials silently uses the node's role.",
        detection: "A pod of a Pod Identity workload sets `spec.hostNetwork: true`.",
        symptoms: &[
            "failed to refresh cached credentials ... Unauthorized Exception! EKS does not have permissions to assume the associated role., fault: client",
        ],
        fix: &["Drop hostNetwork if the workload does not need it, or keep this workload on IRSA."],
        docs: &[docs::POD_IDENTITY],
    },
    Explanation {
        code: codes::WINDOWS_NODE_SELECTOR,
        link: "injection",
        summary: "an IRSA pod runs on Windows without a Windows nodeSelector",
        meaning: "The webhook decides between Linux and Windows token paths from the pod's `nodeSelector: kubernetes.io/os: windows`. A pod scheduled on a Windows node without that selector gets Linux paths, and the SDK cannot find the token.",
        detection: "The pod runs on a node labelled `kubernetes.io/os=windows` and its nodeSelector does not set `kubernetes.io/os: windows`.",
        symptoms: &[
            "WebIdentityErr: unable to read file at /var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        ],
        fix: &[
            "Add the selector to the pod template and recreate the pods:",
            "$ kubectl patch deployment NAME -n NAMESPACE -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes.io/os\":\"windows\"}}}}}'",
        ],
        docs: &[docs::WINDOWS, docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::STS_LEGACY_ENDPOINT_ENV,
        link: "injection",
        summary: "a container sets AWS_STS_REGIONAL_ENDPOINTS=legacy",
        meaning: "`AWS_STS_REGIONAL_ENDPOINTS=legacy` makes older SDKs call the global STS endpoint. In opt-in regions and in China the global endpoint does not accept the cluster's tokens; elsewhere it only adds latency and a dependency on us-east-1.",
        detection: "A container's env has a literal `AWS_STS_REGIONAL_ENDPOINTS` equal to `legacy`.",
        symptoms: &[
            "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.REGION.amazonaws.com/id/...",
            "InvalidToken: The provided token is malformed or otherwise invalid",
        ],
        fix: &[
            "Remove the variable (the webhook sets `regional`) or set it to `regional`, with AWS_REGION set:",
            "$ kubectl set env deployment/NAME -n NAMESPACE AWS_STS_REGIONAL_ENDPOINTS=regional",
        ],
        docs: &[docs::IRSA_STS_ENDPOINT, docs::STS_REGIONS],
    },
    Explanation {
        code: codes::STILL_ON_IRSA,
        link: "injection",
        summary: "pods still run on IRSA after the move to Pod Identity",
        meaning: "An association now exists for the service account, but these pods were created before it and still carry the IRSA variables, so they keep using the IRSA role (and keep depending on the OIDC provider and the IRSA trust statement) until they are recreated. New pods get Pod Identity.",
        detection: "The workload uses Pod Identity and a pod carries AWS_ROLE_ARN without AWS_CONTAINER_CREDENTIALS_FULL_URI.",
        symptoms: &[],
        fix: &[
            "Recreate the pods before removing the IRSA trust statement or annotation:",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
        ],
        docs: &[docs::POD_ID_HOW_IT_WORKS],
    },
    Explanation {
        code: codes::INJECTION_NOT_JUDGED,
        link: "injection",
        summary: "whether the pods were injected could not be judged",
        meaning: "The pods could not be read, or the pods run on Pod Identity while the service account is set up for IRSA and the associations were not collected, so whether an association still exists is unknown. The injection link stays unknown.",
        detection: "Pods missing from the facts, or associations not collected while a pod carries Pod Identity variables.",
        symptoms: &[],
        fix: &[
            "Collect what is missing:",
            "$ kubectl get pods -n NAMESPACE -o yaml",
            "$ aws eks list-pod-identity-associations --cluster-name CLUSTER",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
];
