//! The human report in the bundle: one self-contained HTML file (no scripts, no external
//! resources) with the submission's metadata, Okta's QA plan, the form's completeness, and the
//! run's root causes and checks with their evidence, rendered by the same sections as the run's
//! own report (`scim_results::html`). Every value is escaped: server responses and
//! submission text are untrusted.

use std::fmt::Write;

use crate::manifest::Manifest;
use crate::rules::Completeness;
use crate::submission::Submission;
use scim_results::RunReport;
use scim_results::html::{STYLE, e};

/// Renders the report.
pub fn render(
    s: &Submission,
    c: &Completeness,
    r: &RunReport,
    m: &Manifest,
    problems: &[String],
    plan: &scim_results::PlanReport,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OIN submission: {name}</title><style>{STYLE}</style></head><body>",
        name = e(&s.app.name)
    );
    if m.draft {
        h.push_str("<p><strong>DRAFT: not review-ready.</strong></p>");
    }
    // The logo sits beside this page in the bundle.
    if let Some(logo) = m.files.iter().find(|f| f.starts_with("logo.")) {
        let _ = write!(h, "<img src=\"{}\" alt=\"logo\" height=\"64\">", e(logo));
    }
    let _ = write!(
        h,
        "<h1>{}</h1><p>{} submission via the {} form, {}. SCIM {} at <code>{}</code>.</p>",
        e(&s.app.name),
        if s.app.exists_in_oin {
            "Update of a published"
        } else {
            "New"
        },
        e(s.form.as_str()),
        e(&format!("packaged with scimcheck {}", m.tool_version)),
        e(&s.scim.version),
        e(&s.scim.base_url)
    );
    plan_section(&mut h, plan);
    let _ = write!(
        h,
        "<h2>Review timeline</h2><p>Submitted {}: initial review by {}, QA by {}, publication by {} (5, 5 and 1 business days).</p>",
        m.timeline.submitted,
        m.timeline.initial_review_done,
        m.timeline.qa_done,
        m.timeline.published
    );
    completeness_section(&mut h, c);
    if !problems.is_empty() {
        h.push_str("<h2>Results problems</h2><ul>");
        for p in problems {
            let _ = write!(h, "<li>{}</li>", e(p));
        }
        h.push_str("</ul>");
    }
    scim_results::html::diagnoses(&mut h, &r.diagnoses);
    scim_results::html::scorecard(&mut h, &r.scorecard);
    suites_section(&mut h, m);
    let _ = write!(
        h,
        "<h2>Checks</h2><p>Run {} started {}, {} ms, against <code>{}</code>. Each check opens to its evidence.</p>",
        e(&r.run_id),
        r.started_at.to_rfc3339(),
        r.duration_ms,
        e(&r.target.base_url)
    );
    scim_results::html::checks(&mut h, r);
    h.push_str(
        "<h2>Before you submit</h2><ul>\
<li>The form's progress indicator must show 100% before <em>Submit for Review</em>.</li>\
<li>An update keeps the published entry until the new version is published, and must come from the dev org of the original submission.</li>\
<li>A dev org holds at most 10 submissions; only DRAFT submissions can be deleted, with no recovery.</li>\
<li>Keep the test account active beyond the review.</li></ul>",
    );
    h.push_str("</body></html>\n");
    h
}

/// The form's completeness, section by section, with what is missing or wrong.
fn completeness_section(h: &mut String, c: &Completeness) {
    let _ = write!(
        h,
        "<h2>Completeness: {}%</h2><table class=\"grid\"><tr><th>section</th><th>done</th><th>findings</th></tr>",
        c.percent
    );
    for sec in &c.sections {
        let findings: Vec<String> = sec
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}<code>{}</code>: {} <em>({})</em>",
                    if f.blocking { "" } else { "recommended: " },
                    e(&f.field),
                    e(&f.message),
                    e(&f.guideline)
                )
            })
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
            e(&sec.name),
            sec.satisfied,
            sec.required,
            findings.join("<br>")
        );
    }
    h.push_str("</table>");
}

/// The suites of the run, and which the declared features need.
fn suites_section(h: &mut String, m: &Manifest) {
    h.push_str("<h2>Suites</h2><table class=\"grid\"><tr><th>suite</th><th>version</th><th>checks</th><th>passed</th><th>not passed</th><th>needed by the features</th></tr>");
    for line in &m.run.suites {
        let needed = m.required_suites.contains(&line.id);
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&line.id),
            e(&line.version),
            line.checks,
            line.passed,
            line.not_passed,
            if needed { "yes" } else { "" }
        );
    }
    h.push_str("</table>");
}

/// Okta's QA plan, case by case: status, checks with their verdicts, what a person does.
fn plan_section(h: &mut String, plan: &scim_results::PlanReport) {
    let _ = write!(
        h,
        "<h2>Okta's QA plan</h2><p id=\"qa-plan\">{}</p><table class=\"grid\"><tr><th>case</th><th>status</th><th>checks</th><th>by hand</th></tr>",
        e(&plan.line())
    );
    for case in plan
        .cases
        .iter()
        .filter(|c| c.status != scim_results::CaseStatus::NotApplicable)
    {
        let checks: Vec<String> = case
            .checks
            .iter()
            .map(|(k, v)| format!("<span class=\"{}\">{}: {}</span>", e(v), e(k), e(v)))
            .collect();
        let status = serde_json::to_value(case.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&case.id),
            e(&case.title),
            e(&status),
            checks.join("<br>"),
            e(case.by_hand.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table>");
}
