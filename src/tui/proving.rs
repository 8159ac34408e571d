//! `p`: the proof of the workload on screen (a fresh token exchanged with STS or EKS Auth, in
//! the background), and its answer: the workload's chain as the proof left it, and a toast
//! when the workload is not on screen. Called from `update`; like it, no I/O.

use super::list_model::workload_ref;
use super::message::Work;
use super::state::{App, ProofState, Screen, ToastLevel};
use super::update::{cancel_proof, clamp_detail_scroll, resort, toast};
use crate::model::proof::ProofResult;
use crate::model::{Mechanism, Report};

/// The answer to the proof of `workload`.
pub fn on_proved(
    app: &mut App,
    workload: crate::model::workload::WorkloadRef,
    result: Result<Report, String>,
) {
    let state = match result {
        Err(e) => ProofState::Failed(e),
        Ok(proven) => {
            let proof = proven.proofs.first();
            let service = match proof.map(|p| p.mechanism) {
                Some(Mechanism::PodIdentity) => "EKS Auth",
                _ => "STS",
            };
            let state = match proof.map(|p| &p.result) {
                Some(ProofResult::Assumed { caller_arn }) => ProofState::Done {
                    text: format!("{service} issued credentials: caller {caller_arn}"),
                    ok: true,
                },
                Some(
                    ProofResult::StsError { code, message }
                    | ProofResult::EksAuthError { code, message },
                ) => ProofState::Done {
                    text: format!("{service} refused: {code}: {message}"),
                    ok: false,
                },
                Some(ProofResult::NotRun { reason }) => {
                    ProofState::Failed(format!("the proof could not run: {reason}"))
                }
                None => ProofState::Failed(
                    "nothing to prove: the workload has no IRSA role and no Pod Identity".into(),
                ),
            };
            let fresh = proven.workloads.into_iter().find(|w| w.is(&workload));
            if let (Some(fresh), Some(report)) = (fresh, app.report.as_mut())
                && let Some(slot) = report.workloads.iter_mut().find(|w| w.is(&workload))
            {
                *slot = fresh;
                report.summarize();
                // Its status may have changed its place in the list; the selection follows
                // the workload that was selected.
                resort(app);
                clamp_detail_scroll(app);
            }
            state
        }
    };
    let on_screen = matches!(&app.screen, Screen::Workload(v) if v.workload == workload);
    let news = match &state {
        ProofState::Done { text, ok: true } => Some((text, ToastLevel::Info)),
        ProofState::Done { text, ok: false } | ProofState::Failed(text) => {
            Some((text, ToastLevel::Error))
        }
        ProofState::Running { .. } => None,
    };
    if let Some((text, level)) = news.filter(|_| !on_screen) {
        toast(app, format!("proof of {workload}: {text}"), level);
    }
    app.proofs.insert(workload, state);
}

/// `p`: proves the workload on screen (live clusters only).
pub fn prove(app: &mut App) -> Vec<Work> {
    if !app.live {
        toast(
            app,
            "p proves against AWS and needs a live cluster (this is an offline bundle or the demo)",
            ToastLevel::Error,
        );
        return Vec::new();
    }
    let Some(w) = app.current_workload() else {
        return Vec::new();
    };
    let with = match (w.mechanism, &w.role_arn) {
        (Mechanism::Irsa, Some(_)) => "STS",
        (Mechanism::PodIdentity, _) => "EKS Auth",
        (Mechanism::Irsa | Mechanism::None, _) => {
            toast(
                app,
                "p proves IRSA roles and Pod Identity: this workload has neither an IRSA role ARN nor Pod Identity",
                ToastLevel::Error,
            );
            return Vec::new();
        }
    };
    let workload = workload_ref(w);
    // A new proof of the same workload supersedes the one still running.
    let mut work: Vec<Work> = cancel_proof(app, &workload).into_iter().collect();
    app.proof_id += 1;
    let id = app.proof_id;
    toast(
        app,
        format!("proving {workload}: a fresh token exchanged with {with}…"),
        ToastLevel::Info,
    );
    app.proofs
        .insert(workload.clone(), ProofState::Running { id });
    work.push(Work::Prove { id, workload });
    work
}
