//! One HTTP round trip as evidence ([`Exchange`]), recorded with the run's secrets removed.
//!
//! Secrets are removed once, when an exchange is recorded (and when a check's result is made,
//! see [`crate::report::Redact`]): every reporter renders data that can no longer
//! hold a token or a password, so no reporter has to remember to redact. The response that
//! the assertions judge is never redacted.

pub use scim_results::{
    EVIDENCE_BODY_LIMIT, Exchange, RecordedRequest, RecordedResponse, TransportError,
    TransportErrorKind,
};

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
