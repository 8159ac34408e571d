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
    // IAM applies the same rule to role trust policies.
    let e = reason(trust(
        r#"{"Statement": [{"Sid": "a-b", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}"#,
    ));
    assert_eq!(e.code, ErrorCode::InvalidSid);

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

#[test]
fn oversized_documents_are_refused() {
    let big = format!(
        "{{\"Statement\": {{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::{}\"}}}}",
        "x".repeat(MAX_DOCUMENT_LENGTH)
    );
    assert_eq!(reason(identity(&big)).code, ErrorCode::TooLarge);
}

/// A tiny deterministic generator, so the mutation test needs no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

#[test]
fn mutated_policies_never_panic_parsing_or_evaluating() {
    let alphabet: Vec<char> = "{}[]:,\"*?$ \\%aZ09-/\u{e9}\u{201c}".chars().collect();
    let mut rng = Lcg(42);
    let req = Request::new()
        .principal(RequestPrincipal::Federated(
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
                .into(),
        ))
        .action("sts:AssumeRoleWithWebIdentity")
        .resource("arn:aws:s3:::b/k")
        .context(RequestContext::new().with(
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub",
            "system:serviceaccount:shop:checkout",
        ));
    let base: Vec<char> = IRSA.chars().collect();
    let mut parsed = 0;
    for _ in 0..3000 {
        let mut doc = base.clone();
        for _ in 0..(1 + rng.next() % 4) {
            let at = rng.next() % (doc.len() + 1);
            match rng.next() % 3 {
                0 if at < doc.len() => {
                    doc.remove(at);
                }
                1 if at < doc.len() => doc[at] = alphabet[rng.next() % alphabet.len()],
                _ => doc.insert(at, alphabet[rng.next() % alphabet.len()]),
            }
        }
        let text: String = doc.into_iter().collect();
        for kind in [PolicyKind::Trust, PolicyKind::Identity] {
            if let Ok(p) = parse_policy(&text, kind) {
                parsed += 1;
                let named = NamedPolicy::new("p", &p);
                let _ = evaluate_trust(&named, &req);
                let _ = evaluate_identity(
                    std::slice::from_ref(&named),
                    Some(&named),
                    Some(&named),
                    &req,
                );
            }
        }
    }
    assert!(parsed > 0, "some mutations should still parse");
}

#[test]
fn about_four_irsa_statements_fit_the_default_trust_quota() {
    let host = "oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9";
    let statement = |i: usize| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::210987654321:oidc-provider/{host}"}},
               "Action": "sts:AssumeRoleWithWebIdentity",
               "Condition": {{"StringEquals": {{"{host}:sub": "system:serviceaccount:namespace{i}:service-account",
                                               "{host}:aud": "sts.amazonaws.com"}}}}}}"#
        )
    };
    let doc = |n: usize| {
        let stmts: Vec<String> = (0..n).map(statement).collect();
        format!(
            "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}",
            stmts.join(",\n")
        )
    };
    let four = trust(&doc(4)).unwrap();
    let five = trust(&doc(5)).unwrap();
    assert!(four.length <= TRUST_POLICY_DEFAULT_QUOTA, "{}", four.length);
    assert!(five.length > TRUST_POLICY_DEFAULT_QUOTA, "{}", five.length);
    // Whitespace does not count: the pretty text is much longer than its IAM length.
    assert!(doc(4).len() > four.length + 200);
    assert_eq!(document_length(&doc(4)), four.length);
}

#[test]
fn a_statement_spans_from_its_brace_to_its_last_value() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::a",
        "arn:aws:s3:::b"
      ]
    },
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
  ]
}"#;
    let p = identity(text).unwrap();
    assert_eq!((p.statements[0].line, p.statements[0].last_line()), (4, 9));
    assert_eq!(
        (p.statements[1].line, p.statements[1].last_line()),
        (12, 12)
    );
}
