//! Reads and writes of single objects: get, create, update (PUT), patch, delete, and the
//! `serviceaccounts/token` subresource. Each checks the deny rules first, answers with the
//! object (or a Status error), and gives writes the server-set metadata a real server does.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::list;
use super::patch::{self, PatchType};
use super::protobuf;
use super::routes::{Query, Target};
use super::state::{State, metadata_mut, str_at};
use super::status::{ApiError, json_response};
use super::table;
use super::token;

/// One request to a resource path, with what the handler read from it.
pub struct Call<'a> {
    pub method: &'a str,
    pub query: &'a Query,
    pub content_type: Option<&'a str>,
    pub accept: Option<&'a str>,
    pub body: &'a [u8],
}

/// Serves a request to a collection, object or subresource.
pub fn serve(state: &mut State, target: &Target, call: &Call) -> Result<Response, ApiError> {
    let verb = verb(target, call)?;
    if state.denied(
        verb,
        &target.rbac_resource(),
        target.namespace.as_deref(),
        target.rt.namespaced,
    ) {
        return Err(ApiError::forbidden(
            verb,
            &target.rt.group,
            &target.rbac_resource(),
            target.namespace.as_deref(),
            target.name.as_deref(),
        ));
    }
    let token = verb == "create" && target.subresource.as_deref() == Some("token");
    if protobuf::is_protobuf(call.content_type) && !token {
        return Err(ApiError::unsupported_body(protobuf::CONTENT_TYPE));
    }
    match verb {
        "list" => list::list(state, target, call.query, call.accept),
        "get" => get(state, target, call),
        "create" if token => token_request(state, target, call),
        "create" => create(state, target, call),
        "update" => update(state, target, call),
        "patch" => patch(state, target, call),
        "delete" => delete(state, target, call),
        _ => Err(ApiError::method_not_allowed(format!(
            "the fake API server does not support {verb} on {}",
            target.rbac_resource()
        ))),
    }
}

/// The RBAC verb of a request; 404 for a subresource the type does not have, 405 for a method
/// the path does not take.
fn verb(target: &Target, call: &Call) -> Result<&'static str, ApiError> {
    if let Some(sub) = &target.subresource {
        let known = target
            .rt
            .subresource(sub)
            .ok_or_else(ApiError::no_such_path)?;
        let verb = match call.method {
            "GET" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "POST" => "create",
            _ => "",
        };
        return known
            .verbs
            .iter()
            .find(|v| **v == verb)
            .copied()
            .ok_or_else(|| method_not_allowed(call.method));
    }
    match (call.method, target.name.is_some()) {
        ("GET", false) if call.query.flag("watch") => Ok("watch"),
        ("GET", false) => Ok("list"),
        ("GET", true) => Ok("get"),
        ("POST", false) if target.namespace.is_some() || !target.rt.namespaced => Ok("create"),
        ("PUT", true) => Ok("update"),
        ("PATCH", true) => Ok("patch"),
        ("DELETE", true) => Ok("delete"),
        ("DELETE", false) => Ok("deletecollection"),
        (method, _) => Err(method_not_allowed(method)),
    }
}

fn method_not_allowed(method: &str) -> ApiError {
    ApiError::method_not_allowed(format!(
        "the server does not allow this method on the requested resource ({method})"
    ))
}

fn name_of(target: &Target) -> &str {
    target.name.as_deref().unwrap_or("")
}

fn existing(state: &State, target: &Target) -> Result<Value, ApiError> {
    state
        .get(&target.rt, target.ns(), name_of(target))
        .cloned()
        .ok_or_else(|| ApiError::not_found(&target.rt.group, &target.rt.plural, name_of(target)))
}

fn get(state: &State, target: &Target, call: &Call) -> Result<Response, ApiError> {
    let object = existing(state, target)?;
    if table::wanted(call.accept) {
        let table = table::render(&target.rt, &[object], json!({}), call.query);
        return Ok(json_response(StatusCode::OK, &table));
    }
    Ok(json_response(StatusCode::OK, &object))
}

fn parse_object(body: &[u8]) -> Result<Value, ApiError> {
    let object: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
    })?;
    if !object.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    }
    Ok(object)
}

/// Checks kind/apiVersion (filling them in when absent) and the namespace against the path.
fn check_identity(target: &Target, object: &mut Value) -> Result<(), ApiError> {
    let rt = &target.rt;
    if let Some(kind) = str_at(object, &["kind"]).filter(|k| *k != rt.kind) {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            rt.kind
        )));
    }
    if let Some(version) = str_at(object, &["apiVersion"]).filter(|v| *v != rt.api_version()) {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({version}) does not match the expected API version ({})",
            rt.api_version()
        )));
    }
    object["kind"] = json!(rt.kind);
    object["apiVersion"] = json!(rt.api_version());
    let body_ns = str_at(object, &["metadata", "namespace"]).unwrap_or_default();
    let meta =
        metadata_mut(object).ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
    if rt.namespaced {
        if !body_ns.is_empty() && body_ns != target.ns() {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        meta.insert("namespace".into(), json!(target.ns()));
    } else {
        meta.remove("namespace");
    }
    Ok(())
}

fn dry_run(call: &Call) -> bool {
    call.query.get("dryRun").is_some_and(|v| v == "All")
}

fn create(state: &mut State, target: &Target, call: &Call) -> Result<Response, ApiError> {
    let mut object = parse_object(call.body)?;
    check_identity(target, &mut object)?;
    let rt = &target.rt;
    if rt.namespaced
        && state
            .type_at("", "v1", "namespaces")
            .is_some_and(|ns| state.get(&ns, "", target.ns()).is_none())
    {
        return Err(ApiError::not_found("", "namespaces", target.ns()));
    }
    let name = match str_at(&object, &["metadata", "name"]).filter(|n| !n.is_empty()) {
        Some(name) => name,
        None => match str_at(&object, &["metadata", "generateName"]).filter(|n| !n.is_empty()) {
            Some(prefix) => format!("{prefix}{}", state.next_suffix()),
            None => {
                return Err(ApiError::invalid(format!(
                    "{} \"\" is invalid: metadata.name: Required value: name or generateName is required",
                    rt.kind
                )));
            }
        },
    };
    if state.get(rt, target.ns(), &name).is_some() {
        return Err(ApiError::already_exists(&rt.group, &rt.plural, &name));
    }
    if let Some(meta) = metadata_mut(&mut object) {
        meta.insert("name".into(), json!(name));
        meta.remove("resourceVersion");
    }
    if rt.group.is_empty() && rt.plural == "pods" {
        super::controllers::mutate_pod(state, target.ns(), &mut object);
    }
    let stored = if dry_run(call) {
        state.stamp_new(rt, object)
    } else {
        let stored = state.store_new(rt, target.ns(), &name, object);
        super::controllers::after_write(state, &rt.group, &rt.plural, target.ns(), &name);
        stored
    };
    Ok(json_response(StatusCode::CREATED, &stored))
}

fn update(state: &mut State, target: &Target, call: &Call) -> Result<Response, ApiError> {
    let current = existing(state, target)?;
    let mut object = parse_object(call.body)?;
    check_identity(target, &mut object)?;
    let name = str_at(&object, &["metadata", "name"]).unwrap_or_default();
    if name != name_of(target) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({name}) does not match the name on the URL ({})",
            name_of(target)
        )));
    }
    let written = finish_write(state, target, Some(&current), object, call)?;
    Ok(json_response(StatusCode::OK, &written))
}

fn patch(state: &mut State, target: &Target, call: &Call) -> Result<Response, ApiError> {
    let kind = PatchType::from_content_type(call.content_type)?;
    if kind == PatchType::Apply && call.query.get("fieldManager").is_none_or(str::is_empty) {
        return Err(ApiError::invalid(
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        ));
    }
    let current = match (existing(state, target), kind) {
        (Ok(current), _) => Some(current),
        (Err(_), PatchType::Apply) if target.subresource.is_none() => None,
        (Err(missing), _) => return Err(missing),
    };
    let mut object = patch::apply(kind, current.as_ref().unwrap_or(&Value::Null), call.body)?;
    if !object.is_object() {
        return Err(ApiError::bad_request(
            "the patched object is not a JSON object",
        ));
    }
    check_identity(target, &mut object)?;
    let name = str_at(&object, &["metadata", "name"]).unwrap_or_default();
    if current.is_none() && name.is_empty() {
        if let Some(meta) = metadata_mut(&mut object) {
            meta.insert("name".into(), json!(name_of(target)));
        }
    } else if name != name_of(target) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({name}) does not match the name on the URL ({})",
            name_of(target)
        )));
    }
    let code = if current.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let written = finish_write(state, target, current.as_ref(), object, call)?;
    Ok(json_response(code, &written))
}

/// Stores an updated or patched object: optimistic concurrency on resourceVersion, status
/// changes only through `/status`, uid and creationTimestamp kept, generation bumped when
/// anything outside metadata and status changed.
fn finish_write(
    state: &mut State,
    target: &Target,
    current: Option<&Value>,
    mut object: Value,
    call: &Call,
) -> Result<Value, ApiError> {
    let rt = &target.rt;
    let name = name_of(target).to_string();
    let Some(current) = current else {
        return Ok(if dry_run(call) {
            state.stamp_new(rt, object)
        } else {
            state.store_new(rt, target.ns(), &name, object)
        });
    };
    let current_rv = str_at(current, &["metadata", "resourceVersion"]);
    let asked_rv = str_at(&object, &["metadata", "resourceVersion"]).filter(|rv| !rv.is_empty());
    if asked_rv.is_some_and(|rv| Some(rv) != current_rv) {
        return Err(ApiError::conflict(&rt.group, &rt.plural, &name));
    }
    if rt.subresource("status").is_some() {
        if target.subresource.as_deref() == Some("status") {
            let status = object.get("status").cloned();
            object = current.clone();
            set_or_remove(&mut object, "status", status);
        } else {
            set_or_remove(&mut object, "status", current.get("status").cloned());
        }
    }
    let changed = without_meta(&object) != without_meta(current);
    let revision = state.next_revision();
    if let Some(meta) = metadata_mut(&mut object) {
        for kept in ["uid", "creationTimestamp"] {
            if let Some(value) = current.pointer(&format!("/metadata/{kept}")) {
                meta.insert(kept.into(), value.clone());
            }
        }
        if let Some(generation) = current
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
        {
            meta.insert(
                "generation".into(),
                json!(generation.saturating_add(i64::from(changed))),
            );
        }
        meta.insert("resourceVersion".into(), json!(revision));
    }
    if !dry_run(call) {
        state.put(rt, target.ns(), &name, object.clone());
        super::controllers::after_write(state, &rt.group, &rt.plural, target.ns(), &name);
    }
    Ok(object)
}

fn set_or_remove(object: &mut Value, key: &str, value: Option<Value>) {
    if let Some(map) = object.as_object_mut() {
        match value {
            Some(value) => map.insert(key.to_string(), value),
            None => map.remove(key),
        };
    }
}

fn without_meta(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(map) = copy.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    copy
}

fn delete(state: &mut State, target: &Target, call: &Call) -> Result<Response, ApiError> {
    let object = existing(state, target)?;
    if !dry_run(call) {
        state.remove(&target.rt, target.ns(), name_of(target));
    }
    Ok(json_response(StatusCode::OK, &object))
}

fn token_request(state: &mut State, target: &Target, call: &Call) -> Result<Response, ApiError> {
    let sa = existing(state, target)?;
    let answer = token::issue(
        &state.issuer,
        &sa,
        target.ns(),
        call.body,
        call.content_type,
    )?;
    Ok(json_response(StatusCode::CREATED, &answer))
}
