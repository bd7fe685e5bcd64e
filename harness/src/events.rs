//! The live events of a run: what the terminal display (or any listener) is told while the
//! run goes, as opposed to the report it gets at the end.

use crate::report::{CheckResult, CleanupResult};
use crate::suite::Suite;

/// Live progress of a run (the terminal display implements it).
pub trait Events {
    /// A suite is about to start.
    fn suite_started(&mut self, _suite: &Suite) {}
    /// A check finished.
    fn check_finished(&mut self, _suite: &Suite, _result: &CheckResult) {}
    /// An import walk read another page.
    fn walk_progress(
        &mut self,
        _check: &crate::suite::Check,
        _progress: &crate::walk::WalkProgress,
    ) {
    }
    /// A created resource was dealt with.
    fn cleanup_finished(&mut self, _result: &CleanupResult) {}
}

/// Ignores every event.
pub struct NoEvents;
impl Events for NoEvents {}
