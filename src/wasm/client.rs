//! `IdvClient` for JS: argument conversion around [`crate::client::Engine`].
//! Every method returns a promise and takes `{ signal }` to cancel.

use super::transport::JsTransport;
use super::{get, json_arg, provider_arg, sessions_to_js, to_js, to_js_error, value_arg};
use crate::client::engine::{CallOptions, Engine, Progress, UserRefs};
use crate::client::{ClientConfig, ListQuery};
use crate::error::IdvError;
use crate::session::{Provider, Session};
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen]
extern "C" {
    /// `IdvClientConfig` in TypeScript.
    #[wasm_bindgen(typescript_type = "IdvClientConfig")]
    pub type ClientConfigArg;
    /// `RequestOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type RequestOptionsArg;
    /// `ListAllOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "ListAllOptions")]
    pub type ListAllOptionsArg;
}

/// A client for the three providers. Holds the configuration, Mangopay's
/// token and the rate budgets; share one per process or page.
// Its TypeScript class is written in types.rs (without `[Symbol.dispose]`).
#[wasm_bindgen(skip_typescript)]
pub struct IdvClient {
    engine: Rc<Engine>,
    fetch: Function,
    fetch_this: JsValue,
}

/// Per-call options read from JS.
struct Call {
    options: CallOptions,
    signal: Option<JsValue>,
    on_progress: Option<Function>,
}

fn call_options(options: Option<&JsValue>) -> Call {
    let Some(o) = options.filter(|o| o.is_object()) else {
        return Call {
            options: CallOptions::default(),
            signal: None,
            on_progress: None,
        };
    };
    let signal = get(o, "signal");
    Call {
        options: CallOptions {
            include_raw: get(o, "includeRaw").is_truthy(),
            details: get(o, "details").is_truthy(),
        },
        signal: signal.is_object().then_some(signal),
        on_progress: get(o, "onProgress").dyn_into::<Function>().ok(),
    }
}

fn is_browser() -> bool {
    let global = js_sys::global();
    get(&global, "window").is_object() && get(&global, "document").is_object()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageOut<'a> {
    provider: Provider,
    sessions: &'a [Session],
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProgressOut {
    provider: Provider,
    pages_done: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pages_total: Option<u64>,
    sessions: usize,
}

fn report(on_progress: &Option<Function>, p: Progress) {
    let Some(f) = on_progress else { return };
    let out = ProgressOut {
        provider: p.provider,
        pages_done: p.pages_done,
        pages_total: p.pages_total,
        sessions: p.sessions,
    };
    if let Ok(value) = to_js(p.provider, &out) {
        // A throwing progress callback must not break the listing.
        let _ = f.call1(&JsValue::UNDEFINED, &value);
    }
}

/// The provider and list query arguments of a listing method.
fn provider_query(provider: &JsValue, query: &JsValue) -> Result<(Provider, ListQuery), JsValue> {
    let provider = provider_arg(provider)?;
    Ok((provider, query_arg(provider, query)?))
}

fn query_arg(provider: Provider, query: &JsValue) -> Result<ListQuery, JsValue> {
    let value = if query.is_undefined() || query.is_null() {
        Value::Null
    } else {
        json_arg(provider, query)?
    };
    ListQuery::from_json(provider, &value).map_err(|e| to_js_error(&e))
}

impl IdvClient {
    /// What every call needs: the engine, a transport with the call's signal, the options.
    fn prepare(&self, options: Option<&JsValue>) -> (Rc<Engine>, JsTransport, Call) {
        let mut call = call_options(options);
        let transport = self.transport(call.signal.take());
        (self.engine.clone(), transport, call)
    }

    fn transport(&self, signal: Option<JsValue>) -> JsTransport {
        JsTransport {
            fetch: self.fetch.clone(),
            fetch_this: self.fetch_this.clone(),
            signal,
        }
    }

    fn reject(error: JsValue) -> Promise {
        Promise::reject(&error)
    }
}

#[wasm_bindgen]
impl IdvClient {
    /// A client for the configured providers. Throws a `config` IdvError for
    /// a bad config, and in a browser for a secret key sent straight to a
    /// provider (use a proxy `baseUrl`, or `dangerouslyAllowBrowser: true`).
    #[wasm_bindgen(constructor)]
    pub fn new(config: ClientConfigArg) -> Result<IdvClient, JsValue> {
        let config: &JsValue = config.as_ref();
        let value = value_arg(config).map_err(|_| {
            to_js_error(&IdvError::config(
                None,
                "IdvClient: config must be a plain object",
            ))
        })?;
        let parsed = ClientConfig::from_json(&value).map_err(|e| to_js_error(&e))?;
        if is_browser() {
            parsed.check_browser_safety().map_err(|e| to_js_error(&e))?;
        }
        let custom = get(config, "fetch");
        let (fetch, fetch_this) = match custom.dyn_into::<Function>() {
            Ok(f) => (f, JsValue::UNDEFINED),
            Err(_) => {
                let global = js_sys::global();
                let f = get(&global, "fetch").dyn_into::<Function>().map_err(|_| {
                    to_js_error(&IdvError::config(
                        None,
                        "IdvClient: this runtime has no global fetch (Node >= 18 has one); pass `fetch` in the config",
                    ))
                })?;
                (f, global.into())
            }
        };
        Ok(IdvClient {
            engine: Rc::new(Engine::new(parsed)),
            fetch,
            fetch_this,
        })
    }

    /// One page of sessions, normalized, with `total` when the provider says
    /// and `next` (the query of the next page) unless it is the last.
    #[wasm_bindgen(js_name = listSessions, unchecked_return_type = "Promise<SessionPage>")]
    pub fn list_sessions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayQuery | EqualsQuery | DiditQuery")]
        query: JsValue,
        options: Option<RequestOptionsArg>,
    ) -> Promise {
        let (provider, query) = match provider_query(&provider, &query) {
            Ok(v) => v,
            Err(e) => return Self::reject(e),
        };
        let (engine, transport, call) = self.prepare(options.as_ref().map(|o| o.as_ref()));
        future_to_promise(async move {
            let page = engine
                .list_sessions(&transport, provider, &query, &call.options)
                .await
                .map_err(|e| to_js_error(&e))?;
            to_js(
                provider,
                &PageOut {
                    provider,
                    sessions: &page.sessions,
                    total: page.total,
                    next: page.next.map(|q| q.to_json(provider)),
                },
            )
        })
    }

    /// Every page: after the first, the rest concurrently within the
    /// provider's rate limit, in the provider's order, deduplicated by `key`.
    /// `onProgress` is called as pages arrive.
    #[wasm_bindgen(js_name = listAll, unchecked_return_type = "Promise<Session[]>")]
    pub fn list_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayQuery | EqualsQuery | DiditQuery")]
        query: JsValue,
        options: Option<ListAllOptionsArg>,
    ) -> Promise {
        let (provider, query) = match provider_query(&provider, &query) {
            Ok(v) => v,
            Err(e) => return Self::reject(e),
        };
        let (engine, transport, call) = self.prepare(options.as_ref().map(|o| o.as_ref()));
        future_to_promise(async move {
            let on_progress = call.on_progress;
            let sessions = engine
                .list_all(&transport, provider, &query, &call.options, &mut |p| {
                    report(&on_progress, p)
                })
                .await
                .map_err(|e| to_js_error(&e))?;
            sessions_to_js(&sessions, sessions.len() * 512)
        })
    }

    /// An async iterator over the sessions, page by page (`for await`).
    pub fn sessions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayQuery | EqualsQuery | DiditQuery")]
        query: JsValue,
        options: Option<RequestOptionsArg>,
    ) -> Result<SessionStream, JsValue> {
        let provider = provider_arg(&provider)?;
        let query = query_arg(provider, &query)?;
        let call = call_options(options.as_ref().map(|o| o.as_ref()));
        Ok(SessionStream {
            state: Rc::new(RefCell::new(StreamState {
                engine: self.engine.clone(),
                transport: Rc::new(self.transport(call.signal)),
                options: call.options,
                provider,
                next: Some(query),
                buffer: VecDeque::new(),
                seen: HashSet::new(),
            })),
        })
    }

    /// Every configured provider's sessions for one user, concurrently, merged
    /// newest first: `{ sessions, errors }`, one IdvError per failed provider.
    #[wasm_bindgen(js_name = listUserSessions, unchecked_return_type = "Promise<UserSessions>")]
    pub fn list_user_sessions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserRefs")] refs: JsValue,
        options: Option<RequestOptionsArg>,
    ) -> Promise {
        let refs = match user_refs(&refs) {
            Ok(r) => r,
            Err(e) => return Self::reject(e),
        };
        let (engine, transport, call) = self.prepare(options.as_ref().map(|o| o.as_ref()));
        future_to_promise(async move {
            let out = engine
                .list_user_sessions(&transport, &refs, &call.options)
                .await;
            let result = Object::new();
            let sessions = sessions_to_js(&out.sessions, out.sessions.len() * 512)?;
            let errors: Array = out.errors.iter().map(to_js_error).collect();
            Reflect::set(&result, &"sessions".into(), &sessions)?;
            Reflect::set(&result, &"errors".into(), &errors)?;
            Ok(result.into())
        })
    }

    /// One session: Mangopay View (with checks), Didit decision. Equals has no
    /// such endpoint: `unsupported`.
    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "Promise<Session>")]
    pub fn get_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        options: Option<RequestOptionsArg>,
    ) -> Promise {
        let provider = match provider_arg(&provider) {
            Ok(p) => p,
            Err(e) => return Self::reject(e),
        };
        let id = id.as_string().unwrap_or_default();
        let (engine, transport, call) = self.prepare(options.as_ref().map(|o| o.as_ref()));
        future_to_promise(async move {
            let session = engine
                .get_session(&transport, provider, &id, &call.options)
                .await
                .map_err(|e| to_js_error(&e))?;
            to_js(provider, &session)
        })
    }

    /// Creates a session: Mangopay `{userId, returnUrl, tag?, idempotencyKey?}`,
    /// Didit `{workflowId, vendorData?, callback?, metadata?}`. Equals issues
    /// sessions itself: `unsupported`.
    #[wasm_bindgen(js_name = createSession, unchecked_return_type = "Promise<Session>")]
    pub fn create_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayCreateInput | DiditCreateInput")]
        input: JsValue,
        options: Option<RequestOptionsArg>,
    ) -> Promise {
        let (provider, input) = match provider_arg(&provider).and_then(|p| {
            let v = if input.is_undefined() || input.is_null() {
                Value::Null
            } else {
                json_arg(p, &input)?
            };
            Ok((p, v))
        }) {
            Ok(v) => v,
            Err(e) => return Self::reject(e),
        };
        let (engine, transport, call) = self.prepare(options.as_ref().map(|o| o.as_ref()));
        future_to_promise(async move {
            let session = engine
                .create_session(&transport, provider, &input, &call.options)
                .await
                .map_err(|e| to_js_error(&e))?;
            to_js(provider, &session)
        })
    }
}

fn user_refs(refs: &JsValue) -> Result<UserRefs, JsValue> {
    let value = value_arg(refs).map_err(|_| {
        to_js_error(&IdvError::config(
            None,
            "listUserSessions: expected a plain object of user references",
        ))
    })?;
    UserRefs::from_json(&value).map_err(|e| to_js_error(&e))
}

struct StreamState {
    engine: Rc<Engine>,
    transport: Rc<JsTransport>,
    options: CallOptions,
    provider: Provider,
    next: Option<ListQuery>,
    buffer: VecDeque<Session>,
    seen: HashSet<String>,
}

/// The async iterator returned by `IdvClient.sessions()`: one session per
/// `next()`, fetching a page when the previous one is used up.
// Its TypeScript class is written in types.rs (without `[Symbol.dispose]`).
#[wasm_bindgen(skip_typescript)]
pub struct SessionStream {
    state: Rc<RefCell<StreamState>>,
}

fn iter_result(value: JsValue, done: bool) -> JsValue {
    let r = Object::new();
    let _ = Reflect::set(&r, &"value".into(), &value);
    let _ = Reflect::set(&r, &"done".into(), &JsValue::from_bool(done));
    r.into()
}

#[wasm_bindgen]
impl SessionStream {
    /// The next session: `{ value, done }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Session, undefined>>")]
    pub fn next(&self) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            loop {
                let (engine, transport, provider, query, options) = {
                    let mut s = state.borrow_mut();
                    if let Some(session) = s.buffer.pop_front() {
                        let provider = s.provider;
                        return Ok(iter_result(to_js(provider, &session)?, false));
                    }
                    let Some(query) = s.next.take() else {
                        return Ok(iter_result(JsValue::UNDEFINED, true));
                    };
                    (
                        s.engine.clone(),
                        s.transport.clone(),
                        s.provider,
                        query,
                        s.options.clone(),
                    )
                };
                let page = engine
                    .list_sessions(transport.as_ref(), provider, &query, &options)
                    .await
                    .map_err(|e| to_js_error(&e))?;
                let mut s = state.borrow_mut();
                s.next = page.next;
                for session in page.sessions {
                    if s.seen.insert(session.key.clone()) {
                        s.buffer.push_back(session);
                    }
                }
            }
        })
    }

    /// Stops the iteration (called by `break` in `for await`).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<Session, undefined>>"
    )]
    pub fn finish(&self) -> Promise {
        let mut s = self.state.borrow_mut();
        s.next = None;
        s.buffer.clear();
        Promise::resolve(&iter_result(JsValue::UNDEFINED, true))
    }
}
