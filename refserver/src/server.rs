//! The HTTP service: routes, authentication, faults that act on every request, the discovery
//! handlers, and how replies are written. The handlers of one resource are in `resources`, of
//! lists and searches in `lists`, of `/Bulk` in `bulk` (RFC 7644 §3).

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};

use crate::bulk::bulk;
use crate::discovery::{self};
use crate::error::ScimError;
use crate::faults::Fault;
use crate::lists::{list, search, search_all};
use crate::resources::{create, delete, get_one, modify, replace};
use crate::state::{AppState, Auth, Shared, error, respond, scim};
use crate::store::Kind;

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
    let types = state
        .entitlements
        .as_ref()
        .map(|c| c.types.iter().map(|t| t.endpoint).collect::<Vec<_>>())
        .unwrap_or_default();
    for (index, endpoint) in types.into_iter().enumerate() {
        api = api
            .route(
                endpoint,
                get(
                    move |State(s): State<Shared>, Query(q): Query<Vec<(String, String)>>| async move {
                        let t = &s.entitlements.as_ref().expect("served").types[index];
                        match crate::entitlements::page(&s, t, &q) {
                            Ok(body) => scim(&s, StatusCode::OK, &body),
                            Err(e) => error(&s, e),
                        }
                    },
                )
                .fallback(method_not_allowed),
            )
            .route(
                &format!("{endpoint}/{{id}}"),
                get(move |State(s): State<Shared>, Path(id): Path<String>| async move {
                    let t = &s.entitlements.as_ref().expect("served").types[index];
                    match crate::entitlements::one(t, &id) {
                        Ok(body) => scim(&s, StatusCode::OK, &body),
                        Err(e) => error(&s, e),
                    }
                })
                .fallback(method_not_allowed),
            );
    }
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
        .route(crate::token::METADATA_PATH, get(crate::token::metadata))
        .route(crate::token::TOKEN_PATH, post(crate::token::token))
        .fallback(not_found_route)
        .layer(middleware::from_fn_with_state(state.clone(), every_request))
        .with_state(state)
}

pub(crate) async fn method_not_allowed(State(s): State<Shared>) -> Response {
    error(
        &s,
        ScimError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "this endpoint is read-only or does not support the method",
        ),
    )
}

pub(crate) async fn not_found_route(State(s): State<Shared>, req: Request) -> Response {
    error(
        &s,
        ScimError::new(
            StatusCode::NOT_FOUND,
            format!("no endpoint at {}", req.uri().path()),
        ),
    )
}

// ---------- every request: counting, faults, authentication ----------

pub(crate) async fn every_request(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let n = s.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let _serving = Serving::start(&s);
    if let Some(ms) = s.faults.latency_ms() {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let _one_at_a_time = match s.faults.one_at_a_time_ms() {
        Some(ms) => {
            let held = s.one_at_a_time.lock().await;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Some(held)
        }
        None => None,
    };
    let over_limit = s.rate_limit.as_ref().is_some_and(|limit| !limit.admit());
    if over_limit
        || s.faults
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
    if s.faults.has(Fault::LockedUnderLoad) {
        tokio::time::sleep(Duration::from_millis(15)).await;
        if req.method() == axum::http::Method::GET && s.in_flight.load(Ordering::SeqCst) > 1 {
            return error(
                &s,
                ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, "database is locked"),
            );
        }
    }
    if let Some(refused) = refused_by_fault(&s, req.method(), req.uri().path()) {
        return error(&s, refused);
    }
    if s.faults.error_every().is_some_and(|every| n % every == 0) {
        return error(
            &s,
            ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        );
    }
    // The authorization server's own endpoints are where a credential is obtained.
    let path = req.uri().path();
    let to_authorization_server =
        path == crate::token::METADATA_PATH || path == crate::token::TOKEN_PATH;
    if to_authorization_server && s.tokens.clients.is_empty() {
        return not_found_route(State(s.clone()), req).await;
    }
    if (s.auth.required() || s.oauth.is_some())
        && !to_authorization_server
        && !s.faults.has(Fault::AuthNotEnforced)
        && !authorized(&s.auth, req.headers())
        && !bearer(req.headers()).is_some_and(|t| s.tokens.issued(t))
        && !introspected(s.oauth.as_deref(), req.headers()).await
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

/// The answer of a fault that refuses a kind of request outright.
fn refused_by_fault(s: &AppState, method: &axum::http::Method, path: &str) -> Option<ScimError> {
    use axum::http::Method;
    let resource = path.contains("/Users") || path.contains("/Groups");
    let (status, detail) =
        if *method == Method::PATCH && resource && s.faults.has(Fault::PatchRefused) {
            (StatusCode::NOT_IMPLEMENTED, "PATCH is not supported")
        } else if *method == Method::DELETE && resource && s.faults.has(Fault::DeleteRefused) {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                "DELETE is not supported: deactivate the user instead",
            )
        } else if path.contains("/Schemas/") && s.faults.has(Fault::SchemaByIdMissing) {
            (StatusCode::NOT_FOUND, "no such schema")
        } else if path.contains("/ResourceTypes") && s.faults.has(Fault::ResourceTypes500) {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "resource types are not available",
            )
        } else {
            return None;
        };
    Some(ScimError::new(status, detail))
}

/// One request being served, counted while it lives (also when the client goes away).
struct Serving<'a>(&'a AppState);

impl<'a> Serving<'a> {
    fn start(s: &'a AppState) -> Self {
        let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        s.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        Serving(s)
    }
}

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The bearer token of a request, if it has one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// A bearer token the OAuth 2 issuer says is active.
async fn introspected(
    oauth: Option<&crate::introspect::Introspection>,
    headers: &HeaderMap,
) -> bool {
    let token = bearer(headers);
    match (oauth, token) {
        (Some(o), Some(t)) => o.active(t.trim()).await,
        _ => false,
    }
}

pub(crate) fn authorized(auth: &Auth, headers: &HeaderMap) -> bool {
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

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Decodes standard base64, padded or not (a Basic credential, RFC 7617).
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(s).ok()
}

// ---------- discovery ----------

pub(crate) async fn service_provider_config(State(s): State<Shared>) -> Response {
    if s.faults.has(Fault::ServiceProviderConfigMissing) {
        return error(
            &s,
            ScimError::new(StatusCode::NOT_FOUND, "no /ServiceProviderConfig here"),
        );
    }
    let mut config = discovery::service_provider_config(
        &s.base_url,
        s.auth.basic.is_some(),
        s.version,
        s.interop_profile,
        s.cursor_by_default,
    );
    if s.faults.has(Fault::PagesUnbounded) {
        config["filter"]["maxResults"] = json!(100_000);
    }
    scim(&s, StatusCode::OK, &config)
}

pub(crate) fn list_of(s: &AppState, items: Vec<Value>) -> Value {
    json!({"schemas": s.version.list_schemas(), "totalResults": items.len(), "startIndex": 1, "itemsPerPage": items.len(), "Resources": items})
}

pub(crate) async fn resource_types(State(s): State<Shared>) -> Response {
    scim(&s, StatusCode::OK, &list_of(&s, all_resource_types(&s)))
}

/// The resource types: User, Group, and the entitlement types when served.
fn all_resource_types(s: &AppState) -> Vec<Value> {
    let mut types = discovery::resource_types(&s.base_url, s.version);
    if s.faults.has(Fault::ResourceTypeIdNotName) {
        types[0]["id"] = json!("UserType");
    }
    if let Some(catalogue) = &s.entitlements {
        types.extend(crate::entitlements::resource_types(s, catalogue));
    }
    types
}

pub(crate) async fn resource_type(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match all_resource_types(&s)
        .into_iter()
        .find(|r| r["id"] == json!(id))
    {
        Some(r) => scim(&s, StatusCode::OK, &r),
        None => error(&s, ScimError::not_found("ResourceType", &id)),
    }
}

pub(crate) async fn schemas(State(s): State<Shared>) -> Response {
    scim(
        &s,
        StatusCode::OK,
        &list_of(&s, crate::interop::all_schemas(&s)),
    )
}

pub(crate) async fn schema(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    match crate::interop::all_schemas(&s).into_iter().find(|r| {
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
pub(crate) fn collection_routes(kind: Kind) -> MethodRouter<Shared> {
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
pub(crate) fn resource_routes(kind: Kind) -> MethodRouter<Shared> {
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
