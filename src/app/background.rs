//! Work in the background for interactive front ends: each load or proof a task on the one
//! async runtime of the process ([`crate::sources::live::runtime`]), that can be cancelled.
//! Cancelling drops the task's future where it waits, so the HTTP requests it has in flight are
//! dropped with it and nothing that would have followed them is sent; a result that is no
//! longer wanted is never computed.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, PoisonError};

use futures::FutureExt as _;

use super::AppError;
use crate::sources::live::runtime;

/// Spawns tasks on the process's runtime. Dropping it cancels every task it started that is
/// still running (the runtime itself lives as long as the process).
pub struct Background {
    runtime: tokio::runtime::Handle,
    started: Mutex<Vec<tokio::task::AbortHandle>>,
}

/// A task started by [`Background::spawn`].
#[derive(Debug)]
pub struct Task {
    handle: tokio::task::AbortHandle,
}

impl Task {
    /// Stops the task at its next await point; its `done` callback is never called.
    pub fn cancel(&self) {
        self.handle.abort();
    }

    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

impl Background {
    pub fn new() -> Result<Background, AppError> {
        Ok(Background {
            runtime: runtime::shared()?.handle().clone(),
            started: Mutex::default(),
        })
    }

    /// Runs `work` and hands its output to `done`, or, when `work` panicked, a sentence saying
    /// so (a task that died silently would leave a spinner turning forever; the panic itself
    /// is in the log). A cancelled task calls nothing.
    pub fn spawn<T: Send + 'static>(
        &self,
        what: &'static str,
        work: impl Future<Output = T> + Send + 'static,
        done: impl FnOnce(Result<T, String>) + Send + 'static,
    ) -> Task {
        let handle = self.runtime.spawn(async move {
            let outcome = AssertUnwindSafe(work).catch_unwind().await;
            done(outcome.map_err(|panic| {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".into());
                format!(
                    "internal error while {what}: {why} (a bug: please report it with the log file)"
                )
            }));
        });
        let handle = handle.abort_handle();
        let mut started = self.started.lock().unwrap_or_else(PoisonError::into_inner);
        started.retain(|t| !t.is_finished());
        started.push(handle.clone());
        Task { handle }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let started = self
            .started
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        for task in started.drain(..) {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// The future (and the sender it holds) is dropped a moment before the runtime marks the
    /// task finished: wait for that, boundedly, instead of racing it.
    fn finishes(task: &Task) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !task.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        task.is_finished()
    }

    #[test]
    fn results_and_panics_reach_done_and_a_cancelled_task_calls_nothing() {
        let bg = Background::new().unwrap();
        let (tx, rx) = mpsc::channel();
        let ok = tx.clone();
        bg.spawn("adding", async { 1 + 1 }, move |r| ok.send(r).unwrap());
        assert_eq!(rx.recv().unwrap(), Ok(2));

        let failed = tx.clone();
        bg.spawn(
            "testing",
            async { panic!("boom") },
            move |r: Result<(), String>| failed.send(r.map(|_| 0)).unwrap(),
        );
        let err = rx.recv().unwrap().unwrap_err();
        assert!(err.contains("while testing: boom"), "{err}");

        // Never finishes on its own: only cancelling ends it, and then `done` is dropped
        // unsent, which closes the channel once the other senders are gone.
        let (gate_tx, gate_rx) = tokio::sync::oneshot::channel::<()>();
        let pending = tx.clone();
        let task = bg.spawn(
            "waiting",
            async move {
                let _ = gate_rx.await;
                3
            },
            move |r| pending.send(r).unwrap(),
        );
        task.cancel();
        drop(tx);
        assert!(rx.recv().is_err(), "a cancelled task sent a result");
        assert!(finishes(&task));
        drop(gate_tx);
    }

    #[test]
    fn dropping_it_cancels_what_it_started() {
        let bg = Background::new().unwrap();
        let (tx, rx) = mpsc::channel::<Result<(), String>>();
        let (_gate_tx, gate_rx) = tokio::sync::oneshot::channel::<()>();
        let task = bg.spawn(
            "waiting",
            async move {
                let _ = gate_rx.await;
            },
            move |r| tx.send(r).unwrap(),
        );
        drop(bg);
        assert!(rx.recv().is_err(), "a cancelled task sent a result");
        assert!(finishes(&task));
    }
}
