//! Policy variables (Version 2012-10-17 only): `${aws:username}`, `${aws:PrincipalTag/team}`,
//! with a default `${aws:PrincipalTag/team, 'none'}` (`''` inside a default is one quote), and
//! the escapes `${*}`, `${?}`, `${$}` for literal `*`, `?`, `$`. Under 2008-10-17, or absent
//! Version, `${...}` is plain text.
//!
//! Substitution produces wildcard tokens: `*`/`?` written in the policy stay wildcards, while
//! substituted values and escapes are literal characters. A key that is absent (or has several
//! values, which IAM does not substitute) and has no default leaves the value unresolved: the
//! caller then lets it match nothing. Substitution is one pass: a value containing `${` is not
//! expanded again.

use super::document::PolicyVersion;
use super::glob::{GlobToken, tokens};
use super::request::RequestContext;

/// A policy value after substitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substituted {
    pub tokens: Vec<GlobToken>,
    /// Variables that had no value and no default (as written, e.g. `${aws:username}`).
    pub unresolved: Vec<String>,
}

impl Substituted {
    pub fn is_resolved(&self) -> bool {
        self.unresolved.is_empty()
    }
}

/// Substitute the variables of `value` from `ctx` per the policy `version`.
pub fn substitute(value: &str, version: PolicyVersion, ctx: &RequestContext) -> Substituted {
    if !version.supports_variables() || !value.contains("${") {
        return Substituted {
            tokens: tokens(value),
            unresolved: Vec::new(),
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut unresolved = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$'
            && chars.get(i + 1) == Some(&'{')
            && let Some((var, end)) = parse_variable(&chars, i + 2)
        {
            match resolve(&var, ctx) {
                Some(text) => out.extend(text.chars().map(GlobToken::Literal)),
                None => unresolved.push(chars[i..end].iter().collect()),
            }
            i = end;
            continue;
        }
        out.push(match chars[i] {
            '*' => GlobToken::Star,
            '?' => GlobToken::Question,
            c => GlobToken::Literal(c),
        });
        i += 1;
    }
    Substituted {
        tokens: out,
        unresolved,
    }
}

/// A parsed `${...}`.
struct Variable {
    name: String,
    default: Option<String>,
}

/// Parse from just after `${`; returns the variable and the index after its `}`.
fn parse_variable(chars: &[char], start: usize) -> Option<(Variable, usize)> {
    let mut i = start;
    let mut name = String::new();
    while i < chars.len() && chars[i] != ',' && chars[i] != '}' {
        if chars[i] == '{' {
            return None;
        }
        name.push(chars[i]);
        i += 1;
    }
    let name = name.trim().to_string();
    if name.is_empty() || i >= chars.len() {
        return None;
    }
    if chars[i] == '}' {
        return Some((
            Variable {
                name,
                default: None,
            },
            i + 1,
        ));
    }
    // `, 'default'`
    i += 1;
    while chars.get(i) == Some(&' ') {
        i += 1;
    }
    if chars.get(i) != Some(&'\'') {
        return None;
    }
    i += 1;
    let mut default = String::new();
    loop {
        match chars.get(i)? {
            '\'' if chars.get(i + 1) == Some(&'\'') => {
                default.push('\'');
                i += 2;
            }
            '\'' => {
                i += 1;
                break;
            }
            c => {
                default.push(*c);
                i += 1;
            }
        }
    }
    while chars.get(i) == Some(&' ') {
        i += 1;
    }
    if chars.get(i) != Some(&'}') {
        return None;
    }
    Some((
        Variable {
            name,
            default: Some(default),
        },
        i + 1,
    ))
}

fn resolve(var: &Variable, ctx: &RequestContext) -> Option<String> {
    match var.name.as_str() {
        "*" => return Some("*".into()),
        "?" => return Some("?".into()),
        "$" => return Some("$".into()),
        _ => {}
    }
    match ctx.get(&var.name) {
        Some([single]) => Some(single.clone()),
        _ => var.default.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::glob::to_text;

    fn ctx() -> RequestContext {
        RequestContext::new()
            .with("aws:username", "alice")
            .with("aws:PrincipalTag/team", "blue")
            .with_values("aws:TagKeys", vec!["a".into(), "b".into()])
    }

    fn sub(v: &str) -> Substituted {
        substitute(v, PolicyVersion::V2012_10_17, &ctx())
    }

    #[test]
    fn substitutes_case_insensitive_keys() {
        let s = sub("home/${aws:USERNAME}/*");
        assert!(s.is_resolved());
        assert_eq!(to_text(&s.tokens), "home/alice/*");
        assert_eq!(s.tokens.last(), Some(&GlobToken::Star));
        assert_eq!(to_text(&sub("${ aws:principaltag/team }").tokens), "blue");
    }

    #[test]
    fn defaults_and_escapes() {
        assert_eq!(
            to_text(&sub("${aws:PrincipalTag/cost, 'none'}").tokens),
            "none"
        );
        assert_eq!(to_text(&sub("${x:y, 'it''s'}").tokens), "it's");
        let s = sub("a${*}b${?}c${$}");
        assert_eq!(
            s.tokens,
            vec![
                GlobToken::Literal('a'),
                GlobToken::Literal('*'),
                GlobToken::Literal('b'),
                GlobToken::Literal('?'),
                GlobToken::Literal('c'),
                GlobToken::Literal('$'),
            ]
        );
    }

    #[test]
    fn unresolved_and_multivalued() {
        let s = sub("x/${aws:userid}");
        assert_eq!(s.unresolved, vec!["${aws:userid}".to_string()]);
        assert!(!sub("${aws:TagKeys}").is_resolved());
    }

    #[test]
    fn values_are_literal_and_not_expanded_again() {
        let c = RequestContext::new().with("aws:username", "a*${aws:username}");
        let s = substitute("${aws:username}", PolicyVersion::V2012_10_17, &c);
        assert!(s.tokens.iter().all(|t| matches!(t, GlobToken::Literal(_))));
        assert_eq!(to_text(&s.tokens), "a*${aws:username}");
    }

    #[test]
    fn version_2008_is_literal_text() {
        let s = substitute("${aws:username}", PolicyVersion::V2008_10_17, &ctx());
        assert_eq!(to_text(&s.tokens), "${aws:username}");
        assert!(s.is_resolved());
    }

    #[test]
    fn malformed_variables_are_text() {
        assert_eq!(to_text(&sub("${").tokens), "${");
        assert_eq!(to_text(&sub("${}").tokens), "${}");
        assert_eq!(to_text(&sub("${a:b, 'x'").tokens), "${a:b, 'x'");
        assert_eq!(to_text(&sub("$x").tokens), "$x");
    }
}
