//! The thin JS binding: argument checks, JSON across the boundary, and
//! `IdvError` as a real JS `Error`. Everything else is in the pure core.
//!
//! Hostile input: every export takes `JsValue`s and checks them itself
//! (`args`), so no generated glue converts (and throws on, or traps with) a
//! wrong type; every JS call that may throw is caught; errors are returned,
//! and the glue throws them after wasm has returned (a throw through a wasm
//! frame would leak the module's stack). Async methods reject, never throw.
//!
//! Boundary strategy (measured in `bench/`): payloads come in as UTF-8 bytes
//! (fastest: straight from `arrayBuffer()`), JSON text, or objects through
//! `JSON.stringify`; sessions go out as JSON written by `session_json` and one
//! `JSON.parse`. TOOLCHAIN.md measured building objects field by field
//! through `serde-wasm-bindgen` at 2.2x the JS baseline's time, so that path
//! is not shipped.
//!
//! Its own crate: the binding can use only the core's public API, and it is
//! built for size (Cargo.toml, `[profile.release.package.idv-sessions-wasm]`).
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod args;
mod client;
mod errors;
mod transport;
mod types;
mod webhooks;

#[cfg(test)]
mod tests;

pub(crate) use args::get;
pub(crate) use errors::to_js_error;

use idv_sessions::error::{ErrorCode, IdvError};
use idv_sessions::providers::{BadRows, NormalizeOptions, Provider};
use js_sys::{Array, Object, Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Converts a core result for JS.
fn js<T>(result: Result<T, IdvError>) -> Result<T, JsValue> {
    result.map_err(|e| to_js_error(&e))
}

/// Normalizes one provider object (a list row, a single-session response or a
/// create response), given as an object, JSON text or UTF-8 bytes.
// TypeScript: declared in types.rs (an optional `options`).
#[wasm_bindgen(js_name = normalizeSession, skip_typescript)]
pub fn normalize_session(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    #[wasm_bindgen(unchecked_param_type = "object | string | Uint8Array | ArrayBuffer")]
    raw: JsValue,
    #[wasm_bindgen(unchecked_param_type = "NormalizeOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let provider = js(args::provider(&provider))?;
    let mut options = js(normalize_options(options.as_ref()))?;
    // One object may be a create response, which Didit dates by the call.
    options.now = idv_sessions::time::from_unix_millis(js_sys::Date::now());
    let text = js(args::payload(provider, &raw))?;
    let session = js(idv_sessions::normalize_json(provider, &text, &options))?;
    let mut out = String::with_capacity(text.len() + 256);
    idv_sessions::session_json::write_session(&mut out, &session);
    JSON::parse(&out)
}

/// Normalizes a provider's whole list response body (Mangopay's bare array,
/// Equals `{limit, offset, count, rows}`, Didit `{count, next, previous, results}`),
/// given as an object, JSON text or UTF-8 bytes. Rows that are not sessions
/// are in the array's `badRows` (or, with `strict`, fail it).
// TypeScript: declared in types.rs (an optional `options`).
#[wasm_bindgen(js_name = normalizeList, skip_typescript)]
pub fn normalize_list(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "object | unknown[] | string | Uint8Array | ArrayBuffer"
    )]
    body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "NormalizeOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let provider = js(args::provider(&provider))?;
    let options = js(normalize_options(options.as_ref()))?;
    let text = js(args::payload(provider, &body))?;
    // Row by row: each session written out as soon as it is parsed and handed
    // to JS a chunk at a time, so neither the list nor its JSON ever exists
    // whole in wasm memory (the input does, once).
    let mut sink = SessionSink::new();
    let mut bad_rows = BadRows::default();
    js(idv_sessions::providers::stream_list(
        provider,
        &text,
        &options,
        &mut |row| {
            match row {
                Ok(session) => sink.push(&session),
                Err(bad) => bad_rows.push(bad),
            }
            Ok(())
        },
    ))?;
    drop(text);
    with_bad_rows(sink.finish(), &bad_rows)
}

#[wasm_bindgen(module = "/src/guarded.js")]
extern "C" {
    /// `target.push(...JSON.parse(json))`, for JSON text this crate wrote.
    #[wasm_bindgen(js_name = appendJson)]
    fn append_json(target: &Array, json: &str);
    /// `target[at[i]] = JSON.parse(json)[i]`, for JSON text this crate wrote.
    #[wasm_bindgen(js_name = placeJson)]
    fn place_json(target: &Array, json: &str, at: &[u32]);
    /// Removes the `null`s from `target`, in place.
    #[wasm_bindgen(js_name = dropNulls)]
    fn drop_nulls(target: &Array);
}

/// Sessions handed to JS as they are written: JSON text (the fastest way to
/// build many JS objects is `JSON.parse`), parsed into one JS array every
/// [`SessionSink::CHUNK`] bytes: appended, or (a full listing) placed in
/// their slots.
pub(crate) struct SessionSink {
    target: Array,
    out: String,
    /// A listing's: the slot of each value in `out`.
    slots: Option<Vec<u32>>,
    /// A slot was emptied (`null`: the session fails the status filter).
    emptied: bool,
}

impl SessionSink {
    /// Bytes of JSON written before they go to JS.
    const CHUNK: usize = 1 << 18;

    /// Sessions appended in order.
    pub(crate) fn new() -> Self {
        let mut out = String::with_capacity(Self::CHUNK + (Self::CHUNK >> 2));
        out.push('[');
        SessionSink {
            target: Array::new(),
            out,
            slots: None,
            emptied: false,
        }
    }

    /// A full listing's sessions, placed in their slots
    /// ([`idv_sessions::client::paging::Listing`]).
    pub(crate) fn listing() -> Self {
        SessionSink {
            slots: Some(Vec::new()),
            ..SessionSink::new()
        }
    }

    pub(crate) fn push(&mut self, session: &idv_sessions::session::Session) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        idv_sessions::session_json::write_session(&mut self.out, session);
        if self.out.len() >= Self::CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.out.len() > 1 {
            self.out.push(']');
            match &mut self.slots {
                Some(slots) => {
                    place_json(&self.target, &self.out, slots);
                    slots.clear();
                }
                None => append_json(&self.target, &self.out),
            }
        }
        self.out.clear();
        self.out.push('[');
    }

    /// The JS array of every session pushed or placed.
    pub(crate) fn finish(mut self) -> JsValue {
        self.flush();
        if self.emptied {
            drop_nulls(&self.target);
        }
        self.target.into()
    }
}

impl idv_sessions::client::paging::Listing for SessionSink {
    fn place(&mut self, at: usize, session: Option<idv_sessions::session::Session>) {
        // wasm32: a slot number fits (a listing of 2^32 sessions cannot).
        let Ok(at) = u32::try_from(at) else { return };
        if let Some(slots) = &mut self.slots {
            slots.push(at);
        }
        match session {
            Some(session) => self.push(&session),
            None => {
                if self.out.len() > 1 {
                    self.out.push(',');
                }
                self.out.push_str("null");
                self.emptied = true;
            }
        }
    }
}

/// Bench only (`--features boundary-bench`): `normalizeList` with objects built
/// field by field through serde-wasm-bindgen instead of JSON text + `JSON.parse`.
#[cfg(feature = "boundary-bench")]
#[wasm_bindgen(js_name = normalizeListViaSerdeWasmBindgen, unchecked_return_type = "Session[]")]
pub fn normalize_list_via_serde_wasm_bindgen(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    body: JsValue,
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let provider = js(args::provider(&provider))?;
    let options = js(normalize_options(options.as_ref()))?;
    let text = js(args::payload(provider, &body))?;
    let sessions = js(idv_sessions::normalize_list_json(provider, &text, &options))?;
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    sessions
        .serialize(&serializer)
        .map_err(|e| to_js_error(&IdvError::decode(provider, e.to_string())))
}

/// The unified status for a provider's status text (and, for Equals, its
/// `result`). An unknown or absent status is `"unknown"`, never an error; a
/// status that is another type (a number, an object) is a `config` error.
// TypeScript: declared in types.rs (an optional `providerResult`).
#[wasm_bindgen(js_name = mapStatus, skip_typescript)]
pub fn map_status(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    #[wasm_bindgen(js_name = providerStatus, unchecked_param_type = "string")]
    provider_status: JsValue,
    #[wasm_bindgen(js_name = providerResult, unchecked_param_type = "string")]
    provider_result: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let provider = js(args::provider(&provider))?;
    let status = js(args::optional_string(
        &provider_status,
        "mapStatus: `providerStatus`",
    ))?
    .unwrap_or_default();
    let result = match &provider_result {
        Some(value) => js(args::optional_string(value, "mapStatus: `providerResult`"))?,
        None => None,
    };
    let unified = idv_sessions::providers::map_status(provider, &status, result.as_deref());
    Ok(JsValue::from_str(unified.as_str()))
}

/// Summarizes one user's sessions (any providers): current status, latest
/// status per check kind, last approved time, counts, history flags.
// TypeScript: declared in types.rs (an optional `options`).
#[wasm_bindgen(skip_typescript)]
pub fn summarize(
    #[wasm_bindgen(unchecked_param_type = "Session[]")] sessions: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SummaryOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let sessions = js(sessions_arg(&sessions))?;
    let opts = js(summary_options(options.as_ref()))?;
    to_js_value(&idv_sessions::summary::summarize(&sessions, &opts))
}

fn summary_options(
    options: Option<&JsValue>,
) -> Result<idv_sessions::summary::SummaryOptions, IdvError> {
    let mut opts = idv_sessions::summary::SummaryOptions::at(js_sys::Date::now() as i64);
    let Some(o) = options
        .map(|o| args::options(o, "summarize: `options`"))
        .transpose()?
        .flatten()
    else {
        return Ok(opts);
    };
    let now = get(&o, "now");
    let bad_now = || {
        IdvError::config(
            None,
            "summarize: `now` must be a timestamp in ms, a Date or an ISO date-time",
        )
    };
    if let Some(ms) = now.as_f64() {
        if !ms.is_finite() {
            return Err(bad_now());
        }
        opts.now_ms = ms as i64;
    } else if let Some(text) = now.as_string() {
        opts.now_ms = idv_sessions::time::from_iso(&text)
            .and_then(|t| idv_sessions::time::to_unix_millis(&t))
            .ok_or_else(bad_now)?;
    } else if now.is_instance_of::<js_sys::Date>() {
        let ms = js_sys::Date::unchecked_from_js_ref(&now).get_time();
        if !ms.is_finite() {
            return Err(bad_now());
        }
        opts.now_ms = ms as i64;
    } else if !args::is_nothing(&now) {
        return Err(bad_now());
    }
    for (key, slot) in [
        ("livenessWithinDays", &mut opts.liveness_within_days),
        ("spikeWindowDays", &mut opts.spike_window_days),
        ("spikeThreshold", &mut opts.spike_threshold),
    ] {
        let value = get(&o, key);
        if args::is_nothing(&value) {
            continue;
        }
        match value.as_f64() {
            Some(v) if v.is_finite() && v >= 0.0 => *slot = v.min(1e6) as u32,
            _ => {
                return Err(IdvError::config(
                    None,
                    format!("summarize: `{key}` must be a number >= 0"),
                ))
            }
        }
    }
    Ok(opts)
}

/// Sessions as CSV (RFC 4180, CRLF, header row, formula-safe cells).
#[wasm_bindgen(js_name = toCsv)]
pub fn to_csv(
    #[wasm_bindgen(unchecked_param_type = "Session[]")] sessions: JsValue,
) -> Result<String, JsValue> {
    Ok(idv_sessions::csv::to_csv(&js(sessions_arg(&sessions))?))
}

/// Sessions handed back by JS (as this package returned them).
fn sessions_arg(value: &JsValue) -> Result<Vec<idv_sessions::session::Session>, IdvError> {
    let bad = |detail: String| {
        IdvError::new(
            ErrorCode::Decode,
            None,
            format!("expected an array of sessions: {detail}"),
        )
    };
    if !args::is_array(value) {
        return Err(bad("not an array".into()));
    }
    let text = args::stringify(value)
        .ok_or_else(|| bad("not JSON-serializable, or more than 512 MiB of JSON".into()))?;
    let json = idv_sessions::json::parse(&text).map_err(|e| bad(e.to_string()))?;
    idv_sessions::session_json::read_sessions(&json).map_err(bad)
}

/// Bytes of wasm linear memory in use by this module (it only grows); for
/// watching memory in long-running dashboards and benchmarks.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    // In f64: 65,536 pages (4 GiB) times 64 KiB overflows a wasm32 usize.
    core::arch::wasm32::memory_size(0) as f64 * 65_536.0
}

// ---- conversions ----

/// `NormalizeOptions` from JS: `includeRaw`, `userId`, `strict`.
fn normalize_options(options: Option<&JsValue>) -> Result<NormalizeOptions, IdvError> {
    let mut out = NormalizeOptions::default();
    if let Some(o) = options
        .map(|o| args::options(o, "normalize options"))
        .transpose()?
        .flatten()
    {
        out.include_raw = args::flag(&o, "includeRaw")?;
        out.strict = args::flag(&o, "strict")?;
        out.user_id = args::optional_string(&get(&o, "userId"), "option `userId`")?;
    }
    Ok(out)
}

/// A JS array of sessions with `badRows` and `badRowCount` set on it (not
/// enumerable, so the array is still a plain `Session[]` to iterate,
/// compare, serialize).
pub(crate) fn with_bad_rows(array: JsValue, bad_rows: &BadRows) -> Result<JsValue, JsValue> {
    let array_object = array.unchecked_ref::<Object>();
    for (name, value) in [
        ("badRows", to_js_value(&**bad_rows)?),
        ("badRowCount", (bad_rows.count() as f64).into()),
    ] {
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &"value".into(), &value);
        let _ = Reflect::define_property(array_object, &name.into(), &descriptor);
    }
    Ok(array)
}

/// A serializable value to a plain JS value, through JSON text.
pub(crate) fn to_js<T: Serialize>(provider: Provider, value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| to_js_error(&IdvError::decode(provider, format!("{provider}: {e}"))))?;
    JSON::parse(&text)
}

/// Sessions to a JS array of objects, through [`SessionSink`].
pub(crate) fn sessions_to_js(sessions: &[idv_sessions::session::Session]) -> JsValue {
    let mut sink = SessionSink::new();
    for session in sessions {
        sink.push(session);
    }
    sink.finish()
}

/// Like [`to_js`], for values that belong to no provider.
pub(crate) fn to_js_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| to_js_error(&IdvError::new(ErrorCode::Decode, None, e.to_string())))?;
    JSON::parse(&text)
}
