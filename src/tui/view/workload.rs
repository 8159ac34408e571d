//! The workload screen: who it is (and what a proof said), the chain, the selected link's
//! detail pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{chain, detail, text};
use crate::terminal_text::line as shown;
use crate::tui::layout;
use crate::tui::state::{App, Pane, ProofState, WorkloadView};
use crate::tui::theme::spinner;

pub fn draw(f: &mut Frame, body: Rect, app: &App, view: &WorkloadView) {
    let t = &app.theme;
    let Some(w) = app.find_workload(&view.workload) else {
        f.render_widget(
            Paragraph::new(format!(
                "{} is not in the latest report.",
                shown(&view.workload.to_string())
            )),
            body,
        );
        return;
    };
    let folded = layout::chain_folded(app);
    let areas = layout::workload(body, w.links.len(), folded);
    let status = t.status(w.status);
    // Where it breaks comes right after the name: on a narrow terminal the rest is cut.
    let mut first = vec![
        Span::styled(format!("{} ", w.status.icon()), status),
        Span::styled(format!("{}/{}", w.kind.short(), shown(&w.name)), t.title()),
    ];
    if let Some(l) = w.broken_link {
        first.push(Span::styled(format!("  broken at {l}"), status));
    }
    first.extend([
        Span::styled(format!("  ns {}", shown(&w.namespace)), t.dim()),
        Span::styled(format!("  sa {}", shown(&w.service_account)), t.dim()),
        Span::styled(format!("  {}", w.mechanism.label()), t.dim()),
    ]);
    let first = text::fit(first, areas.title.width as usize);
    let second = match app.proofs.get(&view.workload) {
        Some(ProofState::Running { .. }) => Line::from(vec![
            Span::styled(format!("{} ", spinner(app.tick)), t.accent()),
            Span::raw("proving: asking STS for credentials with a fresh service account token…"),
        ]),
        Some(ProofState::Done { text, ok }) => Line::styled(
            format!("proof: {}", shown(text)),
            if *ok {
                t.status(crate::model::Status::Ok)
            } else {
                t.error()
            },
        ),
        Some(ProofState::Failed(e)) => Line::styled(format!("proof: {}", shown(e)), t.error()),
        None => Line::styled(
            match &w.role_arn {
                Some(r) => format!(
                    "role {} · {}",
                    shown(r),
                    crate::model::words::count(w.pods.len(), "pod", "pods")
                ),
                None => format!(
                    "no role · {}",
                    crate::model::words::count(w.pods.len(), "pod", "pods")
                ),
            },
            t.dim(),
        ),
    };
    f.render_widget(Paragraph::new(vec![Line::from(first), second]), areas.title);
    if folded {
        chain::draw_folded(f, areas.chain, app, w, view);
    } else {
        chain::draw(f, areas.chain, app, w, view);
    }

    let focused = view.focus == Pane::Detail;
    let block = Block::bordered()
        .title(" detail ")
        .border_style(if focused { t.accent() } else { t.dim() });
    let inner = block.inner(areas.detail);
    let lines = detail::lines(app, inner.width);
    let total = lines.len();
    let max = u16::try_from(total.saturating_sub(inner.height as usize)).unwrap_or(u16::MAX);
    let scroll = view.scroll.min(max);
    let mut block = block;
    if max > 0 {
        let first = scroll as usize + 1;
        let last = (scroll as usize + inner.height as usize).min(total);
        block = block.title_bottom(format!(" lines {first}-{last} of {total} "));
    }
    f.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        areas.detail,
    );
}
