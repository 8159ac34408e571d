//! One policy value against one request value, per operator family, always in the positive
//! sense (StringNotEquals compares like StringEquals; the caller negates). `None` means the two
//! cannot be compared (not a number, not a date, not an IP...), which never satisfies either the
//! operator or its negation.
//!
//! Ordering operators read "request value OP policy value": `NumericLessThan 10` holds for 5.
//! To add an operator, add its arm to [`compare`].

use std::cmp::Ordering;
use std::net::IpAddr;

use super::date::parse_date;
use crate::policy::arn::arn_matches;
use crate::policy::glob::{GlobToken, matches_str, to_text};
use crate::policy::operator::BaseOperator as B;

/// A policy value ready to compare: its wildcard tokens (after variable substitution where
/// the family supports it) and its text.
pub struct PolicyValue {
    pub tokens: Vec<GlobToken>,
    pub text: String,
}

impl PolicyValue {
    pub fn new(tokens: Vec<GlobToken>) -> Self {
        let text = to_text(&tokens);
        PolicyValue { tokens, text }
    }
}

/// Compare in the positive sense of `op`.
pub fn compare(op: B, policy: &PolicyValue, request: &str) -> Option<bool> {
    match op {
        B::StringEquals | B::StringNotEquals => Some(literal_text(policy) == request),
        B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => {
            Some(literal_text(policy).to_lowercase() == request.to_lowercase())
        }
        B::StringLike | B::StringNotLike => Some(matches_str(&policy.tokens, request, false)),
        B::NumericEquals | B::NumericNotEquals => {
            order(number(request)?, number(&policy.text)?).map(|o| o.is_eq())
        }
        B::NumericLessThan => order(number(request)?, number(&policy.text)?).map(Ordering::is_lt),
        B::NumericLessThanEquals => {
            order(number(request)?, number(&policy.text)?).map(Ordering::is_le)
        }
        B::NumericGreaterThan => {
            order(number(request)?, number(&policy.text)?).map(Ordering::is_gt)
        }
        B::NumericGreaterThanEquals => {
            order(number(request)?, number(&policy.text)?).map(Ordering::is_ge)
        }
        B::DateEquals | B::DateNotEquals => Some(parse_date(request)? == parse_date(&policy.text)?),
        B::DateLessThan => Some(parse_date(request)? < parse_date(&policy.text)?),
        B::DateLessThanEquals => Some(parse_date(request)? <= parse_date(&policy.text)?),
        B::DateGreaterThan => Some(parse_date(request)? > parse_date(&policy.text)?),
        B::DateGreaterThanEquals => Some(parse_date(request)? >= parse_date(&policy.text)?),
        B::Bool => Some(boolean(request)? == boolean(&policy.text)?),
        B::BinaryEquals => Some(policy.text == request),
        B::IpAddress | B::NotIpAddress => ip_in(&policy.text, request),
        B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => {
            Some(arn_matches(&policy.tokens, request))
        }
        // Null never compares values; the caller handles it.
        B::Null => None,
    }
}

/// The text as written for operators without wildcards (a `*` is just a character there).
fn literal_text(policy: &PolicyValue) -> &str {
    &policy.text
}

fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    // Only plain decimal numbers: no "inf", "NaN", hex.
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn order(a: f64, b: f64) -> Option<Ordering> {
    a.partial_cmp(&b)
}

fn boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Is the request IP inside the policy's CIDR (a bare IP is /32 or /128)?
fn ip_in(policy: &str, request: &str) -> Option<bool> {
    let addr: IpAddr = request.trim().parse().ok()?;
    let policy = policy.trim();
    let net: ipnet::IpNet = match policy.parse() {
        Ok(n) => n,
        Err(_) => ipnet::IpNet::from(policy.parse::<IpAddr>().ok()?),
    };
    Some(net.contains(&addr))
}

/// Why a request value cannot be compared under `op`, if it cannot.
pub fn incomparable_reason(op: B, request: &str) -> Option<String> {
    let ok = match op {
        B::NumericEquals
        | B::NumericNotEquals
        | B::NumericLessThan
        | B::NumericLessThanEquals
        | B::NumericGreaterThan
        | B::NumericGreaterThanEquals => number(request).is_some(),
        B::DateEquals
        | B::DateNotEquals
        | B::DateLessThan
        | B::DateLessThanEquals
        | B::DateGreaterThan
        | B::DateGreaterThanEquals => parse_date(request).is_some(),
        B::Bool => boolean(request).is_some(),
        B::IpAddress | B::NotIpAddress => request.trim().parse::<IpAddr>().is_ok(),
        _ => true,
    };
    (!ok).then(|| {
        let kind = match op {
            B::Bool => "a boolean",
            B::IpAddress | B::NotIpAddress => "an IP address",
            B::NumericEquals
            | B::NumericNotEquals
            | B::NumericLessThan
            | B::NumericLessThanEquals
            | B::NumericGreaterThan
            | B::NumericGreaterThanEquals => "a number",
            _ => "a date",
        };
        format!("request value \"{request}\" is not {kind}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::glob::tokens;

    fn pv(s: &str) -> PolicyValue {
        PolicyValue::new(tokens(s))
    }

    #[test]
    fn strings() {
        assert_eq!(compare(B::StringEquals, &pv("a*"), "a*"), Some(true));
        assert_eq!(compare(B::StringEquals, &pv("a*"), "ab"), Some(false));
        assert_eq!(compare(B::StringLike, &pv("a*"), "ab"), Some(true));
        assert_eq!(
            compare(B::StringEqualsIgnoreCase, &pv("ABC"), "abc"),
            Some(true)
        );
        assert_eq!(compare(B::StringLike, &pv("ABC"), "abc"), Some(false));
    }

    #[test]
    fn numbers_and_dates_order_request_against_policy() {
        assert_eq!(compare(B::NumericLessThan, &pv("10"), "5"), Some(true));
        assert_eq!(compare(B::NumericLessThan, &pv("10"), "10"), Some(false));
        assert_eq!(
            compare(B::NumericLessThanEquals, &pv("10"), "10.0"),
            Some(true)
        );
        assert_eq!(compare(B::NumericEquals, &pv("10"), "ten"), None);
        assert_eq!(compare(B::NumericEquals, &pv("inf"), "inf"), None);
        assert_eq!(
            compare(
                B::DateGreaterThan,
                &pv("2026-01-01T00:00:00Z"),
                "2026-06-01T00:00:00Z"
            ),
            Some(true)
        );
        assert_eq!(
            compare(B::DateLessThan, &pv("2026-01-01T00:00:00Z"), "1700000000"),
            Some(true)
        );
    }

    #[test]
    fn ip_bool_binary() {
        assert_eq!(
            compare(B::IpAddress, &pv("10.0.0.0/8"), "10.1.2.3"),
            Some(true)
        );
        assert_eq!(
            compare(B::IpAddress, &pv("10.0.0.1"), "10.0.0.1"),
            Some(true)
        );
        assert_eq!(
            compare(B::IpAddress, &pv("10.0.0.1"), "10.0.0.2"),
            Some(false)
        );
        assert_eq!(
            compare(B::IpAddress, &pv("2001:db8::/32"), "2001:db8::1"),
            Some(true)
        );
        assert_eq!(
            compare(B::IpAddress, &pv("10.0.0.0/8"), "2001:db8::1"),
            Some(false)
        );
        assert_eq!(compare(B::IpAddress, &pv("10.0.0.0/8"), "nope"), None);
        assert_eq!(compare(B::Bool, &pv("true"), "TRUE"), Some(true));
        assert_eq!(compare(B::Bool, &pv("true"), "yes"), None);
        assert_eq!(
            compare(B::BinaryEquals, &pv("QmluYXJ5"), "QmluYXJ5"),
            Some(true)
        );
        assert!(incomparable_reason(B::NumericEquals, "x").is_some());
        assert!(incomparable_reason(B::StringEquals, "x").is_none());
    }
}
