//! `report.html`: the run for a person, in one offline file (no network, works from
//! `file://`): the verdict, a bar per suite (passed, failed, warned, not run), the root causes,
//! then one row per check that opens to what was sent and what came back (redacted, JSON
//! pretty-printed), what was expected, the reference, the hint and where the check is written.
//! Filters (failed / warnings / all) and a search box are a few lines of inline script; without
//! script every row is still there.
//!
//! A `maud` template: every value spliced in is escaped (server responses are untrusted
//! input); only scimcheck's own script and the comparison section it rendered go in as markup.

use std::io::Write;

use maud::{Markup, PreEscaped, html};

use crate::report::{Outcome, RunReport, SuiteReport};
use scim_results::html::{Sent, checks, diagnoses, page, scorecard};

const SCRIPT: &str = "(function(){var mode='all';var q=document.getElementById('search');\
function apply(){var t=q.value.toLowerCase();document.querySelectorAll('details.check').forEach(function(d){\
var s=d.getAttribute('data-status');var show=(mode==='all')||(mode==='failed'&&(s==='fail'||s==='error'))||(mode==='warnings'&&s==='warn');\
if(t&&d.textContent.toLowerCase().indexOf(t)<0){show=false}d.classList.toggle('hidden',!show)})}\
document.querySelectorAll('#filters button').forEach(function(b){b.addEventListener('click',function(){mode=b.getAttribute('data-mode');apply()})});\
q.addEventListener('input',apply);if(location.hash==='#open-failures'){document.querySelectorAll('details.check[data-status=fail],details.check[data-status=error]').forEach(function(d){d.open=true})}})();";

/// Writes the report.
pub fn write(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    write_with(report, None, out)
}

/// Writes the report with a section that compares it with an earlier run (a rerun of a
/// bundle): the comparison (from `reporters::diff::html`), after the root causes.
pub fn write_with(
    report: &RunReport,
    comparison: Option<Markup>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (verdict, class) = if report.aborted.is_some() {
        ("COULD NOT JUDGE THE APP", "error")
    } else if report.summary.required_failed > 0 {
        ("FAILED", "fail")
    } else {
        ("PASSED", "pass")
    };
    let body = html! {
        h1 { "scimcheck: " span class=(class) id="verdict" { (verdict) } }
        (run_line(report))
        p { (report.summary.counts()) "; " (report.summary.leftovers) " left in the app." }
        @if report.target.insecure {
            p.fail #insecure {
                strong { "INSECURE RUN" }
                ": certificates were not verified (--insecure). These results prove nothing about who answered; "
                code { "scimcheck package" } " refuses them."
            }
        }
        p.meta {
            "TLS trust: " (report.target.tls)
            @if let Some(proxy) = &report.target.proxy { "; proxy: " (proxy) }
        }
        @if let Some(abort) = &report.aborted { p.error { strong { (Sent(&abort.message)) } } }
        @for n in &report.notices { p.meta { "note: " (Sent(n)) } }
        table {
            tr {
                th { "suite" } th {} th { "passed" } th { "failed" } th { "warnings" } th { "not run" }
            }
            @for suite in &report.suites { (suite_row(suite)) }
        }
        (diagnoses(&report.diagnoses))
        (scorecard(&report.scorecard))
        @if let Some(section) = comparison { (section) }
        h2 { "Checks" }
        div #filters {
            button data-mode="failed" { "failed" }
            button data-mode="warnings" { "warnings" }
            button data-mode="all" { "all" }
            " "
            input #search type="search" placeholder="search";
        }
        (checks(report))
        script { (PreEscaped(SCRIPT)) }
    };
    let html = page(&format!("scimcheck: {verdict}"), body).into_string();
    out.write_all(html.as_bytes())?;
    out.write_all(b"\n")
}

/// Which app, version and run: the line under the verdict.
fn run_line(report: &RunReport) -> Markup {
    html! {
        p.meta {
            @match &report.scim_version {
                Some(v) => { "SCIM " (v.version.as_str()) " (" (v.how) ")" }
                None => { "SCIM" }
            }
            " at " code { (report.target.base_url) }
            " (" (report.target.auth.as_str()) " auth), run " (report.run_id)
            " started " (report.started_at.to_rfc3339()) ", " (report.duration_ms) " ms, "
            (report.summary.requests) " HTTP requests, scimcheck " (report.tool.version)
        }
    }
}

fn suite_row(suite: &SuiteReport) -> Markup {
    let n = suite.checks.len().max(1) as f64;
    let count = |f: fn(&Outcome) -> bool| suite.checks.iter().filter(|c| f(&c.outcome)).count();
    let pass = count(|o| matches!(o, Outcome::Pass));
    let fail = count(|o| matches!(o, Outcome::Fail { .. } | Outcome::Error { .. }));
    let warn = count(|o| matches!(o, Outcome::Warn { .. }));
    let other = suite.checks.len() - pass - fail - warn;
    let width = |k: usize| format!("width:{:.1}%", 100.0 * k as f64 / n);
    html! {
        tr {
            td { (suite.id) }
            td {
                div.bar {
                    span.b-pass style=(width(pass)) {}
                    span.b-fail style=(width(fail)) {}
                    span.b-warn style=(width(warn)) {}
                    span.b-other style=(width(other)) {}
                }
            }
            td { (pass) } td { (fail) } td { (warn) } td { (other) }
        }
    }
}
