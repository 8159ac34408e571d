//! AWS CLI error text saved in place of an output (`aws ... > file 2>&1`):
//! `An error occurred (CODE) when calling the OPERATION operation: MESSAGE`.
//!
//! Some errors are facts: DescribeAddon's `ResourceNotFoundException` for
//! `eks-pod-identity-agent` means the add-on is not installed, and an access-denied answer to
//! DescribeCluster, ListPodIdentityAssociations, DescribeAddon or ListAddons is that fact's
//! `Missing::Denied`. Other errors are reported as notes.
//!
//! To give another operation's error a meaning, add an arm to `AwsAcc::add_cli_error`.

use crate::model::Missing;

/// Files longer than this are not searched for an error line.
const MAX_ERROR_FILE: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub code: String,
    pub operation: String,
    pub message: String,
}

impl CliError {
    /// The fact's reason: access denied names the permission to grant.
    pub fn missing(&self, service: &str) -> Missing {
        if self.code.starts_with("AccessDenied") || self.code == "UnauthorizedOperation" {
            Missing::Denied {
                permission: format!("{service}:{}", self.operation),
                message: self.message.clone(),
            }
        } else {
            Missing::Unreachable {
                message: format!("{} ({}): {}", self.operation, self.code, self.message),
            }
        }
    }
}

/// The error the text holds, if its first non-empty line is an AWS CLI error.
pub fn parse(text: &str) -> Option<CliError> {
    if text.len() > MAX_ERROR_FILE {
        return None;
    }
    let line = text.lines().map(str::trim).find(|line| !line.is_empty())?;
    let rest = line.strip_prefix("An error occurred (")?;
    let (code, rest) = rest.split_once(") when calling the ")?;
    let (operation, rest) = rest.split_once(" operation")?;
    // `operation (reached max retries: 4): message` or `operation: message`.
    let message = match rest.find("): ").filter(|_| rest.starts_with(" (")) {
        Some(i) => &rest[i + 3..],
        None => rest.strip_prefix(':').unwrap_or(rest),
    };
    Some(CliError {
        code: code.to_string(),
        operation: operation.to_string(),
        message: message.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addon_not_found() {
        let text = "\nAn error occurred (ResourceNotFoundException) when calling the DescribeAddon operation: No addon: eks-pod-identity-agent found in cluster: shop-prod\n";
        let err = parse(text).unwrap();
        assert_eq!(err.code, "ResourceNotFoundException");
        assert_eq!(err.operation, "DescribeAddon");
        assert_eq!(
            err.message,
            "No addon: eks-pod-identity-agent found in cluster: shop-prod"
        );
    }

    #[test]
    fn retries_and_denied() {
        let text = "An error occurred (AccessDeniedException) when calling the DescribeCluster operation (reached max retries: 2): User x is not authorized";
        let err = parse(text).unwrap();
        assert_eq!(err.message, "User x is not authorized");
        assert_eq!(
            err.missing("eks"),
            Missing::Denied {
                permission: "eks:DescribeCluster".into(),
                message: "User x is not authorized".into()
            }
        );
    }

    #[test]
    fn other_text() {
        assert_eq!(parse("kind: Pod"), None);
    }
}
