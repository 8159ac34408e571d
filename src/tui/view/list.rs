//! The workload list: one row per workload (status icon, namespace, workload, service
//! account, mechanism, the chain's verdict), broken first. Only the rows on screen are built,
//! so drawing costs the same for 10 workloads or 10,000.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::text::clip_middle;
use crate::model::Status;
use crate::model::report::{Report, WorkloadReport};
use crate::terminal_text::line as shown;
use crate::tui::layout;
use crate::tui::state::App;

const WIDTHS: [Constraint; 6] = [
    Constraint::Length(1),
    Constraint::Fill(2),
    Constraint::Fill(3),
    Constraint::Fill(3),
    Constraint::Length(12),
    Constraint::Length(15),
];

/// The chain column: the link where it breaks (or first warns, or is unknown), or `ok`.
fn verdict(app: &App, w: &WorkloadReport) -> &'static str {
    if let Some(l) = w.broken_link {
        return l.as_str();
    }
    if app.awaiting(w.status) {
        return "loading…";
    }
    match w.status {
        Status::Warning | Status::Unknown => w
            .links
            .iter()
            .find(|l| l.status == w.status)
            .map_or("", |l| l.link.as_str()),
        Status::Ok | Status::Skipped | Status::Broken => "ok",
    }
}

/// Column widths in cells, as the table will lay them out.
fn column_widths(area: Rect) -> Vec<usize> {
    Layout::horizontal(WIDTHS)
        .spacing(1)
        .split(area)
        .iter()
        .map(|r| r.width as usize)
        .collect()
}

/// `kind/name`, cutting the name rather than the kind when it is too long.
fn workload_cell(w: &WorkloadReport, max: usize) -> String {
    let kind = w.kind.short();
    let room = max.saturating_sub(kind.len() + 1);
    let name = shown(&w.name);
    if room >= 4 {
        format!("{kind}/{}", clip_middle(&name, room))
    } else {
        clip_middle(&format!("{kind}/{name}"), max)
    }
}

fn row<'a>(app: &App, w: &'a WorkloadReport, selected: bool, widths: &[usize]) -> Row<'a> {
    let t = &app.theme;
    let style = t.status(w.status);
    let icon = super::icon(app, w.status);
    let verdict_style = match w.status {
        Status::Ok | Status::Skipped => Style::new(),
        _ => style,
    };
    let cell =
        |i: usize, text: &str| clip_middle(&shown(text), widths.get(i).copied().unwrap_or(0));
    let r = Row::new(vec![
        Line::styled(icon, style),
        Line::raw(cell(1, &w.namespace)),
        Line::raw(workload_cell(w, widths.get(2).copied().unwrap_or(0))),
        Line::raw(cell(3, &w.service_account)),
        Line::raw(w.mechanism.label()),
        Line::styled(verdict(app, w), verdict_style),
    ]);
    if selected { r.style(t.selected()) } else { r }
}

pub fn draw(f: &mut Frame, body: Rect, app: &App, report: &Report) {
    let t = &app.theme;
    let areas = layout::list(body, app);
    if let Some(area) = areas.filter {
        let cursor = if app.filtering { "█" } else { "" };
        let matching = app.list.visible.len();
        let line = Line::from(vec![
            Span::styled("/", t.key()),
            Span::raw(format!("{}{cursor}", shown(&app.list.filter))),
            Span::styled(
                format!("   {matching} of {}", report.workloads.len()),
                t.dim(),
            ),
        ]);
        f.render_widget(Paragraph::new(line), area);
    }
    let titles = Row::new([
        "",
        "NAMESPACE",
        "WORKLOAD",
        "SERVICE ACCOUNT",
        "MECHANISM",
        "CHAIN",
    ])
    .style(t.title());
    f.render_widget(Table::new([titles], WIDTHS).column_spacing(1), areas.titles);
    let list = &app.list;
    if list.visible.is_empty() {
        let text = if report.workloads.is_empty() {
            super::status::no_workloads(app, report)
        } else {
            vec![
                Line::raw(format!("No workload matches “{}”.", shown(&list.filter))),
                Line::styled("Esc clears the filter.", t.dim()),
            ]
        };
        f.render_widget(Paragraph::new(text), areas.rows);
        return;
    }
    let end = (list.offset + areas.rows.height as usize).min(list.visible.len());
    let widths = column_widths(areas.rows);
    let rows: Vec<Row> = (list.offset..end)
        .map(|pos| {
            let w = &report.workloads[list.visible[pos]];
            row(app, w, pos == list.selected, &widths)
        })
        .collect();
    f.render_widget(Table::new(rows, WIDTHS).column_spacing(1), areas.rows);
}
