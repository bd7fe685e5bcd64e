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
