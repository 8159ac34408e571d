//! Text rendering of a doctor report: one block per workload, broken ones first, then unknown,
//! warning and ok (the order of the TUI's list); one line per link, the first broken link in
//! red with its evidence, and every fix with its commands (each command of the JSON report is
//! printed). An ok workload is one line unless `verbose`; the summary line comes last. Styles
//! are ANSI; `anstream` strips them for NO_COLOR and non-terminal output. Every value from the cluster, the account or a bundle file
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

/// Workloads in the order they are printed: the worst status first (broken, unknown, warning,
/// ok, as [`Status::rank`] orders them), then by namespace, name and kind, as the TUI's list.
fn in_print_order(report: &Report) -> Vec<&WorkloadReport> {
    let mut ws: Vec<&WorkloadReport> = report.workloads.iter().collect();
    ws.sort_by(|x, y| {
        y.status
            .rank()
            .cmp(&x.status.rank())
            .then_with(|| x.namespace.cmp(&y.namespace))
            .then_with(|| x.name.cmp(&y.name))
            .then_with(|| x.kind.cmp(&y.kind))
    });
    ws
}

/// The report as text; `verbose` prints the links of ok workloads too.
pub fn render(report: &Report, verbose: bool) -> String {
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
    let mut previous_one_line = false;
    for w in in_print_order(report) {
        let one_line = w.status == Status::Ok && !verbose;
        // A blank line before each block; ok workloads of one line each sit together.
        if !(one_line && previous_one_line) {
            out.push('\n');
        }
        render_workload(&mut out, w, one_line);
        previous_one_line = one_line;
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

fn render_workload(out: &mut String, w: &WorkloadReport, one_line: bool) {
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
    if one_line {
        return;
    }
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
        // An info finding is shown on the headline link, or when its fix has commands: every
        // command of the JSON report is printed.
        if f.severity == Severity::Info && !headline && !has_commands(f) {
            continue;
        }
        render_finding(out, f, headline);
    }
}

fn has_commands(f: &Finding) -> bool {
    f.fix.as_ref().is_some_and(|fix| !fix.commands.is_empty())
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
            render_evidence(out, e, evidence_style(f.severity));
        }
    }
    if let Some(fix) = &f.fix {
        if f.severity == Severity::Info && fix.commands.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "        {} {}",
            paint(CYAN, "fix:"),
            shown(&fix.summary)
        );
        // Every link's commands, not only the headline's: a second broken link needs its fix
        // as much as the first.
        for c in &fix.commands {
            let _ = writeln!(out, "          $ {}", shown(&c.to_string()));
        }
    }
}

/// The colour of the policy lines a finding points at: its status's, so a statement that
/// allows what was asked is green and only what breaks the chain is red.
fn evidence_style(s: Severity) -> Style {
    match s {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Unknown => GREY,
        Severity::Info => GREEN,
    }
}

fn render_evidence(out: &mut String, e: &Evidence, style: Style) {
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
                    paint(style, &document(text.trim_end()))
                );
            }
        }
    }
}
