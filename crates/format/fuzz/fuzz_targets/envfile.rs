//! Environment files: wsdeck files and Postman exports never panic the parsers, errors have
//! words, and a parsed wsdeck file survives writing and reading back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::environment::{Environment, parse_env_file};
use wsdeck_format::postman::parse_export;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_env_file(text) {
        Ok(loaded) => {
            let written = loaded.environment.to_json();
            let read_back = Environment::from_json(&written).expect("written files read back");
            assert_eq!(read_back, loaded.environment);
            assert!(!loaded.environment.to_json_redacted().is_empty());
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    if let Err(error) = parse_export(text) {
        assert!(!error.to_string().is_empty());
    }
});
