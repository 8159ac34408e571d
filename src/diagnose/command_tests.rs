//! The commands fixes carry: built from argv, copying a value only when the fix is about it and
//! the tool did not find it malformed, with `<UPPER_SNAKE>` placeholders otherwise (issue 14).

use super::tests::{ACCOUNT, cluster, pod, role_arn, run, sa, sa_target};
use crate::model::chain::{Fix, LinkName};
use crate::model::command::placeholder;
use crate::model::report::WorkloadReport;

fn fix_of(w: &WorkloadReport, link: LinkName, code: &str) -> Fix {
    w.link(link)
        .and_then(|l| l.findings.iter().find(|f| f.code == code))
        .and_then(|f| f.fix.clone())
        .unwrap_or_else(|| panic!("no {code} fix on {link}: {w:#?}"))
}

fn typo_fix(value: &str) -> Fix {
    let files = [
        cluster(),
        sa("shop", "search", &[("eks.amazonaws.com/role_arn", value)]),
        pod("shop", "search-1", "search", &[], &[]),
    ];
    let w = &run(&files, sa_target("shop", "search"))[0];
    fix_of(w, LinkName::Annotation, "ANNOTATION_KEY_TYPO")
}

#[test]
fn a_misspelt_key_holding_a_role_arn_is_renamed_with_its_value() {
    let arn = format!("arn:aws:iam::{ACCOUNT}:role/$(id)/search");
    let fix = typo_fix(&arn);
    let argv: Vec<&[String]> = fix.commands.iter().map(|c| c.argv()).collect();
    assert_eq!(
        argv[0],
        [
            "kubectl",
            "annotate",
            "serviceaccount",
            "search",
            "-n",
            "shop",
            &format!("eks.amazonaws.com/role-arn={arn}"),
            "--overwrite"
        ]
    );
    assert_eq!(
        argv[1],
        [
            "kubectl",
            "annotate",
            "serviceaccount",
            "search",
            "-n",
            "shop",
            "eks.amazonaws.com/role_arn-"
        ]
    );
    // A bare pod cannot be restarted in place: the words say the delete needs a re-creation.
    assert_eq!(
        argv[2],
        ["kubectl", "delete", "pod", "search-1", "-n", "shop"]
    );
    assert!(
        fix.summary.contains("recreate it from its manifest"),
        "{}",
        fix.summary
    );
    assert!(fix.commands.iter().all(|c| !c.render().contains('#')));
    assert!(
        fix.commands[0]
            .render()
            .contains(&format!("'eks.amazonaws.com/role-arn={arn}'")),
        "{}",
        fix.commands[0]
    );
}

#[test]
fn a_misspelt_key_holding_no_role_arn_gets_the_placeholder() {
    let fix = typo_fix("arn:aws:iam::111122223333:role/search$(touch x)");
    assert_eq!(
        fix.commands[0].argv()[6],
        format!("eks.amazonaws.com/role-arn={}", placeholder::ROLE_ARN)
    );
    assert!(
        fix.summary.contains("not a valid role ARN"),
        "{}",
        fix.summary
    );
    assert!(fix.commands.iter().all(|c| !c.render().contains("$(touch")));
}

#[test]
fn an_annotation_with_no_role_to_name_gets_the_placeholder() {
    // The regional-STS annotation shows IRSA was meant; no role names the service account.
    let files = [
        cluster(),
        sa(
            "shop",
            "orders",
            &[("eks.amazonaws.com/sts-regional-endpoints", "true")],
        ),
        pod("shop", "orders-1", "orders", &[], &[]),
    ];
    let w = &run(&files, sa_target("shop", "orders"))[0];
    let fix = fix_of(w, LinkName::Annotation, "ANNOTATION_MISSING");
    assert_eq!(
        fix.commands[0].render(),
        "kubectl annotate serviceaccount orders -n shop 'eks.amazonaws.com/role-arn=<ROLE_ARN>' --overwrite"
    );
}

#[test]
fn a_malformed_role_arn_is_replaced_not_repeated() {
    let files = [
        cluster(),
        sa(
            "shop",
            "orders",
            &[(
                "eks.amazonaws.com/role-arn",
                &format!("{}`id`", role_arn("orders")),
            )],
        ),
        pod("shop", "orders-1", "orders", &[], &[]),
    ];
    let w = &run(&files, sa_target("shop", "orders"))[0];
    let fix = fix_of(w, LinkName::Annotation, "ROLE_ARN_MALFORMED");
    assert_eq!(
        fix.commands[0].argv()[6],
        "eks.amazonaws.com/role-arn=<ROLE_ARN>"
    );
}
