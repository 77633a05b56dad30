//! `parseWebhook` and `signWebhook` for JS: reading a request as a
//! server framework hands it over (raw body as text or bytes, headers as a
//! plain object or a `Headers`), then the pure core in `idv_sessions::webhook`.

use super::args::{self, get, is_nothing, Bytes};
use super::{js, to_js_value};
use idv_sessions::error::{ErrorCode, IdvError};
use idv_sessions::session::Provider;
use idv_sessions::webhook::{EventsQuery, SignRequest, WebhookRequest};
use wasm_bindgen::prelude::*;

fn config(message: &str) -> IdvError {
    IdvError::config(None, message.to_string())
}

/// The raw body: text or bytes (a parsed object cannot be verified).
fn body_arg(provider: Provider, value: &JsValue) -> Result<Option<Vec<u8>>, IdvError> {
    if is_nothing(value) {
        return Ok(None);
    }
    let too_large = || {
        IdvError::decode(
            provider,
            format!(
                "{provider}: webhook: {}",
                args::too_large("the body", args::MAX_BODY_BYTES)
            ),
        )
    };
    if value.is_string() {
        return args::string_utf8(value, args::MAX_BODY_BYTES)
            .map(Some)
            .ok_or_else(too_large);
    }
    match args::bytes(value, args::MAX_BODY_BYTES) {
        Bytes::Some(bytes) => Ok(Some(bytes)),
        Bytes::TooLarge => Err(too_large()),
        Bytes::Detached => Err(IdvError::decode(
            provider,
            format!("{provider}: webhook: the body buffer is detached: nothing to read"),
        )),
        Bytes::Not => Err(IdvError::decode(
            provider,
            format!(
                "{provider}: webhook: `body` must be the raw request body (a string or bytes), \
                 not a parsed object: signatures are over the exact bytes received"
            ),
        )),
    }
}

/// The items of a JS array, read through `Reflect` (a throwing Proxy gives none).
fn items(value: &JsValue) -> Vec<JsValue> {
    if !args::is_array(value) {
        return Vec::new();
    }
    let len = get(value, "length").as_f64().unwrap_or(0.0).clamp(0.0, 1e6) as u32;
    (0..len).map(|i| get(value, &i.to_string())).collect()
}

/// A header value: a string, or Node's array for a repeated header.
fn header_value(value: &JsValue) -> Option<String> {
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    if args::is_array(value) {
        let parts: Vec<String> = items(value).iter().filter_map(|v| v.as_string()).collect();
        return Some(parts.join(", "));
    }
    // As JS writes it (`String(n)`), without Rust's float formatting in the wasm.
    value.as_f64().and_then(|n| {
        js_sys::Number::from(n)
            .to_string_with_radix(10)
            .ok()
            .and_then(|s| s.as_string())
    })
}

/// The most headers read from one request (servers take about a hundred).
const MAX_HEADERS: u32 = 10_000;

/// Headers from a `Headers` (or anything with `entries()`) or a plain object.
fn headers_arg(value: &JsValue) -> Result<Vec<(String, String)>, IdvError> {
    let too_many = || {
        IdvError::config(
            None,
            format!("parseWebhook: `headers` has more than {MAX_HEADERS} entries"),
        )
    };
    let mut out = Vec::new();
    if is_nothing(value) {
        return Ok(out);
    }
    if !value.is_object() {
        return Err(config(
            "parseWebhook: `headers` must be a Headers or a plain object",
        ));
    }
    if get(value, "entries").is_function() {
        let list = args::entries(value, MAX_HEADERS)
            .ok_or_else(|| config("parseWebhook: reading `headers.entries()` failed"))?;
        if list.len() > MAX_HEADERS as usize {
            return Err(too_many());
        }
        for (name, value) in list {
            if let (Some(name), Some(value)) = (name.as_string(), header_value(&value)) {
                out.push((name, value));
            }
        }
        return Ok(out);
    }
    let keys = args::own_keys(value, MAX_HEADERS)
        .ok_or_else(|| config("parseWebhook: reading `headers` failed"))?;
    if keys.len() > MAX_HEADERS as usize {
        return Err(too_many());
    }
    for name in keys {
        if let Some(v) = header_value(&get(value, &name)) {
            out.push((name, v));
        }
    }
    Ok(out)
}

/// `secret`: a string or an array of strings.
fn secrets_arg(value: &JsValue) -> Result<Vec<String>, IdvError> {
    if is_nothing(value) {
        return Ok(Vec::new());
    }
    if let Some(s) = value.as_string() {
        return Ok(vec![s]);
    }
    if args::is_array(value) {
        return items(value)
            .iter()
            .map(|v| v.as_string().ok_or(()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| config("parseWebhook: `secret` must be a string or an array of strings"));
    }
    Err(config(
        "parseWebhook: `secret` must be a string or an array of strings",
    ))
}

/// `now`: ms since the epoch or a `Date`; the clock when absent.
fn now_arg(value: &JsValue, what: &str) -> Result<i64, IdvError> {
    if is_nothing(value) {
        return Ok(js_sys::Date::now() as i64);
    }
    let ms = if value.is_instance_of::<js_sys::Date>() {
        js_sys::Date::unchecked_from_js_ref(value).get_time()
    } else {
        value.as_f64().unwrap_or(f64::NAN)
    };
    if !ms.is_finite() {
        return Err(config(&format!(
            "{what}: `now` must be ms since the epoch or a valid Date"
        )));
    }
    Ok(ms as i64)
}

/// Unix seconds from a number, a `Date` or an ISO date-time (an events query).
pub(crate) fn seconds_arg(value: &JsValue, what: &str) -> Result<Option<i64>, IdvError> {
    if is_nothing(value) {
        return Ok(None);
    }
    // Through 9999-12-31: a larger number is not a time in seconds (a
    // `Date.now()` in milliseconds is 1000 times too large).
    const LAST_SECOND: f64 = 253_402_300_799.0;
    let seconds = if let Some(n) = value.as_f64() {
        (n.is_finite() && n.abs() <= LAST_SECOND).then_some(n as i64)
    } else if value.is_instance_of::<js_sys::Date>() {
        let ms = js_sys::Date::unchecked_from_js_ref(value).get_time();
        ms.is_finite().then(|| (ms / 1000.0).floor() as i64)
    } else {
        value
            .as_string()
            .and_then(|t| idv_sessions::time::from_iso(&t))
            .and_then(|t| idv_sessions::time::to_unix_millis(&t))
            .map(|ms| ms.div_euclid(1000))
    };
    seconds.map(Some).ok_or_else(|| {
        config(&format!(
            "{what} must be Unix seconds (not milliseconds), a Date or an ISO date-time"
        ))
    })
}

/// Verifies and unifies one webhook notification.
// TypeScript: declared in types.rs.
#[wasm_bindgen(js_name = parseWebhook, skip_typescript)]
pub fn parse_webhook(provider: JsValue, input: JsValue) -> Result<JsValue, JsValue> {
    let provider = js(args::provider(&provider))?;
    let request = js(webhook_request(provider, &input))?;
    let event = js(idv_sessions::webhook::parse_webhook(provider, &request))?;
    to_js_value(&event)
}

fn webhook_request(provider: Provider, input: &JsValue) -> Result<WebhookRequest, IdvError> {
    if !args::is_plain_object(input) {
        return Err(config(
            "parseWebhook: expected { body, headers, url, secret, toleranceSec, now }",
        ));
    }
    let tolerance = get(input, "toleranceSec");
    let tolerance_sec = if is_nothing(&tolerance) {
        300
    } else {
        match tolerance.as_f64() {
            Some(s) if s.is_finite() && s >= 0.0 => s.min(1e9) as u64,
            _ => return Err(config("parseWebhook: `toleranceSec` must be a number >= 0")),
        }
    };
    Ok(WebhookRequest {
        body: body_arg(provider, &get(input, "body"))?,
        headers: headers_arg(&get(input, "headers"))?,
        url: args::optional_string(&get(input, "url"), "parseWebhook: `url`")?,
        secrets: secrets_arg(&get(input, "secret"))?,
        tolerance_sec,
        now_ms: now_arg(&get(input, "now"), "parseWebhook")?,
        include_raw: args::flag(input, "includeRaw")?,
    })
}

/// A test delivery, signed as the provider signs: `{ method, url?, headers, body? }`.
// TypeScript: declared in types.rs.
#[wasm_bindgen(js_name = signWebhook, skip_typescript)]
pub fn sign_webhook(provider: JsValue, input: JsValue) -> Result<JsValue, JsValue> {
    let provider = js(args::provider(&provider))?;
    let request = js(sign_request(&input))?;
    let signed = js(idv_sessions::webhook::sign_webhook(provider, &request))?;
    to_js_value(&signed)
}

fn sign_request(input: &JsValue) -> Result<SignRequest, IdvError> {
    if !input.is_object() {
        return Err(config(
            "signWebhook: expected { payload, secret?, timestamp?, url? }",
        ));
    }
    let payload = get(input, "payload");
    let payload = args::data(&payload, "signWebhook: `payload`")?
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| config("signWebhook: `payload` must be a plain object"))?;
    let timestamp = seconds_arg(&get(input, "timestamp"), "signWebhook: `timestamp`")?;
    Ok(SignRequest {
        payload,
        secret: args::optional_string(&get(input, "secret"), "signWebhook: `secret`")?,
        timestamp,
        url: args::optional_string(&get(input, "url"), "signWebhook: `url`")?,
        now_ms: now_arg(&get(input, "now"), "signWebhook")?,
    })
}

/// An events query: `{ eventType?, afterDate?, beforeDate? }`.
pub(crate) fn events_query(value: &JsValue) -> Result<EventsQuery, IdvError> {
    if is_nothing(value) {
        return Ok(EventsQuery::default());
    }
    if !args::is_plain_object(value) {
        return Err(config("listEvents: the query must be an object"));
    }
    const KEYS: [&str; 3] = ["eventType", "afterDate", "beforeDate"];
    let keys = args::own_keys(value, 100).unwrap_or_default();
    if let Some(unknown) = keys.iter().find(|k| !KEYS.contains(&k.as_str())) {
        let unknown: String = unknown.chars().take(40).collect();
        return Err(config(&format!(
            "listEvents: unknown query key `{unknown}` (expected one of: {})",
            KEYS.join(", ")
        )));
    }
    Ok(EventsQuery {
        event_type: args::optional_string(&get(value, "eventType"), "listEvents: `eventType`")?,
        after: seconds_arg(&get(value, "afterDate"), "listEvents: `afterDate`")?,
        before: seconds_arg(&get(value, "beforeDate"), "listEvents: `beforeDate`")?,
    })
}

/// A `WebhookEvent` handed back by JS (as `parseWebhook` returned it).
pub(crate) fn event_arg(value: &JsValue) -> Result<idv_sessions::webhook::WebhookEvent, IdvError> {
    let bad = || {
        IdvError::new(
            ErrorCode::Config,
            None,
            "resolveWebhook: expected an event returned by parseWebhook",
        )
    };
    let text = value
        .is_object()
        .then(|| args::stringify(value))
        .flatten()
        .ok_or_else(bad)?;
    idv_sessions::json::parse(&text)
        .ok()
        .and_then(|json| idv_sessions::webhook::WebhookEvent::from_json(&json).ok())
        .ok_or_else(bad)
}
