//! A journal entry as data: the plan, each step's prior state and outcome (see
//! `writers::journal` for where entries live and how they are written). Here so the core's
//! undo planner can read one without depending on the adapter.

use serde::{Deserialize, Serialize};

use super::plan::{Plan, PlanResult};

/// The journal file's version; older tools refuse newer files.
pub const JOURNAL_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    /// Recorded before the write: the write may or may not have happened (a crash).
    Started,
    Applied,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    pub index: usize,
    /// The object's state read just before the step (`None`: it did not exist).
    pub prior: Option<String>,
    pub outcome: StepOutcome,
    /// Why a failed step failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    /// RFC 3339.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub schema_version: u32,
    pub plan: Plan,
    pub started_at: String,
    pub steps: Vec<StepRecord>,
    /// `None` while the plan is being applied (or when it was interrupted).
    pub result: Option<PlanResult>,
    /// Set when this entry undid another plan (its id).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub undoes: Option<String>,
}
