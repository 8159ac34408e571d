//! The terminal the TUI draws on: raw mode and the alternate screen on the way in, both undone
//! on the way out and on a panic of the UI thread. Frames are collected whole and written at
//! once inside a synchronized update, so a terminal (or tmux) never shows half a frame:
//! stdout's own buffer would flush every kilobyte.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};

use super::state::App;
use super::view;

/// Set once the terminal is given back: nothing more is written to it after that, not even
/// a half-built frame dropped while a panic unwinds.
static LEFT: AtomicBool = AtomicBool::new(false);

/// Holds a frame until ratatui flushes it, then writes it in one go.
pub struct FrameWriter {
    frame: Vec<u8>,
    out: Stdout,
}

impl Write for FrameWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.frame.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let frame = std::mem::take(&mut self.frame);
        if LEFT.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut out = self.out.lock();
        out.write_all(&frame)?;
        out.flush()
    }
}

pub type Screen = Terminal<CrosstermBackend<FrameWriter>>;

/// Enters raw mode and the alternate screen. A panic on this (the UI) thread gives the
/// terminal back before the earlier hooks log and print it; a panic on a worker thread is
/// only logged, as the worker turns it into an error on screen and the UI goes on.
pub fn enter() -> io::Result<Screen> {
    let ui = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui {
            let _ = leave();
            previous(info);
        } else {
            tracing::error!("panic in a worker thread: {info}");
        }
    }));
    LEFT.store(false, Ordering::SeqCst);
    enable_raw_mode()?;
    if let Err(e) = execute!(io::stdout(), EnterAlternateScreen) {
        let _ = disable_raw_mode();
        return Err(e);
    }
    let out = FrameWriter {
        frame: Vec::with_capacity(1 << 16),
        out: io::stdout(),
    };
    let mut screen = Terminal::new(CrosstermBackend::new(out))?;
    screen.clear()?;
    Ok(screen)
}

/// Leaves the alternate screen and raw mode, and shows the cursor again. Idempotent.
pub fn leave() -> io::Result<()> {
    if LEFT.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let left = execute!(
        io::stdout(),
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    disable_raw_mode()?;
    left
}

/// Draws one frame as a single synchronized update, written at once.
pub fn draw(screen: &mut Screen, app: &App) -> io::Result<()> {
    ratatui::crossterm::queue!(screen.backend_mut(), BeginSynchronizedUpdate)?;
    // ratatui flushes after the frame's cells; the end marker then goes out as a second write,
    // so a terminal without synchronized output still gets the frame in one piece.
    screen.draw(|f| view::draw(f, app))?;
    execute!(screen.backend_mut(), EndSynchronizedUpdate)
}
