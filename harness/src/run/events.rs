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
    fn walk_progress(&mut self, _check: &crate::suite::Check, _progress: &WalkProgress) {}
    /// A created resource was dealt with.
    fn cleanup_finished(&mut self, _result: &CleanupResult) {}
    /// Every suite is done: nothing more will be told.
    fn run_finished(&mut self) {}
}

/// Ignores every event.
pub struct NoEvents;
impl Events for NoEvents {}

/// The events of suites that run at once, shown one suite at a time: the first unfinished
/// suite streams live; the others are held and shown, in order, when their turn comes (as
/// cargo-nextest shows a test's output). A terminal reads the same as in a sequential run.
pub(crate) struct Ordered<'e, 's> {
    inner: &'e mut dyn Events,
    /// The suite whose events go out as they happen.
    live: usize,
    held: std::collections::BTreeMap<usize, Vec<Held<'s>>>,
    ended: std::collections::BTreeSet<usize>,
}

enum Held<'s> {
    Started(&'s Suite),
    Check(&'s Suite, CheckResult),
    Cleanup(CleanupResult),
}

impl<'e, 's> Ordered<'e, 's> {
    /// Events of suites numbered from `first`, told to `inner` one suite at a time.
    pub(crate) fn new(inner: &'e mut dyn Events, first: usize) -> Self {
        Ordered {
            inner,
            live: first,
            held: Default::default(),
            ended: Default::default(),
        }
    }

    /// The listener, once every suite has ended (what follows is told directly).
    pub(crate) fn into_inner(self) -> &'e mut dyn Events {
        self.inner
    }

    fn tell(&mut self, suite: usize, event: Held<'s>) {
        if suite != self.live {
            self.held.entry(suite).or_default().push(event);
            return;
        }
        match event {
            Held::Started(s) => self.inner.suite_started(s),
            Held::Check(s, r) => self.inner.check_finished(s, &r),
            Held::Cleanup(r) => self.inner.cleanup_finished(&r),
        }
    }

    /// The suite has cleaned up: the next one's held events go out, and it goes live.
    pub(crate) fn ended(&mut self, suite: usize) {
        self.ended.insert(suite);
        while self.ended.contains(&self.live) {
            self.live += 1;
            for event in self.held.remove(&self.live).unwrap_or_default() {
                self.tell(self.live, event);
            }
        }
    }
}

/// The [`Events`] of one suite among several running at once.
#[derive(Clone, Copy)]
pub(crate) struct SuiteEvents<'r, 'e, 's> {
    pub(crate) ordered: &'r std::cell::RefCell<Ordered<'e, 's>>,
    /// The suite's number in the run.
    pub(crate) index: usize,
    pub(crate) suite: &'s Suite,
}

impl SuiteEvents<'_, '_, '_> {
    /// The suite started.
    pub(crate) fn started(&self) {
        self.ordered
            .borrow_mut()
            .tell(self.index, Held::Started(self.suite));
    }

    /// A check finished.
    pub(crate) fn check_finished(&self, result: &CheckResult) {
        self.ordered
            .borrow_mut()
            .tell(self.index, Held::Check(self.suite, result.clone()));
    }

    /// An import walk read another page (shown only while the suite is live).
    pub(crate) fn walk_progress(&self, check: &crate::suite::Check, progress: &WalkProgress) {
        let mut ordered = self.ordered.borrow_mut();
        if ordered.live == self.index {
            ordered.inner.walk_progress(check, progress);
        }
    }
}

impl Events for SuiteEvents<'_, '_, '_> {
    fn cleanup_finished(&mut self, result: &CleanupResult) {
        self.ordered
            .borrow_mut()
            .tell(self.index, Held::Cleanup(result.clone()));
    }
}

/// How far a walk is, after each page (for a live display).
#[derive(Debug, Clone, Copy)]
pub struct WalkProgress {
    /// Pages fetched.
    pub pages: usize,
    /// Resources seen.
    pub resources: usize,
    /// totalResults of the first page, if it had one.
    pub total: Option<u64>,
}
