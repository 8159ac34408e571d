//! The AWS part of a dump, in AWS CLI shapes: `get-account-authorization-details` for roles
//! whose policies are all known (marked `IsTruncated` when the account's role list is not
//! complete), `get-role` for the others, the provider list and details, `describe-cluster`,
//! the associations, the agent add-on, and AWS CLI error text for facts AWS refused or that do
//! not exist (the loader reads those back as facts).

use serde_json::{Value, json as j};

use super::{BundleFile, DumpError, json};
use crate::model::arn::{Arn, RoleArn};
use crate::model::aws::{AwsFacts, IamRole, PolicyText};
use crate::model::{Fact, Missing};

/// A policy document as its exact text in a JSON string, the way the IAM API returns it: byte
/// for byte, so line numbers in findings and duplicate keys survive the round trip (the loader
/// decodes strings, URL-encoded or not, as it does GetRole output).
fn document(text: &PolicyText) -> Value {
    Value::String(text.0.clone())
}

fn cli_error(code: &str, operation: &str, message: &str) -> String {
    format!("An error occurred ({code}) when calling the {operation} operation: {message}\n")
}

fn denied_text(m: &Missing, operation: &str) -> Option<String> {
    match m {
        Missing::Denied { message, .. } => {
            Some(cli_error("AccessDeniedException", operation, message))
        }
        _ => None,
    }
}

fn complete(role: &IamRole) -> bool {
    role.inline_policies.is_known()
        && role.attached_policies.is_known()
        && role.permissions_boundary.is_known()
}

fn tags(role: &IamRole) -> Value {
    Value::Array(
        role.tags
            .iter()
            .map(|(k, v)| j!({"Key": k, "Value": v}))
            .collect(),
    )
}

fn boundary(role: &IamRole) -> Option<Value> {
    match role.permissions_boundary.known() {
        Some(Some(arn)) => {
            Some(j!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}))
        }
        _ => None,
    }
}

fn role_detail(role: &IamRole) -> Value {
    let mut v = j!({
        "Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
        "AssumeRolePolicyDocument": role.trust_policy.as_ref().map(document),
        "InstanceProfileList": [],
        "RolePolicyList": role.inline_policies.known().map(|l| l.iter().map(|p| j!({"PolicyName": p.name, "PolicyDocument": document(&p.document)})).collect::<Vec<_>>()).unwrap_or_default(),
        "AttachedManagedPolicies": role.attached_policies.known().map(|l| l.iter().map(|p| j!({"PolicyName": p.name, "PolicyArn": p.arn})).collect::<Vec<_>>()).unwrap_or_default(),
        "Tags": tags(role),
    });
    if let Some(b) = boundary(role) {
        v["PermissionsBoundary"] = b;
    }
    v
}

fn get_role(role: &IamRole) -> Value {
    let mut r = j!({"Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
        "AssumeRolePolicyDocument": role.trust_policy.as_ref().map(document), "Tags": tags(role)});
    if let Some(b) = boundary(role) {
        r["PermissionsBoundary"] = b;
    }
    j!({"Role": r})
}

pub fn render(aws: &AwsFacts) -> Result<Vec<BundleFile>, DumpError> {
    let mut out = Vec::new();
    let iam = &aws.iam;
    // Roles: GAAD for fully known ones; `IsTruncated` unless every account is complete.
    let (full, partial): (Vec<&IamRole>, Vec<&IamRole>) =
        iam.roles.values().partition(|r| complete(r));
    let all_complete = iam.roles.values().all(|r| {
        Arn::parse(&r.arn).is_some_and(|a| iam.complete_role_accounts.contains(&a.account))
    });
    if !full.is_empty() || !iam.managed_policies.is_empty() {
        let policies: Vec<Value> = iam
            .managed_policies
            .values()
            .map(|p| {
                let versions: Vec<Value> = p.default_document.iter().map(|d| j!({"Document": document(d), "VersionId": p.default_version_id.clone().unwrap_or_else(|| "v1".into()), "IsDefaultVersion": true})).collect();
                j!({"PolicyName": p.name, "Arn": p.arn, "DefaultVersionId": p.default_version_id, "PolicyVersionList": versions})
            })
            .collect();
        let mut gaad = j!({"RoleDetailList": full.iter().map(|r| role_detail(r)).collect::<Vec<_>>(), "Policies": policies, "UserDetailList": [], "GroupDetailList": []});
        if !(all_complete && partial.is_empty()) || iam.complete_role_accounts.is_empty() {
            gaad["IsTruncated"] = Value::Bool(true);
            gaad["Marker"] = Value::String("kubectl-irsa-dump-partial".into());
        }
        out.push((
            "iam-authorization-details.json".into(),
            json("roles", &gaad)?,
        ));
    }
    for (i, role) in partial.iter().enumerate() {
        out.push((format!("iam-role-{i}.json"), json("role", &get_role(role))?));
        // `get-role-policy` names its role, so known inline policies survive; attached ones
        // cannot be written outside GetAccountAuthorizationDetails (their list names no role).
        for (k, p) in role
            .inline_policies
            .known()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let v = j!({"RoleName": role.name, "PolicyName": p.name, "PolicyDocument": document(&p.document)});
            out.push((
                format!("iam-role-{i}-policy-{k}.json"),
                json("inline policy", &v)?,
            ));
        }
    }
    for (i, arn) in iam.absent_roles.iter().enumerate() {
        if let Ok(r) = RoleArn::parse(arn) {
            out.push((
                format!("iam-role-absent-{i}.txt"),
                cli_error(
                    "NoSuchEntity",
                    "GetRole",
                    &format!("The role with name {} cannot be found.", r.name),
                ),
            ));
        }
    }
    if !iam.complete_provider_accounts.is_empty() || !iam.oidc_providers.is_empty() {
        let list: Vec<Value> = iam.oidc_providers.keys().map(|a| j!({"Arn": a})).collect();
        out.push((
            "oidc-providers.json".into(),
            json("providers", &j!({"OpenIDConnectProviderList": list}))?,
        ));
    }
    for (i, p) in iam
        .oidc_providers
        .values()
        .filter(|p| p.client_ids.is_some())
        .enumerate()
    {
        out.push((
            format!("oidc-provider-{i}.json"),
            json(
                "provider",
                &j!({"Url": p.url, "ClientIDList": p.client_ids, "ThumbprintList": p.thumbprints}),
            )?,
        ));
    }
    match &aws.cluster {
        Fact::Known(c) => out.push(("cluster.json".into(), json("cluster", &j!({"cluster": {
            "name": c.name, "arn": c.arn, "endpoint": c.endpoint, "version": c.version, "platformVersion": c.platform_version,
            "identity": {"oidc": {"issuer": c.oidc_issuer}}, "status": c.status, "computeConfig": {"enabled": c.auto_mode}}}))?)),
        Fact::Missing(m) => out.extend(denied_text(m, "DescribeCluster").map(|t| ("cluster-error.txt".to_string(), t))),
    }
    match &aws.associations {
        Fact::Known(list) => {
            let summaries: Vec<Value> = list.iter().map(|a| j!({"clusterName": a.cluster_name, "namespace": a.namespace, "serviceAccount": a.service_account, "associationArn": a.association_arn, "associationId": a.association_id, "ownerArn": a.owner_arn})).collect();
            out.push((
                "pod-identity-associations.json".into(),
                json("associations", &j!({"associations": summaries}))?,
            ));
            for (i, a) in list.iter().enumerate() {
                let d = j!({"association": {"clusterName": a.cluster_name, "namespace": a.namespace, "serviceAccount": a.service_account, "roleArn": a.role_arn,
                    "targetRoleArn": a.target_role_arn, "associationArn": a.association_arn, "associationId": a.association_id, "disableSessionTags": a.disable_session_tags,
                    "policy": a.session_policy.as_ref().map(|p| p.0.clone()), "ownerArn": a.owner_arn, "createdAt": a.created_at, "modifiedAt": a.modified_at}});
                out.push((
                    format!("pod-identity-association-{i}.json"),
                    json("association", &d)?,
                ));
            }
        }
        Fact::Missing(m) => out.extend(
            denied_text(m, "ListPodIdentityAssociations")
                .map(|t| ("pod-identity-associations-error.txt".to_string(), t)),
        ),
    }
    let cluster_name = aws
        .cluster
        .known()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    match &aws.pod_identity_agent_addon {
        Fact::Known(Some(a)) => out.push(("addon-pod-identity-agent.json".into(), json("addon", &j!({"addon": {"addonName": a.name, "clusterName": cluster_name, "status": a.status, "addonVersion": a.version,
            "health": {"issues": a.health_issues.iter().map(|i| j!({"code": i.code, "message": i.message})).collect::<Vec<_>>()}, "serviceAccountRoleArn": a.service_account_role_arn}}))?)),
        Fact::Known(None) => out.push(("addon-pod-identity-agent.txt".into(), cli_error("ResourceNotFoundException", "DescribeAddon", &format!("No addon: eks-pod-identity-agent found in cluster: {cluster_name}")))),
        Fact::Missing(m) => out.extend(denied_text(m, "DescribeAddon").map(|t| ("addon-pod-identity-agent.txt".to_string(), t))),
    }
    Ok(out)
}
