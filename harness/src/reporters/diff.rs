//! Two runs compared, for a person: every check that did not stay the same, then the counts.

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
    let counts: Vec<String> = CHANGES
        .iter()
        .map(|(change, word)| format!("{} {word}", d.with(*change).count()))
        .collect();
    writeln!(
        out,
        "compared {} checks: {}",
        d.checks.len(),
        counts.join(", ")
    )
}
