//! Evidence and fix text shared by the trust and permission checks: pointing at a statement or
//! a condition of a policy document, and the statement a correct trust policy would contain.

use serde_json::{Value, json};

use crate::diagnose::policy_cache::ParsedPolicy;
use crate::model::CommandLine;
use crate::model::chain::{Evidence, Finding, Fix};
use crate::model::codes;
use crate::policy::{ErrorCode, Policy, Statement};

pub fn trust_object(role_name: &str) -> String {
    format!("IAM role {role_name} trust policy")
}

pub fn statement_evidence(object: &str, policy: &Policy, st: &Statement) -> Evidence {
    let last = st.last_line();
    Evidence::new(object)
        .field(format!(
            "Statement[{}]{}",
            st.index,
            st.sid
                .as_ref()
                .map(|s| format!(" (Sid {s})"))
                .unwrap_or_default()
        ))
        .lines(st.line, last)
        .document(policy.text.clone())
}

pub fn line_evidence(
    object: &str,
    policy: &Policy,
    field: String,
    value: String,
    line: u32,
) -> Evidence {
    Evidence::new(object)
        .field(field)
        .value(value)
        .lines(line, line)
        .document(policy.text.clone())
}

/// Points at one condition of a statement: `Statement[N].Condition.OPERATOR.KEY = value`.
pub fn condition_evidence(
    object: &str,
    policy: &Policy,
    statement: usize,
    operator: &str,
    key: &str,
    value: String,
    line: u32,
) -> Evidence {
    let field = format!("Statement[{statement}].Condition.{operator}.{key}");
    line_evidence(object, policy, field, value, line)
}

/// A document IAM would refuse (or that our parser cannot read): the finding for it.
pub fn invalid_policy_finding(object: &str, parsed: &ParsedPolicy, trust: bool) -> Option<Finding> {
    let err = parsed.result.as_ref().err()?;
    if let Some(why) = &parsed.undecodable {
        // Not a verdict on the policy: IAM holds valid JSON, this copy of it is damaged.
        let code = if trust {
            codes::TRUST_NOT_COLLECTED
        } else {
            codes::POLICY_NOT_COLLECTED
        };
        return Some(
            Finding::unknown(
                code,
                format!(
                    "{object}: the document read could not be decoded ({why}); IAM stores only valid JSON, so this copy is damaged and what IAM holds is unknown; read it again (`aws iam get-role`, `aws iam get-role-policy` or `aws iam get-policy-version`)"
                ),
            )
            .evidence(Evidence::new(object).document(parsed.display.clone())),
        );
    }
    let (code, extra) = match (err.code, trust) {
        (ErrorCode::DuplicateKey, true) => (
            codes::TRUST_DUPLICATE_KEY,
            "; most parsers keep only the last value, silently dropping a condition. To allow several service accounts, give one key a list of values",
        ),
        (ErrorCode::DuplicateKey, false) => (
            codes::POLICY_INVALID,
            "; IAM stores such a document but keeps only the last value, so the other is silently ignored",
        ),
        (_, true) => (codes::TRUST_POLICY_INVALID, ""),
        (_, false) => (codes::POLICY_INVALID, ""),
    };
    // IAM accepts a duplicated key (and drops all but the last); anything else it refuses.
    let fix = if err.code == ErrorCode::DuplicateKey {
        "merge the duplicated keys into one (a key may hold a list of values)"
    } else {
        "correct the document; IAM refuses to save it as it is"
    };
    let mut ev = Evidence::new(object).document(parsed.display.clone());
    if let Some(loc) = err.location {
        ev = ev.lines(loc.line, loc.line);
    }
    Some(
        Finding::error(
            code,
            format!(
                "the policy is not a valid IAM policy: {}{extra}",
                err.reason
            ),
        )
        .evidence(ev)
        .fix(Fix::new(fix))
        .reference("D24"),
    )
}

/// The IRSA trust statement for one service account, as AWS documents it.
pub fn irsa_statement(provider_arn: &str, issuer: &str, subject: &str, audience: &str) -> Value {
    let mut equals = serde_json::Map::new();
    equals.insert(format!("{issuer}:sub"), subject.into());
    equals.insert(format!("{issuer}:aud"), audience.into());
    json!({
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": equals},
    })
}

/// The Pod Identity trust statement, scoped to the cluster's account as AWS recommends.
pub fn pod_identity_statement(account: Option<&str>) -> Value {
    let mut st = json!({
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    });
    if let (Some(acct), Some(obj)) = (account, st.as_object_mut()) {
        obj.insert(
            "Condition".into(),
            json!({"StringEquals": {"aws:SourceAccount": acct}}),
        );
    }
    st
}

/// The Pod Identity trust statement for one service account of one cluster, for a role made
/// for it: scoped to the account and the cluster (`aws:SourceAccount`, `aws:SourceArn`, the
/// confused-deputy conditions) and to the service account by the session tags EKS sets (EKS
/// user guide, "Create an IAM role for Pod Identity"; field guide §3.1 (d)).
pub fn pod_identity_statement_for(account: &str, cluster_arn: &str, ns: &str, sa: &str) -> Value {
    json!({
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {
            "StringEquals": {
                "aws:SourceAccount": account,
                "aws:RequestTag/kubernetes-namespace": ns,
                "aws:RequestTag/kubernetes-service-account": sa,
            },
            "ArnEquals": {"aws:SourceArn": cluster_arn},
        },
    })
}

/// A statement as the fix's words show it: the JSON the command's document holds.
pub fn statement_text(st: &Value) -> String {
    st.to_string()
}

/// The role's trust policy parsed (once per run), or the link report saying why the trust
/// link cannot be judged: not collected (unknown) or a document IAM would refuse (broken).
pub fn load_trust(
    ctx: &crate::diagnose::context::Ctx,
    role: &crate::model::aws::IamRole,
    object: &str,
) -> Result<std::rc::Rc<ParsedPolicy>, crate::model::chain::LinkReport> {
    use crate::model::chain::{LinkName, LinkReport};
    let Some(text) = &role.trust_policy else {
        return Err(LinkReport::from_findings(
            LinkName::Trust,
            "trust policy not collected",
            vec![Finding::unknown(
                codes::TRUST_NOT_COLLECTED,
                format!(
                    "the trust policy of {} was not collected; `{}` prints it",
                    role.name,
                    CommandLine::aws(["iam", "get-role", "--role-name", &role.name])
                ),
            )],
        ));
    };
    let parsed = ctx.ix.policies.trust(text);
    if let Some(f) = invalid_policy_finding(object, &parsed, true) {
        return Err(LinkReport::from_findings(
            LinkName::Trust,
            "invalid trust policy",
            vec![f],
        ));
    }
    Ok(parsed)
}
