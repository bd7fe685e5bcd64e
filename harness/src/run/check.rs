//! One suite's checks run: whether a check can run (its gate, its values, the checks it
//! `needs`), its request rendered and sent, its answer judged and its values captured, what it
//! creates registered for cleanup, and its result told in suite order ([`SuiteState`]).

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

use futures_util::StreamExt;

use crate::http::{Auth, Client, Method, Outgoing, Response, Sent, unreachable};
use crate::judge::assertion::{Mismatch, evaluate};
use crate::judge::path::lookup;
use crate::report::{CheckResult, Outcome, Redact};
use crate::run::abort::{RunError, credential_refused};
use crate::run::cleanup::{Created, Register, created_name};
use crate::run::events::SuiteEvents;
use crate::run::gate::{Gate, RunShared};
use crate::run::load_probe;
use crate::run::oauth_probe;
use crate::run::options::RunOptions;
use crate::run::verdict::{grade, had_its_effect, not_shown, result_of};
use crate::run::walk::{IdHashes, WalkOutcome, WalkRequest, walk};
use crate::suite::template::{PathProblem, Vars, render, render_json, render_path};
use crate::suite::{
    Authorization, Body, Check, CheckKind, Generator, Keyword, Pagination, Suite, VarSpec,
};

/// One suite's checks and what they learnt (values, bodies, results, what they created).
pub(crate) struct SuiteState<'a> {
    pub(crate) suite: &'a Suite,
    pub(crate) client: &'a Client,
    pub(crate) options: &'a RunOptions,
    pub(crate) shared: &'a RunShared,
    pub(crate) vars: Vars,
    pub(crate) bodies: BTreeMap<String, serde_json::Value>,
    /// User id hashes of the last complete walk of /Users (group members are checked on them).
    pub(crate) known_users: Rc<IdHashes>,
    /// The result of each check, by its place in the suite (none: not run).
    pub(crate) results: Vec<Option<CheckResult>>,
    pub(crate) created: Register<'a>,
    /// Set by a check after which nothing can be judged (the credential was refused).
    pub(crate) stop: Option<RunError>,
    /// Variables captured from responses: values the server chose.
    pub(crate) captured: std::collections::BTreeSet<String>,
}

/// What a check does next, once the suite data and the values so far have been looked at.
enum Next {
    /// Decided without a request: skipped, blocked, or refused before it was sent.
    Decided(CheckResult),
    /// A request (or a walk) to send.
    Send(Prepared),
}

/// A check's rendered request, and what judging its answer needs.
struct Prepared {
    index: usize,
    clock: Instant,
    outgoing: Outgoing,
    /// No request of the run has been sent yet: an unreachable app stops the run.
    first_request: bool,
    /// Sent before the credential was accepted: nothing else is in flight.
    probe: bool,
    /// The resource looked for by a walk, rendered: (id, expected values).
    find: Option<(String, Vec<(String, String)>)>,
    run_marker: String,
    /// A walk's: the resources the run deleted so far.
    deleted_by_run: IdHashes,
}

/// The app's answer to a prepared check.
enum Answer {
    Sent(Sent),
    Walked(crate::run::walk::WalkOutcome),
    Loaded(crate::run::load_probe::LoadOutcome),
    Probed(crate::run::oauth_probe::Probed),
}

impl<'a> SuiteState<'a> {
    pub(crate) fn new(
        suite: &'a Suite,
        client: &'a Client,
        options: &'a RunOptions,
        marker: &str,
        index: usize,
        shared: &'a RunShared,
    ) -> Self {
        let mut vars = Vars::new();
        vars.insert("runMarker".into(), marker.to_string());
        // Unique to the suite within the run: a query by it sees this suite's resources only.
        vars.insert(
            crate::run::schedule::SUITE_MARKER.into(),
            format!("{marker}-s{index}"),
        );
        vars.insert("emailDomain".into(), options.email_domain.clone());
        vars.insert("SCIMBaseURL".into(), client.target().base_url.clone());
        vars.insert("pageSize".into(), options.page_size.to_string());
        vars.extend(options.inputs.iter().cloned());
        for (name, spec) in &suite.vars {
            let value = match spec {
                VarSpec::Generate(g) => generate(*g),
                VarSpec::Value(v) => v.clone(),
                VarSpec::Template { template, upper } => {
                    // The loader checked that every reference is defined earlier.
                    let v = render(template, &vars).unwrap_or_default();
                    if *upper { v.to_uppercase() } else { v }
                }
            };
            vars.insert(name.clone(), value);
        }
        SuiteState {
            suite,
            client,
            options,
            shared,
            vars,
            bodies: BTreeMap::new(),
            known_users: Rc::new(IdHashes::default()),
            results: vec![None; suite.checks.len()],
            created: Register::new(
                client,
                options.keep,
                suite.scim_version == crate::suite::ScimVersion::V11,
            ),
            stop: None,
            captured: Default::default(),
        }
    }

    /// Runs the suite's checks, each as soon as the checks it waits for have finished, at most
    /// `--concurrency` at once; results are told in the suite's order.
    /// A leading suite opens its phase's `gate` as soon as the checks it holds have finished.
    pub(crate) async fn run_checks(
        &mut self,
        events: SuiteEvents<'_, '_, 'a>,
        gate: Option<&Gate>,
    ) -> Result<(), RunError> {
        let suite = self.suite;
        let waits = if self.shared.concurrency <= 1 {
            crate::run::schedule::sequential(suite)
        } else {
            crate::run::schedule::waits(suite)
        };
        let order = crate::run::schedule::start_order(&waits);
        let mut started = vec![false; suite.checks.len()];
        let mut told = 0;
        let mut in_flight = futures_util::stream::FuturesUnordered::new();
        let mut stop = None;
        loop {
            let mut progressed = true;
            while progressed && stop.is_none() && !self.shared.halted.get() {
                progressed = false;
                for &i in &order {
                    let check = &suite.checks[i];
                    if in_flight.len() >= self.shared.concurrency
                        || (!self.shared.credential_accepted.get() && self.shared.probing.get())
                    {
                        break;
                    }
                    if started[i] || waits[i].iter().any(|&w| self.results[w].is_none()) {
                        continue;
                    }
                    started[i] = true;
                    match self.prepare(i, check) {
                        Next::Decided(result) => {
                            self.record(i, result);
                            progressed = true;
                        }
                        Next::Send(prepared) => {
                            self.shared.probing.set(prepared.probe);
                            in_flight.push(exchange(
                                self.client,
                                check,
                                prepared,
                                self.options,
                                self.known_users.clone(),
                                events,
                            ));
                        }
                    }
                }
            }
            told = self.tell(told, events);
            if let Some(gate) = gate {
                gate.update(&self.results);
            }
            if in_flight.is_empty()
                && stop.is_none()
                && !self.shared.halted.get()
                && self.shared.probing.get()
                && started.contains(&false)
            {
                // Another suite's check is finding out whether the credential is accepted.
                self.shared.probe_done.notified().await;
                continue;
            }
            let Some((prepared, answer)) = in_flight.next().await else {
                break;
            };
            if let Some(e) = self.conclude(prepared, answer) {
                stop.get_or_insert(e);
            }
            if stop.is_some() {
                self.shared.halted.set(true);
            }
        }
        // After a stop, the checks that never started are not reported.
        for result in self.results[told..].iter().flatten() {
            events.check_finished(result);
        }
        stop.map_or(Ok(()), Err)
    }

    /// A sent check's answer judged and recorded; what stops the run, if anything does (the
    /// credential refused, the app no longer answering).
    fn conclude(&mut self, prepared: Prepared, answer: Answer) -> Option<RunError> {
        if prepared.probe {
            self.shared.probing.set(false);
            self.shared.probe_done.notify_waiters();
        }
        let index = prepared.index;
        match self.judge(&self.suite.checks[index], prepared, answer) {
            Ok(result) => {
                let unresponsive = self
                    .client
                    .breaker_open()
                    .then(|| RunError::Unresponsive(result.outcome.explanation()));
                self.record(index, result);
                self.stop.take().or(unresponsive)
            }
            Err(e) => Some(e),
        }
    }

    /// Keeps a check's result at its place in the suite.
    fn record(&mut self, index: usize, mut result: CheckResult) {
        let check = &self.suite.checks[index];
        result.location = (check.line > 0).then(|| format!("{}:{}", self.suite.source, check.line));
        result.redact(&self.client.redactor());
        self.results[index] = Some(result);
    }

    /// Tells the results that follow the ones told so far without a gap; returns how many
    /// have been told.
    fn tell(&self, mut told: usize, events: SuiteEvents) -> usize {
        while let Some(Some(result)) = self.results.get(told) {
            events.check_finished(result);
            told += 1;
        }
        told
    }

    /// What a check does, from the suite data and the values so far: it is skipped, blocked,
    /// or its request is rendered.
    fn prepare(&self, index: usize, check: &Check) -> Next {
        let clock = Instant::now();
        let decided = |outcome| Next::Decided(result_of(check, clock, outcome, Vec::new(), None));
        if let Some(reason) = &check.disabled {
            return decided(Outcome::Skip {
                reason: reason.clone(),
            });
        }
        // A capability the app does not advertise gates the check out before its setup is
        // looked at: the setup was gated out too, and nothing failed.
        if let Some(outcome) = self.gated_out(check) {
            return decided(outcome);
        }
        if let Some(reason) = self.cannot_probe(check) {
            return decided(Outcome::Skip { reason });
        }
        if let Some(blocked) = self.unmet_needs(check) {
            return decided(blocked);
        }
        let outgoing = match self.render_request(check) {
            Ok(o) => o,
            Err(PathProblem::Missing(missing)) => {
                return decided(self.blocked_on_capture(&missing));
            }
            Err(PathProblem::Unsafe { name, value }) => {
                // Never requested: with the credential, outside the SCIM base path.
                let mismatches = vec![Mismatch {
                    assertion: format!("{{{{{name}}}}} as a path segment"),
                    expected: "an id that is one path segment below its endpoint (RFC 7644 §3.1: the resource is at the endpoint + \"/\" + id)".into(),
                    actual: format!("{value:?}: the request was not sent"),
                    hint: None,
                    keyword: Some(Keyword::Must),
                }];
                return decided(Outcome::Fail { mismatches });
            }
        };
        let vars = self.vars_of(check);
        let find = match check.walk().and_then(|w| w.find.as_ref()) {
            None => None,
            // The resource looked for was never captured: nothing to look for.
            Some(f) => match render(&f.id, &vars) {
                Err(missing) => return decided(self.blocked_on_capture(&missing)),
                Ok(id) => {
                    let expect = f
                        .expect
                        .iter()
                        .map(|(p, v)| (p.clone(), render(v, &vars).unwrap_or_default()))
                        .collect();
                    Some((id, expect))
                }
            },
        };
        Next::Send(Prepared {
            index,
            clock,
            outgoing,
            first_request: self.client.requests_sent() == 0,
            probe: !self.shared.credential_accepted.get(),
            find,
            run_marker: self.vars.get("runMarker").cloned().unwrap_or_default(),
            deleted_by_run: if check.walk().is_some() {
                self.shared.deleted.borrow().clone()
            } else {
                IdHashes::default()
            },
        })
    }

    /// The outcome of a check its `when` gates out: skipped when the app does not advertise
    /// the capability (or the check that reads it was not run), blocked when that read failed.
    fn gated_out(&self, check: &Check) -> Option<Outcome> {
        let gate = check.when.as_ref()?;
        let Some(body) = self.bodies.get(&gate.var) else {
            let skipped =
                crate::run::verdict::skipped_reading(self.suite, &self.results, &gate.var);
            return Some(skipped.map_or_else(
                || self.blocked_on_capture(&gate.var),
                |reason| Outcome::Skip { reason },
            ));
        };
        (!gate.holds(lookup(body, &gate.path).as_ref())).then(|| Outcome::Skip {
            reason: format!(
                "not run: {} (the app does not advertise this capability)",
                gate.wants()
            ),
        })
    }

    /// Why a probe (load, OAuth) cannot run with what the user gave, if it cannot.
    fn cannot_probe(&self, check: &Check) -> Option<String> {
        let load = check
            .load()
            .and_then(|l| load_probe::not_asked(l, self.options));
        load.or_else(|| oauth_probe::not_possible(check.oauth()?, self.client))
    }

    /// Judges the app's answer to a check: its verdict, what it captured and created, whether
    /// the run can go on.
    fn judge(
        &mut self,
        check: &Check,
        prepared: Prepared,
        answer: Answer,
    ) -> Result<CheckResult, RunError> {
        match answer {
            Answer::Sent(sent) => self.judge_sent(check, prepared, sent),
            Answer::Walked(walked) => self.judge_walked(check, prepared, walked),
            Answer::Loaded(loaded) => {
                let spec = *check.load().expect("a load answer is a load probe's");
                let (outcome, note) = crate::run::load_probe::judge(spec, &loaded);
                Ok(result_of(
                    check,
                    prepared.clock,
                    outcome,
                    loaded.exchanges,
                    Some(note),
                ))
            }
            Answer::Probed(probed) => Ok(result_of(
                check,
                prepared.clock,
                probed.outcome,
                probed.exchanges,
                probed.note,
            )),
        }
    }

    /// One request's answer: no answer (an unreachable app stops the run), a refused
    /// credential, or the assertions, with the values captured.
    fn judge_sent(
        &mut self,
        check: &Check,
        prepared: Prepared,
        sent: Sent,
    ) -> Result<CheckResult, RunError> {
        let (clock, outgoing) = (prepared.clock, &prepared.outgoing);
        let Sent {
            response,
            exchanges,
        } = sent;
        let finish = |outcome, exchanges| result_of(check, clock, outcome, exchanges, None);
        let Some(response) = response else {
            if prepared.first_request
                && let Some(u) = unreachable(&exchanges)
            {
                return Err(u.into());
            }
            let reason = exchanges
                .last()
                .and_then(|x| x.error.as_ref())
                .map_or_else(|| "no response".into(), |e| e.message.clone());
            return Ok(finish(Outcome::Error { reason }, exchanges));
        };
        let carries_credential = matches!(check.request.authorization, Authorization::Run);
        if carries_credential
            && let Some(refused) = self.credential_check(outgoing, response.status)
        {
            return Ok(finish(refused, exchanges));
        }
        // A check that deleted a resource of the run spares the cleanup a second DELETE.
        if outgoing.method == Method::Delete && (200..300).contains(&response.status) {
            self.created.deleted(&outgoing.path);
            self.shared.note_deleted(&outgoing.path);
        }
        let mismatches = evaluate(
            check.expect(),
            check.keyword,
            &response,
            &self.vars_of(check),
        );
        self.capture(check, &response, outgoing.body.as_deref());
        let outcome = match grade(mismatches, self.options.strict) {
            // What could not be evaluated keeps a pass from being a plain pass.
            Outcome::Pass if !check.not_run.is_empty() => Outcome::Partial {
                not_evaluated: check.not_run.clone(),
            },
            Outcome::Pass => match not_shown(check, &response, |id| {
                self.result_of(id).map(|r| r.outcome.label())
            }) {
                reasons if reasons.is_empty() => Outcome::Pass,
                reasons => Outcome::Partial {
                    not_evaluated: reasons,
                },
            },
            other => other,
        };
        Ok(finish(outcome, exchanges))
    }

    /// A walk's outcome, with what it read as the result's note; a complete walk of /Users
    /// gives the user ids group members are checked against.
    fn judge_walked(
        &mut self,
        check: &Check,
        prepared: Prepared,
        walked: WalkOutcome,
    ) -> Result<CheckResult, RunError> {
        let (clock, outgoing) = (prepared.clock, &prepared.outgoing);
        if prepared.first_request
            && walked.pages == 1
            && let Some(u) = unreachable(&walked.exchanges)
        {
            return Err(u.into());
        }
        if let Some(status) = walked
            .exchanges
            .first()
            .and_then(|x| x.response.as_ref())
            .map(|r| r.status)
            && let Some(refused) = self.credential_check(outgoing, status)
        {
            return Ok(result_of(check, clock, refused, walked.exchanges, None));
        }
        let mut note = format!(
            "{}, {}, {} distinct",
            scim_results::count(walked.pages, "page"),
            scim_results::count(walked.resources, "resource"),
            walked.ids.len()
        );
        if let (n @ 1.., Some(first)) = &walked.others_incomplete {
            note.push_str(&format!(
                "; users not created by this run that lack attributes Okta imports: {n} (information, not judged; first: {first})"
            ));
        }
        if walked.deleted_still_listed > 0 {
            note.push_str(&format!(
                "; {} the run deleted still listed (not judged for shape here)",
                scim_results::count(walked.deleted_still_listed, "resource")
            ));
        }
        let outcome = match &walked.transport_error {
            Some(e) if walked.mismatches.is_empty() => Outcome::Error { reason: e.clone() },
            _ => grade(walked.mismatches, self.options.strict),
        };
        if outgoing.path == "/Users" && walked.transport_error.is_none() {
            self.known_users = Rc::new(walked.ids);
        }
        Ok(result_of(
            check,
            clock,
            outcome,
            walked.exchanges,
            Some(note),
        ))
    }

    /// Until a request with the run's credential is answered other than 401/403, such an
    /// answer means the credential is wrong: the check errs and the run stops.
    fn credential_check(&mut self, outgoing: &Outgoing, status: u16) -> Option<Outcome> {
        if self.shared.credential_accepted.get() {
            return None;
        }
        if matches!(status, 401 | 403) {
            let request_line = format!("{} {}", outgoing.method, outgoing.path);
            let message = credential_refused(self.client, &request_line, status);
            self.stop = Some(RunError::CredentialRefused(message.clone()));
            return Some(Outcome::Error { reason: message });
        }
        self.shared.credential_accepted.set(true);
        None
    }

    /// The values a check's templates see: the suite's, and those of its repetition (an
    /// entitlement endpoint).
    fn vars_of(&self, check: &Check) -> std::borrow::Cow<'_, Vars> {
        if check.bindings.is_empty() {
            return std::borrow::Cow::Borrowed(&self.vars);
        }
        let mut vars = self.vars.clone();
        vars.extend(check.bindings.iter().cloned());
        std::borrow::Cow::Owned(vars)
    }

    /// Blocked, when a check this one needs (by the suite's `needs`) did not pass.
    fn unmet_needs(&self, check: &Check) -> Option<Outcome> {
        let unmet: Vec<(&String, Option<&Outcome>)> = check
            .needs
            .iter()
            .map(|id| (id, self.result_of(id)))
            .filter(|(_, r)| !r.is_some_and(had_its_effect))
            .map(|(id, r)| (id, r.map(|r| &r.outcome)))
            .collect();
        if unmet.is_empty() {
            return None;
        }
        // A setup that was gated out gates this check out too: nothing failed.
        if let [(id, Some(Outcome::Skip { reason }))] = unmet.as_slice() {
            return Some(Outcome::Skip {
                reason: format!("{reason} ({id} did not run, and this check observes it)"),
            });
        }
        let unmet: Vec<(&String, &str)> = unmet
            .into_iter()
            .map(|(id, o)| (id, o.map_or("not run", Outcome::label)))
            .collect();
        let what: Vec<String> = unmet
            .iter()
            .map(|(id, label)| format!("{id} ({label})"))
            .collect();
        Some(Outcome::Blocked {
            reason: format!(
                "blocked: it observes what {} set up, which did not pass",
                what.join(", ")
            ),
            waited_for: unmet.into_iter().map(|(id, _)| id.clone()).collect(),
        })
    }

    /// The result of the check with this id, if it ran.
    fn result_of(&self, id: &str) -> Option<&CheckResult> {
        self.results.iter().flatten().find(|r| r.id == id)
    }

    /// Blocked on a value that was never captured, naming the check that captures it (from
    /// the suite data: the same rule serves built-in suites, users' files and Runscope
    /// exports).
    fn blocked_on_capture(&self, var: &str) -> Outcome {
        let capturer = self.suite.checks.iter().find(|c| {
            c.captures().iter().any(|(name, _)| name == var) || c.capture_body() == Some(var)
        });
        let outcome = capturer
            .and_then(|c| self.result_of(&c.id))
            .map(|r| &r.outcome);
        // A setup that was gated out gates this check out too: nothing failed.
        if let (Some(c), Some(Outcome::Skip { reason })) = (capturer, outcome) {
            return Outcome::Skip {
                reason: format!(
                    "{reason} ({} did not run, and this check uses {{{{{var}}}}}, which it captures)",
                    c.id
                ),
            };
        }
        match capturer {
            Some(c) => Outcome::Blocked {
                reason: format!(
                    "blocked: it needs {{{{{var}}}}}, which {} did not capture ({})",
                    c.id,
                    self.result_of(&c.id)
                        .map_or("not run", |r| r.outcome.label())
                ),
                waited_for: vec![c.id.clone()],
            },
            None => Outcome::Blocked {
                reason: format!("blocked: it needs {{{{{var}}}}}, which nothing captured"),
                waited_for: Vec::new(),
            },
        }
    }

    fn render_request(&self, check: &Check) -> Result<Outgoing, PathProblem> {
        let path = render_path(&check.request.path, &self.vars_of(check), |name| {
            self.captured.contains(name)
        })?;
        self.render_rest(check, path).map_err(PathProblem::Missing)
    }

    fn render_rest(&self, check: &Check, path: String) -> Result<Outgoing, String> {
        let r = &check.request;
        let vars = &*self.vars_of(check);
        let query = r
            .query
            .iter()
            .map(|(k, v)| Ok((k.clone(), render(v, vars)?)))
            .collect::<Result<_, String>>()?;
        let headers = r
            .headers
            .iter()
            .map(|(k, v)| Ok((k.clone(), render(v, vars)?)))
            .collect::<Result<_, String>>()?;
        let body = match &r.body {
            None => None,
            Some(Body::Json(v)) => Some(render_json(v, vars)?.to_string()),
            Some(Body::Raw(s)) => Some(render(s, vars)?),
            Some(Body::FromCapture { var, set, remove }) => {
                let mut doc = self.bodies.get(var).cloned().ok_or_else(|| var.clone())?;
                if let Some(obj) = doc.as_object_mut() {
                    obj.retain(|k, _| !remove.iter().any(|r| r.eq_ignore_ascii_case(k)));
                }
                for (path, value) in set {
                    crate::judge::path::set_path(&mut doc, path, render_json(value, vars)?);
                }
                Some(doc.to_string())
            }
        };
        // Assertions may refer to captures too: a check whose expected values are unknown
        // cannot be judged, so it is skipped like one whose request cannot be built.
        for t in check.expect().iter().filter_map(|a| a.kind.template()) {
            render(t, vars)?;
        }
        Ok(Outgoing {
            method: r.method,
            path,
            query,
            headers,
            authorization: match &r.authorization {
                Authorization::Run => Auth::Run,
                Authorization::Literal(v) => Auth::Value(render(v, vars)?.into()),
                Authorization::Omit => Auth::Omit,
            },
            body,
        })
    }

    fn capture(&mut self, check: &Check, response: &Response, sent_body: Option<&str>) {
        if let Some(c) = check.creates()
            && (200..300).contains(&response.status)
        {
            let id = response
                .json()
                .and_then(|doc| {
                    let path = check
                        .captures()
                        .iter()
                        .find(|(n, _)| *n == c.id_var)?
                        .1
                        .as_str();
                    lookup(doc, path)
                })
                .and_then(|v| match v {
                    serde_json::Value::String(s) if !s.is_empty() => Some(s),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .unwrap_or_default();
            // Registered before anything else: even a create answered without an id (or
            // without JSON) left something in the app that the run must remove.
            self.created.add(Created {
                resource: c.resource.clone(),
                id,
                name: created_name(&c.resource, sent_body),
                deleted_by_check: false,
            });
        }
        let Some(doc) = response.json() else { return };
        if let Some(name) = check.capture_body() {
            self.bodies.insert(name.to_string(), doc.clone());
        }
        for (name, path) in check.captures() {
            let value = match lookup(doc, path) {
                Some(serde_json::Value::String(s)) if !s.is_empty() => s,
                Some(v @ serde_json::Value::Number(_)) => v.to_string(),
                _ => continue,
            };
            self.captured.insert(name.clone());
            self.vars.insert(name.clone(), value);
        }
    }
}

/// Sends a prepared check (after its pause, with `--honor-pauses`): one request, or every
/// page of a walk. It borrows nothing of the suite's state, so checks run at once.
async fn exchange(
    client: &Client,
    check: &Check,
    prepared: Prepared,
    options: &RunOptions,
    known_users: Rc<IdHashes>,
    events: SuiteEvents<'_, '_, '_>,
) -> (Prepared, Answer) {
    if options.honor_pauses && check.pause_before_s > 0 {
        tokio::time::sleep(std::time::Duration::from_secs(check.pause_before_s)).await;
    }
    // Every kind of check is sent its own way: a new kind fails to compile here until it is.
    let spec = match &check.kind {
        CheckKind::Request(_) => {
            let sent = client.send(prepared.outgoing.clone()).await;
            return (prepared, Answer::Sent(sent));
        }
        CheckKind::Walk(spec) => spec,
        CheckKind::Load(spec) => {
            let loaded = crate::run::load_probe::probe(client, &prepared.outgoing, *spec).await;
            return (prepared, Answer::Loaded(loaded));
        }
        CheckKind::OAuth(probe) => {
            let probed = crate::run::oauth_probe::probe(client, &prepared.outgoing, *probe).await;
            return (prepared, Answer::Probed(probed));
        }
    };
    let out = &prepared.outgoing;
    let request = WalkRequest {
        path: &out.path,
        // The check's own query (a filter) on every page; the walk pages by its own method.
        query: out
            .query
            .iter()
            .filter(|(k, _)| {
                !["startIndex", "count", "cursor"]
                    .iter()
                    .any(|p| k.eq_ignore_ascii_case(p))
            })
            .cloned()
            .collect(),
        pagination: spec
            .pagination
            .or(options.pagination)
            .unwrap_or(Pagination::Index),
        headers: &out.headers,
        authorization: out.authorization.clone(),
        page_size: spec.count.unwrap_or(options.page_size).max(1),
        max_resources: options.max_import_resources.max(1),
        run_marker: prepared.run_marker.clone(),
        deleted_by_run: prepared.deleted_by_run.clone(),
        pages_ahead: options.import_concurrency.max(1),
        find_id: prepared.find.as_ref().map(|(id, _)| id.clone()),
        find_expect: prepared
            .find
            .as_ref()
            .map(|(_, expect)| expect.clone())
            .unwrap_or_default(),
    };
    let mut progress = |p: &crate::run::events::WalkProgress| events.walk_progress(check, p);
    let walked = walk(client, spec, request, &known_users, &mut progress).await;
    (prepared, Answer::Walked(walked))
}

/// The generators of Okta's initial script, natively.
fn generate(g: Generator) -> String {
    const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    let digits = |n: usize| (0..n).map(|_| fastrand::digit(10)).collect::<String>();
    match g {
        Generator::OktaGivenName => format!("Runscope{}", digits(3)),
        Generator::OktaFamilyName => {
            let mut s = String::new();
            s.push(fastrand::uppercase());
            s.extend((0..8).map(|_| LOWER[fastrand::usize(..LOWER.len())] as char));
            s.push_str(&digits(3));
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_follow_oktas_style() {
        let g = generate(Generator::OktaGivenName);
        assert!(
            g.starts_with("Runscope")
                && g.len() == 11
                && g[8..].chars().all(|c| c.is_ascii_digit())
        );
        let f = generate(Generator::OktaFamilyName);
        assert_eq!(f.len(), 12);
        assert!(f.chars().next().unwrap().is_ascii_uppercase());
        assert!(f[1..9].chars().all(|c| c.is_ascii_lowercase()));
        assert!(f[9..].chars().all(|c| c.is_ascii_digit()));
    }
}
