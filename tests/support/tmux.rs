//! The tmux harness of tests/tui_tmux.rs: a tmux server of its own per test running
//! `kubectl irsa ...` in a pane, keys sent to it, and the pane captured with its colours
//! (`capture-pane -e`) and parsed into lines, red cells and coloured cells.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_kubectl-irsa");
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// After a lone Escape, so the terminal does not read Escape + the next key as Alt+key.
pub const ESC_PAUSE: Duration = Duration::from_millis(250);
/// The pane's command: the shell stays after the TUI and shows its exit code.
pub const SHELL: &str = r#"kubectl "$@"; echo "exit=$?"; exec sleep 600"#;

/// One screen line: its text, the characters drawn in red, and whether any cell had a colour.
#[derive(Default)]
pub struct Line {
    pub text: String,
    pub red: String,
    pub coloured: bool,
}

/// A captured pane.
pub struct Screen {
    pub lines: Vec<Line>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Colour {
    Default,
    Red,
    Other,
}

impl Screen {
    /// `capture-pane -p -e` output: text and SGR sequences, the style carrying across lines.
    pub fn parse(raw: &str) -> Screen {
        let (mut fg, mut bg) = (Colour::Default, false);
        let mut lines = Vec::new();
        for raw_line in raw.lines() {
            let mut line = Line::default();
            // tmux writes only SGR sequences (ESC [ params m) between the characters.
            for (n, chunk) in raw_line.split("\x1b[").enumerate() {
                let text = match chunk.split_once('m') {
                    Some((params, text)) if n > 0 => {
                        sgr(params, &mut fg, &mut bg);
                        text
                    }
                    _ => chunk,
                };
                for c in text.chars() {
                    line.text.push(c);
                    line.red.extend((fg == Colour::Red).then_some(c));
                    line.coloured |= fg != Colour::Default || bg;
                }
            }
            line.text.truncate(line.text.trim_end().len());
            lines.push(line);
        }
        Screen { lines }
    }

    pub fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|l| l.text.as_str()).collect();
        lines.join("\n")
    }

    pub fn has(&self, needle: &str) -> bool {
        self.lines.iter().any(|l| l.text.contains(needle))
    }

    /// The first line containing `needle`.
    pub fn line(&self, needle: &str) -> &Line {
        let found = self.lines.iter().find(|l| l.text.contains(needle));
        found.unwrap_or_else(|| panic!("no line with {needle:?}:\n{}", self.text()))
    }

    /// Fails with every check that does not hold, and the whole screen.
    pub fn check(&self, checks: &[(bool, &str)]) {
        let failed: Vec<&str> = checks.iter().filter(|c| !c.0).map(|c| c.1).collect();
        let screen = self.text();
        assert!(failed.is_empty(), "{failed:#?}\nthe screen:\n{screen}");
    }

    /// Workload rows of the list (and the workload line of its screen): a status icon first.
    pub fn rows(&self) -> Vec<&Line> {
        let icon = |l: &&Line| l.text.starts_with(['✘', '!', '✔']);
        self.lines.iter().filter(icon).collect()
    }

    /// The lines inside the box whose top border contains `title` (none if there is no box).
    pub fn boxed(&self, title: &str) -> Vec<&Line> {
        let top = self.lines.iter().position(|l| l.text.contains(title));
        let inside = self.lines[top.map_or(self.lines.len(), |t| t + 1)..].iter();
        inside.take_while(|l| !l.text.starts_with('└')).collect()
    }
}

/// Applies one SGR parameter list to the current foreground / background.
pub fn sgr(params: &str, fg: &mut Colour, bg: &mut bool) {
    let p: Vec<u32> = params.split(';').map(|s| s.parse().unwrap_or(0)).collect();
    // 38/48;5;N (256 colours) or 38/48;2;R;G;B: the colour and how many parameters it used.
    let extended = |i: usize| match (p.get(i + 1), p.get(i + 2), p.get(i + 3), p.get(i + 4)) {
        (Some(5), Some(1 | 9 | 88 | 124 | 160 | 196), ..) => (Colour::Red, 2),
        (Some(5), ..) => (Colour::Other, 2),
        (Some(2), Some(r), Some(g), Some(b)) if *r >= 128 && *g < 96 && *b < 96 => (Colour::Red, 4),
        (Some(2), ..) => (Colour::Other, 4),
        _ => (Colour::Other, 0),
    };
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            0 => (*fg, *bg) = (Colour::Default, false),
            39 => *fg = Colour::Default,
            49 => *bg = false,
            31 | 91 => *fg = Colour::Red,
            30..=37 | 90..=97 => *fg = Colour::Other,
            40..=47 | 100..=107 => *bg = true,
            38 => (*fg, i) = (extended(i).0, i + extended(i).1),
            48 => (*bg, i) = (true, i + extended(i).1),
            58 => i += extended(i).1,
            _ => {}
        }
        i += 1;
    }
}

/// A tmux server of its own running `kubectl ARGS --log-file LOG` in session `tui`, killed on
/// drop. kubectl finds the binary under test as a `kubectl-irsa` symlink first on PATH.
pub struct Tmux {
    pub dir: tempfile::TempDir,
    pub path: OsString,
}

impl Tmux {
    pub fn start(width: u16, height: u16, args: &[&str], env: &[(&str, &str)]) -> Tmux {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let plugins = dir.path().join("plugins");
        std::fs::create_dir(&plugins).unwrap_or_else(|e| panic!("{e}"));
        let link = std::os::unix::fs::symlink(BIN, plugins.join("kubectl-irsa"));
        link.unwrap_or_else(|e| panic!("symlink: {e}"));
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let mut path = vec![plugins];
        path.extend(std::env::split_paths(&inherited));
        let kubectl = path.iter().any(|d| d.join("kubectl").is_file());
        assert!(
            kubectl,
            "`kubectl irsa demo` needs the real kubectl on PATH"
        );
        let config = "set -g set-clipboard on\nset -g default-terminal tmux-256color\n";
        std::fs::write(dir.path().join("tmux.conf"), config).unwrap_or_else(|e| panic!("{e}"));
        let path = std::env::join_paths(path).unwrap_or_else(|e| panic!("{e}"));
        let tmux = Tmux { dir, path };
        let log = tmux.log().display().to_string();
        let (w, h) = (width.to_string(), height.to_string());
        let vars: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut new = vec!["new-session", "-d", "-s", "tui", "-x", &w, "-y", &h];
        new.extend(vars.iter().flat_map(|var| ["-e", var.as_str()]));
        new.extend(["sh", "-c", SHELL, "sh"].iter().chain(args));
        new.extend(["--log-file", &log]);
        tmux.run(&new);
        tmux
    }

    pub fn log(&self) -> PathBuf {
        self.dir.path().join("tui.log")
    }

    /// `tmux ARGS` on this test's server: its stdout, or None when it fails.
    pub fn try_run(&self, args: &[&str]) -> Option<String> {
        let dir = self.dir.path();
        let mut tmux = Command::new("tmux");
        tmux.arg("-S").arg(dir.join("tmux.sock"));
        tmux.arg("-f").arg(dir.join("tmux.conf")).args(args);
        tmux.env("PATH", &self.path).env("TERM", "xterm-256color");
        // No cluster of the user's, no outer tmux, colours unless a test asks for NO_COLOR.
        tmux.env("KUBECONFIG", dir.join("none")).env_remove("TMUX");
        let out = tmux.env_remove("NO_COLOR").output();
        let out = out.unwrap_or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => panic!(
                "these tests drive the TUI in a real terminal and need `tmux` on PATH \
                 (apt-get install tmux, brew install tmux; ./scripts/test.sh installs it)"
            ),
            _ => panic!("tmux {args:?}: {e}"),
        });
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        out.status.success().then_some(stdout)
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = self.try_run(args);
        out.unwrap_or_else(|| panic!("tmux {args:?} failed"))
    }

    /// Sends keys one at a time (tmux key names: `j`, `Enter`, `Escape`, `C-c`, `BSpace`).
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "tui", key]);
            if *key == "Escape" {
                std::thread::sleep(ESC_PAUSE);
            }
        }
    }

    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "tui", "-l", text]);
    }

    pub fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        self.run(&["resize-window", "-t", "tui", "-x", &w, "-y", &h]);
    }

    /// Polls the pane until `ok` holds on a settled screen (two captures 50 ms apart agree, so
    /// never a half-drawn frame); fails with the last screen and the TUI's log.
    pub fn wait(&self, what: &str, ok: impl Fn(&Screen) -> bool) -> Screen {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            let raw = self.run(&["capture-pane", "-p", "-e", "-t", "tui"]);
            let screen = Screen::parse(&raw);
            if raw == last && ok(&screen) {
                return screen;
            }
            if start.elapsed() > TIMEOUT {
                let log = std::fs::read_to_string(self.log()).unwrap_or_default();
                let screen = screen.text();
                panic!("timed out waiting for {what}; the screen:\n{screen}\nlog:\n{log}");
            }
            last = raw;
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for a screen showing all of `shown`, none of `gone` and, if given, `rows` rows.
    pub fn until(&self, shown: &[&str], gone: &[&str], rows: Option<usize>) -> Screen {
        let what = format!("{shown:?}, not {gone:?}, {rows:?} rows");
        self.wait(&what, |s| {
            let rows = rows.is_none_or(|n| s.rows().len() == n);
            rows && shown.iter().all(|n| s.has(n)) && !gone.iter().any(|n| s.has(n))
        })
    }

    pub fn wait_for(&self, shown: &[&str]) -> Screen {
        self.until(shown, &[], None)
    }

    pub fn wait_list(&self) -> Screen {
        self.until(&[" kubectl-irsa ", "NAMESPACE"], &[], Some(8))
    }

    /// Presses `key` and checks the TUI is gone: exit 0, normal screen, cursor back, log written.
    pub fn quit_with(&self, key: &str) {
        self.keys(&[key]);
        self.until(&["exit=0"], &[" kubectl-irsa "], None);
        let flags = "#{alternate_on} #{cursor_flag}";
        let flags = self.run(&["display", "-p", "-t", "tui", flags]);
        assert!(
            flags.trim() == "0 1",
            "alternate screen off, cursor on: {flags}"
        );
        let log = std::fs::read_to_string(self.log()).unwrap_or_else(|e| panic!("log: {e}"));
        assert!(log.contains("first frame"), "the log file:\n{log}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let socket = self.dir.path().join("tmux.sock");
        let mut kill = Command::new("tmux");
        let _ = kill.arg("-S").arg(socket).arg("kill-server").output();
    }
}

/// `check!(screen, condition => "what it means", ...)`: every failing check, with the screen.
macro_rules! check {
    ($screen:expr, $($ok:expr => $what:expr),+ $(,)?) => {
        $screen.check(&[$(($ok, $what)),+])
    };
}
