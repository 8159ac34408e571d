//! Kubeconfig files pointing kubectl (or kube-rs) at a served fake: a static bearer token, or
//! an EKS-style `exec` user running `aws eks get-token` as `aws eks update-kubeconfig` writes
//! it, for tests of cluster-name inference.

use std::net::SocketAddr;
use std::path::Path;

/// What the kubeconfig needs to know about the cluster.
pub struct Target<'a> {
    pub addr: SocketAddr,
    pub context: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// `Some(cluster name)` for an exec user.
    pub exec_cluster: Option<&'a str>,
}

/// A YAML scalar: JSON string syntax is valid YAML and needs no further escaping rules.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

pub fn render(target: &Target) -> String {
    let server = format!("http://{}", target.addr);
    let (cluster, user) = match target.exec_cluster {
        Some(name) => {
            let arn = format!(
                "arn:aws:eks:{}:{}:cluster/{name}",
                target.region, target.account
            );
            let user = format!(
                "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args:\n      - --region\n      - {}\n      - eks\n      - get-token\n      - --cluster-name\n      - {}\n      - --output\n      - json\n      interactiveMode: IfAvailable\n      provideClusterInfo: false\n",
                q(target.region),
                q(name)
            );
            (arn, user)
        }
        None => (
            "fake-kube".to_string(),
            "    token: fake-token\n".to_string(),
        ),
    };
    let user_name = if target.exec_cluster.is_some() {
        cluster.clone()
    } else {
        "test".to_string()
    };
    format!(
        "apiVersion: v1\nkind: Config\npreferences: {{}}\nclusters:\n- name: {cluster}\n  cluster:\n    server: {server}\ncontexts:\n- name: {context}\n  context:\n    cluster: {cluster}\n    user: {user_name}\ncurrent-context: {context}\nusers:\n- name: {user_name}\n  user:\n{user}",
        cluster = q(&cluster),
        server = q(&server),
        context = q(target.context),
        user_name = q(&user_name),
    )
}

/// Writes the kubeconfig; panics (test set-up) when the file cannot be written.
pub fn write(path: &Path, target: &Target) {
    std::fs::write(path, render(target))
        .unwrap_or_else(|e| panic!("fake_kube: cannot write kubeconfig {}: {e}", path.display()));
}
