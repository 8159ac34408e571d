//! The terminal UI's command lines (`kubectl irsa`, `kubectl irsa tui`, `kubectl irsa demo`)
//! without a terminal: bad arguments exit 2 with one message naming them before any terminal
//! is needed, and good ones get as far as asking for an interactive terminal (the screens
//! themselves are in tui_tmux.rs).

use std::process::{Command, Output};

fn irsa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(args)
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

const FRONT_ENDS: &[&[&str]] = &[&["--demo"], &["tui", "--demo"], &["demo"]];

#[test]
fn bad_arguments_exit_2_naming_them() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--resource",
                "arn:aws:s3:::early",
                "--action",
                "s3:GetObject",
            ],
            "--resource `arn:aws:s3:::early` comes before any --action",
        ),
        (&["--action", "GetObject"], "SERVICE:Action"),
        (&["-l", "app=web=x"], "app=web=x"),
    ];
    for front in FRONT_ENDS {
        for (args, needle) in cases {
            let out = irsa(&[*front, *args].concat());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{front:?} {args:?}: {stderr}");
            assert!(stderr.contains(needle), "{front:?} {args:?}: {stderr}");
            assert!(!stderr.contains("interactive terminal"), "{stderr}");
        }
    }
    for front in [&["tui", "--demo"][..], &["demo"][..]] {
        for (args, needle) in [
            (
                &["deploy", "deploy/langflow"][..],
                "no need to specify a resource type",
            ),
            (&["frobnicate/x"][..], "`frobnicate` is not a kind"),
        ] {
            let out = irsa(&[front, args].concat());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{front:?} {args:?}: {stderr}");
            assert!(stderr.contains(needle), "{front:?} {args:?}: {stderr}");
        }
    }
}

#[test]
fn kubectl_arguments_are_accepted_up_to_the_terminal() {
    let accepted: &[&[&str]] = &[
        &["-n", "flyte"],
        &["-n", "flyte", "-A"],
        &["-A", "--namespace", "flyte"],
        &[
            "-l",
            "app.kubernetes.io/name in (langflow,tlm-chat-backend)",
        ],
        &[
            "--action",
            "bedrock:InvokeModel",
            "--action",
            "s3:PutObject",
            "--resource",
            "arn:aws:s3:::b/x",
        ],
    ];
    for front in FRONT_ENDS {
        for args in accepted {
            let out = irsa(&[*front, *args].concat());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("interactive terminal"),
                "{front:?} {args:?}: {stderr}"
            );
        }
    }
    for target in [
        &["deploy", "langflow"][..],
        &["deploy/langflow"][..],
        &["sa", "langflow-sa"][..],
    ] {
        for front in [&["tui", "--demo"][..], &["demo"][..]] {
            let out = irsa(&[front, target].concat());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("interactive terminal"),
                "{front:?} {target:?}: {stderr}"
            );
        }
    }
}
