//! Runs one workload's chain: decides the configured mechanism (an association wins over the
//! annotation, as the webhook does), calls the link checks in order and decides which links
//! are skipped (an earlier link is broken) or not judged (an earlier link is unknown).

use super::context::{Ctx, SaLookup};
use super::k8s;
use super::links::{self, injection};
use crate::model::Status;
use crate::model::chain::{LinkName, LinkReport, Mechanism};
use crate::model::report::{PodSummary, WorkloadReport};
use crate::model::workload::WorkloadKind;

/// Does the workload show any intent to use AWS identity?
pub fn uses_aws(ctx: &Ctx) -> bool {
    let annotated = ctx
        .sa_object()
        .is_some_and(|sa| super::select::shows_identity(&sa.metadata));
    let associated = !ctx
        .ix
        .associations_for(&ctx.namespace, &ctx.sa_name)
        .is_empty();
    let env = ctx
        .workload
        .specs()
        .iter()
        .any(|(_, s)| links::injection_env::pod_mechanism(s) != Mechanism::None);
    let trusted = !ctx
        .ix
        .roles_trusting(&ctx.namespace, &ctx.sa_name)
        .iter()
        .all(|t| t.subject.contains('*'));
    let is_agent = ctx
        .workload
        .pods
        .iter()
        .any(|p| super::index::is_agent_pod(p));
    !is_agent
        && (annotated
            || associated
            || env
            || trusted
            || orphan_association_meant(ctx)
            || identity_meant(ctx))
}

/// Has the service account an AWS identity (role-arn annotation or association)?
fn has_identity(ctx: &Ctx, ns: &str, sa: &str) -> bool {
    let annotated = ctx
        .ix
        .service_account(ns, sa)
        .is_some_and(|o| k8s::annotation(&o.metadata, k8s::ROLE_ARN_ANNOTATION).is_some());
    annotated || !ctx.ix.associations_for(ns, sa).is_empty()
}

/// The pods miss an identity that looks meant for them (field guide A8): their service account
/// does not exist while a near-miss name in the namespace has one, or they run as `default`
/// next to a configured service account named like the workload.
fn identity_meant(ctx: &Ctx) -> bool {
    match ctx.sa {
        SaLookup::NotFound => {
            let configured = ctx
                .ix
                .service_accounts_in(&ctx.namespace)
                .into_iter()
                .filter(|n| has_identity(ctx, &ctx.namespace, n));
            !super::suggest::near(&ctx.sa_name, configured).is_empty()
        }
        SaLookup::Found(_) => {
            ctx.sa_name == "default" && links::pod::default_sa_warning(ctx).is_some()
        }
        SaLookup::Unknown(_) => false,
    }
}

/// An association names a service account that does not exist in its (collected) namespace,
/// and it looks meant for this workload: a close name in the same namespace (a Helm release
/// prefix, a typo), or the same name in another namespace (field guide A8, F36).
fn orphan_association_meant(ctx: &Ctx) -> bool {
    let listed = |ns: &str| {
        ctx.ix
            .snap
            .kube
            .service_accounts
            .known()
            .is_some_and(|l| l.complete_for(ns))
    };
    let orphans: Vec<_> = ctx
        .ix
        .all_associations()
        .filter(|a| {
            listed(&a.namespace)
                && ctx
                    .ix
                    .service_account(&a.namespace, &a.service_account)
                    .is_none()
        })
        .collect();
    let same_ns = orphans
        .iter()
        .filter(|a| a.namespace == ctx.namespace)
        .map(|a| a.service_account.as_str());
    !super::suggest::near(&ctx.sa_name, same_ns).is_empty()
        || orphans
            .iter()
            .any(|a| a.namespace != ctx.namespace && a.service_account == ctx.sa_name)
}

fn configured_mechanism(ctx: &Ctx) -> Mechanism {
    if !ctx
        .ix
        .associations_for(&ctx.namespace, &ctx.sa_name)
        .is_empty()
    {
        return Mechanism::PodIdentity;
    }
    if ctx
        .sa_object()
        .is_some_and(|sa| k8s::annotation(&sa.metadata, k8s::ROLE_ARN_ANNOTATION).is_some())
    {
        return Mechanism::Irsa;
    }
    // Nothing configured: what the pods carry, else what a trusting role expects.
    let from_pods = ctx
        .workload
        .specs()
        .iter()
        .map(|(_, s)| links::injection_env::pod_mechanism(s))
        .find(|m| *m != Mechanism::None);
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
            effective_mechanism: p
                .spec
                .as_ref()
                .map(links::injection_env::pod_mechanism)
                .unwrap_or(Mechanism::None),
            phase: p.status.as_ref().and_then(|s| s.phase.clone()),
        })
        .collect()
}

pub fn diagnose_workload(ctx: &Ctx) -> WorkloadReport {
    let mechanism = configured_mechanism(ctx);
    let mut links = vec![pod_link(ctx), links::service_account::check(ctx)];
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
        status: Status::Ok,
        broken_link: None,
        role_arn,
        pods: pods(ctx),
        links,
    }
    .finish()
}

/// A service account no workload runs as yet: there is no pod to look at, nor an injection to
/// check; the rest of the chain is what a pod starting now would get.
fn idle_service_account(ctx: &Ctx) -> bool {
    ctx.workload.id.kind == WorkloadKind::ServiceAccount
}

const NO_PODS_YET: &str = "no pods run as this service account yet";

fn pod_link(ctx: &Ctx) -> LinkReport {
    if idle_service_account(ctx) {
        return LinkReport::not_applicable(LinkName::Pod, NO_PODS_YET);
    }
    links::pod::check(ctx)
}

fn injection_link(ctx: &Ctx, expected: &injection::Expected) -> LinkReport {
    if idle_service_account(ctx) {
        return LinkReport::not_applicable(LinkName::Injection, NO_PODS_YET);
    }
    injection::check(ctx, expected)
}

/// Adds the links of `order` not yet reported: `skipped` when `because` is broken, not judged
/// (`unknown`) when `because` could not be judged itself.
fn skip_rest(links: &mut Vec<LinkReport>, order: &[LinkName], because: LinkName) {
    let unknown = links
        .iter()
        .any(|l| l.link == because && l.status == Status::Unknown);
    for l in order {
        if !links.iter().any(|x| x.link == *l) {
            links.push(if unknown {
                not_judged(*l, because)
            } else {
                LinkReport::skipped(*l, because)
            });
        }
    }
}

fn not_judged(link: LinkName, because: LinkName) -> LinkReport {
    let mut report = LinkReport::from_findings(
        link,
        format!("not checked: the {because} link could not be judged"),
        Vec::new(),
    );
    report.status = Status::Unknown;
    report
}

fn irsa_chain(ctx: &Ctx, sa_ok: bool, links: &mut Vec<LinkReport>, role_arn: &mut Option<String>) {
    if !sa_ok {
        skip_rest(links, &LinkName::IRSA, LinkName::ServiceAccount);
        return;
    }
    let ann = links::annotation::check(ctx);
    let none_configured = ann
        .report
        .findings
        .iter()
        .any(|f| f.code == crate::model::codes::NO_AWS_IDENTITY);
    links.push(ann.report);
    let Some(role) = ann.role else {
        if none_configured {
            for l in &LinkName::IRSA {
                if !links.iter().any(|x| x.link == *l) {
                    links.push(LinkReport::not_applicable(*l, "no AWS identity configured"));
                }
            }
        } else {
            skip_rest(links, &LinkName::IRSA, LinkName::Annotation);
        }
        return;
    };
    *role_arn = Some(role.to_string());
    let configured_at = ctx
        .sa_object()
        .and_then(|sa| k8s::annotation_written(&sa.metadata, k8s::ROLE_ARN_ANNOTATION));
    links.push(injection_link(
        ctx,
        &injection::Expected {
            mechanism: Mechanism::Irsa,
            role: Some(&role),
            audience: &ann.audience,
            configured_at,
        },
    ));
    let r = links::role::check(ctx, &role, Mechanism::Irsa);
    links.push(r.report);
    links.push(links::oidc_provider::check(ctx, &role, &ann.audience));
    match r.role {
        Some(iam_role) => {
            links.push(links::trust_irsa::check(
                ctx,
                iam_role,
                &role,
                &ann.audience,
            ));
            links.push(links::permissions::check(ctx, iam_role, None));
        }
        None => skip_rest(links, &LinkName::IRSA, LinkName::Role),
    }
}

fn pod_identity_chain(
    ctx: &Ctx,
    sa_ok: bool,
    links: &mut Vec<LinkReport>,
    role_arn: &mut Option<String>,
) {
    if !sa_ok {
        skip_rest(links, &LinkName::POD_IDENTITY, LinkName::ServiceAccount);
        return;
    }
    let assoc = links::association::check(ctx);
    links.push(assoc.report);
    let (Some(association), Some(role)) = (assoc.association, assoc.role) else {
        links.push(links::agent::check(ctx));
        skip_rest(links, &LinkName::POD_IDENTITY, LinkName::Association);
        links.sort_by_key(|l| LinkName::POD_IDENTITY.iter().position(|x| *x == l.link));
        return;
    };
    *role_arn = Some(role.to_string());
    let configured_at = association.created_at.as_deref().and_then(k8s::parse_time);
    links.push(injection_link(
        ctx,
        &injection::Expected {
            mechanism: Mechanism::PodIdentity,
            role: Some(&role),
            audience: "pods.eks.amazonaws.com",
            configured_at,
        },
    ));
    let r = links::role::check(ctx, &role, Mechanism::PodIdentity);
    links.push(r.report);
    links.push(links::agent::check(ctx));
    match r.role {
        Some(iam_role) => {
            links.push(links::trust_pod_identity::check(ctx, iam_role, association));
            let perm_role = association
                .target_role_arn
                .as_deref()
                .and_then(|t| ctx.ix.role(t))
                .unwrap_or(iam_role);
            links.push(links::permissions::check(ctx, perm_role, Some(association)));
        }
        None => skip_rest(links, &LinkName::POD_IDENTITY, LinkName::Role),
    }
}
