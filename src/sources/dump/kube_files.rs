//! The Kubernetes part of a dump: one `kind: List` per fact, as `kubectl get KIND -A -o json`
//! prints it. A list the API server refused is written as kubectl prints the refusal
//! (`Error from server (Forbidden): ...`), so it loads as the same denied fact. Facts that were
//! not collected are left out (they load as not collected).

use serde::Serialize;

use super::{BundleFile, DumpError, json};
use crate::model::snapshot::{KubeFacts, Listing};
use crate::model::{Fact, Missing};
use crate::sources::bundle::kube::forbidden;

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
    match fact {
        Fact::Known(l) => out.push(list(name, &l.items)?),
        Fact::Missing(m) => out.extend(refusal(name, m)),
    }
    Ok(())
}

/// kubectl's words for a refused list, when `missing` is one whose message says what was
/// refused (an API server's RBAC message); `NAME.json` becomes `NAME-forbidden.txt`.
fn refusal(name: &str, missing: &Missing) -> Option<BundleFile> {
    let Missing::Denied { message, .. } = missing else {
        return None;
    };
    let text = format!("Error from server (Forbidden): {message}\n");
    forbidden::parse(&text)?;
    let stem = name.strip_suffix(".json").unwrap_or(name);
    Some((format!("{stem}-forbidden.txt"), text))
}

pub fn render(kube: &KubeFacts) -> Result<Vec<BundleFile>, DumpError> {
    let mut out = Vec::new();
    match &kube.nodes {
        Fact::Known(nodes) => out.push(list("nodes.json", nodes)?),
        Fact::Missing(m) => out.extend(refusal("nodes.json", m)),
    }
    listing(&mut out, "serviceaccounts.json", &kube.service_accounts)?;
    listing(&mut out, "deployments.json", &kube.deployments)?;
    listing(&mut out, "replicasets.json", &kube.replica_sets)?;
    listing(&mut out, "statefulsets.json", &kube.stateful_sets)?;
    listing(&mut out, "daemonsets.json", &kube.daemon_sets)?;
    listing(&mut out, "jobs.json", &kube.jobs)?;
    listing(&mut out, "cronjobs.json", &kube.cron_jobs)?;
    listing(&mut out, "pods.json", &kube.pods)?;
    match &kube.webhooks {
        Fact::Known(hooks) => out.push(list("mutatingwebhookconfigurations.json", hooks)?),
        Fact::Missing(m) => out.extend(refusal("mutatingwebhookconfigurations.json", m)),
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
