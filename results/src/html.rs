//! The sections both HTML reports show (the run's `report.html` and the bundle's), rendered
//! once: the style, the root causes, and every check of every suite, opening to its evidence
//! (what was expected, what came back, the reference, the redacted exchanges), with the
//! cleanup lines. Every value that is not scimcheck's own text is escaped
//! ([`untrusted::html`]): server responses and bundle files are untrusted input.

use std::fmt::Write as _;

use crate::{CheckResult, Diagnosis, Exchange, ProfileScore, RunReport};

/// The style of both reports.
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;max-width:78em;color:#222}\
h1{font-size:1.5em}.pass{color:#167a2e}.fail,.error{color:#b3261e}.warn{color:#8a5a00}\
.skip,.blocked,.partial{color:#5c5c6e}.bar{display:flex;height:.8em;width:24em;border-radius:3px;overflow:hidden;background:#eee}\
.bar span{display:block;height:100%}.b-pass{background:#2e9e4f}.b-fail{background:#d0352b}.b-warn{background:#e0a100}.b-other{background:#9a9aae}\
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;text-align:left;vertical-align:top}\
table.grid td,table.grid th{border:1px solid #ccc}\
details{border-bottom:1px solid #e4e4e4;padding:.25em 0}summary{cursor:pointer}\
summary .tag{display:inline-block;width:5.5em;font-weight:600}pre{background:#f6f6f8;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-all;max-height:30em}\
.meta{color:#555;font-size:.9em}#filters{margin:1em 0}#filters button{margin-right:.3em}\
.hidden{display:none}";

/// Text for HTML.
pub fn e(text: &str) -> String {
    untrusted::html(text).into_owned()
}

/// The root causes, when there are any.
pub fn diagnoses(h: &mut String, diagnoses: &[Diagnosis]) {
    if diagnoses.is_empty() {
        return;
    }
    h.push_str("<h2>Root causes, in the order to fix them</h2><ol id=\"diagnoses\">");
    for d in diagnoses {
        let _ = write!(h, "<li>{} <em>({})</em>", e(&d.cause), e(&d.reference));
        if !d.fix.is_empty() {
            let _ = write!(h, "<br>Fix: {}", e(&d.fix));
        }
        let _ = write!(
            h,
            "<br><span class=\"meta\">explains {}: {}</span></li>",
            e(&crate::count(d.explains.len(), "check")),
            e(&d.explains.join(", "))
        );
    }
    h.push_str("</ol>");
}

/// The profile scorecard, when the run graded profiles: each profile's MUST/SHOULD/MAY met of
/// those judged, its verdict, and the unmet requirements with their sections.
pub fn scorecard(h: &mut String, rows: &[ProfileScore]) {
    if rows.is_empty() {
        return;
    }
    h.push_str("<h2>Profile scorecard</h2><table class=\"grid\" id=\"scorecard\"><tr><th>profile</th><th>suite</th><th>MUST met</th><th>SHOULD met</th><th>MAY met</th><th>verdict</th><th>not met</th></tr>");
    for row in rows {
        let class = match row.verdict {
            crate::ScoreVerdict::Meets => "pass",
            crate::ScoreVerdict::DoesNotMeet => "fail",
            crate::ScoreVerdict::NotFullyJudged => "skip",
        };
        let unmet: Vec<String> = row.unmet_labels().iter().map(|u| e(u)).collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td>{}</td></tr>",
            e(&row.profile),
            e(&row.suite),
            e(&row.must.line()),
            e(&row.should.line()),
            e(&row.may.line()),
            row.verdict.as_str(),
            unmet.join("<br>")
        );
    }
    h.push_str("</table>");
}

/// Every suite's checks, each opening to its evidence, then the suite's cleanup lines.
pub fn checks(h: &mut String, report: &RunReport) {
    for suite in &report.suites {
        let _ = write!(
            h,
            "<h3>{} <span class=\"meta\">{}</span></h3>",
            e(&suite.id),
            e(&suite.title)
        );
        for check in &suite.checks {
            check_row(h, check);
        }
        for c in &suite.cleanup {
            let _ = write!(h, "<p class=\"meta\">{}</p>", e(&c.line()));
        }
    }
}

fn check_row(h: &mut String, check: &CheckResult) {
    // results.json is input like any other: the label comes from the outcome, not its text.
    let status = check.outcome.label();
    let keyword = check
        .keyword
        .map(|k| format!("{} ", k.as_str()))
        .unwrap_or_default();
    let _ = write!(
        h,
        "<details class=\"check\" data-status=\"{status}\"><summary><span class=\"tag {status}\">{}</span> {} {keyword}{} <span class=\"meta\">({} ms{})</span></summary>",
        status.to_uppercase(),
        check.level.as_str(),
        e(&check.title),
        check.duration_ms,
        check
            .note
            .as_ref()
            .map(|n| format!(", {}", e(n)))
            .unwrap_or_default()
    );
    let explanation = check.outcome.explanation();
    if !explanation.is_empty() {
        let _ = write!(h, "<pre class=\"why\">{}</pre>", e(&explanation));
    }
    let _ = write!(
        h,
        "<p class=\"meta\">{} · reference: {}{}</p>",
        e(&check.id),
        e(&check.reference),
        check
            .location
            .as_ref()
            .map(|l| format!(" · written at {}", e(l)))
            .unwrap_or_default()
    );
    for x in &check.exchanges {
        let _ = write!(h, "<pre class=\"exchange\">{}</pre>", e(&pretty(x)));
    }
    h.push_str("</details>");
}

/// An exchange as text, JSON bodies pretty-printed.
fn pretty(x: &Exchange) -> String {
    x.transcript_with(&|b: &str| {
        serde_json::from_str::<serde_json::Value>(b)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| b.to_string())
    })
}
