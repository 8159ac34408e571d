use kubectl_irsa::model::snapshot::{SourceInfo, SourceKind};
#[test]
fn each() {
    let deep_json = "[".repeat(10_000) + &"]".repeat(10_000);
    let deep_yaml = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_block: String = (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i % 3000))).collect();
    for (n, b) in [("deep.json", deep_json), ("deep.yaml", deep_yaml), ("deep-block", deep_block)] {
        eprintln!("start {n}");
        let r = kubectl_irsa::sources::bundle::load_files(SourceInfo{kind: SourceKind::Offline, description: "x".into()}, vec![(n.to_string(), b.into_bytes())]);
        eprintln!("{n}: {:?}", r.err().map(|e| e.to_string()));
    }
}
