//! The only code that touches `fetch` and timers: a [`Transport`] over the
//! platform `fetch` (or the one passed in the config), `AbortController`,
//! `setTimeout`, `performance.now()` and the caller's `AbortSignal`. Works in
//! browsers, workers and Node alike: everything is looked up on `globalThis`,
//! and every call into JS that may throw is caught.
//!
//! Cleanup lives in `Drop`, not after an `await` (code after an `await`
//! never runs when the future is dropped): each request owns a guard that
//! aborts its fetch and forgets it; each timer clears itself; a caller's
//! signal gets one `abort` listener per client, removed when the last call
//! using it ends.

use super::args::{bytes, text_of, too_large, Bytes, MAX_BODY_BYTES};
use super::args::{call_method, construct, Pending};
use super::get;
use futures_util::future::{select, Either};
use idv_sessions::client::http::{
    HttpRequest, HttpResponse, LocalFuture, Transport, TransportError, RESPONSE_HEADERS,
};
use js_sys::{Array, Function, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;

fn global_fn(name: &str) -> Option<Function> {
    get(&js_sys::global(), name).dyn_into::<Function>().ok()
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// What the caller's signal has done to one call: one `abort` listener, and
/// everything it must stop when it fires.
#[derive(Default)]
struct SignalState {
    aborted: Cell<bool>,
    /// `AbortController`s of the requests in flight.
    requests: RefCell<Vec<(u64, JsValue)>>,
    next_id: Cell<u64>,
    /// Tasks waiting for the signal (shared work, slots, sleeps).
    waiters: RefCell<Vec<Waker>>,
}

impl SignalState {
    /// Aborts every request in flight and wakes every waiter.
    fn fire(&self) {
        self.aborted.set(true);
        let requests = std::mem::take(&mut *self.requests.borrow_mut());
        for (_, controller) in requests {
            let _ = call_method(&controller, "abort", &[]);
        }
        let waiters = std::mem::take(&mut *self.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

/// The one `abort` listener on a caller's signal, shared by every call of a
/// client that passes that signal (so a signal shared by many calls never
/// collects many listeners). Removed when the last of those calls ends.
struct SignalHub {
    signal: JsValue,
    listener: Closure<dyn FnMut()>,
    calls: RefCell<Vec<Weak<SignalState>>>,
}

impl Drop for SignalHub {
    fn drop(&mut self) {
        let _ = call_method(
            &self.signal,
            "removeEventListener",
            &[&JsValue::from_str("abort"), self.listener.as_ref()],
        );
    }
}

/// A client's listeners, one per caller signal in use.
#[derive(Default)]
pub struct SignalHubs {
    hubs: RefCell<Vec<Weak<SignalHub>>>,
}

impl SignalHubs {
    /// The hub of `signal`, listening once.
    fn hub(&self, signal: &JsValue) -> Rc<SignalHub> {
        let mut hubs = self.hubs.borrow_mut();
        hubs.retain(|h| h.strong_count() > 0);
        if let Some(hub) = hubs
            .iter()
            .filter_map(Weak::upgrade)
            .find(|h| h.signal == *signal)
        {
            return hub;
        }
        let hub = Rc::new_cyclic(|me: &Weak<SignalHub>| {
            let me = me.clone();
            let listener = Closure::<dyn FnMut()>::new(move || {
                if let Some(hub) = me.upgrade() {
                    let calls: Vec<Rc<SignalState>> = hub
                        .calls
                        .borrow()
                        .iter()
                        .filter_map(Weak::upgrade)
                        .collect();
                    for call in calls {
                        call.fire();
                    }
                }
            });
            let _ = call_method(
                signal,
                "addEventListener",
                &[&JsValue::from_str("abort"), listener.as_ref()],
            );
            SignalHub {
                signal: signal.clone(),
                listener,
                calls: RefCell::new(Vec::new()),
            }
        });
        hubs.push(Rc::downgrade(&hub));
        hub
    }
}

/// One call's link to the caller's `AbortSignal`.
pub struct CallSignal {
    signal: Option<JsValue>,
    /// Keeps the shared listener while the call lives.
    _hub: Option<Rc<SignalHub>>,
    state: Rc<SignalState>,
}

impl CallSignal {
    /// Follows `signal`, when it is an `AbortSignal`-like object.
    pub fn new(hubs: &SignalHubs, signal: Option<JsValue>) -> Self {
        let state = Rc::new(SignalState::default());
        let signal = signal.filter(JsValue::is_object);
        let mut hub = None;
        if let Some(signal) = &signal {
            if get(signal, "aborted").is_truthy() {
                state.aborted.set(true);
            } else {
                let shared = hubs.hub(signal);
                {
                    let mut calls = shared.calls.borrow_mut();
                    calls.retain(|c| c.strong_count() > 0);
                    calls.push(Rc::downgrade(&state));
                }
                hub = Some(shared);
            }
        }
        CallSignal {
            signal,
            _hub: hub,
            state,
        }
    }

    /// Stops the call as the signal would (the iterator's `return()`).
    pub fn fire(&self) {
        self.state.fire();
    }
}

/// A request in flight: dropped before it finished, it aborts its fetch.
struct RequestGuard {
    state: Rc<SignalState>,
    id: u64,
    controller: JsValue,
    finished: bool,
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.state
            .requests
            .borrow_mut()
            .retain(|(id, _)| *id != self.id);
        if !self.finished {
            let _ = call_method(&self.controller, "abort", &[]);
        }
    }
}

/// Resolves after `ms` (a dropped delay clears its timer).
async fn delay(ms: u64) {
    let _ = Pending::delay(ms).await;
}

/// Resolves when the call's signal fires.
struct UntilAborted {
    state: Rc<SignalState>,
}

impl Future for UntilAborted {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.state.aborted.get() {
            return Poll::Ready(());
        }
        let mut waiters = self.state.waiters.borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// `fetch`, timers and the signal of one client call.
pub struct JsTransport {
    /// The fetch function.
    pub fetch: Function,
    /// `this` for `fetch` (`globalThis` for the platform's).
    pub fetch_this: JsValue,
    /// The caller's signal.
    pub signal: CallSignal,
}

/// A JS error's message, with its `cause` (Node's fetch puts the socket error there).
fn describe(error: &JsValue) -> (String, Option<String>) {
    let message = get(error, "message")
        .as_string()
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "fetch failed".into());
    let cause = get(error, "cause");
    let code = get(&cause, "code").as_string();
    let detail = code.clone().or_else(|| get(&cause, "message").as_string());
    let text = match detail {
        Some(d) if !d.is_empty() => format!("{message} ({d})"),
        _ => message,
    };
    (text.chars().take(300).collect(), code)
}

/// Connection errors that prove nothing was sent.
const NOT_SENT: [&str; 4] = [
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "UND_ERR_CONNECT_TIMEOUT",
];

fn bad_response(what: &str) -> JsValue {
    JsValue::from_str(&format!(
        "the fetch function returned {what} instead of a Response"
    ))
}

impl JsTransport {
    /// A transport for one call.
    pub fn new(
        fetch: Function,
        fetch_this: JsValue,
        hubs: &SignalHubs,
        signal: Option<JsValue>,
    ) -> Self {
        JsTransport {
            fetch,
            fetch_this,
            signal: CallSignal::new(hubs, signal),
        }
    }

    async fn fetch_once(
        &self,
        request: HttpRequest,
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        if self.is_aborted() {
            return Err(TransportError::Aborted);
        }
        let controller = global_fn("AbortController")
            .and_then(|ctor| construct(&ctor, &Array::new()))
            .unwrap_or(JsValue::UNDEFINED);
        let state = &self.signal.state;
        let id = state.next_id.get();
        state.next_id.set(id + 1);
        state.requests.borrow_mut().push((id, controller.clone()));
        let mut guard = RequestGuard {
            state: state.clone(),
            id,
            controller: controller.clone(),
            finished: false,
        };
        let exchange = std::pin::pin!(self.exchange(&request, get(&controller, "signal")));
        // The timeout does not rely on `fetch` honouring the signal: a custom
        // fetch that never settles still ends the request.
        let timeout = std::pin::pin!(delay(timeout_ms));
        let outcome = select(exchange, select(timeout, self.until_aborted())).await;
        match outcome {
            Either::Left((Ok(response), _)) => {
                guard.finished = true;
                Ok(response)
            }
            Either::Left((Err(error), _)) => {
                guard.finished = true;
                if self.is_aborted() {
                    return Err(TransportError::Aborted);
                }
                let (message, code) = describe(&error);
                if code.as_deref().is_some_and(|c| NOT_SENT.contains(&c)) {
                    Err(TransportError::NotSent(message))
                } else {
                    Err(TransportError::Network(message))
                }
            }
            // The guard aborts the fetch as it drops.
            Either::Right((Either::Left(_), _)) => Err(TransportError::Timeout),
            Either::Right((Either::Right(_), _)) => Err(TransportError::Aborted),
        }
    }

    /// The request and the whole body, under the request's own signal.
    async fn exchange(
        &self,
        request: &HttpRequest,
        signal: JsValue,
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
        if !signal.is_undefined() {
            set(&init, "signal", &signal);
        }
        let args = Array::of2(&JsValue::from_str(&request.url), &init);
        let returned = super::args::apply(&self.fetch, &self.fetch_this, &args)?;
        let response = Pending::of(&returned).await?;
        if !response.is_object() {
            return Err(bad_response("a non-object"));
        }
        let status = get(&response, "status").as_f64().unwrap_or(0.0);
        if !(100.0..=599.0).contains(&status) || status.fract() != 0.0 {
            return Err(bad_response("an object without an HTTP status"));
        }
        let header_bag = get(&response, "headers");
        let mut headers = Vec::new();
        for name in RESPONSE_HEADERS {
            if let Some(value) = call_method(&header_bag, "get", &[&JsValue::from_str(name)])
                .ok()
                .and_then(|v| v.as_string())
            {
                headers.push((name.to_string(), value));
            }
        }
        // Bytes, not text: no UTF-8 -> UTF-16 -> UTF-8 round trip for the body.
        let read = call_method(&response, "arrayBuffer", &[])
            .map_err(|_| bad_response("an object without arrayBuffer()"))?;
        let buffer = Pending::of(&read).await?;
        let bytes =
            match bytes(&buffer, MAX_BODY_BYTES) {
                Bytes::Some(bytes) => bytes,
                Bytes::TooLarge => {
                    return Err(JsValue::from_str(&too_large(
                        "the response body",
                        MAX_BODY_BYTES,
                    )))
                }
                Bytes::Not | Bytes::Detached => return Err(JsValue::from_str(
                    "the response body (arrayBuffer()) is not an ArrayBuffer, or it is detached",
                )),
            };
        let body = text_of(bytes);
        Ok(HttpResponse {
            status: status as u16,
            headers,
            body,
        })
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
        Box::pin(async move {
            if self.is_aborted() {
                return Err(TransportError::Aborted);
            }
            if ms == 0 {
                return Ok(());
            }
            match select(std::pin::pin!(delay(ms)), self.until_aborted()).await {
                Either::Left(_) => Ok(()),
                Either::Right(_) => Err(TransportError::Aborted),
            }
        })
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn monotonic_ms(&self) -> f64 {
        let performance = get(&js_sys::global(), "performance");
        call_method(&performance, "now", &[])
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn random_u32(&self) -> u32 {
        // The platform's cryptographic generator where there is one.
        let crypto = get(&js_sys::global(), "crypto");
        let words = js_sys::Uint32Array::new_with_length(1);
        if call_method(&crypto, "getRandomValues", &[words.as_ref()]).is_ok() {
            return words.get_index(0);
        }
        (js_sys::Math::random() * 4_294_967_296.0) as u32
    }

    fn is_aborted(&self) -> bool {
        self.signal.state.aborted.get()
            || self
                .signal
                .signal
                .as_ref()
                .is_some_and(|s| get(s, "aborted").is_truthy())
    }

    fn until_aborted(&self) -> LocalFuture<'_, ()> {
        Box::pin(UntilAborted {
            state: self.signal.state.clone(),
        })
    }
}
