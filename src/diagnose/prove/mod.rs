//! Folds what `doctor --prove` observed into the report, purely: which service accounts to
//! prove ([`targets`]), and which link an answer points at. STS's answers for IRSA follow the
//! field guide's error-string quick map: `No OpenIDConnect provider found` / `Incorrect token
//! audience` / `could not be validated` -> oidc-provider, `Not authorized to perform
//! sts:AssumeRoleWithWebIdentity` -> trust, `Request ARN is invalid` -> annotation. EKS Auth's
//! answers for Pod Identity are mapped in [`eks_auth`]. Disagreements with the local
//! evaluation are shown, never hidden.

pub mod eks_auth;
pub mod targets;

pub use targets::{POD_IDENTITY_AUDIENCE, targets};

use crate::model::arn::Arn;
use crate::model::chain::{Evidence, Finding, LinkName, LinkReport, Mechanism, Severity, Status};
use crate::model::codes;
use crate::model::proof::{ProofOutcome, ProofResult};
use crate::model::{Report, Snapshot, WorkloadReport};
use eks_auth::{Accounts, Blame};

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

/// Which service answered, for messages and evidence.
struct Asked {
    service: &'static str,
    evidence: Evidence,
    /// Links a success contradicts when they look broken locally.
    contradicted: &'static [LinkName],
    /// Links a success proves: judged `ok` when the local view could not judge them (IAM not
    /// readable without the user's credentials, say).
    proven: &'static [LinkName],
}

fn asked(p: &ProofOutcome) -> Asked {
    match p.mechanism {
        Mechanism::PodIdentity => Asked {
            service: "EKS Auth",
            evidence: Evidence::new("EKS Auth AssumeRoleForPodIdentity")
                .field("subject")
                .value(format!("{}/{}", p.namespace, p.service_account)),
            contradicted: &[LinkName::Association, LinkName::Role, LinkName::Trust],
            proven: &[LinkName::Association, LinkName::Role, LinkName::Trust],
        },
        Mechanism::Irsa | Mechanism::None => Asked {
            service: "STS",
            evidence: Evidence::new("STS AssumeRoleWithWebIdentity")
                .field("RoleArn")
                .value(p.role_arn.clone().unwrap_or_default()),
            contradicted: &[
                LinkName::Annotation,
                LinkName::OidcProvider,
                LinkName::Trust,
            ],
            proven: &[LinkName::Role, LinkName::OidcProvider, LinkName::Trust],
        },
    }
}

/// A refusal that blames `target`: broken, and a disagreement when the local view judged the
/// link and saw nothing wrong there (not when it was skipped or could not be judged).
fn refused(w: &mut WorkloadReport, target: LinkName, text: String, ev: &Evidence, who: &str) {
    if let Some(link) = find(&mut w.links, target) {
        let was_ok = matches!(link.status, Status::Ok | Status::Warning);
        push(
            link,
            Finding::error(codes::PROVE_FAILED, text).evidence(ev.clone()),
        );
        if was_ok {
            push(
                link,
                Finding::warning(
                    codes::PROVE_DIFFERS,
                    format!(
                        "the local evaluation found nothing wrong here; {who} is the authority"
                    ),
                )
                .evidence(ev.clone()),
            );
        }
    }
}

fn not_run(w: &mut WorkloadReport, text: String, ev: Option<&Evidence>) {
    if let Some(trust) = find(&mut w.links, LinkName::Trust) {
        let mut f = Finding::unknown(codes::PROVE_NOT_RUN, text);
        if let Some(ev) = ev {
            f = f.evidence(ev.clone());
        }
        push(trust, f);
    }
}

/// EKS Auth's refusal on the link it points at ([`eks_auth::blame`]), with its own words as
/// evidence.
fn eks_auth_refused(
    w: &mut WorkloadReport,
    p: &ProofOutcome,
    (code, message): (&str, &str),
    cluster_account: Option<&str>,
) {
    let ev = Evidence::new("EKS Auth AssumeRoleForPodIdentity")
        .field(code)
        .value(message);
    let role_account = p
        .role_arn
        .as_deref()
        .and_then(Arn::parse)
        .map(|a| a.account);
    let accounts = Accounts {
        role: role_account.as_deref(),
        cluster: cluster_account,
    };
    match eks_auth::blame(code, message, accounts) {
        Blame::Link(link) => refused(
            w,
            link,
            format!("EKS Auth refused the token: {code}: {message}"),
            &ev,
            "EKS Auth",
        ),
        Blame::Prover => not_run(
            w,
            format!(
                "EKS Auth refused the identity running the proof: {code}: {message}. Proving Pod Identity calls eks-auth:AssumeRoleForPodIdentity on the cluster, which normally only node roles may (AmazonEKSWorkerNodePolicy)"
            ),
            Some(&ev),
        ),
        Blame::Unknown => {
            let hint = eks_auth::hint(code)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            not_run(
                w,
                format!("EKS Auth answered {code}: {message}{hint}; this does not point at a link"),
                Some(&ev),
            )
        }
    }
}

/// A link the local view could not judge (only `unknown` findings, or none: skipped after an
/// unknown one) that a success proves: `ok`, saying what was not read and that `service`
/// answered instead. The trust link's own PROVE_OK follows in [`apply_one`].
fn judge_proven(link: &mut LinkReport, name: LinkName, service: &str, ev: &Evidence) {
    let unjudged = matches!(link.status, Status::Unknown | Status::Skipped)
        && link
            .findings
            .iter()
            .all(|f| matches!(f.severity, Severity::Unknown | Severity::Info));
    if !unjudged {
        return;
    }
    let unread: Vec<String> = link
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Unknown)
        .map(|f| f.message.clone())
        .collect();
    link.findings.retain(|f| f.severity != Severity::Unknown);
    link.status = Status::Ok;
    link.summary = format!("proven by {service}");
    if name == LinkName::Trust && unread.is_empty() {
        return;
    }
    let mut text = format!(
        "{service} issued credentials for the service account's token, which proves this link"
    );
    if !unread.is_empty() {
        text.push_str(&format!(
            "; it was not judged locally: {}",
            unread.join("; ")
        ));
    }
    link.findings
        .push(Finding::info(codes::PROVE_OK, text).evidence(ev.clone()));
}

fn apply_one(w: &mut WorkloadReport, p: &ProofOutcome, cluster_account: Option<&str>) {
    let asked = asked(p);
    let ev = asked.evidence.clone();
    match &p.result {
        ProofResult::Assumed { caller_arn } => {
            let broken_before: Vec<LinkName> = w
                .links
                .iter()
                .filter(|l| l.status == Status::Broken && asked.contradicted.contains(&l.link))
                .map(|l| l.link)
                .collect();
            if broken_before.is_empty() {
                for name in asked.proven {
                    if let Some(link) = find(&mut w.links, *name) {
                        judge_proven(link, *name, asked.service, &ev);
                    }
                }
            }
            if let Some(trust) = find(&mut w.links, LinkName::Trust) {
                push(
                    trust,
                    Finding::info(
                        codes::PROVE_OK,
                        format!(
                            "{} issued credentials; GetCallerIdentity says {caller_arn}",
                            asked.service
                        ),
                    )
                    .evidence(ev.clone()),
                );
            }
            for l in broken_before {
                if let Some(link) = find(&mut w.links, l) {
                    push(link, Finding::warning(codes::PROVE_DIFFERS, format!("{} accepted the token although this link looks broken locally: the snapshot may be stale or incomplete", asked.service)).evidence(ev.clone()));
                }
            }
        }
        ProofResult::StsError { code, message } => {
            let target = link_for_sts_error(code, message).unwrap_or(LinkName::Trust);
            refused(
                w,
                target,
                format!("STS refused the token: {code}: {message}"),
                &ev,
                "STS",
            );
        }
        ProofResult::EksAuthError { code, message } => {
            eks_auth_refused(w, p, (code, message), cluster_account);
        }
        ProofResult::NotRun { reason } => {
            not_run(w, format!("the proof did not run: {reason}"), None);
        }
    }
}

/// Adds each outcome's findings to the workloads of its service account and mechanism, and
/// the outcomes to the report. The snapshot gives the EKS cluster's account: EKS Auth's
/// AccessDeniedException reads differently for a role in another account.
pub fn apply(report: &mut Report, snap: &Snapshot, outcomes: &[ProofOutcome]) {
    let cluster_account = snap
        .aws
        .cluster
        .known()
        .and_then(|c| Arn::parse(&c.arn))
        .map(|a| a.account);
    let cluster_account = cluster_account.as_deref();
    for p in outcomes {
        for w in report.workloads.iter_mut().filter(|w| {
            w.namespace == p.namespace
                && w.service_account == p.service_account
                && (w.mechanism == Mechanism::PodIdentity)
                    == (p.mechanism == Mechanism::PodIdentity)
        }) {
            apply_one(w, p, cluster_account);
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
mod tests;
