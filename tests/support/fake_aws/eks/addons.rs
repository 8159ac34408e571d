//! Add-ons: ListAddons, DescribeAddon, CreateAddon (ResourceInUseException when installed;
//! the new add-on is ACTIVE at once, as `aws eks wait addon-active` would find it), DeleteAddon,
//! and the add-on's JSON shape (status, version, health issues, service account role). What
//! an add-on does inside the cluster (the agent's DaemonSet and pods) is the fake API
//! server's, told through `FakeEks::on_addon_change`. A new add-on field goes in
//! [`addon_json`].

use kubectl_irsa::model::aws::{Addon, AddonHealthIssue};
use serde_json::{Value, json};

use super::errors::{Answer, invalid, not_found};
use super::json::{epoch, insert_some};
use super::paging::{page, with_next};
use super::state::ClusterEntry;

/// ListAddons: the cluster's add-on names, paged.
pub(super) fn list(entry: &ClusterEntry, params: &[(String, String)]) -> Answer {
    let names: Vec<String> = entry.addons.keys().cloned().collect();
    match page(&names, params) {
        Ok((names, next)) => Answer::ok(with_next(json!({ "addons": names }), next)),
        Err(a) => a,
    }
}

/// DescribeAddon: ResourceNotFoundException, with EKS's message, when not installed.
pub(super) fn describe(entry: &ClusterEntry, name: &str, addon: &str) -> Answer {
    match entry.addons.get(addon) {
        Some(a) => {
            let arn = format!(
                "arn:{}:eks:{}:{}:addon/{name}/{}/{}",
                entry.partition,
                entry.region,
                entry.account,
                a.name,
                "00000000-0000-0000-0000-000000000000"
            );
            Answer::ok(json!({ "addon": addon_json(a, name, &arn) }))
        }
        None => not_found(
            format!("No addon: {addon} found in cluster: {name}"),
            json!({ "clusterName": name, "addonName": addon }),
        ),
    }
}

fn addon_json(a: &Addon, cluster: &str, arn: &str) -> Value {
    let issues: Vec<Value> = a.health_issues.iter().map(issue_json).collect();
    let mut obj = serde_json::Map::new();
    obj.insert("addonName".into(), json!(a.name));
    obj.insert("clusterName".into(), json!(cluster));
    insert_some(&mut obj, "status", a.status.as_deref());
    insert_some(&mut obj, "addonVersion", a.version.as_deref());
    obj.insert("health".into(), json!({ "issues": issues }));
    obj.insert("addonArn".into(), json!(arn));
    obj.insert("createdAt".into(), epoch(None));
    obj.insert("modifiedAt".into(), epoch(None));
    insert_some(
        &mut obj,
        "serviceAccountRoleArn",
        a.service_account_role_arn.as_deref(),
    );
    obj.insert("tags".into(), json!({}));
    Value::Object(obj)
}

fn issue_json(issue: &AddonHealthIssue) -> Value {
    json!({ "code": issue.code, "message": issue.message, "resourceIds": [] })
}

/// The version a created add-on reports (the Pod Identity agent's at the time of writing).
const CREATED_VERSION: &str = "v1.3.4-eksbuild.1";

/// CreateAddon: the add-on ACTIVE, or ResourceInUseException when it is installed already.
pub(super) fn create(entry: &mut ClusterEntry, name: &str, body: &str) -> Answer {
    let input: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return invalid(&format!("The request body is not valid JSON: {e}")),
    };
    let Some(addon) = input["addonName"].as_str().map(str::to_string) else {
        return invalid("addonName is required.");
    };
    if entry.addons.contains_key(&addon) {
        return Answer::error(
            409,
            "ResourceInUseException",
            &format!("Addon already exists: {addon}"),
            json!({ "clusterName": name, "addonName": addon }),
        );
    }
    entry.addons.insert(
        addon.clone(),
        Addon {
            name: addon.clone(),
            status: Some("ACTIVE".into()),
            version: Some(CREATED_VERSION.into()),
            health_issues: Vec::new(),
            service_account_role_arn: input["serviceAccountRoleArn"].as_str().map(str::to_string),
        },
    );
    describe(entry, name, &addon)
}

/// DeleteAddon: answers the add-on it removed.
pub(super) fn delete(entry: &mut ClusterEntry, name: &str, addon: &str) -> Answer {
    let answer = describe(entry, name, addon);
    entry.addons.remove(addon);
    answer
}
