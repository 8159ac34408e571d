//! `dump` writes a bundle that `doctor --offline` reads back to the same report: checked on
//! every scenario bundle and on the demo. Also: dump never overwrites a non-empty directory.

use std::path::{Path, PathBuf};

use kubectl_irsa::diagnose::{Selection, diagnose};
use kubectl_irsa::model::Snapshot;
use kubectl_irsa::sources::{bundle::load_dirs, demo, dump};

fn report_without_source(snap: &Snapshot) -> serde_json::Value {
    let mut v = serde_json::to_value(diagnose(snap, &Selection::default()).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("source");
    v.as_object_mut().unwrap().remove("notes");
    v
}

fn round_trip(name: &str, snap: &Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let files = dump::write(snap, &out).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!files.is_empty(), "{name}");
    let again = load_dirs(std::slice::from_ref(&out)).unwrap_or_else(|e| panic!("{name}: {e}"));
    // A damaged policy document is carried as it was read (so its link stays unknown), and is
    // noted again on reload; nothing else may be.
    let damaged = |notes: &[kubectl_irsa::model::snapshot::LoadNote]| -> Vec<String> {
        notes
            .iter()
            .filter(|n| n.message.contains("could not be decoded"))
            .map(|n| n.message.clone())
            .collect()
    };
    assert!(
        again
            .notes
            .iter()
            .all(|n| n.message.contains("could not be decoded")),
        "{name}: the dump must load without notes: {:?}",
        again.notes
    );
    assert_eq!(damaged(&again.notes), damaged(&snap.notes), "{name}");
    assert_eq!(
        report_without_source(snap),
        report_without_source(&again),
        "{name}: report differs after dump"
    );
}

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path().join("bundle")))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[test]
fn every_scenario_round_trips() {
    for dir in scenarios() {
        let snap = load_dirs(std::slice::from_ref(&dir)).unwrap();
        round_trip(&dir.display().to_string(), &snap);
    }
}

#[test]
fn the_demo_round_trips() {
    round_trip("demo", &demo::load().unwrap());
}

#[test]
fn dump_refuses_a_non_empty_directory_and_writes_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let err = dump::write(&demo::load().unwrap(), dir.path()).unwrap_err();
    assert!(err.to_string().contains("not an empty directory"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
        "mine"
    );
    for (name, contents) in dump::render(&demo::load().unwrap()).unwrap() {
        assert!(!contents.contains("\"kind\": \"Secret\""), "{name}");
        assert!(
            !contents
                .to_ascii_lowercase()
                .contains("serviceaccount/token\": \"ey"),
            "{name}"
        );
    }
}
