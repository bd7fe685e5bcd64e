//! `scimcheck run`'s arguments (clap), and the display settings they give: one module that
//! the run, its configuration and the commands that reuse them (`rerun`, `serve`, `oauth`)
//! import.

use std::path::PathBuf;

use clap::ValueEnum;
use harness::reporters::terminal::Style;

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

impl From<harness::report::AuthKind> for AuthMode {
    fn from(kind: harness::report::AuthKind) -> Self {
        use harness::report::AuthKind;
        match kind {
            AuthKind::Bearer => AuthMode::Bearer,
            AuthKind::Header => AuthMode::Header,
            AuthKind::Basic => AuthMode::Basic,
            AuthKind::OAuth2 => AuthMode::OAuth2,
            AuthKind::None => AuthMode::None,
        }
    }
}

/// How an OAuth 2 client authenticates to the token endpoint.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ClientAuthArg {
    /// HTTP Basic (client_secret_basic)
    Basic,
    /// In the form body (client_secret_post)
    Post,
    /// A JWT signed with the client's private key (RFC 7523 §2.2, private_key_jwt; the key
    /// from --client-key), as IPSIE's SCIM profile asks
    PrivateKeyJwt,
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
    /// Also grade against a profile beyond RFC 7644, beside the suites run: interop (the SCIM
    /// 2.0 Interoperability Profile), cursor (RFC 9865 cursor pagination), ipsie-al1, ipsie-al2
    /// (the IPSIE AL SCIM profile's levels, each with what it builds on); repeatable. Its
    /// verdicts are the profile's
    #[arg(long = "profile", value_name = "NAME")]
    pub(crate) profiles: Vec<String>,
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
    /// The OAuth 2 authorization server's issuer (--auth oauth2): the token endpoint is read
    /// from its RFC 8414 metadata (instead of --token-url), which IPSIE's profile requires
    #[arg(long, value_name = "URL")]
    pub(crate) oauth_issuer: Option<String>,
    /// The client's private key, a PEM file (RSA or EC P-256), for --client-auth
    /// private-key-jwt
    #[arg(long, value_name = "FILE")]
    pub(crate) client_key: Option<PathBuf>,
    /// The key id (kid) the authorization server knows --client-key by, if it asks for one
    #[arg(long, value_name = "KID", requires = "client_key")]
    pub(crate) client_key_id: Option<String>,
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
    /// How import walks page: index (startIndex and count, as Okta imports) or cursor (RFC
    /// 9865: nextCursor until the last page) [default: as the app's ServiceProviderConfig
    /// makes its default, else index]
    #[arg(long, value_name = "METHOD")]
    pub(crate) pagination: Option<PaginationArg>,
    /// Send at most this many requests per second (retries included), e.g. 5 or 0.5
    #[arg(long, value_name = "PER_SECOND", value_parser = parse_rate)]
    pub(crate) rate: Option<f64>,
    /// An entitlement endpoint to test (okta-entitlements), e.g. /Roles; repeatable. Replaces
    /// the discovery of Okta-URN resource types in /ResourceTypes (for an app without it)
    #[arg(long = "entitlement-endpoint", value_name = "PATH")]
    pub(crate) entitlement_endpoints: Vec<String>,
    /// Requests in flight at once: checks that do not depend on each other run together
    /// (1: strictly one at a time, Okta's own order) [default: 8]
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
    /// Run the checks that load the app (IPSIE's rate checks: a few seconds at a steady rate,
    /// at most 50 requests a second); without it they are skipped with the reason
    #[arg(long)]
    pub(crate) load_probe: bool,
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
    /// Colours: auto (a terminal; NO_COLOR, CLICOLOR=0 and CLICOLOR_FORCE=1 are honoured), always or never
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

/// Colours by default, as the common conventions say: never with `NO_COLOR` set (and not
/// empty, no-color.org), always with `CLICOLOR_FORCE` set (and not `0`), never with
/// `CLICOLOR=0`, else on a terminal only (bixense.com/clicolors); and only where the console
/// shows them ([`console_shows_colors`]).
pub(crate) fn auto_color(is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let wanted = if set("NO_COLOR").is_some() {
        false
    } else if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        true
    } else if set("CLICOLOR").is_some_and(|v| v == "0") {
        false
    } else {
        is_terminal
    };
    wanted && console_shows_colors()
}

/// A Windows console shows ANSI colours once virtual terminal processing is on: it is
/// switched on here; a console that refuses it (older than Windows 10) gets no colours rather
/// than escape codes as text. Elsewhere terminals show them as they are.
fn console_shows_colors() -> bool {
    anstyle_query::windows::enable_ansi_colors() != Some(false)
}

impl Display {
    pub(crate) fn style(&self, is_terminal: bool) -> Style {
        let color = match self.color {
            // Asked for whatever the console: switched on where it can be, sent in any case
            // (a log file or a pipe keeps them).
            ColorArg::Always => {
                let _ = console_shows_colors();
                true
            }
            ColorArg::Never => false,
            ColorArg::Auto => auto_color(is_terminal),
        };
        Style {
            color,
            verbose: self.verbose,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum PaginationArg {
    Index,
    Cursor,
}

impl From<PaginationArg> for harness::suite::Pagination {
    fn from(arg: PaginationArg) -> Self {
        match arg {
            PaginationArg::Index => harness::suite::Pagination::Index,
            PaginationArg::Cursor => harness::suite::Pagination::Cursor,
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

impl From<harness::report::ScimVersion> for VersionArg {
    fn from(version: harness::report::ScimVersion) -> Self {
        match version {
            harness::report::ScimVersion::V2 => VersionArg::V2,
            harness::report::ScimVersion::V11 => VersionArg::V11,
        }
    }
}

pub(crate) fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| "expected NAME=VALUE".to_string())
}
