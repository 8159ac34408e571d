//! A live gather whose AWS credentials are refused (missing, invalid or expired) still gives a
//! report: which services refused, why in AWS's words and how to log in, and the facts they
//! hold marked unread instead of ending the run (issue 15).

use super::LiveError;
use crate::model::{Fact, Missing};

/// AWS services that refused the caller's credentials, and why in AWS's words.
pub(super) struct Refused {
    /// `STS`, `EKS and IAM`, ...
    pub(super) services: String,
    pub(super) why: Missing,
}

/// Which services refused the credentials (missing, invalid or expired), when the first AWS
/// failure of the run (in [`super::gather_observed`]'s fixed order) is such a refusal; any other
/// failure still ends the run.
pub(super) fn refused_credentials<const N: usize>(
    failures: [(&'static str, Option<&LiveError>); N],
) -> Option<Refused> {
    let (_, first) = failures.iter().find(|(_, f)| f.is_some())?;
    let LiveError::AwsCredentials(message) = (*first)? else {
        return None;
    };
    let mut services: Vec<&str> = Vec::new();
    for (service, failure) in failures {
        if matches!(failure, Some(LiveError::AwsCredentials(_))) && !services.contains(&service) {
            services.push(service);
        }
    }
    Some(Refused {
        services: services.join(" and "),
        why: Missing::Unreachable {
            message: format!(
                "AWS credentials are missing, invalid or expired ({message}); log in (e.g. `aws sso login` or `aws configure`) or pass --profile, then run again"
            ),
        },
    })
}

/// What was read, or `unread` where the credentials were refused; any other failure still
/// ends the run.
pub(super) fn or_unread<T>(
    read: Result<Fact<T>, LiveError>,
    unread: &Missing,
) -> Result<Fact<T>, LiveError> {
    match read {
        Err(LiveError::AwsCredentials(_)) => Ok(Fact::Missing(unread.clone())),
        other => other,
    }
}
