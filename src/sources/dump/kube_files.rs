//! The Kubernetes part of a dump: one `kind: List` per fact, as `kubectl get KIND -A -o json`
//! prints it. Facts that were not collected are left out (they load as not collected).

use serde::Serialize;

use super::{BundleFile, DumpError, json};
use crate::model::Fact;
use crate::model::snapshot::{KubeFacts, Listing};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct List<'a, T: Serialize> {
    api_version: &'static str,
    kind: &'static str,
    items: &'a [T],
}

fn list<T: Serialize>(name: &str, items: &[T]) -> Result<BundleFile, DumpError> {
    Ok((
        name.to_string(),
        json(
            name,
            &List {
                api_version: "v1",
                kind: "List",
                items,
            },
        )?,
    ))
}

fn listing<T: Serialize>(
    out: &mut Vec<BundleFile>,
    name: &str,
    fact: &Fact<Listing<T>>,
) -> Result<(), DumpError> {
    if let Some(l) = fact.known() {
        out.push(list(name, &l.items)?);
    }
    Ok(())
}

pub fn render(kube: &KubeFacts) -> Result<Vec<BundleFile>, DumpError> {
    let mut out = Vec::new();
    if let Some(nodes) = kube.nodes.known() {
        out.push(list("nodes.json", nodes)?);
    }
    listing(&mut out, "serviceaccounts.json", &kube.service_accounts)?;
    listing(&mut out, "deployments.json", &kube.deployments)?;
    listing(&mut out, "replicasets.json", &kube.replica_sets)?;
    listing(&mut out, "statefulsets.json", &kube.stateful_sets)?;
    listing(&mut out, "daemonsets.json", &kube.daemon_sets)?;
    listing(&mut out, "jobs.json", &kube.jobs)?;
    listing(&mut out, "cronjobs.json", &kube.cron_jobs)?;
    listing(&mut out, "pods.json", &kube.pods)?;
    if let Some(hooks) = kube.webhooks.known() {
        out.push(list("mutatingwebhookconfigurations.json", hooks)?);
    }
    if let Some(v) = &kube.server_version {
        out.push((
            "version.json".into(),
            json(
                "version",
                &serde_json::json!({"serverVersion": {"gitVersion": v}}),
            )?,
        ));
    }
    Ok(out)
}
