//! The check catalogue (`scimcheck suites`): every built-in suite and its checks with id,
//! title, level and reference, as text or as a Markdown table (kept in a snapshot so the
//! docs stay honest).

use std::io::Write;

use crate::suite::Suite;

/// One block per suite, one line per check; `schedule` says how the run schedules a suite
/// (the run's `schedule::describe`).
pub fn write_text(
    suites: &[Suite],
    schedule: &dyn Fn(&Suite) -> String,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for s in suites {
        writeln!(
            out,
            "{}  {} (SCIM {}, {} checks)",
            s.id,
            s.title,
            s.scim_version,
            s.checks.len()
        )?;
        writeln!(out, "  reference: {}", s.reference)?;
        writeln!(out, "  schedule: {}", schedule(s))?;
        for c in &s.checks {
            writeln!(
                out,
                "  {:<30} {:<8} {}  [{}]",
                c.id,
                c.level.as_str(),
                c.title,
                c.reference
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// A Markdown section per suite with a table of its checks.
pub fn write_markdown(suites: &[Suite], out: &mut dyn Write) -> std::io::Result<()> {
    for s in suites {
        writeln!(out, "## `{}`: {}\n", s.id, s.title)?;
        writeln!(
            out,
            "SCIM {}; {}; file `{}`.\n",
            s.scim_version, s.reference, s.source
        )?;
        writeln!(out, "| # | id | title | level | reference |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for (i, c) in s.checks.iter().enumerate() {
            writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                i + 1,
                c.id,
                c.title.replace('|', "\\|"),
                c.level.as_str(),
                c.reference.replace('|', "\\|")
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
