//! The TUI's dialogs beyond a plain fix (issues 11 and 12), driven through the real worker on
//! fixture bundles and drawn with ratatui's TestBackend: the choices of an ambiguous fix (a
//! snapshot, its colours; Enter plans the one picked, whose plan then opens the confirmation
//! dialog); the progress per step while applying; `m`'s migration stage with its pre-flight
//! checks (a snapshot, its colours) and a blocked pre-flight. Snapshots as in
//! tests/tui_screens.rs (`UPDATE_SNAPSHOTS=1` rewrites them).

use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use kubectl_irsa::app::Source;
use kubectl_irsa::tui::state::Overlay;
use kubectl_irsa::tui::update::update;
use kubectl_irsa::tui::worker::Worker;
use kubectl_irsa::tui::{App, Msg, Work};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

#[path = "support/tui_screen.rs"]
#[allow(unused_imports)]
mod tui_screen;
use tui_screen::*;

/// An app on `source` (offline: plans are shown, never applied) and a worker reading it.
fn with_worker(source: &Source, color: bool) -> (App, Worker, Receiver<Msg>) {
    let app = loaded_from(source, color, 100, 30);
    let (tx, rx) = channel();
    let worker = Worker::new(source.clone(), Vec::new(), tx).unwrap();
    (app, worker, rx)
}

/// Presses `code`, runs the work it asks for and feeds the worker's answers back until
/// `done` holds (a minute at most).
fn key_and_wait(
    app: &mut App,
    worker: &mut Worker,
    rx: &Receiver<Msg>,
    code: KeyCode,
    done: impl Fn(&App) -> bool,
) {
    let mut work: Vec<Work> = update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    let mut copy = |_: &str| Ok(());
    loop {
        for w in work.drain(..) {
            worker.run(w, &mut copy);
        }
        if done(app) {
            return;
        }
        let msg = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("no answer from the worker: {e}"));
        work = update(app, msg);
    }
}

/// The dialog's box: where its top-left corner `┌` is, on the row whose text has `title`.
fn dialog_area(buf: &Buffer, title: &str) -> Rect {
    let y = (0..buf.area.height)
        .find(|&y| row_text(buf, y).contains(title))
        .unwrap_or_else(|| panic!("{title:?} not on screen:\n{}", screen_text(buf)));
    let x = (0..buf.area.width)
        .find(|&x| buf[(x, y)].symbol() == "┌")
        .unwrap();
    let right = (x + 1..buf.area.width)
        .find(|&x| buf[(x, y)].symbol() == "┐")
        .unwrap();
    let bottom = (y + 1..buf.area.height)
        .find(|&b| buf[(x, b)].symbol() == "└")
        .unwrap();
    Rect::new(x, y, right - x + 1, bottom - y + 1)
}

/// The box's border is red all round (danger: what it leads to writes).
fn assert_red_border(buf: &Buffer, area: Rect) {
    for y in area.y..area.bottom() {
        for x in [area.x, area.right() - 1] {
            assert_eq!(buf[(x, y)].fg, Color::Red, "border at {x},{y}");
        }
    }
    for x in area.x..area.right() {
        for y in [area.y, area.bottom() - 1] {
            assert_eq!(buf[(x, y)].fg, Color::Red, "border at {x},{y}");
        }
    }
}

/// No cell is grey or filled (see tests/tui_screen_colours.rs), yellow is bold; with NO_COLOR
/// no cell has a colour at all.
fn assert_palette(buf: &Buffer, color: bool) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            let at = || format!("at {x},{y}: {}", row_text(buf, y));
            assert_eq!(c.bg, Color::Reset, "background fill {}", at());
            assert!(
                !matches!(c.fg, Color::DarkGray | Color::Gray),
                "grey {}",
                at()
            );
            if c.fg == Color::Yellow {
                assert!(c.modifier.contains(Modifier::BOLD), "faint yellow {}", at());
            }
            if !color {
                assert_eq!(c.fg, Color::Reset, "colour without colours {}", at());
            }
        }
    }
}

/// `f` on `deploy/reports` of the sa-missing-pods-listed fixture (the pods name a service account
/// that does not exist, next to a look-alike that does): the choices open.
fn choices_open(color: bool) -> (App, Worker, Receiver<Msg>) {
    let (mut app, mut worker, rx) = with_worker(&scenario("sa-missing-pods-listed"), color);
    open(&mut app, "reports");
    key_and_wait(&mut app, &mut worker, &rx, KeyCode::Char('f'), |a| {
        a.overlay.is_some() || a.fixing.is_none()
    });
    (app, worker, rx)
}

#[test]
fn an_ambiguous_fix_lists_its_choices_in_a_red_dialog() {
    let (mut app, _worker, _rx) = choices_open(true);
    let Some(Overlay::Choose { choices, .. }) = &app.overlay else {
        panic!("{:?} {:?}", app.overlay, app.toast)
    };
    assert_eq!(choices.len(), 2, "{choices:?}");
    press(&mut app, KeyCode::Char('2'));
    let buf = draw(&app);
    snapshot("fix-choices", &buf);
    let title = "fix of deploy/reports: 2 choices — Enter plans the selected one, Esc cancels";
    let area = dialog_area(&buf, title);
    assert_red_border(&buf, area);
    assert_palette(&buf, true);
    // The selected choice is marked and reversed, the other is not.
    let row = |n: &str| {
        (area.y..area.bottom())
            .find(|&y| row_text(&buf, y).contains(&format!("{n}. ")))
            .unwrap_or_else(|| panic!("choice {n}:\n{}", screen_text(&buf)))
    };
    let (first, second) = (row("1"), row("2"));
    assert!(
        row_text(&buf, second).contains("│› 2. "),
        "{}",
        row_text(&buf, second)
    );
    assert!(
        row_text(&buf, first).contains("│  1. "),
        "{}",
        row_text(&buf, first)
    );
    let text_x = area.x + 3;
    assert!(buf[(text_x, second)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(text_x, first)].modifier.contains(Modifier::REVERSED));
    let text = screen_text(&buf);
    assert!(text.contains("report-sa"), "{text}");
    assert!(
        text.contains("kubectl irsa fix deploy/reports -n analytics --choice N"),
        "{text}"
    );
    // Without colours the mark still shows which is selected.
    let (mut plain, _w, _r) = choices_open(false);
    press(&mut plain, KeyCode::Char('2'));
    let buf = draw(&plain);
    assert_palette(&buf, false);
    assert!(screen_text(&buf).contains("› 2. "));
}

#[test]
fn enter_plans_the_picked_choice_and_its_plan_opens_for_confirmation() {
    let (mut app, mut worker, rx) = choices_open(true);
    let meaning = match &app.overlay {
        Some(Overlay::Choose { choices, .. }) => choices[0].meaning.clone(),
        other => panic!("{other:?}"),
    };
    key_and_wait(&mut app, &mut worker, &rx, KeyCode::Enter, |a| {
        a.fixing.is_none()
    });
    let Some(Overlay::Fix { plan, .. }) = &app.overlay else {
        panic!("{:?} {:?}", app.overlay, app.toast)
    };
    assert!(!plan.steps.is_empty(), "{plan:?}");
    let buf = draw(&app);
    let area = dialog_area(&buf, "fix with choice 1:");
    assert_red_border(&buf, area);
    assert_palette(&buf, true);
    let text = screen_text(&buf);
    // The choice in words, then the steps; the dry-run command carries the choice.
    assert!(text.contains("choice 1: "), "{text}");
    assert!(
        kubectl_irsa::terminal_text::line(&meaning)
            .split_whitespace()
            .take(4)
            .all(|w| text.contains(w)),
        "{meaning}\n{text}"
    );
    assert!(text.contains("1. kubernetes "), "{text}");
    assert!(
        text.contains("kubectl irsa fix deploy/reports -n analytics --choice 1 --dry-run"),
        "{text}"
    );
}

/// Progress per step (issue 11): after Enter the dialog keeps its red border and shows each
/// step: made in green with `✔`, failed in red with `✘` and its reason, pending dimmed.
#[test]
fn applying_shows_each_steps_progress_in_the_dialog() {
    use kubectl_irsa::app::fix::StepEvent;
    use kubectl_irsa::tui::message::{ApplyNews, Planned};
    let source = scenario("sa-missing-pods-listed");
    let mut app = loaded_from(&source, true, 100, 30);
    // Applying is for live clusters: this state is what a live run reaches (the header then
    // names the report's source: kept the same wherever the repository is checked out).
    app.live = true;
    if let Some(r) = app.report.as_mut() {
        r.source.description = "live".into();
    }
    open(&mut app, "reports");
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::NONE)),
    );
    let plan = plan_with_choice(&source);
    assert_eq!(plan.steps.len(), 2, "{plan:?}");
    let id = app.fix_id;
    update(
        &mut app,
        Msg::Planned {
            id,
            result: Ok(Planned::Ready {
                plan: Box::new(plan),
                undoes: None,
            }),
        },
    );
    let work = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let [Work::Apply { id, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let id = *id;
    for event in [
        StepEvent::Started(0),
        StepEvent::Made(0),
        StepEvent::Started(1),
    ] {
        update(&mut app, Msg::Step { id, event });
    }
    let buf = draw(&app);
    let area = dialog_area(&buf, "applying fix: 1 of 2 steps made");
    assert_red_border(&buf, area);
    assert_palette(&buf, true);
    let done = cells_starting(
        &buf,
        area,
        "✔ 1. set-service-account Deployment analytics/reports",
    );
    assert_eq!(buf[done].fg, Color::Green, "{}", screen_text(&buf));
    let running = cells_starting(&buf, area, "2. rollout-restart");
    assert_eq!(buf[(running.0 - 2, running.1)].fg, Color::Yellow);
    update(
        &mut app,
        Msg::Step {
            id,
            event: StepEvent::Failed(1, "deployments.apps is forbidden".into()),
        },
    );
    update(
        &mut app,
        Msg::Applied {
            id,
            result: Ok(ApplyNews::Failed {
                step: 1,
                reason: "deployments.apps is forbidden".into(),
            }),
        },
    );
    let buf = draw(&app);
    let area = dialog_area(&buf, "fix stopped at step 2");
    assert_red_border(&buf, area);
    assert_palette(&buf, true);
    let failed = cells_starting(&buf, area, "✘ 2. rollout-restart");
    assert_eq!(buf[failed].fg, Color::Red);
    snapshot("fix-progress-failed", &buf);
}

/// The cell where `needle` starts inside `area`.
fn cells_starting(buf: &Buffer, area: Rect, needle: &str) -> (u16, u16) {
    for y in area.y..area.bottom() {
        let row: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        for x in area.x..area.right() {
            let rest: String = row[x as usize..].concat();
            if rest.starts_with(needle) {
                return (x, y);
            }
        }
    }
    panic!("{needle:?} not in the dialog:\n{}", screen_text(buf))
}

/// The plan of `deploy/reports` with choice 1 (run the pods as the existing service account:
/// two steps), made at a fixed time.
fn plan_with_choice(source: &Source) -> kubectl_irsa::model::plan::Plan {
    use kubectl_irsa::diagnose::{Selection, Target};
    use kubectl_irsa::model::workload::WorkloadKind;
    use kubectl_irsa::plan::fix::{FixOutcome, plan_fix};
    let snapshot = kubectl_irsa::app::gather(source).unwrap();
    let selection = Selection {
        namespace: Some("analytics".into()),
        target: Some(Target::Workload(WorkloadKind::Deployment, "reports".into())),
        ..Selection::default()
    };
    let at = jiff::Timestamp::from_second(1_767_225_600).unwrap();
    match plan_fix(
        &snapshot,
        &selection,
        "20260101T000000Z-00001",
        "deploy/reports",
        at,
        Some(1),
    )
    .unwrap()
    {
        FixOutcome::Ready { plan, .. } => plan,
        other => panic!("{other:?}"),
    }
}

/// `m` on `deploy/worker-a` of the migrate-wildcard fixture through the worker: stage 1 is
/// planned; its pre-flight checks (one warning: the wildcard subject stays), steps and notes
/// open in the red dialog.
#[test]
fn m_plans_stage_1_through_the_worker_and_shows_its_pre_flight() {
    let (mut app, mut worker, rx) = with_worker(&scenario("migrate-wildcard"), true);
    open(&mut app, "worker-a");
    key_and_wait(&mut app, &mut worker, &rx, KeyCode::Char('m'), |a| {
        a.fixing.is_none()
    });
    let Some(Overlay::Fix { plan, .. }) = &app.overlay else {
        panic!("{:?} {:?}", app.overlay, app.toast)
    };
    assert_eq!(plan.target, "migrate deploy/worker-a");
    let buf = draw(&app);
    assert_red_border(
        &buf,
        dialog_area(&buf, "migrate to Pod Identity (stage 1): 3 steps"),
    );
    let text = screen_text(&buf);
    assert!(text.contains("pre-flight:"), "{text}");
    assert!(
        text.contains("ok      agent: add-on eks-pod-identity-agent installed"),
        "{text}"
    );
    assert!(text.contains("warning wildcard-subject:"), "{text}");
}

/// A pre-flight check that blocks (whether the agent add-on is installed could not be read):
/// a toast with the reason, no dialog, nothing asked of the writers.
#[test]
fn a_blocked_pre_flight_is_a_toast_and_nothing_else() {
    let (mut app, mut worker, rx) = with_worker(&scenario("migrate-shared-role"), true);
    open(&mut app, "checkout");
    key_and_wait(&mut app, &mut worker, &rx, KeyCode::Char('m'), |a| {
        a.fixing.is_none()
    });
    assert!(app.overlay.is_none(), "{:?}", app.overlay);
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.text.contains("blocked by its pre-flight checks"),
        "{}",
        toast.text
    );
    assert!(
        toast.text.contains("eks-pod-identity-agent"),
        "{}",
        toast.text
    );
}

/// The migration dialog at a fixed time: a snapshot, the pre-flight lines' colours (ok green,
/// the warning bold yellow), the red border, and no colour without colours.
#[test]
fn the_migration_dialog_snapshot_and_colours() {
    for color in [true, false] {
        let source = scenario("migrate-wildcard");
        let mut app = loaded_from(&source, color, 100, 30);
        open(&mut app, "worker-a");
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE)),
        );
        let id = app.fix_id;
        update(
            &mut app,
            Msg::MigrationPlanned {
                id,
                result: Ok(stage_1(&source)),
            },
        );
        let buf = draw(&app);
        assert_palette(&buf, color);
        if !color {
            continue;
        }
        snapshot("migrate-dialog", &buf);
        let title = "migrate to Pod Identity (stage 1): 3 steps — Enter applies, Esc cancels";
        let area = dialog_area(&buf, title);
        assert_red_border(&buf, area);
        let ok = cells_starting(&buf, area, "ok      agent:");
        assert_eq!(buf[ok].fg, Color::Green);
        let warning = cells_starting(&buf, area, "warning wildcard-subject:");
        assert_eq!(buf[warning].fg, Color::Yellow);
        assert!(buf[warning].modifier.contains(Modifier::BOLD));
        // The check's message is plain text: colour is for the mark.
        let message = (
            warning.0 + "warning wildcard-subject: ".len() as u16,
            warning.1,
        );
        assert_eq!(buf[message].fg, Color::Reset, "{}", screen_text(&buf));
    }
}

/// Stage 1 of `deploy/worker-a` in migrate-wildcard, planned at a fixed time.
fn stage_1(source: &Source) -> kubectl_irsa::tui::message::MigrationPlanned {
    use kubectl_irsa::diagnose::{Selection, Target};
    use kubectl_irsa::model::workload::WorkloadKind;
    use kubectl_irsa::plan::fix::FixOutcome;
    use kubectl_irsa::plan::migrate::{Stage, plan_migrate};
    use kubectl_irsa::tui::message::{MigrationPlanned, Planned};
    let snapshot = kubectl_irsa::app::gather(source).unwrap();
    let selection = Selection {
        namespace: Some("batch".into()),
        target: Some(Target::Workload(
            WorkloadKind::Deployment,
            "worker-a".into(),
        )),
        ..Selection::default()
    };
    let at = jiff::Timestamp::from_second(1_767_225_600).unwrap();
    let out = plan_migrate(
        &snapshot,
        &selection,
        Stage::Start,
        &[],
        "20260101T000000Z-00001",
        "migrate deploy/worker-a",
        at,
    )
    .unwrap();
    let FixOutcome::Ready { plan, .. } = out.outcome else {
        panic!("{:?}", out.outcome)
    };
    MigrationPlanned {
        stage: Stage::Start,
        finalizing: false,
        planned: Planned::Ready {
            plan: Box::new(plan),
            undoes: None,
        },
        preflight: out.preflight,
        notes: out.notes,
    }
}
