//! `scimcheck plan`: Okta's manual QA plan, case by case, and what scimcheck checks of each;
//! with `--results`, each check's verdict in that run and the plan's summary line.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use crate::commands::print_bytes;
use crate::commands::run_config::read_results;
use harness::report::ExitStatus;
use untrusted::terminal_line as safe_line;

#[derive(clap::Args)]
pub(crate) struct PlanArgs {
    /// The SCIM version whose checks to list (with --results: the run's)
    #[arg(long, default_value = "2.0", value_parser = parse_version)]
    scim_version: harness::report::ScimVersion,
    /// The declared features (comma-separated, as in submission.toml); cases of other
    /// features are not applicable [default: every case]
    #[arg(long, value_delimiter = ',')]
    features: Vec<String>,
    /// The authentication declared (oauth2 makes C21902 applicable)
    #[arg(long, default_value = "header")]
    auth: String,
    /// A results folder: show each check's verdict in that run
    #[arg(long)]
    results: Option<PathBuf>,
}

fn parse_version(text: &str) -> Result<harness::report::ScimVersion, String> {
    harness::report::ScimVersion::parse(text).ok_or_else(|| format!("{text:?} is not 2.0 or 1.1"))
}

/// The profiles' requirements that a client at the wire cannot see, for a person: of the
/// profile suites of the run (with --results), or of every profile suite.
fn by_hand_of_profiles(
    out: &mut Vec<u8>,
    report: Option<&harness::report::RunReport>,
) -> Result<()> {
    let suites = harness::suite::builtin::builtin_suites().map_err(anyhow::Error::msg)?;
    let ran = |id: &str| report.is_none_or(|r| r.suites.iter().any(|s| s.id == id));
    for suite in suites
        .iter()
        .filter(|s| !s.by_hand.is_empty() && ran(&s.id))
    {
        writeln!(
            out,
            "profile {} ({}): by hand, a client at the wire cannot see these",
            suite.id,
            suite.profile.as_deref().unwrap_or_default()
        )?;
        for requirement in &suite.by_hand {
            writeln!(out, "          by hand: {requirement}")?;
        }
    }
    Ok(())
}

pub(crate) fn plan_command(args: PlanArgs) -> Result<ExitStatus> {
    let plan = harness::suite::qa_plan::builtin().map_err(anyhow::Error::msg)?;
    let mut out = Vec::new();
    writeln!(out, "{}: {} cases", plan.source, plan.cases.len())?;
    let report = args.results.as_deref().map(read_results).transpose()?;
    let features: Vec<String> = if args.features.is_empty() {
        // Every case applies: every feature, and OAuth 2.
        packager::rules::FEATURES
            .iter()
            .map(|f| f.to_string())
            .collect()
    } else {
        args.features.clone()
    };
    let auth = if args.features.is_empty() {
        "oauth2".to_string()
    } else {
        args.auth.clone()
    };
    let version = report
        .as_ref()
        .and_then(|r| r.scim_version.as_ref())
        .map_or(args.scim_version, |v| v.version);
    let evaluated =
        harness::report::evaluate_plan(&plan, &features, &auth, version, report.as_ref());
    for case in &evaluated.cases {
        let status = serde_json::to_value(case.status)?
            .as_str()
            .unwrap_or_default()
            .to_string();
        writeln!(
            out,
            "{:<7} {:<15} {}",
            case.id,
            status,
            safe_line(&case.title)
        )?;
        for (key, verdict) in &case.checks {
            if report.is_some() {
                writeln!(out, "          {verdict:<8} {key}")?;
            } else {
                writeln!(out, "          {key}")?;
            }
        }
        if let Some(h) = &case.by_hand {
            writeln!(out, "          by hand: {}", safe_line(h))?;
        }
    }
    by_hand_of_profiles(&mut out, report.as_ref())?;
    if report.is_some() {
        writeln!(out, "{}", evaluated.line())?;
        print_bytes(&out)?;
        return Ok(if evaluated.failing == 0 {
            ExitStatus::Success
        } else {
            ExitStatus::ChecksFailed
        });
    }
    writeln!(
        out,
        "{} of {} cases automated, {} partly (SCIM {})",
        evaluated.automated, evaluated.applicable, evaluated.partial, args.scim_version
    )?;
    print_bytes(&out)?;
    Ok(ExitStatus::Success)
}
