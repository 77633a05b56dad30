//! Sessions and webhook events JS hands back (summarize, toCsv,
//! resolveWebhook) are read from the crate's Json tree by hand, not by the
//! serde derives (the wasm carries no serde deserializer): they must read
//! exactly what the derives read, and refuse exactly what they refuse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::json::{parse, Json};
use idv_sessions::session::{Check, CheckKind, CheckStatus, Extra, Person, Reason};
use idv_sessions::session_json::{read_session, read_sessions};
use idv_sessions::webhook::{EventType, Verification, WebhookEvent};
use idv_sessions::{NormalizeOptions, Provider, Session, SessionStatus};
use proptest::prelude::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A session with every field there is.
fn full_session() -> Session {
    Session {
        provider: Provider::Onfido,
        id: "wr_1".into(),
        key: "onfido:wr_1".into(),
        status: SessionStatus::ResubmissionRequested,
        provider_status: "awaiting_input".into(),
        provider_result: Some("clear".into()),
        is_terminal: false,
        user_ref: Some("user-1".into()),
        verification_url: Some("https://example.test/v".into()),
        return_url: Some("https://example.test/r".into()),
        created_at: "2026-01-02T03:04:05.123Z".into(),
        updated_at: Some("2026-01-03T00:00:00Z".into()),
        checks: vec![Check {
            kind: CheckKind::FaceMatch,
            status: CheckStatus::Declined,
            provider_type: "face".into(),
            provider_status: "consider".into(),
            reasons: vec![
                Reason {
                    code: "image_integrity".into(),
                    detail: Some("blurry é 😀".into()),
                },
                Reason {
                    code: "other".into(),
                    detail: None,
                },
            ],
        }],
        person: Some(Person {
            full_name: Some("Zoë Ng".into()),
            first_name: Some("Zoë".into()),
            last_name: Some("Ng".into()),
            country: Some("FRA".into()),
            document_type: Some("passport".into()),
        }),
        extra: Some(Extra {
            tag: Some("t".into()),
            application_id: Some("a".into()),
            associated_person_id: Some("p".into()),
            correlation_id: Some("c".into()),
            session_number: Some(-7),
            workflow_id: Some("w".into()),
            session_kind: Some("user".into()),
            applicant_id: Some("ap".into()),
            workflow_version_id: Some(3),
            tags: vec!["x".into(), "y".into()],
            dashboard_url: Some("https://example.test/d".into()),
            session_type: Some("document".into()),
            client_reference_id: Some("cr".into()),
            redaction_status: Some("processing".into()),
            last_verification_report: Some("vr_1".into()),
        }),
        raw: Some(json!({"id": "wr_1", "n": [1, 2.5, null, {"deep": true}]})),
    }
}

fn full_event() -> WebhookEvent {
    WebhookEvent {
        provider: Provider::Didit,
        id: "s:status.updated:1:Approved".into(),
        delivery_id: Some("d1".into()),
        event_type: EventType::SessionDataUpdated,
        provider_type: "data.updated".into(),
        session_id: Some("s".into()),
        status: Some(SessionStatus::Approved),
        provider_status: Some("Approved".into()),
        occurred_at: "2026-03-31T15:13:14Z".into(),
        verification: Verification::Envelope,
        needs_fetch: true,
        test: true,
        session: Some(full_session()),
        extra: full_session().extra,
        raw: Some(json!({"a": 1})),
    }
}

/// `Json` holds integers as `i64`; beyond that (in `raw`), floats.
fn as_json_holds_it(raw: &mut Option<Value>) {
    if let Some(v) = raw {
        *v = Json::from_value(v).to_value();
    }
}

fn ours_session(value: &Value) -> Result<Session, String> {
    read_session(&Json::from_value(value))
}

fn ours_event(value: &Value) -> Result<WebhookEvent, String> {
    WebhookEvent::from_json(&Json::from_value(value))
}

#[test]
fn every_normalized_fixture_session_reads_back_as_written() {
    let mut sessions = vec![full_session()];
    for (provider, file, list) in [
        (Provider::Mangopay, "mangopay-list-1.json", true),
        (
            Provider::Mangopay,
            "mangopay-view-business-review-1.json",
            false,
        ),
        (
            Provider::Mangopay,
            "mangopay-view-natural-validated-1.json",
            false,
        ),
        (Provider::Mangopay, "mangopay-view-pending-1.json", false),
        (Provider::Equals, "equals-list-1.json", true),
        (Provider::Equals, "equals-list-constructed-1.json", true),
        (Provider::Didit, "didit-list-constructed-1.json", true),
        (Provider::Didit, "didit-decision-constructed-1.json", false),
    ] {
        for include_raw in [false, true] {
            let options = NormalizeOptions {
                include_raw,
                user_id: Some("user_m_1".into()),
                ..NormalizeOptions::default()
            };
            let text = fixture(file);
            if list {
                sessions
                    .extend(idv_sessions::normalize_list_json(provider, &text, &options).unwrap());
            } else {
                sessions.push(idv_sessions::normalize_json(provider, &text, &options).unwrap());
            }
        }
    }
    assert!(sessions.len() > 20);
    let text = serde_json::to_string(&sessions).unwrap();
    let back = read_sessions(&parse(&text).unwrap()).unwrap();
    assert_eq!(back, sessions);
    // The crate's own writer too (non-ASCII as escapes).
    let mut written = String::new();
    idv_sessions::session_json::write_sessions(&mut written, &sessions);
    let back = read_sessions(&parse(&written).unwrap()).unwrap();
    assert_eq!(back, sessions);
}

#[test]
fn an_event_reads_back_as_written() {
    let event = full_event();
    let text = serde_json::to_string(&event).unwrap();
    assert_eq!(
        WebhookEvent::from_json(&parse(&text).unwrap()).unwrap(),
        event
    );
}

#[test]
fn what_is_refused_names_the_field() {
    let mut value = serde_json::to_value(full_session()).unwrap();
    value["checks"][0]["reasons"][1]["code"] = json!(5);
    assert_eq!(
        ours_session(&value).unwrap_err(),
        "`checks`: [0]: `reasons`: [1]: `code`: expected a string, got number"
    );
    value = serde_json::to_value(full_session()).unwrap();
    value.as_object_mut().unwrap().remove("createdAt");
    assert_eq!(
        ours_session(&value).unwrap_err(),
        "missing field `createdAt`"
    );
    value["createdAt"] = json!("x");
    value["provider"] = json!("veriff");
    assert_eq!(
        ours_session(&value).unwrap_err(),
        "`provider`: unknown variant `veriff`"
    );
    // Unknown statuses and kinds are the catch-alls, as in the derives.
    value["provider"] = json!("didit");
    value["status"] = json!("later");
    value["checks"][0]["kind"] = json!("retina");
    let session = ours_session(&value).unwrap();
    assert_eq!(session.status, SessionStatus::Unknown);
    assert_eq!(session.checks[0].kind, CheckKind::Other);
}

/// A path in a session or event: a field to replace or remove.
fn paths() -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    let session = serde_json::to_value(full_session()).unwrap();
    let event = serde_json::to_value(full_event()).unwrap();
    fn walk(value: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    at.push(json!(k));
                    out.push(at.clone());
                    walk(v, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    at.push(json!(i));
                    out.push(at.clone());
                    walk(v, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    walk(&session, &mut vec![json!("s")], &mut out);
    walk(&event, &mut vec![json!("e")], &mut out);
    out
}

/// Replaces (or with `None` removes) what `path` reaches; `None` when it
/// reaches nothing.
fn edit(root: &mut Value, path: &[Value], new: Option<Value>) -> Option<()> {
    let index = |step: &Value| step.as_u64().map(|i| i as usize);
    let (last, steps) = path.split_last()?;
    let mut at = root;
    for step in steps {
        at = match step {
            Value::String(k) => at.get_mut(k.as_str())?,
            _ => at.get_mut(index(step)?)?,
        };
    }
    match (last, new) {
        (Value::String(k), None) => {
            at.as_object_mut()?.remove(k.as_str())?;
        }
        (Value::String(k), Some(v)) => {
            at.as_object_mut()?.insert(k.clone(), v);
        }
        (i, None) => {
            let items = at.as_array_mut()?;
            let i = index(i).filter(|i| *i < items.len())?;
            items.remove(i);
        }
        (i, Some(v)) => *at.get_mut(index(i)?)? = v,
    }
    Some(())
}

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(json!(3.0)),
        Just(json!(-0.5)),
        prop::sample::select(vec![
            "",
            "x",
            "approved",
            "unknown",
            "declined",
            "in_review",
            "didit",
            "stripe",
            "face_match",
            "other",
            "session.updated",
            "signature",
            "none",
            "Approved",
        ])
        .prop_map(Value::from),
        Just(json!([])),
        Just(json!(["a", 1])),
        Just(json!({})),
        Just(json!([{"code": "c"}])),
        Just(json!({"code": "c", "detail": null})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn edited_sessions_and_events_read_as_the_derives_read_them(
        which in any::<prop::sample::Index>(),
        new in proptest::option::of(any_value()),
        second in proptest::option::of((any::<prop::sample::Index>(), any_value())),
    ) {
        let all = paths();
        let path = &all[which.index(all.len())];
        let session = path[0] == json!("s");
        let mut root = if session {
            serde_json::to_value(full_session()).unwrap()
        } else {
            serde_json::to_value(full_event()).unwrap()
        };
        prop_assert!(edit(&mut root, &path[1..], new).is_some());
        if let Some((which, v)) = second {
            let path = &all[which.index(all.len())];
            if path[0] == json!(if session { "s" } else { "e" }) {
                // The first edit may have removed what this one reaches.
                let _ = edit(&mut root, &path[1..], Some(v));
            }
        }
        if session {
            let derive = serde_json::from_value::<Session>(root.clone())
                .map(|mut s| {
                    as_json_holds_it(&mut s.raw);
                    s
                })
                .map_err(|e| e.to_string());
            match (ours_session(&root), derive) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                (a, b) => prop_assert!(false, "{root}: ours {a:?}, derive {b:?}"),
            }
        } else {
            let derive = serde_json::from_value::<WebhookEvent>(root.clone())
                .map(|mut e| {
                    as_json_holds_it(&mut e.raw);
                    if let Some(s) = &mut e.session {
                        as_json_holds_it(&mut s.raw);
                    }
                    e
                })
                .map_err(|e| e.to_string());
            match (ours_event(&root), derive) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                (a, b) => prop_assert!(false, "{root}: ours {a:?}, derive {b:?}"),
            }
        }
    }
}
