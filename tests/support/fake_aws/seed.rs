//! `seed_moto`: puts a Snapshot's IAM facts into moto with the AWS SDK for Rust, so the same
//! fixture bundles feed the offline and the live tests.
//!
//! Created per account (moto keeps one IAM per account and partition; see
//! `moto_account_credentials`): OIDC providers (URL, ClientIDList, thumbprints), customer
//! managed policies (the default version's document, under the same version id), roles (path,
//! trust policy, tags, permissions boundary), inline policies and attachments. Documents are
//! sent decoded (`policy::decode_document`), byte for byte as the bundle held them otherwise.
//! AWS managed policies are not created: moto has them (with `MOTO_IAM_LOAD_MANAGED_POLICIES`).
//! Whatever could not be reproduced exactly is listed in [`Seeded::notes`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use aws_sdk_iam::error::ProvideErrorMetadata;
use kubectl_irsa::model::arn::Arn;
use kubectl_irsa::model::aws::{IamRole, ManagedPolicy, OidcProvider, PolicyText};
use kubectl_irsa::model::{Fact, Snapshot};

use super::moto::{moto_iam_client, partition_region};

/// Used when a fixture lacks a document IAM requires (a role without its trust policy, an
/// attached customer policy whose document was not collected). It allows nothing.
pub const PLACEHOLDER_DOCUMENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kubectl-irsa:placeholder","Resource":"*"}]}"#;

#[derive(Debug)]
pub struct SeedError(pub String);

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SeedError {}

/// How to reach one seeded account in moto.
#[derive(Debug, Clone)]
pub struct AccountAccess {
    pub account: String,
    pub partition: String,
    /// The region requests must be signed for (moto picks the partition from it).
    pub region: String,
}

#[derive(Debug, Clone, Default)]
pub struct SeedCounts {
    pub providers: usize,
    pub policies: usize,
    pub policy_versions: usize,
    pub roles: usize,
    pub inline_policies: usize,
    pub attachments: usize,
}

/// What `seed_moto` did.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// Every account the snapshot's IAM facts live in.
    pub accounts: BTreeMap<String, AccountAccess>,
    pub counts: SeedCounts,
    /// What differs from the snapshot (placeholders, AWS managed policies moto lacks).
    pub notes: Vec<String>,
}

impl Seeded {
    pub fn account(&self, account: &str) -> &AccountAccess {
        self.accounts
            .get(account)
            .unwrap_or_else(|| panic!("account {account} was not seeded"))
    }

    /// An IAM client acting as `account` at `endpoint` (moto, or a `FakeIamFront` before it).
    pub async fn iam_client(&self, account: &str, endpoint: &str) -> aws_sdk_iam::Client {
        let access = self.account(account);
        moto_iam_client(endpoint, account, &access.region).await
    }
}

fn sdk_error<E>(what: &str, err: &aws_sdk_iam::error::SdkError<E>) -> SeedError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err.as_service_error() {
        Some(service) => SeedError(format!(
            "{what}: {}: {}",
            service.code().unwrap_or("?"),
            service.message().unwrap_or("")
        )),
        None => SeedError(format!(
            "{what}: {}",
            aws_sdk_iam::error::DisplayErrorContext(err)
        )),
    }
}

/// The document as IAM takes it: decoded if the bundle held it URL-encoded or as a JSON string.
fn document(text: &PolicyText) -> String {
    kubectl_irsa::policy::decode_document(&text.0)
        .map(|d| d.into_owned())
        .unwrap_or_else(|_| text.0.clone())
}

fn account_of(arn: &str) -> Option<(String, String)> {
    Arn::parse(arn).map(|a| (a.partition, a.account))
}

/// `arn:...:policy/PATH/NAME` -> `/PATH/`.
fn policy_path(arn: &str) -> String {
    let resource = Arn::parse(arn).map(|a| a.resource).unwrap_or_default();
    let inner = resource.strip_prefix("policy").unwrap_or("/");
    match inner.rfind('/') {
        Some(i) if i > 0 => inner[..=i].to_string(),
        _ => "/".to_string(),
    }
}

/// Creates the snapshot's IAM facts in moto (call it right after a reset: creating an object
/// that exists fails).
pub async fn seed_moto(moto_url: &str, snapshot: &Snapshot) -> Result<Seeded, SeedError> {
    let iam = &snapshot.aws.iam;
    let cluster_region = snapshot.aws.cluster.known().and_then(|c| c.region());

    // Every (partition, account) that holds something, AWS managed policies aside.
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    let customer_policies: Vec<&ManagedPolicy> = iam
        .managed_policies
        .values()
        .filter(|p| account_of(&p.arn).is_some_and(|(_, a)| a != "aws"))
        .collect();
    for arn in iam
        .roles
        .keys()
        .chain(iam.oidc_providers.keys())
        .chain(customer_policies.iter().map(|p| &p.arn))
    {
        match account_of(arn) {
            Some(pa) => {
                wanted.insert(pa);
            }
            None => return Err(SeedError(format!("not an ARN: `{arn}`"))),
        }
    }

    let mut seeded = Seeded::default();
    let mut clients: BTreeMap<String, aws_sdk_iam::Client> = BTreeMap::new();
    for (partition, account) in &wanted {
        let region = match &cluster_region {
            Some(r) if kubectl_irsa::model::arn::partition_of_region(r) == partition => r.clone(),
            _ => partition_region(partition).to_string(),
        };
        clients.insert(
            account.clone(),
            moto_iam_client(moto_url, account, &region).await,
        );
        seeded.accounts.insert(
            account.clone(),
            AccountAccess {
                account: account.clone(),
                partition: partition.clone(),
                region,
            },
        );
    }
    let client = |arn: &str| {
        let (_, account) = account_of(arn).expect("checked above");
        clients.get(&account).expect("a client per account").clone()
    };

    for provider in iam.oidc_providers.values() {
        create_provider(&client(&provider.arn), provider, &mut seeded).await?;
    }
    for policy in &customer_policies {
        create_policy(
            &client(&policy.arn),
            policy,
            policy.default_document.as_ref(),
            &mut seeded,
        )
        .await?;
    }
    let mut known_policies: BTreeSet<String> =
        customer_policies.iter().map(|p| p.arn.clone()).collect();
    for role in iam.roles.values() {
        create_role(&client(&role.arn), role, &mut known_policies, &mut seeded).await?;
    }
    Ok(seeded)
}

async fn create_provider(
    iam: &aws_sdk_iam::Client,
    provider: &OidcProvider,
    seeded: &mut Seeded,
) -> Result<(), SeedError> {
    let url = if provider.url.starts_with("https://") {
        provider.url.clone()
    } else {
        format!("https://{}", provider.url)
    };
    if provider.client_ids.is_none() {
        seeded.notes.push(format!(
            "OIDC provider {}: the bundle has no ClientIDList; created with none",
            provider.arn
        ));
    }
    let out = iam
        .create_open_id_connect_provider()
        .url(&url)
        .set_client_id_list(Some(provider.client_ids.clone().unwrap_or_default()))
        .set_thumbprint_list(Some(provider.thumbprints.clone()))
        .send()
        .await
        .map_err(|e| sdk_error(&format!("CreateOpenIDConnectProvider {url}"), &e))?;
    if out.open_id_connect_provider_arn() != Some(provider.arn.as_str()) {
        seeded.notes.push(format!(
            "OIDC provider {} was created as {:?}",
            provider.arn,
            out.open_id_connect_provider_arn()
        ));
    }
    seeded.counts.providers += 1;
    Ok(())
}

/// Creates a customer managed policy whose default version has the given id (`v3` takes
/// three versions; older ones get the same document, and at most five are kept, as in IAM).
async fn create_policy(
    iam: &aws_sdk_iam::Client,
    policy: &ManagedPolicy,
    doc: Option<&PolicyText>,
    seeded: &mut Seeded,
) -> Result<(), SeedError> {
    let text = match doc {
        Some(d) => document(d),
        None => {
            seeded.notes.push(format!(
                "policy {}: the bundle has no document; created with a placeholder that allows \
                 nothing",
                policy.arn
            ));
            PLACEHOLDER_DOCUMENT.to_string()
        }
    };
    let path = policy_path(&policy.arn);
    let out = iam
        .create_policy()
        .policy_name(&policy.name)
        .path(&path)
        .policy_document(&text)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("CreatePolicy {}", policy.arn), &e))?;
    let created_arn = out.policy().and_then(|p| p.arn()).unwrap_or_default();
    if created_arn != policy.arn {
        seeded.notes.push(format!(
            "policy {} was created as {created_arn}",
            policy.arn
        ));
    }
    seeded.counts.policies += 1;
    let wanted: usize = policy
        .default_version_id
        .as_deref()
        .and_then(|v| v.strip_prefix('v'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut kept: Vec<usize> = vec![1];
    for n in 2..=wanted {
        if kept.len() == 5 {
            let oldest = kept.remove(0);
            iam.delete_policy_version()
                .policy_arn(created_arn)
                .version_id(format!("v{oldest}"))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("DeletePolicyVersion {created_arn}"), &e))?;
        }
        let out = iam
            .create_policy_version()
            .policy_arn(created_arn)
            .policy_document(&text)
            .set_as_default(n == wanted)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("CreatePolicyVersion {created_arn}"), &e))?;
        let id = out
            .policy_version()
            .and_then(|v| v.version_id())
            .unwrap_or_default();
        if id != format!("v{n}") {
            seeded.notes.push(format!(
                "policy {}: version v{n} was created as {id}",
                policy.arn
            ));
        }
        kept.push(n);
        seeded.counts.policy_versions += 1;
    }
    Ok(())
}

async fn create_role(
    iam: &aws_sdk_iam::Client,
    role: &IamRole,
    known_policies: &mut BTreeSet<String>,
    seeded: &mut Seeded,
) -> Result<(), SeedError> {
    let trust = match &role.trust_policy {
        Some(t) => document(t),
        None => {
            seeded.notes.push(format!(
                "role {}: the bundle has no trust policy; created with a placeholder that \
                 trusts nobody",
                role.arn
            ));
            r#"{"Version":"2012-10-17","Statement":[]}"#.to_string()
        }
    };
    let mut create = iam
        .create_role()
        .role_name(&role.name)
        .path(&role.path)
        .assume_role_policy_document(trust);
    for (key, value) in &role.tags {
        create = create.tags(
            aws_sdk_iam::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| SeedError(format!("tag {key} of {}: {e}", role.arn)))?,
        );
    }
    if let Fact::Known(Some(boundary)) = &role.permissions_boundary {
        create = create.permissions_boundary(boundary);
    }
    let out = create
        .send()
        .await
        .map_err(|e| sdk_error(&format!("CreateRole {}", role.arn), &e))?;
    let created_arn = out.role().map(|r| r.arn()).unwrap_or_default();
    if created_arn != role.arn {
        seeded
            .notes
            .push(format!("role {} was created as {created_arn}", role.arn));
    }
    seeded.counts.roles += 1;

    if let Fact::Known(inline) = &role.inline_policies {
        for policy in inline {
            iam.put_role_policy()
                .role_name(&role.name)
                .policy_name(&policy.name)
                .policy_document(document(&policy.document))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(&format!("PutRolePolicy {} {}", role.name, policy.name), &e)
                })?;
            seeded.counts.inline_policies += 1;
        }
    }
    if let Fact::Known(attached) = &role.attached_policies {
        for policy in attached {
            let customer = account_of(&policy.arn).is_some_and(|(_, a)| a != "aws");
            let exists = known_policies.contains(&policy.arn)
                || (customer
                    && iam
                        .get_policy()
                        .policy_arn(&policy.arn)
                        .send()
                        .await
                        .is_ok());
            if customer && !exists {
                // Attached, but the bundle has no document for it (and moto has no such policy).
                let stub = ManagedPolicy {
                    arn: policy.arn.clone(),
                    name: policy.name.clone(),
                    default_version_id: None,
                    default_document: None,
                };
                create_policy(iam, &stub, None, seeded).await?;
                known_policies.insert(policy.arn.clone());
            }
            let attach = iam
                .attach_role_policy()
                .role_name(&role.name)
                .policy_arn(&policy.arn)
                .send()
                .await;
            match attach {
                Ok(_) => seeded.counts.attachments += 1,
                Err(e) if !customer => seeded.notes.push(format!(
                    "role {}: AWS managed policy {} is not attached: {}",
                    role.arn,
                    policy.arn,
                    sdk_error("AttachRolePolicy", &e)
                )),
                Err(e) => {
                    return Err(sdk_error(
                        &format!("AttachRolePolicy {} {}", role.name, policy.arn),
                        &e,
                    ));
                }
            }
        }
    }
    Ok(())
}
