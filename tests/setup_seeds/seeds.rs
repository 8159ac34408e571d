//! The five seed guides' setups as `kubectl irsa setup` flags, with what the doctor must say
//! after each (the table [`super`] runs). To add a guide: a `setup-before-*` scenario in
//! tests/scenarios/make_scenarios.py and a [`Seed`] here.

use super::{LiveEnv, flyte_wildcard, kubeflow_subject_list};

/// One guide's setup: the scenario, the `setup` arguments, and the doctor checks after it.
pub struct Seed {
    pub scenario: &'static str,
    pub setups: &'static [&'static [&'static str]],
    /// (namespace, doctor target, action, resource) the guide needs: allowed.
    pub allowed: &'static [(&'static str, &'static str, &'static str, &'static str)],
    /// The same for an action the setup did not ask for: denied.
    pub denied: &'static [(&'static str, &'static str, &'static str, &'static str)],
    /// What else the guide's setup must look like, given the setups' stderr.
    pub after: Option<fn(&LiveEnv, &str) -> Vec<String>>,
}

const SONNET: &str =
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0";
const HAIKU_WEST: &str =
    "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
const FLYTE_BUCKET: &str = "flyte-metadata-590183740312";

pub const SEEDS: &[Seed] = &[
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
        after: None,
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
        allowed: &[(
            "tlm",
            "deploy/tlm-chat-backend",
            "bedrock:InvokeModel",
            HAIKU_WEST,
        )],
        denied: &[(
            "tlm",
            "deploy/tlm-chat-backend",
            "bedrock:InvokeModel",
            SONNET,
        )],
        after: None,
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
        after: Some(flyte_wildcard),
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
        after: None,
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
        after: Some(kubeflow_subject_list),
    },
];
