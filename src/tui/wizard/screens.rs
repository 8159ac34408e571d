//! The lines of the wizard's five form screens (the review is in `view`): each row of
//! [`Wizard::rows`] with its mark (radio, checkbox, text field), the focused one in reverse
//! video, and each field's message under it as the user types. Everything read from the
//! cluster or typed is escaped on the way, as elsewhere.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::fields::{self, FieldId};
use super::state::{Facts, Row, S3Access, Step, Wizard, label};
use crate::model::Status;
use crate::plan::setup::Mechanism;
use crate::terminal_text::line as shown;
use crate::tui::state::App;
use crate::tui::theme::spinner;
use crate::tui::view::text::wrap;

/// The lines of the current screen, and the line the focused row starts on.
pub fn lines(app: &App, w: &Wizard, width: u16) -> (Vec<Line<'static>>, usize) {
    let mut b = Builder {
        app,
        w,
        width,
        out: Vec::new(),
        focus_line: 0,
    };
    b.intro();
    for (i, row) in w.rows().into_iter().enumerate() {
        b.row(row, i == w.focus);
    }
    b.outro();
    (b.out, b.focus_line)
}

struct Builder<'a> {
    app: &'a App,
    w: &'a Wizard,
    width: u16,
    out: Vec<Line<'static>>,
    focus_line: usize,
}

impl Builder<'_> {
    fn text(&mut self, text: &str, indent: usize, style: Style) {
        let pad = " ".repeat(indent);
        self.out.extend(wrap(
            &shown(text),
            self.width,
            vec![Span::raw(pad.clone())],
            vec![Span::raw(format!("{pad}  "))],
            style,
        ));
    }

    fn blank(&mut self) {
        self.out.push(Line::default());
    }

    fn ns(&self) -> String {
        self.w.text(FieldId::Namespace).to_string()
    }

    fn sa(&self) -> String {
        self.w.text(FieldId::ServiceAccount).to_string()
    }

    fn intro(&mut self) {
        let t = self.app.theme;
        let question = match self.w.step {
            Step::Target => "Which workload gets AWS access? Or a service account alone, for a workload not deployed yet.".to_string(),
            Step::Mechanism => format!("How does {}/{} get its credentials?", self.ns(), self.sa()),
            Step::Role => format!("Which IAM role does {}/{} assume?", self.ns(), self.sa()),
            Step::Permissions => "What may it do? Least privilege: only what is ticked is granted.".into(),
            Step::Region => "Does the workload's SDK need the region in its environment?".into(),
            Step::Review => String::new(),
        };
        self.text(&question, 0, t.title());
        self.blank();
    }

    fn mark(&self, on: bool, radio: bool) -> &'static str {
        match (radio, on) {
            (true, true) => "(•) ",
            (true, false) => "( ) ",
            (false, true) => "[x] ",
            (false, false) => "[ ] ",
        }
    }

    /// A choice row: its mark and words, reverse video when focused, and a note after it.
    fn choice(&mut self, focused: bool, mark: &str, words: &str, note: Option<(String, Style)>) {
        let t = self.app.theme;
        let style = if focused { t.selected() } else { Style::new() };
        let mut spans = vec![
            Span::raw(" "),
            Span::styled(format!("{mark}{}", shown(words)), style),
        ];
        if let Some((note, note_style)) = note {
            spans.push(Span::raw("  "));
            spans.push(Span::styled(shown(&note).into_owned(), note_style));
        }
        self.out.push(Line::from(spans));
    }

    fn field(&mut self, f: FieldId, focused: bool) {
        let t = self.app.theme;
        let value = shown(self.w.text(f)).into_owned();
        let style = if focused { t.selected() } else { Style::new() };
        let cursor = if focused { "▏" } else { "" };
        self.out.push(Line::from(vec![
            Span::raw("     "),
            Span::styled(format!("{:<17}", f.label()), t.dim()),
            Span::styled(format!("{value}{cursor}"), style),
        ]));
        if let Some(e) = self.w.error(f) {
            self.text(&format!("✘ {e}"), 5, t.error());
        } else if let Some(warning) = fields::warning(f, self.w.text(f)) {
            self.text(&format!("! {warning}"), 5, t.warning());
        }
    }

    fn row(&mut self, row: Row, focused: bool) {
        if focused {
            self.focus_line = self.out.len();
        }
        let t = self.app.theme;
        let w = self.w;
        match row {
            Row::Field(FieldId::Namespace) => {
                self.field(FieldId::Namespace, focused);
                self.facts_status();
            }
            Row::Field(f) => self.field(f, focused),
            Row::Workload(i) => {
                let Some(c) = w.workloads.get(i) else { return };
                let what = format!("{}/{}", c.kind.short(), c.name);
                let identity = c
                    .identity
                    .clone()
                    .unwrap_or_else(|| "no AWS identity".into());
                let note = format!("runs as {} · {identity}", c.service_account);
                self.choice(
                    focused,
                    self.mark(w.workload == Some(i), true),
                    &what,
                    Some((note, t.dim())),
                );
            }
            Row::ServiceAccountOnly => {
                let mark = self.mark(w.workload.is_none(), true);
                self.choice(
                    focused,
                    mark,
                    "a service account only (no workload switched or restarted)",
                    None,
                );
            }
            Row::Mechanism(m) => self.mechanism(m, focused),
            Row::NewRole => {
                self.choice(
                    focused,
                    self.mark(w.role.is_none(), true),
                    "a new role",
                    None,
                );
            }
            Row::Candidate(i) => {
                let Some(c) = w.candidates.get(i) else { return };
                let on = w.role.as_deref() == Some(c.arn.as_str());
                let note = match &c.needs {
                    None => (
                        "ready: it trusts this service account".to_string(),
                        t.status(Status::Ok),
                    ),
                    Some(n) => (format!("needs: {n}"), Style::new()),
                };
                self.choice(focused, self.mark(on, true), &c.name, Some(note));
            }
            Row::Bedrock => {
                let mark = self.mark(w.bedrock, false);
                self.choice(
                    focused,
                    mark,
                    "Bedrock: invoke these models (and stream their answers)",
                    None,
                );
            }
            Row::S3 => {
                let (mark, what) = match w.s3 {
                    S3Access::None => ("[ ] ", "S3: no access"),
                    S3Access::Read => ("[r] ", "S3: read a bucket (and key prefix)"),
                    S3Access::ReadWrite => ("[w] ", "S3: read and write a bucket (and key prefix)"),
                };
                self.choice(
                    focused,
                    mark,
                    what,
                    Some(("Space: none, read, read-write".into(), t.dim())),
                );
            }
            Row::Secrets => {
                let mark = self.mark(w.secrets, false);
                self.choice(focused, mark, "Secrets Manager: read these secrets", None);
            }
            Row::RegionEnv => {
                let region = w
                    .facts()
                    .and_then(|f| f.region())
                    .unwrap_or_else(|| "the cluster's region".into());
                let words = format!(
                    "set AWS_REGION and AWS_DEFAULT_REGION to {region} in the containers that set neither"
                );
                self.choice(focused, self.mark(w.region_on(), false), &words, None);
                if let Some(a) = &w.region_advice {
                    let advice = if a.set { "advised: " } else { "not needed: " };
                    self.text(&format!("{advice}{}", a.why), 5, t.dim());
                }
            }
        }
    }

    fn facts_status(&mut self) {
        let t = self.app.theme;
        let w = self.w;
        let ns = self.ns();
        match &w.facts {
            _ if w.facts().is_some() => {
                self.blank();
                if w.workloads.is_empty() {
                    self.text(&format!("no Deployment, StatefulSet or DaemonSet in {ns}: set a service account up for it"), 1, t.dim());
                } else {
                    self.text(&format!("workloads in {ns}:"), 1, t.dim());
                }
            }
            Facts::Loading { namespace, .. } => {
                let text = format!("{} reading namespace {namespace}…", spinner(self.app.tick));
                self.text(&text, 1, t.dim());
            }
            Facts::Failed { namespace, error } if *namespace == ns => {
                self.text(
                    &format!("✘ reading namespace {namespace} failed: {error}"),
                    1,
                    t.error(),
                );
            }
            _ => self.text("Enter reads this namespace's workloads", 1, t.dim()),
        }
    }

    fn mechanism(&mut self, m: Mechanism, focused: bool) {
        let t = self.app.theme;
        let w = self.w;
        let r = w.recommendation.as_ref();
        let unavailable = r.and_then(|r| r.unavailable.iter().find(|(x, _)| *x == m));
        let note = match unavailable {
            Some((_, why)) => Some((format!("not available: {why}"), t.error())),
            None if r.is_some_and(|r| r.mechanism == m) => {
                Some(("recommended".to_string(), t.accent()))
            }
            None => None,
        };
        let what = match m {
            Mechanism::Irsa => {
                "IRSA: an annotated service account, a role trusting the cluster's OIDC provider"
            }
            Mechanism::PodIdentity => {
                "Pod Identity: an EKS association, a role trusting pods.eks.amazonaws.com"
            }
        };
        self.choice(
            focused,
            self.mark(w.chosen_mechanism() == m, true),
            what,
            note,
        );
    }

    fn outro(&mut self) {
        let t = self.app.theme;
        let w = self.w;
        match w.step {
            Step::Mechanism => {
                if let Some(r) = &w.recommendation {
                    self.blank();
                    self.text(&format!("why {}:", label(r.mechanism)), 1, t.title());
                    for reason in &r.reasons {
                        self.text(&format!("• {reason}"), 2, Style::new());
                    }
                }
                if let Some(warning) = w.wildcard_warning() {
                    self.blank();
                    self.text(&format!("! {warning}"), 1, t.warning());
                }
            }
            Step::Role if w.candidates.is_empty() => {
                self.blank();
                let m = label(w.chosen_mechanism());
                self.text(&format!("no existing role could serve this service account through {m}: a new one is made"), 1, t.dim());
            }
            _ => {}
        }
        if let Some(m) = &w.message {
            self.blank();
            self.text(&format!("✘ {m}"), 1, t.error());
        }
    }
}
