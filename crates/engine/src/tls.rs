//! rustls client configuration from [`TlsSettings`]: system and built-in roots, an extra CA,
//! a client certificate, or (only when asked) no verification at all.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::EngineError;
use crate::spec::TlsSettings;

mod files;
mod words;

use files::{TlsFile, file_error, read_certs, read_private_key};
pub(crate) use words::{TlsContext, describe_tls_error};
use words::{certificate_problem_words, describe_rustls_error};

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// System roots plus Mozilla's, loaded once per process (reading the system store costs
/// milliseconds, too much to repeat for every connection).
fn base_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for cert in rustls_native_certs::load_native_certs().certs {
            // A malformed system certificate is skipped, as browsers do.
            let _ = roots.add(cert);
        }
        roots
    })
}

/// The default configuration (verification on, no client certificate), shared.
fn default_config() -> Result<Arc<ClientConfig>, EngineError> {
    static DEFAULT: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    if let Some(config) = DEFAULT.get() {
        return Ok(config.clone());
    }
    let config = Arc::new(build(&TlsSettings::default())?);
    Ok(DEFAULT.get_or_init(|| config).clone())
}

/// Builds the rustls configuration for these settings. Errors name the file and the problem.
pub(crate) fn client_config(settings: &TlsSettings) -> Result<Arc<ClientConfig>, EngineError> {
    if *settings == TlsSettings::default() {
        default_config()
    } else {
        build(settings).map(Arc::new)
    }
}

fn build(settings: &TlsSettings) -> Result<ClientConfig, EngineError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| EngineError::TlsConfig(describe_rustls_error(&e, TlsContext::default()).0))?;
    let builder = if settings.verify {
        let mut roots = base_roots().clone();
        if let Some(ca) = &settings.ca_file {
            add_ca_file(&mut roots, ca)?;
        }
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(
                provider().signature_verification_algorithms,
            )))
    };
    let mut config = match (&settings.client_cert, &settings.client_key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(TlsFile::ClientCert, cert)?;
            let key_der = read_private_key(key, settings.key_passphrase.as_ref())?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| client_identity_error(&e, cert, key))?
        }
        (None, None) => builder.with_no_client_auth(),
        (Some(_), None) => {
            return Err(EngineError::TlsConfig(
                "a client certificate (--cert) needs its private key too: pass --key FILE".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(EngineError::TlsConfig(
                "a client key (--key) needs its certificate too: pass --cert FILE".into(),
            ));
        }
    };
    // No ALPN: WebSocket over HTTP/1.1 does not negotiate one, and offering h2 breaks servers.
    config.alpn_protocols.clear();
    Ok(config)
}

/// Adds every certificate of the `--ca` file as a trust anchor; one that cannot be a trust
/// anchor is named by its position and its problem.
fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<(), EngineError> {
    let certs = read_certs(TlsFile::Ca, path)?;
    let count = certs.len();
    for (index, cert) in certs.into_iter().enumerate() {
        roots.add(cert).map_err(|e| {
            let which = if count == 1 {
                "its certificate".to_owned()
            } else {
                format!("certificate {} of {count}", index + 1)
            };
            let problem = certificate_problem_words(&e)
                .unwrap_or_else(|| describe_rustls_error(&e, TlsContext::default()).0);
            file_error(
                TlsFile::Ca,
                path,
                format!("{which} cannot be trusted as a CA: it {problem}"),
            )
        })?;
    }
    Ok(())
}

/// Why `--cert` and `--key` cannot be used together, in words.
fn client_identity_error(e: &rustls::Error, cert: &Path, key: &Path) -> EngineError {
    match e {
        rustls::Error::InconsistentKeys(_) => EngineError::TlsConfig(format!(
            "the client key (--key) {} does not belong to the client certificate (--cert) {}: pass the private key that was made with this certificate",
            key.display(),
            cert.display()
        )),
        rustls::Error::General(_) => file_error(
            TlsFile::ClientKey,
            key,
            "it is a kind of key wsdeck cannot sign with: use an RSA, ECDSA P-256/P-384 or Ed25519 key",
        ),
        rustls::Error::NoCertificatesPresented => {
            file_error(TlsFile::ClientCert, cert, "it holds no certificate")
        }
        other if certificate_problem_words(other).is_some() => file_error(
            TlsFile::ClientCert,
            cert,
            format!(
                "its first certificate {}",
                certificate_problem_words(other).unwrap_or_default()
            ),
        ),
        other => EngineError::TlsConfig(format!(
            "the client certificate (--cert) {} and key (--key) {} cannot be used: {}",
            cert.display(),
            key.display(),
            describe_rustls_error(other, TlsContext::default()).0
        )),
    }
}

/// Accepts any certificate: the explicit `--insecure` switch. Signatures are still checked so
/// the handshake itself is sound; only the identity of the server is not.
#[derive(Debug)]
struct NoVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// The handshake's context for wording: which files the user gave.
pub(crate) fn context(settings: &TlsSettings) -> TlsContext {
    TlsContext {
        ca_given: settings.ca_file.is_some(),
        client_cert_given: settings.client_cert.is_some(),
    }
}
