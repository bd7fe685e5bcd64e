//! The okta-scim2-spec suite against the reference server: all twelve steps pass on the clean
//! server, and each fault makes exactly the steps meant to catch it fail, with a precise reason.

use std::sync::Arc;

use harness::report::{CleanupAction, Outcome};
use harness::run::events::Events;
use refserver::Fault;

use crate::support::*;

#[tokio::test]
async fn clean_server_passes_all_twelve_steps_and_cleans_up() {
    let server = server(&[], 3).await;
    let report = run_suite(server.base_url(), "okta-scim2-spec").await;
    let suite = &report.suites[0];
    assert_eq!(suite.checks.len(), 12);
    assert_eq!(ids_with(&report, "pass").len(), 12, "{:#?}", suite.checks);
    assert_eq!(report.summary.required_failed, 0);
    // 12 steps, the DELETE of the created user, and the GET that proves it is gone.
    assert_eq!(report.summary.requests, 14);
    assert_eq!(suite.cleanup.len(), 1);
    assert_eq!(suite.cleanup[0].action, CleanupAction::Deleted);
    assert!(marked_users(server.base_url()).await.is_empty());
    server.stop().await;
}

/// The steps no semantic fault isolates, each proven by breaking its own request
/// (`error-every=N` answers the Nth request with a 500, i.e. step N of this suite alone; step 2
/// is proven by a wiremock user without a name, in `transport.rs`). Every semantic fault is in
/// the one fault table, `fault_table.rs`. Run one request at a time: with checks at once, the
/// Nth request is another step.
const FAULT_TABLE: &[(&str, &[&str])] = &[
    ("error-every=6", &["create-user", "recreate-user-conflict"]),
    ("error-every=7", &["verify-user-created"]),
    ("error-every=9", &["username-case-sensitivity"]),
    ("error-every=10", &["verify-groups-endpoint"]),
];

#[tokio::test]
async fn each_fault_fails_the_steps_meant_to_catch_it() {
    for (fault, expected) in FAULT_TABLE {
        let fault: Fault = fault.parse().unwrap();
        let server = server(&[fault], 3).await;
        let report = run_suite_sequentially(server.base_url(), "okta-scim2-spec").await;
        let failed = ids_with(&report, "fail");
        assert_eq!(
            failed, *expected,
            "fault {fault}: {:#?}",
            report.suites[0].checks
        );
        // Whatever the run created is gone, or was deactivated because DELETE failed.
        let deactivated = report.suites[0]
            .cleanup
            .iter()
            .filter(|c| c.action == CleanupAction::Deactivated)
            .count();
        assert_eq!(report.summary.leftovers, 0, "fault {fault}");
        assert_eq!(
            marked_users(server.base_url()).await.len(),
            deactivated,
            "fault {fault} left users behind"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn failures_say_expected_actual_and_reference() {
    let cases: &[(Fault, &str, &str)] = &[
        (
            Fault::AuthNotEnforced,
            "status-401",
            "status: expected 401, got 200",
        ),
        (
            Fault::CountersAsStrings,
            "test-users-endpoint",
            "json itemsPerPage is_number: expected a JSON number, got string \"1\"",
        ),
        (
            Fault::FilterIgnored,
            "invalid-user-by-username",
            "json totalResults equals: expected \"0\", got number 3",
        ),
        (
            Fault::ErrorBodiesNotScim,
            "invalid-user-by-id",
            "json schemas has_value: expected an array holding \"urn:ietf:params:scim:api:messages:2.0:Error\", got absent",
        ),
    ];
    for (fault, check, expected) in cases {
        let server = server(&[*fault], 3).await;
        let report = run_suite(server.base_url(), "okta-scim2-spec").await;
        let text = outcome_of(&report, check).explanation();
        assert!(text.contains(expected), "{fault}: {text}");
        server.stop().await;
    }
    let server = server(&[Fault::AuthNotEnforced], 3).await;
    let report = run_suite(server.base_url(), "okta-scim2-spec").await;
    let check = report.suites[0]
        .checks
        .iter()
        .find(|c| c.id == "status-401")
        .unwrap();
    assert_eq!(check.reference, "Okta SCIM 2.0 SPEC Test, step 11");
    server.stop().await;
}

#[tokio::test]
async fn an_empty_app_fails_step_one_with_the_fix_and_skips_what_depends_on_it() {
    let server = server(&[], 0).await;
    let report = run_suite(server.base_url(), "okta-scim2-spec").await;
    let text = outcome_of(&report, "test-users-endpoint").explanation();
    assert!(
        text.contains("json Resources not_empty: expected a value that is not empty, got array []"),
        "{text}"
    );
    assert!(
        text.contains("hint: Okta's suite needs at least one user"),
        "{text}"
    );
    match outcome_of(&report, "get-user-by-id") {
        Outcome::Blocked { reason, waited_for } => {
            assert!(reason.contains("{{ISVUserid}}"), "{reason}");
            assert_eq!(waited_for, &["test-users-endpoint"]);
        }
        other => panic!("expected blocked, got {other:?}"),
    }
    // The rest of the suite still runs and passes.
    assert_eq!(ids_with(&report, "pass").len(), 10);
    server.stop().await;
}

#[tokio::test]
async fn a_refused_delete_falls_back_to_deactivation() {
    // delete-not-applied answers 204 without deleting: cleanup believes it; soft-delete too.
    // A server that refuses DELETE outright is modelled with error-every: the DELETE is the
    // 13th request.
    let server = server(&[Fault::ErrorEvery(13)], 3).await;
    let report = run_suite(server.base_url(), "okta-scim2-spec").await;
    let cleanup = &report.suites[0].cleanup;
    assert_eq!(
        cleanup[0].action,
        CleanupAction::Deactivated,
        "{cleanup:#?}"
    );
    assert!(
        cleanup[0].note.contains("DELETE answered 500"),
        "{}",
        cleanup[0].note
    );
    server.stop().await;
}

/// Fires the interrupt when a given check has finished.
struct InterruptAfter {
    check: &'static str,
    notify: Arc<tokio::sync::Notify>,
}

impl Events for InterruptAfter {
    fn check_finished(
        &mut self,
        _suite: &harness::suite::Suite,
        result: &harness::report::CheckResult,
    ) {
        if result.id == self.check {
            self.notify.notify_one();
        }
    }
}

#[tokio::test]
async fn an_interrupted_run_still_removes_what_it_created() {
    let server = server(&[Fault::Latency(20)], 3).await;
    let notify = Arc::new(tokio::sync::Notify::new());
    let mut events = InterruptAfter {
        check: "create-user",
        notify: notify.clone(),
    };
    let report = run_with(
        server.base_url(),
        "okta-scim2-spec",
        &mut events,
        async move {
            notify.notified().await;
            harness::report::StopSignal::Interrupt
        },
    )
    .await;
    assert!(report.interrupted);
    let ran = report.suites[0].checks.len();
    assert!(
        (6..12).contains(&ran),
        "stopped after create-user, ran {ran}"
    );
    assert_eq!(report.suites[0].cleanup.len(), 1);
    assert_eq!(report.suites[0].cleanup[0].action, CleanupAction::Deleted);
    assert!(marked_users(server.base_url()).await.is_empty());
    assert_eq!(harness::report::ExitStatus::of(&report).code(), 130);
    server.stop().await;
}
