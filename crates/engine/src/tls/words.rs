//! A failed TLS handshake in words: what is wrong (with the server's certificate, with ours,
//! or with the server's TLS) and what to do — never a rustls or webpki type name such as
//! `Other(OtherError(UnsupportedCertVersion))`.

use rustls::pki_types::UnixTime;
use rustls::{AlertDescription, CertificateError};

/// What the user configured, so that hints fit: "the CA given with --ca did not issue it
/// either" only when one was given.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TlsContext {
    /// `--ca` was given.
    pub ca_given: bool,
    /// `--cert`/`--key` were given.
    pub client_cert_given: bool,
}

/// The message and hint for a failed TLS handshake (`EngineError::Tls`).
pub(crate) fn describe_tls_error(err: &std::io::Error, ctx: TlsContext) -> (String, &'static str) {
    let rustls_err = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_err {
        Some(e) => describe_rustls_error(e, ctx),
        None => describe_io_error(err, ctx),
    }
}

fn describe_io_error(err: &std::io::Error, ctx: TlsContext) -> (String, &'static str) {
    use std::io::ErrorKind;
    let client_cert_hint = if ctx.client_cert_given {
        "; the server may have refused this client's certificate (--cert): check that its CA is the one the server trusts"
    } else {
        "; if the server requires a client certificate, pass --cert and --key; if it is a plain ws:// server, use ws:// instead of wss://"
    };
    match err.kind() {
        ErrorKind::UnexpectedEof => (
            "the server closed the connection during the TLS handshake".to_owned(),
            client_cert_hint,
        ),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => (
            "the server reset the connection during the TLS handshake".to_owned(),
            client_cert_hint,
        ),
        _ => (format!("the TLS connection failed: {err}"), ""),
    }
}

/// Every rustls error the client side can meet, worded.
pub(crate) fn describe_rustls_error(e: &rustls::Error, ctx: TlsContext) -> (String, &'static str) {
    use rustls::Error as E;
    match e {
        E::InvalidCertificate(cert_err) => {
            let (problem, hint) = certificate_problem(cert_err, ctx);
            (format!("the server's certificate {problem}"), hint)
        }
        E::AlertReceived(alert) => alert_words(*alert, ctx),
        E::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => (
            "the server's answer is not TLS".to_owned(),
            "; it speaks plain HTTP or WebSocket on this port: use ws:// instead of wss://",
        ),
        E::InvalidMessage(m) => (
            format!(
                "the server sent a malformed TLS message ({})",
                words_of_debug(m)
            ),
            NOT_TLS_HINT,
        ),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => (
            "the server sent a TLS message out of order".to_owned(),
            NOT_TLS_HINT,
        ),
        E::PeerMisbehaved(why) => (
            format!(
                "the server broke the TLS protocol ({})",
                words_of_debug(why)
            ),
            NOT_TLS_HINT,
        ),
        E::PeerIncompatible(why) => incompatible_words(why),
        E::NoCertificatesPresented => (
            "the server presented no certificate".to_owned(),
            "; a TLS server must present one: fix the server's TLS setup",
        ),
        E::UnsupportedNameType => (
            "the host name in the URL is of a type certificates cannot be checked against"
                .to_owned(),
            "; connect with a DNS name or an IP address",
        ),
        E::DecryptError | E::EncryptError => (
            "a TLS record could not be decrypted: the connection was corrupted or tampered with"
                .to_owned(),
            "; try again; if it persists, something between here and the server alters traffic",
        ),
        E::PeerSentOversizedRecord => (
            "the server sent a TLS record larger than TLS allows".to_owned(),
            NOT_TLS_HINT,
        ),
        E::InvalidCertRevocationList(_) => {
            ("a certificate revocation list is invalid".to_owned(), "")
        }
        E::FailedToGetCurrentTime => (
            "this computer's clock could not be read, so certificate dates cannot be checked"
                .to_owned(),
            "",
        ),
        E::FailedToGetRandomBytes => ("this computer's random number source failed".to_owned(), ""),
        E::NoApplicationProtocol => (
            "the server accepts none of the application protocols offered".to_owned(),
            "",
        ),
        E::InconsistentKeys(_) => (
            "the client key (--key) does not belong to the client certificate (--cert)".to_owned(),
            "; pass the private key that was made with this certificate",
        ),
        E::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(w) => {
                let (problem, hint) = webpki_problem(w, ctx);
                (format!("the server's certificate {problem}"), hint)
            }
            None => (format!("TLS failed: {}", plain(&other.0.to_string())), ""),
        },
        E::General(text) => (format!("TLS failed: {}", plain(text)), ""),
        other => (format!("TLS failed ({})", words_of_debug(other)), ""),
    }
}

/// What is wrong with a certificate ("is a CA certificate …", "expired on …"), without
/// saying whose: for the user's own files (--ca, --cert). `None` when the error is not about
/// a certificate.
pub(crate) fn certificate_problem_words(e: &rustls::Error) -> Option<String> {
    match e {
        rustls::Error::InvalidCertificate(cert_err) => {
            Some(certificate_problem(cert_err, TlsContext::default()).0)
        }
        rustls::Error::Other(other) => other
            .0
            .downcast_ref::<webpki::Error>()
            .map(|w| webpki_problem(w, TlsContext::default()).0),
        _ => None,
    }
}

const NOT_TLS_HINT: &str = "; is this port a TLS (wss://) server? If it is, the server's TLS is broken, or something between here and the server interferes";

fn unknown_issuer_hint(ctx: TlsContext) -> &'static str {
    if ctx.ca_given {
        "; the CA file given with --ca did not issue it either: pass the CA certificate that signed the server's certificate (not the server's own certificate), or --insecure to skip verification"
    } else {
        "; the certificate is self-signed or from an unknown CA: pass --ca FILE to trust its CA, or --insecure to skip verification"
    }
}

/// "is …" about a certificate (the caller says whose), with a hint.
fn certificate_problem(e: &CertificateError, ctx: TlsContext) -> (String, &'static str) {
    use CertificateError as C;
    #[allow(deprecated)]
    match e {
        C::UnknownIssuer => (
            "is signed by a CA this client does not trust".to_owned(),
            unknown_issuer_hint(ctx),
        ),
        C::BadSignature => (
            "has a signature that does not verify with its issuer's key (it was not signed by the CA it names, or it was altered)".to_owned(),
            "; pass --ca with the CA that really signed it, or fix the server's certificate chain",
        ),
        C::NotValidForName => (
            "is for another host name".to_owned(),
            "; connect with a name the certificate was issued for, reissue it for this name, or --insecure",
        ),
        C::NotValidForNameContext { expected, presented } => (
            format!(
                "is not valid for \"{}\": {}",
                expected.to_str(),
                if presented.is_empty() {
                    "it names no host (no subjectAltName)".to_owned()
                } else {
                    format!(
                        "it is for {}",
                        presented
                            .iter()
                            .map(|p| presented_name(p))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
            "; connect with a name the certificate was issued for, reissue it for this name, or --insecure",
        ),
        C::Expired => ("has expired (or its dates are invalid)".to_owned(), EXPIRED_HINT),
        C::ExpiredContext { time, not_after } => (
            format!(
                "expired on {} ({} ago)",
                date(*not_after),
                duration_words(time.as_secs().saturating_sub(not_after.as_secs()))
            ),
            EXPIRED_HINT,
        ),
        C::NotValidYet => ("is not valid yet".to_owned(), NOT_YET_HINT),
        C::NotValidYetContext { time, not_before } => (
            format!(
                "is not valid until {} ({} from now)",
                date(*not_before),
                duration_words(not_before.as_secs().saturating_sub(time.as_secs()))
            ),
            NOT_YET_HINT,
        ),
        C::Revoked => (
            "has been revoked by its CA".to_owned(),
            "; the server needs a new certificate",
        ),
        C::UnhandledCriticalExtension => (
            "has a critical extension this client does not understand".to_owned(),
            "; reissue it without that extension marked critical",
        ),
        C::BadEncoding => (
            "is not a well-formed X.509 certificate (its DER encoding is broken)".to_owned(),
            "; the server's certificate file is damaged: reissue or re-export it",
        ),
        C::UnsupportedSignatureAlgorithm
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => (
            "is signed with an algorithm this client does not support".to_owned(),
            SIGNATURE_HINT,
        ),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => (
            "is not meant for TLS servers (its extended key usage does not include server authentication)".to_owned(),
            "; reissue it with extended key usage serverAuth",
        ),
        C::InvalidOcspResponse => (
            "came with an invalid OCSP (revocation status) response".to_owned(),
            "; fix the server's OCSP stapling",
        ),
        C::UnknownRevocationStatus | C::ExpiredRevocationList | C::ExpiredRevocationListContext { .. } => (
            "has a revocation status that could not be checked".to_owned(),
            "",
        ),
        C::ApplicationVerificationFailure => ("was refused".to_owned(), ""),
        C::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(w) => webpki_problem(w, ctx),
            None => (format!("was refused: {}", plain(&other.0.to_string())), ""),
        },
        other => (format!("was refused ({})", words_of_debug(other)), ""),
    }
}

const EXPIRED_HINT: &str = "; the server needs a renewed certificate (or check this computer's clock); --insecure skips the check";
const NOT_YET_HINT: &str =
    "; check this computer's clock and the certificate's start date; --insecure skips the check";
const SIGNATURE_HINT: &str = "; this client verifies RSA (PKCS#1 and PSS, SHA-256/384/512), ECDSA P-256/P-384 and Ed25519 signatures: reissue it with one of those, or --insecure";

/// The webpki errors that rustls passes on as `Other`, and the rest, worded.
fn webpki_problem(e: &webpki::Error, ctx: TlsContext) -> (String, &'static str) {
    use webpki::Error as W;
    #[allow(deprecated)]
    match e {
        W::CaUsedAsEndEntity => (
            "is a CA certificate (basic constraints CA:TRUE), and a CA certificate cannot identify a server".to_owned(),
            "; the server must present a certificate issued by that CA, not the CA itself: make a server certificate signed by the CA, serve that, and pass the CA with --ca",
        ),
        W::EndEntityUsedAsCa => (
            "chain uses a server (end-entity) certificate as a CA".to_owned(),
            "; pass --ca with the CA's certificate, not a server's, and make the server send its chain leaf first",
        ),
        W::UnsupportedCertVersion => (
            "is not an X.509 version 3 certificate (version 1 or a malformed version field), and only version 3 is accepted".to_owned(),
            "; reissue it as version 3 (with the openssl tool: `openssl req -x509 ... -addext subjectAltName=DNS:HOST`, or `openssl x509 -req ... -extfile` with a subjectAltName)",
        ),
        W::CertDistrusted => (
            "has a key that is explicitly distrusted".to_owned(),
            "; the server needs a new certificate",
        ),
        W::EmptyEkuExtension => (
            "has an empty extended key usage extension".to_owned(),
            "; reissue it with extended key usage serverAuth",
        ),
        W::ExtensionValueInvalid | W::MalformedExtensions => (
            "has a malformed extension (host names must be in a subjectAltName extension)".to_owned(),
            "; reissue it with a subjectAltName for the host",
        ),
        W::InvalidSerialNumber => (
            "has an invalid serial number (negative, or longer than 20 bytes)".to_owned(),
            "; reissue it",
        ),
        W::MalformedDnsIdentifier => (
            "names a malformed DNS name".to_owned(),
            "; reissue it with a valid subjectAltName",
        ),
        W::NameConstraintViolation | W::MalformedNameConstraint | W::InvalidNetworkMaskConstraint => (
            "is outside the names its CA may certify (name constraints)".to_owned(),
            "; reissue it from a CA allowed to certify this name",
        ),
        W::PathLenConstraintViolated => (
            "chain is longer than its CA allows (path length constraint)".to_owned(),
            "; fix the server's certificate chain",
        ),
        W::MaximumNameConstraintComparisonsExceeded
        | W::MaximumPathBuildCallsExceeded
        | W::MaximumPathDepthExceeded
        | W::MaximumSignatureChecksExceeded => (
            "chain is too long or complex to verify".to_owned(),
            "; make the server send a short chain: its certificate, then its intermediates",
        ),
        W::SignatureAlgorithmMismatch => (
            "names two different signature algorithms (inside and outside its signed part)".to_owned(),
            "; the certificate is damaged: reissue it",
        ),
        W::UnsupportedCriticalExtension => (
            "has a critical extension this client does not understand".to_owned(),
            "; reissue it without that extension marked critical",
        ),
        W::BadDer | W::BadDerTime | W::TrailingData(_) => (
            "is not a well-formed X.509 certificate (its DER encoding is broken)".to_owned(),
            "; the server's certificate file is damaged: reissue or re-export it",
        ),
        W::UnknownIssuer => (
            "is signed by a CA this client does not trust".to_owned(),
            unknown_issuer_hint(ctx),
        ),
        W::InvalidCertValidity => (
            "has invalid dates (it ends before it starts)".to_owned(),
            "; reissue it",
        ),
        W::InvalidSignatureForPublicKey => (
            "has a signature that does not verify with its issuer's key".to_owned(),
            "; pass --ca with the CA that really signed it, or fix the server's certificate chain",
        ),
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => (
            "is signed with an algorithm this client does not support".to_owned(),
            SIGNATURE_HINT,
        ),
        W::UnsupportedNameType => (
            "cannot be checked against this kind of host name".to_owned(),
            "; connect with a DNS name or an IP address",
        ),
        other => (format!("is not acceptable ({})", words_of_debug(other)), ""),
    }
}

/// A TLS alert from the server, in words. During the handshake most alerts mean the server
/// refused something of ours — with mutual TLS, usually our certificate.
fn alert_words(alert: AlertDescription, ctx: TlsContext) -> (String, &'static str) {
    use AlertDescription as A;
    let cert_hint: &'static str = if ctx.client_cert_given {
        "; check the client certificate given with --cert: it must be issued by a CA the server trusts, be current, and allow client authentication"
    } else {
        "; the server requires a client certificate: pass --cert and --key"
    };
    let (what, hint) = match alert {
        A::CertificateRequired | A::NoCertificate => (
            "requires a client certificate".to_owned(),
            if ctx.client_cert_given {
                "; it did not accept the one given with --cert: check that its CA is the one the server trusts"
            } else {
                "; pass --cert and --key"
            },
        ),
        A::BadCertificate => (
            "refused this client's certificate (bad certificate)".to_owned(),
            cert_hint,
        ),
        A::UnsupportedCertificate => (
            "refused this client's certificate (a type or key usage it does not support)"
                .to_owned(),
            cert_hint,
        ),
        A::CertificateRevoked => (
            "refused this client's certificate: it is revoked".to_owned(),
            cert_hint,
        ),
        A::CertificateExpired => (
            "refused this client's certificate: it has expired or is not valid yet".to_owned(),
            cert_hint,
        ),
        A::CertificateUnknown => ("refused this client's certificate".to_owned(), cert_hint),
        A::UnknownCA => (
            "does not trust the CA that issued this client's certificate".to_owned(),
            cert_hint,
        ),
        A::AccessDenied => (
            "denied access (the certificate is valid but not allowed)".to_owned(),
            cert_hint,
        ),
        A::DecryptError => (
            "could not verify this client's signature (the key does not match the certificate?)"
                .to_owned(),
            "; pass the --key that belongs to --cert",
        ),
        A::HandshakeFailure => (
            "refused the handshake (no common TLS parameters, or a client certificate is required)"
                .to_owned(),
            if ctx.client_cert_given {
                "; check the server's TLS versions and ciphers, and the client certificate given with --cert"
            } else {
                "; if it requires a client certificate, pass --cert and --key; else it supports no TLS version or cipher this client offers (TLS 1.2 and 1.3)"
            },
        ),
        A::ProtocolVersion => (
            "supports no TLS version this client speaks (TLS 1.2 and 1.3)".to_owned(),
            "; the server must be upgraded to TLS 1.2 or later",
        ),
        A::InsufficientSecurity => (
            "wants stronger ciphers than this client offers".to_owned(),
            "",
        ),
        A::UnrecognisedName => (
            "does not serve the host name in the URL".to_owned(),
            "; check the host name in the URL",
        ),
        A::NoApplicationProtocol => (
            "accepts none of the application protocols offered".to_owned(),
            "",
        ),
        A::InternalError => (
            "failed internally".to_owned(),
            "; look at the server's logs",
        ),
        A::UserCanceled | A::CloseNotify => ("ended the handshake".to_owned(), cert_hint),
        A::Unknown(code) => (format!("sent unknown TLS alert {code}"), ""),
        other => (
            format!("refused the handshake ({})", words_of_debug(&other)),
            NOT_TLS_HINT,
        ),
    };
    (format!("the server {what}"), hint)
}

fn incompatible_words(why: &rustls::PeerIncompatible) -> (String, &'static str) {
    use rustls::PeerIncompatible as P;
    match why {
        P::ServerDoesNotSupportTls12Or13 | P::ServerTlsVersionIsDisabledByOurConfig => (
            "the server supports no TLS version this client speaks (TLS 1.2 and 1.3)".to_owned(),
            "; the server must be upgraded to TLS 1.2 or later",
        ),
        P::NoCipherSuitesInCommon => (
            "the server and this client share no cipher suite".to_owned(),
            "; enable modern ciphers (AES-GCM or ChaCha20-Poly1305) on the server",
        ),
        P::NoKxGroupsInCommon => (
            "the server and this client share no key exchange group".to_owned(),
            "; enable X25519 or P-256 on the server",
        ),
        P::NoSignatureSchemesInCommon | P::NoCertificateRequestSignatureSchemesInCommon => (
            "the server and this client share no signature scheme".to_owned(),
            "",
        ),
        other => (
            format!(
                "the server's TLS is incompatible with this client ({})",
                words_of_debug(other)
            ),
            "",
        ),
    }
}

/// An enum's Debug name as words ("NoCipherSuitesInCommon" → "no cipher suites in common"):
/// for the long tail of protocol details, so even those read as text and not as Rust.
pub(crate) fn words_of_debug(value: &dyn std::fmt::Debug) -> String {
    let debug = format!("{value:?}");
    let name: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push(' ');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    if out.is_empty() {
        "no details".to_owned()
    } else {
        out
    }
}

/// A name a certificate presents, as webpki lists it (`DnsName("example.com")`,
/// `IpAddress(127.0.0.1)`, ...), in words; the certificate's text escaped, since it comes
/// from the network.
fn presented_name(listed: &str) -> String {
    let (kind, inner) = match listed.split_once('(') {
        Some((kind, rest)) => (kind, rest.strip_suffix(')').unwrap_or(rest)),
        None => (listed, ""),
    };
    let inner = plain(inner.trim_matches('"'));
    match kind {
        "DnsName" => inner,
        "IpAddress" => format!("IP address {inner}"),
        "UniformResourceIdentifier" => format!("the URI {inner}"),
        "DirectoryName" => "a directory name".to_owned(),
        _ => "a name of a type this client does not check".to_owned(),
    }
}

/// A library's message without Rust debug decorations, in case it carries any.
fn plain(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect::<String>()
}

/// A UNIX time as `YYYY-MM-DD HH:MM UTC`.
fn date(time: UnixTime) -> String {
    let secs = time.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let (y, m, d) = civil_from_days(days);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) of the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// "3 days", "5 hours", "40 seconds": the largest unit that fits.
fn duration_words(secs: u64) -> String {
    let (n, unit) = match secs {
        s if s >= 2 * 86_400 => (s / 86_400, "days"),
        s if s >= 2 * 3600 => (s / 3600, "hours"),
        s if s >= 2 * 60 => (s / 60, "minutes"),
        s => (s, "seconds"),
    };
    format!("{n} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_calendar_dates() {
        assert_eq!(
            date(UnixTime::since_unix_epoch(std::time::Duration::ZERO)),
            "1970-01-01 00:00 UTC"
        );
        assert_eq!(
            date(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                951_782_400 + 3_660
            ))),
            "2000-02-29 01:01 UTC"
        );
        assert_eq!(duration_words(3 * 86_400 + 5), "3 days");
        assert_eq!(duration_words(59), "59 seconds");
    }

    #[test]
    fn presented_names_are_shown_as_names() {
        assert_eq!(presented_name("DnsName(\"other.test\")"), "other.test");
        assert_eq!(
            presented_name("IpAddress(127.0.0.1)"),
            "IP address 127.0.0.1"
        );
        assert_eq!(presented_name("DnsName(\"a\u{1b}b\")"), "a\\u{1b}b");
        assert_eq!(
            presented_name("Unsupported(0x66)"),
            "a name of a type this client does not check"
        );
    }

    #[test]
    fn debug_names_become_words() {
        assert_eq!(
            words_of_debug(&rustls::PeerIncompatible::NoCipherSuitesInCommon),
            "no cipher suites in common"
        );
        assert_eq!(
            words_of_debug(&rustls::PeerMisbehaved::IllegalTlsInnerPlaintext),
            "illegal tls inner plaintext"
        );
    }

    /// Every certificate error rustls and webpki can report is said without a type name.
    #[test]
    fn no_certificate_error_is_shown_as_a_rust_name() {
        use CertificateError as C;
        #[allow(deprecated)]
        let cert_errors = vec![
            C::BadEncoding,
            C::Expired,
            C::NotValidYet,
            C::Revoked,
            C::UnhandledCriticalExtension,
            C::UnknownIssuer,
            C::UnknownRevocationStatus,
            C::ExpiredRevocationList,
            C::BadSignature,
            C::UnsupportedSignatureAlgorithm,
            C::NotValidForName,
            C::InvalidPurpose,
            C::InvalidOcspResponse,
            C::ApplicationVerificationFailure,
        ];
        #[allow(deprecated)]
        let webpki_errors = vec![
            webpki::Error::BadDer,
            webpki::Error::BadDerTime,
            webpki::Error::CaUsedAsEndEntity,
            webpki::Error::CertDistrusted,
            webpki::Error::EmptyEkuExtension,
            webpki::Error::EndEntityUsedAsCa,
            webpki::Error::ExtensionValueInvalid,
            webpki::Error::InvalidCertValidity,
            webpki::Error::InvalidSerialNumber,
            webpki::Error::MalformedDnsIdentifier,
            webpki::Error::MalformedExtensions,
            webpki::Error::MalformedNameConstraint,
            webpki::Error::MaximumPathDepthExceeded,
            webpki::Error::NameConstraintViolation,
            webpki::Error::PathLenConstraintViolated,
            webpki::Error::SignatureAlgorithmMismatch,
            webpki::Error::UnsupportedCertVersion,
            webpki::Error::UnsupportedCriticalExtension,
            webpki::Error::UnsupportedNameType,
        ];
        let mut said: Vec<String> = cert_errors
            .into_iter()
            .map(|e| {
                describe_rustls_error(&rustls::Error::InvalidCertificate(e), TlsContext::default())
                    .0
            })
            .collect();
        for w in webpki_errors {
            let name = format!("{w:?}");
            let e = rustls::Error::InvalidCertificate(C::Other(rustls::OtherError(
                std::sync::Arc::new(w),
            )));
            let text = describe_rustls_error(&e, TlsContext::default()).0;
            assert!(!text.contains(&name), "{text}");
            said.push(text);
        }
        for text in said {
            assert!(text.starts_with("the server's certificate "), "{text}");
            for rust in ["Other", "Error", "{", "::", "Context"] {
                assert!(!text.contains(rust), "{rust} in {text}");
            }
        }
    }

    #[test]
    fn alerts_are_words() {
        for alert in [
            AlertDescription::BadCertificate,
            AlertDescription::UnknownCA,
            AlertDescription::CertificateRequired,
            AlertDescription::CertificateExpired,
            AlertDescription::HandshakeFailure,
            AlertDescription::DecodeError,
            AlertDescription::Unknown(200),
        ] {
            let (text, _) = describe_rustls_error(
                &rustls::Error::AlertReceived(alert),
                TlsContext {
                    ca_given: false,
                    client_cert_given: true,
                },
            );
            let name = format!("{alert:?}");
            assert!(!text.contains(&name), "{text}");
            assert!(text.starts_with("the server "), "{text}");
        }
    }
}
