//! The krew manifest's caveats say what the README says about the permissions kubectl-irsa
//! needs (issue 15): every AWS permission (`service:Action`) the README's "Permissions it needs"
//! section names is in the caveats and the other way round, the Kubernetes resources of their
//! Kubernetes bullets are the same, and the caveats say the tool only reads.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn caveats() -> String {
    let text = std::fs::read_to_string(root().join("krew-manifest.yaml")).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    doc["spec"]["caveats"]
        .as_str()
        .expect("spec.caveats")
        .to_string()
}

/// The README's "Permissions it needs" section.
fn readme_permissions() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme
        .find("## Permissions it needs")
        .expect("the README has a permissions section");
    let rest = &readme[start + 3..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].to_string()
}

/// Every `service:Action` AWS permission `text` names (`iam:GetRole`, `eks-auth:...`).
fn aws_permissions(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-'))
        .filter_map(|w| {
            let (service, action) = w.split_once(':')?;
            let service_ok = !service.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            let action_ok = action.starts_with(|c: char| c.is_ascii_uppercase())
                && action.chars().all(|c| c.is_ascii_alphanumeric());
            (service_ok && action_ok).then(|| w.to_string())
        })
        .collect()
}

/// The Kubernetes resources of the bullet that starts with `Kubernetes:` in `text`, by verb
/// phrase: every `VERBS on A, B and C` up to the next `;` or `.`.
fn kubernetes_resources(text: &str) -> BTreeSet<String> {
    let start = text.find("Kubernetes:").expect("a Kubernetes bullet");
    let bullet = &text[start..];
    // The bullet ends at the next bullet (`-` in the README, `*` in the caveats) or blank line.
    let end = bullet[1..]
        .find('*')
        .into_iter()
        .chain(bullet.find("\n- "))
        .chain(bullet.find("\n\n"))
        .min()
        .unwrap_or(bullet.len());
    let bullet = bullet[..end].replace(['`', '\n'], " ");
    let mut out = BTreeSet::new();
    for part in bullet.split(" on ").skip(1) {
        let list = part.split([';', '.']).next().unwrap_or_default();
        for name in list.split(',').flat_map(|p| p.split(" and ")) {
            let name = name.trim();
            if !name.is_empty() {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// What krew users read before installing says what the README says the tool needs: the same
/// AWS permissions and the same Kubernetes resources, in both directions.
#[test]
fn caveats_name_the_permissions_the_readme_names() {
    let caveats = caveats();
    let readme = readme_permissions();

    let (want, have) = (aws_permissions(&readme), aws_permissions(&caveats));
    assert!(want.len() >= 15, "the README's AWS permissions: {want:?}");
    assert_eq!(
        want.difference(&have).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in the README, not in the caveats"
    );
    assert_eq!(
        have.difference(&want).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in the caveats, not in the README"
    );

    let (want, have) = (
        kubernetes_resources(&readme),
        kubernetes_resources(&caveats),
    );
    assert!(
        want.contains("pods") && want.contains("serviceaccounts/token") && want.len() >= 10,
        "the README's Kubernetes resources: {want:?}"
    );
    assert_eq!(want, have, "Kubernetes resources: README vs caveats");
    for verb in ["get", "list", "create"] {
        assert!(
            caveats.contains(verb),
            "the caveats do not say `{verb}`: {caveats}"
        );
    }
    // The tool only reads; the caveats must not promise otherwise.
    assert!(caveats.contains("only read"), "{caveats}");
}
