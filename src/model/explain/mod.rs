//! `kubectl irsa explain CODE`: for every finding code of [`crate::model::codes`], what it
//! means, how it is detected, the error texts people see, how to fix it by hand and where AWS
//! documents it. Pure data and one pure layout ([`text`]) that the CLI and the TUI both draw.
//!
//! One file per part of the chain, in chain order (the order [`all`] lists them in). To add a
//! code: add its const to `codes.rs`, then an [`Explanation`] for it in the file of the link that
//! reports it; the test below fails for a code without one (it reads `codes.rs` itself). A new
//! documentation page goes in [`docs`] first. Write for the person whose pod fails: exact error
//! texts in `symptoms`, commands they can paste in `fix` (lines starting with `$ `).

pub mod docs;

mod agent;
mod annotation;
mod association;
mod credentials;
mod injection;
mod permissions;
mod pod;
mod prove;
mod role_oidc;
mod trust_irsa;
mod trust_more;

/// What one finding code means, for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    pub code: &'static str,
    /// The link that reports it, as `doctor` names it (`prove` for `doctor --prove`).
    pub link: &'static str,
    /// One line, lower case, no final full stop.
    pub summary: &'static str,
    pub meaning: &'static str,
    /// How kubectl irsa finds it: from which facts, with which rule.
    pub detection: &'static str,
    /// What people see: AWS, SDK and kubectl error texts, verbatim where they exist.
    pub symptoms: &'static [&'static str],
    /// Paragraphs; a line starting with `$ ` is a command, one starting with `{` or `"` a piece
    /// of policy: both are shown as they are, never rewrapped.
    pub fix: &'static [&'static str],
    /// docs.aws.amazon.com pages, from [`docs`].
    pub docs: &'static [&'static str],
}

/// Every explanation, in chain order.
pub fn all() -> impl Iterator<Item = &'static Explanation> {
    [
        pod::ALL,
        annotation::ALL,
        association::ALL,
        injection::ALL,
        credentials::ALL,
        role_oidc::ALL,
        agent::ALL,
        trust_irsa::ALL,
        trust_more::ALL,
        permissions::ALL,
        prove::ALL,
    ]
    .into_iter()
    .flatten()
}

/// The explanation of `code`, matched without regard to case (and `-` for `_`, as people type
/// codes from memory).
pub fn find(code: &str) -> Option<&'static Explanation> {
    let wanted = normalize(code);
    all().find(|e| e.code == wanted)
}

/// `code` as codes are written: trimmed, upper case, `_` for `-` and spaces.
pub fn normalize(code: &str) -> String {
    code.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// How a line of an explanation is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `CODE · link`, first line.
    Title,
    /// The one-line summary under the title.
    Summary,
    /// A section heading.
    Heading,
    /// Prose: wrap it to the width, indented.
    Text,
    /// A quoted error text: wrap it, but keep it apart from prose.
    Quote,
    /// A command or a policy fragment: shown as it is.
    Literal,
    /// A documentation address.
    Link,
    Blank,
}

/// The explanation laid out as lines, the same for the CLI and the TUI; each front end wraps
/// and styles by [`Kind`].
pub fn text(e: &Explanation) -> Vec<(Kind, &'static str)> {
    let mut out = vec![(Kind::Title, e.code), (Kind::Summary, e.summary)];
    let section = |out: &mut Vec<(Kind, &'static str)>, heading: &'static str| {
        out.push((Kind::Blank, ""));
        out.push((Kind::Heading, heading));
    };
    section(&mut out, "What it means");
    out.push((Kind::Text, e.meaning));
    section(&mut out, "How kubectl irsa finds it");
    out.push((Kind::Text, e.detection));
    if !e.symptoms.is_empty() {
        section(&mut out, "What you see");
        out.extend(e.symptoms.iter().map(|s| (Kind::Quote, *s)));
    }
    section(&mut out, "How to fix it by hand");
    for line in e.fix {
        let literal = line.starts_with("$ ") || line.starts_with('{') || line.starts_with('"');
        out.push((if literal { Kind::Literal } else { Kind::Text }, *line));
    }
    if !e.docs.is_empty() {
        section(&mut out, "AWS documentation");
        out.extend(e.docs.iter().map(|d| (Kind::Link, *d)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `pub const NAME: &str = "VALUE";` of codes.rs, read from the source itself so a
    /// code added there without an explanation fails here.
    fn declared_codes() -> Vec<String> {
        include_str!("../codes.rs")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub const "))
            .filter_map(|l| l.split_once("= \"").map(|(_, rest)| rest))
            .filter_map(|rest| rest.split_once('"').map(|(v, _)| v.to_string()))
            .collect()
    }

    #[test]
    fn every_code_has_exactly_one_explanation() {
        let declared = declared_codes();
        assert!(declared.len() >= 98, "codes.rs read: {}", declared.len());
        for code in &declared {
            let n = all().filter(|e| e.code == code).count();
            assert_eq!(
                n, 1,
                "{code} has {n} explanations (add one in src/model/explain)"
            );
        }
        let declared: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
        for e in all() {
            assert!(
                declared.contains(e.code),
                "{} is no code of codes.rs",
                e.code
            );
        }
    }

    #[test]
    fn explanations_are_complete_and_cite_aws_documentation() {
        for e in all() {
            for (what, s) in [
                ("summary", e.summary),
                ("meaning", e.meaning),
                ("detection", e.detection),
            ] {
                assert!(!s.trim().is_empty(), "{}: empty {what}", e.code);
            }
            assert!(
                !e.summary.ends_with('.'),
                "{}: summary ends with '.'",
                e.code
            );
            assert!(!e.summary.contains('\n'), "{}: summary is one line", e.code);
            assert!(!e.fix.is_empty(), "{}: no fix", e.code);
            assert!(!e.docs.is_empty(), "{}: no documentation", e.code);
            for d in e.docs {
                assert!(
                    d.starts_with("https://docs.aws.amazon.com/"),
                    "{}: {d}",
                    e.code
                );
            }
            for s in e.symptoms.iter().chain(e.fix) {
                let lower = s.to_ascii_lowercase();
                assert!(!lower.contains("field guide"), "{}: {s}", e.code);
            }
            for s in [e.meaning, e.detection] {
                assert!(
                    !s.to_ascii_lowercase().contains("field guide"),
                    "{}",
                    e.code
                );
            }
        }
    }

    #[test]
    fn codes_are_found_whatever_their_case() {
        assert_eq!(
            find("trust_sub_mismatch").map(|e| e.code),
            Some("TRUST_SUB_MISMATCH")
        );
        assert_eq!(
            find(" Trust-Sub-Mismatch ").map(|e| e.code),
            Some("TRUST_SUB_MISMATCH")
        );
        assert!(find("TRUST_SUB").is_none());
        assert!(find("").is_none());
    }

    #[test]
    fn the_text_has_every_section_and_keeps_commands_whole() {
        let e = find("OIDC_PROVIDER_MISSING").unwrap();
        let lines = text(e);
        assert_eq!(lines[0], (Kind::Title, "OIDC_PROVIDER_MISSING"));
        let headings: Vec<&str> = lines
            .iter()
            .filter(|(k, _)| *k == Kind::Heading)
            .map(|(_, t)| *t)
            .collect();
        assert_eq!(
            headings,
            [
                "What it means",
                "How kubectl irsa finds it",
                "What you see",
                "How to fix it by hand",
                "AWS documentation"
            ]
        );
        assert!(lines.iter().any(|(k, t)| *k == Kind::Quote
            && t.contains("No OpenIDConnect provider found in your account")));
        assert!(lines.iter().any(|(k, t)| *k == Kind::Literal
            && t.starts_with("$ aws iam create-open-id-connect-provider")));
    }
}
