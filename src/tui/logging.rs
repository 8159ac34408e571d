//! In TUI mode stdout belongs to the screen, so logs (ours and the libraries') go to a file:
//! `--log-file`, else `$XDG_STATE_HOME/kubectl-irsa/tui.log` (`~/.local/state/...`), else the
//! temp directory. The file holds the last session only. `KUBECTL_IRSA_LOG=debug` logs more.
//!
//! Logged values (error texts, names, paths) come from the cluster and the account, and people
//! read the file with `cat` and `tail -f` on a terminal: each field's value is shown through
//! [`terminal_text`](crate::terminal_text) (`\e]0;PWNED\a`, as on screen; tracing's own
//! sanitizing would write `\x1b` and let CR, LF and bidirectional characters through), and
//! whole records pass through it again on their way to the file ([`Escaping`]), so the file
//! holds no raw control character but the newline that ends each record.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;

use tracing::{Level, Subscriber};
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format;

use crate::terminal_text;

/// Where the log goes when no `--log-file` is given.
pub fn default_path() -> PathBuf {
    match crate::state_dir::state_dir() {
        Some(dir) => dir.join("tui.log"),
        None => std::env::temp_dir().join("kubectl-irsa-tui.log"),
    }
}

/// Starts logging to `path` (creating its directory). Returns the path actually used.
pub fn init(path: Option<PathBuf>) -> Result<PathBuf, String> {
    let path = path.unwrap_or_else(default_path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = File::create(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let level = std::env::var("KUBECTL_IRSA_LOG")
        .ok()
        .and_then(|l| Level::from_str(&l).ok())
        .unwrap_or(Level::INFO);
    tracing::subscriber::set_global_default(subscriber(file, level)).map_err(|e| e.to_string())?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        previous(info);
    }));
    Ok(path)
}

/// The log's subscriber: records at `level` and above, one line each, every field's value
/// escaped, written to `out` through [`Escaping`].
fn subscriber<W>(out: W, level: Level) -> impl Subscriber + Send + Sync + 'static
where
    W: Write + Send + 'static,
{
    let fields = format::debug_fn(|w, field, value| {
        let text = format!("{value:?}");
        let shown = terminal_text::line(&text);
        match field.name() {
            "message" => w.write_str(&shown),
            name => write!(w, "{name}={shown}"),
        }
    })
    .delimited(" ");
    tracing_subscriber::fmt()
        .fmt_fields(fields)
        .with_writer(Mutex::new(Escaping(out)))
        .with_ansi(false)
        .with_max_level(level)
        .finish()
}

/// A writer that shows each record as one escaped line: everything written to it goes through
/// [`terminal_text::line`], but for the newline that ends a record. The fmt layer writes a
/// record with one `write_all`, so a record's own newlines (a multi-line error text) show as
/// `\n` and cannot start a line that looks like another record.
pub struct Escaping<W>(pub W);

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let (body, end) = match text.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (text.as_ref(), ""),
        };
        self.0.write_all(terminal_text::line(body).as_bytes())?;
        self.0.write_all(end.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use tracing::Level;

    use super::{Escaping, subscriber};

    /// A log file in memory that the test can read while the subscriber owns a handle.
    #[derive(Clone, Default)]
    struct Memory(Arc<Mutex<Vec<u8>>>);

    impl Write for Memory {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn logged_values_are_escaped_as_on_screen() {
        let file = Memory::default();
        let log = subscriber(file.clone(), Level::INFO);
        tracing::subscriber::with_default(log, || {
            let label = "bundle\x1b]0;PWNED\x07";
            let error = "GetRole: boom\r\nWARN forged record \u{202e}\u{9b}2J";
            tracing::info!(source = %label, "start");
            tracing::warn!(generation = 3, error = %error, "load failed");
            tracing::error!("panic: {}", "at \x1b[2J");
            tracing::debug!("not logged at info");
        });
        let written = String::from_utf8(file.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = written.lines().collect();
        assert_eq!(lines.len(), 3, "one line per record:\n{written}");
        assert!(
            lines[0].ends_with(r"start source=bundle\e]0;PWNED\a"),
            "{written}"
        );
        assert!(
            lines[1].ends_with(
                r"load failed generation=3 error=GetRole: boom\r\nWARN forged record \u{202e}\u{9b}2J"
            ),
            "{written}"
        );
        assert!(lines[2].ends_with(r"panic: at \e[2J"), "{written}");
        let raw: Vec<char> = written
            .chars()
            .filter(|&c| c != '\n' && crate::terminal_text::needs_escape(c))
            .collect();
        assert!(raw.is_empty(), "{raw:?}");
    }

    #[test]
    fn records_reach_the_file_escaped_with_their_line_end() {
        let mut file = Escaping(Vec::new());
        let record = "WARN load failed error=GetRole: boom\x1b]0;PWNED\x07\r\nnext\u{9b}\n";
        file.write_all(record.as_bytes()).unwrap();
        file.write_all(b"INFO quit\n").unwrap();
        let written = String::from_utf8(file.0).unwrap();
        assert_eq!(
            written,
            "WARN load failed error=GetRole: boom\\e]0;PWNED\\a\\r\\nnext\\u{9b}\nINFO quit\n"
        );
    }

    #[test]
    fn a_write_reports_the_bytes_it_was_given() {
        let mut file = Escaping(Vec::new());
        assert_eq!(file.write(b"a\x1bb").unwrap(), 3);
        assert_eq!(file.0, b"a\\eb");
    }
}
