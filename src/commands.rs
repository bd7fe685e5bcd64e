//! The subcommands, a module each (the packager's are in `oin.rs`).

pub(crate) mod oauth;
pub(crate) mod plan;
pub(crate) mod rerun;
pub(crate) mod run;
pub(crate) mod run_config;
pub(crate) mod serve;
pub(crate) mod signals;
pub(crate) mod suites;
