//! SCIM error responses (RFC 7644 §3.12): the Error schema with `status` as a string, and
//! `scimType` for 400 and 409. Fault switches can bend the shape on purpose.

use axum::http::StatusCode;

/// An error to answer with.
#[derive(Debug, Clone)]
pub struct ScimError {
    /// HTTP status.
    pub status: StatusCode,
    /// RFC 7644 §3.12 `scimType` (invalidFilter, uniqueness, invalidSyntax, …).
    pub scim_type: Option<&'static str>,
    /// Human detail.
    pub detail: String,
    /// Answer with an HTML error page instead of a SCIM body (a crashing app, on purpose).
    pub html_page: bool,
}

impl ScimError {
    /// An error with this status and detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type: None,
            detail: detail.into(),
            html_page: false,
        }
    }

    /// The same error with a `scimType`.
    pub fn typed(mut self, scim_type: &'static str) -> Self {
        self.scim_type = Some(scim_type);
        self
    }

    /// 400 with a scimType.
    pub fn bad_request(scim_type: &'static str, detail: impl Into<String>) -> Self {
        ScimError::new(StatusCode::BAD_REQUEST, detail).typed(scim_type)
    }

    /// A crash as a web framework shows it: 500 with an HTML page.
    pub fn html_crash(detail: impl Into<String>) -> Self {
        ScimError {
            html_page: true,
            ..ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
        }
    }

    /// 404 for a resource id.
    pub fn not_found(resource: &str, id: &str) -> Self {
        ScimError::new(StatusCode::NOT_FOUND, format!("{resource} {id} not found"))
    }
}
