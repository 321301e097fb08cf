//! HTML: check, beautify, minify. Never fails on syntax; beautify then minify equals minify,
//! minify is idempotent, and diagnostics point inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::{FormatError, Indent, html};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for diagnostic in html::check(text) {
        assert!(diagnostic.at.offset <= text.len() && text.is_char_boundary(diagnostic.at.offset));
    }
    let minified = html::minify(text).unwrap();
    let pretty = match html::beautify(text, Indent::Spaces(2)) {
        Ok(pretty) => pretty,
        Err(FormatError::TooLarge { .. }) => return,
        Err(other) => panic!("HTML failed to beautify: {other}"),
    };
    assert_eq!(
        html::minify(&pretty).unwrap(),
        minified,
        "beautified:\n{pretty}"
    );
    assert_eq!(html::minify(&minified).unwrap(), minified);
});
