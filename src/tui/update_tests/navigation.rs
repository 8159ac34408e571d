//! Loading, the list, the chain, the filter and the overlays, driven by messages.

use super::*;

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
        vec![
            Work::Cancel(Cancel::Load { generation: 2 }),
            Work::Load {
                generation: 3,
                scope: Scope::All
            }
        ],
        "the namespace's load was still running"
    );
}

#[test]
fn a_new_load_cancels_the_one_still_running() {
    let mut app = loaded(false);
    assert_eq!(
        send(&mut app, [key('r')]),
        vec![Work::Load {
            generation: 2,
            scope: Scope::All
        }],
        "nothing runs after a finished load: nothing to cancel"
    );
    assert_eq!(
        send(&mut app, [key('r')]),
        vec![
            Work::Cancel(Cancel::Load { generation: 2 }),
            Work::Load {
                generation: 3,
                scope: Scope::All
            }
        ]
    );
    update(
        &mut app,
        Msg::Loaded {
            generation: 3,
            result: Err("unreachable".into()),
        },
    );
    assert_eq!(
        send(&mut app, [key('r')]),
        vec![Work::Load {
            generation: 4,
            scope: Scope::All
        }],
        "a failed load is over too"
    );
}

#[test]
fn toasts_expire_with_ticks() {
    let mut app = loaded(false);
    send(&mut app, [key('s')]);
    assert!(app.toast.is_some());
    for _ in 0..crate::tui::state::TOAST_TICKS + 1 {
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
    let rows = crate::tui::layout::list_rows(&app);
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
    let max = crate::tui::view::overlay::max_scroll(&app);
    assert!(max > 0, "the help is longer than 24 lines");
    let scroll = |app: &App| match app.overlay {
        Some(Overlay::Help { scroll }) => scroll,
        _ => panic!("{:?}", app.overlay),
    };
    assert_eq!(scroll(&app), max);
    send(&mut app, [code(KeyCode::Up)]);
    assert_eq!(scroll(&app), max - 1, "one key up moves up at once");
}

/// Issue 15: the first load's failure is not called a refresh's, and a report AWS could not be
/// read for says why and how to log in.
#[test]
fn the_first_load_says_what_failed_and_a_report_without_aws_says_why() {
    let mut app = App::new("test", true, Scope::All, Theme { color: true });
    start(&mut app);
    update(
        &mut app,
        Msg::Load {
            generation: 1,
            event: LoadEvent::Partial(Box::new(demo_report())),
        },
    );
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Err("cannot reach AWS: connection refused".into()),
        },
    );
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(
        toast.text.starts_with("loading AWS failed"),
        "{}",
        toast.text
    );

    send(&mut app, [key('r')]);
    let mut report = demo_report();
    report.source_unread = true;
    report.notes.push(crate::model::snapshot::LoadNote {
        file: "aws".into(),
        message: "IAM could not be read: AWS credentials are missing, invalid or expired (no credentials); log in (e.g. `aws sso login` or `aws configure`) or pass --profile, then run again".into(),
    });
    update(
        &mut app,
        Msg::Loaded {
            generation: 2,
            result: Ok(report),
        },
    );
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Warning);
    assert!(toast.text.contains("aws sso login"), "{}", toast.text);
    assert!(app.loaded_once);
}
