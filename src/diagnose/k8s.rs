//! Small read-only helpers over Kubernetes objects shared by the link checks: annotations,
//! labels, environment variables, readiness and timestamps.

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::model::CommandLine;
use crate::model::chain::Fix;
use crate::model::workload::WorkloadKind;

pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
pub const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
pub const REGIONAL_STS_ANNOTATION: &str = "eks.amazonaws.com/sts-regional-endpoints";
pub const TOKEN_EXPIRATION_ANNOTATION: &str = "eks.amazonaws.com/token-expiration";
pub const SKIP_WEBHOOK_LABEL: &str = "eks.amazonaws.com/skip-pod-identity-webhook";
pub const SKIP_CONTAINERS_ANNOTATION: &str = "eks.amazonaws.com/skip-containers";
pub const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";

pub fn annotation<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

pub fn label<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

pub fn name_of(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("<unnamed>")
}

/// An environment variable as a container declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue<'a> {
    Literal(&'a str),
    /// From a Secret key (name of the Secret).
    Secret(&'a str),
    /// From a ConfigMap, field or resource reference.
    Reference,
}

pub fn env<'c>(container: &'c Container, name: &str) -> Option<EnvValue<'c>> {
    let var = container
        .env
        .as_ref()?
        .iter()
        .rev()
        .find(|e| e.name == name)?;
    if let Some(v) = &var.value {
        return Some(EnvValue::Literal(v));
    }
    match var
        .value_from
        .as_ref()
        .and_then(|f| f.secret_key_ref.as_ref())
    {
        Some(s) => Some(EnvValue::Secret(&s.name)),
        None if var.value_from.is_some() => Some(EnvValue::Reference),
        None => Some(EnvValue::Literal("")),
    }
}

pub fn env_literal<'c>(container: &'c Container, name: &str) -> Option<&'c str> {
    match env(container, name)? {
        EnvValue::Literal(v) => Some(v),
        _ => None,
    }
}

/// All containers that run the workload's code (init containers included: they may call AWS).
pub fn containers(spec: &PodSpec) -> impl Iterator<Item = &Container> {
    spec.init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
}

pub fn pod_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

pub fn created(meta: &ObjectMeta) -> Option<jiff::Timestamp> {
    meta.creation_timestamp.as_ref().map(|t| t.0)
}

/// When the annotation `key` was last written, from managedFields (the newest entry that owns
/// it); falls back to the object's creation time.
pub fn annotation_written(meta: &ObjectMeta, key: &str) -> Option<jiff::Timestamp> {
    let needle = format!("\"f:{key}\"");
    let from_fields = meta.managed_fields.as_ref().and_then(|fields| {
        fields
            .iter()
            .filter(|f| {
                f.fields_v1
                    .as_ref()
                    .is_some_and(|v| v.0.to_string().contains(&needle))
            })
            .filter_map(|f| f.time.as_ref().map(|t| t.0))
            .max()
    });
    from_fields.or_else(|| created(meta))
}

pub fn parse_time(text: &str) -> Option<jiff::Timestamp> {
    text.parse::<jiff::Timestamp>().ok()
}

/// The command that recreates a workload's pods so the webhook mutates them again:
/// `kubectl rollout restart` for the kinds that have it, the [`recreate`] command for a Job or
/// a CronJob, a delete for the others (the fix's words then say to recreate the object, see
/// [`with_restart`]); `None` for a service account no pod runs as yet (pods started later get
/// the change anyway).
pub fn restart_command(kind: WorkloadKind, ns: &str, name: &str) -> Option<CommandLine> {
    match kind {
        WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => {
            Some(CommandLine::kubectl([
                "rollout",
                "restart",
                kind.short(),
                name,
                "-n",
                ns,
            ]))
        }
        WorkloadKind::Job | WorkloadKind::CronJob => recreate(kind, ns, name).map(|r| r.command),
        WorkloadKind::Pod | WorkloadKind::ReplicaSet => Some(CommandLine::kubectl([
            "delete",
            kind.short(),
            name,
            "-n",
            ns,
        ])),
        WorkloadKind::ServiceAccount => None,
    }
}

/// The workload as a plan names it, for the kinds whose controller recreates pods from a
/// template a plan can edit and restart.
pub fn plan_workload(
    kind: WorkloadKind,
    ns: &str,
    name: &str,
) -> Option<crate::model::plan::WorkloadTarget> {
    matches!(
        kind,
        WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
    )
    .then(|| crate::model::plan::WorkloadTarget {
        kind: kind.kind_name().to_string(),
        namespace: ns.to_string(),
        name: name.to_string(),
    })
}

/// "Run the pods as `sa`" as data: the template's service account, then a restart; `None`
/// for a workload a plan cannot edit.
pub fn switch_service_account(
    kind: WorkloadKind,
    ns: &str,
    name: &str,
    sa: &str,
) -> Option<Vec<crate::model::plan::Change>> {
    let workload = plan_workload(kind, ns, name)?;
    Some(vec![
        crate::model::plan::Change::SetServiceAccountName {
            workload: workload.clone(),
            service_account: sa.to_string(),
        },
        crate::model::plan::Change::RolloutRestart { workload },
    ])
}

/// A Job's or a CronJob's pods as a plan names them for re-creation by hand: a Job's pod
/// template cannot be changed or restarted, so the Job is deleted and re-created from its
/// manifest; a CronJob's next run makes a new Job whose pods the webhook mutates then.
/// `None` for the other kinds (a controller restarts them, or nothing recreates a bare pod).
pub fn recreate(kind: WorkloadKind, ns: &str, name: &str) -> Option<crate::model::plan::Recreate> {
    let (how, command) = match kind {
        WorkloadKind::Job => (
            "its pods keep the identity they started with and cannot be restarted: after the fix, delete the Job and re-create it from its manifest (`kubectl apply -f`)".to_string(),
            CommandLine::kubectl(["delete", "job", name, "-n", ns]),
        ),
        WorkloadKind::CronJob => (
            "its next scheduled run starts pods with the change (a run in progress keeps the identity it started with); to run it now, create a Job from it".to_string(),
            CommandLine::kubectl([
                "create".to_string(),
                "job".to_string(),
                format!("{name}-irsa-fix"),
                format!("--from=cronjob/{name}"),
                "-n".to_string(),
                ns.to_string(),
            ]),
        ),
        _ => return None,
    };
    Some(crate::model::plan::Recreate {
        kind: kind.kind_name().to_string(),
        namespace: ns.to_string(),
        name: name.to_string(),
        how,
        command,
    })
}

/// `fix` followed by the restart of the workload's pods: its command, and for kinds Kubernetes
/// cannot restart in place words saying what to do instead (a bare pod or a ReplicaSet: the
/// command deletes it and it must be recreated from its manifest; a Job or a CronJob: the
/// [`recreate`] a plan names).
pub fn with_restart(fix: Fix, kind: WorkloadKind, ns: &str, name: &str) -> Fix {
    let mut fix = fix.commands(restart_command(kind, ns, name));
    // As data only where a controller recreates the pods; a Job or a CronJob's run is
    // re-created by hand, which a plan names ([`recreate`]) and its proof counts as done; a
    // bare pod has no owner to recreate it, so no plan can prove it done.
    if matches!(
        kind,
        WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
    ) {
        fix = fix.change(crate::model::plan::Change::RolloutRestart {
            workload: crate::model::plan::WorkloadTarget {
                kind: kind.kind_name().to_string(),
                namespace: ns.to_string(),
                name: name.to_string(),
            },
        });
    }
    if let Some(r) = recreate(kind, ns, name) {
        fix.summary
            .push_str(&format!("; the {}: {}", kind.kind_name(), r.how));
        fix.recreate.push(r);
    }
    if matches!(kind, WorkloadKind::Pod | WorkloadKind::ReplicaSet) {
        fix.summary.push_str(&format!(
            "; `kubectl delete` removes the {}: recreate it from its manifest",
            kind.kind_name()
        ));
    }
    fix
}
