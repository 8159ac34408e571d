//! IAM OIDC providers: `list-open-id-connect-providers` (ARNs only; makes their accounts
//! complete, and an empty list makes the primary account complete) and
//! `get-open-id-connect-provider` (URL, audiences and thumbprints, but no ARN: matched to a
//! listed provider by URL, with or without `https://`, else given an ARN in the primary
//! account).
//!
//! To read providers from a new output, add them to `providers` keyed by ARN.

use std::collections::{BTreeMap, BTreeSet};

use super::account::Primary;
use super::shapes::{self, text};
use crate::model::arn::Arn;
use crate::model::aws::OidcProvider;
use crate::sources::bundle::notes::Notes;

#[derive(Default)]
pub struct Providers {
    pub providers: BTreeMap<String, OidcProvider>,
    listed_accounts: BTreeSet<String>,
    empty_list: bool,
    /// (file, output) of each `get-open-id-connect-provider`.
    details: Vec<(String, shapes::GetOidcProvider)>,
}

impl Providers {
    pub fn add_list(&mut self, list: shapes::ListOidcProviders) {
        self.empty_list |= list.providers.is_empty();
        for arn in list.providers.into_iter().filter_map(|p| text(p.arn)) {
            let parsed = Arn::parse(&arn);
            if let Some(parsed) = &parsed {
                self.listed_accounts.insert(parsed.account.clone());
            }
            let url = parsed
                .and_then(|a| {
                    a.resource
                        .strip_prefix("oidc-provider/")
                        .map(str::to_string)
                })
                .unwrap_or_default();
            self.providers.entry(arn.clone()).or_insert(OidcProvider {
                arn,
                url,
                client_ids: None,
                thumbprints: Vec::new(),
            });
        }
    }

    pub fn add_details(&mut self, file: &str, output: shapes::GetOidcProvider) {
        self.details.push((file.to_string(), output));
    }

    pub fn complete_accounts(&self, primary: &Primary) -> BTreeSet<String> {
        let mut accounts = self.listed_accounts.clone();
        if self.empty_list
            && let Some(account) = &primary.account
        {
            accounts.insert(account.clone());
        }
        accounts
    }

    /// Matches each `get-open-id-connect-provider` output to its provider.
    pub fn attach_details(&mut self, primary: &Primary, notes: &mut Notes) {
        for (file, output) in std::mem::take(&mut self.details) {
            let url = normalise(&output.url.0).to_string();
            let matches: Vec<String> = self
                .providers
                .values()
                .filter(|p| normalise(&p.url).eq_ignore_ascii_case(&url))
                .map(|p| p.arn.clone())
                .collect();
            let in_primary = |arn: &String| {
                Arn::parse(arn).is_some_and(|a| Some(&a.account) == primary.account.as_ref())
            };
            let arn = match matches.as_slice() {
                [arn] => arn.clone(),
                [] => match &primary.account {
                    Some(account) => format!(
                        "arn:{}:iam::{account}:oidc-provider/{url}",
                        primary.partition
                    ),
                    None => {
                        notes.add(&file, format!(
                            "OIDC provider {url}: no provider list and no account in the bundle to name it by (add `aws iam list-open-id-connect-providers` output); skipped"
                        ));
                        continue;
                    }
                },
                several => match several.iter().find(|arn| in_primary(arn)) {
                    Some(arn) => arn.clone(),
                    None => {
                        notes.add(&file, format!(
                            "OIDC provider {url}: listed in several accounts ({}); cannot tell which this is; skipped",
                            several.join(", ")
                        ));
                        continue;
                    }
                },
            };
            let provider = self.providers.entry(arn.clone()).or_insert(OidcProvider {
                arn,
                url: url.clone(),
                client_ids: None,
                thumbprints: Vec::new(),
            });
            provider.client_ids = Some(list(output.client_ids));
            provider.thumbprints = list(output.thumbprints);
        }
    }
}

fn list(values: Option<Vec<shapes::Text>>) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.0)
        .collect()
}

/// `https://oidc.eks.../id/X/` -> `oidc.eks.../id/X`.
fn normalise(url: &str) -> &str {
    let url = url.trim();
    let lower = url.get(..8).map(str::to_ascii_lowercase);
    let url = if lower.as_deref() == Some("https://") {
        &url[8..]
    } else {
        url
    };
    url.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn urls_with_and_without_scheme() {
        assert_eq!(normalise("https://oidc.eks.x/id/A/"), "oidc.eks.x/id/A");
        assert_eq!(normalise("oidc.eks.x/id/A"), "oidc.eks.x/id/A");
    }
}
