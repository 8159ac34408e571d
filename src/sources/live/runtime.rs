//! The one async runtime of the process. Synchronous callers (the CLI) run their futures on it
//! with [`block_on`]; the TUI's background tasks are spawned on it ([`crate::app::background`]).
//! One runtime means one set of worker threads and one place for the HTTP clients' connection
//! tasks, however many gathers and proofs a process makes.

use std::future::Future;
use std::sync::OnceLock;

use super::LiveError;

/// Two workers: the requests are I/O-bound, and the machine's other cores are the user's.
const WORKERS: usize = 2;

static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();

/// The runtime, started on first use.
pub fn shared() -> Result<&'static tokio::runtime::Runtime, LiveError> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .thread_name("kubectl-irsa-work")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LiveError::Runtime(e.clone()))
}

/// Runs a future to completion on the process's runtime, for synchronous callers. Must not be
/// called from inside the runtime (tokio refuses to block one of its own threads).
pub fn block_on<F: Future>(future: F) -> Result<F::Output, LiveError> {
    Ok(shared()?.block_on(future))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_caller_gets_the_same_runtime() {
        let a = shared().unwrap() as *const _;
        let b = shared().unwrap() as *const _;
        assert_eq!(a, b);
        let thread = block_on(async { std::thread::current().id() }).unwrap();
        // block_on drives the future on the calling thread; the workers are the runtime's own.
        assert_eq!(thread, std::thread::current().id());
    }
}
