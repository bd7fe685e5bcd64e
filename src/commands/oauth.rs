//! `scimcheck oauth login`: the authorization code grant from a terminal, storing the refresh
//! token that `run --auth oauth2` then uses (the flow itself is `harness::http::oauth_login`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use harness::http::network::Network;
use harness::http::oauth::TokenEndpoint;
use harness::http::oauth_login::{Login, check_store, store};
use harness::report::ExitStatus;

use crate::commands::run_args::ClientAuthArg;
use crate::commands::run_config::env_secret;

#[derive(clap::Args)]
pub(crate) struct OAuthArgs {
    #[command(subcommand)]
    command: OAuthCommand,
}

#[derive(clap::Subcommand)]
enum OAuthCommand {
    /// Authorize scimcheck at the app's authorization server (authorization code + PKCE,
    /// loopback redirect) and store the refresh token for `run --auth oauth2`
    Login(LoginArgs),
}

#[derive(clap::Args)]
struct LoginArgs {
    /// The authorize endpoint
    #[arg(long, value_name = "URL")]
    authorize_url: String,
    /// The token endpoint
    #[arg(long, value_name = "URL")]
    token_url: String,
    /// The client id (the secret comes from SCIM_CLIENT_SECRET)
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// The scope to ask for (often with offline_access, for a refresh token)
    #[arg(long)]
    scope: Option<String>,
    /// How the client authenticates to the token endpoint [default: basic]
    #[arg(long, value_enum)]
    client_auth: Option<ClientAuthArg>,
    /// The loopback port of the redirect URI http://127.0.0.1:PORT/callback [default: any free]
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where to store the refresh token (created readable by you only; never through a
    /// symbolic link)
    #[arg(long, value_name = "FILE", default_value = "scimcheck-refresh-token")]
    store: PathBuf,
    /// Replace the file --store names if it exists
    #[arg(long)]
    force: bool,
    /// Print the URL instead of opening a browser
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for the browser to come back
    #[arg(long, default_value_t = 300)]
    wait: u64,
    /// Okta's QA case C21902: send the authorization code a second time, which the token
    /// endpoint must refuse (RFC 6749 §4.1.2) and should answer by revoking what it issued;
    /// nothing is stored (run login again to store a refresh token)
    #[arg(long)]
    check_code_reuse: bool,
}

pub(crate) async fn oauth_command(args: OAuthArgs) -> Result<ExitStatus> {
    match args.command {
        OAuthCommand::Login(args) => login(args).await,
    }
}

async fn login(args: LoginArgs) -> Result<ExitStatus> {
    let secret = env_secret("SCIM_CLIENT_SECRET").context("oauth login")?;
    if !args.check_code_reuse {
        check_store(&args.store, args.force).map_err(|e| anyhow!(e).context("--store"))?;
    }
    let http = Network::default()
        .client(Duration::from_secs(30))
        .map_err(|e| anyhow!(e))?;
    let client_auth = match args.client_auth {
        Some(ClientAuthArg::Post) => harness::http::oauth::ClientAuth::Post,
        Some(ClientAuthArg::PrivateKeyJwt) => bail!(
            "oauth login: --client-auth private-key-jwt is for the client credentials grant of `scimcheck run`; a login uses a client secret"
        ),
        Some(ClientAuthArg::Basic) | None => harness::http::oauth::ClientAuth::Basic,
    };
    let flow = Login {
        authorize_url: &args.authorize_url,
        token: TokenEndpoint {
            url: &args.token_url,
            client_id: &args.client_id,
            client_secret: &secret,
            client_auth: &client_auth,
        },
        scope: args.scope.as_deref(),
        port: args.port,
        wait: Duration::from_secs(args.wait),
        check_code_reuse: args.check_code_reuse,
    };
    let no_browser = args.no_browser;
    let logged_in = flow
        .run(&http, |url| {
            eprintln!("Open this URL in a browser to authorize scimcheck:\n  {url}");
            if !no_browser {
                open_browser(url);
            }
        })
        .await
        .map_err(|e| anyhow!(harness::http::redact::Redactor::new([secret.clone()]).redact(&e)))?;
    if let Some(reuse) = logged_in.code_reuse {
        return Ok(report_code_reuse(&reuse));
    }
    let refresh = logged_in.tokens.refresh.ok_or_else(|| {
        anyhow!(
            "authorized, but the token endpoint issued no refresh token: ask for offline_access (--scope) or allow refresh tokens for this client"
        )
    })?;
    store(&args.store, &refresh, args.force).map_err(|e| anyhow!(e).context("--store"))?;
    let shown = untrusted::terminal_line(&args.store.display().to_string()).into_owned();
    println!(
        "authorized: the refresh token is in {shown} (readable by you only; it is never printed)"
    );
    println!(
        "run with:  SCIM_CLIENT_SECRET=… SCIM_REFRESH_TOKEN=\"$(cat {shown})\" scimcheck run --auth oauth2 --token-url {} --client-id {} --base-url …",
        untrusted::terminal_line(&args.token_url),
        untrusted::terminal_line(&args.client_id)
    );
    Ok(ExitStatus::Success)
}

/// The verdicts of the code reuse check (C21902), and the exit status they make.
fn report_code_reuse(reuse: &harness::http::oauth_login::CodeReuse) -> ExitStatus {
    let answer = untrusted::terminal_line(&reuse.answer);
    if reuse.refused {
        println!(
            "PASS  the token endpoint refused the authorization code a second time ({answer}) (RFC 6749 §4.1.2 MUST)"
        );
    } else {
        println!(
            "FAIL  the token endpoint accepted the same authorization code twice ({answer}): RFC 6749 §4.1.2 says it MUST deny it (RFC 6819 §4.4.1.1, code replay)"
        );
    }
    match reuse.tokens_revoked {
        Some(true) => println!(
            "PASS  the refresh token issued for that code was revoked (RFC 6749 §4.1.2 SHOULD)"
        ),
        Some(false) => println!(
            "WARN  the refresh token issued for that code still works (RFC 6749 §4.1.2 SHOULD revoke it)"
        ),
        None => println!("SKIP  no refresh token was issued, so its revocation cannot be checked"),
    }
    println!(
        "nothing was stored: run `scimcheck oauth login` again (without --check-code-reuse) to store a refresh token"
    );
    if reuse.refused {
        ExitStatus::Success
    } else {
        ExitStatus::ChecksFailed
    }
}

/// Opens the URL in the desktop's browser, when there is one; the URL is printed anyway.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
