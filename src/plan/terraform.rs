//! A plan as Terraform, for teams whose IAM and cluster objects live in code (`-o terraform`):
//! each step as the resource of the `aws` or `kubernetes` provider that holds the same change
//! (`aws_iam_role_policy`, `aws_iam_openid_connect_provider`,
//! `aws_eks_pod_identity_association`, `kubernetes_annotations`, ...), an object that exists
//! already preceded by its `import` block. What Terraform does not express (a one-off restart,
//! a delete, a workload's service account set in its own manifest) is a comment saying what
//! to do. Pure: the plan's steps hold everything needed.
//!
//! An imported object is written whole: Terraform changes whatever the configuration leaves
//! out (an `aws_iam_role` without its `path` is even replaced, `path` forcing a new resource;
//! without its `tags` or `permissions_boundary` they are removed). So a role carries what the
//! step's [`Unchanged`] read, and a comment names what could not be read, to copy from
//! `aws iam get-role` before `terraform plan`.
//!
//! To add a change: its block here, with its required arguments and its import id as the
//! provider documents it (tests in `terraform_tests.rs` check both for every kind).

use crate::model::plan::{Change, Plan, Step, Unchanged};

/// An HCL string literal: JSON's escapes, plus `$${` and `%%{` so that nothing in a value
/// (written by someone else) is read as an interpolation or a template directive.
fn string(value: &str) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_string());
    json.replace("${", "$${").replace("%{", "%%{")
}

/// A resource name from free text: lower-case letters, digits and `_`, starting with a letter.
fn name(parts: &[&str]) -> String {
    let mut out: String = parts
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "r_");
    }
    out
}

/// A policy document as HCL: `jsonencode` of the decoded JSON when it parses (so Terraform
/// compares documents, not whitespace), else the text as a string.
fn document(text: &str) -> String {
    let decoded = crate::policy::decode_document(text)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| text.to_string());
    match serde_json::from_str::<serde_json::Value>(&decoded) {
        Ok(v) => format!("jsonencode({})", hcl_value(&v, 2)),
        Err(_) => string(&decoded),
    }
}

fn hcl_value(v: &serde_json::Value, depth: usize) -> String {
    let pad = "  ".repeat(depth);
    let close = "  ".repeat(depth.saturating_sub(1));
    match v {
        serde_json::Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{pad}{} = {}", string(k), hcl_value(v, depth + 1)))
                .collect();
            format!("{{\n{}\n{close}}}", items.join("\n"))
        }
        serde_json::Value::Array(list) => {
            let items: Vec<String> = list.iter().map(|v| hcl_value(v, depth + 1)).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::String(s) => string(s),
        other => other.to_string(),
    }
}

/// `tags = { ... }` at two spaces, or nothing for none.
fn tags(tags: &std::collections::BTreeMap<String, String>) -> String {
    if tags.is_empty() {
        return String::new();
    }
    let items: Vec<String> = tags
        .iter()
        .map(|(k, v)| format!("    {} = {}\n", string(k), string(v)))
        .collect();
    format!("  tags = {{\n{}  }}\n", items.concat())
}

/// The comment naming the attributes of an imported object that were not read.
fn unread(unchanged: Option<&Unchanged>, fallback: &[&str], read_with: &str) -> String {
    let names: Vec<String> = match unchanged {
        Some(u) => u.unread.clone(),
        None => fallback.iter().map(|s| s.to_string()).collect(),
    };
    if names.is_empty() {
        return String::new();
    }
    format!(
        "  # Not read by kubectl-irsa: {}. Copy them here from `{read_with}` before `terraform plan`:\n  # left out, Terraform removes or resets them on the imported object.\n",
        names.join(", ")
    )
}

/// A role's path: as read, else from its ARN (`role/PATH/NAME`), else `None`.
fn role_path(step: &Step) -> Option<String> {
    if let Some(path) = step.unchanged.as_ref().and_then(|u| u.path.clone()) {
        return Some(path);
    }
    let arn = step.object.arn.as_deref()?;
    let resource = arn.split_once(":role/")?.1;
    Some(match resource.rsplit_once('/') {
        Some((path, _)) => format!("/{path}/"),
        None => "/".to_string(),
    })
}

/// The imported role, whole, with its new trust document.
fn role_block(step: &Step, role_name: &str, doc: &str) -> String {
    let n = name(&[role_name]);
    let id = string(role_name);
    let kept = step.unchanged.as_ref();
    let mut body = format!("  name                 = {id}\n");
    match role_path(step) {
        Some(path) => body.push_str(&format!("  path                 = {}\n", string(&path))),
        // Without it Terraform assumes "/", and a role on another path would be replaced.
        None => body.push_str("  # path: not read; set it to the role's path (`aws iam get-role`): `path` forces a new role\n"),
    }
    if let Some(boundary) = kept.and_then(|u| u.permissions_boundary.as_deref()) {
        body.push_str(&format!("  permissions_boundary = {}\n", string(boundary)));
    }
    body.push_str(&format!("  assume_role_policy   = {}\n", document(doc)));
    body.push_str(&tags(&kept.map(|u| u.tags.clone()).unwrap_or_default()));
    body.push_str(&unread(
        kept,
        &[
            "tags",
            "permissions_boundary",
            "description",
            "max_session_duration",
        ],
        &crate::model::CommandLine::aws(["iam", "get-role", "--role-name", role_name]).render(),
    ));
    format!(
        "import {{\n  to = aws_iam_role.{n}\n  id = {id}\n}}\n\nresource \"aws_iam_role\" \"{n}\" {{\n{body}}}\n"
    )
}

/// Whether the ServiceAccount held annotation `key` before the step (as YAML in `before`).
fn annotated_before(step: &Step, key: &str) -> bool {
    step.before
        .as_deref()
        .and_then(|yaml| serde_saphyr::from_str::<serde_json::Value>(yaml).ok())
        .is_some_and(|v| v["metadata"]["annotations"].get(key).is_some())
}

fn block(step: &Step) -> String {
    let existed = step.before.is_some();
    match &step.change {
        Change::AnnotateServiceAccount {
            namespace,
            name: sa,
            key,
            value: Some(value),
        } => format!(
            "resource \"kubernetes_annotations\" \"{}\" {{\n  api_version = \"v1\"\n  kind        = \"ServiceAccount\"\n  metadata {{\n    name      = {}\n    namespace = {}\n  }}\n  annotations = {{\n    {} = {}\n  }}\n{}}}\n",
            name(&["sa", namespace, sa]),
            string(sa),
            string(namespace),
            string(key),
            string(value),
            // The annotation exists already, owned by whoever wrote it (kubectl, Helm):
            // server-side apply refuses to take it over without `force`.
            if annotated_before(step, key) {
                "  # It exists with another value, set by another field manager: take it over.\n  force = true\n"
            } else {
                ""
            }
        ),
        Change::RolloutRestart { workload } => format!(
            "resource \"kubernetes_annotations\" \"{}\" {{\n  api_version = \"apps/v1\"\n  kind        = {}\n  metadata {{\n    name      = {}\n    namespace = {}\n  }}\n  # What `kubectl rollout restart` writes: new pods, mutated by the webhook now.\n  template_annotations = {{\n    \"kubectl.kubernetes.io/restartedAt\" = timestamp()\n  }}\n  # An earlier `kubectl rollout restart` owns the annotation: take it over.\n  force = true\n  lifecycle {{\n    ignore_changes = [template_annotations]\n  }}\n}}\n",
            name(&["restart", &workload.namespace, &workload.name]),
            string(&workload.kind),
            string(&workload.name),
            string(&workload.namespace)
        ),
        Change::PutTrustPolicy {
            role_name,
            document: doc,
        } => role_block(step, role_name, doc),
        Change::PutRolePolicy {
            role_name,
            policy_name,
            document: doc,
        } => {
            let n = name(&[role_name, policy_name]);
            let import = if existed {
                format!(
                    "import {{\n  to = aws_iam_role_policy.{n}\n  id = {}\n}}\n\n",
                    string(&format!("{role_name}:{policy_name}"))
                )
            } else {
                String::new()
            };
            format!(
                "{import}resource \"aws_iam_role_policy\" \"{n}\" {{\n  name   = {}\n  role   = {}\n  policy = {}\n}}\n",
                string(policy_name),
                string(role_name),
                document(doc)
            )
        }
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => format!(
            "resource \"aws_iam_role_policy_attachment\" \"{}\" {{\n  role       = {}\n  policy_arn = {}\n}}\n",
            name(&[
                role_name,
                policy_arn.rsplit('/').next().unwrap_or(policy_arn)
            ]),
            string(role_name),
            string(policy_arn)
        ),
        Change::CreateOidcProvider { url, client_ids } => format!(
            "resource \"aws_iam_openid_connect_provider\" \"{}\" {{\n  url            = {}\n  client_id_list = [{}]\n  # None given, IAM fetches the issuer's certificate thumbprint itself (as the plan's\n  # `aws iam create-open-id-connect-provider` does); aws provider versions that require\n  # the argument accept it empty.\n  thumbprint_list = []\n}}\n",
            name(&["oidc", url.rsplit('/').next().unwrap_or(url)]),
            string(url),
            client_ids
                .iter()
                .map(|c| string(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Change::AddClientId { provider_arn, .. } => {
            let n = name(&[
                "oidc",
                provider_arn.rsplit('/').next().unwrap_or(provider_arn),
            ]);
            let ids = step
                .after
                .as_deref()
                .and_then(|a| a.strip_prefix("clientIDList: ["))
                .and_then(|a| a.strip_suffix(']'))
                .map(|list| list.split(", ").map(string).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            let url = provider_arn
                .split_once(":oidc-provider/")
                .map(|(_, u)| format!("https://{u}"))
                .unwrap_or_default();
            let kept = step.unchanged.as_ref();
            let thumbprints = kept
                .map(|u| u.thumbprints.iter().map(|t| string(t)).collect::<Vec<_>>())
                .unwrap_or_default()
                .join(", ");
            let unread = unread(
                kept,
                &["thumbprint_list", "tags"],
                &format!(
                    "aws iam get-open-id-connect-provider --open-id-connect-provider-arn {provider_arn}"
                ),
            );
            format!(
                "import {{\n  to = aws_iam_openid_connect_provider.{n}\n  id = {arn}\n}}\n\nresource \"aws_iam_openid_connect_provider\" \"{n}\" {{\n  url             = {url}\n  client_id_list  = [{ids}]\n  thumbprint_list = [{thumbprints}]\n{unread}  # Check that `terraform plan` updates it in place: aws provider versions where\n  # client_id_list forces a new resource would replace the provider, and every role\n  # trusting it would fail until the new one exists.\n}}\n",
                arn = string(provider_arn),
                url = string(&url)
            )
        }
        Change::CreatePodIdentityAssociation {
            cluster,
            namespace,
            service_account,
            role_arn,
        } => format!(
            "resource \"aws_eks_pod_identity_association\" \"{}\" {{\n  cluster_name    = {}\n  namespace       = {}\n  service_account = {}\n  role_arn        = {}\n}}\n",
            name(&[namespace, service_account]),
            string(cluster),
            string(namespace),
            string(service_account),
            string(role_arn)
        ),
        Change::CreateRole {
            role_name,
            document: doc,
            description,
        } => format!(
            "resource \"aws_iam_role\" \"{}\" {{\n  name               = {}\n{}  assume_role_policy = {}\n}}\n",
            name(&[role_name]),
            string(role_name),
            description
                .as_deref()
                .map(|d| format!("  description        = {}\n", string(d)))
                .unwrap_or_default(),
            document(doc)
        ),
        Change::SetEnv {
            workload,
            container,
            name: var,
            value: Some(value),
        } => format!(
            "resource \"kubernetes_env\" \"{}\" {{\n  api_version = \"apps/v1\"\n  kind        = {}\n  container   = {}\n  metadata {{\n    name      = {}\n    namespace = {}\n  }}\n  env {{\n    name  = {}\n    value = {}\n  }}\n}}\n",
            name(&["env", &workload.namespace, &workload.name, container, var]),
            string(&workload.kind),
            string(container),
            string(&workload.name),
            string(&workload.namespace),
            string(var),
            string(value)
        ),
        Change::CreateAddon {
            cluster,
            name: addon,
        } => format!(
            "resource \"aws_eks_addon\" \"{}\" {{\n  cluster_name = {}\n  addon_name   = {}\n}}\n",
            name(&[addon]),
            string(cluster),
            string(addon)
        ),
        other => format!(
            "# {}: not a resource Terraform holds; remove it from your configuration or run:\n#   {}\n",
            other.action(),
            step.command.render().replace('\n', "\n#   ")
        ),
    }
}

/// The whole plan as Terraform, one block per step in plan order.
pub fn render(plan: &Plan) -> String {
    let mut out = format!(
        "# kubectl-irsa plan {} for {}: the same changes for the aws and kubernetes providers.\n",
        plan.id.replace('\n', " "),
        plan.target.replace('\n', " ")
    );
    let blocks: Vec<String> = plan.steps.iter().map(block).collect();
    let addresses: Vec<Option<String>> = blocks.iter().map(|b| address(b)).collect();
    for (i, step) in plan.steps.iter().enumerate() {
        out.push_str(&format!("\n# {}. {}\n", i + 1, step.action));
        // Terraform holds one state per resource: a resource written again by a later step
        // (a rollback puts a trust policy back after editing it) is that later block.
        let later = addresses[i].as_ref().and_then(|a| {
            addresses[i + 1..]
                .iter()
                .position(|b| b.as_ref() == Some(a))
                .map(|k| i + 2 + k)
        });
        match later {
            Some(n) => out.push_str(&format!(
                "# {} is written again by step {n}: its final state is there\n",
                addresses[i].as_deref().unwrap_or_default()
            )),
            None => out.push_str(&blocks[i]),
        }
    }
    for r in &plan.recreate {
        out.push_str(&format!(
            "\n# Then re-create {} {}/{} (no resource restarts it): {}\n#   {}\n",
            r.kind.replace('\n', " "),
            r.namespace.replace('\n', " "),
            r.name.replace('\n', " "),
            r.how.replace('\n', " "),
            r.command.render().replace('\n', "\n#   ")
        ));
    }
    out
}

/// `TYPE.NAME` of the resource a block declares.
fn address(block: &str) -> Option<String> {
    let line = block.lines().find(|l| l.starts_with("resource \""))?;
    let mut parts = line.split('"');
    let (_, kind, _, name) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    Some(format!("{kind}.{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rollback edits a trust policy and later puts it back: one `aws_iam_role` block, the
    /// final one (two with one address is an error to Terraform).
    #[test]
    fn a_resource_written_twice_is_declared_once_with_its_final_state() {
        use crate::model::CommandLine;
        use crate::model::plan::{ObjectRef, PLAN_SCHEMA_VERSION, Step, System};
        let put = |doc: &str| Step {
            system: System::Iam,
            action: "update-trust-policy".into(),
            object: ObjectRef {
                kind: "IAMRole".into(),
                namespace: None,
                name: Some("r".into()),
                arn: None,
            },
            before: Some("{}".into()),
            after: Some(doc.into()),
            command: CommandLine::aws(["iam"]),
            inverse: None,
            change: Change::PutTrustPolicy {
                role_name: "r".into(),
                document: doc.into(),
            },
            precondition: None,
            unchanged: None,
        };
        let plan = Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            id: "p".into(),
            target: "t".into(),
            steps: vec![
                put(r#"{"Statement":[{"Sid":"first"}]}"#),
                put(r#"{"Statement":[{"Sid":"second"}]}"#),
            ],
            choices: Vec::new(),
            manual: None,
            recreate: Vec::new(),
        };
        let out = render(&plan);
        assert_eq!(
            out.matches("resource \"aws_iam_role\" \"r\"").count(),
            1,
            "{out}"
        );
        assert!(
            out.contains("second") && !out.contains("\"first\""),
            "{out}"
        );
        assert!(out.contains("written again by step 2"), "{out}");
    }

    #[test]
    fn values_cannot_interpolate_and_names_are_identifiers() {
        assert_eq!(string("a${b}%{c}\"d"), r#""a$${b}%%{c}\"d""#);
        assert_eq!(name(&["shop", "my-sa"]), "shop_my_sa");
        assert_eq!(name(&["1x"]), "r_1x");
    }

    #[test]
    fn a_trust_fix_is_the_role_imported_with_its_new_document() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
        let change = Change::PutTrustPolicy {
            role_name: "app-role".into(),
            document: doc.into(),
        };
        let step = Step {
            system: change.system(),
            action: change.action().into(),
            object: crate::model::plan::ObjectRef {
                kind: "IAMRole".into(),
                namespace: None,
                name: Some("app-role".into()),
                arn: None,
            },
            before: Some("{}".into()),
            after: Some(doc.into()),
            command: crate::model::CommandLine::aws(["iam"]),
            inverse: None,
            change,
            precondition: None,
            unchanged: None,
        };
        let hcl = block(&step);
        assert!(
            hcl.contains("import {\n  to = aws_iam_role.app_role\n  id = \"app-role\""),
            "{hcl}"
        );
        assert!(hcl.contains("assume_role_policy   = jsonencode({"), "{hcl}");
        assert!(hcl.contains("\"Action\" = \"sts:AssumeRole\""), "{hcl}");
    }
}
