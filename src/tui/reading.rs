//! What the text overlays hold, built from the state when their key is pressed (pure; the view
//! wraps the lines to the overlay's width and escapes them like everything else it draws):
//! `e`, the explanation of the finding at the top of the detail pane ([`explain`]), and `v`,
//! every text the screen may cut (to a pane's width, a box's height or a single toast line),
//! whole ([`whole`]).
//!
//! To make another cut text readable, add it to [`whole`] under its own heading.

use crate::app::watched::StageState;
use crate::model::chain::{Finding, LinkReport};
use crate::model::report::WorkloadReport;
use crate::tui::layout;
use crate::tui::state::{App, Load, Overlay, ProofState, Screen, Tone};
use crate::tui::view::detail;

type Lines = Vec<(Tone, String)>;

fn heading(out: &mut Lines, text: impl Into<String>) {
    if !out.is_empty() {
        out.push((Tone::Blank, String::new()));
    }
    out.push((Tone::Heading, text.into()));
}

/// The explanation of the finding at the top of the detail pane, with the link's other codes
/// (in the pane's order) for Tab; `None` when the selected link has no findings.
pub fn explain(app: &App) -> Option<Overlay> {
    let Screen::Workload(view) = &app.screen else {
        return None;
    };
    let w = app.find_workload(&view.workload)?;
    let link = w.links.get(view.link)?;
    let mut codes: Vec<&'static str> = Vec::new();
    for f in &link.findings {
        if !codes.contains(&f.code) {
            codes.push(f.code);
        }
    }
    let width = layout::detail_inner(app, w.links.len()).0;
    let at = detail::finding_at(app, width, view.scroll);
    let top = link.findings.get(at)?;
    let index = codes.iter().position(|c| *c == top.code).unwrap_or(0);
    Some(Overlay::Explain {
        codes,
        index,
        scroll: 0,
    })
}

/// The `v` overlay over the screen as it is now.
pub fn whole(app: &App) -> Overlay {
    Overlay::Whole {
        lines: lines(app),
        scroll: 0,
    }
}

/// The texts, in the order a reader meets them on screen: the load, the workload and its
/// proof, the selected link's findings, the last message.
pub fn lines(app: &App) -> Lines {
    let mut out = Lines::new();
    match &app.load {
        Load::Loading { stages } if !stages.is_empty() => {
            heading(&mut out, "loading");
            for (stage, state) in stages {
                let (tone, text) = match state {
                    StageState::Running => (Tone::Dim, "…".to_string()),
                    StageState::Done(what) => (Tone::Text, what.clone()),
                    StageState::Failed(why) => (Tone::Error, why.clone()),
                };
                out.push((tone, format!("{}: {text}", stage.label())));
            }
        }
        Load::Failed(e) => {
            heading(&mut out, "the last load failed");
            out.extend(e.lines().map(|l| (Tone::Error, l.to_string())));
        }
        _ => {}
    }
    match &app.screen {
        Screen::Workload(view) => {
            if let Some(w) = app.find_workload(&view.workload) {
                workload(&mut out, w);
                proof(&mut out, app.proofs.get(&view.workload), None);
                if let Some(link) = w.links.get(view.link) {
                    link_text(&mut out, link);
                }
            }
        }
        Screen::List => {
            if let Some(w) = app.selected_workload() {
                workload(&mut out, w);
                for link in w.links.iter().filter(|l| !l.findings.is_empty()) {
                    out.push((
                        Tone::Text,
                        format!("{} · {}: {}", link.link, link.status, link.summary),
                    ));
                }
            }
            // Proofs that finished while their workload was not open were only a toast.
            for (w, p) in &app.proofs {
                proof(&mut out, Some(p), Some(&w.to_string()));
            }
        }
    }
    if let Some(toast) = &app.toast {
        heading(&mut out, "message");
        out.push((Tone::Text, toast.text.clone()));
    }
    if out.is_empty() {
        out.push((Tone::Dim, "Nothing on this screen is cut.".to_string()));
    }
    out
}

fn workload(out: &mut Lines, w: &WorkloadReport) {
    heading(
        out,
        format!("{}/{}/{}", w.namespace, w.kind.short(), w.name),
    );
    out.push((
        Tone::Text,
        format!(
            "service account {} · {} · {}",
            w.service_account,
            w.mechanism.label(),
            w.status
        ),
    ));
    if let Some(role) = &w.role_arn {
        out.push((Tone::Text, format!("role {role}")));
    }
}

fn proof(out: &mut Lines, state: Option<&ProofState>, of: Option<&str>) {
    let (tone, text) = match state {
        Some(ProofState::Done { text, ok: true }) => (Tone::Text, text),
        Some(ProofState::Done { text, ok: false } | ProofState::Failed(text)) => {
            (Tone::Error, text)
        }
        Some(ProofState::Running { .. }) | None => return,
    };
    heading(
        out,
        match of {
            Some(w) => format!("proof of {w}"),
            None => "proof".to_string(),
        },
    );
    out.push((tone, text.clone()));
}

fn link_text(out: &mut Lines, link: &LinkReport) {
    heading(out, format!("{} · {}", link.link, link.status));
    out.push((Tone::Text, link.summary.clone()));
    for f in &link.findings {
        finding(out, f);
    }
}

fn finding(out: &mut Lines, f: &Finding) {
    out.push((Tone::Blank, String::new()));
    out.push((Tone::Title, f.code.to_string()));
    out.push((Tone::Text, f.message.clone()));
    for e in &f.evidence {
        let mut line = format!("in {}", e.object);
        if let Some(field) = &e.field {
            line.push_str(&format!(": {field}"));
        }
        if let Some(value) = &e.value {
            line.push_str(&format!(" = {value}"));
        }
        out.push((Tone::Dim, line));
        if let Some(doc) = &e.document {
            out.extend(doc.lines().map(|l| (Tone::Literal, l.to_string())));
        }
    }
    if let Some(fix) = &f.fix {
        out.push((Tone::Text, format!("fix: {}", fix.summary)));
        for c in &fix.commands {
            out.push((Tone::Literal, format!("$ {c}")));
        }
    }
}
