//! A stand-in for an Okta org that provisions for real: its Users, app assignment, lifecycle
//! and governance APIs answer as Okta does, and each change is pushed to the SCIM app as Okta
//! pushes it (POST /Users on assignment, GET + PUT on a profile update, PATCH active on
//! deactivation, unassignment and reassignment). Okta's CRUD exports then run end to end
//! against the reference server with no SaaS account. Grants are recorded for the test to
//! read.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

/// What the org knows and where it provisions.
#[derive(Default)]
struct Org {
    scim_url: String,
    scim_token: String,
    api_token: String,
    /// The Okta user: id, profile, and the SCIM id once provisioned.
    user: Option<(String, Value, Option<String>)>,
    /// Bodies of the governance grants received.
    grants: Vec<Value>,
}

type Shared = Arc<Mutex<Org>>;

/// A running org: its URL, and the grants it received.
pub struct OktaOrg {
    pub url: String,
    org: Shared,
}

impl OktaOrg {
    /// The governance grants received, as sent.
    pub fn grants(&self) -> Vec<Value> {
        self.org.lock().unwrap().grants.clone()
    }
}

/// Starts an org on a free port that provisions to `scim_url` with `scim_token`, and accepts
/// `api_token` as its SSWS token.
pub async fn start(scim_url: &str, scim_token: &str, api_token: &str) -> OktaOrg {
    let org: Shared = Arc::new(Mutex::new(Org {
        scim_url: scim_url.to_string(),
        scim_token: scim_token.to_string(),
        api_token: api_token.to_string(),
        ..Org::default()
    }));
    let app = Router::new()
        .route("/api/v1/apps/{app}", get(app_info))
        .route("/api/v1/users", post(create_user))
        .route("/api/v1/users/{id}", put(update_user))
        .route("/api/v1/users/{id}/lifecycle/{action}", post(lifecycle))
        .route("/api/v1/apps/{app}/users", post(assign))
        .route("/api/v1/apps/{app}/users/{id}", delete(unassign))
        .route("/governance/api/v1/grants", post(grant))
        .with_state(org.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    OktaOrg { url, org }
}

fn authorized(org: &Shared, headers: &HeaderMap) -> bool {
    let want = format!("SSWS {}", org.lock().unwrap().api_token);
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == want)
}

type Answer = (StatusCode, Json<Value>);

fn refused() -> Answer {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"errorCode": "E0000011"})),
    )
}

async fn app_info(State(org): State<Shared>, h: HeaderMap, Path(app): Path<String>) -> Answer {
    if !authorized(&org, &h) {
        return refused();
    }
    (StatusCode::OK, Json(json!({"id": app, "status": "ACTIVE"})))
}

async fn create_user(State(org): State<Shared>, h: HeaderMap, Json(body): Json<Value>) -> Answer {
    if !authorized(&org, &h) {
        return refused();
    }
    let id = "00uscimcheck1".to_string();
    org.lock().unwrap().user = Some((id.clone(), body["profile"].clone(), None));
    (
        StatusCode::OK,
        Json(json!({"id": id, "status": "ACTIVE", "profile": body["profile"]})),
    )
}

/// The SCIM request Okta sends, to the app.
async fn scim(org: &Shared, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let (url, token) = {
        let o = org.lock().unwrap();
        (format!("{}{path}", o.scim_url), o.scim_token.clone())
    };
    let mut req = reqwest::Client::new()
        .request(method, url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/scim+json");
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    let resp = req.send().await.expect("the SCIM app answers");
    resp.json().await.unwrap_or(Value::Null)
}

/// The app's id of the Okta user, once provisioned.
fn provisioned(org: &Shared, okta_id: &str) -> Option<String> {
    let o = org.lock().unwrap();
    o.user
        .as_ref()
        .filter(|u| u.0 == okta_id)
        .and_then(|u| u.2.clone())
}

/// Okta's (de)activation of an app user: PATCH replace active.
async fn set_active(org: &Shared, scim_id: &str, active: bool) {
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "value": {"active": active}}]});
    scim(
        org,
        reqwest::Method::PATCH,
        &format!("/Users/{scim_id}"),
        Some(patch),
    )
    .await;
}

async fn assign(State(org): State<Shared>, h: HeaderMap, Json(body): Json<Value>) -> Answer {
    if !authorized(&org, &h) {
        return refused();
    }
    let user = org.lock().unwrap().user.clone();
    let Some((id, profile, scim_id)) = user else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"errorCode": "E0000007"})),
        );
    };
    match scim_id {
        // Reassigned after deactivation: Okta reactivates the app user.
        Some(scim_id) => {
            set_active(&org, &scim_id, true).await;
        }
        None => {
            let email = profile["email"].as_str().unwrap_or_default();
            let created = scim(
                &org,
                reqwest::Method::POST,
                "/Users",
                Some(json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": profile["login"],
                    "name": {"givenName": profile["firstName"], "familyName": profile["lastName"]},
                    "emails": [{"primary": true, "value": email, "type": "work"}],
                    "displayName": format!("{} {}", profile["firstName"].as_str().unwrap_or(""), profile["lastName"].as_str().unwrap_or("")),
                    "active": true,
                })),
            )
            .await;
            let scim_id = created["id"].as_str().map(str::to_string);
            org.lock().unwrap().user = Some((id.clone(), profile, scim_id));
        }
    }
    (
        StatusCode::OK,
        Json(json!({"id": id, "scope": body["scope"], "status": "PROVISIONED"})),
    )
}

async fn update_user(
    State(org): State<Shared>,
    h: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Answer {
    if !authorized(&org, &h) {
        return refused();
    }
    let scim_id = {
        let mut o = org.lock().unwrap();
        let Some(user) = o.user.as_mut().filter(|u| u.0 == id) else {
            return (
                StatusCode::NOT_FOUND,
                Json(json!({"errorCode": "E0000007"})),
            );
        };
        user.1 = body["profile"].clone();
        user.2.clone()
    };
    if let Some(scim_id) = scim_id {
        // Okta's profile push: GET the user, change it, PUT the whole.
        let path = format!("/Users/{scim_id}");
        let mut current = scim(&org, reqwest::Method::GET, &path, None).await;
        current["name"]["givenName"] = body["profile"]["firstName"].clone();
        current["name"]["familyName"] = body["profile"]["lastName"].clone();
        scim(&org, reqwest::Method::PUT, &path, Some(current)).await;
    }
    (
        StatusCode::OK,
        Json(json!({"id": id, "profile": body["profile"]})),
    )
}

async fn lifecycle(
    State(org): State<Shared>,
    h: HeaderMap,
    Path((id, action)): Path<(String, String)>,
) -> Answer {
    if !authorized(&org, &h) {
        return refused();
    }
    let scim_id = provisioned(&org, &id);
    if action == "deactivate"
        && let Some(scim_id) = scim_id
    {
        set_active(&org, &scim_id, false).await;
    }
    (StatusCode::OK, Json(json!({})))
}

async fn unassign(
    State(org): State<Shared>,
    h: HeaderMap,
    Path((_app, id)): Path<(String, String)>,
) -> StatusCode {
    if !authorized(&org, &h) {
        return StatusCode::UNAUTHORIZED;
    }
    let scim_id = provisioned(&org, &id);
    if let Some(scim_id) = scim_id {
        set_active(&org, &scim_id, false).await;
    }
    StatusCode::NO_CONTENT
}

async fn grant(State(org): State<Shared>, h: HeaderMap, Json(body): Json<Value>) -> Answer {
    if !authorized(&org, &h) {
        return refused();
    }
    org.lock().unwrap().grants.push(body.clone());
    (
        StatusCode::OK,
        Json(json!({"id": "0ggscimcheck1", "grantType": body["grantType"]})),
    )
}
