//! Whether EKS may assume the association's role for a token, as the real service decides it:
//! the role must be in the cluster's account, exist, and its trust policy (read from moto with
//! IAM GetRole, in the role's account) must let the service principal `pods.eks.amazonaws.com`
//! perform `sts:AssumeRole` and `sts:TagSession` (only `sts:AssumeRole` with session tags
//! disabled) with the request context EKS sends: `aws:SourceAccount`, `aws:SourceArn` (the
//! cluster ARN) and the session tags as `aws:RequestTag/*` and `aws:TagKeys`. With a target
//! role, the target's trust must then let the role's session assume it the same way
//! (field guide F32, F36, section 3.2). The policy is evaluated by the project's own engine
//! (`kubectl_irsa::policy`).

use kubectl_irsa::model::arn::Arn;
use kubectl_irsa::model::aws::PodIdentityAssociation;
use kubectl_irsa::policy::{
    Decision, NamedPolicy, PolicyKind, Request, RequestContext, RequestPrincipal, evaluate_trust,
    parse_policy,
};

use super::super::eks::ClusterView;
use super::super::moto::{moto_iam_client, partition_region};
use super::token::{AUDIENCE, Claims};

/// Why EKS could not assume a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAssumed {
    /// The role is in another account than the cluster.
    OtherAccount,
    /// GetRole found no such role.
    NoSuchRole,
    /// The trust policy does not allow it (or is not valid).
    Trust(String),
    /// moto could not be asked.
    Unreadable(String),
}

/// The session tags EKS attaches, in its order.
pub fn session_tags(cluster: &ClusterView, claims: &Claims) -> Vec<(String, String)> {
    let mut tags = vec![
        ("eks-cluster-arn".to_string(), cluster.arn.clone()),
        ("eks-cluster-name".to_string(), cluster.name.clone()),
        ("kubernetes-namespace".to_string(), claims.namespace.clone()),
        (
            "kubernetes-service-account".to_string(),
            claims.service_account.clone(),
        ),
    ];
    if let Some((name, uid)) = &claims.pod {
        tags.push(("kubernetes-pod-name".to_string(), name.clone()));
        tags.push(("kubernetes-pod-uid".to_string(), uid.clone()));
    }
    tags
}

fn request(
    principal: RequestPrincipal,
    cluster: &ClusterView,
    claims: &Claims,
    tags_enabled: bool,
) -> Request {
    let mut context = RequestContext::new()
        .with("aws:SourceAccount", cluster.account.clone())
        .with("aws:SourceArn", cluster.arn.clone());
    let mut req = Request::new().principal(principal).action("sts:AssumeRole");
    if tags_enabled {
        let tags = session_tags(cluster, claims);
        context = context.with_values("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()).collect());
        for (k, v) in tags {
            context = context.with(format!("aws:RequestTag/{k}"), v);
        }
        req = req.action("sts:TagSession");
    }
    req.context(context)
}

/// The trust policy of `role_arn`, from moto.
async fn trust_policy(moto_url: &str, role_arn: &Arn) -> Result<String, NotAssumed> {
    let iam = moto_iam_client(
        moto_url,
        &role_arn.account,
        partition_region(&role_arn.partition),
    )
    .await;
    let name = role_arn.resource.rsplit('/').next().unwrap_or_default();
    match iam.get_role().role_name(name).send().await {
        Ok(out) => out
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .map(str::to_string)
            .ok_or(NotAssumed::Trust("no trust policy".into())),
        Err(e) => {
            let code = aws_sdk_iam::error::ProvideErrorMetadata::code(&e).unwrap_or_default();
            if code == "NoSuchEntity" {
                Err(NotAssumed::NoSuchRole)
            } else {
                Err(NotAssumed::Unreadable(format!(
                    "GetRole {name}: {}",
                    aws_sdk_iam::error::DisplayErrorContext(&e)
                )))
            }
        }
    }
}

async fn allows(moto_url: &str, role_arn: &Arn, req: &Request) -> Result<(), NotAssumed> {
    let text = trust_policy(moto_url, role_arn).await?;
    let policy = parse_policy(&text, PolicyKind::Trust)
        .map_err(|e| NotAssumed::Trust(format!("invalid trust policy: {e}")))?;
    let eval = evaluate_trust(&NamedPolicy::new(role_arn.to_string(), &policy), req);
    if eval.decision == Decision::Allow {
        return Ok(());
    }
    let refused: Vec<String> = eval
        .actions
        .iter()
        .filter(|a| a.decision != Decision::Allow)
        .map(|a| format!("{}: {}", a.action, a.explanation))
        .collect();
    Err(NotAssumed::Trust(refused.join("; ")))
}

/// Whether EKS may assume the association's role (and its target role) for `claims`; the role
/// whose credentials EKS returns.
pub async fn assume(
    moto_url: &str,
    cluster: &ClusterView,
    association: &PodIdentityAssociation,
    claims: &Claims,
) -> Result<String, NotAssumed> {
    let role_text = association.role_arn.clone().unwrap_or_default();
    let role = Arn::parse(&role_text).ok_or(NotAssumed::NoSuchRole)?;
    if role.account != cluster.account {
        return Err(NotAssumed::OtherAccount);
    }
    let tags = association.disable_session_tags != Some(true);
    let service = RequestPrincipal::Service(AUDIENCE.to_string());
    allows(moto_url, &role, &request(service, cluster, claims, tags)).await?;
    let Some(target_text) = &association.target_role_arn else {
        return Ok(role_text);
    };
    let target = Arn::parse(target_text).ok_or(NotAssumed::NoSuchRole)?;
    let role_name = role.resource.rsplit('/').next().unwrap_or_default();
    let session = format!(
        "arn:{}:sts::{}:assumed-role/{role_name}/eks-{}-session",
        role.partition, role.account, cluster.name
    );
    let mut req = request(RequestPrincipal::Aws(session), cluster, claims, tags);
    req.context
        .insert("aws:PrincipalArn", vec![role_text.clone()]);
    if !tags {
        req.context.insert(
            "sts:ExternalId",
            vec![format!(
                "{}/{}/{}/{}/{}",
                cluster.region,
                cluster.account,
                cluster.name,
                claims.namespace,
                claims.service_account
            )],
        );
    }
    allows(moto_url, &target, &req).await?;
    Ok(target_text.clone())
}
