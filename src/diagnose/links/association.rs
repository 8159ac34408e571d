//! The Pod Identity `association` link: an EKS pod identity association exists for exactly this
//! namespace/service account (field guide F36, A8: one for a Helm-prefixed or other-namespace SA
//! is silently never used), with its role, target role and owner.

use crate::diagnose::context::Ctx;
use crate::diagnose::k8s;
use crate::diagnose::suggest;
use crate::model::arn::RoleArn;
use crate::model::aws::PodIdentityAssociation;
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;
use crate::model::command::{CommandLine, placeholder};

pub struct AssociationOutcome<'a> {
    pub report: LinkReport,
    pub association: Option<&'a PodIdentityAssociation>,
    pub role: Option<RoleArn>,
}

fn create_command(ctx: &Ctx, role: &str) -> CommandLine {
    CommandLine::aws([
        "eks",
        "create-pod-identity-association",
        "--cluster-name",
        &ctx.cluster_name(),
        "--namespace",
        &ctx.namespace,
        "--service-account",
        &ctx.sa_name,
        "--role-arn",
        role,
    ])
}

fn assoc_evidence(a: &PodIdentityAssociation) -> Evidence {
    Evidence::new(format!("Pod identity association {}", a.association_id))
        .field("namespace/serviceAccount")
        .value(format!(
            "{}/{} -> {}",
            a.namespace,
            a.service_account,
            a.role_arn.as_deref().unwrap_or("?")
        ))
}

/// Both an IRSA annotation and an association: which one pods use (field guide F39).
pub fn both_mechanisms(ctx: &Ctx) -> Finding {
    Finding::warning(
        codes::BOTH_MECHANISMS,
        format!(
            "{} has both an IRSA role-arn annotation and a Pod Identity association: pods created since the association get Pod Identity (the webhook prefers it), older pods keep IRSA until restarted, and a pod carrying both sets of variables uses web identity (earlier in the SDK chain)",
            ctx.sa_display()
        ),
    )
    .fix(Fix::new("keep one mechanism: remove the annotation once every pod runs on Pod Identity, or delete the association"))
    .reference("F39")
}

pub fn check<'a>(ctx: &Ctx<'a, '_>) -> AssociationOutcome<'a> {
    let Some(all) = ctx.ix.snap.aws.associations.known() else {
        let missing = ctx
            .ix
            .snap
            .aws
            .associations
            .missing()
            .cloned()
            .unwrap_or_else(|| {
                crate::model::Missing::not_collected(CommandLine::aws([
                    "eks",
                    "list-pod-identity-associations",
                    "--cluster-name",
                    &ctx.cluster_name(),
                ]))
            });
        return AssociationOutcome {
            report: LinkReport::from_findings(
                LinkName::Association,
                "associations not collected",
                vec![Finding::unknown(
                    codes::ASSOCIATIONS_NOT_COLLECTED,
                    missing.explain("the cluster's pod identity associations"),
                )],
            ),
            association: None,
            role: None,
        };
    };
    let mine = ctx.ix.associations_for(&ctx.namespace, &ctx.sa_name);
    let Some(assoc) = mine.first().copied() else {
        return AssociationOutcome {
            report: missing_association(ctx, all),
            association: None,
            role: None,
        };
    };
    // EKS keeps one association per namespace/service account (a second create is
    // `ResourceInUseException`), so the first is the one.
    let mut findings = Vec::new();
    if let Some(owner) = &assoc.owner_arn {
        findings.push(
            Finding::info(codes::ASSOCIATION_ADDON_OWNED, format!("the association is owned by {owner}; change it through the add-on, not with pod-identity-association commands"))
                .evidence(assoc_evidence(assoc))
                .reference("G44"),
        );
    }
    if let Some(target) = &assoc.target_role_arn {
        findings.push(
            Finding::info(codes::ASSOCIATION_TARGET_ROLE, format!("EKS assumes {} and then the target role {target} (role chaining; credentials are cached 59 minutes)", assoc.role_arn.as_deref().unwrap_or("the association's role")))
                .evidence(assoc_evidence(assoc))
                .reference("F36"),
        );
    }
    if let Some(f) = recent_change(ctx, assoc) {
        findings.push(f);
    }
    let sa_annotated = ctx
        .sa_object()
        .is_some_and(|sa| k8s::annotation(&sa.metadata, k8s::ROLE_ARN_ANNOTATION).is_some());
    if sa_annotated {
        findings.push(both_mechanisms(ctx));
    }
    let role = match &assoc.role_arn {
        None => {
            findings.push(Finding::unknown(
                codes::ASSOCIATION_DETAIL_MISSING,
                format!(
                    "the association's role was not collected; collect it with `{}`",
                    CommandLine::aws([
                        "eks",
                        "describe-pod-identity-association",
                        "--cluster-name",
                        &ctx.cluster_name(),
                        "--association-id",
                        &assoc.association_id,
                    ])
                ),
            ));
            None
        }
        Some(arn) => RoleArn::parse(arn).ok(),
    };
    let summary = format!(
        "{} -> {}",
        assoc.association_id,
        assoc.role_arn.as_deref().unwrap_or("role not collected")
    );
    AssociationOutcome {
        report: LinkReport::from_findings(LinkName::Association, summary, findings),
        association: Some(assoc),
        role,
    }
}

/// Seconds after creating an association during which EKS may not serve it yet ("may take
/// several seconds", CreatePodIdentityAssociation docs).
const PROPAGATION_SECONDS: i64 = 10;

/// The association changed under running pods (field guide F37): the agent caches credentials
/// for up to 6 hours (59 minutes with a target role) and an edit does not reset the cache, so
/// pods started before the change may still act as the previous role; and pods created within
/// seconds of the association's creation may have started before EKS served it. Both are read
/// from timestamps the facts carry (the association's and the pods'), never from a clock.
fn recent_change(ctx: &Ctx, assoc: &PodIdentityAssociation) -> Option<Finding> {
    let created = assoc.created_at.as_deref().and_then(k8s::parse_time);
    let modified = assoc.modified_at.as_deref().and_then(k8s::parse_time);
    let pods = ctx
        .workload
        .pods
        .iter()
        .filter_map(|p| k8s::created(&p.metadata).map(|t| (k8s::name_of(&p.metadata), t)));
    let cache = if assoc.target_role_arn.is_some() {
        "59 minutes"
    } else {
        "6 hours"
    };
    let mut edited_under = Vec::new();
    let mut raced = Vec::new();
    for (name, started) in pods {
        if let (Some(c), Some(m)) = (created, modified)
            && m > c
            && started < m
        {
            edited_under.push(name);
        }
        if let Some(c) = created
            && started >= c
            && started.as_second() - c.as_second() < PROPAGATION_SECONDS
        {
            raced.push(name);
        }
    }
    // Timestamps as parsed, not as written: sources format them differently (the AWS CLI
    // with microseconds and an offset, the SDK in RFC 3339 with `Z`).
    let shown = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or("?".into());
    let evidence = Evidence::new(format!("Pod identity association {}", assoc.association_id))
        .field("createdAt / modifiedAt")
        .value(format!("{} / {}", shown(created), shown(modified)));
    let restart = || {
        k8s::with_restart(
            Fix::new("restart the pods so they fetch credentials for the association as it is now"),
            ctx.workload.id.kind,
            &ctx.namespace,
            &ctx.workload.id.name,
        )
    };
    if !edited_under.is_empty() {
        return Some(
            Finding::warning(
                codes::ASSOCIATION_RECENT,
                format!(
                    "the association was changed at {} after {} started; the Pod Identity agent caches credentials for up to {cache} and an edit does not reset that cache, so these pods may still act as the previous role until they are restarted",
                    shown(modified),
                    edited_under.join(", ")
                ),
            )
            .evidence(evidence)
            .fix(restart())
            .reference("F37"),
        );
    }
    if !raced.is_empty() {
        return Some(
            Finding::info(
                codes::ASSOCIATION_RECENT,
                format!(
                    "{} started within {PROPAGATION_SECONDS} seconds of the association's creation; EKS serves a new association only after several seconds, so a pod that came up without credentials then needs a restart",
                    raced.join(", ")
                ),
            )
            .evidence(evidence)
            .fix(restart())
            .reference("F37"),
        );
    }
    None
}

fn missing_association(ctx: &Ctx, all: &[PodIdentityAssociation]) -> LinkReport {
    let same_ns: Vec<&PodIdentityAssociation> = all
        .iter()
        .filter(|a| a.namespace == ctx.namespace)
        .collect();
    let near = suggest::near(
        &ctx.sa_name,
        same_ns.iter().map(|a| a.service_account.as_str()),
    );
    let other_ns: Vec<&PodIdentityAssociation> = all
        .iter()
        .filter(|a| a.service_account == ctx.sa_name && a.namespace != ctx.namespace)
        .collect();
    let mut message = format!(
        "no pod identity association exists for {}/{}",
        ctx.namespace, ctx.sa_name
    );
    let mut finding_evidence = Vec::new();
    let mut meant_role: Option<String> = None;
    if let Some(name) = near.first() {
        message.push_str(&format!(
            "; there is one for `{name}` in the same namespace, which these pods do not run as"
        ));
        if let Some(a) = same_ns.iter().find(|a| a.service_account == *name) {
            finding_evidence.push(assoc_evidence(a));
            meant_role = a.role_arn.clone();
        }
    } else if let Some(a) = other_ns.first() {
        message.push_str(&format!(
            "; there is one for the same name in namespace `{}`",
            a.namespace
        ));
        finding_evidence.push(assoc_evidence(a));
        meant_role = a.role_arn.clone();
    }
    if meant_role.is_none() {
        meant_role = ctx
            .ix
            .roles_trusting(&ctx.namespace, &ctx.sa_name)
            .iter()
            .find(|t| t.pod_identity)
            .map(|t| t.role_arn.clone());
    }
    // Only a role ARN STS would accept is copied into the command; otherwise the placeholder.
    let role_for_fix = meant_role
        .as_deref()
        .and_then(|r| RoleArn::parse(r).ok())
        .map(|r| r.to_string())
        .unwrap_or_else(|| placeholder::ROLE_ARN.to_string());
    let mut words = Fix::new(match near.first() {
        Some(name) => format!(
            "create the association for `{}` (or run the pods as `{name}`), then restart the pods",
            ctx.sa_name
        ),
        None => "create the association, then restart the pods".to_string(),
    })
    .command(create_command(ctx, &role_for_fix));
    // As data when it is the one fix; a look-alike service account makes it a choice.
    if let (Some(role), Some(cluster)) = (
        meant_role.as_deref().and_then(|r| RoleArn::parse(r).ok()),
        ctx.ix.cluster.as_ref().map(|c| c.name.clone()),
    ) {
        let create = crate::model::plan::Change::CreatePodIdentityAssociation {
            cluster,
            namespace: ctx.namespace.clone(),
            service_account: ctx.sa_name.clone(),
            role_arn: role.to_string(),
        };
        let w = &ctx.workload.id;
        let restart = k8s::plan_workload(w.kind, &ctx.namespace, &w.name)
            .map(|workload| crate::model::plan::Change::RolloutRestart { workload });
        // Running the pods as the look-alike is a way only if that service account exists.
        let switch = near
            .first()
            .filter(|other| ctx.ix.service_account(&ctx.namespace, other).is_some())
            .and_then(|other| {
                k8s::switch_service_account(w.kind, &ctx.namespace, &w.name, other)
                    .map(|changes| (other, changes))
            });
        words = match switch {
            Some((other, switch)) => words
                .choice(
                    format!("create an association for `{}` with {role}", ctx.sa_name),
                    std::iter::once(create).chain(restart).collect(),
                )
                .choice(
                    format!("run the pods as `{other}`, which has an association"),
                    switch,
                ),
            // No look-alike to run as: creating the association is the one fix.
            None => words.change(create),
        };
    }
    let fix = k8s::with_restart(
        words,
        ctx.workload.id.kind,
        &ctx.namespace,
        &ctx.workload.id.name,
    );
    let mut finding = Finding::error(codes::ASSOCIATION_MISSING, message)
        .fix(fix)
        .reference("F36");
    for e in finding_evidence {
        finding = finding.evidence(e);
    }
    finding = finding.evidence(
        Evidence::new(format!("{}", ctx.workload.id))
            .field("spec.serviceAccountName")
            .value(ctx.sa_name.clone()),
    );
    LinkReport::from_findings(
        LinkName::Association,
        format!("no association for {}/{}", ctx.namespace, ctx.sa_name),
        vec![finding],
    )
}
