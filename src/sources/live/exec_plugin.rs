//! The kubeconfig's exec credential plugin (`aws eks get-token` for EKS), run once per run on a
//! blocking thread while the AWS calls are already in flight.
//!
//! kube-rs runs the plugin synchronously when the client is built, and three times over (the
//! auth layer, the TLS set-up, the client's expiry), before a single request can go out: with
//! the AWS CLI that is over a second of nothing else happening. Here the plugin runs the way
//! kube-rs would run it (same arguments, environment, `KUBERNETES_EXEC_INFO` and interactive
//! mode), and its credential goes into the config as a static token or client certificate, so
//! building the client runs nothing. The client lives for one run (a gather and its proofs),
//! well within the credential's lifetime (15 minutes for `aws eks get-token`).
//!
//! The plugin is bounded by `--request-timeout` too: a plugin that hangs (a credential process
//! waiting on a stalled endpoint) is stopped and named, rather than holding the run forever.

use std::io::Read;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode};
use serde::Deserialize;

use super::timeout::RequestTimeout;

/// How often a running plugin is looked at: it takes about a second, so this costs nothing.
const POLL: Duration = Duration::from_millis(10);

/// Why the plugin gave no credential: the command, and the reason on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFailure {
    pub command: String,
    pub reason: String,
    /// It did not finish within the request timeout and was stopped (`reason` says so).
    pub timed_out: bool,
}

#[derive(Deserialize)]
struct ExecCredential {
    status: Option<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

/// The plugin kube-rs would run for `auth`: its precedence puts an auth provider, a basic
/// login, a token and a token file before the exec user.
fn exec_of(auth: &AuthInfo) -> Option<&ExecConfig> {
    let static_credentials = auth.auth_provider.is_some()
        || (auth.username.is_some() && auth.password.is_some())
        || auth.token.is_some()
        || auth.token_file.is_some();
    if static_credentials {
        None
    } else {
        auth.exec.as_ref()
    }
}

/// Whether `auth` makes kube-rs run an exec plugin.
pub fn needed(auth: &AuthInfo) -> bool {
    exec_of(auth).is_some()
}

/// Runs the plugin of `auth`, if it has one, and replaces it by the credential it printed.
/// A plugin still running after `timeout` is stopped.
pub async fn resolve(auth: &mut AuthInfo, timeout: RequestTimeout) -> Result<(), PluginFailure> {
    let Some(exec) = exec_of(auth).cloned() else {
        return Ok(());
    };
    let command = exec.command.clone().unwrap_or_default();
    let credential = tokio::task::spawn_blocking(move || run(&exec, timeout))
        .await
        .map_err(|e| PluginFailure {
            command: command.clone(),
            reason: format!("the plugin's thread failed: {e}"),
            timed_out: false,
        })??;
    match credential {
        Credential::Certificate { cert, key } => {
            // The kubeconfig fields hold base64 of the PEM the plugin printed.
            auth.client_certificate_data = Some(STANDARD.encode(cert));
            auth.client_key_data = Some(STANDARD.encode(key).into());
        }
        Credential::Token(token) => auth.token = Some(token.into()),
    }
    auth.exec = None;
    Ok(())
}

enum Credential {
    Token(String),
    Certificate { cert: String, key: String },
}

/// Reads a pipe to its end on a thread of its own, so a plugin that fills one pipe while
/// the other is not read cannot block, and a pipe held open by a process the plugin left
/// behind cannot hold the run.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    match pipe {
        Some(mut pipe) => {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                let _ = tx.send(bytes);
            });
        }
        None => {
            let _ = tx.send(Vec::new());
        }
    }
    rx
}

/// Waits for `child` until `deadline`; `None` when it is still running then.
fn wait_until(child: &mut Child, deadline: Option<Instant>) -> std::io::Result<Option<ExitStatus>> {
    let Some(deadline) = deadline else {
        return child.wait().map(Some);
    };
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(POLL);
    }
}

/// What a pipe held, waiting no longer than `deadline` once the plugin has exited.
fn collected(rx: &mpsc::Receiver<Vec<u8>>, deadline: Option<Instant>) -> Vec<u8> {
    match deadline {
        None => rx.recv().unwrap_or_default(),
        Some(d) => rx
            .recv_timeout(d.saturating_duration_since(Instant::now()))
            .unwrap_or_default(),
    }
}

fn run(exec: &ExecConfig, timeout: RequestTimeout) -> Result<Credential, PluginFailure> {
    let name = exec.command.clone().unwrap_or_default();
    let fail = |reason: String| PluginFailure {
        command: name.clone(),
        reason,
        timed_out: false,
    };
    if name.is_empty() {
        return Err(fail("the exec user names no command".into()));
    }
    let mut cmd = std::process::Command::new(&name);
    cmd.args(exec.args.iter().flatten());
    for env in exec.env.iter().flatten() {
        if let (Some(k), Some(v)) = (env.get("name"), env.get("value")) {
            cmd.env(k, v);
        }
    }
    let interactive = exec.interactive_mode != Some(ExecInteractiveMode::Never);
    cmd.stdout(Stdio::piped());
    if interactive {
        cmd.stdin(Stdio::inherit()).stderr(Stdio::inherit());
    } else {
        cmd.stdin(Stdio::piped()).stderr(Stdio::piped());
    }
    let cluster =
        if exec.provide_cluster_info {
            Some(exec.cluster.clone().ok_or_else(|| {
                fail("provideClusterInfo is set but the cluster is unknown".into())
            })?)
        } else {
            None
        };
    let mut spec = serde_json::json!({ "interactive": interactive });
    if let Some(c) = cluster {
        spec["cluster"] = serde_json::to_value(c).map_err(|e| fail(e.to_string()))?;
    }
    let info = serde_json::json!({
        "apiVersion": exec.api_version,
        "kind": "ExecCredential",
        "spec": spec,
    });
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    for k in exec.drop_env.iter().flatten() {
        cmd.env_remove(k);
    }
    let deadline = timeout.limit().map(|limit| Instant::now() + limit);
    let mut child = cmd
        .spawn()
        .map_err(|e| fail(format!("cannot run it: {e}")))?;
    // A non-interactive plugin reads nothing: its stdin is closed at once, as kubectl does.
    drop(child.stdin.take());
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let status = match wait_until(&mut child, deadline) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PluginFailure {
                timed_out: true,
                ..fail(format!(
                    "did not answer {} and was stopped",
                    timeout.within()
                ))
            });
        }
        Err(e) => return Err(fail(format!("cannot wait for it: {e}"))),
    };
    let (stdout, stderr) = (collected(&stdout, deadline), collected(&stderr, deadline));
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let said = stderr.trim();
        return Err(fail(if said.is_empty() {
            format!("it exited with {status}")
        } else {
            format!("it exited with {status}: {said}")
        }));
    }
    parse(&stdout).map_err(fail)
}

fn parse(stdout: &[u8]) -> Result<Credential, String> {
    let credential: ExecCredential =
        serde_json::from_slice(stdout).map_err(|e| format!("it printed no ExecCredential: {e}"))?;
    let status = credential
        .status
        .ok_or("its ExecCredential has no status")?;
    match (
        status.client_certificate_data,
        status.client_key_data,
        status.token,
    ) {
        (Some(cert), Some(key), _) => Ok(Credential::Certificate { cert, key }),
        (_, _, Some(token)) => Ok(Credential::Token(token)),
        _ => Err("its ExecCredential has neither a token nor a client certificate".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(command: &str, args: &[&str]) -> AuthInfo {
        AuthInfo {
            exec: Some(ExecConfig {
                api_version: Some("client.authentication.k8s.io/v1beta1".into()),
                command: Some(command.into()),
                args: Some(args.iter().map(|a| a.to_string()).collect()),
                interactive_mode: Some(ExecInteractiveMode::Never),
                ..ExecConfig::default()
            }),
            ..AuthInfo::default()
        }
    }

    #[tokio::test]
    async fn the_plugins_token_replaces_the_exec_user() {
        let printed = r#"{"kind":"ExecCredential","status":{"token":"k8s-aws-v1.abc"}}"#;
        let mut auth = exec("sh", &["-c", &format!("printf '%s' '{printed}'")]);
        assert!(needed(&auth));
        resolve(&mut auth, RequestTimeout::default()).await.unwrap();
        assert!(auth.exec.is_none());
        assert!(auth.token.is_some());
        assert!(!needed(&auth), "nothing left for kube-rs to run");
    }

    #[tokio::test]
    async fn a_failing_plugin_says_what_it_printed() {
        let mut auth = exec("sh", &["-c", "echo 'SSO session expired' >&2; exit 255"]);
        let failure = resolve(&mut auth, RequestTimeout::default())
            .await
            .unwrap_err();
        assert_eq!(failure.command, "sh");
        assert!(
            failure.reason.contains("SSO session expired"),
            "{failure:?}"
        );
    }

    #[tokio::test]
    async fn a_plugin_that_never_answers_is_stopped() {
        // `exec` so the shell's process is the sleep itself, and stopping it leaves nothing.
        let mut auth = exec("sh", &["-c", "exec sleep 600"]);
        let timeout: RequestTimeout = "300ms".parse().unwrap();
        let failure = resolve(&mut auth, timeout).await.unwrap_err();
        assert!(failure.timed_out, "{failure:?}");
        assert_eq!(
            failure.reason,
            "did not answer within 300ms and was stopped"
        );
        assert!(auth.exec.is_some(), "nothing was resolved");
    }

    #[test]
    fn a_certificate_wins_over_a_token_and_nothing_is_an_error() {
        let both = br#"{"status":{"token":"t","clientCertificateData":"C","clientKeyData":"K"}}"#;
        assert!(matches!(parse(both), Ok(Credential::Certificate { .. })));
        assert!(parse(br#"{"status":{}}"#).is_err());
        assert!(parse(b"not json").is_err());
    }

    #[test]
    fn a_static_token_runs_no_plugin() {
        let mut auth = exec("aws", &[]);
        auth.token = Some("static".to_string().into());
        assert!(!needed(&auth));
    }
}
