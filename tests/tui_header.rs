//! The TUI's header line on a live cluster (issue 15): it names the context the kubeconfig
//! resolved to, the account and region, and the EKS cluster, not "current context"; a report
//! AWS refused the credentials for says so there, in the warning colour.

#[path = "support/tui_screen.rs"]
#[allow(unused_imports)]
mod tui_screen;

use kubectl_irsa::app::{self, Source};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::tui::theme::Theme;
use kubectl_irsa::tui::update::{start, update};
use kubectl_irsa::tui::{App, Msg, Scope};
use ratatui::style::Color;
use tui_screen::{draw, row_text};

fn live_app(unread: bool) -> App {
    let mut report = app::doctor(&Source::Demo, &Selection::default()).unwrap();
    report.source.description = "context prod-eu · account 111122223333 · eu-west-1".into();
    report.source_unread = unread;
    let mut app = App::new("current context", true, Scope::All, Theme { color: true });
    start(&mut app);
    update(
        &mut app,
        Msg::Resize {
            width: 200,
            height: 30,
        },
    );
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(report),
        },
    );
    app
}

#[test]
fn the_header_names_the_context_account_region_and_cluster() {
    let app = live_app(false);
    let header = row_text(&draw(&app), 0);
    let cluster = app
        .report
        .as_ref()
        .and_then(|r| r.cluster.as_ref())
        .map(|c| c.name.clone())
        .unwrap();
    assert!(
        header.contains("context prod-eu · account 111122223333 · eu-west-1")
            && header.contains(&cluster),
        "{header}"
    );
    assert!(!header.contains("current context"), "{header}");
}

#[test]
fn a_report_without_aws_says_so_in_the_warning_colour() {
    let app = live_app(true);
    let buf = draw(&app);
    let header = row_text(&buf, 0);
    let at = header
        .find("AWS not read")
        .unwrap_or_else(|| panic!("{header}"));
    let x = header[..at].chars().count() as u16;
    let fg = buf[(x, 0)].fg;
    assert_eq!(
        Some(fg),
        Theme { color: true }.warning().fg,
        "the warning colour"
    );
    assert_ne!(fg, Color::Red, "not an error");
    assert!(!live_app(false).report.unwrap().source_unread);
}
