//! The templates grant exactly what was chosen: each document is evaluated by the policy
//! engine for the requests it must allow and for neighbours it must not.

use super::*;
use crate::policy::{
    Decision, NamedPolicy, PolicyKind, Request, RequestContext, evaluate_identity, parse_policy,
};

fn place() -> Place {
    Place {
        partition: "aws".into(),
        region: "us-east-1".into(),
        account: "111122223333".into(),
    }
}

fn decision(filled: &Filled, action: &str, resource: &str, ctx: RequestContext) -> Decision {
    let text = filled.document.to_string();
    let policy = parse_policy(&text, PolicyKind::Identity).unwrap();
    let mut req = Request::new().action(action).resource(resource);
    req.context = ctx;
    evaluate_identity(&[NamedPolicy::new("template", &policy)], None, None, &req).decision
}

fn allowed(filled: &Filled, action: &str, resource: &str) -> bool {
    decision(filled, action, resource, RequestContext::new()) == Decision::Allow
}

/// Issue 12: "a Bedrock template for one model grants bedrock:InvokeModel and
/// bedrock:InvokeModelWithResponseStream on that model's ARN only" (Bedrock user guide,
/// "Identity-based policy examples": foundation-model ARNs have no account).
#[test]
fn bedrock_invoke_for_one_model_grants_the_two_actions_on_that_model_only() {
    let model = "anthropic.claude-3-haiku-20240307-v1:0";
    let params = Parameters {
        models: vec![model.into()],
        ..Parameters::default()
    };
    let filled = policy(Template::BedrockInvoke, &params, &place()).unwrap();
    let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{model}");
    assert!(allowed(&filled, "bedrock:InvokeModel", &arn));
    assert!(allowed(
        &filled,
        "bedrock:InvokeModelWithResponseStream",
        &arn
    ));
    assert!(!allowed(
        &filled,
        "bedrock:InvokeModel",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0"
    ));
    assert!(!allowed(&filled, "bedrock:ListFoundationModels", "*"));
    assert!(!allowed(
        &filled,
        "bedrock:CreateModelCustomizationJob",
        &arn
    ));
    assert_eq!(filled.checks.len(), 2);
    assert!(!filled.document.to_string().contains("\"*\""));
}

/// Cross-region inference profiles need the profile and the model in every Region the profile
/// routes to (Bedrock user guide, "Prerequisites for inference profiles").
#[test]
fn an_inference_profile_grants_the_profile_and_its_model_in_any_region() {
    let params = Parameters {
        models: vec!["us.anthropic.claude-3-5-sonnet-20240620-v1:0".into()],
        ..Parameters::default()
    };
    let filled = policy(Template::BedrockInvoke, &params, &place()).unwrap();
    assert!(allowed(
        &filled,
        "bedrock:InvokeModel",
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0"
    ));
    assert!(allowed(
        &filled,
        "bedrock:InvokeModel",
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
    ));
    assert!(!allowed(
        &filled,
        "bedrock:InvokeModel",
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-opus-20240229-v1:0"
    ));
}

/// S3 read on a bucket and prefix: objects under the prefix only, and listing only of the
/// prefix (S3 user guide, "Example: Allow users to read objects under a prefix"; the
/// `s3:prefix` condition key).
#[test]
fn s3_read_grants_reads_under_the_prefix_and_nothing_else() {
    let params = Parameters {
        bucket: Some("ml-data".into()),
        prefix: Some("models/".into()),
        ..Parameters::default()
    };
    let filled = policy(Template::S3Read, &params, &place()).unwrap();
    assert!(allowed(
        &filled,
        "s3:GetObject",
        "arn:aws:s3:::ml-data/models/a.bin"
    ));
    assert!(!allowed(
        &filled,
        "s3:GetObject",
        "arn:aws:s3:::ml-data/other/a.bin"
    ));
    assert!(!allowed(
        &filled,
        "s3:PutObject",
        "arn:aws:s3:::ml-data/models/a.bin"
    ));
    assert!(!allowed(
        &filled,
        "s3:GetObject",
        "arn:aws:s3:::ml-data-2/models/a.bin"
    ));
    let list = |prefix: &str| {
        decision(
            &filled,
            "s3:ListBucket",
            "arn:aws:s3:::ml-data",
            RequestContext::new().with("s3:prefix", prefix),
        )
    };
    assert_eq!(list("models/"), Decision::Allow);
    assert_ne!(list("other/"), Decision::Allow);
}

#[test]
fn s3_read_write_adds_put_and_delete_on_the_same_objects() {
    let params = Parameters {
        bucket: Some("ml-data".into()),
        ..Parameters::default()
    };
    let filled = policy(Template::S3ReadWrite, &params, &place()).unwrap();
    for a in ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] {
        assert!(allowed(&filled, a, "arn:aws:s3:::ml-data/x"), "{a}");
    }
    assert!(allowed(&filled, "s3:ListBucket", "arn:aws:s3:::ml-data"));
    assert!(!allowed(&filled, "s3:DeleteBucket", "arn:aws:s3:::ml-data"));
    assert!(!allowed(
        &filled,
        "s3:PutBucketPolicy",
        "arn:aws:s3:::ml-data"
    ));
}

/// A secret's ARN ends in six random characters (Secrets Manager user guide, "secret ARN"):
/// `NAME-??????` matches that secret and not `NAME-other`'s.
#[test]
fn secrets_read_grants_the_named_secrets_only() {
    let params = Parameters {
        secrets: vec!["prod/db".into()],
        ..Parameters::default()
    };
    let filled = policy(Template::SecretsRead, &params, &place()).unwrap();
    let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-Xy12Ab";
    assert!(allowed(&filled, "secretsmanager:GetSecretValue", arn));
    assert!(allowed(&filled, "secretsmanager:DescribeSecret", arn));
    assert!(!allowed(&filled, "secretsmanager:PutSecretValue", arn));
    assert!(!allowed(
        &filled,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-admin-Xy12Ab"
    ));
}

#[test]
fn bad_names_and_missing_parameters_are_refused_with_the_reason() {
    assert!(validate_bucket("My_Bucket").is_err());
    assert!(validate_bucket("ab").is_err());
    assert!(validate_bucket("192.168.1.1").is_err());
    assert!(validate_bucket("a..b").is_err());
    assert!(validate_bucket("data-s3alias").is_err());
    assert!(validate_bucket("ml-data.example").is_ok());
    assert!(validate_model("*").is_err());
    assert!(validate_model("claude").is_err());
    assert!(validate_model("anthropic.claude-v2; rm -rf /").is_err());
    assert!(validate_secret("prod/*").is_err());
    let err = policy(Template::BedrockInvoke, &Parameters::default(), &place()).unwrap_err();
    assert!(err.to_string().contains("--model"), "{err}");
    let err = policy(Template::S3Read, &Parameters::default(), &place()).unwrap_err();
    assert!(err.to_string().contains("--bucket"), "{err}");
    let wild = Parameters {
        bucket: Some("ml-data".into()),
        prefix: Some("a*".into()),
        ..Parameters::default()
    };
    assert!(policy(Template::S3Read, &wild, &place()).is_err());
}

#[test]
fn full_access_managed_policies_are_flagged() {
    assert!(is_broad_managed_policy(
        "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
    ));
    assert!(is_broad_managed_policy(
        "arn:aws:iam::aws:policy/AdministratorAccess"
    ));
    assert!(!is_broad_managed_policy(
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    ));
    assert!(!is_broad_managed_policy(
        "arn:aws:iam::111122223333:policy/MyFullAccess"
    ));
}
