//! Runscope exports run as they are: our own small exports (in fixtures/) against the
//! reference server and against wiremock playing both Okta's API and the SCIM app, and
//! Okta's real exports (from ../shared, which CI has) with the same verdicts as the native
//! suites, clean and under faults.

use std::path::{Path, PathBuf};

use harness::http::{Client, Credential, Target};
use harness::report::Outcome;
use harness::report::RunReport;
use harness::run::events::NoEvents;
use harness::run::{RunOptions, run};
use refserver::{Fault, ScimVersion};
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::{client, server_speaking, suite};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/runscope")
            .join(name),
    )
    .unwrap()
}

async fn run_export(client: &Client, text: &str, inputs: Vec<(String, String)>) -> RunReport {
    let converted = harness::suite::runscope::convert("export.json", text).unwrap();
    let options = RunOptions {
        inputs,
        ..crate::support::options_for(client)
    };
    run(
        client,
        &[converted.suite],
        &options,
        &mut NoEvents,
        std::future::pending(),
    )
    .await
}

fn statuses(report: &RunReport) -> Vec<(String, String)> {
    report.suites[0]
        .checks
        .iter()
        .map(|c| (c.title.clone(), c.outcome.label().to_string()))
        .collect()
}

#[tokio::test]
async fn our_small_export_runs_against_the_reference_server_and_cleans_up() {
    let server = server_speaking(ScimVersion::V2, &[], 2).await;
    let report = run_export(
        &client(server.base_url()),
        &fixture("tiny-spec.json"),
        vec![],
    )
    .await;
    let s = &report.suites[0];
    // Regression: a step whose JavaScript could not run was shown as PASS.
    let script_step = s.checks.iter().find(|c| c.title == "Read it back").unwrap();
    match &script_step.outcome {
        Outcome::Partial { not_evaluated } => assert!(
            not_evaluated[0].starts_with("a JavaScript script"),
            "{not_evaluated:?}"
        ),
        other => panic!("expected partly evaluated, got {other:?}"),
    }
    assert!(
        s.checks
            .iter()
            .filter(|c| c.title != "Read it back")
            .all(|c| c.outcome.label() == "pass"),
        "{:#?}",
        s.checks
    );
    assert_eq!(report.summary.partial, 1);
    assert_eq!(s.cleanup.len(), 1, "the user the export created is removed");
    assert_eq!(s.cleanup[0].action, harness::report::CleanupAction::Deleted);
    server.stop().await;
}

/// Plays Okta's org: users API and lifecycle; records nothing but answers like Okta.
async fn okta_org() -> MockServer {
    let org = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .and(header("authorization", "SSWS okta-api-token-123456"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "00u1abcd", "status": "ACTIVE"})),
        )
        .expect(1)
        .mount(&org)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users/00u1abcd/lifecycle/deactivate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&org)
        .await;
    org
}

/// Plays the SCIM app as Okta would have provisioned it: the user looked up by userName.
async fn scim_app() -> MockServer {
    let app = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(|req: &Request| {
            let filter = req.url.query_pairs().find(|(k, _)| k == "filter").map(|(_, v)| v.into_owned()).unwrap_or_default();
            let user_name = filter.split('"').nth(1).unwrap_or_default().to_string();
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1,
                "Resources": [{"id": "scim-1", "userName": user_name, "active": true}]
            }))
        })
        .mount(&app)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/Users/scim-1$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "scim-1", "active": false})),
        )
        .mount(&app)
        .await;
    app
}

#[tokio::test]
async fn a_crud_export_drives_okta_s_api_and_checks_the_app_without_leaking_the_token() {
    let (org, app) = (okta_org().await, scim_app().await);
    let mut target = Target::new(
        &app.uri(),
        Credential::Header("Bearer scim-secret-654321".to_string().into()),
    )
    .unwrap();
    target.extra_secrets = vec!["okta-api-token-123456".to_string().into()];
    let client = Client::new(target).unwrap();
    let inputs = vec![
        ("oktaOrgUrl".to_string(), org.uri()),
        ("oktaToken".to_string(), "okta-api-token-123456".to_string()),
    ];
    let report = run_export(&client, &fixture("tiny-crud.json"), inputs).await;
    assert_eq!(
        statuses(&report)
            .iter()
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>(),
        ["pass", "pass", "pass", "pass"],
        "{:#?}",
        report.suites[0].checks
    );
    // The pause of 20 s was not waited (no --honor-pauses), and is on the next check.
    assert!(report.duration_ms < 5_000);
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        !json.contains("okta-api-token-123456") && !json.contains("scim-secret-654321"),
        "a secret leaked"
    );
    assert!(json.contains("SSWS [REDACTED]"));
    org.verify().await;
}

/// Okta's exports, from ../shared (CI puts it beside the clone).
fn shared_export(name: &str) -> String {
    let dir = std::env::var_os("SCIMCHECK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let file = dir.join("okta-runscope").join(name);
    std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (set SCIMCHECK_SHARED to the shared folder)",
            file.display()
        )
    })
}

/// The verdicts of the export and of the native suite, each against its own fresh server
/// (faults such as error-every=N count the server's requests).
async fn verdicts(
    version: ScimVersion,
    faults: &[Fault],
    export: &str,
    native: &str,
) -> (Vec<(String, String)>, Vec<(String, String)>) {
    let server = server_speaking(version, faults, 3).await;
    let from_export = statuses(&run_export(&client(server.base_url()), export, vec![]).await);
    server.stop().await;
    let server = server_speaking(version, faults, 3).await;
    let from_native = statuses(
        &run(
            &client(server.base_url()),
            &[suite(native)],
            &RunOptions::default(),
            &mut NoEvents,
            std::future::pending(),
        )
        .await,
    );
    server.stop().await;
    (from_export, from_native)
}

#[tokio::test]
#[ignore = "needs Okta's exports in ../shared: .ci/run runs it with --ignored"]
async fn okta_s_spec_exports_give_the_native_suites_verdicts() {
    let cases: &[(ScimVersion, &str, &str, &[&str])] = &[
        (
            ScimVersion::V2,
            "Okta-SCIM-20-SPEC-Test.json",
            "okta-scim2-spec",
            &[
                "",
                "counters-as-strings",
                "filter-ignored",
                "error-bodies-not-scim",
                "duplicates-allowed",
                "auth-not-enforced",
                "error-every=9",
            ],
        ),
        (
            ScimVersion::V11,
            "Okta-SCIM-11-SPEC-Test.json",
            "okta-scim11-spec",
            &[
                "",
                "counters-as-strings",
                "filter-ignored",
                "error-bodies-not-scim",
                "duplicates-allowed",
                "malformed-filter-200",
            ],
        ),
    ];
    for (version, file, native, faults) in cases {
        let export = shared_export(file);
        // Every export converts into a suite file that reads back.
        let converted = harness::suite::runscope::convert(file, &export).unwrap();
        harness::suite::load::parse_suite(file, &harness::suite::runscope::to_toml(&converted))
            .unwrap();
        for fault in *faults {
            let faults: Vec<Fault> = if fault.is_empty() {
                vec![]
            } else {
                vec![fault.parse().unwrap()]
            };
            let (mut from_export, from_native) = verdicts(*version, &faults, &export, native).await;
            // A step whose script could not run is partly evaluated in the export; the native
            // suite evaluates what the script checks, so there it is a plain verdict.
            let partial = from_export.iter().filter(|(_, s)| s == "partial").count();
            assert!(partial <= 1, "{file}: {from_export:?}");
            for (_, s) in &mut from_export {
                if s == "partial" {
                    *s = "pass".into();
                }
            }
            assert_eq!(from_export, from_native, "{file} with fault {fault:?}");
            if fault.is_empty() {
                assert!(
                    from_export.iter().all(|(_, s)| s == "pass"),
                    "{file}: {from_export:?}"
                );
            } else {
                assert!(
                    from_export.iter().any(|(_, s)| s == "fail"),
                    "{file}: fault {fault} caught by no step"
                );
            }
        }
    }
    for file in [
        "Okta-SCIM-20-CRUD-Test.json",
        "Okta-SCIM-11-CRUD-Test.json",
        "Okta-SCIM-20-Entitlements-Test.json",
        "Okta-SCIM-20-With-Entitlements-CRUD-Test.json",
    ] {
        let converted = harness::suite::runscope::convert(file, &shared_export(file)).unwrap();
        harness::suite::load::parse_suite(file, &harness::suite::runscope::to_toml(&converted))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

#[tokio::test]
#[ignore = "needs Okta's exports in ../shared: .ci/run runs it with --ignored"]
async fn okta_s_entitlements_export_gives_the_native_step_s_verdict_for_each_endpoint() {
    // Okta's export is run once per endpoint (its variable EntitlementEndpoint); the native
    // suite repeats the step for every endpoint the app declares. Same verdicts, clean and with
    // the fault the step catches.
    let export = shared_export("Okta-SCIM-20-Entitlements-Test.json");
    for fault in ["", "entitlement-paging-ignored"] {
        let faults: Vec<Fault> = if fault.is_empty() {
            vec![]
        } else {
            vec![fault.parse().unwrap()]
        };
        let server = server_speaking(ScimVersion::V2, &faults, 3).await;
        let native = run(
            &client(server.base_url()),
            &[suite("okta-entitlements")],
            &RunOptions::default(),
            &mut NoEvents,
            std::future::pending(),
        )
        .await;
        for (endpoint, id) in [
            ("/Roles", "okta-step-role"),
            ("/Entitlements", "okta-step-entitlement"),
            ("/Licenses", "okta-step-license"),
        ] {
            let inputs = vec![("EntitlementEndpoint".to_string(), endpoint.to_string())];
            let from_export =
                statuses(&run_export(&client(server.base_url()), &export, inputs).await);
            let from_native = native.suites[0]
                .checks
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.outcome.label().to_string());
            assert_eq!(from_export.len(), 1, "{from_export:?}");
            assert_eq!(
                Some(from_export[0].1.clone()),
                from_native,
                "{endpoint} with fault {fault:?}"
            );
            let want = if fault.is_empty() { "pass" } else { "fail" };
            assert_eq!(from_export[0].1, want, "{endpoint} with fault {fault:?}");
        }
        server.stop().await;
    }
}

#[tokio::test]
#[ignore = "needs Okta's exports in ../shared: .ci/run runs it with --ignored"]
async fn okta_s_with_entitlements_crud_export_runs_end_to_end_with_its_governance_grant() {
    // An org that provisions into the reference server for real: Okta's export drives it, the
    // app receives the user, its update, deactivation and reactivation, and the governance
    // grant step reaches the org with the user and the app. The steps the native CRUD suite
    // also checks read the same app.
    let server = crate::support::server(&[], 3).await;
    let org = crate::okta_org::start(
        server.base_url(),
        crate::support::TOKEN,
        "okta-api-token-778899",
    )
    .await;
    let mut target = Target::new(
        server.base_url(),
        Credential::Bearer(crate::support::TOKEN.to_string().into()),
    )
    .unwrap();
    target.extra_secrets = vec!["okta-api-token-778899".to_string().into()];
    let client = Client::paced(target, crate::support::one_at_a_time()).unwrap();
    let inputs = vec![
        ("oktaOrgUrl".to_string(), org.url.clone()),
        ("oktaAppId".to_string(), "0oascimcheck1".to_string()),
        ("oktaToken".to_string(), "okta-api-token-778899".to_string()),
    ];
    let export = shared_export("Okta-SCIM-20-With-Entitlements-CRUD-Test.json");
    let report = run_export(&client, &export, inputs).await;
    let got = statuses(&report);
    // Every step passes; the one with an empty variable row is partly evaluated, as converted.
    assert!(
        got.iter().all(|(_, s)| s == "pass" || s == "partial"),
        "{got:?}\n{:#?}",
        report.suites[0].checks
    );
    assert_eq!(got.len(), 14, "{got:?}");
    let grants = org.grants();
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0]["grantType"], "CUSTOM");
    assert_eq!(grants[0]["targetPrincipal"]["externalId"], "00uscimcheck1");
    assert_eq!(grants[0]["targetPrincipal"]["type"], "OKTA_USER");
    assert_eq!(grants[0]["target"]["externalId"], "0oascimcheck1");
    assert_eq!(grants[0]["target"]["type"], "APPLICATION");
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        !json.contains("okta-api-token-778899"),
        "the Okta token leaked"
    );

    // The same export against an app that does not apply PATCH: the deactivation is not seen.
    let broken = crate::support::server(&[Fault::PatchNotApplied], 3).await;
    let org = crate::okta_org::start(
        broken.base_url(),
        crate::support::TOKEN,
        "okta-api-token-778899",
    )
    .await;
    let inputs = vec![
        ("oktaOrgUrl".to_string(), org.url.clone()),
        ("oktaAppId".to_string(), "0oascimcheck1".to_string()),
        ("oktaToken".to_string(), "okta-api-token-778899".to_string()),
    ];
    let target = Target::new(
        broken.base_url(),
        Credential::Bearer(crate::support::TOKEN.to_string().into()),
    )
    .unwrap();
    let client = Client::paced(target, crate::support::one_at_a_time()).unwrap();
    let report = run_export(&client, &export, inputs).await;
    assert!(
        statuses(&report).iter().any(|(_, s)| s == "fail"),
        "{:?}",
        statuses(&report)
    );
    // Where they overlap (the user lifecycle in the app), the native CRUD suite agrees: it
    // passes on the clean app and fails on the broken one.
    for (base_url, fails) in [(server.base_url(), false), (broken.base_url(), true)] {
        let native = run(
            &crate::support::client(base_url),
            &[suite("okta-scim2-crud")],
            &RunOptions::default(),
            &mut NoEvents,
            std::future::pending(),
        )
        .await;
        assert_eq!(native.summary.failed > 0, fails, "{base_url}");
    }
    server.stop().await;
    broken.stop().await;
}
