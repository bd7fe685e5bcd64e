//! `scimcheck run`: the run's arguments, how it is shown (terminal, GitHub), and the result
//! files it writes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::commands::run_config::{RunConfig, resolve};
use anyhow::{Context, Result, anyhow};
use clap::ValueEnum;
use harness::http::Client;
use harness::report::{ExitStatus, RunReport};
use harness::reporters::terminal::{Progress, Style, write_network, write_summary, write_version};
use harness::run::detect::{VersionChoice, detect};
use harness::run::{aborted_before_start, run};
use harness::suite::builtin::select_suites;

/// How fast the run talks to the app, as the terminal says it before the first check.
fn pacing(target: &harness::http::Target) -> String {
    let at_once = match target.concurrency {
        1 => "one request at a time (--concurrency 1)".to_string(),
        n => format!("at most {n} requests at once (--concurrency)"),
    };
    match target.rate {
        Some(rate) => format!("pace: {at_once}, at most {rate} per second (--rate)"),
        None => format!("pace: {at_once}"),
    }
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 10_000.0 => Ok(r),
        _ => Err(format!(
            "{text:?} is not a rate: a number of requests per second above 0 (at most 10000)"
        )),
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum AuthMode {
    Bearer,
    Header,
    Basic,
    /// An OAuth 2 access token from --token-url (client credentials, or SCIM_REFRESH_TOKEN)
    #[value(name = "oauth2")]
    OAuth2,
    None,
}

/// How an OAuth 2 client authenticates to the token endpoint.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ClientAuthArg {
    /// HTTP Basic (client_secret_basic)
    Basic,
    /// In the form body (client_secret_post)
    Post,
}

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// SCIM base URL, e.g. https://app.example.com/scim/v2 [env: SCIM_BASE_URL]
    #[arg(long)]
    pub(crate) base_url: Option<String>,
    /// How to authenticate [default: bearer]
    #[arg(long, value_enum)]
    pub(crate) auth: Option<AuthMode>,
    /// A built-in suite id or a suite file; repeatable [default: every built-in suite]
    #[arg(long = "suite")]
    pub(crate) suites: Vec<String>,
    /// Directory for junit.xml and results.json [default: scimcheck-results]
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Config file [default: ./scimcheck.toml if it exists]
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// Domain of the users the run creates [default: atko.com, as Okta's suites]
    #[arg(long)]
    pub(crate) email_domain: Option<String>,
    /// Connect timeout in seconds [default: 10]
    #[arg(long)]
    pub(crate) connect_timeout: Option<u64>,
    /// Timeout of a whole request in seconds [default: 30]
    #[arg(long)]
    pub(crate) timeout: Option<u64>,
    /// Largest response body read, in bytes [default: 10485760]
    #[arg(long)]
    pub(crate) max_body_bytes: Option<usize>,
    /// OAuth 2 token endpoint (--auth oauth2); the client secret comes from SCIM_CLIENT_SECRET,
    /// a refresh token (instead of the client credentials grant) from SCIM_REFRESH_TOKEN
    #[arg(long, value_name = "URL")]
    pub(crate) token_url: Option<String>,
    /// OAuth 2 client id (--auth oauth2)
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// OAuth 2 scope to ask for (--auth oauth2)
    #[arg(long)]
    pub(crate) scope: Option<String>,
    /// How the OAuth 2 client authenticates to the token endpoint [default: basic]
    #[arg(long, value_enum)]
    pub(crate) client_auth: Option<ClientAuthArg>,
    /// The authorize endpoint, for the oauth suite's redirect check (--suite oauth)
    #[arg(long, value_name = "URL")]
    pub(crate) authorize_url: Option<String>,
    /// The revocation endpoint (RFC 7009) for the oauth suite [default: from the server's metadata]
    #[arg(long, value_name = "URL")]
    pub(crate) revocation_url: Option<String>,
    /// The longest the oauth suite waits for an access token to expire, in seconds
    #[arg(long, default_value_t = 120)]
    pub(crate) oauth_max_wait: u64,
    /// Pages of an import walk fetched at once, once totalResults is known (pages are judged
    /// in order: no duplicates, no gaps, stable order, as with one) [default: 1, the next
    /// page fetched while this one is judged]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=32))]
    pub(crate) import_concurrency: Option<u16>,
    /// Send at most this many requests per second (retries included), e.g. 5 or 0.5
    #[arg(long, value_name = "PER_SECOND", value_parser = parse_rate)]
    pub(crate) rate: Option<f64>,
    /// An entitlement endpoint to test (okta-entitlements), e.g. /Roles; repeatable. Replaces
    /// the discovery of Okta-URN resource types in /ResourceTypes (for an app without it)
    #[arg(long = "entitlement-endpoint", value_name = "PATH")]
    pub(crate) entitlement_endpoints: Vec<String>,
    /// Requests in flight at once: checks that do not depend on each other run together
    /// (1: strictly one at a time, Okta's own order) [default: 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=32))]
    pub(crate) concurrency: Option<u16>,
    /// Send every request through this proxy (http://[USER:PASSWORD@]HOST:PORT), or "none"
    /// for a direct connection [default: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY]
    #[arg(long, value_name = "URL")]
    pub(crate) proxy: Option<String>,
    /// Trust the CA certificates in this PEM file too (besides the platform's)
    #[arg(long, value_name = "FILE")]
    pub(crate) cacert: Option<PathBuf>,
    /// Do not verify certificates (a test only: shown in every report, refused by `package`)
    #[arg(long)]
    pub(crate) insecure: bool,
    /// Leave the resources the run creates in the app (they are reported)
    #[arg(long)]
    pub(crate) keep: bool,
    /// Fail on SHOULD and MAY violations too (by default they are warnings)
    #[arg(long)]
    pub(crate) strict: bool,
    /// The SCIM version to test: auto probes the app [default: auto]
    #[arg(long, value_enum)]
    pub(crate) scim_version: Option<VersionArg>,
    /// `count` of each page of an import walk [default: 100, as Okta]
    #[arg(long)]
    pub(crate) page_size: Option<usize>,
    /// The most resources one import walk reads before it stops with a failure (a server
    /// chooses totalResults)
    #[arg(long, default_value_t = harness::run::walk::DEFAULT_MAX_IMPORT_RESOURCES)]
    pub(crate) max_import_resources: usize,
    /// The longest the checks may run, in seconds; then the run stops, cleans up and exits 2
    #[arg(long, default_value_t = harness::run::DEFAULT_MAX_DURATION.as_secs())]
    pub(crate) max_duration: u64,
    /// Run an Okta Runscope export (JSON) as it is, instead of built-in suites
    #[arg(long, conflicts_with = "suites")]
    pub(crate) runscope: Option<PathBuf>,
    /// A variable of the export: NAME=VALUE; repeatable
    #[arg(long = "var", value_parser = parse_pair)]
    pub(crate) vars: Vec<(String, String)>,
    /// A secret variable of the export, read from the environment: NAME=ENV_VAR; repeatable
    #[arg(long = "var-env", value_parser = parse_pair)]
    pub(crate) var_envs: Vec<(String, String)>,
    /// Wait the pauses of a Runscope export (5-40 s between steps)
    #[arg(long)]
    pub(crate) honor_pauses: bool,
    /// Run only the checks matching PATTERN (`suite/check` or `check`, `*` wildcards), and
    /// the checks they depend on; repeatable
    #[arg(long = "only", value_name = "PATTERN")]
    pub(crate) only: Vec<String>,
    /// Leave out the checks matching PATTERN (checks that need them are blocked); repeatable
    #[arg(long = "skip", value_name = "PATTERN")]
    pub(crate) skip: Vec<String>,
    /// Run again the checks that failed, errored or were blocked in DIR/results.json
    /// [default DIR: the --out directory]
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub(crate) rerun_failed: Option<Option<PathBuf>>,
    /// Show the request line and response status of every check that did not pass; twice
    /// (-vv) also the response body (secrets removed)
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub(crate) verbose: u8,
    /// Print only the summary (no line per check)
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Colours: auto (a terminal without NO_COLOR), always or never
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: ColorArg,
    /// What goes to stdout at the end: the human summary, or results.json for scripts
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: FormatArg,
    /// A results.json of an earlier run: only checks that passed there and fail now (the
    /// regressions) fail this run; the others are listed as known
    #[arg(long, value_name = "RESULTS_JSON")]
    pub(crate) baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum, Default)]
pub(crate) enum FormatArg {
    #[default]
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, Default)]
pub(crate) enum ColorArg {
    #[default]
    Auto,
    Always,
    Never,
}

/// How the run is shown on the terminal (nothing of it reaches the result files).
#[derive(Clone, Default)]
pub(crate) struct Display {
    pub(crate) color: ColorArg,
    pub(crate) verbose: u8,
    pub(crate) quiet: bool,
    pub(crate) format: FormatArg,
    /// The checks that passed in the `--baseline` run.
    pub(crate) baseline: Option<std::collections::BTreeSet<String>>,
}

impl Display {
    fn style(&self, is_terminal: bool) -> Style {
        let color = match self.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        Style {
            color,
            verbose: self.verbose,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum VersionArg {
    Auto,
    #[value(name = "2.0")]
    V2,
    #[value(name = "1.1")]
    V11,
}

pub(crate) fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| "expected NAME=VALUE".to_string())
}

/// Runs, writes the result files, prints the summary; returns the exit status.
pub(crate) async fn execute(mut config: RunConfig) -> Result<ExitStatus> {
    let client = Client::new(config.target).map_err(|e| anyhow!(e))?;
    if let Err(message) = client.prepare().await {
        let abort = harness::run::detect::DetectError::CredentialRefused(message).to_abort();
        let report = aborted_before_start(&client, &config.options, abort);
        return finish(&report, &config.out, &config.display);
    }
    let (choice, suites) = match config.runscope.take() {
        // An export is a test of one version, as its name says.
        Some(suite) => {
            let mut choice = VersionChoice::declared(suite.scim_version.as_str());
            choice.evidence = vec![format!(
                "the Runscope export {:?} is a SCIM {} test",
                suite.title, suite.scim_version
            )];
            (choice, vec![suite])
        }
        None => {
            let choice = match config.version {
                VersionArg::Auto => match detect(&client).await {
                    Ok(choice) => choice,
                    Err(e) => {
                        let report = aborted_before_start(&client, &config.options, e.to_abort());
                        return finish(&report, &config.out, &config.display);
                    }
                },
                VersionArg::V2 => VersionChoice::declared("2.0"),
                VersionArg::V11 => VersionChoice::declared("1.1"),
            };
            let suites = if config.oauth_suite.as_ref().is_some_and(|o| o.alone) {
                Vec::new()
            } else {
                select_suites(&config.suite_args, &choice.version)?
            };
            (choice, suites)
        }
    };
    let suites = config.selection.apply(suites).map_err(|e| anyhow!(e))?;
    if !config.display.quiet {
        let _ = write_version(&choice, &mut std::io::stderr());
    }
    if !config.display.quiet {
        eprintln!("{}", pacing(client.target()));
    }
    let network = &client.target().network;
    let _ = write_network(
        &harness::report::TargetInfo {
            base_url: String::new(),
            auth: String::new(),
            proxy: network.proxy_in_use(),
            tls: network.tls_trust(),
            insecure: network.insecure,
        },
        config.display.style(std::io::stderr().is_terminal()),
        &mut std::io::stderr(),
    );
    config.options.scim_version = Some(choice);
    let mut progress = Progress::new(
        std::io::stderr(),
        config.display.style(std::io::stderr().is_terminal()),
    )
    .live(std::io::stderr().is_terminal());
    let mut quiet = harness::run::events::NoEvents;
    let events: &mut dyn harness::run::events::Events = if config.display.quiet {
        &mut quiet
    } else {
        &mut progress
    };
    let mut report = run(
        &client,
        &suites,
        &config.options,
        events,
        crate::commands::signals::first_stop(),
    )
    .await;
    if let (Some(oauth), harness::http::Credential::OAuth2(o)) =
        (&config.oauth_suite, &client.target().credential)
        && report.aborted.is_none()
        && !report.interrupted
    {
        let revocation_url = match &oauth.revocation_url {
            Some(u) => Some(u.clone()),
            None => {
                harness::run::oauth_checks::discover_revocation(client.http(), &o.token_url).await
            }
        };
        let checks = harness::run::oauth_checks::OAuthChecks {
            oauth: o,
            authorize_url: oauth.authorize_url.as_deref(),
            revocation_url: revocation_url.as_deref(),
            max_wait: oauth.max_wait,
        };
        let suite = harness::run::oauth_checks::run(&client, &checks).await;
        if !config.display.quiet {
            let style = config.display.style(std::io::stderr().is_terminal());
            let mut err = std::io::stderr();
            let _ = writeln!(err, "{}  {}", suite.id, suite.title);
            for check in &suite.checks {
                let _ = harness::reporters::terminal::write_check(check, style, &mut err);
            }
        }
        report.duration_ms += suite.duration_ms;
        report.suites.push(suite);
        report.summary = harness::report::Summary::of(&report.suites, client.requests_sent());
    }
    finish(&report, &config.out, &config.display)
}

/// Writes the result files and prints the summary (and why a run stopped, on stderr); in
/// GitHub Actions also the job summary and the annotations. The exit status is the report's,
/// or against the baseline when there is one.
pub(crate) fn finish(report: &RunReport, out_dir: &Path, display: &Display) -> Result<ExitStatus> {
    write_results(report, out_dir)?;
    if let Some(abort) = &report.aborted {
        eprintln!("error: {}", untrusted::terminal(&abort.message));
    }
    if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") {
        // With --format json, stdout is the document: annotations go to stderr.
        github(report, matches!(display.format, FormatArg::Json))?;
    }
    let mut out = std::io::stdout().lock();
    let style = display.style(std::io::stdout().is_terminal());
    let printed = match display.format {
        FormatArg::Json => harness::reporters::json::write(report, &mut out),
        FormatArg::Human => write_summary(report, style, &mut out).and_then(|()| {
            writeln!(
                out,
                "results: {}, {}, {}",
                out_dir.join("junit.xml").display(),
                out_dir.join("results.json").display(),
                out_dir.join("report.html").display()
            )
        }),
    };
    match printed {
        // A closed pipe (`| head`) is not an error of the run.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to stdout")?,
    }
    let Some(passed_before) = &display.baseline else {
        return Ok(ExitStatus::of(report));
    };
    let regressions = report.regressions(passed_before);
    let known: Vec<String> = report
        .keys(harness::report::CheckResult::fails_run)
        .into_iter()
        .filter(|k| !passed_before.contains(k))
        .collect();
    eprintln!(
        "baseline: {} regressions{}; {} failures known from the baseline{}",
        regressions.len(),
        list(&regressions),
        known.len(),
        list(&known)
    );
    Ok(ExitStatus::against(report, passed_before))
}

pub(crate) fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", ids.join(", "))
    }
}

/// GitHub Actions: annotations on stdout, and the job summary appended to
/// `$GITHUB_STEP_SUMMARY`.
pub(crate) fn github(report: &RunReport, annotations_to_stderr: bool) -> Result<()> {
    if annotations_to_stderr {
        harness::reporters::github::write_annotations(report, &mut std::io::stderr().lock())?;
    } else {
        harness::reporters::github::write_annotations(report, &mut std::io::stdout().lock())?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| {
                format!(
                    "cannot open GITHUB_STEP_SUMMARY {}",
                    Path::new(&path).display()
                )
            })?;
        harness::reporters::github::write_summary(report, &mut file)?;
    }
    Ok(())
}

pub(crate) fn write_results(report: &RunReport, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    // Several runs into one directory: say what the new files replace.
    if let Ok(text) = untrusted::files::read_text_capped(
        &dir.join("results.json"),
        untrusted::files::RESULTS_MAX_BYTES,
    ) && let Ok(old) = serde_json::from_str::<serde_json::Value>(&text)
    {
        let suites: Vec<&str> = old["suites"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["id"].as_str())
            .collect();
        eprintln!(
            "note: replacing the results of run {} ({}) in {}",
            untrusted::terminal_line(old["run_id"].as_str().unwrap_or("?")),
            untrusted::terminal_line(&suites.join(", ")),
            dir.display()
        );
    }
    let write = |name: &str, f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| -> Result<()> {
        let mut buf = Vec::new();
        f(&mut buf)?;
        let path = dir.join(name);
        untrusted::files::write_atomic(&path, &buf, false)
            .with_context(|| format!("cannot write {}", path.display()))
    };
    write("junit.xml", &|b| {
        harness::reporters::junit::write(report, b)
    })?;
    write("results.json", &|b| {
        harness::reporters::json::write(report, b)
    })?;
    write("report.html", &|b| {
        harness::reporters::html::write(report, b)
    })?;
    Ok(())
}

pub(crate) async fn run_command(args: Box<RunArgs>) -> Result<ExitStatus> {
    execute(resolve(*args)?).await
}
