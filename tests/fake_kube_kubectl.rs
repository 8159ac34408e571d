//! The fake Kubernetes API server over loopback: kube-rs with an EKS-style exec kubeconfig, and
//! the real `kubectl` binary reading, annotating, paging and creating tokens through it.

mod support;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde_json::{Value, json};
use support::fake_kube::Kubectl;
use support::fake_kube::testing::{basic, claims_of, list};

const CHECKOUT_ROLE: &str = "arn:aws:iam::210987654321:role/checkout-irsa";
const CHECKOUT_POD: &str = "checkout-7d9c8b6f5-ax0q";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_over_loopback_and_exec_kubeconfig() {
    let fake = basic();
    let addr = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    fake.write_kubeconfig(&path, addr, "fake", None);
    let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    let shop = Api::<Pod>::namespaced(kube::Client::try_from(config).unwrap(), "shop");
    assert_eq!(list(&shop, ListParams::default()).await.len(), 3);
    assert_eq!(fake.requests()[0].path, "/api/v1/namespaces/shop/pods");

    fake.write_kubeconfig(&path, addr, "eks", Some("shop-prod"));
    let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
    let exec = kubeconfig.auth_infos[0]
        .auth_info
        .as_ref()
        .unwrap()
        .exec
        .as_ref()
        .unwrap();
    assert_eq!(exec.command.as_deref(), Some("aws"));
    let args = exec.args.clone().unwrap().join(" ");
    assert_eq!(
        args,
        "--region eu-west-1 eks get-token --cluster-name shop-prod --output json"
    );
    assert_eq!(
        kubeconfig.clusters[0].name,
        "arn:aws:eks:eu-west-1:210987654321:cluster/shop-prod"
    );
    assert_eq!(kubeconfig.current_context.as_deref(), Some("eks"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_kubectl_reads_and_annotates() {
    let fake = basic();
    let kubectl = Kubectl::start(&fake).await;

    let list: Value =
        serde_json::from_str(&kubectl.ok(&["get", "pods", "-A", "-o", "json"]).await).unwrap();
    let pods: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str())
        .collect();
    assert_eq!(
        pods,
        [
            "eks-pod-identity-agent-x7k2p",
            CHECKOUT_POD,
            "payments-7d9c8b6f5-ax0q",
            "search-7d9c8b6f5-ax0q"
        ]
    );
    let yaml = kubectl
        .ok(&["get", "sa", "checkout", "-n", "shop", "-o", "yaml"])
        .await;
    assert!(
        yaml.contains(&format!("eks.amazonaws.com/role-arn: {CHECKOUT_ROLE}")),
        "{yaml}"
    );
    // Human-readable output comes from the server's Table.
    let nodes = kubectl.ok(&["get", "nodes"]).await;
    assert!(
        nodes.starts_with("NAME") && nodes.contains("ip-10-0-1-10.ec2.internal   Ready"),
        "{nodes}"
    );
    let table = kubectl.ok(&["get", "pods", "-A"]).await;
    assert!(
        table.starts_with("NAMESPACE") && table.contains(&format!("shop          {CHECKOUT_POD}")),
        "{table}"
    );
    assert!(fake.writes().is_empty());

    assert_eq!(
        kubectl
            .ok(&["annotate", "sa", "checkout", "-n", "shop", "foo=bar"])
            .await
            .trim(),
        "serviceaccount/checkout annotated"
    );
    let patch = fake.writes().pop().expect("annotate wrote");
    assert_eq!(
        (patch.method.as_str(), patch.content_type.as_deref()),
        ("PATCH", Some("application/merge-patch+json"))
    );
    let jsonpath = "jsonpath={.metadata.annotations.foo}";
    assert_eq!(
        kubectl
            .ok(&["get", "sa", "checkout", "-n", "shop", "-o", jsonpath])
            .await,
        "bar"
    );

    let out = kubectl
        .run(&["get", "pod", "does-not-exist", "-n", "shop"])
        .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "Error from server (NotFound): pods \"does-not-exist\" not found"
    );
    assert_eq!(fake.writes().len(), 1, "only the annotate wrote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_kubectl_pages_and_creates_tokens() {
    let fake = basic();
    let kubectl = Kubectl::start(&fake).await;
    let names = kubectl
        .ok(&["get", "pods", "-A", "--chunk-size=1", "-o", "name"])
        .await;
    assert_eq!(names.lines().count(), 4, "{names}");
    let pages = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods")
        .count();
    assert_eq!(pages, 4, "one request per chunk");
    // `kubectl create token` posts its TokenRequest as protobuf.
    let args = [
        "create",
        "token",
        "checkout",
        "-n",
        "shop",
        "--audience",
        "sts.amazonaws.com",
        "--duration",
        "15m",
    ];
    let claims = claims_of(&kubectl.ok(&args).await);
    assert_eq!(claims["aud"], json!(["sts.amazonaws.com"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    assert_eq!(fake.token_requests().len(), 1);
    assert!(fake.writes().is_empty());
}
