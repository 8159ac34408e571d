//! Explanations for the Pod Identity `agent` link: the eks-pod-identity-agent runs and is Ready
//! on each pod's node, and the node is a platform Pod Identity supports.

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::AGENT_AUTO_MODE,
        link: "agent",
        summary: "EKS Auto Mode: the Pod Identity agent is built into the nodes",
        meaning: "On EKS Auto Mode clusters (and Auto Mode nodes) the Pod Identity agent is part of the node; no add-on or DaemonSet is needed and none is looked for.",
        detection: "DescribeCluster reports Auto Mode compute, or the pod's node is labelled `eks.amazonaws.com/compute-type=auto`.",
        symptoms: &[],
        fix: &["Nothing to fix."],
        docs: &[docs::AUTO_MODE, docs::POD_ID_AGENT],
    },
    Explanation {
        code: codes::AGENT_MISSING,
        link: "agent",
        summary: "the eks-pod-identity-agent is not installed",
        meaning: "Pod Identity credentials are served by the eks-pod-identity-agent DaemonSet on each node, at 169.254.170.23 (and fd00:ec2::23). Without it, the SDK's request for container credentials goes nowhere: it hangs and times out. Some clients hang without any error.",
        detection: "No `eks-pod-identity-agent` add-on (DescribeAddon / ListAddons) and no DaemonSet or agent pods in kube-system, on a cluster that is not in Auto Mode.",
        symptoms: &[
            "Get \"http://169.254.170.23/v1/credentials\": context deadline exceeded",
            "Connect timeout on endpoint URL: \"http://169.254.170.23/v1/credentials\"",
        ],
        fix: &[
            "Install the add-on (the node role needs eks-auth:AssumeRoleForPodIdentity, which AmazonEKSWorkerNodePolicy grants):",
            "$ aws eks create-addon --cluster-name CLUSTER --addon-name eks-pod-identity-agent",
        ],
        docs: &[docs::POD_ID_AGENT],
    },
    Explanation {
        code: codes::AGENT_NOT_ON_NODE,
        link: "agent",
        summary: "the agent has no pod on the node where the workload runs",
        meaning: "The agent is installed, but its DaemonSet has no pod on this node, usually because the node has a taint the agent does not tolerate, or a label its nodeSelector or affinity excludes. Pods on that node cannot get credentials.",
        detection: "The pod's node (`spec.nodeName`) has no `eks-pod-identity-agent` pod among the kube-system pods.",
        symptoms: &["Get \"http://169.254.170.23/v1/credentials\": context deadline exceeded"],
        fix: &[
            "Compare the agent DaemonSet's tolerations and node selection with the node's taints and labels:",
            "$ kubectl get daemonset eks-pod-identity-agent -n kube-system -o yaml",
            "$ kubectl describe node NODE",
        ],
        docs: &[docs::POD_ID_AGENT],
    },
    Explanation {
        code: codes::AGENT_NOT_READY,
        link: "agent",
        summary: "the agent pod on the workload's node is not Ready",
        meaning: "The agent pod on the node is crash-looping or failing its probes, so credential requests on that node fail. A common case: on a new node (Karpenter, a scale-up) the workload pod started before the agent was Ready, and its SDK gave up. Other causes: IPv6 disabled on the node (the agent cannot bind fd00:ec2::23), or the node role lacking eks-auth:AssumeRoleForPodIdentity.",
        detection: "The agent pod on the pod's node does not have the Ready condition True.",
        symptoms: &[
            "Get \"http://169.254.170.23/v1/credentials\": context deadline exceeded",
            "Failed probe: unexpected status code recieved, expected 404, got 503",
        ],
        fix: &[
            "Read the agent's events and logs; once it is Ready, restart pods that started before it:",
            "$ kubectl describe pod -n kube-system AGENT_POD",
            "$ kubectl logs -n kube-system AGENT_POD",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
        ],
        docs: &[docs::POD_ID_AGENT],
    },
    Explanation {
        code: codes::AGENT_ADDON_DEGRADED,
        link: "agent",
        summary: "the eks-pod-identity-agent add-on is degraded",
        meaning: "EKS reports the add-on as not ACTIVE or with health issues (for example DEGRADED with InsufficientNumberOfReplicas). Credentials may be served on some nodes and not on others, so failures look intermittent.",
        detection: "DescribeAddon for eks-pod-identity-agent returns a status other than ACTIVE, or health issues.",
        symptoms: &["failures that come and go between pods or nodes"],
        fix: &[
            "Look at the add-on's health and the agent pods:",
            "$ aws eks describe-addon --cluster-name CLUSTER --addon-name eks-pod-identity-agent",
            "$ kubectl get daemonset eks-pod-identity-agent -n kube-system -o wide",
        ],
        docs: &[docs::POD_ID_AGENT, docs::ADD_ONS],
    },
    Explanation {
        code: codes::UNSUPPORTED_FARGATE,
        link: "agent",
        summary: "the pod runs on Fargate, where Pod Identity is not supported",
        meaning: "EKS Pod Identity works on Linux EC2 nodes; Fargate has no agent. A workload on Fargate must use IRSA, which works there.",
        detection: "The pod's node is labelled `eks.amazonaws.com/compute-type=fargate` (or is named `fargate-...`).",
        symptoms: &["Get \"http://169.254.170.23/v1/credentials\": context deadline exceeded"],
        fix: &[
            "Use IRSA for this workload (annotate its service account with a role trusting the cluster's OIDC provider), or schedule it on EC2 nodes.",
            "$ kubectl annotate serviceaccount SERVICE_ACCOUNT -n NAMESPACE eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/ROLE_NAME",
        ],
        docs: &[docs::POD_IDENTITY, docs::FARGATE],
    },
    Explanation {
        code: codes::UNSUPPORTED_WINDOWS,
        link: "agent",
        summary: "the pod runs on a Windows node, where Pod Identity is not supported",
        meaning: "EKS Pod Identity is not available on Windows nodes. A Windows workload must use IRSA.",
        detection: "The pod's node is labelled `kubernetes.io/os=windows`.",
        symptoms: &[],
        fix: &[
            "Use IRSA for this workload, with `nodeSelector: kubernetes.io/os: windows` on the pod so the webhook injects Windows paths.",
        ],
        docs: &[docs::POD_IDENTITY, docs::WINDOWS],
    },
    Explanation {
        code: codes::AGENT_NOT_COLLECTED,
        link: "agent",
        summary: "whether the agent runs could not be checked",
        meaning: "Neither the add-on nor the kube-system pods and DaemonSets were read, so whether the agent runs on the pod's node is unknown.",
        detection: "DescribeAddon and the kube-system lists are missing from the facts or were refused.",
        symptoms: &[],
        fix: &[
            "Collect them:",
            "$ aws eks describe-addon --cluster-name CLUSTER --addon-name eks-pod-identity-agent",
            "$ kubectl get pods -n kube-system -o yaml",
        ],
        docs: &[docs::POD_ID_AGENT],
    },
];
