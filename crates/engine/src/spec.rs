//! What to connect to and how: the one input every front end (UI form, CLI flags, RPC params,
//! saved request) builds, so that they all behave the same.

use std::path::PathBuf;

/// A WebSocket request: the URL and everything Postman's Params, Headers and Settings tabs hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    /// `ws://` or `wss://` URL; may already carry a query string.
    pub url: String,
    /// Query parameters appended to the URL's own, in order (repeats allowed).
    pub params: Vec<(String, String)>,
    /// Extra handshake headers, in order. They may override `Origin` and `User-Agent`.
    pub headers: Vec<(String, String)>,
    /// Subprotocols offered in `Sec-WebSocket-Protocol`, in order of preference.
    pub protocols: Vec<String>,
    /// Connection settings.
    pub settings: Settings,
}

impl RequestSpec {
    /// A request with default settings and nothing but a URL.
    pub fn new(url: impl Into<String>) -> Self {
        RequestSpec {
            url: url.into(),
            params: Vec::new(),
            headers: Vec::new(),
            protocols: Vec::new(),
            settings: Settings::default(),
        }
    }
}

/// Connection settings, the same set as Postman's Settings tab plus the control-frame and TLS
/// switches websocat and wscat users rely on. Nothing in the engine is hard-coded beyond these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Deadline for one handshake hop (DNS, TCP, TLS, HTTP upgrade), in ms; reset after every
    /// redirect. 0 means no deadline.
    pub handshake_timeout_ms: u64,
    /// Follow 3xx answers to the upgrade request.
    pub follow_redirects: bool,
    /// How many redirects to follow before giving up.
    pub max_redirects: u32,
    /// How many times to reconnect after an unexpected close or a failed connect.
    pub reconnect_attempts: u32,
    /// Pause before each reconnection attempt, in ms.
    pub reconnect_interval_ms: u64,
    /// Largest message accepted on receive, in bytes; 0 means unlimited.
    pub max_message_size: u64,
    /// Answer pings with pongs automatically. Off lets a user test a server's timeout logic.
    pub auto_pong: bool,
    /// How long to wait for the peer's close frame and TCP close after we send close, in ms.
    pub close_timeout_ms: u64,
    /// TLS options for `wss://`.
    pub tls: TlsSettings,
    /// How much of the session log stays in memory.
    pub retention: Retention,
    /// Flow control for one lossless reader (a pipe or terminal printer): when more than
    /// this many bytes of events are unacknowledged (see `SessionLog::acknowledge`), the
    /// socket is not read until the reader catches up. 0 (the default) turns it off: the
    /// socket reader never waits, and slow readers are told what they missed instead.
    pub pacing_bytes: u64,
    /// Send a ping after this many ms (0 = never), to keep a connection alive through
    /// proxies and to notice a dead path (see `ping_timeout_ms`).
    pub ping_interval_ms: u64,
    /// Fail the connection when nothing at all (pong, message, any frame) has arrived this
    /// many ms after a keepalive ping was sent (0 = wait for ever). A path that died quietly
    /// (a cable, a NAT that forgot us) is then reported instead of hanging.
    pub ping_timeout_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            handshake_timeout_ms: 20_000,
            follow_redirects: true,
            max_redirects: 10,
            reconnect_attempts: 0,
            reconnect_interval_ms: 5_000,
            max_message_size: 64 * 1024 * 1024,
            auto_pong: true,
            close_timeout_ms: 5_000,
            tls: TlsSettings::default(),
            retention: Retention::default(),
            pacing_bytes: 0,
            ping_interval_ms: 0,
            ping_timeout_ms: 0,
        }
    }
}

/// Settings a front end overrides (the rest keep their defaults): what a saved request, an
/// API call or a UI form says, applied by [`Settings::apply`]. The one type of them from a
/// workspace file to the socket: the workspace keeps it as a request's `settings` (with the
/// `serde` feature; each unset one is left out of the file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct SettingsPatch {
    /// Handshake timeout per hop, in milliseconds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub handshake_timeout_ms: Option<u64>,
    /// Whether to follow HTTP redirects.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub follow_redirects: Option<bool>,
    /// The most redirects followed.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub max_redirects: Option<u32>,
    /// Reconnection attempts after an unexpected close.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub reconnect_attempts: Option<u32>,
    /// Wait between reconnection attempts, in milliseconds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub reconnect_interval_ms: Option<u64>,
    /// The largest message accepted, in bytes.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub max_message_size: Option<u64>,
    /// Whether pings are answered automatically.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub auto_pong: Option<bool>,
    /// How long to wait for the server's close frame, in milliseconds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub close_timeout_ms: Option<u64>,
    /// Whether TLS certificates are verified.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub tls_verify: Option<bool>,
}

impl SettingsPatch {
    /// True when no setting is set.
    pub fn is_empty(&self) -> bool {
        *self == SettingsPatch::default()
    }
}

impl Settings {
    /// Overrides every setting the patch names.
    pub fn apply(&mut self, patch: &SettingsPatch) {
        fn set<T: Copy>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut self.handshake_timeout_ms, patch.handshake_timeout_ms);
        set(&mut self.follow_redirects, patch.follow_redirects);
        set(&mut self.max_redirects, patch.max_redirects);
        set(&mut self.reconnect_attempts, patch.reconnect_attempts);
        set(&mut self.reconnect_interval_ms, patch.reconnect_interval_ms);
        set(&mut self.max_message_size, patch.max_message_size);
        set(&mut self.auto_pong, patch.auto_pong);
        set(&mut self.close_timeout_ms, patch.close_timeout_ms);
        set(&mut self.tls.verify, patch.tls_verify);
    }
}

/// TLS options. Verification is on unless `verify` is explicitly turned off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// Check the server's certificate chain and host name.
    pub verify: bool,
    /// A PEM file of extra trust anchors (added to the system and built-in roots).
    pub ca_file: Option<PathBuf>,
    /// A PEM client certificate chain for mutual TLS.
    pub client_cert: Option<PathBuf>,
    /// The PEM private key of `client_cert`: PKCS#8, PKCS#1 or SEC1, or encrypted PKCS#8
    /// (`-----BEGIN ENCRYPTED PRIVATE KEY-----`) with `key_passphrase`.
    pub client_key: Option<PathBuf>,
    /// The passphrase of an encrypted `client_key`. A secret: never shown (see
    /// [`KeyPassphrase`]).
    pub key_passphrase: Option<KeyPassphrase>,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            verify: true,
            ca_file: None,
            client_cert: None,
            client_key: None,
            key_passphrase: None,
        }
    }
}

/// The passphrase that decrypts an encrypted client key.
///
/// A secret, so it is kept where nothing prints it: `Debug` shows `****`, there is no
/// `Display`, no error or event carries it, and its bytes are wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPassphrase(zeroize::Zeroizing<Vec<u8>>);

impl KeyPassphrase {
    /// A passphrase, byte for byte (PKCS#5 derives the key from bytes, not characters).
    pub fn new(passphrase: impl Into<Vec<u8>>) -> Self {
        KeyPassphrase(zeroize::Zeroizing::new(passphrase.into()))
    }

    /// The passphrase in a passphrase file: its first line, without the line ending — as
    /// OpenSSL's `-passin file:` reads it, so the same file works for both.
    pub fn from_file_contents(contents: &[u8]) -> Self {
        let line = contents.split(|b| *b == b'\n').next().unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        Self::new(line.to_vec())
    }

    /// Whether the passphrase is empty (an empty file, or an empty variable).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The bytes, for the one place that decrypts with them.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for KeyPassphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyPassphrase(****)")
    }
}

/// Bounds on the in-memory session log. When either is exceeded the oldest events leave
/// memory; readers that had not reached them are told how many they missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Most events kept.
    pub max_events: usize,
    /// Most payload bytes (plus a small per-event overhead) kept.
    pub max_bytes: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_events: 1_000_000,
            max_bytes: 256 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod patch_tests {
    use super::*;

    #[test]
    fn a_patch_overrides_only_what_it_names() {
        let mut s = Settings::default();
        s.apply(&SettingsPatch {
            handshake_timeout_ms: Some(5),
            tls_verify: Some(false),
            ..SettingsPatch::default()
        });
        assert_eq!(s.handshake_timeout_ms, 5);
        assert!(!s.tls.verify);
        assert_eq!(s.max_redirects, Settings::default().max_redirects);
        assert_eq!(s.auto_pong, Settings::default().auto_pong);
    }

    #[test]
    fn a_key_passphrase_never_shows_in_debug_output() {
        let mut s = Settings::default();
        s.tls.key_passphrase = Some(KeyPassphrase::new("hunter2-secret"));
        let shown = format!("{s:?} {s:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("****"), "{shown}");
    }

    #[test]
    fn a_passphrase_file_gives_its_first_line() {
        let p = KeyPassphrase::from_file_contents(b"pass phrase\r\nsecond line\n");
        assert_eq!(p.expose(), b"pass phrase");
        assert_eq!(KeyPassphrase::from_file_contents(b"x").expose(), b"x");
        assert!(KeyPassphrase::from_file_contents(b"\n").is_empty());
    }
}
