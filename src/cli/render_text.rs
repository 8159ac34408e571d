//! Text rendering of a doctor report: one block per workload, one line per link, the first
//! broken link in red with its evidence and fix. Styles are ANSI; `anstream` strips them for
//! NO_COLOR and non-terminal output. Every value from the cluster, the account or a bundle file
//! goes through [`terminal_text`] (`shown`, `document`), so the only escape sequences in the
//! output are the colours written here.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::model::chain::{Evidence, Finding, LinkReport, Severity, Status};
use crate::model::report::{Report, WorkloadReport};
use crate::terminal_text::{document, line as shown};

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const GREY: Style = AnsiColor::BrightBlack.on_default();
const BOLD: Style = Style::new().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

pub fn status_style(s: Status) -> Style {
    match s {
        Status::Ok => GREEN,
        Status::Warning => YELLOW,
        Status::Broken => RED,
        Status::Unknown | Status::Skipped => GREY,
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let cluster = report
        .cluster
        .as_ref()
        .map(|c| format!(" · cluster {}", shown(&c.name)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}",
        paint(
            GREY,
            &format!(
                "kubectl-irsa doctor · {}{cluster}",
                shown(&report.source.description)
            )
        )
    );
    for note in &report.notes {
        let _ = writeln!(
            out,
            "{}",
            paint(
                GREY,
                &format!("note: {}: {}", shown(&note.file), shown(&note.message))
            )
        );
    }
    for w in &report.workloads {
        out.push('\n');
        render_workload(&mut out, w);
    }
    let s = &report.summary;
    out.push('\n');
    let mut line = format!(
        "{}: {} ok, {} warning, {} broken, {} unknown",
        crate::model::words::count(s.workloads, "workload", "workloads"),
        s.ok,
        s.warning,
        s.broken,
        s.unknown
    );
    if report.workloads_without_aws_identity > 0 {
        line.push_str(&format!(
            " ({} no AWS identity)",
            crate::model::words::count(
                report.workloads_without_aws_identity,
                "other workload uses",
                "other workloads use"
            )
        ));
    }
    let style = if s.broken > 0 {
        RED
    } else if s.unknown > 0 {
        GREY
    } else if s.warning > 0 {
        YELLOW
    } else {
        GREEN
    };
    let _ = writeln!(out, "{}", paint(style, &line));
    out
}

fn render_workload(out: &mut String, w: &WorkloadReport) {
    let headline = match w.broken_link {
        Some(l) => paint(RED, &format!("BROKEN at {l}")),
        None => paint(status_style(w.status), &w.status.as_str().to_uppercase()),
    };
    let _ = writeln!(
        out,
        "{}  sa {}  {}  {headline}",
        paint(
            BOLD,
            &format!(
                "{}/{}/{}",
                shown(&w.namespace),
                w.kind.short(),
                shown(&w.name)
            )
        ),
        shown(&w.service_account),
        w.mechanism.label()
    );
    for link in &w.links {
        render_link(out, link, Some(link.link) == w.broken_link);
    }
}

fn render_link(out: &mut String, link: &LinkReport, headline: bool) {
    let style = status_style(link.status);
    let name = format!("{:<16}", link.link.as_str());
    let _ = writeln!(
        out,
        "  {} {} {}",
        paint(style, link.status.icon()),
        paint(style, &name),
        shown(&link.summary)
    );
    for f in &link.findings {
        if f.severity == Severity::Info && !headline {
            continue;
        }
        render_finding(out, f, headline);
    }
}

fn finding_style(f: &Finding) -> Style {
    match f.severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Unknown | Severity::Info => GREY,
    }
}

fn render_finding(out: &mut String, f: &Finding, full: bool) {
    let style = finding_style(f);
    // Every code has an explanation; the line says how to read it.
    let reference = format!(" (kubectl irsa explain {})", f.code);
    let _ = writeln!(
        out,
        "      {} {}{}",
        paint(style, f.code),
        shown(&f.message),
        paint(GREY, &reference)
    );
    if full {
        for e in &f.evidence {
            render_evidence(out, e);
        }
    }
    if let Some(fix) = &f.fix {
        if f.severity == Severity::Info {
            return;
        }
        let _ = writeln!(
            out,
            "        {} {}",
            paint(CYAN, "fix:"),
            shown(&fix.summary)
        );
        if full {
            for c in &fix.commands {
                let _ = writeln!(out, "          $ {}", shown(&c.to_string()));
            }
        }
    }
}

fn render_evidence(out: &mut String, e: &Evidence) {
    let mut line = format!("        evidence: {}", shown(&e.object));
    if let Some(field) = &e.field {
        line.push_str(&format!(" {}", shown(field)));
    }
    if let Some(v) = &e.value {
        line.push_str(&format!(" = {}", shown(v)));
    }
    let _ = writeln!(out, "{}", paint(GREY, &line));
    if let (Some((from, to)), Some(doc)) = (e.lines, &e.document) {
        let lines: Vec<&str> = doc.lines().collect();
        let to = to.max(from).min(from + 8);
        for n in from..=to {
            if let Some(text) = lines.get(n as usize - 1) {
                let _ = writeln!(
                    out,
                    "          {} {}",
                    paint(GREY, &format!("{n:>4} |")),
                    paint(RED, &document(text.trim_end()))
                );
            }
        }
    }
}
