//! JWT client assertions (RFC 7523 §2.2, OpenID's `private_key_jwt`): the client proves who it
//! is to a token endpoint with a short-lived JWT signed by its own private key, which the
//! authorization server checks against the public key registered for the client. IPSIE's SCIM
//! profile asks for exactly this. The key is the user's (a PEM file); it never leaves the
//! process, and each assertion is a secret the client learns (redacted from every record).

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use secrecy::SecretString;

/// How long an assertion is valid (RFC 7523 §3: `exp` MUST be present; a short life limits
/// replay).
const ASSERTION_LIFETIME_S: u64 = 60;

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A client's signing key: RSA (RS256) or EC P-256 (ES256), and its `kid` when the
/// authorization server knows the key by one.
pub struct JwtKey {
    signer: Signer,
    kid: Option<String>,
}

enum Signer {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JwtKey({}, kid {:?})", self.alg(), self.kid)
    }
}

impl JwtKey {
    /// A key from a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 RSA (`BEGIN RSA
    /// PRIVATE KEY`) or SEC1 EC (`BEGIN EC PRIVATE KEY`), of RSA (2048 bits or more) or
    /// P-256. The error says which of these the text is not.
    pub fn from_pem(pem: &[u8], kid: Option<String>) -> Result<JwtKey, String> {
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|_| {
            "no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY) in it".to_string()
        })?;
        let bytes = der.secret_der();
        let signer = match &der {
            PrivateKeyDer::Pkcs1(_) => RsaKeyPair::from_der(bytes).map(Signer::Rsa).ok(),
            PrivateKeyDer::Sec1(_) => {
                EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, bytes)
                    .map(Signer::Ec)
                    .ok()
            }
            PrivateKeyDer::Pkcs8(_) => {
                RsaKeyPair::from_pkcs8(bytes)
                    .map(Signer::Rsa)
                    .ok()
                    .or_else(|| {
                        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, bytes)
                            .map(Signer::Ec)
                            .ok()
                    })
            }
            _ => None,
        }
        .ok_or_else(|| {
            "the private key is neither RSA (2048 bits or more, for RS256) nor EC P-256 (for ES256)"
                .to_string()
        })?;
        Ok(JwtKey { signer, kid })
    }

    /// A new P-256 key that no authorization server knows: what a stranger signs with.
    pub fn stranger() -> JwtKey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("a P-256 key can be generated");
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
            .expect("a key just generated reads back");
        JwtKey {
            signer: Signer::Ec(pair),
            kid: None,
        }
    }

    /// The JWS algorithm of its signatures.
    pub fn alg(&self) -> &'static str {
        match self.signer {
            Signer::Rsa(_) => "RS256",
            Signer::Ec(_) => "ES256",
        }
    }

    /// The public key, as the authorization server registers it: RSAPublicKey DER (RSA) or
    /// the uncompressed point (EC).
    pub fn public_key(&self) -> Vec<u8> {
        match &self.signer {
            Signer::Rsa(k) => k.public_key().as_ref().to_vec(),
            Signer::Ec(k) => k.public_key().as_ref().to_vec(),
        }
    }

    /// A client assertion for `client_id` at the token endpoint `audience` (RFC 7523 §3: `iss`
    /// and `sub` the client id, `aud` the endpoint, `exp`, `iat` and a unique `jti`).
    pub fn assertion(&self, client_id: &str, audience: &str) -> Result<SecretString, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut header = serde_json::json!({"alg": self.alg(), "typ": "JWT"});
        if let Some(kid) = &self.kid {
            header["kid"] = kid.clone().into();
        }
        let claims = serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_S,
            "jti": uuid::Uuid::new_v4().simple().to_string(),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let signature = match &self.signer {
            Signer::Rsa(k) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, signing_input.as_bytes(), &mut sig)
                    .map(|()| sig)
            }
            Signer::Ec(k) => k
                .sign(&rng, signing_input.as_bytes())
                .map(|s| s.as_ref().to_vec()),
        }
        .map_err(|_| "the key could not sign the assertion".to_string())?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
    use secrecy::ExposeSecret;

    #[test]
    fn an_assertion_carries_the_claims_and_verifies_with_the_public_key() {
        let key = JwtKey::stranger();
        let jwt = key
            .assertion("client-1", "https://as.example/token")
            .unwrap();
        let parts: Vec<&str> = jwt.expose_secret().split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["aud"], "https://as.example/token");
        assert!(claims["exp"].as_u64() > claims["iat"].as_u64());
        let signed = format!("{}.{}", parts[0], parts[1]);
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key())
            .verify(signed.as_bytes(), &signature)
            .expect("the signature verifies");
    }

    #[test]
    fn text_that_is_no_usable_key_says_what_it_needs() {
        let err = JwtKey::from_pem(b"not a key", None).unwrap_err();
        assert!(err.contains("no PEM private key"), "{err}");
    }
}
