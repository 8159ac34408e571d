//! Which kubeconfig is read, as kubectl decides: `--kubeconfig PATH` is one path, used as it is
//! even with a `:` in it (a Windows path has one after its drive letter); only the `KUBECONFIG`
//! variable is a list, split with the platform's separator and merged (the first file to set a
//! value wins); a `KUBECONFIG` that is set but empty means `~/.kube/config`. `--context` naming
//! no context lists the contexts there are. An API server answer that is not Kubernetes' (a
//! proxy's error page) is one sentence, never kube-rs's `ApiError: ... (Status { ... })`.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use support::fake_aws::Moto;
use support::live_env::{self, CONTEXT, LiveEnv, Run};

const DOCTOR: &[&str] = &["doctor", "-A", "-o", "json"];

/// A kubeconfig with one context, `decoy`, whose server nobody listens on, and
/// `current-context: fake-eks` (a context another file defines).
const DECOY: &str = r#"apiVersion: v1
kind: Config
current-context: fake-eks
clusters:
- name: decoy
  cluster: {server: "http://127.0.0.1:1"}
contexts:
- name: decoy
  context: {cluster: decoy, user: decoy}
users:
- name: decoy
  user: {token: decoy-token}
"#;

/// The binary against `env`, with `KUBECONFIG` as given (`None`: unset) and `args`.
fn run_with(env: &LiveEnv, kubeconfig_var: Option<&std::ffi::OsStr>, args: &[&str]) -> Run {
    let mut command = env.command();
    match kubeconfig_var {
        Some(value) => command.env("KUBECONFIG", value),
        None => command.env_remove("KUBECONFIG"),
    };
    command.args(args);
    live_env::run(command)
}

/// The healthy scenario's report came back: the fakes were read through that kubeconfig.
fn assert_read(run: &Run) {
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let report = run.json();
    assert!(
        report["workloads"]
            .as_array()
            .is_some_and(|w| !w.is_empty()),
        "{}",
        run.explain()
    );
}

fn copy_to(from: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to.parent().expect("a parent")).expect("its directory");
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    to.to_path_buf()
}

#[test]
fn an_explicit_path_with_a_colon_is_one_path() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let odd = copy_to(&env.kubeconfig, &env.home().join("odd:name").join("config"));
    let odd = odd.display().to_string();
    // KUBECONFIG names a file that does not exist: only the flag can make this work.
    let missing = env.home().join("missing");
    let run = run_with(
        &env,
        Some(missing.as_os_str()),
        &[DOCTOR, &["--kubeconfig", &odd]].concat(),
    );
    assert_read(&run);

    // A flag naming no file is an error about that one file, never a list.
    let nothing = env.home().join("no:such").join("config");
    let run = run_with(
        &env,
        None,
        &[DOCTOR, &["--kubeconfig", &nothing.display().to_string()]].concat(),
    );
    assert_eq!(run.code, Some(2), "{}", run.explain());
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot load the kubeconfig: cannot read {}: ",
            nothing.display()
        )),
        "{}",
        run.explain()
    );
}

#[test]
fn kubeconfig_lists_files_that_are_merged_the_first_winning() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let decoy = env.home().join("decoy.yaml");
    std::fs::write(&decoy, DECOY).expect("write the decoy kubeconfig");
    let gone = env.home().join("not-there.yaml");
    // The decoy sets current-context first (to a context only the second file defines); a
    // listed file that does not exist is passed over, as kubectl does.
    let list = std::env::join_paths([&decoy, &gone, &env.kubeconfig]).expect("a KUBECONFIG list");
    assert_read(&run_with(&env, Some(&list), DOCTOR));

    let run = run_with(
        &env,
        Some(&list),
        &[DOCTOR, &["--context", "nosuch"]].concat(),
    );
    assert_eq!(run.code, Some(2), "{}", run.explain());
    assert_eq!(
        run.stderr.trim_end(),
        "error: context `nosuch` is not in the kubeconfig (~/decoy.yaml, ~/kubeconfig); \
         its contexts are: decoy, fake-eks",
        "{}",
        run.explain()
    );
    // The first file's context is the one used: its server does not answer.
    let run = run_with(
        &env,
        Some(&list),
        &[DOCTOR, &["--context", "decoy"]].concat(),
    );
    assert_eq!(run.code, Some(3), "{}", run.explain());
    assert!(
        run.stderr
            .starts_with("error: cannot reach the Kubernetes API server http://127.0.0.1:1"),
        "{}",
        run.explain()
    );
}

#[test]
fn an_empty_kubeconfig_variable_means_the_default_file() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    copy_to(&env.kubeconfig, &env.home().join(".kube").join("config"));
    assert_read(&run_with(&env, Some(std::ffi::OsStr::new("")), DOCTOR));
    assert_read(&run_with(&env, None, DOCTOR));

    let run = run_with(
        &env,
        Some(std::ffi::OsStr::new("")),
        &[DOCTOR, &["--context", "nosuch"]].concat(),
    );
    assert_eq!(run.code, Some(2), "{}", run.explain());
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "error: context `nosuch` is not in the kubeconfig (~/.kube/config); its contexts are: {CONTEXT}"
        ),
        "{}",
        run.explain()
    );
}

#[test]
fn an_answer_that_is_not_kubernetes_is_one_sentence() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    // A proxy in front of the API server answering its own error page.
    let proxy = env.serve_error(502, "BadGateway", "upstream connect error");
    let addr: SocketAddr = proxy
        .trim_start_matches("http://")
        .parse()
        .expect("the proxy's address");
    env.kube.write_kubeconfig(
        &env.kubeconfig,
        addr,
        CONTEXT,
        env.cluster_name().as_deref(),
    );
    let run = env.run(DOCTOR);
    assert_eq!(run.code, Some(3), "{}", run.explain());
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "error: cannot reach the Kubernetes API server {proxy}: the server answered 502 Bad \
             Gateway, not a Kubernetes answer: \
             <ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
        ),
        "{}",
        run.explain()
    );
    for noise in [
        "ApiError",
        "Status {",
        "Failed to parse error data",
        "Some(",
    ] {
        assert!(!run.stderr.contains(noise), "`{noise}` in {}", run.stderr);
    }
}
