//! `wss://` on 127.0.0.1: self-signed CA trusted by a rustls client, certificate files, and
//! mutual TLS with material from `generate_mtls_material`.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{WebSocketStream, client_async};
use wsdeck_echo::{EchoConfig, EchoError, EchoServer, TlsConfig, generate_mtls_material};

type Client = WebSocketStream<TlsStream<TcpStream>>;
type AnyError = Box<dyn std::error::Error + Send + Sync>;

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wsdeck-echo-tls-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A rustls client that trusts `ca_pem` and, when given, presents a client certificate.
fn client_config(ca_pem: &str, client: Option<(&str, &str)>) -> Arc<rustls::ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots
            .add(cert.expect("CA PEM"))
            .expect("CA accepted as root");
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots);
    let config = match client {
        None => builder.with_no_client_auth(),
        Some((cert_pem, key_pem)) => {
            let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .expect("client cert PEM");
            let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("client key PEM");
            builder
                .with_client_auth_cert(chain, key)
                .expect("client cert accepted")
        }
    };
    Arc::new(config)
}

async fn try_connect(
    server: &EchoServer,
    server_name: &str,
    path: &str,
    config: Arc<rustls::ClientConfig>,
) -> Result<Client, AnyError> {
    let tcp = TcpStream::connect(server.local_addr()).await?;
    let name = ServerName::try_from(server_name.to_owned())?;
    let tls = TlsConnector::from(config).connect(name, tcp).await?;
    let (ws, _) = client_async(server.url(path), tls).await?;
    Ok(ws)
}

async fn assert_echoes(ws: &mut Client, text: &str) {
    ws.send(Message::text(text)).await.expect("send");
    let got = within("echo", ws.next())
        .await
        .expect("open")
        .expect("message");
    assert_eq!(got, Message::text(text));
}

async fn start_tls(tls: TlsConfig, client_ca: Option<PathBuf>) -> EchoServer {
    EchoServer::start(EchoConfig {
        tls: Some(tls),
        client_ca,
        ..EchoConfig::default()
    })
    .await
    .expect("TLS echo server starts")
}

#[tokio::test]
async fn self_signed_server_is_trusted_through_its_ca_pem() {
    let server = start_tls(TlsConfig::self_signed(), None).await;
    let port = server.local_addr().port();
    assert_eq!(server.url("/echo"), format!("wss://localhost:{port}/echo"));
    let ca = server.ca_pem().expect("self-signed mode exposes its CA");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));

    let mut ws = within(
        "wss localhost",
        try_connect(&server, "localhost", "/echo", client_config(&ca, None)),
    )
    .await
    .expect("TLS + WebSocket handshake with the CA trusted");
    assert_echoes(&mut ws, "over tls").await;

    // The certificate also covers the IP address.
    let mut ws = within(
        "wss 127.0.0.1",
        try_connect(
            &server,
            "127.0.0.1",
            "/burst?count=2&size=3",
            client_config(&ca, None),
        ),
    )
    .await
    .expect("handshake by IP");
    for _ in 0..2 {
        let got = within("burst", ws.next())
            .await
            .expect("open")
            .expect("msg");
        assert_eq!(got, Message::text("xxx"));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn self_signed_server_is_rejected_by_a_client_trusting_another_ca() {
    let server = start_tls(TlsConfig::self_signed(), None).await;
    let other_ca = generate_mtls_material("unrelated")
        .expect("material")
        .ca_cert_pem;
    let result = within(
        "untrusted",
        try_connect(
            &server,
            "localhost",
            "/echo",
            client_config(&other_ca, None),
        ),
    )
    .await;
    let err = result.expect_err("an untrusted server certificate must fail");
    assert!(
        format!("{err}").contains("UnknownIssuer") || format!("{err:?}").contains("UnknownIssuer"),
        "{err:?}"
    );

    // A name the certificate does not cover is rejected too.
    let ca = server.ca_pem().expect("ca");
    let wrong_name = within(
        "wrong name",
        try_connect(&server, "example.test", "/echo", client_config(&ca, None)),
    )
    .await;
    assert!(wrong_name.is_err());
    assert_eq!(server.stats().upgrades, 0);
    server.shutdown().await;
}

#[tokio::test]
async fn mtls_rejects_clients_without_a_trusted_certificate_and_accepts_the_generated_one() {
    let dir = TempDir::new();
    let material = generate_mtls_material("wsdeck-test-client").expect("mTLS material");
    let files = material.write_to_dir(&dir.0).expect("write material");
    let server = start_tls(TlsConfig::self_signed(), Some(files.ca_cert.clone())).await;
    let ca = server.ca_pem().expect("server CA");

    // No client certificate: the server refuses during TLS (with TLS 1.3 the client may only
    // notice on its first read, i.e. during the WebSocket handshake). Either way: no upgrade.
    let without = within(
        "no client cert",
        try_connect(&server, "localhost", "/echo", client_config(&ca, None)),
    )
    .await;
    let err = without.expect_err("a client without a certificate must fail");
    assert!(
        format!("{err:?}").contains("CertificateRequired"),
        "refused by the TLS layer: {err:?}"
    );

    // A certificate from another CA is refused as well.
    let stranger = generate_mtls_material("stranger").expect("material");
    let other = within(
        "foreign client cert",
        try_connect(
            &server,
            "localhost",
            "/echo",
            client_config(
                &ca,
                Some((&stranger.client_cert_pem, &stranger.client_key_pem)),
            ),
        ),
    )
    .await;
    let err = other.expect_err("a certificate from another CA must fail");
    assert!(
        format!("{err:?}").contains("AlertReceived"),
        "refused by the TLS layer: {err:?}"
    );
    assert_eq!(server.stats().upgrades, 0);

    // The generated certificate, read back from the written files, is accepted.
    let cert = std::fs::read_to_string(&files.client_cert).expect("client.pem");
    let key = std::fs::read_to_string(&files.client_key).expect("client.key");
    let mut ws = within(
        "mtls",
        try_connect(
            &server,
            "localhost",
            "/echo",
            client_config(&ca, Some((&cert, &key))),
        ),
    )
    .await
    .expect("mTLS handshake with the generated client certificate");
    assert_echoes(&mut ws, "mutual").await;
    assert_eq!(server.stats().upgrades, 1);
    server.shutdown().await;
}

#[cfg(unix)]
#[test]
fn written_client_key_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new();
    let files = generate_mtls_material("perm")
        .expect("material")
        .write_to_dir(&dir.0)
        .expect("write");
    let mode = std::fs::metadata(&files.client_key)
        .expect("key metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "client.key must not be readable by others");
    assert!(files.ca_cert.exists() && files.client_cert.exists());
}

#[tokio::test]
async fn certificate_files_are_served() {
    let dir = TempDir::new();
    // A CA and a server certificate made with rcgen, as a user's own files would be.
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::default();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "files test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca");
    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .signed_by(&leaf_key, &ca)
        .expect("leaf");
    let cert_path = dir.0.join("server.pem");
    let key_path = dir.0.join("server.key");
    std::fs::write(&cert_path, leaf.pem()).expect("write cert");
    std::fs::write(&key_path, leaf_key.serialize_pem()).expect("write key");

    let server = start_tls(
        TlsConfig::Files {
            cert: cert_path.clone(),
            key: key_path.clone(),
        },
        None,
    )
    .await;
    assert_eq!(server.ca_pem(), None);
    assert!(server.url("/").starts_with("wss://localhost:"));
    let mut ws = within(
        "files",
        try_connect(
            &server,
            "localhost",
            "/echo",
            client_config(&ca.pem(), None),
        ),
    )
    .await
    .expect("handshake against the file certificate");
    assert_echoes(&mut ws, "files").await;
    server.shutdown().await;

    // Missing and malformed files are reported with the path.
    let missing = EchoServer::start(EchoConfig {
        tls: Some(TlsConfig::Files {
            cert: dir.0.join("nope.pem"),
            key: key_path.clone(),
        }),
        ..EchoConfig::default()
    })
    .await;
    assert!(
        matches!(&missing, Err(EchoError::ReadFile { path, .. }) if path.ends_with("nope.pem")),
        "{missing:?}"
    );
    let garbage = dir.0.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").expect("write garbage");
    let bad = EchoServer::start(EchoConfig {
        tls: Some(TlsConfig::Files {
            cert: garbage,
            key: key_path,
        }),
        ..EchoConfig::default()
    })
    .await;
    assert!(matches!(bad, Err(EchoError::Pem { .. })), "{bad:?}");
    let no_key = EchoServer::start(EchoConfig {
        tls: Some(TlsConfig::Files {
            cert: cert_path.clone(),
            key: cert_path,
        }),
        ..EchoConfig::default()
    })
    .await;
    assert!(matches!(no_key, Err(EchoError::Pem { .. })), "{no_key:?}");
}
