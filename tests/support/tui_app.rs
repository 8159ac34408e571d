//! TUI states for tests and benchmarks, reached the way the runtime reaches them: a new App,
//! started, sized by a resize message, and a report installed by a `Loaded` message.
//! Included with `#[path]` by the TUI tests and by `benches/tui.rs`.

use kubectl_irsa::model::Report;
use kubectl_irsa::tui::theme::Theme;
use kubectl_irsa::tui::update::{start, update};
use kubectl_irsa::tui::{App, Msg, Scope};

/// A started app on the demo's label at `width`x`height`, still loading.
pub fn started(color: bool, width: u16, height: u16) -> App {
    let mut app = App::new("embedded demo", false, Scope::All, Theme { color });
    app.log_path = Some("/tmp/kubectl-irsa/tui.log".into());
    start(&mut app);
    update(&mut app, Msg::Resize { width, height });
    app
}

/// [`started`], with `report` loaded.
pub fn with_report(report: Report, color: bool, width: u16, height: u16) -> App {
    let mut app = started(color, width, height);
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(report),
        },
    );
    app
}
