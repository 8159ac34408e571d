//! Parses each distinct policy document once per diagnosis run, however many roles, workloads
//! and links read it, and keeps the decoded text for evidence display.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use crate::model::aws::PolicyText;
use crate::policy::{Policy, PolicyError, PolicyKind, parse_policy};

/// A parsed policy with the text it was parsed from, decoded for display.
#[derive(Debug)]
pub struct ParsedPolicy {
    pub display: String,
    pub result: Result<Policy, PolicyError>,
    /// Why the text is no policy document at all (neither JSON nor URL-encoded JSON), when so.
    /// IAM stores only valid JSON, so such text is a damaged copy (an edited or truncated
    /// bundle file): what IAM holds is unknown, which is not the same as an invalid policy.
    pub undecodable: Option<String>,
}

#[derive(Default)]
pub struct PolicyCache {
    trust: RefCell<HashMap<String, Rc<ParsedPolicy>>>,
    identity: RefCell<HashMap<String, Rc<ParsedPolicy>>>,
    parses: Cell<usize>,
}

impl PolicyCache {
    pub fn trust(&self, text: &PolicyText) -> Rc<ParsedPolicy> {
        self.get(&self.trust, text, PolicyKind::Trust)
    }

    pub fn identity(&self, text: &PolicyText) -> Rc<ParsedPolicy> {
        self.get(&self.identity, text, PolicyKind::Identity)
    }

    /// How many documents were actually parsed (for the benchmark and tests).
    pub fn parse_count(&self) -> usize {
        self.parses.get()
    }

    fn get(
        &self,
        map: &RefCell<HashMap<String, Rc<ParsedPolicy>>>,
        text: &PolicyText,
        kind: PolicyKind,
    ) -> Rc<ParsedPolicy> {
        if let Some(hit) = map.borrow().get(&text.0) {
            return Rc::clone(hit);
        }
        self.parses.set(self.parses.get() + 1);
        let parsed = Rc::new(ParsedPolicy {
            display: display_text(&text.0),
            result: parse_policy(&text.0, kind),
            undecodable: undecodable(&text.0),
        });
        map.borrow_mut().insert(text.0.clone(), Rc::clone(&parsed));
        parsed
    }
}

/// Why `text` is not JSON even after URL-decoding, or `None` when it is JSON (valid IAM or not).
pub fn undecodable(text: &str) -> Option<String> {
    let decoded = match crate::policy::decode_document(text) {
        Ok(d) => d,
        Err(e) => return Some(e.to_string()),
    };
    serde_json::from_str::<serde::de::IgnoredAny>(&decoded)
        .err()
        .map(|e| format!("not JSON and not URL-encoded JSON: {e}"))
}

/// The document as a person reads it: URL-decoded when AWS returned it encoded (GetRole), as
/// is when it is already JSON. Plain percent decoding, never `+` to space.
pub fn display_text(text: &str) -> String {
    match crate::policy::decode_document(text) {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => text.to_string(),
    }
}
