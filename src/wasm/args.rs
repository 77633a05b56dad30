//! Reading JS arguments without ever letting JS throw through a wasm frame
//! (a throw there leaks the module's stack, and enough of them kill the
//! module). Every export takes its arguments as `JsValue`s (no glue code
//! converts them first) and reads them here: type checks, property reads
//! through `Reflect` (a throwing getter or Proxy trap is caught),
//! `JSON.stringify` (caught), byte copies from buffers checked for detachment
//! first. A bad argument is an [`IdvError`], never a `TypeError` or a trap.

use crate::error::{ErrorCode, IdvError};
use crate::providers::Provider;
use js_sys::{Array, Function, Reflect, JSON};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A property of a JS value; `undefined` when absent, when the value is not
/// an object, or when reading it throws.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// True for `undefined` and `null`.
pub(crate) fn is_nothing(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// What a value holds as bytes.
pub(crate) enum Bytes {
    /// An `ArrayBuffer` or a view of one (`Uint8Array`, `DataView`, any typed array).
    Some(Vec<u8>),
    /// Not a buffer.
    Not,
    /// A buffer that was transferred away: nothing can be read.
    Detached,
}

fn uint8_view(args: &Array) -> Option<js_sys::Uint8Array> {
    let ctor = get(&js_sys::global(), "Uint8Array")
        .dyn_into::<Function>()
        .ok()?;
    Reflect::construct(&ctor, args)
        .ok()
        .and_then(|v| v.dyn_into().ok())
}

/// The bytes of an `ArrayBuffer` or any view of one, copied into wasm memory.
pub(crate) fn bytes(value: &JsValue) -> Bytes {
    if !value.is_object() {
        return Bytes::Not;
    }
    // A fresh view over the caller's buffer: constructing it is what throws
    // (caught) when the buffer is detached; copying from it then cannot.
    let view = if value.is_instance_of::<js_sys::ArrayBuffer>() {
        uint8_view(&Array::of1(value))
    } else if js_sys::ArrayBuffer::is_view(value) {
        uint8_view(&Array::of3(
            &get(value, "buffer"),
            &get(value, "byteOffset"),
            &get(value, "byteLength"),
        ))
    } else {
        return Bytes::Not;
    };
    match view {
        Some(view) => Bytes::Some(view.to_vec()),
        None => Bytes::Detached,
    }
}

/// The bytes of a response body, when it is a buffer that is still readable.
pub(crate) fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    match bytes(value) {
        Bytes::Some(bytes) => Some(bytes),
        Bytes::Not | Bytes::Detached => None,
    }
}

fn decode(provider: Option<Provider>, message: String) -> IdvError {
    IdvError::new(ErrorCode::Decode, provider, message)
}

/// A provider name.
pub(crate) fn provider(value: &JsValue) -> Result<Provider, IdvError> {
    let name = value.as_string();
    name.as_deref().and_then(Provider::parse).ok_or_else(|| {
        let names: Vec<String> = Provider::ALL.iter().map(|p| format!("\"{p}\"")).collect();
        IdvError::config(
            None,
            format!(
                "unknown provider {}: expected {}",
                match &name {
                    Some(n) => format!("\"{}\"", n.chars().take(40).collect::<String>()),
                    None => "(not a string)".to_string(),
                },
                names.join(", ")
            ),
        )
    })
}

/// A string argument (`what` names it in the error).
pub(crate) fn string(value: &JsValue, what: &str) -> Result<String, IdvError> {
    value
        .as_string()
        .ok_or_else(|| IdvError::config(None, format!("{what} must be a string")))
}

/// An optional string argument: `undefined`/`null` is `None`.
pub(crate) fn optional_string(value: &JsValue, what: &str) -> Result<Option<String>, IdvError> {
    if is_nothing(value) {
        return Ok(None);
    }
    string(value, what).map(Some)
}

/// An options argument: `undefined`/`null` or an object.
pub(crate) fn options(value: &JsValue, what: &str) -> Result<Option<JsValue>, IdvError> {
    if is_nothing(value) {
        return Ok(None);
    }
    if value.is_object() {
        return Ok(Some(value.clone()));
    }
    Err(IdvError::config(None, format!("{what} must be an object")))
}

/// `JSON.stringify(value)`, `None` when it throws (a cycle, a BigInt, a
/// throwing getter or `toJSON`) or gives nothing (a function, a Symbol).
pub(crate) fn stringify(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok().and_then(|s| s.as_string())
}

/// A JS value that belongs to no provider (a config, user references, a
/// query) as a `serde_json::Value`, through `JSON.stringify`.
pub(crate) fn value(value: &JsValue) -> Option<Value> {
    serde_json::from_str(&stringify(value)?).ok()
}

/// The JSON text of a payload: a string as is, UTF-8 bytes straight from a
/// response body (`await res.arrayBuffer()`, no UTF-16 string in between),
/// or any other value through `JSON.stringify`.
pub(crate) fn payload(provider: Provider, value: &JsValue) -> Result<String, IdvError> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if is_nothing(value) {
        return Err(decode(
            Some(provider),
            format!("{provider}: expected a JSON object, JSON text or bytes, got nothing"),
        ));
    }
    match bytes(value) {
        Bytes::Some(bytes) => {
            return Ok(String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        }
        Bytes::Detached => {
            return Err(decode(
                Some(provider),
                format!("{provider}: the buffer is detached (transferred away): nothing to read"),
            ))
        }
        Bytes::Not => {}
    }
    stringify(value).ok_or_else(|| {
        decode(
            Some(provider),
            format!(
                "{provider}: the value cannot be read as JSON (a cycle, a BigInt, a function, \
                 a Symbol, or a getter that throws)"
            ),
        )
    })
}

/// A provider's JSON argument (a query, a create input) as a `serde_json::Value`.
pub(crate) fn json(provider: Provider, value: &JsValue, what: &str) -> Result<Value, IdvError> {
    if is_nothing(value) {
        return Ok(Value::Null);
    }
    let text = payload(provider, value).map_err(|e| IdvError {
        code: ErrorCode::Config,
        ..e
    })?;
    crate::providers::parse_json(provider, &text)
        .map(|json| json.to_value())
        .map_err(|_| {
            IdvError::config(
                Some(provider),
                format!("{provider}: {what} must be an object (or its JSON text)"),
            )
        })
}
