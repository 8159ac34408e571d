//! Benchmark of the terminal UI: how long the first frame takes, and how long each frame takes
//! while scrolling and filtering a 10,000-workload list. Frames are drawn through ratatui's
//! TestBackend (the same widgets and diffing as on a terminal, without the terminal's own
//! write time); the last section starts the real binary in tmux and reads the first-frame
//! time it logs. It prints figures; it asserts nothing about time.
//!
//! Run: `cargo bench --bench tui`.

use std::process::Command;
use std::time::{Duration, Instant};

use kubectl_irsa::app::watched::load_watched;
use kubectl_irsa::app::{self, Source};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::tui::theme::Theme;
use kubectl_irsa::tui::update::{start, update};
use kubectl_irsa::tui::{App, Msg, Scope, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "support/synthetic.rs"]
mod synthetic;
#[path = "../tests/support/tui_app.rs"]
mod tui_app;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50, p99 and max of the samples, in ms.
fn summary(samples: &mut [Duration]) -> (f64, f64, f64) {
    samples.sort();
    let at = |q: f64| ms(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.99), at(1.0))
}

fn row(what: &str, samples: &mut [Duration]) {
    let n = samples.len();
    let (p50, p99, max) = summary(samples);
    println!("| {what:<44} | {n:>5} | {p50:>8.3} | {p99:>8.3} | {max:>8.3} |");
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Applies each message and draws one frame, timing the pair.
fn frames(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    msgs: impl IntoIterator<Item = Msg>,
) -> Vec<Duration> {
    msgs.into_iter()
        .map(|m| {
            let t = Instant::now();
            update(app, m);
            terminal.draw(|f| view::draw(f, app)).unwrap();
            t.elapsed()
        })
        .collect()
}

fn first_frames() {
    let mut cold = Vec::new();
    let mut demo = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let mut app = App::new("embedded demo", false, Scope::All, Theme::from_env());
        start(&mut app);
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        cold.push(t.elapsed());
        let report = load_watched(&Source::Demo, &Selection::default(), &|_| {}).unwrap();
        update(
            &mut app,
            Msg::Loaded {
                generation: 1,
                result: Ok(report),
            },
        );
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        demo.push(t.elapsed());
    }
    row("first frame (loading screen), 80x24", &mut cold);
    row("demo loaded, diagnosed and drawn, 80x24", &mut demo);
}

fn big_list() {
    let dir = tempfile::tempdir().unwrap();
    synthetic::generate(
        dir.path(),
        &synthetic::Size {
            pods: 10_000,
            service_accounts: 10_000,
            roles: 500,
        },
    );
    let report = app::doctor(
        &Source::Offline(vec![dir.path().to_path_buf()]),
        &Selection::default(),
    )
    .unwrap();
    let workloads = report.workloads.len();
    for (width, height) in [(80u16, 24u16), (200, 60)] {
        let t = Instant::now();
        let mut app = tui_app::with_report(report.clone(), true, width, height);
        let install = t.elapsed();
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        let label = |what: &str| format!("{workloads} workloads, {width}x{height}: {what}");
        row(&label("report installed (sort+index)"), &mut [install]);
        let mut s = frames(
            &mut app,
            &mut terminal,
            (0..3_000).map(|_| key(KeyCode::Down)),
        );
        row(&label("scroll one row"), &mut s);
        let mut s = frames(
            &mut app,
            &mut terminal,
            (0..300).map(|_| key(KeyCode::PageUp)),
        );
        row(&label("scroll one page"), &mut s);
        let typing: Vec<Msg> = std::iter::once(key(KeyCode::Char('/')))
            .chain("team-1 app-99".chars().map(|c| key(KeyCode::Char(c))))
            .chain((0..13).map(|_| key(KeyCode::Backspace)))
            .collect();
        let mut s: Vec<Duration> = (0..20)
            .flat_map(|_| {
                let mut out = frames(&mut app, &mut terminal, typing.clone());
                out.extend(frames(&mut app, &mut terminal, [key(KeyCode::Esc)]));
                out
            })
            .collect();
        row(&label("filter keystroke"), &mut s);
        let mut s = frames(
            &mut app,
            &mut terminal,
            (0..50).flat_map(|_| [key(KeyCode::Enter), key(KeyCode::Esc)]),
        );
        row(&label("open a chain / back"), &mut s);
        let mut s = frames(
            &mut app,
            &mut terminal,
            (0..8).map(|_| key(KeyCode::Char('s'))),
        );
        row(&label("sort by another column"), &mut s);
    }
}

/// The real binary in a real terminal (tmux): the first-frame time it logs.
fn real_terminal() {
    let bin = env!("CARGO_BIN_EXE_kubectl-irsa");
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("(tmux not found: no real-terminal figure)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut samples = Vec::new();
    for i in 0..10 {
        // A server per run: a new session right after `kill-server` on the same socket can
        // race the old server's exit.
        let socket = dir.path().join(format!("tmux-{i}.sock"));
        let log = dir.path().join(format!("tui-{i}.log"));
        let cmd = format!("{bin} demo --log-file {}", log.display());
        let tmux = |args: &[&str]| {
            Command::new("tmux")
                .arg("-S")
                .arg(&socket)
                .args(args)
                .output()
                .unwrap()
        };
        tmux(&["new-session", "-d", "-x", "80", "-y", "24", &cmd]);
        let t = Instant::now();
        let first = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(v) = text
                .lines()
                .find(|l| l.contains("first frame"))
                .and_then(|l| l.split("ms=").nth(1))
                .and_then(|v| v.trim().parse::<f64>().ok())
            {
                break Some(v);
            }
            if t.elapsed() > Duration::from_secs(10) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        tmux(&["kill-server"]);
        if let Some(v) = first {
            samples.push(Duration::from_secs_f64(v / 1000.0));
        }
    }
    if samples.is_empty() {
        println!("(the binary logged no first frame under tmux)");
    } else {
        row("real terminal (tmux): start to first frame", &mut samples);
    }
}

fn main() {
    println!(
        "| {:<44} | {:>5} | {:>8} | {:>8} | {:>8} |",
        "what", "n", "p50 ms", "p99 ms", "max ms"
    );
    println!(
        "|{:-<46}|{:-<7}|{:-<10}|{:-<10}|{:-<10}|",
        "", "", "", "", ""
    );
    first_frames();
    real_terminal();
    big_list();
}
