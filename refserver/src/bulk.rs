//! `/Bulk` (RFC 7644 §3.7): operations applied one by one through the single-resource handlers.

use crate::discovery::{self};
use crate::error::ScimError;
use crate::filter::{self};
use crate::resources::{create, delete, modify, replace};
use crate::state::{AppState, Shared, error, parse_body, scim};
use crate::store::Kind;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// POST /Bulk (RFC 7644 §3.7): the operations in order, each answered with its own status
/// (as a string) and, for errors, its SCIM error; `failOnErrors` stops after that many errors.
/// `bulkId` references between operations are not resolved (the config says so by omission:
/// Okta never sends bulk requests).
pub(crate) async fn bulk(State(s): State<Shared>, body: Bytes) -> Response {
    match bulk_inner(&s, &body) {
        Ok(v) => scim(&s, StatusCode::OK, &v),
        Err(e) => error(&s, e),
    }
}

pub(crate) fn bulk_inner(s: &AppState, body: &Bytes) -> Result<Value, ScimError> {
    if body.len() > discovery::MAX_BULK_PAYLOAD {
        return Err(ScimError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the bulk request exceeds maxPayloadSize",
        ));
    }
    let request = parse_body(body)?;
    let ops = filter::get_ci(&request, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::bad_request("invalidSyntax", "Operations must be an array"))?;
    if ops.len() > discovery::MAX_BULK_OPERATIONS {
        return Err(ScimError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the bulk request exceeds maxOperations",
        ));
    }
    let fail_on_errors = filter::get_ci(&request, "failOnErrors").and_then(Value::as_u64);
    let mut results = Vec::new();
    let mut errors = 0;
    for op in ops {
        if fail_on_errors.is_some_and(|limit| errors >= limit) {
            break;
        }
        let result = bulk_operation(s, op, &mut errors);
        results.push(result);
    }
    Ok(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"], "Operations": results}),
    )
}

/// One operation of a bulk request, done and answered in the BulkResponse's shape (an
/// error counted in `errors`, for failOnErrors).
fn bulk_operation(s: &AppState, op: &Value, errors: &mut u64) -> Value {
    let method = filter::get_ci(op, "method")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase();
    let path = filter::get_ci(op, "path")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    if let Some(v) = filter::get_ci(op, "version")
        .and_then(Value::as_str)
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::IF_MATCH, v);
    }
    let data = Bytes::from(
        filter::get_ci(op, "data")
            .map(Value::to_string)
            .unwrap_or_default(),
    );
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let kind = match parts.next() {
        Some("Users") => Some(Kind::Users),
        Some("Groups") => Some(Kind::Groups),
        _ => None,
    };
    let id = parts.next();
    let outcome = match (kind, id, method.as_str()) {
        (Some(k), None, "POST") => create(s, k, &data),
        (Some(k), Some(id), "PUT") => replace(s, k, id, &headers, &data),
        (Some(k), Some(id), "PATCH") => modify(s, k, id, &headers, &data),
        (Some(k), Some(id), "DELETE") => delete(s, k, id, &headers),
        _ => Err(ScimError::bad_request(
            "invalidValue",
            format!("unsupported bulk operation {method} {path:?}"),
        )),
    };
    let mut result = json!({"method": method});
    if let Some(b) = filter::get_ci(op, "bulkId") {
        result["bulkId"] = b.clone();
    }
    match outcome {
        Ok(reply) => {
            result["status"] = status_of(s, reply.status);
            let body = reply.body.as_ref();
            if let Some(loc) = reply.location.or_else(|| {
                body.and_then(|b| b.pointer("/meta/location"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }) {
                result["location"] = json!(loc);
            }
            if let Some(v) = body.and_then(|b| b.pointer("/meta/version")) {
                result["version"] = v.clone();
            }
        }
        Err(e) => {
            *errors += 1;
            result["status"] = status_of(s, e.status);
            result["response"] = s.version.error_body(&e, &s.faults);
        }
    }
    result
}

/// An operation's status as RFC 7644 §3.7.3 writes it, a string ("200"); a number under the
/// bulk-status-number fault.
fn status_of(s: &AppState, status: StatusCode) -> Value {
    if s.faults.has(crate::faults::Fault::BulkStatusNumber) {
        json!(status.as_u16())
    } else {
        json!(status.as_u16().to_string())
    }
}
