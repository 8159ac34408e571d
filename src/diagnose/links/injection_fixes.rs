//! The injection link's fixes that edit a workload's pod template, as plan data where a plan
//! can edit it (a Deployment, StatefulSet or DaemonSet): removing variables that shadow the
//! injected credentials, and the fsGroup that makes the token readable. Elsewhere (a bare
//! pod, a Job) the words and commands say what to do by hand.

use crate::diagnose::context::Ctx;
use crate::diagnose::k8s;
use crate::model::CommandLine;
use crate::model::chain::{Finding, Fix, Severity};
use crate::model::codes;

/// "Remove these variables from the template, then restart" (field guide A5, F39): as data
/// where the template sets them as literal `env` entries of a workload a plan can edit (a
/// variable from `envFrom` or a bare pod is fixed by hand: the words say how).
pub(super) fn remove_env_fix(ctx: &Ctx, container: &str, names: &[&str], words: &str) -> Fix {
    let (kind, ns, name) = (ctx.workload.id.kind, &ctx.namespace, &ctx.workload.id.name);
    let template_sets = |n: &str| {
        ctx.workload
            .template
            .and_then(|t| t.spec.as_ref())
            .and_then(|s| s.containers.iter().find(|c| c.name == container))
            .and_then(|c| c.env.as_ref())
            // Only a literal value is removed as data: one set from a reference could not be
            // put back exactly by undo.
            .is_some_and(|env| env.iter().any(|e| e.name == n && e.value_from.is_none()))
    };
    let mut fix = Fix::new(words);
    let workload = k8s::plan_workload(kind, ns, name);
    for n in names.iter().filter(|n| template_sets(n)) {
        fix = fix.command(CommandLine::kubectl([
            "set",
            "env",
            &format!("{}/{name}", kind.kind_name().to_ascii_lowercase()),
            "-n",
            ns,
            "-c",
            container,
            &format!("{n}-"),
        ]));
        if let Some(w) = &workload {
            fix = fix.change(crate::model::plan::Change::SetEnv {
                workload: w.clone(),
                container: container.to_string(),
                name: n.to_string(),
                value: None,
            });
        }
    }
    let edits = !fix.changes.is_empty();
    let fix = k8s::with_restart(fix, kind, ns, name);
    // Without an edit the restart alone would bring the same variables back.
    if edits {
        fix
    } else {
        Fix {
            changes: Vec::new(),
            ..fix
        }
    }
}

/// TOKEN_UNREADABLE errors among `findings` get their fix as data.
pub(super) fn fs_group_fix(ctx: &Ctx, findings: &mut [Finding]) {
    // The fix as data where a plan can edit the template (field guide B12): an fsGroup makes
    // the projected token group-readable; 65534 is the group of nobody, as AWS's examples use.
    let (kind, ns, name) = (ctx.workload.id.kind, &ctx.namespace, &ctx.workload.id.name);
    if let Some(workload) = k8s::plan_workload(kind, ns, name) {
        for f in findings
            .iter_mut()
            .filter(|f| f.code == codes::TOKEN_UNREADABLE && f.severity == Severity::Error)
        {
            let words = f
                .fix
                .as_ref()
                .map(|x| x.summary.clone())
                .unwrap_or_default();
            f.fix = Some(k8s::with_restart(
                Fix::new(words)
                    .command(CommandLine::kubectl([
                        "patch",
                        &kind.kind_name().to_ascii_lowercase(),
                        name,
                        "-n",
                        ns,
                        "-p",
                        r#"{"spec":{"template":{"spec":{"securityContext":{"fsGroup":65534}}}}}"#,
                    ]))
                    .change(crate::model::plan::Change::SetFsGroup {
                        workload: workload.clone(),
                        fs_group: Some(65534),
                    }),
                kind,
                ns,
                name,
            ));
        }
    }
}
