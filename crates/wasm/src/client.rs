//! `IdvClient` for JS: argument checks around [`idv_sessions::client::Engine`].
//! Every method returns a promise that always settles (a bad argument
//! rejects it, never throws) and takes `{ signal }` to cancel.

use super::args::{self, get, is_nothing};
use super::transport::{JsTransport, SignalHubs};
use super::{js, sessions_to_js, to_js, to_js_error, to_js_value, with_bad_rows, SessionSink};
use futures_util::future::LocalBoxFuture;
use idv_sessions::client::engine::{CallOptions, Engine, Progress, UserRefs};
use idv_sessions::client::sync::Semaphore;
use idv_sessions::client::{ClientConfig, ListQuery, SessionCursor};
use idv_sessions::error::IdvError;
use idv_sessions::providers::{BadRow, BadRows};
use idv_sessions::session::{Provider, Session};
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// A client for the configured providers. Holds the configuration, the
/// OAuth tokens, the rate budgets and the in-flight limits; share one per
/// process or page.
// Its TypeScript class is written in types.rs (without `[Symbol.dispose]`).
#[wasm_bindgen(skip_typescript)]
pub struct IdvClient {
    engine: Rc<Engine>,
    fetch: Function,
    fetch_this: JsValue,
    signals: SignalHubs,
    /// Set by `free()`: later calls reject (calls already running finish).
    freed: std::cell::Cell<bool>,
}

/// Per-call options read from JS.
#[derive(Default)]
struct Call {
    options: CallOptions,
    signal: Option<JsValue>,
    on_progress: Option<Function>,
}

fn call_options(options: Option<&JsValue>) -> Result<Call, IdvError> {
    let Some(o) = options
        .map(|o| args::options(o, "the options"))
        .transpose()?
        .flatten()
    else {
        return Ok(Call::default());
    };
    let signal = get(&o, "signal");
    if !is_nothing(&signal) && !signal.is_object() {
        return Err(IdvError::config(
            None,
            "option `signal` must be an AbortSignal",
        ));
    }
    let on_progress = get(&o, "onProgress");
    if !is_nothing(&on_progress) && !on_progress.is_function() {
        return Err(IdvError::config(
            None,
            "option `onProgress` must be a function",
        ));
    }
    let max_sessions = get(&o, "maxSessions");
    let max_sessions = if is_nothing(&max_sessions) {
        None
    } else {
        match max_sessions.as_f64() {
            Some(n) if n.is_finite() && n >= 1.0 => Some(n.min(1e15) as usize),
            _ => {
                return Err(IdvError::config(
                    None,
                    "option `maxSessions` must be a number >= 1",
                ))
            }
        }
    };
    Ok(Call {
        options: CallOptions {
            include_raw: args::flag(&o, "includeRaw")?,
            details: args::flag(&o, "details")?,
            strict: args::flag(&o, "strict")?,
            max_sessions,
        },
        signal: signal.is_object().then_some(signal),
        on_progress: on_progress.dyn_into::<Function>().ok(),
    })
}

/// A page, or a web, shared or service worker: code every visitor can read.
fn is_browser() -> bool {
    let global = js_sys::global();
    (get(&global, "window").is_object() && get(&global, "document").is_object())
        || get(&global, "WorkerGlobalScope").is_function()
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
    #[serde(skip_serializing_if = "<[BadRow]>::is_empty")]
    bad_rows: &'a [BadRow],
    #[serde(skip_serializing_if = "is_zero")]
    bad_row_count: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
        args::notify(f, &value);
    }
}

fn query_arg(provider: Provider, query: &JsValue) -> Result<ListQuery, IdvError> {
    let value = args::json(provider, query, "the query")?;
    ListQuery::from_json(provider, &value)
}

/// The work of an async method, boxed: every method's promise comes from one
/// instance of `future_to_promise` (one per future type would be a copy of
/// its task glue per method in the wasm).
type Work = LocalBoxFuture<'static, Result<JsValue, JsValue>>;

/// A promise for `work`, or rejected at once with a bad argument's error.
fn promise<F>(prepared: Result<F, IdvError>) -> Promise
where
    F: Future<Output = Result<JsValue, JsValue>> + 'static,
{
    spawn(prepared.map(|work| Box::pin(work) as Work))
}

fn spawn(prepared: Result<Work, IdvError>) -> Promise {
    match prepared {
        Ok(work) => future_to_promise(work),
        Err(e) => Promise::reject(&to_js_error(&e)),
    }
}

impl IdvClient {
    fn transport(&self, signal: Option<JsValue>) -> JsTransport {
        JsTransport::new(
            self.fetch.clone(),
            self.fetch_this.clone(),
            &self.signals,
            signal,
        )
    }

    /// What every call needs: the engine, a transport listening to the call's signal, the options.
    /// A `config` error once `free()` was called.
    fn check_live(&self) -> Result<(), IdvError> {
        if self.freed.get() {
            return Err(IdvError::config(
                None,
                "IdvClient: this client was freed (free() or `using`); create a new one",
            ));
        }
        Ok(())
    }

    fn prepare(
        &self,
        options: Option<&JsValue>,
    ) -> Result<(Rc<Engine>, JsTransport, Call), IdvError> {
        self.check_live()?;
        let mut call = call_options(options)?;
        let transport = self.transport(call.signal.take());
        Ok((self.engine.clone(), transport, call))
    }
}

#[wasm_bindgen]
impl IdvClient {
    /// A client for the configured providers. Throws a `config` IdvError for
    /// a bad config, and in a browser for a secret key sent straight to a
    /// provider (use a proxy `baseUrl`, or `dangerouslyAllowBrowser: true`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "IdvClientConfig")] config: JsValue,
    ) -> Result<IdvClient, JsValue> {
        js(Self::build(&config))
    }

    /// What `free()` does (see `guarded.js`): marks the client freed. Its
    /// memory is released by the garbage collector once no call holds it.
    #[wasm_bindgen(js_name = __release, skip_typescript)]
    pub fn release(&self) {
        self.freed.set(true);
    }

    fn build(config: &JsValue) -> Result<IdvClient, IdvError> {
        let not_object = || IdvError::config(None, "IdvClient: config must be a plain object");
        if !config.is_object() {
            return Err(not_object());
        }
        let value = args::settings(config, "IdvClient")?.ok_or_else(not_object)?;
        let parsed = ClientConfig::from_json(&value)?;
        if is_browser() {
            parsed.check_browser_safety()?;
        }
        let custom = get(config, "fetch");
        let (fetch, fetch_this) = if is_nothing(&custom) {
            let global = js_sys::global();
            let f = get(&global, "fetch").dyn_into::<Function>().map_err(|_| {
                IdvError::config(
                    None,
                    "IdvClient: this runtime has no global fetch (Node >= 18 has one); pass `fetch` in the config",
                )
            })?;
            (f, global.into())
        } else {
            let f = custom
                .dyn_into::<Function>()
                .map_err(|_| IdvError::config(None, "IdvClient: `fetch` must be a function"))?;
            (f, JsValue::UNDEFINED)
        };
        Ok(IdvClient {
            engine: Rc::new(Engine::new(parsed)),
            fetch,
            fetch_this,
            signals: SignalHubs::default(),
            freed: std::cell::Cell::new(false),
        })
    }

    /// One page of sessions, normalized, with `total` when the provider says,
    /// `next` (the query of the next page) unless it is the last, and
    /// `badRows` when some rows were not sessions.
    #[wasm_bindgen(js_name = listSessions, unchecked_return_type = "Promise<SessionPage>")]
    pub fn list_sessions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayQuery | EqualsQuery | DiditQuery")]
        query: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        promise((|| {
            let provider = args::provider(&provider)?;
            let query = query_arg(provider, &query)?;
            let (engine, transport, call) = self.prepare(options.as_ref())?;
            Ok(async move {
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
                        bad_rows: &page.bad_rows,
                        bad_row_count: page.bad_rows.count(),
                    },
                )
            })
        })())
    }

    /// Every page: after the first, the rest concurrently within the
    /// provider's rate limit, in the provider's order, deduplicated by `key`.
    /// `onProgress` is called as pages arrive; rows that were not sessions
    /// are in the array's `badRows`.
    #[wasm_bindgen(js_name = listAll, unchecked_return_type = "Promise<SessionList>")]
    pub fn list_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayQuery | EqualsQuery | DiditQuery")]
        query: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ListAllOptions")] options: Option<JsValue>,
    ) -> Promise {
        promise((|| {
            let provider = args::provider(&provider)?;
            let query = query_arg(provider, &query)?;
            let (engine, transport, call) = self.prepare(options.as_ref())?;
            Ok(async move {
                let on_progress = call.on_progress;
                // Each page's sessions go to JS as it arrives: wasm memory
                // holds the pages in flight, not the listing.
                let mut sink = SessionSink::listing();
                let bad_rows = engine
                    .list_all_into(
                        &transport,
                        provider,
                        &query,
                        &call.options,
                        &mut |p| report(&on_progress, p),
                        &mut sink,
                    )
                    .await
                    .map_err(|e| to_js_error(&e))?;
                with_bad_rows(sink.finish(), &bad_rows)
            })
        })())
    }

    /// An async iterator over the sessions, page by page (`for await`). A bad
    /// argument rejects its first `next()`.
    pub fn sessions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayQuery | EqualsQuery | DiditQuery")]
        query: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> SessionStream {
        let prepared = (|| {
            let provider = args::provider(&provider)?;
            let query = query_arg(provider, &query)?;
            let call = call_options(options.as_ref())?;
            self.check_live()?;
            Ok((provider, query, call))
        })();
        let state = match prepared {
            Ok((provider, query, call)) => StreamState {
                engine: Some(self.engine.clone()),
                transport: Some(Rc::new(self.transport(call.signal))),
                cursor: Some(SessionCursor::new(provider, query, call.options)),
                failed: None,
                closed: false,
                bad_rows: BadRows::default(),
            },
            Err(e) => StreamState {
                engine: None,
                transport: None,
                cursor: None,
                failed: Some(e),
                closed: false,
                bad_rows: BadRows::default(),
            },
        };
        SessionStream {
            shared: Rc::new(StreamShared {
                turn: Semaphore::new(1),
                state: RefCell::new(state),
            }),
        }
    }

    /// Every configured provider's sessions for one user, concurrently, merged
    /// newest first: `{ sessions, errors, badRows, badRowCount }`, one IdvError per failed provider.
    #[wasm_bindgen(js_name = listUserSessions, unchecked_return_type = "Promise<UserSessions>")]
    pub fn list_user_sessions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UserRefs")] refs: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        promise((|| {
            let refs = user_refs(&refs)?;
            let (engine, transport, call) = self.prepare(options.as_ref())?;
            Ok(async move {
                let out = engine
                    .list_user_sessions(&transport, &refs, &call.options)
                    .await
                    .map_err(|e| to_js_error(&e))?;
                let result = Object::new();
                let sessions = sessions_to_js(&out.sessions);
                let errors: Array = out.errors.iter().map(to_js_error).collect();
                Reflect::set(&result, &"sessions".into(), &sessions)?;
                Reflect::set(&result, &"errors".into(), &errors)?;
                Reflect::set(&result, &"badRows".into(), &to_js_value(&*out.bad_rows)?)?;
                Reflect::set(
                    &result,
                    &"badRowCount".into(),
                    &(out.bad_rows.count() as f64).into(),
                )?;
                Ok(result.into())
            })
        })())
    }

    /// One session: Mangopay View (with checks), Didit decision. Equals has no
    /// such endpoint: `unsupported`.
    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "Promise<Session>")]
    pub fn get_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        promise((|| {
            let provider = args::provider(&provider)?;
            let id = args::string(&id, "getSession: the session id")?;
            let (engine, transport, call) = self.prepare(options.as_ref())?;
            Ok(async move {
                let session = engine
                    .get_session(&transport, provider, &id, &call.options)
                    .await
                    .map_err(|e| to_js_error(&e))?;
                to_js(provider, &session)
            })
        })())
    }

    /// Creates a session: Mangopay `{userId, returnUrl, tag?, idempotencyKey?}`,
    /// Didit `{workflowId, vendorData?, callback?, metadata?}`. Equals issues
    /// sessions itself: `unsupported`. Never duplicated by a retry.
    #[wasm_bindgen(js_name = createSession, unchecked_return_type = "Promise<Session>")]
    pub fn create_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Provider")] provider: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MangopayCreateInput | DiditCreateInput")]
        input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        promise((|| {
            let provider = args::provider(&provider)?;
            let input = args::json(provider, &input, "createSession input")?;
            let (engine, transport, call) = self.prepare(options.as_ref())?;
            Ok(async move {
                let session = engine
                    .create_session(&transport, provider, &input, &call.options)
                    .await
                    .map_err(|e| to_js_error(&e))?;
                to_js(provider, &session)
            })
        })())
    }
}

#[wasm_bindgen]
impl IdvClient {
    /// The session a webhook event (from `parseWebhook`) is about, fetched
    /// from the provider: Mangopay View, Didit decision; Equals: its row in
    /// the event's application (or person), matched by id and `correlationId`.
    #[wasm_bindgen(js_name = resolveWebhook)]
    pub fn resolve_webhook(&self, event: JsValue, options: Option<JsValue>) -> Promise {
        promise((|| {
            let event = super::webhooks::event_arg(&event)?;
            let (engine, transport, call) = self.prepare(options.as_ref())?;
            Ok(async move {
                let session = engine
                    .resolve_webhook(&transport, &event, &call.options)
                    .await
                    .map_err(|e| to_js_error(&e))?;
                to_js(session.provider, &session)
            })
        })())
    }

    /// Past events, oldest first, every page (Mangopay's events API, the last
    /// 45 days: to catch up on missed notifications), with the rows that were
    /// not events in the array's `badRows`; `unsupported` elsewhere.
    #[wasm_bindgen(js_name = listEvents, unchecked_return_type = "Promise<EventList>")]
    pub fn list_events(
        &self,
        provider: JsValue,
        query: Option<JsValue>,
        options: Option<JsValue>,
    ) -> Promise {
        promise((|| {
            let provider = args::provider(&provider)?;
            let query = match &query {
                Some(q) => super::webhooks::events_query(q)?,
                None => Default::default(),
            };
            let (engine, transport, call) = self.prepare(options.as_ref())?;
            Ok(async move {
                let list = engine
                    .list_events(&transport, provider, &query, &call.options)
                    .await
                    .map_err(|e| to_js_error(&e))?;
                with_bad_rows(to_js_value(&list.events)?, &list.bad_rows)
            })
        })())
    }
}

fn user_refs(refs: &JsValue) -> Result<UserRefs, IdvError> {
    let value = if args::is_plain_object(refs) {
        args::data(refs, "listUserSessions")?
    } else {
        None
    };
    let value = value.ok_or_else(|| {
        IdvError::config(
            None,
            "listUserSessions: expected a plain object of user references",
        )
    })?;
    UserRefs::from_json(&value)
}

struct StreamState {
    engine: Option<Rc<Engine>>,
    /// Dropped when the iteration ends (its signal listener goes with it).
    transport: Option<Rc<JsTransport>>,
    /// The walk (the core's); taken out while a page is read.
    cursor: Option<SessionCursor>,
    /// A bad argument: the first `next()` rejects with it.
    failed: Option<IdvError>,
    /// `return()` was called: nothing more is yielded.
    closed: bool,
    /// The rows read so far that were not sessions.
    bad_rows: BadRows,
}

struct StreamShared {
    /// One `next()` at a time, in call order.
    turn: Semaphore,
    state: RefCell<StreamState>,
}

/// The async iterator returned by `IdvClient.sessions()`: one session per
/// `next()`, fetching a page when the previous one is used up. Queued
/// `next()` calls are answered in order; a failed page rejects its `next()`
/// and is fetched again by the following one; `return()` ends the iteration
/// at once, a pending `next()` included.
// Its TypeScript class is written in types.rs (without `[Symbol.dispose]`).
#[wasm_bindgen(skip_typescript)]
pub struct SessionStream {
    shared: Rc<StreamShared>,
}

fn iter_result(value: JsValue, done: bool) -> JsValue {
    let r = Object::new();
    let _ = Reflect::set(&r, &"value".into(), &value);
    let _ = Reflect::set(&r, &"done".into(), &JsValue::from_bool(done));
    r.into()
}

fn finish(s: &mut StreamState) {
    s.closed = true;
    s.cursor = None;
    s.transport = None;
}

#[wasm_bindgen]
impl SessionStream {
    /// The next session: `{ value, done }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Session, undefined>>")]
    pub fn next(&self) -> Promise {
        let shared = self.shared.clone();
        spawn(Ok(Box::pin(async move {
            let _turn = shared.turn.acquire().await;
            let (engine, transport, mut cursor) = {
                let mut s = shared.state.borrow_mut();
                if let Some(e) = s.failed.take() {
                    finish(&mut s);
                    return Err(to_js_error(&e));
                }
                let (Some(engine), Some(transport), Some(cursor)) =
                    (s.engine.clone(), s.transport.clone(), s.cursor.take())
                else {
                    finish(&mut s);
                    return Ok(iter_result(JsValue::UNDEFINED, true));
                };
                (engine, transport, cursor)
            };
            let next = cursor.next(&engine, transport.as_ref()).await;
            let mut s = shared.state.borrow_mut();
            s.bad_rows.append(cursor.take_bad_rows());
            if s.closed {
                return Ok(iter_result(JsValue::UNDEFINED, true));
            }
            let provider = cursor.provider();
            s.cursor = Some(cursor);
            match next.map_err(|e| to_js_error(&e))? {
                Some(session) => Ok(iter_result(to_js(provider, &session)?, false)),
                None => {
                    finish(&mut s);
                    Ok(iter_result(JsValue::UNDEFINED, true))
                }
            }
        })))
    }

    /// Stops the iteration (called by `break` in `for await`): a `next()`
    /// still fetching resolves `{ done: true }`, its request is aborted.
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<Session, undefined>>"
    )]
    pub fn finish(&self) -> Promise {
        let transport = {
            let mut s = self.shared.state.borrow_mut();
            let transport = s.transport.clone();
            finish(&mut s);
            transport
        };
        if let Some(t) = transport {
            t.signal.fire();
        }
        Promise::resolve(&iter_result(JsValue::UNDEFINED, true))
    }

    /// The rows read so far that were not sessions, `{ rows, count }`: the
    /// stream's `badRows` and `badRowCount` (getters in `guarded.js`).
    #[wasm_bindgen(js_name = __badRows, skip_typescript)]
    pub fn bad_rows(&self) -> Result<JsValue, JsValue> {
        let s = self.shared.state.borrow();
        let out = Object::new();
        Reflect::set(&out, &"rows".into(), &to_js_value(&*s.bad_rows)?)?;
        Reflect::set(&out, &"count".into(), &(s.bad_rows.count() as f64).into())?;
        Ok(out.into())
    }

    /// What `free()` does (see `guarded.js`): ends the iteration, as `return()`.
    #[wasm_bindgen(js_name = __release, skip_typescript)]
    pub fn release(&self) {
        let _ = self.finish();
    }
}
