//! Sorts AWS SDK errors into what the product does with them: a permission the caller lacks
//! becomes an `unknown` fact naming it; a missing object is a fact; expired or absent
//! credentials and an unreachable endpoint end the run with one clear message.

use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsFailure {
    Denied(String),
    NotFound(String),
    Credentials(String),
    Unreachable(String),
    Other(String),
}

pub fn classify<E, R>(err: &SdkError<E, R>) -> AwsFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let text = DisplayErrorContext(err).to_string();
    match err {
        SdkError::TimeoutError(_) => return AwsFailure::Unreachable(text),
        SdkError::DispatchFailure(d) => {
            if text.contains("credentials") || text.contains("Credentials") {
                return AwsFailure::Credentials(text);
            }
            let _ = d;
            return AwsFailure::Unreachable(text);
        }
        SdkError::ConstructionFailure(_) => {
            return if text.contains("credentials") || text.contains("region") {
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
        _ => AwsFailure::Other(text),
    }
}
