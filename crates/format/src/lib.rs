//! Message formats and `{{variables}}` for wsdeck.
//!
//! Everything a front end needs to turn what a user typed into bytes to send, and bytes that
//! arrived into something readable: format detection, validation with positions, beautify and
//! minify, hex/base64 input, hexdumps, and `{{variable}}` templates with environments, secrets
//! and dynamic values. Pure functions over text and bytes: no I/O, no async, no printing.

pub mod binary;
pub mod detect;
pub mod error;
pub mod hexdump;
pub mod html;
mod html_lexer;
pub mod json;
pub mod style;
pub mod xml;

pub use detect::{Detected, Format, detect, render};
pub use error::{Diagnostic, FormatError, Position, Severity};
pub use hexdump::{HexDump, HexLine};
pub use style::{Indent, Style};

pub mod autocomplete;
pub mod dynamic;
pub mod environment;
pub mod postman;
pub mod resolve;
pub mod scope;
pub mod serde_words;
mod similar;
pub mod template;
