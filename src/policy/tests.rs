//! End-to-end unit tests of [`parse_policy`](super::parse_policy): decoding, positions and
//! IAM's save-time refusals. The table-driven evaluation cases are in tests/policy_cases.

use super::*;

fn trust(text: &str) -> Result<Policy, PolicyError> {
    parse_policy(text, PolicyKind::Trust)
}

fn identity(text: &str) -> Result<Policy, PolicyError> {
    parse_policy(text, PolicyKind::Identity)
}

const IRSA: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:shop:checkout",
          "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}"#;

#[test]
fn parses_a_trust_policy_with_lines() {
    let p = trust(IRSA).unwrap();
    assert_eq!(p.version, PolicyVersion::V2012_10_17);
    assert_eq!(p.version_line, Some(2));
    let s = &p.statements[0];
    assert_eq!(s.line, 4);
    let pr = s.principal.as_ref().unwrap();
    assert_eq!(pr.line, 6);
    assert_eq!(
        pr.federated().collect::<Vec<_>>(),
        ["arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"]
    );
    assert_eq!(s.action.line, 7);
    assert_eq!(s.conditions.len(), 2);
    assert_eq!(s.conditions[0].line, 10);
    assert_eq!(s.conditions[0].operator_line, 9);
    assert_eq!(s.conditions[1].values, ["sts.amazonaws.com"]);
    assert_eq!(
        s.conditions_on("OIDC.eks.eu-west-1.amazonaws.com/id/ABC:SUB")
            .count(),
        1
    );
    assert_eq!(p.length, iam_length(IRSA));
}

#[test]
fn url_encoded_and_string_wrapped_documents() {
    let enc: String =
        percent_encoding::utf8_percent_encode(IRSA, percent_encoding::NON_ALPHANUMERIC).to_string();
    let p = trust(&enc).unwrap();
    assert_eq!(p.statements.len(), 1);
    assert_eq!(p.text, IRSA);
    let wrapped = serde_json::to_string(IRSA).unwrap();
    assert!(trust(&wrapped).is_ok());
}

#[test]
fn version_absent_means_2008() {
    let p = identity(r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#)
        .unwrap();
    assert_eq!(p.version, PolicyVersion::V2008_10_17);
    assert_eq!(p.version_line, None);
}

fn reason(r: Result<Policy, PolicyError>) -> PolicyError {
    match r {
        Ok(p) => panic!("expected an error, got {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn refusals_carry_iam_reasons_and_lines() {
    let e = reason(identity(
        "{\n\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Prinicpal\": \"*\"}]}",
    ));
    assert_eq!(e.code, ErrorCode::UnknownElement);
    assert!(e.reason.contains("Did you mean \"Principal\""), "{e}");
    assert_eq!(e.line(), Some(2));

    let e = reason(identity(r#"{"Version": "2012-10-18", "Statement": []}"#));
    assert!(e.reason.contains("The policy failed legacy parsing"), "{e}");

    let e = reason(trust(r#"{"Version": "2012-10-17", "Statement": []}"#));
    assert_eq!(e.code, ErrorCode::MissingElement);

    let e = reason(identity(
        r#"{"Statement": [{"Sid": "a-b", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
    ));
    assert!(e.reason.contains("must be alpha-numeric"), "{e}");
    // Trust policies do not have the alphanumeric Sid rule.
    assert!(trust(r#"{"Statement": [{"Sid": "a-b", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}"#).is_ok());

    let e = reason(identity(
        r#"{"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}"#,
    ));
    assert_eq!(e.code, ErrorCode::InvalidEffect);

    let e = reason(identity(
        r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqual": {"aws:username": "a"}}}]}"#,
    ));
    assert!(
        e.reason.starts_with("Invalid Condition type : StringEqual"),
        "{e}"
    );

    let e = reason(identity(
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:username\": \"\u{201c}a\u{201d}\"}}}]}",
    ));
    assert!(e.reason.contains("U+201C"), "{e}");
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    for text in [
        "",
        "null",
        "[]",
        "42",
        "\"x\"",
        "{",
        "%7B",
        "{\"Statement\": {}}",
        "\u{0}",
    ] {
        assert!(identity(text).is_err(), "{text:?}");
        assert!(trust(text).is_err(), "{text:?}");
    }
    let deep = format!("{{\"Statement\": {}", "[".repeat(5000));
    assert_eq!(reason(identity(&deep)).code, ErrorCode::TooDeep);
}
