//! The client engine over an in-memory transport: auth, paging plans, retries,
//! rate budgets, inserts while paging, merging, and secrets kept out of errors.
//! Time is virtual: `sleep` advances a clock, so backoff and budgets are exact.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_executor::block_on;
use idv_sessions::client::http::{
    HttpRequest, HttpResponse, LocalFuture, Method, Transport, TransportError,
};
use idv_sessions::client::{CallOptions, ClientConfig, Engine, ListQuery, UserRefs};
use idv_sessions::{ErrorCode, Provider, SessionStatus};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

type Handler = Box<dyn FnMut(&HttpRequest, f64) -> Result<HttpResponse, TransportError>>;

struct FakeTransport {
    handler: RefCell<Handler>,
    clock: Cell<f64>,
    requests: RefCell<Vec<HttpRequest>>,
    sleeps: RefCell<Vec<u64>>,
    abort_after_requests: Option<usize>,
}

impl FakeTransport {
    fn new(
        handler: impl FnMut(&HttpRequest, f64) -> Result<HttpResponse, TransportError> + 'static,
    ) -> Self {
        FakeTransport {
            handler: RefCell::new(Box::new(handler)),
            clock: Cell::new(1_767_225_600_000.0), // 2026-01-01T00:00:00Z
            requests: RefCell::new(Vec::new()),
            sleeps: RefCell::new(Vec::new()),
            abort_after_requests: None,
        }
    }
    fn urls(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .map(|r| r.url.clone())
            .collect()
    }
}

impl Transport for FakeTransport {
    fn send(
        &self,
        request: HttpRequest,
        _timeout_ms: u64,
    ) -> LocalFuture<'_, Result<HttpResponse, TransportError>> {
        self.requests.borrow_mut().push(request.clone());
        let result = (self.handler.borrow_mut())(&request, self.clock.get());
        self.clock.set(self.clock.get() + 5.0);
        Box::pin(async move { result })
    }
    fn sleep(&self, ms: u64) -> LocalFuture<'_, Result<(), TransportError>> {
        self.sleeps.borrow_mut().push(ms);
        self.clock.set(self.clock.get() + ms as f64);
        let aborted = self.is_aborted();
        Box::pin(async move {
            if aborted {
                Err(TransportError::Aborted)
            } else {
                Ok(())
            }
        })
    }
    fn now_ms(&self) -> f64 {
        self.clock.get()
    }
    fn random(&self) -> f64 {
        0.5
    }
    fn is_aborted(&self) -> bool {
        self.abort_after_requests
            .is_some_and(|n| self.requests.borrow().len() >= n)
    }
}

fn json_response(status: u16, body: Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

fn query_of(url: &str) -> HashMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn path_of(url: &str) -> &str {
    let without_origin = url.strip_prefix("http://mock").unwrap_or(url);
    without_origin.split('?').next().unwrap_or_default()
}

fn engine(config: Value) -> Engine {
    Engine::new(ClientConfig::from_json(&config).unwrap())
}

const SECRET: &str = "sk_live_TOPSECRET_42";

// ---- Mangopay: OAuth, pages by number, details ----

fn mangopay_rows(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"Id": format!("idnver_{i:05}"), "Status": "VALIDATED", "CreationDate": 1_700_000_000 + i as i64, "LastUpdate": null}))
        .collect()
}

/// A Mangopay fake: token endpoint, list by page (headers), View.
fn mangopay_server(
    rows: Vec<Value>,
    token_ttl_s: u64,
) -> impl FnMut(&HttpRequest, f64) -> Result<HttpResponse, TransportError> {
    let tokens_issued = Cell::new(0u32);
    move |req, _now| {
        let path = path_of(&req.url).to_string();
        if path == "/v2.01/oauth/token" {
            assert_eq!(req.method, Method::Post);
            assert_eq!(req.body.as_deref(), Some("grant_type=client_credentials"));
            let expected = format!("Basic {}", "Y2lkOnNrX2xpdmVfVE9QU0VDUkVUXzQy"); // cid:sk_live_TOPSECRET_42
            if req.header("authorization") != Some(expected.as_str()) {
                return Ok(json_response(
                    401,
                    json!({"Message": "The authorization credentials are not valid", "Type": "invalid_credentials"}),
                ));
            }
            tokens_issued.set(tokens_issued.get() + 1);
            return Ok(json_response(
                200,
                json!({"access_token": format!("tok{}", tokens_issued.get()), "token_type": "bearer", "expires_in": token_ttl_s}),
            ));
        }
        let bearer = format!("Bearer tok{}", tokens_issued.get());
        if req.header("authorization") != Some(bearer.as_str()) {
            return Ok(json_response(
                401,
                json!({"Message": "The authorization credentials are not valid", "Type": "invalid_credentials"}),
            ));
        }
        if path == "/v2.01/cid/users/user_m_1/identity-verifications" {
            let q = query_of(&req.url);
            let page: usize = q["page"].parse().unwrap();
            let per_page: usize = q["per_page"].parse().unwrap();
            let start = (page - 1) * per_page;
            let slice: Vec<Value> = rows.iter().skip(start).take(per_page).cloned().collect();
            let pages = rows.len().div_ceil(per_page);
            let mut r = json_response(200, Value::Array(slice));
            r.headers
                .push(("x-number-of-pages".into(), pages.to_string()));
            r.headers
                .push(("x-number-of-items".into(), rows.len().to_string()));
            return Ok(r);
        }
        if let Some(id) = path.strip_prefix("/v2.01/cid/identity-verifications/") {
            return Ok(match rows.iter().find(|r| r["Id"] == id) {
                Some(row) => {
                    let mut view = row.clone();
                    view["HostedUrl"] = json!(format!("https://hosted/{id}"));
                    view["Checks"] = json!([{"Type": "IDENTITY_DOCUMENT_VERIFICATION", "CheckStatus": "VALIDATED", "Reasons": []}]);
                    json_response(200, view)
                }
                None => json_response(
                    404,
                    json!({"Message": "The ressource does not exist", "Type": "ressource_not_found"}),
                ),
            });
        }
        panic!("unexpected request {}", req.url);
    }
}

fn mangopay_engine() -> Engine {
    engine(json!({"mangopay": {"clientId": "cid", "apiKey": SECRET, "baseUrl": "http://mock"}}))
}

/// Mangopay's events, 205 rows over three pages, when the page count header is
/// hidden (a browser shows only the headers a proxy exposes): the `link`
/// header's `rel="next"` says more follow, and without any header a full
/// page does. Never the first page alone.
/// Mangopay's events API: its token endpoint, and each `GET /events` page
/// answered by `page`; the listing with `options`, and the transport.
fn mangopay_events(
    options: CallOptions,
    mut page: impl FnMut(usize) -> HttpResponse + 'static,
) -> (
    FakeTransport,
    Result<idv_sessions::client::engine::EventList, idv_sessions::IdvError>,
) {
    let t = FakeTransport::new(move |req: &HttpRequest, _now| {
        if path_of(&req.url) == "/v2.01/oauth/token" {
            return Ok(json_response(
                200,
                json!({"access_token": "tok", "token_type": "bearer", "expires_in": 3600}),
            ));
        }
        assert_eq!(path_of(&req.url), "/v2.01/cid/events");
        Ok(page(query_of(&req.url)["page"].parse().unwrap()))
    });
    let list = block_on(mangopay_engine().list_events(
        &t,
        Provider::Mangopay,
        &idv_sessions::webhook::EventsQuery::default(),
        &options,
    ));
    (t, list)
}

/// `n` Mangopay events, one second apart.
fn mangopay_event_rows(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"ResourceId": format!("idnver_{i:05}"), "EventType": "IDENTITY_VERIFICATION_VALIDATED", "Date": 1_700_000_000 + i}))
        .collect()
}

#[test]
fn mangopay_events_are_read_to_the_last_page_whatever_headers_say() {
    for headers in ["link", "none", "pages"] {
        let mut events = mangopay_event_rows(205);
        // A row that is not an event: left out, but its page is still a full one.
        events[50] = json!({"ResourceId": "x"});
        let (_, list) = mangopay_events(CallOptions::default(), move |page| {
            let slice: Vec<Value> = events
                .iter()
                .skip((page - 1) * 100)
                .take(100)
                .cloned()
                .collect();
            let mut r = json_response(200, Value::Array(slice));
            match headers {
                "link" if page < 3 => r.headers.push((
                    "link".into(),
                    format!(
                        "<http://mock/v2.01/cid/events?page={}&per_page=100>; rel=\"next\"",
                        page + 1
                    ),
                )),
                "link" => r.headers.push((
                    "link".into(),
                    "<http://mock/v2.01/cid/events?page=1&per_page=100>; rel=\"first\"".into(),
                )),
                "pages" => r.headers.push(("x-number-of-pages".into(), "3".into())),
                _ => {}
            }
            r
        });
        let list = list.unwrap();
        let got = list.events;
        assert_eq!(list.bad_rows.count(), 1, "{headers}");
        assert_eq!(list.bad_rows[0].page, Some(1), "{headers}");
        assert_eq!(got.len(), 204, "{headers}");
        assert_eq!(
            got[203].session_id.as_deref(),
            Some("idnver_00204"),
            "{headers}"
        );
    }
}

/// A server that ignores `page` (every page is the first): the second page
/// brings no event not already listed, and the listing says so instead of
/// returning each event again (or stopping short as if complete).
#[test]
fn mangopay_events_from_a_server_that_ignores_the_page_are_incomplete() {
    let (t, list) = mangopay_events(CallOptions::default(), |_| {
        let mut r = json_response(200, Value::Array(mangopay_event_rows(100)));
        r.headers.push(("x-number-of-pages".into(), "6".into()));
        r
    });
    let err = list.unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete, "{err:?}");
    assert_eq!(t.urls().len(), 3, "the token, page 1, page 2");
    // A short last page of a repeat (an event arrived during the walk of a
    // newest-first list) is a last page, not a sign of ignored paging.
    let first = mangopay_event_rows(100);
    let (_, list) = mangopay_events(CallOptions::default(), move |page| {
        let rows = if page == 1 {
            first.clone()
        } else {
            vec![first[99].clone()]
        };
        let mut r = json_response(200, Value::Array(rows));
        r.headers.push(("x-number-of-pages".into(), "2".into()));
        r
    });
    assert_eq!(list.unwrap().events.len(), 100);
}

/// Rows of the events list that are not events (no date, no type, no
/// resource, not an object) are bad rows, as list rows without their id or
/// date are, never dated "now"; `strict` fails on them; `includeRaw` keeps
/// each row.
#[test]
fn mangopay_event_rows_that_are_not_events_are_bad_rows() {
    let rows = json!([
        {"ResourceId": "idnver_1", "EventType": "IDENTITY_VERIFICATION_VALIDATED", "Date": 1_790_000_000},
        {"ResourceId": "idnver_2", "EventType": "IDENTITY_VERIFICATION_FAILED"},
        {"ResourceId": "idnver_3", "Date": 1_790_000_100},
        "garbage",
        {"ResourceId": "", "EventType": "PAYOUT_NORMAL_FAILED", "Date": 1_790_000_200},
        {"RessourceId": "idnver_6", "EventType": "IDENTITY_VERIFICATION_FAILED", "Date": 1_790_000_300},
        {"ResourceId": "idnver_7", "EventType": "IDENTITY_VERIFICATION_FAILED", "Date": 1_790_000_300_000_i64},
    ]);
    let list = |options: CallOptions| {
        let rows = rows.clone();
        mangopay_events(options, move |_| json_response(200, rows.clone())).1
    };
    let plain = list(CallOptions::default()).unwrap();
    let types: Vec<_> = plain
        .events
        .iter()
        .map(|e| e.provider_type.as_str())
        .collect();
    assert_eq!(
        types,
        [
            "IDENTITY_VERIFICATION_VALIDATED",
            "PAYOUT_NORMAL_FAILED",
            "IDENTITY_VERIFICATION_FAILED"
        ]
    );
    // An empty ResourceId is Mangopay's test event, as in a notification.
    assert!(plain.events[1].test && !plain.events[0].test && !plain.events[2].test);
    assert!(plain.events.iter().all(|e| e.raw.is_none()));
    let bad: Vec<_> = plain
        .bad_rows
        .iter()
        .map(|r| (r.index, r.id.clone()))
        .collect();
    assert_eq!(
        bad,
        [
            (1, Some("idnver_2".into())),
            (2, Some("idnver_3".into())),
            (3, None),
            (6, Some("idnver_7".into()))
        ],
        "no date, no type, not an object, a date in milliseconds"
    );
    let raw = list(CallOptions {
        include_raw: true,
        ..CallOptions::default()
    })
    .unwrap();
    assert_eq!(raw.events[0].raw.as_ref().unwrap()["Date"], 1_790_000_000);
    let strict = list(CallOptions {
        strict: true,
        ..CallOptions::default()
    })
    .unwrap_err();
    assert_eq!(strict.code, ErrorCode::Decode);
    assert!(
        strict.message.contains("events row 1"),
        "{}",
        strict.message
    );
}

/// Credentials the token endpoint refused are not sent again for a minute:
/// Mangopay locks out credentials that keep failing.
#[test]
fn refused_mangopay_credentials_are_not_sent_again_for_a_minute() {
    let t = FakeTransport::new(|req: &HttpRequest, _now| {
        assert_eq!(path_of(&req.url), "/v2.01/oauth/token");
        Ok(json_response(
            401,
            json!({"Message": "The authorization credentials are not valid", "Type": "invalid_credentials"}),
        ))
    });
    let e = mangopay_engine();
    let get = || {
        block_on(e.get_session(&t, Provider::Mangopay, "idnver_1", &CallOptions::default()))
            .unwrap_err()
    };
    for _ in 0..3 {
        assert_eq!(get().code, ErrorCode::Auth);
    }
    assert_eq!(t.urls().len(), 1);
    t.clock.set(t.clock.get() + 61_000.0);
    assert_eq!(get().code, ErrorCode::Auth);
    assert_eq!(t.urls().len(), 2);
}

#[test]
fn mangopay_list_all_plans_pages_with_one_token() {
    let t = FakeTransport::new(mangopay_server(mangopay_rows(250), 1200));
    let e = mangopay_engine();
    let q = ListQuery::with("userId", "user_m_1");
    let mut progress = Vec::new();
    let sessions = block_on(e.list_all(
        &t,
        Provider::Mangopay,
        &q,
        &CallOptions::default(),
        &mut |p| progress.push(p),
    ))
    .unwrap();
    assert_eq!(sessions.len(), 250);
    assert_eq!(sessions[0].id, "idnver_00000");
    assert_eq!(sessions[249].id, "idnver_00249");
    assert!(sessions
        .iter()
        .all(|s| s.user_ref.as_deref() == Some("user_m_1")));
    let urls = t.urls();
    assert_eq!(urls.len(), 4, "{urls:?}"); // token + 3 pages of 100
    assert!(urls[1].ends_with("?page=1&per_page=100"));
    assert!(urls[3].ends_with("?page=3&per_page=100"));
    assert_eq!(
        progress
            .iter()
            .map(|p| (p.pages_done, p.pages_total))
            .collect::<Vec<_>>(),
        vec![(1, Some(3)), (2, Some(3)), (3, Some(3))]
    );
    assert_eq!(progress.last().unwrap().sessions, 250);
}

#[test]
fn mangopay_token_is_cached_refreshed_before_expiry_and_once_after_401() {
    let t = FakeTransport::new(mangopay_server(mangopay_rows(3), 1200));
    let e = mangopay_engine();
    let q = ListQuery::with("userId", "user_m_1");
    block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default())).unwrap();
    block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default())).unwrap();
    let tokens = |t: &FakeTransport| {
        t.urls()
            .iter()
            .filter(|u| u.ends_with("/oauth/token"))
            .count()
    };
    assert_eq!(tokens(&t), 1, "cached");
    // 1150 s later the token has < 60 s left: refreshed before use.
    t.clock.set(t.clock.get() + 1_150_000.0);
    block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default())).unwrap();
    assert_eq!(tokens(&t), 2, "refreshed before expiry");

    // A short-lived token (8 s) is reused for the first three quarters of its life.
    let t = FakeTransport::new(mangopay_server(mangopay_rows(3), 8));
    let e = mangopay_engine();
    for _ in 0..3 {
        block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default())).unwrap();
    }
    assert_eq!(
        tokens(&t),
        1,
        "short tokens are not fetched for every request"
    );
    t.clock.set(t.clock.get() + 6_100.0);
    block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default())).unwrap();
    assert_eq!(tokens(&t), 2);

    // A server that rejects the first use of every token: one refresh, then success.
    let rejected_once = Cell::new(false);
    let mut inner = mangopay_server(mangopay_rows(3), 1200);
    let t = FakeTransport::new(move |req, now| {
        if !req.url.ends_with("/oauth/token") && !rejected_once.replace(true) {
            return Ok(json_response(
                401,
                json!({"Message": "The authorization credentials are not valid", "Type": "invalid_credentials"}),
            ));
        }
        inner(req, now)
    });
    let e = mangopay_engine();
    let page =
        block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default())).unwrap();
    assert_eq!(page.sessions.len(), 3);
    assert_eq!(tokens(&t), 2);
}

#[test]
fn a_failed_refresh_keeps_using_the_token_until_it_expires() {
    // The token endpoint fails (503) from its second request on.
    let token_requests = std::rc::Rc::new(Cell::new(0u32));
    let counted = token_requests.clone();
    let mut inner = mangopay_server(mangopay_rows(3), 1200);
    let t = FakeTransport::new(move |req, now| {
        if req.url.ends_with("/oauth/token") {
            counted.set(counted.get() + 1);
            if counted.get() > 1 {
                return Ok(json_response(503, json!({"Message": "down"})));
            }
        }
        inner(req, now)
    });
    let e = engine(
        json!({"mangopay": {"clientId": "cid", "apiKey": SECRET, "baseUrl": "http://mock"}, "maxRetries": 0}),
    );
    let q = ListQuery::with("userId", "user_m_1");
    let list = |e: &Engine, t: &FakeTransport| {
        block_on(e.list_sessions(t, Provider::Mangopay, &q, &CallOptions::default()))
    };
    list(&e, &t).unwrap();
    // 1,150 s later: time to refresh (50 s of life left), and the refresh fails.
    t.clock.set(t.clock.get() + 1_150_000.0);
    assert_eq!(
        list(&e, &t).unwrap().sessions.len(),
        3,
        "the valid token serves"
    );
    assert_eq!(token_requests.get(), 2);
    // The next calls do not hit the failing token endpoint each time.
    list(&e, &t).unwrap();
    list(&e, &t).unwrap();
    assert_eq!(token_requests.get(), 2);
    // Past its expiry, a token that cannot be refreshed is an error.
    t.clock.set(t.clock.get() + 60_000.0);
    let err = list(&e, &t).unwrap_err();
    assert_eq!(err.http_status, Some(503));
    assert_eq!(token_requests.get(), 3);
}

#[test]
fn mangopay_token_list_and_view_share_one_rate_budget() {
    let t = FakeTransport::new(mangopay_server(mangopay_rows(250), 1200));
    // 2,300 per 15 minutes scaled to 2: token + 3 pages + 1 view need three 15-minute windows.
    let e = engine(
        json!({"mangopay": {"clientId": "cid", "apiKey": SECRET, "baseUrl": "http://mock"}, "rateLimitScale": 0.001}),
    );
    let q = ListQuery::with("userId", "user_m_1");
    let start = t.now_ms();
    block_on(e.list_all(
        &t,
        Provider::Mangopay,
        &q,
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    block_on(e.get_session(
        &t,
        Provider::Mangopay,
        "idnver_00001",
        &CallOptions::default(),
    ))
    .unwrap();
    let waited = t.now_ms() - start;
    assert!(waited >= 2.0 * 900_000.0, "{waited}");
    assert!(waited < 3.0 * 900_000.0, "{waited}");
}

#[test]
fn mangopay_wrong_key_is_auth_error_without_the_key() {
    let t = FakeTransport::new(mangopay_server(mangopay_rows(3), 1200));
    let e = engine(
        json!({"mangopay": {"clientId": "cid", "apiKey": "wrong-key-SECRET", "baseUrl": "http://mock"}}),
    );
    let q = ListQuery::with("userId", "user_m_1");
    let err =
        block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default())).unwrap_err();
    assert_eq!(err.code, ErrorCode::Auth);
    assert_eq!(err.http_status, Some(401));
    assert!(!err.retryable);
    assert!(
        err.message
            .contains("The authorization credentials are not valid"),
        "{}",
        err.message
    );
    let everything = format!("{err:?} {err}");
    assert!(!everything.contains("wrong-key-SECRET"));
    assert_eq!(t.requests.borrow().len(), 1, "no retry on 401");
}

#[test]
fn mangopay_details_fetch_each_view() {
    let t = FakeTransport::new(mangopay_server(mangopay_rows(5), 1200));
    let e = mangopay_engine();
    let q = ListQuery::with("userId", "user_m_1");
    let opts = CallOptions {
        details: true,
        ..Default::default()
    };
    let sessions = block_on(e.list_all(&t, Provider::Mangopay, &q, &opts, &mut |_| {})).unwrap();
    assert_eq!(sessions.len(), 5);
    assert!(sessions
        .iter()
        .all(|s| s.verification_url.is_some() && s.checks.len() == 1));
    assert!(sessions
        .iter()
        .all(|s| s.user_ref.as_deref() == Some("user_m_1")));
    let got = block_on(e.get_session(&t, Provider::Mangopay, "nope", &CallOptions::default()))
        .unwrap_err();
    assert_eq!(got.code, ErrorCode::NotFound);
}

#[test]
fn mangopay_create_sends_the_documented_body() {
    let t = FakeTransport::new({
        let mut inner = mangopay_server(vec![], 1200);
        move |req, now| {
            if req.url.ends_with("/users/user_m_1/identity-verifications")
                && req.method == Method::Post
            {
                assert_eq!(req.header("content-type"), Some("application/json"));
                assert_eq!(req.header("idempotency-key"), Some("idem-000000000001"));
                let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
                assert_eq!(
                    body,
                    json!({"ReturnUrl": "https://example.com/back", "Tag": "t1"})
                );
                return Ok(json_response(
                    200,
                    json!({"Id": "idnver_new", "Tag": "t1", "CreationDate": 1_767_225_600, "HostedUrl": "https://hosted/new", "Status": "PENDING", "ReturnUrl": "https://example.com/back"}),
                ));
            }
            inner(req, now)
        }
    });
    let e = mangopay_engine();
    let input = json!({"userId": "user_m_1", "returnUrl": "https://example.com/back", "tag": "t1", "idempotencyKey": "idem-000000000001"});
    let s = block_on(e.create_session(&t, Provider::Mangopay, &input, &CallOptions::default()))
        .unwrap();
    assert_eq!(s.status, SessionStatus::InProgress);
    assert_eq!(s.user_ref.as_deref(), Some("user_m_1"));
    assert_eq!(s.verification_url.as_deref(), Some("https://hosted/new"));
    let err = block_on(e.create_session(
        &t,
        Provider::Mangopay,
        &json!({"userId": "u"}),
        &CallOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Config);
    assert!(err.message.contains("returnUrl"));
}

// ---- Equals: offsets, the largest page, inserts while paging ----

fn equals_row(i: usize) -> Value {
    json!({"id": format!("eq-{i:06}"), "applicationId": "app-1", "associatedPersonId": "p-1",
           "status": "completed", "result": "approved",
           "createdAt": format!("2026-01-01T00:00:{:02}.{:03}Z", (i / 1000) % 60, i % 1000)})
}

/// Equals fake, newest first; `insert_after` inserts `k` rows at the head after that many list requests.
fn equals_server(
    rows: Vec<Value>,
    insert_after: Option<(usize, usize)>,
) -> impl FnMut(&HttpRequest, f64) -> Result<HttpResponse, TransportError> {
    let mut rows = rows;
    let mut served = 0usize;
    move |req, _| {
        assert_eq!(
            req.header("authorization"),
            Some(format!("ApiKey {SECRET}").as_str())
        );
        assert!(
            path_of(&req.url) == "/v2/applications/identity-verification-sessions",
            "{}",
            req.url
        );
        if let Some((after, k)) = insert_after {
            if served == after {
                let base = rows.len();
                for j in 0..k {
                    rows.insert(0, equals_row(900_000 + base + j));
                }
            }
        }
        served += 1;
        let q = query_of(&req.url);
        let limit: usize = q["limit"].parse().unwrap();
        let offset: usize = q["offset"].parse().unwrap();
        let page: Vec<Value> = rows.iter().skip(offset).take(limit).cloned().collect();
        Ok(json_response(
            200,
            json!({"limit": limit, "offset": offset, "count": rows.len(), "rows": page}),
        ))
    }
}

fn equals_engine(concurrency: usize) -> Engine {
    engine(
        json!({"equals": {"apiKey": SECRET, "baseUrl": "http://mock"}, "concurrency": concurrency}),
    )
}

#[test]
fn equals_list_all_uses_pages_of_1000() {
    let rows: Vec<Value> = (0..2500).map(equals_row).collect();
    let t = FakeTransport::new(equals_server(rows, None));
    let sessions = block_on(equals_engine(4).list_all(
        &t,
        Provider::Equals,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(sessions.len(), 2500);
    let urls = t.urls();
    assert_eq!(urls.len(), 3);
    assert!(urls[2].contains("limit=1000&offset=2000"), "{urls:?}");
}

/// How many requests read the first page (one per pass).
fn first_pages(t: &FakeTransport) -> usize {
    t.urls()
        .iter()
        .filter(|u| query_of(u).get("offset").is_some_and(|o| o == "0"))
        .count()
}

/// A listing's sessions by key, checking none is there twice.
fn keys_once(sessions: &[idv_sessions::Session], case: &str) -> std::collections::HashSet<String> {
    let keys: std::collections::HashSet<_> = sessions.iter().map(|s| s.key.clone()).collect();
    assert_eq!(keys.len(), sessions.len(), "no duplicates ({case})");
    keys
}

#[test]
fn inserts_while_paging_lose_nothing_and_repeat_nothing() {
    // (after how many requests, how many sessions arrive at the head)
    for (after, k) in [(1, 1), (2, 7), (1, 1500), (3, 2), (1, 999)] {
        let case = format!("({after},{k})");
        let rows: Vec<Value> = (0..3200).map(equals_row).collect();
        let t = FakeTransport::new(equals_server(rows, Some((after, k))));
        let sessions = block_on(equals_engine(2).list_all(
            &t,
            Provider::Equals,
            &ListQuery::default(),
            &CallOptions::default(),
            &mut |_| {},
        ))
        .unwrap();
        let keys = keys_once(&sessions, &case);
        for i in 0..3200 {
            let key = format!("equals:eq-{i:06}:app-1");
            assert!(keys.contains(&key), "{key} lost {case}");
        }
        // Sessions that arrived during the walk may be there (once) or not.
        assert!(sessions.len() <= 3200 + k, "{case}");
        // Arrivals at the head are harmless: no second pass over 4 pages,
        // only a bridge per page they pushed down.
        let firsts = first_pages(&t);
        if k < 1000 {
            assert_eq!(firsts, 1, "one pass {case}: {:?}", t.urls());
            assert!(t.urls().len() <= 4 + 3, "{case}: {:?}", t.urls());
        }
    }
}

/// Didit fake, newest first, where `grow` new sessions arrive before every
/// request after the first, and `remove: (at, from, n)` deletes the `n` rows
/// at positions `from..` before request number `at`.
fn busy_didit_server(
    initial: usize,
    grow: usize,
    remove: Option<(usize, usize, usize)>,
) -> impl FnMut(&HttpRequest, f64) -> Result<HttpResponse, TransportError> {
    let mut rows: Vec<Value> = (0..initial)
        .rev()
        .map(|i| didit_row(i, "Approved"))
        .collect();
    let mut next_number = initial;
    let mut served = 0usize;
    move |req, _| {
        if served > 0 {
            for _ in 0..grow {
                rows.insert(0, didit_row(next_number, "Not Started"));
                next_number += 1;
            }
        }
        if let Some((at, from, n)) = remove {
            if served == at {
                rows.drain(from..from + n);
            }
        }
        served += 1;
        let q = query_of(&req.url);
        let limit: usize = q["limit"].parse::<usize>().unwrap().min(100);
        let offset: usize = q.get("offset").map_or(0, |o| o.parse().unwrap());
        let page: Vec<Value> = rows.iter().skip(offset).take(limit).cloned().collect();
        let next = (offset + limit < rows.len()).then(|| {
            format!(
                "http://mock/v3/sessions/?limit={limit}&offset={}",
                offset + limit
            )
        });
        Ok(json_response(
            200,
            json!({"count": rows.len(), "next": next, "previous": null, "results": page}),
        ))
    }
}

#[test]
fn a_busy_account_lists_every_session_that_existed_once() {
    // About 1,000 sessions and new ones before every request: every page's
    // total differs from the others, which used to end in `incomplete`.
    for (concurrency, grow) in [(1, 1), (4, 1), (4, 3), (2, 20)] {
        let case = format!("concurrency {concurrency}, {grow} per request");
        let t = FakeTransport::new(busy_didit_server(1000, grow, None));
        let sessions = block_on(didit_engine(json!({"concurrency": concurrency})).list_all(
            &t,
            Provider::Didit,
            &ListQuery::default(),
            &CallOptions::default(),
            &mut |_| {},
        ))
        .unwrap_or_else(|e| panic!("{case}: {e}"));
        let keys = keys_once(&sessions, &case);
        for i in 0..1000 {
            assert!(
                keys.contains(&format!("didit:dd-{i:05}")),
                "dd-{i:05} lost ({case})"
            );
        }
        // One pass (a single first page) and a bridge at most per page.
        let urls = t.urls();
        assert_eq!(first_pages(&t), 1, "{case}: {urls:?}");
        assert!(urls.len() <= 2 * 11 + 2, "{case}: {} requests", urls.len());
    }
}

#[test]
fn removals_while_paging_make_another_pass_that_finds_everything_left() {
    // 20 rows already walked (positions 100..120, sessions 899..880) removed
    // before the 6th request: the offsets after them shift the other way, and
    // no page holds the last session before it any more.
    let t = FakeTransport::new(busy_didit_server(1000, 0, Some((5, 100, 20))));
    let sessions = block_on(didit_engine(json!({"concurrency": 1})).list_all(
        &t,
        Provider::Didit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    let keys = keys_once(&sessions, "removals");
    // The 980 that stayed are all there (the removed ones may be too: they
    // were listed before they went).
    let removed: std::collections::HashSet<String> =
        (880..900).map(|i| format!("didit:dd-{i:05}")).collect();
    for i in 0..1000 {
        let key = format!("didit:dd-{i:05}");
        assert!(keys.contains(&key) || removed.contains(&key), "{key} lost");
    }
    assert_eq!(first_pages(&t), 2, "a second pass: {:?}", t.urls());
    // Removed further down, where the walk had not been: no second pass needed.
    let t = FakeTransport::new(busy_didit_server(1000, 0, Some((3, 500, 20))));
    let sessions = block_on(didit_engine(json!({"concurrency": 1})).list_all(
        &t,
        Provider::Didit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    let keys = keys_once(&sessions, "removals ahead");
    assert_eq!(keys.len(), 980);
    assert_eq!(first_pages(&t), 1, "{:?}", t.urls());
}

#[test]
fn a_listing_that_never_ends_stops_at_max_sessions() {
    // A list without end: row i at offset i, always another page after.
    let t = FakeTransport::new(move |req, _| {
        let offset: usize = query_of(&req.url)
            .get("offset")
            .map_or(0, |o| o.parse().unwrap());
        let rows: Vec<Value> = (offset..offset + 100)
            .map(|i| didit_row(i, "Approved"))
            .collect();
        Ok(json_response(
            200,
            json!({"next": "http://mock/v3/sessions/?limit=100&offset=100", "previous": null, "results": rows}),
        ))
    });
    let options = CallOptions {
        max_sessions: Some(2_500),
        ..CallOptions::default()
    };
    let err = block_on(didit_engine(json!({})).list_all(
        &t,
        Provider::Didit,
        &ListQuery::default(),
        &options,
        &mut |_| {},
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert!(err.message.contains("maxSessions"), "{}", err.message);
    assert!(t.urls().len() <= 26, "{} requests", t.urls().len());
}

#[test]
fn the_session_cursor_ends_when_a_page_brings_nothing_new() {
    use idv_sessions::client::SessionCursor;
    // A server that ignores `offset` but always names a next page.
    let rows: Vec<Value> = (0..100).map(|i| didit_row(i, "Approved")).collect();
    let t = FakeTransport::new(move |_, _| {
        Ok(json_response(
            200,
            json!({"next": "http://mock/v3/sessions/?limit=100&offset=100", "previous": null, "results": rows}),
        ))
    });
    let e = didit_engine(json!({}));
    let mut cursor = SessionCursor::new(
        Provider::Didit,
        ListQuery::default(),
        CallOptions::default(),
    );
    let mut read = 0;
    let err = loop {
        match block_on(cursor.next(&e, &t)) {
            Ok(Some(_)) => read += 1,
            Ok(None) => panic!("ended without an error"),
            Err(e) => break e,
        }
    };
    assert_eq!(read, 100);
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert_eq!(t.urls().len(), 2);
    assert!(block_on(cursor.next(&e, &t)).unwrap().is_none());
    // An honest list: every session once, then the end; a status filter
    // applied after fetching skips rows without ending the walk.
    let rows: Vec<Value> = (0..250)
        .map(|i| didit_row(i, if i % 50 == 0 { "Declined" } else { "Approved" }))
        .collect();
    let t = FakeTransport::new(didit_server(rows, 100));
    let query = ListQuery::from_json(Provider::Didit, &json!({"status": "declined"})).unwrap();
    let mut cursor = SessionCursor::new(Provider::Didit, query, CallOptions::default());
    let mut ids = Vec::new();
    while let Some(s) = block_on(cursor.next(&e, &t)).unwrap() {
        ids.push(s.id);
    }
    assert_eq!(
        ids,
        ["dd-00000", "dd-00050", "dd-00100", "dd-00150", "dd-00200"]
    );
}

#[test]
fn ids_of_dot_segments_never_reach_the_network() {
    let t = FakeTransport::new(mangopay_server(mangopay_rows(3), 1200));
    let e = mangopay_engine();
    for id in [".", ".."] {
        let err = block_on(e.get_session(&t, Provider::Mangopay, id, &CallOptions::default()))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Config, "{id}: {err:?}");
        let q = ListQuery::with("userId", id);
        let err = block_on(e.list_sessions(&t, Provider::Mangopay, &q, &CallOptions::default()))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Config, "{id}: {err:?}");
    }
    assert!(t.urls().is_empty(), "{:?}", t.urls());
    // Dots inside an id are only characters; a `/` or a `%` is encoded.
    let err = block_on(e.get_session(&t, Provider::Mangopay, "%2e%2E", &CallOptions::default()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    assert!(
        t.urls()
            .last()
            .unwrap()
            .ends_with("/identity-verifications/%252e%252E"),
        "{:?}",
        t.urls()
    );
    let err = block_on(e.get_session(&t, Provider::Mangopay, "../x", &CallOptions::default()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    assert!(
        t.urls()
            .last()
            .unwrap()
            .ends_with("/identity-verifications/..%2Fx"),
        "{:?}",
        t.urls()
    );
}

#[test]
fn a_huge_total_over_offsets_reads_no_more_than_the_pages_that_exist() {
    // 1,500 rows under a total of 400 billion: the pages after the end are
    // empty, and the plan stops at the first of them.
    let rows: Vec<Value> = (0..1500).map(equals_row).collect();
    let mut inner = equals_server(rows, None);
    let t = FakeTransport::new(move |req, now| {
        let mut response = inner(req, now)?;
        let mut body: Value = serde_json::from_str(&response.body).unwrap();
        body["count"] = json!(400_000_000_000u64);
        response.body = body.to_string();
        Ok(response)
    });
    let list = block_on(equals_engine(4).list_all(
        &t,
        Provider::Equals,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(list.sessions.len(), 1500);
    assert!(t.urls().len() <= 4 + 4, "{} requests", t.urls().len());
    // A server that ignores the offset under a huge total: it ends, bounded.
    let rows: Vec<Value> = (0..1000).map(equals_row).collect();
    let t = FakeTransport::new(move |_, _| {
        Ok(json_response(
            200,
            json!({"limit": 1000, "offset": 0, "count": 400_000_000_000u64, "rows": rows}),
        ))
    });
    let err = block_on(equals_engine(4).list_all(
        &t,
        Provider::Equals,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert!(t.urls().len() <= 40, "{} requests", t.urls().len());
    // And under a true total (1,150): the repeated page is no end.
    let rows: Vec<Value> = (0..1000).map(equals_row).collect();
    let t = FakeTransport::new(move |_, _| {
        Ok(json_response(
            200,
            json!({"limit": 1000, "offset": 0, "count": 1150, "rows": rows}),
        ))
    });
    let err = block_on(equals_engine(4).list_all(
        &t,
        Provider::Equals,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete);
    assert!(t.urls().len() <= 40, "{} requests", t.urls().len());
}

#[test]
fn a_page_of_only_bad_rows_does_not_hide_the_good_ones() {
    // 2,500 Equals rows where rows 1000..2000 have no creation time: every
    // good session is listed, the bad rows reported once, in one pass.
    let rows: Vec<Value> = (0..2500)
        .map(|i| {
            let mut row = equals_row(i);
            if (1000..2000).contains(&i) {
                row.as_object_mut().unwrap().remove("createdAt");
            }
            row
        })
        .collect();
    let t = FakeTransport::new(equals_server(rows, None));
    let list = block_on(equals_engine(2).list_all(
        &t,
        Provider::Equals,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(list.sessions.len(), 1500);
    assert_eq!(list.bad_rows.count(), 1000);
    assert_eq!(t.urls().len(), 3, "{:?}", t.urls());
}

#[test]
fn equals_same_id_in_two_applications_is_two_sessions() {
    let mut a = equals_row(1);
    a["applicationId"] = json!("app-A");
    let mut b = equals_row(1);
    b["applicationId"] = json!("app-B");
    let t = FakeTransport::new(equals_server(vec![a, b], None));
    let sessions = block_on(equals_engine(4).list_all(
        &t,
        Provider::Equals,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(sessions.len(), 2);
}

#[test]
fn equals_has_no_get_or_create() {
    let t = FakeTransport::new(|_, _| panic!("no request expected"));
    let e = equals_engine(4);
    let err =
        block_on(e.get_session(&t, Provider::Equals, "x", &CallOptions::default())).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unsupported);
    let err = block_on(e.create_session(&t, Provider::Equals, &json!({}), &CallOptions::default()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unsupported);
    assert!(err.message.contains("issued by Equals"));
}

// ---- Didit: clamped pages, status filter, rate budget ----

fn didit_row(i: usize, status: &str) -> Value {
    json!({"session_id": format!("dd-{i:05}"), "session_number": i, "status": status, "vendor_data": "user-1",
           "created_at": format!("2026-02-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60), "features": []})
}

fn didit_server(
    rows: Vec<Value>,
    max_limit: usize,
) -> impl FnMut(&HttpRequest, f64) -> Result<HttpResponse, TransportError> {
    move |req, _| {
        assert_eq!(req.header("x-api-key"), Some(SECRET));
        assert_eq!(path_of(&req.url), "/v3/sessions/");
        let q = query_of(&req.url);
        let limit = q
            .get("limit")
            .map_or(50, |l| l.parse::<usize>().unwrap())
            .min(max_limit);
        let offset: usize = q.get("offset").map_or(0, |o| o.parse().unwrap());
        let wanted: Option<Vec<&str>> = q.get("status").map(|s| s.split(',').collect());
        let matching: Vec<&Value> = rows
            .iter()
            .filter(|r| {
                wanted
                    .as_ref()
                    .is_none_or(|w| w.contains(&r["status"].as_str().unwrap()))
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|v| (*v).clone())
            .collect();
        let next = (offset + limit < matching.len()).then(|| {
            format!(
                "http://mock/v3/sessions/?limit={limit}&offset={}",
                offset + limit
            )
        });
        Ok(json_response(
            200,
            json!({"count": matching.len(), "next": next, "previous": null, "results": page}),
        ))
    }
}

#[test]
fn didit_adapts_to_a_clamped_page_size_and_translates_unified_statuses() {
    let rows: Vec<Value> = (0..230)
        .map(|i| {
            didit_row(
                i,
                if i % 3 == 0 {
                    "Awaiting User"
                } else {
                    "Approved"
                },
            )
        })
        .collect();
    let t = FakeTransport::new(didit_server(rows, 50));
    let e = engine(json!({"didit": {"apiKey": SECRET, "baseUrl": "http://mock"}}));
    let sessions = block_on(e.list_all(
        &t,
        Provider::Didit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(sessions.len(), 230);
    assert_eq!(t.urls().len(), 5, "pages of 50 after learning the clamp");

    let q = ListQuery::from_json(
        Provider::Didit,
        &json!({"status": "in_progress", "vendorData": "user-1"}),
    )
    .unwrap();
    let t2 = FakeTransport::new(didit_server(
        (0..230)
            .map(|i| {
                didit_row(
                    i,
                    if i % 3 == 0 {
                        "Awaiting User"
                    } else {
                        "Approved"
                    },
                )
            })
            .collect(),
        50,
    ));
    let page =
        block_on(e.list_sessions(&t2, Provider::Didit, &q, &CallOptions::default())).unwrap();
    assert!(
        t2.urls()[0].contains("status=In+Progress%2CAwaiting+User"),
        "{}",
        t2.urls()[0]
    );
    assert!(t2.urls()[0].contains("vendor_data=user-1"));
    assert_eq!(page.total, Some(77));
    assert!(page
        .sessions
        .iter()
        .all(|s| s.status == SessionStatus::InProgress));
    let next = page.next.unwrap();
    assert_eq!((next.from, next.size), (Some(50), Some(100)));
    assert_eq!(next.status, vec!["in_progress"]);
}

fn didit_mixed_rows() -> Vec<Value> {
    (0..90)
        .map(|i| didit_row(i, ["In Progress", "Awaiting User", "Approved"][i % 3]))
        .collect()
}

#[test]
fn didit_status_with_no_didit_equivalent_matches_nothing_without_a_request() {
    let t = FakeTransport::new(didit_server(didit_mixed_rows(), 100));
    let e = engine(json!({"didit": {"apiKey": SECRET, "baseUrl": "http://mock"}}));
    let q = ListQuery::from_json(Provider::Didit, &json!({"status": "error"})).unwrap();
    let all = block_on(e.list_all(
        &t,
        Provider::Didit,
        &q,
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert!(all.is_empty(), "{} sessions", all.len());
    let page = block_on(e.list_sessions(&t, Provider::Didit, &q, &CallOptions::default())).unwrap();
    assert!(page.sessions.is_empty() && page.next.is_none());
    assert!(t.urls().is_empty(), "{:?}", t.urls());
    // With a status Didit has, only that one is asked for.
    let q =
        ListQuery::from_json(Provider::Didit, &json!({"status": ["error", "approved"]})).unwrap();
    let all = block_on(e.list_all(
        &t,
        Provider::Didit,
        &q,
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(all.len(), 30);
    assert!(t.urls()[0].contains("status=Approved&"), "{}", t.urls()[0]);
}

#[test]
fn didit_own_spelling_filters_exactly_that_status() {
    let t = FakeTransport::new(didit_server(didit_mixed_rows(), 100));
    let e = engine(json!({"didit": {"apiKey": SECRET, "baseUrl": "http://mock"}}));
    let list = |status: &str| {
        let q = ListQuery::from_json(Provider::Didit, &json!({ "status": status })).unwrap();
        block_on(e.list_all(
            &t,
            Provider::Didit,
            &q,
            &CallOptions::default(),
            &mut |_| {},
        ))
        .unwrap()
    };
    let own = list("In Progress");
    assert_eq!(own.len(), 30);
    assert!(own.iter().all(|s| s.provider_status == "In Progress"));
    // The unified name still means both of Didit's in-progress statuses.
    let unified = list("in_progress");
    assert_eq!(unified.len(), 60);
    assert!(unified.iter().any(|s| s.provider_status == "Awaiting User"));
}

#[test]
fn didit_rate_budget_spaces_requests_within_the_documented_limit() {
    let rows: Vec<Value> = (0..1000).map(|i| didit_row(i, "Approved")).collect();
    let t = FakeTransport::new(didit_server(rows, 100));
    // 300/min scaled to 3/min: 10 pages need 4 windows.
    let e = engine(
        json!({"didit": {"apiKey": SECRET, "baseUrl": "http://mock"}, "rateLimitScale": 0.01}),
    );
    let start = t.now_ms();
    let sessions = block_on(e.list_all(
        &t,
        Provider::Didit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(sessions.len(), 1000);
    let elapsed = t.now_ms() - start;
    assert!((180_000.0..200_000.0).contains(&elapsed), "{elapsed}");
}

#[test]
fn didit_create_uses_url_and_now() {
    let t = FakeTransport::new(|req, _| {
        assert_eq!(req.method, Method::Post);
        assert_eq!(path_of(&req.url), "/v3/session/");
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"workflow_id": "wf-1", "vendor_data": "user-9", "metadata": {"a": 1}})
        );
        Ok(json_response(
            201,
            json!({"session_id": "new-1", "session_number": 9, "session_token": "tk", "url": "https://verify/new-1", "status": "Not Started", "workflow_id": "wf-1", "vendor_data": "user-9"}),
        ))
    });
    let e = engine(json!({"didit": {"apiKey": SECRET, "baseUrl": "http://mock"}}));
    let s = block_on(e.create_session(
        &t,
        Provider::Didit,
        &json!({"workflowId": "wf-1", "vendorData": "user-9", "metadata": {"a": 1}}),
        &CallOptions::default(),
    ))
    .unwrap();
    assert_eq!(s.status, SessionStatus::NotStarted);
    assert_eq!(s.created_at, "2026-01-01T00:00:00Z");
    assert_eq!(s.verification_url.as_deref(), Some("https://verify/new-1"));
}

// ---- reliability ----

fn flaky(
    statuses: Vec<Result<(u16, Option<&'static str>), TransportError>>,
) -> impl FnMut(&HttpRequest, f64) -> Result<HttpResponse, TransportError> {
    let mut script = statuses.into_iter();
    move |_, _| match script.next() {
        Some(Ok((status, retry_after))) => {
            let mut r = if status == 200 {
                json_response(
                    200,
                    json!({"count": 1, "next": null, "previous": null, "results": [didit_row(1, "Approved")]}),
                )
            } else if status == 502 {
                HttpResponse {
                    status,
                    headers: vec![("content-type".into(), "text/html".into())],
                    body: "<html><h1>502 Bad Gateway</h1></html>".into(),
                }
            } else {
                json_response(
                    status,
                    json!({"detail": format!("status {status} for key {SECRET}")}),
                )
            };
            if let Some(ra) = retry_after {
                r.headers.push(("retry-after".into(), ra.into()));
            }
            Ok(r)
        }
        Some(Err(e)) => Err(e),
        None => panic!("more requests than scripted"),
    }
}

fn didit_engine(extra: Value) -> Engine {
    let mut config = json!({"didit": {"apiKey": SECRET, "baseUrl": "http://mock"}, "retryBaseMs": 100, "maxRetries": 3});
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    engine(config)
}

fn list_once(e: &Engine, t: &FakeTransport) -> Result<usize, idv_sessions::IdvError> {
    block_on(e.list_sessions(
        t,
        Provider::Didit,
        &ListQuery::default(),
        &CallOptions::default(),
    ))
    .map(|p| p.sessions.len())
}

#[test]
fn retries_429_and_5xx_with_backoff_and_retry_after() {
    let t = FakeTransport::new(flaky(vec![
        Ok((429, Some("2"))),
        Ok((502, None)),
        Ok((503, None)),
        Ok((200, None)),
    ]));
    assert_eq!(list_once(&didit_engine(json!({})), &t), Ok(1));
    // Retry-After 2 s honoured; then full jitter at random 0.5: 0.5*200, 0.5*400.
    assert_eq!(*t.sleeps.borrow(), vec![2000, 100, 200]);
}

#[test]
fn retries_network_errors_and_timeouts_but_not_other_4xx() {
    let t = FakeTransport::new(flaky(vec![
        Err(TransportError::Network("connection reset".into())),
        Err(TransportError::Timeout),
        Ok((200, None)),
    ]));
    assert_eq!(list_once(&didit_engine(json!({})), &t), Ok(1));

    for status in [400, 401, 403, 404, 409] {
        let t = FakeTransport::new(flaky(vec![Ok((status, None))]));
        let err = list_once(&didit_engine(json!({})), &t).unwrap_err();
        assert_eq!(t.requests.borrow().len(), 1, "{status} is not retried");
        assert_eq!(err.http_status, Some(status));
        let want = match status {
            401 | 403 => ErrorCode::Auth,
            404 => ErrorCode::NotFound,
            _ => ErrorCode::Http,
        };
        assert_eq!(err.code, want);
        assert!(!err.message.contains(SECRET), "{}", err.message);
        assert!(err.message.contains("[redacted]"), "{}", err.message);
    }
}

#[test]
fn gives_up_after_max_retries_with_the_last_error() {
    let t = FakeTransport::new(flaky(vec![
        Ok((429, Some("1"))),
        Ok((429, Some("1"))),
        Ok((429, Some("1"))),
        Ok((429, Some("1"))),
    ]));
    let err = list_once(&didit_engine(json!({})), &t).unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert!(err.retryable);
    assert_eq!(err.retry_after_ms, Some(1000));
    assert_eq!(t.requests.borrow().len(), 4);

    let t = FakeTransport::new(flaky(vec![Err(TransportError::Timeout)]));
    let err = list_once(&didit_engine(json!({"maxRetries": 0})), &t).unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);

    let t = FakeTransport::new(flaky(vec![Ok((502, None))]));
    let err = list_once(&didit_engine(json!({"maxRetries": 0})), &t).unwrap_err();
    assert_eq!((err.code, err.http_status), (ErrorCode::Http, Some(502)));
    assert!(err.message.contains("HTML"), "{}", err.message);
}

#[test]
fn html_or_truncated_200_bodies_are_decode_errors_keeping_the_status() {
    for body in [
        "<html>maintenance</html>",
        "{\"count\": 3, \"results\": [{\"session_",
    ] {
        let t = FakeTransport::new(move |_, _| {
            Ok(HttpResponse {
                status: 200,
                headers: vec![],
                body: body.into(),
            })
        });
        let err = list_once(&didit_engine(json!({})), &t).unwrap_err();
        assert_eq!(
            (err.code, err.http_status),
            (ErrorCode::Decode, Some(200)),
            "{body}"
        );
        assert!(err.retryable);
        assert_eq!(
            t.requests.borrow().len(),
            4,
            "not JSON at all: retried like a network error"
        );
    }
}

#[test]
fn a_cut_body_is_fetched_again_but_a_bad_shape_is_not() {
    // First answer cut short, second complete.
    let full =
        json!({"count": 1, "next": null, "previous": null, "results": [didit_row(1, "Approved")]})
            .to_string();
    let served = Cell::new(0);
    let t2 = FakeTransport::new(move |_, _| {
        served.set(served.get() + 1);
        let body = if served.get() == 1 {
            full[..full.len() / 2].to_string()
        } else {
            full.clone()
        };
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body,
        })
    });
    assert_eq!(list_once(&didit_engine(json!({})), &t2), Ok(1));
    assert_eq!(t2.requests.borrow().len(), 2);

    // Valid JSON without the documented rows: a decode error at once.
    let t3 = FakeTransport::new(|_, _| {
        Ok(json_response(
            200,
            json!({"count": 1, "results": {"status": "Approved"}}),
        ))
    });
    let err = list_once(&didit_engine(json!({})), &t3).unwrap_err();
    assert_eq!(err.code, ErrorCode::Decode);
    assert!(!err.retryable);
    assert!(err.message.contains("results"), "{}", err.message);
    assert_eq!(t3.requests.borrow().len(), 1);

    // A row without its id is not a session: reported, never fatal, never retried.
    let t4 = FakeTransport::new(|_, _| {
        Ok(json_response(
            200,
            json!({"count": 2, "next": null, "results": [{"status": "Approved"}, didit_row(1, "Approved")]}),
        ))
    });
    let e = didit_engine(json!({}));
    let page = block_on(e.list_sessions(
        &t4,
        Provider::Didit,
        &ListQuery::default(),
        &CallOptions::default(),
    ))
    .unwrap();
    assert_eq!(page.sessions.len(), 1);
    assert_eq!(page.bad_rows.len(), 1);
    assert_eq!(page.bad_rows[0].index, 0);
    assert!(
        page.bad_rows[0].reason.contains("session_id"),
        "{:?}",
        page.bad_rows
    );
    assert_eq!(t4.requests.borrow().len(), 1);
    // Strict: the old behaviour, the call fails.
    let strict = CallOptions {
        strict: true,
        ..CallOptions::default()
    };
    let err = block_on(e.list_sessions(&t4, Provider::Didit, &ListQuery::default(), &strict))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Decode);
    assert!(err.message.contains("session_id"), "{}", err.message);
}

#[test]
fn abort_stops_before_the_next_request_and_during_backoff() {
    let mut t = FakeTransport::new(flaky(vec![Ok((503, None)), Ok((200, None))]));
    t.abort_after_requests = Some(1);
    let err = list_once(&didit_engine(json!({})), &t).unwrap_err();
    assert_eq!(err.code, ErrorCode::Aborted);
    assert_eq!(t.requests.borrow().len(), 1);
}

// ---- all providers at once ----

#[test]
fn list_user_sessions_merges_newest_first_and_reports_failures_per_provider() {
    let equals = RefCell::new(equals_server((0..3).map(equals_row).collect(), None));
    let didit = RefCell::new(didit_server(
        (0..4).map(|i| didit_row(i, "Declined")).collect(),
        100,
    ));
    let t = FakeTransport::new(move |req, now| {
        if req.url.contains("/v2.01/") {
            Ok(HttpResponse {
                status: 503,
                headers: vec![],
                body: "<html>down</html>".into(),
            })
        } else if req.url.contains("/v2/") {
            (equals.borrow_mut())(req, now)
        } else {
            (didit.borrow_mut())(req, now)
        }
    });
    let e = engine(json!({
        "mangopay": {"clientId": "cid", "baseUrl": "http://mock"},
        "equals": {"apiKey": SECRET, "baseUrl": "http://mock"},
        "didit": {"apiKey": SECRET, "baseUrl": "http://mock"},
        "maxRetries": 1,
    }));
    let refs = UserRefs(vec![
        (Provider::Mangopay, ListQuery::with("userId", "user_m_1")),
        (
            Provider::Equals,
            ListQuery::with("associatedPersonId", "p-1"),
        ),
        (Provider::Didit, ListQuery::with("vendorData", "user-1")),
    ]);
    let out = block_on(e.list_user_sessions(&t, &refs, &CallOptions::default())).unwrap();
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].provider, Some(Provider::Mangopay));
    assert_eq!(out.errors[0].http_status, Some(503));
    assert_eq!(out.sessions.len(), 7);
    // Didit's Feb 2026 sessions first, newest first, then Equals' Jan 2026 ones.
    let ids: Vec<_> = out.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "dd-00003",
            "dd-00002",
            "dd-00001",
            "dd-00000",
            "eq-000002",
            "eq-000001",
            "eq-000000"
        ]
    );
    // The caller's signal fires after the first request: the call rejects as
    // a whole with `aborted`, rather than resolving with per-provider errors.
    let mut t = FakeTransport::new(didit_server(
        (0..4).map(|i| didit_row(i, "Declined")).collect(),
        2,
    ));
    t.abort_after_requests = Some(1);
    let refs = UserRefs(vec![(
        Provider::Didit,
        ListQuery::with("vendorData", "user-1"),
    )]);
    let err = block_on(e.list_user_sessions(&t, &refs, &CallOptions::default())).unwrap_err();
    assert_eq!(err.code, ErrorCode::Aborted);
}

#[test]
fn requests_and_engines_never_show_credentials_in_debug() {
    let e = engine(json!({
        "mangopay": {"clientId": "cid", "apiKey": SECRET, "baseUrl": "http://mock"},
        "equals": {"apiKey": SECRET, "baseUrl": "http://mock"},
        "didit": {"apiKey": SECRET, "baseUrl": "http://mock"},
        "onfido": {"apiKey": SECRET, "baseUrl": "http://mock"},
        "stripe": {"apiKey": SECRET, "baseUrl": "http://mock"},
    }));
    assert!(!format!("{e:?}").contains(SECRET));
    use idv_sessions::client::api::{list_request, token_request, PageRef};
    let page = PageRef::Offset {
        offset: 0,
        limit: 10,
    };
    let q = ListQuery::with("userId", "u");
    for provider in Provider::ALL {
        let cfg = e.config.provider(provider).unwrap();
        let request = list_request(provider, cfg, &q, page, Some("bearer-token-XYZ"));
        let shown = format!("{request:?}");
        assert!(
            !shown.contains(SECRET) && !shown.contains("bearer-token-XYZ"),
            "{shown}"
        );
    }
    let token = token_request(e.config.provider(Provider::Mangopay).unwrap()).unwrap();
    assert!(!format!("{token:?}").contains("Basic"), "{token:?}");
}
