//! A plan as Terraform, for teams whose IAM and cluster objects live in code (`-o terraform`):
//! each step as the resource of the `aws` or `kubernetes` provider that holds the same change
//! (`aws_iam_role_policy`, `aws_iam_openid_connect_provider`,
//! `aws_eks_pod_identity_association`, `kubernetes_annotations`, ...), an object that exists
//! already preceded by its `import` block. What Terraform does not express (a one-off restart,
//! a delete, a workload's service account set in its own manifest) is a comment saying what
//! to do. Pure: the plan's steps hold everything needed.
//!
//! To add a change: its block here, with its import id as the provider documents it.

use crate::model::plan::{Change, Plan, Step};

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

fn block(step: &Step) -> String {
    let existed = step.before.is_some();
    match &step.change {
        Change::AnnotateServiceAccount {
            namespace,
            name: sa,
            key,
            value: Some(value),
        } => format!(
            "resource \"kubernetes_annotations\" \"{}\" {{\n  api_version = \"v1\"\n  kind        = \"ServiceAccount\"\n  metadata {{\n    name      = {}\n    namespace = {}\n  }}\n  annotations = {{\n    {} = {}\n  }}\n}}\n",
            name(&["sa", namespace, sa]),
            string(sa),
            string(namespace),
            string(key),
            string(value)
        ),
        Change::RolloutRestart { workload } => format!(
            "resource \"kubernetes_annotations\" \"{}\" {{\n  api_version = \"apps/v1\"\n  kind        = {}\n  metadata {{\n    name      = {}\n    namespace = {}\n  }}\n  # What `kubectl rollout restart` writes: new pods, mutated by the webhook now.\n  template_annotations = {{\n    \"kubectl.kubernetes.io/restartedAt\" = timestamp()\n  }}\n  lifecycle {{\n    ignore_changes = [template_annotations]\n  }}\n}}\n",
            name(&["restart", &workload.namespace, &workload.name]),
            string(&workload.kind),
            string(&workload.name),
            string(&workload.namespace)
        ),
        Change::PutTrustPolicy {
            role_name,
            document: doc,
        } => format!(
            "import {{\n  to = aws_iam_role.{n}\n  id = {id}\n}}\n\nresource \"aws_iam_role\" \"{n}\" {{\n  name               = {id}\n  assume_role_policy = {doc}\n}}\n",
            n = name(&[role_name]),
            id = string(role_name),
            doc = document(doc)
        ),
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
            "resource \"aws_iam_openid_connect_provider\" \"{}\" {{\n  url            = {}\n  client_id_list = [{}]\n}}\n",
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
            format!(
                "import {{\n  to = aws_iam_openid_connect_provider.{n}\n  id = {arn}\n}}\n\nresource \"aws_iam_openid_connect_provider\" \"{n}\" {{\n  url            = {url}\n  client_id_list = [{ids}]\n}}\n",
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
        };
        let hcl = block(&step);
        assert!(
            hcl.contains("import {\n  to = aws_iam_role.app_role\n  id = \"app-role\""),
            "{hcl}"
        );
        assert!(hcl.contains("assume_role_policy = jsonencode({"), "{hcl}");
        assert!(hcl.contains("\"Action\" = \"sts:AssumeRole\""), "{hcl}");
    }
}
