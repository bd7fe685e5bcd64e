//! Two runs compared, for a person: every check that did not stay the same, then the counts;
//! on a terminal, in a job summary (Markdown) and in report.html.

use std::io::Write;

use scim_results::{Change, RunDiff};

use crate::reporters::terminal::Style;

/// The order and words of the changes.
const CHANGES: [(Change, &str); 8] = [
    (Change::Regressed, "regressed"),
    (Change::NewlyBlocked, "newly blocked"),
    (Change::Fixed, "fixed"),
    (Change::OutcomeChanged, "outcome changed"),
    (Change::EvidenceChanged, "evidence changed"),
    (Change::Added, "added"),
    (Change::Removed, "removed"),
    (Change::Same, "same"),
];

/// The counts of each change, in words ("2 regressed, 0 newly blocked, …").
fn counts(d: &RunDiff) -> String {
    CHANGES
        .iter()
        .map(|(change, word)| format!("{} {word}", d.with(*change).count()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The checks that did not stay the same, each with the word for its change, in order.
fn changed(d: &RunDiff) -> impl Iterator<Item = (&'static str, &scim_results::CheckDiff)> {
    CHANGES
        .iter()
        .filter(|(c, _)| *c != Change::Same)
        .flat_map(|(change, word)| d.with(*change).map(move |c| (*word, c)))
}

/// Writes the comparison as a job-summary section (every value a code span).
pub fn write_markdown(d: &RunDiff, title: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let code = |t: &str| untrusted::markdown_code(t, true);
    writeln!(out, "\n### Compared with {}\n", code(title))?;
    writeln!(out, "{} checks: {}\n", d.checks.len(), counts(d))?;
    let rows: Vec<_> = changed(d).collect();
    if !rows.is_empty() {
        writeln!(out, "| change | check | before | now |\n|---|---|---|---|")?;
        for (word, c) in rows {
            writeln!(
                out,
                "| {word} | {} | {} | {} |",
                code(&c.key),
                code(c.before.as_deref().unwrap_or("-")),
                code(c.now.as_deref().unwrap_or("-"))
            )?;
        }
    }
    Ok(())
}

/// The comparison as a report.html section.
pub fn html(d: &RunDiff, title: &str) -> maud::Markup {
    let rows: Vec<_> = changed(d).collect();
    maud::html! {
        h2 { "Compared with " (title) }
        p #comparison { (d.checks.len()) " checks: " (counts(d)) }
        @if !rows.is_empty() {
            table.grid {
                tr { th { "change" } th { "check" } th { "before" } th { "now" } }
                @for (word, c) in rows {
                    tr {
                        td class=(change_class(c.change)) { (word) }
                        td { code { (c.key) } }
                        td { (c.before.as_deref().unwrap_or("-")) }
                        td { (c.now.as_deref().unwrap_or("-")) }
                    }
                }
            }
        }
    }
}

fn change_class(change: Change) -> &'static str {
    match change {
        Change::Regressed | Change::NewlyBlocked => "fail",
        Change::Fixed => "pass",
        _ => "warn",
    }
}

/// Writes the comparison.
pub fn write(d: &RunDiff, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    for (change, word) in CHANGES.iter().filter(|(c, _)| *c != Change::Same) {
        for c in d.with(*change) {
            let padded = format!("{word:<16}");
            let tag = match change {
                Change::Regressed | Change::NewlyBlocked => style.paint("31", &padded),
                Change::Fixed => style.paint("32", &padded),
                _ => style.paint("33", &padded),
            };
            let evidence = c
                .evidence
                .as_ref()
                .map(|(b, n)| format!(", statuses {b:?} → {n:?}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {tag} {} ({} → {}{evidence})",
                untrusted::terminal_line(&c.key),
                c.before.as_deref().unwrap_or("-"),
                c.now.as_deref().unwrap_or("-"),
            )?;
        }
    }
    writeln!(out, "compared {} checks: {}", d.checks.len(), counts(d))
}
