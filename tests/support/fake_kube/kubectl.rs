//! Running the real `kubectl` binary against a served fake: each [`Kubectl`] has its own
//! kubeconfig (passed as KUBECONFIG, so plugins see it too) and discovery cache in a temporary
//! directory. A missing kubectl fails the test with a clear message.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use super::FakeKube;

/// How long one kubectl run may take.
const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Kubectl {
    dir: tempfile::TempDir,
}

impl Kubectl {
    /// Serves `fake` on a loopback port and writes a kubeconfig (context `fake`) for it.
    pub async fn start(fake: &FakeKube) -> Kubectl {
        let addr = fake.serve().await;
        let dir = tempfile::tempdir()
            .unwrap_or_else(|e| panic!("Kubectl: cannot make a temporary directory: {e}"));
        let kubectl = Kubectl { dir };
        fake.write_kubeconfig(&kubectl.kubeconfig(), addr, "fake", None);
        kubectl
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `kubectl` with KUBECONFIG set and no arguments yet, e.g. to run a plugin (kubectl
    /// refuses flags before a plugin name).
    pub fn command(&self) -> tokio::process::Command {
        let mut command = tokio::process::Command::new("kubectl");
        command
            .env("KUBECONFIG", self.kubeconfig())
            .kill_on_drop(true);
        command
    }

    /// Runs `kubectl ARGS... --cache-dir DIR` to completion.
    pub async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command();
        command
            .args(args)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"));
        Self::finish(command, args).await
    }

    /// Waits for `command` (built from [`Kubectl::command`]); `args` name it in failures.
    pub async fn finish(mut command: tokio::process::Command, args: &[&str]) -> Output {
        match tokio::time::timeout(TIMEOUT, command.output()).await {
            Ok(Ok(output)) => output,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "these tests need the real `kubectl` binary (v1.32) on PATH; it was not found"
            ),
            Ok(Err(e)) => panic!("cannot run kubectl: {e}"),
            Err(_) => panic!("kubectl {args:?} did not finish in {TIMEOUT:?}"),
        }
    }

    /// Stdout of a run that must succeed.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "kubectl {args:?} failed: {stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}
