//! kube-rs errors in a user's words. Its own `Display` of an API error is
//! `ApiError: {message}: {reason} (Status { ... })`, a Rust debug structure, and a body that
//! is not a Kubernetes Status (a proxy's HTML page, say) reads
//! `ApiError: <html>...: Failed to parse error data (Status { ... })`. Here an answer is the
//! HTTP code and what the server said, a transport failure its causes on one line.

use super::aws_error::error_chain;

/// The reason kube-rs gives a response whose body is not a Kubernetes Status.
const UNPARSED: &str = "Failed to parse error data";
/// How much of an unparsed body to quote.
const QUOTE: usize = 200;

/// `403 Forbidden: pods is forbidden: ...`, or `502 Bad Gateway, not a Kubernetes answer:
/// <html>...`.
pub fn status_sentence(status: &kube::core::Status) -> String {
    let code = status.code;
    let phrase = match reason_phrase(code) {
        Some(r) => format!("{code} {r}"),
        None => format!("HTTP {code}"),
    };
    let message = one_line(&status.message);
    if status.reason == UNPARSED {
        if message.is_empty() {
            format!("the server answered {phrase} with an empty body")
        } else {
            format!("the server answered {phrase}, not a Kubernetes answer: {message}")
        }
    } else if message.is_empty() {
        format!("the server answered {phrase} ({})", status.reason)
    } else {
        format!("{phrase}: {message}")
    }
}

/// The reason phrases of the codes an API server or a proxy before it answers.
fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// The first line of `text`, at most [`QUOTE`] characters.
fn one_line(text: &str) -> String {
    let first = text.trim().lines().next().unwrap_or_default().trim();
    match first.char_indices().nth(QUOTE) {
        Some((cut, _)) => format!("{}…", &first[..cut]),
        None => first.to_string(),
    }
}

/// One sentence for any kube-rs error: the status an API server answered, or the transport's
/// causes without kube-rs's `ServiceError:`/`HyperError:` labels.
pub fn sentence(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status_sentence(status),
        kube::Error::Service(inner) => error_chain(inner.as_ref()),
        kube::Error::HyperError(inner) => error_chain(inner),
        kube::Error::Auth(inner) => error_chain(inner),
        kube::Error::SerdeError(inner) => format!("its answer could not be read: {inner}"),
        other => error_chain(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16, message: &str, reason: &str) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure(message, reason)
                .with_code(code)
                .boxed(),
        )
    }

    #[test]
    fn an_unparsed_answer_is_a_sentence_without_debug_output() {
        let raw = api(
            502,
            "<html><body>upstream connect error</body></html>\n<p>more</p>",
            UNPARSED,
        );
        assert!(raw.to_string().contains("Status {"), "kube-rs's own text");
        let said = sentence(&raw);
        assert_eq!(
            said,
            "the server answered 502 Bad Gateway, not a Kubernetes answer: <html><body>upstream connect error</body></html>"
        );
        assert!(!said.contains("Status") && !said.contains("ApiError"));
        assert_eq!(
            sentence(&api(503, "", UNPARSED)),
            "the server answered 503 Service Unavailable with an empty body"
        );
    }

    #[test]
    fn a_kubernetes_status_is_its_code_and_message() {
        let said = sentence(&api(
            403,
            "pods is forbidden: User \"u\" cannot list resource \"pods\"",
            "Forbidden",
        ));
        assert_eq!(
            said,
            "403 Forbidden: pods is forbidden: User \"u\" cannot list resource \"pods\""
        );
        assert_eq!(
            sentence(&api(410, "", "Expired")),
            "the server answered 410 Gone (Expired)"
        );
    }

    #[test]
    fn long_bodies_are_cut() {
        let said = sentence(&api(500, &"x".repeat(1000), UNPARSED));
        assert!(said.ends_with('…') && said.len() < 300, "{said}");
    }
}
