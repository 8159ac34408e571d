//! The journal of applied plans (issue 11 "Safety"): one JSON file per plan under
//! `$XDG_STATE_HOME/kubectl-irsa/journal/` (`~/.local/state/...`), holding the plan, each
//! object's prior state as it was read just before its step, and each step's outcome and time.
//! A step's record is written (and synced) before the step is made, so a crash mid-plan leaves
//! a journal that `undo` can work from. Files are created mode 0600 and replaced atomically.
//!
//! What a plan holds is never a token, a credential or Secret data: Kubernetes objects are
//! ServiceAccounts and workload templates, IAM documents are policies.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use crate::model::journal::{JOURNAL_SCHEMA_VERSION, JournalEntry, StepOutcome, StepRecord};
use crate::model::plan::{Plan, PlanResult};

#[derive(Debug, Error)]
pub enum JournalError {
    #[error("no journal directory: set XDG_STATE_HOME or HOME")]
    NoDirectory,
    #[error("cannot write the journal {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("cannot read the journal {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the journal already has a plan with id {0}")]
    Exists(String),
    #[error("no plan with id {0} in the journal")]
    NotFound(String),
}

/// The journal directory.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    /// `$XDG_STATE_HOME/kubectl-irsa/journal`, else `~/.local/state/kubectl-irsa/journal`.
    pub fn default_location() -> Result<Journal, JournalError> {
        let state = crate::state_dir::state_dir().ok_or(JournalError::NoDirectory)?;
        Ok(Journal::at(state.join("journal")))
    }

    pub fn at(dir: impl Into<PathBuf>) -> Journal {
        Journal { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Starts recording `plan` (before any step is made); fails if its id is taken.
    pub fn begin(
        &self,
        plan: &Plan,
        now: &str,
        undoes: Option<String>,
    ) -> Result<Recording, JournalError> {
        if self.path_of(&plan.id).exists() {
            return Err(JournalError::Exists(plan.id.clone()));
        }
        let recording = Recording {
            path: self.path_of(&plan.id),
            entry: JournalEntry {
                schema_version: JOURNAL_SCHEMA_VERSION,
                plan: plan.clone(),
                started_at: now.to_string(),
                steps: Vec::new(),
                result: None,
                undoes,
            },
        };
        recording.save()?;
        Ok(recording)
    }

    /// Every entry, oldest first (ids start with the time they were made).
    pub fn list(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let read_dir = match fs::read_dir(&self.dir) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(read_error(&self.dir, e)),
        };
        let mut paths: Vec<PathBuf> = read_dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths.iter().map(|p| load(p)).collect()
    }

    pub fn get(&self, id: &str) -> Result<JournalEntry, JournalError> {
        let path = self.path_of(id);
        if !path.exists() {
            return Err(JournalError::NotFound(id.to_string()));
        }
        load(&path)
    }
}

fn read_error(path: &Path, e: impl std::fmt::Display) -> JournalError {
    JournalError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn load(path: &Path) -> Result<JournalEntry, JournalError> {
    let text = fs::read_to_string(path).map_err(|e| read_error(path, e))?;
    serde_json::from_str(&text).map_err(|e| read_error(path, e))
}

/// One plan being applied: every change to the record is on disk before the call returns.
#[derive(Debug)]
pub struct Recording {
    path: PathBuf,
    entry: JournalEntry,
}

impl Recording {
    pub fn entry(&self) -> &JournalEntry {
        &self.entry
    }

    /// Before step `index` is made: the object's prior state.
    pub fn before_step(
        &mut self,
        index: usize,
        prior: Option<String>,
        now: &str,
    ) -> Result<(), JournalError> {
        self.entry.steps.push(StepRecord {
            index,
            prior,
            outcome: StepOutcome::Started,
            message: None,
            at: now.to_string(),
        });
        self.save()
    }

    /// After step `index`: applied, or failed with `message`.
    pub fn after_step(
        &mut self,
        index: usize,
        failure: Option<String>,
        now: &str,
    ) -> Result<(), JournalError> {
        if let Some(r) = self.entry.steps.iter_mut().rev().find(|r| r.index == index) {
            r.outcome = if failure.is_some() {
                StepOutcome::Failed
            } else {
                StepOutcome::Applied
            };
            r.message = failure;
            r.at = now.to_string();
        }
        self.save()
    }

    pub fn finish(&mut self, result: PlanResult) -> Result<(), JournalError> {
        self.entry.result = Some(result);
        self.save()
    }

    /// Writes the entry to a temporary file (mode 0600) and renames it over the journal file,
    /// so a reader never sees half an entry.
    fn save(&self) -> Result<(), JournalError> {
        let err = |e: &dyn std::fmt::Display| JournalError::Write {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        };
        let dir = self.path.parent().ok_or_else(|| err(&"no directory"))?;
        fs::create_dir_all(dir).map_err(|e| err(&e))?;
        let text = serde_json::to_string_pretty(&self.entry).map_err(|e| err(&e))?;
        let tmp = self.path.with_extension("json.tmp");
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(|e| err(&e))?;
        file.write_all(text.as_bytes()).map_err(|e| err(&e))?;
        file.sync_all().map_err(|e| err(&e))?;
        fs::rename(&tmp, &self.path).map_err(|e| err(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::PLAN_SCHEMA_VERSION;

    fn plan(id: &str) -> Plan {
        Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            id: id.into(),
            target: "deploy/app".into(),
            steps: Vec::new(),
            choices: Vec::new(),
            manual: None,
            recreate: Vec::new(),
        }
    }

    #[test]
    fn each_step_is_on_disk_before_it_is_made_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(dir.path().join("journal"));
        let mut rec = journal
            .begin(&plan("20261206T220000Z-1"), "t0", None)
            .unwrap();
        rec.before_step(0, Some("trust before".into()), "t1")
            .unwrap();
        // A crash here: the journal says the step started, with what to restore.
        let read = journal.get("20261206T220000Z-1").unwrap();
        assert_eq!(read.steps[0].outcome, StepOutcome::Started);
        assert_eq!(read.steps[0].prior.as_deref(), Some("trust before"));
        assert_eq!(read.result, None);
        rec.after_step(0, None, "t2").unwrap();
        rec.finish(PlanResult::Applied).unwrap();
        let read = journal.get("20261206T220000Z-1").unwrap();
        assert_eq!(read.steps[0].outcome, StepOutcome::Applied);
        assert_eq!(read.result, Some(PlanResult::Applied));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(journal.dir().join("20261206T220000Z-1.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn ids_are_never_reused_and_the_list_is_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(dir.path());
        assert!(journal.list().unwrap().is_empty());
        journal
            .begin(&plan("20261206T220001Z-1"), "t", None)
            .unwrap();
        journal
            .begin(&plan("20261206T220000Z-1"), "t", None)
            .unwrap();
        assert!(matches!(
            journal.begin(&plan("20261206T220000Z-1"), "t", None),
            Err(JournalError::Exists(_))
        ));
        let ids: Vec<String> = journal
            .list()
            .unwrap()
            .into_iter()
            .map(|e| e.plan.id)
            .collect();
        assert_eq!(ids, ["20261206T220000Z-1", "20261206T220001Z-1"]);
        assert!(matches!(
            journal.get("nope"),
            Err(JournalError::NotFound(_))
        ));
    }
}
