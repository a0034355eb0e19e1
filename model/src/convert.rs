//! Conversion between JSON values and Automerge values, so the schema lives in serde structs.
//!
//! Writing: a serde struct becomes a `serde_json::Value`, then a `hydrate::Value` that Automerge
//! creates as one object tree. Reading: the document serialises through `AutoSerde` into JSON and
//! then into the structs. Only maps, strings, integers, booleans and null are used by the schema.

use automerge::{ScalarValue, hydrate};
use serde_json::Value as Json;

/// Turns a JSON value into an Automerge value tree. Floats are stored as `F64`; integers as `Int`.
pub fn json_to_hydrate(v: &Json) -> hydrate::Value {
    match v {
        Json::Null => hydrate::Value::Scalar(ScalarValue::Null),
        Json::Bool(b) => hydrate::Value::Scalar(ScalarValue::Boolean(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => hydrate::Value::Scalar(ScalarValue::Int(i)),
            None => hydrate::Value::Scalar(ScalarValue::F64(n.as_f64().unwrap_or_default())),
        },
        Json::String(s) => hydrate::Value::Scalar(ScalarValue::Str(s.as_str().into())),
        Json::Array(items) => items.iter().map(json_to_hydrate).collect::<Vec<_>>().into(),
        Json::Object(map) => {
            let m: std::collections::HashMap<String, hydrate::Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), json_to_hydrate(v)))
                .collect();
            hydrate::Value::Map(m.into())
        }
    }
}

/// Reads a whole document as JSON (maps sorted by key).
pub fn doc_to_json(doc: &automerge::Automerge) -> Json {
    serde_json::to_value(automerge::AutoSerde::from(doc)).unwrap_or(Json::Null)
}
