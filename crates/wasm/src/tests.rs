//! The JS binding's own tests, run by `wasm-bindgen-test-runner` in Node and
//! (with `WASM_BINDGEN_USE_BROWSER=1`) in headless Chromium: argument checks
//! against hostile values, the `IdvError` conversion, and the transport's
//! timers, listeners and aborts with fetch functions written here.

use super::args::{self, Bytes};
use super::errors::{is_idv_error, to_js_error};
use super::transport::{JsTransport, SignalHubs};
use idv_sessions::client::http::{HttpRequest, Method, Transport, TransportError};
use idv_sessions::error::{ErrorCode, IdvError};
use idv_sessions::session::Provider;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn set(target: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(target, &key.into(), value).unwrap();
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap()
}

/// A JS function from a Rust closure (kept alive for the test's duration).
fn function(f: impl FnMut(JsValue, JsValue) -> JsValue + 'static) -> Function {
    let closure = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(f);
    let f: Function = closure.as_ref().clone().unchecked_into();
    closure.forget();
    f
}

fn global(name: &str) -> Function {
    get(&js_sys::global(), name).unchecked_into()
}

fn construct(name: &str, args: &[JsValue]) -> JsValue {
    let args: Array = args.iter().collect();
    Reflect::construct(&global(name), &args).unwrap()
}

/// A buffer whose contents were transferred away.
fn detached_buffer() -> JsValue {
    let buffer = construct("ArrayBuffer", &[JsValue::from(8)]);
    let options = Object::new();
    set(&options, "transfer", &Array::of1(&buffer));
    global("structuredClone")
        .call2(&JsValue::UNDEFINED, &buffer, &options)
        .unwrap();
    buffer
}

/// `new Proxy({}, { get() { throw ... } })`.
fn throwing_proxy() -> JsValue {
    let handler = Object::new();
    let thrower = function(|_, _| {
        wasm_bindgen::throw_str("trap");
    });
    set(&handler, "get", &thrower);
    set(&handler, "ownKeys", &thrower);
    set(&handler, "getPrototypeOf", &thrower);
    construct("Proxy", &[Object::new().into(), handler.into()])
}

fn request(url: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: url.into(),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
    }
}

async fn tick(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        global("setTimeout")
            .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms))
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

// ---- arguments ----

#[wasm_bindgen_test]
fn a_provider_must_be_a_known_name() {
    assert_eq!(
        args::provider(&"DIDIT".into()).unwrap(),
        Provider::parse("didit").unwrap()
    );
    for bad in [
        JsValue::from(5),
        JsValue::NULL,
        Object::new().into(),
        throwing_proxy(),
    ] {
        let e = args::provider(&bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::Config);
        assert!(e.message.contains("not a string"), "{}", e.message);
    }
}

#[wasm_bindgen_test]
fn bytes_of_every_view_and_of_a_detached_buffer() {
    let bytes = construct("Uint8Array", &[Array::of2(&104.into(), &105.into()).into()]);
    assert!(matches!(args::bytes(&bytes, 16), Bytes::Some(b) if b == b"hi"));
    let buffer = get(&bytes, "buffer");
    assert!(matches!(args::bytes(&buffer, 16), Bytes::Some(b) if b == b"hi"));
    for kind in ["Uint16Array", "Float64Array", "BigInt64Array", "DataView"] {
        let view = construct(kind, &[construct("ArrayBuffer", &[JsValue::from(16)])]);
        assert!(
            matches!(args::bytes(&view, 16), Bytes::Some(b) if b.len() == 16),
            "{kind}"
        );
        // Past the limit: refused, not copied.
        assert!(matches!(args::bytes(&view, 15), Bytes::TooLarge), "{kind}");
    }
    let detached = detached_buffer();
    assert!(matches!(args::bytes(&detached, 16), Bytes::Detached));
    let view_of_detached = {
        let buffer = construct("ArrayBuffer", &[JsValue::from(4)]);
        let view = construct("Uint8Array", std::slice::from_ref(&buffer));
        let options = Object::new();
        set(&options, "transfer", &Array::of1(&buffer));
        global("structuredClone")
            .call2(&JsValue::UNDEFINED, &buffer, &options)
            .unwrap();
        view
    };
    assert!(matches!(
        args::bytes(&view_of_detached, 16),
        Bytes::Detached
    ));
    assert!(matches!(args::bytes(&"text".into(), 16), Bytes::Not));
    assert!(matches!(args::bytes(&throwing_proxy(), 16), Bytes::Not));
    let didit = Provider::parse("didit").unwrap();
    let e = args::payload(didit, &detached).unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode);
    assert!(e.message.contains("detached"), "{}", e.message);
}

#[wasm_bindgen_test]
fn values_that_json_cannot_hold_are_errors_not_throws() {
    let didit = Provider::parse("didit").unwrap();
    let cycle = Object::new();
    set(&cycle, "me", &cycle);
    let bigint = global("BigInt")
        .call1(&JsValue::UNDEFINED, &5.into())
        .unwrap();
    let symbol = global("Symbol").call0(&JsValue::UNDEFINED).unwrap();
    for value in [cycle.into(), bigint, symbol, throwing_proxy()] {
        assert_eq!(args::stringify(&value), None);
        let e = args::payload(didit, &value).unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode);
    }
    // A property read that throws is `undefined`.
    assert!(args::get(&throwing_proxy(), "signal").is_undefined());
    assert!(args::get(&JsValue::from(5), "x").is_undefined());
}

// ---- errors ----

#[wasm_bindgen_test]
fn errors_are_idv_error_instances_with_their_fields() {
    let error = IdvError {
        http_status: Some(429),
        retryable: true,
        retry_after_ms: Some(900_000),
        ..IdvError::new(
            ErrorCode::RateLimited,
            Provider::parse("didit"),
            "didit: slow down",
        )
    };
    let js = to_js_error(&error);
    assert!(js.is_instance_of::<js_sys::Error>());
    let class = super::errors::idv_error_class();
    let proto: JsValue = Reflect::get_prototype_of(&js).unwrap().into();
    assert!(
        Object::is(&proto, &get(&class, "prototype")),
        "an IdvError instance"
    );
    assert_eq!(get(&js, "name"), "IdvError");
    assert_eq!(get(&js, "message"), "didit: slow down");
    assert_eq!(get(&js, "code"), "rate_limited");
    assert_eq!(get(&js, "provider"), "didit");
    assert_eq!(get(&js, "httpStatus"), 429);
    assert_eq!(get(&js, "retryable"), true);
    assert_eq!(get(&js, "retryAfterMs"), 900_000);
    assert!(is_idv_error(js));
}

#[wasm_bindgen_test]
fn is_idv_error_never_throws() {
    let odd_name = construct("Error", &["x".into()]);
    set(&odd_name, "name", &5.into());
    let symbol_name = construct("Error", &["x".into()]);
    set(
        &symbol_name,
        "name",
        &global("Symbol").call0(&JsValue::UNDEFINED).unwrap(),
    );
    for value in [
        odd_name,
        symbol_name,
        throwing_proxy(),
        JsValue::NULL,
        JsValue::from(5),
        construct("Error", &["plain".into()]),
    ] {
        assert!(!is_idv_error(value));
    }
}

// ---- the transport ----

#[derive(Default)]
struct FakeFetch {
    calls: Cell<u32>,
    /// The `signal` each fetch was given.
    signals: RefCell<Vec<JsValue>>,
}

/// A fetch that records its calls and answers with `respond(call number)`.
fn fake_fetch(state: Rc<FakeFetch>, respond: impl Fn(u32) -> JsValue + 'static) -> Function {
    function(move |_url, init| {
        state.calls.set(state.calls.get() + 1);
        state.signals.borrow_mut().push(get(&init, "signal"));
        respond(state.calls.get())
    })
}

fn never() -> JsValue {
    Promise::new(&mut |_, _| {}).into()
}

fn response_with_body(body: JsValue) -> JsValue {
    let response = Object::new();
    set(&response, "status", &200.into());
    let headers = construct("Headers", &[]);
    set(&response, "headers", &headers);
    let read = function(move |_, _| body.clone());
    set(&response, "arrayBuffer", &read);
    Promise::resolve(&response).into()
}

/// The listeners a counting signal holds.
type Listeners = Rc<RefCell<Vec<Function>>>;

/// An `EventTarget`-like signal that counts its listeners.
fn counting_signal() -> (JsValue, Rc<Cell<i32>>, Listeners) {
    let count = Rc::new(Cell::new(0));
    let listeners: Rc<RefCell<Vec<Function>>> = Rc::default();
    let signal = Object::new();
    set(&signal, "aborted", &false.into());
    let (c, l) = (count.clone(), listeners.clone());
    set(
        &signal,
        "addEventListener",
        &function(move |_, listener| {
            c.set(c.get() + 1);
            l.borrow_mut().push(listener.unchecked_into());
            JsValue::UNDEFINED
        }),
    );
    let c = count.clone();
    set(
        &signal,
        "removeEventListener",
        &function(move |_, _| {
            c.set(c.get() - 1);
            JsValue::UNDEFINED
        }),
    );
    (signal.into(), count, listeners)
}

#[wasm_bindgen_test]
async fn a_fetch_that_never_settles_times_out_and_is_aborted() {
    let state = Rc::new(FakeFetch::default());
    let hubs = SignalHubs::default();
    let t = JsTransport::new(
        fake_fetch(state.clone(), |_| never()),
        JsValue::UNDEFINED,
        &hubs,
        None,
    );
    let outcome = t.send(request("http://x/"), 20).await;
    assert_eq!(outcome, Err(TransportError::Timeout));
    assert_eq!(get(&state.signals.borrow()[0], "aborted"), true);
}

#[wasm_bindgen_test]
async fn a_dropped_request_aborts_its_fetch() {
    let state = Rc::new(FakeFetch::default());
    let hubs = SignalHubs::default();
    let t = JsTransport::new(
        fake_fetch(state.clone(), |_| never()),
        JsValue::UNDEFINED,
        &hubs,
        None,
    );
    {
        let mut send = t.send(request("http://x/"), 60_000);
        // Start it, then drop it (as a failed listing drops its siblings).
        let waker = futures_util::task::noop_waker();
        let _ = send
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker));
    }
    assert_eq!(state.calls.get(), 1);
    assert_eq!(get(&state.signals.borrow()[0], "aborted"), true);
}

#[wasm_bindgen_test]
async fn the_callers_signal_aborts_requests_and_sleeps_through_one_listener() {
    let state = Rc::new(FakeFetch::default());
    let hubs = SignalHubs::default();
    let controller = construct("AbortController", &[]);
    let signal = get(&controller, "signal");
    let fetch = fake_fetch(state.clone(), |_| never());
    let calls: Vec<JsTransport> = (0..12)
        .map(|_| {
            JsTransport::new(
                fetch.clone(),
                JsValue::UNDEFINED,
                &hubs,
                Some(signal.clone()),
            )
        })
        .collect();
    let pending =
        futures_util::future::join_all(calls.iter().map(|t| t.send(request("http://x/"), 60_000)));
    let sleeping = calls[0].sleep(60_000);
    let abort: Function = get(&controller, "abort").unchecked_into();
    let aborter = {
        let abort = abort.clone();
        let controller = controller.clone();
        async move {
            tick(5).await;
            abort.call0(&controller).unwrap();
        }
    };
    let (outcomes, slept, _) = futures_util::future::join3(pending, sleeping, aborter).await;
    assert!(outcomes.iter().all(|o| *o == Err(TransportError::Aborted)));
    assert_eq!(slept, Err(TransportError::Aborted));
    assert!(state
        .signals
        .borrow()
        .iter()
        .all(|s| get(s, "aborted") == true));
    assert!(calls.iter().all(|t| t.is_aborted()));
}

#[wasm_bindgen_test]
async fn a_signal_shared_by_calls_gets_one_listener_removed_with_the_last_call() {
    let hubs = SignalHubs::default();
    let (signal, listeners, _) = counting_signal();
    let state = Rc::new(FakeFetch::default());
    let fetch = fake_fetch(state, |_| never());
    let a = JsTransport::new(
        fetch.clone(),
        JsValue::UNDEFINED,
        &hubs,
        Some(signal.clone()),
    );
    let b = JsTransport::new(
        fetch.clone(),
        JsValue::UNDEFINED,
        &hubs,
        Some(signal.clone()),
    );
    assert_eq!(listeners.get(), 1);
    drop(a);
    assert_eq!(listeners.get(), 1);
    drop(b);
    assert_eq!(listeners.get(), 0);
}

#[wasm_bindgen_test]
async fn nonsense_from_a_custom_fetch_is_a_network_error() {
    let hubs = SignalHubs::default();
    type Answer = Box<dyn Fn(u32) -> JsValue>;
    let cases: Vec<(&str, Answer)> = vec![
        ("a number", Box::new(|_| JsValue::from(5))),
        (
            "a rejected promise",
            Box::new(|_| Promise::reject(&"boom".into()).into()),
        ),
        (
            "a body that is a string",
            Box::new(|_| response_with_body("text".into())),
        ),
        (
            "a detached body",
            Box::new(|_| response_with_body(detached_buffer())),
        ),
        (
            "a body that is a Proxy",
            Box::new(|_| response_with_body(throwing_proxy())),
        ),
        ("a Proxy", Box::new(|_| throwing_proxy())),
    ];
    for (what, respond) in cases {
        let state = Rc::new(FakeFetch::default());
        let t = JsTransport::new(fake_fetch(state, respond), JsValue::UNDEFINED, &hubs, None);
        let outcome = t.send(request("http://x/"), 1_000).await;
        assert!(
            matches!(outcome, Err(TransportError::Network(_))),
            "{what}: {outcome:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_known_not_sent() {
    let hubs = SignalHubs::default();
    let state = Rc::new(FakeFetch::default());
    let t = JsTransport::new(
        fake_fetch(state, |_| {
            let error = construct("TypeError", &["fetch failed".into()]);
            let cause = Object::new();
            set(&cause, "code", &"ECONNREFUSED".into());
            set(&error, "cause", &cause);
            Promise::reject(&error).into()
        }),
        JsValue::UNDEFINED,
        &hubs,
        None,
    );
    let outcome = t.send(request("http://x/"), 1_000).await;
    assert!(matches!(outcome, Err(TransportError::NotSent(m)) if m.contains("ECONNREFUSED")));
}

#[wasm_bindgen_test]
async fn a_good_response_is_read_as_bytes_with_its_headers() {
    let hubs = SignalHubs::default();
    let state = Rc::new(FakeFetch::default());
    let t = JsTransport::new(
        fake_fetch(state, |_| {
            let init = Object::new();
            let headers = Object::new();
            set(&headers, "x-number-of-pages", &"3".into());
            set(&init, "headers", &headers);
            set(&init, "status", &201.into());
            Promise::resolve(&construct(
                "Response",
                &["{\"ok\":\"é\"}".into(), init.into()],
            ))
            .into()
        }),
        JsValue::UNDEFINED,
        &hubs,
        None,
    );
    let response = t.send(request("http://x/"), 1_000).await.unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(response.body, "{\"ok\":\"é\"}");
    assert_eq!(response.header("x-number-of-pages"), Some("3"));
    assert!(t.monotonic_ms() > 0.0);
}
