//! Folds what `doctor --prove` observed into the report, purely: which service accounts to
//! prove, and how STS's answer maps to a link (field guide's error-string quick map):
//! `No OpenIDConnect provider found` / `Incorrect token audience` / `could not be validated` ->
//! oidc-provider, `Not authorized to perform sts:AssumeRoleWithWebIdentity` -> trust,
//! `Request ARN is invalid` -> annotation. Disagreements with the local evaluation are shown,
//! never hidden.

use std::collections::BTreeSet;

use super::k8s;
use crate::model::chain::{Evidence, Finding, LinkName, LinkReport, Mechanism, Severity, Status};
use crate::model::codes;
use crate::model::proof::{ProofOutcome, ProofResult};
use crate::model::{Report, Snapshot};

/// A service account to prove: (namespace, service account, role ARN, token audience).
pub type ProveTarget = (String, String, String, String);

/// Every distinct IRSA service account of the report with a role ARN.
pub fn targets(report: &Report, snap: &Snapshot) -> Vec<ProveTarget> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for w in report
        .workloads
        .iter()
        .filter(|w| w.mechanism == Mechanism::Irsa)
    {
        let Some(role) = &w.role_arn else { continue };
        if !seen.insert((w.namespace.clone(), w.service_account.clone())) {
            continue;
        }
        let audience = snap
            .kube
            .service_accounts
            .known()
            .and_then(|l| {
                l.items.iter().find(|sa| {
                    sa.metadata.namespace.as_deref() == Some(&w.namespace)
                        && sa.metadata.name.as_deref() == Some(&w.service_account)
                })
            })
            .and_then(|sa| {
                k8s::annotation(&sa.metadata, k8s::AUDIENCE_ANNOTATION).map(str::to_string)
            })
            .unwrap_or_else(|| k8s::DEFAULT_AUDIENCE.to_string());
        out.push((
            w.namespace.clone(),
            w.service_account.clone(),
            role.clone(),
            audience,
        ));
    }
    out
}

/// The link an STS error points at.
pub fn link_for_sts_error(code: &str, message: &str) -> Option<LinkName> {
    let m = message.to_ascii_lowercase();
    match code {
        "InvalidIdentityToken" | "IDPCommunicationError" | "IDPRejectedClaim" => {
            Some(LinkName::OidcProvider)
        }
        "AccessDenied"
            if m.contains("assumerolewithwebidentity") || m.contains("not authorized") =>
        {
            Some(LinkName::Trust)
        }
        "ValidationError" if m.contains("arn is invalid") => Some(LinkName::Annotation),
        _ if m.contains("no openidconnect provider") || m.contains("audience") => {
            Some(LinkName::OidcProvider)
        }
        _ => None,
    }
}

fn push(link: &mut LinkReport, f: Finding) {
    let s = match f.severity {
        Severity::Error => Status::Broken,
        Severity::Unknown => Status::Unknown,
        Severity::Warning => Status::Warning,
        Severity::Info => Status::Ok,
    };
    if link.status == Status::Skipped && s == Status::Ok {
        link.findings.push(f);
        return;
    }
    link.status = Status::worst(link.status, s);
    link.findings.push(f);
}

fn find(links: &mut [LinkReport], name: LinkName) -> Option<&mut LinkReport> {
    links.iter_mut().find(|l| l.link == name)
}

pub fn apply(report: &mut Report, outcomes: &[ProofOutcome]) {
    for p in outcomes {
        for w in report
            .workloads
            .iter_mut()
            .filter(|w| w.namespace == p.namespace && w.service_account == p.service_account)
        {
            let ev = Evidence::new("STS AssumeRoleWithWebIdentity")
                .field("RoleArn")
                .value(p.role_arn.clone());
            match &p.result {
                ProofResult::Assumed { caller_arn } => {
                    let broken_before: Vec<LinkName> = w
                        .links
                        .iter()
                        .filter(|l| {
                            l.status == Status::Broken
                                && [
                                    LinkName::Annotation,
                                    LinkName::OidcProvider,
                                    LinkName::Trust,
                                ]
                                .contains(&l.link)
                        })
                        .map(|l| l.link)
                        .collect();
                    if let Some(trust) = find(&mut w.links, LinkName::Trust) {
                        push(
                            trust,
                            Finding::info(
                                codes::PROVE_OK,
                                format!(
                                    "STS issued credentials; GetCallerIdentity says {caller_arn}"
                                ),
                            )
                            .evidence(ev.clone()),
                        );
                    }
                    for l in broken_before {
                        if let Some(link) = find(&mut w.links, l) {
                            push(link, Finding::warning(codes::PROVE_DIFFERS, "STS accepted the token although this link looks broken locally: the snapshot may be stale or incomplete").evidence(ev.clone()));
                        }
                    }
                }
                ProofResult::StsError { code, message } => {
                    let target = link_for_sts_error(code, message).unwrap_or(LinkName::Trust);
                    if let Some(link) = find(&mut w.links, target) {
                        let was_ok = link.status != Status::Broken;
                        push(
                            link,
                            Finding::error(
                                codes::PROVE_FAILED,
                                format!("STS refused the token: {code}: {message}"),
                            )
                            .evidence(ev.clone()),
                        );
                        if was_ok {
                            push(link, Finding::warning(codes::PROVE_DIFFERS, "the local evaluation found nothing wrong here; STS is the authority").evidence(ev.clone()));
                        }
                    }
                }
                ProofResult::NotRun { reason } => {
                    if let Some(trust) = find(&mut w.links, LinkName::Trust) {
                        push(
                            trust,
                            Finding::unknown(
                                codes::PROVE_NOT_RUN,
                                format!("the proof did not run: {reason}"),
                            ),
                        );
                    }
                }
            }
            apply_simulations(w, p);
        }
    }
    for w in &mut report.workloads {
        let finished = std::mem::replace(w, w.clone()).finish();
        *w = finished;
    }
    report.proofs = outcomes.to_vec();
    report.summarize();
}

fn apply_simulations(w: &mut crate::model::WorkloadReport, p: &ProofOutcome) {
    let Some(perms) = find(&mut w.links, LinkName::Permissions) else {
        return;
    };
    if let Some(note) = &p.simulation_note {
        push(
            perms,
            Finding::info(
                codes::SIMULATION_DIFFERS,
                format!("IAM's SimulatePrincipalPolicy could not run: {note}"),
            ),
        );
    }
    for s in &p.simulations {
        let local_allowed = perms.findings.iter().any(|f| {
            f.code == codes::PERMISSION_ALLOWED
                && f.message
                    .starts_with(&format!("{} on {} ", s.action, s.resource))
        });
        let aws_allowed = s.decision == "allowed";
        if local_allowed == aws_allowed {
            push(
                perms,
                Finding::info(
                    codes::SIMULATION_AGREES,
                    format!(
                        "IAM's simulation agrees: {} on {} is {}",
                        s.action, s.resource, s.decision
                    ),
                ),
            );
        } else {
            push(
                perms,
                Finding::warning(
                    codes::SIMULATION_DIFFERS,
                    format!(
                        "IAM's simulation says {} on {} is {}, the local evaluation says {}; SCPs, resource policies or data not in the snapshot can explain it",
                        s.action,
                        s.resource,
                        s.decision,
                        if local_allowed { "allowed" } else { "denied" }
                    ),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::{Selection, diagnose};
    use crate::model::proof::Simulation;

    #[test]
    fn sts_errors_point_at_the_documented_links() {
        let cases = [
            (
                "InvalidIdentityToken",
                "No OpenIDConnect provider found in your account for https://oidc.eks.eu-west-1.amazonaws.com/id/X",
                LinkName::OidcProvider,
            ),
            (
                "InvalidIdentityToken",
                "Incorrect token audience",
                LinkName::OidcProvider,
            ),
            (
                "IDPCommunicationError",
                "Couldn't retrieve verification key from your identity provider",
                LinkName::OidcProvider,
            ),
            (
                "AccessDenied",
                "Not authorized to perform sts:AssumeRoleWithWebIdentity",
                LinkName::Trust,
            ),
            (
                "ValidationError",
                "Request ARN is invalid",
                LinkName::Annotation,
            ),
        ];
        for (code, message, link) in cases {
            assert_eq!(
                link_for_sts_error(code, message),
                Some(link),
                "{code}: {message}"
            );
        }
        assert_eq!(link_for_sts_error("Throttling", "Rate exceeded"), None);
    }

    fn demo_report() -> (Report, Snapshot) {
        let snap = crate::sources::demo::load().unwrap();
        let sel = Selection {
            namespace: Some("langflow".into()),
            ..Selection::default()
        };
        (diagnose(&snap, &sel).unwrap(), snap)
    }

    fn outcome(result: ProofResult) -> ProofOutcome {
        ProofOutcome {
            namespace: "langflow".into(),
            service_account: "langflow-sa".into(),
            role_arn: "arn:aws:iam::123456789012:role/LangflowBedrockRole".into(),
            audience: "sts.amazonaws.com".into(),
            result,
            simulations: vec![Simulation {
                action: "bedrock:InvokeModel".into(),
                resource: "*".into(),
                decision: "implicitDeny".into(),
            }],
            simulation_note: None,
        }
    }

    #[test]
    fn targets_are_the_irsa_service_accounts() {
        let (report, snap) = demo_report();
        assert_eq!(
            targets(&report, &snap),
            vec![(
                "langflow".into(),
                "langflow-sa".into(),
                "arn:aws:iam::123456789012:role/LangflowBedrockRole".into(),
                "sts.amazonaws.com".into()
            )]
        );
    }

    #[test]
    fn an_sts_refusal_breaks_its_link_and_says_the_local_view_differed() {
        let (mut report, _) = demo_report();
        assert_eq!(report.workloads[0].broken_link, None);
        apply(
            &mut report,
            &[outcome(ProofResult::StsError {
                code: "InvalidIdentityToken".into(),
                message: "No OpenIDConnect provider found in your account for https://x".into(),
            })],
        );
        let w = &report.workloads[0];
        assert_eq!(w.broken_link, Some(LinkName::OidcProvider));
        let codes: Vec<&str> = w
            .link(LinkName::OidcProvider)
            .unwrap()
            .findings
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, vec![codes::PROVE_FAILED, codes::PROVE_DIFFERS]);
        assert_eq!(report.exit_code(), 1);
        assert_eq!(report.proofs.len(), 1);
        let perms: Vec<&str> = w
            .link(LinkName::Permissions)
            .unwrap()
            .findings
            .iter()
            .map(|f| f.code)
            .collect();
        assert!(
            perms.contains(&codes::SIMULATION_AGREES),
            "no local allow for the action, IAM says implicitDeny: {perms:?}"
        );
    }

    #[test]
    fn success_is_recorded_and_not_run_is_unknown() {
        let (mut report, _) = demo_report();
        apply(
            &mut report,
            &[outcome(ProofResult::Assumed {
                caller_arn:
                    "arn:aws:sts::123456789012:assumed-role/LangflowBedrockRole/kubectl-irsa-prove"
                        .into(),
            })],
        );
        assert_eq!(report.exit_code(), 0);
        assert!(
            report.workloads[0]
                .link(LinkName::Trust)
                .unwrap()
                .findings
                .iter()
                .any(|f| f.code == codes::PROVE_OK)
        );
        let (mut report, _) = demo_report();
        apply(
            &mut report,
            &[outcome(ProofResult::NotRun {
                reason: "not allowed to request a token".into(),
            })],
        );
        assert_eq!(report.workloads[0].status, Status::Unknown);
        assert_eq!(report.exit_code(), 3);
    }
}
