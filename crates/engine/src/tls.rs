//! rustls client configuration from [`TlsSettings`]: system and built-in roots, an extra CA,
//! a client certificate, or (only when asked) no verification at all.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::EngineError;
use crate::spec::TlsSettings;

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
        .map_err(|e| EngineError::TlsConfig(e.to_string()))?;
    let builder = if settings.verify {
        let mut roots = base_roots().clone();
        if let Some(ca) = &settings.ca_file {
            let certs = read_certs(ca, "CA file")?;
            for cert in certs {
                roots.add(cert).map_err(|e| {
                    EngineError::TlsConfig(format!(
                        "CA file {}: certificate rejected: {e}",
                        ca.display()
                    ))
                })?;
            }
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
            let chain = read_certs(cert, "client certificate")?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                EngineError::TlsConfig(format!(
                    "client key {}: no usable PEM private key ({e})",
                    key.display()
                ))
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                EngineError::TlsConfig(format!("client certificate and key do not fit: {e}"))
            })?
        }
        (None, None) => builder.with_no_client_auth(),
        (Some(_), None) => {
            return Err(EngineError::TlsConfig(
                "a client certificate needs its private key too (--key)".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(EngineError::TlsConfig(
                "a client key needs its certificate too (--cert)".into(),
            ));
        }
    };
    // No ALPN: WebSocket over HTTP/1.1 does not negotiate one, and offering h2 breaks servers.
    config.alpn_protocols.clear();
    Ok(config)
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, EngineError> {
    let bytes = std::fs::read(path)
        .map_err(|e| EngineError::TlsConfig(format!("{what} {}: {e}", path.display())))?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            EngineError::TlsConfig(format!("{what} {}: invalid PEM: {e}", path.display()))
        })?;
    if certs.is_empty() {
        return Err(EngineError::TlsConfig(format!(
            "{what} {}: no PEM certificate found",
            path.display()
        )));
    }
    Ok(certs)
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

/// Turns a failed TLS handshake into words a person can act on.
pub(crate) fn describe_tls_error(err: &std::io::Error) -> (String, &'static str) {
    let rustls_err = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_err {
        Some(rustls::Error::InvalidCertificate(cert_err)) => {
            use rustls::CertificateError as C;
            let hint = match cert_err {
                C::UnknownIssuer | C::BadSignature => {
                    "; the certificate is self-signed or from an unknown CA: pass --ca FILE to trust its CA, or --insecure to skip verification"
                }
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "; the certificate is for another host name: connect with the name it was issued for, or --insecure"
                }
                C::Expired | C::ExpiredContext { .. } => {
                    "; the certificate has expired: renew it, or --insecure"
                }
                _ => "; pass --ca FILE to trust its CA, or --insecure to skip verification",
            };
            (format!("invalid server certificate: {cert_err:?}"), hint)
        }
        Some(rustls::Error::AlertReceived(alert)) => (
            format!("server sent TLS alert {alert:?}"),
            "; if the server requires a client certificate, pass --cert and --key",
        ),
        Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) => (
            "the server's answer is not TLS".to_owned(),
            "; it speaks plain HTTP or WebSocket on this port: use ws:// instead of wss://",
        ),
        Some(other) => (other.to_string(), ""),
        None if err.kind() == std::io::ErrorKind::UnexpectedEof => (
            "the server closed the connection during the TLS handshake".to_owned(),
            "; if it is a plain ws:// server, use ws:// instead of wss://",
        ),
        None => (err.to_string(), ""),
    }
}
