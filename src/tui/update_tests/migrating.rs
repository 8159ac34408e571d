//! `m` and `M` (issue 12): the migration stage they ask for, the dialog its plan opens (the
//! pre-flight checks and notes with the steps, the title naming the stage and `--finalize`
//! when stage 1 was done), Enter applying it as a fix, `--read-only` and offline refusing, and
//! a blocked pre-flight shown as a toast with nothing written.

use super::fixing::{demo_plan, tlm_chat_backend};
use super::*;
use crate::plan::migrate::Stage;
use crate::plan::migrate_preflight::{Check, CheckStatus};
use crate::tui::dialog::About;
use crate::tui::message::{MigrationPlanned, Planned};
use crate::tui::state::Fixing;

/// `key` on the open tlm-chat-backend: the stage asked for and the request's id.
fn ask(app: &mut App, key_char: char) -> (u64, Stage) {
    open(app, "tlm-chat-backend");
    let work = send(app, [key(key_char)]);
    let [
        Work::PlanMigrate {
            id,
            workload,
            stage,
        },
    ] = work.as_slice()
    else {
        panic!("{work:?}")
    };
    assert_eq!(*workload, tlm_chat_backend());
    (*id, *stage)
}

fn check(check: &'static str, status: CheckStatus, message: &str) -> Check {
    Check {
        check,
        status,
        message: message.into(),
    }
}

fn answer(stage: Stage, finalizing: bool, planned: Planned) -> MigrationPlanned {
    MigrationPlanned {
        stage,
        finalizing,
        planned,
        preflight: vec![
            check(
                "agent",
                CheckStatus::Ok,
                "add-on eks-pod-identity-agent installed",
            ),
            check(
                "wildcard-subject",
                CheckStatus::Warning,
                "the wildcard stays",
            ),
        ],
        notes: vec!["order: trust statement, association, restart".into()],
    }
}

fn ready() -> Planned {
    Planned::Ready {
        plan: Box::new(demo_plan()),
        undoes: None,
    }
}

/// The migration dialog open on the open workload, answered with `stage`'s plan.
fn migration_dialog(live: bool, finalizing: bool) -> App {
    let mut app = loaded(live);
    let (id, stage) = ask(&mut app, 'm');
    assert_eq!(stage, Stage::Start);
    let stage = if finalizing { Stage::Finalize } else { stage };
    let work = send(
        &mut app,
        [Msg::MigrationPlanned {
            id,
            result: Ok(answer(stage, finalizing, ready())),
        }],
    );
    assert!(work.is_empty());
    app
}

fn dialog_text(app: &App) -> String {
    let Some(Overlay::Fix {
        plan,
        workload,
        about,
        ..
    }) = &app.overlay
    else {
        panic!("{:?}", app.overlay)
    };
    let ns = workload.as_ref().map(|w| w.namespace.as_str());
    crate::tui::view::fix::lines(app, plan, ns, None, about, 100)
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn m_plans_stage_1_and_shift_m_the_rollback() {
    let mut app = loaded(true);
    let (_, stage) = ask(&mut app, 'm');
    assert_eq!(stage, Stage::Start);
    assert!(matches!(app.fixing, Some(Fixing::Planning { .. })));
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("move to Pod Identity")
    );
    let mut app = loaded(true);
    let (_, stage) = ask(&mut app, 'M');
    assert_eq!(stage, Stage::Rollback);
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("rollback to IRSA")
    );
    // From the list too, on the selected workload.
    let mut app = loaded(true);
    let work = send(&mut app, [key('m')]);
    assert!(
        matches!(
            work.as_slice(),
            [Work::PlanMigrate {
                stage: Stage::Start,
                ..
            }]
        ),
        "{work:?}"
    );
}

#[test]
fn the_dialog_shows_the_pre_flight_checks_the_steps_and_the_notes() {
    let app = migration_dialog(true, false);
    let Some(Overlay::Fix { about, plan, .. }) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert!(matches!(about, About::Migration(m) if m.stage == Stage::Start));
    assert_eq!(
        crate::tui::view::fix::title(plan, None, about),
        "migrate to Pod Identity (stage 1): 1 step — Enter applies, Esc cancels"
    );
    let text = dialog_text(&app);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"))
    };
    assert!(at("pre-flight:") < at("ok      agent: add-on eks-pod-identity-agent installed"));
    assert!(
        at("warning wildcard-subject: the wildcard stays") < at("1. kubernetes rollout-restart")
    );
    assert!(at("1. kubernetes rollout-restart") < at("note: order: trust statement"));
}

#[test]
fn stage_1_done_finalizes_instead_and_the_title_says_so() {
    let app = migration_dialog(true, true);
    let Some(Overlay::Fix { about, plan, .. }) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    let title = crate::tui::view::fix::title(plan, None, about);
    assert!(
        title.starts_with("migrate --finalize (stage 1 is done): 1 step"),
        "{title}"
    );
    assert!(dialog_text(&app).contains("this is --finalize, which removes IRSA"));
}

#[test]
fn enter_applies_a_migration_like_a_fix_live_only_and_never_read_only() {
    let mut app = migration_dialog(true, false);
    let work = send(&mut app, [code(KeyCode::Enter)]);
    assert!(
        matches!(work.as_slice(), [Work::Apply { undoes: None, workload: Some(w), .. }] if *w == tlm_chat_backend()),
        "{work:?}"
    );
    let mut app = migration_dialog(true, false);
    app.read_only = true;
    assert!(send(&mut app, [code(KeyCode::Enter)]).is_empty());
    assert!(app.toast.as_ref().unwrap().text.contains("--read-only"));
    // Offline the command that prints it is migrate's, with the stage's flag in its target.
    let mut app = migration_dialog(false, false);
    if let Some(Overlay::Fix { plan, .. }) = &mut app.overlay {
        plan.target = "migrate --finalize deploy/tlm-chat-backend".into();
    }
    assert!(send(&mut app, [code(KeyCode::Enter)]).is_empty());
    let toast = app.toast.clone().unwrap();
    assert!(
        toast
            .text
            .contains("`kubectl irsa migrate --finalize deploy/tlm-chat-backend -n tlm --dry-run`"),
        "{}",
        toast.text
    );
}

#[test]
fn a_blocked_pre_flight_is_a_toast_with_its_reasons_and_writes_nothing() {
    let mut app = loaded(true);
    let (id, _) = ask(&mut app, 'm');
    let mut blocked = answer(
        Stage::Start,
        false,
        Planned::Manual(vec!["tlm/deploy/tlm-chat-backend runs on Fargate".into()]),
    );
    blocked
        .preflight
        .push(check("platform", CheckStatus::Blocked, "runs on Fargate"));
    let work = send(
        &mut app,
        [Msg::MigrationPlanned {
            id,
            result: Ok(blocked),
        }],
    );
    assert!(work.is_empty());
    assert!(app.overlay.is_none());
    assert!(app.fixing.is_none());
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Warning);
    assert!(
        toast.text.contains("blocked by its pre-flight checks"),
        "{}",
        toast.text
    );
    assert!(toast.text.contains("runs on Fargate"), "{}", toast.text);
    // Nothing to do, and an error, are toasts too.
    for (result, level) in [
        (
            Ok(answer(
                Stage::Rollback,
                false,
                Planned::Nothing("nothing to roll back".into()),
            )),
            ToastLevel::Info,
        ),
        (
            Err("eks:DescribeCluster denied".to_string()),
            ToastLevel::Error,
        ),
    ] {
        let mut app = loaded(true);
        let (id, _) = ask(&mut app, 'M');
        send(&mut app, [Msg::MigrationPlanned { id, result }]);
        assert!(app.overlay.is_none());
        assert_eq!(app.toast.as_ref().unwrap().level, level);
    }
}

#[test]
fn nothing_is_migrated_while_a_plan_is_applied() {
    let mut app = migration_dialog(true, false);
    send(&mut app, [code(KeyCode::Enter), code(KeyCode::Esc)]);
    assert!(send(&mut app, [key('m'), key('M')]).is_empty());
    assert!(app.toast.as_ref().unwrap().text.contains("being applied"));
}
