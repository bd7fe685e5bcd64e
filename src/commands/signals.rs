//! Stopping a run by signal: the first SIGINT (Ctrl-C), SIGTERM (CI job timeouts, `timeout`,
//! `docker stop`, Kubernetes) or SIGHUP (a closed terminal) asks the run to stop; it removes
//! what it created (within `harness::run::CLEANUP_AFTER_STOP`), writes its results, and
//! exits 128 + the signal's number. A second signal ends the process at once.

use std::future::Future;

use harness::report::{ExitStatus, StopSignal};

/// Resolves at the first stop signal. The handlers are installed when this is called, before
/// the run creates anything; from the first signal on, a second one exits at once.
pub(crate) fn first_stop() -> impl Future<Output = StopSignal> {
    let mut signals = Signals::install();
    async move {
        let Some(first) = signals.next().await else {
            return std::future::pending().await;
        };
        eprintln!(
            "\n{}: stopping: removing what the run created (at most {} s), then writing the results; a second signal ends at once",
            first.name(),
            harness::run::CLEANUP_AFTER_STOP.as_secs()
        );
        tokio::spawn(async move {
            if let Some(second) = signals.next().await {
                eprintln!(
                    "{}: ending at once: what the run created may be left in the app (its marker is in every name)",
                    second.name()
                );
                std::process::exit(ExitStatus::Interrupted(second).code());
            }
        });
        first
    }
}

/// The signal streams a run listens to (none where they cannot be installed).
struct Signals {
    #[cfg(unix)]
    streams: Option<[(StopSignal, tokio::signal::unix::Signal); 3]>,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let streams = (|| {
            Some([
                (StopSignal::Interrupt, signal(SignalKind::interrupt()).ok()?),
                (StopSignal::Terminate, signal(SignalKind::terminate()).ok()?),
                (StopSignal::HangUp, signal(SignalKind::hangup()).ok()?),
            ])
        })();
        Signals { streams }
    }

    #[cfg(not(unix))]
    fn install() -> Self {
        Signals {}
    }

    /// The next signal received.
    #[cfg(unix)]
    async fn next(&mut self) -> Option<StopSignal> {
        let [(a, sa), (b, sb), (c, sc)] = self.streams.as_mut()?;
        tokio::select! {
            Some(()) = sa.recv() => Some(*a),
            Some(()) = sb.recv() => Some(*b),
            Some(()) = sc.recv() => Some(*c),
            else => None,
        }
    }

    /// The next Ctrl-C.
    #[cfg(not(unix))]
    async fn next(&mut self) -> Option<StopSignal> {
        tokio::signal::ctrl_c().await.ok()?;
        Some(StopSignal::Interrupt)
    }
}
