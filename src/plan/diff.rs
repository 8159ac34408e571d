//! A step's object before and after as `diff -u` lines, for every front end that shows a plan
//! (the CLI's text, the TUI's dialog). Policy documents are decoded (IAM returns them
//! URL-encoded) and pretty-printed, so they diff statement by statement.

use similar::TextDiff;

use crate::model::plan::Step;

/// A JSON document pretty-printed; other text (YAML) as it is; always ending in a newline, so
/// the last line diffs like the others.
fn diffable(text: &str) -> String {
    let decoded = crate::policy::decode_document(text)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| text.to_string());
    let mut out = serde_json::from_str::<serde_json::Value>(&decoded)
        .ok()
        .filter(|v| v.is_object())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(decoded);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The step's `diff -u` lines (none when before and after read the same).
pub fn lines(step: &Step) -> Vec<String> {
    let (before, after) = (step.before.as_deref(), step.after.as_deref());
    let (b, a) = (
        before.map(diffable).unwrap_or_default(),
        after.map(diffable).unwrap_or_default(),
    );
    if b == a {
        return Vec::new();
    }
    TextDiff::from_lines(&b, &a)
        .unified_diff()
        .context_radius(3)
        .header(
            if before.is_some() { "before" } else { "(none)" },
            if after.is_some() {
                "after"
            } else {
                "(deleted)"
            },
        )
        .to_string()
        .lines()
        .map(str::to_string)
        .collect()
}
