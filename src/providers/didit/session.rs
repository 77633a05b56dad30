//! Didit payloads to sessions: list rows (`features` as `[{feature, status}]`,
//! or a legacy string like `"OCR + FACE"`), create responses (`url` instead of
//! `session_url`, no `created_at`), decision responses (feature blocks such as
//! `id_verifications`, each `null` until the feature has run).

use super::tables::{CHECK_KINDS, STATUSES};
use crate::error::IdvError;
use crate::json::Json;
use crate::providers::normalize::NormalizeOptions;
use crate::providers::object::Obj;
use crate::providers::table::{lookup_kind, lookup_status};
use crate::session::Provider;
use crate::session::{Check, CheckKind, CheckStatus, Extra, Person, Session};
use crate::status::map_check_status;
use crate::time;

fn check_kind(name: &str) -> CheckKind {
    lookup_kind(CHECK_KINDS, name)
}

/// The decision response's feature blocks, in the order Didit documents them.
pub const DECISION_BLOCKS: [&str; 12] = [
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

/// The fields [`normalize`] reads besides the [`DECISION_BLOCKS`]; the others
/// (images, internal ids, contact details...) are skipped while parsing.
pub const FIELDS: &[&str] = &[
    "session_id",
    "session_token",
    "status",
    "created_at",
    "updated_at",
    "full_name",
    "country",
    "document_type",
    "features",
    "session_number",
    "workflow_id",
    "session_kind",
    "vendor_data",
    "session_url",
    "url",
    "callback",
];

/// True for a field [`normalize`] reads.
pub fn reads(field: &str) -> bool {
    FIELDS.contains(&field) || DECISION_BLOCKS.contains(&field)
}

/// One Didit object to a session.
pub(super) fn normalize(
    obj: &Obj<'_, '_>,
    options: &NormalizeOptions,
) -> Result<Session, IdvError> {
    let id = obj.required_str("session_id")?;
    let provider_status = obj.status_text("status");
    let status = lookup_status(STATUSES, provider_status, None);
    // Only a create response (a `session_token`, `url` for `session_url`)
    // may lack its creation time: it was created just now. A list row or a
    // decision without one is not a session.
    let created_response = obj.get("session_token").is_some()
        || (obj.get("url").is_some() && obj.get("session_url").is_none());
    let created_at = match (obj.get("created_at"), &options.now) {
        (None | Some(Json::Null), Some(now)) if created_response => now.clone(),
        _ => obj.required_iso_time("created_at")?,
    };
    let updated_at = obj.str("updated_at").and_then(time::from_iso);

    let mut person = Person {
        full_name: obj.string("full_name"),
        country: obj.string("country"),
        document_type: obj.string("document_type"),
        ..Person::default()
    };
    let checks = checks(obj, &mut person);

    let extra = Extra {
        session_number: obj.int("session_number"),
        workflow_id: obj.string("workflow_id"),
        session_kind: obj.string("session_kind"),
        ..Extra::default()
    };
    Ok(Session {
        provider: Provider::Didit,
        id: id.to_owned(),
        key: Provider::Didit.key(&[id]),
        status,
        provider_status: provider_status.to_owned(),
        provider_result: None,
        is_terminal: status.is_terminal(),
        user_ref: obj.string("vendor_data"),
        verification_url: obj.string("session_url").or_else(|| obj.string("url")),
        return_url: obj.string("callback"),
        created_at,
        updated_at,
        checks,
        person: (!person.is_empty()).then_some(person),
        extra: (!extra.is_empty()).then_some(extra),
        raw: None,
    })
}

/// Checks from the decision blocks when there are any, else from `features`.
fn checks(obj: &Obj<'_, '_>, person: &mut Person) -> Vec<Check> {
    let mut checks = Vec::new();
    // One pass over the fields to find the blocks, then Didit's documented
    // order (a repeated key: the last one, as everywhere else).
    let mut blocks: Vec<(usize, &[Json<'_>])> = obj
        .pairs()
        .iter()
        .rev()
        .filter_map(|(key, value)| match value {
            Json::Array(items) => DECISION_BLOCKS
                .iter()
                .position(|b| *b == key.as_ref())
                .map(|i| (i, items.as_slice())),
            _ => None,
        })
        .collect();
    crate::order::sort_by_key(&mut blocks, |(i, _)| *i);
    blocks.dedup_by_key(|(i, _)| *i);
    for (index, items) in blocks {
        let block = DECISION_BLOCKS[index];
        for item in items {
            let Some(item) = obj.child(item) else {
                continue;
            };
            if block == "id_verifications" {
                fill_person(&item, person);
            }
            let provider_status = item.string("status").unwrap_or_default();
            let reasons = item.reasons("warnings", "risk", "short_description");
            checks.push(Check {
                kind: check_kind(block),
                status: map_check_status(&provider_status),
                provider_type: block.to_owned(),
                provider_status,
                reasons,
            });
        }
    }
    if !checks.is_empty() {
        return checks;
    }
    match obj.get("features") {
        Some(Json::Array(features)) => {
            for feature in features {
                match feature {
                    Json::Object(_) => {
                        let Some(f) = obj.child(feature) else {
                            continue;
                        };
                        let Some(name) = f.string("feature") else {
                            continue;
                        };
                        let provider_status = f.string("status").unwrap_or_default();
                        checks.push(Check {
                            kind: check_kind(&name),
                            status: map_check_status(&provider_status),
                            provider_type: name,
                            provider_status,
                            reasons: Vec::new(),
                        });
                    }
                    // A decision's plain list of the workflow's features: no status yet.
                    Json::Str(name) if !name.is_empty() => checks.push(unstarted(name)),
                    _ => {}
                }
            }
        }
        // Legacy: one string such as "OCR + FACE".
        Some(Json::Str(list)) => {
            checks.extend(
                list.split(['+', ','])
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(unstarted),
            );
        }
        _ => {}
    }
    checks
}

fn unstarted(name: &str) -> Check {
    Check {
        kind: check_kind(name),
        status: CheckStatus::Unknown,
        provider_type: name.to_owned(),
        provider_status: String::new(),
        reasons: Vec::new(),
    }
}

fn fill_person(item: &Obj<'_, '_>, person: &mut Person) {
    let fields = [
        (&mut person.full_name, "full_name"),
        (&mut person.first_name, "first_name"),
        (&mut person.last_name, "last_name"),
        (&mut person.document_type, "document_type"),
        (&mut person.country, "issuing_state"),
    ];
    for (slot, name) in fields {
        if slot.is_none() {
            *slot = item.string(name);
        }
    }
}
