//! The reference SCIM service provider: an in-memory SCIM 2.0 and 1.1 server that is correct by
//! default and can be broken on purpose, one real-world bug class at a time ([`Fault`]).
//!
//! It is the embedded default target of `scimcheck demo`, the target of the project's
//! end-to-end tests, and the oracle that proves each check of the harness: a check must pass
//! against the clean server and fail against the fault it is meant to catch. It imports nothing
//! from the harness, so the oracle stays independent of the checker.
#![warn(missing_docs)]

mod bulk;
mod catalogue;
mod cursor;
mod discovery;
mod entitlements;
mod error;
mod faults;
mod filter;
mod interop;
mod introspect;
mod list_cache;
mod lists;
mod patch;
mod patch11;
mod resources;
mod seed;
mod server;
mod state;
mod store;
mod token;
mod token_store;
mod version;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

pub use catalogue::{ENTITLEMENT_URN, LICENSE_EXTENSION, ROLE_URN};
pub use faults::{Fault, Faults, catalogue as fault_catalogue};
pub use introspect::Introspection;
pub use seed::user_name as seed_user_name;
pub use state::Auth;
pub use token_store::JwtClient;
pub use version::ScimVersion;

use state::AppState;
use store::{Kind, Store};

/// How to run a reference server.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Port on 127.0.0.1 (0 picks a free one).
    pub port: u16,
    /// Accepted credentials (none: every request is accepted).
    pub auth: Auth,
    /// Fault switches.
    pub faults: Faults,
    /// Users to create at start.
    pub seed_users: usize,
    /// Groups (with members) to create at start.
    pub seed_groups: usize,
    /// Answer PATCH with 204 and no body (RFC 7644 §3.5.2 allows it).
    pub patch_204: bool,
    /// Conform to the SCIM 2.0 Interoperability Profile and claim it
    /// (`interopProfileConformant`): undefined attributes and schema URIs, and PATCH
    /// operations without a path, are refused with 400 invalidSyntax. Okta's own client sends a
    /// path-less PATCH (group rename), so it is a mode, not the default.
    pub interop_profile: bool,
    /// Page by cursor when a list request names no method (RFC 9865 §2.3, advertised as
    /// `defaultPaginationMethod: "cursor"`): how a cursor-first app pages its clients (SCIM
    /// 2.0 only). Okta's suites send lists without `startIndex`, and read them as one page.
    pub cursor_by_default: bool,
    /// Clients of the app's own OAuth 2 authorization server (IPSIE): with any, it serves
    /// RFC 8414 metadata and a token endpoint that takes JWT client assertions, and the
    /// tokens it issues are accepted.
    pub jwt_clients: Vec<JwtClient>,
    /// Requests a second served before the rest of that second is answered 429 with
    /// Retry-After (IPSIE's rate limit); none: no limit.
    pub rate_limit: Option<u32>,
    /// The SCIM dialect served.
    pub scim_version: ScimVersion,
    /// Also accept access tokens that this issuer's introspection endpoint says are active.
    pub oauth: Option<Arc<Introspection>>,
    /// Serve entitlement management (`/Roles`, `/Entitlements`, `/Licenses`) with this many
    /// values of each type (SCIM 2.0 only).
    pub entitlements: Option<usize>,
}

/// Path under which the SCIM endpoints are served.
pub const BASE_PATH: &str = "/scim/v2";

/// A server running in the background of the current tokio runtime.
pub struct RunningServer {
    base_url: String,
    state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// The SCIM base URL (`http://127.0.0.1:PORT/scim/v2`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many requests it has received.
    pub fn requests_served(&self) -> u64 {
        self.state
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The most requests it has served at once.
    pub fn peak_concurrent_requests(&self) -> u64 {
        self.state
            .peak_in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The paths (`/Users/{id}`, `/Groups/{id}`) of every stored resource whose JSON holds
    /// this text, soft-deleted and tombstoned ones included: what the app really keeps, for
    /// tests that compare it with what a run reports left behind.
    pub fn stored_with(&self, text: &str) -> Vec<String> {
        let store = self.state.store.lock().expect("store lock");
        [
            ("Users", store.of(Kind::Users)),
            ("Groups", store.of(Kind::Groups)),
        ]
        .into_iter()
        .flat_map(|(endpoint, c)| {
            c.iter()
                .filter(|e| e.json_text().contains(text))
                .map(move |e| format!("/{endpoint}/{}", e.id))
        })
        .collect()
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server stops (it runs until the process ends).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

/// Errors starting a server.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
}

/// Binds 127.0.0.1, seeds the store, and serves in the background.
pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], config.port)))
        .await
        .map_err(|source| StartError::Bind {
            port: config.port,
            source,
        })?;
    let port = listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            port: config.port,
            source,
        })?
        .port();
    let base_url = format!("http://127.0.0.1:{port}{BASE_PATH}");
    let state = Arc::new(AppState {
        store: Mutex::new(Store::default()),
        list_cache: Mutex::default(),
        auth: config.auth,
        oauth: config.oauth,
        faults: config.faults,
        patch_204: config.patch_204,
        interop_profile: config.interop_profile && config.scim_version == ScimVersion::V2,
        cursor_by_default: config.cursor_by_default && config.scim_version == ScimVersion::V2,
        tokens: token_store::TokenServer::new(config.jwt_clients),
        one_at_a_time: tokio::sync::Mutex::new(()),
        rate_limit: config.rate_limit.map(state::RateLimit::new),
        version: config.scim_version,
        base_url: base_url.clone(),
        requests: AtomicU64::new(0),
        in_flight: AtomicU64::new(0),
        peak_in_flight: AtomicU64::new(0),
        entitlements: config
            .entitlements
            .filter(|_| config.scim_version == ScimVersion::V2)
            .map(catalogue::Catalogue::seeded),
    });
    seed_store(&state, config.seed_users, config.seed_groups);
    let app = server::router(state.clone(), BASE_PATH);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app, rx));
    Ok(RunningServer {
        base_url,
        state,
        shutdown: Some(tx),
        task,
    })
}

fn seed_store(state: &AppState, users: usize, groups: usize) {
    let mut store = state.store.lock().expect("store lock");
    let mut ids = Vec::with_capacity(users);
    for i in 0..users {
        let u = resources::insert(state, &mut store, Kind::Users, seed::user(i))
            .expect("seed users are valid and unique");
        ids.push((
            u["id"].as_str().unwrap_or_default().to_string(),
            u["userName"].as_str().unwrap_or_default().to_string(),
        ));
    }
    for i in 0..groups {
        resources::insert(state, &mut store, Kind::Groups, seed::group(i, &ids))
            .expect("seed groups are valid");
    }
}

/// The most connections served at once; further clients wait in the accept backlog until one
/// closes (an idle one closes after [`HEADER_READ_TIMEOUT`]).
pub const MAX_CONNECTIONS: usize = 256;

/// How long a connection may take to send a request's headers, and how long it may stay idle
/// between requests: a client that opens connections and sends nothing (or half a header)
/// cannot hold the server's file descriptors.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Accepts connections until `stop` fires, each served with the limits above.
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A transient accept error (too many open files): try again shortly.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        connections.spawn(async move {
            let _slot = permit;
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
        // Reap finished connections so the set does not grow with the server's lifetime.
        while connections.try_join_next().is_some() {}
    }
    connections.abort_all();
}
