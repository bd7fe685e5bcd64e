//! How a check's findings become its outcome: mismatches graded by their RFC keyword, a pass
//! that shows less than it seems made partial, and whether a write had the effect that the
//! checks observing it read back.

use crate::http::Response;
use crate::judge::assertion::Mismatch;
use crate::judge::path::lookup;
use crate::report::{CheckResult, Outcome};
use crate::suite::{Check, Keyword};
use std::time::Instant;

/// The verdict of a check from its mismatches: a MUST (or ungraded) mismatch fails it; SHOULD
/// and MAY mismatches alone make it a warning, unless the run is strict.
pub(crate) fn grade(mismatches: Vec<Mismatch>, strict: bool) -> Outcome {
    if mismatches.is_empty() {
        Outcome::Pass
    } else if !strict
        && mismatches
            .iter()
            .all(|m| matches!(m.keyword, Some(Keyword::Should | Keyword::May)))
    {
        Outcome::Warn { mismatches }
    } else {
        Outcome::Fail { mismatches }
    }
}

/// Whether a check that others observe did what they observe: it passed, or it failed only on
/// the form of an answer that accepted it (a 2xx, its status as expected). A read-back then
/// runs and shows whether the write was applied: blocking it would hide that bug behind a
/// format one (a bulk answer with numeric statuses hid "bulk PATCH not applied").
pub(crate) fn had_its_effect(r: &CheckResult) -> bool {
    match &r.outcome {
        Outcome::Pass | Outcome::Partial { .. } => true,
        // A refusal graded SHOULD or MAY (a DELETE an app may refuse) had no effect either.
        Outcome::Fail { mismatches } | Outcome::Warn { mismatches } => {
            mismatches.iter().all(|m| m.assertion != "status")
                && r.exchanges
                    .last()
                    .and_then(|x| x.response.as_ref())
                    .is_some_and(|resp| (200..300).contains(&resp.status))
        }
        _ => false,
    }
}

/// Why a pass shows less than it seems to: a check it presupposes did not pass, or the
/// refusal it expects names another attribute than the one it is about.
pub(crate) fn not_shown<'r>(
    check: &Check,
    response: &Response,
    label_of: impl Fn(&str) -> Option<&'r str>,
) -> Vec<String> {
    let mut out: Vec<String> = check
        .presupposes
        .iter()
        .filter_map(|id| {
            let label = label_of(id).unwrap_or("not run");
            (!matches!(label, "pass" | "warn")).then(|| {
                format!("{id} did not pass ({label}): what this check sees may never have been there before")
            })
        })
        .collect();
    if let Some(attribute) = &check.refusal_of
        && (400..500).contains(&response.status)
    {
        let text = response.json().map_or_else(
            || response.body.clone(),
            |doc| {
                ["detail", "scimType"]
                    .iter()
                    .filter_map(|k| lookup(doc, k).and_then(|v| v.as_str().map(String::from)))
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        );
        if let Some(others) = crate::judge::attributes::about_another(&text, attribute) {
            out.push(format!(
                "the refusal names {}, not `{attribute}`: it may be for another reason",
                others
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

/// A check's result; the note says what of the check could not run, when nothing else does.
pub(crate) fn result_of(
    check: &Check,
    clock: Instant,
    outcome: Outcome,
    exchanges: Vec<crate::http::exchange::Exchange>,
    note: Option<String>,
) -> CheckResult {
    let not_run = || {
        (!check.not_run.is_empty()).then(|| {
            check
                .not_run
                .iter()
                .map(|n| format!("not run: {n}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
    let partial = matches!(outcome, Outcome::Partial { .. });
    CheckResult {
        id: check.id.clone(),
        title: check.title.clone(),
        level: check.level,
        reference: check.reference.clone(),
        keyword: check.keyword,
        outcome,
        duration_ms: clock.elapsed().as_millis() as u64,
        exchanges,
        note: if partial { note } else { note.or_else(not_run) },
        location: None,
    }
}

/// The reason the check that captures `body` (its `capture_body`) was skipped, if it was: a
/// check gated on that body is not run either, for the same reason (not blocked).
pub(crate) fn skipped_reading(
    suite: &crate::suite::Suite,
    results: &[Option<crate::report::CheckResult>],
    body: &str,
) -> Option<String> {
    let i = suite
        .checks
        .iter()
        .position(|c| c.capture_body() == Some(body))?;
    match results.get(i)?.as_ref().map(|r| &r.outcome) {
        Some(crate::report::Outcome::Skip { reason }) => Some(reason.clone()),
        _ => None,
    }
}
