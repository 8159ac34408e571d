//! The live benchmark's set-up: one synthetic cluster served by every test fake (the fake
//! Kubernetes API behind a layer that timestamps each request's arrival, moto behind the IAM
//! front, the fake EKS and STS), kubeconfigs with a static token or an exec credential plugin,
//! and one run of the real binary against them with what the fakes saw.
//!
//! The timestamps give the sequential round trips of a run: requests of one wave go out
//! together, so with every fake at the same latency L the last request of the run arrives
//! `(rounds - 1) * L` after the first one.

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
use crate::support::fake_aws::{FakeEks, FakeIamFront, Moto, aws_env, seed_moto};
use crate::support::fake_kube::FakeKube;
use crate::synthetic::{ACCT, Size, generate};

/// The EKS cluster of the synthetic bundles.
pub const CLUSTER: &str = "bench";
const REGION: &str = "us-west-2";

type Stamps = Arc<Mutex<Vec<(Instant, String)>>>;

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
    /// Every request the Kubernetes, IAM and EKS fakes received: when (after the first) and
    /// what, in arrival order.
    pub timeline: Vec<(Duration, String)>,
    /// How many times the exec plugin script ran (not counted for the real AWS CLI).
    pub exec_runs: usize,
}

impl Measured {
    /// Sequential round trips at `latency` per request, from the arrival times.
    pub fn rounds(&self, latency: Duration) -> usize {
        (self.span.as_secs_f64() / latency.as_secs_f64()).round() as usize + 1
    }

    /// The requests grouped by the round trip they went out in (arrival after the first
    /// request, in units of `latency`): `round 2 (+51 ms): IAM GetRole x5, ...`.
    pub fn waves(&self, latency: Duration) -> Vec<String> {
        let mut waves: BTreeMap<usize, (Duration, BTreeMap<String, usize>)> = BTreeMap::new();
        for (at, what) in &self.timeline {
            let round = (at.as_secs_f64() / latency.as_secs_f64()).round() as usize + 1;
            let wave = waves.entry(round).or_insert((*at, BTreeMap::new()));
            *wave.1.entry(what.clone()).or_insert(0) += 1;
        }
        waves
            .into_iter()
            .map(|(round, (at, ops))| {
                let ops: Vec<String> = ops
                    .into_iter()
                    .map(|(op, n)| if n > 1 { format!("{op} x{n}") } else { op })
                    .collect();
                format!("round {round} (+{} ms): {}", at.as_millis(), ops.join(", "))
            })
            .collect()
    }
}

/// A synthetic cluster served by every fake.
pub struct Cluster {
    pub snapshot: kubectl_irsa::model::Snapshot,
    kube: FakeKube,
    kube_stamps: Stamps,
    eks: FakeEks,
    iam: FakeIamFront,
    sts: FakeSts,
    dir: tempfile::TempDir,
    token_kubeconfig: PathBuf,
    exec_kubeconfig: PathBuf,
    _moto: Moto,
}

async fn stamp(State(stamps): State<Stamps>, request: Request, next: Next) -> Response {
    if let Ok(mut s) = stamps.lock() {
        s.push((Instant::now(), format!("GET {}", request.uri().path())));
    }
    next.run(request).await
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
        let kube_stamps = Stamps::default();
        let addr = rt.block_on(serve_stamped(&kube, kube_stamps.clone()));
        let token_kubeconfig = dir.path().join("kubeconfig-token");
        kube.write_kubeconfig(&token_kubeconfig, addr, CLUSTER, None);
        let exec_kubeconfig = dir.path().join("kubeconfig-exec");
        kube.write_kubeconfig(&exec_kubeconfig, addr, CLUSTER, Some(CLUSTER));
        let eks = FakeEks::from_snapshot(&snapshot);
        let iam = FakeIamFront::new(moto.url());
        iam.set_account(Some(ACCT));
        let sts = FakeSts::new();
        sts.set_default_caller(&format!("arn:aws:iam::{ACCT}:user/bench"));
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        Cluster {
            snapshot,
            kube,
            kube_stamps,
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
    }

    fn clear(&self) {
        self.kube.clear_requests();
        self.eks.clear_requests();
        self.iam.clear_requests();
        self.sts.clear_requests();
        if let Ok(mut s) = self.kube_stamps.lock() {
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
                    ("iam", self.iam.url()),
                    ("eks", self.eks.url()),
                    ("sts", self.sts.url()),
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
        let iam = self.iam.requests();
        let eks = self.eks.requests();
        let stamps = self
            .kube_stamps
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        let mut arrivals: Vec<(Instant, String)> = stamps
            .into_iter()
            .chain(
                iam.iter()
                    .map(|r| (r.received, format!("IAM {}", r.operation))),
            )
            .chain(
                eks.iter()
                    .map(|r| (r.received, format!("EKS {}", r.operation))),
            )
            .collect();
        arrivals.sort_by_key(|(t, _)| *t);
        let (span, timeline) = match (arrivals.first(), arrivals.last()) {
            (Some((first, _)), Some((last, _))) => (
                last.duration_since(*first),
                arrivals
                    .iter()
                    .map(|(t, what)| (t.duration_since(*first), what.clone()))
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
