//! `scimcheck serve` (the reference server) and `scimcheck demo` (reference servers, every suite,
//! the sample packaged).

use std::io::Write;
use std::path::PathBuf;

use crate::commands::run::execute;
use crate::commands::run_args::{Display, VersionArg};
use crate::commands::run_config::RunConfig;
use anyhow::{Result, anyhow};
use harness::http::{Credential, Target};
use harness::report::ExitStatus;
use harness::run::RunOptions;

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    pub(crate) port: u16,
    /// Bearer token to accept [default: a random one, printed on stderr]
    #[arg(long)]
    pub(crate) token: Option<String>,
    /// A fault to switch on; repeatable (see --help for the list)
    #[arg(long = "fault", value_parser = parse_fault, long_help = fault_help())]
    pub(crate) faults: Vec<refserver::Fault>,
    /// Users to create at start
    #[arg(long, default_value_t = 0)]
    pub(crate) seed_users: usize,
    /// Groups (with members) to create at start
    #[arg(long, default_value_t = 0)]
    pub(crate) seed_groups: usize,
    /// Answer PATCH with 204 and no body
    #[arg(long)]
    patch_204: bool,
    /// Conform to the SCIM 2.0 Interoperability Profile and claim it (interopProfileConformant):
    /// undefined attributes and schema URIs, and PATCH operations without a path, are refused
    /// with 400 invalidSyntax; replace of a whole complex attribute replaces it (SCIM 2.0
    /// only). Okta's Group Push rename is a path-less PATCH: it is refused in this mode.
    #[arg(long)]
    interop_profile: bool,
    /// The same as --interop-profile (`--profile interop`), named as `run --profile` names
    /// the suites that grade it
    #[arg(long, value_name = "PROFILE")]
    profile: Option<ServedProfile>,
    /// How lists that name no pagination method are paged, and the defaultPaginationMethod
    /// the ServiceProviderConfig advertises (RFC 9865): index (startIndex and count), or
    /// cursor (nextCursor until the last page) (SCIM 2.0)
    #[arg(long, value_name = "METHOD", default_value = "index")]
    default_pagination: crate::commands::run_args::PaginationArg,
    /// Serve the app's own OAuth 2 authorization server (as IPSIE's profile asks) with this
    /// client, given as CLIENT_ID=FILE (its public key, PEM); repeatable: RFC 8414 metadata
    /// at /.well-known/oauth-authorization-server, a token endpoint at /oauth2/token taking
    /// JWT client assertions (RFC 7523) for the scope scim, and its tokens accepted
    #[arg(long = "jwt-client", value_name = "CLIENT_ID=FILE", value_parser = parse_jwt_client)]
    jwt_clients: Vec<refserver::JwtClient>,
    /// Answer 429 with Retry-After to requests beyond this many in a second (IPSIE's rate
    /// limit)
    #[arg(long, value_name = "PER_SECOND", value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit: Option<u32>,
    /// The SCIM dialect to serve: 2.0 or 1.1
    #[arg(long, default_value = "2.0", value_parser = parse_scim_version)]
    pub(crate) scim_version: refserver::ScimVersion,
    /// Also accept HTTP Basic credentials, given as USER:PASSWORD
    #[arg(long, value_parser = parse_basic)]
    pub(crate) basic: Option<(String, String)>,
    /// Also accept access tokens of this OAuth 2 issuer, checked by its introspection endpoint
    /// (RFC 7662) as client --oauth-client-id with the secret in SCIMCHECK_SERVE_OAUTH_SECRET
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    pub(crate) oauth_issuer: Option<String>,
    /// The server's own client id at the OAuth 2 issuer (for introspection)
    #[arg(long, value_name = "ID", requires = "oauth_issuer")]
    pub(crate) oauth_client_id: Option<String>,
    /// Serve entitlement management as Okta Identity Governance reads it: /Roles,
    /// /Entitlements and /Licenses (a custom type with a schema extension), declared in
    /// /ResourceTypes with Okta's URNs (SCIM 2.0)
    #[arg(long)]
    pub(crate) entitlements: bool,
    /// Values of each entitlement type, with --entitlements
    #[arg(long, value_name = "N", default_value_t = DEMO_ENTITLEMENTS, requires = "entitlements")]
    pub(crate) seed_entitlements: usize,
}

/// A profile the reference server can conform to.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ServedProfile {
    /// The SCIM 2.0 Interoperability Profile (what --interop-profile serves).
    Interop,
}

#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    /// Directory for junit.xml and results.json
    #[arg(long, default_value = "scimcheck-results")]
    pub(crate) out: PathBuf,
}

pub(crate) fn parse_scim_version(s: &str) -> Result<refserver::ScimVersion, String> {
    s.parse()
}

pub(crate) fn parse_basic(s: &str) -> Result<(String, String), String> {
    s.split_once(':')
        .filter(|(u, p)| !u.is_empty() && !p.is_empty())
        .map(|(u, p)| (u.to_string(), p.to_string()))
        .ok_or_else(|| "expected USER:PASSWORD".to_string())
}

fn parse_jwt_client(s: &str) -> Result<refserver::JwtClient, String> {
    let (id, file) = s
        .split_once('=')
        .filter(|(id, file)| !id.is_empty() && !file.is_empty())
        .ok_or("expected CLIENT_ID=FILE")?;
    let pem = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    refserver::JwtClient::from_pem(id, &pem).map_err(|e| format!("{file}: {e}"))
}

pub(crate) fn parse_fault(s: &str) -> Result<refserver::Fault, String> {
    s.parse()
}

pub(crate) fn fault_help() -> String {
    let mut s = String::from("A fault to switch on; repeatable. Faults:\n");
    for (name, what) in refserver::fault_catalogue() {
        s.push_str(&format!("  {name:<28} {what}\n"));
    }
    s
}

pub(crate) async fn serve_command(args: ServeArgs) -> Result<ExitStatus> {
    let generated = args.token.is_none();
    let token = args.token.unwrap_or_else(random_token);
    let oauth = match (&args.oauth_issuer, &args.oauth_client_id) {
        (Some(issuer), Some(id)) => {
            let secret = std::env::var("SCIMCHECK_SERVE_OAUTH_SECRET")
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    anyhow!("--oauth-issuer: SCIMCHECK_SERVE_OAUTH_SECRET is not set")
                })?;
            let introspection = refserver::Introspection::discover(issuer, id.clone(), secret)
                .await
                .map_err(|e| anyhow!("--oauth-issuer: {e}"))?;
            Some(std::sync::Arc::new(introspection))
        }
        _ => None,
    };
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
        interop_profile: args.interop_profile || args.profile.is_some(),
        cursor_by_default: matches!(
            args.default_pagination,
            crate::commands::run_args::PaginationArg::Cursor
        ),
        scim_version: args.scim_version,
        jwt_clients: args.jwt_clients,
        rate_limit: args.rate_limit,
        oauth,
        entitlements: args.entitlements.then_some(args.seed_entitlements),
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

pub(crate) fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Enough users that an import walks several pages of 100, as Okta's would.
pub(crate) const DEMO_USERS: usize = 250;

pub(crate) const DEMO_GROUPS: usize = 5;

/// A reference server of the demo: seeded, serving entitlements, and in the interop profile's
/// mode with its own authorization server (the key's client registered) for the profiles.
async fn demo_server(
    version: refserver::ScimVersion,
    interop_profile: bool,
    token: &str,
    key: &harness::http::jwt::JwtKey,
) -> Result<refserver::RunningServer> {
    let jwt_clients = if interop_profile {
        vec![refserver::JwtClient {
            id: DEMO_CLIENT_ID.into(),
            public_key: key.public_key(),
        }]
    } else {
        Vec::new()
    };
    Ok(refserver::start(refserver::ServerConfig {
        port: 0,
        auth: refserver::Auth {
            token: Some(token.to_string()),
            basic: None,
        },
        seed_users: DEMO_USERS,
        seed_groups: DEMO_GROUPS,
        scim_version: version,
        entitlements: Some(DEMO_ENTITLEMENTS),
        interop_profile,
        jwt_clients,
        ..refserver::ServerConfig::default()
    })
    .await?)
}

/// The demo's OAuth 2 client for the profiles' run: its key, the token endpoint of the
/// reference server's own authorization server, and its issuer (the metadata is checked).
fn demo_oauth(base_url: &str, key: harness::http::jwt::JwtKey) -> Credential {
    let issuer = base_url.trim_end_matches(refserver::BASE_PATH);
    let mut oauth = harness::http::oauth::OAuth2::new(
        format!("{issuer}/oauth2/token"),
        DEMO_CLIENT_ID.into(),
        String::new().into(),
        harness::http::oauth::ClientAuth::PrivateKeyJwt(std::sync::Arc::new(key)),
        Some("scim".into()),
        None,
    );
    oauth.issuer = Some(issuer.to_string());
    Credential::OAuth2(std::sync::Arc::new(oauth))
}

/// The client id of the demo's OAuth 2 client (the profiles' run).
const DEMO_CLIENT_ID: &str = "scimcheck-demo";

/// Values of each entitlement type: more than one page of Okta's one-value step.
pub(crate) const DEMO_ENTITLEMENTS: usize = 5;

/// Runs every built-in suite against reference servers of its SCIM version: 2.0 results in
/// `DIR`, 1.1 results in `DIR/scim-1.1`, and the profile suites against a server in the interop
/// profile's mode in `DIR/profiles`. The exit status is the worst of the three.
pub(crate) async fn demo_command(args: DemoArgs) -> Result<ExitStatus> {
    let mut worst = ExitStatus::Success;
    let profile_suites: Vec<String> = harness::suite::builtin::builtin_suites()?
        .into_iter()
        .filter(|s| s.profile.is_some())
        .map(|s| s.id)
        .collect();
    for (version, out, suite_args) in [
        (refserver::ScimVersion::V2, args.out.clone(), Vec::new()),
        (
            refserver::ScimVersion::V11,
            args.out.join("scim-1.1"),
            Vec::new(),
        ),
        (
            refserver::ScimVersion::V2,
            args.out.join("profiles"),
            profile_suites.clone(),
        ),
    ] {
        let interop_profile = !suite_args.is_empty();
        let token = random_token();
        // The profiles' OAuth probes (IPSIE) run with a key made for the demo, registered with
        // the server's own authorization server.
        let key = harness::http::jwt::JwtKey::stranger();
        let server = demo_server(version, interop_profile, &token, &key).await?;
        let mode = if interop_profile {
            ", interop profile mode, its own OAuth 2 server"
        } else {
            ""
        };
        eprintln!(
            "reference server: {} (SCIM {}, {DEMO_USERS} users, {DEMO_GROUPS} groups{mode})",
            server.base_url(),
            version.as_str(),
        );
        let credential = if interop_profile {
            demo_oauth(server.base_url(), key)
        } else {
            Credential::Bearer(token.into())
        };
        let mut target = Target::new(server.base_url(), credential).map_err(|e| anyhow!(e))?;
        // The embedded server is in this process: never through a proxy.
        target.network.proxy = harness::http::network::Proxy::Direct;
        let config = RunConfig {
            target,
            suite_args,
            profiles: Vec::new(),
            runscope: None,
            version: VersionArg::Auto,
            out,
            options: RunOptions::default(),
            display: Display::default(),
            selection: harness::suite::select::Selection::default(),
        };
        let out_dir = config.out.clone();
        let status = execute(config).await;
        let base_url = server.base_url().to_string();
        server.stop().await;
        let mut status = status?;
        if version == refserver::ScimVersion::V2 && !interop_profile {
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
