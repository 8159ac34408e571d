//! ARN matching for `Resource`/`NotResource` and the `Arn*` condition operators: the six
//! `:`-separated components (`arn:partition:service:region:account:resource`, the last keeping
//! any further `:` and `/`) are compared separately, each with `*`/`?` wildcards, case-sensitively.
//! A lone `*` matches anything.
//!
//! When either side does not have six components (not an ARN), the whole strings are compared
//! with the wildcard matcher instead, which is the closest reading of IAM's behaviour.

use super::glob::{GlobToken, matches};

/// Split into at most six components on literal `:`.
fn split_tokens(pattern: &[GlobToken]) -> Vec<&[GlobToken]> {
    let mut parts = Vec::with_capacity(6);
    let mut start = 0;
    for (i, t) in pattern.iter().enumerate() {
        if parts.len() == 5 {
            break;
        }
        if *t == GlobToken::Literal(':') {
            parts.push(&pattern[start..i]);
            start = i + 1;
        }
    }
    parts.push(&pattern[start.min(pattern.len())..]);
    parts
}

fn split_text(text: &[char]) -> Vec<&[char]> {
    let mut parts = Vec::with_capacity(6);
    let mut start = 0;
    for (i, c) in text.iter().enumerate() {
        if parts.len() == 5 {
            break;
        }
        if *c == ':' {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start.min(text.len())..]);
    parts
}

/// Does the ARN `text` match the ARN pattern?
pub fn arn_matches(pattern: &[GlobToken], text: &str) -> bool {
    if pattern == [GlobToken::Star] {
        return true;
    }
    let chars: Vec<char> = text.chars().collect();
    let p = split_tokens(pattern);
    let t = split_text(&chars);
    if p.len() != 6 || t.len() != 6 {
        return matches(pattern, &chars, false);
    }
    p.iter()
        .zip(t.iter())
        .all(|(pp, tt)| matches(pp, tt, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::glob::tokens;

    fn m(p: &str, t: &str) -> bool {
        arn_matches(&tokens(p), t)
    }

    #[test]
    fn component_wise() {
        assert!(m("*", "anything at all"));
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"));
        assert!(!m("arn:aws:s3:::bucket/*", "arn:aws:s3:::other/a"));
        assert!(m(
            "arn:aws:iam::*:role/x",
            "arn:aws:iam::123456789012:role/x"
        ));
        // A `*` inside a component does not cross a `:` into the next component.
        assert!(!m("arn:aws:iam::*:role/x", "arn:aws:iam::1:2:role/x"));
        assert!(m(
            "arn:aws:sqs:*:123456789012:q?",
            "arn:aws:sqs:eu-west-1:123456789012:q1"
        ));
        assert!(!m(
            "arn:aws:sqs:*:123456789012:q?",
            "arn:aws:sqs:eu-west-1:123456789012:q12"
        ));
        // Case-sensitive.
        assert!(!m("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
        // The sixth component keeps colons.
        assert!(m(
            "arn:aws:logs:*:*:log-group:/eks/*",
            "arn:aws:logs:eu-west-1:1:log-group:/eks/x:log-stream:y"
        ));
    }

    #[test]
    fn non_arns_fall_back_to_whole_string() {
        assert!(m("not-an-arn*", "not-an-arn-really"));
        assert!(!m("arn:aws:s3:::b", "b"));
        assert!(m("arn:aws:*", "arn:aws:iam::1:role/x"));
    }
}
