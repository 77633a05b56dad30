//! A borrowed JSON tree for parsing provider payloads fast: strings without
//! escapes borrow from the input, objects are vectors of pairs (rows have a
//! dozen keys; a linear scan beats a tree map and allocates once).
//! `serde_json` does the parsing (and its recursion limit guards the stack).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

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

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        Json::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Json<'de>, E> {
        Ok(Json::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Json<'de>, E> {
        Ok(i64::try_from(u).map_or(Json::Float(u as f64), Json::Int))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Json<'de>, E> {
        Ok(Json::Float(f))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));

        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut pairs = Vec::new();
        while let Some(key) = map.next_key::<Json<'de>>()? {
            let Json::Str(key) = key else {
                return Err(de::Error::custom("object keys must be strings"));
            };
            pairs.push((key, map.next_value()?));
        }
        Ok(Json::Object(pairs))
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
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
        let json: Json = serde_json::from_str(text).unwrap();
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

/// Parses a provider payload, keeping only the fields its parser reads.
///
/// `keep` says which session-level fields to keep; every other field of a
/// session object is skipped without being built (`IgnoredAny`). `rows` is the
/// field of a list body holding the sessions (`None` for a single object or a
/// bare array). Everything else is parsed in full.
pub fn parse_pruned<'a>(
    text: &'a str,
    rows: Option<&'static str>,
    keep: fn(&str) -> bool,
) -> Result<Json<'a>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = de::DeserializeSeed::deserialize(
        Pruned {
            level: Level::Body,
            rows,
            keep,
        },
        &mut de,
    )?;
    de.end()?;
    Ok(value)
}

#[derive(Clone, Copy)]
enum Level {
    /// The whole body: a session, a bare array of sessions, or a list object.
    Body,
    /// The array of sessions in a list object.
    Rows,
    /// One session object.
    Row,
}

#[derive(Clone, Copy)]
struct Pruned {
    level: Level,
    rows: Option<&'static str>,
    keep: fn(&str) -> bool,
}

impl Pruned {
    fn at(self, level: Level) -> Pruned {
        Pruned { level, ..self }
    }
}

impl<'de> de::DeserializeSeed<'de> for Pruned {
    type Value = Json<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pruned {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Json<'de>, E> {
        JsonVisitor.visit_i64(i)
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Json<'de>, E> {
        JsonVisitor.visit_u64(u)
    }
    fn visit_f64<E>(self, f: f64) -> Result<Json<'de>, E> {
        Ok(Json::Float(f))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        match self.level {
            // A bare array at the top (Mangopay), or a list's rows: sessions.
            Level::Body | Level::Rows => {
                while let Some(item) = seq.next_element_seed(self.at(Level::Row))? {
                    items.push(item);
                }
            }
            Level::Row => {
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
            }
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        // A session object keeps at most about fifteen fields: size it once.
        let mut pairs = Vec::with_capacity(match self.level {
            Level::Row | Level::Body => 16,
            Level::Rows => 4,
        });
        while let Some(key) = map.next_key::<Json<'de>>()? {
            let Json::Str(key) = key else {
                return Err(de::Error::custom("object keys must be strings"));
            };
            let value = match self.level {
                Level::Body if self.rows == Some(key.as_ref()) => {
                    map.next_value_seed(self.at(Level::Rows))?
                }
                Level::Body if self.rows.is_none() => {
                    // A single session at the top.
                    if !(self.keep)(key.as_ref()) {
                        map.next_value::<de::IgnoredAny>()?;
                        continue;
                    }
                    map.next_value()?
                }
                Level::Row if !(self.keep)(key.as_ref()) => {
                    map.next_value::<de::IgnoredAny>()?;
                    continue;
                }
                _ => map.next_value()?,
            };
            pairs.push((key, value));
        }
        Ok(Json::Object(pairs))
    }
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
/// The parser's, when the text is not JSON.
pub fn stream_rows<'a, F: FnMut(usize, Json<'a>) -> bool>(
    text: &'a str,
    rows: Option<&'static str>,
    keep: fn(&str) -> bool,
    each: F,
) -> Result<Json<'a>, serde_json::Error> {
    let each = std::cell::RefCell::new(each);
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Streamed {
        pruned: Pruned {
            level: Level::Body,
            rows,
            keep,
        },
        each: &each,
    };
    let value = de::DeserializeSeed::deserialize(seed, &mut de)?;
    de.end()?;
    Ok(value)
}

/// [`Pruned`] at the body and rows levels, streaming the rows.
struct Streamed<'s, F> {
    pruned: Pruned,
    each: &'s std::cell::RefCell<F>,
}

impl<F> Clone for Streamed<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Streamed<'_, F> {}

impl<'a, F: FnMut(usize, Json<'a>) -> bool> de::DeserializeSeed<'a> for Streamed<'_, F> {
    type Value = Json<'a>;
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<Json<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a, F: FnMut(usize, Json<'a>) -> bool> Visitor<'a> for Streamed<'_, F> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json<'a>, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Json<'a>, E> {
        JsonVisitor.visit_i64(i)
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Json<'a>, E> {
        JsonVisitor.visit_u64(u)
    }
    fn visit_f64<E>(self, f: f64) -> Result<Json<'a>, E> {
        Ok(Json::Float(f))
    }
    fn visit_borrowed_str<E>(self, s: &'a str) -> Result<Json<'a>, E> {
        Ok(Json::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json<'a>, E> {
        Ok(Json::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Json<'a>, A::Error> {
        // A bare array at the top, or a list's rows: sessions, one at a time.
        let mut index = 0;
        while let Some(item) = seq.next_element_seed(self.pruned.at(Level::Row))? {
            if !(self.each.borrow_mut())(index, item) {
                return Err(de::Error::custom(STOPPED));
            }
            index += 1;
        }
        Ok(Json::Array(Vec::new()))
    }
    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Json<'a>, A::Error> {
        if !matches!(self.pruned.level, Level::Body) {
            // The rows field holds an object: not a list; kept for the error.
            return self.pruned.visit_map(map);
        }
        let mut pairs = Vec::with_capacity(4);
        let mut rows_seen = false;
        while let Some(key) = map.next_key::<Json<'a>>()? {
            let Json::Str(key) = key else {
                return Err(de::Error::custom("object keys must be strings"));
            };
            let value = if self.pruned.rows == Some(key.as_ref()) {
                // Rows streamed twice would be read as one list: refused, as
                // the parsed-tree path refuses them.
                if std::mem::replace(&mut rows_seen, true) {
                    return Err(de::Error::custom(format!(
                        "the list body has `{key}` twice"
                    )));
                }
                map.next_value_seed(Streamed {
                    pruned: self.pruned.at(Level::Rows),
                    ..self
                })?
            } else {
                map.next_value()?
            };
            pairs.push((key, value));
        }
        Ok(Json::Object(pairs))
    }
}
