//! The load probe (IPSIE's "at least 25 SCIM requests per second" and "429 with Retry-After"):
//! one GET sent at a steady rate for a few seconds, bounded by the suite format (at most 50 a
//! second for 10 s) and run only when the user opts in (`--load-probe`), since it loads the
//! app. Every answer is counted as it came (no retry); the rate the app kept is measured; what
//! a polite probe cannot see (that a limit is enforced above its rate) is said, never passed.

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::http::exchange::Exchange;
use crate::http::{Client, Outgoing};
use crate::judge::assertion::Mismatch;
use crate::report::Outcome;
use crate::suite::LoadSpec;

/// What the probe saw.
pub(crate) struct LoadOutcome {
    pub(crate) sent: usize,
    /// Answered 2xx.
    pub(crate) ok: usize,
    /// Answered 429, and of those without a Retry-After.
    pub(crate) throttled: usize,
    pub(crate) without_retry_after: usize,
    /// Answered otherwise, or not at all.
    pub(crate) failed: usize,
    /// From the first request's start to the last answer.
    pub(crate) wall: Duration,
    /// The median time to an answer.
    pub(crate) median: Duration,
    /// Evidence: the first exchange, the first 429, the first failure.
    pub(crate) exchanges: Vec<Exchange>,
}

/// Sends the request `per_second` times a second for `seconds` seconds, each at its time.
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
    let mut o = LoadOutcome {
        sent: n,
        ok: 0,
        throttled: 0,
        without_retry_after: 0,
        failed: 0,
        wall: Duration::ZERO,
        median: Duration::ZERO,
        exchanges: Vec::new(),
    };
    let mut times = Vec::with_capacity(n);
    let mut kept: Vec<(usize, &'static str, Exchange)> = Vec::new();
    while let Some((i, took, sent)) = pending.next().await {
        times.push(took);
        let status = sent.response.as_ref().map(|r| r.status);
        let kind = match status {
            Some(s) if (200..300).contains(&s) => {
                o.ok += 1;
                "first"
            }
            Some(429) => {
                o.throttled += 1;
                let has = sent
                    .response
                    .as_ref()
                    .and_then(|r| r.header("retry-after"))
                    .is_some();
                if !has {
                    o.without_retry_after += 1;
                }
                "429"
            }
            _ => {
                o.failed += 1;
                "failure"
            }
        };
        if let Some(x) = sent.exchanges.into_iter().next()
            && (i == 0 || !kept.iter().any(|(_, k, _)| *k == kind))
        {
            kept.push((i, kind, x));
        }
    }
    o.wall = start.elapsed();
    times.sort();
    o.median = times.get(times.len() / 2).copied().unwrap_or_default();
    kept.sort_by_key(|(i, _, _)| *i);
    o.exchanges = kept.into_iter().map(|(_, _, x)| x).take(3).collect();
    o
}

/// Why a load probe does not run: the user did not opt in (`--load-probe`), or `--rate` is
/// below its rate.
pub(crate) fn not_asked(
    load: &LoadSpec,
    options: &crate::run::options::RunOptions,
) -> Option<String> {
    let capped = options
        .pace
        .rate
        .filter(|r| *r < f64::from(load.per_second));
    match (options.load_probe, capped) {
        (false, _) => Some(format!(
            "not run: it sends {} requests a second for {} s to the app; opt in with --load-probe",
            load.per_second, load.seconds
        )),
        (true, Some(r)) => Some(format!(
            "not run: --rate {r} is below the probe's {} requests a second",
            load.per_second
        )),
        (true, None) => None,
    }
}

/// The verdict: a failure for every way the app did not keep up (the probe sends outside
/// `--concurrency`, so a shortfall is the app's), else partial (a limit above the rate is not
/// observed), and the note in words.
pub(crate) fn judge(spec: LoadSpec, o: &LoadOutcome) -> (Outcome, String) {
    let rate = spec.per_second as f64;
    let achieved = o.sent as f64 / o.wall.as_secs_f64().max(0.001);
    let note = format!(
        "{} requests in {:.1} s ({achieved:.1}/s), median answer {} ms; {} answered 429, {} failed",
        o.sent,
        o.wall.as_secs_f64(),
        o.median.as_millis(),
        o.throttled,
        o.failed
    );
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
    if o.throttled > 0 {
        add(
            "load 429",
            format!("every request served at {rate} requests a second"),
            format!(
                "{} of {} answered 429 Too Many Requests",
                o.throttled, o.sent
            ),
        );
    }
    if o.without_retry_after > 0 {
        add(
            "load Retry-After",
            "a Retry-After header on every 429".into(),
            format!("{} answers 429 without one", o.without_retry_after),
        );
    }
    if o.failed > 0 {
        add(
            "load status",
            "a success for every request".into(),
            format!(
                "{} of {} failed (an error status or no answer)",
                o.failed, o.sent
            ),
        );
    }
    // The last request leaves at (n-1)/rate; a quarter of the probe's length late means the
    // app did not keep the rate.
    let ideal = (o.sent.saturating_sub(1)) as f64 / rate + o.median.as_secs_f64();
    if o.wall.as_secs_f64() > ideal + 0.25 * spec.seconds as f64 {
        add(
            "load rate",
            format!("{rate} requests a second kept for {} s", spec.seconds),
            format!(
                "{achieved:.1} a second ({} s for {} requests)",
                o.wall.as_secs_f64().round(),
                o.sent
            ),
        );
    }
    if mismatches.is_empty() {
        let not_evaluated = vec![format!(
            "that the app enforces a rate limit (429 with Retry-After beyond it) is not observed: the probe stays at {rate} requests a second"
        )];
        (Outcome::Partial { not_evaluated }, note)
    } else {
        (Outcome::Fail { mismatches }, note)
    }
}
