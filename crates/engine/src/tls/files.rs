//! Reading the TLS files a user names — the CA file (`--ca`), the client certificate
//! (`--cert`) and its key (`--key`, possibly encrypted) — with every failure said in words:
//! which file, what is wrong with it, and what to do.

use std::path::Path;

use pkcs8::der::Decode;
use pkcs8::der::pem::PemLabel;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::EngineError;
use crate::spec::KeyPassphrase;

/// Which of the user's TLS files a message is about, named as the user gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsFile {
    /// `--ca`: extra trust anchors.
    Ca,
    /// `--cert`: the client certificate chain.
    ClientCert,
    /// `--key`: the client certificate's private key.
    ClientKey,
}

impl TlsFile {
    /// "the CA file (--ca)", as messages name it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TlsFile::Ca => "the CA file (--ca)",
            TlsFile::ClientCert => "the client certificate (--cert)",
            TlsFile::ClientKey => "the client key (--key)",
        }
    }
}

/// Where the passphrase of an encrypted key comes from, for messages.
pub(crate) const PASSPHRASE_SOURCES: &str =
    "--key-passphrase-file FILE or the WSDECK_KEY_PASSPHRASE environment variable";

/// A failure about one of the user's files: "TLS setup: the CA file (--ca) /x: <problem>".
pub(crate) fn file_error(
    file: TlsFile,
    path: &Path,
    problem: impl std::fmt::Display,
) -> EngineError {
    EngineError::TlsConfig(format!("{} {}: {problem}", file.describe(), path.display()))
}

/// The file's bytes, or why they cannot be read, in words.
fn read(file: TlsFile, path: &Path) -> Result<Vec<u8>, EngineError> {
    std::fs::read(path).map_err(|e| {
        let problem = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied: this user may not read it".to_owned()
            }
            std::io::ErrorKind::IsADirectory => "it is a folder, not a file".to_owned(),
            _ => format!("cannot be read: {e}"),
        };
        file_error(file, path, problem)
    })
}

/// The certificates of a PEM file (`--ca` or `--cert`), in order.
pub(crate) fn read_certs(
    file: TlsFile,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, EngineError> {
    let bytes = read(file, path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| file_error(file, path, pem_problem(&e)))?;
    if certs.is_empty() {
        return Err(file_error(
            file,
            path,
            format!(
                "it holds no certificate (no \"-----BEGIN CERTIFICATE-----\" block){}",
                what_it_holds_instead(&bytes, Expected::Certificate)
            ),
        ));
    }
    Ok(certs)
}

/// The private key of `--key`: PKCS#8, PKCS#1 or SEC1 in PEM, or encrypted PKCS#8 decrypted
/// with `passphrase`.
pub(crate) fn read_private_key(
    path: &Path,
    passphrase: Option<&KeyPassphrase>,
) -> Result<PrivateKeyDer<'static>, EngineError> {
    let file = TlsFile::ClientKey;
    let bytes = read(file, path)?;
    let labels = pem_labels(&bytes);
    if labels
        .iter()
        .any(|l| l == pkcs8::EncryptedPrivateKeyInfoRef::PEM_LABEL)
    {
        return decrypt_key(path, &bytes, passphrase);
    }
    if is_legacy_encrypted(&bytes) {
        return Err(file_error(
            file,
            path,
            "it is encrypted in OpenSSL's old format (\"Proc-Type: 4,ENCRYPTED\"), which wsdeck does not read: convert it to encrypted PKCS#8 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.p8` and pass that, with its passphrase",
        ));
    }
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        pem::Error::NoItemsFound => file_error(
            file,
            path,
            format!(
                "it holds no private key (no \"-----BEGIN PRIVATE KEY-----\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\" block){}",
                what_it_holds_instead(&bytes, Expected::Key)
            ),
        ),
        other => file_error(file, path, pem_problem(&other)),
    })
}

/// Decrypts an `ENCRYPTED PRIVATE KEY` (PKCS#8 with PBES2) with the passphrase.
fn decrypt_key(
    path: &Path,
    bytes: &[u8],
    passphrase: Option<&KeyPassphrase>,
) -> Result<PrivateKeyDer<'static>, EngineError> {
    let file = TlsFile::ClientKey;
    let Some(passphrase) = passphrase else {
        return Err(file_error(
            file,
            path,
            format!(
                "it is encrypted (ENCRYPTED PRIVATE KEY) and needs its passphrase: give it with {PASSPHRASE_SOURCES}"
            ),
        ));
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|_| file_error(file, path, "it is not a text (PEM) file"))?;
    let block = pem_block(text, pkcs8::EncryptedPrivateKeyInfoRef::PEM_LABEL).ok_or_else(|| {
        file_error(
            file,
            path,
            "its ENCRYPTED PRIVATE KEY block has no END line",
        )
    })?;
    let (_, document) = pkcs8::Document::from_pem(block).map_err(|_| {
        file_error(
            file,
            path,
            "its ENCRYPTED PRIVATE KEY block is not valid PEM (broken base64 or lines)",
        )
    })?;
    let encrypted = pkcs8::EncryptedPrivateKeyInfoRef::from_der(document.as_bytes())
        // PKCS#12-style schemes (`-v1 PBE-SHA1-3DES`) do not even parse as PKCS#5 schemes.
        .map_err(|_| file_error(file, path, UNSUPPORTED_SCHEME))?;
    let decrypted = encrypted
        .decrypt(passphrase.expose())
        .map_err(|e| file_error(file, path, decrypt_problem(&e)))?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        decrypted.as_bytes().to_vec(),
    )))
}

/// Why decrypting failed, in words. A wrong passphrase shows up either as bad padding or as
/// plaintext that is not a key; both are said as a wrong passphrase.
fn decrypt_problem(e: &pkcs8::Error) -> String {
    match e {
        pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm { .. })
        | pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::NoPbes1CryptSupport) => {
            UNSUPPORTED_SCHEME.to_owned()
        }
        pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::AlgorithmParametersInvalid {
            ..
        }) => "its encryption parameters are invalid: re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.p8`".to_owned(),
        _ => format!(
            "the passphrase does not decrypt it (wrong passphrase): check the passphrase given with {PASSPHRASE_SOURCES}"
        ),
    }
}

const UNSUPPORTED_SCHEME: &str = "it is encrypted with a scheme wsdeck does not support, or damaged (wsdeck reads PBES2: PBKDF2 or scrypt with AES, as OpenSSL 1.1 and later write by default): re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.p8`";

/// OpenSSL's pre-PKCS#8 encryption: PEM headers inside a `... PRIVATE KEY` block.
fn is_legacy_encrypted(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).contains("Proc-Type: 4,ENCRYPTED")
}

/// The labels of a PEM file's blocks (`CERTIFICATE`, `PRIVATE KEY`, ...), in order.
fn pem_labels(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix("-----BEGIN ")
                .and_then(|rest| rest.strip_suffix("-----"))
                .map(str::to_owned)
        })
        .collect()
}

/// The text from `-----BEGIN label-----` to its END line, inclusive.
fn pem_block<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)?;
    let stop = text[start..].find(&end)? + start + end.len();
    Some(&text[start..stop])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expected {
    Certificate,
    Key,
}

/// ": it holds a private key instead — ..." — what the file does hold, and the likely mix-up.
fn what_it_holds_instead(bytes: &[u8], expected: Expected) -> String {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return "; the file is empty".to_owned();
    }
    if bytes.first() == Some(&0x30) {
        return match expected {
            Expected::Certificate => "; it looks like binary DER: convert it to PEM with `openssl x509 -inform der -in FILE -out FILE.pem`".to_owned(),
            Expected::Key => "; it looks like binary DER: convert it to PEM with `openssl pkey -inform der -in FILE -out FILE.pem`".to_owned(),
        };
    }
    let labels = pem_labels(bytes);
    if labels.is_empty() {
        return "; it is not a PEM file (no \"-----BEGIN ...-----\" line)".to_owned();
    }
    let has_key = labels.iter().any(|l| l.ends_with("PRIVATE KEY"));
    let has_cert = labels.iter().any(|l| l == "CERTIFICATE");
    let mut found: Vec<&str> = labels.iter().map(String::as_str).collect();
    found.dedup();
    let mut out = match found.as_slice() {
        [one] => format!("; it holds a {one} block"),
        many => format!("; it holds {} blocks", many.join(", ")),
    };
    match expected {
        Expected::Certificate if has_key => {
            out.push_str(
                ": that is a private key, which goes with --key (were --cert and --key swapped?)",
            );
        }
        Expected::Key if has_cert => {
            out.push_str(": that is a certificate, which goes with --cert or --ca (were --cert and --key swapped?)");
        }
        _ => {}
    }
    out
}

/// A PEM syntax error in words.
fn pem_problem(e: &pem::Error) -> String {
    match e {
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "a PEM block is not finished: the line \"-----END {}-----\" is missing (is the file cut short?)",
            String::from_utf8_lossy(end_marker)
                .trim()
                .trim_start_matches("-----END ")
                .trim_end_matches("-----")
        ),
        pem::Error::IllegalSectionStart { line } => format!(
            "a PEM \"-----BEGIN\" line is malformed: \"{}\"",
            String::from_utf8_lossy(line)
                .chars()
                .filter(|c| !c.is_control())
                .take(80)
                .collect::<String>()
        ),
        pem::Error::Base64Decode(_) => {
            "a PEM block's contents are not valid base64 (the file is damaged or was edited)"
                .to_owned()
        }
        pem::Error::Io(e) => format!("cannot be read: {e}"),
        pem::Error::NoItemsFound => "it holds nothing usable".to_owned(),
        pem::Error::SectionTooLarge => "a PEM block is larger than 256 MB".to_owned(),
        _ => "it is not valid PEM".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_file_holds_instead_names_the_likely_mix_up() {
        let key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let said = what_it_holds_instead(key, Expected::Certificate);
        assert!(
            said.contains("PRIVATE KEY") && said.contains("swapped"),
            "{said}"
        );
        let cert = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let said = what_it_holds_instead(cert, Expected::Key);
        assert!(
            said.contains("CERTIFICATE") && said.contains("swapped"),
            "{said}"
        );
        assert!(what_it_holds_instead(b"  \n", Expected::Key).contains("empty"));
        assert!(what_it_holds_instead(&[0x30, 0x82, 1, 2], Expected::Certificate).contains("DER"));
        assert!(what_it_holds_instead(b"hello", Expected::Key).contains("not a PEM file"));
    }

    #[test]
    fn pem_problems_show_no_byte_lists() {
        let said = pem_problem(&pem::Error::MissingSectionEnd {
            end_marker: b"CERTIFICATE".to_vec(),
        });
        assert!(said.contains("-----END CERTIFICATE-----"), "{said}");
        assert!(!said.contains("[45"), "{said}");
    }
}
