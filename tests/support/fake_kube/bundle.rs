//! Seeding the fake from offline fixture bundles: the bundle loader reads them into a
//! `Snapshot`, and every typed Kubernetes object goes back to JSON (k8s-openapi writes kind and
//! apiVersion), so the live adapters read exactly what the offline tests read.

use std::path::PathBuf;

use kubectl_irsa::model::fact::Fact;
use kubectl_irsa::model::snapshot::{Listing, Scope, Snapshot};
use serde::Serialize;
use serde_json::Value;

use super::state::State;

/// Loads `dirs` into `state`. Panics (test set-up) when the bundles cannot be read.
pub fn seed(state: &mut State, dirs: &[PathBuf]) {
    let snapshot = kubectl_irsa::sources::bundle::load_dirs(dirs)
        .unwrap_or_else(|e| panic!("fake_kube: cannot load bundles {dirs:?}: {e}"));
    let kube = &snapshot.kube;
    let mut objects = Vec::new();
    let mut namespaces = Vec::new();
    listing(&kube.pods, &mut objects, &mut namespaces);
    listing(&kube.service_accounts, &mut objects, &mut namespaces);
    listing(&kube.deployments, &mut objects, &mut namespaces);
    listing(&kube.replica_sets, &mut objects, &mut namespaces);
    listing(&kube.stateful_sets, &mut objects, &mut namespaces);
    listing(&kube.daemon_sets, &mut objects, &mut namespaces);
    listing(&kube.jobs, &mut objects, &mut namespaces);
    listing(&kube.cron_jobs, &mut objects, &mut namespaces);
    plain(&kube.nodes, &mut objects);
    plain(&kube.webhooks, &mut objects);
    for ns in namespaces {
        state.ensure_namespace(&ns);
    }
    for object in objects {
        if let Err(e) = state.insert(object) {
            panic!("fake_kube: bundle object not insertable: {e}");
        }
    }
    cluster_facts(state, &snapshot);
}

fn to_json<T: Serialize>(item: &T) -> Value {
    serde_json::to_value(item).unwrap_or_else(|e| panic!("fake_kube: cannot serialize: {e}"))
}

fn listing<T: Serialize>(
    fact: &Fact<Listing<T>>,
    objects: &mut Vec<Value>,
    namespaces: &mut Vec<String>,
) {
    if let Some(listing) = fact.known() {
        if let Scope::Namespaces(covered) = &listing.scope {
            namespaces.extend(covered.iter().cloned());
        }
        objects.extend(listing.items.iter().map(to_json));
    }
}

fn plain<T: Serialize>(fact: &Fact<Vec<T>>, objects: &mut Vec<Value>) {
    if let Some(items) = fact.known() {
        objects.extend(items.iter().map(to_json));
    }
}

/// The issuer, region and account of the bundle's EKS cluster, when it has one.
fn cluster_facts(state: &mut State, snapshot: &Snapshot) {
    let Some(cluster) = snapshot.aws.cluster.known() else {
        return;
    };
    if let Some(issuer) = &cluster.oidc_issuer {
        state.issuer = issuer.clone();
    }
    if let Some(region) = cluster.region() {
        state.region = region;
    }
    if let Some(account) = cluster.account() {
        state.account = account;
    }
    state.cluster_name = Some(cluster.name.clone());
}
