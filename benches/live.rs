//! Benchmark of a live `doctor -A` against the test fakes with injected latency: synthetic
//! clusters of 100, 1,000 and 10,000 pods (50 to 2,000 service accounts, 20 to 500 roles)
//! served by the fake Kubernetes API (20 ms a request), moto behind the IAM front (50 ms, a
//! typical laptop-to-IAM latency), the fake EKS (50 ms) and the fake STS (50 ms). It prints wall
//! time, requests per API and peak memory next to the lower bound (the dependency chain's
//! sequential round trips) and next to the per-workload `aws`/`kubectl` command sequence the
//! seed guides have users run. It prints figures; it asserts nothing about time.
//!
//! Run: `./scripts/moto.sh install && cargo bench --bench live` (moto self-starts).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use kubectl_irsa::sources::bundle::load_dirs;

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;
#[path = "support/synthetic.rs"]
mod synthetic;

use support::fake_aws::sts::FakeSts;
use support::fake_aws::{FakeEks, FakeIamFront, Moto, aws_env, seed_moto};
use support::fake_kube::FakeKube;
use synthetic::{ACCT, Size, generate};

const KUBE_LATENCY: Duration = Duration::from_millis(20);
const AWS_LATENCY: Duration = Duration::from_millis(50);
/// What one `aws ...` or `kubectl ...` invocation costs beyond its request: process start and
/// credential resolution (measured for the AWS CLI v2 on typical laptops at 0.3-0.6 s).
const CLI_START: f64 = 0.4;
/// Commands per workload in the seed guides' manual checks: kubectl get sa, kubectl get pod,
/// aws eks describe-cluster, aws iam list-open-id-connect-providers, aws iam get-role,
/// aws iam list-attached-role-policies, aws iam get-policy, aws iam get-policy-version.
const COMMANDS_PER_WORKLOAD: usize = 8;

const SIZES: &[Size] = &[
    Size {
        pods: 100,
        service_accounts: 50,
        roles: 20,
    },
    Size {
        pods: 1_000,
        service_accounts: 200,
        roles: 50,
    },
    Size {
        pods: 10_000,
        service_accounts: 2_000,
        roles: 500,
    },
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kubectl-irsa");
    println!(
        "kubectl-irsa live benchmark: doctor -A against fakes (Kubernetes 20 ms, IAM/EKS/STS 50 ms per request)"
    );
    println!(
        "| pods | SAs | roles | wall s | lower bound s | peak MiB | kube reqs | IAM reqs | EKS reqs | STS reqs | manual commands | manual estimate s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    for size in SIZES {
        let dir = tempfile::tempdir().expect("tempdir");
        generate(dir.path(), size);
        let bundle = vec![dir.path().to_path_buf()];
        let snap = load_dirs(&bundle).expect("synthetic bundle loads");
        let moto = Moto::acquire_blocking();
        rt.block_on(seed_moto(moto.url(), &snap))
            .expect("seed moto");
        let kube = FakeKube::from_bundles(&bundle);
        let addr = rt.block_on(kube.serve());
        let kubeconfig: PathBuf = dir.path().join("kubeconfig");
        kube.write_kubeconfig(&kubeconfig, addr, "bench", Some("bench"));
        kube.set_latency(KUBE_LATENCY);
        let eks = FakeEks::from_snapshot(&snap);
        eks.set_latency(AWS_LATENCY);
        let iam = FakeIamFront::new(moto.url());
        iam.set_account(Some(ACCT));
        iam.set_latency(AWS_LATENCY);
        let sts = FakeSts::new();
        sts.set_default_caller(&format!("arn:aws:iam::{ACCT}:user/bench"));
        let home = tempfile::tempdir().expect("home");
        let mut cmd = Command::new("/usr/bin/time");
        cmd.args(["-f", "%M", bin, "doctor", "-A", "-o", "json"])
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", home.path())
            .envs(aws_env(
                "us-west-2",
                &[("iam", iam.url()), ("eks", eks.url()), ("sts", sts.url())],
            ));
        let start = Instant::now();
        let out = cmd.output().expect("run doctor under /usr/bin/time");
        let wall = start.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let peak_kib: f64 = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0.0);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let workloads = report["workloads"].as_array().map(Vec::len).unwrap_or(0);
        let iam_counts = iam.counts();
        let iam_reqs: usize = iam_counts.values().sum();
        let eks_reqs: usize = eks.counts().values().sum();
        // Sequential round trips: kube lists || STS, EKS describe-cluster || list associations,
        // describe associations (8 in flight), IAM authorization-details pages, provider list,
        // provider get.
        let assoc = snap.aws.associations.known().map(Vec::len).unwrap_or(0);
        let gaad_pages = iam_counts
            .get("GetAccountAuthorizationDetails")
            .copied()
            .unwrap_or(1);
        let lower = KUBE_LATENCY.as_secs_f64().max(AWS_LATENCY.as_secs_f64())
            + AWS_LATENCY.as_secs_f64()
                * (1.0 + assoc.div_ceil(8) as f64 + gaad_pages as f64 + 2.0);
        let manual = workloads * COMMANDS_PER_WORKLOAD;
        let manual_s = manual as f64 * (CLI_START + AWS_LATENCY.as_secs_f64());
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.0} | {} | {} | {} | {} | {} | {:.0} |",
            size.pods,
            size.service_accounts,
            size.roles,
            wall,
            lower,
            peak_kib / 1024.0,
            kube.requests().len(),
            iam_reqs,
            eks_reqs,
            sts.requests().len(),
            manual,
            manual_s
        );
        if !out.status.success() && out.status.code() != Some(1) {
            eprintln!("doctor exited {:?}: {}", out.status.code(), stderr);
        }
        eprintln!("  IAM requests by action: {iam_counts:?}");
        drop(moto);
    }
}
