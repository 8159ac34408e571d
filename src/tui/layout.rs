//! Where things go on screen, as pure functions of the terminal size. Both rendering and the
//! update function use these, so scrolling in `update` agrees with what `view` draws.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use super::state::{App, Pane, Screen};

/// Terminals at least this wide show the chain and the detail pane side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 110;
/// The chain column's width when side by side.
const CHAIN_COLUMN: u16 = 48;

pub struct Frame3 {
    pub header: Rect,
    pub body: Rect,
    pub footer: Rect,
}

pub fn frame(area: Rect) -> Frame3 {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    Frame3 {
        header,
        body,
        footer,
    }
}

/// The list screen's body: an optional filter bar, the column titles, the rows.
pub struct ListAreas {
    pub filter: Option<Rect>,
    pub titles: Rect,
    pub rows: Rect,
}

pub fn list(body: Rect, app: &App) -> ListAreas {
    let show_filter = app.filtering || !app.list.filter.is_empty();
    let [filter, titles, rows] = Layout::vertical([
        Constraint::Length(u16::from(show_filter)),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(body);
    ListAreas {
        filter: show_filter.then_some(filter),
        titles,
        rows,
    }
}

/// How many list rows fit on screen now.
pub fn list_rows(app: &App) -> usize {
    let area = Rect::new(0, 0, app.width, app.height);
    list(frame(area).body, app).rows.height as usize
}

/// The workload screen's body: a title line, the chain, the detail pane.
pub struct WorkloadAreas {
    pub title: Rect,
    pub chain: Rect,
    pub detail: Rect,
}

/// Below this height, reading the detail pane folds the chain into one line.
pub const FOLD_CHAIN_BELOW: u16 = 34;

/// Whether the chain is drawn as one line (the detail pane has the focus on a short terminal).
pub fn chain_folded(app: &App) -> bool {
    matches!(&app.screen, Screen::Workload(v) if v.focus == Pane::Detail)
        && app.height < FOLD_CHAIN_BELOW
        && app.width < SIDE_BY_SIDE_WIDTH
}

pub fn workload(body: Rect, links: usize, folded: bool) -> WorkloadAreas {
    let [title, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(body);
    let (chain, detail) = if folded {
        let [c, d] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(rest);
        (c, d)
    } else if body.width >= SIDE_BY_SIDE_WIDTH {
        let [c, d] =
            Layout::horizontal([Constraint::Length(CHAIN_COLUMN), Constraint::Min(0)]).areas(rest);
        (c, d)
    } else {
        let [c, d] = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Length(links as u16 + 2), Constraint::Min(3)])
            .areas(rest);
        (c, d)
    };
    WorkloadAreas {
        title,
        chain,
        detail,
    }
}

/// The detail pane's inner size (inside its border): width, rows.
pub fn detail_inner(app: &App, links: usize) -> (u16, u16) {
    let area = Rect::new(0, 0, app.width, app.height);
    let d = workload(frame(area).body, links, chain_folded(app)).detail;
    (d.width.saturating_sub(2), d.height.saturating_sub(2))
}

/// A centred box for overlays, at most `w` x `h`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
