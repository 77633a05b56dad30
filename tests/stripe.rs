//! Stripe Identity (SPEC section 9, ../shared/providers-next.md section 1):
//! its tables row by row (statuses qualified by `last_error.code`), its
//! payloads, its webhooks (`Stripe-Signature`: tolerance, several `v1`,
//! several secrets; the vector of the shared notes), and the client over an
//! in-memory Stripe: cursor paging, form-encoded idempotent creates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, query_of, Server};
use futures_executor::block_on;
use idv_sessions::client::http::{HttpRequest, HttpResponse};
use idv_sessions::client::{CallOptions, ClientConfig, Engine, ListQuery};
use idv_sessions::webhook::{
    parse_webhook, sign_webhook, EventType, SignRequest, Verification, WebhookRequest,
};
use idv_sessions::{map_status, CheckKind, CheckStatus, ErrorCode, Provider, SessionStatus};
use serde_json::{json, Value};
use std::collections::HashMap;

const P: Provider = Provider::Stripe;
const KEY: &str = "sk_test_STRIPE_SECRET_1";

#[test]
fn every_documented_status_and_last_error() {
    use SessionStatus::*;
    for (status, code, want) in [
        ("requires_input", None, InProgress),
        ("requires_input", Some("abandoned"), Abandoned),
        (
            "requires_input",
            Some("consent_declined"),
            ResubmissionRequested,
        ),
        (
            "requires_input",
            Some("document_expired"),
            ResubmissionRequested,
        ),
        (
            "requires_input",
            Some("selfie_face_mismatch"),
            ResubmissionRequested,
        ),
        (
            "requires_input",
            Some("under_supported_age"),
            ResubmissionRequested,
        ),
        ("processing", None, InReview),
        ("verified", None, Approved),
        ("canceled", None, Canceled),
        ("redacted_or_new", None, Unknown),
    ] {
        assert_eq!(map_status(P, status, code), want, "{status} {code:?}");
    }
    assert!(Canceled.is_terminal());
}

fn session(id: &str, status: &str, last_error: Value, created: i64) -> Value {
    json!({
        "id": id, "object": "identity.verification_session", "client_reference_id": "user-7",
        "client_secret": null, "created": created, "last_error": last_error,
        "last_verification_report": "vr_1", "livemode": false, "metadata": {}, "options": {},
        "redaction": null, "status": status, "type": "document",
        "url": format!("https://verify.stripe.com/start/{id}"),
    })
}

#[test]
fn a_session_in_the_unified_shape() {
    let s = idv_sessions::normalize_json(
        P,
        &session(
            "vs_1",
            "requires_input",
            json!({"code": "document_expired", "reason": "expired"}),
            1_767_225_600,
        )
        .to_string(),
        &Default::default(),
    )
    .unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(
        v,
        json!({
            "provider": "stripe", "id": "vs_1", "key": "stripe:vs_1", "status": "resubmission_requested",
            "providerStatus": "requires_input", "providerResult": "document_expired", "isTerminal": false,
            "userRef": "user-7", "verificationUrl": "https://verify.stripe.com/start/vs_1",
            "createdAt": "2026-01-01T00:00:00Z", "checks": [],
            "extra": { "type": "document", "clientReferenceId": "user-7", "lastVerificationReport": "vr_1" }
        })
    );
    let mut written = String::new();
    idv_sessions::session_json::write_sessions(&mut written, &[s]);
    assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), json!([v]));
    // An empty report id is no report.
    let mut empty = session("vs_2", "processing", Value::Null, 1_767_225_600);
    empty["last_verification_report"] = json!("");
    let s = idv_sessions::normalize_json(P, &empty.to_string(), &Default::default()).unwrap();
    assert_eq!(s.extra.and_then(|e| e.last_verification_report), None);
    // A last_error whose code is null is no error.
    let s = idv_sessions::normalize_json(
        P,
        &session("vs_2", "requires_input", json!({"code": null}), 1).to_string(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(
        (s.status, s.provider_result),
        (SessionStatus::InProgress, None)
    );
}

#[test]
fn an_expanded_report_gives_checks_and_verified_outputs_the_person() {
    let mut v = session("vs_3", "verified", Value::Null, 1_767_225_600);
    v["last_verification_report"] = json!({
        "id": "vr_9", "object": "identity.verification_report",
        "document": { "status": "verified", "error": null, "first_name": "Ada" },
        "selfie": { "status": "unverified", "error": { "code": "selfie_face_mismatch", "reason": "The face did not match." } },
        "id_number": { "status": "verified", "error": null },
    });
    v["verified_outputs"] =
        json!({ "first_name": "Ada", "last_name": "Lovelace", "address": { "country": "GB" } });
    v["redaction"] = json!({ "status": "processing" });
    let s = idv_sessions::normalize_json(P, &v.to_string(), &Default::default()).unwrap();
    let checks: Vec<_> = s
        .checks
        .iter()
        .map(|c| (c.kind, c.status, c.reasons.first().map(|r| r.code.as_str())))
        .collect();
    assert_eq!(
        checks,
        [
            (CheckKind::Document, CheckStatus::Approved, None),
            (
                CheckKind::FaceMatch,
                CheckStatus::Declined,
                Some("selfie_face_mismatch")
            ),
            (CheckKind::Database, CheckStatus::Approved, None),
        ]
    );
    let person = s.person.unwrap();
    assert_eq!(person.full_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(person.country.as_deref(), Some("GB"));
    let extra = s.extra.unwrap();
    assert_eq!(extra.last_verification_report.as_deref(), Some("vr_9"));
    assert_eq!(extra.redaction_status.as_deref(), Some("processing"));
}

// ---- webhooks ----

const NOW: i64 = 1_700_000_100_000;

fn delivery(body: &str, header: &str, secrets: &[&str]) -> WebhookRequest {
    WebhookRequest {
        body: Some(body.as_bytes().to_vec()),
        headers: vec![("Stripe-Signature".into(), header.into())],
        secrets: secrets.iter().map(|s| s.to_string()).collect(),
        tolerance_sec: 300,
        now_ms: NOW,
        ..WebhookRequest::default()
    }
}

/// ../shared/providers-next.md section 6 (computed there with Python's hmac).
#[test]
fn the_shared_vector_and_stripes_rules() {
    let body = r#"{"id":"evt_1","object":"event","type":"identity.verification_session.verified"}"#;
    let sig = "16b3e9d0c314cd7d57c211c7cc797816aed13445407a2a4480c68bb660334f3d";
    let ok = |header: &str, secrets: &[&str]| parse_webhook(P, &delivery(body, header, secrets));
    // No data.object in this event: an identity event without its session is not Stripe's format.
    let err = ok(&format!("t=1700000000,v1={sig}"), &["whsec_test_secret"]).unwrap_err();
    assert_eq!(err.code, ErrorCode::Decode, "{err:?}");
    // The signature itself verified (a wrong one is a signature error, not decode).
    let wrong = ok(
        &format!("t=1700000000,v1=0{}", &sig[1..]),
        &["whsec_test_secret"],
    )
    .unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Signature);
    // Several v1 (a rotation), v0 ignored, several secrets.
    let other = r#"{"id":"evt_2","object":"event","type":"customer.created","created":1700000000,"data":{"object":{"id":"cus_1"}}}"#;
    let secret = "whsec_rotated";
    let signed = sign_webhook(
        P,
        &SignRequest {
            payload: serde_json::from_str(other).unwrap(),
            secret: Some(secret.into()),
            timestamp: Some(1_700_000_000),
            now_ms: NOW,
            ..SignRequest::default()
        },
    )
    .unwrap();
    let header = signed.headers["stripe-signature"].clone();
    let v1 = header.split("v1=").nth(1).unwrap();
    let body2 = signed.body.unwrap();
    let many = format!("t=1700000000,v0={v1},v1={},v1={v1}", "ab".repeat(32));
    let event = parse_webhook(P, &delivery(&body2, &many, &["whsec_old", secret])).unwrap();
    assert_eq!(
        (event.event_type, event.id.as_str(), event.verification),
        (EventType::Other, "evt_2", Verification::Signature)
    );
    // Only v0 matching: refused.
    assert_eq!(
        parse_webhook(
            P,
            &delivery(&body2, &format!("t=1700000000,v0={v1}"), &[secret])
        )
        .unwrap_err()
        .code,
        ErrorCode::Signature
    );
    // Older than the tolerance: refused; ahead of the clock: accepted.
    let stale = sign_webhook(
        P,
        &SignRequest {
            payload: serde_json::from_str(other).unwrap(),
            secret: Some(secret.into()),
            timestamp: Some(1_700_000_100 - 301),
            now_ms: NOW,
            ..SignRequest::default()
        },
    )
    .unwrap();
    let err = parse_webhook(
        P,
        &delivery(
            stale.body.as_deref().unwrap(),
            &stale.headers["stripe-signature"],
            &[secret],
        ),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Signature);
    let ahead = sign_webhook(
        P,
        &SignRequest {
            payload: serde_json::from_str(other).unwrap(),
            secret: Some(secret.into()),
            timestamp: Some(1_700_000_100 + 600),
            now_ms: NOW,
            ..SignRequest::default()
        },
    )
    .unwrap();
    assert!(parse_webhook(
        P,
        &delivery(
            ahead.body.as_deref().unwrap(),
            &ahead.headers["stripe-signature"],
            &[secret]
        )
    )
    .is_ok());
    // An empty secret, no header, a header without t: refused, and no secret in any error.
    assert_eq!(
        parse_webhook(P, &delivery(&body2, &header, &[""]))
            .unwrap_err()
            .code,
        ErrorCode::Config
    );
    for h in ["", "v1=abc", "t=abc,v1=abc"] {
        let e = parse_webhook(P, &delivery(&body2, h, &[secret])).unwrap_err();
        assert_eq!(e.code, ErrorCode::Signature, "{h}");
        assert!(!format!("{e:?}").contains(secret));
    }
}

#[test]
fn identity_events_carry_the_session() {
    let event = json!({
        "id": "evt_9", "object": "event", "type": "identity.verification_session.requires_input", "created": 1_700_000_050,
        "data": { "object": session("vs_7", "requires_input", json!({"code": "abandoned"}), 1_700_000_000) },
    });
    let signed = sign_webhook(
        P,
        &SignRequest {
            payload: event,
            secret: Some("whsec_x".into()),
            now_ms: NOW,
            ..SignRequest::default()
        },
    )
    .unwrap();
    let parsed = parse_webhook(
        P,
        &delivery(
            signed.body.as_deref().unwrap(),
            &signed.headers["stripe-signature"],
            &["whsec_x"],
        ),
    )
    .unwrap();
    assert_eq!(parsed.event_type, EventType::SessionUpdated);
    assert_eq!(parsed.session_id.as_deref(), Some("vs_7"));
    assert_eq!(parsed.status, Some(SessionStatus::Abandoned));
    assert_eq!(parsed.occurred_at, "2023-11-14T22:14:10Z");
    assert!(!parsed.needs_fetch);
    assert_eq!(
        parsed.session.unwrap().provider_result.as_deref(),
        Some("abandoned")
    );
}

// ---- the client ----

fn engine(extra: Value) -> Engine {
    let mut config = json!({ "stripe": { "apiKey": KEY, "baseUrl": "https://api.stripe.com" }, "maxRetries": 3 });
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    Engine::new(ClientConfig::from_json(&config).unwrap())
}

fn account(n: i64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            session(
                &format!("vs_{:04}", n - i),
                "verified",
                Value::Null,
                1_700_000_000 - i,
            )
        })
        .collect()
}

/// Stripe as documented: `limit` after `starting_after`, `has_more`.
fn stripe_list(rows: &[Value], r: &HttpRequest) -> HttpResponse {
    let q = query_of(&r.url);
    let limit: usize = q.get("limit").map_or(10, |l| l.parse().unwrap());
    let start = match q.get("starting_after") {
        Some(after) => rows.iter().position(|s| s["id"] == after.as_str()).unwrap() + 1,
        None => 0,
    };
    let data: Vec<Value> = rows.iter().skip(start).take(limit).cloned().collect();
    json(
        200,
        json!({ "object": "list", "url": "/v1/identity/verification_sessions", "has_more": start + limit < rows.len(), "data": data }),
    )
}

#[test]
fn a_sequential_walk_follows_starting_after_with_bearer_and_a_pinned_version() {
    let rows = account(230);
    let t = Server::new(move |r, _| {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(r.header("stripe-version"), Some("2026-11-18.endive"));
        stripe_list(&rows, r)
    });
    // One request at a time: the cursor, sequentially.
    let list = block_on(engine(json!({ "concurrency": 1 })).list_all(
        &t,
        P,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(list.sessions.len(), 230);
    let q = t.queries();
    assert_eq!(q.len(), 3);
    assert_eq!(q[0]["limit"], "100");
    assert_eq!(q[1]["starting_after"], "vs_0131");
    assert_eq!(q[2]["starting_after"], "vs_0031");
}

#[test]
fn filters_become_stripes_parameters() {
    let t = Server::new(|r, _| stripe_list(&account(3), r));
    let e = engine(json!({}));
    let query = ListQuery::from_json(P, &json!({ "clientReferenceId": "user-7", "status": "approved", "dateFrom": "2026-01-01", "dateTo": "2026-01-31", "limit": 5 })).unwrap();
    block_on(e.list_sessions(&t, P, &query, &CallOptions::default())).unwrap();
    let q = &t.queries()[0];
    let want: HashMap<String, String> = [
        ("limit", "5"),
        ("client_reference_id", "user-7"),
        ("status", "verified"),
        ("created[gte]", "1767225600"),
        ("created[lte]", "1769903999"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(q, &want);
    // Several statuses: none sent, all filtered after fetching.
    let t = Server::new(|r, _| stripe_list(&account(3), r));
    let query = ListQuery::from_json(P, &json!({ "status": ["approved", "canceled"] })).unwrap();
    block_on(e.list_sessions(&t, P, &query, &CallOptions::default())).unwrap();
    assert_eq!(t.queries()[0].get("status"), None);
    assert_eq!(
        ListQuery::from_json(P, &json!({ "dateTo": "soon" }))
            .unwrap_err()
            .code,
        ErrorCode::Config
    );
}

/// The form's pairs, sorted (the order of members carries no meaning).
fn form(r: &HttpRequest) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(r.body.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    pairs.sort();
    pairs
}

#[test]
fn a_create_is_form_encoded_and_every_attempt_carries_one_idempotency_key() {
    // The first answer is lost (a 500), the retry gets the stored session.
    let mut n = 0;
    let t = Server::new(move |_, _| {
        n += 1;
        if n == 1 {
            return json(
                500,
                json!({ "error": { "type": "api_error", "message": "boom" } }),
            );
        }
        json(
            200,
            session("vs_new", "requires_input", Value::Null, 1_767_225_600),
        )
    });
    let input = json!({ "clientReferenceId": "user-7", "returnUrl": "https://example.com/back", "metadata": { "team": "ops" }, "options": { "document": { "allowed_types": ["passport"], "require_matching_selfie": true } } });
    let s = block_on(engine(json!({ "retryBaseMs": 0 })).create_session(
        &t,
        P,
        &input,
        &CallOptions::default(),
    ))
    .unwrap();
    assert_eq!(s.id, "vs_new");
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 2);
    let keys: Vec<&str> = sent
        .iter()
        .map(|(r, _)| r.header("idempotency-key").unwrap())
        .collect();
    assert_eq!(keys[0], keys[1], "one key for every attempt");
    assert_eq!(
        sent[0].0.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        form(&sent[0].0),
        [
            ("client_reference_id", "user-7"),
            ("metadata[team]", "ops"),
            ("options[document][allowed_types][0]", "passport"),
            ("options[document][require_matching_selfie]", "true"),
            ("return_url", "https://example.com/back"),
            ("type", "document"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
}

#[test]
fn a_key_reused_with_other_parameters_is_a_config_error() {
    let t = Server::new(|_, _| {
        json(
            400,
            json!({ "error": { "type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters they were first used with." } }),
        )
    });
    let err = block_on(engine(json!({})).create_session(
        &t,
        P,
        &json!({ "idempotencyKey": "k-1" }),
        &CallOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Config);
    // Stripe's own words, from `error.message`.
    assert!(
        err.message
            .contains("can only be used with the same parameters"),
        "{}",
        err.message
    );
    assert_eq!(t.sent.borrow()[0].0.header("idempotency-key"), Some("k-1"));
    let long = "k".repeat(256);
    let err = block_on(engine(json!({})).create_session(
        &t,
        P,
        &json!({ "idempotencyKey": long }),
        &CallOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Config);
}

/// Stripe's list with `created[gte|lte]` too.
fn stripe_list_created(rows: &[Value], r: &HttpRequest) -> HttpResponse {
    let q = query_of(&r.url);
    let gte: i64 = q
        .get("created[gte]")
        .map_or(i64::MIN, |v| v.parse().unwrap());
    let lte: i64 = q
        .get("created[lte]")
        .map_or(i64::MAX, |v| v.parse().unwrap());
    let within: Vec<Value> = rows
        .iter()
        .filter(|s| (gte..=lte).contains(&s["created"].as_i64().unwrap()))
        .cloned()
        .collect();
    stripe_list(&within, r)
}

#[test]
fn list_all_walks_slices_of_creation_time_each_session_once() {
    // 1,000 sessions, newest first, several per second in bursts.
    let rows: Vec<Value> = (0..1000)
        .map(|i| {
            session(
                &format!("vs_{:04}", 1000 - i),
                "verified",
                Value::Null,
                1_700_000_000 - (i / 3) * 7 - (i % 3),
            )
        })
        .collect();
    let ids: Vec<String> = rows
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    let served = rows.clone();
    let t = Server::new(move |r, _| stripe_list_created(&served, r));
    let list = block_on(engine(json!({ "concurrency": 4 })).list_all(
        &t,
        P,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    let got: Vec<String> = list.sessions.iter().map(|s| s.id.clone()).collect();
    assert_eq!(got, ids, "each session once, in the provider's order");
    let queries = t.queries();
    assert!(
        queries
            .iter()
            .skip(1)
            .all(|q| q.contains_key("created[lte]")),
        "every page after the first is a slice"
    );
    assert!(
        queries.len() <= 10 + 4 * 3,
        "about one request per 100 sessions: {}",
        queries.len()
    );
    // The caller's own bounds hold: only sessions inside them, each once.
    let served = rows.clone();
    let t = Server::new(move |r, _| stripe_list_created(&served, r));
    let query = ListQuery::from_json(
        P,
        &json!({ "dateFrom": "2023-11-14T21:40:00Z", "dateTo": "2023-11-14T21:56:40Z" }),
    )
    .unwrap();
    let list = block_on(engine(json!({ "concurrency": 4 })).list_all(
        &t,
        P,
        &query,
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    let (from, to) = (1_699_998_000, 1_699_999_000);
    let inside: Vec<&Value> = rows
        .iter()
        .filter(|s| (from..=to).contains(&s["created"].as_i64().unwrap()))
        .collect();
    assert!(!inside.is_empty());
    assert_eq!(list.sessions.len(), inside.len());
    assert!(t
        .queries()
        .iter()
        .all(|q| q["created[gte]"].parse::<i64>().unwrap() >= from
            && q["created[lte]"].parse::<i64>().unwrap() <= to));
}

#[test]
fn one_request_at_a_time_walks_the_cursor_sequentially() {
    let rows = account(230);
    let t = Server::new(move |r, _| stripe_list_created(&rows, r));
    let list = block_on(engine(json!({ "concurrency": 1 })).list_all(
        &t,
        P,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(list.sessions.len(), 230);
    assert!(t.queries().iter().all(|q| !q.contains_key("created[lte]")));
}
