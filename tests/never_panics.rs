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

/// The providers' documented field names (written out here, not taken from
/// the parsers' own `FIELDS`, so a field a parser forgets to keep is caught),
/// so the random objects reach deep into the parsers.
fn key() -> impl Strategy<Value = String> {
    let known = vec![
        // Mangopay
        "Id",
        "SessionId",
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
        // Equals
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
        "count",
        "limit",
        // Didit
        "session_id",
        "session_token",
        "created_at",
        "updated_at",
        "full_name",
        "first_name",
        "last_name",
        "country",
        "document_type",
        "issuing_state",
        "features",
        "feature",
        "session_number",
        "workflow_id",
        "session_kind",
        "vendor_data",
        "session_url",
        "url",
        "callback",
        "results",
        "next",
        "warnings",
        "risk",
        "short_description",
        "id_verifications",
        "nfc_verifications",
        "liveness_checks",
        "face_matches",
        "poa_verifications",
        "document_ai_documents",
        "phone_verifications",
        "email_verifications",
        "aml_screenings",
        "ip_analyses",
        "database_validations",
        "questionnaire_responses",
    ];
    prop_oneof![
        prop::sample::select(known).prop_map(str::to_owned),
        "[a-z]{1,6}",
    ]
}

fn options() -> impl Strategy<Value = NormalizeOptions> {
    (
        any::<bool>(),
        proptest::option::of(".{0,8}"),
        proptest::option::of(".{0,8}"),
        any::<bool>(),
    )
        .prop_map(|(include_raw, user_id, now, strict)| NormalizeOptions {
            include_raw,
            user_id,
            now,
            strict,
        })
}

/// Equal outcomes, ignoring `raw` (only the full parse keeps it).
fn same<T: StripRaw + PartialEq + std::fmt::Debug>(
    lean: Result<T, idv_sessions::IdvError>,
    full: Result<T, idv_sessions::IdvError>,
) {
    match (lean, full) {
        (Ok(a), Ok(b)) => {
            // The direct JSON writer says exactly what serde_json says (non-ASCII escaped), raw included.
            let mut direct = String::new();
            b.write_json(&mut direct);
            assert_eq!(direct, b.serde_json());
            assert_eq!(a, b.strip_raw())
        }
        (Err(a), Err(b)) => assert_eq!((a.code, a.provider), (b.code, b.provider)),
        (a, b) => panic!("pruned {a:?} vs full {b:?}"),
    }
}

trait StripRaw {
    fn strip_raw(self) -> Self;
    fn write_json(&self, out: &mut String);
    fn serde_json(&self) -> String;
}
impl StripRaw for idv_sessions::Session {
    fn strip_raw(mut self) -> Self {
        self.raw = None;
        self
    }
    fn write_json(&self, out: &mut String) {
        idv_sessions::session_json::write_session(out, self);
    }
    fn serde_json(&self) -> String {
        ascii(serde_json::to_string(self).unwrap())
    }
}
impl StripRaw for Vec<idv_sessions::Session> {
    fn strip_raw(self) -> Self {
        self.into_iter().map(StripRaw::strip_raw).collect()
    }
    fn write_json(&self, out: &mut String) {
        idv_sessions::session_json::write_sessions(out, self);
    }
    fn serde_json(&self) -> String {
        ascii(serde_json::to_string(self).unwrap())
    }
}

/// serde_json's text with non-ASCII characters escaped, as the direct writer writes them.
fn ascii(json: String) -> String {
    let mut out = String::new();
    idv_sessions::session_json::write_ascii(&mut out, &json);
    assert!(out.is_ascii());
    out
}

/// The providers' documented bodies (tests/fixtures), the starting points of the mutations.
const DOCUMENTED_BODIES: &[(Provider, &str)] = &[
    (
        Provider::Mangopay,
        include_str!("fixtures/mangopay-list-1.json"),
    ),
    (
        Provider::Mangopay,
        include_str!("fixtures/mangopay-view-natural-validated-1.json"),
    ),
    (
        Provider::Mangopay,
        include_str!("fixtures/mangopay-view-business-review-1.json"),
    ),
    (
        Provider::Equals,
        include_str!("fixtures/equals-list-1.json"),
    ),
    (
        Provider::Equals,
        include_str!("fixtures/equals-list-constructed-1.json"),
    ),
    (
        Provider::Didit,
        include_str!("fixtures/didit-list-constructed-1.json"),
    ),
    (
        Provider::Didit,
        include_str!("fixtures/didit-decision-constructed-1.json"),
    ),
    (
        Provider::Didit,
        include_str!("fixtures/didit-create-response-constructed-1.json"),
    ),
];

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
            // Streamed (row by row, as the package does) or from the whole tree: the same.
            let streamed = idv_sessions::normalize_list_rows(provider, &body.to_string(), &options);
            let tree = idv_sessions::providers::normalize_rows(
                provider,
                &idv_sessions::json::Json::from_value(&body),
                &NormalizeOptions { now: None, ..options.clone() },
            );
            match (&streamed, &tree) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(a.sessions.len(), b.sessions.len());
                    prop_assert_eq!(&a.bad_rows, &b.bad_rows);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.code, b.code),
                _ => prop_assert!(false, "{streamed:?} vs {tree:?}"),
            }
            // Leniently: every row is a session or a bad row, never both, never lost.
            match idv_sessions::normalize_list_rows(provider, &body.to_string(), &options) {
                Ok(list) => {
                    assert_eq!(list.sessions.len() + list.bad_rows.len(), 2);
                    assert!(list.bad_rows.iter().all(|b| b.provider == provider && !b.reason.is_empty()));
                    if options.strict {
                        assert!(list.bad_rows.is_empty());
                    }
                }
                Err(e) => check(provider, Err::<(), _>(e)),
            }
        }
    }

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256), options in options()) {
        let text = String::from_utf8_lossy(&bytes);
        for provider in Provider::ALL {
            check(provider, normalize_json(provider, &text, &options));
            check(provider, normalize_list_json(provider, &text, &options));
            check(provider, idv_sessions::normalize_list_rows(provider, &text, &options));
            let _ = map_status(provider, &text, Some(&text));
        }
    }

    /// Mostly valid JSON: the providers' documented bodies with a few bytes changed, cut or
    /// inserted (random bytes alone are almost never JSON and only reach the parse error).
    #[test]
    fn mutated_provider_bodies(
        body in prop::sample::select(DOCUMENTED_BODIES.to_vec()),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..6),
        options in options(),
    ) {
        let (provider, text) = body;
        let mut bytes = text.as_bytes().to_vec();
        for (at, kind, byte) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                2 => bytes.insert(i, *b"{}[]\",:0-e.\\ ".get(usize::from(byte) % 13).unwrap_or(&b' ')),
                _ => bytes.truncate(i),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        for provider in [provider].into_iter().chain(Provider::ALL) {
            check(provider, normalize_json(provider, &text, &options));
            check(provider, normalize_list_json(provider, &text, &options));
            check(provider, idv_sessions::normalize_list_rows(provider, &text, &options));
        }
    }

    /// Parsing only the fields a parser reads (the fast path) never changes
    /// the result: same sessions as the full parse (`includeRaw`), same errors.
    #[test]
    fn pruned_parsing_changes_nothing(extra in prop::collection::vec((key(), any_json()), 0..12), value in any_json(), user_id in proptest::option::of("[a-z]{1,4}")) {
        let lean = NormalizeOptions { include_raw: false, user_id: user_id.clone(), now: Some("2026-01-01T00:00:00Z".into()), strict: false };
        let full = NormalizeOptions { include_raw: true, ..lean.clone() };
        for provider in Provider::ALL {
            // A valid session of the provider, then random fields on top.
            let mut session = match provider {
                Provider::Mangopay => serde_json::json!({"Id": "i", "Status": "VALIDATED", "CreationDate": 1}),
                Provider::Equals => serde_json::json!({"id": "i", "status": "completed", "createdAt": "2026-01-01T00:00:00Z"}),
                Provider::Didit => serde_json::json!({"session_id": "i", "status": "Approved", "created_at": "2026-01-01T00:00:00Z"}),
                Provider::Onfido => serde_json::json!({"id": "i", "status": "approved", "created_at": "2026-01-01T00:00:00Z"}),
                Provider::Stripe => serde_json::json!({"id": "i", "status": "verified", "created": 1}),
            };
            for (k, v) in &extra {
                session[k.as_str()] = v.clone();
            }
            let value = if extra.is_empty() { value.clone() } else { session };
            let bodies = [
                value.to_string(),
                serde_json::json!([value.clone(), value.clone()]).to_string(),
                serde_json::json!({"rows": [value.clone()], "results": [value.clone()], "count": 1}).to_string(),
            ];
            for text in &bodies {
                same(normalize_json(provider, text, &lean), normalize_json(provider, text, &full));
                same(normalize_list_json(provider, text, &lean), normalize_list_json(provider, text, &full));
            }
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
