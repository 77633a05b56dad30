//! The only code that touches `fetch` and timers: a [`Transport`] over the
//! platform `fetch` (or the one passed in the config), `AbortController`,
//! `setTimeout` and the caller's `AbortSignal`. Works in browsers, workers and
//! Node >= 18 alike: everything is looked up on `globalThis`.

use super::get;
use crate::client::http::{
    HttpRequest, HttpResponse, LocalFuture, Transport, TransportError, RESPONSE_HEADERS,
};
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `fetch`, and the signal of one client call.
pub struct JsTransport {
    /// The fetch function.
    pub fetch: Function,
    /// `this` for `fetch` (`globalThis` for the platform's).
    pub fetch_this: JsValue,
    /// The caller's `AbortSignal`, when given.
    pub signal: Option<JsValue>,
}

fn global_fn(name: &str) -> Result<Function, TransportError> {
    get(&js_sys::global(), name)
        .dyn_into::<Function>()
        .map_err(|_| TransportError::Network(format!("`{name}` is not available in this runtime")))
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Adds (or removes) an `abort` listener on a signal.
fn listen(signal: &JsValue, listener: &JsValue, add: bool) {
    let method = if add {
        "addEventListener"
    } else {
        "removeEventListener"
    };
    if let Ok(f) = get(signal, method).dyn_into::<Function>() {
        let _ = f.call2(signal, &JsValue::from_str("abort"), listener);
    }
}

/// A JS error's message, with its `cause` (Node's fetch puts the socket error there).
fn describe(error: &JsValue) -> String {
    let message = get(error, "message")
        .as_string()
        .unwrap_or_else(|| "fetch failed".into());
    let cause = get(error, "cause");
    let detail = get(&cause, "code")
        .as_string()
        .or_else(|| get(&cause, "message").as_string());
    match detail {
        Some(d) if !d.is_empty() => format!("{message} ({d})"),
        _ => message,
    }
}

impl JsTransport {
    async fn fetch_once(
        &self,
        request: HttpRequest,
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        if self.is_aborted() {
            return Err(TransportError::Aborted);
        }
        let global = js_sys::global();
        let network = |e: JsValue| TransportError::Network(describe(&e));
        let controller =
            Reflect::construct(&global_fn("AbortController")?, &Array::new()).map_err(network)?;
        let abort = get(&controller, "abort")
            .dyn_into::<Function>()
            .map_err(network)?
            .bind0(&controller);
        let timer = global_fn("setTimeout")?
            .call2(&global, &abort, &JsValue::from_f64(timeout_ms as f64))
            .map_err(network)?;
        if let Some(signal) = &self.signal {
            listen(signal, &abort, true);
        }

        let result = self.exchange(&request, &get(&controller, "signal")).await;

        if let Ok(clear) = global_fn("clearTimeout") {
            let _ = clear.call1(&global, &timer);
        }
        if let Some(signal) = &self.signal {
            listen(signal, &abort, false);
        }
        result.map_err(|error| {
            if self.is_aborted() {
                TransportError::Aborted
            } else if get(&get(&controller, "signal"), "aborted").is_truthy() {
                TransportError::Timeout
            } else {
                TransportError::Network(describe(&error))
            }
        })
    }

    /// The request and the whole body, under the controller's signal.
    async fn exchange(
        &self,
        request: &HttpRequest,
        signal: &JsValue,
    ) -> Result<HttpResponse, JsValue> {
        let init = Object::new();
        set(&init, "method", &JsValue::from_str(request.method.as_str()));
        let headers = Object::new();
        for (name, value) in &request.headers {
            set(&headers, name, &JsValue::from_str(value));
        }
        set(&init, "headers", &headers);
        if let Some(body) = &request.body {
            set(&init, "body", &JsValue::from_str(body));
        }
        set(&init, "signal", signal);
        let promise: Promise = self
            .fetch
            .call2(&self.fetch_this, &JsValue::from_str(&request.url), &init)?
            .dyn_into()?;
        let response = JsFuture::from(promise).await?;
        let status = get(&response, "status").as_f64().unwrap_or(0.0) as u16;
        let header_bag = get(&response, "headers");
        let header_get: Function = get(&header_bag, "get").dyn_into()?;
        let mut headers = Vec::new();
        for name in RESPONSE_HEADERS {
            if let Some(value) = header_get
                .call1(&header_bag, &JsValue::from_str(name))?
                .as_string()
            {
                headers.push((name.to_string(), value));
            }
        }
        // Bytes, not text: no UTF-8 -> UTF-16 -> UTF-8 round trip for the body.
        let read: Function = get(&response, "arrayBuffer").dyn_into()?;
        let buffer = JsFuture::from(read.call0(&response)?.dyn_into::<Promise>()?).await?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let body = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    async fn wait(&self, ms: u64) -> Result<(), TransportError> {
        if self.is_aborted() {
            return Err(TransportError::Aborted);
        }
        if ms == 0 {
            return Ok(());
        }
        let global = js_sys::global();
        let set_timeout = global_fn("setTimeout")?;
        let mut timer = JsValue::UNDEFINED;
        let mut on_abort = JsValue::UNDEFINED;
        let promise = Promise::new(&mut |resolve, reject| {
            timer = set_timeout
                .call2(&global, &resolve, &JsValue::from_f64(ms as f64))
                .unwrap_or(JsValue::UNDEFINED);
            if let Some(signal) = &self.signal {
                listen(signal, &reject, true);
                on_abort = reject.into();
            }
        });
        let outcome = JsFuture::from(promise).await;
        if let Ok(clear) = global_fn("clearTimeout") {
            let _ = clear.call1(&global, &timer);
        }
        if let Some(signal) = &self.signal {
            listen(signal, &on_abort, false);
        }
        outcome.map(|_| ()).map_err(|_| TransportError::Aborted)
    }
}

impl Transport for JsTransport {
    fn send(
        &self,
        request: HttpRequest,
        timeout_ms: u64,
    ) -> LocalFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.fetch_once(request, timeout_ms))
    }

    fn sleep(&self, ms: u64) -> LocalFuture<'_, Result<(), TransportError>> {
        Box::pin(self.wait(ms))
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn is_aborted(&self) -> bool {
        self.signal
            .as_ref()
            .is_some_and(|s| get(s, "aborted").is_truthy())
    }
}
