//! The load probe (IPSIE's "at least 25 SCIM requests per second" and "429 with Retry-After"):
//! one GET sent at a steady rate for a few seconds, then a short burst at once, bounded by the
//! suite format (at most 50 a second for 10 s, a burst of at most 100) and run only when the
//! user opts in (`--load-probe`), since it loads the app. Every answer is counted as it came
//! (no retry); the rate the app kept is measured; a 429 with Retry-After in the burst shows
//! the app's limit; a limit the probe did not reach is said, never passed.

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::http::exchange::Exchange;
use crate::http::{Client, Outgoing};
use crate::judge::assertion::Mismatch;
use crate::report::Outcome;
use crate::suite::LoadSpec;

/// How a set of requests was answered.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) sent: usize,
    /// Answered 2xx.
    pub(crate) ok: usize,
    /// Answered 429, and of those without a Retry-After.
    pub(crate) throttled: usize,
    pub(crate) without_retry_after: usize,
    /// Answered otherwise, or not at all.
    pub(crate) failed: usize,
}

impl Counts {
    /// Counts one answer; its kind, for the evidence kept.
    fn add(&mut self, sent: &crate::http::Sent) -> &'static str {
        self.sent += 1;
        match sent.response.as_ref().map(|r| r.status) {
            Some(s) if (200..300).contains(&s) => {
                self.ok += 1;
                "first"
            }
            Some(429) => {
                self.throttled += 1;
                let has = sent
                    .response
                    .as_ref()
                    .and_then(|r| r.header("retry-after"))
                    .is_some();
                self.without_retry_after += usize::from(!has);
                "429"
            }
            _ => {
                self.failed += 1;
                "failure"
            }
        }
    }
}

/// What the probe saw.
pub(crate) struct LoadOutcome {
    /// The steady part.
    pub(crate) steady: Counts,
    /// The burst after it.
    pub(crate) burst: Counts,
    /// From the first request's start to the last answer of the steady part.
    pub(crate) wall: Duration,
    /// The median time to an answer in the steady part.
    pub(crate) median: Duration,
    /// Evidence: the first exchange, the first 429, the first failure.
    pub(crate) exchanges: Vec<Exchange>,
}

/// Sends the request `per_second` times a second for `seconds` seconds, each at its time;
/// then `burst` at once.
pub(crate) async fn probe(client: &Client, out: &Outgoing, spec: LoadSpec) -> LoadOutcome {
    let n = (spec.per_second * spec.seconds) as usize;
    let interval = Duration::from_secs(1) / spec.per_second;
    let start = Instant::now();
    let mut pending: futures_util::stream::FuturesUnordered<_> = (0..n)
        .map(|i| {
            let at = start + interval * i as u32;
            async move {
                tokio::time::sleep_until(at.into()).await;
                let sent = client.send_single(out.clone()).await;
                let took =
                    Duration::from_millis(sent.exchanges.first().map_or(0, |x| x.duration_ms));
                (i, took, sent)
            }
        })
        .collect();
    let mut steady = Counts::default();
    let mut times = Vec::with_capacity(n);
    let mut kept: Vec<(usize, &'static str, Exchange)> = Vec::new();
    let mut keep = |i: usize, kind: &'static str, sent: crate::http::Sent| {
        if let Some(x) = sent.exchanges.into_iter().next()
            && (i == 0 || !kept.iter().any(|(_, k, _)| *k == kind))
        {
            kept.push((i, kind, x));
        }
    };
    while let Some((i, took, sent)) = pending.next().await {
        times.push(took);
        let kind = steady.add(&sent);
        keep(i, kind, sent);
    }
    let wall = start.elapsed();
    let mut burst = Counts::default();
    let at_once = (0..spec.burst).map(|_| client.send_single(out.clone()));
    for (i, sent) in futures_util::future::join_all(at_once)
        .await
        .into_iter()
        .enumerate()
    {
        let kind = burst.add(&sent);
        keep(n + i, kind, sent);
    }
    times.sort();
    kept.sort_by_key(|(i, _, _)| *i);
    LoadOutcome {
        steady,
        burst,
        wall,
        median: times.get(times.len() / 2).copied().unwrap_or_default(),
        exchanges: kept.into_iter().map(|(_, _, x)| x).take(3).collect(),
    }
}

/// Why a load probe does not run: the user did not opt in (`--load-probe`). Opted in, it
/// keeps its own rate whatever `--rate` paces the rest of the run at.
pub(crate) fn not_asked(
    load: &LoadSpec,
    options: &crate::run::options::RunOptions,
) -> Option<String> {
    (!options.load_probe).then(|| {
        format!(
            "not run: it sends {} requests a second for {} s to the app, then {} at once; opt in with --load-probe",
            load.per_second, load.seconds, load.burst
        )
    })
}

/// The verdict: a failure for every way the app did not keep up in the steady part (the probe
/// sends outside `--concurrency`, so a shortfall is the app's), a 429 without Retry-After, or a
/// burst answered with errors instead of 429; a pass when the burst met the app's limit (429
/// with Retry-After); else partial (a limit above what was sent is not observed). The note in
/// words.
pub(crate) fn judge(spec: LoadSpec, o: &LoadOutcome) -> (Outcome, String) {
    let rate = spec.per_second as f64;
    let achieved = o.steady.sent as f64 / o.wall.as_secs_f64().max(0.001);
    let note = note_of(o, achieved);
    let mismatches = shortfalls(spec, o, achieved);
    if !mismatches.is_empty() {
        return (Outcome::Fail { mismatches }, note);
    }
    if o.burst.throttled > 0 {
        return (Outcome::Pass, note);
    }
    let not_evaluated = vec![match o.burst.sent {
        0 => format!(
            "that the app enforces a rate limit (429 with Retry-After beyond it) is not observed: the probe stays at {rate} requests a second"
        ),
        n => format!(
            "that the app enforces a rate limit (429 with Retry-After beyond it) is not observed: {rate} requests a second and then {n} at once were all served"
        ),
    }];
    (Outcome::Partial { not_evaluated }, note)
}

/// What the probe saw, in words.
fn note_of(o: &LoadOutcome, achieved: f64) -> String {
    let steady = &o.steady;
    let mut note = format!(
        "{} requests in {:.1} s ({achieved:.1}/s), median answer {} ms; {} answered 429, {} failed",
        steady.sent,
        o.wall.as_secs_f64(),
        o.median.as_millis(),
        steady.throttled,
        steady.failed
    );
    if o.burst.sent > 0 {
        note.push_str(&format!(
            "; then {} at once: {} served, {} answered 429, {} failed",
            o.burst.sent, o.burst.ok, o.burst.throttled, o.burst.failed
        ));
    }
    note
}

/// Every way the app did not keep up: a 429 or a failure in the steady part, a 429 without
/// Retry-After, a burst answered with errors, a rate not kept.
fn shortfalls(spec: LoadSpec, o: &LoadOutcome, achieved: f64) -> Vec<Mismatch> {
    let rate = spec.per_second as f64;
    let steady = &o.steady;
    let mut mismatches = Vec::new();
    let mut add = |assertion: &str, expected: String, actual: String| {
        mismatches.push(Mismatch {
            assertion: assertion.into(),
            expected,
            actual,
            hint: None,
            keyword: None,
        })
    };
    if steady.throttled > 0 {
        add(
            "load 429",
            format!("every request served at {rate} requests a second"),
            format!(
                "{} of {} answered 429 Too Many Requests",
                steady.throttled, steady.sent
            ),
        );
    }
    let without_retry_after = steady.without_retry_after + o.burst.without_retry_after;
    if without_retry_after > 0 {
        add(
            "load Retry-After",
            "a Retry-After header on every 429".into(),
            format!("{without_retry_after} answers 429 without one"),
        );
    }
    if steady.failed > 0 {
        add(
            "load status",
            "a success for every request".into(),
            format!(
                "{} of {} failed (an error status or no answer)",
                steady.failed, steady.sent
            ),
        );
    }
    if o.burst.failed > 0 {
        add(
            "load burst",
            format!(
                "each of {} requests at once served or answered 429 (a limit says so, it does not fail)",
                o.burst.sent
            ),
            format!("{} failed (an error status or no answer)", o.burst.failed),
        );
    }
    // The last request leaves at (n-1)/rate; a quarter of the probe's length late means the
    // app did not keep the rate.
    let ideal = (steady.sent.saturating_sub(1)) as f64 / rate + o.median.as_secs_f64();
    if o.wall.as_secs_f64() > ideal + 0.25 * spec.seconds as f64 {
        add(
            "load rate",
            format!("{rate} requests a second kept for {} s", spec.seconds),
            format!(
                "{achieved:.1} a second ({} s for {} requests)",
                o.wall.as_secs_f64().round(),
                steady.sent
            ),
        );
    }
    mismatches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_runs_when_asked_for_whatever_rate_paces_the_rest() {
        let spec = LoadSpec {
            per_second: 25,
            seconds: 4,
            burst: 50,
        };
        let mut options = crate::run::options::RunOptions::default();
        let reason = not_asked(&spec, &options).expect("not asked for: skipped");
        assert!(reason.contains("opt in with --load-probe"), "{reason}");
        options.load_probe = true;
        options.pace.rate = Some(5.0);
        assert_eq!(not_asked(&spec, &options), None);
    }
}
