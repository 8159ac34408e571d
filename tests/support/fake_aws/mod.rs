//! The AWS side of the test harness (DESIGN.md "How it is tested", issue 3 "Test harness").
//!
//! - [`Moto`]: the shared moto server (IAM, STS), found through `KUBECTL_IRSA_MOTO_URL` or
//!   started by `scripts/moto.sh`; a process-wide lock and a reset per test.
//! - [`seed_moto`]: a fixture Snapshot's IAM facts created in moto, per account.
//! - [`FakeEks`]: EKS DescribeCluster, pod identity associations and add-ons from a Snapshot.
//! - [`FakeSts`]: AssumeRoleWithWebIdentity with the real STS error documents.
//! - [`FakeEksAuth`]: EKS Auth AssumeRoleForPodIdentity, deciding from the FakeEks's
//!   associations, the fake API server's tokens and moto's trust policies as the real service
//!   does.
//! - [`FakeIamFront`]: IAM through moto plus SimulatePrincipalPolicy, with a request log.
//! - [`sdk_config`] / [`aws_env`]: SDK configuration (or subprocess environment) pointing each
//!   service at its endpoint (`eks-auth` for EKS Auth: `AWS_ENDPOINT_URL_EKS_AUTH`).
//!
//! Every fake binds 127.0.0.1 on a free port, runs on its own thread, records every request,
//! and can deny operations, throttle and add latency.
#![allow(dead_code, unused_imports)]

pub mod eks;
pub mod eks_auth;
pub mod http;
pub mod iam_client_ids;
pub mod iam_front;
pub mod moto;
pub mod sdk;
pub mod seed;
pub mod server;
pub mod sts;

pub use eks::{ClusterView, EKS_WRITES, EksView, FakeEks};
pub use eks_auth::{EksAuthRequest, FakeEksAuth};
pub use iam_front::{EvalDecision, FakeIamFront, iam_action_is_read_only};
pub use moto::{
    MOTO_ACCOUNT_HEADER, MOTO_URL_ENV, Moto, MotoAccount, moto_account_credentials,
    moto_iam_client, moto_startup_time, moto_url, partition_region, reset_moto,
};
pub use sdk::{
    TEST_ACCESS_KEY_ID, TEST_REGION, TEST_SECRET_ACCESS_KEY, aws_env, fast_standard_retry,
    sdk_config, sdk_config_with, test_credentials,
};
pub use seed::{AccountAccess, PLACEHOLDER_DOCUMENT, SeedCounts, SeedError, Seeded, seed_moto};
pub use server::RecordedRequest;
pub use sts::{FakeSts, Issued, StsIssuer, StsOutcome, StsRequest};
