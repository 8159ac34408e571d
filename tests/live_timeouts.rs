//! `--request-timeout` against sources that accept a connection and never answer (a wedged
//! proxy, a blackholed VPC endpoint): a loopback listener put in place of the Kubernetes API
//! server, IAM, EKS and STS in turn (and a credential plugin that never finishes). `doctor`
//! ends with exit 3 and one sentence naming the service and its endpoint; the stalled listener
//! saw each request a bounded number of times (once for Kubernetes, which does not retry a
//! timeout; at most the SDK's three attempts for AWS). Nothing here measures time: a run that
//! hangs is failed by the harness's own run timeout (`live_env::run`), and the outcome is what
//! is asserted.
//!
//! The TUI's path (update function, worker, `app::watched`) with IAM stalled: the IAM stage is
//! reported failed with the same sentence while the Kubernetes, STS and EKS stages are done,
//! the partial report from the Kubernetes facts was handed over, and the app keeps it on screen
//! with the failure. As in tests/live_watched.rs, that runs in a child process (this test
//! binary, its ignored [`timeouts_child`] test) with the fakes' environment.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubectl_irsa::app::Source;
use kubectl_irsa::app::watched::{LoadEvent, StageState};
use kubectl_irsa::sources::live::LiveOptions;
use kubectl_irsa::tui::message::{Msg, Scope};
use kubectl_irsa::tui::state::{App, Load};
use kubectl_irsa::tui::theme::Theme;
use kubectl_irsa::tui::update;
use kubectl_irsa::tui::worker::Worker;
use serde_json::{Value, json};
use support::fake_aws::Moto;
use support::live_env::{self, CONTEXT, LiveEnv, Run};

const TIMEOUT: &str = "2s";
/// The AWS SDK's standard retry strategy: at most this many attempts per operation.
const AWS_ATTEMPTS: usize = 3;
const CASE_ENV: &str = "KUBECTL_IRSA_TIMEOUTS_CASE";
const OUT_ENV: &str = "KUBECTL_IRSA_TIMEOUTS_OUT";
const CHILD_ARGS: &[&str] = &["timeouts_child", "--exact", "--ignored", "--test-threads=1"];

/// What one connection sent, filled in as it arrives.
type Received = Arc<Mutex<Vec<u8>>>;

/// A loopback listener that accepts every connection, reads what is sent, and never answers.
/// Each connection's bytes are kept, so a test can tell which requests were made how often.
struct Stalled {
    addr: SocketAddr,
    connections: Arc<Mutex<Vec<Received>>>,
    open: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Stalled {
    fn start() -> Stalled {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("its address");
        let connections: Arc<Mutex<Vec<Received>>> = Arc::default();
        let open = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (all, count, stopping) = (connections.clone(), open.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut stream) = stream else { continue };
                let bytes: Received = Arc::default();
                all.lock().unwrap().push(bytes.clone());
                count.fetch_add(1, Ordering::SeqCst);
                let count = count.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    // Until the client gives up and closes: nothing is ever written back.
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    count.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Stalled {
            addr,
            connections,
            open,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits (a bounded while) until the client closed every connection, so everything it sent
    /// has been read. The client is a finished process by then: this only lets the reading
    /// threads see the end of each stream.
    fn settle(&self) {
        for _ in 0..500 {
            if self.open.load(Ordering::SeqCst) == 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "{} connections to the stalled listener still open after the client ended",
            self.open.load(Ordering::SeqCst)
        );
    }

    /// How many times each request came: keyed by the query-protocol `Action` (IAM, STS) or
    /// by method and path (Kubernetes, EKS).
    fn attempts(&self) -> BTreeMap<String, usize> {
        self.settle();
        let mut out = BTreeMap::new();
        for bytes in self.connections.lock().unwrap().iter() {
            let text = String::from_utf8_lossy(&bytes.lock().unwrap()).into_owned();
            let key = match text.split("Action=").nth(1) {
                Some(rest) => rest.split('&').next().unwrap_or_default().to_string(),
                None => {
                    let line = text.lines().next().unwrap_or_default();
                    let mut parts = line.split(' ');
                    let method = parts.next().unwrap_or_default();
                    let path = parts.next().unwrap_or_default().split('?').next();
                    format!("{method} {}", path.unwrap_or_default())
                }
            };
            *out.entry(key).or_insert(0) += 1;
        }
        out
    }
}

impl Drop for Stalled {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees `stop`.
        let _ = TcpStream::connect(self.addr);
    }
}

/// `doctor -A -o json --request-timeout 2s`.
fn doctor(env: &LiveEnv) -> Run {
    env.run(&["doctor", "-A", "-o", "json", "--request-timeout", TIMEOUT])
}

/// Exit 3, no report, and exactly `error: SENTENCE` on stderr, without a Debug dump.
fn assert_no_answer(run: &Run, sentence: &str) {
    assert_eq!(run.code, Some(3), "{}", run.explain());
    assert!(run.stdout.trim().is_empty(), "no report: {}", run.explain());
    assert_eq!(
        run.stderr.trim_end(),
        format!("error: {sentence}"),
        "{}",
        run.explain()
    );
}

/// Every request was made, and none more often than `at_most` times.
fn assert_bounded(attempts: &BTreeMap<String, usize>, at_most: usize, what: &str) {
    assert!(
        !attempts.is_empty(),
        "{what}: the stalled listener saw nothing"
    );
    for (request, n) in attempts {
        assert!(
            *n <= at_most,
            "{what}: `{request}` was sent {n} times (at most {at_most}): {attempts:?}"
        );
    }
}

#[test]
fn a_stalled_kubernetes_api_server_ends_the_run_naming_it() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let stalled = Stalled::start();
    env.kube.write_kubeconfig(
        &env.kubeconfig,
        stalled.addr,
        CONTEXT,
        env.cluster_name().as_deref(),
    );
    let run = doctor(&env);
    assert_no_answer(
        &run,
        &format!(
            "the Kubernetes API server at {} did not answer within 2s",
            stalled.url()
        ),
    );
    let attempts = stalled.attempts();
    // kube-rs retries only 429/503/504 answers, never a request that got none.
    assert_bounded(&attempts, 1, "Kubernetes");
    assert!(
        attempts.contains_key("GET /api/v1/pods"),
        "the pod list went out: {attempts:?}"
    );
}

#[test]
fn a_stalled_iam_ends_the_run_naming_it() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "irsa-healthy");
    let stalled = Stalled::start();
    env.env.push(("AWS_ENDPOINT_URL_IAM".into(), stalled.url()));
    let run = doctor(&env);
    assert_no_answer(
        &run,
        &format!("IAM at {} did not answer within 2s", stalled.url()),
    );
    let attempts = stalled.attempts();
    assert_bounded(&attempts, AWS_ATTEMPTS, "IAM");
    assert!(
        attempts.contains_key("ListOpenIDConnectProviders"),
        "{attempts:?}"
    );
}

#[test]
fn a_stalled_eks_ends_the_run_naming_it() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "pod-identity-healthy");
    let stalled = Stalled::start();
    env.env.push(("AWS_ENDPOINT_URL_EKS".into(), stalled.url()));
    let run = doctor(&env);
    assert_no_answer(
        &run,
        &format!("EKS at {} did not answer within 2s", stalled.url()),
    );
    let attempts = stalled.attempts();
    assert_bounded(&attempts, AWS_ATTEMPTS, "EKS");
    let cluster = env.cluster_name().expect("the scenario's cluster");
    assert!(
        attempts.contains_key(&format!("GET /clusters/{cluster}")),
        "DescribeCluster went out: {attempts:?}"
    );
}

#[test]
fn a_stalled_sts_ends_the_run_naming_it() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "irsa-healthy");
    let stalled = Stalled::start();
    env.env.push(("AWS_ENDPOINT_URL_STS".into(), stalled.url()));
    let run = doctor(&env);
    assert_no_answer(
        &run,
        &format!("STS at {} did not answer within 2s", stalled.url()),
    );
    let attempts = stalled.attempts();
    assert_bounded(&attempts, AWS_ATTEMPTS, "STS");
    assert!(attempts.contains_key("GetCallerIdentity"), "{attempts:?}");
}

#[test]
fn a_credential_plugin_that_never_finishes_is_stopped_and_named() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    // The stand-in `aws eks get-token` now waits forever (`exec`: stopping it leaves nothing).
    let aws = env.home().join("bin").join("aws");
    std::fs::write(&aws, "#!/bin/sh\nexec sleep 600\n").expect("rewrite the stand-in aws");
    let run = doctor(&env);
    assert_no_answer(
        &run,
        "the kubeconfig's credential plugin `aws` did not answer within 2s and was stopped \
         (run it yourself to see what it waits for, or raise --request-timeout)",
    );
}

#[test]
fn dump_and_a_bad_timeout_follow_the_same_rules() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "irsa-healthy");
    let stalled = Stalled::start();
    env.env.push(("AWS_ENDPOINT_URL_IAM".into(), stalled.url()));
    let dir = env.home().join("bundle");
    let dump = env.run(&[
        "dump",
        "-A",
        "--request-timeout",
        TIMEOUT,
        &dir.display().to_string(),
    ]);
    assert_no_answer(
        &dump,
        &format!("IAM at {} did not answer within 2s", stalled.url()),
    );
    let bad = env.run(&["doctor", "--request-timeout", "soon"]);
    assert_eq!(bad.code, Some(2), "{}", bad.explain());
    assert!(
        bad.stderr.contains("invalid timeout `soon`"),
        "{}",
        bad.explain()
    );
}

/// An event as `(key, detail)`: `"Iam failed"` (detail: the sentence), `"partial"` (detail:
/// the number of workloads).
fn describe(event: &LoadEvent) -> (String, Value) {
    match event {
        LoadEvent::Stage(stage, StageState::Running) => (format!("{stage:?} running"), Value::Null),
        LoadEvent::Stage(stage, StageState::Done(t)) => (format!("{stage:?} done"), json!(t)),
        LoadEvent::Stage(stage, StageState::Failed(t)) => (format!("{stage:?} failed"), json!(t)),
        LoadEvent::Namespace(ns) => (format!("namespace {ns}"), Value::Null),
        LoadEvent::Partial(report) => ("partial".into(), json!(report.workloads.len())),
    }
}

/// In the child: the TUI's update function and worker load all namespaces with the case's
/// timeout, until the load has ended; writes the events, the result and what the app shows.
#[test]
#[ignore = "run by the other tests of this file in a child process, with the fakes' environment"]
fn timeouts_child() {
    let (Ok(case), Ok(out)) = (std::env::var(CASE_ENV), std::env::var(OUT_ENV)) else {
        return;
    };
    let case: Value = serde_json::from_str(&case).unwrap_or_else(|e| panic!("{CASE_ENV}: {e}"));
    let timeout = case["timeout"].as_str().unwrap_or(TIMEOUT);
    let opts = LiveOptions {
        all_namespaces: true,
        request_timeout: timeout.parse().unwrap_or_else(|e| panic!("{e}")),
        ..LiveOptions::default()
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let mut worker =
        Worker::new(Source::Live(opts), Vec::new(), tx).unwrap_or_else(|e| panic!("{e}"));
    let mut copy = |_: &str| Ok(());
    let mut app = App::new("test", true, Scope::All, Theme { color: false });
    for work in update::start(&mut app) {
        worker.run(work, &mut copy);
    }
    let mut events = Vec::new();
    let result = loop {
        let msg = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("no message from the worker: {e}"));
        let ended = match &msg {
            Msg::Load { event, .. } => {
                events.push(describe(event));
                None
            }
            Msg::Loaded { result, .. } => Some(result.clone().map(|r| r.workloads.len())),
            _ => None,
        };
        for work in update::update(&mut app, msg) {
            worker.run(work, &mut copy);
        }
        if let Some(result) = ended {
            break result;
        }
    };
    let shown = json!({
        "workloads": app.report.as_ref().map(|r| r.workloads.len()),
        "failed": match &app.load {
            Load::Failed(text) => Some(text.clone()),
            _ => None,
        },
    });
    let answer = match result {
        Ok(n) => json!({ "events": events, "ok": n, "shown": shown }),
        Err(e) => json!({ "events": events, "err": e, "shown": shown }),
    };
    std::fs::write(&out, answer.to_string()).unwrap_or_else(|e| panic!("{out}: {e}"));
}

/// Runs `case` in a child process pointed at `env`; returns what it wrote.
fn run_child(env: &LiveEnv, case: &Value) -> Value {
    let out = env.home().join("timeouts.json");
    let _ = std::fs::remove_file(&out);
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("this test binary: {e}"));
    let mut command = Command::new(exe);
    command
        .env_clear()
        .env("PATH", env.path_var())
        .envs(env.environment())
        .env(CASE_ENV, case.to_string())
        .env(OUT_ENV, &out)
        .args(CHILD_ARGS);
    let run = live_env::run(command);
    assert_eq!(run.code, Some(0), "{case}: {}", run.explain());
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("{case}: no answer ({e})\n{}", run.explain()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_tui_shows_the_stalled_source_failed_and_keeps_the_kubernetes_facts() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "irsa-healthy");
    let stalled = Stalled::start();
    env.env.push(("AWS_ENDPOINT_URL_IAM".into(), stalled.url()));
    let answer = run_child(&env, &json!({ "timeout": TIMEOUT }));
    let events: Vec<(String, Value)> =
        serde_json::from_value(answer["events"].clone()).unwrap_or_default();
    let keys: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    let at = |key: &str| {
        events
            .iter()
            .position(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no `{key}` event in {keys:?}"))
    };
    let sentence = format!("IAM at {} did not answer within 2s", stalled.url());
    assert_eq!(events[at("Iam failed")].1, json!(sentence), "{keys:?}");
    for done in ["Kubernetes done", "Sts done", "Eks done"] {
        at(done);
    }
    let partial = &events[at("partial")].1;
    assert!(
        partial.as_u64().is_some_and(|n| n > 0),
        "the Kubernetes facts were handed over: {partial}"
    );
    assert!(at("partial") < at("Iam failed"), "{keys:?}");
    assert!(
        !keys.iter().any(|k| k.starts_with("Diagnosis")),
        "no final diagnosis without IAM: {keys:?}"
    );
    assert_eq!(answer["err"], json!(sentence), "{answer}");
    assert_eq!(
        answer["shown"],
        json!({ "workloads": partial, "failed": sentence }),
        "the partial report stays on screen with the failure"
    );
    assert_bounded(&stalled.attempts(), AWS_ATTEMPTS, "IAM");
}
