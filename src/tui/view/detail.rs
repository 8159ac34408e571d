//! The detail pane of the selected link: what the link is, each finding's explanation, its
//! evidence (policy documents with the lines the finding points at highlighted), and the fix in
//! words with its commands. [`lines`] is pure and pre-wrapped so scrolling can be clamped.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{clip, document_lines as shown_lines, wrap};
use crate::model::Status;
use crate::model::chain::{Evidence, Finding, LinkReport, Severity};
use crate::model::report::WorkloadReport;
use crate::terminal_text::line as shown;
use crate::tui::state::{App, Screen};
use crate::tui::theme::Theme;

/// Documents up to this many lines are shown whole; longer ones around the lines that matter.
const WHOLE_DOCUMENT_LINES: usize = 40;
/// Lines of context around the highlighted lines of a long document.
const CONTEXT: usize = 4;

/// The pane's lines for the open workload's selected link, wrapped to `width`.
pub fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    build(app, width).0
}

/// The finding of the selected link whose text is at the top of the pane when it is scrolled
/// to `scroll` (the last one starting at or above that line; the first when none does): the
/// finding `e` explains.
pub fn finding_at(app: &App, width: u16, scroll: u16) -> usize {
    let starts = build(app, width).1;
    starts
        .iter()
        .rposition(|&start| start <= scroll as usize)
        .unwrap_or(0)
}

/// The lines, and the line each finding starts at.
fn build(app: &App, width: u16) -> (Vec<Line<'static>>, Vec<usize>) {
    let Screen::Workload(view) = &app.screen else {
        return (Vec::new(), Vec::new());
    };
    let Some(w) = app.find_workload(&view.workload) else {
        return (
            vec![Line::from("This workload is not in the latest report.")],
            Vec::new(),
        );
    };
    match w.links.get(view.link) {
        Some(link) => link_lines(app, w, link, width),
        None => (vec![Line::from("No links.")], Vec::new()),
    }
}

fn severity_style(t: &Theme, s: Severity) -> Style {
    match s {
        Severity::Error => t.status(Status::Broken),
        Severity::Warning => t.status(Status::Warning),
        Severity::Unknown => t.status(Status::Unknown),
        Severity::Info => Style::new(),
    }
}

fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✘",
        Severity::Warning => "!",
        Severity::Unknown => "?",
        Severity::Info => "·",
    }
}

fn link_lines(
    app: &App,
    w: &WorkloadReport,
    link: &LinkReport,
    width: u16,
) -> (Vec<Line<'static>>, Vec<usize>) {
    let t = &app.theme;
    let style = t.status(link.status);
    let awaiting = app.awaiting(link.status);
    let icon = super::icon(app, link.status);
    let mut head = vec![
        Span::styled(format!("{icon} {} ", link.link), style.patch(t.title())),
        Span::styled(format!("· {}", link.status), style),
    ];
    if w.broken_link == Some(link.link) {
        head.push(Span::styled("  (first broken link)", style));
    }
    let mut out = vec![Line::from(head)];
    out.extend(wrap(
        &shown(&link.summary),
        width,
        vec![],
        vec![],
        Style::new(),
    ));
    if awaiting {
        out.push(Line::styled(
            "still loading: this link needs facts from AWS that have not arrived yet",
            t.dim(),
        ));
    }
    if link.findings.is_empty() {
        out.push(Line::default());
        let text = if link.status == Status::Skipped {
            "Nothing to judge here until the earlier broken link is fixed."
        } else {
            "No findings: this link is fine."
        };
        out.push(Line::styled(text, t.dim()));
    }
    let mut starts = Vec::with_capacity(link.findings.len());
    for finding in &link.findings {
        out.push(Line::default());
        starts.push(out.len());
        finding_lines(t, finding, width, &mut out);
    }
    (out, starts)
}

fn finding_lines(t: &Theme, f: &Finding, width: u16, out: &mut Vec<Line<'static>>) {
    let style = severity_style(t, f.severity);
    out.extend(wrap(
        &shown(&f.message),
        width,
        vec![Span::styled(
            format!("{} ", severity_icon(f.severity)),
            style,
        )],
        vec![Span::raw("  ")],
        style,
    ));
    // `e` opens the explanation of the finding at the top of the pane (see `finding_at`).
    out.push(Line::styled(format!("  {} · e explains", f.code), t.dim()));
    for ev in &f.evidence {
        evidence_lines(t, ev, f.severity.status(), width, out);
    }
    if let Some(fix) = &f.fix {
        out.extend(wrap(
            &shown(&fix.summary),
            width,
            vec![Span::styled("  fix: ", t.accent().patch(t.title()))],
            vec![Span::raw("       ")],
            Style::new(),
        ));
        for c in &fix.commands {
            out.extend(wrap(
                &shown(&c.to_string()),
                width,
                vec![Span::styled("    $ ", t.dim())],
                vec![Span::raw("      ")],
                t.command(),
            ));
        }
    }
}

/// One piece of evidence; the lines it points at are marked in the colour of `status`, the
/// status its finding gives the link.
fn evidence_lines(
    t: &Theme,
    ev: &Evidence,
    status: Status,
    width: u16,
    out: &mut Vec<Line<'static>>,
) {
    out.extend(wrap(
        &shown(&ev.object),
        width,
        vec![Span::styled("  in ", t.dim())],
        vec![Span::raw("     ")],
        Style::new(),
    ));
    match (&ev.field, &ev.value) {
        (Some(field), Some(value)) => out.extend(wrap(
            &format!("{} = {}", shown(field), shown(value)),
            width,
            vec![Span::styled("     ", t.dim())],
            vec![Span::raw("       ")],
            t.accent(),
        )),
        (Some(only), None) | (None, Some(only)) => out.extend(wrap(
            &shown(only),
            width,
            vec![Span::styled("     ", t.dim())],
            vec![Span::raw("       ")],
            t.accent(),
        )),
        (None, None) => {}
    }
    if let Some(doc) = &ev.document {
        document_lines(t, doc, ev.lines, status, width, out);
    }
}

/// A policy document with line numbers; the finding's lines marked and highlighted in the
/// colour of `status`.
fn document_lines(
    t: &Theme,
    doc: &str,
    marked: Option<(u32, u32)>,
    status: Status,
    width: u16,
    out: &mut Vec<Line<'static>>,
) {
    // Escaped line by line first: what is measured, cut and highlighted is what is drawn.
    let escaped = shown_lines(doc);
    let all: Vec<&str> = escaped.iter().map(String::as_str).collect();
    // Policies stored inside YAML or JSON strings keep their host file's indentation; drop
    // what every line after the first shares so the structure reads at a glance.
    let shared = all
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let all: Vec<&str> = all
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l
            } else {
                l.get(shared..).unwrap_or(l)
            }
        })
        .collect();
    let digits = all.len().to_string().len();
    let (from, to) = match marked {
        Some((a, b)) if all.len() > WHOLE_DOCUMENT_LINES => (
            (a as usize).saturating_sub(CONTEXT + 1),
            (b as usize + CONTEXT).min(all.len()),
        ),
        _ => (0, all.len()),
    };
    if from > 0 {
        out.push(Line::styled(format!("     ⋮ {from} lines above"), t.dim()));
    }
    let room = (width as usize).saturating_sub(digits + 9).max(10);
    for (i, text) in all.iter().enumerate().take(to).skip(from) {
        let n = i as u32 + 1;
        let hit = marked.is_some_and(|(a, b)| (a..=b).contains(&n));
        let (mark, style) = if hit {
            ("▶", t.highlight(status))
        } else {
            (" ", Style::new())
        };
        if !hit {
            out.push(Line::from(vec![
                Span::styled(format!("   {mark} "), t.dim()),
                Span::styled(format!("{n:>digits$} │ "), t.dim()),
                Span::styled(clip(text, room), style),
            ]));
            continue;
        }
        // The failing lines are the point: shown whole, continued under the same gutter.
        let chars: Vec<char> = text.chars().collect();
        let pieces: Vec<&[char]> = if chars.is_empty() {
            vec![&[]]
        } else {
            chars.chunks(room).collect()
        };
        for (k, piece) in pieces.into_iter().enumerate() {
            let number = if k == 0 {
                format!("{n:>digits$} │ ")
            } else {
                format!("{:>digits$} ┆ ", "")
            };
            out.push(Line::from(vec![
                Span::styled(format!("   {mark} "), t.status(status)),
                Span::styled(number, t.dim()),
                Span::styled(piece.iter().collect::<String>(), style),
            ]));
        }
    }
    if to < all.len() {
        out.push(Line::styled(
            format!("     ⋮ {} lines below", all.len() - to),
            t.dim(),
        ));
    }
}
