//! The fake Kubernetes API server (tests/support/fake_kube) against kube-rs in-process and the
//! real `kubectl` binary over loopback, seeded from the basic scenario bundle.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Node, Pod, ServiceAccount};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use support::fake_kube::FakeKube;

const ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9";

fn basic() -> FakeKube {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/basic/bundle");
    FakeKube::from_bundles(&[dir])
}

fn names<K: kube::Resource>(items: &[K]) -> Vec<String> {
    items.iter().map(|o| o.meta().name.clone().unwrap_or_default()).collect()
}

/// The `kube::Error::Api` status of a failed call.
fn api_error<T: std::fmt::Debug>(result: kube::Result<T>) -> kube::core::Status {
    match result {
        Err(kube::Error::Api(status)) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn lists_pods_across_namespaces_by_label_and_logs_only_that_read() {
    let fake = basic();
    let pods = Api::<Pod>::all(fake.client());
    let list = pods
        .list(&ListParams::default().labels("app.kubernetes.io/name=checkout"))
        .await
        .unwrap();
    assert_eq!(names(&list.items), ["checkout-7d9c8b6f5-ax0q"]);
    let lines: Vec<String> = fake.requests().iter().map(|r| r.line()).collect();
    assert_eq!(lines, ["GET /api/v1/pods?&labelSelector=app.kubernetes.io%2Fname%3Dcheckout"]);
    assert_eq!(fake.requests()[0].status, 200);
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn label_selector_operators() {
    let fake = basic();
    let pods = Api::<Pod>::all(fake.client());
    let select = |selector: &'static str| {
        let pods = pods.clone();
        async move { names(&pods.list(&ListParams::default().labels(selector)).await.unwrap().items) }
    };
    let key = "app.kubernetes.io/name";
    assert_eq!(select("app.kubernetes.io/name==search").await, ["search-7d9c8b6f5-ax0q"]);
    assert_eq!(select("app.kubernetes.io/name in (checkout, search)").await.len(), 2);
    assert_eq!(select("app.kubernetes.io/name notin (checkout,search),pod-template-hash").await, ["payments-7d9c8b6f5-ax0q"]);
    assert_eq!(select("!pod-template-hash").await, ["eks-pod-identity-agent-x7k2p"]);
    assert_eq!(select("app.kubernetes.io/name!=checkout").await.len(), 3);
    assert_eq!(select(key).await.len(), 4);
    let bad = api_error(pods.list(&ListParams::default().labels("a in (b")).await);
    assert_eq!((bad.code, bad.reason.as_str()), (400, "BadRequest"));
}

#[tokio::test]
async fn namespaced_list_and_field_selectors() {
    let fake = basic();
    fake.insert(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "batch-1", "namespace": "jobs"},
        "spec": {"nodeName": "other-node", "serviceAccountName": "default", "containers": []},
        "status": {"phase": "Succeeded"}}));
    let client = fake.client();
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), "shop");
    let list = sas.list(&ListParams::default()).await.unwrap();
    assert_eq!(names(&list.items), ["checkout", "payments", "search"]);
    let pods = Api::<Pod>::all(client.clone());
    let on = |f: &'static str| {
        let pods = pods.clone();
        async move { names(&pods.list(&ListParams::default().fields(f)).await.unwrap().items) }
    };
    assert_eq!(on("spec.nodeName=other-node").await, ["batch-1"]);
    assert_eq!(on("spec.nodeName!=other-node").await.len(), 4);
    assert_eq!(on("spec.serviceAccountName=checkout,metadata.namespace=shop").await, ["checkout-7d9c8b6f5-ax0q"]);
    assert_eq!(on("status.phase=Succeeded").await, ["batch-1"]);
    let bad = api_error(pods.list(&ListParams::default().fields("spec.bogus=x")).await);
    assert_eq!(bad.message, "field label not supported: spec.bogus");
    // The synthesized namespace of an inserted object is listed like any other.
    let namespaces = Api::<k8s_openapi::api::core::v1::Namespace>::all(client);
    let all = names(&namespaces.list(&ListParams::default()).await.unwrap().items);
    assert!(all.contains(&"jobs".to_string()) && all.contains(&"shop".to_string()), "{all:?}");
}

#[tokio::test]
async fn get_opt_cluster_scoped_and_webhooks() {
    let fake = basic();
    let client = fake.client();
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), "shop");
    let sa = sas.get_opt("checkout").await.unwrap().expect("checkout exists");
    let role = sa.metadata.annotations.unwrap()["eks.amazonaws.com/role-arn"].clone();
    assert_eq!(role, "arn:aws:iam::210987654321:role/checkout-irsa");
    assert!(sas.get_opt("nobody").await.unwrap().is_none());
    let missing = api_error(sas.get("nobody").await);
    assert_eq!((missing.code, missing.reason.as_str()), (404, "NotFound"));
    assert_eq!(missing.message, "serviceaccounts \"nobody\" not found");
    let node = Api::<Node>::all(client.clone()).get("ip-10-0-1-10.ec2.internal").await.unwrap();
    assert_eq!(node.metadata.labels.unwrap()["eks.amazonaws.com/nodegroup"], "default");
    let hooks = Api::<MutatingWebhookConfiguration>::all(client).list(&ListParams::default()).await.unwrap();
    assert_eq!(names(&hooks.items), ["pod-identity-webhook"]);
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn paginates_with_limit_and_continue() {
    let fake = basic();
    let pods = Api::<Pod>::all(fake.client());
    let (mut seen, mut token, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let mut params = ListParams::default().limit(3);
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        let page = pods.list(&params).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(names(&page.items));
        pages += 1;
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
        assert_eq!(page.metadata.remaining_item_count, Some(1));
    }
    let everything = names(&pods.list(&ListParams::default()).await.unwrap().items);
    assert_eq!((pages, seen), (2, everything));
}

#[tokio::test]
async fn patches_of_every_type_update_a_service_account() {
    let fake = basic();
    let client = fake.client();
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), "shop");
    let annotation = |sa: &ServiceAccount, key: &str| sa.metadata.annotations.as_ref().and_then(|a| a.get(key).cloned());
    let before = sas.get("checkout").await.unwrap().metadata.resource_version;

    let merge = json!({"metadata": {"annotations": {"merge": "1"}}});
    sas.patch("checkout", &PatchParams::default(), &Patch::Merge(&merge)).await.unwrap();
    let strategic = json!({"metadata": {"annotations": {"strategic": "2"}}});
    sas.patch("checkout", &PatchParams::default(), &Patch::Strategic(&strategic)).await.unwrap();
    let apply = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "checkout", "annotations": {"apply": "3"}}});
    sas.patch("checkout", &PatchParams::apply("fake-kube-test"), &Patch::Apply(&apply)).await.unwrap();
    let ops = json!([{"op": "add", "path": "/metadata/annotations/json~1patch", "value": "4"},
        {"op": "remove", "path": "/metadata/annotations/merge"}]);
    let request = http::Request::patch("/api/v1/namespaces/shop/serviceaccounts/checkout")
        .header(http::header::CONTENT_TYPE, "application/json-patch+json")
        .body(serde_json::to_vec(&ops).unwrap())
        .unwrap();
    client.request::<ServiceAccount>(request).await.unwrap();

    let sa = sas.get("checkout").await.unwrap();
    assert_eq!(annotation(&sa, "merge"), None);
    assert_eq!(annotation(&sa, "strategic").as_deref(), Some("2"));
    assert_eq!(annotation(&sa, "apply").as_deref(), Some("3"));
    assert_eq!(annotation(&sa, "json/patch").as_deref(), Some("4"));
    assert_eq!(annotation(&sa, "eks.amazonaws.com/role-arn").as_deref(), Some("arn:aws:iam::210987654321:role/checkout-irsa"));
    assert_ne!(sa.metadata.resource_version, before);
    let types: Vec<Option<String>> = fake.writes().iter().map(|w| w.content_type.clone()).collect();
    assert_eq!(types, [
        Some("application/merge-patch+json".to_string()),
        Some("application/strategic-merge-patch+json".to_string()),
        Some("application/apply-patch+yaml".to_string()),
        Some("application/json-patch+json".to_string()),
    ]);
}

#[tokio::test]
async fn strategic_merge_merges_containers_by_name() {
    let fake = basic();
    let pods = Api::<Pod>::namespaced(fake.client(), "shop");
    let patch = json!({"spec": {"containers": [{"name": "checkout", "env": [{"name": "EXTRA", "value": "1"}]}]}});
    let pod = pods.patch("checkout-7d9c8b6f5-ax0q", &PatchParams::default(), &Patch::Strategic(&patch)).await.unwrap();
    let containers = pod.spec.unwrap().containers;
    assert_eq!(containers.len(), 1);
    let env: Vec<String> = containers[0].env.iter().flatten().map(|e| e.name.clone()).collect();
    assert!(env.contains(&"AWS_ROLE_ARN".to_string()) && env.ends_with(&["EXTRA".to_string()]), "{env:?}");
}

#[tokio::test]
async fn creates_a_pod_and_refuses_a_duplicate() {
    let fake = FakeKube::empty();
    let pods = Api::<Pod>::namespaced(fake.client(), "default");
    let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p1", "labels": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}})).unwrap();
    let created = pods.create(&PostParams::default(), &pod).await.unwrap();
    assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());
    assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(names(&pods.list(&ListParams::default().labels("a=b")).await.unwrap().items), ["p1"]);
    let again = api_error(pods.create(&PostParams::default(), &pod).await);
    assert_eq!((again.code, again.reason.as_str()), (409, "AlreadyExists"));
    let elsewhere = api_error(Api::<Pod>::namespaced(fake.client(), "nowhere").create(&PostParams::default(), &pod).await);
    assert_eq!(elsewhere.message, "namespaces \"nowhere\" not found");
    assert_eq!(fake.writes().len(), 3);
    pods.delete("p1", &Default::default()).await.unwrap();
    assert!(pods.get_opt("p1").await.unwrap().is_none());
}

#[tokio::test]
async fn token_request_returns_a_jwt_from_the_cluster_issuer() {
    let fake = basic();
    let sas = Api::<ServiceAccount>::namespaced(fake.client(), "shop");
    let request = TokenRequest {
        spec: TokenRequestSpec { audiences: vec!["sts.amazonaws.com".into()], expiration_seconds: Some(600), ..Default::default() },
        ..Default::default()
    };
    let answer = sas.create_token_request("checkout", &PostParams::default(), &request).await.unwrap();
    let token = answer.status.unwrap().token;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let decode = |p: &str| serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
    assert_eq!(decode(parts[0]), json!({"alg": "RS256", "kid": "fake"}));
    let claims = decode(parts[1]);
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], "system:serviceaccount:shop:checkout");
    assert_eq!(claims["aud"], json!(["sts.amazonaws.com"]));
    assert_eq!(claims["kubernetes.io"]["serviceaccount"], json!({"name": "checkout", "uid": "sa-shop-checkout"}));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);
    assert!(!parts[2].is_empty());
    assert_eq!(fake.token_requests().len(), 1);
    assert!(fake.writes().is_empty(), "a TokenRequest is not a write");

    fake.set_issuer("https://issuer.example");
    let missing = api_error(sas.create_token_request("nobody", &PostParams::default(), &request).await);
    assert_eq!(missing.code, 404);
    fake.deny("create", "serviceaccounts/token", Some("shop"));
    let denied = api_error(sas.create_token_request("checkout", &PostParams::default(), &request).await);
    assert_eq!(denied.message, "serviceaccounts \"checkout\" is forbidden: User \"test\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"shop\"");
}

#[tokio::test]
async fn denied_list_is_a_forbidden_api_error() {
    let fake = basic();
    fake.deny("list", "pods", Some("shop"));
    let client = fake.client();
    let denied = api_error(Api::<Pod>::namespaced(client.clone(), "shop").list(&ListParams::default()).await);
    assert_eq!((denied.code, denied.reason.as_str()), (403, "Forbidden"));
    assert_eq!(denied.message, "pods is forbidden: User \"test\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\"");
    let cluster = api_error(Api::<Pod>::all(client.clone()).list(&ListParams::default()).await);
    assert!(cluster.message.ends_with("at the cluster scope"), "{}", cluster.message);
    assert!(Api::<Pod>::namespaced(client.clone(), "kube-system").list(&ListParams::default()).await.is_ok());
    assert!(Api::<Pod>::namespaced(client, "shop").get("checkout-7d9c8b6f5-ax0q").await.is_ok());
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [403, 403, 200, 200]);
}

#[tokio::test]
async fn protocol_errors_are_status_objects() {
    let fake = basic();
    let client = fake.client();
    let raw = |method: &str, uri: &str, content_type: &str, body: &str| {
        http::Request::builder().method(method).uri(uri).header(http::header::CONTENT_TYPE, content_type)
            .body(body.as_bytes().to_vec()).unwrap()
    };
    let sa = "/api/v1/namespaces/shop/serviceaccounts/checkout";
    let cases = [
        (raw("PATCH", sa, "application/x-unknown", "{}"), 415, "UnsupportedMediaType"),
        (raw("PATCH", sa, "application/merge-patch+json", "{not json"), 400, "BadRequest"),
        (raw("POST", "/api/v1/namespaces/shop/serviceaccounts", "application/json", "[1,"), 400, "BadRequest"),
        (raw("GET", "/api/v1/pods?watch=true", "application/json", ""), 405, "MethodNotAllowed"),
        (raw("GET", "/api/v1/widgets", "application/json", ""), 404, "NotFound"),
        (raw("GET", "/api/v1/pods/x", "application/json", ""), 404, "NotFound"),
        (raw("PATCH", sa, "application/json-patch+json", r#"[{"op":"remove","path":"/nope"}]"#), 422, "Invalid"),
        (raw("PUT", sa, "application/json", r#"{"metadata":{"name":"checkout","resourceVersion":"1"}}"#), 409, "Conflict"),
    ];
    for (request, code, reason) in cases {
        let line = format!("{} {}", request.method(), request.uri());
        let status = api_error(client.request::<Value>(request).await);
        assert_eq!((status.code, status.reason.as_str()), (code, reason), "{line}: {status:?}");
    }
}

#[tokio::test]
async fn discovery_aggregated_and_legacy() {
    let fake = basic();
    let client = fake.client();
    assert_eq!(client.apiserver_version().await.unwrap().git_version, support::fake_kube::GIT_VERSION);
    for discovery in [
        kube::Discovery::new(client.clone()).run_aggregated().await.unwrap(),
        kube::Discovery::new(client.clone()).run().await.unwrap(),
    ] {
        for (group, kind, namespaced) in [("", "Pod", true), ("", "Node", false), ("apps", "Deployment", true),
            ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", false), ("batch", "CronJob", true)] {
            let gvk = kube::api::GroupVersionKind::gvk(group, "v1", kind);
            let (_, caps) = discovery.resolve_gvk(&gvk).unwrap_or_else(|| panic!("{kind} not discovered"));
            assert_eq!(caps.scope == kube::discovery::Scope::Namespaced, namespaced, "{kind}");
        }
    }
}

/// Runs the real kubectl against `kubeconfig`; fails clearly when it is not installed.
async fn kubectl(kubeconfig: &Path, cache: &Path, args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new("kubectl");
    command.args(args).arg("--kubeconfig").arg(kubeconfig).arg("--cache-dir").arg(cache);
    command.env_remove("KUBECONFIG").kill_on_drop(true);
    let output = match command.output().await {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("these tests need the real `kubectl` binary (v1.32) on PATH; it was not found")
        }
        Err(e) => panic!("cannot run kubectl: {e}"),
    };
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_kubectl_reads_and_annotates() {
    let fake = basic();
    let addr = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    fake.write_kubeconfig(&config, addr, "fake", None);
    let cache = dir.path().join("cache");
    let run = |args: &'static [&'static str]| kubectl(&config, &cache, args);

    let out = tokio::time::timeout(Duration::from_secs(30), run(&["get", "pods", "-A", "-o", "json"])).await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pods: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(pods.len(), 4, "{pods:?}");
    assert!(pods.contains(&"checkout-7d9c8b6f5-ax0q"));

    let out = run(&["get", "sa", "checkout", "-n", "shop", "-o", "yaml"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/checkout-irsa"));

    let out = run(&["get", "nodes"]).await;
    let table = text(&out.stdout);
    assert!(out.status.success() && table.starts_with("NAME") && table.contains("ip-10-0-1-10.ec2.internal   Ready"), "{table}{}", text(&out.stderr));
    let out = run(&["get", "pods", "-A"]).await;
    assert!(text(&out.stdout).starts_with("NAMESPACE") && text(&out.stdout).contains("shop "), "{}", text(&out.stdout));

    let out = run(&["annotate", "sa", "checkout", "-n", "shop", "foo=bar"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let patch = fake.writes().pop().expect("annotate wrote");
    assert_eq!(patch.method, "PATCH");
    assert!(patch.content_type.unwrap().contains("merge-patch+json"));
    let out = run(&["get", "sa", "checkout", "-n", "shop", "-o", "jsonpath={.metadata.annotations.foo}"]).await;
    assert_eq!(text(&out.stdout), "bar");

    let out = run(&["get", "pod", "does-not-exist", "-n", "shop"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("NotFound") && stderr.contains("\"does-not-exist\" not found"), "{stderr}");
    assert_eq!(fake.writes().len(), 1, "only the annotate wrote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_over_loopback_and_exec_kubeconfig() {
    let fake = basic();
    let addr = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    fake.write_kubeconfig(&path, addr, "fake", None);
    let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await.unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let pods = Api::<Pod>::namespaced(client, "shop").list(&ListParams::default()).await.unwrap();
    assert_eq!(pods.items.len(), 3);
    assert!(fake.requests()[0].uri().starts_with("/api/v1/namespaces/shop/pods"));

    fake.write_kubeconfig(&path, addr, "eks", Some("shop-prod"));
    let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
    let exec = kubeconfig.auth_infos[0].auth_info.as_ref().unwrap().exec.as_ref().unwrap();
    assert_eq!(exec.command.as_deref(), Some("aws"));
    let args = exec.args.clone().unwrap().join(" ");
    assert_eq!(args, "--region eu-west-1 eks get-token --cluster-name shop-prod --output json");
    assert_eq!(kubeconfig.clusters[0].name, "arn:aws:eks:eu-west-1:210987654321:cluster/shop-prod");
    assert_eq!(kubeconfig.current_context.as_deref(), Some("eks"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zz_debug_kubectl() {
    let fake = basic();
    let addr = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    fake.write_kubeconfig(&config, addr, "fake", None);
    let cache = dir.path().join("cache");
    for args in [&["get", "nodes"][..], &["get", "pods", "-A", "-o", "wide"], &["annotate", "sa", "checkout", "-n", "shop", "foo=bar"], &["get", "pod", "x", "-n", "shop"], &["api-resources"], &["get", "po,sa,deploy", "-n", "shop"], &["apply", "--server-side", "--validate=false", "-f", "/tmp/fk-sa.yaml"], &["get", "sa", "applied", "-n", "shop", "-o", "yaml"], &["apply", "--validate=false", "-f", "/tmp/fk-sa.yaml"], &["label", "pod", "-n", "shop", "--all", "z=1"], &["get", "pods", "-A", "-l", "z=1", "--chunk-size=1"], &["get", "pods", "-A", "--field-selector", "spec.nodeName=nope"], &["get", "mutatingwebhookconfigurations"], &["version", "-o", "json"], &["get", "all", "-n", "shop"], &["delete", "sa", "payments", "-n", "shop"], &["patch", "sa", "search", "-n", "shop", "--type=json", "-p", "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"x\":\"y\"}}]"], &["get", "sa", "-n", "shop", "-l", "x=y"], &["create", "token", "checkout", "-n", "shop"]] {
        let out = kubectl(&config, &cache, args).await;
        println!("$ kubectl {}\n{}{}", args.join(" "), text(&out.stdout), text(&out.stderr));
    }
    for r in fake.requests() { println!("{} {} {:?} -> {}", r.line(), r.content_type.unwrap_or_default(), r.accept.unwrap_or_default(), r.status); }
}
