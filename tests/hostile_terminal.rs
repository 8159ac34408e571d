//! Hostile values on a real terminal: the binary runs under a pseudo-terminal (util-linux
//! `script`), so it writes as it would to a person's terminal (colours on, nothing stripped by
//! anstream), on the `hostile-values` scenario, whose annotation values, trust condition value,
//! trust Sid, bundle file name and AWS CLI error text carry `ESC ] 0 ; PWNED BEL` (set the
//! window title) and `ESC [ 2 J` (clear the screen). The output may hold the colour sequences
//! the tool writes itself (`ESC [ … m`) and nothing else a terminal acts on, and shows the
//! values escaped (`\e]0;PWNED\a`). JSON output keeps JSON's escaping. The TUI's side is in
//! tests/tui_tmux.rs (a real terminal) and tests/tui_screen_colours.rs (every screen).

use std::path::{Path, PathBuf};
use std::process::Command;

use kubectl_irsa::terminal_text::needs_escape;

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-irsa");

fn bundle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/hostile-values/bundle")
}

/// One argument quoted for `sh -c` (script runs its command with the shell).
fn sh_quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// Runs the binary with `args` under a pseudo-terminal: stdout and stderr are the terminal,
/// TERM=xterm, no colour variables. Returns every byte the terminal received.
fn on_a_terminal(args: &[&str]) -> Vec<u8> {
    let line: Vec<String> = std::iter::once(BIN)
        .chain(args.iter().copied())
        .map(sh_quote)
        .collect();
    let out = Command::new("script")
        .args(["-q", "-f", "-e", "-c", &line.join(" "), "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("util-linux `script` runs the binary under a pty: {e}"));
    assert!(
        out.stderr.is_empty(),
        "script: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What a terminal would act on in `bytes`, other than the SGR colour sequences (`ESC [ digits
/// and semicolons m`) and CRLF line ends: each as (offset, what). Also returns how many SGR
/// sequences there were, so a test can see the output really was coloured for a terminal.
fn controls(bytes: &[u8]) -> (Vec<(usize, String)>, usize) {
    let text = String::from_utf8_lossy(bytes);
    let mut found = Vec::new();
    let mut sgr = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\x1b' {
            let rest = &text[at + 1..];
            let params = rest.strip_prefix('[').map(|r| {
                let n = r
                    .find(|p: char| !(p.is_ascii_digit() || p == ';'))
                    .unwrap_or(r.len());
                (&r[..n], r[n..].starts_with('m'))
            });
            if let Some((params, true)) = params {
                sgr += 1;
                // Skip `[`, the parameters and `m`.
                for _ in 0..params.len() + 2 {
                    chars.next();
                }
                continue;
            }
            let context: String = rest.chars().take(12).collect();
            found.push((at, format!("ESC {context:?}")));
            continue;
        }
        let crlf = c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n');
        if c != '\n' && !crlf && needs_escape(c) {
            found.push((at, format!("{c:?}")));
        }
    }
    (found, sgr)
}

#[test]
fn the_control_finder_sees_raw_escapes_and_lets_colours_pass() {
    let (found, sgr) = controls(b"\x1b[1;31mred\x1b[0m ok\r\n");
    assert!(found.is_empty() && sgr == 2, "{found:?}");
    let (found, _) = controls("a\x1b]0;PWNED\x07\x1b[2J\u{9b}1m\u{202e}b\rc".as_bytes());
    // The kind of each finding: an escape that is no colour, or the character.
    let what: Vec<&str> = found
        .iter()
        .map(|(_, w)| w.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        what,
        [
            "ESC",
            "'\\u{7}'",
            "ESC",
            "'\\u{9b}'",
            "'\\u{202e}'",
            "'\\r'"
        ]
    );
}

#[test]
fn doctor_on_a_terminal_shows_hostile_values_escaped() {
    let bundle = bundle().display().to_string();
    let bytes = on_a_terminal(&["doctor", "-A", "--offline", &bundle]);
    let text = String::from_utf8_lossy(&bytes);
    let (found, sgr) = controls(&bytes);
    assert!(
        sgr > 0,
        "the output was coloured, so it was written for a terminal:\n{text}"
    );
    assert!(
        found.is_empty(),
        "raw controls reached the terminal: {found:?}\n{text}"
    );
    for shown in [
        // The role-arn annotation (right key), in the annotation link's summary and evidence.
        r"role/orders-irsa\e]0;PWNED\a\e[2J",
        // The trust condition value, in the finding's message and the evidence document.
        r"system:serviceaccount:shop:ledger\e]0;PWNED\a",
        // The trust policy's Sid.
        r#"Sid "Allow\e[2J""#,
        // A bundle file's name and the AWS CLI error text inside another.
        r"notes\e]0;PWNED\a.txt",
        r"boom\e]0;PWNED\a\e[2J",
        // The misspelt key's value: no terminal escape, shown as it is.
        "role/search-irsa$(touch /tmp/kubectl-irsa-pwned)",
    ] {
        assert!(text.contains(shown), "{shown} is not shown:\n{text}");
    }
}

#[test]
fn doctor_json_keeps_json_escaping_and_the_exact_values() {
    let out = Command::new(BIN)
        .args(["doctor", "-A", "--offline"])
        .arg(bundle())
        .args(["-o", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c.is_ascii_control() && c != '\n')
        .collect();
    assert!(raw.is_empty(), "serde_json escapes C0 controls: {raw:?}");
    assert!(
        text.contains(r"orders-irsa\u001b]0;PWNED\u0007\u001b[2J"),
        "{text}"
    );
    // Escaped, not altered: the value reads back exactly as the cluster holds it.
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let values: Vec<&str> = report["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["links"].as_array().unwrap())
        .flat_map(|l| l["findings"].as_array().unwrap())
        .flat_map(|f| f["evidence"].as_array().unwrap())
        .filter_map(|e| e["value"].as_str())
        .collect();
    let annotation = "arn:aws:iam::444455556666:role/orders-irsa\x1b]0;PWNED\x07\x1b[2J";
    assert!(values.contains(&annotation), "{values:#?}");
}

/// A policy file and a request file in a temp dir.
fn policy_files(policy: &str, request: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (p, r) = (
        dir.path().join("trust.json"),
        dir.path().join("request.json"),
    );
    std::fs::write(&p, policy).unwrap();
    std::fs::write(&r, request).unwrap();
    let s = |p: PathBuf| p.display().to_string();
    (dir, s(p), s(r))
}

const PROVIDER: &str = "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/B71E5C2A9D4F8E3610C7A2D94E5F1B38";
const SUB: &str = "oidc.eks.eu-west-1.amazonaws.com/id/B71E5C2A9D4F8E3610C7A2D94E5F1B38:sub";

fn trust(sid: &str, sub: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow",
            "Principal": {{"Federated": "{PROVIDER}"}}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {{"StringEquals": {{"{SUB}": "{sub}"}}}}}}]}}"#
    )
}

fn request(sub: &str) -> String {
    format!(
        r#"{{"principal": {{"Federated": "{PROVIDER}"}}, "action": "sts:AssumeRoleWithWebIdentity",
            "context": {{"{SUB}": "{sub}"}}}}"#
    )
}

fn policy_eval_on_a_terminal(policy: &str, request: &str) -> String {
    let (_dir, p, r) = policy_files(policy, request);
    let bytes = on_a_terminal(&[
        "policy",
        "eval",
        "--kind",
        "trust",
        "--policy",
        &p,
        "--request",
        &r,
    ]);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (found, sgr) = controls(&bytes);
    assert!(sgr > 0, "coloured for a terminal:\n{text}");
    assert!(
        found.is_empty(),
        "raw controls reached the terminal: {found:?}\n{text}"
    );
    text
}

#[test]
fn policy_eval_on_a_terminal_shows_hostile_values_escaped() {
    // JSON's \u001b is ESC once parsed: the policy holds the real control characters.
    let hostile = r"system:serviceaccount:shop:ledger\u001b]0;PWNED\u0007";
    let text = policy_eval_on_a_terminal(
        &trust("Allow", hostile),
        &request("system:serviceaccount:shop:ledger"),
    );
    assert!(
        text.contains(r"ledger\e]0;PWNED\a"),
        "the condition value:\n{text}"
    );

    let text = policy_eval_on_a_terminal(
        &trust(r"Allow\u001b[2J", "system:serviceaccount:shop:ledger"),
        &request("system:serviceaccount:shop:ledger"),
    );
    assert!(
        text.contains(r"Allow\e[2J"),
        "the Sid IAM would refuse:\n{text}"
    );
}

#[test]
fn error_messages_on_a_terminal_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("bundle\x1b]0;PWNED\x07\x1b[2J");
    let missing = missing.to_str().unwrap();
    let bytes = on_a_terminal(&["doctor", "-A", "--offline", missing]);
    let text = String::from_utf8_lossy(&bytes);
    let (found, _) = controls(&bytes);
    assert!(
        found.is_empty(),
        "raw controls reached the terminal: {found:?}\n{text}"
    );
    assert!(
        text.contains("error: ") && text.contains(r"bundle\e]0;PWNED\a\e[2J"),
        "the error names the directory, escaped:\n{text}"
    );
}

#[test]
fn doctor_json_on_a_terminal_carries_no_control_character() {
    let bundle = bundle().display().to_string();
    let bytes = on_a_terminal(&["doctor", "-A", "--offline", &bundle, "-o", "json"]);
    let (found, sgr) = controls(&bytes);
    assert!(found.is_empty() && sgr == 0, "{found:?}");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains(r"orders-irsa\u001b]0;PWNED\u0007\u001b[2J"),
        "{text}"
    );
}
