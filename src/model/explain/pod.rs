//! Explanations for the `pod` and `service-account` links: which pods the workload has and the
//! service account they run as.

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::NO_PODS,
        link: "pod",
        summary: "the workload has no pods; pod checks use its pod template",
        meaning: "The workload exists (a Deployment scaled to zero, a CronJob between runs, a Job that finished) but no pod of it is running. Nothing is wrong with that; it only means the checks that look at real pods (injected variables, node, agent) judge the pod template instead, which is what the next pod will be created from.",
        detection: "The pod list of the namespace was read and no pod belongs to the workload (followed through ReplicaSets, Jobs and their owner references).",
        symptoms: &[],
        fix: &[
            "Nothing to fix. To check a real pod, start one and run doctor again:",
            "$ kubectl scale deployment NAME -n NAMESPACE --replicas=1",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::PODS_NOT_COLLECTED,
        link: "pod",
        summary: "the namespace's pods could not be read, so pod checks are unknown",
        meaning: "Whether the workload has pods, and what the webhook injected into them, is unknown: the pod list was not collected (an offline bundle without it) or reading it was refused. A template is not a pod, so the pod and injection links stay unknown instead of green.",
        detection: "The pod list of the namespace is missing from the facts, or the Kubernetes API answered Forbidden to `list pods`.",
        symptoms: &[
            "pods is forbidden: User \"...\" cannot list resource \"pods\" in API group \"\" in the namespace \"NAMESPACE\"",
        ],
        fix: &[
            "Give the identity running kubectl irsa `get` and `list` on pods in the namespace, or add the pods to the offline bundle:",
            "$ kubectl get pods -n NAMESPACE -o yaml",
            "$ kubectl auth can-i list pods -n NAMESPACE",
        ],
        docs: &[docs::IRSA_POD_CONFIG],
    },
    Explanation {
        code: codes::POD_USES_DEFAULT_SA,
        link: "pod",
        summary: "pods run as `default` while a configured service account looks meant for them",
        meaning: "The pod template sets no `serviceAccountName` (or sets `default`), so the pods run as the namespace's `default` service account, which has no AWS identity. Another service account in the same namespace does have one (an IRSA annotation or a Pod Identity association) and is named like the workload: most likely the pods were meant to run as it. The SDK then finds no web identity or container credentials and falls back to the node's instance role, or finds no credentials at all.",
        detection: "The pods' service account is `default`, `default` has no role-arn annotation and no association, and a service account of the namespace that has one is named exactly like the workload or close to it.",
        symptoms: &[
            "User: arn:aws:sts::111122223333:assumed-role/NODE_ROLE/i-0123456789abcdef0 is not authorized to perform: ACTION",
            "NoCredentialProviders: no valid providers in chain",
            "Unable to locate credentials",
        ],
        fix: &[
            "Set the service account in the pod template; the rollout recreates the pods with it:",
            "$ kubectl patch deployment NAME -n NAMESPACE -p '{\"spec\":{\"template\":{\"spec\":{\"serviceAccountName\":\"SERVICE_ACCOUNT\"}}}}'",
            "With Helm charts this is usually the `serviceAccount.name` value (mind the release-name prefix charts add).",
        ],
        docs: &[docs::IRSA_POD_CONFIG, docs::POD_ID_ASSOCIATION],
    },
    Explanation {
        code: codes::SA_NOT_FOUND,
        link: "service-account",
        summary: "the service account the pods name does not exist",
        meaning: "The pod template names a ServiceAccount that does not exist in the namespace. The API server refuses to create pods that name a missing service account, so the workload's ReplicaSet (or Job) cannot create pods at all; pods that already run keep running. Often it is a typo, a Helm release prefix, or a service account created in another namespace.",
        detection: "`spec.serviceAccountName` of the pods (or template) names no ServiceAccount in the namespace. Names close to it, among the namespace's service accounts and Pod Identity associations, are suggested.",
        symptoms: &[
            "Error creating: pods \"NAME-\" is forbidden: error looking up service account NAMESPACE/SERVICE_ACCOUNT: serviceaccount \"SERVICE_ACCOUNT\" not found",
        ],
        fix: &[
            "Create the service account (and annotate it, or create its association), or point the pod template at the one that exists:",
            "$ kubectl create serviceaccount SERVICE_ACCOUNT -n NAMESPACE",
            "$ kubectl describe replicaset -n NAMESPACE -l app=NAME",
        ],
        docs: &[docs::SERVICE_ACCOUNTS, docs::IRSA_ASSIGN_ROLE],
    },
    Explanation {
        code: codes::SA_NOT_COLLECTED,
        link: "service-account",
        summary: "the service accounts could not be read",
        meaning: "The service account the pods run as could not be read: it was not in the offline bundle, or `get serviceaccounts` was refused. Everything that follows from it (the role-arn annotation, the audience, the regional STS setting) is unknown.",
        detection: "The service account list of the namespace is missing from the facts, or the Kubernetes API answered Forbidden.",
        symptoms: &[
            "serviceaccounts is forbidden: User \"...\" cannot list resource \"serviceaccounts\" in API group \"\" in the namespace \"NAMESPACE\"",
        ],
        fix: &[
            "Allow reading service accounts, or add them to the bundle:",
            "$ kubectl get serviceaccounts -n NAMESPACE -o yaml",
        ],
        docs: &[docs::SERVICE_ACCOUNTS],
    },
];
