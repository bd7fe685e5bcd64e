//! The human report in the bundle: one self-contained HTML file (no scripts, no external
//! resources) with the submission's metadata, Okta's QA plan, the form's completeness, and the
//! run's root causes and checks with their evidence, rendered by the same sections as the run's
//! own report (`scim_results::html`). A `maud` template: every value spliced in is escaped
//! (server responses and submission text are untrusted).

use maud::{Markup, html};

use crate::manifest::Manifest;
use crate::rules::Completeness;
use crate::submission::Submission;
use scim_results::RunReport;
use scim_results::html::{checks, diagnoses, lines, page, scorecard};

/// Renders the report.
pub fn render(
    s: &Submission,
    c: &Completeness,
    r: &RunReport,
    m: &Manifest,
    problems: &[String],
    plan: &scim_results::PlanReport,
) -> String {
    let body = html! {
        @if m.draft { p { strong { "DRAFT: not review-ready." } } }
        // The logo sits beside this page in the bundle.
        @if let Some(logo) = m.files.iter().find(|f| f.starts_with("logo.")) {
            img src=(logo) alt="logo" height="64";
        }
        h1 { (s.app.name) }
        p {
            (if s.app.exists_in_oin { "Update of a published" } else { "New" })
            " submission via the " (s.form.as_str()) " form, packaged with scimcheck "
            (m.tool_version) ". SCIM " (s.scim.version) " at " code { (s.scim.base_url) } "."
        }
        (plan_section(plan))
        h2 { "Review timeline" }
        p {
            "Submitted " (m.timeline.submitted) ": initial review by " (m.timeline.initial_review_done)
            ", QA by " (m.timeline.qa_done) ", publication by " (m.timeline.published)
            " (5, 5 and 1 business days)."
        }
        (completeness_section(c))
        @if !problems.is_empty() {
            h2 { "Results problems" }
            ul { @for p in problems { li { (p) } } }
        }
        (diagnoses(&r.diagnoses))
        (scorecard(&r.scorecard))
        (suites_section(m))
        h2 { "Checks" }
        p {
            "Run " (r.run_id) " started " (r.started_at.to_rfc3339()) ", " (r.duration_ms)
            " ms, against " code { (r.target.base_url) } ". Each check opens to its evidence."
        }
        (checks(r))
        h2 { "Before you submit" }
        ul {
            li { "The form's progress indicator must show 100% before " em { "Submit for Review" } "." }
            li { "An update keeps the published entry until the new version is published, and must come from the dev org of the original submission." }
            li { "A dev org holds at most 10 submissions; only DRAFT submissions can be deleted, with no recovery." }
            li { "Keep the test account active beyond the review." }
        }
    };
    let mut html = page(&format!("OIN submission: {}", s.app.name), body).into_string();
    html.push('\n');
    html
}

/// The form's completeness, section by section, with what is missing or wrong.
fn completeness_section(c: &Completeness) -> Markup {
    html! {
        h2 { "Completeness: " (c.percent) "%" }
        table.grid {
            tr { th { "section" } th { "done" } th { "findings" } }
            @for sec in &c.sections {
                tr {
                    td { (sec.name) }
                    td { (sec.satisfied) "/" (sec.required) }
                    td {
                        (lines(sec.findings.iter().map(|f| html! {
                            @if !f.blocking { "recommended: " }
                            code { (f.field) } ": " (f.message) " " em { "(" (f.guideline) ")" }
                        })))
                    }
                }
            }
        }
    }
}

/// The suites of the run, and which the declared features need.
fn suites_section(m: &Manifest) -> Markup {
    html! {
        h2 { "Suites" }
        table.grid {
            tr {
                th { "suite" } th { "version" } th { "checks" } th { "passed" } th { "not passed" }
                th { "needed by the features" }
            }
            @for line in &m.run.suites {
                tr {
                    td { (line.id) } td { (line.version) } td { (line.checks) } td { (line.passed) }
                    td { (line.not_passed) }
                    td { @if m.required_suites.contains(&line.id) { "yes" } }
                }
            }
        }
    }
}

/// Okta's QA plan, case by case: status, checks with their verdicts, what a person does.
fn plan_section(plan: &scim_results::PlanReport) -> Markup {
    let cases = plan
        .cases
        .iter()
        .filter(|c| c.status != scim_results::CaseStatus::NotApplicable);
    html! {
        h2 { "Okta's QA plan" }
        p #qa-plan { (plan.line()) }
        table.grid {
            tr { th { "case" } th { "status" } th { "checks" } th { "by hand" } }
            @for case in cases {
                tr {
                    td { (case.id) " " (case.title) }
                    td { (case_status(case.status)) }
                    td {
                        (lines(case.checks.iter().map(|(k, v)| html! {
                            span class=(v) { (k) ": " (v) }
                        })))
                    }
                    td { (case.by_hand.as_deref().unwrap_or("")) }
                }
            }
        }
    }
}

/// A case's status in the words of results.json.
fn case_status(status: scim_results::CaseStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
