//! Secrets and verdicts: the response is judged raw, and only what is recorded is redacted, in
//! every encoding a server may echo the secret in.

use std::collections::BTreeMap;

use harness::http::redact::base64;
use harness::http::{Client, Credential, Target};
use harness::report::RunReport;
use harness::reporters::terminal::{Progress, Style, write_summary};
use harness::run::events::NoEvents;
use harness::run::{RunOptions, run};
use refserver::{Auth, ServerConfig};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::suite;

const SUITES: &[&str] = &[
    "okta-scim2-spec",
    "okta-scim2-crud",
    "okta-scim2-groups",
    "rfc7644",
    "profile-sourcing",
];

fn verdicts(report: &RunReport) -> BTreeMap<String, String> {
    report
        .suites
        .iter()
        .flat_map(|s| {
            s.checks
                .iter()
                .map(move |c| (format!("{}/{}", s.id, c.id), c.outcome.label().to_string()))
        })
        .collect()
}

async fn run_with_token(token: &str) -> RunReport {
    let server = refserver::start(ServerConfig {
        port: 0,
        auth: Auth {
            token: Some(token.into()),
            basic: None,
        },
        seed_users: 5,
        seed_groups: 2,
        ..ServerConfig::default()
    })
    .await
    .expect("reference server starts");
    let client = Client::new(
        Target::new(
            server.base_url(),
            Credential::Bearer(token.to_string().into()),
        )
        .unwrap(),
    )
    .unwrap();
    let suites: Vec<_> = SUITES.iter().map(|id| suite(id)).collect();
    let report = run(
        &client,
        &suites,
        &RunOptions::default(),
        &mut NoEvents,
        std::future::pending(),
    )
    .await;
    server.stop().await;
    report
}

/// Regression: `serve --token T` and `SCIM_TOKEN=T` failed the clean server, because the
/// response was redacted before it was judged (`scimType` read as `scim[REDACTED]ype`).
#[tokio::test]
async fn tokens_that_are_ordinary_words_do_not_change_any_verdict() {
    let baseline = run_with_token("9c1d0b7e-long-random-token-5a2f").await;
    assert_eq!(baseline.summary.failed, 0, "{:?}", verdicts(&baseline));
    assert!(baseline.summary.passed > 100);
    for token in ["T", "User", "id", "true", "1"] {
        let report = run_with_token(token).await;
        assert_eq!(
            verdicts(&report),
            verdicts(&baseline),
            "token {token:?} changed verdicts"
        );
        // The token is still redacted where it is a credential.
        let json = serde_json::to_string(&report).unwrap();
        assert!(
            json.contains("\"Bearer [REDACTED]\""),
            "token {token:?} left the Authorization header readable"
        );
        assert!(!json.contains(&format!("Bearer {token}\"")));
    }
}

const SECRET: &str = "s3cr3t-T0ken/Abc+xyz";

/// Every form a careless server may echo the token in.
fn echoed_forms() -> Vec<String> {
    let json_escaped: String = SECRET
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let percent: String = SECRET.bytes().map(|b| format!("%{b:02X}")).collect();
    vec![
        SECRET.to_string(),
        json_escaped,
        SECRET.replace('/', "\\/"),
        percent.clone(),
        percent.to_lowercase(),
        base64(SECRET.as_bytes()),
        base64(SECRET.as_bytes()).trim_end_matches('=').to_string(),
        base64(format!("Bearer {SECRET}").as_bytes()),
    ]
}

/// A server that answers every request 400 with the credential echoed in every form, in the
/// error's `detail`, in a header, and in a field of a resource.
async fn echo_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|req: &Request| {
            let auth = req
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let forms = echoed_forms().join(" | ");
            // JSON text written by hand so the escapes reach the wire as they are.
            let body = format!(
                "{{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"400\",\"detail\":\"token {forms}\",\"scimType\":\"{}\"}}",
                auth.replace('/', "\\/")
            );
            ResponseTemplate::new(400)
                .insert_header("content-type", "application/scim+json")
                .insert_header("x-echo", percent_of(&auth).as_str())
                .set_body_string(body)
        })
        .mount(&server)
        .await;
    server
}

fn percent_of(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02x}")).collect()
}

#[tokio::test]
async fn a_secret_echoed_in_any_encoding_reaches_no_output() {
    let server = echo_server().await;
    let client = Client::new(
        Target::new(&server.uri(), Credential::Bearer(SECRET.to_string().into())).unwrap(),
    )
    .unwrap();
    let mut live = Vec::new();
    let report = run(
        &client,
        &[suite("okta-scim2-spec"), suite("rfc7644")],
        &RunOptions::default(),
        &mut Progress::new(
            &mut live,
            Style {
                color: false,
                verbose: 2,
            },
        ),
        std::future::pending(),
    )
    .await;
    assert!(report.summary.failed > 0, "the server broke rules");
    let mut outputs = Vec::new();
    harness::reporters::json::write(&report, &mut outputs).unwrap();
    harness::reporters::junit::write(&report, &mut outputs).unwrap();
    write_summary(
        &report,
        Style {
            color: false,
            verbose: 2,
        },
        &mut outputs,
    )
    .unwrap();
    outputs.extend_from_slice(&live);
    let text = String::from_utf8(outputs).unwrap();
    // The failure texts quote the server's detail (decoded from JSON): redacted there too.
    assert!(text.contains("[REDACTED]"));
    for form in echoed_forms() {
        assert!(!text.contains(&form), "{form} leaked");
    }
    for fragment in ["s3cr3t", "T0ken", "\\u0073\\u0033", "%73%33", "czNjcjN0"] {
        assert!(!text.contains(fragment), "{fragment} leaked");
    }
}

#[tokio::test]
async fn a_secret_across_the_evidence_cut_is_redacted_whole() {
    // Only the start of a large body is kept as evidence, and only that part is redacted: a
    // secret that starts just before the cut, in its longest form (\u escapes), must still be
    // replaced whole, never left as a readable prefix.
    use harness::http::{Auth, Method, Outgoing};
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let escaped: String = SECRET
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let limit = harness::http::exchange::EVIDENCE_BODY_LIMIT;
    for offset in [1, 7, escaped.len() / 2, escaped.len() - 1] {
        let mut body = "a".repeat(limit - offset);
        body.push_str(&escaped);
        body.push_str(&"b".repeat(50_000));
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        let client = Client::new(
            Target::new(&server.uri(), Credential::Bearer(SECRET.to_string().into())).unwrap(),
        )
        .unwrap();
        let sent = client
            .send(Outgoing::to(Method::Get, "/Users", Auth::Omit))
            .await;
        let recorded = &sent.exchanges[0].response.as_ref().unwrap().body;
        assert!(sent.exchanges[0].response.as_ref().unwrap().body_truncated);
        assert!(
            !recorded.contains(&escaped[..12]),
            "offset {offset}: a readable prefix"
        );
        assert!(recorded.len() <= limit, "offset {offset}");
        // An import page's evidence is made when the walk keeps it: the same redacted text.
        let page = client
            .send_page(Outgoing::to(Method::Get, "/Users", Auth::Omit))
            .await;
        let mut kept = page.exchanges[0].clone();
        assert!(kept.response.as_ref().unwrap().body.is_empty());
        client.record_body(&mut kept, page.response.as_ref().unwrap());
        let kept = kept.response.unwrap();
        assert_eq!(&kept.body, recorded, "offset {offset}");
        assert!(kept.body_truncated);
    }
}

/// A suite of two reads that an app answering 400 fails, quoting its answer: the SCIM
/// `detail` (cut at 200 characters in the failure text) and a plain-text body (cut at 120).
const QUOTING_SUITE: &str = r#"
format = 1
id = "quoting"
title = "Quoted answers"
version = "2026-12-04"
scim_version = "2.0"
reference = "RFC 7644 §3.12"

[[check]]
id = "detail-quoted"
title = "A read answered with a SCIM error quotes its detail"
level = "required"
keyword = "MUST"
reference = "RFC 7644 §3.12"
request = { method = "GET", path = "/Users" }
expect = [{ status = 200 }, { json = "detail", equals = "none" }]

[[check]]
id = "body-quoted"
title = "A read answered with text quotes the body"
level = "required"
keyword = "MUST"
reference = "RFC 7644 §3.12"
request = { method = "GET", path = "/Groups" }
expect = [{ status = 200 }, { body_is_json = true }]
"#;

/// Every text a run writes (results.json, junit.xml, report.html, the terminal's live lines and
/// summary, GitHub's job summary and annotations) for a run against `server`.
async fn every_output(server: &MockServer, token: &str) -> String {
    let client = Client::new(
        Target::new(&server.uri(), Credential::Bearer(token.to_string().into())).unwrap(),
    )
    .unwrap();
    let quoting = harness::suite::load::parse_suite("quoting.toml", QUOTING_SUITE).unwrap();
    let style = Style {
        color: false,
        verbose: 2,
    };
    let mut outputs = Vec::new();
    let report = run(
        &client,
        &[quoting],
        &RunOptions::default(),
        &mut Progress::new(&mut outputs, style),
        std::future::pending(),
    )
    .await;
    assert_eq!(
        report.summary.failed, 2,
        "both reads fail, quoting the answer"
    );
    harness::reporters::json::write(&report, &mut outputs).unwrap();
    harness::reporters::junit::write(&report, &mut outputs).unwrap();
    harness::reporters::html::write(&report, &mut outputs).unwrap();
    harness::reporters::github::write_summary(&report, &mut outputs).unwrap();
    harness::reporters::github::write_annotations(&report, &mut outputs).unwrap();
    write_summary(&report, style, &mut outputs).unwrap();
    String::from_utf8(outputs).unwrap()
}

/// Issue 25.1: an app echoes the token in its error detail and in a plain-text body, with the
/// excerpt's cut falling inside it (tokens of several lengths, every offset around the cut,
/// literal and `\u`-escaped): no eight characters of the token survive in any output.
#[tokio::test]
async fn a_token_across_an_excerpt_cut_leaves_no_part_in_any_output() {
    for len in [9usize, 20, 42] {
        let token: String = (0..len)
            .map(|i| (b'A' + (i * 11 % 26) as u8) as char)
            .collect();
        let escaped: String = token
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        for offset in (0..len + 2).step_by(3).chain([1, len - 1]) {
            // Detail: decoded from JSON, so the escaped echo arrives as the token itself.
            let detail = format!("{}{escaped} and more", "d".repeat(200 - offset.min(200)));
            let text = format!("{}{token} and more", "t".repeat(120 - offset.min(120)));
            let server = MockServer::start().await;
            Mock::given(wiremock::matchers::path("/Users"))
                .respond_with(
                    ResponseTemplate::new(400)
                        .insert_header("content-type", "application/scim+json")
                        .set_body_string(format!(
                            "{{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"400\",\"detail\":\"{detail}\"}}"
                        )),
                )
                .mount(&server)
                .await;
            Mock::given(any())
                .respond_with(
                    ResponseTemplate::new(400)
                        .insert_header("content-type", "text/plain")
                        .set_body_string(text),
                )
                .mount(&server)
                .await;
            let out = every_output(&server, &token).await;
            assert!(
                out.contains("[REDACTED]"),
                "{len}/{offset}: the echo is quoted"
            );
            for w in 0..=len - 8 {
                assert!(
                    !out.contains(&token[w..w + 8]),
                    "{len}/{offset}: {:?} survived",
                    &token[w..w + 8]
                );
            }
        }
    }
}
