//! Every fixture scenario's bundle seeds moto and reads back (roles with their ARN and exact
//! trust text): the live end-to-end tests rely on it. Scenarios that never give one name two
//! contents share a moto state, one reset per batch.
//!
//! Needs moto: run through `./scripts/test.sh`, or after `scripts/moto.sh install` (the tests
//! then start moto themselves).

#[path = "support/aws_fixtures.rs"]
mod aws_fixtures;
#[path = "support/fake_aws/mod.rs"]
mod fake_aws;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use aws_fixtures::*;
use fake_aws::*;
use kubectl_irsa::model::Snapshot;

/// What a scenario creates in moto (customer objects only): name -> content, to batch
/// scenarios that can share one moto state.
fn created_objects(snapshot: &Snapshot) -> BTreeMap<String, String> {
    let iam = &snapshot.aws.iam;
    let mut out = BTreeMap::new();
    for role in iam.roles.values() {
        out.insert(
            format!("{}:role/{}", account_of(&role.arn), role.name),
            format!("{role:?}"),
        );
        // An attached customer policy the bundle lacks is created as a placeholder.
        for p in role.attached_policies.known().into_iter().flatten() {
            out.entry(p.arn.clone())
                .or_insert_with(|| "placeholder".to_string());
        }
    }
    for (arn, provider) in &iam.oidc_providers {
        out.insert(arn.clone(), format!("{provider:?}"));
    }
    for (arn, policy) in &iam.managed_policies {
        out.insert(arn.clone(), format!("{policy:?}"));
    }
    out.retain(|k, _| !k.contains(":iam::aws:"));
    out
}

/// Every fixture bundle seeds moto and reads back (the live end-to-end tests rely on it).
#[tokio::test]
async fn every_scenario_bundle_seeds_moto() {
    let moto = Moto::acquire().await;
    let mut scenarios: Vec<(String, Snapshot)> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("bundle").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .map(|name| {
            let snapshot = load_scenario(&name);
            (name, snapshot)
        })
        .collect();
    scenarios.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(scenarios.len() > 10);

    // First-fit batches of scenarios that never give one name two contents: one reset per
    // batch (resets and re-creating an account's IAM, with its AWS managed policies, are what
    // take time). Objects an earlier scenario of the batch created are not created again.
    type Batch = (BTreeMap<String, String>, Vec<usize>);
    let mut batches: Vec<Batch> = Vec::new();
    for (i, (_, snapshot)) in scenarios.iter().enumerate() {
        let objects = created_objects(snapshot);
        let fits = |taken: &BTreeMap<String, String>| {
            objects
                .iter()
                .all(|(k, v)| taken.get(k).is_none_or(|t| t == v))
        };
        match batches.iter_mut().find(|(taken, _)| fits(taken)) {
            Some((taken, members)) => {
                taken.extend(objects);
                members.push(i);
            }
            None => batches.push((objects, vec![i])),
        }
    }

    let started = Instant::now();
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let mut roles = 0;
    for (_, members) in &batches {
        moto.reset().await;
        let mut clients: BTreeMap<String, aws_sdk_iam::Client> = BTreeMap::new();
        let mut created: BTreeSet<String> = BTreeSet::new();
        for &i in members {
            let (name, snapshot) = &scenarios[i];
            // Leave out what the batch already holds (identical, by construction).
            let mut fresh = snapshot.clone();
            let iam = &mut fresh.aws.iam;
            iam.roles.retain(|_, r| {
                !created.contains(&format!("{}:role/{}", account_of(&r.arn), r.name))
            });
            iam.oidc_providers.retain(|arn, _| !created.contains(arn));
            iam.managed_policies.retain(|arn, _| !created.contains(arn));
            created.extend(created_objects(snapshot).into_keys());
            let seeded = match seed_moto(moto.url(), &fresh).await {
                Ok(seeded) => seeded,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            roles += seeded.counts.roles;
            notes.extend(seeded.notes.iter().map(|n| format!("{name}: {n}")));
            // Every role reads back with its ARN and exact trust text.
            for role in snapshot.aws.iam.roles.values() {
                let account = account_of(&role.arn);
                if !clients.contains_key(&account) {
                    let partition = kubectl_irsa::model::arn::Arn::parse(&role.arn)
                        .unwrap()
                        .partition;
                    let region = partition_region(&partition);
                    let client = moto_iam_client(moto.url(), &account, region).await;
                    clients.insert(account.clone(), client);
                }
                let got = clients[&account]
                    .get_role()
                    .role_name(&role.name)
                    .send()
                    .await;
                let got = match got {
                    Ok(got) => got,
                    Err(e) => {
                        failures.push(format!("{name}: GetRole {}: {e:?}", role.name));
                        continue;
                    }
                };
                let got = got.role().unwrap();
                if got.arn() != role.arn {
                    failures.push(format!("{name}: {} read back as {}", role.arn, got.arn()));
                }
                if let (Some(want), Some(got)) =
                    (&role.trust_policy, got.assume_role_policy_document())
                    && kubectl_irsa::policy::decode_document(got).unwrap() != decoded(want)
                {
                    failures.push(format!("{name}: trust of {} differs", role.arn));
                }
            }
        }
    }
    eprintln!(
        "seeded {} scenarios ({roles} roles) in {} batches in {:?}",
        scenarios.len(),
        batches.len(),
        started.elapsed()
    );
    for n in &notes {
        eprintln!("note: {n}");
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn account_of(arn: &str) -> String {
    kubectl_irsa::model::arn::Arn::parse(arn).unwrap().account
}
