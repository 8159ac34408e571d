//! The `permissions` link: the role has permission policies (attached, inline), and each
//! `--action/--resource` the user names is allowed through the identity policies, the
//! permissions boundary and the association's session policy, or the statement that denies it
//! is shown (field guide E27, E29).

use std::rc::Rc;

use super::fix_document::{self, Edit};
use super::trust_render::{self as render, statement_evidence};
use crate::diagnose::context::Ctx;
use crate::diagnose::policy_cache::ParsedPolicy;
use crate::model::arn::Arn;
use crate::model::aws::{IamRole, PodIdentityAssociation};
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;
use crate::model::command::{CommandLine, placeholder};
use crate::model::report::RequestedAction;
use crate::policy::{
    Decision, Effect, Mismatch, NamedPolicy, PolicyKind, PolicyRole, Request, RequestContext,
    RequestPrincipal, decode_document, evaluate_identity, parse_policy,
};

struct Loaded {
    name: String,
    parsed: Rc<ParsedPolicy>,
}

pub fn check(ctx: &Ctx, role: &IamRole, assoc: Option<&PodIdentityAssociation>) -> LinkReport {
    let link = LinkName::Permissions;
    let iam = &ctx.ix.snap.aws.iam;
    let mut findings = Vec::new();
    let mut unknown = Vec::new();
    let mut loaded: Vec<Loaded> = Vec::new();

    match role.inline_policies.known() {
        Some(list) => loaded.extend(list.iter().map(|p| Loaded {
            name: format!("inline policy {} of {}", p.name, role.name),
            parsed: ctx.ix.policies.identity(&p.document),
        })),
        None => unknown.push(format!(
            "the inline policies of {} (`{}`)",
            role.name,
            CommandLine::aws(["iam", "list-role-policies", "--role-name", &role.name])
        )),
    }
    let attached_count = match role.attached_policies.known() {
        Some(list) => {
            for p in list {
                match iam
                    .managed_policies
                    .get(&p.arn)
                    .and_then(|m| m.default_document.as_ref())
                {
                    Some(doc) => loaded.push(Loaded {
                        name: format!("managed policy {} ({})", p.name, p.arn),
                        parsed: ctx.ix.policies.identity(doc),
                    }),
                    // Two commands, not a substitution: the version id is what the first prints.
                    None => unknown.push(format!(
                        "the default version of {} (`{}` names it, `{}` prints it)",
                        p.name,
                        CommandLine::aws([
                            "iam",
                            "get-policy",
                            "--policy-arn",
                            &p.arn,
                            "--query",
                            "Policy.DefaultVersionId",
                            "--output",
                            "text"
                        ]),
                        CommandLine::aws([
                            "iam",
                            "get-policy-version",
                            "--policy-arn",
                            &p.arn,
                            "--version-id",
                            placeholder::VERSION_ID
                        ]),
                    )),
                }
            }
            list.len()
        }
        None => {
            unknown.push(format!(
                "the attached policies of {} (`{}`)",
                role.name,
                CommandLine::aws([
                    "iam",
                    "list-attached-role-policies",
                    "--role-name",
                    &role.name
                ])
            ));
            0
        }
    };
    let inline_count = role.inline_policies.known().map(Vec::len).unwrap_or(0);
    let boundary: Option<Loaded> = match role.permissions_boundary.known() {
        Some(Some(arn)) => match iam
            .managed_policies
            .get(arn)
            .and_then(|m| m.default_document.as_ref())
        {
            Some(doc) => Some(Loaded {
                name: format!("permissions boundary {arn}"),
                parsed: ctx.ix.policies.identity(doc),
            }),
            None => {
                unknown.push(format!(
                    "the permissions boundary {arn} (`aws iam get-policy-version`)"
                ));
                None
            }
        },
        Some(None) => None,
        None => {
            if !ctx.actions.is_empty() {
                unknown.push(format!(
                    "whether {} has a permissions boundary (`{}`)",
                    role.name,
                    CommandLine::aws(["iam", "get-role", "--role-name", &role.name])
                ));
            }
            None
        }
    };
    let session: Option<Loaded> = assoc
        .and_then(|a| a.session_policy.as_ref())
        .map(|doc| Loaded {
            name: "the association's session policy".to_string(),
            parsed: ctx.ix.policies.identity(doc),
        });

    for l in loaded.iter().chain(boundary.iter()).chain(session.iter()) {
        if let Some(f) = render::invalid_policy_finding(&l.name, &l.parsed, false) {
            findings.push(f);
        }
    }
    if role.inline_policies.is_known()
        && role.attached_policies.is_known()
        && inline_count + attached_count == 0
    {
        findings.push(
            Finding::error(codes::NO_POLICIES, format!("role {} has no permission policies: every AWS call the workload makes is denied (`AccessDenied ... is not authorized to perform`), unless a resource policy grants it", role.name))
                .evidence(Evidence::new(format!("IAM role {}", role.name)).field("AttachedManagedPolicies, RolePolicyList").value("(none)"))
                .fix(Fix::new("attach a policy with the actions the workload needs").command(CommandLine::aws(["iam", "attach-role-policy", "--role-name", &role.name, "--policy-arn", placeholder::POLICY_ARN])))
                .reference("E27"),
        );
    }
    admin_lint(&loaded, &mut findings);

    let valid: Vec<NamedPolicy> = loaded
        .iter()
        .filter_map(|l| {
            l.parsed
                .result
                .as_ref()
                .ok()
                .map(|p| NamedPolicy::new(l.name.clone(), p))
        })
        .collect();
    let boundary_np = boundary.as_ref().and_then(|b| {
        b.parsed
            .result
            .as_ref()
            .ok()
            .map(|p| NamedPolicy::new(b.name.clone(), p))
    });
    let session_np = session.as_ref().and_then(|s| {
        s.parsed
            .result
            .as_ref()
            .ok()
            .map(|p| NamedPolicy::new(s.name.clone(), p))
    });
    let mut allowed = 0;
    for req in ctx.actions {
        if !unknown.is_empty() {
            break;
        }
        let request = build_request(ctx, role, assoc, req);
        let eval = evaluate_identity(&valid, boundary_np.as_ref(), session_np.as_ref(), &request);
        let Some(a) = eval.actions.first() else {
            continue;
        };
        let find = |policy: &str| {
            loaded
                .iter()
                .chain(boundary.iter())
                .chain(session.iter())
                .find(|l| l.name == policy)
        };
        match a.decision {
            Decision::Allow => {
                allowed += 1;
                let mut f = Finding::info(
                    codes::PERMISSION_ALLOWED,
                    format!("{} on {} is allowed", req.action, req.resource),
                );
                for r in a.deciding.iter().filter(|r| r.role == PolicyRole::Identity) {
                    if let Some(st) = find(&r.policy)
                        .and_then(|l| l.parsed.result.as_ref().ok())
                        .and_then(|p| p.statements.get(r.index).map(|s| (p, s)))
                    {
                        f = f.evidence(statement_evidence(&r.policy, st.0, st.1));
                    }
                }
                findings.push(f);
            }
            Decision::ExplicitDeny => {
                let mut f = Finding::error(
                    codes::PERMISSION_EXPLICIT_DENY,
                    format!("{} on {} is explicitly denied", req.action, req.resource),
                )
                .reference("E27");
                for r in &a.deciding {
                    if let Some((p, st)) = find(&r.policy)
                        .and_then(|l| l.parsed.result.as_ref().ok())
                        .and_then(|p| p.statements.get(r.index).map(|s| (p, s)))
                    {
                        f.message
                            .push_str(&format!(" by {} of {}", st.describe(), r.policy));
                        f = f.evidence(statement_evidence(&r.policy, p, st));
                    }
                }
                findings.push(f.fix(Fix::new(
                    "narrow the Deny statement or exclude this resource from it",
                )));
            }
            Decision::ImplicitDeny => {
                findings.push(implicit_denial(role, assoc, req, a, &loaded, &request))
            }
        }
    }
    if !unknown.is_empty() {
        let sev_unknown = !ctx.actions.is_empty() || (inline_count + attached_count == 0);
        let msg = format!("not collected: {}", unknown.join("; "));
        findings.push(if sev_unknown {
            Finding::unknown(codes::POLICY_NOT_COLLECTED, msg)
        } else {
            Finding::info(codes::POLICY_NOT_COLLECTED, msg)
        });
    }
    let summary = if ctx.actions.is_empty() {
        format!(
            "{}: {attached_count} attached, {inline_count} inline",
            crate::model::words::count(attached_count + inline_count, "policy", "policies")
        )
    } else {
        format!(
            "{allowed}/{} requested {} allowed",
            ctx.actions.len(),
            crate::model::words::noun(ctx.actions.len(), "action", "actions")
        )
    };
    LinkReport::from_findings(link, summary, findings)
}

fn build_request(
    ctx: &Ctx,
    role: &IamRole,
    assoc: Option<&PodIdentityAssociation>,
    req: &RequestedAction,
) -> Request {
    let account = Arn::parse(&role.arn).map(|a| a.account).unwrap_or_default();
    let mut context = RequestContext::new()
        .with("aws:PrincipalArn", role.arn.clone())
        .with("aws:PrincipalAccount", account.clone())
        .with("aws:PrincipalType", "AssumedRole");
    if let Some(id) = &role.role_id {
        context = context.with("aws:userid", format!("{id}:session"));
    }
    for (k, v) in &role.tags {
        context = context.with(format!("aws:PrincipalTag/{k}"), v.clone());
    }
    // Pod Identity session tags take precedence over role tags with the same key.
    if let Some(a) = assoc.filter(|a| a.disable_session_tags != Some(true)) {
        let _ = a;
        for (k, v) in super::trust_pod_identity::session_tags(ctx) {
            context.insert(format!("aws:PrincipalTag/{k}"), vec![v]);
        }
    }
    let region = Arn::parse(&req.resource)
        .map(|a| a.region)
        .filter(|r| !r.is_empty())
        .or_else(|| ctx.ix.cluster.as_ref().map(|c| c.region.clone()));
    if let Some(r) = region {
        context = context.with("aws:RequestedRegion", r);
    }
    let session = format!("arn:aws:sts::{account}:assumed-role/{}/session", role.name);
    Request::new()
        .principal(RequestPrincipal::Aws(session))
        .action(req.action.clone())
        .resource(req.resource.clone())
        .context(context)
}

/// The inline policy the grant fix writes. `put-role-policy` replaces a policy of that name, so
/// one left by an earlier fix keeps its statements and gets the new one added.
const GRANT_POLICY: &str = "kubectl-irsa-grant";

/// The fix of an action no policy allows: `put-role-policy` with the whole document inline,
/// proved to allow `request` on its own.
fn grant_fix(role: &IamRole, req: &RequestedAction, request: &Request) -> Fix {
    let words = format!(
        "allow {} on {} in a policy of {}",
        req.action, req.resource, role.name
    );
    let statement = serde_json::json!({
        "Effect": "Allow",
        "Action": req.action,
        "Resource": req.resource,
    });
    let earlier = role
        .inline_policies
        .known()
        .and_then(|list| list.iter().find(|p| p.name == GRANT_POLICY));
    let document = match earlier {
        Some(p) => decode_document(&p.document.0)
            .ok()
            .and_then(|text| fix_document::edited(&text, &[Edit::AddStatement(statement)])),
        None => serde_json::to_string(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [statement],
        }))
        .ok(),
    };
    let proved = document.filter(|d| {
        parse_policy(d, PolicyKind::Identity).is_ok_and(|p| {
            let grant = [NamedPolicy::new(GRANT_POLICY, &p)];
            evaluate_identity(&grant, None, None, request).decision == Decision::Allow
        })
    });
    let Some(document) = proved else {
        return Fix::new(words);
    };
    let how = if earlier.is_some() {
        format!("; the command adds a statement to its inline policy {GRANT_POLICY}")
    } else {
        format!("; the command adds the inline policy {GRANT_POLICY}")
    };
    Fix::new(words + &how)
        .command(fix_document::put_role_policy_command(
            &role.name,
            GRANT_POLICY,
            &document,
        ))
        .change(crate::model::plan::Change::PutRolePolicy {
            role_name: role.name.clone(),
            policy_name: GRANT_POLICY.to_string(),
            document,
        })
}

fn implicit_denial(
    role: &IamRole,
    assoc: Option<&PodIdentityAssociation>,
    req: &RequestedAction,
    a: &crate::policy::ActionEvaluation,
    loaded: &[Loaded],
    request: &Request,
) -> Finding {
    let identity_allows = a
        .statements
        .iter()
        .any(|t| t.role == PolicyRole::Identity && t.matched && t.effect == Effect::Allow);
    if identity_allows && a.boundary_allowed == Some(false) {
        return Finding::error(codes::PERMISSION_BOUNDARY_DENY, format!("{} on {} is allowed by the role's policies but not by its permissions boundary; both must allow it", req.action, req.resource))
            .fix(Fix::new("add the action to the permissions boundary, or remove the boundary"))
            .reference("E27");
    }
    if identity_allows && a.session_allowed == Some(false) {
        return Finding::error(
            codes::PERMISSION_SESSION_POLICY_DENY,
            format!(
                "{} on {} is allowed by the role but not by the association's session policy",
                req.action, req.resource
            ),
        )
        .fix(Fix::new(
            "extend the session policy or remove it from the association",
        ))
        .reference("E29");
    }
    let tags_disabled = assoc.is_some_and(|x| x.disable_session_tags == Some(true));
    let mut closest: Option<(usize, String, Evidence)> = None;
    for t in a
        .statements
        .iter()
        .filter(|t| t.role == PolicyRole::Identity && t.effect == Effect::Allow)
    {
        let Some((p, st)) = loaded
            .iter()
            .find(|l| l.name == t.policy)
            .and_then(|l| l.parsed.result.as_ref().ok())
            .and_then(|p| p.statements.get(t.index).map(|s| (p, s)))
        else {
            continue;
        };
        let action_ok = !t
            .mismatches
            .iter()
            .any(|m| matches!(m, Mismatch::Action { .. }));
        if !action_ok {
            continue;
        }
        let why: Vec<String> = t
            .mismatches
            .iter()
            .map(|m| match m {
                Mismatch::Resource { expected, .. } => {
                    format!("it covers {} and not {}", expected.join(", "), req.resource)
                }
                Mismatch::Condition(cf) => {
                    let abac = cf.key.to_ascii_lowercase().starts_with("aws:principaltag/")
                        && tags_disabled;
                    format!(
                        "condition `{} {}` fails ({}){}",
                        cf.operator,
                        cf.key,
                        cf.reason,
                        if abac {
                            "; the association disables session tags, so this tag is absent"
                        } else {
                            ""
                        }
                    )
                }
                other => crate::policy::describe_mismatch(other),
            })
            .collect();
        let score = t.mismatches.len();
        if closest.as_ref().is_none_or(|c| score < c.0) {
            closest = Some((
                score,
                format!(
                    "{} of {} allows {} but {}",
                    st.describe(),
                    t.policy,
                    req.action,
                    why.join("; ")
                ),
                statement_evidence(&t.policy, p, st),
            ));
        }
    }
    let abac = tags_disabled && a.statements.iter().any(|t| t.mismatches.iter().any(|m| matches!(m, Mismatch::Condition(cf) if cf.key.to_ascii_lowercase().starts_with("aws:principaltag/"))));
    let code = if abac {
        codes::ABAC_TAGS_DISABLED
    } else {
        codes::PERMISSION_DENIED
    };
    let reference = if abac { "E29" } else { "E27" };
    let f = match closest {
        Some((_, why, ev)) => Finding::error(
            code,
            format!("{} on {} is not allowed: {why}", req.action, req.resource),
        )
        .evidence(ev),
        None => Finding::error(
            code,
            format!(
                "{} on {} is not allowed: no policy of {} grants {}",
                req.action, req.resource, role.name, req.action
            ),
        ),
    };
    f.fix(grant_fix(role, req, request)).reference(reference)
}

fn admin_lint(loaded: &[Loaded], findings: &mut Vec<Finding>) {
    for l in loaded {
        let Ok(p) = &l.parsed.result else { continue };
        for st in &p.statements {
            let all_actions =
                !st.action.negated && st.action.texts().any(|a| a == "*" || a == "*:*");
            let all_resources = st
                .resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.texts().any(|x| x == "*"));
            if st.effect == Effect::Allow
                && all_actions
                && all_resources
                && st.conditions.is_empty()
            {
                findings.push(
                    Finding::warning(codes::ADMIN_ACCESS, format!("{} of {} allows every action on every resource: the workload is an account administrator", st.describe(), l.name))
                        .evidence(statement_evidence(&l.name, p, st)),
                );
            }
        }
    }
}
