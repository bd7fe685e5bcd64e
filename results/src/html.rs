//! The sections both HTML reports show (the run's `report.html` and the bundle's), rendered
//! once: the page's head and style, the root causes, the profile scorecard, and every check of
//! every suite, opening to its evidence (what was expected, what came back, the reference, the
//! redacted exchanges), with the cleanup lines.
//!
//! Every page is a `maud` template: each value spliced into one is escaped unless it is marked
//! as markup (`PreEscaped`, only for scimcheck's own style, script and sections), so server
//! responses and bundle files, which are untrusted input, cannot write markup. What a server
//! sent is spliced as [`Sent`], which also shows control characters as `\u{…}`.

use maud::{DOCTYPE, Markup, PreEscaped, Render, html};

use crate::{CheckResult, Diagnosis, Exchange, ProfileScore, RunReport};

/// The style of both reports.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;max-width:78em;color:#222}\
h1{font-size:1.5em}.pass{color:#167a2e}.fail,.error{color:#b3261e}.warn{color:#8a5a00}\
.skip,.blocked,.partial{color:#5c5c6e}.bar{display:flex;height:.8em;width:24em;border-radius:3px;overflow:hidden;background:#eee}\
.bar span{display:block;height:100%}.b-pass{background:#2e9e4f}.b-fail{background:#d0352b}.b-warn{background:#e0a100}.b-other{background:#9a9aae}\
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;text-align:left;vertical-align:top}\
table.grid td,table.grid th{border:1px solid #ccc}\
details{border-bottom:1px solid #e4e4e4;padding:.25em 0}summary{cursor:pointer}\
summary .tag{display:inline-block;width:5.5em;font-weight:600}pre{background:#f6f6f8;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-all;max-height:30em}\
.meta{color:#555;font-size:.9em}#filters{margin:1em 0}#filters button{margin-right:.3em}\
.hidden{display:none}";

/// Text a server sent (a body, a detail, an explanation quoting one): escaped, with control
/// characters shown as `\u{…}` rather than hidden ([`untrusted::html`]).
pub struct Sent<'a>(pub &'a str);

impl Render for Sent<'_> {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str(&untrusted::html(self.0));
    }
}

/// A whole page: the doctype, a head with the title and the style, and the body.
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// The root causes, when there are any.
pub fn diagnoses(diagnoses: &[Diagnosis]) -> Markup {
    html! {
        @if !diagnoses.is_empty() {
            h2 { "Root causes, in the order to fix them" }
            ol #diagnoses {
                @for d in diagnoses {
                    li {
                        (d.cause) " " em { "(" (d.reference) ")" }
                        @if !d.fix.is_empty() { br; "Fix: " (d.fix) }
                        br;
                        span.meta {
                            "explains " (crate::count(d.explains.len(), "check")) ": "
                            (d.explains.join(", "))
                        }
                    }
                }
            }
        }
    }
}

/// The profile scorecard, when the run graded profiles: each profile's MUST/SHOULD/MAY met of
/// those judged, its verdict, and the unmet requirements with their sections.
pub fn scorecard(rows: &[ProfileScore]) -> Markup {
    html! {
        @if !rows.is_empty() {
            h2 { "Profile scorecard" }
            table.grid #scorecard {
                tr {
                    th { "profile" } th { "suite" } th { "MUST met" } th { "SHOULD met" }
                    th { "MAY met" } th { "verdict" } th { "not met" }
                }
                @for row in rows {
                    tr {
                        td { (row.profile) } td { (row.suite) } td { (row.must.line()) }
                        td { (row.should.line()) } td { (row.may.line()) }
                        td class=(verdict_class(row.verdict)) { (row.verdict.as_str()) }
                        td { (lines(row.unmet_labels().iter())) }
                    }
                }
            }
        }
    }
}

fn verdict_class(verdict: crate::ScoreVerdict) -> &'static str {
    match verdict {
        crate::ScoreVerdict::Meets => "pass",
        crate::ScoreVerdict::DoesNotMeet => "fail",
        crate::ScoreVerdict::NotFullyJudged => "skip",
    }
}

/// Values one under another in a cell.
pub fn lines<T: Render>(values: impl Iterator<Item = T>) -> Markup {
    html! {
        @for (i, value) in values.enumerate() {
            @if i > 0 { br; }
            (value)
        }
    }
}

/// Every suite's checks, each opening to its evidence, then the suite's cleanup lines.
pub fn checks(report: &RunReport) -> Markup {
    html! {
        @for suite in &report.suites {
            h3 { (suite.id) " " span.meta { (suite.title) } }
            @for check in &suite.checks { (check_row(check)) }
            @for c in &suite.cleanup { p.meta { (c.line()) } }
        }
    }
}

fn check_row(check: &CheckResult) -> Markup {
    // results.json is input like any other: the label comes from the outcome, not its text.
    let status = check.outcome.label();
    let explanation = check.outcome.explanation();
    html! {
        details.check data-status=(status) {
            summary {
                span class={ "tag " (status) } { (status.to_uppercase()) }
                " " (check.level.as_str()) " "
                @if let Some(k) = check.keyword { (k.as_str()) " " }
                (check.title) " "
                span.meta {
                    "(" (check.duration_ms) " ms"
                    @if let Some(note) = &check.note { ", " (Sent(note)) }
                    ")"
                }
            }
            @if !explanation.is_empty() { pre.why { (Sent(&explanation)) } }
            p.meta {
                (check.id) " · reference: " (check.reference)
                @if let Some(l) = &check.location { " · written at " (l) }
            }
            @for x in &check.exchanges { pre.exchange { (Sent(&pretty(x))) } }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_splice_is_escaped_and_what_a_server_sent_shows_its_controls() {
        let hostile = "<script>alert(1)</script>\"&\u{1b}[31m";
        let page = page(hostile, html! { p { (hostile) } pre { (Sent(hostile)) } }).into_string();
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;"));
        assert!(
            page.contains("<pre>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;\\u{1b}[31m</pre>"),
            "{page}"
        );
    }
}
