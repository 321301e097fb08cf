//! Variables, environments, and wsdeck's environment file.
//!
//! An [`Environment`] is a named, ordered list of [`Variable`]s ("staging", "local", the
//! globals). A variable marked **secret** keeps its value for sending, but everything meant
//! for people or storage shows [`REDACTED`] instead: its `Debug`, the redacted text of a
//! resolution ([`crate::resolve::Resolved::redacted`]), autocomplete previews and
//! [`Environment::to_json_redacted`].
//!
//! # The environment file
//!
//! A JSON object; `wsdeck_environment` (the format version, `1`) marks it as ours:
//!
//! ```json
//! {
//!   "wsdeck_environment": 1,
//!   "name": "staging",
//!   "variables": [
//!     { "name": "host", "value": "staging.example.com" },
//!     { "name": "token", "value": "s3cr3t", "secret": true },
//!     { "name": "old_host", "value": "legacy.example.com", "enabled": false }
//!   ]
//! }
//! ```
//!
//! `secret` defaults to `false` and `enabled` to `true` (and are written only when they
//! differ). A `value` may also be a number or boolean, read as its text (`8080` becomes
//! `"8080"`), or `null` (empty). Unknown keys are errors, so a typo such as
//! `"secert": true` is caught instead of leaving a secret in clear. Names must be usable as
//! `{{name}}` (see [`crate::template::validate_name`]); values are templates themselves.
//!
//! [`Environment::to_json`] writes secrets' values **in clear**: the file belongs to the user
//! and is what they load to send real requests, like Postman's own export. Use
//! [`Environment::to_json_redacted`] for anything shared or displayed; loading that back
//! gives `****` as the secrets' values.
//!
//! [`parse_env_file`] accepts this format or a Postman environment/globals export
//! ([`crate::postman`]) and says which it was.

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::template::{NameError, validate_name};

/// What is shown instead of a secret's value.
pub const REDACTED: &str = "****";

/// The environment file format version this crate reads and writes.
pub const FILE_VERSION: u64 = 1;

/// One named value.
#[derive(Clone, PartialEq, Eq)]
pub struct Variable {
    /// The name used in `{{name}}`.
    pub name: String,
    /// The value; itself a template, so it may refer to other variables.
    pub value: String,
    /// Whether the value must stay out of logs, history, exports and displays.
    pub secret: bool,
    /// A disabled variable is kept (the user may turn it back on) but never used.
    pub enabled: bool,
}

impl Variable {
    /// An enabled, non-secret variable.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Variable {
            name: name.into(),
            value: value.into(),
            secret: false,
            enabled: true,
        }
    }

    /// An enabled secret variable.
    pub fn secret(name: impl Into<String>, value: impl Into<String>) -> Self {
        Variable {
            secret: true,
            ..Variable::new(name, value)
        }
    }

    /// The value as it may be shown: [`REDACTED`] for a secret.
    pub fn display_value(&self) -> &str {
        if self.secret { REDACTED } else { &self.value }
    }
}

impl fmt::Debug for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Variable")
            .field("name", &self.name)
            .field("value", &self.display_value())
            .field("secret", &self.secret)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// A named, ordered set of variables: an environment, or the globals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Environment {
    /// Shown to the user ("staging").
    pub name: String,
    /// In the user's order. Duplicated names are allowed; the last enabled one wins.
    pub variables: Vec<Variable>,
}

impl Environment {
    /// An empty environment.
    pub fn new(name: impl Into<String>) -> Self {
        Environment {
            name: name.into(),
            variables: Vec::new(),
        }
    }

    /// Appends a variable (builder style).
    #[must_use]
    pub fn with(mut self, variable: Variable) -> Self {
        self.variables.push(variable);
        self
    }

    /// The variable a template would use for `name`: the last enabled one.
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.variables
            .iter()
            .rev()
            .find(|v| v.enabled && v.name == name)
    }

    /// Sets `name` to `value`: updates (and enables) the last entry with that name, keeping
    /// whether it is secret, or appends a new non-secret variable.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        match self.variables.iter_mut().rev().find(|v| v.name == name) {
            Some(v) => {
                v.value = value.into();
                v.enabled = true;
            }
            None => self.variables.push(Variable::new(name, value)),
        }
    }

    /// Parses a wsdeck environment file (see the module docs). A Postman export is refused
    /// with a hint; use [`parse_env_file`] to accept either.
    pub fn from_json(text: &str) -> Result<Environment, EnvFileError> {
        let object = parse_object(text)?;
        match detect(&object) {
            Detected::Wsdeck => {}
            Detected::Postman => {
                return Err(EnvFileError::NotWsdeck {
                    hint: "; it looks like a Postman environment or globals export, which the Postman importer reads",
                });
            }
            other => {
                return Err(EnvFileError::NotWsdeck { hint: other.hint() });
            }
        }
        check_version(&object)?;
        let file: FileRepr = deserialize(text)?;
        let mut variables = Vec::with_capacity(file.variables.len());
        for (i, v) in file.variables.into_iter().enumerate() {
            validate_name(&v.name).map_err(|e| EnvFileError::Invalid {
                path: format!("variables[{i}].name"),
                message: e.to_string(),
            })?;
            variables.push(Variable {
                name: v.name,
                value: v.value,
                secret: v.secret,
                enabled: v.enabled,
            });
        }
        Ok(Environment {
            name: file.name,
            variables,
        })
    }

    /// Writes the environment file, **including secrets' values in clear** (the user's own
    /// file, needed to send real requests). Pretty-printed, ending with a newline.
    pub fn to_json(&self) -> String {
        self.write(false)
    }

    /// Writes the environment file with every secret's value replaced by [`REDACTED`]: for
    /// sharing, exports and display.
    pub fn to_json_redacted(&self) -> String {
        self.write(true)
    }

    fn write(&self, redact: bool) -> String {
        let out = FileOut {
            wsdeck_environment: FILE_VERSION,
            name: &self.name,
            variables: self
                .variables
                .iter()
                .map(|v| FileVarOut {
                    name: &v.name,
                    value: if redact { v.display_value() } else { &v.value },
                    secret: v.secret,
                    enabled: v.enabled,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&out)
            .expect("serializing strings and booleans into a String cannot fail");
        text.push('\n');
        text
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepr {
    // Checked from the raw JSON first (`check_version`), for a clearer error.
    #[serde(rename = "wsdeck_environment")]
    _version: Value,
    name: String,
    #[serde(default)]
    variables: Vec<FileVar>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileVar {
    name: String,
    #[serde(default, deserialize_with = "lenient_text")]
    value: String,
    #[serde(default)]
    secret: bool,
    #[serde(default = "enabled_default")]
    enabled: bool,
}

fn enabled_default() -> bool {
    true
}

#[derive(Serialize)]
struct FileOut<'a> {
    wsdeck_environment: u64,
    name: &'a str,
    variables: Vec<FileVarOut<'a>>,
}

#[derive(Serialize)]
struct FileVarOut<'a> {
    name: &'a str,
    value: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    secret: bool,
    #[serde(skip_serializing_if = "is_true")]
    enabled: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn check_version(object: &Map<String, Value>) -> Result<(), EnvFileError> {
    match object.get("wsdeck_environment") {
        Some(Value::Number(n)) if n.as_u64() == Some(FILE_VERSION) => Ok(()),
        Some(other) => Err(EnvFileError::UnsupportedVersion {
            found: other.to_string(),
            supported: FILE_VERSION,
        }),
        None => Err(EnvFileError::NotWsdeck { hint: "" }),
    }
}

/// Accepts a string, a number or a boolean as text, and `null` as empty: hand-written and
/// exported files are not always careful about quoting numbers.
pub(crate) fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(D::Error::custom(format!(
            "expected a string (or a number or boolean), found {}",
            json_kind(&other)
        ))),
    }
}

/// Why an environment file (wsdeck's or a Postman export) could not be read. Each error says
/// where: a line and column for JSON syntax, a path such as `values[3].key` for content. No
/// message repeats a string value from the file, so a misplaced secret is not echoed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvFileError {
    /// Nothing but whitespace.
    #[error("the file is empty; expected a JSON object")]
    Empty,
    /// Not JSON.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser expected.
        message: String,
    },
    /// JSON, but not an object.
    #[error("expected a JSON object at the top level, found {found}")]
    NotAnObject {
        /// `an array`, `a string`, …
        found: &'static str,
    },
    /// A missing, unknown or mistyped key.
    #[error("{path}: {message} (line {line}, column {column})")]
    Structure {
        /// Where in the document, e.g. `values[3]` or `variables[0].secret`.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Well-formed, but a value is not acceptable (an unusable variable name, …).
    #[error("{path}: {message}")]
    Invalid {
        /// Where in the document, e.g. `values[3].key`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A wsdeck environment file of another version.
    #[error(
        "unsupported wsdeck environment file version {found}; this wsdeck reads version {supported}"
    )]
    UnsupportedVersion {
        /// The version found, as written.
        found: String,
        /// The version this crate reads.
        supported: u64,
    },
    /// Read as a wsdeck environment file, but it is not one.
    #[error("not a wsdeck environment file (it has no `wsdeck_environment` key){hint}")]
    NotWsdeck {
        /// What it looks like instead, if anything.
        hint: &'static str,
    },
    /// Read as a Postman export, but it is not one.
    #[error("not a Postman environment or globals export (it has no `values` list){hint}")]
    NotPostman {
        /// What it looks like instead, if anything.
        hint: &'static str,
    },
    /// Neither format.
    #[error(
        "neither a wsdeck environment file (no `wsdeck_environment` key) nor a Postman environment or globals export (no `values` list){hint}"
    )]
    Unrecognized {
        /// What it looks like instead, if anything.
        hint: &'static str,
    },
}

/// Which format [`parse_env_file`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFileKind {
    /// A wsdeck environment file.
    Wsdeck,
    /// A Postman environment export.
    PostmanEnvironment,
    /// A Postman globals export.
    PostmanGlobals,
}

/// An environment read by [`parse_env_file`], with the format it came in. A Postman globals
/// export is still returned as an [`Environment`]; the caller decides whether to use it as the
/// globals scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedEnvironment {
    /// The variables.
    pub environment: Environment,
    /// The format found.
    pub kind: EnvFileKind,
}

/// Reads either a wsdeck environment file or a Postman environment/globals export, telling
/// them apart by their keys (`wsdeck_environment` vs `values`/`_postman_variable_scope`), so
/// `--env FILE` takes whichever the user has.
pub fn parse_env_file(text: &str) -> Result<LoadedEnvironment, EnvFileError> {
    let object = parse_object(text)?;
    match detect(&object) {
        Detected::Wsdeck => Ok(LoadedEnvironment {
            environment: Environment::from_json(text)?,
            kind: EnvFileKind::Wsdeck,
        }),
        Detected::Postman => {
            let export = crate::postman::parse_export(text)?;
            Ok(LoadedEnvironment {
                environment: export.environment,
                kind: match export.scope {
                    crate::postman::PostmanScope::Environment => EnvFileKind::PostmanEnvironment,
                    crate::postman::PostmanScope::Globals => EnvFileKind::PostmanGlobals,
                },
            })
        }
        other => Err(EnvFileError::Unrecognized { hint: other.hint() }),
    }
}

/// What a JSON object looks like, for choosing a parser and for hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    Wsdeck,
    Postman,
    PostmanCollection,
    PostmanDump,
    Unknown,
}

impl Detected {
    pub(crate) fn hint(self) -> &'static str {
        match self {
            Detected::Wsdeck => "; it is a wsdeck environment file",
            Detected::Postman => "; it is a Postman environment or globals export",
            Detected::PostmanCollection => {
                "; it looks like a Postman collection — export the environment instead (Environments, then Export in the environment's menu)"
            }
            Detected::PostmanDump => {
                "; it looks like a full Postman data dump — export the one environment you need instead"
            }
            Detected::Unknown => "",
        }
    }
}

pub(crate) fn detect(object: &Map<String, Value>) -> Detected {
    if object.contains_key("wsdeck_environment") {
        Detected::Wsdeck
    } else if object.contains_key("values") || object.contains_key("_postman_variable_scope") {
        Detected::Postman
    } else if object.contains_key("info") && object.contains_key("item") {
        Detected::PostmanCollection
    } else if object.contains_key("environments") && object.contains_key("collections") {
        Detected::PostmanDump
    } else {
        Detected::Unknown
    }
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses `text` as a JSON object, with syntax errors located.
pub(crate) fn parse_object(text: &str) -> Result<Map<String, Value>, EnvFileError> {
    let text = strip_bom(text);
    if text.trim().is_empty() {
        return Err(EnvFileError::Empty);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(EnvFileError::NotAnObject {
            found: json_kind(&other),
        }),
        Err(e) => {
            let (message, line, column) = split_serde_error(&e);
            Err(EnvFileError::Syntax {
                line,
                column,
                message,
            })
        }
    }
}

/// Deserializes `text` into `T`, reporting the path and position of the first problem.
pub(crate) fn deserialize<T: DeserializeOwned>(text: &str) -> Result<T, EnvFileError> {
    let text = strip_bom(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = match e.path().to_string() {
            p if p == "." => "top level".to_owned(),
            p => p,
        };
        let (message, line, column) = split_serde_error(e.inner());
        let message = crate::serde_words::json_words(&message);
        EnvFileError::Structure {
            path,
            line,
            column,
            message,
        }
    })?;
    de.end().map_err(|e| {
        let (message, line, column) = split_serde_error(&e);
        EnvFileError::Syntax {
            line,
            column,
            message,
        }
    })?;
    Ok(value)
}

/// serde_json's message without its " at line L column C" suffix, and with any quoted string
/// value from the file removed (it could be a secret typed in the wrong place).
fn split_serde_error(e: &serde_json::Error) -> (String, usize, usize) {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    (scrub_string_value(message), e.line(), e.column())
}

fn scrub_string_value(message: String) -> String {
    const OPEN: &str = "string \"";
    const CLOSE: &str = "\", expected";
    if let (Some(start), Some(end)) = (message.find(OPEN), message.rfind(CLOSE))
        && end >= start + OPEN.len() - 1
    {
        return format!("{}a string{}", &message[..start], &message[end + 1..]);
    }
    message
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Why a `NAME=VALUE` argument was refused. The value is never repeated in the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VarArgError {
    /// No `=` at all.
    #[error("expected NAME=VALUE, but `{shown}` has no `=`")]
    MissingEquals {
        /// The argument, shortened to 40 characters.
        shown: String,
    },
    /// The part before `=` is not a usable name.
    #[error("in `{name}=…`: {error}")]
    BadName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        error: NameError,
    },
}

/// Parses a `NAME=VALUE` argument (the CLI's `--var`) into an enabled, non-secret
/// request-local variable. The first `=` separates name and value, so the value may contain
/// `=`; the value is kept exactly (it may be empty, and is itself a template). The name must
/// pass [`validate_name`]; surrounding spaces are an error rather than silently trimmed.
pub fn parse_var_arg(arg: &str) -> Result<Variable, VarArgError> {
    let Some((name, value)) = arg.split_once('=') else {
        let mut shown: String = arg.chars().take(40).collect();
        if shown.len() < arg.len() {
            shown.push('…');
        }
        return Err(VarArgError::MissingEquals { shown });
    };
    validate_name(name).map_err(|error| VarArgError::BadName {
        name: name.to_owned(),
        error,
    })?;
    Ok(Variable::new(name, value))
}

/// Parses several `NAME=VALUE` arguments in order (later ones win when names repeat, see
/// [`crate::scope`]); stops at the first bad one.
pub fn parse_var_args<I, S>(args: I) -> Result<Vec<Variable>, VarArgError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    args.into_iter()
        .map(|a| parse_var_arg(a.as_ref()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "wsdeck_environment": 1,
  "name": "staging",
  "variables": [
    { "name": "host", "value": "staging.example.com" },
    { "name": "token", "value": "s3cr3t", "secret": true },
    { "name": "old_host", "value": "legacy.example.com", "enabled": false }
  ]
}
"#;

    fn sample() -> Environment {
        Environment::new("staging")
            .with(Variable::new("host", "staging.example.com"))
            .with(Variable::secret("token", "s3cr3t"))
            .with(Variable {
                enabled: false,
                ..Variable::new("old_host", "legacy.example.com")
            })
    }

    #[test]
    fn debug_hides_secrets() {
        let d = format!("{:?}", sample());
        assert!(!d.contains("s3cr3t"), "{d}");
        assert!(d.contains(r#"value: "****""#), "{d}");
        assert!(d.contains("staging.example.com"), "{d}");
    }

    #[test]
    fn parse_sample() {
        assert_eq!(Environment::from_json(SAMPLE).unwrap(), sample());
    }

    #[test]
    fn write_then_read() {
        let env = sample();
        let text = env.to_json();
        assert!(text.contains("\"s3cr3t\""));
        assert!(text.contains(r#""enabled": false"#));
        assert!(!text.contains(r#""secret": false"#));
        assert_eq!(Environment::from_json(&text).unwrap(), env);
        let redacted = env.to_json_redacted();
        assert!(!redacted.contains("s3cr3t"), "{redacted}");
        let back = Environment::from_json(&redacted).unwrap();
        assert_eq!(back.get("token").unwrap().value, REDACTED);
        assert_eq!(back.get("host").unwrap().value, "staging.example.com");
    }

    #[test]
    fn exact_output() {
        let env = Environment::new("e").with(Variable::secret("t", "x"));
        assert_eq!(
            env.to_json(),
            "{\n  \"wsdeck_environment\": 1,\n  \"name\": \"e\",\n  \"variables\": [\n    {\n      \"name\": \"t\",\n      \"value\": \"x\",\n      \"secret\": true\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn lenient_values_and_bom() {
        let text = "\u{feff}{\"wsdeck_environment\":1,\"name\":\"n\",\"variables\":[{\"name\":\"port\",\"value\":8080},{\"name\":\"on\",\"value\":true},{\"name\":\"none\",\"value\":null},{\"name\":\"missing\"}]}";
        let env = Environment::from_json(text).unwrap();
        let values: Vec<_> = env.variables.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(values, vec!["8080", "true", "", ""]);
    }

    #[test]
    fn syntax_error_has_position() {
        let e = Environment::from_json("{\n  \"name\": \"x\",\n  \"variables\": [\n}").unwrap_err();
        assert_eq!(
            e,
            EnvFileError::Syntax {
                line: 4,
                column: 1,
                message: "expected value".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "not valid JSON at line 4, column 1: expected value"
        );
    }

    #[test]
    fn structure_errors_name_the_path() {
        let text = r#"{"wsdeck_environment":1,"name":"n","variables":[
            {"name":"a","value":"1"},
            {"value":"2"}
        ]}"#;
        let e = Environment::from_json(text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "variables[1]: missing field `name` (line 3, column 25)"
        );

        let typo = r#"{"wsdeck_environment":1,"name":"n","variables":[{"name":"a","value":"1","secert":true}]}"#;
        let e = Environment::from_json(typo).unwrap_err();
        assert!(
            matches!(&e, EnvFileError::Structure { path, message, .. } if path == "variables[0].secert" || (path == "variables[0]" && message.contains("unknown field `secert`"))),
            "{e}"
        );
        assert!(e.to_string().contains("secert"), "{e}");
    }

    #[test]
    fn string_values_are_not_echoed_in_errors() {
        let text = r#"{"wsdeck_environment":1,"name":"n","variables":[{"name":"a","secret":"hunter2-password"}]}"#;
        let e = Environment::from_json(text).unwrap_err();
        let msg = e.to_string();
        assert!(!msg.contains("hunter2"), "{msg}");
        assert!(
            msg.starts_with("variables[0].secret: invalid type: a string, expected a boolean"),
            "{msg}"
        );
    }

    #[test]
    fn bad_names_and_versions() {
        let text = r#"{"wsdeck_environment":1,"name":"n","variables":[{"name":"a","value":"1"},{"name":" b","value":"2"}]}"#;
        let e = Environment::from_json(text).unwrap_err();
        assert!(
            matches!(&e, EnvFileError::Invalid { path, .. } if path == "variables[1].name"),
            "{e}"
        );
        let e = Environment::from_json(r#"{"wsdeck_environment":2,"name":"n"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unsupported wsdeck environment file version 2; this wsdeck reads version 1"
        );
        assert_eq!(
            Environment::from_json("  \n").unwrap_err(),
            EnvFileError::Empty
        );
        assert_eq!(
            Environment::from_json("[1]").unwrap_err(),
            EnvFileError::NotAnObject { found: "an array" }
        );
        let e = Environment::from_json(r#"{"name":"x","values":[]}"#).unwrap_err();
        assert!(e.to_string().contains("Postman"), "{e}");
        let e = Environment::from_json(r#"{"name":"x"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a wsdeck environment file (it has no `wsdeck_environment` key)"
        );
    }

    #[test]
    fn auto_detect() {
        let l = parse_env_file(SAMPLE).unwrap();
        assert_eq!(l.kind, EnvFileKind::Wsdeck);
        assert_eq!(l.environment, sample());
        let pm = r#"{"id":"1","name":"pm","values":[{"key":"k","value":"v","type":"secret","enabled":true}],"_postman_variable_scope":"environment"}"#;
        let l = parse_env_file(pm).unwrap();
        assert_eq!(l.kind, EnvFileKind::PostmanEnvironment);
        assert_eq!(
            l.environment,
            Environment::new("pm").with(Variable::secret("k", "v"))
        );
        let g = r#"{"values":[],"_postman_variable_scope":"globals"}"#;
        assert_eq!(parse_env_file(g).unwrap().kind, EnvFileKind::PostmanGlobals);
        let collection = r#"{"info":{"_postman_id":"x","name":"c"},"item":[]}"#;
        let e = parse_env_file(collection).unwrap_err();
        assert!(e.to_string().contains("Postman collection"), "{e}");
        let e = parse_env_file(r#"{"a":1}"#).unwrap_err();
        assert_eq!(e, EnvFileError::Unrecognized { hint: "" });
    }

    #[test]
    fn var_args() {
        assert_eq!(
            parse_var_arg("token=a=b").unwrap(),
            Variable::new("token", "a=b")
        );
        assert_eq!(parse_var_arg("empty=").unwrap(), Variable::new("empty", ""));
        assert_eq!(
            parse_var_arg("$timestamp=1").unwrap(),
            Variable::new("$timestamp", "1")
        );
        assert_eq!(
            parse_var_arg("novalue").unwrap_err().to_string(),
            "expected NAME=VALUE, but `novalue` has no `=`"
        );
        let e = parse_var_arg("=secret").unwrap_err();
        assert_eq!(e.to_string(), "in `=…`: the variable name is empty");
        assert!(matches!(
            parse_var_arg("a b =x").unwrap_err(),
            VarArgError::BadName {
                error: NameError::Whitespace { .. },
                ..
            }
        ));
        let long = "x".repeat(100);
        let e = parse_var_arg(&long).unwrap_err().to_string();
        assert!(e.contains(&format!("`{}…`", "x".repeat(40))), "{e}");
        let vars = parse_var_args(["a=1", "b=2"]).unwrap();
        assert_eq!(vars.len(), 2);
        assert!(parse_var_args(["a=1", "b"]).is_err());
    }

    #[test]
    fn set_and_get() {
        let mut env = sample();
        env.set("token", "new");
        assert!(env.get("token").unwrap().secret);
        assert_eq!(env.get("token").unwrap().value, "new");
        env.set("old_host", "back");
        assert_eq!(env.get("old_host").unwrap().value, "back");
        env.set("fresh", "1");
        assert_eq!(env.variables.last().unwrap().name, "fresh");
    }
}
