//! Webhooks: Didit's official signature vectors under every scheme, re-encoded
//! bodies, every way a delivery can be wrong, secrets never in errors;
//! Mangopay's GET notifications and Equals' envelope; sign then parse round
//! trips for arbitrary bodies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::webhook::{
    parse_webhook, sign_webhook, EventType, SignRequest, Verification, WebhookRequest,
};
use idv_sessions::{ErrorCode, Provider, SessionStatus};
use proptest::prelude::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const DIDIT: Provider = Provider::Didit;

struct Vector {
    name: String,
    body: String,
    raw: String,
    v2: String,
    simple: String,
}

fn vectors() -> (String, i64, Vec<Vector>) {
    let v: Value = serde_json::from_str(&fixture("didit-webhook-signatures.json")).unwrap();
    let secret = v["secret"].as_str().unwrap().to_string();
    let timestamp = v["timestamp"].as_i64().unwrap();
    let cases = v["cases"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, c)| Vector {
            name: name.clone(),
            body: c["body"].as_str().unwrap().to_string(),
            raw: c["signatures"]["raw"].as_str().unwrap().to_string(),
            v2: c["signatures"]["v2"].as_str().unwrap().to_string(),
            simple: c["signatures"]["simple"].as_str().unwrap().to_string(),
        })
        .collect();
    (secret, timestamp, cases)
}

fn request(body: &str, headers: &[(&str, &str)], secret: &str, now_s: i64) -> WebhookRequest {
    WebhookRequest {
        body: Some(body.as_bytes().to_vec()),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        url: None,
        secrets: vec![secret.to_string()],
        tolerance_sec: 300,
        now_ms: now_s * 1000,
        include_raw: false,
    }
}

/// Pretty-printed with keys in reverse order: what a proxy re-encoding JSON does.
fn re_encoded(body: &str) -> String {
    fn reverse(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                // serde_json's map is ordered by key: build the reversed text by hand.
                Value::Object(map.iter().map(|(k, v)| (k.clone(), reverse(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(reverse).collect()),
            other => other.clone(),
        }
    }
    fn write(v: &Value, out: &mut String, depth: usize) {
        let pad = "  ".repeat(depth + 1);
        match v {
            Value::Object(map) => {
                out.push_str("{\n");
                let entries: Vec<_> = map.iter().rev().collect();
                for (i, (k, v)) in entries.iter().enumerate() {
                    out.push_str(&format!("{pad}{}: ", serde_json::to_string(k).unwrap()));
                    write(v, out, depth + 1);
                    out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
                }
                out.push_str(&format!("{}}}", "  ".repeat(depth)));
            }
            other => out.push_str(&serde_json::to_string(other).unwrap()),
        }
    }
    let mut out = String::new();
    write(&reverse(&serde_json::from_str(body).unwrap()), &mut out, 0);
    out
}

#[test]
fn every_official_vector_verifies_under_every_scheme() {
    let (secret, ts, cases) = vectors();
    let ts_text = ts.to_string();
    for c in &cases {
        for (header, sig, want) in [
            ("x-signature", &c.raw, Verification::Signature),
            ("x-signature-v2", &c.v2, Verification::Signature),
            ("x-signature-simple", &c.simple, Verification::Envelope),
        ] {
            let r = request(
                &c.body,
                &[(header, sig), ("x-timestamp", &ts_text)],
                &secret,
                ts + 10,
            );
            let event =
                parse_webhook(DIDIT, &r).unwrap_or_else(|e| panic!("{} {header}: {e}", c.name));
            assert_eq!(event.verification, want, "{} {header}", c.name);
            assert_eq!(event.event_type, EventType::SessionUpdated);
            assert_eq!(
                event.session_id.as_deref(),
                Some("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
            );
            assert_eq!(
                event.needs_fetch,
                want == Verification::Envelope || event.session.is_none()
            );
        }
    }
}

#[test]
fn a_re_encoded_body_fails_raw_but_passes_v2() {
    let (secret, ts, cases) = vectors();
    for c in &cases {
        let body = re_encoded(&c.body);
        assert_ne!(body, c.body);
        let raw = request(&body, &[("X-Signature", &c.raw)], &secret, ts);
        let e = parse_webhook(DIDIT, &raw).unwrap_err();
        assert_eq!(e.code, ErrorCode::Signature, "{}", c.name);
        let v2 = request(
            &body,
            &[("X-Signature", &c.raw), ("X-Signature-V2", &c.v2)],
            &secret,
            ts,
        );
        let event = parse_webhook(DIDIT, &v2).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(event.verification, Verification::Signature, "{}", c.name);
    }
}

#[test]
fn a_signed_decision_is_the_full_session() {
    let (secret, ts, cases) = vectors();
    let c = cases.iter().find(|c| c.name == "basic_approved").unwrap();
    let event = parse_webhook(
        DIDIT,
        &request(&c.body, &[("x-signature", &c.raw)], &secret, ts),
    )
    .unwrap();
    let session = event.session.expect("a signed decision");
    assert_eq!(session.status, SessionStatus::Approved);
    assert_eq!(session.id, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    assert_eq!(session.user_ref.as_deref(), Some("wp-42"));
    assert_eq!(session.checks.len(), 1);
    assert!(!event.needs_fetch);
    // The dedupe key is made of signed fields that every retry repeats; Didit's
    // `event_id` is new on each attempt (webhooks.md 1.3), kept as `deliveryId`.
    assert_eq!(
        event.id,
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:status.updated:1774970000:Approved"
    );
    assert_eq!(
        event.delivery_id.as_deref(),
        Some("9c0c8b8a-1111-4222-9333-444444444444")
    );
    assert_eq!(event.occurred_at, "2026-03-31T15:13:14Z");
    // Envelope only: no session, fetch it.
    let event = parse_webhook(
        DIDIT,
        &request(&c.body, &[("x-signature-simple", &c.simple)], &secret, ts),
    )
    .unwrap();
    assert!(event.session.is_none() && event.needs_fetch);
    // The same dedupe key as the signed delivery (it is made of what Simple
    // signs); nothing from the unsigned rest: no delivery id, the signed time.
    assert_eq!(
        event.id,
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:status.updated:1774970000:Approved"
    );
    assert_eq!(event.delivery_id, None);
    assert_eq!(event.occurred_at, "2026-03-31T15:13:20Z");
}

#[test]
fn every_way_a_delivery_is_wrong_has_its_reason() {
    let (secret, ts, cases) = vectors();
    let c = &cases[0];
    let ts_text = ts.to_string();
    let check = |r: WebhookRequest, part: &str| {
        let e = parse_webhook(DIDIT, &r).unwrap_err();
        assert_eq!(e.code, ErrorCode::Signature, "{part}: {e:?}");
        assert!(e.message.contains(part), "{part}: {}", e.message);
        for secret_part in [secret.as_str(), &c.raw, &c.v2, &c.simple] {
            assert!(!e.message.contains(secret_part), "{}", e.message);
        }
    };
    // A wrong secret.
    check(
        request(&c.body, &[("x-signature", &c.raw)], "not-the-secret", ts),
        "no signature matches",
    );
    // A tampered body (the status changed).
    let tampered = c.body.replace("\"Approved\"", "\"Declined\"");
    check(
        request(
            &tampered,
            &[
                ("x-signature", &c.raw),
                ("x-signature-v2", &c.v2),
                ("x-signature-simple", &c.simple),
            ],
            &secret,
            ts,
        ),
        "no signature matches",
    );
    // A stale timestamp (the vector is from the past).
    check(
        request(&c.body, &[("x-signature", &c.raw)], &secret, ts + 301),
        "stale or replayed",
    );
    check(
        request(&c.body, &[("x-signature", &c.raw)], &secret, ts - 301),
        "stale or replayed",
    );
    // A replay with a freshened header over the old body.
    let fresh = (ts + 3600).to_string();
    check(
        request(
            &c.body,
            &[("x-signature", &c.raw), ("x-timestamp", &fresh)],
            &secret,
            ts + 3600,
        ),
        "X-Timestamp does not match",
    );
    // Stripped headers.
    check(
        request(&c.body, &[("x-timestamp", &ts_text)], &secret, ts),
        "no X-Signature",
    );
    // No secret.
    let mut none = request(&c.body, &[("x-signature", &c.raw)], &secret, ts);
    none.secrets.clear();
    check(none, "no secret");
    // Not JSON under a raw signature that does not match: rejected before any
    // parse (a forged body costs one HMAC), so `signature`, not `decode`.
    let e = parse_webhook(
        DIDIT,
        &request("{\"cut", &[("x-signature", &c.raw)], &secret, ts),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Signature, "{e:?}");
    // Not JSON, signed: decode.
    let cut = "{\"cut";
    let signed = idv_sessions::webhook::hmac_hex(&secret, cut.as_bytes());
    let e = parse_webhook(
        DIDIT,
        &request(cut, &[("x-signature", &signed)], &secret, ts),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode, "{e:?}");
    // Not JSON with only V2 or Simple to check: they need the parsed body.
    let e = parse_webhook(
        DIDIT,
        &request(cut, &[("x-signature-v2", &c.v2)], &secret, ts),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode, "{e:?}");
}

#[test]
fn a_blank_secret_is_refused_for_every_provider_before_anything_else() {
    let (secret, ts, cases) = vectors();
    let c = &cases[0];
    // Didit: a forgery signed with the empty key, the way an unset
    // `DIDIT_WEBHOOK_SECRET ?? ""` would have accepted it.
    let forged = idv_sessions::webhook::hmac_hex("", c.body.as_bytes());
    for secrets in [
        vec![""],
        vec!["  "],
        vec!["", secret.as_str()],
        vec![secret.as_str(), ""],
    ] {
        for provider in Provider::ALL {
            let request = WebhookRequest {
                secrets: secrets.iter().map(|s| s.to_string()).collect(),
                // Equals: no `Authorization` at all; Mangopay: nothing but a query.
                ..request(&c.body, &[("x-signature", &forged)], "", ts)
            };
            let e = parse_webhook(provider, &request).unwrap_err();
            assert_eq!(e.code, ErrorCode::Config, "{provider} {secrets:?}: {e:?}");
            assert!(e.message.contains("empty"), "{}", e.message);
            // Before anything else: not even a body is needed to be refused.
            let bare = WebhookRequest {
                secrets: request.secrets.clone(),
                ..WebhookRequest::default()
            };
            assert_eq!(
                parse_webhook(provider, &bare).unwrap_err().code,
                ErrorCode::Config
            );
        }
    }
    // The real secret alone still verifies; signWebhook refuses a blank one too.
    let ok = request(&c.body, &[("x-signature", &c.raw)], &secret, ts);
    assert_eq!(
        parse_webhook(DIDIT, &ok).unwrap().verification,
        Verification::Signature
    );
    let sign = |secret: &str| {
        sign_webhook(
            DIDIT,
            &SignRequest {
                payload: json!({"session_id": "s", "status": "Approved", "webhook_type": "status.updated"}),
                secret: Some(secret.to_string()),
                ..SignRequest::default()
            },
        )
    };
    assert_eq!(sign(" ").unwrap_err().code, ErrorCode::Config);
    assert!(sign("k").is_ok());
}

#[test]
fn several_secrets_for_a_rotation() {
    let (secret, ts, cases) = vectors();
    let mut r = request(
        &cases[1].body,
        &[("x-signature-v2", &cases[1].v2)],
        "old-secret",
        ts,
    );
    r.secrets.push(secret);
    assert_eq!(
        parse_webhook(DIDIT, &r).unwrap().verification,
        Verification::Signature
    );
}

#[test]
fn integer_like_keys_and_python_floats_sign_as_didit_does() {
    // Keys "10" < "2" < "9" (code points), floats in Python's repr: the
    // JSON.stringify-of-sorted-keys recipe gets both wrong.
    let payload = json!({
        "session_id": "s-1", "status": "Approved", "webhook_type": "status.updated",
        "metadata": {"9": "nine", "10": "ten", "2": "two"},
        "scores": [0.00001, 12345678901234567.0, 95.4, 100.0],
        "name": "Zoë 北京 😀"
    });
    let signed = sign_webhook(
        DIDIT,
        &SignRequest {
            payload,
            secret: Some("s3cret".into()),
            timestamp: Some(1_774_970_000),
            url: None,
            now_ms: 0,
        },
    )
    .unwrap();
    let body = signed.body.clone().unwrap();
    assert!(
        body.contains(r#""metadata":{"10":"ten","2":"two","9":"nine"}"#),
        "{body}"
    );
    assert!(
        body.contains(r#""scores":[1e-05,12345678901234568,95.4,100]"#),
        "{body}"
    );
    assert!(
        body.contains(r#""name":"Zo\u00eb \u5317\u4eac \ud83d\ude00""#),
        "{body}"
    );
    let headers: Vec<(String, String)> = signed.headers.clone().into_iter().collect();
    let r = WebhookRequest {
        body: Some(body.into_bytes()),
        headers,
        secrets: vec!["s3cret".into()],
        tolerance_sec: 300,
        now_ms: 1_774_970_000_000,
        ..WebhookRequest::default()
    };
    let event = parse_webhook(DIDIT, &r).unwrap();
    assert_eq!(event.verification, Verification::Signature);
    assert_eq!(event.status, Some(SessionStatus::Approved));
}

/// Big integral floats (`1e308` is 309 digits in the canonical form): Didit
/// writes them as integers; a proxy that re-encodes the body writes them
/// short again (`1e+308`, as `JSON.stringify` does), so the form V2 checks is
/// longer than the body it came in. Both verify, within the limit the check
/// puts on the form's length (src/providers/didit/webhook.rs has the forged
/// body that passes it).
#[test]
fn a_body_with_huge_integral_floats_verifies_under_v2() {
    let now = 1_774_970_000_i64;
    let payload = json!({
        "session_id": "s-1", "status": "Approved", "webhook_type": "status.updated",
        "scores": [1e300, 1e308, 2.5],
    });
    let signed = sign_webhook(
        DIDIT,
        &SignRequest {
            payload,
            secret: Some("s3cret".into()),
            timestamp: Some(now),
            url: None,
            now_ms: 0,
        },
    )
    .unwrap();
    let body = signed.body.clone().unwrap();
    let v2: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("x-signature-v2"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(v2.len(), 1);
    let event = parse_webhook(DIDIT, &request(&body, &v2, "s3cret", now)).unwrap();
    assert_eq!(event.verification, Verification::Signature);
    // Re-encoded with the floats short: 610 digits of the form come from 13
    // characters of the body.
    let start = body.find(r#""scores":["#).unwrap() + r#""scores":["#.len();
    let end = body[start..].find(",2.5]").unwrap() + start;
    let short = format!("{}1e+300,1e+308{}", &body[..start], &body[end..]);
    assert_eq!(body.len() - short.len(), 598, "{short}");
    let event = parse_webhook(DIDIT, &request(&short, &v2, "s3cret", now)).unwrap();
    assert_eq!(event.verification, Verification::Signature);
}

#[test]
fn didit_test_deliveries_and_other_event_types() {
    let console: Value =
        serde_json::from_str(&fixture("didit-webhook-console-test-1.json")).unwrap();
    let signed = sign_webhook(
        DIDIT,
        &SignRequest {
            payload: console.clone(),
            secret: Some("k".into()),
            timestamp: None,
            url: None,
            now_ms: 1_641_038_400_000,
        },
    )
    .unwrap();
    let mut headers: Vec<(String, String)> = signed.headers.into_iter().collect();
    headers.push(("X-Didit-Test-Webhook".into(), "true".into()));
    let r = WebhookRequest {
        body: Some(signed.body.unwrap().into_bytes()),
        headers,
        secrets: vec!["k".into()],
        tolerance_sec: 300,
        now_ms: 1_641_038_400_000,
        ..WebhookRequest::default()
    };
    let event = parse_webhook(DIDIT, &r).unwrap();
    assert!(event.test);
    assert!(
        event.session.is_some(),
        "the console's sample carries a decision"
    );
    for (kind, want) in [
        ("data.updated", EventType::SessionDataUpdated),
        ("user.status.updated", EventType::Other),
    ] {
        let signed = sign_webhook(
            DIDIT,
            &SignRequest {
                payload: json!({"session_id": "s", "status": "Approved", "webhook_type": kind}),
                secret: Some("k".into()),
                timestamp: Some(100),
                url: None,
                now_ms: 100_000,
            },
        )
        .unwrap();
        let r = WebhookRequest {
            body: Some(signed.body.unwrap().into_bytes()),
            headers: signed.headers.into_iter().collect(),
            secrets: vec!["k".into()],
            tolerance_sec: 300,
            now_ms: 100_000,
            ..WebhookRequest::default()
        };
        assert_eq!(parse_webhook(DIDIT, &r).unwrap().event_type, want);
    }
}

#[test]
fn mangopay_notifications_are_get_queries_with_nothing_signed() {
    let mp = Provider::Mangopay;
    for (event_type, status) in [
        (
            "IDENTITY_VERIFICATION_VALIDATED",
            Some(SessionStatus::Approved),
        ),
        (
            "IDENTITY_VERIFICATION_FAILED",
            Some(SessionStatus::Declined),
        ),
        (
            "IDENTITY_VERIFICATION_INCONCLUSIVE",
            Some(SessionStatus::InReview),
        ),
        (
            "IDENTITY_VERIFICATION_OUTDATED",
            Some(SessionStatus::Outdated),
        ),
        (
            "IDENTITY_VERIFICATION_EXPIRED",
            Some(SessionStatus::Expired),
        ),
        (
            "IDENTITY_VERIFICATION_PENDING",
            Some(SessionStatus::InProgress),
        ),
        (
            "IDENTITY_VERIFICATION_TIMEOUT",
            Some(SessionStatus::Abandoned),
        ),
        ("IDENTITY_VERIFICATION_PSC_REJECTED", None),
        ("IDENTITY_VERIFICATION_PENDING_PSC_ACTION", None),
        ("USER_KYC_REGULAR", None),
    ] {
        let r = WebhookRequest {
            url: Some(format!("https://hooks.example/mp?RessourceId=idnver_1&EventType={event_type}&Date=1743627006")),
            now_ms: 0,
            ..WebhookRequest::default()
        };
        let event = parse_webhook(mp, &r).unwrap();
        assert_eq!(event.status, status, "{event_type}");
        assert_eq!(event.provider_type, event_type);
        assert_eq!(event.verification, Verification::None);
        assert!(event.needs_fetch);
        assert!(!event.test);
        assert_eq!(event.occurred_at, "2025-04-02T20:50:06Z");
        assert_eq!(
            event.event_type,
            if status.is_some() {
                EventType::SessionUpdated
            } else {
                EventType::Other
            }
        );
        assert_eq!(
            event.session_id.is_some(),
            event_type.starts_with("IDENTITY_VERIFICATION")
        );
    }
    // A Date that is not a number (`NaN` parses as a float): no date, not 1970.
    for date in ["NaN", "inf", "x"] {
        let r = WebhookRequest {
            url: Some(format!("https://hooks.example/mp?RessourceId=idnver_1&EventType=IDENTITY_VERIFICATION_VALIDATED&Date={date}")),
            now_ms: 1_743_627_006_000,
            ..WebhookRequest::default()
        };
        let event = parse_webhook(mp, &r).unwrap();
        assert_eq!(event.occurred_at, "2025-04-02T20:50:06Z", "{date}");
        assert_eq!(
            event.id, "IDENTITY_VERIFICATION_VALIDATED:idnver_1:",
            "{date}"
        );
    }
    // The dashboard's ping: an empty RessourceId.
    let ping = WebhookRequest {
        url: Some(
            "https://hooks.example/mp?RessourceId=&EventType=PAYOUT_NORMAL_FAILED&Date=1468540800"
                .into(),
        ),
        ..WebhookRequest::default()
    };
    assert!(parse_webhook(mp, &ping).unwrap().test);
    let e = parse_webhook(
        mp,
        &WebhookRequest {
            url: Some("https://x/".into()),
            ..WebhookRequest::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode);
    // sign -> parse
    let signed = sign_webhook(mp, &SignRequest {
        payload: json!({"EventType": "IDENTITY_VERIFICATION_VALIDATED", "RessourceId": "idnver_9"}),
        url: Some("http://127.0.0.1/hooks/mangopay".into()),
        timestamp: Some(1_700_000_000),
        ..SignRequest::default()
    })
    .unwrap();
    assert_eq!(signed.method, "GET");
    let event = parse_webhook(
        mp,
        &WebhookRequest {
            url: signed.url,
            ..WebhookRequest::default()
        },
    )
    .unwrap();
    assert_eq!(event.session_id.as_deref(), Some("idnver_9"));
}

#[test]
fn equals_envelopes_dedupe_by_message_id() {
    let eq = Provider::Equals;
    let body = json!({"body": {
        "messageId": "m-1", "webhookEventTypeName": "IdentityVerificationStatusUpdated",
        "eventTime": "2026-01-02T03:04:05Z", "id": "sess-1", "applicationId": "app-1",
        "correlationId": "c-1", "status": "completed", "result": "declined"
    }})
    .to_string();
    let r = WebhookRequest {
        body: Some(body.clone().into_bytes()),
        ..WebhookRequest::default()
    };
    let event = parse_webhook(eq, &r).unwrap();
    assert_eq!(event.id, "m-1");
    assert_eq!(event.status, Some(SessionStatus::Declined));
    assert_eq!(event.session_id.as_deref(), Some("sess-1"));
    assert_eq!(event.verification, Verification::None);
    assert!(event.needs_fetch);
    let extra = event.extra.unwrap();
    assert_eq!(extra.correlation_id.as_deref(), Some("c-1"));
    assert_eq!(extra.application_id.as_deref(), Some("app-1"));
    // With the webhook's authorizationHeader as the secret.
    let mut r = WebhookRequest {
        body: Some(body.into_bytes()),
        headers: vec![("Authorization".into(), "Bearer wh-1".into())],
        secrets: vec!["Bearer wh-1".into()],
        ..WebhookRequest::default()
    };
    assert_eq!(
        parse_webhook(eq, &r).unwrap().verification,
        Verification::Envelope
    );
    r.headers[0].1 = "Bearer nope".into();
    let e = parse_webhook(eq, &r).unwrap_err();
    assert_eq!(e.code, ErrorCode::Signature);
    assert!(!e.message.contains("wh-1") && !e.message.contains("nope"));
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        "[0-9]{1,3}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,6}|[0-9]{1,3}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever the body, signWebhook's delivery verifies, as sent and re-encoded.
    #[test]
    fn sign_then_parse_round_trips(extra in prop::collection::btree_map("\\PC{0,8}", any_json(), 0..6), secret in "[!-~][ -~]{0,23}") {
        let mut payload = json!({"session_id": "s-1", "status": "In Review", "webhook_type": "status.updated"});
        for (k, v) in extra {
            if k != "timestamp" {
                payload[k.as_str()] = v;
            }
        }
        let signed = sign_webhook(DIDIT, &SignRequest {
            payload,
            secret: Some(secret.clone()),
            timestamp: Some(1_800_000_000),
            url: None,
            now_ms: 0,
        }).unwrap();
        let body = signed.body.unwrap();
        let headers: Vec<(String, String)> = signed.headers.into_iter().collect();
        let request = |body: &str, headers: Vec<(String, String)>| WebhookRequest {
            body: Some(body.as_bytes().to_vec()),
            headers,
            secrets: vec![secret.clone()],
            tolerance_sec: 300,
            now_ms: 1_800_000_000_000,
            ..WebhookRequest::default()
        };
        let event = parse_webhook(DIDIT, &request(&body, headers.clone())).unwrap();
        prop_assert_eq!(event.verification, Verification::Signature);
        // Re-encoded: only the V2 signature can hold.
        let reencoded = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&body).unwrap()).unwrap();
        let event = parse_webhook(DIDIT, &request(&reencoded, headers)).unwrap();
        prop_assert_eq!(event.verification, Verification::Signature);
    }

    /// Deliveries this crate did not write: the body as arbitrary JSON text
    /// (pretty or compact), its X-Signature over those bytes, its V2 over an
    /// independent canonical form (serde_json's sorted, compact writer: the same
    /// text as Python's for bodies without floats), its Simple over the
    /// envelope, at any timestamp and clock: accepted exactly when within the
    /// tolerance, and never a panic (a hostile timestamp once overflowed).
    #[test]
    fn deliveries_written_elsewhere_verify_within_the_tolerance(
        extra in prop::collection::btree_map("\\PC{0,8}", json_without_floats(), 0..6),
        secret in "[!-~][ -~]{0,23}",
        ts in prop_oneof![any::<i64>(), 1_700_000_000i64..1_900_000_000],
        now_s in prop_oneof![any::<i64>().prop_map(|n| n / 1000), Just(i64::MIN / 1000), Just(i64::MAX / 1000)],
        near in -400i64..400,
        pretty in any::<bool>(),
    ) {
        let mut payload = serde_json::Map::new();
        for (k, v) in extra {
            payload.insert(k, v);
        }
        for (k, v) in [("session_id", json!("s-1")), ("status", json!("Approved")), ("webhook_type", json!("status.updated")), ("timestamp", json!(ts))] {
            payload.insert(k.to_string(), v);
        }
        let payload = Value::Object(payload);
        let body = if pretty { serde_json::to_string_pretty(&payload).unwrap() } else { payload.to_string() };
        let hmac = |message: &[u8]| idv_sessions::webhook::hmac_hex(&secret, message);
        let simple = format!("{ts}:s-1:Approved:status.updated");
        // Half of the runs near the timestamp, the other half anywhere.
        let now_ms = if near % 2 == 0 { ts.saturating_add(near) } else { now_s }.saturating_mul(1000);
        let now_s = now_ms.div_euclid(1000);
        let fresh = now_s.checked_sub(ts).is_some_and(|d| d.unsigned_abs() <= 300);
        for (header, signature, verification) in [
            ("x-signature", hmac(body.as_bytes()), Verification::Signature),
            ("x-signature-v2", hmac(payload.to_string().as_bytes()), Verification::Signature),
            ("x-signature-simple", hmac(simple.as_bytes()), Verification::Envelope),
        ] {
            let request = WebhookRequest {
                body: Some(body.clone().into_bytes()),
                headers: vec![(header.to_string(), signature)],
                secrets: vec![secret.clone()],
                tolerance_sec: 300,
                now_ms,
                ..WebhookRequest::default()
            };
            match parse_webhook(DIDIT, &request) {
                Ok(event) => {
                    prop_assert!(fresh, "{header}: accepted {ts} at {now_s}");
                    prop_assert_eq!(event.verification, verification);
                    prop_assert_eq!(event.id, format!("s-1:status.updated:{ts}:Approved"));
                }
                Err(e) => {
                    prop_assert!(!fresh, "{header}: {e:?}");
                    prop_assert_eq!(e.code, ErrorCode::Signature);
                    prop_assert!(e.message.contains("stale"), "{}", e.message);
                }
            }
        }
    }
}

/// JSON with every kind of value but floats (whose Python spelling serde_json
/// does not share).
fn json_without_floats() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,6}|[0-9]{1,3}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
