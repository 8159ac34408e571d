//! The chain of the open workload, drawn as connected links (┌ ├ └), each in its status
//! colour with its one-line summary. Broken links are red, warnings yellow, unknown and
//! skipped grey; links still waiting for AWS show a spinner.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::text::clip;
use crate::model::Status;
use crate::model::report::WorkloadReport;
use crate::terminal_text::line as shown;
use crate::tui::state::{App, Pane, WorkloadView};

/// Width of the link-name column.
const NAME: usize = 16;

pub fn draw(f: &mut Frame, area: Rect, app: &App, w: &WorkloadReport, view: &WorkloadView) {
    let t = &app.theme;
    let focused = view.focus == Pane::Chain;
    let title = match w.broken_link {
        Some(l) => format!(" chain · first broken link: {l} "),
        None => " chain ".to_string(),
    };
    let block =
        Block::bordered()
            .title(title)
            .border_style(if focused { t.accent() } else { t.dim() });
    let inner = block.inner(area);
    let room = (inner.width as usize).saturating_sub(NAME + 6);
    let last = w.links.len().saturating_sub(1);
    let lines: Vec<Line> = w
        .links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let connector = match i {
                0 if last == 0 => "─",
                0 => "┌",
                i if i == last => "└",
                _ => "├",
            };
            let awaiting = app.awaiting(link.status);
            let style = t.status(link.status);
            let icon = super::icon(app, link.status);
            let summary = if awaiting {
                "loading…".into()
            } else {
                shown(&link.summary)
            };
            // Only broken and warning links colour their words; the rest colour the icon.
            let text_style = match link.status {
                Status::Broken | Status::Warning | Status::Unknown | Status::Skipped => style,
                Status::Ok => Style::new(),
            };
            let mut spans = vec![
                Span::styled(format!(" {connector} "), t.dim()),
                Span::styled(format!("{icon} "), style),
                Span::styled(format!("{:<NAME$} ", link.link.as_str()), text_style),
                Span::styled(clip(&summary, room), text_style),
            ];
            if i == view.link {
                for s in spans.iter_mut().skip(1) {
                    s.style = s.style.patch(t.selected());
                }
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// Short link names for the folded chain.
fn short(link: crate::model::LinkName) -> &'static str {
    use crate::model::LinkName as L;
    match link {
        L::Pod => "pod",
        L::ServiceAccount => "sa",
        L::Annotation => "annotation",
        L::Association => "association",
        L::Injection => "injection",
        L::Role => "role",
        L::OidcProvider => "oidc",
        L::Agent => "agent",
        L::Trust => "trust",
        L::Permissions => "perms",
    }
}

/// The chain on one line, for short terminals while the detail pane is read.
pub fn draw_folded(f: &mut Frame, area: Rect, app: &App, w: &WorkloadReport, view: &WorkloadView) {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, link) in w.links.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("─", t.dim()));
        }
        let icon = super::icon(app, link.status);
        let mut style = t.status(link.status);
        if i == view.link {
            style = style.patch(t.selected());
        }
        spans.push(Span::styled(format!("{icon} {}", short(link.link)), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
