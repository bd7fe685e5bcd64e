//! The `scimcheck` command line: parses arguments, resolves configuration and credentials
//! (the only place that reads the environment), calls the libraries, and maps the outcome to
//! the exit status. Logic lives in `harness`, `refserver` and `packager`.

mod cli;
mod commands;
mod config;
mod oin;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
