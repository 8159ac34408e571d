//! The TUI's service layer, `app::watched`, against the fakes: `load_watched` reports each
//! source (Kubernetes, STS, EKS, IAM, then the diagnosis) in the order the gathering runs, hands
//! over a partial report from the Kubernetes facts before IAM answers (IAM links `unknown`,
//! same workloads), returns what `doctor -o json` prints, names the context's namespace when
//! none is given, and fails with a `Failed` stage and an error (no panic) when the API server
//! is unreachable or the AWS credentials are rejected. `prove_workload` proves the one workload
//! asked for, with STS scripted to assume the role or to deny it. Offline, the demo goes
//! through the `Bundle` stage and gives `doctor`'s report; a missing bundle fails that stage.
//! The TUI's worker, driven by its update function, cancels a load that a refresh supersedes:
//! the cancelled load never asks IAM about the roles the Kubernetes lists would have named.
//!
//! The library reads AWS credentials, region and endpoints from the process environment, as the
//! binary does, and setting environment variables in a multi-threaded test process is unsound.
//! So each live call runs in a child process: this test binary itself, running only the ignored
//! [`watched_child`] test, started with [`LiveEnv::environment`] (what the binary gets in the
//! other live tests) plus the call to make; it calls the real functions and writes the events
//! and the result as JSON for the parent test to check.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use kubectl_irsa::app::watched::{LoadEvent, StageState, load_watched, prove_workload};
use kubectl_irsa::app::{self, AppError, Source};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::model::Report;
use kubectl_irsa::model::workload::{WorkloadKind, WorkloadRef};
use kubectl_irsa::sources::live::LiveOptions;
use kubectl_irsa::tui::message::{Cancel, Msg, Scope, Work};
use kubectl_irsa::tui::state::App;
use kubectl_irsa::tui::theme::Theme;
use kubectl_irsa::tui::update;
use kubectl_irsa::tui::worker::Worker;
use serde_json::{Value, json};
use support::fake_aws::{FakeEksAuth, Moto, StsOutcome};
use support::live_env::{self, CONTEXT, LiveEnv, closed_port, comparable, json_diff};

/// The call the child makes (JSON), and the file it writes its answer to.
const CASE_ENV: &str = "KUBECTL_IRSA_WATCHED_CASE";
const OUT_ENV: &str = "KUBECTL_IRSA_WATCHED_OUT";
const CHILD_ARGS: &[&str] = &["watched_child", "--exact", "--ignored", "--test-threads=1"];
const DOCTOR: &[&str] = &["doctor", "-A", "-o", "json"];
/// The links that need IAM: `unknown` in the partial report.
const IAM_LINKS: &[&str] = &["role", "trust", "permissions"];

type Events = Vec<(String, Value)>;

/// An event as `(key, detail)`: `"Kubernetes running"`, `"Iam done"` (detail: the summary),
/// `"Sts failed"` (detail: the error), `"namespace NS"`, `"partial"` (detail: the report).
fn describe(event: &LoadEvent) -> (String, Value) {
    match event {
        LoadEvent::Stage(stage, StageState::Running) => (format!("{stage:?} running"), Value::Null),
        LoadEvent::Stage(stage, StageState::Done(t)) => (format!("{stage:?} done"), json!(t)),
        LoadEvent::Stage(stage, StageState::Failed(t)) => (format!("{stage:?} failed"), json!(t)),
        LoadEvent::Namespace(ns) => (format!("namespace {ns}"), Value::Null),
        LoadEvent::Partial(report) => ("partial".into(), json!(report)),
    }
}

/// `load_watched` with its events collected.
fn load(source: &Source, selection: &Selection) -> (Events, Result<Report, AppError>) {
    let events = Mutex::new(Vec::new());
    let on_event = |e: LoadEvent| events.lock().unwrap().push(describe(&e));
    let result = load_watched(source, selection, &on_event);
    (events.into_inner().unwrap(), result)
}

/// Run by [`watch`] in a child process whose environment points at the fakes; does nothing
/// otherwise.
#[test]
#[ignore = "run by the other tests of this file in a child process, with the fakes' environment"]
fn watched_child() {
    let (Ok(case), Ok(out)) = (std::env::var(CASE_ENV), std::env::var(OUT_ENV)) else {
        return;
    };
    let case: Value = serde_json::from_str(&case).unwrap_or_else(|e| panic!("{CASE_ENV}: {e}"));
    let text = |k: &str| case[k].as_str().unwrap_or_default().to_string();
    let opts = LiveOptions {
        all_namespaces: case["all"] == true,
        namespace: case["namespace"].as_str().map(str::to_string),
        ..LiveOptions::default()
    };
    if case["call"] == "supersede" {
        let answer = supersede(opts, &text("namespace"), case["cancel"] != false);
        std::fs::write(&out, answer.to_string()).unwrap_or_else(|e| panic!("{out}: {e}"));
        return;
    }
    let (events, result) = if case["call"] == "prove" {
        let kind = WorkloadKind::from_kind(&text("kind"));
        let workload = WorkloadRef {
            kind: kind.unwrap_or_else(|| panic!("no workload kind in {case}")),
            namespace: text("namespace"),
            name: text("name"),
        };
        (Vec::new(), prove_workload(&opts, &workload, &[]))
    } else {
        load(&Source::Live(opts), &Selection::default())
    };
    let answer = match result {
        Ok(report) => json!({ "events": events, "ok": report }),
        Err(e) => json!({ "events": events, "err": e.to_string() }),
    };
    std::fs::write(&out, answer.to_string()).unwrap_or_else(|e| panic!("{out}: {e}"));
}

/// In the child: the TUI's update function and worker against the fakes. The first load is
/// started; as soon as it is asking Kubernetes, `r` refreshes, which supersedes it (with
/// `cancel == false`, the `Cancel` the update function asks for is not carried out: the
/// control case). Returns the work `r` asked for and whether the first load's result ever
/// arrived before the second's.
fn supersede(opts: LiveOptions, namespace: &str, cancel: bool) -> Value {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (tx, rx) = std::sync::mpsc::channel();
    let mut worker = Worker::new(Source::Live(opts), Vec::new(), tx)
        .unwrap_or_else(|e| panic!("the worker: {e}"));
    let mut copy = |_: &str| Ok(());
    let scope = Scope::Namespace(namespace.to_string());
    let mut app = App::new("test", true, scope, Theme { color: false });
    for work in update::start(&mut app) {
        worker.run(work, &mut copy);
    }
    let next = || {
        rx.recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("no message from the worker: {e}"))
    };
    loop {
        let msg = next();
        let asking_kubernetes = matches!(
            &msg,
            Msg::Load {
                generation: 1,
                event: LoadEvent::Stage(
                    kubectl_irsa::app::watched::Stage::Kubernetes,
                    StageState::Running
                )
            }
        );
        update::update(&mut app, msg);
        if asking_kubernetes {
            break;
        }
    }
    let refresh = Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE));
    let asked = update::update(&mut app, refresh);
    for work in asked.iter().cloned() {
        if cancel || !matches!(work, Work::Cancel(_)) {
            worker.run(work, &mut copy);
        }
    }
    let mut first_loaded = false;
    let second = loop {
        match next() {
            Msg::Loaded { generation: 1, .. } => first_loaded = true,
            Msg::Loaded {
                generation: 2,
                result,
            } => break result.map(|r| r.workloads.len()),
            _ => {}
        }
    };
    // Not cancelled, the first load runs to its end; it started first but a busy machine may
    // finish it second, so it is waited for (its IAM calls are then all counted).
    while !cancel && !first_loaded {
        if let Msg::Loaded { generation: 1, .. } = next() {
            first_loaded = true;
        }
    }
    json!({
        "asked": format!("{asked:?}"),
        "cancelAsked": asked.contains(&Work::Cancel(Cancel::Load { generation: 1 })),
        "firstLoaded": first_loaded,
        "secondWorkloads": second.unwrap_or_else(|e| panic!("the second load: {e}")),
    })
}

/// What the child saw.
struct Watched {
    events: Events,
    result: Result<Value, String>,
}

impl Watched {
    fn keys(&self) -> Vec<&str> {
        self.events.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// Where `key` first occurs; fails the test when it never does.
    fn at(&self, key: &str) -> usize {
        (self.events.iter().position(|(k, _)| k == key))
            .unwrap_or_else(|| panic!("no `{key}` event in {:?}", self.keys()))
    }

    fn detail(&self, key: &str) -> &Value {
        &self.events[self.at(key)].1
    }

    fn report(&self) -> &Value {
        match &self.result {
            Ok(r) => r,
            Err(e) => panic!("expected a report, got: {e}\nevents: {:?}", self.keys()),
        }
    }
}

/// Runs `case` in a child process pointed at `env`; returns what it wrote.
fn run_child(env: &LiveEnv, case: &Value) -> Value {
    let out = env.home().join("watched.json");
    let _ = std::fs::remove_file(&out);
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("this test binary: {e}"));
    let mut command = Command::new(exe);
    command
        .env_clear()
        .env("PATH", env.path_var())
        .envs(env.environment());
    command
        .env(CASE_ENV, case.to_string())
        .env(OUT_ENV, &out)
        .args(CHILD_ARGS);
    let run = live_env::run(command);
    assert_eq!(run.code, Some(0), "{case}: {}", run.explain());
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("{case}: no answer ({e})\n{}", run.explain()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Runs `case` (`{"call": "load"|"prove", ...}`) in a child process pointed at `env`.
fn watch(env: &LiveEnv, case: Value) -> Watched {
    let mut answer = run_child(env, &case);
    let events = serde_json::from_value(answer["events"].take()).unwrap_or_default();
    let result = match answer.get_mut("ok") {
        Some(report) => Ok(report.take()),
        None => Err(answer["err"].as_str().unwrap_or_default().to_string()),
    };
    Watched { events, result }
}

fn items(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// `namespace/Kind/name` of every workload.
fn workload_ids(report: &Value) -> Vec<String> {
    let id = |w: &Value| format!("{}/{}/{}", w["namespace"], w["kind"], w["name"]);
    items(&report["workloads"])
        .map(|w| id(w).replace('"', ""))
        .collect()
}

/// `(workload, link, status)` of the links named in `names`.
fn link_statuses(report: &Value, names: &[&str]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (w, id) in items(&report["workloads"]).zip(workload_ids(report)) {
        for l in items(&w["links"]).filter(|l| names.iter().any(|n| l["link"] == *n)) {
            let (link, status) = (l["link"].to_string(), l["status"].to_string());
            out.push((id.clone(), link.replace('"', ""), status.replace('"', "")));
        }
    }
    out
}

/// The first workload's `name` link.
fn link(report: &Value, name: &str) -> Value {
    (items(&report["workloads"][0]["links"]).find(|l| l["link"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no {name} link: {report}"))
}

/// `brokenLink` per `namespace/serviceAccount`, of a report's workloads or expected.json.
fn broken_links(entries: &Value) -> BTreeMap<String, Value> {
    let id = |e: &Value| format!("{}/{}", e["namespace"], e["serviceAccount"]).replace('"', "");
    items(entries)
        .map(|e| (id(e), e["brokenLink"].clone()))
        .collect()
}

fn expected(scenario: &str) -> Value {
    let path = live_env::scenarios_root().join(format!("{scenario}/expected.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The report (without `source` and `notes`) equals what `doctor` printed.
fn assert_same_as_doctor(report: &Value, doctor: &live_env::Run, what: &str) {
    let diff = json_diff(&comparable(report.clone()), &doctor.report(), 8);
    assert!(
        diff.is_empty(),
        "{what}: load_watched != doctor:\n{}",
        diff.join("\n")
    );
}

#[test]
fn load_reports_each_source_in_order_and_ends_with_doctors_report() {
    let moto = Moto::acquire_blocking();
    // An IRSA trust broken by its audience; a Pod Identity trust without sts:TagSession.
    for scenario in ["trust-aud-mismatch", "pi-trust-no-tagsession"] {
        let env = LiveEnv::start(&moto, scenario);
        let doctor = env.run(DOCTOR);
        let w = watch(&env, json!({ "call": "load", "all": true }));
        let keys = w.keys();
        // Every source starts at once; IAM ends last (its role calls need the service
        // accounts, the associations and the account).
        for source in ["Kubernetes", "Sts", "Eks", "Iam"] {
            for other in ["Kubernetes", "Sts", "Eks", "Iam"] {
                let (a, b) = (format!("{source} running"), format!("{other} done"));
                assert!(w.at(&a) < w.at(&b), "{scenario}: {a} before {b}: {keys:?}");
            }
        }
        for (a, b) in [
            ("Kubernetes done", "partial"),
            ("partial", "Iam done"),
            ("Sts done", "Iam done"),
            ("Eks done", "Iam done"),
            ("Iam done", "Diagnosis running"),
        ] {
            assert!(w.at(a) < w.at(b), "{scenario}: {a} before {b}: {keys:?}");
        }
        assert_eq!(keys.last(), Some(&"Diagnosis done"), "{scenario}: {keys:?}");
        assert_eq!(keys.iter().filter(|k| **k == "partial").count(), 1);
        let unexpected = |k: &&str| k.ends_with("failed") || k.starts_with("namespace");
        assert!(!keys.iter().any(unexpected), "{scenario}: {keys:?}");
        let pods = w.detail("Kubernetes done").as_str().unwrap_or_default();
        assert!(pods.contains(" pods, "), "{scenario}: {pods}");

        let (partial, report) = (w.detail("partial"), w.report());
        assert!(!workload_ids(report).is_empty(), "{scenario}: no workload");
        assert_eq!(workload_ids(partial), workload_ids(report), "{scenario}");
        let iam_links = link_statuses(partial, IAM_LINKS);
        assert!(
            !iam_links.is_empty(),
            "{scenario}: no IAM link in {partial}"
        );
        for (workload, link, status) in &iam_links {
            assert_eq!(status, "unknown", "{scenario}: partial {workload} {link}");
        }
        let known = link_statuses(report, IAM_LINKS)
            .into_iter()
            .filter(|l| l.2 != "unknown");
        assert!(known.count() > 0, "{scenario}: the final report knows IAM");

        assert_same_as_doctor(report, &doctor, scenario);
        let broken = broken_links(&report["workloads"]);
        assert_eq!(broken, broken_links(&expected(scenario)), "{scenario}");
    }
}

#[test]
fn the_contexts_namespace_is_reported() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "trust-aud-mismatch");
    let kubeconfig = std::fs::read_to_string(&env.kubeconfig).unwrap_or_default();
    assert!(kubeconfig.contains("  context:\n"), "{kubeconfig}");
    let with_namespace =
        kubeconfig.replace("  context:\n", "  context:\n    namespace: security\n");
    std::fs::write(&env.kubeconfig, with_namespace).unwrap_or_else(|e| panic!("{e}"));
    env.clear_requests();
    let w = watch(&env, json!({ "call": "load", "all": false }));
    let (namespace, listed) = (w.at("namespace security"), w.at("Kubernetes running"));
    assert!(namespace < listed, "{:?}", w.keys());
    let ids = workload_ids(w.report());
    assert!(
        !ids.is_empty() && ids.iter().all(|id| id.starts_with("security/")),
        "{ids:?}"
    );
    let kube = env.kube.requests();
    assert!(
        !kube.iter().any(|r| r.path == "/api/v1/pods"),
        "listed pods cluster-wide"
    );
    assert_same_as_doctor(
        w.report(),
        &env.run(&["doctor", "-o", "json"]),
        "context namespace",
    );
}

#[test]
fn live_failures_end_in_an_error_and_a_failed_stage_or_a_report_that_says_why() {
    let moto = Moto::acquire_blocking();
    let failed = |w: &Watched, stage: &str, says: &str| {
        let error = (w.result.as_ref().err()).unwrap_or_else(|| panic!("{stage}: a report"));
        assert!(error.contains(says), "{stage}: {error}");
        let detail = w
            .detail(&format!("{stage} failed"))
            .as_str()
            .unwrap_or_default();
        let (running, failed) = (
            w.at(&format!("{stage} running")),
            w.at(&format!("{stage} failed")),
        );
        assert!(
            !detail.is_empty() && running < failed,
            "{stage}: {:?}",
            w.events
        );
        let diagnosed = w.keys().iter().any(|k| k.starts_with("Diagnosis"));
        assert!(!diagnosed, "{stage}: {:?}", w.keys());
    };
    let all = json!({ "call": "load", "all": true });

    let env = LiveEnv::start(&moto, "basic");
    env.kube
        .write_kubeconfig(&env.kubeconfig, closed_port(), CONTEXT, None);
    let w = watch(&env, all.clone());
    failed(&w, "Kubernetes", "cannot reach the Kubernetes API server");
    assert!(
        !w.keys().contains(&"partial"),
        "no partial report without Kubernetes"
    );

    // Credentials refused: the stage fails and says why, and the report still comes (the
    // Kubernetes side judged, what AWS refused unknown; issue 15).
    let reported_anyway = |w: &Watched, stage: &str, says: &str| {
        let detail = w.detail(&format!("{stage} failed"));
        assert!(
            detail.as_str().is_some_and(|d| d.contains(says)),
            "the {stage} stage says why, not just `service error`: {detail}"
        );
        let report = w.report();
        assert!(
            report["notes"].to_string().contains(says),
            "{stage}: the report's notes say it too: {}",
            report["notes"]
        );
    };
    let env = LiveEnv::start(&moto, "basic");
    let expired = "The security token included in the request is expired";
    env.sts.fail_unknown_callers(403, "ExpiredToken", expired);
    let w = watch(&env, all.clone());
    reported_anyway(&w, "Sts", "is expired");

    let mut env = LiveEnv::start(&moto, "basic");
    let iam = env.serve_error(403, "InvalidClientTokenId", "The token is invalid.");
    env.env.push(("AWS_ENDPOINT_URL_IAM".into(), iam));
    let w = watch(&env, all);
    reported_anyway(&w, "Iam", "The token is invalid.");
    assert!(w.at("partial") < w.at("Iam failed"), "{:?}", w.keys());
}

#[test]
fn prove_workload_proves_only_the_workload_asked_for() {
    let moto = Moto::acquire_blocking();
    // basic: shop/checkout (IRSA, healthy), shop/payments (Pod Identity), shop/search (IRSA).
    let env = LiveEnv::start(&moto, "basic");
    let all = env.run(DOCTOR).json();
    let checkout = items(&all["workloads"])
        .find(|w| w["serviceAccount"] == "checkout" && w["mechanism"] == "irsa")
        .cloned()
        .unwrap_or_else(|| panic!("no IRSA workload for shop/checkout: {all}"));
    let role = checkout["roleArn"].as_str().unwrap_or_default().to_string();
    let (namespace, kind, name) = (&checkout["namespace"], &checkout["kind"], &checkout["name"]);
    let case =
        json!({ "call": "prove", "all": true, "namespace": namespace, "kind": kind, "name": name });
    let asked = workload_ids(&json!({ "workloads": [checkout] }));

    env.sts.script(&role, StsOutcome::Success);
    let w = watch(&env, case.clone());
    let report = w.report();
    assert_eq!(workload_ids(report), asked, "the workload asked for, alone");
    let proofs = report["proofs"].as_array().cloned().unwrap_or_default();
    assert_eq!(proofs.len(), 1, "{proofs:?}");
    assert_eq!(proofs[0]["result"]["outcome"], "assumed", "{proofs:?}");
    assert_eq!(proofs[0]["roleArn"], role.as_str());
    let trust = link(report, "trust");
    assert!(trust.to_string().contains("\"PROVE_OK\""), "{trust}");
    assert_eq!(
        env.sts.count("AssumeRoleWithWebIdentity"),
        1,
        "checkout's role only"
    );

    env.sts.script(&role, StsOutcome::AccessDenied);
    let w = watch(&env, case);
    let report = w.report();
    assert_eq!(workload_ids(report), asked);
    let trust = link(report, "trust");
    assert_eq!(trust["status"], "broken", "{trust}");
    assert!(
        items(&trust["findings"]).any(|f| f["code"] == "PROVE_FAILED"),
        "{trust}"
    );
    assert_eq!(report["workloads"][0]["brokenLink"], "trust");
    assert_eq!(report["proofs"][0]["result"]["outcome"], "sts-error");
}

/// The TUI's `p` on a Pod Identity workload: `prove_workload` asks EKS Auth, not STS.
#[test]
fn prove_workload_proves_a_pod_identity_workload_with_eks_auth() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "pod-identity-healthy");
    let auth = FakeEksAuth::new(&env.eks, &env.sts, moto.url(), &env.kube.issuer());
    env.env
        .push(("AWS_ENDPOINT_URL_EKS_AUTH".into(), auth.url().to_string()));
    let all = env.run(DOCTOR).json();
    let w = items(&all["workloads"])
        .find(|w| w["mechanism"] == "pod-identity")
        .cloned()
        .unwrap_or_else(|| panic!("no Pod Identity workload: {all}"));
    let case = json!({ "call": "prove", "all": true, "namespace": w["namespace"], "kind": w["kind"], "name": w["name"] });
    let watched = watch(&env, case);
    let report = watched.report();
    assert_eq!(
        workload_ids(report),
        workload_ids(&json!({ "workloads": [w] }))
    );
    let proof = &report["proofs"][0];
    assert_eq!(proof["mechanism"], "pod-identity", "{proof}");
    assert_eq!(proof["result"]["outcome"], "assumed", "{proof}");
    assert!(link(report, "trust").to_string().contains("\"PROVE_OK\""));
    assert_eq!(auth.requests().len(), 1, "EKS Auth asked once");
    assert_eq!(env.sts.count("AssumeRoleWithWebIdentity"), 0);
}

#[test]
fn the_demo_goes_through_the_bundle_stage_and_gives_doctors_report() {
    let (events, result) = load(&Source::Demo, &Selection::default());
    let report = result.unwrap_or_else(|e| panic!("demo: {e}"));
    let keys: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    let stages = [
        "Bundle running",
        "Bundle done",
        "Diagnosis running",
        "Diagnosis done",
    ];
    assert_eq!(keys, stages);
    let summary = events[1].1.as_str().unwrap_or_default();
    assert!(summary.contains(" pods, "), "{summary}");
    let doctor = app::doctor(&Source::Demo, &Selection::default())
        .unwrap_or_else(|e| panic!("doctor --demo: {e}"));
    assert!(!report.workloads.is_empty());
    assert_eq!(report, doctor);

    let missing = Source::Offline(vec!["/nonexistent/kubectl-irsa-bundle".into()]);
    let (events, result) = load(&missing, &Selection::default());
    assert!(result.is_err(), "a missing bundle is an error");
    let keys: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["Bundle running", "Bundle failed"]);
}

/// IAM calls about a role the Kubernetes lists named: none can be sent before the load has
/// Kubernetes' answers.
const ROLE_CALLS: &[&str] = &[
    "GetRole",
    "ListAttachedRolePolicies",
    "ListRolePolicies",
    "GetRolePolicy",
    "GetPolicy",
    "GetPolicyVersion",
];

fn role_calls(env: &LiveEnv) -> usize {
    ROLE_CALLS.iter().map(|a| env.iam.count(a)).sum()
}

/// A refresh supersedes a load still waiting for Kubernetes (slowed down to 300 ms an answer):
/// the TUI cancels it, and it never asks IAM about the roles it would have found. Counted after
/// the second load finished, which the first, being ahead, would have finished before; the
/// control run, with the cancellation not carried out, waits for the first load too and shows
/// its IAM calls.
#[test]
fn a_superseded_load_stops_asking() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let case = |cancel: bool| json!({ "call": "supersede", "namespace": "shop", "cancel": cancel });
    env.kube.set_latency(Duration::from_millis(300));

    env.clear_requests();
    let baseline = watch(
        &env,
        json!({ "call": "load", "all": false, "namespace": "shop" }),
    );
    assert!(baseline.result.is_ok(), "{:?}", baseline.keys());
    let one_load = role_calls(&env);
    assert!(
        one_load > 0,
        "a load asks IAM about its role: {}",
        env.request_counts()
    );

    env.clear_requests();
    let cancelled = run_child(&env, &case(true));
    assert_eq!(cancelled["cancelAsked"], true, "{cancelled}");
    assert_eq!(cancelled["firstLoaded"], false, "{cancelled}");
    assert!(cancelled["secondWorkloads"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(
        role_calls(&env),
        one_load,
        "only the second load asked IAM: {}",
        env.request_counts()
    );

    env.clear_requests();
    let control = run_child(&env, &case(false));
    assert_eq!(control["firstLoaded"], true, "{control}");
    assert_eq!(
        role_calls(&env),
        2 * one_load,
        "without the cancellation both loads ask: {}",
        env.request_counts()
    );
}
