//! The wizard's form on the Langflow seed cluster, key by key: every field says what is wrong
//! with it as it is typed, Enter refuses to move on with the same reason, Esc goes back keeping
//! everything, and the walk ends in the request `kubectl irsa setup` would make from flags.

use std::path::PathBuf;

use super::command;
use super::fields::FieldId;
use super::state::{Next, Prefill, Row, S3Access, Step, Wizard};
use crate::app::setup::SetupFacts;
use crate::model::Snapshot;
use crate::model::workload::WorkloadKind;
use crate::plan::setup::{Mechanism, RoleChoice, SetupRequest};
use crate::plan::setup_options::Recommendation;
use crate::plan::setup_policy::{Parameters, Template};

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const ROLE: &str = "arn:aws:iam::130376568147:role/LangflowBedrockRole";

fn scenario(name: &str) -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle");
    crate::sources::bundle::load_dirs(&[dir]).unwrap()
}

fn on(namespace: &str, scenario_name: &str, prefill: Prefill) -> Wizard {
    let mut w = Wizard::new(Prefill {
        namespace: Some(namespace.into()),
        ..prefill
    });
    assert_eq!(w.advance(), Next::Gather(namespace.into()), "facts first");
    w.facts_arrived(SetupFacts::new(namespace, scenario(scenario_name)));
    w
}

/// The wizard as `w` opens it on the langflow Deployment.
fn langflow() -> Wizard {
    let prefill = Prefill {
        workload: Some((WorkloadKind::Deployment, "langflow".into())),
        ..Prefill::default()
    };
    on("langflow", "seed-langflow", prefill)
}

fn typed(w: &mut Wizard, text: &str) {
    text.chars().for_each(|c| w.type_char(c));
}

fn focus(w: &mut Wizard, row: Row) {
    let i = w.rows().iter().position(|r| *r == row);
    w.focus = i.unwrap_or_else(|| panic!("{row:?} is not on {:?}: {:?}", w.step, w.rows()));
}

/// From the first screen to the permissions: the langflow Deployment, IRSA, its role.
fn to_permissions(w: &mut Wizard) {
    assert_eq!(w.advance(), Next::Moved);
    assert_eq!(w.step, Step::Mechanism);
    assert_eq!(w.advance(), Next::Moved);
    focus(w, Row::Candidate(0));
    assert_eq!(w.advance(), Next::Moved);
    assert_eq!(w.step, Step::Permissions);
}

#[test]
fn the_namespace_is_read_first_and_the_workload_on_screen_is_chosen() {
    let mut w = Wizard::new(Prefill {
        namespace: Some("langflow".into()),
        workload: Some((WorkloadKind::Deployment, "langflow".into())),
        ..Prefill::default()
    });
    assert_eq!(
        w.rows(),
        [Row::Field(FieldId::Namespace)],
        "nothing to choose yet"
    );
    assert_eq!(w.advance(), Next::Gather("langflow".into()));
    w.facts_arrived(SetupFacts::new("langflow", scenario("seed-langflow")));
    assert_eq!(
        w.selected_workload().map(|c| c.name.as_str()),
        Some("langflow")
    );
    assert_eq!(w.focused(), Some(Row::Workload(0)));
    assert_eq!(w.text(FieldId::ServiceAccount), "langflow-sa");
    // Typing another namespace makes the facts stale: Enter reads it.
    focus(&mut w, Row::Field(FieldId::Namespace));
    typed(&mut w, "-x");
    assert_eq!(w.rows(), [Row::Field(FieldId::Namespace)]);
    assert_eq!(w.advance(), Next::Gather("langflow-x".into()));
}

#[test]
fn a_bad_namespace_or_service_account_name_says_why_and_enter_stays() {
    let mut w = langflow();
    focus(&mut w, Row::Field(FieldId::ServiceAccount));
    w.clear_field();
    typed(&mut w, "Langflow_SA");
    let why = w.error(FieldId::ServiceAccount).unwrap();
    assert!(why.contains("lower-case letters"), "{why}");
    assert_eq!(w.advance(), Next::Blocked(why.clone()));
    assert_eq!(
        (w.step, w.message.as_deref()),
        (Step::Target, Some(why.as_str()))
    );
    w.clear_field();
    typed(&mut w, "langflow-sa");
    assert_eq!(w.error(FieldId::ServiceAccount), None);
    let mut w = Wizard::new(Prefill::default());
    typed(&mut w, "Prod");
    assert!(matches!(w.advance(), Next::Blocked(m) if m.contains("namespace")));
}

#[test]
fn a_mechanism_that_cannot_serve_is_refused_with_its_reason() {
    let mut w = langflow();
    assert_eq!(w.advance(), Next::Moved);
    let fargate = "its pods run on Fargate, where Pod Identity is not available".to_string();
    w.recommendation = Some(Recommendation {
        mechanism: Mechanism::Irsa,
        reasons: vec![fargate.clone()],
        unavailable: vec![(Mechanism::PodIdentity, fargate.clone())],
    });
    focus(&mut w, Row::Mechanism(Mechanism::PodIdentity));
    let Next::Blocked(why) = w.advance() else {
        panic!("Pod Identity was accepted")
    };
    assert!(
        why.starts_with("Pod Identity cannot serve") && why.ends_with(&fargate),
        "{why}"
    );
    assert_eq!(w.step, Step::Mechanism);
}

#[test]
fn a_role_name_over_64_characters_is_refused_as_it_is_typed() {
    let mut w = langflow();
    w.advance();
    w.advance();
    assert_eq!(w.step, Step::Role);
    assert_eq!(
        w.focused(),
        Some(Row::Candidate(0)),
        "the role already trusting langflow-sa is proposed"
    );
    assert_eq!(
        w.text(FieldId::RoleName),
        "langflow-prod-langflow-langflow-sa",
        "proposed"
    );
    focus(&mut w, Row::Field(FieldId::RoleName));
    w.clear_field();
    typed(&mut w, &"r".repeat(64));
    assert_eq!(w.error(FieldId::RoleName), None);
    typed(&mut w, "r");
    let why = w.error(FieldId::RoleName).unwrap();
    assert_eq!(why, "65 characters: an IAM role name has at most 64");
    focus(&mut w, Row::NewRole);
    assert_eq!(w.advance(), Next::Blocked(why));
    assert_eq!(
        w.focused(),
        Some(Row::Field(FieldId::RoleName)),
        "the focus goes to it"
    );
    w.backspace();
    w.backspace();
    typed(&mut w, "!");
    assert!(
        w.error(FieldId::RoleName)
            .unwrap()
            .contains("'!' is not allowed")
    );
}

#[test]
fn a_bad_bucket_name_and_a_bad_model_id_show_their_reasons() {
    let mut w = langflow();
    to_permissions(&mut w);
    assert_eq!(w.rows()[0], Row::Bedrock);
    w.toggle();
    focus(&mut w, Row::Field(FieldId::Models));
    typed(&mut w, "claude-3-haiku");
    let why = w.error(FieldId::Models).unwrap();
    assert!(why.contains("names its provider first"), "{why}");
    w.clear_field();
    typed(&mut w, "anthropic.*");
    assert!(
        w.error(FieldId::Models)
            .unwrap()
            .contains("wildcards are not granted")
    );
    w.clear_field();
    typed(&mut w, HAIKU);
    assert_eq!(w.error(FieldId::Models), None);

    focus(&mut w, Row::S3);
    w.toggle();
    assert_eq!(w.s3, S3Access::Read);
    focus(&mut w, Row::Field(FieldId::Bucket));
    typed(&mut w, "Langflow_Data");
    let why = w.error(FieldId::Bucket).unwrap();
    assert!(
        why.contains("only lower-case letters, digits, '.' and '-'"),
        "{why}"
    );
    assert_eq!(w.advance(), Next::Blocked(why));
    w.clear_field();
    typed(&mut w, "ab");
    assert!(
        w.error(FieldId::Bucket)
            .unwrap()
            .contains("3 to 63 characters")
    );
    w.clear_field();
    typed(&mut w, "langflow-data");
    assert_eq!(w.error(FieldId::Bucket), None);
    assert_eq!(w.error(FieldId::Prefix), None, "the prefix is optional");

    focus(&mut w, Row::Field(FieldId::PolicyArns));
    typed(&mut w, "arn:aws:iam::aws:policy/AmazonS3FullAccess");
    assert_eq!(w.error(FieldId::PolicyArns), None);
    assert!(
        super::fields::warning(FieldId::PolicyArns, w.text(FieldId::PolicyArns))
            .is_some_and(|m| m.contains("grants a whole service"))
    );
    w.clear_field();
    typed(&mut w, "AmazonS3FullAccess");
    assert!(
        w.error(FieldId::PolicyArns)
            .unwrap()
            .contains("not a managed policy ARN")
    );
}

#[test]
fn back_keeps_every_value_and_the_walk_makes_the_flags_request() {
    let mut w = langflow();
    to_permissions(&mut w);
    w.toggle();
    focus(&mut w, Row::Field(FieldId::Models));
    typed(&mut w, HAIKU);
    // All the way back to the first screen and forward again: nothing is lost.
    for step in [Step::Role, Step::Mechanism, Step::Target] {
        assert!(w.back());
        assert_eq!(w.step, step);
    }
    assert!(!w.back(), "Esc on the first screen closes the wizard");
    focus(&mut w, Row::Workload(0));
    to_permissions(&mut w);
    assert!(w.bedrock);
    assert_eq!(w.text(FieldId::Models), HAIKU);
    assert_eq!(w.advance(), Next::Moved);
    assert_eq!(w.step, Step::Region);
    assert!(!w.region_on(), "IRSA's webhook injects the region");
    let Next::Plan(req) = w.advance() else {
        panic!("no plan asked for: {:?}", w.message)
    };
    let expected = SetupRequest {
        namespace: "langflow".into(),
        service_account: "langflow-sa".into(),
        workload: Some((WorkloadKind::Deployment, "langflow".into())),
        mechanism: Mechanism::Irsa,
        role: RoleChoice::Existing(ROLE.into()),
        templates: vec![Template::BedrockInvoke],
        parameters: Parameters {
            models: vec![HAIKU.into()],
            ..Parameters::default()
        },
        policy_arns: Vec::new(),
        region_env: false,
    };
    assert_eq!(*req, expected);
    assert_eq!(w.step, Step::Review);
    assert_eq!(
        command::line(&req),
        format!(
            "kubectl irsa setup -n langflow --service-account langflow-sa --workload deploy/langflow --mechanism irsa --role {ROLE} --policy-template bedrock-invoke --model {HAIKU}"
        )
    );
}

#[test]
fn flags_prefill_the_wizard_and_a_typed_role_name_is_not_replaced() {
    let mut w = on(
        "langflow",
        "seed-langflow",
        Prefill {
            service_account: Some("langflow-bot".into()),
            mechanism: Some(Mechanism::PodIdentity),
            role: Some(RoleChoice::Create("langflow-bot".into())),
            templates: vec![Template::S3ReadWrite],
            parameters: Parameters {
                bucket: Some("langflow-data".into()),
                ..Parameters::default()
            },
            ..Prefill::default()
        },
    );
    assert_eq!(
        w.workload, None,
        "no workload named: a service account only"
    );
    assert_eq!(w.text(FieldId::ServiceAccount), "langflow-bot");
    w.advance();
    assert_eq!(
        w.chosen_mechanism(),
        Mechanism::PodIdentity,
        "the flag wins"
    );
    w.advance();
    assert_eq!(w.text(FieldId::RoleName), "langflow-bot");
    assert!(
        w.candidates.is_empty(),
        "no role of this account trusts langflow-bot"
    );
    w.advance();
    assert_eq!(w.s3, S3Access::ReadWrite);
    w.advance();
    let Next::Plan(req) = w.advance() else {
        panic!("{:?}", w.message)
    };
    assert_eq!(req.role, RoleChoice::Create("langflow-bot".into()));
    assert_eq!(req.templates, [Template::S3ReadWrite]);
    assert!(!req.region_env, "no workload: no region to set");
}

#[test]
fn a_workload_on_the_default_service_account_gets_one_named_after_it() {
    let snap = scenario("pod-uses-default-sa");
    let on_default = crate::plan::setup_options::workloads(&snap, "shop")
        .into_iter()
        .position(|c| c.service_account == "default");
    let Some(i) = on_default else {
        panic!("the fixture has no workload on default")
    };
    let mut w = on("shop", "pod-uses-default-sa", Prefill::default());
    focus(&mut w, Row::Workload(i));
    w.toggle();
    let name = w.workloads[i].name.clone();
    assert_eq!(w.text(FieldId::ServiceAccount), name);
}
