//! `dump` writes a bundle that `doctor --offline` reads back to the same report: checked on
//! every scenario bundle and on the demo, whole and cut to one namespace (`dump -n`) or to a
//! label selector (`dump -l`). Also: dump never overwrites a non-empty directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use k8s_openapi::Metadata;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubectl_irsa::diagnose::narrow::narrow;
use kubectl_irsa::diagnose::{LabelSelector, Selection, diagnose};
use kubectl_irsa::model::Fact;
use kubectl_irsa::model::Snapshot;
use kubectl_irsa::model::snapshot::Listing;
use kubectl_irsa::sources::{bundle::load_dirs, demo, dump};

fn report_without_source(snap: &Snapshot) -> serde_json::Value {
    let mut v = serde_json::to_value(diagnose(snap, &Selection::default()).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("source");
    v.as_object_mut().unwrap().remove("notes");
    v
}

fn round_trip(name: &str, snap: &Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let files = dump::write(snap, &out).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!files.is_empty(), "{name}");
    let again = load_dirs(std::slice::from_ref(&out)).unwrap_or_else(|e| panic!("{name}: {e}"));
    // A damaged policy document is carried as it was read (so its link stays unknown), and is
    // noted again on reload; nothing else may be.
    let damaged = |notes: &[kubectl_irsa::model::snapshot::LoadNote]| -> Vec<String> {
        notes
            .iter()
            .filter(|n| n.message.contains("could not be decoded"))
            .map(|n| n.message.clone())
            .collect()
    };
    assert!(
        again
            .notes
            .iter()
            .all(|n| n.message.contains("could not be decoded")),
        "{name}: the dump must load without notes: {:?}",
        again.notes
    );
    assert_eq!(damaged(&again.notes), damaged(&snap.notes), "{name}");
    assert_eq!(
        report_without_source(snap),
        report_without_source(&again),
        "{name}: report differs after dump"
    );
}

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path().join("bundle")))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[test]
fn every_scenario_round_trips() {
    for dir in scenarios() {
        let snap = load_dirs(std::slice::from_ref(&dir)).unwrap();
        round_trip(&dir.display().to_string(), &snap);
    }
}

#[test]
fn the_demo_round_trips() {
    round_trip("demo", &demo::load().unwrap());
}

#[test]
fn dump_refuses_a_non_empty_directory_and_writes_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let err = dump::write(&demo::load().unwrap(), dir.path()).unwrap_err();
    assert!(err.to_string().contains("not an empty directory"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
        "mine"
    );
    for (name, contents) in dump::render(&demo::load().unwrap()).unwrap() {
        assert!(!contents.contains("\"kind\": \"Secret\""), "{name}");
        assert!(
            !contents
                .to_ascii_lowercase()
                .contains("serviceaccount/token\": \"ey"),
            "{name}"
        );
    }
}

/// Every namespace a snapshot's Kubernetes objects or associations name.
fn namespaces(snap: &Snapshot) -> BTreeSet<String> {
    let k = &snap.kube;
    let mut out = BTreeSet::new();
    let mut add = |meta: &ObjectMeta| {
        out.insert(meta.namespace.clone().unwrap_or_default());
    };
    fn each<T: Metadata<Ty = ObjectMeta>>(
        fact: &Fact<Listing<T>>,
        add: &mut impl FnMut(&ObjectMeta),
    ) {
        for i in fact.known().map(|l| l.items.as_slice()).unwrap_or(&[]) {
            add(i.metadata());
        }
    }
    each(&k.pods, &mut add);
    each(&k.service_accounts, &mut add);
    each(&k.deployments, &mut add);
    each(&k.replica_sets, &mut add);
    each(&k.stateful_sets, &mut add);
    each(&k.daemon_sets, &mut add);
    each(&k.jobs, &mut add);
    each(&k.cron_jobs, &mut add);
    for a in snap
        .aws
        .associations
        .known()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        out.insert(a.namespace.clone());
    }
    out
}

fn report_for(snap: &Snapshot, sel: &Selection) -> serde_json::Value {
    let mut v = serde_json::to_value(diagnose(snap, sel).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("source");
    v.as_object_mut().unwrap().remove("notes");
    v
}

/// `sel` cut from `snap` (in memory, and written as a bundle and read back) diagnoses as the
/// whole snapshot does; returns the bundle read back.
fn narrowed_round_trip(name: &str, snap: &Snapshot, sel: &Selection) -> Snapshot {
    let want = report_for(snap, sel);
    let cut = narrow(snap, sel);
    assert_eq!(
        report_for(&cut, sel),
        want,
        "{name} {sel:?}: narrowed in memory"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    dump::write(&cut, &out).unwrap_or_else(|e| panic!("{name}: {e}"));
    let again = load_dirs(std::slice::from_ref(&out)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(report_for(&again, sel), want, "{name} {sel:?}: after dump");
    again
}

/// Kubernetes objects of `snap` outside `allowed` namespaces, as `KIND NS/NAME`, leaving out
/// what every cut keeps: the Pod Identity agent's pods and DaemonSets.
fn outside(snap: &Snapshot, allowed: &BTreeSet<String>) -> Vec<String> {
    let k = &snap.kube;
    let mut out = Vec::new();
    let mut check = |kind: &str, meta: &ObjectMeta| {
        let ns = meta.namespace.clone().unwrap_or_default();
        let name = meta.name.clone().unwrap_or_default();
        let agent = name.starts_with("eks-pod-identity-agent")
            || meta
                .labels
                .as_ref()
                .is_some_and(|l| l.values().any(|v| v.starts_with("eks-pod-identity-agent")));
        if !allowed.contains(&ns) && !agent {
            out.push(format!("{kind} {ns}/{name}"));
        }
    };
    for p in k.pods.known().map(|l| l.items.as_slice()).unwrap_or(&[]) {
        check("Pod", &p.metadata);
    }
    for d in k
        .deployments
        .known()
        .map(|l| l.items.as_slice())
        .unwrap_or(&[])
    {
        check("Deployment", &d.metadata);
    }
    for r in k
        .replica_sets
        .known()
        .map(|l| l.items.as_slice())
        .unwrap_or(&[])
    {
        check("ReplicaSet", &r.metadata);
    }
    for s in k
        .stateful_sets
        .known()
        .map(|l| l.items.as_slice())
        .unwrap_or(&[])
    {
        check("StatefulSet", &s.metadata);
    }
    for d in k
        .daemon_sets
        .known()
        .map(|l| l.items.as_slice())
        .unwrap_or(&[])
    {
        check("DaemonSet", &d.metadata);
    }
    for j in k.jobs.known().map(|l| l.items.as_slice()).unwrap_or(&[]) {
        check("Job", &j.metadata);
    }
    for c in k
        .cron_jobs
        .known()
        .map(|l| l.items.as_slice())
        .unwrap_or(&[])
    {
        check("CronJob", &c.metadata);
    }
    out
}

/// `dump -n NS`: for every namespace of every scenario and of the demo, the bundle diagnoses
/// that namespace as the whole source does, and holds no other namespace's workloads or pods
/// (kube-system's only when it is the evidence that no Pod Identity agent runs).
#[test]
fn a_namespace_dump_holds_that_namespace_and_diagnoses_the_same() {
    let mut sources: Vec<(String, Snapshot)> = scenarios()
        .into_iter()
        .map(|d| {
            (
                d.display().to_string(),
                load_dirs(std::slice::from_ref(&d)).unwrap(),
            )
        })
        .collect();
    sources.push(("demo".into(), demo::load().unwrap()));
    let mut cut = 0;
    for (name, snap) in &sources {
        let all = namespaces(snap);
        for ns in &all {
            let sel = Selection {
                namespace: Some(ns.clone()),
                ..Selection::default()
            };
            let again = narrowed_round_trip(name, snap, &sel);
            let no_agent = !snap.kube.pods.known().is_some_and(|l| {
                l.items
                    .iter()
                    .any(kubectl_irsa::diagnose::index::is_agent_pod)
            });
            let mut allowed = BTreeSet::from([ns.clone()]);
            if no_agent {
                allowed.insert("kube-system".into());
            }
            let stray = outside(&again, &allowed);
            assert!(stray.is_empty(), "{name} -n {ns}: {stray:?}");
            if all.len() > 1 && namespaces(&again).len() < all.len() {
                cut += 1;
            }
        }
    }
    assert!(cut > 20, "the cuts left something out ({cut} did)");
}

/// `dump -l SELECTOR`: for every label a pod or pod template carries in a scenario or the
/// demo, the bundle diagnoses the selection as the whole source does and holds only the
/// selected workloads' pods (and, where no selected workload has a pod, that namespace's).
#[test]
fn a_selector_dump_holds_the_selected_workloads_and_diagnoses_the_same() {
    let mut sources: Vec<(String, Snapshot)> = scenarios()
        .into_iter()
        .map(|d| {
            (
                d.display().to_string(),
                load_dirs(std::slice::from_ref(&d)).unwrap(),
            )
        })
        .collect();
    sources.push(("demo".into(), demo::load().unwrap()));
    let mut selectors = 0;
    for (name, snap) in &sources {
        let mut labels = BTreeSet::new();
        for p in snap
            .kube
            .pods
            .known()
            .map(|l| l.items.as_slice())
            .unwrap_or(&[])
        {
            for (k, v) in p.metadata.labels.iter().flatten() {
                labels.insert(format!("{k}={v}"));
                labels.insert(format!("{k}!={v}"));
            }
        }
        for text in labels {
            let sel = Selection {
                selector: Some(LabelSelector::parse(&text).unwrap()),
                ..Selection::default()
            };
            narrowed_round_trip(name, snap, &sel);
            selectors += 1;
        }
    }
    assert!(selectors > 50, "{selectors}");
}

/// A bundle cannot say "kube-system was listed and runs no agent" except by kube-system's pods:
/// when no agent pod runs anywhere, `dump -n NS` keeps them, so the `agent` link still says
/// the agent has no pod on the node (not that kube-system was not collected).
#[test]
fn a_namespace_dump_keeps_the_evidence_that_no_agent_runs() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/pi-agent-not-on-node/bundle");
    let mut snap = load_dirs(&[dir]).unwrap();
    let pods = snap.kube.pods.known_mut().unwrap();
    let agent = pods
        .items
        .iter_mut()
        .find(|p| kubectl_irsa::diagnose::index::is_agent_pod(p))
        .expect("the scenario runs one agent pod");
    // The agent's pod becomes an ordinary kube-system pod: no agent runs anywhere now.
    agent.metadata.name = Some("coredns-5d78c9869d-abcde".into());
    agent.metadata.labels = None;
    agent.metadata.owner_references = None;
    let sel = Selection {
        namespace: Some("shop".into()),
        ..Selection::default()
    };
    let report = report_for(&snap, &sel);
    assert!(
        report.to_string().contains("AGENT_NOT_ON_NODE"),
        "the source says the agent has no pod on the node: {report}"
    );
    let again = narrowed_round_trip("no agent pod", &snap, &sel);
    assert_eq!(
        outside(&again, &BTreeSet::from(["shop".to_string()])),
        ["Pod kube-system/coredns-5d78c9869d-abcde"]
    );
}

fn irsa(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .output()
        .expect("binary runs")
}

fn doctor_json(args: &[&str]) -> serde_json::Value {
    let out = irsa(&[&["doctor", "-o", "json"], args].concat());
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    v.as_object_mut().unwrap().remove("source");
    v
}

/// `kubectl irsa dump --demo -n flyte DIR` as a user runs it: `doctor --offline DIR -n flyte`
/// prints what `doctor --demo -n flyte` does, and the files hold no other namespace's objects.
#[test]
fn dump_n_writes_one_namespace_that_doctor_reads_back_the_same() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("flyte");
    let d = dir.to_str().unwrap();
    let out = irsa(&["dump", "--demo", "-n", "flyte", d]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("kubectl irsa doctor -A --offline {d}")),
        "{stdout}"
    );
    assert_eq!(
        doctor_json(&["--offline", d, "-n", "flyte"]),
        doctor_json(&["--demo", "-n", "flyte"])
    );
    let whole = demo::load().unwrap();
    assert!(namespaces(&whole).len() > 5);
    let again = load_dirs(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(
        namespaces(&again),
        BTreeSet::from(["flyte".to_string(), "kube-system".to_string()])
    );
    assert!(outside(&again, &BTreeSet::from(["flyte".to_string()])).is_empty());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for other in [
            "langflow",
            "tlm",
            "enbuild",
            "kubeflow",
            "flytesnacks-development",
        ] {
            assert!(
                !text.contains(&format!("\"namespace\": \"{other}\"")),
                "{} holds an object of namespace {other}",
                path.display()
            );
        }
    }
    // `-A` wins over `-n`, as in kubectl: the whole cluster.
    let all = parent.path().join("all");
    let out = irsa(&["dump", "--demo", "-n", "flyte", "-A", all.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(namespaces(&load_dirs(&[all]).unwrap()), namespaces(&whole));
}

/// `kubectl irsa dump --demo -l SELECTOR DIR`: the selected workloads, read back the same.
#[test]
fn dump_l_writes_the_selected_workloads_that_doctor_reads_back_the_same() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("selected");
    let d = dir.to_str().unwrap();
    let selector = "app.kubernetes.io/name in (langflow,tlm-chat-backend)";
    let out = irsa(&["dump", "--demo", "-l", selector, d]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        doctor_json(&["--offline", d, "-l", selector]),
        doctor_json(&["--demo", "-l", selector])
    );
    // Everything in the bundle is what the selection reads, so `-A` shows the same workloads.
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&doctor_json(&["--offline", d, "-A"])),
        ["langflow", "tlm-chat-backend"]
    );
    let again = load_dirs(std::slice::from_ref(&dir)).unwrap();
    let allowed = BTreeSet::from(["langflow".to_string(), "tlm".to_string()]);
    assert!(
        outside(&again, &allowed).is_empty(),
        "{:?}",
        outside(&again, &allowed)
    );
}
