//! The update function: one message in, the state changed, the work to start out. It is the
//! only code that changes [`App`]; it does no I/O, so every behaviour of the TUI can be tested
//! by feeding it messages (see `update_tests.rs`).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::choosing;
use super::fixing;
use super::keys::{self, Action, Place};
use super::layout;
use super::list_model::workload_ref;
use super::message::{Cancel, Msg, Scope, Work};
use super::migrating;
use super::proving;
use super::reading;
use super::state::{
    App, Load, Overlay, Pane, ProofState, Screen, TOAST_TICKS, Toast, ToastLevel, WorkloadView,
    first_interesting_link,
};
use super::view::{detail, overlay};
use super::wizard;
use crate::app::watched::LoadEvent;
use crate::model::Report;
use crate::model::workload::WorkloadRef;
use crate::plan::migrate::Stage;

/// The work to do when the TUI starts: the first load.
pub fn start(app: &mut App) -> Vec<Work> {
    let mut work = begin_load(app);
    work.extend(wizard::update::start(app));
    work
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Work> {
    match msg {
        Msg::Key(ev) => on_key(app, ev),
        Msg::Resize { width, height } => {
            app.width = width;
            app.height = height;
            app.list.scroll_into_view(layout::list_rows(app));
            clamp_detail_scroll(app);
            Vec::new()
        }
        Msg::Tick => {
            app.tick += 1;
            if app.toast.as_ref().is_some_and(|t| app.tick > t.until) {
                app.toast = None;
            }
            Vec::new()
        }
        Msg::Load { generation, event } => {
            if generation == app.generation {
                on_load_event(app, event);
            }
            Vec::new()
        }
        Msg::Loaded { generation, result } => {
            if generation == app.generation {
                on_loaded(app, result);
                fixing::after_loaded(app, generation);
                return wizard::update::after_loaded(app, generation);
            }
            Vec::new()
        }
        Msg::Proved {
            id,
            workload,
            result,
        } => {
            let current = matches!(app.proofs.get(&workload), Some(ProofState::Running { id: r }) if *r == id);
            if current {
                proving::on_proved(app, workload, result);
                wizard::update::after_proved(app, id);
            }
            Vec::new()
        }
        Msg::Planned { id, result } => fixing::on_planned(app, id, result),
        Msg::Choices { id, choices } => choosing::on_choices(app, id, choices),
        Msg::Step { id, event } => fixing::on_step(app, id, event),
        Msg::MigrationPlanned { id, result } => migrating::on_planned(app, id, result),
        Msg::Applied { id, result } => {
            let news = result.clone();
            let work = fixing::on_applied(app, id, result);
            wizard::update::after_applied(app, id, news);
            work
        }
        Msg::Wizard { id, news } => wizard::update::on_news(app, id, news),
        Msg::Copied(result) => {
            match result {
                Ok(()) => toast(app, "sent to the clipboard (OSC 52)", ToastLevel::Info),
                Err(e) => toast(app, format!("could not copy: {e}"), ToastLevel::Error),
            }
            Vec::new()
        }
    }
}

pub fn toast(app: &mut App, text: impl Into<String>, level: ToastLevel) {
    app.toast = Some(Toast {
        text: text.into(),
        level,
        until: app.tick + TOAST_TICKS,
    });
}

/// A new load; the one still running, if any, is cancelled: its answer would be dropped.
pub(super) fn begin_load(app: &mut App) -> Vec<Work> {
    let mut work = Vec::new();
    if app.generation > 0 && matches!(app.load, Load::Loading { .. }) {
        work.push(Work::Cancel(Cancel::Load {
            generation: app.generation,
        }));
    }
    app.generation += 1;
    app.load = Load::Loading { stages: Vec::new() };
    work.push(Work::Load {
        generation: app.generation,
        scope: app.scope.clone(),
    });
    work
}

/// Cancels the running proof of `workload`, if any, and forgets it.
pub(super) fn cancel_proof(app: &mut App, workload: &WorkloadRef) -> Option<Work> {
    match app.proofs.get(workload) {
        Some(ProofState::Running { id }) => {
            let id = *id;
            app.proofs.remove(workload);
            Some(Work::Cancel(Cancel::Prove { id }))
        }
        _ => None,
    }
}

fn on_load_event(app: &mut App, event: LoadEvent) {
    match event {
        LoadEvent::Stage(stage, state) => {
            if let Load::Loading { stages } = &mut app.load {
                match stages.iter_mut().find(|(s, _)| *s == stage) {
                    Some(entry) => entry.1 = state,
                    None => stages.push((stage, state)),
                }
            }
        }
        LoadEvent::Namespace(ns) => app.resolved_namespace = Some(ns),
        LoadEvent::Partial(report) => {
            // A complete older report says more than a Kubernetes-only new one.
            if app.report.is_none() || app.partial {
                app.partial = true;
                set_report(app, *report);
            }
        }
    }
}

fn on_loaded(app: &mut App, result: Result<Report, String>) {
    match result {
        Ok(report) => {
            app.load = Load::Ready;
            app.partial = false;
            app.loaded_once = true;
            app.proofs
                .retain(|_, p| matches!(p, ProofState::Running { .. }));
            // AWS refused the credentials: the Kubernetes links stand, and the note says why
            // the others are unknown and how to log in.
            let unread = report
                .source_unread
                .then(|| report.notes.iter().find(|n| n.file == "aws"))
                .flatten()
                .map(|n| n.message.clone());
            set_report(app, report);
            if let Some(message) = unread {
                toast(app, message, ToastLevel::Warning);
            }
        }
        Err(e) => {
            if app.report.is_some() {
                let what = if app.loaded_once {
                    "refresh failed"
                } else {
                    "loading AWS failed"
                };
                toast(app, format!("{what}: {e}"), ToastLevel::Error);
            }
            app.load = Load::Failed(e);
        }
    }
}

/// Installs a report, keeping the selection and the open workload where they still exist.
fn set_report(app: &mut App, report: Report) {
    let selected = app.selected_workload().map(workload_ref);
    app.list.rebuild_selecting(&report, selected.as_ref());
    app.report = Some(report);
    app.list.scroll_into_view(layout::list_rows(app));
    if let Screen::Workload(view) = &app.screen {
        let gone = app.find_workload(&view.workload).is_none();
        if gone && !app.partial {
            let name = view.workload.to_string();
            app.screen = Screen::List;
            toast(app, format!("{name} is no longer there"), ToastLevel::Error);
        }
    }
    clamp_detail_scroll(app);
}

fn on_key(app: &mut App, ev: KeyEvent) -> Vec<Work> {
    if ev.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let place = app.place();
    if place == Place::Choose {
        return choosing::on_choose_key(app, &ev);
    }

    if let Some(action) = keys::lookup(place, &ev) {
        // Before the first report only the ways out, help and refresh do anything; the
        // footer shows just those. The wizard reads its own facts.
        if keys::usable(app.report.is_some() || place == Place::Wizard, action) {
            return act(app, place, action);
        }
        return Vec::new();
    }
    if place == Place::Filter {
        edit_filter(app, ev);
    }
    if place == Place::Wizard {
        wizard::update::edit(app, ev);
    }
    Vec::new()
}

fn edit_filter(app: &mut App, ev: KeyEvent) {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Char('u') if ctrl => app.list.filter.clear(),
        KeyCode::Char('w') if ctrl => {
            let kept = app.list.filter.trim_end().rfind(' ').map_or(0, |i| i + 1);
            app.list.filter.truncate(kept);
        }
        KeyCode::Char(c) if !ctrl => app.list.filter.push(c),
        KeyCode::Backspace => {
            app.list.filter.pop();
        }
        _ => return,
    }
    app.list.refilter();
    app.list.move_to(0);
    app.list.offset = 0;
}

fn act(app: &mut App, place: Place, action: Action) -> Vec<Work> {
    if place == Place::Wizard {
        return wizard::update::act(app, action);
    }
    let page = layout::list_rows(app).max(1) as isize;
    match action {
        Action::Quit => app.quit = true,
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            let step: isize = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -page,
                _ => page,
            };
            let by_page = matches!(action, Action::PageUp | Action::PageDown);
            match place {
                Place::List | Place::Filter => {
                    app.list.move_by(step);
                    app.list.scroll_into_view(page as usize);
                }
                Place::Chain if !by_page => move_link(app, step),
                Place::Chain | Place::Detail => {
                    let rows = detail_rows(app) as isize;
                    let delta = if by_page {
                        step.signum() * rows.max(1)
                    } else {
                        step
                    };
                    scroll_detail(app, delta);
                }
                Place::Help | Place::Commands | Place::Reading | Place::Confirm | Place::Choose => {
                    scroll_overlay(app, step)
                }
                // Handled by the wizard before this match.
                Place::Wizard => {}
            }
        }
        Action::Top | Action::Bottom => {
            let to_end = action == Action::Bottom;
            let far = if to_end {
                isize::MAX / 2
            } else {
                isize::MIN / 2
            };
            match place {
                Place::List => {
                    app.list.move_to(if to_end { usize::MAX } else { 0 });
                    app.list.scroll_into_view(page as usize);
                }
                Place::Chain => move_link(app, far),
                Place::Reading | Place::Confirm => scroll_overlay(app, far),
                _ => scroll_detail(app, far),
            }
        }
        Action::Open => match place {
            Place::Filter => app.filtering = false,
            Place::List => open_selected(app),
            Place::Chain => set_focus(app, Pane::Detail),
            _ => {}
        },
        Action::SwitchPane if place == Place::Reading => {
            app.overlay.iter_mut().for_each(Overlay::next_code);
        }
        Action::SwitchPane => {
            if let Screen::Workload(v) = &app.screen {
                let next = match v.focus {
                    Pane::Chain => Pane::Detail,
                    Pane::Detail => Pane::Chain,
                };
                set_focus(app, next);
            }
        }
        Action::Back => match place {
            Place::Help | Place::Commands | Place::Reading | Place::Confirm | Place::Choose => {
                app.overlay = None
            }
            Place::Filter => {
                app.filtering = false;
                clear_filter(app);
            }
            Place::Detail => set_focus(app, Pane::Chain),
            Place::Chain => {
                let open = app.current_ref();
                app.screen = Screen::List;
                // Moving on from a workload: its proof's answer is no longer awaited.
                let cancelled = open.as_ref().and_then(|w| cancel_proof(app, w));
                // The list was rebuilt with every report that came in; only the selection
                // may need to follow the workload that was open.
                if let (Some(open), Some(report)) = (open, &app.report) {
                    app.list.select(report, &open);
                    app.list.scroll_into_view(page as usize);
                }
                return cancelled.into_iter().collect();
            }
            Place::List if !app.list.filter.is_empty() => clear_filter(app),
            Place::List => app.quit = true,
            Place::Wizard => {}
        },
        Action::Filter => app.filtering = true,
        Action::Sort => {
            app.list.sort = app.list.sort.next();
            resort(app);
            let label = app.list.sort.label();
            toast(app, format!("sorted by {label}"), ToastLevel::Info);
        }
        Action::BrokenFirst => {
            app.list.broken_first = !app.list.broken_first;
            resort(app);
            let text = if app.list.broken_first {
                "broken workloads first"
            } else {
                "no grouping by status"
            };
            toast(app, text, ToastLevel::Info);
        }
        Action::Scope => return switch_scope(app),
        Action::Refresh => return begin_load(app),
        Action::Prove => return proving::prove(app),
        Action::Copy => return super::copy::copy(app),
        Action::Explain => match reading::explain(app) {
            Some(overlay) => app.overlay = Some(overlay),
            None => toast(
                app,
                "this link has no findings to explain",
                ToastLevel::Info,
            ),
        },
        Action::Whole => app.overlay = Some(reading::whole(app)),
        Action::Fix => return fixing::fix(app),
        Action::Undo => return fixing::undo(app),
        Action::Apply => return fixing::apply(app),
        Action::Setup => return wizard::update::open(app),
        Action::Toggle => {}
        Action::Migrate => return migrating::migrate(app, Stage::Start),
        Action::Rollback => return migrating::migrate(app, Stage::Rollback),
        // Only among the choices, which `choosing::on_choose_key` reads whole.
        Action::Pick => {}
    }
    Vec::new()
}

/// Drops the filter; the selected workload stays selected, now among all the others.
fn clear_filter(app: &mut App) {
    app.list.filter.clear();
    app.list.refilter_keeping_selection();
    app.list.scroll_into_view(layout::list_rows(app));
}

pub(super) fn resort(app: &mut App) {
    let selected = app.selected_workload().map(workload_ref);
    if let Some(report) = &app.report {
        app.list.rebuild_selecting(report, selected.as_ref());
        app.list.scroll_into_view(layout::list_rows(app));
    }
}

fn open_selected(app: &mut App) {
    let Some(w) = app.selected_workload() else {
        return;
    };
    app.screen = Screen::Workload(WorkloadView {
        workload: workload_ref(w),
        link: first_interesting_link(w),
        focus: Pane::Chain,
        scroll: 0,
    });
}

fn set_focus(app: &mut App, focus: Pane) {
    if let Screen::Workload(v) = &mut app.screen {
        v.focus = focus;
    }
}

fn move_link(app: &mut App, delta: isize) {
    let links = app.current_workload().map_or(0, |w| w.links.len());
    if let Screen::Workload(v) = &mut app.screen
        && links > 0
    {
        v.link = v.link.saturating_add_signed(delta).min(links - 1);
        v.scroll = 0;
    }
}

fn detail_rows(app: &App) -> u16 {
    let links = app.current_workload().map_or(8, |w| w.links.len());
    layout::detail_inner(app, links).1
}

fn max_detail_scroll(app: &App) -> u16 {
    let links = app.current_workload().map_or(8, |w| w.links.len());
    let (width, rows) = layout::detail_inner(app, links);
    let total = detail::lines(app, width).len();
    u16::try_from(total.saturating_sub(rows as usize)).unwrap_or(u16::MAX)
}

fn scroll_detail(app: &mut App, delta: isize) {
    let max = max_detail_scroll(app);
    if let Screen::Workload(v) = &mut app.screen {
        let next = (v.scroll as isize)
            .saturating_add(delta)
            .clamp(0, max as isize);
        v.scroll = next as u16;
    }
}

pub(super) fn clamp_detail_scroll(app: &mut App) {
    if matches!(app.screen, Screen::Workload(_)) {
        scroll_detail(app, 0);
    }
}

fn scroll_overlay(app: &mut App, delta: isize) {
    let max = overlay::max_scroll(app);
    if let Some(scroll) = app.overlay.as_mut().map(Overlay::scroll_mut) {
        *scroll = (*scroll as isize)
            .saturating_add(delta)
            .clamp(0, max as isize) as u16;
    }
}

/// Shows the other scope, cancelling the load in flight and the proofs of workloads the new
/// scope does not show.
fn switch_scope(app: &mut App) -> Vec<Work> {
    app.scope = match &app.scope {
        Scope::All => {
            let ns = app
                .selected_workload()
                .map(|w| w.namespace.clone())
                .or_else(|| app.resolved_namespace.clone());
            match ns {
                Some(ns) => Scope::Namespace(ns),
                None if app.live => Scope::ContextNamespace,
                None => Scope::All,
            }
        }
        Scope::Namespace(_) | Scope::ContextNamespace => Scope::All,
    };
    let label = app.scope_label();
    toast(app, format!("showing {label}"), ToastLevel::Info);
    let mut work = Vec::new();
    if let Scope::Namespace(ns) = &app.scope {
        let outside: Vec<WorkloadRef> = app
            .proofs
            .keys()
            .filter(|w| &w.namespace != ns)
            .cloned()
            .collect();
        work.extend(outside.iter().filter_map(|w| cancel_proof(app, w)));
    }
    work.extend(begin_load(app));
    work
}
