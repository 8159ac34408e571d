//! The `y` box: the read-only commands behind the selected link's evidence and its fixes'
//! commands, each fix under its words as `# ` comments and each command that changes something
//! under a `# writes:` marker; the same text goes to the clipboard (OSC 52).
//!
//! What a command is and whether it writes is decided in `model::command_target`; this module
//! only lays the rows out.

use super::list_model::workload_ref;
use super::message::Work;
use super::state::{App, CommandRow, Overlay};
use crate::diagnose::commands::inspect_commands;
use crate::model::CommandLine;

/// `text` as shell comment lines: every line break (a workload name from a bundle may hold one)
/// starts a new `# ` line, so no part of the text is ever a command in the copied script.
fn comment(text: &str) -> impl Iterator<Item = CommandRow> + '_ {
    text.split(['\n', '\r'])
        .map(|l| CommandRow::Comment(format!("# {l}")))
}

/// `c` as rows: a command that changes something is preceded by its `# writes:` marker.
fn command_rows(c: &CommandLine) -> Vec<CommandRow> {
    let mut rows = Vec::new();
    if let Some(system) = c.writes() {
        rows.push(CommandRow::Writes(format!("# writes: changes {system}")));
    }
    rows.push(CommandRow::Command(c.render()));
    rows
}

pub(super) fn copy(app: &mut App) -> Vec<Work> {
    let Some(w) = app.current_workload() else {
        return Vec::new();
    };
    let cluster = app.report.as_ref().and_then(|r| r.cluster.as_ref());
    let target = app
        .report
        .as_ref()
        .map(|r| r.command_target())
        .unwrap_or_default();
    let link = app
        .current_link()
        .or(w.broken_link)
        .or_else(|| w.links.first().map(|l| l.link));
    let Some(link) = link else {
        return Vec::new();
    };
    let mut commands: Vec<CommandRow> =
        comment(&format!("{} · {link}: look", workload_ref(w))).collect();
    commands.extend(
        inspect_commands(w, link, cluster, &target)
            .iter()
            .flat_map(command_rows),
    );
    // Each fix's words go with its commands, as comments: they say what the commands do and
    // what to check first. The commands are rendered with shell quoting, so the copied text
    // runs exactly their argv.
    let fixes: Vec<_> = w
        .link(link)
        .into_iter()
        .flat_map(|l| &l.findings)
        .filter_map(|f| f.fix.as_ref())
        .filter(|f| !f.commands.is_empty())
        .collect();
    if !fixes.is_empty() {
        commands.extend(comment(&format!("{link}: fix")));
        for fix in fixes {
            commands.extend(comment(&fix.summary));
            commands.extend(fix.commands.iter().flat_map(command_rows));
        }
    }
    let text = commands
        .iter()
        .map(CommandRow::text)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    app.overlay = Some(Overlay::Commands {
        title: format!("commands for {link}"),
        commands,
        scroll: 0,
    });
    vec![Work::Copy { text }]
}
