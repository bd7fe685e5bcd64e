//! One snapshot per reporter, all rendered from one shared fixture report, and the catalogue.

use std::io::Write;

use harness::http::exchange::{Exchange, RecordedRequest, RecordedResponse};
use harness::judge::assertion::Mismatch;
use harness::report::{
    CheckResult, CleanupAction, CleanupResult, FORMAT_VERSION, Outcome, RunReport, SuiteReport,
    Summary, TargetInfo, Tool,
};
use harness::reporters::{catalogue, diff, github, html, json, junit, terminal};
use harness::suite::{Keyword, Level};

fn exchange(status: u16, body: &str) -> Exchange {
    Exchange {
        request: RecordedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:8080/scim/v2/Users?filter=userName%20eq%20%22a%40atko.com%22"
                .into(),
            headers: vec![
                ("Accept".into(), "application/scim+json".into()),
                ("Authorization".into(), "Bearer [REDACTED]".into()),
            ],
            body: None,
        },
        response: Some(RecordedResponse {
            status,
            headers: vec![("content-type".into(), "application/scim+json".into())],
            body: body.into(),
            body_truncated: false,
        }),
        error: None,
        duration_ms: 3,
        in_flight: None,
    }
}

fn check(id: &str, title: &str, level: Level, outcome: Outcome) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: title.into(),
        level,
        reference: format!("Okta SCIM 2.0 SPEC Test, {title}"),
        keyword: None,
        outcome,
        duration_ms: 3,
        exchanges: vec![exchange(200, r#"{"totalResults":0}"#)],
        note: None,
        location: Some(format!("specs/okta-scim2-spec.toml:{}", 40 + id.len())),
    }
}

/// A report with one outcome of each kind.
fn fixture() -> RunReport {
    let suites = vec![SuiteReport {
        id: "okta-scim2-spec".into(),
        title: "Okta SCIM 2.0 SPEC Test".into(),
        version: "2024-05-13".into(),
        scim_version: harness::report::ScimVersion::V2,
        reference: "Okta SCIM 2.0 SPEC Test (Runscope export of 2024-05-13)".into(),
        profile: None,
        duration_ms: 12,
        checks: vec![
            check(
                "invalid-user-by-username",
                "Test invalid User by username",
                Level::Required,
                Outcome::Pass,
            ),
            check(
                "status-401",
                "Check status 401",
                Level::Required,
                Outcome::Fail {
                    mismatches: vec![Mismatch {
                        assertion: "status".into(),
                        expected: "401".into(),
                        actual: "200".into(),
                        hint: None,
                        keyword: None,
                    }],
                },
            ),
            check(
                "verify-groups-endpoint",
                "Verify Groups endpoint",
                Level::Optional,
                Outcome::Error {
                    reason: "no complete response within the timeout".into(),
                },
            ),
            check(
                "verify-groups-filter",
                "Verify Groups filter",
                Level::Optional,
                Outcome::Skip {
                    reason: "not run: spc.filter.supported is not true (the app does not advertise this capability)".into(),
                },
            ),
            check(
                "get-user-by-id",
                "Get Users/{{id}}",
                Level::Required,
                Outcome::Blocked {
                    reason: "blocked: it needs {{ISVUserid}}, which test-users-endpoint did not capture (fail)".into(),
                    waited_for: vec!["test-users-endpoint".into()],
                },
            ),
            check(
                "random-user",
                "Make sure random user doesn't exist",
                Level::Required,
                Outcome::Partial {
                    not_evaluated: vec!["a JavaScript script (its checks are not evaluated)".into()],
                },
            ),
            CheckResult {
                keyword: Some(Keyword::Should),
                reference: "RFC 7644 §3.3".into(),
                ..check(
                    "create-user-a",
                    "POST /Users creates a user",
                    Level::Required,
                    Outcome::Warn {
                        mismatches: vec![Mismatch {
                            assertion: "header Content-Type contains".into(),
                            expected: "a value containing \"application/scim+json\"".into(),
                            actual: "string \"application/json\"".into(),
                            hint: None,
                            keyword: Some(Keyword::Should),
                        }],
                    },
                )
            },
        ],
        cleanup: vec![CleanupResult {
            resource: "/Users/2819c223".into(),
            action: CleanupAction::Deleted,
            note: "DELETE answered 204".into(),
            exchanges: vec![],
        }],
    }];
    let summary = Summary::of(&suites, 5);
    RunReport {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "scimcheck".into(),
            version: "0.0.0-test".into(),
        },
        run_id: "00000000000000000000000000000000".into(),
        started_at: chrono::DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .into(),
        duration_ms: 12,
        target: TargetInfo {
            base_url: "http://127.0.0.1:8080/scim/v2".into(),
            auth: harness::report::AuthKind::Bearer,
            proxy: None,
            tls: "the platform's CAs".into(),
            insecure: false,
        },
        interrupted: false,
        stopped_by: None,
        aborted: None,
        notices: Vec::new(),
        scorecard: vec![harness::report::ProfileScore {
            suite: "interop-profile".into(),
            profile: "SCIM 2.0 Interoperability Profile".into(),
            must: harness::report::Tally {
                met: 30,
                unmet: 1,
                not_judged: 2,
            },
            should: harness::report::Tally {
                met: 1,
                unmet: 0,
                not_judged: 0,
            },
            may: harness::report::Tally::default(),
            unmet: vec![harness::report::Unmet {
                check: "patch-path-less-refused".into(),
                keyword: harness::report::Keyword::Must,
                section: "§6.5.1.1".into(),
                title: "A PATCH operation without a path is refused".into(),
            }],
            verdict: harness::report::ScoreVerdict::DoesNotMeet,
        }],
        diagnoses: vec![harness::judge::diagnosis::Diagnosis {
            id: "auth-not-enforced".into(),
            cause: "authentication is not enforced: requests without a valid credential were answered with success".into(),
            reference: "RFC 7644 §2 (authentication), RFC 7235 §3.1".into(),
            fix: "answer 401 to every request without the credential or with a wrong one".into(),
            explains: vec!["okta-scim2-spec/status-401".into()],
        }],
        scim_version: Some(harness::report::VersionChoice::declared(harness::report::ScimVersion::V2)),
        suites,
        summary,
        settings: Default::default(),
    }
}

fn render(f: impl Fn(&RunReport, &mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut buf = Vec::new();
    f(&fixture(), &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(render(|r, b| junit::write(r, b)));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render(|r, b| json::write(r, b)));
}

#[test]
fn terminal_snapshot() {
    let style = terminal::Style::default();
    insta::assert_snapshot!(render(|r, b| {
        for c in &r.suites[0].checks {
            terminal::write_check(c, style, b)?;
        }
        terminal::write_summary(r, style, b)
    }));
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!(render(|r, b| html::write(r, b)));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(render(|r, b| {
        github::write_summary(r, b)?;
        writeln!(b, "---- annotations")?;
        github::write_annotations(r, b)
    }));
}

/// Issue 29.3: GitHub shows 10 annotations of a level per step and drops the rest silently.
/// Thirty failures and twelve warnings give ten of each, the last naming what it does not
/// show; the job summary lists every one, and a warnings section.
#[test]
fn github_annotations_stay_within_what_github_shows() {
    let mut report = fixture();
    report.diagnoses.clear();
    let fail = || Outcome::Fail {
        mismatches: vec![harness::judge::assertion::Mismatch {
            assertion: "status".into(),
            expected: "200".into(),
            actual: "500".into(),
            hint: None,
            keyword: None,
        }],
    };
    let checks = &mut report.suites[0].checks;
    checks.clear();
    for i in 0..30 {
        checks.push(check(&format!("f{i}"), "fails", Level::Required, fail()));
    }
    for i in 0..12 {
        checks.push(check(&format!("w{i}"), "warns", Level::Optional, fail()));
    }
    let mut out = Vec::new();
    github::write_annotations(&report, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("::error ").count(), 10, "{text}");
    assert_eq!(text.matches("::warning ").count(), 10, "{text}");
    assert!(text.contains("title=21 more failures::"), "{text}");
    assert!(
        text.contains("okta-scim2-spec/f29"),
        "the last one named: {text}"
    );
    let mut md = Vec::new();
    github::write_summary(&report, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert_eq!(md.matches("| `okta-scim2-spec/f").count(), 30, "{md}");
    assert!(md.contains("### Warnings"), "{md}");
    assert_eq!(md.matches("| `okta-scim2-spec/w").count(), 12, "{md}");
}

/// The step outputs a workflow reads: one `name=value` a line, whatever the results folder is
/// called (a line break in it cannot add an output).
#[test]
fn github_step_outputs_are_one_line_each() {
    let mut out = Vec::new();
    github::write_outputs(&fixture(), "results\nverdict=passed/", &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 8, "{text}");
    assert!(text.starts_with("verdict=failed\n"), "{text}");
    assert!(
        text.contains("report=results verdict=passed/report.html"),
        "{text}"
    );
}

/// The fixture against itself with one check fixed, one regressed and one removed.
#[test]
fn diff_snapshot() {
    let before = fixture();
    let mut now = fixture();
    let checks = &mut now.suites[0].checks;
    let failed = checks
        .iter()
        .position(|c| matches!(c.outcome, Outcome::Fail { .. }))
        .unwrap();
    let passed = checks
        .iter()
        .position(|c| matches!(c.outcome, Outcome::Pass))
        .unwrap();
    let regressed = checks[failed].outcome.clone();
    checks[failed].outcome = Outcome::Pass;
    checks[passed].outcome = regressed;
    checks.pop();
    let d = harness::report::diff(&before, &now);
    let mut buf = Vec::new();
    diff::write(&d, terminal::Style::default(), &mut buf).unwrap();
    writeln!(buf, "---- job summary").unwrap();
    diff::write_markdown(&d, "the bundle's run", &mut buf).unwrap();
    writeln!(buf, "---- report.html section").unwrap();
    writeln!(buf, "{}", diff::html(&d, "the bundle's run").into_string()).unwrap();
    insta::assert_snapshot!(String::from_utf8(buf).unwrap());
}

#[test]
fn junit_counts_match_the_report() {
    let xml = render(|r, b| junit::write(r, b));
    assert!(xml.contains(r#"tests="7""#), "{xml}");
    assert!(xml.contains("<system-err>warning: "), "{xml}");
    // Red is what fails the run: the required failure. The optional error, the warning, the
    // gated-out, blocked and partly evaluated checks are skipped, each with its type.
    assert!(xml.contains(r#"failures="1""#), "{xml}");
    assert!(xml.contains(r#"errors="0""#), "{xml}");
    assert!(xml.contains(r#"skipped="5""#), "{xml}");
    for kind in ["optional-error", "warning", "skipped", "blocked", "partial"] {
        assert!(xml.contains(&format!(r#"type="{kind}""#)), "{kind}: {xml}");
    }
    assert!(xml.contains(r#"<property name="diagnosis""#), "{xml}");
}

#[test]
fn check_catalogue_snapshot() {
    let suites = harness::suite::builtin::builtin_suites().unwrap();
    let mut buf = Vec::new();
    catalogue::write_markdown(&suites, &mut buf).unwrap();
    insta::assert_snapshot!(String::from_utf8(buf).unwrap());
}
