//! The terminal the TUI draws on: raw mode and the alternate screen on the way in, both undone
//! on the way out and on panic. Frames go through one large buffer and are wrapped in a
//! synchronized update, so a terminal (or tmux, or a screen reader) never shows half a frame:
//! stdout's own buffer flushes every kilobyte.

use std::io::{self, BufWriter, Stdout, Write};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};

use super::state::App;
use super::view;

/// Larger than any frame a real terminal asks for (a full 400x100 redraw with colours).
const FRAME_BUFFER: usize = 1 << 20;

pub type Screen = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Enters raw mode and the alternate screen; the panic hook put in place first restores both
/// before the earlier hooks log and print the panic.
pub fn enter() -> io::Result<Screen> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = leave();
        previous(info);
    }));
    enable_raw_mode()?;
    let mut out = BufWriter::with_capacity(FRAME_BUFFER, io::stdout());
    if let Err(e) = execute!(out, EnterAlternateScreen) {
        let _ = disable_raw_mode();
        return Err(e);
    }
    let mut screen = Terminal::new(CrosstermBackend::new(out))?;
    screen.clear()?;
    Ok(screen)
}

/// Leaves the alternate screen and raw mode, and shows the cursor again.
pub fn leave() -> io::Result<()> {
    let mut out = io::stdout();
    let left = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    disable_raw_mode()?;
    left
}

/// Draws one frame as a single synchronized update.
pub fn draw(screen: &mut Screen, app: &App) -> io::Result<()> {
    ratatui::crossterm::queue!(screen.backend_mut(), BeginSynchronizedUpdate)?;
    screen.draw(|f| view::draw(f, app))?;
    execute!(screen.backend_mut(), EndSynchronizedUpdate)?;
    screen.backend_mut().flush()
}
