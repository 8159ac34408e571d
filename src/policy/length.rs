//! Policy size as IAM counts it against its quotas: characters, not bytes, and whitespace is not
//! counted ("IAM does not count white space when calculating the size of a policy"; GetAccountSummary
//! describes the quotas "in non-whitespace characters"). Also the quota values themselves.
//!
//! To add a quota, add a constant with the IAM quota name it mirrors.

use super::decode::decode_document;

/// Default quota for a role trust policy (AssumeRolePolicySizeQuota), about four IRSA statements.
pub const TRUST_POLICY_DEFAULT_QUOTA: usize = 2048;
/// Highest trust policy quota a quota increase can give.
pub const TRUST_POLICY_MAX_QUOTA: usize = 4096;
/// A customer managed policy (each version).
pub const MANAGED_POLICY_QUOTA: usize = 6144;
/// All inline policies of one role together.
pub const ROLE_INLINE_POLICIES_QUOTA: usize = 10240;

/// Length of the policy JSON text as IAM counts it: characters that are not whitespace.
/// `text` should already be decoded; see [`document_length`] for raw source text.
pub fn iam_length(text: &str) -> usize {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .count()
}

/// Like [`iam_length`], but first decodes URL-encoded or string-wrapped text (GetRole returns
/// the trust policy URL-encoded, and its encoded length means nothing). Undecodable text is
/// counted as it is.
pub fn document_length(source: &str) -> usize {
    match decode_document(source) {
        Ok(decoded) => iam_length(&decoded),
        Err(_) => iam_length(source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_not_counted_characters_are() {
        assert_eq!(iam_length("{ \"a\" :\n\t\"é\" }"), 9);
        assert_eq!(iam_length(""), 0);
    }

    #[test]
    fn encoded_documents_are_measured_decoded() {
        let enc = "%7B%22a%22%3A%20%22b%22%7D";
        assert_eq!(document_length(enc), iam_length("{\"a\":\"b\"}"));
        assert_eq!(document_length("{\"a\": \"b\"}"), 9);
    }
}
