//! Benchmark of the live doctor against the test fakes with injected latency, as a user runs
//! it (the release binary, a fresh process per run). It prints figures; it asserts nothing
//! about time.
//!
//! 1. `doctor -A` on synthetic clusters of 100, 1,000 and 10,000 pods (50 to 2,000 service
//!    accounts, 20 to 500 roles): the fake Kubernetes API at 20 ms a request, moto behind the
//!    IAM front, the fake EKS and the fake STS at 50 ms (a typical laptop-to-AWS latency). Wall
//!    time, peak memory and requests per API next to the lower bound (the dependency chain's
//!    sequential round trips) and to the per-workload `aws`/`kubectl` sequence of the seed
//!    guides.
//! 2. One workload, `doctor deploy/NAME -n NS -o json` on the 1,000-pod cluster, every fake at
//!    50 ms: wall time (median of [`RUNS`]) and sequential round trips (the waves of requests,
//!    from their arrival times; see `support/live_fakes.rs`) next to the 4-round-trip lower
//!    bound (namespace lists; the role's GetRole, ListAttachedRolePolicies and
//!    ListRolePolicies; GetPolicy and GetRolePolicy; GetPolicyVersion), the same run at 0 ms
//!    (the fixed cost: process, moto's IAM emulation, diagnosis), requests per service, and the
//!    kubeconfig's exec credential plugin's share: a stand-in `aws eks get-token` that sleeps a
//!    fixed time, and the real AWS CLI when it is on `PATH`.
//!
//! Run: `./scripts/moto.sh install && cargo bench --bench live` (moto self-starts);
//! `cargo bench --bench live -- one` prints the one-workload table alone.

use std::collections::BTreeMap;
use std::time::Duration;

#[path = "support/live_fakes.rs"]
mod live_fakes;
#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;
#[path = "support/synthetic.rs"]
mod synthetic;

use live_fakes::{CLUSTER, Cluster, Credentials, Measured, on_path};
use synthetic::Size;

const KUBE_LATENCY: Duration = Duration::from_millis(20);
const AWS_LATENCY: Duration = Duration::from_millis(50);
/// One workload: Kubernetes and AWS alike (the "4-round-trip lower bound at 50 ms").
const ONE_LATENCY: Duration = Duration::from_millis(50);
/// Sequential round trips one IRSA workload needs at least (see the module comment).
const ONE_ROUNDS: usize = 4;
/// Runs per one-workload variant; the median is printed.
const RUNS: usize = 5;
/// What the stand-in exec plugin sleeps (the real `aws eks get-token` takes 0.3-0.6 s).
const EXEC_SLEEP: Duration = Duration::from_millis(300);
/// What one `aws ...` or `kubectl ...` invocation costs beyond its request: process start and
/// credential resolution (measured for the AWS CLI v2 on typical laptops at 0.3-0.6 s).
const CLI_START: f64 = 0.4;
/// Commands per workload in the seed guides' manual checks: kubectl get sa, kubectl get pod,
/// aws eks describe-cluster, aws iam list-open-id-connect-providers, aws iam get-role,
/// aws iam list-attached-role-policies, aws iam get-policy, aws iam get-policy-version.
const COMMANDS_PER_WORKLOAD: usize = 8;
/// Associations described at once (`eks_gather::IN_FLIGHT`).
const ASSOCIATIONS_IN_FLIGHT: usize = 8;

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
/// The cluster of the one-workload rows, and the workload: an IRSA deployment whose role is
/// healthy (role-1; the namespace's service accounts use 5 IRSA roles in all).
const ONE_SIZE: usize = 1;
const ONE_NAMESPACE: &str = "team-1";
const ONE_TARGET: &str = "deploy/app-1";

fn manual_seconds(commands: usize) -> f64 {
    commands as f64 * (CLI_START + AWS_LATENCY.as_secs_f64())
}

fn total(counts: &BTreeMap<String, usize>) -> usize {
    counts.values().sum()
}

fn check_exit(what: &str, m: &Measured) {
    // 0 healthy, 1 a broken link found: both are complete reports.
    if !matches!(m.output.status.code(), Some(0 | 1)) {
        eprintln!(
            "{what}: doctor exited {:?}: {}",
            m.output.status.code(),
            String::from_utf8_lossy(&m.output.stderr)
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kubectl-irsa");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "kubectl-irsa live benchmark: doctor -A against fakes (Kubernetes {} ms, IAM/EKS/STS {} ms per request)",
        KUBE_LATENCY.as_millis(),
        AWS_LATENCY.as_millis()
    );
    println!(
        "| pods | SAs | roles | wall s | lower bound s | peak MiB | kube reqs | IAM reqs | EKS reqs | STS reqs | manual commands | manual estimate s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    // `cargo bench --bench live -- one`: the one-workload table alone.
    let only_one = std::env::args().any(|a| a == "one");
    let mut one = None;
    for (i, size) in SIZES.iter().enumerate() {
        if only_one && i != ONE_SIZE {
            continue;
        }
        let cluster = Cluster::start(&rt, size);
        if !only_one {
            all_namespaces(bin, &cluster, size);
        }
        if i == ONE_SIZE {
            one = Some(one_workload(bin, &cluster));
        }
    }
    if let Some(lines) = one {
        println!();
        for line in lines {
            println!("{line}");
        }
    }
}

/// One `doctor -A` row.
fn all_namespaces(bin: &str, cluster: &Cluster, size: &Size) {
    cluster.set_latency(KUBE_LATENCY, AWS_LATENCY);
    let cmd = cluster.command(
        "/usr/bin/time",
        Credentials::Token,
        &[
            "-f",
            "%M",
            bin,
            "doctor",
            "-A",
            "--cluster",
            CLUSTER,
            "-o",
            "json",
        ],
    );
    let m = cluster.measure(cmd);
    check_exit("-A", &m);
    let stderr = String::from_utf8_lossy(&m.output.stderr);
    let peak_kib: f64 = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0.0);
    let report: serde_json::Value = serde_json::from_slice(&m.output.stdout).unwrap_or_default();
    let workloads = report["workloads"].as_array().map(Vec::len).unwrap_or(0);
    // The dependency chain: every list and first request goes out at once; the longest chain is
    // the association details (8 in flight) after the association list, the account scan's
    // pages, the provider after the provider list, or the longest paged Kubernetes list.
    let assoc = cluster
        .snapshot
        .aws
        .associations
        .known()
        .map(Vec::len)
        .unwrap_or(0);
    let gaad_pages = m
        .iam
        .get("GetAccountAuthorizationDetails")
        .copied()
        .unwrap_or(1);
    let aws = AWS_LATENCY.as_secs_f64();
    let kube_pages = size.pods.div_ceil(500).max(1) as f64;
    let lower = (aws * (1 + assoc.div_ceil(ASSOCIATIONS_IN_FLIGHT)) as f64)
        .max(aws * gaad_pages as f64)
        .max(aws * 2.0)
        .max(KUBE_LATENCY.as_secs_f64() * kube_pages);
    let manual = workloads * COMMANDS_PER_WORKLOAD;
    println!(
        "| {} | {} | {} | {:.2} | {:.2} | {:.0} | {} | {} | {} | {} | {} | {:.0} |",
        size.pods,
        size.service_accounts,
        size.roles,
        m.wall.as_secs_f64(),
        lower,
        peak_kib / 1024.0,
        m.kube_requests,
        total(&m.iam),
        total(&m.eks),
        m.sts,
        manual,
        manual_seconds(manual)
    );
    eprintln!("  -A, {} pods: IAM {:?}; EKS {:?}", size.pods, m.iam, m.eks);
}

/// The median-wall run of [`RUNS`] runs.
fn median_run(cluster: &Cluster, bin: &str, credentials: Credentials) -> Measured {
    let args = [
        "doctor",
        ONE_TARGET,
        "-n",
        ONE_NAMESPACE,
        "--cluster",
        CLUSTER,
        "-o",
        "json",
    ];
    let mut runs: Vec<Measured> = (0..RUNS)
        .map(|_| cluster.measure(cluster.command(bin, credentials, &args)))
        .collect();
    runs.sort_by_key(|m| m.wall);
    let m = runs.swap_remove(RUNS / 2);
    check_exit(ONE_TARGET, &m);
    m
}

/// The one-workload table and its notes.
fn one_workload(bin: &str, cluster: &Cluster) -> Vec<String> {
    let mut variants = vec![
        ("static token", Credentials::Token),
        (
            "exec plugin (stand-in)",
            Credentials::ExecScript(EXEC_SLEEP),
        ),
    ];
    if on_path("aws") {
        variants.push(("exec plugin (real AWS CLI)", Credentials::ExecAwsCli));
    }
    let bound = ONE_ROUNDS as f64 * ONE_LATENCY.as_secs_f64();
    let manual = manual_seconds(COMMANDS_PER_WORKLOAD);
    let mut lines = vec![
        format!(
            "One workload: doctor {ONE_TARGET} -n {ONE_NAMESPACE} -o json, 1,000-pod cluster, every fake at {} ms a request; median of {RUNS} runs",
            ONE_LATENCY.as_millis()
        ),
        "| kubeconfig credentials | wall s | at 0 ms s | sequential round trips | last request at s | 4-round-trip bound s | wall / bound | plugin alone s | plugin runs | kube reqs | IAM reqs | EKS reqs | STS reqs | manual sequence s |".into(),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|".into(),
    ];
    let mut token_wall = None;
    let mut notes = Vec::new();
    for (label, credentials) in variants {
        cluster.set_latency(Duration::ZERO, Duration::ZERO);
        let fixed = median_run(cluster, bin, credentials);
        cluster.set_latency(ONE_LATENCY, ONE_LATENCY);
        let m = median_run(cluster, bin, credentials);
        let wall = m.wall.as_secs_f64();
        let plugin = match credentials {
            Credentials::Token => None,
            Credentials::ExecScript(_) | Credentials::ExecAwsCli => {
                Some(cluster.plugin_alone(credentials).as_secs_f64())
            }
        };
        let runs = match credentials {
            Credentials::ExecScript(_) => m.exec_runs.to_string(),
            Credentials::Token => "-".into(),
            Credentials::ExecAwsCli => "?".into(),
        };
        lines.push(format!(
            "| {label} | {wall:.3} | {:.3} | {} | {:.3} | {bound:.2} | {:.2}x | {} | {runs} | {} | {} | {} | {} | {manual:.1} |",
            fixed.wall.as_secs_f64(),
            m.waves().len(),
            m.span.as_secs_f64(),
            wall / bound,
            plugin.map(|p| format!("{p:.3}")).unwrap_or_else(|| "-".into()),
            m.kube_requests,
            total(&m.iam),
            total(&m.eks),
            m.sts,
        ));
        match (credentials, token_wall) {
            (Credentials::Token, _) => {
                token_wall = Some(wall);
                notes.push("- static token, the median run's requests in waves (each waits for an answer of the wave before):".into());
                notes.extend(m.wave_lines().into_iter().map(|w| format!("  - {w}")));
                notes.push(format!(
                    "- static token: {:.1}x faster than the manual sequence ({COMMANDS_PER_WORKLOAD} commands, {manual:.1} s); IAM {:?}; EKS {:?}",
                    manual / wall,
                    m.iam,
                    m.eks
                ));
                notes.push(format!(
                    "- static token: IAM's own time beyond the injected latency (moto, which serves its requests mostly one at a time), summed over its {} requests: {:.3} s; at 0 ms the whole run takes {:.3} s",
                    total(&m.iam),
                    m.iam_server.as_secs_f64(),
                    fixed.wall.as_secs_f64()
                ));
            }
            (_, Some(base)) => notes.push(format!(
                "- {label}: adds {:.3} s to the static-token wall time for a plugin that takes {:.3} s alone ({} run{})",
                wall - base,
                plugin.unwrap_or(0.0),
                runs,
                if runs == "1" { "" } else { "s" }
            )),
            (_, None) => {}
        }
    }
    lines.push(String::new());
    lines.extend(notes);
    lines
}
