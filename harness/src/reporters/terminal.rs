//! The terminal: a line per check while the run goes ([`Progress`], an [`Events`] listener,
//! on stderr), and the summary at the end ([`write_summary`], a function of the
//! report, on stdout).
//!
//! What it prints is pinned by the snapshot `tests/e2e/snapshots/e2e__reporters__terminal_snapshot.snap`
//! (one check of each outcome, a cleanup line, the root causes and the summary).
//!
//! Colours are used only when the caller says the stream is a terminal and `NO_COLOR` is unset.
//! Every text that did not come from scimcheck itself (server details, ids, schema names, suite
//! titles of a user's file) goes through [`untrusted::terminal`] first: a server must not be
//! able to rewrite the verdict on screen with escape sequences.

use std::io::Write;

use untrusted::terminal_line as safe_line;

use crate::report::VersionChoice;
use crate::report::{CheckResult, CleanupResult, Outcome, RunReport};
use crate::run::events::Events;
use crate::suite::Suite;

/// How to print: colours, and how much of each check that did not pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// 1: the request line and response status of each exchange of a check that did not
    /// pass; 2: the response body too (recorded evidence, secrets removed).
    pub verbose: u8,
}

impl Style {
    /// The text in this ANSI colour when colours are on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Writes a check's result line and, for failures, the explanation and reference.
pub fn write_check(result: &CheckResult, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let tag = match result.outcome {
        Outcome::Pass => style.paint("32", "PASS "),
        Outcome::Warn { .. } => style.paint("33", "WARN "),
        Outcome::Fail { .. } => style.paint("31", "FAIL "),
        Outcome::Error { .. } => style.paint("31", "ERROR"),
        Outcome::Skip { .. } => style.paint("33", "SKIP "),
        Outcome::Blocked { .. } => style.paint("35", "BLOCK"),
        Outcome::Partial { .. } => style.paint("36", "PART "),
    };
    // The RFC grade of the check, and whether it can fail the run, in words that cannot clash
    // ("required SHOULD" read as a contradiction): the grade in a column, and an optional
    // check said to be one that never fails the run.
    let grade = result.keyword.map_or("", |k| k.as_str());
    let note = result
        .note
        .as_ref()
        .map(|n| format!(", {}", safe_line(n)))
        .unwrap_or_default();
    let gate = match result.level {
        crate::suite::Level::Optional => " · never fails the run",
        crate::suite::Level::Required => "",
    };
    writeln!(
        out,
        "  {tag} {grade:<6}  {}  ({} ms{note}){gate}",
        safe_line(&result.title),
        result.duration_ms
    )?;
    if result.outcome != Outcome::Pass {
        for line in result.outcome.explanation().lines() {
            writeln!(out, "        {}", safe_line(line))?;
        }
        if !matches!(
            result.outcome,
            Outcome::Skip { .. } | Outcome::Blocked { .. }
        ) {
            writeln!(out, "        reference: {}", safe_line(&result.reference))?;
            if let Some(at) = &result.location {
                writeln!(out, "        at {}", safe_line(at))?;
            }
        }
        if style.verbose > 0 {
            write_exchanges(result, style.verbose, out)?;
        }
    }
    Ok(())
}

/// The round trips of a check that did not pass: request line and status, and with
/// `verbose` 2 the response body.
fn write_exchanges(result: &CheckResult, verbose: u8, out: &mut dyn Write) -> std::io::Result<()> {
    for x in &result.exchanges {
        let r = &x.request;
        writeln!(out, "        > {} {}", r.method, safe_line(&r.url))?;
        match (&x.response, &x.error) {
            (Some(resp), _) => {
                writeln!(out, "        < {} ({} ms)", resp.status, x.duration_ms)?;
                if verbose > 1 && !resp.body.is_empty() {
                    for line in resp.body.lines() {
                        writeln!(out, "        < {}", safe_line(line))?;
                    }
                }
            }
            (None, Some(e)) => writeln!(out, "        ! {}", safe_line(&e.message))?,
            (None, None) => {}
        }
    }
    Ok(())
}

fn write_cleanup(c: &CleanupResult, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "  {}", safe_line(&c.line()))
}

/// The width assumed when the terminal's is unknown.
const DEFAULT_WIDTH: usize = 80;

/// Live progress on a stream.
pub struct Progress<W: Write> {
    out: W,
    style: Style,
    /// Whether `out` is a terminal: only then does a long walk redraw one live line.
    live: bool,
    /// The terminal's width in columns: the live line is cut to fit it (a line that wraps
    /// leaves a stale copy at every redraw).
    width: usize,
    /// The live line is on screen (it is cleared before the next line is written).
    drawn: bool,
    walk_started: Option<std::time::Instant>,
    last_drawn: Option<std::time::Instant>,
    /// Checks skipped one after another for the same reason, shown as one entry when the
    /// run of them ends (an app without entitlements skips 16 checks for one reason).
    skipped: Vec<CheckResult>,
}

impl<W: Write> Progress<W> {
    /// Progress written to `out`.
    pub fn new(out: W, style: Style) -> Self {
        Progress {
            out,
            style,
            live: false,
            width: DEFAULT_WIDTH,
            drawn: false,
            walk_started: None,
            last_drawn: None,
            skipped: Vec::new(),
        }
    }

    /// Redraw a live line while an import walk runs (for a terminal; never in files or pipes),
    /// cut to the terminal's width (`COLUMNS` when set, else the terminal's own size).
    pub fn live(mut self, live: bool) -> Self {
        self.live = live;
        self.width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok())
            .or_else(|| {
                terminal_size::terminal_size_of(std::io::stderr()).map(|(w, _)| usize::from(w.0))
            })
            .filter(|w| *w >= 20)
            .unwrap_or(DEFAULT_WIDTH);
        self
    }

    /// The width the live line is cut to (`live` reads the terminal's).
    pub fn width(mut self, columns: usize) -> Self {
        self.width = columns.max(20);
        self
    }

    /// Shows the skipped checks held back: one as any check, several as one entry that names
    /// how many and the reason once.
    fn flush_skipped(&mut self) {
        let held = std::mem::take(&mut self.skipped);
        match held.as_slice() {
            [] => {}
            [one] => {
                let _ = write_check(one, self.style, &mut self.out);
            }
            [first, .., last] => {
                let _ = writeln!(
                    self.out,
                    "  {} {}: {} … {}",
                    self.style.paint("33", "SKIP "),
                    scim_results::count(held.len(), "check"),
                    safe_line(&first.title),
                    safe_line(&last.title)
                );
                for line in first.outcome.explanation().lines() {
                    let _ = writeln!(self.out, "        {}", safe_line(line));
                }
            }
        }
    }

    fn clear_live(&mut self) {
        if self.drawn {
            let _ = write!(self.out, "\r\x1b[2K");
            self.drawn = false;
        }
        self.walk_started = None;
    }
}

// Progress is best effort: a closed stderr must not stop the run or its cleanup.
impl<W: Write> Events for Progress<W> {
    fn suite_started(&mut self, suite: &Suite) {
        self.flush_skipped();
        // The version once: many titles already say it ("… (SCIM 2.0)").
        let version = format!("SCIM {}", suite.scim_version);
        let said = if suite.title.contains(&version) {
            String::new()
        } else {
            format!(" ({version})")
        };
        let _ = writeln!(
            self.out,
            "{}  {}{said}",
            self.style.paint("1", &safe_line(&suite.id)),
            safe_line(&suite.title),
        );
    }

    fn check_finished(&mut self, _suite: &Suite, result: &CheckResult) {
        self.clear_live();
        let reason = |r: &CheckResult| match &r.outcome {
            Outcome::Skip { reason } => Some(reason.clone()),
            _ => None,
        };
        let same = self
            .skipped
            .first()
            .is_none_or(|first| reason(first) == reason(result));
        if !same {
            self.flush_skipped();
        }
        if reason(result).is_some() && self.style.verbose == 0 {
            self.skipped.push(result.clone());
        } else {
            let _ = write_check(result, self.style, &mut self.out);
        }
    }

    fn cleanup_finished(&mut self, result: &CleanupResult) {
        self.clear_live();
        self.flush_skipped();
        let _ = write_cleanup(result, &mut self.out);
    }

    fn run_finished(&mut self) {
        self.clear_live();
        self.flush_skipped();
    }

    fn walk_progress(&mut self, check: &crate::suite::Check, p: &crate::run::events::WalkProgress) {
        if !self.live {
            return;
        }
        let now = std::time::Instant::now();
        let started = *self.walk_started.get_or_insert(now);
        if self
            .last_drawn
            .is_some_and(|t| now.duration_since(t) < std::time::Duration::from_millis(200))
        {
            return;
        }
        self.last_drawn = Some(now);
        let secs = now.duration_since(started).as_secs_f64();
        // A rate over less than a second says little (the first page alone reads as
        // 100,000 a second): none is shown before.
        let rate = if secs >= 1.0 {
            p.resources as f64 / secs
        } else {
            0.0
        };
        let of = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
        let eta = match p.total {
            Some(t) if rate > 0.0 && t > p.resources as u64 => {
                format!(
                    ", about {:.0} s left",
                    (t - p.resources as u64) as f64 / rate
                )
            }
            _ => String::new(),
        };
        let per_second = if rate > 0.0 {
            format!(", {rate:.0}/s")
        } else {
            String::new()
        };
        let line = format!(
            "  …    {}: page {}, {}{of} resources{per_second}{eta}",
            safe_line(&check.title),
            p.pages,
            p.resources,
        );
        // One column short of the width: a line that fills it wraps on some terminals.
        let line: String = line.chars().take(self.width - 1).collect();
        let _ = write!(self.out, "\r\x1b[2K{line}");
        let _ = self.out.flush();
        self.drawn = true;
    }
}

/// The SCIM version the run targets and why, one line.
pub fn write_version(choice: &VersionChoice, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "SCIM {} ({}: {})",
        choice.version,
        choice.how,
        safe_line(
            choice
                .evidence
                .last()
                .map(String::as_str)
                .unwrap_or_default()
        )
    )
}

/// How the run reaches the app, when it is not the plain default: the proxy, extra CAs, and
/// above all an insecure run, which is said before the first check and again in the summary.
pub fn write_network(
    target: &crate::report::TargetInfo,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if let Some(proxy) = &target.proxy {
        writeln!(out, "proxy: {}", safe_line(proxy))?;
    }
    if target.insecure {
        writeln!(
            out,
            "{}: certificates are not verified (--insecure): these results prove nothing about who answered, and `package` refuses them",
            style.paint("1;31", "WARNING")
        )?;
    } else if target.tls != "the platform's CAs" && !target.tls.is_empty() {
        writeln!(out, "TLS trust: {}", safe_line(&target.tls))?;
    }
    Ok(())
}

/// The closing summary: counts, wall time, requests, leftovers, and where the results went.
pub fn write_summary(report: &RunReport, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &report.summary;
    if !report.diagnoses.is_empty() {
        writeln!(out, "Root causes, in the order to fix them:")?;
        for (n, d) in report.diagnoses.iter().enumerate() {
            writeln!(
                out,
                "  {}. {} ({})",
                n + 1,
                safe_line(&d.cause),
                d.reference
            )?;
            if !d.fix.is_empty() {
                writeln!(out, "     fix: {}", safe_line(&d.fix))?;
            }
            writeln!(
                out,
                "     explains {}: {}",
                scim_results::count(d.explains.len(), "check"),
                safe_line(&d.explains.join(", "))
            )?;
        }
    }
    for row in &report.scorecard {
        writeln!(
            out,
            "profile {}: {}: MUST {}, SHOULD {} met{}",
            safe_line(&row.profile),
            row.verdict.as_str(),
            row.must.line(),
            row.should.line(),
            if row.unmet.is_empty() {
                String::new()
            } else {
                format!("; not met: {}", safe_line(&row.unmet_labels().join(", ")))
            }
        )?;
    }
    for notice in &report.notices {
        writeln!(out, "note: {}", safe_line(notice))?;
    }
    if report.target.insecure {
        write_network(&report.target, style, out)?;
    }

    let verdict = if report.aborted.is_some() {
        style.paint("31", "ERROR")
    } else if report.interrupted {
        let by = report
            .stopped_by
            .map_or(String::new(), |s| format!(" ({})", s.name()));
        style.paint("33", &format!("INTERRUPTED{by}"))
    } else if s.required_failed > 0 {
        style.paint("31", "FAILED")
    } else {
        style.paint("32", "PASSED")
    };
    writeln!(
        out,
        "{verdict}: {} in {} ms, {} HTTP requests",
        s.counts(),
        report.duration_ms,
        s.requests
    )?;
    for c in report.suites.iter().flat_map(|x| &x.cleanup) {
        if !matches!(c.action, crate::report::CleanupAction::Deleted) {
            write_cleanup(c, out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::events::WalkProgress;

    fn a_walk() -> crate::suite::Check {
        crate::suite::builtin::builtin_suites()
            .unwrap()
            .into_iter()
            .find(|s| s.id == "profile-sourcing")
            .unwrap()
            .checks
            .remove(0)
    }

    #[test]
    fn a_suite_s_version_is_said_once() {
        let mut out = Vec::new();
        let mut suite = crate::suite::builtin::builtin_suites()
            .unwrap()
            .into_iter()
            .find(|s| s.id == "rfc7644")
            .unwrap();
        {
            let mut progress = Progress::new(&mut out, Style::default());
            progress.suite_started(&suite);
            suite.title = "No version here".into();
            progress.suite_started(&suite);
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("SCIM 2.0").count(), 2, "{text}");
        assert!(text.contains("No version here (SCIM 2.0)"), "{text}");
    }

    #[test]
    fn the_live_line_fits_the_terminal_and_shows_no_rate_before_a_second() {
        let check = a_walk();
        let p = WalkProgress {
            pages: 123_456,
            resources: 12_345_600,
            total: Some(100_000_000),
        };
        let mut screen = Vec::new();
        Progress::new(&mut screen, Style::default())
            .live(true)
            .width(40)
            .walk_progress(&check, &p);
        let text = String::from_utf8(screen).unwrap();
        let line = text.trim_start_matches("\r\x1b[2K");
        assert_eq!(line.chars().count(), 39, "{line:?}");
        assert!(!text.contains("/s"), "no rate on the first draw: {text}");
    }

    #[test]
    fn a_long_walk_redraws_one_live_line_on_a_terminal_only() {
        let check = a_walk();
        let p = WalkProgress {
            pages: 3,
            resources: 300,
            total: Some(1000),
        };
        let mut screen = Vec::new();
        {
            let mut live = Progress::new(&mut screen, Style::default()).live(true);
            live.walk_progress(&check, &p);
            live.walk_progress(&check, &p); // within 200 ms: not redrawn
        }
        let text = String::from_utf8(screen).unwrap();
        assert_eq!(
            text.matches("page 3, 300 of 1000 resources").count(),
            1,
            "{text}"
        );
        let mut piped = Vec::new();
        Progress::new(&mut piped, Style::default()).walk_progress(&check, &p);
        assert!(piped.is_empty(), "nothing when not a terminal");
    }

    #[test]
    fn checks_skipped_for_one_reason_are_one_entry() {
        let suite = crate::suite::builtin::builtin_suites().unwrap().remove(0);
        let result = |title: &str, outcome: Outcome| CheckResult {
            id: title.into(),
            title: title.into(),
            level: crate::suite::Level::Required,
            reference: String::new(),
            keyword: None,
            outcome,
            duration_ms: 0,
            exchanges: Vec::new(),
            note: None,
            location: None,
        };
        let skip = |title: &str| {
            result(
                title,
                Outcome::Skip {
                    reason: "not run: no entitlements".into(),
                },
            )
        };
        let mut out = Vec::new();
        {
            let mut progress = Progress::new(&mut out, Style::default());
            for title in ["first", "second", "third"] {
                progress.check_finished(&suite, &skip(title));
            }
            progress.check_finished(&suite, &result("passes", Outcome::Pass));
            progress.check_finished(&suite, &skip("alone"));
            progress.run_finished();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("3 checks: first … third"), "{text}");
        assert_eq!(
            text.matches("not run: no entitlements").count(),
            2,
            "{text}"
        );
        let passes = text.find("passes").unwrap();
        assert!(text.find("third").unwrap() < passes, "in order: {text}");
        assert!(text.find("alone").unwrap() > passes, "{text}");
    }
}
