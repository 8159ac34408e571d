//! The `pod` link: which pods the workload has and the service account they run as; warns when
//! pods run as `default` while a configured service account that looks meant for them exists
//! (field guide A8).

use crate::diagnose::context::Ctx;
use crate::diagnose::k8s;
use crate::diagnose::suggest;
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;

pub fn check(ctx: &Ctx) -> LinkReport {
    let w = ctx.workload;
    let mut findings = Vec::new();
    let pods_known = ctx.pods_listed();
    let summary = if !w.pods.is_empty() {
        let ready = w.pods.iter().filter(|p| k8s::pod_ready(p)).count();
        format!(
            "{}, {ready} ready, running as {}",
            crate::model::words::count(w.pods.len(), "pod", "pods"),
            ctx.sa_name
        )
    } else if pods_known {
        findings.push(Finding::info(
            codes::NO_PODS,
            format!("{} has no pods; pod checks use its pod template", w.id),
        ));
        format!("no pods; template runs as {}", ctx.sa_name)
    } else {
        let missing = ctx.pods_gap().unwrap_or_else(|| {
            crate::model::Missing::not_collected(crate::model::CommandLine::kubectl([
                "get",
                "pods",
                "-n",
                &ctx.namespace,
                "-o",
                "yaml",
            ]))
        });
        // Never a green mark for pods nobody looked at: whether they exist, and what the
        // webhook gave them, is unknown until they are read (a template is not a pod).
        findings.push(Finding::unknown(
            codes::PODS_NOT_COLLECTED,
            missing.explain(&format!("the pod list of namespace {}", ctx.namespace)),
        ));
        format!("pods not collected; template runs as {}", ctx.sa_name)
    };
    if ctx.sa_name == "default"
        && let Some(f) = default_sa_warning(ctx)
    {
        findings.push(f);
    }
    LinkReport::from_findings(LinkName::Pod, summary, findings)
}

/// Pods on `default` while another service account in the namespace carries an AWS identity and
/// is named like the workload.
pub fn default_sa_warning(ctx: &Ctx) -> Option<Finding> {
    let default_configured = ctx
        .sa_object()
        .is_some_and(|sa| k8s::annotation(&sa.metadata, k8s::ROLE_ARN_ANNOTATION).is_some())
        || !ctx
            .ix
            .associations_for(&ctx.namespace, "default")
            .is_empty();
    if default_configured {
        return None;
    }
    let configured: Vec<&str> = ctx
        .ix
        .service_accounts_in(&ctx.namespace)
        .into_iter()
        .filter(|name| {
            let annotated = ctx
                .ix
                .service_account(&ctx.namespace, name)
                .is_some_and(|sa| {
                    k8s::annotation(&sa.metadata, k8s::ROLE_ARN_ANNOTATION).is_some()
                });
            annotated || !ctx.ix.associations_for(&ctx.namespace, name).is_empty()
        })
        .collect();
    // A configured SA named exactly like the workload is the likeliest one; `near` skips it.
    let exact = configured
        .iter()
        .copied()
        .find(|n| *n == ctx.workload.id.name);
    let sa = exact.or_else(|| {
        suggest::near(&ctx.workload.id.name, configured.iter().copied())
            .first()
            .copied()
    })?;
    Some(
        Finding::warning(
            codes::POD_USES_DEFAULT_SA,
            format!(
                "pods run as the `default` service account, while `{sa}` in the same namespace has an AWS identity and looks meant for {}",
                ctx.workload.id.name
            ),
        )
        .evidence(Evidence::new(format!("{}", ctx.workload.id)).field("spec.serviceAccountName").value("default (unset)"))
        .fix(Fix::new(format!("set `serviceAccountName: {sa}` in the pod template")))
        .reference("A8"),
    )
}
