//! The fake Kubernetes API server (tests/support/fake_kube) against kube-rs in-process and the
//! real `kubectl` binary over loopback, seeded from the basic scenario bundle.

mod support;

use std::time::{Duration, Instant};

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, ServiceAccount};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use support::fake_kube::FakeKube;
use support::fake_kube::testing::{basic, claims_of, list};

const ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9";
const CHECKOUT_ROLE: &str = "arn:aws:iam::210987654321:role/checkout-irsa";
const CHECKOUT_POD: &str = "checkout-7d9c8b6f5-ax0q";

fn labels(selector: &str) -> ListParams {
    ListParams::default().labels(selector)
}

fn fields(selector: &str) -> ListParams {
    ListParams::default().fields(selector)
}

/// The `kube::Error::Api` status of a call that must fail.
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
    assert_eq!(
        list(&pods, labels("app.kubernetes.io/name=checkout")).await,
        [CHECKOUT_POD]
    );
    let lines: Vec<String> = fake.requests().iter().map(|r| r.line()).collect();
    assert_eq!(
        lines,
        ["GET /api/v1/pods?&labelSelector=app.kubernetes.io%2Fname%3Dcheckout"]
    );
    assert_eq!(fake.requests()[0].status, 200);
    assert!(fake.writes().is_empty() && fake.token_requests().is_empty());
}

#[tokio::test]
async fn label_selector_operators() {
    let fake = basic();
    let pods = Api::<Pod>::all(fake.client());
    let cases: [(&str, &[&str]); 6] = [
        ("app.kubernetes.io/name==search", &["search-7d9c8b6f5-ax0q"]),
        (
            "app.kubernetes.io/name in (checkout, search)",
            &[CHECKOUT_POD, "search-7d9c8b6f5-ax0q"],
        ),
        (
            "app.kubernetes.io/name notin (checkout,search),pod-template-hash",
            &["payments-7d9c8b6f5-ax0q"],
        ),
        ("!pod-template-hash", &["eks-pod-identity-agent-x7k2p"]),
        (
            "app.kubernetes.io/name!=checkout,app.kubernetes.io/name!=search",
            &["eks-pod-identity-agent-x7k2p", "payments-7d9c8b6f5-ax0q"],
        ),
        (
            "pod-template-hash",
            &[
                CHECKOUT_POD,
                "payments-7d9c8b6f5-ax0q",
                "search-7d9c8b6f5-ax0q",
            ],
        ),
    ];
    for (selector, expected) in cases {
        assert_eq!(list(&pods, labels(selector)).await, expected, "{selector}");
    }
    let bad = api_error(pods.list(&labels("a in (b")).await);
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
    assert_eq!(
        list(&sas, ListParams::default()).await,
        ["checkout", "payments", "search"]
    );
    let pods = Api::<Pod>::all(client.clone());
    assert_eq!(
        list(&pods, fields("spec.nodeName=other-node")).await,
        ["batch-1"]
    );
    assert_eq!(
        list(&pods, fields("spec.nodeName!=other-node")).await.len(),
        4
    );
    let by_sa = fields("spec.serviceAccountName=checkout,metadata.namespace=shop");
    assert_eq!(list(&pods, by_sa).await, [CHECKOUT_POD]);
    assert_eq!(
        list(&pods, fields("status.phase=Succeeded")).await,
        ["batch-1"]
    );
    let bad = api_error(pods.list(&fields("spec.bogus=x")).await);
    assert_eq!(bad.message, "field label not supported: spec.bogus");
    // Every namespace the objects mention exists, plus the system ones.
    let namespaces = list(&Api::<Namespace>::all(client), ListParams::default()).await;
    assert_eq!(
        namespaces,
        [
            "default",
            "jobs",
            "kube-node-lease",
            "kube-public",
            "kube-system",
            "shop"
        ]
    );
}

#[tokio::test]
async fn get_opt_cluster_scoped_and_webhooks() {
    let fake = basic();
    let client = fake.client();
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), "shop");
    let sa = sas
        .get_opt("checkout")
        .await
        .unwrap()
        .expect("checkout exists");
    assert_eq!(
        sa.metadata.annotations.unwrap()["eks.amazonaws.com/role-arn"],
        CHECKOUT_ROLE
    );
    assert!(sas.get_opt("nobody").await.unwrap().is_none());
    let missing = api_error(sas.get("nobody").await);
    assert_eq!((missing.code, missing.reason.as_str()), (404, "NotFound"));
    assert_eq!(missing.message, "serviceaccounts \"nobody\" not found");
    let node = Api::<Node>::all(client.clone())
        .get("ip-10-0-1-10.ec2.internal")
        .await
        .unwrap();
    assert_eq!(
        node.metadata.labels.unwrap()["eks.amazonaws.com/nodegroup"],
        "default"
    );
    let hooks = Api::<MutatingWebhookConfiguration>::all(client);
    assert_eq!(
        list(&hooks, ListParams::default()).await,
        ["pod-identity-webhook"]
    );
    assert_eq!(fake.requests().len(), 5);
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn paginates_with_limit_and_continue() {
    let fake = basic();
    let pods = Api::<Pod>::all(fake.client());
    let first = pods.list(&ListParams::default().limit(3)).await.unwrap();
    assert_eq!(first.items.len(), 3);
    assert_eq!(first.metadata.remaining_item_count, Some(1));
    let token = first.metadata.continue_.expect("a continue token");
    let second = pods
        .list(&ListParams::default().limit(3).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert!(second.metadata.continue_.is_none_or(|t| t.is_empty()));
    let paged: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(paged, list(&pods, ListParams::default()).await);
    let bad = api_error(
        pods.list(&ListParams::default().continue_token("garbage"))
            .await,
    );
    assert_eq!(bad.code, 400);
}

#[tokio::test]
async fn patches_of_every_type_update_a_service_account() {
    let fake = basic();
    let client = fake.client();
    let sas = Api::<ServiceAccount>::namespaced(client.clone(), "shop");
    let before = sas.get("checkout").await.unwrap().metadata.resource_version;
    let pp = PatchParams::default();
    let merge = json!({"metadata": {"annotations": {"merge": "1"}}});
    sas.patch("checkout", &pp, &Patch::Merge(&merge))
        .await
        .unwrap();
    let strategic = json!({"metadata": {"annotations": {"strategic": "2"}}});
    sas.patch("checkout", &pp, &Patch::Strategic(&strategic))
        .await
        .unwrap();
    let apply = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "checkout", "annotations": {"apply": "3"}}});
    sas.patch(
        "checkout",
        &PatchParams::apply("test"),
        &Patch::Apply(&apply),
    )
    .await
    .unwrap();
    // kube is built without its `jsonpatch` feature: send the JSON patch by hand.
    let ops = json!([{"op": "add", "path": "/metadata/annotations/json~1patch", "value": "4"},
        {"op": "remove", "path": "/metadata/annotations/merge"}]);
    let request = http::Request::patch("/api/v1/namespaces/shop/serviceaccounts/checkout")
        .header(http::header::CONTENT_TYPE, "application/json-patch+json")
        .body(serde_json::to_vec(&ops).unwrap())
        .unwrap();
    client.request::<ServiceAccount>(request).await.unwrap();

    let sa = sas.get("checkout").await.unwrap();
    let annotations = sa.metadata.annotations.unwrap();
    let shown: Vec<(&str, &str)> = annotations
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = [
        ("apply", "3"),
        ("eks.amazonaws.com/role-arn", CHECKOUT_ROLE),
        ("json/patch", "4"),
        ("strategic", "2"),
    ];
    assert_eq!(shown, expected);
    assert_ne!(sa.metadata.resource_version, before);
    let types: Vec<String> = fake
        .writes()
        .into_iter()
        .filter_map(|w| w.content_type)
        .collect();
    let expected = [
        "merge-patch+json",
        "strategic-merge-patch+json",
        "apply-patch+yaml",
        "json-patch+json",
    ];
    assert_eq!(types, expected.map(|t| format!("application/{t}")));
}

#[tokio::test]
async fn strategic_merge_merges_containers_by_name() {
    let fake = basic();
    let pods = Api::<Pod>::namespaced(fake.client(), "shop");
    let patch = json!({"spec": {"containers": [{"name": "checkout", "env": [{"name": "EXTRA", "value": "1"}]}]}});
    let pod = pods
        .patch(
            CHECKOUT_POD,
            &PatchParams::default(),
            &Patch::Strategic(&patch),
        )
        .await
        .unwrap();
    let containers = pod.spec.unwrap().containers;
    assert_eq!(containers.len(), 1);
    let env: Vec<String> = containers[0]
        .env
        .iter()
        .flatten()
        .map(|e| e.name.clone())
        .collect();
    assert!(
        env.contains(&"AWS_ROLE_ARN".to_string()) && env.ends_with(&["EXTRA".to_string()]),
        "{env:?}"
    );
}

#[tokio::test]
async fn creates_a_pod_and_refuses_a_duplicate() {
    let fake = FakeKube::empty();
    let pods = Api::<Pod>::namespaced(fake.client(), "default");
    let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p1", "labels": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}))
    .unwrap();
    let created = pods.create(&PostParams::default(), &pod).await.unwrap();
    assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());
    assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(list(&pods, labels("a=b")).await, ["p1"]);
    let again = api_error(pods.create(&PostParams::default(), &pod).await);
    assert_eq!((again.code, again.reason.as_str()), (409, "AlreadyExists"));
    let nowhere = Api::<Pod>::namespaced(fake.client(), "nowhere");
    let missing_ns = api_error(nowhere.create(&PostParams::default(), &pod).await);
    assert_eq!(missing_ns.message, "namespaces \"nowhere\" not found");
    pods.delete("p1", &Default::default()).await.unwrap();
    assert!(pods.get_opt("p1").await.unwrap().is_none());
    let methods: Vec<String> = fake.writes().into_iter().map(|w| w.method).collect();
    assert_eq!(methods, ["POST", "POST", "POST", "DELETE"]);
}

#[tokio::test]
async fn token_request_returns_a_jwt_from_the_cluster_issuer() {
    let fake = basic();
    let sas = Api::<ServiceAccount>::namespaced(fake.client(), "shop");
    let spec = TokenRequestSpec {
        audiences: vec!["sts.amazonaws.com".into()],
        expiration_seconds: Some(600),
        ..Default::default()
    };
    let request = TokenRequest {
        spec,
        ..Default::default()
    };
    let pp = PostParams::default();
    let answer = sas
        .create_token_request("checkout", &pp, &request)
        .await
        .unwrap();
    let claims = claims_of(&answer.status.unwrap().token);
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], "system:serviceaccount:shop:checkout");
    assert_eq!(claims["aud"], json!(["sts.amazonaws.com"]));
    let sa_claim = json!({"name": "checkout", "uid": "sa-shop-checkout"});
    assert_eq!(
        claims["kubernetes.io"],
        json!({"namespace": "shop", "serviceaccount": sa_claim})
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );
    assert_eq!(claims["nbf"], claims["iat"]);
    assert_eq!(fake.token_requests().len(), 1);
    assert!(fake.writes().is_empty(), "a TokenRequest is not a write");

    fake.set_issuer("https://issuer.example");
    let answer = sas
        .create_token_request("checkout", &pp, &TokenRequest::default())
        .await
        .unwrap();
    let claims = claims_of(&answer.status.unwrap().token);
    assert_eq!(
        (claims["iss"].clone(), claims["aud"].clone()),
        (
            json!("https://issuer.example"),
            json!(["https://issuer.example"])
        )
    );
    assert_eq!(
        api_error(sas.create_token_request("nobody", &pp, &request).await).code,
        404
    );
    fake.deny("create", "serviceaccounts/token", Some("shop"));
    let denied = api_error(sas.create_token_request("checkout", &pp, &request).await);
    assert_eq!(
        denied.message,
        "serviceaccounts \"checkout\" is forbidden: User \"test\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"shop\""
    );
}

#[tokio::test]
async fn denied_list_is_a_forbidden_api_error() {
    let fake = basic();
    fake.deny("list", "pods", Some("shop"));
    let client = fake.client();
    let shop = Api::<Pod>::namespaced(client.clone(), "shop");
    let denied = api_error(shop.list(&ListParams::default()).await);
    assert_eq!((denied.code, denied.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        denied.message,
        "pods is forbidden: User \"test\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\""
    );
    let cluster = api_error(
        Api::<Pod>::all(client.clone())
            .list(&ListParams::default())
            .await,
    );
    assert!(
        cluster.message.ends_with("at the cluster scope"),
        "{}",
        cluster.message
    );
    let system = Api::<Pod>::namespaced(client, "kube-system");
    assert!(system.list(&ListParams::default()).await.is_ok());
    assert!(shop.get(CHECKOUT_POD).await.is_ok(), "get is still allowed");
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [403, 403, 200, 200]);
}

/// Sends `METHOD PATH TYPE [BODY]` raw and returns the Status it must fail with. PATH may
/// start with `SA` for the checkout service account; TYPE is `application/TYPE`, or `pb`;
/// `\0` and `\x12` in BODY are those bytes.
async fn failing(client: &kube::Client, line: &str) -> kube::core::Status {
    let mut parts = line.splitn(4, ' ');
    let mut next = || parts.next().unwrap_or("");
    let (method, path, content_type, body) = (next(), next(), next(), next());
    let path = match path.strip_prefix("SA") {
        Some(rest) => format!("/api/v1/namespaces/shop/serviceaccounts/checkout{rest}"),
        None => path.to_string(),
    };
    let content_type = match content_type {
        "pb" => "application/vnd.kubernetes.protobuf".to_string(),
        other => format!("application/{other}"),
    };
    let request = http::Request::builder().method(method).uri(path);
    let request = request.header(http::header::CONTENT_TYPE, content_type);
    let body = body.replace("\\0", "\0").replace("\\x12", "\x12");
    let request = request.body(body.into_bytes()).unwrap();
    api_error(client.request::<Value>(request).await)
}

#[tokio::test]
async fn protocol_errors_are_status_objects() {
    let fake = basic();
    let client = fake.client();
    let cases = [
        ("PATCH SA x-unknown {}", 415, "UnsupportedMediaType"),
        ("PATCH SA merge-patch+json {not json", 400, "BadRequest"),
        (
            "POST /api/v1/namespaces/shop/serviceaccounts json [1,",
            400,
            "BadRequest",
        ),
        ("GET /api/v1/pods?watch=true json", 405, "MethodNotAllowed"),
        ("GET /api/v1/widgets json", 404, "NotFound"),
        ("GET /api/v1/pods/x json", 404, "NotFound"),
        (
            r#"PATCH SA json-patch+json [{"op":"remove","path":"/nope"}]"#,
            422,
            "Invalid",
        ),
        (
            r#"PUT SA json {"metadata":{"name":"checkout","resourceVersion":"1"}}"#,
            409,
            "Conflict",
        ),
        ("PATCH SA apply-patch+yaml {}", 422, "Invalid"),
    ];
    for (line, code, reason) in cases {
        let status = failing(&client, line).await;
        assert_eq!(
            (status.code, status.reason.as_str()),
            (code, reason),
            "{line}: {status:?}"
        );
    }
    assert!(fake.requests().iter().all(|r| r.status >= 400));
}

#[tokio::test]
async fn discovery_aggregated_and_legacy() {
    let fake = basic();
    let client = fake.client();
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(version.git_version, support::fake_kube::GIT_VERSION);
    let aggregated = kube::Discovery::new(client.clone())
        .run_aggregated()
        .await
        .unwrap();
    let legacy = kube::Discovery::new(client).run().await.unwrap();
    let kinds = [
        ("", "Pod", true),
        ("", "Node", false),
        ("apps", "Deployment", true),
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration",
            false,
        ),
        ("batch", "CronJob", true),
    ];
    for discovery in [aggregated, legacy] {
        for (group, kind, namespaced) in kinds {
            let gvk = kube::api::GroupVersionKind::gvk(group, "v1", kind);
            let (_, caps) = discovery
                .resolve_gvk(&gvk)
                .unwrap_or_else(|| panic!("{kind} not discovered"));
            assert_eq!(
                caps.scope == kube::discovery::Scope::Namespaced,
                namespaced,
                "{kind}"
            );
        }
    }
}

#[tokio::test]
async fn latency_is_injected_per_request() {
    let fake = basic();
    fake.set_latency(Duration::from_millis(60));
    let started = Instant::now();
    Api::<Pod>::all(fake.client())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(60));
}

#[tokio::test]
async fn malformed_requests_get_client_errors_never_a_crash() {
    let fake = basic();
    let client = fake.client();
    let cases = [
        "GET /api/v1/namespaces//pods json",
        "GET /api/v1/namespaces/shop/pods/%ff%fe json",
        "GET /api/v1/pods?limit=-1 json",
        "GET /api/v1/pods?limit=99999999999999999999999 json",
        "GET /api/v1/pods?labelSelector=%28%29%2C%21&fieldSelector=%3D json",
        "GET /apis/apps/v9/deployments json",
        "DELETE /api/v1/pods json",
        "POST /api/v1/pods json {}",
        "POST /api json {}",
        r#"POST /api/v1/namespaces/shop/pods json {"kind":"Node"}"#,
        r#"POST /api/v1/namespaces/shop/pods json {"metadata":5}"#,
        r#"POST /api/v1/namespaces/shop/pods json {"metadata":{}}"#,
        r"POST /api/v1/namespaces/shop/pods pb k8s\0garbage",
        "POST /api/v1/namespaces/shop/pods/x/eviction json {}",
        "PATCH SA merge-patch+json [1,2]",
        r#"PATCH SA merge-patch+json {"metadata":{"name":"other"}}"#,
        "PATCH SA strategic-merge-patch+json 5",
        r#"PATCH SA strategic-merge-patch+json {"secrets":[{"x":1}]}"#,
        "PATCH SA json-patch+json {}",
        r#"PATCH SA json-patch+json [{"op":"add","path":"nope","value":1}]"#,
        r#"PATCH SA json-patch+json [{"op":"add","path":"/metadata/x/9","value":1}]"#,
        r#"PATCH SA json-patch+json [{"op":"replace","path":"","value":1}]"#,
        r#"PATCH SA json-patch+json [{"op":"move","from":"/metadata","path":"/metadata/x"}]"#,
        "PATCH SA?fieldManager=x apply-patch+yaml a: [b",
        "PATCH SA?fieldManager=x apply-patch+yaml - 1",
        r#"PUT SA json {"metadata":{"name":"other"}}"#,
        r#"POST SA/token json {"spec":{"expirationSeconds":9223372036854775807}}"#,
        r#"POST SA/token json {"spec":{"audiences":[1]}}"#,
        r"POST SA/token pb k8s\0\x12",
        "POST SA/token pb nope",
        "GET SA/token json",
        "OPTIONS SA json",
    ];
    for line in cases {
        let status = failing(&client, line).await;
        assert!((400..500).contains(&status.code), "{line}: {status:?}");
    }
}
