//! Text shaping for panes that scroll: word wrapping to a known width, so the update function
//! can count the lines a pane will have (and clamp scrolling) without drawing it; and the lines
//! of untrusted multi-line text (policy documents, error texts) escaped for the screen.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::terminal_text::document;

/// Cells a tab stands for in a document (ratatui draws no tab; it drops control characters).
const TAB: &str = "    ";

/// The lines of untrusted multi-line `text` as they are shown: every control character escaped
/// by [`terminal_text`](crate::terminal_text) but the line breaks, which split the lines, and
/// tabs, which become spaces.
pub fn document_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| document(l).replace('\t', TAB))
        .collect()
}

/// Display width of `s` in cells, counting every char as one (the texts here are ASCII plus
/// single-width symbols).
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Word-wraps `text` to `columns` cells: the first line starts with `first`, the others with
/// `rest` (both already styled). Words longer than a line are broken.
pub fn wrap(
    text: &str,
    columns: u16,
    first: Vec<Span<'static>>,
    rest: Vec<Span<'static>>,
    style: Style,
) -> Vec<Line<'static>> {
    let indent = |spans: &[Span<'static>]| spans.iter().map(|s| width(&s.content)).sum::<usize>();
    let mut out = Vec::new();
    let mut prefix = first;
    let mut room = (columns as usize).saturating_sub(indent(&prefix)).max(8);
    let mut current = String::new();
    let flush =
        |current: &mut String, prefix: &mut Vec<Span<'static>>, out: &mut Vec<Line<'static>>| {
            let mut spans = std::mem::replace(prefix, rest.clone());
            spans.push(Span::styled(std::mem::take(current), style));
            out.push(Line::from(spans));
        };
    for word in text.split(' ') {
        let mut word = word.to_string();
        loop {
            let need = width(&word) + usize::from(!current.is_empty());
            if width(&current) + need <= room {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(&word);
                break;
            }
            if current.is_empty() {
                // A word longer than the line: break it.
                let head: String = word.chars().take(room).collect();
                word = word.chars().skip(room).collect();
                current = head;
            }
            flush(&mut current, &mut prefix, &mut out);
            room = (columns as usize).saturating_sub(indent(&prefix)).max(8);
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() || out.is_empty() {
        flush(&mut current, &mut prefix, &mut out);
    }
    out
}

/// `text` cut to `max` cells, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if width(text) <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `text` in `max` cells with its middle cut out: Kubernetes names differ at the end as
/// often as at the start (`app-api`, `app-worker`, generated suffixes), so both ends stay.
pub fn clip_middle(text: &str, max: usize) -> String {
    let len = width(text);
    if len <= max {
        return text.to_string();
    }
    if max <= 1 {
        return "…".chars().take(max).collect();
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let mut s: String = text.chars().take(head).collect();
    s.push('…');
    s.extend(text.chars().skip(len - tail));
    s
}

/// The spans that fit in `max` cells; the span that crosses the edge is cut with `…` so a
/// reader sees that the line goes on.
pub fn fit(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut used = 0;
    for span in spans {
        let w = width(&span.content);
        if used + w <= max {
            used += w;
            out.push(span);
            continue;
        }
        let room = max - used;
        if room > 0 {
            out.push(Span::styled(clip(&span.content, room), span.style));
        }
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_middle_keeps_both_ends() {
        assert_eq!(clip_middle("enbuild-enbuild-ai", 20), "enbuild-enbuild-ai");
        assert_eq!(clip_middle("enbuild-enbuild-ai", 11), "enbui…ld-ai");
        assert_eq!(clip_middle("enbuild-enbuild-ctf", 11), "enbui…d-ctf");
        assert_eq!(clip_middle("abc", 2), "a…");
        assert_eq!(clip_middle("abc", 1), "…");
        assert_eq!(clip_middle("abc", 0), "");
    }

    #[test]
    fn fit_cuts_the_span_at_the_edge_with_an_ellipsis() {
        let spans = vec![Span::raw("abc"), Span::raw(" defgh"), Span::raw(" ij")];
        let text =
            |v: Vec<Span<'static>>| v.iter().map(|s| s.content.to_string()).collect::<String>();
        assert_eq!(text(fit(spans.clone(), 20)), "abc defgh ij");
        assert_eq!(text(fit(spans.clone(), 6)), "abc d…");
        assert_eq!(text(fit(spans.clone(), 3)), "abc");
        assert_eq!(text(fit(spans, 0)), "");
    }

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wraps_on_words_and_indents_continuations() {
        let lines = wrap(
            "the role's trust policy names another issuer",
            20,
            vec![Span::raw("- ")],
            vec![Span::raw("  ")],
            Style::new(),
        );
        assert_eq!(
            plain(&lines),
            ["- the role's trust", "  policy names", "  another issuer"]
        );
    }

    #[test]
    fn breaks_words_longer_than_the_line() {
        let lines = wrap(
            "arn:aws:iam::123456789012:role/x",
            12,
            vec![],
            vec![],
            Style::new(),
        );
        assert!(lines.iter().all(|l| l.width() <= 12), "{:?}", plain(&lines));
        assert_eq!(plain(&lines).concat(), "arn:aws:iam::123456789012:role/x");
    }

    #[test]
    fn document_lines_escape_all_but_the_layout() {
        assert_eq!(
            document_lines("{\r\n\t\"Sid\": \"A\x1b[2J\"\r\n}\n\u{202e}x\ry"),
            ["{", "    \"Sid\": \"A\\e[2J\"", "}", "\\u{202e}x\\ry"]
        );
        assert!(document_lines("").is_empty());
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(plain(&wrap("", 10, vec![], vec![], Style::new())), [""]);
    }
}
