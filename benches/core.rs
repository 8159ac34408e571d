//! Benchmark of the pure core: generates offline bundles of 1,000 and 10,000 pods (200 and
//! 2,000 service accounts, 50 and 500 roles), then loads and diagnoses them, printing wall time
//! and peak memory. It prints figures; it asserts nothing about time.
//!
//! Run: `cargo bench --bench core`. Each size runs in a fresh child process so that peak RSS
//! (VmHWM from /proc/self/status, Linux only) belongs to that size alone.

use std::fmt::Write as _;
use std::time::Instant;

use kubectl_irsa::diagnose::{Selection, diagnose, parse_count};
use kubectl_irsa::sources::bundle::load_dirs;

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::{Size, generate};

const SIZES: &[Size] = &[
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

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn run_one(index: usize) {
    let size = &SIZES[index];
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), size);
    let bytes: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let base = peak_rss_mib().unwrap_or(0.0);
    let t = Instant::now();
    let snap = load_dirs(&[dir.path().to_path_buf()]).unwrap();
    let load = t.elapsed();
    let after_load = peak_rss_mib().unwrap_or(0.0);
    let t = Instant::now();
    let report = diagnose(&snap, &Selection::default()).unwrap();
    let diag = t.elapsed();
    let after_diag = peak_rss_mib().unwrap_or(0.0);
    let parses = parse_count(&snap, &Selection::default());
    let mut line = String::new();
    let _ = write!(
        line,
        "| {:>6} | {:>5} | {:>4} | {:>7.1} | {:>8.0} | {:>8.0} | {:>9} | {:>7} | {:>12.0} | {:>12.0} |",
        size.pods,
        size.service_accounts,
        size.roles,
        bytes as f64 / 1_048_576.0,
        load.as_secs_f64() * 1000.0,
        diag.as_secs_f64() * 1000.0,
        report.workloads.len(),
        parses,
        after_load - base,
        after_diag,
    );
    println!("{line}");
}

fn main() {
    // `cargo bench` passes `--bench`; a child gets `--size N`.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--size") {
        let n: usize = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(0);
        run_one(n.min(SIZES.len() - 1));
        return;
    }
    println!("kubectl-irsa core benchmark (offline bundle load + diagnosis, release build)");
    println!(
        "| pods   | SAs   | roles | bundle MiB | load ms | diagnose ms | workloads | policies parsed | load peak +MiB | total peak MiB |"
    );
    println!(
        "|-------:|------:|------:|--------:|---------:|---------:|----------:|--------:|-------------:|-------------:|"
    );
    let exe = std::env::current_exe().unwrap();
    for i in 0..SIZES.len() {
        let status = std::process::Command::new(&exe)
            .args(["--size", &i.to_string()])
            .status()
            .unwrap();
        if !status.success() {
            eprintln!("size {i} failed: {status}");
        }
    }
}
