//! Didit verification sessions (API v3): status table, check kinds, parser.
//!
//! Payloads: list rows (`features` as `[{feature, status}]`, or a legacy string
//! like `"OCR + FACE"`), create responses (`url` instead of `session_url`, no
//! `created_at`), decision responses (feature blocks such as `id_verifications`,
//! each `null` until the feature has run). See `shared/providers.md` section 3.

use super::{NormalizeOptions, Obj};
use crate::error::IdvError;
use crate::json::Json;
use crate::session::{
    Check, CheckKind, CheckStatus, Extra, Person, Provider, Session, SessionStatus,
};
use crate::status::{map_check_status, token};
use crate::time;

/// Didit `status` to the unified status.
///
/// | Didit | unified |
/// |---|---|
/// | `Not Started` | `not_started` |
/// | `In Progress`, `Awaiting User` | `in_progress` |
/// | `In Review` | `in_review` |
/// | `Approved` | `approved` |
/// | `Declined` | `declined` |
/// | `Resubmitted` | `resubmission_requested` |
/// | `Expired` | `expired` |
/// | `Abandoned` | `abandoned` |
/// | `Kyc Expired` | `outdated` |
/// | anything else | `unknown` |
pub fn map_status(status: &str) -> SessionStatus {
    match token(status).as_str() {
        "not_started" => SessionStatus::NotStarted,
        "in_progress" | "awaiting_user" => SessionStatus::InProgress,
        "in_review" => SessionStatus::InReview,
        "approved" => SessionStatus::Approved,
        "declined" => SessionStatus::Declined,
        "resubmitted" => SessionStatus::ResubmissionRequested,
        "expired" => SessionStatus::Expired,
        "abandoned" => SessionStatus::Abandoned,
        "kyc_expired" => SessionStatus::Outdated,
        _ => SessionStatus::Unknown,
    }
}

/// Didit feature name or decision block name to a check kind.
///
/// | feature | decision block | kind |
/// |---|---|---|
/// | `ID_VERIFICATION` | `id_verifications` | `document` |
/// | `LIVENESS` | `liveness_checks` | `liveness` |
/// | `FACE_MATCH` | `face_matches` | `face_match` |
/// | `AGE_ESTIMATION` | | `age` |
/// | `AML` | `aml_screenings` | `aml` |
/// | `POA` | `poa_verifications` | `proof_of_address` |
/// | `NFC` | `nfc_verifications` | `nfc` |
/// | `PHONE` | `phone_verifications` | `phone` |
/// | `EMAIL` | `email_verifications` | `email` |
/// | `IP_ANALYSIS` | `ip_analyses` | `ip_analysis` |
/// | `DATABASE_VALIDATION` | `database_validations` | `database` |
/// | anything else | anything else | `other` |
pub fn check_kind(name: &str) -> CheckKind {
    match token(name).as_str() {
        "id_verification" | "id_verifications" => CheckKind::Document,
        "liveness" | "liveness_checks" => CheckKind::Liveness,
        "face_match" | "face_matches" => CheckKind::FaceMatch,
        "age_estimation" => CheckKind::Age,
        "aml" | "aml_screenings" => CheckKind::Aml,
        "poa" | "poa_verifications" => CheckKind::ProofOfAddress,
        "nfc" | "nfc_verifications" => CheckKind::Nfc,
        "phone" | "phone_verifications" => CheckKind::Phone,
        "email" | "email_verifications" => CheckKind::Email,
        "ip_analysis" | "ip_analyses" => CheckKind::IpAnalysis,
        "database_validation" | "database_validations" => CheckKind::Database,
        _ => CheckKind::Other,
    }
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

pub(super) fn normalize(
    obj: &Obj<'_, '_>,
    options: &NormalizeOptions,
) -> Result<Session, IdvError> {
    let id = obj.required_str("session_id")?;
    let provider_status = obj.required_str("status")?;
    let status = map_status(provider_status);
    let created_at = match (obj.get("created_at"), &options.now) {
        // The create response carries no creation time: it was created just now.
        (None | Some(Json::Null), Some(now)) => now.clone(),
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
        key: format!("didit:{id}"),
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
    blocks.sort_by_key(|(i, _)| *i);
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
