//! The workload list as the user sees it: sorted, grouped broken-first, filtered, with a
//! selection and a scroll offset. Built once per report; filtering and moving touch only index
//! vectors, so a 10,000-workload list stays fast (see `benches/tui.rs`).
//!
//! To add a sort column, add a [`SortKey`] variant, its label and its comparison in
//! [`ListModel::resort`].

use std::cmp::Ordering;

use crate::model::Status;
use crate::model::report::{Report, WorkloadReport};
use crate::model::workload::WorkloadRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Namespace,
    Workload,
    ServiceAccount,
    Mechanism,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Namespace => "namespace",
            SortKey::Workload => "workload",
            SortKey::ServiceAccount => "service account",
            SortKey::Mechanism => "mechanism",
        }
    }

    pub fn next(self) -> SortKey {
        match self {
            SortKey::Namespace => SortKey::Workload,
            SortKey::Workload => SortKey::ServiceAccount,
            SortKey::ServiceAccount => SortKey::Mechanism,
            SortKey::Mechanism => SortKey::Namespace,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ListModel {
    /// Lower-case text each workload is matched against, by report index.
    haystacks: Vec<String>,
    /// Report indices in display order, before filtering.
    order: Vec<usize>,
    /// Report indices shown, in order.
    pub visible: Vec<usize>,
    /// Position of the selection in `visible`.
    pub selected: usize,
    /// First row of `visible` on screen.
    pub offset: usize,
    pub filter: String,
    pub sort: SortKey,
    pub broken_first: bool,
}

impl Default for ListModel {
    fn default() -> Self {
        ListModel {
            haystacks: Vec::new(),
            order: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            sort: SortKey::Namespace,
            broken_first: true,
        }
    }
}

/// What `/` matches against: the row's columns plus every link that is not ok, so that
/// `injection` finds a workload whose chain only warns there (the list shows that link).
fn haystack(w: &WorkloadReport) -> String {
    let troubled: Vec<&str> = w
        .links
        .iter()
        .filter(|l| !matches!(l.status, Status::Ok | Status::Skipped))
        .map(|l| l.link.as_str())
        .collect();
    format!(
        "{} {}/{} {} {} {} {} {}",
        w.namespace,
        w.kind.short(),
        w.name,
        w.service_account,
        w.mechanism.label(),
        w.status,
        troubled.join(" "),
        w.role_arn.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

pub fn workload_ref(w: &WorkloadReport) -> WorkloadRef {
    WorkloadRef {
        kind: w.kind,
        namespace: w.namespace.clone(),
        name: w.name.clone(),
    }
}

impl ListModel {
    /// Takes a new report; the selection stays at the same position.
    pub fn rebuild(&mut self, report: &Report) {
        self.haystacks = report.workloads.iter().map(haystack).collect();
        self.resort(report);
    }

    /// Like [`rebuild`](Self::rebuild), selecting `select` if it is in the new report.
    pub fn rebuild_selecting(&mut self, report: &Report, select: Option<&WorkloadRef>) {
        self.rebuild(report);
        if let Some(want) = select {
            self.select(report, want);
        }
    }

    /// Selects `want` if it is shown (the list already built from `report`).
    pub fn select(&mut self, report: &Report, want: &WorkloadRef) {
        if let Some(pos) = self
            .visible
            .iter()
            .position(|&i| report.workloads[i].is(want))
        {
            self.selected = pos;
        }
    }

    pub fn resort(&mut self, report: &Report) {
        let ws = &report.workloads;
        let mut order: Vec<usize> = (0..ws.len()).collect();
        let key = self.sort;
        let broken_first = self.broken_first;
        order.sort_by(|&a, &b| {
            let (x, y) = (&ws[a], &ws[b]);
            let group = if broken_first {
                y.status.rank().cmp(&x.status.rank())
            } else {
                Ordering::Equal
            };
            let by_key = match key {
                SortKey::Namespace => Ordering::Equal,
                SortKey::Workload => x.name.cmp(&y.name),
                SortKey::ServiceAccount => x.service_account.cmp(&y.service_account),
                SortKey::Mechanism => x.mechanism.label().cmp(y.mechanism.label()),
            };
            group
                .then(by_key)
                .then_with(|| x.namespace.cmp(&y.namespace))
                .then_with(|| x.name.cmp(&y.name))
                .then_with(|| x.kind.cmp(&y.kind))
        });
        self.order = order;
        self.refilter();
    }

    /// Applies the filter: every whitespace-separated word must appear, case-insensitively.
    pub fn refilter(&mut self) {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let haystacks = &self.haystacks;
        self.visible = self
            .order
            .iter()
            .copied()
            .filter(|&i| words.iter().all(|w| haystacks[i].contains(w.as_str())))
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// [`refilter`](Self::refilter), keeping the selected workload selected if it is still
    /// shown (no re-sort: the order has not changed).
    pub fn refilter_keeping_selection(&mut self) {
        let was = self.selected_index();
        self.refilter();
        if let Some(pos) = was.and_then(|i| self.visible.iter().position(|&v| v == i)) {
            self.selected = pos;
        }
    }

    /// The report index of the selected workload.
    pub fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn move_to(&mut self, pos: usize) {
        self.selected = pos.min(self.visible.len().saturating_sub(1));
    }

    /// Scrolls so the selection is on screen with `rows` rows visible.
    pub fn scroll_into_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        let max_offset = self.visible.len().saturating_sub(rows);
        self.offset = self.offset.min(max_offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::chain::LinkReport;
    use crate::model::snapshot::{SourceInfo, SourceKind};
    use crate::model::workload::WorkloadKind;
    use crate::model::{LinkName, Mechanism, Status};

    fn w(ns: &str, name: &str, status: Status) -> WorkloadReport {
        WorkloadReport {
            namespace: ns.into(),
            kind: WorkloadKind::Deployment,
            name: name.into(),
            service_account: format!("{name}-sa"),
            mechanism: Mechanism::Irsa,
            status,
            broken_link: (status == Status::Broken).then_some(LinkName::Trust),
            role_arn: None,
            pods: Vec::new(),
            // Like a real chain: a broken workload breaks at trust, any other trouble shows
            // at injection.
            links: vec![LinkReport {
                link: if status == Status::Broken {
                    LinkName::Trust
                } else {
                    LinkName::Injection
                },
                status,
                summary: String::new(),
                findings: Vec::new(),
            }],
        }
    }

    fn report(ws: Vec<WorkloadReport>) -> Report {
        let mut r = Report::new(
            SourceInfo {
                kind: SourceKind::Demo,
                description: "test".into(),
                context: None,
                region: None,
            },
            None,
        );
        r.workloads = ws;
        r
    }

    fn names(m: &ListModel, r: &Report) -> Vec<String> {
        m.visible
            .iter()
            .map(|&i| r.workloads[i].name.clone())
            .collect()
    }

    #[test]
    fn broken_first_then_unknown_then_warning_then_ok() {
        let r = report(vec![
            w("a", "fine", Status::Ok),
            w("a", "warn", Status::Warning),
            w("b", "bad", Status::Broken),
            w("a", "unsure", Status::Unknown),
        ]);
        let mut m = ListModel::default();
        m.rebuild(&r);
        assert_eq!(names(&m, &r), ["bad", "unsure", "warn", "fine"]);
        m.broken_first = false;
        m.resort(&r);
        assert_eq!(names(&m, &r), ["fine", "unsure", "warn", "bad"]);
    }

    #[test]
    fn every_word_of_the_filter_must_match() {
        let r = report(vec![
            w("shop", "search", Status::Ok),
            w("shop", "cart", Status::Broken),
            w("ml", "search", Status::Broken),
        ]);
        let mut m = ListModel::default();
        m.rebuild(&r);
        m.filter = "SEARCH broken".into();
        m.refilter();
        assert_eq!(names(&m, &r), ["search"]);
        assert_eq!(r.workloads[m.selected_index().unwrap()].namespace, "ml");
        m.filter = "trust".into();
        m.refilter();
        assert_eq!(names(&m, &r), ["search", "cart"], "ml sorts before shop");
        m.filter = "nothing-like-this".into();
        m.refilter();
        assert!(m.selected_index().is_none());
    }

    #[test]
    fn the_filter_finds_the_link_a_warning_or_unknown_row_shows() {
        let r = report(vec![
            w("a", "fine", Status::Ok),
            w("a", "warn", Status::Warning),
            w("a", "unsure", Status::Unknown),
            w("a", "bad", Status::Broken),
        ]);
        let mut m = ListModel::default();
        m.rebuild(&r);
        m.filter = "injection".into();
        m.refilter();
        assert_eq!(
            names(&m, &r),
            ["unsure", "warn"],
            "an ok injection link is no match"
        );
        m.filter = "trust".into();
        m.refilter();
        assert_eq!(names(&m, &r), ["bad"]);
    }

    #[test]
    fn the_selection_follows_its_workload_across_reports() {
        let r1 = report(vec![w("a", "x", Status::Ok), w("a", "y", Status::Ok)]);
        let mut m = ListModel::default();
        m.rebuild(&r1);
        m.move_by(1);
        let chosen = workload_ref(&r1.workloads[m.selected_index().unwrap()]);
        let r2 = report(vec![w("a", "x", Status::Ok), w("a", "y", Status::Broken)]);
        m.rebuild_selecting(&r2, Some(&chosen));
        assert_eq!(r2.workloads[m.selected_index().unwrap()].name, "y");
        assert_eq!(m.selected, 0, "y is broken now and sorts first");
    }

    #[test]
    fn scrolling_keeps_the_selection_on_screen() {
        let r = report(
            (0..100)
                .map(|i| w("a", &format!("w{i:03}"), Status::Ok))
                .collect(),
        );
        let mut m = ListModel::default();
        m.rebuild(&r);
        m.move_by(50);
        m.scroll_into_view(10);
        assert_eq!((m.selected, m.offset), (50, 41));
        m.move_by(-1000);
        m.scroll_into_view(10);
        assert_eq!((m.selected, m.offset), (0, 0));
        m.move_by(1000);
        m.scroll_into_view(10);
        assert_eq!((m.selected, m.offset), (99, 90));
    }
}
