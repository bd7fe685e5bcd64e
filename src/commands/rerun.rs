//! `rerun BUNDLE` (the OIN QA engineer reproducing an ISV's run) and `diff OLD NEW` (two runs
//! compared, as CI shows what changed): the comparison is `scim_results::diff`, printed by
//! `reporters::diff`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use harness::report::ExitStatus;
use harness::report::{RunDiff, diff};

use crate::commands::run::RunArgs;
use crate::commands::run_config::{read_results, resolve};

#[derive(clap::Args)]
pub(crate) struct RerunArgs {
    /// The review bundle whose run to reproduce
    bundle: PathBuf,
    /// Where the app is now [default: the bundle's base URL]
    #[arg(long)]
    base_url: Option<String>,
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
    let (before, submission) = packager::bundled_run(&args.bundle).map_err(|e| anyhow!(e))?;
    let mut words: Vec<String> = vec!["run".into()];
    let mut push = |flag: &str, value: &str| {
        words.push(flag.into());
        words.push(value.into());
    };
    push(
        "--base-url",
        args.base_url.as_deref().unwrap_or(&before.target.base_url),
    );
    push("--auth", &before.target.auth);
    if before.target.auth == "oauth2" {
        let o = submission.scim.oauth.clone().unwrap_or_default();
        push("--token-url", &o.token_url);
        push("--client-id", &o.client_id);
        if !o.authorize_url.is_empty() {
            push("--authorize-url", &o.authorize_url);
        }
    }
    let version = before
        .scim_version
        .as_ref()
        .map(|v| v.version.clone())
        .ok_or_else(|| anyhow!("the bundle's results do not say which SCIM version they tested"))?;
    push("--scim-version", &version);
    push("--page-size", &before.settings.page_size.to_string());
    push("--email-domain", &before.settings.email_domain);
    let out = args.out.display().to_string();
    push("--out", &out);
    for suite in &before.suites {
        same_suite(&suite.id, &suite.version)?;
        push("--suite", &suite.id);
    }
    push(
        "--import-concurrency",
        &before.settings.import_concurrency.to_string(),
    );
    // The same pace: a bundle made one request at a time is rerun one at a time.
    push(
        "--concurrency",
        &before.settings.concurrency.max(1).to_string(),
    );
    if let Some(rate) = before.settings.rate {
        push("--rate", &rate.to_string());
    }
    if before.settings.strict {
        words.push("--strict".into());
    }
    eprintln!(
        "rerunning run {} of {} ({} suites, SCIM {version}) against {}",
        before.run_id,
        before.started_at.format("%Y-%m-%d"),
        before.suites.len(),
        args.base_url.as_deref().unwrap_or(&before.target.base_url)
    );
    let run = AsRun::try_parse_from(&words).map_err(|e| anyhow!("{e}"))?;
    let status = crate::commands::run::execute(resolve(run.args)?).await?;
    if status == ExitStatus::Error || status == ExitStatus::Interrupted {
        return Ok(status);
    }
    let now = read_results(&args.out)?;
    let d = diff(&before, &now);
    std::fs::write(
        args.out.join("diff.json"),
        serde_json::to_vec_pretty(&d).context("the diff serialises")?,
    )
    .with_context(|| format!("cannot write {}", args.out.join("diff.json").display()))?;
    print_diff(&d, &format!("bundle run {} → this run", before.run_id))
}

/// A suite of the bundle can be run again only by a scimcheck that has it at the same
/// version or a later one.
fn same_suite(id: &str, version: &str) -> Result<()> {
    if id == harness::oauth_checks::SUITE_ID {
        return Ok(());
    }
    let ours = harness::builtin::builtin_suites()?
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
            "note: suite {id} is at version {} here, {version} in the bundle: checks added or changed since show as added or changed",
            ours.version
        );
    }
    Ok(())
}

pub(crate) fn diff_command(args: DiffArgs) -> Result<ExitStatus> {
    let before = read_results(&args.old)?;
    let now = read_results(&args.new)?;
    let d = diff(&before, &now);
    if let Some(path) = &args.out {
        std::fs::write(
            path,
            serde_json::to_vec_pretty(&d).context("the diff serialises")?,
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
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
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
