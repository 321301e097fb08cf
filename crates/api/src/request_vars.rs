//! `{{variables}}` in a whole request: URL, params, headers and subprotocols resolved
//! together, so one error lists every problem of every field. Shared by the API
//! (`wsdeck.open {variables}`) and the command line (`--var`, `--env`), which only label
//! the fields differently.

use wsdeck_engine::RequestSpec;
use wsdeck_format::resolve::{ResolveError, Resolved, Resolver};

/// Which part of a request a template sits in (with its index and, for pairs, its name):
/// callers turn it into the label their users know ("headers[0][1]", "header Authorization").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestField<'a> {
    Url,
    ParamName(usize, &'a str),
    ParamValue(usize, &'a str),
    HeaderName(usize, &'a str),
    HeaderValue(usize, &'a str),
    Protocol(usize),
}

/// The request with every field resolved (the text that goes on the wire; secrets in clear).
pub fn resolve_request(
    spec: &RequestSpec,
    resolver: &mut Resolver<'_, '_>,
    label: impl Fn(RequestField<'_>) -> String,
) -> Result<RequestSpec, ResolveError> {
    let mut fields: Vec<(String, &str)> = vec![(label(RequestField::Url), spec.url.as_str())];
    for (i, (k, v)) in spec.params.iter().enumerate() {
        fields.push((label(RequestField::ParamName(i, k)), k));
        fields.push((label(RequestField::ParamValue(i, k)), v));
    }
    for (i, (k, v)) in spec.headers.iter().enumerate() {
        fields.push((label(RequestField::HeaderName(i, k)), k));
        fields.push((label(RequestField::HeaderValue(i, k)), v));
    }
    for (i, p) in spec.protocols.iter().enumerate() {
        fields.push((label(RequestField::Protocol(i)), p));
    }
    let resolved = resolver.resolve_fields(fields)?;
    let mut values = resolved.into_iter().map(Resolved::into_parts).map(|p| p.0);
    let mut next = || values.next().unwrap_or_default();
    let mut out = spec.clone();
    out.url = next();
    for (k, v) in &mut out.params {
        *k = next();
        *v = next();
    }
    for (k, v) in &mut out.headers {
        *k = next();
        *v = next();
    }
    for p in &mut out.protocols {
        *p = next();
    }
    Ok(out)
}

/// The JSON path of a field in `wsdeck.open`'s params.
pub(crate) fn param_path(field: RequestField<'_>) -> String {
    match field {
        RequestField::Url => "url".into(),
        RequestField::ParamName(i, _) => format!("params[{i}][0]"),
        RequestField::ParamValue(i, _) => format!("params[{i}][1]"),
        RequestField::HeaderName(i, _) => format!("headers[{i}][0]"),
        RequestField::HeaderValue(i, _) => format!("headers[{i}][1]"),
        RequestField::Protocol(i) => format!("protocols[{i}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wsdeck_format::dynamic::FixedSource;
    use wsdeck_format::environment::Variable;
    use wsdeck_format::scope::Scopes;

    #[test]
    fn every_field_is_resolved_and_every_problem_named_by_its_path() {
        let vars = [
            Variable::new("host", "127.0.0.1:9"),
            Variable::secret("key", "s3"),
        ];
        let mut source = FixedSource::new(0, 0);
        let mut resolver = Resolver::new(Scopes::new().with_local(&vars), &mut source);
        let mut spec = RequestSpec::new("ws://{{host}}/x");
        spec.params = vec![("k".into(), "{{key}}".into())];
        spec.headers = vec![("X-{{key}}".into(), "v".into())];
        spec.protocols = vec!["p{{key}}".into()];
        let out = resolve_request(&spec, &mut resolver, param_path).expect("resolves");
        assert_eq!(out.url, "ws://127.0.0.1:9/x");
        assert_eq!(out.params, vec![("k".into(), "s3".into())]);
        assert_eq!(out.headers, vec![("X-s3".into(), "v".into())]);
        assert_eq!(out.protocols, vec!["ps3".to_owned()]);

        spec.headers = vec![("A".into(), "{{nope}}".into())];
        let err = resolve_request(&spec, &mut resolver, param_path).expect_err("undefined");
        assert_eq!(err.problems()[0].field, "headers[0][1]");
        assert_eq!(err.undefined_names(), vec!["nope"]);
    }
}
