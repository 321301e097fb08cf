//! Failing a WebSocket connection with the close code that names the reason (RFC 6455 §7.4.1),
//! shared by the echo server and wsdeck's API gateway, which both read frames with tungstenite.
//!
//! tungstenite reports a broken frame as an error and sends nothing: a server that simply drops
//! the connection then leaves its client with "1006, abnormal closure" and no idea what it did
//! wrong. [`failure_close`] is the frame to send instead.

use tungstenite::error::{CapacityError, ProtocolError};
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::{CloseCode, Data};
use tungstenite::{Error, Utf8Bytes};

/// The close frame that fails the connection after `error` came from reading it:
/// 1002 for a protocol violation (reserved bits, an unmasked client frame, an unknown opcode,
/// a fragmented or oversize control frame, a continuation out of place, a bad close payload),
/// 1007 for invalid UTF-8 in a text message or a close reason, 1009 for a message over the
/// size limit. `None` when there is no one left to tell (the peer reset or closed the
/// connection, an I/O failure).
pub fn failure_close(error: &Error) -> Option<CloseFrame> {
    let (code, reason) = match error {
        Error::Protocol(problem) => (CloseCode::Protocol, protocol_reason(problem)?),
        Error::Utf8(_) => (
            CloseCode::Invalid,
            "invalid UTF-8 in a text message or close reason".to_owned(),
        ),
        Error::Capacity(CapacityError::MessageTooLong { max_size, .. }) => (
            CloseCode::Size,
            format!("message larger than {max_size} bytes"),
        ),
        _ => return None,
    };
    Some(CloseFrame {
        code,
        reason: Utf8Bytes::from(reason),
    })
}

/// A close reason (at most 123 bytes) for a protocol violation; `None` for the errors that
/// mean the connection is already gone.
fn protocol_reason(problem: &ProtocolError) -> Option<String> {
    let what = match problem {
        ProtocolError::ResetWithoutClosingHandshake | ProtocolError::SendAfterClosing => {
            return None;
        }
        ProtocolError::NonZeroReservedBits => {
            "reserved bits (RSV1-3) set, but no extension was negotiated".to_owned()
        }
        ProtocolError::UnmaskedFrameFromClient => "a client frame was not masked".to_owned(),
        ProtocolError::MaskedFrameFromServer => "a server frame was masked".to_owned(),
        ProtocolError::FragmentedControlFrame => "a control frame was fragmented".to_owned(),
        ProtocolError::ControlFrameTooBig => "a control frame carried over 125 bytes".to_owned(),
        ProtocolError::UnknownControlFrameType(op) | ProtocolError::UnknownDataFrameType(op) => {
            format!("unknown opcode {op:#x}")
        }
        ProtocolError::InvalidOpcode(op) => format!("invalid opcode {op:#x}"),
        ProtocolError::UnexpectedContinueFrame => {
            "a continuation frame with no message to continue".to_owned()
        }
        ProtocolError::ExpectedFragment(data) => format!(
            "a new {} message before the last fragment of the previous one",
            data_name(*data)
        ),
        ProtocolError::InvalidCloseSequence => "a close frame with a 1-byte payload".to_owned(),
        ProtocolError::ReceivedAfterClosing => "a frame after the close frame".to_owned(),
        _ => "a frame broke the WebSocket protocol".to_owned(),
    };
    Some(format!("protocol error: {what}"))
}

fn data_name(data: Data) -> &'static str {
    match data {
        Data::Text => "text",
        Data::Binary => "binary",
        Data::Continue => "continuation",
        Data::Reserved(_) => "reserved-opcode",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_reasons() {
        let close = |e: Error| failure_close(&e).map(|f| (u16::from(f.code), f.reason));
        let (code, reason) =
            close(Error::Protocol(ProtocolError::UnknownDataFrameType(3))).expect("a frame");
        assert_eq!(
            (code, reason.as_str()),
            (1002, "protocol error: unknown opcode 0x3")
        );
        assert_eq!(close(Error::Utf8("x".into())).map(|c| c.0), Some(1007));
        let too_long = Error::Capacity(CapacityError::MessageTooLong {
            size: 10,
            max_size: 5,
        });
        assert_eq!(
            close(too_long).map(|(c, r)| (c, r.as_str().to_owned())),
            Some((1009, "message larger than 5 bytes".to_owned()))
        );
        assert_eq!(close(Error::ConnectionClosed), None);
        assert_eq!(
            close(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)),
            None
        );
        for problem in [
            ProtocolError::ExpectedFragment(Data::Reserved(0xf)),
            ProtocolError::NonZeroReservedBits,
            ProtocolError::UnexpectedContinueFrame,
        ] {
            let (code, reason) = close(Error::Protocol(problem)).expect("a frame");
            assert_eq!(code, 1002);
            assert!(reason.len() <= 123, "{reason}");
        }
    }
}
