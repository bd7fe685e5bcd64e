//! GitHub Actions: a Markdown job summary (for `$GITHUB_STEP_SUMMARY`) and workflow-command
//! annotations (`::error`/`::warning` on stdout), both functions of the report.
//!
//! Server text is untrusted twice over here: GitHub renders Markdown and HTML inside a job
//! summary, and a line that starts with `::` (or holds `##[`) is a workflow command. Every
//! value in the summary is a code span (no link, image, emphasis or HTML can render from it);
//! annotation messages are encoded as GitHub requires (`%`, CR and LF as `%25`, `%0D`,
//! `%0A`), so no server text can start a line of its own, and `##[` is escaped.

use std::io::Write;

use crate::report::{CheckResult, Outcome, RunReport};
use crate::suite::Level;

/// Writes the job summary: the verdict, a table per suite, the root causes and the checks
/// that failed.
pub fn write_summary(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &report.summary;
    let verdict = if report.aborted.is_some() {
        "❌ could not judge the app"
    } else if s.required_failed > 0 {
        "❌ FAILED"
    } else {
        "✅ PASSED"
    };
    writeln!(
        out,
        "## scimcheck: {verdict}\n\n{} at {}: {}, {} HTTP requests.\n",
        report
            .scim_version
            .as_ref()
            .map_or("SCIM".to_string(), |v| format!(
                "SCIM {}",
                code(v.version.as_str())
            )),
        code(&report.target.base_url),
        s.counts(),
        s.requests
    )?;
    if let Some(abort) = &report.aborted {
        writeln!(out, "> {}\n", code(&abort.message))?;
    }
    writeln!(
        out,
        "| suite | passed | failed | warnings | not run |\n|---|---|---|---|---|"
    )?;
    for suite in &report.suites {
        let count = |f: fn(&Outcome) -> bool| suite.checks.iter().filter(|c| f(&c.outcome)).count();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&suite.id),
            count(|o| matches!(o, Outcome::Pass)),
            count(|o| matches!(o, Outcome::Fail { .. } | Outcome::Error { .. })),
            count(|o| matches!(o, Outcome::Warn { .. })),
            count(|o| {
                matches!(
                    o,
                    Outcome::Skip { .. } | Outcome::Blocked { .. } | Outcome::Partial { .. }
                )
            }),
        )?;
    }
    if !report.diagnoses.is_empty() {
        writeln!(out, "\n### Root causes, in the order to fix them\n")?;
        for d in &report.diagnoses {
            writeln!(
                out,
                "1. {} ({})<br>Fix: {}<br>Explains {}: {}",
                code(&d.cause),
                code(&d.reference),
                code(&d.fix),
                scim_results::count(d.explains.len(), "check"),
                code(&d.explains.join(", "))
            )?;
        }
    }
    scorecard(report, out)?;
    failed_checks(report, out)
}

/// The profile scorecard, when the run graded profiles.
fn scorecard(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    if report.scorecard.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### Profile scorecard\n")?;
    writeln!(
        out,
        "| profile | MUST met | SHOULD met | verdict | not met |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    for row in &report.scorecard {
        let unmet = row.unmet_labels();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(&row.profile),
            row.must.line(),
            row.should.line(),
            row.verdict.as_str(),
            code(&unmet.join("; "))
        )?;
    }
    Ok(())
}

/// The checks that fail the run, and the warnings (and optional failures), as tables.
fn failed_checks(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let failed: Vec<(&str, &CheckResult)> = report
        .suites
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s.id.as_str(), c)))
        .filter(|(_, c)| c.fails_run())
        .collect();
    check_table(out, "Failed checks", &failed)?;
    let warned: Vec<(&str, &CheckResult)> = report
        .suites
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s.id.as_str(), c)))
        .filter(|(_, c)| {
            !c.fails_run()
                && matches!(
                    c.outcome,
                    Outcome::Warn { .. } | Outcome::Fail { .. } | Outcome::Error { .. }
                )
        })
        .collect();
    check_table(out, "Warnings", &warned)
}

/// A table of checks with why and the reference, under a heading (nothing when there are none).
fn check_table(
    out: &mut dyn Write,
    heading: &str,
    checks: &[(&str, &CheckResult)],
) -> std::io::Result<()> {
    if checks.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### {heading}\n")?;
    writeln!(out, "| check | why | reference |\n|---|---|---|")?;
    for (suite, c) in checks {
        writeln!(
            out,
            "| {} {} | {} | {} |",
            cell(&format!("{suite}/{}", c.id)),
            cell(&c.title),
            cell(&c.outcome.explanation()),
            cell(&c.reference)
        )?;
    }
    Ok(())
}

/// Writes the step outputs (`$GITHUB_OUTPUT`, one `name=value` a line): the verdict, the counts
/// and where the result files are (`out` is the results folder as the run was given it). A
/// value never holds a line break, so no value can add an output of its own.
pub fn write_outputs(report: &RunReport, out: &str, to: &mut dyn Write) -> std::io::Result<()> {
    let s = &report.summary;
    let verdict = if report.aborted.is_some() {
        "error"
    } else if report.interrupted {
        "interrupted"
    } else if s.required_failed > 0 {
        "failed"
    } else {
        "passed"
    };
    let one_line = |v: &str| v.replace(['\r', '\n'], " ");
    let dir = one_line(out.trim_end_matches('/'));
    for (name, value) in [
        ("verdict", verdict.to_string()),
        ("passed", s.passed.to_string()),
        ("failed", s.required_failed.to_string()),
        ("warnings", s.warnings.to_string()),
        ("left-behind", s.leftovers.to_string()),
        ("results", format!("{dir}/results.json")),
        ("junit", format!("{dir}/junit.xml")),
        ("report", format!("{dir}/report.html")),
    ] {
        writeln!(to, "{name}={value}")?;
    }
    Ok(())
}

/// GitHub shows at most this many annotations of one level per step: more are dropped
/// silently, so the last one shown says how many more there are.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// Writes the annotations: one `::error` per root cause (naming the checks it explains), one
/// per other check that fails the run, and one `::warning` per warning or optional failure;
/// at most [`ANNOTATIONS_PER_LEVEL`] of each level, the last saying how many more the job
/// summary lists.
pub fn write_annotations(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut errors: Vec<(String, String)> = Vec::new();
    if let Some(abort) = &report.aborted {
        errors.push((
            "scimcheck could not judge the app".into(),
            abort.message.clone(),
        ));
    }
    let explained: std::collections::BTreeSet<&String> =
        report.diagnoses.iter().flat_map(|d| &d.explains).collect();
    for d in &report.diagnoses {
        errors.push((
            format!("root cause: {}", d.id),
            format!(
                "{} ({})\nfix: {}\nexplains {}: {}",
                d.cause,
                d.reference,
                d.fix,
                scim_results::count(d.explains.len(), "check"),
                d.explains.join(", ")
            ),
        ));
    }
    let mut warnings = Vec::new();
    for suite in &report.suites {
        for c in &suite.checks {
            let key = format!("{}/{}", suite.id, c.id);
            let text = format!(
                "{}\n{}\nreference: {}",
                c.title,
                c.outcome.explanation(),
                c.reference
            );
            match (&c.outcome, c.level) {
                (Outcome::Fail { .. } | Outcome::Error { .. }, Level::Required)
                    if !explained.contains(&key) =>
                {
                    errors.push((key, text));
                }
                (Outcome::Fail { .. } | Outcome::Error { .. }, Level::Required) => {}
                (Outcome::Fail { .. } | Outcome::Error { .. } | Outcome::Warn { .. }, _) => {
                    warnings.push((key, text));
                }
                _ => {}
            }
        }
    }
    annotate(out, "error", &errors, "failures")?;
    annotate(out, "warning", &warnings, "warnings")
}

/// Up to [`ANNOTATIONS_PER_LEVEL`] annotations of a level; beyond, the last one counts the rest.
fn annotate(
    out: &mut dyn Write,
    level: &str,
    items: &[(String, String)],
    what: &str,
) -> std::io::Result<()> {
    let shown = if items.len() > ANNOTATIONS_PER_LEVEL {
        ANNOTATIONS_PER_LEVEL - 1
    } else {
        items.len()
    };
    for (title, text) in &items[..shown] {
        writeln!(
            out,
            "::{level} title={}::{}",
            property(title),
            message(text)
        )?;
    }
    if items.len() > shown {
        let rest = &items[shown..];
        writeln!(
            out,
            "::{level} title={}::{}",
            property(&format!("{} more {what}", rest.len())),
            message(&format!(
                "GitHub shows {ANNOTATIONS_PER_LEVEL} annotations per step: the job summary lists every one. Not shown here: {}",
                rest.iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        )?;
    }
    Ok(())
}

/// A value in a Markdown table: a code span on one line, `|` escaped.
fn cell(text: &str) -> String {
    untrusted::markdown_code(text, true)
}

/// A value in Markdown text: a code span on one line.
fn code(text: &str) -> String {
    untrusted::markdown_code(text, false)
}

/// A workflow command's message (GitHub's escaping for data, and no legacy `##[` command).
fn message(text: &str) -> String {
    untrusted::workflow_safe(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (data escaping plus `:` and `,`).
fn property(text: &str) -> String {
    message(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_start_a_workflow_command() {
        let m = message("bad\n::set-env name=X::1\r100%");
        assert_eq!(m, "bad%0A:\\u{3a}set-env name=X::1%0D100%25");
        assert!(!m.contains('\n'));
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(cell("<img>|x\ny"), "`<img>\\|x y`");
        assert_eq!(message("a ##[error]b"), "a #\\u{23}[error]b");
    }
}
