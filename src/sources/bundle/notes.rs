//! The notes a load collects ([`Notes`]) and where in a file something was found ([`At`]), so
//! every message names the file and the document (and list item) it is about.
//!
//! To report something new, call [`Notes::add`] with the file's name and a sentence that ends
//! with what happened to the data (`; skipped`, `; ignored`).

use std::fmt;

use crate::model::snapshot::LoadNote;

#[derive(Debug, Default)]
pub struct Notes(Vec<LoadNote>);

impl Notes {
    pub fn add(&mut self, file: &str, message: impl Into<String>) {
        self.0.push(LoadNote {
            file: file.to_string(),
            message: message.into(),
        });
    }

    pub fn into_vec(self) -> Vec<LoadNote> {
        self.0
    }
}

/// A place in the bundle: file (index into the loader's file list, and its name), 1-based
/// document and, inside a list, 1-based item.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub file: usize,
    pub name: &'a str,
    pub doc: usize,
    pub item: Option<usize>,
}

impl At<'_> {
    pub fn item(self, index: usize) -> Self {
        At {
            item: Some(index + 1),
            ..self
        }
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.item {
            Some(item) => write!(f, "document {}, item {item}", self.doc),
            None => write!(f, "document {}", self.doc),
        }
    }
}
