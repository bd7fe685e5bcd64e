//! The subcommands, a module each (the packager's are in `oin.rs`).

pub(crate) mod oauth;
pub(crate) mod plan;
pub(crate) mod rerun;
pub(crate) mod run;
pub(crate) mod run_args;
pub(crate) mod run_config;
pub(crate) mod serve;
pub(crate) mod signals;
pub(crate) mod suites;

use std::io::Write;

use anyhow::Result;
use harness::report::ExitStatus;

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print_bytes(bytes: &[u8]) -> Result<ExitStatus> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitStatus::Success),
    }
}
