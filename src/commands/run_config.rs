//! The validated configuration of a run: flags, `scimcheck.toml` and the environment resolved
//! into one [`RunConfig`] (secrets read here and nowhere else; config-file errors keep their
//! file, line and key).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::commands::run_args::{AuthMode, ClientAuthArg, Display, RunArgs, VersionArg};
use crate::config::{FileConfig, parse_config};
use anyhow::{Context, Result, anyhow, bail};
use clap::ValueEnum;
use harness::http::network::{Network, Proxy};
use harness::http::oauth::{ClientAuth, OAuth2};
use harness::http::{Credential, Target};
use harness::report::{Outcome, RunReport};
use harness::run::RunOptions;
use secrecy::SecretString;

/// The validated configuration of a `run`: secrets resolved, URL parsed.
pub(crate) struct RunConfig {
    pub(crate) target: Target,
    /// `--suite` arguments; none means every built-in suite of the targeted version.
    pub(crate) suite_args: Vec<String>,
    /// `--profile`: the profiles graded beside the suites.
    pub(crate) profiles: Vec<String>,
    /// A Runscope export converted into a suite (its own version; no detection).
    pub(crate) runscope: Option<harness::suite::Suite>,
    pub(crate) version: VersionArg,
    pub(crate) out: PathBuf,
    pub(crate) options: RunOptions,
    pub(crate) display: Display,
    pub(crate) selection: harness::suite::select::Selection,
}

pub(crate) fn load_file_config(path: Option<&Path>) -> Result<FileConfig> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("scimcheck.toml"), false),
    };
    if !required && !path.exists() {
        return Ok(FileConfig::default());
    }
    let text = untrusted::files::read_text_capped(&path, untrusted::files::CONFIG_MAX_BYTES)
        .context("config file")?;
    Ok(parse_config(&path.display().to_string(), &text)?)
}

pub(crate) fn env_secret(name: &str) -> Result<SecretString> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(SecretString::from(v)),
        _ => bail!("{name} is not set: the credential comes only from the environment"),
    }
}

/// A credential from the environment, with white space at its ends (a newline from a file)
/// and, for `--auth bearer`, a `Bearer ` the user included, removed; each change is a notice
/// for the report.
pub(crate) fn env_credential(
    name: &str,
    bearer: bool,
    notices: &mut Vec<String>,
) -> Result<SecretString> {
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

pub(crate) fn resolve(args: RunArgs) -> Result<RunConfig> {
    let file = load_file_config(args.config.as_deref())?;
    let config_dir = args.config.as_deref().and_then(Path::parent);
    let network = network(&args, &file, config_dir)?;
    let (inputs, secrets) = inputs_of(&args)?;
    let base_url = base_url_of(&args, &file, &inputs)?;
    let mut notices = Vec::new();
    let credential = credential_of(&args, &file, &inputs, &mut notices)?;
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
    target.network = network;
    let mut suite_args = if args.suites.is_empty() {
        file.suites.clone()
    } else {
        args.suites.clone()
    };
    let oauth_suite = oauth_suite_of(&args, &mut suite_args, &target.credential)?;
    let version = match (args.scim_version, file.scim_version.as_deref()) {
        (Some(v), _) => v,
        (None, None) => VersionArg::Auto,
        (None, Some(text)) => VersionArg::from_str(text, true).map_err(|_| {
            anyhow!("scimcheck.toml: scim_version must be auto, 2.0 or 1.1, not {text:?}")
        })?,
    };
    // Bad suite arguments and exports are reported before any request is sent.
    harness::suite::builtin::select_suites(
        &suite_args,
        &args.profiles,
        harness::report::ScimVersion::V2,
    )?;
    let runscope = runscope_of(&args, &inputs)?;
    let out = args
        .out
        .clone()
        .or(file.out.clone().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("scimcheck-results"));
    let mut options = options_of(&args, &file, inputs)?;
    options.oauth_suite = oauth_suite;
    options.notices = notices;
    let selection = selection_of(&args, &out)?;
    Ok(RunConfig {
        target,
        runscope,
        suite_args,
        profiles: args.profiles.clone(),
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
        selection,
    })
}

/// The values of a suite's inputs, by name.
type Inputs = Vec<(String, String)>;

/// The variables of a Runscope export: public ones on the command line, secret ones read from
/// the environment (and redacted from every output); and those secrets.
fn inputs_of(args: &RunArgs) -> Result<(Inputs, Vec<SecretString>)> {
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
    Ok((inputs, secrets))
}

/// The value of the first of `names` among the inputs.
fn input(inputs: &[(String, String)], names: &[&str]) -> Option<String> {
    inputs
        .iter()
        .find(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, v)| v.clone())
}

/// The base URL: the flag, SCIM_BASE_URL, the config file, or an export's variable; checked
/// before anything is sent.
fn base_url_of(args: &RunArgs, file: &FileConfig, inputs: &[(String, String)]) -> Result<String> {
    let base_url = args
        .base_url
        .clone()
        .or_else(|| {
            std::env::var("SCIM_BASE_URL")
                .ok()
                .filter(|v| !v.is_empty())
        })
        .or_else(|| file.base_url.clone())
        .or_else(|| input(inputs, &["SCIMBaseURL", "SCIMUrl"]))
        .ok_or_else(|| {
            anyhow!(
                "no base URL: give --base-url, set SCIM_BASE_URL, or put base_url in scimcheck.toml"
            )
        })?;
    harness::http::check_base_url(&base_url).map_err(|e| anyhow!(e))?;
    Ok(base_url)
}

/// The run's credential, from the environment only (an export's whole Authorization value,
/// `{{auth}}`, given as a variable is the credential).
fn credential_of(
    args: &RunArgs,
    file: &FileConfig,
    inputs: &[(String, String)],
    notices: &mut Vec<String>,
) -> Result<Credential> {
    let mode = match (args.auth, file.auth.as_deref()) {
        (Some(m), _) => m,
        (None, None) => AuthMode::Bearer,
        (None, Some(text)) => AuthMode::from_str(text, true).map_err(|_| {
            anyhow!(
                "scimcheck.toml: auth must be bearer, header, basic, oauth2 or none, not {text:?}"
            )
        })?,
    };
    if let Some(value) = input(inputs, harness::suite::runscope::AUTH_VARS) {
        return Ok(Credential::Header(value.into()));
    }
    Ok(match mode {
        AuthMode::Bearer => Credential::Bearer(
            env_credential("SCIM_TOKEN", true, notices).context("--auth bearer")?,
        ),
        AuthMode::Header => Credential::Header(
            env_credential("SCIM_TOKEN", false, notices).context("--auth header")?,
        ),
        AuthMode::Basic => Credential::Basic {
            username: std::env::var("SCIM_USERNAME")
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| anyhow!("--auth basic: SCIM_USERNAME is not set"))?,
            password: env_secret("SCIM_PASSWORD").context("--auth basic")?,
        },
        AuthMode::OAuth2 => Credential::OAuth2(std::sync::Arc::new(oauth2(args, file)?)),
        AuthMode::None => Credential::None,
    })
}

/// How fast the run goes: `--concurrency` and `--rate`, or the config file's.
fn pace_of(args: &RunArgs, file: &FileConfig) -> Result<harness::http::Pace> {
    let rate = match (args.rate, file.rate) {
        (Some(r), _) => Some(r),
        (None, Some(r)) if r.is_finite() && r > 0.0 && r <= 10_000.0 => Some(r),
        (None, Some(r)) => bail!(
            "scimcheck.toml: rate must be a number of requests per second above 0 (at most 10000), not {r}"
        ),
        (None, None) => None,
    };
    let concurrency = match (args.concurrency, file.concurrency) {
        (Some(n), _) => usize::from(n),
        (None, Some(n @ 1..=32)) => n,
        (None, Some(n)) => bail!("scimcheck.toml: concurrency must be 1 to 32, not {n}"),
        // Pages asked for at once are requests in flight: --import-concurrency alone raises
        // the limit to match.
        (None, None) => {
            harness::http::DEFAULT_CONCURRENCY.max(args.import_concurrency.map_or(1, usize::from))
        }
    };
    Ok(harness::http::Pace { concurrency, rate })
}

/// `--suite oauth`: taken out of the suites, and its settings (an OAuth 2 run only).
fn oauth_suite_of(
    args: &RunArgs,
    suite_args: &mut Vec<String>,
    credential: &Credential,
) -> Result<Option<harness::run::OAuthSuiteOptions>> {
    let id = harness::run::oauth_checks::SUITE_ID;
    if !suite_args.iter().any(|s| s == id) {
        return Ok(None);
    }
    suite_args.retain(|s| s != id);
    if !matches!(credential, Credential::OAuth2(_)) {
        bail!("--suite oauth tests an OAuth 2 app: add --auth oauth2 --token-url … --client-id …");
    }
    Ok(Some(harness::run::OAuthSuiteOptions {
        authorize_url: args.authorize_url.clone(),
        revocation_url: args.revocation_url.clone(),
        max_wait: Duration::from_secs(args.oauth_max_wait),
    }))
}

/// `--runscope FILE`: the export as a suite, with every input it needs given.
fn runscope_of(
    args: &RunArgs,
    inputs: &[(String, String)],
) -> Result<Option<harness::suite::Suite>> {
    let Some(path) = &args.runscope else {
        return Ok(None);
    };
    let text = untrusted::files::read_text_capped(path, untrusted::files::RUNSCOPE_MAX_BYTES)
        .context("--runscope")?;
    let converted = harness::suite::runscope::convert(&path.display().to_string(), &text)?;
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
    Ok(Some(converted.suite))
}

/// The run's options from the flags and the config file.
fn options_of(
    args: &RunArgs,
    file: &FileConfig,
    inputs: Vec<(String, String)>,
) -> Result<RunOptions> {
    let mut options = RunOptions {
        keep: args.keep,
        strict: args.strict,
        inputs,
        honor_pauses: args.honor_pauses,
        load_probe: args.load_probe,
        pace: pace_of(args, file)?,
        ..RunOptions::default()
    };
    if let Some(d) = args.email_domain.clone().or(file.email_domain.clone()) {
        options.email_domain = d;
    }
    if let Some(n) = args.page_size.or(file.page_size) {
        if n == 0 {
            bail!("--page-size must be at least 1");
        }
        options.page_size = n;
    }
    if args.max_import_resources == 0 || args.max_duration == 0 {
        bail!("--max-import-resources and --max-duration must be at least 1");
    }
    options.max_import_resources = args.max_import_resources;
    options.import_concurrency = args.import_concurrency.map_or(1, usize::from);
    options.pagination = args.pagination.map(Into::into);
    if let Some(bad) = args.entitlement_endpoints.iter().find(|e| {
        !harness::judge::entitlements::safe_endpoint(&format!("/{}", e.trim_matches('/')))
    }) {
        bail!("--entitlement-endpoint {bad:?}: give a path below the base URL, such as /Roles");
    }
    options.entitlement_endpoints = args.entitlement_endpoints.clone();
    options.max_duration = Duration::from_secs(args.max_duration);
    Ok(options)
}

/// `--only`, `--skip`, and `--rerun-failed` (what failed, errored or was blocked in a
/// results folder, `--out` by default).
fn selection_of(args: &RunArgs, out: &Path) -> Result<harness::suite::select::Selection> {
    let mut only = args.only.clone();
    if let Some(dir) = &args.rerun_failed {
        let dir = dir.clone().unwrap_or_else(|| out.to_path_buf());
        let failed = failed_checks(&dir)?;
        if failed.is_empty() {
            bail!(
                "--rerun-failed: nothing failed, errored or was blocked in {}",
                dir.join("results.json").display()
            );
        }
        only.extend(failed);
    }
    Ok(harness::suite::select::Selection {
        only,
        skip: args.skip.clone(),
    })
}

/// A run's results.json (or the results folder holding it), read through the results model.
pub(crate) fn read_results(path: &Path) -> Result<RunReport> {
    let file = if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_path_buf()
    };
    let text = untrusted::files::read_text_capped(&file, untrusted::files::RESULTS_MAX_BYTES)?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a scimcheck results.json", file.display()))
}

/// The `suite/check` ids that passed in a baseline results.json.
pub(crate) fn baseline_passed(path: &Path) -> Result<std::collections::BTreeSet<String>> {
    Ok(read_results(path).context("--baseline")?.passed())
}

/// The `suite/check` ids that failed, errored or were blocked in a results.json.
pub(crate) fn failed_checks(dir: &Path) -> Result<Vec<String>> {
    let report = read_results(dir).context("--rerun-failed")?;
    Ok(report
        .keys(|c| {
            matches!(
                c.outcome,
                Outcome::Fail { .. } | Outcome::Error { .. } | Outcome::Blocked { .. }
            )
        })
        .into_iter()
        .collect())
}

/// The proxy and TLS trust of a run: flags over the config file over the environment.
fn network(args: &RunArgs, file: &FileConfig, config_dir: Option<&Path>) -> Result<Network> {
    let proxy = match args.proxy.as_deref().or(file.proxy.as_deref()) {
        None => Proxy::Environment,
        Some(p) if p.eq_ignore_ascii_case("none") => Proxy::Direct,
        Some(p) => {
            if args.proxy.is_none() && harness::http::network::has_password(p) {
                bail!(
                    "scimcheck.toml: proxy has a password; the file never holds secrets: set HTTPS_PROXY or --proxy instead"
                );
            }
            Proxy::Url(p.to_string())
        }
    };
    let cacert = match (&args.cacert, &file.cacert) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(path)) => Some(config_dir.map_or_else(|| path.into(), |d| d.join(path))),
        (None, None) => None,
    };
    let ca_certificates = match cacert {
        None => None,
        Some(path) => {
            let pem =
                untrusted::files::read_capped(&path, untrusted::files::CERTIFICATES_MAX_BYTES)
                    .context("--cacert")?;
            Some((path.display().to_string(), pem))
        }
    };
    Ok(Network {
        proxy,
        ca_certificates,
        insecure: args.insecure || file.insecure.unwrap_or(false),
    })
}

/// The OAuth 2 client of `--auth oauth2`: endpoint and id from flags or the config file, the
/// client secret and an optional refresh token from the environment only.
fn oauth2(args: &RunArgs, file: &FileConfig) -> Result<OAuth2> {
    let token_url = args.token_url.clone().or_else(|| file.token_url.clone());
    let issuer = args.oauth_issuer.clone();
    if token_url.is_none() && issuer.is_none() {
        bail!(
            "--auth oauth2 needs --token-url (or token_url in scimcheck.toml), or --oauth-issuer to read it from the authorization server's metadata"
        );
    }
    for (flag, url) in [("--token-url", &token_url), ("--oauth-issuer", &issuer)] {
        if let Some(url) = url {
            http_url(url).with_context(|| format!("{flag} {url:?}"))?;
        }
    }
    let client_id = args
        .client_id
        .clone()
        .or_else(|| file.client_id.clone())
        .ok_or_else(|| {
            anyhow!("--auth oauth2 needs --client-id (or client_id in scimcheck.toml)")
        })?;
    let client_auth = match (args.client_auth, file.client_auth.as_deref()) {
        (Some(ClientAuthArg::PrivateKeyJwt), _) | (None, Some("private_key_jwt")) => {
            ClientAuth::PrivateKeyJwt(std::sync::Arc::new(client_key(args)?))
        }
        (Some(ClientAuthArg::Post), _) | (None, Some("post" | "client_secret_post")) => {
            ClientAuth::Post
        }
        (Some(ClientAuthArg::Basic), _) | (None, None | Some("basic" | "client_secret_basic")) => {
            ClientAuth::Basic
        }
        (None, Some(other)) => {
            bail!(
                "scimcheck.toml: client_auth must be basic, post or private_key_jwt, not {other:?}"
            )
        }
    };
    // A client that signs its assertions has no secret.
    let client_secret = match client_auth {
        ClientAuth::PrivateKeyJwt(_) => SecretString::from(String::new()),
        _ => env_secret("SCIM_CLIENT_SECRET").context("--auth oauth2")?,
    };
    let refresh_token = std::env::var("SCIM_REFRESH_TOKEN")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| SecretString::from(v.trim().to_string()));
    let mut oauth = OAuth2::new(
        token_url.unwrap_or_default(),
        client_id,
        client_secret,
        client_auth,
        args.scope.clone().or_else(|| file.scope.clone()),
        refresh_token,
    );
    oauth.issuer = issuer;
    Ok(oauth)
}

/// The private key of `--client-auth private-key-jwt`, from `--client-key`.
fn client_key(args: &RunArgs) -> Result<harness::http::jwt::JwtKey> {
    let path = args.client_key.as_ref().ok_or_else(|| {
        anyhow!(
            "--client-auth private-key-jwt needs --client-key FILE (the client's private key, PEM)"
        )
    })?;
    let pem = std::fs::read(path).with_context(|| format!("--client-key {}", path.display()))?;
    harness::http::jwt::JwtKey::from_pem(&pem, args.client_key_id.clone())
        .map_err(|e| anyhow!("--client-key {}: {e}", path.display()))
}

/// An http(s) URL with a host.
fn http_url(text: &str) -> Result<()> {
    let (scheme, rest) = text.split_once("://").ok_or_else(|| anyhow!("not a URL"))?;
    if !matches!(scheme, "http" | "https") || rest.split('/').next().unwrap_or("").is_empty() {
        bail!("must be an http:// or https:// URL with a host");
    }
    Ok(())
}
