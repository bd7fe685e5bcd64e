//! The packager's commands: `init`, `package`, `verify`, and the demo's sample package.

use std::io::Write;
use std::path::{Path, PathBuf};
use untrusted::terminal_line as safe_line;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use harness::report::ExitStatus;
use packager::BundleStatus;
use packager::submission::Form;

/// `scimcheck init`.
#[derive(clap::Args)]
pub struct InitArgs {
    /// Which OIN form to fill in: oin-wizard (Okta's current SCIM form) or oin-manager
    #[arg(long, default_value = "oin-wizard", value_parser = parse_form)]
    form: Form,
    /// Where to write it
    #[arg(long, default_value = "submission.toml")]
    out: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    force: bool,
}

/// `scimcheck package`.
#[derive(clap::Args)]
pub struct PackageArgs {
    /// The submission file (from `scimcheck init`)
    #[arg(long)]
    submission: PathBuf,
    /// The results folder of a `scimcheck run` (junit.xml and results.json)
    #[arg(long, default_value = "scimcheck-results")]
    results: PathBuf,
    /// The bundle to write
    #[arg(long, default_value = "oin-submission.tar.gz")]
    out: PathBuf,
    /// Write a bundle marked DRAFT even if the submission is not review-ready
    #[arg(long)]
    draft: bool,
    /// The oldest results accepted, in days
    #[arg(long, default_value_t = 30)]
    max_age_days: i64,
    /// The submission date the review timeline counts from [default: today]
    #[arg(long)]
    submission_date: Option<NaiveDate>,
}

/// `scimcheck verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The bundle to check
    bundle: PathBuf,
}

fn parse_form(s: &str) -> Result<Form, String> {
    match s {
        "oin-wizard" => Ok(Form::OinWizard),
        "oin-manager" => Ok(Form::OinManager),
        other => Err(format!("{other:?} is not oin-wizard or oin-manager")),
    }
}

/// Writes the commented submission form.
pub fn init(args: InitArgs) -> Result<ExitStatus> {
    if args.out.exists() && !args.force {
        bail!("{} exists; use --force to overwrite it", args.out.display());
    }
    untrusted::files::write_atomic(
        &args.out,
        packager::template::submission_template(args.form).as_bytes(),
        false,
    )
    .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "wrote {} ({}): fill it in, then run scimcheck package",
        args.out.display(),
        args.form.as_str()
    );
    Ok(ExitStatus::Success)
}

/// Validates and bundles; prints the completeness and why it is not ready.
pub fn package(args: PackageArgs) -> Result<ExitStatus> {
    package_with(&args, &packager::rules::process_env)
}

fn package_with(args: &PackageArgs, env: &dyn Fn(&str) -> bool) -> Result<ExitStatus> {
    let plan = harness::suite::qa_plan::builtin().map_err(anyhow::Error::msg)?;
    let options = packager::PackageOptions {
        env,
        submission: args.submission.clone(),
        results: args.results.clone(),
        draft: args.draft,
        max_age_days: args.max_age_days,
        submission_date: args
            .submission_date
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        qa_plan: &plan,
    };
    let packaged = packager::package(&options)?;
    let mut out = std::io::stdout().lock();
    packager::rules::write_completeness(&packaged.completeness, &mut out)?;
    writeln!(out, "{}", packaged.qa_plan.line())?;
    if packaged.results_problems.is_empty() {
        writeln!(
            out,
            "Results: every required check of every suite the features need passed"
        )?;
    } else {
        writeln!(out, "Results:")?;
        for p in &packaged.results_problems {
            writeln!(out, "  - {}", safe_line(p))?;
        }
    }
    match &packaged.bundle {
        Some(bytes) => {
            untrusted::files::write_atomic(&args.out, bytes, false)
                .with_context(|| format!("cannot write {}", args.out.display()))?;
            let what = if packaged.ready() {
                "review-ready bundle"
            } else {
                "DRAFT bundle"
            };
            writeln!(
                out,
                "wrote {what} {} (sha256 {})",
                args.out.display(),
                packager::bundle::sha256_hex(bytes)
            )?;
            writeln!(
                out,
                "The OIN Wizard still asks for links to Runscope SPEC and CRUD results: this bundle is the reproducible evidence to share with the OIN team beside them (scimcheck verify; run Okta's exports locally with scimcheck run --runscope)"
            )?;
            Ok(if packaged.ready() || args.draft {
                ExitStatus::Success
            } else {
                ExitStatus::ChecksFailed
            })
        }
        None => {
            writeln!(
                out,
                "not review-ready: no bundle written (--draft writes one marked DRAFT)"
            )?;
            Ok(ExitStatus::ChecksFailed)
        }
    }
}

/// Re-checks a bundle.
pub fn verify(args: VerifyArgs) -> Result<ExitStatus> {
    let plan = harness::suite::qa_plan::builtin().map_err(anyhow::Error::msg)?;
    let verified = packager::verify(&args.bundle, &plan);
    let mut out = std::io::stdout().lock();
    if let Some(m) = &verified.manifest {
        writeln!(
            out,
            "{}: {} submission via {}, {}% complete{}, SCIM {} at {}, run {}",
            safe_line(&args.bundle.display().to_string()),
            safe_line(&m.kind),
            safe_line(&m.form),
            m.completeness,
            if m.draft { ", DRAFT" } else { "" },
            safe_line(&m.scim_version),
            safe_line(&m.base_url),
            safe_line(&m.run.run_id)
        )?;
    }
    let status = match &verified.status {
        BundleStatus::ReviewReady => {
            writeln!(
                out,
                "REVIEW-READY: intact; every derived file derives again from the bundled inputs and results"
            )?;
            ExitStatus::Success
        }
        BundleStatus::Draft(reasons) => {
            writeln!(
                out,
                "DRAFT: intact, but not review-ready ({}):",
                harness::report::count(reasons.len(), "reason")
            )?;
            for r in reasons {
                writeln!(out, "  - {}", safe_line(r))?;
            }
            ExitStatus::ChecksFailed
        }
        BundleStatus::Invalid(problems) => {
            // Problems name the bundle's own entries and fields: untrusted text.
            writeln!(
                out,
                "INVALID: {}:",
                harness::report::count(problems.len(), "problem")
            )?;
            for p in problems {
                writeln!(out, "  - {}", safe_line(p))?;
            }
            ExitStatus::Error
        }
    };
    if !verified.failed_required.is_empty() {
        writeln!(
            out,
            "required checks that failed ({}): {}",
            verified.failed_required.len(),
            safe_line(&verified.failed_required.join(", "))
        )?;
    }
    Ok(status)
}

/// The sample submission shipped in `fixtures/`, embedded so the demo works anywhere.
const SAMPLE: &[(&str, &[u8])] = &[
    (
        "submission.toml",
        include_bytes!("../fixtures/submission.toml"),
    ),
    ("logo.png", include_bytes!("../fixtures/logo.png")),
    (
        "config-guide.html",
        include_bytes!("../fixtures/config-guide.html"),
    ),
];

/// The demo's last step: the sample submission, pointed at the demo's server, packaged with
/// the demo's results and verified. The reference server is plain HTTP on loopback, which the
/// OIN never accepts, so the bundle is a DRAFT and says why.
pub fn demo_package(results: &Path, base_url: &str) -> Result<ExitStatus> {
    let dir = results.join("sample-submission");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in SAMPLE {
        std::fs::write(dir.join(name), bytes)
            .with_context(|| format!("cannot write {}", dir.join(name).display()))?;
    }
    let text = String::from_utf8_lossy(SAMPLE[0].1)
        .replace("https://scim.acme-directory.example/scim/v2", base_url);
    std::fs::write(dir.join("submission.toml"), text)?;
    let args = PackageArgs {
        submission: dir.join("submission.toml"),
        results: results.to_path_buf(),
        out: results.join("oin-submission-DRAFT.tar.gz"),
        draft: true,
        max_age_days: 30,
        submission_date: None,
    };
    // The sample's test password is a demo value, present only for this call.
    package_with(&args, &|name| name == "SCIMCHECK_SAMPLE_PASSWORD")?;
    // The demo's bundle is a DRAFT by design (a loopback http server): an intact DRAFT is
    // what it should be; only an invalid one is the demo's failure.
    match verify(VerifyArgs { bundle: args.out })? {
        ExitStatus::ChecksFailed => Ok(ExitStatus::Success),
        other => Ok(other),
    }
}
