//! The moto server the tests share: found through `KUBECTL_IRSA_MOTO_URL` (set by
//! `./scripts/test.sh`), or started once per test process with `scripts/moto.sh start` when
//! `.venv` has moto (it stops by itself when the process exits). Without either, tests fail
//! with what to run; they never skip.
//!
//! moto is one global state, so tests that use it take [`Moto::acquire`]: a process-wide lock
//! (cargo runs a binary's tests on parallel threads, and binaries one after another) plus
//! `POST /moto-api/reset`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_sts::config::Credentials;

use super::http as raw_http;
use super::sdk::{sdk_config_with, test_credentials};

pub const MOTO_URL_ENV: &str = "KUBECTL_IRSA_MOTO_URL";

static URL: OnceLock<Result<String, String>> = OnceLock::new();
static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static STARTUP: OnceLock<Duration> = OnceLock::new();

/// The moto server's URL, starting it if needed. Panics with instructions when moto is
/// neither running nor installed.
pub fn moto_url() -> String {
    match URL.get_or_init(discover) {
        Ok(url) => url.clone(),
        Err(message) => panic!("{message}"),
    }
}

/// How long starting moto took in this process, if this process started it.
pub fn moto_startup_time() -> Option<Duration> {
    moto_url();
    STARTUP.get().copied()
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn discover() -> Result<String, String> {
    if let Ok(url) = std::env::var(MOTO_URL_ENV)
        && !url.trim().is_empty()
    {
        return Ok(url.trim().trim_end_matches('/').to_string());
    }
    let root = repo_root();
    if !root.join(".venv/bin/moto_server").exists() {
        return Err(format!(
            "these tests need moto, the AWS API emulator: {MOTO_URL_ENV} is not set and \
             {}/.venv has no moto_server. Run the tests with ./scripts/test.sh (it installs and \
             starts moto), or install it once with scripts/moto.sh install",
            root.display()
        ));
    }
    let state_dir = root
        .join("target/moto")
        .join(format!("test-{}", std::process::id()));
    let started = Instant::now();
    let output = Command::new(root.join("scripts/moto.sh"))
        .arg("start")
        .env("MOTO_STATE_DIR", &state_dir)
        // moto.sh stops this server when this test process exits.
        .env("MOTO_WATCH_PID", std::process::id().to_string())
        .env_remove("MOTO_PORT")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run scripts/moto.sh start: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let url = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("export {MOTO_URL_ENV}=")))
        .map(|u| u.trim().to_string());
    match (output.status.success(), url) {
        (true, Some(url)) => {
            let _ = STARTUP.set(started.elapsed());
            Ok(url)
        }
        _ => Err(format!(
            "scripts/moto.sh start failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// Clears moto's state (`POST /moto-api/reset`).
pub async fn reset_moto(url: &str) -> Result<(), String> {
    let answer = raw_http::request(
        url,
        "POST",
        "/moto-api/reset",
        &[],
        b"",
        Duration::from_secs(30),
    )
    .await?;
    if answer.status == 200 {
        Ok(())
    } else {
        Err(format!(
            "moto reset answered {}: {}",
            answer.status,
            answer.text()
        ))
    }
}

/// Exclusive use of the shared moto server, freshly reset. Hold it for the whole test.
pub struct Moto {
    url: String,
    _guard: tokio::sync::MutexGuard<'static, ()>,
}

impl Moto {
    /// Waits for other tests of this process to finish with moto, then resets it.
    pub async fn acquire() -> Moto {
        let guard = LOCK.lock().await;
        let url = moto_url();
        reset_moto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot reset moto at {url}: {e}"));
        Moto { url, _guard: guard }
    }

    /// As [`Moto::acquire`], for tests without an async runtime (panics inside one).
    pub fn acquire_blocking() -> Moto {
        let guard = LOCK.blocking_lock();
        let url = moto_url();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the reset");
        runtime
            .block_on(reset_moto(&url))
            .unwrap_or_else(|e| panic!("cannot reset moto at {url}: {e}"));
        Moto { url, _guard: guard }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn reset(&self) {
        reset_moto(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot reset moto at {}: {e}", self.url));
    }
}

/// moto's account selector: a request with this header acts in that account (before any
/// access key mapping). Cheap: moto creates only that account's IAM, whereas mapping an
/// assumed role's access key makes moto create an IAM per partition for every account it knows.
pub const MOTO_ACCOUNT_HEADER: &str = "x-moto-account-id";

/// An SDK interceptor that adds [`MOTO_ACCOUNT_HEADER`] to every request of a client, so it
/// acts in `account` in moto: `aws_sdk_iam::config::Builder::from(&sdk).interceptor(MotoAccount::new(a))`.
/// Works for any AWS SDK client (the interceptor trait is shared).
#[derive(Debug, Clone)]
pub struct MotoAccount(pub String);

impl MotoAccount {
    pub fn new(account: &str) -> MotoAccount {
        MotoAccount(account.to_string())
    }
}

impl aws_sdk_iam::config::Intercept for MotoAccount {
    fn name(&self) -> &'static str {
        "MotoAccount"
    }

    fn modify_before_transmit(
        &self,
        context: &mut aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &aws_sdk_iam::config::RuntimeComponents,
        _cfg: &mut aws_sdk_iam::config::ConfigBag,
    ) -> Result<(), aws_sdk_iam::error::BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert(MOTO_ACCOUNT_HEADER, self.0.clone());
        Ok(())
    }
}

/// An IAM client acting in `account` at `endpoint` (moto, or a `FakeIamFront` before it),
/// signing for `region` (moto picks the partition from it).
pub async fn moto_iam_client(endpoint: &str, account: &str, region: &str) -> aws_sdk_iam::Client {
    let sdk = sdk_config_with(region, test_credentials(), &[("iam", endpoint)]).await;
    let config = aws_sdk_iam::config::Builder::from(&sdk)
        .interceptor(MotoAccount::new(account))
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

/// The usual region of a partition, for signing requests to moto (moto picks the partition's
/// IAM from the signing region).
pub fn partition_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

/// Credentials that moto attributes to `account`: moto maps an access key to the account of
/// the role it assumed, and lets any caller assume any (even missing) role. Valid until the
/// next reset. `region` must be in `partition` (see [`partition_region`]). For a client or
/// process that cannot send [`MOTO_ACCOUNT_HEADER`]; slower: on the first request with such a
/// key, moto creates an IAM for every partition of every account it knows (about 1.5 s with
/// AWS managed policies loaded), and each makes the next reset slower.
pub async fn moto_account_credentials(
    moto_url: &str,
    partition: &str,
    region: &str,
    account: &str,
) -> Result<Credentials, String> {
    let config = sdk_config_with(region, test_credentials(), &[("sts", moto_url)]).await;
    let sts = aws_sdk_sts::Client::new(&config);
    let out = sts
        .assume_role()
        .role_arn(format!(
            "arn:{partition}:iam::{account}:role/kubectl-irsa-test"
        ))
        .role_session_name("kubectl-irsa-test")
        .send()
        .await
        .map_err(|e| {
            format!(
                "moto AssumeRole into {account}: {}",
                aws_sdk_sts::error::DisplayErrorContext(&e)
            )
        })?;
    let c = out
        .credentials()
        .ok_or("moto AssumeRole returned no credentials")?;
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "moto",
    ))
}
