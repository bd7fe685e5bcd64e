//! `scimcheck suites` (the catalogue) and `scimcheck import-runscope`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use harness::report::ExitStatus;

#[derive(clap::Args)]
pub(crate) struct SuitesArgs {
    /// Print a Markdown table instead of text
    #[arg(long)]
    pub(crate) markdown: bool,
}

#[derive(clap::Args)]
pub(crate) struct ImportArgs {
    /// The Runscope export (JSON)
    pub(crate) export: PathBuf,
    /// Where to write the suite file [default: the export's name with .toml]
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn import_runscope(args: ImportArgs) -> Result<ExitStatus> {
    let text =
        untrusted::files::read_text_capped(&args.export, untrusted::files::RUNSCOPE_MAX_BYTES)?;
    let converted = harness::suite::runscope::convert(&args.export.display().to_string(), &text)?;
    let out = args
        .out
        .unwrap_or_else(|| args.export.with_extension("toml"));
    untrusted::files::write_atomic(
        &out,
        harness::suite::runscope::to_toml(&converted).as_bytes(),
        false,
    )
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

pub(crate) fn suites_command(args: SuitesArgs) -> Result<ExitStatus> {
    let suites = harness::suite::builtin::builtin_suites()?;
    let mut out = std::io::stdout().lock();
    let printed = if args.markdown {
        harness::reporters::catalogue::write_markdown(&suites, &mut out)
    } else {
        harness::reporters::catalogue::write_text(
            &suites,
            &harness::run::schedule::describe,
            &mut out,
        )
    };
    match printed {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to stdout")?,
    }
    Ok(ExitStatus::Success)
}
