//! The human report in the bundle: one self-contained HTML file (no scripts, no external
//! resources) with the submission's metadata, the form's completeness, a table of checks, and
//! the evidence of every failure and warning. Every value is escaped: server responses and
//! submission text are untrusted.

use std::fmt::Write;

use crate::manifest::Manifest;
use crate::rules::Completeness;
use crate::submission::Submission;
use scim_results::RunReport;

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
    let e = |text: &str| untrusted::html(text).into_owned();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OIN submission: {name}</title>\
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}\
.pass{{color:#060}}.fail,.error{{color:#a00}}.warn,.skip{{color:#a60}}pre{{white-space:pre-wrap;margin:0}}</style></head><body>",
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
    let _ = write!(
        h,
        "<h2>Completeness: {}%</h2><table><tr><th>section</th><th>done</th><th>findings</th></tr>",
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
    if !problems.is_empty() {
        h.push_str("<h2>Results problems</h2><ul>");
        for p in problems {
            let _ = write!(h, "<li>{}</li>", e(p));
        }
        h.push_str("</ul>");
    }
    if !r.diagnoses.is_empty() {
        h.push_str("<h2>Root causes</h2><ul>");
        for d in &r.diagnoses {
            let _ = write!(
                h,
                "<li>{} <em>({})</em><br><small>explains: {}</small></li>",
                e(&d.cause),
                e(&d.reference),
                e(&d.explains.join(", "))
            );
        }
        h.push_str("</ul>");
    }
    h.push_str("<h2>Suites</h2><table><tr><th>suite</th><th>version</th><th>checks</th><th>passed</th><th>not passed</th><th>needed by the features</th></tr>");
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
    let _ = write!(
        h,
        "<h2>Checks</h2><p>Run {} started {}, {} ms, against <code>{}</code>.</p><table><tr><th>suite</th><th>check</th><th>level</th><th>result</th><th>reference and evidence</th></tr>",
        e(&r.run_id),
        r.started_at.to_rfc3339(),
        r.duration_ms,
        e(&r.target.base_url)
    );
    for suite in &r.suites {
        for check in &suite.checks {
            // results.json is input like any other: its status is escaped, not trusted.
            let status = check.outcome.label();
            let evidence = if status == "pass" {
                String::new()
            } else {
                format!("<pre>{}</pre>", e(&check.outcome.explanation()))
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{status}\">{status}</td><td>{}{evidence}</td></tr>",
                e(&suite.id),
                e(&check.title),
                // The level as it is, and the RFC keyword: a SHOULD check is not "required".
                e(&match check.keyword {
                    Some(k) => format!("{} {}", check.level.as_str(), k.as_str()),
                    None => check.level.as_str().to_string(),
                }),
                e(&check.reference)
            );
        }
    }
    h.push_str("</table>");
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

/// Okta's QA plan, case by case: status, checks with their verdicts, what a person does.
fn plan_section(h: &mut String, plan: &scim_results::PlanReport) {
    let e = |text: &str| untrusted::html(text).into_owned();
    let _ = write!(
        h,
        "<h2>Okta's QA plan</h2><p id=\"qa-plan\">{}</p><table><tr><th>case</th><th>status</th><th>checks</th><th>by hand</th></tr>",
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
