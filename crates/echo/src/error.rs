//! The crate's single error type.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything that can go wrong while starting the echo server or preparing its TLS material.
///
/// Exists so that callers (the `wsdeck echo-server` subcommand, test harnesses) can report a
/// precise, plain-words reason ("cannot read certificate file /x: not found") instead of a
/// library error string, and can match on the cause. Errors that happen inside a single client
/// connection never reach the caller: they only end that connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EchoError {
    /// The listening socket could not be bound (address in use, permission denied, ...).
    #[error("cannot listen on {addr}: {}", bind_words(source))]
    Bind {
        /// The address that was requested.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// The configuration is contradictory or incomplete; the message names the field.
    #[error("invalid echo server configuration: {0}")]
    InvalidConfig(String),

    /// A certificate, key or CA file could not be read.
    #[error("cannot read {what} file {path}: {source}")]
    ReadFile {
        /// What the file was supposed to contain ("certificate", "private key", "client CA").
        what: &'static str,
        /// The file that failed.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// A file could not be written (used when saving generated mTLS material).
    #[error("cannot write {path}: {source}")]
    WriteFile {
        /// The file that failed.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// A PEM file was read but does not contain what it should (no certificate, no key,
    /// malformed base64, ...).
    #[error("invalid PEM in {what} file {path}: {reason}")]
    Pem {
        /// What the file was supposed to contain.
        what: &'static str,
        /// The file that failed.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// Generating a certificate or key with rcgen failed.
    #[error("cannot generate {what}: {source}")]
    CertGeneration {
        /// Which piece was being generated ("CA certificate", "server certificate", ...).
        what: &'static str,
        /// rcgen's reason.
        source: rcgen::Error,
    },

    /// rustls refused the certificate, key or protocol settings.
    #[error("TLS configuration rejected: {0}")]
    Tls(#[from] rustls::Error),

    /// The client CA given for mTLS cannot be used to verify client certificates.
    #[error("client CA {path} cannot be used to verify client certificates: {reason}")]
    ClientCa {
        /// The CA file.
        path: PathBuf,
        /// rustls' reason.
        reason: String,
    },

    /// A connection-level I/O failure (only used inside connection tasks).
    #[error("connection I/O failed while {context}: {source}")]
    Io {
        /// What the connection was doing.
        context: &'static str,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// The WebSocket layer failed on a connection (only used inside connection tasks).
    #[error("WebSocket error: {0}")]
    WebSocket(#[from] tungstenite::Error),

    /// A connection step took longer than the server allows (only used inside connection tasks).
    #[error("timed out while {0}")]
    Timeout(&'static str),
}

/// Why a listening socket could not be bound, with what to do.
fn bind_words(source: &std::io::Error) -> String {
    match source.kind() {
        std::io::ErrorKind::AddrInUse => {
            "the port is already in use (another server runs there): choose another --port, or --port 0 for any free one".to_owned()
        }
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (ports below 1024 need privileges): choose a --port above 1023"
                .to_owned()
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "this machine has no such address: bind 127.0.0.1 or another address of its own"
                .to_owned()
        }
        _ => source.to_string(),
    }
}
