//! Runs suites against a target: renders each check's request, sends it, evaluates the
//! assertions, captures variables, and cleans up what the run created.
//!
//! The runner always returns a [`RunReport`]: a server breaking a rule is an [`Outcome`]; a
//! run that cannot judge the app (unreachable, credential refused, unresponsive, deadline)
//! carries the reason in `aborted`. Before a check runs, the suite data decides whether it can:
//! its gate, the values it uses and the checks it `needs` (else it is skipped or blocked).
//! Live progress goes to an [`Events`] listener. Cleanup is guaranteed (the `cleanup` module):
//! every resource a check creates is registered before the next request, and removed in reverse
//! order after the suite, also after a failure or an interruption.

use std::cell::RefCell;
use std::future::Future;
use std::time::Instant;

pub mod abort;
mod check;
pub(crate) mod cleanup;
pub mod detect;
pub mod entitlements;
pub mod events;
mod gate;
mod load_probe;
pub mod oauth_checks;
mod oauth_probe;
pub mod options;
mod pagination;
pub mod schedule;
mod verdict;
pub mod walk;

use crate::http::{Client, unreachable};
use crate::report::{
    Abort, CleanupAction, FORMAT_VERSION, RunReport, StopSignal, SuiteReport, Summary, TargetInfo,
    Tool,
};
use crate::run::abort::{RunError, credential_refused};
use crate::run::check::SuiteState;
pub use crate::run::cleanup::CLEANUP_AFTER_STOP;
use crate::run::events::{Events, Ordered, SuiteEvents};
use crate::run::gate::{Gate, RunShared};
pub use crate::run::options::{DEFAULT_MAX_DURATION, OAuthSuiteOptions, RunOptions};
use crate::suite::Suite;

/// Runs the suites against the client's target, at most `--concurrency` requests at once
/// (the `schedule` module decides what may run beside what; a concurrency of one is the
/// strictly sequential order). `interrupt` resolves when the user asks to stop (Ctrl-C); the
/// run then stops sending checks, cleans up, and reports what ran. A run that cannot judge the
/// app (unreachable, credential refused) stops after cleaning up, and its report says why
/// ([`RunReport::aborted`]).
pub async fn run(
    client: &Client,
    suites: &[Suite],
    options: &RunOptions,
    events: &mut dyn Events,
    interrupt: impl Future<Output = StopSignal>,
) -> RunReport {
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let marker = format!("scimcheck-{}", &run_id[..8]);
    let mut interrupt = std::pin::pin!(interrupt);
    let mut deadline = std::pin::pin!(tokio::time::sleep(options.max_duration));
    let mut interrupted: Option<StopSignal> = None;
    let mut aborted = None;
    let shared = RunShared::for_run(options);
    let stamped = |mut report: RunReport| {
        report.run_id = run_id.clone();
        report.started_at = started_at;
        report.duration_ms = clock.elapsed().as_millis() as u64;
        report
    };
    // Checks repeated per entitlement endpoint are repeated for those the app declares.
    let suites = match with_entitlement_endpoints(client, suites, options).await {
        Ok(suites) => suites,
        Err(abort) => return stamped(report_of(client, options, Vec::new(), Some(abort))),
    };
    let suites = &suites[..];
    let asked_pagination = options.pagination.map(|p| p.as_str().to_string());
    let options = &pagination::settle(client, suites, options).await;
    let ordered = RefCell::new(Ordered::new(events, 0));
    let mut reports = Vec::new();

    for phase in crate::run::schedule::phases(suites, shared.concurrency) {
        if interrupted.is_some() || aborted.is_some() {
            break;
        }
        let run = PhaseRun {
            suites,
            client,
            options,
            marker: &marker,
            shared: &shared,
            ordered: &ordered,
        };
        let (done, stopped, error) = run.phase(phase, &mut interrupt, &mut deadline).await;
        reports.extend(done);
        interrupted = interrupted.or(stopped);
        if let Some(e) = error {
            aborted = Some(e.to_abort());
        }
    }
    // Phases may run a suite before those listed ahead of it: the report keeps the run's order.
    reports.sort_by_key(|(index, _)| *index);
    let mut reports: Vec<SuiteReport> = reports.into_iter().map(|(_, r)| r).collect();
    // The OAuth 2 suite last, with the token the run used (it spends and revokes tokens).
    let events = ordered.into_inner().into_inner();
    if let Some(settings) = &options.oauth_suite
        && interrupted.is_none()
        && aborted.is_none()
        && let Some(report) = oauth_checks::run_in_run(client, settings, &mut *events).await
    {
        reports.push(report);
    }
    events.run_finished();
    let diagnoses = crate::judge::diagnosis::diagnose(suites, &reports);
    let mut report = stamped(report_of(client, options, reports, aborted));
    report.settings.concurrency = shared.concurrency;
    report.settings.pagination = asked_pagination;
    report.diagnoses = diagnoses;
    report.scorecard = scim_results::scorecard(&report.suites);
    report.interrupted = interrupted.is_some();
    report.stopped_by = interrupted;
    report
}

/// The suites with their checks marked `each` repeated for every entitlement endpoint the
/// app declares (or the user names); the discovery's abort when the app cannot be judged.
async fn with_entitlement_endpoints<'s>(
    client: &Client,
    suites: &'s [Suite],
    options: &RunOptions,
) -> Result<std::borrow::Cow<'s, [Suite]>, Abort> {
    if !suites.iter().any(entitlements::repeats) {
        return Ok(std::borrow::Cow::Borrowed(suites));
    }
    let (found, exchanges) = entitlements::discover(client, &options.entitlement_endpoints).await;
    if let Some(abort) = discovery_abort(client, &exchanges) {
        return Err(abort);
    }
    Ok(suites
        .iter()
        .map(|s| {
            if entitlements::repeats(s) {
                entitlements::expand(s, &found)
            } else {
                s.clone()
            }
        })
        .collect())
}

/// What every phase of a run shares.
struct PhaseRun<'a, 'r, 'e> {
    suites: &'a [Suite],
    client: &'a Client,
    options: &'a RunOptions,
    marker: &'a str,
    shared: &'a RunShared,
    ordered: &'r RefCell<Ordered<'e, 'a>>,
}

impl<'a, 'e> PhaseRun<'a, '_, 'e> {
    /// Runs a phase's suites (the others start when the leader's checks that read beyond its
    /// own resources are done), until they finish, a signal stops them or the deadline
    /// passes; then cleans up what they created (in bounded time after a signal) and returns
    /// their reports with their places in the run, the signal, and an error that stops the run.
    async fn phase(
        &self,
        phase: crate::run::schedule::Phase,
        interrupt: &mut std::pin::Pin<&mut impl Future<Output = StopSignal>>,
        deadline: &mut std::pin::Pin<&mut tokio::time::Sleep>,
    ) -> (
        Vec<(usize, SuiteReport)>,
        Option<StopSignal>,
        Option<RunError>,
    ) {
        let mut states: Vec<(SuiteEvents, SuiteState, Instant)> = phase
            .suites
            .iter()
            .map(|&index| self.start(index))
            .collect();
        let gate = Gate::new(phase.gate);
        let mut stopped = None;
        let outcome = {
            let work = futures_util::future::join_all(states.iter_mut().enumerate().map(
                |(place, (handle, state, _))| {
                    let gate = &gate;
                    async move {
                        if place == 0 {
                            let result = state.run_checks(*handle, Some(gate)).await;
                            gate.open();
                            result
                        } else {
                            gate.opened().await;
                            state.run_checks(*handle, None).await
                        }
                    }
                },
            ));
            tokio::select! {
                r = work => r.into_iter().find_map(Result::err).map_or(Ok(()), Err),
                signal = interrupt.as_mut() => { stopped = Some(signal); Ok(()) }
                () = deadline.as_mut() => Err(RunError::Deadline(self.options.max_duration)),
            }
        };
        // Clean up before reporting any error: the run may have created something. The
        // suites of a phase clean up at once, each newest first; a stopped run in bounded time.
        let cleanup_by =
            stopped.map(|_| tokio::time::Instant::now() + crate::run::cleanup::CLEANUP_AFTER_STOP);
        let cleanups = futures_util::future::join_all(
            states
                .iter_mut()
                .map(|(handle, state, _)| state.created.clean(handle, cleanup_by)),
        )
        .await;
        for c in cleanups.iter().flatten().filter(|c| {
            matches!(
                c.action,
                CleanupAction::Deleted | CleanupAction::SoftDeleted
            )
        }) {
            self.shared.note_deleted(&c.resource);
        }
        let mut done = Vec::new();
        for ((handle, state, suite_clock), cleanup) in states.into_iter().zip(cleanups) {
            let suite = state.suite;
            done.push((
                handle.index,
                SuiteReport {
                    id: suite.id.clone(),
                    title: suite.title.clone(),
                    version: suite.version.clone(),
                    scim_version: suite.scim_version,
                    reference: suite.reference.clone(),
                    profile: suite.profile.clone(),
                    duration_ms: suite_clock.elapsed().as_millis() as u64,
                    checks: state.results.into_iter().flatten().collect(),
                    cleanup,
                },
            ));
            self.ordered.borrow_mut().ended(handle.index);
        }
        (done, stopped, outcome.err())
    }

    /// A suite of the phase started: its events told, its state made, its clock running.
    fn start(&self, index: usize) -> (SuiteEvents<'_, 'e, 'a>, SuiteState<'a>, Instant) {
        let suite = &self.suites[index];
        let handle = SuiteEvents {
            ordered: self.ordered,
            index,
            suite,
        };
        handle.started();
        let state = SuiteState::new(
            suite,
            self.client,
            self.options,
            self.marker,
            index,
            self.shared,
        );
        (handle, state, Instant::now())
    }
}

/// Why the run stops when the first request (the discovery of entitlement endpoints) finds the
/// app unreachable or refusing the credential.
fn discovery_abort(
    client: &Client,
    exchanges: &[crate::http::exchange::Exchange],
) -> Option<Abort> {
    if let Some(u) = unreachable(exchanges) {
        return Some(RunError::from(u).to_abort());
    }
    let status = exchanges.last()?.response.as_ref()?.status;
    matches!(status, 401 | 403).then(|| {
        let message = credential_refused(client, "GET /ResourceTypes", status);
        RunError::CredentialRefused(message).to_abort()
    })
}

/// The report of a run that stopped before any suite ran (no SCIM version could be chosen,
/// the target refused the credential while it was probed).
pub fn aborted_before_start(client: &Client, options: &RunOptions, abort: Abort) -> RunReport {
    report_of(client, options, Vec::new(), Some(abort))
}

fn report_of(
    client: &Client,
    options: &RunOptions,
    suites: Vec<SuiteReport>,
    aborted: Option<Abort>,
) -> RunReport {
    let summary = Summary::of(&suites, client.requests_sent());
    RunReport {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "scimcheck".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        run_id: uuid::Uuid::new_v4().simple().to_string(),
        started_at: chrono::Utc::now(),
        duration_ms: 0,
        target: TargetInfo {
            base_url: client.target().base_url.clone(),
            auth: client.target().credential.kind(),
            proxy: client.target().network.proxy_in_use(),
            tls: client.target().network.tls_trust(),
            insecure: client.target().network.insecure,
        },
        interrupted: false,
        stopped_by: None,
        aborted,
        notices: options.notices.clone(),
        diagnoses: Vec::new(),
        scorecard: Vec::new(),
        scim_version: options.scim_version.clone(),
        suites,
        summary,
        settings: scim_results::RunSettings {
            record: scim_results::SETTINGS_RECORD,
            page_size: options.page_size,
            strict: options.strict,
            email_domain: options.email_domain.clone(),
            rate: options.pace.rate,
            concurrency: options.pace.concurrency.max(1),
            import_concurrency: options.import_concurrency.max(1),
            pagination: None,
            entitlement_endpoints: options.entitlement_endpoints.clone(),
            // The selection is the caller's: it fills these in.
            only: Vec::new(),
            skip: Vec::new(),
            max_import_resources: options.max_import_resources,
            max_duration_secs: options.max_duration.as_secs(),
            connect_timeout_secs: client.target().connect_timeout.as_secs(),
            timeout_secs: client.target().request_timeout.as_secs(),
            max_body_bytes: client.target().max_body_bytes,
            keep: options.keep,
            honor_pauses: options.honor_pauses,
        },
    }
}
