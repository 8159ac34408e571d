//! Kubernetes documents of a bundle into [`KubeFacts`]: single objects, `List`s and typed lists
//! (`PodList`, whose items may omit `apiVersion`/`kind`), plus `kubectl version`.
//!
//! While loading, objects are keyed by (kind, namespace, name) so duplicates across files are
//! found in constant time; the first copy (in file order) is kept and the others are reported
//! in one note per pair of files. Secrets are dropped on sight and only counted. An object that
//! does not deserialize is reported and its namespace is not counted as listed for that kind
//! (the object exists, so "absent" would be a false finding).
//!
//! To load a new kind, see `kinds.rs`.

pub mod forbidden;
mod kinds;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Node, Pod, ServiceAccount};
use serde::de::DeserializeOwned;
use serde_json::Value;

use self::kinds::{KindTag, is_secret};
use super::notes::{At, Notes};
use super::parse::clip;
use crate::model::snapshot::{KubeFacts, Listing, Scope};
use crate::model::{Fact, Missing};

/// Objects of one kind seen so far.
struct Kind<T> {
    seen: bool,
    items: Vec<T>,
    namespaces: BTreeSet<String>,
}

impl<T> Default for Kind<T> {
    fn default() -> Self {
        Kind {
            seen: false,
            items: Vec::new(),
            namespaces: BTreeSet::new(),
        }
    }
}

impl<T: DeserializeOwned> Kind<T> {
    fn push(&mut self, namespace: &str, value: Value) -> Result<(), serde_json::Error> {
        self.items.push(serde_json::from_value(value)?);
        self.namespaces.insert(namespace.to_string());
        Ok(())
    }

    fn listing(
        self,
        tainted: Option<&BTreeSet<String>>,
        missing: Fact<Listing<T>>,
    ) -> Fact<Listing<T>> {
        if !self.seen {
            return missing;
        }
        let mut namespaces = self.namespaces;
        if let Some(tainted) = tainted {
            namespaces.retain(|ns| !tainted.contains(ns));
        }
        Fact::Known(Listing {
            items: self.items,
            scope: Scope::Namespaces(namespaces),
            partial: None,
        })
    }

    fn list(self, missing: Fact<Vec<T>>) -> Fact<Vec<T>> {
        if self.seen {
            Fact::Known(self.items)
        } else {
            missing
        }
    }
}

type Key = (KindTag, String, String);

/// Unreadable objects reported one by one per file; the rest are counted in one note.
const REPORTED_PER_FILE: usize = 20;

#[derive(Default)]
pub struct KubeAcc {
    pods: Kind<Pod>,
    service_accounts: Kind<ServiceAccount>,
    deployments: Kind<Deployment>,
    replica_sets: Kind<ReplicaSet>,
    stateful_sets: Kind<StatefulSet>,
    daemon_sets: Kind<DaemonSet>,
    jobs: Kind<Job>,
    cron_jobs: Kind<CronJob>,
    nodes: Kind<Node>,
    webhooks: Kind<MutatingWebhookConfiguration>,
    server_version: Option<String>,
    /// Loaded objects and the file each came from.
    loaded: HashMap<Key, usize>,
    /// Objects that did not deserialize.
    failed: Vec<Key>,
    /// (file of the skipped copy, file of the kept copy) -> objects.
    duplicates: BTreeMap<(usize, usize), Vec<String>>,
    /// Objects that did not deserialize, per file (only the first few are reported one by one).
    unreadable: BTreeMap<usize, usize>,
    /// Secrets skipped, per file.
    secrets: BTreeMap<usize, usize>,
    /// Lists refused by RBAC (saved `kubectl get` errors), with the file that says so.
    denied: BTreeMap<KindTag, (String, Missing)>,
}

impl KubeAcc {
    /// A document with `apiVersion` and `kind`: an object or a list of them.
    pub fn add_document(&mut self, at: At, mut value: Value, notes: &mut Notes) {
        let (api_version, kind) = type_of(&value);
        let items = match value.as_object_mut() {
            Some(map)
                if kind.ends_with("List") && map.get("items").is_some_and(Value::is_array) =>
            {
                map.remove("items")
            }
            _ => None,
        };
        let Some(Value::Array(items)) = items else {
            return self.add_object(at, value, notes);
        };
        // A typed list (`PodList`) may leave `apiVersion`/`kind` out of its items.
        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
        if let Some(tag) = item_kind.and_then(|k| KindTag::of(&api_version, k)) {
            self.mark_seen(tag);
        }
        for (index, mut item) in items.into_iter().enumerate() {
            if let (Some(map), Some(item_kind)) = (item.as_object_mut(), item_kind) {
                map.entry("apiVersion")
                    .or_insert_with(|| Value::String(api_version.clone()));
                map.entry("kind")
                    .or_insert_with(|| Value::String(item_kind.to_string()));
            }
            self.add_object(at.item(index), item, notes);
        }
    }

    /// Several objects in a top-level JSON array.
    pub fn add_array(&mut self, at: At, value: Value, notes: &mut Notes) {
        if let Value::Array(items) = value {
            for (index, item) in items.into_iter().enumerate() {
                self.add_document(at.item(index), item, notes);
            }
        }
    }

    /// A saved `kubectl get` refusal: that kind's list is denied, with the permission to grant.
    pub fn add_forbidden(&mut self, file: &str, refusal: forbidden::Forbidden, notes: &mut Notes) {
        let Some(tag) = KindTag::of_resource(&refusal.group, &refusal.resource) else {
            return notes.add(
                file,
                format!(
                    "the saved `kubectl get` refusal is for {}, a kind the diagnosis does not read; ignored",
                    refusal.resource
                ),
            );
        };
        let missing = Missing::list_denied(
            &refusal.resource,
            &refusal.group,
            refusal.namespace.as_deref(),
            refusal.message,
        );
        self.denied
            .entry(tag)
            .or_insert((file.to_string(), missing));
    }

    /// `kubectl version -o json|yaml`.
    pub fn add_version(&mut self, value: &Value) {
        if let Some(version) = value
            .pointer("/serverVersion/gitVersion")
            .and_then(Value::as_str)
        {
            self.server_version
                .get_or_insert_with(|| version.to_string());
        }
    }

    fn add_object(&mut self, at: At, mut value: Value, notes: &mut Notes) {
        let (api_version, kind) = type_of(&value);
        if is_secret(&api_version, &kind) {
            *self.secrets.entry(at.file).or_default() += 1;
            return;
        }
        let Some(tag) = KindTag::of(&api_version, &kind) else {
            if api_version.is_empty() || kind.is_empty() {
                notes.add(at.name, format!("{at}: no apiVersion or kind; skipped"));
            }
            // Kinds the diagnosis does not read (Namespace, Service, ...) are ignored quietly.
            return;
        };
        self.mark_seen(tag);
        let Some(name) = value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return notes.add(
                at.name,
                format!("{at}: a {kind} without metadata.name; skipped"),
            );
        };
        let namespace = if tag.namespaced() {
            namespace_of(&mut value)
        } else {
            String::new()
        };
        let label = label(tag, &namespace, &name);
        let key = (tag, namespace, name);
        if let Some(&kept) = self.loaded.get(&key) {
            self.duplicates
                .entry((at.file, kept))
                .or_default()
                .push(label);
            return;
        }
        let stored = match check_containers(tag, &value) {
            Ok(()) => self
                .store(tag, &key.1, value)
                .map_err(|err| clip(&err.to_string())),
            Err(err) => Err(err),
        };
        match stored {
            Ok(()) => {
                self.loaded.insert(key, at.file);
            }
            Err(err) => {
                let reported = self.unreadable.entry(at.file).or_default();
                *reported += 1;
                if *reported <= REPORTED_PER_FILE {
                    let message =
                        format!("{at} ({label}): cannot be read as a {kind}: {err}; skipped");
                    notes.add(at.name, message);
                }
                self.failed.push(key);
            }
        }
    }

    fn mark_seen(&mut self, tag: KindTag) {
        match tag {
            KindTag::Pod => self.pods.seen = true,
            KindTag::ServiceAccount => self.service_accounts.seen = true,
            KindTag::Deployment => self.deployments.seen = true,
            KindTag::ReplicaSet => self.replica_sets.seen = true,
            KindTag::StatefulSet => self.stateful_sets.seen = true,
            KindTag::DaemonSet => self.daemon_sets.seen = true,
            KindTag::Job => self.jobs.seen = true,
            KindTag::CronJob => self.cron_jobs.seen = true,
            KindTag::Node => self.nodes.seen = true,
            KindTag::MutatingWebhookConfiguration => self.webhooks.seen = true,
        }
    }

    fn store(
        &mut self,
        tag: KindTag,
        namespace: &str,
        value: Value,
    ) -> Result<(), serde_json::Error> {
        match tag {
            KindTag::Pod => self.pods.push(namespace, value),
            KindTag::ServiceAccount => self.service_accounts.push(namespace, value),
            KindTag::Deployment => self.deployments.push(namespace, value),
            KindTag::ReplicaSet => self.replica_sets.push(namespace, value),
            KindTag::StatefulSet => self.stateful_sets.push(namespace, value),
            KindTag::DaemonSet => self.daemon_sets.push(namespace, value),
            KindTag::Job => self.jobs.push(namespace, value),
            KindTag::CronJob => self.cron_jobs.push(namespace, value),
            KindTag::Node => self.nodes.push(namespace, value),
            KindTag::MutatingWebhookConfiguration => self.webhooks.push(namespace, value),
        }
    }

    /// The facts, plus the notes kept until the end (Secrets, duplicates). `files` are the
    /// names of the files by index.
    pub fn finish(self, files: &[String], notes: &mut Notes) -> KubeFacts {
        let file = |index: usize| files.get(index).map_or("?", String::as_str);
        for (&index, &count) in &self.secrets {
            let what = if count == 1 {
                "a Secret".to_string()
            } else {
                format!("{count} Secrets")
            };
            notes.add(
                file(index),
                format!("{what} ignored (Secrets are never loaded)"),
            );
        }
        for (&index, &count) in &self.unreadable {
            if count > REPORTED_PER_FILE {
                let more = count - REPORTED_PER_FILE;
                notes.add(
                    file(index),
                    format!("{more} more objects could not be read; skipped"),
                );
            }
        }
        for ((skipped, kept), objects) in &self.duplicates {
            notes.add(
                file(*skipped),
                duplicate_message(objects, skipped == kept, file(*kept)),
            );
        }
        let mut tainted: BTreeMap<KindTag, BTreeSet<String>> = BTreeMap::new();
        for key in self
            .failed
            .iter()
            .filter(|key| !self.loaded.contains_key(*key))
        {
            tainted.entry(key.0).or_default().insert(key.1.clone());
        }
        let t = |tag| tainted.get(&tag);
        let mut denied = self.denied;
        let seen = |tag: KindTag| match tag {
            KindTag::Pod => self.pods.seen,
            KindTag::ServiceAccount => self.service_accounts.seen,
            KindTag::Deployment => self.deployments.seen,
            KindTag::ReplicaSet => self.replica_sets.seen,
            KindTag::StatefulSet => self.stateful_sets.seen,
            KindTag::DaemonSet => self.daemon_sets.seen,
            KindTag::Job => self.jobs.seen,
            KindTag::CronJob => self.cron_jobs.seen,
            KindTag::Node => self.nodes.seen,
            KindTag::MutatingWebhookConfiguration => self.webhooks.seen,
        };
        // A refusal next to objects of the same kind from other files: the objects are kept,
        // and the refused namespace stays unlisted (unknown), as a partial grant is live.
        for (tag, (file, _)) in denied.iter().filter(|(tag, _)| seen(**tag)) {
            notes.add(
                file,
                format!(
                    "the {} list was refused here while other files hold some; those are kept and the rest is unknown",
                    tag.name()
                ),
            );
        }
        let missing = KubeFacts::default();
        KubeFacts {
            pods: self.pods.listing(
                t(KindTag::Pod),
                or_denied(&mut denied, KindTag::Pod, missing.pods),
            ),
            service_accounts: self.service_accounts.listing(
                t(KindTag::ServiceAccount),
                or_denied(
                    &mut denied,
                    KindTag::ServiceAccount,
                    missing.service_accounts,
                ),
            ),
            deployments: self.deployments.listing(
                t(KindTag::Deployment),
                or_denied(&mut denied, KindTag::Deployment, missing.deployments),
            ),
            replica_sets: self.replica_sets.listing(
                t(KindTag::ReplicaSet),
                or_denied(&mut denied, KindTag::ReplicaSet, missing.replica_sets),
            ),
            stateful_sets: self.stateful_sets.listing(
                t(KindTag::StatefulSet),
                or_denied(&mut denied, KindTag::StatefulSet, missing.stateful_sets),
            ),
            daemon_sets: self.daemon_sets.listing(
                t(KindTag::DaemonSet),
                or_denied(&mut denied, KindTag::DaemonSet, missing.daemon_sets),
            ),
            jobs: self.jobs.listing(
                t(KindTag::Job),
                or_denied(&mut denied, KindTag::Job, missing.jobs),
            ),
            cron_jobs: self.cron_jobs.listing(
                t(KindTag::CronJob),
                or_denied(&mut denied, KindTag::CronJob, missing.cron_jobs),
            ),
            nodes: self
                .nodes
                .list(or_denied(&mut denied, KindTag::Node, missing.nodes)),
            webhooks: self.webhooks.list(or_denied(
                &mut denied,
                KindTag::MutatingWebhookConfiguration,
                missing.webhooks,
            )),
            server_version: self.server_version,
        }
    }
}

/// The refusal recorded for `tag`, as the fact, or `default` (not collected).
fn or_denied<T>(
    denied: &mut BTreeMap<KindTag, (String, Missing)>,
    tag: KindTag,
    default: Fact<T>,
) -> Fact<T> {
    match denied.remove(&tag) {
        Some((_, m)) => Fact::Missing(m),
        None => default,
    }
}

fn duplicate_message(objects: &[String], same_file: bool, kept: &str) -> String {
    const SHOWN: usize = 5;
    let mut list = objects
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if objects.len() > SHOWN {
        list.push_str(&format!(" and {} more", objects.len() - SHOWN));
    }
    let count = objects.len();
    if same_file {
        format!(
            "{} more than once in this file ({list}); kept the first copy",
            crate::model::words::count(count, "object appears", "objects appear")
        )
    } else {
        format!(
            "{} also in {kept} ({list}); kept the copy from {kept}",
            crate::model::words::count(count, "object", "objects")
        )
    }
}

/// A workload's containers must be a non-empty list (see `KindTag::containers_pointer`).
fn check_containers(tag: KindTag, value: &Value) -> Result<(), String> {
    let Some(pointer) = tag.containers_pointer() else {
        return Ok(());
    };
    match value.pointer(pointer) {
        Some(Value::Array(containers)) if !containers.is_empty() => Ok(()),
        Some(Value::Array(_)) => Err(format!("{} is empty", dotted(pointer))),
        Some(_) => Err(format!("{} is not a list", dotted(pointer))),
        None => Err(format!("missing field `containers` ({})", dotted(pointer))),
    }
}

fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn type_of(value: &Value) -> (String, String) {
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (text("apiVersion"), text("kind"))
}

/// The object's namespace; one without (a manifest rather than `kubectl get` output) is in
/// `default`, as kubectl would put it.
fn namespace_of(value: &mut Value) -> String {
    let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) else {
        return "default".to_string();
    };
    match metadata.get("namespace").and_then(Value::as_str) {
        Some(ns) if !ns.is_empty() => ns.to_string(),
        _ => {
            metadata.insert(
                "namespace".to_string(),
                Value::String("default".to_string()),
            );
            "default".to_string()
        }
    }
}

fn label(tag: KindTag, namespace: &str, name: &str) -> String {
    if tag.namespaced() {
        format!("{} {namespace}/{name}", tag.name())
    } else {
        format!("{} {name}", tag.name())
    }
}
