//! Importing a Postman environment or globals export.
//!
//! Postman exports both as JSON objects of this shape (other keys such as `id`,
//! `_postman_exported_at` and `_postman_exported_using` are ignored):
//!
//! ```json
//! {
//!   "id": "5f1c…",
//!   "name": "staging",
//!   "values": [
//!     { "key": "host", "value": "staging.example.com", "type": "default", "enabled": true },
//!     { "key": "token", "value": "s3cr3t", "type": "secret", "enabled": true }
//!   ],
//!   "_postman_variable_scope": "environment"
//! }
//! ```
//!
//! Mapping: `key` → name, `value` → value (numbers and booleans become text, a missing value
//! or `null` is empty), `"type": "secret"` → secret (any other type, such as `default`, `any`
//! or the older `text`, is a plain variable), `"enabled": false` → kept but disabled (a
//! missing `enabled` means enabled). Order is preserved. A globals export usually has no
//! `name`; it is called `Globals`. An environment without a name is called
//! `Postman environment`.
//!
//! Postman itself leaves a `{{x}}` that nothing defines in place; wsdeck reports it when
//! resolving. Keys must be usable as `{{key}}` ([`crate::template::validate_name`]); a key
//! that is not (an empty row, a key with braces or surrounding spaces) is an error naming
//! its index, rather than a variable that silently could never be used.

use serde::Deserialize;

use crate::environment::{
    Detected, EnvFileError, Environment, Variable, deserialize, detect, lenient_text, parse_object,
};
use crate::template::validate_name;

/// Which kind of Postman export was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostmanScope {
    /// `"_postman_variable_scope": "environment"` (also assumed when the key is missing).
    Environment,
    /// `"_postman_variable_scope": "globals"`.
    Globals,
}

/// A Postman export converted to an [`Environment`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostmanExport {
    /// The variables, in the export's order.
    pub environment: Environment,
    /// Whether the export was an environment or the globals.
    pub scope: PostmanScope,
}

#[derive(Deserialize)]
struct Export {
    #[serde(default)]
    name: Option<String>,
    values: Vec<Entry>,
    #[serde(default, rename = "_postman_variable_scope")]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct Entry {
    key: String,
    #[serde(default, deserialize_with = "lenient_text")]
    value: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
}

/// Parses a Postman environment or globals export (see the module docs). A wsdeck
/// environment file or a Postman collection is refused with a hint saying what it is.
pub fn parse_export(text: &str) -> Result<PostmanExport, EnvFileError> {
    let object = parse_object(text)?;
    match detect(&object) {
        Detected::Postman => {}
        other => return Err(EnvFileError::NotPostman { hint: other.hint() }),
    }
    if !object.contains_key("values") {
        return Err(EnvFileError::Invalid {
            path: "values".into(),
            message: "missing; a Postman environment or globals export lists its variables there"
                .into(),
        });
    }
    let export: Export = deserialize(text)?;
    let scope = match export.scope.as_deref() {
        None | Some("environment") => PostmanScope::Environment,
        Some("globals") => PostmanScope::Globals,
        Some(other) => {
            return Err(EnvFileError::Invalid {
                path: "_postman_variable_scope".into(),
                message: format!(
                    "is `{}`; expected `environment` or `globals` (only environment and globals exports can be imported)",
                    other.escape_debug()
                ),
            });
        }
    };
    let mut variables = Vec::with_capacity(export.values.len());
    for (i, entry) in export.values.into_iter().enumerate() {
        validate_name(&entry.key).map_err(|e| EnvFileError::Invalid {
            path: format!("values[{i}].key"),
            message: e.to_string(),
        })?;
        variables.push(Variable {
            name: entry.key,
            value: entry.value,
            secret: entry.kind.as_deref() == Some("secret"),
            enabled: entry.enabled.unwrap_or(true),
        });
    }
    let name = match (export.name, scope) {
        (Some(name), _) if !name.is_empty() => name,
        (_, PostmanScope::Globals) => "Globals".to_owned(),
        (_, PostmanScope::Environment) => "Postman environment".to_owned(),
    };
    Ok(PostmanExport {
        environment: Environment { name, variables },
        scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = r#"{
	"id": "8c7a2b1e-0000-4000-8000-000000000000",
	"name": "staging",
	"values": [
		{
			"key": "host",
			"value": "staging.example.com",
			"type": "default",
			"enabled": true
		},
		{
			"key": "token",
			"value": "s3cr3t",
			"type": "secret",
			"enabled": true
		},
		{
			"key": "old",
			"value": "x",
			"type": "default",
			"enabled": false
		},
		{
			"key": "port",
			"value": 8080
		}
	],
	"_postman_variable_scope": "environment",
	"_postman_exported_at": "2024-05-01T10:00:00.000Z",
	"_postman_exported_using": "Postman/11.0.0"
}"#;

    #[test]
    fn imports_environment() {
        let export = parse_export(ENV).unwrap();
        assert_eq!(export.scope, PostmanScope::Environment);
        let expected = Environment::new("staging")
            .with(Variable::new("host", "staging.example.com"))
            .with(Variable::secret("token", "s3cr3t"))
            .with(Variable {
                enabled: false,
                ..Variable::new("old", "x")
            })
            .with(Variable::new("port", "8080"));
        assert_eq!(export.environment, expected);
    }

    #[test]
    fn imports_globals() {
        let text = r#"{"id":"g","values":[{"key":"a","value":"1","enabled":true}],"_postman_variable_scope":"globals"}"#;
        let export = parse_export(text).unwrap();
        assert_eq!(export.scope, PostmanScope::Globals);
        assert_eq!(
            export.environment,
            Environment::new("Globals").with(Variable::new("a", "1"))
        );
    }

    #[test]
    fn missing_key_names_the_index() {
        let text = r#"{"name":"e","values":[
  {"key":"a","value":"1"},
  {"key":"b","value":"2"},
  {"key":"c","value":"3"},
  {"value":"4"}
]}"#;
        let e = parse_export(text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "values[3]: missing field `key` (line 5, column 15)"
        );
    }

    #[test]
    fn bad_key_and_scope() {
        let e = parse_export(r#"{"values":[{"key":"","value":"x"}]}"#).unwrap_err();
        assert_eq!(e.to_string(), "values[0].key: the variable name is empty");
        let e =
            parse_export(r#"{"values":[],"_postman_variable_scope":"collection"}"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("_postman_variable_scope: is `collection`"),
            "{e}"
        );
        let e = parse_export(r#"{"values":{"a":1}}"#).unwrap_err();
        assert!(
            matches!(&e, EnvFileError::Structure { path, .. } if path == "values"),
            "{e}"
        );
        let e = parse_export(r#"{"values":[{"key":"a","value":[1]}]}"#).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "values[0].value: expected a string (or a number or boolean), found an array"
            ),
            "{e}"
        );
    }

    #[test]
    fn not_a_postman_export() {
        let e = parse_export(r#"{"wsdeck_environment":1,"name":"x"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a Postman environment or globals export (it has no `values` list); it is a wsdeck environment file"
        );
        let e = parse_export(r#"{"_postman_variable_scope":"environment"}"#).unwrap_err();
        assert!(e.to_string().starts_with("values: missing"), "{e}");
        let e = parse_export(r#"{"foo":1}"#).unwrap_err();
        assert_eq!(e, EnvFileError::NotPostman { hint: "" });
        let e = parse_export("{\"values\": [").unwrap_err();
        assert!(matches!(e, EnvFileError::Syntax { line: 1, .. }), "{e}");
    }
}
