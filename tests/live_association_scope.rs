//! Which pod identity associations a live run describes (issue 10, "One workload at the
//! round-trip limit"): the association list is the whole cluster's, but only
//! DescribePodIdentityAssociation names an association's role, one request each. A run scoped
//! to a namespace describes that namespace's associations and, elsewhere, those whose service
//! account name the namespace uses (the diagnosis points at such a look-alike and its role);
//! the others stay listed, undescribed. `-A` describes every one.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::collections::BTreeSet;

use support::fake_aws::Moto;
use support::live_env::LiveEnv;

/// A copy of basic's association (shop/payments) for `namespace/service_account`.
fn add_association(env: &LiveEnv, namespace: &str, service_account: &str, id: &str) {
    let mut association = env
        .snapshot
        .aws
        .associations
        .known()
        .and_then(|a| a.first().cloned())
        .unwrap_or_else(|| panic!("basic has an association"));
    association.association_arn = association
        .association_arn
        .map(|a| a.replace(&association.association_id, id));
    association.association_id = id.to_string();
    association.namespace = namespace.to_string();
    association.service_account = service_account.to_string();
    env.eks.add_association(association);
}

/// The association IDs DescribePodIdentityAssociation was asked about.
fn described(env: &LiveEnv) -> BTreeSet<String> {
    env.eks
        .requests()
        .iter()
        .filter(|r| r.operation == "DescribePodIdentityAssociation")
        .map(|r| r.path.rsplit('/').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_namespaced_run_describes_its_namespaces_associations_and_look_alikes_only() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    // basic: shop/payments (a-00000000000000001). Elsewhere: `checkout`, a name shop uses, and
    // a name shop does not use.
    add_association(&env, "staging", "checkout", "a-00000000000000002");
    add_association(&env, "staging", "reports", "a-00000000000000003");

    env.clear_requests();
    let run = env.run(&["doctor", "-n", "shop", "-o", "json"]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.explain());
    assert_eq!(
        described(&env),
        BTreeSet::from([
            "a-00000000000000001".to_string(),
            "a-00000000000000002".to_string()
        ]),
        "shop's association and the look-alike: {}",
        env.request_counts()
    );
    assert_eq!(env.eks.count("ListPodIdentityAssociations"), 1);

    env.clear_requests();
    let run = env.run(&["doctor", "-A", "-o", "json"]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.explain());
    assert_eq!(described(&env).len(), 3, "{}", env.request_counts());
}
