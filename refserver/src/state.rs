//! What every handler shares: the server's state ([`AppState`]: store, authentication, faults,
//! counters, the entitlement catalogue) and how a reply is written (content type, SCIM errors,
//! ETag and Location). The router (`server`) and the handlers (`resources`, `lists`, `bulk`,
//! `entitlements`) import this; it imports none of them.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::ScimError;
use crate::faults::{Fault, Faults};
use crate::filter::EvalOptions;
use crate::store::Store;
use crate::version::ScimVersion;

/// How the server authenticates clients.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    /// Accepted bearer token (`Authorization: Bearer <token>`).
    pub token: Option<String>,
    /// Accepted Basic credentials.
    pub basic: Option<(String, String)>,
}

impl Auth {
    pub(crate) fn required(&self) -> bool {
        self.token.is_some() || self.basic.is_some()
    }
}

/// Shared state of a running server.
pub struct AppState {
    pub(crate) store: Mutex<Store>,
    /// Filtered and sorted lists, kept while the store does not change.
    pub(crate) list_cache: Mutex<crate::list_cache::ListCache>,
    pub(crate) auth: Auth,
    pub(crate) oauth: Option<Arc<crate::introspect::Introspection>>,
    pub(crate) faults: Faults,
    pub(crate) patch_204: bool,
    /// The SCIM 2.0 Interoperability Profile's strict handling is on (`interop`).
    pub(crate) interop_profile: bool,
    /// Lists that name no pagination method are paged by cursor (`cursor_by_default`).
    pub(crate) cursor_by_default: bool,
    /// The app's own authorization server (clients registered for JWT client auth).
    pub(crate) tokens: crate::token_store::TokenServer,
    /// Held while a request is served under the one-at-a-time fault.
    pub(crate) one_at_a_time: tokio::sync::Mutex<()>,
    /// The rate limit (`--rate-limit`): requests beyond it in a second are answered 429.
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) version: ScimVersion,
    pub(crate) base_url: String,
    pub(crate) requests: AtomicU64,
    /// Requests being served now, and the most ever at once (what a client's concurrency
    /// limit is measured against).
    pub(crate) in_flight: AtomicU64,
    pub(crate) peak_in_flight: AtomicU64,
    /// Entitlement management, when served.
    pub(crate) entitlements: Option<crate::catalogue::Catalogue>,
}

pub(crate) type Shared = Arc<AppState>;

pub(crate) fn content_type(state: &AppState) -> HeaderValue {
    if state.faults.has(Fault::JsonContentType) {
        HeaderValue::from_static("application/json")
    } else {
        HeaderValue::from_static("application/scim+json")
    }
}

pub(crate) fn scim(state: &AppState, status: StatusCode, body: &Value) -> Response {
    scim_text(state, status, body.to_string())
}

pub(crate) fn scim_text(state: &AppState, status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, content_type(state));
    r
}

pub(crate) fn error(state: &AppState, e: ScimError) -> Response {
    if e.html_page {
        let mut r = (
            e.status,
            format!(
                "<!doctype html><html><body><h1>Server Error</h1><p>{}</p></body></html>",
                e.detail
            ),
        )
            .into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return r;
    }
    scim(
        state,
        e.status,
        &state.version.error_body(&e, &state.faults),
    )
}

/// What a resource handler produces: a status, a body (none for 204), and an ETag/Location.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Option<Value>,
    pub(crate) location: Option<String>,
}

pub(crate) fn respond(s: &AppState, r: Result<Reply, ScimError>) -> Response {
    match r {
        Err(e) => error(s, e),
        Ok(reply) => {
            let mut resp = match &reply.body {
                Some(b) => scim(s, reply.status, b),
                None => reply.status.into_response(),
            };
            if let Some(v) = reply
                .body
                .as_ref()
                .and_then(|b| b.pointer("/meta/version"))
                .and_then(Value::as_str)
                && let Ok(v) = HeaderValue::from_str(v)
            {
                resp.headers_mut().insert(header::ETAG, v);
            }
            if let Some(loc) = reply.location.filter(|_| !s.faults.has(Fault::NoLocation))
                && let Ok(v) = HeaderValue::from_str(&loc)
            {
                resp.headers_mut().insert(header::LOCATION, v);
            }
            resp
        }
    }
}

pub(crate) fn parse_body(body: &Bytes) -> Result<Value, ScimError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ScimError::bad_request("invalidSyntax", format!("the body is not valid JSON: {e}"))
    })?;
    if !v.is_object() {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            "the body must be a JSON object",
        ));
    }
    Ok(v)
}

pub(crate) fn eval_options(s: &AppState) -> EvalOptions {
    EvalOptions {
        case_sensitive_username: s.faults.has(Fault::CaseSensitiveUsername),
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A limit of requests per second, counted in fixed one-second windows: what IPSIE asks of an
/// app ("MUST enforce rate limits ... 429 Too Many Requests and Retry-After").
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_second: u32,
    window: Mutex<(std::time::Instant, u32)>,
}

impl RateLimit {
    pub(crate) fn new(per_second: u32) -> Self {
        RateLimit {
            per_second,
            window: Mutex::new((std::time::Instant::now(), 0)),
        }
    }

    /// Whether one more request fits in this second.
    pub(crate) fn admit(&self) -> bool {
        let mut w = self.window.lock().expect("rate window lock");
        if w.0.elapsed() >= std::time::Duration::from_secs(1) {
            *w = (std::time::Instant::now(), 0);
        }
        w.1 += 1;
        w.1 <= self.per_second
    }
}
