//! Label selectors as kubectl takes them (`-l`/`--selector`): `k=v`, `k==v`, `k!=v`, `k`, `!k`,
//! `k in (a,b)`, `k notin (a,b)`, and `k>N`/`k<N`, joined by commas (AND). Parsed and matched
//! the way Kubernetes does (`k8s.io/apimachinery/pkg/labels`, "Labels and Selectors" in the
//! Kubernetes documentation): `!=` and `notin` also match objects without the label; an empty
//! selector matches everything; keys are qualified names (`prefix/name`) and values label values
//! (at most 63 characters), validated so a typo is an error rather than a silent non-match.
//!
//! To add an operator, extend [`Operator`], [`Lexer::token`] and [`Requirement::matches`], and add
//! rows to the table in the tests.

use std::collections::BTreeMap;
use std::fmt;

use thiserror::Error;

/// A parsed selector: every requirement must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelector {
    text: String,
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// Why a selector does not parse; the message names the selector and what was expected, in
/// the words Kubernetes uses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid label selector `{selector}`: {reason}")]
pub struct SelectorError {
    pub selector: String,
    pub reason: String,
}

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let error = |reason: String| SelectorError {
            selector: text.to_string(),
            reason,
        };
        let tokens = Lexer::new(text).tokens().map_err(error)?;
        let requirements = Parser { tokens, at: 0 }.selector().map_err(error)?;
        Ok(LabelSelector {
            text: text.to_string(),
            requirements,
        })
    }

    /// Whether an object with these labels (`None`: no labels at all) is selected.
    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        self.requirements
            .iter()
            .all(|r| r.matches(labels.and_then(|l| l.get(&r.key)).map(String::as_str)))
    }

    /// The selector as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Requirement {
    fn matches(&self, value: Option<&str>) -> bool {
        let listed = |v: &str| self.values.iter().any(|w| w == v);
        match (self.operator, value) {
            (Operator::Equals | Operator::In, Some(v)) => listed(v),
            (Operator::Equals | Operator::In, None) => false,
            (Operator::NotEquals | Operator::NotIn, Some(v)) => !listed(v),
            (Operator::NotEquals | Operator::NotIn, None) => true,
            (Operator::Exists, v) => v.is_some(),
            (Operator::DoesNotExist, v) => v.is_none(),
            (Operator::GreaterThan | Operator::LessThan, None) => false,
            (op @ (Operator::GreaterThan | Operator::LessThan), Some(v)) => {
                // A label that is not an integer never compares (Kubernetes does the same).
                let (Ok(have), Some(Ok(want))) = (
                    v.parse::<i64>(),
                    self.values.first().map(|w| w.parse::<i64>()),
                ) else {
                    return false;
                };
                if op == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Identifier(String),
    /// `!`
    Not,
    /// `=` or `==`
    Equals,
    /// `!=`
    NotEquals,
    GreaterThan,
    LessThan,
    Comma,
    Open,
    Close,
    End,
}

impl Token {
    /// How an error message shows the token, as Kubernetes words it (`found ','`).
    fn shown(&self) -> String {
        match self {
            Token::Identifier(s) => s.clone(),
            Token::Not => "!".into(),
            Token::Equals => "=".into(),
            Token::NotEquals => "!=".into(),
            Token::GreaterThan => ">".into(),
            Token::LessThan => "<".into(),
            Token::Comma => ",".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::End => "end of string".into(),
        }
    }
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

/// Characters that end an identifier (Kubernetes' special symbols) besides whitespace.
fn special(c: char) -> bool {
    matches!(c, '!' | '=' | '(' | ')' | ',' | '>' | '<')
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            chars: text.chars().peekable(),
        }
    }

    fn tokens(mut self) -> Result<Vec<Token>, String> {
        let mut out = Vec::new();
        loop {
            let t = self.token()?;
            let end = t == Token::End;
            out.push(t);
            if end {
                return Ok(out);
            }
        }
    }

    fn token(&mut self) -> Result<Token, String> {
        while self.chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(c) = self.chars.next() else {
            return Ok(Token::End);
        };
        Ok(match c {
            '!' if self.chars.next_if_eq(&'=').is_some() => Token::NotEquals,
            '!' => Token::Not,
            '=' => {
                self.chars.next_if_eq(&'=');
                Token::Equals
            }
            '>' => Token::GreaterThan,
            '<' => Token::LessThan,
            ',' => Token::Comma,
            '(' => Token::Open,
            ')' => Token::Close,
            c => {
                let mut word = String::from(c);
                while let Some(c) = self.chars.next_if(|c| !c.is_whitespace() && !special(*c)) {
                    word.push(c);
                }
                Token::Identifier(word)
            }
        })
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.at).unwrap_or(&Token::End)
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        self.at += 1;
        t
    }

    fn selector(&mut self) -> Result<Vec<Requirement>, String> {
        let mut out = Vec::new();
        if *self.peek() == Token::End {
            return Ok(out);
        }
        loop {
            match self.peek() {
                Token::Identifier(_) | Token::Not => out.push(self.requirement()?),
                t => {
                    return Err(format!(
                        "found '{}', expected: !, identifier, or 'end of string'",
                        t.shown()
                    ));
                }
            }
            match self.next() {
                Token::End => return Ok(out),
                Token::Comma => match self.peek() {
                    Token::Identifier(_) | Token::Not => {}
                    t => {
                        return Err(format!(
                            "found '{}', expected: identifier after ','",
                            t.shown()
                        ));
                    }
                },
                t => {
                    return Err(format!(
                        "found '{}', expected: ',' or 'end of string'",
                        t.shown()
                    ));
                }
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let negated = *self.peek() == Token::Not;
        if negated {
            self.next();
        }
        let key = match self.next() {
            Token::Identifier(k) if !is_keyword(&k) => k,
            t => return Err(format!("found '{}', expected: identifier", t.shown())),
        };
        validate_key(&key)?;
        if negated || matches!(self.peek(), Token::End | Token::Comma) {
            let operator = if negated {
                Operator::DoesNotExist
            } else {
                Operator::Exists
            };
            return Ok(Requirement {
                key,
                operator,
                values: Vec::new(),
            });
        }
        let operator = match self.next() {
            Token::Equals => Operator::Equals,
            Token::NotEquals => Operator::NotEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::Identifier(w) if w == "in" => Operator::In,
            Token::Identifier(w) if w == "notin" => Operator::NotIn,
            t => {
                return Err(format!(
                    "found '{}', expected: =, ==, !=, in, notin, >, <",
                    t.shown()
                ));
            }
        };
        let values = match operator {
            Operator::In | Operator::NotIn => self.set()?,
            _ => vec![self.exact_value()?],
        };
        for v in &values {
            validate_value(v)?;
        }
        if matches!(operator, Operator::GreaterThan | Operator::LessThan)
            && values.first().is_none_or(|v| v.parse::<i64>().is_err())
        {
            return Err(format!(
                "for '>' and '<' the value must be an integer, found '{}'",
                values.first().map(String::as_str).unwrap_or_default()
            ));
        }
        Ok(Requirement {
            key,
            operator,
            values,
        })
    }

    /// The value after `=`, `!=`, `>`, `<`: empty when the requirement ends there (`k=`).
    fn exact_value(&mut self) -> Result<String, String> {
        match self.peek() {
            Token::End | Token::Comma => Ok(String::new()),
            Token::Identifier(_) => match self.next() {
                Token::Identifier(v) => Ok(v),
                _ => Err("found nothing, expected: identifier".into()),
            },
            t => Err(format!("found '{}', expected: identifier", t.shown())),
        }
    }

    /// `(a,b)`; as Kubernetes reads it, `()` and empty places between commas are the empty
    /// value.
    fn set(&mut self) -> Result<Vec<String>, String> {
        match self.next() {
            Token::Open => {}
            t => return Err(format!("found '{}', expected: '('", t.shown())),
        }
        let mut values: Vec<String> = Vec::new();
        let push = |values: &mut Vec<String>, v: String| {
            if !values.contains(&v) {
                values.push(v);
            }
        };
        let mut after_value = false;
        loop {
            match self.next() {
                Token::Identifier(v) if !after_value => {
                    push(&mut values, v);
                    after_value = true;
                }
                Token::Comma => {
                    if !after_value {
                        push(&mut values, String::new());
                    }
                    after_value = false;
                }
                Token::Close => {
                    if !after_value {
                        push(&mut values, String::new());
                    }
                    return Ok(values);
                }
                t if after_value => {
                    return Err(format!("found '{}', expected: ',' or ')'", t.shown()));
                }
                t => {
                    return Err(format!(
                        "found '{}', expected: ',', or identifier",
                        t.shown()
                    ));
                }
            }
        }
    }
}

fn is_keyword(word: &str) -> bool {
    word == "in" || word == "notin"
}

/// `[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?`, the name part of keys and non-empty values.
fn is_label_name(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    s.starts_with(alnum)
        && s.ends_with(alnum)
        && s.chars().all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

/// A DNS-1123 subdomain (the optional `prefix/` of a key).
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|part| {
            let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
            part.starts_with(lower)
                && part.ends_with(lower)
                && part.chars().all(|c| lower(c) || c == '-')
        })
}

/// Keys are qualified names: `[prefix/]name`, the name at most 63 characters.
fn validate_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && !is_dns_subdomain(p)
    {
        return Err(format!(
            "key `{key}`: the prefix before '/' must be a DNS subdomain (lowercase letters, digits, '-' and '.')"
        ));
    }
    if name.len() > 63 || !is_label_name(name) {
        return Err(format!(
            "key `{key}`: a label key is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (with an optional DNS prefix and '/')"
        ));
    }
    Ok(())
}

fn validate_value(value: &str) -> Result<(), String> {
    if value.is_empty() || (value.len() <= 63 && is_label_name(value)) {
        return Ok(());
    }
    Err(format!(
        "value `{value}`: a label value is empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// (selector, labels, selected?) as Kubernetes decides it.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], bool);

    #[test]
    fn selectors_match_as_kubernetes_does() {
        let web = [("app", "web"), ("tier", "front"), ("replicas", "3")];
        let bare: [(&str, &str); 0] = [];
        let cases: &[Case] = &[
            ("", &web, true),
            ("   ", &bare, true),
            ("app=web", &web, true),
            ("app==web", &web, true),
            ("app = web", &web, true),
            ("app=db", &web, false),
            ("app=web", &bare, false),
            ("app!=db", &web, true),
            ("app!=web", &web, false),
            // `!=` also selects objects without the label.
            ("app!=web", &bare, true),
            ("app", &web, true),
            ("app", &bare, false),
            ("!app", &web, false),
            ("!app", &bare, true),
            ("!missing", &web, true),
            ("app in (db,web)", &web, true),
            ("app in (db, web)", &web, true),
            ("app in (db)", &web, false),
            ("app in (db)", &bare, false),
            ("app notin (db)", &web, true),
            ("app notin (db,web)", &web, false),
            // `notin` also selects objects without the label.
            ("app notin (web)", &bare, true),
            ("app=web,tier=front", &web, true),
            ("app=web,tier=back", &web, false),
            ("app=web, tier in (front,back), !canary", &web, true),
            ("app=web,!tier", &web, false),
            // An empty value: the label is there and empty.
            ("app=", &[("app", "")], true),
            ("app=", &web, false),
            ("app==", &[("app", "")], true),
            ("app in ()", &[("app", "")], true),
            ("app in (,web)", &[("app", "")], true),
            ("replicas>2", &web, true),
            ("replicas>3", &web, false),
            ("replicas<4", &web, true),
            ("app>1", &web, false),
            ("replicas>1", &bare, false),
            ("example.com/team=a", &[("example.com/team", "a")], true),
            // Values may be `in`/`notin`; keys and values are case-sensitive.
            ("app in (in,notin)", &[("app", "notin")], true),
            ("app=Web", &web, false),
        ];
        for (text, pairs, want) in cases {
            let sel = LabelSelector::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let l = labels(pairs);
            assert_eq!(sel.matches(Some(&l)), *want, "{text} on {pairs:?}");
            if pairs.is_empty() {
                assert_eq!(sel.matches(None), *want, "{text} on no labels");
            }
        }
    }

    /// Malformed selectors: each is an error naming the selector and what was wrong.
    #[test]
    fn malformed_selectors_are_errors_that_say_what_was_expected() {
        let cases: &[(&str, &str)] = &[
            ("app=web=x", "found '=', expected: ',' or 'end of string'"),
            (",app", "found ',', expected: !, identifier"),
            (
                "app,",
                "found 'end of string', expected: identifier after ','",
            ),
            ("app,,b", "found ',', expected: identifier after ','"),
            ("=web", "found '=', expected: !, identifier"),
            ("app in web", "found 'web', expected: '('"),
            ("app in (web", "expected: ',' or ')'"),
            ("app in (a b)", "found 'b', expected: ',' or ')'"),
            ("app notin", "expected: '('"),
            ("!app=web", "found '=', expected: ',' or 'end of string'"),
            ("app web", "found 'web', expected: =, ==, !=, in, notin"),
            ("app=(web)", "found '(', expected: identifier"),
            ("in=x", "found 'in', expected: identifier"),
            ("-app=x", "key `-app`"),
            ("app=-x", "value `-x`"),
            ("App.Example/x=y", "key `App.Example/x`"),
            ("app=web$", "value `web$`"),
            ("replicas>three", "must be an integer"),
            ("a!b", "found '!', expected"),
        ];
        for (text, needle) in cases {
            match LabelSelector::parse(text) {
                Ok(s) => panic!("{text} parsed as {s:?}"),
                Err(e) => {
                    let message = e.to_string();
                    assert!(
                        message.starts_with(&format!("invalid label selector `{text}`: ")),
                        "{message}"
                    );
                    assert!(message.contains(needle), "{text}: {message}");
                }
            }
        }
        let long = format!("app={}", "v".repeat(64));
        assert!(LabelSelector::parse(&long).is_err());
        assert!(LabelSelector::parse(&format!("app={}", "v".repeat(63))).is_ok());
    }
}
