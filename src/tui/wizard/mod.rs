//! The setup wizard (issue 12): `w` on a workload, or `kubectl irsa setup` on a terminal
//! without the flags that say everything. Six screens, each checked as the user types and
//! each able to go back: the workload (or a service account alone), the mechanism with a
//! recommendation and its reasons, the role (an existing one that could serve, or a new one),
//! the permissions (least-privilege templates, managed policies behind a warning), the region
//! variables, and the review: the plan with its diffs, applied like a fix, then the workload
//! restarted, proven and its chain opened.
//!
//! - [`fields`]: what each text field accepts; [`state`]: the form, and `flow`: Enter and Esc
//!   through its screens (both pure);
//! - [`update`]: keys and answers into the form, work out; [`work`]: that work, through
//!   `crate::app::setup`; [`view`] and [`screens`]: the drawing; [`command`]: the equivalent
//!   command line.
//!
//! To add a screen: a [`state::Step`], its rows and check in `state`, its drawing in `view`.

pub mod command;
pub mod fields;
mod flow;
pub mod screens;
pub mod state;
pub mod update;
pub mod view;
pub mod work;

#[cfg(test)]
mod seed_tests;
#[cfg(test)]
mod tests;

pub use state::{Prefill, Wizard};
