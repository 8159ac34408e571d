#!/usr/bin/env python3
"""Writes the scenario fixtures under tests/scenarios/<name>/{bundle/,expected.json}.

Run from anywhere: `python3 tests/scenarios/make_scenarios.py [name ...]`. Each scenario is one
failure mode of the field guide (/work/shared/reference/irsa-field-guide.md, entries A1-G44) or
one healthy setup from the seed guides; the bundle holds exactly what `kubectl get -o yaml|json`
and the AWS CLI print, and expected.json what a correct `doctor` reports. The committed bundle
files are the fixtures; this script only documents how they were made and rebuilds them.
`basic/` is the shared example bundle and is not generated here.
"""

import json
import urllib.parse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario_lib import *  # noqa: E402,F401,F403

ROOT = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = {}

POD_CREATED = "2026-10-02T10:00:00Z"
OTHER_ISSUER = "0F3E8D2C7B6A59483726150E4D3C2B1A"


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


class World:
    """One cluster: nodes, system DaemonSets, webhook, workloads, IAM, EKS. Scenarios change
    what they need and call `emit`."""

    def __init__(self, c=None, nodes=None, agent=True, webhook=True, addon="describe", layout="docs"):
        self.c = c or Cluster()
        domain = "ec2.internal" if self.c.region == "us-east-1" else f"{self.c.region}.compute.internal"
        self.node_names = nodes or [f"ip-10-0-12-34.{domain}"]
        self.nodes = [node(n, region=self.c.region) for n in self.node_names]
        self.agent = agent
        self.agent_nodes = None
        self.agent_ready_on = None
        self.webhooks = [webhook_config()] if webhook else [other_webhook()]
        self.k = Workloads()
        self.sas = []
        self.roles = []
        self.get_roles = []  # (Role, encoded) emitted as `aws iam get-role` outputs only
        self.get_role_policies = []  # (role name, policy name, doc)
        self.policies = []
        self.providers = {self.c.account: [(self.c.issuer_host, ["sts.amazonaws.com"])]}
        self.associations = []
        self.addon = addon  # describe | list | list-without | not-found | None
        self.addon_status = ("ACTIVE", ())
        self.cluster_file = True
        self.auto_mode = False
        self.layout = layout
        self.namespaces = set()
        # Kube-system DaemonSets and the agent add-on are written only where Pod Identity is in play.
        self.pod_identity = False
        # Kinds whose `kubectl get -A` was refused by RBAC: their objects are left out and the
        # refusal is saved in their place, as `kubectl get ... > file 2>&1` does.
        self.forbidden = {}  # kind -> (resource plural, API group)
        # Associations listed but never described (`describe_associations = False`).
        self.describe_associations = True
        # kube-system's pods (the agent's) left out of the bundle (`system_pods = False`).
        self.system_pods = True

    @property
    def node0(self):
        return self.node_names[0]

    def sa(self, ns, name, role_arn=None, annotations=None, created="2026-10-01T09:00:00Z", **kw):
        ann = dict(annotations or {})
        if role_arn:
            ann["eks.amazonaws.com/role-arn"] = role_arn
        obj = service_account(name, ns, annotations=ann or None, created=created, **kw)
        self.sas.append(obj)
        self.namespaces.add(ns)
        return obj

    def role(self, name, trust, actions=None, resources="*", account=None, path="/", attached=None, inline=None, **kw):
        """A role with an inline policy allowing `actions` (or the given attached/inline)."""
        inline = dict(inline or {})
        if actions:
            inline[f"{name}-access"] = policy(allow(actions, resources))
        r = Role(self.c, name, trust, account=account, path=path, attached=attached or (), inline=inline, **kw)
        self.roles.append(r)
        return r

    def irsa_role(self, name, ns, sa, actions=("s3:GetObject",), resources="arn:aws:s3:::app-data/*", **kw):
        return self.role(name, irsa_trust(self.c, [f"system:serviceaccount:{ns}:{sa}"], account=kw.get("account")),
                         actions=list(actions), resources=resources, **kw)

    def managed(self, name, document, account=None):
        p = ManagedPolicy(self.c.policy_arn(name, account), document)
        self.policies.append(p)
        return p

    def app(self, ns, name, sa, inject=None, kind="pod", containers=None, pod_created=POD_CREATED, node_name=None,
            labels=None, template_annotations=None, security_context=None, host_network=False, node_selector=None,
            ready=True, pods=None, **kw):
        self.namespaces.add(ns)
        containers = containers or [container(name, f"registry.example.com/{name}:1.4.2", ports=[8080])]
        tpl = pod_template(sa, containers, labels or {"app.kubernetes.io/name": name},
                           security_context=security_context, host_network=host_network,
                           node_selector=node_selector, annotations=template_annotations)
        node_name = node_name or self.node0
        if inject is not None and inject.kind == "pod-identity":
            self.pod_identity = True
        if kind == "deploy":
            return self.k.deployment(name, ns, tpl, node_name, pod_created=pod_created, inject=inject, ready=ready,
                                     pods=pods, **kw)
        return [self.k.bare_pod(name, ns, tpl, node_name, created=pod_created, inject=inject, ready=ready, **kw)]

    def irsa_inject(self, role_arn, **kw):
        return Inject("irsa", role_arn=role_arn, region=self.c.region, **kw)

    def pi_inject(self, **kw):
        return Inject("pod-identity", region=self.c.region, **kw)

    def healthy_irsa(self, ns="shop", name="orders", sa=None, actions=("s3:GetObject",),
                     resources="arn:aws:s3:::app-data/*", **app_kw):
        sa = sa or name
        r = self.irsa_role(f"{name}-irsa", ns, sa, actions=actions, resources=resources)
        s = self.sa(ns, sa, r.arn)
        pods = self.app(ns, name, sa, inject=self.irsa_inject(r.arn), **app_kw)
        return s, r, pods

    def healthy_pi(self, ns="shop", name="billing", sa=None, actions=("sqs:SendMessage",), resources="*",
                   trust=None, **app_kw):
        sa = sa or name
        r = self.role(f"{name}-pod-identity", trust or pod_identity_trust(), actions=list(actions), resources=resources)
        s = self.sa(ns, sa)
        a = Association(self.c, ns, sa, r.arn)
        self.associations.append(a)
        pods = self.app(ns, name, sa, inject=self.pi_inject(), **app_kw)
        return s, r, a, pods

    # ---- emission

    def kube_objects(self):
        defaults = []
        have = {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in self.sas}
        for ns in sorted(self.namespaces | {"kube-system"}):
            if (ns, "default") not in have:
                defaults.append(service_account("default", ns, created="2026-09-01T08:00:30Z"))
        system = []
        if self.pod_identity or self.associations:
            system = system_daemonsets(self.node_names, agent=self.agent, agent_nodes=self.agent_nodes,
                                       agent_ready_on=self.agent_ready_on, region=self.c.region)
        return self.nodes, system, defaults + self.sas, self.k.objects

    def emit(self, b):
        c = self.c
        if self.cluster_file:
            b.aws("cluster.json", describe_cluster(c, auto_mode=self.auto_mode))
        nodes, system, sas, objs = self.kube_objects()
        if not self.system_pods:
            system = [o for o in system if o["kind"] != "Pod"]
        if self.forbidden:
            keep = lambda objs: [o for o in objs if o["kind"] not in self.forbidden]
            nodes, system, sas, objs = keep(nodes), keep(system), keep(sas), keep(objs)
            for kind, (plural, group) in sorted(self.forbidden.items()):
                qualified = f"{plural}.{group}" if group else plural
                b.text(f"{plural}-forbidden.txt",
                       f'Error from server (Forbidden): {qualified} is forbidden: User "test" cannot list resource '
                       f'"{plural}" in API group "{group}" at the cluster scope\n')
        if self.layout == "docs":
            b.kube_docs("kubernetes.yaml", nodes + system + sas + objs)
        elif self.layout == "list-yaml":
            b.kube_list_yaml("kubectl-get-all.yaml", nodes + system + sas + objs)
        elif self.layout == "list-json":
            b.kube_list_json("kubectl-get-all.json", nodes + system + sas + objs)
        else:  # split: one file per kind, in the three output styles
            b.kube_list_json("nodes.json", nodes)
            if system:
                b.kube_list_yaml("kube-system.yaml", system)
            b.kube_docs("serviceaccounts.yaml", sas)
            b.kube_list_yaml("workloads.yaml", objs)
        b.kube_list_json("mutatingwebhookconfigurations.json", self.webhooks)
        if self.roles or self.policies:
            b.aws("iam-authorization-details.json", authorization_details(self.roles, self.policies))
        for r, encoded, text in self.get_roles:
            b.aws(f"get-role-{r.name}.json", r.get_role(encoded=encoded, trust_text=text))
        for role_name, pname, doc in self.get_role_policies:
            b.aws(f"get-role-policy-{role_name}-{pname}.json", {"RoleName": role_name, "PolicyName": pname, "PolicyDocument": doc})
        n = 0
        for account, provs in sorted(self.providers.items()):
            arns = [f"arn:{c.partition}:iam::{account}:oidc-provider/{url}" for url, _ in provs]
            suffix = "" if account == c.account else f"-{account}"
            b.aws(f"oidc-providers{suffix}.json", list_oidc_providers(arns))
            for url, client_ids in provs:
                if client_ids is not None:
                    b.aws(f"oidc-provider-{n}.json", get_oidc_provider(url, client_ids))
                    n += 1
        if self.associations is not None:
            b.aws("pod-identity-associations.json", list_associations(self.associations))
            for i, a in enumerate(self.associations if self.describe_associations else []):
                b.aws(f"pod-identity-association-{i}.json", a.describe())
        if not (self.pod_identity or self.associations):
            return
        if self.addon == "describe":
            b.aws("addon-pod-identity-agent.json", describe_addon(c, *self.addon_status))
        elif self.addon == "list":
            b.aws("addons.json", list_addons(["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]))
        elif self.addon == "list-without":
            b.aws("addons.json", list_addons(["coredns", "kube-proxy", "vpc-cni"]))
        elif self.addon == "not-found":
            b.text("addon-pod-identity-agent.txt",
                   f"\nAn error occurred (ResourceNotFoundException) when calling the DescribeAddon operation: No addon: eks-pod-identity-agent found in cluster: {c.name}\n")


def build(name, fn):
    b = Bundle(name)
    fn(b)
    return b


# ====================================================================== healthy baselines


@scenario
def irsa_healthy(b):
    w = World(layout="split")
    w.healthy_irsa("shop", "orders", actions=["s3:GetObject", "s3:PutObject"], resources="arn:aws:s3:::orders-archive/*", kind="deploy")
    w.emit(b)
    b.expect("shop", "orders", None, status="ok", mechanism="irsa", codes=["PERMISSION_ALLOWED"],
             absent=["TRUST_NO_SUB_CONDITION", "INJECTION_MISSING"],
             args=["--action", "s3:PutObject", "--resource", "arn:aws:s3:::orders-archive/2026/11/02.json"],
             note="healthy IRSA: annotation, injected env+token volume, role, provider, trust and an allowed action")


@scenario
def pod_identity_healthy(b):
    w = World(layout="list-json")
    w.healthy_pi("shop", "billing", trust=pod_identity_trust({"StringEquals": {"aws:SourceAccount": w.c.account}}),
                 actions=["sqs:SendMessage"], resources=f"arn:aws:sqs:{w.c.region}:{w.c.account}:invoices", kind="deploy")
    w.emit(b)
    b.expect("shop", "billing", None, status="ok", mechanism="pod-identity", codes=["PERMISSION_ALLOWED"],
             absent=["TRUST_POD_IDENTITY_UNSCOPED", "AGENT_MISSING"],
             args=["--action", "sqs:SendMessage", "--resource", f"arn:aws:sqs:{w.c.region}:{w.c.account}:invoices"],
             note="healthy Pod Identity: association, injected container-credentials env, agent Ready on the node, trust scoped by aws:SourceAccount")



# ====================================================================== pod / service account / annotation


@scenario
def sa_missing_typo(b):
    """A8: the Deployment names `reports-sa` but the SA is `report-sa`; the ReplicaSet cannot
    create pods (FailedCreate), so there are none."""
    w = World()
    r = w.irsa_role("reports-irsa", "analytics", "report-sa")
    w.sa("analytics", "report-sa", r.arn)
    fail = [{"lastTransitionTime": "2026-10-02T09:59:58Z", "message": 'pods "reports-6b7c9d8f5-" is forbidden: error looking up service account analytics/reports-sa: serviceaccount "reports-sa" not found',
             "reason": "FailedCreate", "status": "True", "type": "ReplicaFailure"}]
    tpl = pod_template("reports-sa", [container("reports", "registry.example.com/reports:2.0.1")], {"app.kubernetes.io/name": "reports"})
    w.namespaces.add("analytics")
    w.k.add(deployment("reports", "analytics", tpl, created="2026-10-02T09:59:58Z", available=0,
                       conditions=[{"lastTransitionTime": "2026-10-02T09:59:58Z", "lastUpdateTime": "2026-10-02T09:59:58Z",
                                    "message": "Deployment does not have minimum availability.", "reason": "MinimumReplicasUnavailable",
                                    "status": "False", "type": "Available"}] + fail))
    rs, _ = replica_set("reports", "analytics", tpl, created="2026-10-02T09:59:58Z", ready=0, conditions=fail)
    w.k.add(rs)
    w.emit(b)
    b.expect("analytics", "reports-sa", "service-account", codes=["SA_NOT_FOUND"], status="broken",
             note="A8: serviceAccountName typo; the SA does not exist so pods cannot be created; the near miss `report-sa` is suggested")


@scenario
def annotation_missing_trusted(b):
    """A7: GitOps drift stripped the role-arn annotation; the role's trust still names the SA."""
    w = World()
    r = w.irsa_role("ledger-irsa", "finance", "ledger")
    w.sa("finance", "ledger", annotations={"meta.helm.sh/release-name": "ledger", "meta.helm.sh/release-namespace": "finance"},
         labels={"app.kubernetes.io/managed-by": "Helm"})
    w.app("finance", "ledger", "ledger")
    w.emit(b)
    b.expect("finance", "ledger", "annotation", codes=["ANNOTATION_MISSING"], absent=["ANNOTATION_KEY_TYPO"], status="broken",
             note="A7: no eks.amazonaws.com/role-arn while role ledger-irsa trusts finance:ledger; the fix names that role")


@scenario
def annotation_key_typo(b):
    w = World()
    r = w.irsa_role("search-irsa", "catalog", "search")
    w.sa("catalog", "search", annotations={"eks.amazonaws.com/role_arn": r.arn})
    w.app("catalog", "search", "search")
    w.emit(b)
    b.expect("catalog", "search", "annotation", codes=["ANNOTATION_KEY_TYPO"], status="broken",
             note="A7: `eks.amazonaws.com/role_arn` (underscore) is ignored by the webhook; only role-arn is read")


def malformed_arn(b, value, note):
    w = World()
    w.irsa_role("LangflowBedrockRole", "langflow", "langflow-sa", actions=["bedrock:InvokeModel"], resources="*")
    w.sa("langflow", "langflow-sa", value)
    w.app("langflow", "langflow", "langflow-sa", inject=w.irsa_inject(value))
    w.emit(b)
    b.expect("langflow", "langflow-sa", "annotation", codes=["ROLE_ARN_MALFORMED"], status="broken", mechanism="irsa", note=note)


@scenario
def role_arn_placeholder(b):
    malformed_arn(b, "arn:aws:iam::YOUR_ACCOUNT_ID:role/LangflowBedrockRole",
                  "C17: the Langflow guide's `YOUR_ACCOUNT_ID` placeholder was applied as is; STS: `Request ARN is invalid`")


@scenario
def role_arn_11_digits(b):
    malformed_arn(b, "arn:aws:iam::44445555666:role/LangflowBedrockRole",
                  "C17: an 11-digit account ID is not a valid role ARN")


@scenario
def role_arn_extra_colons(b):
    malformed_arn(b, "arn:aws:iam::::1234567890:role/example",
                  "C17: re:Post's `arn:aws:iam::::1234567890:role/example` (extra colons, 10 digits)")


@scenario
def role_path_valid(b):
    w = World()
    r = w.irsa_role("etl-runner", "data", "etl", path="/workloads/data/")
    w.sa("data", "etl", r.arn)
    w.app("data", "etl", "etl", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("data", "etl", None, codes=["ROLE_ARN_PATH"], absent=["ROLE_PATH_MISMATCH", "ROLE_NOT_FOUND"], status="ok",
             note="G43: a role path in the ARN is valid for IRSA (info only: eksctl's migration rejects it)")


@scenario
def role_path_mismatch(b):
    w = World()
    r = w.irsa_role("etl-runner", "data", "etl", path="/workloads/data/")
    wrong = w.c.role_arn("etl-runner")
    w.sa("data", "etl", wrong)
    w.app("data", "etl", "etl", inject=w.irsa_inject(wrong))
    w.emit(b)
    b.expect("data", "etl", "role", codes=["ROLE_PATH_MISMATCH"], status="broken",
             note="G43: the annotation omits the role's path /workloads/data/; STS needs the full ARN, so that ARN names no role")


@scenario
def role_not_found(b):
    w = World()
    w.irsa_role("inventory-irsa", "shop", "inventory")
    wrong = w.c.role_arn("inventroy-irsa")
    w.sa("shop", "inventory", wrong)
    w.app("shop", "inventory", "inventory", inject=w.irsa_inject(wrong))
    w.emit(b)
    b.expect("shop", "inventory", "role", codes=["ROLE_NOT_FOUND"], status="broken",
             note="role name typo (`inventroy-irsa`); the bundle holds the account's complete role list (get-account-authorization-details), so absent means missing")


@scenario
def role_not_collected(b):
    """Only `aws iam get-role` outputs for other roles: no role listing, so a missing role is
    unknown, not broken (exit 3)."""
    w = World()
    other = Role(w.c, "unrelated-role", pod_identity_trust())
    w.get_roles.append((other, True, None))
    arn = w.c.role_arn("inventory-irsa")
    w.sa("shop", "inventory", arn)
    w.app("shop", "inventory", "inventory", inject=w.irsa_inject(arn))
    w.emit(b)
    b.expect("shop", "inventory", None, codes=["ROLE_NOT_COLLECTED"], absent=["ROLE_NOT_FOUND"], status="unknown",
             note="the role was not collected (no role listing in the bundle): unknown, never broken; doctor exits 3")



# ====================================================================== injection


@scenario
def pod_before_annotation(b):
    """A1: the annotation was added with `kubectl annotate` after the pod started (managedFields)."""
    w = World()
    r = w.irsa_role("worker-irsa", "jobs", "worker")
    w.sa("jobs", "worker", r.arn, created="2026-09-20T07:00:00Z", managed_fields=[
        managed_field("kubectl-client-side-apply", "Update", "2026-09-20T07:00:00Z", annotations=["kubectl.kubernetes.io/last-applied-configuration"]),
        managed_field("kubectl-annotate", "Update", "2026-10-03T14:22:10Z", annotations=["eks.amazonaws.com/role-arn"]),
    ])
    w.app("jobs", "worker", "worker", kind="deploy", pod_created=POD_CREATED)
    w.emit(b)
    b.expect("jobs", "worker", "injection", codes=["INJECTION_MISSING"], absent=["WEBHOOK_MISSING"], status="broken", mechanism="irsa",
             note="A1: pod created 2026-10-02, annotation written 2026-10-03 (managedFields); the webhook only mutates at CREATE: rollout restart")


@scenario
def sa_same_second(b):
    """A2: SA and Deployment applied together; the webhook's cache missed the SA."""
    w = World()
    r = w.irsa_role("notifier-irsa", "comms", "notifier", actions=["sns:Publish"], resources="*")
    w.sa("comms", "notifier", r.arn, created="2026-10-02T10:00:00Z")
    w.app("comms", "notifier", "notifier", kind="deploy", pod_created="2026-10-02T10:00:00Z", deploy_created="2026-10-02T10:00:00Z")
    w.emit(b)
    b.expect("comms", "notifier", "injection", codes=["INJECTION_MISSING"], status="broken",
             note="A2: the pod was created in the same second as its service account (webhook cache race); env missing; delete the pod")


@scenario
def env_hardcoded_role(b):
    """A5: the chart sets AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE itself, to an old role."""
    w = World()
    r = w.irsa_role("exporter-irsa", "obs", "exporter", actions=["cloudwatch:PutMetricData"], resources="*")
    w.sa("obs", "exporter", r.arn)
    old = w.c.role_arn("exporter-legacy")
    c = container("exporter", "registry.example.com/exporter:0.9.0",
                  env=[env("AWS_ROLE_ARN", old), env("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")])
    w.app("obs", "exporter", "exporter", kind="deploy", containers=[c], inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("obs", "exporter", "injection", codes=["ENV_HARDCODED"], status="broken",
             note="A5: AWS_ROLE_ARN hard-coded in the manifest to exporter-legacy; the webhook does not override it, so the pod assumes the wrong role")


@scenario
def env_without_token_volume(b):
    """A5: variables copied into the manifest; the pod carries the skip label so the webhook added
    no volume; the token file does not exist."""
    w = World()
    r = w.irsa_role("mailer-irsa", "comms", "mailer", actions=["ses:SendEmail"], resources="*")
    w.sa("comms", "mailer", r.arn)
    c = container("mailer", "registry.example.com/mailer:3.2.0",
                  env=[env("AWS_REGION", w.c.region), env("AWS_ROLE_ARN", r.arn),
                       env("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")])
    w.app("comms", "mailer", "mailer", containers=[c], inject=w.irsa_inject(r.arn, volume=False, env=False))
    w.emit(b)
    b.expect("comms", "mailer", "injection", codes=["TOKEN_VOLUME_MISSING"], status="broken",
             note="A5: AWS_WEB_IDENTITY_TOKEN_FILE points at a path no projected token volume is mounted on")


@scenario
def skip_label(b):
    w = World()
    r = w.irsa_role("crawler-irsa", "catalog", "crawler")
    w.sa("catalog", "crawler", r.arn)
    w.app("catalog", "crawler", "crawler", labels={"app.kubernetes.io/name": "crawler", "eks.amazonaws.com/skip-pod-identity-webhook": "true"})
    w.emit(b)
    b.expect("catalog", "crawler", "injection", codes=["SKIP_LABEL"], status="broken",
             note="A6: the pod template carries eks.amazonaws.com/skip-pod-identity-webhook, so nothing is injected")


@scenario
def skip_containers_main(b):
    w = World()
    r = w.irsa_role("uploader-irsa", "media", "uploader", actions=["s3:PutObject"], resources="arn:aws:s3:::media-uploads/*")
    w.sa("media", "uploader", r.arn)
    cs = [container("uploader", "registry.example.com/uploader:5.0.0", ports=[8080]),
          container("envoy", "envoyproxy/envoy:v1.31.2", ports=[15001])]
    w.app("media", "uploader", "uploader", containers=cs, inject=w.irsa_inject(r.arn, skip=["uploader"]),
          template_annotations={"eks.amazonaws.com/skip-containers": "uploader"})
    w.emit(b)
    b.expect("media", "uploader", "injection", codes=["SKIP_CONTAINER"], status="broken",
             note="A6: eks.amazonaws.com/skip-containers lists the main container; only the envoy sidecar got credentials")


@scenario
def webhook_missing(b):
    """A4: an old self-managed cluster after an upgrade: no pod-identity-webhook configuration."""
    w = World(webhook=False)
    r = w.irsa_role("api-irsa", "shop", "api", actions=["dynamodb:GetItem"], resources="*")
    w.sa("shop", "api", r.arn)
    w.app("shop", "api", "api")
    w.emit(b)
    b.expect("shop", "api", "injection", codes=["INJECTION_MISSING", "WEBHOOK_MISSING"], status="broken",
             note="A4: MutatingWebhookConfiguration pod-identity-webhook is absent (the collected list has only the LB controller's), so no pod is mutated")


@scenario
def static_keys_secret(b):
    """B9: a chart injects AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from a Secret."""
    w = World()
    r = w.irsa_role("backup-irsa", "ops", "backup", actions=["s3:PutObject"], resources="arn:aws:s3:::ops-backups/*")
    w.sa("ops", "backup", r.arn)
    c = container("backup", "registry.example.com/backup:1.0.3",
                  env=[env_secret("AWS_ACCESS_KEY_ID", "backup-aws", "access-key-id"),
                       env_secret("AWS_SECRET_ACCESS_KEY", "backup-aws", "secret-access-key")])
    w.app("ops", "backup", "backup", containers=[c], inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("ops", "backup", "injection", codes=["STATIC_KEYS"], status="broken",
             note="B9: static keys from Secret backup-aws come before web identity in the SDK chain; the role is never used")


@scenario
def aws_profile(b):
    w = World()
    r = w.irsa_role("cli-irsa", "ops", "toolbox")
    w.sa("ops", "toolbox", r.arn)
    c = container("toolbox", "amazon/aws-cli:2.22.0", env=[env("AWS_PROFILE", "default")])
    w.app("ops", "toolbox", "toolbox", containers=[c], inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("ops", "toolbox", None, codes=["AWS_PROFILE_SET"], status="warning",
             note="B9: AWS_PROFILE=default may select a profile/credentials file before web identity: a warning, not broken")


@scenario
def nonroot_differing_users(b):
    """B12: app and sidecar run as different non-root users, no fsGroup: token unreadable."""
    w = World()
    r = w.irsa_role("flux-source-irsa", "flux-system", "source-controller", actions=["s3:GetObject"], resources="*")
    w.sa("flux-system", "source-controller", r.arn)
    cs = [container("manager", "ghcr.io/fluxcd/source-controller:v1.4.1", security_context={"runAsUser": 65534, "runAsNonRoot": True, "allowPrivilegeEscalation": False}),
          container("metrics", "registry.example.com/metrics-proxy:0.3.0", security_context={"runAsUser": 1001})]
    w.app("flux-system", "source-controller", "source-controller", containers=cs, inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("flux-system", "source-controller", "injection", codes=["TOKEN_UNREADABLE"], status="broken",
             note="B12: runAsUser 65534 and 1001 differ and no fsGroup: the 0600 token file cannot be read (`permission denied`)")


@scenario
def nonroot_deployment_no_fsgroup(b):
    """B12 in a Deployment: the fix sets the template's fsGroup and restarts."""
    w = World()
    r = w.irsa_role("flux-source-irsa", "flux-system", "source-controller", actions=["s3:GetObject"], resources="*")
    w.sa("flux-system", "source-controller", r.arn)
    cs = [container("manager", "ghcr.io/fluxcd/source-controller:v1.4.1", security_context={"runAsUser": 65534, "runAsNonRoot": True, "allowPrivilegeEscalation": False}),
          container("metrics", "registry.example.com/metrics-proxy:0.3.0", security_context={"runAsUser": 1001})]
    w.app("flux-system", "source-controller", "source-controller", kind="deploy", containers=cs, inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("flux-system", "source-controller", "injection", codes=["TOKEN_UNREADABLE"], status="broken",
             note="B12 (Deployment): differing non-root users and no fsGroup; the fix sets securityContext.fsGroup in the template and restarts")


@scenario
def nonroot_shared_user(b):
    w = World()
    r = w.irsa_role("flux-source-irsa", "flux-system", "source-controller", actions=["s3:GetObject"], resources="*")
    w.sa("flux-system", "source-controller", r.arn)
    cs = [container("manager", "ghcr.io/fluxcd/source-controller:v1.4.1", security_context={"allowPrivilegeEscalation": False})]
    w.app("flux-system", "source-controller", "source-controller", containers=cs, inject=w.irsa_inject(r.arn),
          security_context={"runAsUser": 65534, "runAsNonRoot": True})
    w.emit(b)
    b.expect("flux-system", "source-controller", None, codes=["TOKEN_UNREADABLE"], status="warning",
             note="B12: one shared runAsUser, no fsGroup: Kubernetes >= 1.19 gives the token to that user, so only a warning")



# ====================================================================== OIDC provider


@scenario
def oidc_provider_missing(b):
    """C13: the cluster's issuer was never registered (eksctl utils associate-iam-oidc-provider
    not run); the account only has another cluster's provider."""
    w = World()
    w.providers = {w.c.account: [(f"oidc.eks.{w.c.region}.amazonaws.com/id/{OTHER_ISSUER}", ["sts.amazonaws.com"])]}
    w.healthy_irsa("shop", "orders")
    w.emit(b)
    b.expect("shop", "orders", "oidc-provider", codes=["OIDC_PROVIDER_MISSING"], status="broken",
             note="C13: no IAM OIDC provider for this cluster's issuer in the role's account: `No OpenIDConnect provider found in your account`")


@scenario
def oidc_provider_cross_account(b):
    """C13: the role lives in a data account; the provider exists only in the cluster account."""
    w = World()
    data = "777788889999"
    w.providers[data] = [(f"oidc.eks.us-east-1.amazonaws.com/id/{OTHER_ISSUER}", None)]
    r = w.role("reports-reader", irsa_trust(w.c, ["system:serviceaccount:analytics:reports"], account=data), account=data,
               actions=["s3:GetObject"], resources="arn:aws:s3:::data-lake/*")
    w.sa("analytics", "reports", r.arn)
    w.app("analytics", "reports", "reports", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("analytics", "reports", "oidc-provider", codes=["OIDC_PROVIDER_MISSING", "ROLE_CROSS_ACCOUNT"], status="broken",
             note="C13: cross-account role in 777788889999; the cluster's provider exists only in the cluster account 444455556666")


@scenario
def audience_not_in_client_ids(b):
    """C15: the SA asks for a custom audience the provider does not accept."""
    w = World()
    r = w.role("vault-auth", irsa_trust(w.c, ["system:serviceaccount:security:vault"], audience="vault.example.com"),
               actions=["kms:Decrypt"], resources="*")
    w.sa("security", "vault", r.arn, annotations={"eks.amazonaws.com/audience": "vault.example.com"})
    w.app("security", "vault", "vault", inject=w.irsa_inject(r.arn, audience="vault.example.com"))
    w.emit(b)
    b.expect("security", "vault", "oidc-provider", codes=["AUDIENCE_NOT_IN_CLIENT_IDS", "AUDIENCE_ANNOTATION"],
             absent=["TRUST_AUD_MISMATCH"], status="broken",
             note="C15: eks.amazonaws.com/audience=vault.example.com is not in the provider's ClientIDList [sts.amazonaws.com]: `Incorrect token audience`")


# ====================================================================== trust (IRSA)


def trust_case(b, trust, ns, sa, broken, codes, note, status=None, absent=(), app="app", encoded=True, text=None, c=None, **kw):
    w = World(c=c) if c else World()
    r = Role(w.c, f"{sa}-irsa", trust)
    r.inline = {"access": policy(allow(["s3:GetObject"], "*"))}
    if encoded:
        w.get_roles.append((r, True, text))
        w.get_role_policies.append((r.name, "access", r.inline["access"]))
    else:
        w.roles.append(r)
    w.sa(ns, sa, r.arn)
    w.app(ns, app, sa, inject=w.irsa_inject(r.arn), **kw)
    w.emit(b)
    b.expect(ns, sa, broken, codes=codes, absent=absent, status=status or ("broken" if broken else None), note=note)
    return w


@scenario
def trust_sub_typo_kubeflow(b):
    c = Cluster(name="kubeflow", account="348134392524", region="us-west-2", issuer_id="D4E5F60718293A4B5C6D7E8F90A1B2C3")
    trust = irsa_trust(c, ["system:serviceaccount:kubeflow-user-a:defult-viewer"])
    trust_case(b, trust, "kubeflow-user-a", "default-viewer", "trust", ["TRUST_SUB_MISMATCH"], c=c, app="ml-pipeline-run",
               note="D19: the Kubeflow profile controller wrote `defult-viewer` into the trust; pods run as default-viewer")


@scenario
def trust_wildcard_stringequals(b):
    w = World()
    trust = irsa_trust(w.c, ["system:serviceaccount:crossplane-system:provider-aws-*"])
    trust_case(b, trust, "crossplane-system", "provider-aws-a1b2c3d4e5f6", "trust", ["TRUST_WILDCARD_STRINGEQUALS"],
               app="provider-aws", encoded=False,
               note="D20: crossplane's `provider-aws-*` under StringEquals is compared literally and never matches; needs StringLike")


@scenario
def trust_aud_holds_subject(b):
    w = World()
    host = w.c.issuer_host
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": w.c.provider_arn()},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {f"{host}:aud": "system:serviceaccount:external-secrets:external-secrets"}}}]}
    trust_case(b, trust, "external-secrets", "external-secrets", "trust", ["TRUST_AUD_FOR_SUB"], app="external-secrets",
               note="D21: the subject was put under the `:aud` key (kubernetes-external-secrets #287); the token's aud is sts.amazonaws.com")


@scenario
def trust_provider_other_cluster(b):
    w = World()
    other = f"oidc.eks.{w.c.region}.amazonaws.com/id/{OTHER_ISSUER}"
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:cart"], issuer_host=other)
    trust_case(b, trust, "shop", "cart", "trust", ["TRUST_PROVIDER_MISMATCH"], app="cart",
               note="D22: the trust names the provider of another cluster in the same region (copied from staging)")


@scenario
def trust_provider_other_region(b):
    w = World()
    other = f"oidc.eks.us-east-1.amazonaws.com/id/{w.c.issuer_id}"
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:cart"], issuer_host=other)
    trust_case(b, trust, "shop", "cart", "trust", ["TRUST_PROVIDER_MISMATCH"], app="cart",
               note="D22: the trust names oidc.eks.us-east-1 while the cluster runs in eu-west-1")


@scenario
def trust_provider_placeholder_host(b):
    w = World()
    host = "oidc.REGION.eks.amazonaws.com/CLUSTER_ID"
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:cart"], issuer_host=host)
    trust_case(b, trust, "shop", "cart", "trust", ["TRUST_PROVIDER_MALFORMED"], app="cart",
               note="D22: the webhook README's `oidc.REGION.eks.amazonaws.com/CLUSTER_ID` copied verbatim (webhook #30)")


@scenario
def trust_flyte_sub_region(b):
    """D22: Flyte's guide writes the `:sub` key with us-east-1 while the cluster is elsewhere."""
    c = Cluster(name="flyte", account="590183740312", region="us-west-2", issuer_id="66CBAF563FD1438BC98F1EF39FF8DACD")
    host = c.issuer_host
    wrong = f"oidc.eks.us-east-1.amazonaws.com/id/{c.issuer_id}"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": c.provider_arn()},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {f"{wrong}:sub": "system:serviceaccount:flyte:flyte-backend-flyte-binary",
                                            f"{host}:aud": "sts.amazonaws.com"}}}]}
    trust_case(b, trust, "flyte", "flyte-backend-flyte-binary", "trust", ["TRUST_CONDITION_KEY_PREFIX"], c=c, app="flyte-backend-flyte-binary",
               note="D22: Flyte's `oidc.eks.us-east-1...:sub` key while the cluster issuer is us-west-2: the key is never in the request")


@scenario
def trust_issuers_anded(b):
    w = World()
    host = w.c.issuer_host
    other = f"oidc.eks.{w.c.region}.amazonaws.com/id/{OTHER_ISSUER}"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
             "Principal": {"Federated": [w.c.provider_arn(), f"arn:aws:iam::{w.c.account}:oidc-provider/{other}"]},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {f"{host}:sub": "system:serviceaccount:shop:cart",
                                            f"{other}:sub": "system:serviceaccount:shop:cart",
                                            f"{host}:aud": "sts.amazonaws.com", f"{other}:aud": "sts.amazonaws.com"}}}]}
    trust_case(b, trust, "shop", "cart", "trust", ["TRUST_ISSUERS_ANDED"], app="cart", encoded=False,
               note="D23: two clusters' conditions in one statement are ANDed; a token has one issuer, so it never matches")


@scenario
def trust_duplicate_sub_keys(b):
    """D24: the Kubeflow guide's trust with two `:sub` keys (IAM never stores this, but a
    hand-built bundle or a document under review can carry it)."""
    c = Cluster(name="kubeflow", account="348134392524", region="us-west-2", issuer_id="D4E5F60718293A4B5C6D7E8F90A1B2C3")
    host = c.issuer_host
    text = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},'
            '"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:aud":"sts.amazonaws.com",'
            '"%s:sub":"system:serviceaccount:kubeflow-user-a:default-viewer","%s:sub":"system:serviceaccount:kubeflow-user-b:default-viewer"}}}]}'
            % (c.provider_arn(), host, host, host))
    trust_case(b, json.loads(text), "kubeflow-user-a", "default-viewer", "trust", ["TRUST_DUPLICATE_KEY"], c=c, app="ml-pipeline-run", text=text,
               note="D24: duplicate `:sub` keys; parsers keep only the last (user-b), silently dropping user-a")


@scenario
def trust_no_sub(b):
    w = World()
    host = w.c.issuer_host
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": w.c.provider_arn()},
             "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {f"{host}:aud": "sts.amazonaws.com"}}}]}
    trust_case(b, trust, "shop", "cart", None, ["TRUST_NO_SUB_CONDITION"], status="warning", app="cart",
               note="D25: only `:aud` is checked (eksctl's MakeAssumeRolePolicyDocument): works, but any SA of the cluster can assume the role")


@scenario
def trust_wide_wildcard_flyte(b):
    c = Cluster(name="flyte", account="590183740312", region="us-east-1", issuer_id="66CBAF563FD1438BC98F1EF39FF8DACD")
    trust = irsa_trust(c, ["system:serviceaccount:*:default"], operator="StringLike")
    trust_case(b, trust, "flytesnacks-development", "default", None, ["TRUST_WIDE_WILDCARD"], status="warning", c=c,
               app="a8f2kd9x3n-n0-0", kind="pod",
               note="Flyte workers: StringLike system:serviceaccount:*:default lets the default SA of every namespace assume the role (D25 warning)")


@scenario
def trust_near_size_limit(b):
    """D26: one role shared by many service accounts, one statement each."""
    w = World()
    host = w.c.issuer_host
    sts = []
    for ns, sa in [("shop", "cart"), ("shop", "checkout"), ("payments", "refunds"), ("analytics", "reports")]:
        sts.append({"Effect": "Allow", "Principal": {"Federated": w.c.provider_arn()}, "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {f"{host}:sub": f"system:serviceaccount:{ns}:{sa}", f"{host}:aud": "sts.amazonaws.com"}}})
    trust = {"Version": "2012-10-17", "Statement": sts}
    trust_case(b, trust, "shop", "cart", None, ["TRUST_SIZE_NEAR_LIMIT"], status="warning", app="cart",
               note="D26: the trust policy is close to IAM's 2,048-character default quota (about 4-8 IRSA statements)")



# ====================================================================== permissions


@scenario
def permissions_none(b):
    w = World()
    r = w.role("tlm-chat-backend-k3x9", irsa_trust(w.c, ["system:serviceaccount:tlm:tlm-chat-backend"]))
    w.sa("tlm", "tlm-chat-backend", r.arn)
    w.app("tlm", "tlm-chat-backend", "tlm-chat-backend", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("tlm", "tlm-chat-backend", "permissions", codes=["NO_POLICIES"], status="broken",
             note="E27: the role has no attached or inline policies: every call is AccessDenied")


S3_POLICY = policy(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::orders-archive/*"))


@scenario
def permissions_resource_mismatch(b):
    w = World()
    p = w.managed("orders-archive-rw", S3_POLICY)
    r = w.role("orders-irsa", irsa_trust(w.c, ["system:serviceaccount:shop:orders"]), attached=[(p.name, p.arn)])
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", "permissions", codes=["PERMISSION_DENIED"], status="broken",
             args=["--action", "s3:GetObject", "--resource", "arn:aws:s3:::orders-archive-eu/2026/11/02.json"],
             note="E27: s3:GetObject is allowed on orders-archive/* only; the app reads orders-archive-eu (implicit deny, resource mismatch)")


@scenario
def permissions_explicit_deny(b):
    w = World()
    p = w.managed("orders-archive-rw", S3_POLICY)
    deny = policy(allow("s3:*", ["arn:aws:s3:::orders-archive/restricted/*"], sid="DenyRestricted", effect="Deny"))
    r = w.role("orders-irsa", irsa_trust(w.c, ["system:serviceaccount:shop:orders"]), attached=[(p.name, p.arn)],
               inline={"deny-restricted": deny})
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", "permissions", codes=["PERMISSION_EXPLICIT_DENY"], status="broken",
             args=["--action", "s3:GetObject", "--resource", "arn:aws:s3:::orders-archive/restricted/q3.csv"],
             note="E27: an inline Deny on restricted/* beats the managed Allow")


@scenario
def permissions_boundary(b):
    w = World()
    p = w.managed("orders-archive-rw", S3_POLICY)
    boundary = w.managed("platform-boundary", policy(allow(["s3:GetObject", "s3:ListBucket", "sqs:*"], "*")))
    r = w.role("orders-irsa", irsa_trust(w.c, ["system:serviceaccount:shop:orders"]), attached=[(p.name, p.arn)],
               boundary=boundary.arn)
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", "permissions", codes=["PERMISSION_BOUNDARY_DENY"], status="broken",
             args=["--action", "s3:PutObject", "--resource", "arn:aws:s3:::orders-archive/2026/11/02.json"],
             note="E27: the role's policy allows s3:PutObject but the permissions boundary platform-boundary does not")


# ====================================================================== Pod Identity


def scoped_pi_trust(w, ns, sa):
    return pod_identity_trust({"StringEquals": {"aws:SourceAccount": w.c.account,
                                                "aws:RequestTag/kubernetes-namespace": ns,
                                                "aws:RequestTag/kubernetes-service-account": sa}})


@scenario
def pi_association_missing(b):
    w = World()
    w.role("billing-pod-identity", scoped_pi_trust(w, "shop", "billing"), actions=["sqs:SendMessage"])
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing")
    w.emit(b)
    b.expect("shop", "billing", "association", codes=["ASSOCIATION_MISSING"], mechanism="pod-identity", status="broken",
             note="F36: a role scoped to shop/billing exists but no pod identity association was created")


@scenario
def pi_helm_prefixed_sa(b):
    """ENBUILD guide: the association names `enbuild-ai` but the Helm release creates
    `enbuild-enbuild-ai` (release-prefixed), which the pods run as."""
    c = Cluster(name="enbuild", account="123456789012", region="us-east-1", issuer_id="8E1F2A3B4C5D6E7F8091A2B3C4D5E6F7")
    w = World(c=c, nodes=["ip-192-168-10-21.ec2.internal"])
    r = w.role("enbuild-ai-bedrock", pod_identity_trust(), attached=[("AmazonBedrockFullAccess", "arn:aws:iam::aws:policy/AmazonBedrockFullAccess")])
    w.associations.append(Association(c, "enbuild", "enbuild-ai", r.arn))
    w.sa("enbuild", "enbuild-enbuild-ai", labels={"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "enbuild"})
    w.app("enbuild", "enbuild-enbuild-ai", "enbuild-enbuild-ai", kind="deploy")
    w.emit(b)
    b.expect("enbuild", "enbuild-enbuild-ai", "association", codes=["ASSOCIATION_MISSING"], mechanism="pod-identity", status="broken",
             note="A8/F36: association for enbuild-ai while the Helm chart's SA is enbuild-enbuild-ai: silently never used")


@scenario
def pi_association_other_namespace(b):
    w = World()
    r = w.role("billing-pod-identity", pod_identity_trust(), actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "default", "billing", r.arn))
    w.namespaces.add("default")
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing")
    w.emit(b)
    b.expect("shop", "billing", "association", codes=["ASSOCIATION_MISSING"], mechanism="pod-identity", status="broken",
             note="F36: the association was created for default/billing; the pods run in shop")


@scenario
def pi_pod_before_association(b):
    w = World()
    r = w.role("billing-pod-identity", pod_identity_trust(), actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "shop", "billing", r.arn, created="2026-10-05T11:20:00.000000+00:00"))
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", kind="deploy", pod_created=POD_CREATED)
    w.emit(b)
    b.expect("shop", "billing", "injection", codes=["INJECTION_MISSING"], mechanism="pod-identity", status="broken",
             note="A1/F37: the pod predates the association (2026-10-05); the webhook only mutates at creation: restart")


@scenario
def pi_agent_not_installed(b):
    w = World(agent=False, addon="list-without")
    w.healthy_pi("shop", "billing")
    w.emit(b)
    b.expect("shop", "billing", "agent", codes=["AGENT_MISSING"], status="broken",
             note="F30: `aws eks list-addons` has no eks-pod-identity-agent and kube-system has no agent DaemonSet: 169.254.170.23 does not answer")


@scenario
def pi_agent_not_on_node(b):
    w = World(nodes=["ip-10-0-12-34.eu-west-1.compute.internal", "ip-10-0-45-67.eu-west-1.compute.internal"])
    w.agent_nodes = [w.node_names[0]]
    w.healthy_pi("shop", "billing", node_name=w.node_names[1])
    w.emit(b)
    b.expect("shop", "billing", "agent", codes=["AGENT_NOT_ON_NODE"], status="broken",
             note="F30: the agent DaemonSet has no pod on the pod's node (taints/nodeSelector)")


@scenario
def pi_agent_not_ready(b):
    w = World(nodes=["ip-10-0-12-34.eu-west-1.compute.internal", "ip-10-0-45-67.eu-west-1.compute.internal"])
    w.agent_ready_on = [w.node_names[1]]
    w.healthy_pi("shop", "billing")
    w.emit(b)
    b.expect("shop", "billing", "agent", codes=["AGENT_NOT_READY"], status="broken",
             note="F30/F35: the agent pod on the pod's node is not Ready")


@scenario
def pi_fargate(b):
    w = World()
    fg = "fargate-ip-10-0-77-12.eu-west-1.compute.internal"
    w.node_names.append(fg)
    w.nodes.append(node(fg, region=w.c.region, compute_type="fargate"))
    w.agent_nodes = w.node_names[:1]
    w.healthy_pi("shop", "billing", node_name=fg)
    w.emit(b)
    b.expect("shop", "billing", "agent", codes=["UNSUPPORTED_FARGATE"], status="broken",
             note="F38/G41: Pod Identity is not supported on Fargate; keep this workload on IRSA")


@scenario
def pi_windows(b):
    w = World()
    win = "ip-10-0-88-10.eu-west-1.compute.internal"
    w.node_names.append(win)
    w.nodes.append(node(win, region=w.c.region, os_="windows", nodegroup="windows"))
    w.agent_nodes = w.node_names[:1]
    w.healthy_pi("shop", "billing", node_name=win, node_selector={"kubernetes.io/os": "windows"})
    w.emit(b)
    b.expect("shop", "billing", "agent", codes=["UNSUPPORTED_WINDOWS"], status="broken",
             note="F38: Pod Identity is not supported on Windows nodes")


@scenario
def pi_role_other_account(b):
    w = World()
    other = "777788889999"
    r = w.role("billing-pod-identity", pod_identity_trust(), account=other, actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "shop", "billing", r.arn))
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "billing", "role", codes=["ROLE_NOT_IN_CLUSTER_ACCOUNT"], status="broken",
             note="F36: Pod Identity needs a role in the cluster's account; cross-account needs targetRoleArn")


@scenario
def pi_trust_irsa_only(b):
    w = World()
    r = w.role("billing-role", irsa_trust(w.c, ["system:serviceaccount:shop:billing"]), actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "shop", "billing", r.arn))
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "billing", "trust", codes=["TRUST_MISSING_POD_IDENTITY_SERVICE"], status="broken",
             note="F32: the association's role was made for IRSA and does not trust pods.eks.amazonaws.com: `EKS does not have permissions to assume the associated role`")


@scenario
def pi_trust_no_tagsession(b):
    w = World()
    w.healthy_pi("shop", "billing", trust=pod_identity_trust(actions=("sts:AssumeRole",)))
    w.emit(b)
    b.expect("shop", "billing", "trust", codes=["TRUST_MISSING_TAG_SESSION"], status="broken",
             note="F32: the trust allows sts:AssumeRole but not sts:TagSession; EKS attaches session tags")


@scenario
def pi_host_network(b):
    """F33: the ENBUILD CTF service with hostNetwork still enabled."""
    w = World()
    w.healthy_pi("enbuild", "enbuild-ctf", host_network=True, actions=["s3:GetObject"])
    w.emit(b)
    b.expect("enbuild", "enbuild-ctf", None, codes=["HOST_NETWORK_POD_IDENTITY"], status="warning",
             note="F33: hostNetwork pods fail with Pod Identity while identical pods work (open issue): a warning")


@scenario
def both_mechanisms(b):
    """F39: migrated with eksctl (annotation kept, association added, trust extended); pods not
    restarted, so they still carry the IRSA variables."""
    w = World()
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:billing"])
    trust["Statement"].append(pod_identity_trust()["Statement"][0])
    r = w.role("billing-role", trust, actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "shop", "billing", r.arn, created="2026-10-10T08:00:00.000000+00:00"))
    w.sa("shop", "billing", r.arn)
    w.app("shop", "billing", "billing", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "billing", None, codes=["STILL_ON_IRSA", "BOTH_MECHANISMS"], mechanism="pod-identity", status="warning",
             note="F39: association + annotation; pods created before the association still use IRSA until restarted")


@scenario
def auto_mode(b):
    c = Cluster(name="auto-eu", account="444455556666", region="eu-west-1", issuer_id="C0FFEE0123456789ABCDEF0123456789")
    w = World(c=c, agent=False, addon=None, nodes=["i-0a1b2c3d4e5f60718"])
    w.nodes = [node("i-0a1b2c3d4e5f60718", region=c.region, compute_type="auto")]
    w.auto_mode = True
    w.healthy_pi("shop", "billing")
    w.emit(b)
    b.expect("shop", "billing", None, codes=["AGENT_AUTO_MODE"], absent=["AGENT_MISSING", "AGENT_NOT_ON_NODE"], status="ok",
             note="F30: EKS Auto Mode (computeConfig.enabled) has the agent built in: no add-on, no DaemonSet, still ok")



# ====================================================================== the five seed guides, healthy


@scenario
def seed_langflow(b):
    """Langflow guide (IRSA, Bedrock): the guide's example account, issuer and trust, Option B
    least-privilege policy, Deployment + LoadBalancer Service."""
    c = Cluster(name="langflow-prod", account="130376568147", region="us-east-1", issuer_id="EXAMPLED539D4633E53DE1B71EXAMPLE")
    w = World(c=c, nodes=["ip-192-168-33-10.ec2.internal", "ip-192-168-71-200.ec2.internal"], layout="list-yaml")
    trust = irsa_trust(c, ["system:serviceaccount:langflow:langflow-sa"])
    p = w.managed("LangflowBedrockAccess", policy(allow(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], "*")))
    r = w.role("LangflowBedrockRole", trust, attached=[(p.name, p.arn)])
    w.sa("langflow", "langflow-sa", r.arn)
    lf = container("langflow", "langflow/langflow:latest", env=[env("AWS_REGION", "us-east-1")], ports=[7860])
    w.app("langflow", "langflow", "langflow-sa", kind="deploy", containers=[lf], inject=w.irsa_inject(r.arn), labels={"app": "langflow"})
    w.k.add({"apiVersion": "v1", "kind": "Service", "metadata": meta("langflow-service", "langflow"),
             "spec": {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 7860}], "selector": {"app": "langflow"}, "type": "LoadBalancer"},
             "status": {"loadBalancer": {"ingress": [{"hostname": "a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com"}]}}})
    w.emit(b)
    b.expect("langflow", "langflow-sa", None, status="ok", mechanism="irsa", codes=["PERMISSION_ALLOWED"],
             args=["--action", "bedrock:InvokeModel", "--resource", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0"],
             note="seed: Langflow + Bedrock via IRSA as the guide sets it up (role LangflowBedrockRole, SA langflow/langflow-sa)")


@scenario
def seed_litellm_tlm(b):
    """TLM/LiteLLM guide (IRSA, Terraform): role `{release}-chat-backend-{random}`, SA
    tlm/tlm-chat-backend, AWS_DEFAULT_REGION and LITELLM_BEDROCK_ENABLED from a ConfigMap. IAM
    collected with get-role (URL-encoded trust) and get-role-policy only, as a least-privilege
    collector would."""
    c = Cluster(name="tlm-aws", account="123456789012", region="us-west-2", issuer_id="5F0C2B7A9E3D41C68B2A7F9E1D3C5B7A")
    w = World(c=c, nodes=["ip-10-20-1-15.us-west-2.compute.internal"])
    r = Role(c, "tlm-chat-backend-x7k2", irsa_trust(c, ["system:serviceaccount:tlm:tlm-chat-backend"]))
    bedrock = policy(allow(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:ListFoundationModels", "bedrock:GetFoundationModel"], "*"))
    w.get_roles.append((r, True, None))
    w.get_role_policies.append((r.name, "tlm-bedrock", bedrock))
    w.sa("tlm", "tlm-chat-backend", r.arn, labels={"app.kubernetes.io/managed-by": "Terraform"})
    cb = container("chat-backend", "registry.example.com/tlm/chat-backend:0.18.3",
                   env_from=[{"configMapRef": {"name": "tlm-chat-backend-defaults"}}], ports=[8000])
    w.app("tlm", "tlm-chat-backend", "tlm-chat-backend", kind="deploy", containers=[cb], inject=w.irsa_inject(r.arn),
          labels={"app.kubernetes.io/component": "chat-backend", "app.kubernetes.io/instance": "tlm"})
    w.emit(b)
    b.expect("tlm", "tlm-chat-backend", None, status="ok", mechanism="irsa", codes=["POLICY_NOT_COLLECTED"],
             note="seed: LiteLLM tlm-chat-backend via IRSA (Terraform-made role, URL-encoded get-role trust, inline Bedrock policy); attached policies not collected is info only")
    b.expect("tlm", "tlm-chat-backend", None, status="unknown", codes=["POLICY_NOT_COLLECTED"], absent=["PERMISSION_DENIED", "PERMISSION_ALLOWED"],
             args=["--action", "bedrock:InvokeModel", "--resource", "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"],
             note="same bundle with --action: the attached policies (which could deny) were not collected, so the action is unknown, never allowed or denied on partial data")


@scenario
def seed_flyte(b):
    """Flyte guide (IRSA): flyte-system-role for the backend, flyte-workers-role for task pods
    running as `default` in every project-domain namespace (StringLike `*:default`). The
    cluster is in us-east-1, so the guide's hard-coded us-east-1 `:sub` key matches."""
    c = Cluster(name="flyte", account="590183740312", region="us-east-1", issuer_id="66CBAF563FD1438BC98F1EF39FF8DACD")
    w = World(c=c, nodes=["ip-10-3-14-101.ec2.internal", "ip-10-3-60-17.ec2.internal"], layout="split")
    bucket = "flyte-metadata-590183740312"
    p = w.managed("flyte-custom-policy", policy(allow(["s3:DeleteObject*", "s3:GetObject*", "s3:ListBucket", "s3:PutObject*"],
                                                      [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])))
    sys_role = w.role("flyte-system-role", irsa_trust(c, ["system:serviceaccount:flyte:flyte-backend-flyte-binary"]), attached=[(p.name, p.arn)])
    workers = w.role("flyte-workers-role", irsa_trust(c, ["system:serviceaccount:*:default"], operator="StringLike"), attached=[(p.name, p.arn)])
    w.sa("flyte", "flyte-backend-flyte-binary", sys_role.arn, labels={"app.kubernetes.io/managed-by": "Helm"})
    w.app("flyte", "flyte-backend-flyte-binary", "flyte-backend-flyte-binary", kind="deploy",
          containers=[container("flyte", "cr.flyte.org/flyteorg/flyte-binary-release:v1.13.3", ports=[8088, 8089])],
          inject=w.irsa_inject(sys_role.arn), labels={"app.kubernetes.io/name": "flyte-binary", "app.kubernetes.io/instance": "flyte-backend"})
    for i, ns in enumerate(["flytesnacks-development", "flytesnacks-staging"]):
        w.sa(ns, "default", workers.arn)
        owner = {"apiVersion": "flyte.lyft.com/v1alpha1", "blockOwnerDeletion": True, "controller": True, "kind": "flyteworkflow",
                 "name": f"a{i}x7kq2m9vn", "uid": uid(ns, "wf")}
        tpl = pod_template("default", [container(f"a{i}x7kq2m9vn-n0-0", "cr.flyte.org/flyteorg/flytekit:py3.11-1.13.3")],
                           {"domain": ns.split("-")[1], "execution-id": f"a{i}x7kq2m9vn", "project": "flytesnacks"})
        tpl["spec"]["restartPolicy"] = "Never"
        w.k.bare_pod(f"a{i}x7kq2m9vn-n0-0", ns, tpl, w.node_names[i], inject=w.irsa_inject(workers.arn), owner=owner)
        w.namespaces.add(ns)
    w.emit(b)
    args = ["--action", "s3:PutObject", "--resource", f"arn:aws:s3:::{bucket}/metadata/propeller/x.pb"]
    b.expect("flyte", "flyte-backend-flyte-binary", None, status="ok", mechanism="irsa", codes=["PERMISSION_ALLOWED"], args=args,
             note="seed: Flyte backend (flyte-system-role, eksctl-style trust with the us-east-1 :sub key on a us-east-1 cluster)")
    for ns in ["flytesnacks-development", "flytesnacks-staging"]:
        b.expect(ns, "default", None, status="warning", mechanism="irsa", codes=["TRUST_WIDE_WILDCARD", "PERMISSION_ALLOWED"], args=args,
                 note="seed: Flyte task pods on flyte-workers-role via StringLike system:serviceaccount:*:default: works, flagged wide (D25)")


@scenario
def seed_enbuild(b):
    """ENBUILD guide (Pod Identity): AI -> Bedrock (specific-model policy), CTF -> S3
    (AmazonS3FullAccess); associations for enbuild-ai and enbuild-ctf; Deployments named
    enbuild-enbuild-* by the Helm release; hostNetwork disabled as the guide recommends."""
    c = Cluster(name="enbuild", account="123456789012", region="us-east-1", issuer_id="8E1F2A3B4C5D6E7F8091A2B3C4D5E6F7")
    w = World(c=c, nodes=["ip-192-168-10-21.ec2.internal", "ip-192-168-52-9.ec2.internal"], addon="list")
    ai_pol = w.managed("enbuild-ai-bedrock-specific", policy(allow(["bedrock:InvokeModel", "bedrock:ListFoundationModels"], "arn:aws:bedrock:*::foundation-model/*")))
    s3_full = ManagedPolicy("arn:aws:iam::aws:policy/AmazonS3FullAccess",
                            policy(allow(["s3:*", "s3-object-lambda:*"], "*")))
    w.policies.append(s3_full)
    ai = w.role("enbuild-ai-bedrock", pod_identity_trust(), attached=[(ai_pol.name, ai_pol.arn)])
    ctf = w.role("enbuild-ctf-s3", pod_identity_trust(), attached=[(s3_full.name, s3_full.arn)])
    helm = {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "enbuild"}
    for sa, role in [("enbuild-ai", ai), ("enbuild-ctf", ctf)]:
        w.sa("enbuild", sa, labels=helm)
        w.associations.append(Association(c, "enbuild", sa, role.arn))
        w.app("enbuild", f"enbuild-{sa}", sa, kind="deploy", inject=w.pi_inject(), labels={"app.kubernetes.io/name": sa, "app.kubernetes.io/instance": "enbuild"})
    w.emit(b)
    b.expect("enbuild", "enbuild-ai", None, status="ok", mechanism="pod-identity", codes=["PERMISSION_ALLOWED", "TRUST_POD_IDENTITY_UNSCOPED"],
             args=["--action", "bedrock:InvokeModel", "--resource", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"],
             note="seed: ENBUILD AI via Pod Identity as the guide sets it up (trust without conditions is info only)")
    b.expect("enbuild", "enbuild-ctf", None, status="ok", mechanism="pod-identity", codes=["PERMISSION_ALLOWED"],
             absent=["HOST_NETWORK_POD_IDENTITY"],
             args=["--action", "s3:GetObject", "--resource", "arn:aws:s3:::enbuild-ctf-challenges/flags.zip"],
             note="seed: ENBUILD CTF via Pod Identity with AmazonS3FullAccess, hostNetwork disabled")


@scenario
def seed_kubeflow(b):
    """Kubeflow guide (IRSA): the profile controller annotates each user's default-viewer SA
    with kf-user-<cluster>; the role's trust lists both profiles under one `:sub` key (the
    correct form of the guide's duplicate-key example); control plane on kf-admin-<cluster>."""
    c = Cluster(name="kubeflow", account="348134392524", region="us-west-2", issuer_id="D4E5F60718293A4B5C6D7E8F90A1B2C3")
    w = World(c=c, nodes=["ip-172-31-20-5.us-west-2.compute.internal", "ip-172-31-77-91.us-west-2.compute.internal"], addon=None, agent=False)
    user_pol = w.managed("kf-user-s3-read", policy(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::kubeflow-datasets", "arn:aws:s3:::kubeflow-datasets/*"])))
    users = w.role("kf-user-kubeflow", irsa_trust(c, ["system:serviceaccount:kubeflow-user-a:default-viewer",
                                                       "system:serviceaccount:kubeflow-user-b:default-viewer"]),
                   attached=[(user_pol.name, user_pol.arn)])
    admin = w.irsa_role("kf-admin-kubeflow", "kubeflow", "ml-pipeline", actions=["s3:*"], resources=["arn:aws:s3:::kubeflow-pipelines", "arn:aws:s3:::kubeflow-pipelines/*"])
    w.sa("kubeflow", "ml-pipeline", admin.arn)
    w.app("kubeflow", "ml-pipeline", "ml-pipeline", kind="deploy", containers=[container("ml-pipeline-api-server", "gcr.io/ml-pipeline/api-server:2.0.5", ports=[8888])],
          inject=w.irsa_inject(admin.arn))
    for i, ns in enumerate(["kubeflow-user-a", "kubeflow-user-b"]):
        w.sa(ns, "default-viewer", users.arn, labels={"app.kubernetes.io/part-of": "kubeflow-profile"})
        sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("notebook", ns, labels={"notebook-name": "notebook"}),
               "spec": {"replicas": 1, "selector": {"matchLabels": {"statefulset": "notebook"}}, "serviceName": "",
                        "template": pod_template("default-viewer", [container("notebook", "kubeflownotebookswg/jupyter-scipy:v1.8.0", ports=[8888])],
                                                 {"statefulset": "notebook", "notebook-name": "notebook"})},
               "status": {"availableReplicas": 1, "readyReplicas": 1, "replicas": 1}}
        w.k.add(sts)
        w.k.bare_pod("notebook-0", ns, sts["spec"]["template"], w.node_names[i], inject=w.irsa_inject(users.arn),
                     owner=owner_ref("StatefulSet", "notebook", ns))
        w.namespaces.add(ns)
    w.emit(b)
    args = ["--action", "s3:GetObject", "--resource", "arn:aws:s3:::kubeflow-datasets/mnist/train.csv"]
    for ns in ["kubeflow-user-a", "kubeflow-user-b"]:
        b.expect(ns, "default-viewer", None, status="ok", mechanism="irsa", codes=["PERMISSION_ALLOWED"], args=args,
                 note="seed: Kubeflow profile default-viewer on kf-user-<cluster>; both profiles listed under one :sub key")
    b.expect("kubeflow", "ml-pipeline", None, status="ok", mechanism="irsa",
             note="seed: Kubeflow control plane (ml-pipeline) on kf-admin-<cluster>")


# ====================================================================== the five seed guides, before `setup`


def expect_no_identity(b, ns, sa, note):
    b.expect(ns, sa, None, status="ok", mechanism="none", codes=["NO_AWS_IDENTITY"], note=note)


@scenario
def setup_before_langflow(b):
    """Langflow guide before any AWS identity (issue 12): the Deployment runs as `default`, no
    langflow-sa, no role; the cluster's OIDC provider exists. `setup` builds seed-langflow."""
    c = Cluster(name="langflow-prod", account="130376568147", region="us-east-1", issuer_id="EXAMPLED539D4633E53DE1B71EXAMPLE")
    w = World(c=c, nodes=["ip-192-168-33-10.ec2.internal", "ip-192-168-71-200.ec2.internal"], layout="list-yaml")
    lf = container("langflow", "langflow/langflow:latest", env=[env("AWS_REGION", "us-east-1")], ports=[7860])
    w.app("langflow", "langflow", "default", kind="deploy", containers=[lf], labels={"app": "langflow"})
    w.emit(b)
    expect_no_identity(b, "langflow", "default", "before setup: Langflow runs as default with no AWS identity")


@scenario
def setup_before_litellm(b):
    """TLM/LiteLLM guide before any AWS identity: the chat backend runs as `default` with its
    ConfigMap env only, no tlm-chat-backend SA, no role, and NO OIDC provider for the cluster's
    issuer (the setup plan must create it)."""
    c = Cluster(name="tlm-aws", account="123456789012", region="us-west-2", issuer_id="5F0C2B7A9E3D41C68B2A7F9E1D3C5B7A")
    w = World(c=c, nodes=["ip-10-20-1-15.us-west-2.compute.internal"])
    w.providers = {c.account: []}
    cb = container("chat-backend", "registry.example.com/tlm/chat-backend:0.18.3",
                   env_from=[{"configMapRef": {"name": "tlm-chat-backend-defaults"}}], ports=[8000])
    w.app("tlm", "tlm-chat-backend", "default", kind="deploy", containers=[cb],
          labels={"app.kubernetes.io/component": "chat-backend", "app.kubernetes.io/instance": "tlm"})
    w.emit(b)
    expect_no_identity(b, "tlm", "default", "before setup: the chat backend runs as default; no OIDC provider yet")


@scenario
def setup_before_flyte(b):
    """Flyte guide before the workers' role, between executions: the project namespaces exist
    with their `default` SAs, unannotated, no task pod running (task pods are created per
    execution, after the setup), no flyte-workers-role."""
    c = Cluster(name="flyte", account="590183740312", region="us-east-1", issuer_id="66CBAF563FD1438BC98F1EF39FF8DACD")
    w = World(c=c, nodes=["ip-10-3-14-101.ec2.internal", "ip-10-3-60-17.ec2.internal"], layout="split")
    for ns in ["flytesnacks-development", "flytesnacks-staging"]:
        w.namespaces.add(ns)
    w.emit(b)
    b.expect("flytesnacks-development", "default", "annotation", status="broken", mechanism="none", codes=["ANNOTATION_MISSING"],
             note="before setup: the project's default SA, asked about by name, has no role to give its task pods")


@scenario
def setup_before_enbuild(b):
    """ENBUILD guide before Pod Identity: the Helm chart created enbuild-ai and enbuild-ctf
    (no annotation), the Deployments run as them, no roles, no associations; the agent add-on
    and its DaemonSet are installed (Step 2)."""
    c = Cluster(name="enbuild", account="123456789012", region="us-east-1", issuer_id="8E1F2A3B4C5D6E7F8091A2B3C4D5E6F7")
    w = World(c=c, nodes=["ip-192-168-10-21.ec2.internal", "ip-192-168-52-9.ec2.internal"], addon="list")
    w.pod_identity = True
    helm = {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "enbuild"}
    for sa in ["enbuild-ai", "enbuild-ctf"]:
        w.sa("enbuild", sa, labels=helm)
        w.app("enbuild", f"enbuild-{sa}", sa, kind="deploy", labels={"app.kubernetes.io/name": sa, "app.kubernetes.io/instance": "enbuild"})
    w.emit(b)
    expect_no_identity(b, "enbuild", "enbuild-ai", "before setup: the Helm-made service account, no association, no role")


@scenario
def setup_before_kubeflow(b):
    """Kubeflow guide before the profiles get AWS access: kfctl made kf-user-kubeflow (no
    policies) trusting the first profile's default-editor; each profile's default-viewer SA is
    unannotated and its notebook runs as it."""
    c = Cluster(name="kubeflow", account="348134392524", region="us-west-2", issuer_id="D4E5F60718293A4B5C6D7E8F90A1B2C3")
    w = World(c=c, nodes=["ip-172-31-20-5.us-west-2.compute.internal", "ip-172-31-77-91.us-west-2.compute.internal"], addon=None, agent=False)
    w.role("kf-user-kubeflow", irsa_trust(c, ["system:serviceaccount:kubeflow-user-a:default-editor"]))
    for i, ns in enumerate(["kubeflow-user-a", "kubeflow-user-b"]):
        w.sa(ns, "default-viewer", labels={"app.kubernetes.io/part-of": "kubeflow-profile"})
        sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("notebook", ns, labels={"notebook-name": "notebook"}),
               "spec": {"replicas": 1, "selector": {"matchLabels": {"statefulset": "notebook"}}, "serviceName": "",
                        "template": pod_template("default-viewer", [container("notebook", "kubeflownotebookswg/jupyter-scipy:v1.8.0", ports=[8888])],
                                                 {"statefulset": "notebook", "notebook-name": "notebook"})},
               "status": {"availableReplicas": 1, "readyReplicas": 1, "replicas": 1}}
        w.k.add(sts)
        w.k.bare_pod("notebook-0", ns, sts["spec"]["template"], w.node_names[i], owner=owner_ref("StatefulSet", "notebook", ns))
        w.namespaces.add(ns)
    w.emit(b)
    for ns in ["kubeflow-user-a", "kubeflow-user-b"]:
        expect_no_identity(b, ns, "default-viewer", "before setup: the profile's default-viewer has no role yet")


# ====================================================================== missing data


@scenario
def aws_data_missing(b):
    """Only Kubernetes objects and the IAM roles: no describe-cluster, no OIDC providers, no
    associations, no add-on. Nothing can be called broken for lack of data: exit 3."""
    w = World(addon=None)
    w.cluster_file = False
    w.providers = {}
    w.associations = None
    s, r, _ = w.healthy_irsa("shop", "orders")
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "orders", None, status="unknown", mechanism="irsa", codes=["CLUSTER_NOT_COLLECTED"],
             absent=["OIDC_PROVIDER_MISSING"],
             note="no cluster.json: the oidc-provider and trust links are unknown, never broken")
    b.expect("shop", "billing", None, status="unknown", mechanism="pod-identity", codes=["ASSOCIATIONS_NOT_COLLECTED"],
             absent=["ASSOCIATION_MISSING", "AGENT_MISSING"],
             note="pods carry Pod Identity env but associations and the agent add-on were not collected: unknown")


@scenario
def kube_only(b):
    """A bundle of kubectl output only (no AWS CLI output at all)."""
    w = World(addon=None)
    w.cluster_file = False
    w.providers = {}
    w.associations = None
    r = Role(w.c, "orders-irsa", {})
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", None, status="unknown", codes=["ROLE_NOT_COLLECTED", "CLUSTER_NOT_COLLECTED"],
             note="kubectl output only: pod, SA, annotation and injection are judged; every AWS link is unknown (exit 3)")


@scenario
def associations_access_denied(b):
    """ListPodIdentityAssociations answered AccessDenied; the CLI's error text is in the bundle."""
    w = World()
    w.associations = None
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.text("pod-identity-associations.txt",
           "\nAn error occurred (AccessDeniedException) when calling the ListPodIdentityAssociations operation: User: arn:aws:sts::444455556666:assumed-role/ReadOnly/dev is not authorized to perform: eks:ListPodIdentityAssociations on resource: arn:aws:eks:eu-west-1:444455556666:cluster/prod-eu\n")
    b.expect("shop", "billing", None, status="unknown", mechanism="pod-identity", codes=["ASSOCIATIONS_NOT_COLLECTED"],
             absent=["ASSOCIATION_MISSING"],
             note="access denied on eks:ListPodIdentityAssociations: the association link is unknown (grant the permission), not broken")



# ====================================================================== more failure modes


@scenario
def injection_stale_role(b):
    """A1: the annotation was switched to a new role; running pods still carry the old one the
    webhook injected at creation (not from the manifest)."""
    w = World()
    new = w.irsa_role("cart-irsa-v2", "shop", "cart")
    old = w.c.role_arn("cart-irsa")
    w.sa("shop", "cart", new.arn, managed_fields=[
        managed_field("argocd-controller", "Apply", "2026-10-04T16:00:00Z", annotations=["eks.amazonaws.com/role-arn"])])
    w.app("shop", "cart", "cart", kind="deploy", inject=w.irsa_inject(old))
    w.emit(b)
    b.expect("shop", "cart", "injection", codes=["INJECTION_STALE"], absent=["ENV_HARDCODED"], status="broken",
             note="A1: pods run with the previous role cart-irsa; the SA now names cart-irsa-v2; restart to pick it up")


@scenario
def sts_global_endpoint(b):
    w = World()
    s, r, _ = w.healthy_irsa("shop", "orders")
    s["metadata"]["annotations"]["eks.amazonaws.com/sts-regional-endpoints"] = "false"
    w.emit(b)
    b.expect("shop", "orders", None, codes=["STS_GLOBAL_ENDPOINT"], status="warning",
             note="C18/C14: sts-regional-endpoints=false sends SDKs to the global STS endpoint")


@scenario
def token_expiration_invalid(b):
    w = World()
    s, r, _ = w.healthy_irsa("shop", "orders")
    s["metadata"]["annotations"]["eks.amazonaws.com/token-expiration"] = "300"
    w.emit(b)
    b.expect("shop", "orders", None, codes=["TOKEN_EXPIRATION_INVALID"], status="warning",
             note="token-expiration below the 600 s minimum: the webhook falls back to its default (warning)")


@scenario
def irsa_china_healthy(b):
    c = Cluster(name="cn-prod", account="111122223333", region="cn-north-1", issuer_id="9C8B7A6D5E4F3021A0B1C2D3E4F50617", partition="aws-cn")
    w = World(c=c, nodes=["ip-10-8-1-20.cn-north-1.compute.internal"])
    w.healthy_irsa("shop", "orders", resources="arn:aws-cn:s3:::app-data/*")
    w.emit(b)
    b.expect("shop", "orders", None, status="ok", mechanism="irsa", absent=["ROLE_ARN_PARTITION_MISMATCH"],
             args=["--action", "s3:GetObject", "--resource", "arn:aws-cn:s3:::app-data/a.json"], codes=["PERMISSION_ALLOWED"],
             note="healthy IRSA in the China partition: aws-cn ARNs and the .amazonaws.com.cn issuer")


@scenario
def role_arn_partition_china(b):
    c = Cluster(name="cn-prod", account="111122223333", region="cn-north-1", issuer_id="9C8B7A6D5E4F3021A0B1C2D3E4F50617", partition="aws-cn")
    w = World(c=c, nodes=["ip-10-8-1-20.cn-north-1.compute.internal"])
    r = w.irsa_role("orders-irsa", "shop", "orders")
    wrong = r.arn.replace("arn:aws-cn:", "arn:aws:")
    w.sa("shop", "orders", wrong)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(wrong))
    w.emit(b)
    b.expect("shop", "orders", "annotation", codes=["ROLE_ARN_PARTITION_MISMATCH"], status="broken",
             note="C14: an `arn:aws:` role ARN on a cn-north-1 cluster (partition aws-cn)")


@scenario
def pod_uses_default_sa(b):
    """A8: the Deployment forgot serviceAccountName; the `payments` SA it was meant to use is
    configured."""
    w = World()
    r = w.irsa_role("payments-irsa", "shop", "payments")
    w.sa("shop", "payments", r.arn)
    w.app("shop", "payments", None, kind="deploy")
    w.emit(b)
    b.expect("shop", "default", "annotation", codes=["POD_USES_DEFAULT_SA", "ANNOTATION_MISSING"], status="broken",
             note="A8: pods run as `default` while SA `payments` (same name as the Deployment) has the role")


@scenario
def irsa_windows_no_selector(b):
    w = World()
    win = "ip-10-0-88-10.eu-west-1.compute.internal"
    w.node_names.append(win)
    w.nodes.append(node(win, region=w.c.region, os_="windows", nodegroup="windows"))
    w.agent_nodes = w.node_names[:1]
    w.healthy_irsa("shop", "legacy-report", node_name=win)
    w.emit(b)
    b.expect("shop", "legacy-report", None, codes=["WINDOWS_NODE_SELECTOR"], status="warning",
             note="G41: IRSA on a Windows node without nodeSelector kubernetes.io/os: windows gets Linux token paths")


@scenario
def irsa_fargate_healthy(b):
    w = World()
    fg = "fargate-ip-10-0-77-12.eu-west-1.compute.internal"
    w.node_names.append(fg)
    w.nodes.append(node(fg, region=w.c.region, compute_type="fargate"))
    w.agent_nodes = w.node_names[:1]
    w.healthy_irsa("shop", "orders", node_name=fg)
    w.emit(b)
    b.expect("shop", "orders", None, status="ok", absent=["UNSUPPORTED_FARGATE"],
             note="G41: IRSA works on Fargate (only Pod Identity does not)")


def running_job(w, ns, name, sa, role_arn=None, pod_created=POD_CREATED, cron=None):
    """A Job (of CronJob `cron` when given) with one running pod, injected with `role_arn` or
    not at all; returns the pod template."""
    tpl = pod_template(sa, [container(name, f"registry.example.com/{name}:2.0.1")], {"app.kubernetes.io/name": name})
    tpl["spec"]["restartPolicy"] = "Never"
    job_name = f"{cron}-29321460" if cron else name
    if cron:
        w.k.add({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(cron, ns),
                 "spec": {"concurrencyPolicy": "Forbid", "schedule": "0 * * * *", "suspend": False,
                          "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                          "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": {"backoffLimit": 1, "template": tpl}}},
                 "status": {"lastScheduleTime": pod_created}})
    owner = owner_ref("CronJob", cron, ns, api_version="batch/v1") if cron else None
    w.k.add({"apiVersion": "batch/v1", "kind": "Job",
             "metadata": meta(job_name, ns, created=pod_created, labels={"batch.kubernetes.io/job-name": job_name}, owner=owner),
             "spec": {"backoffLimit": 1, "completions": 1, "parallelism": 1, "template": tpl},
             "status": {"active": 1, "startTime": pod_created}})
    w.k.add(pod(f"{job_name}-q7x2m", ns, tpl, w.node0, pod_created,
                owner=owner_ref("Job", job_name, ns, api_version="batch/v1"),
                inject=w.irsa_inject(role_arn) if role_arn else None))
    w.namespaces.add(ns)
    return tpl


@scenario
def job_pod_before_annotation(b):
    """A1 for a Job: annotated after its pod started; no restart exists for a Job's pods, so the
    plan names the Job for re-creation."""
    w = World()
    r = w.irsa_role("backfill-irsa", "etl", "backfill", actions=["s3:GetObject"], resources="arn:aws:s3:::raw-events/*")
    w.sa("etl", "backfill", r.arn, created="2026-09-20T07:00:00Z", managed_fields=[
        managed_field("kubectl-client-side-apply", "Update", "2026-09-20T07:00:00Z", annotations=["kubectl.kubernetes.io/last-applied-configuration"]),
        managed_field("kubectl-annotate", "Update", "2026-10-03T14:22:10Z", annotations=["eks.amazonaws.com/role-arn"]),
    ])
    running_job(w, "etl", "backfill", "backfill")
    w.emit(b)
    b.expect("etl", "backfill", "injection", codes=["INJECTION_MISSING"], status="broken", mechanism="irsa",
             note="A1: the Job's pod predates the annotation; a Job is re-created from its manifest (no rollout restart)")


@scenario
def cronjob_annotation_missing_trusted(b):
    """A7 for a CronJob's run: the annotation is missing while the role trusts the SA; the fix
    annotates, and the CronJob's next run picks it up."""
    w = World()
    r = w.irsa_role("reports-irsa", "etl", "reports", actions=["s3:PutObject"], resources="arn:aws:s3:::reports/*")
    w.sa("etl", "reports", annotations={"meta.helm.sh/release-name": "reports"})
    running_job(w, "etl", "reports", "reports", cron="hourly-reports")
    w.emit(b)
    b.expect("etl", "reports", "annotation", codes=["ANNOTATION_MISSING"], status="broken",
             note="A7: CronJob -> Job -> Pod; the fix annotates and names the CronJob's next run")


@scenario
def cronjob_irsa(b):
    """A CronJob's last run: CronJob -> Job -> completed Pod, all on IRSA."""
    w = World()
    r = w.irsa_role("nightly-export", "analytics", "exporter", actions=["s3:PutObject"], resources="arn:aws:s3:::exports/*")
    w.sa("analytics", "exporter", r.arn)
    w.namespaces.add("analytics")
    tpl = pod_template("exporter", [container("export", "registry.example.com/export:4.1.0")], {"app.kubernetes.io/name": "nightly-export"})
    tpl["spec"]["restartPolicy"] = "OnFailure"
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("nightly-export", "analytics"),
          "spec": {"concurrencyPolicy": "Forbid", "failedJobsHistoryLimit": 1, "schedule": "0 2 * * *", "successfulJobsHistoryLimit": 3, "suspend": False,
                   "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": {"backoffLimit": 2, "template": tpl}}},
          "status": {"lastScheduleTime": "2026-10-02T02:00:00Z", "lastSuccessfulTime": "2026-10-02T02:03:12Z"}}
    job = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": meta("nightly-export-29321400", "analytics", created="2026-10-02T02:00:00Z", labels={"batch.kubernetes.io/job-name": "nightly-export-29321400"},
                            owner=owner_ref("CronJob", "nightly-export", "analytics", api_version="batch/v1")),
           "spec": {"backoffLimit": 2, "completions": 1, "parallelism": 1, "template": tpl},
           "status": {"completionTime": "2026-10-02T02:03:12Z", "conditions": [{"lastProbeTime": "2026-10-02T02:03:12Z", "lastTransitionTime": "2026-10-02T02:03:12Z", "status": "True", "type": "Complete"}],
                      "startTime": "2026-10-02T02:00:00Z", "succeeded": 1}}
    w.k.add(cj, job)
    w.k.add(pod("nightly-export-29321400-x8k2p", "analytics", tpl, w.node0, "2026-10-02T02:00:00Z",
                owner=owner_ref("Job", "nightly-export-29321400", "analytics", api_version="batch/v1"),
                inject=w.irsa_inject(r.arn), ready=False, phase="Succeeded"))
    w.emit(b)
    b.expect("analytics", "exporter", None, status="ok", mechanism="irsa",
             note="CronJob -> Job -> Pod ownership resolves to the CronJob; a completed, not-Ready pod is healthy")


@scenario
def env_from_secret(b):
    w = World()
    r = w.irsa_role("mailer-irsa", "comms", "mailer", actions=["ses:SendEmail"], resources="*")
    w.sa("comms", "mailer", r.arn)
    c = container("mailer", "registry.example.com/mailer:3.2.0", env_from=[{"secretRef": {"name": "mailer-smtp"}}])
    w.app("comms", "mailer", "mailer", containers=[c], inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("comms", "mailer", None, codes=["ENV_FROM_SECRET"], status="ok",
             note="B9: envFrom a Secret could hold AWS keys; info only (Secrets are never collected)")


@scenario
def admin_access(b):
    w = World()
    r = w.role("ops-admin-irsa", irsa_trust(w.c, ["system:serviceaccount:ops:admin-bot"]),
               attached=[("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess")])
    w.policies.append(ManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess", policy(allow("*", "*"))))
    w.sa("ops", "admin-bot", r.arn)
    w.app("ops", "admin-bot", "admin-bot", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("ops", "admin-bot", None, codes=["ADMIN_ACCESS"], status="warning",
             note="AdministratorAccess on a workload role: works, flagged")


@scenario
def trust_explicit_deny(b):
    w = World()
    t = irsa_trust(w.c, ["system:serviceaccount:shop:*"], operator="StringLike")
    t["Statement"].append({"Sid": "NoCart", "Effect": "Deny", "Principal": {"Federated": w.c.provider_arn()}, "Action": "sts:AssumeRoleWithWebIdentity",
                           "Condition": {"StringEquals": {f"{w.c.issuer_host}:sub": "system:serviceaccount:shop:cart"}}})
    trust_case(b, t, "shop", "cart", "trust", ["TRUST_EXPLICIT_DENY"], app="cart", encoded=False,
               note="a Deny statement for shop:cart beats the namespace-wide Allow")


@scenario
def trust_wrong_action(b):
    w = World()
    t = irsa_trust(w.c, ["system:serviceaccount:shop:cart"])
    t["Statement"][0]["Action"] = "sts:AssumeRole"
    trust_case(b, t, "shop", "cart", "trust", ["TRUST_WRONG_ACTION"], app="cart",
               note="D25: Federated principal with sts:AssumeRole instead of sts:AssumeRoleWithWebIdentity")


@scenario
def trust_multi_cluster_ok(b):
    """D23 done right: one statement per cluster."""
    w = World()
    other = f"oidc.eks.us-east-1.amazonaws.com/id/{OTHER_ISSUER}"
    t = irsa_trust(w.c, ["system:serviceaccount:shop:cart"], issuer_host=other)
    t["Statement"].append(irsa_trust(w.c, ["system:serviceaccount:shop:cart"])["Statement"][0])
    trust_case(b, t, "shop", "cart", None, [], status="ok", absent=["TRUST_ISSUERS_ANDED", "TRUST_PROVIDER_MISMATCH"], app="cart",
               note="D23: two clusters, one statement each: the second statement matches this cluster")


@scenario
def trust_audience_custom_ok(b):
    """C15 done right: custom audience in the annotation, the provider and the trust."""
    w = World()
    w.providers[w.c.account] = [(w.c.issuer_host, ["sts.amazonaws.com", "vault.example.com"])]
    r = w.role("vault-auth", irsa_trust(w.c, ["system:serviceaccount:security:vault"], audience="vault.example.com"),
               actions=["kms:Decrypt"], resources="*")
    w.sa("security", "vault", r.arn, annotations={"eks.amazonaws.com/audience": "vault.example.com"})
    w.app("security", "vault", "vault", inject=w.irsa_inject(r.arn, audience="vault.example.com"))
    w.emit(b)
    b.expect("security", "vault", None, status="ok", codes=["AUDIENCE_ANNOTATION"], absent=["AUDIENCE_NOT_IN_CLIENT_IDS", "TRUST_AUD_MISMATCH"],
             note="C15: a custom audience works when the provider's ClientIDList and the trust's :aud both carry it")


@scenario
def trust_aud_mismatch(b):
    """C15: the annotation asks for a custom audience the provider accepts, but the trust still
    requires sts.amazonaws.com."""
    w = World()
    w.providers[w.c.account] = [(w.c.issuer_host, ["sts.amazonaws.com", "vault.example.com"])]
    r = w.role("vault-auth", irsa_trust(w.c, ["system:serviceaccount:security:vault"]), actions=["kms:Decrypt"], resources="*")
    w.sa("security", "vault", r.arn, annotations={"eks.amazonaws.com/audience": "vault.example.com"})
    w.app("security", "vault", "vault", inject=w.irsa_inject(r.arn, audience="vault.example.com"))
    w.emit(b)
    b.expect("security", "vault", "trust", codes=["TRUST_AUD_MISMATCH"], status="broken",
             note="C15: token audience vault.example.com, trust :aud requires sts.amazonaws.com")


@scenario
def pi_trust_condition_namespace(b):
    w = World()
    w.healthy_pi("shop", "billing", trust=scoped_pi_trust(w, "payments", "billing"))
    w.emit(b)
    b.expect("shop", "billing", "trust", codes=["TRUST_CONDITION_FAILED"], status="broken",
             note="F32: the trust requires aws:RequestTag/kubernetes-namespace=payments; the pods run in shop")


@scenario
def pi_trust_scoped_ok(b):
    w = World()
    w.healthy_pi("shop", "billing", trust=scoped_pi_trust(w, "shop", "billing"))
    w.emit(b)
    b.expect("shop", "billing", None, status="ok", absent=["TRUST_POD_IDENTITY_UNSCOPED"],
             note="F32: trust scoped by aws:SourceAccount and the kubernetes-namespace / kubernetes-service-account session tags")


@scenario
def pi_target_role_no_tagsession(b):
    """F36/E28: cross-account with targetRoleArn; the target's trust allows sts:AssumeRole from
    the association's role but not sts:TagSession (tags are transitive)."""
    w = World()
    data = "777788889999"
    first = w.role("billing-pod-identity", pod_identity_trust(), actions=["sts:AssumeRole", "sts:TagSession"], resources=f"arn:aws:iam::{data}:role/billing-data")
    target_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": first.arn}, "Action": "sts:AssumeRole"}]}
    w.role("billing-data", target_trust, account=data, actions=["dynamodb:GetItem"], resources="*")
    w.associations.append(Association(w.c, "shop", "billing", first.arn, target_role_arn=f"arn:aws:iam::{data}:role/billing-data"))
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "billing", "trust", codes=["TARGET_ROLE_TRUST", "ASSOCIATION_TARGET_ROLE"], status="broken",
             note="E28: `is not authorized to perform: sts:TagSession` on the chained hop to the target role")


@scenario
def pi_session_tags_disabled_abac(b):
    """E29: the permission policy uses aws:PrincipalTag/kubernetes-namespace but the association
    disables session tags."""
    w = World()
    abac = policy(allow(["dynamodb:GetItem", "dynamodb:Query"], f"arn:aws:dynamodb:{w.c.region}:{w.c.account}:table/*",
                        condition={"StringEquals": {"aws:PrincipalTag/kubernetes-namespace": "shop"}}))
    r = w.role("billing-pod-identity", pod_identity_trust(), inline={"abac": abac})
    w.associations.append(Association(w.c, "shop", "billing", r.arn, disable_session_tags=True))
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "billing", "permissions", codes=["ABAC_TAGS_DISABLED"], status="broken",
             args=["--action", "dynamodb:GetItem", "--resource", f"arn:aws:dynamodb:{w.c.region}:{w.c.account}:table/invoices"],
             note="E29: disableSessionTags=true removes aws:PrincipalTag/kubernetes-namespace that the policy conditions on")


@scenario
def pi_addon_degraded(b):
    w = World()
    w.addon_status = ("DEGRADED", [("InsufficientNumberOfReplicas", "The add-on is unhealthy because it doesn't have the desired number of replicas.")])
    w.healthy_pi("shop", "billing")
    w.emit(b)
    b.expect("shop", "billing", None, codes=["AGENT_ADDON_DEGRADED"], status="warning",
             note="A3: the agent add-on reports DEGRADED / InsufficientNumberOfReplicas while the pod's node has a Ready agent")


@scenario
def pi_addon_owned_association(b):
    """G44: an add-on's own association (ownerArn) for the EBS CSI controller."""
    w = World()
    r = w.role("AmazonEKS_EBS_CSI_DriverRole", pod_identity_trust(), attached=[("AmazonEBSCSIDriverPolicy", "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy")])
    w.policies.append(ManagedPolicy("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
                                    policy(allow(["ec2:CreateVolume", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DescribeVolumes"], "*")),
                                    name="AmazonEBSCSIDriverPolicy"))
    w.associations.append(Association(w.c, "kube-system", "ebs-csi-controller-sa", r.arn,
                                      owner_arn=f"arn:aws:eks:{w.c.region}:{w.c.account}:addon/{w.c.name}/aws-ebs-csi-driver/5ec9a7b2-0d1e-4f5a-8b6c-7d8e9f0a1b2c"))
    w.sa("kube-system", "ebs-csi-controller-sa", labels={"app.kubernetes.io/managed-by": "EKS", "app.kubernetes.io/name": "aws-ebs-csi-driver"})
    w.app("kube-system", "ebs-csi-controller", "ebs-csi-controller-sa", inject=w.pi_inject(), kind="deploy", replicas=2,
          labels={"app": "ebs-csi-controller", "app.kubernetes.io/name": "aws-ebs-csi-driver"})
    w.emit(b)
    b.expect("kube-system", "ebs-csi-controller-sa", None, codes=["ASSOCIATION_ADDON_OWNED"], status="ok",
             args=["--action", "ec2:CreateVolume", "--resource", "*"],
             note="G44: add-on-owned association (ownerArn): change it through the add-on; two replicas, both injected")


@scenario
def pi_agent_selfmanaged(b):
    """F30: no EKS add-on (DescribeAddon: not found) but the agent runs from its Helm chart."""
    w = World(addon="not-found")
    w.healthy_pi("shop", "billing")
    w.emit(b)
    b.expect("shop", "billing", None, status="ok", absent=["AGENT_MISSING"],
             note="F30: the agent DaemonSet from the Helm chart counts as installed although the add-on does not exist")


@scenario
def pi_stale_association_env(b):
    """F39: annotation removed after migration, association created, but the pods were never
    restarted: they still carry IRSA env (and IRSA still works until the trust drops it)."""
    w = World()
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:billing"])
    trust["Statement"].append(pod_identity_trust()["Statement"][0])
    r = w.role("billing-role", trust, actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "shop", "billing", r.arn, created="2026-10-10T08:00:00.000000+00:00"))
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "billing", None, codes=["STILL_ON_IRSA"], absent=["BOTH_MECHANISMS"], mechanism="pod-identity", status="warning",
             note="F39: association only (annotation removed); pods created before it still run on IRSA until restarted")



@scenario
def both_env_sets_web_identity_wins(b):
    """F39: association in place (pods got Pod Identity env), but the manifest still hard-codes
    AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE: web identity is earlier in every SDK chain."""
    w = World()
    r = w.role("billing-pod-identity", pod_identity_trust(), actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "shop", "billing", r.arn))
    w.sa("shop", "billing")
    c = container("billing", "registry.example.com/billing:2.3.0",
                  env=[env("AWS_ROLE_ARN", w.c.role_arn("billing-irsa")),
                       env("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")])
    w.app("shop", "billing", "billing", kind="deploy", containers=[c], inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "billing", "injection", codes=["ENV_HARDCODED"], mechanism="pod-identity", status="broken",
             note="F39/A5: the hard-coded web identity variables win over the injected Pod Identity ones, so the association is never used")


@scenario
def association_deleted_pods_stale(b):
    """F39 in reverse: the team went back to IRSA (association deleted, annotation added) but
    the running pods still carry the Pod Identity variables."""
    w = World()
    r = w.irsa_role("billing-irsa", "shop", "billing", actions=["sqs:SendMessage"], resources="*")
    w.sa("shop", "billing", r.arn, managed_fields=[
        managed_field("kubectl-annotate", "Update", "2026-10-06T09:00:00Z", annotations=["eks.amazonaws.com/role-arn"])])
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "billing", "injection", codes=["INJECTION_STALE"], mechanism="irsa", status="broken",
             note="pods carry Pod Identity env but no association exists any more: the agent refuses them; restart so the webhook injects IRSA")


@scenario
def audience_changed_after_pod(b):
    """C15/A1: the audience annotation was changed after the pods were created."""
    w = World()
    w.providers[w.c.account] = [(w.c.issuer_host, ["sts.amazonaws.com", "vault.example.com"])]
    r = w.role("vault-auth", irsa_trust(w.c, ["system:serviceaccount:security:vault"], audience="vault.example.com"),
               actions=["kms:Decrypt"], resources="*")
    w.sa("security", "vault", r.arn, annotations={"eks.amazonaws.com/audience": "vault.example.com"})
    w.app("security", "vault", "vault", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("security", "vault", "injection", codes=["INJECTION_STALE"], status="broken",
             note="C15: the pod's token is still issued for sts.amazonaws.com; the SA (and trust) now want vault.example.com")



@scenario
def webhook_missing_running_pods(b):
    """A4: the webhook configuration was deleted after the pods were created: they still work,
    the next rollout will not."""
    w = World(webhook=False)
    w.healthy_irsa("shop", "api", actions=["dynamodb:GetItem"], resources="*")
    w.emit(b)
    b.expect("shop", "api", None, codes=["WEBHOOK_MISSING"], absent=["INJECTION_MISSING"], status="warning",
             note="A4: injected pods keep working, but without pod-identity-webhook new pods get nothing: a warning")



@scenario
def sts_legacy_endpoint_env(b):
    """C14: a chart pins AWS_STS_REGIONAL_ENDPOINTS=legacy on a cluster in an opt-in region."""
    c = Cluster(name="me-prod", account="444455556666", region="me-south-1", issuer_id="AB12CD34EF56AB78CD90EF12AB34CD56")
    w = World(c=c, nodes=["ip-10-5-1-9.me-south-1.compute.internal"])
    r = w.irsa_role("orders-irsa", "shop", "orders")
    w.sa("shop", "orders", r.arn)
    ct = container("orders", "registry.example.com/orders:1.4.2", env=[env("AWS_STS_REGIONAL_ENDPOINTS", "legacy")])
    w.app("shop", "orders", "orders", containers=[ct], inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", None, codes=["STS_LEGACY_ENDPOINT_ENV"], status="warning",
             note="C14: AWS_STS_REGIONAL_ENDPOINTS=legacy sends older SDKs to the global STS endpoint (me-south-1 is an opt-in region)")


@scenario
def trust_provider_wrong_account(b):
    """D22/C13: a cross-account role whose trust names the provider ARN of the cluster account
    (copied from the cluster account's role) instead of its own account's provider."""
    w = World()
    data = "777788889999"
    # Only the list for the data account: a get-open-id-connect-provider output carries no ARN,
    # so a second one with the same URL could not be told apart from the cluster account's.
    w.providers[data] = [(w.c.issuer_host, None)]
    r = w.role("reports-reader", irsa_trust(w.c, ["system:serviceaccount:analytics:reports"]), account=data,
               actions=["s3:GetObject"], resources="arn:aws:s3:::data-lake/*")
    w.sa("analytics", "reports", r.arn)
    w.app("analytics", "reports", "reports", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("analytics", "reports", "trust", codes=["TRUST_PROVIDER_MISMATCH", "ROLE_CROSS_ACCOUNT"], status="broken",
             note="D22: the role in 777788889999 trusts the provider ARN of account 444455556666; STS uses the provider in the role's account")



@scenario
def skip_label_false(b):
    """A6: `skip-pod-identity-webhook: "false"` still skips: the webhook's objectSelector is
    DoesNotExist on the key."""
    w = World()
    r = w.irsa_role("crawler-irsa", "catalog", "crawler")
    w.sa("catalog", "crawler", r.arn)
    w.app("catalog", "crawler", "crawler", labels={"app.kubernetes.io/name": "crawler", "eks.amazonaws.com/skip-pod-identity-webhook": "false"})
    w.emit(b)
    b.expect("catalog", "crawler", "injection", codes=["SKIP_LABEL"], absent=["INJECTION_MISSING"], status="broken",
             note="A6: the label with value \"false\" still opts out (objectSelector: DoesNotExist)")



@scenario
def pi_role_not_found(b):
    """F36: the association names a role that was deleted (or never created: IAM would have
    refused the association, but a role can be deleted after)."""
    w = World()
    w.role("billing-pod-identity", pod_identity_trust(), actions=["sqs:SendMessage"])
    w.associations.append(Association(w.c, "shop", "billing", w.c.role_arn("billing-pod-identiy")))
    w.sa("shop", "billing")
    w.app("shop", "billing", "billing", inject=w.pi_inject())
    w.emit(b)
    b.expect("shop", "billing", "role", codes=["ROLE_NOT_FOUND"], mechanism="pod-identity", status="broken",
             note="the association's role billing-pod-identiy does not exist (complete role list); billing-pod-identity is suggested")


# ====================================================================== service accounts no pod runs as yet, and silent inputs


@scenario
def sa_only_malformed_arn(b):
    """C17 before deploying: the service account is set up first with a role name where the ARN
    belongs; no workload runs as it yet, so it is diagnosed as the chain a new pod would get."""
    w = World()
    w.irsa_role("reports-irsa", "analytics", "reports")
    w.sa("analytics", "reports", "reports-irsa")
    w.emit(b)
    b.expect("analytics", "reports", "annotation", codes=["ROLE_ARN_MALFORMED"], status="broken", mechanism="irsa",
             note="C17: `reports-irsa` is not a role ARN; no pods yet, so pod and injection are skipped and the rest is judged")


@scenario
def sa_only_irsa_ready(b):
    """Langflow guide, step by step: the service account and role exist before the Deployment.
    Everything a new pod needs is in place."""
    w = World()
    r = w.irsa_role("LangflowBedrockRole", "langflow", "langflow-sa", actions=["bedrock:InvokeModel"],
                    resources="arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")
    w.sa("langflow", "langflow-sa", r.arn)
    w.emit(b)
    b.expect("langflow", "langflow-sa", None, codes=["PERMISSION_ALLOWED"], status="ok", mechanism="irsa",
             args=["--action", "bedrock:InvokeModel", "--resource",
                   "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"],
             note="a service account checked before any pod runs as it: pod and injection skipped, the rest ok")


@scenario
def cluster_no_issuer(b):
    """describe-cluster output without `identity` (trimmed by hand, or from a tool that drops
    it): the oidc-provider link cannot be judged, and the report says why once in its notes."""
    w = World()
    w.healthy_irsa("shop", "orders")
    w.cluster_file = False
    w.emit(b)
    cluster = describe_cluster(w.c)
    del cluster["cluster"]["identity"]
    b.aws("cluster.json", cluster)
    b.expect("shop", "orders", None, codes=["CLUSTER_NO_ISSUER"], status="unknown",
             note="no identity.oidc.issuer in describe-cluster: oidc-provider is unknown, never guessed")


@scenario
def pi_association_edited_under_pods(b):
    """F37: the association was pointed at another role after the pods started; the agent keeps
    serving the old role's cached credentials (up to 6 hours) until the pods restart."""
    w = World()
    r = w.role("billing-pod-identity", pod_identity_trust(), actions=["sqs:SendMessage"])
    w.sa("shop", "billing")
    w.associations.append(Association(w.c, "shop", "billing", r.arn, modified="2026-10-03T12:00:00.000000+00:00"))
    w.app("shop", "billing", "billing", inject=w.pi_inject(), kind="deploy")
    w.emit(b)
    b.expect("shop", "billing", None, codes=["ASSOCIATION_RECENT"], status="warning", mechanism="pod-identity",
             note="F37: modifiedAt is after the pod's creation: restart to drop credentials cached for the previous role")


@scenario
def pi_pod_raced_new_association(b):
    """F37 / containers-roadmap #2507: the pod was created two seconds after the association,
    before EKS served it; it came up without the Pod Identity variables."""
    w = World()
    r = w.role("billing-pod-identity", pod_identity_trust(), actions=["sqs:SendMessage"])
    w.sa("shop", "billing")
    w.associations.append(Association(w.c, "shop", "billing", r.arn, created="2026-10-02T09:59:58.000000+00:00"))
    w.app("shop", "billing", "billing", kind="deploy")
    w.pod_identity = True
    w.emit(b)
    b.expect("shop", "billing", "injection", codes=["ASSOCIATION_RECENT", "INJECTION_MISSING"], status="broken",
             mechanism="pod-identity",
             note="the pod started within seconds of the association's creation and has no Pod Identity env")



@scenario
def trust_document_undecodable(b):
    """A damaged IAM document: the role's trust policy in the authorization details was cut off
    in the middle of its URL-encoding (a paste into a ticket, a truncated download). IAM stores
    only valid JSON, so the copy is what is wrong: the trust link is unknown with the reason and
    the load note names the file and the role, never an "invalid policy" verdict."""
    w = World()
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:orders"])
    encoded = urllib.parse.quote(json.dumps(trust, separators=(",", ":")), safe="")
    r = w.role("orders-irsa", encoded[: len(encoded) // 2], actions=["s3:GetObject"], resources="arn:aws:s3:::app-data/*")
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", None, codes=["TRUST_NOT_COLLECTED"], absent=["TRUST_POLICY_INVALID"], status="unknown",
             mechanism="irsa", note="the trust document cannot be decoded: unknown with the reason, not an invalid policy")

# ====================================================================== every finding code, offline and live


@scenario
def no_pods_scaled_to_zero(b):
    """A Deployment scaled to zero next to a running one: its pods are listed (none), so the
    template stands in and NO_PODS says so."""
    w = World()
    w.healthy_irsa("shop", "orders", kind="deploy")
    r = w.irsa_role("nightly-irsa", "shop", "nightly")
    w.sa("shop", "nightly", r.arn)
    w.app("shop", "nightly", "nightly", kind="deploy", pods=0)
    w.emit(b)
    b.expect("shop", "nightly", None, codes=["NO_PODS"], status="ok", mechanism="irsa",
             note="scaled to zero: no pods, the template is checked instead")


@scenario
def sa_missing_pods_listed(b):
    """A8 with the namespace's pods listed: the Deployment names `reports-sa`, the namespace has
    `report-sa`, and the ReplicaSet cannot create pods."""
    w = World()
    r = w.irsa_role("reports-irsa", "analytics", "report-sa")
    w.sa("analytics", "report-sa", r.arn)
    w.healthy_irsa("analytics", "dashboards")
    tpl = pod_template("reports-sa", [container("reports", "registry.example.com/reports:2.0.1")], {"app.kubernetes.io/name": "reports"})
    w.k.add(deployment("reports", "analytics", tpl, created="2026-10-02T09:59:58Z", available=0))
    w.emit(b)
    b.expect("analytics", "reports-sa", "service-account", codes=["SA_NOT_FOUND", "NO_PODS"], status="broken",
             note="A8: serviceAccountName typo; report-sa is suggested; pods were listed, so none exist")


@scenario
def trust_no_aud_condition(b):
    """D25: the trust checks `:sub` only. Not a failure (STS still checks the provider's client
    IDs); AWS recommends requiring the audience too."""
    w = World()
    r = w.role("orders-irsa", irsa_trust(w.c, ["system:serviceaccount:shop:orders"], audience=None),
               actions=["s3:GetObject"], resources="arn:aws:s3:::app-data/*")
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", None, codes=["TRUST_NO_AUD_CONDITION"], status="ok", mechanism="irsa",
             note="D25: no :aud condition is info only")


@scenario
def trust_ec2_only(b):
    """An instance role reused for a pod: its trust lets only EC2 assume it."""
    w = World()
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    r = w.role("worker-node-role", trust, actions=["s3:GetObject"], resources="*")
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", "trust", codes=["TRUST_NO_MATCHING_STATEMENT"], status="broken", mechanism="irsa",
             note="the role trusts ec2.amazonaws.com only: no statement for web identity federation")


@scenario
def trust_principal_wildcard(b):
    """D25: the IRSA statement says `Principal: "*"` instead of the cluster's provider: the
    `:sub` condition still narrows it, but any identity provider's token with that subject (any
    cluster's, any account's) is let in."""
    w = World()
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:orders"])
    trust["Statement"][0]["Principal"] = "*"
    r = w.role("orders-irsa", trust, actions=["s3:GetObject"], resources="arn:aws:s3:::app-data/*")
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", None, codes=["TRUST_PRINCIPAL_WILDCARD"], status="warning", mechanism="irsa",
             note="a wildcard principal on the web identity statement")


@scenario
def trust_policy_invalid(b):
    """A trust statement with the principal misspelt (`Principle`): IAM refuses such a document
    today; it is reported as invalid with the line."""
    w = World()
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:orders"])
    st = trust["Statement"][0]
    st["Principle"] = st.pop("Principal")
    r = w.role("orders-irsa", trust, actions=["s3:GetObject"], resources="arn:aws:s3:::app-data/*")
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", "trust", codes=["TRUST_POLICY_INVALID"], status="broken", mechanism="irsa",
             note="`Principle` is not an IAM element: the trust policy is invalid")


@scenario
def policy_invalid(b):
    """D24 in a permission policy: `StringEquals` twice in one Condition. IAM stores it (its
    parser keeps the last one), so one of the two conditions is silently gone; the document is
    reported, not guessed at."""
    w = World()
    doc = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
           '"Resource":"arn:aws:s3:::app-data/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"shop"},'
           '"StringEquals":{"s3:ExistingObjectTag/public":"true"}}}]}')
    r = w.irsa_role("orders-irsa", "shop", "orders", inline={"legacy": doc})
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", "permissions", codes=["POLICY_INVALID"], mechanism="irsa",
             note="D24: a duplicated key in a permission policy; IAM keeps only the last")


@scenario
def pi_session_policy_deny(b):
    """E29: the association carries a session policy (disableSessionTags=true) that allows only
    s3:GetObject; the role allows s3:PutObject, the session does not."""
    w = World()
    r = w.role("uploader-pod-identity", pod_identity_trust(), actions=["s3:GetObject", "s3:PutObject"],
               resources="arn:aws:s3:::uploads/*")
    w.sa("media", "uploader")
    w.associations.append(Association(w.c, "media", "uploader", r.arn, disable_session_tags=True,
                                      policy_doc=json.dumps(policy(allow(["s3:GetObject"], "arn:aws:s3:::uploads/*")))))
    w.app("media", "uploader", "uploader", inject=w.pi_inject(), kind="deploy")
    w.emit(b)
    b.expect("media", "uploader", "permissions", codes=["PERMISSION_SESSION_POLICY_DENY"], mechanism="pod-identity",
             args=["--action", "s3:PutObject", "--resource", "arn:aws:s3:::uploads/2026/report.pdf"],
             note="E29: the association's session policy does not allow s3:PutObject, which the role does")


@scenario
def pi_target_role_same_account(b):
    """F36/E28: role chaining through a target role whose trust lacks sts:TagSession (Pod Identity
    session tags are transitive)."""
    w = World()
    first = w.role("ingest-pod-identity", pod_identity_trust(), actions=["sts:AssumeRole", "sts:TagSession"])
    target_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": first.arn},
                                                            "Action": "sts:AssumeRole"}]}
    target = w.role("ingest-data", target_trust, actions=["s3:GetObject"], resources="arn:aws:s3:::ingest/*")
    w.sa("data", "ingest")
    w.associations.append(Association(w.c, "data", "ingest", first.arn, target_role_arn=target.arn))
    w.app("data", "ingest", "ingest", inject=w.pi_inject(), kind="deploy")
    w.emit(b)
    b.expect("data", "ingest", "trust", codes=["ASSOCIATION_TARGET_ROLE", "TARGET_ROLE_TRUST"], mechanism="pod-identity",
             note="E28: the target role's trust allows sts:AssumeRole but not sts:TagSession")


@scenario
def oidc_providers_not_listed(b):
    """The account's OIDC providers were not listed (no iam:ListOpenIDConnectProviders)."""
    w = World()
    w.healthy_irsa("shop", "orders")
    w.providers = {}
    w.emit(b)
    b.expect("shop", "orders", None, codes=["OIDC_PROVIDERS_NOT_COLLECTED"], status="unknown", mechanism="irsa",
             note="without the provider list the oidc-provider link is unknown, never broken")


@scenario
def oidc_provider_not_described(b):
    """The provider is listed but not read (no iam:GetOpenIDConnectProvider): its client IDs are
    unknown."""
    w = World()
    w.healthy_irsa("shop", "orders")
    w.providers = {w.c.account: [(w.c.issuer_host, None)]}
    w.emit(b)
    b.expect("shop", "orders", None, codes=["OIDC_PROVIDER_DETAIL_MISSING"], status="unknown", mechanism="irsa",
             note="the provider exists; its ClientIDList was not read")


@scenario
def pi_association_not_described(b):
    """Associations listed but not described (no eks:DescribePodIdentityAssociation): the role is
    unknown."""
    w = World()
    w.healthy_pi("shop", "billing", kind="deploy")
    w.describe_associations = False
    w.emit(b)
    b.expect("shop", "billing", None, codes=["ASSOCIATION_DETAIL_MISSING"], status="unknown", mechanism="pod-identity",
             note="the association's role was not read: unknown, not broken")


@scenario
def pods_forbidden(b):
    """RBAC refuses listing pods cluster-wide; the refusal was saved in place of the output.
    Nothing about injection can be judged, and the agent on the pods' nodes cannot be seen."""
    w = World()
    w.healthy_pi("shop", "billing", kind="deploy")
    w.healthy_irsa("shop", "orders", kind="deploy")
    w.forbidden = {"Pod": ("pods", "")}
    w.emit(b)
    b.expect("shop", "billing", None, codes=["PODS_NOT_COLLECTED", "INJECTION_NOT_JUDGED"], status="unknown",
             mechanism="pod-identity", note="pods denied: the permission to grant is named, nothing is guessed")
    b.expect("shop", "orders", None, codes=["PODS_NOT_COLLECTED", "INJECTION_NOT_JUDGED"], status="unknown",
             mechanism="irsa", note="pods denied")


@scenario
def serviceaccounts_forbidden(b):
    """RBAC refuses listing service accounts cluster-wide."""
    w = World()
    w.healthy_irsa("shop", "orders", kind="deploy")
    w.forbidden = {"ServiceAccount": ("serviceaccounts", "")}
    w.emit(b)
    b.expect("shop", "orders", None, codes=["SA_NOT_COLLECTED"], status="unknown",
             note="service accounts denied: the chain after it is not judged")


@scenario
def trust_provider_partial_wildcard(b):
    """D22: the provider ARN ends in `/id/*` to "match any cluster": IAM saves it, but a `*`
    inside a principal ARN is no wildcard, so the statement matches no provider at all."""
    w = World()
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:cart"])
    host = w.c.issuer_host.rsplit("/", 1)[0]
    trust["Statement"][0]["Principal"]["Federated"] = f"arn:{w.c.partition}:iam::{w.c.account}:oidc-provider/{host}/*"
    r = w.role("cart-irsa", trust, actions=["s3:GetObject"], resources="arn:aws:s3:::app-data/*")
    w.sa("shop", "cart", r.arn)
    w.app("shop", "cart", "cart", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "cart", "trust", codes=["TRUST_PRINCIPAL_PARTIAL_WILDCARD"], status="broken", mechanism="irsa",
             note="a `*` inside a principal ARN matches nothing: the trust lets no token in")


@scenario
def agent_pods_not_collected(b):
    """The add-on is installed but kube-system's pods could not be read (a namespace-scoped
    grant), so whether the agent runs on the pod's node is unknown."""
    w = World()
    w.healthy_pi("shop", "billing", kind="deploy")
    w.system_pods = False
    w.emit(b)
    b.expect("shop", "billing", None, codes=["AGENT_NOT_COLLECTED"], status="unknown", mechanism="pod-identity",
             note="the agent pods on the node could not be read: unknown, never assumed")


@scenario
def role_policies_denied(b):
    """The role was read (`aws iam get-role`) but its policy lists were not (no
    iam:ListRolePolicies / iam:ListAttachedRolePolicies): permissions are unknown."""
    w = World()
    r = Role(w.c, "orders-irsa", irsa_trust(w.c, ["system:serviceaccount:shop:orders"]))
    w.get_roles.append((r, True, None))
    w.sa("shop", "orders", r.arn)
    w.app("shop", "orders", "orders", inject=w.irsa_inject(r.arn))
    w.emit(b)
    b.expect("shop", "orders", None, codes=["POLICY_NOT_COLLECTED"], status="unknown", mechanism="irsa",
             note="policy lists not read: the permissions link is unknown with what to grant or collect")


# ====================================================================== hostile input


ESC_TITLE = "\x1b]0;PWNED\x07"
ESC_CLEAR = "\x1b[2J"
SUBSTITUTION = "$(touch /tmp/kubectl-irsa-pwned)"


@scenario
def hostile_values(b):
    """Everything the tool shows comes from someone else. Terminal escapes (set the title, clear
    the screen, C1 CSI) and shell substitutions in every free-text field: annotation values under
    the right key and a misspelt one, env values, a trust condition value, a policy Sid, a file
    name, an AWS CLI error message. Shown escaped, never interpreted; quoted in commands."""
    w = World()
    # The right key, with escapes after a valid-looking ARN.
    r = w.irsa_role("orders-irsa", "shop", "orders")
    w.sa("shop", "orders", r.arn + ESC_TITLE + ESC_CLEAR)
    w.app("shop", "orders", "orders", containers=[container("orders", "registry.example.com/orders:1.0",
                                                             env=[env("AWS_REGION", "eu-west-1" + ESC_CLEAR),
                                                                  env("NOTE", "\u009b31m" + SUBSTITUTION)])])
    # The misspelt key, its value ending in a command substitution.
    r2 = w.irsa_role("search-irsa", "shop", "search")
    w.sa("shop", "search", annotations={"eks.amazonaws.com/role_arn": r2.arn + SUBSTITUTION})
    w.app("shop", "search", "search")
    # A trust condition value with escapes.
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:ledger" + ESC_TITLE])
    r3 = w.role("ledger-irsa", trust, actions=["s3:GetObject"], resources="arn:aws:s3:::app-data/*")
    w.sa("shop", "ledger", r3.arn)
    w.app("shop", "ledger", "ledger", inject=w.irsa_inject(r3.arn))
    # A trust statement Sid with escapes (IAM would refuse it: shown in the invalid-policy finding).
    trust = irsa_trust(w.c, ["system:serviceaccount:shop:audit"])
    trust["Statement"][0]["Sid"] = "Allow" + ESC_CLEAR
    r4 = w.role("audit-irsa", trust, actions=["s3:GetObject"], resources="arn:aws:s3:::app-data/*")
    w.sa("shop", "audit", r4.arn)
    w.app("shop", "audit", "audit", inject=w.irsa_inject(r4.arn))
    w.emit(b)
    # A file whose name carries an escape, and an AWS CLI error whose message does.
    b.text("notes" + ESC_TITLE + ".txt", "not an output" + ESC_CLEAR + "\n")
    b.text("get-role-error.txt",
           "\nAn error occurred (AccessDenied) when calling the GetRole operation: boom" + ESC_TITLE + ESC_CLEAR + "\n")
    b.expect("shop", "orders", "annotation", codes=["ROLE_ARN_MALFORMED"], status="broken",
             note="a role-arn value with terminal escapes after the ARN is malformed, shown escaped")
    b.expect("shop", "search", "annotation", codes=["ANNOTATION_KEY_TYPO"], status="broken",
             note="the misspelt key's value ends in a command substitution: never copied raw into a command")
    b.expect("shop", "ledger", "trust", codes=["TRUST_SUB_MISMATCH"], status="broken",
             note="the trust's subject carries a title escape: it names no service account; shown escaped")
    b.expect("shop", "audit", "trust", codes=["TRUST_POLICY_INVALID"], status="broken",
             note="a Sid with a clear-screen escape: IAM would refuse it; shown escaped")


@scenario
def wildcard_subject_default(b):
    """Flyte guide: one role for every project namespace's `default` service account
    (`StringLike system:serviceaccount:*:default`). A wildcard match is no sign that another
    workload running as `default` was meant to use the role: it gets a security warning on the
    role, never a broken link or a fix that annotates it."""
    w = World()
    r = w.role("flyte-workers-role", irsa_trust(w.c, ["system:serviceaccount:*:default"], operator="StringLike"),
               actions=["s3:GetObject"], resources="arn:aws:s3:::flyte-data/*")
    w.sa("flytesnacks-development", "default", r.arn)
    w.app("flytesnacks-development", "a8x2k4p9-n0-0", "default", inject=w.irsa_inject(r.arn))
    w.app("tools", "debug-shell", "default")
    w.emit(b)
    b.expect("flytesnacks-development", "default", None, codes=["TRUST_WIDE_WILDCARD"], status="warning",
             mechanism="irsa", note="the Flyte task pod uses the role through the wildcard, as meant")
    b.expect("tools", "default", None, codes=["NO_AWS_IDENTITY", "TRUST_WILDCARD_REACHES"],
             absent=["ANNOTATION_MISSING"], status="warning", mechanism="none",
             note="tools/default matches the wildcard: a security warning, not a missing annotation")


# ====================================================================== Pod Identity migration (§3)


@scenario
def migrate_shared_role(b):
    """§3: two Deployments share one IRSA role whose trust lists both subjects in one statement,
    next to another cluster's statement; no Pod Identity agent add-on yet. `kubectl irsa
    migrate deploy/checkout` moves one service account and must leave cart and the other
    cluster exactly as they were."""
    w = World(nodes=["ip-10-0-12-34.eu-west-1.compute.internal", "ip-10-0-13-51.eu-west-1.compute.internal"])
    other = f"oidc.eks.us-east-1.amazonaws.com/id/{OTHER_ISSUER}"
    t = irsa_trust(w.c, ["system:serviceaccount:shop:checkout", "system:serviceaccount:shop:cart"])
    t["Statement"].append(irsa_trust(w.c, ["system:serviceaccount:shop:checkout"], issuer_host=other)["Statement"][0])
    r = w.role("shop-shared", t, actions=["dynamodb:GetItem"], resources="*")
    for name in ("checkout", "cart"):
        w.sa("shop", name, r.arn)
        w.app("shop", name, name, inject=w.irsa_inject(r.arn), kind="deploy")
    w.emit(b)
    for name in ("checkout", "cart"):
        b.expect("shop", name, None, status="ok", mechanism="irsa",
                 note="§3: healthy IRSA on a shared role, the starting point of a migration")


@scenario
def migrate_wildcard(b):
    """§3.1 f: a role trusting `system:serviceaccount:batch:worker-*` (StringLike) and the agent
    add-on installed: migrating batch/worker-a gives it its own association and statement, and
    the wildcard stays for the service accounts it may still serve."""
    w = World()
    w.pod_identity = True
    r = w.role("batch-workers", irsa_trust(w.c, ["system:serviceaccount:batch:worker-*"], operator="StringLike"),
               actions=["s3:GetObject"], resources="arn:aws:s3:::batch-data/*")
    w.sa("batch", "worker-a", r.arn)
    w.app("batch", "worker-a", "worker-a", inject=w.irsa_inject(r.arn), kind="deploy")
    w.emit(b)
    b.expect("batch", "worker-a", None, codes=["TRUST_WIDE_WILDCARD"], status="warning", mechanism="irsa",
             note="§3.1 f: IRSA through a wildcard subject, which Pod Identity has no equivalent of")


if __name__ == "__main__":
    wanted = sys.argv[1:] or sorted(SCENARIOS)
    for name in wanted:
        build(name, SCENARIOS[name]).write(ROOT)
        print("wrote", name)
