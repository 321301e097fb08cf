//! Any bytes: detect, render as every format (pretty and minified), hexdump. Never panics;
//! whatever `detect` says, rendering as that format succeeds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::hexdump::HexDump;
use wsdeck_format::{Format, Style, detect, render};

fuzz_target!(|data: &[u8]| {
    let found = detect(data);
    assert_eq!(found.size, data.len());
    for format in [
        Format::Text,
        Format::Json,
        Format::Xml,
        Format::Html,
        Format::Binary,
    ] {
        for style in [Style::default(), Style::minified()] {
            let result = render(data, format, &style);
            if format == found.format {
                assert!(
                    result.is_ok(),
                    "detected {format} but rendering failed: {result:?}"
                );
            }
        }
    }
    let width = usize::from(data.first().copied().unwrap_or(16) % 40);
    let dump = HexDump::new(data).with_width(width);
    assert_eq!(dump.lines().count(), data.len().div_ceil(dump.width()));
    let _ = dump.to_string();
});
