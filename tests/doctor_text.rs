//! `doctor`'s text output as people read and paste it (issue 15): broken workloads first, then
//! unknown, warning and ok (the TUI's order); an ok workload on one line unless `-v`; the
//! summary line last; and every command of the JSON report printed, a second broken link's
//! included.

use std::path::{Path, PathBuf};
use std::process::Command;

use kubectl_irsa::terminal_text::line as shown;

fn doctor(args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .arg("doctor")
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("KUBECONFIG")
        .output()
        .expect("binary runs");
    (
        String::from_utf8(out.stdout).expect("UTF-8"),
        out.status.code(),
    )
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle")
        .display()
        .to_string()
}

/// Each workload's headline: (the line, its status word).
fn headlines(text: &str) -> Vec<(&str, &'static str)> {
    text.lines()
        .filter(|l| !l.starts_with(' ') && l.contains("  sa "))
        .map(|l| {
            let status = ["BROKEN at ", "UNKNOWN", "WARNING", "OK"]
                .into_iter()
                .find(|s| l.ends_with(s.trim_end()) || l.contains(&format!("  {s}")))
                .unwrap_or_else(|| panic!("no status in {l:?}"));
            (l, status)
        })
        .collect()
}

fn rank(status: &str) -> usize {
    ["BROKEN at ", "UNKNOWN", "WARNING", "OK"]
        .iter()
        .position(|s| *s == status)
        .unwrap()
}

#[test]
fn broken_first_then_unknown_warning_ok_and_the_summary_last() {
    let mut seen = std::collections::BTreeSet::new();
    for args in [
        vec!["--demo"],
        vec!["-A", "--offline", &scenario("aws-data-missing")],
        vec!["-A", "--offline", &scenario("basic")],
    ] {
        let (text, _) = doctor(&args);
        let heads = headlines(&text);
        assert!(heads.len() >= 2, "{args:?}:\n{text}");
        let ranks: Vec<usize> = heads.iter().map(|(_, s)| rank(s)).collect();
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "{args:?}: out of order {ranks:?}:\n{text}"
        );
        seen.extend(ranks);
        let last = text.lines().last().unwrap();
        assert!(
            last.contains(" ok, ") && last.contains(" broken, "),
            "{args:?}: the summary is not last: {last:?}"
        );
    }
    assert_eq!(seen.len(), 4, "every status is exercised: {seen:?}");
}

#[test]
fn an_ok_workload_is_one_line_unless_verbose() {
    let (text, code) = doctor(&["--demo"]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("langflow/deploy/langflow "))
        .expect("langflow's headline");
    assert!(lines[at].ends_with("  OK"), "{}", lines[at]);
    assert!(
        !lines[at + 1].starts_with("  "),
        "no links under an ok workload: {:?}",
        lines[at + 1]
    );
    assert!(!text.contains("LangflowBedrockRole exists"), "{text}");
    // A workload with a warning keeps its links.
    assert!(text.contains(
        "! trust            allows system:serviceaccount:flytesnacks-development:default"
    ));

    for flag in ["-v", "--verbose"] {
        let (verbose, _) = doctor(&["--demo", flag]);
        let lines: Vec<&str> = verbose.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("langflow/deploy/langflow "))
            .unwrap();
        assert_eq!(
            lines[at + 1].trim_start(),
            "✔ pod              1 pod, 1 ready, running as langflow-sa"
        );
        assert!(verbose.contains("LangflowBedrockRole exists"), "{verbose}");
        assert_eq!(
            verbose.lines().last(),
            text.lines().last(),
            "the same summary"
        );
    }
}

/// The demo's notebook is broken at trust and at permissions: the second link's fix command
/// (attaching a policy) was once only in the JSON.
#[test]
fn a_second_broken_link_shows_its_fix_commands() {
    let (text, _) = doctor(&["--demo", "sts/notebook", "-n", "kubeflow-user-example-com"]);
    assert!(text.contains("BROKEN at trust"), "{text}");
    let trust = text
        .find("$ aws iam update-assume-role-policy --role-name kf-user-ml-platform")
        .expect(&text);
    let permissions = text
        .find("$ aws iam attach-role-policy --role-name kf-user-ml-platform --policy-arn '<POLICY_ARN>'")
        .expect(&text);
    assert!(trust < permissions, "{text}");
}

fn scenario_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("bundle").is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every line of every fix's `commands` in `doctor -o json` is printed by `doctor -v`, and by
/// `doctor` for workloads that are not ok, for every fixture scenario and the demo.
#[test]
fn every_json_fix_command_is_in_the_text() {
    let mut runs: Vec<Vec<String>> = scenario_dirs()
        .iter()
        .map(|d| {
            vec![
                "-A".to_string(),
                "--offline".to_string(),
                d.join("bundle").display().to_string(),
            ]
        })
        .collect();
    runs.push(vec!["--demo".to_string()]);
    let mut checked = 0;
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (json, _) = doctor(&[&args[..], &["-o", "json"]].concat());
        let report: serde_json::Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{args:?}: {e}: {json}"));
        let (verbose, _) = doctor(&[&args[..], &["-v"]].concat());
        let (text, _) = doctor(&args);
        for w in report["workloads"].as_array().unwrap() {
            let lines = w["links"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|l| l["findings"].as_array().unwrap())
                .filter_map(|f| f["fix"]["commands"].as_array())
                .flatten()
                .filter_map(|c| c.as_str());
            for line in lines {
                let printed = format!("$ {}", shown(line));
                assert!(
                    verbose.contains(&printed),
                    "{args:?}: -v does not print {printed}"
                );
                if w["status"] != "ok" {
                    assert!(text.contains(&printed), "{args:?}: not printed: {printed}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} commands");
}
