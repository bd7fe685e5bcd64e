//! What the suites of a phase share while they run: the [`Gate`] that holds the suites beside
//! a phase's leader until its checks that read beyond its own resources are done, and the
//! run-wide state of the credential probe and the stop ([`RunShared`]).

use std::cell::Cell;

use crate::report::CheckResult;

/// The checks of a phase's leading suite that the other suites of the phase wait for (they
/// read beyond the leader's own resources): open once all have finished, or the leader ended.
pub(crate) struct Gate {
    checks: Vec<usize>,
    open: Cell<bool>,
    opened: tokio::sync::Notify,
}

impl Gate {
    pub(crate) fn new(checks: Vec<usize>) -> Self {
        Gate {
            open: Cell::new(checks.is_empty()),
            checks,
            opened: tokio::sync::Notify::new(),
        }
    }

    /// Opens the gate when every check it holds has a result.
    pub(crate) fn update(&self, results: &[Option<CheckResult>]) {
        if !self.open.get() && self.checks.iter().all(|&i| results[i].is_some()) {
            self.open();
        }
    }

    pub(crate) fn open(&self) {
        self.open.set(true);
        self.opened.notify_waiters();
    }

    pub(crate) async fn opened(&self) {
        while !self.open.get() {
            let notified = self.opened.notified();
            if self.open.get() {
                break;
            }
            notified.await;
        }
    }
}

impl RunShared {
    /// The state a run starts with, at the concurrency its options say (Okta's pauses are a
    /// sequential pacing: honouring them means one request at a time).
    pub(crate) fn for_run(options: &crate::run::options::RunOptions) -> Self {
        RunShared {
            concurrency: if options.honor_pauses {
                1
            } else {
                options.pace.concurrency.max(1)
            },
            credential_accepted: Cell::new(false),
            probing: Cell::new(false),
            probe_done: tokio::sync::Notify::new(),
            deleted: Default::default(),
            halted: Cell::new(false),
        }
    }
}

/// What the suites of a run share while they run at once.
pub(crate) struct RunShared {
    /// The most requests in flight, and the most checks one suite runs at once.
    pub(crate) concurrency: usize,
    /// Whether a request with the run's credential was answered other than 401/403: until
    /// then a 401/403 means the credential is wrong and nothing can be judged, so checks run
    /// one at a time across the run (a refused credential stops it after one request).
    pub(crate) credential_accepted: Cell<bool>,
    /// A check is in flight while the credential is not yet accepted.
    pub(crate) probing: Cell<bool>,
    /// Told when that check has its answer.
    pub(crate) probe_done: tokio::sync::Notify,
    /// A suite stopped the run (credential refused, app unresponsive): no check starts.
    pub(crate) halted: Cell<bool>,
    /// Hashes of the ids of resources the run deleted (by a check or its cleanup): an app
    /// that keeps deleted users listed, emptied, shows them to a later import, which judges
    /// the users the run created and not these remains.
    pub(crate) deleted: std::cell::RefCell<crate::judge::walk::IdHashes>,
}

impl RunShared {
    /// Notes a resource the run deleted, by its path (`/Users/{id}`).
    pub(crate) fn note_deleted(&self, path: &str) {
        if let Some(id) = path.rsplit('/').next().filter(|id| !id.is_empty()) {
            self.deleted
                .borrow_mut()
                .insert(crate::judge::walk::id_hash(id));
        }
    }
}
