//! Synthetic clusters for the benchmarks: an offline bundle of N pods over S service accounts
//! and R roles. Every 5th role is used through Pod Identity, the rest through IRSA; roles share
//! 10 managed policies and one role in ten has a `:sub` typo so the diagnosis has work to do.

use std::path::Path;

pub const ACCT: &str = "123456789012";
pub const ISSUER: &str = "oidc.eks.us-west-2.amazonaws.com/id/BENCH0000000000000000000000000000";

pub struct Size {
    pub pods: usize,
    pub service_accounts: usize,
    pub roles: usize,
}

/// Writes a bundle: every 5th role is used through Pod Identity, the rest through IRSA; roles
/// share 10 managed policies and one role in ten has a `:sub` typo so the diagnosis has work.
pub fn generate(dir: &Path, size: &Size) {
    let sa_per_role = size.service_accounts.div_ceil(size.roles);
    let mut items = Vec::new();
    let mut assocs = Vec::new();
    let ns_of = |sa: usize| format!("team-{}", sa % 20);
    for sa in 0..size.service_accounts {
        let role = sa % size.roles;
        let pod_identity = role.is_multiple_of(5);
        let ns = ns_of(sa);
        let mut meta = serde_json::json!({"name": format!("app-{sa}"), "namespace": ns, "uid": format!("sa-{sa}")});
        if !pod_identity {
            meta["annotations"] = serde_json::json!({"eks.amazonaws.com/role-arn": format!("arn:aws:iam::{ACCT}:role/role-{role}")});
        } else {
            assocs.push(serde_json::json!({"clusterName": "bench", "namespace": ns, "serviceAccount": format!("app-{sa}"), "roleArn": format!("arn:aws:iam::{ACCT}:role/role-{role}"), "associationId": format!("a-{sa:017}")}));
        }
        items.push(
            serde_json::json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}),
        );
    }
    for p in 0..size.pods {
        let sa = p % size.service_accounts;
        let role = sa % size.roles;
        let env = if role.is_multiple_of(5) {
            serde_json::json!([{"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "value": "http://169.254.170.23/v1/credentials"}, {"name": "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "value": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"}])
        } else {
            serde_json::json!([{"name": "AWS_ROLE_ARN", "value": format!("arn:aws:iam::{ACCT}:role/role-{role}")}, {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}])
        };
        items.push(serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("app-{sa}-7d9c8b6f5-{p}"), "namespace": ns_of(sa), "uid": format!("pod-{p}"), "labels": {"pod-template-hash": "7d9c8b6f5"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("app-{sa}-7d9c8b6f5"), "uid": format!("rs-{sa}"), "controller": true}]},
            "spec": {"serviceAccountName": format!("app-{sa}"), "nodeName": "node-1", "containers": [{"name": "app", "image": "app:1", "env": env,
                "volumeMounts": [{"name": "aws-iam-token", "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount"}, {"name": "eks-pod-identity-token", "mountPath": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"}]}],
                "volumes": [{"name": "aws-iam-token", "projected": {"sources": [{"serviceAccountToken": {"audience": "sts.amazonaws.com", "path": "token"}}]}},
                            {"name": "eks-pod-identity-token", "projected": {"sources": [{"serviceAccountToken": {"audience": "pods.eks.amazonaws.com", "path": "eks-pod-identity-token"}}]}}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}));
    }
    items.push(serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1", "labels": {"kubernetes.io/os": "linux"}}}));
    items.push(serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "eks-pod-identity-agent-1", "namespace": "kube-system", "labels": {"app.kubernetes.io/name": "eks-pod-identity-agent"}},
        "spec": {"nodeName": "node-1", "containers": [{"name": "agent"}]}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}));
    let k8s = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    std::fs::write(
        dir.join("kubernetes.json"),
        serde_json::to_vec(&k8s).unwrap(),
    )
    .unwrap();

    let mut roles = Vec::new();
    for r in 0..size.roles {
        let trust = if r.is_multiple_of(5) {
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
        } else {
            let subs: Vec<String> = (0..sa_per_role)
                .map(|k| r + k * size.roles)
                .filter(|sa| *sa < size.service_accounts)
                .map(|sa| {
                    if r % 10 == 3 {
                        format!("system:serviceaccount:{}:app-{sa}-typo", ns_of(sa))
                    } else {
                        format!("system:serviceaccount:{}:app-{sa}", ns_of(sa))
                    }
                })
                .collect();
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": format!("arn:aws:iam::{ACCT}:oidc-provider/{ISSUER}")}, "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {format!("{ISSUER}:sub"): subs, format!("{ISSUER}:aud"): "sts.amazonaws.com"}}}]})
        };
        roles.push(serde_json::json!({"Path": "/", "RoleName": format!("role-{r}"), "RoleId": format!("AROA{r:017}"), "Arn": format!("arn:aws:iam::{ACCT}:role/role-{r}"),
            "AssumeRolePolicyDocument": trust, "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": format!("arn:aws:sqs:us-west-2:{ACCT}:queue-{r}")}]}}],
            "AttachedManagedPolicies": [{"PolicyName": format!("shared-{}", r % 10), "PolicyArn": format!("arn:aws:iam::{ACCT}:policy/shared-{}", r % 10)}], "Tags": []}));
    }
    let policies: Vec<_> = (0..10).map(|i| serde_json::json!({"PolicyName": format!("shared-{i}"), "Arn": format!("arn:aws:iam::{ACCT}:policy/shared-{i}"), "DefaultVersionId": "v1",
        "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": format!("arn:aws:s3:::bucket-{i}/*")}]}}]})).collect();
    let auth = serde_json::json!({"RoleDetailList": roles, "Policies": policies, "UserDetailList": [], "GroupDetailList": []});
    std::fs::write(
        dir.join("iam.json"),
        serde_json::to_vec_pretty(&auth).unwrap(),
    )
    .unwrap();
    let cluster = serde_json::json!({"cluster": {"name": "bench", "arn": format!("arn:aws:eks:us-west-2:{ACCT}:cluster/bench"), "identity": {"oidc": {"issuer": format!("https://{ISSUER}")}}, "status": "ACTIVE"}});
    std::fs::write(
        dir.join("cluster.json"),
        serde_json::to_vec(&cluster).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("providers.json"), serde_json::to_vec(&serde_json::json!({"OpenIDConnectProviderList": [{"Arn": format!("arn:aws:iam::{ACCT}:oidc-provider/{ISSUER}")}]})).unwrap()).unwrap();
    std::fs::write(
        dir.join("provider.json"),
        serde_json::to_vec(
            &serde_json::json!({"Url": ISSUER, "ClientIDList": ["sts.amazonaws.com"]}),
        )
        .unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("associations.json"),
        serde_json::to_vec(&serde_json::json!({"associations": assocs})).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("addon.json"), serde_json::to_vec(&serde_json::json!({"addon": {"addonName": "eks-pod-identity-agent", "status": "ACTIVE", "addonVersion": "v1.3.4"}})).unwrap()).unwrap();
}
