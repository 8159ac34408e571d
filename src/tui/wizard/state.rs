//! The wizard's form: six screens, the rows of each (text fields and choices), the focus, what
//! was typed and chosen, and the request it all makes. Pure: the update layer
//! ([`super::update`]) turns what [`Wizard::advance`] asks for into work, and feeds the answers
//! back. Every value survives going back and forth between screens.
//!
//! To add a choice: a [`Row`], its place in [`Wizard::rows`], what Space does to it in
//! [`Wizard::toggle`], and its part of the request in `Wizard::request` (in `flow`, with
//! Enter and Esc).

use std::collections::BTreeMap;

use super::fields::{self, FieldId};
use crate::app::setup::SetupFacts;
use crate::model::plan::Plan;
use crate::model::workload::WorkloadKind;
use crate::plan::setup::{Mechanism, RoleChoice, SetupRequest};
use crate::plan::setup_options::{Recommendation, RegionAdvice, RoleCandidate, WorkloadChoice};
use crate::plan::setup_policy::{Parameters, Template};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Target,
    Mechanism,
    Role,
    Permissions,
    Region,
    Review,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Target,
        Step::Mechanism,
        Step::Role,
        Step::Permissions,
        Step::Region,
        Step::Review,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Target => "workload",
            Step::Mechanism => "mechanism",
            Step::Role => "role",
            Step::Permissions => "permissions",
            Step::Region => "region",
            Step::Review => "review",
        }
    }

    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub(super) fn next(self) -> Step {
        Step::ALL
            .get(self.number())
            .copied()
            .unwrap_or(Step::Review)
    }

    pub(super) fn prev(self) -> Option<Step> {
        self.number()
            .checked_sub(2)
            .and_then(|i| Step::ALL.get(i).copied())
    }
}

/// One line of a screen the focus can be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Field(FieldId),
    Workload(usize),
    ServiceAccountOnly,
    Mechanism(Mechanism),
    NewRole,
    Candidate(usize),
    Bedrock,
    S3,
    Secrets,
    RegionEnv,
}

impl Row {
    pub fn is_text(self) -> bool {
        matches!(self, Row::Field(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3Access {
    None,
    Read,
    ReadWrite,
}

/// The facts the choices are read from: one gather per namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    Absent,
    Loading { id: u64, namespace: String },
    Ready(SetupFacts),
    Failed { namespace: String, error: String },
}

/// The review screen: the plan being made, shown, applied, and proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Idle,
    Planning {
        id: u64,
    },
    Ready(Box<Plan>),
    /// No plan to apply (nothing to do, or why there is none), or how applying it ended.
    Note(String),
    Applying {
        id: u64,
    },
    /// Applied; the load that shows the result has this generation.
    Reloading {
        generation: u64,
    },
    Proving {
        id: u64,
    },
}

/// What the wizard starts with: the TUI's workload (`w`) or the flags of `kubectl irsa setup`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    pub namespace: Option<String>,
    pub service_account: Option<String>,
    pub workload: Option<(WorkloadKind, String)>,
    pub mechanism: Option<Mechanism>,
    pub role: Option<RoleChoice>,
    pub templates: Vec<Template>,
    pub parameters: Parameters,
    pub policy_arns: Vec<String>,
    pub region_env: bool,
}

/// What Enter asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Moved,
    /// It stays: the sentence says why.
    Blocked(String),
    /// The namespace's facts are needed first.
    Gather(String),
    Plan(Box<SetupRequest>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wizard {
    pub step: Step,
    pub focus: usize,
    pub scroll: u16,
    pub texts: BTreeMap<FieldId, String>,
    pub facts: Facts,
    pub workloads: Vec<WorkloadChoice>,
    /// The chosen workload (an index into `workloads`); `None`: a service account only.
    pub workload: Option<usize>,
    pub(super) wanted_workload: Option<(WorkloadKind, String)>,
    /// The user typed the service account (a workload's choice no longer replaces it).
    pub(super) sa_typed: bool,
    pub mechanism: Option<Mechanism>,
    pub recommendation: Option<Recommendation>,
    pub candidates: Vec<RoleCandidate>,
    /// The chosen existing role's ARN (one of `candidates`); `None`: a new role.
    pub role: Option<String>,
    pub(super) wanted_role: Option<String>,
    pub(super) role_typed: bool,
    /// The user chose a role row (a proposal no longer replaces the choice).
    pub(super) role_picked: bool,
    pub bedrock: bool,
    pub s3: S3Access,
    pub secrets: bool,
    pub region_env: Option<bool>,
    pub region_advice: Option<RegionAdvice>,
    /// Why the last Enter did not move on; cleared by the next key.
    pub message: Option<String>,
    pub review: Review,
    /// Started by `kubectl irsa setup`: closing the wizard quits.
    pub quit_on_close: bool,
}

impl Wizard {
    pub fn new(p: Prefill) -> Wizard {
        let mut texts = BTreeMap::new();
        let mut put = |f: FieldId, v: String| {
            texts.insert(f, v);
        };
        put(FieldId::Namespace, p.namespace.unwrap_or_default());
        put(
            FieldId::ServiceAccount,
            p.service_account.clone().unwrap_or_default(),
        );
        put(FieldId::Models, p.parameters.models.join(", "));
        put(
            FieldId::Bucket,
            p.parameters.bucket.clone().unwrap_or_default(),
        );
        put(
            FieldId::Prefix,
            p.parameters.prefix.clone().unwrap_or_default(),
        );
        put(FieldId::Secrets, p.parameters.secrets.join(", "));
        put(FieldId::PolicyArns, p.policy_arns.join(", "));
        let (wanted_role, role_name) = match p.role {
            Some(RoleChoice::Existing(r)) => (Some(r), None),
            Some(RoleChoice::Create(n)) => (None, Some(n)),
            _ => (None, None),
        };
        let role_typed = role_name.is_some();
        put(FieldId::RoleName, role_name.unwrap_or_default());
        let has = |t: Template| p.templates.contains(&t);
        Wizard {
            step: Step::Target,
            focus: 0,
            scroll: 0,
            texts,
            facts: Facts::Absent,
            workloads: Vec::new(),
            workload: None,
            wanted_workload: p.workload,
            sa_typed: p.service_account.is_some(),
            mechanism: p.mechanism,
            recommendation: None,
            candidates: Vec::new(),
            role: None,
            wanted_role,
            role_typed,
            role_picked: false,
            bedrock: has(Template::BedrockInvoke),
            s3: if has(Template::S3ReadWrite) {
                S3Access::ReadWrite
            } else if has(Template::S3Read) {
                S3Access::Read
            } else {
                S3Access::None
            },
            secrets: has(Template::SecretsRead),
            region_env: p.region_env.then_some(true),
            region_advice: None,
            message: None,
            review: Review::Idle,
            quit_on_close: false,
        }
    }

    pub fn text(&self, f: FieldId) -> &str {
        self.texts.get(&f).map_or("", String::as_str)
    }

    /// The facts, when they are of the namespace typed now.
    pub fn facts(&self) -> Option<&SetupFacts> {
        match &self.facts {
            Facts::Ready(f) if f.namespace == self.text(FieldId::Namespace) => Some(f),
            _ => None,
        }
    }

    pub fn rows(&self) -> Vec<Row> {
        match self.step {
            Step::Target => {
                let mut rows = vec![Row::Field(FieldId::Namespace)];
                if self.facts().is_some() {
                    rows.extend((0..self.workloads.len()).map(Row::Workload));
                    rows.extend([Row::ServiceAccountOnly, Row::Field(FieldId::ServiceAccount)]);
                }
                rows
            }
            Step::Mechanism => vec![
                Row::Mechanism(Mechanism::Irsa),
                Row::Mechanism(Mechanism::PodIdentity),
            ],
            Step::Role => {
                let mut rows = vec![Row::NewRole, Row::Field(FieldId::RoleName)];
                rows.extend((0..self.candidates.len()).map(Row::Candidate));
                rows
            }
            Step::Permissions => {
                let mut rows = vec![Row::Bedrock];
                if self.bedrock {
                    rows.push(Row::Field(FieldId::Models));
                }
                rows.push(Row::S3);
                if self.s3 != S3Access::None {
                    rows.extend([Row::Field(FieldId::Bucket), Row::Field(FieldId::Prefix)]);
                }
                rows.push(Row::Secrets);
                if self.secrets {
                    rows.push(Row::Field(FieldId::Secrets));
                }
                rows.push(Row::Field(FieldId::PolicyArns));
                rows
            }
            Step::Region => vec![Row::RegionEnv],
            Step::Review => Vec::new(),
        }
    }

    pub fn focused(&self) -> Option<Row> {
        self.rows().get(self.focus).copied()
    }

    /// What is wrong with a field's text now, if anything (shown under it as the user types).
    pub fn error(&self, f: FieldId) -> Option<String> {
        fields::check(f, self.text(f))
    }

    pub fn move_focus(&mut self, delta: isize) {
        let n = self.rows().len();
        if n > 0 {
            self.focus = self.focus.saturating_add_signed(delta).min(n - 1);
        }
    }

    pub(super) fn focus_on(&mut self, row: Row) {
        if let Some(i) = self.rows().iter().position(|r| *r == row) {
            self.focus = i;
        }
    }

    /// Types `c` into the focused field (nothing when a choice is focused).
    pub fn type_char(&mut self, c: char) {
        if let Some(Row::Field(f)) = self.focused() {
            self.texts.entry(f).or_default().push(c);
            self.typed(f);
        }
    }

    pub fn backspace(&mut self) {
        if let Some(Row::Field(f)) = self.focused() {
            self.texts.entry(f).or_default().pop();
            self.typed(f);
        }
    }

    pub fn clear_field(&mut self) {
        if let Some(Row::Field(f)) = self.focused() {
            self.texts.insert(f, String::new());
            self.typed(f);
        }
    }

    fn typed(&mut self, f: FieldId) {
        match f {
            FieldId::ServiceAccount => self.sa_typed = true,
            FieldId::RoleName => self.role_typed = true,
            _ => {}
        }
    }

    pub fn selected_workload(&self) -> Option<&WorkloadChoice> {
        self.workload.and_then(|i| self.workloads.get(i))
    }

    pub(super) fn workload_key(&self) -> Option<(WorkloadKind, &str)> {
        self.selected_workload().map(|w| (w.kind, w.name.as_str()))
    }

    pub(super) fn choose_workload(&mut self, index: Option<usize>) {
        self.workload = index;
        if self.sa_typed {
            return;
        }
        if let Some(w) = self.selected_workload() {
            // A workload on `default` gets a service account of its own, named after it.
            let sa = if w.service_account == "default" {
                w.name.clone()
            } else {
                w.service_account.clone()
            };
            self.texts.insert(FieldId::ServiceAccount, sa);
        }
    }

    /// Space: selects the focused choice (toggles a checkbox, cycles S3 access); in a text
    /// field it is a space.
    pub fn toggle(&mut self) {
        let Some(row) = self.focused() else { return };
        match row {
            Row::Field(_) => self.type_char(' '),
            Row::Workload(i) => self.choose_workload(Some(i)),
            Row::ServiceAccountOnly => self.choose_workload(None),
            Row::Mechanism(m) => self.mechanism = Some(m),
            Row::NewRole => {
                self.role = None;
                self.role_picked = true;
            }
            Row::Candidate(i) => {
                self.role = self.candidates.get(i).map(|c| c.arn.clone());
                self.role_picked = true;
            }
            Row::Bedrock => self.bedrock = !self.bedrock,
            Row::S3 => {
                self.s3 = match self.s3 {
                    S3Access::None => S3Access::Read,
                    S3Access::Read => S3Access::ReadWrite,
                    S3Access::ReadWrite => S3Access::None,
                }
            }
            Row::Secrets => self.secrets = !self.secrets,
            Row::RegionEnv => match self.workload {
                Some(_) => self.region_env = Some(!self.region_on()),
                None => self.message = Some(
                    "the region is set in a workload's containers: choose a workload on screen 1"
                        .into(),
                ),
            },
        }
    }

    /// The candidate named `role` (by name or ARN).
    pub fn candidate_index(&self, role: &str) -> Option<usize> {
        self.candidates
            .iter()
            .position(|c| c.name == role || c.arn == role)
    }

    pub fn region_on(&self) -> bool {
        self.workload.is_some()
            && self
                .region_env
                .unwrap_or_else(|| self.region_advice.as_ref().is_some_and(|a| a.set))
    }

    pub fn chosen_mechanism(&self) -> Mechanism {
        self.mechanism
            .or(self.recommendation.as_ref().map(|r| r.mechanism))
            .unwrap_or(Mechanism::Irsa)
    }

    /// The facts of the namespace arrived: the workloads are listed, the one wanted chosen.
    pub fn facts_arrived(&mut self, facts: SetupFacts) {
        self.workloads = facts.workloads();
        let wanted = self
            .wanted_workload
            .take()
            .or_else(|| self.selected_workload().map(|w| (w.kind, w.name.clone())));
        let index = wanted.and_then(|(kind, name)| {
            self.workloads
                .iter()
                .position(|w| w.kind == kind && w.name == name)
        });
        self.facts = Facts::Ready(facts);
        self.choose_workload(index);
        self.recommendation = None;
        self.candidates.clear();
        let row = index.map_or(Row::Field(FieldId::ServiceAccount), Row::Workload);
        self.focus_on(row);
    }
}

pub fn label(m: Mechanism) -> &'static str {
    match m {
        Mechanism::Irsa => "IRSA",
        Mechanism::PodIdentity => "Pod Identity",
    }
}
