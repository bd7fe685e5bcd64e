//! The HTTP service: routes, authentication, faults that act on every request, and the
//! handlers for Users, Groups and discovery (RFC 7644 §3).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Map, Value, json};

use crate::discovery::{self, MAX_RESULTS};
use crate::error::ScimError;
use crate::faults::{Fault, Faults};
use crate::filter::{self, EvalOptions};
use crate::patch::{self, PatchOptions};
use crate::patch11::{self, Patch11Options};
use crate::store::{Kind, Store};
use crate::version::ScimVersion;

/// Page size when the client gives no `count` (RFC 7644 §3.4.2.4 leaves it to the server).
const DEFAULT_COUNT: usize = 100;

/// How the server authenticates clients.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    /// Accepted bearer token (`Authorization: Bearer <token>`).
    pub token: Option<String>,
    /// Accepted Basic credentials.
    pub basic: Option<(String, String)>,
}

impl Auth {
    fn required(&self) -> bool {
        self.token.is_some() || self.basic.is_some()
    }
}

/// Shared state of a running server.
pub struct AppState {
    pub(crate) store: Mutex<Store>,
    pub(crate) auth: Auth,
    pub(crate) faults: Faults,
    pub(crate) patch_204: bool,
    pub(crate) version: ScimVersion,
    pub(crate) base_url: String,
    pub(crate) requests: AtomicU64,
}

type Shared = Arc<AppState>;

/// The router for a state, with every route under the base path.
pub fn router(state: Shared, base_path: &str) -> Router {
    let mut api = Router::new()
        .route(
            state.version.service_provider_config_path(),
            get(service_provider_config).fallback(method_not_allowed),
        )
        .route(
            "/ResourceTypes",
            get(resource_types).fallback(method_not_allowed),
        )
        .route(
            "/ResourceTypes/{id}",
            get(resource_type).fallback(method_not_allowed),
        )
        .route("/Schemas", get(schemas).fallback(method_not_allowed))
        .route("/Schemas/{id}", get(schema).fallback(method_not_allowed))
        .route("/.search", post(search_all).fallback(method_not_allowed))
        .route("/Bulk", post(bulk).fallback(method_not_allowed))
        .fallback(not_found_route);
    for kind in [Kind::Users, Kind::Groups] {
        let e = kind.endpoint();
        api = api
            .route(&format!("/{e}"), collection_routes(kind))
            .route(&format!("/{e}/{{id}}"), resource_routes(kind))
            .route(
                &format!("/{e}/.search"),
                post(move |State(s): State<Shared>, body: Bytes| async move {
                    search(&s, &[kind], &body).await
                })
                .fallback(method_not_allowed),
            );
    }
    Router::new()
        .nest(base_path, api)
        .fallback(not_found_route)
        .layer(middleware::from_fn_with_state(state.clone(), every_request))
        .with_state(state)
}

// ---------- responses ----------

fn content_type(state: &AppState) -> HeaderValue {
    if state.faults.has(Fault::JsonContentType) {
        HeaderValue::from_static("application/json")
    } else {
        HeaderValue::from_static("application/scim+json")
    }
}

fn scim(state: &AppState, status: StatusCode, body: &Value) -> Response {
    scim_text(state, status, body.to_string())
}

fn scim_text(state: &AppState, status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, content_type(state));
    r
}

fn error(state: &AppState, e: ScimError) -> Response {
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

async fn method_not_allowed(State(s): State<Shared>) -> Response {
    error(
        &s,
        ScimError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "this endpoint is read-only or does not support the method",
        ),
    )
}

async fn not_found_route(State(s): State<Shared>, req: Request) -> Response {
    error(
        &s,
        ScimError::new(
            StatusCode::NOT_FOUND,
            format!("no endpoint at {}", req.uri().path()),
        ),
    )
}

// ---------- every request: counting, faults, authentication ----------

async fn every_request(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let n = s.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if let Some(ms) = s.faults.latency_ms() {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if s.faults
        .too_many_every()
        .is_some_and(|every| n % every == 0)
    {
        let mut r = error(
            &s,
            ScimError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests"),
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    }
    if s.faults.error_every().is_some_and(|every| n % every == 0) {
        return error(
            &s,
            ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        );
    }
    if s.auth.required()
        && !s.faults.has(Fault::AuthNotEnforced)
        && !authorized(&s.auth, req.headers())
    {
        let mut r = error(
            &s,
            ScimError::new(
                StatusCode::UNAUTHORIZED,
                "authorization failure: the credential is missing or invalid",
            ),
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"scimcheck\""),
        );
        return r;
    }
    next.run(req).await
}

fn authorized(auth: &Auth, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    if let (Some(token), Some(given)) = (&auth.token, value.strip_prefix("Bearer "))
        && constant_time_eq(token.as_bytes(), given.trim().as_bytes())
    {
        return true;
    }
    if let (Some((user, pass)), Some(given)) = (&auth.basic, value.strip_prefix("Basic "))
        && let Some(decoded) = base64_decode(given.trim())
    {
        return constant_time_eq(format!("{user}:{pass}").as_bytes(), &decoded);
    }
    false
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

// ---------- discovery ----------

async fn service_provider_config(State(s): State<Shared>) -> Response {
    scim(
        &s,
        StatusCode::OK,
        &discovery::service_provider_config(&s.base_url, s.auth.basic.is_some(), s.version),
    )
}

fn list_of(s: &AppState, items: Vec<Value>) -> Value {
    json!({"schemas": s.version.list_schemas(), "totalResults": items.len(), "startIndex": 1, "itemsPerPage": items.len(), "Resources": items})
}

async fn resource_types(State(s): State<Shared>) -> Response {
    scim(
        &s,
        StatusCode::OK,
        &list_of(&s, discovery::resource_types(&s.base_url, s.version)),
    )
}

async fn resource_type(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match discovery::resource_types(&s.base_url, s.version)
        .into_iter()
        .find(|r| r["id"] == json!(id))
    {
        Some(r) => scim(&s, StatusCode::OK, &r),
        None => error(&s, ScimError::not_found("ResourceType", &id)),
    }
}

async fn schemas(State(s): State<Shared>) -> Response {
    scim(
        &s,
        StatusCode::OK,
        &list_of(&s, discovery::schemas(&s.base_url)),
    )
}

async fn schema(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match discovery::schemas(&s.base_url).into_iter().find(|r| {
        r["id"]
            .as_str()
            .is_some_and(|x| x.eq_ignore_ascii_case(&id))
    }) {
        Some(r) => scim(&s, StatusCode::OK, &r),
        None => error(&s, ScimError::not_found("Schema", &id)),
    }
}

// ---------- resources ----------

/// `/Users` or `/Groups`: list (GET) and create (POST).
fn collection_routes(kind: Kind) -> MethodRouter<Shared> {
    get(
        move |State(s): State<Shared>, Query(q): Query<Vec<(String, String)>>| async move {
            list(&s, kind, &q)
        },
    )
    .post(move |State(s): State<Shared>, body: Bytes| async move {
        respond(&s, create(&s, kind, &body))
    })
    .fallback(method_not_allowed)
}

/// `/Users/{id}` or `/Groups/{id}`: GET, PUT, PATCH, DELETE.
fn resource_routes(kind: Kind) -> MethodRouter<Shared> {
    get(move |State(s): State<Shared>, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>| async move {
        respond(&s, get_one(&s, kind, &id, &q))
    })
    .put(move |State(s): State<Shared>, Path(id): Path<String>, h: HeaderMap, body: Bytes| async move {
        respond(&s, replace(&s, kind, &id, &h, &body))
    })
    .patch(move |State(s): State<Shared>, Path(id): Path<String>, h: HeaderMap, body: Bytes| async move {
        respond(&s, modify(&s, kind, &id, &h, &body))
    })
    .delete(move |State(s): State<Shared>, Path(id): Path<String>, h: HeaderMap| async move {
        respond(&s, delete(&s, kind, &id, &h))
    })
    .fallback(method_not_allowed)
}

/// POST `.search` (RFC 7644 §3.4.3): the same query as GET, sent as a SearchRequest body.
async fn search(s: &AppState, kinds: &[Kind], body: &Bytes) -> Response {
    let request = match parse_body(body) {
        Ok(v) => v,
        Err(e) => return error(s, e),
    };
    let mut q = Vec::new();
    for name in [
        "filter",
        "startIndex",
        "count",
        "sortBy",
        "sortOrder",
        "attributes",
        "excludedAttributes",
    ] {
        match filter::get_ci(&request, name) {
            Some(Value::String(v)) => q.push((name.to_string(), v.clone())),
            Some(Value::Number(n)) => q.push((name.to_string(), n.to_string())),
            Some(Value::Array(items)) => {
                let list: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                q.push((name.to_string(), list.join(",")));
            }
            _ => {}
        }
    }
    match list_inner(s, kinds, &q) {
        Ok(body) => scim_text(s, StatusCode::OK, body),
        Err(e) => error(s, e),
    }
}
async fn search_all(State(s): State<Shared>, body: Bytes) -> Response {
    search(&s, &[Kind::Users, Kind::Groups], &body).await
}
/// POST /Bulk (RFC 7644 §3.7): the operations in order, each answered with its own status
/// (as a string) and, for errors, its SCIM error; `failOnErrors` stops after that many errors.
/// `bulkId` references between operations are not resolved (the config says so by omission:
/// Okta never sends bulk requests).
async fn bulk(State(s): State<Shared>, body: Bytes) -> Response {
    match bulk_inner(&s, &body) {
        Ok(v) => scim(&s, StatusCode::OK, &v),
        Err(e) => error(&s, e),
    }
}

fn bulk_inner(s: &AppState, body: &Bytes) -> Result<Value, ScimError> {
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
                result["status"] = json!(reply.status.as_u16().to_string());
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
                errors += 1;
                result["status"] = json!(e.status.as_u16().to_string());
                result["response"] = s.version.error_body(&e, &s.faults);
            }
        }
        results.push(result);
    }
    Ok(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"], "Operations": results}),
    )
}

/// What a resource handler produces: a status, a body (none for 204), and an ETag/Location.
struct Reply {
    status: StatusCode,
    body: Option<Value>,
    location: Option<String>,
}

fn respond(s: &AppState, r: Result<Reply, ScimError>) -> Response {
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

fn parse_body(body: &Bytes) -> Result<Value, ScimError> {
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

fn eval_options(s: &AppState) -> EvalOptions {
    EvalOptions {
        case_sensitive_username: s.faults.has(Fault::CaseSensitiveUsername),
    }
}

/// The unique-name key of a resource: lower-cased userName for users (caseExact=false), none
/// for groups (displayName is not unique in RFC 7643 §4.2).
fn name_key(s: &AppState, kind: Kind, resource: &Value) -> Option<String> {
    if kind != Kind::Users {
        return None;
    }
    let name = filter::get_ci(resource, "userName")?.as_str()?;
    Some(if s.faults.has(Fault::CaseSensitiveUsername) {
        name.to_string()
    } else {
        name.to_lowercase()
    })
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// userName and every email value in lower case, as apps that normalise them store them.
fn lowercase_values(v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    for (k, val) in obj.iter_mut() {
        if k.eq_ignore_ascii_case("userName")
            && let Value::String(name) = val
        {
            *name = name.to_lowercase();
        }
        if k.eq_ignore_ascii_case("emails")
            && let Value::Array(emails) = val
        {
            for e in emails.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(Value::String(x)) = e.get_mut("value") {
                    *x = x.to_lowercase();
                }
            }
        }
    }
}

/// Validates a client's resource and normalises it: read-only attributes dropped, schemas set,
/// password never stored in a readable form (it is write-only, RFC 7643 §4.1.1).
fn validate(s: &AppState, kind: Kind, mut v: Value) -> Result<Value, ScimError> {
    if kind == Kind::Users && s.faults.has(Fault::LowercasesValues) {
        lowercase_values(&mut v);
    }
    let obj = v.as_object_mut().expect("parse_body returns objects");
    for ro in ["id", "meta", "groups"] {
        if let Some(k) = obj.keys().find(|k| k.eq_ignore_ascii_case(ro)).cloned() {
            obj.remove(&k);
        }
    }
    if let Some(k) = obj
        .keys()
        .find(|k| k.eq_ignore_ascii_case("password"))
        .cloned()
    {
        obj.remove(&k);
    }
    match kind {
        Kind::Users => {
            let user_name = filter::get_ci(&v, "userName")
                .and_then(Value::as_str)
                .unwrap_or("");
            if user_name.trim().is_empty() {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "userName is required (RFC 7643 §4.1)",
                ));
            }
            if let Some(active) = filter::get_ci(&v, "active")
                && !active.is_boolean()
            {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "active must be a boolean",
                ));
            }
        }
        Kind::Groups => {
            let name = filter::get_ci(&v, "displayName")
                .and_then(Value::as_str)
                .unwrap_or("");
            if name.trim().is_empty() {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "displayName is required (RFC 7643 §4.2)",
                ));
            }
            check_members(&v)?;
        }
    }
    Ok(v)
}

/// Group members must be an array of objects with a `value` (the member's id).
fn check_members(group: &Value) -> Result<(), ScimError> {
    let Some(members) = filter::get_ci(group, "members") else {
        return Ok(());
    };
    let Some(members) = members.as_array() else {
        return Err(ScimError::bad_request(
            "invalidValue",
            "members must be an array",
        ));
    };
    if members
        .iter()
        .any(|m| filter::get_ci(m, "value").and_then(Value::as_str).is_none())
    {
        return Err(ScimError::bad_request(
            "invalidValue",
            "every member needs a string value (the member's id)",
        ));
    }
    Ok(())
}

fn finish_resource(
    s: &AppState,
    kind: Kind,
    id: &str,
    mut v: Value,
    created: &str,
    version: u64,
) -> Value {
    let obj = v.as_object_mut().expect("resources are objects");
    obj.insert("id".into(), json!(id));
    let schema = s.version.core_schema(kind);
    // The core schema plus every extension the resource holds data for (RFC 7643 §3).
    obj.retain(|k, v| {
        !(k.to_ascii_lowercase().starts_with("urn:") && v.as_object().is_some_and(|o| o.is_empty()))
    });
    let mut schemas = vec![json!(schema)];
    for (k, v) in obj.iter_mut() {
        if let (true, Some(ext)) = (
            k.to_ascii_lowercase().starts_with("urn:"),
            v.as_object_mut(),
        ) {
            // An extension's schema is listed once, in the resource's `schemas`.
            ext.retain(|ek, _| !ek.eq_ignore_ascii_case("schemas"));
            schemas.push(json!(k));
        }
    }
    obj.insert("schemas".into(), Value::Array(schemas));
    if kind == Kind::Groups && !obj.keys().any(|k| k.eq_ignore_ascii_case("members")) {
        obj.insert("members".into(), json!([]));
    }
    let mut meta = json!({
        "created": created,
        "lastModified": now(),
        "location": format!("{}/{}/{id}", s.base_url, kind.endpoint()),
        "version": format!("W/\"{version}\""),
    });
    // SCIM 1.1 has no meta.resourceType (RFC 7643 §3.1 added it).
    if s.version == ScimVersion::V2 {
        meta["resourceType"] = json!(kind.resource_type());
    }
    obj.insert("meta".into(), meta);
    v
}

/// Inserts a validated resource (used by POST and by seeding).
pub(crate) fn insert(
    s: &AppState,
    store: &mut Store,
    kind: Kind,
    body: Value,
) -> Result<Value, ScimError> {
    let mut v = validate(s, kind, body)?;
    let key = name_key(s, kind, &v);
    if let Some(k) = &key
        && !s.faults.has(Fault::DuplicatesAllowed)
        && !store.users.by_name(k).is_empty()
    {
        return Err(ScimError::new(
            StatusCode::CONFLICT,
            "a user with this userName already exists",
        )
        .typed("uniqueness"));
    }
    if kind == Kind::Groups && s.faults.has(Fault::DuplicateGroup500) {
        let name = filter::get_ci(&v, "displayName").and_then(Value::as_str);
        let taken = store.of(Kind::Groups).iter().any(|e| {
            !e.soft_deleted
                && filter::get_ci(&e.resource(), "displayName").and_then(Value::as_str) == name
        });
        if taken {
            return Err(ScimError::html_crash(
                "IntegrityError: duplicate key value violates unique constraint",
            ));
        }
    }
    if kind == Kind::Groups && s.faults.has(Fault::MembersDroppedOnCreate) {
        v["members"] = json!([]);
    }
    // A new user is active unless the client says otherwise; later updates may remove it.
    if kind == Kind::Users && filter::get_ci(&v, "active").is_none() {
        v["active"] = json!(true);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let resource = finish_resource(s, kind, &id, v, &now(), 1);
    store.of_mut(kind).insert(id, key, &resource);
    Ok(resource)
}

fn create(s: &AppState, kind: Kind, body: &Bytes) -> Result<Reply, ScimError> {
    let v = parse_body(body)?;
    let mut store = s.store.lock().expect("store lock");
    let resource = insert(s, &mut store, kind, v)?;
    let location = resource
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Reply {
        status: StatusCode::CREATED,
        body: Some(present(s, resource, &[])?),
        location,
    })
}

fn get_one(s: &AppState, kind: Kind, id: &str, q: &[(String, String)]) -> Result<Reply, ScimError> {
    let store = s.store.lock().expect("store lock");
    let entry = store
        .of(kind)
        .get(id)
        .ok_or_else(|| ScimError::not_found(kind.resource_type(), id))?;
    let resource = entry.resource();
    let location = resource
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Reply {
        status: StatusCode::OK,
        body: Some(present(s, resource, q)?),
        location,
    })
}

/// Checks `If-Match` against the current version (RFC 7644 §3.14): 412 when it differs.
fn check_if_match(headers: &HeaderMap, current: u64) -> Result<(), ScimError> {
    let Some(want) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let current = format!("W/\"{current}\"");
    let ok = want.split(',').map(str::trim).any(|w| {
        w == "*" || w == current || w.trim_start_matches("W/") == current.trim_start_matches("W/")
    });
    if ok {
        Ok(())
    } else {
        Err(ScimError::new(
            StatusCode::PRECONDITION_FAILED,
            format!("If-Match {want} does not match the current version {current}"),
        ))
    }
}

/// Stores a new state of an existing resource, keeping id, created and the name index right.
fn store_update(
    s: &AppState,
    store: &mut Store,
    kind: Kind,
    id: &str,
    new: Value,
) -> Result<Value, ScimError> {
    let (old_key, created, version) = {
        let e = store
            .of(kind)
            .get(id)
            .ok_or_else(|| ScimError::not_found(kind.resource_type(), id))?;
        let old = e.resource();
        let created = old
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        (name_key(s, kind, &old), created, e.version)
    };
    let new = validate(s, kind, new)?;
    let new_key = name_key(s, kind, &new);
    if let Some(k) = &new_key {
        let clash = store.users.by_name(k).iter().any(|e| e.id != id);
        if clash && !s.faults.has(Fault::DuplicatesAllowed) {
            return Err(
                ScimError::new(StatusCode::CONFLICT, "another user has this userName")
                    .typed("uniqueness"),
            );
        }
    }
    let resource = finish_resource(s, kind, id, new, &created, version + 1);
    store.of_mut(kind).rename(id, old_key, new_key);
    let entry = store.of_mut(kind).get_mut(id).expect("checked above");
    entry.set_resource(&resource);
    entry.version = version + 1;
    Ok(resource)
}

/// The resource a PUT or PATCH is about to change: 404 when unknown, 412 when `If-Match`
/// names another version.
fn current_for_write(
    store: &Store,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
) -> Result<Value, ScimError> {
    let entry = store
        .of(kind)
        .get(id)
        .ok_or_else(|| ScimError::not_found(kind.resource_type(), id))?;
    check_if_match(headers, entry.version)?;
    Ok(entry.resource())
}

fn replace(
    s: &AppState,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Reply, ScimError> {
    let v = parse_body(body)?;
    let mut store = s.store.lock().expect("store lock");
    let current = current_for_write(&store, kind, id, headers)?;
    let resource = if s.faults.has(Fault::PutNotApplied) {
        current
    } else {
        store_update(s, &mut store, kind, id, v)?
    };
    Ok(Reply {
        status: StatusCode::OK,
        body: Some(present(s, resource, &[])?),
        location: None,
    })
}

fn modify(
    s: &AppState,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Reply, ScimError> {
    let message = parse_body(body)?;
    let mut store = s.store.lock().expect("store lock");
    let current = current_for_write(&store, kind, id, headers)?;
    if kind == Kind::Groups && s.faults.has(Fault::RenameNoPathRejected) {
        let no_path = message
            .get("Operations")
            .and_then(Value::as_array)
            .is_some_and(|ops| ops.iter().any(|o| filter::get_ci(o, "path").is_none()));
        if no_path {
            return Err(ScimError::bad_request(
                "noTarget",
                "an operation without a path is not supported",
            ));
        }
    }
    let opts = PatchOptions {
        ignore_unknown_ops: s.faults.has(Fault::PatchUnknownOpIgnored),
        ignore_member_removal: s.faults.has(Fault::MemberRemovalIgnored),
        eval: eval_options(s),
    };
    let patched = match s.version {
        ScimVersion::V2 => patch::apply(&current, &message, opts)?,
        ScimVersion::V11 => {
            let renames = filter::get_ci(&message, "displayName").is_some();
            if kind == Kind::Groups && renames && s.faults.has(Fault::RenameNoPathRejected) {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "renaming a group by PATCH is not supported",
                ));
            }
            let opts = Patch11Options {
                ignore_member_removal: opts.ignore_member_removal,
            };
            patch11::apply(&current, &message, opts)?
        }
    };
    let resource = if s.faults.has(Fault::PatchNotApplied) {
        current
    } else {
        store_update(s, &mut store, kind, id, patched)?
    };
    if s.patch_204 {
        return Ok(Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
        });
    }
    Ok(Reply {
        status: StatusCode::OK,
        body: Some(present(s, resource, &[])?),
        location: None,
    })
}

fn delete(s: &AppState, kind: Kind, id: &str, headers: &HeaderMap) -> Result<Reply, ScimError> {
    let mut store = s.store.lock().expect("store lock");
    let current = store
        .of(kind)
        .get(id)
        .ok_or_else(|| ScimError::not_found(kind.resource_type(), id))?;
    if current.soft_deleted && s.faults.has(Fault::SoftDelete) {
        return Err(ScimError::not_found(kind.resource_type(), id));
    }
    if !s.faults.has(Fault::IfMatchIgnoredOnDelete) {
        check_if_match(headers, current.version)?;
    }
    let done = Reply {
        status: StatusCode::NO_CONTENT,
        body: None,
        location: None,
    };
    if s.faults.has(Fault::DeleteNotApplied) {
        return Ok(done);
    }
    if s.faults.has(Fault::SoftDelete) {
        store
            .of_mut(kind)
            .get_mut(id)
            .expect("checked above")
            .soft_deleted = true;
        return Ok(done);
    }
    let key = name_key(s, kind, &current.resource());
    store.of_mut(kind).remove(id, key);
    // A deleted user or group is no longer anyone's member.
    for g in store.groups.iter_mut() {
        let mut group = g.resource();
        if let Some(Value::Array(members)) = group.get_mut("members") {
            let before = members.len();
            members.retain(|m| m.get("value") != Some(&json!(id)));
            if members.len() != before {
                g.set_resource(&group);
            }
        }
    }
    Ok(done)
}

/// Applies fault switches that change how a resource looks, and `attributes` /
/// `excludedAttributes` (RFC 7644 §3.4.2.5; `id` and `schemas` are always returned).
fn present(s: &AppState, mut v: Value, q: &[(String, String)]) -> Result<Value, ScimError> {
    if s.faults.has(Fault::MetaMissing)
        && let Some(o) = v.as_object_mut()
    {
        o.remove("meta");
    }
    let param = |name: &str| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if s.faults.has(Fault::AttributesIgnored) {
        return Ok(v);
    }
    let (list, keep) = match (param("attributes"), param("excludedAttributes")) {
        (Some(list), _) => (list, true),
        (None, Some(list)) => (list, false),
        (None, None) => return Ok(v),
    };
    if list.split(',').count() > MAX_ATTRIBUTE_NAMES {
        return Err(ScimError::bad_request(
            "invalidValue",
            format!("attributes and excludedAttributes take at most {MAX_ATTRIBUTE_NAMES} names"),
        ));
    }
    Ok(project(&v, list, keep))
}

/// The most names `attributes` or `excludedAttributes` may list (a resource has far fewer).
const MAX_ATTRIBUTE_NAMES: usize = 200;

fn project(v: &Value, list: &str, keep: bool) -> Value {
    let wanted: Vec<Vec<String>> = list
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(filter::attr_path)
        .collect();
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    let mut out = Map::new();
    for (k, val) in obj {
        let lk = k.to_ascii_lowercase();
        if lk == "id" || lk == "schemas" {
            out.insert(k.clone(), val.clone());
            continue;
        }
        let whole = wanted.iter().any(|p| p.len() == 1 && p[0] == lk);
        let subs: Vec<&String> = wanted
            .iter()
            .filter(|p| p.len() == 2 && p[0] == lk)
            .map(|p| &p[1])
            .collect();
        match (keep, whole, subs.is_empty(), val) {
            (true, true, _, _) => {
                out.insert(k.clone(), val.clone());
            }
            (true, false, false, Value::Object(inner)) => {
                let picked: Map<String, Value> = inner
                    .iter()
                    .filter(|(ik, _)| subs.iter().any(|s| ik.eq_ignore_ascii_case(s)))
                    .map(|(a, b)| (a.clone(), b.clone()))
                    .collect();
                out.insert(k.clone(), Value::Object(picked));
            }
            (false, false, true, _) => {
                out.insert(k.clone(), val.clone());
            }
            (false, false, false, Value::Object(inner)) => {
                let kept: Map<String, Value> = inner
                    .iter()
                    .filter(|(ik, _)| !subs.iter().any(|s| ik.eq_ignore_ascii_case(s)))
                    .map(|(a, b)| (a.clone(), b.clone()))
                    .collect();
                out.insert(k.clone(), Value::Object(kept));
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// Lists with filter, sort and paging (RFC 7644 §3.4.2).
fn list(s: &AppState, kind: Kind, q: &[(String, String)]) -> Response {
    match list_inner(s, &[kind], q) {
        Ok(body) => scim_text(s, StatusCode::OK, body),
        Err(e) => error(s, e),
    }
}

/// The ListResponse body. Resources are stored as JSON text; when nothing projects or bends
/// them, that text goes into the page as it is, without a parse (a page of 100 out of 100,000
/// users then costs well under a millisecond).
fn list_inner(s: &AppState, kinds: &[Kind], q: &[(String, String)]) -> Result<String, ScimError> {
    let param = |name: &str| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let filter = match param("filter") {
        None => None,
        Some(_) if s.faults.has(Fault::FilterIgnored) => None,
        Some(text) => match filter::parse(text) {
            Ok(f) => Some(f),
            Err(_) if s.faults.has(Fault::MalformedFilter200) => None,
            // A filter that matches nothing: an empty, successful list.
            Err(e)
                if s.faults.has(Fault::FilterMissingValue200) && e.contains("expected a value") =>
            {
                Some(filter::Filter::Or(Vec::new()))
            }
            Err(e) => {
                return Err(ScimError::bad_request(
                    "invalidFilter",
                    format!("invalid filter {text:?}: {e}"),
                ));
            }
        },
    };
    let number = |name: &str| -> Result<Option<i64>, ScimError> {
        match param(name) {
            None => Ok(None),
            Some(t) => t.trim().parse::<i64>().map(Some).map_err(|_| {
                ScimError::bad_request(
                    "invalidValue",
                    format!("{name} must be an integer, got {t:?}"),
                )
            }),
        }
    };
    // startIndex < 1 is read as 1 (RFC 7644 §3.4.2.4); a negative count as 0.
    let start = number("startIndex")?.unwrap_or(1).max(1) as usize;
    let requested_count = number("count")?;
    let count = requested_count
        .map_or(DEFAULT_COUNT, |c| c.max(0) as usize)
        .min(MAX_RESULTS);

    let filter = match filter {
        Some(_)
            if s.faults.has(Fault::ExternalIdNotFilterable)
                && param("filter")
                    .is_some_and(|f| f.to_ascii_lowercase().contains("externalid")) =>
        {
            Some(filter::Filter::Or(Vec::new()))
        }
        other => other,
    };
    let store = s.store.lock().expect("store lock");
    let opts = eval_options(s);
    let mut hits: Vec<&crate::store::Entry> = Vec::new();
    for &kind in kinds {
        let collection = store.of(kind);
        let hide_inactive = kind == Kind::Users && s.faults.has(Fault::DeactivatedHidden);
        let visible = |e: &&crate::store::Entry| {
            let hidden_inactive = hide_inactive && e.inactive;
            !e.soft_deleted && !hidden_inactive
        };
        match &filter {
            Some(f) => match filter::username_eq(f).filter(|_| kind == Kind::Users) {
                // The index answers Okta's lookup without a scan.
                Some(name) => {
                    let key = if opts.case_sensitive_username {
                        name.to_string()
                    } else {
                        name.to_lowercase()
                    };
                    hits.extend(collection.by_name(&key).into_iter().filter(visible));
                }
                None => hits.extend(
                    collection
                        .iter()
                        .filter(visible)
                        .filter(|e| filter::matches(f, &e.resource(), opts)),
                ),
            },
            None => hits.extend(collection.iter().filter(visible)),
        }
    }
    if let Some(sort_by) = param("sortBy") {
        let path = filter::attr_path(sort_by);
        let key = |e: &crate::store::Entry| {
            filter::values_at(&e.resource(), &path)
                .first()
                .map(|v| match v {
                    Value::String(x) => x.to_lowercase(),
                    other => other.to_string(),
                })
        };
        hits.sort_by_cached_key(|e| key(e));
        if param("sortOrder").is_some_and(|o| o.eq_ignore_ascii_case("descending")) {
            hits.reverse();
        }
    }
    if s.faults.has(Fault::UnstableOrder) && hits.len() > 1 {
        // Each request sees the list rotated differently, as a server ordering by a volatile
        // key would: deterministic, and never the identity rotation, so the checks that catch
        // it do not depend on how many requests came before.
        let n = s.requests.load(std::sync::atomic::Ordering::Relaxed) as usize;
        let shift = 1 + n % (hits.len() - 1);
        hits.rotate_left(shift);
    }
    let total = hits.len();
    let page: Vec<&crate::store::Entry> = if s.faults.has(Fault::PagingIgnored) {
        hits
    } else {
        let skip = if s.faults.has(Fault::StartIndexZeroBased) {
            start
        } else {
            start - 1
        };
        hits.into_iter().skip(skip).take(count).collect()
    };
    let items_per_page = if s.faults.has(Fault::ItemsPerPageEchoesCount) {
        requested_count.map_or(page.len(), |c| c.max(0) as usize)
    } else {
        page.len()
    };
    let as_stored = !s.faults.has(Fault::MetaMissing)
        && param("attributes").is_none()
        && param("excludedAttributes").is_none();
    let resources: Vec<String> = if as_stored {
        page.into_iter()
            .map(|e| e.json_text().to_string())
            .collect()
    } else {
        // Projection can be costly: it runs on copies, after the store is unlocked.
        let copies: Vec<Value> = page.into_iter().map(|e| e.resource()).collect();
        drop(store);
        copies
            .into_iter()
            .map(|v| present(s, v, q).map(|v| v.to_string()))
            .collect::<Result<_, _>>()?
    };
    let counter = |n: usize| {
        if s.faults.has(Fault::CountersAsStrings) {
            json!(n.to_string())
        } else {
            json!(n)
        }
    };
    Ok(format!(
        r#"{{"schemas":{},"totalResults":{},"startIndex":{},"itemsPerPage":{},"Resources":[{}]}}"#,
        s.version.list_schemas(),
        counter(total),
        counter(if s.faults.has(Fault::StartIndexEchoedRaw) {
            number("startIndex")?.map_or(start, |n| n.max(0) as usize)
        } else {
            start
        }),
        counter(items_per_page),
        resources.join(",")
    ))
}
