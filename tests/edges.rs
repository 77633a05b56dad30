//! The client at the edges (SPEC section 6): no duplicate creates, one shared
//! token, a per-provider in-flight limit across calls, honest rate limits,
//! siblings dropped with a failed listing, bounded paging, one retry budget
//! per logical read, `forbidden`.
//!
//! The transport here completes requests only when the test answers them, in
//! any order, so interleavings (a token stampede, a page failing while its
//! siblings are in flight) are played out exactly. Time is virtual.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_executor::LocalPool;
use futures_util::task::LocalSpawnExt;
use idv_sessions::client::http::{
    HttpRequest, HttpResponse, LocalFuture, Transport, TransportError,
};
use idv_sessions::client::{CallOptions, ClientConfig, Engine, ListQuery};
use idv_sessions::{ErrorCode, IdvError, Provider, SessionList};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

type Answer = Result<HttpResponse, TransportError>;

/// One request waiting for the test's answer.
struct Pending {
    request: HttpRequest,
    answer: Rc<RefCell<Option<Answer>>>,
    waker: Rc<RefCell<Option<Waker>>>,
    /// Set when the engine dropped the request before it was answered.
    dropped: Rc<Cell<bool>>,
    answered: Cell<bool>,
}

impl Pending {
    fn waiting(&self) -> bool {
        !self.dropped.get() && !self.answered.get()
    }
}

#[derive(Default)]
struct Scripted {
    clock: Cell<f64>,
    /// A wall clock that may jump (the monotonic one never does).
    wall_offset: Cell<f64>,
    pending: RefCell<Vec<Pending>>,
    sent: RefCell<Vec<HttpRequest>>,
    in_flight: Rc<Cell<usize>>,
    max_in_flight: Cell<usize>,
    sleeps: RefCell<Vec<u64>>,
    seed: Cell<u64>,
}

struct Reply {
    answer: Rc<RefCell<Option<Answer>>>,
    waker: Rc<RefCell<Option<Waker>>>,
    dropped: Rc<Cell<bool>>,
    in_flight: Rc<Cell<usize>>,
    done: bool,
}

impl Future for Reply {
    type Output = Answer;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answer> {
        let answer = self.answer.borrow_mut().take();
        if let Some(answer) = answer {
            self.done = true;
            self.in_flight.set(self.in_flight.get() - 1);
            return Poll::Ready(answer);
        }
        *self.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        if !self.done {
            self.dropped.set(true);
            self.in_flight.set(self.in_flight.get() - 1);
        }
    }
}

impl Scripted {
    fn new() -> Rc<Self> {
        let s = Scripted::default();
        s.clock.set(1_767_225_600_000.0);
        Rc::new(s)
    }
    /// The requests waiting for an answer, oldest first.
    fn waiting(&self) -> Vec<String> {
        self.pending
            .borrow()
            .iter()
            .filter(|p| p.waiting())
            .map(|p| p.request.url.clone())
            .collect()
    }
    /// Answers the oldest waiting request whose URL contains `part`.
    fn answer(&self, part: &str, answer: Answer) {
        let found = self
            .pending
            .borrow()
            .iter()
            .find(|p| p.waiting() && p.request.url.contains(part))
            .map(|p| {
                p.answered.set(true);
                (p.answer.clone(), p.waker.clone())
            });
        let Some((slot, waker)) = found else {
            panic!("no request for {part} in {:?}", self.waiting());
        };
        *slot.borrow_mut() = Some(answer);
        let waker = waker.borrow_mut().take();
        if let Some(w) = waker {
            w.wake();
        }
    }
    fn dropped(&self) -> usize {
        self.pending
            .borrow()
            .iter()
            .filter(|p| p.dropped.get())
            .count()
    }
    fn count(&self, part: &str) -> usize {
        self.sent
            .borrow()
            .iter()
            .filter(|r| r.url.contains(part))
            .count()
    }
}

impl Transport for Scripted {
    fn send(&self, request: HttpRequest, _timeout_ms: u64) -> LocalFuture<'_, Answer> {
        self.sent.borrow_mut().push(request.clone());
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight
            .set(self.max_in_flight.get().max(self.in_flight.get()));
        let answer = Rc::new(RefCell::new(None));
        let waker = Rc::new(RefCell::new(None));
        let dropped = Rc::new(Cell::new(false));
        self.pending.borrow_mut().push(Pending {
            request,
            answer: answer.clone(),
            waker: waker.clone(),
            dropped: dropped.clone(),
            answered: Cell::new(false),
        });
        Box::pin(Reply {
            answer,
            waker,
            dropped,
            in_flight: self.in_flight.clone(),
            done: false,
        })
    }
    fn sleep(&self, ms: u64) -> LocalFuture<'_, Result<(), TransportError>> {
        self.sleeps.borrow_mut().push(ms);
        self.clock.set(self.clock.get() + ms as f64);
        Box::pin(async { Ok(()) })
    }
    fn now_ms(&self) -> f64 {
        self.clock.get() + self.wall_offset.get()
    }
    fn monotonic_ms(&self) -> f64 {
        self.clock.get()
    }
    fn random(&self) -> f64 {
        // A small LCG: different on every call, the same in every run.
        let next = self
            .seed
            .get()
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.seed.set(next);
        (next >> 11) as f64 / (1u64 << 53) as f64
    }
    fn is_aborted(&self) -> bool {
        false
    }
}

fn json_response(status: u16, body: Value) -> Answer {
    Ok(HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    })
}

fn with_headers(answer: Answer, headers: &[(&str, &str)]) -> Answer {
    answer.map(|mut r| {
        r.headers
            .extend(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        r
    })
}

fn engine(config: Value) -> Rc<Engine> {
    Rc::new(Engine::new(ClientConfig::from_json(&config).unwrap()))
}

fn mangopay(extra: Value) -> Rc<Engine> {
    let mut config =
        json!({"mangopay": {"clientId": "cid", "apiKey": "mp-key", "baseUrl": "http://mock"}});
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    engine(config)
}

fn didit(extra: Value) -> Rc<Engine> {
    let mut config = json!({"didit": {"apiKey": "dd-key", "baseUrl": "http://mock"}});
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    engine(config)
}

fn token(n: u32) -> Answer {
    json_response(
        200,
        json!({"access_token": format!("tok{n}"), "token_type": "bearer", "expires_in": 1200}),
    )
}

fn mangopay_rows(from: usize, n: usize) -> Value {
    Value::Array(
        (from..from + n)
            .map(|i| json!({"Id": format!("idnver_{i:05}"), "Status": "VALIDATED", "CreationDate": 1_700_000_000 + i as i64, "LastUpdate": null}))
            .collect(),
    )
}

fn mangopay_page(from: usize, n: usize, pages: u64, items: u64) -> Answer {
    with_headers(
        json_response(200, mangopay_rows(from, n)),
        &[
            ("x-number-of-pages", &pages.to_string()),
            ("x-number-of-items", &items.to_string()),
        ],
    )
}

fn didit_created() -> Answer {
    json_response(
        201,
        json!({"session_id": "new-1", "session_number": 7, "session_token": "t", "url": "https://verify/new-1", "status": "Not Started", "workflow_id": "wf"}),
    )
}

fn mangopay_created() -> Answer {
    json_response(
        200,
        json!({"Id": "idnver_new", "CreationDate": 1_767_225_600, "HostedUrl": "https://hosted/new", "Status": "PENDING", "ReturnUrl": "https://example.com/back"}),
    )
}

/// Spawns `f` on the pool; its result lands in the returned cell.
fn spawn<T: 'static>(
    pool: &LocalPool,
    f: impl Future<Output = T> + 'static,
) -> Rc<RefCell<Option<T>>> {
    let out = Rc::new(RefCell::new(None));
    let slot = out.clone();
    pool.spawner()
        .spawn_local(async move {
            *slot.borrow_mut() = Some(f.await);
        })
        .unwrap();
    out
}

fn user_query() -> ListQuery {
    ListQuery::with("userId", "user_m_1")
}

// ---- 1. creates are never duplicated by a retry ----

#[test]
fn a_didit_create_that_may_have_arrived_is_not_sent_again() {
    for failure in [
        Err(TransportError::Timeout),
        Err(TransportError::Network("socket hang up".into())),
        json_response(500, json!({"detail": "oops"})),
        json_response(502, json!({"detail": "bad gateway"})),
        // A 2xx cut short: the session exists.
        Ok(HttpResponse {
            status: 201,
            headers: vec![],
            body: "{\"session_id\": \"new-".into(),
        }),
    ] {
        let t = Scripted::new();
        let e = didit(json!({}));
        let mut pool = LocalPool::new();
        let (e2, t2) = (e.clone(), t.clone());
        let out = spawn(&pool, async move {
            e2.create_session(
                &*t2,
                Provider::Didit,
                &json!({"workflowId": "wf"}),
                &CallOptions::default(),
            )
            .await
        });
        pool.run_until_stalled();
        t.answer("/v3/session/", failure.clone());
        pool.run_until_stalled();
        let err = out.borrow_mut().take().unwrap().unwrap_err();
        assert_eq!(t.count("/v3/session/"), 1, "{failure:?} was re-sent");
        assert!(!err.retryable, "{err:?}");
        assert!(err.message.contains("not sent again"), "{}", err.message);
    }
}

#[test]
fn a_didit_create_that_provably_never_arrived_is_retried() {
    for failure in [
        Err(TransportError::NotSent("connect ECONNREFUSED".into())),
        with_headers(
            json_response(429, json!({"detail": "throttled"})),
            &[("retry-after", "1")],
        ),
    ] {
        let t = Scripted::new();
        let e = didit(json!({}));
        let mut pool = LocalPool::new();
        let (e2, t2) = (e.clone(), t.clone());
        let out = spawn(&pool, async move {
            e2.create_session(
                &*t2,
                Provider::Didit,
                &json!({"workflowId": "wf"}),
                &CallOptions::default(),
            )
            .await
        });
        pool.run_until_stalled();
        t.answer("/v3/session/", failure);
        pool.run_until_stalled();
        t.answer("/v3/session/", didit_created());
        pool.run_until_stalled();
        let session = out.borrow_mut().take().unwrap().unwrap();
        assert_eq!(session.id, "new-1");
        assert_eq!(t.count("/v3/session/"), 2);
    }
}

#[test]
fn a_mangopay_create_reuses_one_idempotency_key_on_every_attempt() {
    for (input, caller_key) in [
        (
            json!({"userId": "user_m_1", "returnUrl": "https://example.com/back"}),
            None,
        ),
        (
            json!({"userId": "user_m_1", "returnUrl": "https://example.com/back", "idempotencyKey": "mine-000000000001"}),
            Some("mine-000000000001"),
        ),
    ] {
        let t = Scripted::new();
        let e = mangopay(json!({}));
        let mut pool = LocalPool::new();
        let (e2, t2) = (e.clone(), t.clone());
        let out = spawn(&pool, async move {
            e2.create_session(&*t2, Provider::Mangopay, &input, &CallOptions::default())
                .await
        });
        pool.run_until_stalled();
        t.answer("/oauth/token", token(1));
        pool.run_until_stalled();
        t.answer("/identity-verifications", Err(TransportError::Timeout));
        pool.run_until_stalled();
        t.answer(
            "/identity-verifications",
            json_response(503, json!({"Message": "unavailable"})),
        );
        pool.run_until_stalled();
        t.answer("/identity-verifications", mangopay_created());
        pool.run_until_stalled();
        assert_eq!(out.borrow_mut().take().unwrap().unwrap().id, "idnver_new");
        let keys: Vec<String> = t
            .sent
            .borrow()
            .iter()
            .filter(|r| r.url.contains("/identity-verifications"))
            .map(|r| r.header("idempotency-key").unwrap().to_string())
            .collect();
        assert_eq!(keys.len(), 3);
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        match caller_key {
            Some(k) => assert_eq!(keys[0], k),
            None => {
                // A UUID v4.
                let k = &keys[0];
                assert_eq!(k.len(), 36, "{k}");
                assert_eq!(&k[14..15], "4", "{k}");
            }
        }
    }
    // Each call gets its own key.
    let t = Scripted::new();
    let e = mangopay(json!({}));
    let mut pool = LocalPool::new();
    for _ in 0..2 {
        let (e2, t2) = (e.clone(), t.clone());
        spawn(&pool, async move {
            e2.create_session(
                &*t2,
                Provider::Mangopay,
                &json!({"userId": "user_m_1", "returnUrl": "https://example.com/back"}),
                &CallOptions::default(),
            )
            .await
        });
    }
    pool.run_until_stalled();
    t.answer("/oauth/token", token(1));
    pool.run_until_stalled();
    let sent = t.sent.borrow();
    let keys: Vec<&str> = sent
        .iter()
        .filter_map(|r| r.header("idempotency-key"))
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
}

/// A create out of attempts after one went unanswered (a timeout, then a
/// 5xx, a timeout or a 429) may have made the session: its error names the
/// key to call again with, a key the caller did not make. A refusal of the
/// request itself (here 400) made nothing and says nothing of it.
#[test]
fn a_create_that_never_got_an_answer_names_its_idempotency_key() {
    for (last, may_exist) in [
        (json_response(503, json!({"Message": "unavailable"})), true),
        (Err(TransportError::Timeout), true),
        // The retry refused for its rate: the first attempt may still have made it.
        (json_response(429, json!({"Message": "slow down"})), true),
        (
            json_response(400, json!({"Message": "bad", "Type": "param_error"})),
            false,
        ),
    ] {
        let t = Scripted::new();
        let e = mangopay(json!({"maxRetries": 1}));
        let mut pool = LocalPool::new();
        let (e2, t2) = (e.clone(), t.clone());
        let out = spawn(&pool, async move {
            let input = json!({"userId": "user_m_1", "returnUrl": "https://example.com/back"});
            e2.create_session(&*t2, Provider::Mangopay, &input, &CallOptions::default())
                .await
        });
        pool.run_until_stalled();
        t.answer("/oauth/token", token(1));
        pool.run_until_stalled();
        t.answer("/identity-verifications", Err(TransportError::Timeout));
        pool.run_until_stalled();
        t.answer("/identity-verifications", last);
        pool.run_until_stalled();
        let err = out.borrow_mut().take().unwrap().unwrap_err();
        let key = t.sent.borrow()[1]
            .header("idempotency-key")
            .unwrap()
            .to_string();
        assert_eq!(
            err.message.contains(&format!("idempotencyKey \"{key}\"")),
            may_exist,
            "{}",
            err.message
        );
    }
}

/// A Mangopay create whose first attempt times out (it may have reached
/// Mangopay) and whose retry under the same key is answered 409, then the
/// `responses/{key}` reads answered in turn by `reads`.
fn mangopay_create_after_409(
    reads: Vec<Answer>,
) -> (Rc<Scripted>, Result<idv_sessions::Session, IdvError>) {
    let t = Scripted::new();
    let e = mangopay(json!({"maxRetries": 3}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let input = json!({"userId": "user_m_1", "returnUrl": "https://example.com/back"});
    let out = spawn(&pool, async move {
        e2.create_session(&*t2, Provider::Mangopay, &input, &CallOptions::default())
            .await
    });
    pool.run_until_stalled();
    t.answer("/oauth/token", token(1));
    pool.run_until_stalled();
    t.answer(
        "/users/user_m_1/identity-verifications",
        Err(TransportError::Timeout),
    );
    pool.run_until_stalled();
    t.answer(
        "/users/user_m_1/identity-verifications",
        json_response(
            409,
            json!({"Message": "A resource has already been created with this Idempotency Key", "Type": "idempotent_creation_conflict", "Id": "x#1", "Date": 1_452_723_944, "errors": null}),
        ),
    );
    for read in reads {
        pool.run_until_stalled();
        t.answer("/responses/", read);
    }
    pool.run_until_stalled();
    let result = out.borrow_mut().take().expect("the create ended");
    (t, result)
}

#[test]
fn a_mangopay_create_answered_409_reads_back_the_first_answer_under_the_same_key() {
    let not_yet = || {
        json_response(
            404,
            json!({"Message": "The ressource does not exist", "Type": "ressource_not_found"}),
        )
    };
    let stored = |status: &str, resource: Value| {
        json_response(
            200,
            json!({"StatusCode": status, "ContentLength": "200", "ContentType": "application/json; charset=utf-8", "Date": "Tue, 19 Jul 2022 08:47:59 GMT", "RequestURL": "https://api.mangopay.com/V2.01/cid/users/user_m_1/identity-verifications", "Resource": resource}),
        )
    };
    // The first request is still running at the first read, stored at the second.
    let created = json!({"Id": "idnver_new", "CreationDate": 1_767_225_600, "HostedUrl": "https://hosted/new", "Status": "PENDING", "ReturnUrl": "https://example.com/back"});
    let (t, result) = mangopay_create_after_409(vec![not_yet(), stored("200", created)]);
    let session = result.unwrap();
    assert_eq!(session.id, "idnver_new");
    assert_eq!(session.user_ref.as_deref(), Some("user_m_1"));
    let sent = t.sent.borrow();
    let key = sent[1].header("idempotency-key").unwrap().to_string();
    assert_eq!(sent[2].header("idempotency-key"), Some(key.as_str()));
    assert!(
        sent[3]
            .url
            .ends_with(&format!("/v2.01/cid/responses/{key}")),
        "{}",
        sent[3].url
    );
    assert_eq!(
        t.count("/users/user_m_1/identity-verifications"),
        2,
        "never a third create"
    );
    drop(sent);

    // The first request failed: its error, and the key is spent.
    let (_, result) = mangopay_create_after_409(vec![stored(
        "400",
        json!({"Message": "One or several required parameters are missing or incorrect", "Type": "param_error", "errors": {"ReturnUrl": "invalid"}}),
    )]);
    let err = result.unwrap_err();
    assert_eq!(
        (err.code, err.http_status, err.retryable),
        (ErrorCode::Http, Some(400), false)
    );
    assert!(
        err.message.contains("ReturnUrl") && err.message.contains("new key"),
        "{}",
        err.message
    );

    // Never stored within the retry budget: the caller learns that the
    // session may exist, and the key that finds it.
    let (t, result) = mangopay_create_after_409(vec![not_yet(), not_yet(), not_yet(), not_yet()]);
    let err = result.unwrap_err();
    let key = t.sent.borrow()[1]
        .header("idempotency-key")
        .unwrap()
        .to_string();
    assert_eq!((err.http_status, err.retryable), (Some(409), true));
    assert!(
        err.message.contains("may have been created"),
        "{}",
        err.message
    );
    assert!(err.message.contains(&key), "{}", err.message);
    assert_eq!(t.count("/users/user_m_1/identity-verifications"), 2);
}

#[test]
fn a_caller_key_mangopay_would_refuse_is_a_config_error_before_sending() {
    let t = Scripted::new();
    let e = mangopay(json!({}));
    for key in [
        "short",
        "has spaces in it here",
        "x".repeat(37).as_str(),
        "ünïcödé-0000000000",
    ] {
        let input = json!({"userId": "user_m_1", "returnUrl": "https://example.com/back", "idempotencyKey": key});
        let err = futures_executor::block_on(e.create_session(
            &*t,
            Provider::Mangopay,
            &input,
            &CallOptions::default(),
        ))
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::Config, "{key}");
    }
    assert!(t.sent.borrow().is_empty());
}

// ---- 2. one token request at a time ----

#[test]
fn concurrent_calls_share_one_token_request() {
    let t = Scripted::new();
    let e = mangopay(json!({"concurrency": 8}));
    let mut pool = LocalPool::new();
    let outs: Vec<_> = (0..6)
        .map(|_| {
            let (e2, t2) = (e.clone(), t.clone());
            spawn(&pool, async move {
                e2.list_sessions(
                    &*t2,
                    Provider::Mangopay,
                    &user_query(),
                    &CallOptions::default(),
                )
                .await
            })
        })
        .collect();
    pool.run_until_stalled();
    assert_eq!(t.waiting().len(), 1, "{:?}", t.waiting());
    t.answer("/oauth/token", token(1));
    pool.run_until_stalled();
    assert_eq!(t.waiting().len(), 6);
    for _ in 0..6 {
        t.answer("/users/user_m_1/", mangopay_page(0, 3, 1, 3));
    }
    pool.run_until_stalled();
    assert!(outs.iter().all(|o| o.borrow().as_ref().unwrap().is_ok()));
    assert_eq!(t.count("/oauth/token"), 1);
    assert!(t
        .sent
        .borrow()
        .iter()
        .filter(|r| r.url.contains("/users/"))
        .all(|r| r.header("authorization") == Some("Bearer tok1")));
}

#[test]
fn a_revoked_token_mid_listing_is_refreshed_once() {
    let t = Scripted::new();
    let e = mangopay(json!({"concurrency": 5}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.list_all(
            &*t2,
            Provider::Mangopay,
            &user_query(),
            &CallOptions::default(),
            &mut |_| {},
        )
        .await
    });
    pool.run_until_stalled();
    t.answer("/oauth/token", token(1));
    pool.run_until_stalled();
    t.answer("page=1&", mangopay_page(0, 100, 6, 600));
    pool.run_until_stalled();
    assert_eq!(t.waiting().len(), 5, "{:?}", t.waiting());
    // The token is revoked: every page in flight gets a 401.
    let revoked = json_response(
        401,
        json!({"Message": "The authorization credentials are not valid", "Type": "invalid_credentials"}),
    );
    for _ in 0..5 {
        t.answer("/users/", revoked.clone());
    }
    pool.run_until_stalled();
    assert_eq!(
        t.waiting(),
        vec!["http://mock/v2.01/oauth/token".to_string()]
    );
    t.answer("/oauth/token", token(2));
    pool.run_until_stalled();
    for page in 2..=6 {
        t.answer(
            &format!("page={page}&"),
            mangopay_page((page - 1) * 100, 100, 6, 600),
        );
    }
    pool.run_until_stalled();
    assert_eq!(out.borrow_mut().take().unwrap().unwrap().len(), 600);
    assert_eq!(t.count("/oauth/token"), 2);
}

#[test]
fn a_token_answer_that_is_not_json_is_read_again() {
    for bad in [
        "<html><body>Maintenance</body></html>",
        "{\"access_token\": \"tok",
    ] {
        let t = Scripted::new();
        let e = mangopay(json!({}));
        let mut pool = LocalPool::new();
        let (e2, t2) = (e.clone(), t.clone());
        let out = spawn(&pool, async move {
            e2.list_sessions(
                &*t2,
                Provider::Mangopay,
                &user_query(),
                &CallOptions::default(),
            )
            .await
        });
        pool.run_until_stalled();
        t.answer(
            "/oauth/token",
            Ok(HttpResponse {
                status: 200,
                headers: vec![],
                body: bad.into(),
            }),
        );
        pool.run_until_stalled();
        t.answer("/oauth/token", token(1));
        pool.run_until_stalled();
        t.answer("/users/", mangopay_page(0, 3, 1, 3));
        pool.run_until_stalled();
        assert!(out.borrow_mut().take().unwrap().is_ok());
        assert_eq!(t.count("/oauth/token"), 2);
    }
}

#[test]
fn a_failed_shared_token_request_fails_every_waiting_call_without_more_token_requests() {
    let t = Scripted::new();
    let e = mangopay(json!({}));
    let mut pool = LocalPool::new();
    let outs: Vec<_> = (0..3)
        .map(|_| {
            let (e2, t2) = (e.clone(), t.clone());
            spawn(&pool, async move {
                e2.list_sessions(
                    &*t2,
                    Provider::Mangopay,
                    &user_query(),
                    &CallOptions::default(),
                )
                .await
            })
        })
        .collect();
    pool.run_until_stalled();
    t.answer(
        "/oauth/token",
        json_response(
            401,
            json!({"Message": "The authorization credentials are not valid", "Type": "invalid_credentials"}),
        ),
    );
    pool.run_until_stalled();
    for o in &outs {
        let err = o.borrow_mut().take().unwrap().unwrap_err();
        assert_eq!(err.code, ErrorCode::Auth);
        assert!(!err.message.contains("mp-key"));
    }
    assert_eq!(t.count("/oauth/token"), 1);
}

// ---- 3. concurrency per provider, across calls ----

#[test]
fn concurrency_bounds_requests_in_flight_across_calls() {
    let t = Scripted::new();
    let e = didit(json!({"concurrency": 4}));
    let mut pool = LocalPool::new();
    let outs: Vec<_> = (0..12)
        .map(|i| {
            let (e2, t2) = (e.clone(), t.clone());
            spawn(&pool, async move {
                e2.get_session(
                    &*t2,
                    Provider::Didit,
                    &format!("s-{i}"),
                    &CallOptions::default(),
                )
                .await
            })
        })
        .collect();
    for _ in 0..12 {
        pool.run_until_stalled();
        assert!(t.waiting().len() <= 4, "{:?}", t.waiting());
        let first = t.waiting()[0].clone();
        let id = first
            .split("/v3/session/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        t.answer(
            &first,
            json_response(
                200,
                json!({"session_id": id, "status": "Approved", "created_at": "2026-01-01T00:00:00Z"}),
            ),
        );
    }
    pool.run_until_stalled();
    assert!(outs.iter().all(|o| o.borrow().as_ref().unwrap().is_ok()));
    assert_eq!(t.max_in_flight.get(), 4);
}

// ---- 4. honest rate limits ----

#[test]
fn a_retry_after_longer_than_the_longest_back_off_fails_at_once() {
    let t = Scripted::new();
    let e = didit(json!({}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.list_sessions(
            &*t2,
            Provider::Didit,
            &ListQuery::default(),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    t.answer(
        "/v3/sessions/",
        with_headers(
            json_response(429, json!({"detail": "Request was throttled."})),
            &[("retry-after", "900")],
        ),
    );
    pool.run_until_stalled();
    let err = out.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert_eq!(err.retry_after_ms, Some(900_000));
    assert!(err.retryable);
    assert_eq!(t.count("/v3/sessions/"), 1);
    assert!(t.sleeps.borrow().is_empty(), "{:?}", t.sleeps.borrow());
    // The provider stays paused: the next call fails at once too, without a request.
    let (e3, t3) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e3.get_session(&*t3, Provider::Didit, "x", &CallOptions::default())
            .await
    });
    pool.run_until_stalled();
    let err = out.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert!(err.retry_after_ms.unwrap() > 899_000);
    assert_eq!(t.sent.borrow().len(), 1);
}

#[test]
fn a_429_pauses_every_call_to_the_provider() {
    let t = Scripted::new();
    let e = didit(json!({}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let first = spawn(&pool, async move {
        e2.list_sessions(
            &*t2,
            Provider::Didit,
            &ListQuery::default(),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    t.answer(
        "/v3/sessions/",
        with_headers(
            json_response(429, json!({"detail": "throttled"})),
            &[("retry-after", "5")],
        ),
    );
    // Another call starts during the pause: it waits the pause out before sending.
    let (e3, t3) = (e.clone(), t.clone());
    let second = spawn(&pool, async move {
        e3.get_session(&*t3, Provider::Didit, "x", &CallOptions::default())
            .await
    });
    pool.run_until_stalled();
    assert!(t.sleeps.borrow().contains(&5000), "{:?}", t.sleeps.borrow());
    let ok = json_response(
        200,
        json!({"count": 0, "next": null, "previous": null, "results": []}),
    );
    t.answer("/v3/sessions/", ok);
    t.answer(
        "/v3/session/x/",
        json_response(
            200,
            json!({"session_id": "x", "status": "Approved", "created_at": "2026-01-01T00:00:00Z"}),
        ),
    );
    pool.run_until_stalled();
    assert!(first.borrow().as_ref().unwrap().is_ok());
    assert!(second.borrow().as_ref().unwrap().is_ok());
}

/// A 429 without `Retry-After` pauses every call too, for the longest
/// back-off of that attempt (calls started meanwhile do not hit the provider
/// at once). The
/// first call gives up at once (no retries): only the pause can make the
/// second one wait.
#[test]
fn a_429_without_retry_after_pauses_every_call_for_a_back_off() {
    let t = Scripted::new();
    let e = didit(json!({"retryBaseMs": 1000, "maxRetries": 0}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let first = spawn(&pool, async move {
        e2.list_sessions(
            &*t2,
            Provider::Didit,
            &ListQuery::default(),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    t.answer(
        "/v3/sessions/",
        json_response(429, json!({"detail": "throttled"})),
    );
    pool.run_until_stalled();
    let err = first.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert!(t.sleeps.borrow().is_empty());
    let (e3, t3) = (e.clone(), t.clone());
    let second = spawn(&pool, async move {
        e3.get_session(&*t3, Provider::Didit, "x", &CallOptions::default())
            .await
    });
    pool.run_until_stalled();
    // The pause: the first attempt's longest back-off (retryBaseMs).
    assert_eq!(*t.sleeps.borrow(), [1000]);
    t.answer(
        "/v3/session/x/",
        json_response(
            200,
            json!({"session_id": "x", "status": "Approved", "created_at": "2026-01-01T00:00:00Z"}),
        ),
    );
    pool.run_until_stalled();
    assert!(second.borrow().as_ref().unwrap().is_ok());
}

#[test]
fn mangopay_rate_headers_saying_a_window_is_spent_pause_requests() {
    let t = Scripted::new();
    let e = mangopay(json!({}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.list_sessions(
            &*t2,
            Provider::Mangopay,
            &user_query(),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    t.answer("/oauth/token", token(1));
    pool.run_until_stalled();
    let reset = (t.now_ms() / 1000.0) as u64 + 600;
    t.answer(
        "/users/",
        with_headers(
            mangopay_page(0, 3, 1, 3),
            &[
                ("x-ratelimit", "2300,2301,2302,2303"),
                ("x-ratelimit-remaining", "0,2199,6498,103297"),
                (
                    "x-ratelimit-reset",
                    &format!(
                        "{reset},{},{},{}",
                        reset + 1000,
                        reset + 2000,
                        reset + 80_000
                    ),
                ),
            ],
        ),
    );
    pool.run_until_stalled();
    assert!(out.borrow_mut().take().unwrap().is_ok());
    let (e3, t3) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e3.list_sessions(
            &*t3,
            Provider::Mangopay,
            &user_query(),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    let err = out.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    let wait = err.retry_after_ms.unwrap();
    assert!((599_000..=600_000).contains(&wait), "{wait}");
    assert_eq!(t.count("/users/"), 1);
}

#[test]
fn rate_budgets_use_the_monotonic_clock() {
    // 300/min scaled to 2/min: the third request waits for the window, even
    // though the wall clock jumped a day ahead in between.
    let t = Scripted::new();
    let e = didit(json!({"rateLimitScale": 0.007}));
    let mut pool = LocalPool::new();
    let empty = json!({"count": 0, "next": null, "previous": null, "results": []});
    for i in 0..3 {
        if i == 2 {
            t.wall_offset.set(86_400_000.0);
        }
        let (e2, t2) = (e.clone(), t.clone());
        spawn(&pool, async move {
            e2.list_sessions(
                &*t2,
                Provider::Didit,
                &ListQuery::default(),
                &CallOptions::default(),
            )
            .await
        });
        pool.run_until_stalled();
        t.answer("/v3/sessions/", json_response(200, empty.clone()));
        pool.run_until_stalled();
    }
    assert_eq!(*t.sleeps.borrow(), vec![60_000]);
}

#[test]
fn the_rate_budget_counts_a_request_when_it_is_sent_not_when_it_queues() {
    // 2 per minute, one request in flight at a time, three calls at once.
    // Request 2 waits 50 s for the slot: it must count from when it is sent,
    // so request 3 waits until a minute after request 1, not longer, and no
    // minute ever holds more than 2 sends.
    let t = Scripted::new();
    let t0 = t.clock.get();
    let e = didit(json!({"rateLimitScale": 0.007, "concurrency": 1}));
    let mut pool = LocalPool::new();
    let empty = json!({"count": 0, "next": null, "previous": null, "results": []});
    for _ in 0..3 {
        let (e2, t2) = (e.clone(), t.clone());
        spawn(&pool, async move {
            e2.list_sessions(
                &*t2,
                Provider::Didit,
                &ListQuery::default(),
                &CallOptions::default(),
            )
            .await
        });
    }
    let mut sent_at = Vec::new();
    for answer_after_ms in [50_000.0, 1_000.0, 0.0] {
        pool.run_until_stalled();
        assert_eq!(t.waiting().len(), 1, "one in flight");
        sent_at.push(t.clock.get() - t0);
        t.clock.set(t.clock.get() + answer_after_ms);
        t.answer("/v3/sessions/", json_response(200, empty.clone()));
    }
    pool.run_until_stalled();
    assert_eq!(sent_at, vec![0.0, 50_000.0, 60_000.0]);
    assert_eq!(*t.sleeps.borrow(), vec![9_000]);
}

// ---- 5. a failed listing drops its siblings ----

#[test]
fn a_failed_page_drops_the_pages_still_in_flight() {
    let t = Scripted::new();
    let e = didit(json!({"concurrency": 4, "maxRetries": 0}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.list_all(
            &*t2,
            Provider::Didit,
            &ListQuery::default(),
            &CallOptions::default(),
            &mut |_| {},
        )
        .await
    });
    pool.run_until_stalled();
    let rows: Vec<Value> = (0..100)
        .map(|i| json!({"session_id": format!("d{i}"), "status": "Approved", "created_at": "2026-01-01T00:00:00Z"}))
        .collect();
    t.answer(
        "/v3/sessions/",
        json_response(
            200,
            json!({"count": 1000, "next": "http://mock/v3/sessions/?limit=100&offset=100", "previous": null, "results": rows}),
        ),
    );
    pool.run_until_stalled();
    assert_eq!(t.waiting().len(), 4);
    t.answer(
        "offset=200",
        json_response(404, json!({"detail": "Not found."})),
    );
    pool.run_until_stalled();
    let err = out.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert_eq!(t.dropped(), 3, "the three siblings are dropped (aborted)");
    assert!(t.waiting().is_empty());
}

// ---- 6. bounded paging ----

fn run_list_all(
    e: &Rc<Engine>,
    t: &Rc<Scripted>,
    provider: Provider,
    query: ListQuery,
    mut serve: impl FnMut(&HttpRequest) -> Answer,
) -> Result<SessionList, IdvError> {
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.list_all(&*t2, provider, &query, &CallOptions::default(), &mut |_| {})
            .await
    });
    for _ in 0..1000 {
        pool.run_until_stalled();
        if out.borrow().is_some() {
            break;
        }
        let next = {
            let pending = t.pending.borrow();
            pending.iter().find(|p| p.waiting()).map(|p| {
                p.answered.set(true);
                (p.request.clone(), p.answer.clone(), p.waker.clone())
            })
        };
        let (request, answer, waker) = next.expect("a request to answer");
        *answer.borrow_mut() = Some(serve(&request));
        let waker = waker.borrow_mut().take();
        if let Some(w) = waker {
            w.wake();
        }
    }
    let result = out.borrow_mut().take().expect("the listing ended");
    result
}

fn page_of(url: &str) -> usize {
    url.split("page=")
        .nth(1)
        .and_then(|p| p.split('&').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
}

#[test]
fn a_huge_page_count_is_not_trusted() {
    let t = Scripted::new();
    let e = mangopay(json!({}));
    let err = run_list_all(&e, &t, Provider::Mangopay, user_query(), |req| {
        if req.url.contains("/oauth/token") {
            return token(1);
        }
        let page = page_of(&req.url);
        let rows = if page == 1 {
            100
        } else if page == 2 {
            20
        } else {
            0
        };
        with_headers(
            json_response(200, mangopay_rows((page - 1) * 100, rows)),
            &[
                ("x-number-of-pages", "4000000000"),
                ("x-number-of-items", "400000000000"),
            ],
        )
    })
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert!(err.retryable);
    assert!(err.message.contains("120 sessions"), "{}", err.message);
    assert!(
        t.sent.borrow().len() < 40,
        "{} requests",
        t.sent.borrow().len()
    );
}

#[test]
fn a_server_ignoring_the_page_does_not_loop_forever() {
    let t = Scripted::new();
    let e = mangopay(json!({}));
    let err = run_list_all(&e, &t, Provider::Mangopay, user_query(), |req| {
        if req.url.contains("/oauth/token") {
            return token(1);
        }
        mangopay_page(0, 100, 5, 500)
    })
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert!(
        t.sent.borrow().len() < 40,
        "{} requests",
        t.sent.borrow().len()
    );
    // Didit without a count, following `next` forever.
    let t = Scripted::new();
    let e = didit(json!({}));
    let rows: Vec<Value> = (0..100)
        .map(|i| json!({"session_id": format!("d{i}"), "status": "Approved", "created_at": "2026-01-01T00:00:00Z"}))
        .collect();
    let err = run_list_all(&e, &t, Provider::Didit, ListQuery::default(), |_| {
        json_response(
            200,
            json!({"next": "http://mock/v3/sessions/?limit=100&offset=100", "previous": null, "results": rows}),
        )
    })
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert!(
        t.sent.borrow().len() <= 8,
        "{} requests",
        t.sent.borrow().len()
    );
}

#[test]
fn passes_that_never_agree_are_an_error_not_a_short_list() {
    let t = Scripted::new();
    let e = didit(json!({}));
    let served = Cell::new(0usize);
    let err = run_list_all(&e, &t, Provider::Didit, ListQuery::default(), |req| {
        // Every answer reports a new total: inserts that never stop.
        served.set(served.get() + 1);
        let offset: usize = req
            .url
            .split("offset=")
            .nth(1)
            .and_then(|o| o.split('&').next())
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        let rows: Vec<Value> = (offset..offset + 100)
            .map(|i| json!({"session_id": format!("d{i}-{}", served.get()), "status": "Approved", "created_at": "2026-01-01T00:00:00Z"}))
            .collect();
        json_response(
            200,
            json!({"count": 300 + served.get(), "next": null, "previous": null, "results": rows}),
        )
    })
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert!(err.message.contains("never agreed"), "{}", err.message);
}

#[test]
fn a_later_copy_of_a_session_wins() {
    let t = Scripted::new();
    let e = didit(json!({}));
    let served = Cell::new(0usize);
    let sessions = run_list_all(&e, &t, Provider::Didit, ListQuery::default(), |req| {
        served.set(served.get() + 1);
        let offset: usize = req
            .url
            .split("offset=")
            .nth(1)
            .and_then(|o| o.split('&').next())
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        // A session arrives after the first page: the pass sees the total
        // change and a second pass is made, in which session d5 has moved
        // from In Progress to Approved.
        let total = if served.get() == 1 { 150 } else { 151 };
        let status = if served.get() == 1 { "In Progress" } else { "Approved" };
        let rows: Vec<Value> = (offset..(offset + 100).min(total))
            .map(|i| json!({"session_id": format!("d{i}"), "status": if i == 5 { status } else { "Declined" }, "created_at": "2026-01-01T00:00:00Z"}))
            .collect();
        json_response(200, json!({"count": total, "next": null, "previous": null, "results": rows}))
    })
    .unwrap();
    assert_eq!(sessions.len(), 151);
    let d5 = sessions.iter().find(|s| s.id == "d5").unwrap();
    assert_eq!(d5.provider_status, "Approved");
}

// ---- 7. one retry budget per logical read ----

#[test]
fn a_body_that_stays_cut_short_costs_max_retries_plus_one_requests() {
    let t = Scripted::new();
    let e = didit(json!({"maxRetries": 3}));
    let err = run_list_all(&e, &t, Provider::Didit, ListQuery::default(), |_| {
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body: "{\"count\": 3, \"results\": [".into(),
        })
    })
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Decode);
    assert_eq!(t.sent.borrow().len(), 4);
    // Mixed failures share the same budget.
    let t = Scripted::new();
    let script = RefCell::new(
        vec![
            json_response(503, json!({"detail": "x"})),
            Ok(HttpResponse {
                status: 200,
                headers: vec![],
                body: "<html>".into(),
            }),
            Err(TransportError::Timeout),
            json_response(502, json!({"detail": "x"})),
            json_response(
                200,
                json!({"count": 0, "next": null, "previous": null, "results": []}),
            ),
        ]
        .into_iter(),
    );
    let err = run_list_all(&e, &t, Provider::Didit, ListQuery::default(), |_| {
        script.borrow_mut().next().unwrap()
    })
    .unwrap_err();
    assert_eq!(err.http_status, Some(502));
    assert_eq!(t.sent.borrow().len(), 4);
}

// ---- 9. forbidden is not auth ----

#[test]
fn a_403_that_is_not_about_the_credentials_is_forbidden() {
    let t = Scripted::new();
    let e = didit(json!({}));
    let err = run_list_all(&e, &t, Provider::Didit, ListQuery::default(), |_| {
        json_response(
            403,
            json!({"detail": "You do not have enough credits to perform this request."}),
        )
    })
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(!err.retryable);
    assert!(err.message.contains("credits"), "{}", err.message);
    assert_eq!(t.sent.borrow().len(), 1);

    let t = Scripted::new();
    let e = mangopay(json!({}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.create_session(
            &*t2,
            Provider::Mangopay,
            &json!({"userId": "user_m_1", "returnUrl": "https://example.com/back"}),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    t.answer("/oauth/token", token(1));
    pool.run_until_stalled();
    t.answer(
        "/identity-verifications",
        json_response(
            403,
            json!({"type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Forbidden", "status": 403, "traceId": "00-abc-01"}),
        ),
    );
    pool.run_until_stalled();
    let err = out.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert_eq!(err.http_status, Some(403));
}

// ---- secrets: scrubbed before any truncation ----

#[test]
fn a_provider_echoing_every_credential_never_shows_one() {
    let t = Scripted::new();
    let e = engine(json!({
        "mangopay": {"clientId": "cid", "apiKey": "mp-key-SECRET-1", "baseUrl": "http://mock",
                     "headers": {"x-proxy-auth": "HEADER-SECRET-2", "x-proxy-bearer": "Bearer PROXY-SECRET-3"}},
        "maxRetries": 0,
    }));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.list_sessions(
            &*t2,
            Provider::Mangopay,
            &user_query(),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    t.answer("/oauth/token", token(777_777));
    pool.run_until_stalled();
    // Echo the bearer token, the Basic value, the key and the header value;
    // the token again across character 400, where messages used to be cut.
    let basic = {
        let sent = t.sent.borrow();
        sent[0].header("authorization").unwrap().to_string()
    };
    let bearer = "tok777777";
    let filler = "x".repeat(400 - 60);
    let message = format!(
        "bad request: {bearer} {basic} mp-key-SECRET-1 HEADER-SECRET-2 \"PROXY-SECRET-3\" {filler}{bearer}{bearer}"
    );
    t.answer(
        "/users/",
        json_response(400, json!({"Message": message, "Type": "param_error"})),
    );
    pool.run_until_stalled();
    let err = out.borrow_mut().take().unwrap().unwrap_err();
    for secret in [
        "tok777777",
        "tok7",
        &basic[6..],
        "mp-key-SECRET-1",
        "HEADER-SECRET-2",
        "PROXY-SECRET-3",
    ] {
        assert!(!err.message.contains(secret), "{secret} in {}", err.message);
    }
    assert!(err.message.contains("[redacted]"));
    assert!(!format!("{err:?}").contains("SECRET"));
    assert!(!format!("{e:?}").contains("SECRET"));
}

#[test]
fn a_credential_echoed_escaped_is_scrubbed_too() {
    // A key with characters that JSON and URLs escape, echoed in a body that is not the
    // provider's error format: as a JSON string, in a query, in a form.
    let key = "eq/live+KEY \"quoted\"==";
    let t = Scripted::new();
    let e = engine(json!({"equals": {"apiKey": key, "baseUrl": "http://mock"}, "maxRetries": 0}));
    let mut pool = LocalPool::new();
    let (e2, t2) = (e.clone(), t.clone());
    let out = spawn(&pool, async move {
        e2.list_sessions(
            &*t2,
            Provider::Equals,
            &ListQuery::default(),
            &CallOptions::default(),
        )
        .await
    });
    pool.run_until_stalled();
    // The provider's message quotes the key JSON-escaped (a header dump) and percent-encoded.
    let message = r#"bad header {"authorization":"ApiKey eq/live+KEY \"quoted\"=="} from /rows?key=eq%2Flive%2BKEY%20%22quoted%22%3D%3D and key=eq%2Flive%2BKEY+%22quoted%22%3D%3D"#;
    t.answer("/", json_response(400, json!({ "message": message })));
    pool.run_until_stalled();
    let err = out.borrow_mut().take().unwrap().unwrap_err();
    for part in ["KEY", "quoted", "eq%2F", "eq/live"] {
        assert!(!err.message.contains(part), "{part} in {}", err.message);
    }
    assert!(err.message.contains("[redacted]"), "{}", err.message);
}
