//! The wizard on the seed guides' `setup-before-*` clusters (issue 12), for what the walks in
//! tests/tui_wizard_seeds.rs found: each test is one of those walks, key by key on the form,
//! down to the work the review's Enter asks for.

use std::path::PathBuf;

use super::fields::FieldId;
use super::state::{Next, Prefill, Review, Row, S3Access, Step, Wizard};
use crate::app::setup::SetupFacts;
use crate::model::Snapshot;
use crate::plan::fix::FixOutcome;
use crate::plan::setup::{Mechanism, RoleChoice};
use crate::tui::keys::Action;
use crate::tui::message::{Scope, Work};
use crate::tui::state::App;
use crate::tui::theme::Theme;

/// The scenario as setup reads it live: every role of the account listed (setup's own read,
/// `crate::app::setup::source_for`), so a new role's name is known to be free.
fn scenario(name: &str) -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle");
    let mut snap = crate::sources::bundle::load_dirs(&[dir]).unwrap();
    let account = snap.aws.cluster.known().and_then(|c| c.account());
    snap.aws.iam.complete_role_accounts.extend(account);
    snap
}

fn typed(w: &mut Wizard, text: &str) {
    text.chars().for_each(|c| w.type_char(c));
}

fn focus(w: &mut Wizard, row: Row) {
    let i = w.rows().iter().position(|r| *r == row);
    w.focus = i.unwrap_or_else(|| panic!("{row:?} is not on {:?}: {:?}", w.step, w.rows()));
}

/// Screens 3 to 5 with a new role `role` and S3 read-write on `bucket`: the request made.
fn new_role_s3_to_review(
    w: &mut Wizard,
    role: &str,
    bucket: &str,
) -> Box<crate::plan::setup::SetupRequest> {
    assert_eq!((w.advance(), w.step), (Next::Moved, Step::Role));
    focus(w, Row::Field(FieldId::RoleName));
    w.clear_field();
    typed(w, role);
    assert_eq!((w.advance(), w.step), (Next::Moved, Step::Permissions));
    focus(w, Row::S3);
    w.toggle();
    w.toggle();
    assert_eq!(w.s3, S3Access::ReadWrite);
    focus(w, Row::Field(FieldId::Bucket));
    typed(w, bucket);
    assert_eq!((w.advance(), w.step), (Next::Moved, Step::Region));
    match w.advance() {
        Next::Plan(req) => req,
        other => panic!("no plan asked for: {other:?}, {:?}", w.message),
    }
}

/// The review's Enter on a live cluster, the plan made from `snap`: the work asked for.
fn apply(
    mut w: Wizard,
    snap: &Snapshot,
    req: &crate::plan::setup::SetupRequest,
) -> (App, Vec<Work>) {
    let planned = crate::plan::setup::plan_setup(snap, req, "p1", "setup", jiff::Timestamp::now())
        .unwrap_or_else(|e| panic!("{e}"));
    let FixOutcome::Ready { plan, .. } = planned.outcome else {
        panic!("no plan: {:?}", planned.outcome);
    };
    w.review = Review::Ready(Box::new(plan));
    // `kubectl irsa setup` with no -n: the list behind the wizard is the context's namespace.
    let mut app = App::new("test", true, Scope::ContextNamespace, Theme { color: true });
    app.wizard = Some(w);
    let work = super::update::act(&mut app, Action::Open);
    (app, work)
}

/// Flyte: the namespace pattern typed on screen 1 (no -n), the project's `default` alone. The
/// plan touches every matching namespace: applying must read them all to see that nothing
/// changed since (reading the context's namespace, it found the service accounts gone and
/// refused with a conflict), and the list the wizard closes on shows them.
#[test]
fn a_namespace_pattern_is_applied_and_shown_across_every_namespace() {
    let snap = scenario("setup-before-flyte");
    let mut w = Wizard::new(Prefill::default());
    typed(&mut w, "flytesnacks-*");
    assert_eq!(w.advance(), Next::Gather("flytesnacks-*".into()));
    w.facts_arrived(SetupFacts::new("flytesnacks-*", snap.clone()));
    assert_eq!(w.workloads, [], "task pods come later: no workload");
    assert_eq!(w.focused(), Some(Row::Field(FieldId::ServiceAccount)));
    typed(&mut w, "default");
    assert_eq!((w.advance(), w.step), (Next::Moved, Step::Mechanism));
    assert_eq!(w.chosen_mechanism(), Mechanism::Irsa);
    let warning = w.wildcard_warning().unwrap_or_default();
    assert!(warning.contains("StringLike"), "{warning}");
    let req = new_role_s3_to_review(&mut w, "flyte-workers-role", "flyte-metadata-590183740312");
    assert_eq!(req.namespace, "flytesnacks-*");
    assert_eq!(req.role, RoleChoice::Create("flyte-workers-role".into()));
    let (app, work) = apply(w, &snap, &req);
    let [
        Work::Apply {
            workload: None,
            scope,
            ..
        },
    ] = work.as_slice()
    else {
        panic!("not an apply of a service account alone: {work:?}");
    };
    assert_eq!(*scope, Scope::All, "every namespace is read before writing");
    assert_eq!(app.scope, Scope::All, "and listed after");
}

/// A service account alone in a namespace typed on screen 1 (not the context's): the
/// namespace typed is read before writing, and listed after.
#[test]
fn a_service_account_alone_is_applied_in_the_namespace_typed() {
    let snap = scenario("setup-before-flyte");
    let ns = "flytesnacks-staging";
    let mut w = Wizard::new(Prefill::default());
    typed(&mut w, ns);
    assert_eq!(w.advance(), Next::Gather(ns.into()));
    w.facts_arrived(SetupFacts::new(ns, snap.clone()));
    typed(&mut w, "default");
    assert_eq!((w.advance(), w.step), (Next::Moved, Step::Mechanism));
    focus(&mut w, Row::Mechanism(Mechanism::Irsa));
    let req = new_role_s3_to_review(&mut w, "flyte-staging", "flyte-metadata-590183740312");
    let (app, work) = apply(w, &snap, &req);
    let [Work::Apply { scope, .. }] = work.as_slice() else {
        panic!("not an apply: {work:?}");
    };
    assert_eq!(*scope, Scope::Namespace(ns.into()));
    assert_eq!(app.scope, Scope::Namespace(ns.into()));
}

/// What the worker reads before writing a wizard's plan with no workload: the namespaces of
/// the apply's scope, whatever `kubectl irsa setup` was started with (no -n: the context's
/// namespace, which for Flyte held none of the service accounts the plan annotates).
#[test]
fn the_worker_reads_the_apply_scope_not_the_source_as_given() {
    use crate::app::Source;
    use crate::sources::live::LiveOptions;
    use crate::tui::worker::Worker;
    let (tx, _rx) = std::sync::mpsc::channel();
    let given = Source::Live(LiveOptions::default());
    let worker = Worker::new(given, Vec::new(), tx).unwrap();
    let read = |scope: Scope| match worker.apply_scoped(None, &scope) {
        (Source::Live(o), selection) => (o.namespace, o.all_namespaces, selection.target),
        other => panic!("not live: {other:?}"),
    };
    assert_eq!(read(Scope::All), (None, true, None));
    let ns = "flytesnacks-staging".to_string();
    assert_eq!(read(Scope::Namespace(ns.clone())), (Some(ns), false, None));
}
