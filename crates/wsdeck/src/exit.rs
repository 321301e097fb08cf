//! Exit codes: one per kind of outcome, so scripts and CI can tell failures apart.

use wsdeck_engine::{EngineError, ErrorClass};

/// The connection closed cleanly, or an exit condition (`--once`, …) was met.
pub const OK: u8 = 0;
/// Something inside wsdeck failed (runtime, terminal).
pub const INTERNAL: u8 = 1;
/// Bad flags or a bad request: URL, header, TLS file.
pub const USAGE: u8 = 2;
/// DNS failed, the connection was refused, or the server hung up during the handshake.
pub const CONNECT: u8 = 3;
/// The server answered the upgrade with another status, or redirects failed.
pub const HANDSHAKE: u8 = 4;
/// TLS failed (untrusted certificate, client certificate refused).
pub const TLS: u8 = 5;
/// The server broke the protocol (invalid frame or UTF-8, message over the size limit).
pub const PROTOCOL: u8 = 6;
/// The handshake timed out.
pub const TIMEOUT: u8 = 7;
/// The connection dropped without a closing handshake.
pub const CONNECTION_LOST: u8 = 8;
/// What was received could not be written to stdout (disk full, stdout closed): a script must
/// not take a partial capture for a whole one. A reader that left (`| head`) is not this.
pub const OUTPUT: u8 = 9;
/// Recording into the history failed (disk full, I/O error, a damaged database): the session
/// went on, but the history does not hold all of it. `wsdeck history` uses it too when the
/// database cannot be read or written.
pub const HISTORY: u8 = 10;
/// The server closed with an error code (anything but 1000 Normal Closure and 1001 Going
/// Away: 1002, 1008, 1011, 4xxx, …): "the server refused my message" is not success.
pub const SERVER_CLOSED_WITH_ERROR: u8 = 11;
/// Nothing came back within --ping-timeout of a ping: the connection is dead.
pub const PING_TIMEOUT: u8 = 12;

/// Shown at the end of `wsdeck connect --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  closed cleanly (by either side), or --once / --max-messages reached
  1  internal error
  2  usage error: bad flag, URL, header, TLS or environment file, undefined {{variable}};
     or stdin lines that could not be sent (invalid --send-format input)
  3  could not connect: DNS, refused, or the server hung up during the handshake
  4  handshake refused: non-101 answer (401, 404, 500, …), redirect loop or too many redirects
  5  TLS failure: untrusted or invalid certificate, client certificate refused
  6  protocol error: invalid frame, invalid UTF-8 in a text message, message over --max-message-size
  7  timeout: the handshake took longer than --handshake-timeout
  8  connection lost: the connection ended without a closing handshake
  9  output failed: stdout could not be written (disk full, closed); what was received is incomplete
 10  recording failed (--record): the history database could not be opened or written (disk
     full, damaged file); the session went on, but the history does not hold all of it
 11  the server closed with an error code: anything but 1000 (normal) and 1001 (going away),
     e.g. 1002, 1008, 1009, 1011, 4000-4999 (--any-close-ok: exit 0 for any close code)
 12  ping timeout: nothing arrived within --ping-timeout of a --ping-interval ping";

/// The exit code for an engine error.
pub fn code_for(error: &EngineError) -> u8 {
    if let EngineError::PingTimeout { .. } = error {
        return PING_TIMEOUT;
    }
    match error.class() {
        ErrorClass::InvalidRequest => USAGE,
        ErrorClass::Connect => CONNECT,
        ErrorClass::HandshakeRefused => HANDSHAKE,
        ErrorClass::Tls => TLS,
        ErrorClass::Protocol => PROTOCOL,
        ErrorClass::Timeout => TIMEOUT,
        ErrorClass::ConnectionLost => CONNECTION_LOST,
        ErrorClass::State => INTERNAL,
    }
}
