//! SCIM 1.1: the 1.1 suites against the reference server in 1.1 mode (clean and with the 1.1
//! forms of the faults), and the detection of the version an app speaks.

use harness::report::RunReport;
use harness::run::detect::detect;
use harness::run::events::NoEvents;
use harness::run::{RunOptions, run};
use refserver::ScimVersion;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{client, server_speaking, suite};

const SUITES: &[&str] = &[
    "okta-scim11-spec",
    "okta-scim11-crud",
    "okta-scim11-groups",
    "scim11-auth",
];

async fn run_11(base_url: &str) -> RunReport {
    let suites: Vec<_> = SUITES.iter().map(|id| suite(id)).collect();
    run(
        &client(base_url),
        &suites,
        &RunOptions::default(),
        &mut NoEvents,
        std::future::pending(),
    )
    .await
}

fn failed(report: &RunReport) -> Vec<String> {
    report
        .suites
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.outcome.label() != "pass")
        .map(|(s, c)| format!("{}/{}", s.id, c.id))
        .collect()
}

#[tokio::test]
async fn the_clean_1_1_server_passes_every_1_1_check() {
    let server = server_speaking(ScimVersion::V11, &[], 3).await;
    let report = run_11(server.base_url()).await;
    assert!(failed(&report).is_empty(), "{:#?}", failed(&report));
    assert_eq!(report.summary.leftovers, 0);
    server.stop().await;
}

#[tokio::test]
async fn the_version_is_detected_with_its_evidence() {
    for (version, expected) in [(ScimVersion::V2, "2.0"), (ScimVersion::V11, "1.1")] {
        let server = server_speaking(version, &[], 1).await;
        let choice = detect(&client(server.base_url())).await.unwrap();
        assert_eq!(choice.version.as_str(), expected);
        assert_eq!(choice.how, "detected");
        assert!(
            choice
                .evidence
                .last()
                .unwrap()
                .contains(&format!("so SCIM {expected}")),
            "{:?}",
            choice.evidence
        );
        assert!(!choice.exchanges.is_empty());
        server.stop().await;
    }
}

#[tokio::test]
async fn an_app_without_discovery_is_told_by_its_user_list() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "schemas": ["urn:scim:schemas:core:1.0"], "totalResults": 0, "Resources": []
        })))
        .mount(&mock)
        .await;
    let choice = detect(&client(&mock.uri())).await.unwrap();
    assert_eq!(choice.version, harness::report::ScimVersion::V11);
    assert_eq!(choice.evidence.len(), 3, "{:?}", choice.evidence);
    assert!(
        choice.evidence[0].starts_with("GET /ServiceProviderConfig → 404"),
        "{:?}",
        choice.evidence
    );
}

#[tokio::test]
async fn an_app_that_speaks_neither_version_gets_what_was_tried() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>hello</html>", "text/html"))
        .mount(&mock)
        .await;
    let e = detect(&client(&mock.uri())).await.unwrap_err().to_string();
    assert!(e.contains("neither SCIM 2.0 nor SCIM 1.1"), "{e}");
    assert!(
        e.contains("GET /ServiceProviderConfigs → 200 (not JSON: <html>hello</html>)"),
        "{e}"
    );
    assert!(e.contains("GET /Users → 200"), "{e}");
}
