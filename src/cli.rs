//! Argument parsing and wiring for each subcommand.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use harness::builtin::select_suites;
use harness::config::{FileConfig, parse_config};
use harness::detect::{VersionChoice, detect};
use harness::http::{Client, Credential, Target};
use harness::report::{ExitStatus, RunReport};
use harness::reporters::terminal::{Progress, Style, write_summary, write_version};
use harness::runner::{RunOptions, aborted_before_start, run};
use secrecy::SecretString;

const EXIT_CODES: &str = "Exit status:
  0    every required check passed
  1    a required check failed
  2    usage, configuration, suite-file or connection error
  130  interrupted (Ctrl-C), after cleaning up what the run created";

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
2 usage/config/suite/connection error, 130 interrupted.")]
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

#[derive(Clone, Copy, ValueEnum)]
enum AuthMode {
    Bearer,
    Header,
    Basic,
    None,
}

#[derive(clap::Args)]
struct RunArgs {
    /// SCIM base URL, e.g. https://app.example.com/scim/v2 [env: SCIM_BASE_URL]
    #[arg(long)]
    base_url: Option<String>,
    /// How to authenticate [default: bearer]
    #[arg(long, value_enum)]
    auth: Option<AuthMode>,
    /// A built-in suite id or a suite file; repeatable [default: every built-in suite]
    #[arg(long = "suite")]
    suites: Vec<String>,
    /// Directory for junit.xml and results.json [default: scimcheck-results]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Config file [default: ./scimcheck.toml if it exists]
    #[arg(long)]
    config: Option<PathBuf>,
    /// Domain of the users the run creates [default: atko.com, as Okta's suites]
    #[arg(long)]
    email_domain: Option<String>,
    /// Connect timeout in seconds [default: 10]
    #[arg(long)]
    connect_timeout: Option<u64>,
    /// Timeout of a whole request in seconds [default: 30]
    #[arg(long)]
    timeout: Option<u64>,
    /// Largest response body read, in bytes [default: 10485760]
    #[arg(long)]
    max_body_bytes: Option<usize>,
    /// Leave the resources the run creates in the app (they are reported)
    #[arg(long)]
    keep: bool,
    /// Fail on SHOULD and MAY violations too (by default they are warnings)
    #[arg(long)]
    strict: bool,
    /// The SCIM version to test: auto probes the app [default: auto]
    #[arg(long, value_enum)]
    scim_version: Option<VersionArg>,
    /// `count` of each page of an import walk [default: 100, as Okta]
    #[arg(long)]
    page_size: Option<usize>,
    /// The most resources one import walk reads before it stops with a failure (a server
    /// chooses totalResults)
    #[arg(long, default_value_t = harness::walk::DEFAULT_MAX_IMPORT_RESOURCES)]
    max_import_resources: usize,
    /// The longest the checks may run, in seconds; then the run stops, cleans up and exits 2
    #[arg(long, default_value_t = harness::runner::DEFAULT_MAX_DURATION.as_secs())]
    max_duration: u64,
    /// Run an Okta Runscope export (JSON) as it is, instead of built-in suites
    #[arg(long, conflicts_with = "suites")]
    runscope: Option<PathBuf>,
    /// A variable of the export: NAME=VALUE; repeatable
    #[arg(long = "var", value_parser = parse_pair)]
    vars: Vec<(String, String)>,
    /// A secret variable of the export, read from the environment: NAME=ENV_VAR; repeatable
    #[arg(long = "var-env", value_parser = parse_pair)]
    var_envs: Vec<(String, String)>,
    /// Wait the pauses of a Runscope export (5-40 s between steps)
    #[arg(long)]
    honor_pauses: bool,
    /// Run only the checks matching PATTERN (`suite/check` or `check`, `*` wildcards), and
    /// the checks they depend on; repeatable
    #[arg(long = "only", value_name = "PATTERN")]
    only: Vec<String>,
    /// Leave out the checks matching PATTERN (checks that need them are blocked); repeatable
    #[arg(long = "skip", value_name = "PATTERN")]
    skip: Vec<String>,
    /// Run again the checks that failed, errored or were blocked in DIR/results.json
    /// [default DIR: the --out directory]
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    rerun_failed: Option<Option<PathBuf>>,
    /// Show the request line and response status of every check that did not pass; twice
    /// (-vv) also the response body (secrets removed)
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,
    /// Print only the summary (no line per check)
    #[arg(short, long)]
    quiet: bool,
    /// Colours: auto (a terminal without NO_COLOR), always or never
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// What goes to stdout at the end: the human summary, or results.json for scripts
    #[arg(long, value_enum, default_value = "human")]
    format: FormatArg,
    /// A results.json of an earlier run: only checks that passed there and fail now (the
    /// regressions) fail this run; the others are listed as known
    #[arg(long, value_name = "RESULTS_JSON")]
    baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum, Default)]
enum FormatArg {
    #[default]
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, Default)]
enum ColorArg {
    #[default]
    Auto,
    Always,
    Never,
}

/// How the run is shown on the terminal (nothing of it reaches the result files).
#[derive(Clone, Default)]
struct Display {
    color: ColorArg,
    verbose: u8,
    quiet: bool,
    format: FormatArg,
    /// The checks that passed in the `--baseline` run.
    baseline: Option<std::collections::BTreeSet<String>>,
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
enum VersionArg {
    Auto,
    #[value(name = "2.0")]
    V2,
    #[value(name = "1.1")]
    V11,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Bearer token to accept [default: a random one, printed on stderr]
    #[arg(long)]
    token: Option<String>,
    /// A fault to switch on; repeatable (see --help for the list)
    #[arg(long = "fault", value_parser = parse_fault, long_help = fault_help())]
    faults: Vec<refserver::Fault>,
    /// Users to create at start
    #[arg(long, default_value_t = 0)]
    seed_users: usize,
    /// Groups (with members) to create at start
    #[arg(long, default_value_t = 0)]
    seed_groups: usize,
    /// Answer PATCH with 204 and no body
    #[arg(long)]
    patch_204: bool,
    /// The SCIM dialect to serve: 2.0 or 1.1
    #[arg(long, default_value = "2.0", value_parser = parse_scim_version)]
    scim_version: refserver::ScimVersion,
    /// Also accept HTTP Basic credentials, given as USER:PASSWORD
    #[arg(long, value_parser = parse_basic)]
    basic: Option<(String, String)>,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The Runscope export (JSON)
    export: PathBuf,
    /// Where to write the suite file [default: the export's name with .toml]
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
struct DemoArgs {
    /// Directory for junit.xml and results.json
    #[arg(long, default_value = "scimcheck-results")]
    out: PathBuf,
}

#[derive(clap::Args)]
struct SuitesArgs {
    /// Print a Markdown table instead of text
    #[arg(long)]
    markdown: bool,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| "expected NAME=VALUE".to_string())
}

fn parse_scim_version(s: &str) -> Result<refserver::ScimVersion, String> {
    s.parse()
}

fn parse_basic(s: &str) -> Result<(String, String), String> {
    s.split_once(':')
        .filter(|(u, p)| !u.is_empty() && !p.is_empty())
        .map(|(u, p)| (u.to_string(), p.to_string()))
        .ok_or_else(|| "expected USER:PASSWORD".to_string())
}

fn parse_fault(s: &str) -> Result<refserver::Fault, String> {
    s.parse()
}

fn fault_help() -> String {
    let mut s = String::from("A fault to switch on; repeatable. Faults:\n");
    for (name, what) in refserver::fault_catalogue() {
        s.push_str(&format!("  {name:<28} {what}\n"));
    }
    s
}

/// Entry point: one place maps outcomes to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
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

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_bytes(bytes: &[u8]) -> Result<ExitStatus> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitStatus::Success),
    }
}

fn fail(e: anyhow::Error) -> ExitCode {
    // An error may quote a server or a bundle: never let it steer the terminal.
    eprintln!("error: {}", untrusted::terminal(&format!("{e:#}")));
    ExitCode::from(ExitStatus::Error.code() as u8)
}

/// The validated configuration of a `run`: secrets resolved, URL parsed.
struct RunConfig {
    target: Target,
    /// `--suite` arguments; none means every built-in suite of the targeted version.
    suite_args: Vec<String>,
    /// A Runscope export converted into a suite (its own version; no detection).
    runscope: Option<harness::suite::Suite>,
    version: VersionArg,
    out: PathBuf,
    options: RunOptions,
    display: Display,
    selection: harness::select::Selection,
}

fn load_file_config(path: Option<&Path>) -> Result<FileConfig> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("scimcheck.toml"), false),
    };
    if !required && !path.exists() {
        return Ok(FileConfig::default());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    Ok(parse_config(&path.display().to_string(), &text)?)
}

fn env_secret(name: &str) -> Result<SecretString> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(SecretString::from(v)),
        _ => bail!("{name} is not set: the credential comes only from the environment"),
    }
}

/// A credential from the environment, with white space at its ends (a newline from a file)
/// and, for `--auth bearer`, a `Bearer ` the user included, removed; each change is a notice
/// for the report.
fn env_credential(name: &str, bearer: bool, notices: &mut Vec<String>) -> Result<SecretString> {
    let raw = env_secret(name)?;
    let mut value = secrecy::ExposeSecret::expose_secret(&raw);
    if value.trim() != value {
        value = value.trim();
        notices.push(format!(
            "{name} had white space (a newline?) at its start or end; it was trimmed"
        ));
    }
    if bearer && value.len() > 7 && value[..7].eq_ignore_ascii_case("bearer ") {
        value = value[7..].trim_start();
        notices.push(format!(
            "{name} started with 'Bearer ', which --auth bearer adds itself; it was removed"
        ));
    }
    if value.is_empty() {
        bail!("{name} holds only white space");
    }
    Ok(SecretString::from(value.to_string()))
}

fn resolve(args: RunArgs) -> Result<RunConfig> {
    let file = load_file_config(args.config.as_deref())?;
    // Variables of a Runscope export: public ones on the command line, secret ones read from
    // the environment (and redacted from every output).
    let mut inputs = args.vars.clone();
    let mut secrets = Vec::new();
    for (name, env) in &args.var_envs {
        let value = env_secret(env).with_context(|| format!("--var-env {name}={env}"))?;
        inputs.push((
            name.clone(),
            secrecy::ExposeSecret::expose_secret(&value).to_string(),
        ));
        secrets.push(value);
    }
    let input = |names: &[&str]| {
        inputs
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
    };
    let base_url = args
        .base_url
        .or_else(|| {
            std::env::var("SCIM_BASE_URL")
                .ok()
                .filter(|v| !v.is_empty())
        })
        .or(file.base_url)
        .or_else(|| input(&["SCIMBaseURL", "SCIMUrl"]))
        .ok_or_else(|| {
            anyhow!(
                "no base URL: give --base-url, set SCIM_BASE_URL, or put base_url in scimcheck.toml"
            )
        })?;
    let mode = match (args.auth, file.auth.as_deref()) {
        (Some(m), _) => m,
        (None, None) => AuthMode::Bearer,
        (None, Some(text)) => AuthMode::from_str(text, true).map_err(|_| {
            anyhow!("scimcheck.toml: auth must be bearer, header, basic or none, not {text:?}")
        })?,
    };
    let mut notices = Vec::new();
    // An export's whole Authorization value ({{auth}}) given as a variable is the credential.
    let credential = match input(harness::runscope::AUTH_VARS) {
        Some(value) => Credential::Header(value.into()),
        None => match mode {
            AuthMode::Bearer => Credential::Bearer(
                env_credential("SCIM_TOKEN", true, &mut notices).context("--auth bearer")?,
            ),
            AuthMode::Header => Credential::Header(
                env_credential("SCIM_TOKEN", false, &mut notices).context("--auth header")?,
            ),
            AuthMode::Basic => Credential::Basic {
                username: std::env::var("SCIM_USERNAME")
                    .ok()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| anyhow!("--auth basic: SCIM_USERNAME is not set"))?,
                password: env_secret("SCIM_PASSWORD").context("--auth basic")?,
            },
            AuthMode::None => Credential::None,
        },
    };
    let mut target = Target::new(&base_url, credential).map_err(|e| anyhow!(e))?;
    target.extra_secrets = secrets;
    if let Some(s) = args.connect_timeout.or(file.connect_timeout_secs) {
        target.connect_timeout = Duration::from_secs(s);
    }
    if let Some(s) = args.timeout.or(file.timeout_secs) {
        target.request_timeout = Duration::from_secs(s);
    }
    if let Some(n) = args.max_body_bytes.or(file.max_body_bytes) {
        target.max_body_bytes = n;
    }
    let suite_args = if args.suites.is_empty() {
        file.suites
    } else {
        args.suites
    };
    let version = match (args.scim_version, file.scim_version.as_deref()) {
        (Some(v), _) => v,
        (None, None) => VersionArg::Auto,
        (None, Some(text)) => VersionArg::from_str(text, true).map_err(|_| {
            anyhow!("scimcheck.toml: scim_version must be auto, 2.0 or 1.1, not {text:?}")
        })?,
    };
    // Bad suite arguments and exports are reported before any request is sent.
    harness::builtin::select_suites(&suite_args, "2.0")?;
    let runscope = match &args.runscope {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let converted = harness::runscope::convert(&path.display().to_string(), &text)?;
            let given: Vec<&str> = inputs.iter().map(|(k, _)| k.as_str()).collect();
            let missing: Vec<&String> = converted
                .suite
                .inputs
                .iter()
                .filter(|i| !given.contains(&i.as_str()))
                .collect();
            if !missing.is_empty() {
                let flags: Vec<String> = missing.iter().map(|m| format!("--var {m}=…")).collect();
                bail!(
                    "{} needs {} (secrets: --var-env NAME=ENV_VAR)",
                    path.display(),
                    flags.join(" ")
                );
            }
            if !converted.not_expressible.is_empty() {
                eprintln!(
                    "note: {} part(s) of the export cannot run here and are reported as not run",
                    converted.not_expressible.len()
                );
            }
            Some(converted.suite)
        }
    };
    let mut options = RunOptions {
        keep: args.keep,
        strict: args.strict,
        ..RunOptions::default()
    };
    if let Some(d) = args.email_domain.or(file.email_domain) {
        options.email_domain = d;
    }
    if let Some(n) = args.page_size.or(file.page_size) {
        if n == 0 {
            bail!("--page-size must be at least 1");
        }
        options.page_size = n;
    }
    let out = args
        .out
        .or(file.out.map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("scimcheck-results"));
    options.inputs = inputs;
    options.honor_pauses = args.honor_pauses;
    let mut only = args.only;
    if let Some(dir) = args.rerun_failed {
        let dir = dir.unwrap_or_else(|| out.clone());
        let failed = failed_checks(&dir)?;
        if failed.is_empty() {
            bail!(
                "--rerun-failed: nothing failed, errored or was blocked in {}",
                dir.join("results.json").display()
            );
        }
        only.extend(failed);
    }
    if args.max_import_resources == 0 || args.max_duration == 0 {
        bail!("--max-import-resources and --max-duration must be at least 1");
    }
    options.max_import_resources = args.max_import_resources;
    options.max_duration = Duration::from_secs(args.max_duration);
    options.notices = notices;
    Ok(RunConfig {
        target,
        runscope,
        suite_args,
        version,
        out,
        options,
        display: Display {
            color: args.color,
            verbose: args.verbose,
            quiet: args.quiet,
            format: args.format,
            baseline: args.baseline.as_deref().map(baseline_passed).transpose()?,
        },
        selection: harness::select::Selection {
            only,
            skip: args.skip,
        },
    })
}

/// The `suite/check` ids that passed in a baseline results.json.
fn baseline_passed(path: &Path) -> Result<std::collections::BTreeSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--baseline: cannot read {}", path.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("--baseline: {} is not JSON", path.display()))?;
    let mut out = std::collections::BTreeSet::new();
    for suite in doc["suites"].as_array().into_iter().flatten() {
        for check in suite["checks"].as_array().into_iter().flatten() {
            if check["outcome"]["status"] == "pass" {
                out.insert(format!(
                    "{}/{}",
                    suite["id"].as_str().unwrap_or_default(),
                    check["id"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

/// The `suite/check` ids that failed, errored or were blocked in a results.json.
fn failed_checks(dir: &Path) -> Result<Vec<String>> {
    let path = dir.join("results.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("--rerun-failed: cannot read {}", path.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("--rerun-failed: {} is not JSON", path.display()))?;
    let mut out = Vec::new();
    for suite in doc["suites"].as_array().into_iter().flatten() {
        for check in suite["checks"].as_array().into_iter().flatten() {
            if matches!(
                check["outcome"]["status"].as_str(),
                Some("fail" | "error" | "blocked")
            ) {
                out.push(format!(
                    "{}/{}",
                    suite["id"].as_str().unwrap_or_default(),
                    check["id"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

/// Runs, writes the result files, prints the summary; returns the exit status.
async fn execute(mut config: RunConfig) -> Result<ExitStatus> {
    let client = Client::new(config.target).map_err(|e| anyhow!(e))?;
    let (choice, suites) = match config.runscope.take() {
        // An export is a test of one version, as its name says.
        Some(suite) => {
            let mut choice = VersionChoice::declared(&suite.scim_version);
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
            let suites = select_suites(&config.suite_args, &choice.version)?;
            (choice, suites)
        }
    };
    let suites = config.selection.apply(suites).map_err(|e| anyhow!(e))?;
    if !config.display.quiet {
        let _ = write_version(&choice, &mut std::io::stderr());
    }
    config.options.scim_version = Some(choice);
    let mut progress = Progress::new(
        std::io::stderr(),
        config.display.style(std::io::stderr().is_terminal()),
    )
    .live(std::io::stderr().is_terminal());
    let mut quiet = harness::events::NoEvents;
    let events: &mut dyn harness::events::Events = if config.display.quiet {
        &mut quiet
    } else {
        &mut progress
    };
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let report = run(&client, &suites, &config.options, events, interrupt).await;
    finish(&report, &config.out, &config.display)
}

/// Writes the result files and prints the summary (and why a run stopped, on stderr); in
/// GitHub Actions also the job summary and the annotations. The exit status is the report's,
/// or against the baseline when there is one.
fn finish(report: &RunReport, out_dir: &Path, display: &Display) -> Result<ExitStatus> {
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

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", ids.join(", "))
    }
}

/// GitHub Actions: annotations on stdout, and the job summary appended to
/// `$GITHUB_STEP_SUMMARY`.
fn github(report: &RunReport, annotations_to_stderr: bool) -> Result<()> {
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

fn write_results(report: &RunReport, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    // Several runs into one directory: say what the new files replace.
    if let Ok(text) = std::fs::read_to_string(dir.join("results.json"))
        && let Ok(old) = serde_json::from_str::<serde_json::Value>(&text)
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
        std::fs::write(&path, buf).with_context(|| format!("cannot write {}", path.display()))
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

async fn run_command(args: Box<RunArgs>) -> Result<ExitStatus> {
    execute(resolve(*args)?).await
}

async fn serve_command(args: ServeArgs) -> Result<ExitStatus> {
    let generated = args.token.is_none();
    let token = args.token.unwrap_or_else(random_token);
    let server = refserver::start(refserver::ServerConfig {
        port: args.port,
        auth: refserver::Auth {
            token: Some(token.clone()),
            basic: args.basic,
        },
        faults: refserver::Faults::new(args.faults),
        seed_users: args.seed_users,
        seed_groups: args.seed_groups,
        patch_204: args.patch_204,
        scim_version: args.scim_version,
    })
    .await?;
    println!("{}", server.base_url());
    if generated {
        eprintln!(
            "token: {token}  (run with: SCIM_TOKEN={token} scimcheck run --base-url {})",
            server.base_url()
        );
    }
    std::io::stdout().flush().ok();
    tokio::select! {
        () = server.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(ExitStatus::Success)
}

fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Enough users that an import walks several pages of 100, as Okta's would.
const DEMO_USERS: usize = 250;
const DEMO_GROUPS: usize = 5;

/// Runs every built-in suite against reference servers of its SCIM version: 2.0 results in
/// `DIR`, 1.1 results in `DIR/scim-1.1`. The exit status is the worse of the two.
async fn demo_command(args: DemoArgs) -> Result<ExitStatus> {
    let mut worst = ExitStatus::Success;
    for (version, out) in [
        (refserver::ScimVersion::V2, args.out.clone()),
        (refserver::ScimVersion::V11, args.out.join("scim-1.1")),
    ] {
        let token = random_token();
        let server = refserver::start(refserver::ServerConfig {
            port: 0,
            auth: refserver::Auth {
                token: Some(token.clone()),
                basic: None,
            },
            seed_users: DEMO_USERS,
            seed_groups: DEMO_GROUPS,
            scim_version: version,
            ..refserver::ServerConfig::default()
        })
        .await?;
        eprintln!(
            "reference server: {} (SCIM {}, {DEMO_USERS} users, {DEMO_GROUPS} groups)",
            server.base_url(),
            version.as_str()
        );
        let config = RunConfig {
            target: Target::new(server.base_url(), Credential::Bearer(token.into()))
                .map_err(|e| anyhow!(e))?,
            suite_args: Vec::new(),
            runscope: None,
            version: VersionArg::Auto,
            out,
            options: RunOptions::default(),
            display: Display::default(),
            selection: harness::select::Selection::default(),
        };
        let out_dir = config.out.clone();
        let status = execute(config).await;
        let base_url = server.base_url().to_string();
        server.stop().await;
        let mut status = status?;
        if version == refserver::ScimVersion::V2 {
            let packaged = crate::oin::demo_package(&out_dir, &base_url)?;
            if packaged.code() > status.code() {
                status = packaged;
            }
        }
        if status.code() > worst.code() {
            worst = status;
        }
    }
    Ok(worst)
}

fn import_runscope(args: ImportArgs) -> Result<ExitStatus> {
    let text = std::fs::read_to_string(&args.export)
        .with_context(|| format!("cannot read {}", args.export.display()))?;
    let converted = harness::runscope::convert(&args.export.display().to_string(), &text)?;
    let out = args
        .out
        .unwrap_or_else(|| args.export.with_extension("toml"));
    std::fs::write(&out, harness::runscope::to_toml(&converted))
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "wrote {} ({} checks)",
        out.display(),
        converted.suite.checks.len()
    );
    if !converted.suite.inputs.is_empty() {
        println!(
            "inputs to give with --var (or --var-env): {}",
            converted.suite.inputs.join(", ")
        );
    }
    if converted.not_expressible.is_empty() {
        println!("everything in the export is expressed");
    } else {
        println!("not expressible (reported as not run):");
        for n in &converted.not_expressible {
            println!("  - {n}");
        }
    }
    Ok(ExitStatus::Success)
}

fn suites_command(args: SuitesArgs) -> Result<ExitStatus> {
    let suites = harness::builtin::builtin_suites()?;
    let mut out = std::io::stdout().lock();
    let printed = if args.markdown {
        harness::reporters::catalogue::write_markdown(&suites, &mut out)
    } else {
        harness::reporters::catalogue::write_text(&suites, &mut out)
    };
    match printed {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to stdout")?,
    }
    Ok(ExitStatus::Success)
}
