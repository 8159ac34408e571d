//! The setups of the five seed guides, built by `kubectl irsa setup` from flags against the
//! harness (issue 12, "Tests"): each `setup-before-*` scenario (the guide's cluster before any
//! AWS identity) is set up with `--yes`, after which the doctor shows the chain green for the
//! actions the guide needs and the permissions link broken for one it did not ask for; the same
//! setup run again plans nothing and writes nothing (no write in the fakes' request logs).
//! Also: `--dry-run` writes nothing, `-o terraform` prints resources, `undo --last` puts the
//! cluster and account back, and usage errors exit 2 with a message.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use serde_json::Value;
use support::fake_aws::Moto;
use support::live_env::{LiveEnv, Run};

/// One guide's setup: the scenario, the `setup` arguments, and the doctor checks after it.
struct Seed {
    scenario: &'static str,
    setups: &'static [&'static [&'static str]],
    /// (namespace, doctor target, action, resource) the guide needs: allowed.
    allowed: &'static [(&'static str, &'static str, &'static str, &'static str)],
    /// The same for an action the setup did not ask for: denied.
    denied: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const SONNET: &str =
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0";
const HAIKU_WEST: &str =
    "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
const FLYTE_BUCKET: &str = "flyte-metadata-590183740312";

const SEEDS: &[Seed] = &[
    Seed {
        scenario: "setup-before-langflow",
        setups: &[&[
            "-n",
            "langflow",
            "--service-account",
            "langflow-sa",
            "--workload",
            "deploy/langflow",
            "--mechanism",
            "irsa",
            "--create-role",
            "LangflowBedrockRole",
            "--policy-template",
            "bedrock-invoke",
            "--model",
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
        ]],
        allowed: &[
            ("langflow", "deploy/langflow", "bedrock:InvokeModel", SONNET),
            (
                "langflow",
                "deploy/langflow",
                "bedrock:InvokeModelWithResponseStream",
                SONNET,
            ),
        ],
        denied: &[
            (
                "langflow",
                "deploy/langflow",
                "bedrock:InvokeModel",
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
            ),
            (
                "langflow",
                "deploy/langflow",
                "s3:PutObject",
                "arn:aws:s3:::langflow-data/x",
            ),
        ],
    },
    Seed {
        scenario: "setup-before-litellm",
        setups: &[&[
            "-n",
            "tlm",
            "--service-account",
            "tlm-chat-backend",
            "--workload",
            "deploy/tlm-chat-backend",
            "--mechanism",
            "irsa",
            "--create-role",
            "tlm-chat-backend-x7k2",
            "--policy-template",
            "bedrock-invoke",
            "--model",
            "anthropic.claude-3-haiku-20240307-v1:0",
            "--region-env",
        ]],
        allowed: &[("tlm", "deploy/tlm-chat-backend", "bedrock:InvokeModel", HAIKU_WEST)],
        denied: &[(
            "tlm",
            "deploy/tlm-chat-backend",
            "bedrock:InvokeModel",
            SONNET,
        )],
    },
    Seed {
        scenario: "setup-before-flyte",
        setups: &[&[
            "-n",
            "flytesnacks-*",
            "--service-account",
            "default",
            "--mechanism",
            "irsa",
            "--create-role",
            "flyte-workers-role",
            "--policy-template",
            "s3-read-write",
            "--bucket",
            FLYTE_BUCKET,
        ]],
        allowed: &[
            (
                "flytesnacks-development",
                "sa/default",
                "s3:PutObject",
                "arn:aws:s3:::flyte-metadata-590183740312/metadata/propeller/x.pb",
            ),
            (
                "flytesnacks-staging",
                "sa/default",
                "s3:GetObject",
                "arn:aws:s3:::flyte-metadata-590183740312/metadata/propeller/x.pb",
            ),
        ],
        denied: &[(
            "flytesnacks-staging",
            "sa/default",
            "s3:GetObject",
            "arn:aws:s3:::another-bucket/x.pb",
        )],
    },
    Seed {
        scenario: "setup-before-enbuild",
        setups: &[
            &[
                "-n",
                "enbuild",
                "--service-account",
                "enbuild-ai",
                "--workload",
                "deploy/enbuild-enbuild-ai",
                "--mechanism",
                "pod-identity",
                "--create-role",
                "enbuild-ai-bedrock",
                "--policy-template",
                "bedrock-invoke",
                "--model",
                "anthropic.claude-3-5-sonnet-20240620-v1:0",
            ],
            &[
                "-n",
                "enbuild",
                "--service-account",
                "enbuild-ctf",
                "--workload",
                "deploy/enbuild-enbuild-ctf",
                "--mechanism",
                "pod-identity",
                "--create-role",
                "enbuild-ctf-s3",
                "--policy-template",
                "s3-read",
                "--bucket",
                "enbuild-ctf-challenges",
            ],
        ],
        allowed: &[
            (
                "enbuild",
                "deploy/enbuild-enbuild-ai",
                "bedrock:InvokeModel",
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
            ),
            (
                "enbuild",
                "deploy/enbuild-enbuild-ctf",
                "s3:GetObject",
                "arn:aws:s3:::enbuild-ctf-challenges/flags.zip",
            ),
        ],
        denied: &[
            (
                "enbuild",
                "deploy/enbuild-enbuild-ai",
                "s3:GetObject",
                "arn:aws:s3:::enbuild-ctf-challenges/flags.zip",
            ),
            (
                "enbuild",
                "deploy/enbuild-enbuild-ctf",
                "s3:PutObject",
                "arn:aws:s3:::enbuild-ctf-challenges/flags.zip",
            ),
        ],
    },
    Seed {
        scenario: "setup-before-kubeflow",
        setups: &[
            &[
                "-n",
                "kubeflow-user-a",
                "--service-account",
                "default-viewer",
                "--workload",
                "sts/notebook",
                "--mechanism",
                "irsa",
                "--role",
                "kf-user-kubeflow",
                "--policy-template",
                "s3-read",
                "--bucket",
                "kubeflow-datasets",
            ],
            &[
                "-n",
                "kubeflow-user-b",
                "--service-account",
                "default-viewer",
                "--workload",
                "sts/notebook",
                "--mechanism",
                "irsa",
                "--role",
                "kf-user-kubeflow",
                "--policy-template",
                "s3-read",
                "--bucket",
                "kubeflow-datasets",
            ],
        ],
        allowed: &[
            (
                "kubeflow-user-a",
                "sts/notebook",
                "s3:GetObject",
                "arn:aws:s3:::kubeflow-datasets/mnist/train.csv",
            ),
            (
                "kubeflow-user-b",
                "sts/notebook",
                "s3:GetObject",
                "arn:aws:s3:::kubeflow-datasets/mnist/train.csv",
            ),
        ],
        denied: &[(
            "kubeflow-user-b",
            "sts/notebook",
            "s3:PutObject",
            "arn:aws:s3:::kubeflow-datasets/mnist/train.csv",
        )],
    },
];

fn setup(env: &LiveEnv, args: &[&str], extra: &[&str]) -> Run {
    let mut all = vec!["setup"];
    all.extend_from_slice(args);
    all.extend_from_slice(extra);
    env.run(&all)
}

fn doctor(env: &LiveEnv, ns: &str, target: &str, action: &str, resource: &str) -> Run {
    env.run(&[
        "doctor",
        target,
        "-n",
        ns,
        "--action",
        action,
        "--resource",
        resource,
        "-o",
        "json",
    ])
}

/// stdout as JSON, or null (the failure then shows both streams).
fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or(Value::Null)
}

/// The one workload of a targeted doctor report.
fn workload(run: &Run) -> Value {
    json(run)["workloads"]
        .as_array()
        .and_then(|w| w.first().cloned())
        .unwrap_or(Value::Null)
}

/// Every link ok, the permissions link allowing the action; a wildcard subject's own warning
/// (`TRUST_WIDE_WILDCARD`, what the guide's `*` allows) is the only warning accepted.
fn green(w: &Value) -> bool {
    let links = w["links"].as_array().cloned().unwrap_or_default();
    let permissions_ok = links
        .iter()
        .any(|l| l["link"] == "permissions" && l["status"] == "ok");
    let warnings_wildcard_only = links.iter().all(|l| {
        l["status"] != "warning"
            || l["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["severity"] == "warning")
                .all(|f| f["code"] == "TRUST_WIDE_WILDCARD")
    });
    permissions_ok
        && w["brokenLink"].is_null()
        && (w["status"] == "ok" || (w["status"] == "warning" && warnings_wildcard_only))
}

/// (kubernetes, iam, eks) writes recorded since the last clear.
fn writes(env: &LiveEnv) -> (usize, usize, usize) {
    (
        env.kube.writes().len(),
        env.iam.writes().len(),
        env.eks.writes().len(),
    )
}

/// Runs one seed end to end; returns what went wrong.
fn check_seed(moto: &Moto, seed: &Seed) -> Vec<String> {
    let mut failures = Vec::new();
    let name = seed.scenario;
    let env = LiveEnv::start(moto, name);
    for args in seed.setups {
        let run = setup(&env, args, &["--yes", "-o", "json"]);
        let out = json(&run);
        if run.code != Some(0) || out["result"] != "applied" {
            failures.push(format!("{name}: setup {args:?}: {}", run.explain()));
            return failures;
        }
    }
    for (ns, target, action, resource) in seed.allowed {
        let run = doctor(&env, ns, target, action, resource);
        let w = workload(&run);
        if run.code != Some(0) || !green(&w) {
            failures.push(format!(
                "{name}: {ns}/{target} {action} on {resource} is not allowed: {}",
                run.explain()
            ));
        }
    }
    for (ns, target, action, resource) in seed.denied {
        let run = doctor(&env, ns, target, action, resource);
        let w = workload(&run);
        if run.code != Some(1) || w["status"] != "broken" || w["brokenLink"] != "permissions" {
            failures.push(format!(
                "{name}: {ns}/{target} {action} on {resource} was not asked for, yet not denied: {}",
                run.explain()
            ));
        }
    }
    for args in seed.setups {
        env.clear_requests();
        let run = setup(&env, args, &["--yes", "-o", "json"]);
        let out = json(&run);
        if run.code != Some(0) || out["result"] != "nothing-to-do" || writes(&env) != (0, 0, 0) {
            failures.push(format!(
                "{name}: rerun of {args:?} (writes {:?}): {}",
                writes(&env),
                run.explain()
            ));
        }
    }
    failures
}

#[test]
fn the_five_seed_setups_are_built_green_least_privilege_and_rerun_to_nothing() {
    let moto = Moto::acquire_blocking();
    let failures: Vec<String> = SEEDS.iter().flat_map(|s| check_seed(&moto, s)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
