//! Hex input: never panics, errors point inside the input, decode(encode(x)) == x.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::binary::{decode_hex, encode_hex};

fuzz_target!(|data: &[u8]| {
    assert_eq!(decode_hex(&encode_hex(data)).unwrap(), data);
    if let Ok(text) = std::str::from_utf8(data) {
        match decode_hex(text) {
            Ok(bytes) => assert_eq!(decode_hex(&encode_hex(&bytes)).unwrap(), bytes),
            Err(error) => {
                let at = error.position().expect("hex errors have a position");
                assert!(at.offset <= text.len() && text.is_char_boundary(at.offset));
                let _ = error.to_string();
            }
        }
    }
});
