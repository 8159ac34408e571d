//! The interactive terminal UI (`kubectl irsa`, `kubectl irsa demo`): a workload list, the
//! chain of the selected workload with its first broken link in red, and a detail pane with
//! the evidence and the fix.
//!
//! Built as message passing, Elm-style:
//! - [`message`]: what comes in (keys, ticks, results) and the work that goes out;
//! - [`state`]: the whole state, [`update`]: the only function that changes it (pure);
//! - [`view`]: draws the state, reading only; [`layout`]: where things go;
//! - [`keys`]: the one key registry (footer, help and update all read it; the keys of dialogs
//!   with a place of their own in `keys_dialog`);
//! - [`reading`]: what the text overlays hold (`e` explain, `v` the cut texts whole);
//! - `proving`: `p`, a proof in the background, and its answer;
//! - `fixing`: `f` and `u`, a plan in a confirmation dialog (`dialog`: what it holds besides
//!   the plan, and the progress of applying it), applied in the background; `choosing`: the
//!   choices of an ambiguous fix; `migrating`: `m` and `M`, a migration stage in the same
//!   dialog;
//! - [`runtime`]: the event loop; [`terminal`]: raw mode, alternate screen, whole frames;
//!   [`worker`]: loads, proofs, plans and applies as tasks on one shared runtime, through the
//!   service layer (`crate::app`) only.
//!
//! To add a screen or a key: a variant in `state`/`keys`, its arm in `update`, its drawing in
//! `view`, and a test feeding messages to `update` (`update_tests/`).

mod choosing;
pub mod clipboard;
mod copy;
pub mod dialog;
mod fixing;
pub mod keys;
mod keys_dialog;
pub mod layout;
pub mod list_model;
pub mod logging;
pub mod message;
mod migrating;
mod proving;
pub mod reading;
pub mod runtime;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;
pub mod wizard;
pub mod worker;

#[cfg(test)]
mod update_tests;

pub use message::{Msg, Scope, Work};
pub use runtime::{Options, run};
pub use state::App;
pub use wizard::Prefill;
