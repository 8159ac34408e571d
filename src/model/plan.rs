//! Fix plans as data (DESIGN.md "Fixes are data"): ordered steps, each one change to one object
//! of one system, with the object's state before and after, the equivalent command and its
//! inverse. Planners (`src/plan`) build them and prove them in memory; writers apply them;
//! `fix --dry-run -o json` prints them and `apply PLAN_FILE` reads them back, so every type here
//! is (de)serialisable and the JSON names are an interface.
//!
//! To add a kind of change: a [`Change`] variant (its data is exactly what a writer needs and
//! what the in-memory apply in `plan::simulate` needs), its [`Change::system`] and
//! [`Change::action`], and its handling in both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::command::CommandLine;

/// The plan file's version; `apply` refuses another.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    Kubernetes,
    Iam,
    Eks,
}

/// The object a step changes: a Kubernetes object by kind, namespace and name; an IAM or EKS
/// object by ARN (or by name where it has no ARN before it exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arn: Option<String>,
}

/// A workload whose pods a step restarts or whose template it edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadTarget {
    /// `Deployment`, `StatefulSet`, `DaemonSet`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// One change to one object, with exactly the data its writer needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Change {
    /// Set (`Some`) or remove (`None`) one annotation of a ServiceAccount.
    AnnotateServiceAccount {
        namespace: String,
        name: String,
        key: String,
        value: Option<String>,
    },
    /// Create a ServiceAccount with these annotations.
    CreateServiceAccount {
        namespace: String,
        name: String,
        annotations: Vec<(String, String)>,
    },
    /// Set (`Some`) or remove (`None`) one environment variable of one container of a
    /// workload's pod template (the region a workload's SDK needs; a literal variable that
    /// shadows the injected credentials).
    SetEnv {
        workload: WorkloadTarget,
        container: String,
        name: String,
        value: Option<String>,
    },
    /// Set (`Some`) or remove (`None`) the pod template's `securityContext.fsGroup`, so a
    /// non-root container can read the projected token (field guide B12).
    SetFsGroup {
        workload: WorkloadTarget,
        fs_group: Option<i64>,
    },
    /// Set the pod template's `serviceAccountName`.
    SetServiceAccountName {
        workload: WorkloadTarget,
        service_account: String,
    },
    /// `kubectl rollout restart`: the template's `kubectl.kubernetes.io/restartedAt`.
    RolloutRestart {
        workload: WorkloadTarget,
    },
    /// Create a role with this trust policy (its permissions are separate steps).
    CreateRole {
        role_name: String,
        document: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        description: Option<String>,
    },
    /// Replace a role's trust policy with `document` (the whole text).
    PutTrustPolicy {
        role_name: String,
        document: String,
    },
    /// Create or replace an inline policy of a role.
    PutRolePolicy {
        role_name: String,
        policy_name: String,
        document: String,
    },
    /// Attach a managed policy to a role.
    AttachRolePolicy {
        role_name: String,
        policy_arn: String,
    },
    /// Register the cluster's issuer as an IAM OIDC provider.
    CreateOidcProvider {
        /// `https://oidc.eks.REGION.amazonaws.com/id/ID`.
        url: String,
        client_ids: Vec<String>,
    },
    /// Add a client id (audience) to an existing OIDC provider.
    AddClientId {
        provider_arn: String,
        client_id: String,
    },
    CreatePodIdentityAssociation {
        cluster: String,
        namespace: String,
        service_account: String,
        role_arn: String,
    },
    // What undo takes back: the inverses of the creations above.
    DeleteServiceAccount {
        namespace: String,
        name: String,
    },
    DeleteRolePolicy {
        role_name: String,
        policy_name: String,
    },
    /// Delete a role the plan created (its policies are removed by the steps before).
    DeleteRole {
        role_name: String,
    },
    DetachRolePolicy {
        role_name: String,
        policy_arn: String,
    },
    DeleteOidcProvider {
        provider_arn: String,
    },
    RemoveClientId {
        provider_arn: String,
        client_id: String,
    },
    /// The association of `namespace/service_account` (its id is looked up when deleting).
    UpdatePodIdentityAssociation {
        cluster: String,
        namespace: String,
        service_account: String,
        role_arn: String,
    },
    DeletePodIdentityAssociation {
        cluster: String,
        namespace: String,
        service_account: String,
    },
    /// Install an EKS add-on (the Pod Identity agent, `eks-pod-identity-agent`) at its default
    /// version and configuration, as `eksctl utils migrate-to-pod-identity` does (field guide
    /// §3.1 step 2); the writer waits until it is ACTIVE.
    CreateAddon {
        cluster: String,
        name: String,
    },
    /// Remove an EKS add-on: what undo takes back of a [`Change::CreateAddon`].
    DeleteAddon {
        cluster: String,
        name: String,
    },
}

impl Change {
    pub fn system(&self) -> System {
        match self {
            Change::AnnotateServiceAccount { .. }
            | Change::CreateServiceAccount { .. }
            | Change::SetServiceAccountName { .. }
            | Change::SetEnv { .. }
            | Change::SetFsGroup { .. }
            | Change::RolloutRestart { .. }
            | Change::DeleteServiceAccount { .. } => System::Kubernetes,
            Change::CreateRole { .. }
            | Change::DeleteRole { .. }
            | Change::PutTrustPolicy { .. }
            | Change::PutRolePolicy { .. }
            | Change::AttachRolePolicy { .. }
            | Change::CreateOidcProvider { .. }
            | Change::AddClientId { .. }
            | Change::DeleteRolePolicy { .. }
            | Change::DetachRolePolicy { .. }
            | Change::DeleteOidcProvider { .. }
            | Change::RemoveClientId { .. } => System::Iam,
            Change::CreatePodIdentityAssociation { .. }
            | Change::UpdatePodIdentityAssociation { .. }
            | Change::DeletePodIdentityAssociation { .. }
            | Change::CreateAddon { .. }
            | Change::DeleteAddon { .. } => System::Eks,
        }
    }

    /// The step's `action` in the plan's JSON.
    pub fn action(&self) -> &'static str {
        match self {
            Change::AnnotateServiceAccount { value: Some(_), .. } => "annotate",
            Change::AnnotateServiceAccount { value: None, .. } => "remove-annotation",
            Change::CreateServiceAccount { .. } => "create",
            Change::SetServiceAccountName { .. } => "set-service-account",
            Change::SetEnv { value: Some(_), .. } => "set-env",
            Change::SetEnv { value: None, .. } => "remove-env",
            Change::SetFsGroup {
                fs_group: Some(_), ..
            } => "set-fs-group",
            Change::SetFsGroup { fs_group: None, .. } => "remove-fs-group",
            Change::CreateRole { .. } => "create-role",
            Change::DeleteRole { .. } => "delete-role",
            Change::RolloutRestart { .. } => "rollout-restart",
            Change::PutTrustPolicy { .. } => "update-trust-policy",
            Change::PutRolePolicy { .. } => "put-role-policy",
            Change::AttachRolePolicy { .. } => "attach-role-policy",
            Change::CreateOidcProvider { .. } => "create-oidc-provider",
            Change::AddClientId { .. } => "add-client-id",
            Change::CreatePodIdentityAssociation { .. } => "create-pod-identity-association",
            Change::DeleteServiceAccount { .. } => "delete",
            Change::DeleteRolePolicy { .. } => "delete-role-policy",
            Change::DetachRolePolicy { .. } => "detach-role-policy",
            Change::DeleteOidcProvider { .. } => "delete-oidc-provider",
            Change::RemoveClientId { .. } => "remove-client-id",
            Change::UpdatePodIdentityAssociation { .. } => "update-pod-identity-association",
            Change::DeletePodIdentityAssociation { .. } => "delete-pod-identity-association",
            Change::CreateAddon { .. } => "create-addon",
            Change::DeleteAddon { .. } => "delete-addon",
        }
    }
}

/// What a Kubernetes step was planned against, so the API server refuses it when that
/// changed (DESIGN.md "Fixes are data").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Precondition {
    /// The ServiceAccount's resourceVersion.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resource_version: Option<String>,
    /// The workload template's `serviceAccountName` (`None`: unset).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub service_account_name: Option<String>,
    /// The workload's `metadata.generation`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub generation: Option<i64>,
}

/// What an existing IAM object holds besides what a step changes, as read when planning: a
/// tool that takes the object over whole (`-o terraform` imports the role or provider) must
/// write these as they are, or its next run changes them (a role's `path` even replaces it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unchanged {
    /// A role's path (`/` unless it has one).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub tags: BTreeMap<String, String>,
    /// A role's permissions boundary (its policy ARN).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permissions_boundary: Option<String>,
    /// An OIDC provider's server certificate thumbprints.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub thumbprints: Vec<String>,
    /// The attributes that could not be read (their provider argument names, e.g.
    /// `description`): whoever takes the object over copies them by hand.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unread: Vec<String>,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub system: System,
    pub action: String,
    pub object: ObjectRef,
    /// The object's state as read when planning (YAML for Kubernetes objects, the policy
    /// document's text for IAM): `None` when the step creates it. `apply` refuses the step
    /// when the object no longer reads so.
    pub before: Option<String>,
    /// Its state once the step is made; `None` when the step deletes it.
    pub after: Option<String>,
    /// The equivalent `kubectl`/`aws` command, as the line to paste (quoted for a POSIX shell;
    /// read back with the same quoting rules).
    #[serde(with = "command_text")]
    pub command: CommandLine,
    /// The command that undoes it (the journal restores `before` itself).
    #[serde(with = "optional_command_text", default)]
    pub inverse: Option<CommandLine>,
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub precondition: Option<Precondition>,
    /// For a step on an existing IAM role or OIDC provider: the rest of it, as read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unchanged: Option<Unchanged>,
}

/// A command in a plan file: the rendered line, parsed back with the POSIX quoting it was
/// rendered with (so the argv is exactly what was planned).
mod command_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::model::CommandLine;

    pub fn serialize<S: Serializer>(c: &CommandLine, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&c.render())
    }

    pub fn parse<E: serde::de::Error>(line: &str) -> Result<CommandLine, E> {
        let argv =
            shlex::split(line).ok_or_else(|| E::custom("a command line with broken quoting"))?;
        if argv.is_empty() || argv.iter().any(|a| a.contains('\0')) {
            return Err(E::custom("a command needs a program and no NUL byte"));
        }
        Ok(CommandLine::new(argv))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CommandLine, D::Error> {
        parse(&String::deserialize(d)?)
    }
}

mod optional_command_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::model::CommandLine;

    pub fn serialize<S: Serializer>(c: &Option<CommandLine>, s: S) -> Result<S::Ok, S::Error> {
        match c {
            Some(c) => s.serialize_str(&c.render()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CommandLine>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|l| super::command_text::parse(&l))
            .transpose()
    }
}

/// A workload whose pods no controller restarts in place (a Job, a CronJob's runs): the plan
/// makes the identity fix and names it here instead of a restart step, with what the user does
/// so its pods start again and the webhook mutates them (issue 11 "Restarts"). The planner's
/// proof counts its pods as recreated; nothing is written for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recreate {
    /// `Job` or `CronJob`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// What to do, in a sentence.
    pub how: String,
    /// The command that starts it (a CronJob: a run now; a Job: the delete before re-creating
    /// it from its manifest).
    #[serde(with = "command_text")]
    pub command: CommandLine,
}

/// One way to resolve an ambiguous fix, for `--choice N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    /// 1-based, as `--choice` takes it.
    pub number: usize,
    /// What choosing it means, in a sentence.
    pub meaning: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanResult {
    Applied,
    NothingToDo,
    Planned,
    Declined,
    Conflict,
    Failed,
}

/// A plan for one target. `steps` empty with `manual` set: no safe automatic fix exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub schema_version: u32,
    /// The journal id the plan is applied under.
    pub id: String,
    pub target: String,
    pub steps: Vec<Step>,
    /// Set when the fix is ambiguous and `--choice N` must pick one.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub choices: Vec<Choice>,
    /// Why no safe automatic fix exists, and what to do by hand.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub manual: Option<String>,
    /// Workloads to re-create by hand once the steps are made (a Job, a CronJob's next run):
    /// no step restarts them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub recreate: Vec<Recreate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fix --dry-run -o json` is read back by `apply PLAN_FILE`: the JSON names are the
    /// interface, and a plan survives the trip unchanged.
    #[test]
    fn a_plan_reads_back_as_it_was_written_with_the_interfaces_names() {
        let change = Change::AnnotateServiceAccount {
            namespace: "shop".into(),
            name: "checkout".into(),
            key: "eks.amazonaws.com/role-arn".into(),
            value: Some("arn:aws:iam::111122223333:role/checkout".into()),
        };
        let plan = Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            id: "20261206-0001".into(),
            target: "deploy/checkout".into(),
            steps: vec![Step {
                system: change.system(),
                action: change.action().into(),
                object: ObjectRef {
                    kind: "ServiceAccount".into(),
                    namespace: Some("shop".into()),
                    name: Some("checkout".into()),
                    arn: None,
                },
                before: Some("metadata: {}".into()),
                after: Some("metadata: {annotations: {}}".into()),
                command: CommandLine::kubectl(["annotate", "sa", "checkout"]),
                inverse: None,
                change,
                precondition: None,
                unchanged: None,
            }],
            choices: Vec::new(),
            manual: None,
            recreate: Vec::new(),
        };
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(json["steps"][0]["system"], "kubernetes");
        assert_eq!(json["steps"][0]["action"], "annotate");
        assert_eq!(json["steps"][0]["object"]["kind"], "ServiceAccount");
        assert_eq!(json["steps"][0]["command"], "kubectl annotate sa checkout");
        assert_eq!(json["schemaVersion"], 1);
        assert!(
            json.get("recreate").is_none(),
            "additive: absent when empty"
        );
        let back: Plan = serde_json::from_value(json).unwrap();
        assert_eq!(back, plan);
        // A Job to re-create reads back with its command as the line to paste.
        let mut with_job = plan.clone();
        with_job.recreate.push(Recreate {
            kind: "Job".into(),
            namespace: "shop".into(),
            name: "backfill".into(),
            how: "delete and re-create it".into(),
            command: CommandLine::kubectl(["delete", "job", "backfill", "-n", "shop"]),
        });
        let json = serde_json::to_value(&with_job).unwrap();
        assert_eq!(json["recreate"][0]["kind"], "Job");
        assert_eq!(
            json["recreate"][0]["command"],
            "kubectl delete job backfill -n shop"
        );
        assert_eq!(serde_json::from_value::<Plan>(json).unwrap(), with_job);
    }

    #[test]
    fn a_plan_files_command_with_a_nul_byte_or_no_program_is_refused() {
        assert!(serde_json::from_str::<CommandLine>(r#"["kubectl","a\u0000b"]"#).is_err());
        assert!(serde_json::from_str::<CommandLine>("[]").is_err());
        assert!(serde_json::from_str::<CommandLine>(r#"["aws","sts"]"#).is_ok());
    }
}
