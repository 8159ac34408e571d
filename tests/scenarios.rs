//! Scenario fixtures: each `tests/scenarios/<name>/bundle/` is an offline bundle and
//! `expected.json` lists, per workload (namespace + service account), the first broken link and
//! the finding codes a correct diagnosis must report. Every scenario is also diagnosed through
//! the real binary's `doctor -o json` once, to check the report schema and exit code.

use std::path::{Path, PathBuf};

use kubectl_irsa::diagnose::{Selection, Target, diagnose};
use kubectl_irsa::model::report::RequestedAction;
use kubectl_irsa::sources::bundle::load_dirs;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expected {
    namespace: String,
    service_account: String,
    broken_link: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    note: String,
    /// Codes that must appear among the workload's findings.
    #[serde(default)]
    codes: Vec<String>,
    /// Codes that must not appear.
    #[serde(default)]
    absent_codes: Vec<String>,
    /// Expected workload status (ok, warning, broken, unknown), when given.
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    mechanism: Option<String>,
}

fn scenario_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/scenarios exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn actions(args: &[String]) -> Vec<RequestedAction> {
    let mut out: Vec<RequestedAction> = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().expect("flag has a value").clone();
        match flag.as_str() {
            "--action" => out.push(RequestedAction {
                action: value,
                resource: "*".into(),
            }),
            "--resource" => {
                out.last_mut()
                    .expect("--resource follows --action")
                    .resource = value
            }
            other => panic!("unsupported arg {other}"),
        }
    }
    out
}

#[test]
fn every_scenario_reports_the_expected_links_and_codes() {
    let dirs = scenario_dirs();
    assert!(
        dirs.len() >= 10,
        "expected many scenarios, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let expected: Vec<Expected> =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap_or_else(|e| panic!("{name}/expected.json: {e}"));
        let snap = load_dirs(&[dir.join("bundle")]).unwrap_or_else(|e| panic!("{name}: {e}"));
        for exp in &expected {
            let sel = Selection {
                namespace: Some(exp.namespace.clone()),
                target: Some(Target::ServiceAccount(exp.service_account.clone())),
                selector: None,
                actions: actions(&exp.args),
            };
            let report = match diagnose(&snap, &sel) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!(
                        "{name} {}/{}: {e}",
                        exp.namespace, exp.service_account
                    ));
                    continue;
                }
            };
            for w in &report.workloads {
                checked += 1;
                let who = format!(
                    "{name} {}/{} ({}): {}",
                    w.namespace, w.service_account, w.name, exp.note
                );
                let broken = w.broken_link.map(|l| l.as_str().to_string());
                if broken != exp.broken_link {
                    failures.push(format!(
                        "{who}: brokenLink {broken:?}, expected {:?}",
                        exp.broken_link
                    ));
                }
                let codes: Vec<&str> = w
                    .links
                    .iter()
                    .flat_map(|l| l.findings.iter().map(|f| f.code))
                    .collect();
                for c in &exp.codes {
                    if !codes.contains(&c.as_str()) {
                        failures.push(format!("{who}: missing code {c}; got {codes:?}"));
                    }
                }
                for c in &exp.absent_codes {
                    if codes.contains(&c.as_str()) {
                        failures.push(format!("{who}: unexpected code {c}"));
                    }
                }
                if let Some(s) = &exp.status
                    && w.status.as_str() != s
                {
                    failures.push(format!("{who}: status {}, expected {s}", w.status));
                }
                if let Some(m) = &exp.mechanism {
                    let got = serde_json::to_value(w.mechanism).unwrap();
                    if got.as_str() != Some(m.as_str()) {
                        failures.push(format!("{who}: mechanism {got}, expected {m}"));
                    }
                }
            }
            if report.workloads.is_empty() {
                failures.push(format!(
                    "{name} {}/{}: no workload reported",
                    exp.namespace, exp.service_account
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} workload checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_binary_prints_the_versioned_report_with_documented_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_kubectl-irsa");
    for dir in scenario_dirs() {
        let out = std::process::Command::new(bin)
            .args(["doctor", "-A", "-o", "json", "--offline"])
            .arg(dir.join("bundle"))
            .output()
            .unwrap();
        let name = dir.display();
        let code = out.status.code().unwrap();
        assert!(
            [0, 1, 3].contains(&code),
            "{name}: exit {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report["schemaVersion"], 1, "{name}");
        let workloads = report["workloads"].as_array().unwrap();
        let any_broken = workloads.iter().any(|w| w["status"] == "broken");
        let any_unknown = workloads.iter().any(|w| w["status"] == "unknown");
        let want = if any_broken {
            1
        } else if any_unknown {
            3
        } else {
            0
        };
        assert_eq!(code, want, "{name}: exit code vs statuses");
        for w in workloads {
            for key in [
                "namespace",
                "serviceAccount",
                "mechanism",
                "status",
                "brokenLink",
                "links",
            ] {
                assert!(w.get(key).is_some(), "{name}: workload lacks {key}");
            }
            let first_broken = w["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["status"] == "broken")
                .map(|l| l["link"].clone());
            assert_eq!(
                w["brokenLink"],
                first_broken.unwrap_or(serde_json::Value::Null),
                "{name}"
            );
            for l in w["links"].as_array().unwrap() {
                for f in l["findings"].as_array().unwrap() {
                    assert!(
                        f["code"].is_string()
                            && f["severity"].is_string()
                            && f["message"].is_string(),
                        "{name}: finding shape"
                    );
                }
            }
        }
    }
}
