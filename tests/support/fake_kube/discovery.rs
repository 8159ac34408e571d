//! Discovery: `/version`, `/api`, `/apis`, `/apis/GROUP` and the per-version resource lists,
//! in both the legacy form (APIVersions, APIGroupList, APIResourceList) and aggregated
//! discovery v2 (APIGroupDiscoveryList), chosen by the Accept header as the real server does.
//! kubectl 1.32 and kube-rs' `Discovery::run_aggregated` ask for the aggregated form first.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::resources::{ResourceType, VERBS};
use super::state::State;
use super::status::{json_response, json_response_typed};

/// The version the fake claims to be.
pub const GIT_VERSION: &str = "v1.32.2-eks-1234";

/// Which aggregated discovery version an Accept header asks for first, if any.
fn aggregated_version(accept: Option<&str>) -> Option<&'static str> {
    for range in accept.unwrap_or("").split(',') {
        let mut params = range.split(';').map(str::trim);
        let essence = params.next().unwrap_or("");
        if essence != "application/json" {
            continue;
        }
        let (mut group, mut version, mut as_kind) = (None, None, None);
        for param in params {
            match param.split_once('=') {
                Some(("g", v)) => group = Some(v),
                Some(("v", v)) => version = Some(v),
                Some(("as", v)) => as_kind = Some(v),
                _ => {}
            }
        }
        if group == Some("apidiscovery.k8s.io") && as_kind == Some("APIGroupDiscoveryList") {
            match version {
                Some("v2") => return Some("v2"),
                Some("v2beta1") => return Some("v2beta1"),
                _ => {}
            }
        }
    }
    None
}

pub fn version() -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "major": "1",
            "minor": "32+",
            "gitVersion": GIT_VERSION,
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": "2025-01-01T00:00:00Z",
            "goVersion": "go1.23.4",
            "compiler": "gc",
            "platform": "linux/amd64",
        }),
    )
}

/// `/api`: the core group.
pub fn core(state: &State, accept: Option<&str>) -> Response {
    if let Some(v) = aggregated_version(accept) {
        return aggregated(state, v, true);
    }
    json_response(
        StatusCode::OK,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:443"}],
        }),
    )
}

/// `/apis`: every named group.
pub fn groups(state: &State, accept: Option<&str>) -> Response {
    if let Some(v) = aggregated_version(accept) {
        return aggregated(state, v, false);
    }
    let groups: Vec<Value> = group_versions(state)
        .into_iter()
        .filter(|(group, _)| !group.is_empty())
        .map(|(group, versions)| api_group(&group, &versions))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
    )
}

/// `/apis/GROUP`.
pub fn group(state: &State, name: &str) -> Response {
    let versions = group_versions(state)
        .into_iter()
        .find(|(group, _)| group == name)
        .map(|(_, versions)| versions)
        .unwrap_or_default();
    let mut body = api_group(name, &versions);
    body["kind"] = json!("APIGroup");
    body["apiVersion"] = json!("v1");
    json_response(StatusCode::OK, &body)
}

/// `/api/v1` or `/apis/GROUP/VERSION`: the legacy APIResourceList.
pub fn resources(state: &State, group: &str, version: &str) -> Response {
    let mut resources = Vec::new();
    for rt in types_in(state, group, version) {
        let mut entry = json!({
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": VERBS,
        });
        if !rt.short_names.is_empty() {
            entry["shortNames"] = json!(rt.short_names);
        }
        if !rt.categories.is_empty() {
            entry["categories"] = json!(rt.categories);
        }
        resources.push(entry);
        for sub in &rt.subresources {
            let (sub_group, sub_version, kind) = sub.response;
            let mut entry = json!({
                "name": format!("{}/{}", rt.plural, sub.name),
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": kind,
                "verbs": sub.verbs,
            });
            if sub_group != group || sub_version != version {
                entry["group"] = json!(sub_group);
                entry["version"] = json!(sub_version);
            }
            resources.push(entry);
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json_response(
        StatusCode::OK,
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }),
    )
}

/// The aggregated form of `/api` (`core`) or `/apis`.
fn aggregated(state: &State, version: &str, core: bool) -> Response {
    let items: Vec<Value> = group_versions(state)
        .into_iter()
        .filter(|(group, _)| group.is_empty() == core)
        .map(|(group, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| {
                    let resources: Vec<Value> =
                        types_in(state, &group, v).map(resource_discovery).collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let metadata = if core {
                json!({"creationTimestamp": null})
            } else {
                json!({"name": group, "creationTimestamp": null})
            };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    let body = json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{version}"),
        "metadata": {},
        "items": items,
    });
    let content_type =
        format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList");
    json_response_typed(StatusCode::OK, &body, &content_type)
}

fn resource_discovery(rt: &ResourceType) -> Value {
    let mut entry = json!({
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": if rt.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": rt.singular,
        "verbs": VERBS,
    });
    if !rt.short_names.is_empty() {
        entry["shortNames"] = json!(rt.short_names);
    }
    if !rt.categories.is_empty() {
        entry["categories"] = json!(rt.categories);
    }
    if !rt.subresources.is_empty() {
        let subs: Vec<Value> = rt
            .subresources
            .iter()
            .map(|sub| {
                let (group, version, kind) = sub.response;
                json!({
                    "subresource": sub.name,
                    "responseKind": {"group": group, "version": version, "kind": kind},
                    "verbs": sub.verbs,
                })
            })
            .collect();
        entry["subresources"] = json!(subs);
    }
    entry
}

fn api_group(name: &str, versions: &[String]) -> Value {
    let listed: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    let preferred = listed.first().cloned().unwrap_or(Value::Null);
    json!({"name": name, "versions": listed, "preferredVersion": preferred})
}

/// (group, versions) in the order the type table first mentions them.
fn group_versions(state: &State) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for rt in &state.types {
        match out.iter_mut().find(|(group, _)| *group == rt.group) {
            Some((_, versions)) if !versions.contains(&rt.version) => {
                versions.push(rt.version.clone())
            }
            Some(_) => {}
            None => out.push((rt.group.clone(), vec![rt.version.clone()])),
        }
    }
    out
}

fn types_in<'a>(
    state: &'a State,
    group: &'a str,
    version: &'a str,
) -> impl Iterator<Item = &'a ResourceType> {
    state
        .types
        .iter()
        .filter(move |rt| rt.group == group && rt.version == version)
}
