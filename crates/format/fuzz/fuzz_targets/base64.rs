//! Base64 input: never panics, errors point inside the input, decode(encode(x)) == x.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::binary::{decode_base64, encode_base64};

fuzz_target!(|data: &[u8]| {
    assert_eq!(decode_base64(&encode_base64(data)).unwrap(), data);
    if let Ok(text) = std::str::from_utf8(data) {
        match decode_base64(text) {
            Ok(bytes) => assert_eq!(decode_base64(&encode_base64(&bytes)).unwrap(), bytes),
            Err(error) => {
                let at = error.position().expect("base64 errors have a position");
                assert!(at.offset <= text.len() && text.is_char_boundary(at.offset));
                let _ = error.to_string();
            }
        }
    }
});
