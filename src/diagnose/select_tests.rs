//! Service accounts no workload runs as yet (`doctor sa/NAME` before deploying), targets that
//! name nothing, and pods nobody could look at.

use super::tests::{
    ACCOUNT, all, cluster, codes, irsa_trust, load, pod, role_arn, roles, run, sa, sa_target,
};
use super::{DiagnoseError, Selection, Target, diagnose};
use crate::model::chain::{LinkName, Status};
use crate::model::report::WorkloadReport;
use crate::model::workload::WorkloadKind;

fn diagnose_files(files: &[String], sel: &Selection) -> Result<Vec<WorkloadReport>, DiagnoseError> {
    diagnose(&load(files), sel).map(|r| r.workloads)
}

#[test]
fn a_service_account_no_pod_runs_as_gets_the_chain_a_new_pod_would_get() {
    let arn = role_arn("reports");
    let files = [
        cluster(),
        sa("shop", "reports", &[("eks.amazonaws.com/role-arn", &arn)]),
        roles(&[("reports", &irsa_trust("system:serviceaccount:shop:reports"))]),
        format!(
            r#"{{"OpenIDConnectProviderList": [{{"Arn": "arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"}}]}}"#
        ),
    ];
    let found = run(&files, sa_target("shop", "reports"));
    assert_eq!(found.len(), 1);
    let w = &found[0];
    assert_eq!(w.kind, WorkloadKind::ServiceAccount);
    assert_eq!(
        (w.name.as_str(), w.service_account.as_str()),
        ("reports", "reports")
    );
    for link in [LinkName::Pod, LinkName::Injection] {
        let l = w.link(link).unwrap();
        assert_eq!(l.status, Status::Skipped, "{link:?}");
        assert_eq!(l.summary, "no pods run as this service account yet");
    }
    for link in [LinkName::Annotation, LinkName::Role, LinkName::Trust] {
        assert_eq!(w.link(link).unwrap().status, Status::Ok, "{link:?}");
    }
    // The role grants nothing yet: what a pod starting now would meet first.
    assert_eq!(w.broken_link, Some(LinkName::Permissions));
    assert!(codes(w).contains(&"NO_POLICIES"));
    assert_ne!(
        w.status,
        Status::Skipped,
        "skipped links never set a workload's status"
    );
}

#[test]
fn a_garbage_annotation_on_an_unused_service_account_is_a_finding_not_zero_workloads() {
    let files = [
        cluster(),
        sa(
            "shop",
            "reports",
            &[("eks.amazonaws.com/role-arn", "reports-role")],
        ),
        sa("shop", "plain", &[]),
    ];
    let found = run(&files, all());
    assert_eq!(
        found.len(),
        1,
        "the annotated one only: `plain` shows no AWS identity"
    );
    assert_eq!(found[0].kind, WorkloadKind::ServiceAccount);
    assert_eq!(found[0].broken_link, Some(LinkName::Annotation));
    assert!(codes(&found[0]).contains(&"ROLE_ARN_MALFORMED"));
}

#[test]
fn an_unconfigured_service_account_named_by_the_target_says_what_it_lacks() {
    let files = [cluster(), sa("shop", "plain", &[])];
    let found = run(&files, sa_target("shop", "plain"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].broken_link, Some(LinkName::Annotation));
    assert!(codes(&found[0]).contains(&"ANNOTATION_MISSING"));
    // A bare NAME finds it too.
    let sel = Selection {
        namespace: Some("shop".into()),
        target: Some(Target::Name("plain".into())),
        selector: None,
        actions: Vec::new(),
    };
    assert_eq!(run(&files, sel).len(), 1);
}

#[test]
fn a_service_account_in_use_is_reported_through_its_workload_only() {
    let files = [
        cluster(),
        sa(
            "shop",
            "reports",
            &[("eks.amazonaws.com/role-arn", &role_arn("reports"))],
        ),
        pod("shop", "reports-1", "reports", &[], &[]),
    ];
    let found = run(&files, all());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, WorkloadKind::Pod);
}

#[test]
fn a_target_that_names_nothing_is_one_sentence_naming_what_and_where() {
    let files = [
        cluster(),
        sa("shop", "plain", &[]),
        pod("shop", "web-1", "plain", &[], &[]),
    ];
    let cases = [
        (
            sa_target("shop", "nosuch"),
            "no ServiceAccount named `nosuch` in namespace shop, and no workload or pod identity association uses that name",
        ),
        (
            Selection {
                namespace: Some("shop".into()),
                target: Some(Target::Workload(WorkloadKind::Deployment, "web".into())),
                selector: None,
                actions: Vec::new(),
            },
            "no Deployment named `web` in namespace shop",
        ),
        (
            Selection {
                namespace: None,
                target: Some(Target::Name("ghost".into())),
                selector: None,
                actions: Vec::new(),
            },
            "no workload or ServiceAccount named `ghost` in any namespace",
        ),
        (
            Selection {
                namespace: Some("other".into()),
                target: Some(Target::Workload(WorkloadKind::Deployment, "web".into())),
                selector: None,
                actions: Vec::new(),
            },
            "no Deployment named `web` in namespace other (the pod list of namespace other was not collected; collect it with `kubectl get pods -n other -o yaml`)",
        ),
    ];
    for (sel, want) in cases {
        match diagnose_files(&files, &sel) {
            Err(DiagnoseError::TargetNotFound(m)) => assert_eq!(m, want),
            other => panic!("{want}: got {other:?}"),
        }
    }
}

#[test]
fn pods_nobody_looked_at_are_unknown_never_green() {
    // A Deployment whose namespace's pods are not in the bundle.
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      serviceAccountName: web\n      containers: [{name: app, image: app:1}]\n".to_string();
    let files = [
        cluster(),
        sa(
            "shop",
            "web",
            &[("eks.amazonaws.com/role-arn", &role_arn("web"))],
        ),
        deploy,
    ];
    let found = run(&files, all());
    assert_eq!(found.len(), 1);
    let pod_link = found[0].link(LinkName::Pod).unwrap();
    assert_eq!(pod_link.status, Status::Unknown);
    assert!(codes(&found[0]).contains(&"PODS_NOT_COLLECTED"));
}

#[test]
fn a_list_cut_short_makes_absent_objects_unknown_with_the_reason() {
    let files = [
        cluster(),
        sa("shop", "web", &[("eks.amazonaws.com/role-arn", &role_arn("web"))]),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      serviceAccountName: web\n      containers: [{name: app, image: app:1}]\n".to_string(),
        pod("shop", "other-1", "other", &[], &[]),
    ];
    let mut snap = load(&files);
    let why = "the second page of pods in namespace shop was refused (403)";
    if let crate::model::Fact::Known(l) = &mut snap.kube.pods {
        l.partial = Some(why.to_string());
    }
    if let crate::model::Fact::Known(l) = &mut snap.kube.service_accounts {
        l.partial = Some(why.to_string());
    }
    let report = diagnose(&snap, &all()).unwrap();
    let web = report
        .workloads
        .iter()
        .find(|w| w.name == "web")
        .expect("web is reported");
    let pod_link = web.link(LinkName::Pod).unwrap();
    assert_eq!(pod_link.status, Status::Unknown);
    assert!(
        pod_link.findings[0]
            .message
            .contains("could be read only in part")
            && pod_link.findings[0].message.contains(why),
        "{:?}",
        pod_link.findings
    );
    // A service account that is in the partial list is found all the same.
    assert_eq!(
        web.link(LinkName::ServiceAccount).unwrap().status,
        Status::Ok
    );
    // One that is not may exist beyond the cut: unknown, never "not found".
    let sel = Selection {
        namespace: Some("shop".into()),
        target: Some(Target::Workload(WorkloadKind::Pod, "other-1".into())),
        selector: None,
        actions: Vec::new(),
    };
    let report = diagnose(&snap, &sel).unwrap();
    let l = report.workloads[0].link(LinkName::ServiceAccount).unwrap();
    assert_eq!(l.status, Status::Unknown, "{l:?}");
}

#[test]
fn a_wildcard_subject_is_a_warning_not_a_missing_annotation_and_all_or_target_agree() {
    let trust = irsa_trust("system:serviceaccount:*:default").replace("StringEquals", "StringLike");
    let files = [
        cluster(),
        sa("kube-system", "default", &[]),
        roles(&[("flyte-workers-role", &trust)]),
        pod("kube-system", "debug-1", "default", &[], &[]),
    ];
    // Without a target the pod is not listed: nothing shows it wants AWS access.
    assert!(run(&files, all()).is_empty());
    let found = run(&files, sa_target("kube-system", "default"));
    assert_eq!(found.len(), 1);
    let w = &found[0];
    assert_eq!(
        w.broken_link, None,
        "a wildcard match is never a broken link"
    );
    let got = codes(w);
    assert!(
        got.contains(&"NO_AWS_IDENTITY") && got.contains(&"TRUST_WILDCARD_REACHES"),
        "{got:?}"
    );
    assert!(!got.contains(&"ANNOTATION_MISSING"), "{got:?}");
    assert_eq!(w.status, Status::Warning);
}

#[test]
fn a_targets_focus_is_the_service_accounts_its_workloads_run_as_or_the_name_it_gives() {
    use super::select::Focus;
    use super::workloads::resolve;
    let files = [
        pod("shop", "web", "web-sa", &[], &[]),
        pod("shop", "batch", "batch-sa", &[], &[]),
        pod("ops", "web", "ops-sa", &[], &[]),
    ];
    let snap = load(&files);
    let ws = resolve(&snap.kube);
    let by_pod = Focus::of(
        &Target::Workload(WorkloadKind::Pod, "web".into()),
        Some("shop"),
        &ws,
    );
    assert!(by_pod.covers("shop", "web-sa"));
    assert!(!by_pod.covers("shop", "batch-sa"));
    assert!(!by_pod.covers("ops", "ops-sa"), "another namespace");
    let everywhere = Focus::of(&Target::Name("web".into()), None, &ws);
    assert!(everywhere.covers("shop", "web-sa") && everywhere.covers("ops", "ops-sa"));
    assert!(
        everywhere.covers("elsewhere", "web"),
        "the name itself, for an idle account"
    );
    let by_sa = Focus::of(&Target::ServiceAccount("reports".into()), Some("shop"), &ws);
    assert!(by_sa.covers("shop", "reports"));
    assert!(!by_sa.covers("ops", "reports"));
    assert!(!by_sa.covers("shop", "web-sa"));
}

/// kubectl's ways of naming a target: `TYPE/NAME`, `TYPE NAME`, a bare `NAME`, with its type
/// names (short, singular, plural, any case, with the API group).
#[test]
fn targets_are_named_as_kubectl_names_them() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let deploy = |n: &str| Some(Target::Workload(WorkloadKind::Deployment, n.into()));
    let cases: &[(&[&str], Option<Target>)] = &[
        (&[], None),
        (&["web"], Some(Target::Name("web".into()))),
        (&["deploy/web"], deploy("web")),
        (&["deploy", "web"], deploy("web")),
        (&["Deployments", "web"], deploy("web")),
        (&["deployment.apps", "web"], deploy("web")),
        (&["deployments.v1.apps/web"], deploy("web")),
        (&["sa", "web"], Some(Target::ServiceAccount("web".into()))),
        (
            &["serviceaccount/web"],
            Some(Target::ServiceAccount("web".into())),
        ),
        (
            &["po", "web-1"],
            Some(Target::Workload(WorkloadKind::Pod, "web-1".into())),
        ),
        (
            &["pods", "web-1"],
            Some(Target::Workload(WorkloadKind::Pod, "web-1".into())),
        ),
        (
            &["sts", "db"],
            Some(Target::Workload(WorkloadKind::StatefulSet, "db".into())),
        ),
        (
            &["statefulset", "db"],
            Some(Target::Workload(WorkloadKind::StatefulSet, "db".into())),
        ),
        (
            &["ds", "agent"],
            Some(Target::Workload(WorkloadKind::DaemonSet, "agent".into())),
        ),
        (
            &["daemonsets", "agent"],
            Some(Target::Workload(WorkloadKind::DaemonSet, "agent".into())),
        ),
        (
            &["job", "once"],
            Some(Target::Workload(WorkloadKind::Job, "once".into())),
        ),
        (
            &["jobs.batch", "once"],
            Some(Target::Workload(WorkloadKind::Job, "once".into())),
        ),
        (
            &["cj", "nightly"],
            Some(Target::Workload(WorkloadKind::CronJob, "nightly".into())),
        ),
        (
            &["cronjobs", "nightly"],
            Some(Target::Workload(WorkloadKind::CronJob, "nightly".into())),
        ),
        (
            &["rs", "web-abc"],
            Some(Target::Workload(WorkloadKind::ReplicaSet, "web-abc".into())),
        ),
    ];
    for (given, want) in cases {
        assert_eq!(
            &Target::from_args(&args(given)),
            &Ok(want.clone()),
            "{given:?}"
        );
    }
    let errors: &[(&[&str], &str)] = &[
        (
            &["deploy", "deploy/web"],
            "no need to specify a resource type",
        ),
        (&["deploy/web", "web"], "no need to specify a resource type"),
        (&["frobnicate", "web"], "`frobnicate` is not a kind"),
        (
            &["deployments.batch", "web"],
            "`deployments.batch` is not a kind",
        ),
        (&["deploy/"], "no name"),
        (&["deploy", ""], "no name"),
        (&["deploy", "a", "b"], "one target at a time"),
    ];
    for (given, needle) in errors {
        match Target::from_args(&args(given)) {
            Err(e) => assert!(e.contains(needle), "{given:?}: {e}"),
            Ok(t) => panic!("{given:?} gave {t:?}"),
        }
    }
}

/// `-l` keeps the workloads whose pods, or whose pod template when no pod runs, carry the
/// labels; service accounts no pod runs as carry no pod labels and are left out; what it
/// leaves out is not counted either.
#[test]
fn a_label_selector_picks_workloads_by_their_pods_labels() {
    let arn = role_arn("app");
    let files = [
        cluster(),
        sa("shop", "web", &[("eks.amazonaws.com/role-arn", &arn)]),
        sa("shop", "jobs", &[("eks.amazonaws.com/role-arn", &arn)]),
        sa("shop", "idle", &[("eks.amazonaws.com/role-arn", &arn)]),
        sa("other", "web", &[("eks.amazonaws.com/role-arn", &arn)]),
        pod(
            "shop",
            "web-1",
            "web",
            &[],
            &[("app", "web"), ("tier", "front")],
        ),
        pod("shop", "jobs-1", "jobs", &[], &[("app", "jobs")]),
        pod("shop", "plain", "default", &[], &[("app", "web")]),
        pod("other", "web-2", "web", &[], &[("app", "web")]),
    ];
    let names = |sel: Selection| -> (Vec<String>, usize) {
        let report = diagnose(&load(&files), &sel).unwrap();
        let mut names: Vec<String> = report
            .workloads
            .iter()
            .map(|w| format!("{}/{}", w.namespace, w.name))
            .collect();
        names.sort();
        (names, report.workloads_without_aws_identity)
    };
    let with = |ns: Option<&str>, text: &str| Selection {
        namespace: ns.map(str::to_string),
        selector: Some(super::LabelSelector::parse(text).unwrap()),
        ..Selection::default()
    };
    assert_eq!(
        names(all()).0,
        ["other/web-2", "shop/idle", "shop/jobs-1", "shop/web-1"]
    );
    assert_eq!(
        names(with(Some("shop"), "app=web")),
        (vec!["shop/web-1".to_string()], 1)
    );
    assert_eq!(
        names(with(None, "app=web")).0,
        ["other/web-2", "shop/web-1"]
    );
    assert_eq!(names(with(None, "app=web,tier=front")).0, ["shop/web-1"]);
    assert_eq!(
        names(with(Some("shop"), "app!=web")),
        (vec!["shop/jobs-1".to_string()], 0)
    );
    assert_eq!(
        names(with(Some("shop"), "app in (jobs,db)")).0,
        ["shop/jobs-1"]
    );
    assert_eq!(names(with(Some("shop"), "!tier")).0, ["shop/jobs-1"]);
    assert_eq!(names(with(None, "nosuch")), (Vec::<String>::new(), 0));
    // A target and a selector must both hold; the sentence says which labels were asked for.
    let sel = Selection {
        target: Some(Target::Name("web-1".into())),
        ..with(Some("shop"), "app=jobs")
    };
    match diagnose(&load(&files), &sel) {
        Err(DiagnoseError::TargetNotFound(m)) => assert_eq!(
            m,
            "no workload or ServiceAccount named `web-1` in namespace shop with labels matching `app=jobs`"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_focus_is_configured_only_when_every_service_account_it_runs_through_names_a_role() {
    use super::select::Focus;
    use super::workloads::resolve;
    let arn = role_arn("web");
    let files = [
        sa("shop", "web-sa", &[("eks.amazonaws.com/role-arn", &arn)]),
        sa("shop", "bare", &[]),
        sa(
            "shop",
            "garbage",
            &[("eks.amazonaws.com/role-arn", "not-an-arn")],
        ),
        pod("shop", "web", "web-sa", &[], &[]),
        pod("shop", "batch", "bare", &[], &[]),
    ];
    let snap = load(&files);
    let ws = resolve(&snap.kube);
    let focus = |t: Target| Focus::of(&t, Some("shop"), &ws).all_annotated(&snap.kube);
    assert!(focus(Target::Workload(WorkloadKind::Pod, "web".into())));
    assert!(!focus(Target::Workload(WorkloadKind::Pod, "batch".into())));
    assert!(focus(Target::ServiceAccount("web-sa".into())));
    assert!(
        !focus(Target::ServiceAccount("garbage".into())),
        "not a role ARN"
    );
    assert!(
        !focus(Target::ServiceAccount("missing".into())),
        "no such account"
    );
    assert!(!focus(Target::Name("nothing".into())));
}
