//! The update function, message by message: what the state becomes and what work is asked
//! for. No terminal, no threads: the demo report is fed in as a load result.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::message::{Msg, Scope, Work};
use super::state::{App, Load, Overlay, Pane, ProofState, Screen, ToastLevel};
use super::theme::Theme;
use super::update::{start, update};
use crate::app::watched::{LoadEvent, Stage, StageState};
use crate::app::{self, Source};
use crate::diagnose::Selection;
use crate::model::proof::{ProofOutcome, ProofResult};
use crate::model::{LinkName, Report, Status};

fn demo_report() -> Report {
    app::doctor(&Source::Demo, &Selection::default()).unwrap()
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn send(app: &mut App, msgs: impl IntoIterator<Item = Msg>) -> Vec<Work> {
    msgs.into_iter().flat_map(|m| update(app, m)).collect()
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(key).collect()
}

/// An app that has loaded the demo.
fn loaded(live: bool) -> App {
    let mut app = App::new("test", live, Scope::All, Theme { color: true });
    let work = start(&mut app);
    assert_eq!(
        work,
        vec![Work::Load {
            generation: 1,
            scope: Scope::All
        }]
    );
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(demo_report()),
        },
    );
    app
}

fn selected_name(app: &App) -> String {
    app.selected_workload().unwrap().name.clone()
}

/// Opens the workload named `name` through the filter, as a user would.
fn open(app: &mut App, name: &str) {
    send(app, [key('/')]);
    send(app, typed(name));
    send(app, [code(KeyCode::Enter), code(KeyCode::Enter)]);
    assert!(
        matches!(app.screen, Screen::Workload(_)),
        "{name} did not open"
    );
}

#[test]
fn the_first_load_fills_the_list_broken_first() {
    let app = loaded(false);
    assert_eq!(app.load, Load::Ready);
    let statuses: Vec<Status> = app
        .list
        .visible
        .iter()
        .map(|&i| app.report.as_ref().unwrap().workloads[i].status)
        .collect();
    assert_eq!(statuses.first(), Some(&Status::Broken));
    assert_eq!(statuses.last(), Some(&Status::Ok));
    assert!(statuses.windows(2).all(|w| w[0].rank() >= w[1].rank()));
}

#[test]
fn results_of_superseded_loads_are_dropped() {
    let mut app = loaded(false);
    let work = send(&mut app, [key('r')]);
    assert_eq!(
        work,
        vec![Work::Load {
            generation: 2,
            scope: Scope::All
        }]
    );
    assert!(app.loading());
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Err("late answer of the first load".into()),
        },
    );
    assert!(app.loading(), "an old generation's result was taken");
    update(
        &mut app,
        Msg::Loaded {
            generation: 2,
            result: Ok(demo_report()),
        },
    );
    assert_eq!(app.load, Load::Ready);
}

#[test]
fn progress_and_a_partial_report_show_while_loading() {
    let mut app = App::new("test", true, Scope::ContextNamespace, Theme { color: true });
    start(&mut app);
    let event = |e| Msg::Load {
        generation: 1,
        event: e,
    };
    send(
        &mut app,
        [
            event(LoadEvent::Namespace("ml".into())),
            event(LoadEvent::Stage(Stage::Kubernetes, StageState::Running)),
            event(LoadEvent::Stage(
                Stage::Kubernetes,
                StageState::Done("3 pods".into()),
            )),
            event(LoadEvent::Partial(Box::new(demo_report()))),
        ],
    );
    assert_eq!(app.scope_label(), "namespace ml");
    let Load::Loading { stages } = &app.load else {
        panic!("not loading: {:?}", app.load)
    };
    assert_eq!(
        stages,
        &vec![(Stage::Kubernetes, StageState::Done("3 pods".into()))]
    );
    assert!(app.partial && app.report.is_some());
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(demo_report()),
        },
    );
    assert!(!app.partial);
}

#[test]
fn a_refresh_keeps_the_complete_report_over_a_partial_one() {
    let mut app = loaded(true);
    send(&mut app, [key('r')]);
    let mut partial = demo_report();
    partial.workloads.truncate(1);
    update(
        &mut app,
        Msg::Load {
            generation: 2,
            event: LoadEvent::Partial(Box::new(partial)),
        },
    );
    assert_eq!(app.report.as_ref().unwrap().workloads.len(), 8);
}

#[test]
fn a_failed_first_load_is_an_error_state_and_r_retries() {
    let mut app = App::new("test", true, Scope::All, Theme { color: true });
    start(&mut app);
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Err("cannot reach the Kubernetes API server".into()),
        },
    );
    assert_eq!(
        app.load,
        Load::Failed("cannot reach the Kubernetes API server".into())
    );
    assert_eq!(send(&mut app, [key('r')]).len(), 1);
    assert!(app.loading());
}

#[test]
fn a_failed_refresh_keeps_the_report_and_says_so() {
    let mut app = loaded(false);
    send(&mut app, [key('r')]);
    update(
        &mut app,
        Msg::Loaded {
            generation: 2,
            result: Err("expired".into()),
        },
    );
    assert!(app.report.is_some());
    let toast = app.toast.as_ref().unwrap();
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(toast.text.contains("expired"));
}

#[test]
fn enter_opens_the_first_broken_link_and_the_keys_walk_the_chain() {
    let mut app = loaded(false);
    open(&mut app, "flyte-backend");
    assert_eq!(app.current_link(), Some(LinkName::Trust));
    send(&mut app, [key('j')]);
    assert_eq!(app.current_link(), Some(LinkName::Permissions));
    send(&mut app, [key('j')]);
    assert_eq!(
        app.current_link(),
        Some(LinkName::Permissions),
        "stops at the end"
    );
    send(&mut app, [key('g')]);
    assert_eq!(app.current_link(), Some(LinkName::Pod));
    send(&mut app, [code(KeyCode::Tab)]);
    assert!(matches!(&app.screen, Screen::Workload(v) if v.focus == Pane::Detail));
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(matches!(&app.screen, Screen::Workload(v) if v.focus == Pane::Chain));
    send(&mut app, [key('q')]);
    assert_eq!(app.screen, Screen::List);
    assert_eq!(selected_name(&app), "flyte-backend-flyte-binary");
    assert!(!app.quit);
}

#[test]
fn a_healthy_workload_opens_at_the_start_of_the_chain() {
    let mut app = loaded(false);
    open(&mut app, "langflow");
    assert_eq!(app.current_link(), Some(LinkName::Pod));
}

#[test]
fn the_detail_pane_scrolls_within_its_text() {
    let mut app = loaded(false);
    open(&mut app, "notebook");
    send(&mut app, [code(KeyCode::Enter)]);
    for _ in 0..500 {
        update(&mut app, key('j'));
    }
    let Screen::Workload(v) = &app.screen else {
        unreachable!()
    };
    let bottom = v.scroll;
    assert!(bottom > 0);
    update(&mut app, key('j'));
    assert!(matches!(&app.screen, Screen::Workload(v) if v.scroll == bottom));
    update(&mut app, key('g'));
    assert!(matches!(&app.screen, Screen::Workload(v) if v.scroll == 0));
}

#[test]
fn letters_typed_into_the_filter_are_text_not_commands() {
    let mut app = loaded(false);
    send(&mut app, [key('/')]);
    send(&mut app, typed("kubeflow trust"));
    assert!(!app.quit);
    assert_eq!(app.list.filter, "kubeflow trust");
    assert_eq!(app.list.visible.len(), 2);
    send(&mut app, [code(KeyCode::Backspace)]);
    assert_eq!(app.list.filter, "kubeflow trus");
    send(&mut app, [code(KeyCode::Enter)]);
    assert!(!app.filtering);
    send(&mut app, [code(KeyCode::Esc)]);
    assert_eq!(
        app.list.filter, "",
        "Esc on the list clears the filter first"
    );
    assert!(!app.quit);
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(app.quit);
}

#[test]
fn q_quits_from_the_list_and_ctrl_c_from_anywhere() {
    let mut app = loaded(false);
    send(&mut app, [key('q')]);
    assert!(app.quit);
    let mut app = loaded(false);
    open(&mut app, "tlm");
    send(&mut app, [key('?')]);
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(app.quit);
}

#[test]
fn key_releases_are_not_presses() {
    let mut app = loaded(false);
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    update(&mut app, Msg::Key(release));
    assert!(!app.quit);
}

#[test]
fn sorting_and_grouping_keep_the_selection() {
    let mut app = loaded(false);
    send(&mut app, [key('j'), key('j')]);
    let before = selected_name(&app);
    send(&mut app, [key('s')]);
    assert_eq!(app.list.sort.label(), "workload");
    assert_eq!(selected_name(&app), before);
    send(&mut app, [key('b')]);
    assert!(!app.list.broken_first);
    assert_eq!(selected_name(&app), before);
    let report = app.report.as_ref().unwrap();
    let names: Vec<&str> = app
        .list
        .visible
        .iter()
        .map(|&i| report.workloads[i].name.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn a_switches_between_the_selected_namespace_and_all() {
    let mut app = loaded(false);
    let ns = app.selected_workload().unwrap().namespace.clone();
    let work = send(&mut app, [key('a')]);
    assert_eq!(
        work,
        vec![Work::Load {
            generation: 2,
            scope: Scope::Namespace(ns)
        }]
    );
    let work = send(&mut app, [key('a')]);
    assert_eq!(
        work,
        vec![Work::Load {
            generation: 3,
            scope: Scope::All
        }]
    );
}

#[test]
fn prove_needs_a_live_cluster() {
    let mut app = loaded(false);
    assert!(send(&mut app, [key('p')]).is_empty());
    assert_eq!(app.toast.as_ref().unwrap().level, ToastLevel::Error);
}

#[test]
fn prove_on_a_pod_identity_workload_says_why_not() {
    let mut app = loaded(true);
    open(&mut app, "ml-pipeline");
    assert!(send(&mut app, [key('p')]).is_empty());
    assert!(app.toast.as_ref().unwrap().text.contains("IRSA"));
}

fn proof(report: &Report, name: &str, result: ProofResult) -> Report {
    let mut r = report.clone();
    r.workloads.retain(|w| w.name == name);
    let w = &r.workloads[0];
    r.proofs = vec![ProofOutcome {
        namespace: w.namespace.clone(),
        service_account: w.service_account.clone(),
        role_arn: w.role_arn.clone().unwrap(),
        audience: "sts.amazonaws.com".into(),
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
        [Work::Prove { id, .. }] => *id,
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
fn toasts_expire_with_ticks() {
    let mut app = loaded(false);
    send(&mut app, [key('s')]);
    assert!(app.toast.is_some());
    for _ in 0..super::state::TOAST_TICKS + 1 {
        update(&mut app, Msg::Tick);
    }
    assert!(app.toast.is_none());
}

#[test]
fn a_small_terminal_scrolls_the_list_to_the_selection() {
    let mut report = demo_report();
    let template = report.workloads[0].clone();
    report.workloads = (0..200)
        .map(|i| {
            let mut w = template.clone();
            w.name = format!("w{i:03}");
            w
        })
        .collect();
    let mut app = App::new("test", false, Scope::All, Theme { color: true });
    start(&mut app);
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(report),
        },
    );
    update(
        &mut app,
        Msg::Resize {
            width: 80,
            height: 10,
        },
    );
    send(&mut app, [code(KeyCode::End)]);
    let rows = super::layout::list_rows(&app);
    assert_eq!(app.list.selected, 199);
    assert_eq!(app.list.offset, 200 - rows);
    send(&mut app, [code(KeyCode::PageUp)]);
    assert_eq!(app.list.selected, 199 - rows);
}

#[test]
fn before_the_first_report_only_help_refresh_and_the_ways_out_work() {
    let mut app = App::new("test", false, Scope::All, Theme { color: true });
    start(&mut app);
    let work = send(&mut app, [key('/'), key('s'), key('y'), key('p')]);
    assert!(work.is_empty(), "{work:?}");
    assert!(!app.filtering, "`/` does nothing without a list");
    assert!(app.toast.is_none(), "{:?}", app.toast);
    send(&mut app, [key('q')]);
    assert!(app.quit, "q quits, it is not typed into a filter");
}

#[test]
fn clearing_the_filter_keeps_the_selected_workload() {
    let mut app = loaded(false);
    send(&mut app, [key('/')]);
    send(&mut app, typed("notebook"));
    send(&mut app, [code(KeyCode::Enter)]);
    assert_eq!(selected_name(&app), "notebook");
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(app.list.filter.is_empty() && !app.quit);
    assert_eq!(selected_name(&app), "notebook");
    assert!(app.list.visible.len() > 1);
    send(&mut app, [key('/')]);
    send(&mut app, typed("langflow"));
    send(&mut app, [code(KeyCode::Esc)]);
    assert_eq!(selected_name(&app), "langflow", "Esc while typing too");
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
fn overlays_scroll_no_further_than_their_text() {
    let mut app = loaded(false);
    update(
        &mut app,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    send(&mut app, [key('?')]);
    send(&mut app, (0..500).map(|_| code(KeyCode::Down)));
    let max = super::view::overlay::max_scroll(&app);
    assert!(max > 0, "the help is longer than 24 lines");
    let scroll = |app: &App| match app.overlay {
        Some(Overlay::Help { scroll }) => scroll,
        _ => panic!("{:?}", app.overlay),
    };
    assert_eq!(scroll(&app), max);
    send(&mut app, [code(KeyCode::Up)]);
    assert_eq!(scroll(&app), max - 1, "one key up moves up at once");
}

#[test]
fn copied_fix_commands_carry_the_fix_in_words() {
    let mut app = loaded(false);
    open(&mut app, "flyte-backend");
    let work = send(&mut app, [key('y')]);
    let [Work::Copy { text }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let fix = text.find("# make the statement match: {").expect(text);
    let command = text.find("aws iam update-assume-role-policy").unwrap();
    assert!(fix < command, "{text}");
}
