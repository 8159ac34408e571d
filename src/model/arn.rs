//! Amazon Resource Names as the chain uses them: role ARNs (with paths), OIDC provider ARNs,
//! EKS cluster ARNs, and the partition of a region.
//!
//! Parsing returns a reason a user can act on (field guide C17: `Request ARN is invalid`), so
//! callers can put it straight into a finding.

use std::fmt;

/// A generic ARN split into its six components; `resource` keeps any further `:` and `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

impl Arn {
    pub fn parse(text: &str) -> Option<Arn> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?.to_string();
        let service = parts.next()?.to_string();
        let region = parts.next()?.to_string();
        let account = parts.next()?.to_string();
        let resource = parts.next()?.to_string();
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// The partitions IAM knows.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The partition a region belongs to.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn {
    pub partition: String,
    pub account: String,
    /// `/` or `/a/b/`, as IAM reports `Path`.
    pub path: String,
    pub name: String,
}

impl RoleArn {
    /// Parses a role ARN the way STS accepts it; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<RoleArn, String> {
        if text.is_empty() {
            return Err("the value is empty".into());
        }
        if text.trim() != text {
            return Err("the value has leading or trailing whitespace".into());
        }
        if text.starts_with('"') || text.starts_with('\'') {
            return Err("the value is quoted; remove the quotes".into());
        }
        if !text.starts_with("arn:") {
            return Err("it does not start with `arn:`".into());
        }
        let arn = Arn::parse(text).ok_or_else(|| {
            "it does not have the six `:`-separated parts of an ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)".to_string()
        })?;
        if !PARTITIONS.contains(&arn.partition.as_str()) {
            return Err(format!(
                "`{}` is not an AWS partition (aws, aws-cn, aws-us-gov, ...)",
                arn.partition
            ));
        }
        if arn.service != "iam" {
            return Err(format!("the service is `{}`, not `iam`", arn.service));
        }
        if !arn.region.is_empty() {
            return Err(format!(
                "IAM ARNs have an empty region, found `{}`",
                arn.region
            ));
        }
        if !is_account_id(&arn.account) {
            return Err(format!(
                "the account `{}` is not a 12-digit AWS account ID",
                arn.account
            ));
        }
        let rest = arn
            .resource
            .strip_prefix("role/")
            .ok_or_else(|| format!("the resource `{}` is not `role/NAME`", arn.resource))?;
        let (path, name) = match rest.rfind('/') {
            Some(i) => (format!("/{}/", &rest[..i]), &rest[i + 1..]),
            None => ("/".to_string(), rest),
        };
        if name.is_empty() {
            return Err("the role name is empty".into());
        }
        if name.len() > 64 {
            return Err(format!(
                "the role name is {} characters; IAM allows 64",
                name.len()
            ));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c)))
        {
            return Err(format!(
                "the role name contains `{c}`, which IAM does not allow (letters, digits and +=,.@_-)"
            ));
        }
        if path.contains("//") {
            return Err("the role path has an empty segment (`//`)".into());
        }
        Ok(RoleArn {
            partition: arn.partition,
            account: arn.account,
            path,
            name: name.to_string(),
        })
    }

    pub fn has_path(&self) -> bool {
        self.path != "/"
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:iam::{}:role{}{}",
            self.partition, self.account, self.path, self.name
        )
    }
}

/// `arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST/PATH`.
pub fn oidc_provider_arn(partition: &str, account: &str, issuer_host_path: &str) -> String {
    format!("arn:{partition}:iam::{account}:oidc-provider/{issuer_host_path}")
}

/// The provider's host and path (`oidc.eks.REGION.amazonaws.com/id/ID`) from an ARN, if it is an
/// OIDC provider ARN.
pub fn oidc_provider_url(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":oidc-provider/")?;
    Some(rest)
}

/// The account of an OIDC provider ARN.
pub fn oidc_provider_account(arn: &str) -> Option<String> {
    let parsed = Arn::parse(arn)?;
    parsed
        .resource
        .starts_with("oidc-provider/")
        .then_some(parsed.account)
}

/// An issuer URL without its scheme and trailing slash: the form IAM uses in provider ARNs and
/// condition keys.
pub fn issuer_host_path(issuer: &str) -> &str {
    let s = issuer.strip_prefix("https://").unwrap_or(issuer);
    s.trim_end_matches('/')
}

/// The region of an EKS issuer `oidc.eks.REGION.amazonaws.com[.cn]/id/ID`.
pub fn issuer_region(host_path: &str) -> Option<&str> {
    let host = host_path.split('/').next()?;
    let rest = host.strip_prefix("oidc.eks.")?;
    rest.split('.').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arn_with_and_without_path() {
        let plain = RoleArn::parse("arn:aws:iam::123456789012:role/app").unwrap();
        assert_eq!(plain.path, "/");
        assert_eq!(plain.name, "app");
        let with_path = RoleArn::parse("arn:aws:iam::123456789012:role/teams/data/app").unwrap();
        assert_eq!(with_path.path, "/teams/data/");
        assert_eq!(with_path.name, "app");
        assert_eq!(
            with_path.to_string(),
            "arn:aws:iam::123456789012:role/teams/data/app"
        );
    }

    #[test]
    fn role_arn_errors_name_the_problem() {
        let cases = [
            ("arn:aws:iam::::1234567890:role/example", "12-digit"),
            ("arn:aws:iam::12345678901:role/x", "12-digit"),
            ("arn:aws:iam::123456789012:user/x", "role/NAME"),
            ("arn:aws:s3::123456789012:role/x", "not `iam`"),
            (" arn:aws:iam::123456789012:role/x", "whitespace"),
            ("\"arn:aws:iam::123456789012:role/x\"", "quoted"),
            ("arn:aws:iam::123456789012:role/", "empty"),
            ("arn:aws:iam::123456789012:role/a b", "does not allow"),
            ("arn:awz:iam::123456789012:role/x", "partition"),
            ("123456789012:role/x", "arn:"),
            ("arn:aws:iam", "six"),
        ];
        for (text, needle) in cases {
            let err = RoleArn::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn partitions_and_issuers() {
        assert_eq!(partition_of_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_of_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of_region("eu-west-1"), "aws");
        let hp = issuer_host_path("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/");
        assert_eq!(hp, "oidc.eks.eu-west-1.amazonaws.com/id/ABC");
        assert_eq!(issuer_region(hp), Some("eu-west-1"));
        let arn = oidc_provider_arn("aws", "123456789012", hp);
        assert_eq!(oidc_provider_url(&arn), Some(hp));
        assert_eq!(oidc_provider_account(&arn).as_deref(), Some("123456789012"));
    }
}
