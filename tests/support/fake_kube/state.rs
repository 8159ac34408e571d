//! The fake's shared state: stored objects by resource type, the resource-type table, the
//! request log, deny rules and knobs (latency, issuer). Everything lives behind one mutex that
//! is never held across an `.await`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::record::Recorded;
use super::resources::{self, ResourceType};

/// Objects of one resource type, by (namespace or "", name): listing order is the real
/// server's (namespace, then name).
pub type Objects = BTreeMap<(String, String), Value>;

/// A 403 rule: `verb` and `resource` (e.g. `pods`, `serviceaccounts/token`) may be `*`.
#[derive(Debug, Clone)]
pub struct DenyRule {
    pub verb: String,
    pub resource: String,
    /// `None` denies everywhere. `Some(ns)` denies in that namespace and also across all
    /// namespaces, since RBAC would need a cluster-wide grant for that too.
    pub namespace: Option<String>,
}

/// Pages after the first of one resource's lists (requests with a continue token) answered
/// with an error: 403 (a later page refused) or 410 (the continue token expired).
#[derive(Debug, Clone)]
pub struct LaterPageFailure {
    pub resource: String,
    pub code: u16,
}

#[derive(Debug)]
pub struct State {
    pub types: Vec<ResourceType>,
    pub objects: BTreeMap<String, Objects>,
    pub revision: u64,
    pub requests: Vec<Recorded>,
    pub deny: Vec<DenyRule>,
    pub later_pages: Vec<LaterPageFailure>,
    pub latency: Duration,
    pub issuer: String,
    pub region: String,
    pub account: String,
    /// The EKS cluster's name, from the bundle's DescribeCluster output.
    pub cluster_name: Option<String>,
    /// The fake EKS's pod identity associations, for the webhook (`controllers`).
    pub associations: super::controllers::Associations,
    serial: u64,
}

/// Namespaces every cluster has.
const SYSTEM_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

impl State {
    pub fn new() -> Self {
        let mut state = State {
            types: resources::builtins(),
            objects: BTreeMap::new(),
            revision: 1000,
            requests: Vec::new(),
            deny: Vec::new(),
            later_pages: Vec::new(),
            latency: Duration::ZERO,
            issuer: "https://kubernetes.default.svc".to_string(),
            region: "us-east-1".to_string(),
            account: "123456789012".to_string(),
            cluster_name: None,
            associations: Default::default(),
            serial: 0,
        };
        for ns in SYSTEM_NAMESPACES {
            state.ensure_namespace(ns);
        }
        state
    }

    /// The type served at `/apis/GROUP/VERSION/PLURAL` (group empty for `/api/v1`).
    pub fn type_at(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
            .cloned()
    }

    pub fn serves_version(&self, group: &str, version: &str) -> bool {
        self.types
            .iter()
            .any(|t| t.group == group && t.version == version)
    }

    /// The registered type of an apiVersion and kind.
    pub fn find_type(&self, api_version: &str, kind: &str) -> Option<ResourceType> {
        let (group, version) = resources::split_api_version(api_version);
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
            .cloned()
    }

    /// The type of an object by its apiVersion and kind, registering a guessed one if new.
    pub fn type_of(&mut self, api_version: &str, kind: &str, namespaced: bool) -> ResourceType {
        if let Some(found) = self.find_type(api_version, kind) {
            return found;
        }
        let guessed = ResourceType::guessed(api_version, kind, namespaced);
        self.types.push(guessed.clone());
        guessed
    }

    pub fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Option<&Value> {
        self.objects
            .get(&rt.key())
            .and_then(|objects| objects.get(&(namespace.to_string(), name.to_string())))
    }

    pub fn all(&self, rt: &ResourceType) -> impl Iterator<Item = (&(String, String), &Value)> {
        self.objects.get(&rt.key()).into_iter().flatten()
    }

    pub fn put(&mut self, rt: &ResourceType, namespace: &str, name: &str, object: Value) {
        self.objects
            .entry(rt.key())
            .or_default()
            .insert((namespace.to_string(), name.to_string()), object);
    }

    pub fn remove(&mut self, rt: &ResourceType, namespace: &str, name: &str) -> Option<Value> {
        self.objects
            .get_mut(&rt.key())
            .and_then(|objects| objects.remove(&(namespace.to_string(), name.to_string())))
    }

    /// Bumps the cluster-wide resourceVersion and returns it.
    pub fn next_revision(&mut self) -> String {
        self.revision += 1;
        self.revision.to_string()
    }

    /// A fresh UID in the real format.
    pub fn next_uid(&mut self) -> String {
        self.serial += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.serial)
    }

    /// A short random-looking suffix for `generateName`.
    pub fn next_suffix(&mut self) -> String {
        self.serial += 1;
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let mut n = self.serial.wrapping_mul(2_654_435_761) ^ 0x5bd1_e995;
        (0..5)
            .map(|_| {
                let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
                n /= ALPHABET.len() as u64;
                c
            })
            .collect()
    }

    /// Adds `ns` as an Active Namespace if it is not there yet.
    pub fn ensure_namespace(&mut self, ns: &str) {
        let Some(rt) = self.type_at("", "v1", "namespaces") else {
            return;
        };
        if ns.is_empty() || self.get(&rt, "", ns).is_some() {
            return;
        }
        let namespace = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        });
        self.store_new(&rt, "", ns, namespace);
    }

    /// Gives an object created through the API (or synthesized) its server-set metadata: uid,
    /// creationTimestamp and generation where absent, and a new resourceVersion.
    pub fn stamp_new(&mut self, rt: &ResourceType, mut object: Value) -> Value {
        let uid = self.next_uid();
        let revision = self.next_revision();
        if let Some(meta) = metadata_mut(&mut object) {
            meta.entry("uid").or_insert_with(|| json!(uid));
            meta.entry("creationTimestamp")
                .or_insert_with(|| json!(now_rfc3339()));
            meta.insert("resourceVersion".into(), json!(revision));
            if has_spec(rt) {
                meta.entry("generation").or_insert_with(|| json!(1));
            }
        }
        object
    }

    /// Stamps (see [`State::stamp_new`]) and stores a new object; returns what was stored.
    pub fn store_new(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        object: Value,
    ) -> Value {
        let object = self.stamp_new(rt, object);
        self.put(rt, namespace, name, object.clone());
        object
    }

    /// Adds any object, as `FakeKube::insert` does: its type comes from apiVersion/kind, its
    /// namespace is created if new. The object is kept as given (so live reads match the
    /// offline bundle it came from) except for a resourceVersion when it has none. Returns an
    /// error message for an object without apiVersion, kind or name.
    pub fn insert(&mut self, mut object: Value) -> Result<(), String> {
        let api_version = str_at(&object, &["apiVersion"]).ok_or("object has no apiVersion")?;
        let kind = str_at(&object, &["kind"]).ok_or("object has no kind")?;
        let name = str_at(&object, &["metadata", "name"]).ok_or("object has no metadata.name")?;
        let namespace = str_at(&object, &["metadata", "namespace"]).unwrap_or_default();
        let rt = self.type_of(&api_version, &kind, !namespace.is_empty());
        let namespace = if rt.namespaced {
            if namespace.is_empty() {
                "default".to_string()
            } else {
                namespace
            }
        } else {
            String::new()
        };
        if let Some(meta) = metadata_mut(&mut object) {
            if rt.namespaced {
                meta.insert("namespace".into(), json!(namespace));
            } else {
                meta.remove("namespace");
            }
        }
        let revision = self.next_revision();
        let versioned = has_spec(&rt);
        if let Some(meta) = metadata_mut(&mut object) {
            meta.entry("resourceVersion")
                .or_insert_with(|| json!(revision));
            // A real API server has a generation on every object with a spec; a writer's
            // JSON-patch test of it must meet one.
            if versioned {
                meta.entry("generation").or_insert_with(|| json!(1));
            }
        }
        self.ensure_namespace(&namespace);
        self.put(&rt, &namespace, &name, object);
        Ok(())
    }

    /// Whether a deny rule covers this request.
    pub fn denied(
        &self,
        verb: &str,
        resource: &str,
        namespace: Option<&str>,
        namespaced: bool,
    ) -> bool {
        self.deny.iter().any(|rule| {
            (rule.verb == "*" || rule.verb == verb)
                && (rule.resource == "*" || rule.resource == resource)
                && match (&rule.namespace, namespace) {
                    (None, _) => true,
                    (Some(denied), Some(asked)) => denied == asked,
                    (Some(_), None) => namespaced,
                }
        })
    }
}

/// Whether `generation` applies: kinds with a spec the server versions (not namespaces or
/// nodes, nor spec-less kinds).
fn has_spec(rt: &ResourceType) -> bool {
    !matches!(
        rt.kind.as_str(),
        "Namespace" | "Node" | "ServiceAccount" | "Secret" | "ConfigMap"
    )
}

pub fn metadata_mut(object: &mut Value) -> Option<&mut Map<String, Value>> {
    let map = object.as_object_mut()?;
    map.entry("metadata")
        .or_insert_with(|| json!({}))
        .as_object_mut()
}

/// The string at a path of object keys.
pub fn str_at(value: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))?
        .as_str()
        .map(str::to_string)
}

/// Now, as Kubernetes writes timestamps (RFC 3339, whole seconds, UTC).
pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now().as_second();
    jiff::Timestamp::from_second(now)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
