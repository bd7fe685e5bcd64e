//! Two runs compared check by check: what a QA engineer's rerun of a bundle, or CI's run
//! after a change, did differently. Pure data over two [`RunReport`]s; reporters print it.

use serde::{Deserialize, Serialize};

use crate::{CheckResult, Outcome, RunReport};

/// How one check compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// The same verdict, and the same shape of evidence.
    Same,
    /// It did not fail the run before, and fails it now.
    Regressed,
    /// It failed the run before, and does not now.
    Fixed,
    /// Its setup did not pass this time (blocked now, not before).
    NewlyBlocked,
    /// The same verdict, but the app answered differently (other statuses).
    EvidenceChanged,
    /// Another verdict that changes nothing for the run (a warning now, a skip before…).
    OutcomeChanged,
    /// Only in the new run.
    Added,
    /// Only in the old run.
    Removed,
}

/// One check's comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckDiff {
    /// `suite/check`.
    pub key: String,
    /// How it compares.
    pub change: Change,
    /// Its verdict before (`pass`, `fail`, …), if it ran.
    pub before: Option<String>,
    /// Its verdict now, if it ran.
    pub now: Option<String>,
    /// The statuses the app answered before and now, when they differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<(Vec<u16>, Vec<u16>)>,
}

/// Two runs compared.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunDiff {
    /// The old run's id.
    pub before_run: String,
    /// The new run's id.
    pub now_run: String,
    /// Every check of either run, in the new run's order, then the removed ones.
    pub checks: Vec<CheckDiff>,
}

impl RunDiff {
    /// The checks with this change.
    pub fn with(&self, change: Change) -> impl Iterator<Item = &CheckDiff> {
        self.checks.iter().filter(move |c| c.change == change)
    }

    /// Whether a check that did not fail the run before fails it now.
    pub fn has_regressions(&self) -> bool {
        self.with(Change::Regressed).next().is_some()
    }
}

/// The statuses of a check's exchanges: the shape of its evidence.
fn statuses(c: &CheckResult) -> Vec<u16> {
    c.exchanges
        .iter()
        .filter_map(|e| e.response.as_ref().map(|r| r.status))
        .collect()
}

/// Compares two runs check by check.
pub fn diff(before: &RunReport, now: &RunReport) -> RunDiff {
    let index = |r: &RunReport| -> Vec<(String, CheckResult)> {
        r.suites
            .iter()
            .flat_map(|s| {
                s.checks
                    .iter()
                    .map(move |c| (format!("{}/{}", s.id, c.id), c.clone()))
            })
            .collect()
    };
    let old = index(before);
    let new = index(now);
    let mut checks = Vec::new();
    for (key, n) in &new {
        let Some((_, o)) = old.iter().find(|(k, _)| k == key) else {
            checks.push(CheckDiff {
                key: key.clone(),
                change: Change::Added,
                before: None,
                now: Some(n.outcome.label().into()),
                evidence: None,
            });
            continue;
        };
        let (so, sn) = (statuses(o), statuses(n));
        let change = if !o.fails_run() && n.fails_run() {
            Change::Regressed
        } else if o.fails_run() && !n.fails_run() {
            Change::Fixed
        } else if matches!(n.outcome, Outcome::Blocked { .. })
            && !matches!(o.outcome, Outcome::Blocked { .. })
        {
            Change::NewlyBlocked
        } else if o.outcome.label() != n.outcome.label() {
            Change::OutcomeChanged
        } else if so != sn {
            Change::EvidenceChanged
        } else {
            Change::Same
        };
        checks.push(CheckDiff {
            key: key.clone(),
            change,
            before: Some(o.outcome.label().into()),
            now: Some(n.outcome.label().into()),
            evidence: (so != sn).then_some((so, sn)),
        });
    }
    for (key, o) in &old {
        if !new.iter().any(|(k, _)| k == key) {
            checks.push(CheckDiff {
                key: key.clone(),
                change: Change::Removed,
                before: Some(o.outcome.label().into()),
                now: None,
                evidence: None,
            });
        }
    }
    RunDiff {
        before_run: before.run_id.clone(),
        now_run: now.run_id.clone(),
        checks,
    }
}
