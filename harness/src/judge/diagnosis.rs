//! Diagnosis: rules over a run's results that name the root cause behind a group of failures.
//!
//! One bug fans out: an app that ignores `filter` fails a dozen checks, a numeric `status` in
//! error bodies fails seven. Each rule here reads the results (and the suites, for what each
//! check observes) and, when it holds, gives a [`Diagnosis`]: the cause in words, the
//! reference that decides it, and every check it explains. Reporters show diagnoses before
//! the list of checks. A rule never changes a verdict.

use crate::http::Method;
use crate::report::{CheckResult, CleanupAction, Outcome, SuiteReport};
use crate::suite::Suite;

pub use scim_results::Diagnosis;

/// A check's result with its suite, as the rules read them.
struct Seen<'a> {
    suite: &'a str,
    check: &'a CheckResult,
}

impl Seen<'_> {
    fn key(&self) -> String {
        format!("{}/{}", self.suite, self.check.id)
    }

    /// Whether the check fails the run: a root cause is named only from such failures, never
    /// from a warning (what the RFC allows or only recommends) or an optional check.
    fn not_passed(&self) -> bool {
        self.check.fails_run()
    }

    /// Each mismatch of a failure that fails the run, as (assertion, expected, actual).
    fn mismatches(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        let ms = match &self.check.outcome {
            Outcome::Fail { mismatches } if self.not_passed() => mismatches.as_slice(),
            _ => &[],
        };
        ms.iter()
            .map(|m| (m.assertion.as_str(), m.expected.as_str(), m.actual.as_str()))
    }

    fn request_url(&self) -> &str {
        self.check
            .exchanges
            .first()
            .map_or("", |e| e.request.url.as_str())
    }

    /// Whether the response held more resources than the request's `count` asked for.
    fn returned_more_than_count(&self) -> bool {
        let Some(x) = self.check.exchanges.first() else {
            return false;
        };
        let count = x.request.url.split(['?', '&']).find_map(|p| {
            p.strip_prefix("count=")
                .and_then(|n| n.parse::<usize>().ok())
        });
        let returned = x
            .response
            .as_ref()
            .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.body).ok())
            .and_then(|doc| {
                doc.get("Resources")
                    .and_then(|r| r.as_array())
                    .map(Vec::len)
            });
        matches!((count, returned), (Some(c), Some(r)) if r > c)
    }

    fn method(&self) -> &str {
        self.check
            .exchanges
            .first()
            .map_or("", |e| e.request.method.as_str())
    }
}

/// The diagnoses of a run, most checks explained first.
pub fn diagnose(suites: &[Suite], reports: &[SuiteReport]) -> Vec<Diagnosis> {
    let seen: Vec<Seen<'_>> = reports
        .iter()
        .flat_map(|s| {
            s.checks.iter().map(move |check| Seen {
                suite: s.id.as_str(),
                check,
            })
        })
        .collect();
    // The most fundamental causes first: a check they explain is not evidence for a later
    // rule (an ignored filter makes a deactivated user look "not found", which is no proof
    // that PATCH was not applied).
    let mut out: Vec<Diagnosis> = Vec::new();
    let explained = |out: &Vec<Diagnosis>| -> std::collections::BTreeSet<String> {
        out.iter()
            .flat_map(|d| d.explains.iter().cloned())
            .collect()
    };
    out.extend(filter_ignored(&seen));
    out.extend(AUTH_NOT_ENFORCED.diagnose(&seen));
    out.extend(NOT_PAGINATED.diagnose(&seen));
    let fresh = |out: &Vec<Diagnosis>| {
        let taken = explained(out);
        seen.iter()
            .filter(|s| !taken.contains(&s.key()))
            .map(|s| Seen {
                suite: s.suite,
                check: s.check,
            })
            .collect::<Vec<_>>()
    };
    let rest = fresh(&out);
    out.extend(soft_delete(suites, &rest, reports));
    let rest = fresh(&out);
    out.extend(ERRORS_NOT_SCIM.diagnose(&rest));
    out.extend(STATUS_NUMBER.diagnose(&rest));
    let rest = fresh(&out);
    out.extend(writes_not_applied(suites, &rest));
    out.extend(blocked_fan_out(&seen));
    out.sort_by_key(|d| std::cmp::Reverse(d.explains.len()));
    out
}

fn diagnosis(id: &str, cause: String, reference: &str, explains: Vec<String>) -> Diagnosis {
    Diagnosis {
        id: id.into(),
        cause,
        reference: reference.into(),
        explains,
    }
}

/// Filtered queries answered with more, or other, resources than the filter allows.
fn filter_ignored(seen: &[Seen<'_>]) -> Option<Diagnosis> {
    let explains: Vec<String> = seen
        .iter()
        .filter(|s| s.not_passed() && s.request_url().contains("filter="))
        .filter(|s| {
            s.mismatches().any(|(assertion, expected, actual)| {
                let more = |e: &str, a: &str| {
                    let number = |t: &str| {
                        t.trim_start_matches("the ")
                            .trim_start_matches("number ")
                            .parse::<f64>()
                            .ok()
                    };
                    matches!((number(e), number(a)), (Some(e), Some(a)) if a > e)
                };
                (assertion.starts_with("json totalResults") && more(expected, actual))
                    || assertion.contains("lacks_value")
                    || (assertion == "status"
                        && expected.starts_with("400")
                        && actual.starts_with('2'))
            })
        })
        .map(Seen::key)
        .collect();
    (explains.len() >= 2).then(|| {
        diagnosis(
            "filter-ignored",
            format!(
                "the app ignores the `filter` parameter: filtered queries return resources the filter excludes ({})",
                scim_results::count(explains.len(), "check")
            ),
            "RFC 7644 §3.4.2.2",
            explains,
        )
    })
}

/// A rule that holds when enough checks show its symptom: the cause, its reference, and the
/// symptom as a predicate over one check's result.
struct Symptom {
    id: &'static str,
    cause: &'static str,
    reference: &'static str,
    /// How many checks must show it.
    at_least: usize,
    shows: fn(&Seen<'_>) -> bool,
}

impl Symptom {
    fn diagnose(&self, seen: &[Seen<'_>]) -> Option<Diagnosis> {
        let explains: Vec<String> = seen
            .iter()
            .filter(|s| (self.shows)(s))
            .map(Seen::key)
            .collect();
        (explains.len() >= self.at_least).then(|| {
            diagnosis(
                self.id,
                format!(
                    "{} ({})",
                    self.cause,
                    scim_results::count(explains.len(), "check")
                ),
                self.reference,
                explains,
            )
        })
    }
}

/// A success where an error was due is its own cause (the status says so), not a malformed
/// error body.
fn answered_success(s: &Seen<'_>) -> bool {
    s.mismatches()
        .any(|(a, _, actual)| a == "status" && actual.starts_with('2'))
}

const ERRORS_NOT_SCIM: Symptom = Symptom {
    id: "errors-not-scim",
    cause: "error bodies are not SCIM errors (no urn:ietf:params:scim:api:messages:2.0:Error schema)",
    reference: "RFC 7644 §3.12",
    at_least: 1,
    shows: |s| {
        !answered_success(s)
            && s.mismatches().any(|(a, _, actual)| {
                a == "rule scim-error"
                    && (actual.contains("schemas lacks") || actual.contains("not JSON"))
            })
    },
};

const STATUS_NUMBER: Symptom = Symptom {
    id: "status-number",
    cause: "the error `status` is a JSON number; RFC 7644 §3.12 makes it a string (\"404\")",
    reference: "RFC 7644 §3.12",
    at_least: 1,
    shows: |s| {
        s.mismatches()
            .any(|(_, _, actual)| actual.contains("status is number"))
    },
};

const AUTH_NOT_ENFORCED: Symptom = Symptom {
    id: "auth-not-enforced",
    cause: "authentication is not enforced: requests without a valid credential were answered with success",
    reference: "RFC 7644 §2 (authentication), RFC 7235 §3.1",
    at_least: 1,
    shows: |s| {
        s.mismatches().any(|(a, expected, actual)| {
            a == "status" && expected.contains("401") && actual.starts_with('2')
        })
    },
};

const NOT_PAGINATED: Symptom = Symptom {
    id: "not-paginated",
    cause: "the app's lists are not paginated: startIndex and count are ignored",
    reference: "RFC 7644 §3.4.2.4",
    at_least: 1,
    shows: |s| {
        s.mismatches().any(|(a, _, _)| {
            a == "walk page-size"
                || a == "walk pages-repeat"
                || (a.starts_with("json Resources") && s.returned_more_than_count())
        })
    },
};

fn soft_delete(suites: &[Suite], seen: &[Seen<'_>], reports: &[SuiteReport]) -> Option<Diagnosis> {
    let kept: Vec<String> = reports
        .iter()
        .flat_map(|s| s.cleanup.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.action == CleanupAction::SoftDeleted)
        .map(|(s, c)| format!("{}: cleanup of {}", s.id, c.resource))
        .collect();
    // Checks that observe a DELETE (by the suites' `needs`) and still found the resource.
    let observes_delete = |s: &Seen<'_>| {
        suites
            .iter()
            .filter(|suite| suite.id == s.suite)
            .flat_map(|suite| &suite.checks)
            .filter(|c| c.id == s.check.id)
            .flat_map(|c| &c.needs)
            .any(|n| {
                suites.iter().any(|suite| {
                    suite.id == s.suite
                        && suite
                            .checks
                            .iter()
                            .any(|c| c.id == *n && c.request.method == Method::Delete)
                })
            })
    };
    let still_there = |s: &Seen<'_>| {
        s.mismatches().any(|(a, _, actual)| {
            (a == "status" && actual.starts_with('2'))
                || (a.starts_with("json totalResults") && !actual.ends_with(" 0"))
        })
    };
    let explains: Vec<String> = seen
        .iter()
        .filter(|s| s.not_passed() && observes_delete(s) && still_there(s))
        .map(Seen::key)
        .chain(kept)
        .collect();
    (!explains.is_empty()).then(|| {
        diagnosis(
            "soft-delete",
            "DELETE is a soft delete: the app answers success but the resource can still be read"
                .into(),
            "RFC 7644 §3.6 (a deleted resource MUST NOT be returned)",
            explains,
        )
    })
}

/// A write the app answered with success, and a check that observes it failed: answered but
/// not applied. Which check observes which write comes from the suites' `needs`.
fn writes_not_applied(suites: &[Suite], seen: &[Seen<'_>]) -> Vec<Diagnosis> {
    let find = |suite: &str, id: &str| seen.iter().find(|s| s.suite == suite && s.check.id == id);
    let mut by_method: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for suite in suites {
        for check in &suite.checks {
            let Some(observer) = find(&suite.id, &check.id).filter(|s| s.not_passed()) else {
                continue;
            };
            for write in &check.needs {
                let Some(w) = find(&suite.id, write) else {
                    continue;
                };
                // DELETE is the soft-delete rule's.
                if matches!(w.check.outcome, Outcome::Pass | Outcome::Warn { .. })
                    && matches!(w.method(), "PUT" | "PATCH")
                {
                    let list = by_method.entry(w.method().to_string()).or_default();
                    for key in [w.key(), observer.key()] {
                        if !list.contains(&key) {
                            list.push(key);
                        }
                    }
                }
            }
        }
    }
    by_method
        .into_iter()
        .map(|(method, explains)| {
            diagnosis(
                &format!("{}-not-applied", method.to_lowercase()),
                format!(
                    "{method} is answered with success but not applied: reading the resource back shows no change"
                ),
                "RFC 7644 §3.5 (the service provider applies the modification)",
                explains,
            )
        })
        .collect()
}

/// One failed setup and the checks that could not run because of it.
fn blocked_fan_out(seen: &[Seen<'_>]) -> Vec<Diagnosis> {
    let mut by_cause: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for s in seen {
        if let Outcome::Blocked { waited_for, .. } = &s.check.outcome {
            for w in waited_for {
                by_cause
                    .entry(format!("{}/{w}", s.suite))
                    .or_default()
                    .push(s.key());
            }
        }
    }
    by_cause
        .into_iter()
        .filter(|(_, blocked)| blocked.len() >= 2)
        .map(|(cause, blocked)| {
            diagnosis(
                "blocked",
                format!(
                    "{cause} did not pass: {} that depend on it could not run",
                    scim_results::count(blocked.len(), "check")
                ),
                "the suite's dependencies (captures and needs)",
                std::iter::once(cause).chain(blocked).collect(),
            )
        })
        .collect()
}
