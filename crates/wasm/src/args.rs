//! Reading JS arguments without ever letting JS throw into wasm (a throw
//! through a wasm frame leaks the module's stack, and enough of them kill the
//! module). Every export takes its arguments as `JsValue`s (no glue code
//! converts them first) and reads them here: type checks, property reads,
//! `JSON.stringify` and byte copies through the helpers of `guarded.js`,
//! which catch in JS what a getter, a Proxy trap, a cycle or a detached
//! buffer throws. A bad argument is an [`IdvError`], never a `TypeError` or
//! a trap.

use idv_sessions::error::{ErrorCode, IdvError};
use idv_sessions::session::Provider;
use js_sys::{Array, Function};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/guarded.js")]
extern "C" {
    #[wasm_bindgen(js_name = get)]
    fn guarded_get(target: &JsValue, key: &str) -> JsValue;
    #[wasm_bindgen(js_name = construct)]
    fn guarded_construct(ctor: &JsValue, args: &Array) -> JsValue;
    #[wasm_bindgen(js_name = apply)]
    fn guarded_apply(f: &JsValue, this: &JsValue, args: &Array) -> Array;
    #[wasm_bindgen(js_name = stringify)]
    fn guarded_stringify(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = settingsJson)]
    fn guarded_settings_json(value: &JsValue, data: bool) -> JsValue;
    #[wasm_bindgen(js_name = utf8Into)]
    fn utf8_into(text: &JsValue, from: u32, into: &mut [u8]) -> Array;
    #[wasm_bindgen(js_name = ownKeys)]
    fn guarded_own_keys(target: &JsValue, max: u32) -> JsValue;
    #[wasm_bindgen(js_name = entries)]
    fn guarded_entries(target: &JsValue, max: u32) -> JsValue;
    /// Calls a callback, ignoring what it throws.
    pub(crate) fn notify(callback: &JsValue, value: &JsValue);
    #[wasm_bindgen(js_name = isArray)]
    fn guarded_is_array(value: &JsValue) -> bool;
    fn cancellable(value: &JsValue) -> Array;
    fn timer(ms: f64) -> Array;
}

/// `Array.isArray(value)`, false when asking throws (a revoked Proxy).
pub(crate) fn is_array(value: &JsValue) -> bool {
    value.is_object() && guarded_is_array(value)
}

/// A JS promise being waited for. Dropped before it settled, it settles it
/// (and clears its timer): wasm-bindgen's listener on a promise that never
/// settles is never freed.
pub(crate) struct Pending {
    future: wasm_bindgen_futures::JsFuture,
    cancel: JsValue,
}

impl Pending {
    fn new(pair: Array) -> Self {
        let promise: js_sys::Promise = pair.get(0).unchecked_into();
        Pending {
            future: wasm_bindgen_futures::JsFuture::from(promise),
            cancel: pair.get(1),
        }
    }

    /// Waits for `value` (a promise, a thenable, or not).
    pub(crate) fn of(value: &JsValue) -> Self {
        Pending::new(cancellable(value))
    }

    /// Waits `ms`.
    pub(crate) fn delay(ms: u64) -> Self {
        Pending::new(timer(ms as f64))
    }
}

impl std::future::Future for Pending {
    type Output = Result<JsValue, JsValue>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.future).poll(cx)
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let _ = apply(&self.cancel, &JsValue::UNDEFINED, &Array::new());
    }
}

/// An object that is not a buffer, an array or a function: an options,
/// query or references argument.
pub(crate) fn is_plain_object(value: &JsValue) -> bool {
    value.is_object()
        && !is_array(value)
        && !value.is_instance_of::<js_sys::ArrayBuffer>()
        && !js_sys::ArrayBuffer::is_view(value)
}

/// The most bytes one argument brings into wasm memory (a JSON text, as
/// UTF-8, or its bytes). A larger one is refused before it is copied: wasm
/// memory is 4 GiB at most and never shrinks, and running out of it ends
/// the module (its answers expand invalid UTF-8 up to three times over).
pub(crate) const MAX_ARGUMENT_BYTES: usize = 512 << 20;

/// The most bytes of one response or webhook body: a page of sessions or a
/// notification is far less, and a client reads several at once.
pub(crate) const MAX_BODY_BYTES: usize = 64 << 20;

/// Why a value is refused: `what` is more than `max` bytes.
pub(crate) fn too_large(what: &str, max: usize) -> String {
    format!(
        "{what} is more than the {} MiB this module reads at once",
        max >> 20
    )
}

/// A property of a JS value; `undefined` when absent, when the value is not
/// an object, or when reading it throws.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    guarded_get(target, key)
}

/// `new ctor(...args)`; `None` when it throws.
pub(crate) fn construct(ctor: &JsValue, args: &Array) -> Option<JsValue> {
    Some(guarded_construct(ctor, args)).filter(|v| !v.is_undefined())
}

/// `f.apply(this, args)`: the result, or what it threw.
pub(crate) fn apply(f: &JsValue, this: &JsValue, args: &Array) -> Result<JsValue, JsValue> {
    let outcome = guarded_apply(f, this, args);
    if outcome.get(0).is_truthy() {
        Ok(outcome.get(1))
    } else {
        Err(outcome.get(1))
    }
}

/// `target[method](...args)`: the result, or what it threw (or that it is
/// not a function).
pub(crate) fn call_method(
    target: &JsValue,
    method: &str,
    args: &[&JsValue],
) -> Result<JsValue, JsValue> {
    let f = get(target, method);
    if !f.is_function() {
        return Err(JsValue::from_str(&format!("`{method}` is not a function")));
    }
    let args: Array = args.iter().map(|a| (*a).clone()).collect();
    apply(&f, target, &args)
}

/// The own string keys of an object, at most `max + 1` (more than `max`
/// says "too many": the rest are not read); `None` when listing them throws.
pub(crate) fn own_keys(target: &JsValue, max: u32) -> Option<Vec<String>> {
    let keys = guarded_own_keys(target, max);
    is_array(&keys).then(|| {
        Array::from(&keys)
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    })
}

/// The pairs of `target.entries()`, at most `max + 1` (more than `max` says
/// "too many": the rest are not read, nor held as handles); `None` when it throws.
pub(crate) fn entries(target: &JsValue, max: u32) -> Option<Vec<(JsValue, JsValue)>> {
    let list = guarded_entries(target, max);
    is_array(&list).then(|| {
        Array::from(&list)
            .iter()
            .map(|pair| (get(&pair, "0"), get(&pair, "1")))
            .collect()
    })
}

/// A boolean option: absent (`undefined`, `null`) is false; anything but a
/// boolean is a `config` error (`includeRaw: "no"` must not mean yes).
pub(crate) fn flag(options: &JsValue, name: &str) -> Result<bool, IdvError> {
    let value = get(options, name);
    if is_nothing(&value) {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| IdvError::config(None, format!("option `{name}` must be a boolean")))
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
    /// A buffer of more bytes than the reader's limit: not copied.
    TooLarge,
}

fn uint8_view(args: &Array) -> Option<js_sys::Uint8Array> {
    let ctor = get(&js_sys::global(), "Uint8Array")
        .dyn_into::<Function>()
        .ok()?;
    construct(&ctor, args).and_then(|v| v.dyn_into().ok())
}

/// The bytes of an `ArrayBuffer` or any view of one, copied into wasm
/// memory when there are at most `max`.
pub(crate) fn bytes(value: &JsValue, max: usize) -> Bytes {
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
        Some(view) => {
            // Read as a number: `length` past 2^32 would wrap as a u32.
            let len = get(&view, "length").as_f64().unwrap_or(0.0);
            if len > max as f64 {
                Bytes::TooLarge
            } else {
                Bytes::Some(view.to_vec())
            }
        }
        None => Bytes::Detached,
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
    if is_plain_object(value) {
        return Ok(Some(value.clone()));
    }
    Err(IdvError::config(None, format!("{what} must be an object")))
}

/// `JSON.stringify(value)`, `None` when it throws (a cycle, a BigInt, a
/// throwing getter or `toJSON`) or gives nothing (a function, a Symbol).
pub(crate) fn stringify(value: &JsValue) -> Option<String> {
    utf8_string(&guarded_stringify(value))
}

/// A JS string as a Rust one, read as [`string_utf8`] reads it: `None` for
/// anything else, and for one past [`MAX_ARGUMENT_BYTES`].
fn utf8_string(value: &JsValue) -> Option<String> {
    if !value.is_string() {
        return None;
    }
    string_utf8(value, MAX_ARGUMENT_BYTES).map(text_of)
}

/// UTF-8 bytes as text, any invalid sequence replaced by U+FFFD (as
/// `TextDecoder` reads it); valid text is not copied.
pub(crate) fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Settings (a client config) as a `serde_json::Value`, through
/// `JSON.stringify`; a value JSON would silently change (NaN, Infinity, bytes,
/// a Map) is a `config` error naming its key. `Ok(None)` when it cannot be
/// read at all.
pub(crate) fn settings(value: &JsValue, what: &str) -> Result<Option<Value>, IdvError> {
    read_json(value, what, false)
}

/// Data (a query, user references, a create input, a payload to sign) as
/// settings are read, and a function or a Symbol, which JSON would leave
/// out, is a `config` error too: `{ vendorData: fn }` must not become a
/// listing of every user.
pub(crate) fn data(value: &JsValue, what: &str) -> Result<Option<Value>, IdvError> {
    read_json(value, what, true)
}

fn read_json(value: &JsValue, what: &str, data: bool) -> Result<Option<Value>, IdvError> {
    let out = guarded_settings_json(value, data);
    if out.is_string() {
        let text = utf8_string(&out).ok_or_else(|| {
            IdvError::config(
                None,
                format!("{what}: {}", too_large("its JSON", MAX_ARGUMENT_BYTES)),
            )
        })?;
        return Ok(idv_sessions::json::parse_value(&text).ok());
    }
    if out.is_object() {
        let key = get(&out, "key").as_string().unwrap_or_default();
        let found = get(&out, "what").as_string().unwrap_or_default();
        if key.is_empty() {
            // The object itself (bytes, a Map, a function): not a plain object.
            return Ok(None);
        }
        let key: String = key.chars().take(40).collect();
        return Err(IdvError::config(
            None,
            format!("{what}: `{key}` is {found}, which JSON cannot carry"),
        ));
    }
    Ok(None)
}

/// The JSON text of a payload: a string as is, UTF-8 bytes straight from a
/// response body (`await res.arrayBuffer()`, no UTF-16 string in between),
/// or any other value through `JSON.stringify`.
pub(crate) fn payload(provider: Provider, value: &JsValue) -> Result<String, IdvError> {
    let refused = || {
        decode(
            Some(provider),
            format!(
                "{provider}: {} (split it: normalizeList takes one page at a time)",
                too_large("the JSON (as UTF-8)", MAX_ARGUMENT_BYTES)
            ),
        )
    };
    if value.is_string() {
        return utf8_string(value).ok_or_else(refused);
    }
    if is_nothing(value) {
        return Err(decode(
            Some(provider),
            format!("{provider}: expected a JSON object, JSON text or bytes, got nothing"),
        ));
    }
    match bytes(value, MAX_ARGUMENT_BYTES) {
        Bytes::Some(bytes) => return Ok(text_of(bytes)),
        Bytes::TooLarge => return Err(refused()),
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
                 a Symbol, a getter that throws, or more than {} MiB of it)",
                MAX_ARGUMENT_BYTES >> 20
            ),
        )
    })
}

/// A JS string's UTF-8 bytes, encoded by JS straight into wasm memory. The
/// first buffer holds one byte per UTF-16 unit and one in sixteen more: all of
/// an ASCII text, and of one whose non-ASCII characters add less than that.
/// Only a text beyond that grows the buffer once, to three bytes per unit
/// left (the copy of a growth peaks at about twice the text). Never the
/// glue's own conversion, which reserves three bytes per unit up front
/// (240 MB for an 80 MB body).
///
/// `None` when it is more than `max` bytes (nothing past that is allocated).
pub(crate) fn string_utf8(text: &JsValue, max: usize) -> Option<Vec<u8>> {
    let units = text.unchecked_ref::<js_sys::JsString>().length() as usize;
    if units > max {
        return None;
    }
    let mut bytes = vec![0u8; (units + units / 16).min(max)];
    let (mut read, mut written) = (0usize, 0usize);
    while read < units {
        let room = bytes.get_mut(written..).unwrap_or_default();
        let room_len = room.len();
        let done = utf8_into(text, read as u32, room);
        let count = |i: u32| done.get(i).as_f64().map_or(0, |n| n as usize);
        // What JS says it did, within what it could have done.
        let (r, w) = (count(0).min(units - read), count(1).min(room_len));
        read += r;
        written += w;
        let need = written + (units - read) * 3;
        if read >= units || (r == 0 && w == 0 && bytes.len() >= need) {
            // All of it; or no progress with room for all of it (an encoder
            // replaced by a script): never loop.
            break;
        }
        if bytes.len() >= max {
            // Full at the limit, with text left.
            return None;
        }
        // Exactly (not doubled), up to the limit.
        let size = need.min(max);
        bytes.reserve_exact(size.saturating_sub(bytes.len()));
        bytes.resize(size.max(bytes.len()), 0);
    }
    bytes.truncate(written);
    Some(bytes)
}

/// A provider's JSON argument (a query, a create input) as a `serde_json::Value`.
pub(crate) fn json(provider: Provider, value: &JsValue, what: &str) -> Result<Value, IdvError> {
    if is_nothing(value) {
        return Ok(Value::Null);
    }
    if is_plain_object(value) {
        let provider_error = |e: IdvError| IdvError {
            provider: Some(provider),
            message: format!("{provider}: {}", e.message),
            ..e
        };
        return data(value, what).map_err(provider_error)?.ok_or_else(|| {
            IdvError::config(
                Some(provider),
                format!("{provider}: {what} cannot be read as JSON"),
            )
        });
    }
    let text = payload(provider, value).map_err(|e| IdvError {
        code: ErrorCode::Config,
        ..e
    })?;
    idv_sessions::providers::parse_json(provider, &text)
        .map(|json| json.to_value())
        .map_err(|_| {
            IdvError::config(
                Some(provider),
                format!("{provider}: {what} must be an object (or its JSON text)"),
            )
        })
}
