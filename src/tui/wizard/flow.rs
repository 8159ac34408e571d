//! The wizard's way through its screens: Enter checks the screen and moves on (or says what it
//! needs: the namespace's facts, a valid field, a mechanism that can serve), Esc goes back
//! keeping everything, entering a screen reads what it offers from the facts, and the last
//! screen's Enter makes the request `kubectl irsa setup` would make from flags.

use super::fields::{self, FieldId};
use super::state::{Next, Review, Row, S3Access, Step, Wizard, label};
use crate::plan::setup::{Mechanism, RoleChoice, SetupRequest};
use crate::plan::setup_policy::{Parameters, Template};

impl Wizard {
    fn blocked(&mut self, why: impl Into<String>) -> Next {
        let why = why.into();
        self.message = Some(why.clone());
        Next::Blocked(why)
    }

    /// Enter: checks the screen and moves on, or says what it needs.
    pub fn advance(&mut self) -> Next {
        self.message = None;
        // Enter on a choice selects it first (Space selects without moving on).
        if let Some(row) = self.focused()
            && !row.is_text()
            && !matches!(row, Row::Bedrock | Row::S3 | Row::Secrets | Row::RegionEnv)
        {
            self.toggle();
        }
        match self.step {
            Step::Target => {
                if let Some(e) = self.error(FieldId::Namespace) {
                    return self.blocked(e);
                }
                if self.facts().is_none() {
                    let ns = self.text(FieldId::Namespace).to_string();
                    return Next::Gather(ns);
                }
                if let Some(e) = self.error(FieldId::ServiceAccount) {
                    self.focus_on(Row::Field(FieldId::ServiceAccount));
                    return self.blocked(e);
                }
            }
            Step::Mechanism => {
                let m = self.chosen_mechanism();
                let refused = self.recommendation.as_ref().and_then(|r| {
                    r.unavailable
                        .iter()
                        .find(|(x, _)| *x == m)
                        .map(|(_, why)| why.clone())
                });
                if let Some(why) = refused {
                    return self.blocked(format!("{} cannot serve this workload: {why}", label(m)));
                }
            }
            Step::Role => {
                if self.role.is_none()
                    && let Some(e) = self.error(FieldId::RoleName)
                {
                    self.focus_on(Row::Field(FieldId::RoleName));
                    return self.blocked(e);
                }
            }
            Step::Permissions => {
                let bad = self.rows().into_iter().find_map(|r| match r {
                    Row::Field(f) => self.error(f).map(|e| (f, e)),
                    _ => None,
                });
                if let Some((f, e)) = bad {
                    self.focus_on(Row::Field(f));
                    return self.blocked(e);
                }
            }
            Step::Region => {
                return match self.request() {
                    Ok(req) => {
                        self.enter(Step::Review);
                        Next::Plan(Box::new(req))
                    }
                    Err(e) => self.blocked(e),
                };
            }
            Step::Review => return Next::Moved,
        }
        self.enter(self.step.next());
        Next::Moved
    }

    /// Esc: the screen before (everything typed stays); `false` on the first screen.
    pub fn back(&mut self) -> bool {
        self.message = None;
        match self.step.prev() {
            Some(prev) => {
                self.review = Review::Idle;
                self.step = prev;
                self.focus = 0;
                self.scroll = 0;
                true
            }
            None => false,
        }
    }

    /// Moves to `step`, reading what it offers from the facts.
    fn enter(&mut self, step: Step) {
        self.step = step;
        self.focus = 0;
        self.scroll = 0;
        let sa = self.text(FieldId::ServiceAccount).to_string();
        let Some(facts) = self.facts().cloned() else {
            return;
        };
        match step {
            Step::Mechanism => {
                let r = facts.recommend(self.workload_key(), &sa);
                let m = self.mechanism.unwrap_or(r.mechanism);
                self.recommendation = Some(r);
                self.focus_on(Row::Mechanism(m));
            }
            Step::Role => {
                self.candidates = facts.candidate_roles(&sa, self.chosen_mechanism());
                if !self.role_typed {
                    let proposed = facts.proposed_role_name(&sa).unwrap_or_default();
                    self.texts.insert(FieldId::RoleName, proposed);
                }
                if let Some(wanted) = self.wanted_role.take() {
                    self.role = Some(wanted.clone());
                    let known = self.candidate_index(&wanted).is_some();
                    if !known {
                        self.message = Some(format!(
                            "role {wanted} cannot serve this service account through {}: choose another or a new one",
                            label(self.chosen_mechanism())
                        ));
                    }
                }
                // Until the user picks, a role that serves as it is (the one the service
                // account has, or one already trusting it) is proposed over a new one, as
                // `kubectl irsa setup` without --role does.
                if !self.role_picked && !self.role_typed && self.role.is_none() {
                    self.role = self
                        .candidates
                        .iter()
                        .find(|c| c.needs.is_none())
                        .map(|c| c.arn.clone());
                }
                // A role chosen for another service account or mechanism may not serve this one.
                let index = self.role.clone().and_then(|r| self.candidate_index(&r));
                self.role = index
                    .and_then(|i| self.candidates.get(i))
                    .map(|c| c.arn.clone());
                self.focus_on(index.map_or(Row::NewRole, Row::Candidate));
            }
            Step::Region => {
                self.region_advice =
                    Some(facts.region_advice(self.workload_key(), self.chosen_mechanism()));
            }
            _ => {}
        }
    }

    /// What a namespace pattern lets assume the role (IRSA's StringLike subject), if it is one.
    pub fn wildcard_warning(&self) -> Option<String> {
        let namespace = self.text(FieldId::Namespace).to_string();
        if !namespace.contains(['*', '?']) {
            return None;
        }
        let req = SetupRequest {
            namespace,
            service_account: self.text(FieldId::ServiceAccount).to_string(),
            workload: None,
            mechanism: Mechanism::Irsa,
            role: RoleChoice::Default,
            templates: Vec::new(),
            parameters: Parameters::default(),
            policy_arns: Vec::new(),
            region_env: false,
        };
        Some(crate::plan::setup::wildcard_warning(&req))
    }

    /// The request everything chosen makes, checked as `kubectl irsa setup` checks its flags.
    pub fn request(&self) -> Result<SetupRequest, String> {
        let text = |f: FieldId| self.text(f).trim().to_string();
        let chosen = self.role.as_deref().and_then(|r| self.candidate_index(r));
        let role = match chosen.and_then(|i| self.candidates.get(i)) {
            Some(c) => RoleChoice::Existing(c.arn.clone()),
            None => RoleChoice::Create(text(FieldId::RoleName)),
        };
        let mut templates = Vec::new();
        let mut parameters = Parameters::default();
        if self.bedrock {
            templates.push(Template::BedrockInvoke);
            parameters.models = fields::items(self.text(FieldId::Models));
        }
        match self.s3 {
            S3Access::None => {}
            S3Access::Read => templates.push(Template::S3Read),
            S3Access::ReadWrite => templates.push(Template::S3ReadWrite),
        }
        if self.s3 != S3Access::None {
            parameters.bucket = Some(text(FieldId::Bucket));
            parameters.prefix = Some(text(FieldId::Prefix)).filter(|p| !p.is_empty());
        }
        if self.secrets {
            templates.push(Template::SecretsRead);
            parameters.secrets = fields::items(self.text(FieldId::Secrets));
        }
        let req = SetupRequest {
            namespace: text(FieldId::Namespace),
            service_account: text(FieldId::ServiceAccount),
            workload: self.selected_workload().map(|w| (w.kind, w.name.clone())),
            mechanism: self.chosen_mechanism(),
            role,
            templates,
            parameters,
            policy_arns: fields::items(self.text(FieldId::PolicyArns)),
            region_env: self.region_on(),
        };
        crate::plan::setup::validate(&req).map_err(|e| e.to_string())?;
        Ok(req)
    }
}
