//! `kubectl irsa fix` on a Job's and a CronJob's pods against the harness (issue 11
//! "Restarts"): no restart exists for them, so the plan makes the identity fix and names the
//! workload under `recreate` (a CronJob: its next run; a Job: delete it and re-create it from its
//! manifest), writing exactly the identity fix and no restart.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use support::fake_aws::Moto;
use support::live_env::LiveEnv;

fn kube_writes(env: &LiveEnv) -> Vec<String> {
    env.kube
        .writes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_cronjobs_fix_annotates_names_its_next_run_and_restarts_nothing() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "cronjob-annotation-missing-trusted");
    env.clear_requests();
    // `-A`: which role trusts a service account with no annotation is found by reading every
    // role of the account, which a live gather does for all namespaces.
    let run = env.run(&[
        "fix",
        "cronjob/hourly-reports",
        "-n",
        "etl",
        "-A",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let json = run.json();
    assert_eq!(json["result"], "applied");
    let actions: Vec<&str> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["annotate"], "no restart step");
    assert_eq!(json["recreate"][0]["kind"], "CronJob");
    assert_eq!(json["recreate"][0]["namespace"], "etl");
    assert_eq!(json["recreate"][0]["name"], "hourly-reports");
    assert!(
        json["recreate"][0]["how"]
            .as_str()
            .unwrap()
            .contains("next scheduled run"),
        "{}",
        json["recreate"]
    );
    assert_eq!(
        json["recreate"][0]["command"],
        "kubectl create job hourly-reports-irsa-fix '--from=cronjob/hourly-reports' -n etl"
    );
    // Exactly the annotation: nothing patched the CronJob, its Job or the pod.
    let writes = kube_writes(&env);
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(
        writes[0].starts_with("PATCH ")
            && writes[0].ends_with("/namespaces/etl/serviceaccounts/reports"),
        "{writes:?}"
    );
    assert!(env.iam.writes().is_empty() && env.eks.writes().is_empty());
    // Honest about the pod that still runs: it keeps its old identity until the next run.
    let after = &json["diagnosis"]["workloads"][0];
    assert_eq!(after["brokenLink"], "injection", "{after}");

    // Undo takes the annotation back and names the CronJob again: its next run would still
    // carry the fixed identity otherwise.
    env.clear_requests();
    let undo = env.run(&["undo", "--last", "--yes", "-n", "etl", "-o", "json"]);
    assert_eq!(undo.code, Some(0), "{}", undo.explain());
    let undo = undo.json();
    assert_eq!(undo["steps"][0]["action"], "remove-annotation", "{undo}");
    assert_eq!(undo["recreate"][0]["name"], "hourly-reports", "{undo}");
    assert_eq!(kube_writes(&env).len(), 1);
}

#[test]
fn a_jobs_pod_older_than_its_annotation_is_named_for_re_creation_with_nothing_written() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "job-pod-before-annotation");
    env.clear_requests();
    let run = env.run(&["fix", "job/backfill", "-n", "etl", "--yes", "-o", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let json = run.json();
    assert_eq!(json["result"], "planned");
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(0));
    assert_eq!(json["recreate"][0]["kind"], "Job");
    assert_eq!(json["recreate"][0]["name"], "backfill");
    assert_eq!(
        json["recreate"][0]["command"],
        "kubectl delete job backfill -n etl"
    );
    assert!(kube_writes(&env).is_empty());

    let text = env.run(&["fix", "job/backfill", "-n", "etl", "--yes"]);
    assert_eq!(text.code, Some(0), "{}", text.explain());
    assert!(
        text.stdout
            .contains("then re-create by hand (no step restarts these):")
            && text.stdout.contains("Job etl/backfill: ")
            && text.stdout.contains("$ kubectl delete job backfill -n etl")
            && text.stdout.contains("nothing to write"),
        "{}",
        text.stdout
    );
    assert!(kube_writes(&env).is_empty());
}
