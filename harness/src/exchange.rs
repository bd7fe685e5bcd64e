//! One HTTP round trip as evidence ([`Exchange`]), recorded with the run's secrets removed.
//!
//! Secrets are removed once, when an exchange is recorded (and when a check's result is made,
//! see [`crate::report::CheckResult::redact`]): every reporter renders data that can no longer
//! hold a token or a password, so no reporter has to remember to redact. The response that
//! the assertions judge is never redacted.

use serde::Serialize;

/// Bodies longer than this are cut in the evidence (the whole body is still checked).
pub const EVIDENCE_BODY_LIMIT: usize = 16 * 1024;

/// A request as sent, and what came back (or why nothing did), with secrets removed.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// The request.
    pub request: RecordedRequest,
    /// The response, if one arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// Why there is no usable response (connection refused, timeout, size cap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    /// Wall time of the round trip in milliseconds.
    pub duration_ms: u64,
}

/// A request as it went on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL, query percent-encoded as sent.
    pub url: String,
    /// Headers in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A response as received (body cut at [`EVIDENCE_BODY_LIMIT`]).
#[derive(Debug, Clone, Serialize)]
pub struct RecordedResponse {
    /// Status code.
    pub status: u16,
    /// Headers in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// Whether `body` was cut for the evidence.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub body_truncated: bool,
}

/// Why a request got no usable response.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TransportError {
    /// The class of failure.
    pub kind: TransportErrorKind,
    /// A readable reason.
    pub message: String,
}

/// Classes of transport failure.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TransportErrorKind {
    /// No connection (refused, DNS, TLS handshake).
    Connect,
    /// The connect or request timeout ran out.
    Timeout,
    /// The body exceeded the size cap.
    TooLarge,
    /// The request could not be built (an invalid header value, for example).
    InvalidRequest,
    /// Anything else the HTTP stack reported.
    Protocol,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl RecordedRequest {
    /// The request line and headers and body as text (for transcripts).
    pub fn transcript(&self) -> String {
        let mut out = format!("> {} {}\n", self.method, self.url);
        for (k, v) in &self.headers {
            out.push_str(&format!("> {k}: {v}\n"));
        }
        if let Some(body) = &self.body {
            out.push_str(&format!(">\n{body}\n"));
        }
        out
    }
}

impl Exchange {
    /// The whole exchange as a readable transcript (request, then response or error).
    pub fn transcript(&self) -> String {
        let mut out = self.request.transcript();
        match (&self.response, &self.error) {
            (Some(r), _) => {
                out.push_str(&format!("< {} ({} ms)\n", r.status, self.duration_ms));
                for (k, v) in &r.headers {
                    out.push_str(&format!("< {k}: {v}\n"));
                }
                if !r.body.is_empty() {
                    out.push_str(&format!("<\n{}\n", r.body));
                }
                if r.body_truncated {
                    out.push_str("< [body cut for the report]\n");
                }
            }
            (None, Some(e)) => {
                out.push_str(&format!("! {} ({} ms)\n", e.message, self.duration_ms))
            }
            (None, None) => {}
        }
        out
    }
}

/// Cuts a body for the evidence at a character boundary.
pub fn evidence_body(body: &str) -> (String, bool) {
    if body.len() <= EVIDENCE_BODY_LIMIT {
        return (body.to_string(), false);
    }
    let mut end = EVIDENCE_BODY_LIMIT;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    (body[..end].to_string(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_bodies_on_char_boundaries() {
        let body = "é".repeat(EVIDENCE_BODY_LIMIT);
        let (cut, truncated) = evidence_body(&body);
        assert!(truncated);
        assert!(cut.len() <= EVIDENCE_BODY_LIMIT);
    }
}
