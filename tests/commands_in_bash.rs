//! Every command the tool shows runs, pasted into bash, exactly the argv it was built from
//! (issue 14, "Commands are quoted for the shell they are pasted into").
//!
//! Each rendered line runs under `bash -c` with `kubectl`, `aws` and `eksctl` defined as shell
//! functions that write their arguments NUL-separated to a numbered file; the test compares
//! what each function received with the command's argv. Covered: every fix command and every
//! read-only command (the TUI's `y`) of every workload of every fixture scenario, with the
//! scenario's requested actions; the `commands` and `argv` of `doctor -o json` through the
//! binary; a bundle whose values hold command substitutions that the fix does copy; and
//! hand-made hostile arguments. Substitutions are aimed at files in the test's own temporary
//! directory (bash runs there), which must not exist afterwards.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use kubectl_irsa::diagnose::commands::inspect_commands;
use kubectl_irsa::diagnose::{Selection, diagnose};
use kubectl_irsa::model::report::RequestedAction;
use kubectl_irsa::model::{CommandLine, Snapshot};
use kubectl_irsa::sources::bundle::load_dirs;

const PROGRAMS: [&str; 3] = ["kubectl", "aws", "eksctl"];

/// The functions standing in for the real programs: each call writes its argv (program first),
/// NUL-separated, to `$REC/N` for the N-th call.
const PRELUDE: &str = r#"n=0
record() { n=$((n+1)); printf '%s\0' "$@" > "$REC/$n"; }
kubectl() { record kubectl "$@"; }
aws() { record aws "$@"; }
eksctl() { record eksctl "$@"; }
"#;

/// Runs `lines` (one rendered command each) as one bash script in `work` and returns the argv
/// of every call the stand-in programs received, in order.
fn run_in_bash(work: &Path, lines: &[String]) -> Vec<Vec<String>> {
    let rec = work.join("rec");
    let _ = std::fs::remove_dir_all(&rec);
    std::fs::create_dir_all(&rec).unwrap();
    let script = format!("{PRELUDE}{}\n", lines.join("\n"));
    let out = Command::new("bash")
        .arg("--norc")
        .arg("--noprofile")
        .arg("-c")
        .arg(&script)
        .current_dir(work)
        .env("REC", &rec)
        .env("HOME", work)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "bash failed ({}): {}\nscript:\n{script}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut calls = Vec::new();
    for n in 1.. {
        let Ok(bytes) = std::fs::read(rec.join(n.to_string())) else {
            break;
        };
        let text = String::from_utf8(bytes).expect("arguments are UTF-8");
        let mut argv: Vec<String> = text.split('\0').map(str::to_string).collect();
        // printf '%s\0' ends every argument with a NUL, the last one included.
        assert_eq!(argv.pop().as_deref(), Some(""), "call {n}: {text:?}");
        calls.push(argv);
    }
    calls
}

/// Asserts that bash, given the rendered `commands`, calls the programs with exactly their
/// argv, one call per command; `what` names where the commands came from.
fn assert_runs_as_built(work: &Path, what: &str, commands: &[CommandLine]) {
    let lines: Vec<String> = commands.iter().map(CommandLine::render).collect();
    let calls = run_in_bash(work, &lines);
    let want: Vec<&[String]> = commands.iter().map(CommandLine::argv).collect();
    for (i, c) in commands.iter().enumerate() {
        assert!(
            PROGRAMS.contains(&c.argv()[0].as_str()),
            "{what}: `{c}` runs a program the test does not stand in for"
        );
        assert_eq!(
            calls.get(i).map(Vec::as_slice),
            Some(want[i]),
            "{what}: command {i} `{c}` ran as {:?}",
            calls.get(i)
        );
    }
    assert_eq!(calls.len(), commands.len(), "{what}: calls {calls:?}");
}

/// Names of the files a substitution would have created in `work`.
fn assert_nothing_created(work: &Path) {
    let made: Vec<String> = std::fs::read_dir(work)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "rec")
        .collect();
    assert!(made.is_empty(), "a substitution ran: {made:?}");
}

fn scenarios_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

fn scenario_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(scenarios_root())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("bundle").is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The action sets a scenario's expectations ask for (`--action A [--resource R]`), plus none.
fn action_sets(dir: &Path) -> Vec<Vec<RequestedAction>> {
    let mut sets = vec![Vec::new()];
    let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
        return sets;
    };
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    for entry in expected.as_array().into_iter().flatten() {
        let args: Vec<&str> = entry["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .collect();
        let mut set: Vec<RequestedAction> = Vec::new();
        for pair in args.chunks(2) {
            match pair {
                ["--action", a] => set.push(RequestedAction {
                    action: a.to_string(),
                    resource: "*".into(),
                }),
                ["--resource", r] => {
                    set.last_mut()
                        .expect("--resource follows --action")
                        .resource = r.to_string()
                }
                other => panic!("{}: unsupported args {other:?}", dir.display()),
            }
        }
        if !set.is_empty() {
            sets.push(set);
        }
    }
    sets
}

/// Every fix command and every read-only command of every workload of the bundle in `dir`,
/// for each of `action_sets`, without repeats.
fn commands_of(bundle: &Path, action_sets: &[Vec<RequestedAction>]) -> Vec<CommandLine> {
    let snap = load_dirs(&[bundle.to_path_buf()]).unwrap_or_else(|e| panic!("{e}"));
    commands_of_snapshot(&snap, action_sets)
}

/// [`commands_of`] for a snapshot.
fn commands_of_snapshot(snap: &Snapshot, action_sets: &[Vec<RequestedAction>]) -> Vec<CommandLine> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for actions in action_sets {
        let sel = Selection {
            namespace: None,
            target: None,
            selector: None,
            actions: actions.clone(),
        };
        let Ok(report) = diagnose(snap, &sel) else {
            continue;
        };
        let target = report.command_target();
        for w in &report.workloads {
            for link in &w.links {
                let read = inspect_commands(w, link.link, report.cluster.as_ref(), &target);
                let fixes = link
                    .findings
                    .iter()
                    .filter_map(|f| f.fix.as_ref())
                    .flat_map(|f| f.commands.iter().cloned());
                for c in read.into_iter().chain(fixes) {
                    if seen.insert(c.argv().to_vec()) {
                        out.push(c);
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_command_of_every_scenario_runs_its_argv_in_bash() {
    let mut total = 0;
    let mut fixes = 0;
    for dir in scenario_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let commands = commands_of(&dir.join("bundle"), &action_sets(&dir));
        // A cluster before `setup` may have nothing to look at yet: no identity, no finding.
        assert!(
            !commands.is_empty() || name.starts_with("setup-before-"),
            "{name}: no commands at all"
        );
        fixes += commands
            .iter()
            .filter(|c| {
                let verb = |i: usize| c.argv().get(i).map(String::as_str).unwrap_or("");
                ["annotate", "create", "delete", "rollout"].contains(&verb(1))
                    || ["create-", "put-", "attach-", "update-", "add-"]
                        .iter()
                        .any(|p| verb(2).starts_with(p))
            })
            .count();
        total += commands.len();
        // A command never reads a file the tool does not write: documents go inline.
        for c in &commands {
            assert!(
                !c.argv().iter().any(|a| a.contains("file://")),
                "{name}: `{c}` reads a file"
            );
        }
        let work = tempfile::tempdir().unwrap();
        assert_runs_as_built(work.path(), &name, &commands);
        assert_nothing_created(work.path());
    }
    // The fixtures exercise many commands, fixes among them; a harness that found none would
    // prove nothing.
    assert!(total > 500, "only {total} commands");
    assert!(fixes > 50, "only {fixes} fix commands");
}

#[test]
fn the_json_report_commands_run_their_argv_in_bash() {
    let bin = env!("CARGO_BIN_EXE_kubectl-irsa");
    let mut checked = 0;
    for dir in scenario_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let out = Command::new(bin)
            .args(["doctor", "-A", "-o", "json", "--offline"])
            .arg(dir.join("bundle"))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        let mut lines = Vec::new();
        let mut argvs: Vec<Vec<String>> = Vec::new();
        for fix in report["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|w| w["links"].as_array().unwrap())
            .flat_map(|l| l["findings"].as_array().unwrap())
            .filter_map(|f| f.get("fix"))
        {
            let Some(commands) = fix.get("commands").and_then(|c| c.as_array()) else {
                assert!(fix.get("argv").is_none(), "{name}: argv without commands");
                continue;
            };
            let argv = fix["argv"].as_array().expect("argv beside commands");
            assert_eq!(argv.len(), commands.len(), "{name}: {fix}");
            for (line, args) in commands.iter().zip(argv) {
                lines.push(line.as_str().unwrap().to_string());
                argvs.push(serde_json::from_value(args.clone()).unwrap());
            }
        }
        if lines.is_empty() {
            continue;
        }
        let work = tempfile::tempdir().unwrap();
        let calls = run_in_bash(work.path(), &lines);
        assert_eq!(calls, argvs, "{name}");
        assert_nothing_created(work.path());
        checked += lines.len();
    }
    assert!(checked >= 50, "only {checked} JSON commands");
}

/// The hostile fixture's misspelt key holds a value that is no role ARN: the fix renames the key
/// with the placeholder, never the value.
#[test]
fn a_misspelt_key_with_a_value_that_is_no_role_arn_gets_the_placeholder() {
    let bundle = scenarios_root().join("hostile-values/bundle");
    let commands = commands_of(&bundle, &[Vec::new()]);
    let annotate: Vec<&CommandLine> = commands
        .iter()
        .filter(|c| c.argv()[1] == "annotate" && c.argv()[3] == "search")
        .collect();
    assert!(
        annotate
            .iter()
            .any(|c| c.argv()[6] == "eks.amazonaws.com/role-arn=<ROLE_ARN>"),
        "{annotate:?}"
    );
    for c in &commands {
        assert!(!c.render().contains("$(touch"), "copied: {c}");
        assert!(!c.render().contains('\u{1b}'), "copied: {c}");
    }
}

/// A role ARN whose path holds substitutions is still a role ARN STS accepts (IAM paths allow
/// `$`, `(`, `` ` ``), so the misspelt-key fix copies it: bash must receive it literally.
#[test]
fn substitutions_in_a_copied_role_arn_arrive_literally() {
    let work = tempfile::tempdir().unwrap();
    let bundle = work.path().join("bundle");
    std::fs::create_dir(&bundle).unwrap();
    let source = scenarios_root().join("hostile-values/bundle");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), bundle.join(entry.file_name())).unwrap();
    }
    let arn =
        "arn:aws:iam::444455556666:role/$(touch${IFS}pwned-1)/`touch${IFS}pwned-2`/search-irsa";
    let yaml = std::fs::read_to_string(bundle.join("kubernetes.yaml")).unwrap();
    let hostile = "arn:aws:iam::444455556666:role/search-irsa$(touch /tmp/kubectl-irsa-pwned)";
    assert!(yaml.contains(hostile), "the fixture changed");
    std::fs::write(
        bundle.join("kubernetes.yaml"),
        yaml.replace(hostile, &format!("'{arn}'")),
    )
    .unwrap();

    let commands = commands_of(&bundle, &[Vec::new()]);
    let copied: Vec<&CommandLine> = commands
        .iter()
        .filter(|c| c.argv().iter().any(|a| a.contains("$(touch${IFS}pwned-1)")))
        .collect();
    assert!(
        copied
            .iter()
            .any(|c| c.argv()[6] == format!("eks.amazonaws.com/role-arn={arn}")),
        "the fix does not copy the ARN: {commands:?}"
    );
    let run = work.path().join("run");
    std::fs::create_dir(&run).unwrap();
    assert_runs_as_built(&run, "copied role ARN", &commands);
    assert_nothing_created(&run);
}

#[test]
fn hostile_arguments_are_each_one_literal_argument() {
    let values = [
        "$(touch pwned-1)",
        "`touch pwned-2`",
        "'; touch pwned-3; '",
        "\"; touch pwned-4; \"",
        "x\ntouch pwned-5",
        "x\r\ntouch pwned-6",
        ">pwned-7",
        "<ROLE_ARN>",
        "a|touch pwned-8",
        "a&&touch pwned-9",
        "$HOME ~ ~/x *",
        "!! !$ ^a^b",
        "\\$(touch pwned-10)",
        "",
        "  ",
        "\t",
        "rôle-ß-日本-🚀",
        "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}",
        "{a,b} [ab] ?",
        "#comment",
        "--flag=$(touch pwned-11)",
    ];
    // bash runs in `work`, where `rec` is what an unquoted `*` or `?` would expand to.
    let work = tempfile::tempdir().unwrap();
    let commands: Vec<CommandLine> = values
        .iter()
        .map(|v| CommandLine::kubectl(["annotate", "sa", v, "-n", v]))
        .chain([CommandLine::aws(values), CommandLine::eksctl(values)])
        .collect();
    assert_runs_as_built(work.path(), "hostile arguments", &commands);
    assert_nothing_created(work.path());
}

/// A live run's commands: every `kubectl` one names the kubeconfig context the report was made
/// with, every `eks` one the cluster's region, and a context name holding substitutions still
/// reaches kubectl as one literal argument.
#[test]
fn live_commands_carry_the_context_and_region_and_run_as_built() {
    let bundle = scenarios_root().join("seed-enbuild/bundle");
    let mut snap = load_dirs(&[bundle]).unwrap();
    let context = "arn:aws:eks:eu-west-1:1:cluster/x $(touch pwned-ctx)";
    snap.source.context = Some(context.to_string());
    snap.source.region = Some("ap-south-1".to_string());
    let commands = commands_of_snapshot(&snap, &[Vec::new()]);
    let region = snap
        .aws
        .cluster
        .known()
        .and_then(|c| c.region())
        .expect("the bundle describes its cluster");
    let (mut kubectl, mut eks) = (0, 0);
    for c in &commands {
        let argv = c.argv();
        match (argv[0].as_str(), argv.get(1).map(String::as_str)) {
            ("kubectl", _) => {
                kubectl += 1;
                assert_eq!(argv[1..3], ["--context", context], "{c}");
            }
            ("aws", Some("eks")) => {
                eks += 1;
                let at = argv.iter().position(|a| a == "--region").expect("--region");
                // The cluster's own region (from its ARN) wins over the one the run asked.
                assert_eq!(argv[at + 1], region, "{c}");
            }
            ("aws", Some("iam")) => assert!(!argv.contains(&"--region".to_string()), "{c}"),
            _ => {}
        }
    }
    assert!(
        kubectl > 3 && eks > 1,
        "{kubectl} kubectl, {eks} eks commands"
    );
    let work = tempfile::tempdir().unwrap();
    assert_runs_as_built(work.path(), "live commands", &commands);
    assert_nothing_created(work.path());
}
