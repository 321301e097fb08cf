//! The wire contract: every type that crosses the API, defined once, here. The dispatcher
//! parses params into these types and answers with them; `rpc.discover`'s OpenRPC document
//! (`docs/openrpc.json`) and the page's TypeScript types (`ui/src/api.gen.ts`) are generated
//! from them (see [`contract`]); `wsdeck connect --jsonl` and the history export write
//! [`event::JsonlEvent`]s.

pub mod contract;
pub mod error;
pub mod event;
pub mod format;
pub mod history;
pub mod sessions;
pub mod snap;
pub mod workspace;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A `[name, value]` pair: a query parameter or a header, in order.
pub type Pair = (String, String);

/// A variable for `{{name}}` in a request or a message; a secret one shows as `****`
/// wherever wsdeck shows where it was used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub name: String,
    pub value: String,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub secret: bool,
}

impl From<Variable> for wsdeck_format::environment::Variable {
    fn from(v: Variable) -> Self {
        let Variable {
            name,
            value,
            secret,
        } = v;
        if secret {
            wsdeck_format::environment::Variable::secret(name, value)
        } else {
            wsdeck_format::environment::Variable::new(name, value)
        }
    }
}

/// Params of a method that takes none (an empty object or no params at all).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, TS)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}
