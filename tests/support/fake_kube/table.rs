//! Server-side printing: the `Table` (meta.k8s.io/v1) kubectl asks for with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, with the columns `kubectl get` shows
//! for the common kinds (NAME and AGE for the rest). Rows carry PartialObjectMetadata, the full
//! object or nothing, per `includeObject`, so `kubectl get -A` can add the NAMESPACE column.

use serde_json::{Value, json};

use super::resources::ResourceType;
use super::routes::Query;

/// Whether an Accept header asks for a Table.
pub fn wanted(accept: Option<&str>) -> bool {
    accept.unwrap_or("").split(',').any(|range| {
        let params: Vec<&str> = range.split(';').map(str::trim).collect();
        params.contains(&"as=Table") && params.contains(&"g=meta.k8s.io")
    })
}

type Cell = fn(&Value) -> Value;

/// (column name, type, priority, cell), NAME first and AGE where kubectl shows it.
fn columns(kind: &str) -> Vec<(&'static str, &'static str, u8, Cell)> {
    let name: (&str, &str, u8, Cell) = ("Name", "string", 0, |o| at(o, "/metadata/name"));
    let age: (&str, &str, u8, Cell) = ("Age", "string", 0, |o| json!(age(o)));
    match kind {
        "Pod" => vec![
            name,
            ("Ready", "string", 0, pod_ready),
            ("Status", "string", 0, |o| {
                text_or(o, "/status/phase", "Pending")
            }),
            ("Restarts", "string", 0, pod_restarts),
            age,
            ("IP", "string", 1, |o| text_or(o, "/status/podIP", "<none>")),
            ("Node", "string", 1, |o| {
                text_or(o, "/spec/nodeName", "<none>")
            }),
        ],
        "Node" => vec![
            name,
            ("Status", "string", 0, node_status),
            ("Roles", "string", 0, |_| json!("<none>")),
            age,
            ("Version", "string", 0, |o| {
                text_or(o, "/status/nodeInfo/kubeletVersion", "")
            }),
        ],
        "ServiceAccount" => vec![
            name,
            ("Secrets", "integer", 0, |o| {
                json!(
                    o.pointer("/secrets")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                )
            }),
            age,
        ],
        "Namespace" => vec![
            name,
            ("Status", "string", 0, |o| {
                text_or(o, "/status/phase", "Active")
            }),
            age,
        ],
        _ => vec![name, age],
    }
}

/// A Table of `objects` with list metadata `metadata`.
pub fn render(rt: &ResourceType, objects: &[Value], metadata: Value, query: &Query) -> Value {
    let columns = columns(&rt.kind);
    let definitions: Vec<Value> = columns
        .iter()
        .map(|(name, kind, priority, _)| {
            json!({
                "name": name,
                "type": kind,
                "format": if *name == "Name" { "name" } else { "" },
                "description": format!("{name} of the {}", rt.singular),
                "priority": priority,
            })
        })
        .collect();
    let include = query.get("includeObject").unwrap_or("Metadata");
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let cells: Vec<Value> = columns.iter().map(|(_, _, _, cell)| cell(object)).collect();
            let mut row = json!({"cells": cells});
            match include {
                "None" => {}
                "Object" => row["object"] = object.clone(),
                _ => {
                    row["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": object.get("metadata").cloned().unwrap_or(json!({})),
                    })
                }
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

fn at(object: &Value, pointer: &str) -> Value {
    object.pointer(pointer).cloned().unwrap_or(json!(""))
}

fn text_or(object: &Value, pointer: &str, default: &str) -> Value {
    json!(
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or(default)
    )
}

fn pod_ready(pod: &Value) -> Value {
    let total = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map_or(0, |s| {
            s.iter()
                .filter(|c| c.get("ready") == Some(&json!(true)))
                .count()
        });
    json!(format!("{ready}/{total}"))
}

fn pod_restarts(pod: &Value) -> Value {
    let restarts: i64 = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map_or(0, |s| {
            s.iter()
                .filter_map(|c| c.get("restartCount")?.as_i64())
                .sum()
        });
    json!(restarts.to_string())
}

fn node_status(node: &Value) -> Value {
    let ready = node
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c.get("type") == Some(&json!("Ready"))))
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str);
    json!(if ready == Some("True") {
        "Ready"
    } else {
        "NotReady"
    })
}

/// Age as kubectl prints it: `45s`, `12m`, `5h`, `3d`, `2y`.
fn age(object: &Value) -> String {
    let Some(created) = object
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    else {
        return "<unknown>".to_string();
    };
    let seconds = (jiff::Timestamp::now().as_second() - created.as_second()).max(0);
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 3 * 3600 => format!("{}m", s / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s if s < 2 * 365 * 86400 => format!("{}d", s / 86400),
        s => format!("{}y", s / (365 * 86400)),
    }
}
