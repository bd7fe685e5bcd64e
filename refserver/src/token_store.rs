//! What the app's own authorization server knows: the clients registered for JWT client
//! authentication (RFC 7523) with their public keys, and the tokens it issued (which the SCIM
//! API accepts). The endpoints that use it are `token`.

use std::collections::HashSet;
use std::sync::Mutex;

/// A client registered for JWT client authentication.
#[derive(Debug, Clone)]
pub struct JwtClient {
    /// Its client id (the assertion's `iss` and `sub`).
    pub id: String,
    /// Its public key: SubjectPublicKeyInfo DER, RSAPublicKey DER or an uncompressed P-256
    /// point.
    pub public_key: Vec<u8>,
}

impl JwtClient {
    /// A client with its public key from a PEM file's text (`BEGIN PUBLIC KEY`).
    pub fn from_pem(id: &str, pem: &[u8]) -> Result<JwtClient, String> {
        use rustls_pki_types::pem::PemObject;
        let der = rustls_pki_types::SubjectPublicKeyInfoDer::from_pem_slice(pem)
            .map_err(|_| "no PEM public key (BEGIN PUBLIC KEY) in it".to_string())?;
        Ok(JwtClient {
            id: id.to_string(),
            public_key: der.as_ref().to_vec(),
        })
    }
}

/// The registered clients and the tokens issued.
#[derive(Debug, Default)]
pub(crate) struct TokenServer {
    pub(crate) clients: Vec<JwtClient>,
    issued: Mutex<HashSet<String>>,
}

impl TokenServer {
    pub(crate) fn new(clients: Vec<JwtClient>) -> Self {
        TokenServer {
            clients,
            issued: Mutex::new(HashSet::new()),
        }
    }

    /// Keeps a token it issued.
    pub(crate) fn issue(&self, token: String) {
        self.issued.lock().expect("tokens lock").insert(token);
    }

    /// Whether this server issued the bearer token.
    pub(crate) fn issued(&self, token: &str) -> bool {
        self.issued.lock().expect("tokens lock").contains(token)
    }
}
