//! Does a statement's Principal/NotPrincipal cover the calling principal?
//!
//! Rules (IAM "AWS JSON policy elements: Principal"): `"*"` and `{"AWS": "*"}` cover everyone;
//! an account ID or `arn:...:iam::ACCOUNT:root` covers every principal of that account; a role
//! ARN also covers that role's sessions (`arn:...:sts::ACCOUNT:assumed-role/NAME/SESSION`);
//! other ARNs, Federated and Service values compare exactly. There are no partial wildcards:
//! "You cannot use a wildcard to match part of a principal name or ARN", so a value with a `*`
//! inside (a Federated provider ARN ending in `/id/*`, which IAM saves) matches no principal at
//! all; see [`is_partial_wildcard`]. NotPrincipal covers everyone except those listed.

use super::document::{PrincipalBlock, PrincipalType};
use super::request::RequestPrincipal;

/// Whether the block matches, and if not, why.
pub fn principal_matches(block: &PrincipalBlock, given: Option<&RequestPrincipal>) -> bool {
    let listed = block.wildcard || given.is_some_and(|g| listed_in(block, g));
    if block.negated { !listed } else { listed }
}

/// A principal value with a `*` that is not the whole value `"*"`: IAM treats the `*` as a
/// plain character there, so the value names no real principal and never matches.
pub fn is_partial_wildcard(value: &str) -> bool {
    value != "*" && value.contains('*')
}

fn listed_in(block: &PrincipalBlock, given: &RequestPrincipal) -> bool {
    block
        .entries
        .iter()
        .filter(|e| !is_partial_wildcard(&e.value))
        .any(|e| match (e.kind, given) {
            (PrincipalType::Aws, _) if e.value == "*" => true,
            (PrincipalType::Aws, RequestPrincipal::Aws(v)) => aws_matches(&e.value, v),
            (PrincipalType::Federated, RequestPrincipal::Federated(v)) => e.value == *v,
            (PrincipalType::Service, RequestPrincipal::Service(v)) => e.value == *v,
            _ => false,
        })
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// (partition, service, account, resource) of an ARN.
fn parts(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    if it.next()? != "arn" {
        return None;
    }
    let partition = it.next()?;
    let service = it.next()?;
    let _region = it.next()?;
    let account = it.next()?;
    let resource = it.next()?;
    Some((partition, service, account, resource))
}

fn account_of(principal: &str) -> Option<&str> {
    if is_account_id(principal) {
        return Some(principal);
    }
    parts(principal).map(|(_, _, account, _)| account)
}

/// Does the policy's AWS principal value cover the calling AWS principal `given`?
pub fn aws_matches(policy: &str, given: &str) -> bool {
    if policy == given {
        return true;
    }
    if is_account_id(policy) {
        return account_of(given) == Some(policy);
    }
    let Some((p_part, p_svc, p_acct, p_res)) = parts(policy) else {
        return false;
    };
    if p_svc == "iam" && p_res == "root" {
        return match parts(given) {
            Some((g_part, _, g_acct, _)) => g_part == p_part && g_acct == p_acct,
            None => given == p_acct,
        };
    }
    if p_svc == "iam"
        && let Some(role_path) = p_res.strip_prefix("role/")
        && let Some((g_part, "sts", g_acct, g_res)) = parts(given)
        && let Some(rest) = g_res.strip_prefix("assumed-role/")
    {
        // The session ARN carries only the role's name, not its path.
        let role_name = role_path.rsplit('/').next().unwrap_or(role_path);
        let session_role = rest.split('/').next().unwrap_or_default();
        return g_part == p_part
            && g_acct == p_acct
            && session_role == role_name
            && rest.len() > session_role.len() + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::document::PrincipalEntry;

    fn block(kind: PrincipalType, values: &[&str], negated: bool) -> PrincipalBlock {
        PrincipalBlock {
            negated,
            line: 1,
            wildcard: false,
            entries: values
                .iter()
                .map(|v| PrincipalEntry {
                    kind,
                    value: v.to_string(),
                    line: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn accounts_cover_their_principals() {
        let acct = "123456789012";
        assert!(aws_matches(acct, "arn:aws:iam::123456789012:role/x"));
        assert!(aws_matches(acct, acct));
        assert!(!aws_matches(acct, "arn:aws:iam::999999999999:role/x"));
        let root = "arn:aws:iam::123456789012:root";
        assert!(aws_matches(
            root,
            "arn:aws:sts::123456789012:assumed-role/r/s"
        ));
        assert!(aws_matches(root, acct));
        assert!(!aws_matches(root, "arn:aws-cn:iam::123456789012:role/x"));
    }

    #[test]
    fn roles_cover_their_sessions() {
        let role = "arn:aws:iam::123456789012:role/path/app";
        assert!(aws_matches(
            role,
            "arn:aws:sts::123456789012:assumed-role/app/sess"
        ));
        assert!(!aws_matches(
            role,
            "arn:aws:sts::123456789012:assumed-role/other/sess"
        ));
        assert!(!aws_matches(
            role,
            "arn:aws:sts::123456789012:assumed-role/app"
        ));
        assert!(!aws_matches(role, "arn:aws:iam::123456789012:role/app"));
        assert!(aws_matches(role, role));
    }

    #[test]
    fn wildcards_and_types() {
        let any = block(PrincipalType::Aws, &["*"], false);
        assert!(principal_matches(
            &any,
            Some(&RequestPrincipal::Service("x".into()))
        ));
        assert!(!principal_matches(&any, None));
        let svc = block(PrincipalType::Service, &["pods.eks.amazonaws.com"], false);
        assert!(principal_matches(
            &svc,
            Some(&RequestPrincipal::Service("pods.eks.amazonaws.com".into()))
        ));
        assert!(!principal_matches(
            &svc,
            Some(&RequestPrincipal::Federated(
                "pods.eks.amazonaws.com".into()
            ))
        ));
        let not = block(PrincipalType::Aws, &["123456789012"], true);
        assert!(!principal_matches(
            &not,
            Some(&RequestPrincipal::Aws(
                "arn:aws:iam::123456789012:user/u".into()
            ))
        ));
        assert!(principal_matches(
            &not,
            Some(&RequestPrincipal::Aws(
                "arn:aws:iam::111111111111:user/u".into()
            ))
        ));
        let partial = block(
            PrincipalType::Aws,
            &["arn:aws:iam::123456789012:role/*"],
            false,
        );
        assert!(!principal_matches(
            &partial,
            Some(&RequestPrincipal::Aws(
                "arn:aws:iam::123456789012:role/a".into()
            ))
        ));
    }

    #[test]
    fn a_star_inside_a_principal_matches_nothing_not_even_itself() {
        let provider =
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/*";
        let partial = block(PrincipalType::Federated, &[provider], false);
        for given in [
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            provider,
        ] {
            assert!(
                !principal_matches(&partial, Some(&RequestPrincipal::Federated(given.into()))),
                "{given}"
            );
        }
        // Under NotPrincipal the value excludes no one either.
        let not = block(PrincipalType::Federated, &[provider], true);
        assert!(principal_matches(
            &not,
            Some(&RequestPrincipal::Federated(provider.into()))
        ));
        assert!(is_partial_wildcard(provider));
        assert!(!is_partial_wildcard("*"));
        assert!(!is_partial_wildcard("arn:aws:iam::123456789012:root"));
    }
}
