//! End-to-end set-up for the `tests/live_*.rs` files: one fixture scenario served by every fake
//! at once, and the real `kubectl-irsa` binary run against them as a subprocess.
//!
//! [`LiveEnv::start`] resets moto and seeds it with the scenario's IAM facts, serves the
//! scenario's Kubernetes objects with a [`FakeKube`] on a loopback port (on a runtime the
//! environment owns, so tests stay synchronous), and starts a [`FakeEks`] with its cluster,
//! associations and add-on (creating the agent add-on there runs its DaemonSet in the fake API
//! server), a [`FakeIamFront`] before moto (acting in the cluster's account) and
//! a [`FakeSts`] whose GetCallerIdentity answers a user of that account. [`LiveEnv::command`]
//! runs the binary with a clean environment: `KUBECONFIG` (an EKS-style exec kubeconfig by
//! default), `HOME` in a temporary directory, a stand-in `aws` first on `PATH` for the exec
//! plugin, and [`aws_env`]'s static credentials, region and `AWS_ENDPOINT_URL_<SERVICE>`s.
//!
//! Reports are compared with [`comparable`] (without `source` and `notes`, which name where
//! facts came from) and [`json_diff`] (the paths that differ, for readable failures).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubectl_irsa::model::Snapshot;
use kubectl_irsa::model::arn::Arn;
use serde_json::Value;

use super::fake_aws::{FakeEks, FakeIamFront, FakeSts, Moto, Seeded, aws_env, seed_moto};
use super::fake_kube::FakeKube;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_kubectl-irsa");
/// The kubeconfig context the environments use.
pub const CONTEXT: &str = "fake-eks";
/// How long one run of the binary may take before the test fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(90);
/// What the stand-in `aws eks get-token` prints: an ExecCredential with a fake token.
const FAKE_AWS: &str = "#!/bin/sh\n\
printf '%s\\n' '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"spec\":{},\"status\":{\"token\":\"k8s-aws-v1.fake-exec-token\"}}'\n";

pub fn scenarios_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

pub fn bundle_dir(scenario: &str) -> PathBuf {
    scenarios_root().join(scenario).join("bundle")
}

/// Every scenario with a bundle, sorted.
pub fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_root())
        .unwrap_or_else(|e| panic!("tests/scenarios: {e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("bundle").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn load(scenario: &str) -> Snapshot {
    kubectl_irsa::sources::bundle::load_dirs(&[bundle_dir(scenario)])
        .unwrap_or_else(|e| panic!("scenario {scenario}: {e}"))
}

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// stdout as JSON; fails the test with both streams otherwise.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); exit {:?}\nstdout:\n{}\nstderr:\n{}",
                self.code, self.stdout, self.stderr
            )
        })
    }

    /// The report without `source` and `notes`.
    pub fn report(&self) -> Value {
        comparable(self.json())
    }

    /// [`Run::report`] of a live run as an offline run of the same facts prints it: without
    /// the `--context` of its kubectl fix commands (an offline bundle has no kubeconfig
    /// context), and without the `--region` of its regional aws commands when that came from
    /// the run's configuration rather than a described cluster. Fails the test when a kubectl
    /// command lacks the context.
    pub fn report_as_offline(&self) -> Value {
        let mut report = self.json();
        let region = report["source"]["region"].as_str().map(str::to_string);
        let region_from_source = report["cluster"].is_null();
        for w in report["workloads"].as_array_mut().into_iter().flatten() {
            for l in w["links"].as_array_mut().into_iter().flatten() {
                for f in l["findings"].as_array_mut().into_iter().flatten() {
                    let Some(argvs) = f["fix"]["argv"].as_array().cloned() else {
                        continue;
                    };
                    let mut lines = Vec::new();
                    let mut plain = Vec::new();
                    for argv in argvs {
                        let mut argv: Vec<String> = serde_json::from_value(argv).unwrap();
                        if argv[0] == "kubectl" {
                            assert_eq!(
                                argv[1..3],
                                ["--context", CONTEXT],
                                "a live kubectl command without its context: {argv:?}"
                            );
                            argv.drain(1..3);
                        }
                        let regional = matches!(
                            (argv[0].as_str(), argv.get(1).map(String::as_str)),
                            ("aws", Some("eks" | "sts")) | ("eksctl", _)
                        );
                        let n = argv.len();
                        if regional
                            && region_from_source
                            && n >= 2
                            && argv[n - 2] == "--region"
                            && Some(&argv[n - 1]) == region.as_ref()
                        {
                            argv.truncate(n - 2);
                        }
                        lines.push(Value::from(
                            kubectl_irsa::model::CommandLine::new(argv.clone()).render(),
                        ));
                        plain.push(Value::from(argv));
                    }
                    f["fix"]["commands"] = Value::Array(lines);
                    f["fix"]["argv"] = Value::Array(plain);
                }
            }
        }
        comparable(report)
    }

    /// The notes' messages.
    pub fn notes(&self) -> Vec<String> {
        self.json()["notes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| n["message"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Both streams, for failure messages.
    pub fn explain(&self) -> String {
        format!(
            "exit {:?} after {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

/// Runs `command` to completion, failing the test if it takes longer than [`RUN_TIMEOUT`].
pub fn run(mut command: Command) -> Run {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let file = |p: &Path| std::fs::File::create(p).unwrap_or_else(|e| panic!("{e}"));
    command
        .stdin(Stdio::null())
        .stdout(file(&out_path))
        .stderr(file(&err_path));
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > RUN_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{command:?} did not finish in {RUN_TIMEOUT:?}; stderr so far:\n{}",
                    std::fs::read_to_string(&err_path).unwrap_or_default()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for {command:?}: {e}"),
        }
    };
    Run {
        code: status.code(),
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
        elapsed: started.elapsed(),
    }
}

/// The binary with an empty environment but `PATH` and `HOME` (a temporary directory).
pub fn bare_command(home: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

/// `kubectl-irsa ARGS... --offline BUNDLE`, outside any cluster or account.
pub fn offline(bundle: &Path, args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let mut command = bare_command(home.path());
    command.args(args).arg("--offline").arg(bundle);
    run(command)
}

/// A report without the fields that say where its facts came from.
pub fn comparable(mut report: Value) -> Value {
    if let Some(obj) = report.as_object_mut() {
        obj.remove("source");
        obj.remove("notes");
    }
    report
}

/// Where two JSON values differ: `path: left != right`, at most `limit` lines.
pub fn json_diff(left: &Value, right: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    diff_into("$", left, right, &mut out, limit);
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        format!("{}…", &s[..s.floor_char_boundary(300)])
    } else {
        s
    }
}

fn diff_into(path: &str, a: &Value, b: &Value, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                diff_into(&format!("{path}.{k}"), va, vb, out, limit);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff_into(&format!("{path}[{i}]"), va, vb, out, limit);
            }
        }
        _ => out.push(format!("{path}: {} != {}", short(a), short(b))),
    }
}

/// Which kubeconfig the binary gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KubeconfigKind {
    /// As `aws eks update-kubeconfig` writes it: the user runs `aws eks get-token
    /// --cluster-name NAME` (answered by a stand-in `aws` on `PATH`).
    EksExec,
    /// A static bearer token: nothing in it names the EKS cluster.
    StaticToken,
}

/// A scenario served by every fake, for running the binary against it.
pub struct LiveEnv {
    pub scenario: String,
    pub bundle: PathBuf,
    pub snapshot: Snapshot,
    pub seeded: Seeded,
    pub kube: FakeKube,
    pub kube_addr: SocketAddr,
    pub eks: FakeEks,
    pub iam: FakeIamFront,
    pub sts: FakeSts,
    /// The cluster's region (`AWS_REGION`) and account (the caller's, as STS says).
    pub region: String,
    pub account: String,
    pub partition: String,
    /// HOME, the stand-in `aws` and the kubeconfig live here.
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    /// Extra environment for the binary (set after [`aws_env`], so it wins).
    pub env: Vec<(String, String)>,
    /// Serves the FakeKube; dropped last.
    runtime: tokio::runtime::Runtime,
}

impl LiveEnv {
    /// Resets moto, seeds it with `scenario`'s bundle and serves it all, with an exec kubeconfig.
    pub fn start(moto: &Moto, scenario: &str) -> LiveEnv {
        LiveEnv::start_with(moto, scenario, load(scenario))
    }

    /// As [`LiveEnv::start`], from a snapshot the test may have changed.
    pub fn start_with(moto: &Moto, scenario: &str, snapshot: Snapshot) -> LiveEnv {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a runtime for the fake API server: {e}"));
        let bundle = bundle_dir(scenario);
        let seeded = runtime.block_on(async {
            moto.reset().await;
            seed_moto(moto.url(), &snapshot)
                .await
                .unwrap_or_else(|e| panic!("{scenario}: seeding moto: {e}"))
        });
        let kube = FakeKube::from_bundles(std::slice::from_ref(&bundle));
        let kube_addr = runtime.block_on(kube.serve());
        let cluster_arn = snapshot
            .aws
            .cluster
            .known()
            .and_then(|c| Arn::parse(&c.arn));
        let region = kube.region();
        let (partition, account) = match &cluster_arn {
            Some(a) => (a.partition.clone(), a.account.clone()),
            None => (
                kubectl_irsa::model::arn::partition_of_region(&region).to_string(),
                fallback_account(&snapshot),
            ),
        };
        let eks = FakeEks::from_snapshot(&snapshot);
        // The webhook at pod creation asks EKS whether an association exists, as on EKS.
        if let Some(cluster) = kube.cluster_name() {
            let view = eks.view();
            kube.set_associations(move |ns, sa| view.association(&cluster, ns, sa).is_some());
        }
        // Installing the Pod Identity agent add-on in EKS runs its DaemonSet in the cluster.
        let agent_kube = kube.clone();
        eks.on_addon_change(move |_, addon, installed| {
            if addon == "eks-pod-identity-agent" {
                agent_kube.set_agent_installed(installed);
            }
        });
        let iam = FakeIamFront::new(moto.url());
        iam.set_account(Some(&account));
        let sts = FakeSts::new();
        sts.set_default_caller(&format!(
            "arn:{partition}:iam::{account}:user/kubectl-irsa-test"
        ));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
        write_executable(&bin.join("aws"), FAKE_AWS);
        let kubeconfig = dir.path().join("kubeconfig");
        let env = LiveEnv {
            scenario: scenario.to_string(),
            bundle,
            snapshot,
            seeded,
            kube,
            kube_addr,
            eks,
            iam,
            sts,
            region,
            account,
            partition,
            dir,
            kubeconfig,
            env: Vec::new(),
            runtime,
        };
        env.write_kubeconfig(KubeconfigKind::EksExec);
        env
    }

    /// The EKS cluster's name, when the bundle has one.
    pub fn cluster_name(&self) -> Option<String> {
        self.kube.cluster_name()
    }

    /// Rewrites the kubeconfig (context [`CONTEXT`], pointing at the FakeKube).
    pub fn write_kubeconfig(&self, kind: KubeconfigKind) {
        let exec = match kind {
            KubeconfigKind::EksExec => self.cluster_name(),
            KubeconfigKind::StaticToken => None,
        };
        self.kube
            .write_kubeconfig(&self.kubeconfig, self.kube_addr, CONTEXT, exec.as_deref());
    }

    /// `http://127.0.0.1:PORT`, the API server URL in the kubeconfig.
    pub fn kube_url(&self) -> String {
        format!("http://{}", self.kube_addr)
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// `PATH` for the binary: the stand-in `aws` first.
    pub fn path_var(&self) -> std::ffi::OsString {
        let mut paths = vec![self.dir.path().join("bin")];
        if let Some(p) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&p));
        }
        std::env::join_paths(paths).unwrap_or_else(|e| panic!("PATH: {e}"))
    }

    /// The environment the binary runs with (besides `PATH`).
    pub fn environment(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("HOME".to_string(), self.home().display().to_string()),
            (
                "KUBECONFIG".to_string(),
                self.kubeconfig.display().to_string(),
            ),
        ];
        env.extend(aws_env(
            &self.region,
            &[
                ("iam", self.iam.url()),
                ("eks", self.eks.url()),
                ("sts", self.sts.url()),
            ],
        ));
        env.extend(self.env.iter().cloned());
        env
    }

    /// The binary with a clean environment pointing at the fakes, no arguments yet.
    pub fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command.env_clear().env("PATH", self.path_var());
        for (k, v) in self.environment() {
            command.env(k, v);
        }
        command
    }

    /// Runs the binary live with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = self.command();
        command.args(args);
        run(command)
    }

    /// Runs the binary on the scenario's bundle with `args` and `--offline`.
    pub fn offline(&self, args: &[&str]) -> Run {
        offline(&self.bundle, args)
    }

    /// An endpoint on loopback answering every request with this query-protocol (IAM, STS)
    /// error document, e.g. `403 InvalidClientTokenId`; returns its URL.
    pub fn serve_error(&self, status: u16, code: &str, message: &str) -> String {
        let body = format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <Error>\n    \
             <Type>Sender</Type>\n    <Code>{code}</Code>\n    <Message>{message}</Message>\n  \
             </Error>\n  <RequestId>6b756265-0000-4000-8000-000000000001</RequestId>\n\
             </ErrorResponse>\n"
        );
        let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::FORBIDDEN);
        let router = axum::Router::new().fallback(move || {
            let body = body.clone();
            async move { (status, [("content-type", "text/xml")], body) }
        });
        self.runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .unwrap_or_else(|e| panic!("bind a loopback port: {e}"));
            let addr = listener
                .local_addr()
                .unwrap_or_else(|e| panic!("local address: {e}"));
            tokio::spawn(async move {
                let _ = axum::serve(listener, router).await;
            });
            format!("http://{addr}")
        })
    }

    /// Forgets what every fake recorded so far.
    pub fn clear_requests(&self) {
        self.kube.clear_requests();
        self.eks.clear_requests();
        self.iam.clear_requests();
        self.sts.clear_requests();
    }

    /// Requests per API, for the test log.
    pub fn request_counts(&self) -> String {
        let kube = self.kube.requests();
        let lists = kube.iter().filter(|r| r.method == "GET").count();
        format!(
            "kube: {} requests ({lists} GET); eks: {:?}; iam: {:?}; sts: {} requests",
            kube.len(),
            self.eks.counts(),
            self.iam.counts(),
            self.sts.requests().len()
        )
    }
}

/// The account of a bundle without an EKS cluster: its first role's or provider's.
fn fallback_account(snapshot: &Snapshot) -> String {
    let iam = &snapshot.aws.iam;
    iam.roles
        .keys()
        .chain(iam.oidc_providers.keys())
        .find_map(|arn| Arn::parse(arn).map(|a| a.account))
        .unwrap_or_else(|| "123456789012".to_string())
}

fn write_executable(path: &Path, contents: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// An address on loopback where nothing listens (an unreachable API server).
pub fn closed_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("bind a loopback port: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local address: {e}"))
}
