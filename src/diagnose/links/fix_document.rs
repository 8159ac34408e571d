//! Whole policy documents for the fix commands. `aws iam update-assume-role-policy` and
//! `put-role-policy` replace the whole document, and a command must not read a file the tool
//! does not write; so a fix carries the complete new document inline, as one argument: the
//! document read, every statement kept exactly as it was (key order included), with the fix
//! applied ([`Edit`]), minified. A trust fix is proved before it is offered: the new document is
//! parsed as IAM would and evaluated for the very request that was denied ([`trust_fix`]).
//!
//! To fix a new kind of policy problem, add an [`Edit`] (or combine the existing ones) and build
//! the [`Candidate`]s at the finding.

use serde_json::Value;

use crate::model::CommandLine;
use crate::model::chain::Fix;
use crate::policy::{
    Decision, NamedPolicy, Policy, PolicyKind, Request, TRUST_POLICY_DEFAULT_QUOTA,
    TRUST_POLICY_MAX_QUOTA, evaluate_trust, iam_length, parse_policy,
};

/// One change to a policy document. Statement indexes are those of the document read
/// ([`crate::policy::Statement::index`]), whatever the other edits do.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Appends a statement (a `Statement` object becomes a list holding it and the new one).
    AddStatement(Value),
    /// Adds `value` to the values of the condition `operator` / `key` (both as written).
    AddConditionValue {
        statement: usize,
        operator: String,
        key: String,
        value: String,
    },
    /// Adds `action` to the statement's `Action`.
    AddAction { statement: usize, action: String },
    /// Removes the statement.
    RemoveStatement(usize),
}

/// One way to fix a policy: the words and the edits they describe.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub summary: String,
    pub edits: Vec<Edit>,
}

impl Candidate {
    pub fn new(summary: impl Into<String>, edits: Vec<Edit>) -> Self {
        Candidate {
            summary: summary.into(),
            edits,
        }
    }
}

/// `value` added to a policy value that is one string or a list of strings; `false` when it is
/// neither (a number, an object), which no edit of ours changes.
fn add_value(slot: &mut Value, value: &str) -> bool {
    match slot {
        Value::String(s) if s == value => true,
        Value::String(_) => {
            let old = slot.take();
            *slot = Value::Array(vec![old, Value::String(value.to_string())]);
            true
        }
        Value::Array(items) => {
            if !items.iter().any(|v| v.as_str() == Some(value)) {
                items.push(Value::String(value.to_string()));
            }
            true
        }
        _ => false,
    }
}

/// The statement at `index` of the document's `Statement` (a list, or one object as index 0).
fn statement_mut(statements: &mut Value, index: usize) -> Option<&mut Value> {
    match statements {
        Value::Array(items) => items.get_mut(index),
        Value::Object(_) if index == 0 => Some(statements),
        _ => None,
    }
}

/// `Statement` as a list, for edits that add or remove statements.
fn as_list(statements: &mut Value) -> Option<&mut Vec<Value>> {
    if statements.is_object() {
        let one = statements.take();
        *statements = Value::Array(vec![one]);
    }
    statements.as_array_mut()
}

/// `text` (a policy document as read, decoded) with `edits` applied, as minified JSON; `None`
/// when the text is not a policy object or an edit does not find what it changes.
pub fn edited(text: &str, edits: &[Edit]) -> Option<String> {
    let mut doc: Value = serde_json::from_str(text).ok()?;
    let statements = doc.as_object_mut()?.get_mut("Statement")?;
    // In place first, by the indexes read; then removals from the last; then additions.
    for e in edits {
        match e {
            Edit::AddConditionValue {
                statement,
                operator,
                key,
                value,
            } => {
                let slot = statement_mut(statements, *statement)?
                    .get_mut("Condition")?
                    .get_mut(operator.as_str())?
                    .get_mut(key.as_str())?;
                if !add_value(slot, value) {
                    return None;
                }
            }
            Edit::AddAction { statement, action } => {
                let slot = statement_mut(statements, *statement)?.get_mut("Action")?;
                if !add_value(slot, action) {
                    return None;
                }
            }
            Edit::AddStatement(_) | Edit::RemoveStatement(_) => {}
        }
    }
    let mut removed: Vec<usize> = edits
        .iter()
        .filter_map(|e| match e {
            Edit::RemoveStatement(i) => Some(*i),
            _ => None,
        })
        .collect();
    removed.sort_unstable();
    removed.dedup();
    if !removed.is_empty() {
        let list = as_list(statements)?;
        for i in removed.into_iter().rev() {
            if i >= list.len() {
                return None;
            }
            list.remove(i);
        }
    }
    for e in edits {
        if let Edit::AddStatement(st) = e {
            as_list(statements)?.push(st.clone());
        }
    }
    serde_json::to_string(&doc).ok()
}

/// `aws iam update-assume-role-policy` writing `document` (the whole trust policy).
pub fn update_trust_command(role_name: &str, document: &str) -> CommandLine {
    CommandLine::aws([
        "iam",
        "update-assume-role-policy",
        "--role-name",
        role_name,
        "--policy-document",
        document,
    ])
}

/// `aws iam put-role-policy` writing `document` as the role's inline policy `name`.
pub fn put_role_policy_command(role_name: &str, name: &str, document: &str) -> CommandLine {
    CommandLine::aws([
        "iam",
        "put-role-policy",
        "--role-name",
        role_name,
        "--policy-name",
        name,
        "--policy-document",
        document,
    ])
}

/// Words for a new trust document longer than the quota that applies to the role (the default,
/// or the raised maximum when the stored document already exceeds the default).
fn size_note(policy: &Policy, document: &str) -> Option<String> {
    let quota = if policy.length > TRUST_POLICY_DEFAULT_QUOTA {
        TRUST_POLICY_MAX_QUOTA
    } else {
        TRUST_POLICY_DEFAULT_QUOTA
    };
    let len = iam_length(document);
    (len > quota).then(|| {
        format!(
            "; the new document has {len} characters, more than the trust policy quota of {quota}: IAM refuses it unless the quota is raised (at most {TRUST_POLICY_MAX_QUOTA})"
        )
    })
}

/// The trust document `candidate` gives from `policy`, when IAM would accept it and it lets
/// `request` assume the role.
pub fn proved_trust(policy: &Policy, candidate: &Candidate, request: &Request) -> Option<String> {
    let document = edited(&policy.text, &candidate.edits)?;
    let new = parse_policy(&document, PolicyKind::Trust).ok()?;
    let eval = evaluate_trust(&NamedPolicy::new("fixed trust policy", &new), request);
    (eval.decision == Decision::Allow).then_some(document)
}

/// The fix of the first of `candidates` whose document is proved ([`proved_trust`]): its words
/// and the command writing the whole document; `None` when none is.
pub fn trust_fix(
    role_name: &str,
    policy: &Policy,
    request: &Request,
    candidates: &[Candidate],
) -> Option<Fix> {
    candidates.iter().find_map(|c| {
        let document = proved_trust(policy, c, request)?;
        let mut summary = c.summary.clone();
        let note = size_note(policy, &document);
        if let Some(note) = &note {
            summary.push_str(note);
        }
        let fix = Fix::new(summary).command(update_trust_command(role_name, &document));
        // Over the quota IAM refuses the write: the words say so, and no plan is offered. Nor
        // is one for removing a Deny: someone wrote it on purpose, and taking it out widens
        // who may assume the role (issue 11: a fix never widens trust); the command is there
        // for whoever decides it was a mistake.
        let removes = c
            .edits
            .iter()
            .any(|e| matches!(e, Edit::RemoveStatement(_)));
        Some(match note {
            Some(_) => fix,
            None if removes => fix,
            None => fix.change(crate::model::plan::Change::PutTrustPolicy {
                role_name: role_name.to_string(),
                document,
            }),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "B", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
     "Action": "sts:AssumeRoleWithWebIdentity",
     "Condition": {"StringEquals": {"x:sub": "system:serviceaccount:a:b", "x:aud": ["sts.amazonaws.com"]}}}
  ]
}"#;

    fn statements(doc: &str) -> Vec<Value> {
        let v: Value = serde_json::from_str(doc).unwrap();
        match &v["Statement"] {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        }
    }

    #[test]
    fn a_condition_value_is_added_and_everything_else_kept_in_order() {
        let out = edited(
            DOC,
            &[Edit::AddConditionValue {
                statement: 1,
                operator: "StringEquals".into(),
                key: "x:sub".into(),
                value: "system:serviceaccount:a:c".into(),
            }],
        )
        .unwrap();
        assert_eq!(
            out,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"B","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x:sub":["system:serviceaccount:a:b","system:serviceaccount:a:c"],"x:aud":["sts.amazonaws.com"]}}}]}"#
        );
    }

    #[test]
    fn a_single_statement_object_becomes_a_list_when_one_is_added() {
        let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}}"#;
        let new = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"});
        let out = edited(doc, &[Edit::AddStatement(new.clone())]).unwrap();
        assert_eq!(statements(&out), vec![statements(doc)[0].clone(), new]);
    }

    #[test]
    fn statements_are_removed_by_their_original_index() {
        let out = edited(
            DOC,
            &[
                Edit::RemoveStatement(0),
                Edit::AddAction {
                    statement: 1,
                    action: "sts:TagSession".into(),
                },
            ],
        )
        .unwrap();
        let st = statements(&out);
        assert_eq!(st.len(), 1);
        assert_eq!(
            st[0]["Action"],
            json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
        );
    }

    #[test]
    fn an_edit_that_finds_nothing_gives_no_document() {
        for e in [
            Edit::RemoveStatement(5),
            Edit::AddAction {
                statement: 3,
                action: "a".into(),
            },
            Edit::AddConditionValue {
                statement: 1,
                operator: "StringLike".into(),
                key: "x:sub".into(),
                value: "v".into(),
            },
        ] {
            assert_eq!(edited(DOC, std::slice::from_ref(&e)), None, "{e:?}");
        }
        assert_eq!(edited("not json", &[]), None);
        assert_eq!(edited("[1]", &[]), None);
    }

    #[test]
    fn values_from_the_cluster_stay_json_strings() {
        let hostile = "system:serviceaccount:a:\"},\"Effect\":\"Deny";
        let out = edited(
            DOC,
            &[Edit::AddConditionValue {
                statement: 1,
                operator: "StringEquals".into(),
                key: "x:sub".into(),
                value: hostile.into(),
            }],
        )
        .unwrap();
        let st = statements(&out);
        assert_eq!(st[1]["Condition"]["StringEquals"]["x:sub"][1], hostile);
        assert_eq!(st[1]["Effect"], "Allow");
    }
}
