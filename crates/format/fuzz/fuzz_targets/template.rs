//! `{{variable}}` templates: parsing never panics, spans and positions point inside the text,
//! escaping round-trips, and resolving (nested values, cycles, dynamic values) never panics
//! and never leaks a secret into the redacted text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsdeck_format::dynamic::FixedSource;
use wsdeck_format::environment::{Environment, Variable};
use wsdeck_format::resolve::Resolver;
use wsdeck_format::scope::Scopes;
use wsdeck_format::template::{Template, escape};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Template::parse(text) {
        Ok(template) => {
            for reference in template.references() {
                assert!(reference.span.end <= text.len());
                assert!(text[reference.span.clone()].ends_with("}}"));
                assert!(reference.position.offset == reference.span.start);
            }
        }
        Err(error) => {
            assert!(error.span.end <= text.len() && text.is_char_boundary(error.span.start));
            let _ = error.to_string();
        }
    }
    let escaped = Template::parse(&escape(text)).expect("escaped text always parses");
    assert_eq!(escaped.as_literal().as_deref(), Some(text));

    // Variables whose values are pieces of the input: nesting, cycles and secrets.
    let mut middle = text.len() / 2;
    while !text.is_char_boundary(middle) {
        middle -= 1;
    }
    let (a, b) = text.split_at(middle);
    let env = Environment::new("fuzz")
        .with(Variable::new("a", a))
        .with(Variable::new("b", b))
        .with(Variable::secret("s", "fuzz-secret-value"));
    let mut source = FixedSource::new(1_700_000_000_000, 7);
    let mut resolver = Resolver::new(Scopes::new().with_environment(&env), &mut source);
    match resolver.resolve("message", text) {
        Ok(resolved) => assert!(!resolved.redacted().contains("fuzz-secret-value")),
        Err(error) => {
            assert!(!error.problems().is_empty());
            let _ = error.to_string();
        }
    }
});
