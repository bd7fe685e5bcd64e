//! Reaching the app where it lives: a TLS front with a CA made at test time (trusted with
//! `--cacert`, refused without it, and each certificate or port mistake named with its fix),
//! `--insecure` said loudly, and a real forward proxy (proxy.py from PyPI, which `.ci/run`
//! installs) that logs what went through it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::cli::{scimcheck, text};
use crate::support::{TOKEN, server};

/// A certificate and its key, in PEM and DER.
struct Leaf {
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

/// A CA made for this test, and the certificates it (or nobody) signs.
struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "scimcheck test CA");
        Pki {
            ca: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// A server certificate for these names; signed by the CA unless `self_signed`; expired
    /// when `expired`.
    fn leaf(&self, names: &[&str], self_signed: bool, expired: bool) -> Leaf {
        let mut params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = if self_signed {
            params.self_signed(&key).unwrap()
        } else {
            params.signed_by(&key, &self.ca).unwrap()
        };
        Leaf {
            der: cert.der().clone(),
            key: key.serialize_der(),
        }
    }
}

/// A TLS front on a free loopback port that relays each connection to `backend`; it stops
/// when the returned handle is dropped or aborted.
async fn tls_front(leaf: Leaf, backend: SocketAddr) -> (u16, tokio::task::JoinHandle<()>) {
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key)),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut upstream) = TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    (port, task)
}

fn backend_of(base_url: &str) -> SocketAddr {
    let host_port = base_url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    host_port.parse().unwrap()
}

/// `run --suite okta-scim2-spec --out out` against `base` with these extra words and
/// environment (SCIM_TOKEN is the reference server's).
pub(crate) async fn run_spec(
    base: &str,
    extra: &[&str],
    env: &[(&str, &str)],
    dir: &Path,
) -> std::process::Output {
    let mut args = vec![
        "run",
        "--base-url",
        base,
        "--suite",
        "okta-scim2-spec",
        "--out",
        "out",
    ];
    args.extend_from_slice(extra);
    let mut env = env.to_vec();
    env.push(("SCIM_TOKEN", TOKEN));
    scimcheck(&args, &env, dir).await
}

#[tokio::test]
async fn a_private_ca_is_trusted_with_cacert_and_named_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = server(&[], 3).await;
    let pki = Pki::new();
    std::fs::write(dir.path().join("ca.pem"), pki.ca_pem()).unwrap();
    let (port, front) = tls_front(
        pki.leaf(&["127.0.0.1", "localhost"], false, false),
        backend_of(app.base_url()),
    )
    .await;
    let base = format!("https://127.0.0.1:{port}/scim/v2");

    let out = run_spec(&base, &[], &[], dir.path()).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not signed by a CA this machine trusts")
            && stderr.contains("--cacert FILE"),
        "{stderr}"
    );
    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).unwrap();
    assert!(
        junit.contains("not signed by a CA this machine trusts"),
        "{junit}"
    );

    let out = run_spec(&base, &["--cacert", "ca.pem"], &[], dir.path()).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let results = std::fs::read_to_string(dir.path().join("out/results.json")).unwrap();
    assert!(results.contains("ca.pem (--cacert)"), "{results}");
    front.abort();
    app.stop().await;
}

#[tokio::test]
async fn each_tls_and_port_mistake_is_named_with_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    let app = server(&[], 3).await;
    let backend = backend_of(app.base_url());
    let pki = Pki::new();
    std::fs::write(dir.path().join("ca.pem"), pki.ca_pem()).unwrap();
    let (wrong_name, a) = tls_front(pki.leaf(&["app.example.test"], false, false), backend).await;
    let (expired, b) = tls_front(pki.leaf(&["127.0.0.1"], false, true), backend).await;
    let (self_signed, c) = tls_front(pki.leaf(&["127.0.0.1"], true, false), backend).await;
    let (good, d) = tls_front(pki.leaf(&["127.0.0.1"], false, false), backend).await;
    let plain_port = backend.port();
    let cases = [
        (
            format!("https://127.0.0.1:{wrong_name}/scim/v2"),
            "is not valid for the name \"127.0.0.1\"",
        ),
        (
            format!("https://127.0.0.1:{expired}/scim/v2"),
            "has expired",
        ),
        (
            format!("https://127.0.0.1:{self_signed}/scim/v2"),
            "not signed by a CA this machine trusts",
        ),
        (
            format!("https://127.0.0.1:{plain_port}/scim/v2"),
            "this port speaks http, not https",
        ),
        (
            format!("http://127.0.0.1:{good}/scim/v2"),
            "this port probably speaks https",
        ),
    ];
    for (base, expected) in cases {
        let out = run_spec(&base, &["--cacert", "ca.pem"], &[], dir.path()).await;
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{base}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{base}: expected {expected:?} in\n{stderr}"
        );
        assert!(stderr.contains("Fix: "), "{base}: {stderr}");
    }
    for task in [a, b, c, d] {
        task.abort();
    }
    app.stop().await;
}

#[tokio::test]
async fn an_insecure_run_is_said_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let app = server(&[], 3).await;
    let pki = Pki::new();
    let (port, front) = tls_front(
        pki.leaf(&["127.0.0.1"], true, false),
        backend_of(app.base_url()),
    )
    .await;
    let base = format!("https://127.0.0.1:{port}/scim/v2");
    let out = run_spec(&base, &["--insecure"], &[], dir.path()).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Before the first check and again in the summary.
    let said = format!("{stderr}{stdout}");
    assert_eq!(
        said.matches("certificates are not verified (--insecure)")
            .count(),
        2,
        "{said}"
    );
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/results.json")).unwrap())
            .unwrap();
    assert_eq!(results["target"]["insecure"], true);
    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).unwrap();
    assert!(junit.contains(r#"<property name="insecure" value="true"/>"#));
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("INSECURE RUN"));
    front.abort();
    app.stop().await;
}

/// proxy.py's command: `SCIMCHECK_PROXY_PY`, or `proxy` on the PATH. Absent, the test says
/// so; under CI (`CI` set) absence fails it: the proof needs a real proxy.
fn proxy_py() -> Option<String> {
    let found = std::env::var("SCIMCHECK_PROXY_PY").ok().or_else(|| {
        std::process::Command::new("proxy")
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| "proxy".to_string())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "proxy.py is needed (pip install proxy.py; SCIMCHECK_PROXY_PY=path)"
        );
        eprintln!("SKIPPED: no proxy.py (pip install proxy.py, or set SCIMCHECK_PROXY_PY)");
    }
    found
}

/// A proxy.py on a free port logging to `log`, in a process group of its own; the group is
/// killed when dropped (proxy.py forks its acceptor: killing the parent alone left it running).
struct RealProxy {
    child: std::process::Child,
    port: u16,
}

impl Drop for RealProxy {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let killed = std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .status()
            .is_ok_and(|s| s.success());
        if !killed {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

async fn real_proxy(command: &str, log: &Path, basic_auth: Option<&str>) -> RealProxy {
    use std::os::unix::process::CommandExt;
    let port = crate::support::free_port();
    let mut cmd = std::process::Command::new(command);
    cmd.args([
        "--hostname",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--num-workers",
        "1",
    ]);
    cmd.args(["--num-acceptors", "1", "--log-file"]).arg(log);
    if let Some(auth) = basic_auth {
        cmd.args(["--basic-auth", auth]);
    }
    let child = cmd
        .process_group(0)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("proxy.py starts");
    crate::support::wait_for_port(port).await;
    RealProxy { child, port }
}

#[tokio::test]
async fn requests_go_through_the_proxy_the_environment_or_the_flag_names() {
    let Some(command) = proxy_py() else { return };
    let dir = tempfile::tempdir().unwrap();
    let app = server(&[], 3).await;
    let app_port = backend_of(app.base_url()).port();
    let pki = Pki::new();
    std::fs::write(dir.path().join("ca.pem"), pki.ca_pem()).unwrap();
    let (tls_port, front) = tls_front(
        pki.leaf(&["127.0.0.1"], false, false),
        backend_of(app.base_url()),
    )
    .await;

    // HTTP_PROXY, as curl reads it: the proxy logs the app's requests.
    let log = dir.path().join("proxy-env.log");
    let proxy = real_proxy(&command, &log, None).await;
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let out = run_spec(
        app.base_url(),
        &[],
        &[("HTTP_PROXY", &proxy_url)],
        dir.path(),
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("proxy: {proxy_url} (from HTTP_PROXY)")),
        "{stderr}"
    );
    drop(proxy);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains(&format!("127.0.0.1:{app_port}")),
        "{logged}"
    );

    // NO_PROXY for the app's host: straight there, nothing through the proxy.
    let log = dir.path().join("proxy-bypass.log");
    let proxy = real_proxy(&command, &log, None).await;
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let out = run_spec(
        app.base_url(),
        &[],
        &[("HTTP_PROXY", &proxy_url), ("NO_PROXY", "127.0.0.1")],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    drop(proxy);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !logged.contains(&format!("127.0.0.1:{app_port}")),
        "{logged}"
    );

    // --proxy with credentials to an https app: a CONNECT through the proxy, and the proxy's
    // password in no output.
    let password = "proxy-pw-9f8e7d6c";
    let log = dir.path().join("proxy-flag.log");
    let proxy = real_proxy(&command, &log, Some(&format!("alice:{password}"))).await;
    let proxy_url = format!("http://alice:{password}@127.0.0.1:{}", proxy.port);
    let base = format!("https://127.0.0.1:{tls_port}/scim/v2");
    let out = run_spec(
        &base,
        &["--proxy", &proxy_url, "--cacert", "ca.pem"],
        &[],
        dir.path(),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    drop(proxy);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains("CONNECT") && logged.contains(&format!("127.0.0.1:{tls_port}")),
        "{logged}"
    );
    for file in ["results.json", "junit.xml", "report.html"] {
        let text = std::fs::read_to_string(dir.path().join("out").join(file)).unwrap();
        assert!(!text.contains(password), "{file} holds the proxy password");
    }
    assert!(!stdout.contains(password) && !stderr.contains(password));
    front.abort();
    app.stop().await;
}
