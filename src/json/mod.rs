//! A borrowed JSON tree for parsing provider payloads fast: strings without
//! escapes borrow from the input, objects are vectors of pairs (rows have a
//! dozen keys; a linear scan beats a tree map and allocates once).
//! The crate's own reader ([`reader`]) builds it, skipping the fields no
//! parser reads; `serde_json::Value` is only an output (`raw`).

mod reader;

pub use reader::{JsonError, MAX_DEPTH};
use reader::Reader;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::borrow::Cow;

/// One JSON value, borrowing from the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object, keys in document order.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The JSON type, as named in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Int(_) | Json::Float(_) => "number",
            Json::Str(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    /// A field of an object (the last one, when a key is repeated).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(pairs) => pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative integer, when it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Int(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }

    /// The number as `f64`, when it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Int(i) => Some(*i as f64),
            Json::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// An owned `serde_json::Value` (for `raw`).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(i) => Value::from(*i),
            Json::Float(f) => Value::from(*f),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(pairs) => {
                // Inserted one by one (the last of a repeated key wins, as in
                // `collect`, which would sort first: a sort's code in the wasm).
                let mut map = serde_json::Map::new();
                for (k, v) in pairs {
                    map.insert(k.to_string(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// Borrows a `serde_json::Value` as a `Json`.
    pub fn from_value(value: &'a Value) -> Json<'a> {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Json::Int(i),
                None => Json::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Json::Str(Cow::Borrowed(s)),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                    .collect(),
            ),
        }
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Int(i) => s.serialize_i64(*i),
            Json::Float(f) => s.serialize_f64(*f),
            Json::Str(v) => s.serialize_str(v),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_round_trips() {
        let text = r#"{"a":"plain","b":"esc\"aped","n":[1,-2,3.5,1e300],"o":{"x":null,"y":true},"a":"last"}"#;
        let json = parse(text).unwrap();
        assert!(matches!(json.get("b"), Some(Json::Str(Cow::Owned(_)))));
        assert_eq!(
            json.get("a").and_then(Json::as_str),
            Some("last"),
            "last key wins, as in serde_json"
        );
        let Some(Json::Array(n)) = json.get("n") else {
            panic!()
        };
        assert_eq!(n[0], Json::Int(1));
        assert_eq!(n[1], Json::Int(-2));
        assert_eq!(n[2], Json::Float(3.5));
        assert!(matches!(n[3], Json::Float(_)));
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(json.to_value(), value);
        assert_eq!(Json::from_value(&value).to_value(), value);
        assert_eq!(serde_json::to_value(&json).unwrap(), value);
    }
}


/// Parses JSON text in full.
///
/// # Errors
/// When the text is not one JSON value (whitespace around it aside).
pub fn parse(text: &str) -> Result<Json<'_>, JsonError> {
    let mut reader = Reader::new(text);
    let value = reader.value()?;
    reader.end()?;
    Ok(value)
}

/// Parses a provider payload, keeping only the fields its parser reads.
///
/// `keep` says which session-level fields to keep; every other field of a
/// session object is checked and skipped, never built. `rows` is the field
/// of a list body holding the sessions (`None` for a single object or a
/// bare array). Everything else is parsed in full.
///
/// # Errors
/// When the text is not JSON.
pub fn parse_pruned<'a>(
    text: &'a str,
    rows: Option<&str>,
    keep: fn(&str) -> bool,
) -> Result<Json<'a>, JsonError> {
    let mut reader = Reader::new(text);
    let value = reader.body(rows, keep, None)?;
    reader.end()?;
    Ok(value)
}

/// The message of the error that stops [`stream_rows`] when its callback
/// says so.
pub const STOPPED: &str = "stopped by the row callback";

/// Parses a list body like [`parse_pruned`], but hands each session row to
/// `each` (with its index) as soon as it is parsed, so that the list never
/// exists whole in memory. Returns the rest of the body, its rows array
/// empty. `each` returns false to stop: the parse then fails with [`STOPPED`].
///
/// # Errors
/// When the text is not JSON, or a list object has its rows twice.
pub fn stream_rows<'a, F: FnMut(usize, Json<'a>) -> bool>(
    text: &'a str,
    rows: Option<&str>,
    keep: fn(&str) -> bool,
    mut each: F,
) -> Result<Json<'a>, JsonError> {
    let mut reader = Reader::new(text);
    let mut sink = |index, row| {
        if each(index, row) {
            Ok(())
        } else {
            Err(JsonError::stopped())
        }
    };
    let value = reader.body(rows, keep, Some(&mut sink))?;
    reader.end()?;
    Ok(value)
}
