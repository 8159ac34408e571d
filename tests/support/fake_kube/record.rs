//! The request log: every request the fake answered, in arrival order.

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The raw query string, empty when there was none.
    pub query: String,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    /// The body as text (lossy for non-UTF-8 bytes).
    pub body: String,
    /// The HTTP status code answered; 0 while the request is in flight.
    pub status: u16,
}

impl Recorded {
    /// Path and query, as in the request line: `/api/v1/pods?limit=2`.
    pub fn uri(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    /// `METHOD path?query`, handy in assertions and failure messages.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.uri())
    }

    /// A TokenRequest: `POST .../serviceaccounts/NAME/token`.
    pub fn is_token_request(&self) -> bool {
        self.method == "POST" && {
            let parts: Vec<&str> = self.path.trim_end_matches('/').split('/').collect();
            parts.len() >= 3
                && parts[parts.len() - 1] == "token"
                && parts[parts.len() - 3] == "serviceaccounts"
        }
    }

    /// Any request that may change state, other than a TokenRequest.
    pub fn is_write(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
            && !self.is_token_request()
    }
}
