"""Builders for scenario bundles: Kubernetes objects as `kubectl get -o yaml|json` prints them and
AWS CLI outputs as `aws ... --output json` prints them. Used by make_scenarios.py; the bundle
files it writes are the fixtures, this module only saves typing.

Conventions kept from the real tools:
- kubectl YAML/JSON: keys sorted, lists not indented, timestamps double-quoted, `kind: List`
  with `metadata.resourceVersion: ""` for several objects.
- AWS CLI JSON: 4-space indentation, keys in response order; IAM policy documents are objects
  in `get-account-authorization-details`; `get-role` documents may be URL-encoded strings (as
  the IAM API and the SDKs return them).
"""

import hashlib
import json
import os
import shutil
import urllib.parse

import yaml


class _KubeDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def _str_representer(dumper, value):
    # kubectl (sigs.k8s.io/yaml) double-quotes strings YAML would read as something else.
    implicit = dumper.resolve(yaml.ScalarNode, value, (True, False))
    if implicit != "tag:yaml.org,2002:str" or value == "":
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_KubeDumper.add_representer(str, _str_representer)


def kube_yaml(obj):
    return yaml.dump(obj, Dumper=_KubeDumper, sort_keys=True, default_flow_style=False, width=4096)


def kube_json(obj):
    return json.dumps(obj, indent=4, sort_keys=True) + "\n"


def aws_json(obj):
    return json.dumps(obj, indent=4) + "\n"


def uid(*parts):
    h = hashlib.sha1("/".join(parts).encode()).hexdigest()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def short_hash(*parts, n=10):
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    h = int(hashlib.sha1("/".join(parts).encode()).hexdigest(), 16)
    out = ""
    for _ in range(n):
        out += alphabet[h % len(alphabet)]
        h //= len(alphabet)
    return out


def kube_list(items):
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# ---------------------------------------------------------------- cluster identity


class Cluster:
    def __init__(self, name="prod-eu", account="444455556666", region="eu-west-1",
                 issuer_id="B71E5C2A9D4F8E3610C7A2D94E5F1B38", partition="aws"):
        self.name = name
        self.account = account
        self.region = region
        self.issuer_id = issuer_id
        self.partition = partition

    @property
    def dns_suffix(self):
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    @property
    def issuer_host(self):
        return f"oidc.eks.{self.region}.{self.dns_suffix}/id/{self.issuer_id}"

    @property
    def arn(self):
        return f"arn:{self.partition}:eks:{self.region}:{self.account}:cluster/{self.name}"

    def provider_arn(self, account=None):
        return f"arn:{self.partition}:iam::{account or self.account}:oidc-provider/{self.issuer_host}"

    def role_arn(self, name, account=None, path="/"):
        return f"arn:{self.partition}:iam::{account or self.account}:role{path}{name}"

    def policy_arn(self, name, account=None):
        return f"arn:{self.partition}:iam::{account or self.account}:policy/{name}"


def describe_cluster(c, auto_mode=False, created="2026-09-01T08:00:00.000000+00:00"):
    cluster = {
        "name": c.name,
        "arn": c.arn,
        "createdAt": created,
        "version": "1.31",
        "endpoint": f"https://{c.issuer_id}.gr7.{c.region}.eks.{c.dns_suffix}",
        "roleArn": c.role_arn(f"{c.name}-cluster-role"),
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        "identity": {"oidc": {"issuer": f"https://{c.issuer_host}"}},
        "status": "ACTIVE",
        "platformVersion": "eks.12",
        "tags": {},
    }
    if auto_mode:
        cluster["computeConfig"] = {"enabled": True, "nodePools": ["general-purpose", "system"],
                                    "nodeRoleArn": c.role_arn("AmazonEKSAutoNodeRole")}
        cluster["storageConfig"] = {"blockStorage": {"enabled": True}}
        cluster["kubernetesNetworkConfig"]["elasticLoadBalancing"] = {"enabled": True}
    return {"cluster": cluster}


# ---------------------------------------------------------------- Kubernetes objects


def meta(name, namespace=None, created="2026-10-01T09:00:00Z", labels=None, annotations=None,
         owner=None, managed_fields=None, generate_name=None):
    m = {
        "creationTimestamp": created,
        "name": name,
        "resourceVersion": str(int(hashlib.sha1(name.encode()).hexdigest()[:6], 16)),
        "uid": uid(namespace or "", name),
    }
    if namespace is not None:
        m["namespace"] = namespace
    if labels:
        m["labels"] = dict(labels)
    if annotations:
        m["annotations"] = dict(annotations)
    if owner:
        m["ownerReferences"] = [owner]
    if managed_fields:
        m["managedFields"] = managed_fields
    if generate_name:
        m["generateName"] = generate_name
    return m


def owner_ref(kind, name, namespace, api_version="apps/v1"):
    return {"apiVersion": api_version, "blockOwnerDeletion": True, "controller": True,
            "kind": kind, "name": name, "uid": uid(namespace, name)}


def node(name, region="eu-west-1", zone="a", os_="linux", compute_type=None, ready=True,
         nodegroup="default", instance_type="m6i.large", labels=None):
    l = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": os_,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": os_,
        "topology.kubernetes.io/region": region,
        "topology.kubernetes.io/zone": f"{region}{zone}",
    }
    spec = {"providerID": f"aws:///{region}{zone}/i-0{hashlib.sha1(name.encode()).hexdigest()[:16]}"}
    if compute_type == "fargate":
        l["eks.amazonaws.com/compute-type"] = "fargate"
        l["eks.amazonaws.com/fargate-profile"] = "fp-default"
        spec = {"providerID": f"aws:///{region}{zone}/{hashlib.sha1(name.encode()).hexdigest()[:10]}/{name}",
                "taints": [{"effect": "NoSchedule", "key": "eks.amazonaws.com/compute-type", "value": "fargate"}]}
    elif compute_type == "auto":
        l["eks.amazonaws.com/compute-type"] = "auto"
        l["karpenter.sh/nodepool"] = "general-purpose"
        l["node.kubernetes.io/instance-type"] = instance_type
    else:
        l["eks.amazonaws.com/nodegroup"] = nodegroup
        l["eks.amazonaws.com/capacityType"] = "ON_DEMAND"
        l["node.kubernetes.io/instance-type"] = instance_type
    if os_ == "windows":
        l["node.kubernetes.io/windows-build"] = "10.0.20348"
    if labels:
        l.update(labels)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(name, labels=l, created="2026-09-01T08:20:00Z"),
        "spec": spec,
        "status": {
            "conditions": [
                {"lastHeartbeatTime": "2026-11-05T12:00:00Z", "lastTransitionTime": "2026-09-01T08:21:00Z",
                 "message": "kubelet is posting ready status" if ready else "Kubelet stopped posting node status.",
                 "reason": "KubeletReady" if ready else "NodeStatusUnknown",
                 "status": "True" if ready else "Unknown", "type": "Ready"},
            ],
            "nodeInfo": {"architecture": "amd64", "kubeletVersion": "v1.31.2-eks-7f9249a", "operatingSystem": os_},
        },
    }


def service_account(name, namespace, annotations=None, created="2026-10-01T09:00:00Z", labels=None,
                    managed_fields=None):
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta(name, namespace, created=created, annotations=annotations, labels=labels,
                         managed_fields=managed_fields),
    }


def managed_field(manager, operation, time, annotations=(), labels=()):
    fields = {"f:metadata": {}}
    if annotations:
        fields["f:metadata"]["f:annotations"] = {".": {}, **{f"f:{k}": {} for k in annotations}}
    if labels:
        fields["f:metadata"]["f:labels"] = {".": {}, **{f"f:{k}": {} for k in labels}}
    return {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": fields, "manager": manager,
            "operation": operation, "time": time}


def container(name, image, env=None, env_from=None, security_context=None, ports=None, mounts=None):
    c = {"image": image, "imagePullPolicy": "IfNotPresent", "name": name}
    if env:
        c["env"] = list(env)
    if env_from:
        c["envFrom"] = list(env_from)
    if security_context:
        c["securityContext"] = dict(security_context)
    if ports:
        c["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in ports]
    if mounts:
        c["volumeMounts"] = list(mounts)
    return c


def env(name, value):
    return {"name": name, "value": value}


def env_secret(name, secret, key):
    return {"name": name, "valueFrom": {"secretKeyRef": {"key": key, "name": secret}}}


IRSA_TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount"
PI_TOKEN_DIR = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"


def irsa_env(role_arn, region):
    return [env("AWS_STS_REGIONAL_ENDPOINTS", "regional"), env("AWS_DEFAULT_REGION", region),
            env("AWS_REGION", region), env("AWS_ROLE_ARN", role_arn),
            env("AWS_WEB_IDENTITY_TOKEN_FILE", f"{IRSA_TOKEN_DIR}/token")]


def pod_identity_env(region):
    return [env("AWS_STS_REGIONAL_ENDPOINTS", "regional"), env("AWS_DEFAULT_REGION", region),
            env("AWS_REGION", region),
            env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"),
            env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", f"{PI_TOKEN_DIR}/eks-pod-identity-token")]


def irsa_volume(audience="sts.amazonaws.com"):
    return {"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"audience": audience, "expirationSeconds": 86400, "path": "token"}}]}}


def irsa_mount():
    return {"mountPath": IRSA_TOKEN_DIR, "name": "aws-iam-token", "readOnly": True}


def pi_volume():
    return {"name": "eks-pod-identity-token", "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"audience": "pods.eks.amazonaws.com", "expirationSeconds": 86400,
                                 "path": "eks-pod-identity-token"}}]}}


def pi_mount():
    return {"mountPath": PI_TOKEN_DIR, "name": "eks-pod-identity-token", "readOnly": True}


def api_access(pod_name):
    name = "kube-api-access-" + short_hash(pod_name, n=5)
    volume = {"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
        {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}},
    ]}}
    mount = {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": name, "readOnly": True}
    return volume, mount


def pod_template(sa, containers, labels, security_context=None, host_network=False,
                 node_selector=None, annotations=None, init_containers=None):
    spec = {"containers": containers, "restartPolicy": "Always", "securityContext": security_context or {}}
    if sa is not None:
        spec["serviceAccount"] = sa
        spec["serviceAccountName"] = sa
    if host_network:
        spec["hostNetwork"] = True
    if node_selector:
        spec["nodeSelector"] = dict(node_selector)
    if init_containers:
        spec["initContainers"] = init_containers
    tmeta = {"creationTimestamp": None, "labels": dict(labels)}
    if annotations:
        tmeta["annotations"] = dict(annotations)
    return {"metadata": tmeta, "spec": spec}


class Inject:
    """What the webhook added to a pod: IRSA (role ARN, audience) or Pod Identity, to which
    containers (default all but `skip`)."""

    def __init__(self, kind, role_arn=None, region="eu-west-1", audience="sts.amazonaws.com",
                 skip=(), env=True, volume=True):
        self.kind = kind
        self.role_arn = role_arn
        self.region = region
        self.audience = audience
        self.skip = set(skip)
        self.env = env
        self.volume = volume


def pod(name, namespace, template, node_name, created, owner=None, inject=None, ready=True,
        extra_labels=None, phase=None, api_access_volume=True):
    """A pod from a template as the API server stores it after admission (trimmed to what
    `kubectl get pod -o yaml` shows that matters: no tolerations, one Ready condition)."""
    spec = json.loads(json.dumps(template["spec"]))
    labels = dict(template["metadata"].get("labels", {}))
    if extra_labels:
        labels.update(extra_labels)
    annotations = template["metadata"].get("annotations")
    volumes = []
    vol, mount = api_access(name)
    if inject and inject.volume:
        volumes.append(irsa_volume(inject.audience) if inject.kind == "irsa" else pi_volume())
    for c in spec.get("initContainers", []) + spec["containers"]:
        injected = inject is not None and c["name"] not in inject.skip
        if injected and inject.env:
            extra = irsa_env(inject.role_arn, inject.region) if inject.kind == "irsa" else pod_identity_env(inject.region)
            have = {e["name"] for e in c.get("env", [])}
            c["env"] = c.get("env", []) + [e for e in extra if e["name"] not in have]
        mounts = c.get("volumeMounts", [])
        if injected and inject.volume:
            mounts = mounts + [irsa_mount() if inject.kind == "irsa" else pi_mount()]
        if api_access_volume:
            mounts = mounts + [mount]
        if mounts:
            c["volumeMounts"] = mounts
    if api_access_volume:
        volumes.append(vol)
    if volumes:
        spec["volumes"] = spec.get("volumes", []) + volumes
    spec["nodeName"] = node_name
    spec["serviceAccountName"] = spec.get("serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    status = {
        "conditions": [{"lastProbeTime": None, "lastTransitionTime": created, "status": "True" if ready else "False", "type": "Ready"}],
        "phase": phase or "Running",
        "podIP": "10.0.12.77" if not spec.get("hostNetwork") else "10.0.12.34",
        "startTime": created,
    }
    if not ready:
        status["conditions"][0]["reason"] = "ContainersNotReady" if phase != "Succeeded" else "PodCompleted"
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": meta(name, namespace, created=created, labels=labels, annotations=annotations, owner=owner,
                             generate_name=name.rsplit("-", 1)[0] + "-" if owner else None),
            "spec": spec, "status": status}


def deployment(name, namespace, template, created="2026-10-01T09:00:00Z", replicas=1, available=None,
               conditions=None, labels=None):
    available = replicas if available is None else available
    status = {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas}
    if available:
        status["availableReplicas"] = available
        status["readyReplicas"] = available
    else:
        status["unavailableReplicas"] = replicas
    status["conditions"] = conditions or [
        {"lastTransitionTime": created, "lastUpdateTime": created, "message": "Deployment has minimum availability.",
         "reason": "MinimumReplicasAvailable", "status": "True", "type": "Available"}]
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta(name, namespace, created=created, labels=labels or template["metadata"]["labels"],
                             annotations={"deployment.kubernetes.io/revision": "1"}),
            "spec": {"progressDeadlineSeconds": 600, "replicas": replicas, "revisionHistoryLimit": 10,
                     "selector": {"matchLabels": dict(template["metadata"]["labels"])},
                     "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                     "template": template},
            "status": status}


def replica_set(deploy_name, namespace, template, created="2026-10-01T09:00:01Z", replicas=1, ready=None,
                conditions=None):
    ready = replicas if ready is None else ready
    h = short_hash(namespace, deploy_name, "rs")
    tpl = json.loads(json.dumps(template))
    tpl["metadata"]["labels"]["pod-template-hash"] = h
    status = {"fullyLabeledReplicas": replicas, "observedGeneration": 1, "replicas": replicas if ready else 0}
    if ready:
        status["availableReplicas"] = ready
        status["readyReplicas"] = ready
    if conditions:
        status["conditions"] = conditions
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": meta(f"{deploy_name}-{h}", namespace, created=created,
                           labels=tpl["metadata"]["labels"],
                           annotations={"deployment.kubernetes.io/desired-replicas": str(replicas),
                                        "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                                        "deployment.kubernetes.io/revision": "1"},
                           owner=owner_ref("Deployment", deploy_name, namespace)),
          "spec": {"replicas": replicas, "selector": {"matchLabels": dict(tpl["metadata"]["labels"])}, "template": tpl},
          "status": status}
    return rs, h


class Workloads:
    """Collects Kubernetes objects of one bundle."""

    def __init__(self):
        self.objects = []

    def add(self, *objs):
        self.objects.extend(objs)
        return objs[0] if len(objs) == 1 else objs

    def deployment(self, name, namespace, template, node_name, pod_created="2026-10-02T10:00:00Z",
                   inject=None, replicas=1, deploy_created="2026-10-02T09:59:58Z", ready=True, pods=None):
        """Deployment + ReplicaSet + `replicas` pods (or none when pods=0)."""
        self.add(deployment(name, namespace, template, created=deploy_created, replicas=replicas,
                            available=replicas if ready else 0))
        rs, h = replica_set(name, namespace, template, created=deploy_created, replicas=replicas)
        self.add(rs)
        out = []
        count = replicas if pods is None else pods
        for i in range(count):
            pname = f"{name}-{h}-{short_hash(name, str(i), n=5)}"
            out.append(self.add(pod(pname, namespace, rs["spec"]["template"], node_name, pod_created,
                                    owner=owner_ref("ReplicaSet", rs["metadata"]["name"], namespace),
                                    inject=inject, ready=ready)))
        return out

    def bare_pod(self, name, namespace, template, node_name, created="2026-10-02T10:00:00Z", inject=None,
                 ready=True, owner=None):
        return self.add(pod(name, namespace, template, node_name, created, inject=inject, ready=ready, owner=owner))


def webhook_config():
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": meta("pod-identity-webhook", created="2026-09-01T08:05:00Z"),
        "webhooks": [{
            "admissionReviewVersions": ["v1beta1"],
            "clientConfig": {"caBundle": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lCQURBS0JnZ3Foa2pPUFFRREFqQWpNU0V3SHdZRFZRUUREQmhyTTNNdGMyVnkK",
                             "url": "https://127.0.0.1:23443/mutate"},
            "failurePolicy": "Ignore",
            "matchPolicy": "Equivalent",
            "name": "iam-for-pods.amazonaws.com",
            "namespaceSelector": {},
            "objectSelector": {"matchExpressions": [
                {"key": "eks.amazonaws.com/skip-pod-identity-webhook", "operator": "DoesNotExist"}]},
            "reinvocationPolicy": "IfNeeded",
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                       "resources": ["pods"], "scope": "*"}],
            "sideEffects": "None",
            "timeoutSeconds": 10,
        }],
    }


def other_webhook(name="aws-load-balancer-webhook"):
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": meta(name, created="2026-09-02T08:05:00Z",
                         labels={"app.kubernetes.io/name": "aws-load-balancer-controller"}),
        "webhooks": [{
            "admissionReviewVersions": ["v1beta1"],
            "clientConfig": {"service": {"name": "aws-load-balancer-webhook-service", "namespace": "kube-system",
                                         "path": "/mutate-v1-pod", "port": 443}},
            "failurePolicy": "Fail",
            "matchPolicy": "Equivalent",
            "name": "mpod.elbv2.k8s.aws",
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                       "resources": ["pods"], "scope": "*"}],
            "sideEffects": "None",
            "timeoutSeconds": 10,
        }],
    }


def system_daemonsets(nodes, agent=True, agent_ready_on=None, agent_nodes=None, region="eu-west-1"):
    """kube-system DaemonSets with their pods: the Pod Identity agent on `agent_nodes` (default
    all), Ready on `agent_ready_on` (default all); without the agent, kube-proxy, so the bundle
    still shows kube-system was collected."""
    objs = []
    agent_nodes = nodes if agent_nodes is None else agent_nodes
    agent_ready_on = agent_nodes if agent_ready_on is None else agent_ready_on
    if agent:
        name, labels, on, ready_on = "eks-pod-identity-agent", {"app.kubernetes.io/instance": "eks-pod-identity-agent", "app.kubernetes.io/name": "eks-pod-identity-agent"}, agent_nodes, agent_ready_on
        image = f"602401143452.dkr.ecr.{region}.amazonaws.com/eks/eks-pod-identity-agent:0.1.29"
    else:
        name, labels, on, ready_on = "kube-proxy", {"k8s-app": "kube-proxy"}, nodes, nodes
        image = f"602401143452.dkr.ecr.{region}.amazonaws.com/eks/kube-proxy:v1.31.2-minimal-eksbuild.3"
    tpl = pod_template(None, [container(name, image)], labels, host_network=True)
    tpl["spec"]["priorityClassName"] = "system-node-critical"
    ready = sum(1 for n in on if n in ready_on)
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": meta(name, "kube-system", created="2026-09-01T08:10:00Z", labels=dict(labels)),
          "spec": {"selector": {"matchLabels": dict(labels)}, "template": tpl,
                   "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}, "type": "RollingUpdate"}},
          "status": {"currentNumberScheduled": len(on), "desiredNumberScheduled": len(on), "numberAvailable": ready,
                     "numberMisscheduled": 0, "numberReady": ready, "observedGeneration": 1, "updatedNumberScheduled": len(on)}}
    if ready < len(on):
        ds["status"]["numberUnavailable"] = len(on) - ready
    objs.append(ds)
    for n in on:
        objs.append(pod(f"{name}-{short_hash(name, n, n=5)}", "kube-system", tpl, n, "2026-09-01T08:21:30Z",
                        owner=owner_ref("DaemonSet", name, "kube-system"), ready=n in ready_on, api_access_volume=False,
                        extra_labels={"controller-revision-hash": short_hash(name, n=10), "pod-template-generation": "1"}))
    return objs


# ---------------------------------------------------------------- IAM


def irsa_trust(c, subjects, account=None, audience="sts.amazonaws.com", operator="StringEquals", issuer_host=None,
               provider_arn=None):
    host = issuer_host or c.issuer_host
    sub = subjects[0] if len(subjects) == 1 else list(subjects)
    cond = {f"{host}:sub": sub, f"{host}:aud": audience} if audience else {f"{host}:sub": sub}
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn or f"arn:{c.partition}:iam::{account or c.account}:oidc-provider/{host}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {operator: cond},
    }]}


def pod_identity_trust(conditions=None, actions=("sts:AssumeRole", "sts:TagSession")):
    st = {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": list(actions)}
    if conditions:
        st["Condition"] = conditions
    return {"Version": "2012-10-17", "Statement": [st]}


def allow(actions, resources, sid=None, effect="Allow", condition=None):
    st = {}
    if sid:
        st["Sid"] = sid
    st["Effect"] = effect
    st["Action"] = actions
    st["Resource"] = resources
    if condition:
        st["Condition"] = condition
    return st


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


class Role:
    def __init__(self, c, name, trust, account=None, path="/", attached=(), inline=None, boundary=None, tags=None,
                 created="2026-10-01T08:30:00+00:00"):
        self.c = c
        self.name = name
        self.trust = trust
        self.account = account or c.account
        self.path = path
        self.arn = f"arn:{c.partition}:iam::{self.account}:role{path}{name}"
        self.attached = list(attached)  # [(name, arn)]
        self.inline = inline or {}  # name -> doc
        self.boundary = boundary
        self.tags = tags or {}
        self.created = created
        self.role_id = "AROA" + hashlib.sha1(self.arn.encode()).hexdigest().upper()[:17]

    def detail(self):
        d = {"Path": self.path, "RoleName": self.name, "RoleId": self.role_id, "Arn": self.arn,
             "CreateDate": self.created, "AssumeRolePolicyDocument": self.trust, "InstanceProfileList": [],
             "RolePolicyList": [{"PolicyName": n, "PolicyDocument": doc} for n, doc in self.inline.items()],
             "AttachedManagedPolicies": [{"PolicyName": n, "PolicyArn": a} for n, a in self.attached]}
        if self.boundary:
            d["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": self.boundary}
        d["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags.items()]
        d["RoleLastUsed"] = {}
        return d

    def get_role(self, encoded=True, trust_text=None):
        """`aws iam get-role`: the trust policy URL-encoded as the IAM API returns it, or an
        object (what AWS CLI v2 prints after decoding)."""
        text = trust_text if trust_text is not None else json.dumps(self.trust, separators=(",", ":"))
        doc = urllib.parse.quote(text, safe="") if encoded else self.trust
        r = {"Path": self.path, "RoleName": self.name, "RoleId": self.role_id, "Arn": self.arn,
             "CreateDate": self.created, "AssumeRolePolicyDocument": doc, "MaxSessionDuration": 3600}
        if self.boundary:
            r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": self.boundary}
        if self.tags:
            r["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags.items()]
        r["RoleLastUsed"] = {}
        return {"Role": r}


class ManagedPolicy:
    def __init__(self, arn, document, name=None):
        self.arn = arn
        self.name = name or arn.rsplit("/", 1)[1]
        self.document = document

    def detail(self, attachments=1):
        return {"PolicyName": self.name, "PolicyId": "ANPA" + hashlib.sha1(self.arn.encode()).hexdigest().upper()[:17],
                "Arn": self.arn, "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": attachments,
                "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                "CreateDate": "2026-10-01T08:30:00+00:00", "UpdateDate": "2026-10-01T08:30:00+00:00",
                "PolicyVersionList": [{"Document": self.document, "VersionId": "v1", "IsDefaultVersion": True,
                                       "CreateDate": "2026-10-01T08:30:00+00:00"}]}


def authorization_details(roles, policies=()):
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [r.detail() for r in roles],
            "Policies": [p.detail() for p in policies]}


def list_oidc_providers(arns):
    return {"OpenIDConnectProviderList": [{"Arn": a} for a in arns]}


def get_oidc_provider(url, client_ids=("sts.amazonaws.com",)):
    return {"Url": url, "ClientIDList": list(client_ids),
            "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
            "CreateDate": "2026-09-01T08:30:00.000000+00:00", "Tags": []}


# ---------------------------------------------------------------- EKS


class Association:
    def __init__(self, c, namespace, service_account, role_arn, n=1, created="2026-10-01T09:30:00.000000+00:00",
                 target_role_arn=None, disable_session_tags=False, owner_arn=None, policy_doc=None, modified=None):
        self.c = c
        self.modified = modified or created
        self.namespace = namespace
        self.service_account = service_account
        self.role_arn = role_arn
        self.id = f"a-{hashlib.sha1(f'{c.name}/{namespace}/{service_account}/{n}'.encode()).hexdigest()[:17]}"
        self.arn = f"arn:{c.partition}:eks:{c.region}:{c.account}:podidentityassociation/{c.name}/{self.id}"
        self.created = created
        self.target_role_arn = target_role_arn
        self.disable_session_tags = disable_session_tags
        self.owner_arn = owner_arn
        self.policy = policy_doc

    def summary(self):
        s = {"clusterName": self.c.name, "namespace": self.namespace, "serviceAccount": self.service_account,
             "associationArn": self.arn, "associationId": self.id}
        if self.owner_arn:
            s["ownerArn"] = self.owner_arn
        return s

    def describe(self):
        a = {"clusterName": self.c.name, "namespace": self.namespace, "serviceAccount": self.service_account,
             "roleArn": self.role_arn, "associationArn": self.arn, "associationId": self.id, "tags": {},
             "createdAt": self.created, "modifiedAt": self.modified, "disableSessionTags": self.disable_session_tags}
        if self.target_role_arn:
            a["targetRoleArn"] = self.target_role_arn
            a["externalId"] = hashlib.sha1(self.id.encode()).hexdigest()[:32]
        if self.owner_arn:
            a["ownerArn"] = self.owner_arn
        if self.policy:
            a["policy"] = json.dumps(self.policy)
        return {"association": a}


def list_associations(assocs):
    return {"associations": [a.summary() for a in assocs]}


def describe_addon(c, status="ACTIVE", issues=()):
    return {"addon": {
        "addonName": "eks-pod-identity-agent", "clusterName": c.name, "status": status,
        "addonVersion": "v1.3.4-eksbuild.1",
        "health": {"issues": [{"code": code, "message": msg, "resourceIds": []} for code, msg in issues]},
        "addonArn": f"arn:{c.partition}:eks:{c.region}:{c.account}:addon/{c.name}/eks-pod-identity-agent/a4c9a7b2-1e3d-4f5a-9b6c-7d8e9f0a1b2c",
        "createdAt": "2026-09-01T08:40:00.000000+00:00", "modifiedAt": "2026-09-01T08:41:00.000000+00:00",
        "tags": {}}}


def list_addons(names):
    return {"addons": list(names)}


# ---------------------------------------------------------------- writing


class Bundle:
    def __init__(self, name):
        self.name = name
        self.files = {}
        self.expected = []

    def text(self, filename, content):
        assert filename not in self.files, filename
        self.files[filename] = content

    def aws(self, filename, obj):
        self.text(filename, aws_json(obj))

    def kube_docs(self, filename, objs):
        """`kubectl get ... -o yaml` split into documents (as `kubectl irsa dump` writes)."""
        self.text(filename, "---\n".join(kube_yaml(o) for o in objs))

    def kube_list_yaml(self, filename, objs):
        self.text(filename, kube_yaml(kube_list(objs)))

    def kube_list_json(self, filename, objs):
        self.text(filename, kube_json(kube_list(objs)))

    def expect(self, namespace, sa, broken, codes=(), absent=(), status=None, mechanism=None, args=(), note=""):
        e = {"namespace": namespace, "serviceAccount": sa, "brokenLink": broken}
        if codes:
            e["codes"] = list(codes)
        if absent:
            e["absentCodes"] = list(absent)
        if status:
            e["status"] = status
        if mechanism:
            e["mechanism"] = mechanism
        if args:
            e["args"] = list(args)
        e["note"] = note
        self.expected.append(e)

    def write(self, root):
        d = os.path.join(root, self.name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(os.path.join(d, "bundle"))
        for fn, content in sorted(self.files.items()):
            with open(os.path.join(d, "bundle", fn), "w") as f:
                f.write(content)
        with open(os.path.join(d, "expected.json"), "w") as f:
            f.write(json.dumps(self.expected, indent=2) + "\n")
