//! The `kubectl irsa setup` command line a wizard's choices equal, shown on the review screen
//! so the same setup can be scripted (issue 12: CI drives exactly these flags). Quoted for a
//! POSIX shell.

use crate::plan::setup::{Mechanism, RoleChoice, SetupRequest};

pub fn line(req: &SetupRequest) -> String {
    let mut args: Vec<String> = vec![
        "kubectl".into(),
        "irsa".into(),
        "setup".into(),
        "-n".into(),
        req.namespace.clone(),
        "--service-account".into(),
        req.service_account.clone(),
    ];
    let mut flag = |name: &str, value: &str| {
        args.push(format!("--{name}"));
        args.push(value.to_string());
    };
    if let Some((kind, name)) = &req.workload {
        flag("workload", &format!("{}/{name}", kind.short()));
    }
    let mechanism = match req.mechanism {
        Mechanism::Irsa => "irsa",
        Mechanism::PodIdentity => "pod-identity",
    };
    flag("mechanism", mechanism);
    match &req.role {
        RoleChoice::Existing(r) => flag("role", r),
        RoleChoice::Create(n) => flag("create-role", n),
        RoleChoice::Default => {}
    }
    for t in &req.templates {
        flag("policy-template", t.name());
    }
    let p = &req.parameters;
    for m in &p.models {
        flag("model", m);
    }
    if let Some(b) = &p.bucket {
        flag("bucket", b);
    }
    if let Some(prefix) = &p.prefix {
        flag("prefix", prefix);
    }
    for s in &p.secrets {
        flag("secret", s);
    }
    for a in &req.policy_arns {
        flag("policy-arn", a);
    }
    if req.region_env {
        args.push("--region-env".into());
    }
    crate::model::CommandLine::new(args).render()
}
