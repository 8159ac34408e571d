//! The event loop: sets the terminal up (and restores it on exit and on panic), turns terminal
//! events and a timer into messages, feeds them to `update`, hands the requested work to the
//! [`Worker`] (whose tasks run on the one async runtime of the process: dropping the worker at
//! exit cancels whatever still runs), and draws. The only place the TUI touches the terminal.

use crate::terminal_text::document;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event};

use super::message::{Msg, Scope};
use super::state::App;
use super::theme::Theme;
use super::worker::Worker;
use super::{clipboard, logging, terminal, update};
use crate::app::Source;
use crate::diagnose::{LabelSelector, Target};
use crate::model::report::{RequestedAction, exit};

/// How often spinners turn and toasts age.
const TICK: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct Options {
    pub source: Source,
    pub scope: Scope,
    /// Actions the workloads need (`--action`/`--resource`), for the permissions link.
    pub actions: Vec<RequestedAction>,
    /// `-l`: only workloads whose pods carry these labels.
    pub selector: Option<LabelSelector>,
    /// `kubectl irsa tui TARGET`: only that workload (or service account).
    pub target: Option<Target>,
    pub log_file: Option<PathBuf>,
    /// `--read-only`: the fix dialog shows plans and writes nothing.
    pub read_only: bool,
    /// `kubectl irsa setup` without all its flags: start on the setup wizard, prefilled.
    pub wizard: Option<super::wizard::Prefill>,
}

fn source_label(source: &Source) -> String {
    match source {
        Source::Demo => "embedded demo".into(),
        Source::Offline(dirs) => {
            let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            format!("bundle {}", names.join(", "))
        }
        Source::Live(opts) => match &opts.context {
            Some(c) => format!("context {c}"),
            None => "current context".into(),
        },
    }
}

/// Runs the TUI until the user quits; returns the exit code.
pub fn run(options: Options) -> i32 {
    let started = Instant::now();
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "error: the terminal UI needs an interactive terminal; `kubectl irsa doctor` prints the same diagnosis as text or JSON"
        );
        return exit::USAGE;
    }
    let log = logging::init(options.log_file.clone());
    let live = matches!(options.source, Source::Live(_));
    let mut app = App::new(
        source_label(&options.source),
        live,
        options.scope.clone(),
        Theme::from_env(),
    );
    app.selector = options.selector.as_ref().map(|s| s.to_string());
    app.read_only = options.read_only;
    if let Some(prefill) = options.wizard.clone() {
        let mut wizard = super::wizard::Wizard::new(prefill);
        wizard.quit_on_close = true;
        app.wizard = Some(wizard);
    }
    match &log {
        Ok(p) => app.log_path = Some(p.display().to_string()),
        Err(e) => {
            eprintln!(
                "error: cannot open the log file: {} (use --log-file PATH)",
                document(&e.to_string())
            );
            return exit::USAGE;
        }
    }
    tracing::info!(source = %app.source_label, scope = ?options.scope, "start");
    let (tx, rx) = mpsc::channel::<Msg>();
    let worker = match Worker::new(options.source.clone(), options.actions.clone(), tx.clone()) {
        Ok(mut w) => {
            w.selector = options.selector.clone();
            w.target = options.target.clone();
            w
        }
        Err(e) => {
            eprintln!("error: {}", document(&e.to_string()));
            return exit::INCOMPLETE;
        }
    };
    let mut screen = match terminal::enter() {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "error: cannot set up the terminal: {}",
                document(&e.to_string())
            );
            return exit::USAGE;
        }
    };
    if let Ok(size) = screen.size() {
        app.width = size.width;
        app.height = size.height;
    }
    let code = event_loop(&mut screen, app, Channel { tx, rx }, worker, started);
    drop(screen);
    if let Err(e) = terminal::leave() {
        eprintln!(
            "error: cannot restore the terminal: {}",
            document(&e.to_string())
        );
    }
    code
}

/// Where messages come in: the terminal's input thread, the worker's tasks.
struct Channel {
    tx: mpsc::Sender<Msg>,
    rx: mpsc::Receiver<Msg>,
}

fn event_loop(
    screen: &mut terminal::Screen,
    mut app: App,
    Channel { tx, rx }: Channel,
    mut worker: Worker,
    started: Instant,
) -> i32 {
    let input = tx;
    thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) => Msg::Key(k),
                Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the terminal");
                    return;
                }
            };
            if input.send(msg).is_err() {
                return;
            }
        }
    });
    let mut copy = |text: &str| clipboard::copy(&mut std::io::stdout(), text);
    if let Err(e) = terminal::draw(screen, &app) {
        tracing::error!(error = %e, "draw failed");
        return exit::INCOMPLETE;
    }
    tracing::info!(ms = started.elapsed().as_secs_f64() * 1000.0, "first frame");
    for work in update::start(&mut app) {
        worker.run(work, &mut copy);
    }
    let mut last_tick = Instant::now();
    while !app.quit {
        let first = match rx.recv_timeout(TICK.saturating_sub(last_tick.elapsed())) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Everything that is already waiting is handled before the next frame, so a burst
        // of keys (or a held arrow key) costs one draw.
        let mut batch: Vec<Msg> = first.into_iter().chain(rx.try_iter()).collect();
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            batch.push(Msg::Tick);
        }
        for msg in batch {
            for work in update::update(&mut app, msg) {
                worker.run(work, &mut copy);
            }
            if app.quit {
                break;
            }
        }
        if let Err(e) = terminal::draw(screen, &app) {
            tracing::error!(error = %e, "draw failed");
            return exit::INCOMPLETE;
        }
    }
    tracing::info!("quit");
    exit::OK
}
