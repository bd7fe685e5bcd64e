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
    failed_checks(report, out)
}

/// The checks that fail the run, as a table.
fn failed_checks(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let failed: Vec<(&str, &CheckResult)> = report
        .suites
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s.id.as_str(), c)))
        .filter(|(_, c)| c.fails_run())
        .collect();
    if !failed.is_empty() {
        writeln!(out, "\n### Failed checks\n")?;
        writeln!(out, "| check | why | reference |\n|---|---|---|")?;
        for (suite, c) in failed {
            writeln!(
                out,
                "| {} {} | {} | {} |",
                cell(&format!("{suite}/{}", c.id)),
                cell(&c.title),
                cell(&c.outcome.explanation()),
                cell(&c.reference)
            )?;
        }
    }
    Ok(())
}

/// Writes one annotation per check that fails the run (`::error`) and per warning or
/// optional failure (`::warning`).
pub fn write_annotations(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some(abort) = &report.aborted {
        writeln!(
            out,
            "::error title=scimcheck could not judge the app::{}",
            message(&abort.message)
        )?;
    }
    for suite in &report.suites {
        for c in &suite.checks {
            let level = match (&c.outcome, c.level) {
                (Outcome::Fail { .. } | Outcome::Error { .. }, Level::Required) => "error",
                (Outcome::Fail { .. } | Outcome::Error { .. } | Outcome::Warn { .. }, _) => {
                    "warning"
                }
                _ => continue,
            };
            writeln!(
                out,
                "::{level} title={}::{}",
                property(&format!("{}/{}", suite.id, c.id)),
                message(&format!(
                    "{}\n{}\nreference: {}",
                    c.title,
                    c.outcome.explanation(),
                    c.reference
                ))
            )?;
        }
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
