//! A collected fact, or the reason it is missing.
//!
//! Diagnosis must never confuse "we looked and it is not there" (a finding) with "we could not
//! look" (the link is `unknown`). Every fact that can be missing is a [`Fact`], and a missing one
//! says what to grant or collect so the user can close the gap.

use serde::Serialize;

/// Why a fact is absent from a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum Missing {
    /// The source did not collect it: an offline bundle without that file, or a scope that did
    /// not include it. `hint` is the command that would collect it, as the line to paste
    /// (rendered from a [`crate::model::CommandLine`]).
    NotCollected { hint: String },
    /// The caller is not allowed to read it; `permission` is the exact permission to grant.
    Denied { permission: String, message: String },
    /// The source could not be reached or answered with an error.
    Unreachable { message: String },
    /// A list was read only in part (a later page refused or failed): what was read is real,
    /// but an object absent from it may exist.
    Partial { message: String },
}

impl Missing {
    /// Not collected; `hint` is the command that collects it, given as a
    /// [`crate::model::CommandLine`] so its values are quoted for the shell.
    pub fn not_collected(hint: impl Into<String>) -> Self {
        Missing::NotCollected { hint: hint.into() }
    }

    /// A Kubernetes list the API server refused (403), worded the same whether the refusal was
    /// met live or read from a saved `kubectl get` error: `list pods in namespace shop`,
    /// `list deployments (API group apps) cluster-wide`.
    pub fn list_denied(
        resource: &str,
        group: &str,
        namespace: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        let group = if group.is_empty() {
            String::new()
        } else {
            format!(" (API group {group})")
        };
        let permission = match namespace {
            Some(ns) => format!("list {resource}{group} in namespace {ns}"),
            None => format!("list {resource}{group} cluster-wide"),
        };
        Missing::Denied {
            permission,
            message: message.into(),
        }
    }

    /// One sentence for a finding: what is missing and how to get it.
    pub fn explain(&self, what: &str) -> String {
        match self {
            Missing::NotCollected { hint } => {
                format!("{what} was not collected; collect it with `{hint}`")
            }
            Missing::Denied {
                permission,
                message,
            } => {
                format!("{what} could not be read ({message}); grant `{permission}`")
            }
            Missing::Unreachable { message } => format!("{what} could not be read: {message}"),
            Missing::Partial { message } => {
                format!("{what} could be read only in part ({message})")
            }
        }
    }
}

/// A fact that is either known or missing for a stated reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact<T> {
    Known(T),
    Missing(Missing),
}

impl<T> Fact<T> {
    pub fn not_collected(hint: impl Into<String>) -> Self {
        Fact::Missing(Missing::not_collected(hint))
    }

    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Missing(_) => None,
        }
    }

    pub fn known_mut(&mut self) -> Option<&mut T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Missing(_) => None,
        }
    }

    pub fn missing(&self) -> Option<&Missing> {
        match self {
            Fact::Known(_) => None,
            Fact::Missing(m) => Some(m),
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Fact::Known(_))
    }

    pub fn as_ref(&self) -> Fact<&T> {
        match self {
            Fact::Known(v) => Fact::Known(v),
            Fact::Missing(m) => Fact::Missing(m.clone()),
        }
    }
}

impl<T: Default> Fact<T> {
    /// The known value, creating an empty one if the fact was missing: used by loaders that
    /// discover a fact while reading (a bundle file proves the list was collected).
    pub fn get_or_insert_default(&mut self) -> &mut T {
        if !self.is_known() {
            *self = Fact::Known(T::default());
        }
        match self {
            Fact::Known(v) => v,
            // Just assigned above.
            Fact::Missing(_) => unreachable!("fact was set to Known above"),
        }
    }
}
