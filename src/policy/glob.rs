//! IAM's wildcard matching: `*` is any run of characters (including none), `?` exactly one
//! character, everything else literal. A pattern is a list of [`GlobToken`]s so that a policy
//! variable like `${*}` can put a *literal* `*` into it (no off-the-shelf glob crate escapes).
//!
//! Matching is the classic greedy star with one backtrack point: O(pattern x text) at worst,
//! never exponential. To add a wildcard kind, add a token and a branch in [`matches`].

use serde::Serialize;

/// One element of a parsed pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GlobToken {
    Literal(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    Question,
}

/// Parse a plain pattern where every `*` and `?` is a wildcard.
pub fn tokens(pattern: &str) -> Vec<GlobToken> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => GlobToken::Star,
            '?' => GlobToken::Question,
            c => GlobToken::Literal(c),
        })
        .collect()
}

/// The pattern written back as text (wildcards as `*` and `?`), for messages and for the
/// operators that compare literally (StringEquals treats `*` as a plain character).
pub fn to_text(tokens: &[GlobToken]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            GlobToken::Literal(c) => *c,
            GlobToken::Star => '*',
            GlobToken::Question => '?',
        })
        .collect()
}

/// Does `text` match the wildcard `pattern` (`*` and `?` are wildcards)?
pub fn glob_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let text: Vec<char> = text.chars().collect();
    matches(&tokens(pattern), &text, case_insensitive)
}

fn same(a: char, b: char, case_insensitive: bool) -> bool {
    a == b || (case_insensitive && a.to_lowercase().eq(b.to_lowercase()))
}

/// Match a token pattern against text already split into characters.
pub fn matches(pattern: &[GlobToken], text: &[char], case_insensitive: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, text index it last took).
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(GlobToken::Star) => {
                p += 1;
                backtrack = Some((p, t));
                continue;
            }
            Some(GlobToken::Question) => {
                p += 1;
                t += 1;
                continue;
            }
            Some(GlobToken::Literal(c)) if same(*c, text[t], case_insensitive) => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match backtrack {
            Some((bp, bt)) => {
                // Let the last `*` swallow one more character and retry.
                p = bp;
                t = bt + 1;
                backtrack = Some((bp, bt + 1));
            }
            None => return false,
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|tok| *tok == GlobToken::Star)
}

/// [`matches`] for a `&str` text.
pub fn matches_str(pattern: &[GlobToken], text: &str, case_insensitive: bool) -> bool {
    let text: Vec<char> = text.chars().collect();
    matches(pattern, &text, case_insensitive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(glob_match("*", "", false));
        assert!(glob_match("*", "anything", false));
        assert!(glob_match("s3:Get*", "s3:GetObject", false));
        assert!(!glob_match("s3:Get*", "s3:PutObject", false));
        assert!(glob_match("s3:?etObject", "s3:GetObject", false));
        assert!(!glob_match("s3:?etObject", "s3:etObject", false));
        assert!(glob_match("a*b*c", "aXXbYYbc", false));
        assert!(!glob_match("a*b*c", "aXXbYYb", false));
        assert!(glob_match(
            "*:default",
            "system:serviceaccount:ns:default",
            false
        ));
        assert!(!glob_match("", "a", false));
        assert!(glob_match("", "", false));
        assert!(glob_match("**?", "x", false));
    }

    #[test]
    fn case() {
        assert!(glob_match("S3:GETOBJECT", "s3:GetObject", true));
        assert!(!glob_match("S3:GETOBJECT", "s3:GetObject", false));
        assert!(glob_match("É*", "été", true));
    }

    #[test]
    fn literal_star_token() {
        let pat = vec![GlobToken::Literal('a'), GlobToken::Literal('*')];
        assert!(matches_str(&pat, "a*", false));
        assert!(!matches_str(&pat, "ab", false));
        assert_eq!(to_text(&pat), "a*");
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let text = "a".repeat(20_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!glob_match(&pattern, &text, false));
    }
}
