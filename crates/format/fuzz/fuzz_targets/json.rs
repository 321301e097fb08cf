//! JSON: validate, beautify, minify. When valid: beautify then minify equals minify, minify
//! is idempotent, and the value is unchanged where serde_json can represent it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::{Indent, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let indent = match text.len() % 3 {
        0 => Indent::Spaces(2),
        1 => Indent::Tab,
        _ => Indent::Spaces(0),
    };
    match json::validate(text) {
        Ok(()) => {
            let minified = json::minify(text).unwrap();
            let pretty = match json::beautify(text, indent) {
                Ok(pretty) => pretty,
                // Only the output limit can stop a valid document.
                Err(wsdeck_format::FormatError::TooLarge { .. }) => return,
                Err(other) => panic!("valid JSON failed to beautify: {other}"),
            };
            assert_eq!(json::minify(&pretty).unwrap(), minified);
            assert_eq!(json::minify(&minified).unwrap(), minified);
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                let again: serde_json::Value = serde_json::from_str(&pretty).unwrap();
                assert_eq!(again, value);
            }
        }
        Err(error) => {
            let at = error.position().expect("JSON errors have a position");
            assert!(at.offset <= text.len() && text.is_char_boundary(at.offset));
            assert!(json::minify(text).is_err());
            let _ = error.to_string();
        }
    }
});
