//! A borrowed JSON tree for parsing provider payloads fast: strings without
//! escapes borrow from the input, objects are vectors of pairs (rows have a
//! dozen keys; a linear scan beats a tree map and allocates once).
//! The crate's own reader ([`reader`]) builds it, skipping the fields no
//! parser reads; `serde_json::Value` is only an output (`raw`).

pub mod fields;
mod reader;
mod tree;

pub(crate) use reader::plain_end;
use reader::Reader;
pub use reader::{JsonError, MAX_DEPTH, STOPPED};
use serde_json::Value;
pub use tree::Json;

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

/// True when `text` is one JSON value, checked without building it.
pub fn is_json(text: &str) -> bool {
    let mut reader = Reader::new(text);
    reader.skip_value().is_ok() && reader.end().is_ok()
}

/// Parses JSON text in full into an owned `serde_json::Value`.
///
/// # Errors
/// As [`parse`].
pub fn parse_value(text: &str) -> Result<Value, JsonError> {
    parse(text).map(|json| json.to_value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

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
