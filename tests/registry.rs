//! The registry is general enough for what the next providers need, proven
//! by the tests' own provider (`src/providers/testkit/`, `testkit` feature:
//! `cargo test --features testkit --test registry`) over an in-memory
//! transport with virtual time: cursor paging (`starting_after` from the
//! last row, `has_more`), requests signed after their waits, form-encoded
//! creates, statuses qualified by a second field, and `canceled`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_executor::block_on;
use hmac::{Hmac, Mac};
use idv_sessions::client::http::{HttpRequest, HttpResponse, Method};
use idv_sessions::client::{CallOptions, ClientConfig, Engine, ListQuery};
use idv_sessions::{map_status, ErrorCode, Provider, SessionStatus};
use serde_json::{json, Value};
use sha2::Sha256;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

const KEY: &str = "tk_secret_SIGNING_KEY_7";
const BASE: &str = "https://api.testkit.invalid";

mod common;
use common::{json, query_of, Server};

fn engine() -> Engine {
    Engine::new(
        ClientConfig::from_json(&json!({
            "testkit": { "apiKey": KEY, "baseUrl": BASE },
            "maxRetries": 0,
        }))
        .unwrap(),
    )
}

fn row(id: &str, at: i64) -> Value {
    json!({ "id": id, "status": "verified", "created": at, "client_reference_id": "u1" })
}

/// A newest-first account as the provider documents it: `limit` rows after
/// `starting_after` (by id), `has_more` when rows remain.
fn page(rows: &[Value], request: &HttpRequest) -> HttpResponse {
    let q = query_of(&request.url);
    let limit: usize = q["limit"].parse().unwrap();
    let start = match q.get("starting_after") {
        Some(after) => match rows.iter().position(|r| r["id"] == after.as_str()) {
            Some(at) => at + 1,
            None => return json(400, json!({ "error": { "message": "no such object" } })),
        },
        None => 0,
    };
    let data: Vec<Value> = rows.iter().skip(start).take(limit).cloned().collect();
    json(
        200,
        json!({ "object": "list", "data": data, "has_more": start + limit < rows.len() }),
    )
}

fn account(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| row(&format!("s_{:04}", n - i), 1_700_000_000 - i as i64))
        .collect()
}

fn ids(sessions: &[idv_sessions::Session]) -> Vec<String> {
    sessions.iter().map(|s| s.id.clone()).collect()
}

#[test]
fn list_all_follows_the_cursor_from_the_last_row_of_each_page() {
    let rows = account(250);
    let expected: Vec<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().into())
        .collect();
    let t = Server::new(move |r, _| page(&rows, r));
    let e = engine();
    let list = block_on(e.list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(
        ids(&list.sessions),
        expected,
        "every session once, in order"
    );
    let queries = t.queries();
    assert_eq!(queries.len(), 3, "{queries:?}");
    assert_eq!(queries[0].get("starting_after"), None);
    assert_eq!(queries[0]["limit"], "100", "the largest page");
    assert_eq!(queries[1]["starting_after"], expected[99]);
    assert_eq!(queries[2]["starting_after"], expected[199]);
}

#[test]
fn arrivals_at_the_head_during_a_cursor_walk_shift_nothing() {
    let rows = RefCell::new(account(250));
    let before: Vec<String> = rows
        .borrow()
        .iter()
        .map(|r| r["id"].as_str().unwrap().into())
        .collect();
    let mut n = 0;
    let t = Server::new(move |r, _| {
        let answer = page(&rows.borrow(), r);
        // A new session arrives at the head after every page.
        n += 1;
        rows.borrow_mut()
            .insert(0, row(&format!("new_{n}"), 1_800_000_000 + n));
        answer
    });
    let list = block_on(engine().list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(
        ids(&list.sessions),
        before,
        "one pass: every session of its start once, no arrival read"
    );
    assert_eq!(t.queries().len(), 3);
}

#[test]
fn a_server_that_ignores_the_cursor_is_incomplete_not_endless() {
    let rows = account(250);
    let t = Server::new(move |r, _| {
        let mut first = r.clone();
        first.url = first
            .url
            .split("&starting_after")
            .next()
            .unwrap()
            .to_string();
        page(&rows, &first)
    });
    let err = block_on(engine().list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete, "{err:?}");
    assert!(
        t.queries().len() <= 8,
        "two pages a pass: {}",
        t.queries().len()
    );
}

#[test]
fn list_sessions_hands_back_the_next_page_as_a_query_with_starting_after() {
    let rows = account(7);
    let t = Server::new(move |r, _| page(&rows, r));
    let e = engine();
    let query = ListQuery::from_json(
        Provider::Testkit,
        &json!({ "limit": 3, "clientReferenceId": "u1" }),
    )
    .unwrap();
    let first =
        block_on(e.list_sessions(&t, Provider::Testkit, &query, &CallOptions::default())).unwrap();
    assert_eq!(ids(&first.sessions), ["s_0007", "s_0006", "s_0005"]);
    let next = first.next.unwrap();
    assert_eq!(
        next.to_json(Provider::Testkit),
        json!({ "clientReferenceId": "u1", "startingAfter": "s_0005", "limit": 3 }),
        "the JS query of the next page"
    );
    let second =
        block_on(e.list_sessions(&t, Provider::Testkit, &next, &CallOptions::default())).unwrap();
    assert_eq!(ids(&second.sessions), ["s_0004", "s_0003", "s_0002"]);
    let last = block_on(e.list_sessions(
        &t,
        Provider::Testkit,
        &second.next.unwrap(),
        &CallOptions::default(),
    ))
    .unwrap();
    assert_eq!(ids(&last.sessions), ["s_0001"]);
    assert!(last.next.is_none(), "has_more false ends it");
    assert_eq!(t.queries()[2]["client_reference_id"], "u1");
    // The cursor key is a non-empty string.
    for bad in [
        json!({ "startingAfter": 3 }),
        json!({ "startingAfter": "" }),
        json!({ "offset": 3 }),
    ] {
        let e = ListQuery::from_json(Provider::Testkit, &bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::Config, "{bad}");
    }
}

fn expected_signature(request: &HttpRequest, timestamp: &str) -> String {
    let path = &request.url[BASE.len()..];
    let message = format!(
        "{timestamp}{}{path}{}",
        request.method.as_str(),
        request.body.as_deref().unwrap_or_default()
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_request_is_signed_when_it_is_sent_after_its_waits() {
    let rows = account(250);
    let t = Server::new(move |r, _| page(&rows, r));
    block_on(engine().list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 3);
    // Two requests per 10 s: the third waited for the window.
    assert!(
        sent[2].1 - sent[0].1 >= 10_000.0,
        "{} ms",
        sent[2].1 - sent[0].1
    );
    for (request, at) in sent.iter() {
        let timestamp = request.header("x-timestamp").unwrap();
        assert_eq!(
            timestamp,
            ((at / 1000.0).floor() as i64).to_string(),
            "the time of the send, not of the build before the wait"
        );
        assert_eq!(
            request.header("x-signature").unwrap(),
            expected_signature(request, timestamp)
        );
        for (name, value) in &request.headers {
            assert!(
                !value.contains(KEY),
                "the key itself is never sent ({name})"
            );
        }
    }
}

#[test]
fn a_create_is_form_encoded_with_brackets_and_signed() {
    let t = Server::new(|r, _| {
        assert_eq!(r.method, Method::Post);
        json(
            200,
            json!({ "id": "s_new", "status": "created", "created": 1_767_225_600, "url": "https://verify.testkit.invalid/s_new" }),
        )
    });
    let input = json!({
        "client_reference_id": "user 1&2",
        "metadata": { "team": "ops", "ticket": 42 },
        "options": { "document": { "allowed_types": ["passport", "id_card"], "require_live_capture": true } },
        "return_url": null,
    });
    let session =
        block_on(engine().create_session(&t, Provider::Testkit, &input, &CallOptions::default()))
            .unwrap();
    assert_eq!(session.status, SessionStatus::NotStarted);
    assert_eq!(
        session.verification_url.as_deref(),
        Some("https://verify.testkit.invalid/s_new")
    );
    let sent = t.sent.borrow();
    let (request, _) = &sent[0];
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let body = request.body.as_deref().unwrap();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        pairs,
        [
            ("client_reference_id", "user 1&2"),
            ("metadata[team]", "ops"),
            ("metadata[ticket]", "42"),
            ("options[document][allowed_types][0]", "passport"),
            ("options[document][allowed_types][1]", "id_card"),
            ("options[document][require_live_capture]", "true"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    let timestamp = request.header("x-timestamp").unwrap();
    assert_eq!(
        request.header("x-signature").unwrap(),
        expected_signature(request, timestamp),
        "the signature covers the body"
    );
}

#[test]
fn statuses_qualified_by_a_second_field_and_canceled() {
    use SessionStatus::*;
    for (status, qualifier, want) in [
        ("created", None, NotStarted),
        ("requires_input", None, InProgress),
        (
            "requires_input",
            Some("document_expired"),
            ResubmissionRequested,
        ),
        ("REQUIRES_INPUT", Some("selfie-mismatch"), Declined),
        (
            "requires_input",
            Some("something_new"),
            ResubmissionRequested,
        ),
        ("requires_input", Some("abandoned"), Abandoned),
        ("requires_input", Some(""), InProgress),
        ("processing", None, InReview),
        ("verified", None, Approved),
        ("canceled", None, Canceled),
    ] {
        assert_eq!(
            map_status(Provider::Testkit, status, qualifier),
            want,
            "{status} {qualifier:?}"
        );
    }
    let t = Server::new(|_, _| {
        json(
            200,
            json!({ "object": "list", "has_more": false, "data": [
                { "id": "a", "status": "requires_input", "created": 1, "last_error": { "code": "document_expired" } },
                { "id": "b", "status": "canceled", "created": 2 },
            ]}),
        )
    });
    let list = block_on(engine().list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    let got: Vec<_> = list
        .sessions
        .iter()
        .map(|s| (s.status, s.provider_result.as_deref(), s.is_terminal))
        .collect();
    assert_eq!(
        got,
        [
            (ResubmissionRequested, Some("document_expired"), false),
            (Canceled, None, true)
        ]
    );
}

#[test]
fn the_signing_key_never_reaches_an_error() {
    let t = Server::new(|r, _| {
        // A provider echoing the request's headers back in its error.
        let echoed: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        json(
            401,
            json!({ "error": { "message": format!("bad signature; key {KEY}; {}", echoed.join("; ")) } }),
        )
    });
    let err = block_on(engine().list_sessions(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Auth);
    assert!(!format!("{err:?} {err}").contains(KEY), "{err:?}");
    let seen: HashSet<&str> = ["x-timestamp", "x-signature"].into_iter().collect();
    assert!(t.sent.borrow()[0]
        .0
        .headers
        .iter()
        .any(|(n, _)| seen.contains(n.as_str())));
}

/// A page with no row that says more follow (`has_more: true`, `data: []`):
/// there is no last row to go on from, and the listing says so rather than
/// ending short.
#[test]
fn an_empty_page_that_says_more_follow_is_incomplete() {
    let t = Server::new(|r, _| {
        let after = query_of(&r.url).get("starting_after").cloned();
        let data = match after {
            None => json!([row("s_2", 2)]),
            Some(_) => json!([]),
        };
        json(
            200,
            json!({ "object": "list", "data": data, "has_more": true }),
        )
    });
    let err = block_on(engine().list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete, "{err:?}");
    assert!(
        err.message.contains("no new id to go on from"),
        "{}",
        err.message
    );
}

#[test]
fn a_page_whose_last_row_has_no_id_cannot_be_followed_and_says_so() {
    let t = Server::new(|r, _| {
        let after = query_of(&r.url).get("starting_after").cloned();
        let data = match after {
            None => json!([row("s_2", 2), { "status": "verified" }]),
            Some(_) => json!([row("s_1", 1)]),
        };
        json(
            200,
            json!({ "object": "list", "data": data, "has_more": true }),
        )
    });
    let err = block_on(engine().list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Incomplete, "{err:?}");
    assert!(
        err.message.contains("no new id to go on from"),
        "{}",
        err.message
    );
    assert!(t
        .queries()
        .iter()
        .all(|q| q.get("starting_after").is_none()));
}

#[test]
fn a_region_chooses_the_base_url_among_the_providers_own() {
    let url_with = |config: Value| -> Result<String, idv_sessions::IdvError> {
        let e = Engine::new(ClientConfig::from_json(&json!({ "testkit": config }))?);
        let t = Server::new(|_, _| json(200, json!({ "data": [], "has_more": false })));
        block_on(e.list_sessions(
            &t,
            Provider::Testkit,
            &ListQuery::default(),
            &CallOptions::default(),
        ))?;
        let url = t.sent.borrow()[0].0.url.clone();
        Ok(url)
    };
    assert!(url_with(json!({ "apiKey": KEY }))
        .unwrap()
        .starts_with("https://api.testkit.invalid/v1/sessions?"));
    assert!(url_with(json!({ "apiKey": KEY, "region": "eu" }))
        .unwrap()
        .starts_with("https://api.testkit.invalid/"));
    assert!(url_with(json!({ "apiKey": KEY, "region": "US" }))
        .unwrap()
        .starts_with("https://api.us.testkit.invalid/"));
    for (config, says) in [
        (
            json!({ "apiKey": KEY, "region": "mars" }),
            "`region` must be one of: eu, us",
        ),
        (
            json!({ "apiKey": KEY, "region": 1 }),
            "`region` must be a non-empty string",
        ),
        (
            json!({ "region": "us", "baseUrl": "https://proxy.example" }),
            "not both",
        ),
    ] {
        let err = url_with(config.clone()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Config, "{config}");
        assert!(err.message.contains(says), "{config}: {}", err.message);
    }
    // A provider with one API for every region has no such setting.
    let err = ClientConfig::from_json(&json!({ "didit": { "apiKey": "k", "region": "us" } }))
        .unwrap_err();
    assert!(
        err.message.contains("`region` is not a setting"),
        "{}",
        err.message
    );
}

fn form_of(request: &HttpRequest) -> HashMap<String, String> {
    form_urlencoded::parse(request.body.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn created_session(request: &HttpRequest) -> HttpResponse {
    json(
        200,
        json!({ "id": "s_new", "status": "created", "created": 1_767_225_600, "client_reference_id": form_of(request).get("client_reference_id") }),
    )
}

#[test]
fn a_two_request_create_makes_the_customer_then_the_session_for_it() {
    let t = Server::new(|r, _| match r.url.as_str() {
        "https://api.testkit.invalid/v1/customers" => json(200, json!({ "id": "cus_1" })),
        _ => created_session(r),
    });
    let input = json!({ "customer": { "email": "a@example.com" }, "client_reference_id": "u1" });
    let session =
        block_on(engine().create_session(&t, Provider::Testkit, &input, &CallOptions::default()))
            .unwrap();
    assert_eq!(session.id, "s_new");
    let sent = t.sent.borrow();
    let urls: Vec<&str> = sent.iter().map(|(r, _)| r.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://api.testkit.invalid/v1/customers",
            "https://api.testkit.invalid/v1/sessions"
        ]
    );
    assert_eq!(
        form_of(&sent[0].0),
        HashMap::from([("email".into(), "a@example.com".into())])
    );
    assert_eq!(
        form_of(&sent[1].0),
        HashMap::from([
            ("client_reference_id".into(), "u1".into()),
            ("customer_id".into(), "cus_1".into())
        ])
    );
    for (request, _) in sent.iter() {
        let timestamp = request.header("x-timestamp").unwrap();
        assert_eq!(
            request.header("x-signature").unwrap(),
            expected_signature(request, timestamp)
        );
    }
}

#[test]
fn a_failure_after_the_first_request_names_what_it_made_and_nothing_is_sent_twice() {
    // The session request reaches the server, which fails: not sent again
    // (no idempotency key), and the error names the customer to reuse.
    let t = Server::new(|r, _| match r.url.as_str() {
        "https://api.testkit.invalid/v1/customers" => json(200, json!({ "id": "cus_9" })),
        _ => json(500, json!({ "error": { "message": "boom" } })),
    });
    let input = json!({ "customer": { "email": "a@example.com" } });
    let engine = Engine::new(
        ClientConfig::from_json(&json!({ "testkit": { "apiKey": KEY }, "maxRetries": 3 })).unwrap(),
    );
    let err =
        block_on(engine.create_session(&t, Provider::Testkit, &input, &CallOptions::default()))
            .unwrap_err();
    assert!(
        err.message.contains("`customer_id: \"cus_9\"`"),
        "{}",
        err.message
    );
    assert!(!err.message.contains(KEY));
    let urls: Vec<String> = t.sent.borrow().iter().map(|(r, _)| r.url.clone()).collect();
    assert_eq!(urls.len(), 2, "one customer, one session request: {urls:?}");

    // The first request times out after it may have arrived: never sent
    // again, and no session request follows.
    let t = Server::new(|_, _| json(504, json!({ "error": { "message": "gateway timeout" } })));
    let err =
        block_on(engine.create_session(&t, Provider::Testkit, &input, &CallOptions::default()))
            .unwrap_err();
    assert!(err.message.contains("may have reached"), "{}", err.message);
    assert_eq!(t.sent.borrow().len(), 1);

    // Bad input is refused before anything is sent.
    let t = Server::new(|_, _| unreachable!());
    for bad in [
        json!({ "customer": "cus_1" }),
        json!({ "customer": { "email": "a@example.com" }, "customer_id": "cus_1" }),
    ] {
        let err =
            block_on(engine.create_session(&t, Provider::Testkit, &bad, &CallOptions::default()))
                .unwrap_err();
        assert_eq!(err.code, ErrorCode::Config, "{bad}");
    }
    assert!(t.sent.borrow().is_empty());
}

/// A session with two checks, each read on its own.
fn detailed_server(r: &HttpRequest) -> HttpResponse {
    let path = r.url[BASE.len()..].split('?').next().unwrap().to_string();
    match path.as_str() {
        "/v1/sessions" => json(
            200,
            json!({ "data": [row("s_2", 2), row("s_1", 1)], "has_more": false }),
        ),
        "/v1/sessions/s_1" | "/v1/sessions/s_2" => json(200, row(&path[13..], 1)),
        "/v1/sessions/s_1/checks" | "/v1/sessions/s_2/checks" => {
            let s = &path[13..16];
            json(
                200,
                json!({ "data": [{ "id": format!("{s}_doc") }, { "id": format!("{s}_face") }] }),
            )
        }
        p if p.ends_with("_doc") => json(200, json!({ "type": "document", "result": "clear" })),
        p if p.ends_with("_face") => json(
            200,
            json!({
                "type": "selfie", "result": "consider",
                "reasons": [{ "code": "face_mismatch", "detail": "low similarity" }]
            }),
        ),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn details_are_read_in_rounds_the_provider_asks_for() {
    use idv_sessions::{CheckKind, CheckStatus};
    let t = Server::new(|r, _| detailed_server(r));
    let e = engine();
    let details = CallOptions {
        details: true,
        ..CallOptions::default()
    };
    let s = block_on(e.get_session(&t, Provider::Testkit, "s_1", &details)).unwrap();
    let checks: Vec<_> = s
        .checks
        .iter()
        .map(|c| (c.kind, c.status, c.provider_type.as_str(), c.reasons.len()))
        .collect();
    assert_eq!(
        checks,
        [
            (CheckKind::Document, CheckStatus::Approved, "document", 0),
            (CheckKind::FaceMatch, CheckStatus::Declined, "selfie", 1)
        ]
    );
    let paths: Vec<String> = t
        .sent
        .borrow()
        .iter()
        .map(|(r, _)| r.url[BASE.len()..].to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/v1/sessions/s_1",
            "/v1/sessions/s_1/checks",
            "/v1/checks/s_1_doc",
            "/v1/checks/s_1_face"
        ]
    );
    // Without `details`: one request, no checks.
    let t = Server::new(|r, _| detailed_server(r));
    let s = block_on(e.get_session(&t, Provider::Testkit, "s_1", &CallOptions::default())).unwrap();
    assert!(s.checks.is_empty());
    assert_eq!(t.sent.borrow().len(), 1);
    // listAll with `details`: every session completed the same way.
    let t = Server::new(|r, _| detailed_server(r));
    let list = block_on(e.list_all(
        &t,
        Provider::Testkit,
        &ListQuery::default(),
        &details,
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(ids(&list.sessions), ["s_2", "s_1"]);
    assert!(list.sessions.iter().all(|s| s.checks.len() == 2));
    assert_eq!(t.sent.borrow().len(), 1 + 2 * 4);
}

/// The testkit signs as Sumsub does (`ts + METHOD + path?query + body`, hex
/// HMAC-SHA256). The vector: the worked string of Sumsub's docs with the
/// placeholder secret of its JS sample, signed by Python's `hmac`
/// (../shared/providers-next.md section 6): computed outside this code.
#[test]
fn the_signature_matches_sumsubs_published_worked_example() {
    let cfg = ClientConfig::from_json(&json!({ "testkit": {
        "apiKey": "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq",
        "baseUrl": "https://api.sumsub.com",
    }}))
    .unwrap();
    let mut request = HttpRequest {
        method: Method::Post,
        url: "https://api.sumsub.com/resources/accessTokens?userId=cfd20712-24a2-4c7d-9ab0-146f3c142335&levelName=basic-kyc-level&ttlInSecs=600".into(),
        headers: Vec::new(),
        body: None,
    };
    Provider::Testkit
        .api()
        .sign(
            cfg.provider(Provider::Testkit).unwrap(),
            &mut request,
            1_607_551_635_000.0,
        )
        .unwrap();
    assert_eq!(request.header("x-timestamp"), Some("1607551635"));
    assert_eq!(
        request.header("x-signature"),
        Some("1e1856be1c1e1ff113e5664acac6b423ffefe04ad42ff36567622ef56f62c4b1")
    );
}
