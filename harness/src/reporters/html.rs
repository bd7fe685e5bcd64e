//! `report.html`: the run for a person, in one offline file (no network, works from
//! `file://`): the verdict, a bar per suite (passed, failed, warned, not run), the root causes,
//! then one row per check that opens to what was sent and what came back (redacted, JSON
//! pretty-printed), what was expected, the reference, the hint and where the check is written.
//! Filters (failed / warnings / all) and a search box are a few lines of inline script; without
//! script every row is still there.
//!
//! Every value that is not scimcheck's own text goes through [`untrusted::html`]: server
//! responses are untrusted input.

use std::fmt::Write as _;
use std::io::Write;

use crate::report::{Outcome, RunReport, SuiteReport};
use scim_results::html::{STYLE, e};

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
/// bundle): the comparison's HTML (from `reporters::diff::html`), after the root causes.
pub fn write_with(
    report: &RunReport,
    comparison: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut h = String::new();
    let s = &report.summary;
    let (verdict, class) = if report.aborted.is_some() {
        ("COULD NOT JUDGE THE APP", "error")
    } else if s.required_failed > 0 {
        ("FAILED", "fail")
    } else {
        ("PASSED", "pass")
    };
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>scimcheck: {verdict}</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        h,
        "<h1>scimcheck: <span class=\"{class}\" id=\"verdict\">{verdict}</span></h1><p class=\"meta\">{} at <code>{}</code> ({} auth), run {} started {}, {} ms, {} HTTP requests, scimcheck {}</p>",
        report
            .scim_version
            .as_ref()
            .map_or("SCIM".to_string(), |v| format!(
                "SCIM {} ({})",
                e(v.version.as_str()),
                e(&v.how)
            )),
        e(&report.target.base_url),
        e(report.target.auth.as_str()),
        e(&report.run_id),
        report.started_at.to_rfc3339(),
        report.duration_ms,
        s.requests,
        e(&report.tool.version)
    );
    let _ = write!(h, "<p>{}; {} left in the app.</p>", s.counts(), s.leftovers);
    if report.target.insecure {
        let _ = write!(
            h,
            "<p class=\"fail\" id=\"insecure\"><strong>INSECURE RUN</strong>: certificates were not verified (--insecure). These results prove nothing about who answered; <code>scimcheck package</code> refuses them.</p>"
        );
    }
    let _ = write!(
        h,
        "<p class=\"meta\">TLS trust: {}{}</p>",
        e(&report.target.tls),
        report
            .target
            .proxy
            .as_ref()
            .map_or(String::new(), |p| format!("; proxy: {}", e(p)))
    );
    if let Some(abort) = &report.aborted {
        let _ = write!(
            h,
            "<p class=\"error\"><strong>{}</strong></p>",
            e(&abort.message)
        );
    }
    for n in &report.notices {
        let _ = write!(h, "<p class=\"meta\">note: {}</p>", e(n));
    }
    h.push_str("<table><tr><th>suite</th><th></th><th>passed</th><th>failed</th><th>warnings</th><th>not run</th></tr>");
    for suite in &report.suites {
        suite_row(&mut h, suite);
    }
    h.push_str("</table>");
    scim_results::html::diagnoses(&mut h, &report.diagnoses);
    scim_results::html::scorecard(&mut h, &report.scorecard);
    if let Some(section) = comparison {
        h.push_str(section);
    }
    h.push_str("<h2>Checks</h2><div id=\"filters\"><button data-mode=\"failed\">failed</button><button data-mode=\"warnings\">warnings</button><button data-mode=\"all\">all</button> <input id=\"search\" type=\"search\" placeholder=\"search\"></div>");
    scim_results::html::checks(&mut h, report);
    let _ = writeln!(h, "<script>{SCRIPT}</script></body></html>");
    out.write_all(h.as_bytes())
}

fn suite_row(h: &mut String, suite: &SuiteReport) {
    let n = suite.checks.len().max(1) as f64;
    let count = |f: fn(&Outcome) -> bool| suite.checks.iter().filter(|c| f(&c.outcome)).count();
    let pass = count(|o| matches!(o, Outcome::Pass));
    let fail = count(|o| matches!(o, Outcome::Fail { .. } | Outcome::Error { .. }));
    let warn = count(|o| matches!(o, Outcome::Warn { .. }));
    let other = suite.checks.len() - pass - fail - warn;
    let width = |k: usize| 100.0 * k as f64 / n;
    let _ = write!(
        h,
        "<tr><td>{}</td><td><div class=\"bar\"><span class=\"b-pass\" style=\"width:{:.1}%\"></span><span class=\"b-fail\" style=\"width:{:.1}%\"></span><span class=\"b-warn\" style=\"width:{:.1}%\"></span><span class=\"b-other\" style=\"width:{:.1}%\"></span></div></td><td>{pass}</td><td>{fail}</td><td>{warn}</td><td>{other}</td></tr>",
        e(&suite.id),
        width(pass),
        width(fail),
        width(warn),
        width(other)
    );
}
