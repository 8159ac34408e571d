//! The live benchmark's set-up: one synthetic cluster served by every test fake (the fake
//! Kubernetes API, moto behind the IAM front, the fake EKS and STS), kubeconfigs with a static
//! token or an exec credential plugin, and one run of the real binary against them with what
//! the fakes saw.
//!
//! Every request is timestamped on arrival and on answer: the fake Kubernetes API through a
//! layer of its router, the AWS fakes through a loopback proxy in front of each (their own logs
//! stamp a request when it is answered, after the injected latency). Together they give the
//! sequential round trips of a run ([`Measured::waves`]: a request can only have waited for
//! answers that came back before it was sent) and the servers' own time beyond the injected
//! latency (moto's, for IAM, which a real service spends in parallel but moto mostly one
//! request at a time).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::support::fake_aws::sts::FakeSts;
use crate::support::fake_aws::{FakeEks, FakeIamFront, Moto, aws_env, http, seed_moto};
use crate::support::fake_kube::FakeKube;
use crate::synthetic::{ACCT, Size, generate};

/// The EKS cluster of the synthetic bundles.
pub const CLUSTER: &str = "bench";
const REGION: &str = "us-west-2";

/// One request: when it arrived, when it was answered, and what it was.
#[derive(Debug, Clone)]
struct Stamp {
    arrived: Instant,
    answered: Instant,
    what: String,
}

type Stamps = Arc<Mutex<Vec<Stamp>>>;

fn push(stamps: &Stamps, stamp: Stamp) {
    if let Ok(mut s) = stamps.lock() {
        s.push(stamp);
    }
}

/// Which credentials the kubeconfig gives kube-rs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// A static bearer token.
    Token,
    /// An exec plugin (`aws eks get-token` as `aws eks update-kubeconfig` writes it) answered by
    /// a script that sleeps this long, then prints an ExecCredential.
    ExecScript(Duration),
    /// The same exec user answered by the real AWS CLI found on `PATH`.
    ExecAwsCli,
}

/// What one run cost and what the fakes saw.
pub struct Measured {
    pub wall: Duration,
    pub output: Output,
    pub kube_requests: usize,
    pub iam: BTreeMap<String, usize>,
    pub eks: BTreeMap<String, usize>,
    pub sts: usize,
    /// From the first request any fake received to the last one.
    pub span: Duration,
    /// Every request the fakes received: when it arrived and when it was answered (after the
    /// first arrival), and what it was, in arrival order.
    pub timeline: Vec<(Duration, Duration, String)>,
    /// IAM's own time beyond the injected latency, summed over its requests (moto's work,
    /// mostly one request at a time).
    pub iam_server: Duration,
    /// How many times the exec plugin script ran (not counted for the real AWS CLI).
    pub exec_runs: usize,
}

impl Measured {
    /// The requests in waves by cause: a request is in the wave after the deepest one whose
    /// answer had come back when it was sent (the first requests, sent before any answer, are
    /// wave 1). The number of waves is the number of sequential round trips, however long each
    /// server took to answer; something that is no request (the exec credential plugin) shows
    /// only as the answers that came back while it ran.
    pub fn waves(&self) -> Vec<(Duration, BTreeMap<String, usize>)> {
        let mut depth: Vec<usize> = Vec::with_capacity(self.timeline.len());
        for (arrived, _, _) in &self.timeline {
            let before = self
                .timeline
                .iter()
                .zip(&depth)
                .filter(|((_, answered, _), _)| answered <= arrived)
                .map(|(_, d)| *d)
                .max()
                .unwrap_or(0);
            depth.push(before + 1);
        }
        let mut waves: BTreeMap<usize, (Duration, BTreeMap<String, usize>)> = BTreeMap::new();
        for ((arrived, _, what), d) in self.timeline.iter().zip(depth) {
            let wave = waves.entry(d).or_insert((*arrived, BTreeMap::new()));
            *wave.1.entry(what.clone()).or_insert(0) += 1;
        }
        waves.into_values().collect()
    }

    /// [`Measured::waves`] as lines: `wave 2 (from +51 ms): IAM GetRole x5, ...`.
    pub fn wave_lines(&self) -> Vec<String> {
        self.waves()
            .into_iter()
            .enumerate()
            .map(|(i, (at, ops))| {
                let ops: Vec<String> = ops
                    .into_iter()
                    .map(|(op, n)| if n > 1 { format!("{op} x{n}") } else { op })
                    .collect();
                format!(
                    "wave {} (from +{} ms): {}",
                    i + 1,
                    at.as_millis(),
                    ops.join(", ")
                )
            })
            .collect()
    }
}

/// A synthetic cluster served by every fake.
pub struct Cluster {
    pub snapshot: kubectl_irsa::model::Snapshot,
    kube: FakeKube,
    stamps: Stamps,
    /// The proxies in front of the AWS fakes.
    iam_url: String,
    eks_url: String,
    sts_url: String,
    /// The latency the AWS fakes inject, to tell it from their own time.
    aws_latency: Mutex<Duration>,
    eks: FakeEks,
    iam: FakeIamFront,
    sts: FakeSts,
    dir: tempfile::TempDir,
    token_kubeconfig: PathBuf,
    exec_kubeconfig: PathBuf,
    _moto: Moto,
}

async fn stamp(State(stamps): State<Stamps>, request: Request, next: Next) -> Response {
    let arrived = Instant::now();
    let what = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    push(
        &stamps,
        Stamp {
            arrived,
            answered: Instant::now(),
            what,
        },
    );
    response
}

/// A loopback proxy in front of one AWS fake: stamps each request and forwards it unchanged.
#[derive(Clone)]
struct Proxy {
    service: &'static str,
    target: String,
    stamps: Stamps,
}

/// The operation of an AWS request: the query protocols' `Action`, or EKS's REST route.
fn operation(service: &str, method: &str, path: &str, body: &[u8]) -> String {
    let form = String::from_utf8_lossy(body);
    if let Some(action) = form.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        return format!("{service} {action}");
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let op = match (method, parts.as_slice()) {
        ("GET", ["clusters"]) => "ListClusters",
        ("GET", ["clusters", _]) => "DescribeCluster",
        ("GET", ["clusters", _, "pod-identity-associations"]) => "ListPodIdentityAssociations",
        ("GET", ["clusters", _, "pod-identity-associations", _]) => {
            "DescribePodIdentityAssociation"
        }
        ("GET", ["clusters", _, "addons", _]) => "DescribeAddon",
        _ => return format!("{service} {method} {path}"),
    };
    format!("{service} {op}")
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let arrived = Instant::now();
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let answer = http::request(
        &proxy.target,
        parts.method.as_str(),
        path,
        &headers,
        &body,
        Duration::from_secs(60),
    )
    .await;
    push(
        &proxy.stamps,
        Stamp {
            arrived,
            answered: Instant::now(),
            what: operation(
                proxy.service,
                parts.method.as_str(),
                parts.uri.path(),
                &body,
            ),
        },
    );
    let mut response = Response::builder();
    let raw = match answer {
        Ok(raw) => raw,
        Err(e) => {
            return Response::builder()
                .status(502)
                .body(axum::body::Body::from(e))
                .unwrap_or_default();
        }
    };
    response = response.status(raw.status);
    for (k, v) in &raw.headers {
        if !matches!(
            k.to_ascii_lowercase().as_str(),
            "content-length" | "transfer-encoding" | "connection" | "keep-alive"
        ) {
            response = response.header(k, v);
        }
    }
    response
        .body(axum::body::Body::from(raw.body))
        .unwrap_or_default()
}

/// Serves a proxy to `target` on a loopback port; returns its URL.
async fn serve_proxy(service: &'static str, target: &str, stamps: Stamps) -> String {
    let proxy = Proxy {
        service,
        target: target.to_string(),
        stamps,
    };
    let router = axum::Router::new().fallback(forward).with_state(proxy);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

async fn serve_stamped(kube: &FakeKube, stamps: Stamps) -> SocketAddr {
    let router = kube
        .router()
        .layer(axum::middleware::from_fn_with_state(stamps, stamp));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

impl Cluster {
    pub fn start(rt: &tokio::runtime::Runtime, size: &Size) -> Cluster {
        let dir = tempfile::tempdir().expect("tempdir");
        let bundle_dir = dir.path().join("bundle");
        std::fs::create_dir_all(&bundle_dir).expect("bundle dir");
        generate(&bundle_dir, size);
        let bundle = vec![bundle_dir];
        let snapshot = kubectl_irsa::sources::bundle::load_dirs(&bundle).expect("synthetic bundle");
        let moto = Moto::acquire_blocking();
        rt.block_on(seed_moto(moto.url(), &snapshot))
            .expect("seed moto");
        let kube = FakeKube::from_bundles(&bundle);
        let stamps = Stamps::default();
        let addr = rt.block_on(serve_stamped(&kube, stamps.clone()));
        let token_kubeconfig = dir.path().join("kubeconfig-token");
        kube.write_kubeconfig(&token_kubeconfig, addr, CLUSTER, None);
        let exec_kubeconfig = dir.path().join("kubeconfig-exec");
        kube.write_kubeconfig(&exec_kubeconfig, addr, CLUSTER, Some(CLUSTER));
        let eks = FakeEks::from_snapshot(&snapshot);
        let iam = FakeIamFront::new(moto.url());
        iam.set_account(Some(ACCT));
        let sts = FakeSts::new();
        sts.set_default_caller(&format!("arn:aws:iam::{ACCT}:user/bench"));
        let (iam_url, eks_url, sts_url) = rt.block_on(async {
            (
                serve_proxy("IAM", iam.url(), stamps.clone()).await,
                serve_proxy("EKS", eks.url(), stamps.clone()).await,
                serve_proxy("STS", sts.url(), stamps.clone()).await,
            )
        });
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        Cluster {
            snapshot,
            kube,
            stamps,
            iam_url,
            eks_url,
            sts_url,
            aws_latency: Mutex::new(Duration::ZERO),
            eks,
            iam,
            sts,
            dir,
            token_kubeconfig,
            exec_kubeconfig,
            _moto: moto,
        }
    }

    /// Every request to Kubernetes answered after `kube`, to IAM, EKS and STS after `aws`.
    pub fn set_latency(&self, kube: Duration, aws: Duration) {
        self.kube.set_latency(kube);
        self.eks.set_latency(aws);
        self.iam.set_latency(aws);
        self.sts.set_latency(aws);
        if let Ok(mut l) = self.aws_latency.lock() {
            *l = aws;
        }
    }

    fn clear(&self) {
        self.kube.clear_requests();
        self.eks.clear_requests();
        self.iam.clear_requests();
        self.sts.clear_requests();
        if let Ok(mut s) = self.stamps.lock() {
            s.clear();
        }
        let _ = std::fs::remove_file(self.exec_log());
    }

    fn exec_log(&self) -> PathBuf {
        self.dir.path().join("exec-runs")
    }

    /// A directory holding a stand-in `aws` that sleeps `sleep`, logs its run and prints an
    /// ExecCredential.
    fn exec_script(&self, sleep: Duration) -> PathBuf {
        let bin = self.dir.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        let script = format!(
            "#!/bin/sh\necho run >> '{}'\nsleep {:.3}\nprintf '%s\\n' '{{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"spec\":{{}},\"status\":{{\"token\":\"bench-exec-token\"}}}}'\n",
            self.exec_log().display(),
            sleep.as_secs_f64()
        );
        let path = bin.join("aws");
        std::fs::write(&path, script).expect("write the exec plugin script");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("make the script executable");
        bin
    }

    /// The binary with `args`, a clean environment pointing at the fakes and `credentials`.
    pub fn command(&self, bin: &str, credentials: Credentials, args: &[&str]) -> Command {
        let system_path = std::env::var_os("PATH").unwrap_or_default();
        let (kubeconfig, path) = match credentials {
            Credentials::Token => (&self.token_kubeconfig, system_path),
            Credentials::ExecAwsCli => (&self.exec_kubeconfig, system_path),
            Credentials::ExecScript(sleep) => {
                let mut dirs = vec![self.exec_script(sleep)];
                dirs.extend(std::env::split_paths(&system_path));
                let joined: OsString = std::env::join_paths(dirs).expect("PATH");
                (&self.exec_kubeconfig, joined)
            }
        };
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .env_clear()
            .env("PATH", path)
            .env("KUBECONFIG", kubeconfig)
            .env("HOME", self.dir.path().join("home"))
            .envs(aws_env(
                REGION,
                &[
                    ("iam", &self.iam_url),
                    ("eks", &self.eks_url),
                    ("sts", &self.sts_url),
                ],
            ));
        cmd
    }

    /// Runs `cmd` once from clean request logs.
    pub fn measure(&self, mut cmd: Command) -> Measured {
        self.clear();
        let start = Instant::now();
        let output = cmd.output().expect("run kubectl-irsa");
        let wall = start.elapsed();
        let mut stamps = self.stamps.lock().map(|s| s.clone()).unwrap_or_default();
        stamps.sort_by_key(|s| s.arrived);
        let latency = self.aws_latency.lock().map(|l| *l).unwrap_or_default();
        let iam_server = stamps
            .iter()
            .filter(|s| s.what.starts_with("IAM "))
            .map(|s| s.answered.duration_since(s.arrived).saturating_sub(latency))
            .sum();
        let (span, timeline) = match (stamps.first(), stamps.last()) {
            (Some(first), Some(last)) => (
                last.arrived.duration_since(first.arrived),
                stamps
                    .iter()
                    .map(|s| {
                        (
                            s.arrived.duration_since(first.arrived),
                            s.answered.duration_since(first.arrived),
                            s.what.clone(),
                        )
                    })
                    .collect(),
            ),
            _ => (Duration::ZERO, Vec::new()),
        };
        let exec_runs = std::fs::read_to_string(self.exec_log())
            .map(|s| s.lines().count())
            .unwrap_or(0);
        Measured {
            wall,
            output,
            kube_requests: self.kube.requests().len(),
            iam: self.iam.counts(),
            eks: self.eks.counts(),
            sts: self.sts.requests().len(),
            span,
            timeline,
            iam_server,
            exec_runs,
        }
    }
}

/// Whether `program` is on `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

impl Cluster {
    /// How long the exec credential plugin of `credentials` takes alone, with the same
    /// environment and arguments kube-rs gives it.
    pub fn plugin_alone(&self, credentials: Credentials) -> Duration {
        let probe = self.command("aws", credentials, &EXEC_ARGS);
        let mut cmd = Command::new("aws");
        cmd.args(EXEC_ARGS).env_clear();
        for (k, v) in probe.get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        let start = Instant::now();
        let _ = cmd.output();
        start.elapsed()
    }
}

/// The exec user's arguments, as the fake's exec kubeconfig writes them.
const EXEC_ARGS: [&str; 8] = [
    "--region",
    REGION,
    "eks",
    "get-token",
    "--cluster-name",
    CLUSTER,
    "--output",
    "json",
];
