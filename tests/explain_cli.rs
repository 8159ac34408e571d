//! `kubectl irsa explain` as a user runs it: every code explained, any case accepted, the
//! listing of all codes, and exit code 2 with one sentence for a code that does not exist.

use std::process::{Command, Output};

use kubectl_irsa::model::explain;

fn explain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .arg("explain")
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn every_code_is_explained_with_its_errors_fix_and_documentation() {
    for e in explain::all() {
        let out = explain(&[e.code]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", e.code, stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with(e.code), "{text}");
        for part in e
            .symptoms
            .iter()
            .chain(e.docs)
            .chain(e.fix.iter().filter(|l| l.starts_with("$ ")))
        {
            // Error texts, commands and addresses are printed whole, on one line.
            assert!(
                text.lines().any(|l| l.contains(part)),
                "{}: {part}\n{text}",
                e.code
            );
        }
        assert!(!text.to_ascii_lowercase().contains("field guide"), "{text}");
    }
}

#[test]
fn codes_match_whatever_their_case() {
    let upper = stdout(&explain(&["OIDC_PROVIDER_MISSING"]));
    for spelling in ["oidc_provider_missing", "Oidc-Provider-Missing"] {
        let out = explain(&[spelling]);
        assert_eq!(out.status.code(), Some(0), "{spelling}");
        assert_eq!(stdout(&out), upper, "{spelling}");
    }
    assert!(upper.contains("No OpenIDConnect provider found in your account for"));
}

#[test]
fn without_a_code_every_code_is_listed_with_its_summary() {
    let out = explain(&[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for e in explain::all() {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(e.code))
            .unwrap_or_else(|| panic!("{} not listed", e.code));
        assert!(line.ends_with(e.summary), "{line}");
    }
    assert_eq!(
        text.lines().filter(|l| l.starts_with("  ")).count(),
        explain::all().count()
    );
}

#[test]
fn an_unknown_code_is_a_usage_error_in_one_sentence() {
    let out = explain(&["TRUST_SUB_MISMACH"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        "error: `TRUST_SUB_MISMACH` is not a finding code; did you mean TRUST_SUB_MISMATCH or TRUST_AUD_MISMATCH?\n"
    );
    let out = explain(&["oidc_provider_mising"]);
    assert_eq!(
        stderr(&out),
        "error: `oidc_provider_mising` is not a finding code; did you mean OIDC_PROVIDER_MISSING?\n"
    );
    let out = explain(&["no-such-thing-anywhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: `no-such-thing-anywhere` is not a finding code; `kubectl irsa explain` lists them all\n"
    );
}

#[test]
fn an_unknown_code_from_a_hostile_paste_is_shown_escaped() {
    let out = explain(&["\x1b]0;PWNED\x07"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
}

#[test]
fn two_codes_are_a_usage_error() {
    let out = explain(&["NO_PODS", "SA_NOT_FOUND"]);
    assert_eq!(out.status.code(), Some(2));
}
