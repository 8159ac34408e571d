//! The embedded demo: the files under `assets/demo/`, compiled into the binary by `build.rs`,
//! loaded exactly like an offline bundle (so the demo exercises the real loader) but tagged
//! [`SourceKind::Demo`].
//!
//! To change the demo, edit the files in `assets/demo/`; the build picks them up.

use super::bundle::{self, BundleError};
use crate::model::snapshot::{Snapshot, SourceInfo, SourceKind};

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The demo cluster's snapshot.
pub fn load() -> Result<Snapshot, BundleError> {
    let files = DEMO_FILES
        .iter()
        .map(|(name, bytes)| (format!("demo/{name}"), bytes.to_vec()))
        .collect();
    let source = SourceInfo {
        kind: SourceKind::Demo,
        description: "embedded demo".to_string(),
        context: None,
        region: None,
    };
    bundle::load_files(source, files)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_loads() {
        let snapshot = super::load().unwrap();
        assert_eq!(snapshot.source.kind, super::SourceKind::Demo);
        assert!(snapshot.kube.pods.is_known());
    }
}
