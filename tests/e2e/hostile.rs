//! Hostile servers: what an app chooses (ids, error text, counts, timing) must not steer the
//! harness outside the SCIM base path, rewrite the terminal, or hold the run without end.

use std::path::Path;

use harness::http::{Client, Credential, Target};
use harness::report::{CleanupAction, RunReport};
use harness::reporters::terminal::{Progress, Style, write_summary};
use harness::run::{RunOptions, run};
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::suite;

const BASE: &str = "/scim/v2";
const SPOOF: &str = "\u{1b}[2K\r\u{1b}[1APASSED: 12 passed\u{1b}]0;pwned\u{7}\u{202e}";

fn client(server: &MockServer) -> Client {
    Client::new(
        Target::new(
            &format!("{}{BASE}", server.uri()),
            Credential::Bearer("hostile-test-token".to_string().into()),
        )
        .unwrap(),
    )
    .unwrap()
}

/// Runs suites with the live terminal display and the summary captured as text.
async fn run_captured(client: &Client, ids: &[&str]) -> (RunReport, String) {
    let mut screen = Vec::new();
    let suites: Vec<_> = ids.iter().map(|id| suite(id)).collect();
    let report = run(
        client,
        &suites,
        &RunOptions::default(),
        &mut Progress::new(
            &mut screen,
            Style {
                color: false,
                verbose: 2,
            },
        ),
        std::future::pending(),
    )
    .await;
    write_summary(
        &report,
        Style {
            color: false,
            verbose: 2,
        },
        &mut screen,
    )
    .unwrap();
    (report, String::from_utf8(screen).unwrap())
}

/// An app that creates users with an id that climbs out of the base path, and answers every
/// other request 400 with escape sequences in its error detail.
async fn escaping_id_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/Users")))
        .respond_with(|req: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            ResponseTemplate::new(201).set_body_json(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": "../../../../outside/of/scim",
                "userName": body["userName"],
            }))
        })
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "400",
            "detail": SPOOF,
            "Resources": [],
            "totalResults": 0,
        })))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_server_chosen_id_never_leaves_the_scim_base_path() {
    let server = escaping_id_server().await;
    let (report, _) = run_captured(&client(&server), &["okta-scim2-crud"]).await;
    let requests = server.received_requests().await.unwrap();
    for r in &requests {
        assert!(
            r.url.path().starts_with(BASE),
            "{} {} left the base path",
            r.method,
            r.url
        );
    }
    // Ids that merely contain a slash are one segment, encoded.
    assert!(
        requests
            .iter()
            .all(|r| !r.url.path().contains("/outside/of/scim"))
    );
    let cleanup = &report.suites[0].cleanup;
    assert_eq!(cleanup.len(), 1, "{cleanup:?}");
    // The mock answers the encoded DELETE 400: reported, not hidden.
    assert_eq!(cleanup[0].action, CleanupAction::LeftBehind, "{cleanup:?}");
    assert!(
        cleanup[0].exchanges[0]
            .request
            .url
            .ends_with("/Users/..%2F..%2F..%2F..%2Foutside%2Fof%2Fscim"),
        "{}",
        cleanup[0].exchanges[0].request.url
    );
}

#[tokio::test]
async fn a_dot_segment_id_is_refused_and_reported_never_requested() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": "..", "userName": "x"})),
        )
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let (report, _) = run_captured(&client(&server), &["okta-scim2-crud"]).await;
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.url.path().starts_with(BASE)));
    let checks = &report.suites[0].checks;
    let verify = checks.iter().find(|c| c.id == "verify-created").unwrap();
    let text = verify.outcome.explanation();
    assert!(
        text.contains("as a path segment") && text.contains("the request was not sent"),
        "{text}"
    );
    assert!(verify.exchanges.is_empty());
    let cleanup = &report.suites[0].cleanup;
    assert_eq!(cleanup[0].action, CleanupAction::LeftBehind);
    assert!(cleanup[0].note.contains("not one path segment"));
    assert_eq!(report.summary.leftovers, 1);
}

#[tokio::test]
async fn server_text_cannot_rewrite_the_terminal() {
    let server = escaping_id_server().await;
    let (report, screen) =
        run_captured(&client(&server), &["okta-scim2-spec", "okta-scim2-crud"]).await;
    assert!(report.summary.failed > 0);
    assert!(
        screen.contains("\\u{1b}[2K"),
        "the detail is shown, escaped: {screen}"
    );
    for c in ['\u{1b}', '\r', '\u{7}', '\u{202e}'] {
        assert!(!screen.contains(c), "{c:?} reached the terminal");
    }
    let last = screen.lines().rev().find(|l| l.contains("passed")).unwrap();
    assert!(last.starts_with("FAILED"), "{last}");
}

/// A list that never ends: every page full of new users, totalResults as large as the server
/// likes (a number, u64::MAX, or a numeric string).
async fn endless_list(total: serde_json::Value, fresh_ids: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/Users")))
        .respond_with(move |req: &Request| {
            let query = |k: &str| {
                req.url
                    .query_pairs()
                    .find(|(n, _)| n == k)
                    .and_then(|(_, v)| v.parse::<u64>().ok())
            };
            let start = query("startIndex").unwrap_or(1);
            let count = query("count").unwrap_or(100);
            let users: Vec<_> = (0..count)
                .map(|i| {
                    let n = if fresh_ids { start + i } else { i };
                    json!({"id": format!("u{n}"), "userName": format!("u{n}@example.com"),
                       "name": {"givenName": "U", "familyName": "N"},
                       "emails": [{"value": format!("u{n}@example.com"), "primary": true}],
                       "active": true})
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": total, "startIndex": start, "itemsPerPage": count,
                "Resources": users,
            }))
        })
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    server
}

async fn walk_users(server: &MockServer, max: usize) -> RunReport {
    let mut spec = suite("profile-sourcing");
    spec.checks.retain(|c| c.id == "import-users");
    let options = RunOptions {
        max_import_resources: max,
        page_size: 50,
        ..RunOptions::default()
    };
    run(
        &client(server),
        &[spec],
        &options,
        &mut harness::run::events::NoEvents,
        std::future::pending(),
    )
    .await
}

#[tokio::test]
async fn an_endless_list_stops_at_the_limit_with_a_verdict() {
    for total in [
        json!(1_000_000_000_000u64),
        json!(u64::MAX),
        json!("1000000000000"),
    ] {
        let server = endless_list(total.clone(), true).await;
        let report = walk_users(&server, 2_000).await;
        let check = &report.suites[0].checks[0];
        let text = check.outcome.explanation();
        assert!(
            text.contains("walk walk-limit") && text.contains("2000 resources read"),
            "{total}: {text}"
        );
        assert_eq!(check.outcome.label(), "fail");
        // 40 pages of 50, the one sent ahead while the last was judged, and the
        // ServiceProviderConfig read that tells how the app pages.
        let pages = server.received_requests().await.unwrap().len();
        assert!(pages <= 42, "{total}: {pages} pages");
    }
}

#[tokio::test]
async fn repeated_pages_stop_the_walk() {
    let server = endless_list(json!(1_000_000_000_000u64), false).await;
    let report = walk_users(&server, 1_000_000).await;
    let text = report.suites[0].checks[0].outcome.explanation();
    assert!(text.contains("walk pages-repeat"), "{text}");
    // Two pages, and the one sent ahead while the second was judged if it left before the walk
    // stopped (and the ServiceProviderConfig read that tells how the app pages).
    let pages = server.received_requests().await.unwrap();
    let pages = pages.iter().filter(|r| r.url.path().ends_with("/Users"));
    assert!((2..=3).contains(&pages.count()));
}

/// Regression: idle and half-sent connections held every file descriptor of the reference
/// server, so legitimate requests timed out.
#[tokio::test]
async fn idle_and_partial_connections_do_not_starve_the_reference_server() {
    use tokio::io::AsyncWriteExt;
    let server = crate::support::server(&[], 1).await;
    let addr = server
        .base_url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut hogs = Vec::new();
    for i in 0..refserver::MAX_CONNECTIONS + 20 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        hogs.push(s);
    }
    let started = std::time::Instant::now();
    let answer = tokio::time::timeout(
        refserver::HEADER_READ_TIMEOUT * 3,
        crate::support::client(server.base_url()).send(harness::http::Outgoing {
            method: harness::http::Method::Get,
            path: "/ServiceProviderConfig".into(),
            query: vec![],
            headers: vec![],
            authorization: harness::http::Auth::Run,
            body: None,
        }),
    )
    .await
    .expect("a legitimate request is served once idle connections time out");
    assert_eq!(
        answer.response.map(|r| r.status),
        Some(200),
        "{:?}",
        answer.exchanges.last().and_then(|e| e.error.clone())
    );
    assert!(started.elapsed() < refserver::HEADER_READ_TIMEOUT * 3);
    drop(hogs);
    server.stop().await;
}

/// Regression: nested or long filters overflowed the reference server's stack (the process
/// aborted), and a `.search` listing 60,000 attributes held the store lock for 17 s.
#[tokio::test]
async fn hostile_requests_get_a_400_and_the_reference_server_lives_on() {
    let server = crate::support::server(&[], 3).await;
    let client = crate::support::client(server.base_url());
    let auth = harness::http::Auth::Run;
    let get = |filter: String| harness::http::Outgoing {
        method: harness::http::Method::Get,
        path: "/Users".into(),
        query: vec![("filter".into(), filter)],
        headers: vec![],
        authorization: auth.clone(),
        body: None,
    };
    let hostile = [
        format!("{}userName pr{}", "(".repeat(1500), ")".repeat(1500)),
        format!("{}userName pr{}", "not(".repeat(5000), ")".repeat(5000)),
        vec!["userName pr"; 2_000].join(" or "),
    ];
    for filter in hostile {
        let sent = client.send(get(filter)).await;
        let Some(r) = sent.response else {
            panic!("no answer: {:?}", sent.exchanges.last().unwrap().error);
        };
        assert_eq!(r.status, 400);
        assert!(r.body.contains("invalidFilter"), "{}", r.body);
    }
    let search = |body: serde_json::Value| harness::http::Outgoing {
        method: harness::http::Method::Post,
        path: "/Users/.search".into(),
        query: vec![],
        headers: vec![("Content-Type".into(), "application/scim+json".into())],
        authorization: auth.clone(),
        body: Some(body.to_string()),
    };
    let flat_or = vec!["userName pr"; 20_000].join(" or ");
    let sent = client
        .send(search(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                             "filter": flat_or}),
        ))
        .await;
    assert_eq!(sent.response.map(|r| r.status), Some(400));
    let attributes = vec!["userName"; 60_000].join(",");
    let search = client
        .send(harness::http::Outgoing {
            method: harness::http::Method::Post,
            path: "/Users/.search".into(),
            query: vec![],
            headers: vec![("Content-Type".into(), "application/scim+json".into())],
            authorization: auth.clone(),
            body: Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                       "attributes": attributes.split(',').collect::<Vec<_>>()})
                .to_string(),
            ),
        })
        .await;
    assert_eq!(search.response.map(|r| r.status), Some(400));
    let ok = client.send(get(r#"userName pr"#.into())).await;
    assert_eq!(ok.response.map(|r| r.status), Some(200));
    server.stop().await;
}

/// Issue 25.5: a token endpoint may name any lifetime; 2^64 - 1 seconds panicked the run
/// ("overflow when adding duration to instant"). The token is used, its lifetime clamped.
#[tokio::test]
async fn a_token_lifetime_of_any_size_is_clamped_not_a_panic() {
    use harness::http::oauth::{ClientAuth, OAuth2};
    use harness::http::{Auth, Method, Outgoing};
    for lifetime in [json!(u64::MAX), json!(1e308), json!(-5), json!("3600")] {
        let mock = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "endless-token-0123456789", "token_type": "Bearer",
                "expires_in": lifetime,
            })))
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"totalResults": 0})))
            .mount(&mock)
            .await;
        let oauth = OAuth2::new(
            format!("{}/token", mock.uri()),
            "scimcheck".into(),
            "client-secret-for-lifetimes".to_string().into(),
            ClientAuth::Basic,
            None,
            None,
        );
        let client =
            Client::new(Target::new(&mock.uri(), Credential::OAuth2(oauth.into())).unwrap())
                .unwrap();
        client.prepare().await.unwrap();
        let sent = client
            .send(Outgoing::to(Method::Get, "/Users", Auth::Run))
            .await;
        assert_eq!(sent.response.unwrap().status, 200, "{lifetime}");
    }
}

/// Issue 25.6: a password in the base URL switched to Basic silently and was written in clear
/// in every report. It is refused, the URL shown without it, and the fix named.
#[tokio::test]
async fn a_password_in_the_base_url_is_refused_and_never_repeated() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "http://alice:pw-in-url-0451@127.0.0.1:9/scim/v2",
        "http://pw-in-url-0451@127.0.0.1:9/scim/v2",
    ] {
        let out = crate::cli::scimcheck(&["run", "--base-url", url], &[], dir.path()).await;
        let (stdout, stderr) = crate::cli::text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("--auth basic"), "{stderr}");
        assert!(stderr.contains("http://127.0.0.1:9/scim/v2"), "{stderr}");
        assert!(!stdout.contains("pw-in-url") && !stderr.contains("pw-in-url"));
        assert!(!dir.path().join("scimcheck-results").exists());
    }
}

/// The binary with the reference server's token, its output piped, started in `dir`.
fn spawn(args: &[&str], dir: &std::path::Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(args)
        .current_dir(dir)
        .env("SCIM_TOKEN", crate::support::TOKEN)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts `scimcheck run` of the CRUD suite against a slow app, and waits (bounded) until the
/// run has created a user there.
async fn run_until_a_user_exists(base_url: &str, out: &std::path::Path) -> std::process::Child {
    let out = out.to_str().unwrap();
    let run = ["run", "--base-url", base_url, "--suite", "okta-scim2-crud"];
    let mut child = spawn(
        &[&run[..], &["--concurrency", "1", "--out", out]].concat(),
        Path::new("."),
    );
    for _ in 0..200 {
        if !crate::support::marked_users(base_url).await.is_empty() {
            return child;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the run created no user within 10 s");
}

fn send_signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Issue 25.3: SIGTERM (CI timeouts, docker stop, Kubernetes) and SIGHUP stop a run as Ctrl-C
/// does: what it created is removed, the results are written, the status is 128 + the signal.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sighup_clean_up_and_write_the_results() {
    for (signal, code, name) in [("-TERM", 143, "SIGTERM"), ("-HUP", 129, "SIGHUP")] {
        let app = crate::support::server(&[refserver::Fault::Latency(60)], 2).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("results");
        let child = run_until_a_user_exists(app.base_url(), &out).await;
        send_signal(&child, signal);
        let done = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(code), "{name}: {stderr}");
        assert!(stderr.contains(&format!("{name}: stopping")), "{stderr}");
        let results: serde_json::Value = crate::support::results_json(&out);
        assert_eq!(results["interrupted"], true);
        assert_eq!(results["stopped_by"], name);
        assert!(out.join("junit.xml").exists() && out.join("report.html").exists());
        assert!(
            crate::support::marked_users(app.base_url())
                .await
                .is_empty(),
            "{name} left users behind"
        );
        app.stop().await;
    }
}

/// A second signal ends the run at once, even while a slow app holds its cleanup.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_signal_ends_at_once() {
    let app = crate::support::server(&[refserver::Fault::Latency(1500)], 2).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = run_until_a_user_exists(app.base_url(), &dir.path().join("r")).await;
    send_signal(&child, "-TERM");
    let stderr = child.stderr.take().unwrap();
    let (mut reader, stopping) = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut reader = std::io::BufReader::new(stderr);
        let mut line = String::new();
        for _ in 0..1000 {
            line.clear();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if line.contains("SIGTERM: stopping") {
                return (reader, true);
            }
        }
        (reader, false)
    })
    .await
    .unwrap();
    assert!(stopping, "the first signal was not acknowledged");
    send_signal(&child, "-INT");
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(rest.contains("SIGINT: ending at once"), "{rest}");
    app.stop().await;
}

/// What a hostile app writes into its error detail for a CI log and a job summary: workflow
/// commands on lines of their own and in the legacy form, and Markdown that would render.
const CI_SPOOF: &str = "denied\n::add-mask::scimcheck\n  ::stop-commands::tok\nsee ##[error]forged annotation\n[click](https://evil.example/x) ![img](https://evil.example/i.png) **bold** <b>html</b>";

/// Issues 25.4 and 25.8: under GitHub Actions, no server text becomes a workflow command on
/// stdout or stderr, and nothing of it renders as a link, image, emphasis or HTML in the job
/// summary.
#[tokio::test(flavor = "multi_thread")]
async fn server_text_is_never_a_workflow_command_nor_live_markdown() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "400",
            "detail": CI_SPOOF,
        })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let base = format!("{}{BASE}", server.uri());
    for format in ["human", "json"] {
        let out = crate::cli::scimcheck(
            &[
                "run",
                "--base-url",
                &base,
                "--scim-version",
                "2.0",
                "--suite",
                "rfc7644",
                "--format",
                format,
                "-v",
            ],
            &[
                ("SCIM_TOKEN", "hostile-ci-token"),
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ],
            dir.path(),
        )
        .await;
        let (stdout, stderr) = crate::cli::text(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stdout.contains("forged annotation") || stderr.contains("forged annotation"));
        for line in stdout.lines().chain(stderr.lines()) {
            let command = line.trim_start();
            assert!(!line.contains("##["), "{format}: a legacy command: {line}");
            if command.starts_with("::") {
                assert!(
                    command.starts_with("::error title=")
                        || command.starts_with("::warning title="),
                    "{format}: a command from server text: {line}"
                );
            }
        }
    }
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("evil.example"), "the detail is shown");
    for line in md
        .lines()
        .filter(|l| l.contains("evil.example") || l.contains("<b>"))
    {
        // Every piece of server text sits inside a code span (odd segments between backticks).
        for (i, part) in line.split('`').enumerate() {
            assert!(
                i % 2 == 1 || !(part.contains("evil.example") || part.contains("<b>")),
                "live Markdown: {line}"
            );
        }
    }
}

/// Runs the binary in `dir` and waits at most 20 s (a hang is a failure, and the process is
/// killed, not left behind); its exit code, and stderr then stdout.
fn bounded(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let mut child = spawn(args, dir);
    for _ in 0..400 {
        if let Some(status) = child.try_wait().unwrap() {
            // Small outputs (a summary, a message): the pipes held them while it ran.
            let mut said = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut said).unwrap();
            std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut said).unwrap();
            return (status.code(), said);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("scimcheck {args:?} hung");
}

/// Issue 25.10: every file a command reads is a regular file within the limit of its kind: a
/// FIFO hangs nothing, `/dev/zero` and a huge TOML are refused from their metadata, each
/// naming the option. Results never follow a symlink planted in the output folder.
#[tokio::test(flavor = "multi_thread")]
async fn local_files_are_read_within_limits_and_written_without_following_symlinks() {
    let app = crate::support::server(&[], 2).await;
    let base = app.base_url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let fifo = d.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo is needed for this test"
    );
    let big = d.join("big.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(54 << 20)
        .unwrap();
    let spec = ["run", "--base-url", &base, "--suite", "okta-scim2-spec"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [&spec[..], &["--config", "fifo"]].concat(),
            "not a regular file",
        ),
        (
            [&spec[..], &["--config", "big.toml"]].concat(),
            "the limit is",
        ),
        (
            [&spec[..], &["--config", "/dev/zero"]].concat(),
            "not a regular file",
        ),
        (
            vec!["run", "--base-url", &base, "--suite", "fifo"],
            "not a regular file",
        ),
        (
            vec!["run", "--base-url", &base, "--suite", "big.toml"],
            "the limit is",
        ),
        (
            vec!["run", "--base-url", &base, "--runscope", "fifo"],
            "not a regular file",
        ),
        (
            [&spec[..], &["--baseline", "fifo"]].concat(),
            "not a regular file",
        ),
        (
            [&spec[..], &["--cacert", "fifo"]].concat(),
            "not a regular file",
        ),
        (vec!["diff", "fifo", "/dev/zero"], "not a regular file"),
        (vec!["verify", "fifo"], "not a regular file"),
        (
            vec![
                "package",
                "--submission",
                "fifo",
                "--results",
                "r",
                "--draft",
                "--out",
                "b.tar.gz",
            ],
            "not a regular file",
        ),
    ];
    for (args, said) in cases {
        let (code, stderr) = tokio::task::spawn_blocking({
            let d = d.clone();
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            move || bounded(&args.iter().map(String::as_str).collect::<Vec<_>>(), &d)
        })
        .await
        .unwrap();
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
    // The auto-read ./scimcheck.toml as a FIFO: refused, not a hang.
    let auto = tempfile::tempdir().unwrap();
    std::process::Command::new("mkfifo")
        .arg(auto.path().join("scimcheck.toml"))
        .status()
        .unwrap();
    let (code, stderr) = tokio::task::spawn_blocking({
        let d = auto.path().to_path_buf();
        let base = base.clone();
        move || {
            bounded(
                &["run", "--base-url", &base, "--suite", "okta-scim2-spec"],
                &d,
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");

    // Symlinks planted at the result files' names: replaced, their targets untouched.
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    let victim = d.join("victim");
    std::fs::write(&victim, "precious").unwrap();
    for name in ["results.json", "junit.xml", "report.html"] {
        std::os::unix::fs::symlink(&victim, out.join(name)).unwrap();
    }
    let (code, stderr) = tokio::task::spawn_blocking({
        let d = d.clone();
        let base = base.clone();
        move || {
            bounded(
                &[
                    "run",
                    "--base-url",
                    &base,
                    "--suite",
                    "okta-scim2-spec",
                    "--out",
                    "out",
                ],
                &d,
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    for name in ["results.json", "junit.xml", "report.html"] {
        let meta = std::fs::symlink_metadata(out.join(name)).unwrap();
        assert!(meta.is_file(), "{name} is still a link");
    }
    app.stop().await;
}
