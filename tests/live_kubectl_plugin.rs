//! `kubectl irsa` (issue 3; DESIGN.md plugin conventions): with the binary on PATH as
//! `kubectl-irsa`, the real `kubectl` finds it, passes every argument after `irsa` through
//! unchanged (`--context`, `-n`, `-A`, `-o`), and the result is the one the binary gives when
//! run directly, exit code included. The kubeconfig is two files in KUBECONFIG whose current
//! context points nowhere, so only a `--context` the plugin honours reaches the fake cluster.
//!
//! Needs the real `kubectl` on PATH and moto (./scripts/test.sh, or `scripts/moto.sh install`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::fake_aws::Moto;
use support::live_env::{BIN, CONTEXT, LiveEnv, Run, closed_port, run};

/// A directory holding `kubectl-irsa` (a symlink to the binary under test).
fn plugin_dir(env: &LiveEnv) -> PathBuf {
    let dir = env.home().join("plugins");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let link = dir.join("kubectl-irsa");
    if !link.exists() {
        std::os::unix::fs::symlink(BIN, &link).unwrap_or_else(|e| panic!("symlink: {e}"));
    }
    dir
}

/// KUBECONFIG = a file whose current context `broken` points at a closed port, then the EKS
/// exec kubeconfig of the fake (context [`CONTEXT`]).
fn two_file_kubeconfig(env: &LiveEnv) -> String {
    let broken = env.home().join("broken-kubeconfig");
    env.kube
        .write_kubeconfig(&broken, closed_port(), "broken", None);
    format!("{}:{}", broken.display(), env.kubeconfig.display())
}

/// `program ARGS...` with the environment the binary gets, the plugin directory first on PATH,
/// and KUBECONFIG as given.
fn command(env: &LiveEnv, program: &Path, plugins: &Path, kubeconfig: &str, args: &[&str]) -> Run {
    let mut path = vec![plugins.to_path_buf()];
    path.extend(std::env::split_paths(&env.path_var()));
    let mut command = Command::new(program);
    command.env_clear();
    for (k, v) in env.environment() {
        command.env(k, v);
    }
    command
        .env(
            "PATH",
            std::env::join_paths(path).unwrap_or_else(|e| panic!("{e}")),
        )
        .env("KUBECONFIG", kubeconfig)
        .args(args);
    run(command)
}

fn kubectl() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("these tests need the real `kubectl` on PATH"))
}

#[test]
fn kubectl_runs_the_plugin_with_its_flags() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    let plugins = plugin_dir(&env);
    let kubeconfig = two_file_kubeconfig(&env);
    let kubectl = kubectl();

    let listed = command(&env, &kubectl, &plugins, &kubeconfig, &["plugin", "list"]);
    assert!(
        listed
            .stdout
            .contains(&plugins.join("kubectl-irsa").display().to_string()),
        "kubectl finds the plugin:\n{}",
        listed.explain()
    );

    for args in [
        &["doctor", "-A", "-o", "json", "--context", CONTEXT][..],
        &[
            "doctor",
            "deploy/checkout",
            "-n",
            "shop",
            "-o",
            "json",
            "--context",
            CONTEXT,
        ],
    ] {
        let mut through_kubectl = vec!["irsa"];
        through_kubectl.extend(args);
        let plugin = command(&env, &kubectl, &plugins, &kubeconfig, &through_kubectl);
        let direct = command(&env, Path::new(BIN), &plugins, &kubeconfig, args);
        assert!(
            plugin.stdout.trim_start().starts_with('{'),
            "kubectl irsa {args:?}:\n{}",
            plugin.explain()
        );
        assert_eq!(
            plugin.code, direct.code,
            "{args:?}: exit codes pass through"
        );
        assert_eq!(
            plugin.json(),
            direct.json(),
            "{args:?}: the same report, source and notes included"
        );
        assert_eq!(plugin.json()["cluster"]["name"], "shop-prod");
    }
    assert_eq!(
        command(
            &env,
            &kubectl,
            &plugins,
            &kubeconfig,
            &["irsa", "doctor", "-A", "-o", "json", "--context", CONTEXT]
        )
        .code,
        Some(1),
        "basic has a broken workload"
    );

    // Without --context, the current context (a closed port) is used: one clear error.
    let current = command(
        &env,
        &kubectl,
        &plugins,
        &kubeconfig,
        &["irsa", "doctor", "-A"],
    );
    assert_eq!(current.code, Some(3), "{}", current.explain());
    assert!(
        current
            .stderr
            .contains("cannot reach the Kubernetes API server"),
        "{}",
        current.stderr
    );
    assert!(env.kube.writes().is_empty());
}

#[test]
fn kubectl_irsa_help_works() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    let plugins = plugin_dir(&env);
    let kubeconfig = env.kubeconfig.display().to_string();
    let kubectl = kubectl();
    let help = command(&env, &kubectl, &plugins, &kubeconfig, &["irsa", "--help"]);
    assert_eq!(help.code, Some(0), "{}", help.explain());
    assert!(
        help.stdout.contains("Usage: kubectl irsa"),
        "{}",
        help.stdout
    );
    for subcommand in ["doctor", "dump"] {
        assert!(help.stdout.contains(subcommand), "{}", help.stdout);
    }
    let doctor = command(
        &env,
        &kubectl,
        &plugins,
        &kubeconfig,
        &["irsa", "doctor", "--help"],
    );
    assert_eq!(doctor.code, Some(0), "{}", doctor.explain());
    for flag in [
        "--context",
        "--namespace",
        "--all-namespaces",
        "--prove",
        "--cluster",
    ] {
        assert!(doctor.stdout.contains(flag), "doctor --help lists {flag}");
    }
    assert!(
        env.kube.requests().is_empty(),
        "help reads no cluster: {}",
        env.request_counts()
    );
}
