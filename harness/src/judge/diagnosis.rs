//! Diagnosis: rules over a run's results that name the root cause behind a group of failures.
//!
//! One bug fans out: an app that ignores `filter` fails a dozen checks, a numeric `status` in
//! error bodies fails seven. Each rule here reads the results (and the suites, for what each
//! check observes) and, when it holds, gives a [`Diagnosis`]: the cause in words, the
//! reference that decides it, the fix, and every check it explains. A cause is named only
//! from failures that fail the run, and only from the symptom that proves it (a PUT is "not
//! applied" when a read by GET shows the old value, not when a DELETE after it misbehaves).
//! Checks blocked by a failure join the cause of that failure. Reporters show diagnoses
//! before the list of checks, in the order to fix them. A rule never changes a verdict.

use crate::http::Method;
use crate::report::{CheckResult, CleanupAction, Outcome, SuiteReport};
use crate::suite::Suite;
use std::collections::{BTreeMap, BTreeSet};

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

    fn method(&self) -> &str {
        self.check
            .exchanges
            .first()
            .map_or("", |e| e.request.method.as_str())
    }

    /// The HTTP status of the check's (first) answer.
    fn status(&self) -> Option<u16> {
        self.check
            .exchanges
            .first()
            .and_then(|x| x.response.as_ref())
            .map(|r| r.status)
    }

    /// The check's (first) answer as JSON.
    fn body(&self) -> Option<serde_json::Value> {
        let x = self.check.exchanges.first()?;
        serde_json::from_str(&x.response.as_ref()?.body).ok()
    }

    /// How many resources the answer's `Resources` held.
    fn returned(&self) -> Option<usize> {
        self.body()?.get("Resources")?.as_array().map(Vec::len)
    }

    /// Whether the response held more resources than the request's `count` asked for.
    fn returned_more_than_count(&self) -> bool {
        let count = self.request_url().split(['?', '&']).find_map(|p| {
            p.strip_prefix("count=")
                .and_then(|n| n.parse::<usize>().ok())
        });
        matches!((count, self.returned()), (Some(c), Some(r)) if r > c)
    }

    /// A read (GET, or an import walk) that found the resource and shows another value than
    /// the one `write` sent: the evidence that the write was not applied. A value that is
    /// absent (an attribute the app does not keep, a list that came back empty or failed) is
    /// no such evidence, nor is a value still there that should be gone (a replace that merged
    /// was applied, differently), nor a value the write did not send (an add that replaced the
    /// collection it should have appended to was applied).
    fn shows_stale_value(&self, write: &Seen<'_>) -> bool {
        let sent = write
            .check
            .exchanges
            .first()
            .and_then(|x| x.request.body.as_deref())
            .unwrap_or_default();
        let was_sent = |expected: &str| quoted(expected).is_some_and(|v| sent.contains(&v));
        self.method() == "GET"
            && self.mismatches().any(|(a, expected, actual)| {
                let path = a.strip_prefix("json ").and_then(|r| r.split(' ').next());
                let listed = path.is_some_and(|p| {
                    !matches!(
                        p,
                        "totalResults" | "itemsPerPage" | "startIndex" | "Resources"
                    )
                }) && !a.ends_with(" absent");
                let walked = a.starts_with("walk find ") && !actual.ends_with(": absent");
                ((listed && actual != "absent" && !actual.starts_with("array []")) || walked)
                    && was_sent(expected)
            })
    }
}

/// The first quoted text of an expectation (`"Iris Added"`, `an array holding "x"`), unquoted.
fn quoted(expected: &str) -> Option<String> {
    let start = expected.find('"')?;
    let mut out = String::new();
    let mut chars = expected[start + 1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// The diagnoses of a run, most checks explained first: the order to fix them in.
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
    let fresh = |out: &Vec<Diagnosis>| {
        let taken: BTreeSet<&String> = out.iter().flat_map(|d| &d.explains).collect();
        seen.iter()
            .filter(|s| !taken.contains(&s.key()))
            .map(|s| Seen {
                suite: s.suite,
                check: s.check,
            })
            .collect::<Vec<_>>()
    };
    out.extend(fails_under_concurrency(&seen));
    out.extend(AUTH_NOT_ENFORCED.diagnose(&fresh(&out)));
    out.extend(creates_refused(&fresh(&out)));
    out.extend(CREATED_WITHOUT_ID.diagnose(&fresh(&out)));
    out.extend(lists_with_count_fail(&fresh(&out)));
    out.extend(filter_ignored(&fresh(&out)));
    out.extend(NOT_PAGINATED.diagnose(&fresh(&out)));
    out.extend(deleted_still_there(suites, &fresh(&out), reports));
    let rest = fresh(&out);
    out.extend(ERRORS_NOT_SCIM.diagnose(&rest));
    out.extend(STATUS_NUMBER.diagnose(&rest));
    out.extend(writes_not_applied(suites, &fresh(&out)));
    fold_blocked(&seen, &mut out);
    out.sort_by_key(|d| std::cmp::Reverse(d.explains.len()));
    // A claim the findings contradict heads the list.
    out.splice(0..0, claims_interop_conformance(suites, &seen));
    out
}

/// The app says `interopProfileConformant: true` (the interop profile §4) and fails a MUST
/// of a suite that grades the profile (or builds on it, as IPSIE's do).
fn claims_interop_conformance(suites: &[Suite], seen: &[Seen<'_>]) -> Option<Diagnosis> {
    const PROFILE: &str = "interop-profile";
    let grades = |id: &str| {
        let mut todo = vec![id];
        let mut visited = BTreeSet::new();
        while let Some(id) = todo.pop() {
            if id == PROFILE {
                return true;
            }
            if visited.insert(id) {
                let bases = suites
                    .iter()
                    .filter(|s| s.id == id)
                    .flat_map(|s| &s.builds_on);
                todo.extend(bases.map(String::as_str));
            }
        }
        false
    };
    let claims = seen.iter().flat_map(|s| &s.check.exchanges).any(|x| {
        x.request
            .url
            .split('?')
            .next()
            .unwrap_or_default()
            .ends_with("/ServiceProviderConfig")
            && x.response.as_ref().is_some_and(|r| {
                serde_json::from_str::<serde_json::Value>(&r.body).is_ok_and(|doc| {
                    doc.get("interopProfileConformant") == Some(&serde_json::Value::Bool(true))
                })
            })
    });
    let explains: Vec<String> = seen
        .iter()
        .filter(|s| grades(s.suite) && s.not_passed())
        .map(Seen::key)
        .collect();
    (claims && !explains.is_empty()).then(|| {
        diagnosis(
            "claims-interop-conformance",
            format!(
                "the app claims conformance to the SCIM 2.0 Interoperability Profile (interopProfileConformant: true) but fails {} of its MUST rules",
                explains.len()
            ),
            "draft-zollner-scim-interop-profile-01 §4 (a provider that does not conform MUST omit interopProfileConformant or set it false)",
            "meet the profile's rules these checks name, or answer interopProfileConformant: false until the app does",
            explains,
        )
    })
}

fn diagnosis(
    id: &str,
    cause: String,
    reference: &str,
    fix: &str,
    explains: Vec<String>,
) -> Diagnosis {
    Diagnosis {
        id: id.into(),
        cause,
        reference: reference.into(),
        fix: fix.into(),
        explains,
    }
}

/// Filtered queries answered with more, or other, resources than the filter allows. A list
/// whose `totalResults` is wrong but whose resources are the right ones is not this.
fn filter_ignored(seen: &[Seen<'_>]) -> Option<Diagnosis> {
    let number = |t: &str| {
        t.trim_start_matches("the ")
            .trim_start_matches("number ")
            .parse::<f64>()
            .ok()
    };
    let explains: Vec<String> = seen
        .iter()
        .filter(|s| s.not_passed() && s.request_url().contains("filter="))
        .filter(|s| {
            s.mismatches().any(|(assertion, expected, actual)| {
                let more_returned = match (number(expected), number(actual), s.returned()) {
                    (Some(e), Some(a), Some(r)) => a > e && r as f64 > e,
                    _ => false,
                };
                (assertion.starts_with("json totalResults") && more_returned)
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
            "the app ignores the `filter` parameter: filtered queries return resources the filter excludes".into(),
            "RFC 7644 §3.4.2.2",
            "apply `filter` to every list request (at least `eq` on userName, externalId and displayName, and `and`); answer 400 invalidFilter to one you cannot evaluate",
            explains,
        )
    })
}

/// A rule that holds when enough checks show its symptom: the cause, its reference, the fix,
/// and the symptom as a predicate over one check's result.
struct Symptom {
    id: &'static str,
    cause: &'static str,
    reference: &'static str,
    fix: &'static str,
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
                self.cause.into(),
                self.reference,
                self.fix,
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
    fix: "answer every error with the SCIM Error body: schemas [urn:ietf:params:scim:api:messages:2.0:Error], status as a string, detail and (for 400/409) scimType",
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
    fix: "serialize the error `status` as a string: \"status\": \"404\"",
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
    fix: "answer 401 to every request without the credential or with a wrong one",
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
    fix: "honour startIndex (1-based) and count on every list: at most `count` resources, starting at `startIndex`",
    at_least: 1,
    shows: |s| {
        s.mismatches().any(|(a, _, _)| {
            a == "walk page-size"
                || a == "walk pages-repeat"
                || (a.starts_with("json Resources") && s.returned_more_than_count())
        })
    },
};

const CREATED_WITHOUT_ID: Symptom = Symptom {
    id: "created-without-id",
    cause: "creates are answered with success but the answer carries no `id`: nothing the run created can be read, changed or removed by id",
    reference: "RFC 7644 §3.3 (the response body contains the created resource), RFC 7643 §3.1 (id)",
    fix: "answer 201 with the created resource, including the `id` the app assigned (and a Location header)",
    at_least: 2,
    shows: |s| {
        s.method() == "POST"
            && s.status().is_some_and(|st| (200..300).contains(&st))
            && s.mismatches()
                .any(|(a, _, actual)| a == "json id not_empty" && actual == "absent")
    },
};

/// Server errors that came while other requests of the run were on the wire: reads sent
/// again alone that then succeeded, and any such error whose text names locking or a
/// timeout. The app fails under parallel requests; the checks that met it are not judged by
/// it (a read sent again alone is judged on that answer), and a write is never sent twice.
fn fails_under_concurrency(seen: &[Seen<'_>]) -> Option<Diagnosis> {
    let mut most = 0;
    let mut explains = Vec::new();
    for s in seen {
        let xs = &s.check.exchanges;
        let crowded = xs.iter().enumerate().any(|(i, x)| {
            let Some(n) = x.in_flight else { return false };
            let alone_ok = xs.get(i + 1).is_some_and(|next| {
                next.request.url == x.request.url
                    && next.response.as_ref().is_some_and(|r| r.status < 500)
            });
            let text = x
                .response
                .as_ref()
                .map_or(String::new(), |r| r.body.to_lowercase());
            // Words of contention, not any text that holds them ("blocked" is no lock).
            let names_load = [
                "is locked",
                "lock wait",
                "deadlock",
                "timeout",
                "timed out",
                "too many connections",
                "database is busy",
                "connection pool",
            ]
            .iter()
            .any(|w| text.contains(w));
            if alone_ok || names_load {
                most = most.max(n);
            }
            alone_ok || names_load
        });
        if crowded {
            explains.push(s.key());
        }
    }
    (!explains.is_empty()).then(|| {
        diagnosis(
            "fails-under-concurrency",
            format!(
                "the app fails under {most} concurrent requests: it answered server errors while other requests were on the wire (reads sent again alone succeeded; writes are not sent twice)"
            ),
            "RFC 7644 §3.12 (500: an unexpected internal error); not a conformance rule: a client such as Okta sends requests in parallel",
            "use `--concurrency 1` to certify, and make the app serve parallel requests (a database locked per request, a connection pool that runs dry)",
            explains,
        )
    })
}

/// Every list request of an endpoint that carries `count` fails with 5xx (at least two do).
fn lists_with_count_fail(seen: &[Seen<'_>]) -> Option<Diagnosis> {
    let mut by_endpoint: BTreeMap<&str, Vec<&Seen<'_>>> = BTreeMap::new();
    for s in seen
        .iter()
        .filter(|s| s.method() == "GET" && s.request_url().contains("count="))
    {
        let path = s.request_url().split('?').next().unwrap_or_default();
        let endpoint = path.rsplit('/').next().unwrap_or_default();
        by_endpoint.entry(endpoint).or_default().push(s);
    }
    let failing = |s: &&Seen<'_>| s.status().is_some_and(|st| st >= 500);
    let mut endpoints = Vec::new();
    let mut explains = Vec::new();
    for (endpoint, lists) in by_endpoint {
        if lists.len() >= 2 && lists.iter().all(failing) {
            endpoints.push(format!("/{endpoint}"));
            explains.extend(lists.iter().filter(|s| s.not_passed()).map(|s| s.key()));
        }
    }
    (!explains.is_empty()).then(|| {
        diagnosis(
            "count-fails",
            format!(
                "every list request with `count` is answered with a server error ({})",
                endpoints.join(", ")
            ),
            "RFC 7644 §3.4.2.4 (count: a non-negative integer; a larger value than the app supports is capped, not an error)",
            "accept `count` and `startIndex` on every list request; cap a `count` above your maximum page size instead of failing",
            explains,
        )
    })
}

/// Every create of a resource type is refused (at least two): the app demands something the
/// requests do not send. The attribute it names, when its answer names one.
fn creates_refused(seen: &[Seen<'_>]) -> Vec<Diagnosis> {
    let mut by_endpoint: BTreeMap<String, (Vec<String>, usize, Option<String>)> = BTreeMap::new();
    for s in seen.iter().filter(|s| s.method() == "POST") {
        let url = s.request_url().split('?').next().unwrap_or_default();
        let Some(endpoint) = ["Users", "Groups"]
            .into_iter()
            .find(|e| url.ends_with(&format!("/{e}")))
        else {
            continue;
        };
        // A create is a POST answered with success or expected to be (a check that expects
        // a refusal is no create).
        let expected_201 = s
            .mismatches()
            .any(|(a, e, _)| a == "status" && e.starts_with("201"));
        let succeeded = s.status().is_some_and(|st| (200..300).contains(&st));
        if !(expected_201 || succeeded) {
            continue;
        }
        let entry = by_endpoint.entry(endpoint.to_string()).or_default();
        entry.1 += 1;
        let refused = expected_201
            && s.status()
                .is_some_and(|st| (400..500).contains(&st) && st != 409);
        if refused {
            entry.0.push(s.key());
            if entry.2.is_none() {
                entry.2 = s.body().and_then(|b| {
                    b.get("detail")
                        .and_then(|d| d.as_str())
                        .map(|d| short(d, 160))
                });
            }
        }
    }
    by_endpoint
        .into_iter()
        .filter(|(_, (refused, creates, _))| refused.len() >= 2 && refused.len() == *creates)
        .map(|(endpoint, (explains, _, detail))| {
            let demands = detail
                .as_deref()
                .and_then(demanded_attribute)
                .map_or_else(
                    || {
                        detail.as_deref().map_or(String::new(), |d| {
                            format!("; the app says: {d:?}")
                        })
                    },
                    |a| format!("; the app demands `{a}`, which RFC 7643 does not require"),
                );
            diagnosis(
                "creates-refused",
                format!("every create of {endpoint} is refused with 4xx{demands}"),
                "RFC 7643 §4.1 and §4.2 (only userName of a User and displayName of a Group are required), RFC 7644 §3.3",
                "accept a create that carries only the required attributes; treat the others as optional",
                explains,
            )
        })
        .collect()
}

/// The attribute an error's detail says is required or missing (`'phoneNumbers' is
/// required`), when it names one.
fn demanded_attribute(detail: &str) -> Option<String> {
    use crate::judge::attributes::{named_in, says_required};
    says_required(detail)
        .then(|| named_in(detail).first().map(|a| a.to_string()))
        .flatten()
}

/// Checks after a successful DELETE that still found the resource. By id only: a soft
/// delete (hidden from lists, still readable). In lists too: the DELETE was not applied.
/// A write other than GET after the DELETE (a PATCH the app accepts) is no evidence.
fn deleted_still_there(
    suites: &[Suite],
    seen: &[Seen<'_>],
    reports: &[SuiteReport],
) -> Option<Diagnosis> {
    let kept: Vec<String> = reports
        .iter()
        .flat_map(|s| s.cleanup.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.action == CleanupAction::SoftDeleted)
        .map(|(s, c)| format!("{}: cleanup of {}", s.id, c.resource))
        .collect();
    let observes_delete = |s: &Seen<'_>| {
        let in_suite = |id: &str| {
            suites
                .iter()
                .filter(|suite| suite.id == s.suite)
                .flat_map(|suite| &suite.checks)
                .find(|c| c.id == id)
        };
        in_suite(&s.check.id).is_some_and(|c| {
            c.needs
                .iter()
                .any(|n| in_suite(n).is_some_and(|w| w.request.method == Method::Delete))
        })
    };
    let by_id = |s: &Seen<'_>| {
        s.mismatches()
            .any(|(a, _, actual)| a == "status" && actual.starts_with('2'))
    };
    let listed = |s: &Seen<'_>| {
        s.mismatches()
            .any(|(a, _, actual)| a.starts_with("json totalResults") && !actual.ends_with(" 0"))
            || s.mismatches()
                .any(|(a, _, actual)| a == "walk find" && actual.ends_with("is still returned"))
    };
    let observers: Vec<&Seen<'_>> = seen
        .iter()
        .filter(|s| s.not_passed() && s.method() == "GET" && observes_delete(s))
        .filter(|s| by_id(s) || listed(s))
        .collect();
    if observers.is_empty() && kept.is_empty() {
        return None;
    }
    let kept_is_empty = kept.is_empty();
    let explains = observers.iter().map(|s| s.key()).chain(kept).collect();
    // The cleanup's confirming GET answered 200: read by id.
    let read_by_id = observers.iter().any(|s| by_id(s)) || !kept_is_empty;
    Some(match (read_by_id, observers.iter().any(|s| listed(s))) {
        (true, true) => diagnosis(
            "delete-not-applied",
            "DELETE is answered with success but not applied: the resource is still read by id and listed".into(),
            "RFC 7644 §3.6 (a deleted resource MUST NOT be returned)",
            "remove the resource on DELETE: GET by id answers 404 and lists leave it out",
            explains,
        ),
        (false, _) => diagnosis(
            "deleted-still-listed",
            "deleted resources stay in lists (GET by id answers 404)".into(),
            "RFC 7644 §3.6 (a deleted resource MUST NOT be returned, also by a query)",
            "leave deleted resources out of every list and filter result",
            explains,
        ),
        (true, false) => diagnosis(
            "soft-delete",
            "DELETE is a soft delete: the app answers success but the resource can still be read by id".into(),
            "RFC 7644 §3.6 (a deleted resource MUST NOT be returned)",
            "answer 404 to GET, PUT, PATCH and DELETE of a deleted resource, as for one that never existed",
            explains,
        ),
    })
}

/// A write the app answered with success, and a read by GET that observes it (by the suites'
/// `needs`) shows another value: answered but not applied.
fn writes_not_applied(suites: &[Suite], seen: &[Seen<'_>]) -> Vec<Diagnosis> {
    let find = |suite: &str, id: &str| seen.iter().find(|s| s.suite == suite && s.check.id == id);
    let mut by_method: BTreeMap<String, Vec<String>> = Default::default();
    for suite in suites {
        for check in &suite.checks {
            let Some(observer) = find(&suite.id, &check.id) else {
                continue;
            };
            for write in &check.needs {
                let Some(w) = find(&suite.id, write) else {
                    continue;
                };
                if matches!(w.check.outcome, Outcome::Pass | Outcome::Warn { .. })
                    && matches!(w.method(), "PUT" | "PATCH")
                    && observer.shows_stale_value(w)
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
                    "{method} is answered with success but not applied: reading the resource back shows the old value"
                ),
                "RFC 7644 §3.5 (the service provider applies the modification)",
                "apply the whole request before answering 2xx: the answer and every later GET show the change",
                explains,
            )
        })
        .collect()
}

/// Checks blocked by a failure join the cause of that failure (followed through checks that
/// were blocked themselves). A failure no rule explains gets its own entry, naming what went
/// wrong, when it blocks two checks or more.
fn fold_blocked(seen: &[Seen<'_>], out: &mut Vec<Diagnosis>) {
    let by_key: BTreeMap<String, &Seen<'_>> = seen.iter().map(|s| (s.key(), s)).collect();
    let roots = |start: &Seen<'_>| -> BTreeSet<String> {
        let mut roots = BTreeSet::new();
        let mut todo = vec![start.key()];
        let mut visited = BTreeSet::new();
        while let Some(key) = todo.pop() {
            if !visited.insert(key.clone()) {
                continue;
            }
            match by_key.get(&key).map(|s| (s.suite, &s.check.outcome)) {
                Some((suite, Outcome::Blocked { waited_for, .. })) => {
                    todo.extend(waited_for.iter().map(|w| format!("{suite}/{w}")));
                }
                // A cause is named only from a failure that fails the run.
                Some(_) if key != start.key() && by_key[&key].not_passed() => {
                    roots.insert(key);
                }
                _ => {}
            }
        }
        roots
    };
    let mut unexplained: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in seen
        .iter()
        .filter(|s| matches!(s.check.outcome, Outcome::Blocked { .. }))
    {
        for root in roots(s) {
            match out.iter_mut().find(|d| d.explains.contains(&root)) {
                Some(d) if !d.explains.contains(&s.key()) => d.explains.push(s.key()),
                Some(_) => {}
                None => unexplained.entry(root).or_default().push(s.key()),
            }
        }
    }
    for (root, blocked) in unexplained.into_iter().filter(|(_, b)| b.len() >= 2) {
        let why = by_key
            .get(&root)
            .map_or(String::new(), |s| what_went_wrong(s));
        out.push(diagnosis(
            "blocked",
            format!("{root} did not pass ({why}): the checks that depend on it could not run"),
            "the suite's dependencies (captures and needs)",
            &format!("make {root} pass first: the checks after it run once it does"),
            std::iter::once(root).chain(blocked).collect(),
        ));
    }
}

/// An excerpt of evidence for a cause's text. The results were redacted when recorded; the
/// cut never splits a redaction marker.
fn short(text: &str, max: usize) -> String {
    crate::http::redact::Redactor::default().excerpt(text, max)
}

/// A failed check's first reason, short: "status: expected 201, got 400 (detail: …)".
fn what_went_wrong(s: &Seen<'_>) -> String {
    match &s.check.outcome {
        Outcome::Fail { mismatches } => mismatches.first().map_or(String::new(), |m| {
            short(
                &format!("{}: expected {}, got {}", m.assertion, m.expected, m.actual),
                160,
            )
        }),
        Outcome::Error { reason } => short(reason, 160),
        other => other.label().to_string(),
    }
}
