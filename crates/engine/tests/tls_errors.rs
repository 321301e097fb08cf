//! TLS and certificate failures said in words: what is wrong with which certificate (the
//! server's, `--ca`, `--cert`, `--key`) and what to do — never a rustls or webpki type name
//! such as `Other(OtherError(UnsupportedCertVersion))` or `CaUsedAsEndEntity`.
//!
//! Certificates are made with rcgen in each test. Servers: a rustls server in the test
//! (it serves any certificate, even one rustls itself would not load) on 127.0.0.1, and the
//! echo server's TLS mode for mutual TLS.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use wsdeck_echo::{EchoConfig, TlsConfig};
use wsdeck_engine::{Engine, EngineError, ErrorClass, KeyPassphrase, RequestSpec};

use common::{Events, is_message_in, open_err, open_ok, start_server_with, temp_file, temp_path};

// ---------------------------------------------------------------------------------------
// Certificates

fn dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "wsdeck tests");
    dn.push(DnType::CommonName, common_name);
    dn
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::default();
    params.distinguished_name = dn(name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    CertifiedIssuer::self_signed(params, key).unwrap_or_else(|e| panic!("{e}"))
}

/// Parameters of a server certificate for `names`, ready to be changed by a test.
fn leaf_params(names: &[&str]) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .unwrap_or_else(|e| panic!("{e}"));
    params.distinguished_name = dn(names.first().copied().unwrap_or("leaf"));
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params
}

/// A certificate and its key, as DER.
struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

fn issue(params: &CertificateParams, issuer: &CertifiedIssuer<'static, KeyPair>) -> Identity {
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let cert = params
        .signed_by(&key, issuer)
        .unwrap_or_else(|e| panic!("{e}"));
    Identity {
        chain: vec![cert.der().clone()],
        key: key.serialize_der(),
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn ca_file(ca: &CertifiedIssuer<'static, KeyPair>) -> PathBuf {
    temp_file("ca.pem", &ca.pem())
}

// ---------------------------------------------------------------------------------------
// A TLS server that serves any certificate

#[derive(Debug)]
struct Fixed(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Fixed {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// A TLS server on 127.0.0.1 presenting `identity` as is (no check that rustls would load
/// it); each connection is TLS-handshaken and then held briefly. Returns the port.
async fn tls_server(identity: Identity) -> (u16, tokio::task::JoinHandle<()>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = provider
        .key_provider
        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key)))
        .unwrap_or_else(|e| panic!("{e}"));
    let certified = Arc::new(rustls::sign::CertifiedKey::new(identity.chain, key));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("{e}"))
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Fixed(certified)));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(stream) = acceptor.accept(socket).await {
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    drop(stream);
                }
            });
        }
    });
    (port, server)
}

/// Connects to `wss://localhost:port/` trusting `ca` (when given) and returns the error.
async fn handshake_error(port: u16, ca: Option<PathBuf>) -> EngineError {
    let engine = Engine::new();
    let mut spec = RequestSpec::new(format!("wss://localhost:{port}/"));
    spec.settings.tls.ca_file = ca;
    let (_session, err) = open_err(&engine, spec).await;
    err
}

/// The text has no Rust type or debug names: no `Other(`, no `Some(`, no CamelCase words.
fn assert_words(text: &str) {
    for debug in [
        "Some(",
        "Other(",
        "OtherError",
        "Context {",
        "{ ",
        "::",
        "[\"",
    ] {
        assert!(
            !text.contains(debug),
            "Rust debug text {debug:?} in: {text}"
        );
    }
    // Proper names that are CamelCase in plain English.
    let names = ["OpenSSL", "WebSocket"];
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !names.contains(w))
    {
        let humps = word
            .char_indices()
            .filter(|(i, c)| *i > 0 && c.is_ascii_uppercase())
            .count();
        let lower = word.chars().any(|c| c.is_ascii_lowercase());
        assert!(
            !(humps > 0 && lower && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())),
            "a CamelCase name {word:?} in: {text}"
        );
    }
}

fn assert_tls_error(err: &EngineError) -> String {
    assert!(matches!(err, EngineError::Tls { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Tls);
    let text = err.to_string();
    assert_words(&text);
    text
}

// ---------------------------------------------------------------------------------------
// The server's certificate

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_certificate_served_as_the_server_certificate_is_explained() {
    // The classic mistake: one self-made CA certificate used both as the server's and as --ca.
    let ca = ca("localhost");
    let identity = Identity {
        chain: vec![ca.der().clone()],
        key: ca.key().serialize_der(),
    };
    let (port, server) = tls_server(identity).await;
    let err = handshake_error(port, Some(ca_file(&ca))).await;
    server.abort();
    let text = assert_tls_error(&err);
    assert!(text.contains("is a CA certificate"), "{text}");
    assert!(text.contains("signed by the CA"), "{text}");
}

/// A wss:// server that completes TLS and then closes without answering the upgrade: said
/// as a server that closed before answering, not hyper's bare "connection error".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_server_that_closes_before_answering_says_so() {
    // A self-signed server certificate given as its own --ca (webpki trusts it as an anchor).
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let cert = leaf_params(&["localhost"])
        .self_signed(&key)
        .unwrap_or_else(|e| panic!("{e}"));
    let identity = Identity {
        chain: vec![cert.der().clone()],
        key: key.serialize_der(),
    };
    let (port, server) = tls_server(identity).await;
    let err = handshake_error(port, Some(temp_file("leaf.pem", &cert.pem()))).await;
    server.abort();
    assert_eq!(err.class(), ErrorClass::Connect, "{err:?}");
    let text = err.to_string();
    assert_words(&text);
    assert!(
        text.contains("closed the connection before answering the upgrade request"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_x509_version_1_server_certificate_is_explained() {
    let ca = ca("test CA");
    let mut identity = issue(&leaf_params(&["localhost"]), &ca);
    // Version 3 is the explicit [0] INTEGER 2 (A0 03 02 01 02): make it 0, i.e. version 1,
    // which webpki reports as UnsupportedCertVersion.
    let mut der = identity.chain[0].to_vec();
    let at = der
        .windows(5)
        .position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x02])
        .unwrap_or_else(|| panic!("version field not found"));
    der[at + 4] = 0x00;
    identity.chain = vec![CertificateDer::from(der)];
    let (port, server) = tls_server(identity).await;
    let err = handshake_error(port, Some(ca_file(&ca))).await;
    server.abort();
    let text = assert_tls_error(&err);
    assert!(text.contains("not an X.509 version 3"), "{text}");
    assert!(text.contains("reissue"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_server_certificate_says_when_it_expired() {
    let ca = ca("test CA");
    let mut params = leaf_params(&["localhost"]);
    params.not_before = rcgen::date_time_ymd(2019, 1, 1);
    params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    let (port, server) = tls_server(issue(&params, &ca)).await;
    let err = handshake_error(port, Some(ca_file(&ca))).await;
    server.abort();
    let text = assert_tls_error(&err);
    assert!(
        text.contains("the server's certificate expired on 2020-01-01"),
        "{text}"
    );
    assert!(text.contains("days ago"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_certificate_not_valid_yet_says_from_when() {
    let ca = ca("test CA");
    let mut params = leaf_params(&["localhost"]);
    params.not_before = rcgen::date_time_ymd(2090, 6, 1);
    params.not_after = rcgen::date_time_ymd(2091, 1, 1);
    let (port, server) = tls_server(issue(&params, &ca)).await;
    let err = handshake_error(port, Some(ca_file(&ca))).await;
    server.abort();
    let text = assert_tls_error(&err);
    assert!(text.contains("is not valid until 2090-06-01"), "{text}");
    assert!(text.contains("clock"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_names_both() {
    let ca = ca("test CA");
    let (port, server) = tls_server(issue(&leaf_params(&["other.test"]), &ca)).await;
    let err = handshake_error(port, Some(ca_file(&ca))).await;
    server.abort();
    let text = assert_tls_error(&err);
    assert!(
        text.contains("is not valid for \"localhost\": it is for other.test"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_only_certificate_on_a_server_is_explained() {
    let ca = ca("test CA");
    let mut params = leaf_params(&["localhost"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let (port, server) = tls_server(issue(&params, &ca)).await;
    let err = handshake_error(port, Some(ca_file(&ca))).await;
    server.abort();
    let text = assert_tls_error(&err);
    assert!(text.contains("not meant for TLS servers"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_signed_by_an_impostor_of_the_trusted_ca_is_a_bad_signature() {
    // Two CAs with the same name: the leaf names the trusted one as issuer, but the other
    // signed it.
    let trusted = ca("same name CA");
    let impostor = ca("same name CA");
    let (port, server) = tls_server(issue(&leaf_params(&["localhost"]), &impostor)).await;
    let err = handshake_error(port, Some(ca_file(&trusted))).await;
    server.abort();
    let text = assert_tls_error(&err);
    assert!(text.contains("signature"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_issuer_hint_depends_on_whether_a_ca_was_given() {
    let ca_that_signed = ca("real CA");
    let other = ca("other CA");
    let (port, server) = tls_server(issue(&leaf_params(&["localhost"]), &ca_that_signed)).await;
    let without = handshake_error(port, None).await;
    let with_other = handshake_error(port, Some(ca_file(&other))).await;
    server.abort();
    let text = assert_tls_error(&without);
    assert!(text.contains("pass --ca FILE"), "{text}");
    let text = assert_tls_error(&with_other);
    assert!(text.contains("--ca did not issue it either"), "{text}");
}

// ---------------------------------------------------------------------------------------
// The user's files: --ca, --cert, --key

fn open_refused(spec: RequestSpec) -> String {
    let engine = Engine::new();
    let err = engine
        .open(spec)
        .expect_err("bad TLS files are refused before connecting");
    assert!(matches!(err, EngineError::TlsConfig(_)), "{err:?}");
    assert_eq!(err.class(), ErrorClass::InvalidRequest);
    let text = err.to_string();
    assert_words(&text);
    text
}

fn wss_spec() -> RequestSpec {
    RequestSpec::new("wss://localhost:1/")
}

#[test]
fn a_ca_file_without_a_certificate_says_what_it_holds() {
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut spec = wss_spec();
    spec.settings.tls.ca_file = Some(temp_file("key-as-ca.pem", &key.serialize_pem()));
    let text = open_refused(spec);
    assert!(text.contains("the CA file (--ca)"), "{text}");
    assert!(text.contains("holds no certificate"), "{text}");
    assert!(text.contains("PRIVATE KEY"), "{text}");

    let mut spec = wss_spec();
    spec.settings.tls.ca_file = Some(temp_file("empty.pem", ""));
    let text = open_refused(spec);
    assert!(text.contains("empty"), "{text}");

    let der = ca("der CA").der().to_vec();
    let path = temp_path("ca.der");
    std::fs::write(&path, der).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = wss_spec();
    spec.settings.tls.ca_file = Some(path);
    let text = open_refused(spec);
    assert!(
        text.contains("DER") && text.contains("openssl x509 -inform der"),
        "{text}"
    );
}

#[test]
fn a_broken_pem_ca_file_is_explained_without_byte_lists() {
    let whole = ca("cut CA").pem();
    let cut = &whole[..whole.len() / 2];
    let mut spec = wss_spec();
    spec.settings.tls.ca_file = Some(temp_file("cut.pem", cut));
    let text = open_refused(spec);
    assert!(text.contains("-----END CERTIFICATE-----"), "{text}");
    assert!(text.contains("cut short"), "{text}");

    // Valid PEM around bytes that are not a certificate.
    let mut spec = wss_spec();
    spec.settings.tls.ca_file = Some(temp_file(
        "garbage.pem",
        &pem("CERTIFICATE", b"not a certificate at all"),
    ));
    let text = open_refused(spec);
    assert!(text.contains("cannot be trusted as a CA"), "{text}");
    assert!(
        text.contains("not a well-formed X.509 certificate"),
        "{text}"
    );
}

#[test]
fn missing_files_are_named_with_their_flag() {
    let mut spec = wss_spec();
    let missing = temp_path("missing-cert.pem");
    spec.settings.tls.client_cert = Some(missing.clone());
    spec.settings.tls.client_key = Some(temp_path("missing-key.pem"));
    let text = open_refused(spec);
    assert!(text.contains("the client certificate (--cert)"), "{text}");
    assert!(text.contains(&missing.display().to_string()), "{text}");
    assert!(text.contains("no such file"), "{text}");
}

#[test]
fn a_key_file_holding_a_certificate_suggests_the_swap() {
    let ca = ca("test CA");
    let client = issue(&leaf_params(&["client"]), &ca);
    let cert_pem = pem("CERTIFICATE", &client.chain[0]);
    let mut spec = wss_spec();
    spec.settings.tls.client_cert = Some(temp_file("client.pem", &cert_pem));
    spec.settings.tls.client_key = Some(temp_file("client-as-key.pem", &cert_pem));
    let text = open_refused(spec);
    assert!(text.contains("the client key (--key)"), "{text}");
    assert!(text.contains("holds no private key"), "{text}");
    assert!(text.contains("swapped"), "{text}");
}

#[test]
fn a_client_certificate_that_is_not_x509_is_explained() {
    let key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut spec = wss_spec();
    spec.settings.tls.client_cert = Some(temp_file(
        "garbage-client.pem",
        &pem("CERTIFICATE", b"\x30\x03\x02\x01\x00 not x509"),
    ));
    spec.settings.tls.client_key = Some(temp_file("client.key", &key.serialize_pem()));
    let text = open_refused(spec);
    assert!(text.contains("the client certificate (--cert)"), "{text}");
    assert!(
        text.contains("its first certificate is not a well-formed X.509 certificate"),
        "{text}"
    );
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_explained() {
    let ca = ca("test CA");
    let client = issue(&leaf_params(&["client"]), &ca);
    let other = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut spec = wss_spec();
    spec.settings.tls.client_cert = Some(temp_file(
        "client.pem",
        &pem("CERTIFICATE", &client.chain[0]),
    ));
    spec.settings.tls.client_key = Some(temp_file("other.key", &other.serialize_pem()));
    let text = open_refused(spec);
    assert!(
        text.contains("does not belong to the client certificate (--cert)"),
        "{text}"
    );
}

#[test]
fn an_unsupported_key_type_is_named() {
    // An Ed25519 PKCS#8 key relabelled as Ed448 (OID 1.3.101.113), which ring cannot sign with.
    let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap_or_else(|e| panic!("{e}"));
    let mut der = key.serialize_der();
    let at = der
        .windows(5)
        .position(|w| w == [0x06, 0x03, 0x2b, 0x65, 0x70])
        .unwrap_or_else(|| panic!("Ed25519 OID not found"));
    der[at + 4] = 0x71;
    let ca = ca("test CA");
    let client = issue(&leaf_params(&["client"]), &ca);
    let mut spec = wss_spec();
    spec.settings.tls.client_cert = Some(temp_file(
        "client.pem",
        &pem("CERTIFICATE", &client.chain[0]),
    ));
    spec.settings.tls.client_key = Some(temp_file("ed448.key", &pem("PRIVATE KEY", &der)));
    let text = open_refused(spec);
    assert!(text.contains("the client key (--key)"), "{text}");
    assert!(text.contains("RSA, ECDSA P-256/P-384 or Ed25519"), "{text}");
}

// ---------------------------------------------------------------------------------------
// Encrypted client keys

const PASSPHRASE: &str = "correct horse battery staple";

/// `key` (PKCS#8 DER) encrypted with PBES2 (PBKDF2-SHA256, AES-256-CBC), as PEM.
fn encrypted_pem(key: &[u8], passphrase: &str) -> String {
    use pkcs8::der::Decode;
    let info = pkcs8::PrivateKeyInfoRef::from_der(key).unwrap_or_else(|e| panic!("{e}"));
    let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
        2048,
        b"0123456789abcdef",
        *b"fedcba9876543210",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let document = info
        .encrypt_with_params(params, passphrase)
        .unwrap_or_else(|e| panic!("{e}"));
    pem("ENCRYPTED PRIVATE KEY", document.as_bytes())
}

/// The echo server requiring client certificates from `client_ca`, and a spec trusting it
/// with the client certificate and encrypted key given.
async fn mtls_setup(passphrase: Option<&str>) -> (wsdeck_echo::EchoServer, RequestSpec, PathBuf) {
    let client_ca = ca("client CA");
    let dir = temp_path("mtls-encrypted");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let client_ca_path = dir.join("client-ca.pem");
    std::fs::write(&client_ca_path, client_ca.pem()).unwrap_or_else(|e| panic!("{e}"));
    let mut params = leaf_params(&["client"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = issue(&params, &client_ca);
    let cert_path = dir.join("client.pem");
    std::fs::write(&cert_path, pem("CERTIFICATE", &client.chain[0]))
        .unwrap_or_else(|e| panic!("{e}"));
    let key_path = dir.join("client.key");
    std::fs::write(&key_path, encrypted_pem(&client.key, PASSPHRASE))
        .unwrap_or_else(|e| panic!("{e}"));
    let server = start_server_with(EchoConfig {
        tls: Some(TlsConfig::self_signed()),
        client_ca: Some(client_ca_path),
        ..EchoConfig::default()
    })
    .await;
    let server_ca = temp_file("server-ca.pem", &server.ca_pem().unwrap_or_default());
    let mut spec = RequestSpec::new(server.url("/echo"));
    spec.settings.tls.ca_file = Some(server_ca);
    spec.settings.tls.client_cert = Some(cert_path);
    spec.settings.tls.client_key = Some(key_path);
    spec.settings.tls.key_passphrase = passphrase.map(KeyPassphrase::new);
    (server, spec, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_works_with_an_encrypted_key_and_its_passphrase() {
    let (server, spec, dir) = mtls_setup(Some(PASSPHRASE)).await;
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, spec).await;
    session
        .send(wsdeck_engine::Payload::text("with an encrypted key"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut events = Events::of(&session);
    events.expect("echo", is_message_in).await;
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_key_without_its_passphrase_names_the_flag() {
    let (_server, spec, dir) = mtls_setup(None).await;
    let text = open_refused(spec);
    assert!(text.contains("the client key (--key)"), "{text}");
    assert!(text.contains("encrypted"), "{text}");
    assert!(
        text.contains("--key-passphrase-file") && text.contains("WSDECK_KEY_PASSPHRASE"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_passphrase_is_said_and_never_shown() {
    let wrong = "tr0ub4dor&3-wrong";
    let (_server, spec, dir) = mtls_setup(Some(wrong)).await;
    let shown = format!("{spec:?}");
    assert!(
        !shown.contains(wrong),
        "the passphrase in Debug output: {shown}"
    );
    let engine = Engine::new();
    let err = engine
        .open(spec)
        .expect_err("a wrong passphrase is refused");
    let text = err.to_string();
    assert_words(&text);
    assert!(text.contains("wrong passphrase"), "{text}");
    assert!(text.contains("--key-passphrase-file"), "{text}");
    assert!(!text.contains(wrong), "{text}");
    assert!(!format!("{err:?}").contains(wrong), "{err:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_from_a_ca_the_server_does_not_trust_is_explained() {
    let (_server, mut spec, dir) = mtls_setup(Some(PASSPHRASE)).await;
    // Replace the client identity with one from another CA.
    let stranger = ca("stranger CA");
    let mut params = leaf_params(&["client"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = issue(&params, &stranger);
    spec.settings.tls.client_cert = Some(temp_file(
        "stranger.pem",
        &pem("CERTIFICATE", &client.chain[0]),
    ));
    spec.settings.tls.client_key =
        Some(temp_file("stranger.key", &pem("PRIVATE KEY", &client.key)));
    spec.settings.tls.key_passphrase = None;
    let engine = Engine::new();
    let (_session, err) = open_err(&engine, spec).await;
    // TLS 1.3 reports the refusal as an alert after the handshake (a reset can overtake it).
    assert!(
        matches!(err.class(), ErrorClass::Tls | ErrorClass::Connect),
        "{err:?}"
    );
    let text = err.to_string();
    assert_words(&text);
    assert!(text.contains("--cert"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------------
// Encrypted keys as OpenSSL writes them (fixtures/client-key, see its README)

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/client-key")
        .join(name)
}

fn fixture_passphrase() -> KeyPassphrase {
    let contents = std::fs::read(fixture("passphrase.txt")).unwrap_or_else(|e| panic!("{e}"));
    KeyPassphrase::from_file_contents(&contents)
}

/// A request with the fixture client certificate and `key`; its TLS setup is checked when
/// the session is opened, before any connection.
fn fixture_spec(key: &str, passphrase: Option<KeyPassphrase>) -> RequestSpec {
    let mut spec = wss_spec();
    spec.settings.tls.client_cert = Some(fixture("client.pem"));
    spec.settings.tls.client_key = Some(fixture(key));
    spec.settings.tls.key_passphrase = passphrase;
    spec
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_encrypted_pkcs8_keys_are_decrypted_and_match_their_certificate() {
    // A key that decrypts to anything but the certificate's key fails here with "does not
    // belong": acceptance means the decrypted key is the right one.
    for key in [
        "client.pbkdf2-sha256-aes256.key",
        "client.pbkdf2-sha1-aes128.key",
        "client.scrypt-aes256.key",
    ] {
        let engine = Engine::new();
        let opened = engine.open(fixture_spec(key, Some(fixture_passphrase())));
        assert!(opened.is_ok(), "{key}: {:?}", opened.err());
    }
}

#[test]
fn unsupported_encrypted_key_formats_say_how_to_convert_them() {
    let text = open_refused(fixture_spec(
        "client.legacy-encrypted.key",
        Some(fixture_passphrase()),
    ));
    assert!(text.contains("OpenSSL's old format"), "{text}");
    assert!(text.contains("openssl pkcs8 -topk8"), "{text}");
    let text = open_refused(fixture_spec(
        "client.pbes1-3des.key",
        Some(fixture_passphrase()),
    ));
    assert!(text.contains("a scheme wsdeck does not support"), "{text}");
    assert!(text.contains("openssl pkcs8 -topk8"), "{text}");
}

#[test]
fn the_wrong_passphrase_for_an_openssl_key_is_said() {
    let text = open_refused(fixture_spec(
        "client.pbkdf2-sha256-aes256.key",
        Some(KeyPassphrase::new("not it")),
    ));
    assert!(text.contains("wrong passphrase"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_with_an_openssl_encrypted_key_echoes() {
    let server = start_server_with(EchoConfig {
        tls: Some(TlsConfig::self_signed()),
        client_ca: Some(fixture("ca.pem")),
        ..EchoConfig::default()
    })
    .await;
    let mut spec = fixture_spec(
        "client.pbkdf2-sha256-aes256.key",
        Some(fixture_passphrase()),
    );
    spec.url = server.url("/echo");
    spec.settings.tls.ca_file = Some(temp_file(
        "server-ca.pem",
        &server.ca_pem().unwrap_or_default(),
    ));
    let engine = Engine::new();
    let (session, _) = open_ok(&engine, spec).await;
    session
        .send(wsdeck_engine::Payload::text("openssl key"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut events = Events::of(&session);
    events.expect("echo", is_message_in).await;
}
