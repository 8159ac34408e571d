//! The `injection` link: the pods really carry what the webhook injects for the configured
//! mechanism (IRSA: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + the token volume matching the
//! annotation; Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI + token file), the webhook that
//! injects them exists, nothing shadows them and the token is readable (those two in
//! `injection_chain`). Field guide A1-A6, B9, B11, B12, C14, F33, F39, G41.
//!
//! Each pod is checked on its own; findings of the same code across pods are merged.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::injection_env::{self as envs, ROLE_ARN_ENV, TOKEN_FILE_ENV};
use crate::diagnose::context::Ctx;
use crate::diagnose::k8s::{self, EnvValue};
use crate::model::CommandLine;
use crate::model::arn::RoleArn;
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport, Mechanism, Severity};
use crate::model::codes;

/// What the pods should carry.
pub struct Expected<'x> {
    pub mechanism: Mechanism,
    pub role: Option<&'x RoleArn>,
    pub audience: &'x str,
    /// When the annotation / association that enables injection was last written.
    pub configured_at: Option<jiff::Timestamp>,
}

pub fn check(ctx: &Ctx, expected: &Expected) -> LinkReport {
    let pods_known = ctx.pods_listed();
    let specs = ctx.workload.specs();
    if let Some(m @ crate::model::Missing::Denied { .. }) = ctx.ix.snap.kube.pods.missing() {
        return LinkReport::from_findings(
            LinkName::Injection,
            "pods could not be read",
            vec![Finding::unknown(
                codes::INJECTION_NOT_JUDGED,
                m.explain(&format!("the pods of {}", ctx.workload.id)),
            )],
        );
    }
    if specs.is_empty() {
        return LinkReport::from_findings(
            LinkName::Injection,
            "no pod or template to inspect",
            vec![Finding::unknown(
                codes::INJECTION_NOT_JUDGED,
                format!(
                    "no pods of {} were collected; collect them with `{}`",
                    ctx.workload.id,
                    CommandLine::kubectl(["get", "pods", "-n", &ctx.namespace, "-o", "yaml"])
                ),
            )],
        );
    }
    let from_template = ctx.workload.pods.is_empty();
    let mut findings = Vec::new();
    for (meta, spec) in &specs {
        let name = meta.map(k8s::name_of).unwrap_or("template").to_string();
        let object = if from_template {
            format!("{} pod template", ctx.workload.id)
        } else {
            format!("Pod {}/{name}", ctx.namespace)
        };
        check_spec(
            ctx,
            expected,
            *meta,
            spec,
            &object,
            from_template,
            &mut findings,
        );
    }
    if from_template {
        findings.push(Finding::info(
            codes::NO_PODS,
            if pods_known { "no pods exist: the webhook injects at pod creation, so only the template was checked" } else { "pods not collected: only the template was checked" },
        ));
    }
    let findings = merge(findings);
    let summary = summary(ctx, expected, from_template);
    LinkReport::from_findings(LinkName::Injection, summary, findings)
}

fn summary(ctx: &Ctx, expected: &Expected, from_template: bool) -> String {
    if from_template {
        return "template only (injection happens at pod creation)".to_string();
    }
    let total = ctx.workload.pods.len();
    let ok = ctx
        .workload
        .pods
        .iter()
        .filter(|p| {
            p.spec
                .as_ref()
                .is_some_and(|s| envs::pod_mechanism(s) == expected.mechanism)
        })
        .count();
    match expected.mechanism {
        Mechanism::Irsa => format!(
            "web identity env injected in {ok}/{total} {}",
            crate::model::words::noun(total, "pod", "pods")
        ),
        Mechanism::PodIdentity => format!(
            "container credentials env injected in {ok}/{total} {}",
            crate::model::words::noun(total, "pod", "pods")
        ),
        Mechanism::None => "no AWS identity configured".to_string(),
    }
}

/// Same code in several pods -> one finding with all the evidence.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        match out.iter_mut().find(|o| o.code == f.code) {
            Some(existing) => {
                for e in f.evidence {
                    if !existing.evidence.contains(&e) {
                        existing.evidence.push(e);
                    }
                }
            }
            None => out.push(f),
        }
    }
    out
}

fn restart_fix(ctx: &Ctx, why: &str) -> Fix {
    k8s::with_restart(
        Fix::new(format!(
            "recreate the pods so the webhook mutates them ({why})"
        )),
        ctx.workload.id.kind,
        &ctx.namespace,
        &ctx.workload.id.name,
    )
}

#[allow(clippy::too_many_arguments)]
fn check_spec(
    ctx: &Ctx,
    expected: &Expected,
    meta: Option<&ObjectMeta>,
    spec: &PodSpec,
    object: &str,
    from_template: bool,
    out: &mut Vec<Finding>,
) {
    let skip_label = meta.and_then(|m| k8s::label(m, k8s::SKIP_WEBHOOK_LABEL));
    let skipped = envs::skipped_containers(
        meta.and_then(|m| k8s::annotation(m, k8s::SKIP_CONTAINERS_ANNOTATION)),
    );
    let containers: Vec<_> = k8s::containers(spec)
        .filter(|c| !skipped.contains(&c.name))
        .collect();
    let injected = containers.iter().any(|c| match expected.mechanism {
        Mechanism::Irsa => envs::has_irsa_env(c),
        Mechanism::PodIdentity => envs::has_pod_identity_env(c),
        Mechanism::None => false,
    });

    // The webhook's objectSelector is `DoesNotExist` on the label key: any value, `false`
    // included, keeps the API server from calling it (A6).
    if let Some(v) = skip_label
        && !injected
    {
        let value_note = if v.eq_ignore_ascii_case("false") {
            " (the value does not matter: the webhook's objectSelector only tests that the label exists)"
        } else {
            ""
        };
        out.push(
            Finding::error(
                codes::SKIP_LABEL,
                format!(
                    "the pod carries `{}: {v}`, so the webhook does not inject credentials{value_note}",
                    k8s::SKIP_WEBHOOK_LABEL
                ),
            )
            .evidence(
                Evidence::new(object)
                    .field(format!("metadata.labels[{}]", k8s::SKIP_WEBHOOK_LABEL))
                    .value(v),
            )
            .fix(Fix::new(
                "remove the label from the pod template, then restart",
            ))
            .reference("A6"),
        );
    }
    if !skipped.is_empty() {
        let main_skipped = spec
            .containers
            .first()
            .is_some_and(|c| skipped.contains(&c.name));
        let finding = if main_skipped || containers.is_empty() {
            Finding::error(
                codes::SKIP_CONTAINER,
                format!(
                    "`{}` lists {}: the webhook leaves those containers without credentials",
                    k8s::SKIP_CONTAINERS_ANNOTATION,
                    skipped.join(", ")
                ),
            )
        } else {
            Finding::info(
                codes::SKIP_CONTAINER,
                format!(
                    "`{}` lists {}: those containers get no credentials",
                    k8s::SKIP_CONTAINERS_ANNOTATION,
                    skipped.join(", ")
                ),
            )
        };
        out.push(
            finding
                .evidence(
                    Evidence::new(object)
                        .field(format!(
                            "metadata.annotations[{}]",
                            k8s::SKIP_CONTAINERS_ANNOTATION
                        ))
                        .value(skipped.join(",")),
                )
                .reference("A6"),
        );
    }

    // An opt-out (label, or every container skipped) already explains a pod without
    // credentials: no second, vaguer "not injected" finding for it (A6).
    let opted_out =
        !injected && (skip_label.is_some() || (containers.is_empty() && !skipped.is_empty()));
    if !opted_out {
        match expected.mechanism {
            Mechanism::Irsa => check_irsa(
                ctx,
                expected,
                meta,
                spec,
                &containers,
                object,
                from_template,
                injected,
                out,
            ),
            Mechanism::PodIdentity => check_pod_identity(
                ctx,
                expected,
                meta,
                spec,
                &containers,
                object,
                from_template,
                injected,
                out,
            ),
            Mechanism::None => {}
        }
    }
    if injected && !from_template {
        // Running pods keep their credentials, but the next restart or scale-up gets none (A4).
        if let Some(mut f) = webhook_missing(ctx) {
            f.severity = Severity::Warning;
            f.message.push_str("; these pods were mutated before it disappeared, but pods created from now on get no credentials");
            out.push(f);
        }
    }
    super::injection_chain::check_shadowing(&containers, object, expected.mechanism, out);
    let found = out.len();
    super::injection_chain::check_token_readable(spec, &containers, object, out);
    super::injection_fixes::fs_group_fix(ctx, &mut out[found..]);
}

#[allow(clippy::too_many_arguments)]
fn check_irsa(
    ctx: &Ctx,
    expected: &Expected,
    meta: Option<&ObjectMeta>,
    spec: &PodSpec,
    containers: &[&k8s_openapi::api::core::v1::Container],
    object: &str,
    from_template: bool,
    injected: bool,
    out: &mut Vec<Finding>,
) {
    let template_env = |name: &str| {
        ctx.workload
            .template
            .and_then(|t| t.spec.as_ref())
            .is_some_and(|s| k8s::containers(s).any(|c| k8s::env(c, name).is_some()))
    };
    if !injected {
        if from_template {
            return;
        }
        if containers.iter().any(|c| envs::has_pod_identity_env(c)) {
            out.push(pod_identity_leftover(ctx, object));
            return;
        }
        out.push(not_injected(ctx, expected, meta, spec, object));
        out.extend(webhook_missing(ctx));
        return;
    }
    let Some(role) = expected.role else { return };
    for c in containers.iter().filter(|c| envs::has_irsa_env(c)) {
        let ev = |field: &str, value: &str| {
            Evidence::new(object)
                .field(format!("spec.containers[{}].{field}", c.name))
                .value(value)
        };
        if let Some(EnvValue::Literal(v)) = k8s::env(c, ROLE_ARN_ENV)
            && v != role.to_string()
        {
            let hard_coded = template_env(ROLE_ARN_ENV);
            let finding = if hard_coded {
                Finding::error(codes::ENV_HARDCODED, format!("`AWS_ROLE_ARN` is set in the manifest to {v}, not the annotated {role}; the webhook does not override an existing variable"))
                        .fix(super::injection_fixes::remove_env_fix(ctx, &c.name, &[ROLE_ARN_ENV, TOKEN_FILE_ENV], "remove AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE from the pod template and let the webhook inject them"))
                        .reference("A5")
            } else {
                Finding::error(codes::INJECTION_STALE, format!("the pod runs with role {v} but the service account now names {role}: it was created before the annotation changed"))
                        .fix(restart_fix(ctx, "the webhook only mutates at creation"))
                        .reference("A1")
            };
            out.push(finding.evidence(ev("env[AWS_ROLE_ARN]", v)));
        }
        if let Some(v) = k8s::env_literal(c, "AWS_STS_REGIONAL_ENDPOINTS")
            .filter(|v| v.eq_ignore_ascii_case("legacy"))
        {
            out.push(
                Finding::warning(codes::STS_LEGACY_ENDPOINT_ENV, format!("container `{}` sets AWS_STS_REGIONAL_ENDPOINTS={v}: older SDKs then call the global STS endpoint, which fails in opt-in and China regions (`InvalidIdentityToken`, `The provided token is malformed`)", c.name))
                    .evidence(ev("env[AWS_STS_REGIONAL_ENDPOINTS]", v))
                    .fix(Fix::new("remove the variable (the webhook sets `regional`) or set it to `regional`"))
                    .reference("C14"),
            );
        }
        let token_file = k8s::env_literal(c, TOKEN_FILE_ENV).unwrap_or_default();
        match envs::token_mount_audience(spec, c, token_file) {
            None => out.push(
                Finding::error(codes::TOKEN_VOLUME_MISSING, format!("container `{}` points AWS_WEB_IDENTITY_TOKEN_FILE at {token_file} but no projected token volume is mounted there", c.name))
                    .evidence(ev("volumeMounts", token_file))
                    .fix(Fix::new("remove the hand-written AWS variables from the manifest so the webhook injects variables, volume and mount together, then restart"))
                    .reference("A5"),
            ),
            Some(aud) => {
                let aud = aud.unwrap_or_default();
                if !aud.is_empty() && aud != expected.audience {
                    out.push(
                        Finding::error(codes::INJECTION_STALE, format!("the pod's token is issued for audience `{aud}` but the service account now asks for `{}`", expected.audience))
                            .evidence(ev("volumes[aws-iam-token].projected.serviceAccountToken.audience", &aud))
                            .fix(restart_fix(ctx, "the audience changed after the pod was created"))
                            .reference("C15"),
                    );
                }
            }
        }
    }
    if let Some(node) = spec.node_name.as_deref().and_then(|n| ctx.ix.node(n)) {
        let windows = node
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/os"))
            .is_some_and(|os| os == "windows");
        let selector = spec
            .node_selector
            .as_ref()
            .and_then(|s| s.get("kubernetes.io/os"))
            .is_some_and(|os| os == "windows");
        if windows && !selector {
            out.push(
                Finding::warning(codes::WINDOWS_NODE_SELECTOR, "the pod runs on a Windows node without `nodeSelector: kubernetes.io/os: windows`; the webhook then injects Linux token paths")
                    .evidence(Evidence::new(object).field("spec.nodeSelector").value("(no kubernetes.io/os)"))
                    .reference("G41"),
            );
        }
    }
}

/// Why an IRSA pod has no injected variables: created before the annotation, created in the
/// same instant as its service account, or the webhook is missing.
fn not_injected(
    ctx: &Ctx,
    expected: &Expected,
    meta: Option<&ObjectMeta>,
    spec: &PodSpec,
    object: &str,
) -> Finding {
    let created = meta.and_then(k8s::created);
    let sa_created = ctx.sa_object().and_then(|sa| k8s::created(&sa.metadata));
    let (mut msg, reference) = match (created, expected.configured_at, sa_created) {
        (Some(c), _, Some(s)) if c >= s && c.duration_since(s).as_secs_f64() < 1.0 => (
            format!("the pod has no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE: it was created {:.1}s after its service account, before the webhook's cache knew the annotation", c.duration_since(s).as_secs_f64()),
            "A2",
        ),
        (Some(c), Some(w), _) if c < w => (
            format!("the pod has no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE: it was created at {c} and the role annotation was written at {w}; the webhook only mutates pods at creation"),
            "A1",
        ),
        _ => (
            "the pod has no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE although its service account is annotated: the webhook did not mutate it (created before the annotation, or the webhook was unavailable: its failurePolicy is Ignore)".to_string(),
            "A1",
        ),
    };
    if spec.host_network == Some(true) {
        msg.push_str(
            "; with hostNetwork the SDK silently falls back to the node role through IMDS",
        );
    } else {
        msg.push_str("; the SDK falls back to the node's instance role or finds no credentials");
    }
    Finding::error(codes::INJECTION_MISSING, msg)
        .evidence(
            Evidence::new(object)
                .field("spec.containers[*].env")
                .value("no AWS_ROLE_ARN"),
        )
        .fix(restart_fix(ctx, "the webhook only mutates at creation"))
        .reference(reference)
}

/// An IRSA workload whose pods carry Pod Identity variables: they were created while an
/// association existed. Without one the agent refuses them (F39, A1); when associations were
/// not collected, one may still exist and the pods may well work.
fn pod_identity_leftover(ctx: &Ctx, object: &str) -> Finding {
    let ev = Evidence::new(object)
        .field("spec.containers[*].env")
        .value("AWS_CONTAINER_CREDENTIALS_FULL_URI, no AWS_ROLE_ARN");
    if !ctx.ix.snap.aws.associations.is_known() {
        return Finding::unknown(
            codes::INJECTION_NOT_JUDGED,
            "the pod runs on Pod Identity although the service account is set up for IRSA; the associations were not collected, so whether one still exists is unknown (collect `aws eks list-pod-identity-associations`)",
        )
        .evidence(ev);
    }
    Finding::error(
        codes::INJECTION_STALE,
        format!("the pod carries the Pod Identity variables, but no association exists for {}/{} any more: the agent refuses its credential requests. It was created while one existed", ctx.namespace, ctx.sa_name),
    )
    .evidence(ev)
    .fix(restart_fix(ctx, "so the webhook injects the IRSA variables"))
    .reference("F39")
}

/// The pod-identity-webhook configuration was collected and is absent (field guide A4): the
/// cause of every missing injection, so it gets its own finding.
pub fn webhook_missing(ctx: &Ctx) -> Option<Finding> {
    let hooks = ctx.ix.snap.kube.webhooks.known()?;
    let present = hooks.iter().any(|h| {
        h.metadata.name.as_deref() == Some("pod-identity-webhook")
            || h.webhooks
                .iter()
                .flatten()
                .any(|w| w.name == "iam-for-pods.amazonaws.com")
    });
    let names: Vec<&str> = hooks
        .iter()
        .filter_map(|h| h.metadata.name.as_deref())
        .collect();
    (!present).then(|| {
        Finding::error(codes::WEBHOOK_MISSING, "the MutatingWebhookConfiguration `pod-identity-webhook` (webhook iam-for-pods.amazonaws.com) does not exist, so nothing injects credentials into new pods")
            .evidence(Evidence::new("MutatingWebhookConfigurations").value(if names.is_empty() { "(none)".to_string() } else { names.join(", ") }))
            .fix(Fix::new("on EKS the control plane owns the webhook: open a support case or upgrade the cluster; on self-managed clusters redeploy amazon-eks-pod-identity-webhook, then restart the pods")
                .command(CommandLine::kubectl(["get", "mutatingwebhookconfiguration", "pod-identity-webhook", "-o", "yaml"])))
            .reference("A4")
    })
}

#[allow(clippy::too_many_arguments)]
fn check_pod_identity(
    ctx: &Ctx,
    expected: &Expected,
    meta: Option<&ObjectMeta>,
    spec: &PodSpec,
    containers: &[&k8s_openapi::api::core::v1::Container],
    object: &str,
    from_template: bool,
    injected: bool,
    out: &mut Vec<Finding>,
) {
    if spec.host_network == Some(true) {
        out.push(
            Finding::warning(codes::HOST_NETWORK_POD_IDENTITY, "the pod uses hostNetwork: Pod Identity credentials fail for hostNetwork pods (`EKS does not have permissions to assume the associated role`) while the same pod without hostNetwork works")
                .evidence(Evidence::new(object).field("spec.hostNetwork").value("true"))
                .fix(Fix::new("drop hostNetwork from the pod, or keep this workload on IRSA"))
                .reference("F33"),
        );
    }
    if from_template {
        return;
    }
    if injected {
        // Both sets in one container: the manifest set the web identity ones (the webhook
        // injects only Pod Identity when an association exists), and they come first (F39).
        for c in containers.iter().filter(|c| envs::has_irsa_env(c)) {
            let role = k8s::env_literal(c, ROLE_ARN_ENV).unwrap_or("(a reference)");
            out.push(
                Finding::error(codes::ENV_HARDCODED, format!("container `{}` also sets AWS_ROLE_ARN={role} and AWS_WEB_IDENTITY_TOKEN_FILE in its manifest: SDKs try web identity before container credentials, so the association is never used", c.name))
                    .evidence(Evidence::new(object).field(format!("spec.containers[{}].env[AWS_ROLE_ARN]", c.name)).value(role))
                    .fix(super::injection_fixes::remove_env_fix(ctx, &c.name, &[ROLE_ARN_ENV, TOKEN_FILE_ENV], "remove AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE from the pod template, then restart"))
                    .reference("F39"),
            );
        }
        return;
    }
    if containers.iter().any(|c| envs::has_irsa_env(c)) {
        out.push(
            Finding::warning(codes::STILL_ON_IRSA, "the pod still carries the IRSA variables and keeps using IRSA until it is recreated; new pods get Pod Identity")
                .evidence(Evidence::new(object).field("spec.containers[*].env").value("AWS_ROLE_ARN, no AWS_CONTAINER_CREDENTIALS_FULL_URI"))
                .fix(restart_fix(ctx, "to move it to Pod Identity"))
                .reference("F39"),
        );
        return;
    }
    let created = meta.and_then(k8s::created);
    let msg = match (created, expected.configured_at) {
        (Some(c), Some(a)) if c < a => format!("the pod has no AWS_CONTAINER_CREDENTIALS_FULL_URI: it was created at {c}, before the association ({a}); the webhook only mutates pods at creation"),
        _ => "the pod has no AWS_CONTAINER_CREDENTIALS_FULL_URI although an association exists: it was created before the association took effect (associations are eventually consistent) or the webhook skipped it".to_string(),
    };
    out.push(
        Finding::error(codes::INJECTION_MISSING, msg)
            .evidence(
                Evidence::new(object)
                    .field("spec.containers[*].env")
                    .value("no AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            )
            .fix(restart_fix(ctx, "the webhook only mutates at creation"))
            .reference("A1"),
    );
    out.extend(webhook_missing(ctx));
}
