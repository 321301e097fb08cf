//! TLS for the echo server: self-signed CA + leaf generation, PEM loading, mTLS material.
//!
//! Everything uses rustls with the `ring` provider, explicitly, so the crate never depends on
//! a process-wide default provider being installed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

use crate::EchoError;

/// Where the server's TLS certificate comes from.
///
/// Exists so the same server can run as `wss://` either with zero setup (a throwaway CA made
/// at start, whose PEM [`crate::EchoServer::ca_pem`] hands to the client) or with the user's
/// own certificate files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsConfig {
    /// Generate a fresh CA and a server certificate signed by it, valid for `hostnames`
    /// (DNS names or IP addresses). The CA is a proper trust anchor, unlike a self-signed
    /// end-entity certificate, which webpki-based clients reject as a root.
    SelfSigned {
        /// Names the server certificate is valid for; default `["localhost", "127.0.0.1"]`.
        hostnames: Vec<String>,
    },
    /// Load the certificate chain (leaf first) and the private key from PEM files.
    Files {
        /// PEM file with the certificate chain, leaf first.
        cert: PathBuf,
        /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
}

impl TlsConfig {
    /// `SelfSigned` for `localhost` and `127.0.0.1`, the usual choice for loopback tests.
    pub fn self_signed() -> Self {
        Self::SelfSigned {
            hostnames: vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
        }
    }
}

impl Default for TlsConfig {
    /// Same as [`TlsConfig::self_signed`].
    fn default() -> Self {
        Self::self_signed()
    }
}

/// A CA and a client certificate signed by it, for mutual-TLS tests and demos.
///
/// Exists because setting up mTLS by hand (openssl incantations, extended key usages) is the
/// usual reason nobody tests it: give the CA PEM to the server as its client CA
/// ([`crate::EchoConfig::client_ca`]) and the client certificate and key to the client.
/// `Debug` does not print the private key.
#[derive(Clone, PartialEq, Eq)]
pub struct MtlsMaterial {
    /// PEM of the CA certificate that signed the client certificate.
    pub ca_cert_pem: String,
    /// PEM of the client certificate (extended key usage: client authentication).
    pub client_cert_pem: String,
    /// PEM of the client's private key (PKCS#8).
    pub client_key_pem: String,
}

impl fmt::Debug for MtlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MtlsMaterial")
            .field("ca_cert_pem", &self.ca_cert_pem)
            .field("client_cert_pem", &self.client_cert_pem)
            .field("client_key_pem", &"<redacted>")
            .finish()
    }
}

/// Paths of the files written by [`MtlsMaterial::write_to_dir`].
///
/// Exists so callers do not have to know the file names the helper picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MtlsFiles {
    /// `ca.pem`: give it to the server as its client CA.
    pub ca_cert: PathBuf,
    /// `client.pem`: the client certificate.
    pub client_cert: PathBuf,
    /// `client.key`: the client's private key (mode 0600 on Unix).
    pub client_key: PathBuf,
}

impl MtlsMaterial {
    /// Writes `ca.pem`, `client.pem` and `client.key` into `dir` (created if missing), so the
    /// material can be passed to tools that take file paths (`wsdeck --cert/--key/--ca`).
    pub fn write_to_dir(&self, dir: &Path) -> Result<MtlsFiles, EchoError> {
        std::fs::create_dir_all(dir).map_err(|source| EchoError::WriteFile {
            path: dir.to_path_buf(),
            source,
        })?;
        let files = MtlsFiles {
            ca_cert: dir.join("ca.pem"),
            client_cert: dir.join("client.pem"),
            client_key: dir.join("client.key"),
        };
        write_file(&files.ca_cert, &self.ca_cert_pem, false)?;
        write_file(&files.client_cert, &self.client_cert_pem, false)?;
        write_file(&files.client_key, &self.client_key_pem, true)?;
        Ok(files)
    }
}

fn write_file(path: &Path, contents: &str, private: bool) -> Result<(), EchoError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let err = |source| EchoError::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let mut file = options.open(path).map_err(err)?;
    file.write_all(contents.as_bytes()).map_err(err)
}

/// Generates a fresh CA and a client certificate for `client_name` signed by it.
///
/// `client_name` becomes the certificate's common name. Start the server with the CA as
/// client CA (write it with [`MtlsMaterial::write_to_dir`] and set
/// [`crate::EchoConfig::client_ca`]) and connections must present this client certificate.
pub fn generate_mtls_material(client_name: &str) -> Result<MtlsMaterial, EchoError> {
    let ca = generate_ca("wsdeck echo client CA")?;
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(client_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().map_err(gen_err("client key"))?;
    let cert = params
        .signed_by(&key, &ca)
        .map_err(gen_err("client certificate"))?;
    Ok(MtlsMaterial {
        ca_cert_pem: ca.pem(),
        client_cert_pem: cert.pem(),
        client_key_pem: key.serialize_pem(),
    })
}

/// The server side of TLS, ready to build an acceptor.
pub(crate) struct ServerTls {
    pub(crate) config: rustls::ServerConfig,
    /// PEM of the generated CA (self-signed mode only).
    pub(crate) ca_pem: Option<String>,
    /// Host name to put into `wss://` URLs.
    pub(crate) url_host: String,
}

/// Builds the rustls server configuration for `tls`, requiring client certificates signed by
/// `client_ca` when given.
pub(crate) fn server_tls(
    tls: &TlsConfig,
    client_ca: Option<&Path>,
) -> Result<ServerTls, EchoError> {
    let (chain, key, ca_pem, url_host) = match tls {
        TlsConfig::SelfSigned { hostnames } => {
            let (chain, key, ca_pem) = self_signed_chain(hostnames)?;
            (chain, key, Some(ca_pem), url_host_for(hostnames))
        }
        TlsConfig::Files { cert, key } => (
            load_certs(cert, "certificate")?,
            load_key(key)?,
            None,
            "localhost".to_owned(),
        ),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = RootCertStore::empty();
            for cert in load_certs(path, "client CA")? {
                roots.add(cert).map_err(|e| EchoError::ClientCa {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| EchoError::ClientCa {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(ServerTls {
        config,
        ca_pem,
        url_host,
    })
}

/// The host for `wss://` URLs: `localhost` when the certificate covers it, else the first name.
fn url_host_for(hostnames: &[String]) -> String {
    if hostnames.iter().any(|h| h == "localhost") {
        return "localhost".to_owned();
    }
    match hostnames.first() {
        Some(h) if h.parse::<std::net::Ipv6Addr>().is_ok() => format!("[{h}]"),
        Some(h) => h.clone(),
        None => "localhost".to_owned(),
    }
}

type Chain = Vec<CertificateDer<'static>>;

fn self_signed_chain(
    hostnames: &[String],
) -> Result<(Chain, PrivateKeyDer<'static>, String), EchoError> {
    let Some(first) = hostnames.first() else {
        return Err(EchoError::InvalidConfig(
            "TlsConfig::SelfSigned needs at least one hostname".to_owned(),
        ));
    };
    let ca = generate_ca("wsdeck echo CA")?;
    let mut params =
        CertificateParams::new(hostnames.to_vec()).map_err(gen_err("server certificate"))?;
    params.distinguished_name = distinguished_name(first);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().map_err(gen_err("server key"))?;
    let leaf = params
        .signed_by(&key, &ca)
        .map_err(gen_err("server certificate"))?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((
        vec![leaf.der().clone(), ca.der().clone()],
        key_der,
        ca.pem(),
    ))
}

fn generate_ca(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, EchoError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().map_err(gen_err("CA key"))?;
    CertifiedIssuer::self_signed(params, key).map_err(gen_err("CA certificate"))
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "wsdeck");
    dn.push(DnType::CommonName, common_name);
    dn
}

fn gen_err(what: &'static str) -> impl FnOnce(rcgen::Error) -> EchoError {
    move |source| EchoError::CertGeneration { what, source }
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, EchoError> {
    std::fs::read(path).map_err(|source| EchoError::ReadFile {
        what,
        path: path.to_path_buf(),
        source,
    })
}

fn load_certs(path: &Path, what: &'static str) -> Result<Chain, EchoError> {
    let pem = read(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| EchoError::Pem {
            what,
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(EchoError::Pem {
            what,
            path: path.to_path_buf(),
            reason: "no CERTIFICATE section found".to_owned(),
        });
    }
    Ok(certs)
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, EchoError> {
    let what = "private key";
    let pem = read(path, what)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| EchoError::Pem {
        what,
        path: path.to_path_buf(),
        reason: match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no PRIVATE KEY section found".to_owned()
            }
            other => other.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_material_builds_a_server_config() {
        let tls = server_tls(&TlsConfig::self_signed(), None).expect("server tls");
        let ca = tls.ca_pem.expect("self-signed mode has a CA");
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(tls.url_host, "localhost");
    }

    #[test]
    fn empty_hostnames_are_rejected() {
        let err = server_tls(&TlsConfig::SelfSigned { hostnames: vec![] }, None);
        assert!(matches!(err, Err(EchoError::InvalidConfig(_))));
    }

    #[test]
    fn url_host_prefers_localhost_then_first_name() {
        assert_eq!(
            url_host_for(&["127.0.0.1".into(), "localhost".into()]),
            "localhost"
        );
        assert_eq!(url_host_for(&["::1".into()]), "[::1]");
        assert_eq!(url_host_for(&["echo.test".into()]), "echo.test");
    }

    #[test]
    fn mtls_debug_hides_the_key() {
        let m = generate_mtls_material("tester").expect("material");
        assert!(m.client_key_pem.contains("PRIVATE KEY"));
        assert!(!format!("{m:?}").contains("PRIVATE KEY"));
    }
}
