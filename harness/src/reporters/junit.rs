//! JUnit XML: one `<testsuite>` per suite, one `<testcase>` per check, valid against the
//! schema Jenkins' JUnit plugin publishes (`junit-10.xsd`, the one GitLab's and GitHub's test
//! reporters also parse), which CI checks on every run (`.ci/run`).
//!
//! Mapping (abridged):
//!
//! ```xml
//! <testsuites name="scimcheck" tests="12" failures="1" errors="0" time="0.012">
//!   <testsuite name="okta-scim2-spec" tests="12" failures="1" errors="0" skipped="0" …>
//!     <properties>
//!       <property name="title" value="Okta SCIM 2.0 SPEC Test"/>
//!       <property name="base_url" value="http://127.0.0.1:8080"/> …
//!     </properties>
//!     <testcase name="status-401: Check status 401" classname="okta-scim2-spec" time="0.003">
//!       <failure message="status: expected 401, got 200" type="required">
//!         status: expected 401, got 200
//!         reference: Okta SCIM 2.0 SPEC Test, step 11
//!       </failure>
//!       <system-out>level: required … then the redacted request and response</system-out>
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
//! The schema has no properties on a testcase, so a check's level, keyword, reference and note
//! open its `system-out`, before the exchanges; a warning is repeated in `system-err`.
//!
//! Written here rather than through a JUnit crate: the ones we measured emit attributes the
//! schema refuses (`skipped` and `timestamp` on `<testsuites>`, properties on a testcase),
//! and every value from a server must pass [`untrusted::xml`], which drops the characters
//! XML 1.0 forbids (one of them makes a parser refuse the whole file).

use std::fmt::Write as _;
use std::io::Write;

use crate::report::{CheckResult, CleanupResult, Outcome, RunReport, SuiteReport};
use scim_results::JunitClass;

/// Writes the report as JUnit XML.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut xml = String::with_capacity(64 * 1024);
    let suites: Vec<Element> = report
        .suites
        .iter()
        .map(|s| suite(report, s))
        .chain(report.aborted.as_ref().map(|abort| {
            // A run that could not judge still gives the CI's test viewer one red testcase
            // saying why, instead of a missing file.
            let case = Element::new("testcase")
                .attr("name", "run: the app could be judged")
                .attr("classname", "scimcheck")
                .child(
                    Element::new("error")
                        .attr("message", abort.message.lines().next().unwrap_or_default())
                        .attr("type", abort.cause.label())
                        .text(&abort.message),
                );
            Element::new("testsuite")
                .attr("name", "scimcheck")
                .counts(1, 0, 1, 0)
                .attr("timestamp", timestamp(report))
                .child(properties(&[("base_url", report.target.base_url.clone())]))
                .child(case)
        }))
        .collect();
    let totals = suites.iter().fold([0usize; 3], |mut acc, s| {
        for (i, n) in s.totals.iter().enumerate() {
            acc[i] += n;
        }
        acc
    });
    let mut root = Element::new("testsuites")
        .attr("name", "scimcheck")
        .attr("tests", totals[0].to_string())
        .attr("failures", totals[1].to_string())
        .attr("errors", totals[2].to_string())
        .attr("time", seconds(report.duration_ms));
    root.children = suites;
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    root.write_to(&mut xml, 0);
    out.write_all(xml.as_bytes())
}

fn suite(report: &RunReport, suite: &SuiteReport) -> Element {
    let mut props = vec![
        ("title", suite.title.clone()),
        ("suite_version", suite.version.clone()),
        ("scim_version", suite.scim_version.to_string()),
        ("reference", suite.reference.clone()),
        ("base_url", report.target.base_url.clone()),
        ("tls", report.target.tls.clone()),
        ("insecure", report.target.insecure.to_string()),
        ("run_id", report.run_id.clone()),
        ("harness_version", report.tool.version.clone()),
    ];
    // Root causes on every suite, where CI test viewers show suite properties.
    let prefix = format!("{}/", suite.id);
    for d in &report.diagnoses {
        if d.explains.iter().any(|e| e.starts_with(&prefix)) {
            props.push((
                "diagnosis",
                format!(
                    "{} ({}). Fix: {}. Explains: {}",
                    d.cause,
                    d.reference,
                    d.fix,
                    d.explains.join(", ")
                ),
            ));
        }
    }
    if let Some(proxy) = &report.target.proxy {
        props.push(("proxy", proxy.clone()));
    }
    if let Some(v) = &report.scim_version {
        props.push(("target_scim_version", format!("{} ({})", v.version, v.how)));
        props.push(("target_scim_version_evidence", v.evidence.join("; ")));
    }
    let count = |class: fn(JunitClass) -> bool| {
        suite
            .checks
            .iter()
            .filter(|c| class(c.junit_class()))
            .count()
    };
    let mut element = Element::new("testsuite")
        .attr("name", &suite.id)
        .counts(
            suite.checks.len(),
            count(|c| c == JunitClass::Failure),
            count(|c| c == JunitClass::Error),
            count(|c| matches!(c, JunitClass::Skipped(_))),
        )
        .attr("time", seconds(suite.duration_ms))
        .attr("timestamp", timestamp(report))
        .child(properties(&props));
    for check in &suite.checks {
        element = element.child(case(&suite.id, check));
    }
    if !suite.cleanup.is_empty() {
        let lines: Vec<String> = suite.cleanup.iter().map(CleanupResult::line).collect();
        element = element.child(Element::new("system-out").text(&lines.join("\n")));
    }
    element
}

fn case(suite_id: &str, check: &CheckResult) -> Element {
    let mut element = Element::new("testcase")
        .attr("name", format!("{}: {}", check.id, check.title))
        .attr("classname", suite_id)
        .attr("time", seconds(check.duration_ms));
    // Red in a CI viewer means the run fails (exit 1): only a required check that failed or
    // errored is a <failure>/<error>. Everything else that is not a pass (warnings, optional
    // failures, gated-out, blocked and partly evaluated checks) is <skipped> with a type and
    // a message: GitHub's and GitLab's test reports and Jenkins show skipped tests apart
    // (neutral/yellow), without failing the build.
    let explanation = check.outcome.explanation();
    match check.junit_class() {
        JunitClass::Success => {}
        class @ (JunitClass::Failure | JunitClass::Error) => {
            let tag = if class == JunitClass::Failure {
                "failure"
            } else {
                "error"
            };
            let at = check
                .location
                .as_ref()
                .map(|l| format!("\nat {l}"))
                .unwrap_or_default();
            element = element.child(
                Element::new(tag)
                    .attr("message", explanation.lines().next().unwrap_or_default())
                    .attr("type", check.level.as_str())
                    .text(&format!(
                        "{explanation}\nreference: {}{at}",
                        check.reference
                    )),
            );
        }
        JunitClass::Skipped(kind) => {
            element = element.child(
                Element::new("skipped")
                    .attr(
                        "message",
                        format!("{kind}: {}", explanation.replace('\n', "; ")),
                    )
                    .attr("type", kind),
            );
        }
    }
    let mut out = format!(
        "level: {}\nreference: {}\n",
        check.level.as_str(),
        check.reference
    );
    if let Some(k) = check.keyword {
        let _ = writeln!(out, "keyword: {}", k.as_str());
    }
    if let Some(n) = &check.note {
        let _ = writeln!(out, "note: {n}");
    }
    for exchange in &check.exchanges {
        out.push('\n');
        out.push_str(&exchange.transcript());
    }
    element = element.child(Element::new("system-out").text(&out));
    if let Outcome::Warn { .. } = check.outcome {
        element = element.child(Element::new("system-err").text(&format!(
            "warning: {explanation}\nreference: {}",
            check.reference
        )));
    }
    element
}

fn properties(props: &[(&str, String)]) -> Element {
    let mut element = Element::new("properties");
    for (name, value) in props {
        element = element.child(
            Element::new("property")
                .attr("name", *name)
                .attr("value", value),
        );
    }
    element
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn timestamp(report: &RunReport) -> String {
    report
        .started_at
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// One XML element: attributes in the order given, children or text.
struct Element {
    name: &'static str,
    attrs: Vec<(&'static str, String)>,
    children: Vec<Element>,
    text: Option<String>,
    /// tests, failures, errors: what `<testsuites>` adds up.
    totals: [usize; 3],
}

impl Element {
    fn new(name: &'static str) -> Self {
        Element {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
            text: None,
            totals: [0; 3],
        }
    }

    fn attr(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((name, value.into()));
        self
    }

    fn counts(mut self, tests: usize, failures: usize, errors: usize, skipped: usize) -> Self {
        self.totals = [tests, failures, errors];
        self.attr("tests", tests.to_string())
            .attr("failures", failures.to_string())
            .attr("errors", errors.to_string())
            .attr("skipped", skipped.to_string())
    }

    fn child(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }

    fn text(mut self, text: &str) -> Self {
        self.text = Some(text.to_owned());
        self
    }

    fn write_to(&self, out: &mut String, depth: usize) {
        let indent = "    ".repeat(depth);
        let _ = write!(out, "{indent}<{}", self.name);
        for (name, value) in &self.attrs {
            let _ = write!(out, " {name}=\"{}\"", untrusted::xml(value, true));
        }
        match (&self.text, self.children.is_empty()) {
            (Some(text), _) => {
                let _ = writeln!(out, ">{}</{}>", untrusted::xml(text, false), self.name);
            }
            (None, true) => out.push_str("/>\n"),
            (None, false) => {
                out.push_str(">\n");
                for child in &self.children {
                    child.write_to(out, depth + 1);
                }
                let _ = writeln!(out, "{indent}</{}>", self.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_text_cannot_break_the_document() {
        let mut out = String::new();
        Element::new("failure")
            .attr("message", "a\"b<c>\u{1b}\nnext")
            .text("</failure><x>\u{0}")
            .write_to(&mut out, 0);
        assert_eq!(
            out,
            "<failure message=\"a&quot;b&lt;c&gt;\\u{1b}&#10;next\">&lt;/failure&gt;&lt;x&gt;\\u{0}</failure>\n"
        );
    }
}
