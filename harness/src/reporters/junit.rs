//! JUnit XML: one `<testsuite>` per suite, one `<testcase>` per check.
//!
//! Mapping (abridged):
//!
//! ```xml
//! <testsuites name="scimcheck" tests="12" failures="1" errors="0">
//!   <testsuite name="okta-scim2-spec" tests="12" failures="1" errors="0" skipped="0">
//!     <properties>
//!       <property name="title" value="Okta SCIM 2.0 SPEC Test"/>
//!       <property name="base_url" value="http://127.0.0.1:8080"/> …
//!     </properties>
//!     <testcase name="status-401: Check status 401" classname="okta-scim2-spec">
//!       <failure message="status: expected 401, got 200" type="required">
//!         status: expected 401, got 200
//!         reference: Okta SCIM 2.0 SPEC Test, step 11
//!       </failure>
//!       <properties><property name="level" value="required"/> …</properties>
//!       <system-out>&gt; GET http://…/Users?filter=… (the redacted exchange)</system-out>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! The JUnit status agrees with the exit status: `failure` is a *required* check the server
//! failed, `error` a required check without a usable response, exactly what makes the run
//! exit 1. Every other check that is not a pass is `skipped`, its `type` saying which kind
//! (`warning`, `optional-failure`, `optional-error`, `skipped`, `blocked`, `partial`) and its
//! message why: test viewers show those apart without failing the build. A run that could not
//! judge the app (exit 2) has one more suite, `scimcheck`, with one `error` testcase saying why.
//! The failure body says what was expected, what came back, the reference and where the check
//! is written; `system-out` holds the redacted request and response.

use std::io::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::{Outcome, RunReport};
use scim_results::JunitClass;

/// Writes the report as JUnit XML.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut junit = Report::new("scimcheck");
    junit.set_timestamp(report.started_at);
    junit.set_time(Duration::from_millis(report.duration_ms));
    for suite in &report.suites {
        let mut ts = TestSuite::new(suite.id.as_str());
        ts.set_timestamp(report.started_at);
        ts.set_time(Duration::from_millis(suite.duration_ms));
        ts.add_properties([
            Property::new("title", suite.title.as_str()),
            Property::new("suite_version", suite.version.as_str()),
            Property::new("scim_version", suite.scim_version.as_str()),
            Property::new("reference", suite.reference.as_str()),
            Property::new("base_url", report.target.base_url.as_str()),
            Property::new("run_id", report.run_id.as_str()),
            Property::new("harness_version", report.tool.version.as_str()),
        ]);
        // Root causes on every suite, where CI test viewers show suite properties.
        for d in report.diagnoses.iter().filter(|d| {
            d.explains
                .iter()
                .any(|e| e.starts_with(&format!("{}/", suite.id)))
        }) {
            ts.add_property(Property::new(
                "diagnosis",
                format!("{} ({}): {}", d.cause, d.reference, d.explains.join(", ")),
            ));
        }
        if let Some(v) = &report.scim_version {
            ts.add_property(Property::new(
                "target_scim_version",
                format!("{} ({})", v.version, v.how),
            ));
            ts.add_property(Property::new(
                "target_scim_version_evidence",
                v.evidence.join("; "),
            ));
        }
        for check in &suite.checks {
            // Red in a CI viewer means the run fails (exit 1): only a required check that
            // failed or errored is a <failure>/<error>. Everything else that is not a pass
            // (warnings, optional failures, gated-out, blocked and partly evaluated checks) is
            // <skipped> with a type and a message: GitHub's and GitLab's test reports and
            // Jenkins show skipped tests apart (neutral/yellow), without failing the build.
            let explanation = check.outcome.explanation();
            let status = match check.junit_class() {
                JunitClass::Success => TestCaseStatus::success(),
                class @ (JunitClass::Failure | JunitClass::Error) => {
                    let kind = if class == JunitClass::Failure {
                        NonSuccessKind::Failure
                    } else {
                        NonSuccessKind::Error
                    };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_message(explanation.lines().next().unwrap_or_default());
                    s.set_type(check.level.as_str());
                    let at = check
                        .location
                        .as_ref()
                        .map(|l| format!("\nat {l}"))
                        .unwrap_or_default();
                    s.set_description(format!("{explanation}\nreference: {}{at}", check.reference));
                    s
                }
                JunitClass::Skipped(kind) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_type(kind);
                    s.set_message(format!("{kind}: {}", explanation.replace('\n', "; ")));
                    s
                }
            };
            let mut tc = TestCase::new(format!("{}: {}", check.id, check.title), status);
            tc.set_classname(suite.id.as_str());
            tc.set_time(Duration::from_millis(check.duration_ms));
            tc.add_properties([
                Property::new("level", check.level.as_str()),
                Property::new("reference", check.reference.as_str()),
            ]);
            if let Some(k) = check.keyword {
                tc.add_property(Property::new("keyword", k.as_str()));
            }
            if let Some(n) = &check.note {
                tc.add_property(Property::new("note", n.as_str()));
            }
            if let Outcome::Warn { .. } = check.outcome {
                let text = check.outcome.explanation();
                tc.add_property(Property::new("warning", text.as_str()));
                tc.set_system_err(format!("warning: {text}\nreference: {}", check.reference));
            }
            let transcript: Vec<String> = check.exchanges.iter().map(|e| e.transcript()).collect();
            if !transcript.is_empty() {
                tc.set_system_out(transcript.join("\n"));
            }
            ts.add_test_case(tc);
        }
        if !suite.cleanup.is_empty() {
            let lines: Vec<String> = suite
                .cleanup
                .iter()
                .map(|c| format!("cleanup {}: {} ({})", c.resource, c.action.label(), c.note))
                .collect();
            ts.set_system_out(lines.join("\n"));
        }
        junit.add_test_suite(ts);
    }
    if let Some(abort) = &report.aborted {
        // A run that could not judge still gives the CI's test viewer one red testcase
        // saying why, instead of a missing file.
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(abort.message.lines().next().unwrap_or_default());
        status.set_type(abort.cause.label());
        status.set_description(abort.message.as_str());
        let mut tc = TestCase::new("run: the app could be judged", status);
        tc.set_classname("scimcheck");
        let mut ts = TestSuite::new("scimcheck");
        ts.set_timestamp(report.started_at);
        ts.add_property(Property::new("base_url", report.target.base_url.as_str()));
        ts.add_test_case(tc);
        junit.add_test_suite(ts);
    }
    junit
        .serialize(&mut *out)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    out.write_all(b"\n")
}
