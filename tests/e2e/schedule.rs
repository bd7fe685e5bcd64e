//! The scheduler: checks run at once within `--concurrency`, measured by the reference server
//! (the most requests it served at once); the rate cap holds across them; the output reads as
//! a sequential run's; a refused credential still stops the run after one request.

use std::time::{Duration, Instant};

use harness::http::{Client, Credential, Target};
use harness::report::{AbortCause, CheckResult, RunReport};
use harness::run::events::{Events, NoEvents};
use harness::run::run;
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
    let target = Target::new(base_url, Credential::Bearer(token.to_string().into())).unwrap();
    Client::paced(target, harness::http::Pace { concurrency, rate }).unwrap()
}

async fn run_all(client: &Client, ids: &[&str], events: &mut dyn Events) -> RunReport {
    let suites: Vec<Suite> = ids.iter().map(|id| suite(id)).collect();
    run(
        client,
        &suites,
        &crate::support::options_for(client),
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

/// A forwarder in front of the reference server that records each request line as it arrives,
/// and again (`answered …`) when the server's answer is back.
async fn recording_front(
    upstream: &str,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let origin = upstream.split("/scim/").next().unwrap().to_string();
    let http = reqwest::Client::new();
    let seen = log.clone();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (seen, http, origin) = (seen.clone(), http.clone(), origin.clone());
            async move {
                let line = format!("{method} {uri}");
                seen.lock().unwrap().push(line.clone());
                let mut request = http.request(method, format!("{origin}{uri}")).body(body);
                for (name, value) in headers.iter().filter(|(n, _)| *n != "host") {
                    request = request.header(name, value);
                }
                let response = request.send().await.unwrap();
                let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
                let mut out = HeaderMap::new();
                for (name, value) in response.headers() {
                    out.insert(name, value.clone());
                }
                let body = response.bytes().await.unwrap();
                seen.lock().unwrap().push(format!("answered {line}"));
                (status, out, body)
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let path = upstream.split_once("/scim/").unwrap().1;
    (format!("http://127.0.0.1:{port}/scim/{path}"), log)
}

#[tokio::test]
async fn reads_beyond_a_suite_run_while_no_other_suite_does() {
    // rfc7644 pages over every user of the app: crud (listed first) starts only when those
    // checks have finished, and then runs beside rfc7644's other checks. crud's requests are
    // the ones naming its user, "<first>.<last>.scimcheck-…"; its first is its lookup.
    let server = server(&[Fault::Latency(10)], 5).await;
    let (front, log) = recording_front(server.base_url()).await;
    let client = client_of(&front, TOKEN, 4, None);
    let report = run_all(&client, &["okta-scim2-crud", "rfc7644"], &mut NoEvents).await;
    assert_eq!(report.summary.failed, 0);
    let order: Vec<&str> = report.suites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        order,
        ["okta-scim2-crud", "rfc7644"],
        "the report keeps the run's order"
    );
    let log = log.lock().unwrap().clone();
    let paging = [
        "startIndex=1&count=3",
        "startIndex=2&count=1",
        "startIndex=1000000",
        "startIndex=0",
    ];
    let last_page = log
        .iter()
        .rposition(|line| paging.iter().any(|p| line.contains(p)))
        .expect("rfc7644 pages");
    let first_crud = log
        .iter()
        .position(|line| line.contains(".scimcheck-"))
        .expect("crud looks its user up");
    assert!(
        last_page < first_crud,
        "crud's first request (#{first_crud}) came before rfc7644's last page (#{last_page}):\n{}",
        log.join("\n")
    );
    // rfc7644's last check looks up its deleted user "scimcheck-…-s1-b@…" (its suite marker):
    // crud started long before it, not after rfc7644 ended.
    let rfc_last = log
        .iter()
        .rposition(|line| line.contains("-s1-b"))
        .expect("rfc7644 looks up its deleted user");
    assert!(
        first_crud < rfc_last,
        "crud did not run beside rfc7644:\n{}",
        log.join("\n")
    );
    server.stop().await;
}

#[tokio::test]
async fn the_users_cleanup_waits_for_the_groups_deletes_not_their_confirmations() {
    // Groups hold users as members: a user's DELETE goes out only when every group's DELETE
    // is answered, and without waiting for the GETs that confirm those (a round trip fewer).
    // 50 ms a request, and room for every removal at once: a user's DELETE waits for
    // nothing but the groups' DELETEs.
    let server = server(&[Fault::Latency(50)], 3).await;
    let (front, log) = recording_front(server.base_url()).await;
    let client = client_of(&front, TOKEN, 32, None);
    let report = run_all(&client, &["rfc7644"], &mut NoEvents).await;
    assert_eq!(report.summary.failed, 0);
    let deleted_by_cleanup = |kind: &str| -> Vec<String> {
        report.suites[0]
            .cleanup
            .iter()
            .filter(|c| c.resource.starts_with(kind))
            .filter(|c| c.exchanges.iter().any(|x| x.request.method == "DELETE"))
            .map(|c| format!("/scim/v2{}", c.resource))
            .collect()
    };
    let (groups, users) = (
        deleted_by_cleanup("/Groups/"),
        deleted_by_cleanup("/Users/"),
    );
    assert!(
        !groups.is_empty() && !users.is_empty(),
        "{groups:?} {users:?}"
    );
    let log = log.lock().unwrap().clone();
    let last = |line: String| {
        log.iter()
            .rposition(|l| *l == line)
            .unwrap_or_else(|| panic!("no {line:?} in\n{}", log.join("\n")))
    };
    let first_user_delete = users
        .iter()
        .map(|u| last(format!("DELETE {u}")))
        .min()
        .unwrap();
    for g in &groups {
        assert!(
            last(format!("answered DELETE {g}")) < first_user_delete,
            "a user's DELETE went out before the DELETE of {g} was answered:\n{}",
            log.join("\n")
        );
    }
    assert!(
        groups
            .iter()
            .any(|g| first_user_delete < last(format!("answered GET {g}"))),
        "the users waited for the groups' confirming GETs:\n{}",
        log.join("\n")
    );
    server.stop().await;
}
