//! SDK configuration for tests: static credentials, a region, and per-service endpoint URLs.
//!
//! Per-service endpoints go through the SDK's own service configuration (a `[services]` section
//! of an in-memory shared config file), the mechanism behind `AWS_ENDPOINT_URL_<SERVICE>`, so
//! one `SdkConfig` serves every client: `aws_sdk_iam::Client::new(&config)` talks to the IAM
//! endpoint given, `aws_sdk_eks::Client::new(&config)` to the EKS one. For the product binary
//! run as a subprocess, [`aws_env`] gives the equivalent environment variables.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;

pub const TEST_REGION: &str = "us-east-1";
pub const TEST_ACCESS_KEY_ID: &str = "AKIAKUBECTLIRSATEST0";
pub const TEST_SECRET_ACCESS_KEY: &str = "kubectl-irsa-test-secret-access-key";
const PROFILE: &str = "kubectl-irsa-test";

/// The static test credentials (moto maps them to its default account, 123456789012).
pub fn test_credentials() -> Credentials {
    Credentials::new(
        TEST_ACCESS_KEY_ID,
        TEST_SECRET_ACCESS_KEY,
        None,
        None,
        "kubectl-irsa-test",
    )
}

/// The SDK's standard retry mode (same classifiers, throttling handling and retry quota) with
/// a short initial back-off, so tests that exercise retries stay fast.
pub fn fast_standard_retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(200))
}

/// An `SdkConfig` in [`TEST_REGION`] with the static test credentials and these endpoint
/// overrides: `(service, url)` with service `iam`, `sts`, `eks`, `eks-auth` (the `AWS_ENDPOINT_URL_<SERVICE>`
/// suffix, lower case), or `*` for every service (`AWS_ENDPOINT_URL`).
pub async fn sdk_config(endpoint_overrides: &[(&str, &str)]) -> SdkConfig {
    sdk_config_with(TEST_REGION, test_credentials(), endpoint_overrides).await
}

/// As [`sdk_config`], with a region and credentials of your choice (e.g. a moto account's,
/// from `moto_account_credentials`).
pub async fn sdk_config_with(
    region: &str,
    credentials: Credentials,
    endpoint_overrides: &[(&str, &str)],
) -> SdkConfig {
    let mut profile = format!("[profile {PROFILE}]\n");
    let mut services = String::new();
    for (service, url) in endpoint_overrides {
        if *service == "*" {
            profile.push_str(&format!("endpoint_url = {url}\n"));
        } else {
            services.push_str(&format!(
                "{} =\n  endpoint_url = {url}\n",
                service.to_ascii_lowercase()
            ));
        }
    }
    if !services.is_empty() {
        profile.push_str(&format!(
            "services = {PROFILE}\n\n[services {PROFILE}]\n{services}"
        ));
    }
    #[allow(deprecated)] // aws-config's re-export; the new path is in aws-runtime, not a dependency
    let files = aws_config::profile::profile_file::ProfileFiles::builder()
        .with_contents(
            aws_config::profile::profile_file::ProfileFileKind::Config,
            profile,
        )
        .build();
    aws_config::defaults(BehaviorVersion::latest())
        .profile_files(files)
        .profile_name(PROFILE)
        .region(Region::new(region.to_string()))
        .credentials_provider(credentials)
        .retry_config(fast_standard_retry())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        )
        .load()
        .await
}

/// Environment variables that point the product binary (run as a subprocess) at the same
/// endpoints with the static test credentials, and keep it away from the user's AWS files and
/// the instance metadata service. Same `(service, url)` pairs as [`sdk_config`].
pub fn aws_env(region: &str, endpoint_overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "AWS_ACCESS_KEY_ID".to_string(),
            TEST_ACCESS_KEY_ID.to_string(),
        ),
        (
            "AWS_SECRET_ACCESS_KEY".to_string(),
            TEST_SECRET_ACCESS_KEY.to_string(),
        ),
        ("AWS_REGION".to_string(), region.to_string()),
        ("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string()),
        ("AWS_CONFIG_FILE".to_string(), "/dev/null".to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_string(),
            "/dev/null".to_string(),
        ),
    ];
    for (service, url) in endpoint_overrides {
        let name = if *service == "*" {
            "AWS_ENDPOINT_URL".to_string()
        } else {
            format!(
                "AWS_ENDPOINT_URL_{}",
                service.to_ascii_uppercase().replace([' ', '-'], "_")
            )
        };
        env.push((name, url.to_string()));
    }
    env
}
