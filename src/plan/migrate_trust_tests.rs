//! The migration's trust edits, on documents written as people write them. The rules they
//! follow: EKS's Pod Identity role trust (EKS User Guide, pod-id-role: `pods.eks.amazonaws.com`,
//! `sts:AssumeRole` + `sts:TagSession`, scoped with `aws:SourceAccount`, `aws:SourceArn` and
//! the `aws:RequestTag/kubernetes-*` session tags) and IAM's condition semantics (IAM User
//! Guide, "Creating a condition with multiple keys or values": values of one key are ORed,
//! keys and operators ANDed).

use serde_json::{Value, json};

use super::migrate_trust::*;

fn ids() -> ClusterIds {
    ClusterIds {
        name: "prod".into(),
        arn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod".into(),
        account: "111122223333".into(),
        issuer_host: "oidc.eks.eu-west-1.amazonaws.com/id/AAAA".into(),
        provider_arn:
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAA"
                .into(),
    }
}

const HOST: &str = "oidc.eks.eu-west-1.amazonaws.com/id/AAAA";
const OTHER: &str = "oidc.eks.us-east-1.amazonaws.com/id/BBBB";

fn irsa(host: &str, op: &str, sub: Value) -> Value {
    json!({"Effect": "Allow",
           "Principal": {"Federated": format!("arn:aws:iam::111122223333:oidc-provider/{host}")},
           "Action": "sts:AssumeRoleWithWebIdentity",
           "Condition": {op: {format!("{host}:sub"): sub, format!("{host}:aud"): "sts.amazonaws.com"}}})
}

fn doc(statements: Vec<Value>) -> String {
    serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": statements}))
        .unwrap()
}

fn statements(text: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(text).unwrap()["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn stage_one_adds_one_scoped_statement_and_never_a_duplicate() {
    let c = ids();
    let before = doc(vec![irsa(
        HOST,
        "StringEquals",
        json!("system:serviceaccount:shop:a"),
    )]);
    let one = add_pod_identity(&before, "r", &c, "shop", "a", true)
        .unwrap()
        .unwrap();
    let st = statements(&one);
    assert_eq!(st.len(), 2);
    assert_eq!(
        st[0],
        statements(&before)[0],
        "the OIDC statement is kept as it was"
    );
    assert_eq!(st[1], pod_identity_statement(&c, "shop", "a", true));
    assert_eq!(
        st[1]["Condition"]["StringEquals"]["aws:SourceAccount"],
        "111122223333"
    );
    assert_eq!(
        st[1]["Condition"]["ArnEquals"]["aws:SourceArn"],
        c.arn.as_str()
    );
    assert!(pod_identity_admits(&one, &c, "shop", "a", true));
    assert!(!pod_identity_admits(&one, &c, "shop", "b", true));
    // Again: nothing to do.
    assert_eq!(
        add_pod_identity(&one, "r", &c, "shop", "a", true).unwrap(),
        None
    );
    // A second account of the namespace joins the statement's values (ORed).
    let two = add_pod_identity(&one, "r", &c, "shop", "b", true)
        .unwrap()
        .unwrap();
    let st = statements(&two);
    assert_eq!(st.len(), 2);
    assert_eq!(
        st[1]["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"],
        json!(["a", "b"])
    );
    // Another namespace gets its own statement: one with both namespaces and both accounts
    // would also admit the cross product (keys are ANDed, values ORed).
    let three = add_pod_identity(&two, "r", &c, "jobs", "a", true)
        .unwrap()
        .unwrap();
    assert_eq!(statements(&three).len(), 3);
    assert!(pod_identity_admits(&three, &c, "jobs", "a", true));
    assert!(!pod_identity_admits(&three, &c, "jobs", "b", true));
}

#[test]
fn an_existing_equivalent_statement_is_reused() {
    let c = ids();
    // eksctl's unconditioned statement (field guide §3.1 d) already admits: nothing added.
    let eksctl = doc(vec![
        json!({"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                                 "Action": ["sts:AssumeRole", "sts:TagSession"]}),
    ]);
    assert_eq!(
        add_pod_identity(&eksctl, "r", &c, "shop", "a", true).unwrap(),
        None
    );
    // Without session tags the statement is scoped to the account and cluster only.
    let plain = add_pod_identity(&doc(vec![]), "r", &c, "shop", "a", false)
        .unwrap()
        .unwrap();
    assert!(
        statements(&plain)[0]["Condition"]["StringEquals"]
            .get("aws:RequestTag/kubernetes-namespace")
            .is_none()
    );
    assert!(pod_identity_admits(&plain, &c, "shop", "a", false));
}

#[test]
fn finalize_removes_only_this_subject_of_this_cluster() {
    let c = ids();
    let list = irsa(
        HOST,
        "StringEquals",
        json!([
            "system:serviceaccount:shop:a",
            "system:serviceaccount:shop:b"
        ]),
    );
    let other = irsa(OTHER, "StringEquals", json!("system:serviceaccount:shop:a"));
    let wildcard = irsa(HOST, "StringLike", json!("system:serviceaccount:shop:*"));
    let before = doc(vec![list, other.clone(), wildcard.clone()]);
    let after = remove_oidc_subject(&before, "r", &c, "shop", "a")
        .unwrap()
        .unwrap();
    let st = statements(&after);
    assert_eq!(
        st[0]["Condition"]["StringEquals"][format!("{HOST}:sub")],
        json!(["system:serviceaccount:shop:b"])
    );
    assert_eq!(st[1], other, "another cluster's statement is untouched");
    assert_eq!(st[2], wildcard, "a wildcard subject is never touched");
    assert_eq!(
        wildcard_subjects(&after, &c, "shop", "a"),
        ["system:serviceaccount:shop:*"]
    );
    // The last subject takes its statement with it.
    let gone = remove_oidc_subject(&after, "r", &c, "shop", "b")
        .unwrap()
        .unwrap();
    assert_eq!(statements(&gone), vec![other, wildcard]);
    assert_eq!(
        remove_oidc_subject(&gone, "r", &c, "shop", "b").unwrap(),
        None
    );
}

#[test]
fn rollback_edits_undo_the_stage_edits() {
    let c = ids();
    let before = doc(vec![irsa(
        HOST,
        "StringEquals",
        json!([
            "system:serviceaccount:shop:a",
            "system:serviceaccount:shop:b"
        ]),
    )]);
    let s1 = add_pod_identity(&before, "r", &c, "shop", "a", true)
        .unwrap()
        .unwrap();
    let s2 = remove_oidc_subject(&s1, "r", &c, "shop", "a")
        .unwrap()
        .unwrap();
    assert!(!irsa_admits(&s2, &c, "shop", "a", "sts.amazonaws.com"));
    let back = add_oidc_subject(&s2, "r", &c, "shop", "a", "sts.amazonaws.com")
        .unwrap()
        .unwrap();
    assert!(irsa_admits(&back, &c, "shop", "a", "sts.amazonaws.com"));
    assert!(equivalent(&back, &s1), "values are a set: {back}");
    let original = remove_pod_identity(&back, "r", &c, "shop", "a")
        .unwrap()
        .unwrap();
    assert!(equivalent(&original, &before));
    assert_eq!(
        remove_pod_identity(&original, "r", &c, "shop", "a").unwrap(),
        None
    );
    // A statement the subject had alone comes back as EKS documents it.
    let alone = doc(vec![irsa(
        HOST,
        "StringEquals",
        json!("system:serviceaccount:shop:a"),
    )]);
    let none = remove_oidc_subject(&alone, "r", &c, "shop", "a")
        .unwrap()
        .unwrap();
    let again = add_oidc_subject(&none, "r", &c, "shop", "a", "sts.amazonaws.com")
        .unwrap()
        .unwrap();
    assert!(equivalent(&again, &alone), "{again}");
}

#[test]
fn bad_documents_are_refused_and_sizes_checked() {
    let c = ids();
    assert!(add_pod_identity("not json", "r", &c, "a", "b", true).is_err());
    assert!(remove_oidc_subject(r#"{"Statement": 3}"#, "r", &c, "a", "b").is_err());
    // A statement whose Condition is not an object is kept, not a panic.
    let odd = r#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAA"},"Condition":"x"}]}"#;
    assert_eq!(remove_oidc_subject(odd, "r", &c, "a", "b").unwrap(), None);
    let big = "x".repeat(2100);
    assert!(over_quota("{}", &big).is_some());
    assert!(
        over_quota(&"y".repeat(2500), &big).is_none(),
        "a raised quota is assumed"
    );
}
