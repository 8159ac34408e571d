//! Pod identity associations: List (filtered by `namespace` / `serviceAccount`, paged),
//! Describe, Create (ResourceInUseException for a duplicate service account), Update, Delete,
//! and their JSON shapes (summary and full). A new association field goes in
//! [`association_json`] (and [`create`] / [`update`] when writable).

use kubectl_irsa::model::aws::PodIdentityAssociation;
use serde_json::{Value, json};

use super::super::server::{LOWER_ALNUM, pseudo_id};
use super::errors::{Answer, association_not_found, invalid};
use super::json::{epoch, insert_some};
use super::paging::{page, param, with_next};
use super::state::ClusterEntry;

/// ListPodIdentityAssociations: summaries, filtered and paged.
pub(super) fn list(entry: &ClusterEntry, name: &str, params: &[(String, String)]) -> Answer {
    let matching: Vec<&PodIdentityAssociation> = entry
        .associations
        .iter()
        .filter(|a| param(params, "namespace").is_none_or(|ns| a.namespace == ns))
        .filter(|a| param(params, "serviceAccount").is_none_or(|sa| a.service_account == sa))
        .collect();
    match page(&matching, params) {
        Ok((items, next)) => {
            let summaries: Vec<Value> = items.iter().map(|a| summary_json(a, name)).collect();
            Answer::ok(with_next(json!({ "associations": summaries }), next))
        }
        Err(a) => a,
    }
}

/// DescribePodIdentityAssociation.
pub(super) fn describe(entry: &ClusterEntry, name: &str, id: &str) -> Answer {
    match entry.associations.iter().find(|a| a.association_id == id) {
        Some(a) => Answer::ok(json!({ "association": association_json(a, name) })),
        None => association_not_found(id),
    }
}

/// DeletePodIdentityAssociation: answers the association it removed.
pub(super) fn delete(entry: &mut ClusterEntry, name: &str, id: &str) -> Answer {
    match entry
        .associations
        .iter()
        .position(|a| a.association_id == id)
    {
        Some(i) => {
            let removed = entry.associations.remove(i);
            Answer::ok(json!({ "association": association_json(&removed, name) }))
        }
        None => association_not_found(id),
    }
}

/// CreatePodIdentityAssociation.
pub(super) fn create(entry: &mut ClusterEntry, cluster: &str, body: &str) -> Answer {
    let input: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return invalid(&format!("The request body is not valid JSON: {e}")),
    };
    let field = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(namespace), Some(service_account), Some(role_arn)) = (
        field("namespace"),
        field("serviceAccount"),
        field("roleArn"),
    ) else {
        return invalid("namespace, serviceAccount and roleArn are required.");
    };
    if let Some(existing) = entry
        .associations
        .iter()
        .find(|a| a.namespace == namespace && a.service_account == service_account)
    {
        let arn = association_arn(entry, cluster, existing);
        return Answer::error(
            409,
            "ResourceInUseException",
            &format!("Association already exists: {arn}"),
            json!({ "clusterName": cluster }),
        );
    }
    let id = pseudo_id("a-", 17, LOWER_ALNUM);
    let now = jiff::Timestamp::now().to_string();
    let mut assoc = PodIdentityAssociation {
        cluster_name: Some(cluster.to_string()),
        namespace,
        service_account,
        association_id: id,
        association_arn: None,
        role_arn: Some(role_arn),
        target_role_arn: field("targetRoleArn"),
        disable_session_tags: Some(
            input
                .get("disableSessionTags")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        session_policy: field("policy").map(kubectl_irsa::model::aws::PolicyText),
        owner_arn: None,
        created_at: Some(now.clone()),
        modified_at: Some(now),
    };
    assoc.association_arn = Some(association_arn(entry, cluster, &assoc));
    let out = association_json(&assoc, cluster);
    entry.associations.push(assoc);
    Answer::ok(json!({ "association": out }))
}

/// UpdatePodIdentityAssociation: the fields given change; an empty target role or policy
/// removes it.
pub(super) fn update(entry: &mut ClusterEntry, cluster: &str, id: &str, body: &str) -> Answer {
    let input: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return invalid(&format!("The request body is not valid JSON: {e}")),
    };
    let Some(assoc) = entry
        .associations
        .iter_mut()
        .find(|a| a.association_id == id)
    else {
        return association_not_found(id);
    };
    if let Some(role) = input.get("roleArn").and_then(Value::as_str) {
        assoc.role_arn = Some(role.to_string());
    }
    if let Some(target) = input.get("targetRoleArn").and_then(Value::as_str) {
        // An empty string removes the target role, as in EKS.
        assoc.target_role_arn = (!target.is_empty()).then(|| target.to_string());
    }
    if let Some(disable) = input.get("disableSessionTags").and_then(Value::as_bool) {
        assoc.disable_session_tags = Some(disable);
    }
    if let Some(policy) = input.get("policy").and_then(Value::as_str) {
        assoc.session_policy =
            (!policy.is_empty()).then(|| kubectl_irsa::model::aws::PolicyText(policy.into()));
    }
    assoc.modified_at = Some(jiff::Timestamp::now().to_string());
    Answer::ok(json!({ "association": association_json(assoc, cluster) }))
}

fn association_arn(entry: &ClusterEntry, cluster: &str, a: &PodIdentityAssociation) -> String {
    a.association_arn.clone().unwrap_or_else(|| {
        format!(
            "arn:{}:eks:{}:{}:podidentityassociation/{cluster}/{}",
            entry.partition, entry.region, entry.account, a.association_id
        )
    })
}

fn summary_json(a: &PodIdentityAssociation, cluster: &str) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert(
        "clusterName".into(),
        json!(a.cluster_name.as_deref().unwrap_or(cluster)),
    );
    obj.insert("namespace".into(), json!(a.namespace));
    obj.insert("serviceAccount".into(), json!(a.service_account));
    insert_some(&mut obj, "associationArn", a.association_arn.as_deref());
    obj.insert("associationId".into(), json!(a.association_id));
    insert_some(&mut obj, "ownerArn", a.owner_arn.as_deref());
    Value::Object(obj)
}

fn association_json(a: &PodIdentityAssociation, cluster: &str) -> Value {
    let mut value = summary_json(a, cluster);
    let obj = value.as_object_mut().expect("an object");
    insert_some(obj, "roleArn", a.role_arn.as_deref());
    obj.insert("tags".into(), json!({}));
    obj.insert("createdAt".into(), epoch(a.created_at.as_deref()));
    obj.insert(
        "modifiedAt".into(),
        epoch(a.modified_at.as_deref().or(a.created_at.as_deref())),
    );
    if let Some(disable) = a.disable_session_tags {
        obj.insert("disableSessionTags".into(), json!(disable));
    }
    insert_some(obj, "targetRoleArn", a.target_role_arn.as_deref());
    insert_some(
        obj,
        "policy",
        a.session_policy.as_ref().map(|p| p.0.as_str()),
    );
    value
}
