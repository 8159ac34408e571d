//! `kubectl irsa explain [CODE]`, like `rustc --explain`: one finding code's explanation
//! (what it means, how it is found, the errors people see, the fix by hand, AWS's pages), or
//! without a code every code with its one-line summary. The texts are data in
//! [`crate::model::explain`]; this file only lays them out for a terminal.
//!
//! Exit codes: 0 when something was printed; 2 for a code that does not exist (one sentence on
//! stderr, naming the codes it is close to).

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::diagnose::suggest;
use crate::model::explain::{self, Explanation, Kind};
use crate::model::report::exit;
use crate::terminal_text::line as shown;

/// Explain a finding code: what it means, how it is detected, the errors you see and how to
/// fix it by hand. Without a code, list every code.
#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// A finding code as `doctor` prints it, e.g. TRUST_SUB_MISMATCH (any case).
    pub code: Option<String>,
}

/// Prose is wrapped to this many columns: the text is read in terminals and pasted into issues.
const WIDTH: usize = 88;
/// Prose and quotes sit under their heading.
const INDENT: &str = "  ";

const BOLD: Style = Style::new().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREY: Style = AnsiColor::BrightBlack.on_default();

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

pub fn run(args: &ExplainArgs) -> i32 {
    let text = match &args.code {
        None => listing(),
        Some(code) => match explain::find(code) {
            Some(e) => render(e),
            None => {
                let _ = writeln!(anstream::stderr(), "error: {}", unknown(code));
                return exit::USAGE;
            }
        },
    };
    let mut out = anstream::stdout();
    match write!(out, "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(anstream::stderr(), "error: cannot write: {e}");
            exit::INCOMPLETE
        }
        _ => exit::OK,
    }
}

/// The one sentence for a code that does not exist, with the codes it is close to.
pub fn unknown(code: &str) -> String {
    let wanted = explain::normalize(code);
    let near = suggest::near(&wanted, explain::all().map(|e| e.code));
    let given = shown(code.trim());
    match near.as_slice() {
        [] => format!("`{given}` is not a finding code; `kubectl irsa explain` lists them all"),
        [one] => format!("`{given}` is not a finding code; did you mean {one}?"),
        [first @ .., last] => format!(
            "`{given}` is not a finding code; did you mean {} or {last}?",
            first.join(", ")
        ),
    }
}

/// Every code under the link that reports it, with its summary.
pub fn listing() -> String {
    let width = explain::all().map(|e| e.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut link = "";
    for e in explain::all() {
        if e.link != link {
            if !link.is_empty() {
                out.push('\n');
            }
            link = e.link;
            out.push_str(&paint(BOLD, link));
            out.push('\n');
        }
        out.push_str(&format!(
            "{INDENT}{}  {}\n",
            paint(CYAN, &format!("{:<width$}", e.code)),
            e.summary
        ));
    }
    out.push_str(&format!(
        "\n{}\n",
        paint(GREY, "`kubectl irsa explain CODE` explains one in full.")
    ));
    out
}

/// One explanation, laid out by [`explain::text`] and wrapped to [`WIDTH`].
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    for (kind, text) in explain::text(e) {
        match kind {
            Kind::Title => {
                out.push_str(&paint(BOLD, text));
                out.push_str(&paint(GREY, &format!(" · {} link", e.link)));
                out.push('\n');
            }
            Kind::Summary => {
                for l in wrap(text, WIDTH) {
                    out.push_str(&l);
                    out.push('\n');
                }
            }
            Kind::Heading => {
                out.push_str(&paint(BOLD, text));
                out.push('\n');
            }
            Kind::Text => {
                for l in wrap(text, WIDTH - INDENT.len()) {
                    out.push_str(&format!("{INDENT}{l}\n"));
                }
            }
            // Error texts are searched for and commands pasted: never broken.
            Kind::Quote => out.push_str(&format!("{INDENT}> {}\n", paint(YELLOW, text))),
            Kind::Literal => out.push_str(&format!("{INDENT}{}\n", paint(CYAN, text))),
            Kind::Link => out.push_str(&format!("{INDENT}{text}\n")),
            Kind::Blank => out.push('\n'),
        }
    }
    out
}

/// `text` in lines of at most `width` characters, broken between words (a word longer than
/// the line stands alone).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_wraps_between_words() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("a verylongword b", 4), ["a", "verylongword", "b"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn an_unknown_code_names_the_near_ones() {
        let m = unknown("oidc_provider_mising");
        assert!(m.contains("did you mean OIDC_PROVIDER_MISSING?"), "{m}");
        let m = unknown("trust_sub_mismatc");
        assert!(
            m.contains("did you mean TRUST_SUB_MISMATCH or TRUST_AUD_MISMATCH?"),
            "{m}"
        );
        let m = unknown("nothing-like-it-at-all");
        assert!(m.contains("`kubectl irsa explain` lists them all"), "{m}");
        assert!(!m.contains("did you mean"), "{m}");
    }

    #[test]
    fn the_listing_has_every_code_once() {
        // Without the colours' escape sequences.
        let mut text = String::new();
        let mut chars = listing().chars().collect::<Vec<_>>().into_iter();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                text.push(c);
            }
        }
        for e in explain::all() {
            let n = text
                .lines()
                .filter(|l| l.split_whitespace().next() == Some(e.code))
                .count();
            assert_eq!(n, 1, "{}", e.code);
        }
    }
}
