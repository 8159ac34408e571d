//! The trust policy edits of `kubectl irsa migrate`, on the document's text: each keeps every
//! statement it does not change exactly as read (key order included, through serde_json's
//! `preserve_order`) and writes the result minified, as the fix planner's documents are
//! (`diagnose::links::fix_document`).
//!
//! - Stage 1 admits a service account through Pod Identity ([`add_pod_identity`]): one
//!   statement for `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`, scoped
//!   to this account and cluster and, with session tags, to the namespace and service account
//!   (EKS docs "Create the IAM role and trust policy" for Pod Identity, pod-id-role: the
//!   `aws:SourceAccount`, `aws:SourceArn` and `aws:RequestTag/kubernetes-*` keys). Never an
//!   unconditioned statement (eksctl's, field guide §3.1 d) and never a duplicate (§3.1 c).
//! - Finalize removes one IRSA subject from this cluster's OIDC statements
//!   ([`remove_oidc_subject`]); rollback puts it back ([`add_oidc_subject`]) and takes the Pod
//!   Identity admission out again ([`remove_pod_identity`]).
//!
//! IAM condition semantics the edits rely on (IAM User Guide, "Creating a condition with
//! multiple keys or values"): the values of one condition key are ORed, different keys and
//! operators are ANDed. So adding a service account to the `kubernetes-service-account` values
//! of a statement whose `kubernetes-namespace` is one namespace admits exactly that namespace's
//! accounts; for another namespace a separate statement is needed, since one statement with
//! both namespaces and both accounts would also admit the cross product (ns1/sa2).

use serde_json::{Map, Value, json};

use crate::policy::{
    Decision, NamedPolicy, PolicyKind, Request, RequestContext, RequestPrincipal,
    TRUST_POLICY_DEFAULT_QUOTA, TRUST_POLICY_MAX_QUOTA, decode_document, evaluate_trust,
    iam_length, parse_policy,
};

pub const PODS_SERVICE: &str = "pods.eks.amazonaws.com";
const NS_TAG: &str = "aws:RequestTag/kubernetes-namespace";
const SA_TAG: &str = "aws:RequestTag/kubernetes-service-account";

/// The cluster as trust policies name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterIds {
    pub name: String,
    pub arn: String,
    pub account: String,
    /// `oidc.eks.REGION.amazonaws.com/id/ID`: the condition keys' prefix.
    pub issuer_host: String,
    /// This cluster's IAM OIDC provider in the cluster's account.
    pub provider_arn: String,
}

impl ClusterIds {
    pub fn of(cluster: &crate::model::aws::EksCluster) -> Option<ClusterIds> {
        let arn = crate::model::arn::Arn::parse(&cluster.arn)?;
        let issuer_host = cluster
            .oidc_issuer
            .as_deref()?
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string();
        Some(ClusterIds {
            name: cluster.name.clone(),
            arn: cluster.arn.clone(),
            provider_arn: crate::model::arn::oidc_provider_arn(
                &arn.partition,
                &arn.account,
                &issuer_host,
            ),
            account: arn.account,
            issuer_host,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the trust policy of role {role} is not a JSON policy document this tool can edit")]
pub struct Unparsable {
    pub role: String,
}

/// The document as IAM stores it, decoded (GetRole answers it URL-encoded).
pub fn decoded(text: &str) -> String {
    decode_document(text)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| text.to_string())
}

fn parse(text: &str, role: &str) -> Result<Value, Unparsable> {
    let v: Value = serde_json::from_str(&decoded(text)).map_err(|_| Unparsable {
        role: role.to_string(),
    })?;
    if v.get("Statement")
        .is_some_and(|s| s.is_array() || s.is_object())
    {
        Ok(v)
    } else {
        Err(Unparsable {
            role: role.to_string(),
        })
    }
}

/// The statements as a list (a single `Statement` object becomes a one-element list).
fn statements(doc: &mut Value) -> &mut Vec<Value> {
    if !doc.is_object() {
        *doc = json!({});
    }
    let slot = &mut doc["Statement"];
    if slot.is_object() {
        let one = slot.take();
        *slot = Value::Array(vec![one]);
    }
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(items) => items,
        _ => unreachable!("just made a list"),
    }
}

fn values(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether `text` lets Pod Identity assume the role for `ns`/`sa` of this cluster, evaluated as
/// IAM would for the request EKS makes (with the session tags when `tags`).
pub fn pod_identity_admits(text: &str, c: &ClusterIds, ns: &str, sa: &str, tags: bool) -> bool {
    let Ok(policy) = parse_policy(&decoded(text), PolicyKind::Trust) else {
        return false;
    };
    let mut ctx = RequestContext::new()
        .with("aws:SourceAccount", c.account.clone())
        .with("aws:SourceArn", c.arn.clone());
    let mut req = Request::new()
        .principal(RequestPrincipal::Service(PODS_SERVICE.into()))
        .action("sts:AssumeRole");
    if tags {
        let tag_list = [
            ("eks-cluster-arn", c.arn.as_str()),
            ("eks-cluster-name", c.name.as_str()),
            ("kubernetes-namespace", ns),
            ("kubernetes-service-account", sa),
        ];
        ctx = ctx.with_values(
            "aws:TagKeys",
            tag_list.iter().map(|(k, _)| k.to_string()).collect(),
        );
        for (k, v) in tag_list {
            ctx = ctx.with(format!("aws:RequestTag/{k}"), v.to_string());
        }
        req = req.action("sts:TagSession");
    }
    let eval = evaluate_trust(&NamedPolicy::new("trust", &policy), &req.context(ctx));
    eval.decision == Decision::Allow
}

/// Whether `text` lets `system:serviceaccount:NS:SA` in through this cluster's OIDC provider.
pub fn irsa_admits(text: &str, c: &ClusterIds, ns: &str, sa: &str, audience: &str) -> bool {
    let Ok(policy) = parse_policy(&decoded(text), PolicyKind::Trust) else {
        return false;
    };
    let req = Request::new()
        .principal(RequestPrincipal::Federated(c.provider_arn.clone()))
        .action("sts:AssumeRoleWithWebIdentity")
        .context(
            RequestContext::new()
                .with(format!("{}:sub", c.issuer_host), subject(ns, sa))
                .with(format!("{}:aud", c.issuer_host), audience.to_string())
                .with("aws:FederatedProvider", c.provider_arn.clone()),
        );
    evaluate_trust(&NamedPolicy::new("trust", &policy), &req).decision == Decision::Allow
}

pub fn subject(ns: &str, sa: &str) -> String {
    format!("system:serviceaccount:{ns}:{sa}")
}

/// The Pod Identity statement stage 1 adds for `ns`/`sa`.
pub fn pod_identity_statement(c: &ClusterIds, ns: &str, sa: &str, tags: bool) -> Value {
    let mut equals = Map::new();
    equals.insert("aws:SourceAccount".into(), json!(c.account));
    if tags {
        equals.insert(NS_TAG.into(), json!(ns));
        equals.insert(SA_TAG.into(), json!(sa));
    }
    json!({
        "Effect": "Allow",
        "Principal": {"Service": PODS_SERVICE},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": equals, "ArnEquals": {"aws:SourceArn": c.arn}},
    })
}

/// Whether `st` is a statement stage 1 writes for this cluster and namespace (any service
/// accounts): the one to extend with another account of the namespace, or to shrink on
/// rollback. Anything else someone wrote is left alone.
fn ours_for_namespace(st: &Value, c: &ClusterIds, ns: &str) -> bool {
    let principal_ok = st["Principal"].as_object().is_some_and(|p| {
        p.len() == 1 && p.get("Service").map(values).unwrap_or_default() == [PODS_SERVICE]
    });
    let mut actions = values(&st["Action"]);
    actions.sort_unstable();
    let Some(cond) = st["Condition"].as_object() else {
        return false;
    };
    let eq = &cond.get("StringEquals").cloned().unwrap_or(Value::Null);
    let arn = cond
        .get("ArnEquals")
        .or_else(|| cond.get("ArnLike"))
        .map(|o| values(&o["aws:SourceArn"]))
        .unwrap_or_default();
    st["Effect"] == "Allow"
        && principal_ok
        && actions == ["sts:AssumeRole", "sts:TagSession"]
        && cond.len() == 2
        && eq.as_object().is_some_and(|o| o.len() == 3)
        && values(&eq["aws:SourceAccount"]) == [c.account.as_str()]
        && arn == [c.arn.as_str()]
        && values(&eq[NS_TAG]) == [ns]
        && !values(&eq[SA_TAG]).is_empty()
}

/// The value at `path` (object keys), without inserting anything on the way.
fn at_mut<'v>(v: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |v, k| v.get_mut(*k))
}

/// Adds `value` to a string-or-list policy value.
fn push_value(slot: &mut Value, value: &str) {
    match slot {
        Value::String(s) if s == value => {}
        Value::String(_) => {
            let old = slot.take();
            *slot = Value::Array(vec![old, json!(value)]);
        }
        Value::Array(items) => {
            if !items.iter().any(|v| v == value) {
                items.push(json!(value));
            }
        }
        other => *other = json!(value),
    }
}

/// Stage 1: `text` admitting `ns`/`sa` through Pod Identity; `None` when it already does (an
/// equivalent statement is reused, never duplicated).
pub fn add_pod_identity(
    text: &str,
    role: &str,
    c: &ClusterIds,
    ns: &str,
    sa: &str,
    tags: bool,
) -> Result<Option<String>, Unparsable> {
    if pod_identity_admits(text, c, ns, sa, tags) {
        return Ok(None);
    }
    let mut doc = parse(text, role)?;
    let list = statements(&mut doc);
    match list
        .iter_mut()
        .find(|st| tags && ours_for_namespace(st, c, ns))
    {
        Some(st) => {
            if let Some(slot) = at_mut(st, &["Condition", "StringEquals", SA_TAG]) {
                push_value(slot, sa);
            }
        }
        None => list.push(pod_identity_statement(c, ns, sa, tags)),
    }
    Ok(Some(doc.to_string()))
}

/// Rollback: `text` without the Pod Identity admission stage 1 added for `ns`/`sa` (the account
/// taken out of our statement, the statement removed when it was the last); `None` when there
/// is none. Statements someone else wrote are kept.
pub fn remove_pod_identity(
    text: &str,
    role: &str,
    c: &ClusterIds,
    ns: &str,
    sa: &str,
) -> Result<Option<String>, Unparsable> {
    let mut doc = parse(text, role)?;
    let list = statements(&mut doc);
    let before = list.len();
    let mut changed = false;
    list.retain_mut(|st| {
        if !ours_for_namespace(st, c, ns) {
            return true;
        }
        match at_mut(st, &["Condition", "StringEquals", SA_TAG]) {
            Some(Value::String(s)) if s == sa => {
                changed = true;
                false
            }
            Some(Value::Array(items)) if items.iter().any(|v| v == sa) => {
                changed = true;
                items.retain(|v| v != sa);
                !items.is_empty()
            }
            _ => true,
        }
    });
    Ok((changed || list.len() != before).then(|| doc.to_string()))
}

/// Whether `st` is an Allow statement for this cluster's OIDC provider alone.
fn this_provider(st: &Value, c: &ClusterIds) -> bool {
    st["Effect"] == "Allow"
        && st["Principal"].as_object().is_some_and(|p| {
            p.len() == 1
                && p.get("Federated").map(values).unwrap_or_default() == [c.provider_arn.as_str()]
        })
}

/// Finalize: `text` without `system:serviceaccount:NS:SA` in the `StringEquals` `:sub` of this
/// cluster's OIDC statements (a list loses the element; a statement is removed only when no
/// subject is left in it); `None` when no such subject is there. `StringLike` subjects
/// (wildcards have no Pod Identity equivalent, field guide §3.1 f) and other providers'
/// statements are never touched.
pub fn remove_oidc_subject(
    text: &str,
    role: &str,
    c: &ClusterIds,
    ns: &str,
    sa: &str,
) -> Result<Option<String>, Unparsable> {
    let subject = subject(ns, sa);
    let key = format!("{}:sub", c.issuer_host);
    let mut doc = parse(text, role)?;
    let mut changed = false;
    statements(&mut doc).retain_mut(|st| {
        if !this_provider(st, c) {
            return true;
        }
        match at_mut(st, &["Condition", "StringEquals", key.as_str()]) {
            Some(Value::String(s)) if *s == subject => {
                changed = true;
                false
            }
            Some(Value::Array(items)) if items.iter().any(|v| *v == subject) => {
                changed = true;
                items.retain(|v| *v != subject);
                !items.is_empty()
            }
            _ => true,
        }
    });
    Ok(changed.then(|| doc.to_string()))
}

/// Rollback after finalize: `text` letting `system:serviceaccount:NS:SA` in again through
/// this cluster's provider (added to the first such statement's `StringEquals` `:sub`, else a
/// statement like the ones EKS documents for IRSA); `None` when it already does.
pub fn add_oidc_subject(
    text: &str,
    role: &str,
    c: &ClusterIds,
    ns: &str,
    sa: &str,
    audience: &str,
) -> Result<Option<String>, Unparsable> {
    if irsa_admits(text, c, ns, sa, audience) {
        return Ok(None);
    }
    let subject = subject(ns, sa);
    let key = format!("{}:sub", c.issuer_host);
    let aud = format!("{}:aud", c.issuer_host);
    let mut doc = parse(text, role)?;
    let list = statements(&mut doc);
    let existing = list.iter_mut().find(|st| {
        this_provider(st, c)
            && st
                .pointer("/Condition/StringEquals")
                .and_then(Value::as_object)
                .is_some_and(|o| o.contains_key(&key) && o.len() <= 2)
            && st["Condition"].as_object().is_some_and(|o| o.len() == 1)
            && values(&st["Condition"]["StringEquals"][aud.as_str()]).contains(&audience)
    });
    match existing.and_then(|st| at_mut(st, &["Condition", "StringEquals", key.as_str()])) {
        Some(slot) => push_value(slot, &subject),
        None => list.push(json!({
            "Effect": "Allow",
            "Principal": {"Federated": c.provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {key: subject, aud: audience}},
        })),
    }
    Ok(Some(doc.to_string()))
}

/// This cluster's `StringLike` `:sub` patterns that admit `ns`/`sa` by a wildcard: they have no
/// Pod Identity equivalent and stay (field guide §3.1 f).
pub fn wildcard_subjects(text: &str, c: &ClusterIds, ns: &str, sa: &str) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<Value>(&decoded(text)) else {
        return Vec::new();
    };
    let subject = subject(ns, sa);
    let key = format!("{}:sub", c.issuer_host);
    let list = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    list.iter()
        .filter(|st| this_provider(st, c))
        .flat_map(|st| values(&st["Condition"]["StringLike"][key.as_str()]).into_iter())
        .filter(|p| p.contains(['*', '?']) && crate::policy::glob_match(p, &subject, false))
        .map(str::to_string)
        .collect()
}

/// Why IAM would refuse `new` (the trust policy quota: the default, or the raised maximum
/// when the current document already exceeds the default, field guide D26); `None` if it fits.
pub fn over_quota(current: &str, new: &str) -> Option<String> {
    let quota = if iam_length(&decoded(current)) > TRUST_POLICY_DEFAULT_QUOTA {
        TRUST_POLICY_MAX_QUOTA
    } else {
        TRUST_POLICY_DEFAULT_QUOTA
    };
    let len = iam_length(new);
    (len > quota).then(|| {
        format!(
            "the new trust policy has {len} characters, more than the quota of {quota} (IAM refuses it; `kubectl irsa explain TRUST_SIZE_NEAR_LIMIT`)"
        )
    })
}

/// Whether two documents mean the same to IAM: equal JSON, with lists compared as sets (the
/// values of a condition key are ORed, statements are independent).
pub fn equivalent(a: &str, b: &str) -> bool {
    fn same(x: &Value, y: &Value) -> bool {
        match (x, y) {
            (Value::Object(p), Value::Object(q)) => {
                p.len() == q.len() && p.iter().all(|(k, v)| q.get(k).is_some_and(|w| same(v, w)))
            }
            (Value::Array(p), Value::Array(q)) => {
                p.iter().all(|v| q.iter().any(|w| same(v, w)))
                    && q.iter().all(|w| p.iter().any(|v| same(v, w)))
            }
            (Value::Array(p), other) | (other, Value::Array(p)) => {
                p.len() == 1 && same(&p[0], other)
            }
            _ => x == y,
        }
    }
    match (
        serde_json::from_str::<Value>(&decoded(a)),
        serde_json::from_str::<Value>(&decoded(b)),
    ) {
        (Ok(x), Ok(y)) => same(&x, &y),
        _ => a == b,
    }
}
