//! Verdicts on apps other than the reference server: a check whose setup failed is blocked,
//! never a pass and never a false alarm; lookups judge identity, not counts.

use harness::report::Outcome;
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{client_with_token, run_suites, suite};

/// An app whose creates fail with 400 and whose list ignores the filter, answering one
/// unrelated user to every query.
async fn creates_fail_filter_ignored() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "400", "detail": "we do not accept that"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
            "Resources": [{"id": "someone-else", "userName": "someone@example.com"}]})))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "404", "detail": "not found"})))
        .mount(&server)
        .await;
    server
}

/// Regression: with failed creates and an ignored filter, `deleted-not-listed` failed for a
/// user that was never created (a false alarm citing the wrong section), and
/// `filter-case-insensitive-names` passed on `totalResults == 1` alone (the result was
/// another user).
#[tokio::test]
async fn checks_whose_setup_failed_are_blocked_not_judged() {
    let server = creates_fail_filter_ignored().await;
    let client = client_with_token(&server.uri(), "t");
    let report = run_suites(&client, vec![suite("rfc7644")]).await;
    let outcome = |id: &str| {
        &report.suites[0]
            .checks
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no check {id}"))
            .outcome
    };
    assert_eq!(outcome("create-user-a").label(), "fail");
    match outcome("deleted-not-listed") {
        Outcome::Blocked { waited_for, reason } => {
            assert_eq!(waited_for, &["delete-user"], "{reason}");
        }
        other => panic!("deleted-not-listed: {other:?}"),
    }
    match outcome("filter-case-insensitive-names") {
        Outcome::Blocked { waited_for, reason } => {
            assert_eq!(waited_for, &["create-user-a"]);
            assert!(reason.contains("{{idA}}"), "{reason}");
        }
        other => panic!("filter-case-insensitive-names: {other:?}"),
    }
    // No check that depends on a created user passed.
    for c in &report.suites[0].checks {
        let uses_run_users = c.id.starts_with("filter-") && c.id != "filter-malformed";
        if uses_run_users {
            assert_ne!(c.outcome.label(), "pass", "{} passed vacuously", c.id);
        }
    }
    assert!(report.summary.blocked > 10, "{:?}", report.summary);
}

/// Regression: `import-users` failed an app because of users scimcheck did not create (soft-
/// deleted users, service accounts without a name). The attributes Okta imports are judged on
/// the run's own users; the others are counted as information.
#[tokio::test]
async fn user_shape_is_judged_on_the_run_s_users_only() {
    use std::sync::{Arc, Mutex};
    let created: Arc<Mutex<Option<serde_json::Value>>> = Arc::default();
    let server = MockServer::start().await;
    let store = created.clone();
    Mock::given(method("POST"))
        .and(path("/Users"))
        .respond_with(move |req: &wiremock::Request| {
            let mut body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
            body["id"] = "run-user".into();
            // The app drops the run's user's family name: what Okta imports is missing.
            body["name"].as_object_mut().unwrap().remove("familyName");
            *store.lock().unwrap() = Some(body.clone());
            ResponseTemplate::new(201).set_body_json(body)
        })
        .mount(&server)
        .await;
    let store = created.clone();
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(move |_: &wiremock::Request| {
            let mut users = vec![json!({"id": "svc-1", "userName": "svc-account"})];
            users.extend(store.lock().unwrap().clone());
            ResponseTemplate::new(200).set_body_json(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": users.len(), "startIndex": 1, "itemsPerPage": users.len(),
                "Resources": users}))
        })
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let mut spec = suite("profile-sourcing");
    spec.checks.retain(|c| {
        [
            "import-users",
            "create-sourced-user",
            "import-sees-new-user",
        ]
        .contains(&c.id.as_str())
    });
    let client = client_with_token(&server.uri(), "t");
    let report = run_suites(&client, vec![spec]).await;
    let checks = &report.suites[0].checks;
    assert_eq!(checks[0].outcome.label(), "pass", "{:?}", checks[0].outcome);
    let note = checks[0].note.as_deref().unwrap();
    assert!(
        note.contains("users not created by this run that lack attributes Okta imports: 1")
            && note.contains("svc-1"),
        "{note}"
    );
    let text = checks[2].outcome.explanation();
    assert!(text.contains("user name.familyName"), "{text}");
    assert!(!text.contains("svc-1"), "{text}");
}

/// Regression: a 201 without an `id` (Location `/Users/undefined`) left the user in the app
/// while the report said 0 leftovers. It is found again by the name the run gave it, and
/// removed.
#[tokio::test]
async fn a_create_answered_without_an_id_is_found_by_name_and_removed() {
    use std::sync::{Arc, Mutex};
    let user_name: Arc<Mutex<String>> = Arc::default();
    let server = MockServer::start().await;
    let name = user_name.clone();
    Mock::given(method("POST"))
        .and(path("/Users"))
        .respond_with(move |req: &wiremock::Request| {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
            *name.lock().unwrap() = body["userName"].as_str().unwrap().to_string();
            ResponseTemplate::new(201)
                .insert_header("location", "/Users/undefined")
                .set_body_json(json!({"userName": body["userName"]}))
        })
        .mount(&server)
        .await;
    let name = user_name.clone();
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(move |req: &wiremock::Request| {
            let wanted = name.lock().unwrap().clone();
            let filter = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "filter")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            // Another user the run did not create, whose name only starts the same way.
            let mut users = vec![json!({"id": "not-ours", "userName": format!("{wanted}.other")})];
            if filter.contains(&wanted) && !wanted.is_empty() {
                users.push(json!({"id": "real-id", "userName": wanted}));
            }
            ResponseTemplate::new(200).set_body_json(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": users.len(), "Resources": users}))
        })
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/Users/real-id"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/Users/not-ours"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let mut spec = suite("okta-scim2-crud");
    spec.checks
        .retain(|c| ["create-user", "verify-created"].contains(&c.id.as_str()));
    let client = client_with_token(&server.uri(), "a-longer-test-token");
    let report = run_suites(&client, vec![spec]).await;
    let cleanup = &report.suites[0].cleanup;
    assert_eq!(cleanup.len(), 1, "{cleanup:?}");
    assert_eq!(cleanup[0].resource, "/Users/real-id");
    assert_eq!(
        cleanup[0].action,
        harness::report::CleanupAction::Deleted,
        "{cleanup:?}"
    );
    assert!(
        cleanup[0]
            .note
            .starts_with("created without an id, found by userName")
    );
    assert_eq!(report.summary.leftovers, 0);
    // verify-created waits for an id that never came: blocked, not failed twice.
    assert_eq!(report.suites[0].checks[1].outcome.label(), "blocked");
    server.verify().await;
}
