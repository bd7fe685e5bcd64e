//! One HTTP round trip as evidence ([`Exchange`]), recorded with the run's secrets removed
//! (the harness redacts when it records; nothing here holds a secret).

use serde::{Deserialize, Serialize};

/// Bodies longer than this are cut in the evidence (the whole body is still checked).
pub const EVIDENCE_BODY_LIMIT: usize = 16 * 1024;

/// A request as sent, and what came back (or why nothing did), with secrets removed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    /// The request.
    pub request: RecordedRequest,
    /// The response, if one arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// Why there is no usable response (connection refused, timeout, size cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    /// Wall time of the round trip in milliseconds.
    pub duration_ms: u64,
    /// How many of the run's requests were on the wire with this one (itself included), kept
    /// for a server error that came while others were: the evidence of an app that fails
    /// only under parallel requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<usize>,
}

/// A request as it went on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL, query percent-encoded as sent.
    pub url: String,
    /// Headers in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A response as received (body cut at [`EVIDENCE_BODY_LIMIT`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// Status code.
    pub status: u16,
    /// Headers in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// Whether `body` was cut for the evidence.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_truncated: bool,
}

/// Why a request got no usable response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TransportError {
    /// The class of failure.
    pub kind: TransportErrorKind,
    /// A readable reason.
    pub message: String,
}

/// Classes of transport failure.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
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
        self.transcript_with(&|b: &str| b.to_string())
    }

    /// The same, each body shown through `body` (pretty-printed JSON, for example).
    pub fn transcript_with(&self, body: &dyn Fn(&str) -> String) -> String {
        let mut out = format!("> {} {}\n", self.method, self.url);
        for (k, v) in &self.headers {
            out.push_str(&format!("> {k}: {v}\n"));
        }
        if let Some(b) = &self.body {
            out.push_str(&format!(">\n{}\n", body(b)));
        }
        out
    }
}

impl Exchange {
    /// The whole exchange as a readable transcript (request, then response or error).
    pub fn transcript(&self) -> String {
        self.transcript_with(&|b: &str| b.to_string())
    }

    /// The same, each body shown through `body` (pretty-printed JSON, for example).
    pub fn transcript_with(&self, body: &dyn Fn(&str) -> String) -> String {
        let mut out = self.request.transcript_with(body);
        match (&self.response, &self.error) {
            (Some(r), _) => {
                out.push_str(&format!("< {} ({} ms)\n", r.status, self.duration_ms));
                for (k, v) in &r.headers {
                    out.push_str(&format!("< {k}: {v}\n"));
                }
                if !r.body.is_empty() {
                    out.push_str(&format!("<\n{}\n", body(&r.body)));
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
