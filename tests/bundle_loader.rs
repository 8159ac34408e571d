//! The offline bundle loader against the example bundle, real-world variants (fixtures in
//! tests/fixtures/loader/) and hostile input. Bad input must never panic and every note must
//! name its file.

use std::path::{Path, PathBuf};

use kubectl_irsa::model::aws::PolicyText;
use kubectl_irsa::model::snapshot::{Scope, Snapshot, SourceInfo, SourceKind};
use kubectl_irsa::model::{Fact, Missing};
use kubectl_irsa::sources::bundle::{BundleError, load_dirs, load_files};

const ACCOUNT: &str = "210987654321";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/loader")
        .join(name)
}

fn basic_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/basic/bundle")
}

fn load(files: &[(&str, &[u8])]) -> Result<Snapshot, BundleError> {
    let source = SourceInfo {
        kind: SourceKind::Offline,
        description: "test bundle".to_string(),
        context: None,
        region: None,
    };
    load_files(
        source,
        files
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect(),
    )
}

/// A bundle holding `extra` next to a recognisable file, so it loads.
fn load_with_good(extra: &[(&str, &[u8])]) -> Snapshot {
    let good = std::fs::read(basic_dir().join("cluster.json")).unwrap();
    let mut files = vec![("cluster.json", good.as_slice())];
    files.extend_from_slice(extra);
    load(&files).unwrap()
}

fn notes_of(snapshot: &Snapshot, file: &str) -> Vec<String> {
    snapshot
        .notes
        .iter()
        .filter(|n| n.file == file)
        .map(|n| n.message.clone())
        .collect()
}

fn known<T: std::fmt::Debug>(fact: &Fact<T>) -> &T {
    fact.known()
        .unwrap_or_else(|| panic!("not known: {fact:?}"))
}

/// An IAM ARN in the example bundle's account.
fn acct_arn(resource: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{resource}")
}

fn trust(snapshot: &Snapshot, arn: &str) -> String {
    snapshot.aws.iam.roles[arn].trust_policy.clone().unwrap().0
}

#[test]
fn basic_bundle_loads_completely() {
    let s = load_dirs(&[basic_dir()]).unwrap();
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    assert_eq!(s.source.kind, SourceKind::Offline);
    let k = &s.kube;
    let sas = known(&k.service_accounts);
    assert_eq!(sas.items.len(), 3);
    assert!(sas.covers("shop") && !sas.covers("other"));
    let pods = known(&k.pods);
    assert_eq!(pods.items.len(), 4);
    assert!(pods.covers("kube-system"));
    assert!(
        pods.items
            .iter()
            .any(|p| p.metadata.name.as_deref() == Some("eks-pod-identity-agent-x7k2p"))
    );
    assert_eq!(known(&k.deployments).items.len(), 3);
    assert_eq!(known(&k.replica_sets).items.len(), 3);
    let ds = known(&k.daemon_sets);
    assert_eq!(
        ds.items[0].metadata.name.as_deref(),
        Some("eks-pod-identity-agent")
    );
    let ds_json = serde_json::to_value(&ds.items[0]).unwrap();
    let label = ds_json.pointer("/spec/template/metadata/labels/app.kubernetes.io~1name");
    assert_eq!(label.unwrap(), "eks-pod-identity-agent");
    assert_eq!(known(&k.nodes).len(), 1);
    assert_eq!(
        known(&k.webhooks)[0].metadata.name.as_deref(),
        Some("pod-identity-webhook")
    );
    assert!(!k.stateful_sets.is_known() && !k.jobs.is_known());

    let iam = &s.aws.iam;
    assert_eq!(iam.roles.len(), 3);
    let checkout = acct_arn("role/checkout-irsa");
    let text = trust(&s, &checkout);
    assert!(
        text.contains("\"Action\": \"sts:AssumeRoleWithWebIdentity\""),
        "{text}"
    );
    assert!(text.contains(":sub\": \"system:serviceaccount:shop:checkout\""));
    assert!(trust(&s, &acct_arn("role/search-irsa")).contains("shop:search-indexer"));
    let role = &iam.roles[&checkout];
    assert_eq!(known(&role.attached_policies)[0].name, "checkout-s3-read");
    assert_eq!(known(&role.permissions_boundary), &None);
    let payments = &iam.roles[&acct_arn("role/payments-pod-identity")];
    let inline = &known(&payments.inline_policies)[0].document.0;
    assert!(inline.contains("sqs:SendMessage"));
    assert!(iam.complete_role_accounts.contains(ACCOUNT));

    let policy = &iam.managed_policies[&acct_arn("policy/checkout-s3-read")];
    assert_eq!(policy.default_version_id.as_deref(), Some("v2"));
    let document = &policy.default_document.as_ref().unwrap().0;
    assert!(
        document.contains("s3:GetObject") && !document.contains("Deny"),
        "{document}"
    );

    let provider_arn = format!(
        "arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9"
    );
    let provider = &iam.oidc_providers[&provider_arn];
    assert_eq!(
        provider.client_ids,
        Some(vec!["sts.amazonaws.com".to_string()])
    );
    assert_eq!(
        provider.url,
        "oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9"
    );
    assert!(iam.complete_provider_accounts.contains(ACCOUNT));

    let cluster = known(&s.aws.cluster);
    assert_eq!(cluster.name, "shop-prod");
    assert_eq!(
        cluster.oidc_issuer.as_deref(),
        Some("https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9")
    );
    assert_eq!(cluster.platform_version.as_deref(), Some("eks.12"));
    assert!(!cluster.auto_mode);
    let associations = known(&s.aws.associations);
    assert_eq!(associations.len(), 1);
    assert_eq!(associations[0].service_account, "payments");
    let role_arn = associations[0].role_arn.clone();
    assert_eq!(role_arn, Some(acct_arn("role/payments-pod-identity")));
    assert_eq!(associations[0].disable_session_tags, Some(false));
    let addon = known(&s.aws.pod_identity_agent_addon).as_ref().unwrap();
    assert_eq!(
        (addon.status.as_deref(), addon.health_issues.len()),
        (Some("ACTIVE"), 0)
    );
}

#[test]
fn get_role_outputs_with_url_encoded_policies() {
    let s = load_dirs(&[fixture("get-role")]).unwrap();
    let iam = &s.aws.iam;
    let arn = acct_arn("role/apps/checkout-irsa");
    let role = &iam.roles[&arn];
    assert_eq!(
        (role.name.as_str(), role.path.as_str()),
        ("checkout-irsa", "/apps/")
    );
    let text = role.trust_policy.as_ref().unwrap();
    assert!(
        text.0.starts_with("%7B%22Version%22"),
        "kept URL-encoded: {text:?}"
    );
    assert_eq!(
        known(&role.permissions_boundary).as_deref(),
        Some(&*format!("arn:aws:iam::{ACCOUNT}:policy/boundary"))
    );
    assert_eq!(role.tags["team"], "shop");
    let inline = known(&role.inline_policies);
    assert_eq!(inline[0].name, "s3-read");
    assert!(inline[0].document.0.starts_with("%7B"));
    assert_eq!(
        role.attached_policies.missing(),
        Some(&Missing::not_collected(
            "aws iam list-attached-role-policies --role-name checkout-irsa"
        ))
    );
    // Garbage stays text: rejecting it is the policy engine's job.
    let plain = &iam.roles[&acct_arn("role/plain")];
    assert_eq!(
        plain.trust_policy,
        Some(PolicyText("%7B%22Version%22%3A%zz%%GARBAGE".into()))
    );
    assert_eq!(known(&plain.permissions_boundary), &None);
    assert_eq!(
        plain.inline_policies.missing(),
        Some(&Missing::not_collected(
            "aws iam list-role-policies --role-name plain"
        ))
    );
    assert!(
        iam.complete_role_accounts.is_empty(),
        "get-role is not a listing"
    );
    // No provider list: the ARN is built from get-caller-identity's account.
    let provider = iam.oidc_providers.values().next().unwrap();
    assert_eq!(
        provider.arn,
        format!(
            "arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9"
        )
    );
    assert!(provider.client_ids.is_some() && iam.complete_provider_accounts.is_empty());
    // The damaged trust policy of `plain` is kept (its link says unknown) and named once.
    assert_eq!(s.notes.len(), 1, "{:?}", s.notes);
    assert!(s.notes[0].file.ends_with("get-role/plain.json"));
    assert!(
        s.notes[0]
            .message
            .starts_with("the trust policy of role plain could not be decoded"),
        "{:?}",
        s.notes
    );
}

#[test]
fn list_roles_output() {
    let s = load_dirs(&[fixture("list-roles")]).unwrap();
    let iam = &s.aws.iam;
    assert_eq!(iam.roles.len(), 2);
    let b = &iam.roles["arn:aws:iam::111122223333:role/x/b"];
    assert_eq!((b.name.as_str(), b.path.as_str()), ("b", "/x/"));
    assert!(!b.permissions_boundary.is_known() && !b.inline_policies.is_known());
    assert!(trust(&s, "arn:aws:iam::111122223333:role/a").contains("\"pods.eks.amazonaws.com\""));
    assert!(iam.complete_role_accounts.contains("111122223333"));
}

#[test]
fn kubectl_json_lists_typed_lists_and_version() {
    let s = load_dirs(&[fixture("kind-list")]).unwrap();
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    let pods = known(&s.kube.pods);
    let names: Vec<_> = pods
        .items
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .collect();
    assert_eq!(names, ["batch-1", "web-1"]); // raw-podlist.json sorts first
    assert!(pods.covers("team") && pods.covers("jobs"));
    assert_eq!(known(&s.kube.service_accounts).items.len(), 1);
    assert_eq!(known(&s.kube.deployments).items.len(), 1);
    assert_eq!(
        s.kube.server_version.as_deref(),
        Some("v1.31.4-eks-2d5f260")
    );
}

#[test]
fn yaml_stream_with_anchors_and_merge_keys() {
    let s = load_dirs(&[fixture("anchors")]).unwrap();
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    let sa = &known(&s.kube.service_accounts).items[0];
    assert_eq!(sa.metadata.annotations.as_ref().unwrap()["copy"], "app=api");
    let deploy = &known(&s.kube.deployments).items[0];
    let template = &deploy.spec.as_ref().unwrap().template;
    assert_eq!(
        template.metadata.as_ref().unwrap().labels.as_ref().unwrap()["app"],
        "api"
    );
    let sidecar = &template.spec.as_ref().unwrap().containers[1];
    assert_eq!(
        (sidecar.name.as_str(), sidecar.image.as_deref()),
        ("sidecar", Some("example/api:2.0"))
    );
    assert_eq!(sidecar.env.as_ref().unwrap()[0].name, "AWS_REGION");
    let sts = &known(&s.kube.stateful_sets).items[0];
    let labels = sts
        .spec
        .as_ref()
        .unwrap()
        .selector
        .match_labels
        .as_ref()
        .unwrap();
    assert_eq!(labels["app"], "db");
}

#[test]
fn authorization_details_split_in_pages() {
    let s = load_dirs(&[fixture("pages")]).unwrap();
    let iam = &s.aws.iam;
    assert_eq!(iam.roles.len(), 2);
    assert!(iam.complete_role_accounts.contains("444455556666"));
    assert_eq!(
        iam.roles["arn:aws:iam::444455556666:role/first"].tags["owner"],
        "platform"
    );
    let second = &iam.roles["arn:aws:iam::444455556666:role/second"];
    assert!(known(&second.permissions_boundary).is_some());
    let policy = &iam.managed_policies["arn:aws:iam::444455556666:policy/read"];
    assert_eq!(
        policy.default_document.as_ref().unwrap().0,
        "{\"Statement\": \"v3\"}"
    );

    // Only the first page (IsTruncated: true): the role list is not complete.
    let page = std::fs::read(fixture("pages/authorization-details-1.json")).unwrap();
    let s = load(&[("page-1.json", &page)]).unwrap();
    assert!(s.aws.iam.complete_role_accounts.is_empty());
}

#[test]
fn duplicate_keys_in_a_trust_policy_survive() {
    let s = load_dirs(&[fixture("duplicate-key")]).unwrap();
    let text = trust(&s, &acct_arn("role/dup"));
    assert_eq!(text.matches("\"StringEquals\"").count(), 2, "{text}");
    assert!(text.contains("serviceaccount:a:one") && text.contains("serviceaccount:a:two"));
}

#[test]
fn several_directories_merge() {
    let s = load_dirs(&[fixture("kind-list"), fixture("list-roles")]).unwrap();
    assert!(s.kube.pods.is_known() && s.aws.iam.roles.len() == 2);
    assert!(
        s.source.description.contains("kind-list") && s.source.description.contains("list-roles")
    );
}

#[test]
fn missing_and_wrong_paths_are_errors_naming_the_path() {
    let missing = fixture("no-such-dir");
    let err = load_dirs(std::slice::from_ref(&missing)).unwrap_err();
    assert!(matches!(err, BundleError::NotFound { .. }));
    assert!(err.to_string().contains("no-such-dir"));
    let file = fixture("list-roles/roles.json");
    let err = load_dirs(&[file]).unwrap_err();
    assert!(matches!(err, BundleError::NotADirectory { .. }), "{err}");
    assert!(err.to_string().contains("roles.json"));
    let empty = tempfile::tempdir().unwrap();
    let err = load_dirs(&[empty.path().to_path_buf()]).unwrap_err();
    assert!(matches!(err, BundleError::NothingRecognised { .. }));
    assert!(
        err.to_string()
            .contains(&empty.path().display().to_string())
    );
}

#[test]
fn nothing_recognisable_lists_what_was_skipped() {
    let err = load(&[
        ("numbers.json", b"[1, 2, 3]"),
        ("notes.txt", b"hello: world"),
    ])
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("test bundle"), "{text}");
    assert!(
        text.contains("numbers.json: not kubectl or AWS CLI output (a JSON array of 3 numbers)"),
        "{text}"
    );
    assert!(
        text.contains(
            "notes.txt: not kubectl or AWS CLI output (a YAML mapping with keys `hello`)"
        ),
        "{text}"
    );
}

fn alias_bomb() -> String {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    text
}

#[test]
fn bad_files_never_panic_and_are_named() {
    let deep_json = "[".repeat(10_000) + &"]".repeat(10_000);
    let deep_yaml = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_block: String = (0..10_000)
        .map(|i| format!("{}k:\n", " ".repeat(i % 3000)))
        .collect();
    let huge = format!("{{\"a\": \"{}\"}}", "x".repeat(16 << 20));
    let huge_yaml = format!("key: {}\n", "y".repeat(16 << 20));
    let bomb = alias_bomb();
    let pods = b"apiVersion: v1\nkind: Pod\nmetadata: {name: broken, namespace: ns}\nspec: {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: fine, namespace: ok}\nspec:\n  containers: [{name: c}]\n";
    let secret = b"apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: ns}\ndata: {password: c3VwZXJzZWNyZXQ=}\n";
    let cases: Vec<(&str, &[u8], &str)> = vec![
        (
            "malformed.json",
            b"{\"Role\": {\"Arn\": }",
            "line 1 column 18",
        ),
        (
            "malformed.yaml",
            b"apiVersion: v1\nkind: Pod\n  metadata: : x\n",
            "line 3",
        ),
        (
            "garbage.bin",
            &[0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff],
            "binary",
        ),
        (
            "latin1.yaml",
            b"kind: caf\xe9\n",
            "not UTF-8 text (an invalid byte at byte offset 9, line 1, column 10)",
        ),
        ("numbers.json", b"[1, 2, 3]", "a JSON array of 3 numbers"),
        (
            "pods.yaml",
            pods,
            "document 1 (Pod ns/broken): cannot be read as a Pod: missing field `containers`",
        ),
        ("deep.json", deep_json.as_bytes(), "recursion limit"),
        ("deep.yaml", deep_yaml.as_bytes(), "invalid YAML"),
        ("deep-block.yaml", deep_block.as_bytes(), "invalid YAML"),
        ("huge.json", huge.as_bytes(), "a JSON object with keys `a`"),
        (
            "huge.yaml",
            huge_yaml.as_bytes(),
            "a YAML mapping with keys `key`",
        ),
        ("bomb.yaml", bomb.as_bytes(), "budget"),
        ("secret.yaml", secret, "a Secret ignored"),
        ("empty.yaml", b"\n# nothing\n", "empty"),
        (
            "types.json",
            b"{\"Role\": {\"Arn\": [1]}}",
            "looks like `aws iam get-role` output but cannot be read",
        ),
    ];
    let files: Vec<(&str, &[u8])> = cases.iter().map(|(n, b, _)| (*n, *b)).collect();
    let s = load_with_good(&files);
    for (name, _, expected) in &cases {
        let notes = notes_of(&s, name);
        assert!(
            notes.iter().any(|n| n.contains(expected)),
            "{name}: expected `{expected}` in {notes:?}"
        );
        assert!(
            notes.iter().all(|n| n.len() < 1000),
            "{name}: note too long"
        );
    }
    let pods = known(&s.kube.pods);
    assert_eq!(pods.items.len(), 1, "the rest of the file still loads");
    assert!(
        pods.covers("ok") && !pods.covers("ns"),
        "a namespace with an unreadable pod is not listed"
    );
    assert!(
        !format!("{s:?}").contains("c3VwZXJzZWNyZXQ="),
        "secrets are never stored"
    );
}

#[test]
fn duplicate_objects_are_kept_once_and_noted() {
    let sa = b"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: ns}\n";
    let s = load(&[("one.yaml", sa), ("two.yaml", sa)]).unwrap();
    assert_eq!(known(&s.kube.service_accounts).items.len(), 1);
    let notes = notes_of(&s, "two.yaml");
    assert!(
        notes[0].contains("also in one.yaml (ServiceAccount ns/a)"),
        "{notes:?}"
    );
}

#[test]
fn associations_without_a_list_addons_and_cli_errors() {
    let s = load_dirs(&[fixture("eks-errors")]).unwrap();
    let association = &known(&s.aws.associations)[0];
    let target = association.target_role_arn.as_deref();
    assert_eq!(target, Some("arn:aws:iam::999988887777:role/t"));
    let policy = PolicyText("{\"Version\":\"2012-10-17\"}".into());
    assert_eq!(association.session_policy, Some(policy));
    let file = fixture("eks-errors/association.json").display().to_string();
    assert!(notes_of(&s, &file)[0].contains("assumed absent"));
    assert_eq!(known(&s.aws.pod_identity_agent_addon), &None);
    let denied = s.aws.cluster.missing();
    assert!(
        matches!(denied, Some(Missing::Denied { permission, .. }) if permission == "eks:DescribeCluster")
    );

    let list = br#"{"addons": ["vpc-cni", "coredns"], "nextToken": null}"#;
    let s = load(&[("addons.json", list)]).unwrap();
    assert_eq!(known(&s.aws.pod_identity_agent_addon), &None);
}

#[test]
fn managed_policy_from_get_policy_and_get_policy_version() {
    let read = |name: &str| std::fs::read(fixture("policy-version").join(name)).unwrap();
    let (policy, version) = (read("policy.json"), read("version.json"));
    let s = load(&[("policy.json", &policy), ("version.json", &version)]).unwrap();
    let p = &s.aws.iam.managed_policies["arn:aws:iam::111122223333:policy/p"];
    let text = PolicyText("{\"Statement\": [], \"Statement\": [1]}".into());
    assert_eq!(p.default_document, Some(text));

    let other = String::from_utf8(policy.clone())
        .unwrap()
        .replace("policy/p", "policy/q");
    let files = [
        ("policy.json", &policy[..]),
        ("other.json", other.as_bytes()),
        ("version.json", &version),
    ];
    let s = load(&files).unwrap();
    let policies = &s.aws.iam.managed_policies;
    assert!(policies.values().all(|p| p.default_document.is_none()));
    assert!(notes_of(&s, "version.json")[0].contains("cannot tell which"));
}

#[test]
fn aws_cli_yaml_output_and_utf16_files() {
    let yaml = b"cluster:\n  name: c\n  arn: arn:aws:eks:us-east-1:111122223333:cluster/c\n  identity:\n    oidc:\n      issuer: https://oidc.eks.us-east-1.amazonaws.com/id/ABC\n  computeConfig:\n    enabled: true\n";
    let mut utf16 = vec![0xFF, 0xFE];
    let text =
        "apiVersion: v1\r\nkind: ServiceAccount\r\nmetadata:\r\n  name: é\r\n  namespace: ns\r\n";
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let s = load(&[("cluster.yaml", yaml), ("sa.yaml", &utf16)]).unwrap();
    let cluster = known(&s.aws.cluster);
    assert!(cluster.auto_mode);
    assert_eq!(cluster.account().as_deref(), Some("111122223333"));
    assert_eq!(
        known(&s.kube.service_accounts).items[0]
            .metadata
            .name
            .as_deref(),
        Some("é")
    );
}

#[test]
fn walking_skips_hidden_files_and_survives_symlink_loops() {
    let dir = tempfile::tempdir().unwrap();
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: ns}\n";
    std::fs::create_dir_all(dir.path().join("nested/deeper")).unwrap();
    std::fs::write(dir.path().join("nested/deeper/sa.yaml"), sa).unwrap();
    std::fs::write(dir.path().join(".hidden.yaml"), "not: [valid").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("nested/loop")).unwrap();
    let s = load_dirs(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(known(&s.kube.service_accounts).items.len(), 1);
    assert!(
        s.notes.iter().all(|n| !n.file.contains(".hidden")),
        "{:?}",
        s.notes
    );
    #[cfg(unix)]
    assert!(
        s.notes
            .iter()
            .any(|n| n.file.ends_with("loop") && n.message.contains("loop")),
        "{:?}",
        s.notes
    );
}

#[test]
fn ten_thousand_pods_load_quickly() {
    let pod = |i: usize| {
        format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","namespace":"ns{}","labels":{{"app":"a{i}"}}}},"spec":{{"serviceAccountName":"sa{}","containers":[{{"name":"c","image":"i","env":[{{"name":"AWS_ROLE_ARN","value":"arn:aws:iam::111122223333:role/r"}}]}}]}},"status":{{"phase":"Running"}}}}"#,
            i % 50,
            i % 2000
        )
    };
    let items: Vec<String> = (0..10_000).map(pod).collect();
    let pods = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        items.join(",")
    );
    let sas: String = (0..2000)
        .map(|i| format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: ns{}\n", i % 50))
        .collect();
    // How fast it loads is measured by `cargo bench --bench core`; here, that it loads whole.
    let s = load(&[("pods.json", pods.as_bytes()), ("sas.yaml", sas.as_bytes())]).unwrap();
    assert_eq!(known(&s.kube.pods).items.len(), 10_000);
    assert_eq!(known(&s.kube.service_accounts).items.len(), 2000);
    assert!(matches!(&known(&s.kube.pods).scope, Scope::Namespaces(ns) if ns.len() == 50));
}
