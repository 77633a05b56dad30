//! Fixture-driven mapping tests: every documented status of every provider,
//! every session payload from the providers' docs, and the field policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::{
    map_status, normalize_json, normalize_list_json, CheckKind, CheckStatus, ErrorCode,
    NormalizeOptions, Provider, SessionStatus,
};
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn opts() -> NormalizeOptions {
    NormalizeOptions::default()
}

/// The spellings every documented status must match in: as documented,
/// UPPER_SNAKE, lower case with spaces, lower_snake.
fn spellings(documented: &str) -> Vec<String> {
    vec![
        documented.to_string(),
        documented.replace(' ', "_").to_uppercase(),
        documented.replace('_', " ").to_lowercase(),
        documented.replace(' ', "_").to_lowercase(),
    ]
}

use SessionStatus::*;

// One row per documented status (SPEC section 3).
const MANGOPAY: &[(&str, SessionStatus)] = &[
    ("PENDING", InProgress),
    ("REVIEW", InReview),
    ("VALIDATED", Approved),
    ("REFUSED", Declined),
    ("EXPIRED", Expired),
    ("TIMEOUT", Abandoned),
    ("OUT_OF_DATE", Outdated),
    ("OUTDATED", Outdated),
    ("ERROR", Error),
];

const EQUALS: &[(&str, Option<&str>, SessionStatus)] = &[
    ("to_be_completed", None, NotStarted),
    ("in_progress", None, InProgress),
    ("completed", None, InReview),
    ("completed", Some("approved"), Approved),
    ("completed", Some("declined"), Declined),
    (
        "completed",
        Some("resubmission_requested"),
        ResubmissionRequested,
    ),
    ("expired", None, Expired),
];

const DIDIT: &[(&str, SessionStatus)] = &[
    ("Not Started", NotStarted),
    ("In Progress", InProgress),
    ("Awaiting User", InProgress),
    ("In Review", InReview),
    ("Approved", Approved),
    ("Declined", Declined),
    ("Resubmitted", ResubmissionRequested),
    ("Expired", Expired),
    ("Abandoned", Abandoned),
    ("Kyc Expired", Outdated),
];

#[test]
fn mangopay_status_table() {
    for (documented, want) in MANGOPAY {
        for s in spellings(documented) {
            assert_eq!(map_status(Provider::Mangopay, &s, None), *want, "{s}");
        }
    }
}

#[test]
fn equals_status_table() {
    for (status, result, want) in EQUALS {
        for s in spellings(status) {
            for r in result.map(spellings).unwrap_or_else(|| vec![String::new()]) {
                let r = (!r.is_empty()).then_some(r.as_str());
                assert_eq!(map_status(Provider::Equals, &s, r), *want, "{s} {r:?}");
            }
        }
    }
}

#[test]
fn didit_status_table() {
    for (documented, want) in DIDIT {
        for s in spellings(documented) {
            assert_eq!(map_status(Provider::Didit, &s, None), *want, "{s}");
        }
    }
    // The KYB page's spelling, and the tolerant forms named in the SPEC.
    assert_eq!(map_status(Provider::Didit, "KYC_EXPIRED", None), Outdated);
    assert_eq!(map_status(Provider::Didit, "IN_REVIEW", None), InReview);
    assert_eq!(map_status(Provider::Didit, "in review", None), InReview);
}

#[test]
fn every_unified_status_is_reachable() {
    let mut seen: Vec<SessionStatus> = MANGOPAY.iter().map(|r| r.1).collect();
    seen.extend(EQUALS.iter().map(|r| r.2));
    seen.extend(DIDIT.iter().map(|r| r.1));
    seen.push(map_status(Provider::Didit, "Nonsense", None));
    // The newer providers' tables (their own rows are in tests/onfido.rs and tests/stripe.rs).
    for provider in [Provider::Onfido, Provider::Stripe] {
        seen.extend(provider.api().statuses().iter().map(|r| r.unified));
    }
    for s in SessionStatus::ALL {
        assert!(
            seen.contains(&s),
            "{s} is reachable from no provider status"
        );
    }
}

#[test]
fn unlisted_statuses_are_unknown_not_errors() {
    for (provider, status, result) in [
        (Provider::Mangopay, "ON_HOLD", None),
        (Provider::Mangopay, "", None),
        (Provider::Mangopay, "In Review", None), // Didit's word, not Mangopay's
        (Provider::Equals, "paused", None),
        (Provider::Equals, "completed", Some("maybe")),
        (Provider::Equals, "approved", None), // a result, not a status
        (Provider::Didit, "Pending Review", None),
        (Provider::Didit, "KYC Expired!", None),
        (Provider::Didit, "VALIDATED", None), // Mangopay's word, not Didit's
    ] {
        assert_eq!(
            map_status(provider, status, result),
            Unknown,
            "{provider} {status}"
        );
    }
}

#[test]
fn terminal_statuses() {
    let terminal: Vec<_> = SessionStatus::ALL
        .into_iter()
        .filter(|s| s.is_terminal())
        .collect();
    assert_eq!(
        terminal,
        vec![Approved, Declined, Expired, Abandoned, Canceled, Outdated, Error]
    );
}

#[test]
fn unknown_status_keeps_provider_text() {
    let s = normalize_json(
        Provider::Didit,
        r#"{"session_id":"x","status":"Pending Review","created_at":"2026-01-01T00:00:00Z"}"#,
        &opts(),
    )
    .unwrap();
    assert_eq!(s.status, Unknown);
    assert_eq!(s.provider_status, "Pending Review");
    assert!(!s.is_terminal);
}

// ---- fixtures from the providers' docs ----

#[test]
fn mangopay_list_fixture() {
    let options = NormalizeOptions {
        user_id: Some("user_m_01JTG7NDTE52MZCCF50QHJ870A".into()),
        ..opts()
    };
    let list = normalize_list_json(
        Provider::Mangopay,
        &fixture("mangopay-list-1.json"),
        &options,
    )
    .unwrap();
    assert_eq!(list.len(), 2);
    let v = serde_json::to_value(&list).unwrap();
    assert_eq!(
        v[0],
        json!({
            "provider": "mangopay",
            "id": "idnver_01JTG8BTG92TTRP5VSNV35ZYGM",
            "key": "mangopay:idnver_01JTG8BTG92TTRP5VSNV35ZYGM",
            "status": "in_progress",
            "providerStatus": "PENDING",
            "isTerminal": false,
            "userRef": "user_m_01JTG7NDTE52MZCCF50QHJ870A",
            "createdAt": "2025-05-05T12:45:21Z",
            "checks": []
        })
    );
    assert_eq!(v[1]["status"], "declined");
    assert_eq!(v[1]["updatedAt"], "2025-05-05T12:59:05Z");
    assert_eq!(v[1]["isTerminal"], true);
}

#[test]
fn mangopay_view_natural_validated_fixture() {
    let s = normalize_json(
        Provider::Mangopay,
        &fixture("mangopay-view-natural-validated-1.json"),
        &NormalizeOptions {
            user_id: Some("someone-else".into()),
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(s.status, Approved);
    assert_eq!(
        s.user_ref.as_deref(),
        Some("user_m_01JTG7NDTE52MZCCF50QHJ870A")
    );
    assert!(s
        .verification_url
        .unwrap()
        .starts_with("https://user-verification.sandbox"));
    assert_eq!(s.return_url.as_deref(), Some("https://example.com/"));
    let kinds: Vec<_> = s.checks.iter().map(|c| (c.kind, c.status)).collect();
    assert_eq!(
        kinds,
        vec![
            (CheckKind::Document, CheckStatus::Approved),
            (CheckKind::NameMatch, CheckStatus::Approved),
            (CheckKind::Age, CheckStatus::Approved),
        ]
    );
    let person = s.person.unwrap();
    assert_eq!(person.first_name.as_deref(), Some("ALEX"));
    assert_eq!(person.last_name.as_deref(), Some("SMITH"));
    assert_eq!(
        s.extra.unwrap().tag.as_deref(),
        Some("Created using the Mangopay API Postman collection")
    );
}

#[test]
fn mangopay_view_business_review_fixture() {
    let s = normalize_json(
        Provider::Mangopay,
        &fixture("mangopay-view-business-review-1.json"),
        &opts(),
    )
    .unwrap();
    assert_eq!(s.status, InReview);
    assert_eq!(s.checks.len(), 4);
    let business = &s.checks[0];
    assert_eq!(business.kind, CheckKind::Business);
    assert_eq!(business.status, CheckStatus::Declined);
    assert_eq!(business.provider_type, "BUSINESS_VERIFICATION");
    assert_eq!(business.provider_status, "REFUSED");
    assert_eq!(business.reasons.len(), 1);
    assert_eq!(business.reasons[0].code, "DOCUMENT_NOT_ACCEPTED");
    assert_eq!(
        business.reasons[0].detail.as_deref(),
        Some("Document has been refused by the provider")
    );
    // Legal representative's name from the document check.
    assert_eq!(s.person.unwrap().first_name.as_deref(), Some("ALEX"));
}

#[test]
fn mangopay_view_pending_and_create_fixtures() {
    let s = normalize_json(
        Provider::Mangopay,
        &fixture("mangopay-view-pending-1.json"),
        &opts(),
    )
    .unwrap();
    assert_eq!(s.status, InProgress);
    assert!(s.checks.is_empty());
    assert_eq!(s.updated_at.as_deref(), Some("2025-05-05T15:06:48Z"));

    let s = normalize_json(
        Provider::Mangopay,
        &fixture("mangopay-create-response-1.json"),
        &opts(),
    )
    .unwrap();
    assert_eq!(s.status, InProgress);
    assert_eq!(s.id, "idnver_01JH2ZK1MKAMG5H2Q20M5K6020");
    assert_eq!(s.created_at, "2025-01-08T12:52:48Z");
    assert_eq!(s.updated_at, None);
    assert_eq!(s.user_ref, None);
    assert_eq!(s.return_url.as_deref(), Some("https://example.com"));
}

#[test]
fn equals_list_fixture() {
    let list =
        normalize_list_json(Provider::Equals, &fixture("equals-list-1.json"), &opts()).unwrap();
    assert_eq!(list.len(), 1);
    let v = serde_json::to_value(&list[0]).unwrap();
    assert_eq!(
        v,
        json!({
            "provider": "equals",
            "id": "5f8a2c14-3e6b-4d9f-a1b2-c3d4e5f60789",
            "key": "equals:5f8a2c14-3e6b-4d9f-a1b2-c3d4e5f60789:e9293471-5eb3-4dbc-916c-dbaf9e2deefd",
            "status": "approved",
            "providerStatus": "completed",
            "providerResult": "approved",
            "isTerminal": true,
            "userRef": "d4c3b2a1-5678-4e9a-bcde-f01234567890",
            "verificationUrl": "https://verify.example.com/session/abc123",
            "createdAt": "2019-08-24T14:15:22Z",
            "updatedAt": "2019-08-24T14:15:22Z",
            "checks": [],
            "extra": {
                "applicationId": "e9293471-5eb3-4dbc-916c-dbaf9e2deefd",
                "associatedPersonId": "d4c3b2a1-5678-4e9a-bcde-f01234567890",
                "correlationId": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
            }
        })
    );
}

/// A `:` inside an id or application id cannot make two sessions one key
/// (`listAll` deduplicates by key).
#[test]
fn a_colon_inside_an_id_cannot_merge_two_keys() {
    let rows = json!([
        {"id": "a:b", "status": "completed", "createdAt": "2025-01-01T00:00:00Z"},
        {"id": "a", "applicationId": "b", "status": "completed", "createdAt": "2025-01-01T00:00:00Z"},
        {"id": "a%3Ab", "status": "completed", "createdAt": "2025-01-01T00:00:00Z"},
    ]);
    let list = normalize_list_json(Provider::Equals, &rows.to_string(), &opts()).unwrap();
    let keys: Vec<&str> = list.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["equals:a%3Ab", "equals:a:b", "equals:a%253Ab"]);
    assert_eq!(list[0].id, "a:b");
}

#[test]
fn equals_same_session_in_two_applications_has_two_keys() {
    let list = normalize_list_json(
        Provider::Equals,
        &fixture("equals-list-constructed-1.json"),
        &opts(),
    )
    .unwrap();
    let statuses: Vec<_> = list.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        vec![InReview, NotStarted, ResubmissionRequested, Expired]
    );
    assert_eq!(list[0].id, list[1].id);
    assert_ne!(list[0].key, list[1].key);
    // No associatedPersonId: the application stands for the user.
    assert_eq!(
        list[1].user_ref.as_deref(),
        Some("0b7e2f4c-1111-4d2a-9c8e-5a6b7c8d9e0f")
    );
    assert_eq!(list[0].provider_result, None);
    assert_eq!(list[2].updated_at, None);
    assert_eq!(list[3].updated_at, None);
}

#[test]
fn didit_list_row_fixture() {
    let s = normalize_json(Provider::Didit, &fixture("didit-list-row-1.json"), &opts()).unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["userRef"], "user-1");
    assert_eq!(v["createdAt"], "2025-06-09T12:26:54.328364Z");
    assert_eq!(v["verificationUrl"], "https://verify.didit.me/example");
    assert_eq!(
        v["person"],
        json!({"fullName": "Alejandro Rosas", "country": "ESP", "documentType": "ID"})
    );
    assert_eq!(v["extra"], json!({"sessionNumber": 720}));
    let kinds: Vec<_> = s.checks.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        vec![
            CheckKind::Document,
            CheckKind::Liveness,
            CheckKind::FaceMatch,
            CheckKind::IpAnalysis
        ]
    );
    assert!(s.checks.iter().all(|c| c.status == CheckStatus::Approved));
    assert!(v.get("updatedAt").is_none());
    assert!(v.get("raw").is_none());
}

#[test]
fn didit_list_body_with_legacy_features_and_offsets() {
    let list = normalize_list_json(
        Provider::Didit,
        &fixture("didit-list-constructed-1.json"),
        &opts(),
    )
    .unwrap();
    assert_eq!(
        list.iter().map(|s| s.status).collect::<Vec<_>>(),
        vec![Outdated, InProgress, Unknown]
    );
    assert_eq!(list[0].checks[1].kind, CheckKind::Age);
    // vendor_data null: no userRef.
    assert_eq!(list[1].user_ref, None);
    let legacy: Vec<_> = list[1]
        .checks
        .iter()
        .map(|c| c.provider_type.as_str())
        .collect();
    assert_eq!(legacy, vec!["OCR", "FACE"]);
    assert!(list[1]
        .checks
        .iter()
        .all(|c| c.status == CheckStatus::Unknown));
    // +01:00 converted to UTC, fraction kept.
    assert_eq!(list[2].created_at, "2026-01-01T09:00:00.500Z");
}

#[test]
fn didit_create_response() {
    let now = Some("2026-11-23T10:00:00Z".to_string());
    let s = normalize_json(
        Provider::Didit,
        &fixture("didit-create-response-constructed-1.json"),
        &NormalizeOptions { now, ..opts() },
    )
    .unwrap();
    assert_eq!(s.status, NotStarted);
    assert_eq!(
        s.verification_url.as_deref(),
        Some("https://verify.didit.me/session/abcdef123456")
    );
    assert_eq!(
        s.return_url.as_deref(),
        Some("https://example.com/verification/callback")
    );
    assert_eq!(s.created_at, "2026-11-23T10:00:00Z");
    assert_eq!(s.user_ref.as_deref(), Some("user-123"));
    // Without a "now" the missing creation time is an error, naming the field.
    let e = normalize_json(
        Provider::Didit,
        &fixture("didit-create-response-constructed-1.json"),
        &opts(),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode);
    assert!(e.message.contains("created_at"), "{}", e.message);
}

#[test]
fn didit_decision_blocks() {
    let s = normalize_json(
        Provider::Didit,
        &fixture("didit-decision-constructed-1.json"),
        &opts(),
    )
    .unwrap();
    assert_eq!(s.status, Declined);
    let got: Vec<_> = s
        .checks
        .iter()
        .map(|c| (c.kind, c.status, c.provider_type.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                CheckKind::Document,
                CheckStatus::Approved,
                "id_verifications"
            ),
            (
                CheckKind::Liveness,
                CheckStatus::Declined,
                "liveness_checks"
            ),
            (CheckKind::FaceMatch, CheckStatus::InReview, "face_matches"),
            (CheckKind::Aml, CheckStatus::Approved, "aml_screenings"),
            (
                CheckKind::IpAnalysis,
                CheckStatus::NotFinished,
                "ip_analyses"
            ),
        ]
    );
    let liveness = &s.checks[1];
    assert_eq!(liveness.reasons[0].code, "LOW_LIVENESS_SCORE");
    assert_eq!(
        liveness.reasons[0].detail.as_deref(),
        Some("Low liveness score")
    );
    let person = s.person.clone().unwrap();
    assert_eq!(person.full_name.as_deref(), Some("Elena Martinez Garcia"));
    assert_eq!(person.country.as_deref(), Some("ESP"));
    assert_eq!(person.document_type.as_deref(), Some("Identity Card"));
    let extra = s.extra.unwrap();
    assert_eq!(extra.session_number, Some(4321));
    assert_eq!(extra.session_kind.as_deref(), Some("user"));
    assert_eq!(
        extra.workflow_id.as_deref(),
        Some("d8d2fa2d-c69c-471c-b7bc-bc71512b43ef")
    );
}

#[test]
fn non_session_fixtures_are_decode_errors() {
    for (provider, name) in [
        (Provider::Mangopay, "mangopay-error-400-param.json"),
        (
            Provider::Mangopay,
            "mangopay-error-401-invalid-credentials.json",
        ),
        (Provider::Mangopay, "mangopay-error-404-not-found.json"),
        (Provider::Mangopay, "mangopay-oauth-token-response.json"),
        (Provider::Didit, "didit-create-session-request-1.json"),
    ] {
        let e = normalize_json(provider, &fixture(name), &opts()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode, "{name}");
        assert_eq!(e.provider, Some(provider));
    }
}

// ---- field policy ----

#[test]
fn include_raw_keeps_the_provider_object() {
    let text = fixture("didit-list-row-1.json");
    let s = normalize_json(
        Provider::Didit,
        &text,
        &NormalizeOptions {
            include_raw: true,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(
        s.raw.unwrap(),
        serde_json::from_str::<Value>(&text).unwrap()
    );
}

#[test]
fn null_and_missing_optional_fields_are_absent() {
    let s = normalize_json(
        Provider::Didit,
        r#"{"session_id":"s","status":"Approved","created_at":"2026-01-01T00:00:00Z",
            "vendor_data":null,"session_url":"","callback":5,"features":null,"full_name":null,
            "session_number":"17","workflow_id":[]}"#,
        &opts(),
    )
    .unwrap();
    let v = serde_json::to_value(&s).unwrap();
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        vec![
            "checks",
            "createdAt",
            "extra",
            "id",
            "isTerminal",
            "key",
            "provider",
            "providerStatus",
            "status"
        ]
    );
    assert_eq!(v["extra"], json!({"sessionNumber": 17}));
    // No value anywhere is null.
    assert!(!v.to_string().contains("null"));

    let s = normalize_json(
        Provider::Mangopay,
        r#"{"Id":"i","Status":"ERROR","CreationDate":1,"LastUpdate":"soon","Checks":[7,{"Type":null}]}"#,
        &opts(),
    )
    .unwrap();
    assert_eq!(s.updated_at, None);
    assert_eq!(s.checks.len(), 1);
    assert_eq!(s.checks[0].kind, CheckKind::Other);
    assert_eq!(s.checks[0].status, CheckStatus::Unknown);
}

#[test]
fn required_fields_give_decode_errors_naming_the_field() {
    for (provider, text, field, problem) in [
        (
            Provider::Mangopay,
            r#"{"Status":"PENDING","CreationDate":1}"#,
            "`Id`",
            "missing",
        ),
        (
            Provider::Mangopay,
            r#"{"Id":7,"Status":"PENDING","CreationDate":1}"#,
            "`Id`",
            "got number",
        ),
        (
            Provider::Mangopay,
            r#"{"Id":"a","Status":"PENDING","CreationDate":"yesterday"}"#,
            "`CreationDate`",
            "got string",
        ),
        (
            Provider::Mangopay,
            r#"{"Id":"a","Status":"PENDING","CreationDate":1e300}"#,
            "`CreationDate`",
            "out of range",
        ),
        (
            Provider::Mangopay,
            r#"{"Id":"a","Status":"PENDING"}"#,
            "`CreationDate`",
            "missing",
        ),
        (
            Provider::Equals,
            r#"{"id":"","status":"expired","createdAt":"2026-01-01T00:00:00Z"}"#,
            "`id`",
            "empty",
        ),
        (
            Provider::Equals,
            r#"{"id":"a","status":"expired","createdAt":"soon"}"#,
            "`createdAt`",
            "ISO 8601",
        ),
        (
            Provider::Didit,
            r#"{"status":"Approved"}"#,
            "`session_id`",
            "missing",
        ),
        (Provider::Didit, r#"[]"#, "session", "got array"),
        (Provider::Didit, r#""text""#, "session", "got string"),
    ] {
        let e = normalize_json(provider, text, &opts()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode, "{text}");
        assert!(e.message.contains(field), "{text}: {}", e.message);
        assert!(e.message.contains(problem), "{text}: {}", e.message);
    }
    let e = normalize_list_json(
        Provider::Equals,
        r#"{"rows":[{"id":"a","status":"expired","createdAt":"2026-01-01T00:00:00Z"},{"id":"b"}]}"#,
        &opts(),
    )
    .unwrap_err();
    assert!(e.message.contains("`rows[1].createdAt`"), "{}", e.message);
}

/// SPEC section 4: a status that is missing, empty or not a string still
/// makes a session (`unknown`, `providerStatus: ""`); a row without a usable
/// id or creation time is reported next to the sessions, never fatal.
#[test]
fn bad_statuses_are_unknown_and_bad_rows_never_hide_good_ones() {
    for (provider, text) in [
        (Provider::Mangopay, r#"{"Id":"a","CreationDate":1}"#),
        (
            Provider::Mangopay,
            r#"{"Id":"a","Status":"","CreationDate":1}"#,
        ),
        (
            Provider::Equals,
            r#"{"id":"a","status":null,"createdAt":"2026-01-01T00:00:00Z"}"#,
        ),
        (
            Provider::Didit,
            r#"{"session_id":"a","status":7,"created_at":"2026-01-01T00:00:00Z"}"#,
        ),
    ] {
        let s = normalize_json(provider, text, &opts()).unwrap();
        assert_eq!(s.status, Unknown, "{text}");
        assert_eq!(s.provider_status, "", "{text}");
    }
    let body = r#"{"count": 5, "results": [
        {"session_id": "ok-1", "status": "", "created_at": "2026-01-01T00:00:00Z"},
        {"session_id": "no-date", "status": "Approved", "created_at": null},
        7,
        {"status": "Approved", "created_at": "2026-01-01T00:00:00Z"},
        {"session_id": "far", "status": "Approved", "created_at": "10000-01-01T00:00:00Z"},
        {"session_id": "ok-2", "status": "Approved", "created_at": "2026-01-02T00:00:00Z"}
    ]}"#;
    // Even with a "now" at hand, a list row is never dated now.
    let with_now = NormalizeOptions {
        now: Some("2026-11-25T00:00:00Z".into()),
        ..opts()
    };
    let list = idv_sessions::normalize_list_rows(Provider::Didit, body, &with_now).unwrap();
    let ids: Vec<_> = list.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, vec!["ok-1", "ok-2"]);
    let bad: Vec<_> = list
        .bad_rows
        .iter()
        .map(|b| (b.index, b.id.as_deref()))
        .collect();
    assert_eq!(
        bad,
        vec![(1, Some("no-date")), (2, None), (3, None), (4, Some("far"))]
    );
    assert!(
        list.bad_rows[0].reason.contains("created_at"),
        "{:?}",
        list.bad_rows
    );
    let strict = NormalizeOptions {
        strict: true,
        ..opts()
    };
    let e = idv_sessions::normalize_list_rows(Provider::Didit, body, &strict).unwrap_err();
    assert!(
        e.message.contains("`results[1].created_at`"),
        "{}",
        e.message
    );
}

#[test]
fn truncated_json_and_html_are_decode_errors() {
    let text = fixture("mangopay-list-1.json");
    let e = normalize_list_json(Provider::Mangopay, &text[..text.len() / 2], &opts()).unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode);
    let e = normalize_list_json(
        Provider::Equals,
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        &opts(),
    )
    .unwrap_err();
    assert!(e.message.contains("HTML"));
}

#[test]
fn the_direct_json_writer_matches_serde_json_on_every_fixture() {
    let with_raw = NormalizeOptions {
        include_raw: true,
        user_id: Some("u\"1".into()),
        now: Some("2026-01-01T00:00:00Z".into()),
        strict: false,
    };
    let mut sessions = Vec::new();
    for (provider, name) in [
        (Provider::Mangopay, "mangopay-view-business-review-1.json"),
        (Provider::Mangopay, "mangopay-view-natural-validated-1.json"),
        (Provider::Mangopay, "mangopay-create-response-1.json"),
        (Provider::Didit, "didit-decision-constructed-1.json"),
        (Provider::Didit, "didit-list-row-1.json"),
        (Provider::Didit, "didit-create-response-constructed-1.json"),
    ] {
        sessions.push(normalize_json(provider, &fixture(name), &with_raw).unwrap());
        let lean = NormalizeOptions {
            include_raw: false,
            ..with_raw.clone()
        };
        sessions.push(normalize_json(provider, &fixture(name), &lean).unwrap());
    }
    sessions.extend(
        normalize_list_json(
            Provider::Equals,
            &fixture("equals-list-constructed-1.json"),
            &opts(),
        )
        .unwrap(),
    );
    sessions.extend(
        normalize_list_json(
            Provider::Didit,
            &fixture("didit-list-constructed-1.json"),
            &with_raw,
        )
        .unwrap(),
    );
    let mut direct = String::new();
    idv_sessions::session_json::write_sessions(&mut direct, &sessions);
    let mut serde = String::new();
    idv_sessions::session_json::write_ascii(&mut serde, &serde_json::to_string(&sessions).unwrap());
    assert!(direct.is_ascii());
    assert_eq!(direct, serde);
}

/// The README's status table says what the providers' tables say: every
/// spelling it shows maps to its row, and every table row is shown.
#[test]
fn readme_status_table_matches_the_provider_tables() {
    let readme =
        std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let table = readme
        .split("## Status table")
        .nth(1)
        .unwrap()
        .lines()
        .skip_while(|l| !l.starts_with("| `"))
        .take_while(|l| l.starts_with('|'));
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut shown: Vec<(Provider, String, Option<String>)> = Vec::new();
    for line in table {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let unified = SessionStatus::parse(&ticked(cells[1])[0]).unwrap();
        for (provider, cell) in [
            (Provider::Mangopay, cells[2]),
            (Provider::Equals, cells[3]),
            (Provider::Didit, cells[4]),
            (Provider::Onfido, cells[5]),
            (Provider::Stripe, cells[6]),
        ] {
            let names = ticked(cell);
            // Qualified statuses: "`completed` + `approved`", "`completed` with no
            // `result` yet", "`requires_input` + any other `last_error.code`" (`*`).
            let qualified = provider.api().statuses().iter().any(|r| r.result.is_some());
            let rows: Vec<(String, Option<String>)> = if qualified {
                match names.as_slice() {
                    [] => vec![],
                    [status] => vec![(status.clone(), None)],
                    [status, _] if cell.contains("+ any other") => {
                        vec![(status.clone(), Some("*".to_string()))]
                    }
                    [status, result] if cell.contains('+') => {
                        vec![(status.clone(), Some(result.clone()))]
                    }
                    [status, _] => vec![(status.clone(), None)],
                    other => panic!("{other:?}"),
                }
            } else {
                names.into_iter().map(|n| (n, None)).collect()
            };
            for (status, result) in rows {
                assert_eq!(
                    map_status(provider, &status, result.as_deref()),
                    unified,
                    "README: {provider} {status} {result:?}"
                );
                shown.push((provider, status, result));
            }
        }
    }
    for provider in Provider::ALL {
        for row in provider.api().statuses() {
            assert!(
                shown.iter().any(|(p, s, r)| *p == provider
                    && s == row.status
                    && r.as_deref() == row.result),
                "README does not show {provider} {row:?}"
            );
        }
    }
}

#[test]
fn bad_rows_are_described_up_to_a_cap_and_all_counted() {
    let rows = idv_sessions::MAX_BAD_ROWS * 3 + 7;
    let body = format!("[{}0]", "0,".repeat(rows - 1));
    let options = NormalizeOptions {
        user_id: Some("u1".into()),
        ..opts()
    };
    let list = idv_sessions::normalize_list_rows(Provider::Mangopay, &body, &options).unwrap();
    assert!(list.sessions.is_empty());
    assert_eq!(list.bad_rows.count(), rows);
    assert_eq!(list.bad_rows.len(), idv_sessions::MAX_BAD_ROWS);
    assert_eq!(list.bad_rows[0].index, 0);
    assert_eq!(
        list.bad_rows.last().map(|b| b.index),
        Some(idv_sessions::MAX_BAD_ROWS - 1)
    );
    // Appending keeps the undescribed count.
    let mut all = idv_sessions::BadRows::default();
    all.append(list.bad_rows.clone());
    all.append(list.bad_rows);
    assert_eq!(all.count(), rows * 2);
}

#[test]
fn a_list_body_with_its_rows_twice_is_refused_by_both_readers() {
    // Streamed (normalizeList from text or bytes) and parsed-tree readers
    // must not disagree: one read both arrays as one list, the other the last.
    let row = |id: &str| json!({"session_id": id, "status": "Approved", "created_at": "2026-01-01T00:00:00Z"});
    let body = format!(
        r#"{{"count":2,"next":null,"previous":null,"results":[{}],"results":[{}]}}"#,
        row("a"),
        row("b")
    );
    let streamed = idv_sessions::normalize_list_rows(Provider::Didit, &body, &opts()).unwrap_err();
    let tree = idv_sessions::normalize_list_json(Provider::Didit, &body, &opts()).unwrap_err();
    for e in [streamed, tree] {
        assert_eq!(e.code, idv_sessions::ErrorCode::Decode);
        assert!(e.message.contains("`results` twice"), "{}", e.message);
    }
}
