//! The thin JS binding: argument conversion, JSON across the boundary, and
//! `IdvError` as a real JS `Error`. Everything else is in the pure core.
//!
//! Boundary strategy (measured in `bench/`): payloads come in as UTF-8 bytes
//! (fastest: straight from `arrayBuffer()`), JSON text, or objects through
//! `JSON.stringify`; sessions go out as JSON written by `session_json` and one
//! `JSON.parse`. TOOLCHAIN.md measured building objects field by field
//! through `serde-wasm-bindgen` at 2.2x the JS baseline's time, so that path
//! is not shipped.

mod client;
mod transport;
mod types;

use crate::error::IdvError;
use crate::providers::NormalizeOptions;
use crate::session::Provider;
use js_sys::{Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `NormalizeOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "NormalizeOptions")]
    pub type NormalizeOptionsArg;
    /// `SummaryOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "SummaryOptions")]
    pub type SummaryOptionsArg;
}

/// Normalizes one provider object (a list row, a single-session response or a
/// create response), given as an object, JSON text or UTF-8 bytes.
#[wasm_bindgen(js_name = normalizeSession, unchecked_return_type = "Session")]
pub fn normalize_session(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    #[wasm_bindgen(unchecked_param_type = "object | string | Uint8Array")] raw: JsValue,
    options: Option<NormalizeOptionsArg>,
) -> Result<JsValue, JsValue> {
    let provider = provider_arg(&provider)?;
    let options = normalize_options(options.as_ref().map(|o| o.as_ref()));
    let text = text_arg(provider, &raw)?;
    let session = crate::normalize_json(provider, &text, &options).map_err(|e| to_js_error(&e))?;
    let mut out = Vec::with_capacity(text.len() + 256);
    crate::session_json::write_session(&mut out, &session);
    parse_json_bytes(out)
}

/// Normalizes a provider's whole list response body (Mangopay's bare array,
/// Equals `{limit, offset, count, rows}`, Didit `{count, next, previous, results}`),
/// given as an object, JSON text or UTF-8 bytes.
#[wasm_bindgen(js_name = normalizeList, unchecked_return_type = "Session[]")]
pub fn normalize_list(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "object | unknown[] | string | Uint8Array | ArrayBuffer"
    )]
    body: JsValue,
    options: Option<NormalizeOptionsArg>,
) -> Result<JsValue, JsValue> {
    let provider = provider_arg(&provider)?;
    let options = normalize_options(options.as_ref().map(|o| o.as_ref()));
    let text = text_arg(provider, &body)?;
    let sessions =
        crate::normalize_list_json(provider, &text, &options).map_err(|e| to_js_error(&e))?;
    sessions_to_js(&sessions, text.len())
}

/// Bench only (`--features boundary-bench`): `normalizeList` with objects built
/// field by field through serde-wasm-bindgen instead of JSON text + `JSON.parse`.
#[cfg(feature = "boundary-bench")]
#[wasm_bindgen(js_name = normalizeListViaSerdeWasmBindgen, unchecked_return_type = "Session[]")]
pub fn normalize_list_via_serde_wasm_bindgen(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    body: JsValue,
    options: Option<NormalizeOptionsArg>,
) -> Result<JsValue, JsValue> {
    let provider = provider_arg(&provider)?;
    let options = normalize_options(options.as_ref().map(|o| o.as_ref()));
    let text = text_arg(provider, &body)?;
    let sessions =
        crate::normalize_list_json(provider, &text, &options).map_err(|e| to_js_error(&e))?;
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    sessions
        .serialize(&serializer)
        .map_err(|e| to_js_error(&IdvError::decode(provider, e.to_string())))
}

/// The unified status for a provider's status text (and, for Equals, its `result`).
/// Never throws for an unknown status: it is `"unknown"`.
#[wasm_bindgen(js_name = mapStatus, unchecked_return_type = "SessionStatus")]
pub fn map_status(
    #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
    #[wasm_bindgen(js_name = providerStatus, unchecked_param_type = "string")]
    provider_status: JsValue,
    #[wasm_bindgen(js_name = providerResult)] provider_result: Option<String>,
) -> Result<JsValue, JsValue> {
    let provider = provider_arg(&provider)?;
    let status = provider_status.as_string().unwrap_or_default();
    let unified = crate::providers::map_status(provider, &status, provider_result.as_deref());
    Ok(JsValue::from_str(unified.as_str()))
}

/// Summarizes one user's sessions (any providers): current status, latest
/// status per check kind, last approved time, counts, history flags.
#[wasm_bindgen(unchecked_return_type = "UserSummary")]
pub fn summarize(
    #[wasm_bindgen(unchecked_param_type = "Session[]")] sessions: JsValue,
    options: Option<SummaryOptionsArg>,
) -> Result<JsValue, JsValue> {
    let sessions = sessions_arg(&sessions)?;
    let mut opts = crate::summary::SummaryOptions::at(js_sys::Date::now() as i64);
    if let Some(o) = options
        .as_ref()
        .map(|o| -> &JsValue { o.as_ref() })
        .filter(|o| o.is_object())
    {
        let now = get(o, "now");
        if let Some(ms) = now.as_f64() {
            opts.now_ms = ms as i64;
        } else if let Some(text) = now.as_string() {
            opts.now_ms = crate::time::from_iso(&text)
                .and_then(|t| crate::time::to_unix_millis(&t))
                .ok_or_else(|| {
                    to_js_error(&IdvError::config(
                        None,
                        "summarize: `now` must be a timestamp in ms or an ISO date-time",
                    ))
                })?;
        }
        let days = |key: &str, default: u32| -> u32 {
            get(o, key)
                .as_f64()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map_or(default, |v| v.min(1e6) as u32)
        };
        opts.liveness_within_days = days("livenessWithinDays", opts.liveness_within_days);
        opts.spike_window_days = days("spikeWindowDays", opts.spike_window_days);
        opts.spike_threshold = days("spikeThreshold", opts.spike_threshold);
    }
    to_js_value(&crate::summary::summarize(&sessions, &opts))
}

/// Sessions as CSV (RFC 4180, CRLF, header row, formula-safe cells).
#[wasm_bindgen(js_name = toCsv)]
pub fn to_csv(
    #[wasm_bindgen(unchecked_param_type = "Session[]")] sessions: JsValue,
) -> Result<String, JsValue> {
    Ok(crate::csv::to_csv(&sessions_arg(&sessions)?))
}

/// Sessions handed back by JS (as this package returned them).
fn sessions_arg(value: &JsValue) -> Result<Vec<crate::session::Session>, JsValue> {
    let bad = |detail: String| {
        to_js_error(&IdvError::new(
            crate::error::ErrorCode::Decode,
            None,
            format!("expected an array of sessions: {detail}"),
        ))
    };
    let text = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| bad("not JSON-serializable".into()))?;
    serde_json::from_str(&text).map_err(|e| bad(e.to_string()))
}

/// Bytes of wasm linear memory in use by this module (it only grows); for
/// watching memory in long-running dashboards and benchmarks.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65_536) as f64
}

/// True when `value` is an error thrown by this package.
#[wasm_bindgen(js_name = isIdvError, unchecked_return_type = "value is IdvError")]
pub fn is_idv_error(value: &JsValue) -> bool {
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "IdvError")
}

// ---- conversions ----

pub(crate) fn provider_arg(value: &JsValue) -> Result<Provider, JsValue> {
    let name = value.as_string();
    name.as_deref().and_then(Provider::parse).ok_or_else(|| {
        to_js_error(&IdvError::config(
            None,
            format!(
                "unknown provider {}: expected \"mangopay\", \"equals\" or \"didit\"",
                match &name {
                    Some(n) => format!("\"{}\"", n.chars().take(40).collect::<String>()),
                    None => "(not a string)".to_string(),
                }
            ),
        ))
    })
}

fn normalize_options(options: Option<&JsValue>) -> NormalizeOptions {
    let mut out = NormalizeOptions {
        now: crate::time::from_unix_millis(js_sys::Date::now()),
        ..NormalizeOptions::default()
    };
    if let Some(options) = options.filter(|o| o.is_object()) {
        out.include_raw = get(options, "includeRaw").as_bool().unwrap_or(false);
        out.user_id = get(options, "userId").as_string();
    }
    out
}

/// A property of a JS object; `undefined` when absent or when reading throws.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(target: &JsValue, key: &str, value: JsValue) {
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), &value);
}

/// A JS value that belongs to no provider (a config, user references) as a
/// `serde_json::Value`, through `JSON.stringify`.
pub(crate) fn value_arg(value: &JsValue) -> Result<serde_json::Value, ()> {
    let text = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or(())?;
    serde_json::from_str(&text).map_err(|_| ())
}

/// JSON text or a JS value to a `serde_json::Value` (queries, inputs).
pub(crate) fn json_arg(provider: Provider, value: &JsValue) -> Result<serde_json::Value, JsValue> {
    let text = text_arg(provider, value)?;
    crate::providers::parse_json(provider, &text)
        .map(|json| json.to_value())
        .map_err(|e| to_js_error(&e))
}

/// The JSON text of an argument: a string as is, UTF-8 bytes straight from a
/// response body (`await res.arrayBuffer()`, no UTF-16 string in between), or
/// any other value through `JSON.stringify`.
pub(crate) fn text_arg(provider: Provider, value: &JsValue) -> Result<String, JsValue> {
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(String::from_utf8(bytes.to_vec())
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()));
    }
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return text_arg(provider, &js_sys::Uint8Array::new(buffer).into());
    }
    Ok(match value.as_string() {
        Some(text) => text,
        None if value.is_undefined() || value.is_null() => {
            return Err(to_js_error(&IdvError::decode(
                provider,
                format!("{provider}: expected a JSON object or JSON text, got nothing"),
            )))
        }
        None => JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| {
                to_js_error(&IdvError::decode(
                    provider,
                    format!("{provider}: the value cannot be read as JSON (a cycle, a BigInt or a function)"),
                ))
            })?,
    })
}

/// A serializable value to a plain JS value, through JSON text.
pub(crate) fn to_js<T: Serialize>(provider: Provider, value: &T) -> Result<JsValue, JsValue> {
    to_js_sized(provider, value, 1024)
}

/// [`to_js`] with a guess of the JSON length.
fn to_js_sized<T: Serialize>(
    provider: Provider,
    value: &T,
    capacity: usize,
) -> Result<JsValue, JsValue> {
    let mut out = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut out, value)
        .map_err(|e| to_js_error(&IdvError::decode(provider, format!("{provider}: {e}"))))?;
    parse_json_bytes(out)
}

/// Sessions to JS objects: the direct JSON writer, then `JSON.parse`. The
/// output is about as long as the input: one allocation, no regrowth copies.
pub(crate) fn sessions_to_js(
    sessions: &[crate::session::Session],
    size_hint: usize,
) -> Result<JsValue, JsValue> {
    let mut out = Vec::with_capacity(size_hint + 256);
    crate::session_json::write_sessions(&mut out, sessions);
    parse_json_bytes(out)
}

/// `JSON.parse` of UTF-8 JSON text written by this crate.
fn parse_json_bytes(out: Vec<u8>) -> Result<JsValue, JsValue> {
    // Both writers produce valid UTF-8.
    let text = String::from_utf8(out).unwrap_or_default();
    JSON::parse(&text)
}

/// Like [`to_js`], for values that belong to no provider.
fn to_js_value<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| {
        to_js_error(&IdvError::new(
            crate::error::ErrorCode::Decode,
            None,
            e.to_string(),
        ))
    })?;
    JSON::parse(&text)
}

/// An [`IdvError`] as a JS `Error` named `IdvError` with the SPEC section 5 fields.
pub(crate) fn to_js_error(error: &IdvError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("IdvError");
    let js: JsValue = js.into();
    set(&js, "code", JsValue::from_str(error.code.as_str()));
    if let Some(p) = error.provider {
        set(&js, "provider", JsValue::from_str(p.as_str()));
    }
    if let Some(status) = error.http_status {
        set(&js, "httpStatus", JsValue::from(status));
    }
    set(&js, "retryable", JsValue::from_bool(error.retryable));
    if let Some(ms) = error.retry_after_ms {
        set(&js, "retryAfterMs", JsValue::from_f64(ms as f64));
    }
    js
}
