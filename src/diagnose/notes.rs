//! Report-level notes the diagnosis adds about the facts themselves (as opposed to one
//! workload's links): things every workload's chain depends on that look wrong, so the user reads
//! them once at the top instead of guessing from many `unknown` links.
//!
//! To add one, push a [`LoadNote`] from a pure check of the [`Index`].

use super::index::Index;
use crate::model::CommandLine;
use crate::model::snapshot::LoadNote;

pub fn cluster_notes(ix: &Index) -> Vec<LoadNote> {
    let mut out = Vec::new();
    if let Some(c) = &ix.cluster
        && c.issuer.is_none()
    {
        // Every EKS cluster has an issuer; its absence means a trimmed or foreign
        // describe-cluster output, and every IRSA oidc-provider link depends on it.
        out.push(LoadNote {
            file: "cluster".into(),
            message: format!(
                "EKS cluster `{}` has no OIDC issuer in its describe-cluster output \
                 (identity.oidc.issuer is missing), so no IRSA oidc-provider link can be judged; \
                 collect it again with `{}`",
                c.name,
                CommandLine::aws([
                    "eks",
                    "describe-cluster",
                    "--name",
                    &c.name,
                    "--region",
                    &c.region
                ])
            ),
        });
    }
    out
}
