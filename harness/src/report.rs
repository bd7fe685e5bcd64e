//! The results of a run ([`RunReport`] and the rest of the model live in the `results` crate,
//! shared with the packager), and how the harness removes secrets from them ([`Redact`]).

pub use scim_results::{
    Abort, AbortCause, AuthKind, Change, CheckResult, CleanupAction, CleanupResult, Exchange,
    ExitStatus, FORMAT_VERSION, Keyword, Outcome, ProfileScore, RunDiff, RunReport, RunSettings,
    ScimVersion, ScoreVerdict, StopSignal, SuiteReport, Summary, Tally, TargetInfo, Tool, Unmet,
    VersionChoice, count, diff, evaluate as evaluate_plan,
};

use crate::http::redact::Redactor;

/// Removes the run's secrets from the texts of a result (its exchanges were redacted when
/// they were recorded); verdict texts are built from raw responses.
pub trait Redact {
    /// Redacts in place.
    fn redact(&mut self, redactor: &Redactor);
}

impl Redact for Outcome {
    /// Removes the run's secrets from every text of the verdict (expected and actual values,
    /// hints, reasons): they are built from the raw response the verdict was computed on.
    fn redact(&mut self, redactor: &Redactor) {
        match self {
            Outcome::Pass => {}
            Outcome::Warn { mismatches } | Outcome::Fail { mismatches } => {
                for m in mismatches {
                    redactor.redact_in_place(&mut m.assertion);
                    redactor.redact_in_place(&mut m.expected);
                    redactor.redact_in_place(&mut m.actual);
                    if let Some(h) = &mut m.hint {
                        redactor.redact_in_place(h);
                    }
                }
            }
            Outcome::Error { reason }
            | Outcome::Skip { reason }
            | Outcome::Blocked { reason, .. } => redactor.redact_in_place(reason),
            Outcome::Partial { not_evaluated } => {
                not_evaluated
                    .iter_mut()
                    .for_each(|n| redactor.redact_in_place(n));
            }
        }
    }
}

impl Redact for CheckResult {
    /// Removes the run's secrets from the texts of this result (its exchanges were redacted
    /// when they were recorded).
    fn redact(&mut self, redactor: &Redactor) {
        self.outcome.redact(redactor);
        if let Some(n) = &mut self.note {
            redactor.redact_in_place(n);
        }
    }
}

impl Redact for crate::http::exchange::Exchange {
    /// Removes secrets learned after the exchange was recorded (a token in a token response).
    fn redact(&mut self, redactor: &Redactor) {
        redactor.redact_in_place(&mut self.request.url);
        for (_, v) in &mut self.request.headers {
            redactor.redact_in_place(v);
        }
        if let Some(b) = &mut self.request.body {
            redactor.redact_in_place(b);
        }
        if let Some(r) = &mut self.response {
            for (_, v) in &mut r.headers {
                redactor.redact_in_place(v);
            }
            redactor.redact_in_place(&mut r.body);
        }
        if let Some(e) = &mut self.error {
            redactor.redact_in_place(&mut e.message);
        }
    }
}

impl Redact for CleanupResult {
    /// Removes the run's secrets from the resource path (its id is the server's) and the note.
    fn redact(&mut self, redactor: &Redactor) {
        redactor.redact_in_place(&mut self.resource);
        redactor.redact_in_place(&mut self.note);
    }
}
