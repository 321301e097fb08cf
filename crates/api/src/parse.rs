//! Reading params into wire types, and the params errors every family answers with.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use wsdeck_engine::EngineError;
use wsdeck_format::environment::Variable;
use wsdeck_format::resolve::ResolveError;

use crate::error::ApiError;
use crate::wire;

/// Deserializes params strictly; a missing or `null` params is an empty object.
pub(crate) fn parse<T: DeserializeOwned>(params: Option<Value>) -> Result<T, ApiError> {
    let value = match params {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v) => v,
    };
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "params".into() } else { path };
        ApiError::BadParam {
            path,
            reason: plain_words(&e.into_inner().to_string()),
        }
    })
}

/// serde's wording with Rust's names for types replaced by JSON's (one table, in the format
/// crate, for the API, environment files and the workspace).
fn plain_words(reason: &str) -> String {
    wsdeck_format::serde_words::json_words(reason)
}

/// Variables as the format crate holds them.
pub(crate) fn variables_of(params: Vec<wire::Variable>) -> Vec<Variable> {
    params.into_iter().map(Variable::from).collect()
}

/// A `{{variable}}` problem as a params error at the first problem's field, listing all.
pub(crate) fn resolve_error(e: ResolveError) -> ApiError {
    let path = e
        .problems()
        .first()
        .map_or_else(|| "params".to_owned(), |p| p.field.clone());
    ApiError::BadParam {
        path,
        reason: e.to_string(),
    }
}

pub(crate) fn bad_param(path: &str, reason: impl Into<String>) -> ApiError {
    ApiError::BadParam {
        path: path.into(),
        reason: reason.into(),
    }
}

pub(crate) fn not_found(kind: &'static str, id: &str) -> ApiError {
    ApiError::NotFoundResource {
        kind,
        id: id.into(),
    }
}

pub(crate) fn engine_error(id: &str) -> impl Fn(EngineError) -> ApiError + '_ {
    move |error| ApiError::Engine {
        error,
        id: Some(id.to_owned()),
    }
}
