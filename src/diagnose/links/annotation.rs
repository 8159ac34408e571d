//! The IRSA `annotation` link: `eks.amazonaws.com/role-arn` on the service account is present
//! and a valid role ARN (field guide C17, G43), with the audience, regional-STS and token
//! expiration annotations checked alongside; a near-miss key or a stripped annotation is named
//! with the role that was meant (A7).

use crate::diagnose::context::Ctx;
use crate::diagnose::index::TrustRef;
use crate::diagnose::k8s::{self, ROLE_ARN_ANNOTATION};
use crate::model::arn::RoleArn;
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;
use crate::model::command::{CommandLine, placeholder};

/// What the annotation link hands to the rest of the chain.
pub struct AnnotationOutcome {
    pub report: LinkReport,
    pub role: Option<RoleArn>,
    pub audience: String,
}

const KNOWN_KEYS: &[&str] = &[
    ROLE_ARN_ANNOTATION,
    k8s::AUDIENCE_ANNOTATION,
    k8s::REGIONAL_STS_ANNOTATION,
    k8s::TOKEN_EXPIRATION_ANNOTATION,
];

/// `kubectl annotate` setting the role-arn annotation to `arn` (a role ARN, or
/// [`placeholder::ROLE_ARN`]).
fn annotate_command(ctx: &Ctx, arn: &str) -> CommandLine {
    CommandLine::kubectl([
        "annotate",
        "serviceaccount",
        &ctx.sa_name,
        "-n",
        &ctx.namespace,
        &format!("{ROLE_ARN_ANNOTATION}={arn}"),
        "--overwrite",
    ])
}

pub fn check(ctx: &Ctx) -> AnnotationOutcome {
    let mut findings = Vec::new();
    let Some(sa) = ctx.sa_object() else {
        return AnnotationOutcome {
            report: LinkReport::skipped(LinkName::Annotation, LinkName::ServiceAccount),
            role: None,
            audience: k8s::DEFAULT_AUDIENCE.to_string(),
        };
    };
    let meta = &sa.metadata;
    let audience = k8s::annotation(meta, k8s::AUDIENCE_ANNOTATION)
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or(k8s::DEFAULT_AUDIENCE)
        .to_string();
    let evidence = |field: &str, value: &str| {
        Evidence::new(ctx.sa_display())
            .field(format!("metadata.annotations[{field}]"))
            .value(value)
    };

    let role = match k8s::annotation(meta, ROLE_ARN_ANNOTATION) {
        None => {
            findings.extend(missing_annotation(ctx, meta));
            None
        }
        Some(value) => match RoleArn::parse(value) {
            Err(reason) => {
                let from_a_guide = ["YOUR_", "${", "<", "ACCOUNT_ID", "XXXX"]
                    .iter()
                    .any(|p| value.contains(p));
                let mut msg = format!("the role ARN annotation is not a valid role ARN: {reason}");
                if from_a_guide {
                    msg.push_str(
                        "; it looks like a placeholder from a setup guide that was never replaced",
                    );
                }
                msg.push_str(" (STS answers `ValidationError: Request ARN is invalid`)");
                findings.push(
                    Finding::error(codes::ROLE_ARN_MALFORMED, msg)
                        .evidence(evidence(ROLE_ARN_ANNOTATION, value))
                        .fix(Fix::new("set the annotation to the role's ARN exactly as `aws iam get-role` prints it")
                            .command(annotate_command(ctx, placeholder::ROLE_ARN)))
                        .reference("C17"),
                );
                None
            }
            // A role ARN of another partition names no role STS can find (C14): like a
            // malformed ARN, nothing after the annotation can be judged with it.
            Ok(role) => check_role_arn(ctx, &role, value, &mut findings).then_some(role),
        },
    };

    if audience != k8s::DEFAULT_AUDIENCE {
        findings.push(
            Finding::info(
                codes::AUDIENCE_ANNOTATION,
                format!("tokens are issued for audience `{audience}` instead of `sts.amazonaws.com`; the OIDC provider and the trust policy must both use it"),
            )
            .evidence(evidence(k8s::AUDIENCE_ANNOTATION, &audience))
            .reference("C15"),
        );
    }
    if let Some(v) = k8s::annotation(meta, k8s::REGIONAL_STS_ANNOTATION)
        && v.trim() != "true"
    {
        findings.push(
                Finding::warning(
                    codes::STS_GLOBAL_ENDPOINT,
                    format!("`{}: {v}` makes SDKs call the global STS endpoint; opt-in and China regions then fail with `InvalidIdentityToken` or `SignatureDoesNotMatch`", k8s::REGIONAL_STS_ANNOTATION),
                )
                .evidence(evidence(k8s::REGIONAL_STS_ANNOTATION, v))
                .fix(Fix::new("use regional STS (set the annotation to \"true\" and restart the pods)"))
                .reference("C18"),
            );
    }
    if let Some(v) = k8s::annotation(meta, k8s::TOKEN_EXPIRATION_ANNOTATION) {
        match v.trim().parse::<i64>() {
            Ok(secs) if (600..=86_400).contains(&secs) => {}
            _ => findings.push(
                Finding::warning(
                    codes::TOKEN_EXPIRATION_INVALID,
                    format!("`{}: {v}` is not a number of seconds between 600 and 86400; the webhook falls back to its default", k8s::TOKEN_EXPIRATION_ANNOTATION),
                )
                .evidence(evidence(k8s::TOKEN_EXPIRATION_ANNOTATION, v)),
            ),
        }
    }
    if !ctx
        .ix
        .associations_for(&ctx.namespace, &ctx.sa_name)
        .is_empty()
        && role.is_some()
    {
        findings.push(super::association::both_mechanisms(ctx));
    }
    let summary = match (&role, k8s::annotation(meta, ROLE_ARN_ANNOTATION)) {
        (Some(r), _) => r.to_string(),
        (None, Some(v)) => format!("invalid: {v}"),
        (None, None) => "no role-arn annotation".to_string(),
    };
    AnnotationOutcome {
        report: LinkReport::from_findings(LinkName::Annotation, summary, findings),
        role,
        audience,
    }
}

/// Checks a well-formed role ARN against the cluster; false when STS cannot use it at all.
fn check_role_arn(ctx: &Ctx, role: &RoleArn, value: &str, findings: &mut Vec<Finding>) -> bool {
    let ev = Evidence::new(ctx.sa_display())
        .field(format!("metadata.annotations[{ROLE_ARN_ANNOTATION}]"))
        .value(value);
    if let Some(cluster) = &ctx.ix.cluster {
        if cluster.partition != role.partition {
            findings.push(
                Finding::error(
                    codes::ROLE_ARN_PARTITION_MISMATCH,
                    format!("the role ARN is in partition `{}` but the cluster runs in `{}` ({}); STS cannot find the role", role.partition, cluster.partition, cluster.region),
                )
                .evidence(ev.clone())
                .fix(Fix::new(format!("use `arn:{}:iam::...` for the role", cluster.partition)))
                .reference("C14"),
            );
            return false;
        } else if cluster.account != role.account {
            findings.push(
                Finding::info(
                    codes::ROLE_CROSS_ACCOUNT,
                    format!("the role is in account {} while the cluster is in {}; the cluster's OIDC provider must also exist in {}", role.account, cluster.account, role.account),
                )
                .evidence(ev.clone())
                .reference("C13"),
            );
        }
    }
    if role.has_path() {
        findings.push(
            Finding::info(
                codes::ROLE_ARN_PATH,
                format!("the role has the path `{}`: valid for IRSA, but tools that expect `role/NAME` (eksctl's migration among them) reject it", role.path),
            )
            .evidence(ev)
            .reference("G43"),
        );
    }
    true
}

/// No role-arn annotation: a near-miss key, or the role whose trust names this SA.
fn missing_annotation(
    ctx: &Ctx,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> Vec<Finding> {
    let typo = meta.annotations.iter().flatten().find(|(k, v)| {
        let k = k.as_str();
        !KNOWN_KEYS.contains(&k)
            && (strsim::levenshtein(k, ROLE_ARN_ANNOTATION) <= 4
                || (k.contains("role") && (v.contains(":role/") || k.contains("amazonaws"))))
    });
    if let Some((key, value)) = typo {
        // The fix is about the key: the value is copied only when it is a role ARN STS would
        // accept; anything else (a placeholder, or text that is no ARN at all) is not carried
        // into a command [field guide A7].
        let (arn, summary) = match RoleArn::parse(value) {
            Ok(role) => (
                role.to_string(),
                format!("rename the annotation to `{ROLE_ARN_ANNOTATION}` and restart the pods"),
            ),
            Err(reason) => (
                placeholder::ROLE_ARN.to_string(),
                format!(
                    "annotate with `{ROLE_ARN_ANNOTATION}` set to the role's ARN (the misspelt key's value is not a valid role ARN: {reason}), remove the misspelt key and restart the pods"
                ),
            ),
        };
        let remove_typo = CommandLine::kubectl([
            "annotate",
            "serviceaccount",
            &ctx.sa_name,
            "-n",
            &ctx.namespace,
            &format!("{key}-"),
        ]);
        let fix = Fix::new(summary)
            .command(annotate_command(ctx, &arn))
            .command(remove_typo);
        return vec![Finding::error(
            codes::ANNOTATION_KEY_TYPO,
            format!(
                "the service account has `{key}` but the webhook only reads `{ROLE_ARN_ANNOTATION}`"
            ),
        )
        .evidence(
            Evidence::new(ctx.sa_display())
                .field(format!("metadata.annotations[{key}]"))
                .value(value.clone()),
        )
        .fix(k8s::with_restart(
            fix,
            ctx.workload.id.kind,
            &ctx.namespace,
            &ctx.workload.id.name,
        ))
        .reference("A7")];
    }
    let trusting = ctx.ix.roles_trusting(&ctx.namespace, &ctx.sa_name);
    // Only a statement naming this service account exactly says it was meant to use the
    // role; a wildcard subject that happens to match is a security warning, never intent.
    let (wide, exact): (Vec<&&TrustRef>, Vec<&&TrustRef>) = trusting
        .iter()
        .filter(|t| !t.pod_identity)
        .partition(|t| t.subject.contains(['*', '?']));
    let irsa_roles: Vec<&str> = exact.iter().map(|t| t.role_arn.as_str()).collect();
    let mut out: Vec<Finding> = wide
        .iter()
        .map(|t| wildcard_reach(ctx, &t.role_arn, &t.subject))
        .collect();
    // A targeted service account no pod runs as yet is asked about for its AWS identity;
    // anything else without a sign of wanting one simply has none.
    let asked = ctx.workload.id.kind == crate::model::workload::WorkloadKind::ServiceAccount;
    if irsa_roles.is_empty() && !asked && !crate::diagnose::chain::uses_aws(ctx) {
        out.insert(
            0,
            Finding::info(
                codes::NO_AWS_IDENTITY,
                format!(
                    "{} has no `{ROLE_ARN_ANNOTATION}` annotation and no Pod Identity association, and nothing shows it should: pods get no AWS identity of their own (SDKs fall back to the node's role where the instance metadata service is reachable)",
                    ctx.sa_display()
                ),
            ),
        );
        return out;
    }
    let mut finding = Finding::error(
        codes::ANNOTATION_MISSING,
        match irsa_roles.first() {
            Some(role) => format!("the service account has no `{ROLE_ARN_ANNOTATION}` annotation, but role {role} trusts it: the annotation was probably removed or never applied"),
            None => format!("the service account has no `{ROLE_ARN_ANNOTATION}` annotation and no Pod Identity association, so pods get no AWS identity"),
        },
    )
    .evidence(Evidence::new(ctx.sa_display()).field("metadata.annotations").value(
        meta.annotations
            .as_ref()
            .map(|a| a.keys().cloned().collect::<Vec<_>>().join(", "))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "(none)".to_string()),
    ))
    .reference("A7");
    // A role whose ARN STS would refuse is not copied into a command: the trust names the
    // service account, but the annotation must hold a valid ARN [field guide C17].
    finding = match irsa_roles.iter().find_map(|r| RoleArn::parse(r).ok()) {
        Some(role) => finding.fix(k8s::with_restart(
            Fix::new("annotate the service account with the role, then restart the pods")
                .command(annotate_command(ctx, &role.to_string()))
                .change(crate::model::plan::Change::AnnotateServiceAccount {
                    namespace: ctx.namespace.clone(),
                    name: ctx.sa_name.clone(),
                    key: ROLE_ARN_ANNOTATION.to_string(),
                    value: Some(role.to_string()),
                }),
            ctx.workload.id.kind,
            &ctx.namespace,
            &ctx.workload.id.name,
        )),
        None => finding.fix(
            Fix::new("create a role whose trust names this service account and annotate the service account with it (or create a Pod Identity association)")
                .command(annotate_command(ctx, placeholder::ROLE_ARN)),
        ),
    };
    out.insert(0, finding);
    out
}

/// A role whose trust reaches this service account only through a wildcard subject: any pod
/// running as a matching service account, in any namespace the pattern allows, can assume it
/// (field guide D25). A security warning on the role, not a sign this workload wants it.
fn wildcard_reach(ctx: &Ctx, role_arn: &str, pattern: &str) -> Finding {
    Finding::warning(
        codes::TRUST_WILDCARD_REACHES,
        format!(
            "role {role_arn} trusts `{pattern}`, which matches {}: any pod running as a matching service account can assume that role, whether it was meant to or not; name the service accounts it is for instead",
            ctx.sa_display()
        ),
    )
    .evidence(
        Evidence::new(format!("IAM role {role_arn} trust policy"))
            .field("Condition (sub)")
            .value(pattern),
    )
    .reference("D25")
}
