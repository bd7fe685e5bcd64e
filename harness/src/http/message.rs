//! One request and its answer as the run sees them: the [`Method`], the [`Outgoing`] request
//! and its [`Auth`], and the raw [`Response`] that checks judge (never recorded as it is).

use secrecy::SecretString;

use crate::http::redact::Redactor;

/// The HTTP methods SCIM uses (RFC 7644 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Read a resource or a list.
    Get,
    /// Create, search, bulk.
    Post,
    /// Replace.
    Put,
    /// Modify.
    Patch,
    /// Delete.
    Delete,
}

impl Method {
    /// Every method, in the order SCIM's protocol section lists them.
    pub const ALL: [Method; 5] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The method named by `text`, in any case.
    pub fn parse(text: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text))
    }

    /// Whether repeating the request leaves the app as one request would (RFC 9110 §9.2.2):
    /// only those are retried after a 429 or 503.
    pub fn idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request ready to send: templates already rendered.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// HTTP method.
    pub method: Method,
    /// Path below the base URL.
    pub path: String,
    /// Query parameters, unencoded.
    pub query: Vec<(String, String)>,
    /// Headers (without Authorization).
    pub headers: Vec<(String, String)>,
    /// Which Authorization header to send: the client resolves the run's credential.
    pub authorization: Auth,
    /// The body.
    pub body: Option<String>,
}

/// The Authorization header of a request.
#[derive(Debug, Clone)]
pub enum Auth {
    /// The run's credential (the client builds the header from its target).
    Run,
    /// This value (a suite's literal header, a Runscope `{{auth}}`).
    Value(SecretString),
    /// No Authorization header.
    Omit,
}

impl Outgoing {
    /// A request without query, headers or body.
    pub fn to(method: Method, path: &str, authorization: Auth) -> Self {
        Outgoing {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            authorization,
            body: None,
        }
    }
}

/// A response to check: the full body, unlike the evidence.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers as received.
    pub headers: Vec<(String, String)>,
    /// The whole body as text, as received: verdicts are computed on it, so it is never
    /// written anywhere (the recorded [`Exchange`] holds the redacted evidence).
    pub body: String,
    /// The body parsed as JSON on first use: an import walk reads its pages its own, cheaper
    /// way and never pays for a generic parse.
    json: std::sync::OnceLock<Option<serde_json::Value>>,
    /// Round-trip time in milliseconds.
    pub elapsed_ms: u64,
    /// The run's secrets when it arrived: every excerpt of the body for a message is cut
    /// after they are removed ([`Response::excerpt`]).
    redactor: std::sync::Arc<Redactor>,
}

impl Response {
    /// A response (the body is parsed as JSON only when asked for).
    pub fn new(status: u16, headers: Vec<(String, String)>, body: String, elapsed_ms: u64) -> Self {
        Response {
            status,
            headers,
            body,
            json: std::sync::OnceLock::new(),
            elapsed_ms,
            redactor: Default::default(),
        }
    }

    /// The same response, its excerpts redacted of these secrets.
    pub fn with_redactor(mut self, redactor: std::sync::Arc<Redactor>) -> Self {
        self.redactor = redactor;
        self
    }

    /// At most `max` characters of a server's text (the body or a part of it) for a message:
    /// secrets are removed before the cut, so no part of one survives it.
    pub fn excerpt(&self, text: &str, max: usize) -> String {
        self.redactor.excerpt(text, max)
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json
            .get_or_init(|| serde_json::from_str(&self.body).ok())
            .as_ref()
    }

    /// A header's value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
