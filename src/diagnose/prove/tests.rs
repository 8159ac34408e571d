//! Targets and folding, on the demo's reports: the IRSA workload `langflow` and a Pod Identity
//! workload with nothing broken (`enbuild-enbuild-ctf`).

use super::*;
use crate::diagnose::{Selection, diagnose};
use crate::model::proof::{ProveTarget, ProveVia, Simulation};

fn demo(namespace: &str) -> (Report, Snapshot) {
    let snap = crate::sources::demo::load().unwrap();
    let sel = Selection {
        namespace: Some(namespace.into()),
        ..Selection::default()
    };
    (diagnose(&snap, &sel).unwrap(), snap)
}

fn irsa_outcome(result: ProofResult) -> ProofOutcome {
    ProofOutcome {
        namespace: "langflow".into(),
        service_account: "langflow-sa".into(),
        mechanism: Mechanism::Irsa,
        role_arn: Some("arn:aws:iam::123456789012:role/LangflowBedrockRole".into()),
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

/// The demo's Pod Identity workload with nothing broken, its namespace's report, the snapshot.
fn pod_identity() -> (Report, Snapshot, WorkloadReport) {
    let snap = crate::sources::demo::load().unwrap();
    let all = diagnose(&snap, &Selection::default()).unwrap();
    let w = all
        .workloads
        .iter()
        .find(|w| w.mechanism == Mechanism::PodIdentity && w.broken_link.is_none())
        .cloned()
        .expect("the demo has a healthy Pod Identity workload");
    let (report, _) = demo(&w.namespace);
    (report, snap, w)
}

fn pod_identity_outcome(w: &WorkloadReport, result: ProofResult) -> ProofOutcome {
    ProofOutcome {
        namespace: w.namespace.clone(),
        service_account: w.service_account.clone(),
        mechanism: Mechanism::PodIdentity,
        role_arn: w.role_arn.clone(),
        audience: POD_IDENTITY_AUDIENCE.into(),
        result,
        simulations: Vec::new(),
        simulation_note: None,
    }
}

fn codes_on(report: &Report, w: &WorkloadReport, link: LinkName) -> Vec<&'static str> {
    let w = report
        .workloads
        .iter()
        .find(|x| x.name == w.name && x.namespace == w.namespace)
        .unwrap();
    w.link(link)
        .unwrap()
        .findings
        .iter()
        .map(|f| f.code)
        .collect()
}

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

#[test]
fn targets_are_irsa_roles_and_pod_identity_service_accounts() {
    let (report, snap) = demo("langflow");
    assert_eq!(
        targets(&report, &snap),
        vec![ProveTarget {
            namespace: "langflow".into(),
            service_account: "langflow-sa".into(),
            via: ProveVia::Irsa {
                role_arn: "arn:aws:iam::123456789012:role/LangflowBedrockRole".into(),
                audience: "sts.amazonaws.com".into(),
            },
        }]
    );
    let (report, snap, w) = pod_identity();
    let found = targets(&report, &snap);
    let pi = found
        .iter()
        .find(|t| t.service_account == w.service_account)
        .expect("the Pod Identity service account is a target");
    let ProveVia::PodIdentity {
        cluster,
        role_arn,
        pod,
    } = &pi.via
    else {
        panic!("{pi:?}")
    };
    assert_eq!(
        cluster.as_deref(),
        snap.aws.cluster.known().map(|c| c.name.as_str())
    );
    assert_eq!(role_arn, &w.role_arn);
    let pod = pod.as_ref().expect("bound to a pod of the workload");
    assert!(w.pods.iter().any(|p| p.name == pod.name), "{pod:?}");
    assert!(!pod.uid.is_empty());
}

/// A workload without pods (a service account no workload uses yet) is a target all the same,
/// its token bound to no pod; without the cluster's name the target says so.
#[test]
fn pod_identity_targets_need_no_pods_and_carry_an_unknown_cluster() {
    let (mut report, mut snap, w) = pod_identity();
    for x in &mut report.workloads {
        x.pods.clear();
    }
    snap.aws.cluster = crate::model::Fact::Missing(crate::model::Missing::NotCollected {
        hint: "aws eks describe-cluster".into(),
    });
    let found = targets(&report, &snap);
    let pi = found
        .iter()
        .find(|t| t.service_account == w.service_account)
        .unwrap();
    assert_eq!(
        pi.via,
        ProveVia::PodIdentity {
            cluster: None,
            role_arn: w.role_arn.clone(),
            pod: None
        }
    );
}

#[test]
fn an_sts_refusal_breaks_its_link_and_says_the_local_view_differed() {
    let (mut report, snap) = demo("langflow");
    assert_eq!(report.workloads[0].broken_link, None);
    apply(
        &mut report,
        &snap,
        &[irsa_outcome(ProofResult::StsError {
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
    let (mut report, snap) = demo("langflow");
    apply(
        &mut report,
        &snap,
        &[irsa_outcome(ProofResult::Assumed {
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
    let (mut report, snap) = demo("langflow");
    apply(
        &mut report,
        &snap,
        &[irsa_outcome(ProofResult::NotRun {
            reason: "not allowed to request a token".into(),
        })],
    );
    assert_eq!(report.workloads[0].status, Status::Unknown);
    assert_eq!(report.exit_code(), 3);
}

/// Each EKS Auth refusal lands on its link with EKS Auth's own words as evidence; the prover's
/// own missing permission and answers that blame no link are `unknown`, not broken.
#[test]
fn eks_auth_refusals_land_on_their_links() {
    let trust_denied =
        "Unauthorized Exception! EKS does not have permissions to assume the associated role.";
    let cases: &[(&str, &str, Option<LinkName>)] = &[
        (
            "ResourceNotFoundException",
            "No pod identity association was found",
            Some(LinkName::Association),
        ),
        ("AccessDeniedException", trust_denied, Some(LinkName::Trust)),
        (
            "InvalidTokenException",
            "The specified Kubernetes service account token is invalid.",
            Some(LinkName::Injection),
        ),
        (
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: eks-auth:AssumeRoleForPodIdentity",
            None,
        ),
        (
            "ExpiredTokenException",
            "The specified Kubernetes service account token is expired.",
            None,
        ),
    ];
    for (code, message, link) in cases {
        let (mut report, snap, w) = pod_identity();
        let outcome = pod_identity_outcome(
            &w,
            ProofResult::EksAuthError {
                code: (*code).into(),
                message: (*message).into(),
            },
        );
        apply(&mut report, &snap, &[outcome]);
        let proven = report.workloads.iter().find(|x| x.name == w.name).unwrap();
        match link {
            Some(link) => {
                assert_eq!(proven.broken_link, Some(*link), "{code}: {message}");
                let l = proven.link(*link).unwrap();
                let failed = l
                    .findings
                    .iter()
                    .find(|f| f.code == codes::PROVE_FAILED)
                    .unwrap();
                assert!(failed.message.contains(message), "{}", failed.message);
                assert_eq!(failed.evidence[0].field.as_deref(), Some(*code));
                assert_eq!(failed.evidence[0].value.as_deref(), Some(*message));
            }
            None => {
                assert_eq!(proven.broken_link, w.broken_link, "{code}: nothing broken");
                let trust = proven.link(LinkName::Trust).unwrap();
                assert_eq!(trust.status, Status::Unknown, "{code}");
                let f = trust
                    .findings
                    .iter()
                    .find(|f| f.code == codes::PROVE_NOT_RUN)
                    .unwrap();
                assert!(f.message.contains(message), "{}", f.message);
            }
        }
    }
}

#[test]
fn a_role_in_another_account_is_the_role_links_fault() {
    let (mut report, snap, w) = pod_identity();
    let mut outcome = pod_identity_outcome(
        &w,
        ProofResult::EksAuthError {
            code: "AccessDeniedException".into(),
            message:
                "Unauthorized Exception! EKS does not have permissions to assume the associated role."
                    .into(),
        },
    );
    outcome.role_arn = Some("arn:aws:iam::999999999999:role/elsewhere".into());
    apply(&mut report, &snap, &[outcome]);
    assert!(codes_on(&report, &w, LinkName::Role).contains(&codes::PROVE_FAILED));
}

#[test]
fn the_prover_without_eks_auth_permission_is_told_which_permission() {
    let (mut report, snap, w) = pod_identity();
    let outcome = pod_identity_outcome(
        &w,
        ProofResult::EksAuthError {
            code: "AccessDeniedException".into(),
            message: "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: eks-auth:AssumeRoleForPodIdentity".into(),
        },
    );
    apply(&mut report, &snap, &[outcome]);
    let w = report.workloads.iter().find(|x| x.name == w.name).unwrap();
    let f = &w.link(LinkName::Trust).unwrap().findings;
    let not_run = f.iter().find(|f| f.code == codes::PROVE_NOT_RUN).unwrap();
    assert!(
        not_run
            .message
            .contains("eks-auth:AssumeRoleForPodIdentity")
            && not_run.message.contains("node"),
        "{}",
        not_run.message
    );
}

#[test]
fn a_pod_identity_success_says_eks_auth_and_touches_only_pod_identity_workloads() {
    let (mut report, snap, w) = pod_identity();
    let before = report.clone();
    let caller = "arn:aws:sts::123456789012:assumed-role/ml/eks-demo-ml-pipeline-0-x";
    apply(
        &mut report,
        &snap,
        &[pod_identity_outcome(
            &w,
            ProofResult::Assumed {
                caller_arn: caller.into(),
            },
        )],
    );
    let proven = report.workloads.iter().find(|x| x.name == w.name).unwrap();
    let ok = proven
        .link(LinkName::Trust)
        .unwrap()
        .findings
        .iter()
        .find(|f| f.code == codes::PROVE_OK)
        .unwrap();
    assert!(
        ok.message.contains("EKS Auth") && ok.message.contains(caller),
        "{}",
        ok.message
    );
    for (a, b) in before.workloads.iter().zip(&report.workloads) {
        if a.mechanism != Mechanism::PodIdentity || a.service_account != w.service_account {
            assert_eq!(a, b, "an unrelated workload changed");
        }
    }
}
