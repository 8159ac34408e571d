//! The permission templates of `kubectl irsa setup` (issue 12 "permissions"): each turns what
//! the user chose (models, a bucket and prefix, secret names) into one inline policy granting
//! exactly that, least privilege by default, and into the requests that prove the grant once
//! the plan is applied in memory (the permissions link evaluates them like `--action`).
//!
//! Never a `*` the user did not write: a model id, bucket or secret name is validated first,
//! and a wildcard in one is refused. To add a template: a [`Template`] variant, its name, its
//! validation and document in [`policy`].

use serde_json::{Value, json};

use crate::model::report::RequestedAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    BedrockInvoke,
    S3Read,
    S3ReadWrite,
    SecretsRead,
}

impl Template {
    /// The name `--policy-template` takes.
    pub fn name(self) -> &'static str {
        match self {
            Template::BedrockInvoke => "bedrock-invoke",
            Template::S3Read => "s3-read",
            Template::S3ReadWrite => "s3-read-write",
            Template::SecretsRead => "secrets-read",
        }
    }

    pub fn from_name(name: &str) -> Option<Template> {
        [
            Template::BedrockInvoke,
            Template::S3Read,
            Template::S3ReadWrite,
            Template::SecretsRead,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }

    /// The inline policy the template writes on the role (one per template, so running setup
    /// again replaces it instead of adding another).
    pub fn policy_name(self) -> String {
        format!("kubectl-irsa-{}", self.name())
    }
}

/// What the templates are filled with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parameters {
    pub models: Vec<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub secrets: Vec<String>,
}

/// Where the policy's ARNs point: the cluster's partition, region and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub partition: String,
    pub region: String,
    pub account: String,
}

/// One template filled in: the policy document and the requests it must allow.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    pub template: Template,
    pub document: Value,
    pub checks: Vec<RequestedAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("--policy-template {template} needs {what}")]
    Missing {
        template: &'static str,
        what: &'static str,
    },
    #[error("{what} {value:?} is not valid: {why}")]
    Invalid {
        what: &'static str,
        value: String,
        why: String,
    },
}

fn invalid(what: &'static str, value: &str, why: impl Into<String>) -> TemplateError {
    TemplateError::Invalid {
        what,
        value: value.to_string(),
        why: why.into(),
    }
}

fn check(action: &str, resource: &str) -> RequestedAction {
    RequestedAction {
        action: action.to_string(),
        resource: resource.to_string(),
    }
}

/// The geographic prefixes of Bedrock's cross-region inference profiles (`us.anthropic...`).
const PROFILE_PREFIXES: &[&str] = &["us", "eu", "apac", "us-gov", "global", "jp", "au", "ca"];

/// A Bedrock model id (`anthropic.claude-3-5-sonnet-20240620-v1:0`), an inference profile id
/// (`us.anthropic...`) or a model or profile ARN.
pub fn validate_model(id: &str) -> Result<(), TemplateError> {
    let what = "model id";
    if id.is_empty() || id.len() > 2048 {
        return Err(invalid(what, id, "it must have 1 to 2048 characters"));
    }
    if id.contains('*') || id.contains('?') {
        return Err(invalid(
            what,
            id,
            "wildcards are not granted by a template; name the model",
        ));
    }
    if id.starts_with("arn:") {
        let arn = crate::model::arn::Arn::parse(id)
            .filter(|a| a.service == "bedrock" && !a.resource.is_empty());
        return match arn {
            Some(_) => Ok(()),
            None => Err(invalid(what, id, "an ARN here must be a Bedrock ARN")),
        };
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    {
        return Err(invalid(
            what,
            id,
            "a model id has letters, digits, '.', '-', '_' and ':' only",
        ));
    }
    if !id.contains('.') {
        return Err(invalid(
            what,
            id,
            "a model id names its provider first, like anthropic.claude-3-haiku-20240307-v1:0",
        ));
    }
    Ok(())
}

/// The ARNs `bedrock:InvokeModel` needs for `id`: the model's; for an inference profile the
/// profile's and its model's in every Region the profile routes to (Bedrock user guide,
/// "Prerequisites for inference profiles").
fn model_resources(id: &str, place: &Place) -> Vec<String> {
    let Place {
        partition,
        region,
        account,
    } = place;
    if id.starts_with("arn:") {
        return vec![id.to_string()];
    }
    match id.split_once('.') {
        Some((geo, base)) if PROFILE_PREFIXES.contains(&geo) && base.contains('.') => vec![
            format!("arn:{partition}:bedrock:{region}:{account}:inference-profile/{id}"),
            format!("arn:{partition}:bedrock:*::foundation-model/{base}"),
        ],
        _ => vec![format!(
            "arn:{partition}:bedrock:{region}::foundation-model/{id}"
        )],
    }
}

/// S3's bucket naming rules (S3 user guide, "General purpose bucket naming rules").
pub fn validate_bucket(name: &str) -> Result<(), TemplateError> {
    let what = "bucket name";
    let bad = |why: &str| Err(invalid(what, name, why));
    if !(3..=63).contains(&name.len()) {
        return bad("it must have 3 to 63 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
    {
        return bad("only lower-case letters, digits, '.' and '-'");
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge(name.chars().next()) || !edge(name.chars().last()) {
        return bad("it must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return bad("no two adjacent periods");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return bad("it must not look like an IP address");
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") || name.starts_with("amzn-s3-demo-")
    {
        return bad("that prefix is reserved");
    }
    if name.ends_with("-s3alias") || name.ends_with("--ol-s3") || name.ends_with("--x-s3") {
        return bad("that suffix is reserved");
    }
    Ok(())
}

pub fn validate_prefix(prefix: &str) -> Result<String, TemplateError> {
    if prefix.contains('*') || prefix.contains('?') {
        return Err(invalid(
            "prefix",
            prefix,
            "wildcards are not granted by a template; give the key prefix",
        ));
    }
    if prefix.len() > 1024 || prefix.chars().any(char::is_control) {
        return Err(invalid(
            "prefix",
            prefix,
            "an object key prefix has at most 1024 printable characters",
        ));
    }
    Ok(prefix.trim_start_matches('/').to_string())
}

/// Secrets Manager names: 1-512 of letters, digits and `/_+=.@-` (or a secret's ARN).
pub fn validate_secret(name: &str) -> Result<(), TemplateError> {
    let what = "secret name";
    if name.contains(['*', '?']) {
        return Err(invalid(
            what,
            name,
            "wildcards are not granted by a template; name the secret",
        ));
    }
    if name.starts_with("arn:") {
        return match crate::model::arn::Arn::parse(name) {
            Some(a) if a.service == "secretsmanager" && a.resource.starts_with("secret:") => Ok(()),
            _ => Err(invalid(what, name, "an ARN here must be a secret's ARN")),
        };
    }
    if name.is_empty() || name.len() > 512 {
        return Err(invalid(what, name, "it must have 1 to 512 characters"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
    {
        return Err(invalid(
            what,
            name,
            "letters, digits and /_+=.@- only (no wildcards)",
        ));
    }
    Ok(())
}

/// `template` filled with `params` for `place`.
pub fn policy(
    template: Template,
    params: &Parameters,
    place: &Place,
) -> Result<Filled, TemplateError> {
    let p = &place.partition;
    let (document, checks) = match template {
        Template::BedrockInvoke => {
            if params.models.is_empty() {
                return Err(TemplateError::Missing {
                    template: template.name(),
                    what: "at least one --model ID",
                });
            }
            let mut resources = Vec::new();
            for m in &params.models {
                validate_model(m)?;
                for r in model_resources(m, place) {
                    if !resources.contains(&r) {
                        resources.push(r);
                    }
                }
            }
            let actions = [
                "bedrock:InvokeModel",
                "bedrock:InvokeModelWithResponseStream",
            ];
            let checks = params
                .models
                .iter()
                .filter_map(|m| model_resources(m, place).into_iter().next())
                .flat_map(|r| actions.map(|a| check(a, &r)))
                .collect();
            (
                json!({"Version": "2012-10-17", "Statement": [{
                    "Sid": "BedrockInvoke",
                    "Effect": "Allow",
                    "Action": actions,
                    "Resource": resources,
                }]}),
                checks,
            )
        }
        Template::S3Read | Template::S3ReadWrite => {
            let Some(bucket) = params.bucket.as_deref() else {
                return Err(TemplateError::Missing {
                    template: template.name(),
                    what: "--bucket NAME",
                });
            };
            validate_bucket(bucket)?;
            let prefix = params
                .prefix
                .as_deref()
                .map(validate_prefix)
                .transpose()?
                .unwrap_or_default();
            let objects = format!("arn:{p}:s3:::{bucket}/{prefix}*");
            let bucket_arn = format!("arn:{p}:s3:::{bucket}");
            let mut object_actions = vec!["s3:GetObject"];
            if template == Template::S3ReadWrite {
                object_actions.extend(["s3:PutObject", "s3:DeleteObject"]);
            }
            let mut list = json!({
                "Sid": "ListBucket",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
            });
            // Listing is limited to the prefix (S3 user guide: the s3:prefix condition key).
            if !prefix.is_empty() {
                list["Condition"] = json!({"StringLike": {"s3:prefix": [format!("{prefix}*")]}});
            }
            let sample = format!("arn:{p}:s3:::{bucket}/{prefix}kubectl-irsa-check");
            let mut checks: Vec<RequestedAction> =
                object_actions.iter().map(|a| check(a, &sample)).collect();
            if prefix.is_empty() {
                checks.push(check("s3:ListBucket", &bucket_arn));
            }
            (
                json!({"Version": "2012-10-17", "Statement": [
                    {"Sid": "Objects", "Effect": "Allow", "Action": object_actions, "Resource": objects},
                    list,
                ]}),
                checks,
            )
        }
        Template::SecretsRead => {
            if params.secrets.is_empty() {
                return Err(TemplateError::Missing {
                    template: template.name(),
                    what: "at least one --secret NAME",
                });
            }
            let mut resources = Vec::new();
            let mut checks = Vec::new();
            for s in &params.secrets {
                validate_secret(s)?;
                // Secrets Manager appends six random characters to a secret's ARN: `-??????`
                // matches exactly those (Secrets Manager user guide, "Resource: secret ARN").
                let (arn, sample) = if s.starts_with("arn:") {
                    (s.clone(), s.clone())
                } else {
                    let base = format!(
                        "arn:{p}:secretsmanager:{}:{}:secret:{s}",
                        place.region, place.account
                    );
                    (format!("{base}-??????"), format!("{base}-AbCdEf"))
                };
                resources.push(arn);
                checks.push(check("secretsmanager:GetSecretValue", &sample));
            }
            (
                json!({"Version": "2012-10-17", "Statement": [{
                    "Sid": "ReadSecrets",
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": resources,
                }]}),
                checks,
            )
        }
    };
    Ok(Filled {
        template,
        document,
        checks,
    })
}

/// Whether `arn` is an AWS managed policy granting a whole service (or everything): allowed
/// only with a warning.
pub fn is_broad_managed_policy(arn: &str) -> bool {
    let Some(name) = arn.split(":policy/").nth(1) else {
        return false;
    };
    arn.contains(":iam::aws:")
        && (name.ends_with("FullAccess")
            || name == "AdministratorAccess"
            || name == "PowerUserAccess")
}

#[cfg(test)]
#[path = "setup_policy_tests.rs"]
mod tests;
