//! Runs one workload's chain: decides the configured mechanism (an association wins over the
//! annotation, as the webhook does), calls the link checks in order and decides which links
//! are skipped.

use super::context::Ctx;
use super::k8s;
use super::links::{self, injection};
use crate::model::chain::{LinkName, LinkReport, Mechanism};
use crate::model::report::{PodSummary, WorkloadReport};

/// Does the workload show any intent to use AWS identity?
pub fn uses_aws(ctx: &Ctx) -> bool {
    let annotated = ctx.sa_object().is_some_and(|sa| {
        sa.metadata.annotations.as_ref().is_some_and(|a| a.keys().any(|k| k.starts_with("eks.amazonaws.com/") || k.contains("role-arn")))
    });
    let associated = !ctx.ix.associations_for(&ctx.namespace, &ctx.sa_name).is_empty();
    let env = ctx.workload.specs().iter().any(|(_, s)| links::injection_env::pod_mechanism(s) != Mechanism::None);
    let trusted = !ctx.ix.roles_trusting(&ctx.namespace, &ctx.sa_name).iter().all(|t| t.subject.contains('*'));
    let is_agent = ctx.workload.pods.iter().any(|p| super::index::is_agent_pod(p));
    !is_agent && (annotated || associated || env || trusted || orphan_association_meant(ctx))
}

/// An association in the namespace names a service account that does not exist and whose name
/// is close to this workload's (a Helm release prefix, a typo: field guide A8, F36).
fn orphan_association_meant(ctx: &Ctx) -> bool {
    let orphans: Vec<&str> = ctx
        .ix
        .all_associations()
        .filter(|a| a.namespace == ctx.namespace && ctx.ix.service_account(&a.namespace, &a.service_account).is_none())
        .map(|a| a.service_account.as_str())
        .collect();
    !super::suggest::near(&ctx.sa_name, orphans).is_empty()
}

fn configured_mechanism(ctx: &Ctx) -> Mechanism {
    if !ctx.ix.associations_for(&ctx.namespace, &ctx.sa_name).is_empty() {
        return Mechanism::PodIdentity;
    }
    if ctx.sa_object().is_some_and(|sa| k8s::annotation(&sa.metadata, k8s::ROLE_ARN_ANNOTATION).is_some()) {
        return Mechanism::Irsa;
    }
    // Nothing configured: what the pods carry, else what a trusting role expects.
    let from_pods = ctx.workload.specs().iter().map(|(_, s)| links::injection_env::pod_mechanism(s)).find(|m| *m != Mechanism::None);
    if let Some(m) = from_pods {
        return m;
    }
    let refs = ctx.ix.roles_trusting(&ctx.namespace, &ctx.sa_name);
    if (!refs.is_empty() && refs.iter().all(|r| r.pod_identity)) || orphan_association_meant(ctx) {
        return Mechanism::PodIdentity;
    }
    Mechanism::None
}

fn pods(ctx: &Ctx) -> Vec<PodSummary> {
    ctx.workload
        .pods
        .iter()
        .map(|p| PodSummary {
            name: k8s::name_of(&p.metadata).to_string(),
            node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
            effective_mechanism: p.spec.as_ref().map(links::injection_env::pod_mechanism).unwrap_or(Mechanism::None),
            phase: p.status.as_ref().and_then(|s| s.phase.clone()),
        })
        .collect()
}

pub fn diagnose_workload(ctx: &Ctx) -> WorkloadReport {
    let mechanism = configured_mechanism(ctx);
    let mut links = vec![links::pod::check(ctx), links::service_account::check(ctx)];
    let sa_ok = ctx.sa_object().is_some();
    let mut role_arn = None;
    match mechanism {
        Mechanism::PodIdentity => pod_identity_chain(ctx, sa_ok, &mut links, &mut role_arn),
        Mechanism::Irsa | Mechanism::None => irsa_chain(ctx, sa_ok, &mut links, &mut role_arn),
    }
    WorkloadReport {
        namespace: ctx.namespace.clone(),
        kind: ctx.workload.id.kind,
        name: ctx.workload.id.name.clone(),
        service_account: ctx.sa_name.clone(),
        mechanism,
        status: crate::model::Status::Ok,
        broken_link: None,
        role_arn,
        pods: pods(ctx),
        links,
    }
    .finish()
}

fn skip_rest(links: &mut Vec<LinkReport>, order: &[LinkName], because: LinkName) {
    for l in order {
        if !links.iter().any(|x| x.link == *l) {
            links.push(LinkReport::skipped(*l, because));
        }
    }
}

fn irsa_chain(ctx: &Ctx, sa_ok: bool, links: &mut Vec<LinkReport>, role_arn: &mut Option<String>) {
    if !sa_ok {
        skip_rest(links, &LinkName::IRSA, LinkName::ServiceAccount);
        return;
    }
    let ann = links::annotation::check(ctx);
    let annotation_ok = ann.role.is_some();
    links.push(ann.report);
    let Some(role) = ann.role else {
        skip_rest(links, &LinkName::IRSA, LinkName::Annotation);
        return;
    };
    *role_arn = Some(role.to_string());
    let configured_at = ctx.sa_object().and_then(|sa| k8s::annotation_written(&sa.metadata, k8s::ROLE_ARN_ANNOTATION));
    links.push(injection::check(ctx, &injection::Expected { mechanism: Mechanism::Irsa, role: Some(&role), audience: &ann.audience, configured_at }));
    let _ = annotation_ok;
    let r = links::role::check(ctx, &role, Mechanism::Irsa);
    links.push(r.report);
    links.push(links::oidc_provider::check(ctx, &role, &ann.audience));
    match r.role {
        Some(iam_role) => {
            links.push(links::trust_irsa::check(ctx, iam_role, &role, &ann.audience));
            links.push(links::permissions::check(ctx, iam_role, None));
        }
        None => skip_rest(links, &LinkName::IRSA, LinkName::Role),
    }
}

fn pod_identity_chain(ctx: &Ctx, sa_ok: bool, links: &mut Vec<LinkReport>, role_arn: &mut Option<String>) {
    if !sa_ok {
        skip_rest(links, &LinkName::POD_IDENTITY, LinkName::ServiceAccount);
        return;
    }
    let assoc = links::association::check(ctx);
    links.push(assoc.report);
    let (Some(association), Some(role)) = (assoc.association, assoc.role) else {
        links.push(links::agent::check(ctx));
        let because = LinkName::Association;
        let status_unknown = links.iter().any(|l| l.link == LinkName::Association && l.status == crate::model::Status::Unknown);
        for l in [LinkName::Injection, LinkName::Role, LinkName::Trust, LinkName::Permissions] {
            if status_unknown {
                links.push(LinkReport::from_findings(l, "not checked: the association is not known", vec![]));
                if let Some(last) = links.last_mut() {
                    last.status = crate::model::Status::Unknown;
                }
            } else {
                links.push(LinkReport::skipped(l, because));
            }
        }
        links.sort_by_key(|l| LinkName::POD_IDENTITY.iter().position(|x| *x == l.link));
        return;
    };
    *role_arn = Some(role.to_string());
    let configured_at = association.created_at.as_deref().and_then(k8s::parse_time);
    links.push(injection::check(ctx, &injection::Expected { mechanism: Mechanism::PodIdentity, role: Some(&role), audience: "pods.eks.amazonaws.com", configured_at }));
    let r = links::role::check(ctx, &role, Mechanism::PodIdentity);
    links.push(r.report);
    links.push(links::agent::check(ctx));
    match r.role {
        Some(iam_role) => {
            links.push(links::trust_pod_identity::check(ctx, iam_role, association));
            let perm_role = association.target_role_arn.as_deref().and_then(|t| ctx.ix.role(t)).unwrap_or(iam_role);
            links.push(links::permissions::check(ctx, perm_role, Some(association)));
        }
        None => skip_rest(links, &LinkName::POD_IDENTITY, LinkName::Role),
    }
}
