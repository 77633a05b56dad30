//! Reading a struct back from a [`Json`] object by serde's rules for the
//! derives: unknown fields ignored, a missing field an error unless it has a
//! default, `null` or missing for an `Option` is `None`, any other type an
//! error that names the field. For values this crate wrote (sessions and
//! webhook events handed back by JS): the wasm needs no serde deserializer.

use super::tree::Json;
use serde_json::Value;

/// Why a value is not the struct it should be.
pub type ReadError = String;

/// The fields of one object.
pub struct Fields<'b, 'a> {
    object: &'b Json<'a>,
}

impl<'b, 'a> Fields<'b, 'a> {
    /// The object's fields, or an error naming what it should have been.
    ///
    /// # Errors
    /// When `json` is not an object.
    pub fn of(json: &'b Json<'a>, what: &str) -> Result<Self, ReadError> {
        match json {
            Json::Object(_) => Ok(Fields { object: json }),
            other => Err(expected(what, other)),
        }
    }

    fn get(&self, name: &str) -> Option<&'b Json<'a>> {
        self.object.get(name)
    }

    /// A field that must be there.
    ///
    /// # Errors
    /// When it is missing or `read` refuses it.
    pub fn required<T>(
        &self,
        name: &str,
        read: impl Fn(&'b Json<'a>) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        match self.get(name) {
            Some(value) => read(value).map_err(|e| format!("`{name}`: {e}")),
            None => Err(format!("missing field `{name}`")),
        }
    }

    /// A field that is its type's default when missing.
    ///
    /// # Errors
    /// When `read` refuses it.
    pub fn or_default<T: Default>(
        &self,
        name: &str,
        read: impl Fn(&'b Json<'a>) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        match self.get(name) {
            Some(value) => read(value).map_err(|e| format!("`{name}`: {e}")),
            None => Ok(T::default()),
        }
    }

    /// An optional field: missing or `null` is `None`.
    ///
    /// # Errors
    /// When `read` refuses it.
    pub fn optional<T>(
        &self,
        name: &str,
        read: impl Fn(&'b Json<'a>) -> Result<T, ReadError>,
    ) -> Result<Option<T>, ReadError> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(value) => read(value).map(Some).map_err(|e| format!("`{name}`: {e}")),
        }
    }
}

fn expected(what: &str, got: &Json<'_>) -> ReadError {
    format!("expected {what}, got {}", got.type_name())
}

/// A string.
///
/// # Errors
/// Any other type.
pub fn string(json: &Json<'_>) -> Result<String, ReadError> {
    match json {
        Json::Str(s) => Ok(s.to_string()),
        other => Err(expected("a string", other)),
    }
}

/// `true` or `false`.
///
/// # Errors
/// Any other type.
pub fn boolean(json: &Json<'_>) -> Result<bool, ReadError> {
    match json {
        Json::Bool(b) => Ok(*b),
        other => Err(expected("a boolean", other)),
    }
}

/// An integer in `i64`.
///
/// # Errors
/// Any other type or number.
pub fn integer(json: &Json<'_>) -> Result<i64, ReadError> {
    match json {
        Json::Int(i) => Ok(*i),
        other => Err(expected("an integer", other)),
    }
}

/// Any value, owned.
///
/// # Errors
/// Never.
pub fn value(json: &Json<'_>) -> Result<Value, ReadError> {
    Ok(json.to_value())
}

/// An array, each item read with `item`.
///
/// # Errors
/// When it is not an array or an item is refused (named by its index).
pub fn list<'b, 'a: 'b, T>(
    item: impl Fn(&'b Json<'a>) -> Result<T, ReadError>,
) -> impl Fn(&'b Json<'a>) -> Result<Vec<T>, ReadError> {
    move |json| match json {
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| item(v).map_err(|e| format!("[{i}]: {e}")))
            .collect(),
        other => Err(expected("an array", other)),
    }
}

/// One of an enum's names (`name` gives each variant's); an unknown name is
/// `other` when the enum has a catch-all, else an error.
///
/// # Errors
/// Not a string, or an unknown name without a catch-all.
pub fn one_of<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    other: Option<T>,
) -> impl Fn(&Json<'_>) -> Result<T, ReadError> + '_ {
    move |json| match json {
        Json::Str(s) => all
            .iter()
            .copied()
            .find(|v| name(*v) == s.as_ref())
            .or(other)
            .ok_or_else(|| format!("unknown variant `{s}`")),
        other => Err(expected("a string", other)),
    }
}
