//! `scimcheck run`: the run, how it is shown (terminal, GitHub), and the result files it
//! writes; its arguments are in `run_args`.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::commands::run_args::{Display, FormatArg, RunArgs, VersionArg};
use crate::commands::run_config::{RunConfig, resolve};
use anyhow::{Context, Result, anyhow, bail};
use harness::http::Client;
use harness::report::{ExitStatus, RunReport};
use harness::report::{ScimVersion, VersionChoice};
use harness::reporters::terminal::{Progress, write_network, write_summary, write_version};
use harness::run::detect::detect;
use harness::run::{aborted_before_start, run};
use harness::suite::builtin::select_suites;

/// How fast the run talks to the app, as the terminal says it before the first check.
fn pacing(pace: harness::http::Pace) -> String {
    let at_once = match pace.concurrency {
        1 => "one request at a time (--concurrency 1)".to_string(),
        n => format!("at most {n} requests at once (--concurrency)"),
    };
    match pace.rate {
        Some(rate) => format!("pace: {at_once}, at most {rate} per second (--rate)"),
        None => format!("pace: {at_once}"),
    }
}

/// Runs, writes the result files, prints the summary; returns the exit status.
pub(crate) async fn execute(mut config: RunConfig) -> Result<ExitStatus> {
    if let harness::http::Credential::OAuth2(oauth) = &mut config.target.credential {
        let http = config
            .target
            .network
            .client(config.target.request_timeout)
            .map_err(|e| anyhow!(e))?;
        std::sync::Arc::get_mut(oauth)
            .ok_or_else(|| anyhow!("the OAuth 2 client is in use before the run starts"))?
            .discover(&http)
            .await
            .map_err(|e| anyhow!(e))?;
    }
    let client =
        Client::paced(config.target.clone(), config.options.pace).map_err(|e| anyhow!(e))?;
    if let Err(message) = client.prepare().await {
        let abort = harness::run::detect::DetectError::CredentialRefused(message).to_abort();
        let report = aborted_before_start(&client, &config.options, abort);
        return finish(&report, &config.out, &config.display);
    }
    let (choice, suites) = match version_and_suites(&client, &mut config).await? {
        Ok(chosen) => chosen,
        Err(abort) => {
            let report = aborted_before_start(&client, &config.options, abort);
            return finish(&report, &config.out, &config.display);
        }
    };
    let suites = config.selection.apply(suites).map_err(|e| anyhow!(e))?;
    if !config.display.quiet {
        let _ = write_version(&choice, &mut std::io::stderr());
        eprintln!("{}", pacing(client.pace()));
    }
    let network = &client.target().network;
    let _ = write_network(
        &harness::report::TargetInfo {
            base_url: String::new(),
            auth: client.target().credential.kind(),
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
    report.settings.only = config.selection.only.clone();
    report.settings.skip = config.selection.skip.clone();
    finish(&report, &config.out, &config.display)
}

/// The SCIM version the run targets and the suites it runs: a Runscope export is a test of
/// one version, as its name says; else the version declared or detected (an app that speaks
/// neither is the run's abort), and the suites asked for of that version.
async fn version_and_suites(
    client: &Client,
    config: &mut RunConfig,
) -> Result<Result<(VersionChoice, Vec<harness::suite::Suite>), harness::report::Abort>> {
    if let Some(suite) = config.runscope.take() {
        let mut choice = VersionChoice::declared(suite.scim_version);
        choice.evidence = vec![format!(
            "the Runscope export {:?} is a SCIM {} test",
            suite.title, suite.scim_version
        )];
        return Ok(Ok((choice, vec![suite])));
    }
    let choice = match config.version {
        VersionArg::Auto => match detect(client).await {
            Ok(choice) => choice,
            Err(e) => return Ok(Err(e.to_abort())),
        },
        VersionArg::V2 => declared(client, ScimVersion::V2).await?,
        VersionArg::V11 => declared(client, ScimVersion::V11).await?,
    };
    // `--suite oauth` alone: no suite of checks besides it.
    let oauth_alone = config.options.oauth_suite.is_some() && config.suite_args.is_empty();
    let suites = if oauth_alone {
        Vec::new()
    } else {
        select_suites(&config.suite_args, &config.profiles, choice.version)?
    };
    // A suite of the other version against what the app was seen to speak: said before any
    // check runs, not as a page of failures with the wrong causes.
    if choice.how == "detected"
        && let Some(other) = suites.iter().find(|s| s.scim_version != choice.version)
    {
        bail!(
            "suite {} is a SCIM {} suite, but the app answers as SCIM {} ({}): run the SCIM {} suites (leave out --suite), or declare --scim-version {} to run it anyway",
            other.id,
            other.scim_version,
            choice.version,
            choice
                .evidence
                .last()
                .map(String::as_str)
                .unwrap_or_default(),
            choice.version,
            other.scim_version
        );
    }
    Ok(Ok((choice, suites)))
}

/// A version the user declared, checked against what the app shows: an app seen to speak the
/// other version is said before any check (not as a page of failures with the wrong causes);
/// an app the probes cannot place (no discovery endpoints, a refused credential) is tested as
/// declared.
async fn declared(client: &Client, version: ScimVersion) -> Result<VersionChoice> {
    if let Ok(seen) = detect(client).await
        && seen.version != version
    {
        bail!(
            "--scim-version {version}: the app answers as SCIM {} ({}): leave out --scim-version to test it as it is, or point --base-url at its SCIM {version} endpoint",
            seen.version,
            seen.evidence.last().map(String::as_str).unwrap_or_default()
        );
    }
    Ok(VersionChoice::declared(version))
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
        github(report, out_dir, matches!(display.format, FormatArg::Json))?;
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

/// GitHub Actions: annotations on stdout, the job summary appended to `$GITHUB_STEP_SUMMARY`,
/// and the step outputs (verdict, counts, result files) to `$GITHUB_OUTPUT`.
pub(crate) fn github(
    report: &RunReport,
    out_dir: &Path,
    annotations_to_stderr: bool,
) -> Result<()> {
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
    if let Some(path) = std::env::var_os("GITHUB_OUTPUT") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open GITHUB_OUTPUT {}", Path::new(&path).display()))?;
        let dir = out_dir.display().to_string();
        harness::reporters::github::write_outputs(report, &dir, &mut file)?;
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
