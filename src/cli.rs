//! Argument parsing and the one place that maps outcomes to exit codes; each subcommand
//! lives in `commands/`.

use std::process::ExitCode;

use crate::commands::print_bytes;
use crate::commands::run::run_command;
use crate::commands::run_args::RunArgs;
use crate::commands::serve::{DemoArgs, ServeArgs, demo_command, serve_command};
use crate::commands::suites::{ImportArgs, SuitesArgs, import_runscope, suites_command};
use anyhow::anyhow;
use clap::{Parser, Subcommand};
use harness::report::ExitStatus;

const EXIT_CODES: &str = "Exit status:
  0    every required check passed
  1    a required check failed
  2    usage, configuration, suite-file or connection error
  130  interrupted (Ctrl-C), after cleaning up what the run created and writing the results
  143  stopped by SIGTERM (CI timeouts, docker stop, Kubernetes), likewise
  129  stopped by SIGHUP (the terminal closed), likewise";

/// SCIM 2.0 conformance harness with Okta's SPEC suite, and the reference SCIM server.
#[derive(Parser)]
#[command(name = "scimcheck", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run suites against a SCIM app and write junit.xml and results.json.
    #[command(after_help = "Credentials come only from the environment:
  SCIM_TOKEN                      with --auth bearer (sent as 'Bearer <token>') or header (sent as is)
  SCIM_USERNAME, SCIM_PASSWORD    with --auth basic

Exit status: 0 all required checks passed, 1 a required check failed,
2 usage/config/suite/connection error, 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP
(after cleaning up and writing the results; a second signal ends at once).")]
    Run(Box<RunArgs>),
    /// Serve the in-memory reference SCIM service provider (2.0 or 1.1) on 127.0.0.1.
    Serve(ServeArgs),
    /// Start reference servers (2.0 and 1.1), run every built-in suite, package a sample.
    Demo(DemoArgs),
    /// List the built-in suites and their checks.
    Suites(SuitesArgs),
    /// Write a commented OIN submission file to fill in.
    Init(crate::oin::InitArgs),
    /// Validate a submission, check the results, and write the review bundle.
    #[command(
        after_help = "Exit status: 0 bundle written (review-ready, or a requested --draft), 1 not review-ready, 2 unreadable input."
    )]
    Package(crate::oin::PackageArgs),
    /// Verify a review bundle: hashes, structure, results, completeness.
    Verify(crate::oin::VerifyArgs),
    /// OAuth 2: `oauth login` authorizes scimcheck (authorization code + PKCE) and stores the
    /// refresh token that `run --auth oauth2` uses.
    #[command(name = "oauth")]
    OAuth(crate::commands::oauth::OAuthArgs),
    /// Okta's manual QA plan, case by case: what scimcheck checks of each (with --results,
    /// the verdicts of a run).
    Plan(crate::commands::plan::PlanArgs),
    /// Run a review bundle's checks again against the app (same suites, versions, options)
    /// and compare them with the bundled verdicts; exit 1 on a regression.
    Rerun(crate::commands::rerun::RerunArgs),
    /// Compare two runs' results check by check; exit 1 on a regression.
    Diff(crate::commands::rerun::DiffArgs),
    /// Convert an Okta Runscope export into a suite file, listing what cannot be expressed.
    ImportRunscope(ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) on stdout.
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout: `scimcheck man > scimcheck.1`.
    Man,
}

/// Entry point: one place maps outcomes to exit codes.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let hint = credential_flag_hint(&e);
            let _ = e.print();
            if let Some(hint) = hint {
                eprintln!("\n{hint}");
            }
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    // One thread: a run is a handful of request flows waiting on the network, and the
    // measured cost of handing each response between worker threads was a quarter of the
    // harness's CPU in a 100,000-user import (bench/profile_sourcing.py: 2.78 s → 2.05 s).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(anyhow!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run_command(args).await,
            Command::Serve(args) => serve_command(args).await,
            Command::Demo(args) => demo_command(args).await,
            Command::Suites(args) => suites_command(args),
            Command::Init(args) => crate::oin::init(args),
            Command::Package(args) => crate::oin::package(args),
            Command::Verify(args) => crate::oin::verify(args),
            Command::ImportRunscope(args) => import_runscope(args),
            Command::Plan(args) => crate::commands::plan::plan_command(args),
            Command::Rerun(args) => crate::commands::rerun::rerun_command(args).await,
            Command::Diff(args) => crate::commands::rerun::diff_command(args),
            Command::OAuth(args) => crate::commands::oauth::oauth_command(args).await,
            Command::Completions { shell } => {
                let mut cmd = <Cli as clap::CommandFactory>::command();
                let mut text = Vec::new();
                clap_complete::generate(shell, &mut cmd, "scimcheck", &mut text);
                print_bytes(&text)
            }
            Command::Man => {
                let cmd = <Cli as clap::CommandFactory>::command();
                let mut text = Vec::new();
                clap_mangen::Man::new(cmd).render(&mut text)?;
                print_bytes(&text)
            }
        }
    });
    match result {
        Ok(status) => ExitCode::from(status.code() as u8),
        Err(e) => fail(e),
    }
}

/// A credential given as a flag (`--token`, `--password`): clap would suggest `--token-url`,
/// which sends a bearer-token user to OAuth. Credentials come from the environment only, so
/// that they stay out of shell history and process lists.
fn credential_flag_hint(e: &clap::Error) -> Option<&'static str> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let flag = arg.split('=').next().unwrap_or_default();
    matches!(
        flag,
        "--token" | "--bearer" | "--password" | "--secret" | "--client-secret" | "--api-key"
    )
    .then_some(
        "hint: scimcheck takes no credential as a flag (it would land in shell history and process lists): set SCIM_TOKEN for a bearer token, SCIM_USERNAME and SCIM_PASSWORD for Basic, SCIM_CLIENT_SECRET (or SCIM_REFRESH_TOKEN) for OAuth 2 (--token-url is the OAuth token endpoint, not a token)",
    )
}

fn fail(e: anyhow::Error) -> ExitCode {
    // An error may quote a server or a bundle: never let it steer the terminal.
    eprintln!("error: {}", untrusted::terminal(&format!("{e:#}")));
    ExitCode::from(ExitStatus::Error.code() as u8)
}
