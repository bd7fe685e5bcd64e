//! Shared helpers: start a reference server, run suites against it in-process, inspect results.

use harness::http::{Client, Credential, Target};
use harness::report::{Outcome, RunReport};
use harness::run::events::{Events, NoEvents};
use harness::run::{RunOptions, run};
use harness::suite::Suite;
use refserver::{Auth, Fault, Faults, RunningServer, ScimVersion, ServerConfig};

pub const TOKEN: &str = "test-token-7f3a9c";

/// A SCIM 2.0 reference server on a free port, with a token, seeded users and groups, and faults.
pub async fn server(faults: &[Fault], seed_users: usize) -> RunningServer {
    server_speaking(ScimVersion::V2, faults, seed_users).await
}

/// A reference server of either SCIM version.
pub async fn server_speaking(
    version: ScimVersion,
    faults: &[Fault],
    seed_users: usize,
) -> RunningServer {
    server_with(version, faults, seed_users, false).await
}

/// A reference server that pages lists naming no method by cursor (RFC 9865 §2.3) and says
/// so in its ServiceProviderConfig.
pub async fn cursor_first_server(faults: &[Fault], seed_users: usize) -> RunningServer {
    server_with(ScimVersion::V2, faults, seed_users, true).await
}

async fn server_with(
    version: ScimVersion,
    faults: &[Fault],
    seed_users: usize,
    cursor_by_default: bool,
) -> RunningServer {
    refserver::start(ServerConfig {
        port: 0,
        auth: Auth {
            token: Some(TOKEN.into()),
            basic: None,
        },
        faults: Faults::new(faults.iter().copied()),
        seed_users,
        seed_groups: 2,
        patch_204: false,
        scim_version: version,
        oauth: None,
        // Entitlement management is served (2.0): the okta-entitlements suite runs.
        entitlements: Some(3),
        interop_profile: false,
        cursor_by_default,
        jwt_clients: Vec::new(),
        rate_limit: None,
    })
    .await
    .expect("reference server starts")
}

pub fn suite(id: &str) -> Suite {
    harness::suite::builtin::builtin_suites()
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no built-in suite {id}"))
}

pub fn client(base_url: &str) -> Client {
    Client::new(Target::new(base_url, Credential::Bearer(TOKEN.to_string().into())).unwrap())
        .unwrap()
}

/// A client that sends one request at a time (`--concurrency 1`): for faults that break the
/// Nth request, which only the sequential order pins to one step.
pub fn sequential_client(base_url: &str) -> Client {
    let target = Target::new(base_url, Credential::Bearer(TOKEN.to_string().into())).unwrap();
    Client::paced(target, one_at_a_time()).unwrap()
}

/// `--concurrency 1`.
pub fn one_at_a_time() -> harness::http::Pace {
    harness::http::Pace {
        concurrency: 1,
        rate: None,
    }
}

/// Options that plan for the pace the client keeps.
pub fn options_for(client: &Client) -> RunOptions {
    RunOptions {
        pace: client.pace(),
        ..RunOptions::default()
    }
}

/// One built-in suite, one request at a time.
pub async fn run_suite_sequentially(base_url: &str, id: &str) -> RunReport {
    let client = sequential_client(base_url);
    run(
        &client,
        &[suite(id)],
        &options_for(&client),
        &mut NoEvents,
        std::future::pending(),
    )
    .await
}

pub async fn run_suite(base_url: &str, id: &str) -> RunReport {
    run_with(base_url, id, &mut NoEvents, std::future::pending()).await
}

pub async fn run_with(
    base_url: &str,
    id: &str,
    events: &mut dyn Events,
    interrupt: impl std::future::Future<Output = harness::report::StopSignal>,
) -> RunReport {
    run(
        &client(base_url),
        &[suite(id)],
        &RunOptions::default(),
        events,
        interrupt,
    )
    .await
}

/// Ids of the checks with this outcome label ("fail", "skip", …).
pub fn ids_with(report: &RunReport, label: &str) -> Vec<String> {
    report.suites[0]
        .checks
        .iter()
        .filter(|c| c.outcome.label() == label)
        .map(|c| c.id.clone())
        .collect()
}

pub fn outcome_of<'a>(report: &'a RunReport, id: &str) -> &'a Outcome {
    &report.suites[0]
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
        .outcome
}

/// Users on the server whose userName carries a run marker: what a run left behind. Asked
/// up to three times, because `error-every=N` may hit this request too.
pub async fn marked_users(base_url: &str) -> Vec<String> {
    for _ in 0..3 {
        let resp = client(base_url)
            .send(harness::http::Outgoing {
                method: harness::http::Method::Get,
                path: "/Users".into(),
                query: vec![("count".into(), "1000".into())],
                headers: vec![],
                authorization: harness::http::Auth::Run,
                body: None,
            })
            .await
            .response;
        let Some(list) = resp
            .filter(|r| r.status == 200)
            .and_then(|r| r.json().cloned())
        else {
            continue;
        };
        return list["Resources"]
            .as_array()
            .expect("a ListResponse")
            .iter()
            .map(|u| u["userName"].as_str().unwrap_or_default().to_string())
            .filter(|name| name.contains("scimcheck-"))
            .collect();
    }
    panic!("the server did not list its users")
}

/// Faults under which the app keeps what it was asked to delete: cleanup says so.
const KEEPS_DELETED: &[&str] = &["delete-not-applied", "soft-delete"];

/// Leftovers are wrong unless the fault keeps deleted resources, and then every one of them is
/// reported as soft-deleted, never as deleted.
pub fn leftovers_wrong(name: &str, report: &harness::report::RunReport) -> Option<String> {
    let cleanup: Vec<_> = report.suites.iter().flat_map(|s| &s.cleanup).collect();
    let ok = if KEEPS_DELETED.contains(&name) {
        cleanup
            .iter()
            .all(|c| c.action == harness::report::CleanupAction::SoftDeleted)
    } else {
        report.summary.leftovers == 0
    };
    (!ok).then(|| format!("fault {name}: cleanup {cleanup:?}"))
}

/// A client of any base URL with a bearer token.
pub fn client_with_token(base_url: &str, token: &str) -> Client {
    Client::new(Target::new(base_url, Credential::Bearer(token.to_string().into())).unwrap())
        .unwrap()
}

/// Runs these suites with default options and no live output.
pub async fn run_suites(client: &Client, suites: Vec<Suite>) -> RunReport {
    run(
        client,
        &suites,
        &RunOptions::default(),
        &mut NoEvents,
        std::future::pending(),
    )
    .await
}

/// Waits (at most 15 s, in 100 ms steps) until something listens on this loopback port: a
/// helper process the test started (a proxy, an authorization server).
pub async fn wait_for_port(port: u16) {
    for _ in 0..150 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("nothing listens on 127.0.0.1:{port} after 15 s");
}

/// A free loopback port for a helper process to listen on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The results.json a run wrote into `dir`, as JSON.
pub fn results_json(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("results.json")).expect("results.json"))
        .expect("results.json is JSON")
}

/// `suite/check` ids with this outcome label, in report order.
pub fn with_label(report: &RunReport, label: &str) -> Vec<String> {
    report
        .suites
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.outcome.label() == label)
        .map(|(s, c)| format!("{}/{}", s.id, c.id))
        .collect()
}
