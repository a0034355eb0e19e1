//! Conversion between JSON values and Automerge values, so the schema lives in serde structs.
//!
//! Writing: a serde struct becomes a `serde_json::Value`, then a `hydrate::Value` that Automerge
//! creates as one object tree. Reading: the document is hydrated in one pass into JSON and then
//! into the structs. Only maps, strings, integers, booleans and null are used by the schema.

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

/// Reads a whole document as JSON (maps sorted by key). `hydrate` walks the document once,
/// which is much cheaper than a lookup per key on a document with many entries.
pub fn doc_to_json(doc: &automerge::Automerge) -> Json {
    hydrate_to_json(&doc.hydrate(None))
}

pub(crate) fn hydrate_to_json(v: &hydrate::Value) -> Json {
    match v {
        hydrate::Value::Scalar(s) => match s {
            ScalarValue::Str(s) => Json::String(s.to_string()),
            ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Json::from(*i),
            ScalarValue::Uint(u) => Json::from(*u),
            ScalarValue::F64(f) => Json::from(*f),
            ScalarValue::Boolean(b) => Json::Bool(*b),
            // Counters, bytes and unknown types are not part of the job schema.
            _ => Json::Null,
        },
        hydrate::Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, mv)| (k.clone(), hydrate_to_json(&mv.value)))
                .collect(),
        ),
        hydrate::Value::List(l) => {
            Json::Array(l.iter().map(|lv| hydrate_to_json(&lv.value)).collect())
        }
        hydrate::Value::Text(t) => Json::String(String::from(t)),
    }
}
