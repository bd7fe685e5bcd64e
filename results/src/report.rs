//! The results of a run as plain data: [`RunReport`] → [`SuiteReport`] → [`CheckResult`] →
//! [`Outcome`], and the one mapping from a report to the process exit status.
//!
//! `results.json` is this model serialised (`harness::reporters::json` documents the shape). Every reporter is a function of a `RunReport`.

use serde::{Deserialize, Serialize};

use crate::{AuthKind, Diagnosis, Exchange, Keyword, Level, Mismatch, ScimVersion, VersionChoice};

/// Version of the `results.json` shape; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// A whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// Version of this shape.
    pub format_version: u32,
    /// The harness's name and version.
    pub tool: Tool,
    /// Unique id of the run; its marker (`scimcheck-<first 8>`) is in every resource it creates.
    pub run_id: String,
    /// When the run started (RFC 3339, UTC).
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Wall time of the whole run in milliseconds.
    pub duration_ms: u64,
    /// What was tested.
    pub target: TargetInfo,
    /// Whether the run was interrupted (Ctrl-C, SIGTERM, SIGHUP) before every check ran.
    pub interrupted: bool,
    /// The signal that interrupted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<StopSignal>,
    /// Why the run stopped before it could judge the app (unreachable, credential refused, no
    /// SCIM spoken): such a run exits 2, and its reports say why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted: Option<Abort>,
    /// What the user should know about how the run was made (a credential trimmed, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// The SCIM version targeted, declared or detected, with the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scim_version: Option<VersionChoice>,
    /// Root causes behind groups of failures, most checks explained first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnoses: Vec<Diagnosis>,
    /// The profiles the run graded (suites of the 2026 profiles), each with its requirements
    /// met and not met ([`scorecard`](crate::scorecard)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scorecard: Vec<crate::ProfileScore>,
    /// The suites in run order.
    pub suites: Vec<SuiteReport>,
    /// Totals over all suites.
    pub summary: Summary,
    /// The options the checks ran with, so that the run can be made again (`rerun`).
    #[serde(default)]
    pub settings: RunSettings,
}

/// The version of the [`RunSettings`] record this build writes. 1: page size, strictness,
/// email domain and pace; 2: everything a run was made with, so that `rerun` makes it again
/// from this record alone (an older record reads with today's defaults for what it lacks).
pub const SETTINGS_RECORD: u32 = 2;

/// The most resources an import walk reads by default (`--max-import-resources`): ten times the
/// largest import benchmarked, about 16 MB of id hashes.
pub const DEFAULT_MAX_IMPORT_RESOURCES: usize = 1_000_000;
/// The longest a run lasts by default (`--max-duration`), in seconds.
pub const DEFAULT_MAX_DURATION_SECS: u64 = 3600;
/// The connect timeout by default (`--connect-timeout`), in seconds.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
/// The whole-request timeout by default (`--timeout`), in seconds.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
/// The largest response body read by default (`--max-body-bytes`).
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The options a run was made with (besides its target and credential): what changes what is
/// sent, how fast, or how it is judged. A typed, versioned record: `rerun` builds its run
/// from it, never from command-line words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSettings {
    /// The version of this record ([`SETTINGS_RECORD`]; 1 when a file does not say).
    pub record: u32,
    /// `count` of each import page.
    pub page_size: usize,
    /// SHOULD/MAY violations fail.
    pub strict: bool,
    /// The domain of the users the run creates.
    pub email_domain: String,
    /// The most requests per second sent (`--rate`); none: as fast as the app answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Requests in flight at once outside import walks (the checks run in order: 1).
    pub concurrency: usize,
    /// Pages of an import walk in flight at once (`--import-concurrency`).
    pub import_concurrency: usize,
    /// How import walks were asked to page (`--pagination`: "index" or "cursor"); none: as
    /// the app advertises (the run's notices say what was chosen).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<String>,
    /// Entitlement endpoints named by `--entitlement-endpoint` (besides those discovered).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entitlement_endpoints: Vec<String>,
    /// The checks selected (`--only`, and those `--rerun-failed` added), as patterns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    /// The checks left out (`--skip`), as patterns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    /// The most resources an import walk reads (`--max-import-resources`).
    pub max_import_resources: usize,
    /// The longest the run may last, in seconds (`--max-duration`).
    pub max_duration_secs: u64,
    /// The connect timeout, in seconds.
    pub connect_timeout_secs: u64,
    /// The whole-request timeout, in seconds.
    pub timeout_secs: u64,
    /// The largest response body read.
    pub max_body_bytes: usize,
    /// What the run created was left in the app (`--keep`).
    pub keep: bool,
    /// A Runscope export's pauses were waited (`--honor-pauses`).
    pub honor_pauses: bool,
}

impl Default for RunSettings {
    /// Okta's own: pages of 100, lenient, atko.com, one request at a time; the harness's
    /// limits. What an older record lacks reads as this.
    fn default() -> Self {
        RunSettings {
            record: 1,
            page_size: 100,
            strict: false,
            email_domain: "atko.com".into(),
            rate: None,
            concurrency: 1,
            import_concurrency: 1,
            pagination: None,
            entitlement_endpoints: Vec::new(),
            only: Vec::new(),
            skip: Vec::new(),
            max_import_resources: DEFAULT_MAX_IMPORT_RESOURCES,
            max_duration_secs: DEFAULT_MAX_DURATION_SECS,
            connect_timeout_secs: DEFAULT_CONNECT_TIMEOUT_SECS,
            timeout_secs: DEFAULT_REQUEST_TIMEOUT_SECS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            keep: false,
            honor_pauses: false,
        }
    }
}

/// Why a run could not judge the app.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Abort {
    /// The class of cause.
    pub cause: AbortCause,
    /// What happened and what to do, in words (secrets removed).
    pub message: String,
}

/// Classes of [`Abort`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AbortCause {
    /// No connection to the base URL.
    Unreachable,
    /// The app answered 401 or 403 to the run's credential.
    CredentialRefused,
    /// The app answered no probe as a SCIM 2.0 or 1.1 service provider.
    NotScim,
    /// Requests in a row timed out or could not connect: the app stopped answering.
    Unresponsive,
    /// The run reached `--max-duration`.
    Deadline,
}

impl AbortCause {
    /// The name used in every report.
    pub fn label(self) -> &'static str {
        match self {
            AbortCause::Unreachable => "unreachable",
            AbortCause::CredentialRefused => "credential-refused",
            AbortCause::NotScim => "not-scim",
            AbortCause::Unresponsive => "unresponsive",
            AbortCause::Deadline => "deadline",
        }
    }
}

impl RunReport {
    /// `suite/check` ids of the checks that passed.
    pub fn passed(&self) -> std::collections::BTreeSet<String> {
        self.keys(|c| c.outcome == Outcome::Pass)
    }

    /// `suite/check` ids of the checks that fail the run now and passed before.
    pub fn regressions(&self, passed_before: &std::collections::BTreeSet<String>) -> Vec<String> {
        self.keys(CheckResult::fails_run)
            .into_iter()
            .filter(|k| passed_before.contains(k))
            .collect()
    }

    /// `suite/check` ids of the checks that hold.
    pub fn keys(&self, holds: impl Fn(&CheckResult) -> bool) -> std::collections::BTreeSet<String> {
        self.suites
            .iter()
            .flat_map(|s| s.checks.iter().map(move |c| (s, c)))
            .filter(|(_, c)| holds(c))
            .map(|(s, c)| format!("{}/{}", s.id, c.id))
            .collect()
    }
}

/// The tool that produced a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    /// "scimcheck".
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The target of a run, without secrets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Base URL.
    pub base_url: String,
    /// Authentication mode.
    pub auth: AuthKind,
    /// The proxy requests went through and where it was configured (password removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// How server certificates were verified.
    #[serde(default)]
    pub tls: String,
    /// Certificates were not verified (`--insecure`): the run proves nothing about who
    /// answered, and the packager refuses it for a review-ready bundle.
    #[serde(default)]
    pub insecure: bool,
}

/// One suite's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteReport {
    /// Suite id.
    pub id: String,
    /// Suite title.
    pub title: String,
    /// Suite content version.
    pub version: String,
    /// SCIM version the suite speaks.
    pub scim_version: ScimVersion,
    /// What the suite reproduces.
    pub reference: String,
    /// The profile the suite grades (a suite of the 2026 profiles), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Checks in run order (checks not reached after an interruption are absent).
    pub checks: Vec<CheckResult>,
    /// What happened to each resource the suite created.
    pub cleanup: Vec<CleanupResult>,
}

/// One check's result (one JUnit testcase).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    /// Check id.
    pub id: String,
    /// Title (Okta's step name in parity suites).
    pub title: String,
    /// Required or optional.
    pub level: Level,
    /// Okta's step or the RFC section.
    pub reference: String,
    /// The RFC keyword the check rests on, if it is an RFC check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<Keyword>,
    /// The verdict.
    pub outcome: Outcome,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// The HTTP round trips made by the check, secrets removed (for a walk: the first page and
    /// the pages where problems first appeared).
    pub exchanges: Vec<Exchange>,
    /// What the check covered, when that is more than one request ("1000 pages, …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the check is written (`specs/rfc7644.toml:412`, or the user's suite file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// The verdict of a check. A server breaking a rule is a `Fail`; `Error` is a transport fault
/// (timeout, size cap, refused connection); `Skip` never fails a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Every assertion held.
    Pass,
    /// Only SHOULD or MAY rules did not hold: shown and counted, failing only a strict run.
    Warn {
        /// Each assertion that did not hold.
        mismatches: Vec<Mismatch>,
    },
    /// Some assertions did not hold.
    Fail {
        /// Each assertion that did not hold.
        mismatches: Vec<Mismatch>,
    },
    /// No usable response.
    Error {
        /// Why.
        reason: String,
    },
    /// Not run: gated out (a capability the app does not advertise, a step the suite skips).
    Skip {
        /// Why.
        reason: String,
    },
    /// Not run because its setup failed: a check it waits for did not pass, or a value it
    /// needs was never captured. Neither a pass nor a failure: the failure it waited on is
    /// reported where it happened.
    Blocked {
        /// Why, naming what it waited for.
        reason: String,
        /// The ids of the checks it waited for.
        waited_for: Vec<String>,
    },
    /// What could be evaluated held, but parts of the check could not be evaluated (a
    /// Runscope step's JavaScript): never a plain pass.
    Partial {
        /// What was not evaluated.
        not_evaluated: Vec<String>,
    },
}

impl Outcome {
    /// "pass", "fail", "error" or "skip".
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn { .. } => "warn",
            Outcome::Fail { .. } => "fail",
            Outcome::Error { .. } => "error",
            Outcome::Skip { .. } => "skip",
            Outcome::Blocked { .. } => "blocked",
            Outcome::Partial { .. } => "partial",
        }
    }

    /// The failure text shown in every report: each mismatch as expected versus actual, with
    /// its hint; or the error or skip reason.
    pub fn explanation(&self) -> String {
        match self {
            Outcome::Pass => String::new(),
            Outcome::Fail { mismatches } | Outcome::Warn { mismatches } => mismatches
                .iter()
                .map(|m| {
                    let keyword = m
                        .keyword
                        .map(|k| format!("[{}] ", k.as_str()))
                        .unwrap_or_default();
                    let mut s = format!(
                        "{keyword}{}: expected {}, got {}",
                        m.assertion, m.expected, m.actual
                    );
                    if let Some(h) = &m.hint {
                        s.push_str(&format!("\n  hint: {h}"));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Outcome::Error { reason }
            | Outcome::Skip { reason }
            | Outcome::Blocked { reason, .. } => reason.clone(),
            Outcome::Partial { not_evaluated } => not_evaluated
                .iter()
                .map(|n| format!("not evaluated: {n}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl CheckResult {
    /// How JUnit shows this result: red (`failure`/`error`) exactly when it fails the run;
    /// every other result that is not a pass is `skipped`, with its kind. The harness writes
    /// junit.xml by this rule and the packager cross-checks it by the same.
    pub fn junit_class(&self) -> JunitClass {
        match (&self.outcome, self.level) {
            (Outcome::Pass, _) => JunitClass::Success,
            (Outcome::Fail { .. }, Level::Required) => JunitClass::Failure,
            (Outcome::Error { .. }, Level::Required) => JunitClass::Error,
            (Outcome::Warn { .. }, _) => JunitClass::Skipped("warning"),
            (Outcome::Fail { .. }, _) => JunitClass::Skipped("optional-failure"),
            (Outcome::Error { .. }, _) => JunitClass::Skipped("optional-error"),
            (Outcome::Blocked { .. }, _) => JunitClass::Skipped("blocked"),
            (Outcome::Partial { .. }, _) => JunitClass::Skipped("partial"),
            (Outcome::Skip { .. }, _) => JunitClass::Skipped("skipped"),
        }
    }

    /// Whether this result fails the run.
    pub fn fails_run(&self) -> bool {
        self.level == Level::Required
            && matches!(self.outcome, Outcome::Fail { .. } | Outcome::Error { .. })
    }
}

/// A check's status in JUnit terms (see [`CheckResult::junit_class`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JunitClass {
    /// A pass.
    Success,
    /// A required check the app failed.
    Failure,
    /// A required check without a usable response.
    Error,
    /// Anything else that is not a pass, with its kind (`warning`, `blocked`, …).
    Skipped(&'static str),
}

/// What the run did with a resource it created.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CleanupResult {
    /// The resource path (`/Users/<id>`).
    pub resource: String,
    /// What became of it.
    pub action: CleanupAction,
    /// Details (the status that refused a DELETE, for example).
    pub note: String,
    /// The round trips made for it.
    pub exchanges: Vec<Exchange>,
}

/// What became of a created resource.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CleanupAction {
    /// DELETE succeeded (or it was already gone).
    Deleted,
    /// DELETE was refused; the user was deactivated instead.
    Deactivated,
    /// DELETE was answered with success, but the resource is still there (a soft delete).
    SoftDeleted,
    /// Neither worked: it is still in the app.
    LeftBehind,
    /// `--keep` asked to leave it.
    Kept,
}

impl CleanupResult {
    /// The line every report writes for it: `cleanup /Users/…: deleted (confirmed by GET)`.
    /// Its resource and note may be the server's text: a printer escapes the line for its sink.
    pub fn line(&self) -> String {
        format!(
            "cleanup {}: {} ({})",
            self.resource,
            self.action.label(),
            self.note
        )
    }
}

impl CleanupAction {
    /// The name used in every report ("deleted", "left-behind", …).
    pub fn label(self) -> &'static str {
        match self {
            CleanupAction::Deleted => "deleted",
            CleanupAction::Deactivated => "deactivated",
            CleanupAction::SoftDeleted => "soft-deleted",
            CleanupAction::LeftBehind => "left-behind",
            CleanupAction::Kept => "kept",
        }
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that only broke SHOULD or MAY rules.
    pub warnings: usize,
    /// Checks that failed (required and optional).
    pub failed: usize,
    /// Checks with a transport error.
    pub errors: usize,
    /// Checks skipped (gated out).
    pub skipped: usize,
    /// Checks not run because their setup failed.
    pub blocked: usize,
    /// Checks of which parts could not be evaluated.
    pub partial: usize,
    /// Required checks that failed or errored: the run fails if this is not zero.
    pub required_failed: usize,
    /// HTTP requests sent, cleanup included.
    pub requests: usize,
    /// Created resources not removed (left behind or kept).
    pub leftovers: usize,
}

impl Summary {
    /// The counts in words, as every reporter shows them.
    pub fn counts(&self) -> String {
        format!(
            "{} passed, {} failed, {}, {} skipped, {} blocked, {} partly evaluated, {} ({} required failed)",
            self.passed,
            self.failed,
            count(self.errors, "error"),
            self.skipped,
            self.blocked,
            self.partial,
            count(self.warnings, "warning"),
            self.required_failed
        )
    }

    /// Totals of these suites.
    pub fn of(suites: &[SuiteReport], requests: usize) -> Self {
        let mut s = Summary {
            requests,
            ..Summary::default()
        };
        for check in suites.iter().flat_map(|x| &x.checks) {
            match check.outcome {
                Outcome::Pass => s.passed += 1,
                Outcome::Warn { .. } => s.warnings += 1,
                Outcome::Fail { .. } => s.failed += 1,
                Outcome::Error { .. } => s.errors += 1,
                Outcome::Skip { .. } => s.skipped += 1,
                Outcome::Blocked { .. } => s.blocked += 1,
                Outcome::Partial { .. } => s.partial += 1,
            }
            if check.fails_run() {
                s.required_failed += 1;
            }
        }
        s.leftovers = suites
            .iter()
            .flat_map(|x| &x.cleanup)
            .filter(|c| {
                matches!(
                    c.action,
                    CleanupAction::LeftBehind | CleanupAction::Kept | CleanupAction::SoftDeleted
                )
            })
            .count();
        s
    }
}

/// A signal that asks a run to stop: it cleans up what it created and writes its results, as
/// for Ctrl-C; CI timeouts, `timeout`, `docker stop` and Kubernetes send SIGTERM, a closed
/// terminal SIGHUP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopSignal {
    /// SIGINT (Ctrl-C).
    #[serde(rename = "SIGINT")]
    Interrupt,
    /// SIGTERM.
    #[serde(rename = "SIGTERM")]
    Terminate,
    /// SIGHUP.
    #[serde(rename = "SIGHUP")]
    HangUp,
}

impl StopSignal {
    /// Its POSIX number (a process ended by it exits 128 + this).
    pub fn number(self) -> i32 {
        match self {
            StopSignal::Interrupt => 2,
            StopSignal::Terminate => 15,
            StopSignal::HangUp => 1,
        }
    }

    /// Its name, as `kill -l` says it.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
            StopSignal::HangUp => "SIGHUP",
        }
    }
}

/// The process exit status: the one place where results become a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Every required check passed.
    Success,
    /// A required check failed.
    ChecksFailed,
    /// Usage, config, spec-file or connection error.
    Error,
    /// Interrupted by a signal (after cleanup): 128 + its number, as a shell reports it.
    Interrupted(StopSignal),
}

impl ExitStatus {
    /// The status of a finished run.
    pub fn of(report: &RunReport) -> Self {
        if report.aborted.is_some() {
            ExitStatus::Error
        } else if report.interrupted {
            ExitStatus::Interrupted(report.stopped_by.unwrap_or(StopSignal::Interrupt))
        } else if report.summary.required_failed > 0 {
            ExitStatus::ChecksFailed
        } else {
            ExitStatus::Success
        }
    }

    /// The status against a baseline run (`--baseline`): a required check that fails now
    /// fails the run only if it passed in the baseline (a regression); the others are known.
    pub fn against(report: &RunReport, passed_before: &std::collections::BTreeSet<String>) -> Self {
        match ExitStatus::of(report) {
            ExitStatus::ChecksFailed if report.regressions(passed_before).is_empty() => {
                ExitStatus::Success
            }
            other => other,
        }
    }

    /// The number the process exits with.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::ChecksFailed => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted(signal) => 128 + signal.number(),
        }
    }
}

/// `n` and the word, plural unless `n` is 1: "1 check", "2 checks", "0 errors". One
/// wording for every count a report or message writes.
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_settings_record_reads_with_todays_defaults() {
        let old: RunSettings = serde_json::from_str(
            r#"{"page_size": 7, "strict": true, "email_domain": "example.org"}"#,
        )
        .unwrap();
        assert_eq!(old.record, 1);
        assert_eq!(old.page_size, 7);
        assert!(old.strict);
        assert_eq!(old.concurrency, 1);
        assert_eq!(old.max_import_resources, DEFAULT_MAX_IMPORT_RESOURCES);
        assert_eq!(old.timeout_secs, DEFAULT_REQUEST_TIMEOUT_SECS);
        assert!(old.entitlement_endpoints.is_empty() && !old.keep);
        // Written again, a record says its version and leaves out what is empty.
        let new = RunSettings {
            record: SETTINGS_RECORD,
            ..old
        };
        let json = serde_json::to_value(&new).unwrap();
        assert_eq!(json["record"], SETTINGS_RECORD);
        assert!(json.get("only").is_none() && json.get("rate").is_none());
        assert_eq!(serde_json::from_value::<RunSettings>(json).unwrap(), new);
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "reason"), "1 reason");
        assert_eq!(count(0, "error"), "0 errors");
        assert_eq!(count(3, "page"), "3 pages");
    }

    #[test]
    fn one_exit_status_per_outcome_of_a_run() {
        let codes: Vec<i32> = [
            ExitStatus::Success,
            ExitStatus::ChecksFailed,
            ExitStatus::Error,
            ExitStatus::Interrupted(StopSignal::Interrupt),
            ExitStatus::Interrupted(StopSignal::Terminate),
            ExitStatus::Interrupted(StopSignal::HangUp),
        ]
        .into_iter()
        .map(ExitStatus::code)
        .collect();
        assert_eq!(codes, [0, 1, 2, 130, 143, 129]);
        assert_eq!(
            serde_json::to_string(&StopSignal::Terminate).unwrap(),
            "\"SIGTERM\""
        );
    }
}
