//! Params and results of the pure helpers: `wsdeck.format.*` and `wsdeck.vars.complete`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Variable;

/// Params of `wsdeck.format.detect`: exactly one of `text` and `base64`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct DetectParams {
    pub text: Option<String>,
    pub base64: Option<String>,
}

/// What a message is, as `wsdeck.format.detect` finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum DetectedFormat {
    Text,
    Json,
    Xml,
    Html,
    Binary,
}

impl From<wsdeck_format::Format> for DetectedFormat {
    fn from(f: wsdeck_format::Format) -> Self {
        match f {
            wsdeck_format::Format::Text => DetectedFormat::Text,
            wsdeck_format::Format::Json => DetectedFormat::Json,
            wsdeck_format::Format::Xml => DetectedFormat::Xml,
            wsdeck_format::Format::Html => DetectedFormat::Html,
            wsdeck_format::Format::Binary => DetectedFormat::Binary,
        }
    }
}

/// Result of `wsdeck.format.detect`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct Detected {
    pub format: DetectedFormat,
    pub mime: String,
    pub size: u64,
}

/// A text format the beautifier and minifier know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum TextFormat {
    Json,
    Xml,
    Html,
}

/// An indent: 0 to 16 spaces, or `"tab"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(untagged)]
pub enum IndentParam {
    Spaces(#[schemars(range(max = 16))] u8),
    Tab(TabWord),
}

/// The word `tab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum TabWord {
    Tab,
}

/// Params of `wsdeck.format.minify`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct MinifyParams {
    pub text: String,
    pub format: TextFormat,
}

/// Params of `wsdeck.format.beautify`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct RenderParams {
    pub text: String,
    pub format: TextFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub indent: Option<IndentParam>,
}

/// A text result (`wsdeck.format.beautify`, `wsdeck.format.minify`, `wsdeck.history.export`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct TextResult {
    pub text: String,
}

/// What `wsdeck.format.validate` checks: the text formats, and binary input as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum ValidateFormat {
    Json,
    Xml,
    Html,
    Hex,
    Base64,
}

/// Params of `wsdeck.format.validate`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct ValidateParams {
    pub text: String,
    pub format: ValidateFormat,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a text, with its position (line and column from 1, byte offset).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
    pub line: u64,
    pub column: u64,
    pub offset: u64,
}

impl From<&wsdeck_format::Diagnostic> for Diagnostic {
    fn from(d: &wsdeck_format::Diagnostic) -> Self {
        Diagnostic {
            severity: match d.severity {
                wsdeck_format::Severity::Error => Severity::Error,
                wsdeck_format::Severity::Warning => Severity::Warning,
            },
            message: d.message.clone(),
            hint: d.hint.clone(),
            line: d.at.line as u64,
            column: d.at.column as u64,
            offset: d.at.offset as u64,
        }
    }
}

/// Result of `wsdeck.format.validate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct Validation {
    /// No error (warnings allowed).
    pub ok: bool,
    pub errors: Vec<Diagnostic>,
    /// Diagnostics left out because the answer would have been too large.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub omitted: Option<u64>,
}

/// Params of `wsdeck.format.hexdump`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct HexdumpParams {
    pub base64: String,
    /// Bytes per line (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 256))]
    #[ts(optional)]
    pub width: Option<usize>,
}

/// One line of a hexdump.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct HexdumpLine {
    pub offset: u64,
    pub hex: String,
    pub ascii: String,
}

/// Result of `wsdeck.format.hexdump`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct Hexdump {
    pub lines: Vec<HexdumpLine>,
}

/// Params of `wsdeck.vars.complete`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct CompleteParams {
    pub text: String,
    /// A byte offset into `text`.
    pub cursor: usize,
    #[serde(default)]
    #[ts(as = "Option<Vec<Variable>>", optional)]
    pub variables: Vec<Variable>,
}

/// A byte range of the text.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
pub struct Range {
    pub start: u64,
    pub end: u64,
}

/// One completion: a variable's name, where it comes from and its value (secrets as `****`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct CompletionItem {
    pub name: String,
    pub scope: String,
    pub preview: String,
    pub description: Option<String>,
    pub insert_text: String,
}

/// Result of `wsdeck.vars.complete`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// The text the chosen item's `insertText` replaces.
    pub replace_range: Range,
    pub items: Vec<CompletionItem>,
}
