//! XML: validate, beautify, minify. When well-formed: the output is well-formed, beautify
//! then minify equals minify, and minify is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::{FormatError, Indent, xml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match xml::validate(text) {
        Ok(()) => {
            let minified = xml::minify(text).unwrap();
            let pretty = match xml::beautify(text, Indent::Spaces(1)) {
                Ok(pretty) => pretty,
                Err(FormatError::TooLarge { .. }) => return,
                Err(other) => panic!("well-formed XML failed to beautify: {other}"),
            };
            if let Err(error) = xml::validate(&pretty) {
                panic!("beautified XML is not well-formed: {error}\n{pretty}");
            }
            assert_eq!(xml::minify(&pretty).unwrap(), minified);
            assert_eq!(xml::minify(&minified).unwrap(), minified);
        }
        Err(error) => {
            let at = error.position().expect("XML errors have a position");
            assert!(at.offset <= text.len() && text.is_char_boundary(at.offset));
            let _ = error.to_string();
        }
    }
});
