//! `FakeSts`, tested through aws-sdk-sts: each AssumeRoleWithWebIdentity failure class answers
//! the code, message and status real STS sends (and the SDK retries only what STS marks
//! retryable); success issues credentials GetCallerIdentity then knows; the web identity token
//! is never kept.

#[path = "support/aws_fixtures.rs"]
mod aws_fixtures;
#[path = "support/fake_aws/mod.rs"]
mod fake_aws;

use aws_fixtures::*;
use aws_sdk_sts::error::ProvideErrorMetadata;
use base64::Engine as _;
use fake_aws::*;
use serde_json::Value;

fn web_identity_token(sub: &str) -> String {
    let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let header = serde_json::json!({ "alg": "RS256", "kid": "test" });
    let claims = serde_json::json!({
        "iss": BASIC_ISSUER,
        "sub": sub,
        "aud": ["sts.amazonaws.com"],
        "exp": 1_700_000_000,
        "iat": 1_699_990_000,
    });
    format!(
        "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
        enc(&header),
        enc(&claims)
    )
}

#[tokio::test]
async fn fake_sts_answers_each_failure_class_as_sts_does() {
    use aws_sdk_sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityError as E;

    let sts = FakeSts::new();
    let config = sdk_config_with("eu-west-1", test_credentials(), &[("sts", sts.url())]).await;
    let client = aws_sdk_sts::Client::new(&config);
    let token = web_identity_token("system:serviceaccount:shop:checkout");
    let role = |n: &str| format!("arn:aws:iam::210987654321:role/{n}");

    let cases: Vec<(StsOutcome, &str, &str, u16)> = vec![
        (
            StsOutcome::NoOidcProvider { issuer: None },
            "InvalidIdentityToken",
            "No OpenIDConnect provider found in your account for \
             https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9",
            400,
        ),
        (
            StsOutcome::IncorrectAudience,
            "InvalidIdentityToken",
            "Incorrect token audience",
            400,
        ),
        (
            StsOutcome::TokenNotValidated,
            "InvalidIdentityToken",
            "The web identity token provided could not be validated",
            400,
        ),
        (
            StsOutcome::AccessDenied,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            403,
        ),
        (
            StsOutcome::InvalidRoleArn,
            "ValidationError",
            "Request ARN is invalid",
            400,
        ),
        (
            StsOutcome::ExpiredToken,
            "ExpiredTokenException",
            "Token expired: current date/time",
            400,
        ),
        (
            StsOutcome::IdpCommunicationError,
            "IDPCommunicationError",
            "Couldn't retrieve verification key from your identity provider, please reference \
             AssumeRoleWithWebIdentity documentation for requirements",
            400,
        ),
    ];
    assert_eq!(cases.len(), StsOutcome::failure_classes().len());
    for (i, (outcome, code, message, status)) in cases.iter().enumerate() {
        let role_arn = role(&format!("case-{i}"));
        sts.script(&role_arn, outcome.clone());
        let err = client
            .assume_role_with_web_identity()
            .role_arn(&role_arn)
            .role_session_name("kubectl-irsa-prove")
            .web_identity_token(&token)
            .send()
            .await
            .expect_err("scripted failure");
        assert_eq!(err.code(), Some(*code), "{outcome:?}");
        assert!(
            err.message().unwrap().starts_with(message),
            "{outcome:?}: {:?}",
            err.message()
        );
        assert_eq!(
            err.raw_response().map(|r| r.status().as_u16()),
            Some(*status)
        );
        let service = err.as_service_error().unwrap();
        match outcome {
            StsOutcome::NoOidcProvider { .. }
            | StsOutcome::IncorrectAudience
            | StsOutcome::TokenNotValidated => {
                assert!(matches!(service, E::InvalidIdentityTokenException(_)))
            }
            StsOutcome::ExpiredToken => {
                assert!(matches!(service, E::ExpiredTokenException(_)));
                // It names the token's own expiry (its `exp` claim).
                assert!(err.message().unwrap().ends_with("date/time 1700000000"));
            }
            StsOutcome::IdpCommunicationError => {
                assert!(matches!(service, E::IdpCommunicationErrorException(_)))
            }
            // Not modeled for this operation: callers match the code.
            _ => assert!(service.meta().code().is_some()),
        }
    }

    // A malformed role ARN is rejected even unscripted, as by STS.
    let err = client
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::::1234567890:role/example")
        .role_session_name("s")
        .web_identity_token(&token)
        .send()
        .await
        .expect_err("bad ARN");
    assert_eq!(
        (err.code(), err.message()),
        (Some("ValidationError"), Some("Request ARN is invalid"))
    );

    // Success: credentials and the assumed role, which GetCallerIdentity then reports.
    let ok = client
        .assume_role_with_web_identity()
        .role_arn(role("checkout-irsa"))
        .role_session_name("kubectl-irsa-prove")
        .web_identity_token(&token)
        .send()
        .await
        .expect("assumed");
    let user = ok.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        "arn:aws:sts::210987654321:assumed-role/checkout-irsa/kubectl-irsa-prove"
    );
    assert!(user.assumed_role_id().ends_with(":kubectl-irsa-prove"));
    assert_eq!(
        ok.subject_from_web_identity_token(),
        Some("system:serviceaccount:shop:checkout")
    );
    assert_eq!(ok.audience(), Some("sts.amazonaws.com"));
    let creds = ok.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    let assumed = aws_sdk_sts::config::Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token().to_string()),
        None,
        "web-identity",
    );
    let as_role = aws_sdk_sts::Client::new(
        &sdk_config_with("eu-west-1", assumed, &[("sts", sts.url())]).await,
    );
    let me = as_role.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some(user.arn()));
    assert_eq!(me.account(), Some("210987654321"));

    // IDPCommunicationError is retryable (STS says so, and the SDK retries it: 3 attempts);
    // nothing else is.
    let idp_role = role(&format!("case-{}", cases.len() - 1));
    let attempts = |arn: &str| {
        sts.requests()
            .iter()
            .filter(|r| r.role_arn.as_deref() == Some(arn))
            .count()
    };
    assert_eq!(attempts(&idp_role), 3);
    assert_eq!(attempts(&role("case-0")), 1);

    // The token is never kept: records hold only its presence and length.
    let log = sts.requests();
    assert_eq!(log.len(), cases.len() + 2 + 3);
    let assume: Vec<_> = log
        .iter()
        .filter(|r| r.action == "AssumeRoleWithWebIdentity")
        .collect();
    assert!(
        assume
            .iter()
            .all(|r| r.token_present && r.token_len == token.len())
    );
    let dump = format!("{log:?}");
    assert!(!dump.contains(&token));
    assert!(!dump.contains(token.split('.').nth(1).unwrap()));
    assert_eq!(
        log.last().map(|r| (r.action.as_str(), r.issued_key)),
        Some(("GetCallerIdentity", Some(true)))
    );
}
