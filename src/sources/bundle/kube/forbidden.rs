//! `kubectl get` refused by RBAC and saved in place of its output
//! (`kubectl get pods -A -o yaml > pods.yaml 2>&1`), for example
//! `Error from server (Forbidden): pods is forbidden: User "dev" cannot list resource "pods" in
//! API group "" in the namespace "shop"`. Such a file is a fact: that list was denied, with the
//! permission to grant, exactly as a live run meets it.
//!
//! To read another refusal, extend [`parse`]; the wording is the Kubernetes RBAC authorizer's.

/// Files longer than this are not searched for the error line.
const MAX_ERROR_FILE: usize = 64 * 1024;
const PREFIX: &str = "Error from server (Forbidden): ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    pub resource: String,
    pub group: String,
    /// `None`: refused at the cluster scope (`-A`).
    pub namespace: Option<String>,
    /// The API server's message, after kubectl's prefix.
    pub message: String,
}

/// The text between `before` and the next `"` after it.
fn quoted_after<'t>(text: &'t str, before: &str) -> Option<&'t str> {
    let start = text.find(before)? + before.len();
    let rest = &text[start..];
    rest.find('"').map(|end| &rest[..end])
}

/// The refusal of a `list`, if `text` is one.
pub fn parse(text: &str) -> Option<Forbidden> {
    if text.len() > MAX_ERROR_FILE {
        return None;
    }
    let line = text.lines().find_map(|l| l.trim().strip_prefix(PREFIX))?;
    let resource = quoted_after(line, "cannot list resource \"")?;
    let group = quoted_after(line, "in API group \"")?;
    let namespace = match quoted_after(line, "in the namespace \"") {
        Some(ns) => Some(ns.to_string()),
        None if line.ends_with("at the cluster scope") => None,
        None => return None,
    };
    Some(Forbidden {
        resource: resource.to_string(),
        group: group.to_string(),
        namespace,
        message: line.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaced_and_cluster_scope_refusals() {
        let f = parse("Error from server (Forbidden): pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\"\n").unwrap();
        assert_eq!(
            (
                f.resource.as_str(),
                f.group.as_str(),
                f.namespace.as_deref()
            ),
            ("pods", "", Some("shop"))
        );
        assert!(f.message.starts_with("pods is forbidden: User"));
        let f = parse("Error from server (Forbidden): deployments.apps is forbidden: User \"dev\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope").unwrap();
        assert_eq!(
            (f.resource.as_str(), f.group.as_str(), f.namespace),
            ("deployments", "apps", None)
        );
    }

    #[test]
    fn other_text_is_not_a_refusal() {
        assert_eq!(parse("apiVersion: v1\nkind: List\nitems: []\n"), None);
        assert_eq!(
            parse("Error from server (NotFound): pods \"x\" not found"),
            None
        );
        assert_eq!(
            parse("Error from server (Forbidden): pods \"x\" is forbidden: cannot get"),
            None
        );
    }
}
