//! The wire contract: every type that crosses the API, defined once, here (the api crate
//! re-exports it as `wsdeck_api::wire`). The dispatcher parses params into these types and
//! answers with them; `rpc.discover`'s OpenRPC document (`docs/openrpc.json`) and the page's
//! TypeScript types (`ui/src/api.gen.ts`) are generated from them (see [`contract`]);
//! `wsdeck connect --jsonl` and the history export write [`event::JsonlEvent`]s, and the
//! history stores connection events and handshakes as these values. A crate of its own, below
//! both the history and the api, so that both use the one definition.

pub mod contract;
pub mod error;
pub mod event;
pub mod format;
pub mod history;
pub mod sessions;
pub mod snap;
pub mod workspace;

use schemars::JsonSchema;
/// serde's traits, for crates that write wire values (the history stores them).
pub use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A `[name, value]` pair: a query parameter or a header, in order.
pub type Pair = (String, String);

/// A variable for `{{name}}`: in `wsdeck.open` and `wsdeck.send` (resolved before sending)
/// and in a saved environment. A disabled one is kept but not used; a secret one shows as
/// `****` wherever wsdeck shows where it was used, and is kept outside the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub name: String,
    #[serde(default)]
    #[ts(as = "Option<String>", optional)]
    pub value: String,
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub enabled: bool,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub secret: bool,
}

fn yes() -> bool {
    true
}

impl From<Variable> for wsdeck_format::environment::Variable {
    fn from(v: Variable) -> Self {
        let Variable {
            name,
            value,
            enabled,
            secret,
        } = v;
        wsdeck_format::environment::Variable {
            name,
            value,
            secret,
            enabled,
        }
    }
}

impl From<wsdeck_format::environment::Variable> for Variable {
    fn from(v: wsdeck_format::environment::Variable) -> Self {
        let wsdeck_format::environment::Variable {
            name,
            value,
            secret,
            enabled,
        } = v;
        Variable {
            name,
            value,
            enabled,
            secret,
        }
    }
}

/// Params of a method that takes none (an empty object or no params at all).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}
