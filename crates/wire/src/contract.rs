//! What the method table needs of a method's types to describe it, and the two documents made
//! from the table: the OpenRPC document (`rpc.discover`, checked in as `docs/openrpc.json`)
//! and the TypeScript module of the page (`ui/src/api.gen.ts`: every wire type and a typed
//! method map). A test compares both files with what the code makes, so CI fails when one is
//! stale; `WSDECK_BLESS=1 cargo test -p wsdeck-api --test contract` writes them anew.

use std::collections::{BTreeMap, BTreeSet};

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};
use ts_rs::{Config, TS, TypeVisitor};

/// A method's params and result types, as functions the table can hold in a `const`.
#[derive(Debug, Clone, Copy)]
pub struct Contract {
    params: fn(&mut SchemaGenerator) -> Schema,
    result: fn(&mut SchemaGenerator) -> Schema,
    params_ts: fn(&Config) -> String,
    result_ts: fn(&Config) -> String,
    declare: fn(&mut Declarations),
}

impl Contract {
    /// The contract of a method taking `P` (an object: its fields are the by-name params)
    /// and answering `R`.
    pub const fn of<P, R>() -> Contract
    where
        P: JsonSchema + TS + 'static,
        R: JsonSchema + TS + 'static,
    {
        Contract {
            params: |g| g.subschema_for::<P>(),
            result: |g| g.subschema_for::<R>(),
            params_ts: |cfg| P::name(cfg),
            result_ts: |cfg| R::name(cfg),
            declare: |d| {
                d.visit::<P>();
                d.visit::<R>();
            },
        }
    }
}

/// One method as the documents describe it.
#[derive(Debug, Clone, Copy)]
pub struct Described {
    pub name: &'static str,
    pub summary: &'static str,
    pub contract: Contract,
}

/// The TypeScript settings: 64-bit integers are JSON numbers on this wire (ids, sequence
/// numbers and sizes stay below 2^53).
fn ts_config() -> Config {
    Config::new().with_large_int("number")
}

/// The OpenRPC 1.2 document of `methods`, with `notifications` (name, params type schema
/// and summary) described under `x-notifications`.
pub fn openrpc(methods: &[Described], notifications: &[Notification]) -> Value {
    let mut settings = SchemaSettings::draft07().for_deserialize();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    let mut generator = settings.into_generator();
    let methods: Vec<Value> = methods
        .iter()
        .map(|m| {
            let params = (m.contract.params)(&mut generator);
            let result = (m.contract.result)(&mut generator);
            json!({
                "name": m.name,
                "summary": m.summary,
                "paramStructure": "by-name",
                "params": by_name(&params, &generator),
                "result": {"name": "result", "schema": result},
            })
        })
        .collect();
    let notes: Vec<Value> = notifications
        .iter()
        .map(|n| {
            json!({
                "name": n.name,
                "summary": n.summary,
                "params": (n.contract.params)(&mut generator),
            })
        })
        .collect();
    let schemas = generator.take_definitions(true);
    json!({
        "openrpc": "1.2.6",
        "info": {
            "title": "wsdeck JSON-RPC API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "snap_* (MetaMask Snaps WebSocket dialect) and wsdeck.* methods; notifications (x-notifications): onWebSocketEvent, wsdeck.events.",
        },
        "methods": methods,
        "x-notifications": notes,
        "components": {"schemas": schemas},
    })
}

/// A notification the API sends: its method name and its params type.
#[derive(Debug, Clone, Copy)]
pub struct Notification {
    pub name: &'static str,
    pub summary: &'static str,
    pub contract: Contract,
}

/// The fields of a params object as OpenRPC's by-name params list.
fn by_name(params: &Schema, generator: &SchemaGenerator) -> Vec<Value> {
    let object = resolve(params.as_value(), generator);
    let required: BTreeSet<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(Value::Object(properties)) = object.get("properties") else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, schema)| {
            let mut p = Map::new();
            p.insert("name".into(), name.as_str().into());
            if let Some(d) = schema.get("description") {
                p.insert("description".into(), d.clone());
            }
            p.insert("schema".into(), schema.clone());
            p.insert("required".into(), required.contains(name.as_str()).into());
            Value::Object(p)
        })
        .collect()
}

/// A schema with a top-level `$ref` replaced by the definition it names.
fn resolve(schema: &Value, generator: &SchemaGenerator) -> Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .and_then(|name| generator.definitions().get(name))
        .cloned()
        .unwrap_or_else(|| schema.clone())
}

/// The TypeScript declarations of every type the contracts reach, each once.
pub struct Declarations {
    config: Config,
    seen: BTreeSet<String>,
    /// By name: ts-rs visits dependencies in an order that changes between builds, and the
    /// file must not.
    out: BTreeMap<String, String>,
}

impl std::fmt::Debug for Declarations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Declarations")
            .field("declared", &self.seen)
            .finish_non_exhaustive()
    }
}

impl Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        T::visit_dependencies(self);
        TypeVisitor::visit::<T>(self);
    }
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Only named types are declared; `Vec<T>`, `Option<T>`, tuples and primitives are
        // written inline, but what they hold may be named.
        // Named types by their name (`SearchParams<I>` once, whatever `I`), the rest by type.
        let path = T::output_path();
        let key = path.as_ref().map_or_else(
            || std::any::type_name::<T>().to_owned(),
            |p| p.to_string_lossy().into_owned(),
        );
        if !self.seen.insert(key.clone()) {
            return;
        }
        if path.is_none() {
            T::visit_generics(self);
            T::visit_dependencies(self);
            return;
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
        let docs = T::docs()
            .map(|d| format!("{}\n", d.trim_end()))
            .unwrap_or_default();
        let decl = format!(
            "{docs}export {}",
            <T::WithoutGenerics as TS>::decl(&self.config)
        );
        self.out.insert(key, decl);
    }
}

/// The page's TypeScript module: every type the contracts reach, then `Methods` (each
/// method's params and result) and `Notifications` (each notification's params).
pub fn typescript(
    methods: &[Described],
    notifications: &[Notification],
    extra: &[fn(&mut Declarations)],
) -> String {
    let config = ts_config();
    let mut d = Declarations {
        config: ts_config(),
        seen: BTreeSet::new(),
        out: BTreeMap::new(),
    };
    for m in methods {
        (m.contract.declare)(&mut d);
    }
    for n in notifications {
        (n.contract.declare)(&mut d);
    }
    for declare in extra {
        declare(&mut d);
    }
    let mut text = String::from(
        "// Generated from the wire types (crates/wire, wsdeck_api::wire) by\n\
         // `WSDECK_BLESS=1 cargo test -p wsdeck-api --test contract`. Do not edit: CI fails when\n\
         // this file differs from what the code makes.\n\n",
    );
    for decl in d.out.values() {
        text.push_str(decl);
        text.push_str("\n\n");
    }
    text.push_str("/** Every method: its params and its result. */\nexport interface Methods {\n");
    for m in methods {
        text.push_str(&format!(
            "  {:?}: {{ params: {}; result: {} }};\n",
            m.name,
            (m.contract.params_ts)(&config),
            (m.contract.result_ts)(&config)
        ));
    }
    text.push_str("}\n\n/** Every notification the API sends: its params. */\nexport interface Notifications {\n");
    for n in notifications {
        text.push_str(&format!(
            "  {:?}: {};\n",
            n.name,
            (n.contract.params_ts)(&config)
        ));
    }
    text.push_str("}\n");
    text
}

/// A declaration hook for a type no method names but clients read (e.g. `JsonlEvent`).
pub fn declare<T: TS + 'static>(d: &mut Declarations) {
    d.visit::<T>();
}
