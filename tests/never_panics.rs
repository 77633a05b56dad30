//! Property tests: no input makes a parser panic (a wasm panic poisons the
//! module instance). Every outcome is a session or a typed error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use idv_sessions::{
    map_status, normalize_json, normalize_list_json, normalize_session, ErrorCode,
    NormalizeOptions, Provider,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        // Values that look like the real thing.
        prop_oneof![
            Just("PENDING"),
            Just("Kyc Expired"),
            Just("completed"),
            Just("approved"),
            Just("2026-01-01T00:00:00Z"),
            Just("2026-13-01T00:00:00Z"),
            Just("OCR + FACE"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Keys the parsers read, so the random objects reach deep into them.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Id",
            "Status",
            "CreationDate",
            "LastUpdate",
            "UserId",
            "HostedUrl",
            "ReturnUrl",
            "Tag",
            "Checks",
            "Type",
            "CheckStatus",
            "Reasons",
            "Value",
            "Data",
            "SessionId",
            "id",
            "status",
            "result",
            "createdAt",
            "updatedAt",
            "applicationId",
            "associatedPersonId",
            "correlationId",
            "actionUrl",
            "rows",
            "session_id",
            "created_at",
            "features",
            "feature",
            "vendor_data",
            "session_url",
            "url",
            "callback",
            "session_number",
            "id_verifications",
            "liveness_checks",
            "warnings",
            "risk",
            "short_description",
            "full_name",
            "first_name",
            "results",
            "issuing_state",
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,6}",
    ]
}

fn options() -> impl Strategy<Value = NormalizeOptions> {
    (
        any::<bool>(),
        proptest::option::of(".{0,8}"),
        proptest::option::of(".{0,8}"),
    )
        .prop_map(|(include_raw, user_id, now)| NormalizeOptions {
            include_raw,
            user_id,
            now,
        })
}

fn check(provider: Provider, outcome: Result<impl Sized, idv_sessions::IdvError>) {
    if let Err(e) = outcome {
        assert_eq!(e.code, ErrorCode::Decode);
        assert_eq!(e.provider, Some(provider));
        assert!(!e.message.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_json_values(value in any_json(), options in options()) {
        for provider in Provider::ALL {
            check(provider, normalize_session(provider, &value, &options));
            check(provider, idv_sessions::normalize_list(provider, &value, &options));
            // Also as the rows of a list body.
            let body = Value::Array(vec![value.clone(), value.clone()]);
            check(provider, idv_sessions::normalize_list(provider, &body, &options));
        }
    }

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256), options in options()) {
        let text = String::from_utf8_lossy(&bytes);
        for provider in Provider::ALL {
            check(provider, normalize_json(provider, &text, &options));
            check(provider, normalize_list_json(provider, &text, &options));
            let _ = map_status(provider, &text, Some(&text));
        }
    }

    #[test]
    fn truncated_valid_payloads(cut in 0usize..2000) {
        for name in ["mangopay-view-business-review-1.json", "didit-decision-constructed-1.json", "equals-list-constructed-1.json"] {
            let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap();
            let mut end = cut.min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            for provider in Provider::ALL {
                check(provider, normalize_json(provider, &text[..end], &NormalizeOptions::default()));
            }
        }
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    for provider in Provider::ALL {
        let e = normalize_list_json(provider, &deep, &NormalizeOptions::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode);
    }
}
