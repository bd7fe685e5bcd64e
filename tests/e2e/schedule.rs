//! The scheduler: checks run at once within `--concurrency`, measured by the reference server
//! (the most requests it served at once); the rate cap holds across them; the output reads as
//! a sequential run's; a refused credential still stops the run after one request.

use std::time::{Duration, Instant};

use harness::events::{Events, NoEvents};
use harness::http::{Client, Credential, Target};
use harness::report::{AbortCause, CheckResult, RunReport};
use harness::runner::{RunOptions, run};
use harness::suite::Suite;
use refserver::Fault;

use crate::support::{TOKEN, server, suite};

/// The 2.0 protocol suites, in the built-in order.
const SUITES: &[&str] = &[
    "okta-scim2-spec",
    "okta-scim2-crud",
    "okta-scim2-groups",
    "password-sync",
    "rfc7644",
];

fn client_of(base_url: &str, token: &str, concurrency: usize, rate: Option<f64>) -> Client {
    let mut target = Target::new(base_url, Credential::Bearer(token.to_string().into())).unwrap();
    target.concurrency = concurrency;
    target.rate = rate;
    Client::new(target).unwrap()
}

async fn run_all(client: &Client, ids: &[&str], events: &mut dyn Events) -> RunReport {
    let suites: Vec<Suite> = ids.iter().map(|id| suite(id)).collect();
    run(
        client,
        &suites,
        &RunOptions::default(),
        events,
        std::future::pending(),
    )
    .await
}

#[tokio::test]
async fn requests_in_flight_never_exceed_the_concurrency_and_do_overlap() {
    for (concurrency, at_least) in [(3, 2), (1, 1)] {
        // 30 ms per request: requests sent at once are served at once.
        let server = server(&[Fault::Latency(30)], 5).await;
        let client = client_of(server.base_url(), TOKEN, concurrency, None);
        let report = run_all(&client, SUITES, &mut NoEvents).await;
        assert_eq!(report.summary.failed, 0, "concurrency {concurrency}");
        assert_eq!(report.settings.concurrency, concurrency);
        let peak = server.peak_concurrent_requests() as usize;
        assert!(
            (at_least..=concurrency).contains(&peak),
            "concurrency {concurrency}: the server saw {peak} requests at once"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn the_rate_cap_holds_across_checks_run_at_once() {
    // crud and groups run beside each other; at 50 requests per second the run cannot be
    // shorter than (requests - 1) intervals of 20 ms, measured from before the first request.
    let server = server(&[], 3).await;
    let client = client_of(server.base_url(), TOKEN, 4, Some(50.0));
    let started = Instant::now();
    let report = run_all(
        &client,
        &["okta-scim2-crud", "okta-scim2-groups"],
        &mut NoEvents,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(report.summary.failed, 0);
    let requests = report.summary.requests as u32;
    assert!(requests > 30, "{requests}");
    assert!(
        took >= Duration::from_millis(20) * (requests - 1),
        "{requests} requests in {took:?}"
    );
    server.stop().await;
}

/// Records what the terminal would show, in order.
#[derive(Default)]
struct Told(Vec<String>);

impl Events for Told {
    fn suite_started(&mut self, suite: &Suite) {
        self.0.push(format!("start {}", suite.id));
    }
    fn check_finished(&mut self, suite: &Suite, result: &CheckResult) {
        self.0.push(format!("{}/{}", suite.id, result.id));
    }
    fn cleanup_finished(&mut self, result: &harness::report::CleanupResult) {
        self.0.push(format!(
            "cleanup {}",
            result.resource.split('/').nth(1).unwrap_or("")
        ));
    }
}

#[tokio::test]
async fn the_output_reads_as_a_sequential_run_s() {
    // crud and groups run at once (10 ms a request, so that they interleave); what is told is
    // each suite whole, in order: its start, its checks in the suite's order, its cleanup.
    let server = server(&[Fault::Latency(10)], 3).await;
    let client = client_of(server.base_url(), TOKEN, 4, None);
    let mut told = Told::default();
    let ids = ["okta-scim2-crud", "okta-scim2-groups"];
    let report = run_all(&client, &ids, &mut told).await;
    assert_eq!(report.summary.failed, 0);
    let mut expected = Vec::new();
    for (suite_report, id) in report.suites.iter().zip(ids) {
        expected.push(format!("start {id}"));
        let checks = suite(id).checks;
        assert_eq!(suite_report.checks.len(), checks.len());
        expected.extend(checks.iter().map(|c| format!("{id}/{}", c.id)));
        expected.extend(
            suite_report
                .cleanup
                .iter()
                .map(|c| format!("cleanup {}", c.resource.split('/').nth(1).unwrap_or(""))),
        );
    }
    assert_eq!(told.0, expected);
    server.stop().await;
}

#[tokio::test]
async fn a_refused_credential_stops_the_run_after_one_request() {
    // Nothing runs beside the first request that carries the credential until it is accepted.
    let server = server(&[], 3).await;
    let client = client_of(server.base_url(), "not-the-token", 8, None);
    let report = run_all(&client, SUITES, &mut NoEvents).await;
    let aborted = report.aborted.as_ref().expect("the run stops");
    assert_eq!(aborted.cause, AbortCause::CredentialRefused);
    assert_eq!(report.summary.requests, 1);
    server.stop().await;
}
