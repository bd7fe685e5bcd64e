//! Why a run stops before it can judge the app ([`RunError`], the report's `Abort`), and the
//! message for a refused credential, which version detection and the run both give.

use crate::http::{Client, Unreachable};
use crate::report::{Abort, AbortCause, AuthKind};

/// Why a run stops before it can judge the app (it becomes the report's [`Abort`]).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The first request could not reach the target at all.
    #[error(transparent)]
    Unreachable(#[from] Unreachable),
    /// The first request carrying the run's credential was answered 401 or 403.
    #[error("{0}")]
    CredentialRefused(String),
    /// Several requests in a row timed out or could not connect.
    #[error(
        "the app stopped answering: {n} requests in a row timed out or could not connect (last: {0}); the run stopped and cleaned up what it could",
        n = crate::http::BREAKER_FAILURES
    )]
    Unresponsive(String),
    /// The run reached its deadline.
    #[error(
        "the run reached --max-duration ({} s) and stopped; it cleaned up what it had created (raise --max-duration for a slow app or a large import)",
        .0.as_secs()
    )]
    Deadline(std::time::Duration),
}

impl RunError {
    /// The report's form of this error.
    pub fn to_abort(&self) -> Abort {
        let cause = match self {
            RunError::Unreachable(_) => AbortCause::Unreachable,
            RunError::CredentialRefused(_) => AbortCause::CredentialRefused,
            RunError::Unresponsive(_) => AbortCause::Unresponsive,
            RunError::Deadline(_) => AbortCause::Deadline,
        };
        Abort {
            cause,
            message: self.to_string(),
        }
    }
}

/// The message for a credential the app refused: which request, what was sent, what to check.
pub fn credential_refused(client: &Client, request: &str, status: u16) -> String {
    let credential = &client.target().credential;
    let sent = match credential.kind() {
        AuthKind::None => "no Authorization header (--auth none)",
        AuthKind::Bearer => "Authorization: Bearer <SCIM_TOKEN> (--auth bearer)",
        AuthKind::Header => "Authorization: <SCIM_TOKEN> as is (--auth header)",
        AuthKind::Basic => "Authorization: Basic <SCIM_USERNAME:SCIM_PASSWORD> (--auth basic)",
        AuthKind::OAuth2 => {
            "Authorization: Bearer <an access token from --token-url> (--auth oauth2)"
        }
    };
    let mut message = format!(
        "the app refused the credential: {request} answered {status} although the run sent {sent}; \
         check SCIM_TOKEN (or SCIM_USERNAME/SCIM_PASSWORD) and --auth"
    );
    for hint in credential.hints() {
        message.push_str("\n  hint: ");
        message.push_str(&hint);
    }
    client.redactor().redact_owned(message)
}
