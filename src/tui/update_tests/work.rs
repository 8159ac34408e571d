//! Proofs (`p`) and copied commands (`y`): the work they ask for, what their answers do, and
//! which proofs are cancelled when nobody waits for them any more.

use super::*;

#[test]
fn prove_needs_a_live_cluster() {
    let mut app = loaded(false);
    assert!(send(&mut app, [key('p')]).is_empty());
    assert_eq!(app.toast.as_ref().unwrap().level, ToastLevel::Error);
}

#[test]
fn a_pod_identity_workload_is_proven_with_eks_auth() {
    let mut app = loaded(true);
    open(&mut app, "ml-pipeline");
    let work = send(&mut app, [key('p')]);
    let [Work::Prove { id, workload }] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert!(app.toast.as_ref().unwrap().text.contains("EKS Auth"));
    let refused = ProofResult::EksAuthError {
        code: "AccessDeniedException".into(),
        message:
            "Unauthorized Exception! EKS does not have permissions to assume the associated role."
                .into(),
    };
    update(
        &mut app,
        Msg::Proved {
            id: *id,
            workload: workload.clone(),
            result: Ok(proof(&demo_report(), "ml-pipeline", refused)),
        },
    );
    let Some(ProofState::Done { text, ok: false }) = app.proofs.get(workload) else {
        panic!("{:?}", app.proofs)
    };
    assert!(
        text.starts_with("EKS Auth refused: AccessDeniedException"),
        "{text}"
    );
}

#[test]
fn a_workload_with_neither_mechanism_says_why_not() {
    let mut app = loaded(true);
    let report = app.report.as_mut().unwrap();
    let w = &mut report.workloads[0];
    w.mechanism = Mechanism::None;
    w.role_arn = None;
    let name = w.name.clone();
    let report = report.clone();
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(report),
        },
    );
    open(&mut app, &name);
    assert!(send(&mut app, [key('p')]).is_empty());
    assert!(app.toast.as_ref().unwrap().text.contains("neither"));
}

fn proof(report: &Report, name: &str, result: ProofResult) -> Report {
    let mut r = report.clone();
    r.workloads.retain(|w| w.name == name);
    let w = &r.workloads[0];
    let pod_identity = w.mechanism == Mechanism::PodIdentity;
    r.proofs = vec![ProofOutcome {
        namespace: w.namespace.clone(),
        service_account: w.service_account.clone(),
        mechanism: w.mechanism,
        role_arn: w.role_arn.clone(),
        audience: if pod_identity {
            "pods.eks.amazonaws.com"
        } else {
            "sts.amazonaws.com"
        }
        .into(),
        result,
        simulations: Vec::new(),
        simulation_note: None,
    }];
    r
}

#[test]
fn a_proof_runs_for_the_open_workload_and_stale_answers_are_dropped() {
    let mut app = loaded(true);
    open(&mut app, "langflow");
    let work = send(&mut app, [key('p')]);
    let [
        Work::Prove {
            id: first,
            workload,
        },
    ] = work.as_slice()
    else {
        panic!("{work:?}")
    };
    let second = match send(&mut app, [key('p')]).as_slice() {
        [
            Work::Cancel(Cancel::Prove { id: cancelled }),
            Work::Prove { id, .. },
        ] => {
            assert_eq!(cancelled, first, "the first proof is superseded");
            *id
        }
        other => panic!("{other:?}"),
    };
    assert_ne!(*first, second);
    let report = demo_report();
    let ok = ProofResult::Assumed {
        caller_arn: "arn:aws:sts::123456789012:assumed-role/langflow/botocore".into(),
    };
    update(
        &mut app,
        Msg::Proved {
            id: *first,
            workload: workload.clone(),
            result: Ok(proof(&report, "langflow", ok.clone())),
        },
    );
    assert!(matches!(
        app.proofs.get(workload),
        Some(ProofState::Running { .. })
    ));
    let mut proven = proof(&report, "langflow", ok);
    proven.workloads[0].links[0].summary = "proven".into();
    update(
        &mut app,
        Msg::Proved {
            id: second,
            workload: workload.clone(),
            result: Ok(proven),
        },
    );
    assert!(matches!(
        app.proofs.get(workload),
        Some(ProofState::Done { ok: true, .. })
    ));
    let w = app.current_workload().unwrap();
    assert_eq!(
        w.links[0].summary, "proven",
        "the proven workload replaced the old one"
    );
}

#[test]
fn an_sts_refusal_is_shown_with_its_code() {
    let mut app = loaded(true);
    open(&mut app, "langflow");
    let work = send(&mut app, [key('p')]);
    let [Work::Prove { id, workload }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let refused = ProofResult::StsError {
        code: "AccessDenied".into(),
        message: "Not authorized to perform sts:AssumeRoleWithWebIdentity".into(),
    };
    update(
        &mut app,
        Msg::Proved {
            id: *id,
            workload: workload.clone(),
            result: Ok(proof(&demo_report(), "langflow", refused)),
        },
    );
    let Some(ProofState::Done { text, ok: false }) = app.proofs.get(workload) else {
        panic!("{:?}", app.proofs)
    };
    assert!(text.contains("AccessDenied"));
}

#[test]
fn y_shows_and_copies_the_commands_of_the_selected_link() {
    let mut app = loaded(false);
    open(&mut app, "flyte-backend");
    let work = send(&mut app, [key('y')]);
    let [Work::Copy { text }] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert!(text.contains("aws iam get-role --role-name flyte-system-role"));
    assert!(text.contains("aws iam update-assume-role-policy"), "{text}");
    assert!(matches!(app.overlay, Some(Overlay::Commands { .. })));
    update(&mut app, Msg::Copied(Err("no terminal".into())));
    assert!(app.toast.as_ref().unwrap().text.contains("no terminal"));
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(app.overlay.is_none());
}

#[test]
fn a_proof_started_from_the_list_reports_in_a_toast_and_the_selection_stays() {
    let mut app = loaded(true);
    send(&mut app, [key('/')]);
    send(&mut app, typed("langflow"));
    send(&mut app, [code(KeyCode::Esc)]);
    let work = send(&mut app, [key('p')]);
    let [Work::Prove { id, workload }] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert!(app.toast.as_ref().unwrap().text.contains("proving"));
    let refused = ProofResult::StsError {
        code: "AccessDenied".into(),
        message: "Not authorized to perform sts:AssumeRoleWithWebIdentity".into(),
    };
    // The proof finds the trust broken: langflow now sorts among the broken workloads.
    let mut proven = proof(&demo_report(), "langflow", refused);
    let w = &mut proven.workloads[0];
    w.status = Status::Broken;
    w.broken_link = Some(LinkName::Trust);
    update(
        &mut app,
        Msg::Proved {
            id: *id,
            workload: workload.clone(),
            result: Ok(proven),
        },
    );
    assert_eq!(selected_name(&app), "langflow");
    let toast = app.toast.as_ref().unwrap();
    assert!(toast.text.contains("AccessDenied"), "{}", toast.text);
    assert_eq!(toast.level, ToastLevel::Error);
}

#[test]
fn copied_fix_commands_carry_the_fix_in_words() {
    let mut app = loaded(false);
    open(&mut app, "flyte-backend");
    let work = send(&mut app, [key('y')]);
    let [Work::Copy { text }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let fix = text
        .find("# add this statement to the trust policy: {")
        .expect(text);
    let command = text.find("aws iam update-assume-role-policy").unwrap();
    assert!(fix < command, "{text}");
}

#[test]
fn copied_write_commands_are_marked_and_reads_are_not() {
    let mut app = loaded(false);
    open(&mut app, "enbuild-enbuild-ai");
    let work = send(&mut app, [key('y')]);
    let [Work::Copy { text }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let lines: Vec<&str> = text.lines().collect();
    let marker_before = |command: &str| {
        let i = lines
            .iter()
            .position(|l| l.starts_with(command))
            .unwrap_or_else(|| panic!("no {command} in\n{text}"));
        lines[i - 1].to_string()
    };
    assert_eq!(
        marker_before("aws eks create-pod-identity-association"),
        "# writes: changes EKS"
    );
    assert_eq!(
        marker_before("kubectl rollout restart"),
        "# writes: changes Kubernetes"
    );
    // The read-only command is not marked.
    assert!(!marker_before("aws eks list-pod-identity-associations").contains("writes"));
    let Some(Overlay::Commands { commands, .. }) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    let writes = commands
        .iter()
        .filter(|r| matches!(r, CommandRow::Writes(_)))
        .count();
    assert_eq!(writes, 2, "{commands:?}");
}

#[test]
fn copied_text_is_comments_and_quoted_commands_only() {
    let mut report = demo_report();
    let w = report
        .workloads
        .iter_mut()
        .find(|w| w.name == "flyte-backend-flyte-binary")
        .unwrap();
    // A bundle can hold any text: a line break in a name or in the words of a fix must not
    // start a command in the copied script.
    w.name = "flyte-backend-flyte-binary\rtouch pwned-1\ntouch pwned-2".into();
    for l in &mut w.links {
        for f in &mut l.findings {
            if let Some(fix) = &mut f.fix {
                fix.summary.push_str("\ntouch pwned-3");
            }
        }
    }
    let mut app = App::new("test", false, Scope::All, Theme { color: true });
    start(&mut app);
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(report),
        },
    );
    open(&mut app, "flyte-backend");
    let work = send(&mut app, [key('y')]);
    let [Work::Copy { text }] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert!(text.contains("# touch pwned-3"), "{text}");
    for line in text.lines() {
        assert!(
            line.starts_with("# ") || line.starts_with("kubectl ") || line.starts_with("aws "),
            "{line:?} in\n{text}"
        );
    }
}

#[test]
fn leaving_a_workload_cancels_its_running_proof() {
    let mut app = loaded(true);
    open(&mut app, "langflow");
    let work = send(&mut app, [key('p')]);
    let [Work::Prove { id, workload }] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert_eq!(
        send(&mut app, [code(KeyCode::Esc)]),
        vec![Work::Cancel(Cancel::Prove { id: *id })]
    );
    assert!(matches!(app.screen, Screen::List));
    assert_eq!(app.proofs.get(workload), None, "no spinner left behind");

    // A finished proof has nothing to cancel; its answer stays on the workload.
    send(&mut app, [code(KeyCode::Esc)]);
    open(&mut app, "langflow");
    let work = send(&mut app, [key('p')]);
    let [Work::Prove { id, workload }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let ok = ProofResult::Assumed {
        caller_arn: "arn:aws:sts::123456789012:assumed-role/langflow/x".into(),
    };
    update(
        &mut app,
        Msg::Proved {
            id: *id,
            workload: workload.clone(),
            result: Ok(proof(&demo_report(), "langflow", ok)),
        },
    );
    assert!(send(&mut app, [code(KeyCode::Esc)]).is_empty());
    assert!(matches!(
        app.proofs.get(workload),
        Some(ProofState::Done { ok: true, .. })
    ));
}

#[test]
fn switching_to_a_namespace_cancels_the_proofs_it_does_not_show() {
    let mut app = loaded(true);
    // langflow, proven from the list and still running.
    send(&mut app, [key('/')]);
    send(&mut app, typed("langflow"));
    send(&mut app, [code(KeyCode::Enter)]);
    let work = send(&mut app, [key('p')]);
    let [
        Work::Prove {
            id: outside,
            workload,
        },
    ] = work.as_slice()
    else {
        panic!("{work:?}")
    };
    // ml-pipeline selected, in another namespace: `a` shows that namespace alone.
    send(&mut app, [code(KeyCode::Esc), key('/')]);
    send(&mut app, typed("ml-pipeline"));
    send(&mut app, [code(KeyCode::Enter)]);
    let ns = app.selected_workload().unwrap().namespace.clone();
    assert_ne!(ns, workload.namespace);
    let work = send(&mut app, [key('a')]);
    assert_eq!(app.scope, Scope::Namespace(ns));
    assert_eq!(
        work,
        vec![
            Work::Cancel(Cancel::Prove { id: *outside }),
            Work::Load {
                generation: 2,
                scope: app.scope.clone()
            }
        ]
    );
    assert_eq!(app.proofs.get(workload), None);
}
