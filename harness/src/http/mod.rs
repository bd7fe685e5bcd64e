//! The HTTP side of a run: the [`Target`] (base URL, credential, limits) and the [`Client`]
//! that sends one request and returns the response to check plus the [`Exchange`] to record.
//!
//! Limits protect the run from a misbehaving server: a connect timeout, a timeout on the whole
//! request (body included), a cap on the body size, and no redirects (a SCIM write must not be
//! replayed somewhere else). Query strings are encoded the way Okta sends them: every byte
//! outside RFC 3986's unreserved set as `%XX`, so a space is `%20`, never `+`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::http::encoding::encode_path;
use crate::http::exchange::{
    EVIDENCE_BODY_LIMIT, Exchange, RecordedRequest, RecordedResponse, TransportError,
    TransportErrorKind,
};
use crate::http::redact::Redactor;

pub mod credential;
pub mod encoding;
pub mod exchange;
pub mod jwt;
pub mod message;
pub mod network;
pub mod oauth;
pub mod oauth_login;
pub mod redact;
pub mod target;

pub use credential::Credential;
pub use encoding::{encode_component, encode_segment, path_segment};
pub use message::{Auth, Method, Outgoing, Response};
pub use target::{DEFAULT_CONCURRENCY, Pace, Target, check_base_url};

/// How a request takes its place among the run's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// One of `--concurrency` permits, at the pace of `--rate`.
    Permit,
    /// Every permit, already held (a request sent alone), at the pace of `--rate`.
    Held,
    /// Outside both: a load probe the user opted into keeps its own rate.
    OwnPace,
}

/// Sends requests to the target, counting them and recording each as an [`Exchange`].
pub struct Client {
    http: reqwest::Client,
    target: Target,
    /// The redactor of every secret known so far; an OAuth 2 client learns each new token.
    redactor: std::sync::RwLock<std::sync::Arc<Redactor>>,
    secrets: std::sync::Mutex<Vec<SecretString>>,
    sent: AtomicUsize,
    /// When the next request may leave, under `--rate` (shared by every request of the run).
    pacing: Option<Pacing>,
    /// The pace it keeps.
    pace: Pace,
    /// No request leaves before this: an app's `Retry-After` on a 429 or 503 holds every
    /// request of the run, not only the one it answered (pages fetched at once included).
    hold: std::sync::Mutex<Option<Instant>>,
    /// Permits for requests in flight (`--concurrency`): however many checks and pages run at
    /// once, no more requests than this are on the wire.
    in_flight: tokio::sync::Semaphore,
    /// Transport failures (timeouts, refused connections) in a row, for the circuit breaker.
    failures_in_a_row: AtomicUsize,
    /// Milliseconds waited for Retry-After over the whole run.
    retry_waited_ms: std::sync::atomic::AtomicU64,
}

/// A cap on the request rate: requests leave at least `1 / rate` apart, whichever task sends
/// them (a token bucket of one token: no bursts, so an app's per-second limit is never met).
#[derive(Debug)]
struct Pacing {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pacing {
    fn new(per_second: f64) -> Self {
        Pacing {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's turn.
    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

/// Transport failures in a row after which the app is taken as gone: the run stops.
pub const BREAKER_FAILURES: usize = 3;

/// The most the whole run waits for Retry-After, summed over every request.
pub const MAX_TOTAL_RETRY_WAIT: Duration = Duration::from_secs(120);

impl Client {
    /// A client for this target at the default pace ([`Pace::default`]); its credential's
    /// secrets are redacted from all evidence.
    pub fn new(target: Target) -> Result<Self, String> {
        Client::paced(target, Pace::default())
    }

    /// A client for this target that keeps to `pace` (the run's `--concurrency` and `--rate`).
    pub fn paced(target: Target, pace: Pace) -> Result<Self, String> {
        let builder = reqwest::Client::builder()
            .connect_timeout(target.connect_timeout)
            .timeout(target.request_timeout)
            .redirect(reqwest::redirect::Policy::none());
        let mut builder = target.network.apply(builder)?;
        if !target.network.needs_tls(&target.base_url) {
            // Plain HTTP all the way (no redirect is followed): the platform's CA store, a
            // hundred and more files read at start-up, is never needed.
            builder = builder.tls_certs_only(Vec::<reqwest::Certificate>::new());
        }
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let secrets: Vec<SecretString> = target
            .credential
            .secrets()
            .into_iter()
            .chain(target.extra_secrets.iter().cloned())
            .chain(target.network.secrets())
            .collect();
        let pacing = pace.rate.map(Pacing::new);
        let in_flight = tokio::sync::Semaphore::new(pace.concurrency.max(1));
        Ok(Client {
            pace,
            in_flight,
            http,
            target,
            redactor: std::sync::RwLock::new(std::sync::Arc::new(Redactor::new(secrets.clone()))),
            secrets: std::sync::Mutex::new(secrets),
            sent: AtomicUsize::new(0),
            pacing,
            hold: std::sync::Mutex::new(None),
            failures_in_a_row: AtomicUsize::new(0),
            retry_waited_ms: Default::default(),
        })
    }

    /// The pace it keeps.
    pub fn pace(&self) -> Pace {
        self.pace
    }

    /// The underlying HTTP client (its proxy and TLS settings), for requests beside the app's.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The redactor of the run's secrets, for every text the run records.
    pub fn redactor(&self) -> std::sync::Arc<Redactor> {
        self.redactor
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Adds secrets learned during the run (access and refresh tokens) to the redactor.
    pub(crate) fn learn(&self, learned: Vec<SecretString>) {
        if learned.is_empty() {
            return;
        }
        let mut secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets.extend(learned);
        let redactor = std::sync::Arc::new(Redactor::new(secrets.iter().cloned()));
        *self.redactor.write().unwrap_or_else(|e| e.into_inner()) = redactor;
    }

    /// Obtains what the run's credential needs before the first request (an OAuth 2 access
    /// token), so that a refused client is said at once. The message is redacted.
    pub async fn prepare(&self) -> Result<(), String> {
        self.run_authorization(false)
            .await
            .map(|_| ())
            .map_err(|e| self.redactor().redact(&e))
    }

    /// The Authorization header of a request that carries the run's credential.
    async fn run_authorization(&self, renew: bool) -> Result<Option<SecretString>, String> {
        match &self.target.credential {
            Credential::OAuth2(o) => {
                let (header, learned) = o
                    .authorization(&self.http, renew)
                    .await
                    .map_err(|e| e.to_string())?;
                self.learn(learned);
                Ok(Some(header))
            }
            other => Ok(other.header_value()),
        }
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// How many requests were sent so far.
    pub fn requests_sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// Whether the last [`BREAKER_FAILURES`] requests all failed to connect or timed out: the
    /// app is gone, and sending more only holds the run.
    pub fn breaker_open(&self) -> bool {
        self.failures_in_a_row.load(Ordering::Relaxed) >= BREAKER_FAILURES
    }

    /// The full URL of a path and query, encoded as sent. A path that is already a whole URL
    /// (a Runscope export's call to Okta's own API) is used as it is.
    pub fn url(&self, path: &str, query: &[(String, String)]) -> String {
        let mut url = if path.starts_with("http://") || path.starts_with("https://") {
            match path
                .find("://")
                .and_then(|i| path[i + 3..].find('/').map(|j| i + 3 + j))
            {
                Some(split) => format!("{}{}", &path[..split], encode_path(&path[split..])),
                None => path.to_string(),
            }
        } else {
            format!("{}{}", self.target.base_url, encode_path(path))
        };
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_component(k));
            url.push('=');
            url.push_str(&encode_component(v));
        }
        url
    }

    /// Sends a request, politely: an idempotent request (GET, PUT, DELETE) answered 429 or 503
    /// is retried after the server's `Retry-After` (at most [`MAX_RETRIES`] times, waiting at
    /// most [`MAX_RETRY_AFTER`], and [`MAX_TOTAL_RETRY_WAIT`] over the run); POST and PATCH
    /// never are. Every attempt is kept as evidence.
    /// Never fails: a transport problem is part of the last exchange.
    pub async fn send(&self, out: Outgoing) -> Sent {
        self.send_recorded(out, Evidence::Now).await
    }

    /// Sends a request once, as it goes: outside `--concurrency` (a load probe runs alone and
    /// keeps its own rate), no retry after a 429 or 503 and no token renewal (the probe counts
    /// every answer as it came). A 2xx body is left out of the evidence.
    pub async fn send_single(&self, out: Outgoing) -> Sent {
        let (response, exchange) = self
            .send_once(out, false, Evidence::WhenKept, Slot::OwnPace)
            .await;
        Sent {
            response,
            exchanges: vec![exchange],
        }
    }

    /// [`Client::send`] for a page of an import walk: the body of a 2xx answer is left out of
    /// the exchange until the walk keeps it ([`Client::record_body`]); a walk keeps a few pages
    /// of thousands, and redacting every page would cost more than judging it.
    pub async fn send_page(&self, out: Outgoing) -> Sent {
        self.send_recorded(out, Evidence::WhenKept).await
    }

    /// Puts the redacted evidence of `response` (the answer `exchange` recorded) into it.
    pub fn record_body(&self, exchange: &mut Exchange, response: &Response) {
        if let Some(recorded) = exchange.response.as_mut() {
            (recorded.body, recorded.body_truncated) = self.evidence_of(&response.body);
        }
    }

    /// The evidence of a response body: redacted, and cut at the evidence limit
    /// ([`Redactor::cut`]: only what the evidence keeps is redacted, and no secret is cut).
    fn evidence_of(&self, text: &str) -> (String, bool) {
        self.redactor().cut(text, EVIDENCE_BODY_LIMIT)
    }

    async fn send_recorded(&self, out: Outgoing, evidence: Evidence) -> Sent {
        let idempotent = out.method.idempotent();
        let mut exchanges = Vec::new();
        let mut renew = false;
        loop {
            let (mut response, exchange) = self
                .send_once(out.clone(), renew, evidence, Slot::Permit)
                .await;
            let crowded = exchange.in_flight.is_some();
            exchanges.push(exchange);
            // A server error on a read while other requests were on the wire: the read is
            // sent once more, alone. An app that fails only under parallel requests then
            // gives its answer, and the evidence keeps both. Writes are never sent twice.
            if crowded && out.method == Method::Get {
                let (alone, exchange) = self.send_alone(out.clone(), evidence).await;
                exchanges.push(exchange);
                response = alone;
            }
            // An OAuth 2 token the app refused mid-run (expired early, revoked, rotated) is
            // renewed once and the request sent again.
            if !renew
                && matches!(out.authorization, Auth::Run)
                && matches!(self.target.credential, Credential::OAuth2(_))
                && response.as_ref().is_some_and(|r| r.status == 401)
            {
                renew = true;
                continue;
            }
            // A 429 refused the request before doing it (RFC 6585 §4): a write is sent again
            // too; after a 503 only what can be repeated is.
            let refused = response.as_ref().is_some_and(|r| r.status == 429);
            let asked = response
                .as_ref()
                .filter(|r| matches!(r.status, 429 | 503))
                .and_then(|r| retry_after(r.header("retry-after")));
            let waited = Duration::from_millis(self.retry_waited_ms.load(Ordering::Relaxed));
            if let Some(wait) = asked.filter(|w| waited + *w <= MAX_TOTAL_RETRY_WAIT) {
                let until = Instant::now() + wait;
                let mut hold = self.hold.lock().unwrap_or_else(|e| e.into_inner());
                *hold = Some(hold.map_or(until, |h| h.max(until)));
                if !idempotent && !refused {
                    // Not retried, but every other request waits: it counts against the
                    // run's patience all the same.
                    self.retry_waited_ms
                        .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
                }
            }
            let wait = asked.filter(|_| idempotent || refused);
            match wait {
                Some(wait)
                    if exchanges.len() <= MAX_RETRIES && waited + wait <= MAX_TOTAL_RETRY_WAIT =>
                {
                    self.retry_waited_ms
                        .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
                    tokio::time::sleep(wait).await
                }
                _ => {
                    return Sent {
                        response,
                        exchanges,
                    };
                }
            }
        }
    }

    async fn send_once(
        &self,
        out: Outgoing,
        renew: bool,
        evidence: Evidence,
        slot: Slot,
    ) -> (Option<Response>, Exchange) {
        // The semaphore is never closed: the permit is always granted. A request sent alone
        // holds every permit already; a load probe's keeps its own rate.
        let _permit = match slot {
            Slot::Permit => self.in_flight.acquire().await.ok(),
            Slot::Held | Slot::OwnPace => None,
        };
        self.wait_turn(slot != Slot::OwnPace).await;
        let alone = slot != Slot::Permit;
        let (response, mut exchange) = self.send_now(out, renew, evidence).await;
        // Others on the wire with this one, counted when it ended: a server error then is
        // kept with the count.
        let in_flight = self.pace.concurrency.max(1) - self.in_flight.available_permits();
        if !alone && in_flight > 1 && response.as_ref().is_some_and(|r| r.status >= 500) {
            exchange.in_flight = Some(in_flight);
        }
        (response, exchange)
    }

    /// Sends one request now (its turn has come) and records it.
    async fn send_now(
        &self,
        out: Outgoing,
        renew: bool,
        evidence: Evidence,
    ) -> (Option<Response>, Exchange) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let url = self.url(&out.path, &out.query);
        let mut headers = out.headers.clone();
        let token_error = self
            .authorize(&out.authorization, renew, &mut headers)
            .await
            .err();
        let redactor = self.redactor();
        let recorded = RecordedRequest {
            method: out.method.to_string(),
            url: redactor.redact(&url),
            headers: headers
                .iter()
                .map(|(k, v)| (k.clone(), redactor.redact(v)))
                .collect(),
            body: out.body.as_deref().map(|b| redactor.redact(b)),
        };
        if let Some(message) = token_error {
            // No token, no request: the exchange says why it was not sent.
            self.failures_in_a_row.fetch_add(1, Ordering::Relaxed);
            let exchange = Exchange {
                request: recorded,
                response: None,
                error: Some(TransportError {
                    kind: TransportErrorKind::Connect,
                    message: redactor.redact(&message),
                }),
                duration_ms: 0,
                in_flight: None,
            };
            return (None, exchange);
        }
        let started = Instant::now();
        let result = self.round_trip(out.method, &url, &headers, out.body).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok((status, resp_headers, bytes)) => {
                self.failures_in_a_row.store(0, Ordering::Relaxed);
                let answer = Answer {
                    status,
                    headers: resp_headers,
                    bytes,
                    elapsed_ms,
                };
                self.answered(answer, recorded, evidence, redactor)
            }
            Err(mut error) => {
                if matches!(
                    error.kind,
                    TransportErrorKind::Timeout | TransportErrorKind::Connect
                ) {
                    self.failures_in_a_row.fetch_add(1, Ordering::Relaxed);
                }
                error.message = redactor.redact(&error.message);
                let exchange = Exchange {
                    request: recorded,
                    response: None,
                    error: Some(error),
                    duration_ms: elapsed_ms,
                    in_flight: None,
                };
                (None, exchange)
            }
        }
    }

    /// Sends a request with nothing else on the wire: it waits for every request in flight to
    /// end and holds back the others until it has its answer.
    async fn send_alone(&self, out: Outgoing, evidence: Evidence) -> (Option<Response>, Exchange) {
        let all = u32::try_from(self.pace.concurrency.max(1)).unwrap_or(u32::MAX);
        let _all = self.in_flight.acquire_many(all).await.ok();
        self.send_once(out, false, evidence, Slot::Held).await
    }

    /// Waits for a Retry-After every request holds to, and for the pace of `--rate`.
    async fn wait_turn(&self, paced: bool) {
        let held = *self.hold.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = held {
            tokio::time::sleep_until(until.into()).await;
        }
        if let Some(pacing) = self.pacing.as_ref().filter(|_| paced) {
            pacing.wait().await;
        }
    }

    /// Adds the request's Authorization header; why there is none when the run's token could
    /// not be had.
    async fn authorize(
        &self,
        authorization: &Auth,
        renew: bool,
        headers: &mut Vec<(String, String)>,
    ) -> Result<(), String> {
        let value = match authorization {
            Auth::Run => self.run_authorization(renew).await?,
            Auth::Value(v) => Some(v.clone()),
            Auth::Omit => None,
        };
        if let Some(auth) = value {
            headers.push(("Authorization".into(), auth.expose_secret().to_string()));
        }
        Ok(())
    }

    /// The response to judge and the exchange to record, of an answer that came.
    fn answered(
        &self,
        answer: Answer,
        recorded: RecordedRequest,
        evidence: Evidence,
        redactor: std::sync::Arc<Redactor>,
    ) -> (Option<Response>, Exchange) {
        let Answer {
            status,
            headers,
            bytes,
            elapsed_ms,
        } = answer;
        // Valid UTF-8 is the rule: check it fast, repair only when needed.
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let later = evidence == Evidence::WhenKept && (200..300).contains(&status);
        let (body, body_truncated) = if later {
            (String::new(), false)
        } else {
            self.evidence_of(&text)
        };
        let exchange = Exchange {
            request: recorded,
            response: Some(RecordedResponse {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.clone(), redactor.redact(v)))
                    .collect(),
                body,
                body_truncated,
            }),
            error: None,
            duration_ms: elapsed_ms,
            in_flight: None,
        };
        let response = Response::new(status, headers, text, elapsed_ms).with_redactor(redactor);
        (Some(response), exchange)
    }

    async fn round_trip(
        &self,
        method: Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<String>,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), TransportError> {
        let invalid = |message: String| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message,
        };
        let method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut req = self.http.request(method, url);
        for (k, v) in headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| invalid(format!("invalid header name {k:?}")))?;
            let value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|_| invalid(format!("invalid value for header {k}")))?;
            req = req.header(name, value);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        let mut resp = req.send().await.map_err(|e| self.classify(&e))?;
        let status = resp.status().as_u16();
        let resp_headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cap = self.target.max_body_bytes;
        // Room for the announced length, within the cap: a large page is not copied as it grows.
        let announced = resp.content_length().unwrap_or(0).min(cap as u64) as usize;
        let mut bytes = Vec::with_capacity(announced);
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(&e))? {
            if bytes.len() + chunk.len() > cap {
                return Err(TransportError {
                    kind: TransportErrorKind::TooLarge,
                    message: format!(
                        "response body exceeds the size cap of {cap} bytes (status {status}); stopped reading"
                    ),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((status, resp_headers, bytes))
    }

    fn classify(&self, e: &reqwest::Error) -> TransportError {
        let (kind, what) = if e.is_timeout() {
            (
                TransportErrorKind::Timeout,
                format!(
                    "no complete response within the timeout (connect {} s, request {} s). Fix: check that the app is up and reachable from here (behind a corporate proxy: HTTPS_PROXY or --proxy); for a slow app, raise --timeout",
                    self.target.connect_timeout.as_secs_f32(),
                    self.target.request_timeout.as_secs_f32()
                ),
            )
        } else if e.is_connect() {
            (TransportErrorKind::Connect, "cannot connect".to_string())
        } else {
            (TransportErrorKind::Protocol, "HTTP error".to_string())
        };
        // The chain may quote the whole URL: keep a failure message readable.
        let mut chain = error_chain(e);
        let url = e.url().map(|u| u.as_str()).unwrap_or(&self.target.base_url);
        if let Some(diagnosis) = crate::http::network::diagnose(&chain, url) {
            // A TLS or protocol mismatch makes the connection unusable: like a refused one,
            // it stops the run with the reason instead of failing every check.
            let kind = match kind {
                TransportErrorKind::Protocol => TransportErrorKind::Connect,
                other => other,
            };
            chain = format!("{diagnosis} ({chain})");
            return TransportError {
                kind,
                message: format!("{what}: {}", self.redactor().excerpt(&chain, MAX_CHAIN)),
            };
        }
        TransportError {
            kind,
            message: format!("{what}: {}", self.redactor().excerpt(&chain, MAX_CHAIN)),
        }
    }
}

/// The target could not be reached at all: no connection on the first request of a run (a
/// server that answers badly is judged; one that is not there cannot be).
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot reach {url}: {reason}")]
pub struct Unreachable {
    /// The URL tried (secrets removed).
    pub url: String,
    /// Why, as the connection error said it.
    pub reason: String,
}

/// The [`Unreachable`] of a run's first request, when its exchanges got no connection.
pub fn unreachable(exchanges: &[Exchange]) -> Option<Unreachable> {
    let first = exchanges.first()?;
    let error = first.error.as_ref()?;
    (error.kind == TransportErrorKind::Connect).then(|| Unreachable {
        url: first.request.url.clone(),
        reason: error.message.clone(),
    })
}

/// How often an idempotent request answered 429 or 503 is sent again.
pub const MAX_RETRIES: usize = 2;

/// The longest `Retry-After` honoured; a server asking for more is reported, not waited for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The wait a `Retry-After` asks for (delta-seconds; absent means 1 s), if it is short enough.
fn retry_after(value: Option<&str>) -> Option<Duration> {
    let wait = match value {
        None => Duration::from_secs(1),
        Some(v) => Duration::from_secs(v.trim().parse().ok()?),
    };
    (wait <= MAX_RETRY_AFTER).then_some(wait)
}

/// A request's outcome: the final response, if any, and every attempt made.
#[derive(Debug)]
pub struct Sent {
    /// The last response (none after a transport failure).
    pub response: Option<Response>,
    /// Every attempt, oldest first; never empty.
    pub exchanges: Vec<Exchange>,
}

/// What came back over the wire, before it is judged or recorded.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    bytes: Vec<u8>,
    elapsed_ms: u64,
}

/// When the body of a response goes into its exchange.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Evidence {
    /// As it arrives.
    Now,
    /// For a 2xx answer, when the caller keeps the exchange ([`Client::record_body`]).
    WhenKept,
}

/// A transport error message kept readable: at most this many characters of the diagnosis and
/// the library's chain (which may quote a whole URL) after the diagnosis.
const MAX_CHAIN: usize = 900;

/// An error and its sources on one line ("error sending request: tcp connect error: …").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_filters_like_okta() {
        assert_eq!(
            encode_component("userName eq \"a.b@atko.com\""),
            "userName%20eq%20%22a.b%40atko.com%22"
        );
        assert_eq!(encode_component("x+y"), "x%2By");
    }

    #[test]
    fn basic_credential_is_base64() {
        let c = Credential::Basic {
            username: "u".into(),
            password: "p".to_string().into(),
        };
        assert_eq!(c.header_value().unwrap().expose_secret(), "Basic dTpw");
    }

    #[test]
    fn retry_after_is_honoured_within_limits() {
        assert_eq!(retry_after(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(None), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(Some("3600")), None);
        assert_eq!(retry_after(Some("Wed, 21 Oct 2026 07:28:00 GMT")), None);
    }

    #[test]
    fn rejects_non_http_base_urls() {
        assert!(
            Target::new("ftp://x", Credential::None)
                .unwrap_err()
                .contains("ftp")
        );
        assert!(Target::new("not a url", Credential::None).is_err());
        let t = Target::new("http://127.0.0.1:9/scim/v2/", Credential::None).unwrap();
        assert_eq!(t.base_url, "http://127.0.0.1:9/scim/v2");
    }
}
