//! Every finding code in `src/model/codes.rs` is produced by at least one fixture scenario
//! offline: each scenario's bundle diagnosed with the arguments it also runs with live
//! (`doctor -A` plus its expected actions). The live half of the rule is checked by
//! `tests/live_offline_equivalence.rs`, which runs every scenario live. Codes only
//! `doctor --prove` produces cannot come from a bundle; each names the live test that asserts
//! it, and this test checks that the test file does.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kubectl_irsa::diagnose::{Selection, Target, diagnose};
use kubectl_irsa::model::report::RequestedAction;
use support::live_env::{load, scenario_names};
use support::scenario_runs::{PROVE_ONLY, declared_codes, doctor_args};

fn actions_of(args: &[String]) -> Vec<RequestedAction> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--action" {
            let action = it.next().expect("an action").clone();
            let resource = match it.next().map(String::as_str) {
                Some("--resource") => it.next().expect("a resource").clone(),
                _ => "*".to_string(),
            };
            out.push(RequestedAction { action, resource });
        }
    }
    out
}

/// Code -> the scenarios that produce it.
fn produced() -> BTreeMap<String, BTreeSet<String>> {
    let mut by_code: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in scenario_names() {
        let snap = load(&name);
        let args = doctor_args(&name);
        let namespace = args
            .iter()
            .position(|a| a == "-n")
            .and_then(|i| args.get(i + 1).cloned());
        // `doctor TARGET ...`: a target is the one argument after `doctor` that is no flag.
        let target = args
            .get(1)
            .filter(|a| !a.starts_with('-'))
            .map(|t| Target::parse(t).unwrap_or_else(|e| panic!("{name}: {e}")));
        let sel = Selection {
            namespace,
            target,
            selector: None,
            actions: actions_of(&args),
        };
        let report = diagnose(&snap, &sel).unwrap_or_else(|e| panic!("{name}: {e}"));
        for w in &report.workloads {
            for l in &w.links {
                for f in &l.findings {
                    by_code
                        .entry(f.code.to_string())
                        .or_default()
                        .insert(name.clone());
                }
            }
        }
    }
    by_code
}

#[test]
fn every_finding_code_comes_from_a_scenario_offline() {
    let declared = declared_codes();
    let produced = produced();
    let prove_only: BTreeSet<&str> = PROVE_ONLY.iter().map(|(c, _)| *c).collect();
    let mut problems = Vec::new();
    for code in &declared {
        if prove_only.contains(code.as_str()) {
            continue;
        }
        if !produced.contains_key(code) {
            problems.push(format!("{code}: no scenario produces it"));
        }
    }
    for code in produced.keys() {
        if !declared.contains(code) {
            problems.push(format!("{code}: produced but not declared in codes.rs"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn prove_only_codes_are_asserted_by_the_live_prove_tests() {
    let declared = declared_codes();
    for (code, files) in PROVE_ONLY {
        assert!(declared.contains(*code), "{code} is not declared");
        let asserted = files.iter().any(|f| {
            let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f))
                .unwrap_or_default();
            text.contains(&format!("\"{code}\""))
        });
        assert!(asserted, "{code}: none of {files:?} asserts it");
    }
}
