//! Entitlement management: the okta-entitlements suite is repeated for the endpoints an app
//! declares (whatever it names them), named by hand when the app has no discovery, and
//! skipped with the reason when the app offers none.

use harness::report::RunReport;
use harness::run::events::NoEvents;
use harness::run::{RunOptions, run};
use refserver::{Auth, ServerConfig};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TOKEN, client, suite};

async fn run_entitlements(base_url: &str, options: RunOptions) -> RunReport {
    run(
        &client(base_url),
        &[suite("okta-entitlements")],
        &options,
        &mut NoEvents,
        std::future::pending(),
    )
    .await
}

/// Whether the check `id` has the outcome `label`.
fn has(got: &[(String, String)], id: &str, label: &str) -> bool {
    got.iter().any(|(i, l)| i == id && l == label)
}

fn ids(report: &RunReport) -> Vec<(String, String)> {
    report.suites[0]
        .checks
        .iter()
        .map(|c| (c.id.clone(), c.outcome.label().to_string()))
        .collect()
}

#[tokio::test]
async fn each_declared_endpoint_gets_okta_s_step_and_an_import() {
    let server = crate::support::server(&[], 3).await;
    let report = run_entitlements(server.base_url(), RunOptions::default()).await;
    let got = ids(&report);
    for t in ["role", "entitlement", "license"] {
        for check in ["okta-step", "import-values"] {
            let id = format!("{check}-{t}");
            assert!(
                has(&got, &id, "pass"),
                "{id} missing or not passed: {got:?}"
            );
        }
    }
    assert!(has(&got, "extension-schema-license-license", "pass"));
    assert_eq!(
        report.summary.failed + report.summary.skipped + report.summary.blocked,
        0
    );
    // The user the run created is gone.
    assert!(
        crate::support::marked_users(server.base_url())
            .await
            .is_empty()
    );
    server.stop().await;
}

#[tokio::test]
async fn endpoints_are_discovered_whatever_the_app_calls_them() {
    // An app with one entitlement type at /AccessProfiles (no role type): Okta's step runs
    // against it; the lifecycle checks that need a role are skipped, naming what is missing.
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ResourceTypes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
            "Resources": [{"id": "AccessProfile", "name": "Access profile", "endpoint": "/AccessProfiles",
                           "schema": refserver::ENTITLEMENT_URN}]
        })))
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/AccessProfiles"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
            "Resources": [{"id": "ap-1", "displayName": "Auditor", "type": "AccessProfile"}]
        })))
        .mount(&mock)
        .await;
    // The app creates users (what is read back is not this test's concern).
    Mock::given(method("POST"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1"
        })))
        .mount(&mock)
        .await;
    let report = run_entitlements(&mock.uri(), RunOptions::default()).await;
    let got = ids(&report);
    assert!(has(&got, "okta-step-accessprofile", "pass"), "{got:?}");
    assert!(has(&got, "import-values-accessprofile", "pass"), "{got:?}");
    let pick_role = report.suites[0]
        .checks
        .iter()
        .find(|c| c.id == "pick-role")
        .unwrap();
    assert!(
        pick_role
            .outcome
            .explanation()
            .contains("declares no role (Okta Role URN) resource type"),
        "{:?}",
        pick_role.outcome
    );
    // What uses the role is skipped too, not blocked: an app without roles is not at fault.
    let assign_role = report.suites[0]
        .checks
        .iter()
        .find(|c| c.id == "assign-role")
        .unwrap();
    assert_eq!(
        assign_role.outcome.label(),
        "skip",
        "{:?}",
        assign_role.outcome
    );
}

#[tokio::test]
async fn an_app_without_entitlements_has_the_suite_skipped_with_the_reason() {
    let server = refserver::start(ServerConfig {
        auth: Auth {
            token: Some(TOKEN.into()),
            basic: None,
        },
        seed_users: 2,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let report = run_entitlements(server.base_url(), RunOptions::default()).await;
    let checks = &report.suites[0].checks;
    assert!(!checks.is_empty());
    for c in checks {
        assert_eq!(c.outcome.label(), "skip", "{}", c.id);
        assert!(
            c.outcome.explanation().contains(
                "declares no resource type with schema urn:okta:scim:schemas:core:1.0:Role"
            ),
            "{}: {}",
            c.id,
            c.outcome.explanation()
        );
    }
    // Named by hand, the endpoints are tested even without discovery.
    let server_with = crate::support::server(&[], 2).await;
    let options = RunOptions {
        entitlement_endpoints: vec!["/Roles".into(), "Entitlements".into()],
        ..RunOptions::default()
    };
    let report = run_entitlements(server_with.base_url(), options).await;
    let got = ids(&report);
    assert!(has(&got, "okta-step-roles", "pass"), "{got:?}");
    assert!(has(&got, "okta-step-entitlements", "pass"), "{got:?}");
    assert_eq!(report.summary.failed, 0, "{got:?}");
    server.stop().await;
    server_with.stop().await;
}

#[tokio::test]
async fn a_hostile_resource_types_list_sends_the_credential_nowhere_else() {
    // The app declares endpoints on another host, above the base path, and an extension URN
    // with a terminal escape: none is requested or shown; resource-types fails naming them.
    let evil = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&evil)
        .await;
    let app = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ResourceTypes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 3, "startIndex": 1, "itemsPerPage": 3,
            "Resources": [
                {"id": "Role", "name": "Role", "endpoint": format!("{}/Roles", evil.uri()), "schema": refserver::ROLE_URN},
                {"id": "Up", "name": "Up", "endpoint": "/../../admin", "schema": refserver::ENTITLEMENT_URN},
                {"id": "Odd", "name": "Odd", "endpoint": "/Odd", "schema": refserver::ENTITLEMENT_URN,
                 "schemaExtensions": [{"schema": "urn:x:\u{1b}[2Jwiped", "required": false}]},
            ]
        })))
        .mount(&app)
        .await;
    let report = run_entitlements(&app.uri(), RunOptions::default()).await;
    let got = ids(&report);
    assert!(has(&got, "resource-types", "fail"), "{got:?}");
    let explanation = report.suites[0].checks[0].outcome.explanation();
    assert!(
        explanation.contains("is not a path below the base URL"),
        "{explanation}"
    );
    assert!(explanation.contains("is not a URN"), "{explanation}");
    // Only the safe endpoint is repeated; no check carries the escape.
    assert!(got.iter().any(|(id, _)| id == "okta-step-odd"), "{got:?}");
    assert!(
        !got.iter()
            .any(|(id, _)| id.contains("role") && id.starts_with("okta-step"))
    );
    assert!(
        !got.iter().any(|(id, _)| id.starts_with("extension-schema")),
        "{got:?}"
    );
    let requested: Vec<String> = app
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert!(
        !requested.iter().any(|p| p.contains("admin")),
        "{requested:?}"
    );
    evil.verify().await;
}
