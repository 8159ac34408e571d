//! Sorts AWS SDK errors into what the product does with them: a permission the caller lacks
//! becomes an `unknown` fact naming it; a missing object is a fact; expired or absent
//! credentials, an unreachable endpoint and one that did not answer within `--request-timeout`
//! end the run with one clear message: one line, each cause once, never the SDK's Debug dump.

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsFailure {
    Denied(String),
    NotFound(String),
    Credentials(String),
    Unreachable(String),
    /// No answer within the request timeout (each attempt, and the retries after it).
    NoAnswer(String),
    Other(String),
}

impl AwsFailure {
    /// What the service (or the SDK) said, as a sentence.
    pub fn message(&self) -> &str {
        match self {
            AwsFailure::Denied(m)
            | AwsFailure::NotFound(m)
            | AwsFailure::Credentials(m)
            | AwsFailure::Unreachable(m)
            | AwsFailure::NoAnswer(m)
            | AwsFailure::Other(m) => m,
        }
    }
}

/// An error and its causes on one line (`a: b: c`): the first line of each, each once. What a
/// user reads when a run cannot finish; the SDK's `DisplayErrorContext` adds a Debug dump, and
/// the SDK's error metadata displays as one (`Error { code: "X", message: "Y" }`): that cause
/// is left out (a service's code and message are said by [`sentence`]).
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default().trim();
        let debug_struct = e
            .downcast_ref::<aws_sdk_iam::error::ErrorMetadata>()
            .is_some();
        if !first.is_empty() && !debug_struct && !parts.iter().any(|p| p.contains(first)) {
            parts.push(first.to_string());
        }
        next = e.source();
    }
    parts.join(": ")
}

/// What a service answered (`InternalFailure: We encountered an internal error`), or the
/// error's causes when it gave no code.
pub fn sentence<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match (err.code(), err.message()) {
        (Some(code), Some(message)) if !message.is_empty() => format!("{code}: {message}"),
        (Some(code), _) => format!("the service answered {code}"),
        _ => error_chain(err),
    }
}

/// What the default credential chain says when it found nothing, in a user's words.
const NO_CREDENTIALS: &str = "no AWS credentials were found (environment, AWS_PROFILE or \
     --profile, SSO, web identity, container or instance metadata)";

pub fn classify<E, R>(err: &SdkError<E, R>) -> AwsFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let text = error_chain(err);
    let about_credentials = text.contains("credential") || text.contains("Credential");
    match err {
        SdkError::TimeoutError(_) => return AwsFailure::NoAnswer(text),
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) if about_credentials => {
            return AwsFailure::Credentials(if text.contains("no credentials found") {
                NO_CREDENTIALS.to_string()
            } else {
                text
            });
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => return AwsFailure::NoAnswer(text),
        SdkError::DispatchFailure(_) => return AwsFailure::Unreachable(text),
        SdkError::ConstructionFailure(_) => {
            return if text.contains("region") {
                AwsFailure::Credentials(text)
            } else {
                AwsFailure::Other(text)
            };
        }
        _ => {}
    }
    let message = err.message().unwrap_or_default().to_string();
    match err.code().unwrap_or_default() {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "UnauthorizedException" => AwsFailure::Denied(message),
        "NoSuchEntity" | "ResourceNotFoundException" | "NotFoundException" => {
            AwsFailure::NotFound(message)
        }
        "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "SignatureDoesNotMatch"
        | "InvalidAccessKeyId"
        | "RequestExpired" => {
            AwsFailure::Credentials(if message.is_empty() { text } else { message })
        }
        _ => AwsFailure::Other(sentence(err)),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_iam::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_iam::operation::get_role::GetRoleError;

    use super::*;

    fn service(code: &str, message: &str) -> SdkError<GetRoleError, String> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(GetRoleError::generic(meta), "raw response".to_string())
    }

    #[test]
    fn an_unmodelled_answer_is_its_code_and_message_not_a_debug_structure() {
        let err = service("InternalFailure", "We encountered an internal error");
        let chain = error_chain(&err);
        assert!(!chain.contains("Error {"), "{chain}");
        assert_eq!(
            classify(&err),
            AwsFailure::Other("InternalFailure: We encountered an internal error".into())
        );
        assert_eq!(
            classify(&service("AccessDenied", "not authorized")),
            AwsFailure::Denied("not authorized".into())
        );
    }

    #[test]
    fn timeouts_are_no_answer() {
        let attempt: SdkError<GetRoleError, String> = SdkError::timeout_error("attempt timeout");
        assert!(matches!(classify(&attempt), AwsFailure::NoAnswer(_)));
        let connect: SdkError<GetRoleError, String> =
            SdkError::dispatch_failure(ConnectorError::timeout("connect timeout".into()));
        assert!(matches!(classify(&connect), AwsFailure::NoAnswer(_)));
        let refused: SdkError<GetRoleError, String> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        assert!(matches!(classify(&refused), AwsFailure::Unreachable(_)));
    }
}
