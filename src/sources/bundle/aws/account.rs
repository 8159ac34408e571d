//! The bundle's primary AWS account and partition: the cluster ARN's, else
//! `sts get-caller-identity`'s, else the most common among the roles' and providers' ARNs
//! (ties go to the smallest, so loading is deterministic). The partition defaults to `aws`.
//!
//! To add a source of evidence, pass its ARNs to [`infer`] in the right precedence.

use std::collections::BTreeMap;

use crate::model::arn::{Arn, is_account_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Primary {
    pub account: Option<String>,
    pub partition: String,
}

/// `first` are the ARNs to trust in order (cluster, caller identity); `caller_account` is
/// `get-caller-identity`'s `Account`; `others` are counted.
pub fn infer<'a>(
    first: &[Option<&str>],
    caller_account: Option<&str>,
    others: impl Iterator<Item = &'a str>,
) -> Primary {
    let decisive: Vec<Arn> = first
        .iter()
        .flatten()
        .filter_map(|arn| Arn::parse(arn))
        .collect();
    let mut accounts: BTreeMap<String, usize> = BTreeMap::new();
    let mut partitions: BTreeMap<String, usize> = BTreeMap::new();
    for arn in others.filter_map(Arn::parse) {
        if is_account_id(&arn.account) {
            *accounts.entry(arn.account).or_default() += 1;
        }
        *partitions.entry(arn.partition).or_default() += 1;
    }
    let account = decisive
        .iter()
        .map(|a| a.account.clone())
        .find(|a| is_account_id(a))
        .or_else(|| {
            caller_account
                .filter(|a| is_account_id(a))
                .map(str::to_string)
        })
        .or_else(|| most_common(accounts));
    let partition = decisive
        .first()
        .map(|a| a.partition.clone())
        .or_else(|| most_common(partitions))
        .unwrap_or_else(|| "aws".to_string());
    Primary { account, partition }
}

fn most_common(counts: BTreeMap<String, usize>) -> Option<String> {
    // max_by_key returns the last maximum; iterate in reverse so ties go to the smallest key.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(key, _)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_wins_then_caller_then_majority() {
        let roles = [
            "arn:aws-cn:iam::111111111111:role/a",
            "arn:aws-cn:iam::222222222222:role/b",
            "arn:aws-cn:iam::222222222222:role/c",
        ];
        let cluster = Some("arn:aws:eks:eu-west-1:333333333333:cluster/x");
        let p = infer(&[cluster], None, roles.into_iter());
        assert_eq!(p.account.as_deref(), Some("333333333333"));
        assert_eq!(p.partition, "aws");
        let p = infer(&[None], Some("444444444444"), roles.into_iter());
        assert_eq!(p.account.as_deref(), Some("444444444444"));
        let p = infer(&[None], None, roles.into_iter());
        assert_eq!(p.account.as_deref(), Some("222222222222"));
        assert_eq!(p.partition, "aws-cn");
    }

    #[test]
    fn ties_go_to_the_smallest() {
        let roles = [
            "arn:aws:iam::222222222222:role/a",
            "arn:aws:iam::111111111111:role/b",
        ];
        let p = infer(&[], None, roles.into_iter());
        assert_eq!(p.account.as_deref(), Some("111111111111"));
    }
}
