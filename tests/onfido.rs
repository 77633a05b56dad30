//! Onfido (SPEC section 9, ../shared/providers-next.md section 2): its
//! tables row by row, its payloads, its webhooks with Onfido's published
//! vector, and the client over an in-memory Onfido with virtual time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, query_of, Server};
use futures_executor::block_on;
use idv_sessions::client::http::{HttpRequest, HttpResponse};
use idv_sessions::client::{CallOptions, ClientConfig, Engine, ListQuery};
use idv_sessions::providers::check_kind;
use idv_sessions::providers::onfido::report_check;
use idv_sessions::webhook::{
    parse_webhook, sign_webhook, EventType, SignRequest, Verification, WebhookRequest,
};
use idv_sessions::{map_status, CheckKind, CheckStatus, ErrorCode, Provider, SessionStatus};
use serde_json::{json, Value};

const P: Provider = Provider::Onfido;
const TOKEN: &str = "onfido_api_token_SECRET_1";
const BASE: &str = "https://api.eu.onfido.com/v3.6";

#[test]
fn every_documented_run_status() {
    use SessionStatus::*;
    for (status, want) in [
        ("awaiting_input", InProgress),
        ("processing", InReview),
        ("awaiting_client_input", InReview),
        ("review", InReview),
        ("approved", Approved),
        ("declined", Declined),
        ("abandoned", Abandoned),
        ("error", Error),
        ("something_new", Unknown),
    ] {
        assert_eq!(map_status(P, status, None), want, "{status}");
    }
}

#[test]
fn every_documented_report_name() {
    use CheckKind::*;
    for (name, want) in [
        ("document", Document),
        ("document_video", Document),
        ("document_video_with_address_information", Document),
        ("document_with_address_information", Document),
        ("document_with_driving_licence_information", Document),
        ("document_with_driver_verification", Document),
        ("facial_similarity_photo", FaceMatch),
        ("facial_similarity_photo_fully_auto", FaceMatch),
        ("facial_similarity_video", Liveness),
        ("facial_similarity_motion", Liveness),
        ("known_faces", Other),
        ("identity_enhanced", Database),
        ("us_driving_licence", Database),
        ("india_pan", Database),
        ("watchlist_aml", Aml),
        ("watchlist_enhanced", Aml),
        ("watchlist_standard", Aml),
        ("watchlist_peps_only", Aml),
        ("watchlist_sanctions_only", Aml),
        ("proof_of_address", ProofOfAddress),
        ("device_intelligence", IpAnalysis),
    ] {
        assert_eq!(check_kind(P, name), want, "{name}");
    }
}

fn run(id: &str, status: &str, created: &str) -> Value {
    json!({
        "id": id,
        "applicant_id": "a1b2c3d4-0000-4000-8000-000000000001",
        "workflow_id": "w1b2c3d4-0000-4000-8000-000000000001",
        "workflow_version_id": 3,
        "dashboard_url": format!("https://dashboard.onfido.com/results/{id}"),
        "status": status,
        "output": null,
        "reasons": [],
        "error": null,
        "sdk_token": null,
        "link": { "url": format!("https://eu.onfido.app/l/{id}"), "completed_redirect_url": "https://example.com/done", "expired_redirect_url": null, "expires_at": null, "language": null },
        "tags": ["vip", "eu"],
        "customer_user_id": "user-42",
        "created_at": created,
        "updated_at": "2026-01-02T10:00:00Z",
    })
}

#[test]
fn a_run_in_the_unified_shape() {
    let s = idv_sessions::normalize_json(
        P,
        &run("r1", "approved", "2026-01-01T09:00:00Z").to_string(),
        &Default::default(),
    )
    .unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(
        v,
        json!({
            "provider": "onfido", "id": "r1", "key": "onfido:r1", "status": "approved",
            "providerStatus": "approved", "isTerminal": true, "userRef": "user-42",
            "verificationUrl": "https://eu.onfido.app/l/r1", "returnUrl": "https://example.com/done",
            "createdAt": "2026-01-01T09:00:00Z", "updatedAt": "2026-01-02T10:00:00Z", "checks": [],
            "extra": {
                "workflowId": "w1b2c3d4-0000-4000-8000-000000000001",
                "applicantId": "a1b2c3d4-0000-4000-8000-000000000001",
                "workflowVersionId": 3, "tags": ["vip", "eu"],
                "dashboardUrl": "https://dashboard.onfido.com/results/r1"
            }
        })
    );
    // The package's own JSON writer agrees with serde.
    let mut written = String::new();
    idv_sessions::session_json::write_sessions(&mut written, &[s]);
    assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), json!([v]));
    // An empty tag is no tag; a version written `3.0` is version 3.
    let mut odd = run("r3", "approved", "2026-01-01T09:00:00Z");
    odd["tags"] = json!(["vip", "", 7]);
    odd["workflow_version_id"] = json!(3.0);
    let s = idv_sessions::normalize_json(P, &odd.to_string(), &Default::default()).unwrap();
    let extra = s.extra.unwrap();
    assert_eq!(extra.tags, ["vip"]);
    assert_eq!(extra.workflow_version_id, Some(3));
    odd["workflow_version_id"] = json!(3.5);
    let s = idv_sessions::normalize_json(P, &odd.to_string(), &Default::default()).unwrap();
    assert_eq!(s.extra.and_then(|e| e.workflow_version_id), None);
    // No customer_user_id: the applicant; a null link, or one without a URL: no URL.
    let mut bare = run("r2", "awaiting_input", "2026-01-01T09:00:00Z");
    bare.as_object_mut().unwrap().remove("customer_user_id");
    bare["link"] = Value::Null;
    let s = idv_sessions::normalize_json(P, &bare.to_string(), &Default::default()).unwrap();
    assert_eq!(
        s.user_ref.as_deref(),
        Some("a1b2c3d4-0000-4000-8000-000000000001")
    );
    assert_eq!(s.verification_url, None);
    bare["link"] = json!({ "url": 7 });
    let s = idv_sessions::normalize_json(P, &bare.to_string(), &Default::default()).unwrap();
    assert_eq!(s.verification_url, None);
}

#[test]
fn reports_become_checks() {
    let report = |status: &str, result: Value, sub: Value| {
        json!({ "id": "rep", "name": "document", "status": status, "result": result, "sub_result": sub,
                "breakdown": { "visual_authenticity": { "result": "consider", "breakdown": { "fonts": { "result": "consider" }, "security_features": { "result": "clear" } } },
                               "data_validation": { "result": "clear" } } })
    };
    use CheckStatus::*;
    for (status, result, sub, want) in [
        ("complete", json!("clear"), json!("clear"), Approved),
        ("complete", json!("consider"), json!("caution"), InReview),
        ("complete", json!("consider"), json!("rejected"), Declined),
        ("complete", json!("consider"), json!("suspected"), Declined),
        ("complete", json!("unidentified"), Value::Null, Unknown),
        ("awaiting_data", Value::Null, Value::Null, NotFinished),
        ("awaiting_approval", Value::Null, Value::Null, NotFinished),
        ("cancelled", Value::Null, Value::Null, Unknown),
        ("withdrawn", Value::Null, Value::Null, Unknown),
    ] {
        let check = report_check(&report(status, result.clone(), sub.clone()));
        assert_eq!(check.status, want, "{status} {result} {sub}");
        assert_eq!(check.kind, CheckKind::Document);
    }
    let check = report_check(&report("complete", json!("consider"), json!("rejected")));
    let codes: Vec<&str> = check.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["sub_result", "visual_authenticity.fonts"]);
}

// ---- webhooks ----

fn delivery(body: &str, signature: &str, secret: &str) -> WebhookRequest {
    WebhookRequest {
        body: Some(body.as_bytes().to_vec()),
        headers: vec![("X-SHA2-Signature".into(), signature.into())],
        secrets: vec![secret.into()],
        tolerance_sec: 300,
        now_ms: 1_767_225_600_000,
        ..WebhookRequest::default()
    }
}

/// onfido-node's test/classic-webhook-event-verifier.test.ts, via
/// ../shared/providers-next.md section 2.4.
#[test]
fn onfidos_published_vector() {
    let token = "_ABC123abc123ABC123abc123ABC123_";
    let body = r#"{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"check-123","status":"complete","completed_at_iso8601":"2020-01-01T00:00:00Z","href":"https://api.onfido.com/v3/checks/check-123"}}}"#;
    let sig = "a0082d7481f9f0a2907583dbe1f344d6d4c0d9989df2fd804f98479f60cd760e";
    let event = parse_webhook(P, &delivery(body, sig, token)).unwrap();
    assert_eq!(event.event_type, EventType::SessionDataUpdated);
    assert_eq!(event.provider_type, "check.completed");
    assert_eq!(event.verification, Verification::Signature);
    assert!(event.needs_fetch);
    assert_eq!(event.occurred_at, "2020-01-01T00:00:00Z");
    let wrong = parse_webhook(P, &delivery(body, &format!("b{sig}"), token)).unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Signature);
    let other_token = parse_webhook(P, &delivery(body, sig, "another-token")).unwrap_err();
    assert_eq!(other_token.code, ErrorCode::Signature);
    assert!(!format!("{other_token:?}").contains("another-token"));
    let empty = parse_webhook(P, &delivery(body, sig, "")).unwrap_err();
    assert_eq!(empty.code, ErrorCode::Config);
}

fn signed(payload: Value, token: &str) -> WebhookRequest {
    let signed = sign_webhook(
        P,
        &SignRequest {
            payload,
            secret: Some(token.into()),
            now_ms: 1_767_225_600_000,
            ..SignRequest::default()
        },
    )
    .unwrap();
    WebhookRequest {
        body: signed.body.map(String::into_bytes),
        headers: signed.headers.into_iter().collect(),
        secrets: vec!["old-token".into(), token.into()],
        tolerance_sec: 300,
        now_ms: 1_767_225_600_000,
        ..WebhookRequest::default()
    }
}

#[test]
fn workflow_events() {
    let completed = json!({ "payload": {
        "resource_type": "workflow_run", "action": "workflow_run.completed",
        "object": { "id": "r1", "status": "approved", "started_at_iso8601": "2026-01-01T09:00:00Z", "completed_at_iso8601": "2026-01-01T09:05:00Z", "href": "https://api.eu.onfido.com/v3.6/workflow_runs/r1" },
        "resource": run("r1", "approved", "2026-01-01T09:00:00Z"),
    }});
    let event = parse_webhook(P, &signed(completed.clone(), "tok")).unwrap();
    assert_eq!(event.event_type, EventType::SessionUpdated);
    assert_eq!(event.session_id.as_deref(), Some("r1"));
    assert_eq!(event.status, Some(SessionStatus::Approved));
    assert_eq!(event.occurred_at, "2026-01-01T09:05:00Z");
    assert_eq!(
        event.session.as_ref().unwrap().verification_url.as_deref(),
        Some("https://eu.onfido.app/l/r1")
    );
    assert!(!event.needs_fetch);
    // Retries of one delivery: one id.
    assert_eq!(
        parse_webhook(P, &signed(completed, "tok")).unwrap().id,
        event.id
    );
    // Without the run: fetch it.
    let bare = json!({ "payload": { "resource_type": "workflow_run", "action": "workflow_run.completed",
        "object": { "id": "r1", "status": "declined", "completed_at_iso8601": "2026-01-01T09:05:00Z" } } });
    let event = parse_webhook(P, &signed(bare, "tok")).unwrap();
    assert_eq!(event.status, Some(SessionStatus::Declined));
    assert!(event.session.is_none() && event.needs_fetch);
    // A task: the run to read back.
    let task = json!({ "payload": { "resource_type": "workflow_task", "action": "workflow_task.completed",
        "object": { "id": "t1", "workflow_run_id": "r1", "status": "completed", "completed_at_iso8601": "2026-01-01T09:03:00Z" } } });
    let event = parse_webhook(P, &signed(task, "tok")).unwrap();
    assert_eq!(
        (
            event.event_type,
            event.session_id.as_deref(),
            event.needs_fetch
        ),
        (EventType::SessionUpdated, Some("r1"), true)
    );
    // Anything else: other.
    let audit = json!({ "payload": { "resource_type": "audit_log", "action": "audit_log.created", "object": { "id": "x" } } });
    assert_eq!(
        parse_webhook(P, &signed(audit, "tok")).unwrap().event_type,
        EventType::Other
    );
    // Not Onfido's format, though signed: decode.
    for body in [
        json!([1]),
        json!({ "payload": { "object": { "id": "x" } } }),
        json!({ "payload": { "action": "check.completed" } }),
    ] {
        let req = signed(json!({ "payload": body }), "tok");
        let err = parse_webhook(P, &req).unwrap_err();
        assert!(matches!(err.code, ErrorCode::Decode), "{body}: {err:?}");
    }
}

// ---- the client ----

fn engine(config: Value) -> Engine {
    Engine::new(ClientConfig::from_json(&json!({ "onfido": config, "maxRetries": 0 })).unwrap())
}

fn runs(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            run(
                &format!("r{:03}", n - i),
                "approved",
                &format!("2026-01-{:02}T12:00:00Z", 28 - (i % 28)),
            )
        })
        .collect()
}

/// Onfido as documented: bare-array pages of `size`, no total.
fn pages(rows: Vec<Value>, size: usize) -> impl FnMut(&HttpRequest, f64) -> HttpResponse {
    move |r, _| {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Token token={TOKEN}").as_str())
        );
        let page: usize = query_of(&r.url)
            .get("page")
            .map_or(1, |p| p.parse().unwrap());
        json(
            200,
            Value::Array(
                rows.iter()
                    .skip((page - 1) * size)
                    .take(size)
                    .cloned()
                    .collect(),
            ),
        )
    }
}

#[test]
fn list_all_walks_pages_until_one_is_shorter_than_the_ones_before() {
    let t = Server::new(pages(runs(45), 20));
    let list = block_on(engine(json!({ "apiKey": TOKEN })).list_all(
        &t,
        P,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(list.sessions.len(), 45);
    let asked: Vec<String> = t.queries().iter().map(|q| q["page"].clone()).collect();
    assert_eq!(asked, ["1", "2", "3"], "a short third page ends it");
    assert!(t.sent.borrow()[0].0.url.starts_with(BASE));
    // A full last page: one more (empty) page says the end.
    let t = Server::new(pages(runs(40), 20));
    let list = block_on(engine(json!({ "apiKey": TOKEN })).list_all(
        &t,
        P,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(list.sessions.len(), 40);
    assert_eq!(t.queries().len(), 3);
    // With a `Link` header (Onfido's classic lists): its `rel="next"` says
    // whether another page follows, so a full last page is the last.
    let mut plain = pages(runs(40), 20);
    let t = Server::new(move |r, now| {
        let page: usize = query_of(&r.url)
            .get("page")
            .map_or(1, |p| p.parse().unwrap());
        let mut answer = plain(r, now);
        let link = if page < 2 {
            format!("<{BASE}/workflow_runs?page={}>; rel=\"next\", <{BASE}/workflow_runs?page=2>; rel=\"last\"", page + 1)
        } else {
            format!("<{BASE}/workflow_runs?page=1>; rel=\"first\"")
        };
        answer.headers.push(("link".into(), link));
        answer
    });
    let list = block_on(engine(json!({ "apiKey": TOKEN })).list_all(
        &t,
        P,
        &ListQuery::default(),
        &CallOptions::default(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(list.sessions.len(), 40);
    assert_eq!(t.queries().len(), 2, "no empty page asked for");
}

/// Onfido's error body (`{error: {type, message, fields}}`): its message and
/// field errors reach the error, as every provider's do.
#[test]
fn onfidos_error_body_gives_its_message() {
    let t = Server::new(|_, _| {
        json(
            422,
            json!({ "error": { "type": "validation_error", "message": "There was a validation error on this request",
                "fields": { "applicant_id": ["must be a valid UUID"] } } }),
        )
    });
    let err = block_on(engine(json!({ "apiKey": TOKEN })).get_session(
        &t,
        P,
        "run-1",
        &CallOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(err.http_status, Some(422));
    assert!(
        err.message.contains(
            "There was a validation error on this request applicant_id: must be a valid UUID"
        ),
        "{}",
        err.message
    );
}
