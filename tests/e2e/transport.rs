//! Servers that misbehave at the HTTP level, played by wiremock: non-JSON bodies, hangs, huge
//! bodies, echoed secrets, and a broken single-user read that only a mock isolates.

use std::time::Duration;

use harness::http::{Client, Credential, Target};
use harness::report::Outcome;
use harness::run::events::NoEvents;
use harness::run::{RunOptions, run};
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{outcome_of, suite};

async fn run_against(
    server: &MockServer,
    configure: impl FnOnce(&mut Target),
) -> harness::report::RunReport {
    let mut target = Target::new(
        &server.uri(),
        Credential::Bearer("mock-token".to_string().into()),
    )
    .unwrap();
    configure(&mut target);
    run(
        &Client::new(target).unwrap(),
        &[suite("okta-scim2-spec")],
        &RunOptions::default(),
        &mut NoEvents,
        std::future::pending(),
    )
    .await
}

/// The interop profile §6.2: every client request carries a User-Agent naming the client
/// (scimcheck's own, or the one Okta's steps send, "OKTA SCIM Integration").
#[tokio::test]
async fn every_request_names_the_client_in_its_user_agent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    run_against(&server, |_| {}).await;
    let requests = server.received_requests().await.unwrap();
    assert!(!requests.is_empty());
    // Okta's steps send their own ("OKTA SCIM Integration"); the others are scimcheck's.
    let mut ours = 0;
    for r in requests {
        let agent = r
            .headers
            .get("user-agent")
            .map(|v| v.to_str().unwrap_or_default());
        assert!(agent.is_some_and(|a| !a.is_empty()), "{}", r.url);
        ours += usize::from(agent == Some(harness::http::network::USER_AGENT));
    }
    assert!(ours > 0);
}

#[tokio::test]
async fn a_non_json_answer_fails_with_a_readable_reason() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>login</html>", "text/html"))
        .mount(&server)
        .await;
    let report = run_against(&server, |_| {}).await;
    let text = outcome_of(&report, "test-users-endpoint").explanation();
    assert!(
        text.contains(
            "a body that is not JSON (status 200, Content-Type text/html): <html>login</html>"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_hanging_server_trips_the_breaker_and_the_run_stops_with_a_reason() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let report = run_against(&server, |t| t.request_timeout = Duration::from_millis(200)).await;
    match outcome_of(&report, "test-users-endpoint") {
        Outcome::Error { reason } => assert!(reason.contains("timeout"), "{reason}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    // Three timeouts in a row: the app is gone, the run stops instead of waiting on each
    // remaining request, and says why.
    let sent = report.suites[0]
        .checks
        .iter()
        .filter(|c| !c.exchanges.is_empty())
        .count();
    assert_eq!(sent, harness::http::BREAKER_FAILURES);
    let abort = report
        .aborted
        .as_ref()
        .expect("the run says why it stopped");
    assert_eq!(abort.cause, harness::report::AbortCause::Unresponsive);
    assert!(
        abort.message.contains("stopped answering"),
        "{}",
        abort.message
    );
    assert_eq!(harness::report::ExitStatus::of(&report).code(), 2);
}

#[tokio::test]
async fn a_run_ends_at_its_deadline_and_says_so() {
    let server = MockServer::start().await;
    // Each answer is within the request timeout; together they would outlast the run.
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    let client = harness::http::Client::new(
        harness::http::Target::new(
            &server.uri(),
            harness::http::Credential::Bearer("t".to_string().into()),
        )
        .unwrap(),
    )
    .unwrap();
    let options = harness::run::RunOptions {
        max_duration: Duration::from_millis(700),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let report = harness::run::run(
        &client,
        &[crate::support::suite("okta-scim2-spec")],
        &options,
        &mut harness::run::events::NoEvents,
        std::future::pending(),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(10));
    let abort = report.aborted.as_ref().expect("the deadline is a reason");
    assert_eq!(abort.cause, harness::report::AbortCause::Deadline);
}

#[tokio::test]
async fn a_flood_is_cut_at_the_size_cap() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![b'x'; 300_000], "application/scim+json"),
        )
        .mount(&server)
        .await;
    let report = run_against(&server, |t| t.max_body_bytes = 100_000).await;
    match outcome_of(&report, "test-users-endpoint") {
        Outcome::Error { reason } => {
            assert!(reason.contains("size cap of 100000 bytes"), "{reason}")
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_user_read_without_name_fails_step_two() {
    let server = MockServer::start().await;
    let user = json!({"id": "u1", "userName": "a@x", "active": true, "emails": [{"value": "a@x"}]});
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
            "Resources": [{"id": "u1", "userName": "a@x", "active": true,
                           "name": {"givenName": "A", "familyName": "B"}, "emails": [{"value": "a@x"}]}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/Users/u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user))
        .mount(&server)
        .await;
    let report = run_against(&server, |_| {}).await;
    assert_eq!(outcome_of(&report, "test-users-endpoint"), &Outcome::Pass);
    let text = outcome_of(&report, "get-user-by-id").explanation();
    assert!(
        text.contains(
            "json name.familyName not_empty: expected a value that is not empty, got absent"
        ),
        "{text}"
    );
    assert!(text.contains("json name.givenName not_empty"), "{text}");
}

#[tokio::test]
async fn a_secret_echoed_by_the_server_is_redacted_from_the_evidence() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string("bad token Bearer mock-token")
                .insert_header("x-echo", "mock-token"),
        )
        .mount(&server)
        .await;
    let report = run_against(&server, |_| {}).await;
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        !json.contains("mock-token"),
        "the token leaked into the report"
    );
    assert!(json.contains("[REDACTED]"));
}

#[tokio::test]
async fn the_rate_cap_spaces_requests_across_the_run() {
    // 20 requests at 40 per second: the last leaves at least 19 intervals of 25 ms after the
    // first could; every request arrives, none is dropped.
    let server = crate::support::server(&[], 1).await;
    let target = harness::http::Target::new(
        server.base_url(),
        harness::http::Credential::Bearer(crate::support::TOKEN.to_string().into()),
    )
    .unwrap();
    let pace = harness::http::Pace {
        rate: Some(40.0),
        ..Default::default()
    };
    let client = harness::http::Client::paced(target, pace).unwrap();
    let started = std::time::Instant::now();
    let mut arrivals = Vec::new();
    for _ in 0..20 {
        let sent = client
            .send(harness::http::Outgoing::to(
                harness::http::Method::Get,
                "/ServiceProviderConfig",
                harness::http::Auth::Run,
            ))
            .await;
        assert_eq!(sent.response.unwrap().status, 200);
        arrivals.push(started.elapsed());
    }
    // The 20th request left no earlier than 19 intervals after the first could: measured from
    // before the first, which no load on this machine can shorten.
    let span = arrivals[19];
    assert!(
        span >= std::time::Duration::from_millis(19 * 25),
        "{span:?}"
    );
    server.stop().await;
}

/// A client of the mock with a bearer token.
fn mock_client(mock: &wiremock::MockServer) -> harness::http::Client {
    let credential = harness::http::Credential::Bearer("t0ken-value".to_string().into());
    harness::http::Client::new(harness::http::Target::new(&mock.uri(), credential).unwrap())
        .unwrap()
}

/// RFC 6585 §4: a 429 refused the request before doing it, so a write is sent again after
/// Retry-After too; a write answered 503 is not (it may have been done).
#[tokio::test]
async fn a_write_refused_with_429_is_sent_again_and_one_answered_503_is_not() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "u1"})))
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/Groups"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
        .mount(&mock)
        .await;
    let client = mock_client(&mock);
    let post = |p: &'static str| harness::http::Outgoing {
        body: Some("{}".into()),
        ..harness::http::Outgoing::to(harness::http::Method::Post, p, harness::http::Auth::Run)
    };
    let created = client.send(post("/Users")).await;
    assert_eq!(created.exchanges.len(), 2);
    assert_eq!(created.response.unwrap().status, 201);
    let unavailable = client.send(post("/Groups")).await;
    assert_eq!(unavailable.exchanges.len(), 1);
    assert_eq!(unavailable.response.unwrap().status, 503);
}

#[tokio::test]
async fn retry_after_holds_every_request_of_the_run() {
    // One request is answered 429 with Retry-After: 1; a request sent meanwhile (as a page
    // fetched at the same time would be) waits out the same second instead of adding load.
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"totalResults": 0})),
        )
        .mount(&mock)
        .await;
    let client = mock_client(&mock);
    let get = |p: &'static str| {
        harness::http::Outgoing::to(harness::http::Method::Get, p, harness::http::Auth::Run)
    };
    let started = std::time::Instant::now();
    let (first, second) = tokio::join!(client.send(get("/Users")), async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let sent = client.send(get("/Groups")).await;
        (sent, started.elapsed())
    });
    assert_eq!(
        first.response.unwrap().status,
        200,
        "retried after the wait"
    );
    assert_eq!(second.0.response.unwrap().status, 200);
    assert!(
        second.1 >= std::time::Duration::from_millis(950),
        "{:?}",
        second.1
    );
}
