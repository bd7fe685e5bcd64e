//! `rerun BUNDLE` (the OIN QA engineer reproducing an ISV's run) and `diff OLD NEW` (two runs
//! compared, as CI shows what changed): the comparison is `scim_results::diff`, printed by
//! `reporters::diff`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use harness::report::{AuthKind, ExitStatus, RunSettings};
use harness::report::{RunDiff, RunReport, diff};

use crate::commands::run_args::{AuthMode, ClientAuthArg, PaginationArg, RunArgs, VersionArg};
use crate::commands::run_config::{read_results, resolve};

#[derive(clap::Args)]
pub(crate) struct RerunArgs {
    /// The review bundle whose run to reproduce
    bundle: PathBuf,
    /// Where the app is now. Without it, the bundle's base URL is used only when you confirm
    /// it on a terminal: a credential goes only to a host you name
    #[arg(long)]
    base_url: Option<String>,
    /// The OAuth 2 token endpoint (--auth oauth2 bundles). Without it, the bundle's is used
    /// only when it is on the host of --base-url, or you confirm it on a terminal
    #[arg(long)]
    token_url: Option<String>,
    /// The OAuth 2 client id [default: the bundle's]
    #[arg(long)]
    client_id: Option<String>,
    /// The OAuth 2 scope to ask for
    #[arg(long)]
    scope: Option<String>,
    /// How the OAuth 2 client authenticates to the token endpoint [default: basic]
    #[arg(long, value_enum)]
    client_auth: Option<ClientAuthArg>,
    /// The client's private key, a PEM file, for --client-auth private-key-jwt (as for run)
    #[arg(long, value_name = "FILE")]
    client_key: Option<PathBuf>,
    /// The key id (kid) of --client-key (as for run)
    #[arg(long, value_name = "KID", requires = "client_key")]
    client_key_id: Option<String>,
    /// The authorization server's issuer, whose RFC 8414 metadata names the token endpoint
    /// (as for run; never taken from the bundle)
    #[arg(long, value_name = "URL")]
    oauth_issuer: Option<String>,
    /// Send every request through this proxy, or "none" (as for run)
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Trust the CA certificates in this PEM file too (as for run)
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Do not verify certificates (a test only, as for run)
    #[arg(long)]
    insecure: bool,
    /// Where the new results, report and diff.json go
    #[arg(long, default_value = "scimcheck-rerun")]
    out: PathBuf,
}

#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The earlier results (a results folder or its results.json)
    old: PathBuf,
    /// The later results
    new: PathBuf,
    /// Also write the comparison as JSON here
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `run`'s arguments, parsed from the words a person would type: a rerun is that run.
#[derive(Parser)]
struct AsRun {
    #[command(flatten)]
    args: RunArgs,
}

pub(crate) async fn rerun_command(args: RerunArgs) -> Result<ExitStatus> {
    let plan = harness::suite::qa_plan::builtin().map_err(anyhow::Error::msg)?;
    let (before, submission) =
        packager::bundled_run(&args.bundle, &plan).map_err(|e| anyhow!(e))?;
    let credential = before.target.auth.sends_secret();
    let base_url = destination(
        "the app",
        "--base-url",
        args.base_url.as_deref(),
        &before.target.base_url,
        None,
        credential,
    )?;
    // clap's defaults, then every setting the bundle recorded, as typed values.
    let mut run = AsRun::try_parse_from(["run"])
        .map_err(|e| anyhow!("{e}"))?
        .args;
    run.base_url = Some(base_url.clone());
    run.auth = Some(AuthMode::from(before.target.auth));
    if before.target.auth == AuthKind::OAuth2 {
        let o = submission.scim.oauth.clone().unwrap_or_default();
        let token_url = destination(
            "the token endpoint",
            "--token-url",
            args.token_url.as_deref(),
            &o.token_url,
            args.base_url.as_deref(),
            true,
        )?;
        // The login page is only ever opened, never sent a secret; still, only on the token
        // endpoint's host.
        if !o.authorize_url.is_empty()
            && harness::http::network::same_origin(&o.authorize_url, &token_url)
        {
            run.authorize_url = Some(o.authorize_url.clone());
        }
        run.token_url = Some(token_url);
        run.client_id = Some(args.client_id.clone().unwrap_or(o.client_id));
    }
    let version = before
        .scim_version
        .as_ref()
        .map(|v| v.version)
        .ok_or_else(|| anyhow!("the bundle's results do not say which SCIM version they tested"))?;
    run.scim_version = Some(VersionArg::from(version));
    for suite in &before.suites {
        same_suite(&suite.id, &suite.version)?;
        run.suites.push(suite.id.clone());
    }
    run.out = Some(args.out.clone());
    apply_settings(&mut run, &before.settings)?;
    // Where this machine reaches the app from is this machine's: never the bundle's.
    run.proxy = args.proxy.clone();
    run.cacert = args.cacert.clone();
    run.insecure = args.insecure;
    run.scope = args.scope.clone();
    run.client_auth = args.client_auth;
    run.client_key = args.client_key.clone();
    run.client_key_id = args.client_key_id.clone();
    run.oauth_issuer = args.oauth_issuer.clone();
    // The run id and the URL come from the bundle: untrusted text.
    eprintln!(
        "rerunning run {} of {} ({} suites, SCIM {}) against {}",
        untrusted::terminal_line(&before.run_id),
        before.started_at.format("%Y-%m-%d"),
        before.suites.len(),
        version,
        untrusted::terminal_line(&base_url)
    );
    let status = crate::commands::run::execute(resolve(run)?).await?;
    if matches!(status, ExitStatus::Error | ExitStatus::Interrupted(_)) {
        return Ok(status);
    }
    compare(&before, &args.out)
}

/// The rerun compared with the bundle's run: `diff.json`, a section of report.html, in GitHub
/// Actions a section of the job summary, and the terminal's list (exit 1 on a regression).
fn compare(before: &RunReport, out: &Path) -> Result<ExitStatus> {
    let now = read_results(out)?;
    let d = diff(before, &now);
    untrusted::files::write_atomic(
        &out.join("diff.json"),
        &serde_json::to_vec_pretty(&d).context("the diff serialises")?,
        false,
    )
    .with_context(|| format!("cannot write {}", out.join("diff.json").display()))?;
    let title = format!("the bundle's run {}", before.run_id);
    show_comparison(&now, &d, &title, out)?;
    print_diff(&d, &format!("bundle run {} → this run", before.run_id))
}

/// The comparison where the rerun's results are read: a section of report.html, and in
/// GitHub Actions a section of the job summary.
fn show_comparison(now: &RunReport, d: &RunDiff, title: &str, out: &Path) -> Result<()> {
    let section = harness::reporters::diff::html(d, title);
    let mut html = Vec::new();
    harness::reporters::html::write_with(now, Some(section), &mut html)?;
    let path = out.join("report.html");
    untrusted::files::write_atomic(&path, &html, false)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true")
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY")
    {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .context("cannot open GITHUB_STEP_SUMMARY")?;
        harness::reporters::diff::write_markdown(d, title, &mut file)?;
    }
    Ok(())
}

/// The settings a bundle recorded, onto a run's arguments. A bundle is anyone's file: each
/// value must be one `run` accepts, and `--keep` is never taken from it (a rerun always
/// removes what it creates).
fn apply_settings(run: &mut RunArgs, s: &RunSettings) -> Result<()> {
    let bad = |what: &str, value: &dyn std::fmt::Display| {
        anyhow!("the bundle's settings.{what} ({value}) is not a value run accepts")
    };
    let within = |what: &str, n: usize| {
        u16::try_from(n)
            .ok()
            .filter(|n| (1..=32).contains(n))
            .ok_or_else(|| bad(what, &n))
    };
    if s.page_size == 0 {
        return Err(bad("page_size", &s.page_size));
    }
    if let Some(rate) = s
        .rate
        .filter(|r| !(r.is_finite() && *r > 0.0 && *r <= 10_000.0))
    {
        return Err(bad("rate", &rate));
    }
    run.page_size = Some(s.page_size);
    run.email_domain = Some(s.email_domain.clone());
    run.strict = s.strict;
    run.rate = s.rate;
    // The same pace: a bundle made one request at a time is rerun one at a time.
    run.concurrency = Some(within("concurrency", s.concurrency)?);
    run.import_concurrency = Some(within("import_concurrency", s.import_concurrency)?);
    run.pagination = match s.pagination.as_deref() {
        None => None,
        Some("index") => Some(PaginationArg::Index),
        Some("cursor") => Some(PaginationArg::Cursor),
        Some(other) => return Err(bad("pagination", &other)),
    };
    run.entitlement_endpoints = s.entitlement_endpoints.clone();
    run.only = s.only.clone();
    run.skip = s.skip.clone();
    run.max_import_resources = s.max_import_resources;
    run.max_duration = s.max_duration_secs;
    run.connect_timeout = Some(s.connect_timeout_secs);
    run.timeout = Some(s.timeout_secs);
    run.max_body_bytes = Some(s.max_body_bytes);
    run.honor_pauses = s.honor_pauses;
    Ok(())
}

/// Where a rerun sends a credential: the URL the user named (`flag`); else the bundle's, when
/// it is on the origin of `named_base` (a host the user named) or the user confirms it on a
/// terminal that shows it. A bundle is anyone's file: it never chooses on its own where a
/// secret goes. A credential never goes over plain http to a host off this machine.
fn destination(
    what: &str,
    flag: &str,
    given: Option<&str>,
    bundled: &str,
    named_base: Option<&str>,
    credential: bool,
) -> Result<String> {
    let url = match given {
        Some(url) => url.to_string(),
        None if !credential
            || named_base.is_some_and(|b| harness::http::network::same_origin(b, bundled)) =>
        {
            bundled.to_string()
        }
        None => {
            let shown = untrusted::terminal_line(bundled);
            if !confirm(&format!(
                "The bundle says {what} is at {shown}. Send your credential there? [y/N] "
            ))? {
                bail!(
                    "the bundle says {what} is at {shown}, and a credential goes only to a host you name: add {flag} URL (the bundle's, or where {what} is now)"
                );
            }
            bundled.to_string()
        }
    };
    if credential && harness::http::network::clear_text_off_machine(&url) {
        bail!(
            "{flag} {}: the credential would cross the network in clear (http:// to a host off this machine). Fix: use the app's https:// URL",
            untrusted::terminal_line(&url)
        );
    }
    Ok(url)
}

/// Asks on the terminal; false when stdin or stderr is not one (CI, a pipe).
fn confirm(question: &str) -> Result<bool> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Ok(false);
    }
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}

/// A suite of the bundle can be run again only by a scimcheck that has it at the same
/// version or a later one.
fn same_suite(id: &str, version: &str) -> Result<()> {
    if id == harness::run::oauth_checks::SUITE_ID {
        return Ok(());
    }
    let ours = harness::suite::builtin::builtin_suites()?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| {
            anyhow!(
                "the bundle ran suite {id:?}, which is not built into this scimcheck (a suite file or a Runscope export): run it with scimcheck run --suite FILE or --runscope FILE"
            )
        })?;
    if version > ours.version.as_str() {
        bail!(
            "the bundle ran suite {id} version {version}, newer than this scimcheck's ({}): update scimcheck to rerun it",
            ours.version
        );
    }
    if version < ours.version.as_str() {
        eprintln!(
            "note: suite {id} is at version {} here, {} in the bundle: checks added or changed since show as added or changed",
            ours.version,
            untrusted::terminal_line(version)
        );
    }
    Ok(())
}

pub(crate) fn diff_command(args: DiffArgs) -> Result<ExitStatus> {
    let before = read_results(&args.old)?;
    let now = read_results(&args.new)?;
    let d = diff(&before, &now);
    if let Some(path) = &args.out {
        untrusted::files::write_atomic(
            path,
            &serde_json::to_vec_pretty(&d).context("the diff serialises")?,
            false,
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
    }
    print_diff(
        &d,
        &format!("{} → {}", args.old.display(), args.new.display()),
    )
}

fn print_diff(d: &RunDiff, title: &str) -> Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    let style = harness::reporters::terminal::Style {
        color: crate::commands::run_args::auto_color(std::io::stdout().is_terminal()),
        verbose: 0,
    };
    writeln!(out, "{}", untrusted::terminal_line(title))?;
    harness::reporters::diff::write(d, style, &mut out)?;
    Ok(if d.has_regressions() {
        ExitStatus::ChecksFailed
    } else {
        ExitStatus::Success
    })
}
